/* policy.c - see policy.h.  No syscalls: the text comes from a FILE*.
 *
 * Syntax: "[section]" headers, "key = value" lines, blank lines.  '#' starts
 * a comment anywhere on a line, so a value can never contain '#' (paths with
 * '#' are unsupported).  List values are split on blanks (and ',' for
 * caller/docroot), so those entries cannot contain blanks or ','.  Any control
 * character but tab (CR included: no CRLF files), any NUL byte and any line
 * over POLICY_MAX_LINE bytes refuses the whole file. */
#include "policy.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

#define ID_MAX 4294967294UL

/* Expands "~" in read/write/exec entries at parse time, only to check that
 * the result is an absolute normalized path; the lists keep the "~" form
 * and the wrapper expands it with the target's real home. */
#define HOME_PLACEHOLDER "/home/cgijail-placeholder"

#define STR(x) #x
#define XSTR(x) STR(x)

/* A key of the policy: where it lives, how its value is parsed, whether a
 * users.d drop-in may set it.  [limits], [tenant] and [sandbox] are further rows. */
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

/* ---- [limits] and [tenant] --------------------------------------------------- */

/* A size key: str_to_size() in min..POLICY_SIZE_MAX, or "none" (0) when
 * none_ok. */
static int parse_size(uint64_t *dst, const char *v, uint64_t min, bool none_ok,
		      char *why, size_t whysz)
{
	uint64_t n;

	if (none_ok && strcmp(v, "none") == 0) {
		*dst = 0;
		return 0;
	}
	if (str_to_size(v, POLICY_SIZE_MAX, &n) != 0 || n < min) {
		char lo[32], hi[32];

		(void)str_format_size(lo, sizeof(lo), min);
		(void)str_format_size(hi, sizeof(hi), POLICY_SIZE_MAX);
		whyf(why, whysz, "not a size in %s..%s (bytes, or a K, M or G suffix)%s", lo,
		     hi, none_ok ? " or none" : "");
		return -1;
	}
	*dst = n;
	return 0;
}

/* A count in min..max, or "none" (0) when none_ok. */
static int parse_count(uint64_t *dst, const char *v, unsigned long min,
		       unsigned long max, bool none_ok, char *why, size_t whysz)
{
	unsigned long n;

	if (none_ok && strcmp(v, "none") == 0) {
		*dst = 0;
		return 0;
	}
	if (str_to_ulong_strict(v, max, &n) != 0 || n < min) {
		whyf(why, whysz, "not a number in %lu..%lu%s", min, max,
		     none_ok ? " or none" : "");
		return -1;
	}
	*dst = n;
	return 0;
}

/* A duration in POLICY_DURATION_MIN_MS..POLICY_DURATION_MAX_MS. */
static int parse_duration(uint64_t *ms, const char *v, char *why, size_t whysz)
{
	uint64_t n;

	if (str_to_duration_ms(v, POLICY_DURATION_MAX_MS, &n) != 0 ||
	    n < POLICY_DURATION_MIN_MS) {
		whyf(why, whysz, "not a duration in 1s..1440m (a number with an s or m suffix)");
		return -1;
	}
	*ms = n;
	return 0;
}

static int k_limits_cpu(struct policy *p, const char *v, char *why, size_t whysz)
{
	uint64_t ms;

	if (parse_duration(&ms, v, why, whysz) != 0)
		return -1;
	p->limits.cpu_s = ms / 1000; /* whole seconds: units are s and m */
	return 0;
}

static int k_limits_wall(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_duration(&p->limits.wall_ms, v, why, whysz);
}

static int k_limits_memory(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_size(&p->limits.memory, v, POLICY_MEMORY_MIN, true, why, whysz);
}

static int k_limits_tasks(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_count(&p->limits.tasks, v, 1, POLICY_TASKS_MAX, true, why, whysz);
}

