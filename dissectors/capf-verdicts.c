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
#include "cisco-dissect.h"
#include "cisco-config.h"
#include "cisco-trust.h"

static expert_field ei_capf_deadline = EI_INIT;
static expert_field ei_capf_cert_mismatch = EI_INIT;
static expert_field ei_capf_connection_failed = EI_INIT;
static expert_field ei_capf_auth_failed = EI_INIT;
static expert_field ei_capf_unknown_device = EI_INIT;
static expert_field ei_capf_key_generation_failed = EI_INIT;
static expert_field ei_capf_no_operation = EI_INIT;

/* The verdicts, one per expert: its name in -z capf,tree, the short name the
 * Info column of its frame shows, and what the phone shows
 * (capf.verdict.symptom; NULL where no source or test says).  The phone
 * messages are those of doc/protocol.md section 2. */
typedef struct {
    expert_field *ei;
    const char *name;
    const char *info;
    const char *symptom;
} capf_verdict_kind_t;

static const capf_verdict_kind_t capf_verdict_kinds[] = {
    { &ei_capf_deadline,                "deadline",              "CAPF timeout",                "LSC: Failed" },
    { &ei_capf_cert_mismatch,           "cert_mismatch",         "CAPF certificate not in ITL", "LSC: Connection failed" },
    { &ei_capf_connection_failed,       "connection_failed",     "CAPF connection failed",      "LSC: Connection failed" },
    { &ei_capf_auth_failed,             "auth_failed",           "CAPF authentication failed",  "LSC: Failed" },
    { &ei_capf_unknown_device,          "unknown_device",        "CAPF unknown device",         "LSC: Failed" },
    { &ei_capf_key_generation_failed,   "key_generation_failed", "CAPF key generation failed",  "LSC: Failed" },
    { &ei_capf_no_operation,            "no_operation",          "CAPF no operation pending",   NULL },
    /* raised by the configuration registry (cisco-config.c) at the first SYN */
    { &ei_cnf_capf_server_unlisted,     "capf_server_unlisted",  "CAPF server not in configuration", NULL },
};

/* The details beneath a verdict's expert item */
static int hf_capf_verdict_symptom = -1;
static int hf_capf_verdict_detail = -1;
static int hf_capf_verdict_check = -1;
static int hf_capf_verdict_frame = -1;
static int hf_capf_verdict_server_cert_sha1 = -1;
static int hf_capf_verdict_trust_list = -1;
static int hf_capf_verdict_trust_list_capf = -1;
static gint ett_capf_verdict = -1;


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

static const capf_verdict_kind_t *
capf_verdict_kind(const expert_field *ei)
{
    for (guint i = 0; i < array_length(capf_verdict_kinds); i++)
        if (capf_verdict_kinds[i].ei == ei)
            return &capf_verdict_kinds[i];
    return NULL;
}

capf_verdict_t *
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
    return v;
}

/* A string detail; its label shows a long value cut (the value stays whole). */
static void
capf_verdict_string(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo, const char *value)
{
    proto_item *gi;

    if (!value)
        return;
    gi = proto_tree_add_string_format_value(tree, hf, tvb, 0, 0, value, "%s",
                                            cisco_clamp(pinfo->pool, value, 160));
    proto_item_set_generated(gi);
}

void
capf_show_verdicts(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const capf_verdict_t *v)
{
    for (; v; v = v->next) {
        const capf_verdict_kind_t *kind = capf_verdict_kind(v->ei);
        proto_item *ti = proto_tree_add_expert_format(tree, pinfo, v->ei, tvb, 0, 0, "%s", v->text);
        proto_tree *vt;

        if (!tree)
            continue;
        vt = proto_item_add_subtree(ti, ett_capf_verdict);
        capf_verdict_string(vt, hf_capf_verdict_symptom, tvb, pinfo, kind ? kind->symptom : NULL);
        capf_verdict_string(vt, hf_capf_verdict_detail, tvb, pinfo, v->detail);
        capf_verdict_string(vt, hf_capf_verdict_check, tvb, pinfo, v->check);
        for (guint i = 0; i < array_length(v->frames); i++)
            if (v->frames[i])
                proto_item_set_generated(proto_tree_add_uint(vt, hf_capf_verdict_frame, tvb, 0, 0, v->frames[i]));
        if (v->server_cert_sha1)
            proto_item_set_generated(proto_tree_add_bytes_with_length(vt, hf_capf_verdict_server_cert_sha1, tvb, 0, 0,
                                                                      v->server_cert_sha1, CISCO_SHA1_LEN));
        capf_verdict_string(vt, hf_capf_verdict_trust_list, tvb, pinfo, v->trust_list);
        capf_verdict_string(vt, hf_capf_verdict_trust_list_capf, tvb, pinfo, v->trust_list_capf);
    }
}

