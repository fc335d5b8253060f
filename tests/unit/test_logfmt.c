/* Unit tests for the pure formatters of wrapper/log.c: log_format_json() and
 * log_format_syslog().  Exact strings for fixed records and times, escaping
 * of untrusted fields, NULL fields, bounds.  A tiny parser for flat JSON
 * objects checks that every line is valid JSON and decodes fields back, so
 * escaping is verified as a round trip, not only by pattern. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logfmt.h"
#include "unit_params.h"

/* ---- a minimal flat-JSON parser (strings and integers only) -------------- */

struct jfield {
	char key[32];
	bool is_str;
	char *str; /* decoded, malloc'ed */
	size_t len;
	long long num;
};

struct jobj {
	size_t n;
	struct jfield f[16];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse a JSON string at *pp (after the opening quote); decoded bytes go to
 * a malloc'ed buffer.  Returns 0 or -1 with *err. */
static int jstring(const char **pp, char **out, size_t *outlen, const char **err)
{
	const char *p = *pp;
	size_t cap = strlen(p) + 1, o = 0;
	char *b = malloc(cap);

	if (!b) {
		*err = "oom";
		return -1;
	}
	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == '\0') {
			*err = "unterminated string";
			goto fail;
		}
		if (c < 0x20) {
			*err = "raw control character in string";
			goto fail;
		}
		if (c == '"') {
			p++;
			break;
		}
		if (c != '\\') {
			b[o++] = (char)c;
			p++;
			continue;
		}
		p++;
		switch (*p) {
		case '"': b[o++] = '"'; p++; break;
		case '\\': b[o++] = '\\'; p++; break;
		case '/': b[o++] = '/'; p++; break;
		case 'b': b[o++] = '\b'; p++; break;
		case 'f': b[o++] = '\f'; p++; break;
		case 'n': b[o++] = '\n'; p++; break;
		case 'r': b[o++] = '\r'; p++; break;
		case 't': b[o++] = '\t'; p++; break;
		case 'u': {
			unsigned long cp = 0;
			for (int k = 1; k <= 4; k++) {
				int h = hexval(p[k]);
				if (h < 0) {
					*err = "bad \\u escape";
					goto fail;
				}
				cp = cp * 16 + (unsigned long)h;
			}
			p += 5;
			if (cp >= 0xd800 && cp <= 0xdfff) {
				*err = "surrogate escape (not produced by cgijail)";
				goto fail;
			}
			/* UTF-8 encode; \u00XX for an invalid input byte decodes to
			 * U+00XX, which is what JSON says it means. */
			if (cp < 0x80) {
				b[o++] = (char)cp;
			} else if (cp < 0x800) {
				b[o++] = (char)(0xc0 | (cp >> 6));
				b[o++] = (char)(0x80 | (cp & 0x3f));
			} else {
				b[o++] = (char)(0xe0 | (cp >> 12));
				b[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				b[o++] = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default:
			*err = "bad escape";
			goto fail;
		}
	}
	b[o] = '\0';
	*out = b;
	*outlen = o;
	*pp = p;
	return 0;
fail:
	free(b);
	return -1;
}

static void jfree(struct jobj *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->f[i].str);
	o->n = 0;
}

/* Parse the whole of s as one flat object; nothing may follow it. */
static int jparse(const char *s, struct jobj *o, const char **err)
{
	const char *p = s;

	memset(o, 0, sizeof(*o));
	if (*p++ != '{') {
		*err = "no '{'";
		return -1;
	}
	if (*p == '}')
		goto end;
	for (;;) {
		char *key;
		size_t klen;
		struct jfield *f;

		if (o->n == NELEMS(o->f)) {
			*err = "too many keys";
			goto fail;
		}
		if (*p++ != '"') {
			*err = "key is not a string";
			goto fail;
		}
		if (jstring(&p, &key, &klen, err) != 0)
			goto fail;
		f = &o->f[o->n++];
		snprintf(f->key, sizeof(f->key), "%s", key);
		free(key);
		if (*p++ != ':') {
			*err = "no ':'";
			goto fail;
		}
		if (*p == '"') {
			p++;
			f->is_str = true;
			if (jstring(&p, &f->str, &f->len, err) != 0)
				goto fail;
		} else {
			char *endp;
			if (!(*p == '-' || (*p >= '0' && *p <= '9'))) {
				*err = "value is neither a string nor an integer";
				goto fail;
			}
			f->num = strtoll(p, &endp, 10);
			if (endp == p || (p[0] == '0' && endp - p > 1) ||
			    (p[0] == '-' && p[1] == '0' && endp - p > 2)) {
				*err = "bad number";
				goto fail;
			}
			p = endp;
		}
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}')
			break;
		*err = "no ',' or '}'";
		goto fail;
	}
end:
	if (p[1] != '\0') {
		*err = "trailing bytes after the object";
		goto fail;
	}
	return 0;
fail:
	jfree(o);
	return -1;
}

