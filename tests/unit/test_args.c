/* test_args.c - the wrapper's command line (wrapper/args.c). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "unit_params.h"

#define MAXARGV 8

/* A command line: argv without argv[0] ("cgijail" is prepended). */
struct argv_case {
	const char *argv[MAXARGV];
};

/* Copy "cgijail" + c->argv into v (NULL-terminated); returns argc. */
static int make_argv(const char *const *args, char *v[MAXARGV + 2])
{
	int argc = 0;

	v[argc++] = (char *)"cgijail";
	for (size_t i = 0; i < MAXARGV && args[i] != NULL; i++)
		v[argc++] = (char *)args[i];
	v[argc] = NULL;
	return argc;
}

/* "a b c" for messages (escapes are not needed: the tables are ASCII). */
static const char *joined(const char *const *args)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < MAXARGV && args[i] != NULL && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s'%s'",
				      i ? " " : "", args[i]);
	return buf;
}

static void assert_zeroed(const struct request_args *a)
{
	cr_assert_eq(a->mode, MODE_SUEXEC);
	cr_assert_not(a->userdir);
	cr_assert_null(a->user);
	cr_assert_null(a->group);
	cr_assert_null(a->cmd);
	cr_assert_null(a->script_args);
	cr_assert_eq(a->nscript_args, 0);
}

/* ---- valid suexec command lines ----------------------------------------- */

struct suexec_ok {
	const char *argv[MAXARGV];
	bool userdir;
	const char *user, *group, *cmd;
	int nargs;
};

static const struct suexec_ok suexec_valid[] = {
	{ { "www", "www", "x.py" }, false, "www", "www", "x.py", 0 },
	{ { "alice", "staff", "index.py", "a", "b" }, false, "alice", "staff", "index.py", 2 },
	{ { "~alice", "alice", "cgi-bin/x.py" }, true, "alice", "alice", "cgi-bin/x.py", 0 },
	{ { "~bob", "1000", "a/b/c.py", "--x" }, true, "bob", "1000", "a/b/c.py", 1 },
	{ { "1000", "1000", "x.py" }, false, "1000", "1000", "x.py", 0 },
	{ { "~1000", "100", "x.py" }, true, "1000", "100", "x.py", 0 },
	{ { "0", "0", "x" }, false, "0", "0", "x", 0 },
	{ { "4294967294", "4294967294", "x" }, false, "4294967294", "4294967294", "x", 0 },
	{ { "www-data", "www-data", "x.cgi" }, false, "www-data", "www-data", "x.cgi", 0 },
	{ { "_svc", "Group_1", "x.py" }, false, "_svc", "Group_1", "x.py", 0 },
	{ { "user.name", "grp.name", "x.py" }, false, "user.name", "grp.name", "x.py", 0 },
	{ { "machine$", "grp$", "x.py" }, false, "machine$", "grp$", "x.py", 0 },
	{ { "abcdefghijklmnopqrstuvwxyz012345", "g", "x" }, false,
	  "abcdefghijklmnopqrstuvwxyz012345", "g", "x", 0 },
	{ { "u", "g", "..x.py" }, false, "u", "g", "..x.py", 0 },
	{ { "u", "g", "a..b/x...py" }, false, "u", "g", "a..b/x...py", 0 },
	{ { "u", "g", ".hidden.py" }, false, "u", "g", ".hidden.py", 0 },
	{ { "u", "g", "x y.py" }, false, "u", "g", "x y.py", 0 },
	{ { "u", "g", "x.py", "", "-V", "/abs", "../..", "a\nb" }, false, "u", "g", "x.py", 5 },
};

ParameterizedTestParameters(args, suexec_valid)
{
	INDEX_PARAMS(suexec_valid);
}

