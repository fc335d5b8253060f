/* fuzz_logfmt - the log record of a request (wrapper/logic/logfmt.c:
 * log_format_json for log_file, log_format_syslog for syslog), which
 * carries the untrusted script path, user names and reasons.
 *
 * Input: a 96-byte header (caller uid, uid, gid, pid, time, which string
 * fields are NULL, mode, outcome, limit, whether the script ran, its exit
 * status, signal, wall and CPU milliseconds, peak memory, slot, and a
 * smaller buffer size), then NUL-separated caller, user, script, reason and
 * sandbox notes.  Mode, outcome and limit are cgijail's own words (the
 * documented values); every other string is arbitrary.
 *
 * Invariants (abort on violation):
 *  - the JSON record is one line with no control character: a flat JSON
 *    object whose keys are the documented ones, in order (the accounting
 *    keys only for a request that ran), with strings, integers and null
 *    only, every string well-formed (only \" \\ \uXXXX escapes, valid
 *    UTF-8, no raw C1/bidi/line-separator character);
 *  - every string field is exactly the escaper's bounded output of its
 *    input (so unescaping it gives the input back, or a prefix of it and
 *    "..." when long); numbers are the given ones, null where documented
 *    (unknown ids are numbers; status, signal, peak memory and slot are
 *    null when unknown or absent); the time is the given one, in UTC;
 *  - the syslog form is one line of key=value pairs in the documented
 *    order, quoted values as in the JSON record;
 *  - with a buffer too small, either the same record or 0 is returned. */
#include "fuzz_common.h"

#include <inttypes.h>
#include <time.h>

#include "logfmt.h"
#include "strutil.h"

#define MAX_FIELDS 24

/* Bounds of the escaped fields (logfmt.c: names 128, words 32, paths,
 * reasons and notes 1024, limit 64). */
#define SZ_NAME 128
#define SZ_WORD 32
#define SZ_TEXT 1024
#define SZ_LIMIT 64

struct field {
	char key[16];
	char quote; /* '"' for a string, 0 otherwise */
	const char *raw; /* a string's content between its quotes, or the token */
	size_t len;
};

/* A flat JSON object of strings, integers and null into f.  Returns the
 * number of fields; aborts when out is not such an object. */
static size_t parse_json(const char *out, struct field *f)
{
	const char *p = out;
	size_t n = 0;

	FUZZ_CHECK(*p == '{', "record does not start with '{': %.40s", out);
	p++;
	for (;;) {
		FUZZ_CHECK(n < MAX_FIELDS, "too many fields");
		FUZZ_CHECK(*p == '"', "key expected at %zu", (size_t)(p - out));
		size_t klen = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
		FUZZ_CHECK(klen > 0 && klen < sizeof(f[n].key) && p[1 + klen] == '"' &&
				   p[2 + klen] == ':',
			   "bad key at %zu", (size_t)(p - out));
		memcpy(f[n].key, p + 1, klen);
		f[n].key[klen] = '\0';
		p += klen + 3;
		if (*p == '"') {
			const char *s = ++p;
			while (*p != '"') {
				FUZZ_CHECK(*p != '\0', "unterminated string in '%s'", f[n].key);
				p += *p == '\\' && p[1] != '\0' ? 2 : 1;
			}
			f[n].quote = '"';
			f[n].raw = s;
			f[n].len = (size_t)(p - s);
			p++;
		} else if (strncmp(p, "null", 4) == 0) {
			f[n].quote = 0;
			f[n].raw = p;
			f[n].len = 4;
			p += 4;
		} else {
			const char *s = p;
			if (*p == '-')
				p++;
			size_t d = strspn(p, "0123456789");
			FUZZ_CHECK(d > 0 && (p[0] != '0' || d == 1), "bad number for '%s'", f[n].key);
			p += d;
			f[n].quote = 0;
			f[n].raw = s;
			f[n].len = (size_t)(p - s);
		}
		n++;
		if (*p == '}')
			break;
		FUZZ_CHECK(*p == ',', "',' expected after '%s'", f[n - 1].key);
		p++;
	}
	FUZZ_CHECK(p[1] == '\0', "text after the record");
	return n;
}

