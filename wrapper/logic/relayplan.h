/* relayplan.h - which standard descriptors the supervisor relays, and what
 * one step of a relay means (pure; the system calls are sys/relay.c's).
 *
 * A script must never hold a descriptor of the web server that keeps the
 * web server waiting: it could pass it to a process outside the request
 * (SCM_RIGHTS over a unix socket) and the web server would never see the
 * end of the response.  The supervisor relays such a descriptor through a
 * pipe of its own (supervise.h).  What can keep the caller waiting is a
 * pipe or a socket: its other end is the web server's, which sees EOF only
 * when every copy is closed.  A regular file, a character device
 * (/dev/null, a terminal) or anything else is handed to the script as it
 * is: a copy of it outside the request ties up nothing of the web server.
 *
 * stdout and stderr on the same pipe or socket (2>&1) share one relay pipe,
 * so that their order is kept.  A socket is made non-blocking while it is
 * relayed (splice(2) into a socket waits for room otherwise); a socket
 * seen twice (mod_cgid gives the same socket as stdin and stdout) is set,
 * and later restored, through its first descriptor only. */
#ifndef CGIJAIL_RELAYPLAN_H
#define CGIJAIL_RELAYPLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum { RP_STDIN, RP_STDOUT, RP_STDERR, RP_NSTD };

/* What fstat() said of fds 0-2. */
struct rp_fd {
	bool ok;                /* fstat succeeded */
	uint32_t mode;          /* st_mode */
	uint64_t dev, ino;
};

enum rp_how {
	RP_DIRECT,              /* the script gets the descriptor as it is */
	RP_RELAY,               /* a relay pipe of its own */
	RP_SHARED,              /* stderr: stdout's relay pipe (same file) */
};

struct rp_plan {
	enum rp_how how[RP_NSTD];
	bool nonblock[RP_NSTD]; /* set (and later restore) O_NONBLOCK here */
	int same_as[RP_NSTD];   /* a lower std fd on the same file, or -1 */
};

/* True for the file types a relay is needed for: pipes and sockets. */
bool rp_needs_relay(uint32_t mode);

void rp_plan_fds(const struct rp_fd fds[RP_NSTD], struct rp_plan *plan);

/* stdin is the same file as stdout or stderr (one socket both ways). */
bool rp_stdin_shared(const struct rp_plan *plan);

/* One move of a relay: splice() from the web server to a relay pipe
 * (RP_SPLICE_IN, stdin) or from a relay pipe to the web server
 * (RP_SPLICE_OUT, stdout and stderr), or the read()/write() of the
 * fallback, and what its result means. */
enum rp_op { RP_SPLICE_IN, RP_SPLICE_OUT, RP_READ, RP_WRITE };

enum rp_step {
	RP_MOVED,               /* r bytes moved */
	RP_EOF,                 /* the source ended */
	RP_BLOCKED,             /* would block: wait until the destination
				   takes data (POLLOUT) */
	RP_RETRY,               /* interrupted: try again after the next poll */
	RP_NO_SPLICE,           /* splice() cannot move between these two
				   descriptors: fall back to read()/write() */
	RP_DST_GONE,            /* the destination's reader is gone or broken */
	RP_SRC_FAILED,          /* the source failed: treated as its end */
};

enum rp_step rp_classify(enum rp_op op, ssize_t r, int err);

/* What one relay wants to be polled for: the source for POLLIN only when
 * the destination is known to take data (back-pressure: never read what
 * cannot be written), else the destination for POLLOUT.  The destination
 * is always polled, for its errors (POLLERR/POLLHUP).  -1: not polled. */
struct rp_want {
	short src;              /* events for the source, -1: not polled */
	short dst;              /* events for the destination, -1: not polled */
};

struct rp_want rp_wants(bool on, bool dst_full, size_t buffered);

#endif
