/* Unit tests for wrapper/request.c: the check pipeline shared by the wrapper
 * and cgijail-check, driven with hand-built struct request_args.
 *
 * suite request: no root needed: locating scripts on a temp tree under /tmp,
 *   failure reasons, the report callback, caller/target/interpreter checks
 *   against the system's passwd (root, daemon, www-data), log records.
 * suite request_root: request_check_script on a tree below a root-owned
 *   0755 directory /var/lib/cgijail-unit-<pid> (the temp root must not sit
 *   below the world-writable /tmp, which rule_path_dir refuses), with the
 *   target filled in by hand (uid/gid 62950, no passwd entry needed).  When
 *   not root these skip, unless CI is set: there a skip is a failure. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "request.h"

#define TUID 62950
#define TGID 62950
#define OTHER_ID 62951

/* ---- helpers ------------------------------------------------------------- */

static void need_root(const char *what)
{
	const char *ci = getenv("CI");

	if (geteuid() == 0)
		return;
	if (ci != NULL && ci[0] != '\0')
		cr_assert_fail("%s needs root; CI=%s, so this is a failure, not a skip",
			       what, ci);
	cr_skip("%s needs root (skipped: not root and CI is unset)", what);
}

/* What the report callback saw. */
struct seen {
	int calls, fails;
	char subject[PATH_MAX + 64]; /* of the last failing check */
	char detail[256];
	char first_ok_subject[PATH_MAX + 64];
	char last_ok_detail[256];
};

static void on_report(void *ctx, const char *check, bool ok, const char *detail)
{
	struct seen *s = ctx;

	cr_assert_not_null(check);
	cr_assert_not_null(detail);
	s->calls++;
	if (!ok) {
		s->fails++;
		snprintf(s->subject, sizeof(s->subject), "%s", check);
		snprintf(s->detail, sizeof(s->detail), "%s", detail);
	} else {
		if (s->first_ok_subject[0] == '\0')
			snprintf(s->first_ok_subject, sizeof(s->first_ok_subject), "%s", check);
		snprintf(s->last_ok_detail, sizeof(s->last_ok_detail), "%s", detail);
	}
}

/* Exactly one failing report, whose "<subject> <detail>" is rq->reason and
 * equals want. */
static void assert_one_failure(const struct request *rq, const struct seen *s,
			       const char *want)
{
	char joined[sizeof(s->subject) + sizeof(s->detail) + 2];

	cr_assert_eq(s->fails, 1, "%d failing reports (reason '%s')", s->fails, rq->reason);
	snprintf(joined, sizeof(joined), "%s %s", s->subject, s->detail);
	cr_assert_str_eq(rq->reason, joined, "reason is not \"<subject> <detail>\"");
	cr_assert_str_eq(rq->reason, want);
}

static struct request_args interp_args(const char *path)
{
	struct request_args a;

	memset(&a, 0, sizeof(a));
	a.mode = MODE_INTERP;
	a.cmd = path;
	return a;
}

static struct request_args suexec_args(const char *user, const char *group,
				       const char *cmd)
{
	struct request_args a;

	memset(&a, 0, sizeof(a));
	a.mode = MODE_SUEXEC;
	a.user = user;
	a.group = group;
	a.cmd = cmd;
	return a;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p) == 0 ? 0 : -1;
}

static char root[PATH_MAX]; /* the tree of the current suite */

static void path_of(char *out, size_t outsz, const char *rel)
{
	int n = snprintf(out, outsz, "%s/%s", root, rel);

	cr_assert(n > 0 && (size_t)n < outsz);
}

static void mk_dir(const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	cr_assert_eq(mkdir(p, 0700), 0, "mkdir %s: %s", p, strerror(errno));
	if (uid != (uid_t)-1)
		cr_assert_eq(chown(p, uid, gid), 0, "chown %s: %s", p, strerror(errno));
	cr_assert_eq(chmod(p, mode), 0); /* after chown, which may clear bits */
}

static void mk_file(const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0, "create %s: %s", p, strerror(errno));
	static const char body[] = "print('Content-Type: text/plain\\n\\nhi')\n";
	cr_assert_eq(write(fd, body, sizeof(body) - 1), (ssize_t)sizeof(body) - 1);
	cr_assert_eq(close(fd), 0);
	if (uid != (uid_t)-1)
		cr_assert_eq(chown(p, uid, gid), 0, "chown %s: %s", p, strerror(errno));
	cr_assert_eq(chmod(p, mode), 0); /* setuid bits survive only after chown */
}

static void mk_symlink(const char *target, const char *rel, uid_t uid, gid_t gid)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	cr_assert_eq(symlink(target, p), 0, "symlink %s: %s", p, strerror(errno));
	if (uid != (uid_t)-1)
		cr_assert_eq(lchown(p, uid, gid), 0);
}

