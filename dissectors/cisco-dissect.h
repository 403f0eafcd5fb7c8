/* cisco-dissect.h
 * Small dissection helpers shared by the CAPF, ITL/CTL, cnf and TVS dissectors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CISCO_DISSECT_H
#define CISCO_DISSECT_H

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/tap.h>

/* Look up what cisco_call_x509() and cisco_tftp_export() need (X.509
 * protocols, the expert tap, the ber.syntax table, TFTP's export tap); every
 * protocol that calls them does so from its hand-off routine. */
void cisco_dissect_handoff(void);

/* Hand the DER certificate at [offset, offset+len) to Wireshark's X.509
 * dissector; an exception inside it does not stop the caller.  Skipped when
 * nothing would see the result (an invisible tree, no X.509 field or expert
 * filter, no expert tap). */
void cisco_call_x509(tvbuff_t *tvb, int offset, int len, packet_info *pinfo, proto_tree *tree);

/* A whole file taken over TFTP by a heuristic subdissector (ITL, cnf): give it
 * to TFTP's Export Objects list, which TFTP itself leaves out then.  Needs
 * cisco_dissect_handoff(). */
void cisco_tftp_export(tvbuff_t *tvb, packet_info *pinfo, const char *filename);

/* Does the first segment of a TCP connection look like a TLS record:
 * a record type from change_cipher_spec (20) to heartbeat (24), then an
 * SSL 3.0 .. TLS 1.3 record version (when the segment is that long)?  For
 * the ports (CAPF 3804, TVS 2445) that carry either TLS or the clear
 * protocol. */
gboolean cisco_looks_like_tls(tvbuff_t *tvb);

/* Did the dissectors below (TCP, TFTP) use conv for this frame, first pass?
 * Looking up a conversation (find_conversation_pinfo(), TFTP's own lookup)
 * sets its last_frame to the frame's number, which only grows in the first
 * pass; so a conversation remembered from an earlier frame whose last_frame
 * is this frame is the one a lookup would find now.  FALSE in later passes
 * (last_frame is then the conversation's last frame of all): look it up. */
gboolean cisco_conversation_used_now(const conversation_t *conv, const packet_info *pinfo);

/* An ASCII (possibly NUL-terminated) string item; "" for an empty value.
 * Returns the string, in pinfo->pool. */
const char *cisco_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo, int offset, int len);

/* Wireshark keeps an item's label, an expert's text included, in
 * ITEM_LABEL_LENGTH (240) bytes and cuts a longer one.  A name from the wire
 * (a device name, a file name, a certificate's CN) in a label is cut to these
 * many bytes by cisco_clamp(). */
#define CISCO_NAME_MAX  48

/* The number of bytes of s to show in at most max bytes with an ellipsis
 * after them (cut at a UTF-8 character boundary); strlen(s) when all of s
 * fits, *cut says whether it was cut.  For "%.*s%s" without a copy. */
int cisco_clamp_len(const char *s, gsize max, gboolean *cut);
#define CISCO_ELLIPSIS  "\xe2\x80\xa6"

/* s cut to at most max bytes with an ellipsis (in scope), or s itself when it fits. */
const char *cisco_clamp(wmem_allocator_t *scope, const char *s, gsize max);

/* Start a -z report: register its listener on tap, with the display filter
 * that may follow its cli_string in opt_arg ("capf,phones,ip.src==10.0.0.1").
 * FALSE, after saying why on stderr, when the listener cannot be registered. */
gboolean cisco_tap_listen(const char *tap, const char *cli_string, const char *opt_arg, void *data,
                          tap_reset_cb reset, tap_packet_cb packet, tap_draw_cb draw, tap_finish_cb finish);

/* Run fn as a post-dissector on the frames whose pinfo->ptype is ptype
 * (PT_TCP or PT_UDP) when the frame has been dissected.  The plugin
 * registers one post-dissector with Wireshark for all of them: each
 * registered post-dissector is one more hand-off in every frame of every
 * capture.  Call from a protocol's register routine. */
void cisco_add_postdissector(port_type ptype, dissector_t fn);

#endif /* CISCO_DISSECT_H */
