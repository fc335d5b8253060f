/* Unit tests for wrapper/rules.c: every rule_* driven by hand-made struct
 * stat values (tables, one parameterized test per table so a failing row is
 * reported on its own; the parameter is an index because pointers into this
 * binary's data are not valid in Criterion's runner process), plus a few
 * stats of real, well-known paths. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"
#include "rules.h"
#include "unit_params.h"

/* Target ids used by the tables; OTHER is neither root nor the target. */
#define TU 1001
#define TG 1001
#define OTHER 2000

/* Expected reasons, spelled out once (the rules return static strings). */
#define OK NULL
#define R_LNK "is a symbolic link"
#define R_NOTDIR "is not a directory"
#define R_ISDIR "is a directory"
#define R_NOTREG "is not a regular file"
#define R_GOW "is writable by group or others"
#define R_OWNER_PATH "is owned by neither root nor the target user"
#define R_OWNER_TGT "is not owned by the target user and group"
#define R_ROOT "is not owned by root"
#define R_SUID "has the setuid or setgid bit"
#define R_NOUX "is not executable by its owner"
#define R_NOX "is not executable"
#define R_LINKS "has more than one hard link"

struct st_case {
	mode_t mode; /* type | permission bits */
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	const char *want; /* NULL: the rule holds */
};

static struct stat mkst(const struct st_case *c)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = c->mode;
	st.st_uid = c->uid;
	st.st_gid = c->gid;
	st.st_nlink = c->nlink ? c->nlink : 1;
	st.st_dev = 1;
	st.st_ino = 42;
	return st;
}

static void expect_reason(const char *rule, size_t i, const struct st_case *c,
			  const char *got)
{
	if (c->want == NULL)
		cr_assert_null(got, "%s row %zu (mode %06o uid %u gid %u): refused with '%s'",
			       rule, i, (unsigned)c->mode, (unsigned)c->uid,
			       (unsigned)c->gid, got ? got : "");
	else
		cr_assert(got != NULL && strcmp(got, c->want) == 0,
			  "%s row %zu (mode %06o uid %u gid %u nlink %lu): want '%s', got '%s'",
			  rule, i, (unsigned)c->mode, (unsigned)c->uid, (unsigned)c->gid,
			  (unsigned long)c->nlink, c->want, got ? got : "(NULL: accepted)");
}

/* ---- rule_path_dir (target uid TU) --------------------------------------- */

static const struct st_case path_dir_cases[] = {
	{ S_IFDIR | 0755, 0, 0, 0, OK },
	{ S_IFDIR | 0755, TU, TG, 0, OK },
	{ S_IFDIR | 0755, TU, 0, 0, OK },         /* group does not matter */
	{ S_IFDIR | 0755, 0, OTHER, 0, OK },
	{ S_IFDIR | 0700, 0, 0, 0, OK },
	{ S_IFDIR | 0711, TU, TG, 0, OK },
	{ S_IFDIR | 0555, 0, 0, 0, OK },
	{ S_IFDIR | 0775, 0, 0, 0, R_GOW },
	{ S_IFDIR | 0757, 0, 0, 0, R_GOW },
	{ S_IFDIR | 0777, TU, TG, 0, R_GOW },
	{ S_IFDIR | 0735, 0, 0, 0, R_GOW },       /* g+w without g+r */
	{ S_IFDIR | 0752, 0, 0, 0, R_GOW },       /* o+w only */
	{ S_IFDIR | 01777, 0, 0, 0, R_GOW },      /* /tmp: sticky does not help */
	{ S_IFDIR | 01755, 0, 0, 0, OK },
	{ S_IFDIR | 0755, OTHER, TG, 0, R_OWNER_PATH },
	{ S_IFDIR | 0755, OTHER, 0, 0, R_OWNER_PATH },
	{ S_IFDIR | 0700, 1, 1, 0, R_OWNER_PATH },
	{ S_IFLNK | 0777, 0, 0, 0, R_LNK },
	{ S_IFLNK | 0755, TU, TG, 0, R_LNK },
	{ S_IFREG | 0755, 0, 0, 0, R_NOTDIR },
	{ S_IFIFO | 0755, 0, 0, 0, R_NOTDIR },
	{ S_IFCHR | 0755, 0, 0, 0, R_NOTDIR },
	{ S_IFBLK | 0755, 0, 0, 0, R_NOTDIR },
	{ S_IFSOCK | 0755, 0, 0, 0, R_NOTDIR },
};

