/* confine.h - the script's side of one request, after the fork.
 *
 * confine_exec() is the child process of supervise.c and never returns.  Its
 * steps, in this order (the reasoning of minijail and systemd: ids before
 * seccomp so the filter need not allow set*id/capset; no_new_privs before
 * Landlock; seccomp last, so every step before it may use any syscall):
 *
 *   0. stdin, stdout, stderr: the script    (relay_child(); a pipe or
 *      ends of the supervisor's relay       socket of the web server
 *      pipes                                never reaches the script);
 *      a zygote gets /dev/null there and its listening socket on 3
 *   1. attach to the request's cgroup leaf    (still root; not on v2,
 *                                             where the clone put it there)
 *   2. own process group                      (no-cgroup kill fallback)
 *   3. proc_drop_privileges()                 ids, groups, capabilities,
 *                                             securebits, no_new_privs
 *   4. PR_SET_PDEATHSIG SIGKILL               set after the id switch,
 *                                             which clears it; the
 *                                             supervisor must still hold
 *                                             the status pipe (not for a
 *                                             zygote, which outlives the
 *                                             request that starts it)
 *   5. rlimits (sys/rlimits.c)
 *   6. signal mask emptied
 *   7. Landlock (sys/landlock.c), as the target user
 *   8. seccomp (sys/scfilter.c)
 *   9. proc_exec(): fchdir, umask, execve   (a zygote: the interpreter
 *                                             on the zygote program)
 *
 * Failures are reported to the supervisor on the status pipe (one message,
 * "E<exit status> <reason>"), which also carries notes of best-effort steps
 * that were skipped ("N<note>"); the pipe is close-on-exec, so the
 * supervisor reads EOF exactly when the execve succeeded. */
#ifndef CGIJAIL_CONFINE_H
#define CGIJAIL_CONFINE_H

#include <stdbool.h>
#include <sys/types.h>

#include "prepare.h"
#include "relay.h"

/* A zygote to start instead of the script (docs/warm-mode.md): the same
 * steps, with its own command line and environment. */
struct confine_zygote {
	int listen_fd;          /* becomes descriptor 3 */
	char *const *argv;
	char *const *envp;
};

/* Runs steps 0-9 in the forked child, the init of the request's pid
 * namespace; status_fd is the pipe's write end (O_CLOEXEC); in_cgroup:
 * the child already runs in its leaf (proc_fork_request); relay: the
 * script's ends of the relay pipes (relay_child()); zygote: NULL, or the
 * zygote to exec instead of the script (relay is not used then). */
_Noreturn void confine_exec(const struct sb_plan *plan, int status_fd,
			    bool in_cgroup, const struct relay *relay,
			    const struct confine_zygote *zygote);

#endif
