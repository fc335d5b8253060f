/* policy.c - see policy.h.  No syscalls: the text comes from a FILE*.
 *
 * Syntax: "[section]" headers, "key = value" lines, blank lines.  '#' starts
 * a comment anywhere on a line, so a value can never contain '#' (paths with
 * '#' are unsupported).  List values are split on blanks (and ',' for
 * caller/docroot), so those entries cannot contain blanks or ','.  Any control
 * character but tab (CR included: no CRLF files), any NUL byte and any line
 * over POLICY_MAX_LINE bytes refuses the whole file. */
#include "policy.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

#define ID_MAX 4294967294UL

#define STR(x) #x
#define XSTR(x) STR(x)

/* A key of the policy: where it lives, how its value is parsed, whether a
 * users.d drop-in may set it.  Issue 3's sections are further rows. */
struct keyspec {
	const char *section;
	const char *name;
	int (*parse)(struct policy *p, const char *value, char *why, size_t whysz);
	bool allowed_in_dropin;
};

static void whyf(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void whyf(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

/* "'value'" escaped and bounded, for use in reasons. */
static const char *quoted(char *buf, size_t bufsz, const char *v)
{
	char esc[96];

	str_escape_json(esc, sizeof(esc), v);
	snprintf(buf, bufsz, "'%s'", esc);
	return buf;
}

static void list_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]);
		l->v[i] = NULL;
	}
	l->n = 0;
}

/* Split value on the separators into l (replacing its content). */
static int list_set(struct strlist *l, const char *value, const char *seps,
		    char *why, size_t whysz)
{
	const char *p = value;

	list_clear(l);
	while (*p) {
		p += strspn(p, seps);
		size_t len = strcspn(p, seps);
		if (len == 0)
			break;
		if (l->n == POLICY_MAX_LIST) {
			whyf(why, whysz, "more than %d entries", POLICY_MAX_LIST);
			return -1;
		}
		l->v[l->n] = strndup(p, len);
		if (l->v[l->n] == NULL) {
			whyf(why, whysz, "out of memory");
			return -1;
		}
		l->n++;
		p += len;
	}
	return 0;
}

