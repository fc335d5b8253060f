/* Unit tests for policy/policy.c: tables of valid and invalid policy texts,
 * fed through fmemopen (the parser never touches the file system). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int parse_text(struct policy *p, const char *text, size_t len, bool dropin,
		      struct policy_error *err)
{
	FILE *f = fmemopen((void *)text, len, "r");
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

static char *joined(const struct strlist *l, char *buf, size_t sz)
{
	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		strncat(buf, i ? "|" : "", sz - strlen(buf) - 1);
		strncat(buf, l->v[i], sz - strlen(buf) - 1);
	}
	return buf;
}

Test(policy, defaults)
{
	struct policy p;
	char b[256];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_str_eq(joined(&p.callers, b, sizeof(b)), "www-data");
	cr_expect_str_eq(joined(&p.docroots, b, sizeof(b)), "/var/www");
	cr_expect_str_eq(p.userdir, "public_html");
	cr_expect_eq(p.min_uid, 1000);
	cr_expect_eq(p.min_gid, 1000);
	cr_expect_str_eq(p.interpreter, "/usr/bin/python3");
	cr_expect_str_eq(joined(&p.interpreter_args, b, sizeof(b)), "-E|-s|-B");
	cr_expect_str_eq(p.safe_path, "/usr/local/bin:/usr/bin:/bin");
	cr_expect_eq(p.umask, 022);
	cr_expect_null(p.log_file);
	cr_expect_eq(policy_validate(&p, "x", &(struct policy_error){ 0 }), 0);
	policy_free(&p);
	policy_free(&p); /* twice is safe */
}

Test(policy, full_example_with_comments)
{
	static const char text[] =
		"# cgijail policy\n"
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
		"\n";
	struct policy p;
	struct policy_error e = { 0 };
	char b[256];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(parse_str(&p, text, &e), 0, "%s:%u: %s", e.file, e.line, e.reason);
	cr_expect_str_eq(joined(&p.callers, b, sizeof(b)), "www-data|nginx");
	cr_expect_str_eq(joined(&p.docroots, b, sizeof(b)), "/var/www|/srv/sites");
	cr_expect_eq(p.min_uid, 2000);
	cr_expect_eq(p.min_gid, 3000);
	cr_expect_str_eq(p.interpreter, "/opt/python/bin/python3");
	cr_expect_str_eq(joined(&p.interpreter_args, b, sizeof(b)), "-I");
	cr_expect_str_eq(p.safe_path, "/usr/bin:/bin");
	cr_expect_eq(p.umask, 077);
	cr_expect_str_eq(p.log_file, "/var/log/cgijail/cgijail.log");
	cr_expect_eq(policy_validate(&p, "x", &e), 0);
	policy_free(&p);
}

Test(policy, valid_single_values)
{
	static const struct { const char *line, *field, *expect; } t[] = {
		{ "userdir =", "userdir", "" },
		{ "userdir = sites/cgi", "userdir", "sites/cgi" },
		{ "interpreter_args =", "interpreter_args", "" },
		{ "interpreter_args = -E   -s", "interpreter_args", "-E|-s" },
		{ "log_file =", "log_file", "(null)" },
		{ "umask = 0", "umask", "0" },
		{ "umask = 0027", "umask", "23" },
		{ "min_uid = 4294967294", "min_uid", "4294967294" },
		{ "caller = a,b c\tz", "caller", "a|b|c|z" },
		{ "docroot = /srv/www", "docroot", "/srv/www" },
		{ "safe_path = /bin", "safe_path", "/bin" },
	};
	for (size_t i = 0; i < N(t); i++) {
		char text[256], got[256];
		struct policy p;
		struct policy_error e = { 0 };

		snprintf(text, sizeof(text), "[wrapper]\n%s\n", t[i].line);
		cr_assert_eq(policy_defaults(&p), 0);
		cr_assert_eq(parse_str(&p, text, &e), 0, "'%s': %s", t[i].line, e.reason);
		if (!strcmp(t[i].field, "userdir"))
			snprintf(got, sizeof(got), "%s", p.userdir);
		else if (!strcmp(t[i].field, "interpreter_args"))
			joined(&p.interpreter_args, got, sizeof(got));
		else if (!strcmp(t[i].field, "log_file"))
			snprintf(got, sizeof(got), "%s", p.log_file ? p.log_file : "(null)");
		else if (!strcmp(t[i].field, "umask"))
			snprintf(got, sizeof(got), "%u", (unsigned)p.umask);
		else if (!strcmp(t[i].field, "min_uid"))
			snprintf(got, sizeof(got), "%lu", p.min_uid);
		else if (!strcmp(t[i].field, "caller"))
			joined(&p.callers, got, sizeof(got));
		else if (!strcmp(t[i].field, "docroot"))
			joined(&p.docroots, got, sizeof(got));
		else
			snprintf(got, sizeof(got), "%s", p.safe_path);
		cr_expect_str_eq(got, t[i].expect, "'%s'", t[i].line);
		policy_free(&p);
	}
}

