/* test_llrules.c - the pure Landlock ruleset construction (llrules.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "llrules.h"
#include "unit_params.h"

#define FS_ALL_ABI1                                                        \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |      \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |      \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |  \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |      \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |      \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |    \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)

static const char *const no_entries[] = { NULL };

static struct ll_input base_input(int abi)
{
	struct ll_input in;

	memset(&in, 0, sizeof(in));
	in.abi = abi;
	in.mode = LL_MODE_REQUIRED;
	in.net.mode = NET_NONE;
	in.interpreter = "/usr/bin/python3.11";
	in.loader = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
	in.tenant_root = "/home/alice/public_html";
	in.tmpdir = "/var/lib/cgijail/tmp/alice";
	in.home = "/home/alice";
	in.read.v = no_entries;
	in.write.v = no_entries;
	in.exec.v = no_entries;
	return in;
}

static void build_ok(const struct ll_input *in, struct ll_ruleset *rs)
{
	const char *reason = NULL, *bad = NULL;
	int rc = ll_build(in, rs, &reason, &bad);

	cr_assert_eq(rc, 0, "ll_build: %s (%s)", reason ? reason : "?",
		     bad ? bad : "-");
}

static const struct ll_rule *must_find(const struct ll_ruleset *rs,
				       const char *path)
{
	const struct ll_rule *r = ll_find_rule(rs, path);

	cr_assert_not_null(r, "no rule for %s", path);
	return r;
}

/* ---- masks per ABI ---------------------------------------------------- */

Test(llrules, masks_per_abi)
{
	/* Fields ordered for packing; ROW() keeps the table in reading order. */
#define ROW(a, f, n, s, fl) { .fs = (f), .net = (n), .scope = (s), .flags = (fl), .abi = (a) }
	static const struct {
		uint64_t fs, net, scope;
		uint32_t flags;
		int abi;
	} t[] = {
		ROW(-1, 0, 0, 0, 0),
		ROW(0, 0, 0, 0, 0),
		ROW(1, FS_ALL_ABI1, 0, 0, 0),
		ROW(2, FS_ALL_ABI1 | LANDLOCK_ACCESS_FS_REFER, 0, 0, 0),
		ROW(3, FS_ALL_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE, 0, 0, 0),
		ROW(4, FS_ALL_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE,
		  LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP, 0, 0),
		ROW(5, FS_ALL_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE |
		  LANDLOCK_ACCESS_FS_IOCTL_DEV,
		  LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP, 0, 0),
		ROW(6, FS_ALL_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE |
		  LANDLOCK_ACCESS_FS_IOCTL_DEV,
		  LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
		  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL, 0),
		ROW(7, FS_ALL_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE |
		  LANDLOCK_ACCESS_FS_IOCTL_DEV,
		  LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
		  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL, 7),
		/* A newer kernel is used as the newest ABI this code knows. */
		ROW(8, FS_ALL_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE |
		  LANDLOCK_ACCESS_FS_IOCTL_DEV,
		  LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
		  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL, 7),
		ROW(99, LL_FS_ABI5, LL_NET_ALL, LL_SCOPE_ALL, 7),
	};
#undef ROW

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_expect_eq(ll_fs_mask(t[i].abi), t[i].fs, "fs mask ABI %d", t[i].abi);
		cr_expect_eq(ll_net_mask(t[i].abi), t[i].net, "net mask ABI %d", t[i].abi);
		cr_expect_eq(ll_scope_mask(t[i].abi), t[i].scope, "scope ABI %d", t[i].abi);
		cr_expect_eq(ll_restrict_flags_mask(t[i].abi), t[i].flags,
			     "restrict flags ABI %d", t[i].abi);
	}
}

