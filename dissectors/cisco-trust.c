/* cisco-trust.c
 * CAPF records of the trust lists seen in the capture (see cisco-trust.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-trust.h"

#include <string.h>

#include <epan/packet.h>

static wmem_list_t *trust_lists;        /* every list, in the order added (frame order) */
static wmem_map_t *trust_lists_by_phone; /* address -> wmem_list_t of that phone's lists, same order */

static guint
trust_address_hash(gconstpointer key)
{
    return add_address_to_hash(0, (const address *)key);
}

static gboolean
trust_address_equal(gconstpointer a, gconstpointer b)
{
    return addresses_equal((const address *)a, (const address *)b);
}

/* The SHA-1 of the last certificate cisco_trust_matches() checked (file
 * scope): every phone of a cluster is shown the same CAPF certificate. */
static guint8 *last_der;
static size_t last_len, last_size;
static guint8 last_sha1[CISCO_SHA1_LEN];

/* Forget everything: a new capture file, or the same one dissected again. */
static void
cisco_trust_init(void)
{
    last_der = NULL;
    last_len = last_size = 0;
    trust_lists = wmem_list_new(wmem_file_scope());
    trust_lists_by_phone = wmem_map_new(wmem_file_scope(), trust_address_hash, trust_address_equal);
}

void
cisco_trust_register(void)
{
    static gboolean registered;

    if (!registered)
        register_init_routine(cisco_trust_init);
    registered = TRUE;
}

cisco_trust_list_t *
cisco_trust_add_list(guint32 frame, const address *phone, const char *name)
{
    cisco_trust_list_t *list = wmem_new0(wmem_file_scope(), cisco_trust_list_t);
    wmem_list_t *phone_lists;

    list->frame = frame;
    copy_address_wmem(wmem_file_scope(), &list->phone, phone);
    list->name = wmem_strdup(wmem_file_scope(), name ? name : "trust list");
    list->capf = wmem_array_new(wmem_file_scope(), sizeof(cisco_capf_record_t));
    list->certs = wmem_array_new(wmem_file_scope(), sizeof(cisco_trust_cert_t));
    wmem_list_append(trust_lists, list);
    phone_lists = (wmem_list_t *)wmem_map_lookup(trust_lists_by_phone, &list->phone);
    if (!phone_lists) {
        phone_lists = wmem_list_new(wmem_file_scope());
        wmem_map_insert(trust_lists_by_phone, &list->phone, phone_lists);
    }
    wmem_list_append(phone_lists, list);
    return list;
}

void
cisco_trust_add_capf(cisco_trust_list_t *list, const cisco_capf_record_t *rec)
{
    wmem_array_append_one(list->capf, *rec);
}

void
cisco_trust_add_cert(cisco_trust_list_t *list, const cisco_trust_cert_t *cert)
{
    cisco_trust_cert_t c = *cert;
    wmem_allocator_t *scope = wmem_file_scope();

    c.subject = c.subject ? wmem_strdup(scope, c.subject) : NULL;
    c.issuer = c.issuer ? wmem_strdup(scope, c.issuer) : NULL;
    c.serial = c.serial_len ? (const guint8 *)wmem_memdup(scope, c.serial, c.serial_len) : NULL;
    c.cert = c.cert_len ? (const guint8 *)wmem_memdup(scope, c.cert, c.cert_len) : NULL;
    c.pkcs1 = c.pkcs1_len ? (const guint8 *)wmem_memdup(scope, c.pkcs1, c.pkcs1_len) : NULL;
    wmem_array_append_one(list->certs, c);
}

/* The last list of `lists` before `frame` that has CAPF records. */
static const cisco_trust_list_t *
trust_latest_in(wmem_list_t *lists, guint32 frame)
{
    for (wmem_list_frame_t *f = lists ? wmem_list_tail(lists) : NULL; f; f = wmem_list_frame_prev(f)) {
        const cisco_trust_list_t *list = (const cisco_trust_list_t *)wmem_list_frame_data(f);
        if (list->frame < frame && wmem_array_get_count(list->capf) > 0)
            return list;
    }
    return NULL;
}

const cisco_trust_list_t *
cisco_trust_latest(guint32 frame, const address *phone)
{
    const cisco_trust_list_t *same;

    if (!trust_lists)
        return NULL;
    /* Searched from the end: in the first pass the newest list qualifies at
     * once (a whole fleet's trust lists would otherwise be walked for every
     * CAPF connection). */
    same = trust_latest_in(wmem_map_lookup(trust_lists_by_phone, phone), frame);
    return same ? same : trust_latest_in(trust_lists, frame);
}

gboolean
cisco_trust_matches(const cisco_trust_list_t *list, const guint8 *der, size_t len)
{
    guint8 sha1[CISCO_SHA1_LEN], digest[64];

    if (last_der && len == last_len && memcmp(der, last_der, len) == 0) {
        memcpy(sha1, last_sha1, sizeof(sha1));
    } else {
        cisco_sha1(der, len, sha1);
        if (len > last_size) {
            last_der = (guint8 *)wmem_realloc(wmem_file_scope(), last_der, len);
            last_size = len;
        }
        memcpy(last_der, der, len);
        last_len = len;
        memcpy(last_sha1, sha1, sizeof(sha1));
    }
    for (guint i = 0; i < wmem_array_get_count(list->capf); i++) {
        const cisco_capf_record_t *rec = (const cisco_capf_record_t *)wmem_array_index(list->capf, i);
        if (rec->have_cert && memcmp(rec->cert_sha1, sha1, sizeof(sha1)) == 0)
            return TRUE;
        if (!rec->have_cert && rec->hash_len && cisco_hash(rec->hash_id, der, len, digest) &&
            cisco_hash_len(rec->hash_id) == rec->hash_len && memcmp(rec->hash, digest, rec->hash_len) == 0)
            return TRUE;
    }
    return FALSE;
}

