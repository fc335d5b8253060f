/* check_main.c - cgijail-check, the unprivileged admin tool.
 *
 *   cgijail-check [--config-dir DIR] policy
 *   cgijail-check [--config-dir DIR] explain USER GROUP /abs/path/script
 *   cgijail-check [--config-dir DIR] explain /abs/path/script
 *   cgijail-check [--config-dir DIR] tenants
 *   cgijail-check [--config-dir DIR] prune [--dry-run]
 *
 * "policy" validates the policy exactly as the wrapper loads it; "explain"
 * runs the wrapper's own checks (request.c) and prints each with ok/FAIL,
 * then the effective settings of the request.  "tenants" lists the state
 * cgijail keeps per tenant (run directory, TMPDIR, cgroups) and whether the
 * user still exists; "prune" removes the state of users that no longer
 * exist (as root; a tenant with a running request is left alone).  Never
 * installed setuid; the --config-dir option exists only here, never in the
 * wrapper. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "buildcfg.h"
#include "cgroup.h"
#include "config.h"
#include "ids.h"
#include "llrules.h"
#include "request.h"
#include "state.h"
#include "strutil.h"

static void print_esc(const char *prefix, const char *s, const char *suffix)
{
	char esc[4096];

	str_escape_json(esc, sizeof(esc), s ? s : "");
	printf("%s%s%s", prefix, esc, suffix);
}

static void report(void *ctx, const char *check, bool ok, const char *detail)
{
	(void)ctx;
	print_esc(ok ? "ok    " : "FAIL  ", check, "");
	print_esc(": ", detail, "\n");
}

static int usage(void)
{
	fprintf(stderr,
		"usage: cgijail-check [--config-dir DIR] policy\n"
		"       cgijail-check [--config-dir DIR] explain USER GROUP /abs/path/script\n"
		"       cgijail-check [--config-dir DIR] explain /abs/path/script\n"
		"       cgijail-check [--config-dir DIR] tenants\n"
		"       cgijail-check [--config-dir DIR] prune [--dry-run]\n");
	return 2;
}

/* ---- [limits], [tenant], [sandbox]: "  section.key = value (meaning)" -------- */

static const char *cg_note(const struct policy *p)
{
	return p->sandbox.cgroup == POLICY_OFF ? "; not enforced: sandbox.cgroup = off" : "";
}

/* A size limit: "256M (268435456 bytes...)" or "none (no limit)". */
static void print_size(const char *key, uint64_t v, const char *what, const char *note)
{
	char s[32];

	if (v == 0) {
		printf("  %s = none (no limit%s)\n", key, note);
		return;
	}
	(void)str_format_size(s, sizeof(s), v);
	printf("  %s = %s (%" PRIu64 " bytes%s%s)\n", key, s, v, what, note);
}

static void print_count(const char *key, uint64_t v, const char *what, const char *note)
{
	if (v == 0)
		printf("  %s = none (no limit%s)\n", key, note);
	else
		printf("  %s = %" PRIu64 " (%s%s)\n", key, v, what, note);
}

/* A read/write/exec list: each entry escaped, "~" entries followed by what
 * they mean for this user. */
static void print_list(const char *key, const struct strlist *l, const char *home,
		       const struct policy *p)
{
	printf("  %s =", key);
	if (l->n == 0)
		printf(" (none)");
	for (size_t i = 0; i < l->n; i++) {
		char path[PATH_MAX];
		const char *why = NULL;

		print_esc(" ", l->v[i], "");
		if (l->v[i][0] != '~')
			continue;
		if (path_expand_home(l->v[i], home, path, sizeof(path), &why) == 0)
			print_esc(" (", path, ")");
		else
			print_esc(" (", why, ")");
	}
	printf("%s\n", p->sandbox.landlock == POLICY_OFF && l->n > 0 ?
		       " (ignored: sandbox.landlock = off)" : "");
}

/* What network = ... means with the layers that enforce it: seccomp limits
 * socket families, Landlock (ABI 4+) TCP connect/bind ports. */
static const char *net_meaning(const struct policy *p)
{
	bool sc = p->sandbox.seccomp, ll = p->sandbox.landlock != POLICY_OFF;

	switch (p->sandbox.network.mode) {
	case NET_ANY:
		return "not restricted";
	case NET_NONE:
		if (sc)
			return "unix sockets only";
		if (ll)
			return "TCP refused by Landlock (ABI 4+); other IP sockets allowed: "
			       "sandbox.seccomp = off";
		return "not enforced: sandbox.seccomp = off, sandbox.landlock = off";
	case NET_TCP:
		if (ll)
			return "TCP connect to these ports only, no TCP bind, UDP not restricted; "
			       "needs Landlock ABI 4+";
		return "not enforced: sandbox.landlock = off";
	}
	return "?";
}

