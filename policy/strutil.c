/* strutil.c - see strutil.h.  No syscalls in this file. */
#include "strutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Shared by the decimal and octal parsers: digits of base only, value <= max,
 * overflow detected before it can happen (no strtoul: it accepts a sign,
 * leading blanks and a "0x" prefix, and saturates silently). */
static int digits_to_ulong(const char *s, unsigned base, unsigned long max,
			   unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s >= (char)('0' + base))
			return -1;
		unsigned long d = (unsigned long)(*s - '0');
		/* v * base + d <= max  <=>  d <= max && v <= (max - d) / base */
		if (d > max || v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	if (out != NULL)
		*out = v;
	return 0;
}

int str_to_ulong_strict(const char *s, unsigned long max, unsigned long *out)
{
	if (s == NULL || (s[0] == '0' && s[1] != '\0'))
		return -1;
	return digits_to_ulong(s, 10, max, out);
}

int str_to_octal_strict(const char *s, unsigned long max, unsigned long *out)
{
	return digits_to_ulong(s, 8, max, out);
}

/* Strict decimal (as str_to_ulong_strict) of the first len bytes of s into
 * a uint64_t.  Returns 0, -1 (not digits), or -2 (above max). */
static int digits_to_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	bool big = false;

	if (len == 0 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(s[i] - '0');
		/* Keep checking the syntax after the value got too big. */
		if (big || d > max || v > (max - d) / 10) {
			big = true;
			continue;
		}
		v = v * 10 + d;
	}
	if (big)
		return -2;
	*out = v;
	return 0;
}

/* n * unit <= max, without overflow.  Returns 0 or -2. */
static int scale(uint64_t n, uint64_t unit, uint64_t max, uint64_t *out)
{
	if (n > max / unit)
		return -2;
	*out = n * unit;
	return 0;
}

int str_to_size(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t unit = 1, n;
	size_t len;
	int rc;

	if (s == NULL)
		return -1;
	len = strlen(s);
	if (len > 0) {
		switch (s[len - 1]) {
		case 'K': unit = 1024ULL; break;
		case 'M': unit = 1024ULL * 1024; break;
		case 'G': unit = 1024ULL * 1024 * 1024; break;
		default: break;
		}
	}
	if (unit != 1)
		len--;
	/* Digits above max are -2 only when they are digits: parse against
	 * UINT64_MAX first, then scale against max. */
	rc = digits_to_u64(s, len, UINT64_MAX, &n);
	if (rc != 0)
		return rc;
	return scale(n, unit, max, out);
}

int str_to_duration_ms(const char *s, uint64_t max_ms, uint64_t *out_ms)
{
	uint64_t unit, n;
	size_t len;
	int rc;

	if (s == NULL || (len = strlen(s)) < 2)
		return -1;
	if (s[len - 1] == 's')
		unit = 1000;
	else if (s[len - 1] == 'm')
		unit = 60000;
	else
		return -1;
	rc = digits_to_u64(s, len - 1, UINT64_MAX, &n);
	if (rc != 0)
		return rc;
	return scale(n, unit, max_ms, out_ms);
}

static size_t format_u64(char *out, size_t outsz, uint64_t n, const char *unit)
{
	int r = snprintf(out, outsz, "%" PRIu64 "%s", n, unit);

	return r < 0 ? 0 : (size_t)r;
}

size_t str_format_size(char *out, size_t outsz, uint64_t bytes)
{
	static const struct {
		uint64_t mult;
		const char *name;
	} units[] = {
		{ 1024ULL * 1024 * 1024, "G" },
		{ 1024ULL * 1024, "M" },
		{ 1024ULL, "K" },
	};

	if (bytes != 0)
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (bytes % units[i].mult == 0)
				return format_u64(out, outsz, bytes / units[i].mult,
						  units[i].name);
	return format_u64(out, outsz, bytes, "");
}

size_t str_format_duration_ms(char *out, size_t outsz, uint64_t ms)
{
	if (ms != 0 && ms % 60000 == 0)
		return format_u64(out, outsz, ms / 60000, "m");
	if (ms % 1000 == 0)
		return format_u64(out, outsz, ms / 1000, "s");
	return format_u64(out, outsz, ms, "ms");
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

/* Every component of p (split on '/') is non-empty, not "." and not "..",
 * and p does not end in '/'. */
static bool components_ok(const char *p)
{
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 0)
			return false;
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
		if (*p == '/') {
			p++;
			if (*p == '\0')
				return false; /* trailing slash */
		}
	}
	return true;
}

bool path_is_abs_normalized(const char *path)
{
	if (path == NULL || path[0] != '/' || has_control(path))
		return false;
	if (path[1] == '\0')
		return true;
	return components_ok(path + 1);
}

bool path_is_safe_relative(const char *rel)
{
	if (rel == NULL || rel[0] == '\0' || rel[0] == '/' || has_control(rel))
		return false;
	return components_ok(rel);
}

