/* packet-capf.c
 * Routines for Cisco CAPF (Certificate Authority Proxy Function) dissection
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/*
 * CAPF is how Cisco IP phones and Jabber clients obtain a Locally
 * Significant Certificate (LSC) from CUCM (or CME).  The phone connects to
 * TCP 3804; TLS starts at once; inside it each message is
 *
 *   protocol id (0x55) | command u8 | session id u32 | body length u16
 *
 * followed by elements (tag u8 | length u16 | value).  All integers are
 * big-endian.  No public specification exists: see
 * doc/protocol.md sections 1 and 2 (capfd/capfc by Gareth Palmer, Jabber4Linux's
 * notes from decrypted CUCM captures, Cisco's CAPF documentation).
 */

#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/tvbuff.h>
#include <epan/show_exception.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-ber.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-tls.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "ws-compat.h"
#include "capf-int.h"
#include "cisco-crypto.h"
#include "cisco-dissect.h"
#include "cisco-trust.h"
#include "tap-cisco.h"

void proto_register_capf(void);
void proto_reg_handoff_capf(void);

int proto_capf = -1;

static int hf_capf_protocol_id = -1;
static int hf_capf_command = -1;
static int hf_capf_session_id = -1;
static int hf_capf_length = -1;
static int hf_capf_element = -1;
static int hf_capf_element_tag = -1;
static int hf_capf_element_length = -1;
static int hf_capf_element_value = -1;
static int hf_capf_reason = -1;
static int hf_capf_reason_info = -1;
static int hf_capf_reason_info_code = -1;
static int hf_capf_certificate_type = -1;
static int hf_capf_cert_block = -1;
static int hf_capf_cert_block_tag = -1;
static int hf_capf_cert_block_length = -1;
static int hf_capf_cert_block_reserved = -1;
static int hf_capf_certificate = -1;
static int hf_capf_certificate_subject = -1;
static int hf_capf_certificate_issuer = -1;
static int hf_capf_certificate_serial = -1;
static int hf_capf_certificate_sha1 = -1;
static int hf_capf_certificate_key = -1;
static int hf_capf_certificate_id = -1;
static int hf_capf_signed_data = -1;
static int hf_capf_version = -1;
static int hf_capf_auth_type = -1;
static int hf_capf_public_key = -1;
static int hf_capf_public_key_type = -1;
static int hf_capf_key_size = -1;
static int hf_capf_password = -1;
static int hf_capf_retry_delay = -1;
static int hf_capf_device_name = -1;
static int hf_capf_sudi_data = -1;
static int hf_capf_sudi_type = -1;
static int hf_capf_sudi_length = -1;
static int hf_capf_sudi_certificate = -1;
static int hf_capf_sudi_signature = -1;
static int hf_capf_key_type = -1;
static int hf_capf_curve = -1;
static int hf_capf_digest_type = -1;
static int hf_capf_sha2_signed_data = -1;
static int hf_capf_sha2_hash = -1;
static int hf_capf_sha2_length = -1;
static int hf_capf_sha2_signature = -1;
static int hf_capf_response_in = -1;
static int hf_capf_response_to = -1;
static int hf_capf_time = -1;
int hf_capf_session = -1;
static int hf_capf_session_device_name = -1;
static int hf_capf_session_auth_type = -1;
static int hf_capf_session_operation = -1;
static int hf_capf_session_key = -1;
static int hf_capf_session_outcome = -1;
static int hf_capf_session_failure = -1;
static int hf_capf_session_serial = -1;

gint ett_capf = -1;
static gint ett_capf_element = -1;
static gint ett_capf_cert_block = -1;
static gint ett_capf_certificate = -1;
static gint ett_capf_public_key = -1;
static gint ett_capf_sudi = -1;
static gint ett_capf_sha2 = -1;
static gint ett_capf_session = -1;

static expert_field ei_capf_bad_protocol_id = EI_INIT;
static expert_field ei_capf_unknown_command = EI_INIT;
static expert_field ei_capf_unknown_element = EI_INIT;
static expert_field ei_capf_element_overrun = EI_INIT;
static expert_field ei_capf_element_length = EI_INIT;
static expert_field ei_capf_nested_malformed = EI_INIT;
static expert_field ei_capf_truncated = EI_INIT;
static expert_field ei_capf_bad_certificate = EI_INIT;
static expert_field ei_capf_password = EI_INIT;
static expert_field ei_capf_session_id_changed = EI_INIT;
static expert_field ei_capf_unmatched_response = EI_INIT;

dissector_handle_t capf_handle;
dissector_handle_t capf_tcp_handle;
dissector_handle_t tls_handle;
static dissector_handle_t port_owner_handle;    /* HiQnet on TCP 3804 */

static wsc_bool capf_desegment = TRUE;

static const value_string capf_command_vals[] = {
    { CAPF_AUTH_REQUEST,                "AUTH_REQUEST" },
    { CAPF_AUTH_RESPONSE,               "AUTH_RESPONSE" },
    { CAPF_KEY_GENERATE_REQUEST,        "KEY_GENERATE_REQUEST" },
    { CAPF_KEY_GENERATE_RESPONSE,       "KEY_GENERATE_RESPONSE" },
    { CAPF_ENCRYPT_RESPONSE,            "ENCRYPT_RESPONSE" },
    { CAPF_ENCRYPT_REQUEST,             "ENCRYPT_REQUEST" },
    { CAPF_DECRYPT_REQUEST,             "DECRYPT_REQUEST" },
    { CAPF_DECRYPT_RESPONSE,            "DECRYPT_RESPONSE" },
    { CAPF_STORE_CERTIFICATE_REQUEST,   "STORE_CERTIFICATE_REQUEST" },
    { CAPF_STORE_CERTIFICATE_RESPONSE,  "STORE_CERTIFICATE_RESPONSE" },
    { CAPF_FETCH_CERTIFICATE_REQUEST,   "FETCH_CERTIFICATE_REQUEST" },
    { CAPF_FETCH_CERTIFICATE_RESPONSE,  "FETCH_CERTIFICATE_RESPONSE" },
    { CAPF_DELETE_CERTIFICATE_REQUEST,  "DELETE_CERTIFICATE_REQUEST" },
    { CAPF_DELETE_CERTIFICATE_RESPONSE, "DELETE_CERTIFICATE_RESPONSE" },
    { CAPF_END_SESSION,                 "END_SESSION" },
    { CAPF_RETRY_LATER,                 "RETRY_LATER" },
    { CAPF_REQUEST_IN_PROGRESS,         "REQUEST_IN_PROGRESS" },
    { CAPF_STATUS_REQUEST,              "STATUS_REQUEST" },
    { CAPF_STATUS_RESPONSE,             "STATUS_RESPONSE" },
    { CAPF_ABORT_REQUEST,               "ABORT_REQUEST" },
    { CAPF_ABORT_RESPONSE,              "ABORT_RESPONSE" },
    { CAPF_SIGN_CERTIFICATE_REQUEST,    "SIGN_CERTIFICATE_REQUEST" },
    { CAPF_SIGN_CERTIFICATE_RESPONSE,   "SIGN_CERTIFICATE_RESPONSE" },
    { 0, NULL }
};
value_string_ext capf_command_vals_ext = VALUE_STRING_EXT_INIT(capf_command_vals);

