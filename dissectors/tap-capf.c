/* tap-capf.c
 * CAPF reports on the "capf" tap:
 *   tshark -q -z capf,phones   one row per phone: sessions, last operation and
 *                              outcome, authentication, key, certificate serial
 *   tshark -q -z capf,tree     statistics tree (commands, reasons, outcomes,
 *                              verdicts, and per phone the story: trust list,
 *                              configuration, CAPF outcome and verdicts, TVS
 *                              answers), also Statistics > CAPF Enrollment in
 *                              the GUI
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <wireshark.h>
#include <epan/address.h>
#include <epan/to_str.h>
#include <epan/packet_info.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/stats_tree_priv.h>   /* stats_tree.cfg->pr */
#include <epan/tap.h>

#include <stdio.h>
#include <string.h>

#include "cisco-dissect.h"
#include "tap-cisco.h"
#include "ws-compat.h"
#include "capf-int.h"

/*** The producer: what the CAPF dissector gives the "capf" tap ***/

static int capf_tap = -1;

void
capf_tap_register(void)
{
    capf_tap = register_tap("capf");
}

/* Give the taps ("capf": -z capf,phones, -z capf,tree) a message or a
 * connection event with the session as it stands after it. */
void
capf_queue_tap(packet_info *pinfo, const capf_conv_t *cc, const capf_session_t *s, gint cmd, gint reason,
               const capf_verdict_t *verdicts, gint settled, gboolean syn_unanswered)
{
    capf_tap_info_t *ti;
    gboolean from_server;

    if (!have_tap_listener(capf_tap))
        return;
    ti = wmem_new0(pinfo->pool, capf_tap_info_t);
    from_server = capf_is_capf_port(pinfo->srcport);
    ti->stream = cc->stream;
    copy_address_shallow(&ti->client, from_server ? &pinfo->dst : &pinfo->src);
    if (cmd >= 0)
        ti->command = WSC_VAL_TO_STR_EXT(pinfo->pool, cmd, &capf_command_vals_ext, "Unknown command %u");
    if (reason != CAPF_UNKNOWN)
        ti->reason = WSC_VAL_TO_STR(pinfo->pool, reason, capf_reason_vals, "Unknown reason %d");
    ti->device_name = s->device_name;
    if (s->auth_type != CAPF_UNKNOWN)
        ti->auth_type = WSC_VAL_TO_STR(pinfo->pool, s->auth_type, capf_auth_type_vals, "Unknown (%d)");
    if (s->operation != CAPF_UNKNOWN)
        ti->operation = val_to_str_const(s->operation, capf_operation_vals, "?");
    ti->key = s->key;
    ti->outcome = val_to_str_const(s->outcome, capf_outcome_vals, "?");
    ti->failure = s->failure;
    ti->serial = s->serial;
    if (settled >= 0)
        ti->settled = val_to_str_const(settled, capf_outcome_vals, "?");
    for (; verdicts && ti->n_verdicts < CAPF_TAP_MAX_VERDICTS; verdicts = verdicts->next)
        ti->verdicts[ti->n_verdicts++] = capf_verdict_name(verdicts->ei);
    if (syn_unanswered && ti->n_verdicts < CAPF_TAP_MAX_VERDICTS)
        ti->verdicts[ti->n_verdicts++] = "connection_failed";
    tap_queue_packet(capf_tap, pinfo, ti);
}


/*** The reports on it: -z capf,phones and -z capf,tree ***/

/*** -z capf,phones ***/

/* One TCP connection to CAPF, as its last event left it. */
typedef struct {
    address client;
    char *device;
    char *auth_type;
    char *operation;
    char *key;
    char *outcome;
    char *serial;
    char *first_verdict;        /* the connection's first verdict, NULL */
    guint32 first_frame;
    guint32 last_frame;
} capf_stream_t;

/* The last file of a kind a phone (client address) received: its trust list
 * (ITL/CTL) or its signed configuration (SEP<MAC>.cnf.xml.sgn), as
 * "<name> (<signer>, <signature status>)". */
typedef struct {
    address phone;
    guint32 frame;
    char *text;                 /* NULL until the file's own tap said it */
    gint capf_auth_mode;        /* configurations: -1 when absent or not known */
    char *device;               /* configurations: SEP<MAC>, NULL */
} capf_file_seen_t;

/* A row: the connections of one device, or of one client address when the
 * phone never named itself (refused, TLS failure). */
typedef struct {
    const char *device;         /* NULL: a client row */
    const address *client;
    guint sessions;
    const capf_stream_t *last;  /* the connection with the latest event */
    const char *serial;         /* of the latest connection that had one */
    guint32 serial_frame;
    const char *first_verdict;  /* of the earliest connection that had one */
    guint32 verdict_frame;
    guint32 first_frame;
    guint32 last_frame;
} capf_phone_row_t;

