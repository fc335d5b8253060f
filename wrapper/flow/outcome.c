/* outcome.c - see outcome.h. */
#include "outcome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "log.h"
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

/* The web server's answer when the script did not run.  Where a front end
 * loses a CGI program's stderr (a daemonized lighttpd without
 * server.breakagelog, fcgiwrap without -f) it would otherwise answer with an
 * empty 500 or a 502: this gives every client the same 500 with a body that
 * names no reason; the reason is in syslog, log_file and on stderr (the
 * server's error log, docs/frontends.md). */
static void respond_not_run(void)
{
	static const char resp[] =
		"Status: 500 Internal Server Error\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"Cache-Control: no-store\n"
		"\n"
		"The script could not be run. The reason is in the server's logs.\n";

	(void)!write(STDOUT_FILENO, resp, sizeof(resp) - 1);
}

void outcome_refuse(const struct request *rq, int logfd, int status,
		    const char *reason)
{
	respond_not_run();
	say("refused", reason);
	record(rq, logfd, "refused", reason);
	exit(status);
}

#define RETRY_AFTER_S 2

void outcome_busy(const struct request *rq, int logfd, unsigned concurrency)
{
	char reason[96];
	static const char resp[] =
		"Status: 503 Service Unavailable\n"
		"Retry-After: " "2" "\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"Cache-Control: no-store\n"
		"\n"
		"Service temporarily unavailable: too many requests for this site.\n";
	_Static_assert(RETRY_AFTER_S == 2, "keep the Retry-After header in step");

	(void)!write(STDOUT_FILENO, resp, sizeof(resp) - 1);
	(void)snprintf(reason, sizeof(reason),
		       "concurrency limit reached: %u running request%s of this user",
		       concurrency, concurrency == 1 ? "" : "s");
	record(rq, logfd, "busy", reason);
	exit(CGIJAIL_EXIT_BUSY);
}

void outcome_finished(const struct request *rq, int logfd,
		      const struct sb_plan *plan, const struct sb_cgroup *cg,
		      const struct sv_result *res, unsigned slot, const char *notes)
{
	struct log_record r;
	struct log_acct a;
	char sandbox[SB_NOTE_MAX + SB_MSG_MAX + 128];
	const char *reason = res->child_failed ? res->child_reason : NULL;
	int status = res->child_failed ? res->child_status : acct_exit_status(&res->acct);
	size_t n;

	sb_summary(plan, cg, sandbox, sizeof(sandbox));
	n = strlen(sandbox);
	(void)snprintf(sandbox + n, sizeof(sandbox) - n, "%s%s%s%s%s%s%s",
		       notes[0] ? "; " : "", notes, res->notes[0] ? "; " : "",
		       res->notes, res->cleanup ? "; leaf not emptied: " : "",
		       res->cleanup ? res->cleanup : "",
		       cg->on && res->mem_peak_rss ?
			       "; mem_peak is the script's maximum RSS (no per-request memory.peak here)" : "");
	a = (struct log_acct){
		.status = res->acct.exited ? res->acct.status : -1,
		.signal = res->acct.exited ? 0 : res->acct.signal,
		.wall_ms = res->wall_ms,
		.cpu_ms = res->cpu_ms,
		.mem_peak = res->mem_peak == ACCT_UNKNOWN ? LOG_UNKNOWN : res->mem_peak,
		.limit = res->limit,
		.slot = (int)slot,
		.sandbox = sandbox,
	};
	if (reason != NULL) {
		respond_not_run();
		say("error", reason);
	}
	request_log_record(rq, &r, reason ? "error" : "accepted", reason);
	r.acct = &a;
	if (log_write(logfd, &r) != 0)
		say("error", "cannot write log_file");
	_exit(status);
}

void outcome_version(const char *config_dir, const char *run_dir,
		     const char *state_dir)
{
	char statuses[256];

	(void)exit_status_line(statuses, sizeof(statuses));
	printf("cgijail %s\n"
	       "config_dir: %s\n"
	       "policy: %s/cgijail.conf\n"
	       "users.d: %s/users.d\n"
	       "log: syslog authpriv (ident cgijail), plus log_file when set\n"
	       "exit statuses: %s\n"
	       "run_dir: %s\n"
	       "state_dir: %s\n",
	       CGIJAIL_VERSION, config_dir, config_dir, config_dir, statuses,
	       run_dir, state_dir);
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