ParameterizedTest(size_t *i, args, suexec_valid)
{
	const struct suexec_ok *c = &suexec_valid[*i];
	char *v[MAXARGV + 2];
	int argc = make_argv(c->argv, v);
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(argc, v, &a, &why), 0, "%s refused: %s",
		     joined(c->argv), why ? why : "(null)");
	cr_assert_eq(a.mode, MODE_SUEXEC);
	cr_assert_eq(a.userdir, c->userdir);
	cr_assert_str_eq(a.user, c->user);
	cr_assert_str_eq(a.group, c->group);
	cr_assert_str_eq(a.cmd, c->cmd);
	cr_assert_eq(a.cmd, v[3], "cmd must point into argv");
	cr_assert_eq(a.nscript_args, c->nargs);
	cr_assert_eq(a.script_args, &v[4]);
	for (int k = 0; k < c->nargs; k++)
		cr_assert_str_eq(a.script_args[k], v[4 + k]);
	cr_assert_null(a.script_args[a.nscript_args]);
}

/* ---- refused command lines ---------------------------------------------- */

enum why_kind { W_USAGE, W_USER, W_GROUP, W_CMD_ABS, W_CMD_OTHER, W_SCRIPT };

struct refused {
	const char *argv[MAXARGV];
	enum why_kind why;
};

static const struct refused refused_cases[] = {
	/* too few arguments, options */
	{ { NULL }, W_USAGE },
	{ { "www" }, W_USAGE },
	{ { "www", "www" }, W_USAGE },
	{ { "-V", "extra" }, W_USAGE },
	{ { "-V", "" }, W_USAGE },
	{ { "--help" }, W_USAGE },
	{ { "-h" }, W_USAGE },
	{ { "-v" }, W_USAGE },
	{ { "-VV" }, W_USAGE },
	{ { "-" }, W_USAGE },
	{ { "--" }, W_USAGE },
	{ { "--", "www", "www", "x.py" }, W_USAGE },
	{ { "-V", "www", "www", "x.py" }, W_USAGE },
	{ { "-alice", "www", "x.py" }, W_USAGE },
	{ { "" }, W_USAGE },
	/* USER */
	{ { "", "www", "x.py" }, W_USER },
	{ { "~", "www", "x.py" }, W_USER },
	{ { "~~alice", "www", "x.py" }, W_USER },
	{ { "~/x", "www", "x.py" }, W_USER },
	{ { "~-1", "www", "x.py" }, W_USER },
	{ { "alice~", "www", "x.py" }, W_USER },
	{ { "01000", "www", "x.py" }, W_USER },
	{ { "00", "www", "x.py" }, W_USER },
	{ { "~01", "www", "x.py" }, W_USER },
	{ { "+1000", "www", "x.py" }, W_USER },
	{ { " 1000", "www", "x.py" }, W_USER },
	{ { "1000 ", "www", "x.py" }, W_USER },
	{ { "1000x", "www", "x.py" }, W_USER },
	{ { "1e3", "www", "x.py" }, W_USER },
	{ { "0x10", "www", "x.py" }, W_USER },
	{ { "4294967295", "www", "x.py" }, W_USER },
	{ { "~4294967295", "www", "x.py" }, W_USER },
	{ { "4294967296", "www", "x.py" }, W_USER },
	{ { "18446744073709551615", "www", "x.py" }, W_USER },
	{ { "99999999999999999999999", "www", "x.py" }, W_USER },
	{ { "alice bob", "www", "x.py" }, W_USER },
	{ { "a/b", "www", "x.py" }, W_USER },
	{ { "a:b", "www", "x.py" }, W_USER },
	{ { ".alice", "www", "x.py" }, W_USER },
	{ { "al$ice", "www", "x.py" }, W_USER },
	{ { "alice\n", "www", "x.py" }, W_USER },
	{ { "\xc3\xa4lice", "www", "x.py" }, W_USER },
	{ { "abcdefghijklmnopqrstuvwxyz0123456", "www", "x.py" }, W_USER },
	/* GROUP */
	{ { "www", "", "x.py" }, W_GROUP },
	{ { "www", "~www", "x.py" }, W_GROUP },
	{ { "www", "~", "x.py" }, W_GROUP },
	{ { "www", "-1", "x.py" }, W_GROUP },
	{ { "www", "0100", "x.py" }, W_GROUP },
	{ { "www", "4294967295", "x.py" }, W_GROUP },
	{ { "www", "4294967296", "x.py" }, W_GROUP },
	{ { "www", "12ab", "x.py" }, W_GROUP },
	{ { "www", "w w", "x.py" }, W_GROUP },
	{ { "www", "w/w", "x.py" }, W_GROUP },
	{ { "www", "abcdefghijklmnopqrstuvwxyz0123456", "x.py" }, W_GROUP },
	/* CMD: absolute or '..' */
	{ { "www", "www", "/x.py" }, W_CMD_ABS },
	{ { "www", "www", "/var/www/x.py" }, W_CMD_ABS },
	{ { "www", "www", "/" }, W_CMD_ABS },
	{ { "www", "www", ".." }, W_CMD_ABS },
	{ { "www", "www", "../x.py" }, W_CMD_ABS },
	{ { "www", "www", "a/../x.py" }, W_CMD_ABS },
	{ { "www", "www", "a/.." }, W_CMD_ABS },
	{ { "www", "www", "a/../../etc/passwd" }, W_CMD_ABS },
	/* CMD: otherwise not a safe relative path */
	{ { "www", "www", "" }, W_CMD_OTHER },
	{ { "www", "www", "." }, W_CMD_OTHER },
	{ { "www", "www", "./x.py" }, W_CMD_OTHER },
	{ { "www", "www", "a/./x.py" }, W_CMD_OTHER },
	{ { "www", "www", "a//x.py" }, W_CMD_OTHER },
	{ { "www", "www", "a/" }, W_CMD_OTHER },
	{ { "www", "www", "x\n.py" }, W_CMD_OTHER },
	{ { "www", "www", "x\x7f.py" }, W_CMD_OTHER },
	/* interpreter mode */
	{ { "/" }, W_SCRIPT },
	{ { "/var/www/" }, W_SCRIPT },
	{ { "/var/www/x.py/" }, W_SCRIPT },
	{ { "//x.py" }, W_SCRIPT },
	{ { "/var//www/x.py" }, W_SCRIPT },
	{ { "/var/./x.py" }, W_SCRIPT },
	{ { "/var/www/." }, W_SCRIPT },
	{ { "/var/../etc/x.py" }, W_SCRIPT },
	{ { "/var/www/..", "x" }, W_SCRIPT },
	{ { "/var/www/x\n.py" }, W_SCRIPT },
	{ { "/var/www/x\t.py" }, W_SCRIPT },
};

