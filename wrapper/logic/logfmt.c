/* logfmt.c - see logfmt.h.  No syscalls in this file. */
#include "logfmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "strutil.h"

/* Each escaped field is bounded so a full record always fits. */
#define FIELD_MAX 1024

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static void num_or_null(char *out, size_t outsz, long long v, bool known)
{
	if (known)
		(void)snprintf(out, outsz, "%lld", v);
	else
		(void)snprintf(out, outsz, "null");
}

static void str_or_null(char *out, size_t outsz, const char *v)
{
	char esc[FIELD_MAX];

	if (v == NULL) {
		(void)snprintf(out, outsz, "null");
		return;
	}
	str_escape_json(esc, sizeof(esc), v);
	(void)snprintf(out, outsz, "\"%s\"", esc);
}

/* ,"status":..,"signal":.. for a request that ran, "" otherwise. */
static void format_acct(char *out, size_t outsz, const struct log_acct *a)
{
	char st[24], sig[24], mem[24], slot[24], limit[64], sandbox[FIELD_MAX + 2];

	out[0] = '\0';
	if (a == NULL)
		return;
	num_or_null(st, sizeof(st), a->status, a->status >= 0);
	num_or_null(sig, sizeof(sig), a->signal, a->signal > 0);
	/* A byte count: unsigned, all 64 bits of it. */
	if (a->mem_peak != LOG_UNKNOWN)
		(void)snprintf(mem, sizeof(mem), "%llu", a->mem_peak);
	else
		(void)snprintf(mem, sizeof(mem), "null");
	num_or_null(slot, sizeof(slot), a->slot, a->slot >= 0);
	str_or_null(limit, sizeof(limit), a->limit);
	str_or_null(sandbox, sizeof(sandbox), a->sandbox);
	(void)snprintf(out, outsz,
		       ",\"status\":%s,\"signal\":%s,\"wall_ms\":%llu,\"cpu_ms\":%llu,"
		       "\"mem_peak\":%s,\"limit\":%s,\"slot\":%s,\"sandbox\":%s",
		       st, sig, a->wall_ms, a->cpu_ms, mem, limit, slot, sandbox);
}

size_t log_format_json(char *out, size_t outsz, const struct log_record *r,
		       const struct timespec *now, pid_t pid)
{
	char caller[128], user[128], mode[32], script[FIELD_MAX],
		outcome[32], reason[FIELD_MAX], ts[40], acct[FIELD_MAX + 256];
	struct tm tm;

	if (gmtime_r(&now->tv_sec, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(ts, sizeof(ts), "@%lld", (long long)now->tv_sec);
	str_escape_json(caller, sizeof(caller), or_empty(r->caller));
	str_escape_json(user, sizeof(user), or_empty(r->user));
	str_escape_json(mode, sizeof(mode), or_empty(r->mode));
	str_escape_json(script, sizeof(script), or_empty(r->script));
	str_escape_json(outcome, sizeof(outcome), or_empty(r->outcome));
	str_escape_json(reason, sizeof(reason), or_empty(r->reason));
	format_acct(acct, sizeof(acct), r->acct);

	int n = snprintf(out, outsz,
			 "{\"time\":\"%s.%03ldZ\",\"pid\":%ld,\"caller\":\"%s\","
			 "\"caller_uid\":%lld,\"user\":\"%s\",\"uid\":%lld,"
			 "\"gid\":%lld,\"mode\":\"%s\",\"script\":\"%s\","
			 "\"outcome\":\"%s\",\"reason\":\"%s\"%s}",
			 ts, now->tv_nsec / 1000000L, (long)pid, caller,
			 r->caller_uid, user, r->uid, r->gid, mode, script,
			 outcome, reason, acct);
	if (n < 0 || (size_t)n >= outsz)
		return 0;
	return (size_t)n;
}

size_t log_format_syslog(char *out, size_t outsz, const struct log_record *r)
{
	/* outcome and mode are cgijail's own constants; the rest is escaped. */
	char caller[128], user[128], script[FIELD_MAX], reason[FIELD_MAX];

	str_escape_json(caller, sizeof(caller), or_empty(r->caller));
	str_escape_json(user, sizeof(user), or_empty(r->user));
	str_escape_json(script, sizeof(script), or_empty(r->script));
	str_escape_json(reason, sizeof(reason), or_empty(r->reason));
	char acct[FIELD_MAX + 256] = "";
	if (r->acct != NULL) {
		char limit[64], sandbox[FIELD_MAX];
		str_escape_json(limit, sizeof(limit), or_empty(r->acct->limit));
		str_escape_json(sandbox, sizeof(sandbox), or_empty(r->acct->sandbox));
		char mem[24] = "-1";   /* -1: not measured */

		if (r->acct->mem_peak != LOG_UNKNOWN)
			(void)snprintf(mem, sizeof(mem), "%llu", r->acct->mem_peak);
		(void)snprintf(acct, sizeof(acct),
			       " status=%d signal=%d wall_ms=%llu cpu_ms=%llu mem_peak=%s"
			       " limit=\"%s\" sandbox=\"%s\"",
			       r->acct->status, r->acct->signal, r->acct->wall_ms,
			       r->acct->cpu_ms, mem, limit, sandbox);
	}
	int n = snprintf(out, outsz,
			 "outcome=%s caller=\"%s\" caller_uid=%lld user=\"%s\" "
			 "uid=%lld gid=%lld mode=%s script=\"%s\" reason=\"%s\"%s",
			 or_empty(r->outcome), caller, r->caller_uid, user, r->uid,
			 r->gid, or_empty(r->mode),
			 script, reason, acct);
	if (n < 0 || (size_t)n >= outsz)
		return 0;
	return (size_t)n;
}
