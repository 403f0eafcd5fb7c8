/* capf-session.c
 * The CAPF session state machine: per connection, which request waits for
 * which answer, what the phone and the server said of the device,
 * authentication, operation and key, and the outcome once it is settled
 * (installed, fetched, deleted, nothing to do, failed).  Fed by the wire
 * format (packet-capf.c) and the connection verdicts (capf-verdicts.c).
 * What the wire facts mean: doc/protocol.md (CAPF).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>

#include "ws-compat.h"
#include "capf-int.h"
#include "cisco-dissect.h"

#include <epan/proto_data.h>

guint8
capf_response_code(guint8 request)
{
    switch (request) {
    case CAPF_AUTH_REQUEST:               return CAPF_AUTH_RESPONSE;
    case CAPF_KEY_GENERATE_REQUEST:       return CAPF_KEY_GENERATE_RESPONSE;
    case CAPF_ENCRYPT_REQUEST:            return CAPF_ENCRYPT_RESPONSE;
    case CAPF_DECRYPT_REQUEST:            return CAPF_DECRYPT_RESPONSE;
    case CAPF_STORE_CERTIFICATE_REQUEST:  return CAPF_STORE_CERTIFICATE_RESPONSE;
    case CAPF_FETCH_CERTIFICATE_REQUEST:  return CAPF_FETCH_CERTIFICATE_RESPONSE;
    case CAPF_DELETE_CERTIFICATE_REQUEST: return CAPF_DELETE_CERTIFICATE_RESPONSE;
    case CAPF_STATUS_REQUEST:             return CAPF_STATUS_RESPONSE;
    case CAPF_ABORT_REQUEST:              return CAPF_ABORT_RESPONSE;
    case CAPF_SIGN_CERTIFICATE_REQUEST:   return CAPF_SIGN_CERTIFICATE_RESPONSE;
    default:                              return 0;
    }
}

guint8
capf_request_code(guint8 response)
{
    if (response == 0)
        return 0;
    for (guint8 req = 1; req <= CAPF_COMMAND_MAX; req++) {
        if (capf_response_code(req) == response)
            return req;
    }
    return 0;
}

capf_conv_t *
capf_conv_data(conversation_t *conv)
{
    capf_conv_t *cc = (capf_conv_t *)conversation_get_proto_data(conv, proto_capf);

    if (!cc) {
        cc = wmem_new0(wmem_file_scope(), capf_conv_t);
        cc->session.auth_type = CAPF_UNKNOWN;
        cc->session.operation = CAPF_UNKNOWN;
        cc->session.outcome = CAPF_OUTCOME_INCOMPLETE;
        cc->stream = conv->conv_index;
        conversation_add_proto_data(conv, proto_capf, cc);
    }
    return cc;
}

/* The frame's conversation, looked up once per frame: the CAPF reader of
 * TLS records, the CAPF messages and the verdicts all ask for it. */
typedef struct {
    address src, dst;               /* shallow: valid while the frame is */
    port_type ptype;
    guint32 srcport, destport;
    conversation_t *conv;
} capf_frame_conv_t;

/* Across frames, in the first pass: the conversation each pair of ports had
 * last.  TCP looks up the conversation of every segment; a remembered one it
 * used for this frame (cisco_conversation_used_now()), with this frame's
 * ends, is the frame's.  Anything else (the connection's first frame, ports
 * reused, several connections on one pair of ports, a later pass) is looked
 * up. */
static wmem_map_t *capf_recent_convs;

void
capf_session_init(void)
{
    capf_recent_convs = NULL;   /* its file scope is gone */
}

static gboolean
capf_conv_has_ends(conversation_t *conv, const packet_info *pinfo)
{
    const address *a1 = conversation_key_addr1(conv->key_ptr), *a2 = conversation_key_addr2(conv->key_ptr);
    guint32 p1 = conversation_key_port1(conv->key_ptr), p2 = conversation_key_port2(conv->key_ptr);

    return (p1 == pinfo->srcport && p2 == pinfo->destport && addresses_equal(a1, &pinfo->src) &&
            addresses_equal(a2, &pinfo->dst)) ||
           (p1 == pinfo->destport && p2 == pinfo->srcport && addresses_equal(a1, &pinfo->dst) &&
            addresses_equal(a2, &pinfo->src));
}

static conversation_t *
capf_lookup_conversation(packet_info *pinfo)
{
    gpointer key;
    conversation_t *conv;

    if (PINFO_FD_VISITED(pinfo) || pinfo->ptype != PT_TCP)
        return find_or_create_conversation(pinfo);
    key = GUINT_TO_POINTER(MIN(pinfo->srcport, pinfo->destport) << 16 | MAX(pinfo->srcport, pinfo->destport));
    if (!capf_recent_convs)
        capf_recent_convs = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    conv = (conversation_t *)wmem_map_lookup(capf_recent_convs, key);
    if (cisco_conversation_used_now(conv, pinfo) && capf_conv_has_ends(conv, pinfo))
        return conv;
    conv = find_or_create_conversation(pinfo);
    wmem_map_insert(capf_recent_convs, key, conv);
    return conv;
}