static void remove_tree(const char *prefix)
{
	if (root[0] == '/' && strncmp(root, prefix, strlen(prefix)) == 0)
		(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

static size_t count_components(const char *p)
{
	size_t n = 0;

	for (size_t i = 0; p[i]; i++)
		if (p[i] != '/' && (i == 0 || p[i - 1] == '/'))
			n++;
	return n;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	cr_assert_not_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = strdup(v);
	cr_assert_not_null(*field);
}

/* ==== suite request: no root needed ===================================== */

#define TMP_PREFIX "/tmp/cgijail-unit-request-"

static void tmp_setup(void)
{
	char tmpl[] = TMP_PREFIX "XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl), "mkdtemp: %s", strerror(errno));
	cr_assert_not_null(realpath(tmpl, root));
	cr_assert_eq(chmod(root, 0755), 0);
	mk_dir("www", 0755, (uid_t)-1, 0);
	mk_dir("www/sub", 0755, (uid_t)-1, 0);
	mk_file("www/sub/s.py", 0755, (uid_t)-1, 0);
	mk_symlink("s.py", "www/sub/link.py", (uid_t)-1, 0);
	mk_symlink("www", "wwwlink", (uid_t)-1, 0);
	mk_file("www/file", 0644, (uid_t)-1, 0);
}

static void tmp_teardown(void)
{
	remove_tree(TMP_PREFIX);
}

TestSuite(request, .init = tmp_setup, .fini = tmp_teardown);

Test(request, init_fields)
{
	static const struct {
		enum req_mode mode;
		bool userdir;
		const char *want;
	} t[] = {
		{ MODE_INTERP, false, "interpreter" },
		{ MODE_VERSION, false, "version" },
		{ MODE_SUEXEC, false, "suexec" },
		{ MODE_SUEXEC, true, "userdir" },
	};
	struct request rq;
	struct seen s = { 0 };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct request_args a = suexec_args("alice", "alice", "x.py");

		a.mode = t[i].mode;
		a.userdir = t[i].userdir;
		memset(&rq, 0xa5, sizeof(rq));
		request_init(&rq, on_report, &s);
		request_set_args(&rq, &a);
		cr_assert_str_eq(rq.mode, t[i].want);
		cr_assert_eq(rq.walk.fd, -1);
		cr_assert_eq(rq.caller_uid, (uid_t)-1);
		cr_assert_not(rq.tgt_known);
		cr_assert_not(rq.have_cwd_st);
		cr_assert_eq(rq.reason[0], '\0');
		cr_assert_eq(rq.script[0], '\0');
		cr_assert_eq(rq.report_ctx, &s);
		cr_assert_str_eq(rq.a.user, "alice");
		request_free(&rq);
		cr_assert_eq(rq.walk.fd, -1);
	}
	cr_assert_eq(s.calls, 0, "request_init must not report");
}

Test(request, locate_interp_ok)
{
	char p[PATH_MAX], d[PATH_MAX];
	struct stat st;
	struct seen s = { 0 };
	struct request rq;

	path_of(p, sizeof(p), "www/sub/s.py");
	path_of(d, sizeof(d), "www/sub");
	struct request_args a = interp_args(p);

	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	cr_assert_str_eq(rq.script, p);
	cr_assert_str_eq(rq.dir, d);
	cr_assert_eq(rq.walk.n, count_components(d) + 1, "walk.n %zu", rq.walk.n);
	cr_assert_eq(rq.walk.end[rq.walk.n - 1], strlen(d));
	cr_assert_geq(rq.walk.fd, 0);
	cr_assert(S_ISREG(rq.script_st.st_mode), "mode %o", (unsigned)rq.script_st.st_mode);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(rq.script_st.st_ino, st.st_ino);
	cr_assert_eq(rq.script_st.st_dev, st.st_dev);
	cr_assert_eq(stat(d, &st), 0);
	cr_assert_eq(rq.walk.st[rq.walk.n - 1].st_ino, st.st_ino);
	cr_assert_eq(s.fails, 0);
	cr_assert_eq(rq.reason[0], '\0');
	request_free(&rq);
	cr_assert_eq(rq.walk.fd, -1);
	request_free(&rq); /* twice is harmless */
}

/* The script itself is fstat()ed through O_PATH|O_NOFOLLOW: a symlinked
 * script is located as the link (S_ISLNK), never as its target;
 * request_check_script refuses it (suite request_root). */
Test(request, locate_symlinked_script_is_the_link)
{
	char p[PATH_MAX], t[PATH_MAX];
	struct stat lst, tst;
	struct seen s = { 0 };
	struct request rq;

	path_of(p, sizeof(p), "www/sub/link.py");
	path_of(t, sizeof(t), "www/sub/s.py");
	struct request_args a = interp_args(p);

	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	cr_assert(S_ISLNK(rq.script_st.st_mode), "the symlink's target was examined");
	cr_assert_eq(lstat(p, &lst), 0);
	cr_assert_eq(stat(t, &tst), 0);
	cr_assert_eq(rq.script_st.st_ino, lst.st_ino);
	cr_assert_neq(rq.script_st.st_ino, tst.st_ino);
	request_free(&rq);
}

static const struct {
	const char *rel;     /* script path below the temp root */
	const char *subj;    /* "directory" or "script" */
	const char *subj_rel;/* the path quoted in the subject, below root */
	const char *why;
} locate_fail_cases[] = {
	{ "nodir/s.py", "directory", "nodir", "does not exist" },
	{ "nodir/deeper/s.py", "directory", "nodir", "does not exist" },
	{ "www/nodir/s.py", "directory", "www/nodir", "does not exist" },
	{ "wwwlink/sub/s.py", "directory", "wwwlink", "is a symbolic link" },
	{ "wwwlink/s.py", "directory", "wwwlink", "is a symbolic link" },
	{ "www/file/s.py", "directory", "www/file", "is not a directory" },
	{ "www/sub/missing.py", "script", "www/sub/missing.py", "does not exist" },
};

Test(request, locate_failures)
{
	int before = count_fds();

	for (size_t i = 0; i < sizeof(locate_fail_cases) / sizeof(locate_fail_cases[0]); i++) {
		char p[PATH_MAX], q[PATH_MAX], want[2 * PATH_MAX];
		struct seen s = { 0 };
		struct request rq;

		path_of(p, sizeof(p), locate_fail_cases[i].rel);
		path_of(q, sizeof(q), locate_fail_cases[i].subj_rel);
		snprintf(want, sizeof(want), "%s '%s' %s", locate_fail_cases[i].subj, q,
			 locate_fail_cases[i].why);
		struct request_args a = interp_args(p);

		request_init(&rq, on_report, &s);
		request_set_args(&rq, &a);
		cr_assert_eq(request_locate_script(&rq), -1, "%s located", p);
		assert_one_failure(&rq, &s, want);
		if (strcmp(locate_fail_cases[i].subj, "directory") == 0)
			cr_assert_eq(rq.walk.fd, -1, "%s: walk fd left open", p);
		request_free(&rq);
		cr_assert_eq(rq.walk.fd, -1);
	}
	cr_assert_eq(count_fds(), before, "descriptors leaked");
}

Test(request, locate_unusable_paths)
{
	static const char *const bad[] = {
		"relative.py", "/", "/tmp/../etc/passwd", "/tmp//x.py", "/tmp/./x.py",
		"/tmp/x.py/", "",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[PATH_MAX];
		struct seen s = { 0 };
		struct request rq;
		struct request_args a = interp_args(bad[i]);

		snprintf(want, sizeof(want), "script '%s' is not a usable path", bad[i]);
		request_init(&rq, on_report, &s);
		request_set_args(&rq, &a);
		cr_assert_eq(request_locate_script(&rq), -1, "'%s' located", bad[i]);
		assert_one_failure(&rq, &s, want);
		request_free(&rq);
	}
}

Test(request, locate_suexec_cwd)
{
	char cwd[PATH_MAX], p[PATH_MAX], other[PATH_MAX], want[2 * PATH_MAX];
	struct request rq;

	path_of(cwd, sizeof(cwd), "www");
	path_of(p, sizeof(p), "www/sub/s.py");
	path_of(other, sizeof(other), "www/sub");
	struct request_args a = suexec_args("alice", "alice", "sub/s.py");

	/* without a cwd stat (cgijail-check) */
	struct seen s = { 0 };
	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	snprintf(rq.cwd, sizeof(rq.cwd), "%s", cwd);
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	cr_assert_str_eq(rq.script, p);
	cr_assert_str_eq(rq.dir, other);
	request_free(&rq);

	/* the wrapper: "." must be the directory that was walked */
	struct seen s2 = { 0 };
	request_init(&rq, on_report, &s2);
	request_set_args(&rq, &a);
	snprintf(rq.cwd, sizeof(rq.cwd), "%s", cwd);
	cr_assert_eq(stat(cwd, &rq.cwd_st), 0);
	rq.have_cwd_st = true;
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	cr_assert_eq(s2.fails, 0);
	cr_assert_eq(s2.calls, 1);
	snprintf(want, sizeof(want), "working directory '%s'", cwd);
	cr_assert_str_eq(s2.first_ok_subject, want);
	cr_assert_str_eq(s2.last_ok_detail, "is the directory that was walked");
	request_free(&rq);

	/* "." is some other directory than the walked one */
	struct seen s3 = { 0 };
	request_init(&rq, on_report, &s3);
	request_set_args(&rq, &a);
	snprintf(rq.cwd, sizeof(rq.cwd), "%s", cwd);
	cr_assert_eq(stat(other, &rq.cwd_st), 0);
	rq.have_cwd_st = true;
	cr_assert_eq(request_locate_script(&rq), -1);
	snprintf(want, sizeof(want), "working directory '%s' changed while it was being checked",
		 cwd);
	assert_one_failure(&rq, &s3, want);
	request_free(&rq);

	/* an unnormalized cwd */
	struct seen s4 = { 0 };
	request_init(&rq, on_report, &s4);
	request_set_args(&rq, &a);
	int n = snprintf(rq.cwd, sizeof(rq.cwd), "%s/./www", root);
	cr_assert(n > 0 && (size_t)n < sizeof(rq.cwd));
	cr_assert_eq(request_locate_script(&rq), -1);
	snprintf(want, sizeof(want),
		 "working directory '%s/./www' is not an absolute normalized path", root);
	assert_one_failure(&rq, &s4, want);
	request_free(&rq);

	/* the wrapper leaves rq.cwd empty: the process's working directory is
	 * opened and must be the directory that was walked */
	char saved[PATH_MAX];
	struct seen s5 = { 0 };
	cr_assert_not_null(getcwd(saved, sizeof(saved)));
	cr_assert_eq(chdir(cwd), 0);
	request_init(&rq, on_report, &s5);
	request_set_args(&rq, &a);
	int rc = request_locate_script(&rq);
	cr_assert_eq(chdir(saved), 0);
	cr_assert_eq(rc, 0, "%s", rq.reason);
	cr_assert_str_eq(rq.cwd, cwd);
	cr_assert(rq.have_cwd_st);
	cr_assert_str_eq(rq.script, p);
	cr_assert_str_eq(s5.last_ok_detail, "is the directory that was walked");
	request_free(&rq);
}

Test(request, check_caller)
{
	struct policy p;
	struct request rq;
	struct request_args a = suexec_args("alice", "alice", "x.py");
	static const struct {
		uid_t uid;
		int rc;
		const char *want; /* reason when refused */
	} t[] = {
		{ 33, 0, NULL },     /* www-data, listed by default */
		{ 0, -1, "caller 'root' is root, which is never a caller" },
		{ 1, -1, "caller 'daemon' is not listed in caller" },
		{ 62950, -1, "caller uid '62950' has no user name" },
	};

	cr_assert_eq(policy_defaults(&p), 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct seen s = { 0 };

		request_init(&rq, on_report, &s);
		request_set_args(&rq, &a);
		int rc = request_check_caller(&rq, &p, t[i].uid);
		cr_assert_eq(rq.caller_uid, t[i].uid);
		if (t[i].rc == 0) {
			cr_assert_eq(rc, 0, "uid %u: %s", (unsigned)t[i].uid, rq.reason);
			cr_assert_eq(s.fails, 0);
			cr_assert_eq(s.calls, 1);
			cr_assert_str_eq(rq.caller, "www-data");
			cr_assert_str_eq(s.first_ok_subject, "caller 'www-data'");
			cr_assert_str_eq(s.last_ok_detail, "is listed in caller");
		} else {
			cr_assert_eq(rc, -1, "uid %u accepted", (unsigned)t[i].uid);
			assert_one_failure(&rq, &s, t[i].want);
		}
		request_free(&rq);
	}
	/* root stays refused even when a policy lists it */
	free(p.callers.v[0]);
	p.callers.v[0] = strdup("root");
	cr_assert_not_null(p.callers.v[0]);
	struct seen s = { 0 };
	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_check_caller(&rq, &p, 0), -1);
	assert_one_failure(&rq, &s, "caller 'root' is root, which is never a caller");
	policy_free(&p);
}

