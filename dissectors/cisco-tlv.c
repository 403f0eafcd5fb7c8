/* cisco-tlv.c
 * Reading and verifying Cisco's signed TLV files (ITL, CTL, .sgn); printing
 * them as CUCM's "show itl" does is cisco-tlv-show.c.  Shared by the ITL/CTL
 * dissector and the itl-show program.  The format: doc/protocol.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-tlv.h"
#include "ws-compat.h"

#include <stdio.h>
#include <string.h>

const value_string cisco_tlv_header_tag_vals[] = {
    { CISCO_TLV_H_VERSION,             "VERSION" },
    { CISCO_TLV_H_HEADER_LENGTH,       "HEADER_LENGTH" },
    { CISCO_TLV_H_SIGNER_INFO,         "SIGNER_INFO" },
    { CISCO_TLV_H_SIGNER_NAME,         "SIGNER_NAME" },
    { CISCO_TLV_H_SERIAL_NUMBER,       "SERIAL_NUMBER" },
    { CISCO_TLV_H_ISSUER_NAME,         "ISSUER_NAME" },
    { CISCO_TLV_H_SIGNATURE_INFO,      "SIGNATURE_INFO" },
    { CISCO_TLV_H_DIGEST_ALGORITHM,    "DIGEST_ALGORITHM" },
    { CISCO_TLV_H_SIG_ALGORITHM_INFO,  "SIGNATURE_ALGORITHM_INFO" },
    { CISCO_TLV_H_SIGNATURE_ALGORITHM, "SIGNATURE_ALGORITHM" },
    { CISCO_TLV_H_SIGNATURE_MODULUS,   "SIGNATURE_MODULUS" },
    { CISCO_TLV_H_SIGNATURE,           "SIGNATURE" },
    { CISCO_TLV_H_PADDING,             "PADDING" },
    { CISCO_TLV_H_FILENAME,            "FILENAME" },
    { CISCO_TLV_H_TIMESTAMP,           "TIMESTAMP" },
    { 16,                              "ENCRYPTION_INFO" },
    { 17,                              "IV_INFO" },
    { 18,                              "IV_UNKNOWN" },
    { 19,                              "IV" },
    { 20,                              "PADDING_COUNT" },
    { 21,                              "KEY_INFO" },
    { 22,                              "KEY_UNKNOWN" },
    { 23,                              "KEY_SIZE" },
    { 24,                              "KEY_ALGORITHM" },
    { 25,                              "ENCRYPTED_KEY" },
    { 26,                              "PLAINTEXT_HASH_ALGORITHM" },
    { 27,                              "PLAINTEXT_HASH" },
    { CISCO_TLV_H_SIGNER_VERSION,      "SIGNER_VERSION" },
    { 0, NULL }
};

const value_string cisco_tlv_record_tag_vals[] = {
    { CISCO_TLV_R_RECORD_LENGTH,  "RECORD_LENGTH" },
    { CISCO_TLV_R_DNS_NAME,       "DNS_NAME" },
    { CISCO_TLV_R_SUBJECT_NAME,   "SUBJECT_NAME" },
    { CISCO_TLV_R_FUNCTION,       "FUNCTION" },
    { CISCO_TLV_R_ISSUER_NAME,    "ISSUER_NAME" },
    { CISCO_TLV_R_SERIAL_NUMBER,  "SERIAL_NUMBER" },
    { CISCO_TLV_R_PUBLIC_KEY,     "PUBLIC_KEY" },
    { CISCO_TLV_R_SIGNATURE,      "SIGNATURE" },
    { CISCO_TLV_R_CERTIFICATE,    "CERTIFICATE" },
    { CISCO_TLV_R_IP_ADDRESS,     "IP_ADDRESS" },
    { CISCO_TLV_R_CERT_HASH,      "CERTIFICATE_HASH" },
    { CISCO_TLV_R_HASH_ALGORITHM, "HASH_ALGORITHM" },
    { 0, NULL }
};

/* Names as CUCM's "show itl" / "show ctl" print them. */
const value_string cisco_tlv_function_vals[] = {
    { CISCO_TLV_ROLE_SAST, "System Administrator Security Token" },
    { 1,                   "CCM" },
    { 2,                   "CCM+TFTP" },
    { 3,                   "TFTP" },
    { CISCO_TLV_ROLE_CAPF, "CAPF" },
    { 7,                   "APP-SERVER" },
    { 21,                  "TVS" },
    { 0, NULL }
};

