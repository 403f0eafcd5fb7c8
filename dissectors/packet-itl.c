/* packet-itl.c
 * Routines for Cisco ITL/CTL trust list (signed TLV file) dissection
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/*
 * ITLFile.tlv (Initial Trust List) and CTLFile.tlv (Certificate Trust List)
 * are what a Cisco IP phone downloads from the CUCM TFTP service (UDP 69, or
 * HTTP on TCP 6970) before anything else.  Both are a signed header followed
 * by one record per certificate; every field is tag u8 | length u16 | value
 * (big-endian), except header tag 13 (padding), a single 0x0D byte.
 * The signature is RSA PKCS#1 v1.5 over the whole file with the SIGNATURE
 * TLV cut out, made by the SAST record whose serial number the header names.
 * .sgn files carry the same header followed by the signed file.
 * See ../shared/protocol/notes.md section 3 (tlvfile/sgnfile by Gareth Palmer,
 * Cisco's show itl / show ctl output).
 */

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/prefs-int.h>
#include <epan/dissectors/packet-http.h>

#include "ws-compat.h"
#include "cisco-crypto.h"
#include "cisco-dissect.h"
#include "cisco-trust.h"

void proto_register_itl(void);
void proto_reg_handoff_itl(void);

#define ITL_TLV_HDR_LEN     3
#define ITL_MAX_NESTING     8   /* real files nest containers 2 deep */
#define ITL_HTTP_TCP_PORT   6970

/* Header tags */
#define ITL_H_VERSION               1
#define ITL_H_HEADER_LENGTH         2
#define ITL_H_SIGNER_INFO           3
#define ITL_H_SIGNER_NAME           4
#define ITL_H_SERIAL_NUMBER         5
#define ITL_H_ISSUER_NAME           6
#define ITL_H_SIGNATURE_INFO        7
#define ITL_H_DIGEST_ALGORITHM      8
#define ITL_H_SIG_ALGORITHM_INFO    9
#define ITL_H_SIGNATURE_ALGORITHM   10
#define ITL_H_SIGNATURE_MODULUS     11
#define ITL_H_SIGNATURE             12
#define ITL_H_PADDING               13
#define ITL_H_FILENAME              14
#define ITL_H_TIMESTAMP             15
#define ITL_H_ENCRYPTION_INFO       16  /* .enc.sgn containers: 16, 17, 21 */
#define ITL_H_IV_INFO               17
#define ITL_H_KEY_INFO              21
#define ITL_H_LAST_ENC_TAG          27
#define ITL_H_SIGNER_VERSION        28

/* Record tags */
#define ITL_R_RECORD_LENGTH     1
#define ITL_R_DNS_NAME          2
#define ITL_R_SUBJECT_NAME      3
#define ITL_R_FUNCTION          4
#define ITL_R_ISSUER_NAME       5
#define ITL_R_SERIAL_NUMBER     6
#define ITL_R_PUBLIC_KEY        7
#define ITL_R_SIGNATURE         8
#define ITL_R_CERTIFICATE       9
#define ITL_R_IP_ADDRESS        10
#define ITL_R_CERT_HASH         11
#define ITL_R_HASH_ALGORITHM    12

#define ITL_ROLE_SAST   0
#define ITL_ROLE_CAPF   4

static int proto_itl = -1;

static int hf_itl_header = -1;
static int hf_itl_tag = -1;
static int hf_itl_tlv_length = -1;
static int hf_itl_value = -1;
static int hf_itl_version = -1;
static int hf_itl_header_length = -1;
static int hf_itl_signer_info = -1;
static int hf_itl_signer_name = -1;
static int hf_itl_serial_number = -1;
static int hf_itl_issuer_name = -1;
static int hf_itl_signature_info = -1;
static int hf_itl_digest_algorithm = -1;
static int hf_itl_sig_algorithm_info = -1;
static int hf_itl_signature_algorithm = -1;
static int hf_itl_signature_modulus = -1;
static int hf_itl_signature = -1;
static int hf_itl_padding = -1;
static int hf_itl_filename = -1;
static int hf_itl_timestamp = -1;
static int hf_itl_signer_version = -1;
static int hf_itl_encryption_info = -1;
static int hf_itl_record = -1;
static int hf_itl_record_length = -1;
static int hf_itl_record_dns_name = -1;
static int hf_itl_record_subject_name = -1;
static int hf_itl_record_function = -1;
static int hf_itl_record_issuer_name = -1;
static int hf_itl_record_serial_number = -1;
static int hf_itl_record_public_key = -1;
static int hf_itl_record_signature = -1;
static int hf_itl_record_certificate = -1;
static int hf_itl_record_ip_address = -1;
static int hf_itl_record_cert_hash = -1;
static int hf_itl_record_hash_algorithm = -1;
static int hf_itl_record_cert_sha1 = -1;
static int hf_itl_record_signed_file = -1;
static int hf_itl_record_count = -1;
static int hf_itl_signer_record = -1;
static int hf_itl_signature_status = -1;
static int hf_itl_payload = -1;

static gint ett_itl = -1;
static gint ett_itl_header = -1;
static gint ett_itl_tlv = -1;
static gint ett_itl_record = -1;
static gint ett_itl_certificate = -1;

static expert_field ei_itl_no_capf = EI_INIT;
static expert_field ei_itl_bad_signature = EI_INIT;
static expert_field ei_itl_signer_not_found = EI_INIT;
static expert_field ei_itl_cannot_verify = EI_INIT;
static expert_field ei_itl_truncated = EI_INIT;
static expert_field ei_itl_unknown_tag = EI_INIT;
static expert_field ei_itl_cert_hash_mismatch = EI_INIT;
static expert_field ei_itl_unknown_function = EI_INIT;
static expert_field ei_itl_bad_length = EI_INIT;
static expert_field ei_itl_too_deep = EI_INIT;

static dissector_handle_t itl_handle;
static dissector_handle_t octet_stream_handle;  /* media_type's previous owner */

static gboolean itl_enable_tftp_reassembly = TRUE;
static pref_t *tftp_defragment_pref;

/* TFTP fields the transfer check reads */
static int hf_tftp_opcode = -1;
static int hf_tftp_file = -1;
static int hf_tftp_block = -1;
#define TFTP_OPCODE_DATA 3

