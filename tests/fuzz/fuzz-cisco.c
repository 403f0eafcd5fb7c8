/* fuzz-cisco.c
 * libFuzzer harness for the plugin's dissectors, driven through Debian's
 * libwireshark.  Built only with -DENABLE_FUZZER=ON (clang).
 *
 * Each input is one frame of an unknown encapsulation, so no link layer
 * claims it; the target dissector ("capf": a CAPF byte stream, one or more
 * PDUs; "itl": one ITL/CTL/.sgn file; "cnf": one SEP<MAC>.cnf.xml; "tvs": a
 * TVS byte stream) is registered as a post-dissector and gets the whole
 * input, the way Wireshark's own fuzzshark drives a dissector.  The dissector
 * sources are compiled into this program and
 * registered as if the plugin had been loaded.  The target is fixed at
 * compile time (FUZZ_TARGET) and can be overridden with CISCO_FUZZ_TARGET.
 * README.md ("Robustness and fuzzing") tells how to build and run it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/timestamp.h>
#include <wiretap/wtap.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/report_message.h>
#include <wsutil/wslog.h>

#include "ws-compat.h"

#ifndef FUZZ_TARGET
#define FUZZ_TARGET "capf"
#endif

/* The libwireshark API a program (not a plugin) uses changed more than the
 * dissector API: the report callbacks took C99 types in 4.4 and 4.6 added
 * one; 4.6's ws_log_init() and configuration_init() lost an argument, and
 * its epan_dissect_run() takes the frame's bytes from the wtap_rec instead
 * of a tvb. */
#if WSC_AT_LEAST(4, 4)
typedef bool fz_bool;
typedef uint64_t fz_frame_num;
#else
typedef gboolean fz_bool;
typedef guint32 fz_frame_num;
#endif
#if WSC_AT_LEAST(4, 6)
#define FZ_LOG_INIT()               ws_log_init(NULL)
#define FZ_CONFIGURATION_INIT(arg0) configuration_init(arg0)
#else
#define FZ_LOG_INIT()               ws_log_init("fuzz-cisco", NULL)
#define FZ_CONFIGURATION_INIT(arg0) configuration_init(arg0, NULL)
#endif

void plugin_register(void);     /* plugin/plugin.c */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static epan_t *fz_epan;
static epan_dissect_t *fz_edt;

