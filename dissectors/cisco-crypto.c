/* cisco-crypto.c
 * Certificate and public-key helpers shared by the CAPF and ITL/CTL
 * dissectors, on top of GnuTLS.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-crypto.h"

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

char *
cisco_hex(wmem_allocator_t *scope, const guint8 *data, size_t len, char sep, gboolean upper)
{
    static const char lower_digits[] = "0123456789abcdef";
    static const char upper_digits[] = "0123456789ABCDEF";
    const char *digits = upper ? upper_digits : lower_digits;
    size_t step = sep ? 3 : 2;
    char *out = (char *)wmem_alloc(scope, len ? len * step + 1 : 1);
    char *p = out;

    for (size_t i = 0; i < len; i++) {
        if (sep && i > 0)
            *p++ = sep;
        *p++ = digits[data[i] >> 4];
        *p++ = digits[data[i] & 0x0f];
    }
    *p = '\0';
    return out;
}

void
cisco_sha1(const guint8 *data, size_t len, guint8 out[CISCO_SHA1_LEN])
{
    if (gnutls_hash_fast(GNUTLS_DIG_SHA1, data, len, out) != 0)
        memset(out, 0, CISCO_SHA1_LEN);
}

void
cisco_md5(const guint8 *data, size_t len, guint8 out[16])
{
    if (gnutls_hash_fast(GNUTLS_DIG_MD5, data, len, out) != 0)
        memset(out, 0, 16);
}

static const char *
curve_name(gnutls_ecc_curve_t curve)
{
    switch (curve) {
    case GNUTLS_ECC_CURVE_SECP256R1: return "P-256";
    case GNUTLS_ECC_CURVE_SECP384R1: return "P-384";
    case GNUTLS_ECC_CURVE_SECP521R1: return "P-521";
    default: return gnutls_ecc_curve_get_name(curve);
    }
}

static const char *
describe_pubkey(gnutls_pubkey_t pub, wmem_allocator_t *scope)
{
    unsigned int bits = 0;
    int algo = gnutls_pubkey_get_pk_algorithm(pub, &bits);

    switch (algo) {
    case GNUTLS_PK_RSA:
        return wmem_strdup_printf(scope, "RSA %u", bits);
    case GNUTLS_PK_ECDSA: {
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
        if (gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) == 0) {
            const char *name = curve_name(curve);
            return wmem_strdup_printf(scope, "EC %s", name ? name : "unknown curve");
        }
        return wmem_strdup(scope, "EC");
    }
    default:
        if (algo < 0)
            return NULL;
        return wmem_strdup_printf(scope, "%s %u", gnutls_pk_get_name((gnutls_pk_algorithm_t)algo), bits);
    }
}

const char *
cisco_spki_describe(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean *canonical)
{
    const char *desc = cisco_spki_describe_fast(der, len, scope);

    /* what the walk accepts is exactly what GnuTLS writes back */
    *canonical = desc != NULL;
    return desc ? desc : cisco_spki_describe_gnutls(der, len, scope, canonical);
}

const char *
cisco_spki_describe_gnutls(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean *canonical)
{
    gnutls_pubkey_t pub;
    gnutls_datum_t datum = { (unsigned char *)der, (unsigned int)len };
    gnutls_datum_t again = { NULL, 0 };
    const char *desc = NULL;

    *canonical = FALSE;
    if (len == 0 || len > G_MAXUINT32 || gnutls_pubkey_init(&pub) != 0)
        return NULL;
    if (gnutls_pubkey_import(pub, &datum, GNUTLS_X509_FMT_DER) == 0) {
        desc = describe_pubkey(pub, scope);
        if (gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &again) == 0) {
            *canonical = again.size == len && memcmp(again.data, der, len) == 0;
            gnutls_free(again.data);
        }
    }
    gnutls_pubkey_deinit(pub);
    return desc;
}

static const char *
take_gnutls_string(gnutls_datum_t *d, wmem_allocator_t *scope)
{
    char *s = wmem_strndup(scope, (const char *)d->data, d->size);
    gnutls_free(d->data);
    d->data = NULL;
    return s;
}

gboolean
cisco_cert_parse(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean full, cisco_cert_info_t *info)
{
    return cisco_cert_parse_fast(der, len, scope, full, info) ||
           cisco_cert_parse_gnutls(der, len, scope, full, info);
}

