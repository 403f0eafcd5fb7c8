/* tap-cisco.h
 * What the CAPF and ITL/CTL dissectors give their taps ("capf", "itl"),
 * and the reports built on them: tshark -z capf,phones, -z capf,tree and
 * -z itl,show.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TAP_CISCO_H
#define TAP_CISCO_H

#include <wireshark.h>
#include <epan/address.h>

#include "cisco-tlv.h"

#define CAPF_TAP_MAX_VERDICTS 4

/* One CAPF message, or one connection event that carries a verdict (a
 * refused connection, a TLS alert, a close); the session summary is the
 * state after it. */
typedef struct {
    guint32 stream;             /* the TCP connection (conversation index) */
    address client;             /* the phone */
    const char *command;        /* NULL for a connection event */
    const char *reason;         /* the message's reason, NULL when none */
    const char *device_name;    /* NULL until the phone named itself */
    const char *auth_type;      /* NULL when not known */
    const char *operation;      /* install / fetch / delete / none, NULL */
    const char *key;            /* "RSA 2048", NULL */
    const char *outcome;        /* installed / fetched / ... / failed */
    const char *failure;        /* why "failed", NULL */
    const char *serial;         /* certificate issued or fetched, NULL */
    const char *settled;        /* outcome, when it became final with this event */
    guint n_verdicts;
    const char *verdicts[CAPF_TAP_MAX_VERDICTS];  /* verdict expert names */
} capf_tap_info_t;

typedef struct {
    const cisco_tlv_file_t *file;
    const char *name;           /* transfer or header file name, NULL */
    const char *verdict;        /* the signature as the phone sees it: "valid", "invalid", ...;
                                 * for a .sgn checked against the phone's trust list */
} itl_tap_info_t;

/* A phone configuration (SEP<MAC>.cnf.xml, plain or inside a .sgn), for
 * -z capf,phones; queued to the "cnf" tap by the frame that carries it. */
typedef struct {
    const char *name;           /* file name, NULL (HTTP) */
    const char *device;         /* SEP<MAC>, NULL */
    gint capf_auth_mode;        /* -1 when absent */
    gboolean in_sgn;            /* the payload of a .sgn (the "itl" tap reports its signature) */
} cnf_tap_info_t;

/* A TVS answer (VERIFY_RESPONSE with a status), for -z capf,phones; queued
 * to the "tvs" tap by the frame that carries it (to the phone). */
typedef struct {
    gboolean valid;             /* TVS vouches for the certificate */
    const char *cert_name;      /* CN of the certificate asked about, NULL */
} tvs_tap_info_t;

/* The reports, registered by the plugin's tap_plugin routine. */
void register_capf_taps(void);  /* tap-capf.c: capf,phones and capf,tree */
void register_itl_taps(void);   /* tap-itl.c: itl,show */

#endif /* TAP_CISCO_H */
