/* fsys.h - file system checks on descriptors.
 *
 * A path is never checked by name and then used by name: each component is
 * opened with openat(parent_fd, component, O_PATH|O_NOFOLLOW|O_CLOEXEC) from
 * the root down and fstat()ed (and fstatfs()ed, for rule_fs_type()) on its
 * descriptor; a symlink anywhere is reported, never followed.  The rules applied to the stats are in rules.c. */
#ifndef CGIJAIL_FSYS_H
#define CGIJAIL_FSYS_H

#include <stddef.h>
#include <sys/stat.h>

#define FSYS_MAX_DEPTH 64

struct walk {
	size_t n;                       /* components walked, "/" included */
	struct stat st[FSYS_MAX_DEPTH]; /* st[0] is "/", st[n-1] the last dir */
	size_t end[FSYS_MAX_DEPTH];     /* path prefix length of component i */
	unsigned long fstype[FSYS_MAX_DEPTH]; /* fstatfs() f_type of component i */
	int fd;                         /* O_PATH fd of the last directory, or -1 */
};

/* Walk the absolute normalized directory path dir.  Returns 0 with w filled
 * (w->fd open), or -1 with *reason and *bad set to the prefix length of the
 * offending component (missing, a symlink, not a directory, too deep). */
int fsys_walk_dir(const char *dir, struct walk *w, const char **reason,
		  size_t *bad);
void fsys_walk_close(struct walk *w);

/* openat(dirfd, name, O_PATH|O_NOFOLLOW|O_CLOEXEC) + fstat: never blocks on
 * a FIFO, never follows a symlink, never opens a device for I/O.  Returns
 * the fd or -1 with *reason (errno left as openat set it). */
int fsys_open_leaf(int dirfd, const char *name, struct stat *st,
		   const char **reason);

/* fstatfs(fd) f_type into *type (for rule_fs_type()).  Returns 0, or -1
 * with *reason. */
int fsys_fs_type(int fd, unsigned long *type, const char **reason);

/* Open a root-owned configuration file below dirfd for reading
 * (O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC|O_NOCTTY) and check it with
 * rule_config_file() on the descriptor.  Returns the fd, -1 with *reason, or
 * -2 when it does not exist (errno ENOENT). */
int fsys_open_config_file(int dirfd, const char *name, const char **reason);

/* The interpreter: open(O_PATH|O_CLOEXEC) following symlinks (root-owned
 * system paths), fstat, rule_interpreter(), fstatfs, rule_fs_type().  Returns 0 or -1 with *reason. */
int fsys_check_interpreter(const char *path, const char **reason);

/* getcwd() into buf and open "." with O_PATH; *st receives its fstat.
 * Returns the fd, or -1 with *reason. */
int fsys_open_cwd(char *buf, size_t bufsz, struct stat *st, const char **reason);

/* A root-owned directory of cgijail's own (run dir, state dir): every
 * component from "/" is opened with O_NOFOLLOW on descriptors and must pass
 * rule_config_dir(); missing components are created (root, 0755; the last
 * one with last_mode).  Returns an O_RDONLY|O_DIRECTORY fd, or -1 with
 * *reason. */
int fsys_open_root_dir(const char *path, mode_t last_mode, const char **reason);

/* The directory name below basefd, created when missing, owned by
 * uid:gid with exactly mode (reset when it differs).  An existing entry
 * must be a directory (never followed) owned by uid, or by root (a
 * creation interrupted before its chown: it is handed over).  Returns an
 * O_RDONLY|O_DIRECTORY fd, or -1 with *reason. */
int fsys_ensure_subdir(int basefd, const char *name, uid_t uid, gid_t gid,
		       mode_t mode, const char **reason);

#endif