static const char *why_prefix(enum why_kind k)
{
	switch (k) {
	case W_USAGE:
		return "usage: ";
	case W_USER:
		return "bad user";
	case W_GROUP:
		return "bad group";
	case W_CMD_ABS:
		return "command path is absolute or contains '..'";
	case W_CMD_OTHER:
		return "command path is empty";
	case W_SCRIPT:
		return "script path is not";
	}
	return "?";
}

ParameterizedTestParameters(args, refused)
{
	INDEX_PARAMS(refused_cases);
}

ParameterizedTest(size_t *i, args, refused)
{
	const struct refused *c = &refused_cases[*i];
	const char *want = why_prefix(c->why);
	char *v[MAXARGV + 2];
	int argc = make_argv(c->argv, v);
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(argc, v, &a, &why), -1, "[%s] accepted", joined(c->argv));
	cr_assert_not_null(why);
	cr_assert_eq(strncmp(why, want, strlen(want)), 0, "[%s]: '%s', want '%s...'",
		     joined(c->argv), why, want);
	assert_zeroed(&a);
}

/* ---- interpreter mode ---------------------------------------------------- */

static const struct argv_case interp_valid[] = {
	{ { "/x" } },
	{ { "/var/www/x.py" } },
	{ { "/var/www/cgi-bin/x.py", "a" } },
	{ { "/home/alice/public_html/a b/x.py", "", "-V", "b" } },
	{ { "/var/www/.hidden/..x.py" } },
	{ { "/var/www/x.py", "/etc/passwd", "../..", "-x", "~u", "\n", "z" } },
};

ParameterizedTestParameters(args, interp_valid)
{
	INDEX_PARAMS(interp_valid);
}

