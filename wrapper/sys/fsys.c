/* fsys.c - see fsys.h. */
#include "fsys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "err.h"
#include "rules.h"

void fsys_walk_close(struct walk *w)
{
	if (w->fd >= 0)
		(void)close(w->fd);
	w->fd = -1;
}

static const char *leaf_errno_reason(int e)
{
	switch (e) {
	case ENOENT:
		return "does not exist";
	case ENOTDIR:
		return "has a parent that is not a directory";
	case EACCES:
		return "is not accessible";
	case ENAMETOOLONG:
		return "has a name that is too long";
	default:
		return "cannot be opened";
	}
}

int fsys_fs_type(int fd, unsigned long *type, const char **reason)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) != 0)
		return err_sys(reason, "cannot be examined (fstatfs)");
	*type = (unsigned long)sfs.f_type;
	return 0;
}

int fsys_walk_dir(const char *dir, struct walk *w, const char **reason,
		  size_t *bad)
{
	const char *p = dir;

	w->n = 0;
	w->fd = -1;
	*bad = 0;
	if (dir[0] != '/') {
		*reason = "is not an absolute path";
		return -1;
	}
	w->fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->fd < 0 || fstat(w->fd, &w->st[0]) != 0 ||
	    fsys_fs_type(w->fd, &w->fstype[0], reason) != 0) {
		(void)err_sys(reason, "cannot be opened");
		*bad = 1;
		fsys_walk_close(w);
		return -1;
	}
	w->end[0] = 1;
	w->n = 1;
	while (*p == '/')
		p++;
	while (*p) {
		char name[NAME_MAX + 1];
		size_t len = strcspn(p, "/");
		struct stat st;

		*bad = (size_t)(p - dir) + len;
		if (len > NAME_MAX) {
			*reason = "has a name that is too long";
			fsys_walk_close(w);
			return -1;
		}
		if (w->n == FSYS_MAX_DEPTH) {
			*reason = "is nested too deeply";
			fsys_walk_close(w);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		int fd = openat(w->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			*reason = leaf_errno_reason(errno);
			fsys_walk_close(w);
			return -1;
		}
		unsigned long fstype = 0;
		if (fstat(fd, &st) != 0 || fsys_fs_type(fd, &fstype, reason) != 0) {
			*reason = "cannot be examined";
			(void)close(fd);
			fsys_walk_close(w);
			return -1;
		}
		(void)close(w->fd);
		w->fd = fd;
		w->st[w->n] = st;
		w->fstype[w->n] = fstype;
		w->end[w->n] = *bad;
		w->n++;
		if (S_ISLNK(st.st_mode)) {
			*reason = "is a symbolic link";
			fsys_walk_close(w);
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			*reason = "is not a directory";
			fsys_walk_close(w);
			return -1;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

int fsys_open_leaf(int dirfd, const char *name, struct stat *st,
		   const char **reason)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		*reason = leaf_errno_reason(errno);
		return -1;
	}
	if (fstat(fd, st) != 0) {
		*reason = "cannot be examined";
		(void)close(fd);
		return -1;
	}
	return fd;
}

int fsys_open_config_file(int dirfd, const char *name, const char **reason)
{
	struct stat st;
	int fd = openat(dirfd, name,
			O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return -2;
		*reason = errno == ELOOP ? "is a symbolic link" : leaf_errno_reason(errno);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		*reason = "cannot be examined";
		(void)close(fd);
		return -1;
	}
	*reason = rule_config_file(&st);
	if (*reason) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

int fsys_check_interpreter(const char *path, const char **reason)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0) {
		*reason = leaf_errno_reason(errno);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		*reason = "cannot be examined";
		(void)close(fd);
		return -1;
	}
	unsigned long fstype = 0;
	if (fsys_fs_type(fd, &fstype, reason) != 0) {
		(void)close(fd);
		return -1;
	}
	(void)close(fd);
	*reason = rule_interpreter(&st);
	if (*reason == NULL)
		*reason = rule_fs_type(fstype);
	return *reason ? -1 : 0;
}