static int k_limits_open_files(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_count(&p->limits.open_files, v, POLICY_OPEN_FILES_MIN,
			   POLICY_OPEN_FILES_MAX, false, why, whysz);
}

static int k_limits_file_size(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_size(&p->limits.file_size, v, 1, false, why, whysz);
}

static int k_tenant_memory(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_size(&p->tenant.memory, v, POLICY_MEMORY_MIN, true, why, whysz);
}

static int k_tenant_tasks(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_count(&p->tenant.tasks, v, 1, POLICY_TASKS_MAX, true, why, whysz);
}

static int k_tenant_cpu(struct policy *p, const char *v, char *why, size_t whysz)
{
	char num[16];
	size_t len = strlen(v);
	unsigned long n;

	if (strcmp(v, "none") == 0) {
		p->tenant.cpu_percent = 0;
		return 0;
	}
	if (len < 2 || len - 1 >= sizeof(num) || v[len - 1] != '%')
		goto bad;
	memcpy(num, v, len - 1);
	num[len - 1] = '\0';
	if (str_to_ulong_strict(num, POLICY_CPU_PERCENT_MAX, &n) != 0 || n == 0)
		goto bad;
	p->tenant.cpu_percent = (uint32_t)n;
	return 0;
bad:
	whyf(why, whysz, "not a percentage in 1%%..%u%% (100%% is one core) or none",
	     (unsigned)POLICY_CPU_PERCENT_MAX);
	return -1;
}

static int k_tenant_concurrency(struct policy *p, const char *v, char *why, size_t whysz)
{
	uint64_t n;

	if (parse_count(&n, v, 1, POLICY_CONCURRENCY_MAX, false, why, whysz) != 0)
		return -1;
	p->tenant.concurrency = (uint32_t)n;
	return 0;
}

/* tmp_size: a size of at least POLICY_TMP_SIZE_MIN, or "none" / "0" for
 * the plain directory (the only size key where 0 means "none"). */
static int k_tenant_tmp_size(struct policy *p, const char *v, char *why, size_t whysz)
{
	if (strcmp(v, "0") == 0) {
		p->tenant.tmp_size = 0;
		return 0;
	}
	return parse_size(&p->tenant.tmp_size, v, POLICY_TMP_SIZE_MIN, true, why, whysz);
}

static int k_tenant_tmp_inodes(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_count(&p->tenant.tmp_inodes, v, POLICY_TMP_INODES_MIN,
			   POLICY_TMP_INODES_MAX, false, why, whysz);
}

/* ---- [sandbox] ------------------------------------------------------------------ */

static int parse_level(enum policy_level *dst, const char *v, char *why, size_t whysz)
{
	if (strcmp(v, "required") == 0)
		*dst = POLICY_REQUIRED;
	else if (strcmp(v, "best-effort") == 0)
		*dst = POLICY_BEST_EFFORT;
	else if (strcmp(v, "off") == 0)
		*dst = POLICY_OFF;
	else {
		whyf(why, whysz, "expected required, best-effort or off");
		return -1;
	}
	return 0;
}

static int k_sandbox_cgroup(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_level(&p->sandbox.cgroup, v, why, whysz);
}

static int k_sandbox_landlock(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_level(&p->sandbox.landlock, v, why, whysz);
}

static int k_sandbox_seccomp(struct policy *p, const char *v, char *why, size_t whysz)
{
	if (strcmp(v, "on") == 0)
		p->sandbox.seccomp = true;
	else if (strcmp(v, "off") == 0)
		p->sandbox.seccomp = false;
	else {
		whyf(why, whysz, "expected on or off");
		return -1;
	}
	return 0;
}

