/* ws-compat.h
 * The one place where differences between the Wireshark versions this plugin
 * supports (4.0, 4.4, 4.6) are absorbed (prefix WSC_, wsc_).  The dissectors,
 * reports and test harnesses include this instead of testing
 * WIRESHARK_VERSION_* themselves, and are written against the newest API; the
 * shims below give the older versions the new names.
 *
 * Checked against the installed headers of 4.0.17 (Debian 12), 4.4.19
 * (Debian 13) and 4.6.9 (Debian sid).  4.2 is not supported: where a change
 * happened in 4.2 or 4.4 is not told apart here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef WS_COMPAT_H
#define WS_COMPAT_H

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/tvbuff.h>

#define WSC_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* The epan API moved from GLib's gboolean to C99 bool: a boolean preference's
 * variable (prefs_register_bool_preference) and a heuristic dissector's return
 * type (heur_dissector_t) are bool in 4.4, gboolean in 4.0. */
#if WSC_AT_LEAST(4, 4)
typedef bool wsc_bool;
#else
typedef gboolean wsc_bool;
#endif

/* 4.4 renamed the GLib-typed tvb accessors (tvb_get_guint8 -> tvb_get_uint8)
 * and deprecated the old names. */
#if !WSC_AT_LEAST(4, 4)
#define tvb_get_uint8(tvb, offset) tvb_get_guint8((tvb), (offset))
#endif

/* 4.6: val_to_str() and val_to_str_ext() take the wmem scope of the result
 * as first argument (what val_to_str_wmem() did, which 4.6 removed); before,
 * val_to_str() used the packet scope. */
#if WSC_AT_LEAST(4, 6)
#define WSC_VAL_TO_STR(scope, val, vs, fmt)      val_to_str((scope), (val), (vs), (fmt))
#define WSC_VAL_TO_STR_EXT(scope, val, vse, fmt) val_to_str_ext((scope), (val), (vse), (fmt))
#else
#define WSC_VAL_TO_STR(scope, val, vs, fmt)      val_to_str_wmem((scope), (val), (vs), (fmt))
#define WSC_VAL_TO_STR_EXT(scope, val, vse, fmt) val_to_str_ext_wmem((scope), (val), (vse), (fmt))
#endif

/* 4.6 deprecated dissector_try_string() / dissector_try_string_new() for
 * dissector_try_string_with_data() (same arguments as _new). */
#if !WSC_AT_LEAST(4, 6)
#define dissector_try_string_with_data(table, string, tvb, pinfo, tree, add_proto_name, data) \
    dissector_try_string_new((table), (string), (tvb), (pinfo), (tree), (add_proto_name), (data))
#endif

/* A stats tree in the GUI's Statistics menu: Qt's main window adds only the
 * trees registered as a plugin's (stats_tree_cfg.plugin, set by
 * stats_tree_register_plugin()) whose group is one of its menu groups; the
 * built-in trees have menu entries of their own.  4.4: the register call
 * returns the tree's configuration and stats_tree_set_group() sets the group;
 * 4.0's stats_tree_register_plugin() returns nothing, so the group is set on
 * the configuration found by its abbreviation (stats_tree_priv.h). */
#if WSC_AT_LEAST(4, 4)
#define WSC_STATS_TREE_REGISTER(tap, abbr, name, flags, packet, init, cleanup, group) \
    stats_tree_set_group(stats_tree_register_plugin((tap), (abbr), (name), (flags), (packet), (init), (cleanup)), \
                         (group))
#else
#include <epan/stats_tree_priv.h>
#define WSC_STATS_TREE_REGISTER(tap, abbr, name, flags, packet, init, cleanup, group) \
    do { \
        stats_tree_register_plugin((tap), (abbr), (name), (flags), (packet), (init), (cleanup)); \
        stats_tree_get_cfg_by_abbr(abbr)->stat_group = (group); \
    } while (0)
#endif

/* 4.4 split the Telephony menu into groups of its own. */
#if WSC_AT_LEAST(4, 4)
#define WSC_STAT_GROUP_TELEPHONY REGISTER_TELEPHONY_GROUP_UNSORTED
#else
#define WSC_STAT_GROUP_TELEPHONY REGISTER_STAT_GROUP_TELEPHONY
#endif

