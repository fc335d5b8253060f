/* state.c - see state.h.
 *
 * System calls, in order: per root directory, the walk of fsys_walk_dir()
 * (openat O_PATH|O_NOFOLLOW and fstat per component), openat(".") for
 * reading, getdents (fdopendir/readdir); state_remove: openat the user's
 * run directory, per slot file openat(O_NOFOLLOW) + flock(LOCK_EX|LOCK_NB),
 * unlinkat, close, unlinkat(AT_REMOVEDIR); the TMPDIR: flock of <tmp>,
 * its tmpfs unmounted (tmpfs.h: fstat, fstatfs, umount2), then depth-first
 * openat(O_DIRECTORY|O_NOFOLLOW), getdents, unlinkat per entry. */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fsys.h"
#include "rules.h"
#include "strutil.h"
#include "tmpfs.h"

#define STATE_MAX_NAMES 65536
#define TMP_MAX_DEPTH 64

/* path, every component root-owned and not group/other writable, opened
 * for reading.  Returns the fd, -2 when it does not exist, or -1. */
static int open_root_dir(const char *path, const char **reason)
{
	struct walk w;
	size_t bad = 0;
	int fd;

	if (fsys_walk_dir(path, &w, reason, &bad) != 0)
		return errno == ENOENT ? -2 : -1;
	for (size_t i = 0; i < w.n; i++) {
		if (rule_config_dir(&w.st[i]) != NULL) {
			fsys_walk_close(&w);
			*reason = "a directory of cgijail's state is not root-owned or is group/other writable";
			return -1;
		}
	}
	fd = openat(w.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		(void)err_sys(reason, "cannot open a state directory");
	fsys_walk_close(&w);
	return fd;
}

struct names {
	char **v;
	unsigned *what;
	size_t n;
};

static int add_name(struct names *ns, const char *name, unsigned what)
{
	for (size_t i = 0; i < ns->n; i++) {
		if (strcmp(ns->v[i], name) == 0) {
			ns->what[i] |= what;
			return 0;
		}
	}
	if (ns->n == STATE_MAX_NAMES)
		return -1;
	char **v = realloc(ns->v, (ns->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	ns->v = v;
	unsigned *w = realloc(ns->what, (ns->n + 1) * sizeof(*w));
	if (w == NULL)
		return -1;
	ns->what = w;
	ns->v[ns->n] = strdup(name);
	if (ns->v[ns->n] == NULL)
		return -1;
	ns->what[ns->n++] = what;
	return 0;
}

/* Every subdirectory of dirfd whose name is a valid user name. */
static int scan(int dirfd, unsigned what, struct names *ns, const char **reason)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	const struct dirent *e;

	if (d == NULL) {
		(void)err_sys(reason, "cannot read a state directory");
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		struct stat st;

		if (!name_is_valid(e->d_name))
			continue;
		if (e->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
			    !S_ISDIR(st.st_mode))
				continue;
		} else if (e->d_type != DT_DIR) {
			continue;
		}
		if (add_name(ns, e->d_name, what) != 0) {
			(void)closedir(d);
			*reason = "too many names in a state directory";
			return -1;
		}
	}
	if (errno != 0) {
		(void)err_sys(reason, "cannot read a state directory");
		(void)closedir(d);
		return -1;
	}
	return closedir(d) == 0 ? 0 : err_sys(reason, "cannot close a state directory");
}

static int tmp_root(const char *state_dir, char *out, size_t outsz,
		    const char **reason)
{
	int n = snprintf(out, outsz, "%s/tmp", state_dir);

	if (n < 0 || (size_t)n >= outsz) {
		*reason = "state directory path too long";
		return -1;
	}
	return 0;
}

int state_list(const char *run_dir, const char *state_dir,
	       void (*fn)(void *ctx, const char *user, unsigned what), void *ctx,
	       const char **reason)
{
	struct names ns = { NULL, NULL, 0 };
	char tmp[PATH_MAX];
	const char *roots[2] = { run_dir, tmp };
	const unsigned bits[2] = { STATE_RUN, STATE_TMP };
	int ret = 0;

	if (tmp_root(state_dir, tmp, sizeof(tmp), reason) != 0)
		return -1;
	for (int r = 0; r < 2 && ret == 0; r++) {
		int fd = open_root_dir(roots[r], reason);

		if (fd == -2)
			continue;
		if (fd < 0 || scan(fd, bits[r], &ns, reason) != 0)
			ret = -1;
		if (fd >= 0)
			(void)close(fd);
	}
	for (size_t i = 0; i < ns.n; i++) {
		if (ret == 0)
			fn(ctx, ns.v[i], ns.what[i]);
		free(ns.v[i]);
	}
	free(ns.v);
	free(ns.what);
	return ret;
}

/* Remove everything below dirfd (closed here), depth first, never following
 * a symlink: entries are unlinked, directories opened with O_NOFOLLOW. */
static int remove_tree(int dirfd, unsigned depth, const char **reason)
{
	DIR *d = fdopendir(dirfd);
	int ret = 0;

	if (d == NULL) {
		(void)err_sys(reason, "cannot read the temporary directory");
		(void)close(dirfd);
		return -1;
	}
	while (ret == 0) {
		errno = 0;
		const struct dirent *e = readdir(d);

		if (e == NULL) {
			if (errno != 0)
				ret = err_sys(reason, "cannot read the temporary directory");
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0)
			continue;
		if (errno != EISDIR) {
			ret = err_sys(reason, "cannot remove a file of the temporary directory");
			break;
		}
		if (depth >= TMP_MAX_DEPTH) {
			*reason = "the temporary directory is nested too deeply";
			ret = -1;
			break;
		}
		int sub = openat(dirfd, e->d_name,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			ret = err_sys(reason, "cannot open a directory of the temporary directory");
			break;
		}
		if (remove_tree(sub, depth + 1, reason) != 0)
			ret = -1;
		else if (unlinkat(dirfd, e->d_name, AT_REMOVEDIR) != 0)
			ret = err_sys(reason, "cannot remove a directory of the temporary directory");
	}
	if (closedir(d) != 0 && ret == 0)
		ret = err_sys(reason, "cannot close the temporary directory");
	return ret;
}

static int remove_run(int runfd, const char *user, const char **reason)
{
	int ufd = openat(runfd, user, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int held[1024], nheld = 0, ret = 0;
	DIR *d;
	const struct dirent *e;

	if (ufd < 0)
		return errno == ENOENT ? 0 : err_sys(reason, "cannot open the run directory");
	d = fdopendir(ufd);
	if (d == NULL) {
		(void)close(ufd);
		return err_sys(reason, "cannot read the run directory");
	}
	/* Hold every slot's lock before anything is removed: a request that
	 * still runs keeps its slot, and then nothing is touched. */
	while (ret == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "slot.", 5) != 0)
			continue;
		if (nheld == (int)(sizeof(held) / sizeof(held[0]))) {
			*reason = "too many slot files";
			ret = -1;
			break;
		}
		int fd = openat(ufd, e->d_name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			ret = err_sys(reason, "cannot open a slot file");
			break;
		}
		held[nheld++] = fd;
		if (flock(fd, LOCK_EX | LOCK_NB) != 0)
			ret = errno == EWOULDBLOCK ? 1 : err_sys(reason, "cannot lock a slot file");
	}
	if (ret == 0 && errno != 0)
		ret = err_sys(reason, "cannot read the run directory");
	if (ret == 0) {
		rewinddir(d);
		while ((errno = 0, e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (unlinkat(ufd, e->d_name, 0) != 0) {
				ret = err_sys(reason, "cannot remove a file of the run directory");
				break;
			}
		}
	}
	for (int i = 0; i < nheld; i++)
		(void)close(held[i]);
	(void)closedir(d);
	if (ret == 0 && unlinkat(runfd, user, AT_REMOVEDIR) != 0 && errno != ENOENT)
		ret = err_sys(reason, "cannot remove the run directory");
	return ret;
}

/* Unmount the tmpfs (tmpfs.h) mounted on <tmp>/<user> in this mount
 * namespace, with tmpfd (<tmp>) locked.  Returns 0 (none is left), 1 (in
 * use), or -1 with *reason. */
static int unmount_tmp(int tmpfd, const char *tmp, const char *user, const char **reason)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", tmp, user);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		*reason = "temporary directory path too long";
		return -1;
	}
	/* A few rounds: one tmpfs is the rule, a stack of them is undone too. */
	for (int round = 0; round < 8; round++) {
		int kind = tmpfs_probe(tmpfd, user, reason), r;

		if (kind < 0)
			return -1;
		if (kind == TMPFS_PLAIN || kind == TMPFS_ABSENT)
			return 0;
		if (kind == TMPFS_OTHER) {
			*reason = "another file system than a tmpfs is mounted on the temporary directory";
			return -1;
		}
		r = tmpfs_unmount(path, reason);
		if (r != 0)
			return r;
	}
	*reason = "the temporary directory has too many tmpfs mounted on it";
	return -1;
}

