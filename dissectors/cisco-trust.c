/* cisco-trust.c
 * CAPF records of the trust lists seen in the capture (see cisco-trust.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-trust.h"

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

/* Forget everything: a new capture file, or the same one dissected again. */
static void
cisco_trust_init(void)
{
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

    cisco_sha1(der, len, sha1);
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
