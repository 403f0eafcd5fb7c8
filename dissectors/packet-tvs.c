/* packet-tvs.c
 * Routines for Cisco TVS (Trust Verification Service) dissection
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/*
 * A Cisco IP phone asks TVS (a CUCM service, TCP 2445, inside TLS) whether
 * it may trust a certificate that is not in its ITL/CTL: an HTTPS server's,
 * a CAPF server's, a new CallManager's.  Each message is
 *
 *   protocol id (0x57) | version u8 (1) | command u8 | reserved u8 |
 *   session (request) id u32 | body length u16
 *
 * followed by elements (tag u8 | length u16 | value), all big-endian.  The
 * phone sends VERIFY_REQUEST {DEVICE_NAME, CERTIFICATE}; TVS answers
 * VERIFY_RESPONSE {STATUS, ROLES, TTL} with the same id.  No public
 * specification exists: see doc/protocol.md section 5 (tvsd/tvsc by
 * Gareth Palmer, Cisco's security guides).
 */

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/tap.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/unit_strings.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-tls.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "ws-compat.h"
#include "cisco-crypto.h"
#include "cisco-dissect.h"
#include "cisco-tlv.h"
#include "tap-cisco.h"

void proto_register_tvs(void);
void proto_reg_handoff_tvs(void);

#define TVS_TCP_PORT      2445
#define TVS_PROTOCOL_ID   0x57
#define TVS_VERSION       1
#define TVS_HDR_LEN       10
#define TVS_ELEM_HDR_LEN  3

#define TVS_VERIFY_REQUEST   1
#define TVS_VERIFY_RESPONSE  2
#define TVS_QUERY_REQUEST    3
#define TVS_QUERY_RESPONSE   4
#define TVS_COMMAND_MAX      4

#define TVS_EL_DEVICE_NAME   1
#define TVS_EL_CERTIFICATE   2
#define TVS_EL_STATUS        7
#define TVS_EL_ROLES         8
#define TVS_EL_TTL           9

#define TVS_STATUS_VALID     0

#define TVS_NO_VALUE         (-1)

static int proto_tvs = -1;

static int hf_tvs_protocol_id = -1;
static int hf_tvs_version = -1;
static int hf_tvs_command = -1;
static int hf_tvs_reserved = -1;
static int hf_tvs_session_id = -1;
static int hf_tvs_length = -1;
static int hf_tvs_element = -1;
static int hf_tvs_element_tag = -1;
static int hf_tvs_element_length = -1;
static int hf_tvs_element_value = -1;
static int hf_tvs_device_name_format = -1;
static int hf_tvs_device_name = -1;
static int hf_tvs_certificate = -1;
static int hf_tvs_certificate_subject = -1;
static int hf_tvs_certificate_issuer = -1;
static int hf_tvs_certificate_serial = -1;
static int hf_tvs_certificate_sha1 = -1;
static int hf_tvs_certificate_key = -1;
static int hf_tvs_status = -1;
static int hf_tvs_roles = -1;
static int hf_tvs_role = -1;
static int hf_tvs_ttl = -1;
static int hf_tvs_response_in = -1;
static int hf_tvs_response_to = -1;
static int hf_tvs_time = -1;
static int hf_tvs_queried_subject = -1;
static int hf_tvs_queried_sha1 = -1;

static gint ett_tvs = -1;
static gint ett_tvs_element = -1;
static gint ett_tvs_certificate = -1;
static gint ett_tvs_roles = -1;

static expert_field ei_tvs_not_trusted = EI_INIT;
static int tvs_tap = -1;
static expert_field ei_tvs_bad_protocol_id = EI_INIT;
static expert_field ei_tvs_bad_version = EI_INIT;
static expert_field ei_tvs_unknown_command = EI_INIT;
static expert_field ei_tvs_unknown_element = EI_INIT;
static expert_field ei_tvs_element_overrun = EI_INIT;
static expert_field ei_tvs_element_length = EI_INIT;
static expert_field ei_tvs_missing_element = EI_INIT;
static expert_field ei_tvs_truncated = EI_INIT;
static expert_field ei_tvs_bad_certificate = EI_INIT;
static expert_field ei_tvs_unknown_role = EI_INIT;
static expert_field ei_tvs_unanswered = EI_INIT;
static expert_field ei_tvs_unmatched_response = EI_INIT;

static dissector_handle_t tvs_handle;
static dissector_handle_t tvs_tcp_handle;
static dissector_handle_t tls_handle;
static dissector_handle_t port_owner_handle;    /* whoever had TCP 2445 before */

static wsc_bool tvs_desegment = TRUE;

