/* Unit tests for policy/strutil.c: tables of inputs and expected results. */
#include <criterion/criterion.h>
#include <string.h>

#include "strutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(strutil, ulong_strict)
{
	static const struct { const char *in; unsigned long max; int rc; unsigned long v; } t[] = {
		{ "0", 10, 0, 0 }, { "7", 10, 0, 7 }, { "10", 10, 0, 10 }, { "11", 10, -1, 0 },
		{ "4294967294", 4294967294UL, 0, 4294967294UL }, { "4294967295", 4294967294UL, -1, 0 },
		{ "18446744073709551615", (unsigned long)-1, 0, (unsigned long)-1 },
		{ "18446744073709551616", (unsigned long)-1, -1, 0 },
		{ "99999999999999999999999", (unsigned long)-1, -1, 0 },
		{ "", 10, -1, 0 }, { "+1", 10, -1, 0 }, { "-1", 10, -1, 0 }, { " 1", 10, -1, 0 },
		{ "1 ", 10, -1, 0 }, { "01", 10, -1, 0 }, { "0x1", 100, -1, 0 }, { "1e3", 10000, -1, 0 },
		{ "1.0", 10, -1, 0 },
	};
	for (size_t i = 0; i < N(t); i++) {
		unsigned long v = 12345;
		int rc = str_to_ulong_strict(t[i].in, t[i].max, &v);
		cr_expect_eq(rc, t[i].rc, "'%s': rc %d", t[i].in, rc);
		if (rc == 0)
			cr_expect_eq(v, t[i].v, "'%s': %lu", t[i].in, v);
	}
	cr_expect_eq(str_to_ulong_strict(NULL, 1, &(unsigned long){ 0 }), -1);
}

Test(strutil, octal_strict)
{
	static const struct { const char *in; int rc; unsigned long v; } t[] = {
		{ "022", 0, 022 }, { "0022", 0, 022 }, { "777", 0, 0777 }, { "0", 0, 0 },
		{ "1000", -1, 0 }, { "8", -1, 0 }, { "", -1, 0 }, { "-1", -1, 0 }, { "0o22", -1, 0 },
		{ " 22", -1, 0 },
	};
	for (size_t i = 0; i < N(t); i++) {
		unsigned long v = 0;
		int rc = str_to_octal_strict(t[i].in, 0777, &v);
		cr_expect_eq(rc, t[i].rc, "'%s'", t[i].in);
		if (rc == 0)
			cr_expect_eq(v, t[i].v, "'%s'", t[i].in);
	}
}

Test(strutil, abs_normalized)
{
	static const struct { const char *in; bool ok; } t[] = {
		{ "/", true }, { "/var/www", true }, { "/a/b.c/d-e", true }, { "/a/.hidden", true },
		{ "", false }, { "var/www", false }, { "/var/www/", false }, { "//var", false },
		{ "/var//www", false }, { "/var/./www", false }, { "/var/../www", false }, { "/..", false },
		{ "/.", false }, { "/var/www/..", false }, { "/a\nb", false }, { "/a\x7f", false },
		{ "/a\tb", false },
	};
	for (size_t i = 0; i < N(t); i++)
		cr_expect_eq(path_is_abs_normalized(t[i].in), t[i].ok, "case %zu", i);
	cr_expect(!path_is_abs_normalized(NULL));
}

Test(strutil, safe_relative)
{
	static const struct { const char *in; bool ok; } t[] = {
		{ "hello.py", true }, { "cgi-bin/x.py", true }, { "..x", true }, { "x..", true },
		{ "", false }, { "/hello.py", false }, { "../x.py", false }, { "a/../x.py", false },
		{ "a/..", false }, { "..", false }, { ".", false }, { "./x.py", false },
		{ "a//x.py", false }, { "a/", false }, { "x\n.py", false }, { "\x1b[31m", false },
	};
	for (size_t i = 0; i < N(t); i++)
		cr_expect_eq(path_is_safe_relative(t[i].in), t[i].ok, "case %zu", i);
}

