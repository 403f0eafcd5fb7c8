/* packet-cnf.c
 * Routines for the CAPF-relevant elements of a Cisco IP phone configuration
 * (SEP<MAC>.cnf.xml), plain over TFTP or HTTP, or inside a .sgn file
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/*
 * A phone reads its configuration after its trust lists; the elements that
 * matter to certificate enrollment are capfAuthMode (does CAPF have something
 * to do), capfList (which CAPF server and port), certHash, encrConfig,
 * deviceSecurityMode and the TVS servers (doc/protocol.md section 6).  The
 * XML is read with libxml2 (which libwireshark links already): no network,
 * no DTD loading, no entity substitution, a size limit.  Every other element
 * is left to Wireshark's XML dissector.
 *
 * Two checks tie the configuration to the rest of the capture:
 * - capfAuthMode asks for a CAPF operation (not 0) but the trust lists the
 *   phone received before have no CAPF record: cnf.expert.capf_not_in_itl
 *   (the phone reports "No valid CAPF server");
 * - the phone then connects to a CAPF server or port its capfList does not
 *   name: cnf.expert.capf_server_unlisted, raised on that connection by the
 *   CAPF verdicts (cisco-config.c keeps the capfList per phone address).
 */

#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <wsutil/strtoi.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>

#include "ws-compat.h"
#include "cisco-config.h"
#include "cisco-dissect.h"
#include "cisco-trust.h"
#include "tap-cisco.h"

void proto_register_cnf(void);
void proto_reg_handoff_cnf(void);

/* Real configurations are tens of kilobytes. */
#define CNF_MAX_BYTES   (1024 * 1024)
/* How far the content check looks for the <device> root. */
#define CNF_SNIFF_BYTES 1024

static int proto_cnf = -1;

static int hf_cnf_device = -1;
static int hf_cnf_device_security_mode = -1;
static int cnf_tap = -1;
static int hf_cnf_capf_auth_mode = -1;
static int hf_cnf_cert_hash = -1;
static int hf_cnf_encr_config = -1;
static int hf_cnf_capf = -1;
static int hf_cnf_capf_server = -1;
static int hf_cnf_capf_port = -1;
static int hf_cnf_tftp_server = -1;
static int hf_cnf_tvs = -1;
static int hf_cnf_tvs_server = -1;
static int hf_cnf_tvs_port = -1;
static int hf_cnf_capf_list_count = -1;
static int hf_cnf_xml_error = -1;

static gint ett_cnf = -1;
static gint ett_cnf_server = -1;

static expert_field ei_cnf_malformed = EI_INIT;
static expert_field ei_cnf_truncated = EI_INIT;
static expert_field ei_cnf_not_device = EI_INIT;
static expert_field ei_cnf_bad_value = EI_INIT;
static expert_field ei_cnf_capf_not_in_itl = EI_INIT;
expert_field ei_cnf_capf_server_unlisted = EI_INIT;

static dissector_handle_t cnf_handle;
static dissector_handle_t xml_media_handles[2];    /* text/xml, application/xml: their previous owners */
static const char *const xml_media_types[2] = { "text/xml", "application/xml" };

/* Private data TFTP passes to its heuristic subdissectors (packet-tftp.h,
 * which libwireshark-dev does not install; unchanged from 4.0 to 4.6). */
struct tftpinfo {
    const char *filename;
};

static const value_string cnf_capf_auth_mode_vals[] = {
    { 0, "No CAPF operation unless the certHash check fails" },
    { 1, "By authentication string" },
    { 2, "By null string" },
    { 3, "By existing certificate (precedence to LSC)" },
    { 4, "By existing certificate (precedence to MIC)" },
    { 0, NULL }
};

static const value_string cnf_device_security_mode_vals[] = {
    { 1, "Non-secure" },
    { 2, "Authenticated" },
    { 3, "Encrypted" },
    { 0, NULL }
};

/* The base name of a path, lower-cased (g_free() it). */
static char *
cnf_base_lower(const char *name)
{
    const char *base = strrchr(name, '/');

    return g_ascii_strdown(base ? base + 1 : name, -1);
}

/* Is this the name of a phone configuration (*.cnf.xml, or *.cnf.xml.sgn)? */
static gboolean
cnf_name_matches(const char *name)
{
    char *lower;
    gboolean match;

    if (!name)
        return FALSE;
    lower = cnf_base_lower(name);
    match = g_str_has_suffix(lower, ".cnf.xml") || g_str_has_suffix(lower, ".cnf.xml.sgn");
    g_free(lower);
    return match;
}

/* SEP<MAC> (or whatever precedes .cnf.xml) from the file name; NULL if the
 * name is not a configuration's. */
static const char *
cnf_device_from_name(wmem_allocator_t *scope, const char *name)
{
    const char *base;
    const char *end;

    if (!cnf_name_matches(name))
        return NULL;
    base = strrchr(name, '/');
    base = base ? base + 1 : name;
    for (end = base; *end && g_ascii_strncasecmp(end, ".cnf.xml", 8) != 0; end++)
        ;
    return end > base ? wmem_strndup(scope, base, end - base) : NULL;
}

/* Does the content start like a phone configuration: an optional BOM, XML
 * declaration, document type, comments and white space, then the root
 * element <device>? */
