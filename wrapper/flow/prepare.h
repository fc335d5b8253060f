/* prepare.h - the sandbox of one request, made ready before the fork while
 * the process is still root: the tenant's TMPDIR, the Landlock ruleset, the
 * tenant's cgroup and the request's leaf, and the plan that the child
 * (confine.h) carries out.  main.c has the order of the steps. */
#ifndef CGIJAIL_PREPARE_H
#define CGIJAIL_PREPARE_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "ids.h"
#include "llrules.h"
#include "policy.h"
#include "rlplan.h"
#include "scnet.h"

#define SB_MSG_MAX 512
#define SB_NOTE_MAX 768

/* Each step below runs as root before the fork, in main.c's order:
 *   sb_tmpdir()    <state_dir>/tmp/<user>: root-owned parents, the tenant's
 *                  own 0700 directory, a tmpfs of [tenant] tmp_size
 *                  mounted on it (unless tmp_size = none); TMPDIR points
 *                  there
 *   sb_landlock()  the request's Landlock ruleset (llrules.c, pure) for the
 *                  kernel's ABI
 *   sb_cgroup()    <parent>/<user> with [tenant] limits, then the leaf
 *                  s<slot> with [limits] (sys/cgroup.h); required / best-effort
 *   sb_plan_fill() everything confine_exec() needs
 * Each returns 0, or -1 with *reason: the request is refused (after
 * sb_cgroup_release() when a leaf exists). */
struct sb_plan;

struct sb_cgroup {
	bool on;
	struct cg_ctx ctx;
	struct cg_tenant tenant;
	struct cg_leaf leaf;
};

/* With t->tmp_size the directory is a tmpfs of that size (sys/tmpfs.h);
 * notes gets a note when the mounted one keeps its earlier limits. */
int sb_tmpdir(const char *state_dir, const struct policy_tenant *t, const char *user,
	      uid_t uid, gid_t gid, char *out, size_t outsz, char *notes, size_t notesz,
	      const char **reason);

/* ll is NULL-ed when landlock = off, or when best-effort and the kernel has
 * no Landlock (a note says so). */
int sb_landlock(const struct policy *p, const char *home, const char *tenant_root,
		const char *tmpdir, struct ll_ruleset *rs, const struct ll_ruleset **ll,
		char *notes, size_t notesz, const char **reason);

/* run_dir keeps libcgroup's discovery for the next request
 * (cg_open_cached); a cached answer that fails is asked again. */
int sb_cgroup(const struct policy *p, const char *run_dir, const char *user,
	      unsigned slot, struct sb_cgroup *cg, char *notes, size_t notesz,
	      const char **reason);

/* Close the leaf (when the request is refused before the fork); the
 * slot keeps it. */
void sb_cgroup_release(struct sb_cgroup *cg);

/* "cgroup=v2 landlock=abi7 seccomp=unix-only" */
void sb_summary(const struct sb_plan *plan, const struct sb_cgroup *cg,
		char *out, size_t outsz);

struct sb_plan {
	const struct cg_leaf *leaf;          /* NULL: no cgroup */
	enum policy_level cgroup;
	const struct identity *tgt;
	gid_t gid;
	struct rl_item rl[RL_MAX];
	size_t nrl;
	const struct ll_ruleset *ll;         /* NULL: landlock = off */
	enum policy_level landlock;
	bool seccomp;
	enum sc_network net;
	int dirfd;                           /* the script's directory */
	mode_t umask;
	const char *interpreter;
	char **argv;
	char **envp;
};

void sb_plan_fill(struct sb_plan *plan, const struct policy *p,
		  const struct sb_cgroup *cg, const struct ll_ruleset *ll,
		  const struct identity *tgt, gid_t gid, int dirfd,
		  char **argv, char **envp);

#endif