static void print_sandbox(const struct request *rq, const struct policy *p)
{
	char s[300], troot[PATH_MAX];
	const char *cg = cg_note(p);

	(void)str_format_duration_ms(s, sizeof(s), p->limits.cpu_s * 1000);
	printf("  limits.cpu = %s (RLIMIT_CPU, %" PRIu64 " s of CPU time)\n", s, p->limits.cpu_s);
	(void)str_format_duration_ms(s, sizeof(s), p->limits.wall_ms);
	printf("  limits.wall = %s (%" PRIu64 " ms, then the whole request is ended)\n", s,
	       p->limits.wall_ms);
	print_size("limits.memory", p->limits.memory, ", swap included", cg);
	print_count("limits.tasks", p->limits.tasks, "processes and threads", cg);
	print_count("limits.open_files", p->limits.open_files, "RLIMIT_NOFILE", "");
	print_size("limits.file_size", p->limits.file_size, ", RLIMIT_FSIZE", "");
	print_size("tenant.memory", p->tenant.memory, ", all requests of the user", cg);
	print_count("tenant.tasks", p->tenant.tasks, "all requests of the user", cg);
	if (p->tenant.cpu_percent == 0)
		printf("  tenant.cpu = none (no CPU quota%s)\n", cg);
	else
		printf("  tenant.cpu = %u%% (%u.%02u cores%s)\n", (unsigned)p->tenant.cpu_percent,
		       (unsigned)(p->tenant.cpu_percent / 100),
		       (unsigned)(p->tenant.cpu_percent % 100), cg);
	printf("  tenant.concurrency = %u (simultaneous requests; one more gets 503)\n",
	       (unsigned)p->tenant.concurrency);
	if (p->tenant.tmp_size == 0) {
		printf("  tenant.tmp_size = none (TMPDIR is a directory on the state file "
		       "system: no total limit but its quotas)\n");
	} else {
		(void)str_format_size(s, sizeof(s), p->tenant.tmp_size);
		printf("  tenant.tmp_size = %s (TMPDIR is a tmpfs of this size; its pages "
		       "count in the user's memory)\n", s);
		printf("  tenant.tmp_inodes = %" PRIu64 " (files and directories in TMPDIR)\n",
		       p->tenant.tmp_inodes);
	}
	printf("  sandbox.cgroup = %s\n", policy_level_name(p->sandbox.cgroup));
	print_esc("  sandbox.cgroup_parent = ", p->sandbox.cgroup_parent, "");
	print_esc(" (this user's cgroup: ", p->sandbox.cgroup_parent, "");
	print_esc("/", rq->tgt.name, ")\n");
	printf("  sandbox.seccomp = %s\n", p->sandbox.seccomp ? "on" : "off");
	printf("  sandbox.landlock = %s\n", policy_level_name(p->sandbox.landlock));
	print_list("sandbox.read", &p->sandbox.read, rq->tgt.home, p);
	print_list("sandbox.write", &p->sandbox.write, rq->tgt.home, p);
	print_list("sandbox.exec", &p->sandbox.exec, rq->tgt.home, p);
	(void)net_format(&p->sandbox.network, s, sizeof(s));
	printf("  sandbox.network = %s (%s)\n", s, net_meaning(p));
	if (request_tenant_root(rq, troot, sizeof(troot)) == 0)
		print_esc("  sandbox tenant tree (read-only): ", troot, "\n");
	else
		printf("  sandbox tenant tree (read-only): (none)\n");
	print_esc("  sandbox TMPDIR (private, writable): ", cgijail_state_dir, "/tmp/");
	print_esc("", rq->tgt.name, "\n");
	if (!p->warm.enabled) {
		printf("  warm.enabled = no (each request starts a fresh interpreter)\n");
		return;
	}
	printf("  warm.enabled = yes (requests are forked from the slot's zygote)\n");
	printf("  warm.preload =");
	if (p->warm.preload.n == 0)
		printf(" (none)");
	for (size_t i = 0; i < p->warm.preload.n; i++)
		printf(" %s", p->warm.preload.v[i]);   /* checked module names */
	printf("\n  warm.max_requests = %u\n", p->warm.max_requests);
	printf("  warm.max_age = %" PRIu64 " s\n", p->warm.max_age_ms / 1000);
	printf("  warm.idle_timeout = %" PRIu64 " s\n", p->warm.idle_ms / 1000);
	print_esc("  warm zygote program: ", cgijail_zygote_path, "\n");
}

