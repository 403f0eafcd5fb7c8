/* capf-verdicts.c
 * The troubleshooting verdicts of CAPF: what a phone's "LSC: Failed",
 * "LSC: Connection failed" come from.  Per message (an answer that refuses
 * the phone, a late answer) and per connection (refused or unanswered
 * connection, a TLS alert, a CAPF certificate the phone's trust list does
 * not hold, a close before END_SESSION, a timeout).
 *
 * The connection verdicts come from a post-dissector that asks Wireshark for
 * no field (a wanted field makes tshark build a protocol tree for every
 * frame of every capture): TCP events from TCP's conversation completeness,
 * TLS alerts and the server certificate from the TLS records the
 * demultiplexer (packet-capf.c) hands on, in clear, and from the records TLS
 * decrypted.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "ws-compat.h"
#include "capf-int.h"
#include "cisco-crypto.h"
#include "cisco-trust.h"

static expert_field ei_capf_deadline = EI_INIT;
static expert_field ei_capf_cert_mismatch = EI_INIT;
static expert_field ei_capf_connection_failed = EI_INIT;
static expert_field ei_capf_auth_failed = EI_INIT;
static expert_field ei_capf_unknown_device = EI_INIT;
static expert_field ei_capf_key_generation_failed = EI_INIT;
static expert_field ei_capf_no_operation = EI_INIT;

static guint capf_stall_seconds = 1;
static guint capf_late_seconds = 10;

static dissector_table_t tcp_port_table;
static protocol_t *capf_protocol;
dissector_handle_t capf_tls_handle;
static int proto_tls = -1;

/* TCP's conversation completeness bits (packet-tcp.c, not in its header;
 * the same in 4.0, 4.4 and 4.6): what has been seen of the connection so far. */
#define TCP_COMPLETENESS_SYNSENT    0x01
#define TCP_COMPLETENESS_SYNACK     0x02
#define TCP_COMPLETENESS_FIN        0x10    /* FIN with ACK */
#define TCP_COMPLETENESS_RST        0x20
#define TLS_ALERT_FATAL 2

/* Is this TCP port given to CAPF (3804, or another by Decode As)?  Asked for
 * both ports of every TCP frame of every capture by the verdict
 * post-dissector, so the answers are remembered per port until the next
 * (re)dissection, when Decode As may have changed. */
#define CAPF_PORT_UNKNOWN   0
#define CAPF_PORT_NO        1
#define CAPF_PORT_YES       2
static guint8 capf_port_state[65536];




static const value_string capf_tls_alert_vals[] = {
    { 10, "unexpected_message" }, { 20, "bad_record_mac" }, { 40, "handshake_failure" },
    { 42, "bad_certificate" }, { 43, "unsupported_certificate" }, { 44, "certificate_revoked" },
    { 45, "certificate_expired" }, { 46, "certificate_unknown" }, { 47, "illegal_parameter" },
    { 48, "unknown_ca" }, { 49, "access_denied" }, { 50, "decode_error" }, { 51, "decrypt_error" },
    { 70, "protocol_version" }, { 71, "insufficient_security" }, { 80, "internal_error" },
    { 116, "certificate_required" },
    { 0, NULL }
};

void
capf_add_verdict(capf_verdict_t **list, expert_field *ei, const char *fmt, ...)
{
    capf_verdict_t *v = wmem_new0(wmem_file_scope(), capf_verdict_t);
    va_list ap;

    va_start(ap, fmt);
    v->ei = ei;
    v->text = wmem_strdup_vprintf(wmem_file_scope(), fmt, ap);
    va_end(ap);
    while (*list)
        list = &(*list)->next;
    *list = v;
}

void
capf_show_verdicts(packet_info *pinfo, proto_item *ti, const capf_verdict_t *v)
{
    for (; v; v = v->next)
        expert_add_info_format(pinfo, ti, v->ei, "%s", v->text);
}

/* First pass: verdicts that one message tells (prev_cmd: the connection's
 * previous CAPF command, 0 if none). */
