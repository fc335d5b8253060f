/* supervise.h - fork the script and watch it until the request ends.
 *
 * sv_run() order (the parent is the supervisor, the child runs
 * confine_exec(), confine.h):
 *   1. block SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE; signalfd
 *   2. status pipe (O_CLOEXEC), the child in a new pid namespace (the
 *      script is its init) and, on cgroup v2, started in its leaf
 *      (proc_fork_request: clone3 CLONE_INTO_CGROUP)
 *   3. supervisor: proc_supervisor_privileges() (uid 0 kept, every
 *      capability dropped but CAP_KILL, non-dumpable), stdin onto /dev/null,
 *      the script directory's fd closed
 *   4. poll: the signalfd (SIGCHLD: the script ended; SIGTERM & co: the web
 *      server ends cgijail), the status pipe (child failures and notes; EOF
 *      = execve done), stdout with no events (POLLERR/POLLHUP: the web
 *      server stopped reading), and the wall-clock deadline
 *   5. ending: the script, init of the request's pid namespace, and its
 *      process group are SIGKILLed and the request's cgroup emptied,
 *      whatever ended it; when the kernel lets the supervisor reap the
 *      script (wait4 rusage), every other process of its namespace is gone
 *      too, however it double-forked
 *   6. accounting from rusage and the cgroup counters; the leaf is closed
 *      (the slot keeps it for its next request)
 * The caller then writes the one log record and exits with
 * acct_exit_status(). */
#ifndef CGIJAIL_SUPERVISE_H
#define CGIJAIL_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>

#include "account.h"
#include "prepare.h"

struct sv_result {
	struct acct_in acct;
	const char *limit;          /* acct_limit(), or NULL */
	uint64_t wall_ms;
	uint64_t cpu_ms;
	uint64_t mem_peak;          /* bytes, ACCT_UNKNOWN when not measured */
	bool mem_peak_rss;          /* mem_peak is wait4's ru_maxrss, not the
				       request cgroup's peak */
	bool child_failed;          /* the child reported an error before exec */
	int child_status;           /* its exit status then */
	char child_reason[SB_MSG_MAX];
	char notes[SB_MSG_MAX];     /* best-effort notes from the child */
	const char *cleanup;        /* NULL, or why the leaf could not be emptied */
};

/* Returns 0 with *res filled, or -1 with *reason when the fork itself could
 * not be set up (nothing ran).  A failure after the fork that the
 * supervisor cannot recover from kills the request and exits at once. */
int sv_run(const struct sb_plan *plan, struct cg_leaf *leaf, uint64_t wall_ms,
	   uint64_t cpu_limit_s, struct sv_result *res, const char **reason);

#endif