static gboolean
cnf_content_matches(tvbuff_t *tvb)
{
    guint len = MIN(tvb_captured_length(tvb), CNF_SNIFF_BYTES);
    const char *p, *end;

    if (len < 8)
        return FALSE;
    p = (const char *)tvb_get_ptr(tvb, 0, len);
    end = p + len;
    if (len >= 3 && (guint8)p[0] == 0xEF && (guint8)p[1] == 0xBB && (guint8)p[2] == 0xBF)
        p += 3;
    for (;;) {
        while (p < end && g_ascii_isspace(*p))
            p++;
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *close = g_strstr_len(p + 4, end - p - 4, "-->");
            if (!close)
                return FALSE;
            p = close + 3;
        } else if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0) {
            /* (read only to say that a configuration has no business having one) */
            const char *gt = memchr(p, '>', end - p);
            const char *bracket = memchr(p, '[', end - p);
            const char *close = bracket && gt && bracket < gt ? g_strstr_len(bracket, end - bracket, "]>") : gt;
            if (!close)
                return FALSE;
            p = close + (*close == ']' ? 2 : 1);
        } else if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
            const char *close = g_strstr_len(p + 2, end - p - 2, "?>");
            if (!close)
                return FALSE;
            p = close + 2;
        } else {
            break;
        }
    }
    return end - p >= 8 && memcmp(p, "<device", 7) == 0 &&
           (g_ascii_isspace(p[7]) || p[7] == '>' || p[7] == '/');
}

/*
 * Reading the configuration: one pass of libxml2's SAX2 parser, which checks
 * the whole document as before but builds no document tree (building and
 * freeing it was most of what a configuration cost).  The reader keeps, for
 * each element the dissector shows, the text of its first occurrence below
 * the root element, and the entries of two server lists.  "First" is in
 * document order, the order of a depth-first search of the tree; the text of
 * an element is all the character data inside it (what xmlNodeGetContent()
 * returns), so what is shown is what a tree would have given.
 */
enum {
    CNF_F_SECURITY_MODE,
    CNF_F_CAPF_AUTH_MODE,
    CNF_F_CERT_HASH,
    CNF_F_ENCR_CONFIG,
    CNF_F_LOAD_SERVER,
    CNF_N_FIELDS
};
static const char *const cnf_field_elems[CNF_N_FIELDS] = {
    "deviceSecurityMode", "capfAuthMode", "certHash", "encrConfig", "loadServer"
};
/* The first letters of every element name the reader looks for (the fields
 * above, the lists' names below; proto_register_cnf() checks it). */
#define CNF_FIRST_LETTERS "dcelpmaT"

/* One entry of a server list: the text of its first <server> and <port>
 * children (NULL without one). */
typedef struct {
    wmem_strbuf_t *server;
    wmem_strbuf_t *port;
} cnf_entry_t;

/* A server list: the first <list> element below the root or, with `outer`,
 * the first <list> child of the first <outer> element below the root; its
 * <entry> children, each with <server> and <port> children. */
typedef struct {
    const char *outer, *list, *entry, *server, *port;   /* element names */
} cnf_list_names_t;

typedef struct {
    const cnf_list_names_t *names;
    gboolean outer_seen, list_seen;
    int outer_depth, list_depth, entry_depth;           /* while open, else 0 */
    wmem_array_t *entries;                              /* of cnf_entry_t */
} cnf_list_t;

enum { CNF_L_CAPF, CNF_L_TVS, CNF_N_LISTS };
static const cnf_list_names_t cnf_list_names[CNF_N_LISTS] = {
    { NULL, "capfList", "capf", "processNodeName", "phonePort" },
    /* <TVS><members><member><port/><address/></member></members></TVS> */
    { "TVS", "members", "member", "address", "port" },
};

/* Elements whose text is being read: at most the fields and one child of an
 * entry of each list are open at once. */
#define CNF_MAX_OPEN (CNF_N_FIELDS + CNF_N_LISTS)

typedef struct {
    wmem_allocator_t *scope;
    int depth;                                  /* open elements; the root is 1 */
    const char *root;                           /* the root element's name */
    gboolean dtd;                               /* a document type declaration */
    wmem_strbuf_t *field[CNF_N_FIELDS];
    int fields_left;                            /* not found yet */
    cnf_list_t lists[CNF_N_LISTS];
    struct {
        int depth;
        wmem_strbuf_t *text;
    } open[CNF_MAX_OPEN];
    int n_open;
    /* how the parse ended */
    gboolean parsed;                            /* (FALSE: no memory for a parser) */
    gboolean well_formed;
    gboolean have_error;                        /* libxml2 said where it stopped */
    int error_line;
    const char *error;                          /* its message, trimmed */
} cnf_reader_t;

static wmem_strbuf_t *
cnf_reader_open(cnf_reader_t *r, int depth)
{
    wmem_strbuf_t *text = wmem_strbuf_new(r->scope, "");

    if (r->n_open < CNF_MAX_OPEN) {             /* (always: see CNF_MAX_OPEN) */
        r->open[r->n_open].depth = depth;
        r->open[r->n_open].text = text;
        r->n_open++;
    }
    return text;
}

