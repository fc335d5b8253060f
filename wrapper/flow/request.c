/* request.c - see request.h.  File system access goes through fsys.c and
 * user lookups through ids.c; the rules themselves are in rules.c. */
#include "request.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"
#include "strutil.h"

/* Report a check; on failure remember "<subject> <detail>" as the reason. */
static int check(struct request *rq, bool ok, const char *subject,
		 const char *detail)
{
	if (rq->report)
		rq->report(rq->report_ctx, subject, ok, detail);
	if (!ok) {
		snprintf(rq->reason, sizeof(rq->reason), "%s %s", subject, detail);
		return -1;
	}
	return 0;
}

/* Format a subject like "script '/var/www/x.py'" into buf, taking at most
 * len bytes of val. */
static const char *subject_n(char *buf, size_t bufsz, const char *what,
			     const char *val, size_t len)
{
	snprintf(buf, bufsz, "%s '%.*s'", what, (int)(len < 4096 ? len : 4096), val);
	return buf;
}

static const char *subject(char *buf, size_t bufsz, const char *what,
			   const char *val)
{
	return subject_n(buf, bufsz, what, val ? val : "", val ? strlen(val) : 0);
}

void request_init(struct request *rq, report_fn report, void *ctx)
{
	memset(rq, 0, sizeof(*rq));
	rq->report = report;
	rq->report_ctx = ctx;
	rq->walk.fd = -1;
	rq->caller_uid = (uid_t)-1;
	rq->mode = "suexec";
}

/* For the record of a command line that args_parse() refused: keep the raw
 * USER, GROUP and CMD (or script path) so the log says what was asked, and
 * who asked (the caller's name, not yet checked). */
static void note_refused_argv(struct request *rq, int argc, char *argv[],
			      uid_t caller_uid)
{
	rq->caller_uid = caller_uid;
	if (ids_name_of_uid(caller_uid, rq->caller, sizeof(rq->caller)) != 0)
		rq->caller[0] = '\0';
	if (argc < 2 || argv == NULL || argv[1] == NULL)
		return;
	if (argv[1][0] == '/') {
		rq->a.cmd = argv[1];
		rq->mode = "interpreter";
		return;
	}
	rq->a.user = argv[1];
	if (argc > 2)
		rq->a.group = argv[2];
	if (argc > 3)
		rq->a.cmd = argv[3];
}

int request_parse_argv(struct request *rq, int argc, char *argv[],
		       uid_t caller_uid)
{
	const char *why = NULL;

	if (args_parse(argc, argv, &rq->a, &why) != 0) {
		memset(&rq->a, 0, sizeof(rq->a));
		note_refused_argv(rq, argc, argv, caller_uid);
		snprintf(rq->reason, sizeof(rq->reason), "%s", why);
		return -1;
	}
	request_set_args(rq, &rq->a);
	return 0;
}

void request_set_args(struct request *rq, const struct request_args *a)
{
	rq->a = *a;
	rq->mode = a->mode == MODE_INTERP ? "interpreter" :
		   a->mode == MODE_VERSION ? "version" :
		   a->userdir ? "userdir" : "suexec";
}

void request_free(struct request *rq)
{
	fsys_walk_close(&rq->walk);
}

int request_check_caller(struct request *rq, const struct policy *p, uid_t uid)
{
	char subj[128], uidsubj[64];

	rq->caller_uid = uid;
	snprintf(uidsubj, sizeof(uidsubj), "caller uid '%lu'", (unsigned long)uid);
	if (ids_name_of_uid(uid, rq->caller, sizeof(rq->caller)) != 0) {
		rq->caller[0] = '\0';
		return check(rq, false, uidsubj,
			     "has no user name");
	}
	subject(subj, sizeof(subj), "caller", rq->caller);
	if (uid == 0)
		return check(rq, false, subj, "is root, which is never a caller");
	return check(rq, rule_caller_allowed(uid, rq->caller, p), subj,
		     rule_caller_allowed(uid, rq->caller, p) ? "is listed in caller" :
							       "is not listed in caller");
}

static int split_path(struct request *rq)
{
	char subj[PATH_MAX + 16];
	int n;

	if (rq->a.mode == MODE_INTERP) {
		n = snprintf(rq->script, sizeof(rq->script), "%s", rq->a.cmd);
	} else {
		if (!path_is_abs_normalized(rq->cwd))
			return check(rq, false,
				     subject(subj, sizeof(subj), "working directory", rq->cwd),
				     "is not an absolute normalized path");
		n = snprintf(rq->script, sizeof(rq->script), "%s/%s",
			     strcmp(rq->cwd, "/") == 0 ? "" : rq->cwd, rq->a.cmd);
	}
	if (n < 0 || (size_t)n >= sizeof(rq->script) ||
	    !path_is_abs_normalized(rq->script) || strcmp(rq->script, "/") == 0)
		return check(rq, false, subject(subj, sizeof(subj), "script", rq->a.cmd),
			     "is not a usable path");
	const char *slash = strrchr(rq->script, '/');
	size_t dlen = slash == rq->script ? 1 : (size_t)(slash - rq->script);
	memcpy(rq->dir, rq->script, dlen);
	rq->dir[dlen] = '\0';
	return 0;
}

