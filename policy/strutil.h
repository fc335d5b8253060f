/* strutil.h - side-effect-free string and path helpers (no syscalls).
 *
 * Everything here is pure: it looks only at its arguments, so it is unit
 * tested without root (tests/unit/test_strutil.c). */
#ifndef CGIJAIL_STRUTIL_H
#define CGIJAIL_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Strict unsigned decimal: digits only, no sign, no leading/trailing junk or
 * whitespace, no leading zero unless the number is "0", value <= max.
 * Returns 0 and sets *out, or -1. */
int str_to_ulong_strict(const char *s, unsigned long max, unsigned long *out);

/* Strict octal (e.g. umask "022" or "0022"), digits 0-7 only, value <= max. */
int str_to_octal_strict(const char *s, unsigned long max, unsigned long *out);

/* true when path is absolute and normalized: starts with '/', no empty
 * component ("//"), no "." or ".." component, no trailing '/' (except "/"
 * itself), no NUL/control characters. */
bool path_is_abs_normalized(const char *path);

/* true when rel is a relative path acceptable as a suexec CMD or a userdir
 * name: non-empty, no leading '/', no ".." component, no empty component,
 * no control characters. "." components are rejected too. */
bool path_is_safe_relative(const char *rel);

/* true when path equals root or lies below it, compared by whole path
 * component: "/var/www2" is NOT beneath "/var/www" (CVE-2007-1742).
 * Both must be absolute and normalized; root may be "/". */
bool path_is_beneath(const char *path, const char *root);

/* true when name is a portable user/group name: [a-z_][a-z0-9_.-]*[$]?,
 * at most 32 characters (the shadow-utils rule, upper case allowed too). */
bool name_is_valid(const char *name);

/* Escape s into out (size outsz, always NUL-terminated when outsz > 0) so
 * that it is safe inside a JSON string and a log line: '"' and '\\' are
 * backslash-escaped, control characters (< 0x20, 0x7f) become \u00XX,
 * bytes >= 0x80 are kept only when they form valid UTF-8, else \u00XX.
 * Valid UTF-8 for C1 controls (U+0080..U+009F), U+2028/U+2029 and the
 * bidirectional marks/overrides is written as \uXXXX too (same JSON value).
 * Truncates (never splitting an escape or a UTF-8 sequence) with "..." when
 * out is too small.  s NULL is "".  Returns the length written. */
size_t str_escape_json(char *out, size_t outsz, const char *s);

#endif
