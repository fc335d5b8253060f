/* tmpfs.h - the tenant's size-limited TMPDIR: a tmpfs mounted on
 * <state_dir>/tmp/<user> (the limits and options are logic/tmpplan.h's).
 *
 * Mounted with the new mount API, on descriptors only: fsopen("tmpfs"),
 * fsconfig (size, nr_inodes, mode=0700, uid, gid), fsmount (nosuid, nodev,
 * noexec), move_mount onto the directory already opened with O_NOFOLLOW.
 * A limit changed in the policy is applied with fspick + reconfigure on
 * the mounted one.  Requests of one tenant (and prune) serialise on an
 * flock of the root-owned parent <state_dir>/tmp, which no tenant can
 * open (mode 0711), so concurrent first requests mount exactly one tmpfs.
 *
 * The mount lives in the mount namespace of the process that ran the
 * wrapper (the web server's): see cgijail.conf(5), tmp_size. */
#ifndef CGIJAIL_TMPFS_H
#define CGIJAIL_TMPFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* flock(LOCK_EX) on basefd (a directory opened for reading); released when
 * the descriptor is closed.  Returns 0, or -1 with *reason. */
int tmpfs_lock(int basefd, const char **reason);

/* Whether name below basefd is a mount point of this mount namespace
 * (st_dev differs from basefd's), and of what: TMPFS_PLAIN (a plain
 * directory), TMPFS_MOUNTED (a tmpfs), TMPFS_OTHER (another file system),
 * TMPFS_ABSENT, or -1 with *reason. */
#define TMPFS_PLAIN 0
#define TMPFS_MOUNTED 1
#define TMPFS_OTHER 2
#define TMPFS_ABSENT 3
int tmpfs_probe(int basefd, const char *name, const char **reason);

/* With basefd locked (tmpfs_lock) and name below it a directory of
 * uid:gid mode 0700 (fsys_ensure_subdir): mount a tmpfs there unless one is
 * mounted already, apply changed limits, and check the result on a fresh
 * descriptor (a tmpfs, its own st_dev, a directory uid:gid 0700).  A note
 * (appended to note, "; "-separated) says when the mounted limits are kept
 * because the new ones are below what is in use.  Returns 0, or -1 with
 * *reason (the request is refused). */
int tmpfs_ensure(int basefd, const char *name, uint64_t size, uint64_t inodes, uid_t uid,
		 gid_t gid, char *note, size_t notesz, const char **reason);

/* umount2(path, UMOUNT_NOFOLLOW), no MNT_DETACH: a tmpfs still in use (a
 * process's cwd or open file in it) is kept.  Returns 0, 1 (busy), or -1
 * with *reason. */
int tmpfs_unmount(const char *path, const char **reason);

#endif
