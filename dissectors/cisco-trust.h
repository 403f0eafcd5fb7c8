/* cisco-trust.h
 * What the ITL/CTL dissector learned from the trust lists of the capture, in
 * frame order: their CAPF records, for the CAPF dissector's
 * certificate-mismatch verdict and the configuration's CAPF check; and the
 * certificates of all their records, for checking the signer of a .sgn file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CISCO_TRUST_H
#define CISCO_TRUST_H

#include <wireshark.h>
#include <epan/address.h>
#include <epan/wmem_scopes.h>

#include "cisco-crypto.h"

typedef struct {
    gboolean have_cert;
    guint8 cert_sha1[CISCO_SHA1_LEN];   /* SHA-1 of the record's certificate */
    int hash_id;                        /* CERTIFICATE_HASH algorithm, 0 if none */
    guint8 hash[64];
    size_t hash_len;
} cisco_capf_record_t;

/* A record of a trust list that can sign something: its certificate or public
 * key, and how a .sgn header names it (serial number, issuer).  Everything in
 * file scope. */
typedef struct {
    guint record;               /* 1-based record number in the list */
    gint function;              /* role, -1 when absent */
    const char *subject;        /* SUBJECT_NAME, may be NULL */
    const char *issuer;         /* ISSUER_NAME, may be NULL */
    const guint8 *serial;
    size_t serial_len;
    const guint8 *cert;         /* DER certificate, NULL when the record has none */
    size_t cert_len;
    const guint8 *pkcs1;        /* PUBLIC_KEY (PKCS#1 RSAPublicKey), NULL when absent */
    size_t pkcs1_len;
} cisco_trust_cert_t;

typedef struct {
    guint32 frame;              /* frame that completed the trust list */
    address phone;              /* who received it */
    const char *name;           /* file name */
    wmem_array_t *capf;         /* cisco_capf_record_t */
    wmem_array_t *certs;        /* cisco_trust_cert_t: records with a serial and a key */
} cisco_trust_list_t;

/* Every protocol that adds or reads trust lists calls this from its
 * proto_register routine: the registry then empties itself before each
 * dissection of a capture (its init routine, registered once). */
void cisco_trust_register(void);

/* First pass: a trust list received by `phone` in `frame`; returns the entry
 * to which its CAPF records are added with cisco_trust_add_capf() and its
 * signing-capable records with cisco_trust_add_cert() (which copies the
 * bytes into file scope). */
cisco_trust_list_t *cisco_trust_add_list(guint32 frame, const address *phone, const char *name);
void cisco_trust_add_capf(cisco_trust_list_t *list, const cisco_capf_record_t *rec);
void cisco_trust_add_cert(cisco_trust_list_t *list, const cisco_trust_cert_t *cert);

/* The last trust list with CAPF records seen before `frame`, preferring one
 * received by `phone`; NULL if none. */
const cisco_trust_list_t *cisco_trust_latest(guint32 frame, const address *phone);

/* The last trust list of any kind seen before `frame`, preferring one received
 * by `phone` (*same_phone tells which, may be NULL); NULL if none. */
const cisco_trust_list_t *cisco_trust_latest_any(guint32 frame, const address *phone, gboolean *same_phone);

/* Is there a CAPF record in the trust lists `phone` received before `frame`
 * (else, when it received none, in any trust list of the capture)?
 * 1 yes, 0 no (*latest = the newest list looked at), -1 no trust list seen. */
gint cisco_trust_has_capf(guint32 frame, const address *phone, const cisco_trust_list_t **latest);

/* The signer a .sgn header names (serial number, issuer name; the issuer is
 * compared by its attributes, so "CN=a;OU=b" and "OU=b,CN=a" are the same),
 * in the trust lists `phone` received before `frame`, newest first (else, when
 * it received none, in all trust lists of the capture).  Returns the record
 * and sets *list to the list that holds it; NULL when no list holds it, with
 * *list the newest list looked at (NULL when there was none). */
const cisco_trust_cert_t *cisco_trust_find_signer(guint32 frame, const address *phone, const guint8 *serial,
                                                  size_t serial_len, const char *issuer,
                                                  const cisco_trust_list_t **list);

/* Does the DER certificate match one of the list's CAPF records (by
 * certificate SHA-1, or by the stored hash)? */
gboolean cisco_trust_matches(const cisco_trust_list_t *list, const guint8 *der, size_t len);

/* How the list's first CAPF record identifies its certificate, for messages. */
const char *cisco_trust_describe(const cisco_trust_list_t *list, wmem_allocator_t *scope);

#endif /* CISCO_TRUST_H */