static const value_string itl_header_tag_vals[] = {
    { ITL_H_VERSION,             "VERSION" },
    { ITL_H_HEADER_LENGTH,       "HEADER_LENGTH" },
    { ITL_H_SIGNER_INFO,         "SIGNER_INFO" },
    { ITL_H_SIGNER_NAME,         "SIGNER_NAME" },
    { ITL_H_SERIAL_NUMBER,       "SERIAL_NUMBER" },
    { ITL_H_ISSUER_NAME,         "ISSUER_NAME" },
    { ITL_H_SIGNATURE_INFO,      "SIGNATURE_INFO" },
    { ITL_H_DIGEST_ALGORITHM,    "DIGEST_ALGORITHM" },
    { ITL_H_SIG_ALGORITHM_INFO,  "SIGNATURE_ALGORITHM_INFO" },
    { ITL_H_SIGNATURE_ALGORITHM, "SIGNATURE_ALGORITHM" },
    { ITL_H_SIGNATURE_MODULUS,   "SIGNATURE_MODULUS" },
    { ITL_H_SIGNATURE,           "SIGNATURE" },
    { ITL_H_PADDING,             "PADDING" },
    { ITL_H_FILENAME,            "FILENAME" },
    { ITL_H_TIMESTAMP,           "TIMESTAMP" },
    { 16,                        "ENCRYPTION_INFO" },
    { 17,                        "IV_INFO" },
    { 18,                        "IV_UNKNOWN" },
    { 19,                        "IV" },
    { 20,                        "PADDING_COUNT" },
    { 21,                        "KEY_INFO" },
    { 22,                        "KEY_UNKNOWN" },
    { 23,                        "KEY_SIZE" },
    { 24,                        "KEY_ALGORITHM" },
    { 25,                        "ENCRYPTED_KEY" },
    { 26,                        "PLAINTEXT_HASH_ALGORITHM" },
    { 27,                        "PLAINTEXT_HASH" },
    { ITL_H_SIGNER_VERSION,      "SIGNER_VERSION" },
    { 0, NULL }
};

static const value_string itl_record_tag_vals[] = {
    { ITL_R_RECORD_LENGTH,  "RECORD_LENGTH" },
    { ITL_R_DNS_NAME,       "DNS_NAME" },
    { ITL_R_SUBJECT_NAME,   "SUBJECT_NAME" },
    { ITL_R_FUNCTION,       "FUNCTION" },
    { ITL_R_ISSUER_NAME,    "ISSUER_NAME" },
    { ITL_R_SERIAL_NUMBER,  "SERIAL_NUMBER" },
    { ITL_R_PUBLIC_KEY,     "PUBLIC_KEY" },
    { ITL_R_SIGNATURE,      "SIGNATURE" },
    { ITL_R_CERTIFICATE,    "CERTIFICATE" },
    { ITL_R_IP_ADDRESS,     "IP_ADDRESS" },
    { ITL_R_CERT_HASH,      "CERTIFICATE_HASH" },
    { ITL_R_HASH_ALGORITHM, "HASH_ALGORITHM" },
    { 0, NULL }
};

/* Names as CUCM's "show itl" / "show ctl" print them. */
static const value_string itl_function_vals[] = {
    { ITL_ROLE_SAST, "System Administrator Security Token" },
    { 1,             "CCM" },
    { 2,             "CCM+TFTP" },
    { 3,             "TFTP" },
    { ITL_ROLE_CAPF, "CAPF" },
    { 7,             "APP-SERVER" },
    { 21,            "TVS" },
    { 0, NULL }
};

static const value_string itl_hash_vals[] = {
    { CISCO_HASH_SHA1,   "SHA-1" },
    { CISCO_HASH_SHA256, "SHA-256" },
    { CISCO_HASH_SHA512, "SHA-512" },
    { 0, NULL }
};

static const value_string itl_signature_algorithm_vals[] = {
    { 0, "RSA" },
    { 0, NULL }
};

static const value_string itl_modulus_vals[] = {
    { 0, "512 bits" },
    { 1, "1024 bits" },
    { 2, "2048 bits" },
    { 3, "4096 bits" },
    { 0, NULL }
};

static const value_string itl_signature_status_vals[] = {
    { CISCO_SIG_VALID,            "valid" },
    { CISCO_SIG_INVALID,          "invalid" },
    { CISCO_SIG_SIGNER_NOT_FOUND, "signer not in file" },
    { CISCO_SIG_CANNOT_VERIFY,    "cannot verify" },
    { 0, NULL }
};

/* Private data TFTP passes to its heuristic subdissectors (packet-tftp.h,
 * which libwireshark-dev does not install; unchanged from 4.0 to 4.6). */
struct tftpinfo {
    const char *filename;
};

typedef struct {
    int offset;
    int len;
} itl_span_t;

/* One TFTP transfer of a trust list (per TFTP data conversation). */
typedef struct {
    const char *name;
    guint32 last_data_frame;
    guint32 last_block;
    gboolean delivered;         /* TFTP handed the whole file to us */
} itl_transfer_t;

/* What the walk over a file collects for the checks at its end. */
typedef struct {
    const char *name;           /* TFTP file name or header FILENAME */
    guint header_length;
    gint digest;
    itl_span_t signature_tlv;   /* tag, length and value */
    itl_span_t signature;
    itl_span_t serial;
    const char *issuer;
    gboolean truncated;
    guint record_count;
    gboolean have_capf;
    guint signer_record;        /* 1-based; 0 = none */
    itl_span_t signer_cert;
    itl_span_t signer_pkcs1;
    proto_item *signer_item;
    wmem_array_t *capf_records; /* cisco_capf_record_t, for the CAPF verdicts */
} itl_file_t;

typedef struct {
    guint function;
    gboolean have_function;
    const char *subject;
    const char *dns_name;
    const char *issuer;
    itl_span_t serial;
    itl_span_t certificate;
    itl_span_t public_key;
    itl_span_t cert_hash;
    proto_item *cert_hash_item;
    gint hash_algorithm;
} itl_record_t;

static gboolean
itl_name_matches(const char *name)
{
    gboolean match;
    gchar *lower;

    if (!name)
        return FALSE;
    lower = g_ascii_strdown(name, -1);
    {
        const char *base = strrchr(lower, '/');
        base = base ? base + 1 : lower;
        match = (g_str_has_prefix(base, "itl") || g_str_has_prefix(base, "ctl")) &&
                g_str_has_suffix(base, ".tlv");
    }
    g_free(lower);
    return match;
}

static gboolean
itl_is_signed_file_name(const char *name)
{
    return name && (g_str_has_suffix(name, ".sgn") || g_str_has_suffix(name, ".sha512"));
}

/* VERSION 01 00 02 mm nn, HEADER_LENGTH 02 00 02 hh ll, with a header length
 * that fits in the file. */
static gboolean
itl_header_plausible(tvbuff_t *tvb)
{
    guint header_length;

    if (tvb_captured_length(tvb) < 10)
        return FALSE;
    if (tvb_get_ntoh24(tvb, 0) != 0x010002 || tvb_get_ntoh24(tvb, 5) != 0x020002)
        return FALSE;
    header_length = tvb_get_ntohs(tvb, 8);
    return header_length >= 10 && header_length <= tvb_reported_length(tvb);
}

static int
itl_span_end(itl_span_t s)
{
    return s.offset + s.len;
}