conversation_t *
capf_find_conversation(packet_info *pinfo)
{
    capf_frame_conv_t *m = (capf_frame_conv_t *)p_get_proto_data(pinfo->pool, pinfo, proto_capf, CAPF_PINFO_CONV);

    if (m && m->ptype == pinfo->ptype && m->srcport == pinfo->srcport && m->destport == pinfo->destport &&
        addresses_equal(&m->src, &pinfo->src) && addresses_equal(&m->dst, &pinfo->dst))
        return m->conv;
    if (!m) {
        m = wmem_new(pinfo->pool, capf_frame_conv_t);
        p_add_proto_data(pinfo->pool, pinfo, proto_capf, CAPF_PINFO_CONV, m);
    }
    m->conv = capf_lookup_conversation(pinfo);
    copy_address_shallow(&m->src, &pinfo->src);
    copy_address_shallow(&m->dst, &pinfo->dst);
    m->ptype = pinfo->ptype;
    m->srcport = pinfo->srcport;
    m->destport = pinfo->destport;
    return m->conv;
}

capf_conv_t *
capf_get_conv(packet_info *pinfo)
{
    return capf_conv_data(capf_find_conversation(pinfo));
}

const char *
capf_requested_key(const capf_msg_t *msg, wmem_allocator_t *scope)
{
    if (msg->key_type == CAPF_KEY_TYPE_EC)
        return wmem_strdup_printf(scope, "EC %s", WSC_VAL_TO_STR(scope, msg->curve, capf_curve_vals, "curve %d"));
    if (msg->key_size != CAPF_UNKNOWN)
        return wmem_strdup_printf(scope, "RSA %d", msg->key_size);
    if (msg->key_type == CAPF_KEY_TYPE_RSA)
        return "RSA";
    return NULL;
}

/* How the phone authenticated in its AUTH_RESPONSE. */
gint
capf_phone_auth_type(const capf_msg_t *msg)
{
    if (msg->have_certificate || msg->have_sudi)
        return msg->cert_type == CAPF_CERT_TYPE_MIC ? 4 : 3;
    if (msg->password_present && !msg->password_empty)
        return 1;
    return 2;
}

gboolean
capf_reason_is_ok(gint reason)
{
    return reason == CAPF_REASON_NO_ACTION || reason == CAPF_REASON_UPDATE_CERTIFICATE;
}

const char *
capf_reason_text(gint reason)
{
    return val_to_str_const(reason, capf_reason_vals, "unknown reason");
}

/* The request of the session's operation, while the phone has not answered it. */
gboolean
capf_operation_pending(const capf_conv_t *cc)
{
    switch (cc->session.operation) {
    case CAPF_OP_INSTALL: return cc->pending[CAPF_STORE_CERTIFICATE_REQUEST] != NULL;
    case CAPF_OP_FETCH:   return cc->pending[CAPF_FETCH_CERTIFICATE_REQUEST] != NULL;
    case CAPF_OP_DELETE:  return cc->pending[CAPF_DELETE_CERTIFICATE_REQUEST] != NULL;
    default:              return FALSE;
    }
}

/* Outcome once the server has ended the session.  The phone's answer to the
 * operation may still follow END_SESSION on the same connection (the server
 * may send both at once), so an unanswered operation stays "incomplete". */
static void
capf_settle_outcome(capf_conv_t *cc)
{
    capf_session_t *s = &cc->session;

    if (!cc->ended)
        return;
    if (s->failure)
        s->outcome = CAPF_OUTCOME_FAILED;
    else if (s->operation == CAPF_OP_NONE)
        s->outcome = CAPF_OUTCOME_NOTHING;
    else if (cc->op_succeeded)
        s->outcome = s->operation == CAPF_OP_INSTALL ? CAPF_OUTCOME_INSTALLED :
                     s->operation == CAPF_OP_FETCH ? CAPF_OUTCOME_FETCHED : CAPF_OUTCOME_DELETED;
    else if (capf_operation_pending(cc))
        s->outcome = CAPF_OUTCOME_INCOMPLETE;
    else {
        s->outcome = CAPF_OUTCOME_FAILED;
        s->failure = "session ended before the phone confirmed the operation";
    }
}

/* A verdict that explains a session that did not finish. */
void
capf_fail_session(capf_conv_t *cc, const char *why)
{
    capf_session_t *s = &cc->session;

    if (s->outcome != CAPF_OUTCOME_INCOMPLETE && s->outcome != CAPF_OUTCOME_FAILED)
        return;
    if (!s->failure)
        s->failure = wmem_strdup(wmem_file_scope(), why);
    s->outcome = CAPF_OUTCOME_FAILED;
}