bool policy_cgroup_parent_is_valid(const char *v)
{
	char abs[POLICY_CGROUP_PARENT_DEPTH * (POLICY_CGROUP_NAME_MAX + 1) + 2];
	unsigned depth = 1;
	int n;

	/* '$' (name_is_valid's machine-account suffix) has no place here. */
	if (v == NULL || v[0] == '/' || strchr(v, '$') != NULL)
		return false;
	for (const char *c = v; *c; c++)
		depth += *c == '/';
	n = snprintf(abs, sizeof(abs), "/%s", v);
	/* The rule the cgroup module applies too (strutil.c), so that a
	 * policy that validates is one cg_open() accepts; v1-under-systemd unit names are
	 * cg_open()'s run-time business. */
	return depth <= POLICY_CGROUP_PARENT_DEPTH && n > 0 && (size_t)n < sizeof(abs) &&
	       cgroup_parent_valid(abs, false);
}

static int k_sandbox_cgroup_parent(struct policy *p, const char *v, char *why, size_t whysz)
{
	if (!policy_cgroup_parent_is_valid(v)) {
		char q[128];

		whyf(why, whysz,
		     "%s is not 1-" XSTR(POLICY_CGROUP_PARENT_DEPTH)
		     " '/'-separated names, each a letter or '_' then letters, digits,"
		     " '_', '.', '-', at most " XSTR(POLICY_CGROUP_NAME_MAX) " long",
		     quoted(q, sizeof(q), v));
		return -1;
	}
	return str_set(&p->sandbox.cgroup_parent, v, why, whysz);
}

/* read/write/exec: blank-separated absolute normalized paths, "~" or
 * "~/relative"; the whole list is replaced. */
static int path_list(struct strlist *l, const char *v, char *why, size_t whysz)
{
	char q[128], out[PATH_MAX];

	if (list_set(l, v, " \t", why, whysz) != 0)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		const char *reason = NULL;

		if (path_expand_home(l->v[i], HOME_PLACEHOLDER, out, sizeof(out), &reason) != 0) {
			const char *e = l->v[i];
			if (e[0] == '~' && e[1] != '\0' && e[1] != '/')
				reason = "~user is not supported, only ~ and ~/path";
			else if (e[0] == '~')
				reason = "is not ~ or ~/ followed by a normalized relative path";
			whyf(why, whysz, "%s %s", quoted(q, sizeof(q), e),
			     reason ? reason : "is not usable");
			return -1;
		}
	}
	return 0;
}

static int k_sandbox_read(struct policy *p, const char *v, char *why, size_t whysz)
{
	return path_list(&p->sandbox.read, v, why, whysz);
}

static int k_sandbox_write(struct policy *p, const char *v, char *why, size_t whysz)
{
	return path_list(&p->sandbox.write, v, why, whysz);
}

static int k_sandbox_exec(struct policy *p, const char *v, char *why, size_t whysz)
{
	return path_list(&p->sandbox.exec, v, why, whysz);
}

static int k_sandbox_network(struct policy *p, const char *v, char *why, size_t whysz)
{
	const char *reason = "expected any, none or tcp:PORT[,PORT...]";

	if (net_parse(v, &p->sandbox.network, &reason) != 0) {
		whyf(why, whysz, "%s", reason);
		return -1;
	}
	return 0;
}

/* ---- [warm] --------------------------------------------------------------------- */

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool policy_module_name_ok(const char *name)
{
	size_t len = strnlen(name, POLICY_MODULE_NAME_MAX + 1);

	if (len == 0 || len > POLICY_MODULE_NAME_MAX)
		return false;
	for (const char *c = name; *c; c++) {
		/* Each component starts with a letter or '_' ... */
		if (!ident_start(*c))
			return false;
		/* ... and goes on with letters, digits and '_' up to a dot. */
		while (ident_start(c[1]) || (c[1] >= '0' && c[1] <= '9'))
			c++;
		if (c[1] == '.') {
			c++;
			if (c[1] == '\0')
				return false;
		} else if (c[1] != '\0') {
			return false;
		}
	}
	return true;
}

