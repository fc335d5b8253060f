/* test_cglimits.c - the pure half of the cgroup module (cglimits.c):
 * limit formatting per version, bounds, parsing of what cgroup files say,
 * naming rules.  Table-driven. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "cglimits.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cgl_format ---------------------------------------------------------- */

struct fmt_row { /* NOLINT(clang-analyzer-optin.performance.Padding): a test table */
	enum cg_version v;
	enum cg_ctrl c;
	struct cg_limits l;
	int n;                       /* expected return */
	const char *file[2], *value[2];
	bool optional[2];
};

static const struct fmt_row fmt_rows[] = {
	/* memory v2 */
	{ CG_V2, CG_MEMORY, { 256u << 20, 0, 0 }, 2,
	  { "memory.max", "memory.swap.max" }, { "268435456", "0" }, { false, true } },
	{ CG_V2, CG_MEMORY, { 0, 0, 0 }, 2,
	  { "memory.max", "memory.swap.max" }, { "max", "max" }, { false, true } },
	{ CG_V2, CG_MEMORY, { 1, 0, 0 }, 2,
	  { "memory.max", "memory.swap.max" }, { "1", "0" }, { false, true } },
	{ CG_V2, CG_MEMORY, { (uint64_t)INT64_MAX - 1, 0, 0 }, 2,
	  { "memory.max", "memory.swap.max" }, { "9223372036854775806", "0" }, { false, true } },
	{ CG_V2, CG_MEMORY, { (uint64_t)INT64_MAX, 0, 0 }, -1, { 0 }, { 0 }, { 0 } },
	{ CG_V2, CG_MEMORY, { UINT64_MAX, 0, 0 }, -1, { 0 }, { 0 }, { 0 } },
	/* memory v1: limit first, then memsw (optional) */
	{ CG_V1, CG_MEMORY, { 32u << 20, 0, 0 }, 2,
	  { "memory.limit_in_bytes", "memory.memsw.limit_in_bytes" },
	  { "33554432", "33554432" }, { false, true } },
	{ CG_V1, CG_MEMORY, { 0, 0, 0 }, 2,
	  { "memory.limit_in_bytes", "memory.memsw.limit_in_bytes" },
	  { "-1", "-1" }, { false, true } },
	{ CG_V1, CG_MEMORY, { (uint64_t)INT64_MAX, 0, 0 }, -1, { 0 }, { 0 }, { 0 } },
	/* pids: same on both versions */
	{ CG_V2, CG_PIDS, { 0, 32, 0 }, 1, { "pids.max" }, { "32" }, { false } },
	{ CG_V1, CG_PIDS, { 0, 32, 0 }, 1, { "pids.max" }, { "32" }, { false } },
	{ CG_V1, CG_PIDS, { 0, 0, 0 }, 1, { "pids.max" }, { "max" }, { false } },
	{ CG_V2, CG_PIDS, { 0, 1, 0 }, 1, { "pids.max" }, { "1" }, { false } },
	{ CG_V2, CG_PIDS, { 0, INT32_MAX, 0 }, 1, { "pids.max" }, { "2147483647" }, { false } },
	{ CG_V2, CG_PIDS, { 0, (uint64_t)INT32_MAX + 1, 0 }, -1, { 0 }, { 0 }, { 0 } },
	/* cpu v2: one file, "<quota> <period>" */
	{ CG_V2, CG_CPU, { 0, 0, 100 }, 1, { "cpu.max" }, { "100000 100000" }, { false } },
	{ CG_V2, CG_CPU, { 0, 0, 50 }, 1, { "cpu.max" }, { "50000 100000" }, { false } },
	{ CG_V2, CG_CPU, { 0, 0, 1 }, 1, { "cpu.max" }, { "1000 100000" }, { false } },
	{ CG_V2, CG_CPU, { 0, 0, 250 }, 1, { "cpu.max" }, { "250000 100000" }, { false } },
	{ CG_V2, CG_CPU, { 0, 0, 0 }, 1, { "cpu.max" }, { "max 100000" }, { true } },
	{ CG_V2, CG_CPU, { 0, 0, CG_CPU_PERCENT_MAX }, 1, { "cpu.max" },
	  { "100000000 100000" }, { false } },
	{ CG_V2, CG_CPU, { 0, 0, CG_CPU_PERCENT_MAX + 1 }, -1, { 0 }, { 0 }, { 0 } },
	/* cpu v1: period first, then quota */
	{ CG_V1, CG_CPU, { 0, 0, 100 }, 2, { "cpu.cfs_period_us", "cpu.cfs_quota_us" },
	  { "100000", "100000" }, { false, false } },
	{ CG_V1, CG_CPU, { 0, 0, 50 }, 2, { "cpu.cfs_period_us", "cpu.cfs_quota_us" },
	  { "100000", "50000" }, { false, false } },
	{ CG_V1, CG_CPU, { 0, 0, 0 }, 2, { "cpu.cfs_period_us", "cpu.cfs_quota_us" },
	  { "100000", "-1" }, { true, true } },
	{ CG_V1, CG_CPU, { 0, 0, CG_CPU_PERCENT_MAX + 1 }, -1, { 0 }, { 0 }, { 0 } },
	/* freezer: nothing to write */
	{ CG_V1, CG_FREEZER, { 1, 1, 1 }, 0, { 0 }, { 0 }, { 0 } },
	{ CG_V2, CG_FREEZER, { 1, 1, 1 }, 0, { 0 }, { 0 }, { 0 } },
	/* bad version / controller */
	{ (enum cg_version)0, CG_MEMORY, { 1, 1, 1 }, -1, { 0 }, { 0 }, { 0 } },
	{ (enum cg_version)3, CG_PIDS, { 1, 1, 1 }, -1, { 0 }, { 0 }, { 0 } },
	{ CG_V2, CG_NCTRL, { 1, 1, 1 }, -1, { 0 }, { 0 }, { 0 } },
	{ CG_V2, (enum cg_ctrl)-1, { 1, 1, 1 }, -1, { 0 }, { 0 }, { 0 } },
};

