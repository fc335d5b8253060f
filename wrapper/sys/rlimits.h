/* rlimits.h - set a request's resource limits (logic/rlplan.h) on the
 * calling process: in the script's child after the id switch. */
#ifndef CGIJAIL_RLIMITS_H
#define CGIJAIL_RLIMITS_H

#include <stddef.h>

#include "rlplan.h"

/* setrlimit() each item after clamping against getrlimit().  Returns 0, or
 * -1 with *reason (the item's name). */
int rl_apply(const struct rl_item *items, size_t n, const char **reason);

#endif
