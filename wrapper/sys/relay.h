/* relay.h - the supervisor's relay of stdin, stdout and stderr.
 *
 * Where each runs (the order is written in flow/supervise.h and
 * flow/confine.h):
 *   relay_setup()   supervise.h step 2, before the fork: fstat of fds 0-2,
 *                   a pipe for each one relayed (logic/relayplan.h says
 *                   which), O_NONBLOCK on a relayed socket
 *   relay_child()   confine.h step 0, in the script's child: the pipes'
 *                   script ends onto 0-2
 *   relay_parent()  supervise.h step 3: the supervisor closes those ends
 *   relay_poll(), relay_events()
 *                   supervise.h step 4, in the supervisor's poll loop
 *   relay_reaped()  supervise.h step 4, once the script is reaped
 *   relay_close()   supervise.h step 5: whatever is left is dropped, the
 *                   sockets' flags restored
 *
 * Each relay moves bytes as they come, never a whole body: splice(2)
 * (SPLICE_F_NONBLOCK | SPLICE_F_MOVE) between the web server's descriptor
 * and the relay pipe; where the kernel refuses (EINVAL) a read()/write()
 * through a bounded buffer.  A source is read only when its destination
 * can take data, so a slow reader slows the writer down and nothing
 * queues up in between beyond the pipes themselves. */
#ifndef CGIJAIL_RELAY_H
#define CGIJAIL_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relayplan.h"

#define RELAY_NPOLL (2 * RP_NSTD)   /* source and destination per relay */

struct relay_chan {
	int src, dst;           /* -1: the relay is off */
	int own;                /* the supervisor's end of the relay pipe */
	bool to_caller;         /* stdout/stderr: dst is the web server's */
	bool copy;              /* splice refused: read()/write() through buf */
	bool dst_full;          /* wait for POLLOUT on dst */
	size_t off, len;        /* copy mode: bytes of buf still to write */
	uint64_t budget;        /* bytes still to move; UINT64_MAX while the
				   script runs */
	unsigned char *buf;
};

struct relay {
	struct relay_chan ch[RP_NSTD];
	struct rp_plan plan;
	int script_end[RP_NSTD];    /* put on fd i in the child; -1: as is */
	int saved_fl[RP_NSTD];      /* file status flags before O_NONBLOCK */
};

/* Before the fork.  Returns 0, or -1 with *reason (everything it made is
 * closed again). */
int relay_setup(struct relay *r, const char **reason);

/* In the child: dup2() the script ends onto 0-2 (they are close-on-exec,
 * as are the supervisor's ends).  Returns 0 or -1 (errno set). */
int relay_child(const struct relay *r);

/* In the supervisor after the fork: close the script ends, so that the
 * script's exit is the pipes' end. */
void relay_parent(struct relay *r);

/* Fills p[0 .. RELAY_NPOLL - 1] (fd -1 where nothing is polled). */
void relay_poll(const struct relay *r, struct pollfd p[RELAY_NPOLL]);

/* Moves what poll() found ready.  Returns 0; RELAY_ABORT when the web
 * server's stdout failed (its reader is gone: a client abort); -1 with
 * *reason when the supervisor cannot go on. */
#define RELAY_ABORT 1
int relay_events(struct relay *r, const struct pollfd p[RELAY_NPOLL],
		 const char **reason);

/* The script is reaped: every process of the request is gone.  stdin's
 * relay stops; stdout and stderr may still deliver what their pipes hold
 * now (FIONREAD), and not a byte more: a process outside the request that
 * holds a write end the script passed out cannot keep the relay going.
 * Returns 0, or -1 with *reason. */
int relay_reaped(struct relay *r, const char **reason);

/* Something is still to be delivered to the web server. */
bool relay_busy(const struct relay *r);

/* Closes every relay pipe still open (what they hold is dropped) and
 * restores the flags of the relayed sockets. */
void relay_close(struct relay *r);

#endif