static const value_string tvs_command_vals[] = {
    { 0,                   "NONE" },
    { TVS_VERIFY_REQUEST,  "VERIFY_REQUEST" },
    { TVS_VERIFY_RESPONSE, "VERIFY_RESPONSE" },
    { TVS_QUERY_REQUEST,   "QUERY_REQUEST" },
    { TVS_QUERY_RESPONSE,  "QUERY_RESPONSE" },
    { 0, NULL }
};

static const value_string tvs_element_vals[] = {
    { TVS_EL_DEVICE_NAME, "DEVICE_NAME" },
    { TVS_EL_CERTIFICATE, "CERTIFICATE" },
    { TVS_EL_STATUS,      "STATUS" },
    { TVS_EL_ROLES,       "ROLES" },
    { TVS_EL_TTL,         "TTL" },
    { 0, NULL }
};

static const value_string tvs_status_vals[] = {
    { TVS_STATUS_VALID, "valid" },
    { 1,                "invalid" },
    { 0, NULL }
};

/* One TVS message, remembered for the whole file: request/response links. */
typedef struct tvs_pdu {
    guint32 frame;
    nstime_t abs_time;
    guint8 command;
    gboolean is_request;
    struct tvs_pdu *peer;       /* the response of a request, the request of a response */
    const char *cert_name;      /* request: CN (or subject) of the certificate asked about */
    gboolean have_sha1;
    guint8 sha1[CISCO_SHA1_LEN];
} tvs_pdu_t;

typedef struct {
    wmem_map_t *pending;        /* session id -> tvs_pdu_t * of the last unanswered request */
} tvs_conv_t;

/* What one message's elements said. */
typedef struct {
    const char *device_name;
    const char *cert_name;
    gboolean have_cert;
    gboolean have_sha1;
    guint8 sha1[CISCO_SHA1_LEN];
    gint status;
    gint ttl;
    wmem_strbuf_t *roles;
} tvs_msg_t;

static tvs_conv_t *
tvs_get_conv(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    tvs_conv_t *tc = (tvs_conv_t *)conversation_get_proto_data(conv, proto_tvs);

    if (!tc) {
        tc = wmem_new0(wmem_file_scope(), tvs_conv_t);
        tc->pending = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
        conversation_add_proto_data(conv, proto_tvs, tc);
    }
    return tc;
}

static void
tvs_dissect_certificate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *elem_item,
                        int offset, int len, tvs_msg_t *msg)
{
    proto_item *ti = proto_tree_add_item(tree, hf_tvs_certificate, tvb, offset, len, ENC_NA);
    proto_tree *cert_tree = proto_item_add_subtree(ti, ett_tvs_certificate);
    cisco_cert_info_t info;

    msg->have_cert = TRUE;
    if (len <= 0 || !cisco_cert_parse(tvb_get_ptr(tvb, offset, len), len, pinfo->pool, TRUE, &info)) {
        expert_add_info(pinfo, ti, &ei_tvs_bad_certificate);
        if (len > 0)
            cisco_call_x509(tvb, offset, len, pinfo, cert_tree);
        return;
    }
    if (info.subject)
        proto_item_set_generated(proto_tree_add_string(cert_tree, hf_tvs_certificate_subject, tvb, offset, len,
                                                       info.subject));
    if (info.issuer)
        proto_item_set_generated(proto_tree_add_string(cert_tree, hf_tvs_certificate_issuer, tvb, offset, len,
                                                       info.issuer));
    if (info.serial)
        proto_item_set_generated(proto_tree_add_string(cert_tree, hf_tvs_certificate_serial, tvb, offset, len,
                                                       info.serial));
    if (info.key)
        proto_item_set_generated(proto_tree_add_string(cert_tree, hf_tvs_certificate_key, tvb, offset, len,
                                                       info.key));
    proto_item_set_generated(proto_tree_add_bytes_with_length(cert_tree, hf_tvs_certificate_sha1, tvb, offset,
                                                              len, info.sha1, CISCO_SHA1_LEN));
    cisco_call_x509(tvb, offset, len, pinfo, cert_tree);
    msg->cert_name = info.common_name ? info.common_name : info.subject;
    msg->have_sha1 = TRUE;
    memcpy(msg->sha1, info.sha1, CISCO_SHA1_LEN);
    proto_item_append_text(ti, " (%s)", info.subject ? info.subject : "no subject");
    if (msg->cert_name)
        proto_item_append_text(elem_item, ": %s", msg->cert_name);
}

/* A fixed-size integer element; another length gets an expert and the raw
 * value.  Returns the value or TVS_NO_VALUE. */
