/* cisco-tlv-show.c
 * A parsed ITL/CTL file (cisco-tlv.c) printed the way CUCM's "show itl" and
 * "show ctl" print it: checksums, header and records as BYTEPOS/TAG/LENGTH/
 * VALUE tables, then what is wrong with the file and the signature verdict.
 * Used by the itl,show tap (-z itl,show) and the itl-show program.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-tlv.h"
#include "ws-compat.h"

#include <stdio.h>
#include <string.h>

/* CUCM's labels (the typos are CUCM's). */
static const value_string show_header_labels[] = {
    { CISCO_TLV_H_SIGNER_INFO,         "SIGNERID" },
    { CISCO_TLV_H_SIGNER_NAME,         "SIGNERNAME" },
    { CISCO_TLV_H_SERIAL_NUMBER,       "SERIALNUMBER" },
    { CISCO_TLV_H_ISSUER_NAME,         "CANAME" },
    { CISCO_TLV_H_SIGNATURE_INFO,      "SIGNATUREINFO" },
    { CISCO_TLV_H_DIGEST_ALGORITHM,    "DIGESTALGORTITHM" },
    { CISCO_TLV_H_SIG_ALGORITHM_INFO,  "SIGNATUREALGOINFO" },
    { CISCO_TLV_H_SIGNATURE_ALGORITHM, "SIGNATUREALGORTITHM" },
    { CISCO_TLV_H_SIGNATURE_MODULUS,   "SIGNATUREMODULUS" },
    { CISCO_TLV_H_SIGNATURE,           "SIGNATURE" },
    { CISCO_TLV_H_FILENAME,            "FILENAME" },
    { CISCO_TLV_H_TIMESTAMP,           "TIMESTAMP" },
    { CISCO_TLV_H_SIGNER_VERSION,      "SIGNERVERSION" },
    { 0, NULL }
};

static const value_string show_record_labels[] = {
    { CISCO_TLV_R_RECORD_LENGTH,  "RECORDLENGTH" },
    { CISCO_TLV_R_DNS_NAME,       "DNSNAME" },
    { CISCO_TLV_R_SUBJECT_NAME,   "SUBJECTNAME" },
    { CISCO_TLV_R_FUNCTION,       "FUNCTION" },
    { CISCO_TLV_R_ISSUER_NAME,    "ISSUERNAME" },
    { CISCO_TLV_R_SERIAL_NUMBER,  "SERIALNUMBER" },
    { CISCO_TLV_R_PUBLIC_KEY,     "PUBLICKEY" },
    { CISCO_TLV_R_SIGNATURE,      "SIGNATURE" },
    { CISCO_TLV_R_CERTIFICATE,    "CERTIFICATE" },
    { CISCO_TLV_R_IP_ADDRESS,     "IPADDRESS" },
    { CISCO_TLV_R_CERT_HASH,      "CERTHASH" },
    { CISCO_TLV_R_HASH_ALGORITHM, "HASH ALGORITHM" },
    { 0, NULL }
};

static void
show_row(GString *out, guint tag, const char *label, guint len, const char *value)
{
    g_string_append_printf(out, "%-7u %-20s %-6u %s", tag, label, len, value ? value : "");
    /* no trailing blanks */
    while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    g_string_append_c(out, '\n');
}

static void
show_table_head(GString *out)
{
    g_string_append(out, "BYTEPOS TAG                  LENGTH VALUE\n");
    g_string_append(out, "------- ---                  ------ -----\n");
}

static const char *
show_label(guint tag, const value_string *labels, char *buf, size_t size)
{
    const char *label = try_val_to_str(tag, labels);

    if (label)
        return label;
    snprintf(buf, size, "UNKNOWN(%u)", tag);
    return buf;
}

/* "8a 4 c3": CUCM prints the signature bytes in hex without leading zeros. */
static void
show_signature(GString *out, const guint8 *p, guint len)
{
    for (guint i = 0; i < len; i++) {
        g_string_append_printf(out, "%x", p[i]);
        g_string_append_c(out, (i % 16 == 15 || i + 1 == len) ? '\n' : ' ');
    }
}

