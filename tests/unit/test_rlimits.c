/* test_rlimits.c - setting a request's rlimits (wrapper/sys/rlimits.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rlimits.h"

/* rl_apply really lowers the limits of the calling process (in a child). */
Test(rlimits, apply_in_child)
{
	struct policy_limits l = { .cpu_s = 3, .open_files = 20, .file_size = 4096 };
	struct rl_item it[RL_MAX];
	size_t n = rl_plan(&l, it);
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *why = NULL;
		struct rlimit r;
		if (rl_apply(it, n, &why) != 0)
			_exit(10);
		if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur != 20 || r.rlim_max != 20)
			_exit(11);
		if (getrlimit(RLIMIT_CPU, &r) != 0 || r.rlim_cur != 3 || r.rlim_max != 4)
			_exit(12);
		if (getrlimit(RLIMIT_FSIZE, &r) != 0 || r.rlim_max != 4096)
			_exit(13);
		if (getrlimit(RLIMIT_CORE, &r) != 0 || r.rlim_max != 0)
			_exit(14);
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed", WEXITSTATUS(st));
}
