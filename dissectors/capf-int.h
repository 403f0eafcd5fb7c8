/* capf-int.h
 * What the CAPF files share: the wire constants, the per-connection session
 * state and the verdict records.  packet-capf.c is the wire format,
 * capf-session.c the session state machine, capf-verdicts.c the
 * troubleshooting verdicts (per message and per connection), tap-capf.c the
 * "capf" tap and its reports.  Not a public interface.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CAPF_INT_H
#define CAPF_INT_H

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>

#define CAPF_TCP_PORT       3804
#define CAPF_HDR_LEN        8
#define CAPF_PROTOCOL_ID    0x55
#define CAPF_ELEM_HDR_LEN   3

/* Commands (capfd names; Jabber4Linux names in comments) */
#define CAPF_AUTH_REQUEST                   1   /* SERVERHELLO */
#define CAPF_AUTH_RESPONSE                  2   /* CLIENTREQ */
#define CAPF_KEY_GENERATE_REQUEST           3   /* SERVEROK */
#define CAPF_KEY_GENERATE_RESPONSE          4   /* CLIENTCSR */
#define CAPF_ENCRYPT_RESPONSE               5
#define CAPF_ENCRYPT_REQUEST                6
#define CAPF_DECRYPT_REQUEST                7
#define CAPF_DECRYPT_RESPONSE               8
#define CAPF_STORE_CERTIFICATE_REQUEST      9   /* SERVERCRT */
#define CAPF_STORE_CERTIFICATE_RESPONSE     10  /* CLIENTACK */
#define CAPF_FETCH_CERTIFICATE_REQUEST      11
#define CAPF_FETCH_CERTIFICATE_RESPONSE     12
#define CAPF_DELETE_CERTIFICATE_REQUEST     13
#define CAPF_DELETE_CERTIFICATE_RESPONSE    14
#define CAPF_END_SESSION                    15  /* SERVERFIN */
#define CAPF_RETRY_LATER                    16
#define CAPF_REQUEST_IN_PROGRESS            17
#define CAPF_STATUS_REQUEST                 18
#define CAPF_STATUS_RESPONSE                19
#define CAPF_ABORT_REQUEST                  20
#define CAPF_ABORT_RESPONSE                 21
#define CAPF_SIGN_CERTIFICATE_REQUEST       22
#define CAPF_SIGN_CERTIFICATE_RESPONSE      23
#define CAPF_COMMAND_MAX                    23

/* Element tags */
#define CAPF_EL_REASON              1
#define CAPF_EL_REASON_INFO         2
#define CAPF_EL_CERTIFICATE_TYPE    3
#define CAPF_EL_CERTIFICATE         4
#define CAPF_EL_CERTIFICATE_ID      5
#define CAPF_EL_SIGNED_DATA         6
#define CAPF_EL_VERSION             7
#define CAPF_EL_AUTH_TYPE           8
#define CAPF_EL_PUBLIC_KEY          9
#define CAPF_EL_KEY_SIZE            10
#define CAPF_EL_PASSWORD            11
#define CAPF_EL_RETRY_DELAY         12
#define CAPF_EL_DEVICE_NAME         13
#define CAPF_EL_SUDI_DATA           16
#define CAPF_EL_KEY_TYPE            17
#define CAPF_EL_CURVE               18
#define CAPF_EL_DIGEST_TYPE         19
#define CAPF_EL_SHA2_SIGNED_DATA    20

/* REASON values.  0, 1, 7 and 9 are what capfd and CUCM (per Jabber4Linux)
 * put on the wire; the others are CUCM's CAPF log codes, the only published
 * meaning for those numbers. */
#define CAPF_REASON_NO_ACTION           0
#define CAPF_REASON_UPDATE_CERTIFICATE  1
#define CAPF_REASON_INVALID_ELEMENT     7
#define CAPF_REASON_TIMED_OUT           8
#define CAPF_REASON_UNKNOWN_DEVICE      9
#define CAPF_REASON_LATE_REQUEST        11

#define CAPF_CERT_TYPE_LSC  1
#define CAPF_CERT_TYPE_MIC  2

#define CAPF_KEY_TYPE_RSA   0
#define CAPF_KEY_TYPE_EC    1

/* Session summary values */
#define CAPF_OP_NONE        0
#define CAPF_OP_INSTALL     1
#define CAPF_OP_FETCH       2
#define CAPF_OP_DELETE      3

