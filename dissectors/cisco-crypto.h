/* cisco-crypto.h
 * Certificate and public-key helpers shared by the CAPF and ITL/CTL
 * dissectors.  Thin wrappers over GnuTLS (which libwireshark links already):
 * no ASN.1 or crypto of our own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CISCO_CRYPTO_H
#define CISCO_CRYPTO_H

#include <wireshark.h>
#include <epan/wmem_scopes.h>

#define CISCO_SHA1_LEN 20

typedef struct {
    const char *subject;      /* RFC 4514 distinguished name */
    const char *common_name;  /* CN attribute, NULL if none */
    const char *issuer;       /* RFC 4514 distinguished name */
    const char *serial;       /* colon-separated upper-case hex */
    const char *key;          /* "RSA 2048", "EC P-256", ... or NULL */
    guint8 sha1[CISCO_SHA1_LEN];  /* SHA-1 of the DER encoding */
} cisco_cert_info_t;

/* Parse a DER X.509 certificate.  Strings are allocated in scope.
 * Returns FALSE (and leaves info zeroed) when the DER does not parse. */
gboolean cisco_cert_parse(const guint8 *der, size_t len, wmem_allocator_t *scope,
                          cisco_cert_info_t *info);

/* Describe a DER SubjectPublicKeyInfo ("RSA 2048", "EC P-256").
 * Returns NULL when it does not parse. */
const char *cisco_spki_describe(const guint8 *der, size_t len, wmem_allocator_t *scope);

void cisco_sha1(const guint8 *data, size_t len, guint8 out[CISCO_SHA1_LEN]);

/* Format bytes as "AB:CD:EF" (sep ':'), "AB CD EF" (sep ' ') or "abcdef" (sep 0). */
char *cisco_hex(wmem_allocator_t *scope, const guint8 *data, size_t len, char sep, gboolean upper);

#endif /* CISCO_CRYPTO_H */
