/* cgroup.h - per-tenant and per-request cgroups (wrapper/sys/cgroup/; its
 * files and what each does are listed in cgroup/cgint.h).
 *
 * Who calls what (docs/cgroups.md has the placement and the reasoning):
 *
 *   wrapper, root, before forking the script:
 *     cg_open("/<cgroup_parent>", CG_OPEN_CREATE, &ctx, &why)
 *         libcgroup discovers where memory, pids, cpu (and on v1 freezer)
 *         are mounted and which cgroup version they are; the parent is
 *         opened (and created, root-owned 0755) below each hierarchy root.
 *     cg_tenant(&ctx, user, &tenant_limits, &t, &why)
 *         <parent>/<user>, created if missing (idempotent), its limits
 *         (memory, tasks, cpu quota) written only when they differ.
 *     cg_leaf_create(&ctx, &t, "s<k>", &request_limits, &leaf, &why)
 *         <parent>/<user>/s<k>, k = the concurrency slot the supervisor
 *         holds a flock on, made by the slot's first request and kept for
 *         the next (mkdir and rmdir of a memory cgroup take global locks
 *         and leave offline memory cgroups behind).  Because the slot lock
 *         is exclusive, a process found in it belongs to a supervisor that
 *         died: it is killed (cg_leaf_kill) and leaf.reclaimed says so (the
 *         caller logs it).  The limits are written when they differ, and
 *         the counters of the request start from here.
 *   the forked child, still root, before dropping ids:
 *     cg_leaf_attach(&leaf, &why); cg_leaf_close(&leaf)
 *         (cgroup v1, or v2 before 5.7; on v2 the clone places the child)
 *         v1: the memory, pids and freezer leaves, and the tenant cgroup
 *         in the cpu hierarchy (the quota is per tenant); v2: the leaf.
 *   the supervisor (uid 0, no capability but CAP_KILL; it works because it
 *   owns the root-owned cgroup files and directories):
 *     cg_leaf_stats(), cg_leaf_kill(), cg_leaf_close()
 *         It may cg_close(&ctx) first (the parent's descriptors), but ctx
 *         must stay allocated and t open: leaves point at them.
 *
 * Directories cgijail creates are mode 0755 whatever the caller's umask
 * (cgroupfs applies it; a 0000 leaf would lock the supervisor out).
 *
 * Placement rules enforced by cg_open:
 *   - the parent is absolute below every hierarchy's root, every component
 *     a valid name, never "/" itself; every directory from the hierarchy
 *     root down to it is root-owned and not group/other writable;
 *   - v2 under systemd (/run/systemd/system exists): nothing is created or
 *     written outside a subtree systemd delegated: the parent or one of its
 *     ancestors must carry the "trusted.delegate" (or "user.delegate")
 *     xattr "1" that systemd sets on the cgroup of a Delegate=yes unit
 *     (packaging/systemd/cgijail.service);
 *   - v1 under systemd: no component may look like a unit (.slice,
 *     .service, .scope): cgijail's tree lives beside systemd's, at each
 *     hierarchy root;
 *   - v2: controllers are enabled (cgroup.subtree_control) only in
 *     directories cgijail created, in the delegated subtree and in the
 *     parent itself; memory and pids must be available in the parent, cpu
 *     is used when available (a tenant cpu limit without it fails).
 *
 * Every function returns 0 or -1 with *reason set as err.h describes (a
 * failed system call's errno is named in it, and errno keeps its value);
 * nothing is printed (the libcgroup logger is switched off).  Not
 * thread-safe (static buffers). */
#ifndef CGIJAIL_CGROUP_H
#define CGIJAIL_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cglimits.h"

#define CG_MAX_HIER CG_NCTRL /* at most one hierarchy per controller */
#define CG_NAME_MAX 40       /* a tenant directory or leaf name, NUL included */
#define CG_PATH_MAX 512      /* the parent path, NUL included */
/* How long cg_leaf_create waits for a stale leaf to empty. */
#define CG_RECLAIM_TIMEOUT_MS 2000

