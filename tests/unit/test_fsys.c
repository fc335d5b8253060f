/* Unit tests for wrapper/fsys.c: the descriptor walk and the leaf, config,
 * interpreter and cwd openers, on a private temp tree under /tmp (removed by
 * the fixture).  fsys applies no ownership rules to the walk itself, so /tmp
 * being world-writable does not matter here.  Cases that need root-owned
 * files skip when not root, unless CI is set: there a skip is a failure. */
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
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsys.h"

static char root[PATH_MAX]; /* the temp tree, realpath()ed */
static int saved_cwd = -1;

/* ---- helpers ------------------------------------------------------------- */

static void teardown(void);

/* Root-only case: skip when not root, but only when CI is unset (empty
 * counts as unset); with CI set a skip would hide a missing check.
 * Criterion runs no .fini after a skip, so the tree is removed here. */
static void need_root(const char *what)
{
	const char *ci = getenv("CI");

	if (geteuid() == 0)
		return;
	if (ci != NULL && ci[0] != '\0')
		cr_assert_fail("%s needs root; CI=%s, so this is a failure, not a skip",
			       what, ci);
	teardown();
	cr_skip("%s needs root (skipped: not root and CI is unset)", what);
}

static void path_of(char *out, size_t outsz, const char *rel)
{
	int n = snprintf(out, outsz, "%s/%s", root, rel);

	cr_assert(n > 0 && (size_t)n < outsz, "path too long: %s/%s", root, rel);
}

static void mkdir_rel(const char *rel, mode_t mode)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	cr_assert_eq(mkdir(p, mode), 0, "mkdir %s: %s", p, strerror(errno));
	cr_assert_eq(chmod(p, mode), 0); /* past the umask */
}

static void file_rel(const char *rel, mode_t mode, const char *content)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	cr_assert_geq(fd, 0, "create %s: %s", p, strerror(errno));
	if (content)
		cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	cr_assert_eq(close(fd), 0);
	cr_assert_eq(chmod(p, mode), 0);
}

static void symlink_rel(const char *target, const char *rel)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	cr_assert_eq(symlink(target, p), 0, "symlink %s: %s", p, strerror(errno));
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	cr_assert_not_null(d, "/proc/self/fd: %s", strerror(errno));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void assert_same_file(const struct stat *a, const struct stat *b,
			     const char *what)
{
	cr_assert_eq(a->st_dev, b->st_dev, "%s: st_dev", what);
	cr_assert_eq(a->st_ino, b->st_ino, "%s: st_ino", what);
	cr_assert_eq(a->st_mode, b->st_mode, "%s: st_mode %o vs %o", what,
		     (unsigned)a->st_mode, (unsigned)b->st_mode);
	cr_assert_eq(a->st_uid, b->st_uid, "%s: st_uid", what);
	cr_assert_eq(a->st_gid, b->st_gid, "%s: st_gid", what);
}

static void assert_o_path(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	int fdfl = fcntl(fd, F_GETFD);

	cr_assert_neq(fl, -1);
	cr_assert(fl & O_PATH, "fd %d is not an O_PATH descriptor (flags %#x)", fd, fl);
	cr_assert(fdfl & FD_CLOEXEC, "fd %d lacks FD_CLOEXEC", fd);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p) == 0 ? 0 : -1;
}

static void setup(void)
{
	char tmpl[] = "/tmp/cgijail-unit-fsys-XXXXXX";

	saved_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(saved_cwd, 0);
	cr_assert_not_null(mkdtemp(tmpl), "mkdtemp: %s", strerror(errno));
	cr_assert_not_null(realpath(tmpl, root));
	cr_assert_eq(chmod(root, 0755), 0);
	mkdir_rel("a", 0755);
	mkdir_rel("a/b", 0755);
	mkdir_rel("a/b/c", 0700);
	file_rel("file", 0644, "hello\n");
	symlink_rel("b", "a/link");      /* relative, to a directory */
	symlink_rel("/", "a/rootlink");   /* absolute */
	symlink_rel("../file", "a/flink"); /* to a file */
	symlink_rel("nowhere", "a/dangling");
	char p[PATH_MAX];
	path_of(p, sizeof(p), "fifo");
	cr_assert_eq(mkfifo(p, 0600), 0, "mkfifo: %s", strerror(errno));
}

