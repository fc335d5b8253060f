/* process.c - see process.h for the order of the steps. */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"

extern char **environ;

/* fds 0-2 must be open and usable in their direction: a closed one (or the
 * placeholder glibc puts there for a setuid program: /dev/full for 0,
 * /dev/null read-only for 1 and 2) becomes /dev/null, readable for 0 and
 * writable for 1 and 2, so the script never meets EBADF on them. */
static int ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int want = fd == 0 ? O_RDONLY : O_WRONLY;
		int fl = fcntl(fd, F_GETFL);

		if (fl == -1 && errno != EBADF)
			return -1;
		if (fl != -1 && ((fl & O_ACCMODE) == O_RDWR || (fl & O_ACCMODE) == want))
			continue;
		int nfd = open("/dev/null", want | O_CLOEXEC);
		if (nfd < 0)
			return -1;
		if (nfd != fd) {
			/* dup2 clears O_CLOEXEC on the new descriptor. */
			if (dup2(nfd, fd) != fd) {
				(void)close(nfd);
				return -1;
			}
			(void)close(nfd);
		} else if (fcntl(fd, F_SETFD, 0) != 0) {
			return -1;
		}
	}
	return 0;
}

static int reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	if (sigemptyset(&sa.sa_mask) != 0)
		return -1;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* Signals the C library reserves (SIGRTMIN-1..) refuse EINVAL. */
		if (sigaction(sig, &sa, NULL) != 0 && errno != EINVAL)
			return -1;
	}
	if (sigemptyset(&none) != 0 || sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		return -1;
	return 0;
}

int proc_sanitize(char ***caller_env, const char **reason)
{
	/* Nothing below may see the caller's variables (NSS, syslog, libc). */
	*caller_env = environ;
	environ = NULL;
	(void)umask(077);
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
		return err_sys(reason, "cannot close inherited file descriptors");
	}
	if (ensure_std_fds() != 0) {
		return err_sys(reason, "cannot open /dev/null for a missing standard descriptor");
	}
	if (reset_signals() != 0) {
		return err_sys(reason, "cannot reset signal dispositions");
	}
	return 0;
}

static bool same_group_set(const gid_t *want, size_t nwant, const gid_t *have,
			   size_t nhave)
{
	for (size_t i = 0; i < nhave; i++) {
		bool found = false;
		for (size_t j = 0; j < nwant && !found; j++)
			found = have[i] == want[j];
		if (!found)
			return false;
	}
	for (size_t j = 0; j < nwant; j++) {
		bool found = false;
		for (size_t i = 0; i < nhave && !found; i++)
			found = have[i] == want[j];
		if (!found)
			return false;
	}
	return true;
}

static int caps_all_clear(void)
{
	cap_t now = cap_get_proc();
	cap_t none = cap_init();
	int rc = -1;

	if (now && none && cap_compare(now, none) == 0)
		rc = 0;
	if (now)
		(void)cap_free(now);
	if (none)
		(void)cap_free(none);
	if (rc != 0)
		return -1;
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (cap_get_bound(c) != 0)
			return -1;
		if (cap_get_ambient(c) != 0)
			return -1;
	}
	return 0;
}

/* What the script and the supervisor both give up while still root:
 * root's special treatment (securebits, locked as the caller says), the
 * whole bounding set and the ambient set.  The messages name the step for
 * the caller's process. */
struct lockout_msgs {
	const char *secbits, *bound, *ambient;
};

static int lock_out_root(unsigned secbits, const struct lockout_msgs *m,
			 const char **reason)
{
	if (cap_set_secbits(secbits) != 0) {
		*reason = m->secbits;
		return -1;
	}
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (cap_drop_bound(c) != 0) {
			*reason = m->bound;
			return -1;
		}
	}
	if (cap_reset_ambient() != 0) {
		*reason = m->ambient;
		return -1;
	}
	return 0;
}

int proc_drop_privileges(const struct identity *t, gid_t gid, const char **reason)
{
	static const struct lockout_msgs msgs = {
		"cannot set securebits",
		"cannot drop the capability bounding set",
		"cannot clear ambient capabilities",
	};
	const unsigned secbits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
				 SECBIT_NO_SETUID_FIXUP_LOCKED |
				 SECBIT_KEEP_CAPS_LOCKED |
				 SECBIT_NO_CAP_AMBIENT_RAISE |
				 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	gid_t have[IDS_MAX_GROUPS];
	cap_t none;

	if (t->uid == 0 || gid == 0) {
		*reason = "refusing to switch to root";
		return -1;
	}
	/* While still privileged: lock root out of capabilities for good. */
	if (lock_out_root(secbits, &msgs, reason) != 0)
		return -1;
	if (setgroups(t->ngroups, t->groups) != 0) {
		return err_sys(reason, "setgroups failed");
	}
	if (setresgid(gid, gid, gid) != 0) {
		return err_sys(reason, "setresgid failed");
	}
	if (setresuid(t->uid, t->uid, t->uid) != 0) {
		return err_sys(reason, "setresuid failed");
	}
	none = cap_init();
	if (none == NULL || cap_set_proc(none) != 0) {
		int e = errno;

		if (none)
			(void)cap_free(none);
		return err_sysn(reason, "cannot clear capability sets", e);
	}
	(void)cap_free(none);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
		return err_sys(reason, "cannot set no_new_privs");
	}

	/* Verify: nothing privileged may remain. */
	if (getresuid(&ru, &eu, &su) != 0 || ru != t->uid || eu != t->uid ||
	    su != t->uid) {
		*reason = "uid verification failed";
		return -1;
	}
	if (getresgid(&rg, &eg, &sg) != 0 || rg != gid || eg != gid || sg != gid) {
		*reason = "gid verification failed";
		return -1;
	}
	int n = getgroups(IDS_MAX_GROUPS, have);
	if (n < 0 || !same_group_set(t->groups, t->ngroups, have, (size_t)n)) {
		*reason = "supplementary group verification failed";
		return -1;
	}
	if (setuid(0) != -1 || setgid(0) != -1 || setreuid((uid_t)-1, 0) != -1) {
		*reason = "could regain root after the switch";
		return -1;
	}
	if (caps_all_clear() != 0) {
		*reason = "capabilities remain after the switch";
		return -1;
	}
	if (cap_get_secbits() != secbits ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0L, 0L, 0L, 0L) != 1) {
		*reason = "securebits or no_new_privs verification failed";
		return -1;
	}
	return 0;
}

