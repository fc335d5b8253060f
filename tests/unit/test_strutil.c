/* Unit tests for policy/strutil.c: tables of inputs and expected results.
 * One parameterized test per table, so a failing case is reported on its
 * own; the parameter is an index (pointers into this binary's data are not
 * valid in Criterion's runner process). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "strutil.h"
#include "unit_params.h"

/* ---- str_to_ulong_strict ------------------------------------------------ */

static const struct {
	const char *in;
	unsigned long max;
	int rc;
	unsigned long v;
} ulong_cases[] = {
	{ "0", 10, 0, 0 },
	{ "0", 0, 0, 0 },
	{ "7", 10, 0, 7 },
	{ "10", 10, 0, 10 },
	{ "11", 10, -1, 0 },
	{ "7", 5, -1, 0 },   /* a single digit above max */
	{ "1", 0, -1, 0 },
	{ "9", 9, 0, 9 },
	{ "1000", 1000, 0, 1000 },
	{ "1001", 1000, -1, 0 },
	{ "4294967294", 4294967294UL, 0, 4294967294UL },
	{ "4294967295", 4294967294UL, -1, 0 },
	{ "18446744073709551615", ULONG_MAX, 0, ULONG_MAX },
	{ "18446744073709551614", ULONG_MAX - 1, 0, ULONG_MAX - 1 },
	{ "18446744073709551615", ULONG_MAX - 1, -1, 0 },
	{ "18446744073709551616", ULONG_MAX, -1, 0 },
	{ "18446744073709551620", ULONG_MAX, -1, 0 },
	{ "99999999999999999999999", ULONG_MAX, -1, 0 },
	{ "", 10, -1, 0 },
	{ "+1", 10, -1, 0 },
	{ "-1", 10, -1, 0 },
	{ "-0", 10, -1, 0 },
	{ " 1", 10, -1, 0 },
	{ "1 ", 10, -1, 0 },
	{ "\t1", 10, -1, 0 },
	{ "1\n", 10, -1, 0 },
	{ "01", 10, -1, 0 },
	{ "00", 10, -1, 0 },
	{ "0x1", 100, -1, 0 },
	{ "1e3", 10000, -1, 0 },
	{ "1.0", 10, -1, 0 },
	{ "1,000", 10000, -1, 0 },
	{ "1_000", 10000, -1, 0 },
	{ "١", 10, -1, 0 }, /* Arabic-Indic digit one */
};

ParameterizedTestParameters(strutil, ulong_strict)
{
	INDEX_PARAMS(ulong_cases);
}

ParameterizedTest(size_t *i, strutil, ulong_strict)
{
	unsigned long v = 12345;
	int rc = str_to_ulong_strict(ulong_cases[*i].in, ulong_cases[*i].max, &v);

	cr_assert_eq(rc, ulong_cases[*i].rc, "'%s' (max %lu): rc %d", ulong_cases[*i].in,
		     ulong_cases[*i].max, rc);
	if (rc == 0)
		cr_assert_eq(v, ulong_cases[*i].v, "'%s': %lu", ulong_cases[*i].in, v);
	else
		cr_assert_eq(v, 12345, "'%s': *out written on failure", ulong_cases[*i].in);
}

Test(strutil, ulong_strict_null)
{
	unsigned long v = 0;

	cr_assert_eq(str_to_ulong_strict(NULL, 1, &v), -1);
}

/* ---- str_to_octal_strict ------------------------------------------------ */

static const struct {
	const char *in;
	unsigned long max;
	int rc;
	unsigned long v;
} octal_cases[] = {
	{ "022", 0777, 0, 022 },
	{ "0022", 0777, 0, 022 },
	{ "22", 0777, 0, 022 },
	{ "777", 0777, 0, 0777 },
	{ "0777", 0777, 0, 0777 },
	{ "0", 0777, 0, 0 },
	{ "000", 0777, 0, 0 },
	{ "0000000000000000000000000027", 0777, 0, 027 }, /* leading zeros only */
	{ "1000", 0777, -1, 0 },
	{ "1777", 0777, -1, 0 },
	{ "7", 5, -1, 0 },
	{ "8", 0777, -1, 0 },
	{ "0999", 0777, -1, 0 },
	{ "", 0777, -1, 0 },
	{ "-1", 0777, -1, 0 },
	{ "+1", 0777, -1, 0 },
	{ "0o22", 0777, -1, 0 },
	{ "0x1", 0777, -1, 0 },
	{ " 22", 0777, -1, 0 },
	{ "22 ", 0777, -1, 0 },
	{ "1777777777777777777777", ULONG_MAX, 0, ULONG_MAX },
	{ "2000000000000000000000", ULONG_MAX, -1, 0 },
	{ "7777777777777777777777777", ULONG_MAX, -1, 0 },
};

