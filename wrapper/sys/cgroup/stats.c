/* stats.c - what a request's leaf counted: peak memory, CPU time, OOM
 * kills, refused forks (a missing file leaves CG_UNKNOWN).  A slot's leaf
 * serves request after request: cg_leaf_baseline() at the start resets the
 * peak and notes the cumulative counters, cg_leaf_stats() at the end gives
 * what this request added.
 *
 * System calls, in order: cg_leaf_baseline: v1 write memory.max_usage_in_bytes
 * and memory.memsw.max_usage_in_bytes ("0": the current usage); v2 openat
 * memory.peak read-write and write it (>= 6.12: resets the peak seen through
 * that descriptor; older kernels refuse the open); reads of memory.events or
 * memory.oom_control, pids.events, cpu.stat.  cg_leaf_stats: the same reads,
 * pread of memory.peak's descriptor (v2) or max_usage (v1). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

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

/* The leaf descriptors of the memory and pids controllers. */
static void leaf_dirs(const struct cg_leaf *leaf, int *mem, int *pids)
{
	*mem = *pids = -1;
	for (unsigned i = 0; i < leaf->ctx->nh; i++) {
		if (leaf->ctx->h[i].ctrls & CG_BIT(CG_MEMORY))
			*mem = leaf->fd[i];
		if (leaf->ctx->h[i].ctrls & CG_BIT(CG_PIDS))
			*pids = leaf->fd[i];
	}
}

/* The cumulative counters: OOM kills, refused forks, CPU time (v2). */
static void counters(const struct cg_leaf *leaf, int mem, int pids, struct cg_stats *st)
{
	if (leaf->ctx->version == CG_V2) {
		stat_file(mem, "cpu.stat", "usage_usec", &st->cpu_usec);
		stat_file(mem, "memory.events", "oom_kill", &st->oom_kills);
	} else {
		stat_file(mem, "memory.oom_control", "oom_kill", &st->oom_kills);
	}
	stat_file(pids, "pids.events", "max", &st->pids_max_hits);
}

void cg_leaf_baseline(struct cg_leaf *leaf, bool fresh)
{
	int mem, pids;

	leaf->base.memory_peak = leaf->base.cpu_usec = CG_UNKNOWN;
	leaf->base.oom_kills = leaf->base.pids_max_hits = CG_UNKNOWN;
	leaf->peak = CG_PEAK_NONE;
	cgfs_close(&leaf->peak_fd);
	leaf_dirs(leaf, &mem, &pids);
	if (mem < 0)
		return;
	if (leaf->ctx->version == CG_V2) {
		int fd = openat(mem, "memory.peak", O_RDWR | O_CLOEXEC | O_NOFOLLOW);

		/* Any write resets the peak seen through this descriptor. */
		if (fd >= 0 && write(fd, "reset\n", 6) == 6) {
			leaf->peak_fd = fd;
			leaf->peak = CG_PEAK_FD;
		} else {
			if (fd >= 0)
				(void)close(fd);
			/* Before 6.12: only a new leaf's peak is this request's. */
			if (fresh)
				leaf->peak = CG_PEAK_V2_NEW;
		}
	} else if (cgfs_write(mem, "memory.max_usage_in_bytes", "0") == 0) {
		/* memsw (swap included) where swap is accounted; a reset that
		 * fails leaves the peak unknown, never wrong. */
		leaf->peak = cgfs_write(mem, "memory.memsw.max_usage_in_bytes", "0") == 0 ?
			CG_PEAK_MEMSW : CG_PEAK_MEM;
	}
	counters(leaf, mem, pids, &leaf->base);
}

/* What the request added to a cumulative counter. */
static uint64_t since(uint64_t now, uint64_t base)
{
	if (now == CG_UNKNOWN || base == CG_UNKNOWN || now < base)
		return CG_UNKNOWN;
	return now - base;
}

int cg_leaf_stats(const struct cg_leaf *leaf, struct cg_stats *st,
		  const char **reason)
{
	int mem, pids;

	st->memory_peak = st->cpu_usec = st->oom_kills = st->pids_max_hits = CG_UNKNOWN;
	leaf_dirs(leaf, &mem, &pids);
	if (mem < 0)
		return cg_refuse(reason, "no request cgroup", EBADF);
	counters(leaf, mem, pids, st);
	st->cpu_usec = since(st->cpu_usec, leaf->base.cpu_usec);
	st->oom_kills = since(st->oom_kills, leaf->base.oom_kills);
	st->pids_max_hits = since(st->pids_max_hits, leaf->base.pids_max_hits);
	if (leaf->peak == CG_PEAK_FD) {
		char buf[64];
		ssize_t n = pread(leaf->peak_fd, buf, sizeof buf - 1, 0);
		uint64_t v;

		if (n > 0) {
			buf[n] = '\0';
			if (cgl_parse_u64(buf, &v) == 0)
				st->memory_peak = v;
		}
	} else if (leaf->peak == CG_PEAK_V2_NEW) {
		stat_file(mem, "memory.peak", NULL, &st->memory_peak);
	} else if (leaf->peak == CG_PEAK_MEMSW) {
		stat_file(mem, "memory.memsw.max_usage_in_bytes", NULL, &st->memory_peak);
	} else if (leaf->peak == CG_PEAK_MEM) {
		stat_file(mem, "memory.max_usage_in_bytes", NULL, &st->memory_peak);
	}
	return 0;
}