ParameterizedTestParameters(rules, path_dir)
{
	INDEX_PARAMS(path_dir_cases);
}

ParameterizedTest(size_t *i, rules, path_dir)
{
	struct stat st = mkst(&path_dir_cases[*i]);

	expect_reason("rule_path_dir", *i, &path_dir_cases[*i], rule_path_dir(&st, TU));
}

/* ---- rule_script_dir (target TU:TG) -------------------------------------- */

static const struct st_case script_dir_cases[] = {
	{ S_IFDIR | 0755, TU, TG, 0, OK },
	{ S_IFDIR | 0700, TU, TG, 0, OK },
	{ S_IFDIR | 0711, TU, TG, 0, OK },
	{ S_IFDIR | 0755, 0, 0, 0, R_OWNER_TGT },     /* root is not enough here */
	{ S_IFDIR | 0755, TU, 0, 0, R_OWNER_TGT },
	{ S_IFDIR | 0755, TU, OTHER, 0, R_OWNER_TGT },
	{ S_IFDIR | 0755, OTHER, TG, 0, R_OWNER_TGT },
	{ S_IFDIR | 0755, 0, TG, 0, R_OWNER_TGT },
	{ S_IFDIR | 0775, TU, TG, 0, R_GOW },
	{ S_IFDIR | 0757, TU, TG, 0, R_GOW },
	{ S_IFDIR | 0770, TU, TG, 0, R_GOW },
	{ S_IFDIR | 01777, TU, TG, 0, R_GOW },
	{ S_IFLNK | 0777, TU, TG, 0, R_LNK },
	{ S_IFREG | 0755, TU, TG, 0, R_NOTDIR },
	{ S_IFIFO | 0700, TU, TG, 0, R_NOTDIR },
	{ S_IFCHR | 0700, TU, TG, 0, R_NOTDIR },
	{ S_IFBLK | 0700, TU, TG, 0, R_NOTDIR },
};

ParameterizedTestParameters(rules, script_dir)
{
	INDEX_PARAMS(script_dir_cases);
}

ParameterizedTest(size_t *i, rules, script_dir)
{
	struct stat st = mkst(&script_dir_cases[*i]);

	expect_reason("rule_script_dir", *i, &script_dir_cases[*i],
		      rule_script_dir(&st, TU, TG));
}

/* ---- rule_script_file (target TU:TG) ------------------------------------- */

