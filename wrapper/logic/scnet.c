/* scnet.c - see scnet.h.  No syscalls in this file. */
#include "scnet.h"

#include <stddef.h>

enum sc_network sc_network_for(const struct net_spec *net)
{
	return net->mode == NET_NONE ? SC_NET_UNIX_ONLY : SC_NET_INET;
}

const char *sc_network_name(enum sc_network net)
{
	switch (net) {
	case SC_NET_UNIX_ONLY:
		return "unix-only";
	case SC_NET_INET:
		return "inet";
	}
	return NULL;
}
