/* cisco-cert.c
 * A strict DER walk of X.509 certificates and public keys, for the fields the
 * dissectors show (subject and issuer names, CN, serial, key type), without
 * GnuTLS's full import (about 200,000 instructions a certificate, most of the
 * plugin's own cost on a phone fleet).
 *
 * It accepts only a narrow class of certificates that GnuTLS's
 * gnutls_x509_crt_import() surely accepts and whose fields it surely reads
 * the same way: strict DER (definite, minimal lengths), the TBSCertificate's
 * fields in the expected order, version 3, no unique identifiers, identical
 * signature algorithms inside and outside, plain validity times, names of
 * single-valued RDNs with CN, C, O, OU, L or ST in PrintableString or
 * UTF8String made of characters that need no escaping, no subject or issuer
 * alternative names (GnuTLS parses those while importing).  Anything else
 * answers "not for me" and the caller asks GnuTLS.  tests/test-cert-parity.c
 * checks the two agree on every certificate of the test data and on many
 * mutations of them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-crypto.h"

#include <string.h>

typedef struct {
    const guint8 *p;
    const guint8 *end;
} der_t;

/* One TLV of the given tag at d->p with a definite, minimal length that fits.
 * content is its value; tlv (optional) its whole encoding.  Advances d. */
static gboolean
der_get(der_t *d, guint8 tag, der_t *content, der_t *tlv)
{
    const guint8 *p = d->p;
    size_t avail = (size_t)(d->end - p), len, hdr;

    if (avail < 2 || p[0] != tag)
        return FALSE;
    if (p[1] < 0x80) {
        len = p[1];
        hdr = 2;
    } else if (p[1] == 0x81) {
        if (avail < 3 || p[2] < 0x80)
            return FALSE;
        len = p[2];
        hdr = 3;
    } else if (p[1] == 0x82) {
        if (avail < 4 || p[2] == 0)
            return FALSE;
        len = ((size_t)p[2] << 8) | p[3];
        hdr = 4;
    } else if (p[1] == 0x83) {
        if (avail < 5 || p[2] == 0)
            return FALSE;
        len = ((size_t)p[2] << 16) | ((size_t)p[3] << 8) | p[4];
        hdr = 5;
    } else {
        return FALSE;
    }
    if (len > avail - hdr)
        return FALSE;
    content->p = p + hdr;
    content->end = p + hdr + len;
    if (tlv) {
        tlv->p = p;
        tlv->end = content->end;
    }
    d->p = content->end;
    return TRUE;
}

static inline gboolean
der_at(const der_t *d, guint8 tag)
{
    return d->p < d->end && d->p[0] == tag;
}

static inline gboolean
der_done(const der_t *d)
{
    return d->p == d->end;
}

static inline size_t
der_len(const der_t *d)
{
    return (size_t)(d->end - d->p);
}

static inline gboolean
der_is(const der_t *d, const guint8 *bytes, size_t n)
{
    return der_len(d) == n && memcmp(d->p, bytes, n) == 0;
}

/* An OBJECT IDENTIFIER's content: sub-identifiers of at most 4 octets, each
 * minimally encoded. */
static gboolean
oid_ok(const der_t *oid)
{
    size_t n = der_len(oid), run = 0;

    if (n == 0 || n > 32 || (oid->p[n - 1] & 0x80))
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        if (run == 0 && oid->p[i] == 0x80)
            return FALSE;
        if (oid->p[i] & 0x80) {
            if (++run >= 4)
                return FALSE;
        } else {
            run = 0;
        }
    }
    return TRUE;
}

/* AlgorithmIdentifier: { OID } or { OID, NULL }. */
static gboolean
alg_id_ok(der_t *d, der_t *tlv)
{
    der_t seq, oid, null;

    if (!der_get(d, 0x30, &seq, tlv) || !der_get(&seq, 0x06, &oid, NULL) || !oid_ok(&oid))
        return FALSE;
    if (der_at(&seq, 0x05) && (!der_get(&seq, 0x05, &null, NULL) || der_len(&null) != 0))
        return FALSE;
    return der_done(&seq);
}

static int
two_digits(const guint8 *p)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* UTCTime YYMMDDHHMMSSZ (years 1970-2049) or GeneralizedTime
 * YYYYMMDDHHMMSSZ (years 1970-9999), a real date. */