void
capf_pdu_verdicts(capf_conv_t *cc, packet_info *pinfo, guint8 cmd, guint8 prev_cmd, const capf_msg_t *msg,
                  capf_pdu_info_t *pi)
{
    const char *device = cc->session.device_name ? cc->session.device_name : "the phone";

    if (pi->request_frame && cmd != CAPF_REQUEST_IN_PROGRESS && capf_late_seconds) {
        nstime_t delta;
        double secs;

        nstime_delta(&delta, &pinfo->abs_ts, &pi->request_time);
        secs = nstime_to_sec(&delta);
        /* a key the phone announced with REQUEST_IN_PROGRESS may take long */
        if (secs > capf_late_seconds && !(cmd == CAPF_KEY_GENERATE_RESPONSE && cc->key_in_progress))
            capf_add_verdict(&pi->verdicts, &ei_capf_deadline,
                             "Answer %.1f s after the request in frame %u, later than %u s (preference "
                             "capf.late_answer): the other side may already have given up",
                             secs, pi->request_frame, capf_late_seconds);
    }

    switch (cmd) {
    case CAPF_REQUEST_IN_PROGRESS:
        cc->key_in_progress = TRUE;
        break;
    case CAPF_KEY_GENERATE_RESPONSE:
        if (!msg->have_public_key)
            capf_add_verdict(&pi->verdicts, &ei_capf_key_generation_failed,
                             "%s could not generate the requested key (%s): CUCM reports "
                             "\"Key Generation Failed\"", device, capf_reason_text(msg->reason));
        break;
    case CAPF_RETRY_LATER:
        if (msg->retry_delay != CAPF_UNKNOWN)
            capf_add_verdict(&pi->verdicts, &ei_capf_deadline,
                             "CAPF asks %s to retry in %d s: the operation did not go ahead now", device,
                             msg->retry_delay);
        else
            capf_add_verdict(&pi->verdicts, &ei_capf_deadline,
                             "CAPF asks %s to retry later: the operation did not go ahead now", device);
        break;
    case CAPF_END_SESSION:
        if (msg->reason == CAPF_REASON_TIMED_OUT || msg->reason == CAPF_REASON_LATE_REQUEST)
            capf_add_verdict(&pi->verdicts, &ei_capf_deadline,
                             "CAPF ended the session: %s. The operation passed its deadline (\"Operation "
                             "Completes By\") or a step timed out; the phone shows \"LSC: Failed\". "
                             "Schedule the operation again", capf_reason_text(msg->reason));
        else if (msg->reason == CAPF_REASON_UNKNOWN_DEVICE)
            capf_add_verdict(&pi->verdicts, &ei_capf_unknown_device,
                             "CAPF does not know %s: no device of that name, or no CAPF settings for it",
                             device);
        else if (capf_reason_is_ok(msg->reason) && cc->session.operation == CAPF_OP_NONE)
            capf_add_verdict(&pi->verdicts, &ei_capf_no_operation,
                             "No certificate operation pending for %s", device);
        else if (!capf_reason_is_ok(msg->reason) && prev_cmd == CAPF_AUTH_RESPONSE)
            capf_add_verdict(&pi->verdicts, &ei_capf_auth_failed,
                             "CAPF ended the session (%s) right after the AUTH_RESPONSE of %s: wrong authentication "
                             "string, LSC/MIC not trusted by CAPF, or (CUCM) no operation pending",
                             capf_reason_text(msg->reason), device);
        break;
    default:
        break;
    }
}

const char *
capf_verdict_name(const expert_field *ei)
{
    if (ei == &ei_capf_deadline)                return "deadline";
    if (ei == &ei_capf_cert_mismatch)           return "cert_mismatch";
    if (ei == &ei_capf_connection_failed)       return "connection_failed";
    if (ei == &ei_capf_auth_failed)             return "auth_failed";
    if (ei == &ei_capf_unknown_device)          return "unknown_device";
    if (ei == &ei_capf_key_generation_failed)   return "key_generation_failed";
    if (ei == &ei_capf_no_operation)            return "no_operation";
    return "other";
}

static void
capf_ports_init(void)
{
    memset(capf_port_state, CAPF_PORT_UNKNOWN, sizeof capf_port_state);
}

