/* fuzz_escape - the log escaper (policy/strutil.c: str_escape_json), which
 * every untrusted string (script path, user names, reasons) goes through
 * before it reaches syslog or the JSON log, and policy_error_format, which
 * builds the policy error messages the wrapper logs.
 *
 * Input: two bytes giving the output buffer size (1..1024), then the
 * string to escape (up to its first NUL); what follows a NUL is used as
 * the error's reason for policy_error_format (file name: the string).
 *
 * Invariants (abort on violation):
 *  - the output is NUL-terminated within the buffer, its length is the
 *    return value, and it has no raw control character (C0, DEL), no
 *    unescaped '"' or '\\', only well-formed escapes (\" \\ \uXXXX) and
 *    valid UTF-8 with no C1 control, U+2028/U+2029 or bidi override left
 *    raw;
 *  - when it fits, unescaping it gives back the input exactly (each byte
 *    of invalid UTF-8 stands as \u00XX for that byte);
 *  - when it does not fit, it is a prefix of the full escaping cut at an
 *    item boundary (never inside an escape or a UTF-8 sequence), followed
 *    by "..." as far as it fits, and no further item would have fitted;
 *  - policy_error_format's message has no control character. */
#include "fuzz_common.h"

#include "policy.h"
#include "strutil.h"

#define MAX_CPS 8192

/* Decode UTF-8 at s (shortest form, no surrogates, <= U+10FFFF): length,
 * or 0 when invalid. */
static size_t ref_utf8(const unsigned char *s, size_t left, unsigned long *cp)
{
	size_t len;
	unsigned long c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (left < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that must never appear raw in a log line. */
static bool ref_must_escape(unsigned long c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 ||
	       c == 0x2029 || c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* What the input means: its code points, each invalid byte as itself. */
static size_t ref_meaning(const char *s, unsigned long *cps)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n = 0;

	while (left > 0) {
		unsigned long c;
		size_t len = ref_utf8(p, left, &c);
		if (len == 0) {
			c = *p;
			len = 1;
		}
		cps[n++] = c;
		p += len;
		left -= len;
	}
	return n;
}

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

/* Decode JSON string content out[0..len) into code points, checking its
 * form; *ends[i] is the output offset where item i ends. */
static size_t decode_json(const char *out, size_t len, unsigned long *cps, size_t *ends)
{
	const unsigned char *p = (const unsigned char *)out;
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned long c;
		if (p[i] == '\\') {
			FUZZ_CHECK(i + 1 < len, "lone backslash at the end of '%s'", out);
			if (p[i + 1] == '"' || p[i + 1] == '\\') {
				c = p[i + 1];
				i += 2;
			} else {
				FUZZ_CHECK(p[i + 1] == 'u' && i + 5 < len, "bad escape in '%s'", out);
				c = 0;
				for (int k = 2; k < 6; k++) {
					int h = hexval((char)p[i + (size_t)k]);
					FUZZ_CHECK(h >= 0, "bad \\u escape in '%s'", out);
					c = c * 16 + (unsigned long)h;
				}
				i += 6;
			}
		} else {
			FUZZ_CHECK(p[i] != '"', "raw quote in '%s'", out);
			size_t l = ref_utf8(p + i, len - i, &c);
			FUZZ_CHECK(l != 0, "invalid UTF-8 at %zu in output", i);
			FUZZ_CHECK(!ref_must_escape(c), "raw U+%04lX in output", c);
			i += l;
		}
		cps[n] = c;
		ends[n] = i;
		n++;
	}
	return n;
}

static void check_error_format(const char *file, const char *reason)
{
	struct policy_error e;
	char out[600];

	memset(&e, 0, sizeof(e));
	snprintf(e.file, sizeof(e.file), "%s", file);
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	for (unsigned line = 0; line < 2; line++) {
		e.line = line * 17;
		policy_error_format(&e, out, sizeof(out));
		FUZZ_CHECK(strlen(out) < sizeof(out) && !fuzz_has_ctl(out),
			   "policy_error_format: control character");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long want[MAX_CPS], got[MAX_CPS], full_cps[MAX_CPS];
	static size_t ends[MAX_CPS], full_ends[MAX_CPS];
	char *v[3], *buf;

	if (size < 2 || size > MAX_CPS)
		return 0;
	size_t outsz = 1 + ((size_t)data[0] | (size_t)data[1] << 8) % 1024;
	size_t n = fuzz_split(data + 2, size - 2, v, 2, &buf);
	const char *s = n > 0 ? v[0] : "";
	size_t slen = strlen(s);

	/* Big enough for anything: every byte a 6-byte escape. */
	size_t bigsz = slen * 6 + 1;
	char *full = malloc(bigsz), *out = malloc(outsz + 1);
	FUZZ_CHECK(full != NULL && out != NULL, "malloc");
	memset(out, 'X', outsz + 1);

	size_t flen = str_escape_json(full, bigsz, s);
	FUZZ_CHECK(flen < bigsz && strlen(full) == flen, "full: %zu of %zu", flen, bigsz);
	size_t nfull = decode_json(full, flen, full_cps, full_ends);
	size_t nwant = ref_meaning(s, want);
	FUZZ_CHECK(nfull == nwant && memcmp(full_cps, want, nwant * sizeof(want[0])) == 0,
		   "escaping changed the meaning of the input");

	size_t olen = str_escape_json(out, outsz, s);
	FUZZ_CHECK(olen < outsz && out[olen] == '\0' && strlen(out) == olen,
		   "returned %zu for a buffer of %zu", olen, outsz);
	FUZZ_CHECK(out[outsz] == 'X', "wrote past the buffer");
	if (flen < outsz) {
		FUZZ_CHECK(olen == flen && strcmp(out, full) == 0, "fits but differs");
	} else {
		/* A whole-item prefix of the full form, then dots. */
		size_t want_dots = outsz - 1 < 3 ? outsz - 1 : 3;
		size_t plen = olen - want_dots;
		FUZZ_CHECK(olen >= want_dots && memcmp(out + plen, "...", want_dots) == 0,
			   "truncated without '...': '%s' (buffer %zu)", out, outsz);
		FUZZ_CHECK(memcmp(out, full, plen) == 0, "truncated output is not a prefix");
		size_t k = 0;
		while (k < nfull && full_ends[k] < plen)
			k++;
		FUZZ_CHECK(plen == 0 || (k < nfull && full_ends[k] == plen),
			   "cut inside an item at %zu", plen);
		size_t items = plen == 0 ? 0 : k + 1;
		size_t room = outsz > 4 ? outsz - 4 : 0;
		size_t next_len = full_ends[items] - (items ? full_ends[items - 1] : 0);
		FUZZ_CHECK(items < nfull && plen + next_len > room,
			   "stopped at %zu bytes with room for the next item", plen);
		(void)decode_json(out, plen, got, ends);
	}
	check_error_format(s, n > 1 ? v[1] : s);
	free(full);
	free(out);
	free(buf);
	return 0;
}
