/* Unit tests for policy/policy.c: tables of valid and invalid policy texts,
 * fed through fmemopen (the parser never touches the file system).  Table
 * tests are parameterized by index (pointers into this binary's data are not
 * valid in Criterion's runner process). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "unit_params.h"

#define DEFAULTS_MARK "(default)"

static int parse_text(struct policy *p, const char *text, size_t len, bool dropin,
		      struct policy_error *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, len, "r");
	int rc;

	cr_assert_not_null(f);
	rc = dropin ? policy_parse_dropin(p, f, "cgijail.conf", err) :
		      policy_parse(p, f, "cgijail.conf", err);
	fclose(f);
	return rc;
}

static int parse_str(struct policy *p, const char *text, struct policy_error *err)
{
	return parse_text(p, text, strlen(text), false, err);
}

/* The list joined with '|', into buf. */
static const char *joined(const struct strlist *l, char *buf, size_t sz)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && o < sz; i++) {
		int n = snprintf(buf + o, sz - o, "%s%s", i ? "|" : "", l->v[i]);
		cr_assert(n >= 0 && (size_t)n < sz - o, "joined(): buffer too small");
		o += (size_t)n;
	}
	return buf;
}

/* The [limits], [tenant] and [sandbox] fields, each rendered as a string
 * so that one table type covers numbers, levels, lists and the network. */
enum field {
	L_CPU, L_WALL, L_MEMORY, L_TASKS, L_OPEN_FILES, L_FILE_SIZE,
	T_MEMORY, T_TASKS, T_CPU, T_CONCURRENCY, T_TMP_SIZE, T_TMP_INODES,
	S_CGROUP, S_CGROUP_PARENT, S_SECCOMP, S_LANDLOCK, S_READ, S_WRITE, S_EXEC, S_NETWORK,
	NFIELDS
};

static const char *const field_default[NFIELDS] = {
	[L_CPU] = "10", [L_WALL] = "30000", [L_MEMORY] = "268435456", [L_TASKS] = "32",
	[L_OPEN_FILES] = "64", [L_FILE_SIZE] = "16777216",
	[T_MEMORY] = "1073741824", [T_TASKS] = "256", [T_CPU] = "0", [T_CONCURRENCY] = "16",
	[T_TMP_SIZE] = "67108864", [T_TMP_INODES] = "4096",
	[S_CGROUP] = "required", [S_CGROUP_PARENT] = "cgijail", [S_SECCOMP] = "on",
	[S_LANDLOCK] = "required", [S_READ] = "", [S_WRITE] = "", [S_EXEC] = "",
	[S_NETWORK] = "none",
};

static const char *const field_name[NFIELDS] = {
	[L_CPU] = "limits.cpu", [L_WALL] = "limits.wall", [L_MEMORY] = "limits.memory",
	[L_TASKS] = "limits.tasks", [L_OPEN_FILES] = "limits.open_files",
	[L_FILE_SIZE] = "limits.file_size", [T_MEMORY] = "tenant.memory",
	[T_TASKS] = "tenant.tasks", [T_CPU] = "tenant.cpu", [T_CONCURRENCY] = "tenant.concurrency",
	[T_TMP_SIZE] = "tenant.tmp_size", [T_TMP_INODES] = "tenant.tmp_inodes",
	[S_CGROUP] = "sandbox.cgroup", [S_CGROUP_PARENT] = "sandbox.cgroup_parent",
	[S_SECCOMP] = "sandbox.seccomp", [S_LANDLOCK] = "sandbox.landlock",
	[S_READ] = "sandbox.read", [S_WRITE] = "sandbox.write", [S_EXEC] = "sandbox.exec",
	[S_NETWORK] = "sandbox.network",
};

static const char *joined(const struct strlist *l, char *buf, size_t sz);

static const char *field(const struct policy *p, int f, char *buf, size_t sz)
{
	uint64_t n;

	switch (f) {
	case L_CPU: n = p->limits.cpu_s; break;
	case L_WALL: n = p->limits.wall_ms; break;
	case L_MEMORY: n = p->limits.memory; break;
	case L_TASKS: n = p->limits.tasks; break;
	case L_OPEN_FILES: n = p->limits.open_files; break;
	case L_FILE_SIZE: n = p->limits.file_size; break;
	case T_MEMORY: n = p->tenant.memory; break;
	case T_TASKS: n = p->tenant.tasks; break;
	case T_CPU: n = p->tenant.cpu_percent; break;
	case T_CONCURRENCY: n = p->tenant.concurrency; break;
	case T_TMP_SIZE: n = p->tenant.tmp_size; break;
	case T_TMP_INODES: n = p->tenant.tmp_inodes; break;
	case S_CGROUP: return policy_level_name(p->sandbox.cgroup);
	case S_LANDLOCK: return policy_level_name(p->sandbox.landlock);
	case S_SECCOMP: return p->sandbox.seccomp ? "on" : "off";
	case S_CGROUP_PARENT: return p->sandbox.cgroup_parent ? p->sandbox.cgroup_parent : "(null)";
	case S_READ: return joined(&p->sandbox.read, buf, sz);
	case S_WRITE: return joined(&p->sandbox.write, buf, sz);
	case S_EXEC: return joined(&p->sandbox.exec, buf, sz);
	case S_NETWORK: net_format(&p->sandbox.network, buf, sz); return buf;
	default: cr_assert_fail("field %d", f);
	}
	snprintf(buf, sz, "%" PRIu64, n);
	return buf;
}

/* Every sandbox field but skip (-1: none) and those named in changed
 * (",limits.memory,sandbox.read,") holds its default. */
static void expect_sandbox_defaults_except(const struct policy *p, int skip, const char *changed)
{
	char b[2048], name[64];

	for (int f = 0; f < NFIELDS; f++) {
		snprintf(name, sizeof(name), ",%s,", field_name[f]);
		if (f != skip && strstr(changed, name) == NULL)
			cr_expect_str_eq(field(p, f, b, sizeof(b)), field_default[f], "%s",
					 field_name[f]);
	}
}

static void expect_defaults_except(const struct policy *p, const char *changed)
{
	char b[256];

#define UNCHANGED(key) (strstr(changed, "," key ",") == NULL)
	if (UNCHANGED("caller"))
		cr_expect_str_eq(joined(&p->callers, b, sizeof(b)), "www-data");
	if (UNCHANGED("docroot"))
		cr_expect_str_eq(joined(&p->docroots, b, sizeof(b)), "/var/www");
	if (UNCHANGED("userdir"))
		cr_expect_str_eq(p->userdir, "public_html");
	if (UNCHANGED("min_uid"))
		cr_expect_eq(p->min_uid, 1000);
	if (UNCHANGED("min_gid"))
		cr_expect_eq(p->min_gid, 1000);
	if (UNCHANGED("interpreter"))
		cr_expect_str_eq(p->interpreter, "/usr/bin/python3");
	if (UNCHANGED("interpreter_args"))
		cr_expect_str_eq(joined(&p->interpreter_args, b, sizeof(b)), "-E|-s|-B");
	if (UNCHANGED("safe_path"))
		cr_expect_str_eq(p->safe_path, "/usr/local/bin:/usr/bin:/bin");
	if (UNCHANGED("umask"))
		cr_expect_eq(p->umask, 022);
	if (UNCHANGED("log_file"))
		cr_expect_null(p->log_file);
#undef UNCHANGED
	expect_sandbox_defaults_except(p, -1, changed);
}

/* ---- defaults -------------------------------------------------------------- */

Test(policy, defaults)
{
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	expect_defaults_except(&p, ",");
	cr_expect_eq(p.callers.n, 1);
	cr_expect_eq(p.docroots.n, 1);
	cr_expect_eq(p.interpreter_args.n, 3);
	cr_expect_eq(policy_validate(&p, "x", &e), 0, "%s", e.reason);
	policy_free(&p);
	cr_expect_eq(p.callers.n, 0);
	cr_expect_null(p.interpreter);
	policy_free(&p); /* twice is safe */
}

Test(policy, empty_and_comment_only_files_keep_defaults)
{
	static const char *const texts[] = {
		"", "\n", "\n\n\n", "# only a comment", "  # indented\n\t\n", "[wrapper]\n",
		"[wrapper]", "[wrapper]\n[wrapper]\n", "[ wrapper ]  # header comment\n",
	};

	for (size_t i = 0; i < NELEMS(texts); i++) {
		struct policy p;
		struct policy_error e = { 0 };

		cr_assert_eq(policy_defaults(&p), 0);
		cr_assert_eq(parse_str(&p, texts[i], &e), 0, "text %zu: %s", i, e.reason);
		expect_defaults_except(&p, ",");
		policy_free(&p);
	}
}

/* ---- valid inputs ------------------------------------------------------------ */

/* Each text and the expected fields; a field DEFAULTS_MARK (or 0 for the
 * numbers) keeps its default, which is checked too.  "log_file" NULL in the
 * result is written "(null)". */
struct valid_case {
	const char *text;
	const char *callers, *docroots, *userdir;
	unsigned long min_uid, min_gid;
	const char *interpreter, *interpreter_args, *safe_path;
	unsigned umask; /* 01000 = default */
	const char *log_file;
};

#define D DEFAULTS_MARK
#define U 01000u