static const struct jfield *jget(const struct jobj *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->f[i].key, key) == 0)
			return &o->f[i];
	return NULL;
}

static void assert_no_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		cr_assert(c >= 0x20 && c != 0x7f, "raw control byte 0x%02x at offset %zu of: %s",
			  c, i, s);
	}
}

/* Parse out as the 11-key record and check key order. */
static void parse_record(const char *out, struct jobj *o)
{
	static const char *const keys[] = { "time", "pid", "caller", "caller_uid",
					    "user", "uid", "gid", "mode",
					    "script", "outcome", "reason" };
	const char *err = "?";

	cr_assert_eq(jparse(out, o, &err), 0, "invalid JSON (%s): %s", err, out);
	cr_assert_eq(o->n, NELEMS(keys), "%zu keys in %s", o->n, out);
	for (size_t i = 0; i < NELEMS(keys); i++)
		cr_assert_str_eq(o->f[i].key, keys[i], "key %zu", i);
}

static const struct log_record fixed = {
	.caller = "www-data",
	.caller_uid = 33,
	.user = "alice",
	.uid = 1001,
	.gid = 1002,
	.mode = "interpreter",
	.script = "/var/www/a.py",
	.outcome = "refused",
	.reason = "script '/var/www/a.py' is writable by group or others",
};

/* ---- self-test of the parser (so a broken parser cannot pass bad output) */

Test(logfmt, parser_selftest)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":1", "{\"a\":1}x", "{\"a\":\"x\ny\"}", "{\"a\":\"\\x\"}",
		"{\"a\":01}", "{a:1}", "{\"a\":\"\\u00g1\"}", "{\"a\":1,}", "{\"a\" :1}",
		"{\"a\":\"\x1b\"}",
	};
	struct jobj o;
	const char *err;

	for (size_t i = 0; i < NELEMS(bad); i++) {
		err = NULL;
		cr_assert_eq(jparse(bad[i], &o, &err), -1, "accepted: %s", bad[i]);
	}
	cr_assert_eq(jparse("{\"a\":\"x\\u001by\\\"\",\"b\":-1}", &o, &err), 0, "%s", err);
	cr_assert_eq(o.n, 2);
	cr_assert_str_eq(o.f[0].str, "x\x1by\"");
	cr_assert_eq(o.f[1].num, -1);
	jfree(&o);
}

/* ---- log_format_json ----------------------------------------------------- */

Test(logfmt, json_exact_fixed_record)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
	const char *want =
		"{\"time\":\"1970-01-01T00:00:00.000Z\",\"pid\":4242,\"caller\":\"www-data\","
		"\"caller_uid\":33,\"user\":\"alice\",\"uid\":1001,\"gid\":1002,"
		"\"mode\":\"interpreter\",\"script\":\"/var/www/a.py\","
		"\"outcome\":\"refused\","
		"\"reason\":\"script '/var/www/a.py' is writable by group or others\"}";
	size_t n = log_format_json(out, sizeof(out), &fixed, &ts, 4242);

	cr_assert_str_eq(out, want);
	cr_assert_eq(n, strlen(want));
	struct jobj o;
	parse_record(out, &o);
	cr_assert_eq(jget(&o, "pid")->num, 4242);
	cr_assert_eq(jget(&o, "gid")->num, 1002);
	jfree(&o);
}

