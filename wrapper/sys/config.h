/* config.h - load the policy from the compiled-in directory, safely.
 *
 * The directory chain from "/" to the policy directory, users.d and the
 * policy files are checked on their open descriptors (root-owned, not
 * writable by group/other, no symlinks) before a byte is parsed; the parser
 * (policy/policy.c) then reads from that same descriptor.  Only the target
 * user's drop-in is opened, so the cost does not grow with the number of
 * tenants. */
#ifndef CGIJAIL_CONFIG_H
#define CGIJAIL_CONFIG_H

#include <limits.h>
#include <stdbool.h>

#include "policy.h"

struct config {
	struct policy pol;
	int dirfd;                /* O_PATH fd of the policy directory */
	int usersd_fd;            /* O_PATH fd of users.d, or -1 if absent */
	char path[PATH_MAX];      /* <dir>/cgijail.conf */
	char dropin[PATH_MAX];    /* drop-in that was applied, or "" */
};

/* Load and validate <dir>/cgijail.conf.  Returns 0, or -1 with err holding
 * "file:line: reason" or "<path> <reason>" (raw: the caller escapes). */
int config_load(const char *dir, struct config *c, char *err, size_t errsz);

/* Apply users.d/<user>.conf when it exists.  user must be name_is_valid(). */
int config_load_dropin(struct config *c, const char *user, char *err,
		       size_t errsz);

/* Calls fn with the user name of every users.d/<user>.conf (names that are
 * not valid user names are skipped; nothing is parsed).  Returns 0, or -1
 * with *reason. */
int config_dropin_users(const struct config *c,
			void (*fn)(void *ctx, const char *user), void *ctx,
			const char **reason);

void config_free(struct config *c);

#endif