static const struct valid_case valid[] = {
	{ "# cgijail policy\n"
	  "[wrapper]\n"
	  "caller = www-data, nginx            # user names\n"
	  "docroot = /var/www /srv/sites\n"
	  "userdir = public_html\n"
	  "  min_uid=2000\n"
	  "min_gid = 3000\t\n"
	  "interpreter = /opt/python/bin/python3\n"
	  "interpreter_args = -I\n"
	  "safe_path = /usr/bin:/bin\n"
	  "umask = 077\n"
	  "log_file = /var/log/cgijail/cgijail.log\n"
	  "\n",
	  "www-data|nginx", "/var/www|/srv/sites", "public_html", 2000, 3000,
	  "/opt/python/bin/python3", "-I", "/usr/bin:/bin", 077, "/var/log/cgijail/cgijail.log" },
	/* lists replace the default, they are not appended to it */
	{ "[wrapper]\ncaller = apache\n", "apache", D, D, 0, 0, D, D, D, U, D },
	{ "[wrapper]\ncaller = a,b c\tz\n", "a|b|c|z", D, D, 0, 0, D, D, D, U, D },
	{ "[wrapper]\ncaller = ,,a,, ,b,\n", "a|b", D, D, 0, 0, D, D, D, U, D },
	{ "[wrapper]\ncaller = _svc Web.User-1 machine$\n", "_svc|Web.User-1|machine$", D, D,
	  0, 0, D, D, D, U, D },
	{ "[wrapper]\ncaller = rootkit\n", "rootkit", D, D, 0, 0, D, D, D, U, D },
	{ "[wrapper]\ndocroot = /srv/www\n", D, "/srv/www", D, 0, 0, D, D, D, U, D },
	{ "[wrapper]\ndocroot=/a,/b/c\t/d\n", D, "/a|/b/c|/d", D, 0, 0, D, D, D, U, D },
	{ "[wrapper]\nuserdir =\n", D, D, "", 0, 0, D, D, D, U, D },
	{ "[wrapper]\nuserdir =    # disabled\n", D, D, "", 0, 0, D, D, D, U, D },
	{ "[wrapper]\nuserdir = sites/cgi\n", D, D, "sites/cgi", 0, 0, D, D, D, U, D },
	{ "[wrapper]\nmin_uid = 1\nmin_gid = 1\n", D, D, D, 1, 1, D, D, D, U, D },
	{ "[wrapper]\nmin_uid = 4294967294\nmin_gid = 4294967294\n", D, D, D, 4294967294UL,
	  4294967294UL, D, D, D, U, D },
	{ "[wrapper]\ninterpreter = /usr/bin/python3.11\n", D, D, D, 0, 0,
	  "/usr/bin/python3.11", D, D, U, D },
	{ "[wrapper]\ninterpreter_args =\n", D, D, D, 0, 0, D, "", D, U, D },
	{ "[wrapper]\ninterpreter_args = -E   -s\n", D, D, D, 0, 0, D, "-E|-s", D, U, D },
	{ "[wrapper]\ninterpreter_args = -X dev=1 -W error\n", D, D, D, 0, 0, D,
	  "-X|dev=1|-W|error", D, U, D },
	{ "[wrapper]\ninterpreter_args = -a -b -c -d -e -f -g -h -i -j -k -l -m -n -o -p "
	  "-q -r -s -t -u -v -w -x -y -z -A -B -C -D -E -F\n", D, D, D, 0, 0, D,
	  "-a|-b|-c|-d|-e|-f|-g|-h|-i|-j|-k|-l|-m|-n|-o|-p|-q|-r|-s|-t|-u|-v|-w|-x|-y|-z|"
	  "-A|-B|-C|-D|-E|-F", D, U, D }, /* exactly POLICY_MAX_LIST */
	{ "[wrapper]\nsafe_path = /bin\n", D, D, D, 0, 0, D, D, "/bin", U, D },
	{ "[wrapper]\nsafe_path = /opt/my tools/bin:/bin\n", D, D, D, 0, 0, D, D,
	  "/opt/my tools/bin:/bin", U, D },
	{ "[wrapper]\numask = 0\n", D, D, D, 0, 0, D, D, D, 0, D },
	{ "[wrapper]\numask = 0027\n", D, D, D, 0, 0, D, D, D, 027, D },
	{ "[wrapper]\numask = 777\n", D, D, D, 0, 0, D, D, D, 0777, D },
	{ "[wrapper]\nlog_file = /var/log/x.log\n", D, D, D, 0, 0, D, D, D, U,
	  "/var/log/x.log" },
	{ "[wrapper]\nlog_file =\n", D, D, D, 0, 0, D, D, D, U, "(null)" },
	/* formatting: blanks, comments, sections repeated, no final newline */
	{ "\t[wrapper]\t\n\tmin_uid\t=\t1234\t\n", D, D, D, 1234, 0, D, D, D, U, D },
	{ "[wrapper]\nmin_uid = 1234", D, D, D, 1234, 0, D, D, D, U, D },
	{ "[wrapper]\nmin_uid = 1234#comment", D, D, D, 1234, 0, D, D, D, U, D },
	{ "[wrapper]\nmin_uid = 1234 # = 99\n", D, D, D, 1234, 0, D, D, D, U, D },
	{ "[wrapper]\n#min_uid = 5\nmin_uid = 6\n", D, D, D, 6, 0, D, D, D, U, D },
	{ "[wrapper]\nmin_uid = 7\n[wrapper]\nmin_gid = 8\n", D, D, D, 7, 8, D, D, D, U, D },
};

#undef D
#undef U

ParameterizedTestParameters(policy, valid)
{
	INDEX_PARAMS(valid);
}

static void expect_str_or_default(const char *got, const char *want, const char *dflt,
				  const char *what)
{
	if (strcmp(want, DEFAULTS_MARK) == 0)
		want = dflt;
	cr_expect_str_eq(got, want, "%s", what);
}

ParameterizedTest(size_t *i, policy, valid)
{
	const struct valid_case *c = &valid[*i];
	struct policy p;
	struct policy_error e = { 0 };
	char b[512];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_str(&p, c->text, &e), 0, "case %zu refused: %u: %s", *i, e.line,
		     e.reason);
	expect_str_or_default(joined(&p.callers, b, sizeof(b)), c->callers, "www-data",
			      "caller");
	expect_str_or_default(joined(&p.docroots, b, sizeof(b)), c->docroots, "/var/www",
			      "docroot");
	expect_str_or_default(p.userdir, c->userdir, "public_html", "userdir");
	cr_expect_eq(p.min_uid, c->min_uid ? c->min_uid : 1000);
	cr_expect_eq(p.min_gid, c->min_gid ? c->min_gid : 1000);
	expect_str_or_default(p.interpreter, c->interpreter, "/usr/bin/python3", "interpreter");
	expect_str_or_default(joined(&p.interpreter_args, b, sizeof(b)), c->interpreter_args,
			      "-E|-s|-B", "interpreter_args");
	expect_str_or_default(p.safe_path, c->safe_path, "/usr/local/bin:/usr/bin:/bin",
			      "safe_path");
	cr_expect_eq((unsigned)p.umask, c->umask == 01000u ? 022u : c->umask);
	expect_str_or_default(p.log_file ? p.log_file : "(null)", c->log_file, "(null)",
			      "log_file");
	cr_expect_eq(policy_validate(&p, "cgijail.conf", &e), 0, "%s", e.reason);
	policy_free(&p);
}

/* ---- invalid inputs ------------------------------------------------------------ */

/* Each invalid text, the line the error must name, and part of the reason. */
static const struct {
	const char *text;
	unsigned line;
	const char *reason;
} invalid[] = {
	/* structure */
	{ "caller = x\n", 1, "key 'caller' before any [section]" },
	{ "# c\n\nmin_uid = 5\n[wrapper]\n", 3, "before any [section]" },
	{ "[bar]\n", 1, "unknown section [bar]" },
	{ "[Wrapper]\n", 1, "unknown section [Wrapper]" },
	{ "[wrapper]\n[limit]\n", 2, "unknown section [limit]" },
	{ "[Limits]\n", 1, "unknown section [Limits]" },
	{ "[wrap\"per]\n", 1, "unknown section [wrap\\\"per]" },
	{ "[wrapper\n", 1, "malformed section header" },
	{ "[wrapper] x\n", 1, "malformed section header" },
	{ "[]\n", 1, "malformed section header" },
	{ "[ ]\n", 1, "malformed section header" },
	{ "[\n", 1, "malformed section header" },
	{ "[wrapper]\njust words\n", 2, "expected 'key = value'" },
	{ "[wrapper]\nmin_uid\n", 2, "expected 'key = value'" },
	{ "[wrapper]\n= value\n", 2, "expected 'key = value'" },
	{ "[wrapper]\n  = value\n", 2, "expected 'key = value'" },
	{ "[wrapper]\nmin uid = 5\n", 2, "expected 'key = value'" },
	{ "[wrapper]\nmin-uid = 5\n", 2, "expected 'key = value'" },
	{ "[wrapper]\nCaller = x\n", 2, "expected 'key = value'" },
	{ "[wrapper]\nfoo = 1\n", 2, "unknown key 'foo' in [wrapper]" },
	{ "[wrapper]\n\n# x\nfoo=\n", 4, "unknown key 'foo' in [wrapper]" },
	{ "[wrapper]\ncallers = x\n", 2, "unknown key 'callers' in [wrapper]" },
	{ "[wrapper]\ncaller = a\ncaller = b\n", 3, "duplicate key 'caller'" },
	{ "[wrapper]\numask = 022\n[wrapper]\numask = 022\n", 4, "duplicate key 'umask'" },
	{ "[wrapper]\nlog_file =\nlog_file =\n", 3, "duplicate key 'log_file'" },
	/* control characters: CR (CRLF files), escape, DEL; not tab */
	{ "[wrapper]\r\n", 1, "control character" },
	{ "[wrapper]\nmin_uid = 5\r\n", 2, "control character" },
	{ "[wrapper]\ncaller = a\x1b[0m\n", 2, "control character" },
	{ "[wrapper]\n# comment \x07 bell\n", 2, "control character" },
	{ "[wrapper]\nmin_uid = 5\x7f\n", 2, "control character" },
	{ "[wrapper]\n\f\n", 2, "control character" },
	/* numbers */
	{ "[wrapper]\nmin_uid = 0\n", 2, "min_uid: not a number in 1..4294967294" },
	{ "[wrapper]\nmin_uid = -1\n", 2, "min_uid: not a number in 1..4294967294" },
	{ "[wrapper]\nmin_uid = +5\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid = 1e3\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid = 0x10\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid = 01000\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid = 10x\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid = 1 000\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid =\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_gid =  99999999999\n", 2, "min_gid: not a number" },
	{ "[wrapper]\nmin_gid = 4294967295\n", 2, "min_gid: not a number in 1..4294967294" },
	{ "[wrapper]\nmin_gid = 18446744073709551616\n", 2, "min_gid: not a number" },
	{ "[wrapper]\numask = 0999\n", 2, "umask: not an octal mode" },
	{ "[wrapper]\numask = 8\n", 2, "umask: not an octal mode" },
	{ "[wrapper]\numask = 1777\n", 2, "umask: not an octal mode" },
	{ "[wrapper]\numask = -022\n", 2, "umask: not an octal mode" },
	{ "[wrapper]\numask = 0o22\n", 2, "umask: not an octal mode" },
	{ "[wrapper]\numask =\n", 2, "umask: not an octal mode" },
	/* callers */
	{ "[wrapper]\ncaller = root\n", 2, "caller: root is never a caller" },
	{ "[wrapper]\ncaller = www-data root\n", 2, "root is never a caller" },
	{ "[wrapper]\ncaller = www-data,root,nginx\n", 2, "root is never a caller" },
	{ "[wrapper]\ncaller =\n", 2, "caller: needs at least one" },
	{ "[wrapper]\ncaller = , ,\n", 2, "caller: needs at least one" },
	{ "[wrapper]\ncaller = bad/name\n", 2, "caller: 'bad/name' is not a valid user name" },
	{ "[wrapper]\ncaller = 1000\n", 2, "not a valid user name" },
	{ "[wrapper]\ncaller = a;b\n", 2, "not a valid user name" },
	{ "[wrapper]\ncaller = abcdefghijklmnopqrstuvwxyz0123456\n", 2, "not a valid user name" },
	/* docroots */
	{ "[wrapper]\ndocroot =\n", 2, "docroot: needs at least one" },
	{ "[wrapper]\ndocroot = /var/../www\n", 2,
	  "docroot: '/var/../www' is not an absolute normalized path" },
	{ "[wrapper]\ndocroot = var/www\n", 2, "'var/www' is not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /var/www/\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /var//www\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /var/./www\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /ok /\n", 2, "'/' is not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /a /a\n", 2, "docroot: '/a' is listed twice" },
	{ "[wrapper]\ndocroot = /a,/b,/a\n", 2, "listed twice" },
	/* userdir */
	{ "[wrapper]\nuserdir = /public_html\n", 2, "userdir: '/public_html'" },
	{ "[wrapper]\nuserdir = ../x\n", 2, "userdir: " },
	{ "[wrapper]\nuserdir = a/../x\n", 2, "userdir: " },
	{ "[wrapper]\nuserdir = .\n", 2, "userdir: " },
	{ "[wrapper]\nuserdir = a//b\n", 2, "userdir: " },
	{ "[wrapper]\nuserdir = a/\n", 2, "userdir: " },
	/* interpreter, args */
	{ "[wrapper]\ninterpreter = python3\n", 2, "interpreter: 'python3' is not an absolute" },
	{ "[wrapper]\ninterpreter =\n", 2, "interpreter: '' is not an absolute" },
	{ "[wrapper]\ninterpreter = /usr/bin/../bin/python3\n", 2, "interpreter: " },
	{ "[wrapper]\ninterpreter = /\n", 2, "interpreter: " },
	{ "[wrapper]\ninterpreter_args = -a -b -c -d -e -f -g -h -i -j -k -l -m -n -o -p "
	  "-q -r -s -t -u -v -w -x -y -z -A -B -C -D -E -F -G\n", 2,
	  "interpreter_args: more than 32 entries" },
	/* safe_path */
	{ "[wrapper]\nsafe_path = /bin::/usr/bin\n", 2, "safe_path: entry '' is not" },
	{ "[wrapper]\nsafe_path = :/bin\n", 2, "safe_path: entry" },
	{ "[wrapper]\nsafe_path = /bin:\n", 2, "safe_path: entry" },
	{ "[wrapper]\nsafe_path = bin\n", 2, "safe_path: entry 'bin'" },
	{ "[wrapper]\nsafe_path = /bin:.\n", 2, "safe_path: entry '.'" },
	{ "[wrapper]\nsafe_path = /usr/bin/:/bin\n", 2, "safe_path: entry '/usr/bin/'" },
	{ "[wrapper]\nsafe_path =\n", 2, "safe_path: must not be empty" },
	/* log_file */
	{ "[wrapper]\nlog_file = log.txt\n", 2, "log_file: 'log.txt' is not an absolute" },
	{ "[wrapper]\nlog_file = /var/log/\n", 2, "log_file: " },
	{ "[wrapper]\nlog_file = /\n", 2, "log_file: " },
	/* the first error wins, later lines are not looked at */
	{ "[wrapper]\nmin_uid = 0\nfoo = 1\n", 2, "min_uid: " },
};

