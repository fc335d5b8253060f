/* rlimits.c - see rlimits.h: getrlimit/setrlimit in the script's child,
 * after the id switch (flow/confine.c). */
#include "rlimits.h"

#include "err.h"

int rl_apply(const struct rl_item *items, size_t n, const char **reason)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit cur, set;

		if (getrlimit(items[i].resource, &cur) != 0)
			return err_sys(reason, items[i].name);
		set = rl_clamp(items[i].lim, cur);
		if (setrlimit(items[i].resource, &set) != 0)
			return err_sys(reason, items[i].name);
	}
	return 0;
}