static gint
tvs_add_uint(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *elem_item,
             int hf, int offset, int len, int want)
{
    guint32 value;

    if (len != want) {
        expert_add_info_format(pinfo, elem_item, &ei_tvs_element_length,
                               "Element value is %d bytes, expected %d", len, want);
        if (len > 0)
            proto_tree_add_item(tree, hf_tvs_element_value, tvb, offset, len, ENC_NA);
        return TVS_NO_VALUE;
    }
    proto_tree_add_item_ret_uint(tree, hf, tvb, offset, len, ENC_BIG_ENDIAN, &value);
    return (gint)value;
}

static void
tvs_dissect_element_value(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *elem_item,
                          guint8 tag, int offset, int len, tvs_msg_t *msg)
{
    proto_item *ti;
    proto_tree *sub;

    switch (tag) {
    case TVS_EL_DEVICE_NAME:
        /* one byte (1 in every source) before CP-<model>-SEP<MAC>, no NUL */
        if (len < 1) {
            expert_add_info_format(pinfo, elem_item, &ei_tvs_element_length, "DEVICE_NAME is empty");
            break;
        }
        proto_tree_add_item(tree, hf_tvs_device_name_format, tvb, offset, 1, ENC_NA);
        msg->device_name = cisco_add_string(tree, hf_tvs_device_name, tvb, pinfo, offset + 1, len - 1);
        proto_item_append_text(elem_item, ": %s", msg->device_name);
        break;
    case TVS_EL_CERTIFICATE:
        tvs_dissect_certificate(tvb, pinfo, tree, elem_item, offset, len, msg);
        break;
    case TVS_EL_STATUS:
        msg->status = tvs_add_uint(tvb, pinfo, tree, elem_item, hf_tvs_status, offset, len, 1);
        if (msg->status != TVS_NO_VALUE)
            proto_item_append_text(elem_item, ": %s",
                                   WSC_VAL_TO_STR(pinfo->pool, msg->status, tvs_status_vals, "unknown (%d)"));
        break;
    case TVS_EL_ROLES:
        ti = proto_tree_add_item(tree, hf_tvs_roles, tvb, offset, len, ENC_NA);
        sub = proto_item_add_subtree(ti, ett_tvs_roles);
        msg->roles = wmem_strbuf_new(pinfo->pool, "");
        for (int i = 0; i < len; i++) {
            guint32 role;
            proto_item *ri = proto_tree_add_item_ret_uint(sub, hf_tvs_role, tvb, offset + i, 1, ENC_NA, &role);
            const char *name = try_val_to_str(role, cisco_tlv_function_vals);

            if (!name)
                expert_add_info_format(pinfo, ri, &ei_tvs_unknown_role, "Role code %u has no known name", role);
            /* the CUCM name of role 0 is long: the Info column says SAST */
            wmem_strbuf_append_printf(msg->roles, "%s%s", i ? "," : "",
                                      role == 0 ? "SAST" : name ? name : wmem_strdup_printf(pinfo->pool, "%u", role));
        }
        proto_item_append_text(elem_item, ": %s", wmem_strbuf_get_str(msg->roles));
        break;
    case TVS_EL_TTL:
        msg->ttl = tvs_add_uint(tvb, pinfo, tree, elem_item, hf_tvs_ttl, offset, len, 4);
        if (msg->ttl != TVS_NO_VALUE)
            proto_item_append_text(elem_item, ": %u s", (guint)msg->ttl);
        break;
    default:
        if (len > 0)
            proto_tree_add_item(tree, hf_tvs_element_value, tvb, offset, len, ENC_NA);
        expert_add_info_format(pinfo, elem_item, &ei_tvs_unknown_element, "Unknown TVS element tag %u", tag);
        break;
    }
}

static void
tvs_dissect_elements(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset, int end, tvs_msg_t *msg)
{
    while (offset < end) {
        proto_item *elem_item, *len_item;
        proto_tree *elem_tree;
        guint32 tag, len;

        if (end - offset < TVS_ELEM_HDR_LEN) {
            proto_tree_add_expert_format(tree, pinfo, &ei_tvs_element_overrun, tvb, offset, end - offset,
                                         "%d trailing bytes, too short for an element header", end - offset);
            return;
        }
        elem_item = proto_tree_add_item(tree, hf_tvs_element, tvb, offset, -1, ENC_NA);
        elem_tree = proto_item_add_subtree(elem_item, ett_tvs_element);
        proto_tree_add_item_ret_uint(elem_tree, hf_tvs_element_tag, tvb, offset, 1, ENC_NA, &tag);
        len_item = proto_tree_add_item_ret_uint(elem_tree, hf_tvs_element_length, tvb, offset + 1, 2,
                                                ENC_BIG_ENDIAN, &len);
        proto_item_set_text(elem_item, "Element: %s (%u)", val_to_str_const(tag, tvs_element_vals, "Unknown"), tag);
        offset += TVS_ELEM_HDR_LEN;
        if (len > (guint32)(end - offset)) {
            expert_add_info_format(pinfo, len_item, &ei_tvs_element_overrun,
                                   "Element length %u runs past the end of the message (%d bytes left)",
                                   len, end - offset);
            proto_item_set_len(elem_item, TVS_ELEM_HDR_LEN + (end - offset));
            if (end > offset)
                proto_tree_add_item(elem_tree, hf_tvs_element_value, tvb, offset, end - offset, ENC_NA);
            return;
        }
        proto_item_set_len(elem_item, TVS_ELEM_HDR_LEN + len);
        tvs_dissect_element_value(tvb, pinfo, elem_tree, elem_item, (guint8)tag, offset, len, msg);
        offset += len;
    }
}

