/* fuzz_policy - the policy parser (policy/policy.c) on cgijail.conf text,
 * with an optional users.d drop-in applied over it.
 *
 * Input: the main file's text, then optionally a NUL byte and a drop-in's
 * text (the parser refuses NUL bytes, so the first one is free to act as
 * the separator; a later one reaches the drop-in parser).
 *
 * Steps, as the wrapper loads a policy (wrapper/sys/config.c): defaults, parse
 * the main text, validate; when that succeeds, parse the drop-in over it.
 * Invariants (abort on violation):
 *  - a refused text leaves an error whose formatted form has no control
 *    character, names the file, and a line no later than the text's end;
 *  - every value of an accepted policy is in its documented range and form
 *    (docs/man/cgijail.conf.5, policy.h), checked with this file's own rules;
 *  - an accepted policy printed back as cgijail.conf text (every key, with
 *    the shortest units the parser reads) parses again to the same values,
 *    and printing that gives the same text;
 *  - an accepted drop-in never changes a [wrapper] key other than
 *    interpreter and interpreter_args (callers, docroots, userdir, min_uid,
 *    min_gid, safe_path, umask, log_file), and the result passes the same
 *    value checks and round trip. */
#include "fuzz_common.h"

#include <inttypes.h>

#include "netspec.h"
#include "policy.h"
#include "strutil.h"

#define FILE_MAIN "cgijail.conf"
#define FILE_DROPIN "users.d/alice.conf"
#define ID_MAX 4294967294UL

static int parse_text(struct policy *p, const char *text, size_t len, bool dropin,
		      struct policy_error *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, len, "r");
	int rc;

	FUZZ_CHECK(f != NULL, "fmemopen of %zu bytes", len);
	rc = dropin ? policy_parse_dropin(p, f, FILE_DROPIN, err)
		    : policy_parse(p, f, FILE_MAIN, err);
	fclose(f);
	return rc;
}

