/* test-cert-parity.c
 * The strict DER walk of certificates and public keys (cisco-cert.c) against
 * GnuTLS (cisco-crypto.c's GnuTLS path): on every certificate and
 * SubjectPublicKeyInfo found in the given files, and on many deterministic
 * mutations of them (every truncation, byte flips and byte values at every
 * position, and per DER element: non-minimal length, one octet or element more
 * or less, the element removed or repeated, another tag, with every enclosing
 * length fixed up).
 *
 *   test-cert-parity FILE...
 *
 * Files are scanned at every offset for a DER SEQUENCE that GnuTLS imports as
 * a certificate or public key (captures, trust lists); PEM files are decoded
 * first.  A disagreement is the walk accepting something GnuTLS rejects, or
 * answering differently (CN, subject, issuer, serial, key, SHA-1; for keys the
 * description and that GnuTLS writes the key back unchanged).  The walk saying
 * "not for me" is never a disagreement: the plugin then asks GnuTLS.
 * Exit status 1 on any disagreement, or when the files hold no certificate the
 * walk takes (the test would prove nothing).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <wireshark.h>
#include <wsutil/wmem/wmem.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisco-crypto.h"

typedef struct {
    guint64 inputs;         /* compared */
    guint64 fast;           /* taken by the walk */
    guint64 disagreements;
} counts_t;

static counts_t cert_counts, key_counts;
static wmem_allocator_t *scope;

static gboolean
same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void
report(const char *what, const guint8 *der, size_t len, const char *why)
{
    static int shown;

    if (shown++ < 20) {
        char *hex = cisco_hex(NULL, der, len > 64 ? 64 : len, 0, FALSE);
        fprintf(stderr, "DISAGREE (%s): %s; %zu bytes %s%s\n", what, why, len, hex, len > 64 ? "..." : "");
        wmem_free(NULL, hex);
        if (g_getenv("CERT_PARITY_DUMP")) {
            char *name = g_strdup_printf("%s/disagreement-%d.der", g_getenv("CERT_PARITY_DUMP"), shown);
            g_file_set_contents(name, (const char *)der, (gssize)len, NULL);
            g_free(name);
        }
    }
}

/* Returns whether GnuTLS imports it (only asked when ask_gnutls or the walk took it). */
static gboolean
compare_cert(const guint8 *der, size_t len, gboolean ask_gnutls)
{
    gboolean gnutls_ok = FALSE;

    for (int full = 0; full <= 1; full++) {
        cisco_cert_info_t f, g;
        gboolean fast_ok = cisco_cert_parse_fast(der, len, scope, full, &f);

        cert_counts.inputs++;
        if (!fast_ok && !ask_gnutls)
            continue;
        gnutls_ok = cisco_cert_parse_gnutls(der, len, scope, full, &g);
        if (!fast_ok)
            continue;
        cert_counts.fast++;
        if (!gnutls_ok) {
            cert_counts.disagreements++;
            report("certificate", der, len, "the walk accepts what GnuTLS rejects");
        } else if (!same(f.common_name, g.common_name) || !same(f.subject, g.subject) ||
                   !same(f.issuer, g.issuer) || !same(f.serial, g.serial) || !same(f.key, g.key) ||
                   memcmp(f.sha1, g.sha1, sizeof(f.sha1)) != 0) {
            cert_counts.disagreements++;
            report("certificate", der, len,
                   wmem_strdup_printf(scope, "full=%d: CN %s/%s, subject %s/%s, issuer %s/%s, serial %s/%s, "
                                      "key %s/%s", full, f.common_name, g.common_name, f.subject, g.subject,
                                      f.issuer, g.issuer, f.serial, g.serial, f.key, g.key));
        }
    }
    return gnutls_ok;
}

static gboolean
compare_key(const guint8 *der, size_t len, gboolean ask_gnutls)
{
    const char *f = cisco_spki_describe_fast(der, len, scope), *g = NULL;
    gboolean canonical = FALSE;

    key_counts.inputs++;
    if (!f && !ask_gnutls)
        return FALSE;
    g = cisco_spki_describe_gnutls(der, len, scope, &canonical);
    if (!f)
        return g != NULL;
    key_counts.fast++;
    if (!g || strcmp(f, g) != 0 || !canonical) {
        key_counts.disagreements++;
        report("public key", der, len,
               wmem_strdup_printf(scope, "walk %s, GnuTLS %s%s", f, g ? g : "rejects",
                                  g && !canonical ? " (not canonical)" : ""));
    }
    return g != NULL;
}

/* ---- the DER tree, for structural mutations ---- */

