/* cgroup_root_test.c - wrapper/cgroup.c against the real kernel, as root.
 *
 * ctest runs it on the build host (cgroup v1: memory, pids, cpu, freezer
 * as separate hierarchies) and in the qemu guest (cgroup v2, tests/vm).
 * Everything it makes lives beneath /cgijail-test/t<pid> in each hierarchy
 * and is removed at the end (and checked gone).  Processes it moves into
 * cgroups are its own children, running as uid CJT_UID (no passwd entry
 * needed).  TAP-style output; exit 0 pass, 1 fail, 77 skip (not root,
 * outside CI: with CI=true not being root is a failure).
 *
 *   cgroup_root_test            the tests (< 15 s)
 *   cgroup_root_test --bench N  per-request cost: N fresh processes each
 *                               doing cg_open + cg_tenant + cg_leaf_create +
 *                               attach (a forked child) + cg_leaf_kill +
 *                               cg_leaf_remove; medians printed, no assertion.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"

#define CJT_UID 62917 /* house rule: test uids 62000-62999 */
#define TENANT "cjtcg"
#define MiB ((uint64_t)1 << 20)

static int test_no, failures;
static char parent[64];
static struct cg_ctx ctx;
static struct cg_tenant ten;
static bool have_ctx, have_tenant;

/* ---- reporting ------------------------------------------------------------- */

static void ok_str(bool cond, const char *msg)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", test_no, msg);
	(void)fflush(stdout);
}

/* ok(cond, printf-style description) */
#define ok(cond, ...)                                                   \
	do {                                                            \
		bool ok_c_ = (cond);                                    \
		char ok_m_[768];                                        \
		(void)snprintf(ok_m_, sizeof ok_m_, __VA_ARGS__);       \
		ok_str(ok_c_, ok_m_);                                   \
	} while (0)

static const char *why_s(const char *why)
{
	return why != NULL ? why : "-";
}

/* ---- small helpers ------------------------------------------------------------ */

static long now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

static int hier_of(enum cg_ctrl c)
{
	for (unsigned i = 0; i < ctx.nh; i++)
		if (ctx.h[i].ctrls & CG_BIT(c))
			return (int)i;
	return -1;
}

static bool read_at(int dirfd, const char *file, char *buf, size_t size)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	(void)close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return true;
}

/* The value of file in the cgroup of hierarchy i, leaf or tenant. */
static bool file_is(int dirfd, const char *file, const char *want)
{
	char buf[128];

	if (!read_at(dirfd, file, buf, sizeof buf)) {
		printf("# cannot read %s: %s\n", file, strerror(errno));
		return false;
	}
	if (strcmp(buf, want) != 0) {
		printf("# %s is '%s', want '%s'\n", file, buf, want);
		return false;
	}
	return true;
}

static int procs_in(const struct cg_leaf *leaf)
{
	int total = 0;

	for (unsigned i = 0; i < ctx.nh; i++) {
		char buf[4096];

		if (leaf->fd[i] < 0)
			continue;
		if (!read_at(leaf->fd[i], "cgroup.procs", buf, sizeof buf))
			return -1;
		for (char *p = buf; *p != '\0'; p++)
			total += *p == '\n';
		total += buf[0] != '\0';
	}
	return total;
}

static bool write_file(int dirfd, const char *file, const char *value)
{
	int fd = dirfd >= 0 ? openat(dirfd, file, O_WRONLY | O_CLOEXEC) : -1;
	bool w = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);

	if (fd >= 0)
		(void)close(fd);
	return w;
}

/* Is name in a comma-separated controller list ("cpu,cpuacct")? */
static bool has_ctrl(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = comma != NULL ? comma + 1 : NULL;
	}
	return false;
}

static bool exists_below(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Read one line (up to size-1 bytes) from fd, waiting at most ms. */
static bool read_line(int fd, char *buf, size_t size, int ms)
{
	size_t len = 0;
	long end = now_us() + (long)ms * 1000L;

	while (len + 1 < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = (end - now_us()) / 1000L;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(fd, buf + len, 1);
		if (n <= 0)
			break;
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return true;
		}
		len++;
	}
	buf[len] = '\0';
	return false;
}

static void say_str(int fd, const char *msg)
{
	size_t n = strlen(msg);

	if (write(fd, msg, n) != (ssize_t)n)
		return;
}

/* say(fd, printf-style line): one write to a pipe. */
#define say(fd, ...)                                                    \
	do {                                                            \
		char say_m_[512];                                       \
		(void)snprintf(say_m_, sizeof say_m_, __VA_ARGS__);     \
		say_str((fd), say_m_);                                  \
	} while (0)

static bool wait_pidfd(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* The request's process: into the leaf as root, then uid CJT_UID. */
static bool become_script(const struct cg_leaf *leaf, int out)
{
	const char *why = NULL;

	if (cg_leaf_attach(leaf, &why) != 0) {
		say(out, "attach failed: %s: %s\n", why_s(why), strerror(errno));
		return false;
	}
	if (setgroups(0, NULL) != 0 || setresgid(CJT_UID, CJT_UID, CJT_UID) != 0 ||
	    setresuid(CJT_UID, CJT_UID, CJT_UID) != 0) {
		say(out, "cannot drop to uid %d\n", CJT_UID);
		return false;
	}
	return true;
}

/* Fork a child that becomes the script in leaf and runs fn(out). */
static pid_t spawn(const struct cg_leaf *leaf, void (*fn)(int), int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		(void)close(p[0]);
		if (!become_script(leaf, p[1]))
			_exit(3);
		fn(p[1]);
		_exit(0);
	}
	(void)close(p[1]);
	if (pid < 0) {
		(void)close(p[0]);
		return -1;
	}
	*rfd = p[0];
	return pid;
}

/* ---- scripts (run as CJT_UID inside a leaf) ------------------------------------ */

static void script_cgroup(int out)
{
	char buf[2048];

	if (read_at(AT_FDCWD, "/proc/self/cgroup", buf, sizeof buf))
		for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n"))
			say(out, "%s\n", l);
	say(out, "end\n");
}