static void print_settings(const struct request *rq, const struct config *cfg)
{
	const struct policy *p = &cfg->pol;

	printf("\neffective settings:\n");
	print_esc("  policy:           ", cfg->path, "\n");
	print_esc("  users.d drop-in:  ", cfg->dropin[0] ? cfg->dropin : "(none)", "\n");
	print_esc("  user:             ", rq->tgt.name, "");
	printf(" (uid %lu)\n", (unsigned long)rq->tgt.uid);
	printf("  group:            gid %lu\n", (unsigned long)rq->gid);
	printf("  groups:          ");
	for (size_t i = 0; i < rq->tgt.ngroups; i++)
		printf(" %lu", (unsigned long)rq->tgt.groups[i]);
	printf("\n");
	print_esc("  working dir:      ", rq->dir, "\n");
	print_esc("  interpreter:      ", p->interpreter, "\n");
	printf("  command:         ");
	print_esc(" ", p->interpreter, "");
	for (size_t i = 0; i < p->interpreter_args.n; i++)
		print_esc(" ", p->interpreter_args.v[i], "");
	print_esc(" ", rq->script, "\n");
	print_esc("  PATH:             ", p->safe_path, "\n");
	printf("  umask:            %03o\n", (unsigned)p->umask);
	print_esc("  log_file:         ", p->log_file ? p->log_file : "(syslog only)", "\n");
	print_sandbox(rq, p);
}

static int explain(struct config *cfg, int argc, char *argv[])
{
	char *fake[5], dir[PATH_MAX], err[1024];
	struct request rq;
	int fargc = 0, rc;

	if (argc != 1 && argc != 3)
		return usage();
	const char *path = argv[argc - 1];
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    (size_t)(slash - path) >= sizeof(dir)) {
		fprintf(stderr, "cgijail-check: the script must be given as an absolute path\n");
		return 2;
	}
	/* Build the argv the web server would send, and parse it as the wrapper does. */
	fake[fargc++] = (char *)"cgijail";
	if (argc == 3) {
		fake[fargc++] = argv[0];
		fake[fargc++] = argv[1];
		fake[fargc++] = (char *)slash + 1;
	} else {
		fake[fargc++] = (char *)path;
	}
	fake[fargc] = NULL;
	request_init(&rq, report, NULL);
	if (request_parse_argv(&rq, fargc, fake, getuid()) != 0) {
		print_esc("FAIL  command line: ", rq.reason, "\n");
		return 1;
	}
	if (argc == 3)
		snprintf(rq.cwd, sizeof(rq.cwd), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	printf("policy %s: ok\n", cfg->path);
	printf("info  callers allowed to invoke cgijail:");
	for (size_t i = 0; i < cfg->pol.callers.n; i++)
		print_esc(" ", cfg->pol.callers.v[i], "");
	printf("\n");
	rc = request_locate_script(&rq) || request_resolve_target(&rq, &cfg->pol) ||
	     request_check_script(&rq, &cfg->pol);
	if (rc == 0) {
		rc = config_load_dropin(cfg, rq.tgt.name, err, sizeof(err));
		if (rc != 0)
			print_esc("FAIL  users.d drop-in: ", err, "\n");
		else
			rc = request_check_interpreter(&rq, &cfg->pol);
	}
	if (rc == 0)
		print_settings(&rq, cfg);
	else
		print_esc("\nrefused: ", rq.reason[0] ? rq.reason : err, "\n");
	request_free(&rq);
	return rc == 0 ? 0 : 1;
}

/* ---- tenants, prune ------------------------------------------------------ */

#define TENANT_CGROUP 4u   /* a tenant cgroup below the policy's parent */
#define TENANTS_MAX 65536

struct tenants {
	size_t n;
	struct tenant_state {
		char user[IDS_NAME_MAX];
		unsigned what;     /* STATE_RUN | STATE_TMP | TENANT_CGROUP */
	} *v;
	bool full;
};