static void
cnf_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix _U_, const xmlChar *uri _U_,
              int nb_namespaces _U_, const xmlChar **namespaces _U_, int nb_attributes _U_, int nb_defaulted _U_,
              const xmlChar **attributes _U_)
{
    cnf_reader_t *r = (cnf_reader_t *)((xmlParserCtxtPtr)ctx)->_private;
    const char *name = (const char *)localname;
    int d = ++r->depth;

    if (d == 1) {
        if (!r->root)
            r->root = wmem_strdup(r->scope, name);
        return;
    }
    /* most elements of a configuration are none of ours: one look at the
     * first letter */
    if (name[0] == '\0' || !strchr(CNF_FIRST_LETTERS, name[0]))
        return;
    for (int i = 0; r->fields_left && i < CNF_N_FIELDS; i++)
        if (!r->field[i] && strcmp(name, cnf_field_elems[i]) == 0) {
            r->field[i] = cnf_reader_open(r, d);
            r->fields_left--;
        }
    for (int i = 0; i < CNF_N_LISTS; i++) {
        cnf_list_t *l = &r->lists[i];

        if (l->names->outer && !l->outer_seen && strcmp(name, l->names->outer) == 0) {
            l->outer_seen = TRUE;
            l->outer_depth = d;
        } else if (!l->list_seen && (l->names->outer ? l->outer_depth && d == l->outer_depth + 1 : TRUE) &&
                   strcmp(name, l->names->list) == 0) {
            l->list_seen = TRUE;
            l->list_depth = d;
        } else if (l->list_depth && d == l->list_depth + 1 && strcmp(name, l->names->entry) == 0) {
            cnf_entry_t e = { NULL, NULL };
            wmem_array_append_one(l->entries, e);
            l->entry_depth = d;
        } else if (l->entry_depth && d == l->entry_depth + 1) {
            cnf_entry_t *e = (cnf_entry_t *)wmem_array_index(l->entries, wmem_array_get_count(l->entries) - 1);
            if (!e->server && strcmp(name, l->names->server) == 0)
                e->server = cnf_reader_open(r, d);
            else if (!e->port && strcmp(name, l->names->port) == 0)
                e->port = cnf_reader_open(r, d);
        }
    }
}

static void
cnf_sax_end(void *ctx, const xmlChar *localname _U_, const xmlChar *prefix _U_, const xmlChar *uri _U_)
{
    cnf_reader_t *r = (cnf_reader_t *)((xmlParserCtxtPtr)ctx)->_private;
    int d = r->depth;

    if (d == 0)
        return;
    r->depth--;
    while (r->n_open && r->open[r->n_open - 1].depth == d)
        r->n_open--;
    for (int i = 0; i < CNF_N_LISTS; i++) {
        cnf_list_t *l = &r->lists[i];
        if (l->entry_depth == d)
            l->entry_depth = 0;
        if (l->list_depth == d)
            l->list_depth = 0;
        if (l->outer_depth == d)
            l->outer_depth = 0;
    }
}

/* character data and CDATA sections alike */
static void
cnf_sax_text(void *ctx, const xmlChar *ch, int len)
{
    cnf_reader_t *r = (cnf_reader_t *)((xmlParserCtxtPtr)ctx)->_private;

    for (int i = 0; i < r->n_open; i++)
        wmem_strbuf_append_len(r->open[i].text, (const char *)ch, (gsize)len);
}

static void
cnf_sax_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
    ((cnf_reader_t *)((xmlParserCtxtPtr)ctx)->_private)->dtd = TRUE;
    /* the document libxml2 keeps a DTD's declarations in, made only now
     * (nothing before a DTD needs it) */
    if (!((xmlParserCtxtPtr)ctx)->myDoc)
        xmlSAX2StartDocument(ctx);
    xmlSAX2InternalSubset(ctx, name, external_id, system_id);
}

static void
cnf_reader_init(cnf_reader_t *r, wmem_allocator_t *scope)
{
    memset(r, 0, sizeof *r);
    r->scope = scope;
    r->fields_left = CNF_N_FIELDS;
    for (int i = 0; i < CNF_N_LISTS; i++) {
        r->lists[i].names = &cnf_list_names[i];
        r->lists[i].entries = wmem_array_new(scope, sizeof(cnf_entry_t));
    }
}

/* The parser context that reads into r: the SAX2 handlers above and nothing
 * else (no document, no entity or DTD handling).  NULL without memory. */
static xmlParserCtxtPtr
cnf_reader_parser(cnf_reader_t *r)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();

    if (!ctxt || !ctxt->sax) {
        if (ctxt)
            xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    /* libxml2's own SAX2 handlers for a DTD (entity declarations and
     * references are handled as when it builds a tree), ours for elements
     * and text; no document unless there is a DTD (cnf_sax_doctype()), no
     * comments or processing instructions kept */
    ctxt->sax->startDocument = NULL;
    ctxt->sax->comment = NULL;
    ctxt->sax->processingInstruction = NULL;
    ctxt->sax->startElementNs = cnf_sax_start;
    ctxt->sax->endElementNs = cnf_sax_end;
    ctxt->sax->characters = cnf_sax_text;
    ctxt->sax->ignorableWhitespace = cnf_sax_text;
    ctxt->sax->cdataBlock = cnf_sax_text;
    ctxt->sax->internalSubset = cnf_sax_doctype;
    ctxt->_private = r;
    return ctxt;
}

/* A field's text, trimmed, in scope; NULL when the element is not there. */
static const char *
cnf_value(wmem_allocator_t *scope, const wmem_strbuf_t *text)
{
    return text ? g_strstrip(wmem_strdup(scope, wmem_strbuf_get_str(text))) : NULL;
}

/* Does the text occur in the bytes (NUL bytes included)? */
typedef struct cnf_src cnf_src_t;
static gboolean cnf_has(const cnf_src_t *src, const char *text);

/* Where in the bytes the value of the n-th (0-based) element <name> is, for
 * highlighting; the whole file when it cannot be found. */