typedef struct node {
    guint8 tag;
    const guint8 *content;
    size_t len;
    GPtrArray *children;    /* NULL: primitive (or not parsed further) */
    int id;
} node_t;

enum { OP_NONE, OP_DELETE, OP_REPEAT, OP_NONMINIMAL, OP_GROW, OP_SHRINK, OP_TAG, OP_COUNT };

typedef struct {
    int target;
    int op;
    guint8 tag;
} mutation_t;

static gboolean
read_header(const guint8 *p, size_t avail, size_t *hdr, size_t *len)
{
    size_t n;

    if (avail < 2)
        return FALSE;
    if (p[1] < 0x80) {
        *hdr = 2;
        *len = p[1];
    } else {
        n = p[1] & 0x7f;
        if (n == 0 || n > 3 || avail < 2 + n)
            return FALSE;
        *len = 0;
        for (size_t i = 0; i < n; i++)
            *len = (*len << 8) | p[2 + i];
        *hdr = 2 + n;
    }
    return *len <= avail - *hdr;
}

static node_t *
parse_tree(const guint8 *p, size_t avail, size_t *used, int *next_id, int depth)
{
    size_t hdr, len;
    node_t *n;

    if (!read_header(p, avail, &hdr, &len))
        return NULL;
    n = g_new0(node_t, 1);
    n->tag = p[0];
    n->content = p + hdr;
    n->len = len;
    n->id = (*next_id)++;
    *used = hdr + len;
    if ((p[0] & 0x20) && depth < 12) {
        size_t off = 0;
        n->children = g_ptr_array_new();
        while (off < len) {
            size_t u;
            node_t *c = parse_tree(p + hdr + off, len - off, &u, next_id, depth + 1);
            if (!c) {
                n->children = NULL;     /* leave as opaque bytes */
                break;
            }
            g_ptr_array_add(n->children, c);
            off += u;
        }
    }
    return n;
}

static void
put_len(GByteArray *out, size_t len, gboolean nonminimal)
{
    guint8 b[5];
    size_t n = 0;

    if (len < 0x80 && !nonminimal) {
        b[n++] = (guint8)len;
    } else {
        int octets = len < 0x100 ? 1 : len < 0x10000 ? 2 : 3;
        if (nonminimal && len >= 0x80)
            octets++;
        b[n++] = (guint8)(0x80 | octets);
        for (int i = octets - 1; i >= 0; i--)
            b[n++] = i >= 3 ? 0 : (guint8)(len >> (8 * i));
    }
    g_byte_array_append(out, b, (guint)n);
}

static void
serialize(const node_t *n, GByteArray *out, const mutation_t *m)
{
    static const guint8 null_tlv[] = { 0x05, 0x00 };
    int op = n->id == m->target ? m->op : OP_NONE;
    GByteArray *body;

    if (op == OP_DELETE)
        return;
    body = g_byte_array_new();
    if (n->children) {
        guint count = n->children->len;
        if (op == OP_SHRINK && count > 0)
            count--;
        for (guint i = 0; i < count; i++)
            serialize((const node_t *)g_ptr_array_index(n->children, i), body, m);
        if (op == OP_GROW)
            g_byte_array_append(body, null_tlv, sizeof(null_tlv));
    } else {
        size_t len = n->len;
        if (op == OP_SHRINK && len > 0)
            len--;
        g_byte_array_append(body, n->content, (guint)len);
        if (op == OP_GROW)
            g_byte_array_append(body, null_tlv + 1, 1);
    }
    for (int copy = 0; copy < (op == OP_REPEAT ? 2 : 1); copy++) {
        guint8 tag = op == OP_TAG ? m->tag : n->tag;
        g_byte_array_append(out, &tag, 1);
        put_len(out, body->len, op == OP_NONMINIMAL);
        g_byte_array_append(out, body->data, body->len);
    }
    g_byte_array_free(body, TRUE);
}

static void
free_tree(node_t *n)
{
    if (n->children) {
        for (guint i = 0; i < n->children->len; i++)
            free_tree((node_t *)g_ptr_array_index(n->children, i));
        g_ptr_array_free(n->children, TRUE);
    }
    g_free(n);
}

typedef gboolean (*compare_fn)(const guint8 *, size_t, gboolean);

static gboolean
walk_takes(compare_fn compare, const guint8 *der, size_t len)
{
    cisco_cert_info_t info;

    if (compare == compare_cert)
        return cisco_cert_parse_fast(der, len, scope, FALSE, &info);
    return cisco_spki_describe_fast(der, len, scope) != NULL;
}

