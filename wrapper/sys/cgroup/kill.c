/* kill.c - end every process of a request's leaf and wait until it is
 * empty (cgroup.h has the method per cgroup version).
 *
 * System calls, in order: v2: write cgroup.kill, pread+poll cgroup.events.
 * v1 (and v2 before 5.14), per round until empty: read cgroup.procs of
 * each leaf; [rounds after the first, with the freezer: freezer.state
 * FROZEN, read until FROZEN]; read cgroup.procs, pidfd_open each pid, read
 * cgroup.procs again, pidfd_send_signal(SIGKILL) each pid listed both
 * times, close; [freezer.state THAWED]; read cgroup.procs until empty
 * (nanosleep backoff). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgint.h"
#include "err.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define MAXP 1024 /* pids signalled per round */

/* cgroup.procs of dirfd into pids[].  Returns the count (at most MAXP; a
 * longer file is cut at its last complete line) or -1. */
static int read_pids(int dirfd, pid_t *pids)
{
	static char buf[65536];
	ssize_t len = cgfs_read(dirfd, "cgroup.procs", buf, sizeof buf);

	if (len < 0)
		return -1;
	if ((size_t)len == sizeof buf - 1) {
		char *nl = strrchr(buf, '\n');

		if (nl == NULL) {
			errno = EOVERFLOW;
			return -1;
		}
		nl[1] = '\0';
	}
	len = cgl_parse_pids(buf, pids, MAXP);
	if (len < 0)
		errno = EPROTO;
	return (int)len;
}

int cg_leaf_list(const struct cg_leaf *leaf, pid_t *out, int max)
{
	static pid_t pids[MAXP];
	int found = -1;

	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		if (leaf->fd[i] < 0)
			continue;
		int n = read_pids(leaf->fd[i], pids);
		if (n < 0 || n > max || (found >= 0 && n != found))
			return -1;
		for (int j = 0; j < n; j++) {
			bool same = found < 0;

			for (int k = 0; k < found && !same; k++)
				same = out[k] == pids[j];
			if (!same)
				return -1;
		}
		if (found < 0)
			memcpy(out, pids, (size_t)n * sizeof(*out));
		found = n;
	}
	return found < 0 ? 0 : found;
}

pid_t cg_leaf_single(const struct cg_leaf *leaf)
{
	pid_t one;

	return cg_leaf_list(leaf, &one, 1) == 1 ? one : 0;
}

