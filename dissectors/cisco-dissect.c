/* cisco-dissect.c
 * Small dissection helpers shared by the CAPF and ITL/CTL dissectors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-dissect.h"

#include <epan/exceptions.h>
#include <epan/export_object.h>
#include <epan/proto.h>
#include <epan/show_exception.h>
#include <epan/tap.h>

#include <stdio.h>
#include <string.h>

#include "ws-compat.h"

/* Would anything see what Wireshark's X.509 dissector adds?  A visible tree,
 * a filter or column on an X.509/BER field (which marks its protocol as
 * referenced), or a filter on expert infos, or the expert tap (-z expert, the
 * GUI's Expert Information).  Without a tree (a plain tshark run) nothing
 * but the expert tap can.  Dissecting every certificate of every trust list
 * and CAPF message into a tree for nobody was the plugin's largest per-packet
 * cost in a one-pass run (scripts/bench). */
static const char *const x509_protocols[] = { "x509af", "x509ce", "x509if", "x509sat", "pkix1explicit",
                                               "pkix1implicit", "pkcs-1", "ber", "_ws.expert", "_ws.malformed" };
static int x509_protocol_ids[G_N_ELEMENTS(x509_protocols)];
static int expert_tap = -1;
static dissector_table_t ber_syntax_table;
static int tftp_eo_tap = -1;

/* The post-dissectors of cisco_add_postdissector(), by transport. */
#define CISCO_MAX_POST 2
static dissector_t cisco_post_tcp[CISCO_MAX_POST], cisco_post_udp[CISCO_MAX_POST];
static int cisco_n_post_tcp, cisco_n_post_udp;

static int
dissect_cisco_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const dissector_t *fns;
    int n;

    switch (pinfo->ptype) {
    case PT_TCP: fns = cisco_post_tcp; n = cisco_n_post_tcp; break;
    case PT_UDP: fns = cisco_post_udp; n = cisco_n_post_udp; break;
    default: return 0;
    }
    for (int i = 0; i < n; i++)
        fns[i](tvb, pinfo, tree, data);
    return 0;
}

void
cisco_add_postdissector(port_type ptype, dissector_t fn)
{
    dissector_t *fns = ptype == PT_TCP ? cisco_post_tcp : cisco_post_udp;
    int *n = ptype == PT_TCP ? &cisco_n_post_tcp : &cisco_n_post_udp;

    ws_assert((ptype == PT_TCP || ptype == PT_UDP) && *n < CISCO_MAX_POST);
    if (cisco_n_post_tcp + cisco_n_post_udp == 0)
        register_postdissector(create_dissector_handle(dissect_cisco_post, -1));
    fns[(*n)++] = fn;
}

void
cisco_dissect_handoff(void)
{
    register_eo_t *tftp_eo = get_eo_by_name("tftp");

    tftp_eo_tap = tftp_eo ? find_tap_id(get_eo_tap_listener_name(tftp_eo)) : -1;
    for (size_t i = 0; i < G_N_ELEMENTS(x509_protocols); i++)
        x509_protocol_ids[i] = proto_get_id_by_filter_name(x509_protocols[i]);
    expert_tap = find_tap_id("expert");
    ber_syntax_table = find_dissector_table("ber.syntax");
}

static gboolean
cisco_x509_wanted(proto_tree *tree)
{
    if (expert_tap >= 0 && have_tap_listener(expert_tap))
        return TRUE;
    if (!tree)
        return FALSE;
    /* a protocol this Wireshark does not have (4.6 has no "pkcs-1") adds nothing */
    for (size_t i = 0; i < G_N_ELEMENTS(x509_protocols); i++)
        if (x509_protocol_ids[i] >= 0 && proto_field_is_referenced(tree, x509_protocol_ids[i]))
            return TRUE;
    return FALSE;
}

/* Wireshark adds a layer to the frame for every sub-dissector call and
 * stops with a dissector bug at gui_max_tree_depth (500) layers; each
 * certificate adds about ten (X.509 and its extensions) and one trust list or
 * CAPF PDU can hold dozens.  Past this many layers, the layers the X.509
 * dissector added are dropped again after each certificate. */
#define CISCO_X509_KEEP_LAYERS  100