const value_string cisco_tlv_hash_vals[] = {
    { CISCO_HASH_SHA1,   "SHA-1" },
    { CISCO_HASH_SHA256, "SHA-256" },
    { CISCO_HASH_SHA512, "SHA-512" },
    { 0, NULL }
};

const value_string cisco_tlv_signature_algorithm_vals[] = {
    { 0, "RSA" },
    { 0, NULL }
};

const value_string cisco_tlv_modulus_vals[] = {
    { 0, "512 bits" },
    { 1, "1024 bits" },
    { 2, "2048 bits" },
    { 3, "4096 bits" },
    { 0, NULL }
};

const value_string cisco_tlv_sig_status_vals[] = {
    { CISCO_SIG_VALID,            "valid" },
    { CISCO_SIG_INVALID,          "invalid" },
    { CISCO_SIG_SIGNER_NOT_FOUND, "signer not in file" },
    { CISCO_SIG_CANNOT_VERIFY,    "cannot verify" },
    { 0, NULL }
};

/* ------------------------------------------------------------------ */
/* Reading                                                             */

typedef struct {
    wmem_allocator_t *scope;
    cisco_tlv_file_t *f;
} tlv_reader_t;

static guint
get_u16(const guint8 *p)
{
    return ((guint)p[0] << 8) | p[1];
}

static guint
span_end(cisco_span_t s)
{
    return s.offset + s.len;
}

gboolean
cisco_tlv_is_signed_file_name(const char *name)
{
    return name && (g_str_has_suffix(name, ".sgn") || g_str_has_suffix(name, ".sha512"));
}

/* VERSION 01 00 02 mm nn, HEADER_LENGTH 02 00 02 hh ll */
gboolean
cisco_tlv_plausible(const guint8 *data, guint len, guint reported_len)
{
    guint header_length;

    if (len < 10)
        return FALSE;
    if (data[0] != 1 || get_u16(data + 1) != 2 || data[5] != 2 || get_u16(data + 6) != 2)
        return FALSE;
    header_length = get_u16(data + 8);
    return header_length >= 10 && header_length <= reported_len;
}

static void G_GNUC_PRINTF(7, 8)
add_problem(tlv_reader_t *rd, cisco_tlv_problem_kind_t kind, gint item, gint record, gboolean header,
            cisco_span_t span, const char *fmt, ...)
{
    cisco_tlv_problem_t p;
    va_list ap;

    p.kind = kind;
    p.item = item;
    p.record = record;
    p.header = header;
    p.span = span;
    p.detail = NULL;
    va_start(ap, fmt);
    p.text = wmem_strdup_vprintf(rd->scope, fmt, ap);
    va_end(ap);
    wmem_array_append_one(rd->f->problems, p);
    if (kind == CISCO_TLV_TRUNCATED)
        rd->f->truncated = TRUE;
}

/* A NUL-terminated (or not) ASCII value; bytes outside printable ASCII
 * become '.', so that nothing a file holds reaches a terminal as is. */