static const struct st_case script_file_cases[] = {
	{ S_IFREG | 0755, TU, TG, 0, OK },
	{ S_IFREG | 0700, TU, TG, 0, OK },
	{ S_IFREG | 0750, TU, TG, 0, OK },
	{ S_IFREG | 0500, TU, TG, 0, OK },
	{ S_IFREG | 0755, TU, TG, 3, OK },          /* hard links are not this rule's business */
	{ S_IFREG | 0644, TU, TG, 0, R_NOUX },
	{ S_IFREG | 0654, TU, TG, 0, R_NOUX },      /* g+x is not u+x */
	{ S_IFREG | 0645, TU, TG, 0, R_NOUX },      /* o+x is not u+x */
	{ S_IFREG | 0655, TU, TG, 0, R_NOUX },
	{ S_IFREG | 0600, TU, TG, 0, R_NOUX },
	{ S_IFREG | 0000, TU, TG, 0, R_NOUX },
	{ S_IFREG | 0775, TU, TG, 0, R_GOW },
	{ S_IFREG | 0757, TU, TG, 0, R_GOW },
	{ S_IFREG | 0765, TU, TG, 0, R_GOW },
	{ S_IFREG | 0722, TU, TG, 0, R_GOW },
	{ S_IFREG | 04755, TU, TG, 0, R_SUID },
	{ S_IFREG | 02755, TU, TG, 0, R_SUID },
	{ S_IFREG | 06755, TU, TG, 0, R_SUID },
	{ S_IFREG | 04700, TU, TG, 0, R_SUID },
	{ S_IFREG | 01755, TU, TG, 0, OK },         /* sticky is harmless on a file */
	{ S_IFREG | 0755, 0, 0, 0, R_OWNER_TGT },
	{ S_IFREG | 0755, 0, TG, 0, R_OWNER_TGT },
	{ S_IFREG | 0755, TU, 0, 0, R_OWNER_TGT },
	{ S_IFREG | 0755, TU, OTHER, 0, R_OWNER_TGT },
	{ S_IFREG | 0755, OTHER, TG, 0, R_OWNER_TGT },
	{ S_IFREG | 0755, OTHER, OTHER, 0, R_OWNER_TGT },
	{ S_IFLNK | 0777, TU, TG, 0, R_LNK },
	{ S_IFLNK | 0755, TU, TG, 0, R_LNK },
	{ S_IFDIR | 0755, TU, TG, 0, R_ISDIR },
	{ S_IFIFO | 0755, TU, TG, 0, R_NOTREG },
	{ S_IFCHR | 0755, TU, TG, 0, R_NOTREG },
	{ S_IFBLK | 0755, TU, TG, 0, R_NOTREG },
	{ S_IFSOCK | 0755, TU, TG, 0, R_NOTREG },
};

ParameterizedTestParameters(rules, script_file)
{
	INDEX_PARAMS(script_file_cases);
}

ParameterizedTest(size_t *i, rules, script_file)
{
	struct stat st = mkst(&script_file_cases[*i]);

	expect_reason("rule_script_file", *i, &script_file_cases[*i],
		      rule_script_file(&st, TU, TG));
}

/* Several defects at once: refused whatever the order of the checks. */
Test(rules, script_file_multiple_defects_refused)
{
	static const struct st_case bad[] = {
		{ S_IFREG | 06777, 0, 0, 0, NULL },
		{ S_IFREG | 04666, TU, TG, 0, NULL },
		{ S_IFREG | 0677, OTHER, TG, 0, NULL },
		{ S_IFREG | 02644, TU, OTHER, 0, NULL },
	};

	for (size_t i = 0; i < NELEMS(bad); i++) {
		struct stat st = mkst(&bad[i]);

		cr_assert_not_null(rule_script_file(&st, TU, TG), "row %zu accepted", i);
	}
}

/* ---- rule_config_dir / rule_config_file ---------------------------------- */

static const struct st_case config_dir_cases[] = {
	{ S_IFDIR | 0755, 0, 0, 0, OK },
	{ S_IFDIR | 0700, 0, 0, 0, OK },
	{ S_IFDIR | 0755, 0, OTHER, 0, OK },      /* any group, it cannot write */
	{ S_IFDIR | 0775, 0, 0, 0, R_GOW },
	{ S_IFDIR | 0757, 0, 0, 0, R_GOW },
	{ S_IFDIR | 01777, 0, 0, 0, R_GOW },
	{ S_IFDIR | 0755, TU, TG, 0, R_ROOT },
	{ S_IFDIR | 0755, 1, 0, 0, R_ROOT },
	{ S_IFLNK | 0777, 0, 0, 0, R_LNK },
	{ S_IFREG | 0644, 0, 0, 0, R_NOTDIR },
	{ S_IFIFO | 0755, 0, 0, 0, R_NOTDIR },
	{ S_IFCHR | 0755, 0, 0, 0, R_NOTDIR },
	{ S_IFBLK | 0755, 0, 0, 0, R_NOTDIR },
};

ParameterizedTestParameters(rules, config_dir)
{
	INDEX_PARAMS(config_dir_cases);
}