struct cnf_src {
    tvbuff_t *tvb;
    const char *data;
    guint len;
    gboolean locate;            /* find places (there is a tree to show them in) */
};

static gboolean
cnf_has(const cnf_src_t *src, const char *text)
{
    size_t tlen = strlen(text);
    const char *p = src->data, *end = src->data + src->len;

    while ((size_t)(end - p) >= tlen) {
        const char *c = memchr(p, text[0], (size_t)(end - p) - tlen + 1);
        if (!c)
            return FALSE;
        if (memcmp(c, text, tlen) == 0)
            return TRUE;
        p = c + 1;
    }
    return FALSE;
}

static void
cnf_locate(const cnf_src_t *src, const char *name, guint nth, guint from, gint *offset, gint *length)
{
    size_t nlen = strlen(name);
    const char *p = src->data + MIN(from, src->len), *end = src->data + src->len;

    if (!src->locate)
        p = end;
    while (p < end) {
        const char *lt = memchr(p, '<', end - p);
        const char *gt, *next;

        if (!lt)
            break;
        p = lt + 1;
        if ((size_t)(end - p) <= nlen || memcmp(p, name, nlen) != 0 ||
            !(p[nlen] == '>' || p[nlen] == '/' || g_ascii_isspace(p[nlen])))
            continue;
        if (nth--)
            continue;
        gt = memchr(p, '>', end - p);
        if (!gt)
            break;
        next = memchr(gt + 1, '<', end - gt - 1);
        *offset = (gint)(gt + 1 - src->data);
        *length = (gint)((next ? next : end) - (gt + 1));
        return;
    }
    *offset = 0;
    *length = 0;
}

static proto_item *
cnf_add_string(proto_tree *tree, int hf, const cnf_src_t *src, const char *elem, guint nth, guint from,
               const char *value)
{
    gint off, len;

    cnf_locate(src, elem, nth, from, &off, &len);
    return proto_tree_add_string(tree, hf, src->tvb, off, len, value);
}

/* A number element; an expert instead when it is not a number up to max.
 * Returns whether it is one (then *value holds it, and *item the item, which
 * is NULL without a tree). */
static gboolean
cnf_add_uint(proto_tree *tree, packet_info *pinfo, int hf, const cnf_src_t *src, const char *elem, guint nth,
             guint from, const char *text, guint32 max, guint32 *value, proto_item **item)
{
    gint off, len;
    guint64 v;
    proto_item *pi;

    cnf_locate(src, elem, nth, from, &off, &len);
    if (!ws_strtou64(text, NULL, &v) || v > max) {
        proto_tree_add_expert_format(tree, pinfo, &ei_cnf_bad_value, src->tvb, off, len,
                                     "<%s> holds \"%s\", not a number from 0 to %u", elem, text, max);
        return FALSE;
    }
    *value = (guint32)v;
    pi = proto_tree_add_uint(tree, hf, src->tvb, off, len, (guint32)v);
    if (item)
        *item = pi;
    return TRUE;
}

/* The entries of a server list (capfList or the TVS members), with a subtree
 * per entry. */
static void
cnf_add_servers(proto_tree *tree, packet_info *pinfo, const cnf_src_t *src, const cnf_list_t *list, int hf_entry,
                int hf_server, int hf_port, cisco_config_t *config)
{
    guint n = wmem_array_get_count(list->entries);
    guint server_seen = 0, port_seen = 0;       /* occurrences in the bytes, from the list on */
    gint from, unused;

    cnf_locate(src, list->names->outer ? list->names->outer : list->names->list, 0, 0, &from, &unused);
    for (guint i = 0; i < n; i++) {
        const cnf_entry_t *e = (const cnf_entry_t *)wmem_array_index(list->entries, i);
        const char *server = cnf_value(pinfo->pool, e->server);
        const char *port = cnf_value(pinfo->pool, e->port);
        proto_item *ei;
        proto_tree *et;
        guint32 port_value = 0;

        ei = proto_tree_add_item(tree, hf_entry, src->tvb, 0, 0, ENC_NA);
        et = proto_item_add_subtree(ei, ett_cnf_server);
        proto_item_append_text(ei, " %s", server && *server ? server : "(no server named)");
        if (server)
            cnf_add_string(et, hf_server, src, list->names->server, server_seen++, (guint)from, server);
        if (port) {
            cnf_add_uint(et, pinfo, hf_port, src, list->names->port, port_seen++, (guint)from, port, 65535, &port_value,
                         NULL);
            proto_item_append_text(ei, ":%s", port);
        }
        if (config)
            cisco_config_add_capf(config, server, port_value);
    }
}

/* What the first pass read of a configuration, kept for later passes
 * (tshark -2, the GUI): per frame, by the configuration's place among the
 * frame's configurations; its length and a hash of its bytes make sure that
 * it is the same file.  The same bytes give the same reading, without
 * libxml2 again. */
typedef struct {
    guint len;
    guint64 hash;
    cnf_reader_t r;
} cnf_reading_t;

#define CNF_PINFO_COUNT 0       /* pinfo->pool: configurations read in this frame */

/* FNV-1a over 8-byte words (the bytes that end the file, one by one) */
static guint64
cnf_hash(const cnf_src_t *src)
{
    guint64 h = G_GUINT64_CONSTANT(14695981039346656037);
    guint i = 0;

    for (; i + 8 <= src->len; i += 8) {
        guint64 w;
        memcpy(&w, src->data + i, 8);
        h = (h ^ w) * G_GUINT64_CONSTANT(1099511628211);
    }
    for (; i < src->len; i++)
        h = (h ^ (guint8)src->data[i]) * G_GUINT64_CONSTANT(1099511628211);
    return h;
}