Test(llrules, build_per_abi)
{
	static const struct {
		int abi;
		unsigned missing; /* with net none, tmpdir, no audit */
	} t[] = {
		{ 1, LL_MISS_REFER | LL_MISS_TRUNCATE | LL_MISS_NET | LL_MISS_IOCTL | LL_MISS_SCOPE },
		{ 2, LL_MISS_TRUNCATE | LL_MISS_NET | LL_MISS_IOCTL | LL_MISS_SCOPE },
		{ 3, LL_MISS_NET | LL_MISS_IOCTL | LL_MISS_SCOPE },
		{ 4, LL_MISS_IOCTL | LL_MISS_SCOPE },
		{ 5, LL_MISS_SCOPE },
		{ 6, 0 },
		{ 7, 0 },
		{ 12, 0 },
	};
	static struct ll_ruleset rs;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ll_input in = base_input(t[i].abi);
		int abi = t[i].abi > LL_ABI_MAX ? LL_ABI_MAX : t[i].abi;

		build_ok(&in, &rs);
		cr_expect_eq(rs.abi, abi, "ABI %d", t[i].abi);
		cr_expect_eq(rs.handled_fs, ll_fs_mask(abi), "handled fs ABI %d", abi);
		cr_expect_eq(rs.handled_net, ll_net_mask(abi), "handled net ABI %d", abi);
		cr_expect_eq(rs.scoped, ll_scope_mask(abi), "scoped ABI %d", abi);
		cr_expect_eq(rs.restrict_flags, 0U, "no audit: no flags ABI %d", abi);
		cr_expect_eq(rs.missing, t[i].missing, "missing ABI %d: %#x", abi,
			     rs.missing);
		/* No rule may carry a right the ABI does not handle. */
		for (size_t j = 0; j < rs.n_rules; j++)
			cr_expect_eq(rs.rules[j].access & ~rs.handled_fs, 0,
				     "ABI %d rule %s", abi,
				     ll_rule_path(&rs, &rs.rules[j]));

		const struct ll_rule *tmp = must_find(&rs, in.tmpdir);
		cr_expect_eq(!!(tmp->access & LANDLOCK_ACCESS_FS_TRUNCATE), abi >= 3,
			     "tmpdir TRUNCATE iff ABI >= 3 (ABI %d)", abi);
		cr_expect_eq(!!(tmp->access & LANDLOCK_ACCESS_FS_REFER), abi >= 2,
			     "tmpdir REFER iff ABI >= 2 (ABI %d)", abi);
		cr_expect_eq(must_find(&rs, "/dev/null")->access,
			     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
			     "/dev/null read+write (ABI %d)", abi);
		for (size_t j = 0; j < rs.n_rules; j++)
			cr_expect_eq(rs.rules[j].access & LANDLOCK_ACCESS_FS_IOCTL_DEV, 0,
				     "no rule grants device ioctls: %s",
				     ll_rule_path(&rs, &rs.rules[j]));
	}
}

Test(llrules, build_refuses_no_landlock)
{
	static struct ll_ruleset rs;
	struct ll_input in = base_input(0);
	const char *reason = NULL, *bad = NULL;

	cr_assert_eq(ll_build(&in, &rs, &reason, &bad), -1);
	cr_assert_not_null(reason);
}

Test(llrules, audit_flag)
{
	static struct ll_ruleset rs;
	struct ll_input in = base_input(7);

	in.audit = true;
	build_ok(&in, &rs);
	cr_assert_eq(rs.restrict_flags, LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON);
	cr_assert_eq(rs.missing & LL_MISS_AUDIT, 0);
	in.abi = 6;
	build_ok(&in, &rs);
	cr_assert_eq(rs.restrict_flags, 0U);
	cr_assert_neq(rs.missing & LL_MISS_AUDIT, 0);
}

/* ---- network ------------------------------------------------------------ */