static void script_forkbomb(int out)
{
	int made = 0, refused = 0;

	for (int i = 0; i < 64; i++) {
		pid_t c = fork();

		if (c == 0) {
			pause();
			_exit(0);
		}
		if (c > 0)
			made++;
		else if (errno == EAGAIN)
			refused++;
	}
	say(out, "%d %d\n", made, refused);
	pause();
}

static void script_forkbomb_busy(int out)
{
	say(out, "ready\n");
	/* Every process forks forever: while some are being killed, the
	 * others fill the freed pids with new children. */
	for (;;)
		(void)fork();
}

static void script_hog(int out)
{
	/* 256 MiB touched page by page; the leaf allows 32 MiB. */
	for (int i = 0; i < 256; i++) {
		char *p = malloc(MiB);

		if (p == NULL)
			break;
		memset(p, i + 1, MiB);
	}
	say(out, "survived\n");
}

static void script_small(int out)
{
	/* 4 MiB touched (and used, so that the compiler keeps the stores):
	 * far below the previous request's peak. */
	volatile char *p = malloc(4 * MiB);
	unsigned sum = 0;

	for (size_t i = 0; p != NULL && i < 4 * MiB; i += 4096)
		p[i] = 1;
	for (size_t i = 0; p != NULL && i < 4 * MiB; i += 4096)
		sum += (unsigned)p[i];
	say(out, sum == 1024 ? "done\n" : "short\n");
}

static void script_double_fork(int out)
{
	pid_t c = fork();

	if (c == 0) {
		pid_t g;

		(void)setsid();
		g = fork();
		if (g == 0) {
			(void)close(STDOUT_FILENO);
			say(out, "%ld\n", (long)getpid());
			(void)close(out);
			for (;;)
				pause();
		}
		_exit(0);
	}
	if (c > 0)
		(void)waitpid(c, NULL, 0);
	/* the script itself ends; the sleeper stays */
}

static void script_sleep(int out)
{
	say(out, "ready\n");
	for (;;)
		pause();
}

/* ---- the supervisor's view: CAP_KILL only ---------------------------------------- */

static bool caps_only_kill(bool keep_kill)
{
	cap_value_t kill_cap[] = { CAP_KILL };
	cap_value_t never[] = { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
				CAP_SYS_ADMIN, CAP_CHOWN };
	cap_t c = cap_init();
	bool good = c != NULL;

	if (good && keep_kill)
		good = cap_set_flag(c, CAP_EFFECTIVE, 1, kill_cap, CAP_SET) == 0 &&
		       cap_set_flag(c, CAP_PERMITTED, 1, kill_cap, CAP_SET) == 0;
	good = good && cap_set_proc(c) == 0;
	if (c != NULL)
		(void)cap_free(c);
	c = cap_get_proc();
	for (size_t i = 0; good && c != NULL && i < sizeof never / sizeof never[0]; i++) {
		cap_flag_value_t e = CAP_SET, p = CAP_SET;

		good = cap_get_flag(c, never[i], CAP_EFFECTIVE, &e) == 0 &&
		       cap_get_flag(c, never[i], CAP_PERMITTED, &p) == 0 &&
		       e == CAP_CLEAR && p == CAP_CLEAR;
	}
	if (c != NULL)
		(void)cap_free(c);
	return good && getuid() == 0 && geteuid() == 0;
}

/* In a forked process with only CAP_KILL (or none): stats, kill, remove.
 * Reports "caps stats kill remove" as 0/1 and the reasons. */
static void supervise(struct cg_leaf *leaf, bool keep_kill, char *res, size_t size)
{
	int p[2];
	pid_t pid;

	res[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		const char *w1 = NULL, *w2 = NULL, *w3 = NULL;
		struct cg_stats st;
		bool caps = caps_only_kill(keep_kill);
		int s = cg_leaf_stats(leaf, &st, &w1);
		int k = cg_leaf_kill(leaf, 3000, &w2);
		int r = k == 0 ? cg_leaf_remove(leaf, &w3) : -1;

		say(p[1], "%d %d %d %d %s|%s|%s\n", caps, s == 0, k == 0, r == 0,
		    why_s(w1), why_s(w2), why_s(w3));
		_exit(0);
	}
	(void)close(p[1]);
	if (pid > 0) {
		(void)read_line(p[0], res, size, 10000);
		(void)waitpid(pid, NULL, 0);
	}
	(void)close(p[0]);
}

/* ---- the tests -------------------------------------------------------------------- */

static const struct cg_limits tenant_limits = { 256u * MiB, 64, 50 };
static const struct cg_limits request_limits = { 32u * MiB, 8, 0 };

static bool make_leaf(const char *name, const struct cg_limits *l, struct cg_leaf *leaf)
{
	const char *why = NULL;

	if (cg_leaf_create(&ctx, &ten, name, l, 0, leaf, &why) != 0) {
		printf("# cg_leaf_create %s: %s: %s\n", name, why_s(why), strerror(errno));
		return false;
	}
	return true;
}

static void kill_and_remove(struct cg_leaf *leaf, const char *what)
{
	const char *why = NULL;
	int k = cg_leaf_kill(leaf, 3000, &why);

	int r;

	ok(k == 0, "%s: cg_leaf_kill (%s)", what, why_s(why));
	why = NULL;
	r = cg_leaf_remove(leaf, &why);
	ok(r == 0 && !exists_below(ten.fd[0], leaf->name), "%s: cg_leaf_remove (%s)", what,
	   why_s(why));
}