void
capf_verdicts_col(packet_info *pinfo, const capf_verdict_t *v)
{
    wmem_strbuf_t *sb;
    const char *seen[array_length(capf_verdict_kinds)];
    guint n = 0;

    if (!v)
        return;
    sb = wmem_strbuf_new(pinfo->pool, " [");
    for (; v; v = v->next) {
        const capf_verdict_kind_t *kind = capf_verdict_kind(v->ei);
        const char *name = kind ? kind->info : "CAPF verdict";
        guint i;

        for (i = 0; i < n && seen[i] != name; i++)
            ;
        if (i < n)
            continue;
        if (n < array_length(seen))
            seen[n++] = name;
        if (n > 1)
            wmem_strbuf_append(sb, "; ");
        wmem_strbuf_append(sb, name);
    }
    wmem_strbuf_append_c(sb, ']');
    col_append_str(pinfo->cinfo, COL_INFO, wmem_strbuf_get_str(sb));
}

/* First pass: verdicts that one message tells (prev_cmd: the connection's
 * previous CAPF command, 0 if none). */
void
capf_pdu_verdicts(capf_conv_t *cc, packet_info *pinfo, guint8 cmd, guint8 prev_cmd, const capf_msg_t *msg,
                  capf_pdu_info_t *pi)
{
    const char *device = cc->session.device_name
                         ? cisco_clamp(wmem_file_scope(), cc->session.device_name, CISCO_NAME_MAX) : "the phone";
    capf_verdict_t *v;

    if (pi->request_frame && cmd != CAPF_REQUEST_IN_PROGRESS && capf_late_seconds) {
        nstime_t delta;
        double secs;

        nstime_delta(&delta, &pinfo->abs_ts, &pi->request_time);
        secs = nstime_to_sec(&delta);
        /* a key the phone announced with REQUEST_IN_PROGRESS may take long */
        if (secs > capf_late_seconds && !(cmd == CAPF_KEY_GENERATE_RESPONSE && cc->key_in_progress)) {
            v = capf_add_verdict(&pi->verdicts, &ei_capf_deadline,
                                 "Answer %.1f s after its request (frame %u), later than %u s",
                                 secs, pi->request_frame, capf_late_seconds);
            v->detail = "The other side may already have given up (threshold: preference capf.late_answer)";
            v->frames[0] = pi->request_frame;
        }
    }

    switch (cmd) {
    case CAPF_REQUEST_IN_PROGRESS:
        cc->key_in_progress = TRUE;
        break;
    case CAPF_KEY_GENERATE_RESPONSE:
        if (!msg->have_public_key) {
            v = capf_add_verdict(&pi->verdicts, &ei_capf_key_generation_failed,
                                 "%s could not generate the requested key (%s)", device,
                                 capf_reason_text(msg->reason));
            v->detail = "CUCM reports \"Key Generation Failed\"";
            v->frames[0] = pi->request_frame;
        }
        break;
    case CAPF_RETRY_LATER:
        if (msg->retry_delay != CAPF_UNKNOWN)
            v = capf_add_verdict(&pi->verdicts, &ei_capf_deadline, "CAPF asks %s to retry in %d s", device,
                                 msg->retry_delay);
        else
            v = capf_add_verdict(&pi->verdicts, &ei_capf_deadline, "CAPF asks %s to retry later", device);
        v->detail = "The operation did not go ahead now";
        break;
    case CAPF_END_SESSION:
        if (msg->reason == CAPF_REASON_TIMED_OUT || msg->reason == CAPF_REASON_LATE_REQUEST) {
            v = capf_add_verdict(&pi->verdicts, &ei_capf_deadline, "CAPF ended the session: %s",
                                 capf_reason_text(msg->reason));
            v->detail = "The operation passed its deadline (\"Operation Completes By\") or a step timed out";
            v->check = "Schedule the operation again";
        } else if (msg->reason == CAPF_REASON_UNKNOWN_DEVICE) {
            v = capf_add_verdict(&pi->verdicts, &ei_capf_unknown_device, "CAPF does not know %s", device);
            v->detail = "No device of that name, or no CAPF settings for it";
            v->check = "The device name and the device's CAPF settings";
        } else if (capf_reason_is_ok(msg->reason) && cc->session.operation == CAPF_OP_NONE) {
            capf_add_verdict(&pi->verdicts, &ei_capf_no_operation, "No certificate operation pending for %s",
                             device);
        } else if (!capf_reason_is_ok(msg->reason) && prev_cmd == CAPF_AUTH_RESPONSE) {
            v = capf_add_verdict(&pi->verdicts, &ei_capf_auth_failed,
                                 "CAPF ended the session (%s) right after the AUTH_RESPONSE of %s",
                                 capf_reason_text(msg->reason), device);
            v->detail = "Wrong authentication string, LSC/MIC not trusted by CAPF, or (CUCM) no operation pending";
            v->check = "The authentication string; that CAPF trusts the phone's LSC or MIC; the pending operation";
            v->frames[0] = cc->last_pdu ? cc->last_pdu->frame : 0;
        }
        break;
    default:
        break;
    }
}