static gboolean
time_ok(der_t *d)
{
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    der_t t;
    const guint8 *p;
    int year, month, day;

    if (der_at(d, 0x17)) {
        if (!der_get(d, 0x17, &t, NULL) || der_len(&t) != 13)
            return FALSE;
        p = t.p;
        year = two_digits(p);
        if (year < 0 || (year >= 50 && year < 70))
            return FALSE;
        year += year < 50 ? 2000 : 1900;
        p += 2;
    } else {
        int hi, lo;
        if (!der_get(d, 0x18, &t, NULL) || der_len(&t) != 15)
            return FALSE;
        p = t.p;
        hi = two_digits(p);
        lo = two_digits(p + 2);
        if (hi < 0 || lo < 0)
            return FALSE;
        year = hi * 100 + lo;
        if (year < 1970)
            return FALSE;
        p += 4;
    }
    month = two_digits(p);
    day = two_digits(p + 2);
    if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1])
        return FALSE;
    if (month == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return FALSE;
    if (two_digits(p + 4) < 0 || two_digits(p + 4) > 23 || two_digits(p + 6) < 0 || two_digits(p + 6) > 59 ||
        two_digits(p + 8) < 0 || two_digits(p + 8) > 59 || p[10] != 'Z')
        return FALSE;
    return TRUE;
}

/* Attribute types the walk knows, by the last octet of 2.5.4.x. */
static const char *
attr_name(const der_t *oid)
{
    if (der_len(oid) != 3 || oid->p[0] != 0x55 || oid->p[1] != 0x04)
        return NULL;
    switch (oid->p[2]) {
    case 0x03: return "CN";
    case 0x06: return "C";
    case 0x07: return "L";
    case 0x08: return "ST";
    case 0x0a: return "O";
    case 0x0b: return "OU";
    default:   return NULL;
    }
}

/* A value GnuTLS prints as it is: no character RFC 4514 escapes, nothing
 * outside printable ASCII, no space at either end. */
static gboolean
value_ok(const der_t *v)
{
    size_t n = der_len(v);

    if (n == 0 || n > 128 || v->p[0] == ' ' || v->p[n - 1] == ' ')
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        guint8 c = v->p[i];
        if (!g_ascii_isalnum(c) && !strchr(" -._:/@()'", c))
            return FALSE;
        if (c == 0)
            return FALSE;
    }
    return TRUE;
}

#define NAME_MAX_RDNS 16

typedef struct {
    int n;
    const char *type[NAME_MAX_RDNS];
    der_t value[NAME_MAX_RDNS];
} name_t;

/* Name: a non-empty RDNSequence of single-valued RDNs. */
static gboolean
name_ok(der_t *d, name_t *name)
{
    der_t seq;

    name->n = 0;
    if (!der_get(d, 0x30, &seq, NULL) || der_done(&seq))
        return FALSE;
    while (!der_done(&seq)) {
        der_t set, atv, oid, value;
        const char *type;

        if (name->n == NAME_MAX_RDNS || !der_get(&seq, 0x31, &set, NULL) || !der_get(&set, 0x30, &atv, NULL) ||
            !der_done(&set) || !der_get(&atv, 0x06, &oid, NULL) || !(type = attr_name(&oid)))
            return FALSE;
        if (type[0] == 'C' && type[1] == '\0') {
            if (!der_get(&atv, 0x13, &value, NULL) || der_len(&value) != 2)
                return FALSE;
        } else if (!der_get(&atv, 0x13, &value, NULL) && !der_get(&atv, 0x0c, &value, NULL)) {
            return FALSE;
        }
        if (!der_done(&atv) || !value_ok(&value))
            return FALSE;
        name->type[name->n] = type;
        name->value[name->n] = value;
        name->n++;
    }
    return TRUE;
}

/* RFC 4514, as gnutls_x509_crt_get_dn3(.., 0): the last RDN first. */
static char *
name_format(const name_t *name, wmem_allocator_t *scope)
{
    size_t total = 1;
    char *out, *p;

    for (int i = 0; i < name->n; i++)
        total += strlen(name->type[i]) + 2 + der_len(&name->value[i]);
    p = out = (char *)wmem_alloc(scope, total);
    for (int i = name->n - 1; i >= 0; i--) {
        size_t tl = strlen(name->type[i]);
        memcpy(p, name->type[i], tl);
        p += tl;
        *p++ = '=';
        memcpy(p, name->value[i].p, der_len(&name->value[i]));
        p += der_len(&name->value[i]);
        if (i > 0)
            *p++ = ',';
    }
    *p = '\0';
    return out;
}

