/* test_landlock.c - ll_apply() on the running kernel.
 *
 * Every sandbox is applied in a forked child (which sets no_new_privs
 * itself: no root needed) on a private temp tree:
 *
 *   base/alice/            tenant root (read-only), data.txt, sub/,
 *                          link-secret -> ../bob/secret.txt, link-bob -> ../bob
 *   base/bob/secret.txt    another tenant's world-readable file
 *   base/tmp-alice/        the private TMPDIR (read-write), a/ b/
 *   base/outside.txt       world-writable, outside every rule
 *
 * Cases that need a newer ABI than the kernel's are skipped - except with
 * CI=true on the build host (not the ABI-2 guest, CGIJAIL_VM=1), where the
 * kernel must have LL_ABI_MAX so that they run. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock.h"

#define PYTHON "/usr/bin/python3"

#define TREE_PATH 256

struct tree {
	char base[TREE_PATH];
	char alice[TREE_PATH];
	char bob[TREE_PATH];
	char tmp[TREE_PATH];
	char python[PATH_MAX]; /* realpath of PYTHON */
};

static struct tree T;

/* ---- environment -------------------------------------------------------- */

static bool ci_strict(void)
{
	const char *ci = getenv("CI");
	const char *vm = getenv("CGIJAIL_VM");

	return ci && strcmp(ci, "true") == 0 && !(vm && strcmp(vm, "1") == 0);
}

/* The kernel's ABI when >= want; else skip (or fail under CI). */
static int need_abi(int want)
{
	int abi = ll_abi();

	if (abi >= want)
		return abi;
	if (ci_strict())
		cr_assert_fail("CI=true: the build host must have Landlock ABI >= %d "
			       "so that this case runs, it has %d", LL_ABI_MAX, abi);
	cr_skip_test("kernel Landlock ABI %d < %d", abi, want);
	return abi; /* not reached */
}

static void write_file(const char *dir, const char *name, const char *text,
		       mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	(void)close(fd);
}

static void subdir(char *out, size_t outsz, const char *parent, const char *name)
{
	cr_assert_lt((size_t)snprintf(out, outsz, "%s/%s", parent, name), outsz);
	cr_assert_eq(mkdir(out, 0755), 0, "mkdir %s: %s", out, strerror(errno));
}

static void setup(void)
{
	char p[PATH_MAX];

	need_abi(1);
	if (realpath(PYTHON, T.python) == NULL) {
		if (ci_strict())
			cr_assert_fail("%s: %s", PYTHON, strerror(errno));
		cr_skip_test("no %s", PYTHON);
	}
	(void)snprintf(T.base, sizeof(T.base), "/tmp/cgijail-ll-XXXXXX");
	cr_assert_not_null(mkdtemp(T.base));
	cr_assert_eq(chmod(T.base, 0755), 0);
	subdir(T.alice, sizeof(T.alice), T.base, "alice");
	subdir(T.bob, sizeof(T.bob), T.base, "bob");
	subdir(T.tmp, sizeof(T.tmp), T.base, "tmp-alice");
	write_file(T.alice, "data.txt", "alice\n", 0644);
	subdir(p, sizeof(p), T.alice, "sub");
	write_file(T.bob, "secret.txt", "bob\n", 0644);
	write_file(T.base, "outside.txt", "x\n", 0666);
	subdir(p, sizeof(p), T.tmp, "a");
	subdir(p, sizeof(p), T.tmp, "b");
	(void)snprintf(p, sizeof(p), "%s/link-secret", T.alice);
	cr_assert_eq(symlink("../bob/secret.txt", p), 0);
	(void)snprintf(p, sizeof(p), "%s/link-bob", T.alice);
	cr_assert_eq(symlink("../bob", p), 0);
}