ParameterizedTest(size_t *i, rules, config_dir)
{
	struct stat st = mkst(&config_dir_cases[*i]);

	expect_reason("rule_config_dir", *i, &config_dir_cases[*i], rule_config_dir(&st));
}

static const struct st_case config_file_cases[] = {
	{ S_IFREG | 0644, 0, 0, 0, OK },
	{ S_IFREG | 0600, 0, 0, 0, OK },
	{ S_IFREG | 0400, 0, 0, 0, OK },
	{ S_IFREG | 0640, 0, OTHER, 0, OK },
	{ S_IFREG | 0664, 0, 0, 0, R_GOW },
	{ S_IFREG | 0646, 0, 0, 0, R_GOW },
	{ S_IFREG | 0666, 0, 0, 0, R_GOW },
	{ S_IFREG | 0644, TU, TG, 0, R_ROOT },
	{ S_IFREG | 0644, TU, 0, 0, R_ROOT },
	{ S_IFLNK | 0777, 0, 0, 0, R_LNK },
	{ S_IFDIR | 0755, 0, 0, 0, R_NOTREG },
	{ S_IFIFO | 0644, 0, 0, 0, R_NOTREG },
	{ S_IFCHR | 0644, 0, 0, 0, R_NOTREG },
	{ S_IFBLK | 0644, 0, 0, 0, R_NOTREG },
	{ S_IFSOCK | 0644, 0, 0, 0, R_NOTREG },
};

ParameterizedTestParameters(rules, config_file)
{
	INDEX_PARAMS(config_file_cases);
}

ParameterizedTest(size_t *i, rules, config_file)
{
	struct stat st = mkst(&config_file_cases[*i]);

	expect_reason("rule_config_file", *i, &config_file_cases[*i],
		      rule_config_file(&st));
}

/* ---- rule_interpreter ---------------------------------------------------- */

static const struct st_case interpreter_cases[] = {
	{ S_IFREG | 0755, 0, 0, 0, OK },
	{ S_IFREG | 0711, 0, 0, 0, OK },
	{ S_IFREG | 0645, 0, 0, 0, OK },          /* o+x: others (the target) can run it */
	{ S_IFREG | 0755, 0, 0, 3, OK },          /* hard links: python3.11 often has 2 */
	{ S_IFREG | 0644, 0, 0, 0, R_NOX },
	{ S_IFREG | 0600, 0, 0, 0, R_NOX },
	{ S_IFREG | 0775, 0, 0, 0, R_GOW },
	{ S_IFREG | 0777, 0, 0, 0, R_GOW },
	{ S_IFREG | 0757, 0, 0, 0, R_GOW },
	{ S_IFREG | 04755, 0, 0, 0, R_SUID },
	{ S_IFREG | 02755, 0, 0, 0, R_SUID },
	{ S_IFREG | 0755, TU, TG, 0, R_ROOT },
	{ S_IFREG | 0755, 1, 0, 0, R_ROOT },
	{ S_IFLNK | 0777, 0, 0, 0, R_LNK },
	{ S_IFDIR | 0755, 0, 0, 0, R_NOTREG },
	{ S_IFCHR | 0755, 0, 0, 0, R_NOTREG },
	{ S_IFBLK | 0755, 0, 0, 0, R_NOTREG },
	{ S_IFIFO | 0755, 0, 0, 0, R_NOTREG },
};

ParameterizedTestParameters(rules, interpreter)
{
	INDEX_PARAMS(interpreter_cases);
}

ParameterizedTest(size_t *i, rules, interpreter)
{
	struct stat st = mkst(&interpreter_cases[*i]);

	expect_reason("rule_interpreter", *i, &interpreter_cases[*i],
		      rule_interpreter(&st));
}

/* ---- rule_log_file ------------------------------------------------------- */

