/* outcome.h - how a request ends when cgijail itself ends it: one stderr
 * line, one log record, a distinct exit status (exitcodes.h).  Every string
 * that may carry caller-controlled bytes is escaped before it is written. */
#ifndef CGIJAIL_OUTCOME_H
#define CGIJAIL_OUTCOME_H

#include "config.h"
#include "request.h"

/* "cgijail: refused: <reason>", a "refused" record, exit(status). */
_Noreturn void outcome_refuse(const struct request *rq, int logfd, int status,
			      const char *reason);

/* After the first privileged step: "cgijail: error: <reason>", an "error"
 * record, _exit(status) - nothing else runs. */
_Noreturn void outcome_fatal(const struct request *rq, int logfd, int status,
			     const char *reason);

/* The "accepted" record; a failure to write log_file refuses the request
 * (the audit trail is not optional once configured). */
void outcome_accepted(const struct request *rq, int logfd);

/* cgijail -V: compile-time settings and the policy path. */
_Noreturn void outcome_version(const char *config_dir);

/* argv for execve: interpreter, interpreter_args..., script, ARGS...
 * Returns a malloc'ed NULL-terminated array (strings are borrowed), or NULL. */
char **outcome_exec_argv(const struct request *rq, const struct policy *p);

#endif