static const char *
tvs_sha1_hex(wmem_allocator_t *scope, const guint8 *sha1)
{
    return cisco_hex(scope, sha1, CISCO_SHA1_LEN, 0, FALSE);
}

static int
dissect_tvs_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    proto_item *ti, *pid_item, *ver_item, *cmd_item;
    proto_tree *tvs_tree;
    guint32 protocol_id, version, cmd, session_id, body_len;
    tvs_msg_t msg = { .status = TVS_NO_VALUE, .ttl = TVS_NO_VALUE };
    tvs_pdu_t *pi;
    guint *counter;
    guint pdu_index;
    gboolean is_request, is_response;
    int end;
    const char *name;
    wmem_strbuf_t *info;

    /* several messages can share a frame (and each TLS record calls us anew) */
    counter = (guint *)p_get_proto_data(pinfo->pool, pinfo, proto_tvs, 0);
    if (!counter) {
        counter = wmem_new0(pinfo->pool, guint);
        p_add_proto_data(pinfo->pool, pinfo, proto_tvs, 0, counter);
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "TVS");
        col_clear(pinfo->cinfo, COL_INFO);
    }
    pdu_index = ++(*counter);

    ti = proto_tree_add_item(tree, proto_tvs, tvb, 0, -1, ENC_NA);
    tvs_tree = proto_item_add_subtree(ti, ett_tvs);
    pid_item = proto_tree_add_item_ret_uint(tvs_tree, hf_tvs_protocol_id, tvb, 0, 1, ENC_NA, &protocol_id);
    ver_item = proto_tree_add_item_ret_uint(tvs_tree, hf_tvs_version, tvb, 1, 1, ENC_NA, &version);
    cmd_item = proto_tree_add_item_ret_uint(tvs_tree, hf_tvs_command, tvb, 2, 1, ENC_NA, &cmd);
    proto_tree_add_item(tvs_tree, hf_tvs_reserved, tvb, 3, 1, ENC_NA);
    proto_tree_add_item_ret_uint(tvs_tree, hf_tvs_session_id, tvb, 4, 4, ENC_BIG_ENDIAN, &session_id);
    proto_tree_add_item_ret_uint(tvs_tree, hf_tvs_length, tvb, 8, 2, ENC_BIG_ENDIAN, &body_len);

    if (protocol_id != TVS_PROTOCOL_ID)
        expert_add_info_format(pinfo, pid_item, &ei_tvs_bad_protocol_id,
                               "Protocol id 0x%02x is not TVS's 0x57", protocol_id);
    if (version != TVS_VERSION)
        expert_add_info_format(pinfo, ver_item, &ei_tvs_bad_version,
                               "Version %u: tvsd and tvsc accept only 1", version);
    if (cmd == 0 || cmd > TVS_COMMAND_MAX)
        expert_add_info_format(pinfo, cmd_item, &ei_tvs_unknown_command, "Unknown TVS command %u", cmd);
    is_request = cmd == TVS_VERIFY_REQUEST || cmd == TVS_QUERY_REQUEST;
    is_response = cmd == TVS_VERIFY_RESPONSE || cmd == TVS_QUERY_RESPONSE;

    end = TVS_HDR_LEN + body_len;
    if (tvb_captured_length(tvb) < (guint)end) {
        expert_add_info_format(pinfo, ti, &ei_tvs_truncated,
                               "Message truncated: header announces %u body bytes, %u captured",
                               body_len, tvb_captured_length(tvb) - TVS_HDR_LEN);
        end = tvb_captured_length(tvb);
    }
    tvs_dissect_elements(tvb, pinfo, tvs_tree, TVS_HDR_LEN, end, &msg);

    if (cmd == TVS_VERIFY_REQUEST && end == TVS_HDR_LEN + (int)body_len && (!msg.device_name || !msg.have_cert))
        expert_add_info_format(pinfo, cmd_item, &ei_tvs_missing_element,
                               "VERIFY_REQUEST without %s (tvsd answers nothing and closes)",
                               !msg.have_cert ? "CERTIFICATE" : "DEVICE_NAME");
    if (cmd == TVS_VERIFY_RESPONSE && end == TVS_HDR_LEN + (int)body_len && msg.status == TVS_NO_VALUE)
        expert_add_info_format(pinfo, cmd_item, &ei_tvs_missing_element,
                               "VERIFY_RESPONSE without STATUS (tvsc gives up: \"No status element\")");

    /* request/response links, made on the first pass */
    pi = (tvs_pdu_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tvs, pdu_index);
    if (!pi) {
        tvs_conv_t *tc = tvs_get_conv(pinfo);

        pi = wmem_new0(wmem_file_scope(), tvs_pdu_t);
        pi->frame = pinfo->num;
        pi->abs_time = pinfo->abs_ts;
        pi->command = (guint8)cmd;
        pi->is_request = is_request;
        if (is_request) {
            if (msg.cert_name)
                pi->cert_name = wmem_strdup(wmem_file_scope(), msg.cert_name);
            pi->have_sha1 = msg.have_sha1;
            memcpy(pi->sha1, msg.sha1, CISCO_SHA1_LEN);
            wmem_map_insert(tc->pending, GUINT_TO_POINTER(session_id), pi);
        } else if (is_response) {
            tvs_pdu_t *req = (tvs_pdu_t *)wmem_map_remove(tc->pending, GUINT_TO_POINTER(session_id));
            if (req) {
                req->peer = pi;
                pi->peer = req;
            }
        }
        p_add_proto_data(wmem_file_scope(), pinfo, proto_tvs, pdu_index, pi);
    }

    if (is_request && pi->peer) {
        proto_item_set_generated(proto_tree_add_uint(tvs_tree, hf_tvs_response_in, tvb, 0, 0, pi->peer->frame));
    } else if (is_request && PINFO_FD_VISITED(pinfo)) {
        /* only a later pass knows that no answer ever came */
        expert_add_info_format(pinfo, cmd_item, &ei_tvs_unanswered,
                               "No response to this %s (session id %u) in the capture",
                               val_to_str_const(cmd, tvs_command_vals, "request"), session_id);
    }
    if (is_response && pi->peer) {
        nstime_t delta;
        const tvs_pdu_t *req = pi->peer;

        proto_item_set_generated(proto_tree_add_uint(tvs_tree, hf_tvs_response_to, tvb, 0, 0, req->frame));
        nstime_delta(&delta, &pinfo->abs_ts, &req->abs_time);
        proto_item_set_generated(proto_tree_add_time(tvs_tree, hf_tvs_time, tvb, 0, 0, &delta));
        if (req->cert_name)
            proto_item_set_generated(proto_tree_add_string(tvs_tree, hf_tvs_queried_subject, tvb, 0, 0,
                                                           req->cert_name));
        if (req->have_sha1)
            proto_item_set_generated(proto_tree_add_bytes_with_length(tvs_tree, hf_tvs_queried_sha1, tvb, 0, 0,
                                                                      req->sha1, CISCO_SHA1_LEN));
    } else if (is_response) {
        expert_add_info_format(pinfo, cmd_item, &ei_tvs_unmatched_response,
                               "No request with session id %u before this response on this connection",
                               session_id);
    }

    if (is_response && msg.status != TVS_NO_VALUE && msg.status != TVS_STATUS_VALID) {
        const tvs_pdu_t *req = pi->peer;

        if (req && req->cert_name && req->have_sha1)
            expert_add_info_format(pinfo, ti, &ei_tvs_not_trusted,
                                   "TVS does not vouch for the certificate CN=%s (SHA-1 %s, frame %u), status %s: "
                                   "the phone will not trust it",
                                   cisco_clamp(pinfo->pool, req->cert_name, CISCO_NAME_MAX), tvs_sha1_hex(pinfo->pool, req->sha1), req->frame,
                                   WSC_VAL_TO_STR(pinfo->pool, msg.status, tvs_status_vals, "%d"));
        else if (req)
            expert_add_info_format(pinfo, ti, &ei_tvs_not_trusted,
                                   "TVS does not vouch for the certificate asked about in frame %u (not "
                                   "readable there), status %s: the phone will not trust it",
                                   req->frame, WSC_VAL_TO_STR(pinfo->pool, msg.status, tvs_status_vals, "%d"));
        else
            expert_add_info_format(pinfo, ti, &ei_tvs_not_trusted,
                                   "TVS does not vouch for the certificate it was asked about (request not in "
                                   "the capture), status %s: the phone will not trust it",
                                   WSC_VAL_TO_STR(pinfo->pool, msg.status, tvs_status_vals, "%d"));
    }

    if (is_response && msg.status != TVS_NO_VALUE && have_tap_listener(tvs_tap)) {
        tvs_tap_info_t *tap = wmem_new0(pinfo->pool, tvs_tap_info_t);

        tap->valid = msg.status == TVS_STATUS_VALID;
        tap->cert_name = pi->peer ? pi->peer->cert_name : NULL;
        tap_queue_packet(tvs_tap, pinfo, tap);
    }

    name = WSC_VAL_TO_STR(pinfo->pool, cmd, tvs_command_vals, "Unknown command %u");
    info = wmem_strbuf_new(pinfo->pool, name);
    if (msg.device_name && *msg.device_name)
        wmem_strbuf_append_printf(info, " %s", msg.device_name);
    if (msg.cert_name)
        wmem_strbuf_append_printf(info, " CN=%s", msg.cert_name);
    if (msg.status != TVS_NO_VALUE)
        wmem_strbuf_append_printf(info, " status=%s",
                                  WSC_VAL_TO_STR(pinfo->pool, msg.status, tvs_status_vals, "%d"));
    if (msg.roles && wmem_strbuf_get_len(msg.roles))
        wmem_strbuf_append_printf(info, " roles=%s", wmem_strbuf_get_str(msg.roles));
    if (msg.ttl != TVS_NO_VALUE)
        wmem_strbuf_append_printf(info, " ttl=%u", (guint)msg.ttl);
    if (is_response && pi->peer && pi->peer->cert_name && msg.status != TVS_NO_VALUE &&
        msg.status != TVS_STATUS_VALID)
        wmem_strbuf_append_printf(info, " (CN=%s)", pi->peer->cert_name);
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", wmem_strbuf_get_str(info));
    proto_item_append_text(ti, ", %s", wmem_strbuf_get_str(info));
    return tvb_captured_length(tvb);
}