static int rm_entry(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void teardown(void)
{
	if (T.base[0] != '\0')
		(void)nftw(T.base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	memset(&T, 0, sizeof(T));
}

TestSuite(landlock, .init = setup, .fini = teardown, .timeout = 120);

/* ---- building and applying ---------------------------------------------- */

static const char *const no_entries[] = { NULL };

static struct ll_input input(int abi, const char *net)
{
	struct ll_input in;
	const char *reason = NULL;

	memset(&in, 0, sizeof(in));
	in.abi = abi;
	in.mode = LL_MODE_REQUIRED;
	cr_assert_eq(net_parse(net, &in.net, &reason), 0, "%s", net);
	in.interpreter = T.python;
	in.loader = NULL; /* LL_DEFAULT_LOADER, followed to the real file */
	in.tenant_root = T.alice;
	in.tmpdir = T.tmp;
	in.home = T.alice;
	in.read.v = no_entries;
	in.write.v = no_entries;
	in.exec.v = no_entries;
	return in;
}

static void build(const struct ll_input *in, struct ll_ruleset *rs)
{
	const char *reason = NULL, *bad = NULL;

	cr_assert_eq(ll_build(in, rs, &reason, &bad), 0, "ll_build: %s (%s)",
		     reason ? reason : "?", bad ? bad : "-");
}

typedef int (*child_fn)(const void *ctx, char *msg, size_t msgsz);

/* Fork; the child sets no_new_privs, runs ll_apply(rs) which must return
 * want (and, if want_text, mention it in *reason), then fn.  The child's
 * complaint comes back through a pipe. */
static void run_child(const struct ll_ruleset *rs, int want,
		      const char *want_text, child_fn fn, const void *ctx)
{
	int p[2];
	char buf[2048];
	ssize_t n;
	size_t len = 0;
	int status;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char msg[1024] = "";
		const char *reason = NULL;
		int rc = 0;

		(void)close(p[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
			(void)snprintf(msg, sizeof(msg), "no_new_privs: %s",
				       strerror(errno));
			rc = 3;
		} else {
			int got = ll_apply(rs, &reason);

			if (got != want ||
			    (want_text && (!reason || !strstr(reason, want_text)))) {
				(void)snprintf(msg, sizeof(msg),
					       "ll_apply: %d (want %d): %s", got,
					       want, reason ? reason : "(no reason)");
				rc = 4;
			} else if (fn) {
				rc = fn(ctx, msg, sizeof(msg)) ? 1 : 0;
			}
		}
		if (msg[0] != '\0')
			(void)!write(p[1], msg, strlen(msg));
		_exit(rc);
	}
	(void)close(p[1]);
	while (len < sizeof(buf) - 1 &&
	       (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	(void)close(p[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "sandboxed child failed (status %#x): %s", status, buf);
}

/* ---- checks run inside the sandbox ---------------------------------------- */

#define CHECK(cond, ...)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			(void)snprintf(msg, msgsz, __VA_ARGS__);        \
			return -1;                                      \
		}                                                       \
	} while (0)

/* open(dir/name, flags): 0 or errno. */
static int try_open(const char *dir, const char *name, int flags)
{
	char path[PATH_MAX];
	int fd;

	(void)snprintf(path, sizeof(path), "%s%s%s", dir, name ? "/" : "",
		       name ? name : "");
	fd = open(path, flags | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	(void)close(fd);
	return 0;
}

/* fork + execve(argv[0]): the exit status, or 200 + errno of execve. */
static int try_exec(char *const argv[])
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(200 + errno);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int fs_checks(const void *ctx, char *msg, size_t msgsz)
{
	const struct ll_ruleset *rs = ctx;
	char a[PATH_MAX], b[PATH_MAX];
	int e, fd;

	e = try_open(T.alice, "data.txt", O_RDONLY);
	CHECK(e == 0, "read tenant file: %s", strerror(e));
	e = try_open(T.alice, "sub", O_RDONLY | O_DIRECTORY);
	CHECK(e == 0, "list tenant dir: %s", strerror(e));
	e = try_open(T.bob, "secret.txt", O_RDONLY);
	CHECK(e == EACCES, "read other tenant's world-readable file: %s", strerror(e));
	e = try_open(T.bob, NULL, O_RDONLY | O_DIRECTORY);
	CHECK(e == EACCES, "list other tenant's dir: %s", strerror(e));
	e = try_open(T.alice, "link-secret", O_RDONLY);
	CHECK(e == EACCES, "read other tenant's file via tenant symlink: %s", strerror(e));
	e = try_open(T.base, "outside.txt", O_RDONLY);
	CHECK(e == EACCES, "read outside: %s", strerror(e));
	e = try_open(T.base, "outside.txt", O_WRONLY);
	CHECK(e == EACCES, "write outside (world-writable): %s", strerror(e));
	e = try_open(T.alice, "data.txt", O_WRONLY);
	CHECK(e == EACCES, "write in read-only tenant root: %s", strerror(e));
	e = try_open(T.alice, "new.txt", O_WRONLY | O_CREAT);
	CHECK(e == EACCES, "create in read-only tenant root: %s", strerror(e));
	e = try_open("/etc", "hostname", O_RDONLY);
	CHECK(e == EACCES || e == ENOENT, "read /etc/hostname: %s", strerror(e));
	e = try_open("/etc", "passwd", O_RDONLY);
	CHECK(e == 0, "read /etc/passwd: %s", strerror(e));
	e = try_open("/usr/lib", NULL, O_RDONLY | O_DIRECTORY);
	CHECK(e == 0, "list /usr/lib: %s", strerror(e));
	e = try_open("/dev", "null", O_WRONLY | O_TRUNC);
	CHECK(e == 0, "open /dev/null for writing: %s", strerror(e));
	e = try_open("/proc/self", "status", O_RDONLY);
	CHECK(e == EACCES, "read /proc/self/status: %s", strerror(e));

	/* The private TMPDIR: create, write, truncate, rename, remove. */
	(void)snprintf(a, sizeof(a), "%s/a/f", T.tmp);
	(void)snprintf(b, sizeof(b), "%s/b/g", T.tmp);
	fd = open(a, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0, "create in tmpdir: %s", strerror(errno));
	CHECK(write(fd, "data", 4) == 4, "write in tmpdir: %s", strerror(errno));
	CHECK(ftruncate(fd, 1) == 0, "ftruncate in tmpdir: %s", strerror(errno));
	(void)close(fd);
	CHECK(truncate(a, 0) == 0, "truncate in tmpdir: %s", strerror(errno));
	e = try_open(a, NULL, O_WRONLY | O_TRUNC);
	CHECK(e == 0, "O_TRUNC in tmpdir: %s", strerror(e));
	if (rs->abi >= 2) {
		CHECK(rename(a, b) == 0, "rename across tmpdir subdirs: %s",
		      strerror(errno));
		CHECK(rename(b, a) == 0, "rename back: %s", strerror(errno));
	}
	(void)snprintf(b, sizeof(b), "%s/a/d", T.tmp);
	CHECK(mkdir(b, 0700) == 0, "mkdir in tmpdir: %s", strerror(errno));
	CHECK(rmdir(b) == 0, "rmdir in tmpdir: %s", strerror(errno));
	CHECK(unlink(a) == 0, "unlink in tmpdir: %s", strerror(errno));
	/* ... but nothing executes from it. */
	(void)snprintf(b, sizeof(b), "%s/a/true", T.tmp);
	fd = open(b, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	CHECK(fd >= 0, "create in tmpdir: %s", strerror(errno));
	(void)close(fd);
	char *argv_tmp[] = { b, NULL };
	e = try_exec(argv_tmp);
	CHECK(e == 200 + EACCES, "exec from tmpdir: %d", e);
	CHECK(unlink(b) == 0, "unlink in tmpdir: %s", strerror(errno));
	/* Truncation of a read-only file: denied from ABI 3 (TRUNCATE). */
	(void)snprintf(a, sizeof(a), "%s/data.txt", T.alice);
	if (rs->abi >= 3)
		CHECK(truncate(a, 0) != 0 && errno == EACCES,
		      "truncate a read-only tenant file: %s", strerror(errno));
	return 0;
}

static int exec_checks(const void *ctx, char *msg, size_t msgsz)
{
	char *true_argv[] = { "/bin/true", NULL };
	char *py_argv[] = { (char *)ctx, "-c", "pass", NULL };
	char *py_link_argv[] = { PYTHON, "-c", "pass", NULL };
	int rc;

	rc = try_exec(true_argv);
	CHECK(rc == 200 + EACCES, "exec /bin/true: %s",
	      rc >= 200 ? strerror(rc - 200) : "ran");
	rc = try_exec(py_argv);
	CHECK(rc == 0, "python3 -c pass (real path): %d", rc);
	rc = try_exec(py_link_argv);
	CHECK(rc == 0, "python3 -c pass (via symlink): %d", rc);
	return 0;
}

/* A CGI-style script: the stdlib modules the default rules are made for. */
static const char probe_py[] =
	"import os, sys, json, sqlite3, ssl, socket, mimetypes, time, tempfile\n"
	"import hashlib, pwd, grp, locale, datetime, zoneinfo, threading, uuid\n"
	"import email.utils, http.cookies, urllib.parse, html, logging, random\n"
	"ctx = ssl.create_default_context()\n"
	"assert ctx.cert_store_stats()['x509_ca'] > 0, 'no CA certificates'\n"
	"socket.getaddrinfo('localhost', 80)\n"
	"assert mimetypes.guess_type('a.html')[0] == 'text/html'\n"
	"time.localtime(); datetime.datetime.now(zoneinfo.ZoneInfo('Europe/Berlin'))\n"
	"d = tempfile.mkdtemp()\n"
	"assert d.startswith(os.environ['TMPDIR'])\n"
	"con = sqlite3.connect(os.path.join(d, 'x.db'))\n"
	"con.execute('create table t(a)'); con.execute('insert into t values(1)')\n"
	"con.commit(); con.close()\n"
	"import shutil; shutil.rmtree(d)\n"
	"pwd.getpwuid(os.getuid()); grp.getgrgid(os.getgid())\n"
	"t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
	"assert os.cpu_count() >= 1\n"
	"open('/dev/null', 'w').write('x'); os.urandom(8); uuid.uuid4()\n"
	"try:\n"
	"    open(sys.argv[1]).read(); sys.exit('other tenant readable')\n"
	"except PermissionError: pass\n";

static int python_checks(const void *ctx, char *msg, size_t msgsz)
{
	char secret[PATH_MAX], tmpenv[PATH_MAX + 8], homeenv[PATH_MAX + 8];
	char *argv[] = { (char *)ctx, "-c", (char *)probe_py, secret, NULL };
	int status;

	(void)snprintf(secret, sizeof(secret), "%s/secret.txt", T.bob);
	(void)snprintf(tmpenv, sizeof(tmpenv), "TMPDIR=%s", T.tmp);
	(void)snprintf(homeenv, sizeof(homeenv), "HOME=%s", T.alice);
	char *envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", tmpenv, homeenv, NULL };
	pid_t pid = fork();

	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "python probe script failed (status %#x, see stderr)", status);
	return 0;
}

/* ---- file system ------------------------------------------------------------ */

Test(landlock, abi_probe)
{
	int abi = ll_abi();

	cr_assert_geq(abi, 1);
	if (ci_strict())
		cr_assert_geq(abi, LL_ABI_MAX, "CI host must have Landlock ABI %d",
			      LL_ABI_MAX);
	cr_log_info("kernel Landlock ABI %d", abi);
}

Test(landlock, fs_rules_every_abi)
{
	static struct ll_ruleset rs;
	int kabi = ll_abi();

	/* A ruleset for an older ABI is valid on a newer kernel: this runs the
	 * ABI-2 (guest) ruleset on the host too. */
	for (int abi = 1; abi <= kabi && abi <= LL_ABI_MAX; abi++) {
		struct ll_input in = input(abi, "none");

		build(&in, &rs);
		run_child(&rs, LL_OK, NULL, fs_checks, &rs);
	}
}

Test(landlock, exec_only_interpreter)
{
	static struct ll_ruleset rs;
	struct ll_input in = input(ll_abi(), "none");

	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, exec_checks, T.python);
}

Test(landlock, exec_needs_loader)
{
	static struct ll_ruleset rs;
	struct ll_input in = input(ll_abi(), "none");
	char *py_argv[] = { T.python, "-c", "pass", NULL };

	/* Without EXECUTE on ld.so the kernel cannot load the interpreter. */
	in.loader = "";
	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, NULL, NULL);
	pid_t pid = fork();
	int status;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *reason;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    ll_apply(&rs, &reason) != LL_OK)
			_exit(1);
		_exit(try_exec(py_argv) == 200 + EACCES ? 0 : 2);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0, "exec without loader rule: status %#x", status);
}

