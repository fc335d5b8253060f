/* Unit tests for policy/netspec.c: the [sandbox] network value. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "netspec.h"

Test(netspec, parse_good)
{
	static const struct {
		const char *s;
		size_t n;
		enum net_mode mode;
		uint16_t p0, p1;
	} t[] = {
		{ "any", 0, NET_ANY, 0, 0 },
		{ "none", 0, NET_NONE, 0, 0 },
		{ "tcp:5432", 1, NET_TCP, 5432, 0 },
		{ "tcp:5432,3306", 2, NET_TCP, 5432, 3306 },
		{ "tcp:1,65535", 2, NET_TCP, 1, 65535 },
		{ "tcp:443,443", 1, NET_TCP, 443, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct net_spec net;
		const char *reason = NULL;

		cr_assert_eq(net_parse(t[i].s, &net, &reason), 0, "%s: %s",
			     t[i].s, reason ? reason : "");
		cr_expect_eq(net.mode, t[i].mode, "%s", t[i].s);
		cr_expect_eq(net.n_ports, t[i].n, "%s", t[i].s);
		if (t[i].n > 0)
			cr_expect_eq(net.ports[0], t[i].p0, "%s", t[i].s);
		if (t[i].n > 1)
			cr_expect_eq(net.ports[1], t[i].p1, "%s", t[i].s);
	}
}

Test(netspec, parse_bad)
{
	static const char *const bad[] = {
		"", "all", "ANY", "tcp", "tcp:", "tcp:0", "tcp:65536", "tcp:80,",
		"tcp:,80", "tcp: 80", "tcp:80 ", "tcp:080", "tcp:+80", "tcp:-1",
		"TCP:80", "tcp:80;81", "udp:53", "tcp:80,,81", "tcp:1234567",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct net_spec net;
		const char *reason = NULL;

		cr_expect_eq(net_parse(bad[i], &net, &reason), -1, "'%s'", bad[i]);
		cr_expect_not_null(reason, "'%s'", bad[i]);
	}

	/* NET_MAX_PORTS distinct ports are fine, one more is not. */
	char s[512] = "tcp:";
	struct net_spec net;
	const char *reason = NULL;

	for (int p = 1; p <= NET_MAX_PORTS; p++)
		(void)snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%d",
			       p > 1 ? "," : "", p);
	cr_assert_eq(net_parse(s, &net, &reason), 0);
	cr_assert_eq(net.n_ports, NET_MAX_PORTS);
	(void)snprintf(s + strlen(s), sizeof(s) - strlen(s), ",%d", 9999);
	cr_assert_eq(net_parse(s, &net, &reason), -1);
}

Test(netspec, format)
{
	struct net_spec n;
	const char *reason = NULL;
	char out[256], small[8];

	memset(&n, 0, sizeof(n));
	n.mode = NET_ANY;
	cr_expect_eq(net_format(&n, out, sizeof(out)), 3);
	cr_expect_str_eq(out, "any");
	n.mode = NET_NONE;
	cr_expect_eq(net_format(&n, out, sizeof(out)), 4);
	cr_expect_str_eq(out, "none");
	cr_assert_eq(net_parse("tcp:1,22,333,4444,55555", &n, &reason), 0);
	cr_expect_eq(net_format(&n, out, sizeof(out)), 23);
	cr_expect_str_eq(out, "tcp:1,22,333,4444,55555");
	memset(small, 'Z', sizeof(small));
	cr_expect_eq(net_format(&n, small, 6), 23);
	cr_expect_str_eq(small, "tcp:1");
	cr_expect_eq(small[6], 'Z');
	/* the longest form: NET_MAX_PORTS five-digit ports */
	n.n_ports = NET_MAX_PORTS;
	for (size_t k = 0; k < NET_MAX_PORTS; k++)
		n.ports[k] = (uint16_t)(60000 + k);
	cr_expect_eq(net_format(&n, out, sizeof(out)), 4 + NET_MAX_PORTS * 6 - 1);
	cr_expect_eq(strlen(out), 4 + NET_MAX_PORTS * 6 - 1);
	cr_expect_eq(strncmp(out, "tcp:60000,60001,", 16), 0, "%s", out);
}