ParameterizedTestParameters(policy, invalid)
{
	INDEX_PARAMS(invalid);
}

ParameterizedTest(size_t *i, policy, invalid)
{
	struct policy p;
	struct policy_error e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, invalid[*i].text, &e), -1, "case %zu accepted", *i);
	cr_expect_eq(e.line, invalid[*i].line, "case %zu: line %u (%s)", *i, e.line, e.reason);
	cr_expect_not_null(strstr(e.reason, invalid[*i].reason), "case %zu: reason '%s'", *i,
			   e.reason);
	cr_expect_str_eq(e.file, "cgijail.conf");
	for (const char *r = e.reason; *r; r++)
		cr_expect((unsigned char)*r >= 0x20 && *r != 0x7f, "case %zu: control in reason",
			  *i);
	policy_free(&p); /* freeable after a failure half-way (ASan checks leaks) */
	policy_free(&p);
}

/* ---- NUL bytes, long lines ---------------------------------------------------- */

static const struct {
	const char *text;
	size_t len;
	unsigned line;
} nul_cases[] = {
#define T(s) s, sizeof(s) - 1
	{ T("[wrapper]\ncaller = www\0data\n"), 2 },
	{ T("\0"), 1 },
	{ T("[wrapper]\0\n"), 1 },
	{ T("[wrapper]\n\n\n# x\0y\n"), 4 },
	{ T("[wrapper]\nmin_uid = 5\n\0"), 3 },
	{ T("[wrapper]\nmin_uid = 5\0"), 2 },
#undef T
};

ParameterizedTestParameters(policy, nul_byte)
{
	INDEX_PARAMS(nul_cases);
}

ParameterizedTest(size_t *i, policy, nul_byte)
{
	struct policy p;
	struct policy_error e = { 0 };
	char out[512];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_text(&p, nul_cases[*i].text, nul_cases[*i].len, false, &e), -1);
	cr_expect_eq(e.line, nul_cases[*i].line, "line %u", e.line);
	cr_expect_str_eq(e.reason, "NUL byte");
	policy_error_format(&e, out, sizeof(out));
	snprintf(e.reason, sizeof(e.reason), "cgijail.conf:%u: NUL byte", nul_cases[*i].line);
	cr_expect_str_eq(out, e.reason);
	policy_free(&p);
}

/* A text "[wrapper]\n" + a line of len bytes (a comment, or a key whose value
 * is padded with blanks) + "\n" + rest. */
static char *long_text(size_t len, bool comment, const char *rest)
{
	size_t n = strlen("[wrapper]\n") + len + 1 + strlen(rest) + 1;
	char *t = malloc(n);

	cr_assert_not_null(t);
	memset(t, ' ', n);
	memcpy(t, "[wrapper]\n", 10);
	if (comment)
		t[10] = '#';
	else
		memcpy(t + 10, "min_uid = 4321", 14);
	t[10 + len] = '\n';
	memcpy(t + 10 + len + 1, rest, strlen(rest) + 1);
	return t;
}

Test(policy, long_lines)
{
	static const struct {
		size_t len;
		bool comment;
		const char *rest;
		int rc;
	} t[] = {
		{ 1023, true, "", 0 },
		{ 1024, true, "", 0 }, /* exactly POLICY_MAX_LINE is fine */
		{ 1024, false, "min_gid = 77\n", 0 },
		{ 1025, true, "", -1 },
		{ 1025, false, "", -1 },
		{ 5000, true, "min_gid = 77\n", -1 },
		/* the tail of an over-long line is never read as a line of its own */
		{ 3000, true, "", -1 },
	};

	for (size_t i = 0; i < NELEMS(t); i++) {
		struct policy p;
		struct policy_error e = { 0 };
		char *text = long_text(t[i].len, t[i].comment, t[i].rest);

		cr_assert_eq(policy_defaults(&p), 0);
		int rc = parse_str(&p, text, &e);
		cr_expect_eq(rc, t[i].rc, "case %zu: rc %d (%s)", i, rc, e.reason);
		if (rc == 0) {
			if (!t[i].comment)
				cr_expect_eq(p.min_uid, 4321);
			if (t[i].rest[0])
				cr_expect_eq(p.min_gid, 77);
		} else {
			cr_expect_eq(e.line, 2, "case %zu: line %u", i, e.line);
			cr_expect_str_eq(e.reason, "line too long (max 1024 bytes)");
		}
		policy_free(&p);
		free(text);
	}
}

Test(policy, long_line_tail_is_not_a_line)
{
	/* Were the parser to resume after 1024 bytes, "min_uid = 5" would be
	 * read as line 3 and the error would move or vanish. */
	char text[1200];
	struct policy p;
	struct policy_error e = { 0 };

	memset(text, 0, sizeof(text));
	memcpy(text, "[wrapper]\n#", 11);
	memset(text + 11, 'x', 1024 - 1);
	memcpy(text + 11 + 1023, "min_uid = 5\n", 12);
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, text, &e), -1);
	cr_expect_eq(e.line, 2);
	cr_expect_eq(p.min_uid, 1000);
	policy_free(&p);
}

/* ---- error messages -------------------------------------------------------------- */

Test(policy, error_format)
{
	static const struct {
		const char *file;
		unsigned line;
		const char *reason;
		size_t outsz;
		const char *out;
	} t[] = {
		{ "cgijail.conf", 7, "unknown key 'foo' in [wrapper]", 512,
		  "cgijail.conf:7: unknown key 'foo' in [wrapper]" },
		{ "/etc/cgijail/cgijail.conf", 0, "no docroot is configured", 512,
		  "/etc/cgijail/cgijail.conf: no docroot is configured" },
		{ "/etc/x\n.conf", 0, "r", 512, "/etc/x\\u000a.conf: r" },
		{ "/etc/\x1b[2J\".conf", 3, "r", 512, "/etc/\\u001b[2J\\\".conf:3: r" },
		{ "f", 1, "bad\r\nreason\x7f", 512, "f:1: bad\\u000d\\u000areason\\u007f" },
		{ "f", 1, "a\nb", 10, "f:1: a" }, /* an escape is not cut */
		{ "f", 1, "abcdef", 8, "f:1: ab" },
		{ "cgijail.conf", 12, "x", 1, "" },
	};

	for (size_t i = 0; i < NELEMS(t); i++) {
		struct policy_error e;
		char out[512];

		memset(&e, 0, sizeof(e));
		snprintf(e.file, sizeof(e.file), "%s", t[i].file);
		snprintf(e.reason, sizeof(e.reason), "%s", t[i].reason);
		e.line = t[i].line;
		memset(out, 'Z', sizeof(out));
		policy_error_format(&e, out, t[i].outsz);
		cr_expect_str_eq(out, t[i].out, "case %zu", i);
		if (t[i].outsz < sizeof(out))
			cr_expect_eq(out[t[i].outsz], 'Z', "case %zu: wrote past outsz", i);
	}
}

Test(policy, error_messages_end_to_end)
{
	static const struct {
		const char *text, *msg;
	} t[] = {
		{ "[wrapper]\n\n\n\n\n\nfoo = 1\n", "cgijail.conf:7: unknown key 'foo' in [wrapper]" },
		{ "[wrapper]\n\nmin_uid = 5\n\x01\n", "cgijail.conf:4: control character" },
		{ "[bar]\n", "cgijail.conf:1: unknown section [bar]" },
		{ "[wrapper]\nbogus\n", "cgijail.conf:2: expected 'key = value'" },
		{ "[wrapper]\n\n\n\nmin_uid = 0\n",
		  "cgijail.conf:5: min_uid: not a number in 1..4294967294" },
		{ "[wrapper]\n\n\n\n\n\n\n\ndocroot = /var/../www\n",
		  "cgijail.conf:9: docroot: '/var/../www' is not an absolute normalized path other "
		  "than /" },
		{ "[wrapper]\ndocroot = \"/x\\\n",
		  "cgijail.conf:2: docroot: '\\\"/x\\\\' is not an absolute normalized path other "
		  "than /" },
		{ "[wrapper]\nmin_gid = 1\nmin_gid = 2\n", "cgijail.conf:3: duplicate key 'min_gid'" },
	};

	for (size_t i = 0; i < NELEMS(t); i++) {
		struct policy p;
		struct policy_error e = { 0 };
		char out[512];

		cr_assert_eq(policy_defaults(&p), 0);
		cr_expect_eq(parse_str(&p, t[i].text, &e), -1, "case %zu", i);
		policy_error_format(&e, out, sizeof(out));
		cr_expect_str_eq(out, t[i].msg, "case %zu", i);
		policy_free(&p);
	}
}