Test(cglimits, format_table)
{
	for (size_t i = 0; i < N(fmt_rows); i++) {
		const struct fmt_row *r = &fmt_rows[i];
		struct cg_setting s[CG_SETTINGS_MAX];
		int n = cgl_format(r->v, r->c, &r->l, s);

		cr_assert_eq(n, r->n, "row %zu: returned %d, want %d", i, n, r->n);
		for (int j = 0; j < n; j++) {
			cr_assert_str_eq(s[j].file, r->file[j], "row %zu setting %d", i, j);
			cr_assert_str_eq(s[j].value, r->value[j], "row %zu setting %d", i, j);
			cr_assert_eq(s[j].optional, r->optional[j], "row %zu setting %d", i, j);
		}
	}
}

Test(cglimits, format_null)
{
	struct cg_setting s[CG_SETTINGS_MAX];
	struct cg_limits l = { 1, 1, 1 };

	cr_assert_eq(cgl_format(CG_V2, CG_MEMORY, NULL, s), -1);
	cr_assert_eq(cgl_format(CG_V2, CG_MEMORY, &l, NULL), -1);
}

/* ---- cgl_same_value ------------------------------------------------------- */

static const struct {
	const char *file, *cur, *want;
	bool same;
} same_rows[] = {
	{ "pids.max", "32\n", "32", true },
	{ "pids.max", "32", "32", true },
	{ "pids.max", "max\n", "max", true },
	{ "pids.max", "33\n", "32", false },
	{ "pids.max", "4096\n", "5000", false },  /* no page rounding outside memory.* */
	{ "cpu.max", "max 100000\n", "max 100000", true },
	{ "cpu.max", "50000 100000\n", "max 100000", false },
	{ "cpu.cfs_quota_us", "-1\n", "-1", true },
	{ "cpu.cfs_quota_us", "100000\n", "-1", false },
	{ "memory.max", "268435456\n", "268435456", true },
	{ "memory.max", "max\n", "max", true },
	{ "memory.max", "max\n", "268435456", false },
	/* rounded down to a page */
	{ "memory.limit_in_bytes", "1048576\n", "1049000", true },
	{ "memory.limit_in_bytes", "1048576\n", "1048576", true },
	{ "memory.limit_in_bytes", "1048576\n", "1048575", false },
	{ "memory.limit_in_bytes", "1048576\n", "1114112", false }, /* 64 KiB more */
	{ "memory.limit_in_bytes", "1048577\n", "1049000", false }, /* not aligned */
	/* v1 unlimited */
	{ "memory.limit_in_bytes", "9223372036854771712\n", "-1", true },
	{ "memory.memsw.limit_in_bytes", "9223372036854710272\n", "-1", true },
	{ "memory.limit_in_bytes", "268435456\n", "-1", false },
	{ "memory.swap.max", "0\n", "0", true },
	{ "memory.swap.max", "max\n", "0", false },
	{ "memory.max", "\n", "0", false },
	{ "memory.max", "garbage\n", "1", false },
	{ "memory.max", "", "", true },
};