/* major.minor, two bytes */
static proto_item *
itl_add_version(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo, int offset, int len)
{
    guint major, minor;

    if (len != 2)
        return proto_tree_add_item(tree, hf_itl_value, tvb, offset, len, ENC_NA);
    /* a string, so that filters read like the file: itl.version == "1.2" */
    major = tvb_get_guint8(tvb, offset);
    minor = tvb_get_guint8(tvb, offset + 1);
    return proto_tree_add_string(tree, hf, tvb, offset, 2, wmem_strdup_printf(pinfo->pool, "%u.%u", major, minor));
}

/* Check that a value has the length its tag needs. */
static gboolean
itl_check_len(packet_info *pinfo, proto_item *ti, int len, int want)
{
    if (len == want)
        return TRUE;
    expert_add_info_format(pinfo, ti, &ei_itl_bad_length, "Value is %d bytes, expected %d", len, want);
    return FALSE;
}

/* Containers get a field of their own; every other TLV is an itl.tlv. */
static int
itl_header_tlv_hf(guint tag)
{
    switch (tag) {
    case ITL_H_SIGNER_INFO:         return hf_itl_signer_info;
    case ITL_H_SIGNATURE_INFO:      return hf_itl_signature_info;
    case ITL_H_SIG_ALGORITHM_INFO:  return hf_itl_sig_algorithm_info;
    case ITL_H_ENCRYPTION_INFO:     return hf_itl_encryption_info;
    default:                        return hf_itl_header;
    }
}

/* Tag and length of the TLV at offset, in [offset, end) of a header,
 * container or record ("where").  Gives the TLV's item in *item, its
 * subtree in *sub and the value length in *len, cut to what is left.
 * FALSE when fewer than 3 bytes are left. */
static gboolean
itl_add_tlv(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf, int offset, int end,
            const value_string *tag_vals, const char *where, itl_file_t *f, proto_item **item, proto_tree **sub,
            guint32 *len)
{
    guint tag = tvb_get_guint8(tvb, offset);
    int left = end - offset - ITL_TLV_HDR_LEN;
    proto_item *ti;

    if (left < 0) {
        proto_tree_add_expert_format(tree, pinfo, &ei_itl_truncated, tvb, offset, end - offset,
                                     "%d bytes left in the %s, too short for a TLV", end - offset, where);
        f->truncated = TRUE;
        return FALSE;
    }
    *len = tvb_get_ntohs(tvb, offset + 1);
    ti = proto_tree_add_none_format(tree, hf, tvb, offset, ITL_TLV_HDR_LEN, "%s (%u)",
                                    val_to_str_const(tag, tag_vals, "Unknown"), tag);
    *sub = proto_item_add_subtree(ti, ett_itl_tlv);
    proto_tree_add_item(*sub, hf_itl_tag, tvb, offset, 1, ENC_NA);
    proto_tree_add_item(*sub, hf_itl_tlv_length, tvb, offset + 1, 2, ENC_BIG_ENDIAN);
    if (*len > (guint32)left) {
        expert_add_info_format(pinfo, ti, &ei_itl_truncated, "%s length %u runs past the end of the %s (%d bytes left)",
                               val_to_str_const(tag, tag_vals, "TLV"), *len, where, left);
        f->truncated = TRUE;
        *len = left;
    }
    proto_item_set_len(ti, ITL_TLV_HDR_LEN + *len);
    *item = ti;
    return TRUE;
}

static void itl_dissect_header_tlvs(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                    int offset, int end, itl_file_t *f, int depth);

/* One header TLV at offset (tag byte already known not to be PADDING). */
static void
itl_dissect_header_value(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *tlv_item,
                         guint tag, int offset, int len, itl_file_t *f, int depth)
{
    proto_item *ti = NULL;
    const guint8 *str;
    guint32 v;

    switch (tag) {
    case ITL_H_VERSION:
        ti = itl_add_version(tree, hf_itl_version, tvb, pinfo, offset, len);
        itl_check_len(pinfo, ti, len, 2);
        break;
    case ITL_H_HEADER_LENGTH:
        if (itl_check_len(pinfo, tlv_item, len, 2))
            proto_tree_add_item(tree, hf_itl_header_length, tvb, offset, 2, ENC_BIG_ENDIAN);
        break;
    case ITL_H_SIGNER_INFO:
    case ITL_H_SIGNATURE_INFO:
    case ITL_H_SIG_ALGORITHM_INFO:
    case ITL_H_ENCRYPTION_INFO:
    case ITL_H_IV_INFO:
    case ITL_H_KEY_INFO:
        /* containers: their value is more header TLVs */
        if (depth >= ITL_MAX_NESTING) {
            proto_tree_add_item(tree, hf_itl_value, tvb, offset, len, ENC_NA);
            expert_add_info_format(pinfo, tlv_item, &ei_itl_too_deep,
                                   "Containers nested more than %d deep: not decoded further", ITL_MAX_NESTING);
            break;
        }
        itl_dissect_header_tlvs(tvb, pinfo, tree, offset, offset + len, f, depth + 1);
        break;
    case ITL_H_SIGNER_NAME:
        proto_tree_add_item_ret_string(tree, hf_itl_signer_name, tvb, offset, len, ENC_ASCII,
                                       pinfo->pool, &str);
        proto_item_append_text(tlv_item, ": %s", str);
        break;
    case ITL_H_SERIAL_NUMBER:
        proto_tree_add_item(tree, hf_itl_serial_number, tvb, offset, len, ENC_NA);
        f->serial.offset = offset;
        f->serial.len = len;
        break;
    case ITL_H_ISSUER_NAME:
        proto_tree_add_item_ret_string(tree, hf_itl_issuer_name, tvb, offset, len, ENC_ASCII,
                                       pinfo->pool, &str);
        f->issuer = (const char *)str;
        break;
    case ITL_H_DIGEST_ALGORITHM:
        if (itl_check_len(pinfo, tlv_item, len, 1)) {
            proto_tree_add_item_ret_uint(tree, hf_itl_digest_algorithm, tvb, offset, 1, ENC_NA, &v);
            f->digest = (gint)v;
            proto_item_append_text(tlv_item, ": %s", val_to_str(v, itl_hash_vals, "unknown (%u)"));
        }
        break;
    case ITL_H_SIGNATURE_ALGORITHM:
        if (itl_check_len(pinfo, tlv_item, len, 1))
            proto_tree_add_item(tree, hf_itl_signature_algorithm, tvb, offset, 1, ENC_NA);
        break;
    case ITL_H_SIGNATURE_MODULUS:
        if (itl_check_len(pinfo, tlv_item, len, 1))
            proto_tree_add_item(tree, hf_itl_signature_modulus, tvb, offset, 1, ENC_NA);
        break;
    case ITL_H_SIGNATURE:
        proto_tree_add_item(tree, hf_itl_signature, tvb, offset, len, ENC_NA);
        f->signature.offset = offset;
        f->signature.len = len;
        f->signature_tlv.offset = offset - ITL_TLV_HDR_LEN;
        f->signature_tlv.len = len + ITL_TLV_HDR_LEN;
        proto_item_append_text(tlv_item, ": %d bytes", len);
        break;
    case ITL_H_FILENAME:
        proto_tree_add_item_ret_string(tree, hf_itl_filename, tvb, offset, len, ENC_ASCII,
                                       pinfo->pool, &str);
        proto_item_append_text(tlv_item, ": %s", str);
        if (!f->name && *str)
            f->name = (const char *)str;
        break;
    case ITL_H_TIMESTAMP:
        if (itl_check_len(pinfo, tlv_item, len, 4))
            proto_tree_add_item(tree, hf_itl_timestamp, tvb, offset, 4, ENC_TIME_SECS | ENC_BIG_ENDIAN);
        break;
    case ITL_H_SIGNER_VERSION:
        ti = itl_add_version(tree, hf_itl_signer_version, tvb, pinfo, offset, len);
        itl_check_len(pinfo, ti, len, 2);
        break;
    default:
        if (tag > ITL_H_ENCRYPTION_INFO && tag <= ITL_H_LAST_ENC_TAG) {
            /* encrypted-config (.enc.sgn) values: shown, not interpreted */
            proto_tree_add_item(tree, hf_itl_value, tvb, offset, len, ENC_NA);
            break;
        }
        proto_tree_add_item(tree, hf_itl_value, tvb, offset, len, ENC_NA);
        expert_add_info_format(pinfo, tlv_item, &ei_itl_unknown_tag, "Unknown header tag %u", tag);
        break;
    }
}