static int str_set(char **dst, const char *value, char *why, size_t whysz)
{
	char *s = strdup(value);

	if (s == NULL) {
		whyf(why, whysz, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static int k_caller(struct policy *p, const char *v, char *why, size_t whysz)
{
	char q[128];

	if (list_set(&p->callers, v, " \t,", why, whysz) != 0)
		return -1;
	if (p->callers.n == 0) {
		whyf(why, whysz, "needs at least one user name");
		return -1;
	}
	for (size_t i = 0; i < p->callers.n; i++) {
		if (!name_is_valid(p->callers.v[i])) {
			whyf(why, whysz, "%s is not a valid user name",
			     quoted(q, sizeof(q), p->callers.v[i]));
			return -1;
		}
		if (strcmp(p->callers.v[i], "root") == 0) {
			whyf(why, whysz, "root is never a caller");
			return -1;
		}
	}
	return 0;
}

static int k_docroot(struct policy *p, const char *v, char *why, size_t whysz)
{
	char q[128];

	if (list_set(&p->docroots, v, " \t,", why, whysz) != 0)
		return -1;
	if (p->docroots.n == 0) {
		whyf(why, whysz, "needs at least one directory");
		return -1;
	}
	for (size_t i = 0; i < p->docroots.n; i++) {
		const char *d = p->docroots.v[i];
		if (!path_is_abs_normalized(d) || strcmp(d, "/") == 0) {
			whyf(why, whysz, "%s is not an absolute normalized path other than /",
			     quoted(q, sizeof(q), d));
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(p->docroots.v[j], d) == 0) {
				whyf(why, whysz, "%s is listed twice", quoted(q, sizeof(q), d));
				return -1;
			}
		}
	}
	return 0;
}

static int k_userdir(struct policy *p, const char *v, char *why, size_t whysz)
{
	if (v[0] != '\0' && !path_is_safe_relative(v)) {
		char q[128];

		whyf(why, whysz, "%s must be a relative path without '..' (or empty)",
		     quoted(q, sizeof(q), v));
		return -1;
	}
	return str_set(&p->userdir, v, why, whysz);
}

static int parse_id(unsigned long *dst, const char *v, char *why, size_t whysz)
{
	unsigned long n;

	if (str_to_ulong_strict(v, ID_MAX, &n) != 0 || n == 0) {
		whyf(why, whysz, "not a number in 1..%lu", ID_MAX);
		return -1;
	}
	*dst = n;
	return 0;
}

static int k_min_uid(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_id(&p->min_uid, v, why, whysz);
}

static int k_min_gid(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_id(&p->min_gid, v, why, whysz);
}

static int k_interpreter(struct policy *p, const char *v, char *why, size_t whysz)
{
	if (!path_is_abs_normalized(v) || strcmp(v, "/") == 0) {
		char q[128];

		whyf(why, whysz, "%s is not an absolute normalized path", quoted(q, sizeof(q), v));
		return -1;
	}
	return str_set(&p->interpreter, v, why, whysz);
}

static int k_interpreter_args(struct policy *p, const char *v, char *why, size_t whysz)
{
	return list_set(&p->interpreter_args, v, " \t", why, whysz);
}

static int k_safe_path(struct policy *p, const char *v, char *why, size_t whysz)
{
	const char *s = v;
	char dir[POLICY_MAX_LINE + 1], q[128];

	if (*v == '\0') {
		whyf(why, whysz, "must not be empty");
		return -1;
	}
	for (;;) {
		size_t len = strcspn(s, ":");
		memcpy(dir, s, len);
		dir[len] = '\0';
		if (!path_is_abs_normalized(dir)) {
			whyf(why, whysz, "entry %s is not an absolute normalized path",
			     quoted(q, sizeof(q), dir));
			return -1;
		}
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	return str_set(&p->safe_path, v, why, whysz);
}

static int k_umask(struct policy *p, const char *v, char *why, size_t whysz)
{
	unsigned long m;

	if (str_to_octal_strict(v, 0777, &m) != 0) {
		whyf(why, whysz, "not an octal mode in 000..777");
		return -1;
	}
	p->umask = (mode_t)m;
	return 0;
}

static int k_log_file(struct policy *p, const char *v, char *why, size_t whysz)
{
	if (v[0] == '\0') {
		free(p->log_file);
		p->log_file = NULL;
		return 0;
	}
	if (!path_is_abs_normalized(v) || strcmp(v, "/") == 0) {
		char q[128];

		whyf(why, whysz, "%s is not an absolute normalized path", quoted(q, sizeof(q), v));
		return -1;
	}
	return str_set(&p->log_file, v, why, whysz);
}

static const struct keyspec keys[] = {
	{ "wrapper", "caller", k_caller, false },
	{ "wrapper", "docroot", k_docroot, false },
	{ "wrapper", "userdir", k_userdir, false },
	{ "wrapper", "min_uid", k_min_uid, false },
	{ "wrapper", "min_gid", k_min_gid, false },
	{ "wrapper", "interpreter", k_interpreter, true },
	{ "wrapper", "interpreter_args", k_interpreter_args, true },
	{ "wrapper", "safe_path", k_safe_path, false },
	{ "wrapper", "umask", k_umask, false },
	{ "wrapper", "log_file", k_log_file, false },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static bool section_known(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, name) == 0)
			return true;
	return false;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int fail(struct policy_error *err, const char *file, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct policy_error *err, const char *file, unsigned line,
		const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "(policy)");
	err->line = line;
	va_start(ap, fmt);
	(void)vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* Read one line (without its newline) into buf.  Returns 1 for a line, 0 at
 * end of file, -1 with *why on a NUL byte, an over-long line or a read error. */
static int read_line(FILE *f, char *buf, size_t bufsz, const char **why)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF) {
		if (c == '\n') {
			buf[n] = '\0';
			return 1;
		}
		if (c == '\0') {
			*why = "NUL byte";
			return -1;
		}
		if (n + 1 >= bufsz) {
			*why = "line too long (max " XSTR(POLICY_MAX_LINE) " bytes)";
			return -1;
		}
		buf[n++] = (char)c;
	}
	if (ferror(f)) {
		*why = "read error";
		return -1;
	}
	buf[n] = '\0';
	return n > 0 ? 1 : 0;
}

static int parse(struct policy *p, FILE *f, const char *file, bool dropin,
		 struct policy_error *err)
{
	char line[POLICY_MAX_LINE + 1], section[64] = "", q[128], why[200];
	bool seen[NKEYS] = { false };
	unsigned lineno = 0;
	const char *rwhy = NULL;
	int r;

	while ((r = read_line(f, line, sizeof(line), &rwhy)) == 1) {
		char *s, *eq, *key, *val;

		if (lineno == UINT_MAX - 1)
			return fail(err, file, lineno, "too many lines");
		lineno++;
		for (s = line; *s; s++)
			if (((unsigned char)*s < 0x20 && *s != '\t') || (unsigned char)*s == 0x7f)
				return fail(err, file, lineno, "control character");
		if ((s = strchr(line, '#')) != NULL)
			*s = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		if (*s == '[') {
			size_t len = strlen(s);
			if (len < 3 || s[len - 1] != ']')
				return fail(err, file, lineno, "malformed section header");
			s[len - 1] = '\0';
			const char *name = trim(s + 1);
			if (*name == '\0')
				return fail(err, file, lineno, "malformed section header");
			if (!section_known(name)) {
				str_escape_json(q, 64, name);
				return fail(err, file, lineno, "unknown section [%s]", q);
			}
			snprintf(section, sizeof(section), "%s", name);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL)
			return fail(err, file, lineno, "expected 'key = value'");
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		/* Keys are [a-z0-9_], so they are quoted below without escaping. */
		if (*key == '\0' ||
		    strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(key))
			return fail(err, file, lineno, "expected 'key = value'");
		if (section[0] == '\0')
			return fail(err, file, lineno, "key '%.64s' before any [section]", key);
		size_t k;
		for (k = 0; k < NKEYS; k++)
			if (strcmp(keys[k].section, section) == 0 && strcmp(keys[k].name, key) == 0)
				break;
		if (k == NKEYS)
			return fail(err, file, lineno, "unknown key '%.64s' in [%s]", key, section);
		if (dropin && !keys[k].allowed_in_dropin)
			return fail(err, file, lineno, "key '%s' not allowed in users.d", key);
		if (seen[k])
			return fail(err, file, lineno, "duplicate key '%s'", key);
		seen[k] = true;
		if (keys[k].parse(p, val, why, sizeof(why)) != 0)
			return fail(err, file, lineno, "%s: %s", key, why);
	}
	if (r < 0)
		return fail(err, file, lineno + 1, "%s", rwhy);
	return 0;
}

int policy_parse(struct policy *p, FILE *f, const char *filename,
		 struct policy_error *err)
{
	return parse(p, f, filename, false, err);
}

int policy_parse_dropin(struct policy *p, FILE *f, const char *filename,
			struct policy_error *err)
{
	return parse(p, f, filename, true, err);
}

int policy_validate(const struct policy *p, const char *filename,
		    struct policy_error *err)
{
	char q[128];

	if (p->callers.n == 0)
		return fail(err, filename, 0, "no caller is configured");
	if (p->docroots.n == 0)
		return fail(err, filename, 0, "no docroot is configured");
	for (size_t i = 0; i < p->docroots.n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->docroots.v[i], p->docroots.v[j]) == 0)
				return fail(err, filename, 0, "docroot %s is listed twice",
					    quoted(q, sizeof(q), p->docroots.v[i]));
	if (p->interpreter == NULL || p->safe_path == NULL || p->userdir == NULL)
		return fail(err, filename, 0, "incomplete policy");
	return 0;
}