Test(request, resolve_target_suexec)
{
	struct policy p;
	static const struct {
		const char *user, *group;
		const char *want;
	} t[] = {
		{ "root", "root", "target 'root' (uid 0, gid 0) is root" },
		{ "0", "0", "target 'root' (uid 0, gid 0) is root" },
		{ "www-data", "www-data", "target 'www-data' (uid 33, gid 33) has a uid below min_uid" },
		{ "nosuchuser-cgijail", "www-data", "user 'nosuchuser-cgijail' no such user" },
		{ "www-data", "nosuchgroup-cgijail", "group 'nosuchgroup-cgijail' no such group" },
	};

	cr_assert_eq(policy_defaults(&p), 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct seen s = { 0 };
		struct request rq;
		struct request_args a = suexec_args(t[i].user, t[i].group, "x.py");

		request_init(&rq, on_report, &s);
		request_set_args(&rq, &a);
		cr_assert_eq(request_resolve_target(&rq, &p), -1, "%s:%s accepted", t[i].user,
			     t[i].group);
		assert_one_failure(&rq, &s, t[i].want);
		request_free(&rq);
	}
	/* With the minimum lowered, www-data:www-data passes; daemon's group
	 * is not one of www-data's. */
	p.min_uid = 1;
	p.min_gid = 1;
	struct seen s = { 0 };
	struct request rq;
	struct request_args a = suexec_args("www-data", "www-data", "x.py");
	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_resolve_target(&rq, &p), 0, "%s", rq.reason);
	cr_assert(rq.tgt_known);
	cr_assert_eq(rq.tgt.uid, 33);
	cr_assert_eq(rq.gid, 33);
	cr_assert_eq(s.fails, 0);

	struct seen s2 = { 0 };
	a = suexec_args("www-data", "daemon", "x.py");
	request_init(&rq, on_report, &s2);
	request_set_args(&rq, &a);
	cr_assert_eq(request_resolve_target(&rq, &p), -1);
	assert_one_failure(&rq, &s2, "group of user 'www-data' does not include the requested group");
	policy_free(&p);
}

