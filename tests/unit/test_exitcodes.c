/* test_exitcodes.c - cgijail's own exit statuses (wrapper/logic/exitcodes.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "exitcodes.h"

Test(exitcodes, values)
{
	/* Admins and web servers match on these numbers: they never change. */
	cr_expect_eq(CGIJAIL_EXIT_REFUSED, 120);
	cr_expect_eq(CGIJAIL_EXIT_CONFIG, 121);
	cr_expect_eq(CGIJAIL_EXIT_BUSY, 122);
	cr_expect_eq(CGIJAIL_EXIT_PRIV, 123);
	cr_expect_eq(CGIJAIL_EXIT_SANDBOX, 124);
	cr_expect_eq(CGIJAIL_EXIT_EXEC, 127);
}

Test(exitcodes, status_line)
{
	static const char want[] =
		"refused=120 policy=121 busy=122 privileges=123 sandbox=124 exec=127";
	char out[128], small[10];

	cr_assert_eq(exit_status_line(out, sizeof(out)), strlen(want));
	cr_assert_str_eq(out, want);
	memset(small, 'Z', sizeof(small));
	cr_assert_eq(exit_status_line(small, 8), strlen(want));
	cr_assert_str_eq(small, "refused");
	cr_assert_eq(small[8], 'Z');
	cr_assert_eq(exit_status_line(NULL, 0), strlen(want));
}