gboolean
capf_is_capf_port(guint32 port)
{
    guint8 *state = &capf_port_state[port & 0xffff];

    if (*state == CAPF_PORT_UNKNOWN)
        *state = dissector_get_uint_handle(tcp_port_table, port) == capf_tcp_handle ? CAPF_PORT_YES : CAPF_PORT_NO;
    return *state == CAPF_PORT_YES;
}

/* Alerts a TLS client sends when it does not accept the server's certificate */
static gboolean
capf_alert_rejects_certificate(guint32 desc)
{
    switch (desc) {
    case 42:    /* bad_certificate */
    case 43:    /* unsupported_certificate */
    case 44:    /* certificate_revoked */
    case 45:    /* certificate_expired */
    case 46:    /* certificate_unknown */
    case 48:    /* unknown_ca */
        return TRUE;
    default:
        return FALSE;
    }
}

/* The server's certificate against the CAPF records of the phone's ITL. */
static void
capf_check_server_certificate(packet_info *pinfo, const guint8 *der, guint len, capf_verdict_t **out)
{
    const cisco_trust_list_t *list = cisco_trust_latest(pinfo->num, &pinfo->dst);
    guint8 sha1[CISCO_SHA1_LEN];

    if (!list || len == 0)
        return;
    if (cisco_trust_matches(list, der, len))
        return;
    cisco_sha1(der, len, sha1);
    capf_add_verdict(out, &ei_capf_cert_mismatch,
                     "The CAPF server certificate (SHA-1 %s, frame %u) is not the CAPF record of %s in "
                     "frame %u (%s): the phone will report \"LSC: Connection failed\" unless TVS "
                     "vouches for it",
                     cisco_hex(pinfo->pool, sha1, sizeof(sha1), 0, FALSE), pinfo->num, list->name, list->frame,
                     cisco_trust_describe(list, pinfo->pool));
}

/* The TCP flags of this frame that matter to the verdicts, from TCP's
 * conversation completeness (updated for this frame before post-dissectors
 * run): a bit that appeared with this frame, or, while the connection has only
 * seen a SYN, another frame from the phone that added nothing: the SYN again.
 * TCP counts a FIN only with ACK (every FIN but a scanner's). */
static guint8
capf_new_tcp_events(packet_info *pinfo, conversation_t *conv, capf_conv_t *cc, gboolean from_server)
{
    struct tcp_analysis *tcpd = get_tcp_conversation_data(conv, pinfo);
    guint8 now = tcpd->conversation_completeness;
    guint8 events = now & ~cc->completeness;

    if (!from_server && now == TCP_COMPLETENESS_SYNSENT && cc->completeness == TCP_COMPLETENESS_SYNSENT)
        events |= TCP_COMPLETENESS_SYNSENT;
    cc->completeness = now;
    return events;
}