const char *
capf_verdict_name(const expert_field *ei)
{
    const capf_verdict_kind_t *kind = capf_verdict_kind(ei);

    return kind ? kind->name : "other";
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
    capf_verdict_t *v;

    if (!list || len == 0)
        return;
    if (cisco_trust_matches(list, der, len))
        return;
    cisco_sha1(der, len, sha1);
    v = capf_add_verdict(out, &ei_capf_cert_mismatch,
                         "The CAPF server certificate is not the CAPF record of %s (frame %u)",
                         cisco_clamp(pinfo->pool, list->name, CISCO_NAME_MAX), list->frame);
    v->detail = "Unless TVS vouches for it, the phone will not trust the CAPF server";
    v->check = "That the ITL's CAPF record is the CAPF server's current certificate, or that TVS knows it";
    v->frames[0] = list->frame;
    v->server_cert_sha1 = (const guint8 *)wmem_memdup(wmem_file_scope(), sha1, sizeof(sha1));
    v->trust_list = wmem_strdup(wmem_file_scope(), list->name);
    v->trust_list_capf = cisco_trust_describe(list, wmem_file_scope());
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
    capf_verdict_t *v;

    if ((events & TCP_COMPLETENESS_SYNSENT) && !from_server) {
        if (++cc->syn_count == 1) {
            cc->first_syn_frame = pinfo->num;
            p_add_proto_data(wmem_file_scope(), pinfo, proto_capf, CAPF_FRAME_FIRST_SYN_KEY, GINT_TO_POINTER(1));
            cisco_config_check_capf_connection(pinfo, capf_port, out);  /* capfList of the phone's cnf.xml */
        } else if (!cc->syn_answered) {
            v = capf_add_verdict(out, &ei_capf_connection_failed,
                                 "SYN to CAPF port %u sent again (attempt %u) without an answer", capf_port,
                                 cc->syn_count);
            v->detail = "CAPF server unreachable or the port is filtered";
            v->frames[0] = cc->first_syn_frame;
            capf_fail_session(cc, "no answer to the connection request (SYN)");
        }
    }
    if (events & TCP_COMPLETENESS_SYNACK)
        cc->syn_answered = TRUE;
    if ((events & TCP_COMPLETENESS_RST) && from_server && cc->syn_count && !cc->syn_answered && !cc->closed) {
        cc->closed = TRUE;
        v = capf_add_verdict(out, &ei_capf_connection_failed, "CAPF port %u refused the connection (RST to the SYN)",
                             capf_port);
        v->detail = "The CAPF service is stopped or not listening";
        v->frames[0] = cc->first_syn_frame;
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
            v = capf_add_verdict(out, &ei_capf_cert_mismatch,
                                 "The phone rejected the CAPF server certificate (TLS alert %s)", name);
            v->detail = "It is not the CAPF certificate in the phone's ITL and TVS did not vouch for it";
            v->check = "That the ITL's CAPF record is the CAPF server's current certificate, or that TVS knows it";
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
                v = capf_add_verdict(out, &ei_capf_deadline,
                                     "%s (frame %u) got no answer for %.1f s, then the %s %s the connection",
                                     what, last->frame, secs, side, how);
                v->detail = "A timeout: the operation did not finish";
                v->frames[0] = last->frame;
                v = capf_add_verdict(&last->verdicts, &ei_capf_deadline,
                                     "No answer to this %s: the %s %s the connection %.1f s later (frame %u)",
                                     what, side, how, secs, pinfo->num);
                v->detail = "A timeout: the operation did not finish";
                v->frames[0] = pinfo->num;
                capf_fail_session(cc, wmem_strdup_printf(pinfo->pool, "timeout: no answer to %s", what));
            } else {
                v = capf_add_verdict(out, &ei_capf_connection_failed,
                                     "The %s %s the CAPF connection %.3f s after %s (frame %u), before END_SESSION",
                                     side, how, secs, what, last->frame);
                v->frames[0] = last->frame;
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
    capf_verdict_t *shown;
    proto_item *ti;
    proto_tree *capf_tree;

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
    shown = verdicts;
    if (syn_unanswered) {
        /* known on this pass only: after the first pass's verdicts, if any */
        capf_verdict_t **end = &shown, *syn = wmem_new0(pinfo->pool, capf_verdict_t);

        for (const capf_verdict_t *v = verdicts; v; v = v->next) {
            *end = (capf_verdict_t *)wmem_memdup(pinfo->pool, v, sizeof *v);
            end = &(*end)->next;
        }
        *end = syn;
        syn->ei = &ei_capf_connection_failed;
        syn->text = wmem_strdup_printf(pinfo->pool, "SYN to CAPF port %u never answered (sent %u times)",
                                       capf_port, cc->syn_count);
        syn->detail = "CAPF server unreachable or the port is filtered";
    }
    capf_tree = proto_item_add_subtree(ti, ett_capf);
    capf_show_verdicts(tvb, pinfo, capf_tree, shown);
    capf_add_session_tree(tvb, capf_tree, &cc->session);
    capf_verdicts_col(pinfo, shown);
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
    static hf_register_info hf[] = {
        { &hf_capf_verdict_symptom,
          { "Symptom", "capf.verdict.symptom", FT_STRING, BASE_NONE, NULL, 0x0,
            "What the phone shows for the verdict above: \"LSC: Connection failed\", \"LSC: Failed\"", HFILL } },
        { &hf_capf_verdict_detail,
          { "Detail", "capf.verdict.detail", FT_STRING, BASE_NONE, NULL, 0x0,
            "More about the verdict above: what it means, its likely causes", HFILL } },
        { &hf_capf_verdict_check,
          { "What to check", "capf.verdict.check", FT_STRING, BASE_NONE, NULL, 0x0,
            "What to check or do about the verdict above", HFILL } },
        { &hf_capf_verdict_frame,
          { "Related frame", "capf.verdict.frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "A frame the verdict above is about: the request left unanswered, the close that ended the wait, "
            "the first SYN, the AUTH_RESPONSE, the KEY_GENERATE_REQUEST, the trust list", HFILL } },
        { &hf_capf_verdict_server_cert_sha1,
          { "CAPF server certificate SHA-1", "capf.verdict.server_cert_sha1", FT_BYTES, BASE_NONE, NULL, 0x0,
            "SHA-1 of the certificate the CAPF server presented (compare itl.record.cert_sha1)", HFILL } },
        { &hf_capf_verdict_trust_list,
          { "Trust list", "capf.verdict.trust_list", FT_STRING, BASE_NONE, NULL, 0x0,
            "File name of the trust list whose CAPF record the CAPF server certificate was checked against",
            HFILL } },
        { &hf_capf_verdict_trust_list_capf,
          { "Trust list CAPF record", "capf.verdict.trust_list_capf", FT_STRING, BASE_NONE, NULL, 0x0,
            "How that trust list's (first) CAPF record identifies the CAPF certificate: its certificate SHA-1 "
            "or its stored certificate hash", HFILL } },
    };
    static gint *ett[] = {
        &ett_capf_verdict,
    };
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
    proto_register_field_array(proto_capf, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
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
    register_init_routine(capf_session_init);
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
    cisco_add_postdissector(PT_TCP, dissect_capf_verdicts);
}