typedef struct {
    GHashTable *streams;        /* stream index -> capf_stream_t */
    GHashTable *trust_lists;    /* client address text -> capf_file_seen_t */
    GHashTable *configs;        /* client address text -> capf_file_seen_t */
    /* The report listens to three taps, "capf" with this structure as its
     * data, "itl" with &itl_key, "cnf" with &cnf_key and "tvs" with
     * &tvs_key (a listener is known
     * by its data); each listener's finish routine drops one reference. */
    char itl_key;
    char cnf_key;
    char tvs_key;
    GHashTable *tvs;            /* client address text -> capf_tvs_seen_t */
    guint refs;
} capf_phones_t;

#define CAPF_PHONES_OF_ITL_KEY(p) ((capf_phones_t *)(void *)((char *)(p) - offsetof(capf_phones_t, itl_key)))
#define CAPF_PHONES_OF_TVS_KEY(p) ((capf_phones_t *)(void *)((char *)(p) - offsetof(capf_phones_t, tvs_key)))
#define CAPF_PHONES_OF_CNF_KEY(p) ((capf_phones_t *)(void *)((char *)(p) - offsetof(capf_phones_t, cnf_key)))

static void
capf_stream_free(gpointer p)
{
    capf_stream_t *s = (capf_stream_t *)p;

    free_address(&s->client);
    g_free(s->device);
    g_free(s->auth_type);
    g_free(s->operation);
    g_free(s->key);
    g_free(s->outcome);
    g_free(s->serial);
    g_free(s->first_verdict);
    g_free(s);
}

static void
capf_file_seen_free(gpointer p)
{
    capf_file_seen_t *f = (capf_file_seen_t *)p;

    free_address(&f->phone);
    g_free(f->text);
    g_free(f->device);
    g_free(f);
}

static void
capf_set(char **field, const char *value)
{
    if (!value)
        return;
    g_free(*field);
    *field = g_strdup(value);
}

static void
capf_phones_reset(void *p)
{
    capf_phones_t *tap = (capf_phones_t *)p;

    g_hash_table_remove_all(tap->streams);
    g_hash_table_remove_all(tap->trust_lists);
    g_hash_table_remove_all(tap->configs);
    g_hash_table_remove_all(tap->tvs);
}

/* The CN attribute of a distinguished name ("CN=a;OU=b", "C=x,CN=a"), as
 * "CN=a", or the whole name when it has none: a signer as the report shows
 * it (g_free the result). */
static char *
capf_common_name(const char *dn)
{
    const char *p;

    if (!dn || !*dn)
        return g_strdup("no signer");
    for (p = dn; p; p = strpbrk(p, ";,"), p = p ? p + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, "CN=", 3) == 0)
            return g_strndup(p, strcspn(p, ";,"));
    }
    return g_strdup(dn);
}

/* The entry of the frame's destination (the phone) in `table`, made afresh
 * for a later frame than the one it holds; NULL for an earlier frame. */
static capf_file_seen_t *
capf_file_seen(GHashTable *table, packet_info *pinfo)
{
    char *addr = address_to_str(NULL, &pinfo->dst);
    capf_file_seen_t *seen = (capf_file_seen_t *)g_hash_table_lookup(table, addr);

    if (seen && seen->frame > pinfo->num) {
        wmem_free(NULL, addr);
        return NULL;
    }
    if (!seen) {
        seen = g_new0(capf_file_seen_t, 1);
        copy_address(&seen->phone, &pinfo->dst);
        g_hash_table_insert(table, g_strdup(addr), seen);
    }
    wmem_free(NULL, addr);
    if (seen->frame != pinfo->num) {
        seen->frame = pinfo->num;
        g_free(seen->text);
        seen->text = NULL;
        seen->capf_auth_mode = -1;
        g_free(seen->device);
        seen->device = NULL;
    }
    return seen;
}

/* The "cnf" tap: a configuration received by the frame's destination; a
 * .sgn's signature comes from the "itl" tap of the same frame. */
static tap_packet_status
capf_phones_cnf_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
                       tap_flags_t flags _U_)
{
    capf_phones_t *tap = CAPF_PHONES_OF_CNF_KEY(p);
    const cnf_tap_info_t *ti = (const cnf_tap_info_t *)data;
    capf_file_seen_t *seen = capf_file_seen(tap->configs, pinfo);

    if (!seen)
        return TAP_PACKET_DONT_REDRAW;
    seen->capf_auth_mode = ti->capf_auth_mode;
    g_free(seen->device);
    seen->device = g_strdup(ti->device);
    if (!ti->in_sgn) {
        g_free(seen->text);
        seen->text = g_strdup_printf("%s (unsigned)", ti->name ? ti->name : "cnf.xml");
    }
    return TAP_PACKET_REDRAW;
}

/* The TVS answers a phone (client address) received. */
typedef struct {
    address phone;
    guint32 first_frame, last_frame;
    guint valid, invalid;
    char *last_refused;         /* CN of the last certificate TVS did not vouch for */
} capf_tvs_seen_t;