Test(request, check_interpreter)
{
	struct policy p;
	struct request rq;
	struct request_args a = interp_args("/var/www/x.py");
	char py[PATH_MAX], want[2 * PATH_MAX];

	cr_assert_eq(policy_defaults(&p), 0);
	struct seen s = { 0 };
	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_check_interpreter(&rq, &p), 0, "%s", rq.reason);
	cr_assert_eq(s.fails, 0);
	cr_assert_str_eq(s.first_ok_subject, "interpreter '/usr/bin/python3'");

	mk_file("py", 0777, (uid_t)-1, 0);
	path_of(py, sizeof(py), "py");
	set_str(&p.interpreter, py);
	struct seen s2 = { 0 };
	request_init(&rq, on_report, &s2);
	request_set_args(&rq, &a);
	cr_assert_eq(request_check_interpreter(&rq, &p), -1, "0777 interpreter accepted");
	snprintf(want, sizeof(want), "interpreter '%s' %s", py,
		 geteuid() == 0 ? "is writable by group or others" : "is not owned by root");
	assert_one_failure(&rq, &s2, want);
	policy_free(&p);
}

Test(request, log_record)
{
	struct request rq;
	struct log_record r;
	struct request_args a = suexec_args("alice", "alice", "sub/x.py");

	request_init(&rq, NULL, NULL);
	request_set_args(&rq, &a);
	request_log_record(&rq, &r, "refused", "why");
	cr_assert_null(r.caller, "unknown caller must be NULL");
	cr_assert_eq(r.caller_uid, -1);
	cr_assert_str_eq(r.user, "alice", "the requested user until resolved");
	cr_assert_eq(r.uid, -1);
	cr_assert_eq(r.gid, -1);
	cr_assert_str_eq(r.mode, "suexec");
	cr_assert_str_eq(r.script, "sub/x.py", "CMD as given until located");
	cr_assert_str_eq(r.outcome, "refused");
	cr_assert_str_eq(r.reason, "why");

	rq.caller_uid = 33;
	snprintf(rq.caller, sizeof(rq.caller), "www-data");
	rq.tgt_known = true;
	rq.tgt.uid = TUID;
	rq.gid = TGID + 5;
	snprintf(rq.tgt.name, sizeof(rq.tgt.name), "cjunit");
	snprintf(rq.script, sizeof(rq.script), "/var/www/sub/x.py");
	request_log_record(&rq, &r, "accepted", NULL);
	cr_assert_str_eq(r.caller, "www-data");
	cr_assert_eq(r.caller_uid, 33);
	cr_assert_str_eq(r.user, "cjunit");
	cr_assert_eq(r.uid, TUID);
	cr_assert_eq(r.gid, TGID + 5, "the group the script runs as");
	cr_assert_str_eq(r.script, "/var/www/sub/x.py");
	cr_assert_null(r.reason);
	request_free(&rq);
}