static void
itl_dissect_header_tlvs(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset, int end,
                        itl_file_t *f, int depth)
{
    while (offset < end) {
        guint tag = tvb_get_guint8(tvb, offset);
        guint32 len;
        proto_item *ti;
        proto_tree *sub;

        if (tag == ITL_H_PADDING && depth == 0) {
            int start = offset;
            while (offset < end && tvb_get_guint8(tvb, offset) == ITL_H_PADDING)
                offset++;
            proto_tree_add_item(tree, hf_itl_padding, tvb, start, offset - start, ENC_NA);
            continue;
        }
        if (!itl_add_tlv(tvb, pinfo, tree, itl_header_tlv_hf(tag), offset, end, itl_header_tag_vals,
                         depth ? "container" : "header", f, &ti, &sub, &len))
            return;
        offset += ITL_TLV_HDR_LEN;
        itl_dissect_header_value(tvb, pinfo, sub, ti, tag, offset, len, f, depth);
        offset += len;
    }
}

static void
itl_dissect_record_value(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *tlv_item,
                         guint tag, int offset, int len, itl_record_t *r)
{
    proto_item *ti;
    guint32 v;

    switch (tag) {
    case ITL_R_RECORD_LENGTH:
        if (itl_check_len(pinfo, tlv_item, len, 2))
            proto_tree_add_item(tree, hf_itl_record_length, tvb, offset, 2, ENC_BIG_ENDIAN);
        break;
    case ITL_R_DNS_NAME:
        r->dns_name = cisco_add_string(tree, hf_itl_record_dns_name, tvb, pinfo, offset, len);
        break;
    case ITL_R_SUBJECT_NAME:
        r->subject = cisco_add_string(tree, hf_itl_record_subject_name, tvb, pinfo, offset, len);
        proto_item_append_text(tlv_item, ": %s", r->subject);
        break;
    case ITL_R_FUNCTION:
        if (itl_check_len(pinfo, tlv_item, len, 2)) {
            ti = proto_tree_add_item_ret_uint(tree, hf_itl_record_function, tvb, offset, 2, ENC_BIG_ENDIAN, &v);
            r->function = v;
            r->have_function = TRUE;
            proto_item_append_text(tlv_item, ": %s", val_to_str(v, itl_function_vals, "%u"));
            if (!try_val_to_str(v, itl_function_vals))
                expert_add_info_format(pinfo, ti, &ei_itl_unknown_function, "Unknown function (role) code %u", v);
        }
        break;
    case ITL_R_ISSUER_NAME:
        r->issuer = cisco_add_string(tree, hf_itl_record_issuer_name, tvb, pinfo, offset, len);
        break;
    case ITL_R_SERIAL_NUMBER:
        proto_tree_add_item(tree, hf_itl_record_serial_number, tvb, offset, len, ENC_NA);
        r->serial.offset = offset;
        r->serial.len = len;
        break;
    case ITL_R_PUBLIC_KEY:
        proto_tree_add_item(tree, hf_itl_record_public_key, tvb, offset, len, ENC_NA);
        r->public_key.offset = offset;
        r->public_key.len = len;
        break;
    case ITL_R_SIGNATURE:
        proto_tree_add_item(tree, hf_itl_record_signature, tvb, offset, len, ENC_NA);
        break;
    case ITL_R_CERTIFICATE:
        ti = proto_tree_add_item(tree, hf_itl_record_certificate, tvb, offset, len, ENC_NA);
        r->certificate.offset = offset;
        r->certificate.len = len;
        if (len > 0) {
            guint8 sha1[CISCO_SHA1_LEN];
            proto_tree *cert_tree = proto_item_add_subtree(ti, ett_itl_certificate);
            proto_item *gi;

            cisco_sha1(tvb_get_ptr(tvb, offset, len), len, sha1);
            gi = proto_tree_add_bytes_with_length(cert_tree, hf_itl_record_cert_sha1, tvb, offset, len,
                                                   sha1, sizeof(sha1));
            proto_item_set_generated(gi);
            proto_item_append_text(tlv_item, ": %s (SHA1 Hash HEX)",
                                   cisco_hex(pinfo->pool, sha1, sizeof(sha1), ' ', TRUE));
            cisco_call_x509(tvb, offset, len, pinfo, cert_tree);
        }
        break;
    case ITL_R_IP_ADDRESS:
        if (itl_check_len(pinfo, tlv_item, len, 4))
            proto_tree_add_item(tree, hf_itl_record_ip_address, tvb, offset, 4, ENC_BIG_ENDIAN);
        else if (len > 0)
            proto_tree_add_item(tree, hf_itl_value, tvb, offset, len, ENC_NA);
        break;
    case ITL_R_CERT_HASH:
        r->cert_hash_item = proto_tree_add_item(tree, hf_itl_record_cert_hash, tvb, offset, len, ENC_NA);
        r->cert_hash.offset = offset;
        r->cert_hash.len = len;
        break;
    case ITL_R_HASH_ALGORITHM:
        if (itl_check_len(pinfo, tlv_item, len, 1)) {
            proto_tree_add_item_ret_uint(tree, hf_itl_record_hash_algorithm, tvb, offset, 1, ENC_NA, &v);
            r->hash_algorithm = (gint)v;
        }
        break;
    default:
        if (len > 0)
            proto_tree_add_item(tree, hf_itl_value, tvb, offset, len, ENC_NA);
        expert_add_info_format(pinfo, tlv_item, &ei_itl_unknown_tag, "Unknown record tag %u", tag);
        break;
    }
}

