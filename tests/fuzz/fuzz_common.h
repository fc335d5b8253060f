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

#endif