/* A positive INTEGER, minimally encoded, of at most max octets. */
static gboolean
positive_int_ok(der_t *d, der_t *value, size_t max)
{
    size_t n;

    if (!der_get(d, 0x02, value, NULL))
        return FALSE;
    n = der_len(value);
    if (n == 0 || n > max || (value->p[0] & 0x80))
        return FALSE;
    if (value->p[0] == 0 && (n == 1 || !(value->p[1] & 0x80)))
        return FALSE;   /* zero, or not minimal */
    return TRUE;
}

static gboolean
extensions_ok(der_t *d)
{
    der_t explicit, seq, oids[24];
    int n = 0;

    if (!der_get(d, 0xa3, &explicit, NULL) || !der_get(&explicit, 0x30, &seq, NULL) || !der_done(&explicit) ||
        der_done(&seq))
        return FALSE;
    while (!der_done(&seq)) {
        der_t ext, oid, b, value;
        static const guint8 san[] = { 0x55, 0x1d, 0x11 }, ian[] = { 0x55, 0x1d, 0x12 };

        if (!der_get(&seq, 0x30, &ext, NULL) || !der_get(&ext, 0x06, &oid, NULL) || !oid_ok(&oid))
            return FALSE;
        /* GnuTLS parses alternative names while importing */
        if (der_is(&oid, san, sizeof(san)) || der_is(&oid, ian, sizeof(ian)))
            return FALSE;
        /* GnuTLS refuses a certificate with an extension twice */
        if (n == (int)G_N_ELEMENTS(oids))
            return FALSE;
        for (int i = 0; i < n; i++)
            if (der_is(&oid, oids[i].p, der_len(&oids[i])))
                return FALSE;
        oids[n++] = oid;
        if (der_at(&ext, 0x01) && (!der_get(&ext, 0x01, &b, NULL) || der_len(&b) != 1 || b.p[0] != 0xff))
            return FALSE;
        if (!der_get(&ext, 0x04, &value, NULL) || !der_done(&ext))
            return FALSE;
    }
    return TRUE;
}

static gboolean
bit_string_ok(der_t *d, der_t *bits)
{
    return der_get(d, 0x03, bits, NULL) && der_len(bits) >= 2 && bits->p[0] == 0;
}

typedef struct {
    der_t serial;
    name_t issuer;
    name_t subject;
    der_t spki;      /* the whole SubjectPublicKeyInfo TLV */
} cert_walk_t;

static gboolean
cert_walk(const guint8 *der, size_t len, cert_walk_t *w)
{
    static const guint8 v3[] = { 0x02, 0x01, 0x02 };
    der_t all = { der, der + len }, cert, tbs, version, sig_tbs, sig_out, validity, spki, alg, bits;
    der_t spki_alg_oid, params;

    if (!der_get(&all, 0x30, &cert, NULL) || !der_done(&all) || !der_get(&cert, 0x30, &tbs, NULL))
        return FALSE;
    if (!der_get(&tbs, 0xa0, &version, NULL) || !der_is(&version, v3, sizeof(v3)))
        return FALSE;
    if (!positive_int_ok(&tbs, &w->serial, 20) || !alg_id_ok(&tbs, &sig_tbs) || !name_ok(&tbs, &w->issuer))
        return FALSE;
    if (!der_get(&tbs, 0x30, &validity, NULL) || !time_ok(&validity) || !time_ok(&validity) || !der_done(&validity))
        return FALSE;
    if (!name_ok(&tbs, &w->subject))
        return FALSE;
    /* SubjectPublicKeyInfo { { OID [, NULL or OID] }, BIT STRING } */
    if (!der_get(&tbs, 0x30, &spki, &w->spki) || !der_get(&spki, 0x30, &alg, NULL) ||
        !der_get(&alg, 0x06, &spki_alg_oid, NULL) || !oid_ok(&spki_alg_oid))
        return FALSE;
    if (der_at(&alg, 0x05)) {
        if (!der_get(&alg, 0x05, &params, NULL) || der_len(&params) != 0)
            return FALSE;
    } else if (der_at(&alg, 0x06)) {
        if (!der_get(&alg, 0x06, &params, NULL) || !oid_ok(&params))
            return FALSE;
    }
    if (!der_done(&alg) || !bit_string_ok(&spki, &bits) || !der_done(&spki))
        return FALSE;
    if (!der_done(&tbs) && !extensions_ok(&tbs))
        return FALSE;
    if (!der_done(&tbs))
        return FALSE;
    if (!alg_id_ok(&cert, &sig_out) || der_len(&sig_out) != der_len(&sig_tbs) ||
        memcmp(sig_out.p, sig_tbs.p, der_len(&sig_tbs)) != 0)
        return FALSE;
    return bit_string_ok(&cert, &bits) && der_done(&cert);
}