static int k_warm_enabled(struct policy *p, const char *v, char *why, size_t whysz)
{
	if (strcmp(v, "yes") == 0)
		p->warm.enabled = true;
	else if (strcmp(v, "no") == 0)
		p->warm.enabled = false;
	else {
		whyf(why, whysz, "expected yes or no");
		return -1;
	}
	return 0;
}

static int k_warm_preload(struct policy *p, const char *v, char *why, size_t whysz)
{
	char q[160];

	if (list_set(&p->warm.preload, v, " \t,", why, whysz) != 0)
		return -1;
	for (size_t i = 0; i < p->warm.preload.n; i++)
		if (!policy_module_name_ok(p->warm.preload.v[i])) {
			whyf(why, whysz, "%s is not a Python module name",
			     quoted(q, sizeof(q), p->warm.preload.v[i]));
			return -1;
		}
	return 0;
}

static int k_warm_max_requests(struct policy *p, const char *v, char *why, size_t whysz)
{
	uint64_t n;

	if (parse_count(&n, v, 1, POLICY_WARM_REQUESTS_MAX, false, why, whysz) != 0)
		return -1;
	p->warm.max_requests = (uint32_t)n;
	return 0;
}

static int k_warm_max_age(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_duration(&p->warm.max_age_ms, v, why, whysz);
}

static int k_warm_idle_timeout(struct policy *p, const char *v, char *why, size_t whysz)
{
	return parse_duration(&p->warm.idle_ms, v, why, whysz);
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
	{ "limits", "cpu", k_limits_cpu, true },
	{ "limits", "wall", k_limits_wall, true },
	{ "limits", "memory", k_limits_memory, true },
	{ "limits", "tasks", k_limits_tasks, true },
	{ "limits", "open_files", k_limits_open_files, true },
	{ "limits", "file_size", k_limits_file_size, true },
	{ "tenant", "memory", k_tenant_memory, true },
	{ "tenant", "tasks", k_tenant_tasks, true },
	{ "tenant", "cpu", k_tenant_cpu, true },
	{ "tenant", "concurrency", k_tenant_concurrency, true },
	{ "tenant", "tmp_size", k_tenant_tmp_size, true },
	{ "tenant", "tmp_inodes", k_tenant_tmp_inodes, true },
	{ "sandbox", "cgroup", k_sandbox_cgroup, true },
	{ "sandbox", "cgroup_parent", k_sandbox_cgroup_parent, true },
	{ "sandbox", "seccomp", k_sandbox_seccomp, true },
	{ "sandbox", "landlock", k_sandbox_landlock, true },
	{ "sandbox", "read", k_sandbox_read, true },
	{ "sandbox", "write", k_sandbox_write, true },
	{ "sandbox", "exec", k_sandbox_exec, true },
	{ "sandbox", "network", k_sandbox_network, true },
	{ "warm", "enabled", k_warm_enabled, true },
	{ "warm", "preload", k_warm_preload, true },
	{ "warm", "max_requests", k_warm_max_requests, true },
	{ "warm", "max_age", k_warm_max_age, true },
	{ "warm", "idle_timeout", k_warm_idle_timeout, true },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static bool section_known(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, name) == 0)
			return true;
	return false;
}

/* How messages name a key: "min_uid" in [wrapper] (short, as the first
 * policy format had them), "limits.memory" elsewhere, where names repeat across
 * sections. */
