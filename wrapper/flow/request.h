/* request.h - the checks of one request, shared by the setuid wrapper
 * (main.c) and the admin tool (check_main.c explain), so
 * there is exactly one implementation of every check.
 *
 * Each check reports (name, ok, detail) through rq->report; the wrapper's
 * reporter keeps quiet, cgijail-check prints every line.  The first failing
 * check sets rq->reason (raw text: every sink escapes it) and returns -1.
 *
 * Order for both modes: request_check_caller, request_locate_script,
 * request_resolve_target, request_check_script, request_check_interpreter. */
#ifndef CGIJAIL_REQUEST_H
#define CGIJAIL_REQUEST_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "args.h"
#include "fsys.h"
#include "ids.h"
#include "logfmt.h"
#include "policy.h"

typedef void (*report_fn)(void *ctx, const char *check, bool ok,
			  const char *detail);

struct request {
	struct request_args a;
	const char *mode;            /* "suexec", "userdir", "interpreter" */
	report_fn report;
	void *report_ctx;

	uid_t caller_uid;
	char caller[IDS_NAME_MAX];   /* "" when unknown */

	struct identity tgt;
	bool tgt_known;
	gid_t gid;                   /* the group the script runs as */

	char cwd[PATH_MAX];          /* suexec: where the server started us */
	bool have_cwd_st;
	struct stat cwd_st;          /* fstat of "." (wrapper only) */
	char script[PATH_MAX];       /* absolute path of the script */
	char dir[PATH_MAX];          /* the script's directory */
	char root[PATH_MAX];         /* docroot or userdir root it lies under */
	struct walk walk;            /* "/" .. dir, fd = dir's O_PATH fd */
	struct stat script_st;
	unsigned long script_fstype; /* fstatfs() f_type of the script */

	char reason[1024];
};

/* An empty request; report (may be NULL) is told every check. */
void request_init(struct request *rq, report_fn report, void *ctx);

/* The command line (args.h).  Returns 0, or -1 with rq->reason; for the
 * record, a refused command line's raw USER, GROUP and CMD and the caller's
 * name are kept. */
int request_parse_argv(struct request *rq, int argc, char *argv[],
		       uid_t caller_uid);

/* An already parsed command line (request_parse_argv's second half). */
void request_set_args(struct request *rq, const struct request_args *a);

/* caller: real uid has a name listed in caller=; root never is. */
int request_check_caller(struct request *rq, const struct policy *p, uid_t uid);

/* Compute the script path (suexec: cwd + CMD; interpreter: argv[1]), walk
 * its directory chain on descriptors and fstat the script itself.  In
 * suexec mode rq->cwd is the directory the server started the wrapper in
 * (opened here, and the walk must arrive at that same directory), unless
 * the caller set it (cgijail-check explain). */
int request_locate_script(struct request *rq);

/* Target user and group: suexec from USER/GROUP, interpreter mode from the
 * script's owner and that user's primary group; ids, membership. */
int request_resolve_target(struct request *rq, const struct policy *p);

/* Docroot/userdir containment and the ownership/permission rules on every
 * directory of the chain and on the script. */
int request_check_script(struct request *rq, const struct policy *p);

/* The interpreter configured for this user (after the drop-in). */
int request_check_interpreter(struct request *rq, const struct policy *p);

/* The tenant root of a checked request (after request_check_script): the
 * highest directory of the script's chain, at or below rq->root, owned by
 * the target uid (the script's own directory is, so there always is one).
 * Landlock makes it readable and nothing of other tenants.  Pure: reads
 * the walk's stats.  Returns 0, or -1 when out is too small. */
int request_tenant_root(const struct request *rq, char *out, size_t outsz);

/* Fill a log record from what is known so far. */
void request_log_record(const struct request *rq, struct log_record *r,
			const char *outcome, const char *reason);

void request_free(struct request *rq);

#endif