static guint64 mutations;

static void
try_mutation(compare_fn compare, const guint8 *der, size_t len)
{
    mutations++;
    compare(der, len, FALSE);
    if ((mutations & 0xfff) == 0)
        wmem_free_all(scope);
}

static void
mutate(compare_fn compare, const guint8 *der, size_t len)
{
    static const guint8 xors[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff };
    static const guint8 values[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x14, 0x16, 0x17,
                                     0x18, 0x1e, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xa0,
                                     0xa1, 0xa2, 0xa3, ' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\',
                                     '0', '9', 'A', 'Z', '_' };
    static const guint8 tags[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x14, 0x16, 0x17, 0x18,
                                   0x1e, 0x30, 0x31, 0xa0, 0xa1, 0xa2, 0xa3 };
    guint8 *buf = (guint8 *)g_malloc(len + 1);
    node_t *root;
    size_t used;
    int ids = 0;

    /* every truncation, and one octet more */
    for (size_t n = 0; n < len; n++)
        try_mutation(compare, der, n);
    memcpy(buf, der, len);
    buf[len] = 0;
    try_mutation(compare, buf, len + 1);
    /* every position: bit flips and interesting values.  Where the walk does
     * not look (signature, key and extension octets: it takes the
     * certificate whatever the octet), GnuTLS is asked about every 16th
     * position only: each costs two full imports. */
    size_t opaque = 0;
    for (size_t i = 0; i < len; i++) {
        static const guint8 probes[] = { 0x00, ',', 0x80 };
        gboolean looks = FALSE;
        for (size_t k = 0; k < G_N_ELEMENTS(probes) && !looks; k++) {
            buf[i] = probes[k] == 0x80 ? der[i] ^ 0x80 : probes[k];
            looks = buf[i] == der[i] || !walk_takes(compare, buf, len);
        }
        buf[i] = der[i];
        if (!looks && opaque++ % 16 != 0)
            continue;
        for (size_t k = 0; k < G_N_ELEMENTS(xors); k++) {
            buf[i] = der[i] ^ xors[k];
            try_mutation(compare, buf, len);
        }
        for (size_t k = 0; k < G_N_ELEMENTS(values); k++) {
            if (values[k] == der[i])
                continue;
            buf[i] = values[k];
            try_mutation(compare, buf, len);
        }
        buf[i] = der[i];
    }
    g_free(buf);

    /* per element, with the enclosing lengths fixed up */
    root = parse_tree(der, len, &used, &ids, 0);
    if (!root)
        return;
    for (int target = 0; target < ids; target++) {
        for (int op = OP_DELETE; op < OP_COUNT; op++) {
            size_t ntags = op == OP_TAG ? G_N_ELEMENTS(tags) : 1;
            for (size_t t = 0; t < ntags; t++) {
                mutation_t m = { target, op, tags[t] };
                GByteArray *out = g_byte_array_new();
                serialize(root, out, &m);
                try_mutation(compare, out->data, out->len);
                g_byte_array_free(out, TRUE);
            }
        }
    }
    free_tree(root);
}

/* ---- collecting the test data ---- */

static GPtrArray *certs, *keys;   /* GBytes, unique, in the order found */
static GHashTable *seen;

static void
keep(GPtrArray *list, const guint8 *der, size_t len, char kind)
{
    guint8 sha1[CISCO_SHA1_LEN + 1];

    cisco_sha1(der, len, sha1);
    sha1[CISCO_SHA1_LEN] = (guint8)kind;
    GBytes *key = g_bytes_new(sha1, sizeof(sha1));
    if (g_hash_table_contains(seen, key)) {
        g_bytes_unref(key);
        return;
    }
    g_hash_table_add(seen, key);
    g_ptr_array_add(list, g_bytes_new(der, len));
}

/* Every DER SEQUENCE starting with a SEQUENCE, at every offset. */
static void
scan(const guint8 *data, size_t size)
{
    for (size_t off = 0; off + 2 < size; off++) {
        size_t hdr, len;
        if (data[off] != 0x30 || !read_header(data + off, size - off, &hdr, &len) || len < 16 ||
            data[off + hdr] != 0x30)
            continue;
        if (compare_cert(data + off, hdr + len, TRUE))
            keep(certs, data + off, hdr + len, 'c');
        if (compare_key(data + off, hdr + len, TRUE))
            keep(keys, data + off, hdr + len, 'k');
    }
    wmem_free_all(scope);
}