static unsigned count_lines(const char *text, size_t len)
{
	unsigned n = 1;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/* A refused text: a reason, the right file, a plausible line, and a
 * formatted message without control characters. */
static void check_error(const struct policy_error *e, const char *file,
			unsigned nlines)
{
	char out[700];

	FUZZ_CHECK(e->reason[0] != '\0', "empty reason");
	FUZZ_CHECK(strcmp(e->file, file) == 0, "file '%s' for %s", e->file, file);
	FUZZ_CHECK(e->line <= nlines, "line %u of a %u-line text", e->line, nlines);
	policy_error_format(e, out, sizeof(out));
	FUZZ_CHECK(strlen(out) < sizeof(out), "unterminated message");
	FUZZ_CHECK(!fuzz_has_ctl(out), "control character in '%s'", out);
	FUZZ_CHECK(strncmp(out, file, strlen(file)) == 0, "message '%s'", out);
}

/* ---- value checks ---------------------------------------------------------- */

static bool list_entry_plain(const char *s)
{
	return s[0] != '\0' && !fuzz_has_ctl(s) && strpbrk(s, " \t#") == NULL;
}

static void check_level(enum policy_level l)
{
	FUZZ_CHECK(l == POLICY_OFF || l == POLICY_BEST_EFFORT || l == POLICY_REQUIRED,
		   "level %d", (int)l);
	FUZZ_CHECK(strcmp(policy_level_name(l), "?") != 0, "level %d unnamed", (int)l);
}

/* "~", "~/<normalized relative>" or an absolute normalized path. */
static void check_path_entry(const char *s)
{
	FUZZ_CHECK(list_entry_plain(s), "entry '%s'", s);
	if (strcmp(s, "~") == 0)
		return;
	if (s[0] == '~') {
		FUZZ_CHECK(s[1] == '/' && fuzz_ref_safe_relative(s + 2), "entry '%s'", s);
		return;
	}
	FUZZ_CHECK(fuzz_ref_abs_normalized(s), "entry '%s'", s);
}

static void check_size(uint64_t v, uint64_t min, bool none_ok, const char *what)
{
	FUZZ_CHECK((none_ok && v == 0) || (v >= min && v <= POLICY_SIZE_MAX),
		   "%s = %" PRIu64, what, v);
}

static void check_count(uint64_t v, uint64_t min, uint64_t max, bool none_ok,
			const char *what)
{
	FUZZ_CHECK((none_ok && v == 0) || (v >= min && v <= max), "%s = %" PRIu64, what, v);
}

static void check_policy(const struct policy *p)
{
	const struct policy_limits *l = &p->limits;
	const struct policy_tenant *t = &p->tenant;
	const struct policy_sandbox *s = &p->sandbox;

	FUZZ_CHECK(p->callers.n >= 1 && p->callers.n <= POLICY_MAX_LIST, "%zu callers",
		   p->callers.n);
	for (size_t i = 0; i < p->callers.n; i++) {
		const char *c = p->callers.v[i];
		FUZZ_CHECK(fuzz_ref_name(c) && name_is_valid(c), "caller '%s'", c);
		FUZZ_CHECK(strcmp(c, "root") != 0, "root is a caller");
	}
	FUZZ_CHECK(p->docroots.n >= 1 && p->docroots.n <= POLICY_MAX_LIST, "%zu docroots",
		   p->docroots.n);
	for (size_t i = 0; i < p->docroots.n; i++) {
		const char *d = p->docroots.v[i];
		FUZZ_CHECK(fuzz_ref_abs_normalized(d) && strcmp(d, "/") != 0 &&
				   strpbrk(d, " \t,#") == NULL,
			   "docroot '%s'", d);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(p->docroots.v[j], d) != 0, "docroot '%s' twice", d);
	}
	FUZZ_CHECK(p->userdir != NULL, "no userdir");
	FUZZ_CHECK(p->userdir[0] == '\0' || fuzz_ref_safe_relative(p->userdir),
		   "userdir '%s'", p->userdir);
	FUZZ_CHECK(p->min_uid >= 1 && p->min_uid <= ID_MAX, "min_uid %lu", p->min_uid);
	FUZZ_CHECK(p->min_gid >= 1 && p->min_gid <= ID_MAX, "min_gid %lu", p->min_gid);
	FUZZ_CHECK(p->interpreter != NULL && fuzz_ref_abs_normalized(p->interpreter) &&
			   strcmp(p->interpreter, "/") != 0,
		   "interpreter '%s'", p->interpreter ? p->interpreter : "(null)");
	FUZZ_CHECK(p->interpreter_args.n <= POLICY_MAX_LIST, "%zu args",
		   p->interpreter_args.n);
	for (size_t i = 0; i < p->interpreter_args.n; i++)
		FUZZ_CHECK(list_entry_plain(p->interpreter_args.v[i]), "arg '%s'",
			   p->interpreter_args.v[i]);
	FUZZ_CHECK(p->safe_path != NULL && p->safe_path[0] != '\0', "no safe_path");
	for (const char *sp = p->safe_path;;) {
		char dir[POLICY_MAX_LINE + 1];
		size_t len = strcspn(sp, ":");
		FUZZ_CHECK(len < sizeof(dir), "safe_path entry of %zu bytes", len);
		memcpy(dir, sp, len);
		dir[len] = '\0';
		FUZZ_CHECK(fuzz_ref_abs_normalized(dir), "safe_path entry '%s'", dir);
		if (sp[len] == '\0')
			break;
		sp += len + 1;
	}
	FUZZ_CHECK(p->umask <= 0777, "umask %o", (unsigned)p->umask);
	FUZZ_CHECK(p->log_file == NULL || (fuzz_ref_abs_normalized(p->log_file) &&
					   strcmp(p->log_file, "/") != 0),
		   "log_file '%s'", p->log_file);

	FUZZ_CHECK(l->cpu_s >= 1 && l->cpu_s <= 86400, "limits.cpu %" PRIu64, l->cpu_s);
	FUZZ_CHECK(l->wall_ms >= POLICY_DURATION_MIN_MS && l->wall_ms <= POLICY_DURATION_MAX_MS &&
			   l->wall_ms % 1000 == 0,
		   "limits.wall %" PRIu64, l->wall_ms);
	check_size(l->memory, POLICY_MEMORY_MIN, true, "limits.memory");
	check_count(l->tasks, 1, POLICY_TASKS_MAX, true, "limits.tasks");
	check_count(l->open_files, POLICY_OPEN_FILES_MIN, POLICY_OPEN_FILES_MAX, false,
		    "limits.open_files");
	check_size(l->file_size, 1, false, "limits.file_size");
	check_size(t->memory, POLICY_MEMORY_MIN, true, "tenant.memory");
	check_count(t->tasks, 1, POLICY_TASKS_MAX, true, "tenant.tasks");
	check_count(t->cpu_percent, 1, POLICY_CPU_PERCENT_MAX, true, "tenant.cpu");
	check_count(t->concurrency, 1, POLICY_CONCURRENCY_MAX, false, "tenant.concurrency");
	/* A request's cgroup lives inside its tenant's. */
	FUZZ_CHECK(l->memory == 0 || t->memory == 0 || l->memory <= t->memory,
		   "limits.memory %" PRIu64 " > tenant.memory %" PRIu64, l->memory, t->memory);
	FUZZ_CHECK(l->tasks == 0 || t->tasks == 0 || l->tasks <= t->tasks,
		   "limits.tasks %" PRIu64 " > tenant.tasks %" PRIu64, l->tasks, t->tasks);

	check_level(s->cgroup);
	check_level(s->landlock);
	FUZZ_CHECK(s->cgroup_parent != NULL, "no cgroup_parent");
	{
		char abs[300];
		unsigned depth = 1;
		const char *c = s->cgroup_parent;

		for (const char *q = c; *q; q++)
			depth += *q == '/';
		FUZZ_CHECK(depth <= POLICY_CGROUP_PARENT_DEPTH && strchr(c, '$') == NULL &&
				   fuzz_ref_safe_relative(c),
			   "cgroup_parent '%s'", c);
		for (const char *q = c;;) {
			char comp[64];
			size_t len = strcspn(q, "/");
			FUZZ_CHECK(len <= POLICY_CGROUP_NAME_MAX, "component of %zu bytes", len);
			memcpy(comp, q, len);
			comp[len] = '\0';
			FUZZ_CHECK(fuzz_ref_name(comp), "cgroup_parent component '%s'", comp);
			if (q[len] == '\0')
				break;
			q += len + 1;
		}
		snprintf(abs, sizeof(abs), "/%s", c);
		FUZZ_CHECK(cgroup_parent_valid(abs, false), "cgroup rule refuses '%s'", abs);
	}
	const struct strlist *lists[] = { &s->read, &s->write, &s->exec };
	for (size_t k = 0; k < 3; k++) {
		FUZZ_CHECK(lists[k]->n <= POLICY_MAX_LIST, "%zu entries", lists[k]->n);
		for (size_t i = 0; i < lists[k]->n; i++)
			check_path_entry(lists[k]->v[i]);
	}
	switch (s->network.mode) {
	case NET_ANY:
	case NET_NONE:
		FUZZ_CHECK(s->network.n_ports == 0, "%zu ports", s->network.n_ports);
		break;
	case NET_TCP:
		FUZZ_CHECK(s->network.n_ports >= 1 && s->network.n_ports <= NET_MAX_PORTS,
			   "%zu ports", s->network.n_ports);
		for (size_t i = 0; i < s->network.n_ports; i++) {
			FUZZ_CHECK(s->network.ports[i] != 0, "port 0");
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(s->network.ports[i] != s->network.ports[j], "port %u twice",
					   (unsigned)s->network.ports[i]);
		}
		break;
	default:
		FUZZ_CHECK(false, "network mode %d", (int)s->network.mode);
	}
}