static void t_tenant(void)
{
	const char *why = NULL;
	int m = hier_of(CG_MEMORY), pi = hier_of(CG_PIDS), c = hier_of(CG_CPU);
	bool v2 = ctx.version == CG_V2;
	int rc;
	struct cg_limits raised = tenant_limits, lowered = tenant_limits;

	rc = cg_tenant(&ctx, TENANT, &tenant_limits, &ten, &why);
	ok(rc == 0, "cg_tenant creates %s (%s)", TENANT, why_s(why));
	have_tenant = true;
	ok(file_is(ten.fd[m], v2 ? "memory.max" : "memory.limit_in_bytes", "268435456") &&
	   file_is(ten.fd[pi], "pids.max", "64"), "tenant memory and pids limits");
	if (c >= 0)
		ok(v2 ? file_is(ten.fd[c], "cpu.max", "50000 100000") :
			file_is(ten.fd[c], "cpu.cfs_quota_us", "50000") &&
			file_is(ten.fd[c], "cpu.cfs_period_us", "100000"),
		   "tenant cpu quota 50%%");
	if (v2)
		ok(file_is(ten.fd[0], "cgroup.subtree_control", "memory pids"),
		   "v2: memory and pids enabled for the leaves");
	/* Idempotent, then raised (v1: memsw must go first), then lowered. */
	cg_tenant_close(&ten);
	why = NULL;
	rc = cg_tenant(&ctx, TENANT, &tenant_limits, &ten, &why);
	ok(rc == 0,
	   "cg_tenant again (idempotent) (%s)", why_s(why));
	cg_tenant_close(&ten);
	raised.memory = 512u * MiB;
	raised.tasks = 128;
	why = NULL;
	rc = cg_tenant(&ctx, TENANT, &raised, &ten, &why);
	ok(rc == 0 &&
	   file_is(ten.fd[m], v2 ? "memory.max" : "memory.limit_in_bytes", "536870912") &&
	   (v2 || faccessat(ten.fd[m], "memory.memsw.limit_in_bytes", F_OK, 0) != 0 ||
	    file_is(ten.fd[m], "memory.memsw.limit_in_bytes", "536870912")) &&
	   file_is(ten.fd[pi], "pids.max", "128"),
	   "cg_tenant raises the limits (%s)", why_s(why));
	cg_tenant_close(&ten);
	lowered.memory = 128u * MiB;
	why = NULL;
	rc = cg_tenant(&ctx, TENANT, &lowered, &ten, &why);
	ok(rc == 0 &&
	   file_is(ten.fd[m], v2 ? "memory.max" : "memory.limit_in_bytes", "134217728"),
	   "cg_tenant lowers the memory limit (%s)", why_s(why));
	cg_tenant_close(&ten);
	why = NULL;
	rc = cg_tenant(&ctx, TENANT, &tenant_limits, &ten, &why);
	ok(rc == 0,
	   "cg_tenant back to the test limits (%s)", why_s(why));
}

static void t_attach(void)
{
	struct cg_leaf leaf;
	char line[1024], want_leaf[CG_PATH_MAX + 2 * CG_NAME_MAX], want_tenant[CG_PATH_MAX + CG_NAME_MAX + 2];
	int fd = -1, seen = 0, expect = 0;
	bool right = true;
	pid_t pid;

	if (!make_leaf("s0", &request_limits, &leaf)) {
		ok(false, "attach: leaf s0");
		return;
	}
	ok(leaf.reclaimed == 0, "fresh leaf: nothing reclaimed");
	ok(file_is(leaf.fd[hier_of(CG_PIDS)], "pids.max", "8") &&
	   file_is(leaf.fd[hier_of(CG_MEMORY)],
		   ctx.version == CG_V2 ? "memory.max" : "memory.limit_in_bytes", "33554432"),
	   "leaf limits: tasks 8, memory 32 MiB");
	(void)snprintf(want_tenant, sizeof want_tenant, "/%s/%s", ctx.parent, ten.name);
	(void)snprintf(want_leaf, sizeof want_leaf, "%s/s0", want_tenant);
	pid = spawn(&leaf, script_cgroup, &fd);
	while (pid > 0 && read_line(fd, line, sizeof line, 5000) && strcmp(line, "end") != 0) {
		/* "id:controllers:path" */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (c2 == NULL)
			continue;
		*c2 = '\0';
		for (int c = 0; c < CG_NCTRL; c++) {
			bool mine = ctx.version == CG_V2 ? c == 0 && c1[1] == '\0' :
				(ctx.ctrls & CG_BIT(c)) && has_ctrl(c1 + 1,
					(const char *[]){ "memory", "pids", "cpu", "freezer" }[c]);
			const char *want = ctx.version == CG_V1 && c == CG_CPU ? want_tenant : want_leaf;

			if (!mine)
				continue;
			seen++;
			if (strcmp(c2 + 1, want) != 0) {
				printf("# %s: in %s, want %s\n", c1 + 1, c2 + 1, want);
				right = false;
			}
		}
	}
	for (int c = 0; c < CG_NCTRL; c++)
		expect += ctx.version == CG_V2 ? c == 0 : (ctx.ctrls & CG_BIT(c)) != 0;
	ok(pid > 0 && right && seen == expect,
	   "the attached child is in the leaf (v1: memory, pids, freezer; cpu: the tenant): %d/%d", seen, expect);
	if (fd >= 0)
		(void)close(fd);
	if (pid > 0)
		(void)waitpid(pid, NULL, 0);
	kill_and_remove(&leaf, "attach");
}

static void t_forkbomb(void)
{
	struct cg_leaf leaf;
	struct cg_stats st;
	const char *why = NULL;
	char line[64];
	int fd = -1, made = -1, refused = -1, rc;
	pid_t pid;

	if (!make_leaf("s1", &request_limits, &leaf)) {
		ok(false, "fork bomb: leaf");
		return;
	}
	pid = spawn(&leaf, script_forkbomb, &fd);
	if (pid > 0 && read_line(fd, line, sizeof line, 10000)) {
		char *end;

		made = (int)strtol(line, &end, 10);
		refused = (int)strtol(end, NULL, 10);
	}
	ok(made >= 1 && made <= 7 && refused >= 1,
	   "fork bomb bounded by tasks = 8: %d forks made, %d refused", made, refused);
	rc = cg_leaf_stats(&leaf, &st, &why);
	ok(rc == 0 && st.pids_max_hits != CG_UNKNOWN && st.pids_max_hits >= 1,
	   "stats: pids.max hits %llu (%s)", (unsigned long long)st.pids_max_hits, why_s(why));
	kill_and_remove(&leaf, "fork bomb");
	if (pid > 0) {
		int status = 0;
		bool reaped = waitpid(pid, &status, 0) == pid;

		ok(reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		   "the fork bomb's root was SIGKILLed (status %#x)", status);
	}
	if (fd >= 0)
		(void)close(fd);
}

