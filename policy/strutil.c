/* strutil.c - see strutil.h.  No syscalls in this file. */
#include "strutil.h"

#include <string.h>

int str_to_ulong_strict(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned long d = (unsigned long)(*s - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int str_to_octal_strict(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 12)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

/* Every component of p (split on '/') is non-empty, not "." and not "..". */
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

/* Length of a valid UTF-8 sequence starting at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t len;
	unsigned long cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

size_t str_escape_json(char *out, size_t outsz, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (outsz == 0)
		return 0;
	while (*p) {
		char tmp[8];
		size_t tl = 0, adv = 1;

		if (*p == '"' || *p == '\\') {
			tmp[tl++] = '\\';
			tmp[tl++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			tmp[tl++] = '\\';
			tmp[tl++] = 'u';
			tmp[tl++] = '0';
			tmp[tl++] = '0';
			tmp[tl++] = hex[*p >> 4];
			tmp[tl++] = hex[*p & 0xf];
		} else if (*p < 0x80) {
			tmp[tl++] = (char)*p;
		} else if ((adv = utf8_len(p)) != 0) {
			memcpy(tmp, p, adv);
			tl = adv;
		} else {
			adv = 1;
			tmp[tl++] = '\\';
			tmp[tl++] = 'u';
			tmp[tl++] = '0';
			tmp[tl++] = '0';
			tmp[tl++] = hex[*p >> 4];
			tmp[tl++] = hex[*p & 0xf];
		}
		/* Append whole items only; while more input follows, keep
		 * room for "..." and the NUL, so o is always a boundary. */
		bool last = p[adv] == '\0';
		if (o + tl + (last ? 1 : 4) > outsz) {
			for (size_t i = 0; i < 3 && o + 1 < outsz; i++)
				out[o++] = '.';
			out[o] = '\0';
			return o;
		}
		memcpy(out + o, tmp, tl);
		o += tl;
		p += adv;
	}
	out[o] = '\0';
	return o;
}
