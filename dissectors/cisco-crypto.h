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

/* Parse a DER X.509 certificate.  Strings are allocated in scope.  Without
 * full, only common_name, serial and sha1 are filled in, plus subject when
 * there is no CN; issuer and key stay NULL.
 * Returns FALSE (and leaves info zeroed) when the DER does not parse. */
gboolean cisco_cert_parse(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean full,
                          cisco_cert_info_t *info);

/* Describe a DER SubjectPublicKeyInfo ("RSA 2048", "EC P-256").
 * Returns NULL when it does not parse.  *canonical tells whether GnuTLS
 * writes the key back as exactly these bytes (no stray algorithm
 * parameters, no non-minimal lengths). */
const char *cisco_spki_describe(const guint8 *der, size_t len, wmem_allocator_t *scope,
                                gboolean *canonical);

/* The two ways behind cisco_cert_parse() and cisco_spki_describe():
 * cisco-cert.c's strict DER walk, which answers FALSE / NULL for anything
 * outside the narrow class it knows GnuTLS reads the same way (the caller then
 * asks GnuTLS), and GnuTLS itself.  What the fast ones accept, they answer
 * exactly as GnuTLS does (tests/test-cert-parity.c). */
gboolean cisco_cert_parse_fast(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean full,
                               cisco_cert_info_t *info);
gboolean cisco_cert_parse_gnutls(const guint8 *der, size_t len, wmem_allocator_t *scope, gboolean full,
                                 cisco_cert_info_t *info);
/* Canonical RSA and uncompressed EC P-256/384/521 keys only (*canonical TRUE). */
const char *cisco_spki_describe_fast(const guint8 *der, size_t len, wmem_allocator_t *scope);
const char *cisco_spki_describe_gnutls(const guint8 *der, size_t len, wmem_allocator_t *scope,
                                       gboolean *canonical);

void cisco_sha1(const guint8 *data, size_t len, guint8 out[CISCO_SHA1_LEN]);

/* MD5, for the checksum line of "show itl" only. */
void cisco_md5(const guint8 *data, size_t len, guint8 out[16]);

/* Format bytes as "AB:CD:EF" (sep ':'), "AB CD EF" (sep ' ') or "abcdef" (sep 0). */
char *cisco_hex(wmem_allocator_t *scope, const guint8 *data, size_t len, char sep, gboolean upper);


typedef enum {
    CISCO_SIG_VALID = 0,
    CISCO_SIG_INVALID = 1,
    CISCO_SIG_SIGNER_NOT_FOUND = 2,
    CISCO_SIG_CANNOT_VERIFY = 3
} cisco_sig_status_t;

/* Hash ids used by Cisco's signed files and CAPF: 1 SHA-1, 2 SHA-256, 3 SHA-512. */
#define CISCO_HASH_SHA1     1
#define CISCO_HASH_SHA256   2
#define CISCO_HASH_SHA512   3

/* Length of the digest for a Cisco hash id, 0 if unknown. */
size_t cisco_hash_len(int hash_id);

/* Digest data with a Cisco hash id; FALSE if the id is unknown. */
gboolean cisco_hash(int hash_id, const guint8 *data, size_t len, guint8 *out);

/* Verify an RSA PKCS#1 v1.5 signature over data with the given Cisco hash id.
 * The key is taken from a DER certificate (cert, cert_len) or, when cert is
 * NULL, from a DER PKCS#1 RSAPublicKey (pkcs1, pkcs1_len).
 * Returns VALID, INVALID or CANNOT_VERIFY (unusable key or hash).
 * Results are remembered by a digest of all the inputs: the same file
 * verified again (a fleet fetching one ITLFile.tlv) costs a SHA-256. */
cisco_sig_status_t cisco_verify_rsa(int hash_id,
                                    const guint8 *cert, size_t cert_len,
                                    const guint8 *pkcs1, size_t pkcs1_len,
                                    const guint8 *data, size_t data_len,
                                    const guint8 *sig, size_t sig_len);

/* Verifications answered from memory, and done, since the process started. */
void cisco_verify_cache_stats(guint *hits, guint *misses);

#endif /* CISCO_CRYPTO_H */
