/* stats.c - what a request's leaf counted: peak memory, CPU time, OOM
 * kills, refused forks (reads only; a missing file leaves CG_UNKNOWN). */
#include <errno.h>
#include <stdint.h>

#include "cgint.h"

static void stat_file(int dirfd, const char *file, const char *key, uint64_t *out)
{
	char buf[CGFS_FILE_MAX];
	uint64_t v;

	if (dirfd < 0 || cgfs_read(dirfd, file, buf, sizeof buf) < 0)
		return;
	if (key == NULL ? cgl_parse_u64(buf, &v) == 0 : cgl_find_key(buf, key, &v) == 0)
		*out = v;
}

int cg_leaf_stats(const struct cg_leaf *leaf, struct cg_stats *st,
		  const char **reason)
{
	int mem = -1, pids = -1;

	st->memory_peak = st->cpu_usec = st->oom_kills = st->pids_max_hits = CG_UNKNOWN;
	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		if (leaf->ctx->h[i].ctrls & CG_BIT(CG_MEMORY))
			mem = leaf->fd[i];
		if (leaf->ctx->h[i].ctrls & CG_BIT(CG_PIDS))
			pids = leaf->fd[i];
	}
	if (mem < 0)
		return cg_refuse(reason, "no request cgroup", EBADF);
	if (leaf->ctx->version == CG_V2) {
		stat_file(mem, "memory.peak", NULL, &st->memory_peak);
		stat_file(mem, "cpu.stat", "usage_usec", &st->cpu_usec);
		stat_file(mem, "memory.events", "oom_kill", &st->oom_kills);
	} else {
		stat_file(mem, "memory.memsw.max_usage_in_bytes", NULL, &st->memory_peak);
		if (st->memory_peak == CG_UNKNOWN)
			stat_file(mem, "memory.max_usage_in_bytes", NULL, &st->memory_peak);
		stat_file(mem, "memory.oom_control", "oom_kill", &st->oom_kills);
	}
	stat_file(pids, "pids.events", "max", &st->pids_max_hits);
	return 0;
}