Test(cglimits, same_value_table)
{
	for (size_t i = 0; i < N(same_rows); i++)
		cr_assert_eq(cgl_same_value(same_rows[i].file, same_rows[i].cur,
					    same_rows[i].want), same_rows[i].same,
			     "row %zu: %s %s vs %s", i, same_rows[i].file,
			     same_rows[i].cur, same_rows[i].want);
	cr_assert(!cgl_same_value(NULL, "1", "1"));
	cr_assert(!cgl_same_value("pids.max", NULL, "1"));
	cr_assert(!cgl_same_value("pids.max", "1", NULL));
}

/* ---- cgl_parse_u64 -------------------------------------------------------- */

static const struct {
	const char *in;
	int rc;
	uint64_t v;
} u64_rows[] = {
	{ "0", 0, 0 },
	{ "0\n", 0, 0 },
	{ "123\n", 0, 123 },
	{ "max", 0, UINT64_MAX },
	{ "max\n", 0, UINT64_MAX },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709551616", -1, 0 },
	{ "99999999999999999999", -1, 0 },
	{ "", -1, 0 },
	{ "\n", -1, 0 },
	{ "-1", -1, 0 },
	{ "+1", -1, 0 },
	{ " 1", -1, 0 },
	{ "1 ", -1, 0 },
	{ "1\n\n", -1, 0 },
	{ "12a", -1, 0 },
	{ "maxx", -1, 0 },
	{ "ma", -1, 0 },
};

Test(cglimits, parse_u64_table)
{
	for (size_t i = 0; i < N(u64_rows); i++) {
		uint64_t v = 42;
		int rc = cgl_parse_u64(u64_rows[i].in, &v);

		cr_assert_eq(rc, u64_rows[i].rc, "row %zu (%s)", i, u64_rows[i].in);
		if (rc == 0)
			cr_assert_eq(v, u64_rows[i].v, "row %zu", i);
		else
			cr_assert_eq(v, 42, "row %zu: output touched on error", i);
	}
	cr_assert_eq(cgl_parse_u64(NULL, &(uint64_t){ 0 }), -1);
	cr_assert_eq(cgl_parse_u64("1", NULL), -1);
}

/* ---- cgl_find_key: the kernel's key-value files ----------------------------- */

static const char memory_events_v2[] =
	"low 0\nhigh 0\nmax 17\noom 2\noom_kill 1\noom_group_kill 0\n";
static const char oom_control_v1[] =
	"oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
static const char cpu_stat_v2[] =
	"usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n"
	"nr_periods 0\nnr_throttled 0\nthrottled_usec 0\n";
static const char cgroup_events[] = "populated 1\nfrozen 0\n";
static const char pids_events[] = "max 5\n";