/* cg_open flags */
#define CG_OPEN_CREATE 1u /* mkdir missing components of the parent */
#define CG_OPEN_FRESH 2u  /* cg_open_cached: ask libcgroup, rewrite the cache */

struct cg_hier {
	unsigned ctrls;   /* CG_BIT(c) for each controller used in this hierarchy */
	int root_fd;      /* the hierarchy's root (its mount point), O_PATH */
	int fd;           /* the parent, O_RDONLY | O_DIRECTORY */
};

struct cg_ctx {
	enum cg_version version;
	bool systemd;                   /* /run/systemd/system exists */
	unsigned nh;                    /* hierarchies in h[] */
	unsigned ctrls;                 /* union of h[].ctrls */
	struct cg_hier h[CG_MAX_HIER];
	char parent[CG_PATH_MAX];       /* below each root, without the leading '/' */
	unsigned created;               /* trailing components cg_open created */
	bool cached;                    /* the mounts came from the run
	                                   directory's cache (cg_open_cached) */
};

struct cg_tenant {
	const struct cg_ctx *ctx;
	char name[CG_NAME_MAX];         /* the directory: the user, escaped */
	int fd[CG_MAX_HIER];            /* per ctx->h[i] */
};

#define CG_UNKNOWN UINT64_MAX
struct cg_stats {                       /* CG_UNKNOWN when not available */
	uint64_t memory_peak;           /* bytes since the request began: v2
	                                   memory.peak reset through an fd
	                                   (>= 6.12) or of a new leaf (older
	                                   kernels: unknown for a kept leaf);
	                                   v1 memsw.max_usage, else max_usage,
	                                   reset at the start */
	uint64_t cpu_usec;              /* v2 cpu.stat usage_usec; v1: unknown
	                                   (no per-request cpuacct leaf) */
	uint64_t oom_kills;             /* memory.events / memory.oom_control */
	uint64_t pids_max_hits;         /* pids.events "max": forks refused */
};

struct cg_leaf {
	const struct cg_ctx *ctx;
	const struct cg_tenant *tenant;
	char name[CG_NAME_MAX];
	int fd[CG_MAX_HIER];            /* -1: no leaf in that hierarchy */
	unsigned reclaimed;             /* processes of a dead supervisor killed */
	int peak_fd;                    /* v2: memory.peak reset for this
	                                   request, or -1 */
	enum cg_peak {
		CG_PEAK_NONE,           /* unknown: wait4's ru_maxrss instead */
		CG_PEAK_FD,             /* v2 >= 6.12: memory.peak reset via fd */
		CG_PEAK_V2_NEW,         /* v2, a new leaf: memory.peak as is */
		CG_PEAK_MEMSW,          /* v1: memsw.max_usage_in_bytes, reset */
		CG_PEAK_MEM,            /* v1: max_usage_in_bytes, reset */
	} peak;                         /* where this request's peak is read */
	struct cg_stats base;           /* the cumulative counters at the start */
};

/* parent: "/cgijail" (the policy's cgroup_parent with a leading '/').
 * Returns 0 with every hierarchy's parent open, or -1 (nothing is left
 * open; directories already created are left in place). */
int cg_open(const char *parent, unsigned flags, struct cg_ctx *ctx,
	    const char **reason);
/* cg_open with the mounts libcgroup found for an earlier request, kept in
 * <cache_dir>/cgroup.mounts (the run directory) while they are still
 * cgroup file systems; ctx->cached says so.  When a request then fails on
 * its cgroups, the caller opens again with cg_open(), which asks libcgroup
 * and rewrites the cache. */
int cg_open_cached(const char *parent, unsigned flags, const char *cache_dir,
		   struct cg_ctx *ctx, const char **reason);
/* Close the parent and root descriptors (idempotent). */
void cg_close(struct cg_ctx *ctx);
/* Tests and tooling: close the parent, rmdir it and then up to levels-1
 * of its ancestors, stopping quietly at the first ancestor still in use
 * (EBUSY) or gone.  A busy or failing parent itself is an error. */
int cg_remove_parent(struct cg_ctx *ctx, unsigned levels, const char **reason);