static const struct st_case log_file_cases[] = {
	{ S_IFREG | 0640, 0, 0, 1, OK },
	{ S_IFREG | 0600, 0, 0, 1, OK },
	{ S_IFREG | 0644, 0, OTHER, 1, OK },
	{ S_IFREG | 0640, 0, 0, 2, R_LINKS },
	{ S_IFREG | 0640, 0, 0, 100, R_LINKS },
	{ S_IFREG | 0660, 0, 0, 1, R_GOW },
	{ S_IFREG | 0642, 0, 0, 1, R_GOW },
	{ S_IFREG | 0640, TU, TG, 1, R_ROOT },
	{ S_IFLNK | 0777, 0, 0, 1, R_LNK },
	{ S_IFDIR | 0755, 0, 0, 1, R_NOTREG },
	{ S_IFCHR | 0644, 0, 0, 1, R_NOTREG },    /* a device, even unwritable */
	{ S_IFIFO | 0600, 0, 0, 1, R_NOTREG },
};

ParameterizedTestParameters(rules, log_file)
{
	INDEX_PARAMS(log_file_cases);
}

ParameterizedTest(size_t *i, rules, log_file)
{
	struct stat st = mkst(&log_file_cases[*i]);

	expect_reason("rule_log_file", *i, &log_file_cases[*i], rule_log_file(&st));
}

Test(rules, log_file_unlinked_refused)
{
	/* A file that has lost its last name is not "exactly one hard link". */
	struct stat st = { .st_mode = S_IFREG | 0640, .st_uid = 0, .st_nlink = 0 };

	cr_assert_not_null(rule_log_file(&st));
}

/* ---- rule_fs_type -------------------------------------------------------- */

static const struct {
	unsigned long f_type;
	const char *want;
} fs_cases[] = {
	{ 0x65735546UL, "is on a FUSE file system, whose ownership its daemon chooses" },
	{ RULE_FUSE_SUPER_MAGIC, "is on a FUSE file system, whose ownership its daemon chooses" },
	{ 0xEF53UL, OK },       /* ext2/3/4 */
	{ 0x58465342UL, OK },   /* xfs */
	{ 0x9123683EUL, OK },   /* btrfs */
	{ 0x01021994UL, OK },   /* tmpfs */
	{ 0x794c7630UL, OK },   /* overlayfs */
	{ 0x6969UL, OK },       /* NFS: mounted by root, ids mapped by root's choice */
	{ 0xFF534D42UL, OK },   /* cifs */
	{ 0x65735543UL, OK },   /* fusectl (not a FUSE mount) */
	{ 0x65735547UL, OK },   /* near misses of the magic */
	{ 0x65735545UL, OK },
	{ 0, OK },
};

ParameterizedTestParameters(rules, fs_type)
{
	INDEX_PARAMS(fs_cases);
}

ParameterizedTest(size_t *i, rules, fs_type)
{
	const char *got = rule_fs_type(fs_cases[*i].f_type);
	const char *want = fs_cases[*i].want;

	if (want == NULL)
		cr_assert_null(got, "f_type %#lx refused: %s", fs_cases[*i].f_type, got);
	else
		cr_assert_str_eq(got ? got : "(accepted)", want, "f_type %#lx", fs_cases[*i].f_type);
}

/* ---- rule_target_ids ----------------------------------------------------- */