static void
capf_tvs_seen_free(gpointer p)
{
    capf_tvs_seen_t *t = (capf_tvs_seen_t *)p;

    free_address(&t->phone);
    g_free(t->last_refused);
    g_free(t);
}

static tap_packet_status
capf_phones_tvs_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
                       tap_flags_t flags _U_)
{
    capf_phones_t *tap = CAPF_PHONES_OF_TVS_KEY(p);
    const tvs_tap_info_t *ti = (const tvs_tap_info_t *)data;
    char *addr = address_to_str(NULL, &pinfo->dst);
    capf_tvs_seen_t *t = (capf_tvs_seen_t *)g_hash_table_lookup(tap->tvs, addr);

    if (!t) {
        t = g_new0(capf_tvs_seen_t, 1);
        copy_address(&t->phone, &pinfo->dst);
        t->first_frame = pinfo->num;
        g_hash_table_insert(tap->tvs, g_strdup(addr), t);
    }
    wmem_free(NULL, addr);
    t->first_frame = MIN(t->first_frame, pinfo->num);
    t->last_frame = MAX(t->last_frame, pinfo->num);
    if (ti->valid) {
        t->valid++;
    } else {
        t->invalid++;
        g_free(t->last_refused);
        t->last_refused = ti->cert_name ? g_strdup_printf("CN=%s", ti->cert_name) : NULL;
    }
    return TAP_PACKET_REDRAW;
}

/* What the TVS column shows (g_free it): "1 valid, 1 invalid (CN=x)". */
static char *
capf_tvs_text(const capf_tvs_seen_t *t)
{
    if (!t)
        return g_strdup("-");
    if (!t->invalid)
        return g_strdup_printf("%u valid", t->valid);
    return g_strdup_printf("%u valid, %u invalid (last %s)", t->valid, t->invalid,
                           t->last_refused ? t->last_refused : "certificate not in the capture");
}

/* What the Configuration column shows (g_free it). */
static char *
capf_config_text(const capf_file_seen_t *config)
{
    if (!config)
        return g_strdup("-");
    if (config->capf_auth_mode < 0)
        return g_strdup(config->text ? config->text : "-");
    return g_strdup_printf("%s, capfAuthMode %d", config->text ? config->text : "cnf.xml",
                           config->capf_auth_mode);
}

/* The "itl" tap: a trust list or a signed file, received by the frame's
 * destination (TFTP DATA and HTTP responses go to the phone). */
static tap_packet_status
capf_phones_itl_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
                       tap_flags_t flags _U_)
{
    capf_phones_t *tap = CAPF_PHONES_OF_ITL_KEY(p);
    const itl_tap_info_t *ti = (const itl_tap_info_t *)data;
    const cisco_tlv_file_t *f = ti->file;
    const char *name = ti->name ? ti->name : (f->filename ? f->filename : "?");
    GHashTable *table;
    capf_file_seen_t *seen;

    if (!f->signed_file)
        table = tap->trust_lists;
    else if (g_str_has_suffix(name, ".cnf.xml.sgn"))
        table = tap->configs;
    else
        return TAP_PACKET_DONT_REDRAW;
    seen = capf_file_seen(table, pinfo);
    if (!seen)
        return TAP_PACKET_DONT_REDRAW;
    char *signer = capf_common_name(f->signer_name);
    g_free(seen->text);
    seen->text = g_strdup_printf("%s (%s, %s)", name, signer, ti->verdict);
    g_free(signer);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status
capf_phones_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data, tap_flags_t flags _U_)
{
    capf_phones_t *tap = (capf_phones_t *)p;
    const capf_tap_info_t *ti = (const capf_tap_info_t *)data;
    capf_stream_t *s = (capf_stream_t *)g_hash_table_lookup(tap->streams, GUINT_TO_POINTER(ti->stream));

    if (!s) {
        s = g_new0(capf_stream_t, 1);
        copy_address(&s->client, &ti->client);
        s->first_frame = pinfo->num;
        g_hash_table_insert(tap->streams, GUINT_TO_POINTER(ti->stream), s);
    }
    s->last_frame = MAX(s->last_frame, pinfo->num);
    s->first_frame = MIN(s->first_frame, pinfo->num);
    capf_set(&s->device, ti->device_name);
    capf_set(&s->auth_type, ti->auth_type);
    capf_set(&s->operation, ti->operation);
    capf_set(&s->key, ti->key);
    capf_set(&s->serial, ti->serial);
    if (!s->first_verdict && ti->n_verdicts)
        s->first_verdict = g_strdup(ti->verdicts[0]);
    g_free(s->outcome);
    s->outcome = ti->failure && strcmp(ti->outcome, "failed") == 0 ?
                 g_strdup_printf("failed: %s", ti->failure) : g_strdup(ti->outcome);
    return TAP_PACKET_REDRAW;
}

