/* cgroup.c - see cgroup.h.  Pure parts live in cglimits.c.
 *
 * libcgroup does the discovery (where each controller is mounted, which
 * cgroup version it is); everything per request is raw cgroupfs I/O on
 * directory descriptors (libcgroup's create/attach/delete cost 1.5-2 ms a
 * request, see /work/shared/REFERENCE.md and docs/cgroups.md).
 *
 * Syscalls, in the order they are made:
 *   cg_open:        madvise(MADV_POPULATE_WRITE) of libcgroup's mount table;
 *                   libcgroup: cgroup_init() (reads /proc/self/mounts), mount
 *                   point and version per controller; access(/run/systemd/system);
 *                   per hierarchy: open(mount, O_PATH), fstat, fstatfs (a cgroup
 *                   file system of that version); then per path component:
 *                   fgetxattr(trusted.delegate, user.delegate) (v2 + systemd),
 *                   fstat (root-owned, not group/other writable), openat(O_NOFOLLOW),
 *                   on ENOENT: [v2: read/write cgroup.subtree_control above]
 *                   mkdirat(0755), openat, fstat [fchmod 0755: the caller's
 *                   umask applies on cgroupfs]; then v1 memory: read [write]
 *                   memory.use_hierarchy; v2: read cgroup.controllers, read
 *                   [write] cgroup.subtree_control.
 *   cg_tenant:      per hierarchy: mkdirat (EEXIST is fine), openat, fstat
 *                   [fchmod], per limit file: read [write]; v2: read [write]
 *                   cgroup.subtree_control.
 *   cg_leaf_create: per leaf hierarchy: mkdirat; on EEXIST (stale): openat,
 *                   cg_leaf_kill, cg_leaf_remove, mkdirat again; openat,
 *                   fchmod 0755, limit writes.
 *   cg_leaf_attach: write(cgroup.procs) per hierarchy.
 *   cg_leaf_kill:   v2: write cgroup.kill, pread+poll cgroup.events.
 *                   v1/fallback, per round until empty: read cgroup.procs of
 *                   each leaf; [rounds after the first, with the freezer:
 *                   freezer.state FROZEN, read until FROZEN]; read cgroup.procs,
 *                   pidfd_open each pid, read cgroup.procs again,
 *                   pidfd_send_signal(SIGKILL) each pid listed both times,
 *                   close; [freezer.state THAWED]; read cgroup.procs until
 *                   empty (nanosleep backoff).
 *   cg_leaf_stats:  reads.
 *   cg_leaf_remove: unlinkat(AT_REMOVEDIR), EBUSY retried.
 * Descriptors are O_CLOEXEC; files are opened with O_NOFOLLOW. */
#include "cgroup.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <libcgroup.h>

#include "strutil.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* libcgroup exports cgroup_get_controller_version() since 2.0 (symbol
 * version CGROUP_2.0) but declares it in <libcgroup/groups.h> only from
 * 3.0 on, with an enum out-parameter (CGROUP_UNK 0, CGROUP_V1 1,
 * CGROUP_V2 2).  A prototype of our own, bound to the same symbol, builds
 * against both. */
extern int cgj_controller_version(const char *controller, int *version)
	__asm__("cgroup_get_controller_version");
enum { LCG_V1 = 1, LCG_V2 = 2 };

static const char *const ctrl_name[CG_NCTRL] = { "memory", "pids", "cpu", "freezer" };

#define CG_FILE_MAX 4096
#define MAXP 1024 /* pids signalled per round */

/* ---- small helpers ------------------------------------------------------- */

/* Read a small cgroup file below dirfd into buf (NUL-terminated); when it
 * does not fit, buf holds the first size-1 bytes.  Returns the length or -1. */
static ssize_t read_at(int dirfd, const char *file, char *buf, size_t size)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = 0;

	if (fd < 0)
		return -1;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			(void)close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (close(fd) != 0)
		return -1;
	return (ssize_t)len;
}

/* One write(2) of value: cgroup files take one value per write. */
static int write_at(int dirfd, const char *file, const char *value)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? errno : EIO;

		(void)close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000L, .tv_nsec = (us % 1000000L) * 1000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Polling interval: 50 us, doubling up to 2 ms. */