static const struct {
	uid_t uid;
	gid_t gid;
	unsigned long min_uid, min_gid; /* 0: keep policy_defaults() (1000) */
	const char *want;
} target_cases[] = {
	{ 1000, 1000, 0, 0, OK },                  /* at min */
	{ 1001, 1001, 0, 0, OK },
	{ 65533, 65533, 0, 0, OK },
	{ 65535, 65535, 0, 0, OK },
	{ 4294967294U, 4294967294U, 0, 0, OK },
	/* the overflow ids (nobody/nogroup) and -1: never, whatever min_* */
	{ 65534, 65534, 0, 0, "is the overflow uid (nobody) or uid -1, never a target" },
	{ 65534, 1000, 0, 0, "is the overflow uid (nobody) or uid -1, never a target" },
	{ 1000, 65534, 0, 0, "has the overflow gid (nogroup) or gid -1, never a target" },
	{ 4294967295U, 1000, 0, 0, "is the overflow uid (nobody) or uid -1, never a target" },
	{ 1000, 4294967295U, 0, 0, "has the overflow gid (nogroup) or gid -1, never a target" },
	{ 4294967295U, 4294967295U, 0, 0, "is the overflow uid (nobody) or uid -1, never a target" },
	{ 65534, 65534, 1, 1, "is the overflow uid (nobody) or uid -1, never a target" },
	{ 1000, 65534, 1, 1, "has the overflow gid (nogroup) or gid -1, never a target" },
	{ 65534, 0, 1, 1, "has group root" },
	{ 999, 1000, 0, 0, "has a uid below min_uid" },
	{ 1000, 999, 0, 0, "has a gid below min_gid" },
	{ 1, 1, 0, 0, "has a uid below min_uid" },
	{ 0, 1000, 0, 0, "is root" },
	{ 1000, 0, 0, 0, "has group root" },
	{ 0, 0, 0, 0, "is root" },
	{ 1, 1, 1, 1, OK },
	{ 0, 5, 1, 1, "is root" },
	{ 5, 0, 1, 1, "has group root" },
	{ 500, 1000, 500, 1000, OK },
	{ 499, 1000, 500, 1000, "has a uid below min_uid" },
	{ 500, 999, 500, 1000, "has a gid below min_gid" },
	{ 62950, 62950, 62950, 62950, OK },
	{ 62949, 62950, 62950, 62950, "has a uid below min_uid" },
	{ 62950, 62949, 62950, 62950, "has a gid below min_gid" },
};

ParameterizedTestParameters(rules, target_ids)
{
	INDEX_PARAMS(target_cases);
}

ParameterizedTest(size_t *i, rules, target_ids)
{
	struct policy p;

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(p.min_uid, 1000);
	cr_assert_eq(p.min_gid, 1000);
	if (target_cases[*i].min_uid)
		p.min_uid = target_cases[*i].min_uid;
	if (target_cases[*i].min_gid)
		p.min_gid = target_cases[*i].min_gid;
	const char *got = rule_target_ids(target_cases[*i].uid, target_cases[*i].gid, &p);
	const char *want = target_cases[*i].want;

	policy_free(&p);
	if (want == NULL)
		cr_assert_null(got, "row %zu: uid %u gid %u refused: %s", *i,
			       (unsigned)target_cases[*i].uid,
			       (unsigned)target_cases[*i].gid, got);
	else
		cr_assert(got != NULL && strcmp(got, want) == 0,
			  "row %zu: uid %u gid %u: want '%s', got '%s'", *i,
			  (unsigned)target_cases[*i].uid, (unsigned)target_cases[*i].gid,
			  want, got ? got : "(NULL: accepted)");
}

/* Even a policy that (wrongly) allowed id 0 must not let root through. */
Test(rules, target_ids_root_with_zero_minimum)
{
	struct policy p;

	cr_assert_eq(policy_defaults(&p), 0);
	p.min_uid = 0;
	p.min_gid = 0;
	const char *u = rule_target_ids(0, 100, &p);
	const char *g = rule_target_ids(100, 0, &p);
	const char *ok = rule_target_ids(100, 100, &p);

	policy_free(&p);
	cr_assert_str_eq(u ? u : "", "is root");
	cr_assert_str_eq(g ? g : "", "has group root");
	cr_assert_null(ok);
}

/* ---- rule_group_allowed -------------------------------------------------- */

Test(rules, group_allowed)
{
	static const gid_t groups[] = { 1001, 27, 33, 5000 };

	cr_assert(rule_group_allowed(1001, 1001, NULL, 0), "primary, no list");
	cr_assert(rule_group_allowed(1001, 1001, groups, NELEMS(groups)), "primary");
	cr_assert(rule_group_allowed(27, 1001, groups, NELEMS(groups)), "supplementary");
	cr_assert(rule_group_allowed(5000, 1001, groups, NELEMS(groups)), "last of list");
	cr_assert_not(rule_group_allowed(5001, 1001, groups, NELEMS(groups)), "unlisted");
	cr_assert_not(rule_group_allowed(0, 1001, groups, NELEMS(groups)), "root group");
	cr_assert_not(rule_group_allowed(27, 1001, NULL, 0), "empty list");
	/* n bounds the list: 5000 is beyond the first 3 entries. */
	cr_assert_not(rule_group_allowed(5000, 1001, groups, 3), "n respected");
	cr_assert(rule_group_allowed(33, 1001, groups, 3));
	cr_assert_not(rule_group_allowed(1002, 1001, groups, NELEMS(groups)));
}