static void t_forkbomb_busy(void)
{
	struct cg_leaf leaf;
	char line[64];
	int fd = -1, status = 0;
	bool reaped;
	pid_t pid;

	if (!make_leaf("s5", &request_limits, &leaf)) {
		ok(false, "busy fork bomb: leaf");
		return;
	}
	pid = spawn(&leaf, script_forkbomb_busy, &fd);
	ok(pid > 0 && read_line(fd, line, sizeof line, 5000), "a fork bomb that never stops forking");
	for (int i = 0; i < 200 && procs_in(&leaf) < 8 * (int)(ctx.version == CG_V2 ? 1 : 3); i++)
		(void)usleep(1000);
	kill_and_remove(&leaf, "busy fork bomb");
	reaped = pid > 0 && waitpid(pid, &status, 0) == pid;
	ok(reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "the busy fork bomb's root was SIGKILLed (status %#x)", status);
	if (fd >= 0)
		(void)close(fd);
}

static void t_hog(void)
{
	struct cg_leaf leaf;
	struct cg_stats st;
	const char *why = NULL;
	int fd = -1, status = 0, rc;
	bool reaped;
	pid_t pid;

	if (!make_leaf("s2", &request_limits, &leaf)) {
		ok(false, "memory hog: leaf");
		return;
	}
	pid = spawn(&leaf, script_hog, &fd);
	reaped = pid > 0 && waitpid(pid, &status, 0) == pid;
	ok(reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "a 256 MiB hog in a 32 MiB leaf is OOM-killed (status %#x)", status);
	rc = cg_leaf_stats(&leaf, &st, &why);
	ok(rc == 0 && st.oom_kills != CG_UNKNOWN && st.oom_kills >= 1,
	   "stats: oom kills %llu (%s)", (unsigned long long)st.oom_kills, why_s(why));
	ok(st.memory_peak != CG_UNKNOWN && st.memory_peak > 16u * MiB &&
	   st.memory_peak <= 33u * MiB, "stats: memory peak %llu bytes, at most the limit",
	   (unsigned long long)st.memory_peak);
	if (ctx.version == CG_V2)
		ok(st.cpu_usec != CG_UNKNOWN && st.cpu_usec > 0, "v2 stats: cpu %llu us",
		   (unsigned long long)st.cpu_usec);
	else
		ok(st.cpu_usec == CG_UNKNOWN, "v1 stats: cpu usage unknown (no cpuacct leaf)");
	if (fd >= 0)
		(void)close(fd);
	/* The slot keeps its leaf for the next request (the wrapper closes,
	 * never removes it). */
	cg_leaf_close(&leaf);
}

/* The next request on the slot of t_hog: the same leaf, reused.  Its
 * counters are its own: no OOM kill of the hog, and a peak that is either
 * this request's (reset: v1, v2 >= 6.12) or unknown (v2 before 6.12, where
 * the supervisor takes wait4's ru_maxrss) - never the hog's. */
static void t_kept_leaf(void)
{
	struct cg_leaf leaf;
	struct cg_stats st;
	const char *why = NULL;
	char line[64] = "";
	int fd = -1, status = 0, rc;
	bool reaped;
	pid_t pid;

	if (!exists_below(ten.fd[0], "s2") || !make_leaf("s2", &request_limits, &leaf)) {
		ok(false, "kept leaf: s2 is there and taken again");
		return;
	}
	ok(leaf.reclaimed == 0, "kept leaf: an empty kept leaf is reused, nothing reclaimed");
	pid = spawn(&leaf, script_small, &fd);
	(void)read_line(fd, line, sizeof line, 5000);
	reaped = pid > 0 && waitpid(pid, &status, 0) == pid;
	ok(reaped && WIFEXITED(status) && strcmp(line, "done") == 0,
	   "kept leaf: a small process runs in it (status %#x)", status);
	rc = cg_leaf_stats(&leaf, &st, &why);
	ok(rc == 0 && st.oom_kills == 0, "kept leaf: oom kills of this request: %llu (%s)",
	   (unsigned long long)st.oom_kills, why_s(why));
	ok(st.memory_peak == CG_UNKNOWN || st.memory_peak < 16u * MiB,
	   "kept leaf: the peak is this request's or unknown, not the hog's (%llu)",
	   (unsigned long long)st.memory_peak);
	if (ctx.version == CG_V1)
		ok(st.memory_peak != CG_UNKNOWN && st.memory_peak >= 4u * MiB,
		   "v1: the peak was reset and counts this request's 4 MiB (%llu)",
		   (unsigned long long)st.memory_peak);
	if (fd >= 0)
		(void)close(fd);
	kill_and_remove(&leaf, "kept leaf");
}

/* "a b c d ..." -> four integers (0 when missing). */
static void parse4(const char *line, int *a, int *b, int *c, int *d)
{
	int *out[4] = { a, b, c, d };
	const char *p = line;

	for (int i = 0; i < 4; i++) {
		char *end;

		*out[i] = (int)strtol(p, &end, 10);
		p = end;
	}
}

