/* cisco-tlv.h
 * Reading Cisco's signed TLV files (ITLFile.tlv, CTLFile.tlv and the .sgn
 * header), checking their signature, and printing them the way CUCM's
 * "show itl" / "show ctl" does.  No protocol tree here: the ITL/CTL
 * dissector builds its tree from what cisco_tlv_parse() found, and the
 * itl-show command-line program prints the same model, so both read files
 * with the same code.  See doc/protocol.md section 3.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CISCO_TLV_H
#define CISCO_TLV_H

#include <wireshark.h>
#include <epan/wmem_scopes.h>

#include "ws-compat.h"      /* value_string (its header moved in 4.6) */

#include "cisco-crypto.h"

#define CISCO_TLV_HDR_LEN   3

/* Header tags */
#define CISCO_TLV_H_VERSION               1
#define CISCO_TLV_H_HEADER_LENGTH         2
#define CISCO_TLV_H_SIGNER_INFO           3
#define CISCO_TLV_H_SIGNER_NAME           4
#define CISCO_TLV_H_SERIAL_NUMBER         5
#define CISCO_TLV_H_ISSUER_NAME           6
#define CISCO_TLV_H_SIGNATURE_INFO        7
#define CISCO_TLV_H_DIGEST_ALGORITHM      8
#define CISCO_TLV_H_SIG_ALGORITHM_INFO    9
#define CISCO_TLV_H_SIGNATURE_ALGORITHM   10
#define CISCO_TLV_H_SIGNATURE_MODULUS     11
#define CISCO_TLV_H_SIGNATURE             12
#define CISCO_TLV_H_PADDING               13
#define CISCO_TLV_H_FILENAME              14
#define CISCO_TLV_H_TIMESTAMP             15
#define CISCO_TLV_H_ENCRYPTION_INFO       16  /* .enc.sgn containers: 16, 17, 21 */
#define CISCO_TLV_H_IV_INFO               17
#define CISCO_TLV_H_KEY_INFO              21
#define CISCO_TLV_H_LAST_ENC_TAG          27
#define CISCO_TLV_H_SIGNER_VERSION        28

/* Record tags */
#define CISCO_TLV_R_RECORD_LENGTH     1
#define CISCO_TLV_R_DNS_NAME          2
#define CISCO_TLV_R_SUBJECT_NAME      3
#define CISCO_TLV_R_FUNCTION          4
#define CISCO_TLV_R_ISSUER_NAME       5
#define CISCO_TLV_R_SERIAL_NUMBER     6
#define CISCO_TLV_R_PUBLIC_KEY        7
#define CISCO_TLV_R_SIGNATURE         8
#define CISCO_TLV_R_CERTIFICATE       9
#define CISCO_TLV_R_IP_ADDRESS        10
#define CISCO_TLV_R_CERT_HASH         11
#define CISCO_TLV_R_HASH_ALGORITHM    12

#define CISCO_TLV_ROLE_SAST   0
#define CISCO_TLV_ROLE_CAPF   4

/* Containers at this depth are not opened (real files nest 2 deep). */
#define CISCO_TLV_MAX_DEPTH   8

extern const value_string cisco_tlv_header_tag_vals[];
extern const value_string cisco_tlv_record_tag_vals[];
extern const value_string cisco_tlv_function_vals[];   /* as CUCM prints them */
extern const value_string cisco_tlv_hash_vals[];
extern const value_string cisco_tlv_signature_algorithm_vals[];
extern const value_string cisco_tlv_modulus_vals[];
extern const value_string cisco_tlv_sig_status_vals[];

typedef struct {
    guint offset;
    guint len;
} cisco_span_t;

/* One TLV (or a run of header padding bytes), in file order.  Container
 * values are the items that follow with depth + 1. */
typedef struct {
    guint8 tag;
    guint8 depth;
    gboolean padding;           /* run of 0x0D bytes at [offset, offset + len) */
    gboolean container;
    gint record;                /* -1 header, else 0-based record index */
    guint offset;               /* tag byte */
    guint declared_len;         /* the length field */
    cisco_span_t value;         /* what the file holds of the value */
} cisco_tlv_item_t;

typedef struct {
    cisco_span_t span;          /* the record, cut to the file */
    guint declared_len;         /* RECORD_LENGTH; 0 when the record has none */
    gboolean valid;             /* starts with a RECORD_LENGTH TLV */
    guint first_item;           /* its TLVs: items[first_item, first_item + n_items) */
    guint n_items;
    gint function;              /* -1 when absent */
    const char *dns_name;       /* NULL when absent */
    const char *subject;
    const char *issuer;
    cisco_span_t serial;
    cisco_span_t public_key;
    cisco_span_t signature;
    cisco_span_t certificate;
    cisco_span_t cert_hash;
    gint cert_hash_item;        /* item index of CERTIFICATE_HASH, -1 */
    gint hash_algorithm;        /* -1 when absent */
    gboolean have_cert_sha1;
    guint8 cert_sha1[CISCO_SHA1_LEN];
    gboolean signed_file;       /* this SAST record is the file's signer */
} cisco_tlv_record_t;