static void
show_header(GString *out, const cisco_tlv_file_t *f, wmem_allocator_t *scope)
{
    char buf[32];

    for (guint i = 0; i < wmem_array_get_count(f->items); i++) {
        const cisco_tlv_item_t *it = cisco_tlv_item(f, i);
        const guint8 *p = f->data + it->value.offset;
        const char *label;
        cisco_span_t v;
        const char *value = NULL;

        if (it->record >= 0)
            break;
        if (it->padding || it->tag == CISCO_TLV_H_VERSION || it->tag == CISCO_TLV_H_HEADER_LENGTH)
            continue;
        v = it->value;
        label = show_label(it->tag, show_header_labels, buf, sizeof(buf));
        if (it->container) {
            /* CUCM: LENGTH 2, VALUE the container's length */
            show_row(out, it->tag, label, 2, wmem_strdup_printf(scope, "%u", it->declared_len));
            continue;
        }
        switch (it->tag) {
        case CISCO_TLV_H_SIGNER_NAME:
        case CISCO_TLV_H_ISSUER_NAME:
            value = cisco_tlv_printable(scope, p, v.len);
            break;
        case CISCO_TLV_H_SERIAL_NUMBER:
            value = cisco_hex(scope, p, v.len, ':', TRUE);
            break;
        case CISCO_TLV_H_SIGNER_VERSION:
            if (v.len == 2)
                value = wmem_strdup_printf(scope, "%u.%u", p[0], p[1]);
            break;
        default:
            /* CUCM prints no value for the digest and signature algorithms,
             * the modulus, the file name and the time stamp */
            break;
        }
        show_row(out, it->tag, label, it->declared_len, value);
        if (it->tag == CISCO_TLV_H_SIGNATURE)
            show_signature(out, p, v.len);
    }
}

static void
show_record(GString *out, const cisco_tlv_file_t *f, guint rec_index, const char *kind, wmem_allocator_t *scope)
{
    const cisco_tlv_record_t *r = cisco_tlv_record(f, rec_index);
    char buf[32];

    g_string_append_printf(out, "\n        %s Record #:%u\n        ----\n", kind, rec_index + 1);
    show_table_head(out);
    if (!r->valid) {
        g_string_append_printf(out, "(%u bytes that are not a record)\n", r->span.len);
        return;
    }
    for (guint i = r->first_item; i < r->first_item + r->n_items; i++) {
        const cisco_tlv_item_t *it = cisco_tlv_item(f, i);
        const guint8 *p = f->data + it->value.offset;
        guint vlen = it->value.len;
        const char *value = NULL;

        switch (it->tag) {
        case CISCO_TLV_R_RECORD_LENGTH:
            if (vlen == 2)
                value = wmem_strdup_printf(scope, "%u", r->declared_len);
            break;
        case CISCO_TLV_R_DNS_NAME:
        case CISCO_TLV_R_SUBJECT_NAME:
        case CISCO_TLV_R_ISSUER_NAME:
            value = cisco_tlv_printable(scope, p, vlen);
            break;
        case CISCO_TLV_R_FUNCTION:
            if (vlen == 2)
                value = WSC_VAL_TO_STR(scope, pntohu16(p), cisco_tlv_function_vals, "%u");
            break;
        case CISCO_TLV_R_SERIAL_NUMBER:
            value = cisco_hex(scope, p, vlen, ':', TRUE);
            break;
        case CISCO_TLV_R_CERTIFICATE:
            if (vlen) {
                guint8 sha1[CISCO_SHA1_LEN];
                cisco_sha1(p, vlen, sha1);
                value = wmem_strdup_printf(scope, "%s (SHA1 Hash HEX)",
                                           cisco_hex(scope, sha1, sizeof(sha1), ' ', TRUE));
            }
            break;
        case CISCO_TLV_R_CERT_HASH:
            value = cisco_hex(scope, p, vlen, ' ', TRUE);
            break;
        case CISCO_TLV_R_HASH_ALGORITHM:
            /* CUCM prints "null" (for the values it does not name) */
            if (vlen == 1)
                value = val_to_str_const(p[0], cisco_tlv_hash_vals, "null");
            break;
        default:
            /* PUBLICKEY, SIGNATURE and IPADDRESS: length only, as CUCM */
            break;
        }
        show_row(out, it->tag, show_label(it->tag, show_record_labels, buf, sizeof(buf)), it->declared_len,
                 value);
    }
    if (r->function == CISCO_TLV_ROLE_SAST)
        g_string_append_printf(out, "This etoken was %sused to sign the %s file.\n", r->signed_file ? "" : "not ",
                               kind);
}