int state_tmp_mounted(const char *state_dir, const char *user, const char **reason)
{
	char tmp[PATH_MAX];
	int fd, kind;

	if (!name_is_valid(user)) {
		*reason = "not a valid user name";
		return -1;
	}
	if (tmp_root(state_dir, tmp, sizeof(tmp), reason) != 0)
		return -1;
	fd = open_root_dir(tmp, reason);
	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	kind = tmpfs_probe(fd, user, reason);
	(void)close(fd);
	if (kind < 0)
		return -1;
	return kind == TMPFS_MOUNTED || kind == TMPFS_OTHER ? 1 : 0;
}

int state_remove(const char *run_dir, const char *state_dir, const char *user,
		 const char **reason)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (!name_is_valid(user)) {
		*reason = "not a valid user name";
		return -1;
	}
	if (tmp_root(state_dir, tmp, sizeof(tmp), reason) != 0)
		return -1;
	fd = open_root_dir(run_dir, reason);
	if (fd == -1)
		return -1;
	ret = fd >= 0 ? remove_run(fd, user, reason) : 0;
	if (fd >= 0)
		(void)close(fd);
	if (ret != 0)
		return ret;
	fd = open_root_dir(tmp, reason);
	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	/* The lock the wrapper takes to mount: no request mounts meanwhile. */
	ret = tmpfs_lock(fd, reason);
	if (ret == 0)
		ret = unmount_tmp(fd, tmp, user, reason);
	if (ret != 0) {
		(void)close(fd);
		return ret;
	}
	int ufd = openat(fd, user, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0) {
		ret = errno == ENOENT ? 0 : err_sys(reason, "cannot open the temporary directory");
	} else {
		ret = remove_tree(ufd, 0, reason);
		/* A tmpfs mounted there in another mount namespace (the web
		 * server's) is detached by the kernel with the directory. */
		if (ret == 0 && unlinkat(fd, user, AT_REMOVEDIR) != 0)
			ret = err_sys(reason, "cannot remove the temporary directory");
	}
	(void)close(fd);
	return ret;
}