static const value_string capf_element_vals[] = {
    { CAPF_EL_REASON,           "REASON" },
    { CAPF_EL_REASON_INFO,      "REASON_INFO" },
    { CAPF_EL_CERTIFICATE_TYPE, "CERTIFICATE_TYPE" },
    { CAPF_EL_CERTIFICATE,      "CERTIFICATE" },
    { CAPF_EL_CERTIFICATE_ID,   "CERTIFICATE_ID" },
    { CAPF_EL_SIGNED_DATA,      "SIGNED_DATA" },
    { CAPF_EL_VERSION,          "VERSION" },
    { CAPF_EL_AUTH_TYPE,        "AUTH_TYPE" },
    { CAPF_EL_PUBLIC_KEY,       "PUBLIC_KEY" },
    { CAPF_EL_KEY_SIZE,         "KEY_SIZE" },
    { CAPF_EL_PASSWORD,         "PASSWORD" },
    { CAPF_EL_RETRY_DELAY,      "RETRY_DELAY" },
    { CAPF_EL_DEVICE_NAME,      "DEVICE_NAME" },
    { CAPF_EL_SUDI_DATA,        "SUDI_DATA" },
    { CAPF_EL_KEY_TYPE,         "KEY_TYPE" },
    { CAPF_EL_CURVE,            "CURVE" },
    { CAPF_EL_DIGEST_TYPE,      "DIGEST_TYPE" },
    { CAPF_EL_SHA2_SIGNED_DATA, "SHA2_SIGNED_DATA" },
    { 0, NULL }
};

const value_string capf_reason_vals[] = {
    { CAPF_REASON_NO_ACTION,            "No action" },
    { CAPF_REASON_UPDATE_CERTIFICATE,   "Update certificate" },
    { 2,                                "Operation failed" },
    { 3,                                "Invalid authentication string" },
    { 4,                                "Invalid LSC" },
    { 5,                                "Invalid MIC" },
    { 6,                                "Invalid credentials" },
    { CAPF_REASON_INVALID_ELEMENT,      "Invalid element" },
    { CAPF_REASON_TIMED_OUT,            "Operation timed out" },
    { CAPF_REASON_UNKNOWN_DEVICE,       "Unknown device" },
    { CAPF_REASON_LATE_REQUEST,         "User initiated request late" },
    { 0, NULL }
};

static const value_string capf_certificate_type_vals[] = {
    { CAPF_CERT_TYPE_LSC, "LSC" },
    { CAPF_CERT_TYPE_MIC, "MIC" },
    { 0, NULL }
};

const value_string capf_auth_type_vals[] = {
    { 0, "None" },
    { 1, "By authentication string" },
    { 2, "By null string" },
    { 3, "By existing certificate (precedence to LSC)" },
    { 4, "By existing certificate (precedence to MIC)" },
    { 0, NULL }
};

/* Short forms for the Info column */
static const value_string capf_auth_short_vals[] = {
    { 0, "none" },
    { 1, "password" },
    { 2, "null string" },
    { 3, "LSC" },
    { 4, "MIC" },
    { 0, NULL }
};

static const value_string capf_key_type_vals[] = {
    { CAPF_KEY_TYPE_RSA, "RSA" },
    { CAPF_KEY_TYPE_EC,  "EC" },
    { 0, NULL }
};

const value_string capf_curve_vals[] = {
    { 0, "P-256" },
    { 1, "P-384" },
    { 2, "P-521" },
    { 0, NULL }
};

static const value_string capf_hash_vals[] = {
    { 1, "SHA-1" },
    { 2, "SHA-256" },
    { 3, "SHA-512" },
    { 0, NULL }
};

static const value_string capf_sudi_type_vals[] = {
    { 0, "SUDI certificate" },
    { 1, "SHA-1 signature" },
    { 2, "SHA-256 signature" },
    { 3, "SHA-512 signature" },
    { 0, NULL }
};

const value_string capf_operation_vals[] = {
    { CAPF_OP_NONE,    "none" },
    { CAPF_OP_INSTALL, "install" },
    { CAPF_OP_FETCH,   "fetch" },
    { CAPF_OP_DELETE,  "delete" },
    { 0, NULL }
};

const value_string capf_outcome_vals[] = {
    { CAPF_OUTCOME_INCOMPLETE, "incomplete" },
    { CAPF_OUTCOME_INSTALLED,  "installed" },
    { CAPF_OUTCOME_FETCHED,    "fetched" },
    { CAPF_OUTCOME_DELETED,    "deleted" },
    { CAPF_OUTCOME_NOTHING,    "nothing pending" },
    { CAPF_OUTCOME_FAILED,     "failed" },
    { 0, NULL }
};

/* The certificate itself: X.509 subtree plus the generated summary fields. */
static const char *
capf_dissect_der_certificate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                             int offset, int len, int hf, const char **serial)
{
    proto_item *ti = proto_tree_add_item(tree, hf, tvb, offset, len, ENC_NA);
    proto_tree *cert_tree = proto_item_add_subtree(ti, ett_capf_certificate);
    cisco_cert_info_t info;
    proto_item *gi;
    /* names and key only when something can show them (a visible tree, a
     * filter or column on them): in tshark's invisible tree they cost more
     * than the rest of the CAPF message */
    gboolean full = proto_field_is_referenced(cert_tree, hf_capf_certificate_subject) ||
                    proto_field_is_referenced(cert_tree, hf_capf_certificate_issuer) ||
                    proto_field_is_referenced(cert_tree, hf_capf_certificate_key);

    if (!cisco_cert_parse(tvb_get_ptr(tvb, offset, len), len, pinfo->pool, full, &info)) {
        expert_add_info(pinfo, ti, &ei_capf_bad_certificate);
        cisco_call_x509(tvb, offset, len, pinfo, cert_tree);
        return NULL;
    }
    if (info.subject) {
        gi = proto_tree_add_string(cert_tree, hf_capf_certificate_subject, tvb, offset, len, info.subject);
        proto_item_set_generated(gi);
    }
    if (info.issuer) {
        gi = proto_tree_add_string(cert_tree, hf_capf_certificate_issuer, tvb, offset, len, info.issuer);
        proto_item_set_generated(gi);
    }
    if (info.serial) {
        gi = proto_tree_add_string(cert_tree, hf_capf_certificate_serial, tvb, offset, len, info.serial);
        proto_item_set_generated(gi);
        if (serial && !*serial)
            *serial = info.serial;
    }
    if (info.key) {
        gi = proto_tree_add_string(cert_tree, hf_capf_certificate_key, tvb, offset, len, info.key);
        proto_item_set_generated(gi);
    }
    gi = proto_tree_add_bytes_with_length(cert_tree, hf_capf_certificate_sha1, tvb, offset, len,
                                           info.sha1, CISCO_SHA1_LEN);
    proto_item_set_generated(gi);
    cisco_call_x509(tvb, offset, len, pinfo, cert_tree);
    proto_item_append_text(ti, " (%s)", info.subject ? info.subject : "no subject");
    return info.common_name ? info.common_name : info.subject;
}

