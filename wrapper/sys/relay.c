/* relay.c - see relay.h; which descriptors, and what a result means, is
 * logic/relayplan.c's. */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "process.h"

/* One splice() moves at most what the relay pipe holds (64 KiB by
 * default); this only bounds a single call. */
#define RELAY_SPLICE_MAX ((size_t)1 << 20)
/* The fallback's buffer, per relay: untouched (and free) unless splice()
 * refuses a descriptor pair. */
#define RELAY_BUF ((size_t)64 << 10)

static unsigned char relay_bufs[RP_NSTD][RELAY_BUF];

enum { RELAY_OK = 0 };

static void close_script_ends(struct relay *r)
{
	for (int i = 0; i < RP_NSTD; i++) {
		int fd = r->script_end[i];

		if (fd < 0)
			continue;
		for (int j = i; j < RP_NSTD; j++)
			if (r->script_end[j] == fd)
				r->script_end[j] = -1;
		(void)close(fd);
	}
}

static void stop(struct relay *r, int i)
{
	struct relay_chan *c = &r->ch[i];

	if (c->own >= 0)
		(void)close(c->own);
	c->src = c->dst = c->own = -1;
	c->off = c->len = 0;
	c->dst_full = false;
}

/* O_NONBLOCK off again where relay_setup() set it (fd i still refers to
 * the socket it set it on). */
static void restore_flags(struct relay *r, int i)
{
	if (r->saved_fl[i] >= 0)
		(void)fcntl(i, F_SETFL, r->saved_fl[i]);
	r->saved_fl[i] = -1;
}

/* stdin's relay ended before its end of file (the script closed its
 * stdin, or is gone): the supervisor stops reading the request body, and
 * the web server sees its stdin without a reader (EPIPE), as it would if
 * the script had held the descriptor itself.  Not when the same socket is
 * stdout too. */
static int stdin_away(struct relay *r, const char **reason)
{
	stop(r, RP_STDIN);
	if (rp_stdin_shared(&r->plan))
		return 0;
	restore_flags(r, RP_STDIN);
	if (proc_stdin_devnull() != 0)
		return err_sys(reason, "cannot replace stdin");
	return 0;
}

int relay_setup(struct relay *r, const char **reason)
{
	struct rp_fd fds[RP_NSTD];

	for (int i = 0; i < RP_NSTD; i++) {
		r->ch[i] = (struct relay_chan){ .src = -1, .dst = -1, .own = -1,
						.budget = UINT64_MAX, .buf = relay_bufs[i] };
		r->script_end[i] = -1;
		r->saved_fl[i] = -1;
	}
	for (int i = 0; i < RP_NSTD; i++) {
		struct stat st;

		if (fstat(i, &st) != 0)
			return err_sys(reason, "cannot inspect the standard descriptors");
		fds[i] = (struct rp_fd){ true, st.st_mode, st.st_dev, st.st_ino };
	}
	rp_plan_fds(fds, &r->plan);
	for (int i = 0; i < RP_NSTD; i++) {
		struct relay_chan *c = &r->ch[i];
		int pfd[2];

		if (r->plan.how[i] != RP_RELAY)
			continue;
		if (pipe2(pfd, O_CLOEXEC) != 0) {
			int e = errno;

			relay_close(r);
			return err_sysn(reason, "cannot create a relay pipe", e);
		}
		if (i == RP_STDIN) {
			c->src = STDIN_FILENO;
			c->dst = c->own = pfd[1];
			r->script_end[i] = pfd[0];
		} else {
			c->src = c->own = pfd[0];
			c->dst = i;
			c->to_caller = true;
			r->script_end[i] = pfd[1];
		}
	}
	if (r->plan.how[RP_STDERR] == RP_SHARED)
		r->script_end[RP_STDERR] = r->script_end[RP_STDOUT];
	for (int i = 0; i < RP_NSTD; i++) {
		int fl;

		if (!r->plan.nonblock[i])
			continue;
		fl = fcntl(i, F_GETFL);
		if (fl < 0 || ((fl & O_NONBLOCK) == 0 && fcntl(i, F_SETFL, fl | O_NONBLOCK) != 0)) {
			int e = errno;

			relay_close(r);
			return err_sysn(reason, "cannot make a relayed socket non-blocking", e);
		}
		if ((fl & O_NONBLOCK) == 0)
			r->saved_fl[i] = fl;
	}
	return 0;
}

int relay_child(const struct relay *r)
{
	for (int i = 0; i < RP_NSTD; i++)
		if (r->script_end[i] >= 0 && dup2(r->script_end[i], i) != i)
			return -1;
	return 0;
}

void relay_parent(struct relay *r)
{
	close_script_ends(r);
}

static void poll_for(struct pollfd *pf, int fd, short events)
{
	pf->fd = -1;
	pf->events = 0;
	pf->revents = 0;
	if (events >= 0) {
		pf->fd = fd;
		pf->events = events;
	}
}

void relay_poll(const struct relay *r, struct pollfd p[RELAY_NPOLL])
{
	for (int i = 0; i < RP_NSTD; i++) {
		const struct relay_chan *c = &r->ch[i];
		struct rp_want w = rp_wants(c->src >= 0, c->dst_full, c->len);

		poll_for(&p[(size_t)i * 2], c->src, w.src);
		poll_for(&p[(size_t)i * 2 + 1], c->dst, w.dst);
	}
}

static short revents(const struct pollfd *pf)
{
	if (pf->fd < 0)
		return 0;
	return pf->revents;
}

