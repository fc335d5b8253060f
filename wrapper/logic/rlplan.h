/* rlplan.h - the resource limits of a request's script, as data (pure;
 * sys/rlimits.c sets them).
 *
 * rl_plan() turns the policy's [limits] into setrlimit() calls: RLIMIT_CPU
 * (soft = cpu seconds: SIGXCPU, hard = one second more: SIGKILL for a
 * script that ignores SIGXCPU), RLIMIT_NOFILE, RLIMIT_FSIZE and RLIMIT_CORE 0.
 * Never RLIMIT_AS (CPython reserves large virtual ranges) and never
 * RLIMIT_NPROC (it counts every process of the uid on the host): memory and
 * tasks are cgroup limits.  A limit is only ever lowered: when the inherited
 * hard limit is already lower, that value is kept (setrlimit cannot raise it
 * without privilege, and the caller's stricter choice stands). */
#ifndef CGIJAIL_RLPLAN_H
#define CGIJAIL_RLPLAN_H

#include <stddef.h>
#include <sys/resource.h>

#include "policy.h"

#define RL_MAX 4

struct rl_item {
	int resource;          /* RLIMIT_* */
	const char *name;      /* "cpu", "open_files", "file_size", "core" */
	struct rlimit lim;
};

/* Fill out[0..n) from l.  Returns n.  Pure. */
size_t rl_plan(const struct policy_limits *l, struct rl_item out[RL_MAX]);

/* The value to set, given the plan's want and the current (inherited) limit:
 * never above cur (both soft and hard), soft never above hard. */
struct rlimit rl_clamp(struct rlimit want, struct rlimit cur);

#endif