/* CERTIFICATE element: sub-tag 1 | u16 length | 0x00 | certificate type | DER */
static void
capf_dissect_cert_element(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                          int offset, int end, capf_msg_t *msg)
{
    while (offset < end) {
        guint32 tag, len, cert_type;
        proto_item *bi;
        proto_tree *bt;

        if (end - offset < CAPF_ELEM_HDR_LEN) {
            proto_tree_add_expert_format(tree, pinfo, &ei_capf_nested_malformed, tvb, offset, end - offset,
                                         "Certificate block: %d trailing bytes, too short for a block header",
                                         end - offset);
            return;
        }
        bi = proto_tree_add_item(tree, hf_capf_cert_block, tvb, offset, -1, ENC_NA);
        bt = proto_item_add_subtree(bi, ett_capf_cert_block);
        proto_tree_add_item_ret_uint(bt, hf_capf_cert_block_tag, tvb, offset, 1, ENC_BIG_ENDIAN, &tag);
        proto_tree_add_item_ret_uint(bt, hf_capf_cert_block_length, tvb, offset + 1, 2, ENC_BIG_ENDIAN, &len);
        offset += CAPF_ELEM_HDR_LEN;
        if (len > (guint32)(end - offset)) {
            expert_add_info_format(pinfo, bi, &ei_capf_nested_malformed,
                                   "Certificate block length %u runs past the element (%d bytes left)",
                                   len, end - offset);
            len = end - offset;
        }
        proto_item_set_len(bi, CAPF_ELEM_HDR_LEN + len);
        if (tag != 1 || len < 2) {
            expert_add_info_format(pinfo, bi, &ei_capf_nested_malformed,
                                   "Unexpected certificate block (tag %u, length %u)", tag, len);
            offset += len;
            continue;
        }
        proto_tree_add_item(bt, hf_capf_cert_block_reserved, tvb, offset, 1, ENC_NA);
        proto_tree_add_item_ret_uint(bt, hf_capf_certificate_type, tvb, offset + 1, 1, ENC_NA, &cert_type);
        msg->cert_type = cert_type;
        msg->have_certificate = TRUE;
        if (len > 2) {
            const char *cn = capf_dissect_der_certificate(tvb, pinfo, bt, offset + 2, len - 2,
                                                          hf_capf_certificate, &msg->cert_serial);
            if (cn && !msg->cert_subject_cn)
                msg->cert_subject_cn = cn;
        }
        proto_item_append_text(bi, ": %s, %u bytes",
                               WSC_VAL_TO_STR(pinfo->pool, cert_type, capf_certificate_type_vals, "type %u"), len - 2);
        offset += len;
    }
}

/* SUDI_DATA: a list of (type u8 | u16 length | value): 0 certificate,
 * 1 SHA-1 signature, 3 SHA-512 signature. */
static void
capf_dissect_sudi(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset, int end)
{
    while (offset < end) {
        guint32 type, len;
        proto_item *len_item;

        if (end - offset < CAPF_ELEM_HDR_LEN) {
            proto_tree_add_expert_format(tree, pinfo, &ei_capf_nested_malformed, tvb, offset, end - offset,
                                         "SUDI data: %d trailing bytes, too short for an item header",
                                         end - offset);
            return;
        }
        proto_tree_add_item_ret_uint(tree, hf_capf_sudi_type, tvb, offset, 1, ENC_NA, &type);
        len_item = proto_tree_add_item_ret_uint(tree, hf_capf_sudi_length, tvb, offset + 1, 2,
                                                ENC_BIG_ENDIAN, &len);
        offset += CAPF_ELEM_HDR_LEN;
        if (len > (guint32)(end - offset)) {
            expert_add_info_format(pinfo, len_item, &ei_capf_nested_malformed,
                                   "SUDI item length %u runs past the element (%d bytes left)",
                                   len, end - offset);
            len = end - offset;
        }
        if (type == 0 && len > 0)
            capf_dissect_der_certificate(tvb, pinfo, tree, offset, len, hf_capf_sudi_certificate, NULL);
        else
            proto_tree_add_item(tree, hf_capf_sudi_signature, tvb, offset, len, ENC_NA);
        offset += len;
    }
}

/* SHA2_SIGNED_DATA: hash id u8 | u16 length | signature */
static void
capf_dissect_sha2_signed(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset, int len)
{
    guint32 sig_len;
    proto_item *len_item;

    if (len < CAPF_ELEM_HDR_LEN) {
        proto_tree_add_expert_format(tree, pinfo, &ei_capf_nested_malformed, tvb, offset, len,
                                     "SHA2 signed data: %d bytes, too short for its header", len);
        return;
    }
    proto_tree_add_item(tree, hf_capf_sha2_hash, tvb, offset, 1, ENC_NA);
    len_item = proto_tree_add_item_ret_uint(tree, hf_capf_sha2_length, tvb, offset + 1, 2,
                                            ENC_BIG_ENDIAN, &sig_len);
    if (sig_len != (guint32)(len - CAPF_ELEM_HDR_LEN)) {
        expert_add_info_format(pinfo, len_item, &ei_capf_nested_malformed,
                               "Signature length %u does not match the element (%d bytes)",
                               sig_len, len - CAPF_ELEM_HDR_LEN);
    }
    proto_tree_add_item(tree, hf_capf_sha2_signature, tvb, offset + CAPF_ELEM_HDR_LEN,
                        len - CAPF_ELEM_HDR_LEN, ENC_NA);
}

/* A fixed-size integer element; a different length gets an expert and the
 * value is shown as bytes.  Returns the value or CAPF_UNKNOWN. */
static gint
capf_add_uint_element(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *elem_item,
                      int hf, int offset, int len, int want_len)
{
    guint32 value;

    if (len != want_len) {
        expert_add_info_format(pinfo, elem_item, &ei_capf_element_length,
                               "Element value is %d bytes, expected %d", len, want_len);
        if (len > 0)
            proto_tree_add_item(tree, hf_capf_element_value, tvb, offset, len, ENC_NA);
        return CAPF_UNKNOWN;
    }
    proto_tree_add_item_ret_uint(tree, hf, tvb, offset, len, ENC_BIG_ENDIAN, &value);
    return (gint)value;
}