/* 4.6: a -z report's init callback (stat_tap_init_cb) returns whether it
 * could start, instead of exiting the program itself. */
#if WSC_AT_LEAST(4, 6)
typedef bool wsc_tap_init_ret;
#define WSC_TAP_INIT_OK()      return true
#define WSC_TAP_INIT_FAILED()  return false
#else
typedef void wsc_tap_init_ret;
#define WSC_TAP_INIT_OK()      return
#define WSC_TAP_INIT_FAILED()  exit(1)
#endif

/* A conversation made for a client address and port and any server port
 * (conversation_new(..., NO_PORT2), as TFTP makes at a read or write
 * request), looked up from a frame in either direction.  4.6 keeps such
 * conversations apart ("strategies") and finds them with
 * find_conversation_strat(); before, find_conversation(..., NO_PORT_B).
 * Returns the first that holds proto's data, or NULL. */
#include <epan/conversation.h>
static inline conversation_t *
wsc_find_client_conversation(const packet_info *pinfo, int proto)
{
    for (int to_client = 1; to_client >= 0; to_client--) {
#if WSC_AT_LEAST(4, 6)
        conversation_t *conv = find_conversation_strat(pinfo, CONVERSATION_UDP, NO_PORT_B, to_client);
#else
        conversation_t *conv = to_client ?
            find_conversation(pinfo->num, &pinfo->dst, &pinfo->src, CONVERSATION_UDP, pinfo->destport, 0, NO_PORT_B) :
            find_conversation(pinfo->num, &pinfo->src, &pinfo->dst, CONVERSATION_UDP, pinfo->srcport, 0, NO_PORT_B);
#endif
        if (conv && conversation_get_proto_data(conv, proto))
            return conv;
    }
    return NULL;
}

/* 4.6 renamed wsutil/pint.h's pntoh16() (and its kin) pntohu16(). */
#include <wsutil/pint.h>
#if !WSC_AT_LEAST(4, 6)
#define pntohu16(p) pntoh16(p)
#endif

/* TLS keeps the records it decrypted in a frame (SslPacketInfo) as file-scope
 * proto data of proto_tls.  4.0 keys it by 0 (the layer number is commented
 * out there); 4.4 and 4.6 by the TLS layer's per-protocol number,
 * curr_proto_layer_num when dissect_ssl starts: one more than the TLS layers
 * the frame had before.  WSC_TLS_INFO_KEY() gives the key of the TLS call
 * about to be made. */
static inline guint8
wsc_proto_layers(const packet_info *pinfo, int proto)
{
    const int *n = pinfo->proto_layers ? (const int *)wmem_map_lookup(pinfo->proto_layers, GINT_TO_POINTER(proto))
                                       : NULL;
    return n ? (guint8)*n : 0;
}
#if WSC_AT_LEAST(4, 4)
#define WSC_TLS_INFO_KEY(pinfo, proto_tls) ((guint8)(wsc_proto_layers((pinfo), (proto_tls)) + 1))
#else
#define WSC_TLS_INFO_KEY(pinfo, proto_tls) ((void)(pinfo), (void)(proto_tls), (guint8)0)
#endif

/* TFTP's Export Objects record (tftp_eo_t, private to packet-tftp.c): what a
 * dissector queues to TFTP's export-object tap ("tftp") for one file.  TFTP
 * exports a transfer itself only while no heuristic subdissector has taken the
 * reassembled file (is_simple_file), so the ITL dissector, which takes trust
 * lists, queues them itself (packet-itl.c).  TFTP's tap callback
 * (tftp_eo_packet) takes both pointers over: it g_free()s the file name and
 * hands the payload to the export entry, which g_free()s it.  Read in 4.0.17's
 * packet-tftp.c; 4.4 and 4.6 install no TFTP source or header, so for those
 * the layout is checked by what they do with it: the export-objects tests
 * compare every exported file byte for byte, on all three versions
 * (scripts/test-versions). */
typedef struct {
    gchar   *filename;          /* g_malloc()ed; the tap callback frees it */
    guint32  payload_len;
    guint8  *payload_data;      /* g_malloc()ed; the export entry owns it */
} wsc_tftp_eo_t;

#endif /* WS_COMPAT_H */