/* A check with no report callback still records its reason. */
Test(request, no_report_callback)
{
	char p[PATH_MAX], want[2 * PATH_MAX];
	struct request rq;

	path_of(p, sizeof(p), "nodir/x.py");
	struct request_args a = interp_args(p);
	request_init(&rq, NULL, NULL);
	request_set_args(&rq, &a);
	cr_assert_eq(request_locate_script(&rq), -1);
	snprintf(want, sizeof(want), "directory '%s/nodir' does not exist", root);
	cr_assert_str_eq(rq.reason, want);
	request_free(&rq);
}

/* A refused command line is still recorded: the raw USER, GROUP and CMD
 * (or the script path) and the caller. */
Test(request, parse_argv_refused_is_noted)
{
	struct request rq;
	char *suexec[] = { "cgijail", "~bob", "bobs", "../x.py", NULL };
	char *interp[] = { "cgijail", "/var/www/../x.py", NULL };
	char *only[] = { "cgijail", NULL };
	char *good[] = { "cgijail", "~bob", "bobs", "x.py", NULL };

	request_init(&rq, NULL, NULL);
	cr_assert_eq(request_parse_argv(&rq, 4, suexec, 0), -1);
	cr_assert_str_eq(rq.a.user, "~bob");
	cr_assert_str_eq(rq.a.group, "bobs");
	cr_assert_str_eq(rq.a.cmd, "../x.py");
	cr_assert_eq(rq.caller_uid, 0);
	cr_assert_str_eq(rq.caller, "root");
	cr_assert_neq(rq.reason[0], '\0');

	request_init(&rq, NULL, NULL);
	cr_assert_eq(request_parse_argv(&rq, 2, interp, 0), -1);
	cr_assert_str_eq(rq.a.cmd, "/var/www/../x.py");
	cr_assert_str_eq(rq.mode, "interpreter");
	cr_assert_null(rq.a.user);

	request_init(&rq, NULL, NULL);
	cr_assert_eq(request_parse_argv(&rq, 1, only, 0), -1);
	cr_assert_null(rq.a.user);
	cr_assert_null(rq.a.cmd);
	cr_assert_str_eq(rq.mode, "suexec");

	request_init(&rq, NULL, NULL);
	cr_assert_eq(request_parse_argv(&rq, 4, good, 0), 0);
	cr_assert_str_eq(rq.mode, "userdir");
	cr_assert_str_eq(rq.a.user, "bob");
	cr_assert_str_eq(rq.a.cmd, "x.py");
	cr_assert_str_eq(rq.reason, "");
}

/* ==== suite request_root: request_check_script on a root-owned tree ====== */

#define ROOT_PREFIX "/var/lib/cgijail-unit-"

static struct policy pol;
static bool pol_live;

/* base (root 0755, the docroot)
 *   www/      target 0755   the script's directory
 *     s.py    target 0755
 *     sub/    target 0755   (a target-owned directory above the script's)
 *       t.py  target 0755
 *   www2/     target 0755   outside a docroot of base/www (prefix trick)
 *     s.py    target 0755 */
static void build_root_tree(void)
{
	need_root("request_check_script on a root-owned tree");
	int n = snprintf(root, sizeof(root), ROOT_PREFIX "%ld", (long)getpid());
	cr_assert(n > 0 && (size_t)n < sizeof(root));
	(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS); /* a crashed earlier run */
	cr_assert_eq(mkdir(root, 0755), 0, "mkdir %s: %s", root, strerror(errno));
	cr_assert_eq(chown(root, 0, 0), 0);
	cr_assert_eq(chmod(root, 0755), 0);
	mk_dir("www", 0755, TUID, TGID);
	mk_file("www/s.py", 0755, TUID, TGID);
	mk_dir("www/sub", 0755, TUID, TGID);
	mk_file("www/sub/t.py", 0755, TUID, TGID);
	mk_dir("www2", 0755, TUID, TGID);
	mk_file("www2/s.py", 0755, TUID, TGID);

	cr_assert_eq(policy_defaults(&pol), 0);
	pol_live = true;
	set_str(&pol.docroots.v[0], root);
	set_str(&pol.userdir, "");
}

static void root_teardown(void)
{
	if (pol_live)
		policy_free(&pol);
	pol_live = false;
	remove_tree(ROOT_PREFIX);
}

