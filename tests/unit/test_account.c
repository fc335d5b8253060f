/* test_account.c - which limit ended a request (wrapper/account.c). */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "account.h"

#define U ACCT_UNKNOWN

struct limit_case {
	const char *name;
	struct acct_in in;
	const char *expect; /* NULL: ended on its own terms */
	int status;
};

static const struct limit_case cases[] = {
	{ "clean exit", { .exited = true, .status = 0, .oom_kills = 0, .pids_max_hits = 0 }, NULL, 0 },
	{ "script error", { .exited = true, .status = 1, .oom_kills = 0, .pids_max_hits = 0 }, NULL, 1 },
	{ "client abort wins over SIGKILL", { .signal = SIGKILL, .client_abort = true, .oom_kills = U, .pids_max_hits = U }, "client-abort", 137 },
	{ "wall", { .signal = SIGKILL, .wall_expired = true, .cpu_ms = 5, .cpu_limit_s = 10, .oom_kills = 0, .pids_max_hits = 0 }, "wall", 137 },
	{ "wall beats a cpu-like kill", { .signal = SIGKILL, .wall_expired = true, .cpu_ms = 20000, .cpu_limit_s = 10, .oom_kills = 0, .pids_max_hits = 0 }, "wall", 137 },
	{ "seccomp kill", { .signal = SIGSYS, .oom_kills = 0, .pids_max_hits = 0 }, "seccomp", 159 },
	{ "SIGXCPU", { .signal = SIGXCPU, .oom_kills = U, .pids_max_hits = U }, "cpu", 152 },
	{ "SIGKILL at the hard cpu limit", { .signal = SIGKILL, .cpu_ms = 11000, .cpu_limit_s = 10, .oom_kills = 0, .pids_max_hits = 0 }, "cpu", 137 },
	{ "SIGKILL below the cpu limit is not cpu", { .signal = SIGKILL, .cpu_ms = 900, .cpu_limit_s = 10, .oom_kills = 0, .pids_max_hits = 0 }, NULL, 137 },
	{ "SIGXFSZ", { .signal = SIGXFSZ, .oom_kills = 0, .pids_max_hits = 0 }, "file_size", 153 },
	{ "oom kill", { .signal = SIGKILL, .cpu_ms = 100, .cpu_limit_s = 10, .oom_kills = 1, .pids_max_hits = 0 }, "memory", 137 },
	{ "oom of a child, script failed", { .exited = true, .status = 1, .oom_kills = 2, .pids_max_hits = 0 }, "memory", 1 },
	{ "oom of a child, script succeeded", { .exited = true, .status = 0, .oom_kills = 1, .pids_max_hits = 0 }, NULL, 0 },
	{ "fork refused, script failed", { .exited = true, .status = 1, .oom_kills = 0, .pids_max_hits = 5 }, "tasks", 1 },
	{ "fork refused, script coped", { .exited = true, .status = 0, .oom_kills = 0, .pids_max_hits = 5 }, NULL, 0 },
	{ "no cgroup counters", { .exited = true, .status = 3, .oom_kills = U, .pids_max_hits = U }, NULL, 3 },
	{ "unknown cpu time", { .signal = SIGKILL, .cpu_ms = U, .cpu_limit_s = 10, .oom_kills = U, .pids_max_hits = U }, NULL, 137 },
	{ "no cpu limit", { .signal = SIGKILL, .cpu_ms = 99999, .cpu_limit_s = 0, .oom_kills = 0, .pids_max_hits = 0 }, NULL, 137 },
};

Test(account, limit_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = acct_limit(&cases[i].in);
		if (cases[i].expect == NULL)
			cr_expect_null(got, "%s: got %s", cases[i].name, got ? got : "");
		else
			cr_expect(got != NULL && strcmp(got, cases[i].expect) == 0,
				  "%s: want %s got %s", cases[i].name, cases[i].expect,
				  got ? got : "(null)");
		cr_expect_eq(acct_exit_status(&cases[i].in), cases[i].status, "%s: status",
			     cases[i].name);
	}
}

Test(account, ms_between)
{
	cr_expect_eq(acct_ms_between(10, 0, 10, 999999), 0);
	cr_expect_eq(acct_ms_between(10, 0, 10, 1000000), 1);
	cr_expect_eq(acct_ms_between(10, 900000000, 12, 100000000), 1200);
	cr_expect_eq(acct_ms_between(12, 0, 10, 0), 0, "clock never runs backwards here");
}
