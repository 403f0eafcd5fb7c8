/* cisco-config.c
 * The CAPF part of the phone configurations seen in the capture (see
 * cisco-config.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "cisco-config.h"

#include <string.h>

#include <epan/address_types.h>
#include <epan/to_str.h>
#include <wsutil/inet_addr.h>

#include "capf-int.h"

#define CISCO_CONFIG_CAPF_PORT 3804

static wmem_map_t *configs_by_phone;   /* address -> wmem_list_t of cisco_config_t, frame order */

static guint
config_address_hash(gconstpointer key)
{
    return add_address_to_hash(0, (const address *)key);
}

static gboolean
config_address_equal(gconstpointer a, gconstpointer b)
{
    return addresses_equal((const address *)a, (const address *)b);
}

/* Forget everything: a new capture file, or the same one dissected again. */
static void
cisco_config_init(void)
{
    configs_by_phone = wmem_map_new(wmem_file_scope(), config_address_hash, config_address_equal);
}

void
cisco_config_register(void)
{
    static gboolean registered;

    if (!registered)
        register_init_routine(cisco_config_init);
    registered = TRUE;
}

cisco_config_t *
cisco_config_add(guint32 frame, const address *phone, const char *device, gint capf_auth_mode)
{
    cisco_config_t *config = wmem_new0(wmem_file_scope(), cisco_config_t);
    wmem_list_t *list;

    config->frame = frame;
    copy_address_wmem(wmem_file_scope(), &config->phone, phone);
    config->device = device ? wmem_strdup(wmem_file_scope(), device) : NULL;
    config->capf_auth_mode = capf_auth_mode;
    config->capf = wmem_array_new(wmem_file_scope(), sizeof(cisco_config_capf_t));
    list = (wmem_list_t *)wmem_map_lookup(configs_by_phone, &config->phone);
    if (!list) {
        list = wmem_list_new(wmem_file_scope());
        wmem_map_insert(configs_by_phone, &config->phone, list);
    }
    wmem_list_append(list, config);
    return config;
}

void
cisco_config_add_capf(cisco_config_t *config, const char *server, guint32 port)
{
    cisco_config_capf_t entry;

    entry.server = server && *server ? wmem_strdup(wmem_file_scope(), server) : NULL;
    entry.port = port;
    wmem_array_append_one(config->capf, entry);
}

const cisco_config_t *
cisco_config_latest(guint32 frame, const address *phone)
{
    wmem_list_t *list = configs_by_phone ? (wmem_list_t *)wmem_map_lookup(configs_by_phone, phone) : NULL;

    for (wmem_list_frame_t *f = list ? wmem_list_tail(list) : NULL; f; f = wmem_list_frame_prev(f)) {
        const cisco_config_t *config = (const cisco_config_t *)wmem_list_frame_data(f);
        if (config->frame < frame)
            return config;
    }
    return NULL;
}

/* Is `server` (processNodeName) the address `addr`?  A host name cannot be
 * told here (no name resolution): it counts as a match. */
static gboolean
config_server_matches(const char *server, const address *addr)
{
    ws_in4_addr v4;
    ws_in6_addr v6;

    if (!server)
        return TRUE;
    if (addr->type == AT_IPv4 && ws_inet_pton4(server, &v4))
        return memcmp(&v4, addr->data, 4) == 0;
    if (addr->type == AT_IPv6 && ws_inet_pton6(server, &v6))
        return memcmp(&v6, addr->data, 16) == 0;
    /* an IP address of the other family, or a host name */
    return !ws_inet_pton4(server, &v4) && !ws_inet_pton6(server, &v6);
}

void
cisco_config_check_capf_connection(packet_info *pinfo, guint32 capf_port, struct capf_verdict **out)
{
    const cisco_config_t *config = cisco_config_latest(pinfo->num, &pinfo->src);
    GString *listed;
    capf_verdict_t *v;
    guint n;

    if (!config || !(n = wmem_array_get_count(config->capf)))
        return;
    for (guint i = 0; i < n; i++) {
        const cisco_config_capf_t *e = (const cisco_config_capf_t *)wmem_array_index(config->capf, i);
        if ((e->port ? e->port : CISCO_CONFIG_CAPF_PORT) == capf_port && config_server_matches(e->server, &pinfo->dst))
            return;
    }
    listed = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        const cisco_config_capf_t *e = (const cisco_config_capf_t *)wmem_array_index(config->capf, i);
        g_string_append_printf(listed, "%s%s:%u", i ? ", " : "", e->server ? e->server : "(any server)",
                               e->port ? e->port : CISCO_CONFIG_CAPF_PORT);
    }
    v = capf_add_verdict(out, &ei_cnf_capf_server_unlisted,
                         "The phone connects to CAPF at %s:%u, which its configuration's capfList does not list",
                         address_to_str(pinfo->pool, &pinfo->dst), capf_port);
    v->detail = wmem_strdup_printf(wmem_file_scope(), "capfList of %s: %s",
                                   config->device ? config->device : "the phone's configuration", listed->str);
    v->frames[0] = config->frame;
    g_string_free(listed, TRUE);
}