Test(landlock, exec_list)
{
	static struct ll_ruleset rs;
	char truepath[PATH_MAX];
	const char *ex[1];
	struct ll_input in = input(ll_abi(), "none");

	cr_assert_not_null(realpath("/bin/true", truepath));
	ex[0] = truepath;
	in.exec.v = ex;
	in.exec.n = 1;
	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, NULL, NULL);
	pid_t pid = fork();
	int status;
	char *argv[] = { truepath, NULL };

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *reason;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    ll_apply(&rs, &reason) != LL_OK)
			_exit(1);
		_exit(try_exec(argv) == 0 ? 0 : 2);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0, "exec= entry %s: status %#x", truepath, status);
}

Test(landlock, python_cgi_script, .timeout = 300)
{
	static struct ll_ruleset rs;
	struct ll_input in = input(ll_abi(), "none");

	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, python_checks, T.python);
}

Test(landlock, read_and_write_lists)
{
	static struct ll_ruleset rs;
	static const char *const rd[] = { "~/../bob" };
	char shared[PATH_MAX], data[PATH_MAX];
	const char *rdv[1], *wrv[1];
	struct ll_input in = input(ll_abi(), "none");
	const char *reason = NULL, *bad = NULL;

	/* "~/.." is refused when building, not silently normalized. */
	in.read.v = rd;
	in.read.n = 1;
	cr_assert_eq(ll_build(&in, &rs, &reason, &bad), -1);

	(void)snprintf(shared, sizeof(shared), "%s", T.bob);
	(void)snprintf(data, sizeof(data), "~/sub");
	rdv[0] = shared;
	wrv[0] = data;
	in.read.v = rdv;
	in.write.v = wrv;
	in.write.n = 1;
	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, NULL, NULL);
	pid_t pid = fork();
	int status;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    ll_apply(&rs, &r) != LL_OK)
			_exit(1);
		if (try_open(T.bob, "secret.txt", O_RDONLY) != 0)
			_exit(2);
		if (try_open(T.bob, "secret.txt", O_WRONLY) != EACCES)
			_exit(3);
		(void)snprintf(data, sizeof(data), "%s/sub/new", T.alice);
		if (try_open(data, NULL, O_WRONLY | O_CREAT) != 0)
			_exit(4);
		if (try_open(T.alice, "data.txt", O_WRONLY) != EACCES)
			_exit(5);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0, "read=/write= lists: exit %d", WEXITSTATUS(status));
}