ParameterizedTestParameters(strutil, octal_strict)
{
	INDEX_PARAMS(octal_cases);
}

ParameterizedTest(size_t *i, strutil, octal_strict)
{
	unsigned long v = 12345;
	int rc = str_to_octal_strict(octal_cases[*i].in, octal_cases[*i].max, &v);

	cr_assert_eq(rc, octal_cases[*i].rc, "'%s': rc %d", octal_cases[*i].in, rc);
	if (rc == 0)
		cr_assert_eq(v, octal_cases[*i].v, "'%s': %#lo", octal_cases[*i].in, v);
	else
		cr_assert_eq(v, 12345, "'%s': *out written on failure", octal_cases[*i].in);
}

Test(strutil, octal_strict_null)
{
	unsigned long v = 0;

	cr_assert_eq(str_to_octal_strict(NULL, 0777, &v), -1);
}

/* ---- str_to_size, str_to_duration_ms --------------------------------------- */

#define KI 1024ULL
#define MI (1024ULL * 1024)
#define GI (1024ULL * 1024 * 1024)

static const struct {
	const char *in;
	uint64_t max;
	int rc;
	uint64_t v;
} size_cases[] = {
	{ "0", UINT64_MAX, 0, 0 },
	{ "1", UINT64_MAX, 0, 1 },
	{ "4096", UINT64_MAX, 0, 4096 },
	{ "1K", UINT64_MAX, 0, KI },
	{ "4M", UINT64_MAX, 0, 4 * MI },
	{ "256M", UINT64_MAX, 0, 256 * MI },
	{ "1G", UINT64_MAX, 0, GI },
	{ "0G", UINT64_MAX, 0, 0 },
	{ "1048576G", UINT64_MAX, 0, 1048576 * GI },
	{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
	{ "17179869183G", UINT64_MAX, 0, 17179869183ULL * GI }, /* 2^64 - 2^30 */
	/* max applies to the value in bytes, after the unit */
	{ "1024", 1024, 0, 1024 },
	{ "1K", 1024, 0, 1024 },
	{ "1025", 1024, -2, 0 },
	{ "2K", 1024, -2, 0 },
	{ "1M", 1024, -2, 0 },
	{ "1048576G", 1048576 * GI, 0, 1048576 * GI },
	{ "1048577G", 1048576 * GI, -2, 0 },
	{ "1073741824M", 1048576 * GI, 0, 1048576 * GI },
	{ "1073741825M", 1048576 * GI, -2, 0 },
	/* overflow of uint64_t: in the digits, or by the unit */
	{ "18446744073709551616", UINT64_MAX, -2, 0 },
	{ "99999999999999999999999", UINT64_MAX, -2, 0 },
	{ "17179869184G", UINT64_MAX, -2, 0 }, /* exactly 2^64 */
	{ "18014398509481984K", UINT64_MAX, -2, 0 }, /* 2^54 K = 2^64 */
	{ "18446744073709551615K", UINT64_MAX, -2, 0 },
	{ "18446744073709551616G", UINT64_MAX, -2, 0 },
	/* syntax (-1 even when the digits would also be too big) */
	{ "", UINT64_MAX, -1, 0 },
	{ "K", UINT64_MAX, -1, 0 },
	{ "M", UINT64_MAX, -1, 0 },
	{ "1k", UINT64_MAX, -1, 0 },
	{ "1m", UINT64_MAX, -1, 0 },
	{ "1g", UINT64_MAX, -1, 0 },
	{ "1T", UINT64_MAX, -1, 0 },
	{ "1P", UINT64_MAX, -1, 0 },
	{ "1KB", UINT64_MAX, -1, 0 },
	{ "1KiB", UINT64_MAX, -1, 0 },
	{ "1MM", UINT64_MAX, -1, 0 },
	{ "1 M", UINT64_MAX, -1, 0 },
	{ " 1M", UINT64_MAX, -1, 0 },
	{ "1M ", UINT64_MAX, -1, 0 },
	{ "M1", UINT64_MAX, -1, 0 },
	{ "+1M", UINT64_MAX, -1, 0 },
	{ "-1", UINT64_MAX, -1, 0 },
	{ "-1M", UINT64_MAX, -1, 0 },
	{ "01M", UINT64_MAX, -1, 0 },
	{ "00", UINT64_MAX, -1, 0 },
	{ "1.5G", UINT64_MAX, -1, 0 },
	{ "1,024", UINT64_MAX, -1, 0 },
	{ "0x100", UINT64_MAX, -1, 0 },
	{ "1e6", UINT64_MAX, -1, 0 },
	{ "none", UINT64_MAX, -1, 0 },
	{ "99999999999999999999999x", UINT64_MAX, -1, 0 },
	{ "099999999999999999999999", UINT64_MAX, -1, 0 },
};

ParameterizedTestParameters(strutil, size)
{
	INDEX_PARAMS(size_cases);
}

ParameterizedTest(size_t *i, strutil, size)
{
	uint64_t v = 12345;
	int rc = str_to_size(size_cases[*i].in, size_cases[*i].max, &v);

	cr_assert_eq(rc, size_cases[*i].rc, "'%s': rc %d", size_cases[*i].in, rc);
	if (rc == 0)
		cr_assert_eq(v, size_cases[*i].v, "'%s': %" PRIu64, size_cases[*i].in, v);
	else
		cr_assert_eq(v, 12345, "'%s': *out written on failure", size_cases[*i].in);
}

#define DAY_MS (24ULL * 3600 * 1000)

static const struct {
	const char *in;
	uint64_t max;
	int rc;
	uint64_t ms;
} duration_cases[] = {
	{ "0s", DAY_MS, 0, 0 },
	{ "1s", DAY_MS, 0, 1000 },
	{ "10s", DAY_MS, 0, 10000 },
	{ "90s", DAY_MS, 0, 90000 },
	{ "1m", DAY_MS, 0, 60000 },
	{ "0m", DAY_MS, 0, 0 },
	{ "86400s", DAY_MS, 0, DAY_MS },
	{ "1440m", DAY_MS, 0, DAY_MS },
	{ "86401s", DAY_MS, -2, 0 },
	{ "1441m", DAY_MS, -2, 0 },
	{ "18446744073709551615s", UINT64_MAX, -2, 0 },
	{ "18446744073709551616s", UINT64_MAX, -2, 0 },
	{ "307445734561825861m", UINT64_MAX, -2, 0 }, /* * 60000 overflows */
	{ "18446744073709551s", UINT64_MAX, 0, 18446744073709551000ULL },
	{ "18446744073709552s", UINT64_MAX, -2, 0 },
	/* a unit is required; only s and m */
	{ "10", DAY_MS, -1, 0 },
	{ "0", DAY_MS, -1, 0 },
	{ "s", DAY_MS, -1, 0 },
	{ "m", DAY_MS, -1, 0 },
	{ "", DAY_MS, -1, 0 },
	{ "10ms", DAY_MS, -1, 0 },
	{ "1h", DAY_MS, -1, 0 },
	{ "1d", DAY_MS, -1, 0 },
	{ "10S", DAY_MS, -1, 0 },
	{ "10M", DAY_MS, -1, 0 },
	{ "10sec", DAY_MS, -1, 0 },
	{ "1m30s", DAY_MS, -1, 0 },
	{ "1.5m", DAY_MS, -1, 0 },
	{ " 10s", DAY_MS, -1, 0 },
	{ "10 s", DAY_MS, -1, 0 },
	{ "10s ", DAY_MS, -1, 0 },
	{ "-1s", DAY_MS, -1, 0 },
	{ "+1s", DAY_MS, -1, 0 },
	{ "010s", DAY_MS, -1, 0 },
	{ "ss", DAY_MS, -1, 0 },
};

ParameterizedTestParameters(strutil, duration)
{
	INDEX_PARAMS(duration_cases);
}

ParameterizedTest(size_t *i, strutil, duration)
{
	uint64_t v = 12345;
	int rc = str_to_duration_ms(duration_cases[*i].in, duration_cases[*i].max, &v);

	cr_assert_eq(rc, duration_cases[*i].rc, "'%s': rc %d", duration_cases[*i].in, rc);
	if (rc == 0)
		cr_assert_eq(v, duration_cases[*i].ms, "'%s': %" PRIu64, duration_cases[*i].in, v);
	else
		cr_assert_eq(v, 12345, "'%s': *out written on failure", duration_cases[*i].in);
}

Test(strutil, size_and_duration_null)
{
	uint64_t v = 7;

	cr_expect_eq(str_to_size(NULL, UINT64_MAX, &v), -1);
	cr_expect_eq(str_to_duration_ms(NULL, UINT64_MAX, &v), -1);
	cr_expect_eq(v, 7);
}

/* ---- str_format_size, str_format_duration_ms ----------------------------------- */

static const struct {
	uint64_t v;
	const char *size, *duration;
} format_cases[] = {
	{ 0, "0", "0s" },
	{ 1, "1", "1ms" },
	{ 999, "999", "999ms" },
	{ 1000, "1000", "1s" },
	{ 1023, "1023", "1023ms" },
	{ 1024, "1K", "1024ms" },
	{ 1536, "1536", "1536ms" },
	{ 3072, "3K", "3072ms" },
	{ 30000, "30000", "30s" },
	{ 60000, "60000", "1m" },
	{ 90000, "90000", "90s" },
	{ 86400000, "84375K", "1440m" }, /* 86400000 = 84375 * 1024 */
	{ 4 * MI, "4M", "4194304ms" },
	{ 256 * MI, "256M", "268435456ms" },
	{ 256 * MI + KI, "262145K", "268436480ms" },
	{ GI, "1G", "1073741824ms" },
	{ 1048576 * GI, "1048576G", "1125899906842624ms" },
	{ UINT64_MAX, "18446744073709551615", "18446744073709551615ms" },
};

ParameterizedTestParameters(strutil, format_units)
{
	INDEX_PARAMS(format_cases);
}

ParameterizedTest(size_t *i, strutil, format_units)
{
	char out[32];
	uint64_t back = 0;
	size_t n;

	n = str_format_size(out, sizeof(out), format_cases[*i].v);
	cr_expect_str_eq(out, format_cases[*i].size);
	cr_expect_eq(n, strlen(format_cases[*i].size), "case %zu: %zu", *i, n);
	/* what it prints reads back as the same value */
	cr_expect_eq(str_to_size(out, UINT64_MAX, &back), 0, "'%s'", out);
	cr_expect_eq(back, format_cases[*i].v, "'%s'", out);

	n = str_format_duration_ms(out, sizeof(out), format_cases[*i].v);
	cr_expect_str_eq(out, format_cases[*i].duration);
	cr_expect_eq(n, strlen(format_cases[*i].duration));
	if (format_cases[*i].v % 1000 == 0) {
		cr_expect_eq(str_to_duration_ms(out, UINT64_MAX, &back), 0, "'%s'", out);
		cr_expect_eq(back, format_cases[*i].v, "'%s'", out);
	}
}

Test(strutil, format_units_truncate)
{
	char out[8];

	memset(out, 'Z', sizeof(out));
	cr_expect_eq(str_format_size(out, 4, 256 * MI), 4);
	cr_expect_str_eq(out, "256");
	cr_expect_eq(out[4], 'Z');
	cr_expect_eq(str_format_duration_ms(out, 3, 30000), 3);
	cr_expect_str_eq(out, "30");
}

/* ---- path_is_abs_normalized --------------------------------------------- */

static const struct {
	const char *in;
	bool ok;
} abs_cases[] = {
	{ "/", true },
	{ "/var/www", true },
	{ "/a/b.c/d-e", true },
	{ "/a/.hidden", true },
	{ "/a/...", true },
	{ "/a/..b", true },
	{ "/a/b..", true },
	{ "/with space", true },
	{ "/caf\xc3\xa9", true },
	{ "", false },
	{ "var/www", false },
	{ "./var", false },
	{ "/var/www/", false },
	{ "//", false },
	{ "//var", false },
	{ "/var//www", false },
	{ "/var/./www", false },
	{ "/var/../www", false },
	{ "/..", false },
	{ "/.", false },
	{ "/./", false },
	{ "/var/www/..", false },
	{ "/var/www/.", false },
	{ "/a\nb", false },
	{ "/a\rb", false },
	{ "/a\x7f", false },
	{ "/a\tb", false },
	{ "/\x1b[31m", false },
};

ParameterizedTestParameters(strutil, abs_normalized)
{
	INDEX_PARAMS(abs_cases);
}

ParameterizedTest(size_t *i, strutil, abs_normalized)
{
	cr_assert_eq(path_is_abs_normalized(abs_cases[*i].in), abs_cases[*i].ok,
		     "case %zu", *i);
}

/* ---- path_is_safe_relative ---------------------------------------------- */

static const struct {
	const char *in;
	bool ok;
} rel_cases[] = {
	{ "hello.py", true },
	{ "cgi-bin/x.py", true },
	{ "public_html", true },
	{ "a/b/c/d.py", true },
	{ "..x", true },
	{ "x..", true },
	{ ".hidden.py", true },
	{ "...", true },
	{ "", false },
	{ "/", false },
	{ "/hello.py", false },
	{ "../x.py", false },
	{ "a/../x.py", false },
	{ "a/..", false },
	{ "..", false },
	{ ".", false },
	{ "./x.py", false },
	{ "a/./x.py", false },
	{ "a/.", false },
	{ "a//x.py", false },
	{ "a/", false },
	{ "x\n.py", false },
	{ "x\t.py", false },
	{ "x\x7f", false },
	{ "\x1b[31m", false },
};

ParameterizedTestParameters(strutil, safe_relative)
{
	INDEX_PARAMS(rel_cases);
}

ParameterizedTest(size_t *i, strutil, safe_relative)
{
	cr_assert_eq(path_is_safe_relative(rel_cases[*i].in), rel_cases[*i].ok, "case %zu",
		     *i);
}

Test(strutil, paths_null)
{
	cr_assert(!path_is_abs_normalized(NULL));
	cr_assert(!path_is_safe_relative(NULL));
	cr_assert(!path_is_beneath(NULL, "/"));
	cr_assert(!path_is_beneath("/", NULL));
	cr_assert(!name_is_valid(NULL));
}

/* ---- path_is_beneath ---------------------------------------------------- */

static const struct {
	const char *path, *root;
	bool ok;
} beneath_cases[] = {
	{ "/var/www", "/var/www", true },
	{ "/var/www/a", "/var/www", true },
	{ "/var/www/a/b", "/var/www", true },
	{ "/var/www/a", "/", true },
	{ "/", "/", true },
	{ "/var/www2", "/var/www", false }, /* CVE-2007-1742 */
	{ "/var/www2/x", "/var/www", false },
	{ "/var/wwwx/a", "/var/www", false },
	{ "/var/ww", "/var/www", false },
	{ "/var", "/var/www", false },
	{ "/", "/var/www", false },
	{ "/srv/www", "/var/www", false },
	{ "/var/www/../etc", "/var/www", false },
	{ "/var/www/./a", "/var/www", false },
	{ "/var/www/", "/var/www", false },
	{ "/var/www/a", "/var/www/", false },
	{ "/var/www/a", "var/www", false },
	{ "relative", "/var/www", false },
	{ "", "/", false },
};

ParameterizedTestParameters(strutil, beneath_by_component)
{
	INDEX_PARAMS(beneath_cases);
}

ParameterizedTest(size_t *i, strutil, beneath_by_component)
{
	cr_assert_eq(path_is_beneath(beneath_cases[*i].path, beneath_cases[*i].root),
		     beneath_cases[*i].ok, "'%s' beneath '%s'", beneath_cases[*i].path,
		     beneath_cases[*i].root);
}

/* ---- name_is_valid ------------------------------------------------------ */

static const struct {
	const char *in;
	bool ok;
} name_cases[] = {
	{ "www-data", true },
	{ "_apt", true },
	{ "_", true },
	{ "a", true },
	{ "alice", true },
	{ "a1.b-c", true },
	{ "machine$", true },
	{ "a$", true },
	{ "Alice", true },
	{ "ALICE_2", true },
	{ "abcdefghijklmnopqrstuvwxyz012345", true },     /* 32 */
	{ "abcdefghijklmnopqrstuvwxyz01234$", true },     /* 32 with '$' */
	{ "abcdefghijklmnopqrstuvwxyz0123456", false },   /* 33 */
	{ "abcdefghijklmnopqrstuvwxyz012345$", false },   /* 33 with '$' */
	{ "", false },
	{ "$", false },
	{ "1abc", false },
	{ "0", false },
	{ "-abc", false },
	{ ".abc", false },
	{ "a b", false },
	{ "a/b", false },
	{ "a$b", false },
	{ "a$$", false },
	{ "a:b", false },
	{ "a@b", false },
	{ "a\n", false },
	{ "a\t", false },
	{ "caf\xc3\xa9", false },
	{ ".", false },
	{ "..", false },
};

ParameterizedTestParameters(strutil, names)
{
	INDEX_PARAMS(name_cases);
}

ParameterizedTest(size_t *i, strutil, names)
{
	cr_assert_eq(name_is_valid(name_cases[*i].in), name_cases[*i].ok, "case %zu", *i);
}

/* ---- str_escape_json: whole output --------------------------------------- */

static const struct {
	const char *in, *out;
} escape_cases[] = {
	{ "plain /var/www/x.py", "plain /var/www/x.py" },
	{ "", "" },
	{ "a\"b\\c", "a\\\"b\\\\c" },
	{ "'single' ok", "'single' ok" },
	{ "line\nbreak\r\t", "line\\u000abreak\\u000d\\u0009" },
	{ "\x01\x1f", "\\u0001\\u001f" },
	{ "\x1b[31mred", "\\u001b[31mred" },
	{ "del\x7f", "del\\u007f" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },                       /* valid UTF-8 kept */
	{ "\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80" },
	{ "\xef\xbf\xbf", "\xef\xbf\xbf" },                     /* U+FFFF */
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },             /* U+10FFFF */
	{ "bad\xc3(", "bad\\u00c3(" },                          /* cut sequence */
	{ "end\xe2\x82", "end\\u00e2\\u0082" },                 /* cut at end */
	{ "\x80", "\\u0080" },                                  /* lone continuation */
	{ "\xff\xfe", "\\u00ff\\u00fe" },
	{ "\xed\xa0\x80", "\\u00ed\\u00a0\\u0080" },            /* surrogate */
	{ "\xc0\xaf", "\\u00c0\\u00af" },                       /* overlong '/' */
	{ "\xe0\x80\xaf", "\\u00e0\\u0080\\u00af" },            /* overlong */
	{ "\xf0\x80\x80\xaf", "\\u00f0\\u0080\\u0080\\u00af" }, /* overlong */
	{ "\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080" }, /* > U+10FFFF */
	{ "\xc2\x9b" "2J", "\\u009b2J" },                       /* C1 CSI */
	{ "\xc2\x85", "\\u0085" },                              /* C1 NEL */
	{ "\xc2\xa0", "\xc2\xa0" },                             /* NBSP is kept */
	{ "a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029" }, /* line separators */
	{ "x\xe2\x80\xaeyz", "x\\u202eyz" },                    /* bidi override */
	{ "\xe2\x81\xa6\xe2\x81\xa9", "\\u2066\\u2069" },        /* bidi isolates */
	{ "\xe2\x80\x8e\xe2\x80\x8f", "\\u200e\\u200f" },        /* LRM, RLM */
};