int proc_supervisor_privileges(const char **reason)
{
	static const struct lockout_msgs msgs = {
		"cannot set the supervisor's securebits",
		"cannot drop the supervisor's bounding set",
		"cannot clear the supervisor's ambient set",
	};
	const unsigned secbits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
				 SECBIT_NO_CAP_AMBIENT_RAISE |
				 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	const cap_value_t keep[] = { CAP_KILL };
	const struct rlimit nocore = { 0, 0 };
	cap_t want, have;
	int same;

	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) != 0 ||
	    setrlimit(RLIMIT_CORE, &nocore) != 0) {
		return err_sys(reason, "cannot make the supervisor non-dumpable");
	}
	if (lock_out_root(secbits, &msgs, reason) != 0)
		return -1;
	want = cap_init();
	if (want == NULL || cap_set_flag(want, CAP_PERMITTED, 1, keep, CAP_SET) != 0 ||
	    cap_set_flag(want, CAP_EFFECTIVE, 1, keep, CAP_SET) != 0 ||
	    cap_set_proc(want) != 0) {
		int e = errno;

		if (want)
			(void)cap_free(want);
		return err_sysn(reason, "cannot reduce the supervisor's capabilities", e);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
		int e = errno;

		(void)cap_free(want);
		return err_sysn(reason, "cannot set the supervisor's no_new_privs", e);
	}
	have = cap_get_proc();
	same = have != NULL && cap_compare(have, want) == 0;
	(void)cap_free(want);
	if (have)
		(void)cap_free(have);
	if (!same || cap_get_bound(CAP_KILL) != 0 || cap_get_secbits() != secbits ||
	    prctl(PR_GET_DUMPABLE, 0L, 0L, 0L, 0L) != 0) {
		*reason = "the supervisor's privileges did not verify";
		return -1;
	}
	return 0;
}

int proc_stdin_devnull(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fd != STDIN_FILENO) {
		int r = dup2(fd, STDIN_FILENO);
		(void)close(fd);
		if (r != STDIN_FILENO)
			return -1;
	}
	return 0;
}

int proc_zygote_fds(int listen_fd)
{
	/* 3 first: listen_fd may be anything, even below 3. */
	if (listen_fd == 3) {
		if (fcntl(3, F_SETFD, 0) != 0)   /* inherited across the exec */
			return -1;
	} else if (dup2(listen_fd, 3) != 3) {  /* dup2 clears close-on-exec */
		return -1;
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return -1;
	for (int fd = 0; fd <= 2; fd++)
		if (null != fd && dup2(null, fd) != fd) {
			int e = errno;
			(void)close(null);
			errno = e;
			return -1;
		}
	if (null > 3)
		(void)close(null);
	return null == 3 ? -1 : 0;
}

int proc_exec(int dirfd, mode_t mask, const char *interpreter,
	      char *const argv[], char *const envp[], const char **reason)
{
	if (fchdir(dirfd) != 0) {
		return err_sys(reason, "cannot enter the script's directory");
	}
	(void)umask(mask);
	execve(interpreter, argv, envp);
	return err_sys(reason, "cannot execute the interpreter");
}

pid_t proc_fork_request(int cgroup_fd, bool *in_cgroup, const char **reason)
{
	*in_cgroup = false;
	if (cgroup_fd >= 0) {
		/* Raw clone3: glibc has no wrapper.  Like fork() without CLONE_VM
		 * (the child runs on a copy of this stack); unlike fork() glibc's
		 * atfork handlers do not run and the child's thread descriptor
		 * keeps this process's tid: the child is single-threaded, takes no
		 * lock another thread could hold, and never signals itself with
		 * raise() or pthread_kill() before its execve. */
		struct clone_args a = {
			.flags = CLONE_NEWPID | CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = (uint64_t)cgroup_fd,
		};
		long pid = syscall(SYS_clone3, &a, sizeof(a));

		if (pid >= 0) {
			*in_cgroup = true;
			return (pid_t)pid;
		}
		/* < 5.3 (no clone3), < 5.7 (no CLONE_INTO_CGROUP): the child
		 * joins its cgroup itself, as on cgroup v1. */
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return err_sys(reason, "clone3 into the request's cgroup failed");
	}
	if (unshare(CLONE_NEWPID) != 0)
		return err_sys(reason, "cannot create the request's pid namespace");
	pid_t pid = fork();

	if (pid < 0)
		return err_sys(reason, "fork failed");
	return pid;
}