static guint
get_tvs_pdu_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset, void *data _U_)
{
    return TVS_HDR_LEN + tvb_get_ntohs(tvb, offset + 8);
}

/* TVS over a byte stream: clear TCP or decrypted TLS application data. */
static int
dissect_tvs(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    tcp_dissect_pdus(tvb, pinfo, tree, tvs_desegment, TVS_HDR_LEN, get_tvs_pdu_len, dissect_tvs_pdu, data);
    return tvb_captured_length(tvb);
}

/* TCP port 2445 (and Decode As): decide once per connection whether it is
 * TLS (as phones and CUCM use it), clear TVS (first byte 0x57), or
 * whatever else owns the port in this Wireshark. */
static int
dissect_tvs_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    dissector_handle_t next;

    if (tvb_captured_length(tvb) == 0)
        return 0;
    if (cisco_looks_like_tls(tvb) && tls_handle) {
        /* TLS from here on, its application data back to TVS */
        ssl_starttls_post_ack(tls_handle, pinfo, tvs_handle);
        next = tls_handle;
    } else if (tvb_get_uint8(tvb, 0) == TVS_PROTOCOL_ID || !port_owner_handle) {
        next = tvs_handle;
        conversation_set_dissector(conv, next);
    } else {
        next = port_owner_handle;
        conversation_set_dissector(conv, next);
    }
    /* Let the next dissector use TCP reassembly as if TCP had called it. */
    pinfo->can_desegment = pinfo->saved_can_desegment;
    return call_dissector_with_data(next, tvb, pinfo, tree, data);
}

