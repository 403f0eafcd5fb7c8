/* test-verify-cache.c
 * Unit test of the signature verification memory in cisco-crypto.c: the
 * same trust list verified again is answered from memory with the same
 * result, any changed byte (records, signature) is verified afresh, and a
 * full table is emptied without changing any answer.
 *
 *   test-verify-cache GOOD.tlv TAMPERED.tlv
 *
 * GOOD must verify; TAMPERED must be GOOD with a changed record (invalid).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <wireshark.h>
#include <wsutil/wmem/wmem.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisco-tlv.h"

static int failures;

static cisco_sig_status_t
status_of(const guint8 *data, gsize len)
{
    wmem_allocator_t *scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    cisco_tlv_file_t *f = cisco_tlv_parse(scope, data, (guint)len, (guint)len, "ITLFile.tlv");
    cisco_sig_status_t status = f->status;

    wmem_destroy_allocator(scope);
    return status;
}

/* What the memory did (hits and misses) since the last check. */
static gboolean
counts_are(const char *what, guint want_hits, guint want_misses)
{
    static guint last_hits, last_misses;
    guint hits, misses;
    gboolean ok;

    cisco_verify_cache_stats(&hits, &misses);
    ok = hits - last_hits == want_hits && misses - last_misses == want_misses;
    if (!ok) {
        fprintf(stderr, "FAIL %s: %u hits (want %u), %u misses (want %u)\n", what, hits - last_hits, want_hits,
                misses - last_misses, want_misses);
        failures++;
    }
    last_hits = hits;
    last_misses = misses;
    return ok;
}

/* Verify data; expect a status and what the memory did. */
static void
expect(const char *what, const guint8 *data, gsize len, cisco_sig_status_t want, guint want_hits,
       guint want_misses)
{
    cisco_sig_status_t got = status_of(data, len);

    if (got != want) {
        fprintf(stderr, "FAIL %s: status %s, want %s\n", what,
                val_to_str_const(got, cisco_tlv_sig_status_vals, "?"),
                val_to_str_const(want, cisco_tlv_sig_status_vals, "?"));
        failures++;
    }
    if (counts_are(what, want_hits, want_misses) && got == want)
        printf("ok   %s: %s (%u hit, %u miss)\n", what, val_to_str_const(got, cisco_tlv_sig_status_vals, "?"),
               want_hits, want_misses);
}

static guint8 *
read_file(const char *path, gsize *len)
{
    gchar *data;
    GError *err = NULL;

    if (!g_file_get_contents(path, &data, len, &err)) {
        fprintf(stderr, "test-verify-cache: %s\n", err->message);
        exit(2);
    }
    return (guint8 *)data;
}

int
main(int argc, char *argv[])
{
    gsize good_len, bad_len;
    guint8 *good, *bad, *sig_flipped;
    cisco_tlv_file_t *f;
    wmem_allocator_t *scope;
    guint sig_offset, sig_len;

    if (argc != 3) {
        fprintf(stderr, "Usage: test-verify-cache GOOD.tlv TAMPERED.tlv\n");
        return 2;
    }
    good = read_file(argv[1], &good_len);
    bad = read_file(argv[2], &bad_len);

    scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    f = cisco_tlv_parse(scope, good, (guint)good_len, (guint)good_len, "ITLFile.tlv");
    sig_offset = f->signature.offset;
    sig_len = f->signature.len;
    wmem_destroy_allocator(scope);
    if (!sig_len) {
        fprintf(stderr, "test-verify-cache: %s has no signature\n", argv[1]);
        return 2;
    }

    /* reading it above verified it once */
    if (counts_are("first reading of the good file", 0, 1))
        printf("ok   first reading of the good file (0 hit, 1 miss)\n");
    expect("good file again", good, good_len, CISCO_SIG_VALID, 1, 0);
    expect("tampered file", bad, bad_len, CISCO_SIG_INVALID, 0, 1);
    expect("good file a third time", good, good_len, CISCO_SIG_VALID, 1, 0);
    expect("tampered file again", bad, bad_len, CISCO_SIG_INVALID, 1, 0);

    sig_flipped = (guint8 *)g_memdup2(good, good_len);
    sig_flipped[sig_offset + sig_len - 1] ^= 0x01;
    expect("good file, last signature bit flipped", sig_flipped, good_len, CISCO_SIG_INVALID, 0, 1);
    expect("good file after that", good, good_len, CISCO_SIG_VALID, 1, 0);
    /* a cut file is not verified at all: no lookup */
    expect("good file without its last byte", good, good_len - 1, CISCO_SIG_CANNOT_VERIFY, 0, 0);

    /* 4100 different signatures fill the table (4096) past its size: it is
     * emptied once, so the good file is verified afresh, still valid. */
    for (guint i = 0; i < 4100; i++) {
        sig_flipped[sig_offset] = (guint8)i;
        sig_flipped[sig_offset + 1] = (guint8)(i >> 8);
        sig_flipped[sig_offset + sig_len - 1] = 0xA5;
        if (status_of(sig_flipped, good_len) != CISCO_SIG_INVALID) {
            fprintf(stderr, "FAIL signature variant %u verified\n", i);
            failures++;
            break;
        }
    }
    if (counts_are("4100 signature variants", 0, 4100))
        printf("ok   4100 signature variants: invalid (0 hit, 4100 miss)\n");
    expect("good file after the table was emptied", good, good_len, CISCO_SIG_VALID, 0, 1);
    expect("tampered file after the table was emptied", bad, bad_len, CISCO_SIG_INVALID, 0, 1);

    g_free(sig_flipped);
    g_free(bad);
    g_free(good);
    printf("%s\n", failures ? "FAILED" : "PASSED");
    return failures ? 1 : 0;
}
