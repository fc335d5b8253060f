/* prepare.c - see prepare.h. */
#include "prepare.h"

#include "buildcfg.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsys.h"
#include "landlock.h"
#include "tmpfs.h"

static void note(char *notes, size_t notesz, const char *what, const char *why)
{
	size_t used = strlen(notes);

	if (used < notesz)
		(void)snprintf(notes + used, notesz - used, "%s%s%s%s", used ? "; " : "",
			       what, why ? ": " : "", why ? why : "");
}

int sb_tmpdir(const char *state_dir, const struct policy_tenant *t, const char *user,
	      uid_t uid, gid_t gid, char *out, size_t outsz, char *notes, size_t notesz,
	      const char **reason)
{
	char base[PATH_MAX];
	int basefd, fd, ret = 0;
	int n = snprintf(base, sizeof(base), "%s/tmp", state_dir);

	if (n < 0 || (size_t)n >= sizeof(base)) {
		*reason = "state directory path too long";
		return -1;
	}
	n = snprintf(out, outsz, "%s/%s", base, user);
	if (n < 0 || (size_t)n >= outsz) {
		*reason = "temporary directory path too long";
		return -1;
	}
	/* 0711: a tenant reaches its own directory by name, lists nothing. */
	basefd = fsys_open_root_dir(base, 0711, reason);
	if (basefd < 0)
		return -1;
	/* With a tmp_size: held until basefd is closed, so that concurrent
	 * first requests of a tenant mount one tmpfs, not one each. */
	if (t->tmp_size != 0 && tmpfs_lock(basefd, reason) != 0) {
		(void)close(basefd);
		return -1;
	}
	fd = fsys_ensure_subdir(basefd, user, uid, gid, 0700, reason);
	if (fd < 0) {
		(void)close(basefd);
		return -1;
	}
	(void)close(fd);
	if (t->tmp_size != 0)
		ret = tmpfs_ensure(basefd, user, t->tmp_size, t->tmp_inodes, uid, gid, notes,
				   notesz, reason);
	(void)close(basefd);
	return ret;
}

int sb_landlock(const struct policy *p, const char *home, const char *tenant_root,
		const char *tmpdir, struct ll_ruleset *rs, const struct ll_ruleset **ll,
		char *notes, size_t notesz, const char **reason)
{
	struct ll_input in;
	const char *bad = NULL;
	char missing[256];

	*ll = NULL;
	if (p->sandbox.landlock == POLICY_OFF)
		return 0;
	memset(&in, 0, sizeof(in));
	in.abi = ll_abi();
	if (in.abi <= 0) {
		if (p->sandbox.landlock == POLICY_REQUIRED) {
			*reason = "landlock = required, but this kernel has no Landlock";
			return -1;
		}
		note(notes, notesz, "landlock unavailable (best-effort)", NULL);
		return 0;
	}
	in.mode = p->sandbox.landlock == POLICY_REQUIRED ? LL_MODE_REQUIRED : LL_MODE_BEST_EFFORT;
	in.net = p->sandbox.network;
	in.interpreter = p->interpreter;
	in.loader = NULL;
	in.tenant_root = tenant_root;
	in.tmpdir = tmpdir;
	in.home = home;
	/* Warm mode: the zygote program is read by the interpreter too. */
	const char *read[POLICY_MAX_LIST + 1];
	size_t nread = 0;
	for (size_t i = 0; i < p->sandbox.read.n && nread < POLICY_MAX_LIST; i++)
		read[nread++] = p->sandbox.read.v[i];
	if (p->warm.enabled)
		read[nread++] = cgijail_zygote_path;
	in.read = (struct ll_list){ read, nread };
	in.write = (struct ll_list){ (const char *const *)p->sandbox.write.v, p->sandbox.write.n };
	in.exec = (struct ll_list){ (const char *const *)p->sandbox.exec.v, p->sandbox.exec.n };
	if (ll_build(&in, rs, reason, &bad) != 0)
		return -1;
	if (ll_describe_missing(rs, missing, sizeof(missing)) > 0)
		note(notes, notesz, "landlock lacks", missing);
	*ll = rs;
	return 0;
}

