/* discover.c - where the cgroup controllers are mounted (libcgroup).
 *
 * The only use cgijail makes of libcgroup: which controllers are mounted
 * where, on which cgroup version.  Everything per request is raw cgroupfs
 * I/O on descriptors (libcgroup's create/attach/delete cost 1.5-2 ms a
 * request, docs/cgroups.md).
 *
 * libcgroup's discovery costs a fresh process (every request is one) a few
 * hundred microseconds, most of it clearing its large static tables; its
 * answer changes only when cgroups are mounted differently.  So the first
 * request writes it to <run_dir>/cgroup.mounts and later ones read it,
 * after checking that every mount it names is still a cgroup file system
 * of its version; a wrong answer still fails closed (cgint.h).
 *
 * System calls, in order: with the cache: the walk of fsys_open_root_dir()
 * to the run directory, openat(O_NOFOLLOW) + fstat + read of the cache,
 * statfs per mount; without it (or when it does not hold):
 * madvise(MADV_POPULATE_WRITE) of libcgroup's mount table, libcgroup's
 * cgroup_init() (reads /proc/self/mounts), mount point and version per
 * controller, then openat(O_CREAT|O_EXCL) + write + fchmod + renameat of
 * the new cache; then per hierarchy: open(mount, O_PATH), fstat, fstatfs
 * (a cgroup file system of that version). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <libcgroup.h>

#include "cgint.h"
#include "err.h"
#include "fsys.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

/* libcgroup exports cgroup_get_controller_version() since 2.0 (symbol
 * version CGROUP_2.0) but declares it in <libcgroup/groups.h> only from
 * 3.0 on, with an enum out-parameter (CGROUP_UNK 0, CGROUP_V1 1,
 * CGROUP_V2 2).  A prototype of our own, bound to the same symbol, builds
 * against both. */
extern int cgj_controller_version(const char *controller, int *version)
	__asm__("cgroup_get_controller_version");
enum { LCG_V1 = 1, LCG_V2 = 2 };

#define CACHE_FILE "cgroup.mounts"
#define CACHE_MAX 2048

/* A libcgroup failure: its own text, or errno's for ECGOTHER. */
static int lcg_fail(const char **reason, const char *what, int ret)
{
	if (ret == ECGOTHER)
		return err_sysn(reason, what, cgroup_get_last_errno());
	return err_detail(reason, what, cgroup_strerror(ret));
}

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
static int discover(struct cg_mount m[CG_NCTRL], const char **reason)
{
	int ret;

	/* Failure costs only time (see above). */
	(void)prefault_mount_table();
	/* The default logger prints to stdout: the CGI response. */
	cgroup_set_logger(NULL, CGROUP_LOG_ERROR, NULL);
	ret = cgroup_init();
	if (ret == ECGROUPNOTMOUNTED)
		return cg_refuse(reason, "no cgroup hierarchy is mounted", ENOENT);
	if (ret != 0)
		return lcg_fail(reason, "libcgroup: cgroup_init failed", ret);
	for (int c = 0; c < CG_NCTRL; c++) {
		char *mp = NULL;
		int ver = 0;

		m[c].found = false;
		ret = cgroup_get_subsys_mount_point(cgl_ctrl_name[c], &mp);
		if (ret != 0 || mp == NULL) {
			free(mp);
			if (ret == ECGROUPSUBSYSNOTMOUNTED || ret == ECGROUPNOTEXIST)
				continue;
			return lcg_fail(reason, "libcgroup: cgroup_get_subsys_mount_point failed",
					ret != 0 ? ret : ECGFAIL);
		}
		if (strlen(mp) >= sizeof m[c].path) {
			free(mp);
			return cg_refuse(reason, "cgroup mount point path too long", ENAMETOOLONG);
		}
		memcpy(m[c].path, mp, strlen(mp) + 1);
		free(mp);
		ret = cgj_controller_version(cgl_ctrl_name[c], &ver);
		if (ret != 0 || (ver != LCG_V1 && ver != LCG_V2))
			return cg_refuse(reason, "libcgroup: cannot tell the cgroup version of a controller", EIO);
		m[c].version = ver == LCG_V2 ? CG_V2 : CG_V1;
		m[c].found = true;
	}
	return 0;
}