/* The configuration read by libxml2, or as the first pass read it. */
static const cnf_reader_t *
cnf_read(packet_info *pinfo, const cnf_src_t *src)
{
    guint *count = (guint *)p_get_proto_data(pinfo->pool, pinfo, proto_cnf, CNF_PINFO_COUNT);
    guint64 hash = cnf_hash(src);
    cnf_reading_t *kept;
    cnf_reader_t *r;
    wmem_allocator_t *scope;
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;

    if (!count) {
        count = wmem_new0(pinfo->pool, guint);
        p_add_proto_data(pinfo->pool, pinfo, proto_cnf, CNF_PINFO_COUNT, count);
    }
    (*count)++;
    kept = (cnf_reading_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_cnf, *count);
    if (kept && kept->len == src->len && kept->hash == hash)
        return &kept->r;
    if (!kept && !PINFO_FD_VISITED(pinfo)) {
        kept = wmem_new(wmem_file_scope(), cnf_reading_t);
        kept->len = src->len;
        kept->hash = hash;
        p_add_proto_data(wmem_file_scope(), pinfo, proto_cnf, *count, kept);
        r = &kept->r;
        scope = wmem_file_scope();
    } else {
        r = wmem_new(pinfo->pool, cnf_reader_t);
        scope = pinfo->pool;
    }
    cnf_reader_init(r, scope);
    ctxt = cnf_reader_parser(r);
    if (!ctxt)
        return r;
    /* no network, no DTD, no entity substitution; RECOVER reads on after an
     * error, so a cut file still shows its first elements */
    doc = xmlCtxtReadMemory(ctxt, src->data, (int)src->len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_RECOVER);
    r->parsed = TRUE;
    r->well_formed = ctxt->wellFormed != 0;
    if (!r->well_formed) {
        const xmlError *err = xmlCtxtGetLastError(ctxt);

        r->have_error = err != NULL;
        r->error_line = err ? err->line : 0;
        r->error = g_strstrip(wmem_strdup(scope, err && err->message ? err->message : "unknown error"));
    }
    xmlFreeParserCtxt(ctxt);
    if (doc)
        xmlFreeDoc(doc);        /* (a DTD's, no elements) */
    r->n_open = 0;
    return r;
}

/* The number of lines of the configuration (as libxml2 counts them). */
static int
cnf_lines(const cnf_src_t *src)
{
    int n = 1;

    for (const char *p = src->data; (p = memchr(p, '\n', src->data + src->len - p)) != NULL; p++)
        n++;
    return n;
}

/* Does the configuration end with the end tag of its root element
 * (whitespace after it aside)?  FALSE without a root. */
static gboolean
cnf_root_closed(const cnf_src_t *src, const char *root)
{
    const char *end = src->data + src->len;
    char *tag;
    size_t n;
    gboolean closed;

    if (!root)
        return FALSE;
    while (end > src->data && g_ascii_isspace(end[-1]))
        end--;
    tag = g_strdup_printf("</%s>", root);
    n = strlen(tag);
    closed = (size_t)(end - src->data) >= n && memcmp(end - n, tag, n) == 0;
    g_free(tag);
    return closed;
}