static void t_double_fork(void)
{
	struct cg_leaf leaf;
	char line[512];
	int fd = -1, pidfd = -1, caps = 0, s = 0, k = 0, r = 0;
	long sleeper = 0;
	pid_t pid;

	if (!make_leaf("s3", &request_limits, &leaf)) {
		ok(false, "double fork: leaf");
		return;
	}
	pid = spawn(&leaf, script_double_fork, &fd);
	if (pid > 0 && read_line(fd, line, sizeof line, 5000))
		sleeper = strtol(line, NULL, 10);
	if (pid > 0)
		(void)waitpid(pid, NULL, 0);
	if (sleeper > 0)
		pidfd = (int)syscall(SYS_pidfd_open, (pid_t)sleeper, 0);
	ok(sleeper > 0 && pidfd >= 0 && procs_in(&leaf) >= 1,
	   "a double-forked sleeper (pid %ld) outlives the script in the leaf", sleeper);
	if (ctx.version == CG_V1) {
		/* Control: without CAP_KILL the kill must fail (v1 signals as
		 * the supervisor; v2's cgroup.kill needs only the file). */
		supervise(&leaf, false, line, sizeof line);
		parse4(line, &caps, &s, &k, &r);
		ok(caps == 1 && k == 0 && strstr(line, "CAP_KILL") != NULL &&
		   procs_in(&leaf) >= 1, "v1, no capabilities at all: the kill is refused (%s)", line);
	}
	supervise(&leaf, true, line, sizeof line);
	parse4(line, &caps, &s, &k, &r);
	ok(caps == 1, "supervisor: uid 0 with CAP_KILL only (no DAC_OVERRIDE, SYS_ADMIN)");
	ok(s == 1 && k == 1 && r == 1, "supervisor (CAP_KILL only): stats, kill, remove all work (%s)", line);
	ok(pidfd >= 0 && wait_pidfd(pidfd, 5000), "the double-forked sleeper is dead");
	ok(!exists_below(ten.fd[0], "s3"), "its leaf is gone");
	if (pidfd >= 0)
		(void)close(pidfd);
	if (fd >= 0)
		(void)close(fd);
	cg_leaf_close(&leaf);
	if (r != 1) { /* clean up after a failure */
		const char *why;

		if (make_leaf("s3", &request_limits, &leaf))
			(void)cg_leaf_remove(&leaf, &why);
	}
}

/* v2: cgroup.kill is a file write: no capability at all is needed. */
static void t_v2_kill_nocaps(void)
{
	struct cg_leaf leaf;
	char line[512];
	int fd = -1, caps = 0, st = 0, k = 0, r = 0, status = 0;
	bool reaped;
	pid_t pid;

	if (ctx.version != CG_V2)
		return;
	if (!make_leaf("s6", &request_limits, &leaf)) {
		ok(false, "v2 no caps: leaf");
		return;
	}
	pid = spawn(&leaf, script_sleep, &fd);
	(void)read_line(fd, line, sizeof line, 5000);
	supervise(&leaf, false, line, sizeof line);
	parse4(line, &caps, &st, &k, &r);
	reaped = pid > 0 && waitpid(pid, &status, 0) == pid;
	ok(caps == 1 && st == 1 && k == 1 && r == 1 && reaped && WIFSIGNALED(status),
	   "v2, no capabilities at all: stats, cgroup.kill, remove work (%s)", line);
	cg_leaf_close(&leaf);
	if (fd >= 0)
		(void)close(fd);
}

static bool all_0755(const int *fds, unsigned n)
{
	bool good = true;

	for (unsigned i = 0; i < n; i++) {
		struct stat st;

		if (fds[i] < 0)
			continue;
		if (fstat(fds[i], &st) != 0 || (st.st_mode & 07777) != 0755) {
			printf("# mode %o\n", (unsigned)(st.st_mode & 07777));
			good = false;
		}
	}
	return good;
}

/* The caller chooses the umask: cgroupfs applies it to mkdir. */
static void t_umask(void)
{
	char path[CG_PATH_MAX + 64], line[512];
	struct cg_ctx u;
	struct cg_leaf leaf;
	const char *why = NULL;
	int parents[CG_MAX_HIER], fd = -1, caps = 0, st = 0, k = 0, r = 0, rc;
	mode_t old;
	bool made;
	pid_t pid;

	(void)snprintf(path, sizeof path, "/%s/um", ctx.parent);
	old = umask(0777);
	rc = cg_open(path, CG_OPEN_CREATE, &u, &why);
	for (unsigned i = 0; i < CG_MAX_HIER; i++)
		parents[i] = rc == 0 && i < u.nh ? u.h[i].fd : -1;
	ok(rc == 0 && all_0755(parents, CG_MAX_HIER),
	   "umask 0777: a new parent is 0755 in every hierarchy (%s)", why_s(why));
	if (rc == 0) {
		(void)cg_remove_parent(&u, 1, &why);
		cg_close(&u);
	}
	/* A tenant directory with a bad mode is repaired. */
	for (unsigned i = 0; i < ctx.nh; i++)
		(void)fchmod(ten.fd[i], 0700);
	cg_tenant_close(&ten);
	why = NULL;
	rc = cg_tenant(&ctx, TENANT, &tenant_limits, &ten, &why);
	ok(rc == 0 && all_0755(ten.fd, ctx.nh), "umask 0777: a 0700 tenant cgroup is back to 0755 (%s)",
	   why_s(why));
	made = make_leaf("s7", &request_limits, &leaf);
	(void)umask(old);
	ok(made && all_0755(leaf.fd, CG_MAX_HIER), "umask 0777: the leaf is 0755");
	if (!made)
		return;
	pid = spawn(&leaf, script_sleep, &fd);
	(void)read_line(fd, line, sizeof line, 5000);
	supervise(&leaf, true, line, sizeof line);
	parse4(line, &caps, &st, &k, &r);
	ok(pid > 0 && caps == 1 && k == 1 && r == 1,
	   "umask 0777: the CAP_KILL-only supervisor kills and removes (%s)", line);
	if (pid > 0)
		(void)waitpid(pid, NULL, 0);
	cg_leaf_close(&leaf);
	if (fd >= 0)
		(void)close(fd);
}