/* Processes left in the leaf (all leaf hierarchies), or -1. */
int cg_leaf_count(const struct cg_leaf *leaf)
{
	static pid_t pids[MAXP];
	int total = 0;

	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		int n;

		if (leaf->fd[i] < 0)
			continue;
		n = read_pids(leaf->fd[i], pids);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

/* SIGKILL every process cgroup.procs of dirfd lists both before and after
 * its pidfd was opened: a pid recycled in between is never hit.  Without
 * pidfds (< 5.3): kill() of every pid listed twice (a pid recycled between
 * the two reads and the kill could be hit: only on kernels that old).
 * Returns the number of pids listed first, or -1. */
static int signal_listed(int dirfd, const char **reason)
{
	static pid_t a[MAXP], b[MAXP];
	static int pfd[MAXP]; /* a pidfd, or -errno of pidfd_open */
	int na = read_pids(dirfd, a), nb, ret = 0;

	if (na <= 0)
		return na < 0 ? err_sys(reason, "cannot read cgroup.procs") : 0;
	for (int i = 0; i < na; i++) {
		pfd[i] = (int)syscall(SYS_pidfd_open, a[i], 0);
		if (pfd[i] < 0)
			pfd[i] = -errno;
	}
	nb = read_pids(dirfd, b);
	for (int i = 0; i < na; i++) {
		bool listed = false;
		long r = 0;

		for (int j = 0; j < nb && !listed; j++)
			listed = b[j] == a[i];
		if (listed && ret == 0 && pfd[i] >= 0)
			r = syscall(SYS_pidfd_send_signal, pfd[i], SIGKILL, NULL, 0);
		else if (listed && ret == 0 && pfd[i] == -ENOSYS)
			r = kill(a[i], SIGKILL);
		if (r != 0 && errno != ESRCH)
			ret = err_sysn(reason, errno == EPERM ?
				   "not permitted to signal the request's processes (CAP_KILL needed)" :
				   "cannot signal the request's processes", errno);
		if (pfd[i] >= 0)
			(void)close(pfd[i]);
	}
	if (nb < 0 && ret == 0)
		ret = err_sysn(reason, "cannot read cgroup.procs", errno);
	return ret < 0 ? -1 : na;
}

/* v1 freezer: FROZEN, wait (at most 10 ms) for the state to settle, kill
 * what is listed, THAWED (SIGKILL takes effect on thaw).  Each of the two
 * writes costs ~4 ms here (measured on kernel 6.18), hence only when a
 * plain round was not enough. */
static int freeze_kill(int frz, const char **reason)
{
	char st[32];
	long until = cg_now_ms() + 10, us = 50;
	int ret;

	if (cgfs_write(frz, "freezer.state", "FROZEN") != 0)
		return err_sysn(reason, "cannot write freezer.state", errno);
	while (cgfs_read(frz, "freezer.state", st, sizeof st) >= 0 &&
	       cgl_freezer_state(st) == CGF_FREEZING && cg_now_ms() < until)
		cg_sleep_us(cg_backoff(&us));
	ret = signal_listed(frz, reason) < 0 ? -1 : 0;
	if (cgfs_write(frz, "freezer.state", "THAWED") != 0 && ret == 0)
		ret = err_sysn(reason, "cannot write freezer.state", errno);
	return ret;
}

/* v1 (and v2 before cgroup.kill).  Round 0: SIGKILL what one hierarchy's
 * cgroup.procs lists (they all hold the same processes) and give them
 * 5 ms to go: enough unless processes fork while being killed.  Later
 * rounds, until empty or the deadline: with the freezer, FROZEN + SIGKILL +
 * THAWED, so nothing can fork or exit between the listing and the signal;
 * then (and without the freezer) every hierarchy's listing. */
static int kill_loop(const struct cg_leaf *leaf, long deadline, const char **reason)
{
	int frz = -1;

	for (unsigned i = 0; i < leaf->ctx->nh; i++)
		if ((leaf->ctx->h[i].ctrls & CG_BIT(CG_FREEZER)) && leaf->fd[i] >= 0)
			frz = leaf->fd[i];
	for (unsigned round = 0;; round++) {
		long until, us = 50;
		int n = cg_leaf_count(leaf);

		if (n < 0)
			return err_sysn(reason, "cannot read cgroup.procs", errno);
		if (n == 0)
			return 0;
		if (round > 0 && cg_now_ms() >= deadline)
			return cg_refuse(reason, "processes of the request survived SIGKILL", ETIMEDOUT);
		if (round > 0 && frz >= 0 && freeze_kill(frz, reason) != 0)
			return -1;
		for (unsigned i = 0; i < leaf->ctx->nh; i++) {
			int k;

			if (leaf->fd[i] < 0 || (round > 0 && leaf->fd[i] == frz))
				continue;
			k = signal_listed(leaf->fd[i], reason);
			if (k < 0)
				return -1;
			if (round == 0 && k > 0)
				break;
		}
		/* Let the killed exit before another round. */
		until = cg_now_ms() + (round == 0 ? 5 : 20);
		while (cg_leaf_count(leaf) > 0 && cg_now_ms() < until && cg_now_ms() < deadline)
			cg_sleep_us(cg_backoff(&us));
	}
}

/* v2: wait until cgroup.events says "populated 0". */
static int wait_unpopulated(int dirfd, long deadline, const char **reason)
{
	int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return err_sysn(reason, "cannot open cgroup.events", errno);
	for (;;) {
		char buf[256];
		uint64_t pop = 1;
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		long left;
		struct pollfd p = { .fd = fd, .events = POLLPRI };

		if (n < 0) {
			(void)err_sys(reason, "cannot read cgroup.events");
			break;
		}
		buf[n] = '\0';
		if (cgl_find_key(buf, "populated", &pop) != 0) {
			(void)cg_refuse(reason, "cgroup.events has no populated line", EPROTO);
			break;
		}
		if (pop == 0)
			return close(fd) == 0 ? 0 : err_sys(reason, "cannot close cgroup.events");
		left = deadline - cg_now_ms();
		if (left <= 0) {
			(void)cg_refuse(reason, "processes of the request survived cgroup.kill", ETIMEDOUT);
			break;
		}
		if (poll(&p, 1, (int)(left > 50 ? 50 : left)) < 0 && errno != EINTR) {
			(void)err_sys(reason, "poll on cgroup.events failed");
			break;
		}
	}
	int e = errno;

	(void)close(fd);
	errno = e;
	return -1;
}

int cg_leaf_kill(const struct cg_leaf *leaf, int timeout_ms, const char **reason)
{
	long deadline = cg_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	bool any = false;

	for (unsigned i = 0; i < leaf->ctx->nh; i++)
		any = any || leaf->fd[i] >= 0;
	if (!any)
		return cg_refuse(reason, "no request cgroup", EBADF);
	if (leaf->ctx->version == CG_V2 && leaf->fd[0] >= 0) {
		if (cgfs_write(leaf->fd[0], "cgroup.kill", "1") == 0)
			return wait_unpopulated(leaf->fd[0], deadline, reason);
		if (errno != ENOENT)
			return err_sysn(reason, "cannot write cgroup.kill", errno);
		/* < 5.14: no cgroup.kill */
	}
	return kill_loop(leaf, deadline, reason);
}