static void teardown(void)
{
	if (saved_cwd >= 0) {
		if (fchdir(saved_cwd) != 0)
			perror("fchdir back"); /* the tree is still removed by path */
		(void)close(saved_cwd);
		saved_cwd = -1;
	}
	if (root[0] == '/' && strncmp(root, "/tmp/cgijail-unit-fsys-", 23) == 0)
		(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

TestSuite(fsys, .init = setup, .fini = teardown);

/* ---- fsys_walk_dir: success ---------------------------------------------- */

static size_t count_components(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		if (*p != '/' && (p[-1] == '/'))
			n++;
	return n;
}

static void check_walk(const char *path)
{
	struct walk w;
	const char *why = "unset";
	size_t bad = 12345;
	size_t comps = count_components(path);

	cr_assert_eq(fsys_walk_dir(path, &w, &why, &bad), 0, "walk %s: %s at %zu", path,
		     why, bad);
	cr_assert_eq(w.n, comps + 1, "walk %s: n %zu, want %zu", path, w.n, comps + 1);
	for (size_t i = 0; i < w.n; i++) {
		char prefix[PATH_MAX];
		struct stat st;

		cr_assert_leq(w.end[i], strlen(path));
		if (i > 0)
			cr_assert_gt(w.end[i], w.end[i - 1], "end[] not increasing");
		cr_assert(i == 0 || path[w.end[i]] == '\0' || path[w.end[i]] == '/',
			  "end[%zu]=%zu is not at a component boundary of %s", i, w.end[i],
			  path);
		snprintf(prefix, sizeof(prefix), "%.*s", (int)w.end[i], path);
		cr_assert_eq(lstat(prefix, &st), 0, "lstat %s", prefix);
		cr_assert(S_ISDIR(w.st[i].st_mode), "%s is not a directory", prefix);
		assert_same_file(&w.st[i], &st, prefix);
		struct statfs sfs;
		cr_assert_eq(statfs(prefix, &sfs), 0, "statfs %s", prefix);
		cr_assert_eq(w.fstype[i], (unsigned long)sfs.f_type,
			     "fstype of %s: %#lx, statfs says %#lx", prefix, w.fstype[i],
			     (unsigned long)sfs.f_type);
	}
	cr_assert_eq(w.end[0], 1, "end[0] is the prefix \"/\"");
	cr_assert_eq(w.end[w.n - 1], strlen(path), "last prefix is the whole path");

	struct stat fst, pst;
	cr_assert_geq(w.fd, 0);
	assert_o_path(w.fd);
	cr_assert_eq(fstat(w.fd, &fst), 0);
	cr_assert_eq(stat(path, &pst), 0);
	assert_same_file(&fst, &pst, "w.fd is the last directory");
	fsys_walk_close(&w);
	cr_assert_eq(w.fd, -1);
	fsys_walk_close(&w); /* idempotent */
	cr_assert_eq(w.fd, -1);
}

Test(fsys, walk_nested)
{
	char p[PATH_MAX];
	int before = count_fds();

	path_of(p, sizeof(p), "a/b/c");
	check_walk(p);
	path_of(p, sizeof(p), "a");
	check_walk(p);
	check_walk(root);
	check_walk("/tmp");
	check_walk("/usr/bin");
	cr_assert_eq(count_fds(), before, "descriptors leaked by successful walks");
}

Test(fsys, walk_nested_exact_counts)
{
	char p[PATH_MAX];
	struct walk w;
	const char *why = NULL;
	size_t bad = 0;
	size_t rl = strlen(root);

	path_of(p, sizeof(p), "a/b/c");
	cr_assert_eq(fsys_walk_dir(p, &w, &why, &bad), 0, "%s", why);
	/* "/", "tmp", "cgijail-unit-fsys-XXXXXX", "a", "b", "c" */
	cr_assert_eq(w.n, 6);
	cr_assert_eq(w.end[0], 1);
	cr_assert_eq(w.end[1], 4);          /* "/tmp" */
	cr_assert_eq(w.end[2], rl);
	cr_assert_eq(w.end[3], rl + 2);     /* ".../a" */
	cr_assert_eq(w.end[4], rl + 4);     /* ".../a/b" */
	cr_assert_eq(w.end[5], rl + 6);     /* ".../a/b/c" */
	cr_assert_eq(w.st[5].st_mode & 07777, 0700);
	fsys_walk_close(&w);
}

Test(fsys, walk_root_only)
{
	struct walk w;
	struct stat st;
	const char *why = NULL;
	size_t bad = 99;

	cr_assert_eq(fsys_walk_dir("/", &w, &why, &bad), 0, "%s", why);
	cr_assert_eq(w.n, 1);
	cr_assert_eq(w.end[0], 1);
	cr_assert_eq(stat("/", &st), 0);
	assert_same_file(&w.st[0], &st, "/");
	cr_assert_geq(w.fd, 0);
	fsys_walk_close(&w);
}

/* 63 components below "/" fill the FSYS_MAX_DEPTH (64) slots; one more is
 * refused as too deep, at the prefix of the 64th component. */
Test(fsys, walk_depth_limit)
{
	char p[PATH_MAX], deep[PATH_MAX];
	struct walk w;
	const char *why = NULL;
	size_t bad = 0, base = count_components(root);
	size_t want = FSYS_MAX_DEPTH - 1; /* components that fit */

	cr_assert_lt(base, want);
	snprintf(p, sizeof(p), "%s", root);
	for (size_t i = base; i < want + 1; i++) {
		size_t l = strlen(p);
		cr_assert_lt(l + 3, sizeof(p));
		memcpy(p + l, "/d", 3);
		cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
		if (i + 1 == want)
			snprintf(deep, sizeof(deep), "%s", p);
	}
	cr_assert_eq(count_components(deep), want);
	cr_assert_eq(fsys_walk_dir(deep, &w, &why, &bad), 0, "%s at %zu", why, bad);
	cr_assert_eq(w.n, (size_t)FSYS_MAX_DEPTH);
	fsys_walk_close(&w);

	why = NULL;
	cr_assert_eq(fsys_walk_dir(p, &w, &why, &bad), -1);
	cr_assert_str_eq(why, "is nested too deeply");
	cr_assert_eq(bad, strlen(p), "bad %zu, want %zu", bad, strlen(p));
	cr_assert_eq(w.fd, -1);
}

/* ---- fsys_walk_dir: failures --------------------------------------------- */

static const struct {
	const char *rel;     /* below root; "" marks an absolute literal in abs */
	const char *abs;
	const char *why;
	const char *bad_rel; /* prefix (below root) of the offending component */
} walk_fail_cases[] = {
	{ "a/link", NULL, "is a symbolic link", "a/link" },
	{ "a/link/c", NULL, "is a symbolic link", "a/link" },
	{ "a/rootlink", NULL, "is a symbolic link", "a/rootlink" },
	{ "a/rootlink/tmp", NULL, "is a symbolic link", "a/rootlink" },
	{ "a/dangling/x", NULL, "is a symbolic link", "a/dangling" },
	{ "a/flink", NULL, "is a symbolic link", "a/flink" },
	{ "file", NULL, "is not a directory", "file" },
	{ "file/x", NULL, "is not a directory", "file" },
	{ "fifo", NULL, "is not a directory", "fifo" },
	{ "missing", NULL, "does not exist", "missing" },
	{ "missing/x/y", NULL, "does not exist", "missing" },
	{ "a/b/missing", NULL, "does not exist", "a/b/missing" },
	{ "a/b/c/missing/d", NULL, "does not exist", "a/b/c/missing" },
};

Test(fsys, walk_failures)
{
	int before = count_fds();

	for (size_t i = 0; i < sizeof(walk_fail_cases) / sizeof(walk_fail_cases[0]); i++) {
		char p[PATH_MAX], b[PATH_MAX];
		struct walk w;
		const char *why = NULL;
		size_t bad = 0;

		path_of(p, sizeof(p), walk_fail_cases[i].rel);
		path_of(b, sizeof(b), walk_fail_cases[i].bad_rel);
		w.fd = 12345;
		cr_assert_eq(fsys_walk_dir(p, &w, &why, &bad), -1, "walk %s succeeded", p);
		cr_assert_not_null(why, "%s: no reason", p);
		cr_assert_str_eq(why, walk_fail_cases[i].why, "%s", p);
		cr_assert_eq(bad, strlen(b), "%s: bad %zu, want %zu (%s)", p, bad, strlen(b), b);
		cr_assert_eq(w.fd, -1, "%s: fd left open", p);
		fsys_walk_close(&w); /* harmless after a failure */
	}
	cr_assert_eq(count_fds(), before, "descriptors leaked by failing walks");
}

/* The walk never follows a symlink, even one an ordinary stat() resolves
 * to a perfectly good directory. */
Test(fsys, walk_symlink_resolvable_by_name)
{
	char p[PATH_MAX];
	struct stat st;
	struct walk w;
	const char *why = NULL;
	size_t bad = 0;

	path_of(p, sizeof(p), "a/link/c");
	cr_assert_eq(stat(p, &st), 0);
	cr_assert(S_ISDIR(st.st_mode), "precondition: resolves to a directory");
	cr_assert_eq(fsys_walk_dir(p, &w, &why, &bad), -1);
	cr_assert_str_eq(why, "is a symbolic link");
}

Test(fsys, walk_not_absolute_or_too_long)
{
	struct walk w;
	const char *why = NULL;
	size_t bad = 77;
	char p[PATH_MAX], longname[NAME_MAX + 2];

	cr_assert_eq(fsys_walk_dir("tmp/x", &w, &why, &bad), -1);
	cr_assert_str_eq(why, "is not an absolute path");
	cr_assert_eq(bad, 0);
	cr_assert_eq(w.fd, -1);
	cr_assert_eq(fsys_walk_dir("", &w, &why, &bad), -1);
	cr_assert_str_eq(why, "is not an absolute path");

	memset(longname, 'n', NAME_MAX + 1);
	longname[NAME_MAX + 1] = '\0';
	path_of(p, sizeof(p), longname);
	cr_assert_eq(fsys_walk_dir(p, &w, &why, &bad), -1);
	cr_assert_str_eq(why, "has a name that is too long");
	cr_assert_eq(bad, strlen(p));
	cr_assert_eq(w.fd, -1);
}

/* ---- fsys_open_leaf ------------------------------------------------------ */

static int open_root_dir(void)
{
	int d = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	cr_assert_geq(d, 0, "open %s: %s", root, strerror(errno));
	return d;
}

Test(fsys, open_leaf_fifo_does_not_block)
{
	int d = open_root_dir();
	struct stat st;
	const char *why = NULL;

	alarm(5); /* a blocking open of the FIFO would kill the test */
	int fd = fsys_open_leaf(d, "fifo", &st, &why);
	alarm(0);
	cr_assert_geq(fd, 0, "open_leaf fifo: %s", why ? why : "?");
	cr_assert(S_ISFIFO(st.st_mode), "mode %o", (unsigned)st.st_mode);
	assert_o_path(fd);
	close(fd);
	close(d);
}

Test(fsys, open_leaf_symlink_is_the_link)
{
	int d = open_root_dir();
	struct stat st, lst, tst;
	const char *why = NULL;
	char p[PATH_MAX];
	static const char *const links[] = { "a/flink", "a/link", "a/dangling", "a/rootlink" };

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		int fd = fsys_open_leaf(d, links[i], &st, &why);

		cr_assert_geq(fd, 0, "%s: %s", links[i], why ? why : "?");
		cr_assert(S_ISLNK(st.st_mode), "%s: mode %o, not the link itself", links[i],
			  (unsigned)st.st_mode);
		path_of(p, sizeof(p), links[i]);
		cr_assert_eq(lstat(p, &lst), 0);
		cr_assert_eq(st.st_ino, lst.st_ino, "%s: not the link's inode", links[i]);
		if (stat(p, &tst) == 0)
			cr_assert_neq(st.st_ino, tst.st_ino, "%s: the target was opened", links[i]);
		assert_o_path(fd);
		close(fd);
	}
	close(d);
}

Test(fsys, open_leaf_dev_null_is_chr_and_not_open_for_io)
{
	int d = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	const char *why = NULL;
	char c;

	cr_assert_geq(d, 0);
	int fd = fsys_open_leaf(d, "null", &st, &why);
	cr_assert_geq(fd, 0, "%s", why ? why : "?");
	cr_assert(S_ISCHR(st.st_mode));
	assert_o_path(fd);
	errno = 0;
	cr_assert_eq(read(fd, &c, 1), -1, "an O_PATH fd must not allow I/O");
	cr_assert_eq(errno, EBADF);
	close(fd);
	close(d);
}

Test(fsys, open_leaf_regular_dir_and_failures)
{
	int d = open_root_dir();
	struct stat st, ref;
	const char *why = NULL;
	char p[PATH_MAX];
	int before = count_fds();

	int fd = fsys_open_leaf(d, "file", &st, &why);
	cr_assert_geq(fd, 0);
	path_of(p, sizeof(p), "file");
	cr_assert_eq(lstat(p, &ref), 0);
	assert_same_file(&st, &ref, "file");
	cr_assert(S_ISREG(st.st_mode));
	close(fd);

	fd = fsys_open_leaf(d, "a", &st, &why);
	cr_assert_geq(fd, 0);
	cr_assert(S_ISDIR(st.st_mode));
	close(fd);

	why = NULL;
	cr_assert_eq(fsys_open_leaf(d, "missing", &st, &why), -1);
	cr_assert_str_eq(why, "does not exist");
	cr_assert_eq(errno, ENOENT, "errno is left as openat set it");

	int ffd = fsys_open_leaf(d, "file", &st, &why);
	cr_assert_geq(ffd, 0);
	why = NULL;
	cr_assert_eq(fsys_open_leaf(ffd, "x", &st, &why), -1);
	cr_assert_str_eq(why, "has a parent that is not a directory");
	close(ffd);
	cr_assert_eq(count_fds(), before);
	close(d);
}

/* ---- fsys_open_config_file ----------------------------------------------- */

Test(fsys, open_config_file_missing_and_symlink)
{
	int d = open_root_dir();
	const char *why = NULL;
	int before = count_fds();

	errno = 0;
	cr_assert_eq(fsys_open_config_file(d, "missing.conf", &why), -2);
	cr_assert_eq(errno, ENOENT);
	symlink_rel("file", "link.conf");
	cr_assert_eq(fsys_open_config_file(d, "link.conf", &why), -1);
	cr_assert_str_eq(why, "is a symbolic link");
	/* A dangling symlink is a symlink, not a missing file. */
	symlink_rel("nowhere.conf", "dangling.conf");
	why = NULL;
	cr_assert_eq(fsys_open_config_file(d, "dangling.conf", &why), -1);
	cr_assert_str_eq(why, "is a symbolic link");
	cr_assert_eq(count_fds(), before);
	close(d);
}

Test(fsys, open_config_file_not_regular_no_block)
{
	int d = open_root_dir();
	const char *why = NULL;
	int before = count_fds();

	alarm(5);
	cr_assert_eq(fsys_open_config_file(d, "fifo", &why), -1);
	alarm(0);
	cr_assert_str_eq(why, "is not a regular file");
	why = NULL;
	cr_assert_eq(fsys_open_config_file(d, "a", &why), -1);
	cr_assert_str_eq(why, "is not a regular file");
	cr_assert_eq(count_fds(), before);
	close(d);
}

Test(fsys, open_config_file_root_owned)
{
	need_root("a root-owned configuration file");
	file_rel("ok.conf", 0644, "[wrapper]\n");
	int d = open_root_dir();
	const char *why = NULL;
	char buf[32] = { 0 };

	int fd = fsys_open_config_file(d, "ok.conf", &why);
	cr_assert_geq(fd, 0, "root-owned 0644 refused: %s", why ? why : "?");
	int fl = fcntl(fd, F_GETFL);
	cr_assert_eq(fl & O_ACCMODE, O_RDONLY);
	cr_assert_not(fl & O_PATH, "must be readable, not O_PATH");
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_assert_eq(read(fd, buf, sizeof(buf) - 1), 10);
	cr_assert_str_eq(buf, "[wrapper]\n");
	close(fd);
	close(d);
}

Test(fsys, open_config_file_rules_applied)
{
	need_root("root-owned configuration files");
	static const struct {
		const char *name;
		mode_t mode;
		uid_t uid;
		const char *why;
	} t[] = {
		{ "gw.conf", 0664, 0, "is writable by group or others" },
		{ "ow.conf", 0646, 0, "is writable by group or others" },
		{ "user.conf", 0644, 62950, "is not owned by root" },
		{ "ro.conf", 0400, 0, NULL },
	};
	int d = open_root_dir();
	int before = count_fds();

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char p[PATH_MAX];
		const char *why = NULL;

		file_rel(t[i].name, t[i].mode, "x");
		path_of(p, sizeof(p), t[i].name);
		cr_assert_eq(chown(p, t[i].uid, 0), 0);
		int fd = fsys_open_config_file(d, t[i].name, &why);
		if (t[i].why == NULL) {
			cr_assert_geq(fd, 0, "%s: %s", t[i].name, why ? why : "?");
			close(fd);
		} else {
			cr_assert_eq(fd, -1, "%s accepted", t[i].name);
			cr_assert_str_eq(why, t[i].why, "%s", t[i].name);
		}
	}
	cr_assert_eq(count_fds(), before);
	close(d);
}