/* The destination of relay i failed or lost its reader. */
static int dst_gone(struct relay *r, int i, const char **reason)
{
	if (i == RP_STDIN)
		return stdin_away(r, reason);
	stop(r, i);
	/* The web server stopped reading stdout: the client is gone.  A
	 * stderr without a reader only ends that relay: the script's
	 * writes to it fail as they would on the descriptor itself. */
	return i == RP_STDOUT ? RELAY_ABORT : RELAY_OK;
}

static void moved(struct relay *r, int i, size_t n)
{
	struct relay_chan *c = &r->ch[i];

	if (c->budget != UINT64_MAX)
		c->budget -= n < c->budget ? n : c->budget;
	if (c->budget == 0 && c->len == 0)
		stop(r, i);
}

/* Copy mode: write what buf holds. */
static int flush(struct relay *r, int i, const char **reason)
{
	struct relay_chan *c = &r->ch[i];
	ssize_t n = write(c->dst, c->buf + c->off, c->len);

	switch (rp_classify(RP_WRITE, n, errno)) {
	case RP_MOVED:
		c->off += (size_t)n;
		c->len -= (size_t)n;
		if (c->len > 0)
			c->dst_full = true;
		else
			moved(r, i, 0);
		return RELAY_OK;
	case RP_DST_GONE:
		return dst_gone(r, i, reason);
	default:
		c->dst_full = true;
		return RELAY_OK;
	}
}

/* Copy mode: read what the source has (buf is empty), then write it. */
static int copy_in(struct relay *r, int i, const char **reason)
{
	struct relay_chan *c = &r->ch[i];
	size_t want = c->budget < RELAY_BUF ? (size_t)c->budget : RELAY_BUF;
	ssize_t n = read(c->src, c->buf, want);

	switch (rp_classify(RP_READ, n, errno)) {
	case RP_MOVED:
		c->off = 0;
		c->len = (size_t)n;
		if (c->budget != UINT64_MAX)
			c->budget -= (size_t)n;
		return flush(r, i, reason);
	case RP_EOF:
	case RP_SRC_FAILED:
		stop(r, i);
		return RELAY_OK;
	default:
		return RELAY_OK;
	}
}

/* One move of relay i, whose source poll() found ready. */
static int move(struct relay *r, int i, const char **reason)
{
	struct relay_chan *c = &r->ch[i];
	size_t want = c->budget < RELAY_SPLICE_MAX ? (size_t)c->budget : RELAY_SPLICE_MAX;
	ssize_t n;

	if (c->copy)
		return copy_in(r, i, reason);
	n = splice(c->src, NULL, c->dst, NULL, want, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	switch (rp_classify(c->to_caller ? RP_SPLICE_OUT : RP_SPLICE_IN, n, errno)) {
	case RP_MOVED:
		moved(r, i, (size_t)n);
		return RELAY_OK;
	case RP_BLOCKED:
		/* After POLLIN on the source: the destination is full. */
		c->dst_full = true;
		return RELAY_OK;
	case RP_RETRY:
		return RELAY_OK;
	case RP_NO_SPLICE:
		/* The web server's descriptor is already non-blocking (a
		 * socket); read()/write() need the relay pipe's end to be. */
		if (fcntl(c->own, F_SETFL, O_NONBLOCK) != 0)
			return err_sys(reason, "cannot set up a relay pipe");
		c->copy = true;
		return copy_in(r, i, reason);
	case RP_DST_GONE:
		return dst_gone(r, i, reason);
	case RP_EOF:
	case RP_SRC_FAILED:
	default:
		/* stdin's end closes the script's stdin: it reads EOF. */
		stop(r, i);
		return RELAY_OK;
	}
}

int relay_events(struct relay *r, const struct pollfd p[RELAY_NPOLL], const char **reason)
{
	int ret = RELAY_OK;

	for (int i = 0; i < RP_NSTD && ret == RELAY_OK; i++) {
		struct relay_chan *c = &r->ch[i];
		short rs = revents(&p[(size_t)i * 2]);
		short rd = revents(&p[(size_t)i * 2 + 1]);

		if (c->src < 0)
			continue;
		if (rd & (POLLERR | POLLHUP | POLLNVAL)) {
			ret = dst_gone(r, i, reason);
			continue;
		}
		if (rd & POLLOUT) {
			c->dst_full = false;
			if (c->len > 0)
				ret = flush(r, i, reason);
			continue;
		}
		if (rs != 0)
			ret = move(r, i, reason);
	}
	return ret;
}

int relay_reaped(struct relay *r, const char **reason)
{
	if (r->ch[RP_STDIN].src >= 0 && stdin_away(r, reason) != 0)
		return -1;
	for (int i = RP_STDOUT; i < RP_NSTD; i++) {
		struct relay_chan *c = &r->ch[i];
		int avail = 0;

		if (c->src < 0)
			continue;
		/* What the request wrote is in the pipe now; what a process
		 * outside it writes later is not the request's. */
		if (ioctl(c->own, FIONREAD, &avail) != 0 || avail < 0)
			avail = 0;
		c->budget = (uint64_t)avail;
		moved(r, i, 0);
	}
	return 0;
}

bool relay_busy(const struct relay *r)
{
	for (int i = 0; i < RP_NSTD; i++)
		if (r->ch[i].src >= 0)
			return true;
	return false;
}

void relay_close(struct relay *r)
{
	for (int i = 0; i < RP_NSTD; i++)
		stop(r, i);
	close_script_ends(r);
	for (int i = 0; i < RP_NSTD; i++)
		restore_flags(r, i);
}
