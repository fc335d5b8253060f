/* cgfs.c - cgroupfs I/O on directory descriptors, for the other files of
 * the cgroup module (cgint.h).  Files are opened with O_NOFOLLOW and
 * O_CLOEXEC below a directory descriptor, read or written once, closed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgint.h"
#include "err.h"

/* Read a small cgroup file below dirfd into buf (NUL-terminated); when it
 * does not fit, buf holds the first size-1 bytes.  Returns the length or -1. */
ssize_t cgfs_read(int dirfd, const char *file, char *buf, size_t size)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = 0;

	if (fd < 0)
		return -1;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			(void)close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (close(fd) != 0)
		return -1;
	return (ssize_t)len;
}

/* One write(2) of value: cgroup files take one value per write. */
int cgfs_write(int dirfd, const char *file, const char *value)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? errno : EIO;

		(void)close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

void cg_sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000L, .tv_nsec = (us % 1000000L) * 1000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

long cg_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Polling interval: 50 us, doubling up to 2 ms. */
long cg_backoff(long *us)
{
	long cur = *us;

	*us = cur >= 1000 ? 2000 : cur * 2;
	return cur;
}

void cgfs_close(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

int cgfs_open_dir(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* An existing directory of ours: repair its mode if it is not 0755. */
int cgfs_fix_mode(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	if ((st.st_mode & 07777) == CG_DIR_MODE)
		return 0;
	return fchmod(fd, CG_DIR_MODE);
}

/* rmdir name below dirfd; ENOENT is fine.  With retry, EBUSY (a leaf whose
 * last process is still exiting) is retried for up to 100 ms. */
int cgfs_rmdir(int dirfd, const char *name, bool retry)
{
	long deadline = cg_now_ms() + 100, us = 50;

	for (;;) {
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (!retry || errno != EBUSY || cg_now_ms() >= deadline)
			return -1;
		cg_sleep_us(cg_backoff(&us));
	}
}

int cg_refuse(const char **reason, const char *why, int e)
{
	*reason = why;
	errno = e;
	return -1;
}
