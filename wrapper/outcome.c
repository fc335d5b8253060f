/* outcome.c - see outcome.h. */
#include "outcome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "strutil.h"

static void say(const char *what, const char *reason)
{
	char esc[2048], line[2200];
	int n;

	str_escape_json(esc, sizeof(esc), reason ? reason : "unknown");
	n = snprintf(line, sizeof(line), "cgijail: %s: %s\n", what, esc);
	if (n > 0)
		(void)!write(STDERR_FILENO, line,
			     (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void record(const struct request *rq, int logfd, const char *outcome,
		   const char *reason)
{
	struct log_record r;

	request_log_record(rq, &r, outcome, reason);
	(void)log_write(logfd, &r);
}

void outcome_refuse(const struct request *rq, int logfd, int status,
		    const char *reason)
{
	say("refused", reason);
	record(rq, logfd, "refused", reason);
	exit(status);
}

void outcome_fatal(const struct request *rq, int logfd, int status,
		   const char *reason)
{
	say("error", reason);
	record(rq, logfd, "error", reason);
	_exit(status);
}

void outcome_accepted(const struct request *rq, int logfd)
{
	struct log_record r;

	request_log_record(rq, &r, "accepted", NULL);
	if (log_write(logfd, &r) != 0)
		outcome_refuse(rq, -1, CGIJAIL_EXIT_CONFIG, "cannot write log_file");
}

void outcome_version(const char *config_dir)
{
	printf("cgijail %s\n"
	       "config_dir: %s\n"
	       "policy: %s/cgijail.conf\n"
	       "users.d: %s/users.d\n"
	       "log: syslog authpriv (ident cgijail), plus log_file when set\n"
	       "exit statuses: refused=120 policy=121 privileges=123 exec=127\n",
	       CGIJAIL_VERSION, config_dir, config_dir, config_dir);
	exit(fflush(stdout) == 0 ? 0 : 1);
}

char **outcome_exec_argv(const struct request *rq, const struct policy *p)
{
	size_t n = 1 + p->interpreter_args.n + 1 + (size_t)rq->a.nscript_args + 1;
	char **argv = calloc(n, sizeof(*argv));
	size_t k = 0;

	if (argv == NULL)
		return NULL;
	argv[k++] = p->interpreter;
	for (size_t i = 0; i < p->interpreter_args.n; i++)
		argv[k++] = p->interpreter_args.v[i];
	argv[k++] = (char *)rq->script;
	for (int i = 0; i < rq->a.nscript_args; i++)
		argv[k++] = rq->a.script_args[i];
	argv[k] = NULL;
	return argv;
}
