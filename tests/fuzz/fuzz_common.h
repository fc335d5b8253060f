/* fuzz_common.h - shared by the libFuzzer harnesses in tests/fuzz.
 *
 * FUZZ_CHECK(cond, ...) aborts with a message when an invariant does not
 * hold: libFuzzer reports the abort as a crash and saves the input.  The
 * helpers here are the harnesses' own reference implementations of the
 * rules under test (written from the documented rules, not by calling the
 * code under test), so a harness can compare the two. */
#ifndef CGIJAIL_FUZZ_COMMON_H
#define CGIJAIL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, \
				__LINE__, #cond);                               \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* The input split on every NUL byte into strings (an empty input gives
 * none, "a" one, "a\0" two: "a" and "").  At most max strings are kept;
 * what follows the max-th is ignored.  The strings live in one malloc'ed
 * copy of the input, returned in *buf for free(); v[n] is NULL, so v needs
 * max + 1 slots.  Returns n. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char **v,
				size_t max, char **buf)
{
	char *b = malloc(size + 1);
	size_t n = 0, start = 0;

	if (b == NULL)
		abort();
	if (size > 0)
		memcpy(b, data, size);
	b[size] = '\0';
	*buf = b;
	for (size_t i = 0; size > 0 && i <= size && n < max; i++) {
		if (i == size || b[i] == '\0') {
			v[n++] = b + start;
			start = i + 1;
		}
	}
	v[n] = NULL;
	return n;
}

/* A byte that is a control character in cgijail's sense (C0 or DEL). */
static inline bool fuzz_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static inline bool fuzz_has_ctl(const char *s)
{
	for (; *s; s++)
		if (fuzz_is_ctl((unsigned char)*s))
			return true;
	return false;
}

/* Reference: the path's '/'-separated components (empty ones included)
 * each pass comp_ok.  Used for "no '..' component" style checks. */
static inline bool fuzz_has_component(const char *p, const char *comp)
{
	size_t clen = strlen(comp);

	for (;;) {
		size_t len = strcspn(p, "/");
		if (len == clen && strncmp(p, comp, len) == 0)
			return true;
		if (p[len] == '\0')
			return false;
		p += len + 1;
	}
}

/* Reference for a normalized path body: components separated by single
 * '/', none empty, "." or "..", no control character.  body is the part
 * after the leading '/' of an absolute path, or a whole relative path. */
static inline bool fuzz_ref_components_ok(const char *body)
{
	if (*body == '\0' || fuzz_has_ctl(body))
		return false;
	return !fuzz_has_component(body, "") && !fuzz_has_component(body, ".") &&
	       !fuzz_has_component(body, "..");
}

/* Reference: absolute and normalized ("/" included). */
static inline bool fuzz_ref_abs_normalized(const char *p)
{
	if (p[0] != '/')
		return false;
	if (p[1] == '\0')
		return true;
	return fuzz_ref_components_ok(p + 1);
}

/* Reference: a safe relative path (suexec CMD, userdir). */
static inline bool fuzz_ref_safe_relative(const char *p)
{
	return p[0] != '\0' && p[0] != '/' && fuzz_ref_components_ok(p);
}

/* Reference: [A-Za-z_][A-Za-z0-9_.-]*[$]?, 1..32 bytes. */
static inline bool fuzz_ref_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		bool digit = c >= '0' && c <= '9';
		bool ok = i == 0 ? letter
				 : letter || digit || c == '.' || c == '-' ||
					   (c == '$' && i == n - 1);
		if (!ok)
			return false;
	}
	return true;
}

/* Reference: strict decimal (no sign, no blank, no leading zero unless
 * "0"), value <= max. */
static inline bool fuzz_ref_ulong(const char *s, unsigned long long max,
				  unsigned long long *out)
{
	unsigned long long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (out != NULL)
		*out = v;
	return true;
}

/* Decode UTF-8 at s (shortest form, no surrogates, <= U+10FFFF): length,
 * or 0 when invalid. */
static inline size_t fuzz_utf8(const unsigned char *s, size_t left, unsigned long *cp)
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
static inline bool fuzz_must_escape(unsigned long c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 ||
	       c == 0x2029 || c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* What the input means: its code points, each invalid byte as itself. */
static inline size_t fuzz_meaning(const char *s, unsigned long *cps)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n = 0;

	while (left > 0) {
		unsigned long c;
		size_t len = fuzz_utf8(p, left, &c);
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

static inline int fuzz_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode JSON string content out[0..len) into code points (cps, room for
 * len entries), checking its form: only \" \\ \uXXXX escapes, no raw
 * quote, valid UTF-8 with nothing fuzz_must_escape() left raw.  ends[i]
 * (when ends is not NULL) is the offset where item i ends.  Returns the
 * number of code points. */
static inline size_t fuzz_json_decode(const char *out, size_t len, unsigned long *cps, size_t *ends)
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
					int h = fuzz_hexval((char)p[i + (size_t)k]);
					FUZZ_CHECK(h >= 0, "bad \\u escape in '%s'", out);
					c = c * 16 + (unsigned long)h;
				}
				i += 6;
			}
		} else {
			FUZZ_CHECK(p[i] != '"', "raw quote in '%s'", out);
			size_t l = fuzz_utf8(p + i, len - i, &c);
			FUZZ_CHECK(l != 0, "invalid UTF-8 at %zu in output", i);
			FUZZ_CHECK(!fuzz_must_escape(c), "raw U+%04lX in output", c);
			i += l;
		}
		cps[n] = c;
		if (ends != NULL)
			ends[n] = i;
		n++;
	}
	return n;
}

#endif