bool path_is_beneath(const char *path, const char *root)
{
	size_t n;

	if (!path_is_abs_normalized(path) || !path_is_abs_normalized(root))
		return false;
	if (strcmp(root, "/") == 0)
		return true;
	n = strlen(root);
	if (strncmp(path, root, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/';
}

bool name_is_valid(const char *name)
{
	size_t n;

	if (name == NULL || name[0] == '\0')
		return false;
	n = strlen(name);
	if (n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		bool digit = c >= '0' && c <= '9';
		if (i == 0 ? !alpha :
		    !(alpha || digit || c == '.' || c == '-' || (c == '$' && i == n - 1)))
			return false;
	}
	return true;
}

/* Length of a valid UTF-8 sequence starting at s (shortest form, no
 * surrogate, <= U+10FFFF) with its code point in *cp, or 0. */
static size_t utf8_decode(const unsigned char *s, unsigned long *cp)
{
	size_t len;
	unsigned long c;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1fU;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0fU;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07U;
	} else {
		return 0;
	}
	/* A NUL terminator fails this test, so no read past the string. */
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0U) != 0x80U)
			return 0;
		c = (c << 6) | (s[i] & 0x3fU);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

/* Valid code points that are still escaped: C1 controls (some terminals act
 * on U+009B as CSI), the Unicode line/paragraph separators (log tools may
 * split on them) and the bidirectional overrides/isolates (they reorder what
 * a reader sees).  The escaped form decodes to the same JSON string. */
static bool escape_codepoint(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

#define ITEM_MAX 6 /* longest output of one input item: "\\uXXXX" */

/* The escaped form of the item starting at *p (one byte, or one whole UTF-8
 * sequence) into item; returns its length and sets *adv to the input bytes
 * it stands for. */
static size_t escape_item(const unsigned char *p, char item[ITEM_MAX], size_t *adv)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long cp = *p;
	size_t n;

	*adv = 1;
	if (*p == '"' || *p == '\\') {
		item[0] = '\\';
		item[1] = (char)*p;
		return 2;
	}
	if (*p >= 0x20 && *p < 0x7f) {
		item[0] = (char)*p;
		return 1;
	}
	if (*p >= 0x80 && (n = utf8_decode(p, &cp)) != 0) {
		*adv = n;
		if (!escape_codepoint(cp)) {
			memcpy(item, p, n);
			return n;
		}
	}
	/* Control byte, invalid UTF-8 byte (as \u00XX) or escaped code point. */
	item[0] = '\\';
	item[1] = 'u';
	item[2] = hex[(cp >> 12) & 0xf];
	item[3] = hex[(cp >> 8) & 0xf];
	item[4] = hex[(cp >> 4) & 0xf];
	item[5] = hex[cp & 0xf];
	return 6;
}

size_t str_escape_json(char *out, size_t outsz, const char *s)
{
	const unsigned char *p;
	char item[ITEM_MAX];
	size_t o = 0, total = 0, adv;

	if (out == NULL || outsz == 0)
		return 0;
	if (s == NULL)
		s = "";
	for (p = (const unsigned char *)s; *p; p += adv)
		total += escape_item(p, item, &adv);
	/* Everything fits: copy it all.  Otherwise append whole items while
	 * "..." and the NUL still fit after them, so no escape or UTF-8
	 * sequence is ever cut. */
	size_t limit = total < outsz ? outsz - 1 : (outsz > 4 ? outsz - 4 : 0);
	for (p = (const unsigned char *)s; *p; p += adv) {
		size_t n = escape_item(p, item, &adv);
		if (n > limit - o)
			break;
		memcpy(out + o, item, n);
		o += n;
	}
	if (total >= outsz)
		for (size_t i = 0; i < 3 && o + 1 < outsz; i++)
			out[o++] = '.';
	out[o] = '\0';
	return o;
}

int path_expand_home(const char *in, const char *home, char *out, size_t outsz,
		   const char **reason)
{
	int n;

	if (in[0] == '~') {
		const char *rest = in + 1;

		if (rest[0] != '\0' && rest[0] != '/') {
			*reason = "~user is not supported, only ~ and ~/...";
			return -1;
		}
		if (home == NULL || !path_is_abs_normalized(home)) {
			*reason = "uses ~ but the home directory is unknown";
			return -1;
		}
		/* "/" + "/x" must give "/x", not "//x". */
		if (strcmp(home, "/") == 0 && rest[0] == '/')
			home = "";
		n = snprintf(out, outsz, "%s%s", home, rest);
	} else {
		n = snprintf(out, outsz, "%s", in);
	}
	if (n < 0 || (size_t)n >= outsz) {
		*reason = "is too long";
		return -1;
	}
	if (!path_is_abs_normalized(out)) {
		*reason = "is not an absolute normalized path";
		return -1;
	}
	return 0;
}

size_t path_component(const char *p, const char **next)
{
	const char *slash = strchr(p, '/');
	size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);

	if (next != NULL)
		*next = slash != NULL ? slash + 1 : p + len;
	return len;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len > sl && strncmp(s + len - sl, suffix, sl) == 0;
}

bool cgroup_parent_valid(const char *parent, bool no_units)
{
	const char *p;

	if (parent == NULL || parent[0] != '/' || parent[1] == '\0' ||
	    strlen(parent) >= 4096)
		return false;
	p = parent + 1;
	while (*p != '\0') {
		char comp[64];
		const char *next;
		size_t len = path_component(p, &next);

		/* An empty component: "//" or a trailing '/'. */
		if (len == 0 || len >= sizeof comp)
			return false;
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (!name_is_valid(comp))
			return false;
		if (no_units && (ends_with(comp, len, ".slice") ||
				 ends_with(comp, len, ".service") ||
				 ends_with(comp, len, ".scope")))
			return false;
		if (*next == '\0' && next[-1] == '/')
			return false;
		p = next;
	}
	return true;
}