ParameterizedTestParameters(strutil, escape_json)
{
	INDEX_PARAMS(escape_cases);
}

ParameterizedTest(size_t *i, strutil, escape_json)
{
	char out[128];
	size_t n = str_escape_json(out, sizeof(out), escape_cases[*i].in);

	cr_assert_str_eq(out, escape_cases[*i].out, "case %zu", *i);
	cr_assert_eq(n, strlen(escape_cases[*i].out), "case %zu: length %zu", *i, n);
}

/* ---- str_escape_json: truncation ----------------------------------------- */

static const struct {
	const char *in;
	size_t outsz;
	const char *out;
} trunc_cases[] = {
	{ "abcdefg", 8, "abcdefg" },              /* fits exactly: no "..." */
	{ "abcdefgh", 8, "abcd..." },
	{ "abcdefghijk", 8, "abcd..." },
	{ "abc", 4, "abc" },
	{ "abcd", 4, "..." },
	{ "abcd", 3, ".." },
	{ "abcd", 2, "." },
	{ "abcd", 1, "" },
	{ "", 1, "" },
	{ "\n", 7, "\\u000a" },                  /* the 6-byte escape fits exactly */
	{ "\n", 6, "..." },                      /* never "\\u00" */
	{ "ab\ncd", 10, "ab..." },               /* the escape is not cut */
	{ "ab\ncd", 11, "ab\\u000acd" },
	{ "ab\ncdef", 11, "ab..." },
	{ "ab\ncdef", 12, "ab\\u000a..." },
	{ "ab\ncdef", 13, "ab\\u000acdef" },
	{ "a\"bc", 6, "a\\\"bc" },
	{ "a\"bcd", 6, "a..." },                 /* '\\"' is one 2-byte item */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 7, "\xc3\xa9..." }, /* UTF-8 is not cut */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8, "\xc3\xa9\xc3\xa9..." },
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 9, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" },
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5, "..." },
	{ "x\xf0\x9f\x98\x80yzw", 8, "x..." },
	{ "x\xf0\x9f\x98\x80yzwv", 9, "x\xf0\x9f\x98\x80..." },
	{ "x\xf0\x9f\x98\x80yzwv", 10, "x\xf0\x9f\x98\x80yzwv" },
};

