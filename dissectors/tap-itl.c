/* tap-itl.c
 * tshark -q -z itl,show[,FILTER]: every ITL/CTL file of the capture, printed
 * the way CUCM's "show itl" / "show ctl" prints it (cisco_tlv_show(), the
 * same code as the itl-show program), each after the frame it came in.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <wireshark.h>
#include <epan/address.h>
#include <epan/to_str.h>
#include <epan/packet_info.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include <stdio.h>
#include <string.h>

#include "cisco-dissect.h"
#include "tap-cisco.h"
#include "ws-compat.h"

#define ITL_SHOW_RULE "================================================================================\n"
#define ITL_SHOW_SEP  "--------------------------------------------------------------------------------\n"

typedef struct {
    GString *out;
    guint files;
} itl_show_t;

static void
itl_show_reset(void *p)
{
    itl_show_t *tap = (itl_show_t *)p;

    g_string_truncate(tap->out, 0);
    tap->files = 0;
}

static tap_packet_status
itl_show_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data, tap_flags_t flags _U_)
{
    itl_show_t *tap = (itl_show_t *)p;
    const itl_tap_info_t *ti = (const itl_tap_info_t *)data;
    char *src, *dst;

    if (ti->file->signed_file)      /* .sgn: not a trust list */
        return TAP_PACKET_DONT_REDRAW;
    src = address_to_str(NULL, &pinfo->src);
    dst = address_to_str(NULL, &pinfo->dst);
    tap->files++;
    g_string_append(tap->out, ITL_SHOW_RULE);
    g_string_append_printf(tap->out, "Frame %u: %s from %s to %s\n", pinfo->num,
                           ti->name ? ti->name : "(no file name)", src, dst);
    g_string_append(tap->out, ITL_SHOW_SEP);
    cisco_tlv_show(tap->out, ti->file, ti->name);
    wmem_free(NULL, src);
    wmem_free(NULL, dst);
    return TAP_PACKET_REDRAW;
}

static void
itl_show_draw(void *p)
{
    itl_show_t *tap = (itl_show_t *)p;

    printf(ITL_SHOW_RULE);
    printf("ITL/CTL files: %u\n", tap->files);
    fputs(tap->out->str, stdout);
    printf(ITL_SHOW_RULE);
}

static void
itl_show_finish(void *p)
{
    itl_show_t *tap = (itl_show_t *)p;

    /* called by remove_tap_listener(), at the end of the run */
    g_string_free(tap->out, TRUE);
    g_free(tap);
}

static wsc_tap_init_ret
itl_show_init(const char *opt_arg, void *userdata _U_)
{
    itl_show_t *tap = g_new0(itl_show_t, 1);

    tap->out = g_string_new("");
    if (!cisco_tap_listen("itl", "itl,show", opt_arg, tap, itl_show_reset, itl_show_packet, itl_show_draw,
                          itl_show_finish)) {
        g_string_free(tap->out, TRUE);
        g_free(tap);
        WSC_TAP_INIT_FAILED();
    }
    WSC_TAP_INIT_OK();
}

static stat_tap_ui itl_show_ui = {
    WSC_STAT_GROUP_TELEPHONY,
    "ITL/CTL files (show itl)",
    "itl,show",
    itl_show_init,
    0,
    NULL
};

void
register_itl_taps(void)
{
    register_stat_tap_ui(&itl_show_ui, NULL);
}
