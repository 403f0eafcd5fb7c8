/* cisco-dissect.c
 * Small dissection helpers shared by the CAPF and ITL/CTL dissectors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-dissect.h"

#include <epan/exceptions.h>
#include <epan/proto.h>
#include <epan/show_exception.h>

#include "ws-compat.h"

#include <stdio.h>
#include <string.h>

/* Wireshark adds a layer to the frame for every sub-dissector call and
 * stops with a dissector bug at gui_max_tree_depth (500) layers; each
 * certificate adds about ten (X.509 and its extensions) and one trust list or
 * CAPF PDU can hold dozens.  Past this many layers, the layers the X.509
 * dissector added are dropped again after each certificate. */
#define CISCO_X509_KEEP_LAYERS  100

void
cisco_call_x509(tvbuff_t *tvb, int offset, int len, packet_info *pinfo, proto_tree *tree)
{
    static dissector_table_t ber_syntax_table;
    tvbuff_t *der_tvb = tvb_new_subset_length(tvb, offset, len);
    guint layers = wmem_list_count(pinfo->layers);
    guint8 proto_layer = pinfo->curr_proto_layer_num;

    if (!ber_syntax_table)
        ber_syntax_table = find_dissector_table("ber.syntax");
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

field_info *
cisco_first_field(proto_tree *tree, int hf)
{
    GPtrArray *items = hf > 0 ? proto_get_finfo_ptr_array(tree, hf) : NULL;
    return items && items->len ? (field_info *)items->pdata[0] : NULL;
}

void
cisco_register_postdissector(dissector_handle_t handle, const char *const names[], int *const ids[], size_t n)
{
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));

    for (size_t i = 0; i < n; i++) {
        *ids[i] = proto_registrar_get_id_byname(names[i]);
        if (*ids[i] > 0)
            g_array_append_val(wanted, *ids[i]);
    }
    register_postdissector(handle);
    set_postdissector_wanted_hfids(handle, wanted);
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