typedef enum {
    CISCO_TLV_TRUNCATED,        /* a length runs past the end */
    CISCO_TLV_UNKNOWN_TAG,
    CISCO_TLV_BAD_LENGTH,       /* a value of the wrong size for its tag */
    CISCO_TLV_UNKNOWN_FUNCTION,
    CISCO_TLV_CERT_HASH_MISMATCH,
    CISCO_TLV_TOO_DEEP          /* containers nested deeper than CISCO_TLV_MAX_DEPTH */
} cisco_tlv_problem_kind_t;

/* What is wrong, and where: on an item (item >= 0), else on a record
 * (record >= 0), else on the header (header == TRUE), else on the bytes
 * at span. */
typedef struct {
    cisco_tlv_problem_kind_t kind;
    gint item;
    gint record;
    gboolean header;
    cisco_span_t span;
    const char *text;           /* short: an expert's text */
    const char *detail;         /* or NULL: shown after the text, in parentheses */
} cisco_tlv_problem_t;

typedef struct {
    const guint8 *data;         /* not owned; must outlive the model */
    guint len;                  /* bytes available */
    gboolean signed_file;       /* .sgn header + payload, no records */

    guint header_length;        /* as the file says */
    guint header_end;           /* where the header really ends */
    gint version_major, version_minor;  /* -1 when absent */
    gint signer_version_major, signer_version_minor;
    const char *signer_name;
    const char *issuer;         /* of the signer */
    cisco_span_t serial;        /* of the signer */
    gint digest;                /* Cisco hash id, -1 */
    gint signature_algorithm;
    gint modulus;
    cisco_span_t signature_tlv; /* tag, length and value */
    cisco_span_t signature;
    const char *filename;       /* header FILENAME, NULL when absent or empty */
    gboolean have_timestamp;
    guint32 timestamp;
    cisco_span_t payload;       /* .sgn: the signed file */

    wmem_array_t *items;        /* cisco_tlv_item_t */
    wmem_array_t *records;      /* cisco_tlv_record_t */
    wmem_array_t *problems;     /* cisco_tlv_problem_t */
    gboolean truncated;
    gboolean have_capf;
    guint signer_record;        /* 1-based; 0 = none */
    cisco_sig_status_t status;
} cisco_tlv_file_t;

/* Does this look like the start of a signed TLV file (VERSION and
 * HEADER_LENGTH TLVs, a header length that fits in reported_len)? */
gboolean cisco_tlv_plausible(const guint8 *data, guint len, guint reported_len);

/* Is this the name of a .sgn / .sha512 signed file? */
gboolean cisco_tlv_is_signed_file_name(const char *name);

/* A NUL-terminated (or not) ASCII value as a string in scope; bytes outside
 * printable ASCII become '.', so that nothing a file holds reaches a terminal
 * as is. */
const char *cisco_tlv_printable(wmem_allocator_t *scope, const guint8 *p, guint len);

/* The Cisco hash id (CISCO_HASH_*) of a record's stored CERTIFICATE_HASH: its
 * HASH_ALGORITHM when that is a known id (CUCM prints the algorithm as
 * "null"), else by the hash's length (20, 32, 64 bytes); 0 when neither
 * tells: such a hash cannot be compared with anything. */
gint cisco_tlv_cert_hash_id(const cisco_tlv_record_t *r);

/* Read a whole file.  reported_len > len means the tail is missing (a cut
 * capture), and the signature is then not checked.  name (the transfer's
 * or file's name, may be NULL; else the header FILENAME) tells a .sgn file,
 * whose header is followed by the signed file instead of records.
 * Everything is allocated in scope. */
cisco_tlv_file_t *cisco_tlv_parse(wmem_allocator_t *scope, const guint8 *data, guint len, guint reported_len,
                                  const char *name);

/* Check the file's signature (everything but the SIGNATURE TLV, PKCS#1 v1.5
 * with the header's digest) with a key from elsewhere: a DER certificate, or
 * when cert is NULL a PKCS#1 RSAPublicKey.  For a .sgn file, whose signer is
 * a record of a trust list.  CANNOT_VERIFY for a cut file or no signature. */
cisco_sig_status_t cisco_tlv_verify_with(wmem_allocator_t *scope, const cisco_tlv_file_t *f, guint reported_len,
                                         const guint8 *cert, size_t cert_len, const guint8 *pkcs1,
                                         size_t pkcs1_len);

static inline const cisco_tlv_item_t *
cisco_tlv_item(const cisco_tlv_file_t *f, guint i)
{
    return (const cisco_tlv_item_t *)wmem_array_index(f->items, i);
}

static inline const cisco_tlv_record_t *
cisco_tlv_record(const cisco_tlv_file_t *f, guint i)
{
    return (const cisco_tlv_record_t *)wmem_array_index(f->records, i);
}

static inline const cisco_tlv_problem_t *
cisco_tlv_problem(const cisco_tlv_file_t *f, guint i)
{
    return (const cisco_tlv_problem_t *)wmem_array_index(f->problems, i);
}

/* "ITL" or "CTL": from the header FILENAME, else from name. */
const char *cisco_tlv_kind(const cisco_tlv_file_t *f, const char *name);

/* Append the file as CUCM's "show itl" / "show ctl" prints it, followed by
 * the problems found and the verdict line.  name as for cisco_tlv_kind(). */
void cisco_tlv_show(GString *out, const cisco_tlv_file_t *f, const char *name);

#endif /* CISCO_TLV_H */
