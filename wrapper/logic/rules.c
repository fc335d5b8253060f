/* rules.c - see rules.h.  No syscalls in this file. */
#include "rules.h"

#include <string.h>

#define GO_WRITE (S_IWGRP | S_IWOTH)

static const char *dir_common(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (st->st_mode & GO_WRITE)
		return "is writable by group or others";
	return NULL;
}

const char *rule_path_dir(const struct stat *st, uid_t target_uid)
{
	const char *r = dir_common(st);

	if (r)
		return r;
	if (st->st_uid != 0 && st->st_uid != target_uid)
		return "is owned by neither root nor the target user";
	return NULL;
}

const char *rule_script_dir(const struct stat *st, uid_t uid, gid_t gid)
{
	const char *r = dir_common(st);

	if (r)
		return r;
	if (st->st_uid != uid || st->st_gid != gid)
		return "is not owned by the target user and group";
	return NULL;
}

const char *rule_script_file(const struct stat *st, uid_t uid, gid_t gid)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (S_ISDIR(st->st_mode))
		return "is a directory";
	if (!S_ISREG(st->st_mode))
		return "is not a regular file";
	if (st->st_uid != uid || st->st_gid != gid)
		return "is not owned by the target user and group";
	if (st->st_mode & GO_WRITE)
		return "is writable by group or others";
	if (st->st_mode & (S_ISUID | S_ISGID))
		return "has the setuid or setgid bit";
	if (!(st->st_mode & S_IXUSR))
		return "is not executable by its owner";
	return NULL;
}

static const char *root_owned(const struct stat *st)
{
	if (st->st_uid != 0)
		return "is not owned by root";
	if (st->st_mode & GO_WRITE)
		return "is writable by group or others";
	return NULL;
}

const char *rule_config_dir(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	return root_owned(st);
}

const char *rule_config_file(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (!S_ISREG(st->st_mode))
		return "is not a regular file";
	return root_owned(st);
}

const char *rule_interpreter(const struct stat *st)
{
	const char *r = rule_config_file(st);

	if (r)
		return r;
	if (!(st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		return "is not executable";
	if (st->st_mode & (S_ISUID | S_ISGID))
		return "has the setuid or setgid bit";
	return NULL;
}

const char *rule_log_file(const struct stat *st)
{
	const char *r = rule_config_file(st);

	if (r)
		return r;
	/* A second name would let whoever made it choose the file root
	 * appends to (a hard link to /etc/shadow passes every other test). */
	if (st->st_nlink != 1)
		return "has more than one hard link";
	return NULL;
}

const char *rule_fs_type(unsigned long f_type)
{
	if (f_type == RULE_FUSE_SUPER_MAGIC)
		return "is on a FUSE file system, whose ownership its daemon chooses";
	return NULL;
}

const char *rule_target_ids(uid_t uid, gid_t gid, const struct policy *p)
{
	if (uid == 0)
		return "is root";
	if (gid == 0)
		return "has group root";
	/* The kernel's overflow ids (what an unmapped id reads as; "nobody"
	 * and "nogroup") and (uid_t)-1 (the "no change" of setresuid()) are
	 * shared by unrelated processes and files: never a tenant, whatever
	 * min_uid and min_gid say. */
	if (uid == RULE_OVERFLOW_ID || uid == (uid_t)-1)
		return "is the overflow uid (nobody) or uid -1, never a target";
	if (gid == RULE_OVERFLOW_ID || gid == (gid_t)-1)
		return "has the overflow gid (nogroup) or gid -1, never a target";
	if ((unsigned long)uid < p->min_uid)
		return "has a uid below min_uid";
	if ((unsigned long)gid < p->min_gid)
		return "has a gid below min_gid";
	return NULL;
}

bool rule_group_allowed(gid_t gid, gid_t primary, const gid_t *groups, size_t n)
{
	if (gid == primary)
		return true;
	for (size_t i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

bool rule_caller_allowed(uid_t caller_uid, const char *caller_name,
			 const struct policy *p)
{
	if (caller_uid == 0 || caller_name == NULL)
		return false;
	for (size_t i = 0; i < p->callers.n; i++)
		if (strcmp(p->callers.v[i], caller_name) == 0)
			return true;
	return false;
}