/* The stored CERTIFICATE_HASH must be the digest of the stored certificate. */
static void
itl_check_cert_hash(tvbuff_t *tvb, packet_info *pinfo, const itl_record_t *r)
{
    guint8 digest[64];
    gint hash_id = r->hash_algorithm;

    if (!r->cert_hash.len || !r->certificate.len)
        return;
    if (!cisco_hash_len(hash_id)) {
        /* CUCM prints the algorithm as "null": go by the hash length */
        hash_id = r->cert_hash.len == 20 ? CISCO_HASH_SHA1 :
                  r->cert_hash.len == 32 ? CISCO_HASH_SHA256 :
                  r->cert_hash.len == 64 ? CISCO_HASH_SHA512 : 0;
    }
    if (!cisco_hash(hash_id, tvb_get_ptr(tvb, r->certificate.offset, r->certificate.len),
                    r->certificate.len, digest))
        return;
    if ((size_t)r->cert_hash.len != cisco_hash_len(hash_id) ||
        tvb_memeql(tvb, r->cert_hash.offset, digest, r->cert_hash.len) != 0) {
        expert_add_info_format(pinfo, r->cert_hash_item, &ei_itl_cert_hash_mismatch,
                               "Stored certificate hash is not the %s of the record's certificate (%s)",
                               val_to_str_const(hash_id, itl_hash_vals, "digest"),
                               cisco_hex(pinfo->pool, digest, cisco_hash_len(hash_id), ' ', TRUE));
    }
}

/* Remember how a CAPF record identifies the CAPF certificate. */
static void
itl_note_capf_record(tvbuff_t *tvb, itl_file_t *f, const itl_record_t *r)
{
    cisco_capf_record_t rec;

    memset(&rec, 0, sizeof(rec));
    if (r->certificate.len) {
        rec.have_cert = TRUE;
        cisco_sha1(tvb_get_ptr(tvb, r->certificate.offset, r->certificate.len), r->certificate.len, rec.cert_sha1);
    } else if (r->cert_hash.len && (size_t)r->cert_hash.len <= sizeof(rec.hash)) {
        rec.hash_id = cisco_hash_len(r->hash_algorithm) == (size_t)r->cert_hash.len ? r->hash_algorithm :
                      r->cert_hash.len == 20 ? CISCO_HASH_SHA1 :
                      r->cert_hash.len == 32 ? CISCO_HASH_SHA256 : CISCO_HASH_SHA512;
        rec.hash_len = r->cert_hash.len;
        tvb_memcpy(tvb, rec.hash, r->cert_hash.offset, r->cert_hash.len);
    } else {
        return;
    }
    wmem_array_append_one(f->capf_records, rec);
}

/* Is this record the one that signed the file (SAST, same serial/issuer)? */
static gboolean
itl_is_signer(tvbuff_t *tvb, const itl_file_t *f, const itl_record_t *r)
{
    if (!r->have_function || r->function != ITL_ROLE_SAST || !f->serial.len || r->serial.len != f->serial.len)
        return FALSE;
    if (tvb_memeql(tvb, r->serial.offset, tvb_get_ptr(tvb, f->serial.offset, f->serial.len), f->serial.len) != 0)
        return FALSE;
    return !f->issuer || !r->issuer || !*r->issuer || strcmp(f->issuer, r->issuer) == 0;
}

static int
itl_dissect_record(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset, int file_end, itl_file_t *f)
{
    itl_record_t r;
    proto_item *rec_item, *len_item;
    proto_tree *rec_tree;
    guint record_len;
    int end;

    memset(&r, 0, sizeof(r));
    r.hash_algorithm = -1;
    f->record_count++;
    rec_item = proto_tree_add_item(tree, hf_itl_record, tvb, offset, -1, ENC_NA);
    rec_tree = proto_item_add_subtree(rec_item, ett_itl_record);

    if (file_end - offset < 5 || tvb_get_guint8(tvb, offset) != ITL_R_RECORD_LENGTH ||
        tvb_get_ntohs(tvb, offset + 1) != 2) {
        proto_item_set_text(rec_item, "Record %u: not a record", f->record_count);
        proto_item_set_len(rec_item, file_end - offset);
        proto_tree_add_item(rec_tree, hf_itl_value, tvb, offset, file_end - offset, ENC_NA);
        if (file_end - offset < 5)
            expert_add_info_format(pinfo, rec_item, &ei_itl_truncated,
                                   "%d bytes left, too short for a record", file_end - offset);
        else
            expert_add_info_format(pinfo, rec_item, &ei_itl_unknown_tag,
                                   "Record does not start with RECORD_LENGTH (tag %u)", tvb_get_guint8(tvb, offset));
        f->truncated = f->truncated || file_end - offset < 5;
        return file_end;
    }
    record_len = tvb_get_ntohs(tvb, offset + 3);
    end = offset + record_len;
    if (record_len < 5 || end > file_end) {
        len_item = proto_tree_add_item(rec_tree, hf_itl_record_length, tvb, offset + 3, 2, ENC_BIG_ENDIAN);
        expert_add_info_format(pinfo, len_item, &ei_itl_truncated,
                               "Record length %u runs past the end of the file (%d bytes left)",
                               record_len, file_end - offset);
        f->truncated = TRUE;
        end = record_len < 5 ? file_end : file_end;
    }
    proto_item_set_len(rec_item, end - offset);

    while (offset < end) {
        guint tag = tvb_get_guint8(tvb, offset);
        guint32 len;
        proto_item *ti;
        proto_tree *sub;

        if (!itl_add_tlv(tvb, pinfo, rec_tree, hf_itl_header, offset, end, itl_record_tag_vals, "record", f,
                         &ti, &sub, &len))
            break;
        offset += ITL_TLV_HDR_LEN;
        itl_dissect_record_value(tvb, pinfo, sub, ti, tag, offset, len, &r);
        offset += len;
    }

    proto_item_set_text(rec_item, "Record %u: %s  %s", f->record_count,
                        r.have_function ? val_to_str(r.function, itl_function_vals, "%u") : "(no function)",
                        r.subject ? r.subject : (r.dns_name ? r.dns_name : ""));
    itl_check_cert_hash(tvb, pinfo, &r);
    if (r.have_function && r.function == ITL_ROLE_CAPF) {
        f->have_capf = TRUE;
        itl_note_capf_record(tvb, f, &r);
    }
    if (!f->signer_record && itl_is_signer(tvb, f, &r)) {
        f->signer_record = f->record_count;
        f->signer_cert = r.certificate;
        f->signer_pkcs1 = r.public_key;
        f->signer_item = rec_item;
    }
    if (r.have_function && r.function == ITL_ROLE_SAST) {
        proto_item *gi = proto_tree_add_boolean(rec_tree, hf_itl_record_signed_file, tvb, 0, 0,
                                                f->signer_record == f->record_count);
        proto_item_set_generated(gi);
    }
    return end;
}