/* Each invalid text, the line the error must name, and part of the reason. */
static const struct { const char *text; unsigned line; const char *reason; } invalid[] = {
	{ "[wrapper]\nfoo = 1\n", 2, "unknown key 'foo' in [wrapper]" },
	{ "[bar]\n", 1, "unknown section" },
	{ "caller = x\n", 1, "before any [section]" },
	{ "[wrapper]\njust words\n", 2, "expected 'key = value'" },
	{ "[wrapper]\n= value\n", 2, "expected 'key = value'" },
	{ "[wrapper]\nCaller = x\n", 2, "expected 'key = value'" },
	{ "[wrapper\n", 1, "malformed section header" },
	{ "[]\n", 1, "malformed section header" },
	{ "[wrapper]\ncaller = a\ncaller = b\n", 3, "duplicate key 'caller'" },
	{ "[wrapper]\nmin_uid = 0\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid = -1\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid = 1e3\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_gid =  99999999999\n", 2, "min_gid: not a number" },
	{ "[wrapper]\nmin_gid = 4294967295\n", 2, "min_gid: not a number" },
	{ "[wrapper]\nmin_uid = 10x\n", 2, "min_uid: not a number" },
	{ "[wrapper]\nmin_uid =\n", 2, "min_uid: not a number" },
	{ "[wrapper]\numask = 0999\n", 2, "umask: not an octal mode" },
	{ "[wrapper]\numask = 1777\n", 2, "umask: not an octal mode" },
	{ "[wrapper]\ncaller = root\n", 2, "root is never a caller" },
	{ "[wrapper]\ncaller = www-data root\n", 2, "root is never a caller" },
	{ "[wrapper]\ncaller =\n", 2, "caller: needs at least one" },
	{ "[wrapper]\ncaller = bad/name\n", 2, "not a valid user name" },
	{ "[wrapper]\ndocroot =\n", 2, "docroot: needs at least one" },
	{ "[wrapper]\ndocroot = /var/../www\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = var/www\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /var/www/\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /\n", 2, "not an absolute normalized path" },
	{ "[wrapper]\ndocroot = /a /a\n", 2, "listed twice" },
	{ "[wrapper]\nuserdir = /public_html\n", 2, "userdir: " },
	{ "[wrapper]\nuserdir = ../x\n", 2, "userdir: " },
	{ "[wrapper]\ninterpreter = python3\n", 2, "interpreter: " },
	{ "[wrapper]\nsafe_path = /bin::/usr/bin\n", 2, "safe_path: entry" },
	{ "[wrapper]\nsafe_path = bin\n", 2, "safe_path: entry" },
	{ "[wrapper]\nsafe_path =\n", 2, "safe_path: must not be empty" },
	{ "[wrapper]\nlog_file = log.txt\n", 2, "log_file: " },
	{ "[wrapper]\r\n", 1, "control character" },
	{ "[wrapper]\ncaller = a\x1b[0m\n", 2, "control character" },
	{ "[wrapper]\ninterpreter_args = -a -b -c -d -e -f -g -h -i -j -k -l -m -n -o -p "
	  "-q -r -s -t -u -v -w -x -y -z -A -B -C -D -E -F -G\n", 2, "more than 32 entries" },
};

Test(policy, invalid_table)
{
	for (size_t i = 0; i < N(invalid); i++) {
		struct policy p;
		struct policy_error e = { 0 };

		cr_assert_eq(policy_defaults(&p), 0);
		cr_expect_eq(parse_str(&p, invalid[i].text, &e), -1, "case %zu accepted", i);
		cr_expect_eq(e.line, invalid[i].line, "case %zu: line %u", i, e.line);
		cr_expect_not_null(strstr(e.reason, invalid[i].reason), "case %zu: '%s'", i, e.reason);
		cr_expect_str_eq(e.file, "cgijail.conf");
		policy_free(&p);
	}
}

