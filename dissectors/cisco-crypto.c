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
cisco_spki_describe(const guint8 *der, size_t len, wmem_allocator_t *scope)
{
    gnutls_pubkey_t pub;
    gnutls_datum_t datum = { (unsigned char *)der, (unsigned int)len };
    const char *desc = NULL;

    if (len == 0 || len > G_MAXUINT32 || gnutls_pubkey_init(&pub) != 0)
        return NULL;
    if (gnutls_pubkey_import(pub, &datum, GNUTLS_X509_FMT_DER) == 0)
        desc = describe_pubkey(pub, scope);
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
cisco_cert_parse(const guint8 *der, size_t len, wmem_allocator_t *scope, cisco_cert_info_t *info)
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

    if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0)
        info->subject = take_gnutls_string(&dn, scope);
    if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0)
        info->issuer = take_gnutls_string(&dn, scope);
    if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cn_len) == 0)
        info->common_name = wmem_strndup(scope, cn, cn_len);
    if (gnutls_x509_crt_get_serial(crt, serial, &serial_len) == 0)
        info->serial = cisco_hex(scope, serial, serial_len, ':', TRUE);

    gnutls_pubkey_t pub;
    if (gnutls_pubkey_init(&pub) == 0) {
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