/* The configuration in tvb; name is the file's name when known. */
static int
dissect_cnf_file(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const char *name)
{
    guint len = tvb_captured_length(tvb);
    gboolean cut = len < tvb_reported_length(tvb);
    gboolean in_sgn = name && g_str_has_suffix(name, ".sgn");
    const char *device = cnf_device_from_name(pinfo->pool, name);
    proto_item *ti;
    proto_tree *cnf_tree;
    const cnf_reader_t *r;
    const char *root;
    cnf_src_t src;
    const char *v;
    gint capf_mode = -1;
    proto_item *mode_item = NULL;
    cisco_config_t *config = NULL;
    const char *problem = cut ? "cut short" : NULL;

    if (!in_sgn)
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "CNF");
    ti = proto_tree_add_item(tree, proto_cnf, tvb, 0, -1, ENC_NA);
    cnf_tree = proto_item_add_subtree(ti, ett_cnf);
    if (device) {
        proto_item *di = proto_tree_add_string(cnf_tree, hf_cnf_device, tvb, 0, 0, device);
        proto_item_set_generated(di);
        proto_item_append_text(ti, ": %s", device);
    }
    if (cut)
        proto_tree_add_expert_format(cnf_tree, pinfo, &ei_cnf_truncated, tvb, 0, len,
                                     "Configuration cut short: %u of its %u bytes are in the capture", len,
                                     tvb_reported_length(tvb));
    if (len == 0)
        return 0;
    if (len > CNF_MAX_BYTES) {
        proto_tree_add_expert_format(cnf_tree, pinfo, &ei_cnf_malformed, tvb, 0, len,
                                     "Configuration of %u bytes, more than %u: not read", len, CNF_MAX_BYTES);
        return len;
    }

    src.tvb = tvb;
    src.data = (const char *)tvb_get_ptr(tvb, 0, len);
    src.len = len;
    src.locate = tree != NULL;
    /* A phone configuration has no DTD; entity declarations could only make
     * the reading of its text expensive (nested expansions). */
    if (cnf_has(&src, "<!ENTITY")) {
        proto_tree_add_expert_format(cnf_tree, pinfo, &ei_cnf_malformed, tvb, 0, len,
                                     "Configuration declares XML entities (a DTD): not read");
        if (!in_sgn)
            col_add_fstr(pinfo->cinfo, COL_INFO, "%s: configuration unreadable", name ? name : "cnf.xml");
        return len;
    }
    r = cnf_read(pinfo, &src);
    root = r->root;
    if (r->parsed && !r->well_formed) {
        /* Cut short: the root element never closes and the parser stopped at
         * the last line.  Decided from the document, not from libxml2's
         * error code or text, which differ between its versions (a file cut
         * inside a start tag is "premature end of data" for one, "couldn't
         * find end of start tag" for another). */
        gboolean ends_early = r->have_error && r->error_line >= cnf_lines(&src) && !cnf_root_closed(&src, root);
        proto_item *ei;

        if (!problem)
            problem = ends_early ? "cut short" : "not well-formed XML";
        if (ends_early && !cut)
            ei = proto_tree_add_expert_format(cnf_tree, pinfo, &ei_cnf_truncated, tvb, 0, len,
                                              "Configuration ends before its root element closes: the file "
                                              "is cut short, the phone cannot use it");
        else if (!cut)
            ei = proto_tree_add_expert_format(cnf_tree, pinfo, &ei_cnf_malformed, tvb, 0, len,
                                              "Configuration is not well-formed XML: the phone cannot use it");
        else
            ei = NULL;
        if (ei) {
            /* the parser's own words, beneath (they vary with libxml2's version) */
            proto_item *xi = proto_tree_add_string_format_value(
                proto_item_add_subtree(ei, ett_cnf), hf_cnf_xml_error, tvb, 0, len,
                wmem_strdup_printf(pinfo->pool, "line %d: %s", r->error_line, r->error),
                "line %d: %s", r->error_line, cisco_clamp(pinfo->pool, r->error, 160));
            proto_item_set_generated(xi);
        }
    }
    if (root && r->dtd) {
        /* a DTD the byte check above did not see (another encoding) */
        proto_tree_add_expert_format(cnf_tree, pinfo, &ei_cnf_malformed, tvb, 0, len,
                                     "Configuration has a DTD: not read");
        root = NULL;
    }
    if (!root) {
        if (in_sgn)
            col_append_str(pinfo->cinfo, COL_INFO, " [configuration unreadable]");
        else
            col_add_fstr(pinfo->cinfo, COL_INFO, "%s: configuration unreadable", name ? name : "cnf.xml");
        return len;
    }
    if (strcmp(root, "device") != 0)
        expert_add_info_format(pinfo, ti, &ei_cnf_not_device,
                               "Root element <%s>, not <device>: not a phone configuration", root);

    v = cnf_value(pinfo->pool, r->field[CNF_F_SECURITY_MODE]);
    if (v) {
        guint32 mode;
        cnf_add_uint(cnf_tree, pinfo, hf_cnf_device_security_mode, &src, "deviceSecurityMode", 0, 0, v, 255, &mode,
                     NULL);
    }
    v = cnf_value(pinfo->pool, r->field[CNF_F_CAPF_AUTH_MODE]);
    if (v) {
        guint32 mode;
        if (cnf_add_uint(cnf_tree, pinfo, hf_cnf_capf_auth_mode, &src, "capfAuthMode", 0, 0, v, 255, &mode,
                         &mode_item))
            capf_mode = (gint)mode;
    }
    v = cnf_value(pinfo->pool, r->field[CNF_F_CERT_HASH]);
    if (v)
        cnf_add_string(cnf_tree, hf_cnf_cert_hash, &src, "certHash", 0, 0, v);
    v = cnf_value(pinfo->pool, r->field[CNF_F_ENCR_CONFIG]);
    if (v) {
        gint off, l;
        cnf_locate(&src, "encrConfig", 0, 0, &off, &l);
        proto_tree_add_boolean(cnf_tree, hf_cnf_encr_config, tvb, off, l, g_ascii_strcasecmp(v, "true") == 0);
    }
    v = cnf_value(pinfo->pool, r->field[CNF_F_LOAD_SERVER]);
    if (v && *v)
        cnf_add_string(cnf_tree, hf_cnf_tftp_server, &src, "loadServer", 0, 0, v);

    if (!PINFO_FD_VISITED(pinfo))
        config = cisco_config_add(pinfo->num, &pinfo->dst, device, capf_mode);
    cnf_add_servers(cnf_tree, pinfo, &src, &r->lists[CNF_L_CAPF], hf_cnf_capf, hf_cnf_capf_server,
                    hf_cnf_capf_port, config);
    if (r->lists[CNF_L_CAPF].list_seen) {
        proto_item *gi = proto_tree_add_uint(cnf_tree, hf_cnf_capf_list_count, tvb, 0, 0,
                                             wmem_array_get_count(r->lists[CNF_L_CAPF].entries));
        proto_item_set_generated(gi);
    }
    cnf_add_servers(cnf_tree, pinfo, &src, &r->lists[CNF_L_TVS], hf_cnf_tvs, hf_cnf_tvs_server, hf_cnf_tvs_port,
                    NULL);

    /* doc/protocol.md section 6: a non-zero capfAuthMode is the practical
     * sign that CAPF has an operation for the phone (mode 0 may still lead
     * to a session when certHash does not match; not flagged).  The phone
     * then needs a CAPF record in its trust list. */
    if (capf_mode > 0) {
        const cisco_trust_list_t *latest;
        if (cisco_trust_has_capf(pinfo->num, &pinfo->dst, &latest) == 0)
            expert_add_info_format(pinfo, mode_item ? mode_item : ti, &ei_cnf_capf_not_in_itl,
                                   "capfAuthMode %d asks for a CAPF operation, but the trust list the phone got "
                                   "(%s, frame %u) has no CAPF record: the phone reports \"No valid CAPF server\"",
                                   capf_mode, latest->name, latest->frame);
    }

    if (have_tap_listener(cnf_tap)) {
        cnf_tap_info_t *tap = wmem_new0(pinfo->pool, cnf_tap_info_t);

        tap->name = name;
        tap->device = device;
        tap->capf_auth_mode = capf_mode;
        tap->in_sgn = in_sgn;
        tap_queue_packet(cnf_tap, pinfo, tap);
    }

    if (in_sgn) {
        if (capf_mode >= 0)
            col_append_fstr(pinfo->cinfo, COL_INFO, " [capfAuthMode %d]", capf_mode);
    } else {
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s", name ? name : "cnf.xml");
        if (capf_mode >= 0)
            col_append_fstr(pinfo->cinfo, COL_INFO, ": capfAuthMode %d", capf_mode);
        if (problem)
            col_append_fstr(pinfo->cinfo, COL_INFO, " (%s)", problem);
    }
    return len;
}

