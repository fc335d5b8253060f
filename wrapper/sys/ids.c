/* ids.c - see ids.h. */
#include "ids.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "strutil.h"

#define NSS_BUF 16384

static int fill_identity(const struct passwd *pw, struct identity *id,
			 const char **reason)
{
	int n = IDS_MAX_GROUPS;

	if (!name_is_valid(pw->pw_name) || strlen(pw->pw_name) >= sizeof(id->name)) {
		*reason = "user name is not valid";
		return -1;
	}
	if (pw->pw_dir == NULL || strlen(pw->pw_dir) >= sizeof(id->home)) {
		*reason = "home directory is too long";
		return -1;
	}
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	snprintf(id->name, sizeof(id->name), "%s", pw->pw_name);
	snprintf(id->home, sizeof(id->home), "%s", pw->pw_dir);
	if (getgrouplist(pw->pw_name, pw->pw_gid, id->groups, &n) < 0 || n < 0) {
		*reason = "user is in too many groups";
		return -1;
	}
	id->ngroups = (size_t)n;
	return 0;
}

int ids_user_by_name(const char *name, struct identity *id, const char **reason)
{
	struct passwd pw, *res = NULL;
	char buf[NSS_BUF];
	int e = getpwnam_r(name, &pw, buf, sizeof(buf), &res);

	if (e != 0)
		return err_sysn(reason, "user lookup failed", e);
	if (res == NULL) {
		*reason = "no such user";
		return -1;
	}
	return fill_identity(res, id, reason);
}

int ids_user_exists(const char *name, const char **reason)
{
	struct passwd pw, *res = NULL;
	char buf[NSS_BUF];
	int e = getpwnam_r(name, &pw, buf, sizeof(buf), &res);

	if (e != 0)
		return err_sysn(reason, "user lookup failed", e);
	return res != NULL ? 1 : 0;
}

int ids_user_by_uid(uid_t uid, struct identity *id, const char **reason)
{
	struct passwd pw, *res = NULL;
	char buf[NSS_BUF];
	int e = getpwuid_r(uid, &pw, buf, sizeof(buf), &res);

	if (e != 0)
		return err_sysn(reason, "user lookup failed", e);
	if (res == NULL) {
		*reason = "no such user";
		return -1;
	}
	return fill_identity(res, id, reason);
}

int ids_group_by_name(const char *name, gid_t *gid, const char **reason)
{
	struct group gr, *res = NULL;
	char buf[NSS_BUF];
	int e = getgrnam_r(name, &gr, buf, sizeof(buf), &res);

	if (e != 0)
		return err_sysn(reason, "group lookup failed", e);
	if (res == NULL) {
		*reason = "no such group";
		return -1;
	}
	*gid = res->gr_gid;
	return 0;
}

int ids_group_exists(gid_t gid, const char **reason)
{
	struct group gr, *res = NULL;
	char buf[NSS_BUF];
	int e = getgrgid_r(gid, &gr, buf, sizeof(buf), &res);

	if (e != 0)
		return err_sysn(reason, "group lookup failed", e);
	if (res == NULL) {
		*reason = "no such group";
		return -1;
	}
	return 0;
}

int ids_name_of_uid(uid_t uid, char *name, size_t namesz)
{
	struct passwd pw, *res = NULL;
	char buf[NSS_BUF];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	if (strlen(res->pw_name) >= namesz)
		return -1;
	snprintf(name, namesz, "%s", res->pw_name);
	return 0;
}
