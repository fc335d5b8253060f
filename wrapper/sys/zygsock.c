/* zygsock.c - see zygsock.h.  Runs as root (the supervisor keeps uid 0). */
#include "zygsock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "err.h"
#include "warmproto.h"

static int sock_path(struct sockaddr_un *sa, const char *run_dir, const char *user,
		     unsigned slot, const char **reason)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s/warm.%u", run_dir, user,
			 slot);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path)) {
		*reason = "the zygote's socket path is too long";
		return -1;
	}
	return 0;
}

int zyg_connect(const char *run_dir, const char *user, unsigned slot, uint64_t send_ms,
		 const char **reason)
{
	struct sockaddr_un sa;
	struct timeval tv = { (time_t)(send_ms / 1000), (suseconds_t)(send_ms % 1000) * 1000 };

	if (sock_path(&sa, run_dir, user, slot, reason) != 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(reason, "cannot create a socket for the zygote");
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		int e = errno;
		(void)close(fd);
		return err_sysn(reason, "cannot set the zygote socket's timeout", e);
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int e = errno;
	(void)close(fd);
	if (e == ENOENT || e == ECONNREFUSED)
		return ZYG_NONE;
	return err_sysn(reason, "cannot connect to the zygote", e);
}

int zyg_listen(const char *run_dir, const char *user, unsigned slot, const char **reason)
{
	struct sockaddr_un sa;

	if (sock_path(&sa, run_dir, user, slot, reason) != 0)
		return -1;
	if (unlink(sa.sun_path) != 0 && errno != ENOENT)
		return err_sys(reason, "cannot remove the zygote's old socket");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(reason, "cannot create the zygote's socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0) {
		int e = errno;
		(void)close(fd);
		return err_sysn(reason, "cannot bind the zygote's socket", e);
	}
	return fd;
}

int zyg_peer(int fd, pid_t *pid, uid_t *uid, const char **reason)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return err_sys(reason, "cannot read the zygote's credentials");
	if (len != sizeof(cred)) {
		*reason = "short credentials of the zygote";
		return -1;
	}
	*pid = cred.pid;
	*uid = cred.uid;
	return 0;
}

int zyg_send(int fd, const uint8_t *frame, size_t len, const int fds[4],
	      const char **reason)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)(uintptr_t)frame, WP_HEADER };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };

	if (len < WP_HEADER) {
		*reason = "a request frame shorter than its header";
		return -1;
	}
	memset(u.buf, 0, sizeof(u.buf));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(4 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, 4 * sizeof(int));
	ssize_t n;
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(reason, "cannot send the request to the zygote");
	/* A stream socket takes 8 bytes with their descriptors in one go or
	 * not at all; anything else is a broken peer. */
	if ((size_t)n != WP_HEADER) {
		*reason = "the zygote took part of a request header";
		return -1;
	}
	for (size_t off = WP_HEADER; off < len;) {
		n = send(fd, frame + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_sys(reason, "cannot send the request to the zygote");
		off += (size_t)n;
	}
	return 0;
}

int zyg_file_identity(const char *path, bool trusted_program, struct zyg_file_id *id,
		       const char **reason)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return err_sys(reason, trusted_program ? "cannot open the zygote program"
						       : "cannot open the interpreter");
	int rc = fstat(fd, &st);
	int e = errno;
	(void)close(fd);
	if (rc != 0)
		return err_sysn(reason, "cannot stat a file of the zygote", e);
	if (trusted_program && (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
				(st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
		*reason = "the zygote program is not a root-owned file that only root can write";
		return -1;
	}
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
	id->ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000u + (uint64_t)st.st_ctim.tv_nsec;
	return 0;
}
