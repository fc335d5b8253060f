/* tmpfs.c - see tmpfs.h.
 *
 * System calls: flock; openat(O_DIRECTORY|O_NOFOLLOW), fstat, fstatfs;
 * fsopen, fsconfig, fsmount, move_mount (mount); fspick, fsconfig
 * (reconfigure); umount2. */
#include "tmpfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "err.h"
#include "tmpplan.h"

int tmpfs_lock(int basefd, const char **reason)
{
	while (flock(basefd, LOCK_EX) != 0) {
		if (errno != EINTR)
			return err_sys(reason, "cannot lock the temporary directories");
	}
	return 0;
}

static int open_dir(int basefd, const char *name)
{
	return openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* What fd is, relative to its parent's st_dev. */
static int classify(int fd, dev_t parent, struct statfs *sfs, const char **reason)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || fstatfs(fd, sfs) != 0)
		return err_sys(reason, "cannot examine the temporary directory");
	if (st.st_dev == parent)
		return TMPFS_PLAIN;
	return sfs->f_type == TMPFS_MAGIC ? TMPFS_MOUNTED : TMPFS_OTHER;
}

int tmpfs_probe(int basefd, const char *name, const char **reason)
{
	struct stat bst;
	struct statfs sfs;
	int fd, r;

	if (fstat(basefd, &bst) != 0)
		return err_sys(reason, "cannot examine the temporary directories");
	fd = open_dir(basefd, name);
	if (fd < 0)
		return errno == ENOENT ? TMPFS_ABSENT :
					 err_sys(reason, "cannot open the temporary directory");
	r = classify(fd, bst.st_dev, &sfs, reason);
	(void)close(fd);
	return r;
}

static int set(int fsfd, const char *key, const char *value, const char **reason)
{
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0) != 0)
		return err_sys(reason, "cannot configure the tmpfs of the temporary directory");
	return 0;
}

static int mount_on(int dirfd, const struct tmp_options *o, const char **reason)
{
	int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC), mfd = -1, ret = -1;

	if (fsfd < 0)
		return err_sys(reason, "cannot create a tmpfs for the temporary directory");
	if (set(fsfd, "size", o->size, reason) != 0 ||
	    set(fsfd, "nr_inodes", o->nr_inodes, reason) != 0 ||
	    set(fsfd, "mode", o->mode, reason) != 0 || set(fsfd, "uid", o->uid, reason) != 0 ||
	    set(fsfd, "gid", o->gid, reason) != 0)
		goto out;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
		(void)err_sys(reason, "cannot create a tmpfs for the temporary directory");
		goto out;
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mfd < 0) {
		(void)err_sys(reason, "cannot mount a tmpfs for the temporary directory");
		goto out;
	}
	if (move_mount(mfd, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
		(void)err_sys(reason, "cannot mount a tmpfs on the temporary directory");
		goto out;
	}
	ret = 0;
out:
	if (mfd >= 0)
		(void)close(mfd);
	(void)close(fsfd);
	return ret;
}

static int reconfigure(int dirfd, const struct tmp_options *o, const char **reason)
{
	int fsfd = fspick(dirfd, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC | FSPICK_NO_AUTOMOUNT);
	int ret = -1;

	if (fsfd < 0)
		return err_sys(reason, "cannot reconfigure the tmpfs of the temporary directory");
	if (set(fsfd, "size", o->size, reason) == 0 &&
	    set(fsfd, "nr_inodes", o->nr_inodes, reason) == 0) {
		if (fsconfig(fsfd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) == 0)
			ret = 0;
		else
			(void)err_sys(reason, "cannot resize the tmpfs of the temporary directory");
	}
	(void)close(fsfd);
	return ret;
}

static void usage_of(const struct statfs *s, struct tmp_usage *u)
{
	u->bsize = (uint64_t)s->f_bsize;
	u->blocks = (uint64_t)s->f_blocks;
	u->bfree = (uint64_t)s->f_bfree;
	u->files = (uint64_t)s->f_files;
	u->ffree = (uint64_t)s->f_ffree;
}

static void add_note(char *note, size_t notesz, const char *text)
{
	size_t used = strlen(note);

	if (used < notesz)
		(void)snprintf(note + used, notesz - used, "%s%s", used ? "; " : "", text);
}

int tmpfs_ensure(int basefd, const char *name, uint64_t size, uint64_t inodes, uid_t uid,
		 gid_t gid, char *note, size_t notesz, const char **reason)
{
	struct tmp_options o;
	struct tmp_usage u;
	struct statfs sfs;
	struct stat bst, st;
	int fd, kind, ret = -1;

	memset(&sfs, 0, sizeof(sfs));

	if (tmp_options(&o, size, inodes, uid, gid) != 0) {
		*reason = "no size for the tmpfs of the temporary directory";
		return -1;
	}
	if (fstat(basefd, &bst) != 0)
		return err_sys(reason, "cannot examine the temporary directories");
	fd = open_dir(basefd, name);
	if (fd < 0)
		return err_sys(reason, "cannot open the temporary directory");
	kind = classify(fd, bst.st_dev, &sfs, reason);
	if (kind == TMPFS_PLAIN) {
		if (mount_on(fd, &o, reason) != 0)
			goto out;
		/* The directory's name now leads to the tmpfs's root. */
		(void)close(fd);
		fd = open_dir(basefd, name);
		if (fd < 0) {
			(void)err_sys(reason, "cannot open the temporary directory");
			return -1;
		}
		kind = classify(fd, bst.st_dev, &sfs, reason);
	}
	if (kind < 0)
		goto out;
	if (kind != TMPFS_MOUNTED) {
		*reason = kind == TMPFS_OTHER ?
				  "another file system than a tmpfs is mounted on the temporary directory" :
				  "the tmpfs of the temporary directory is not mounted";
		goto out;
	}
	usage_of(&sfs, &u);
	switch (tmp_plan_check(&u, size, inodes)) {
	case TMP_KEEP:
		break;
	case TMP_REMOUNT:
		if (reconfigure(fd, &o, reason) != 0)
			goto out;
		if (fstatfs(fd, &sfs) != 0) {
			(void)err_sys(reason, "cannot examine the temporary directory");
			goto out;
		}
		usage_of(&sfs, &u);
		if (tmp_plan_check(&u, size, inodes) != TMP_KEEP) {
			*reason = "the tmpfs of the temporary directory did not take the new size";
			goto out;
		}
		break;
	case TMP_TOO_FULL: {
		char text[256];

		tmp_note_too_full(text, sizeof(text), &u, size, inodes);
		add_note(note, notesz, text);
		break;
	}
	case TMP_BAD:
	default:
		*reason = "the tmpfs of the temporary directory reports no size";
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		(void)err_sys(reason, "cannot examine the temporary directory");
		goto out;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid || st.st_gid != gid ||
	    (st.st_mode & 07777) != 0700) {
		*reason = "the tmpfs of the temporary directory is not the user's own, mode 0700";
		goto out;
	}
	ret = 0;
out:
	(void)close(fd);
	return ret;
}

int tmpfs_unmount(const char *path, const char **reason)
{
	if (umount2(path, UMOUNT_NOFOLLOW) == 0)
		return 0;
	if (errno == EBUSY)
		return 1;
	return err_sys(reason, "cannot unmount the tmpfs of the temporary directory");
}