TestSuite(request_root, .fini = root_teardown);

/* Locate rel (below the tree) in interpreter mode, fill the target by hand
 * and run request_check_script.  Returns its result; *s gets the reports. */
static int run_check_gid(const char *rel, gid_t gid, struct request *rq, struct seen *s)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	struct request_args a = interp_args(p);
	request_init(rq, on_report, s);
	request_set_args(rq, &a);
	cr_assert_eq(request_locate_script(rq), 0, "locate %s: %s", p, rq->reason);
	rq->tgt.uid = TUID;
	rq->tgt.gid = TGID;
	snprintf(rq->tgt.name, sizeof(rq->tgt.name), "cjunit");
	rq->gid = gid; /* the requested group (suexec's GROUP) */
	rq->tgt_known = true;
	memset(s, 0, sizeof(*s)); /* only the reports of the check itself */
	int rc = request_check_script(rq, &pol);
	request_free(rq);
	return rc;
}

static int run_check(const char *rel, struct request *rq, struct seen *s)
{
	return run_check_gid(rel, TGID, rq, s);
}

Test(request_root, proper_tree_ok)
{
	struct request rq;
	struct seen s;

	build_root_tree();
	int rc = run_check("www/s.py", &rq, &s);
	cr_assert_eq(rc, 0, "%s", rq.reason);
	cr_assert_eq(s.fails, 0);
	/* docroot, every directory from "/" to www, the script */
	cr_assert_eq((size_t)s.calls, 1 + rq.walk.n + 1, "%d reports for walk.n %zu", s.calls,
		     rq.walk.n);
	char want[PATH_MAX + 32];
	snprintf(want, sizeof(want), "docroot '%s'", root);
	cr_assert_str_eq(s.first_ok_subject, want);
	cr_assert_str_eq(s.last_ok_detail,
			 "is a regular file owned by the target, not writable by others");
	cr_assert_str_eq(rq.root, root);
	cr_assert_eq(rq.reason[0], '\0');

	/* a target-owned directory above the script's directory is fine */
	rc = run_check("www/sub/t.py", &rq, &s);
	cr_assert_eq(rc, 0, "%s", rq.reason);

	/* the docroot may be the script's directory itself */
	char d[PATH_MAX];
	path_of(d, sizeof(d), "www");
	set_str(&pol.docroots.v[0], d);
	rc = run_check("www/s.py", &rq, &s);
	cr_assert_eq(rc, 0, "%s", rq.reason);
}

/* The group that must own the script and its directory is the one the
 * script runs as (rq->gid, e.g. a supplementary group asked for by suexec's
 * GROUP), not the user's primary group. */
Test(request_root, requested_group_owns)
{
	struct request rq;
	struct seen s;
	char p[PATH_MAX], want[2 * PATH_MAX];

	build_root_tree();
	path_of(p, sizeof(p), "www");
	cr_assert_eq(chown(p, TUID, OTHER_ID), 0);
	cr_assert_eq(chmod(p, 0755), 0);
	path_of(p, sizeof(p), "www/s.py");
	cr_assert_eq(chown(p, TUID, OTHER_ID), 0);
	cr_assert_eq(chmod(p, 0755), 0);
	cr_assert_eq(run_check_gid("www/s.py", OTHER_ID, &rq, &s), 0, "%s", rq.reason);
	cr_assert_eq(run_check_gid("www/s.py", TGID, &rq, &s), -1, "primary group accepted");
	snprintf(want, sizeof(want), "directory '%s/www' is not owned by the target user and group",
		 root);
	assert_one_failure(&rq, &s, want);

	/* directory right, script still in the primary group */
	path_of(p, sizeof(p), "www/s.py");
	cr_assert_eq(chown(p, TUID, TGID), 0);
	cr_assert_eq(chmod(p, 0755), 0);
	cr_assert_eq(run_check_gid("www/s.py", OTHER_ID, &rq, &s), -1);
	snprintf(want, sizeof(want), "script '%s/www/s.py' is not owned by the target user and group",
		 root);
	assert_one_failure(&rq, &s, want);
}

/* One failing case per rule: a mutation of the proper tree, the script to
 * check, and the expected reason "<kind> '<root>[/<rel>]' <why>". */
enum mut {
	M_CHMOD, /* chmod rel mode */
	M_CHOWN, /* chown rel uid:gid (then chmod mode again: chown clears suid) */
	M_SYMLINK, /* rel -> "s.py", owned by the target */
	M_FIFO,    /* mkfifo rel, owned by the target */
	M_DOCROOT, /* docroot := root/rel */
};