#define CAPF_OUTCOME_INCOMPLETE     0
#define CAPF_OUTCOME_INSTALLED      1
#define CAPF_OUTCOME_FETCHED        2
#define CAPF_OUTCOME_DELETED        3
#define CAPF_OUTCOME_NOTHING        4
#define CAPF_OUTCOME_FAILED         5

#define CAPF_UNKNOWN    (-1)

/* What the session looks like so far. */
typedef struct {
    const char *device_name;
    const char *key;            /* key requested by the server: "RSA 2048" */
    const char *failure;        /* why the outcome is "failed" */
    const char *serial;         /* of the certificate issued or fetched */
    gint auth_type;             /* CAPF_UNKNOWN or AUTH_TYPE value */
    gint operation;             /* CAPF_UNKNOWN or CAPF_OP_* */
    gint outcome;               /* CAPF_OUTCOME_* */
} capf_session_t;

/* A troubleshooting verdict: its expert, the expert's text (a short
 * summary, well under Wireshark's label limit) and the details shown as
 * sub-items of the expert (capf.verdict.*; NULL / 0 when there are none).
 * What the phone shows (capf.verdict.symptom) comes from the expert. */
typedef struct capf_verdict {
    expert_field *ei;
    const char *text;
    const char *detail;             /* capf.verdict.detail */
    const char *check;              /* capf.verdict.check: what to check */
    guint32 frames[2];              /* capf.verdict.frame: related frames */
    const guint8 *server_cert_sha1; /* capf.verdict.server_cert_sha1, 20 bytes */
    const char *trust_list;         /* capf.verdict.trust_list: its file name */
    const char *trust_list_capf;    /* capf.verdict.trust_list_capf */
    struct capf_verdict *next;
} capf_verdict_t;

/* First-pass results for one PDU. */
typedef struct {
    guint32 frame;              /* frame this PDU was dissected in */
    nstime_t ts;
    guint32 request_frame;      /* this is a response (or an interim answer) */
    guint32 response_frame;     /* this is a request that was answered */
    nstime_t request_time;
    capf_session_t session;     /* as known once this PDU was seen */
    gboolean session_id_changed;
    gboolean unmatched_response;
    guint8 command;
    capf_verdict_t *verdicts;   /* may grow after the PDU: shown on later passes */
    gint settled;               /* outcome that became final with this PDU, -1 */
} capf_pdu_info_t;

typedef struct {
    capf_session_t session;
    capf_pdu_info_t *pending[CAPF_COMMAND_MAX + 1];  /* unanswered request per command */
    guint32 session_id;
    gboolean have_session_id;
    gboolean op_succeeded;      /* phone confirmed store / fetch / delete */
    gboolean ended;             /* END_SESSION seen */
    gboolean key_in_progress;   /* REQUEST_IN_PROGRESS announced a slow key */
    capf_pdu_info_t *last_pdu;
    /* connection events, for the verdicts */
    guint32 first_syn_frame;
    guint syn_count;
    gboolean syn_answered;
    gboolean closed;
    gboolean tls_seen;
    gboolean tls_alert;
    gboolean not_capf;          /* the port's previous owner (HiQnet) has it */
    guint32 stream;             /* conversation index, for the taps */
    guint8 completeness;        /* TCP's conversation completeness at the previous frame */
    gboolean tls_encrypted[2];  /* ChangeCipherSpec seen: [0] from the phone, [1] from the server */
} capf_conv_t;

/* What TLS carried in one frame of a CAPF connection, as far as the verdicts
 * need it: read from the records the demultiplexer hands to TLS (in clear)
 * and from the records TLS decrypted (SslPacketInfo).  First pass only, in
 * pinfo->pool proto data under CAPF_PINFO_TLS_FACTS. */
typedef struct {
    gboolean handshake;         /* a handshake message */
    gboolean alert;             /* the first alert of the frame: */
    guint8 alert_level;
    guint8 alert_desc;
    const guint8 *cert;         /* first certificate of the first Certificate message */
    guint cert_len;
} capf_tls_facts_t;

/* Verdicts of a frame without a CAPF PDU (SYN, RST, FIN, TLS alert, TLS
 * certificate), in file-scope proto data under this key. */
#define CAPF_FRAME_VERDICTS_KEY 0x7fff0000
/* ... and the outcome that became final in that frame, plus one. */
#define CAPF_FRAME_SETTLED_KEY  0x7fff0001
/* ... and a connection's first SYN (cc->first_syn_frame), 1. */
#define CAPF_FRAME_FIRST_SYN_KEY 0x7fff0002

