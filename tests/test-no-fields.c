/* test-no-fields.c
 * The plugin must ask Wireshark for no field: a post-dissector that wants
 * one makes tshark build a protocol tree for every frame of every capture,
 * ours or not (tshark decides this once per file, from
 * postdissectors_want_hfids()).  This program registers the plugin's
 * dissectors with libwireshark as tshark would (the harness set-up of
 * tests/fuzz/fuzz-cisco.c) and checks exactly that.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);     /* tests/fuzz/fuzz-cisco.c */

int
main(int argc, char **argv)
{
    static const char *const protocols[] = { "capf", "itl" };
    int failed = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (size_t i = 0; i < G_N_ELEMENTS(protocols); i++) {
        if (proto_get_id_by_filter_name(protocols[i]) < 0) {
            printf("FAIL: protocol %s is not registered\n", protocols[i]);
            failed = 1;
        }
    }
    if (postdissectors_want_hfids()) {
        printf("FAIL: a post-dissector wants fields: tshark would build a tree for every frame\n");
        failed = 1;
    }
    if (!failed)
        printf("ok: capf and itl registered, no post-dissector wants a field\n");
    return failed;
}