static const struct {
	const char *name;
	enum mut m;
	const char *rel;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	const char *script;
	const char *want_kind; /* "directory" or "script" */
	const char *want_rel;  /* the quoted path below the tree ("" = the root) */
	const char *want_why;
} root_fail_cases[] = {
	{ "script dir group-writable", M_CHMOD, "www", 0775, 0, 0, "www/s.py",
	  "directory", "www", "is writable by group or others" },
	{ "script dir other-writable", M_CHMOD, "www", 0757, 0, 0, "www/s.py",
	  "directory", "www", "is writable by group or others" },
	{ "upper dir group-writable", M_CHMOD, "", 0775, 0, 0, "www/s.py",
	  "directory", "", "is writable by group or others" },
	{ "upper dir owned by another uid", M_CHOWN, "", 0755, OTHER_ID, 0, "www/s.py",
	  "directory", "", "is owned by neither root nor the target user" },
	{ "target-owned upper dir group-writable", M_CHMOD, "www", 0775, 0, 0, "www/sub/t.py",
	  "directory", "www", "is writable by group or others" },
	{ "script dir owned by another uid", M_CHOWN, "www", 0755, OTHER_ID, TGID, "www/s.py",
	  "directory", "www", "is not owned by the target user and group" },
	{ "script dir with another gid", M_CHOWN, "www", 0755, TUID, OTHER_ID, "www/s.py",
	  "directory", "www", "is not owned by the target user and group" },
	{ "script dir owned by root", M_CHOWN, "www", 0755, 0, 0, "www/s.py",
	  "directory", "www", "is not owned by the target user and group" },
	{ "script 0775", M_CHMOD, "www/s.py", 0775, 0, 0, "www/s.py",
	  "script", "www/s.py", "is writable by group or others" },
	{ "script 0757", M_CHMOD, "www/s.py", 0757, 0, 0, "www/s.py",
	  "script", "www/s.py", "is writable by group or others" },
	{ "script setuid", M_CHMOD, "www/s.py", 04755, 0, 0, "www/s.py",
	  "script", "www/s.py", "has the setuid or setgid bit" },
	{ "script setgid", M_CHMOD, "www/s.py", 02755, 0, 0, "www/s.py",
	  "script", "www/s.py", "has the setuid or setgid bit" },
	{ "script 0644", M_CHMOD, "www/s.py", 0644, 0, 0, "www/s.py",
	  "script", "www/s.py", "is not executable by its owner" },
	{ "script 0654", M_CHMOD, "www/s.py", 0654, 0, 0, "www/s.py",
	  "script", "www/s.py", "is not executable by its owner" },
	{ "script with another gid", M_CHOWN, "www/s.py", 0755, TUID, OTHER_ID, "www/s.py",
	  "script", "www/s.py", "is not owned by the target user and group" },
	{ "script owned by another uid", M_CHOWN, "www/s.py", 0755, OTHER_ID, TGID, "www/s.py",
	  "script", "www/s.py", "is not owned by the target user and group" },
	{ "script owned by root", M_CHOWN, "www/s.py", 0755, 0, 0, "www/s.py",
	  "script", "www/s.py", "is not owned by the target user and group" },
	{ "symlinked script", M_SYMLINK, "www/link.py", 0, 0, 0, "www/link.py",
	  "script", "www/link.py", "is a symbolic link" },
	{ "fifo script", M_FIFO, "www/f.py", 0755, 0, 0, "www/f.py",
	  "script", "www/f.py", "is not a regular file" },
	{ "docroot prefix trick", M_DOCROOT, "www", 0, 0, 0, "www2/s.py",
	  "script", "www2/s.py", "is not below any docroot" },
	{ "docroot below the script", M_DOCROOT, "www/sub", 0, 0, 0, "www/s.py",
	  "script", "www/s.py", "is not below any docroot" },
};

Test(request_root, one_failure_per_rule)
{
	build_root_tree();
	for (size_t i = 0; i < sizeof(root_fail_cases) / sizeof(root_fail_cases[0]); i++) {
		char p[PATH_MAX], want[2 * PATH_MAX];
		struct request rq;
		struct seen s;

		/* a fresh proper tree and policy for each case */
		if (i > 0) {
			root_teardown();
			build_root_tree();
		}
		path_of(p, sizeof(p), root_fail_cases[i].rel);
		if (root_fail_cases[i].rel[0] == '\0')
			snprintf(p, sizeof(p), "%s", root);
		switch (root_fail_cases[i].m) {
		case M_CHMOD:
			cr_assert_eq(chmod(p, root_fail_cases[i].mode), 0);
			break;
		case M_CHOWN:
			cr_assert_eq(chown(p, root_fail_cases[i].uid, root_fail_cases[i].gid), 0);
			cr_assert_eq(chmod(p, root_fail_cases[i].mode), 0);
			break;
		case M_SYMLINK:
			mk_symlink("s.py", root_fail_cases[i].rel, TUID, TGID);
			break;
		case M_FIFO:
			cr_assert_eq(mkfifo(p, 0755), 0);
			cr_assert_eq(chown(p, TUID, TGID), 0);
			cr_assert_eq(chmod(p, root_fail_cases[i].mode), 0);
			break;
		case M_DOCROOT:
			set_str(&pol.docroots.v[0], p);
			break;
		}
		alarm(5); /* nothing may block on the FIFO */
		int rc = run_check(root_fail_cases[i].script, &rq, &s);
		alarm(0);
		cr_assert_eq(rc, -1, "case '%s' accepted", root_fail_cases[i].name);
		snprintf(want, sizeof(want), "%s '%s%s%s' %s", root_fail_cases[i].want_kind, root,
			 root_fail_cases[i].want_rel[0] ? "/" : "", root_fail_cases[i].want_rel,
			 root_fail_cases[i].want_why);
		cr_assert_eq(s.fails, 1, "case '%s': %d failing reports", root_fail_cases[i].name,
			     s.fails);
		assert_one_failure(&rq, &s, want);
	}
}

/* Interpreter mode outside every docroot: the owner's userdir is the only
 * other place a script may be. */