static cisco_sig_status_t
itl_verify(tvbuff_t *tvb, packet_info *pinfo, const itl_file_t *f)
{
    guint file_len = tvb_captured_length(tvb);
    guint8 *data;
    int before, after;

    if (!f->signer_record)
        return CISCO_SIG_SIGNER_NOT_FOUND;
    if (!f->signature.len || f->truncated || file_len != tvb_reported_length(tvb))
        return CISCO_SIG_CANNOT_VERIFY;
    before = f->signature_tlv.offset;
    after = (int)file_len - itl_span_end(f->signature_tlv);
    data = (guint8 *)wmem_alloc(pinfo->pool, before + after);
    tvb_memcpy(tvb, data, 0, before);
    tvb_memcpy(tvb, data + before, itl_span_end(f->signature_tlv), after);
    return cisco_verify_rsa(f->digest,
                            f->signer_cert.len ? tvb_get_ptr(tvb, f->signer_cert.offset, f->signer_cert.len) : NULL,
                            f->signer_cert.len,
                            f->signer_pkcs1.len ? tvb_get_ptr(tvb, f->signer_pkcs1.offset, f->signer_pkcs1.len) : NULL,
                            f->signer_pkcs1.len,
                            data, before + after,
                            tvb_get_ptr(tvb, f->signature.offset, f->signature.len), f->signature.len);
}

static gboolean
itl_name_is_ctl(const char *name)
{
    const char *base;

    if (!name)
        return FALSE;
    base = strrchr(name, '/');
    base = base ? base + 1 : name;
    return g_ascii_strncasecmp(base, "CTL", 3) == 0;
}

/* The whole file; name is the transfer's file name when known. */
static int
dissect_itl_file(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const char *name)
{
    proto_item *ti, *hdr_item, *gi, *status_item;
    proto_tree *itl_tree, *hdr_tree;
    itl_file_t f;
    int file_end = (int)tvb_captured_length(tvb);
    int header_end, offset;
    cisco_sig_status_t status;
    gboolean is_ctl, signed_file;

    memset(&f, 0, sizeof(f));
    f.name = name;
    f.digest = -1;
    f.capf_records = wmem_array_new(pinfo->pool, sizeof(cisco_capf_record_t));

    ti = proto_tree_add_item(tree, proto_itl, tvb, 0, -1, ENC_NA);
    itl_tree = proto_item_add_subtree(ti, ett_itl);

    /* The header: up to HEADER_LENGTH bytes (tag 2 at offset 5). */
    f.header_length = file_end >= 10 ? tvb_get_ntohs(tvb, 8) : 0;
    header_end = (int)f.header_length;
    if (header_end < 10 || header_end > file_end) {
        f.truncated = TRUE;
        header_end = file_end;
    }
    hdr_item = proto_tree_add_none_format(itl_tree, hf_itl_header, tvb, 0, header_end, "Header");
    hdr_tree = proto_item_add_subtree(hdr_item, ett_itl_header);
    if (header_end != (int)f.header_length)
        expert_add_info_format(pinfo, hdr_item, &ei_itl_truncated,
                               "Header length %u runs past the end of the file (%d bytes)",
                               f.header_length, file_end);
    itl_dissect_header_tlvs(tvb, pinfo, hdr_tree, 0, header_end, &f, 0);

    signed_file = itl_is_signed_file_name(f.name);
    is_ctl = itl_name_is_ctl(f.name);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, signed_file ? "SGN" : is_ctl ? "CTL" : "ITL");

    offset = header_end;
    if (signed_file) {
        if (offset < file_end)
            proto_tree_add_item(itl_tree, hf_itl_payload, tvb, offset, file_end - offset, ENC_NA);
    } else {
        while (offset < file_end)
            offset = itl_dissect_record(tvb, pinfo, itl_tree, offset, file_end, &f);
        gi = proto_tree_add_uint(itl_tree, hf_itl_record_count, tvb, 0, 0, f.record_count);
        proto_item_set_generated(gi);
    }
    if (!PINFO_FD_VISITED(pinfo) && wmem_array_get_count(f.capf_records)) {
        cisco_trust_list_t *list = cisco_trust_add_list(pinfo->num, &pinfo->dst, f.name);
        for (guint i = 0; i < wmem_array_get_count(f.capf_records); i++)
            cisco_trust_add_capf(list, (const cisco_capf_record_t *)wmem_array_index(f.capf_records, i));
    }
    if (f.signer_record) {
        gi = proto_tree_add_uint(itl_tree, hf_itl_signer_record, tvb, 0, 0, f.signer_record);
        proto_item_set_generated(gi);
    }

    status = itl_verify(tvb, pinfo, &f);
    status_item = proto_tree_add_uint(itl_tree, hf_itl_signature_status, tvb,
                                      f.signature.offset, f.signature.len, status);
    proto_item_set_generated(status_item);
    switch (status) {
    case CISCO_SIG_INVALID:
        expert_add_info(pinfo, status_item, &ei_itl_bad_signature);
        break;
    case CISCO_SIG_SIGNER_NOT_FOUND:
        /* .sgn files are signed by a TFTP certificate held in the ITL/CTL,
         * never by one inside the file: nothing to report there. */
        if (!signed_file)
            expert_add_info(pinfo, status_item, &ei_itl_signer_not_found);
        break;
    case CISCO_SIG_CANNOT_VERIFY:
        if (!f.truncated)
            expert_add_info(pinfo, status_item, &ei_itl_cannot_verify);
        break;
    default:
        break;
    }
    if (!signed_file && !is_ctl && !f.have_capf && !f.truncated)
        expert_add_info(pinfo, ti, &ei_itl_no_capf);

    proto_item_append_text(ti, ": %s, %u records, signature %s", f.name ? f.name : "trust list",
                           f.record_count, val_to_str_const(status, itl_signature_status_vals, "?"));
    col_add_fstr(pinfo->cinfo, COL_INFO, "%s: %u records, signature %s", f.name ? f.name : "trust list",
                 f.record_count, val_to_str_const(status, itl_signature_status_vals, "?"));
    return tvb_captured_length(tvb);
}

static int
dissect_itl(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return dissect_itl_file(tvb, pinfo, tree, NULL);
}

static itl_transfer_t *
itl_get_transfer(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    itl_transfer_t *t = (itl_transfer_t *)conversation_get_proto_data(conv, proto_itl);

    if (!t) {
        t = wmem_new0(wmem_file_scope(), itl_transfer_t);
        conversation_add_proto_data(conv, proto_itl, t);
    }
    return t;
}