/* key=value pairs separated by single blanks; values quoted or bare. */
static size_t parse_syslog(const char *out, struct field *f)
{
	const char *p = out;
	size_t n = 0;

	while (*p != '\0') {
		FUZZ_CHECK(n < MAX_FIELDS, "too many fields");
		size_t klen = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
		FUZZ_CHECK(klen > 0 && klen < sizeof(f[n].key) && p[klen] == '=', "bad key at %zu",
			   (size_t)(p - out));
		memcpy(f[n].key, p, klen);
		f[n].key[klen] = '\0';
		p += klen + 1;
		if (*p == '"') {
			const char *s = ++p;
			while (*p != '"') {
				FUZZ_CHECK(*p != '\0', "unterminated value of '%s'", f[n].key);
				p += *p == '\\' && p[1] != '\0' ? 2 : 1;
			}
			f[n].quote = '"';
			f[n].raw = s;
			f[n].len = (size_t)(p - s);
			p++;
		} else {
			f[n].quote = 0;
			f[n].raw = p;
			f[n].len = strcspn(p, " ");
			FUZZ_CHECK(f[n].len > 0, "empty value of '%s'", f[n].key);
			p += f[n].len;
		}
		n++;
		if (*p == '\0')
			break;
		FUZZ_CHECK(*p == ' ' && p[1] != '\0', "' ' expected after '%s'", f[n - 1].key);
		p++;
	}
	return n;
}

static bool raw_is(const struct field *f, const char *text)
{
	return f->len == strlen(text) && memcmp(f->raw, text, f->len) == 0;
}

/* A quoted field: well-formed, and exactly the escaper's output for s
 * within size bytes. */
static void expect_str(const struct field *f, const char *key, const char *s, size_t size)
{
	static unsigned long cps[SZ_TEXT];
	char want[SZ_TEXT];

	FUZZ_CHECK(strcmp(f->key, key) == 0, "field '%s' where '%s' belongs", f->key, key);
	FUZZ_CHECK(f->quote == '"', "'%s' is not a string", key);
	(void)fuzz_json_decode(f->raw, f->len, cps, NULL);
	str_escape_json(want, size, s);
	FUZZ_CHECK(raw_is(f, want), "'%s' is '%.*s', expected '%s'", key, (int)f->len, f->raw,
		   want);
}

static void expect_tok(const struct field *f, const char *key, const char *text)
{
	FUZZ_CHECK(strcmp(f->key, key) == 0, "field '%s' where '%s' belongs", f->key, key);
	FUZZ_CHECK(f->quote == 0 && raw_is(f, text), "'%s' is '%.*s', expected '%s'", key,
		   (int)f->len, f->raw, text);
}

static void expect_num(const struct field *f, const char *key, long long v, bool known)
{
	char text[32];

	if (known)
		snprintf(text, sizeof(text), "%lld", v);
	expect_tok(f, key, known ? text : "null");
}

static void expect_unum(const struct field *f, const char *key, unsigned long long v)
{
	char text[32];

	snprintf(text, sizeof(text), "%llu", v);
	expect_tok(f, key, text);
}

