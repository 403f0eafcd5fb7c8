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
 * See doc/protocol.md section 3 (tlvfile/sgnfile by Gareth Palmer,
 * Cisco's show itl / show ctl output).
 */

#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/prefs-int.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-http.h>

#include "ws-compat.h"
#include "cisco-crypto.h"
#include "cisco-dissect.h"
#include "cisco-tlv.h"
#include "cisco-trust.h"
#include "tap-cisco.h"

void proto_register_itl(void);
void proto_reg_handoff_itl(void);

#define ITL_HTTP_TCP_PORT   6970

static int proto_itl = -1;
static int itl_tap = -1;

static int hf_itl_tlv = -1;
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
static int hf_itl_problem_detail = -1;
static int hf_itl_sgn_signer_trust_list = -1;
static int hf_itl_sgn_signer_in_trust_list = -1;
static int hf_itl_sgn_signer_record = -1;
static int hf_itl_sgn_signer_function = -1;

static gint ett_itl = -1;
static gint ett_itl_header = -1;
static gint ett_itl_tlv = -1;
static gint ett_itl_record = -1;
static gint ett_itl_certificate = -1;
static gint ett_itl_problem = -1;

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
static expert_field ei_itl_sgn_signer_untrusted = EI_INIT;
static expert_field ei_itl_sgn_no_trust_list = EI_INIT;

/* The short names the Info column of a trust list's frame shows for its
 * experts, after the file's kind: "[ITL without CAPF record]", several joined
 * with "; ".  The signature's experts have none: the Info column names the
 * signature status already ("signature invalid"). */
static const struct {
    expert_field *ei;
    const char *info;
} itl_expert_names[] = {
    { &ei_itl_no_capf,              "without CAPF record" },
    { &ei_itl_truncated,            "truncated" },
    { &ei_itl_unknown_tag,          "unknown tag" },
    { &ei_itl_cert_hash_mismatch,   "certificate hash mismatch" },
    { &ei_itl_unknown_function,     "unknown function" },
    { &ei_itl_bad_length,           "bad length" },
    { &ei_itl_too_deep,             "containers nested too deep" },
    { &ei_itl_sgn_signer_untrusted, "signer not trusted" },
    { &ei_itl_sgn_no_trust_list,    "without trust list" },
};

/* Notes an expert of this frame for the Info column (a bit per name). */
static void
itl_note_expert(guint *shown, const expert_field *ei)
{
    for (guint i = 0; i < array_length(itl_expert_names); i++)
        if (itl_expert_names[i].ei == ei)
            *shown |= 1u << i;
}

static dissector_handle_t itl_handle;
static dissector_handle_t octet_stream_handle;  /* media_type's previous owner */
static dissector_handle_t cnf_handle;           /* SEP<MAC>.cnf.xml inside a .sgn */

static wsc_bool itl_enable_tftp_reassembly = TRUE;
static pref_t *tftp_defragment_pref;

/* What the post-dissector reads of TFTP for cut-short transfers, without a
 * protocol tree (packet-tftp.c; the same in 4.0, 4.4 and 4.6):
 * - per frame (file scope, under key 1), the full block number of a DATA or
 *   ACK frame;
 * - per transfer, the conversation TFTP makes at the read or write request
 *   (client address and port, any server port), whose proto data begins with
 *   the requested file name. */
static int proto_tftp = -1;
static protocol_t *itl_protocol;
#define TFTP_FULL_BLOCKNUM_KEY 1
typedef struct {
    guint16 blocksize;
    const guint8 *source_file;          /* read request */
    const guint8 *destination_file;     /* write request */
} tftp_conv_info_head_t;

/* Private data TFTP passes to its heuristic subdissectors (packet-tftp.h,
 * which libwireshark-dev does not install; unchanged from 4.0 to 4.6). */
struct tftpinfo {
    const char *filename;
};

/* One TFTP transfer of a trust list (per TFTP data conversation). */
typedef struct {
    const char *name;
    guint32 last_data_frame;
    guint32 last_block;
    gboolean delivered;         /* TFTP handed the whole file to us */
    gint8 trust_list;           /* the requested name is a trust list's: 1 yes, -1 no, 0 not looked yet */
    gboolean read_request;      /* RRQ (DATA from the server), else WRQ */
} itl_transfer_t;

/* Every transfer of this file (file scope), and the frames that are some
 * transfer's last DATA frame, rebuilt after the first pass changed them: a
 * later pass looks for the transfer (three conversation lookups) only in
 * those frames, not in every TFTP frame. */
static wmem_list_t *itl_transfers;
static wmem_map_t *itl_last_data_frames;
static gboolean itl_last_data_frames_stale;
/* The TFTP conversation of the latest trust-list transfer by client UDP
 * port, noted (first pass) on the request frame, which carries the name.  A
 * DATA frame with neither port in it belongs to no trust-list transfer: no
 * conversation lookup.  A noted conversation TFTP used for this frame
 * (cisco_conversation_used_now()) is the frame's; otherwise (a port used by
 * two clients, or again for another file) the frame's is looked up. */
static wmem_map_t *itl_client_ports;

static itl_transfer_t *
itl_new_transfer(conversation_t *conv)
{
    itl_transfer_t *t = wmem_new0(wmem_file_scope(), itl_transfer_t);

    conversation_add_proto_data(conv, proto_itl, t);
    if (!itl_transfers)
        itl_transfers = wmem_list_new(wmem_file_scope());
    wmem_list_append(itl_transfers, t);
    return t;
}

/* Whether frame is the last DATA frame of any transfer, as the first pass
 * left them. */
static gboolean
itl_is_last_data_frame(guint32 frame)
{
    if (itl_last_data_frames_stale || !itl_last_data_frames) {
        itl_last_data_frames = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
        if (itl_transfers)
            for (wmem_list_frame_t *f = wmem_list_head(itl_transfers); f; f = wmem_list_frame_next(f)) {
                const itl_transfer_t *t = (const itl_transfer_t *)wmem_list_frame_data(f);
                if (t->last_data_frame)
                    wmem_map_insert(itl_last_data_frames, GUINT_TO_POINTER(t->last_data_frame), GINT_TO_POINTER(1));
            }
        itl_last_data_frames_stale = FALSE;
    }
    return wmem_map_contains(itl_last_data_frames, GUINT_TO_POINTER(frame));
}

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
itl_header_plausible(tvbuff_t *tvb)
{
    guint len = MIN(tvb_captured_length(tvb), 10);

    return cisco_tlv_plausible(tvb_get_ptr(tvb, 0, len), len, tvb_reported_length(tvb));
}

/* major.minor, two bytes: a string, so that filters read like the file
 * (itl.version == "1.2") */
static proto_item *
itl_add_version(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo, cisco_span_t v)
{
    const char *version;

    if (v.len != 2)
        return proto_tree_add_item(tree, hf_itl_value, tvb, v.offset, v.len, ENC_NA);
    version = wmem_strdup_printf(pinfo->pool, "%u.%u", tvb_get_uint8(tvb, v.offset), tvb_get_uint8(tvb, v.offset + 1));
    return proto_tree_add_string(tree, hf, tvb, v.offset, 2, version);
}

/* Containers get a field of their own; every other TLV is an itl.tlv. */
static int
itl_header_tlv_hf(guint tag)
{
    switch (tag) {
    case CISCO_TLV_H_SIGNER_INFO:         return hf_itl_signer_info;
    case CISCO_TLV_H_SIGNATURE_INFO:      return hf_itl_signature_info;
    case CISCO_TLV_H_SIG_ALGORITHM_INFO:  return hf_itl_sig_algorithm_info;
    case CISCO_TLV_H_ENCRYPTION_INFO:     return hf_itl_encryption_info;
    default:                              return hf_itl_tlv;
    }
}

/* The TLV item with its tag and length; returns its subtree. */
static proto_tree *
itl_add_tlv(tvbuff_t *tvb, proto_tree *tree, int hf, const cisco_tlv_item_t *it, const value_string *tag_vals,
            proto_item **item)
{
    proto_tree *sub;

    /* nothing to add to (a first pass): the items below would only check
     * that the header's three bytes were captured, which the parse did */
    if (!tree && (guint)it->offset + CISCO_TLV_HDR_LEN <= tvb_captured_length(tvb)) {
        *item = NULL;
        return NULL;
    }
    *item = proto_tree_add_none_format(tree, hf, tvb, it->offset, CISCO_TLV_HDR_LEN + it->value.len, "%s (%u)",
                                       val_to_str_const(it->tag, tag_vals, "Unknown"), it->tag);
    sub = proto_item_add_subtree(*item, ett_itl_tlv);
    proto_tree_add_item(sub, hf_itl_tag, tvb, it->offset, 1, ENC_NA);
    proto_tree_add_item(sub, hf_itl_tlv_length, tvb, it->offset + 1, 2, ENC_BIG_ENDIAN);
    return sub;
}

/* The value of a header TLV (containers: nothing, their TLVs follow). */
static void
itl_add_header_value(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *tlv_item,
                     const cisco_tlv_item_t *it)
{
    cisco_span_t v = it->value;
    const guint8 *str;
    guint32 u;

    if (it->container) {
        /* a container left closed (nested too deep): its bytes */
        if (it->depth >= CISCO_TLV_MAX_DEPTH && v.len)
            proto_tree_add_item(tree, hf_itl_value, tvb, v.offset, v.len, ENC_NA);
        return;
    }
    switch (it->tag) {
    case CISCO_TLV_H_VERSION:
        itl_add_version(tree, hf_itl_version, tvb, pinfo, v);
        break;
    case CISCO_TLV_H_HEADER_LENGTH:
        if (v.len == 2)
            proto_tree_add_item(tree, hf_itl_header_length, tvb, v.offset, 2, ENC_BIG_ENDIAN);
        break;
    case CISCO_TLV_H_SIGNER_NAME:
        proto_tree_add_item_ret_string(tree, hf_itl_signer_name, tvb, v.offset, v.len, ENC_ASCII, pinfo->pool, &str);
        proto_item_append_text(tlv_item, ": %s", str);
        break;
    case CISCO_TLV_H_SERIAL_NUMBER:
        proto_tree_add_item(tree, hf_itl_serial_number, tvb, v.offset, v.len, ENC_NA);
        break;
    case CISCO_TLV_H_ISSUER_NAME:
        proto_tree_add_item(tree, hf_itl_issuer_name, tvb, v.offset, v.len, ENC_ASCII);
        break;
    case CISCO_TLV_H_DIGEST_ALGORITHM:
        if (v.len == 1) {
            proto_tree_add_item_ret_uint(tree, hf_itl_digest_algorithm, tvb, v.offset, 1, ENC_NA, &u);
            proto_item_append_text(tlv_item, ": %s", WSC_VAL_TO_STR(pinfo->pool, u, cisco_tlv_hash_vals, "unknown (%u)"));
        }
        break;
    case CISCO_TLV_H_SIGNATURE_ALGORITHM:
        if (v.len == 1)
            proto_tree_add_item(tree, hf_itl_signature_algorithm, tvb, v.offset, 1, ENC_NA);
        break;
    case CISCO_TLV_H_SIGNATURE_MODULUS:
        if (v.len == 1)
            proto_tree_add_item(tree, hf_itl_signature_modulus, tvb, v.offset, 1, ENC_NA);
        break;
    case CISCO_TLV_H_SIGNATURE:
        proto_tree_add_item(tree, hf_itl_signature, tvb, v.offset, v.len, ENC_NA);
        proto_item_append_text(tlv_item, ": %u bytes", v.len);
        break;
    case CISCO_TLV_H_FILENAME:
        proto_tree_add_item_ret_string(tree, hf_itl_filename, tvb, v.offset, v.len, ENC_ASCII, pinfo->pool, &str);
        proto_item_append_text(tlv_item, ": %s", str);
        break;
    case CISCO_TLV_H_TIMESTAMP:
        if (v.len == 4)
            proto_tree_add_item(tree, hf_itl_timestamp, tvb, v.offset, 4, ENC_TIME_SECS | ENC_BIG_ENDIAN);
        break;
    case CISCO_TLV_H_SIGNER_VERSION:
        itl_add_version(tree, hf_itl_signer_version, tvb, pinfo, v);
        break;
    default:
        /* encrypted-config (.enc.sgn) values and unknown tags: the bytes */
        if (v.len)
            proto_tree_add_item(tree, hf_itl_value, tvb, v.offset, v.len, ENC_NA);
        break;
    }
}

static void
itl_add_record_value(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *tlv_item,
                     const cisco_tlv_item_t *it, const cisco_tlv_record_t *r)
{
    cisco_span_t v = it->value;
    proto_item *ti;

    /* the names below are only shown: without a tree, decoding them would
     * only check that they were captured */
    gboolean names = tree || (guint)v.offset + v.len > tvb_captured_length(tvb);

    switch (it->tag) {
    case CISCO_TLV_R_RECORD_LENGTH:
        if (v.len == 2)
            proto_tree_add_item(tree, hf_itl_record_length, tvb, v.offset, 2, ENC_BIG_ENDIAN);
        break;
    case CISCO_TLV_R_DNS_NAME:
        if (names)
            cisco_add_string(tree, hf_itl_record_dns_name, tvb, pinfo, v.offset, v.len);
        break;
    case CISCO_TLV_R_SUBJECT_NAME:
        if (names)
            proto_item_append_text(tlv_item, ": %s",
                               cisco_add_string(tree, hf_itl_record_subject_name, tvb, pinfo, v.offset, v.len));
        break;
    case CISCO_TLV_R_FUNCTION:
        if (v.len == 2) {
            guint32 u;
            proto_tree_add_item_ret_uint(tree, hf_itl_record_function, tvb, v.offset, 2, ENC_BIG_ENDIAN, &u);
            proto_item_append_text(tlv_item, ": %s", WSC_VAL_TO_STR(pinfo->pool, u, cisco_tlv_function_vals, "%u"));
        }
        break;
    case CISCO_TLV_R_ISSUER_NAME:
        if (names)
            cisco_add_string(tree, hf_itl_record_issuer_name, tvb, pinfo, v.offset, v.len);
        break;
    case CISCO_TLV_R_SERIAL_NUMBER:
        proto_tree_add_item(tree, hf_itl_record_serial_number, tvb, v.offset, v.len, ENC_NA);
        break;
    case CISCO_TLV_R_PUBLIC_KEY:
        proto_tree_add_item(tree, hf_itl_record_public_key, tvb, v.offset, v.len, ENC_NA);
        break;
    case CISCO_TLV_R_SIGNATURE:
        proto_tree_add_item(tree, hf_itl_record_signature, tvb, v.offset, v.len, ENC_NA);
        break;
    case CISCO_TLV_R_CERTIFICATE:
        ti = proto_tree_add_item(tree, hf_itl_record_certificate, tvb, v.offset, v.len, ENC_NA);
        if (v.len > 0 && r->certificate.offset == v.offset) {
            proto_tree *cert_tree = proto_item_add_subtree(ti, ett_itl_certificate);
            proto_item *gi = proto_tree_add_bytes_with_length(cert_tree, hf_itl_record_cert_sha1, tvb, v.offset,
                                                               v.len, r->cert_sha1, CISCO_SHA1_LEN);
            proto_item_set_generated(gi);
            proto_item_append_text(tlv_item, ": %s (SHA1 Hash HEX)",
                                   cisco_hex(pinfo->pool, r->cert_sha1, CISCO_SHA1_LEN, ' ', TRUE));
            cisco_call_x509(tvb, v.offset, v.len, pinfo, cert_tree);
        }
        break;
    case CISCO_TLV_R_IP_ADDRESS:
        if (v.len == 4)
            proto_tree_add_item(tree, hf_itl_record_ip_address, tvb, v.offset, 4, ENC_BIG_ENDIAN);
        else if (v.len > 0)
            proto_tree_add_item(tree, hf_itl_value, tvb, v.offset, v.len, ENC_NA);
        break;
    case CISCO_TLV_R_CERT_HASH:
        proto_tree_add_item(tree, hf_itl_record_cert_hash, tvb, v.offset, v.len, ENC_NA);
        break;
    case CISCO_TLV_R_HASH_ALGORITHM:
        if (v.len == 1)
            proto_tree_add_item(tree, hf_itl_record_hash_algorithm, tvb, v.offset, 1, ENC_NA);
        break;
    default:
        if (v.len > 0)
            proto_tree_add_item(tree, hf_itl_value, tvb, v.offset, v.len, ENC_NA);
        break;
    }
}

static proto_item *
itl_add_record(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const cisco_tlv_file_t *f, guint rec_index,
               proto_item **items)
{
    const cisco_tlv_record_t *r = cisco_tlv_record(f, rec_index);
    proto_item *rec_item;
    proto_tree *rec_tree;

    rec_item = proto_tree_add_item(tree, hf_itl_record, tvb, r->span.offset, r->span.len, ENC_NA);
    rec_tree = proto_item_add_subtree(rec_item, ett_itl_record);
    if (!r->valid) {
        proto_item_set_text(rec_item, "Record %u: not a record", rec_index + 1);
        proto_tree_add_item(rec_tree, hf_itl_value, tvb, r->span.offset, r->span.len, ENC_NA);
        return rec_item;
    }
    for (guint i = r->first_item; i < r->first_item + r->n_items; i++) {
        const cisco_tlv_item_t *it = cisco_tlv_item(f, i);
        proto_tree *sub = itl_add_tlv(tvb, rec_tree, hf_itl_tlv, it, cisco_tlv_record_tag_vals, &items[i]);
        itl_add_record_value(tvb, pinfo, sub, items[i], it, r);
    }
    proto_item_set_text(rec_item, "Record %u: %s  %s", rec_index + 1,
                        r->function >= 0 ? WSC_VAL_TO_STR(pinfo->pool, r->function, cisco_tlv_function_vals, "%u") : "(no function)",
                        r->subject ? r->subject : (r->dns_name ? r->dns_name : ""));
    if (r->function == CISCO_TLV_ROLE_SAST) {
        proto_item *gi = proto_tree_add_boolean(rec_tree, hf_itl_record_signed_file, tvb, 0, 0, r->signed_file);
        proto_item_set_generated(gi);
    }
    return rec_item;
}

static expert_field *
itl_problem_expert(cisco_tlv_problem_kind_t kind)
{
    switch (kind) {
    case CISCO_TLV_TRUNCATED:           return &ei_itl_truncated;
    case CISCO_TLV_UNKNOWN_TAG:         return &ei_itl_unknown_tag;
    case CISCO_TLV_BAD_LENGTH:          return &ei_itl_bad_length;
    case CISCO_TLV_UNKNOWN_FUNCTION:    return &ei_itl_unknown_function;
    case CISCO_TLV_CERT_HASH_MISMATCH:  return &ei_itl_cert_hash_mismatch;
    case CISCO_TLV_TOO_DEEP:
    default:                            return &ei_itl_too_deep;
    }
}

/* The roles whose certificate signs TFTP files (.sgn): TFTP, CCM+TFTP. */
#define ITL_ROLE_CCM_TFTP   2
#define ITL_ROLE_TFTP       3
#define ITL_ROLE_SIGNS_SGN(function) ((function) == ITL_ROLE_TFTP || (function) == ITL_ROLE_CCM_TFTP)

/* Remember the trust list: how its CAPF records identify the CAPF
 * certificate (the CAPF dissector's certificate-mismatch verdict, the
 * configuration's CAPF check), and the records that can sign a .sgn file. */
static void
itl_note_capf_records(packet_info *pinfo, const cisco_tlv_file_t *f, const char *name)
{
    cisco_trust_list_t *list;

    if (f->signed_file)
        return;
    list = cisco_trust_add_list(pinfo->num, &pinfo->dst, name);
    for (guint i = 0; i < wmem_array_get_count(f->records); i++) {
        const cisco_tlv_record_t *r = cisco_tlv_record(f, i);
        cisco_capf_record_t rec;

        if (r->valid && r->serial.len && (r->certificate.len || r->public_key.len)) {
            cisco_trust_cert_t c;

            memset(&c, 0, sizeof(c));
            c.record = i + 1;
            c.function = r->function;
            c.subject = r->subject;
            c.issuer = r->issuer;
            c.serial = f->data + r->serial.offset;
            c.serial_len = r->serial.len;
            /* the key only of the records that may sign a .sgn (a fleet
             * fetches the same ITL thousands of times) */
            if (ITL_ROLE_SIGNS_SGN(r->function)) {
                c.cert = r->certificate.len ? f->data + r->certificate.offset : NULL;
                c.cert_len = r->certificate.len;
                c.pkcs1 = r->public_key.len ? f->data + r->public_key.offset : NULL;
                c.pkcs1_len = r->public_key.len;
            }
            cisco_trust_add_cert(list, &c);
        }
        if (r->function != CISCO_TLV_ROLE_CAPF)
            continue;
        memset(&rec, 0, sizeof(rec));
        if (r->have_cert_sha1) {
            rec.have_cert = TRUE;
            memcpy(rec.cert_sha1, r->cert_sha1, CISCO_SHA1_LEN);
        } else if (r->cert_hash.len && r->cert_hash.len <= sizeof(rec.hash) && cisco_tlv_cert_hash_id(r)) {
            /* (a stored hash of no known kind identifies nothing: no record) */
            rec.hash_id = cisco_tlv_cert_hash_id(r);
            rec.hash_len = r->cert_hash.len;
            memcpy(rec.hash, f->data + r->cert_hash.offset, r->cert_hash.len);
        } else {
            continue;
        }
        cisco_trust_add_capf(list, &rec);
    }
}

/*** Trust lists already parsed in this capture, by content ***/

/* A fleet fetches the same ITLFile.tlv (or the same bytes as many
 * ITLSEP<MAC>.tlv) again and again; parsing it, hashing its certificates and
 * finding its signature result again for every transfer was most of what
 * trust lists cost.  A parse depends only on the bytes, how long the file
 * really is (reported length: a cut file cannot be verified) and, for a
 * file with a name, whether the name says .sgn.  The cache keeps a copy of
 * the bytes and compares them whole, so only identical files share a
 * result.  Everything lives in file scope; at most ITL_PARSE_CACHE_BYTES of
 * file bytes are kept (later files are parsed for their frame only). */
#define ITL_PARSE_CACHE_BYTES   (16 * 1024 * 1024)
#define ITL_PARSE_HASH_SPAN     64      /* bytes hashed at each end of the file */

typedef struct {
    const guint8 *data;
    guint len;
    guint reported_len;
    gint8 signed_name;          /* 1 .sgn name, 0 other name, -1 no name */
} itl_parse_key_t;

static wmem_map_t *itl_parse_cache;     /* itl_parse_key_t * -> cisco_tlv_file_t * */
static size_t itl_parse_cache_bytes;

static guint
itl_parse_key_hash(gconstpointer k)
{
    const itl_parse_key_t *key = (const itl_parse_key_t *)k;
    guint span = MIN(key->len, ITL_PARSE_HASH_SPAN);
    guint h = key->len * 31 + key->reported_len * 17 + (guint)(key->signed_name + 1);

    for (guint i = 0; i < span; i++)
        h = h * 33 + key->data[i] + key->data[key->len - 1 - i];
    return h;
}

static gboolean
itl_parse_key_equal(gconstpointer a, gconstpointer b)
{
    const itl_parse_key_t *x = (const itl_parse_key_t *)a, *y = (const itl_parse_key_t *)b;

    return x->len == y->len && x->reported_len == y->reported_len && x->signed_name == y->signed_name &&
           memcmp(x->data, y->data, x->len) == 0;
}

static void
itl_parse_cache_init(void)
{
    itl_parse_cache = NULL;     /* its file scope is gone */
    itl_parse_cache_bytes = 0;
    itl_transfers = NULL;
    itl_last_data_frames = NULL;
    itl_last_data_frames_stale = FALSE;
    itl_client_ports = NULL;
}

static const cisco_tlv_file_t *
itl_parse(tvbuff_t *tvb, packet_info *pinfo, const char *name)
{
    guint len = tvb_captured_length(tvb);
    itl_parse_key_t key = { tvb_get_ptr(tvb, 0, len), len, tvb_reported_length(tvb),
                            (gint8)(name ? cisco_tlv_is_signed_file_name(name) : -1) };
    itl_parse_key_t *stored;
    cisco_tlv_file_t *f;

    if (!itl_parse_cache)
        itl_parse_cache = wmem_map_new(wmem_file_scope(), itl_parse_key_hash, itl_parse_key_equal);
    f = (cisco_tlv_file_t *)wmem_map_lookup(itl_parse_cache, &key);
    if (f)
        return f;
    if (itl_parse_cache_bytes + len > ITL_PARSE_CACHE_BYTES)
        return cisco_tlv_parse(pinfo->pool, key.data, len, key.reported_len, name);
    stored = wmem_new(wmem_file_scope(), itl_parse_key_t);
    *stored = key;
    stored->data = (const guint8 *)wmem_memdup(wmem_file_scope(), key.data, len);
    f = cisco_tlv_parse(wmem_file_scope(), stored->data, len, key.reported_len, name);
    wmem_map_insert(itl_parse_cache, stored, f);
    itl_parse_cache_bytes += len;
    return f;
}

/*** .sgn files: the signer is a record of the phone's trust list ***/

/* Who signed this .sgn, by the trust lists the phone (pinfo->dst, who
 * receives the file) got before this frame; else those of the whole capture.
 * The same answer in every pass: only lists of earlier frames count. */
static cisco_sig_status_t
itl_sgn_verify(packet_info *pinfo, const cisco_tlv_file_t *f, guint reported_len, const cisco_trust_list_t **list,
               const cisco_trust_cert_t **signer)
{
    *signer = cisco_trust_find_signer(pinfo->num, &pinfo->dst, f->serial.len ? f->data + f->serial.offset : NULL,
                                      f->serial.len, f->issuer, list);
    if (!*signer || !ITL_ROLE_SIGNS_SGN((*signer)->function))
        return f->status;       /* signer not in file (nor with a TFTP role in a trust list) */
    return cisco_tlv_verify_with(pinfo->pool, f, reported_len, (*signer)->cert, (*signer)->cert_len,
                                 (*signer)->cert ? NULL : (*signer)->pkcs1, (*signer)->pkcs1_len);
}

/* An expert on the signature status with its detail beneath it. */
static void
itl_sgn_expert(tvbuff_t *tvb, packet_info *pinfo, proto_item *status_item, expert_field *ei, guint *shown,
               const char *text, const char *detail)
{
    proto_item *gi;

    expert_add_info_format(pinfo, status_item, ei, "%s", text);
    itl_note_expert(shown, ei);
    gi = proto_tree_add_string(proto_item_add_subtree(status_item, ett_itl_problem), hf_itl_problem_detail, tvb,
                               0, 0, detail);
    proto_item_set_generated(gi);
}

static void
itl_sgn_report(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *status_item,
               const cisco_tlv_file_t *f, const cisco_trust_list_t *list, const cisco_trust_cert_t *signer,
               guint *shown)
{
    const char *who = f->signer_name ? cisco_clamp(pinfo->pool, f->signer_name, 120) : "the signer";
    proto_item *gi;

    if (!list) {
        itl_sgn_expert(tvb, pinfo, status_item, &ei_itl_sgn_no_trust_list, shown,
                       "Signed file, but no trust list (ITL/CTL) was seen before it: its signature cannot be checked",
                       wmem_strdup_printf(pinfo->pool, "Signer %s; a phone without a trust list accepts the file "
                                          "unchecked", who));
        return;
    }
    gi = proto_tree_add_uint(tree, hf_itl_sgn_signer_trust_list, tvb, 0, 0, list->frame);
    proto_item_set_generated(gi);
    gi = proto_tree_add_boolean(tree, hf_itl_sgn_signer_in_trust_list, tvb, 0, 0, signer != NULL);
    proto_item_set_generated(gi);
    if (!signer) {
        itl_sgn_expert(tvb, pinfo, status_item, &ei_itl_sgn_signer_untrusted, shown,
                       wmem_strdup_printf(pinfo->pool, "The signer is not in %s (frame %u): the phone rejects "
                                          "this file", cisco_clamp(pinfo->pool, list->name, CISCO_NAME_MAX),
                                          list->frame),
                       wmem_strdup_printf(pinfo->pool, "Signer %s, serial %s; %s", who,
                                          cisco_hex(pinfo->pool, f->data + f->serial.offset, f->serial.len, ':',
                                                    TRUE),
                                          addresses_equal(&list->phone, &pinfo->dst) ?
                                              "that is the trust list the phone has" :
                                              "the last trust list of the capture (this phone got none)"));
        return;
    }
    gi = proto_tree_add_uint(tree, hf_itl_sgn_signer_record, tvb, 0, 0, signer->record);
    proto_item_set_generated(gi);
    if (signer->function >= 0) {
        gi = proto_tree_add_uint(tree, hf_itl_sgn_signer_function, tvb, 0, 0, (guint32)signer->function);
        proto_item_set_generated(gi);
    }
    if (!ITL_ROLE_SIGNS_SGN(signer->function))
        itl_sgn_expert(tvb, pinfo, status_item, &ei_itl_sgn_signer_untrusted, shown,
                       wmem_strdup_printf(pinfo->pool, "The signer is in %s (frame %u) without a TFTP role: the "
                                          "phone does not accept it for a TFTP file",
                                          cisco_clamp(pinfo->pool, list->name, CISCO_NAME_MAX), list->frame),
                       wmem_strdup_printf(pinfo->pool, "Signer %s is record %u, role %s, not TFTP or CCM+TFTP",
                                          who, signer->record,
                                          signer->function >= 0 ?
                                              WSC_VAL_TO_STR(pinfo->pool, signer->function, cisco_tlv_function_vals,
                                                             "%u") : "(none)"));
}

/* The whole file; name is the transfer's file name when known. */
static int
dissect_itl_file(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const char *name)
{
    guint len = tvb_captured_length(tvb);
    const cisco_tlv_file_t *f;
    proto_item *ti, *hdr_item, *gi, *status_item;
    proto_tree *itl_tree, *hdr_tree;
    proto_tree *level[CISCO_TLV_MAX_DEPTH + 1];
    proto_item **items, **rec_items;
    guint n_items, n_records, i;
    const char *kind;
    itl_tap_info_t *tap;
    guint shown = 0;            /* experts for the Info column, see itl_expert_names */
    cisco_sig_status_t status;
    const cisco_trust_list_t *sgn_list = NULL;
    const cisco_trust_cert_t *sgn_signer = NULL;

    f = itl_parse(tvb, pinfo, name);
    if (!name)
        name = f->filename;
    kind = cisco_tlv_kind(f, name);
    n_items = wmem_array_get_count(f->items);
    n_records = wmem_array_get_count(f->records);
    items = wmem_alloc0_array(pinfo->pool, proto_item *, n_items + 1);
    rec_items = wmem_alloc0_array(pinfo->pool, proto_item *, n_records + 1);

    col_set_str(pinfo->cinfo, COL_PROTOCOL, f->signed_file ? "SGN" : kind);
    ti = proto_tree_add_item(tree, proto_itl, tvb, 0, -1, ENC_NA);
    itl_tree = proto_item_add_subtree(ti, ett_itl);

    hdr_item = proto_tree_add_none_format(itl_tree, hf_itl_header, tvb, 0, f->header_end, "Header");
    hdr_tree = proto_item_add_subtree(hdr_item, ett_itl_header);
    level[0] = hdr_tree;
    for (i = 0; i < n_items; i++) {
        const cisco_tlv_item_t *it = cisco_tlv_item(f, i);
        proto_tree *sub;

        if (it->record >= 0)
            break;
        if (it->padding) {
            items[i] = proto_tree_add_item(level[0], hf_itl_padding, tvb, it->value.offset, it->value.len, ENC_NA);
            continue;
        }
        sub = itl_add_tlv(tvb, level[it->depth], itl_header_tlv_hf(it->tag), it, cisco_tlv_header_tag_vals,
                          &items[i]);
        itl_add_header_value(tvb, pinfo, sub, items[i], it);
        if (it->container && it->depth < CISCO_TLV_MAX_DEPTH)
            level[it->depth + 1] = sub;
    }

    if (f->signed_file) {
        if (f->payload.len)
            proto_tree_add_item(itl_tree, hf_itl_payload, tvb, f->payload.offset, f->payload.len, ENC_NA);
    } else {
        for (i = 0; i < n_records; i++)
            rec_items[i] = itl_add_record(tvb, pinfo, itl_tree, f, i, items);
        gi = proto_tree_add_uint(itl_tree, hf_itl_record_count, tvb, 0, 0, n_records);
        proto_item_set_generated(gi);
    }

    for (i = 0; i < wmem_array_get_count(f->problems); i++) {
        const cisco_tlv_problem_t *p = cisco_tlv_problem(f, i);
        proto_item *target = p->item >= 0 ? items[p->item] : p->record >= 0 ? rec_items[p->record] :
                             p->header ? hdr_item : NULL;
        expert_field *ei = itl_problem_expert(p->kind);

        if (target)
            expert_add_info_format(pinfo, target, ei, "%s", p->text);
        else
            target = proto_tree_add_expert_format(itl_tree, pinfo, ei, tvb, p->span.offset, p->span.len, "%s",
                                                  p->text);
        itl_note_expert(&shown, ei);
        if (p->detail && target) {
            /* beside the expert, under the item it is on */
            proto_tree *sub = proto_item_get_subtree(target);

            gi = proto_tree_add_string(sub ? sub : proto_item_add_subtree(target, ett_itl_problem),
                                       hf_itl_problem_detail, tvb, 0, 0, p->detail);
            proto_item_set_generated(gi);
        }
    }

    if (!PINFO_FD_VISITED(pinfo))
        itl_note_capf_records(pinfo, f, name);
    if (f->signer_record) {
        gi = proto_tree_add_uint(itl_tree, hf_itl_signer_record, tvb, 0, 0, f->signer_record);
        proto_item_set_generated(gi);
    }

    status = f->signed_file ? itl_sgn_verify(pinfo, f, tvb_reported_length(tvb), &sgn_list, &sgn_signer)
                            : f->status;
    status_item = proto_tree_add_uint(itl_tree, hf_itl_signature_status, tvb, f->signature.offset,
                                      f->signature.len, status);
    proto_item_set_generated(status_item);
    if (f->signed_file)
        itl_sgn_report(tvb, pinfo, itl_tree, status_item, f, sgn_list, sgn_signer, &shown);
    switch (status) {
    case CISCO_SIG_INVALID:
        expert_add_info(pinfo, status_item, &ei_itl_bad_signature);
        break;
    case CISCO_SIG_SIGNER_NOT_FOUND:
        /* .sgn files are signed by a TFTP certificate held in the ITL/CTL,
         * never by one inside the file: itl_sgn_report() said it. */
        if (!f->signed_file)
            expert_add_info(pinfo, status_item, &ei_itl_signer_not_found);
        break;
    case CISCO_SIG_CANNOT_VERIFY:
        if (!f->truncated)
            expert_add_info(pinfo, status_item, &ei_itl_cannot_verify);
        break;
    default:
        break;
    }
    if (!f->signed_file && strcmp(kind, "CTL") != 0 && !f->have_capf && !f->truncated) {
        expert_add_info(pinfo, ti, &ei_itl_no_capf);
        itl_note_expert(&shown, &ei_itl_no_capf);
    }

    proto_item_append_text(ti, ": %s, %u records, signature %s",
                           name ? cisco_clamp(pinfo->pool, name, CISCO_NAME_MAX) : "trust list",
                           n_records, val_to_str_const(status, cisco_tlv_sig_status_vals, "?"));
    col_add_fstr(pinfo->cinfo, COL_INFO, "%s: %u records, signature %s", name ? name : "trust list",
                 n_records, val_to_str_const(status, cisco_tlv_sig_status_vals, "?"));
    if (shown) {
        const char *sep = " [";

        for (i = 0; i < array_length(itl_expert_names); i++) {
            if (shown & (1u << i)) {
                col_append_fstr(pinfo->cinfo, COL_INFO, "%s%s %s", sep, f->signed_file ? "SGN" : kind,
                                itl_expert_names[i].info);
                sep = "; ";
            }
        }
        col_append_str(pinfo->cinfo, COL_INFO, "]");
    }

    /* the signed file itself, when it is a phone configuration (the cnf
     * dissector looks at the name and the content) */
    if (f->signed_file && f->payload.len && cnf_handle)
        call_dissector_only(cnf_handle, tvb_new_subset_remaining(tvb, f->payload.offset), pinfo, tree,
                            (void *)name);

    if (have_tap_listener(itl_tap)) {
        tap = wmem_new0(pinfo->pool, itl_tap_info_t);
        tap->file = f;
        tap->name = name;
        if (f->signed_file && !sgn_list)
            tap->verdict = "no trust list seen";
        else if (f->signed_file && (!sgn_signer || !ITL_ROLE_SIGNS_SGN(sgn_signer->function)))
            tap->verdict = "signer not trusted";
        else
            tap->verdict = val_to_str_const(status, cisco_tlv_sig_status_vals, "?");
        tap_queue_packet(itl_tap, pinfo, tap);
    }
    return len;
}

static int
dissect_itl(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return dissect_itl_file(tvb, pinfo, tree, NULL);
}

static itl_transfer_t *
itl_get_transfer(packet_info *pinfo)
{
    /* TFTP's own conversation for the transfer, where there is one */
    conversation_t *conv = wsc_find_client_conversation(pinfo, proto_tftp);
    itl_transfer_t *t;

    if (!conv)
        conv = find_or_create_conversation(pinfo);
    t = (itl_transfer_t *)conversation_get_proto_data(conv, proto_itl);
    if (!t)
        t = itl_new_transfer(conv);
    return t;
}

/* The trust-list transfer of a TFTP conversation, classified by the name
 * TFTP took from its request (first pass); NULL when it is no trust list's. */
static itl_transfer_t *
itl_conversation_transfer(conversation_t *conv)
{
    itl_transfer_t *t = (itl_transfer_t *)conversation_get_proto_data(conv, proto_itl);

    if (!t || t->trust_list == 0) {
        const tftp_conv_info_head_t *tftp = (const tftp_conv_info_head_t *)conversation_get_proto_data(conv, proto_tftp);
        const char *name = tftp ? (const char *)(tftp->source_file ? tftp->source_file : tftp->destination_file)
                                : NULL;

        if (!tftp)
            return NULL;
        if (!t)
            t = itl_new_transfer(conv);
        t->trust_list = itl_name_matches(name) ? 1 : -1;
        t->read_request = tftp->source_file != NULL;
        if (t->trust_list > 0 && !t->name)
            t->name = wmem_strdup(wmem_file_scope(), name);
    }
    return t->trust_list > 0 ? t : NULL;
}

/* The trust-list transfer this TFTP DATA frame belongs to, first pass; NULL
 * for any other frame.  A frame of TFTP that is neither DATA nor ACK (a
 * request, an option acknowledgement, an error) classifies its transfer and
 * notes the client port of a trust list's. */
static itl_transfer_t *
itl_data_frame_transfer(packet_info *pinfo, guint32 *block)
{
    conversation_t *conv;
    itl_transfer_t *t;
    gboolean from_client;

    *block = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_tftp, TFTP_FULL_BLOCKNUM_KEY));
    if (*block == 0) {          /* not DATA nor ACK (or the ACK of a write request) */
        conv = wsc_find_client_conversation(pinfo, proto_tftp);
        /* (a port stays noted: another client may use it for a trust list
         * at the same time) */
        if (conv && itl_conversation_transfer(conv)) {
            if (!itl_client_ports)
                itl_client_ports = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
            wmem_map_insert(itl_client_ports, GUINT_TO_POINTER(conversation_key_port1(conv->key_ptr)), conv);
        }
        return NULL;
    }
    if (!itl_client_ports)
        return NULL;
    {
        conversation_t *by_src = (conversation_t *)wmem_map_lookup(itl_client_ports, GUINT_TO_POINTER(pinfo->srcport));
        conversation_t *by_dst = (conversation_t *)wmem_map_lookup(itl_client_ports, GUINT_TO_POINTER(pinfo->destport));

        if (!by_src && !by_dst)
            return NULL;
        if (cisco_conversation_used_now(by_src, pinfo))
            conv = by_src;
        else if (cisco_conversation_used_now(by_dst, pinfo))
            conv = by_dst;
        else
            conv = wsc_find_client_conversation(pinfo, proto_tftp);
    }
    t = conv ? itl_conversation_transfer(conv) : NULL;
    if (!t)
        return NULL;
    /* DATA goes to the client of a read request, from the client of a write */
    from_client = addresses_equal(&pinfo->src, conversation_key_addr1(conv->key_ptr)) &&
                  pinfo->srcport == conversation_key_port1(conv->key_ptr);
    return from_client == t->read_request ? NULL : t;
}