static void
capf_dissect_element_value(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *elem_item,
                           guint8 tag, int offset, int len, capf_msg_t *msg)
{
    proto_item *ti;
    proto_tree *sub;
    gboolean canonical;
    gint v;

    switch (tag) {
    case CAPF_EL_REASON:
        msg->reason = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_reason, offset, len, 1);
        if (msg->reason != CAPF_UNKNOWN)
            proto_item_append_text(elem_item, ": %s", WSC_VAL_TO_STR(pinfo->pool, msg->reason, capf_reason_vals, "Unknown (%d)"));
        break;
    case CAPF_EL_REASON_INFO:
        /* capfd reads only the first byte (a reason code); other sources
         * treat it as text.  Show both. */
        if (len > 0)
            proto_tree_add_item(tree, hf_capf_reason_info_code, tvb, offset, 1, ENC_NA);
        cisco_add_string(tree, hf_capf_reason_info, tvb, pinfo, offset, len);
        break;
    case CAPF_EL_CERTIFICATE_TYPE:
        v = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_certificate_type, offset, len, 1);
        if (v != CAPF_UNKNOWN) {
            msg->cert_type = v;
            proto_item_append_text(elem_item, ": %s", WSC_VAL_TO_STR(pinfo->pool, v, capf_certificate_type_vals, "Unknown (%d)"));
        }
        break;
    case CAPF_EL_CERTIFICATE:
        capf_dissect_cert_element(tvb, pinfo, tree, offset, offset + len, msg);
        if (msg->cert_subject_cn)
            proto_item_append_text(elem_item, ": %s", msg->cert_subject_cn);
        break;
    case CAPF_EL_CERTIFICATE_ID:
        proto_tree_add_item(tree, hf_capf_certificate_id, tvb, offset, len, ENC_NA);
        break;
    case CAPF_EL_SIGNED_DATA:
        proto_tree_add_item(tree, hf_capf_signed_data, tvb, offset, len, ENC_NA);
        break;
    case CAPF_EL_VERSION:
        msg->version = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_version, offset, len, 1);
        if (msg->version != CAPF_UNKNOWN)
            proto_item_append_text(elem_item, ": %d", msg->version);
        break;
    case CAPF_EL_AUTH_TYPE:
        msg->auth_type = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_auth_type, offset, len, 1);
        if (msg->auth_type != CAPF_UNKNOWN)
            proto_item_append_text(elem_item, ": %s",
                                   WSC_VAL_TO_STR(pinfo->pool, msg->auth_type, capf_auth_type_vals, "Unknown (%d)"));
        break;
    case CAPF_EL_PUBLIC_KEY:
        ti = proto_tree_add_item(tree, hf_capf_public_key, tvb, offset, len, ENC_NA);
        msg->have_public_key = TRUE;
        if (len > 0) {
            sub = proto_item_add_subtree(ti, ett_capf_public_key);
            msg->public_key = cisco_spki_describe(tvb_get_ptr(tvb, offset, len), len, pinfo->pool, &canonical);
            if (!msg->public_key) {
                expert_add_info_format(pinfo, ti, &ei_capf_nested_malformed,
                                       "PUBLIC_KEY is not a valid DER SubjectPublicKeyInfo");
                break;
            }
            proto_item_set_generated(proto_tree_add_string(sub, hf_capf_public_key_type, tvb, offset, len,
                                                           msg->public_key));
            proto_item_append_text(elem_item, ": %s", msg->public_key);
            if (!canonical) {
                expert_add_info_format(pinfo, ti, &ei_capf_nested_malformed,
                                       "PUBLIC_KEY (%s) is not in canonical DER: unexpected algorithm "
                                       "parameters or encoding; its DER structure is not shown",
                                       msg->public_key);
                break;
            }
            /* Its DER structure, by Wireshark's generic BER dissector: only
             * for the DER GnuTLS itself writes.  That dissector has bugs on
             * arbitrary BER (4.0 fails an assertion on a REAL of more than 8
             * mantissa octets, which GnuTLS lets through as RSA parameters). */
            TRY {
                dissect_unknown_ber(pinfo, tvb_new_subset_length(tvb, offset, len), 0, sub);
            }
            CATCH_NONFATAL_ERRORS {
                show_exception(tvb, pinfo, sub, EXCEPT_CODE, GET_MESSAGE);
            }
            ENDTRY;
        }
        break;
    case CAPF_EL_KEY_SIZE:
        msg->key_size = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_key_size, offset, len, 2);
        if (msg->key_size != CAPF_UNKNOWN)
            proto_item_append_text(elem_item, ": %d bits", msg->key_size);
        break;
    case CAPF_EL_PASSWORD:
        msg->password_present = TRUE;
        ti = proto_tree_add_item(tree, hf_capf_password, tvb, offset, len, ENC_ASCII);
        msg->password_empty = (len == 0 || tvb_get_uint8(tvb, offset) == 0);
        if (!msg->password_empty)
            expert_add_info(pinfo, ti, &ei_capf_password);
        break;
    case CAPF_EL_RETRY_DELAY:
        if (len == 1 || len == 2 || len == 4) {
            guint32 delay;
            proto_tree_add_item_ret_uint(tree, hf_capf_retry_delay, tvb, offset, len, ENC_BIG_ENDIAN, &delay);
            proto_item_append_text(elem_item, ": %u", delay);
            msg->retry_delay = (gint)delay;
        } else {
            capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_retry_delay, offset, len, 4);
        }
        break;
    case CAPF_EL_DEVICE_NAME:
        msg->device_name = cisco_add_string(tree, hf_capf_device_name, tvb, pinfo, offset, len);
        proto_item_append_text(elem_item, ": %s", msg->device_name);
        break;
    case CAPF_EL_SUDI_DATA:
        ti = proto_tree_add_item(tree, hf_capf_sudi_data, tvb, offset, len, ENC_NA);
        msg->have_sudi = TRUE;
        capf_dissect_sudi(tvb, pinfo, proto_item_add_subtree(ti, ett_capf_sudi), offset, offset + len);
        break;
    case CAPF_EL_KEY_TYPE:
        msg->key_type = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_key_type, offset, len, 1);
        if (msg->key_type != CAPF_UNKNOWN)
            proto_item_append_text(elem_item, ": %s", WSC_VAL_TO_STR(pinfo->pool, msg->key_type, capf_key_type_vals, "Unknown (%d)"));
        break;
    case CAPF_EL_CURVE:
        msg->curve = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_curve, offset, len, 1);
        if (msg->curve != CAPF_UNKNOWN)
            proto_item_append_text(elem_item, ": %s", WSC_VAL_TO_STR(pinfo->pool, msg->curve, capf_curve_vals, "Unknown (%d)"));
        break;
    case CAPF_EL_DIGEST_TYPE:
        v = capf_add_uint_element(tvb, pinfo, tree, elem_item, hf_capf_digest_type, offset, len, 1);
        if (v != CAPF_UNKNOWN)
            proto_item_append_text(elem_item, ": %s", WSC_VAL_TO_STR(pinfo->pool, v, capf_hash_vals, "Unknown (%d)"));
        break;
    case CAPF_EL_SHA2_SIGNED_DATA:
        ti = proto_tree_add_item(tree, hf_capf_sha2_signed_data, tvb, offset, len, ENC_NA);
        capf_dissect_sha2_signed(tvb, pinfo, proto_item_add_subtree(ti, ett_capf_sha2), offset, len);
        break;
    default:
        if (len > 0)
            proto_tree_add_item(tree, hf_capf_element_value, tvb, offset, len, ENC_NA);
        expert_add_info_format(pinfo, elem_item, &ei_capf_unknown_element, "Unknown CAPF element tag %u", tag);
        break;
    }
}

/* Walk the elements of one PDU body [offset, end). */
static void
capf_dissect_elements(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset, int end,
                      capf_msg_t *msg)
{
    while (offset < end) {
        proto_item *elem_item, *len_item;
        proto_tree *elem_tree;
        guint32 tag, len;

        if (end - offset < CAPF_ELEM_HDR_LEN) {
            proto_tree_add_expert_format(tree, pinfo, &ei_capf_element_overrun, tvb, offset, end - offset,
                                         "%d trailing bytes, too short for an element header", end - offset);
            return;
        }
        elem_item = proto_tree_add_item(tree, hf_capf_element, tvb, offset, -1, ENC_NA);
        elem_tree = proto_item_add_subtree(elem_item, ett_capf_element);
        proto_tree_add_item_ret_uint(elem_tree, hf_capf_element_tag, tvb, offset, 1, ENC_NA, &tag);
        len_item = proto_tree_add_item_ret_uint(elem_tree, hf_capf_element_length, tvb, offset + 1, 2,
                                                ENC_BIG_ENDIAN, &len);
        proto_item_set_text(elem_item, "Element: %s (%u)", val_to_str_const(tag, capf_element_vals, "Unknown"), tag);
        offset += CAPF_ELEM_HDR_LEN;
        if (len > (guint32)(end - offset)) {
            /* The rest of the PDU cannot be trusted: show what is there, stop. */
            expert_add_info_format(pinfo, len_item, &ei_capf_element_overrun,
                                   "Element length %u runs past the end of the PDU (%d bytes left)",
                                   len, end - offset);
            proto_item_set_len(elem_item, CAPF_ELEM_HDR_LEN + (end - offset));
            if (end > offset)
                proto_tree_add_item(elem_tree, hf_capf_element_value, tvb, offset, end - offset, ENC_NA);
            return;
        }
        proto_item_set_len(elem_item, CAPF_ELEM_HDR_LEN + len);
        capf_dissect_element_value(tvb, pinfo, elem_tree, elem_item, (guint8)tag, offset, len, msg);
        offset += len;
    }
}