static gint
capf_row_cmp(gconstpointer a, gconstpointer b)
{
    const capf_phone_row_t *ra = *(const capf_phone_row_t *const *)a;
    const capf_phone_row_t *rb = *(const capf_phone_row_t *const *)b;

    if (ra->device && rb->device)
        return strcmp(ra->device, rb->device);
    if (ra->device || rb->device)
        return ra->device ? -1 : 1;
    return cmp_address(ra->client, rb->client);
}

static const char *
dash(const char *s)
{
    return s && *s ? s : "-";
}

/* Columns separated by two spaces, each as wide as its widest cell. */
static void
capf_print_table(GPtrArray *cells, guint ncols)
{
    guint *width = g_new0(guint, ncols);
    guint i;

    for (i = 0; i < cells->len; i++) {
        guint len = (guint)strlen((const char *)g_ptr_array_index(cells, i));
        width[i % ncols] = MAX(width[i % ncols], len);
    }
    for (i = 0; i < cells->len; i++) {
        const char *cell = (const char *)g_ptr_array_index(cells, i);
        if (i % ncols == ncols - 1)
            printf("%s\n", cell);
        else
            printf("%-*s  ", (int)width[i % ncols], cell);
        if (i == ncols - 1) {
            /* a rule under the header */
            for (guint c = 0; c < ncols; c++) {
                for (guint k = 0; k < width[c]; k++)
                    putchar('-');
                fputs(c == ncols - 1 ? "\n" : "  ", stdout);
            }
        }
    }
    g_free(width);
}

static void
capf_free_wmem(gpointer p)
{
    wmem_free(NULL, p);
}

/* The row of a phone that made no CAPF connection, but received a trust list
 * or a configuration, or asked TVS: its story without CAPF ("never calls
 * CAPF").  Named by its configuration's device when there is one. */
static capf_stream_t capf_no_connection = { .outcome = (char *)"no CAPF connection" };

static void
capf_row_without_capf(GHashTable *rows, GPtrArray *sorted, GHashTable *covered, const char *addr,
                      const address *phone, const char *device, guint32 first, guint32 last)
{
    char *key;
    capf_phone_row_t *row;

    if (g_hash_table_contains(covered, addr))
        return;
    key = device ? g_strdup_printf("d:%s", device) : g_strdup_printf("c:%s", addr);
    row = (capf_phone_row_t *)g_hash_table_lookup(rows, key);
    if (!row) {
        row = g_new0(capf_phone_row_t, 1);
        row->device = device;
        row->client = phone;
        row->last = &capf_no_connection;
        row->first_frame = first;
        row->last_frame = last;
        g_hash_table_insert(rows, key, row);
        g_ptr_array_add(sorted, row);
        return;
    }
    g_free(key);
    if (row->last != &capf_no_connection)
        return;     /* a phone with CAPF sessions under that device name */
    row->first_frame = MIN(row->first_frame, first);
    row->last_frame = MAX(row->last_frame, last);
}

static void
capf_rows_without_capf(capf_phones_t *tap, GHashTable *rows, GPtrArray *sorted, GHashTable *covered)
{
    GHashTableIter iter;
    gpointer key, value;

    /* configurations first: they name the device */
    g_hash_table_iter_init(&iter, tap->configs);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const capf_file_seen_t *f = (const capf_file_seen_t *)value;
        capf_row_without_capf(rows, sorted, covered, (const char *)key, &f->phone, f->device, f->frame, f->frame);
    }
    g_hash_table_iter_init(&iter, tap->trust_lists);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const capf_file_seen_t *f = (const capf_file_seen_t *)value;
        const capf_file_seen_t *c = (const capf_file_seen_t *)g_hash_table_lookup(tap->configs, key);
        capf_row_without_capf(rows, sorted, covered, (const char *)key, &f->phone, c ? c->device : NULL, f->frame,
                              f->frame);
    }
    g_hash_table_iter_init(&iter, tap->tvs);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const capf_tvs_seen_t *t = (const capf_tvs_seen_t *)value;
        const capf_file_seen_t *c = (const capf_file_seen_t *)g_hash_table_lookup(tap->configs, key);
        capf_row_without_capf(rows, sorted, covered, (const char *)key, &t->phone, c ? c->device : NULL,
                              t->first_frame, t->last_frame);
    }
}