/* Called with the file name as data (the ITL dissector, for a .sgn payload):
 * claims only a configuration, by name or by content. */
static int
dissect_cnf(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const char *name = (const char *)data;

    if (!cnf_name_matches(name) && !cnf_content_matches(tvb))
        return 0;
    return dissect_cnf_file(tvb, pinfo, tree, name);
}

static wsc_bool
dissect_cnf_heur_tftp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const char *filename = data ? ((struct tftpinfo *)data)->filename : NULL;
    char *lower;
    gboolean plain_name;

    /* a .sgn is the ITL dissector's (it hands the payload over) */
    if (filename) {
        lower = cnf_base_lower(filename);
        plain_name = g_str_has_suffix(lower, ".cnf.xml");
        g_free(lower);
    } else {
        plain_name = FALSE;
    }
    if (!plain_name && !cnf_content_matches(tvb))
        return FALSE;
    /* before the dissection, which may throw on a broken file */
    cisco_tftp_export(tvb, pinfo, filename);
    dissect_cnf_file(tvb, pinfo, tree, filename);
    return TRUE;
}

static wsc_bool
dissect_cnf_heur_http(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!cnf_content_matches(tvb))
        return FALSE;
    dissect_cnf_file(tvb, pinfo, tree, NULL);
    return TRUE;
}

/* HTTP bodies labelled text/xml or application/xml (what a web server says
 * for .xml): Wireshark's XML dissector decodes them as before, and a phone
 * configuration is also read here. */
static int
dissect_cnf_xml_media(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data, int which)
{
    int done = 0;

    if (xml_media_handles[which])
        done = call_dissector_with_data(xml_media_handles[which], tvb, pinfo, tree, data);
    if (cnf_content_matches(tvb)) {
        int n = dissect_cnf_file(tvb, pinfo, tree, NULL);
        return done ? done : n;
    }
    /* not a configuration: exactly what the previous owner said (0 lets HTTP
     * try its heuristics and then show the body as media) */
    return done;
}

static int
dissect_cnf_text_xml(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_cnf_xml_media(tvb, pinfo, tree, data, 0);
}

static int
dissect_cnf_application_xml(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_cnf_xml_media(tvb, pinfo, tree, data, 1);
}

