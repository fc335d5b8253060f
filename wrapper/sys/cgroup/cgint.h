/* cgint.h - shared by the files of the cgroup module (wrapper/sys/cgroup/), not
 * part of its interface (../cgroup.h).
 *
 *   cgfs.c      cgroupfs I/O on directory descriptors, timing helpers
 *   discover.c  libcgroup: where each controller is mounted, its version
 *   place.c     the cgroup parent: placement checks, creation (cg_open)
 *   limits.c    tenant cgroups and request leaves: create, limit, attach,
 *               remove
 *   kill.c      emptying a leaf (cgroup.kill, pidfds, freezer)
 *   stats.c     a leaf's counters for the log record
 *   tenants.c   listing and pruning tenants' cgroups (cgijail-check) */
#ifndef CGIJAIL_CGINT_H
#define CGIJAIL_CGINT_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"

/* Directories cgijail makes are 0755 whatever the umask: the caller (the
 * web server) chose the umask, and a 0700 or 0000 cgroup would lock the
 * capability-less supervisor out of the request's cgroup. */
#define CG_DIR_MODE 0755
#define CGFS_FILE_MAX 4096


/* ---- cgfs.c -------------------------------------------------------------- */

/* Read a small cgroup file below dirfd into buf (NUL-terminated); when it
 * does not fit, buf holds the first size-1 bytes.  Returns the length, or
 * -1 with errno. */
ssize_t cgfs_read(int dirfd, const char *file, char *buf, size_t size);
/* One write(2) of value (cgroup files take one value per write).  Returns
 * 0, or -1 with errno. */
int cgfs_write(int dirfd, const char *file, const char *value);
/* openat(O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC). */
int cgfs_open_dir(int dirfd, const char *name);
/* An existing directory of ours: chmod 0755 unless it is. */
int cgfs_fix_mode(int fd);
/* rmdir name below dirfd; ENOENT is fine.  With retry, EBUSY (a leaf whose
 * last process is still exiting) is retried for up to 100 ms. */
int cgfs_rmdir(int dirfd, const char *name, bool retry);
/* Close *fd if open and set it to -1. */
void cgfs_close(int *fd);
void cg_sleep_us(long us);
long cg_now_ms(void);   /* CLOCK_MONOTONIC */
/* Polling interval: 50 us, doubling up to 2 ms; returns the current one. */
long cg_backoff(long *us);
/* A rule failed on data (err.h): *reason = why, errno = e; returns -1. */
int cg_refuse(const char **reason, const char *why, int e);

/* ---- discover.c ---------------------------------------------------------- */

/* Where memory, pids, cpu and freezer are mounted and on which version;
 * memory and pids are required, on one version.  With cache_dir (the
 * run directory): the answer of an earlier request, kept in
 * <cache_dir>/cgroup.mounts, when it is there and every mount it names is
 * still a cgroup file system of its version (*cached says so); otherwise
 * libcgroup's (always with fresh), written there for the next request.  A wrong cached answer
 * fails closed: the limit files it leads to are missing, the request is
 * refused, and the caller retries with libcgroup (cg_open_cached). */
int cg_discover(struct cg_mount m[CG_NCTRL], const char *cache_dir, bool fresh,
		bool *cached, const char **reason);
/* Open the hierarchy root of controller c into ctx, or add c to the
 * hierarchy it shares with one opened before. */
int cg_add_hier(struct cg_ctx *ctx, int c, const struct cg_mount *m,
		const char **reason);

/* ---- kill.c, stats.c ---------------------------------------------------- */

/* Processes in the leaf (all its hierarchies), or -1 with errno. */
int cg_leaf_count(const struct cg_leaf *leaf);
/* Where this request's counters start: the peak memory reset (v1
 * max_usage_in_bytes, v2 memory.peak through leaf->peak_fd where the kernel
 * (>= 6.12) resets it; a new leaf's needs no reset), the cumulative
 * counters read into leaf->base.  fresh: the leaf was just made. */
void cg_leaf_baseline(struct cg_leaf *leaf, bool fresh);

/* ---- limits.c ------------------------------------------------------------ */

/* v2: make sure the controllers in mask are enabled in dirfd's
 * cgroup.subtree_control. */
int cg_enable_subtree(int dirfd, unsigned mask, const char **reason);

#endif
