/* log.h - one record per request: syslog (authpriv, ident "cgijail") always,
 * and JSON lines in the policy's log_file when set.
 *
 * log_format_*() are pure (tests/unit/test_log.c); log_open_*() and
 * log_write() make the syscalls.  Every string from an untrusted source
 * (script path, user names, reasons that quote them) is escaped with
 * str_escape_json() before it reaches a log; nothing untrusted is ever used
 * as a format string. */
#ifndef CGIJAIL_LOG_H
#define CGIJAIL_LOG_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define LOG_RECORD_MAX 8192

/* What a request that ran used and how it ended (issue 3 accounting). */
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

/* Open syslog (LOG_AUTHPRIV, ident "cgijail", LOG_PID|LOG_NDELAY). */
void log_open_syslog(void);

/* Open log_file for appending, as root, on descriptors: every directory from
 * "/" to its parent is walked with O_NOFOLLOW and must pass
 * rule_config_dir() (root-owned, not group/other-writable), then the file is
 * opened below that directory fd with O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|
 * O_NONBLOCK|O_CLOEXEC, mode 0640, and must pass rule_log_file().  Returns
 * the fd, or -1 with *reason. */
int log_open_file(const char *path, const char **reason);

/* Write r to syslog and, when fd >= 0, as one JSON line to fd (a single
 * write(2), O_APPEND, so concurrent requests never interleave).  Returns 0,
 * or -1 when the file write failed (syslog has no failure to report). */
int log_write(int fd, const struct log_record *r);

#endif