static void t_stale(void)
{
	struct cg_leaf old, leaf;
	const char *why = NULL;
	char line[64];
	int fd = -1, status = 0;
	int frz = hier_of(CG_FREEZER);
	bool made, reaped;
	int rc;
	pid_t pid;

	if (!make_leaf("s4", &request_limits, &old)) {
		ok(false, "stale: leaf");
		return;
	}
	pid = spawn(&old, script_sleep, &fd);
	ok(pid > 0 && read_line(fd, line, sizeof line, 5000) && strcmp(line, "ready") == 0,
	   "a sleeper runs in leaf s4");
	if (frz >= 0)
		/* As if its supervisor died between FROZEN and THAWED. */
		ok(write_file(old.fd[frz], "freezer.state", "FROZEN"),
		   "v1: the stale leaf is left FROZEN");
	/* The supervisor is SIGKILLed: nobody kills or removes s4. */
	cg_leaf_close(&old);
	made = make_leaf("s4", &request_limits, &leaf);
	ok(made && leaf.reclaimed == 1,
	   "cg_leaf_create on an existing s4 reclaims it (reclaimed = %u)", leaf.reclaimed);
	reaped = pid > 0 && waitpid(pid, &status, 0) == pid;
	ok(reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "the stale leaf's sleeper was SIGKILLed (status %#x)", status);
	ok(procs_in(&leaf) == 0 && file_is(leaf.fd[hier_of(CG_PIDS)], "pids.max", "8") &&
	   (frz < 0 || file_is(leaf.fd[frz], "freezer.state", "THAWED")),
	   "the new s4 is empty, fresh, with the request limits");
	why = NULL;
	rc = cg_leaf_remove(&leaf, &why);
	ok(rc == 0, "remove s4 (%s)", why_s(why));
	if (fd >= 0)
		(void)close(fd);
}

static void t_unsafe_parent(void)
{
	char path[CG_PATH_MAX + 64];
	struct cg_ctx bad;
	const char *why = NULL;
	bool made = true;
	int rc;

	/* A parent not owned by root is refused. */
	(void)snprintf(path, sizeof path, "%s/notroot", ctx.parent);
	for (unsigned i = 0; i < ctx.nh; i++)
		made = made && mkdirat(ctx.h[i].root_fd, path, 0755) == 0 &&
		       fchownat(ctx.h[i].root_fd, path, CJT_UID, CJT_UID, 0) == 0;
	(void)snprintf(path, sizeof path, "/%s/notroot", ctx.parent);
	rc = made ? cg_open(path, CG_OPEN_CREATE, &bad, &why) : 0;
	ok(made && rc != 0 && why != NULL && strstr(why, "root-owned") != NULL,
	   "a parent not owned by root is refused (%s)", why_s(why));
	(void)snprintf(path, sizeof path, "%s/notroot", ctx.parent);
	for (unsigned i = 0; i < ctx.nh; i++)
		(void)unlinkat(ctx.h[i].root_fd, path, AT_REMOVEDIR);
	why = NULL;
	rc = cg_open("/", CG_OPEN_CREATE, &bad, &why) != 0 &&
	     cg_open("cgijail", CG_OPEN_CREATE, &bad, &why) != 0 &&
	     cg_open("/a/../b", CG_OPEN_CREATE, &bad, &why) != 0;
	ok(rc, "\"/\", relative and non-normalized parents are refused (%s)", why_s(why));

	/* A systemd unit's cgroup that is not there is never created (the
	 * packaged policy's parent on a host where cgijail.service does not
	 * run, or without systemd). */
	why = NULL;
	(void)snprintf(path, sizeof path, "/%s/gone.service/requests", ctx.parent);
	rc = cg_open(path, CG_OPEN_CREATE, &bad, &why);
	(void)snprintf(path, sizeof path, "%s/gone.service", ctx.parent);
	made = false;
	for (unsigned i = 0; i < ctx.nh; i++)
		made = made || faccessat(ctx.h[i].root_fd, path, F_OK, AT_EACCESS) == 0;
	ok(rc != 0 && why != NULL && strstr(why, "cgijail.service running") != NULL && !made,
	   "a missing unit in cgroup_parent is refused, not created (%s)", why_s(why));
}