/* Copy s into out[*o..outsz), control characters as \u00XX (never cut). */
static void append_sanitized(char *out, size_t outsz, size_t *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f) {
			if (*o + 1 >= outsz)
				break;
			out[(*o)++] = (char)c;
			continue;
		}
		if (*o + 6 >= outsz)
			break;
		out[(*o)++] = '\\';
		out[(*o)++] = 'u';
		out[(*o)++] = '0';
		out[(*o)++] = '0';
		out[(*o)++] = hex[c >> 4];
		out[(*o)++] = hex[c & 0xf];
	}
	out[*o] = '\0';
}

void policy_error_format(const struct policy_error *err, char *out, size_t outsz)
{
	char file[300], head[340];
	size_t o = 0;

	if (out == NULL || outsz == 0)
		return;
	str_escape_json(file, sizeof(file), err->file);
	if (err->line)
		snprintf(head, sizeof(head), "%s:%u: ", file, err->line);
	else
		snprintf(head, sizeof(head), "%s: ", file);
	/* The reason quotes values escaped already; whatever else a caller put
	 * there gets its control characters escaped here. */
	append_sanitized(out, outsz, &o, head);
	append_sanitized(out, outsz, &o, err->reason);
}

int policy_defaults(struct policy *p)
{
	char why[64];

	memset(p, 0, sizeof(*p));
	p->min_uid = 1000;
	p->min_gid = 1000;
	p->umask = 022;
	if (list_set(&p->callers, "www-data", " ", why, sizeof(why)) != 0 ||
	    list_set(&p->docroots, "/var/www", " ", why, sizeof(why)) != 0 ||
	    list_set(&p->interpreter_args, "-E -s -B", " ", why, sizeof(why)) != 0 ||
	    str_set(&p->userdir, "public_html", why, sizeof(why)) != 0 ||
	    str_set(&p->interpreter, "/usr/bin/python3", why, sizeof(why)) != 0 ||
	    str_set(&p->safe_path, "/usr/local/bin:/usr/bin:/bin", why, sizeof(why)) != 0)
		return -1;
	return 0;
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	list_clear(&p->callers);
	list_clear(&p->docroots);
	list_clear(&p->interpreter_args);
	free(p->userdir);
	free(p->interpreter);
	free(p->safe_path);
	free(p->log_file);
	p->userdir = p->interpreter = p->safe_path = p->log_file = NULL;
}
