/* itl-show.c
 * Print Cisco ITL/CTL files (.tlv) from disk the way CUCM's "show itl" /
 * "show ctl" does, and check their signature.  The reading, checking and
 * printing are cisco-tlv.c, the code the ITL/CTL dissector and
 * tshark -z itl,show use, so the output is the same for the same file.
 *
 *   itl-show [-q] FILE...
 *
 * Exit status: 0 when every file's signature verifies, 1 when one does not
 * (or a file is cut or unreadable as a trust list), 2 on usage errors or
 * files that cannot be read.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <wireshark.h>
#include <wsutil/wmem/wmem.h>

#include <stdio.h>
#include <string.h>

#include "cisco-tlv.h"

static void
usage(FILE *out)
{
    fprintf(out, "Usage: itl-show [-q] FILE...\n"
                 "Print ITL/CTL trust lists (and .sgn headers) as CUCM's \"show itl\" does.\n"
                 "  -q  print nothing, only set the exit status\n"
                 "Exit status 0 only when every file's signature verifies.\n");
}

static int
show_file(const char *path, gboolean quiet, gboolean several)
{
    gchar *data = NULL;
    gsize len = 0;
    GError *err = NULL;
    wmem_allocator_t *scope;
    cisco_tlv_file_t *f;
    gchar *name;
    GString *out;
    int rc;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "itl-show: %s\n", err->message);
        g_error_free(err);
        return 2;
    }
    if (len > G_MAXUINT) {
        fprintf(stderr, "itl-show: %s: too large\n", path);
        g_free(data);
        return 2;
    }
    name = g_path_get_basename(path);
    scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    f = cisco_tlv_parse(scope, (const guint8 *)data, (guint)len, (guint)len, name);
    rc = (f->status == CISCO_SIG_VALID && !f->truncated) ? 0 : 1;
    if (!quiet) {
        out = g_string_new("");
        if (several)
            g_string_append_printf(out, "==> %s <==\n", path);
        cisco_tlv_show(out, f, name);
        fputs(out->str, stdout);
        g_string_free(out, TRUE);
    }
    wmem_destroy_allocator(scope);
    g_free(name);
    g_free(data);
    return rc;
}

int
main(int argc, char *argv[])
{
    gboolean quiet = FALSE;
    int first = 1, rc = 0;

    while (first < argc && argv[first][0] == '-' && argv[first][1]) {
        if (strcmp(argv[first], "-q") == 0) {
            quiet = TRUE;
        } else if (strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        } else {
            usage(stderr);
            return 2;
        }
        first++;
    }
    if (first >= argc) {
        usage(stderr);
        return 2;
    }
    wmem_init();
    for (int i = first; i < argc; i++) {
        int file_rc = show_file(argv[i], quiet, argc - first > 1);
        if (file_rc > rc)
            rc = file_rc;
        if (!quiet && i + 1 < argc)
            putchar('\n');
    }
    wmem_cleanup();
    return rc;
}
