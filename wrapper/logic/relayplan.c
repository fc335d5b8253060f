/* relayplan.c - see relayplan.h.  Pure: no syscalls. */
#include "relayplan.h"

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>

bool rp_needs_relay(uint32_t mode)
{
	return S_ISFIFO(mode) || S_ISSOCK(mode);
}

void rp_plan_fds(const struct rp_fd fds[RP_NSTD], struct rp_plan *plan)
{
	for (int i = 0; i < RP_NSTD; i++) {
		const struct rp_fd *f = &fds[i];

		plan->how[i] = f->ok && rp_needs_relay(f->mode) ? RP_RELAY : RP_DIRECT;
		plan->same_as[i] = -1;
		for (int j = 0; j < i && plan->same_as[i] < 0; j++)
			if (f->ok && fds[j].ok && fds[j].dev == f->dev && fds[j].ino == f->ino)
				plan->same_as[i] = j;
		/* A socket is one open file description: set it once. */
		plan->nonblock[i] = plan->how[i] == RP_RELAY && S_ISSOCK(f->mode) &&
				    plan->same_as[i] < 0;
	}
	/* stderr on stdout's pipe or socket: the same relay pipe, in order. */
	if (plan->how[RP_STDERR] == RP_RELAY && plan->how[RP_STDOUT] == RP_RELAY &&
	    fds[RP_STDERR].dev == fds[RP_STDOUT].dev && fds[RP_STDERR].ino == fds[RP_STDOUT].ino)
		plan->how[RP_STDERR] = RP_SHARED;
}

bool rp_stdin_shared(const struct rp_plan *plan)
{
	return plan->same_as[RP_STDOUT] == RP_STDIN || plan->same_as[RP_STDERR] == RP_STDIN;
}

enum rp_step rp_classify(enum rp_op op, ssize_t r, int err)
{
	if (r > 0)
		return RP_MOVED;
	if (r == 0)
		return op == RP_WRITE ? RP_BLOCKED : RP_EOF;
	if (err == EINTR)
		return RP_RETRY;
	if (err == EAGAIN || err == EWOULDBLOCK)
		return RP_BLOCKED;
	switch (op) {
	case RP_SPLICE_IN:
		/* Into the script's stdin pipe: EPIPE is its reader gone; any
		 * other failure is the web server's side. */
		if (err == EINVAL)
			return RP_NO_SPLICE;
		return err == EPIPE ? RP_DST_GONE : RP_SRC_FAILED;
	case RP_SPLICE_OUT:
		/* From a relay pipe, which fails with nothing but EAGAIN: the
		 * error is the web server's descriptor. */
		return err == EINVAL ? RP_NO_SPLICE : RP_DST_GONE;
	case RP_READ:
		return RP_SRC_FAILED;
	case RP_WRITE:
	default:
		return RP_DST_GONE;
	}
}

struct rp_want rp_wants(bool on, bool dst_full, size_t buffered)
{
	struct rp_want w = { -1, -1 };

	if (!on)
		return w;
	if (dst_full || buffered > 0) {
		w.dst = POLLOUT;
	} else {
		w.src = POLLIN;
		w.dst = 0;
	}
	return w;
}
