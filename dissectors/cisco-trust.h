/* cisco-trust.h
 * What the ITL/CTL dissector learned about CAPF certificates, for the CAPF
 * dissector's certificate-mismatch verdict: the CAPF records of every trust
 * list seen in the capture, in frame order.
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

typedef struct {
    guint32 frame;              /* frame that completed the trust list */
    address phone;              /* who received it */
    const char *name;           /* file name */
    wmem_array_t *capf;         /* cisco_capf_record_t */
} cisco_trust_list_t;

/* Every protocol that adds or reads trust lists calls this from its
 * proto_register routine: the registry then empties itself before each
 * dissection of a capture (its init routine, registered once). */
void cisco_trust_register(void);

/* First pass: a trust list received by `phone` in `frame`; returns the entry
 * to which its CAPF records are added with cisco_trust_add_capf(). */
cisco_trust_list_t *cisco_trust_add_list(guint32 frame, const address *phone, const char *name);
void cisco_trust_add_capf(cisco_trust_list_t *list, const cisco_capf_record_t *rec);

/* The last trust list with CAPF records seen before `frame`, preferring one
 * received by `phone`; NULL if none. */
const cisco_trust_list_t *cisco_trust_latest(guint32 frame, const address *phone);

/* Does the DER certificate match one of the list's CAPF records (by
 * certificate SHA-1, or by the stored hash)? */
gboolean cisco_trust_matches(const cisco_trust_list_t *list, const guint8 *der, size_t len);

/* How the list's first CAPF record identifies its certificate, for messages. */
const char *cisco_trust_describe(const cisco_trust_list_t *list, wmem_allocator_t *scope);

#endif /* CISCO_TRUST_H */
