/* cisco-trust.c
 * CAPF records of the trust lists seen in the capture (see cisco-trust.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-trust.h"

static wmem_list_t *trust_lists;

void
cisco_trust_reset(void)
{
    trust_lists = wmem_list_new(wmem_file_scope());
}

cisco_trust_list_t *
cisco_trust_add_list(guint32 frame, const address *phone, const char *name)
{
    cisco_trust_list_t *list = wmem_new0(wmem_file_scope(), cisco_trust_list_t);

    list->frame = frame;
    copy_address_wmem(wmem_file_scope(), &list->phone, phone);
    list->name = wmem_strdup(wmem_file_scope(), name ? name : "trust list");
    list->capf = wmem_array_new(wmem_file_scope(), sizeof(cisco_capf_record_t));
    wmem_list_append(trust_lists, list);
    return list;
}

void
cisco_trust_add_capf(cisco_trust_list_t *list, const cisco_capf_record_t *rec)
{
    wmem_array_append_one(list->capf, *rec);
}

const cisco_trust_list_t *
cisco_trust_latest(guint32 frame, const address *phone)
{
    const cisco_trust_list_t *any = NULL, *same = NULL;

    if (!trust_lists)
        return NULL;
    for (wmem_list_frame_t *f = wmem_list_head(trust_lists); f; f = wmem_list_frame_next(f)) {
        const cisco_trust_list_t *list = (const cisco_trust_list_t *)wmem_list_frame_data(f);
        if (list->frame >= frame || wmem_array_get_count(list->capf) == 0)
            continue;
        any = list;
        if (addresses_equal(&list->phone, phone))
            same = list;
    }
    return same ? same : any;
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