ParameterizedTest(size_t *i, args, interp_valid)
{
	const struct argv_case *c = &interp_valid[*i];
	char *v[MAXARGV + 2];
	int argc = make_argv(c->argv, v);
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(argc, v, &a, &why), 0, "%s refused: %s",
		     joined(c->argv), why ? why : "(null)");
	cr_assert_eq(a.mode, MODE_INTERP);
	cr_assert_not(a.userdir);
	cr_assert_null(a.user);
	cr_assert_null(a.group);
	cr_assert_eq(a.cmd, v[1]);
	cr_assert_eq(a.nscript_args, argc - 2);
	cr_assert_eq(a.script_args, &v[2]);
	cr_assert_null(a.script_args[a.nscript_args]);
}

/* ---- version ---------------------------------------------------------------- */

Test(args, version)
{
	char *v[] = { "cgijail", "-V", NULL };
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(2, v, &a, &why), 0);
	cr_assert_eq(a.mode, MODE_VERSION);
	cr_assert_null(a.user);
	cr_assert_null(a.group);
	cr_assert_null(a.cmd);
	cr_assert_eq(a.nscript_args, 0);
	cr_assert_not_null(a.script_args);
	cr_assert_null(a.script_args[0]);
}

Test(args, argv0_is_not_looked_at)
{
	char *v[] = { "/some/other/name", "-V", NULL };
	char *w[] = { "", "u", "g", "x.py", NULL };
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(2, v, &a, &why), 0);
	cr_assert_eq(args_parse(4, w, &a, &why), 0);
}

/* ---- broken argument vectors -------------------------------------------- */

Test(args, no_argv0)
{
	char *none[] = { NULL };
	char *null0[] = { NULL, "-V", NULL };
	struct request_args a;
	const char *why;

	why = NULL;
	cr_assert_eq(args_parse(0, none, &a, &why), -1);
	cr_assert_str_eq(why, "empty argument vector");
	assert_zeroed(&a);
	why = NULL;
	cr_assert_eq(args_parse(0, NULL, &a, &why), -1);
	cr_assert_not_null(why);
	why = NULL;
	cr_assert_eq(args_parse(1, NULL, &a, &why), -1);
	cr_assert_not_null(why);
	why = NULL;
	cr_assert_eq(args_parse(-1, none, &a, &why), -1);
	cr_assert_not_null(why);
	why = NULL;
	cr_assert_eq(args_parse(2, null0, &a, &why), -1);
	cr_assert_str_eq(why, "empty argument vector");
	assert_zeroed(&a);
}

Test(args, argc_disagrees_with_argv)
{
	char *short_v[] = { "cgijail", "u", NULL, NULL, NULL };
	char *unterminated[] = { "cgijail", "u", "g", "x.py", "extra", NULL };
	struct request_args a;
	const char *why = NULL;

	/* argc claims more than there is */
	cr_assert_eq(args_parse(4, short_v, &a, &why), -1);
	cr_assert_str_eq(why, "malformed argument vector");
	assert_zeroed(&a);
	/* argv[argc] is not NULL: script_args would not be terminated */
	why = NULL;
	cr_assert_eq(args_parse(4, unterminated, &a, &why), -1);
	cr_assert_str_eq(why, "malformed argument vector");
	assert_zeroed(&a);
}

Test(args, null_out_and_reason)
{
	char *v[] = { "cgijail", "-V", NULL };
	char *bad[] = { "cgijail", "--help", NULL };
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(2, v, NULL, &why), -1);
	cr_assert_not_null(why);
	cr_assert_eq(args_parse(2, bad, &a, NULL), -1);
	cr_assert_eq(args_parse(2, v, &a, NULL), 0);
}

Test(args, refusal_clears_previous_result)
{
	char *good[] = { "cgijail", "~alice", "alice", "x.py", NULL };
	char *bad[] = { "cgijail", "~alice", "alice", "../x.py", NULL };
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(4, good, &a, &why), 0);
	cr_assert(a.userdir);
	cr_assert_eq(args_parse(4, bad, &a, &why), -1);
	assert_zeroed(&a);
}