void
proto_register_tvs(void)
{
    static hf_register_info hf[] = {
        { &hf_tvs_protocol_id,
          { "Protocol ID", "tvs.protocol_id", FT_UINT8, BASE_HEX, NULL, 0x0,
            "First header byte, always 0x57 ('W')", HFILL } },
        { &hf_tvs_version,
          { "Version", "tvs.version", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Protocol version (1; tvsd and tvsc accept nothing else)", HFILL } },
        { &hf_tvs_command,
          { "Command", "tvs.command", FT_UINT8, BASE_DEC, VALS(tvs_command_vals), 0x0,
            "Message type: 1 VERIFY_REQUEST (phone), 2 VERIFY_RESPONSE (TVS), 3 QUERY_REQUEST, 4 QUERY_RESPONSE",
            HFILL } },
        { &hf_tvs_reserved,
          { "Reserved", "tvs.reserved", FT_UINT8, BASE_HEX, NULL, 0x0,
            "Header byte of unknown use (tvsd and tvsc send 0)", HFILL } },
        { &hf_tvs_session_id,
          { "Session ID", "tvs.session_id", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Request id chosen by the phone and echoed in TVS's response", HFILL } },
        { &hf_tvs_length,
          { "Length", "tvs.length", FT_UINT16, BASE_DEC, NULL, 0x0,
            "Body length: bytes of elements after the 10-byte header", HFILL } },
        { &hf_tvs_element,
          { "Element", "tvs.element", FT_NONE, BASE_NONE, NULL, 0x0,
            "One element: tag, length, value", HFILL } },
        { &hf_tvs_element_tag,
          { "Tag", "tvs.element.tag", FT_UINT8, BASE_DEC, VALS(tvs_element_vals), 0x0,
            "Element tag: 1 DEVICE_NAME, 2 CERTIFICATE, 7 STATUS, 8 ROLES, 9 TTL", HFILL } },
        { &hf_tvs_element_length,
          { "Length", "tvs.element.length", FT_UINT16, BASE_DEC, NULL, 0x0,
            "Element value length", HFILL } },
        { &hf_tvs_element_value,
          { "Value", "tvs.element.value", FT_BYTES, BASE_NONE, NULL, 0x0,
            "Raw value of an unknown or malformed element", HFILL } },
        { &hf_tvs_device_name_format,
          { "Device name format", "tvs.device_name.format", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Byte before the device name (1 in every known source; meaning unknown)", HFILL } },
        { &hf_tvs_device_name,
          { "Device name", "tvs.device_name", FT_STRING, BASE_NONE, NULL, 0x0,
            "The asking phone, CP-<model>-SEP<MAC>", HFILL } },
        { &hf_tvs_certificate,
          { "Certificate", "tvs.certificate", FT_BYTES, BASE_NONE, NULL, 0x0,
            "DER X.509 certificate the phone asks about, decoded below it by Wireshark's X.509 dissector",
            HFILL } },
        { &hf_tvs_certificate_subject,
          { "Subject", "tvs.certificate.subject", FT_STRING, BASE_NONE, NULL, 0x0,
            "The certificate's subject (generated)", HFILL } },
        { &hf_tvs_certificate_issuer,
          { "Issuer", "tvs.certificate.issuer", FT_STRING, BASE_NONE, NULL, 0x0,
            "The certificate's issuer (generated)", HFILL } },
        { &hf_tvs_certificate_serial,
          { "Serial number", "tvs.certificate.serial", FT_STRING, BASE_NONE, NULL, 0x0,
            "The certificate's serial number, colon hex (generated)", HFILL } },
        { &hf_tvs_certificate_sha1,
          { "SHA-1 fingerprint", "tvs.certificate.sha1", FT_BYTES, BASE_NONE, NULL, 0x0,
            "SHA-1 of the certificate's DER encoding, as show itl prints it (generated)", HFILL } },
        { &hf_tvs_certificate_key,
          { "Public key", "tvs.certificate.key", FT_STRING, BASE_NONE, NULL, 0x0,
            "The certificate's public key, e.g. RSA 2048 (generated)", HFILL } },
        { &hf_tvs_status,
          { "Status", "tvs.status", FT_UINT8, BASE_DEC, VALS(tvs_status_vals), 0x0,
            "TVS's answer: 0 valid (TVS vouches for the certificate), 1 invalid", HFILL } },
        { &hf_tvs_roles,
          { "Roles", "tvs.roles", FT_BYTES, BASE_NONE, NULL, 0x0,
            "ROLES: the roles TVS grants the certificate, one byte each", HFILL } },
        { &hf_tvs_role,
          { "Role", "tvs.role", FT_UINT8, BASE_DEC, VALS(cisco_tlv_function_vals), 0x0,
            "One role of ROLES, with the ITL function names (4 CAPF, 7 APP-SERVER, 21 TVS, ...)", HFILL } },
        { &hf_tvs_ttl,
          { "TTL", "tvs.ttl", FT_UINT32, BASE_DEC | BASE_UNIT_STRING, &units_second_seconds, 0x0,
            "How long the phone may cache this answer, in seconds", HFILL } },
        { &hf_tvs_response_in,
          { "Response in", "tvs.response_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
            "On a request: the frame of TVS's response (same session id, same connection)", HFILL } },
        { &hf_tvs_response_to,
          { "Response to", "tvs.response_to", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
            "On a response: the frame of its request", HFILL } },
        { &hf_tvs_time,
          { "Time", "tvs.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time between the request and this response", HFILL } },
        { &hf_tvs_queried_subject,
          { "Certificate asked about", "tvs.queried.subject", FT_STRING, BASE_NONE, NULL, 0x0,
            "On a response: CN (or subject) of the certificate in its request (generated)", HFILL } },
        { &hf_tvs_queried_sha1,
          { "Certificate asked about (SHA-1)", "tvs.queried.sha1", FT_BYTES, BASE_NONE, NULL, 0x0,
            "On a response: SHA-1 of the certificate in its request (generated)", HFILL } },
    };

    static gint *ett[] = {
        &ett_tvs,
        &ett_tvs_element,
        &ett_tvs_certificate,
        &ett_tvs_roles,
    };

    static ei_register_info ei[] = {
        { &ei_tvs_not_trusted,
          { "tvs.expert.not_trusted", PI_SECURITY, PI_WARN,
            "TVS does not vouch for the certificate: the phone will not trust it", EXPFILL } },
        { &ei_tvs_bad_protocol_id,
          { "tvs.expert.bad_protocol_id", PI_MALFORMED, PI_ERROR, "Protocol id is not 0x57", EXPFILL } },
        { &ei_tvs_bad_version,
          { "tvs.expert.bad_version", PI_PROTOCOL, PI_WARN, "TVS version is not 1", EXPFILL } },
        { &ei_tvs_unknown_command,
          { "tvs.expert.unknown_command", PI_PROTOCOL, PI_WARN, "Unknown TVS command", EXPFILL } },
        { &ei_tvs_unknown_element,
          { "tvs.expert.unknown_element", PI_UNDECODED, PI_WARN, "Unknown TVS element tag", EXPFILL } },
        { &ei_tvs_element_overrun,
          { "tvs.expert.element_overrun", PI_MALFORMED, PI_ERROR,
            "Element runs past the end of the message", EXPFILL } },
        { &ei_tvs_element_length,
          { "tvs.expert.element_length", PI_MALFORMED, PI_WARN,
            "Element value has an unexpected length", EXPFILL } },
        { &ei_tvs_missing_element,
          { "tvs.expert.missing_element", PI_PROTOCOL, PI_WARN,
            "Message without an element it needs", EXPFILL } },
        { &ei_tvs_truncated,
          { "tvs.expert.truncated", PI_MALFORMED, PI_ERROR, "TVS message truncated", EXPFILL } },
        { &ei_tvs_bad_certificate,
          { "tvs.expert.bad_certificate", PI_MALFORMED, PI_WARN,
            "Certificate is not valid DER X.509", EXPFILL } },
        { &ei_tvs_unknown_role,
          { "tvs.expert.unknown_role", PI_UNDECODED, PI_NOTE, "Role code without a name", EXPFILL } },
        { &ei_tvs_unanswered,
          { "tvs.expert.unanswered", PI_SEQUENCE, PI_WARN,
            "No response to this request in the capture", EXPFILL } },
        { &ei_tvs_unmatched_response,
          { "tvs.expert.unmatched_response", PI_SEQUENCE, PI_NOTE,
            "Response without a matching request on this connection", EXPFILL } },
    };

    module_t *tvs_module;
    expert_module_t *expert_tvs;

    proto_tvs = proto_register_protocol("Cisco Trust Verification Service", "TVS", "tvs");
    tvs_tap = register_tap("tvs");
    proto_register_field_array(proto_tvs, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_tvs = expert_register_protocol(proto_tvs);
    expert_register_field_array(expert_tvs, ei, array_length(ei));

    tvs_handle = register_dissector("tvs", dissect_tvs, proto_tvs);
    tvs_tcp_handle = register_dissector("tvs.tcp", dissect_tvs_tcp, proto_tvs);

    tvs_module = prefs_register_protocol(proto_tvs, NULL);
    prefs_register_bool_preference(tvs_module, "desegment",
                                   "Reassemble TVS messages spanning multiple TCP segments or TLS records",
                                   "Whether the TVS dissector should reassemble messages spanning multiple "
                                   "TCP segments or TLS records (TCP's \"Allow subdissectors to reassemble "
                                   "TCP streams\" must be on too)",
                                   &tvs_desegment);
}

void
proto_reg_handoff_tvs(void)
{
    /* remember the port's owner (none in Wireshark 4.0) before taking it */
    port_owner_handle = dissector_get_uint_handle(find_dissector_table("tcp.port"), TVS_TCP_PORT);
    tls_handle = find_dissector("tls");

    /* tls.port 2445 -> TVS (this also points tcp.port 2445 at TLS) ... */
    ssl_dissector_add(TVS_TCP_PORT, tvs_handle);
    /* ... then the demultiplexer takes tcp.port 2445 (TLS, clear TVS or the owner). */
    dissector_add_uint_with_preference("tcp.port", TVS_TCP_PORT, tvs_tcp_handle);
    cisco_dissect_handoff();
}
