/* warm.h - what a warm request sends and starts (docs/warm-mode.md): the
 * zygote's command line and environment, the sandbox key and the request
 * frame, built before the fork while still root.  supervise.c connects,
 * starts a zygote when the slot has none, and supervises the request. */
#ifndef CGIJAIL_WARM_FLOW_H
#define CGIJAIL_WARM_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "prepare.h"
#include "warmproto.h"

#define WARM_ARGV_MAX (POLICY_MAX_LIST * 2 + 8)

struct warm_plan {
	const char *run_dir;
	const char *user;
	unsigned slot;
	uint64_t send_ms;               /* the request's wall time */
	char *zargv[WARM_ARGV_MAX];     /* interpreter, its args, the zygote
					   program, its settings, preload */
	char *zenvp[3];                 /* PATH and TMPDIR */
	uint8_t *frame;                 /* the request (malloc'd) */
	size_t frame_len;
	char num[3][24];                /* storage of the numbers in zargv */
	char envbuf[2][4096 + 16];      /* storage of zenvp */
};

/* Fill w for the request of plan (after sb_plan_fill): the zygote program
 * and the interpreter are identified (the program checked: root-owned, not
 * writable by others), the key covers the user's effective policy, the
 * target's ids and groups, the Landlock inputs (home, tenant root,
 * TMPDIR), both files' identities and the zygote's settings.  n_interp is
 * the number of argv entries before the script (interpreter + its args).
 * Returns 0, or -1 with *reason. */
int warm_plan_fill(struct warm_plan *w, const struct policy *p, const struct sb_plan *plan,
		   size_t n_interp, const char *run_dir, const char *user, unsigned slot,
		   const char *home, const char *troot, const char *tmpdir,
		   const char **reason);

void warm_plan_free(struct warm_plan *w);

#endif
