/* netspec.c - see netspec.h. */
#include "netspec.h"

#include <stdio.h>
#include <string.h>

#include "strutil.h"

int net_parse(const char *s, struct net_spec *out, const char **reason)
{
	static const char tcp[] = "tcp:";

	memset(out, 0, sizeof(*out));
	if (strcmp(s, "any") == 0) {
		out->mode = NET_ANY;
		return 0;
	}
	if (strcmp(s, "none") == 0) {
		out->mode = NET_NONE;
		return 0;
	}
	if (strncmp(s, tcp, sizeof(tcp) - 1) != 0) {
		*reason = "expected any, none or tcp:PORT[,PORT...]";
		return -1;
	}
	out->mode = NET_TCP;
	const char *p = s + sizeof(tcp) - 1;
	for (;;) {
		char num[8];
		size_t len = strcspn(p, ",");
		unsigned long port;

		if (len == 0 || len >= sizeof(num)) {
			*reason = "expected tcp:PORT[,PORT...] with ports 1-65535";
			return -1;
		}
		memcpy(num, p, len);
		num[len] = '\0';
		if (str_to_ulong_strict(num, 65535, &port) != 0 || port == 0) {
			*reason = "expected tcp:PORT[,PORT...] with ports 1-65535";
			return -1;
		}
		bool dup = false;
		for (size_t i = 0; i < out->n_ports; i++)
			dup = dup || out->ports[i] == (uint16_t)port;
		if (!dup) {
			if (out->n_ports == NET_MAX_PORTS) {
				*reason = "too many ports";
				return -1;
			}
			out->ports[out->n_ports++] = (uint16_t)port;
		}
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

size_t net_format(const struct net_spec *n, char *out, size_t outsz)
{
	char buf[8 + NET_MAX_PORTS * 6]; /* "tcp:" and ",65535" per port */
	size_t o = 0;

	buf[0] = '\0';
	if (n->mode == NET_ANY) {
		o = (size_t)snprintf(buf, sizeof(buf), "any");
	} else if (n->mode == NET_NONE) {
		o = (size_t)snprintf(buf, sizeof(buf), "none");
	} else {
		o = (size_t)snprintf(buf, sizeof(buf), "tcp:");
		for (size_t i = 0; i < n->n_ports && i < NET_MAX_PORTS; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u", i ? "," : "",
					      (unsigned)n->ports[i]);
	}
	if (outsz > 0)
		snprintf(out, outsz, "%s", buf);
	return o;
}