/* ---- fsys_fs_type -------------------------------------------------------- */

Test(fsys, fs_type_of_descriptors)
{
	static const char *const paths[] = { "/", "/tmp", "/proc", "/usr/bin/python3" };
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct statfs sfs;
		unsigned long t = 1;
		int fd = open(paths[i], O_PATH | O_CLOEXEC);

		cr_assert_geq(fd, 0, "open %s", paths[i]);
		cr_assert_eq(statfs(paths[i], &sfs), 0);
		cr_assert_eq(fsys_fs_type(fd, &t, &why), 0, "%s: %s", paths[i], why);
		cr_assert_eq(t, (unsigned long)sfs.f_type, "%s", paths[i]);
		close(fd);
	}
	cr_assert_eq(fsys_fs_type(-1, &(unsigned long){ 0 }, &why), -1);
	cr_assert_not_null(why);
}

/* ---- fsys_check_interpreter ---------------------------------------------- */

Test(fsys, check_interpreter_system_python)
{
	const char *why = NULL;

	cr_assert_eq(fsys_check_interpreter("/usr/bin/python3", &why), 0, "%s",
		     why ? why : "?");
	cr_assert_null(why);
}

Test(fsys, check_interpreter_refusals)
{
	char p[PATH_MAX];
	const char *why = NULL;
	int before = count_fds();

	file_rel("py777", 0777, "#!/bin/false\n");
	path_of(p, sizeof(p), "py777");
	cr_assert_eq(fsys_check_interpreter(p, &why), -1, "a 0777 interpreter accepted");
	cr_assert_str_eq(why, geteuid() == 0 ? "is writable by group or others" :
					       "is not owned by root");
	/* A symlink to it is followed, and refused for what it points to. */
	symlink_rel("py777", "pylink");
	path_of(p, sizeof(p), "pylink");
	why = NULL;
	cr_assert_eq(fsys_check_interpreter(p, &why), -1);
	cr_assert_not_null(why);

	why = NULL;
	path_of(p, sizeof(p), "missing");
	cr_assert_eq(fsys_check_interpreter(p, &why), -1);
	cr_assert_str_eq(why, "does not exist");

	why = NULL;
	cr_assert_eq(fsys_check_interpreter("/usr/bin", &why), -1);
	cr_assert_str_eq(why, "is not a regular file");
	cr_assert_eq(count_fds(), before);
}

