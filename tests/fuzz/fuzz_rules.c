/* fuzz_rules - the ownership and permission rules (wrapper/logic/rules.c) that
 * decide on fstat() results of the script, its directories, the policy
 * files, the interpreter and the log file, and on the target ids.
 *
 * Input: binary, read in order: st_mode, st_uid, st_gid, st_nlink, target
 * uid, target gid, min_uid, min_gid, the caller's uid (32 bits each,
 * little-endian; missing bytes read as 0), a count of supplementary groups
 * (one byte, at most 16) and the groups, then NUL-separated names: the
 * caller's name and the policy's caller list.
 *
 * Invariants (abort on violation): every rule holds exactly when this
 * file's own statement of it holds (rules.h; Apache suexec's checks 107,
 * 108, 115-121), and each refusal has a non-empty reason.  In particular
 * nothing group- or other-writable, no symlink, no setuid/setgid script and
 * nothing outside root's or the target's ownership is ever accepted, and
 * the overflow ids (65534, nobody/nogroup) and -1 are never a target. */
#include "fuzz_common.h"

#include <sys/stat.h>

#include "policy.h"
#include "rules.h"

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint32_t take32(struct reader *r)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		if (r->left > 0) {
			v |= (uint32_t)r->p[0] << (8 * i);
			r->p++;
			r->left--;
		}
	}
	return v;
}

static uint8_t take8(struct reader *r)
{
	uint8_t v = 0;

	if (r->left > 0) {
		v = r->p[0];
		r->p++;
		r->left--;
	}
	return v;
}

/* NULL when ok is true, else a non-empty reason. */
static void expect(const char *what, const char *reason, bool ok, const struct stat *st)
{
	FUZZ_CHECK((reason == NULL) == ok, "%s: mode %06o uid %u gid %u nlink %lu: %s", what,
		   (unsigned)st->st_mode, (unsigned)st->st_uid, (unsigned)st->st_gid,
		   (unsigned long)st->st_nlink, reason ? reason : "accepted");
	FUZZ_CHECK(reason == NULL || reason[0] != '\0', "%s: empty reason", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct stat st;
	gid_t groups[16];

	memset(&st, 0, sizeof(st));
	st.st_mode = (mode_t)take32(&r);
	st.st_uid = (uid_t)take32(&r);
	st.st_gid = (gid_t)take32(&r);
	st.st_nlink = (nlink_t)take32(&r);
	uid_t uid = (uid_t)take32(&r);
	gid_t gid = (gid_t)take32(&r);
	uint32_t min_uid = take32(&r), min_gid = take32(&r);
	uid_t caller_uid = (uid_t)take32(&r);
	size_t ngroups = take8(&r) % 17;
	for (size_t i = 0; i < ngroups; i++)
		groups[i] = (gid_t)take32(&r);

	char *names[POLICY_MAX_LIST + 2], *buf;
	size_t nnames = fuzz_split(r.p, r.left, names, POLICY_MAX_LIST + 1, &buf);
	const char *caller_name = nnames > 0 ? names[0] : NULL;

	struct policy p;
	memset(&p, 0, sizeof(p));
	p.min_uid = min_uid;
	p.min_gid = min_gid;
	p.callers.n = nnames > 1 ? nnames - 1 : 0;
	for (size_t i = 0; i < p.callers.n; i++)
		p.callers.v[i] = names[i + 1];

	mode_t m = st.st_mode;
	bool dir = S_ISDIR(m), reg = S_ISREG(m);
	bool go_write = (m & (S_IWGRP | S_IWOTH)) != 0;
	bool setid = (m & (S_ISUID | S_ISGID)) != 0;
	bool root_owned = st.st_uid == 0 && !go_write;

	expect("rule_path_dir", rule_path_dir(&st, uid),
	       dir && !go_write && (st.st_uid == 0 || st.st_uid == uid), &st);
	expect("rule_script_dir", rule_script_dir(&st, uid, gid),
	       dir && !go_write && st.st_uid == uid && st.st_gid == gid, &st);
	expect("rule_script_file", rule_script_file(&st, uid, gid),
	       reg && st.st_uid == uid && st.st_gid == gid && !go_write && !setid &&
		       (m & S_IXUSR),
	       &st);
	expect("rule_config_dir", rule_config_dir(&st), dir && root_owned, &st);
	expect("rule_config_file", rule_config_file(&st), reg && root_owned, &st);
	expect("rule_interpreter", rule_interpreter(&st),
	       reg && root_owned && (m & (S_IXUSR | S_IXGRP | S_IXOTH)) && !setid, &st);
	expect("rule_log_file", rule_log_file(&st), reg && root_owned && st.st_nlink == 1, &st);
	expect("rule_target_ids", rule_target_ids(uid, gid, &p),
	       uid != 0 && gid != 0 && uid != 65534 && gid != 65534 &&
		       uid != UINT32_MAX && gid != UINT32_MAX && uid >= min_uid &&
		       gid >= min_gid,
	       &st);

	bool in_groups = gid == st.st_gid;
	for (size_t i = 0; i < ngroups; i++)
		in_groups = in_groups || groups[i] == gid;
	FUZZ_CHECK(rule_group_allowed(gid, st.st_gid, groups, ngroups) == in_groups,
		   "rule_group_allowed(%u)", (unsigned)gid);

	bool listed = false;
	for (size_t i = 0; caller_name != NULL && i < p.callers.n; i++)
		listed = listed || strcmp(p.callers.v[i], caller_name) == 0;
	FUZZ_CHECK(rule_caller_allowed(caller_uid, caller_name, &p) ==
			   (caller_uid != 0 && caller_name != NULL && listed),
		   "rule_caller_allowed(%u, '%s')", (unsigned)caller_uid,
		   caller_name ? caller_name : "(null)");
	free(buf);
	return 0;
}
