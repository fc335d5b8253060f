/* process.h - the process-level system calls of one request.
 *
 * Where each runs (the order is written in flow/main.c and flow/confine.h):
 *   proc_sanitize()              main.c step 1, before anything else
 *   proc_drop_privileges()       confine.h step 3, in the script's child
 *   proc_fork_request()          supervise.h step 2, in the wrapper
 *   proc_supervisor_privileges() supervise.h step 3, in the supervisor
 *   proc_exec()                  confine.h step 9, the last one
 */
#ifndef CGIJAIL_PROCESS_H
#define CGIJAIL_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "ids.h"

/* Takes the caller's environment away, closes every fd >= 3, makes sure
 * 0-2 are open, resets signal dispositions and mask, umask 077 until the
 * policy's umask applies.  Returns the caller's environment (for
 * env_build) and leaves the process with an empty one.  Returns NULL in *caller_env when there was none.
 * Returns 0, or -1 with *reason when fds or signals cannot be sanitized. */
int proc_sanitize(char ***caller_env, const char **reason);

/* Switch completely to (t->uid, gid, t's groups): securebits, bounding and
 * ambient sets, setgroups, setresgid, setresuid, empty capability sets,
 * NO_NEW_PRIVS; then verify that nothing privileged remains.  Returns 0, or -1 with *reason: the caller must then
 * exit at once (partial privilege drop is never continued). */
int proc_drop_privileges(const struct identity *t, gid_t gid, const char **reason);

/* The supervisor's privileges (supervise.c): it stays uid 0, so that it
 * owns the root-owned cgroup files, lock files and log it still writes, but
 * keeps no capability except CAP_KILL (permitted and effective; it signals
 * the script's process group, a uid it does not share), an empty bounding
 * and ambient set, SECBIT_NOROOT locked, no_new_privs, not dumpable (the
 * script's uid cannot ptrace it or read its memory), RLIMIT_CORE 0.
 * Verified afterwards.  Returns 0 or -1 with *reason. */
int proc_supervisor_privileges(const char **reason);

/* The script's process: a child in a new pid namespace (it is the
 * namespace's init).  cgroup_fd >= 0 (cgroup v2): the child starts in that
 * cgroup (clone3 CLONE_INTO_CGROUP, no migration) and *in_cgroup says so;
 * otherwise, or on a kernel without it, unshare(CLONE_NEWPID) and fork()
 * and the child must join its cgroup itself.  Returns like fork(), or -1
 * with *reason.  As root (a new pid namespace needs CAP_SYS_ADMIN). */
pid_t proc_fork_request(int cgroup_fd, bool *in_cgroup, const char **reason);

/* Point fd 0 at /dev/null: the supervisor's stdin when it does not relay
 * it, or once the script stopped reading it (relay.c). */
int proc_stdin_devnull(void);

/* A zygote's descriptors before its exec: /dev/null on 0, 1 and 2, and
 * listen_fd on 3, inherited across the exec.  Returns 0, or -1 (errno). */
int proc_zygote_fds(int listen_fd);

/* fchdir(dirfd), umask(mask), execve(interpreter, argv, envp).  Returns only
 * on failure, with *reason. */
int proc_exec(int dirfd, mode_t mask, const char *interpreter,
	      char *const argv[], char *const envp[], const char **reason);

#endif
