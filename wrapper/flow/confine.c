/* confine.c - see confine.h for the order of the steps. */
#include "confine.h"

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "landlock.h"
#include "process.h"
#include "rlimits.h"
#include "scfilter.h"

/* One write per message: the pipe keeps it whole (< PIPE_BUF). */
static void send_msg(int fd, char kind, int status, const char *what,
		     const char *why)
{
	char msg[SB_MSG_MAX];
	int n;

	if (kind == 'E')
		n = snprintf(msg, sizeof(msg), "E%d %s%s%s", status, what,
			     why ? ": " : "", why ? why : "");
	else
		n = snprintf(msg, sizeof(msg), "N%s%s%s", what, why ? ": " : "",
			     why ? why : "");
	if (n > 0)
		(void)!write(fd, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

static _Noreturn void die(int fd, int status, const char *what, const char *why)
{
	send_msg(fd, 'E', status, what, why);
	_exit(status);
}

/* die() for a failed system call: errno named in the reason (err.h). */
static _Noreturn void die_sys(int fd, int status, const char *what)
{
	const char *why = NULL;

	(void)err_sys(&why, what);
	die(fd, status, why, NULL);
}

/* POLLERR on a pipe's write end: its read end is closed everywhere. */
static bool supervisor_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };

	return poll(&p, 1, 0) != 0 && (p.revents & (POLLERR | POLLNVAL)) != 0;
}

void confine_exec(const struct sb_plan *p, int fd, bool in_cgroup,
		  const struct relay *relay, const struct confine_zygote *zygote)
{
	const char *why = NULL;
	sigset_t none;

	/* 0. The relay pipes' ends on stdin, stdout and stderr, in place of
	 *    the web server's pipes and sockets (supervise.h); a zygote
	 *    serves many requests and keeps none of this one's descriptors. */
	if (zygote != NULL) {
		if (proc_zygote_fds(zygote->listen_fd) != 0)
			die_sys(fd, CGIJAIL_EXIT_SANDBOX, "cannot set up the zygote's descriptors");
	} else if (relay_child(relay) != 0) {
		die_sys(fd, CGIJAIL_EXIT_SANDBOX, "cannot set up stdin, stdout and stderr");
	}

	/* 1. Into the request's cgroup while still root, unless the clone
	 *    put it there (cgroup v2). */
	if (p->leaf != NULL && !in_cgroup && cg_leaf_attach(p->leaf, &why) != 0) {
		if (p->cgroup == POLICY_REQUIRED)
			die(fd, CGIJAIL_EXIT_SANDBOX, "cannot enter the request cgroup", why);
		send_msg(fd, 'N', 0, "cgroup attach failed (best-effort)", why);
	}

	/* 2. A process group of its own: the supervisor's fallback handle. */
	if (setpgid(0, 0) != 0)
		die_sys(fd, CGIJAIL_EXIT_SANDBOX, "setpgid failed");

	/* 3. Become the target, completely. */
	if (proc_drop_privileges(p->tgt, p->gid, &why) != 0)
		die(fd, CGIJAIL_EXIT_PRIV, why, NULL);

	/* 4. Die with the supervisor: a SIGKILL parent-death signal (the id
	 *    switch clears it, so it comes after it; the seccomp filter keeps
	 *    the script from clearing it).  getppid() says nothing across the
	 *    pid namespace: the supervisor is gone when the status pipe has no
	 *    reader left. */
	if (zygote == NULL && prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) != 0)
		die_sys(fd, CGIJAIL_EXIT_SANDBOX, "cannot set the parent-death signal");
	if (supervisor_gone(fd))
		die(fd, CGIJAIL_EXIT_SANDBOX, "the supervisor is gone", NULL);

	/* 5. Resource limits (memory and tasks are the cgroup's). */
	if (rl_apply(p->rl, p->nrl, &why) != 0)
		die(fd, CGIJAIL_EXIT_SANDBOX, "cannot set resource limit", why);

	/* 6. The supervisor blocked its signals before the fork. */
	if (sigemptyset(&none) != 0 || sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		die_sys(fd, CGIJAIL_EXIT_SANDBOX, "cannot reset the signal mask");

	/* 7. Landlock, as the target user. */
	if (p->ll != NULL) {
		int rc = ll_apply(p->ll, &why);
		if (rc != LL_OK) {
			if (p->landlock == POLICY_REQUIRED)
				die(fd, CGIJAIL_EXIT_SANDBOX, "landlock", why);
			send_msg(fd, 'N', 0, "landlock (best-effort)", why);
		}
	}

	/* 8. seccomp, last. */
	if (p->seccomp && sc_apply(p->net, &why) != 0)
		die(fd, CGIJAIL_EXIT_SANDBOX, "seccomp", why);

	/* 9. The interpreter on the script. */
	if (zygote != NULL)
		(void)proc_exec(p->dirfd, p->umask, p->interpreter, zygote->argv, zygote->envp,
				&why);
	else
		(void)proc_exec(p->dirfd, p->umask, p->interpreter, p->argv, p->envp, &why);
	die(fd, CGIJAIL_EXIT_EXEC, why, NULL);
}