/* ---- printing and comparing ------------------------------------------------ */

static void print_list(FILE *f, const char *key, const struct strlist *l, char sep)
{
	fprintf(f, "%s=", key);
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s%s", i ? (sep == ',' ? "," : " ") : "", l->v[i]);
	fputc('\n', f);
}

static void print_size(FILE *f, const char *key, uint64_t v)
{
	char s[32];

	if (v == 0) {
		fprintf(f, "%s=none\n", key);
		return;
	}
	(void)str_format_size(s, sizeof(s), v);
	fprintf(f, "%s=%s\n", key, s);
}

static void print_count(FILE *f, const char *key, uint64_t v)
{
	if (v == 0)
		fprintf(f, "%s=none\n", key);
	else
		fprintf(f, "%s=%" PRIu64 "\n", key, v);
}

static void print_duration(FILE *f, const char *key, uint64_t ms)
{
	char s[32];
	size_t n = str_format_duration_ms(s, sizeof(s), ms);

	FUZZ_CHECK(n > 0 && n < sizeof(s) && strstr(s, "ms") == NULL,
		   "%s: %" PRIu64 " ms formats as '%s'", key, ms, s);
	fprintf(f, "%s=%s\n", key, s);
}

/* p as cgijail.conf text that sets every key; malloc'ed, length in *len.
 * "key=value" with single separators: never longer than the lines it came
 * from, so POLICY_MAX_LINE holds. */
