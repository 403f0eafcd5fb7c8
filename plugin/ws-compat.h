/* ws-compat.h
 * The one place where differences between the Wireshark versions this plugin
 * supports are absorbed.  Dissectors include this instead of testing
 * WIRESHARK_VERSION_* themselves.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CAPF_WS_COMPAT_H
#define CAPF_WS_COMPAT_H

#include <wireshark.h>

#define CAPF_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* field_info's value became a pointer in 4.2 */
#if CAPF_WS_AT_LEAST(4, 2)
#define CAPF_FI_VALUE(fi) ((fi)->value)
#else
#define CAPF_FI_VALUE(fi) (&(fi)->value)
#endif

#endif /* CAPF_WS_COMPAT_H */
