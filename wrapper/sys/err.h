/* err.h - how a system-call module reports a failure.
 *
 * Every function in wrapper/sys that can fail returns -1 (or the negative
 * value its header names) and points *reason at the text the admin reads
 * on stderr and in the log.  The convention, everywhere in wrapper/sys and
 * wrapper/flow:
 *
 *   - a system call failed: return err_sys(reason, "cannot create the
 *     cgroup parent");  *reason becomes "cannot create the cgroup parent:
 *     EACCES (Permission denied)", from errno at that moment;
 *   - the same with an errno saved earlier (a cleanup call ran since):
 *     return err_sysn(reason, "...", e);
 *   - a library reported a failure in its own words (libcgroup's
 *     cgroup_strerror): return err_detail(reason, "...", text);
 *   - a rule failed on data, no system call involved: *reason = "static
 *     text"; return -1;  (pure code in policy/ and wrapper/logic only ever
 *     does this).
 *
 * Both functions leave errno at the failure's value, so a caller may still
 * branch on it (EBUSY, ENOENT, ...).  The formatted text lives in one of
 * ERR_SLOTS buffers of this module, reused in turn: it stays valid until
 * ERR_SLOTS more failures have been formatted, which is longer than any
 * caller keeps it (each logs or copies its reason before the next step;
 * cgijail is single-threaded).  `what` must be a fixed text: paths and
 * names from a request never go into it unescaped, and every sink escapes
 * the whole reason again. */
#ifndef CGIJAIL_ERR_H
#define CGIJAIL_ERR_H

#define ERR_SLOTS 8
#define ERR_TEXT_MAX 512

/* *reason = "<what>: <ERRNAME> (<description>)" for errno; returns -1. */
int err_sys(const char **reason, const char *what);

/* The same for the saved error number e (errno is set to e). */
int err_sysn(const char **reason, const char *what, int e);

/* *reason = "<what>: <detail>" (detail is escaped by every sink like the
 * rest of the reason); returns -1, errno untouched. */
int err_detail(const char **reason, const char *what, const char *detail);

#endif
