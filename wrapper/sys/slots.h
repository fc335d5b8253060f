/* slots.h - [tenant] concurrency: one flock()ed lock file per running
 * request, <run_dir>/<user>/slot.<k> for k < concurrency.
 *
 * The supervisor takes the first free slot with flock(LOCK_EX|LOCK_NB) and
 * keeps the descriptor (O_CLOEXEC: the script never inherits it) until it
 * exits; the kernel releases the lock however the supervisor dies, so a
 * crashed request never leaks a slot.  Because a slot is held by exactly
 * one live supervisor, the slot number also names the request's cgroup leaf
 * ("s<k>"): a leaf found under a slot just taken is stale and is reclaimed.
 * <run_dir> and <run_dir>/<user> are root-owned (0755, 0700), opened on
 * descriptors without following symlinks. */
#ifndef CGIJAIL_SLOTS_H
#define CGIJAIL_SLOTS_H

#define SLOT_BUSY (-2)

/* Returns the lock fd and *slot, SLOT_BUSY when all concurrency slots are
 * held, or -1 with *reason. */
int slot_acquire(const char *run_dir, const char *user, unsigned concurrency,
		 unsigned *slot, const char **reason);

#endif
