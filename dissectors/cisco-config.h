/* cisco-config.h
 * What the phone configurations (SEP<MAC>.cnf.xml) of the capture say about
 * CAPF, per phone address and in frame order: the CAPF servers of capfList,
 * so that a CAPF connection to a server or port the configuration does not
 * list can be flagged (cnf.expert.capf_server_unlisted).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CISCO_CONFIG_H
#define CISCO_CONFIG_H

#include <wireshark.h>
#include <epan/address.h>
#include <epan/expert.h>
#include <epan/packet.h>

struct capf_verdict;

typedef struct {
    const char *server;         /* processNodeName; NULL or "" when the entry names none */
    guint32 port;               /* phonePort; 0 when absent */
} cisco_config_capf_t;

typedef struct {
    guint32 frame;              /* frame the configuration was received in */
    address phone;              /* who received it */
    const char *device;         /* SEP<MAC>, from the file name; may be NULL */
    gint capf_auth_mode;        /* -1 when absent */
    wmem_array_t *capf;         /* cisco_config_capf_t, capfList in order */
} cisco_config_t;

/* Called by the cnf dissector's proto_register routine: the registry empties
 * itself before each dissection of a capture (its own init routine). */
void cisco_config_register(void);

/* First pass: a configuration received by `phone` in `frame`. */
cisco_config_t *cisco_config_add(guint32 frame, const address *phone, const char *device, gint capf_auth_mode);
void cisco_config_add_capf(cisco_config_t *config, const char *server, guint32 port);

/* The last configuration `phone` received before `frame`; NULL if none. */
const cisco_config_t *cisco_config_latest(guint32 frame, const address *phone);

/* The cnf expert for a CAPF connection the configuration does not list
 * (registered by packet-cnf.c). */
extern expert_field ei_cnf_capf_server_unlisted;

/* CAPF side, first pass, at the phone's first SYN of a connection to a CAPF
 * port (pinfo->src the phone, pinfo->dst the server): when the phone's last
 * configuration has a capfList and no entry of it matches this server and
 * port, add a cnf.expert.capf_server_unlisted verdict to *out.  An entry
 * matches when its phonePort is the port (3804 when it has none) and its
 * processNodeName is empty, a host name (not resolved here), or this
 * server's IP address. */
void cisco_config_check_capf_connection(packet_info *pinfo, guint32 capf_port, struct capf_verdict **out);

#endif /* CISCO_CONFIG_H */