Test(fsys, check_interpreter_root_owned_cases)
{
	need_root("root-owned interpreter files");
	char p[PATH_MAX];
	const char *why = NULL;

	file_rel("noexec", 0644, "x");
	path_of(p, sizeof(p), "noexec");
	cr_assert_eq(fsys_check_interpreter(p, &why), -1);
	cr_assert_str_eq(why, "is not executable");

	file_rel("suid", 0755, "x");
	path_of(p, sizeof(p), "suid");
	cr_assert_eq(chmod(p, 04755), 0);
	why = NULL;
	cr_assert_eq(fsys_check_interpreter(p, &why), -1);
	cr_assert_str_eq(why, "has the setuid or setgid bit");

	file_rel("good", 0755, "x");
	path_of(p, sizeof(p), "good");
	why = NULL;
	cr_assert_eq(fsys_check_interpreter(p, &why), 0, "%s", why ? why : "?");

	/* Symlinks are followed (documented: root-owned system paths). */
	symlink_rel("/usr/bin/python3", "python");
	path_of(p, sizeof(p), "python");
	why = NULL;
	cr_assert_eq(fsys_check_interpreter(p, &why), 0, "%s", why ? why : "?");
}

/* ---- fsys_open_cwd ------------------------------------------------------- */

Test(fsys, open_cwd)
{
	char buf[PATH_MAX], p[PATH_MAX];
	struct stat st, ref;
	const char *why = NULL;

	path_of(p, sizeof(p), "a/b");
	cr_assert_eq(chdir(p), 0);
	int fd = fsys_open_cwd(buf, sizeof(buf), &st, &why);
	cr_assert_geq(fd, 0, "%s", why ? why : "?");
	cr_assert_str_eq(buf, p);
	cr_assert_eq(stat(p, &ref), 0);
	assert_same_file(&st, &ref, "cwd");
	assert_o_path(fd);
	struct stat fst;
	cr_assert_eq(fstat(fd, &fst), 0);
	assert_same_file(&fst, &ref, "cwd fd");
	close(fd);
}