/* v2 in the guest only: pretend systemd runs, check the delegation rule. */
static void t_systemd_delegation(void)
{
	char deleg[CG_PATH_MAX + 64], path[CG_PATH_MAX + 64];
	struct cg_ctx d;
	const char *why = NULL;
	bool made_run = false;
	int rc;

	if (ctx.version != CG_V2 || getenv("CGIJAIL_VM") == NULL ||
	    access("/run/systemd/system", F_OK) == 0)
		return;
	made_run = (mkdir("/run/systemd", 0755) == 0 || errno == EEXIST) &&
		   mkdir("/run/systemd/system", 0755) == 0;
	ok(made_run, "guest: /run/systemd/system made (systemd \"running\")");
	(void)snprintf(path, sizeof path, "/%s/unit.service/requests", ctx.parent);
	rc = cg_open(path, CG_OPEN_CREATE, &d, &why);
	ok(rc != 0 && why != NULL && strstr(why, "delegated") != NULL,
	   "systemd, v2: no cgroup is created outside a delegated subtree (%s)", why_s(why));
	(void)snprintf(deleg, sizeof deleg, "%s/unit.service", ctx.parent);
	ok(mkdirat(ctx.h[0].root_fd, deleg, 0755) == 0, "a \"unit\" cgroup");
	{
		int ufd = openat(ctx.h[0].root_fd, deleg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		ok(ufd >= 0 && fsetxattr(ufd, "trusted.delegate", "1", 1, 0) == 0,
		   "marked delegated (trusted.delegate=1, as systemd does for Delegate=yes)");
		if (ufd >= 0)
			(void)close(ufd);
	}
	why = NULL;
	rc = cg_open(path, CG_OPEN_CREATE, &d, &why);
	ok(rc == 0, "systemd, v2: below the delegated unit cgijail creates its parent (%s)", why_s(why));
	why = NULL;
	rc = cg_remove_parent(&d, 2, &why);
	ok(rc == 0, "and removes it (%s)", why_s(why));
	cg_close(&d);
	if (made_run)
		(void)rmdir("/run/systemd/system");
}

/* Independent of the module under test: SIGKILL every listed pid as root
 * until the leaf is empty (at most ~2 s).  Only for leftovers of failures. */
static void kill_directly(const struct cg_leaf *leaf)
{
	for (int round = 0; round < 200 && procs_in(leaf) > 0; round++) {
		for (unsigned i = 0; i < ctx.nh; i++) {
			char buf[4096];

			if (leaf->fd[i] < 0 || !read_at(leaf->fd[i], "cgroup.procs", buf, sizeof buf))
				continue;
			for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n"))
				(void)kill((pid_t)strtol(l, NULL, 10), SIGKILL);
			(void)write_file(leaf->fd[i], "freezer.state", "THAWED");
		}
		(void)usleep(10000);
	}
	printf("# leftover processes killed directly in %s\n", leaf->name);
}

static void cleanup(void)
{
	const char *why = NULL;
	int rc;

	if (have_tenant) {
		/* Leftovers of failed tests: kill and remove every s<k>. */
		for (unsigned k = 0; k < 8; k++) {
			struct cg_leaf leaf = { .ctx = &ctx, .tenant = &ten };
			char name[8];

			(void)cgl_slot_name(k, name, sizeof name);
			(void)snprintf(leaf.name, sizeof leaf.name, "%s", name);
			for (unsigned i = 0; i < CG_MAX_HIER; i++)
				leaf.fd[i] = i < ctx.nh && ten.fd[i] >= 0 ?
					openat(ten.fd[i], name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
			if (procs_in(&leaf) > 0)
				(void)cg_leaf_kill(&leaf, 3000, &why);
			if (procs_in(&leaf) > 0)
				kill_directly(&leaf);
			(void)cg_leaf_remove(&leaf, &why);
		}
		rc = cg_tenant_remove(&ten, &why);
		ok(rc == 0, "tenant cgroup removed (%s)", why_s(why));
		have_tenant = false;
	}
	if (have_ctx) {
		bool gone = true;
		int roots[CG_MAX_HIER] = { -1, -1, -1, -1 };

		for (unsigned i = 0; i < ctx.nh; i++)
			roots[i] = dup(ctx.h[i].root_fd);
		why = NULL;
		rc = cg_remove_parent(&ctx, 2, &why);
		ok(rc == 0, "parent removed (%s)", why_s(why));
		for (unsigned i = 0; i < ctx.nh; i++) {
			gone = gone && roots[i] >= 0 && !exists_below(roots[i], ctx.parent);
			if (roots[i] >= 0)
				(void)close(roots[i]);
		}
		ok(gone, "nothing of /%s is left in any hierarchy", ctx.parent);
		cg_close(&ctx);
		have_ctx = false;
	}
}

static int run_tests(void)
{
	const char *why = NULL;

	(void)snprintf(parent, sizeof parent, "/cgijail-test/t%ld", (long)getpid());
	int rc = cg_open(parent, CG_OPEN_CREATE, &ctx, &why);

	ok(rc == 0, "cg_open %s (%s: %s)", parent, why_s(why), rc == 0 ? "-" : strerror(errno));
	if (failures > 0)
		return 1;
	have_ctx = true;
	printf("# cgroup v%d, %u hierarchies, controllers:%s%s%s%s, created %u components\n",
	       ctx.version, ctx.nh, ctx.ctrls & CG_BIT(CG_MEMORY) ? " memory" : "",
	       ctx.ctrls & CG_BIT(CG_PIDS) ? " pids" : "", ctx.ctrls & CG_BIT(CG_CPU) ? " cpu" : "",
	       ctx.ctrls & CG_BIT(CG_FREEZER) ? " freezer" : "", ctx.created);
	ok(ctx.version == CG_V2 ? !(ctx.ctrls & CG_BIT(CG_FREEZER)) :
	   (ctx.ctrls & CG_BIT(CG_FREEZER)) != 0,
	   ctx.version == CG_V2 ? "v2: no freezer (cgroup.kill)" : "v1: the freezer hierarchy is used");
	t_tenant();
	if (failures == 0) {
		t_attach();
		t_forkbomb();
		t_forkbomb_busy();
		t_hog();
		t_kept_leaf();
		t_double_fork();
		t_v2_kill_nocaps();
		t_umask();
		t_stale();
		t_unsafe_parent();
		t_systemd_delegation();
	}
	cleanup();
	printf("1..%d\n", test_no);
	printf("# %s: %d of %d failed\n", failures ? "FAIL" : "PASS", failures, test_no);
	return failures ? 1 : 0;
}

/* ---- bench ---------------------------------------------------------------------------- */

enum { B_OPEN, B_OPEN2, B_TENANT, B_CREATE, B_ATTACH, B_KILL, B_REMOVE, B_TOTAL,
       B_KILL_LIVE, B_N };
static const char *const bench_names[B_N] = {
	"cg_open (fresh process: libcgroup cgroup_init)", "cg_open again (same process)",
	"cg_tenant (limits unchanged)", "cg_leaf_create", "cg_leaf_attach (in the child)",
	"cg_leaf_kill (script exited: empty leaf)", "cg_leaf_remove",
	"per request: open+tenant+create+attach+kill+remove",
	"extra: cg_leaf_kill of 1 live process",
};

/* Fork a child that attaches itself to leaf, reports the attach time,
 * then exits (live: waits to be killed).  Returns its pid or -1. */
static pid_t bench_child(const struct cg_leaf *leaf, bool live, long *attach_us)
{
	char line[64];
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		const char *why = NULL;
		long a = now_us();
		int rc = cg_leaf_attach(leaf, &why);

		say(p[1], "%d %ld\n", rc, now_us() - a);
		if (live)
			for (;;)
				pause();
		_exit(0);
	}
	(void)close(p[1]);
	if (pid < 0 || !read_line(p[0], line, sizeof line, 5000) || line[0] != '0') {
		(void)close(p[0]);
		return -1;
	}
	(void)close(p[0]);
	*attach_us = strtol(line + 2, NULL, 10);
	return pid;
}

/* One request's worth, in this (fresh) process; prints the times in us. */
static int bench_one(const char *bparent, unsigned k)
{
	struct cg_ctx c, c2;
	struct cg_tenant t;
	struct cg_leaf leaf;
	const char *why = NULL;
	long tm[B_N] = { 0 }, t0, dummy;
	char name[8];
	pid_t pid;

	t0 = now_us();
	if (cg_open(bparent, CG_OPEN_CREATE, &c, &why) != 0)
		return fprintf(stderr, "cg_open: %s\n", why_s(why)), 1;
	tm[B_OPEN] = now_us() - t0;
	t0 = now_us();
	if (cg_open(bparent, CG_OPEN_CREATE, &c2, &why) != 0)
		return fprintf(stderr, "cg_open: %s\n", why_s(why)), 1;
	tm[B_OPEN2] = now_us() - t0;
	cg_close(&c2);
	t0 = now_us();
	if (cg_tenant(&c, TENANT, &tenant_limits, &t, &why) != 0)
		return fprintf(stderr, "cg_tenant: %s\n", why_s(why)), 1;
	tm[B_TENANT] = now_us() - t0;
	(void)cgl_slot_name(k, name, sizeof name);
	t0 = now_us();
	if (cg_leaf_create(&c, &t, name, &request_limits, 0, &leaf, &why) != 0)
		return fprintf(stderr, "cg_leaf_create: %s\n", why_s(why)), 1;
	tm[B_CREATE] = now_us() - t0;
	pid = bench_child(&leaf, false, &tm[B_ATTACH]);
	if (pid < 0)
		return fprintf(stderr, "attach failed\n"), 1;
	(void)waitpid(pid, NULL, 0);
	t0 = now_us();
	if (cg_leaf_kill(&leaf, 3000, &why) != 0)
		return fprintf(stderr, "cg_leaf_kill: %s\n", why_s(why)), 1;
	tm[B_KILL] = now_us() - t0;
	t0 = now_us();
	if (cg_leaf_remove(&leaf, &why) != 0)
		return fprintf(stderr, "cg_leaf_remove: %s\n", why_s(why)), 1;
	tm[B_REMOVE] = now_us() - t0;
	tm[B_TOTAL] = tm[B_OPEN] + tm[B_TENANT] + tm[B_CREATE] + tm[B_ATTACH] +
		      tm[B_KILL] + tm[B_REMOVE];
	/* Extra: a live process killed through the leaf. */
	if (cg_leaf_create(&c, &t, name, &request_limits, 0, &leaf, &why) != 0 ||
	    (pid = bench_child(&leaf, true, &dummy)) < 0)
		return fprintf(stderr, "extra leaf: %s\n", why_s(why)), 1;
	t0 = now_us();
	if (cg_leaf_kill(&leaf, 3000, &why) != 0)
		return fprintf(stderr, "cg_leaf_kill: %s\n", why_s(why)), 1;
	tm[B_KILL_LIVE] = now_us() - t0;
	(void)waitpid(pid, NULL, 0);
	(void)cg_leaf_remove(&leaf, &why);
	for (int i = 0; i < B_N; i++)
		printf("%ld%c", tm[i], i + 1 < B_N ? ' ' : '\n');
	cg_tenant_close(&t);
	cg_close(&c);
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int bench(const char *self, int n)
{
	char bparent[64], arg[16];
	long *v[B_N];
	int got = 0;

	(void)snprintf(bparent, sizeof bparent, "/cgijail-test/b%ld", (long)getpid());
	for (int i = 0; i < B_N; i++)
		v[i] = calloc((size_t)n, sizeof(long));
	for (int it = 0; it < n; it++) {
		int p[2];
		pid_t pid;
		char line[256];

		if (pipe(p) != 0)
			break;
		(void)snprintf(arg, sizeof arg, "%d", it % 4);
		pid = fork();
		if (pid == 0) {
			(void)dup2(p[1], STDOUT_FILENO);
			execl(self, self, "--bench-one", bparent, arg, (char *)NULL);
			_exit(127);
		}
		(void)close(p[1]);
		if (read_line(p[0], line, sizeof line, 10000)) {
			char *s = line;

			for (int i = 0; i < B_N; i++)
				v[i][got] = strtol(s, &s, 10);
			got++;
		}
		(void)close(p[0]);
		(void)waitpid(pid, NULL, 0);
	}
	printf("# %d of %d requests measured (fresh process each), times in microseconds\n",
	       got, n);
	printf("%-52s %8s %8s %8s\n", "step", "median", "p10", "p90");
	for (int i = 0; i < B_N && got > 0; i++) {
		qsort(v[i], (size_t)got, sizeof(long), cmp_long);
		printf("%-52s %8ld %8ld %8ld\n", bench_names[i], v[i][got / 2],
		       v[i][got / 10], v[i][got * 9 / 10]);
	}
	/* Leave nothing behind. */
	{
		struct cg_ctx c;
		struct cg_tenant t;
		const char *why = NULL;

		if (cg_open(bparent, 0, &c, &why) == 0) {
			if (cg_tenant(&c, TENANT, &tenant_limits, &t, &why) == 0)
				(void)cg_tenant_remove(&t, &why);
			(void)cg_remove_parent(&c, 2, &why);
			cg_close(&c);
		}
	}
	for (int i = 0; i < B_N; i++)
		free(v[i]);
	return got == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *ci = getenv("CI");

	if (argc == 4 && strcmp(argv[1], "--bench-one") == 0)
		return bench_one(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
	if (geteuid() != 0) {
		if (ci != NULL && strcmp(ci, "true") == 0) {
			printf("not ok 1 - must run as root (CI=true: a skipped privileged test is a failure)\n");
			return 1;
		}
		printf("1..0 # SKIP not root\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(120); /* a hang must not outlive ctest */
	if (argc == 3 && strcmp(argv[1], "--bench") == 0)
		return bench("/proc/self/exe", (int)strtol(argv[2], NULL, 10));
	return run_tests();
}
