/* scnet.h - which of the seccomp filter's variants a request gets (pure).
 *
 * The filter has one variant per socket policy: network = none allows
 * socket(AF_UNIX) only, any other value AF_UNIX, AF_INET and AF_INET6
 * (Landlock then restricts TCP ports where the kernel can).  The rules are
 * logic/scpolicy.c's, the loader sys/scfilter.c. */
#ifndef CGIJAIL_SCNET_H
#define CGIJAIL_SCNET_H

#include "netspec.h"

enum sc_network {
	SC_NET_UNIX_ONLY,   /* network = none: socket(AF_UNIX) only */
	SC_NET_INET,        /* AF_UNIX, AF_INET, AF_INET6 */
};
#define SC_NET_COUNT 2

/* The variant for the policy's network value. */
enum sc_network sc_network_for(const struct net_spec *net);

/* A short name of the variant ("unix-only", "inet"), or NULL. */
const char *sc_network_name(enum sc_network net);

#endif