static void
scan_file(const char *path)
{
    gchar *data;
    gsize size;
    GError *err = NULL;

    if (!g_file_get_contents(path, &data, &size, &err)) {
        fprintf(stderr, "test-cert-parity: %s\n", err->message);
        exit(2);
    }
    if (g_str_has_suffix(path, ".pem")) {
        const char *p = data;
        while ((p = strstr(p, "-----BEGIN ")) != NULL) {
            const char *end = strstr(p, "-----END ");
            if (!end)
                break;
            end = strchr(end + 9, '\n');
            end = end ? end + 1 : data + size;
            gnutls_datum_t pem = { (unsigned char *)p, (unsigned int)(end - p) }, der = { NULL, 0 };
            if (gnutls_pem_base64_decode2(NULL, &pem, &der) == 0) {
                scan(der.data, der.size);
                gnutls_free(der.data);
            }
            p = end;
        }
    } else {
        scan((const guint8 *)data, size);
    }
    g_free(data);
}

int
main(int argc, char **argv)
{
    counts_t found_certs, found_keys;

    if (argc < 2) {
        fprintf(stderr, "usage: test-cert-parity FILE...\n");
        return 2;
    }
    scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    certs = g_ptr_array_new();
    keys = g_ptr_array_new();
    seen = g_hash_table_new(g_bytes_hash, g_bytes_equal);
    for (int i = 1; i < argc; i++)
        scan_file(argv[i]);
    found_certs = cert_counts;
    found_keys = key_counts;

    guint fast_certs = 0, fast_keys = 0;
    for (guint i = 0; i < certs->len; i++) {
        gsize len;
        const guint8 *der = (const guint8 *)g_bytes_get_data((GBytes *)g_ptr_array_index(certs, i), &len);
        cisco_cert_info_t info;
        if (cisco_cert_parse_fast(der, len, scope, TRUE, &info))
            fast_certs++;
    }
    for (guint i = 0; i < keys->len; i++) {
        gsize len;
        const guint8 *der = (const guint8 *)g_bytes_get_data((GBytes *)g_ptr_array_index(keys, i), &len);
        if (cisco_spki_describe_fast(der, len, scope))
            fast_keys++;
    }
    printf("found: %u distinct certificates GnuTLS imports (%u taken by the walk), "
           "%u distinct public keys (%u taken by the walk)\n", certs->len, fast_certs, keys->len, fast_keys);
    printf("scan: %" G_GUINT64_FORMAT " certificate comparisons, %" G_GUINT64_FORMAT " by the walk, "
           "%" G_GUINT64_FORMAT " disagreements; %" G_GUINT64_FORMAT " key comparisons, %" G_GUINT64_FORMAT
           " by the walk, %" G_GUINT64_FORMAT " disagreements\n",
           found_certs.inputs, found_certs.fast, found_certs.disagreements,
           found_keys.inputs, found_keys.fast, found_keys.disagreements);

    for (guint i = 0; i < certs->len; i++) {
        gsize len;
        const guint8 *der = (const guint8 *)g_bytes_get_data((GBytes *)g_ptr_array_index(certs, i), &len);
        mutate(compare_cert, der, len);
    }
    for (guint i = 0; i < keys->len; i++) {
        gsize len;
        const guint8 *der = (const guint8 *)g_bytes_get_data((GBytes *)g_ptr_array_index(keys, i), &len);
        mutate(compare_key, der, len);
    }
    printf("mutations: %" G_GUINT64_FORMAT "; certificates: %" G_GUINT64_FORMAT " comparisons (two modes), "
           "%" G_GUINT64_FORMAT " taken by the walk, %" G_GUINT64_FORMAT " disagreements; keys: %"
           G_GUINT64_FORMAT " comparisons, %" G_GUINT64_FORMAT " taken by the walk, %" G_GUINT64_FORMAT
           " disagreements\n", mutations,
           cert_counts.inputs - found_certs.inputs, cert_counts.fast - found_certs.fast,
           cert_counts.disagreements - found_certs.disagreements,
           key_counts.inputs - found_keys.inputs, key_counts.fast - found_keys.fast,
           key_counts.disagreements - found_keys.disagreements);

    wmem_destroy_allocator(scope);
    if (cert_counts.disagreements || key_counts.disagreements) {
        printf("FAIL: %" G_GUINT64_FORMAT " disagreements\n", cert_counts.disagreements + key_counts.disagreements);
        return 1;
    }
    if (fast_certs == 0 || fast_keys == 0) {
        printf("FAIL: the walk takes none of the certificates or keys found: nothing was compared\n");
        return 1;
    }
    printf("PASS\n");
    return 0;
}