void
capf_add_session_tree(tvbuff_t *tvb, proto_tree *tree, const capf_session_t *s)
{
    proto_item *ti = proto_tree_add_item(tree, hf_capf_session, tvb, 0, 0, ENC_NA);
    proto_tree *st = proto_item_add_subtree(ti, ett_capf_session);
    proto_item *gi;

    proto_item_set_generated(ti);
    if (s->device_name) {
        gi = proto_tree_add_string(st, hf_capf_session_device_name, tvb, 0, 0, s->device_name);
        proto_item_set_generated(gi);
        {
            gboolean cut;
            int n = cisco_clamp_len(s->device_name, CISCO_NAME_MAX, &cut);

            proto_item_append_text(ti, ": %.*s%s", n, s->device_name, cut ? CISCO_ELLIPSIS : "");
        }
    }
    if (s->auth_type != CAPF_UNKNOWN) {
        gi = proto_tree_add_uint(st, hf_capf_session_auth_type, tvb, 0, 0, s->auth_type);
        proto_item_set_generated(gi);
    }
    if (s->operation != CAPF_UNKNOWN) {
        gi = proto_tree_add_uint(st, hf_capf_session_operation, tvb, 0, 0, s->operation);
        proto_item_set_generated(gi);
        proto_item_append_text(ti, ", %s", val_to_str_const(s->operation, capf_operation_vals, "?"));
        if (s->operation == CAPF_OP_INSTALL && s->key)
            proto_item_append_text(ti, " %s", s->key);
    }
    if (s->key) {
        gi = proto_tree_add_string(st, hf_capf_session_key, tvb, 0, 0, s->key);
        proto_item_set_generated(gi);
    }
    if (s->serial) {
        gi = proto_tree_add_string(st, hf_capf_session_serial, tvb, 0, 0, s->serial);
        proto_item_set_generated(gi);
    }
    gi = proto_tree_add_uint(st, hf_capf_session_outcome, tvb, 0, 0, s->outcome);
    proto_item_set_generated(gi);
    proto_item_append_text(ti, ", %s", val_to_str_const(s->outcome, capf_outcome_vals, "?"));
    if (s->failure) {
        gi = proto_tree_add_string(st, hf_capf_session_failure, tvb, 0, 0, s->failure);
        proto_item_set_generated(gi);
        proto_item_append_text(ti, ": %s", s->failure);
    }
}

/* Info column text after the command name. */
static const char *
capf_info_detail(guint8 cmd, const capf_msg_t *msg, wmem_allocator_t *scope)
{
    wmem_strbuf_t *sb = wmem_strbuf_new(scope, "");

    switch (cmd) {
    case CAPF_AUTH_REQUEST:
        if (msg->version != CAPF_UNKNOWN)
            wmem_strbuf_append_printf(sb, " v%d", msg->version);
        if (msg->auth_type != CAPF_UNKNOWN)
            wmem_strbuf_append_printf(sb, " auth=%s",
                                      WSC_VAL_TO_STR(scope, msg->auth_type, capf_auth_short_vals, "%d"));
        break;
    case CAPF_AUTH_RESPONSE:
        if (msg->device_name && *msg->device_name)
            wmem_strbuf_append_printf(sb, " %s", msg->device_name);
        wmem_strbuf_append_printf(sb, " (%s)",
                                  val_to_str_const(capf_phone_auth_type(msg), capf_auth_short_vals, "?"));
        break;
    case CAPF_KEY_GENERATE_REQUEST: {
        const char *key = capf_requested_key(msg, scope);
        if (key)
            wmem_strbuf_append_printf(sb, " %s", key);
        break;
    }
    case CAPF_KEY_GENERATE_RESPONSE:
        if (msg->public_key)
            wmem_strbuf_append_printf(sb, " %s", msg->public_key);
        break;
    case CAPF_STORE_CERTIFICATE_REQUEST:
    case CAPF_FETCH_CERTIFICATE_RESPONSE:
        if (msg->have_certificate)
            wmem_strbuf_append_printf(sb, " %s", WSC_VAL_TO_STR(scope, msg->cert_type, capf_certificate_type_vals, "type %d"));
        if (msg->cert_subject_cn)
            wmem_strbuf_append_printf(sb, " CN=%s", msg->cert_subject_cn);
        break;
    default:
        break;
    }
    if (msg->reason != CAPF_UNKNOWN)
        wmem_strbuf_append_printf(sb, " reason=%s", WSC_VAL_TO_STR(scope, msg->reason, capf_reason_vals, "%d"));
    return wmem_strbuf_get_str(sb);
}