static long backoff(long *us)
{
	long cur = *us;

	*us = cur >= 1000 ? 2000 : cur * 2;
	return cur;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

static int open_dir(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Directories cgijail makes are 0755 whatever the umask: the caller (the
 * web server) chose the umask, and a 0700 or 0000 cgroup would lock the
 * capability-less supervisor out of the request's cgroup. */
#define CG_DIR_MODE 0755

/* An existing directory of ours: repair its mode if it is not 0755. */
static int fix_mode(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	if ((st.st_mode & 07777) == CG_DIR_MODE)
		return 0;
	return fchmod(fd, CG_DIR_MODE);
}

static int fail(const char **reason, const char *why, int err)
{
	*reason = why;
	errno = err;
	return -1;
}

/* ---- limits -------------------------------------------------------------- */

static int apply_one(int dirfd, const struct cg_setting *s, bool only_changed)
{
	if (only_changed) {
		char cur[CG_VALUE_MAX * 2];

		if (read_at(dirfd, s->file, cur, sizeof cur) < 0)
			return (errno == ENOENT && s->optional) ? 0 : -1;
		if (cgl_same_value(s->file, cur, s->value))
			return 0;
	}
	if (write_at(dirfd, s->file, s->value) != 0)
		return (errno == ENOENT && s->optional) ? 0 : -1;
	return 0;
}

/* Write the settings of controller c.  v1 memory: memsw.limit >= limit at
 * every moment, so when raising (EINVAL on the first write) memsw goes
 * first. */
static int apply_limits(enum cg_version v, int dirfd, enum cg_ctrl c,
			const struct cg_limits *l, bool only_changed,
			const char **reason)
{
	struct cg_setting s[CG_SETTINGS_MAX];
	int n = cgl_format(v, c, l, s);

	if (n < 0)
		return fail(reason, "cgroup limit out of range", EINVAL);
	for (int i = 0; i < n; i++) {
		if (apply_one(dirfd, &s[i], only_changed) == 0)
			continue;
		if (v == CG_V1 && c == CG_MEMORY && i == 0 && n == 2 &&
		    errno == EINVAL && apply_one(dirfd, &s[1], only_changed) == 0 &&
		    apply_one(dirfd, &s[0], only_changed) == 0)
			return 0;
		*reason = "cannot write a cgroup limit";
		return -1;
	}
	return 0;
}

/* v2: make sure the controllers in mask are enabled in dirfd's
 * cgroup.subtree_control. */
static int enable_subtree(int dirfd, unsigned mask, const char **reason)
{
	char cur[512], want[64] = "";
	size_t len = 0;

	if (read_at(dirfd, "cgroup.subtree_control", cur, sizeof cur) < 0) {
		*reason = "cannot read cgroup.subtree_control";
		return -1;
	}
	for (int c = 0; c < CG_NCTRL; c++) {
		int n;

		if (!(mask & CG_BIT(c)) || cgl_has_word(cur, ctrl_name[c]))
			continue;
		n = snprintf(want + len, sizeof want - len, "%s+%s",
			     len ? " " : "", ctrl_name[c]);
		if (n < 0 || (size_t)n >= sizeof want - len)
			return fail(reason, "internal: subtree_control buffer", EOVERFLOW);
		len += (size_t)n;
	}
	if (len == 0)
		return 0;
	if (write_at(dirfd, "cgroup.subtree_control", want) != 0) {
		*reason = errno == EBUSY ?
			"cannot enable cgroup controllers: the cgroup has processes of its own (no internal processes rule)" :
			"cannot enable cgroup controllers in cgroup.subtree_control";
		return -1;
	}
	return 0;
}

/* ---- cg_open ------------------------------------------------------------- */

/* v2 under systemd: did systemd mark this cgroup as delegated? */
static bool is_delegated(int dirfd)
{
	static const char *const names[] = { "trusted.delegate", "user.delegate" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char v[8];
		ssize_t n = fgetxattr(dirfd, names[i], v, sizeof v);

		if (n == 1 && v[0] == '1')
			return true;
	}
	return false;
}

/* Root-owned, a directory, not writable by group or other. */
static bool safe_dir(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	       (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Open (and with CG_OPEN_CREATE make) ctx->parent below h->root_fd into
 * h->fd.  want: the v2 controllers a directory cgijail creates must hand
 * down. */
static int walk_parent(struct cg_ctx *ctx, struct cg_hier *h, unsigned flags,
		       unsigned want, const char **reason)
{
	bool v2sd = ctx->version == CG_V2 && ctx->systemd;
	bool delegated = !v2sd; /* may we create and write here? */
	bool ours = false;      /* may we write this directory's subtree_control? */
	unsigned ncomp = 0, depth = 0;
	int dfd = openat(h->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return fail(reason, "cannot open a cgroup hierarchy root", errno);
	for (const char *p = ctx->parent; *p != '\0'; ncomp++)
		(void)path_component(p, &p);
	for (const char *p = ctx->parent; *p != '\0'; depth++) {
		char comp[CG_NAME_MAX + 32];
		const char *next;
		size_t len = path_component(p, &next);
		int nfd;

		if (len >= sizeof comp) {
			(void)close(dfd);
			return fail(reason, "cgroup parent component too long", ENAMETOOLONG);
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (!delegated && is_delegated(dfd))
			delegated = ours = true;
		if (!safe_dir(dfd)) {
			(void)close(dfd);
			return fail(reason, "a directory above the cgroup parent is not root-owned or is group/other writable", EPERM);
		}
		nfd = open_dir(dfd, comp);
		if (nfd < 0 && errno == ENOENT && (flags & CG_OPEN_CREATE)) {
			if (!delegated) {
				(void)close(dfd);
				return fail(reason, "cgroup parent is not in a subtree systemd delegated (Delegate=yes): refusing to create cgroups in systemd's tree", EPERM);
			}
			if (ctx->version == CG_V2 && ours &&
			    enable_subtree(dfd, want, reason) != 0) {
				int e = errno;

				(void)close(dfd);
				errno = e;
				return -1;
			}
			if (mkdirat(dfd, comp, CG_DIR_MODE) == 0) {
				if (ncomp - depth > ctx->created)
					ctx->created = ncomp - depth;
			} else if (errno != EEXIST) {
				int e = errno;

				(void)close(dfd);
				return fail(reason, "cannot create the cgroup parent", e);
			}
			ours = true;
			nfd = open_dir(dfd, comp);
			if (nfd >= 0 && fix_mode(nfd) != 0) {
				int e = errno;

				(void)close(nfd);
				(void)close(dfd);
				return fail(reason, "cannot set the mode of the cgroup parent", e);
			}
		}
		if (nfd < 0) {
			int e = errno;

			(void)close(dfd);
			return fail(reason, "cannot open the cgroup parent", e);
		}
		(void)close(dfd);
		dfd = nfd;
		p = next;
	}
	if (!delegated && is_delegated(dfd))
		delegated = true;
	if (!delegated) {
		(void)close(dfd);
		return fail(reason, "cgroup parent is not in a subtree systemd delegated (Delegate=yes): refusing to write into systemd's cgroups", EPERM);
	}
	if (!safe_dir(dfd)) {
		(void)close(dfd);
		return fail(reason, "the cgroup parent is not root-owned or is group/other writable", EPERM);
	}
	if (fix_mode(dfd) != 0) {
		int e = errno;

		(void)close(dfd);
		return fail(reason, "cannot set the mode of the cgroup parent", e);
	}
	h->fd = dfd;
	return 0;
}

/* v1 memory: tenant limits bind their leaves only with use_hierarchy (always
 * on since Linux 5.x; older kernels default to 0). */
static int v1_use_hierarchy(int dirfd, const char **reason)
{
	char cur[16];

	if (read_at(dirfd, "memory.use_hierarchy", cur, sizeof cur) < 0)
		return errno == ENOENT ? 0 : fail(reason, "cannot read memory.use_hierarchy", errno);
	if (cur[0] == '1')
		return 0;
	if (write_at(dirfd, "memory.use_hierarchy", "1") != 0)
		return fail(reason, "memory.use_hierarchy is 0 in the cgroup parent and cannot be set (it has children): tenant memory limits would not apply", errno);
	return 0;
}

/* v2: which of memory, pids, cpu the parent can hand down; memory and pids
 * are required.  Enables them in the parent. */
static int v2_controllers(struct cg_ctx *ctx, const char **reason)
{
	char avail[512];
	unsigned want = 0;

	if (read_at(ctx->h[0].fd, "cgroup.controllers", avail, sizeof avail) < 0)
		return fail(reason, "cannot read cgroup.controllers of the cgroup parent", errno);
	for (int c = CG_MEMORY; c <= CG_CPU; c++)
		if ((ctx->h[0].ctrls & CG_BIT(c)) && cgl_has_word(avail, ctrl_name[c]))
			want |= CG_BIT(c);
	if ((want & (CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS))) !=
	    (CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS)))
		return fail(reason, "the memory and pids controllers are not available in the cgroup parent (enable them in the cgroup.subtree_control above it)", ENOENT);
	ctx->h[0].ctrls = want;
	ctx->ctrls = want;
	return enable_subtree(ctx->h[0].fd, want, reason);
}

struct mountinfo {
	bool found;
	enum cg_version version;
	char path[PATH_MAX];
};

/* libcgroup's cgroup_init() clears its static mount table (the exported
 * symbol cg_mount_table, ~800 KB of zero-initialised data) on every call.
 * In a fresh process, which every request is, that is ~200 first-touch page
 * faults: 2.7 ms median on the development VM, where a fault costs ~10 us.
 * One madvise(MADV_POPULATE_WRITE) over the table first brings
 * cgroup_init() to ~1 ms there (docs/cgroups.md, "Cost").  Only a speed-up:
 * when the symbol, its size or MADV_POPULATE_WRITE (Linux 5.14) is missing,
 * cgroup_init() faults the pages in itself; the madvise touches nothing but
 * pages of libcgroup's own writable mapping and does not change their
 * contents.  With the static libcgroup archive the link exports the symbol
 * (CMakeLists.txt) so that dlsym finds it there too.  Returns 0 when the
 * table was populated. */
static int prefault_mount_table(void)
{
	void *table = dlsym(RTLD_DEFAULT, "cg_mount_table");
	const ElfW(Sym) *sym = NULL;
	void *extra = NULL;
	Dl_info info;
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start, end;

	if (table == NULL || page <= 0 ||
	    dladdr1(table, &info, &extra, RTLD_DL_SYMENT) == 0 || extra == NULL)
		return -1;
	sym = extra;
	if (sym->st_size == 0 || sym->st_size > (64UL << 20))
		return -1;
	start = (uintptr_t)table & ~((uintptr_t)page - 1);
	end = ((uintptr_t)table + sym->st_size + (uintptr_t)page - 1) &
	      ~((uintptr_t)page - 1);
	return madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

/* libcgroup: where is each controller mounted, which version is it. */
static int discover(struct mountinfo m[CG_NCTRL], const char **reason)
{
	int ret;

	/* Failure costs only time (see above). */
	(void)prefault_mount_table();
	/* The default logger prints to stdout: the CGI response. */
	cgroup_set_logger(NULL, CGROUP_LOG_ERROR, NULL);
	ret = cgroup_init();
	if (ret != 0) {
		int e = ret == ECGOTHER ? cgroup_get_last_errno() : ENOENT;

		return fail(reason, ret == ECGROUPNOTMOUNTED ?
			    "no cgroup hierarchy is mounted" :
			    "libcgroup: cgroup_init failed", e);
	}
	for (int c = 0; c < CG_NCTRL; c++) {
		char *mp = NULL;
		int ver = 0;

		m[c].found = false;
		ret = cgroup_get_subsys_mount_point(ctrl_name[c], &mp);
		if (ret != 0 || mp == NULL) {
			free(mp);
			if (ret == ECGROUPSUBSYSNOTMOUNTED || ret == ECGROUPNOTEXIST)
				continue;
			return fail(reason, "libcgroup: cgroup_get_subsys_mount_point failed",
				    ret == ECGOTHER ? cgroup_get_last_errno() : EIO);
		}
		if (strlen(mp) >= sizeof m[c].path) {
			free(mp);
			return fail(reason, "cgroup mount point path too long", ENAMETOOLONG);
		}
		memcpy(m[c].path, mp, strlen(mp) + 1);
		free(mp);
		ret = cgj_controller_version(ctrl_name[c], &ver);
		if (ret != 0 || (ver != LCG_V1 && ver != LCG_V2))
			return fail(reason, "libcgroup: cannot tell the cgroup version of a controller", EIO);
		m[c].version = ver == LCG_V2 ? CG_V2 : CG_V1;
		m[c].found = true;
	}
	if (!m[CG_MEMORY].found || !m[CG_PIDS].found)
		return fail(reason, "the memory and pids cgroup controllers are not both mounted", ENOENT);
	if (m[CG_MEMORY].version != m[CG_PIDS].version)
		return fail(reason, "memory and pids are not on the same cgroup version", EINVAL);
	return 0;
}

/* Open hierarchy root for controller c, or find the one it shares. */
static int add_hier(struct cg_ctx *ctx, int c, const struct mountinfo *m,
		    const char **reason)
{
	struct stat st;
	struct statfs sf;
	int fd = open(m->path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return fail(reason, "cannot open a cgroup mount point", errno);
	if (fstat(fd, &st) != 0 || fstatfs(fd, &sf) != 0) {
		int e = errno;

		(void)close(fd);
		return fail(reason, "cannot stat a cgroup mount point", e);
	}
	if ((unsigned long)sf.f_type !=
	    (m->version == CG_V2 ? (unsigned long)CGROUP2_SUPER_MAGIC :
				   (unsigned long)CGROUP_SUPER_MAGIC)) {
		(void)close(fd);
		return fail(reason, "a cgroup mount point is not the cgroup file system libcgroup says it is", EINVAL);
	}
	for (unsigned i = 0; i < ctx->nh; i++) {
		struct stat o;

		if (fstat(ctx->h[i].root_fd, &o) == 0 && o.st_dev == st.st_dev) {
			(void)close(fd);
			ctx->h[i].ctrls |= CG_BIT(c);
			return 0;
		}
	}
	ctx->h[ctx->nh].root_fd = fd;
	ctx->h[ctx->nh].ctrls = CG_BIT(c);
	ctx->nh++;
	return 0;
}

int cg_open(const char *parent, unsigned flags, struct cg_ctx *ctx,
	    const char **reason)
{
	static struct mountinfo m[CG_NCTRL];
	struct stat sd;
	unsigned want;

	memset(ctx, 0, sizeof *ctx);
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		ctx->h[i].fd = ctx->h[i].root_fd = -1;
	if (discover(m, reason) != 0)
		return -1;
	ctx->version = m[CG_MEMORY].version;
	/* sd_booted(): systemd is PID 1.  stat, not access (the real uid is
	 * the caller's). */
	ctx->systemd = stat("/run/systemd/system", &sd) == 0 && S_ISDIR(sd.st_mode);
	if (!cgroup_parent_valid(parent, ctx->systemd && ctx->version == CG_V1))
		return fail(reason, ctx->systemd && ctx->version == CG_V1 ?
			    "invalid cgroup parent (absolute, normalized, valid names; on cgroup v1 under systemd no unit names)" :
			    "invalid cgroup parent (absolute, normalized, valid names)", EINVAL);
	if (strlen(parent) >= sizeof ctx->parent)
		return fail(reason, "cgroup parent path too long", ENAMETOOLONG);
	memcpy(ctx->parent, parent + 1, strlen(parent));
	for (int c = 0; c < CG_NCTRL; c++) {
		/* v1 only: the freezer (v2 has cgroup.kill); a controller on
		 * the other version is not used. */
		if (!m[c].found || m[c].version != ctx->version ||
		    (c == CG_FREEZER && ctx->version == CG_V2))
			continue;
		if (add_hier(ctx, c, &m[c], reason) != 0)
			goto fail;
		ctx->ctrls |= CG_BIT(c);
	}
	want = CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS) | (ctx->ctrls & CG_BIT(CG_CPU));
	for (unsigned i = 0; i < ctx->nh; i++) {
		if (walk_parent(ctx, &ctx->h[i], flags, want, reason) != 0)
			goto fail;
		if (ctx->version == CG_V1 && (ctx->h[i].ctrls & CG_BIT(CG_MEMORY)) &&
		    v1_use_hierarchy(ctx->h[i].fd, reason) != 0)
			goto fail;
	}
	if (ctx->version == CG_V2 && v2_controllers(ctx, reason) != 0)
		goto fail;
	return 0;
fail:;
	int e = errno;

	cg_close(ctx);
	errno = e;
	return -1;
}

void cg_close(struct cg_ctx *ctx)
{
	for (unsigned i = 0; i < CG_MAX_HIER; i++) {
		close_fd(&ctx->h[i].fd);
		close_fd(&ctx->h[i].root_fd);
	}
}

/* rmdir name below dirfd; ENOENT is fine.  With retry, EBUSY (a leaf whose
 * last process is still exiting) is retried for up to 100 ms. */
static int rmdir_at(int dirfd, const char *name, bool retry)
{
	long deadline = now_ms() + 100, us = 50;

	for (;;) {
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (!retry || errno != EBUSY || now_ms() >= deadline)
			return -1;
		sleep_us(backoff(&us));
	}
}

int cg_remove_parent(struct cg_ctx *ctx, unsigned levels, const char **reason)
{
	int ret = 0;

	for (unsigned i = 0; i < ctx->nh; i++) {
		char path[CG_PATH_MAX];

		close_fd(&ctx->h[i].fd);
		if (ctx->h[i].root_fd < 0)
			continue;
		memcpy(path, ctx->parent, sizeof path);
		for (unsigned l = 0; l < levels && path[0] != '\0'; l++) {
			char *slash;

			if (rmdir_at(ctx->h[i].root_fd, path, l == 0) != 0) {
				if (l > 0 && (errno == EBUSY || errno == ENOTEMPTY))
					break; /* an ancestor someone else uses */
				*reason = "cannot remove the cgroup parent";
				ret = -1;
				break;
			}
			slash = strrchr(path, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
		}
	}
	return ret;
}

/* ---- tenant -------------------------------------------------------------- */

int cg_tenant(const struct cg_ctx *ctx, const char *user,
	      const struct cg_limits *limits, struct cg_tenant *t,
	      const char **reason)
{
	t->ctx = ctx;
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		t->fd[i] = -1;
	if (cgl_tenant_dir(user, t->name, sizeof t->name) != 0)
		return fail(reason, "invalid user name for a cgroup", EINVAL);
	if (limits->cpu_percent != 0 && !(ctx->ctrls & CG_BIT(CG_CPU)))
		return fail(reason, "a tenant cpu limit is set but the cpu controller is not available", ENOENT);
	for (unsigned i = 0; i < ctx->nh; i++) {
		if (mkdirat(ctx->h[i].fd, t->name, CG_DIR_MODE) != 0 && errno != EEXIST) {
			*reason = "cannot create the tenant cgroup";
			goto fail;
		}
		t->fd[i] = open_dir(ctx->h[i].fd, t->name);
		if (t->fd[i] < 0) {
			*reason = "cannot open the tenant cgroup";
			goto fail;
		}
		if (fix_mode(t->fd[i]) != 0) {
			*reason = "cannot set the mode of the tenant cgroup";
			goto fail;
		}
		for (int c = CG_MEMORY; c <= CG_CPU; c++)
			if ((ctx->h[i].ctrls & CG_BIT(c)) &&
			    apply_limits(ctx->version, t->fd[i], (enum cg_ctrl)c,
					 limits, true, reason) != 0)
				goto fail;
		if (ctx->version == CG_V2 &&
		    enable_subtree(t->fd[i], CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS),
				   reason) != 0)
			goto fail;
	}
	return 0;
fail:;
	int e = errno;

	cg_tenant_close(t);
	errno = e;
	return -1;
}

void cg_tenant_close(struct cg_tenant *t)
{
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		close_fd(&t->fd[i]);
}

int cg_tenant_remove(struct cg_tenant *t, const char **reason)
{
	int ret = 0;

	for (unsigned i = 0; i < t->ctx->nh; i++) {
		if (t->fd[i] < 0)
			continue;
		close_fd(&t->fd[i]);
		if (t->ctx->h[i].fd < 0 || rmdir_at(t->ctx->h[i].fd, t->name, false) != 0) {
			*reason = "cannot remove the tenant cgroup";
			ret = -1;
		}
	}
	return ret;
}

/* ---- leaf ---------------------------------------------------------------- */

/* Does hierarchy i get a leaf?  v1: memory, pids and freezer are per
 * request; a hierarchy with only cpu is not (the quota is the tenant's). */
static bool has_leaf(const struct cg_ctx *ctx, unsigned i)
{
	return ctx->version == CG_V2 ||
	       (ctx->h[i].ctrls & (CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS) |
				   CG_BIT(CG_FREEZER))) != 0;
}

void cg_leaf_close(struct cg_leaf *leaf)
{
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		close_fd(&leaf->fd[i]);
}

/* Open the leaf in every leaf hierarchy where it exists. */
static int leaf_open(struct cg_leaf *leaf, const char **reason)
{
	const struct cg_ctx *ctx = leaf->ctx;

	for (unsigned i = 0; i < ctx->nh; i++) {
		if (!has_leaf(ctx, i) || leaf->fd[i] >= 0)
			continue;
		leaf->fd[i] = open_dir(leaf->tenant->fd[i], leaf->name);
		if (leaf->fd[i] < 0 && errno != ENOENT)
			return fail(reason, "cannot open the request cgroup", errno);
	}
	return 0;
}

/* mkdir the leaf everywhere.  Returns 0 (all new), 1 (some existed), -1. */
static int leaf_mkdir(struct cg_leaf *leaf, const char **reason)
{
	const struct cg_ctx *ctx = leaf->ctx;
	int existed = 0;

	for (unsigned i = 0; i < ctx->nh; i++) {
		if (!has_leaf(ctx, i))
			continue;
		if (mkdirat(leaf->tenant->fd[i], leaf->name, CG_DIR_MODE) == 0)
			continue;
		if (errno != EEXIST) {
			int e = errno;

			for (unsigned j = 0; j < i; j++)
				if (has_leaf(ctx, j))
					(void)rmdir_at(leaf->tenant->fd[j], leaf->name, false);
			return fail(reason, "cannot create the request cgroup", e);
		}
		existed = 1;
	}
	return existed;
}

int cg_leaf_create(const struct cg_ctx *ctx, const struct cg_tenant *t,
		   const char *name, const struct cg_limits *limits,
		   struct cg_leaf *leaf, const char **reason)
{
	size_t n = strlen(name);
	int r;

	leaf->ctx = ctx;
	leaf->tenant = t;
	leaf->reclaimed = 0;
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		leaf->fd[i] = -1;
	if (!name_is_valid(name) || n >= sizeof leaf->name)
		return fail(reason, "invalid request cgroup name", EINVAL);
	memcpy(leaf->name, name, n + 1);
	r = leaf_mkdir(leaf, reason);
	if (r < 0)
		return -1;
	if (r > 0) {
		/* Stale: the slot is ours (exclusive flock), so whatever is
		 * in there belongs to a supervisor that died. */
		if (leaf_open(leaf, reason) != 0 ||
		    cg_leaf_kill(leaf, CG_RECLAIM_TIMEOUT_MS, reason) != 0 ||
		    cg_leaf_remove(leaf, reason) != 0) {
			int e = errno;

			cg_leaf_close(leaf);
			errno = e;
			return -1;
		}
		leaf->reclaimed++;
		r = leaf_mkdir(leaf, reason);
		if (r != 0)
			return r < 0 ? -1 : fail(reason, "a stale request cgroup reappeared after it was removed", EEXIST);
	}
	for (unsigned i = 0; i < ctx->nh; i++) {
		if (!has_leaf(ctx, i))
			continue;
		leaf->fd[i] = open_dir(t->fd[i], name);
		if (leaf->fd[i] < 0) {
			*reason = "cannot open the request cgroup";
			goto fail;
		}
		if (fchmod(leaf->fd[i], CG_DIR_MODE) != 0) {
			*reason = "cannot set the mode of the request cgroup";
			goto fail;
		}
		for (int c = CG_MEMORY; c <= CG_PIDS; c++)
			if ((ctx->h[i].ctrls & CG_BIT(c)) &&
			    apply_limits(ctx->version, leaf->fd[i], (enum cg_ctrl)c,
					 limits, false, reason) != 0)
				goto fail;
	}
	return 0;
fail:;
	int e = errno;

	cg_leaf_close(leaf);
	for (unsigned i = 0; i < ctx->nh; i++)
		if (has_leaf(ctx, i))
			(void)rmdir_at(t->fd[i], name, false);
	errno = e;
	return -1;
}

int cg_leaf_attach(const struct cg_leaf *leaf, pid_t pid, const char **reason)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%ld", (long)pid);

	if (n < 0 || (size_t)n >= sizeof buf || pid <= 0)
		return fail(reason, "invalid pid", EINVAL);
	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		int fd = has_leaf(leaf->ctx, i) ? leaf->fd[i] : leaf->tenant->fd[i];

		if (fd < 0)
			return fail(reason, "the request cgroup is not open", EBADF);
		if (write_at(fd, "cgroup.procs", buf) != 0) {
			*reason = "cannot move the process into its cgroup";
			return -1;
		}
	}
	return 0;
}

int cg_leaf_clone_fd(const struct cg_leaf *leaf)
{
	return leaf->ctx->version == CG_V2 ? leaf->fd[0] : -1;
}

/* ---- kill ---------------------------------------------------------------- */

/* cgroup.procs of dirfd into pids[].  Returns the count (at most MAXP; a
 * longer file is cut at its last complete line) or -1. */
static int read_pids(int dirfd, pid_t *pids)
{
	static char buf[65536];
	ssize_t len = read_at(dirfd, "cgroup.procs", buf, sizeof buf);

	if (len < 0)
		return -1;
	if ((size_t)len == sizeof buf - 1) {
		char *nl = strrchr(buf, '\n');

		if (nl == NULL) {
			errno = EOVERFLOW;
			return -1;
		}
		nl[1] = '\0';
	}
	len = cgl_parse_pids(buf, pids, MAXP);
	if (len < 0)
		errno = EPROTO;
	return (int)len;
}

/* Processes left in the leaf (all leaf hierarchies), or -1. */
static int leaf_count(const struct cg_leaf *leaf)
{
	static pid_t pids[MAXP];
	int total = 0;

	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		int n;

		if (leaf->fd[i] < 0)
			continue;
		n = read_pids(leaf->fd[i], pids);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

/* SIGKILL every process cgroup.procs of dirfd lists both before and after
 * its pidfd was opened: a pid recycled in between is never hit.  Without
 * pidfds (< 5.3): kill() of every pid listed twice (a pid recycled between
 * the two reads and the kill could be hit: only on kernels that old).
 * Returns the number of pids listed first, or -1. */
static int signal_listed(int dirfd, const char **reason)
{
	static pid_t a[MAXP], b[MAXP];
	static int pfd[MAXP]; /* a pidfd, or -errno of pidfd_open */
	int na = read_pids(dirfd, a), nb, ret = 0;

	if (na <= 0)
		return na < 0 ? fail(reason, "cannot read cgroup.procs", errno) : 0;
	for (int i = 0; i < na; i++) {
		pfd[i] = (int)syscall(SYS_pidfd_open, a[i], 0);
		if (pfd[i] < 0)
			pfd[i] = -errno;
	}
	nb = read_pids(dirfd, b);
	for (int i = 0; i < na; i++) {
		bool listed = false;
		long r = 0;

		for (int j = 0; j < nb && !listed; j++)
			listed = b[j] == a[i];
		if (listed && ret == 0 && pfd[i] >= 0)
			r = syscall(SYS_pidfd_send_signal, pfd[i], SIGKILL, NULL, 0);
		else if (listed && ret == 0 && pfd[i] == -ENOSYS)
			r = kill(a[i], SIGKILL);
		if (r != 0 && errno != ESRCH)
			ret = fail(reason, errno == EPERM ?
				   "not permitted to signal the request's processes (CAP_KILL needed)" :
				   "cannot signal the request's processes", errno);
		if (pfd[i] >= 0)
			(void)close(pfd[i]);
	}
	if (nb < 0 && ret == 0)
		ret = fail(reason, "cannot read cgroup.procs", errno);
	return ret < 0 ? -1 : na;
}

/* v1 freezer: FROZEN, wait (at most 10 ms) for the state to settle, kill
 * what is listed, THAWED (SIGKILL takes effect on thaw).  Each of the two
 * writes costs ~4 ms here (measured on kernel 6.18), hence only when a
 * plain round was not enough. */
static int freeze_kill(int frz, const char **reason)
{
	char st[32];
	long until = now_ms() + 10, us = 50;
	int ret;

	if (write_at(frz, "freezer.state", "FROZEN") != 0)
		return fail(reason, "cannot write freezer.state", errno);
	while (read_at(frz, "freezer.state", st, sizeof st) >= 0 &&
	       cgl_freezer_state(st) == CGF_FREEZING && now_ms() < until)
		sleep_us(backoff(&us));
	ret = signal_listed(frz, reason) < 0 ? -1 : 0;
	if (write_at(frz, "freezer.state", "THAWED") != 0 && ret == 0)
		ret = fail(reason, "cannot write freezer.state", errno);
	return ret;
}

/* v1 (and v2 before cgroup.kill).  Round 0: SIGKILL what one hierarchy's
 * cgroup.procs lists (they all hold the same processes) and give them
 * 5 ms to go: enough unless processes fork while being killed.  Later
 * rounds, until empty or the deadline: with the freezer, FROZEN + SIGKILL +
 * THAWED, so nothing can fork or exit between the listing and the signal;
 * then (and without the freezer) every hierarchy's listing. */
static int kill_loop(const struct cg_leaf *leaf, long deadline, const char **reason)
{
	int frz = -1;

	for (unsigned i = 0; i < leaf->ctx->nh; i++)
		if ((leaf->ctx->h[i].ctrls & CG_BIT(CG_FREEZER)) && leaf->fd[i] >= 0)
			frz = leaf->fd[i];
	for (unsigned round = 0;; round++) {
		long until, us = 50;
		int n = leaf_count(leaf);

		if (n < 0)
			return fail(reason, "cannot read cgroup.procs", errno);
		if (n == 0)
			return 0;
		if (round > 0 && now_ms() >= deadline)
			return fail(reason, "processes of the request survived SIGKILL", ETIMEDOUT);
		if (round > 0 && frz >= 0 && freeze_kill(frz, reason) != 0)
			return -1;
		for (unsigned i = 0; i < leaf->ctx->nh; i++) {
			int k;

			if (leaf->fd[i] < 0 || (round > 0 && leaf->fd[i] == frz))
				continue;
			k = signal_listed(leaf->fd[i], reason);
			if (k < 0)
				return -1;
			if (round == 0 && k > 0)
				break;
		}
		/* Let the killed exit before another round. */
		until = now_ms() + (round == 0 ? 5 : 20);
		while (leaf_count(leaf) > 0 && now_ms() < until && now_ms() < deadline)
			sleep_us(backoff(&us));
	}
}

/* v2: wait until cgroup.events says "populated 0". */
static int wait_unpopulated(int dirfd, long deadline, const char **reason)
{
	int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return fail(reason, "cannot open cgroup.events", errno);
	for (;;) {
		char buf[256];
		uint64_t pop = 1;
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		long left;
		struct pollfd p = { .fd = fd, .events = POLLPRI };

		if (n < 0) {
			*reason = "cannot read cgroup.events";
			break;
		}
		buf[n] = '\0';
		if (cgl_find_key(buf, "populated", &pop) != 0) {
			*reason = "cgroup.events has no populated line";
			errno = EPROTO;
			break;
		}
		if (pop == 0)
			return close(fd) == 0 ? 0 : fail(reason, "close", errno);
		left = deadline - now_ms();
		if (left <= 0) {
			*reason = "processes of the request survived cgroup.kill";
			errno = ETIMEDOUT;
			break;
		}
		if (poll(&p, 1, (int)(left > 50 ? 50 : left)) < 0 && errno != EINTR) {
			*reason = "poll on cgroup.events failed";
			break;
		}
	}
	int e = errno;

	(void)close(fd);
	errno = e;
	return -1;
}

int cg_leaf_kill(const struct cg_leaf *leaf, int timeout_ms, const char **reason)
{
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	bool any = false;

	for (unsigned i = 0; i < leaf->ctx->nh; i++)
		any = any || leaf->fd[i] >= 0;
	if (!any)
		return fail(reason, "no request cgroup", EBADF);
	if (leaf->ctx->version == CG_V2 && leaf->fd[0] >= 0) {
		if (write_at(leaf->fd[0], "cgroup.kill", "1") == 0)
			return wait_unpopulated(leaf->fd[0], deadline, reason);
		if (errno != ENOENT)
			return fail(reason, "cannot write cgroup.kill", errno);
		/* < 5.14: no cgroup.kill */
	}
	return kill_loop(leaf, deadline, reason);
}

/* ---- stats --------------------------------------------------------------- */

static void stat_file(int dirfd, const char *file, const char *key, uint64_t *out)
{
	char buf[CG_FILE_MAX];
	uint64_t v;

	if (dirfd < 0 || read_at(dirfd, file, buf, sizeof buf) < 0)
		return;
	if (key == NULL ? cgl_parse_u64(buf, &v) == 0 : cgl_find_key(buf, key, &v) == 0)
		*out = v;
}

int cg_leaf_stats(const struct cg_leaf *leaf, struct cg_stats *st,
		  const char **reason)
{
	int mem = -1, pids = -1;

	st->memory_peak = st->cpu_usec = st->oom_kills = st->pids_max_hits = CG_UNKNOWN;
	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		if (leaf->ctx->h[i].ctrls & CG_BIT(CG_MEMORY))
			mem = leaf->fd[i];
		if (leaf->ctx->h[i].ctrls & CG_BIT(CG_PIDS))
			pids = leaf->fd[i];
	}
	if (mem < 0)
		return fail(reason, "no request cgroup", EBADF);
	if (leaf->ctx->version == CG_V2) {
		stat_file(mem, "memory.peak", NULL, &st->memory_peak);
		stat_file(mem, "cpu.stat", "usage_usec", &st->cpu_usec);
		stat_file(mem, "memory.events", "oom_kill", &st->oom_kills);
	} else {
		stat_file(mem, "memory.memsw.max_usage_in_bytes", NULL, &st->memory_peak);
		if (st->memory_peak == CG_UNKNOWN)
			stat_file(mem, "memory.max_usage_in_bytes", NULL, &st->memory_peak);
		stat_file(mem, "memory.oom_control", "oom_kill", &st->oom_kills);
	}
	stat_file(pids, "pids.events", "max", &st->pids_max_hits);
	return 0;
}

int cg_leaf_remove(struct cg_leaf *leaf, const char **reason)
{
	int ret = 0;

	for (unsigned i = 0; i < CG_MAX_HIER; i++) {
		if (leaf->fd[i] < 0)
			continue;
		close_fd(&leaf->fd[i]);
		if (rmdir_at(leaf->tenant->fd[i], leaf->name, true) != 0 && ret == 0)
			ret = fail(reason, errno == EBUSY ?
				   "cannot remove the request cgroup: processes are left in it" :
				   "cannot remove the request cgroup", errno);
	}
	return ret;
}
