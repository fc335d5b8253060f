/* account.c - see account.h.  Pure: no syscalls. */
#include "account.h"

#include <signal.h>
#include <stddef.h>

const char *acct_limit(const struct acct_in *in)
{
	bool failed = !in->exited || in->status != 0;

	/* The supervisor's own decisions first: they explain the SIGKILL. */
	if (in->client_abort)
		return "client-abort";
	if (in->wall_expired)
		return "wall";
	if (!in->exited && in->signal == SIGSYS)
		return "seccomp";
	if (!in->exited && in->signal == SIGXCPU)
		return "cpu";
	if (!in->exited && in->signal == SIGXFSZ)
		return "file_size";
	if (!in->exited && in->signal == SIGKILL && in->cpu_limit_s != 0 &&
	    in->cpu_ms != ACCT_UNKNOWN && in->cpu_ms >= in->cpu_limit_s * 1000)
		return "cpu";
	if (failed && in->oom_kills != ACCT_UNKNOWN && in->oom_kills > 0)
		return "memory";
	if (failed && in->pids_max_hits != ACCT_UNKNOWN && in->pids_max_hits > 0)
		return "tasks";
	return NULL;
}

int acct_exit_status(const struct acct_in *in)
{
	if (in->exited)
		return in->status & 0xff;
	return 128 + (in->signal & 0x7f);
}

uint64_t acct_ms_between(int64_t a_sec, long a_nsec, int64_t b_sec, long b_nsec)
{
	int64_t ns = (b_sec - a_sec) * 1000000000LL + (b_nsec - a_nsec);

	return ns <= 0 ? 0 : (uint64_t)ns / 1000000u;
}