/* user must pass name_is_valid(); limits: memory, tasks, cpu_percent. */
int cg_tenant(const struct cg_ctx *ctx, const char *user,
	      const struct cg_limits *limits, struct cg_tenant *t,
	      const char **reason);
void cg_tenant_close(struct cg_tenant *t);
/* Tests and tooling: rmdir the tenant's cgroups (fails while a leaf
 * exists) and close its descriptors. */
int cg_tenant_remove(struct cg_tenant *t, const char **reason);

/* cgijail-check: every tenant with a directory below the parent, by user
 * name (fn may be called for a name once per hierarchy). */
int cg_tenant_list(const struct cg_ctx *ctx,
		   void (*fn)(void *c, const char *user), void *c,
		   const char **reason);
/* cgijail-check prune: remove user's tenant cgroup and every leaf below it
 * in every hierarchy, only when no process is in any of them.  Returns 0
 * (removed, or there was none), 1 (a process is in them: nothing removed)
 * or -1. */
int cg_tenant_prune(const struct cg_ctx *ctx, const char *user,
		    const char **reason);

/* Limits: memory (swap included) and tasks; cpu_percent is ignored (a
 * tenant limit).  See above for a kept leaf. */
int cg_leaf_create(const struct cg_ctx *ctx, const struct cg_tenant *t,
		   const char *name, const struct cg_limits *limits, unsigned keep,
		   struct cg_leaf *leaf, const char **reason);
/* keep: 0, or for a warm request 2: up to two processes found in a kept
 * leaf may be the slot's zygote and its spare (docs/warm-mode.md; the
 * supervisor checks that one is the zygote) and stay; more are reclaimed
 * as above. */

/* The processes the leaf holds when every hierarchy lists the same ones and
 * at most max of them: their number (0 when empty), the pids in out[];
 * -1 otherwise (more, hierarchies that differ, cgroup.procs unreadable). */
int cg_leaf_list(const struct cg_leaf *leaf, pid_t *out, int max);
/* The one process every hierarchy of the leaf holds, or 0 (none, more than
 * one, different ones, or cgroup.procs unreadable). */
pid_t cg_leaf_single(const struct cg_leaf *leaf);
/* Move the calling process, which must be single-threaded, into the
 * request's cgroups (every hierarchy). */
int cg_leaf_attach(const struct cg_leaf *leaf, const char **reason);
/* v2: the leaf's descriptor for clone3's cgroup field (CLONE_INTO_CGROUP,
 * >= 5.7); -1 on v1.  Owned by the leaf. */
int cg_leaf_clone_fd(const struct cg_leaf *leaf);
/* Kill everything in the leaf and wait until it is empty, at most
 * timeout_ms.  An empty leaf (the script has exited) costs one read per
 * hierarchy.  v2: cgroup.kill (>= 5.14) then "populated 0" in
 * cgroup.events.  v1 (and v2 before 5.14): first one round of SIGKILL
 * through a pidfd for every pid cgroup.procs lists twice, 5 ms for them
 * to exit; if anything is left (processes forking while being killed),
 * rounds of FROZEN, SIGKILL every listed pid, THAWED on the freezer
 * hierarchy (the plain rounds again without it) until empty.  The freezer
 * is not the first round because its two writes cost ~8 ms here.
 * Returns 0 when empty, -1 (timeout or error; the freezer is left
 * THAWED). */
int cg_leaf_kill(const struct cg_leaf *leaf, int timeout_ms, const char **reason);
int cg_leaf_stats(const struct cg_leaf *leaf, struct cg_stats *st,
		  const char **reason);
/* rmdir in each hierarchy (EBUSY retried for up to 100 ms), closes the
 * descriptors.  The leaf must be empty (cg_leaf_kill).  Tests and tooling:
 * a request keeps its slot's leaf (cg_leaf_close). */
int cg_leaf_remove(struct cg_leaf *leaf, const char **reason);
/* Close the leaf's descriptors without removing anything. */
void cg_leaf_close(struct cg_leaf *leaf);

#endif