Test(policy, quoted_values_are_escaped_and_truncated)
{
	char text[1100];
	struct policy p;
	struct policy_error e = { 0 };

	/* invalid UTF-8 and a quote in the value */
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, "[wrapper]\ninterpreter = rel\"\xff\n", &e), -1);
	cr_expect_not_null(strstr(e.reason, "'rel\\\"\\u00ff'"), "%s", e.reason);
	policy_free(&p);

	/* a 1000-byte value is cut, with "...", and the reason stays whole */
	snprintf(text, sizeof(text), "[wrapper]\ninterpreter = %01000d\n", 7);
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, text, &e), -1);
	cr_expect_lt(strlen(e.reason), 200, "%s", e.reason);
	cr_expect_not_null(strstr(e.reason, "...' is not an absolute normalized path"), "%s",
			   e.reason);
	policy_free(&p);

	/* an over-long unknown key is cut too */
	memset(text, 0, sizeof(text));
	memcpy(text, "[wrapper]\n", 10);
	memset(text + 10, 'k', 900);
	strcat(text + 910, " = 1\n");
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, text, &e), -1);
	cr_expect_not_null(strstr(e.reason, "unknown key 'kkkk"), "%s", e.reason);
	cr_expect_not_null(strstr(e.reason, "' in [wrapper]"), "%s", e.reason);
	policy_free(&p);

	/* so is an unknown section name */
	memset(text, 0, sizeof(text));
	text[0] = '[';
	memset(text + 1, 's', 900);
	strcat(text + 901, "]\n");
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, text, &e), -1);
	cr_expect_not_null(strstr(e.reason, "unknown section [sss"), "%s", e.reason);
	cr_expect_not_null(strstr(e.reason, "...]"), "%s", e.reason);
	policy_free(&p);
}

Test(policy, null_filename_and_null_err)
{
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	FILE *f = fmemopen((void *)(uintptr_t) "[x]\n", 4, "r");
	cr_assert_not_null(f);
	cr_expect_eq(policy_parse(&p, f, NULL, &e), -1);
	fclose(f);
	cr_expect_str_eq(e.file, "(policy)");
	cr_expect_eq(e.line, 1);
	f = fmemopen((void *)(uintptr_t) "[x]\n", 4, "r");
	cr_assert_not_null(f);
	cr_expect_eq(policy_parse(&p, f, "f", NULL), -1);
	fclose(f);
	policy_free(&p);
	policy_free(NULL);
}

/* ---- drop-ins --------------------------------------------------------------------- */

Test(policy, dropin_allowed_keys)
{
	static const char ok[] = "# alice\n[wrapper]\ninterpreter = /usr/bin/python3.11  # 3.11\n"
				 "interpreter_args = -I\n";
	struct policy p;
	struct policy_error e = { 0 };
	char b[64];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_text(&p, ok, sizeof(ok) - 1, true, &e), 0, "%s", e.reason);
	cr_expect_str_eq(p.interpreter, "/usr/bin/python3.11");
	cr_expect_str_eq(joined(&p.interpreter_args, b, sizeof(b)), "-I");
	expect_defaults_except(&p, ",interpreter,interpreter_args,");
	policy_free(&p);

	/* empty args, and an empty drop-in changes nothing */
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_text(&p, "[wrapper]\ninterpreter_args =\n", 29, true, &e), 0, "%s",
		     e.reason);
	cr_expect_eq(p.interpreter_args.n, 0);
	cr_expect_eq(parse_text(&p, "", 0, true, &e), 0);
	expect_defaults_except(&p, ",interpreter_args,");
	policy_free(&p);
}

Test(policy, dropin_over_main_policy)
{
	struct policy p;
	struct policy_error e = { 0 };
	char b[64];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_str(&p, "[wrapper]\ninterpreter = /a/py\ndocroot = /srv\n", &e), 0);
	cr_assert_eq(parse_text(&p, "[wrapper]\ninterpreter = /b/py\n", 30, true, &e), 0, "%s",
		     e.reason);
	cr_expect_str_eq(p.interpreter, "/b/py");
	cr_expect_str_eq(joined(&p.docroots, b, sizeof(b)), "/srv");
	policy_free(&p);
}

static const struct {
	const char *text;
	unsigned line;
	const char *reason;
} dropin_bad[] = {
	{ "[wrapper]\ndocroot = /x\n", 2, "key 'docroot' not allowed in users.d" },
	{ "[wrapper]\ncaller = x\n", 2, "key 'caller' not allowed in users.d" },
	{ "[wrapper]\nmin_uid = 1\n", 2, "key 'min_uid' not allowed in users.d" },
	{ "[wrapper]\nmin_gid = 1\n", 2, "key 'min_gid' not allowed in users.d" },
	{ "[wrapper]\nuserdir = x\n", 2, "key 'userdir' not allowed in users.d" },
	{ "[wrapper]\nlog_file = /x\n", 2, "key 'log_file' not allowed in users.d" },
	{ "[wrapper]\numask = 0\n", 2, "key 'umask' not allowed in users.d" },
	{ "[wrapper]\nsafe_path = /x\n", 2, "key 'safe_path' not allowed in users.d" },
	{ "[wrapper]\ninterpreter = /x\n\nsafe_path = /x\n", 4, "not allowed in users.d" },
	{ "[wrapper]\nnope = 1\n", 2, "unknown key 'nope' in [wrapper]" },
	{ "[other]\n", 1, "unknown section [other]" },
	{ "interpreter = /x\n", 1, "before any [section]" },
	{ "[wrapper]\ninterpreter = x\n", 2, "interpreter: 'x' is not an absolute" },
	{ "[wrapper]\ninterpreter = /a\ninterpreter = /b\n", 3, "duplicate key 'interpreter'" },
	{ "[wrapper]\r\n", 1, "control character" },
};

ParameterizedTestParameters(policy, dropin_refused)
{
	INDEX_PARAMS(dropin_bad);
}

ParameterizedTest(size_t *i, policy, dropin_refused)
{
	struct policy p;
	struct policy_error e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_text(&p, dropin_bad[*i].text, strlen(dropin_bad[*i].text), true, &e),
		     -1, "case %zu accepted", *i);
	cr_expect_eq(e.line, dropin_bad[*i].line, "case %zu: line %u", *i, e.line);
	cr_expect_not_null(strstr(e.reason, dropin_bad[*i].reason), "case %zu: '%s'", *i,
			   e.reason);
	policy_free(&p);
}

/* ---- validation -------------------------------------------------------------------- */

static void drop_list(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]);
		l->v[i] = NULL;
	}
	l->n = 0;
}

Test(policy, validate)
{
	struct policy p;
	struct policy_error e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(policy_defaults(&p), 0);
	drop_list(&p.callers);
	cr_expect_eq(policy_validate(&p, "cgijail.conf", &e), -1);
	cr_expect_eq(e.line, 0);
	cr_expect_str_eq(e.file, "cgijail.conf");
	cr_expect_not_null(strstr(e.reason, "caller"), "%s", e.reason);
	policy_free(&p);

	cr_assert_eq(policy_defaults(&p), 0);
	drop_list(&p.docroots);
	cr_expect_eq(policy_validate(&p, "cgijail.conf", &e), -1);
	cr_expect_eq(e.line, 0);
	cr_expect_not_null(strstr(e.reason, "docroot"), "%s", e.reason);
	policy_free(&p);

	/* a duplicate docroot the parser could not see (set by hand) */
	cr_assert_eq(policy_defaults(&p), 0);
	p.docroots.v[1] = strdup("/srv/www");
	p.docroots.v[2] = strdup("/var/www");
	cr_assert(p.docroots.v[1] && p.docroots.v[2]);
	p.docroots.n = 3;
	cr_expect_eq(policy_validate(&p, "cgijail.conf", &e), -1);
	cr_expect_eq(e.line, 0);
	cr_expect_not_null(strstr(e.reason, "'/var/www' is listed twice"), "%s", e.reason);
	policy_free(&p);

	/* callers and docroots from a parse */
	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_str(&p, "[wrapper]\ncaller = a b\ndocroot = /x /y\n", &e), 0);
	cr_expect_eq(policy_validate(&p, "cgijail.conf", &e), 0, "%s", e.reason);
	policy_free(&p);
}

Test(policy, failed_parse_is_freeable)
{
	/* A list replaced partway (the 33rd entry fails) and strings already
	 * replaced before the error: policy_free releases everything. */
	static const char text[] = "[wrapper]\ninterpreter = /x/py\nuserdir = u\n"
				   "docroot = /a /b /c\ninterpreter_args = -a -b -c -d -e -f -g -h -i "
				   "-j -k -l -m -n -o -p -q -r -s -t -u -v -w -x -y -z -A -B -C -D "
				   "-E -F -G\n";
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, text, &e), -1);
	cr_expect_eq(e.line, 5);
	policy_free(&p);
	cr_expect_eq(p.interpreter_args.n, 0);
	cr_expect_eq(p.docroots.n, 0);
	cr_expect_null(p.userdir);
	cr_expect_null(p.interpreter);
	policy_free(&p);
}

/* ==== [limits], [tenant], [sandbox] ====================================================== */

static int parse_named(struct policy *p, const char *text, bool dropin, const char *name,
		       struct policy_error *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	int rc;

	cr_assert_not_null(f);
	rc = dropin ? policy_parse_dropin(p, f, name, err) : policy_parse(p, f, name, err);
	fclose(f);
	return rc;
}

/* ---- valid values: the stored value of the one field the text sets ---------------- */

#define R32 "/r0 /r1 /r2 /r3 /r4 /r5 /r6 /r7 /r8 /r9 /r10 /r11 /r12 /r13 /r14 /r15 " \
	    "/r16 /r17 /r18 /r19 /r20 /r21 /r22 /r23 /r24 /r25 /r26 /r27 /r28 /r29 /r30 /r31"
#define R32J "/r0|/r1|/r2|/r3|/r4|/r5|/r6|/r7|/r8|/r9|/r10|/r11|/r12|/r13|/r14|/r15|" \
	     "/r16|/r17|/r18|/r19|/r20|/r21|/r22|/r23|/r24|/r25|/r26|/r27|/r28|/r29|/r30|/r31"
#define N63 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@"
#define N32 "abcdefghijklmnopqrstuvwxyzABCDEF"

