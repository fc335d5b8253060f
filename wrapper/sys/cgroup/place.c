/* place.c - the cgroup parent: found, checked and (when allowed) created
 * below each hierarchy's root, before any tenant cgroup is made.
 *
 * Placement rules (docs/cgroups.md): every directory from the hierarchy's
 * root down to the parent is root-owned and not writable by group/other;
 * under systemd on cgroup v2 cgijail writes only inside a subtree systemd
 * delegated (Delegate=yes, marked with the trusted./user.delegate xattr);
 * directories cgijail makes are root-owned 0755.
 *
 * System calls of cg_open, in order: cg_discover() (discover.c; with the
 * run directory's cache in cg_open_cached);
 * stat(/run/systemd/system); per hierarchy, per path component:
 * fgetxattr(trusted.delegate, user.delegate) (v2 + systemd), fstat,
 * openat(O_NOFOLLOW), on ENOENT: [v2: read/write cgroup.subtree_control
 * above] mkdirat(0755), openat, fstat [fchmod 0755: the caller's umask
 * applies on cgroupfs]; then v1 memory: read [write] memory.use_hierarchy;
 * v2: read cgroup.controllers, read [write] cgroup.subtree_control. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgint.h"
#include "err.h"
#include "strutil.h"

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
		return err_sysn(reason, "cannot open a cgroup hierarchy root", errno);
	for (const char *p = ctx->parent; *p != '\0'; ncomp++)
		(void)path_component(p, &p);
	for (const char *p = ctx->parent; *p != '\0'; depth++) {
		char comp[CG_NAME_MAX + 32];
		const char *next;
		size_t len = path_component(p, &next);
		int nfd;

		if (len >= sizeof comp) {
			(void)close(dfd);
			return cg_refuse(reason, "cgroup parent component too long", ENAMETOOLONG);
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (!delegated && is_delegated(dfd))
			delegated = ours = true;
		if (!safe_dir(dfd)) {
			(void)close(dfd);
			return cg_refuse(reason, "a directory above the cgroup parent is not root-owned or is group/other writable", EPERM);
		}
		nfd = cgfs_open_dir(dfd, comp);
		if (nfd < 0 && errno == ENOENT && (flags & CG_OPEN_CREATE)) {
			if (!delegated) {
				(void)close(dfd);
				return cg_refuse(reason, "cgroup parent is not in a subtree systemd delegated (Delegate=yes): refusing to create cgroups in systemd's tree", EPERM);
			}
			/* A unit's cgroup is systemd's to make: a missing
			 * cgijail.service means the unit is not running (or
			 * there is no systemd), never a directory to create. */
			if (cgl_is_unit_name(comp)) {
				(void)close(dfd);
				return cg_refuse(reason, "a systemd unit in cgroup_parent does not exist (is cgijail.service running?); cgijail never creates a unit's cgroup: start the unit, or set cgroup_parent to a plain name such as cgijail", ENOENT);
			}
			if (ctx->version == CG_V2 && ours &&
			    cg_enable_subtree(dfd, want, reason) != 0) {
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
				return err_sysn(reason, "cannot create the cgroup parent", e);
			}
			ours = true;
			nfd = cgfs_open_dir(dfd, comp);
			if (nfd >= 0 && cgfs_fix_mode(nfd) != 0) {
				int e = errno;

				(void)close(nfd);
				(void)close(dfd);
				return err_sysn(reason, "cannot set the mode of the cgroup parent", e);
			}
		}
		if (nfd < 0) {
			int e = errno;

			(void)close(dfd);
			return err_sysn(reason, "cannot open the cgroup parent", e);
		}
		(void)close(dfd);
		dfd = nfd;
		p = next;
	}
	if (!delegated && is_delegated(dfd))
		delegated = true;
	if (!delegated) {
		(void)close(dfd);
		return cg_refuse(reason, "cgroup parent is not in a subtree systemd delegated (Delegate=yes): refusing to write into systemd's cgroups", EPERM);
	}
	if (!safe_dir(dfd)) {
		(void)close(dfd);
		return cg_refuse(reason, "the cgroup parent is not root-owned or is group/other writable", EPERM);
	}
	if (cgfs_fix_mode(dfd) != 0) {
		int e = errno;

		(void)close(dfd);
		return err_sysn(reason, "cannot set the mode of the cgroup parent", e);
	}
	h->fd = dfd;
	return 0;
}

/* v1 memory: tenant limits bind their leaves only with use_hierarchy (always
 * on since Linux 5.x; older kernels default to 0). */
