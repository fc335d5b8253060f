/* err.c - see err.h. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The reasons' text, reused in turn (err.h). */
static char slots[ERR_SLOTS][ERR_TEXT_MAX];
static unsigned next;

static char *next_slot(void)
{
	char *out = slots[next++ % ERR_SLOTS];

	out[0] = '\0';
	return out;
}

int err_sysn(const char **reason, const char *what, int e)
{
	char *out = next_slot();
	const char *name = strerrorname_np(e);
	const char *desc = strerrordesc_np(e);

	if (name != NULL)
		(void)snprintf(out, ERR_TEXT_MAX, "%s: %s (%s)", what, name,
			       desc != NULL ? desc : "unknown error");
	else
		(void)snprintf(out, ERR_TEXT_MAX, "%s: error %d", what, e);
	*reason = out;
	errno = e;
	return -1;
}

int err_sys(const char **reason, const char *what)
{
	return err_sysn(reason, what, errno);
}

int err_detail(const char **reason, const char *what, const char *detail)
{
	char *out = next_slot();

	(void)snprintf(out, ERR_TEXT_MAX, "%s: %s", what,
		       detail != NULL ? detail : "unknown error");
	*reason = out;
	return -1;
}