static const char *
problem_where(const cisco_tlv_file_t *f, const cisco_tlv_problem_t *p, wmem_allocator_t *scope)
{
    if (p->item >= 0) {
        const cisco_tlv_item_t *it = cisco_tlv_item(f, (guint)p->item);
        if (it->record >= 0)
            return wmem_strdup_printf(scope, "record %d, tag %u at byte %u", it->record + 1, it->tag, it->offset);
        return wmem_strdup_printf(scope, "header, tag %u at byte %u", it->tag, it->offset);
    }
    if (p->record >= 0)
        return wmem_strdup_printf(scope, "record %d at byte %u", p->record + 1,
                                  cisco_tlv_record(f, (guint)p->record)->span.offset);
    if (p->header)
        return "header";
    return wmem_strdup_printf(scope, "byte %u", p->span.offset);
}

void
cisco_tlv_show(GString *out, const cisco_tlv_file_t *f, const char *name)
{
    wmem_allocator_t *scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    const char *kind = cisco_tlv_kind(f, name);
    guint8 sha1[CISCO_SHA1_LEN];
    guint8 md5[16];

    cisco_sha1(f->data, f->len, sha1);
    cisco_md5(f->data, f->len, md5);
    g_string_append_printf(out, "The checksum value of the %s file:\n", kind);
    g_string_append_printf(out, "%s(MD5)\n", cisco_hex(scope, md5, sizeof(md5), 0, FALSE));
    g_string_append_printf(out, "%s(SHA1)\n\n", cisco_hex(scope, sha1, sizeof(sha1), 0, FALSE));
    g_string_append_printf(out, "Length of %s file: %u\n", kind, f->len);
    g_string_append_printf(out, "\n                        Parse %s File\n                        ----------------\n\n",
                           kind);
    if (f->version_major >= 0)
        g_string_append_printf(out, "Version:        %d.%d\n", f->version_major, f->version_minor);
    g_string_append_printf(out, "HeaderLength:   %u (BYTES)\n\n", f->header_length);
    show_table_head(out);
    show_header(out, f, scope);

    if (f->signed_file) {
        g_string_append_printf(out, "\nSigned file: %u bytes\n", f->payload.len);
    } else {
        for (guint i = 0; i < wmem_array_get_count(f->records); i++)
            show_record(out, f, i, kind, scope);
    }
    g_string_append_c(out, '\n');

    for (guint i = 0; i < wmem_array_get_count(f->problems); i++) {
        const cisco_tlv_problem_t *p = cisco_tlv_problem(f, i);
        if (p->detail)
            g_string_append_printf(out, "Error: %s (%s) (%s)\n", p->text, p->detail, problem_where(f, p, scope));
        else
            g_string_append_printf(out, "Error: %s (%s)\n", p->text, problem_where(f, p, scope));
    }
    if (f->truncated) {
        g_string_append_printf(out, "Error parsing the %s File.\n", kind);
    } else {
        switch (f->status) {
        case CISCO_SIG_VALID:
            g_string_append_printf(out, "The %s file was verified successfully.\n", kind);
            break;
        case CISCO_SIG_INVALID:
            g_string_append_printf(out, "The %s file signature is not valid: it does not verify with the key "
                                   "of the signer record (%u).\n", kind, f->signer_record);
            break;
        case CISCO_SIG_SIGNER_NOT_FOUND:
            g_string_append_printf(out, "The %s file could not be verified: no SAST record matches the signer "
                                   "(serial %s).\n", kind,
                                   f->serial.len ? cisco_hex(scope, f->data + f->serial.offset, f->serial.len, ':', TRUE)
                                                 : "none");
            break;
        default:
            g_string_append_printf(out, "The %s file could not be verified (unsupported digest or signer key).\n",
                                   kind);
            break;
        }
    }
    wmem_destroy_allocator(scope);
}
