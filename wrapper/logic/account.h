/* account.h - what ended a request, from what the supervisor observed (pure).
 *
 * The supervisor (supervise.c) collects the script's wait status, its
 * rusage, the request cgroup's counters and its own reasons for ending the
 * request; acct_limit() names the limit that ended it, for the log record:
 *
 *   client-abort  the web server went away (stdout's reader closed) or
 *                 terminated cgijail; the supervisor ended the request
 *   wall          the supervisor ended the request at [limits] wall
 *   seccomp       the script died of SIGSYS (a syscall the filter kills)
 *   cpu           SIGXCPU, or SIGKILL with CPU time at or past [limits] cpu
 *                 (the hard RLIMIT_CPU is one second above the soft one)
 *   file_size     SIGXFSZ (CPython ignores SIGXFSZ: its writes fail with
 *                 EFBIG instead and no limit is named; the file stays within
 *                 the limit either way)
 *   memory        the cgroup OOM-killed a process of the request and the
 *                 script did not succeed
 *   tasks         the cgroup refused a fork (pids.max) and the script did
 *                 not succeed
 * NULL when the script ended on its own terms. */
#ifndef CGIJAIL_ACCOUNT_H
#define CGIJAIL_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#define ACCT_UNKNOWN UINT64_MAX

struct acct_in {
	bool exited;            /* WIFEXITED */
	int status;             /* exit status when exited */
	int signal;             /* terminating signal when !exited */
	bool client_abort;      /* stdout reader gone, or cgijail signalled */
	bool wall_expired;
	uint64_t cpu_ms;        /* user+sys of the whole request */
	uint64_t cpu_limit_s;   /* [limits] cpu, 0 = none */
	uint64_t oom_kills;     /* ACCT_UNKNOWN without a memory cgroup */
	uint64_t pids_max_hits; /* ACCT_UNKNOWN without a pids cgroup */
};

const char *acct_limit(const struct acct_in *in);

/* The exit status cgijail ends with: the script's, or 128+signal. */
int acct_exit_status(const struct acct_in *in);

/* Milliseconds between two CLOCK_MONOTONIC readings (0 if b < a). */
uint64_t acct_ms_between(int64_t a_sec, long a_nsec, int64_t b_sec, long b_nsec);

#endif
