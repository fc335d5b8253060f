/* test_relay.c - the supervisor's relay of stdin, stdout and stderr
 * (wrapper/sys/relay.c), on real pipes and sockets, without root: a forked
 * helper plays the supervisor (relay_setup, fork, relay_child in the
 * "script", a shell command, and the poll loop of flow/supervise.c in
 * small), the test plays the web server. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

#define SV_ABORT 3

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The supervisor, in small: fds in/out/err become its 0-2. */
static _Noreturn void supervisor(int in, int out, int err, const char *cmd)
{
	struct relay r;
	const char *why = NULL;
	sigset_t pipe_set, none;
	bool reaped = false, draining = false;
	int st, ret = 0;

	if (dup2(in, 0) != 0 || dup2(out, 1) != 1 || dup2(err, 2) != 2)
		_exit(19);
	for (int fd = 3; fd < 64; fd++)
		(void)close(fd);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, NULL);
	if (relay_setup(&r, &why) != 0)
		_exit(20);
	pid_t pid = fork();
	if (pid < 0)
		_exit(21);
	if (pid == 0) {
		if (relay_child(&r) != 0)
			_exit(22);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(23);
	}
	relay_parent(&r);
	for (;;) {
		struct pollfd p[RELAY_NPOLL];
		int rc;

		if (!reaped && waitpid(pid, &st, WNOHANG) == pid)
			reaped = true;
		if (reaped && !draining) {
			if (relay_reaped(&r, &why) != 0)
				_exit(24);
			draining = true;
		}
		if (reaped && !relay_busy(&r))
			break;
		relay_poll(&r, p);
		if (poll(p, RELAY_NPOLL, 10) < 0 && errno != EINTR)
			_exit(25);
		rc = relay_events(&r, p, &why);
		if (rc < 0)
			_exit(26);
		if (rc == RELAY_ABORT) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, &st, 0);
			ret = SV_ABORT;
			break;
		}
	}
	relay_close(&r);
	_exit(ret);
}

static pid_t start(int in, int out, int err, const char *cmd)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		supervisor(in, out, err, cmd);
	return pid;
}

static int sv_status(pid_t pid)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "the supervisor died of a signal %d", WTERMSIG(st));
	return WEXITSTATUS(st);
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

/* The web server: writes body to wfd (then closes it, or shuts a socket
 * down for writing) while reading rfd into out, to EOF or until bytes.  Non-blocking, so
 * that neither side waits on the other.  Returns the errno that ended the
 * writing (0: all written). */
static int exchange(int wfd, bool wsock, const unsigned char *body, size_t blen, int rfd,
		    struct buf *out, size_t until, double max_s)
{
	size_t off = 0;
	int werr = 0;
	double end = now_s() + max_s;

	if (wfd >= 0)
		cr_assert_eq(fcntl(wfd, F_SETFL, O_NONBLOCK), 0);
	while (rfd >= 0) {
		struct pollfd p[2] = { { .fd = rfd, .events = POLLIN },
				       { .fd = wfd, .events = POLLOUT } };
		cr_assert_lt(now_s(), end, "the exchange did not end within %.0f s", max_s);
		cr_assert_geq(poll(p, 2, 100), 0);
		if (p[1].revents) {
			ssize_t n = off < blen ? write(wfd, body + off, blen - off) : 0;
			if (n > 0)
				off += (size_t)n;
			if (n < 0 && errno != EAGAIN)
				werr = errno;
			if (off == blen || werr) {
				if (wsock)
					(void)shutdown(wfd, SHUT_WR);
				else
					(void)close(wfd);
				wfd = -1;
			}
		}
		if (p[0].revents) {
			if (out->len == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 1 << 16;
				out->p = realloc(out->p, out->cap);
				cr_assert_not_null(out->p);
			}
			ssize_t n = read(rfd, out->p + out->len, out->cap - out->len);
			cr_assert_geq(n, 0, "read: %s", strerror(errno));
			out->len += (size_t)n;
			if (n == 0 || (until > 0 && out->len >= until))
				rfd = -1;
		}
	}
	if (wfd >= 0 && !wsock)
		(void)close(wfd);
	return werr;
}

static unsigned char *random_body(size_t n)
{
	unsigned char *b = malloc(n);
	uint32_t x = 2463534242u;

	cr_assert_not_null(b);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)x;
	}
	return b;
}

#define BODY (8u << 20)

Test(relay, pipes_echo_a_large_binary_body)
{
	int in[2], out[2], nul = open("/dev/null", O_WRONLY);
	struct buf got = { 0 };
	unsigned char *body = random_body(BODY);

	cr_assert(pipe(in) == 0 && pipe(out) == 0 && nul >= 0);
	pid_t sv = start(in[0], out[1], nul, "exec cat");
	close(in[0]);
	close(out[1]);
	cr_assert_eq(exchange(in[1], false, body, BODY, out[0], &got, 0, 60), 0);
	cr_assert_eq(sv_status(sv), 0);
	cr_assert_eq(got.len, BODY);
	cr_assert(memcmp(got.p, body, BODY) == 0, "the relay changed bytes");
	free(body);
	free(got.p);
}