static const struct {
	time_t sec;
	long nsec;
	const char *time;
} time_cases[] = {
	{ 0, 0, "1970-01-01T00:00:00.000Z" },
	{ 0, 999999, "1970-01-01T00:00:00.000Z" },     /* truncated, not rounded */
	{ 0, 1000000, "1970-01-01T00:00:00.001Z" },
	{ 0, 999999999, "1970-01-01T00:00:00.999Z" },
	{ 1, 500000000, "1970-01-01T00:00:01.500Z" },
	{ 1700000000, 5000000, "2023-11-14T22:13:20.005Z" },
	{ 951782400, 0, "2000-02-29T00:00:00.000Z" },
	{ 2147483648LL, 123000000, "2038-01-19T03:14:08.123Z" },
	{ 4102444800LL, 0, "2100-01-01T00:00:00.000Z" },
	{ -1, 0, "1969-12-31T23:59:59.000Z" },
};

ParameterizedTestParameters(log, json_time)
{
	INDEX_PARAMS(time_cases);
}

ParameterizedTest(size_t *i, log, json_time)
{
	char out[LOG_RECORD_MAX], want[64];
	struct timespec ts = { .tv_sec = time_cases[*i].sec, .tv_nsec = time_cases[*i].nsec };

	/* UTC whatever the local zone: a POSIX TZ needs no zoneinfo files. */
	cr_assert_eq(setenv("TZ", "CJT-5:30", 1), 0);
	tzset();

	cr_assert_gt(log_format_json(out, sizeof(out), &fixed, &ts, 1), 0);
	snprintf(want, sizeof(want), "{\"time\":\"%s\",\"pid\":1,", time_cases[*i].time);
	cr_assert_eq(strncmp(out, want, strlen(want)), 0, "want prefix %s, got %s", want, out);
}

Test(logfmt, json_null_fields)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { 0, 0 };
	struct log_record r = { .caller_uid = -1, .uid = -1, .gid = -1 };
	const char *want =
		"{\"time\":\"1970-01-01T00:00:00.000Z\",\"pid\":7,\"caller\":\"\","
		"\"caller_uid\":-1,\"user\":\"\",\"uid\":-1,\"gid\":-1,\"mode\":\"\","
		"\"script\":\"\",\"outcome\":\"\",\"reason\":\"\"}";
	size_t n = log_format_json(out, sizeof(out), &r, &ts, 7);

	cr_assert_str_eq(out, want);
	cr_assert_eq(n, strlen(want));
	struct jobj o;
	parse_record(out, &o);
	cr_assert_eq(jget(&o, "uid")->num, -1);
	jfree(&o);
}

/* Untrusted fields: every one of caller, user, script, reason (and mode and
 * outcome, escaped in JSON too) round-trips and no raw control byte leaks. */
Test(logfmt, json_escaping)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { 0, 0 };
	const char *script = "/var/www/a\"b\\c\nd\x1b[31me\r\tf\x7f.py";
	const char *reason = "script '/x\"\\\n\x1b]0;pwned\x07' is a \"symbolic\" link\n";
	struct log_record r = fixed;

	r.script = script;
	r.reason = reason;
	r.caller = "ev\"il\n";
	r.user = "u\\\x01";
	size_t n = log_format_json(out, sizeof(out), &r, &ts, 1);

	cr_assert_gt(n, 0);
	cr_assert_eq(n, strlen(out));
	assert_no_control(out, n);
	cr_assert_not_null(strstr(out, "\"script\":\"/var/www/a\\\"b\\\\c\\u000ad\\u001b[31me"
					"\\u000d\\u0009f\\u007f.py\""),
			   "%s", out);
	cr_assert_not_null(strstr(out, "\"caller\":\"ev\\\"il\\u000a\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"user\":\"u\\\\\\u0001\""), "%s", out);

	struct jobj o;
	parse_record(out, &o);
	cr_assert_str_eq(jget(&o, "script")->str, script);
	cr_assert_str_eq(jget(&o, "reason")->str, reason);
	cr_assert_str_eq(jget(&o, "caller")->str, "ev\"il\n");
	cr_assert_str_eq(jget(&o, "user")->str, "u\\\x01");
	jfree(&o);
}

Test(logfmt, json_format_characters_are_data)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { 0, 0 };
	struct log_record r = fixed;

	r.script = "/var/www/%s%n%x%%.py";
	r.reason = "%n%n%n";
	r.user = "%s";
	cr_assert_gt(log_format_json(out, sizeof(out), &r, &ts, 1), 0);
	cr_assert_not_null(strstr(out, "\"script\":\"/var/www/%s%n%x%%.py\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"reason\":\"%n%n%n\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"user\":\"%s\""), "%s", out);
}

