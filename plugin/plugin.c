/* plugin.c
 * Entry points of the Cisco CAPF / ITL-CTL plugin: one proto_plugin block per
 * protocol and one tap_plugin block for the reports.  Nothing else lives here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "ws-compat.h"
#include "tap-cisco.h"

void proto_register_capf(void);
void proto_reg_handoff_capf(void);
void proto_register_itl(void);
void proto_reg_handoff_itl(void);
void proto_register_cnf(void);
void proto_reg_handoff_cnf(void);
void proto_register_tvs(void);
void proto_reg_handoff_tvs(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

/* 4.4 and later: a plugin may export plugin_describe(), what kind of plugin
 * it is (`tshark -G plugins` and About > Plugins show it; without it the type
 * is unknown): dissectors and tap listeners.  4.0 has no such entry point. */
#if WSC_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
WS_DLL_PUBLIC uint32_t plugin_describe(void);
uint32_t
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

/* The reports on the capf and itl taps (tshark -z, Statistics menu). */
static void
register_taps(void)
{
    register_capf_taps();
    register_itl_taps();
}

void
plugin_register(void)
{
    static proto_plugin plug_capf, plug_itl, plug_cnf, plug_tvs;
    static tap_plugin plug_taps;

    plug_capf.register_protoinfo = proto_register_capf;
    plug_capf.register_handoff = proto_reg_handoff_capf;
    proto_register_plugin(&plug_capf);

    plug_itl.register_protoinfo = proto_register_itl;
    plug_itl.register_handoff = proto_reg_handoff_itl;
    proto_register_plugin(&plug_itl);

    plug_cnf.register_protoinfo = proto_register_cnf;
    plug_cnf.register_handoff = proto_reg_handoff_cnf;
    proto_register_plugin(&plug_cnf);
    plug_tvs.register_protoinfo = proto_register_tvs;
    plug_tvs.register_handoff = proto_reg_handoff_tvs;
    proto_register_plugin(&plug_tvs);

    plug_taps.register_tap_listener = register_taps;
    tap_register_plugin(&plug_taps);
}