Test(request_root, userdir_containment)
{
	struct request rq;
	struct seen s;
	char want[2 * PATH_MAX], ud[PATH_MAX];

	build_root_tree();
	set_str(&pol.docroots.v[0], "/var/www-nonexistent-docroot");
	set_str(&pol.userdir, "www");

	/* home = the tree's root, userdir "www": contains www/s.py */
	char p[PATH_MAX];
	path_of(p, sizeof(p), "www/s.py");
	struct request_args a = interp_args(p);
	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	rq.tgt.uid = TUID;
	rq.tgt.gid = TGID;
	rq.gid = TGID;
	rq.tgt_known = true;
	snprintf(rq.tgt.home, sizeof(rq.tgt.home), "%s", root);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(request_check_script(&rq, &pol), 0, "%s", rq.reason);
	path_of(ud, sizeof(ud), "www");
	snprintf(want, sizeof(want), "userdir '%s'", ud);
	cr_assert_str_eq(s.first_ok_subject, want);
	cr_assert_str_eq(rq.root, ud);
	request_free(&rq);

	/* www2 is not below home/www (prefix trick on the userdir) */
	path_of(p, sizeof(p), "www2/s.py");
	a = interp_args(p);
	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	rq.tgt.uid = TUID;
	rq.tgt.gid = TGID;
	rq.gid = TGID;
	rq.tgt_known = true;
	snprintf(rq.tgt.home, sizeof(rq.tgt.home), "%s", root);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(request_check_script(&rq, &pol), -1);
	snprintf(want, sizeof(want),
		 "script '%s' is not below any docroot or the owner's userdir", p);
	assert_one_failure(&rq, &s, want);

	/* no usable home */
	rq.tgt.home[0] = '\0';
	memset(&s, 0, sizeof(s));
	rq.reason[0] = '\0';
	cr_assert_eq(request_check_script(&rq, &pol), -1);
	snprintf(want, sizeof(want), "script '%s' belongs to a user whose home is not usable", p);
	assert_one_failure(&rq, &s, want);
	request_free(&rq);
}

/* The whole interpreter-mode pipeline on a script owned by root: the owner
 * is resolved from the script and refused as a target. */
Test(request_root, root_owned_script_refused_as_target)
{
	struct request rq;
	struct seen s = { 0 };
	char p[PATH_MAX];

	build_root_tree();
	mk_file("www/r.py", 0755, 0, 0);
	path_of(p, sizeof(p), "www/r.py");
	struct request_args a = interp_args(p);
	request_init(&rq, on_report, &s);
	request_set_args(&rq, &a);
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	cr_assert_eq(request_resolve_target(&rq, &pol), -1);
	assert_one_failure(&rq, &s, "target 'root' (uid 0, gid 0) is root");
	request_free(&rq);

	/* owner without a passwd entry */
	struct seen s2 = { 0 };
	path_of(p, sizeof(p), "www/s.py");
	a = interp_args(p);
	request_init(&rq, on_report, &s2);
	request_set_args(&rq, &a);
	cr_assert_eq(request_locate_script(&rq), 0, "%s", rq.reason);
	cr_assert_eq(request_resolve_target(&rq, &pol), -1);
	char want[2 * PATH_MAX];
	snprintf(want, sizeof(want), "owner of script '%s' no such user", p);
	assert_one_failure(&rq, &s2, want);
	cr_assert_not(rq.tgt_known);
	request_free(&rq);
}

/* The tenant root: the highest directory at or below the root owned by the
 * target (pure: built from a walk's stats, no file system). */
Test(request, tenant_root_table)
{
	static const struct {
		const char *root, *dir;
		uid_t owners[6];   /* of "/", then each component of dir */
		const char *want;  /* NULL: none */
	} t[] = {
		{ "/var/www", "/var/www/alice/cgi", { 0, 0, 0, 1000, 1000 }, "/var/www/alice" },
		{ "/var/www", "/var/www/alice/cgi", { 0, 0, 0, 0, 1000 }, "/var/www/alice/cgi" },
		{ "/var/www", "/var/www", { 0, 0, 1000 }, "/var/www" },
		{ "/home/bob/public_html", "/home/bob/public_html/x",
		  { 0, 0, 1000, 1000, 1000 }, "/home/bob/public_html" },
		{ "/var/www", "/var/www/alice", { 0, 1000, 0, 0 }, NULL }, /* above the root does not count */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct request rq;
		struct request_args a = suexec_args("alice", "alice", "x.py");
		char out[PATH_MAX];
		const char *p = t[i].dir;
		size_t n = 0;

		request_init(&rq, NULL, NULL);
		request_set_args(&rq, &a);
		snprintf(rq.dir, sizeof(rq.dir), "%s", t[i].dir);
		snprintf(rq.root, sizeof(rq.root), "%s", t[i].root);
		rq.tgt.uid = 1000;
		rq.walk.st[n].st_uid = t[i].owners[n];
		rq.walk.end[n++] = 1;
		while (*p) {
			p++;
			p += strcspn(p, "/");
			rq.walk.st[n].st_uid = t[i].owners[n];
			rq.walk.end[n++] = (size_t)(p - t[i].dir);
		}
		rq.walk.n = n;
		int rc = request_tenant_root(&rq, out, sizeof(out));
		if (t[i].want == NULL) {
			cr_expect_eq(rc, -1, "case %zu", i);
		} else {
			cr_expect_eq(rc, 0, "case %zu", i);
			cr_expect_str_eq(out, t[i].want, "case %zu", i);
		}
		cr_expect_eq(request_tenant_root(&rq, out, 4), t[i].want ? -1 : -1,
			     "case %zu: too small", i);
	}
}
