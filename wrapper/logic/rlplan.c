/* rlplan.c - see rlplan.h.  No syscalls in this file. */
#include "rlplan.h"

size_t rl_plan(const struct policy_limits *l, struct rl_item out[RL_MAX])
{
	size_t n = 0;
	rlim_t cpu = l->cpu_s ? (rlim_t)l->cpu_s : RLIM_INFINITY;

	out[n++] = (struct rl_item){ RLIMIT_CPU, "cpu",
		{ cpu, cpu == RLIM_INFINITY ? RLIM_INFINITY : cpu + 1 } };
	if (l->open_files)
		out[n++] = (struct rl_item){ RLIMIT_NOFILE, "open_files",
			{ (rlim_t)l->open_files, (rlim_t)l->open_files } };
	if (l->file_size)
		out[n++] = (struct rl_item){ RLIMIT_FSIZE, "file_size",
			{ (rlim_t)l->file_size, (rlim_t)l->file_size } };
	out[n++] = (struct rl_item){ RLIMIT_CORE, "core", { 0, 0 } };
	return n;
}

static rlim_t lower(rlim_t a, rlim_t b)
{
	/* RLIM_INFINITY is the largest rlim_t value. */
	return a < b ? a : b;
}

struct rlimit rl_clamp(struct rlimit want, struct rlimit cur)
{
	struct rlimit r;

	r.rlim_max = lower(want.rlim_max, cur.rlim_max);
	r.rlim_cur = lower(lower(want.rlim_cur, cur.rlim_max), r.rlim_max);
	return r;
}