/* First pass over one TCP segment of a CAPF connection. */
static void
capf_connection_first_pass(packet_info *pinfo, guint8 events, const capf_tls_facts_t *tls, capf_conv_t *cc,
                           gboolean from_server, guint32 capf_port, capf_verdict_t **out)
{
    const char *side = from_server ? "CAPF server" : "phone";

    if ((events & TCP_COMPLETENESS_SYNSENT) && !from_server) {
        if (++cc->syn_count == 1) {
            cc->first_syn_frame = pinfo->num;
            p_add_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_FIRST_SYN_KEY, GINT_TO_POINTER(1));
        } else if (!cc->syn_answered) {
            capf_add_verdict(out, &ei_capf_connection_failed,
                             "SYN to CAPF port %u sent again (attempt %u) without an answer: CAPF server "
                             "unreachable or the port is filtered", capf_port, cc->syn_count);
            capf_fail_session(cc, "no answer to the connection request (SYN)");
        }
    }
    if (events & TCP_COMPLETENESS_SYNACK)
        cc->syn_answered = TRUE;
    if ((events & TCP_COMPLETENESS_RST) && from_server && cc->syn_count && !cc->syn_answered && !cc->closed) {
        cc->closed = TRUE;
        capf_add_verdict(out, &ei_capf_connection_failed,
                         "CAPF port %u refused the connection (RST to the SYN): the CAPF service is stopped "
                         "or not listening", capf_port);
        capf_fail_session(cc, "connection refused");
        return;
    }

    if (tls && tls->handshake)
        cc->tls_seen = TRUE;
    if (tls && tls->alert && tls->alert_level == TLS_ALERT_FATAL && !cc->tls_alert) {
        guint32 desc = tls->alert_desc;
        const char *name = val_to_str_const(desc, capf_tls_alert_vals, "unknown alert");

        cc->tls_alert = TRUE;
        cc->tls_seen = TRUE;
        if (!from_server && !cc->last_pdu && capf_alert_rejects_certificate(desc)) {
            capf_add_verdict(out, &ei_capf_cert_mismatch,
                             "The phone rejected the CAPF server certificate (TLS alert %s): it is not the "
                             "CAPF certificate in the phone's ITL and TVS did not vouch for it; the phone "
                             "reports \"LSC: Connection failed\"", name);
            capf_fail_session(cc, "the phone rejected the CAPF certificate");
        } else {
            capf_add_verdict(out, &ei_capf_connection_failed,
                             "TLS with CAPF failed: fatal alert %s (%u) from the %s", name, desc, side);
            capf_fail_session(cc, "TLS failure");
        }
    }
    if (from_server && tls && tls->cert)
        capf_check_server_certificate(pinfo, tls->cert, tls->cert_len, out);

    if ((events & (TCP_COMPLETENESS_FIN | TCP_COMPLETENESS_RST)) && !cc->closed) {
        const char *how = (events & TCP_COMPLETENESS_RST) ? "reset" : "closed";

        cc->closed = TRUE;
        if (cc->ended || cc->tls_alert)
            return;
        if (cc->last_pdu) {
            capf_pdu_info_t *last = cc->last_pdu;
            const char *what = val_to_str_ext_const(last->command, &capf_command_vals_ext, "the last message");
            nstime_t delta;
            double secs;

            nstime_delta(&delta, &pinfo->abs_ts, &last->ts);
            secs = nstime_to_sec(&delta);
            if (capf_stall_seconds && secs >= capf_stall_seconds) {
                capf_add_verdict(out, &ei_capf_deadline,
                                 "%s (frame %u) got no answer for %.1f s, then the %s %s the connection: "
                                 "a timeout, the operation did not finish", what, last->frame, secs, side, how);
                capf_add_verdict(&last->verdicts, &ei_capf_deadline,
                                 "No answer to this %s: the %s %s the connection %.1f s later (frame %u)",
                                 what, side, how, secs, pinfo->num);
                capf_fail_session(cc, wmem_strdup_printf(pinfo->pool, "timeout: no answer to %s", what));
            } else {
                capf_add_verdict(out, &ei_capf_connection_failed,
                                 "The %s %s the CAPF connection %.3f s after %s (frame %u), before END_SESSION",
                                 side, how, secs, what, last->frame);
                capf_fail_session(cc, wmem_strdup_printf(pinfo->pool, "connection %s by the %s", how, side));
            }
        } else if (cc->syn_answered || cc->tls_seen) {
            capf_add_verdict(out, &ei_capf_connection_failed,
                             "The %s %s the connection before any CAPF message%s", side, how,
                             cc->tls_seen ? " (TLS had started)" : "");
            capf_fail_session(cc, wmem_strdup_printf(pinfo->pool, "connection %s by the %s before CAPF", how, side));
        }
    }
}

/* Marks CAPF connections that failed below CAPF (refused, unanswered, TLS
 * failure, cut) and the frames where a timeout became known.  Connections
 * on TCP ports given to CAPF (3804 or Decode As) only. */
