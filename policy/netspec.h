/* netspec.h - the [sandbox] network value: "none", "any" or
 * "tcp:PORT[,PORT...]" (pure, no syscalls).
 *
 * Part of the policy model: the parser (policy.c) stores it, the Landlock
 * rules (wrapper/logic/llrules.c) and the seccomp variant
 * (wrapper/logic/scnet.c) are derived from it.  Unit-tested in
 * tests/unit/test_netspec.c. */
#ifndef CGIJAIL_NETSPEC_H
#define CGIJAIL_NETSPEC_H

#include <stddef.h>
#include <stdint.h>

#define NET_MAX_PORTS 32

enum net_mode {
	NET_ANY,  /* "any": TCP not restricted */
	NET_NONE, /* "none": no TCP connect or bind at all */
	NET_TCP,  /* "tcp:P1,P2": connect to these ports only, no bind */
};

struct net_spec {
	enum net_mode mode;
	size_t n_ports;
	uint16_t ports[NET_MAX_PORTS]; /* NET_TCP: distinct, 1..65535 */
};

/* "any" | "none" | "tcp:PORT[,PORT]..." (strict decimal 1..65535, no blanks,
 * at most NET_MAX_PORTS, duplicates merged).  Returns 0 or -1 with *reason. */
int net_parse(const char *s, struct net_spec *out, const char **reason);

/* The value net_parse() reads back as n ("none", "any", "tcp:80,443") into
 * out (always terminated when outsz > 0); returns the length it needed. */
size_t net_format(const struct net_spec *n, char *out, size_t outsz);

#endif
