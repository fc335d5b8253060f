/* test_err.c - the reasons system-call modules give (wrapper/sys/err.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "err.h"
#include "unit_params.h"

static const struct {
	int e;
	const char *text;
} rows[] = {
	{ EACCES, "cannot create the cgroup parent: EACCES (Permission denied)" },
	{ ENOSPC, "cannot create the cgroup parent: ENOSPC (No space left on device)" },
	{ EBUSY, "cannot create the cgroup parent: EBUSY (Device or resource busy)" },
	{ 0, "cannot create the cgroup parent: 0 (Success)" },
	{ 100000, "cannot create the cgroup parent: error 100000" },
};

ParameterizedTestParameters(err, errno_in_reason)
{
	INDEX_PARAMS(rows);
}

ParameterizedTest(size_t *i, err, errno_in_reason)
{
	const char *why = NULL;

	errno = rows[*i].e;
	cr_assert_eq(err_sys(&why, "cannot create the cgroup parent"), -1);
	cr_assert_str_eq(why, rows[*i].text);
	cr_assert_eq(errno, rows[*i].e, "errno is kept for callers that branch on it");

	why = NULL;
	errno = EINTR;
	cr_assert_eq(err_sysn(&why, "cannot create the cgroup parent", rows[*i].e), -1);
	cr_assert_str_eq(why, rows[*i].text);
	cr_assert_eq(errno, rows[*i].e, "err_sysn sets errno to the saved value");
}

Test(err, detail_leaves_errno)
{
	const char *why = NULL;

	errno = EIO;
	cr_assert_eq(err_detail(&why, "libcgroup: cgroup_init failed", "Cgroup is not mounted"), -1);
	cr_assert_str_eq(why, "libcgroup: cgroup_init failed: Cgroup is not mounted");
	cr_assert_eq(errno, EIO);
	cr_assert_eq(err_detail(&why, "x", NULL), -1);
	cr_assert_str_eq(why, "x: unknown error");
}

/* A reason stays valid until ERR_SLOTS later failures, then its buffer is
 * reused; a reason longer than a slot is cut, never overflowed. */
Test(err, slots_and_bounds)
{
	const char *first = NULL, *later = NULL;
	char copy[ERR_TEXT_MAX], longwhat[2 * ERR_TEXT_MAX];

	(void)err_sysn(&first, "first", EPERM);
	strcpy(copy, first);
	for (int k = 0; k < ERR_SLOTS - 1; k++)
		(void)err_sysn(&later, "later", ENOENT);
	cr_assert_str_eq(first, copy, "still intact after ERR_SLOTS - 1 more");
	(void)err_sysn(&later, "later", ENOENT);
	cr_assert_eq(later, first, "the ERR_SLOTS-th next reuses the slot");

	memset(longwhat, 'a', sizeof(longwhat) - 1);
	longwhat[sizeof(longwhat) - 1] = '\0';
	(void)err_sysn(&later, longwhat, EPERM);
	cr_assert_eq(strlen(later), ERR_TEXT_MAX - 1);
}