void
cisco_call_x509(tvbuff_t *tvb, int offset, int len, packet_info *pinfo, proto_tree *tree)
{
    tvbuff_t *der_tvb;
    guint layers = wmem_list_count(pinfo->layers);
    guint8 proto_layer = pinfo->curr_proto_layer_num;

    if (!cisco_x509_wanted(tree))
        return;
    der_tvb = tvb_new_subset_length(tvb, offset, len);
    TRY {
        dissector_try_string_with_data(ber_syntax_table, "Certificate", der_tvb, pinfo, tree, TRUE, NULL);
    }
    CATCH_NONFATAL_ERRORS {
        show_exception(der_tvb, pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
    if (layers > CISCO_X509_KEEP_LAYERS) {
        while (wmem_list_count(pinfo->layers) > layers)
            wmem_list_remove_frame(pinfo->layers, wmem_list_tail(pinfo->layers));
        pinfo->curr_proto_layer_num = proto_layer;
    }
}

gboolean
cisco_looks_like_tls(tvbuff_t *tvb)
{
    guint8 type = tvb_get_uint8(tvb, 0);

    if (type < 20 || type > 24)
        return FALSE;
    if (tvb_captured_length(tvb) < 3)
        return TRUE;
    return tvb_get_uint8(tvb, 1) == 3 && tvb_get_uint8(tvb, 2) <= 4;
}

gboolean
cisco_conversation_used_now(const conversation_t *conv, const packet_info *pinfo)
{
    return conv && !PINFO_FD_VISITED(pinfo) && conv->last_frame == pinfo->num;
}

const char *
cisco_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo, int offset, int len)
{
    const guint8 *value = (const guint8 *)"";

    if (len > 0)
        proto_tree_add_item_ret_string(tree, hf, tvb, offset, len, ENC_ASCII, pinfo->pool, &value);
    else
        proto_tree_add_string(tree, hf, tvb, offset, 0, "");
    return (const char *)value;
}

int
cisco_clamp_len(const char *s, gsize max, gboolean *cut)
{
    gsize len = strlen(s), n;

    *cut = len > max;
    if (!*cut)
        return (int)len;
    n = max > 3 ? max - 3 : 0;      /* the ellipsis is 3 bytes */
    while (n > 0 && ((guint8)s[n] & 0xc0) == 0x80)
        n--;
    return (int)n;
}

const char *
cisco_clamp(wmem_allocator_t *scope, const char *s, gsize max)
{
    gboolean cut;
    int n = cisco_clamp_len(s, max, &cut);

    return cut ? wmem_strdup_printf(scope, "%.*s" CISCO_ELLIPSIS, n, s) : s;
}

gboolean
cisco_tap_listen(const char *tap, const char *cli_string, const char *opt_arg, void *data,
                 tap_reset_cb reset, tap_packet_cb packet, tap_draw_cb draw, tap_finish_cb finish)
{
    size_t n = strlen(cli_string);
    const char *filter = strncmp(opt_arg, cli_string, n) == 0 && opt_arg[n] == ',' ? opt_arg + n + 1 : NULL;
    GString *error = register_tap_listener(tap, data, filter, TL_REQUIRES_NOTHING, reset, packet, draw, finish);

    if (!error)
        return TRUE;
    fprintf(stderr, "tshark: couldn't register %s tap: %s\n", cli_string, error->str);
    g_string_free(error, TRUE);
    return FALSE;
}

/* Export Objects > TFTP (and tshark --export-objects tftp): TFTP exports a
 * file only while no heuristic subdissector has taken it (see ws-compat.h), so
 * a file the ITL or cnf dissector takes is queued to TFTP's export tap here,
 * the same file TFTP would have exported: the whole reassembled file (or the
 * only block), under the requested name, once per pass, from the frame of its
 * last block.  HTTP exports its bodies whatever dissects them. */
void
cisco_tftp_export(tvbuff_t *tvb, packet_info *pinfo, const char *filename)
{
    wsc_tftp_eo_t *eo;
    guint length = tvb_captured_length(tvb);

    /* TFTP's conditions: a file name, the whole file (a frame cut by the
     * snapshot length is not) */
    if (tftp_eo_tap < 0 || !filename || !have_tap_listener(tftp_eo_tap) || length != tvb_reported_length(tvb))
        return;
    eo = wmem_new(pinfo->pool, wsc_tftp_eo_t);
    eo->filename = g_strdup(filename);
    eo->payload_len = length;
    eo->payload_data = (guint8 *)tvb_memdup(NULL, tvb, 0, length);
    tap_queue_packet(tftp_eo_tap, pinfo, eo);
}
