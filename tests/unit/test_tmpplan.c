/* test_tmpplan.c - wrapper/logic/tmpplan.c: the tenant's tmpfs TMPDIR. */
#include <criterion/criterion.h>

#include "tmpplan.h"

#define M (1ULL << 20)

Test(tmpplan, blocks_round_up_to_pages)
{
	cr_expect_eq(tmp_blocks(64 * M, 4096), 16384);
	cr_expect_eq(tmp_blocks(1, 4096), 1);
	cr_expect_eq(tmp_blocks(4096, 4096), 1);
	cr_expect_eq(tmp_blocks(4097, 4096), 2);
	cr_expect_eq(tmp_blocks(64 * M, 65536), 1024);
	cr_expect_eq(tmp_blocks(1ULL << 50, 4096), 1ULL << 38);
	cr_expect_eq(tmp_blocks(64 * M, 0), 0);
}

static struct tmp_usage usage(uint64_t size, uint64_t used, uint64_t files, uint64_t fused)
{
	struct tmp_usage u = { 4096, size / 4096, (size - used) / 4096, files, files - fused };
	return u;
}

Test(tmpplan, same_limits_keep)
{
	struct tmp_usage u = usage(64 * M, 10 * M, 4096, 20);

	cr_expect_eq(tmp_plan_check(&u, 64 * M, 4096), TMP_KEEP);
	/* size= not a page multiple: the kernel's rounding is the same */
	u = usage(3 * 4096, 0, 16, 1);
	cr_expect_eq(tmp_plan_check(&u, 2 * 4096 + 1, 16), TMP_KEEP);
}

Test(tmpplan, changed_limits_remount)
{
	struct tmp_usage u = usage(64 * M, 10 * M, 4096, 20);

	cr_expect_eq(tmp_plan_check(&u, 128 * M, 4096), TMP_REMOUNT);
	cr_expect_eq(tmp_plan_check(&u, 32 * M, 4096), TMP_REMOUNT);
	cr_expect_eq(tmp_plan_check(&u, 10 * M, 4096), TMP_REMOUNT);  /* exactly the use */
	cr_expect_eq(tmp_plan_check(&u, 64 * M, 100000), TMP_REMOUNT);
	cr_expect_eq(tmp_plan_check(&u, 64 * M, 20), TMP_REMOUNT);
}

Test(tmpplan, shrinking_below_the_content_keeps_the_mounted_limits)
{
	struct tmp_usage u = usage(64 * M, 40 * M, 4096, 300);

	cr_expect_eq(tmp_plan_check(&u, 32 * M, 4096), TMP_TOO_FULL);
	cr_expect_eq(tmp_plan_check(&u, 64 * M, 299), TMP_TOO_FULL);
	cr_expect_eq(tmp_plan_check(&u, 40 * M - 1, 4096), TMP_REMOUNT); /* same pages */
	cr_expect_eq(tmp_plan_check(&u, 40 * M - 4096, 4096), TMP_TOO_FULL);
}

Test(tmpplan, nonsense_from_statfs)
{
	struct tmp_usage u = { 0, 16, 16, 16, 16 };

	cr_expect_eq(tmp_plan_check(&u, 64 * M, 4096), TMP_BAD);
	u = (struct tmp_usage){ 4096, 16, 17, 16, 16 };
	cr_expect_eq(tmp_plan_check(&u, 64 * M, 4096), TMP_BAD);
	u = (struct tmp_usage){ 4096, 16, 16, 16, 17 };
	cr_expect_eq(tmp_plan_check(&u, 64 * M, 4096), TMP_BAD);
}

Test(tmpplan, options)
{
	struct tmp_options o;

	cr_assert_eq(tmp_options(&o, 64 * M, 4096, 62001, 62010), 0);
	cr_expect_str_eq(o.size, "67108864");
	cr_expect_str_eq(o.nr_inodes, "4096");
	cr_expect_str_eq(o.mode, "0700");
	cr_expect_str_eq(o.uid, "62001");
	cr_expect_str_eq(o.gid, "62010");
	cr_assert_eq(tmp_options(&o, 1ULL << 50, 16777216, 4294967294U, 0), 0);
	cr_expect_str_eq(o.size, "1125899906842624");
	cr_expect_str_eq(o.uid, "4294967294");
	cr_expect_eq(tmp_options(&o, 0, 4096, 1, 1), -1);
	cr_expect_eq(tmp_options(&o, 64 * M, 0, 1, 1), -1);
}

Test(tmpplan, note)
{
	struct tmp_usage u = usage(64 * M, 40 * M, 4096, 12);
	char b[256];

	tmp_note_too_full(b, sizeof(b), &u, 32 * M, 4096);
	cr_expect_str_eq(b, "TMPDIR kept at 64M, 4096 inodes: 40M, 12 inodes in use "
			    "(tmp_size 32M, tmp_inodes 4096)");
	tmp_note_too_full(b, 10, &u, 32 * M, 4096);
	cr_expect_eq(strlen(b), 9);
}
