/* exitcodes.c - see exitcodes.h.  No syscalls in this file. */
#include "exitcodes.h"

#include <stdio.h>

size_t exit_status_line(char *out, size_t outsz)
{
#define CGIJAIL_EXIT_ROW_(name, status, word, meaning) { status, word },
	static const struct {
		int status;
		const char *word;
	} rows[] = { CGIJAIL_EXIT_CODES(CGIJAIL_EXIT_ROW_) };
#undef CGIJAIL_EXIT_ROW_
	size_t need = 0;

	if (outsz > 0)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t room = need < outsz ? outsz - need : 0;
		int n = snprintf(room ? out + need : NULL, room, "%s%s=%d",
				 i ? " " : "", rows[i].word, rows[i].status);

		if (n < 0)
			return need;
		need += (size_t)n;
	}
	return need;
}