/* ---- rule_caller_allowed ------------------------------------------------- */

static void add_caller(struct policy *p, const char *name)
{
	cr_assert_lt(p->callers.n, (size_t)POLICY_MAX_LIST);
	p->callers.v[p->callers.n] = strdup(name);
	cr_assert_not_null(p->callers.v[p->callers.n]);
	p->callers.n++;
}

Test(rules, caller_allowed)
{
	struct policy p;

	cr_assert_eq(policy_defaults(&p), 0);
	cr_assert_eq(p.callers.n, 1);
	cr_assert_str_eq(p.callers.v[0], "www-data");
	add_caller(&p, "nginx");
	add_caller(&p, "root"); /* listing root must not make root a caller */

	bool www = rule_caller_allowed(33, "www-data", &p);
	bool nginx = rule_caller_allowed(101, "nginx", &p);
	bool root0 = rule_caller_allowed(0, "root", &p);
	bool www0 = rule_caller_allowed(0, "www-data", &p);
	bool unlisted = rule_caller_allowed(1000, "alice", &p);
	bool prefix = rule_caller_allowed(1000, "www", &p);
	bool longer = rule_caller_allowed(1000, "www-data2", &p);
	bool caseful = rule_caller_allowed(1000, "WWW-DATA", &p);
	bool empty = rule_caller_allowed(1000, "", &p);
	bool noname = rule_caller_allowed(33, NULL, &p);

	policy_free(&p);
	cr_assert(www, "www-data listed");
	cr_assert(nginx, "nginx listed");
	cr_assert_not(root0, "uid 0 is never a caller, even when 'root' is listed");
	cr_assert_not(www0, "uid 0 is never a caller, whatever its name");
	cr_assert_not(unlisted);
	cr_assert_not(prefix, "prefix of a listed name");
	cr_assert_not(longer, "listed name as a prefix");
	cr_assert_not(caseful, "names are case-sensitive");
	cr_assert_not(empty);
	cr_assert_not(noname, "unknown name");
}

Test(rules, caller_allowed_empty_list)
{
	struct policy p;

	cr_assert_eq(policy_defaults(&p), 0);
	for (size_t i = 0; i < p.callers.n; i++)
		free(p.callers.v[i]);
	p.callers.n = 0;
	bool got = rule_caller_allowed(33, "www-data", &p);

	policy_free(&p);
	cr_assert_not(got);
}

/* ---- stats of real paths ------------------------------------------------- */

Test(rules, real_paths)
{
	struct stat st;

	cr_assert_eq(lstat("/", &st), 0);
	cr_assert_null(rule_path_dir(&st, TU), "/ is root-owned 0755");
	cr_assert_null(rule_config_dir(&st));
	cr_assert_eq(lstat("/tmp", &st), 0);
	if ((st.st_mode & 07777) == 01777)
		cr_assert_str_eq(rule_path_dir(&st, TU), R_GOW);
	cr_assert_eq(lstat("/dev/null", &st), 0);
	cr_assert_str_eq(rule_script_file(&st, st.st_uid, st.st_gid), R_NOTREG);
	cr_assert_str_eq(rule_path_dir(&st, TU), R_NOTDIR);
	cr_assert_eq(lstat("/proc/self", &st), 0);
	cr_assert_str_eq(rule_path_dir(&st, st.st_uid), R_LNK);
	cr_assert_str_eq(rule_script_file(&st, st.st_uid, st.st_gid), R_LNK);
}