static uint64_t take(const uint8_t *h, size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)h[off + i] << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const modes[] = { "suexec", "userdir", "interpreter", "version" };
	static const char *const outcomes[] = { "accepted", "refused", "error" };
	static const char *const limits[] = { NULL, "client-abort", "wall", "seccomp", "cpu",
					      "file_size", "memory", "tasks" };
	static char out[LOG_RECORD_MAX], small[LOG_RECORD_MAX];
	uint8_t h[96] = { 0 };
	char *v[6], *buf;
	struct field f[MAX_FIELDS];

	size_t hl = size < sizeof(h) ? size : sizeof(h);
	memcpy(h, data, hl);
	size_t n = fuzz_split(data + hl, size - hl, v, 5, &buf);
	const char *str[5]; /* caller, user, script, reason, sandbox */
	for (size_t i = 0; i < 5; i++) {
		if (h[40] & (1u << i))
			str[i] = NULL;
		else
			str[i] = i < n ? v[i] : "";
	}

	struct log_acct a = {
		.status = (int)(int32_t)take(h, 48, 4),
		.signal = (int)(int32_t)take(h, 52, 4),
		.wall_ms = take(h, 56, 8),
		.cpu_ms = take(h, 64, 8),
		.mem_peak = (h[41] & 2) ? LOG_UNKNOWN : take(h, 72, 8),
		.limit = limits[h[44] % 8],
		.slot = (int)(int32_t)take(h, 80, 4),
		.sandbox = str[4],
	};
	struct log_record r = {
		.caller = str[0],
		.caller_uid = (long long)take(h, 0, 8),
		.user = str[1],
		.uid = (long long)take(h, 8, 8),
		.gid = (long long)take(h, 16, 8),
		.mode = modes[h[42] % 4],
		.script = str[2],
		.outcome = outcomes[h[43] % 3],
		.reason = str[3],
		.acct = (h[41] & 1) ? &a : NULL,
	};
	/* Times gmtime_r() can render, and some it cannot. */
	struct timespec now = { .tv_sec = (time_t)(int64_t)take(h, 24, 8),
				.tv_nsec = (long)(take(h, 36, 4) % 1000000000u) };
	if (!(h[41] & 4))
		now.tv_sec %= 4102444800; /* before 2100 */
	pid_t pid = (pid_t)take(h, 32, 4);

	/* JSON */
	size_t len = log_format_json(out, sizeof(out), &r, &now, pid);
	FUZZ_CHECK(len > 0 && len < sizeof(out) && strlen(out) == len, "JSON record of %zu", len);
	FUZZ_CHECK(!fuzz_has_ctl(out), "control character in the JSON record");
	size_t nf = parse_json(out, f);
	FUZZ_CHECK(nf == (r.acct ? 19u : 11u), "%zu fields", nf);

	char ts[64], tsw[80];
	struct tm tm;
	if (gmtime_r(&now.tv_sec, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(ts, sizeof(ts), "@%lld", (long long)now.tv_sec);
	snprintf(tsw, sizeof(tsw), "%s.%03ldZ", ts, now.tv_nsec / 1000000L);
	expect_str(&f[0], "time", tsw, sizeof(tsw));
	expect_num(&f[1], "pid", pid, true);
	expect_str(&f[2], "caller", r.caller ? r.caller : "", SZ_NAME);
	expect_num(&f[3], "caller_uid", r.caller_uid, true);
	expect_str(&f[4], "user", r.user ? r.user : "", SZ_NAME);
	expect_num(&f[5], "uid", r.uid, true);
	expect_num(&f[6], "gid", r.gid, true);
	expect_str(&f[7], "mode", r.mode, SZ_WORD);
	expect_str(&f[8], "script", r.script ? r.script : "", SZ_TEXT);
	expect_str(&f[9], "outcome", r.outcome, SZ_WORD);
	expect_str(&f[10], "reason", r.reason ? r.reason : "", SZ_TEXT);
	if (r.acct) {
		expect_num(&f[11], "status", a.status, a.status >= 0);
		expect_num(&f[12], "signal", a.signal, a.signal > 0);
		expect_unum(&f[13], "wall_ms", a.wall_ms);
		expect_unum(&f[14], "cpu_ms", a.cpu_ms);
		if (a.mem_peak == LOG_UNKNOWN)
			expect_tok(&f[15], "mem_peak", "null");
		else
			expect_unum(&f[15], "mem_peak", a.mem_peak);
		if (a.limit)
			expect_str(&f[16], "limit", a.limit, SZ_LIMIT);
		else
			expect_tok(&f[16], "limit", "null");
		expect_num(&f[17], "slot", a.slot, a.slot >= 0);
		if (a.sandbox)
			expect_str(&f[18], "sandbox", a.sandbox, SZ_TEXT);
		else
			expect_tok(&f[18], "sandbox", "null");
	}

	/* A smaller buffer: the same record, or 0. */
	size_t smallsz = 1 + take(h, 84, 2) % sizeof(small);
	size_t slen = log_format_json(small, smallsz, &r, &now, pid);
	FUZZ_CHECK(slen == 0 ? len >= smallsz : slen == len && strcmp(small, out) == 0,
		   "buffer of %zu: %zu, full record %zu", smallsz, slen, len);

	/* syslog */
	len = log_format_syslog(out, sizeof(out), &r);
	FUZZ_CHECK(len > 0 && len < sizeof(out) && strlen(out) == len, "syslog record of %zu", len);
	FUZZ_CHECK(!fuzz_has_ctl(out), "control character in the syslog record");
	nf = parse_syslog(out, f);
	FUZZ_CHECK(nf == (r.acct ? 16u : 9u), "%zu syslog fields", nf);
	expect_tok(&f[0], "outcome", r.outcome);
	expect_str(&f[1], "caller", r.caller ? r.caller : "", SZ_NAME);
	expect_num(&f[2], "caller_uid", r.caller_uid, true);
	expect_str(&f[3], "user", r.user ? r.user : "", SZ_NAME);
	expect_num(&f[4], "uid", r.uid, true);
	expect_num(&f[5], "gid", r.gid, true);
	expect_tok(&f[6], "mode", r.mode);
	expect_str(&f[7], "script", r.script ? r.script : "", SZ_TEXT);
	expect_str(&f[8], "reason", r.reason ? r.reason : "", SZ_TEXT);
	if (r.acct) {
		expect_num(&f[9], "status", a.status, true);
		expect_num(&f[10], "signal", a.signal, true);
		expect_unum(&f[11], "wall_ms", a.wall_ms);
		expect_unum(&f[12], "cpu_ms", a.cpu_ms);
		if (a.mem_peak == LOG_UNKNOWN)
			expect_tok(&f[13], "mem_peak", "-1");
		else
			expect_unum(&f[13], "mem_peak", a.mem_peak);
		expect_str(&f[14], "limit", a.limit ? a.limit : "", SZ_LIMIT);
		expect_str(&f[15], "sandbox", a.sandbox ? a.sandbox : "", SZ_TEXT);
	}
	free(buf);
	return 0;
}