/* Values of one message, collected while its elements are dissected. */
typedef struct {
    gint reason;
    gint version;
    gint auth_type;
    gint key_type;
    gint curve;
    gint key_size;
    gint cert_type;
    gboolean have_certificate;
    gboolean have_sudi;
    gboolean have_public_key;
    gboolean password_present;
    gboolean password_empty;
    const char *device_name;
    const char *cert_subject_cn;
    const char *cert_serial;
    const char *public_key;     /* "RSA 2048", from the SPKI */
    gint retry_delay;
} capf_msg_t;

#define CAPF_PINFO_PDU_COUNTER  0   /* keys in pinfo->pool proto data */
#define CAPF_PINFO_TLS_FACTS    1
#define CAPF_PINFO_CONV         2   /* capf_find_conversation() */

/*** packet-capf.c: wire format ***/
extern int proto_capf;
extern int hf_capf_session;
extern gint ett_capf;
extern value_string_ext capf_command_vals_ext;
extern const value_string capf_reason_vals[];
extern const value_string capf_auth_type_vals[];
extern const value_string capf_operation_vals[];
extern const value_string capf_outcome_vals[];
extern const value_string capf_curve_vals[];
extern dissector_handle_t capf_handle;        /* a CAPF byte stream */
extern dissector_handle_t capf_tcp_handle;    /* TCP 3804 (and Decode As): TLS, CAPF or HiQnet */
extern dissector_handle_t tls_handle;
/* The session summary subtree (capf.session.*) */
void capf_add_session_tree(tvbuff_t *tvb, proto_tree *tree, const capf_session_t *s);

/*** capf-session.c: session state ***/
guint8 capf_response_code(guint8 request);
guint8 capf_request_code(guint8 response);
capf_conv_t *capf_conv_data(conversation_t *conv);
conversation_t *capf_find_conversation(packet_info *pinfo);
void capf_session_init(void);
capf_conv_t *capf_get_conv(packet_info *pinfo);
const char *capf_requested_key(const capf_msg_t *msg, wmem_allocator_t *scope);
gint capf_phone_auth_type(const capf_msg_t *msg);
gboolean capf_reason_is_ok(gint reason);
const char *capf_reason_text(gint reason);
gboolean capf_operation_pending(const capf_conv_t *cc);
void capf_fail_session(capf_conv_t *cc, const char *why);
void capf_update_session(capf_conv_t *cc, guint8 cmd, const capf_msg_t *msg);
void capf_track(capf_conv_t *cc, packet_info *pinfo, guint8 cmd, capf_pdu_info_t *pi);
gint capf_settled_outcome(const capf_conv_t *cc, gint before);

/*** capf-verdicts.c: troubleshooting verdicts ***/
/* Adds a verdict (file scope) to the end of *list and returns it, for the
 * caller to fill in the details. */
capf_verdict_t *capf_add_verdict(capf_verdict_t **list, expert_field *ei, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Each verdict as an expert item of `tree` with its details beneath it. */
void capf_show_verdicts(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const capf_verdict_t *v);
/* The verdicts' short names, appended to the Info column: " [CAPF timeout]",
 * several joined with "; " (each name once). */
void capf_verdicts_col(packet_info *pinfo, const capf_verdict_t *v);
void capf_pdu_verdicts(capf_conv_t *cc, packet_info *pinfo, guint8 cmd, guint8 prev_cmd, const capf_msg_t *msg,
                       capf_pdu_info_t *pi);
const char *capf_verdict_name(const expert_field *ei);
gboolean capf_is_capf_port(guint32 port);
/* The conversation dissector of a CAPF connection over TLS (a handle without
 * protocol, capf_tls_handle): notes what the verdicts need of the records,
 * then hands them to TLS. */
extern dissector_handle_t capf_tls_handle;
int dissect_capf_tls(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
/* Its experts, preferences and init routine (proto_register_capf), its
 * post-dissector and TLS reader (proto_reg_handoff_capf). */
void capf_verdicts_register(expert_module_t *expert_capf, module_t *capf_module);
void capf_verdicts_handoff(void);

/*** tap-capf.c: the "capf" tap ***/
void capf_tap_register(void);
/* Give the tap a message or a connection event with the session as it stands after it. */
void capf_queue_tap(packet_info *pinfo, const capf_conv_t *cc, const capf_session_t *s, gint cmd, gint reason,
                    const capf_verdict_t *verdicts, gint settled, gboolean syn_unanswered);

#endif /* CAPF_INT_H */
