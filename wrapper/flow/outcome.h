/* outcome.h - how a request ends when cgijail itself ends it: one stderr
 * line, one log record, a distinct exit status (exitcodes.h).  Every string
 * that may carry caller-controlled bytes is escaped before it is written. */
#ifndef CGIJAIL_OUTCOME_H
#define CGIJAIL_OUTCOME_H

#include "config.h"
#include "request.h"
#include "prepare.h"
#include "supervise.h"

/* A CGI "Status: 500" response on stdout with a body that names no reason,
 * "cgijail: refused: <reason>" on stderr, a "refused" record, exit(status). */
_Noreturn void outcome_refuse(const struct request *rq, int logfd, int status,
			      const char *reason);

/* [tenant] concurrency reached: a complete CGI response on stdout
 * ("Status: 503 Service Unavailable", "Retry-After"), a "busy" record,
 * exit(CGIJAIL_EXIT_BUSY).  Nothing was forked. */
_Noreturn void outcome_busy(const struct request *rq, int logfd,
			    unsigned concurrency);

/* The request ran, or its child failed before execve ("cgijail: error:"
 * on stderr and the 500 response of outcome_refuse on stdout, outcome
 * "error"): the one record with the accounting and the
 * sandbox in force, then _exit() with the script's status (128+signal when
 * it was killed) or the child's error status. */
_Noreturn void outcome_finished(const struct request *rq, int logfd,
				const struct sb_plan *plan,
				const struct sb_cgroup *cg,
				const struct sv_result *res, unsigned slot,
				const char *notes);

/* cgijail -V: compile-time settings and the policy path. */
_Noreturn void outcome_version(const char *config_dir, const char *run_dir,
			       const char *state_dir);

/* argv for execve: interpreter, interpreter_args..., script, ARGS...
 * Returns a malloc'ed NULL-terminated array (strings are borrowed), or NULL. */
char **outcome_exec_argv(const struct request *rq, const struct policy *p);

#endif