/* ---- missing and symlinked policy paths ------------------------------------- */

Test(landlock, missing_policy_path)
{
	static struct ll_ruleset rs;
	static const char *const rd[] = { "~/does-not-exist" };
	struct ll_input in = input(ll_abi(), "none");

	in.read.v = rd;
	in.read.n = 1;
	build(&in, &rs);
	run_child(&rs, LL_ERROR, "does-not-exist", NULL, NULL);

	in.mode = LL_MODE_BEST_EFFORT;
	build(&in, &rs);
	/* Skipped and reported; the rest of the sandbox is in force. */
	run_child(&rs, LL_PARTIAL, "read", fs_checks, &rs);

	/* A missing default is skipped silently in either mode. */
	in.mode = LL_MODE_REQUIRED;
	in.read.n = 0;
	build(&in, &rs);
	cr_assert_lt(rs.pool_used + 32, sizeof(rs.pool));
	struct ll_rule *r = &rs.rules[0];

	cr_assert_eq(r->src, LL_SRC_DEFAULT);
	(void)snprintf(rs.pool + rs.pool_used, 32, "/nonexistent-default");
	r->path_off = rs.pool_used;
	run_child(&rs, LL_OK, NULL, NULL, NULL);
}

Test(landlock, missing_required_paths)
{
	static struct ll_ruleset rs;
	char missing[PATH_MAX];
	struct ll_input in = input(ll_abi(), "none");

	(void)snprintf(missing, sizeof(missing), "%s/gone", T.base);
	in.tmpdir = missing;
	build(&in, &rs);
	run_child(&rs, LL_ERROR, "tmpdir", NULL, NULL);
	in.tmpdir = T.tmp;
	in.interpreter = "/usr/bin/no-such-python";
	build(&in, &rs);
	run_child(&rs, LL_ERROR, "interpreter", NULL, NULL);
}