static int
dissect_capf_verdicts(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    conversation_t *conv;
    gboolean from_server;
    guint32 capf_port;
    capf_conv_t *cc;
    capf_verdict_t *verdicts;
    gboolean syn_unanswered;
    proto_item *ti;

    if (pinfo->ptype != PT_TCP || !proto_is_protocol_enabled(capf_protocol))
        return 0;
    from_server = capf_is_capf_port(pinfo->srcport);
    if (!from_server && !capf_is_capf_port(pinfo->destport))
        return 0;
    capf_port = from_server ? pinfo->srcport : pinfo->destport;
    /* a later pass shows something only where the first pass left verdicts
     * or saw the connection's first SYN: no conversation lookup for the
     * other frames */
    if (PINFO_FD_VISITED(pinfo) &&
        !p_get_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_VERDICTS_KEY) &&
        !p_get_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_FIRST_SYN_KEY))
        return 0;
    conv = capf_find_conversation(pinfo);
    cc = capf_conv_data(conv);
    if (cc->not_capf)
        return 0;
    if (!PINFO_FD_VISITED(pinfo)) {
        gint before = cc->session.outcome, settled;
        guint8 events = capf_new_tcp_events(pinfo, conv, cc, from_server);
        const capf_tls_facts_t *tls =
            (const capf_tls_facts_t *)p_get_proto_data(pinfo->pool, pinfo, proto_capf, CAPF_PINFO_TLS_FACTS);

        verdicts = NULL;
        capf_connection_first_pass(pinfo, events, tls, cc, from_server, capf_port, &verdicts);
        if (verdicts)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_VERDICTS_KEY, verdicts);
        settled = capf_settled_outcome(cc, before);
        if (settled >= 0)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_SETTLED_KEY,
                             GINT_TO_POINTER(settled + 1));
    }
    verdicts = (capf_verdict_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_VERDICTS_KEY);
    /* known only once the whole capture was seen: the first SYN was never answered */
    syn_unanswered = PINFO_FD_VISITED(pinfo) && cc->first_syn_frame == pinfo->num && !cc->syn_answered &&
                     cc->syn_count > 1;
    if (!verdicts && !syn_unanswered)
        return 0;

    /* the handle has no protocol: the expert infos say whose they are */
    pinfo->current_proto = "CAPF";
    ti = proto_tree_add_item(tree, proto_capf, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ", connection verdict");
    capf_show_verdicts(pinfo, ti, verdicts);
    if (syn_unanswered)
        expert_add_info_format(pinfo, ti, &ei_capf_connection_failed,
                               "SYN to CAPF port %u never answered (sent %u times): CAPF server unreachable "
                               "or the port is filtered", capf_port, cc->syn_count);
    capf_add_session_tree(tvb, proto_item_add_subtree(ti, ett_capf), &cc->session);
    col_append_str(pinfo->cinfo, COL_INFO, " [CAPF verdict]");
    capf_queue_tap(pinfo, cc, &cc->session, -1, CAPF_UNKNOWN, verdicts,
                   GPOINTER_TO_INT(p_get_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_SETTLED_KEY)) - 1,
                   syn_unanswered);
    return 0;
}

static capf_tls_facts_t *
capf_tls_facts(packet_info *pinfo)
{
    capf_tls_facts_t *f = (capf_tls_facts_t *)p_get_proto_data(pinfo->pool, pinfo, proto_capf, CAPF_PINFO_TLS_FACTS);

    if (!f) {
        f = wmem_new0(pinfo->pool, capf_tls_facts_t);
        p_add_proto_data(pinfo->pool, pinfo, proto_capf, CAPF_PINFO_TLS_FACTS, f);
    }
    return f;
}

/* The first certificate of a Certificate handshake message body:
 *   TLS 1.2: certificate_list<3> { cert<3> ... }
 *   TLS 1.3: context<1> certificate_list<3> { cert<3> extensions<2> ... }
 * whichever layout the lengths agree with. */
static void
capf_note_certificate(capf_tls_facts_t *f, packet_info *pinfo, const guint8 *body, guint len)
{
    for (guint skip = 0; skip <= 1; skip++) {
        guint ctx = skip ? (len ? body[0] : 0) : 0;
        guint start = skip + ctx, list_len, cert_len;

        if (start + 6 > len)
            continue;
        list_len = (guint)body[start] << 16 | (guint)body[start + 1] << 8 | body[start + 2];
        if (start + 3 + list_len != len)
            continue;
        cert_len = (guint)body[start + 3] << 16 | (guint)body[start + 4] << 8 | body[start + 5];
        if (cert_len == 0 || 3 + cert_len > list_len)
            continue;
        f->cert = (const guint8 *)wmem_memdup(pinfo->pool, body + start + 6, cert_len);
        f->cert_len = cert_len;
        return;
    }
}