static void add_tenant(struct tenants *t, const char *user, unsigned what)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].user, user) == 0) {
			t->v[i].what |= what;
			return;
		}
	}
	if (t->n == TENANTS_MAX || strlen(user) >= IDS_NAME_MAX) {
		t->full = true;
		return;
	}
	struct tenant_state *v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (v == NULL) {
		t->full = true;
		return;
	}
	t->v = v;
	snprintf(t->v[t->n].user, sizeof(t->v[t->n].user), "%s", user);
	t->v[t->n++].what = what;
}

static void on_state(void *ctx, const char *user, unsigned what)
{
	add_tenant(ctx, user, what);
}

static void on_cgroup(void *ctx, const char *user)
{
	add_tenant(ctx, user, TENANT_CGROUP);
}

/* The tenants' cgroups below one cgroup parent ("a/b", none when that parent
 * does not exist).  Returns 0 or -1 with *why. */
static int cgroup_tenants(const char *cgroup_parent, struct tenants *t,
			  const char **why)
{
	char parent[PATH_MAX];
	struct cg_ctx ctx;
	int rc;

	(void)snprintf(parent, sizeof(parent), "/%s", cgroup_parent);
	if (cg_open(parent, 0, &ctx, why) != 0)
		return errno == ENOENT ? 0 : -1;
	rc = cg_tenant_list(&ctx, on_cgroup, t, why);
	cg_close(&ctx);
	return rc;
}

/* Every cgroup parent in use: the policy's and those of its drop-ins. */
struct parents {
	const char *dir;
	size_t n;
	char v[64][PATH_MAX];
	int rc;
};

static void add_parent(struct parents *ps, const char *parent)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i], parent) == 0)
			return;
	if (ps->n == sizeof(ps->v) / sizeof(ps->v[0])) {
		printf("FAIL  more than %zu cgroup parents in users.d\n", ps->n);
		ps->rc = 1;
		return;
	}
	(void)snprintf(ps->v[ps->n++], PATH_MAX, "%s", parent);
}

static void on_dropin(void *ctx, const char *user)
{
	struct parents *ps = ctx;
	struct config ucfg;
	char err[1024];

	if (config_load(ps->dir, &ucfg, err, sizeof(err)) != 0 ||
	    config_load_dropin(&ucfg, user, err, sizeof(err)) != 0) {
		print_esc("FAIL  users.d: ", err, "\n");
		ps->rc = 1;
	} else {
		add_parent(ps, ucfg.pol.sandbox.cgroup_parent);
	}
	config_free(&ucfg);
}

static int collect(const char *dir, const struct config *cfg, struct tenants *t)
{
	static struct parents ps;
	const char *why = NULL;
	int rc = 0;

	if (state_list(cgijail_run_dir, cgijail_state_dir, on_state, t, &why) != 0) {
		print_esc("FAIL  state directories: ", why, "\n");
		rc = 1;
	}
	ps.dir = dir;
	ps.n = 0;
	ps.rc = 0;
	add_parent(&ps, cfg->pol.sandbox.cgroup_parent);
	if (config_dropin_users(cfg, on_dropin, &ps, &why) != 0) {
		print_esc("FAIL  users.d: ", why, "\n");
		rc = 1;
	}
	rc |= ps.rc;
	for (size_t i = 0; i < ps.n; i++) {
		if (cgroup_tenants(ps.v[i], t, &why) != 0) {
			print_esc("FAIL  cgroups below ", ps.v[i], "");
			print_esc(": ", why, "\n");
			rc = 1;
		}
	}
	if (t->full) {
		printf("FAIL  too many tenants to list\n");
		rc = 1;
	}
	return rc;
}

static void print_what(unsigned what)
{
	printf("%s%s%s", what & STATE_RUN ? " run-dir" : "", what & STATE_TMP ? " tmpdir" : "",
	       what & TENANT_CGROUP ? " cgroup" : "");
}

static int list_tenants(const char *dir, const struct config *cfg)
{
	struct tenants t = { 0, NULL, false };
	int rc = collect(dir, cfg, &t);

	for (size_t i = 0; i < t.n; i++) {
		const char *why = NULL;
		int e = ids_user_exists(t.v[i].user, &why);

		print_esc("", t.v[i].user, e == 1 ? ": user exists;" :
			  e == 0 ? ": NO SUCH USER (prune removes it);" : ": ");
		if (e < 0)
			print_esc("lookup failed (", why, ");");
		print_what(t.v[i].what);
		printf("\n");
	}
	printf("%zu tenants\n", t.n);
	free(t.v);
	return rc;
}

/* Remove what cgijail keeps of one user that no longer exists: the cgroups
 * below the parent its policy (with its drop-in, if one is left) names,
 * then the run directory and TMPDIR.  Returns 0, 1 (busy or failed). */