static void
capf_phones_draw(void *p)
{
    capf_phones_t *tap = (capf_phones_t *)p;
    GHashTable *rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GPtrArray *sorted = g_ptr_array_new();
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    GHashTable *covered = g_hash_table_new_full(g_str_hash, g_str_equal, capf_free_wmem, NULL);
    GHashTableIter iter;
    gpointer value;
    guint devices = 0, clients = 0, client_sessions = 0, i;

    g_hash_table_iter_init(&iter, tap->streams);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        const capf_stream_t *s = (const capf_stream_t *)value;
        char *addr = address_to_str(NULL, &s->client);
        char *key = s->device ? g_strdup_printf("d:%s", s->device) : g_strdup_printf("c:%s", addr);
        capf_phone_row_t *row = (capf_phone_row_t *)g_hash_table_lookup(rows, key);

        if (!row) {
            row = g_new0(capf_phone_row_t, 1);
            row->device = s->device;
            row->client = &s->client;
            row->first_frame = s->first_frame;
            g_hash_table_insert(rows, key, row);
            g_ptr_array_add(sorted, row);
        } else {
            g_free(key);
        }
        wmem_free(NULL, addr);
        row->sessions++;
        row->first_frame = MIN(row->first_frame, s->first_frame);
        if (!row->last || s->last_frame > row->last_frame) {
            row->last = s;
            row->last_frame = s->last_frame;
        }
        if (s->serial && s->last_frame >= row->serial_frame) {
            row->serial = s->serial;
            row->serial_frame = s->last_frame;
        }
        if (s->first_verdict && (!row->first_verdict || s->first_frame < row->verdict_frame)) {
            row->first_verdict = s->first_verdict;
            row->verdict_frame = s->first_frame;
        }
        g_hash_table_add(covered, address_to_str(NULL, &s->client));
    }
    capf_rows_without_capf(tap, rows, sorted, covered);
    g_hash_table_destroy(covered);
    g_ptr_array_sort(sorted, capf_row_cmp);
    for (i = 0; i < sorted->len; i++) {
        const capf_phone_row_t *row = (const capf_phone_row_t *)g_ptr_array_index(sorted, i);
        if (row->device) {
            devices++;
        } else {
            clients++;
            client_sessions += row->sessions;
        }
    }

    printf("================================================================================\n");
    printf("CAPF phones: %u device%s, %u session%s", devices, devices == 1 ? "" : "s",
           g_hash_table_size(tap->streams), g_hash_table_size(tap->streams) == 1 ? "" : "s");
    if (clients)
        printf(", %u without a device name", client_sessions);
    printf("\n\n");

    static const char *const head[] = { "Device", "Sessions", "Last operation", "Outcome", "Auth type", "Key",
                                        "Serial", "First frame", "Last frame", "First verdict", "Trust list",
                                        "Configuration", "TVS answers" };
    for (i = 0; i < G_N_ELEMENTS(head); i++)
        g_ptr_array_add(cells, g_strdup(head[i]));
    for (i = 0; i < sorted->len; i++) {
        const capf_phone_row_t *row = (const capf_phone_row_t *)g_ptr_array_index(sorted, i);
        if (!row->device)
            continue;
        g_ptr_array_add(cells, g_strdup(row->device));
        g_ptr_array_add(cells, g_strdup_printf("%u", row->sessions));
        g_ptr_array_add(cells, g_strdup(dash(row->last->operation)));
        g_ptr_array_add(cells, g_strdup(dash(row->last->outcome)));
        g_ptr_array_add(cells, g_strdup(dash(row->last->auth_type)));
        g_ptr_array_add(cells, g_strdup(dash(row->last->key)));
        g_ptr_array_add(cells, g_strdup(dash(row->serial)));
        g_ptr_array_add(cells, g_strdup_printf("%u", row->first_frame));
        g_ptr_array_add(cells, g_strdup_printf("%u", row->last_frame));
        g_ptr_array_add(cells, g_strdup(dash(row->first_verdict)));
        char *addr = address_to_str(NULL, row->last == &capf_no_connection ? row->client : &row->last->client);
        const capf_file_seen_t *list = (const capf_file_seen_t *)g_hash_table_lookup(tap->trust_lists, addr);
        const capf_file_seen_t *config = (const capf_file_seen_t *)g_hash_table_lookup(tap->configs, addr);
        g_ptr_array_add(cells, g_strdup(list ? list->text : "-"));
        g_ptr_array_add(cells, capf_config_text(config));
        g_ptr_array_add(cells, capf_tvs_text((const capf_tvs_seen_t *)g_hash_table_lookup(tap->tvs, addr)));
        wmem_free(NULL, addr);
    }
    capf_print_table(cells, G_N_ELEMENTS(head));

    if (clients) {
        static const char *const chead[] = { "Client", "Sessions", "Last outcome", "First frame", "Last frame",
                                             "First verdict", "Trust list", "Configuration", "TVS answers" };

        g_ptr_array_set_size(cells, 0);
        printf("\nSessions without a device name, by client address:\n");
        for (i = 0; i < G_N_ELEMENTS(chead); i++)
            g_ptr_array_add(cells, g_strdup(chead[i]));
        for (i = 0; i < sorted->len; i++) {
            const capf_phone_row_t *row = (const capf_phone_row_t *)g_ptr_array_index(sorted, i);
            if (row->device)
                continue;
            char *addr = address_to_str(NULL, row->client);
            const capf_file_seen_t *list = (const capf_file_seen_t *)g_hash_table_lookup(tap->trust_lists, addr);
            const capf_file_seen_t *config = (const capf_file_seen_t *)g_hash_table_lookup(tap->configs, addr);

            g_ptr_array_add(cells, g_strdup(addr));
            g_ptr_array_add(cells, g_strdup_printf("%u", row->sessions));
            g_ptr_array_add(cells, g_strdup(dash(row->last->outcome)));
            g_ptr_array_add(cells, g_strdup_printf("%u", row->first_frame));
            g_ptr_array_add(cells, g_strdup_printf("%u", row->last_frame));
            g_ptr_array_add(cells, g_strdup(dash(row->first_verdict)));
            g_ptr_array_add(cells, g_strdup(list ? list->text : "-"));
            g_ptr_array_add(cells, capf_config_text(config));
            g_ptr_array_add(cells, capf_tvs_text((const capf_tvs_seen_t *)g_hash_table_lookup(tap->tvs, addr)));
            wmem_free(NULL, addr);
        }
        capf_print_table(cells, G_N_ELEMENTS(chead));
    }
    printf("================================================================================\n");

    g_ptr_array_free(cells, TRUE);
    g_ptr_array_free(sorted, TRUE);
    g_hash_table_destroy(rows);
}