static guint
int_bits(const der_t *v)
{
    const guint8 *p = v->p;
    size_t n = der_len(v);
    guint bits;

    while (n > 0 && *p == 0) {
        p++;
        n--;
    }
    if (n == 0)
        return 0;
    bits = (guint)(n - 1) * 8;
    for (guint8 b = *p; b; b >>= 1)
        bits++;
    return bits;
}

const char *
cisco_spki_describe_fast(const guint8 *der, size_t len, wmem_allocator_t *scope)
{
    static const guint8 rsa_alg[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
    static const guint8 ec_oid[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
    static const struct {
        guint8 oid[8];
        size_t oid_len;
        size_t size;
        const char *name;
    } curves[] = {
        { { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, 8, 32, "EC P-256" },
        { { 0x2b, 0x81, 0x04, 0x00, 0x22 }, 5, 48, "EC P-384" },
        { { 0x2b, 0x81, 0x04, 0x00, 0x23 }, 5, 66, "EC P-521" },
    };
    der_t all = { der, der + len }, spki, alg, bits, oid, curve;

    if (!der_get(&all, 0x30, &spki, NULL) || !der_done(&all) || !der_get(&spki, 0x30, &alg, NULL) ||
        !bit_string_ok(&spki, &bits) || !der_done(&spki))
        return NULL;
    if (der_is(&alg, rsa_alg, sizeof(rsa_alg))) {
        /* RSAPublicKey { modulus, publicExponent } */
        der_t key = { bits.p + 1, bits.end }, seq, n, e;
        guint nbits;

        if (!der_get(&key, 0x30, &seq, NULL) || !der_done(&key) || !positive_int_ok(&seq, &n, 2049) ||
            !positive_int_ok(&seq, &e, 4) || !der_done(&seq))
            return NULL;
        nbits = int_bits(&n);
        if (nbits < 1024 || !(n.end[-1] & 1) || !(e.end[-1] & 1) || int_bits(&e) < 2)
            return NULL;
        return wmem_strdup_printf(scope, "RSA %u", nbits);
    }
    if (!der_get(&alg, 0x06, &oid, NULL) || !der_is(&oid, ec_oid, sizeof(ec_oid)) ||
        !der_get(&alg, 0x06, &curve, NULL) || !der_done(&alg))
        return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(curves); i++) {
        if (der_is(&curve, curves[i].oid, curves[i].oid_len)) {
            /* uncompressed point: 04 X Y */
            if (der_len(&bits) != 2 + 2 * curves[i].size || bits.p[1] != 0x04)
                return NULL;
            return wmem_strdup(scope, curves[i].name);
        }
    }
    return NULL;
}

gboolean
cisco_cert_parse_fast(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean full,
                      cisco_cert_info_t *info)
{
    cert_walk_t w;
    const der_t *cn = NULL;

    memset(info, 0, sizeof(*info));
    if (len == 0 || !cert_walk(der, len, &w))
        return FALSE;
    if (full) {
        info->key = cisco_spki_describe_fast(w.spki.p, der_len(&w.spki), scope);
        if (!info->key)
            return FALSE;
    }
    for (int i = 0; i < w.subject.n && !cn; i++)
        if (strcmp(w.subject.type[i], "CN") == 0)
            cn = &w.subject.value[i];
    if (cn)
        info->common_name = wmem_strndup(scope, (const char *)cn->p, der_len(cn));
    if (full || !cn)
        info->subject = name_format(&w.subject, scope);
    if (full)
        info->issuer = name_format(&w.issuer, scope);
    info->serial = cisco_hex(scope, w.serial.p, der_len(&w.serial), ':', TRUE);
    cisco_sha1(der, len, info->sha1);
    return TRUE;
}