static const struct {
	const char *text, *key;
	int rc;
	uint64_t v;
} key_rows[] = {
	{ memory_events_v2, "oom_kill", 0, 1 },
	{ memory_events_v2, "oom", 0, 2 },            /* not "oom_kill" */
	{ memory_events_v2, "max", 0, 17 },
	{ memory_events_v2, "oom_group_kill", 0, 0 },
	{ memory_events_v2, "kill", -2, 0 },
	{ oom_control_v1, "oom_kill", 0, 3 },         /* not "oom_kill_disable" */
	{ oom_control_v1, "oom_kill_disable", 0, 0 },
	{ oom_control_v1, "under_oom", 0, 0 },
	{ cpu_stat_v2, "usage_usec", 0, 123456 },
	{ cpu_stat_v2, "system_usec", 0, 23456 },
	{ cpu_stat_v2, "usec", -2, 0 },
	{ cgroup_events, "populated", 0, 1 },
	{ "populated 0\nfrozen 0\n", "populated", 0, 0 },
	{ cgroup_events, "frozen", 0, 0 },
	{ pids_events, "max", 0, 5 },
	{ "max 5", "max", 0, 5 },                     /* no final newline */
	{ "", "max", -2, 0 },
	{ "max\n", "max", -2, 0 },                    /* no value: not the key line */
	{ "max \n", "max", -1, 0 },                   /* empty value */
	{ "max x\n", "max", -1, 0 },
	{ "max 1 2\n", "max", -1, 0 },
	{ "max 123456789012345678901234567890123\n", "max", -1, 0 },
	{ " max 1\n", "max", -2, 0 },
	{ "maxi 1\nmax 2\n", "max", 0, 2 },
};

Test(cglimits, find_key_table)
{
	for (size_t i = 0; i < N(key_rows); i++) {
		uint64_t v = 99;
		int rc = cgl_find_key(key_rows[i].text, key_rows[i].key, &v);

		cr_assert_eq(rc, key_rows[i].rc, "row %zu (%s): %d", i, key_rows[i].key, rc);
		if (rc == 0)
			cr_assert_eq(v, key_rows[i].v, "row %zu", i);
	}
	cr_assert_eq(cgl_find_key(NULL, "a", &(uint64_t){ 0 }), -1);
	cr_assert_eq(cgl_find_key("a 1", "", &(uint64_t){ 0 }), -1);
	cr_assert_eq(cgl_find_key("a 1", "a", NULL), -1);
}

/* ---- cgl_has_word ------------------------------------------------------------ */

static const struct {
	const char *text, *word;
	bool has;
} word_rows[] = {
	{ "cpuset cpu io memory hugetlb pids rdma misc\n", "cpu", true },
	{ "cpuset cpu io memory hugetlb pids rdma misc\n", "memory", true },
	{ "cpuset cpu io memory hugetlb pids rdma misc\n", "misc", true },
	{ "cpuset io memory\n", "cpu", false },  /* only a prefix of cpuset */
	{ "memory pids", "pids", true },
	{ "memory pids", "pid", false },
	{ "mymemory", "memory", false },
	{ "", "memory", false },
	{ "\n", "memory", false },
	{ "memory", "", false },
};

Test(cglimits, has_word_table)
{
	for (size_t i = 0; i < N(word_rows); i++)
		cr_assert_eq(cgl_has_word(word_rows[i].text, word_rows[i].word),
			     word_rows[i].has, "row %zu", i);
	cr_assert(!cgl_has_word(NULL, "a"));
	cr_assert(!cgl_has_word("a", NULL));
}

/* ---- cgl_parse_pids ----------------------------------------------------------- */