Test(strutil, beneath_by_component)
{
	static const struct { const char *path, *root; bool ok; } t[] = {
		{ "/var/www", "/var/www", true }, { "/var/www/a", "/var/www", true },
		{ "/var/www/a/b", "/var/www", true }, { "/var/www2", "/var/www", false },
		{ "/var/www2/x", "/var/www", false }, { "/var/wwwx/a", "/var/www", false },
		{ "/var", "/var/www", false }, { "/var/www/a", "/", true }, { "/", "/", true },
		{ "/var/www/../etc", "/var/www", false }, { "/var/www/", "/var/www", false },
		{ "relative", "/var/www", false },
	};
	for (size_t i = 0; i < N(t); i++)
		cr_expect_eq(path_is_beneath(t[i].path, t[i].root), t[i].ok, "case %zu", i);
}

Test(strutil, names)
{
	static const struct { const char *in; bool ok; } t[] = {
		{ "www-data", true }, { "_apt", true }, { "alice", true }, { "a1.b-c", true },
		{ "machine$", true }, { "Alice", true }, { "abcdefghijklmnopqrstuvwxyz012345", true },
		{ "abcdefghijklmnopqrstuvwxyz0123456", false }, { "", false }, { "1abc", false },
		{ "-abc", false }, { "a b", false }, { "a/b", false }, { "a$b", false }, { "a:b", false },
		{ "a\n", false }, { ".", false }, { "..", false },
	};
	for (size_t i = 0; i < N(t); i++)
		cr_expect_eq(name_is_valid(t[i].in), t[i].ok, "case %zu", i);
}

Test(strutil, escape_json)
{
	static const struct { const char *in, *out; } t[] = {
		{ "plain /var/www/x.py", "plain /var/www/x.py" },
		{ "a\"b\\c", "a\\\"b\\\\c" },
		{ "line\nbreak\r\t", "line\\u000abreak\\u000d\\u0009" },
		{ "\x1b[31mred", "\\u001b[31mred" },
		{ "del\x7f", "del\\u007f" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },          /* valid UTF-8 kept */
		{ "bad\xc3(", "bad\\u00c3(" },             /* truncated sequence */
		{ "\xed\xa0\x80", "\\u00ed\\u00a0\\u0080" }, /* surrogate refused */
		{ "\xc0\xaf", "\\u00c0\\u00af" },           /* overlong refused */
		{ "", "" },
	};
	char out[128];
	for (size_t i = 0; i < N(t); i++) {
		size_t n = str_escape_json(out, sizeof(out), t[i].in);
		cr_expect_str_eq(out, t[i].out, "case %zu", i);
		cr_expect_eq(n, strlen(t[i].out), "case %zu", i);
	}
}

Test(strutil, escape_truncates_on_boundaries)
{
	char in[600], out[32];

	for (size_t len = 1; len < sizeof(in); len += 7) {
		for (size_t i = 0; i < len; i++)
			in[i] = (char)(i % 3 == 0 ? '\n' : 'x'); /* mixes 6-byte escapes */
		in[len] = '\0';
		for (size_t sz = 1; sz <= sizeof(out); sz++) {
			size_t n = str_escape_json(out, sz, in);
			cr_assert_lt(n, sz);
			cr_assert_eq(strlen(out), n);
			for (size_t k = 0; k < n; k++)
				cr_assert((unsigned char)out[k] >= 0x20, "control byte at %zu", k);
			/* never a cut escape: every backslash starts a full \u00XX */
			for (const char *b = strchr(out, '\\'); b; b = strchr(b + 1, '\\'))
				cr_assert(strncmp(b, "\\u00", 4) == 0 && strlen(b) >= 6);
		}
	}
	cr_expect_eq(str_escape_json(out, 0, "x"), 0);
	str_escape_json(out, 8, "abcdefghijk");
	cr_expect_str_eq(out, "abcd...");
}