gboolean
cisco_cert_parse_gnutls(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean full,
                        cisco_cert_info_t *info)
{
    gnutls_x509_crt_t crt;
    gnutls_datum_t datum = { (unsigned char *)der, (unsigned int)len };
    gnutls_datum_t dn = { NULL, 0 };
    guint8 serial[64];
    size_t serial_len = sizeof(serial);
    char cn[256];
    size_t cn_len = sizeof(cn);
    gboolean ok = FALSE;

    memset(info, 0, sizeof(*info));
    if (len == 0 || len > G_MAXUINT32 || gnutls_x509_crt_init(&crt) != 0)
        return FALSE;
    if (gnutls_x509_crt_import(crt, &datum, GNUTLS_X509_FMT_DER) != 0)
        goto out;

    if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cn_len) == 0)
        info->common_name = wmem_strndup(scope, cn, cn_len);
    /* Formatting the names and reading the key are most of the cost after
     * the import; without full, only what names the certificate when it has
     * no CN. */
    if ((full || !info->common_name) && gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0)
        info->subject = take_gnutls_string(&dn, scope);
    if (full && gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0)
        info->issuer = take_gnutls_string(&dn, scope);
    if (gnutls_x509_crt_get_serial(crt, serial, &serial_len) == 0)
        info->serial = cisco_hex(scope, serial, serial_len, ':', TRUE);

    gnutls_pubkey_t pub;
    if (full && gnutls_pubkey_init(&pub) == 0) {
        if (gnutls_pubkey_import_x509(pub, crt, 0) == 0)
            info->key = describe_pubkey(pub, scope);
        gnutls_pubkey_deinit(pub);
    }
    cisco_sha1(der, len, info->sha1);
    ok = TRUE;
out:
    gnutls_x509_crt_deinit(crt);
    return ok;
}

static gnutls_digest_algorithm_t
cisco_digest(int hash_id)
{
    switch (hash_id) {
    case CISCO_HASH_SHA1:   return GNUTLS_DIG_SHA1;
    case CISCO_HASH_SHA256: return GNUTLS_DIG_SHA256;
    case CISCO_HASH_SHA512: return GNUTLS_DIG_SHA512;
    default:                return GNUTLS_DIG_UNKNOWN;
    }
}

size_t
cisco_hash_len(int hash_id)
{
    gnutls_digest_algorithm_t dig = cisco_digest(hash_id);
    return dig == GNUTLS_DIG_UNKNOWN ? 0 : gnutls_hash_get_len(dig);
}

gboolean
cisco_hash(int hash_id, const guint8 *data, size_t len, guint8 *out)
{
    gnutls_digest_algorithm_t dig = cisco_digest(hash_id);
    return dig != GNUTLS_DIG_UNKNOWN && gnutls_hash_fast(dig, data, len, out) == 0;
}

/* DER length octets */
static size_t
der_put_len(guint8 *p, size_t len)
{
    if (len < 0x80) {
        p[0] = (guint8)len;
        return 1;
    }
    if (len < 0x100) {
        p[0] = 0x81;
        p[1] = (guint8)len;
        return 2;
    }
    p[0] = 0x82;
    p[1] = (guint8)(len >> 8);
    p[2] = (guint8)len;
    return 3;
}

/* Wrap a PKCS#1 RSAPublicKey in a SubjectPublicKeyInfo so GnuTLS can import
 * it: SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { 00 key } } */
static guint8 *
rsa_pkcs1_to_spki(const guint8 *pkcs1, size_t len, size_t *out_len)
{
    static const guint8 alg_id[] = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    guint8 bitstr_len[3], seq_len[3];
    size_t nb, ns, bit_total, inner;
    guint8 *out, *p;

    if (len == 0 || len > 0xff00)
        return NULL;
    nb = der_put_len(bitstr_len, len + 1);
    bit_total = 1 + nb + len + 1;
    inner = sizeof(alg_id) + bit_total;
    if (inner > 0xffff)
        return NULL;
    ns = der_put_len(seq_len, inner);
    *out_len = 1 + ns + inner;
    p = out = (guint8 *)g_malloc(*out_len);
    *p++ = 0x30;
    memcpy(p, seq_len, ns); p += ns;
    memcpy(p, alg_id, sizeof(alg_id)); p += sizeof(alg_id);
    *p++ = 0x03;
    memcpy(p, bitstr_len, nb); p += nb;
    *p++ = 0x00;
    memcpy(p, pkcs1, len);
    return out;
}