static const struct {
	const char *text;
	size_t max;
	int rc;
	pid_t p[4];
} pids_rows[] = {
	{ "", 8, 0, { 0 } },
	{ "1\n", 8, 1, { 1 } },
	{ "123\n456\n", 8, 2, { 123, 456 } },
	{ "123\n456", 8, 2, { 123, 456 } },
	{ "1\n2\n3\n4\n", 2, 2, { 1, 2 } },             /* capped */
	{ "2147483647\n", 8, 1, { 2147483647 } },
	{ "2147483648\n", 8, -1, { 0 } },
	{ "99999999999999999999\n", 8, -1, { 0 } },
	{ "0\n", 8, -1, { 0 } },
	{ "-1\n", 8, -1, { 0 } },
	{ "1 2\n", 8, -1, { 0 } },
	{ "1\n\n2\n", 8, -1, { 0 } },
	{ "a\n", 8, -1, { 0 } },
	{ "12x\n", 8, -1, { 0 } },
};

Test(cglimits, parse_pids_table)
{
	for (size_t i = 0; i < N(pids_rows); i++) {
		pid_t out[8] = { 0 };
		int rc = cgl_parse_pids(pids_rows[i].text, out, pids_rows[i].max);

		cr_assert_eq(rc, pids_rows[i].rc, "row %zu: %d", i, rc);
		for (int j = 0; j < rc; j++)
			cr_assert_eq(out[j], pids_rows[i].p[j], "row %zu pid %d", i, j);
	}
	cr_assert_eq(cgl_parse_pids(NULL, NULL, 0), -1);
	cr_assert_eq(cgl_parse_pids("1\n", NULL, 0), 0);
}

/* ---- cgl_freezer_state ---------------------------------------------------------- */

static const struct {
	const char *text;
	enum cg_freezer_state st;
} frz_rows[] = {
	{ "THAWED\n", CGF_THAWED },
	{ "FREEZING\n", CGF_FREEZING },
	{ "FROZEN\n", CGF_FROZEN },
	{ "FROZEN", CGF_FROZEN },
	{ "frozen\n", CGF_INVALID },
	{ "FROZEN \n", CGF_INVALID },
	{ "", CGF_INVALID },
	{ "THAWEDTHAWEDTHAWED\n", CGF_INVALID },
};

Test(cglimits, freezer_state_table)
{
	for (size_t i = 0; i < N(frz_rows); i++)
		cr_assert_eq(cgl_freezer_state(frz_rows[i].text), frz_rows[i].st, "row %zu", i);
	cr_assert_eq(cgl_freezer_state(NULL), CGF_INVALID);
}

/* ---- names ------------------------------------------------------------------------ */

static const struct {
	const char *user;
	size_t size;
	const char *dir; /* NULL: refused */
} tenant_rows[] = {
	{ "alice", 40, "alice" },
	{ "cjt-web.1", 40, "cjt-web.1" },
	{ "www-data", 40, "www-data" },
	{ "tasks", 40, "_tasks" },
	{ "notify_on_release", 40, "_notify_on_release" },
	{ "release_agent", 40, "_release_agent" },
	{ "_svc", 40, "__svc" },
	{ "cgroup.procs", 40, "_cgroup.procs" },
	{ "memory.max", 40, "_memory.max" },
	{ "cpu.x", 40, "_cpu.x" },
	{ "cpuset.cpus", 40, "_cpuset.cpus" },
	{ "pids.max", 40, "_pids.max" },
	{ "freezer.state", 40, "_freezer.state" },
	{ "io.max", 40, "_io.max" },
	{ "mem.x", 40, "mem.x" },                /* not a controller */
	{ "system.slice", 40, "system.slice" },
	{ "taskset", 40, "taskset" },
	{ "a", 2, "a" },
	{ "ab", 2, NULL },                       /* does not fit */
	{ "tasks", 6, NULL },                    /* escaped does not fit */
	{ "", 40, NULL },
	{ "..", 40, NULL },
	{ ".hidden", 40, NULL },
	{ "a/b", 40, NULL },
	{ "Alice Smith", 40, NULL },
	{ "0day", 40, NULL },
	{ "abcdefghijklmnopqrstuvwxyz0123456", 40, NULL }, /* 33 chars */
};