static void
capf_phones_unref(capf_phones_t *tap)
{
    if (--tap->refs)
        return;
    g_hash_table_destroy(tap->streams);
    g_hash_table_destroy(tap->trust_lists);
    g_hash_table_destroy(tap->configs);
    g_hash_table_destroy(tap->tvs);
    g_free(tap);
}

/* called when the listener is removed, at the end of the run */
static void
capf_phones_finish(void *p)
{
    capf_phones_unref((capf_phones_t *)p);
}

static void
capf_phones_itl_finish(void *p)
{
    capf_phones_unref(CAPF_PHONES_OF_ITL_KEY(p));
}

static void
capf_phones_cnf_finish(void *p)
{
    capf_phones_unref(CAPF_PHONES_OF_CNF_KEY(p));
}

static void
capf_phones_tvs_finish(void *p)
{
    capf_phones_unref(CAPF_PHONES_OF_TVS_KEY(p));
}

static wsc_tap_init_ret
capf_phones_init(const char *opt_arg, void *userdata _U_)
{
    capf_phones_t *tap = g_new0(capf_phones_t, 1);

    tap->streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, capf_stream_free);
    tap->trust_lists = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, capf_file_seen_free);
    tap->configs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, capf_file_seen_free);
    tap->tvs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, capf_tvs_seen_free);
    tap->refs = 1;
    if (!cisco_tap_listen("capf", "capf,phones", opt_arg, tap, capf_phones_reset, capf_phones_packet,
                          capf_phones_draw, capf_phones_finish)) {
        /* a failed registration calls no finish routine */
        capf_phones_unref(tap);
        WSC_TAP_INIT_FAILED();
    }
    /* the files each phone received, whatever the report's filter */
    tap->refs++;
    GString *error = register_tap_listener("itl", &tap->itl_key, NULL, TL_REQUIRES_NOTHING, NULL,
                                           capf_phones_itl_packet, NULL, capf_phones_itl_finish);
    if (error) {
        tap->refs--;     /* the "capf" listener keeps its reference */
        fprintf(stderr, "tshark: couldn't register capf,phones on the itl tap: %s\n", error->str);
        g_string_free(error, TRUE);
        WSC_TAP_INIT_FAILED();
    }
    tap->refs++;
    error = register_tap_listener("cnf", &tap->cnf_key, NULL, TL_REQUIRES_NOTHING, NULL, capf_phones_cnf_packet,
                                  NULL, capf_phones_cnf_finish);
    if (error) {
        tap->refs--;
        fprintf(stderr, "tshark: couldn't register capf,phones on the cnf tap: %s\n", error->str);
        g_string_free(error, TRUE);
        WSC_TAP_INIT_FAILED();
    }
    tap->refs++;
    error = register_tap_listener("tvs", &tap->tvs_key, NULL, TL_REQUIRES_NOTHING, NULL, capf_phones_tvs_packet,
                                  NULL, capf_phones_tvs_finish);
    if (error) {
        tap->refs--;
        fprintf(stderr, "tshark: couldn't register capf,phones on the tvs tap: %s\n", error->str);
        g_string_free(error, TRUE);
        WSC_TAP_INIT_FAILED();
    }
    WSC_TAP_INIT_OK();
}

static stat_tap_ui capf_phones_ui = {
    WSC_STAT_GROUP_TELEPHONY,
    "CAPF phones",
    "capf,phones",
    capf_phones_init,
    0,
    NULL
};

/*** -z capf,tree ***/

static const char st_messages[] = "CAPF messages";
static const char st_reasons[] = "Reasons";
static const char st_outcomes[] = "Session outcomes";
static const char st_verdicts[] = "Verdicts";
static const char st_phones[] = "Phones";
static int st_node_messages = -1;
static int st_node_reasons = -1;
static int st_node_outcomes = -1;
static int st_node_verdicts = -1;
static int st_node_phones = -1;