Test(llrules, network_modes)
{
	static const struct {
		const char *net;
		uint64_t handled;
		size_t n_ports;
		int abi;
		bool miss;
	} t[] = {
		{ "any", 0, 0, 7, false },
		{ "none", LL_NET_ALL, 0, 7, false },
		{ "tcp:5432,3306", LL_NET_ALL, 2, 7, false },
		{ "tcp:5432,3306", LL_NET_ALL, 2, 4, false },
		{ "any", 0, 0, 3, false },
		{ "none", 0, 0, 3, true },
		{ "tcp:5432,3306", 0, 0, 3, true },
		{ "none", 0, 0, 2, true },
	};
	static struct ll_ruleset rs;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ll_input in = base_input(t[i].abi);
		const char *reason = NULL;

		cr_assert_eq(net_parse(t[i].net, &in.net, &reason), 0);
		/* tcp: below ABI 4 is only built with best-effort (see
		 * net_refusal_per_abi) */
		in.mode = LL_MODE_BEST_EFFORT;
		build_ok(&in, &rs);
		cr_expect_eq(rs.handled_net, t[i].handled, "%s ABI %d", t[i].net, t[i].abi);
		cr_expect_eq(rs.n_ports, t[i].n_ports, "%s ABI %d", t[i].net, t[i].abi);
		cr_expect_eq(!!(rs.missing & LL_MISS_NET), t[i].miss, "%s ABI %d",
			     t[i].net, t[i].abi);
		if (t[i].n_ports == 2) {
			cr_expect_eq(rs.ports[0], 5432);
			cr_expect_eq(rs.ports[1], 3306);
		}
	}
}

/* network = tcp: without ABI 4: required refuses, best-effort notes the
 * gap; none (seccomp's too) and any never refuse.  Every ABI 1..7 (and a
 * newer kernel, clamped) x every network kind x both modes. */
#define NET_REFUSAL "network = tcp: needs Landlock ABI 4 (Linux 6.7) to restrict " \
		    "TCP ports, and landlock = required"

static const struct {
	const char *net;
	enum ll_mode mode;
	int abi;
	bool refused;   /* ll_net_refusal() and ll_build() refuse */
	bool miss;      /* else: LL_MISS_NET noted */
} net_refusal_cases[] = {
#define NR_ROWS(abi, tcp_refused, gap)                                        \
	{ "none", LL_MODE_REQUIRED, abi, false, gap },                        \
	{ "none", LL_MODE_BEST_EFFORT, abi, false, gap },                     \
	{ "any", LL_MODE_REQUIRED, abi, false, false },                       \
	{ "any", LL_MODE_BEST_EFFORT, abi, false, false },                    \
	{ "tcp:5432", LL_MODE_REQUIRED, abi, tcp_refused, false },            \
	{ "tcp:5432", LL_MODE_BEST_EFFORT, abi, false, gap },                 \
	{ "tcp:443,5432,3306", LL_MODE_REQUIRED, abi, tcp_refused, false },   \
	{ "tcp:443,5432,3306", LL_MODE_BEST_EFFORT, abi, false, gap }
	NR_ROWS(1, true, true),
	NR_ROWS(2, true, true),
	NR_ROWS(3, true, true),
	NR_ROWS(4, false, false),
	NR_ROWS(5, false, false),
	NR_ROWS(6, false, false),
	NR_ROWS(7, false, false),
	NR_ROWS(8, false, false),
	NR_ROWS(99, false, false),
#undef NR_ROWS
};

ParameterizedTestParameters(llrules, net_refusal_per_abi)
{
	INDEX_PARAMS(net_refusal_cases);
}

ParameterizedTest(size_t *i, llrules, net_refusal_per_abi)
{
	static struct ll_ruleset rs;
	struct ll_input in = base_input(net_refusal_cases[*i].abi);
	const char *reason = NULL, *bad = NULL;
	const char *net = net_refusal_cases[*i].net;
	int abi = net_refusal_cases[*i].abi;

	cr_assert_eq(net_parse(net, &in.net, &reason), 0);
	in.mode = net_refusal_cases[*i].mode;
	const char *why = ll_net_refusal(abi, in.mode, in.net.mode);
	int rc = ll_build(&in, &rs, &reason, &bad);

	if (net_refusal_cases[*i].refused) {
		cr_assert_str_eq(why ? why : "(accepted)", NET_REFUSAL, "%s ABI %d", net, abi);
		cr_assert_eq(rc, -1, "%s ABI %d built", net, abi);
		cr_assert_str_eq(reason ? reason : "(none)", NET_REFUSAL);
		cr_assert_null(bad);
	} else {
		cr_assert_null(why, "%s ABI %d mode %d: %s", net, abi, (int)in.mode, why);
		cr_assert_eq(rc, 0, "%s ABI %d: %s", net, abi, reason ? reason : "?");
		cr_assert_eq(!!(rs.missing & LL_MISS_NET), net_refusal_cases[*i].miss,
			     "%s ABI %d mode %d", net, abi, (int)in.mode);
	}
}

