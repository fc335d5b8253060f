/* Unit tests for policy/policy.c: tables of valid and invalid policy texts,
 * fed through fmemopen (the parser never touches the file system).  Table
 * tests are parameterized by index (pointers into this binary's data are not
 * valid in Criterion's runner process). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define INDEX_PARAMS(table)                                              \
	do {                                                             \
		static size_t idx_[NELEMS(table)];                       \
		for (size_t k_ = 0; k_ < NELEMS(table); k_++)            \
			idx_[k_] = k_;                                   \
		return cr_make_param_array(size_t, idx_, NELEMS(table)); \
	} while (0)

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
	{ "[wrapper]\n[limits]\n", 2, "unknown section [limits]" },
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
