/* tenants.c - the tenants' cgroups below the parent, for cgijail-check:
 * listed, and removed when their user no longer exists.
 *
 * System calls, in order: cg_tenant_list: per hierarchy, getdents of the
 * parent (fdopendir on a dup).  cg_tenant_prune: per hierarchy, openat the
 * tenant's directory, read cgroup.procs of it and of each leaf below it
 * (getdents); only when every one is empty, unlinkat(AT_REMOVEDIR) each
 * leaf and then the tenant's directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgint.h"
#include "err.h"

#define LEAVES_MAX 4096

/* A readable directory stream on a dup of dirfd (dirfd stays open). */
static DIR *open_stream(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d == NULL && fd >= 0) {
		int e = errno;

		(void)close(fd);
		errno = e;
	}
	return d;
}

int cg_tenant_list(const struct cg_ctx *ctx,
		   void (*fn)(void *c, const char *user), void *c,
		   const char **reason)
{
	for (unsigned i = 0; i < ctx->nh; i++) {
		DIR *d = open_stream(ctx->h[i].fd);
		const struct dirent *e;

		if (d == NULL)
			return err_sys(reason, "cannot read the cgroup parent");
		while ((errno = 0, e = readdir(d)) != NULL) {
			char user[CG_NAME_MAX];

			if (e->d_type == DT_DIR &&
			    cgl_tenant_user(e->d_name, user, sizeof user) == 0)
				fn(c, user);
		}
		int rerr = errno;

		(void)closedir(d);
		if (rerr != 0)
			return err_sysn(reason, "cannot read the cgroup parent", rerr);
	}
	return 0;
}

/* Is any process in dirfd's cgroup.procs?  1, 0, or -1 with errno. */
static int has_procs(int dirfd)
{
	char buf[64];
	ssize_t n = cgfs_read(dirfd, "cgroup.procs", buf, sizeof buf);

	if (n < 0)
		return -1;
	return n > 0;
}

/* The leaf directories below a tenant's directory. */
static int leaves(int tfd, char (*names)[CG_NAME_MAX], size_t *n,
		  const char **reason)
{
	DIR *d = open_stream(tfd);
	const struct dirent *e;

	*n = 0;
	if (d == NULL)
		return err_sys(reason, "cannot read a tenant cgroup");
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == LEAVES_MAX || strlen(e->d_name) >= CG_NAME_MAX) {
			(void)closedir(d);
			return cg_refuse(reason, "a tenant cgroup has a directory cgijail did not make", EINVAL);
		}
		memcpy(names[(*n)++], e->d_name, strlen(e->d_name) + 1);
	}
	int rerr = errno;

	(void)closedir(d);
	return rerr != 0 ? err_sysn(reason, "cannot read a tenant cgroup", rerr) : 0;
}

int cg_tenant_prune(const struct cg_ctx *ctx, const char *user,
		    const char **reason)
{
	static char names[CG_MAX_HIER][LEAVES_MAX][CG_NAME_MAX];
	size_t n[CG_MAX_HIER] = { 0 };
	int tfd[CG_MAX_HIER], ret = 0;
	char dir[CG_NAME_MAX];

	if (cgl_tenant_dir(user, dir, sizeof dir) != 0)
		return cg_refuse(reason, "invalid user name for a cgroup", EINVAL);
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		tfd[i] = -1;
	/* First look everywhere: a process anywhere leaves all in place. */
	for (unsigned i = 0; i < ctx->nh && ret == 0; i++) {
		tfd[i] = cgfs_open_dir(ctx->h[i].fd, dir);
		if (tfd[i] < 0) {
			if (errno != ENOENT)
				ret = err_sys(reason, "cannot open a tenant cgroup");
			continue;
		}
		if (leaves(tfd[i], names[i], &n[i], reason) != 0) {
			ret = -1;
			break;
		}
		int busy = has_procs(tfd[i]);

		for (size_t k = 0; k < n[i] && busy == 0; k++) {
			int lfd = cgfs_open_dir(tfd[i], names[i][k]);

			busy = lfd < 0 ? -1 : has_procs(lfd);
			if (lfd >= 0)
				(void)close(lfd);
		}
		if (busy < 0)
			ret = err_sys(reason, "cannot read cgroup.procs of a tenant cgroup");
		else if (busy > 0)
			ret = 1;
	}
	for (unsigned i = 0; i < ctx->nh && ret == 0; i++) {
		if (tfd[i] < 0)
			continue;
		for (size_t k = 0; k < n[i] && ret == 0; k++)
			if (cgfs_rmdir(tfd[i], names[i][k], true) != 0)
				ret = err_sys(reason, "cannot remove a request cgroup");
		if (ret == 0 && cgfs_rmdir(ctx->h[i].fd, dir, true) != 0)
			ret = err_sys(reason, "cannot remove a tenant cgroup");
	}
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		cgfs_close(&tfd[i]);
	return ret;
}