Test(landlock, symlinked_policy_path)
{
	static struct ll_ruleset rs;
	static const char *const rd[] = { "~/link-bob" };
	char root[PATH_MAX];
	struct ll_input in = input(ll_abi(), "none");

	/* ~/link-bob -> ../bob: following it would open bob's tree. */
	in.read.v = rd;
	in.read.n = 1;
	build(&in, &rs);
	run_child(&rs, LL_ERROR, "symlink", NULL, NULL);
	in.mode = LL_MODE_BEST_EFFORT;
	build(&in, &rs);
	run_child(&rs, LL_PARTIAL, "link-bob", fs_checks, &rs);

	/* A tenant root reached through a symlink is refused too. */
	(void)snprintf(root, sizeof(root), "%s/link-bob", T.alice);
	in.mode = LL_MODE_REQUIRED;
	in.read.n = 0;
	in.tenant_root = root;
	build(&in, &rs);
	run_child(&rs, LL_ERROR, "symlink", NULL, NULL);
}

/* ---- network (ABI 4) ---------------------------------------------------------- */

static int listener(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fd, 16), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* connect() to 127.0.0.1:port: 0 or errno. */
static int try_connect(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int e = 0;

	if (fd < 0)
		return errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		e = errno;
	(void)close(fd);
	return e;
}