Test(cglimits, tenant_dir_table)
{
	for (size_t i = 0; i < N(tenant_rows); i++) {
		char out[64] = "untouched";
		int rc = cgl_tenant_dir(tenant_rows[i].user, out, tenant_rows[i].size);

		if (tenant_rows[i].dir == NULL) {
			cr_assert_eq(rc, -1, "row %zu (%s)", i, tenant_rows[i].user);
		} else {
			cr_assert_eq(rc, 0, "row %zu (%s)", i, tenant_rows[i].user);
			cr_assert_str_eq(out, tenant_rows[i].dir, "row %zu", i);
		}
	}
	cr_assert_eq(cgl_tenant_dir(NULL, (char[8]){ 0 }, 8), -1);
	cr_assert_eq(cgl_tenant_dir("a", NULL, 8), -1);
}

/* The inverse: every directory of the table maps back to its user, and
 * nothing else is taken for a tenant's. */
Test(cglimits, tenant_user)
{
	static const char *const not_tenants[] = {
		"", "_", "_alice", "tasks", "cgroup.procs", "_a.b", "s0x/", "a b",
		"abcdefghijklmnopqrstuvwxyz0123456",
	};
	char out[64];

	for (size_t i = 0; i < N(tenant_rows); i++) {
		if (tenant_rows[i].dir == NULL)
			continue;
		cr_assert_eq(cgl_tenant_user(tenant_rows[i].dir, out, sizeof out), 0,
			     "row %zu (%s)", i, tenant_rows[i].dir);
		cr_assert_str_eq(out, tenant_rows[i].user, "row %zu", i);
	}
	for (size_t i = 0; i < N(not_tenants); i++)
		cr_assert_eq(cgl_tenant_user(not_tenants[i], out, sizeof out), -1,
			     "'%s' is not a tenant directory", not_tenants[i]);
	cr_assert_eq(cgl_tenant_user("alice", out, 5), -1, "out too small");
	cr_assert_eq(cgl_tenant_user("alice", out, 6), 0);
	cr_assert_eq(cgl_tenant_user(NULL, out, sizeof out), -1);
	cr_assert_eq(cgl_tenant_user("alice", NULL, 8), -1);
}

Test(cglimits, unit_names)
{
	static const char *const units[] = { "system.slice", "cgijail.service",
					     "session-1.scope", "a.b.slice" };
	static const char *const plain[] = { "cgijail", "slice", ".slice", "requests",
					     "a.service2", "service", "", "x.sliced" };

	for (size_t i = 0; i < N(units); i++)
		cr_assert(cgl_is_unit_name(units[i]), "%s", units[i]);
	for (size_t i = 0; i < N(plain); i++)
		cr_assert_not(cgl_is_unit_name(plain[i]), "'%s'", plain[i]);
	cr_assert_not(cgl_is_unit_name(NULL));
}

Test(cglimits, slot_name)
{
	static const struct {
		unsigned k;
		size_t size;
		const char *name;
	} rows[] = {
		{ 0, 8, "s0" }, { 15, 8, "s15" }, { 4294967295u, 16, "s4294967295" },
		{ 15, 3, NULL }, { 1, 0, NULL },
	};

	for (size_t i = 0; i < N(rows); i++) {
		char out[16];
		int rc = cgl_slot_name(rows[i].k, out, rows[i].size);

		cr_assert_eq(rc, rows[i].name ? 0 : -1, "row %zu", i);
		if (rows[i].name)
			cr_assert_str_eq(out, rows[i].name, "row %zu", i);
	}
}




/* The run directory's cache of the cgroup discovery: written, read back,
 * and nothing but exactly that form is accepted. */