const char *
cisco_tlv_printable(wmem_allocator_t *scope, const guint8 *p, guint len)
{
    char *s = (char *)wmem_alloc(scope, len + 1);
    guint i;

    for (i = 0; i < len && p[i]; i++)
        s[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
    s[i] = '\0';
    return s;
}

static const char *
get_string(tlv_reader_t *rd, cisco_span_t v)
{
    return cisco_tlv_printable(rd->scope, rd->f->data + v.offset, v.len);
}

static gboolean
check_len(tlv_reader_t *rd, gint item, guint len, guint want)
{
    if (len == want)
        return TRUE;
    add_problem(rd, CISCO_TLV_BAD_LENGTH, item, -1, FALSE, (cisco_span_t){ 0, 0 },
                "Value is %u bytes, expected %u", len, want);
    return FALSE;
}

static gboolean
is_header_container(guint tag)
{
    return tag == CISCO_TLV_H_SIGNER_INFO || tag == CISCO_TLV_H_SIGNATURE_INFO ||
           tag == CISCO_TLV_H_SIG_ALGORITHM_INFO || tag == CISCO_TLV_H_ENCRYPTION_INFO ||
           tag == CISCO_TLV_H_IV_INFO || tag == CISCO_TLV_H_KEY_INFO;
}

/* Tag and length of the TLV at offset, in [offset, end) of a header,
 * container or record ("where").  Appends the item and returns its index,
 * or -1 when fewer than 3 bytes are left. */
static gint
read_tlv(tlv_reader_t *rd, guint offset, guint end, guint depth, gint record, const value_string *tag_vals,
         const char *where)
{
    cisco_tlv_file_t *f = rd->f;
    cisco_tlv_item_t it;
    guint left;
    gint idx;

    if (end - offset < CISCO_TLV_HDR_LEN) {
        add_problem(rd, CISCO_TLV_TRUNCATED, -1, -1, FALSE, (cisco_span_t){ offset, end - offset },
                    "%u bytes left in the %s, too short for a TLV", end - offset, where);
        return -1;
    }
    left = end - offset - CISCO_TLV_HDR_LEN;
    memset(&it, 0, sizeof(it));
    it.tag = f->data[offset];
    it.depth = (guint8)depth;
    it.record = record;
    it.offset = offset;
    it.declared_len = get_u16(f->data + offset + 1);
    it.value.offset = offset + CISCO_TLV_HDR_LEN;
    it.value.len = MIN(it.declared_len, left);
    it.container = record < 0 && is_header_container(it.tag);
    idx = (gint)wmem_array_get_count(f->items);
    wmem_array_append_one(f->items, it);
    if (it.declared_len > left)
        add_problem(rd, CISCO_TLV_TRUNCATED, idx, -1, FALSE, (cisco_span_t){ 0, 0 },
                    "%s length %u runs past the end of the %s (%u bytes left)",
                    val_to_str_const(it.tag, tag_vals, "TLV"), it.declared_len, where, left);
    return idx;
}

static void read_header_tlvs(tlv_reader_t *rd, guint offset, guint end, guint depth);

static void
read_header_value(tlv_reader_t *rd, gint idx, guint depth)
{
    cisco_tlv_file_t *f = rd->f;
    const cisco_tlv_item_t *it = cisco_tlv_item(f, idx);
    cisco_span_t v = it->value;
    guint tag = it->tag;
    const guint8 *p = f->data + v.offset;

    switch (tag) {
    case CISCO_TLV_H_VERSION:
        if (check_len(rd, idx, v.len, 2)) {
            f->version_major = p[0];
            f->version_minor = p[1];
        }
        break;
    case CISCO_TLV_H_HEADER_LENGTH:
        check_len(rd, idx, v.len, 2);
        break;
    case CISCO_TLV_H_SIGNER_INFO:
    case CISCO_TLV_H_SIGNATURE_INFO:
    case CISCO_TLV_H_SIG_ALGORITHM_INFO:
    case CISCO_TLV_H_ENCRYPTION_INFO:
    case CISCO_TLV_H_IV_INFO:
    case CISCO_TLV_H_KEY_INFO:
        if (depth >= CISCO_TLV_MAX_DEPTH) {
            add_problem(rd, CISCO_TLV_TOO_DEEP, idx, -1, FALSE, (cisco_span_t){ 0, 0 },
                        "Containers nested more than %d deep: not decoded further", CISCO_TLV_MAX_DEPTH);
            break;
        }
        read_header_tlvs(rd, v.offset, span_end(v), depth + 1);
        break;
    case CISCO_TLV_H_SIGNER_NAME:
        f->signer_name = get_string(rd, v);
        break;
    case CISCO_TLV_H_SERIAL_NUMBER:
        f->serial = v;
        break;
    case CISCO_TLV_H_ISSUER_NAME:
        f->issuer = get_string(rd, v);
        break;
    case CISCO_TLV_H_DIGEST_ALGORITHM:
        if (check_len(rd, idx, v.len, 1))
            f->digest = p[0];
        break;
    case CISCO_TLV_H_SIGNATURE_ALGORITHM:
        if (check_len(rd, idx, v.len, 1))
            f->signature_algorithm = p[0];
        break;
    case CISCO_TLV_H_SIGNATURE_MODULUS:
        if (check_len(rd, idx, v.len, 1))
            f->modulus = p[0];
        break;
    case CISCO_TLV_H_SIGNATURE:
        f->signature = v;
        f->signature_tlv.offset = it->offset;
        f->signature_tlv.len = v.len + CISCO_TLV_HDR_LEN;
        break;
    case CISCO_TLV_H_FILENAME: {
        const char *name = get_string(rd, v);
        if (*name && !f->filename)
            f->filename = name;
        break;
    }
    case CISCO_TLV_H_TIMESTAMP:
        if (check_len(rd, idx, v.len, 4)) {
            f->have_timestamp = TRUE;
            f->timestamp = ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
        }
        break;
    case CISCO_TLV_H_SIGNER_VERSION:
        if (check_len(rd, idx, v.len, 2)) {
            f->signer_version_major = p[0];
            f->signer_version_minor = p[1];
        }
        break;
    default:
        /* encrypted-config (.enc.sgn) values are shown, not interpreted */
        if (tag > CISCO_TLV_H_ENCRYPTION_INFO && tag <= CISCO_TLV_H_LAST_ENC_TAG)
            break;
        add_problem(rd, CISCO_TLV_UNKNOWN_TAG, idx, -1, FALSE, (cisco_span_t){ 0, 0 },
                    "Unknown header tag %u", tag);
        break;
    }
}

static void
read_header_tlvs(tlv_reader_t *rd, guint offset, guint end, guint depth)
{
    cisco_tlv_file_t *f = rd->f;

    while (offset < end) {
        gint idx;

        if (f->data[offset] == CISCO_TLV_H_PADDING && depth == 0) {
            cisco_tlv_item_t it;

            memset(&it, 0, sizeof(it));
            it.tag = CISCO_TLV_H_PADDING;
            it.padding = TRUE;
            it.record = -1;
            it.offset = offset;
            it.value.offset = offset;
            while (offset < end && f->data[offset] == CISCO_TLV_H_PADDING)
                offset++;
            it.value.len = offset - it.offset;
            wmem_array_append_one(f->items, it);
            continue;
        }
        idx = read_tlv(rd, offset, end, depth, -1, cisco_tlv_header_tag_vals, depth ? "container" : "header");
        if (idx < 0)
            return;
        read_header_value(rd, idx, depth);
        offset = span_end(cisco_tlv_item(f, idx)->value);
    }
}

static void
read_record_value(tlv_reader_t *rd, gint idx, cisco_tlv_record_t *r)
{
    cisco_tlv_file_t *f = rd->f;
    const cisco_tlv_item_t *it = cisco_tlv_item(f, idx);
    cisco_span_t v = it->value;
    const guint8 *p = f->data + v.offset;

    switch (it->tag) {
    case CISCO_TLV_R_RECORD_LENGTH:
        check_len(rd, idx, v.len, 2);
        break;
    case CISCO_TLV_R_DNS_NAME:
        r->dns_name = get_string(rd, v);
        break;
    case CISCO_TLV_R_SUBJECT_NAME:
        r->subject = get_string(rd, v);
        break;
    case CISCO_TLV_R_FUNCTION:
        if (check_len(rd, idx, v.len, 2)) {
            r->function = (gint)get_u16(p);
            if (!try_val_to_str((guint32)r->function, cisco_tlv_function_vals))
                add_problem(rd, CISCO_TLV_UNKNOWN_FUNCTION, idx, -1, FALSE, (cisco_span_t){ 0, 0 },
                            "Unknown function (role) code %d", r->function);
        }
        break;
    case CISCO_TLV_R_ISSUER_NAME:
        r->issuer = get_string(rd, v);
        break;
    case CISCO_TLV_R_SERIAL_NUMBER:
        r->serial = v;
        break;
    case CISCO_TLV_R_PUBLIC_KEY:
        r->public_key = v;
        break;
    case CISCO_TLV_R_SIGNATURE:
        r->signature = v;
        break;
    case CISCO_TLV_R_CERTIFICATE:
        r->certificate = v;
        if (v.len > 0) {
            cisco_sha1(p, v.len, r->cert_sha1);
            r->have_cert_sha1 = TRUE;
        }
        break;
    case CISCO_TLV_R_IP_ADDRESS:
        check_len(rd, idx, v.len, 4);
        break;
    case CISCO_TLV_R_CERT_HASH:
        r->cert_hash = v;
        r->cert_hash_item = idx;
        break;
    case CISCO_TLV_R_HASH_ALGORITHM:
        if (check_len(rd, idx, v.len, 1))
            r->hash_algorithm = p[0];
        break;
    default:
        add_problem(rd, CISCO_TLV_UNKNOWN_TAG, idx, -1, FALSE, (cisco_span_t){ 0, 0 },
                    "Unknown record tag %u", it->tag);
        break;
    }
}

gint
cisco_tlv_cert_hash_id(const cisco_tlv_record_t *r)
{
    if (cisco_hash_len(r->hash_algorithm))
        return r->hash_algorithm;
    return r->cert_hash.len == 20 ? CISCO_HASH_SHA1 :
           r->cert_hash.len == 32 ? CISCO_HASH_SHA256 :
           r->cert_hash.len == 64 ? CISCO_HASH_SHA512 : 0;
}

/* The stored CERTIFICATE_HASH must be the digest of the stored certificate. */
static void
check_cert_hash(tlv_reader_t *rd, const cisco_tlv_record_t *r)
{
    const guint8 *data = rd->f->data;
    guint8 digest[64];
    gint hash_id = cisco_tlv_cert_hash_id(r);
    cisco_tlv_problem_t *p;

    if (!r->cert_hash.len || !r->certificate.len)
        return;
    if (!cisco_hash(hash_id, data + r->certificate.offset, r->certificate.len, digest))
        return;
    if (r->cert_hash.len == cisco_hash_len(hash_id) &&
        memcmp(data + r->cert_hash.offset, digest, r->cert_hash.len) == 0)
        return;
    add_problem(rd, CISCO_TLV_CERT_HASH_MISMATCH, r->cert_hash_item, -1, FALSE, (cisco_span_t){ 0, 0 },
                "Stored certificate hash is not the %s of the record's certificate",
                val_to_str_const(hash_id, cisco_tlv_hash_vals, "digest"));
    /* the hash it should be, apart (a SHA-512 in spaced hex is 191 characters) */
    p = (cisco_tlv_problem_t *)wmem_array_index(rd->f->problems, wmem_array_get_count(rd->f->problems) - 1);
    p->detail = cisco_hex(rd->scope, digest, cisco_hash_len(hash_id), ' ', TRUE);
}

/* Is this record the one that signed the file (SAST, same serial/issuer)? */
static gboolean
is_signer(const cisco_tlv_file_t *f, const cisco_tlv_record_t *r)
{
    if (r->function != CISCO_TLV_ROLE_SAST || !f->serial.len || r->serial.len != f->serial.len)
        return FALSE;
    if (memcmp(f->data + r->serial.offset, f->data + f->serial.offset, f->serial.len) != 0)
        return FALSE;
    return !f->issuer || !r->issuer || !*r->issuer || strcmp(f->issuer, r->issuer) == 0;
}

static guint
read_record(tlv_reader_t *rd, guint offset)
{
    cisco_tlv_file_t *f = rd->f;
    cisco_tlv_record_t r;
    guint file_end = f->len;
    gint ridx = (gint)wmem_array_get_count(f->records);
    guint end;

    memset(&r, 0, sizeof(r));
    r.function = -1;
    r.hash_algorithm = -1;
    r.cert_hash_item = -1;
    r.span.offset = offset;
    r.first_item = wmem_array_get_count(f->items);

    if (file_end - offset < 5 || f->data[offset] != CISCO_TLV_R_RECORD_LENGTH || get_u16(f->data + offset + 1) != 2) {
        r.span.len = file_end - offset;
        wmem_array_append_one(f->records, r);
        if (file_end - offset < 5)
            add_problem(rd, CISCO_TLV_TRUNCATED, -1, ridx, FALSE, (cisco_span_t){ 0, 0 },
                        "%u bytes left, too short for a record", file_end - offset);
        else
            add_problem(rd, CISCO_TLV_UNKNOWN_TAG, -1, ridx, FALSE, (cisco_span_t){ 0, 0 },
                        "Record does not start with RECORD_LENGTH (tag %u)", f->data[offset]);
        return file_end;
    }
    r.valid = TRUE;
    r.declared_len = get_u16(f->data + offset + 3);
    end = offset + r.declared_len;
    if (r.declared_len < 5 || end > file_end) {
        /* on the RECORD_LENGTH TLV, the record's first item (read next) */
        add_problem(rd, CISCO_TLV_TRUNCATED, (gint)r.first_item, ridx, FALSE, (cisco_span_t){ 0, 0 },
                    "Record length %u runs past the end of the file (%u bytes left)", r.declared_len,
                    file_end - offset);
        end = file_end;
    }
    r.span.len = end - offset;

    while (offset < end) {
        gint idx = read_tlv(rd, offset, end, 0, ridx, cisco_tlv_record_tag_vals, "record");
        if (idx < 0)
            break;
        read_record_value(rd, idx, &r);
        offset = span_end(cisco_tlv_item(f, idx)->value);
    }
    r.n_items = wmem_array_get_count(f->items) - r.first_item;
    check_cert_hash(rd, &r);
    if (r.function == CISCO_TLV_ROLE_CAPF)
        f->have_capf = TRUE;
    if (!f->signer_record && is_signer(f, &r)) {
        f->signer_record = (guint)ridx + 1;
        r.signed_file = TRUE;
    }
    wmem_array_append_one(f->records, r);
    return end;
}

cisco_sig_status_t
cisco_tlv_verify_with(wmem_allocator_t *scope, const cisco_tlv_file_t *f, guint reported_len,
                      const guint8 *cert, size_t cert_len, const guint8 *pkcs1, size_t pkcs1_len)
{
    guint8 *signed_data;
    guint before, after;
    cisco_sig_status_t status;

    if (!f->signature.len || f->truncated || f->len != reported_len)
        return CISCO_SIG_CANNOT_VERIFY;
    before = f->signature_tlv.offset;
    after = f->len - span_end(f->signature_tlv);
    signed_data = (guint8 *)wmem_alloc(scope, before + after + 1);
    memcpy(signed_data, f->data, before);
    memcpy(signed_data + before, f->data + span_end(f->signature_tlv), after);
    status = cisco_verify_rsa(f->digest, cert, cert_len, pkcs1, pkcs1_len, signed_data, before + after,
                              f->data + f->signature.offset, f->signature.len);
    wmem_free(scope, signed_data);
    return status;
}

static cisco_sig_status_t
verify(wmem_allocator_t *scope, const cisco_tlv_file_t *f, guint reported_len)
{
    const cisco_tlv_record_t *signer;

    if (!f->signer_record)
        return CISCO_SIG_SIGNER_NOT_FOUND;
    signer = cisco_tlv_record(f, f->signer_record - 1);
    return cisco_tlv_verify_with(scope, f, reported_len,
                                 signer->certificate.len ? f->data + signer->certificate.offset : NULL,
                                 signer->certificate.len,
                                 signer->public_key.len ? f->data + signer->public_key.offset : NULL,
                                 signer->public_key.len);
}

cisco_tlv_file_t *
cisco_tlv_parse(wmem_allocator_t *scope, const guint8 *data, guint len, guint reported_len, const char *name)
{
    tlv_reader_t rd;
    cisco_tlv_file_t *f = wmem_new0(scope, cisco_tlv_file_t);
    guint offset;

    f->data = data;
    f->len = len;
    f->version_major = f->version_minor = -1;
    f->signer_version_major = f->signer_version_minor = -1;
    f->digest = f->signature_algorithm = f->modulus = -1;
    f->items = wmem_array_new(scope, sizeof(cisco_tlv_item_t));
    f->records = wmem_array_new(scope, sizeof(cisco_tlv_record_t));
    f->problems = wmem_array_new(scope, sizeof(cisco_tlv_problem_t));
    rd.scope = scope;
    rd.f = f;

    /* The header: up to HEADER_LENGTH bytes (tag 2 at offset 5). */
    f->header_length = len >= 10 ? get_u16(data + 8) : 0;
    f->header_end = f->header_length;
    if (f->header_end < 10 || f->header_end > len) {
        add_problem(&rd, CISCO_TLV_TRUNCATED, -1, -1, TRUE, (cisco_span_t){ 0, len },
                    "Header length %u runs past the end of the file (%u bytes)", f->header_length, len);
        f->header_end = len;
    }
    read_header_tlvs(&rd, 0, f->header_end, 0);
    f->signed_file = cisco_tlv_is_signed_file_name(name ? name : f->filename);

    offset = f->header_end;
    if (f->signed_file) {
        f->payload.offset = offset;
        f->payload.len = len - offset;
    } else {
        while (offset < len)
            offset = read_record(&rd, offset);
    }
    f->status = verify(scope, f, reported_len);
    return f;
}

const char *
cisco_tlv_kind(const cisco_tlv_file_t *f, const char *name)
{
    const char *base;

    if (f->filename)
        name = f->filename;
    if (!name)
        return "ITL";
    base = strrchr(name, '/');
    base = base ? base + 1 : name;
    return g_ascii_strncasecmp(base, "CTL", 3) == 0 ? "CTL" : "ITL";
}