int request_locate_script(struct request *rq)
{
	char subj[PATH_MAX + 32];
	const char *why = NULL;
	size_t bad = 0;

	if (rq->a.mode == MODE_SUEXEC && rq->cwd[0] == '\0') {
		/* The wrapper: where the web server started it. */
		int cwdfd = fsys_open_cwd(rq->cwd, sizeof(rq->cwd), &rq->cwd_st, &why);

		if (cwdfd < 0)
			return check(rq, false, "working directory", why);
		(void)close(cwdfd);
		rq->have_cwd_st = true;
	}
	if (split_path(rq) != 0)
		return -1;
	if (fsys_walk_dir(rq->dir, &rq->walk, &why, &bad) != 0)
		return check(rq, false,
			     subject_n(subj, sizeof(subj), "directory", rq->dir, bad),
			     why);
	if (rq->have_cwd_st) {
		/* The directory we walked must be the one the server put us in. */
		size_t clen = strlen(rq->cwd);
		bool same = false;
		for (size_t i = 0; i < rq->walk.n; i++)
			if (rq->walk.end[i] == clen)
				same = rq->walk.st[i].st_dev == rq->cwd_st.st_dev &&
				       rq->walk.st[i].st_ino == rq->cwd_st.st_ino;
		if (check(rq, same,
			  subject(subj, sizeof(subj), "working directory", rq->cwd),
			  same ? "is the directory that was walked" :
				 "changed while it was being checked") != 0)
			return -1;
	}
	int fd = fsys_open_leaf(rq->walk.fd, strrchr(rq->script, '/') + 1,
				&rq->script_st, &why);
	if (fd < 0)
		return check(rq, false, subject(subj, sizeof(subj), "script", rq->script),
			     why);
	int rc = fsys_fs_type(fd, &rq->script_fstype, &why);
	(void)close(fd);
	if (rc != 0)
		return check(rq, false, subject(subj, sizeof(subj), "script", rq->script),
			     why);
	return 0;
}

int request_resolve_target(struct request *rq, const struct policy *p)
{
	char subj[PATH_MAX + 32], detail[128];
	const char *why = NULL;
	unsigned long id;
	int rc;

	if (rq->a.mode == MODE_INTERP) {
		rc = ids_user_by_uid(rq->script_st.st_uid, &rq->tgt, &why);
		subject(subj, sizeof(subj), "owner of script", rq->script);
		if (check(rq, rc == 0, subj, rc == 0 ? "is a known user" : why) != 0)
			return -1;
		rq->gid = rq->tgt.gid;
	} else {
		subject(subj, sizeof(subj), "user", rq->a.user);
		rc = args_parse_id(rq->a.user, &id) ?
			     ids_user_by_uid((uid_t)id, &rq->tgt, &why) :
			     ids_user_by_name(rq->a.user, &rq->tgt, &why);
		if (check(rq, rc == 0, subj, rc == 0 ? "exists" : why) != 0)
			return -1;
		subject(subj, sizeof(subj), "group", rq->a.group);
		if (args_parse_id(rq->a.group, &id)) {
			rq->gid = (gid_t)id;
			rc = ids_group_exists(rq->gid, &why);
		} else {
			rc = ids_group_by_name(rq->a.group, &rq->gid, &why);
		}
		if (check(rq, rc == 0, subj, rc == 0 ? "exists" : why) != 0)
			return -1;
	}
	rq->tgt_known = true;
	why = rule_target_ids(rq->tgt.uid, rq->gid, p);
	snprintf(detail, sizeof(detail), "is within min_uid %lu, min_gid %lu",
		 p->min_uid, p->min_gid);
	snprintf(subj, sizeof(subj), "target '%s' (uid %lu, gid %lu)", rq->tgt.name,
		 (unsigned long)rq->tgt.uid, (unsigned long)rq->gid);
	if (check(rq, why == NULL, subj, why ? why : detail) != 0)
		return -1;
	bool member = rule_group_allowed(rq->gid, rq->tgt.gid, rq->tgt.groups,
					 rq->tgt.ngroups);
	snprintf(detail, sizeof(detail), "gid %lu", (unsigned long)rq->gid);
	return check(rq, member, subject(subj, sizeof(subj), "group of user", rq->tgt.name),
		     member ? detail : "does not include the requested group");
}