static const struct {
	const char *text;
	int field;
	const char *want;
} values[] = {
	/* limits.cpu: seconds; s or m */
	{ "[limits]\ncpu = 1s\n", L_CPU, "1" },
	{ "[limits]\ncpu = 10s\n", L_CPU, "10" },
	{ "[limits]\ncpu = 90s\n", L_CPU, "90" },
	{ "[limits]\ncpu = 1m\n", L_CPU, "60" },
	{ "[limits]\ncpu = 86400s\n", L_CPU, "86400" },
	{ "[limits]\ncpu = 1440m\n", L_CPU, "86400" },
	/* limits.wall: milliseconds */
	{ "[limits]\nwall = 1s\n", L_WALL, "1000" },
	{ "[limits]\nwall = 45s   # comment\n", L_WALL, "45000" },
	{ "[limits]\nwall = 2m\n", L_WALL, "120000" },
	{ "[limits]\nwall = 1440m\n", L_WALL, "86400000" },
	/* limits.memory: bytes, K/M/G are powers of 1024, none = 0 */
	{ "[limits]\nmemory = 4M\n", L_MEMORY, "4194304" },
	{ "[limits]\nmemory = 4096K\n", L_MEMORY, "4194304" },
	{ "[limits]\nmemory = 4194304\n", L_MEMORY, "4194304" },
	{ "[limits]\nmemory = 5000000\n", L_MEMORY, "5000000" },
	{ "[limits]\nmemory = 512M\n", L_MEMORY, "536870912" },
	{ "[limits]\nmemory = 1G\n", L_MEMORY, "1073741824" },
	{ "[limits]\nmemory = none\n", L_MEMORY, "0" },
	/* limits.tasks */
	{ "[limits]\ntasks = 1\n", L_TASKS, "1" },
	{ "[limits]\ntasks = 200\n", L_TASKS, "200" },
	{ "[limits]\ntasks = none\n", L_TASKS, "0" },
	/* limits.open_files */
	{ "[limits]\nopen_files = 16\n", L_OPEN_FILES, "16" },
	{ "[limits]\nopen_files = 1024\n", L_OPEN_FILES, "1024" },
	{ "[limits]\nopen_files = 1048576\n", L_OPEN_FILES, "1048576" },
	/* limits.file_size */
	{ "[limits]\nfile_size = 1\n", L_FILE_SIZE, "1" },
	{ "[limits]\nfile_size = 100K\n", L_FILE_SIZE, "102400" },
	{ "[limits]\nfile_size = 2G\n", L_FILE_SIZE, "2147483648" },
	{ "[limits]\nfile_size = 1048576G\n", L_FILE_SIZE, "1125899906842624" },
	/* tenant.memory, tasks, cpu, concurrency */
	{ "[tenant]\nmemory = 4M\n", T_MEMORY, "4194304" },
	{ "[tenant]\nmemory = 8G\n", T_MEMORY, "8589934592" },
	{ "[tenant]\nmemory = 1048576G\n", T_MEMORY, "1125899906842624" },
	{ "[tenant]\nmemory = none\n", T_MEMORY, "0" },
	{ "[tenant]\ntasks = 32\n", T_TASKS, "32" },
	{ "[tenant]\ntasks = 4194304\n", T_TASKS, "4194304" },
	{ "[tenant]\ntasks = none\n", T_TASKS, "0" },
	{ "[tenant]\ncpu = 1%\n", T_CPU, "1" },
	{ "[tenant]\ncpu = 50%\n", T_CPU, "50" },
	{ "[tenant]\ncpu = 250%\n", T_CPU, "250" },
	{ "[tenant]\ncpu = 100000%\n", T_CPU, "100000" },
	{ "[tenant]\ncpu = none\n", T_CPU, "0" },
	{ "[tenant]\nconcurrency = 1\n", T_CONCURRENCY, "1" },
	{ "[tenant]\nconcurrency = 1024\n", T_CONCURRENCY, "1024" },
	/* tenant.tmp_size: a size from 1M, or none / 0 (a plain directory) */
	{ "[tenant]\ntmp_size = 1M\n", T_TMP_SIZE, "1048576" },
	{ "[tenant]\ntmp_size = 8M\n", T_TMP_SIZE, "8388608" },
	{ "[tenant]\ntmp_size = 2G\n", T_TMP_SIZE, "2147483648" },
	{ "[tenant]\ntmp_size = 1048576G\n", T_TMP_SIZE, "1125899906842624" },
	{ "[tenant]\ntmp_size = none\n", T_TMP_SIZE, "0" },
	{ "[tenant]\ntmp_size = 0\n", T_TMP_SIZE, "0" },
	{ "[tenant]\ntmp_inodes = 16\n", T_TMP_INODES, "16" },
	{ "[tenant]\ntmp_inodes = 100000\n", T_TMP_INODES, "100000" },
	{ "[tenant]\ntmp_inodes = 16777216\n", T_TMP_INODES, "16777216" },
	/* sandbox levels and switches */
	{ "[sandbox]\ncgroup = best-effort\n", S_CGROUP, "best-effort" },
	{ "[sandbox]\ncgroup = off\n", S_CGROUP, "off" },
	{ "[sandbox]\ncgroup = required\n", S_CGROUP, "required" },
	{ "[sandbox]\nlandlock = best-effort\n", S_LANDLOCK, "best-effort" },
	{ "[sandbox]\nlandlock = off\n", S_LANDLOCK, "off" },
	{ "[sandbox]\nseccomp = off\n", S_SECCOMP, "off" },
	{ "[sandbox]\nseccomp = on\n", S_SECCOMP, "on" },
	/* cgroup_parent */
	{ "[sandbox]\ncgroup_parent = cgijail-test\n", S_CGROUP_PARENT, "cgijail-test" },
	{ "[sandbox]\ncgroup_parent = a/b/c/d\n", S_CGROUP_PARENT, "a/b/c/d" },
	{ "[sandbox]\ncgroup_parent = web1.x_Y-2\n", S_CGROUP_PARENT, "web1.x_Y-2" },
	{ "[sandbox]\ncgroup_parent = cgijail.service/req\n", S_CGROUP_PARENT,
	  "cgijail.service/req" },
	{ "[sandbox]\ncgroup_parent = a.\n", S_CGROUP_PARENT, "a." },
	{ "[sandbox]\ncgroup_parent = " N32 "\n", S_CGROUP_PARENT, N32 },
	{ "[sandbox]\ncgroup_parent = x/" N32 "\n", S_CGROUP_PARENT, "x/" N32 },
	/* read/write/exec: ~ forms kept as written, blanks separate */
	{ "[sandbox]\nread = ~\n", S_READ, "~" },
	{ "[sandbox]\nread = ~/lib /srv/shared\n", S_READ, "~/lib|/srv/shared" },
	{ "[sandbox]\nread =   ~/a/b\t/x  \n", S_READ, "~/a/b|/x" },
	{ "[sandbox]\nread = /\n", S_READ, "/" },
	{ "[sandbox]\nread = ~/.config/app\n", S_READ, "~/.config/app" },
	{ "[sandbox]\nread = /srv/a,b\n", S_READ, "/srv/a,b" }, /* ',' is not a separator */
	{ "[sandbox]\nread =\n", S_READ, "" },
	{ "[sandbox]\nread = " R32 "\n", S_READ, R32J },
	{ "[sandbox]\nwrite = ~/data /var/lib/app\n", S_WRITE, "~/data|/var/lib/app" },
	{ "[sandbox]\nexec = /usr/bin/git ~/bin/tool\n", S_EXEC, "/usr/bin/git|~/bin/tool" },
	/* network */
	{ "[sandbox]\nnetwork = any\n", S_NETWORK, "any" },
	{ "[sandbox]\nnetwork = none\n", S_NETWORK, "none" },
	{ "[sandbox]\nnetwork = tcp:5432,3306\n", S_NETWORK, "tcp:5432,3306" },
	{ "[sandbox]\nnetwork = tcp:443\n", S_NETWORK, "tcp:443" },
	{ "[sandbox]\nnetwork = tcp:80,80,1,65535\n", S_NETWORK, "tcp:80,1,65535" },
	/* the same key name in another section is another key */
	{ "[tenant]\nmemory = 2G\n[limits]\nmemory = 2G\n", L_MEMORY, "2147483648" },
	{ "[limits]\ncpu = 5s\n[wrapper]\n[limits]\n", L_CPU, "5" },
};

ParameterizedTestParameters(policy, sandbox_values)
{
	INDEX_PARAMS(values);
}

ParameterizedTest(size_t *i, policy, sandbox_values)
{
	struct policy p;
	struct policy_error e = { 0 };
	char b[2048];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_str(&p, values[*i].text, &e), 0, "case %zu refused: %u: %s", *i,
		     e.line, e.reason);
	cr_expect_str_eq(field(&p, values[*i].field, b, sizeof(b)), values[*i].want, "case %zu",
			 *i);
	if (strstr(values[*i].text, "[tenant]\nmemory = 2G\n") == NULL) {
		char changed[64];

		snprintf(changed, sizeof(changed), ",%s,", field_name[values[*i].field]);
		expect_defaults_except(&p, changed); /* everything else keeps its default */
	}
	policy_free(&p);
	/* the same text as a drop-in gives the same value */
	cr_assert_eq(policy_defaults(&p), 0);
	int rc = parse_named(&p, values[*i].text, true, "alice.conf", &e);
	if (rc == 0)
		cr_expect_str_eq(field(&p, values[*i].field, b, sizeof(b)), values[*i].want,
				 "case %zu (drop-in)", *i);
	else /* only a cross-key rule may refuse it: line 0 */
		cr_expect_eq(e.line, 0, "case %zu (drop-in): %u: %s", *i, e.line, e.reason);
	policy_free(&p);
}

/* ---- invalid values: the exact message ------------------------------------------------ */

#define E_DUR ": not a duration in 1s..1440m (a number with an s or m suffix)"
#define E_MEM ": not a size in 4M..1048576G (bytes, or a K, M or G suffix) or none"
#define E_TASKS ": not a number in 1..4194304 or none"
#define E_PARENT "' is not 1-4 '/'-separated names, each a letter or '_' then letters, digits," \
		 " '_', '.', '-', at most 32 long"
#define E_NET "expected tcp:PORT[,PORT...] with ports 1-65535"