static int try_bind(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int e = 0;

	if (fd < 0)
		return errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		e = errno;
	(void)close(fd);
	return e;
}

struct net_case {
	uint16_t port1, port2;
	int want1, want2, want_bind;
};

static int net_checks(const void *ctx, char *msg, size_t msgsz)
{
	const struct net_case *c = ctx;
	int e;

	e = try_connect(c->port1);
	CHECK(e == c->want1, "connect to port %u: %s (want %s)", c->port1,
	      strerror(e), strerror(c->want1));
	e = try_connect(c->port2);
	CHECK(e == c->want2, "connect to port %u: %s (want %s)", c->port2,
	      strerror(e), strerror(c->want2));
	e = try_bind();
	CHECK(e == c->want_bind, "bind: %s (want %s)", strerror(e),
	      strerror(c->want_bind));
	return 0;
}

enum net_kind { NK_ANY, NK_NONE, NK_PORT1, NK_PORT1_AMONG };

static void net_case_mode(int abi, enum net_kind kind, enum ll_mode mode, int want1,
			  int want2, int want_bind)
{
	static struct ll_ruleset rs;
	struct net_case c;
	char net[64];
	int l1 = listener(&c.port1);
	int l2 = listener(&c.port2);

	if (kind == NK_ANY)
		(void)snprintf(net, sizeof(net), "any");
	else if (kind == NK_NONE)
		(void)snprintf(net, sizeof(net), "none");
	else if (kind == NK_PORT1)
		(void)snprintf(net, sizeof(net), "tcp:%u", (unsigned)c.port1);
	else
		(void)snprintf(net, sizeof(net), "tcp:1,%u,2", (unsigned)c.port1);
	struct ll_input in = input(abi, net);

	in.mode = mode;
	c.want1 = want1;
	c.want2 = want2;
	c.want_bind = want_bind;
	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, net_checks, &c);
	(void)close(l1);
	(void)close(l2);
}

static void net_case(int abi, enum net_kind kind, int want1, int want2,
		     int want_bind)
{
	net_case_mode(abi, kind, LL_MODE_REQUIRED, want1, want2, want_bind);
}

Test(landlock, net_none)
{
	int abi = need_abi(4);

	net_case(abi, NK_NONE, EACCES, EACCES, EACCES);
}

Test(landlock, net_tcp_ports)
{
	int abi = need_abi(4);

	net_case(abi, NK_PORT1, 0, EACCES, EACCES);
	net_case(abi, NK_PORT1_AMONG, 0, EACCES, EACCES);
}

Test(landlock, net_any)
{
	net_case(ll_abi(), NK_ANY, 0, 0, 0);
}

Test(landlock, net_stripped_below_abi4)
{
	static struct ll_ruleset rs;
	int abi = ll_abi() < 3 ? ll_abi() : 3;
	struct ll_input in = input(abi, "none");

	/* What the ABI-2 guest gets: no TCP restriction, fs rules still on. */
	build(&in, &rs);
	cr_assert_eq(rs.handled_net, 0);
	cr_assert_neq(rs.missing & LL_MISS_NET, 0);
	net_case(abi, NK_NONE, 0, 0, 0);
	/* tcp: ports cannot be kept: landlock = required refuses the ruleset,
	 * best-effort applies it without any TCP restriction. */
	struct ll_input tcp = input(abi, "tcp:5432");
	const char *reason = NULL, *bad = NULL;
	cr_assert_eq(ll_build(&tcp, &rs, &reason, &bad), -1);
	cr_assert_not_null(reason);
	cr_assert_not_null(strstr(reason, "needs Landlock ABI 4"), "%s", reason);
	net_case_mode(abi, NK_PORT1, LL_MODE_BEST_EFFORT, 0, 0, 0);
	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, fs_checks, &rs);
}

/* ---- scoping (ABI 6) ----------------------------------------------------------- */

struct scope_case {
	pid_t outside;
	char abstract[64];
	int want;
};

