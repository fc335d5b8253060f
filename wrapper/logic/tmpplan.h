/* tmpplan.h - the tenant's size-limited TMPDIR, as data (pure; sys/tmpfs.c
 * mounts it, flow/prepare.c decides when).
 *
 * With [tenant] tmp_size set, <state_dir>/tmp/<user> is a tmpfs of its own:
 * size=tmp_size, nr_inodes=tmp_inodes, mode=0700, uid and gid the tenant's,
 * mounted nosuid, nodev, noexec.  tmp_plan_check() compares what fstatfs()
 * reports of a mounted one with the policy: the same, a remount to the new
 * limits, or (when the new limits are below what is already used, which the
 * kernel refuses) the mounted limits kept. */
#ifndef CGIJAIL_TMPPLAN_H
#define CGIJAIL_TMPPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What fstatfs() says of a mounted tmpfs (struct statfs's fields). */
struct tmp_usage {
	uint64_t bsize;   /* f_bsize: the page size */
	uint64_t blocks;  /* f_blocks: size in bsize units */
	uint64_t bfree;   /* f_bfree */
	uint64_t files;   /* f_files: nr_inodes */
	uint64_t ffree;   /* f_ffree */
};

enum tmp_action {
	TMP_KEEP,        /* mounted with the policy's limits */
	TMP_REMOUNT,     /* remount with the policy's limits */
	TMP_TOO_FULL,    /* the policy's limits are below what is in use: the
			  * mounted (earlier, also bounded) limits stay */
	TMP_BAD,         /* bsize 0: not a usable answer */
};

/* The blocks of bsize bytes that size= becomes (the kernel rounds up to
 * whole pages).  0 when bsize is 0. */
uint64_t tmp_blocks(uint64_t size, uint64_t bsize);

/* Compare u with size and inodes (both > 0). */
enum tmp_action tmp_plan_check(const struct tmp_usage *u, uint64_t size, uint64_t inodes);

/* The mount's option values, as the kernel's tmpfs parameters take them
 * (decimal strings; mode in octal). */
struct tmp_options {
	char size[24];
	char nr_inodes[24];
	char mode[8];
	char uid[16];
	char gid[16];
};

/* Fill o.  Returns 0, or -1 when size or inodes is 0. */
int tmp_options(struct tmp_options *o, uint64_t size, uint64_t inodes, uid_t uid, gid_t gid);

/* The note of TMP_TOO_FULL: "TMPDIR kept at 64M, 4096 inodes: 40M, 12
 * inodes in use (tmp_size 32M, tmp_inodes 4096)". */
void tmp_note_too_full(char *out, size_t outsz, const struct tmp_usage *u, uint64_t size,
		       uint64_t inodes);

#endif