static const struct {
	const char *text;
	const char *msg;
} bad_values[] = {
	/* durations: unit required, s or m only, 1s..24h, no none */
	{ "[limits]\ncpu = 0s\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 10\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 86401s\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 1441m\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 1h\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 500ms\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 10S\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 1m30s\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = none\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = -1s\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu =\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 18446744073709551616s\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\ncpu = 307445734561825861m\n", "cgijail.conf:2: limits.cpu" E_DUR },
	{ "[limits]\nwall = 0m\n", "cgijail.conf:2: limits.wall" E_DUR },
	{ "[limits]\nwall = 30\n", "cgijail.conf:2: limits.wall" E_DUR },
	{ "[limits]\nwall = 2d\n", "cgijail.conf:2: limits.wall" E_DUR },
	{ "[limits]\nwall = 1.5s\n", "cgijail.conf:2: limits.wall" E_DUR },
	/* sizes */
	{ "[limits]\nmemory = 4194303\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 3M\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 0\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 1048577G\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 17179869184G\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 18446744073709551616\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 1T\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 256MB\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 256m\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 256 M\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = 0.5G\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = -1\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = None\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory = unlimited\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nmemory =\n", "cgijail.conf:2: limits.memory" E_MEM },
	{ "[limits]\nfile_size = 0\n",
	  "cgijail.conf:2: limits.file_size: not a size in 1..1048576G (bytes, or a K, M or G "
	  "suffix)" },
	{ "[limits]\nfile_size = none\n",
	  "cgijail.conf:2: limits.file_size: not a size in 1..1048576G (bytes, or a K, M or G "
	  "suffix)" },
	{ "[limits]\nfile_size = 1048577G\n",
	  "cgijail.conf:2: limits.file_size: not a size in 1..1048576G (bytes, or a K, M or G "
	  "suffix)" },
	{ "[tenant]\nmemory = 1M\n", "cgijail.conf:2: tenant.memory" E_MEM },
	{ "[tenant]\nmemory = 2X\n", "cgijail.conf:2: tenant.memory" E_MEM },
	/* counts: no unit suffix */
	{ "[limits]\ntasks = 0\n", "cgijail.conf:2: limits.tasks" E_TASKS },
	{ "[limits]\ntasks = 4194305\n", "cgijail.conf:2: limits.tasks" E_TASKS },
	{ "[limits]\ntasks = 1K\n", "cgijail.conf:2: limits.tasks" E_TASKS },
	{ "[limits]\ntasks = 032\n", "cgijail.conf:2: limits.tasks" E_TASKS },
	{ "[limits]\ntasks = 99999999999999999999999\n", "cgijail.conf:2: limits.tasks" E_TASKS },
	{ "[tenant]\ntasks = -5\n", "cgijail.conf:2: tenant.tasks" E_TASKS },
	{ "[limits]\nopen_files = 15\n",
	  "cgijail.conf:2: limits.open_files: not a number in 16..1048576" },
	{ "[limits]\nopen_files = 1048577\n",
	  "cgijail.conf:2: limits.open_files: not a number in 16..1048576" },
	{ "[limits]\nopen_files = none\n",
	  "cgijail.conf:2: limits.open_files: not a number in 16..1048576" },
	{ "[tenant]\nconcurrency = 0\n",
	  "cgijail.conf:2: tenant.concurrency: not a number in 1..1024" },
	{ "[tenant]\nconcurrency = 1025\n",
	  "cgijail.conf:2: tenant.concurrency: not a number in 1..1024" },
	{ "[tenant]\nconcurrency = none\n",
	  "cgijail.conf:2: tenant.concurrency: not a number in 1..1024" },
#define E_TMP ": not a size in 1M..1048576G (bytes, or a K, M or G suffix) or none"
	{ "[tenant]\ntmp_size = 1023K\n", "cgijail.conf:2: tenant.tmp_size" E_TMP },
	{ "[tenant]\ntmp_size = 1\n", "cgijail.conf:2: tenant.tmp_size" E_TMP },
	{ "[tenant]\ntmp_size = 00\n", "cgijail.conf:2: tenant.tmp_size" E_TMP },
	{ "[tenant]\ntmp_size = -1M\n", "cgijail.conf:2: tenant.tmp_size" E_TMP },
	{ "[tenant]\ntmp_size = 1048577G\n", "cgijail.conf:2: tenant.tmp_size" E_TMP },
	{ "[tenant]\ntmp_size =\n", "cgijail.conf:2: tenant.tmp_size" E_TMP },
	{ "[tenant]\ntmp_inodes = 15\n",
	  "cgijail.conf:2: tenant.tmp_inodes: not a number in 16..16777216" },
	{ "[tenant]\ntmp_inodes = 16777217\n",
	  "cgijail.conf:2: tenant.tmp_inodes: not a number in 16..16777216" },
	{ "[tenant]\ntmp_inodes = none\n",
	  "cgijail.conf:2: tenant.tmp_inodes: not a number in 16..16777216" },
	{ "[tenant]\ntmp_inodes = 4K\n",
	  "cgijail.conf:2: tenant.tmp_inodes: not a number in 16..16777216" },
	/* cpu percentage: % required */
	{ "[tenant]\ncpu = 100\n",
	  "cgijail.conf:2: tenant.cpu: not a percentage in 1%..100000% (100% is one core) or none" },
	{ "[tenant]\ncpu = 0%\n", "cgijail.conf:2: tenant.cpu: not a percentage in 1%..100000% "
				  "(100% is one core) or none" },
	{ "[tenant]\ncpu = 100001%\n", "cgijail.conf:2: tenant.cpu: not a percentage in "
				       "1%..100000% (100% is one core) or none" },
	{ "[tenant]\ncpu = %\n", "cgijail.conf:2: tenant.cpu: not a percentage in 1%..100000% "
				 "(100% is one core) or none" },
	{ "[tenant]\ncpu = 50 %\n", "cgijail.conf:2: tenant.cpu: not a percentage in "
				    "1%..100000% (100% is one core) or none" },
	{ "[tenant]\ncpu = 1.5%\n", "cgijail.conf:2: tenant.cpu: not a percentage in "
				    "1%..100000% (100% is one core) or none" },
	{ "[tenant]\ncpu = 100%%\n", "cgijail.conf:2: tenant.cpu: not a percentage in "
				     "1%..100000% (100% is one core) or none" },
	{ "[tenant]\ncpu = 99999999999999999999%\n", "cgijail.conf:2: tenant.cpu: not a "
						     "percentage in 1%..100000% (100% is one "
						     "core) or none" },
	{ "[tenant]\ncpu = 1s\n", "cgijail.conf:2: tenant.cpu: not a percentage in 1%..100000% "
				  "(100% is one core) or none" },
	/* levels and switches */
	{ "[sandbox]\ncgroup = on\n",
	  "cgijail.conf:2: sandbox.cgroup: expected required, best-effort or off" },
	{ "[sandbox]\ncgroup = Required\n",
	  "cgijail.conf:2: sandbox.cgroup: expected required, best-effort or off" },
	{ "[sandbox]\ncgroup =\n",
	  "cgijail.conf:2: sandbox.cgroup: expected required, best-effort or off" },
	{ "[sandbox]\nlandlock = best_effort\n",
	  "cgijail.conf:2: sandbox.landlock: expected required, best-effort or off" },
	{ "[sandbox]\nseccomp = yes\n", "cgijail.conf:2: sandbox.seccomp: expected on or off" },
	{ "[sandbox]\nseccomp = required\n",
	  "cgijail.conf:2: sandbox.seccomp: expected on or off" },
	/* cgroup_parent */
	{ "[sandbox]\ncgroup_parent = /cgijail\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: '/cgijail" E_PARENT },
	{ "[sandbox]\ncgroup_parent = cgijail/\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: 'cgijail/" E_PARENT },
	{ "[sandbox]\ncgroup_parent = a//b\n", "cgijail.conf:2: sandbox.cgroup_parent: 'a//b" E_PARENT },
	{ "[sandbox]\ncgroup_parent = .\n", "cgijail.conf:2: sandbox.cgroup_parent: '." E_PARENT },
	{ "[sandbox]\ncgroup_parent = ..\n", "cgijail.conf:2: sandbox.cgroup_parent: '.." E_PARENT },
	{ "[sandbox]\ncgroup_parent = a/../b\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: 'a/../b" E_PARENT },
	{ "[sandbox]\ncgroup_parent = a/./b\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: 'a/./b" E_PARENT },
	{ "[sandbox]\ncgroup_parent = .hidden\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: '.hidden" E_PARENT },
	{ "[sandbox]\ncgroup_parent = a/b/c/d/e\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: 'a/b/c/d/e" E_PARENT },
	{ "[sandbox]\ncgroup_parent = a b\n", "cgijail.conf:2: sandbox.cgroup_parent: 'a b" E_PARENT },
	{ "[sandbox]\ncgroup_parent = a$\n", "cgijail.conf:2: sandbox.cgroup_parent: 'a$" E_PARENT },
	{ "[sandbox]\ncgroup_parent = caf\xc3\xa9\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: 'caf\xc3\xa9" E_PARENT },
	{ "[sandbox]\ncgroup_parent = a\"b\\\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: 'a\\\"b\\\\" E_PARENT },
	{ "[sandbox]\ncgroup_parent =\n", "cgijail.conf:2: sandbox.cgroup_parent: '" E_PARENT },
	{ "[sandbox]\ncgroup_parent = " N32 "x\n",
	  "cgijail.conf:2: sandbox.cgroup_parent: '" N32 "x" E_PARENT },
	{ "[sandbox]\ncgroup_parent = 1/x\n", "cgijail.conf:2: sandbox.cgroup_parent: '1/x" E_PARENT },
	{ "[sandbox]\ncgroup_parent = web@1\n", "cgijail.conf:2: sandbox.cgroup_parent: 'web@1" E_PARENT },
	/* read/write/exec entries */
	{ "[sandbox]\nread = lib\n",
	  "cgijail.conf:2: sandbox.read: 'lib' is not an absolute normalized path" },
	{ "[sandbox]\nread = /srv/ok ./x\n",
	  "cgijail.conf:2: sandbox.read: './x' is not an absolute normalized path" },
	{ "[sandbox]\nread = /a/../b\n",
	  "cgijail.conf:2: sandbox.read: '/a/../b' is not an absolute normalized path" },
	{ "[sandbox]\nread = /a/\n",
	  "cgijail.conf:2: sandbox.read: '/a/' is not an absolute normalized path" },
	{ "[sandbox]\nread = //a\n",
	  "cgijail.conf:2: sandbox.read: '//a' is not an absolute normalized path" },
	{ "[sandbox]\nread = ~bob\n",
	  "cgijail.conf:2: sandbox.read: '~bob' ~user is not supported, only ~ and ~/path" },
	{ "[sandbox]\nread = ~root/x\n",
	  "cgijail.conf:2: sandbox.read: '~root/x' ~user is not supported, only ~ and ~/path" },
	{ "[sandbox]\nread = ~/\n",
	  "cgijail.conf:2: sandbox.read: '~/' is not ~ or ~/ followed by a normalized relative "
	  "path" },
	{ "[sandbox]\nread = ~/../bob\n",
	  "cgijail.conf:2: sandbox.read: '~/../bob' is not ~ or ~/ followed by a normalized "
	  "relative path" },
	{ "[sandbox]\nread = ~//x\n",
	  "cgijail.conf:2: sandbox.read: '~//x' is not ~ or ~/ followed by a normalized "
	  "relative path" },
	{ "[sandbox]\nread = " R32 " /r32\n", "cgijail.conf:2: sandbox.read: more than 32 entries" },
	{ "[sandbox]\nwrite = data\n",
	  "cgijail.conf:2: sandbox.write: 'data' is not an absolute normalized path" },
	{ "[sandbox]\nwrite = ~alice/data\n",
	  "cgijail.conf:2: sandbox.write: '~alice/data' ~user is not supported, only ~ and ~/path" },
	{ "[sandbox]\nexec = git\n",
	  "cgijail.conf:2: sandbox.exec: 'git' is not an absolute normalized path" },
	/* network */
	{ "[sandbox]\nnetwork = all\n",
	  "cgijail.conf:2: sandbox.network: expected any, none or tcp:PORT[,PORT...]" },
	{ "[sandbox]\nnetwork = udp:53\n",
	  "cgijail.conf:2: sandbox.network: expected any, none or tcp:PORT[,PORT...]" },
	{ "[sandbox]\nnetwork =\n",
	  "cgijail.conf:2: sandbox.network: expected any, none or tcp:PORT[,PORT...]" },
	{ "[sandbox]\nnetwork = tcp:\n", "cgijail.conf:2: sandbox.network: " E_NET },
	{ "[sandbox]\nnetwork = tcp:0\n", "cgijail.conf:2: sandbox.network: " E_NET },
	{ "[sandbox]\nnetwork = tcp:65536\n", "cgijail.conf:2: sandbox.network: " E_NET },
	{ "[sandbox]\nnetwork = tcp:80,\n", "cgijail.conf:2: sandbox.network: " E_NET },
	{ "[sandbox]\nnetwork = tcp:5432, 3306\n", "cgijail.conf:2: sandbox.network: " E_NET },
	/* structure: duplicates, unknown keys, per section */
	{ "[limits]\nmemory = 1G\nmemory = 2G\n", "cgijail.conf:3: duplicate key 'limits.memory'" },
	{ "[limits]\ncpu = 1s\n[tenant]\ncpu = 100%\n[limits]\ncpu = 2s\n",
	  "cgijail.conf:6: duplicate key 'limits.cpu'" },
	{ "[tenant]\ncpu = 1%\ncpu = none\n", "cgijail.conf:3: duplicate key 'tenant.cpu'" },
	{ "[sandbox]\nread = /a\n\nread = /b\n", "cgijail.conf:4: duplicate key 'sandbox.read'" },
	{ "[limits]\nnproc = 5\n", "cgijail.conf:2: unknown key 'nproc' in [limits]" },
	{ "[tenant]\nwall = 5s\n", "cgijail.conf:2: unknown key 'wall' in [tenant]" },
	{ "[sandbox]\nmemory = 5M\n", "cgijail.conf:2: unknown key 'memory' in [sandbox]" },
	{ "[wrapper]\ncpu = 5s\n", "cgijail.conf:2: unknown key 'cpu' in [wrapper]" },
	{ "[limits]\ninterpreter = /x\n", "cgijail.conf:2: unknown key 'interpreter' in [limits]" },
	{ "[limits]\n\n\n# x\nmemory = 3M\n", "cgijail.conf:5: limits.memory" E_MEM },
};

