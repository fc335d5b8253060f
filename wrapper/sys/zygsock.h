/* zygsock.h - the sockets between a request's supervisor and the zygote of its
 * slot (docs/warm-mode.md; the bytes are warmproto.h's).
 *
 * A zygote's socket is <run_dir>/<user>/warm.<slot>, in the tenant's run
 * directory (root, 0700, made by slot_acquire): only root can reach it.  It
 * is created and bound by cgijail as root (zyg_listen) and inherited by the
 * zygote as descriptor 3; supervisors connect to it (zyg_connect). */
#ifndef CGIJAIL_ZYGSOCK_H
#define CGIJAIL_ZYGSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ZYG_NONE 1     /* zyg_connect: no zygote listens there */

/* What identifies a file's content for the sandbox key: a replaced or
 * rewritten file gives another identity. */
struct zyg_file_id {
	uint64_t dev, ino, size, mtime_ns, ctime_ns;
};

/* The identity of path (symlinks followed: the interpreter's usual
 * python3 -> python3.11).  With trusted_program, path must also be a
 * regular file owned by root and not writable by group or others, as the
 * interpreter must (the zygote program).  0, or -1 with *reason. */
int zyg_file_identity(const char *path, bool trusted_program, struct zyg_file_id *id,
		       const char **reason);

/* Connect to the zygote of slot `slot`; a send that cannot go on for
 * send_ms fails (a zygote that stopped reading cannot hold the supervisor
 * past the request's wall time).  Returns a connected stream socket
 * (O_CLOEXEC), ZYG_NONE when there is none (no socket file, or nobody
 * accepts on it), or -1 with *reason. */
int zyg_connect(const char *run_dir, const char *user, unsigned slot, uint64_t send_ms,
		 const char **reason);

/* Replace the slot's socket file with a new listening socket (backlog 1;
 * not close-on-exec only once the caller dup2s it onto 3).  Returns it, or
 * -1 with *reason. */
int zyg_listen(const char *run_dir, const char *user, unsigned slot, const char **reason);

/* The peer of a connected socket: its pid and uid as the kernel recorded
 * them at connect/listen (SO_PEERCRED).  0, or -1 with *reason. */
int zyg_peer(int fd, pid_t *pid, uid_t *uid, const char **reason);

/* Send a request frame: its first WP_HEADER bytes with the four
 * descriptors (SCM_RIGHTS), then the rest; MSG_NOSIGNAL.  0, or -1. */
int zyg_send(int fd, const uint8_t *frame, size_t len, const int fds[4],
	      const char **reason);

#endif
