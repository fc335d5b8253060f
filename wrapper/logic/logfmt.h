/* logfmt.h - the one record of a request, as text (pure, no syscalls):
 * a JSON line for log_file and key="value" pairs for syslog.  Every string
 * from an untrusted source (script path, user names, reasons that quote
 * them) is escaped with str_escape_json(); nothing untrusted is ever used as
 * a format string.  sys/log.c writes the records; tests/unit/test_logfmt.c
 * checks the formats. */
#ifndef CGIJAIL_LOGFMT_H
#define CGIJAIL_LOGFMT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define LOG_RECORD_MAX 8192

/* What a request that ran used and how it ended (its accounting). */
struct log_acct {
	int status;                 /* exit status, or -1 when killed */
	int signal;                 /* terminating signal, or 0 */
	unsigned long long wall_ms;
	unsigned long long cpu_ms;  /* user + system */
	unsigned long long mem_peak; /* bytes; LOG_UNKNOWN when not measured */
	const char *limit;          /* account.h names, or NULL */
	int slot;                   /* concurrency slot, -1 when none */
	const char *sandbox;        /* layers in force and best-effort notes */
};
#define LOG_UNKNOWN (~0ULL)

struct log_record {
	const char *caller;     /* caller's user name, or NULL */
	long long caller_uid;
	const char *user;       /* target user name, or NULL when unknown */
	long long uid;          /* -1 when unknown */
	long long gid;          /* -1 when unknown */
	const char *mode;       /* "suexec", "userdir", "interpreter", "version" */
	const char *script;     /* absolute script path or CMD as given, or NULL */
	const char *outcome;    /* "accepted" or "refused" or "error" */
	const char *reason;     /* NULL when accepted */
	const struct log_acct *acct; /* NULL unless the script ran */
};

/* JSON object (no trailing newline) with keys time, pid, caller, caller_uid,
 * user, uid, gid, mode, script, outcome, reason, and when r->acct is set
 * status, signal, wall_ms, cpu_ms, mem_peak, limit, slot, sandbox (null for
 * what is unknown or absent).  Returns its length, or 0
 * when out is too small (callers size out at LOG_RECORD_MAX; long fields are
 * truncated by the escaper first so this does not happen in practice). */
size_t log_format_json(char *out, size_t outsz, const struct log_record *r,
		       const struct timespec *now, pid_t pid);

/* key="value" form for syslog (syslog adds time and pid itself). */
size_t log_format_syslog(char *out, size_t outsz, const struct log_record *r);

#endif