/* Is every mount m names a cgroup file system of its version? */
static bool still_mounted(const struct cg_mount m[CG_NCTRL])
{
	for (int c = 0; c < CG_NCTRL; c++) {
		struct statfs sf;

		if (!m[c].found)
			continue;
		if (statfs(m[c].path, &sf) != 0 ||
		    (unsigned long)sf.f_type != (m[c].version == CG_V2 ?
						 (unsigned long)CGROUP2_SUPER_MAGIC :
						 (unsigned long)CGROUP_SUPER_MAGIC))
			return false;
	}
	return true;
}

/* The cache file below the root-owned run directory: a root-owned regular
 * file, one link, not group/other writable, never followed. */
static bool load_cache(int dirfd, struct cg_mount m[CG_NCTRL])
{
	char buf[CACHE_MAX];
	struct stat st;
	int fd = openat(dirfd, CACHE_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;
	bool ok;

	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
	     st.st_nlink == 1 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
	n = ok ? read(fd, buf, sizeof buf - 1) : -1;
	(void)close(fd);
	if (n <= 0 || (size_t)n == sizeof buf - 1)
		return false;
	buf[n] = '\0';
	return cgl_parse_mounts(buf, m) == 0;
}

/* Written aside and renamed into place: a reader sees the old file or the
 * new one, never part of one.  Failing costs the next request a
 * discovery, nothing else. */
static void store_cache(int dirfd, const struct cg_mount m[CG_NCTRL])
{
	char buf[CACHE_MAX], tmp[64];
	size_t len = cgl_format_mounts(m, buf, sizeof buf);
	int fd;

	if (len == 0 || snprintf(tmp, sizeof tmp, ".%s.%ld", CACHE_FILE, (long)getpid()) < 0)
		return;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	bool ok = write(fd, buf, len) == (ssize_t)len && fchmod(fd, 0644) == 0;

	if (close(fd) != 0 || !ok || renameat(dirfd, tmp, dirfd, CACHE_FILE) != 0)
		(void)unlinkat(dirfd, tmp, 0);
}

int cg_discover(struct cg_mount m[CG_NCTRL], const char *cache_dir, bool fresh,
		bool *cached, const char **reason)
{
	int dirfd = -1;
	const char *why = NULL;

	*cached = false;
	if (cache_dir != NULL) {
		dirfd = fsys_open_root_dir(cache_dir, 0755, &why);
		if (dirfd >= 0 && !fresh && load_cache(dirfd, m) && still_mounted(m))
			*cached = true;
	}
	if (!*cached && discover(m, reason) != 0) {
		if (dirfd >= 0)
			(void)close(dirfd);
		return -1;
	}
	if (!*cached && dirfd >= 0)
		store_cache(dirfd, m);
	if (dirfd >= 0)
		(void)close(dirfd);
	if (!m[CG_MEMORY].found || !m[CG_PIDS].found)
		return cg_refuse(reason, "the memory and pids cgroup controllers are not both mounted", ENOENT);
	if (m[CG_MEMORY].version != m[CG_PIDS].version)
		return cg_refuse(reason, "memory and pids are not on the same cgroup version", EINVAL);
	return 0;
}

/* Open hierarchy root for controller c, or find the one it shares. */
int cg_add_hier(struct cg_ctx *ctx, int c, const struct cg_mount *m,
		    const char **reason)
{
	struct stat st;
	struct statfs sf;
	int fd = open(m->path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_sysn(reason, "cannot open a cgroup mount point", errno);
	if (fstat(fd, &st) != 0 || fstatfs(fd, &sf) != 0) {
		int e = errno;

		(void)close(fd);
		return err_sysn(reason, "cannot stat a cgroup mount point", e);
	}
	if ((unsigned long)sf.f_type !=
	    (m->version == CG_V2 ? (unsigned long)CGROUP2_SUPER_MAGIC :
				   (unsigned long)CGROUP_SUPER_MAGIC)) {
		(void)close(fd);
		return cg_refuse(reason, "a cgroup mount point is not the cgroup file system libcgroup says it is", EINVAL);
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