static int scope_checks(const void *ctx, char *msg, size_t msgsz)
{
	const struct scope_case *c = ctx;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(c->abstract);
	int e;

	e = kill(c->outside, 0) == 0 ? 0 : errno;
	CHECK(e == c->want, "kill(%d, 0) outside the domain: %s", (int)c->outside,
	      strerror(e));
	e = kill(c->outside, SIGCONT) == 0 ? 0 : errno;
	CHECK(e == c->want, "kill(%d, SIGCONT): %s", (int)c->outside, strerror(e));
	e = kill(getpid(), 0) == 0 ? 0 : errno;
	CHECK(e == 0, "kill(self, 0): %s", strerror(e));

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0, "socket: %s", strerror(errno));
	memcpy(sa.sun_path + 1, c->abstract, len);
	e = connect(fd, (struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0
		    ? 0 : errno;
	(void)close(fd);
	CHECK(e == c->want, "connect to abstract socket @%s: %s", c->abstract,
	      strerror(e));
	return 0;
}

static void scope_case(int abi, int want)
{
	static struct ll_ruleset rs;
	struct scope_case c;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct ll_input in = input(abi, "any");

	cr_assert_geq(fd, 0);
	c.outside = getpid();
	c.want = want;
	(void)snprintf(c.abstract, sizeof(c.abstract), "cgijail-test-%d", (int)getpid());
	memcpy(sa.sun_path + 1, c.abstract, strlen(c.abstract));
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa,
			  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				      strlen(c.abstract))), 0, "%s", strerror(errno));
	cr_assert_eq(listen(fd, 4), 0);
	build(&in, &rs);
	run_child(&rs, LL_OK, NULL, scope_checks, &c);
	(void)close(fd);
}

Test(landlock, scope_signals_and_abstract_sockets)
{
	int abi = need_abi(6);

	scope_case(abi, EPERM);
}

Test(landlock, scope_stripped_below_abi6)
{
	scope_case(ll_abi() < 5 ? ll_abi() : 5, 0);
}

/* ---- kernel support and misuse ------------------------------------------------ */

#if defined(__x86_64__)
/* Make landlock_create_ruleset fail with err, as on a kernel without it. */
static int fake_no_landlock(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 444, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static void unsupported_case(int err, const char *text)
{
	static struct ll_ruleset rs;
	struct ll_input in = input(ll_abi(), "none");
	int status;

	build(&in, &rs);
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *reason = NULL;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    fake_no_landlock(err) != 0)
			_exit(1);
		if (ll_abi() != 0)
			_exit(2);
		if (ll_apply(&rs, &reason) != LL_UNSUPPORTED)
			_exit(3);
		if (!reason || !strstr(reason, text))
			_exit(4);
		/* Nothing was applied. */
		_exit(try_open(T.bob, "secret.txt", O_RDONLY) == 0 ? 0 : 5);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0, "%s: exit %d", strerror(err), WEXITSTATUS(status));
}

Test(landlock, unsupported_kernel)
{
	unsupported_case(ENOSYS, "not supported");
	unsupported_case(EOPNOTSUPP, "disabled");
}
#endif

Test(landlock, ruleset_newer_than_kernel)
{
	static struct ll_ruleset rs;
	struct ll_input in = input(ll_abi(), "none");

	build(&in, &rs);
	rs.abi = ll_abi() + 1;
	run_child(&rs, LL_ERROR, "ABI", NULL, NULL);
}

Test(landlock, needs_no_new_privs)
{
	static struct ll_ruleset rs;
	struct ll_input in = input(ll_abi(), "none");
	int p[2], status;
	char buf[256] = "";

	/* Readable by nobody: the tree is 0755. */
	build(&in, &rs);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *reason = NULL;

		(void)close(p[0]);
		/* Without no_new_privs and without CAP_SYS_ADMIN. */
		if (geteuid() == 0 && setresuid(65534, 65534, 65534) != 0)
			_exit(1);
		int rc = ll_apply(&rs, &reason);

		if (reason)
			(void)!write(p[1], reason, strlen(reason));
		_exit(rc == LL_ERROR ? 0 : 2);
	}
	(void)close(p[1]);
	(void)!read(p[0], buf, sizeof(buf) - 1);
	(void)close(p[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0, "exit %d: %s", WEXITSTATUS(status), buf);
	cr_assert(strstr(buf, "no_new_privs") != NULL, "%s", buf);
}
