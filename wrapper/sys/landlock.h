/* landlock.h - apply a struct ll_ruleset (llrules.h) to the calling thread
 * with the raw Landlock syscalls.
 *
 * Where it runs: flow/confine.h step 7, after proc_drop_privileges()
 * (which sets no_new_privs, as landlock_restrict_self() requires), in the
 * process that becomes the script - never in a supervisor that must still signal or
 * wait for it from outside the domain.  The paths are opened as the target
 * user, so they must be reachable (search permission) by that user.
 *
 * Return codes of ll_apply():
 *   LL_OK           the whole ruleset is enforced (minus what the ABI lacks:
 *                   rs->missing, see ll_describe_missing())
 *   LL_PARTIAL      best-effort only: enforced, but some non-default rules
 *                   could not be added (they only grant access, so the
 *                   sandbox is stricter than asked, not looser); *reason
 *                   lists them
 *   LL_UNSUPPORTED  the kernel lacks Landlock (ENOSYS: not built in;
 *                   EOPNOTSUPP: not enabled with lsm=); nothing applied
 *   LL_ERROR        nothing applied: a required path is missing or is a
 *                   symlink, a rule or landlock_restrict_self() failed, or
 *                   rs was built for a newer ABI than the kernel's
 * Mode required: anything but LL_OK is a refusal.  Mode best-effort:
 * continue and log *reason for everything but LL_OK. */
#ifndef CGIJAIL_LANDLOCK_H
#define CGIJAIL_LANDLOCK_H

#include "llrules.h"

#define LL_OK 0
#define LL_PARTIAL 1
#define LL_ERROR (-1)
#define LL_UNSUPPORTED (-2)

/* The kernel's Landlock ABI version, 0 when unsupported or disabled. */
int ll_abi(void);

/* Enforce rs on the calling thread (and its future children).  *reason is
 * set for every return but LL_OK; it points to a thread-local buffer valid
 * until the next ll_apply() call of the thread. */
int ll_apply(const struct ll_ruleset *rs, const char **reason);

#endif