static int v1_use_hierarchy(int dirfd, const char **reason)
{
	char cur[16];

	if (cgfs_read(dirfd, "memory.use_hierarchy", cur, sizeof cur) < 0)
		return errno == ENOENT ? 0 : err_sysn(reason, "cannot read memory.use_hierarchy", errno);
	if (cur[0] == '1')
		return 0;
	if (cgfs_write(dirfd, "memory.use_hierarchy", "1") != 0)
		return err_sysn(reason, "memory.use_hierarchy is 0 in the cgroup parent and cannot be set (it has children): tenant memory limits would not apply", errno);
	return 0;
}

/* v2: which of memory, pids, cpu the parent can hand down; memory and pids
 * are required.  Enables them in the parent. */
static int v2_controllers(struct cg_ctx *ctx, const char **reason)
{
	char avail[512];
	unsigned want = 0;

	if (cgfs_read(ctx->h[0].fd, "cgroup.controllers", avail, sizeof avail) < 0)
		return err_sysn(reason, "cannot read cgroup.controllers of the cgroup parent", errno);
	for (int c = CG_MEMORY; c <= CG_CPU; c++)
		if ((ctx->h[0].ctrls & CG_BIT(c)) && cgl_has_word(avail, cgl_ctrl_name[c]))
			want |= CG_BIT(c);
	if ((want & (CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS))) !=
	    (CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS)))
		return cg_refuse(reason, "the memory and pids controllers are not available in the cgroup parent (enable them in the cgroup.subtree_control above it)", ENOENT);
	ctx->h[0].ctrls = want;
	ctx->ctrls = want;
	return cg_enable_subtree(ctx->h[0].fd, want, reason);
}

int cg_open(const char *parent, unsigned flags, struct cg_ctx *ctx,
	    const char **reason)
{
	return cg_open_cached(parent, flags, NULL, ctx, reason);
}

int cg_open_cached(const char *parent, unsigned flags, const char *cache_dir,
		   struct cg_ctx *ctx, const char **reason)
{
	static struct cg_mount m[CG_NCTRL];
	struct stat sd;
	unsigned want;
	bool cached = false;

	memset(ctx, 0, sizeof *ctx);
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		ctx->h[i].fd = ctx->h[i].root_fd = -1;
	if (cg_discover(m, cache_dir, (flags & CG_OPEN_FRESH) != 0, &cached, reason) != 0)
		return -1;
	ctx->cached = cached;
	ctx->version = m[CG_MEMORY].version;
	/* sd_booted(): systemd is PID 1.  stat, not access (the real uid is
	 * the caller's). */
	ctx->systemd = stat("/run/systemd/system", &sd) == 0 && S_ISDIR(sd.st_mode);
	if (!cgroup_parent_valid(parent, ctx->systemd && ctx->version == CG_V1))
		return cg_refuse(reason, ctx->systemd && ctx->version == CG_V1 ?
			    "invalid cgroup parent (absolute, normalized, valid names; on cgroup v1 under systemd no unit names)" :
			    "invalid cgroup parent (absolute, normalized, valid names)", EINVAL);
	if (strlen(parent) >= sizeof ctx->parent)
		return cg_refuse(reason, "cgroup parent path too long", ENAMETOOLONG);
	memcpy(ctx->parent, parent + 1, strlen(parent));
	for (int c = 0; c < CG_NCTRL; c++) {
		/* v1 only: the freezer (v2 has cgroup.kill); a controller on
		 * the other version is not used. */
		if (!m[c].found || m[c].version != ctx->version ||
		    (c == CG_FREEZER && ctx->version == CG_V2))
			continue;
		if (cg_add_hier(ctx, c, &m[c], reason) != 0)
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
		cgfs_close(&ctx->h[i].fd);
		cgfs_close(&ctx->h[i].root_fd);
	}
}

int cg_remove_parent(struct cg_ctx *ctx, unsigned levels, const char **reason)
{
	int ret = 0;

	for (unsigned i = 0; i < ctx->nh; i++) {
		char path[CG_PATH_MAX];

		cgfs_close(&ctx->h[i].fd);
		if (ctx->h[i].root_fd < 0)
			continue;
		memcpy(path, ctx->parent, sizeof path);
		for (unsigned l = 0; l < levels && path[0] != '\0'; l++) {
			char *slash;

			if (cgfs_rmdir(ctx->h[i].root_fd, path, l == 0) != 0) {
				if (l > 0 && (errno == EBUSY || errno == ENOTEMPTY))
					break; /* an ancestor someone else uses */
				(void)err_sys(reason, "cannot remove the cgroup parent");
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