ParameterizedTestParameters(policy, sandbox_bad_values)
{
	INDEX_PARAMS(bad_values);
}

ParameterizedTest(size_t *i, policy, sandbox_bad_values)
{
	struct policy p;
	struct policy_error e;
	char out[512];

	memset(&e, 0, sizeof(e));
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, bad_values[*i].text, &e), -1, "case %zu accepted", *i);
	policy_error_format(&e, out, sizeof(out));
	cr_expect_str_eq(out, bad_values[*i].msg, "case %zu: %s", *i, out);
	policy_free(&p);
	/* a drop-in refuses the same value with the same message */
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_named(&p, bad_values[*i].text, true, "cgijail.conf", &e), -1,
		     "case %zu accepted as a drop-in", *i);
	policy_error_format(&e, out, sizeof(out));
	cr_expect_str_eq(out, bad_values[*i].msg, "case %zu (drop-in): %s", *i, out);
	policy_free(&p);
	policy_free(&p);
}

/* ---- drop-ins over the main policy ---------------------------------------------------- */

static const char main_text[] = "[wrapper]\ninterpreter = /a/py\n"
				"[limits]\ncpu = 20s\nwall = 1m\nmemory = 512M\ntasks = 64\n"
				"open_files = 128\nfile_size = 1G\n"
				"[tenant]\nmemory = 4G\ntasks = 512\ncpu = 200%\nconcurrency = 8\n"
				"tmp_size = 32M\ntmp_inodes = 1000\n"
				"[sandbox]\ncgroup = best-effort\ncgroup_parent = web/cgi\n"
				"seccomp = off\nlandlock = best-effort\nread = /srv/a /srv/b ~/lib\n"
				"write = ~/data /var/spool/app\nexec = /usr/bin/git\n"
				"network = tcp:5432\n";

static const char *const main_values[NFIELDS] = {
	[L_CPU] = "20", [L_WALL] = "60000", [L_MEMORY] = "536870912", [L_TASKS] = "64",
	[L_OPEN_FILES] = "128", [L_FILE_SIZE] = "1073741824",
	[T_MEMORY] = "4294967296", [T_TASKS] = "512", [T_CPU] = "200", [T_CONCURRENCY] = "8",
	[T_TMP_SIZE] = "33554432", [T_TMP_INODES] = "1000",
	[S_CGROUP] = "best-effort", [S_CGROUP_PARENT] = "web/cgi", [S_SECCOMP] = "off",
	[S_LANDLOCK] = "best-effort", [S_READ] = "/srv/a|/srv/b|~/lib",
	[S_WRITE] = "~/data|/var/spool/app", [S_EXEC] = "/usr/bin/git", [S_NETWORK] = "tcp:5432",
};

/* Each drop-in and the fields it changes ("name=value" pairs separated by
 * ';', names as in field_name[]); every other field keeps the main file's
 * value. */
static const struct {
	const char *dropin;
	const char *changes;
} dropins[] = {
	{ "", "" },
	{ "# nothing\n[limits]\n[tenant]\n[sandbox]\n", "" },
	{ "[limits]\ncpu = 5s\n", "limits.cpu=5" },
	{ "[limits]\nwall = 10s\nmemory = 64M\n", "limits.wall=10000;limits.memory=67108864" },
	{ "[limits]\nmemory = none\ntasks = none\n", "limits.memory=0;limits.tasks=0" },
	{ "[limits]\nopen_files = 16\nfile_size = 1\n",
	  "limits.open_files=16;limits.file_size=1" },
	/* equal to limits.memory: fine */
	{ "[tenant]\nmemory = 512M\n", "tenant.memory=536870912" },
	{ "[tenant]\nmemory = none\ntasks = none\ncpu = none\n",
	  "tenant.memory=0;tenant.tasks=0;tenant.cpu=0" },
	{ "[tenant]\nconcurrency = 1\ncpu = 50%\n", "tenant.concurrency=1;tenant.cpu=50" },
	{ "[tenant]\ntmp_size = none\n", "tenant.tmp_size=0" },
	{ "[tenant]\ntmp_size = 128M\ntmp_inodes = 64\n",
	  "tenant.tmp_size=134217728;tenant.tmp_inodes=64" },
	{ "[sandbox]\ncgroup = off\nlandlock = required\nseccomp = on\n",
	  "sandbox.cgroup=off;sandbox.landlock=required;sandbox.seccomp=on" },
	{ "[sandbox]\ncgroup_parent = other\n", "sandbox.cgroup_parent=other" },
	/* a list replaces the whole list, it is not appended to */
	{ "[sandbox]\nread = /srv/c\n", "sandbox.read=/srv/c" },
	{ "[sandbox]\nread =\n", "sandbox.read=" },
	{ "[sandbox]\nwrite = ~\nexec =\n", "sandbox.write=~;sandbox.exec=" },
	{ "[sandbox]\nnetwork = any\n", "sandbox.network=any" },
	{ "[sandbox]\nnetwork = none\n", "sandbox.network=none" },
	/* every section at once, and [wrapper]'s two drop-in keys */
	{ "[wrapper]\ninterpreter_args = -I\n[limits]\ncpu = 1s\n[tenant]\ntasks = 64\n"
	  "[sandbox]\nexec = ~/bin/a ~/bin/b\n",
	  "limits.cpu=1;tenant.tasks=64;sandbox.exec=~/bin/a|~/bin/b" },
	/* raising the tenant and the request together */
	{ "[limits]\nmemory = 8G\n[tenant]\nmemory = 16G\n",
	  "limits.memory=8589934592;tenant.memory=17179869184" },
};

ParameterizedTestParameters(policy, sandbox_dropin_overrides)
{
	INDEX_PARAMS(dropins);
}

ParameterizedTest(size_t *i, policy, sandbox_dropin_overrides)
{
	const char *want[NFIELDS];
	char changes[256], b[2048];
	struct policy p;
	struct policy_error e = { 0 };

	memcpy(want, main_values, sizeof(want));
	snprintf(changes, sizeof(changes), "%s", dropins[*i].changes);
	for (char *save = NULL, *c = strtok_r(changes, ";", &save); c;
	     c = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(c, '=');
		cr_assert_not_null(eq);
		*eq = '\0';
		int f = 0;
		while (f < NFIELDS && strcmp(field_name[f], c) != 0)
			f++;
		if (f < NFIELDS)
			want[f] = eq + 1;
		else
			cr_assert_fail("unknown field '%s'", c);
	}
	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_named(&p, main_text, false, "cgijail.conf", &e), 0, "%s", e.reason);
	cr_assert_eq(policy_validate(&p, "cgijail.conf", &e), 0, "%s", e.reason);
	cr_assert_eq(parse_named(&p, dropins[*i].dropin, true, "users.d/alice.conf", &e), 0,
		     "case %zu: %u: %s", *i, e.line, e.reason);
	for (int f = 0; f < NFIELDS; f++)
		cr_expect_str_eq(field(&p, f, b, sizeof(b)), want[f], "case %zu field %d", *i, f);
	cr_expect_str_eq(p.interpreter, "/a/py");
	policy_free(&p);
}

static const struct {
	const char *main, *dropin;
	const char *msg;
} dropin_errors[] = {
	/* [wrapper] keys stay refused next to the new sections */
	{ "", "[limits]\ncpu = 5s\n[wrapper]\ndocroot = /x\n",
	  "users.d/alice.conf:4: key 'docroot' not allowed in users.d" },
	/* duplicates within the drop-in; the main file's key is no duplicate */
	{ "[limits]\ncpu = 5s\n", "[limits]\ncpu = 6s\ncpu = 7s\n",
	  "users.d/alice.conf:3: duplicate key 'limits.cpu'" },
	{ "", "[sandbox]\nread = /a\n[limits]\n[sandbox]\nread = /b\n",
	  "users.d/alice.conf:5: duplicate key 'sandbox.read'" },
	/* a drop-in that breaks a cross-key rule: line 0, the drop-in's name */
	{ "", "[limits]\nmemory = 2G\n",
	  "users.d/alice.conf: limits.memory 2G is above tenant.memory 1G (a request is part of "
	  "its tenant)" },
	{ "[tenant]\nmemory = 512M\n", "[limits]\nmemory = 513M\n",
	  "users.d/alice.conf: limits.memory 513M is above tenant.memory 512M (a request is part "
	  "of its tenant)" },
	{ "", "[tenant]\nmemory = 128M\n",
	  "users.d/alice.conf: limits.memory 256M is above tenant.memory 128M (a request is part "
	  "of its tenant)" },
	{ "", "[tenant]\ntasks = 31\n",
	  "users.d/alice.conf: limits.tasks 32 is above tenant.tasks 31 (a request is part of its "
	  "tenant)" },
	{ "[limits]\ntasks = 300\n[tenant]\ntasks = none\n", "[tenant]\ntasks = 299\n",
	  "users.d/alice.conf: limits.tasks 300 is above tenant.tasks 299 (a request is part of "
	  "its tenant)" },
};

ParameterizedTestParameters(policy, sandbox_dropin_errors)
{
	INDEX_PARAMS(dropin_errors);
}

ParameterizedTest(size_t *i, policy, sandbox_dropin_errors)
{
	struct policy p;
	struct policy_error e = { 0 };
	char out[512];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_named(&p, dropin_errors[*i].main, false, "cgijail.conf", &e), 0);
	cr_assert_eq(policy_validate(&p, "cgijail.conf", &e), 0, "%s", e.reason);
	cr_expect_eq(parse_named(&p, dropin_errors[*i].dropin, true, "users.d/alice.conf", &e),
		     -1, "case %zu accepted", *i);
	policy_error_format(&e, out, sizeof(out));
	cr_expect_str_eq(out, dropin_errors[*i].msg, "case %zu", *i);
	policy_free(&p);
}

/* ---- cross-key validation of the main file ------------------------------------------ */