static void socket_echo(bool append)
{
	int sp[2], nul = open("/dev/null", O_WRONLY);
	struct buf got = { 0 };
	unsigned char *body = random_body(BODY);

	cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0 && nul >= 0);
	/* O_APPEND on a socket: splice() into it fails with EINVAL, the relay
	 * falls back to read()/write(). */
	if (append)
		cr_assert_eq(fcntl(sp[1], F_SETFL, O_APPEND), 0);
	pid_t sv = start(sp[1], sp[1], nul, "exec cat");
	cr_assert_eq(exchange(sp[0], true, body, BODY, sp[0], &got, BODY, 60), 0);
	cr_assert_eq(sv_status(sv), 0);
	cr_assert_eq(got.len, BODY);
	cr_assert(memcmp(got.p, body, BODY) == 0, "the relay changed bytes");
	/* The socket's flags are the caller's again; then EOF, nothing more. */
	cr_assert_eq(fcntl(sp[1], F_GETFL) & O_NONBLOCK, 0);
	close(sp[1]);
	got.len = 0;
	exchange(-1, false, NULL, 0, sp[0], &got, 0, 10);
	cr_assert_eq(got.len, 0);
	free(body);
	free(got.p);
}

Test(relay, one_socket_both_ways)
{
	socket_echo(false);
}

Test(relay, socket_without_splice_falls_back_to_read_write)
{
	socket_echo(true);
}

Test(relay, stdout_and_stderr_on_one_pipe_keep_their_order)
{
	int out[2], nul = open("/dev/null", O_RDONLY);
	struct buf got = { 0 };

	cr_assert(pipe(out) == 0 && nul >= 0);
	pid_t sv = start(nul, out[1], out[1],
			 "for i in 1 2 3 4 5 6 7 8; do echo o$i; echo e$i >&2; done");
	close(out[1]);
	exchange(-1, false, NULL, 0, out[0], &got, 0, 30);
	cr_assert_eq(sv_status(sv), 0);
	const char *want = "o1\ne1\no2\ne2\no3\ne3\no4\ne4\no5\ne5\no6\ne6\no7\ne7\no8\ne8\n";
	cr_assert_eq(got.len, strlen(want));
	cr_assert(memcmp(got.p, want, got.len) == 0);
	free(got.p);
}

Test(relay, a_holder_outside_does_not_keep_the_caller_waiting)
{
	/* The script's stdout passed on to a process the supervisor does not
	 * wait for (here a background child that writes later): the caller
	 * gets what the script wrote, then EOF once the script is reaped,
	 * never the holder's bytes. */
	int out[2], nul = open("/dev/null", O_RDWR);
	struct buf got = { 0 };

	cr_assert(pipe(out) == 0 && nul >= 0);
	double t0 = now_s();
	pid_t sv = start(nul, out[1], nul, "(sleep 2; echo LEAK) & echo hi");
	close(out[1]);
	exchange(-1, false, NULL, 0, out[0], &got, 0, 30);
	double took = now_s() - t0;
	cr_assert_eq(sv_status(sv), 0);
	cr_assert_lt(took, 1.5, "EOF came only after %.2f s", took);
	cr_assert_eq(got.len, 3);
	cr_assert(memcmp(got.p, "hi\n", 3) == 0);
	free(got.p);
}

Test(relay, a_script_that_does_not_read_stdin)
{
	int in[2], out[2], nul = open("/dev/null", O_WRONLY);
	struct buf got = { 0 };
	unsigned char *body = random_body(BODY);

	cr_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	cr_assert(pipe(in) == 0 && pipe(out) == 0 && nul >= 0);
	pid_t sv = start(in[0], out[1], nul, "echo bye");
	close(in[0]);
	close(out[1]);
	cr_assert_eq(exchange(in[1], false, body, BODY, out[0], &got, 0, 30), EPIPE,
		     "the caller's write must fail, not hang");
	cr_assert_eq(sv_status(sv), 0);
	cr_assert_eq(got.len, 4);
	cr_assert(memcmp(got.p, "bye\n", 4) == 0);
	free(body);
	free(got.p);
}

Test(relay, the_caller_stops_reading)
{
	int out[2], nul = open("/dev/null", O_RDWR);
	char b[65536];
	size_t n = 0;

	cr_assert(pipe(out) == 0 && nul >= 0);
	pid_t sv = start(nul, out[1], nul, "exec yes relay");
	close(out[1]);
	while (n < (1u << 20)) {
		ssize_t r = read(out[0], b, sizeof(b));
		cr_assert_gt(r, 0);
		n += (size_t)r;
	}
	close(out[0]);
	cr_assert_eq(sv_status(sv), SV_ABORT);
}

Test(relay, a_regular_file_is_given_as_is)
{
	char path[] = "/tmp/cgijail-relay-XXXXXX";
	int f = mkstemp(path), nul = open("/dev/null", O_RDONLY);
	char b[16] = { 0 };

	cr_assert(f >= 0 && nul >= 0);
	unlink(path);
	pid_t sv = start(nul, f, f, "test -p /dev/stdout && echo pipe || echo file");
	cr_assert_eq(sv_status(sv), 0);
	cr_assert_eq(pread(f, b, sizeof(b) - 1, 0), 5);
	cr_assert_str_eq(b, "file\n");
}
