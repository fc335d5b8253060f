/* tmpplan.c - see tmpplan.h. */
#include "tmpplan.h"

#include <inttypes.h>
#include <stdio.h>

#include "strutil.h"

uint64_t tmp_blocks(uint64_t size, uint64_t bsize)
{
	if (bsize == 0)
		return 0;
	return size / bsize + (size % bsize != 0);
}

enum tmp_action tmp_plan_check(const struct tmp_usage *u, uint64_t size, uint64_t inodes)
{
	uint64_t want = tmp_blocks(size, u->bsize);

	if (u->bsize == 0 || u->bfree > u->blocks || u->ffree > u->files)
		return TMP_BAD;
	if (u->blocks == want && u->files == inodes)
		return TMP_KEEP;
	/* The kernel refuses to shrink a tmpfs below its content (EINVAL). */
	if (want < u->blocks - u->bfree || inodes < u->files - u->ffree)
		return TMP_TOO_FULL;
	return TMP_REMOUNT;
}

int tmp_options(struct tmp_options *o, uint64_t size, uint64_t inodes, uid_t uid, gid_t gid)
{
	if (size == 0 || inodes == 0)
		return -1;
	(void)snprintf(o->size, sizeof(o->size), "%" PRIu64, size);
	(void)snprintf(o->nr_inodes, sizeof(o->nr_inodes), "%" PRIu64, inodes);
	(void)snprintf(o->mode, sizeof(o->mode), "0700");
	(void)snprintf(o->uid, sizeof(o->uid), "%lu", (unsigned long)uid);
	(void)snprintf(o->gid, sizeof(o->gid), "%lu", (unsigned long)gid);
	return 0;
}

void tmp_note_too_full(char *out, size_t outsz, const struct tmp_usage *u, uint64_t size,
		       uint64_t inodes)
{
	char want[32], have[32], used[32];

	(void)str_format_size(want, sizeof(want), size);
	(void)str_format_size(have, sizeof(have), u->blocks * u->bsize);
	(void)str_format_size(used, sizeof(used), (u->blocks - u->bfree) * u->bsize);
	(void)snprintf(out, outsz,
		       "TMPDIR kept at %s, %" PRIu64 " inodes: %s, %" PRIu64
		       " inodes in use (tmp_size %s, tmp_inodes %" PRIu64 ")",
		       have, u->files, used, u->files - u->ffree, want, inodes);
}