Test(fsys, open_cwd_failures)
{
	char buf[PATH_MAX], p[PATH_MAX];
	struct stat st;
	const char *why = NULL;
	int before = count_fds();

	cr_assert_eq(chdir(root), 0);
	cr_assert_eq(fsys_open_cwd(buf, 4, &st, &why), -1, "buffer too small accepted");
	/* err.h: the failing call's errno is part of the reason */
	cr_assert_str_eq(why, "cannot be determined: ERANGE (Numerical result out of range)");

	mkdir_rel("gone", 0755);
	path_of(p, sizeof(p), "gone");
	cr_assert_eq(chdir(p), 0);
	cr_assert_eq(rmdir(p), 0);
	why = NULL;
	cr_assert_eq(fsys_open_cwd(buf, sizeof(buf), &st, &why), -1,
		     "a removed working directory accepted");
	cr_assert_not_null(why);
	cr_assert_eq(count_fds(), before);
}

/* ---- directories made whole ------------------------------------------------- */

/* Concurrent first requests: eight processes make the same subdirectory at
 * once while a ninth watches it; whoever wins, the directory is never seen
 * with another mode than the one asked for, every caller gets it, and no
 * temporary name is left behind. */
Test(fsys, ensure_subdir_is_never_seen_half_made, .timeout = 60)
{
	char base[PATH_MAX], sub[PATH_MAX];

	for (int round = 0; round < 20; round++) {
		char name[32];
		(void)snprintf(name, sizeof(name), "t%d", round);
		path_of(base, sizeof(base), "");
		path_of(sub, sizeof(sub), name);
		pid_t watcher = fork();
		cr_assert_geq(watcher, 0);
		if (watcher == 0) {
			/* Until it appears and a while after: its mode is 0711. */
			struct stat st;
			int seen = 0;
			for (int i = 0; i < 200000 && seen < 2000; i++) {
				if (stat(sub, &st) != 0)
					continue;
				seen++;
				if ((st.st_mode & 07777) != 0711)
					_exit(2);
			}
			_exit(0);
		}
		pid_t kids[8];
		for (int k = 0; k < 8; k++) {
			kids[k] = fork();
			cr_assert_geq(kids[k], 0);
			if (kids[k] == 0) {
				const char *why = NULL;
				int bfd = open(base, O_RDONLY | O_DIRECTORY);
				int fd = bfd < 0 ? -1 : fsys_ensure_subdir(bfd, name, getuid(), getgid(),
									   0711, &why);
				_exit(fd >= 0 ? 0 : 1);
			}
		}
		for (int k = 0; k < 8; k++) {
			int st;
			cr_assert_eq(waitpid(kids[k], &st, 0), kids[k]);
			cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "creator %d failed", k);
		}
		int st;
		cr_assert_eq(waitpid(watcher, &st, 0), watcher);
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "round %d: the directory was seen with another mode", round);
	}
	DIR *d = opendir(root);
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		cr_expect(strstr(e->d_name, ".new.") == NULL, "left behind: %s", e->d_name);
	closedir(d);
}
