/* sandbox.h - the script's side of one request, after the fork.
 *
 * sb_child() is the child process of supervise.c and never returns.  Its
 * steps, in this order (the reasoning of minijail and systemd: ids before
 * seccomp so the filter need not allow set*id/capset; no_new_privs before
 * Landlock; seccomp last, so every step before it may use any syscall):
 *
 *   1. attach to the request's cgroup leaf    (still root)
 *   2. own process group                      (no-cgroup kill fallback)
 *   3. proc_drop_privileges()                 ids, groups, capabilities,
 *                                             securebits, no_new_privs
 *   4. PR_SET_PDEATHSIG SIGKILL               set after the id switch,
 *                                             which clears it; the parent
 *                                             must still be the supervisor
 *   5. rlimits (rlimits.c)
 *   6. signal mask emptied
 *   7. Landlock (landlock.c), as the target user
 *   8. seccomp (seccomp.c)
 *   9. proc_exec(): fchdir, umask, execve
 *
 * Failures are reported to the supervisor on the status pipe (one message,
 * "E<exit status> <reason>"), which also carries notes of best-effort steps
 * that were skipped ("N<note>"); the pipe is close-on-exec, so the
 * supervisor reads EOF exactly when the execve succeeded. */
#ifndef CGIJAIL_SANDBOX_H
#define CGIJAIL_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "ids.h"
#include "llrules.h"
#include "policy.h"
#include "rlimits.h"
#include "seccomp.h"

#define SB_MSG_MAX 512
#define SB_NOTE_MAX 768

/* The supervisor's side, before the fork, as root (in main.c's order):
 *   sb_tmpdir()    <state_dir>/tmp/<user>: root-owned parents, the tenant's
 *                  own 0700 directory; TMPDIR points there
 *   sb_landlock()  the request's Landlock ruleset (llrules.c, pure) for the
 *                  kernel's ABI
 *   sb_cgroup()    <parent>/<user> with [tenant] limits, then the leaf
 *                  s<slot> with [limits] (cgroup.c); required / best-effort
 *   sb_plan()      everything sb_child() needs
 * Each returns 0, or -1 with *reason: the request is refused (after
 * sb_cgroup_release() when a leaf exists). */
struct sb_plan;

struct sb_cgroup {
	bool on;
	struct cg_ctx ctx;
	struct cg_tenant tenant;
	struct cg_leaf leaf;
};

int sb_tmpdir(const char *state_dir, const char *user, uid_t uid, gid_t gid,
	      char *out, size_t outsz, const char **reason);

/* ll is NULL-ed when landlock = off, or when best-effort and the kernel has
 * no Landlock (a note says so). */
int sb_landlock(const struct policy *p, const char *home, const char *tenant_root,
		const char *tmpdir, struct ll_ruleset *rs, const struct ll_ruleset **ll,
		char *notes, size_t notesz, const char **reason);

int sb_cgroup(const struct policy *p, const char *user, unsigned slot,
	      struct sb_cgroup *cg, char *notes, size_t notesz,
	      const char **reason);

/* Remove the leaf (when the request is refused before the fork). */
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

/* Runs steps 1-9 in the forked child; status_fd is the pipe's write end
 * (O_CLOEXEC), supervisor the parent's pid. */
_Noreturn void sb_child(const struct sb_plan *plan, int status_fd,
			pid_t supervisor);

#endif
