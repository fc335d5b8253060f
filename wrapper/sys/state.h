/* state.h - what cgijail keeps of a tenant between requests, outside the
 * cgroups (sys/cgroup.h has cg_tenant_list and cg_tenant_prune):
 *
 *   <run_dir>/<user>/slot.<k>     the concurrency locks (slots.h)
 *   <state_dir>/tmp/<user>/       the tenant's private TMPDIR, a tmpfs
 *                                 mounted there when tmp_size is set
 *
 * Listed and removed by cgijail-check (tenants, prune) when the user no
 * longer exists.  Every directory is opened from "/" on descriptors without
 * following a symlink and must be root-owned and not group/other writable
 * up to <run_dir> and <state_dir>/tmp; nothing below them is ever followed
 * (the tenant's TMPDIR is removed entry by entry with unlinkat). */
#ifndef CGIJAIL_STATE_H
#define CGIJAIL_STATE_H

#include <stdbool.h>

#define STATE_RUN 1u   /* <run_dir>/<user> exists */
#define STATE_TMP 2u   /* <state_dir>/tmp/<user> exists */

/* Calls fn once per name found in <run_dir> or <state_dir>/tmp (a name in
 * both: once, with both bits), in no particular order.  A directory that
 * does not exist has no names.  Returns 0, or -1 with *reason. */
int state_list(const char *run_dir, const char *state_dir,
	       void (*fn)(void *ctx, const char *user, unsigned what), void *ctx,
	       const char **reason);

/* Remove <run_dir>/<user> and <state_dir>/tmp/<user>.  A slot lock held by
 * a running request makes it return 1 ("busy") with nothing removed from
 * the run directory.  A tmpfs mounted on the TMPDIR in this mount namespace
 * is unmounted first (umount2 without MNT_DETACH: one still in use, a
 * process's cwd or open file, returns 1 with the TMPDIR kept); one mounted
 * in another namespace (a web server's private one) is not seen here and is
 * detached by the kernel when the directory is removed.  Returns 0
 * (removed or absent), 1, or -1 with *reason. */
int state_remove(const char *run_dir, const char *state_dir, const char *user,
		 const char **reason);

/* 1 when a file system (normally the tenant's tmpfs) is mounted on
 * <state_dir>/tmp/<user> in this mount namespace, 0 when not (or absent),
 * -1 with *reason. */
int state_tmp_mounted(const char *state_dir, const char *user, const char **reason);

#endif