static const char *label(const struct keyspec *k, char *buf, size_t bufsz)
{
	if (strcmp(k->section, "wrapper") == 0)
		return k->name;
	snprintf(buf, bufsz, "%s.%s", k->section, k->name);
	return buf;
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
		const char *lbl = label(&keys[k], q, sizeof(q));
		if (dropin && !keys[k].allowed_in_dropin)
			return fail(err, file, lineno, "key '%s' not allowed in users.d", lbl);
		if (seen[k])
			return fail(err, file, lineno, "duplicate key '%s'", lbl);
		seen[k] = true;
		if (keys[k].parse(p, val, why, sizeof(why)) != 0)
			return fail(err, file, lineno, "%s: %s", lbl, why);
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
	if (parse(p, f, filename, true, err) != 0)
		return -1;
	/* A drop-in can break a cross-key rule the main file kept (e.g. raise
	 * limits.memory above the main file's tenant.memory). */
	return policy_validate(p, filename, err);
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
	if (p->interpreter == NULL || p->safe_path == NULL || p->userdir == NULL ||
	    p->sandbox.cgroup_parent == NULL)
		return fail(err, filename, 0, "incomplete policy");
	/* A request's cgroup is a child of its tenant's: a request limit above
	 * the tenant's could never be reached, and is almost certainly a typo
	 * (256G for 256M) or a drop-in raising one side only.  "none" on the
	 * request side is fine (the tenant's limit applies). */
	if (p->limits.memory != 0 && p->tenant.memory != 0 &&
	    p->limits.memory > p->tenant.memory) {
		char a[32], b[32];

		(void)str_format_size(a, sizeof(a), p->limits.memory);
		(void)str_format_size(b, sizeof(b), p->tenant.memory);
		return fail(err, filename, 0,
			    "limits.memory %s is above tenant.memory %s (a request is part "
			    "of its tenant)", a, b);
	}
	if (p->limits.tasks != 0 && p->tenant.tasks != 0 && p->limits.tasks > p->tenant.tasks)
		return fail(err, filename, 0,
			    "limits.tasks %" PRIu64 " is above tenant.tasks %" PRIu64
			    " (a request is part of its tenant)", p->limits.tasks, p->tenant.tasks);
	return 0;
}

const char *policy_level_name(enum policy_level l)
{
	switch (l) {
	case POLICY_OFF: return "off";
	case POLICY_BEST_EFFORT: return "best-effort";
	case POLICY_REQUIRED: return "required";
	}
	return "?";
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
	    str_set(&p->safe_path, "/usr/local/bin:/usr/bin:/bin", why, sizeof(why)) != 0 ||
	    str_set(&p->sandbox.cgroup_parent, "cgijail", why, sizeof(why)) != 0)
		return -1;
	p->limits.cpu_s = 10;
	p->limits.wall_ms = 30000;
	p->limits.memory = 256ULL << 20;
	p->limits.tasks = 32;
	p->limits.open_files = 64;
	p->limits.file_size = 16ULL << 20;
	p->tenant.memory = 1ULL << 30;
	p->tenant.tasks = 256;
	p->tenant.cpu_percent = 0;   /* none: CPU shared fairly, not capped */
	p->tenant.concurrency = 16;
	p->tenant.tmp_size = 64ULL << 20;
	p->tenant.tmp_inodes = 4096;
	p->sandbox.cgroup = POLICY_REQUIRED;
	p->sandbox.seccomp = true;
	p->sandbox.landlock = POLICY_REQUIRED;
	/* read, write, exec: empty lists (memset above) */
	p->sandbox.network.mode = NET_NONE;
	p->sandbox.network.n_ports = 0;
	p->warm.enabled = false;
	/* preload: empty (memset above) */
	p->warm.max_requests = 1000;
	p->warm.max_age_ms = 3600ULL * 1000;
	p->warm.idle_ms = 300ULL * 1000;
	return 0;
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	list_clear(&p->callers);
	list_clear(&p->docroots);
	list_clear(&p->interpreter_args);
	list_clear(&p->sandbox.read);
	list_clear(&p->sandbox.write);
	list_clear(&p->sandbox.exec);
	list_clear(&p->warm.preload);
	free(p->sandbox.cgroup_parent);
	p->sandbox.cgroup_parent = NULL;
	free(p->userdir);
	free(p->interpreter);
	free(p->safe_path);
	free(p->log_file);
	p->userdir = p->interpreter = p->safe_path = p->log_file = NULL;
}