ParameterizedTestParameters(strutil, escape_truncation)
{
	INDEX_PARAMS(trunc_cases);
}

ParameterizedTest(size_t *i, strutil, escape_truncation)
{
	char out[64];
	size_t n;

	memset(out, 'Z', sizeof(out));
	n = str_escape_json(out, trunc_cases[*i].outsz, trunc_cases[*i].in);
	cr_assert_str_eq(out, trunc_cases[*i].out, "case %zu", *i);
	cr_assert_eq(n, strlen(trunc_cases[*i].out), "case %zu", *i);
	for (size_t k = trunc_cases[*i].outsz; k < sizeof(out); k++)
		cr_assert_eq(out[k], 'Z', "case %zu: wrote past outsz at %zu", *i, k);
}

Test(strutil, escape_zero_size_and_null)
{
	char out[8] = "keep";

	cr_assert_eq(str_escape_json(out, 0, "x"), 0);
	cr_assert_str_eq(out, "keep");
	cr_assert_eq(str_escape_json(NULL, 0, "x"), 0);
	cr_assert_eq(str_escape_json(out, sizeof(out), NULL), 0);
	cr_assert_str_eq(out, "");
}

/* Every input size and every output size: the result is a prefix of the
 * full escape made of whole items (then "..."), holds no control byte and is
 * valid UTF-8 - what the log file and the one-line stderr message need. */