void
proto_register_cnf(void)
{
    static hf_register_info hf[] = {
        { &hf_cnf_device,
          { "Device", "cnf.device", FT_STRING, BASE_NONE, NULL, 0x0,
            "The device the configuration is for (SEP<MAC>, from the file name)", HFILL } },
        { &hf_cnf_device_security_mode,
          { "Device Security Mode", "cnf.device_security_mode", FT_UINT8, BASE_DEC,
            VALS(cnf_device_security_mode_vals), 0x0, "deviceSecurityMode", HFILL } },
        { &hf_cnf_capf_auth_mode,
          { "CAPF Authentication Mode", "cnf.capf_auth_mode", FT_UINT8, BASE_DEC, VALS(cnf_capf_auth_mode_vals),
            0x0, "capfAuthMode: how the phone authenticates to CAPF; not 0 when CAPF has an operation for it",
            HFILL } },
        { &hf_cnf_cert_hash,
          { "Certificate Hash", "cnf.cert_hash", FT_STRING, BASE_NONE, NULL, 0x0,
            "certHash: MD5 (hex) of the device certificate the configuration is encrypted to", HFILL } },
        { &hf_cnf_encr_config,
          { "Encrypted Configuration", "cnf.encr_config", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "encrConfig: the phone fetches SEP<MAC>.cnf.xml.enc.sgn", HFILL } },
        { &hf_cnf_capf,
          { "CAPF Server", "cnf.capf", FT_NONE, BASE_NONE, NULL, 0x0, "One <capf> entry of capfList", HFILL } },
        { &hf_cnf_capf_server,
          { "CAPF Server Name", "cnf.capf_server", FT_STRING, BASE_NONE, NULL, 0x0,
            "processNodeName of a capfList entry", HFILL } },
        { &hf_cnf_capf_port,
          { "CAPF Port", "cnf.capf_port", FT_UINT16, BASE_DEC, NULL, 0x0, "phonePort of a capfList entry",
            HFILL } },
        { &hf_cnf_xml_error,
          { "XML parser error", "cnf.xml_error", FT_STRING, BASE_NONE, NULL, 0x0,
            "What libxml2 reported where it stopped reading the configuration (line and message; the wording "
            "varies with libxml2's version)", HFILL } },
        { &hf_cnf_capf_list_count,
          { "CAPF Servers", "cnf.capf_count", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Number of entries in capfList", HFILL } },
        { &hf_cnf_tftp_server,
          { "TFTP (Load) Server", "cnf.tftp_server", FT_STRING, BASE_NONE, NULL, 0x0,
            "loadServer: the alternate TFTP server the phone gets its firmware from", HFILL } },
        { &hf_cnf_tvs,
          { "TVS Server", "cnf.tvs", FT_NONE, BASE_NONE, NULL, 0x0, "One TVS member", HFILL } },
        { &hf_cnf_tvs_server,
          { "TVS Server Address", "cnf.tvs_server", FT_STRING, BASE_NONE, NULL, 0x0, "address of a TVS member",
            HFILL } },
        { &hf_cnf_tvs_port,
          { "TVS Port", "cnf.tvs_port", FT_UINT16, BASE_DEC, NULL, 0x0, "port of a TVS member", HFILL } },
    };

    static gint *ett[] = {
        &ett_cnf,
        &ett_cnf_server,
    };

    static ei_register_info ei[] = {
        { &ei_cnf_malformed,
          { "cnf.expert.malformed", PI_MALFORMED, PI_ERROR,
            "Configuration is not well-formed XML: the phone cannot use it", EXPFILL } },
        { &ei_cnf_truncated,
          { "cnf.expert.truncated", PI_MALFORMED, PI_ERROR, "Configuration cut short", EXPFILL } },
        { &ei_cnf_not_device,
          { "cnf.expert.not_device", PI_PROTOCOL, PI_WARN, "Root element is not <device>", EXPFILL } },
        { &ei_cnf_bad_value,
          { "cnf.expert.bad_value", PI_MALFORMED, PI_WARN, "Element value is not a valid number", EXPFILL } },
        { &ei_cnf_capf_not_in_itl,
          { "cnf.expert.capf_not_in_itl", PI_SECURITY, PI_WARN,
            "capfAuthMode asks for a CAPF operation, but the phone's trust list has no CAPF record: the phone "
            "reports \"No valid CAPF server\"", EXPFILL } },
        { &ei_cnf_capf_server_unlisted,
          { "cnf.expert.capf_server_unlisted", PI_SEQUENCE, PI_WARN,
            "The phone connects to a CAPF server or port its configuration's capfList does not list", EXPFILL } },
    };

    expert_module_t *expert_cnf;

    proto_cnf = proto_register_protocol("Cisco IP Phone Configuration (cnf.xml)", "CNF", "cnf");
    cnf_tap = register_tap("cnf");
    proto_register_field_array(proto_cnf, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_cnf = expert_register_protocol(proto_cnf);
    expert_register_field_array(expert_cnf, ei, array_length(ei));

    cnf_handle = register_dissector("cnf", dissect_cnf, proto_cnf);
    cisco_config_register();
    cisco_trust_register();
    xmlInitParser();
    for (int i = 0; i < CNF_N_FIELDS; i++)
        ws_assert(strchr(CNF_FIRST_LETTERS, cnf_field_elems[i][0]));
    for (int i = 0; i < CNF_N_LISTS; i++) {
        const cnf_list_names_t *n = &cnf_list_names[i];
        ws_assert(!n->outer || strchr(CNF_FIRST_LETTERS, n->outer[0]));
        ws_assert(strchr(CNF_FIRST_LETTERS, n->list[0]) && strchr(CNF_FIRST_LETTERS, n->entry[0]) &&
                  strchr(CNF_FIRST_LETTERS, n->server[0]) && strchr(CNF_FIRST_LETTERS, n->port[0]));
    }
}

void
proto_reg_handoff_cnf(void)
{
    dissector_table_t media = find_dissector_table("media_type");

    cisco_dissect_handoff();

    heur_dissector_add("tftp", dissect_cnf_heur_tftp, "Cisco phone configuration over TFTP", "cnf_tftp",
                       proto_cnf, HEURISTIC_ENABLE);
    heur_dissector_add("http", dissect_cnf_heur_http, "Cisco phone configuration over HTTP", "cnf_http",
                       proto_cnf, HEURISTIC_ENABLE);
    dissector_add_for_decode_as("media_type", cnf_handle);
    if (media) {
        xml_media_handles[0] = dissector_get_string_handle(media, xml_media_types[0]);
        xml_media_handles[1] = dissector_get_string_handle(media, xml_media_types[1]);
        /* descriptions of their own: 4.6 refuses two handles of a table described alike */
        dissector_add_string("media_type", xml_media_types[0],
                             create_dissector_handle_with_name_and_description(dissect_cnf_text_xml, proto_cnf,
                                 "cnf_text_xml", "Cisco phone configuration in text/xml"));
        dissector_add_string("media_type", xml_media_types[1],
                             create_dissector_handle_with_name_and_description(dissect_cnf_application_xml,
                                 proto_cnf, "cnf_application_xml", "Cisco phone configuration in application/xml"));
    }
}