/* One TLS record's content (in clear, or as TLS decrypted it). */
static void
capf_note_tls_record(capf_tls_facts_t *f, packet_info *pinfo, guint8 type, const guint8 *data, guint len)
{
    switch (type) {
    case SSL_ID_ALERT:
        if (len == 2 && !f->alert) {
            f->alert = TRUE;
            f->alert_level = data[0];
            f->alert_desc = data[1];
        }
        break;
    case SSL_ID_HANDSHAKE:
        /* the messages that lie whole in this record (a certificate chain
         * split over records is not looked at) */
        for (guint off = 0; off + 4 <= len;) {
            guint msg_len = (guint)data[off + 1] << 16 | (guint)data[off + 2] << 8 | data[off + 3];

            f->handshake = TRUE;
            if (off + 4 + msg_len > len)
                break;
            if (data[off] == SSL_HND_CERTIFICATE && !f->cert)
                capf_note_certificate(f, pinfo, data + off + 4, msg_len);
            off += 4 + msg_len;
        }
        break;
    default:
        break;
    }
}

/* The whole records of this TCP payload (or reassembled PDU), as TLS reads
 * them: a record cut at the end comes again, whole, in a later call. */
static void
capf_note_clear_records(tvbuff_t *tvb, packet_info *pinfo, capf_conv_t *cc, gboolean from_server)
{
    guint len = tvb_captured_length(tvb);
    capf_tls_facts_t *f = NULL;

    for (guint off = 0; off + 5 <= len;) {
        guint8 type = tvb_get_uint8(tvb, off);
        guint rec_len = tvb_get_ntohs(tvb, off + 3);

        if (type < SSL_ID_CHG_CIPHER_SPEC || type > SSL_ID_TLS12_CID || tvb_get_uint8(tvb, off + 1) != 3 ||
            off + 5 + rec_len > len)
            break;
        if (type == SSL_ID_CHG_CIPHER_SPEC)
            cc->tls_encrypted[from_server] = TRUE;
        else if (!cc->tls_encrypted[from_server] && (type == SSL_ID_ALERT || type == SSL_ID_HANDSHAKE)) {
            if (!f)
                f = capf_tls_facts(pinfo);
            capf_note_tls_record(f, pinfo, type, tvb_get_ptr(tvb, off + 5, rec_len), rec_len);
        }
        off += 5 + rec_len;
    }
}

/* The records TLS decrypted in this call: those added to its per-frame
 * list after the first `seen` (in 4.0 all TLS calls of a frame share one list). */
static void
capf_note_decrypted_records(packet_info *pinfo, guint8 tls_layer, guint seen)
{
    const SslPacketInfo *pi = (const SslPacketInfo *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tls, tls_layer);
    const SslRecordInfo *rec = pi ? pi->records : NULL;

    for (guint i = 0; rec; rec = rec->next, i++)
        if (i >= seen && (rec->type == SSL_ID_ALERT || rec->type == SSL_ID_HANDSHAKE))
            capf_note_tls_record(capf_tls_facts(pinfo), pinfo, (guint8)rec->type, rec->plain_data, rec->data_len);
}

static guint
capf_count_decrypted_records(packet_info *pinfo, guint8 tls_layer)
{
    const SslPacketInfo *pi = (const SslPacketInfo *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tls, tls_layer);
    guint n = 0;

    for (const SslRecordInfo *rec = pi ? pi->records : NULL; rec; rec = rec->next)
        n++;
    return n;
}

/* The conversation dissector of a CAPF connection over TLS (no protocol of
 * its own, so no layer): on the first pass it notes what the verdicts need of
 * the records, then hands them to TLS. */