/* The "Phones" branch: per phone (its address), what it went through, each
 * a node counting how often:
 *   "Trust list: <file> (<signer CN>, <signature as the phone sees it>)"
 *   "Signed configuration: <file> (<signer CN>, <status>)"
 *   "Configuration: <device>, capfAuthMode <n>" (", unsigned")
 *   "CAPF: <session outcome> (<device>)" (a session whose outcome is final)
 *   "Verdict: <name>"
 *   "TVS: valid" / "TVS: invalid (CN=...)"
 * The same facts as -z capf,phones, for the GUI.  Trust lists,
 * configurations and TVS answers come from the "itl", "cnf" and "tvs" taps:
 * three more listeners, registered by the tree's init routine (a listener is
 * known by its data: a capf_st_listener_t each). */
typedef struct capf_st_phones capf_st_phones_t;

/* One extra listener; its address is the listener's data. */
typedef struct {
    capf_st_phones_t *owner;
    gboolean registered;
} capf_st_listener_t;

struct capf_st_phones {
    stats_tree *st;             /* NULL once the tree is freed */
    /* the tree's presentation when it was made: the Qt dialog sets it while
     * it retaps and clears it after, then removes its own listener but not
     * these (they go when the tree is freed); a later retap by anything else
     * must not count into this tree (tshark sets it once) */
    const tree_cfg_pres *pr;
    /* the itl, cnf and tvs listeners; each one's finish routine (called when
     * it is removed, or when Wireshark removes every listener at exit, which
     * may free the tree after them) drops one reference, the tree's cleanup
     * routine another */
    capf_st_listener_t listeners[3];
    guint refs;
};

static GHashTable *capf_st_phones;      /* stats_tree * -> capf_st_phones_t * */

/* The tree a listener counts into; NULL when it no longer counts. */
static stats_tree *
capf_st_live(const void *listener)
{
    const capf_st_phones_t *x = ((const capf_st_listener_t *)listener)->owner;

    return x->st && x->st->cfg->pr == x->pr ? x->st : NULL;
}

static void
capf_st_unref(capf_st_phones_t *x)
{
    if (--x->refs == 0)
        g_free(x);
}

static void
capf_st_listener_finish(void *listener)
{
    capf_st_listener_t *l = (capf_st_listener_t *)listener;

    l->registered = FALSE;
    capf_st_unref(l->owner);
}

static void
capf_st_phone_tick(stats_tree *st, const address *phone, const char *what)
{
    char *addr = address_to_str(NULL, phone);
    int id;

    tick_stat_node(st, st_phones, 0, FALSE);
    id = tick_stat_node(st, addr, st_node_phones, TRUE);
    tick_stat_node(st, what, id, FALSE);
    wmem_free(NULL, addr);
}

static tap_packet_status
capf_st_itl_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data, tap_flags_t flags _U_)
{
    stats_tree *st = capf_st_live(p);
    const itl_tap_info_t *ti = (const itl_tap_info_t *)data;
    const cisco_tlv_file_t *f = ti->file;
    const char *name = ti->name ? ti->name : (f->filename ? f->filename : "?");
    const char *kind;

    if (!st)
        return TAP_PACKET_DONT_REDRAW;
    if (!f->signed_file)
        kind = "Trust list";
    else if (g_str_has_suffix(name, ".cnf.xml.sgn"))
        kind = "Signed configuration";
    else
        return TAP_PACKET_DONT_REDRAW;
    char *signer = capf_common_name(f->signer_name);
    char *what = g_strdup_printf("%s: %s (%s, %s)", kind, name, signer, ti->verdict);
    capf_st_phone_tick(st, &pinfo->dst, what);
    g_free(what);
    g_free(signer);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status
capf_st_cnf_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data, tap_flags_t flags _U_)
{
    stats_tree *st = capf_st_live(p);
    const cnf_tap_info_t *ti = (const cnf_tap_info_t *)data;
    GString *what;

    if (!st)
        return TAP_PACKET_DONT_REDRAW;
    what = g_string_new("Configuration: ");
    g_string_append(what, ti->device ? ti->device : "no device");
    if (ti->capf_auth_mode >= 0)
        g_string_append_printf(what, ", capfAuthMode %d", ti->capf_auth_mode);
    if (!ti->in_sgn)
        g_string_append(what, ", unsigned");
    capf_st_phone_tick(st, &pinfo->dst, what->str);
    g_string_free(what, TRUE);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status
capf_st_tvs_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data, tap_flags_t flags _U_)
{
    stats_tree *st = capf_st_live(p);
    const tvs_tap_info_t *ti = (const tvs_tap_info_t *)data;
    char *what;

    if (!st)
        return TAP_PACKET_DONT_REDRAW;
    if (ti->valid)
        what = g_strdup("TVS: valid");
    else if (ti->cert_name)
        what = g_strdup_printf("TVS: invalid (CN=%s)", ti->cert_name);
    else
        what = g_strdup("TVS: invalid");
    capf_st_phone_tick(st, &pinfo->dst, what);
    g_free(what);
    return TAP_PACKET_REDRAW;
}

