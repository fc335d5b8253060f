/* limits.c - the tenant's cgroup and the request's leaf: created, limited,
 * entered, removed.
 *
 * System calls, in order:
 *   cg_tenant:      per hierarchy: mkdirat (EEXIST is fine), openat, fstat
 *                   [fchmod], per limit file: read [write]; v2: read [write]
 *                   cgroup.subtree_control.
 *   cg_leaf_create: per leaf hierarchy: mkdirat (EEXIST: the slot's leaf,
 *                   kept from an earlier request), openat, fstat [fchmod
 *                   0755]; a kept leaf: read cgroup.procs [cg_leaf_kill
 *                   (kill.c) what a dead supervisor left], limit files read
 *                   [written when they differ]; a new one: limit writes;
 *                   then the counters' baseline (stats.c).
 *   cg_leaf_attach: write("0") to tasks (v1) or cgroup.procs (v2) per
 *                   hierarchy.
 *   cg_leaf_remove: unlinkat(AT_REMOVEDIR), EBUSY retried (cgijail-check
 *                   and the tests: a request keeps its slot's leaf). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgint.h"
#include "err.h"
#include "strutil.h"

static int apply_one(int dirfd, const struct cg_setting *s, bool only_changed)
{
	if (only_changed) {
		char cur[CGL_VALUE_MAX * 2];

		if (cgfs_read(dirfd, s->file, cur, sizeof cur) < 0)
			return (errno == ENOENT && s->optional) ? 0 : -1;
		if (cgl_same_value(s->file, cur, s->value))
			return 0;
	}
	if (cgfs_write(dirfd, s->file, s->value) != 0)
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
		return cg_refuse(reason, "cgroup limit out of range", EINVAL);
	for (int i = 0; i < n; i++) {
		if (apply_one(dirfd, &s[i], only_changed) == 0)
			continue;
		if (v == CG_V1 && c == CG_MEMORY && i == 0 && n == 2 &&
		    errno == EINVAL && apply_one(dirfd, &s[1], only_changed) == 0 &&
		    apply_one(dirfd, &s[0], only_changed) == 0)
			return 0;
		(void)err_sys(reason, "cannot write a cgroup limit");
		return -1;
	}
	return 0;
}

/* v2: make sure the controllers in mask are enabled in dirfd's
 * cgroup.subtree_control. */
int cg_enable_subtree(int dirfd, unsigned mask, const char **reason)
{
	char cur[512], want[64] = "";
	size_t len = 0;

	if (cgfs_read(dirfd, "cgroup.subtree_control", cur, sizeof cur) < 0) {
		(void)err_sys(reason, "cannot read cgroup.subtree_control");
		return -1;
	}
	for (int c = 0; c < CG_NCTRL; c++) {
		int n;

		if (!(mask & CG_BIT(c)) || cgl_has_word(cur, cgl_ctrl_name[c]))
			continue;
		n = snprintf(want + len, sizeof want - len, "%s+%s",
			     len ? " " : "", cgl_ctrl_name[c]);
		if (n < 0 || (size_t)n >= sizeof want - len)
			return cg_refuse(reason, "internal: subtree_control buffer", EOVERFLOW);
		len += (size_t)n;
	}
	if (len == 0)
		return 0;
	if (cgfs_write(dirfd, "cgroup.subtree_control", want) != 0) {
		return err_sys(reason, errno == EBUSY ?
			"cannot enable cgroup controllers: the cgroup has processes of its own (no internal processes rule)" :
			"cannot enable cgroup controllers in cgroup.subtree_control");
	}
	return 0;
}

int cg_tenant(const struct cg_ctx *ctx, const char *user,
	      const struct cg_limits *limits, struct cg_tenant *t,
	      const char **reason)
{
	t->ctx = ctx;
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		t->fd[i] = -1;
	if (cgl_tenant_dir(user, t->name, sizeof t->name) != 0)
		return cg_refuse(reason, "invalid user name for a cgroup", EINVAL);
	if (limits->cpu_percent != 0 && !(ctx->ctrls & CG_BIT(CG_CPU)))
		return cg_refuse(reason, "a tenant cpu limit is set but the cpu controller is not available", ENOENT);
	for (unsigned i = 0; i < ctx->nh; i++) {
		if (mkdirat(ctx->h[i].fd, t->name, CG_DIR_MODE) != 0 && errno != EEXIST) {
			(void)err_sys(reason, "cannot create the tenant cgroup");
			goto fail;
		}
		t->fd[i] = cgfs_open_dir(ctx->h[i].fd, t->name);
		if (t->fd[i] < 0) {
			(void)err_sys(reason, "cannot open the tenant cgroup");
			goto fail;
		}
		if (cgfs_fix_mode(t->fd[i]) != 0) {
			(void)err_sys(reason, "cannot set the mode of the tenant cgroup");
			goto fail;
		}
		for (int c = CG_MEMORY; c <= CG_CPU; c++)
			if ((ctx->h[i].ctrls & CG_BIT(c)) &&
			    apply_limits(ctx->version, t->fd[i], (enum cg_ctrl)c,
					 limits, true, reason) != 0)
				goto fail;
		if (ctx->version == CG_V2 &&
		    cg_enable_subtree(t->fd[i], CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS),
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
		cgfs_close(&t->fd[i]);
}

int cg_tenant_remove(struct cg_tenant *t, const char **reason)
{
	int ret = 0;

	for (unsigned i = 0; i < t->ctx->nh; i++) {
		if (t->fd[i] < 0)
			continue;
		cgfs_close(&t->fd[i]);
		if (t->ctx->h[i].fd < 0 || cgfs_rmdir(t->ctx->h[i].fd, t->name, false) != 0) {
			(void)err_sys(reason, "cannot remove the tenant cgroup");
			ret = -1;
		}
	}
	return ret;
}

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
		cgfs_close(&leaf->fd[i]);
	cgfs_close(&leaf->peak_fd);
}

/* Open the leaf in every leaf hierarchy where it exists. */
static int leaf_open(struct cg_leaf *leaf, const char **reason)
{
	const struct cg_ctx *ctx = leaf->ctx;

	for (unsigned i = 0; i < ctx->nh; i++) {
		if (!has_leaf(ctx, i) || leaf->fd[i] >= 0)
			continue;
		leaf->fd[i] = cgfs_open_dir(leaf->tenant->fd[i], leaf->name);
		if (leaf->fd[i] < 0 && errno != ENOENT)
			return err_sysn(reason, "cannot open the request cgroup", errno);
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
					(void)cgfs_rmdir(leaf->tenant->fd[j], leaf->name, false);
			return err_sysn(reason, "cannot create the request cgroup", e);
		}
		existed = 1;
	}
	return existed;
}

