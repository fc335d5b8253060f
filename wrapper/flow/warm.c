/* warm.c - see warm.h. */
#include "warm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buildcfg.h"
#include "ids.h"
#include "zygsock.h"

static void key_list(struct wp_key *k, const char *name, const struct strlist *l)
{
	wp_key_list(k, name, (const char *const *)l->v, (long)l->n);
}

static void key_file(struct wp_key *k, const char *name, const struct zyg_file_id *id)
{
	char b[160];

	(void)snprintf(b, sizeof(b), "%llu:%llu:%llu:%llu:%llu",
		       (unsigned long long)id->dev, (unsigned long long)id->ino,
		       (unsigned long long)id->size, (unsigned long long)id->mtime_ns,
		       (unsigned long long)id->ctime_ns);
	wp_key_str(k, name, b);
}

static void build_key(struct wp_key *k, const struct policy *p, const struct sb_plan *plan,
		      const struct zyg_file_id *interp, const struct zyg_file_id *zygote,
		      const char *home, const char *troot, const char *tmpdir)
{
	const struct identity *t = plan->tgt;

	wp_key_init(k);
	wp_key_u64(k, "version", 1);
	wp_key_str(k, "interpreter", p->interpreter);
	key_list(k, "interpreter_args", &p->interpreter_args);
	key_file(k, "interpreter_id", interp);
	wp_key_str(k, "zygote", cgijail_zygote_path);
	key_file(k, "zygote_id", zygote);
	wp_key_u64(k, "uid", t->uid);
	wp_key_u64(k, "gid", plan->gid);
	wp_key_u64(k, "ngroups", t->ngroups);
	for (size_t i = 0; i < t->ngroups; i++)
		wp_key_u64(k, "group", t->groups[i]);
	for (size_t i = 0; i < plan->nrl; i++) {
		wp_key_u64(k, "rlimit", (uint64_t)plan->rl[i].resource);
		wp_key_u64(k, "cur", plan->rl[i].lim.rlim_cur);
		wp_key_u64(k, "max", plan->rl[i].lim.rlim_max);
	}
	wp_key_u64(k, "limits.wall", p->limits.wall_ms);
	wp_key_u64(k, "limits.memory", p->limits.memory);
	wp_key_u64(k, "limits.tasks", p->limits.tasks);
	wp_key_u64(k, "cgroup", (uint64_t)plan->cgroup);
	wp_key_u64(k, "landlock", (uint64_t)plan->landlock);
	wp_key_u64(k, "landlock_on", plan->ll != NULL);
	wp_key_u64(k, "seccomp", plan->seccomp);
	wp_key_u64(k, "net", (uint64_t)plan->net);
	wp_key_u64(k, "network", (uint64_t)p->sandbox.network.mode);
	for (size_t i = 0; i < p->sandbox.network.n_ports; i++)
		wp_key_u64(k, "port", p->sandbox.network.ports[i]);
	key_list(k, "read", &p->sandbox.read);
	key_list(k, "write", &p->sandbox.write);
	key_list(k, "exec", &p->sandbox.exec);
	wp_key_str(k, "home", home);
	wp_key_str(k, "tenant_root", troot);
	wp_key_str(k, "tmpdir", tmpdir);
	wp_key_str(k, "safe_path", p->safe_path);
	key_list(k, "preload", &p->warm.preload);
	wp_key_u64(k, "max_requests", p->warm.max_requests);
	wp_key_u64(k, "max_age", p->warm.max_age_ms);
	wp_key_u64(k, "idle", p->warm.idle_ms);
}

int warm_plan_fill(struct warm_plan *w, const struct policy *p, const struct sb_plan *plan,
		   size_t n_interp, const char *run_dir, const char *user, unsigned slot,
		   const char *home, const char *troot, const char *tmpdir,
		   const char **reason)
{
	static struct wp_key key;
	struct zyg_file_id interp, zygote;
	size_t n = 0, argc = 0;

	memset(w, 0, sizeof(*w));
	w->run_dir = run_dir;
	w->user = user;
	w->slot = slot;
	w->send_ms = p->limits.wall_ms;
	if (zyg_file_identity(cgijail_zygote_path, true, &zygote, reason) != 0 ||
	    zyg_file_identity(p->interpreter, false, &interp, reason) != 0)
		return -1;
	build_key(&key, p, plan, &interp, &zygote, home, troot, tmpdir);
	if (key.overflow) {
		*reason = "the warm sandbox key is too long";
		return -1;
	}

	/* interpreter, its args, the zygote program, its settings, preload */
	w->zargv[n++] = p->interpreter;
	for (size_t i = 0; i < p->interpreter_args.n; i++)
		w->zargv[n++] = p->interpreter_args.v[i];
	w->zargv[n++] = (char *)cgijail_zygote_path;
	(void)snprintf(w->num[0], sizeof(w->num[0]), "%u", p->warm.max_requests);
	(void)snprintf(w->num[1], sizeof(w->num[1]), "%llu",
		       (unsigned long long)(p->warm.max_age_ms / 1000));
	(void)snprintf(w->num[2], sizeof(w->num[2]), "%llu",
		       (unsigned long long)(p->warm.idle_ms / 1000));
	w->zargv[n++] = w->num[0];
	w->zargv[n++] = w->num[1];
	w->zargv[n++] = w->num[2];
	for (size_t i = 0; i < p->warm.preload.n; i++)
		w->zargv[n++] = p->warm.preload.v[i];
	w->zargv[n] = NULL;

	int a = snprintf(w->envbuf[0], sizeof(w->envbuf[0]), "PATH=%s", p->safe_path);
	int b = snprintf(w->envbuf[1], sizeof(w->envbuf[1]), "TMPDIR=%s", tmpdir);
	if (a < 0 || (size_t)a >= sizeof(w->envbuf[0]) || b < 0 ||
	    (size_t)b >= sizeof(w->envbuf[1])) {
		*reason = "the zygote's environment is too long";
		return -1;
	}
	w->zenvp[0] = w->envbuf[0];
	w->zenvp[1] = w->envbuf[1];
	w->zenvp[2] = NULL;

	/* The request: the script and its arguments as sys.argv has them. */
	while (plan->argv[argc] != NULL)
		argc++;
	if (argc <= n_interp) {
		*reason = "no script in the command line";
		return -1;
	}
	size_t cap = WP_FRAME_MAX;
	w->frame = malloc(cap);
	if (w->frame == NULL) {
		*reason = "out of memory";
		return -1;
	}
	w->frame_len = wp_encode(w->frame, cap, key.buf, key.len, plan->umask,
				 plan->argv[n_interp], plan->argv + n_interp, plan->envp);
	if (w->frame_len == 0) {
		warm_plan_free(w);
		*reason = "the request is too large for a zygote";
		return -1;
	}
	return 0;
}

void warm_plan_free(struct warm_plan *w)
{
	free(w->frame);
	w->frame = NULL;
	w->frame_len = 0;
}
