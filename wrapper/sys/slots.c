/* slots.c - see slots.h.  Runs as root, before the fork. */
#include "slots.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "err.h"
#include "fsys.h"

int slot_acquire(const char *run_dir, const char *user, unsigned concurrency,
		 unsigned *slot, const char **reason)
{
	int runfd, dirfd;

	runfd = fsys_open_root_dir(run_dir, 0755, reason);
	if (runfd < 0)
		return -1;
	dirfd = fsys_ensure_subdir(runfd, user, 0, 0, 0700, reason);
	(void)close(runfd);
	if (dirfd < 0)
		return -1;
	for (unsigned k = 0; k < concurrency; k++) {
		char name[32];
		int fd;

		(void)snprintf(name, sizeof(name), "slot.%u", k);
		fd = openat(dirfd, name,
			    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
			    0600);
		if (fd < 0) {
			(void)err_sys(reason, "cannot open a concurrency slot file");
			(void)close(dirfd);
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			(void)close(dirfd);
			*slot = k;
			return fd;
		}
		int e = errno;
		(void)close(fd);
		if (e != EWOULDBLOCK) {
			(void)err_sysn(reason, "cannot lock a concurrency slot file", e);
			(void)close(dirfd);
			return -1;
		}
	}
	(void)close(dirfd);
	return SLOT_BUSY;
}
