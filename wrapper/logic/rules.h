/* rules.h - ownership and permission rules, applied to fstat() results.
 *
 * Pure: each rule looks only at a struct stat (or ids) it is given and
 * returns NULL when the rule holds, else a static reason.  The descriptors
 * behind the stats are opened by fsys.c; tests/unit/test_rules.c drives the
 * rules with hand-made stats and with stats of a real temp tree. */
#ifndef CGIJAIL_RULES_H
#define CGIJAIL_RULES_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "policy.h"

/* A directory on the path to the script (from "/" down to the script's
 * directory): a real directory (not a symlink), owned by root or the target
 * uid, not writable by group or other. */
const char *rule_path_dir(const struct stat *st, uid_t target_uid);

/* The script's own directory: rule_path_dir, and owned by the target uid and
 * gid (Apache suexec's check 120). */
const char *rule_script_dir(const struct stat *st, uid_t uid, gid_t gid);

/* The script: a regular file (not a symlink, FIFO, device or directory),
 * owned by the target uid and gid, not writable by group or other, no
 * setuid/setgid bit, executable by its owner. */
const char *rule_script_file(const struct stat *st, uid_t uid, gid_t gid);

/* FUSE_SUPER_MAGIC (linux/magic.h): statfs(2) f_type of every FUSE mount
 * (bindfs, sshfs, ...). */
#define RULE_FUSE_SUPER_MAGIC 0x65735546UL

/* The file system (statfs(2) f_type) of a directory on the path to the
 * script, of the script or of the interpreter: anything but FUSE.  On FUSE
 * the owner and mode fstat() returns are whatever the mount's daemon says,
 * and an unprivileged user can mount one (fusermount3) on a directory they
 * own: "bindfs --force-user=bob" over their own tree presents it as bob's.
 * Every other file system is mounted by root, whose ids (NFS included) are
 * trusted as root is. */
const char *rule_fs_type(unsigned long f_type);

/* The policy directory chain, users.d and the policy files: owned by root,
 * not writable by group or other; dirs must be directories, files regular. */
const char *rule_config_dir(const struct stat *st);
const char *rule_config_file(const struct stat *st);

/* The interpreter (after symlinks, which only root can change under /usr):
 * a regular file owned by root, not writable by group or other, executable. */
const char *rule_interpreter(const struct stat *st);

/* The log file: a regular file owned by root, not writable by group/other,
 * with exactly one hard link. */
const char *rule_log_file(const struct stat *st);

/* The kernel's default overflow uid and gid (/proc/sys/kernel/overflowuid,
 * overflowgid): "nobody" and "nogroup". */
#define RULE_OVERFLOW_ID 65534

/* Target ids: neither 0, nor RULE_OVERFLOW_ID, nor -1 (uid_t)/(gid_t), and
 * uid >= min_uid, gid >= min_gid. */
const char *rule_target_ids(uid_t uid, gid_t gid, const struct policy *p);

/* The group is the user's primary group or one of groups[0..n). */
bool rule_group_allowed(gid_t gid, gid_t primary, const gid_t *groups, size_t n);

/* The caller's name is listed in p->callers; uid 0 is never a caller. */
bool rule_caller_allowed(uid_t caller_uid, const char *caller_name,
			 const struct policy *p);

#endif
