/* test_rlplan.c - the rlimit plan of a request (wrapper/logic/rlplan.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <sys/resource.h>

#include "rlplan.h"

static const struct rl_item *find(const struct rl_item *it, size_t n, int res)
{
	for (size_t i = 0; i < n; i++)
		if (it[i].resource == res)
			return &it[i];
	return NULL;
}

Test(rlplan, plan_from_defaults)
{
	struct policy_limits l = { .cpu_s = 10, .wall_ms = 30000, .memory = 256u << 20,
				   .tasks = 32, .open_files = 64, .file_size = 16u << 20 };
	struct rl_item it[RL_MAX];
	size_t n = rl_plan(&l, it);

	cr_assert_eq(n, 4);
	const struct rl_item *cpu = find(it, n, RLIMIT_CPU);
	cr_assert_not_null(cpu);
	cr_assert_eq(cpu->lim.rlim_cur, 10);
	cr_assert_eq(cpu->lim.rlim_max, 11, "hard = soft + 1: SIGKILL after ignored SIGXCPU");
	cr_assert_eq(find(it, n, RLIMIT_NOFILE)->lim.rlim_cur, 64);
	cr_assert_eq(find(it, n, RLIMIT_NOFILE)->lim.rlim_max, 64);
	cr_assert_eq(find(it, n, RLIMIT_FSIZE)->lim.rlim_max, 16u << 20);
	cr_assert_eq(find(it, n, RLIMIT_CORE)->lim.rlim_max, 0);
	/* never RLIMIT_AS, never RLIMIT_NPROC */
	cr_assert_null(find(it, n, RLIMIT_AS));
	cr_assert_null(find(it, n, RLIMIT_NPROC));
	cr_assert_null(find(it, n, RLIMIT_DATA));
}

Test(rlplan, zero_means_unset_but_core_always)
{
	struct policy_limits l = { 0 };
	struct rl_item it[RL_MAX];
	size_t n = rl_plan(&l, it);

	cr_assert_eq(find(it, n, RLIMIT_CPU)->lim.rlim_cur, RLIM_INFINITY);
	cr_assert_eq(find(it, n, RLIMIT_CPU)->lim.rlim_max, RLIM_INFINITY);
	cr_assert_null(find(it, n, RLIMIT_NOFILE));
	cr_assert_null(find(it, n, RLIMIT_FSIZE));
	cr_assert_not_null(find(it, n, RLIMIT_CORE));
}

struct clamp_case {
	struct rlimit want, cur, expect;
};

Test(rlplan, clamp_table)
{
	const rlim_t INF = RLIM_INFINITY;
	static const struct clamp_case cases[] = {
		{ { 10, 11 }, { RLIM_INFINITY, RLIM_INFINITY }, { 10, 11 } },
		{ { 10, 11 }, { 5, 8 }, { 8, 8 } },      /* caller's lower hard limit stands */
		{ { 10, 11 }, { 5, 20 }, { 10, 11 } },   /* soft may rise up to hard */
		{ { 64, 64 }, { 1024, 4096 }, { 64, 64 } },
		{ { 0, 0 }, { RLIM_INFINITY, RLIM_INFINITY }, { 0, 0 } },
		{ { RLIM_INFINITY, RLIM_INFINITY }, { 3, 7 }, { 7, 7 } },
	};
	(void)INF;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rlimit r = rl_clamp(cases[i].want, cases[i].cur);
		cr_expect_eq(r.rlim_cur, cases[i].expect.rlim_cur, "case %zu soft", i);
		cr_expect_eq(r.rlim_max, cases[i].expect.rlim_max, "case %zu hard", i);
		cr_expect_leq(r.rlim_cur, r.rlim_max, "case %zu soft <= hard", i);
	}
}