static int find_root(struct request *rq, const struct policy *p)
{
	char subj[PATH_MAX + 32];
	const char *under = rq->a.mode == MODE_INTERP ? rq->dir : rq->cwd;

	if (rq->a.mode != MODE_INTERP && !path_is_beneath(rq->dir, rq->cwd))
		return check(rq, false, subject(subj, sizeof(subj), "script", rq->script),
			     "is not below the working directory");
	if (!rq->a.userdir) {
		for (size_t i = 0; i < p->docroots.n; i++) {
			if (path_is_beneath(under, p->docroots.v[i])) {
				snprintf(rq->root, sizeof(rq->root), "%s", p->docroots.v[i]);
				return check(rq, true,
					     subject(subj, sizeof(subj), "docroot", rq->root),
					     "contains the script");
			}
		}
		if (rq->a.mode != MODE_INTERP)
			return check(rq, false,
				     subject(subj, sizeof(subj), "working directory", rq->cwd),
				     "is not below any docroot");
	}
	/* ~user requests, and interpreter-mode scripts outside every docroot. */
	subject(subj, sizeof(subj), "script", rq->script);
	if (p->userdir == NULL || p->userdir[0] == '\0')
		return check(rq, false, subj,
			     rq->a.userdir ? "is a ~user request but userdir is disabled" :
					     "is not below any docroot");
	if (!path_is_abs_normalized(rq->tgt.home) || strcmp(rq->tgt.home, "/") == 0)
		return check(rq, false, subj, "belongs to a user whose home is not usable");
	int n = snprintf(rq->root, sizeof(rq->root), "%s/%s", rq->tgt.home, p->userdir);
	if (n < 0 || (size_t)n >= sizeof(rq->root) || !path_is_beneath(under, rq->root))
		return check(rq, false, subj,
			     rq->a.userdir ? "is not below the user's userdir" :
					     "is not below any docroot or the owner's userdir");
	return check(rq, true, subject(subj, sizeof(subj), "userdir", rq->root),
		     "contains the script");
}

int request_check_script(struct request *rq, const struct policy *p)
{
	char subj[PATH_MAX + 32];
	const char *why;

	if (find_root(rq, p) != 0)
		return -1;
	for (size_t i = 0; i < rq->walk.n; i++) {
		bool last = i + 1 == rq->walk.n;
		/* First the file system: on FUSE the owner below is its daemon's
		 * word. */
		why = rule_fs_type(rq->walk.fstype[i]);
		if (why == NULL)
			why = last ? rule_script_dir(&rq->walk.st[i], rq->tgt.uid, rq->gid) :
				     rule_path_dir(&rq->walk.st[i], rq->tgt.uid);
		subject_n(subj, sizeof(subj), "directory", rq->dir, rq->walk.end[i]);
		if (check(rq, why == NULL, subj,
			  why ? why : last ? "is the script's directory, owned by the target" :
					     "is owned by root or the target, not writable by others") != 0)
			return -1;
	}
	why = rule_fs_type(rq->script_fstype);
	if (why == NULL)
		why = rule_script_file(&rq->script_st, rq->tgt.uid, rq->gid);
	return check(rq, why == NULL, subject(subj, sizeof(subj), "script", rq->script),
		     why ? why : "is a regular file owned by the target, not writable by others");
}

int request_check_interpreter(struct request *rq, const struct policy *p)
{
	char subj[PATH_MAX + 32];
	const char *why = NULL;
	int rc = fsys_check_interpreter(p->interpreter, &why);

	return check(rq, rc == 0, subject(subj, sizeof(subj), "interpreter", p->interpreter),
		     rc == 0 ? "is a root-owned executable" : why);
}

int request_tenant_root(const struct request *rq, char *out, size_t outsz)
{
	size_t rootlen = strlen(rq->root);

	for (size_t i = 0; i < rq->walk.n; i++) {
		size_t end = rq->walk.end[i];
		if (end < rootlen || rq->walk.st[i].st_uid != rq->tgt.uid)
			continue;
		if (end >= outsz)
			return -1;
		memcpy(out, rq->dir, end);
		out[end] = '\0';
		return 0;
	}
	return -1;
}

void request_log_record(const struct request *rq, struct log_record *r,
			const char *outcome, const char *reason)
{
	memset(r, 0, sizeof(*r));
	r->caller = rq->caller[0] ? rq->caller : NULL;
	r->caller_uid = rq->caller_uid == (uid_t)-1 ? -1 : (long long)rq->caller_uid;
	r->user = rq->tgt_known ? rq->tgt.name : rq->a.user;
	r->uid = rq->tgt_known ? (long long)rq->tgt.uid : -1;
	r->gid = rq->tgt_known ? (long long)rq->gid : -1;
	r->mode = rq->mode;
	r->script = rq->script[0] ? rq->script : rq->a.cmd;
	r->outcome = outcome;
	r->reason = reason;
}