int
dissect_capf_tls(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    gboolean first_pass = !PINFO_FD_VISITED(pinfo);
    guint8 tls_layer = WSC_TLS_INFO_KEY(pinfo, proto_tls);
    guint seen = 0;
    int ret;

    if (first_pass) {
        capf_note_clear_records(tvb, pinfo, capf_get_conv(pinfo), capf_is_capf_port(pinfo->srcport));
        seen = capf_count_decrypted_records(pinfo, tls_layer);
    }
    /* Let TLS use TCP reassembly as if TCP had called it (a record spans
     * segments on any path with an ordinary MTU). */
    pinfo->can_desegment = pinfo->saved_can_desegment;
    ret = call_dissector_with_data(tls_handle, tvb, pinfo, tree, data);
    if (first_pass)
        capf_note_decrypted_records(pinfo, tls_layer, seen);
    return ret;
}

void
capf_verdicts_register(expert_module_t *expert_capf, module_t *capf_module)
{
    static ei_register_info ei[] = {
        { &ei_capf_deadline,
          { "capf.expert.deadline", PI_SEQUENCE, PI_ERROR,
            "CAPF operation timed out or passed its deadline (phone: \"LSC: Failed\")", EXPFILL } },
        { &ei_capf_cert_mismatch,
          { "capf.expert.cert_mismatch", PI_SECURITY, PI_ERROR,
            "CAPF certificate not trusted by the phone (phone: \"LSC: Connection failed\")", EXPFILL } },
        { &ei_capf_connection_failed,
          { "capf.expert.connection_failed", PI_SEQUENCE, PI_ERROR,
            "CAPF connection failed (phone: \"LSC: Connection failed\")", EXPFILL } },
        { &ei_capf_auth_failed,
          { "capf.expert.auth_failed", PI_RESPONSE_CODE, PI_ERROR,
            "CAPF refused the phone's authentication", EXPFILL } },
        { &ei_capf_unknown_device,
          { "capf.expert.unknown_device", PI_RESPONSE_CODE, PI_ERROR,
            "CAPF does not know this device", EXPFILL } },
        { &ei_capf_key_generation_failed,
          { "capf.expert.key_generation_failed", PI_RESPONSE_CODE, PI_ERROR,
            "The phone could not generate its key", EXPFILL } },
        { &ei_capf_no_operation,
          { "capf.expert.no_operation", PI_RESPONSE_CODE, PI_NOTE,
            "No certificate operation pending for this device", EXPFILL } },
    };

    expert_register_field_array(expert_capf, ei, array_length(ei));
    prefs_register_uint_preference(capf_module, "stall_timeout",
                                   "Unanswered message timeout (seconds)",
                                   "A CAPF connection that closes at least this long after a message that got "
                                   "no answer is a timeout (capf.expert.deadline); a quicker close or reset is "
                                   "a connection failure (capf.expert.connection_failed).  0 turns the timeout "
                                   "verdict off",
                                   10, &capf_stall_seconds);
    prefs_register_uint_preference(capf_module, "late_answer",
                                   "Late answer threshold (seconds)",
                                   "An answer that comes more than this long after its request is flagged as "
                                   "late (capf.expert.deadline); phones and capfd give up after about 8-10 s. "
                                   "A key announced with REQUEST_IN_PROGRESS is exempt.  0 turns it off",
                                   10, &capf_late_seconds);
    register_init_routine(capf_ports_init);
    capf_tls_handle = create_dissector_handle(dissect_capf_tls, -1);
}

void
capf_verdicts_handoff(void)
{
    tcp_port_table = find_dissector_table("tcp.port");
    proto_tls = proto_get_id_by_filter_name("tls");
    /* Connection events (SYN, RST, FIN) and TLS alerts and certificates,
     * read from TCP's and TLS's own per-conversation and per-frame data: it
     * asks for no field (a wanted field makes tshark build a tree for every
     * frame of every capture).  No protocol on the handle: Wireshark would
     * add and remove a layer for it on every frame of every capture; it
     * checks that CAPF is enabled itself. */
    capf_protocol = find_protocol_by_id(proto_capf);
    register_postdissector(create_dissector_handle(dissect_capf_verdicts, -1));
}