static void
capf_st_listen(capf_st_listener_t *l, const char *tap, tap_packet_cb packet)
{
    GString *error = register_tap_listener(tap, l, NULL, TL_REQUIRES_NOTHING, NULL, packet, NULL,
                                           capf_st_listener_finish);

    if (error) {
        /* the tree still counts the CAPF messages; the phones miss that tap */
        fprintf(stderr, "capf,tree: couldn't register on the %s tap: %s\n", tap, error->str);
        g_string_free(error, TRUE);
        return;
    }
    l->registered = TRUE;
    l->owner->refs++;
}

static void
capf_stats_tree_init(stats_tree *st)
{
    st_node_messages = stats_tree_create_node(st, st_messages, 0, STAT_DT_INT, TRUE);
    st_node_reasons = stats_tree_create_node(st, st_reasons, 0, STAT_DT_INT, TRUE);
    st_node_outcomes = stats_tree_create_node(st, st_outcomes, 0, STAT_DT_INT, TRUE);
    st_node_verdicts = stats_tree_create_node(st, st_verdicts, 0, STAT_DT_INT, TRUE);
    st_node_phones = stats_tree_create_node(st, st_phones, 0, STAT_DT_INT, TRUE);
    /* called again when the tree is reset (a retap): listening already */
    if (!capf_st_phones)
        capf_st_phones = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (!g_hash_table_contains(capf_st_phones, st)) {
        capf_st_phones_t *x = g_new0(capf_st_phones_t, 1);

        x->st = st;
        x->pr = st->cfg->pr;
        x->refs = 1;
        g_hash_table_insert(capf_st_phones, st, x);
        for (guint i = 0; i < G_N_ELEMENTS(x->listeners); i++)
            x->listeners[i].owner = x;
        capf_st_listen(&x->listeners[0], "itl", capf_st_itl_packet);
        capf_st_listen(&x->listeners[1], "cnf", capf_st_cnf_packet);
        capf_st_listen(&x->listeners[2], "tvs", capf_st_tvs_packet);
    }
}

static void
capf_stats_tree_cleanup(stats_tree *st)
{
    capf_st_phones_t *x = capf_st_phones ? (capf_st_phones_t *)g_hash_table_lookup(capf_st_phones, st) : NULL;

    if (!x)
        return;
    g_hash_table_remove(capf_st_phones, st);
    x->st = NULL;
    /* Wireshark's own removal of every listener at exit (4.6 frees the tree
     * from there) has finished these already: registered after the tree's
     * own listener, they come before it */
    x->refs++;
    for (guint i = 0; i < G_N_ELEMENTS(x->listeners); i++)
        if (x->listeners[i].registered)
            remove_tap_listener(&x->listeners[i]);
    x->refs--;
    capf_st_unref(x);
}

static tap_packet_status
capf_stats_tree_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *data,
                       tap_flags_t flags _U_)
{
    const capf_tap_info_t *ti = (const capf_tap_info_t *)data;

    if (ti->command) {
        tick_stat_node(st, st_messages, 0, FALSE);
        tick_stat_node(st, ti->command, st_node_messages, FALSE);
    }
    if (ti->reason) {
        tick_stat_node(st, st_reasons, 0, FALSE);
        tick_stat_node(st, ti->reason, st_node_reasons, FALSE);
    }
    if (ti->settled) {
        int id;

        tick_stat_node(st, st_outcomes, 0, FALSE);
        id = tick_stat_node(st, ti->settled, st_node_outcomes, TRUE);
        if (ti->failure && strcmp(ti->settled, "failed") == 0)
            tick_stat_node(st, ti->failure, id, FALSE);
    }
    for (guint i = 0; i < ti->n_verdicts; i++) {
        tick_stat_node(st, st_verdicts, 0, FALSE);
        tick_stat_node(st, ti->verdicts[i], st_node_verdicts, FALSE);
    }
    /* the phone's branch */
    if (ti->settled) {
        GString *what = g_string_new("CAPF: ");

        g_string_append(what, ti->settled);
        if (ti->failure && strcmp(ti->settled, "failed") == 0)
            g_string_append_printf(what, ": %s", ti->failure);
        if (ti->device_name)
            g_string_append_printf(what, " (%s)", ti->device_name);
        capf_st_phone_tick(st, &ti->client, what->str);
        g_string_free(what, TRUE);
    }
    for (guint i = 0; i < ti->n_verdicts; i++) {
        char *what = g_strdup_printf("Verdict: %s", ti->verdicts[i]);
        capf_st_phone_tick(st, &ti->client, what);
        g_free(what);
    }
    return TAP_PACKET_REDRAW;
}

void
register_capf_taps(void)
{
    register_stat_tap_ui(&capf_phones_ui, NULL);
    WSC_STATS_TREE_REGISTER("capf", "capf", "CAPF Enrollment", 0, capf_stats_tree_packet, capf_stats_tree_init,
                             capf_stats_tree_cleanup, WSC_STAT_GROUP_TELEPHONY);
}