static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		size_t len = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 :
			     (*s & 0xf8) == 0xf0 ? 4 : 0;
		if (len == 0)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[k] & 0xc0) != 0x80)
				return false;
		s += len;
	}
	return true;
}

Test(strutil, escape_truncates_on_boundaries)
{
	static const char *const pieces[] = { "x", "\n", "\"", "\xc3\xa9", "\xe2\x82\xac",
					      "\xf0\x9f\x98\x80", "\xff", "\xc2\x9b" };
	char in[400], full[2600], out[48];

	for (size_t len = 0; len < 60; len++) {
		in[0] = '\0';
		for (size_t k = 0; k < len; k++)
			strncat(in, pieces[(k * 7 + len) % NELEMS(pieces)],
				sizeof(in) - strlen(in) - 1);
		size_t fn = str_escape_json(full, sizeof(full), in);
		cr_assert_lt(fn, sizeof(full) - 1);
		for (size_t sz = 1; sz <= sizeof(out); sz++) {
			size_t n = str_escape_json(out, sz, in);
			cr_assert_lt(n, sz);
			cr_assert_eq(strlen(out), n);
			cr_assert(valid_utf8((const unsigned char *)out), "len %zu sz %zu", len, sz);
			for (size_t k = 0; k < n; k++)
				cr_assert((unsigned char)out[k] >= 0x20 && out[k] != 0x7f,
					  "control byte at %zu", k);
			if (fn < sz) {
				cr_assert_str_eq(out, full);
				continue;
			}
			/* truncated: a prefix of the full escape, then dots */
			size_t body = n >= 3 ? n - 3 : 0;
			cr_assert_eq(strspn(out + body, "."), n - body, "len %zu sz %zu", len, sz);
			cr_assert_eq(strncmp(out, full, body), 0, "len %zu sz %zu", len, sz);
			/* the body ends on an item boundary: no cut escape */
			const char *b = strrchr(out, '\\');
			if (b != NULL && (size_t)(b - out) < body)
				cr_assert(b[1] == '"' || b[1] == '\\' ||
					  (b[1] == 'u' && (size_t)(b - out) + 6 <= body),
					  "cut escape: len %zu sz %zu '%s'", len, sz, out);
			if (sz >= 4)
				cr_assert_eq(n - body, 3);
		}
	}
}