static int
dissect_capf_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    proto_item *ti, *cmd_item, *id_item, *pid_item;
    proto_tree *capf_tree;
    guint32 protocol_id, cmd, session_id, body_len;
    capf_msg_t msg = { .reason = CAPF_UNKNOWN, .version = CAPF_UNKNOWN, .auth_type = CAPF_UNKNOWN,
                       .key_type = CAPF_UNKNOWN, .curve = CAPF_UNKNOWN, .key_size = CAPF_UNKNOWN,
                       .cert_type = CAPF_UNKNOWN, .retry_delay = CAPF_UNKNOWN };
    capf_conv_t *cc;
    capf_pdu_info_t *pi;
    const capf_session_t *session;
    guint *counter;
    guint pdu_index;
    int end;

    counter = (guint *)p_get_proto_data(pinfo->pool, pinfo, proto_capf, CAPF_PINFO_PDU_COUNTER);
    if (!counter) {
        counter = wmem_new0(pinfo->pool, guint);
        p_add_proto_data(pinfo->pool, pinfo, proto_capf, CAPF_PINFO_PDU_COUNTER, counter);
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "CAPF");
        col_clear(pinfo->cinfo, COL_INFO);
    }
    pdu_index = ++(*counter);

    ti = proto_tree_add_item(tree, proto_capf, tvb, 0, -1, ENC_NA);
    capf_tree = proto_item_add_subtree(ti, ett_capf);
    pid_item = proto_tree_add_item_ret_uint(capf_tree, hf_capf_protocol_id, tvb, 0, 1, ENC_NA, &protocol_id);
    cmd_item = proto_tree_add_item_ret_uint(capf_tree, hf_capf_command, tvb, 1, 1, ENC_NA, &cmd);
    id_item = proto_tree_add_item_ret_uint(capf_tree, hf_capf_session_id, tvb, 2, 4, ENC_BIG_ENDIAN, &session_id);
    proto_tree_add_item_ret_uint(capf_tree, hf_capf_length, tvb, 6, 2, ENC_BIG_ENDIAN, &body_len);

    if (protocol_id != CAPF_PROTOCOL_ID)
        expert_add_info_format(pinfo, pid_item, &ei_capf_bad_protocol_id,
                               "Protocol id 0x%02x is not CAPF's 0x55", protocol_id);
    if (cmd == 0 || cmd > CAPF_COMMAND_MAX)
        expert_add_info_format(pinfo, cmd_item, &ei_capf_unknown_command, "Unknown CAPF command %u", cmd);

    end = CAPF_HDR_LEN + body_len;
    if (tvb_captured_length(tvb) < (guint)end) {
        /* Only happens when the capture itself is cut (snap length, or a
         * last PDU that never completed). */
        expert_add_info_format(pinfo, ti, &ei_capf_truncated,
                               "PDU truncated: header announces %u body bytes, %u captured",
                               body_len, tvb_captured_length(tvb) - CAPF_HDR_LEN);
        end = tvb_captured_length(tvb);
    }
    capf_dissect_elements(tvb, pinfo, capf_tree, CAPF_HDR_LEN, end, &msg);

    cc = capf_get_conv(pinfo);
    pi = (capf_pdu_info_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_capf, pdu_index);
    if (!PINFO_FD_VISITED(pinfo) || !pi) {
        pi = wmem_new0(wmem_file_scope(), capf_pdu_info_t);
        if (cc->have_session_id && cc->session_id != session_id)
            pi->session_id_changed = TRUE;
        cc->session_id = session_id;
        cc->have_session_id = TRUE;
        gint before = cc->session.outcome;
        pi->command = (guint8)cmd;
        capf_track(cc, pinfo, (guint8)cmd, pi);
        capf_update_session(cc, (guint8)cmd, &msg);
        pi->settled = capf_settled_outcome(cc, before);
        capf_pdu_verdicts(cc, pinfo, (guint8)cmd, cc->last_pdu ? cc->last_pdu->command : 0, &msg, pi);
        cc->last_pdu = pi;
        pi->session = cc->session;
        p_add_proto_data(wmem_file_scope(), pinfo, proto_capf, pdu_index, pi);
        session = &pi->session;
    } else {
        session = &cc->session;
    }

    if (pi->session_id_changed)
        expert_add_info(pinfo, id_item, &ei_capf_session_id_changed);
    if (pi->unmatched_response)
        expert_add_info(pinfo, cmd_item, &ei_capf_unmatched_response);
    capf_show_verdicts(tvb, pinfo, capf_tree, pi->verdicts);
    if (pi->response_frame) {
        proto_item *gi = proto_tree_add_uint(capf_tree, hf_capf_response_in, tvb, 0, 0, pi->response_frame);
        proto_item_set_generated(gi);
    }
    if (pi->request_frame) {
        nstime_t delta;
        proto_item *gi = proto_tree_add_uint(capf_tree, hf_capf_response_to, tvb, 0, 0, pi->request_frame);
        proto_item_set_generated(gi);
        nstime_delta(&delta, &pinfo->abs_ts, &pi->request_time);
        gi = proto_tree_add_time(capf_tree, hf_capf_time, tvb, 0, 0, &delta);
        proto_item_set_generated(gi);
    }
    capf_add_session_tree(tvb, capf_tree, session);

    {
        const char *name = WSC_VAL_TO_STR_EXT(pinfo->pool, cmd, &capf_command_vals_ext, "Unknown command %u");
        const char *detail = capf_info_detail((guint8)cmd, &msg, pinfo->pool);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "%s%s", name, detail);
        /* (a long device name or CN cut: the label has 240 bytes) */
        proto_item_append_text(ti, ", %s%s", name, cisco_clamp(pinfo->pool, detail, 120));
        capf_verdicts_col(pinfo, pi->verdicts);
    }
    capf_queue_tap(pinfo, cc, session, (gint)cmd, msg.reason, pi->verdicts, pi->settled, FALSE);
    return tvb_captured_length(tvb);
}

static guint
get_capf_pdu_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset, void *data _U_)
{
    return CAPF_HDR_LEN + tvb_get_ntohs(tvb, offset + 6);
}

/* CAPF over a byte stream: plaintext TCP or decrypted TLS application data. */
static int
dissect_capf(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    tcp_dissect_pdus(tvb, pinfo, tree, capf_desegment, CAPF_HDR_LEN, get_capf_pdu_len, dissect_capf_pdu, data);
    return tvb_captured_length(tvb);
}

/* TCP port 3804 (and Decode As): decide once per connection whether it is
 * TLS (the normal case), plaintext CAPF, or the port's previous owner. */
static int
dissect_capf_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = capf_find_conversation(pinfo);
    dissector_handle_t next;

    if (tvb_captured_length(tvb) == 0)
        return 0;
    if (cisco_looks_like_tls(tvb) && tls_handle) {
        ssl_starttls_post_ack(tls_handle, pinfo, capf_handle);
        /* ssl_starttls has just made TLS the conversation's dissector: the
         * reader that notes what the verdicts need and hands every segment on
         * to TLS takes its place */
        conversation_set_dissector(conv, capf_tls_handle);
        return dissect_capf_tls(tvb, pinfo, tree, data);
    } else if (tvb_get_uint8(tvb, 0) == CAPF_PROTOCOL_ID || !port_owner_handle ||
               (pinfo->srcport != CAPF_TCP_PORT && pinfo->destport != CAPF_TCP_PORT)) {
        next = capf_handle;
    } else {
        next = port_owner_handle;
        capf_get_conv(pinfo)->not_capf = TRUE;
    }
    conversation_set_dissector(conv, next);
    /* Let the next dissector use TCP reassembly as if TCP had called it. */
    pinfo->can_desegment = pinfo->saved_can_desegment;
    return call_dissector_with_data(next, tvb, pinfo, tree, data);
}

