/* ids.h - user and group lookups (NSS: getpwnam_r, getgrnam_r,
 * getgrouplist).  Only called while the process environment is already
 * empty, so no caller variable can steer NSS. */
#ifndef CGIJAIL_IDS_H
#define CGIJAIL_IDS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define IDS_NAME_MAX 64
#define IDS_MAX_GROUPS 1024

struct identity {
	uid_t uid;
	gid_t gid;                     /* primary group from passwd */
	char name[IDS_NAME_MAX];
	char home[PATH_MAX];
	gid_t groups[IDS_MAX_GROUPS];  /* initgroups() list, primary included */
	size_t ngroups;
};

/* Look a user up by name or (when byuid) by uid and fill *id including the
 * supplementary group list.  Returns 0, or -1 with *reason (static):
 * "no such user", "user name is not valid", "too many groups", ... */
int ids_user_by_name(const char *name, struct identity *id, const char **reason);
int ids_user_by_uid(uid_t uid, struct identity *id, const char **reason);

/* 1 when NSS knows the user name, 0 when it says there is no such user,
 * -1 with *reason when the lookup itself failed (never taken as "gone"). */
int ids_user_exists(const char *name, const char **reason);

/* Resolve a group name to its gid, or check that gid exists.  Returns 0 or
 * -1 with *reason. */
int ids_group_by_name(const char *name, gid_t *gid, const char **reason);
int ids_group_exists(gid_t gid, const char **reason);

/* The caller's user name (for the caller check and the log), or -1. */
int ids_name_of_uid(uid_t uid, char *name, size_t namesz);

#endif