/* ---- path_expand_home, path_component, cgroup_parent_valid -------------- */

Test(strutil, expand_home)
{
	static const struct {
		const char *in, *home, *out; /* out NULL: error */
	} t[] = {
		{ "~", "/home/alice", "/home/alice" },
		{ "~/x", "/home/alice", "/home/alice/x" },
		{ "~/x/y", "/home/alice", "/home/alice/x/y" },
		{ "/srv/x", "/home/alice", "/srv/x" },
		{ "/srv/x", NULL, "/srv/x" },
		{ "~", "/", "/" },
		{ "~/x", "/", "/x" },
		{ "~bob", "/home/alice", NULL },
		{ "~bob/x", "/home/alice", NULL },
		{ "~", NULL, NULL },
		{ "~/x", "relative", NULL },
		{ "~/x", "/home/alice/", NULL },
		{ "~/../bob", "/home/alice", NULL },
		{ "~/./x", "/home/alice", NULL },
		{ "~/x/", "/home/alice", NULL },
		{ "~//x", "/home/alice", NULL },
		{ "rel/x", "/home/alice", NULL },
		{ "", "/home/alice", NULL },
		{ "/a//b", "/home/alice", NULL },
		{ "/a/b/", "/home/alice", NULL },
		{ "/a/../b", "/home/alice", NULL },
		{ "/a/b\n", "/home/alice", NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[64];
		const char *reason = NULL;
		int rc = path_expand_home(t[i].in, t[i].home, out, sizeof(out), &reason);

		if (t[i].out) {
			cr_expect_eq(rc, 0, "'%s': %s", t[i].in, reason ? reason : "");
			if (rc == 0)
				cr_expect_str_eq(out, t[i].out, "'%s'", t[i].in);
		} else {
			cr_expect_eq(rc, -1, "'%s' with home %s", t[i].in,
				     t[i].home ? t[i].home : "NULL");
			cr_expect_not_null(reason);
		}
	}

	char small[8];
	const char *reason = NULL;

	cr_expect_eq(path_expand_home("~/abcdef", "/home", small, sizeof(small),
				    &reason), -1);
	cr_expect_eq(path_expand_home("/abcdefgh", NULL, small, sizeof(small),
				    &reason), -1);
}

static const struct {
	const char *parent;
	bool ok, ok_no_units;
} cg_parent_rows[] = {
	{ "/cgijail", true, true },
	{ "/cgijail-test/r123", true, true },
	{ "/system.slice/cgijail.service/requests", true, false },
	{ "/machine.slice/x", true, false },
	{ "/a/b.scope/c", true, false },
	{ "/a.service2/c", true, true },
	{ "/.slice", false, false },
	{ "/", false, false },
	{ "", false, false },
	{ "cgijail", false, false },             /* relative */
	{ "//cgijail", false, false },
	{ "/cgijail/", false, false },
	{ "/cgijail//x", false, false },
	{ "/cgijail/.", false, false },
	{ "/cgijail/../x", false, false },
	{ "/a b", false, false },
	{ "/a\nb", false, false },
	{ "/user@1000.service", false, false },  /* '@' is not in a valid name */
	{ "/abcdefghijklmnopqrstuvwxyz0123456", false, false }, /* 33 chars */
};

Test(strutil, cgroup_parent_valid)
{
	for (size_t i = 0; i < NELEMS(cg_parent_rows); i++) {
		cr_assert_eq(cgroup_parent_valid(cg_parent_rows[i].parent, false), cg_parent_rows[i].ok,
			     "row %zu (%s)", i, cg_parent_rows[i].parent);
		cr_assert_eq(cgroup_parent_valid(cg_parent_rows[i].parent, true),
			     cg_parent_rows[i].ok_no_units, "row %zu (%s) no_units", i,
			     cg_parent_rows[i].parent);
	}
	cr_assert(!cgroup_parent_valid(NULL, false));
}

Test(strutil, path_component)
{
	static const struct {
		const char *p;
		size_t len;
		const char *next;
	} rows[] = {
		{ "a/b/c", 1, "b/c" }, { "abc", 3, "" }, { "abc/", 3, "" }, { "", 0, "" },
		{ "/x", 0, "x" },
	};

	for (size_t i = 0; i < NELEMS(rows); i++) {
		const char *next = NULL;

		cr_assert_eq(path_component(rows[i].p, &next), rows[i].len, "row %zu", i);
		cr_assert_str_eq(next, rows[i].next, "row %zu", i);
	}
	cr_assert_eq(path_component("ab/c", NULL), 2);
}
