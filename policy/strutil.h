/* strutil.h - side-effect-free string and path helpers (no syscalls).
 *
 * Everything here is pure: it looks only at its arguments, so it is unit
 * tested without root (tests/unit/test_strutil.c). */
#ifndef CGIJAIL_STRUTIL_H
#define CGIJAIL_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strict unsigned decimal: digits only, no sign, no leading/trailing junk or
 * whitespace, no leading zero unless the number is "0", value <= max.
 * Returns 0 and sets *out, or -1. */
int str_to_ulong_strict(const char *s, unsigned long max, unsigned long *out);

/* Strict octal (e.g. umask "022" or "0022"), digits 0-7 only, value <= max. */
int str_to_octal_strict(const char *s, unsigned long max, unsigned long *out);

/* Size in bytes: strict decimal digits (as str_to_ulong_strict: no sign,
 * no blanks, no leading zero unless the number is "0"), optionally followed
 * by exactly one unit K, M or G (x 1024, 1024^2, 1024^3; upper case only).
 * Returns 0 and sets *out; -1 when s is not of that form; -2 when it is but
 * the value is above max (an overflow of uint64_t included: detected before
 * it happens).  *out is untouched on failure. */
int str_to_size(const char *s, uint64_t max, uint64_t *out);

/* Duration: strict decimal digits followed by a required unit, "s"
 * (seconds) or "m" (minutes).  The value in milliseconds into *out_ms.
 * Returns 0, -1 (not of that form) or -2 (above max_ms, overflow included),
 * like str_to_size. */
int str_to_duration_ms(const char *s, uint64_t max_ms, uint64_t *out_ms);

/* The shortest form of a size that str_to_size() reads back as the same
 * value: the largest of G, M, K that divides it exactly, else plain bytes
 * (268435456 -> "256M", 3072 -> "3K", 1536 -> "1536", 0 -> "0").  Always
 * NUL-terminated when outsz > 0; returns the length it needed (as
 * snprintf does). */
size_t str_format_size(char *out, size_t outsz, uint64_t bytes);

/* A duration in milliseconds as "<n>m" when whole minutes, "<n>s" when
 * whole seconds, else "<n>ms" (only the first two are read back by
 * str_to_duration_ms).  Returns like str_format_size. */
size_t str_format_duration_ms(char *out, size_t outsz, uint64_t ms);

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

/* "~" -> home, "~/x" -> home "/x", anything else copied; then the result
 * must be absolute and normalized.  "~user" is refused.  Returns 0, or -1
 * with *reason (out is then unspecified). */
int path_expand_home(const char *in, const char *home, char *out, size_t outsz,
		     const char **reason);

/* Length of the first component of p (which does not start with '/') and,
 * in *next, where the component after it starts ("" at the end). */
size_t path_component(const char *p, const char **next);

/* A valid cgroup parent (the [sandbox] cgroup_parent rule, also applied by
 * the cgroup module before it creates anything): absolute, normalized
 * ("/a/b": no "//", no "." or ".." component, no trailing '/'), not "/"
 * itself, every component name_is_valid().  With no_units, a component that
 * looks like a systemd unit (".slice", ".service", ".scope") is refused too
 * (v1 under systemd, see wrapper/sys/cgroup.h). */
bool cgroup_parent_valid(const char *parent, bool no_units);

#endif