/* Post-dissector: a TFTP transfer of a trust list that never completed is
 * never handed to us by TFTP.  The first pass notes the last DATA block of
 * each trust-list transfer; later passes (tshark -2, the GUI) mark that block
 * when the file was never delivered.  It reads TFTP's own per-frame and
 * per-conversation data, so it asks for no field (a wanted field makes tshark
 * build a tree for every frame of every capture). */
static int
dissect_itl_transfer_check(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    itl_transfer_t *t;
    proto_item *ti;

    /* TFTP frames only (whether TFTP was a layer of this frame: one lookup,
     * cheaper than its per-frame data on the RTP and DNS of every capture) */
    if (pinfo->ptype != PT_UDP || !wsc_proto_layers(pinfo, proto_tftp) || !proto_is_protocol_enabled(itl_protocol))
        return 0;
    if (!PINFO_FD_VISITED(pinfo)) {
        guint32 block;

        t = itl_data_frame_transfer(pinfo, &block);
        if (!t)
            return 0;
        t->last_data_frame = pinfo->num;
        t->last_block = block;
        itl_last_data_frames_stale = TRUE;
        return 0;
    }
    if (!itl_is_last_data_frame(pinfo->num))
        return 0;
    {
        conversation_t *conv = wsc_find_client_conversation(pinfo, proto_tftp);
        t = conv ? (itl_transfer_t *)conversation_get_proto_data(conv, proto_itl) : NULL;
    }
    if (!t || t->delivered || t->last_data_frame != pinfo->num ||
        !tftp_defragment_pref || !prefs_get_bool_value(tftp_defragment_pref, pref_current))
        return 0;
    /* the handle has no protocol: the expert info says whose it is */
    pinfo->current_proto = "ITL";
    ti = proto_tree_add_item(tree, proto_itl, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s, transfer incomplete", cisco_clamp(pinfo->pool, t->name, CISCO_NAME_MAX));
    expert_add_info_format(pinfo, ti, &ei_itl_truncated,
                           "TFTP transfer of %s stopped after block %u: the phone did not get the whole trust list",
                           cisco_clamp(pinfo->pool, t->name, CISCO_NAME_MAX), t->last_block);
    col_append_fstr(pinfo->cinfo, COL_INFO, " [%s transfer incomplete]", t->name);
    return 0;
}

static wsc_bool
dissect_itl_heur_tftp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const char *filename = data ? ((struct tftpinfo *)data)->filename : NULL;

    if (!itl_name_matches(filename) && !itl_header_plausible(tvb))
        return FALSE;
    if (tvb_reported_length(tvb) < 10)
        return FALSE;
    if (!PINFO_FD_VISITED(pinfo))
        itl_get_transfer(pinfo)->delivered = TRUE;
    /* before the dissection, which may throw on a broken file */
    cisco_tftp_export(tvb, pinfo, filename);
    dissect_itl_file(tvb, pinfo, tree, filename);
    return TRUE;
}