Test(logfmt, json_non_ascii)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { 0, 0 };
	struct log_record r = fixed;

	r.script = "/var/www/caf\xc3\xa9-\xff-\xc2\x9b-\xe2\x80\xa8.py";
	size_t n = log_format_json(out, sizeof(out), &r, &ts, 1);

	cr_assert_gt(n, 0);
	/* valid UTF-8 kept, an invalid byte and C1 / U+2028 escaped */
	cr_assert_not_null(strstr(out, "caf\xc3\xa9-\\u00ff-\\u009b-\\u2028.py"), "%s", out);
	assert_no_control(out, n);
	struct jobj o;
	parse_record(out, &o);
	jfree(&o);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

Test(logfmt, json_long_script_bounded)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { 1700000000, 0 };
	struct log_record r = fixed;
	char *script = repeat('a', 8192);

	script[0] = '/';
	r.script = script;
	size_t n = log_format_json(out, sizeof(out), &r, &ts, 1);

	cr_assert_gt(n, 0, "an 8 KiB script path made the record fail");
	cr_assert_lt(n, (size_t)LOG_RECORD_MAX);
	cr_assert_eq(n, strlen(out));
	cr_assert_eq(out[n - 1], '}');
	assert_no_control(out, n);
	struct jobj o;
	parse_record(out, &o);
	const struct jfield *f = jget(&o, "script");
	cr_assert_lt(f->len, 8192, "not truncated");
	cr_assert_gt(f->len, 100, "truncated to almost nothing");
	cr_assert_eq(strcmp(f->str + f->len - 3, "..."), 0, "truncation not marked");
	cr_assert_str_eq(jget(&o, "reason")->str, fixed.reason, "other fields intact");
	cr_assert_str_eq(jget(&o, "outcome")->str, "refused");
	jfree(&o);
	free(script);
}

/* Worst case: every string field long and made of bytes that escape to six
 * characters, extreme numbers, into the LOG_RECORD_MAX - 1 that log_write()
 * passes (it keeps one byte for the newline).  Must still fit. */
Test(logfmt, json_worst_case_fits)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { 4102444800LL, 999999999 };
	char *esc = repeat('\x1b', 8192);
	char *quo = repeat('"', 8192);
	struct log_record r = {
		.caller = esc, .caller_uid = LLONG_MIN, .user = quo, .uid = LLONG_MIN,
		.gid = LLONG_MIN, .mode = esc, .script = esc, .outcome = quo, .reason = esc,
	};
	size_t n = log_format_json(out, sizeof(out) - 1, &r, &ts, INT_MAX);

	cr_assert_gt(n, 0, "worst-case record does not fit LOG_RECORD_MAX - 1");
	cr_assert_lt(n, (size_t)LOG_RECORD_MAX - 1);
	cr_assert_eq(out[n - 1], '}');
	assert_no_control(out, n);
	struct jobj o;
	parse_record(out, &o);
	cr_assert_eq(jget(&o, "uid")->num, LLONG_MIN);
	jfree(&o);
	free(esc);
	free(quo);
}

Test(logfmt, json_buffer_too_small)
{
	char big[LOG_RECORD_MAX], small[LOG_RECORD_MAX];
	struct timespec ts = { 0, 0 };
	size_t n = log_format_json(big, sizeof(big), &fixed, &ts, 1);

	cr_assert_gt(n, 0);
	/* exactly enough room (the NUL included) */
	memset(small, 'X', sizeof(small));
	cr_assert_eq(log_format_json(small, n + 1, &fixed, &ts, 1), n);
	cr_assert_str_eq(small, big);
	/* one byte short: 0, never a truncated record reported as written */
	memset(small, 'X', sizeof(small));
	cr_assert_eq(log_format_json(small, n, &fixed, &ts, 1), 0);
	cr_assert_eq(log_format_json(small, 16, &fixed, &ts, 1), 0);
	cr_assert_eq(log_format_json(small, 1, &fixed, &ts, 1), 0);
	cr_assert_eq(small[sizeof(small) - 1], 'X', "wrote past outsz");
	cr_assert_eq(small[n], 'X', "wrote past outsz");
}

/* ---- log_format_syslog --------------------------------------------------- */

