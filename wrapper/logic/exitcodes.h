/* exitcodes.h - cgijail's own exit statuses (the script's status is its own).
 *
 * The one table of them: the constants, `cgijail -V`'s "exit statuses"
 * line (exit_status_line) and, checked by tests/layout, the tables in the
 * README and the cgijail(8) man page all come from CGIJAIL_EXIT_CODES.
 * X(NAME, status, word, meaning). */
#ifndef CGIJAIL_EXITCODES_H
#define CGIJAIL_EXITCODES_H

#include <stddef.h>

#define CGIJAIL_EXIT_CODES(X)                                                  \
	X(REFUSED, 120, "refused", "a check refused the request")              \
	X(CONFIG, 121, "policy", "the policy is missing, unsafe or invalid")   \
	X(BUSY, 122, "busy", "the tenant's concurrency limit was reached: "    \
			     "a 503 response was sent")                        \
	X(PRIV, 123, "privileges", "the privilege switch failed: nothing ran") \
	X(SANDBOX, 124, "sandbox", "a required sandbox layer failed: "         \
				   "nothing ran")                              \
	X(EXEC, 127, "exec", "the interpreter could not be executed")

#define CGIJAIL_EXIT_ENUM_(name, status, word, meaning) CGIJAIL_EXIT_##name = status,
enum cgijail_exit { CGIJAIL_EXIT_CODES(CGIJAIL_EXIT_ENUM_) };
#undef CGIJAIL_EXIT_ENUM_

/* "refused=120 policy=121 ..." into out (always terminated when outsz > 0);
 * returns the length it needed.  Pure. */
size_t exit_status_line(char *out, size_t outsz);

#endif