void
proto_register_capf(void)
{
    static hf_register_info hf[] = {
        { &hf_capf_protocol_id,
          { "Protocol ID", "capf.protocol_id", FT_UINT8, BASE_HEX, NULL, 0x0,
            "Always 0x55 for CAPF", HFILL } },
        { &hf_capf_command,
          { "Command", "capf.command", FT_UINT8, BASE_DEC | BASE_EXT_STRING, &capf_command_vals_ext, 0x0,
            "CAPF message type (header byte 2)", HFILL } },
        { &hf_capf_session_id,
          { "Session ID", "capf.session_id", FT_UINT32, BASE_DEC_HEX, NULL, 0x0,
            "Chosen by the server, echoed by the phone", HFILL } },
        { &hf_capf_length,
          { "Body Length", "capf.length", FT_UINT16, BASE_DEC, NULL, 0x0,
            "Bytes of elements after the 8-byte header", HFILL } },
        { &hf_capf_element,
          { "Element", "capf.element", FT_NONE, BASE_NONE, NULL, 0x0, "One tag-length-value element of the message body", HFILL } },
        { &hf_capf_element_tag,
          { "Tag", "capf.element.tag", FT_UINT8, BASE_DEC, VALS(capf_element_vals), 0x0, "Element tag (1 byte)", HFILL } },
        { &hf_capf_element_length,
          { "Length", "capf.element.length", FT_UINT16, BASE_DEC, NULL, 0x0, "Element value length in bytes (2 bytes, big-endian)", HFILL } },
        { &hf_capf_element_value,
          { "Value", "capf.element.value", FT_BYTES, BASE_NONE, NULL, 0x0,
            "Raw value of an unknown or malformed element", HFILL } },
        { &hf_capf_reason,
          { "Reason", "capf.reason", FT_UINT8, BASE_DEC, VALS(capf_reason_vals), 0x0, "Why the session is held, retried or ended (REASON element)", HFILL } },
        { &hf_capf_reason_info,
          { "Reason Info", "capf.reason_info", FT_STRING, BASE_NONE, NULL, 0x0, "Free text that accompanies a reason (REASON_INFO element)", HFILL } },
        { &hf_capf_reason_info_code,
          { "Reason Info Code", "capf.reason_info.code", FT_UINT8, BASE_DEC, VALS(capf_reason_vals), 0x0,
            "First byte of REASON_INFO, read as a reason code by capfd", HFILL } },
        { &hf_capf_certificate_type,
          { "Certificate Type", "capf.certificate_type", FT_UINT8, BASE_DEC, VALS(capf_certificate_type_vals),
            0x0, "Which certificate the message is about (LSC or MIC)", HFILL } },
        { &hf_capf_cert_block,
          { "Certificate Block", "capf.certificate_block", FT_NONE, BASE_NONE, NULL, 0x0, "Certificate sub-block: tag, length, reserved byte, DER certificate", HFILL } },
        { &hf_capf_cert_block_tag,
          { "Block Tag", "capf.certificate_block.tag", FT_UINT8, BASE_DEC, NULL, 0x0, "Tag of the certificate sub-block (1)", HFILL } },
        { &hf_capf_cert_block_length,
          { "Block Length", "capf.certificate_block.length", FT_UINT16, BASE_DEC, NULL, 0x0, "Length of the certificate sub-block", HFILL } },
        { &hf_capf_cert_block_reserved,
          { "Reserved", "capf.certificate_block.reserved", FT_UINT8, BASE_HEX, NULL, 0x0, "Byte before the DER certificate in the sub-block", HFILL } },
        { &hf_capf_certificate,
          { "Certificate", "capf.certificate", FT_BYTES, BASE_NONE, NULL, 0x0, "DER X.509 certificate", HFILL } },
        { &hf_capf_certificate_subject,
          { "Subject", "capf.certificate.subject", FT_STRING, BASE_NONE, NULL, 0x0, "Subject distinguished name of the certificate", HFILL } },
        { &hf_capf_certificate_issuer,
          { "Issuer", "capf.certificate.issuer", FT_STRING, BASE_NONE, NULL, 0x0, "Issuer distinguished name of the certificate", HFILL } },
        { &hf_capf_certificate_serial,
          { "Serial Number", "capf.certificate.serial", FT_STRING, BASE_NONE, NULL, 0x0, "Serial number of the certificate (hex)", HFILL } },
        { &hf_capf_certificate_sha1,
          { "SHA-1 Fingerprint", "capf.certificate.sha1", FT_BYTES, SEP_COLON, NULL, 0x0, "SHA-1 of the DER certificate, as CUCM and the ITL identify certificates", HFILL } },
        { &hf_capf_certificate_key,
          { "Public Key", "capf.certificate.key", FT_STRING, BASE_NONE, NULL, 0x0, "Algorithm and size of the certificate's public key", HFILL } },
        { &hf_capf_certificate_id,
          { "Certificate ID", "capf.certificate_id", FT_BYTES, BASE_NONE, NULL, 0x0, "CERTIFICATE_ID element (layout unknown, shown as bytes)", HFILL } },
        { &hf_capf_signed_data,
          { "Signed Data", "capf.signed_data", FT_BYTES, BASE_NONE, NULL, 0x0,
            "SHA-1 signature over device name, NUL and certificate", HFILL } },
        { &hf_capf_version,
          { "Version", "capf.version", FT_UINT8, BASE_DEC, NULL, 0x0, "CAPF protocol version offered or accepted (AUTH_REQUEST/AUTH_RESPONSE)", HFILL } },
        { &hf_capf_auth_type,
          { "Authentication Type", "capf.auth_type", FT_UINT8, BASE_DEC, VALS(capf_auth_type_vals), 0x0,
            "How the phone must authenticate: none, authentication string, null string, existing LSC or MIC", HFILL } },
        { &hf_capf_public_key,
          { "Public Key", "capf.public_key", FT_BYTES, BASE_NONE, NULL, 0x0,
            "DER SubjectPublicKeyInfo", HFILL } },
        { &hf_capf_public_key_type,
          { "Key", "capf.public_key.type", FT_STRING, BASE_NONE, NULL, 0x0, "Algorithm and size of the phone's new public key", HFILL } },
        { &hf_capf_key_size,
          { "Key Size", "capf.key_size", FT_UINT16, BASE_DEC, NULL, 0x0, "RSA key size in bits", HFILL } },
        { &hf_capf_password,
          { "Password", "capf.password", FT_STRING, BASE_NONE, NULL, 0x0,
            "Authentication string entered for the phone", HFILL } },
        { &hf_capf_retry_delay,
          { "Retry Delay", "capf.retry_delay", FT_UINT32, BASE_DEC, NULL, 0x0, "RETRY_DELAY element: how long the phone should wait before retrying", HFILL } },
        { &hf_capf_device_name,
          { "Device Name", "capf.device_name", FT_STRING, BASE_NONE, NULL, 0x0, "The phone's device name (SEP<MAC>), as sent in AUTH_RESPONSE", HFILL } },
        { &hf_capf_sudi_data,
          { "SUDI Data", "capf.sudi_data", FT_BYTES, BASE_NONE, NULL, 0x0, "SUDI_DATA element: the phone's SUDI certificate and signature", HFILL } },
        { &hf_capf_sudi_type,
          { "SUDI Item", "capf.sudi.type", FT_UINT8, BASE_DEC, VALS(capf_sudi_type_vals), 0x0, "Item inside SUDI_DATA: the SUDI certificate or a SHA-1/SHA-256/SHA-512 signature", HFILL } },
        { &hf_capf_sudi_length,
          { "SUDI Item Length", "capf.sudi.length", FT_UINT16, BASE_DEC, NULL, 0x0, "Length of the SUDI item", HFILL } },
        { &hf_capf_sudi_certificate,
          { "SUDI Certificate", "capf.sudi.certificate", FT_BYTES, BASE_NONE, NULL, 0x0, "The phone's SUDI (manufacturer-installed) certificate, DER", HFILL } },
        { &hf_capf_sudi_signature,
          { "SUDI Signature", "capf.sudi.signature", FT_BYTES, BASE_NONE, NULL, 0x0, "Signature made with the SUDI key", HFILL } },
        { &hf_capf_key_type,
          { "Key Type", "capf.key_type", FT_UINT8, BASE_DEC, VALS(capf_key_type_vals), 0x0, "Key algorithm requested for the phone's new key (RSA or EC)", HFILL } },
        { &hf_capf_curve,
          { "Curve", "capf.curve", FT_UINT8, BASE_DEC, VALS(capf_curve_vals), 0x0, "Elliptic curve requested for an EC key", HFILL } },
        { &hf_capf_digest_type,
          { "Digest Type", "capf.digest_type", FT_UINT8, BASE_DEC, VALS(capf_hash_vals), 0x0, "DIGEST_TYPE element: hash algorithm to use", HFILL } },
        { &hf_capf_sha2_signed_data,
          { "SHA2 Signed Data", "capf.sha2_signed_data", FT_BYTES, BASE_NONE, NULL, 0x0, "SHA2_SIGNED_DATA element: hash algorithm, length and signature", HFILL } },
        { &hf_capf_sha2_hash,
          { "Hash Algorithm", "capf.sha2_signed_data.hash", FT_UINT8, BASE_DEC, VALS(capf_hash_vals), 0x0,
            "Hash algorithm of the signature", HFILL } },
        { &hf_capf_sha2_length,
          { "Signature Length", "capf.sha2_signed_data.length", FT_UINT16, BASE_DEC, NULL, 0x0, "Length of the signature in bytes", HFILL } },
        { &hf_capf_sha2_signature,
          { "Signature", "capf.sha2_signed_data.signature", FT_BYTES, BASE_NONE, NULL, 0x0, "Signature over the device name and certificate", HFILL } },
        { &hf_capf_response_in,
          { "Response In", "capf.response_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
            "The response to this CAPF request is in this frame", HFILL } },
        { &hf_capf_response_to,
          { "Request In", "capf.response_to", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
            "This is a response to the CAPF request in this frame", HFILL } },
        { &hf_capf_time,
          { "Response Time", "capf.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time between the request and this response", HFILL } },
        { &hf_capf_session,
          { "Session", "capf.session", FT_NONE, BASE_NONE, NULL, 0x0,
            "Summary of the CAPF session this message belongs to", HFILL } },
        { &hf_capf_session_device_name,
          { "Device Name", "capf.session.device_name", FT_STRING, BASE_NONE, NULL, 0x0, "Device name of the session (from its AUTH_RESPONSE)", HFILL } },
        { &hf_capf_session_auth_type,
          { "Authentication Type", "capf.session.auth_type", FT_UINT8, BASE_DEC, VALS(capf_auth_type_vals), 0x0,
            "Authentication type the server asked for in this session", HFILL } },
        { &hf_capf_session_operation,
          { "Operation", "capf.session.operation", FT_UINT8, BASE_DEC, VALS(capf_operation_vals), 0x0,
            "What the server asked for in this session: install, fetch, delete or none", HFILL } },
        { &hf_capf_session_key,
          { "Requested Key", "capf.session.key", FT_STRING, BASE_NONE, NULL, 0x0, "Key the server asked the phone to generate", HFILL } },
        { &hf_capf_session_outcome,
          { "Outcome", "capf.session.outcome", FT_UINT8, BASE_DEC, VALS(capf_outcome_vals), 0x0, "How the session ended: installed, fetched, deleted, nothing pending, failed or incomplete", HFILL } },
        { &hf_capf_session_failure,
          { "Failure", "capf.session.failure", FT_STRING, BASE_NONE, NULL, 0x0, "Why the session failed, in words", HFILL } },
        { &hf_capf_session_serial,
          { "Certificate Serial", "capf.session.serial", FT_STRING, BASE_NONE, NULL, 0x0,
            "Serial number of the certificate issued (install) or fetched in this session", HFILL } },
    };

    static gint *ett[] = {
        &ett_capf,
        &ett_capf_element,
        &ett_capf_cert_block,
        &ett_capf_certificate,
        &ett_capf_public_key,
        &ett_capf_sudi,
        &ett_capf_sha2,
        &ett_capf_session,
    };

    static ei_register_info ei[] = {
        { &ei_capf_bad_protocol_id,
          { "capf.expert.bad_protocol_id", PI_MALFORMED, PI_ERROR, "Protocol id is not 0x55", EXPFILL } },
        { &ei_capf_unknown_command,
          { "capf.expert.unknown_command", PI_PROTOCOL, PI_WARN, "Unknown CAPF command", EXPFILL } },
        { &ei_capf_unknown_element,
          { "capf.expert.unknown_element", PI_UNDECODED, PI_WARN, "Unknown CAPF element tag", EXPFILL } },
        { &ei_capf_element_overrun,
          { "capf.expert.element_overrun", PI_MALFORMED, PI_ERROR,
            "Element runs past the end of the PDU", EXPFILL } },
        { &ei_capf_element_length,
          { "capf.expert.element_length", PI_MALFORMED, PI_WARN,
            "Element value has an unexpected length", EXPFILL } },
        { &ei_capf_nested_malformed,
          { "capf.expert.nested_malformed", PI_MALFORMED, PI_WARN,
            "Malformed structure inside an element", EXPFILL } },
        { &ei_capf_truncated,
          { "capf.expert.truncated", PI_MALFORMED, PI_ERROR, "CAPF PDU truncated", EXPFILL } },
        { &ei_capf_bad_certificate,
          { "capf.expert.bad_certificate", PI_MALFORMED, PI_WARN,
            "Certificate is not valid DER X.509", EXPFILL } },
        { &ei_capf_password,
          { "capf.expert.password", PI_SECURITY, PI_NOTE,
            "CAPF authentication string (password) in this message", EXPFILL } },
        { &ei_capf_session_id_changed,
          { "capf.expert.session_id_changed", PI_SEQUENCE, PI_WARN,
            "Session id differs from the earlier messages of this connection", EXPFILL } },
        { &ei_capf_unmatched_response,
          { "capf.expert.unmatched_response", PI_SEQUENCE, PI_NOTE,
            "Response without a matching request on this connection", EXPFILL } },
    };

    module_t *capf_module;
    expert_module_t *expert_capf;

    proto_capf = proto_register_protocol("Cisco Certificate Authority Proxy Function", "CAPF", "capf");
    proto_register_field_array(proto_capf, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_capf = expert_register_protocol(proto_capf);
    expert_register_field_array(expert_capf, ei, array_length(ei));

    capf_handle = register_dissector("capf", dissect_capf, proto_capf);
    capf_tap_register();
    cisco_trust_register();
    capf_tcp_handle = register_dissector("capf.tcp", dissect_capf_tcp, proto_capf);

    capf_module = prefs_register_protocol(proto_capf, NULL);
    prefs_register_bool_preference(capf_module, "desegment",
                                   "Reassemble CAPF messages spanning multiple TCP segments or TLS records",
                                   "Whether the CAPF dissector should reassemble messages spanning multiple "
                                   "TCP segments or TLS records (TCP's \"Allow subdissectors to reassemble "
                                   "TCP streams\" must be on too)",
                                   &capf_desegment);
    capf_verdicts_register(expert_capf, capf_module);
}

void
proto_reg_handoff_capf(void)
{
    /* HiQnet registers TCP 3804 too; plugin handoffs run after the built-in
     * ones, so remember it before taking the port over. */
    port_owner_handle = dissector_get_uint_handle(find_dissector_table("tcp.port"), CAPF_TCP_PORT);
    tls_handle = find_dissector("tls");

    /* tls.port 3804 -> CAPF (this also points tcp.port 3804 at TLS) ... */
    ssl_dissector_add(CAPF_TCP_PORT, capf_handle);
    /* ... then the demultiplexer takes tcp.port 3804 (TLS, plain CAPF or HiQnet). */
    dissector_add_uint_with_preference("tcp.port", CAPF_TCP_PORT, capf_tcp_handle);

    capf_verdicts_handoff();
    cisco_dissect_handoff();
}