static cisco_sig_status_t
verify_rsa(int hash_id, const guint8 *cert, size_t cert_len, const guint8 *pkcs1, size_t pkcs1_len,
           const guint8 *data, size_t data_len, const guint8 *sig, size_t sig_len)
{
    gnutls_sign_algorithm_t algo;
    gnutls_pubkey_t pub;
    gnutls_datum_t d_data = { (unsigned char *)data, (unsigned int)data_len };
    gnutls_datum_t d_sig = { (unsigned char *)sig, (unsigned int)sig_len };
    cisco_sig_status_t status = CISCO_SIG_CANNOT_VERIFY;
    int ret = -1;

    switch (hash_id) {
    case CISCO_HASH_SHA1:   algo = GNUTLS_SIGN_RSA_SHA1; break;
    case CISCO_HASH_SHA256: algo = GNUTLS_SIGN_RSA_SHA256; break;
    case CISCO_HASH_SHA512: algo = GNUTLS_SIGN_RSA_SHA512; break;
    default: return CISCO_SIG_CANNOT_VERIFY;
    }
    if (data_len > G_MAXUINT32 || sig_len == 0 || sig_len > G_MAXUINT32 || gnutls_pubkey_init(&pub) != 0)
        return CISCO_SIG_CANNOT_VERIFY;

    if (cert) {
        gnutls_datum_t d_cert = { (unsigned char *)cert, (unsigned int)cert_len };
        ret = gnutls_pubkey_import_x509_raw(pub, &d_cert, GNUTLS_X509_FMT_DER, 0);
    } else if (pkcs1) {
        size_t spki_len = 0;
        guint8 *spki = rsa_pkcs1_to_spki(pkcs1, pkcs1_len, &spki_len);
        if (spki) {
            gnutls_datum_t d_spki = { spki, (unsigned int)spki_len };
            ret = gnutls_pubkey_import(pub, &d_spki, GNUTLS_X509_FMT_DER);
            g_free(spki);
        }
    }
    if (ret == 0 && gnutls_pubkey_get_pk_algorithm(pub, NULL) == GNUTLS_PK_RSA) {
        /* SHA-1 is what phones and CUCM use; do not let a system policy
         * that distrusts it turn a valid file into an "invalid" one. */
        ret = gnutls_pubkey_verify_data2(pub, algo, GNUTLS_VERIFY_ALLOW_BROKEN, &d_data, &d_sig);
        if (ret >= 0)
            status = CISCO_SIG_VALID;
        else if (ret == GNUTLS_E_PK_SIG_VERIFY_FAILED)
            status = CISCO_SIG_INVALID;
    }
    gnutls_pubkey_deinit(pub);
    return status;
}

/* Verification results, by content.  A fleet fetches the same trust list
 * thousands of times, and importing the signer's certificate and the RSA
 * operation were the plugin's largest own cost in a one-pass run
 * (scripts/bench: about 650,000 instructions a file).  The result depends on
 * nothing but the inputs, so it is kept under a SHA-256 digest of all of them
 * (each preceded by its length, so no two input sets share a digest input).
 * Bounded: the table is emptied when it is full. */
#define VERIFY_CACHE_MAX  4096

static GHashTable *verify_cache;    /* digest (32 bytes, owned) -> status + 1 */
static guint verify_cache_hits, verify_cache_misses;

static guint
digest_hash(gconstpointer key)
{
    guint h;

    memcpy(&h, key, sizeof(h));     /* a SHA-256 digest is uniform already */
    return h;
}

static gboolean
digest_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 32) == 0;
}

static void
digest_part(gnutls_hash_hd_t hd, const guint8 *part, size_t len)
{
    guint64 n = part ? (guint64)len : G_MAXUINT64;  /* absent differs from empty */

    gnutls_hash(hd, &n, sizeof(n));
    if (part && len)
        gnutls_hash(hd, part, len);
}

cisco_sig_status_t
cisco_verify_rsa(int hash_id, const guint8 *cert, size_t cert_len, const guint8 *pkcs1, size_t pkcs1_len,
                 const guint8 *data, size_t data_len, const guint8 *sig, size_t sig_len)
{
    gnutls_hash_hd_t hd;
    guint8 key[32];
    gint32 id = hash_id;
    gpointer found;
    cisco_sig_status_t status;

    if (gnutls_hash_get_len(GNUTLS_DIG_SHA256) != sizeof(key) || gnutls_hash_init(&hd, GNUTLS_DIG_SHA256) != 0)
        return verify_rsa(hash_id, cert, cert_len, pkcs1, pkcs1_len, data, data_len, sig, sig_len);
    gnutls_hash(hd, &id, sizeof(id));
    digest_part(hd, cert, cert_len);
    digest_part(hd, cert ? NULL : pkcs1, pkcs1_len);  /* the key in use: cert wins */
    digest_part(hd, data, data_len);
    digest_part(hd, sig, sig_len);
    gnutls_hash_deinit(hd, key);

    if (!verify_cache)
        verify_cache = g_hash_table_new_full(digest_hash, digest_equal, g_free, NULL);
    found = g_hash_table_lookup(verify_cache, key);
    if (found) {
        verify_cache_hits++;
        return (cisco_sig_status_t)(GPOINTER_TO_INT(found) - 1);
    }
    verify_cache_misses++;
    status = verify_rsa(hash_id, cert, cert_len, pkcs1, pkcs1_len, data, data_len, sig, sig_len);
    if (g_hash_table_size(verify_cache) >= VERIFY_CACHE_MAX)
        g_hash_table_remove_all(verify_cache);
    g_hash_table_insert(verify_cache, g_memdup2(key, sizeof(key)), GINT_TO_POINTER((int)status + 1));
    return status;
}

void
cisco_verify_cache_stats(guint *hits, guint *misses)
{
    *hits = verify_cache_hits;
    *misses = verify_cache_misses;
}
