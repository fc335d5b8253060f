/* fsys.c - see fsys.h. */
#include "fsys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

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
	if (w->fd < 0 || fstat(w->fd, &w->st[0]) != 0) {
		*reason = "cannot be opened";
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
		if (fstat(fd, &st) != 0) {
			*reason = "cannot be examined";
			(void)close(fd);
			fsys_walk_close(w);
			return -1;
		}
		(void)close(w->fd);
		w->fd = fd;
		w->st[w->n] = st;
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
	(void)close(fd);
	*reason = rule_interpreter(&st);
	return *reason ? -1 : 0;
}

int fsys_open_cwd(char *buf, size_t bufsz, struct stat *st, const char **reason)
{
	if (getcwd(buf, bufsz) == NULL || buf[0] != '/') {
		*reason = "cannot determine the working directory";
		return -1;
	}
	int fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) != 0) {
		*reason = "cannot open the working directory";
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	return fd;
}