/* First pass: advance the session state with this message (request
 * tracking has already run for it). */
void
capf_update_session(capf_conv_t *cc, guint8 cmd, const capf_msg_t *msg)
{
    capf_session_t *s = &cc->session;

    switch (cmd) {
    case CAPF_AUTH_REQUEST:
        if (msg->auth_type != CAPF_UNKNOWN)
            s->auth_type = msg->auth_type;
        break;
    case CAPF_AUTH_RESPONSE:
        if (msg->device_name && *msg->device_name)
            s->device_name = wmem_strdup(wmem_file_scope(), msg->device_name);
        /* capfd always sends AUTH_TYPE 0 and CUCM none at all: then what the
         * phone sent tells how it authenticated */
        if (s->auth_type == CAPF_UNKNOWN || s->auth_type == 0)
            s->auth_type = capf_phone_auth_type(msg);
        break;
    case CAPF_KEY_GENERATE_REQUEST: {
        const char *key = capf_requested_key(msg, wmem_file_scope());
        s->operation = CAPF_OP_INSTALL;
        if (key)
            s->key = key;
        break;
    }
    case CAPF_KEY_GENERATE_RESPONSE:
        if (!msg->have_public_key && !s->failure)
            s->failure = wmem_strdup_printf(wmem_file_scope(), "key generation failed (%s)",
                                            capf_reason_text(msg->reason));
        break;
    case CAPF_STORE_CERTIFICATE_REQUEST:
        s->operation = CAPF_OP_INSTALL;
        if (msg->cert_serial)
            s->serial = wmem_strdup(wmem_file_scope(), msg->cert_serial);
        break;
    case CAPF_FETCH_CERTIFICATE_REQUEST:
        s->operation = CAPF_OP_FETCH;
        break;
    case CAPF_DELETE_CERTIFICATE_REQUEST:
        s->operation = CAPF_OP_DELETE;
        break;
    case CAPF_STORE_CERTIFICATE_RESPONSE:
    case CAPF_FETCH_CERTIFICATE_RESPONSE:
    case CAPF_DELETE_CERTIFICATE_RESPONSE:
        if (cmd == CAPF_FETCH_CERTIFICATE_RESPONSE && msg->cert_serial)
            s->serial = wmem_strdup(wmem_file_scope(), msg->cert_serial);
        if (msg->reason == CAPF_REASON_UPDATE_CERTIFICATE) {
            cc->op_succeeded = TRUE;
        } else if (!s->failure) {
            const char *what = cmd == CAPF_STORE_CERTIFICATE_RESPONSE ? "store" :
                               cmd == CAPF_FETCH_CERTIFICATE_RESPONSE ? "fetch" : "delete";
            s->failure = wmem_strdup_printf(wmem_file_scope(), "phone could not %s the certificate (%s)",
                                            what, capf_reason_text(msg->reason));
        }
        capf_settle_outcome(cc);
        break;
    case CAPF_END_SESSION:
        cc->ended = TRUE;
        if (s->operation == CAPF_UNKNOWN)
            s->operation = CAPF_OP_NONE;
        if (!capf_reason_is_ok(msg->reason) && !s->failure)
            s->failure = wmem_strdup_printf(wmem_file_scope(), "server ended the session: %s",
                                            capf_reason_text(msg->reason));
        capf_settle_outcome(cc);
        break;
    default:
        break;
    }
}

/* First pass: request/response links.  Requests carry no transaction id;
 * a response answers the last unanswered request of its pair. */
void
capf_track(capf_conv_t *cc, packet_info *pinfo, guint8 cmd, capf_pdu_info_t *pi)
{
    capf_pdu_info_t *rq;
    guint8 req;

    pi->frame = pinfo->num;
    pi->ts = pinfo->abs_ts;
    if (capf_response_code(cmd)) {
        cc->pending[cmd] = pi;
        return;
    }
    if (cmd == CAPF_REQUEST_IN_PROGRESS) {
        /* an interim answer to the key generation request, which stays pending */
        rq = cc->pending[CAPF_KEY_GENERATE_REQUEST];
        if (rq) {
            pi->request_frame = rq->frame;
            pi->request_time = rq->ts;
        }
        return;
    }
    req = capf_request_code(cmd);
    if (!req)
        return;
    rq = cc->pending[req];
    if (rq) {
        rq->response_frame = pinfo->num;
        pi->request_frame = rq->frame;
        pi->request_time = rq->ts;
        cc->pending[req] = NULL;
    } else {
        pi->unmatched_response = TRUE;
    }
}

/* The outcome that became final since it was `before` (for the stats tree's
 * one outcome per session), or -1. */
gint
capf_settled_outcome(const capf_conv_t *cc, gint before)
{
    gint now = cc->session.outcome;

    return now != before && now != CAPF_OUTCOME_INCOMPLETE ? now : -1;
}