int fsys_open_cwd(char *buf, size_t bufsz, struct stat *st, const char **reason)
{
	if (getcwd(buf, bufsz) == NULL)
		return err_sys(reason, "cannot be determined");
	if (buf[0] != '/') {
		*reason = "is not reachable from /";
		return -1;
	}
	int fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) != 0) {
		(void)err_sys(reason, "cannot be opened");
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	return fd;
}

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Make the directory name below dirfd fully formed: created under a
 * temporary name, given its owner and mode, then renamed into place
 * (RENAME_NOREPLACE).  So no request ever sees it with the umask's mode or
 * still root's while its owner is being set (a concurrent request of the
 * tenant would fail on it).  0 when made, or when another process made it
 * first; -1 with errno. */
static int mkdir_whole(int dirfd, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int n = snprintf(tmp, sizeof(tmp), ".%.200s.new.%ld", name, (long)getpid());

	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Left by a process of the same pid that died here: empty, remove. */
	if (mkdirat(dirfd, tmp, 0700) != 0 &&
	    (errno != EEXIST || unlinkat(dirfd, tmp, AT_REMOVEDIR) != 0 ||
	     mkdirat(dirfd, tmp, 0700) != 0))
		return -1;
	int fd = open_dir_at(dirfd, tmp);
	if (fd < 0 || fchown(fd, uid, gid) != 0 || fchmod(fd, mode) != 0) {
		int e = errno;
		if (fd >= 0)
			(void)close(fd);
		(void)unlinkat(dirfd, tmp, AT_REMOVEDIR);
		errno = e;
		return -1;
	}
	(void)close(fd);
	if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) != 0) {
		int e = errno;
		(void)unlinkat(dirfd, tmp, AT_REMOVEDIR);
		if (e == EEXIST)
			return 0;
		errno = e;
		return -1;
	}
	return 0;
}

int fsys_open_root_dir(const char *path, mode_t last_mode, const char **reason)
{
	const char *p = path;
	struct stat st;
	int fd;

	if (path[0] != '/') {
		*reason = "is not an absolute path";
		return -1;
	}
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || rule_config_dir(&st) != NULL) {
		*reason = "/ is not a root-owned directory";
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	while (*p == '/')
		p++;
	while (*p) {
		char name[NAME_MAX + 1];
		size_t len = strcspn(p, "/");
		bool last;
		int next;

		if (len > NAME_MAX) {
			*reason = "has a name that is too long";
			(void)close(fd);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		while (*p == '/')
			p++;
		last = *p == '\0';
		next = open_dir_at(fd, name);
		if (next < 0 && errno == ENOENT) {
			mode_t mode = last ? last_mode : 0755;
			if (mkdir_whole(fd, name, 0, 0, mode) != 0) {
				(void)err_sys(reason, "cannot be created");
				(void)close(fd);
				return -1;
			}
			next = open_dir_at(fd, name);
		}
		(void)close(fd);
		if (next < 0) {
			*reason = errno == ELOOP || errno == ENOTDIR ?
					  "has a component that is a symbolic link or not a directory" :
					  "cannot be opened";
			return -1;
		}
		fd = next;
		if (fstat(fd, &st) != 0 || rule_config_dir(&st) != NULL) {
			*reason = "has a component not owned by root or writable by group or others";
			(void)close(fd);
			return -1;
		}
	}
	return fd;
}

int fsys_ensure_subdir(int basefd, const char *name, uid_t uid, gid_t gid,
		       mode_t mode, const char **reason)
{
	struct stat st;
	int fd;

	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		*reason = "has an invalid name";
		return -1;
	}
	fd = open_dir_at(basefd, name);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir_whole(basefd, name, uid, gid, mode) != 0)
			return err_sys(reason, "cannot be created");
		fd = open_dir_at(basefd, name);
	}
	if (fd < 0) {
		*reason = errno == ELOOP || errno == ENOTDIR ?
				  "is a symbolic link or not a directory" :
				  "cannot be opened";
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		*reason = "cannot be examined";
		goto fail;
	}
	if (st.st_uid != uid && st.st_uid != 0) {
		*reason = "is owned by another user";
		goto fail;
	}
	if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) != 0) {
		(void)err_sys(reason, "cannot be given to its owner");
		goto fail;
	}
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) != 0) {
		(void)err_sys(reason, "cannot be given its mode");
		goto fail;
	}
	return fd;
fail:
	(void)close(fd);
	return -1;
}