int cg_leaf_create(const struct cg_ctx *ctx, const struct cg_tenant *t,
		   const char *name, const struct cg_limits *limits, unsigned keep,
		   struct cg_leaf *leaf, const char **reason)
{
	size_t n = strlen(name);
	int r, left;

	leaf->ctx = ctx;
	leaf->tenant = t;
	leaf->reclaimed = 0;
	leaf->peak_fd = -1;
	leaf->peak = CG_PEAK_NONE;
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		leaf->fd[i] = -1;
	if (!name_is_valid(name) || n >= sizeof leaf->name)
		return cg_refuse(reason, "invalid request cgroup name", EINVAL);
	memcpy(leaf->name, name, n + 1);
	r = leaf_mkdir(leaf, reason);
	if (r < 0)
		return -1;
	if (leaf_open(leaf, reason) != 0)
		goto fail;
	for (unsigned i = 0; i < ctx->nh; i++) {
		if (!has_leaf(ctx, i))
			continue;
		if (leaf->fd[i] < 0) {
			(void)err_sysn(reason, "cannot open the request cgroup", ENOENT);
			goto fail;
		}
		if (cgfs_fix_mode(leaf->fd[i]) != 0) {
			(void)err_sys(reason, "cannot set the mode of the request cgroup");
			goto fail;
		}
	}
	if (r > 0) {
		/* The slot's leaf from an earlier request, kept (no mkdir and
		 * rmdir per request).  The slot is ours (exclusive flock): any
		 * process still in it belongs to a supervisor that died, but
		 * the up to keep processes a warm slot keeps (one read). */
		pid_t kept[2];
		bool stays = keep > 0 && keep <= 2 && cg_leaf_list(leaf, kept, (int)keep) >= 0;

		left = stays ? 0 : cg_leaf_count(leaf);
		if (left < 0) {
			(void)err_sys(reason, "cannot read cgroup.procs of the request cgroup");
			goto fail;
		}
		if (left > 0) {
			if (cg_leaf_kill(leaf, CG_RECLAIM_TIMEOUT_MS, reason) != 0)
				goto fail;
			leaf->reclaimed++;
		}
	}
	for (unsigned i = 0; i < ctx->nh; i++) {
		if (!has_leaf(ctx, i))
			continue;
		for (int c = CG_MEMORY; c <= CG_PIDS; c++)
			if ((ctx->h[i].ctrls & CG_BIT(c)) &&
			    apply_limits(ctx->version, leaf->fd[i], (enum cg_ctrl)c,
					 limits, r > 0, reason) != 0)
				goto fail;
	}
	/* The counters of this request start here (stats.c). */
	cg_leaf_baseline(leaf, r == 0);
	return 0;
fail:;
	int e = errno;

	cg_leaf_close(leaf);
	errno = e;
	return -1;
}

int cg_leaf_attach(const struct cg_leaf *leaf, const char **reason)
{
	/* v1: the calling thread ("0") through "tasks".  Moving a single
	 * thread that is the caller itself needs no cgroup_threadgroup_rwsem
	 * (the kernel skips it), and with it none of the RCU grace period its
	 * write side waits for: several milliseconds a request on a busy
	 * machine.  The caller is single-threaded, so that is the process.
	 * v2 (before CLONE_INTO_CGROUP): cgroup.procs, the whole process. */
	const char *file = leaf->ctx->version == CG_V1 ? "tasks" : "cgroup.procs";

	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		int fd = has_leaf(leaf->ctx, i) ? leaf->fd[i] : leaf->tenant->fd[i];

		if (fd < 0)
			return cg_refuse(reason, "the request cgroup is not open", EBADF);
		if (cgfs_write(fd, file, "0") != 0)
			return err_sys(reason, "cannot move the process into its cgroup");
	}
	return 0;
}

int cg_leaf_clone_fd(const struct cg_leaf *leaf)
{
	return leaf->ctx->version == CG_V2 ? leaf->fd[0] : -1;
}

int cg_leaf_remove(struct cg_leaf *leaf, const char **reason)
{
	int ret = 0;

	cgfs_close(&leaf->peak_fd);
	for (unsigned i = 0; i < CG_MAX_HIER; i++) {
		if (leaf->fd[i] < 0)
			continue;
		cgfs_close(&leaf->fd[i]);
		if (cgfs_rmdir(leaf->tenant->fd[i], leaf->name, true) != 0 && ret == 0)
			ret = err_sysn(reason, errno == EBUSY ?
				   "cannot remove the request cgroup: processes are left in it" :
				   "cannot remove the request cgroup", errno);
	}
	return ret;
}