const char *
cisco_trust_describe(const cisco_trust_list_t *list, wmem_allocator_t *scope)
{
    const cisco_capf_record_t *rec = (const cisco_capf_record_t *)wmem_array_index(list->capf, 0);

    if (rec->have_cert)
        return wmem_strdup_printf(scope, "certificate SHA-1 %s", cisco_hex(scope, rec->cert_sha1, CISCO_SHA1_LEN, 0, FALSE));
    return wmem_strdup_printf(scope, "stored certificate hash %s", cisco_hex(scope, rec->hash, rec->hash_len, 0, FALSE));
}

/* The last list of `lists` before `frame`, of any kind. */
static const cisco_trust_list_t *
trust_latest_any_in(wmem_list_t *lists, guint32 frame)
{
    for (wmem_list_frame_t *f = lists ? wmem_list_tail(lists) : NULL; f; f = wmem_list_frame_prev(f)) {
        const cisco_trust_list_t *list = (const cisco_trust_list_t *)wmem_list_frame_data(f);
        if (list->frame < frame)
            return list;
    }
    return NULL;
}

const cisco_trust_list_t *
cisco_trust_latest_any(guint32 frame, const address *phone, gboolean *same_phone)
{
    const cisco_trust_list_t *list;

    if (same_phone)
        *same_phone = FALSE;
    if (!trust_lists)
        return NULL;
    list = trust_latest_any_in(wmem_map_lookup(trust_lists_by_phone, phone), frame);
    if (list) {
        if (same_phone)
            *same_phone = TRUE;
        return list;
    }
    return trust_latest_any_in(trust_lists, frame);
}

/* The lists a check about `phone` looks at: that phone's, when it received
 * one before `frame`, else every list of the capture. */
static wmem_list_t *
trust_lists_for(guint32 frame, const address *phone)
{
    wmem_list_t *mine;

    if (!trust_lists)
        return NULL;
    mine = (wmem_list_t *)wmem_map_lookup(trust_lists_by_phone, phone);
    return trust_latest_any_in(mine, frame) ? mine : trust_lists;
}

gint
cisco_trust_has_capf(guint32 frame, const address *phone, const cisco_trust_list_t **latest)
{
    wmem_list_t *lists = trust_lists_for(frame, phone);

    *latest = trust_latest_any_in(lists, frame);
    if (!*latest)
        return -1;
    return trust_latest_in(lists, frame) ? 1 : 0;
}

/* A distinguished name as a sorted, space-trimmed list of its attributes,
 * whichever separator (',' as RFC 4514, ';' as CUCM prints names) and order
 * it was written with. */
static gint
trust_cmp_part(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
trust_dn_key(const char *dn)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    GString *out = g_string_new(NULL);

    for (const char *p = dn;; p++) {
        if (*p == '\\' && p[1]) {
            g_string_append_c(cur, *p);
            g_string_append_c(cur, *++p);
            continue;
        }
        if (*p == ',' || *p == ';' || *p == '\0') {
            char *part = g_strstrip(g_strdup(cur->str));
            if (*part)
                g_ptr_array_add(parts, part);
            else
                g_free(part);
            g_string_truncate(cur, 0);
            if (!*p)
                break;
            continue;
        }
        g_string_append_c(cur, *p);
    }
    g_ptr_array_sort(parts, trust_cmp_part);
    for (guint i = 0; i < parts->len; i++) {
        if (i)
            g_string_append_c(out, ',');
        g_string_append(out, (const char *)g_ptr_array_index(parts, i));
    }
    g_ptr_array_free(parts, TRUE);
    g_string_free(cur, TRUE);
    return g_string_free(out, FALSE);
}

static gboolean
trust_same_dn(const char *a, const char *b)
{
    char *ka, *kb;
    gboolean same;

    if (!a || !*a || !b || !*b)
        return TRUE;            /* one side does not say: the serial decides */
    ka = trust_dn_key(a);
    kb = trust_dn_key(b);
    same = g_ascii_strcasecmp(ka, kb) == 0;
    g_free(ka);
    g_free(kb);
    return same;
}

static const cisco_trust_cert_t *
trust_find_in(const cisco_trust_list_t *list, const guint8 *serial, size_t serial_len, const char *issuer)
{
    for (guint i = 0; i < wmem_array_get_count(list->certs); i++) {
        const cisco_trust_cert_t *c = (const cisco_trust_cert_t *)wmem_array_index(list->certs, i);
        if (c->serial_len == serial_len && memcmp(c->serial, serial, serial_len) == 0 &&
            trust_same_dn(c->issuer, issuer))
            return c;
    }
    return NULL;
}

const cisco_trust_cert_t *
cisco_trust_find_signer(guint32 frame, const address *phone, const guint8 *serial, size_t serial_len,
                        const char *issuer, const cisco_trust_list_t **list)
{
    wmem_list_t *lists = trust_lists_for(frame, phone);

    *list = trust_latest_any_in(lists, frame);
    if (!*list || !serial_len)
        return NULL;
    for (wmem_list_frame_t *f = wmem_list_tail(lists); f; f = wmem_list_frame_prev(f)) {
        const cisco_trust_list_t *l = (const cisco_trust_list_t *)wmem_list_frame_data(f);
        const cisco_trust_cert_t *c;

        if (l->frame >= frame)
            continue;
        c = trust_find_in(l, serial, serial_len, issuer);
        if (c) {
            *list = l;
            return c;
        }
    }
    return NULL;
}