static wsc_bool
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
        { &hf_itl_tlv,
          { "TLV", "itl.tlv", FT_NONE, BASE_NONE, NULL, 0x0,
            "A TLV of the header or of a record without a field of its own", HFILL } },
        { &hf_itl_header,
          { "Header", "itl.header", FT_NONE, BASE_NONE, NULL, 0x0,
            "The file's header: signer, signature and file TLVs", HFILL } },
        { &hf_itl_tag,
          { "Tag", "itl.tag", FT_UINT8, BASE_DEC, NULL, 0x0, "Tag of a header or record element (1 byte)", HFILL } },
        { &hf_itl_tlv_length,
          { "Length", "itl.length", FT_UINT16, BASE_DEC, NULL, 0x0, "Length of the element's value (2 bytes, big-endian)", HFILL } },
        { &hf_itl_value,
          { "Value", "itl.value", FT_BYTES, BASE_NONE, NULL, 0x0, "Value of an unknown or malformed TLV", HFILL } },
        { &hf_itl_version,
          { "Version", "itl.version", FT_STRING, BASE_NONE, NULL, 0x0, "Header version (major.minor)", HFILL } },
        { &hf_itl_header_length,
          { "Header Length", "itl.header_length", FT_UINT16, BASE_DEC, NULL, 0x0, "Length of the signed header, records or payload start after it", HFILL } },
        { &hf_itl_signer_info,
          { "Signer Info", "itl.signer_info", FT_NONE, BASE_NONE, NULL, 0x0, "Who signed the file: signer name, serial number, issuer", HFILL } },
        { &hf_itl_signer_name,
          { "Signer Name", "itl.signer_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, "Subject name of the signing certificate", HFILL } },
        { &hf_itl_serial_number,
          { "Serial Number", "itl.serial_number", FT_BYTES, SEP_COLON, NULL, 0x0,
            "Serial number of the signer's certificate", HFILL } },
        { &hf_itl_issuer_name,
          { "Issuer Name", "itl.issuer_name", FT_STRINGZ, BASE_NONE, NULL, 0x0,
            "Issuer (CA name) of the signer's certificate", HFILL } },
        { &hf_itl_signature_info,
          { "Signature Info", "itl.signature_info", FT_NONE, BASE_NONE, NULL, 0x0, "Digest and signature algorithms of the file signature", HFILL } },
        { &hf_itl_digest_algorithm,
          { "Digest Algorithm", "itl.digest_algorithm", FT_UINT8, BASE_DEC, VALS(cisco_tlv_hash_vals), 0x0,
            "Hash algorithm of the file signature (SHA-1 or SHA-512)", HFILL } },
        { &hf_itl_sig_algorithm_info,
          { "Signature Algorithm Info", "itl.signature_algorithm_info", FT_NONE, BASE_NONE, NULL, 0x0,
            "Signature algorithm container", HFILL } },
        { &hf_itl_signature_algorithm,
          { "Signature Algorithm", "itl.signature_algorithm", FT_UINT8, BASE_DEC,
            VALS(cisco_tlv_signature_algorithm_vals), 0x0, "Signature algorithm (RSA PKCS#1 v1.5)", HFILL } },
        { &hf_itl_signature_modulus,
          { "Signature Modulus", "itl.signature_modulus", FT_UINT8, BASE_DEC, VALS(cisco_tlv_modulus_vals), 0x0,
            "RSA key size of the signer", HFILL } },
        { &hf_itl_signature,
          { "Signature", "itl.signature", FT_BYTES, BASE_NONE, NULL, 0x0, "The file signature, over the header without it plus the records or payload", HFILL } },
        { &hf_itl_padding,
          { "Padding", "itl.padding", FT_BYTES, BASE_NONE, NULL, 0x0,
            "0x0D bytes that round the header length up to a multiple of 4", HFILL } },
        { &hf_itl_filename,
          { "Filename", "itl.filename", FT_STRINGZ, BASE_NONE, NULL, 0x0, "File name written in the header (ITLFile.tlv, CTLFile.tlv, or the .sgn file's name)", HFILL } },
        { &hf_itl_timestamp,
          { "Timestamp", "itl.timestamp", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC, NULL, 0x0,
            "Signing time", HFILL } },
        { &hf_itl_signer_version,
          { "Signer Version", "itl.signer_version", FT_STRING, BASE_NONE, NULL, 0x0, "Version written by the signing tool", HFILL } },
        { &hf_itl_encryption_info,
          { "Encryption Info", "itl.encryption_info", FT_NONE, BASE_NONE, NULL, 0x0, "Encrypted configuration (.enc.sgn) key and IV information", HFILL } },
        { &hf_itl_record,
          { "Record", "itl.record", FT_NONE, BASE_NONE, NULL, 0x0, "One trust-list record: a certificate with its role", HFILL } },
        { &hf_itl_record_length,
          { "Record Length", "itl.record.length", FT_UINT16, BASE_DEC, NULL, 0x0, "Length of the record in bytes", HFILL } },
        { &hf_itl_record_dns_name,
          { "DNS Name", "itl.record.dns_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, "DNS name or IP address of the server the record's certificate belongs to", HFILL } },
        { &hf_itl_record_subject_name,
          { "Subject Name", "itl.record.subject_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, "Subject name of the record's certificate", HFILL } },
        { &hf_itl_record_function,
          { "Function", "itl.record.function", FT_UINT16, BASE_DEC, VALS(cisco_tlv_function_vals), 0x0,
            "Role of the certificate", HFILL } },
        { &hf_itl_record_issuer_name,
          { "Issuer Name", "itl.record.issuer_name", FT_STRINGZ, BASE_NONE, NULL, 0x0, "Issuer name of the record's certificate", HFILL } },
        { &hf_itl_record_serial_number,
          { "Serial Number", "itl.record.serial_number", FT_BYTES, SEP_COLON, NULL, 0x0, "Serial number of the record's certificate", HFILL } },
        { &hf_itl_record_public_key,
          { "Public Key", "itl.record.public_key", FT_BYTES, BASE_NONE, NULL, 0x0, "Public key of the record's certificate", HFILL } },
        { &hf_itl_record_signature,
          { "Signature", "itl.record.signature", FT_BYTES, BASE_NONE, NULL, 0x0,
            "The certificate's own signature", HFILL } },
        { &hf_itl_record_certificate,
          { "Certificate", "itl.record.certificate", FT_BYTES, BASE_NONE, NULL, 0x0, "The record's DER X.509 certificate", HFILL } },
        { &hf_itl_record_ip_address,
          { "IP Address", "itl.record.ip_address", FT_IPv4, BASE_NONE, NULL, 0x0, "IPv4 address of the server the record's certificate belongs to", HFILL } },
        { &hf_itl_record_cert_hash,
          { "Certificate Hash", "itl.record.cert_hash", FT_BYTES, BASE_NONE, NULL, 0x0, "Hash of the record's certificate (CERTIFICATE_HASH), how phones compare certificates", HFILL } },
        { &hf_itl_record_hash_algorithm,
          { "Hash Algorithm", "itl.record.hash_algorithm", FT_UINT8, BASE_DEC, VALS(cisco_tlv_hash_vals), 0x0,
            "Hash algorithm of the record's certificate hash", HFILL } },
        { &hf_itl_record_cert_sha1,
          { "Certificate SHA-1", "itl.record.cert_sha1", FT_BYTES, BASE_NONE, NULL, 0x0,
            "SHA-1 of the record's certificate, as show itl prints it", HFILL } },
        { &hf_itl_record_signed_file,
          { "Signed This File", "itl.record.signed_file", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "This etoken was (not) used to sign the file", HFILL } },
        { &hf_itl_record_count,
          { "Record Count", "itl.record_count", FT_UINT32, BASE_DEC, NULL, 0x0, "Number of records in the trust list", HFILL } },
        { &hf_itl_signer_record,
          { "Signer Record", "itl.signer_record", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The SAST record whose key signed the file", HFILL } },
        { &hf_itl_signature_status,
          { "Signature Status", "itl.signature.status", FT_UINT8, BASE_DEC, VALS(cisco_tlv_sig_status_vals), 0x0,
            "Result of checking the file signature with the signer's certificate", HFILL } },
        { &hf_itl_problem_detail,
          { "Problem detail", "itl.problem_detail", FT_STRING, BASE_NONE, NULL, 0x0,
            "The detail of the trust-list problem beside it; for itl.expert.cert_hash_mismatch, the hash "
            "of the record's certificate (what the stored hash should be)", HFILL } },
        { &hf_itl_payload,
          { "Signed File", "itl.payload", FT_BYTES, BASE_NONE, NULL, 0x0, "The file a .sgn header signs", HFILL } },
        { &hf_itl_sgn_signer_trust_list,
          { "Signer's Trust List", "itl.sgn.signer_trust_list", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "Frame of the trust list (the phone's, received before) the .sgn signer was looked up in", HFILL } },
        { &hf_itl_sgn_signer_in_trust_list,
          { "Signer In Trust List", "itl.sgn.signer_in_trust_list", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The .sgn signer (issuer and serial number) is a record of that trust list", HFILL } },
        { &hf_itl_sgn_signer_record,
          { "Signer's Record", "itl.sgn.signer_record", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The record of that trust list that is the .sgn signer", HFILL } },
        { &hf_itl_sgn_signer_function,
          { "Signer's Role", "itl.sgn.signer_function", FT_UINT16, BASE_DEC, VALS(cisco_tlv_function_vals), 0x0,
            "Role of that record (a .sgn file must be signed by a TFTP or CCM+TFTP certificate)", HFILL } },
    };

    static gint *ett[] = {
        &ett_itl,
        &ett_itl_header,
        &ett_itl_tlv,
        &ett_itl_record,
        &ett_itl_certificate,
        &ett_itl_problem,
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
        { &ei_itl_bad_length,
          { "itl.expert.bad_length", PI_MALFORMED, PI_WARN, "Value has an unexpected length", EXPFILL } },
        { &ei_itl_too_deep,
          { "itl.expert.too_deep", PI_MALFORMED, PI_ERROR, "Containers nested too deep", EXPFILL } },
        { &ei_itl_sgn_signer_untrusted,
          { "itl.expert.sgn_signer_untrusted", PI_SECURITY, PI_ERROR,
            "The .sgn signer is not a TFTP certificate of the phone's trust list: the phone rejects the file",
            EXPFILL } },
        { &ei_itl_sgn_no_trust_list,
          { "itl.expert.sgn_no_trust_list", PI_SECURITY, PI_WARN,
            "Signed file, but no trust list was seen before it: its signature cannot be checked", EXPFILL } },
    };

    module_t *itl_module;
    expert_module_t *expert_itl;

    proto_itl = proto_register_protocol("Cisco ITL/CTL Trust List", "ITL", "itl");
    proto_register_field_array(proto_itl, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_itl = expert_register_protocol(proto_itl);
    expert_register_field_array(expert_itl, ei, array_length(ei));

    itl_handle = register_dissector("itl", dissect_itl, proto_itl);
    itl_tap = register_tap("itl");
    cisco_trust_register();
    register_init_routine(itl_parse_cache_init);

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
    /* its own description: 4.6 refuses two handles of a table described alike ("ITL") */
    dissector_add_string("media_type", "application/octet-stream",
                         create_dissector_handle_with_name_and_description(dissect_itl_octet_stream, proto_itl,
                             "itl_octet_stream", "ITL/CTL in application/octet-stream"));
    itl_enable_tftp_defragment();
    cisco_dissect_handoff();
    cnf_handle = find_dissector("cnf");

    proto_tftp = proto_get_id_by_filter_name("tftp");
    itl_protocol = find_protocol_by_id(proto_itl);
    /* no protocol on the handle: no layer added and removed again on every
     * frame of every capture (it checks that ITL is enabled itself) */
    cisco_add_postdissector(PT_UDP, dissect_itl_transfer_check);
}