/* The tenant's cgroup and the slot's leaf below the parent; -1 with *why. */
static int cgroup_setup(const char *parent, unsigned flags, const char *run_dir,
			const char *user, const char *leaf, const struct cg_limits *tenant,
			const struct cg_limits *request, unsigned keep, struct sb_cgroup *cg,
			const char **why)
{
	if (cg_open_cached(parent, flags, run_dir, &cg->ctx, why) != 0)
		return -1;
	if (cg_tenant(&cg->ctx, user, tenant, &cg->tenant, why) != 0) {
		cg_close(&cg->ctx);
		return -1;
	}
	if (cg_leaf_create(&cg->ctx, &cg->tenant, leaf, request, keep, &cg->leaf, why) != 0) {
		cg_tenant_close(&cg->tenant);
		cg_close(&cg->ctx);
		return -1;
	}
	return 0;
}

int sb_cgroup(const struct policy *p, const char *run_dir, const char *user,
	      unsigned slot, struct sb_cgroup *cg, char *notes, size_t notesz,
	      const char **reason)
{
	char parent[PATH_MAX], name[CG_NAME_MAX];
	const struct cg_limits tenant = { p->tenant.memory, p->tenant.tasks,
					  p->tenant.cpu_percent };
	const struct cg_limits request = { p->limits.memory, p->limits.tasks, 0 };
	/* A warm slot's leaf keeps its zygote and its spare between requests. */
	const unsigned keep = p->warm.enabled ? 2 : 0;
	const char *why = NULL;
	int rc;

	memset(cg, 0, sizeof(*cg));
	if (p->sandbox.cgroup == POLICY_OFF)
		return 0;
	(void)snprintf(parent, sizeof(parent), "/%s", p->sandbox.cgroup_parent);
	(void)snprintf(name, sizeof(name), "s%u", slot);
	rc = cgroup_setup(parent, CG_OPEN_CREATE, run_dir, user, name, &tenant,
			  &request, keep, cg, &why);
	if (rc != 0 && cg->ctx.cached) {
		/* Mounts remembered from an earlier request that no longer
		 * hold: ask libcgroup again (which rewrites the cache). */
		memset(cg, 0, sizeof(*cg));
		rc = cgroup_setup(parent, CG_OPEN_CREATE | CG_OPEN_FRESH, run_dir, user,
				  name, &tenant, &request, keep, cg, &why);
	}
	if (rc != 0) {
		memset(cg, 0, sizeof(*cg));
		if (p->sandbox.cgroup == POLICY_REQUIRED) {
			*reason = why ? why : "cgroup setup failed";
			return -1;
		}
		note(notes, notesz, "cgroup unavailable (best-effort)", why);
		return 0;
	}
	cg->on = true;
	if (cg->leaf.reclaimed)
		note(notes, notesz, "reclaimed a stale request cgroup", NULL);
	return 0;
}

void sb_cgroup_release(struct sb_cgroup *cg)
{
	if (!cg->on)
		return;
	cg_leaf_close(&cg->leaf);
	cg->on = false;
}

void sb_plan_fill(struct sb_plan *plan, const struct policy *p,
		  const struct sb_cgroup *cg, const struct ll_ruleset *ll,
		  const struct identity *tgt, gid_t gid, int dirfd,
		  char **argv, char **envp)
{
	memset(plan, 0, sizeof(*plan));
	plan->leaf = cg->on ? &cg->leaf : NULL;
	plan->cgroup = p->sandbox.cgroup;
	plan->tgt = tgt;
	plan->gid = gid;
	plan->nrl = rl_plan(&p->limits, plan->rl);
	plan->ll = ll;
	plan->landlock = p->sandbox.landlock;
	plan->seccomp = p->sandbox.seccomp;
	plan->net = sc_network_for(&p->sandbox.network);
	plan->dirfd = dirfd;
	plan->umask = p->umask;
	plan->interpreter = p->interpreter;
	plan->argv = argv;
	plan->envp = envp;
}

void sb_summary(const struct sb_plan *plan, const struct sb_cgroup *cg,
		char *out, size_t outsz)
{
	char ll[16] = "off";

	if (plan->ll != NULL)
		(void)snprintf(ll, sizeof(ll), "abi%d", plan->ll->abi);
	(void)snprintf(out, outsz, "cgroup=%s landlock=%s seccomp=%s",
		       !cg->on ? "off" : cg->ctx.version == CG_V2 ? "v2" : "v1", ll,
		       plan->seccomp ? sc_network_name(plan->net) : "off");
}