static int prune_one(const char *dir, const char *user, bool dry_run)
{
	struct config ucfg;
	char err[1024], parent[PATH_MAX];
	const char *why = NULL;
	struct cg_ctx ctx;
	bool mounted;
	int rc = 0, r;

	if (config_load(dir, &ucfg, err, sizeof(err)) != 0 ||
	    config_load_dropin(&ucfg, user, err, sizeof(err)) != 0) {
		print_esc("FAIL  ", user, "");
		print_esc(": its policy: ", err, "\n");
		config_free(&ucfg);
		return 1;
	}
	if (ucfg.dropin[0] != '\0')
		print_esc("note  ", ucfg.dropin, " is left in place: remove it by hand\n");
	if (dry_run) {
		r = state_tmp_mounted(cgijail_state_dir, user, &why);
		if (r == 1)
			print_esc("would unmount the tmpfs of ", user,
				  " (its TMPDIR, in this mount namespace)\n");
		else if (r < 0)
			print_esc("note  cannot tell whether a tmpfs is mounted: ", why, "\n");
		print_esc("would remove ", user, "\n");
		config_free(&ucfg);
		return 0;
	}
	(void)snprintf(parent, sizeof(parent), "/%s", ucfg.pol.sandbox.cgroup_parent);
	config_free(&ucfg);
	if (cg_open(parent, 0, &ctx, &why) == 0) {
		r = cg_tenant_prune(&ctx, user, &why);
		cg_close(&ctx);
	} else {
		r = errno == ENOENT ? 0 : -1;
	}
	mounted = r == 0 && state_tmp_mounted(cgijail_state_dir, user, &why) == 1;
	if (r == 0)
		r = state_remove(cgijail_run_dir, cgijail_state_dir, user, &why);
	if (r == 0) {
		if (mounted)
			print_esc("unmounted the tmpfs of ", user, "\n");
		print_esc("removed ", user, "\n");
	} else if (r == 1) {
		print_esc("kept  ", user, ": a request of this user is still running\n");
		rc = 1;
	} else {
		print_esc("FAIL  ", user, "");
		print_esc(": ", why, "\n");
		rc = 1;
	}
	return rc;
}

static int prune(const char *dir, const struct config *cfg, bool dry_run)
{
	struct tenants t = { 0, NULL, false };
	int rc = collect(dir, cfg, &t);
	size_t gone = 0;

	for (size_t i = 0; i < t.n; i++) {
		const char *why = NULL;
		int e = ids_user_exists(t.v[i].user, &why);

		if (e == 1)
			continue;
		if (e < 0) {
			/* A lookup that failed is not "no such user". */
			print_esc("FAIL  ", t.v[i].user, "");
			print_esc(": ", why, "\n");
			rc = 1;
			continue;
		}
		gone++;
		if (prune_one(dir, t.v[i].user, dry_run) != 0)
			rc = 1;
	}
	printf("%zu of %zu tenants belong to users that no longer exist\n", gone, t.n);
	free(t.v);
	return rc;
}

int main(int argc, char *argv[])
{
	const char *dir = cgijail_config_dir;
	struct config cfg;
	char err[1024];
	int i = 1, rc;

	if (i + 1 < argc && strcmp(argv[i], "--config-dir") == 0) {
		dir = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return usage();
	if (strcmp(argv[i], "policy") != 0 && strcmp(argv[i], "explain") != 0 &&
	    strcmp(argv[i], "tenants") != 0 && strcmp(argv[i], "prune") != 0)
		return usage();
	if (config_load(dir, &cfg, err, sizeof(err)) != 0) {
		print_esc("", err, "\n");
		config_free(&cfg);
		return 1;
	}
	if (strcmp(argv[i], "policy") == 0) {
		if (i + 1 != argc) {
			config_free(&cfg);
			return usage();
		}
		printf("%s: ok\n", cfg.path);
		rc = 0;
	} else if (strcmp(argv[i], "tenants") == 0) {
		rc = i + 1 == argc ? list_tenants(dir, &cfg) : usage();
	} else if (strcmp(argv[i], "prune") == 0) {
		bool dry = i + 2 == argc && strcmp(argv[i + 1], "--dry-run") == 0;

		rc = i + 1 == argc || dry ? prune(dir, &cfg, dry) : usage();
	} else {
		rc = explain(&cfg, argc - i - 1, argv + i + 1);
	}
	config_free(&cfg);
	return rc;
}