/* ---- over-long paths ------------------------------------------------------ */

/* "aaaa/aaaa/..." of exactly len characters, no trailing '/'. */
static char *long_rel(size_t len)
{
	char *p = malloc(len + 1);

	cr_assert_not_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (i % 5 == 4 && i + 1 < len) ? '/' : 'a';
	p[len] = '\0';
	return p;
}

Test(args, long_command_path)
{
	char *ok = long_rel(PATH_MAX - 1), *toolong = long_rel(PATH_MAX);
	char *v[] = { "cgijail", "u", "g", ok, NULL };
	struct request_args a;
	const char *why = NULL;

	cr_assert_eq(args_parse(4, v, &a, &why), 0, "%s", why ? why : "");
	v[3] = toolong;
	cr_assert_eq(args_parse(4, v, &a, &why), -1);
	cr_assert_str_eq(why, "command path too long");
	free(ok);
	free(toolong);
}

Test(args, long_script_path)
{
	char *ok = long_rel(PATH_MAX - 1), *toolong = long_rel(PATH_MAX);
	struct request_args a;
	const char *why = NULL;

	ok[0] = '/';
	toolong[0] = '/';
	char *v[] = { "cgijail", ok, NULL };
	cr_assert_eq(args_parse(2, v, &a, &why), 0, "%s", why ? why : "");
	cr_assert_eq(a.mode, MODE_INTERP);
	v[1] = toolong;
	cr_assert_eq(args_parse(2, v, &a, &why), -1);
	cr_assert_str_eq(why, "script path too long");
	free(ok);
	free(toolong);
}

/* ---- args_parse_id --------------------------------------------------------- */

struct id_case {
	const char *s;
	bool ok;
	unsigned long v;
};

static const struct id_case id_cases[] = {
	{ "0", true, 0 },
	{ "1", true, 1 },
	{ "33", true, 33 },
	{ "1000", true, 1000 },
	{ "65534", true, 65534 },
	{ "65535", true, 65535 },
	{ "2147483648", true, 2147483648UL },
	{ "4294967294", true, 4294967294UL },
	{ "4294967295", false, 0 },   /* (uid_t)-1 */
	{ "4294967296", false, 0 },
	{ "9999999999", false, 0 },
	{ "18446744073709551615", false, 0 },
	{ "18446744073709551616", false, 0 },
	{ "99999999999999999999999999", false, 0 },
	{ "", false, 0 },
	{ "00", false, 0 },
	{ "01", false, 0 },
	{ "0001000", false, 0 },
	{ "-0", false, 0 },
	{ "-1", false, 0 },
	{ "+1", false, 0 },
	{ " 1", false, 0 },
	{ "1 ", false, 0 },
	{ "1\n", false, 0 },
	{ "\t1", false, 0 },
	{ "1a", false, 0 },
	{ "a1", false, 0 },
	{ "0x1", false, 0 },
	{ "1e3", false, 0 },
	{ "1.0", false, 0 },
	{ "1,000", false, 0 },
	{ "1_000", false, 0 },
	{ "\xd9\xa1", false, 0 },      /* ARABIC-INDIC DIGIT ONE */
	{ "\xef\xbc\x91", false, 0 },  /* FULLWIDTH DIGIT ONE */
	{ "www", false, 0 },
};

ParameterizedTestParameters(args, parse_id)
{
	INDEX_PARAMS(id_cases);
}

ParameterizedTest(size_t *i, args, parse_id)
{
	const struct id_case *c = &id_cases[*i];
	unsigned long v = 12345;

	cr_assert_eq(args_parse_id(c->s, &v), c->ok, "'%s'", c->s);
	if (c->ok)
		cr_assert_eq(v, c->v, "'%s' -> %lu", c->s, v);
	else
		cr_assert_eq(v, 12345, "'%s' wrote %lu on failure", c->s, v);
}

Test(args, parse_id_null)
{
	unsigned long v = 7;

	cr_assert_not(args_parse_id(NULL, &v));
	cr_assert_eq(v, 7);
	cr_assert(args_parse_id("42", NULL));
}