/* ---- file versus directory rights --------------------------------------- */

Test(llrules, access_for_type)
{
	uint64_t all = LL_FS_ABI5;

	cr_assert_eq(ll_access_for_type(all, true), all);
	cr_assert_eq(ll_access_for_type(all, false), LL_ACCESS_FILE);
	cr_assert_eq(ll_access_for_type(LL_RO, false), LANDLOCK_ACCESS_FS_READ_FILE);
	cr_assert_eq(ll_access_for_type(LL_RW, false),
		     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		     LANDLOCK_ACCESS_FS_TRUNCATE);
	cr_assert_eq(ll_access_for_type(LANDLOCK_ACCESS_FS_READ_DIR |
					LANDLOCK_ACCESS_FS_MAKE_REG, false), 0);
}

Test(llrules, rule_rights)
{
	static struct ll_ruleset rs;
	static const char *const rd[] = { "/srv/shared", "~/data" };
	static const char *const wr[] = { "~/var" };
	static const char *const ex[] = { "/usr/bin/convert" };
	struct ll_input in = base_input(7);

	in.read.v = rd;
	in.read.n = 2;
	in.write.v = wr;
	in.write.n = 1;
	in.exec.v = ex;
	in.exec.n = 1;
	build_ok(&in, &rs);

	const struct ll_rule *r = must_find(&rs, "/usr/bin/python3.11");
	cr_expect_eq(r->access, LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE);
	cr_expect(r->file && !r->optional && !r->nofollow);
	cr_expect_eq(r->src, LL_SRC_INTERPRETER);
	r = must_find(&rs, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
	cr_expect_eq(r->access, LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE);
	cr_expect(r->file && !r->optional);
	cr_expect_eq(r->src, LL_SRC_LOADER);

	r = must_find(&rs, "/home/alice/public_html");
	cr_expect_eq(r->access, LL_RO);
	cr_expect(!r->file && !r->optional && r->nofollow);
	r = must_find(&rs, "/var/lib/cgijail/tmp/alice");
	cr_expect_eq(r->access, LL_RW);
	cr_expect_eq(r->access & LANDLOCK_ACCESS_FS_EXECUTE, 0);
	cr_expect_eq(r->access & (LANDLOCK_ACCESS_FS_MAKE_CHAR |
				  LANDLOCK_ACCESS_FS_MAKE_BLOCK), 0);
	cr_expect(r->nofollow && !r->optional);

	r = must_find(&rs, "/srv/shared");
	cr_expect_eq(r->access, LL_RO);
	cr_expect_eq(r->src, LL_SRC_READ);
	cr_expect(r->nofollow && !r->optional);
	r = must_find(&rs, "/home/alice/data");
	cr_expect_eq(r->src, LL_SRC_READ);
	r = must_find(&rs, "/home/alice/var");
	cr_expect_eq(r->access, LL_RW);
	cr_expect_eq(r->src, LL_SRC_WRITE);
	r = must_find(&rs, "/usr/bin/convert");
	cr_expect_eq(r->access, LL_RO | LANDLOCK_ACCESS_FS_EXECUTE);
	cr_expect_eq(r->src, LL_SRC_EXEC);

	/* EXECUTE only for the interpreter, the loader and exec= entries. */
	for (size_t i = 0; i < rs.n_rules; i++) {
		const struct ll_rule *x = &rs.rules[i];

		if (x->access & LANDLOCK_ACCESS_FS_EXECUTE)
			cr_expect(x->src == LL_SRC_INTERPRETER ||
				  x->src == LL_SRC_LOADER || x->src == LL_SRC_EXEC,
				  "%s may execute", ll_rule_path(&rs, x));
		if (x->file)
			cr_expect_eq(x->access & ~LL_ACCESS_FILE, 0,
				     "file rule %s has directory rights",
				     ll_rule_path(&rs, x));
	}
}

Test(llrules, loader_default_and_none)
{
	static struct ll_ruleset rs;
	struct ll_input in = base_input(7);

	in.loader = NULL;
	build_ok(&in, &rs);
	cr_assert_eq(must_find(&rs, LL_DEFAULT_LOADER)->src, LL_SRC_LOADER);
	in.loader = "";
	build_ok(&in, &rs);
	for (size_t i = 0; i < rs.n_rules; i++)
		cr_expect_neq(rs.rules[i].src, LL_SRC_LOADER);
	in.tmpdir = NULL;
	build_ok(&in, &rs);
	for (size_t i = 0; i < rs.n_rules; i++)
		cr_expect_neq(rs.rules[i].src, LL_SRC_TMPDIR);
	cr_expect_eq(rs.missing & LL_MISS_REFER, 0);
}

/* ---- defaults ------------------------------------------------------------ */

Test(llrules, defaults_present)
{
	static const char *const ro_dirs[] = { "/usr", "/lib", "/lib64", "/etc/ssl/certs" };
	static const char *const ro_files[] = {
		"/etc/ld.so.cache", "/etc/locale.alias", "/etc/ssl/openssl.cnf",
		"/etc/localtime",
		"/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf",
		"/etc/passwd", "/etc/group", "/etc/mime.types", "/dev/zero",
		"/dev/urandom", "/dev/random",
	};
	static const char *const absent[] = {
		"/", "/proc", "/etc", "/etc/ssl", "/etc/ssl/private", "/tmp",
		"/var/tmp", "/dev/shm", "/dev", "/home", "/root", "/sys", "/run",
		"/etc/shadow",
	};
	static struct ll_ruleset rs;
	struct ll_input in = base_input(7);

	build_ok(&in, &rs);
	for (size_t i = 0; i < sizeof(ro_dirs) / sizeof(ro_dirs[0]); i++) {
		const struct ll_rule *r = must_find(&rs, ro_dirs[i]);

		cr_expect_eq(r->access, LL_RO, "%s", ro_dirs[i]);
		cr_expect(r->optional && !r->nofollow && !r->file, "%s", ro_dirs[i]);
		cr_expect_eq(r->src, LL_SRC_DEFAULT);
	}
	for (size_t i = 0; i < sizeof(ro_files) / sizeof(ro_files[0]); i++) {
		const struct ll_rule *r = must_find(&rs, ro_files[i]);

		cr_expect_eq(r->access, LANDLOCK_ACCESS_FS_READ_FILE, "%s", ro_files[i]);
		cr_expect(r->optional && !r->nofollow && r->file, "%s", ro_files[i]);
	}
	cr_expect_eq(must_find(&rs, "/dev/null")->access,
		     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		cr_expect_null(ll_find_rule(&rs, absent[i]), "%s must not be a rule",
			       absent[i]);
	/* Only the system paths are optional. */
	for (size_t i = 0; i < rs.n_rules; i++)
		cr_expect_eq(rs.rules[i].optional, rs.rules[i].src == LL_SRC_DEFAULT,
			     "%s", ll_rule_path(&rs, &rs.rules[i]));
}

/* ---- path checks ---------------------------------------------------------- */

Test(llrules, build_errors)
{
	static struct ll_ruleset rs;
	static const char *const bad_rel[] = { "data" };
	static const char *const bad_user[] = { "~bob/data" };
	static const char *const has_null[] = { NULL };
	static const struct {
		const char *field;
		const char *value;
	} t[] = {
		{ "interpreter", NULL },
		{ "interpreter", "python3" },
		{ "loader", "lib64/ld.so" },
		{ "tenant_root", NULL },
		{ "tenant_root", "/home/alice/" },
		{ "tmpdir", "/tmp/../etc" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ll_input in = base_input(7);
		const char *reason = NULL, *bad = NULL;

		if (strcmp(t[i].field, "interpreter") == 0)
			in.interpreter = t[i].value;
		else if (strcmp(t[i].field, "loader") == 0)
			in.loader = t[i].value;
		else if (strcmp(t[i].field, "tenant_root") == 0)
			in.tenant_root = t[i].value;
		else
			in.tmpdir = t[i].value;
		cr_expect_eq(ll_build(&in, &rs, &reason, &bad), -1, "%s=%s",
			     t[i].field, t[i].value ? t[i].value : "NULL");
		cr_expect_eq(bad, t[i].value, "%s", t[i].field);
	}

	struct ll_input in = base_input(7);
	const char *reason = NULL, *bad = NULL;

	in.read.v = bad_rel;
	in.read.n = 1;
	cr_expect_eq(ll_build(&in, &rs, &reason, &bad), -1);
	cr_expect_eq(bad, bad_rel[0]);
	in.read.v = bad_user;
	cr_expect_eq(ll_build(&in, &rs, &reason, &bad), -1);
	cr_expect_eq(bad, bad_user[0]);
	in.read.v = has_null;
	cr_expect_eq(ll_build(&in, &rs, &reason, &bad), -1);
	in.read.n = 0;
	in.home = NULL;
	in.write.v = (const char *const[]){ "~/x" };
	in.write.n = 1;
	cr_expect_eq(ll_build(&in, &rs, &reason, &bad), -1, "~ without home");
	in.write.n = 0;
	in.mode = (enum ll_mode)42;
	cr_expect_eq(ll_build(&in, &rs, &reason, &bad), -1, "bad mode");
}

Test(llrules, too_many_rules)
{
	static struct ll_ruleset rs;
	static char names[LL_MAX_RULES][16];
	static const char *v[LL_MAX_RULES];
	struct ll_input in = base_input(7);
	const char *reason = NULL, *bad = NULL;

	for (size_t i = 0; i < LL_MAX_RULES; i++) {
		(void)snprintf(names[i], sizeof(names[i]), "/srv/%zu", i);
		v[i] = names[i];
	}
	in.read.v = v;
	in.read.n = LL_MAX_RULES;
	cr_assert_eq(ll_build(&in, &rs, &reason, &bad), -1);
	cr_assert_not_null(bad);
	in.read.n = 64;
	build_ok(&in, &rs);
	cr_assert_not_null(ll_find_rule(&rs, "/srv/63"));
}

/* ---- small helpers ------------------------------------------------------- */

Test(llrules, parse_mode)
{
	enum ll_mode m;

	cr_assert_eq(ll_parse_mode("required", &m), 0);
	cr_assert_eq(m, LL_MODE_REQUIRED);
	cr_assert_eq(ll_parse_mode("best-effort", &m), 0);
	cr_assert_eq(m, LL_MODE_BEST_EFFORT);
	cr_assert_eq(ll_parse_mode("Required", &m), -1);
	cr_assert_eq(ll_parse_mode("", &m), -1);
	cr_assert_eq(ll_parse_mode("best_effort", &m), -1);
}

Test(llrules, describe_missing)
{
	static struct ll_ruleset rs;
	struct ll_input in = base_input(2);
	char buf[512];

	build_ok(&in, &rs);
	ll_describe_missing(&rs, buf, sizeof(buf));
	cr_assert_str_eq(buf, "truncate not restricted (ABI 2 < 3), "
			      "TCP not restricted (ABI 2 < 4), "
			      "device ioctls not restricted (ABI 2 < 5), "
			      "abstract unix sockets and signals not scoped (ABI 2 < 6)");
	char small[10];
	size_t n = ll_describe_missing(&rs, small, sizeof(small));
	cr_assert_eq(n, sizeof(small) - 1);
	cr_assert_eq(strlen(small), sizeof(small) - 1);

	in.abi = 7;
	build_ok(&in, &rs);
	cr_assert_eq(ll_describe_missing(&rs, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_str_eq(ll_source_name(LL_SRC_TENANT_ROOT), "tenant root");
}