Test(logfmt, syslog_exact_fixed_record)
{
	char out[LOG_RECORD_MAX];
	const char *want = "outcome=refused caller=\"www-data\" caller_uid=33 user=\"alice\" "
			   "uid=1001 gid=1002 mode=interpreter script=\"/var/www/a.py\" "
			   "reason=\"script '/var/www/a.py' is writable by group or others\"";
	size_t n = log_format_syslog(out, sizeof(out), &fixed);

	cr_assert_str_eq(out, want);
	cr_assert_eq(n, strlen(want));
}

Test(logfmt, syslog_accepted_and_null_fields)
{
	char out[LOG_RECORD_MAX];
	struct log_record r = { .caller_uid = -1, .uid = -1, .gid = -1 };
	const char *want = "outcome= caller=\"\" caller_uid=-1 user=\"\" uid=-1 gid=-1 "
			   "mode= script=\"\" reason=\"\"";

	cr_assert_eq(log_format_syslog(out, sizeof(out), &r), strlen(want));
	cr_assert_str_eq(out, want);

	r = fixed;
	r.outcome = "accepted";
	r.reason = NULL;
	r.mode = "suexec";
	cr_assert_gt(log_format_syslog(out, sizeof(out), &r), 0);
	cr_assert_str_eq(out, "outcome=accepted caller=\"www-data\" caller_uid=33 "
			      "user=\"alice\" uid=1001 gid=1002 mode=suexec "
			      "script=\"/var/www/a.py\" reason=\"\"");
}

Test(logfmt, syslog_escaping)
{
	char out[LOG_RECORD_MAX];
	struct log_record r = fixed;

	r.script = "/var/www/a\"b\\c\nd\x1b[2Je.py";
	r.reason = "x\" injected=\"1\nfake line";
	r.caller = "c\r";
	r.user = "u\"";
	size_t n = log_format_syslog(out, sizeof(out), &r);

	cr_assert_gt(n, 0);
	cr_assert_eq(n, strlen(out));
	assert_no_control(out, n);
	cr_assert_not_null(strstr(out, "script=\"/var/www/a\\\"b\\\\c\\u000ad\\u001b[2Je.py\""),
			   "%s", out);
	cr_assert_not_null(strstr(out, "reason=\"x\\\" injected=\\\"1\\u000afake line\""),
			   "%s", out);
	cr_assert_not_null(strstr(out, "caller=\"c\\u000d\""), "%s", out);
	cr_assert_not_null(strstr(out, "user=\"u\\\"\""), "%s", out);
	/* a quote in a value never closes it: the only unescaped quotes are the
	 * 8 delimiting the 4 quoted values */
	size_t quotes = 0;
	for (size_t i = 0; i < n; i++) {
		if (out[i] == '\\')
			i++; /* skip the escaped character */
		else if (out[i] == '"')
			quotes++;
	}
	cr_assert_eq(quotes, 8, "%zu unescaped quotes in %s", quotes, out);
}

Test(logfmt, syslog_long_fields_bounded)
{
	char out[LOG_RECORD_MAX];
	char *script = repeat('s', 8192);
	char *reason = repeat('\n', 8192);
	struct log_record r = fixed;

	r.script = script;
	r.reason = reason;
	r.caller = reason;
	r.user = script;
	size_t n = log_format_syslog(out, sizeof(out), &r);

	cr_assert_gt(n, 0, "long fields made the syslog line fail");
	cr_assert_lt(n, (size_t)LOG_RECORD_MAX);
	cr_assert_eq(n, strlen(out));
	assert_no_control(out, n);
	cr_assert_eq(strncmp(out, "outcome=refused caller=\"", 24), 0, "%s", out);
	cr_assert_str_eq(out + n - 4, "...\"", "reason truncation not marked: %s",
			 out + n - 16);
	free(script);
	free(reason);
}

Test(logfmt, syslog_buffer_too_small)
{
	char big[LOG_RECORD_MAX], small[LOG_RECORD_MAX];
	size_t n = log_format_syslog(big, sizeof(big), &fixed);

	cr_assert_gt(n, 0);
	memset(small, 'X', sizeof(small));
	cr_assert_eq(log_format_syslog(small, n + 1, &fixed), n);
	cr_assert_str_eq(small, big);
	memset(small, 'X', sizeof(small));
	cr_assert_eq(log_format_syslog(small, n, &fixed), 0);
	cr_assert_eq(small[n], 'X', "wrote past outsz");
}