static const struct {
	const char *text;
	const char *msg; /* NULL: valid */
} cross[] = {
	{ "", NULL },
	{ "[limits]\nmemory = 1G\n", NULL },         /* equal to the tenant's */
	{ "[limits]\nmemory = 1048577K\n",
	  "cgijail.conf: limits.memory 1048577K is above tenant.memory 1G (a request is part of "
	  "its tenant)" },
	{ "[limits]\nmemory = 5000001\n[tenant]\nmemory = 5000000\n",
	  "cgijail.conf: limits.memory 5000001 is above tenant.memory 5000000 (a request is part "
	  "of its tenant)" },
	{ "[limits]\nmemory = 64G\n[tenant]\nmemory = none\n", NULL },
	{ "[limits]\nmemory = none\n[tenant]\nmemory = 4M\n", NULL },
	{ "[limits]\ntasks = 256\n", NULL },
	{ "[limits]\ntasks = 257\n",
	  "cgijail.conf: limits.tasks 257 is above tenant.tasks 256 (a request is part of its "
	  "tenant)" },
	{ "[limits]\ntasks = 4194304\n[tenant]\ntasks = none\n", NULL },
	{ "[limits]\ntasks = none\n[tenant]\ntasks = 1\n", NULL },
	/* both broken: memory is reported */
	{ "[limits]\ntasks = 300\nmemory = 2G\n",
	  "cgijail.conf: limits.memory 2G is above tenant.memory 1G (a request is part of its "
	  "tenant)" },
	/* not cross-checked: cpu against wall, cpu against tenant.cpu, concurrency */
	{ "[limits]\ncpu = 60s\nwall = 1s\n[tenant]\ncpu = 1%\nconcurrency = 1024\n", NULL },
	/* not cross-checked: layers off with their keys set */
	{ "[sandbox]\nlandlock = off\nread = /srv\nnetwork = tcp:80\ncgroup = off\n", NULL },
};

ParameterizedTestParameters(policy, sandbox_cross_validation)
{
	INDEX_PARAMS(cross);
}

ParameterizedTest(size_t *i, policy, sandbox_cross_validation)
{
	struct policy p;
	struct policy_error e = { 0 };
	char out[512];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_str(&p, cross[*i].text, &e), 0, "case %zu: %s", *i, e.reason);
	int rc = policy_validate(&p, "cgijail.conf", &e);
	if (cross[*i].msg == NULL) {
		cr_expect_eq(rc, 0, "case %zu: %s", *i, e.reason);
	} else {
		cr_expect_eq(rc, -1, "case %zu accepted", *i);
		cr_expect_eq(e.line, 0);
		policy_error_format(&e, out, sizeof(out));
		cr_expect_str_eq(out, cross[*i].msg, "case %zu", *i);
	}
	policy_free(&p);
}

Test(policy, sandbox_validate_incomplete)
{
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	free(p.sandbox.cgroup_parent);
	p.sandbox.cgroup_parent = NULL;
	cr_expect_eq(policy_validate(&p, "cgijail.conf", &e), -1);
	cr_expect_str_eq(e.reason, "incomplete policy");
	policy_free(&p);
}

/* ---- freeing after partial failures ---------------------------------------------------- */

Test(policy, sandbox_failed_parse_is_freeable)
{
	static const char *const texts[] = {
		"[sandbox]\nread = /a /b ~/c\nwrite = /d\nexec = /e /f\ncgroup_parent = x/y\n"
		"write = /again\n",
		"[sandbox]\nread = /a /b\nwrite = /ok ~bad\n",
		"[sandbox]\ncgroup_parent = x\nexec = " R32 " /x\n",
		"[sandbox]\nread = /a\nnetwork = tcp:1,2,3,0\n",
	};

	for (size_t i = 0; i < NELEMS(texts); i++) {
		struct policy p;
		struct policy_error e = { 0 };

		cr_assert_eq(policy_defaults(&p), 0);
		cr_expect_eq(parse_str(&p, texts[i], &e), -1, "text %zu", i);
		policy_free(&p);
		cr_expect_eq(p.sandbox.read.n + p.sandbox.write.n + p.sandbox.exec.n, 0);
		cr_expect_null(p.sandbox.cgroup_parent);
		policy_free(&p);
	}
}

/* ---- printing helpers ------------------------------------------------------------------ */

Test(policy, level_names)
{
	cr_expect_str_eq(policy_level_name(POLICY_OFF), "off");
	cr_expect_str_eq(policy_level_name(POLICY_BEST_EFFORT), "best-effort");
	cr_expect_str_eq(policy_level_name(POLICY_REQUIRED), "required");
	cr_expect_str_eq(policy_level_name((enum policy_level)7), "?");
}


static const struct {
	const char *in;
	bool ok;
} parents[] = {
	{ "cgijail", true }, { "a/b/c/d", true }, { "a", true }, { "-x", false }, { "@", false },
	{ "1x", false }, { "x@1000.service", false }, { "system.slice/cgijail.service", true },
	{ "_x-1.y", true }, { N32, true }, { N32 "/" N32 "/" N32 "/" N32, true },
	{ N32 "x", false },
	{ "", false }, { "/", false }, { "/a", false }, { "a/", false }, { "a//b", false },
	{ ".", false }, { "..", false }, { ".a", false }, { "a/.b", false },
	{ "a/b/c/d/e", false }, { "a:b", false }, { "a\tb", false },
	{ "a\nb", false }, { "a*", false },
};

ParameterizedTestParameters(policy, cgroup_parent_rule)
{
	INDEX_PARAMS(parents);
}

ParameterizedTest(size_t *i, policy, cgroup_parent_rule)
{
	cr_expect_eq(policy_cgroup_parent_is_valid(parents[*i].in), parents[*i].ok, "'%s'",
		     parents[*i].in);
	cr_expect_eq(policy_cgroup_parent_is_valid(NULL), false);
}

/* The defaults documented in docs/man/cgijail.conf.5, written out as a policy
 * file, parse to exactly policy_defaults(). */
Test(policy, sandbox_documented_defaults_round_trip)
{
	static const char text[] =
		"[limits]\ncpu = 10s\nwall = 30s\nmemory = 256M\ntasks = 32\nopen_files = 64\n"
		"file_size = 16M\n[tenant]\nmemory = 1G\ntasks = 256\ncpu = none\n"
		"concurrency = 16\n[sandbox]\ncgroup = required\ncgroup_parent = cgijail\n"
		"seccomp = on\nlandlock = required\nread =\nwrite =\nexec =\nnetwork = none\n";
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	/* start from the opposite of every default */
	p.limits.cpu_s = p.limits.wall_ms = p.limits.memory = p.limits.tasks = 1;
	p.limits.open_files = p.limits.file_size = 1;
	p.tenant.memory = p.tenant.tasks = 1;
	p.tenant.cpu_percent = p.tenant.concurrency = 1;
	p.sandbox.cgroup = p.sandbox.landlock = POLICY_OFF;
	p.sandbox.seccomp = false;
	p.sandbox.network.mode = NET_ANY;
	cr_assert_eq(parse_str(&p, text, &e), 0, "%u: %s", e.line, e.reason);
	expect_sandbox_defaults_except(&p, -1, ",");
	cr_expect_eq(policy_validate(&p, "cgijail.conf", &e), 0, "%s", e.reason);
	policy_free(&p);
}

/* ---- [warm] ------------------------------------------------------------------------ */

Test(policy, warm_defaults)
{
	struct policy p;

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect(!p.warm.enabled);
	cr_expect_eq(p.warm.preload.n, 0);
	cr_expect_eq(p.warm.max_requests, 1000);
	cr_expect_eq(p.warm.max_age_ms, 3600 * 1000);
	cr_expect_eq(p.warm.idle_ms, 300 * 1000);
	policy_free(&p);
}

Test(policy, warm_values_in_the_policy_and_in_a_dropin)
{
	static const char text[] =
		"[warm]\nenabled = yes\npreload = json, urllib.parse\t_private mercurial.hgweb\n"
		"max_requests = 250\nmax_age = 20m\nidle_timeout = 30s\n";
	for (int dropin = 0; dropin <= 1; dropin++) {
		struct policy p;
		struct policy_error e = { 0 };
		char b[256];

		cr_assert_eq(policy_defaults(&p), 0);
		cr_assert_eq(parse_named(&p, text, dropin, dropin ? "alice.conf" : "cgijail.conf",
					 &e), 0, "%u: %s", e.line, e.reason);
		cr_expect(p.warm.enabled);
		cr_expect_str_eq(joined(&p.warm.preload, b, sizeof(b)),
				 "json|urllib.parse|_private|mercurial.hgweb");
		cr_expect_eq(p.warm.max_requests, 250);
		cr_expect_eq(p.warm.max_age_ms, 20 * 60 * 1000);
		cr_expect_eq(p.warm.idle_ms, 30 * 1000);
		policy_free(&p);
	}
}

static const struct {
	const char *text;
	const char *reason;     /* a part of the error */
} warm_bad[] = {
	{ "[warm]\nenabled = on\n", "expected yes or no" },
	{ "[warm]\nenabled =\n", "expected yes or no" },
	{ "[warm]\npreload = os;os.system\n", "is not a Python module name" },
	{ "[warm]\npreload = ../evil\n", "is not a Python module name" },
	{ "[warm]\npreload = json.\n", "is not a Python module name" },
	{ "[warm]\nmax_requests = 0\n", "" },
	{ "[warm]\nmax_requests = 1000001\n", "" },
	{ "[warm]\nmax_age = 0s\n", "not a duration" },
	{ "[warm]\nidle_timeout = forever\n", "not a duration" },
	{ "[warm]\nzygotes = 4\n", "unknown key" },
};

ParameterizedTestParameters(policy, warm_bad_values)
{
	static size_t idx[sizeof(warm_bad) / sizeof(warm_bad[0])];
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, sizeof(idx) / sizeof(idx[0]));
}

ParameterizedTest(size_t *i, policy, warm_bad_values)
{
	struct policy p;
	struct policy_error e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, warm_bad[*i].text, &e), -1, "case %zu accepted", *i);
	cr_expect(strstr(e.reason, warm_bad[*i].reason) != NULL, "case %zu: %s", *i, e.reason);
	policy_free(&p);
}

Test(policy, module_names)
{
	static const char *const good[] = {
		"json", "urllib.parse", "_x", "a1.b_2.C3", "mercurial.hgweb.hgwebdir_mod",
	};
	static const char *const bad[] = {
		"", ".", "json.", ".json", "a..b", "1abc", "a.1b", "a-b", "a b", "a/b", "é",
		"os;x", "a.b.",
	};
	char longest[POLICY_MODULE_NAME_MAX + 2];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect(policy_module_name_ok(good[i]), "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(!policy_module_name_ok(bad[i]), "%s", bad[i]);
	memset(longest, 'a', sizeof(longest));
	longest[POLICY_MODULE_NAME_MAX] = '\0';
	cr_expect(policy_module_name_ok(longest));
	longest[POLICY_MODULE_NAME_MAX] = 'a';
	longest[POLICY_MODULE_NAME_MAX + 1] = '\0';
	cr_expect(!policy_module_name_ok(longest));
}