/* Post-dissector: a TFTP transfer of a trust list that never completed is
 * never handed to us by TFTP.  The first pass notes the last DATA block of
 * each trust-list transfer (TFTP fields are only primed for post-dissectors
 * on that pass); later passes (tshark -2, the GUI) mark that block when the
 * file was never delivered. */
static int
dissect_itl_transfer_check(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    itl_transfer_t *t;
    proto_item *ti;

    if (!PINFO_FD_VISITED(pinfo)) {
        field_info *op = cisco_first_field(tree, hf_tftp_opcode);
        field_info *file, *block;
        const char *name;

        if (!op || fvalue_get_uinteger(CAPF_FI_VALUE(op)) != TFTP_OPCODE_DATA)
            return 0;
        file = cisco_first_field(tree, hf_tftp_file);
        name = file ? fvalue_get_string(CAPF_FI_VALUE(file)) : NULL;
        if (!itl_name_matches(name))
            return 0;
        block = cisco_first_field(tree, hf_tftp_block);
        t = itl_get_transfer(pinfo);
        t->last_data_frame = pinfo->num;
        t->last_block = block ? fvalue_get_uinteger(CAPF_FI_VALUE(block)) : 0;
        if (!t->name)
            t->name = wmem_strdup(wmem_file_scope(), name);
        return 0;
    }
    {
        conversation_t *conv = find_conversation_pinfo(pinfo, 0);
        t = conv ? (itl_transfer_t *)conversation_get_proto_data(conv, proto_itl) : NULL;
    }
    if (!t || t->delivered || t->last_data_frame != pinfo->num ||
        !tftp_defragment_pref || !prefs_get_bool_value(tftp_defragment_pref, pref_current))
        return 0;
    ti = proto_tree_add_item(tree, proto_itl, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s, transfer incomplete", t->name);
    expert_add_info_format(pinfo, ti, &ei_itl_truncated,
                           "TFTP transfer of %s stopped after block %u: the phone did not get the whole trust list",
                           t->name, t->last_block);
    col_append_fstr(pinfo->cinfo, COL_INFO, " [%s transfer incomplete]", t->name);
    return 0;
}

static gboolean
dissect_itl_heur_tftp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const char *filename = data ? ((struct tftpinfo *)data)->filename : NULL;

    if (!itl_name_matches(filename) && !itl_header_plausible(tvb))
        return FALSE;
    if (tvb_reported_length(tvb) < 10)
        return FALSE;
    if (!PINFO_FD_VISITED(pinfo))
        itl_get_transfer(pinfo)->delivered = TRUE;
    dissect_itl_file(tvb, pinfo, tree, filename);
    return TRUE;
}

static gboolean
dissect_itl_heur_http(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!itl_header_plausible(tvb))
        return FALSE;
    dissect_itl_file(tvb, pinfo, tree, NULL);
    return TRUE;
}

/* HTTP bodies labelled application/octet-stream (what a web server says for
 * .tlv) go to this media type handler instead of straight to "data"; what is
 * not a trust list still goes to the previous handler. */
static int
dissect_itl_octet_stream(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (itl_header_plausible(tvb))
        return dissect_itl_file(tvb, pinfo, tree, NULL);
    if (octet_stream_handle)
        return call_dissector_with_data(octet_stream_handle, tvb, pinfo, tree, data);
    return call_data_dissector(tvb, pinfo, tree);
}

/* Wireshark 4.0 reassembles multi-block TFTP files only with
 * tftp.defragment on, and it is off by default; trust lists are almost always
 * larger than one block.  Make "on" the default (a user's own preference
 * setting or -o tftp.defragment:FALSE still wins). */
static void
itl_enable_tftp_defragment(void)
{
    module_t *tftp = prefs_find_module("tftp");

    tftp_defragment_pref = tftp ? prefs_find_preference(tftp, "defragment") : NULL;
    if (!tftp_defragment_pref || !itl_enable_tftp_reassembly)
        return;
    prefs_set_bool_value(tftp_defragment_pref, TRUE, pref_default);
    prefs_set_bool_value(tftp_defragment_pref, TRUE, pref_current);
}