static void fz_report_failure(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

static void
fz_report_failure(const char *fmt, va_list ap)
{
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void
fz_report_open_failure(const char *name, int err, fz_bool for_writing)
{
    fprintf(stderr, "cannot open %s for %s: %s\n", name, for_writing ? "writing" : "reading", g_strerror(err));
}

static void
fz_report_read_failure(const char *name, int err)
{
    fprintf(stderr, "cannot read %s: %s\n", name, g_strerror(err));
}

static void
fz_report_write_failure(const char *name, int err)
{
    fprintf(stderr, "cannot write %s: %s\n", name, g_strerror(err));
}

static void
fz_report_cfile_fail(const char *name _U_, int err _U_, char *info _U_)
{
}

static void
fz_report_cfile_dump_fail(const char *name _U_, int err _U_, char *info _U_, int type _U_)
{
}

static void
fz_report_cfile_write_fail(const char *in _U_, const char *out _U_, int err _U_, char *info _U_,
                           fz_frame_num frame _U_, int file_type _U_)
{
}

static void
fz_report_cfile_close_fail(const char *name _U_, int err _U_, char *info _U_)
{
}

#if WSC_AT_LEAST(4, 6)
static void
fz_report_rename_failure(const char *from, const char *to, int err)
{
    fprintf(stderr, "cannot rename %s to %s: %s\n", from, to, g_strerror(err));
}
#endif

static const nstime_t *
fz_frame_ts(struct packet_provider_data *prov _U_, guint32 frame_num _U_)
{
    static const nstime_t zero;
    return &zero;
}

int
LLVMFuzzerInitialize(int *argc _U_, char ***argv)
{
    static const struct report_message_routines routines = {
        .vreport_failure = fz_report_failure,
        .vreport_warning = fz_report_failure,
        .report_open_failure = fz_report_open_failure,
        .report_read_failure = fz_report_read_failure,
        .report_write_failure = fz_report_write_failure,
#if WSC_AT_LEAST(4, 6)
        .report_rename_failure = fz_report_rename_failure,
#endif
        .report_cfile_open_failure = fz_report_cfile_fail,
        .report_cfile_dump_open_failure = fz_report_cfile_dump_fail,
        .report_cfile_read_failure = fz_report_cfile_fail,
        .report_cfile_write_failure = fz_report_cfile_write_fail,
        .report_cfile_close_failure = fz_report_cfile_close_fail,
    };
    static const struct packet_provider_funcs funcs = { .get_frame_ts = fz_frame_ts };
    const char *target = getenv("CISCO_FUZZ_TARGET") ? getenv("CISCO_FUZZ_TARGET") : FUZZ_TARGET;
    dissector_handle_t handle;
    char *err;

    /* A dissector bug aborts (libFuzzer then saves the input).  wmem keeps
     * its default allocators unless WIRESHARK_DEBUG_WMEM_OVERRIDE says
     * otherwise: "strict" and "simple" slow CAPF inputs down to a few per
     * second (they scan every block of the file scope). */
    g_setenv("WIRESHARK_ABORT_ON_DISSECTOR_BUG", "1", FALSE);
    FZ_LOG_INIT();
    init_process_policies();
    err = FZ_CONFIGURATION_INIT((*argv)[0]);
    g_free(err);
    init_report_message("fuzz-cisco", &routines);
    timestamp_set_type(TS_RELATIVE);
    timestamp_set_precision(TS_PREC_AUTO);
    timestamp_set_seconds_type(TS_SECONDS_DEFAULT);

    wtap_init(FALSE);
    plugin_register();      /* plugin/plugin.c, linked in: as if the plugin were loaded */
    if (!epan_init(NULL, NULL, FALSE)) {
        fprintf(stderr, "fuzz-cisco: epan_init failed\n");
        exit(1);
    }
    epan_load_settings();
    prefs_apply_all();

    handle = find_dissector(target);
    if (!handle) {
        fprintf(stderr, "fuzz-cisco: no dissector named \"%s\"\n", target);
        exit(1);
    }
    register_postdissector(handle);
    fprintf(stderr, "fuzz-cisco: target dissector \"%s\"\n", target);

    fz_epan = epan_new(NULL, &funcs);
    fz_edt = epan_dissect_new(fz_epan, TRUE, TRUE);
    return 0;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
    static guint32 frame_num;
    wtap_rec rec;
    frame_data fd;
    guint32 len = size > G_MAXINT32 ? G_MAXINT32 : (guint32)size;

    /* an encapsulation nothing registers: the frame goes to post-dissectors only */
#if WSC_AT_LEAST(4, 6)
    wtap_rec_init(&rec, len);
    wtap_setup_packet_rec(&rec, G_MAXINT16);
    ws_buffer_append(&rec.data, data, len);
#else
    memset(&rec, 0, sizeof rec);
    rec.rec_type = REC_TYPE_PACKET;
    rec.rec_header.packet_header.pkt_encap = G_MAXINT16;
#endif
    rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
    rec.rec_header.packet_header.caplen = len;
    rec.rec_header.packet_header.len = len;

    frame_data_init(&fd, ++frame_num, &rec, 0, 0);
#if WSC_AT_LEAST(4, 6)
    epan_dissect_run(fz_edt, WTAP_FILE_TYPE_SUBTYPE_UNKNOWN, &rec, &fd, NULL);
    wtap_rec_cleanup(&rec);
#else
    epan_dissect_run(fz_edt, WTAP_FILE_TYPE_SUBTYPE_UNKNOWN, &rec, tvb_new_real_data(data, len, len), &fd, NULL);
#endif
    frame_data_destroy(&fd);
    epan_dissect_reset(fz_edt);
    return 0;
}
