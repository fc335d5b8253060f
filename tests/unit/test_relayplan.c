/* test_relayplan.c - which standard descriptors the supervisor relays, and
 * what a relay step's result means (wrapper/logic/relayplan.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <sys/stat.h>

#include "relayplan.h"

#define FIFO(ino) { true, S_IFIFO | 0600, 12, (ino) }
#define SOCK(ino) { true, S_IFSOCK | 0777, 8, (ino) }
#define FILE_(ino) { true, S_IFREG | 0644, 2049, (ino) }
#define DEVNULL { true, S_IFCHR | 0666, 5, 4 }
#define TTY { true, S_IFCHR | 0620, 5, 34 }
#define DIR_(ino) { true, S_IFDIR | 0755, 2049, (ino) }

Test(relayplan, only_pipes_and_sockets_need_a_relay)
{
	cr_expect(rp_needs_relay(S_IFIFO | 0600));
	cr_expect(rp_needs_relay(S_IFSOCK | 0777));
	cr_expect_not(rp_needs_relay(S_IFREG | 0644), "a regular file (a POST body spooled to disk)");
	cr_expect_not(rp_needs_relay(S_IFCHR | 0666), "/dev/null, a terminal");
	cr_expect_not(rp_needs_relay(S_IFBLK | 0660));
	cr_expect_not(rp_needs_relay(S_IFDIR | 0755));
	cr_expect_not(rp_needs_relay(S_IFLNK | 0777));
}

struct plan_case {
	const char *name;
	struct rp_fd fds[RP_NSTD];
	enum rp_how how[RP_NSTD];
	bool nonblock[RP_NSTD];
	bool stdin_shared;
};

static const struct plan_case plans[] = {
	{ "mod_cgi: three pipes", { FIFO(1), FIFO(2), FIFO(3) },
	  { RP_RELAY, RP_RELAY, RP_RELAY }, { false, false, false }, false },
	{ "stdin /dev/null, stdout a pipe, stderr a log file", { DEVNULL, FIFO(2), FILE_(9) },
	  { RP_DIRECT, RP_RELAY, RP_DIRECT }, { false, false, false }, false },
	{ "lighttpd: the body spooled to a file", { FILE_(7), FIFO(2), FIFO(3) },
	  { RP_DIRECT, RP_RELAY, RP_RELAY }, { false, false, false }, false },
	{ "2>&1 on one pipe: stderr shares stdout's relay", { DEVNULL, FIFO(2), FIFO(2) },
	  { RP_DIRECT, RP_RELAY, RP_SHARED }, { false, false, false }, false },
	{ "mod_cgid: one socket both ways, stderr a pipe", { SOCK(5), SOCK(5), FIFO(3) },
	  { RP_RELAY, RP_RELAY, RP_RELAY }, { true, false, false }, true },
	{ "one socket on all three", { SOCK(5), SOCK(5), SOCK(5) },
	  { RP_RELAY, RP_RELAY, RP_SHARED }, { true, false, false }, true },
	{ "two sockets: each set non-blocking once", { SOCK(5), SOCK(6), SOCK(6) },
	  { RP_RELAY, RP_RELAY, RP_SHARED }, { true, true, false }, false },
	{ "stdin and stderr the same socket", { SOCK(5), FIFO(2), SOCK(5) },
	  { RP_RELAY, RP_RELAY, RP_RELAY }, { true, false, false }, true },
	{ "a terminal is not relayed", { TTY, TTY, TTY },
	  { RP_DIRECT, RP_DIRECT, RP_DIRECT }, { false, false, false }, true },
	{ "same inode on another device is another file", { DEVNULL, FIFO(2), { true, S_IFIFO | 0600, 13, 2 } },
	  { RP_DIRECT, RP_RELAY, RP_RELAY }, { false, false, false }, false },
	{ "a directory (never relayed)", { DIR_(2), FIFO(3), FIFO(4) },
	  { RP_DIRECT, RP_RELAY, RP_RELAY }, { false, false, false }, false },
	{ "fstat failed: given as is", { { false, S_IFIFO, 12, 1 }, FIFO(2), FIFO(3) },
	  { RP_DIRECT, RP_RELAY, RP_RELAY }, { false, false, false }, false },
};

Test(relayplan, plans)
{
	for (size_t k = 0; k < sizeof(plans) / sizeof(plans[0]); k++) {
		const struct plan_case *c = &plans[k];
		struct rp_plan p;

		rp_plan_fds(c->fds, &p);
		for (int i = 0; i < RP_NSTD; i++) {
			cr_expect_eq(p.how[i], c->how[i], "%s: fd %d how %d, want %d", c->name, i,
				     p.how[i], c->how[i]);
			cr_expect_eq(p.nonblock[i], c->nonblock[i], "%s: fd %d nonblock", c->name, i);
		}
		cr_expect_eq(rp_stdin_shared(&p), c->stdin_shared, "%s: stdin shared", c->name);
	}
}

Test(relayplan, same_as_names_the_lowest_fd)
{
	const struct rp_fd fds[RP_NSTD] = { SOCK(5), SOCK(5), SOCK(5) };
	struct rp_plan p;

	rp_plan_fds(fds, &p);
	cr_expect_eq(p.same_as[0], -1);
	cr_expect_eq(p.same_as[1], 0);
	cr_expect_eq(p.same_as[2], 0);
}

struct step_case {
	const char *name;
	enum rp_op op;
	ssize_t r;
	int err;
	enum rp_step want;
};

static const struct step_case steps[] = {
	{ "bytes moved in", RP_SPLICE_IN, 4096, 0, RP_MOVED },
	{ "bytes moved out", RP_SPLICE_OUT, 1, 0, RP_MOVED },
	{ "the body ended", RP_SPLICE_IN, 0, 0, RP_EOF },
	{ "the script's output ended", RP_SPLICE_OUT, 0, 0, RP_EOF },
	{ "read: end", RP_READ, 0, 0, RP_EOF },
	{ "write of nothing: wait", RP_WRITE, 0, 0, RP_BLOCKED },
	{ "pipe full", RP_SPLICE_IN, -1, EAGAIN, RP_BLOCKED },
	{ "socket full", RP_SPLICE_OUT, -1, EWOULDBLOCK, RP_BLOCKED },
	{ "interrupted", RP_SPLICE_OUT, -1, EINTR, RP_RETRY },
	{ "interrupted read", RP_READ, -1, EINTR, RP_RETRY },
	{ "splice refused in", RP_SPLICE_IN, -1, EINVAL, RP_NO_SPLICE },
	{ "splice refused out", RP_SPLICE_OUT, -1, EINVAL, RP_NO_SPLICE },
	{ "the script closed stdin", RP_SPLICE_IN, -1, EPIPE, RP_DST_GONE },
	{ "the web server's stdin broke", RP_SPLICE_IN, -1, ECONNRESET, RP_SRC_FAILED },
	{ "stdin I/O error", RP_SPLICE_IN, -1, EIO, RP_SRC_FAILED },
	{ "the client went away (pipe)", RP_SPLICE_OUT, -1, EPIPE, RP_DST_GONE },
	{ "the client went away (socket)", RP_SPLICE_OUT, -1, ECONNRESET, RP_DST_GONE },
	{ "stdout socket not connected", RP_SPLICE_OUT, -1, ENOTCONN, RP_DST_GONE },
	{ "read failed", RP_READ, -1, EIO, RP_SRC_FAILED },
	{ "read EINVAL is no splice matter", RP_READ, -1, EINVAL, RP_SRC_FAILED },
	{ "write EPIPE", RP_WRITE, -1, EPIPE, RP_DST_GONE },
	{ "write EINVAL", RP_WRITE, -1, EINVAL, RP_DST_GONE },
	{ "write would block", RP_WRITE, -1, EAGAIN, RP_BLOCKED },
};

Test(relayplan, classify)
{
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		const struct step_case *c = &steps[k];
		enum rp_step got = rp_classify(c->op, c->r, c->err);

		cr_expect_eq(got, c->want, "%s: got %d want %d", c->name, got, c->want);
	}
}

Test(relayplan, wants_backpressure)
{
	struct rp_want w;

	w = rp_wants(false, false, 0);
	cr_expect(w.src == -1 && w.dst == -1, "an ended relay is not polled");
	w = rp_wants(true, false, 0);
	cr_expect(w.src == POLLIN && w.dst == 0,
		  "idle: read the source, watch the destination for errors");
	w = rp_wants(true, true, 0);
	cr_expect(w.src == -1 && w.dst == POLLOUT,
		  "destination full: the source is not read until it takes data");
	w = rp_wants(true, false, 100);
	cr_expect(w.src == -1 && w.dst == POLLOUT, "bytes buffered: write them first");
}