Test(cglimits, mounts_round_trip)
{
	struct cg_mount m[CG_NCTRL] = { 0 }, back[CG_NCTRL];
	char text[1024];
	size_t len;

	m[CG_MEMORY] = (struct cg_mount){ true, CG_V1, "/sys/fs/cgroup/memory" };
	m[CG_PIDS] = (struct cg_mount){ true, CG_V1, "/sys/fs/cgroup/pids" };
	m[CG_FREEZER] = (struct cg_mount){ true, CG_V1, "/sys/fs/cgroup/freezer" };
	len = cgl_format_mounts(m, text, sizeof text);
	cr_assert_gt(len, 0);
	cr_assert_str_eq(text, "cgijail-cgroup-mounts 1\n"
			       "memory 1 /sys/fs/cgroup/memory\n"
			       "pids 1 /sys/fs/cgroup/pids\n"
			       "freezer 1 /sys/fs/cgroup/freezer\n");
	cr_assert_eq(cgl_parse_mounts(text, back), 0);
	for (int c = 0; c < CG_NCTRL; c++) {
		cr_assert_eq(back[c].found, m[c].found, "controller %d", c);
		if (m[c].found) {
			cr_assert_eq(back[c].version, m[c].version);
			cr_assert_str_eq(back[c].path, m[c].path);
		}
	}
	m[CG_FREEZER].found = false;
	m[CG_MEMORY].version = m[CG_PIDS].version = CG_V2;
	(void)snprintf(m[CG_MEMORY].path, sizeof m[CG_MEMORY].path, "/sys/fs/cgroup");
	(void)snprintf(m[CG_PIDS].path, sizeof m[CG_PIDS].path, "/sys/fs/cgroup");
	cr_assert_gt(cgl_format_mounts(m, text, sizeof text), 0);
	cr_assert_eq(cgl_parse_mounts(text, back), 0);
	cr_assert(back[CG_MEMORY].found && back[CG_MEMORY].version == CG_V2);
	cr_assert_not(back[CG_FREEZER].found);
	cr_assert_eq(cgl_format_mounts(m, text, 10), 0, "does not fit");
	/* paths that cannot be cached */
	(void)snprintf(m[CG_MEMORY].path, sizeof m[CG_MEMORY].path, "/sys/fs/cgroup/a b");
	cr_assert_eq(cgl_format_mounts(m, text, sizeof text), 0);
	(void)snprintf(m[CG_MEMORY].path, sizeof m[CG_MEMORY].path, "relative");
	cr_assert_eq(cgl_format_mounts(m, text, sizeof text), 0);
}

Test(cglimits, mounts_bad_text)
{
	static const char *const bad[] = {
		"",
		"memory 1 /sys/fs/cgroup/memory\n",                              /* no header */
		"cgijail-cgroup-mounts 2\nmemory 1 /m\n",                         /* version */
		"cgijail-cgroup-mounts 1\nmemory 1 /m",                           /* no newline */
		"cgijail-cgroup-mounts 1\nblkio 1 /m\n",                          /* unknown */
		"cgijail-cgroup-mounts 1\nmemory 3 /m\n",                         /* cgroup version */
		"cgijail-cgroup-mounts 1\nmemory 1 m\n",                          /* relative */
		"cgijail-cgroup-mounts 1\nmemory 1 /a/../b\n",                    /* not normalized */
		"cgijail-cgroup-mounts 1\nmemory 1 /a b\n",                       /* blank */
		"cgijail-cgroup-mounts 1\nmemory 1 /m\nmemory 1 /n\n",            /* repeated */
		"cgijail-cgroup-mounts 1\nmemory  1 /m\n",                        /* two blanks */
		"cgijail-cgroup-mounts 1\nmemory 1 \n",                           /* no path */
		"cgijail-cgroup-mounts 1\nmemory\n",
	};
	struct cg_mount m[CG_NCTRL];

	for (size_t i = 0; i < N(bad); i++)
		cr_assert_eq(cgl_parse_mounts(bad[i], m), -1, "row %zu", i);
	cr_assert_eq(cgl_parse_mounts(NULL, m), -1);
	cr_assert_eq(cgl_parse_mounts("cgijail-cgroup-mounts 1\n", m), 0, "nothing mounted");
	for (int c = 0; c < CG_NCTRL; c++)
		cr_assert_not(m[c].found);
}
