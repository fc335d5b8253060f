/* supervise.h - fork the script and watch it until the request ends.
 *
 * sv_run() order (the parent is the supervisor, the child runs
 * confine_exec(), confine.h):
 *   1. block SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE; signalfd
 *      (a write to a reader that is gone fails with EPIPE, never kills)
 *   2. the relay (sys/relay.h): fds 0-2 that are pipes or sockets of the
 *      web server get a relay pipe each (logic/relayplan.h; a regular file
 *      or /dev/null is given to the script as it is; stdout and stderr on
 *      one file share one), a relayed socket is O_NONBLOCK until step 5;
 *      the status pipe (O_CLOEXEC), the child in a new pid namespace (the
 *      script is its init) and, on cgroup v2, started in its leaf
 *      (proc_fork_request: clone3 CLONE_INTO_CGROUP); the child puts the
 *      relay pipes' ends on its 0-2 (confine.h step 0)
 *   3. supervisor: the script's ends of the relay pipes closed,
 *      proc_supervisor_privileges() (uid 0 kept, every capability dropped
 *      but CAP_KILL, non-dumpable), stdin onto /dev/null unless relayed,
 *      the script directory's fd closed
 *   4. poll: the signalfd (SIGCHLD: the script ended; SIGTERM & co: the web
 *      server ends cgijail), the status pipe (child failures and notes; EOF
 *      = execve done), stdout with no events (POLLERR/POLLHUP: the web
 *      server stopped reading), the relays and the wall-clock deadline.
 *      A relay reads its source only when its destination takes data
 *      (back-pressure; splice, or read/write through a bounded buffer
 *      where splice refuses the pair).  A failed write to stdout (EPIPE)
 *      is a client abort too; stdin's EOF closes the script's stdin; the
 *      script closing its stdin, or ending, before that stops stdin's
 *      relay and points fd 0 at /dev/null, so the web server's writes fail
 *      as they would have on the script's own descriptor.  Once the script
 *      is reaped (every process of the request is gone) stdout and stderr
 *      deliver what their pipes hold at that moment, not a byte more: a
 *      write end the script passed out of the request (SCM_RIGHTS) keeps
 *      nothing open; the deadline, the web server leaving and SIGTERM
 *      still end that delivery (a delivery past the deadline is "wall")
 *   5. ending: the script, init of the request's pid namespace, and its
 *      process group are SIGKILLed and the request's cgroup emptied,
 *      whatever ended it; when the kernel lets the supervisor reap the
 *      script (wait4 rusage), every other process of its namespace is gone
 *      too, however it double-forked; the relay pipes are closed (what the
 *      supervisor did not deliver when it ended the request is dropped)
 *      and the relayed sockets get their flags back
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
#include "warm.h"

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
/* warm: NULL for a cold request; else the request goes to the slot's
 * zygote (docs/warm-mode.md), started first when the slot has none. */
int sv_run(const struct sb_plan *plan, struct cg_leaf *leaf, const struct warm_plan *warm,
	   uint64_t wall_ms, uint64_t cpu_limit_s, struct sv_result *res, const char **reason);

#endif