static char *print_policy(const struct policy *p, size_t *len)
{
	char *text = NULL, net[8 + NET_MAX_PORTS * 6];
	FILE *f = open_memstream(&text, len);

	FUZZ_CHECK(f != NULL, "open_memstream");
	fprintf(f, "[wrapper]\n");
	print_list(f, "caller", &p->callers, ',');
	print_list(f, "docroot", &p->docroots, ',');
	fprintf(f, "userdir=%s\n", p->userdir);
	fprintf(f, "min_uid=%lu\nmin_gid=%lu\n", p->min_uid, p->min_gid);
	fprintf(f, "interpreter=%s\n", p->interpreter);
	print_list(f, "interpreter_args", &p->interpreter_args, ' ');
	fprintf(f, "safe_path=%s\n", p->safe_path);
	fprintf(f, "umask=%o\n", (unsigned)p->umask);
	fprintf(f, "log_file=%s\n", p->log_file ? p->log_file : "");
	fprintf(f, "[limits]\n");
	print_duration(f, "cpu", p->limits.cpu_s * 1000);
	print_duration(f, "wall", p->limits.wall_ms);
	print_size(f, "memory", p->limits.memory);
	print_count(f, "tasks", p->limits.tasks);
	print_count(f, "open_files", p->limits.open_files);
	print_size(f, "file_size", p->limits.file_size);
	fprintf(f, "[tenant]\n");
	print_size(f, "memory", p->tenant.memory);
	print_count(f, "tasks", p->tenant.tasks);
	if (p->tenant.cpu_percent == 0)
		fprintf(f, "cpu=none\n");
	else
		fprintf(f, "cpu=%u%%\n", (unsigned)p->tenant.cpu_percent);
	fprintf(f, "concurrency=%u\n", (unsigned)p->tenant.concurrency);
	fprintf(f, "[sandbox]\n");
	fprintf(f, "cgroup=%s\n", policy_level_name(p->sandbox.cgroup));
	fprintf(f, "cgroup_parent=%s\n", p->sandbox.cgroup_parent);
	fprintf(f, "seccomp=%s\n", p->sandbox.seccomp ? "on" : "off");
	fprintf(f, "landlock=%s\n", policy_level_name(p->sandbox.landlock));
	print_list(f, "read", &p->sandbox.read, ' ');
	print_list(f, "write", &p->sandbox.write, ' ');
	print_list(f, "exec", &p->sandbox.exec, ' ');
	size_t n = net_format(&p->sandbox.network, net, sizeof(net));
	FUZZ_CHECK(n < sizeof(net), "network formats to %zu bytes", n);
	fprintf(f, "network=%s\n", net);
	FUZZ_CHECK(fclose(f) == 0 && text != NULL, "memstream");
	return text;
}

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool list_eq(const struct strlist *a, const struct strlist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* The [wrapper] keys a drop-in may not set. */
static void check_wrapper_fixed(const struct policy *a, const struct policy *b)
{
	FUZZ_CHECK(list_eq(&a->callers, &b->callers), "callers differ");
	FUZZ_CHECK(list_eq(&a->docroots, &b->docroots), "docroots differ");
	FUZZ_CHECK(str_eq(a->userdir, b->userdir), "userdir '%s' / '%s'", a->userdir,
		   b->userdir);
	FUZZ_CHECK(a->min_uid == b->min_uid && a->min_gid == b->min_gid, "min ids differ");
	FUZZ_CHECK(str_eq(a->safe_path, b->safe_path), "safe_path differs");
	FUZZ_CHECK(a->umask == b->umask, "umask %o / %o", (unsigned)a->umask,
		   (unsigned)b->umask);
	FUZZ_CHECK(str_eq(a->log_file, b->log_file), "log_file differs");
}

static void check_equal(const struct policy *a, const struct policy *b)
{
	check_wrapper_fixed(a, b);
	FUZZ_CHECK(str_eq(a->interpreter, b->interpreter), "interpreter differs");
	FUZZ_CHECK(list_eq(&a->interpreter_args, &b->interpreter_args), "args differ");
	FUZZ_CHECK(memcmp(&a->limits, &b->limits, sizeof(a->limits)) == 0, "[limits] differ");
	FUZZ_CHECK(memcmp(&a->tenant, &b->tenant, sizeof(a->tenant)) == 0, "[tenant] differ");
	FUZZ_CHECK(a->sandbox.cgroup == b->sandbox.cgroup &&
			   a->sandbox.landlock == b->sandbox.landlock &&
			   a->sandbox.seccomp == b->sandbox.seccomp,
		   "sandbox levels differ");
	FUZZ_CHECK(str_eq(a->sandbox.cgroup_parent, b->sandbox.cgroup_parent),
		   "cgroup_parent differs");
	FUZZ_CHECK(list_eq(&a->sandbox.read, &b->sandbox.read) &&
			   list_eq(&a->sandbox.write, &b->sandbox.write) &&
			   list_eq(&a->sandbox.exec, &b->sandbox.exec),
		   "read/write/exec differ");
	const struct net_spec *x = &a->sandbox.network, *y = &b->sandbox.network;
	FUZZ_CHECK(x->mode == y->mode && x->n_ports == y->n_ports &&
			   memcmp(x->ports, y->ports, x->n_ports * sizeof(x->ports[0])) == 0,
		   "network differs");
}

/* Print p, parse the text from defaults, compare, print again.  The
 * re-parsed policy is left in *q (a deep copy of p's values). */
static void round_trip(const struct policy *p, struct policy *q)
{
	struct policy_error err;
	size_t len1, len2;
	char *t1 = print_policy(p, &len1);

	FUZZ_CHECK(policy_defaults(q) == 0, "defaults");
	if (parse_text(q, t1, len1, false, &err) != 0 ||
	    policy_validate(q, FILE_MAIN, &err) != 0) {
		char msg[700];
		policy_error_format(&err, msg, sizeof(msg));
		FUZZ_CHECK(false, "printed policy refused: %s\n--- text ---\n%s", msg, t1);
	}
	check_equal(p, q);
	char *t2 = print_policy(q, &len2);
	FUZZ_CHECK(len1 == len2 && memcmp(t1, t2, len1) == 0,
		   "printing is not stable:\n%s\n---\n%s", t1, t2);
	free(t1);
	free(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t main_len = nul ? (size_t)(nul - data) : size;
	struct policy p, snapshot;
	struct policy_error err;

	memset(&err, 0, sizeof(err));
	FUZZ_CHECK(policy_defaults(&p) == 0, "defaults");
	if (parse_text(&p, text, main_len, false, &err) != 0) {
		check_error(&err, FILE_MAIN, count_lines(text, main_len));
		policy_free(&p);
		return 0;
	}
	if (policy_validate(&p, FILE_MAIN, &err) != 0) {
		FUZZ_CHECK(err.line == 0, "validation error on line %u", err.line);
		check_error(&err, FILE_MAIN, 0);
		policy_free(&p);
		return 0;
	}
	check_policy(&p);
	round_trip(&p, &snapshot);

	if (nul != NULL) {
		const char *drop = text + main_len + 1;
		size_t drop_len = size - main_len - 1;

		memset(&err, 0, sizeof(err));
		if (parse_text(&p, drop, drop_len, true, &err) != 0) {
			check_error(&err, FILE_DROPIN, count_lines(drop, drop_len));
		} else {
			check_policy(&p);
			check_wrapper_fixed(&p, &snapshot);
			struct policy again;
			round_trip(&p, &again);
			policy_free(&again);
		}
	}
	policy_free(&snapshot);
	policy_free(&p);
	return 0;
}