/* ---- accounting fields --------------------------------------------------- */

Test(logfmt, json_accounting_exact)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
	struct log_acct a = { .status = -1, .signal = 9, .wall_ms = 3016, .cpu_ms = 88,
			      .mem_peak = 6287360, .limit = "wall", .slot = 3,
			      .sandbox = "cgroup=v2 landlock=abi2 seccomp=inet" };
	struct log_record r = fixed;
	const char *tail =
		",\"status\":null,\"signal\":9,\"wall_ms\":3016,\"cpu_ms\":88,"
		"\"mem_peak\":6287360,\"limit\":\"wall\",\"slot\":3,"
		"\"sandbox\":\"cgroup=v2 landlock=abi2 seccomp=inet\"}";

	r.outcome = "accepted";
	r.reason = NULL;
	r.acct = &a;
	size_t n = log_format_json(out, sizeof(out), &r, &ts, 1);
	cr_assert_gt(n, strlen(tail));
	cr_assert_str_eq(out + n - strlen(tail), tail);
}

Test(logfmt, json_accounting_unknowns_are_null)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
	struct log_acct a = { .status = 0, .signal = 0, .mem_peak = LOG_UNKNOWN,
			      .limit = NULL, .slot = -1, .sandbox = NULL };
	struct log_record r = fixed;
	const char *tail =
		",\"status\":0,\"signal\":null,\"wall_ms\":0,\"cpu_ms\":0,"
		"\"mem_peak\":null,\"limit\":null,\"slot\":null,\"sandbox\":null}";

	r.acct = &a;
	size_t n = log_format_json(out, sizeof(out), &r, &ts, 1);
	cr_assert_str_eq(out + n - strlen(tail), tail);
}

Test(logfmt, json_accounting_sandbox_escaped)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
	struct log_acct a = { .status = 1, .slot = 0, .mem_peak = 1,
			      .sandbox = "note: \"x\"\n\x1b[31m" };
	struct log_record r = fixed;

	r.acct = &a;
	cr_assert_gt(log_format_json(out, sizeof(out), &r, &ts, 1), 0);
	cr_assert_not_null(strstr(out, "\"sandbox\":\"note: \\\"x\\\"\\u000a\\u001b[31m\"}"));
	cr_assert_null(strchr(out, '\n'));
	cr_assert_null(strchr(out, '\x1b'));
}

Test(logfmt, syslog_accounting)
{
	char out[LOG_RECORD_MAX];
	struct log_acct a = { .status = -1, .signal = 24, .wall_ms = 5, .cpu_ms = 2000,
			      .mem_peak = LOG_UNKNOWN, .limit = "cpu", .slot = 0,
			      .sandbox = "cgroup=off" };
	struct log_record r = fixed;

	r.acct = &a;
	cr_assert_gt(log_format_syslog(out, sizeof(out), &r), 0);
	cr_assert_not_null(strstr(out, " status=-1 signal=24 wall_ms=5 cpu_ms=2000 mem_peak=-1"
				       " limit=\"cpu\" sandbox=\"cgroup=off\""));
}

/* mem_peak is a byte count: unsigned over all 64 bits (a fuzzer's finding:
 * tests/fuzz/corpus/logfmt/bug-mem-peak-above-int64). */
Test(logfmt, mem_peak_is_unsigned)
{
	char out[LOG_RECORD_MAX];
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
	struct log_acct a = { .status = 0, .slot = 0, .mem_peak = 1ULL << 63,
			      .sandbox = "cgroup=v2" };
	struct log_record r = fixed;

	r.acct = &a;
	cr_assert_gt(log_format_json(out, sizeof(out), &r, &ts, 1), 0);
	cr_assert_not_null(strstr(out, "\"mem_peak\":9223372036854775808,"), "%s", out);
	cr_assert_gt(log_format_syslog(out, sizeof(out), &r), 0);
	cr_assert_not_null(strstr(out, " mem_peak=9223372036854775808 "), "%s", out);
	a.mem_peak = LOG_UNKNOWN - 1;
	cr_assert_gt(log_format_syslog(out, sizeof(out), &r), 0);
	cr_assert_not_null(strstr(out, " mem_peak=18446744073709551614 "), "%s", out);
}