Test(policy, nul_byte_and_long_lines)
{
	static const char nul[] = "[wrapper]\ncaller = www\0data\n";
	char longline[2100];
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_text(&p, nul, sizeof(nul) - 1, false, &e), -1);
	cr_expect_eq(e.line, 2);
	cr_expect_not_null(strstr(e.reason, "NUL byte"));
	policy_free(&p);

	/* 1024 bytes is the limit: exactly 1024 is fine, 1025 is refused, and
	 * the rest of an over-long line is never read as a new line. */
	for (size_t len = 1024; len <= 1025; len++) {
		memset(longline, 0, sizeof(longline));
		memcpy(longline, "[wrapper]\n#", 11);
		memset(longline + 11, 'x', len - 1);
		strcat(longline, "\n");
		cr_assert_eq(policy_defaults(&p), 0);
		int rc = parse_str(&p, longline, &e);
		if (len == 1024) {
			cr_expect_eq(rc, 0, "1024-byte line refused: %s", e.reason);
		} else {
			cr_expect_eq(rc, -1);
			cr_expect_eq(e.line, 2);
			cr_expect_not_null(strstr(e.reason, "line too long"));
		}
		policy_free(&p);
	}
}

Test(policy, last_line_without_newline_and_error_format)
{
	struct policy p;
	struct policy_error e = { 0 };
	char out[512];

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, "[wrapper]\nmin_uid = 1234", &e), 0);
	cr_expect_eq(p.min_uid, 1234);
	cr_expect_eq(parse_str(&p, "[wrapper]\nbogus = 1\n", &e), -1);
	policy_error_format(&e, out, sizeof(out));
	cr_expect_str_eq(out, "cgijail.conf:2: unknown key 'bogus' in [wrapper]");
	e.line = 0;
	snprintf(e.file, sizeof(e.file), "/etc/x\n.conf");
	policy_error_format(&e, out, sizeof(out));
	cr_expect_str_eq(out, "/etc/x\\u000a.conf: unknown key 'bogus' in [wrapper]");
	policy_free(&p);
}

Test(policy, values_are_escaped_in_reasons)
{
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_str(&p, "[wrapper]\ndocroot = rel\"ative\n", &e), -1);
	cr_expect_not_null(strstr(e.reason, "'rel\\\"ative'"), "%s", e.reason);
	policy_free(&p);
}

Test(policy, dropin_keys)
{
	struct policy p;
	struct policy_error e = { 0 };
	char b[64];
	static const char ok[] = "[wrapper]\ninterpreter = /usr/bin/python3.11\ninterpreter_args = -I\n";
	static const char *forbidden[] = { "docroot = /x", "caller = x", "min_uid = 1",
					   "userdir = x", "log_file = /x", "umask = 0", "safe_path = /x" };

	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_text(&p, ok, sizeof(ok) - 1, true, &e), 0, "%s", e.reason);
	cr_expect_str_eq(p.interpreter, "/usr/bin/python3.11");
	cr_expect_str_eq(joined(&p.interpreter_args, b, sizeof(b)), "-I");
	cr_expect_str_eq(joined(&p.docroots, b, sizeof(b)), "/var/www");
	policy_free(&p);
	for (size_t i = 0; i < N(forbidden); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[wrapper]\n%s\n", forbidden[i]);
		cr_assert_eq(policy_defaults(&p), 0);
		cr_expect_eq(parse_text(&p, text, strlen(text), true, &e), -1, "%s", forbidden[i]);
		cr_expect_not_null(strstr(e.reason, "not allowed in users.d"), "%s", e.reason);
		cr_expect_eq(e.line, 2);
		policy_free(&p);
	}
	cr_assert_eq(policy_defaults(&p), 0);
	cr_expect_eq(parse_text(&p, "[wrapper]\nnope = 1\n", 19, true, &e), -1);
	cr_expect_not_null(strstr(e.reason, "unknown key"));
	policy_free(&p);
}

Test(policy, validate_needs_callers_and_docroots)
{
	struct policy p;
	struct policy_error e = { 0 };

	cr_assert_eq(policy_defaults(&p), 0);
	free(p.callers.v[0]);
	p.callers.v[0] = NULL;
	p.callers.n = 0;
	cr_expect_eq(policy_validate(&p, "f", &e), -1);
	cr_expect_eq(e.line, 0);
	policy_free(&p);
}