void
proto_register_itl(void)
{
    static hf_register_info hf[] = {
        { &hf_itl_header,
          { "TLV", "itl.tlv", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_tag,
          { "Tag", "itl.tag", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_tlv_length,
          { "Length", "itl.length", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_value,
          { "Value", "itl.value", FT_BYTES, BASE_NONE, NULL, 0x0, "Value of an unknown or malformed TLV", HFILL } },
        { &hf_itl_version,
          { "Version", "itl.version", FT_STRING, BASE_NONE, NULL, 0x0, "Header version (major.minor)", HFILL } },
        { &hf_itl_header_length,
          { "Header Length", "itl.header_length", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_signer_info,
          { "Signer Info", "itl.signer_info", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_signer_name,
          { "Signer Name", "itl.signer_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_serial_number,
          { "Serial Number", "itl.serial_number", FT_BYTES, SEP_COLON, NULL, 0x0,
            "Serial number of the signer's certificate", HFILL } },
        { &hf_itl_issuer_name,
          { "Issuer Name", "itl.issuer_name", FT_STRINGZ, BASE_NONE, NULL, 0x0,
            "Issuer (CA name) of the signer's certificate", HFILL } },
        { &hf_itl_signature_info,
          { "Signature Info", "itl.signature_info", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_digest_algorithm,
          { "Digest Algorithm", "itl.digest_algorithm", FT_UINT8, BASE_DEC, VALS(itl_hash_vals), 0x0,
            NULL, HFILL } },
        { &hf_itl_sig_algorithm_info,
          { "Signature Algorithm Info", "itl.signature_algorithm_info", FT_NONE, BASE_NONE, NULL, 0x0,
            NULL, HFILL } },
        { &hf_itl_signature_algorithm,
          { "Signature Algorithm", "itl.signature_algorithm", FT_UINT8, BASE_DEC,
            VALS(itl_signature_algorithm_vals), 0x0, NULL, HFILL } },
        { &hf_itl_signature_modulus,
          { "Signature Modulus", "itl.signature_modulus", FT_UINT8, BASE_DEC, VALS(itl_modulus_vals), 0x0,
            "RSA key size of the signer", HFILL } },
        { &hf_itl_signature,
          { "Signature", "itl.signature", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_padding,
          { "Padding", "itl.padding", FT_BYTES, BASE_NONE, NULL, 0x0,
            "0x0D bytes that round the header length up to a multiple of 4", HFILL } },
        { &hf_itl_filename,
          { "Filename", "itl.filename", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_timestamp,
          { "Timestamp", "itl.timestamp", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC, NULL, 0x0,
            "Signing time", HFILL } },
        { &hf_itl_signer_version,
          { "Signer Version", "itl.signer_version", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_encryption_info,
          { "Encryption Info", "itl.encryption_info", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record,
          { "Record", "itl.record", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_length,
          { "Record Length", "itl.record.length", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_dns_name,
          { "DNS Name", "itl.record.dns_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_subject_name,
          { "Subject Name", "itl.record.subject_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_function,
          { "Function", "itl.record.function", FT_UINT16, BASE_DEC, VALS(itl_function_vals), 0x0,
            "Role of the certificate", HFILL } },
        { &hf_itl_record_issuer_name,
          { "Issuer Name", "itl.record.issuer_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_serial_number,
          { "Serial Number", "itl.record.serial_number", FT_BYTES, SEP_COLON, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_public_key,
          { "Public Key", "itl.record.public_key", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_signature,
          { "Signature", "itl.record.signature", FT_BYTES, BASE_NONE, NULL, 0x0,
            "The certificate's own signature", HFILL } },
        { &hf_itl_record_certificate,
          { "Certificate", "itl.record.certificate", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_ip_address,
          { "IP Address", "itl.record.ip_address", FT_IPv4, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_cert_hash,
          { "Certificate Hash", "itl.record.cert_hash", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_record_hash_algorithm,
          { "Hash Algorithm", "itl.record.hash_algorithm", FT_UINT8, BASE_DEC, VALS(itl_hash_vals), 0x0,
            NULL, HFILL } },
        { &hf_itl_record_cert_sha1,
          { "Certificate SHA-1", "itl.record.cert_sha1", FT_BYTES, BASE_NONE, NULL, 0x0,
            "SHA-1 of the record's certificate, as show itl prints it", HFILL } },
        { &hf_itl_record_signed_file,
          { "Signed This File", "itl.record.signed_file", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "This etoken was (not) used to sign the file", HFILL } },
        { &hf_itl_record_count,
          { "Record Count", "itl.record_count", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_itl_signer_record,
          { "Signer Record", "itl.signer_record", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The SAST record whose key signed the file", HFILL } },
        { &hf_itl_signature_status,
          { "Signature Status", "itl.signature.status", FT_UINT8, BASE_DEC, VALS(itl_signature_status_vals), 0x0,
            NULL, HFILL } },
        { &hf_itl_payload,
          { "Signed File", "itl.payload", FT_BYTES, BASE_NONE, NULL, 0x0, "The file a .sgn header signs", HFILL } },
    };

    static gint *ett[] = {
        &ett_itl,
        &ett_itl_header,
        &ett_itl_tlv,
        &ett_itl_record,
        &ett_itl_certificate,
    };

    static ei_register_info ei[] = {
        { &ei_itl_no_capf,
          { "itl.expert.no_capf", PI_PROTOCOL, PI_WARN,
            "ITL has no CAPF record: the phone will report \"No valid CAPF server\"", EXPFILL } },
        { &ei_itl_bad_signature,
          { "itl.expert.bad_signature", PI_SECURITY, PI_ERROR,
            "Trust list signature does not verify with the signer's key: the phone will reject this file",
            EXPFILL } },
        { &ei_itl_signer_not_found,
          { "itl.expert.signer_not_found", PI_SECURITY, PI_WARN,
            "No SAST record matches the signer named in the header: a phone that has a trust list "
            "must check this signer through TVS", EXPFILL } },
        { &ei_itl_cannot_verify,
          { "itl.expert.cannot_verify", PI_SECURITY, PI_NOTE,
            "Signature cannot be verified (unsupported digest or signer key)", EXPFILL } },
        { &ei_itl_truncated,
          { "itl.expert.truncated", PI_MALFORMED, PI_ERROR, "Trust list truncated", EXPFILL } },
        { &ei_itl_unknown_tag,
          { "itl.expert.unknown_tag", PI_UNDECODED, PI_WARN, "Unknown tag", EXPFILL } },
        { &ei_itl_cert_hash_mismatch,
          { "itl.expert.cert_hash_mismatch", PI_SECURITY, PI_WARN,
            "Stored certificate hash does not match the record's certificate", EXPFILL } },
        { &ei_itl_unknown_function,
          { "itl.expert.unknown_function", PI_UNDECODED, PI_NOTE, "Unknown function (role) code", EXPFILL } },
        { &ei_itl_too_deep,
          { "itl.expert.too_deep", PI_MALFORMED, PI_ERROR, "Containers nested too deep", EXPFILL } },
        { &ei_itl_bad_length,
          { "itl.expert.bad_length", PI_MALFORMED, PI_WARN, "Value has an unexpected length", EXPFILL } },
    };

    module_t *itl_module;
    expert_module_t *expert_itl;

    proto_itl = proto_register_protocol("Cisco ITL/CTL Trust List", "ITL", "itl");
    proto_register_field_array(proto_itl, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_itl = expert_register_protocol(proto_itl);
    expert_register_field_array(expert_itl, ei, array_length(ei));

    itl_handle = register_dissector("itl", dissect_itl, proto_itl);
    register_init_routine(cisco_trust_reset);

    itl_module = prefs_register_protocol(proto_itl, NULL);
    prefs_register_bool_preference(itl_module, "tftp_reassembly",
                                   "Turn on TFTP reassembly by default",
                                   "Trust lists are longer than one TFTP block; Wireshark only reassembles "
                                   "TFTP files with tftp.defragment on, which is off by default.  With this "
                                   "set (the default), the plugin makes \"on\" TFTP's default at start-up. "
                                   "Takes effect at the next start.",
                                   &itl_enable_tftp_reassembly);
}

void
proto_reg_handoff_itl(void)
{
    heur_dissector_add("tftp", dissect_itl_heur_tftp, "Cisco ITL/CTL trust list over TFTP", "itl_tftp",
                       proto_itl, HEURISTIC_ENABLE);
    heur_dissector_add("http", dissect_itl_heur_http, "Cisco ITL/CTL trust list over HTTP", "itl_http",
                       proto_itl, HEURISTIC_ENABLE);
    /* CUCM's TFTP service also serves its files over HTTP on TCP 6970. */
    http_tcp_port_add(ITL_HTTP_TCP_PORT);
    dissector_add_for_decode_as("media_type", itl_handle);
    octet_stream_handle = dissector_get_string_handle(find_dissector_table("media_type"), "application/octet-stream");
    dissector_add_string("media_type", "application/octet-stream",
                         create_dissector_handle(dissect_itl_octet_stream, proto_itl));
    itl_enable_tftp_defragment();

    {
        static const char *const names[] = { "tftp.opcode", "tftp.destination_file", "tftp.block" };
        static int *const ids[] = { &hf_tftp_opcode, &hf_tftp_file, &hf_tftp_block };
        cisco_register_postdissector(create_dissector_handle(dissect_itl_transfer_check, proto_itl),
                                     names, ids, G_N_ELEMENTS(ids));
    }
}
