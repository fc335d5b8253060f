/* test_seccomp.c - the script's seccomp filter: its rules
 * (wrapper/logic/scpolicy.c) and its loader (wrapper/sys/scfilter.c).
 *
 * 1. Export and compare: the rules rebuilt with libseccomp and exported give
 *    exactly the programs compiled into the wrapper.
 * 2. The real filter, loaded by sc_apply() in a forked child (which sets
 *    NO_NEW_PRIVS itself, so no root is needed), system call by system call:
 *    every allowed call behaves as without the filter, every refused one
 *    fails with EPERM, unknown ones and clone3 with ENOSYS, other ABIs kill.
 * 3. The compiled-in programs run in a BPF emulator: every system call
 *    number, foreign architectures, argument edge cases.
 * 4. /usr/bin/python3 with a small workload exits 0 under each variant.
 *
 * Children leave with _exit(): no atexit handler (LeakSanitizer's would
 * need ptrace, which the filter refuses) runs under the filter. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scfilter.h"
#include "scpolicy.h"
#include "unit_params.h"

/* Exit codes of a child that could not set itself up (errno stays < 200). */
#define CHILD_NNP_FAILED 201
#define CHILD_APPLY_FAILED 202
#define CHILD_OTHER 203

#define NO_FILTER (-1)

static const enum sc_network nets[] = { SC_NET_UNIX_ONLY, SC_NET_INET };

/* ---- Children ------------------------------------------------------------ */

/* How a child ended: exit code (0 = the call succeeded, else its errno) or
 * the signal that killed it. */
struct outcome {
	bool signaled;
	int code;
};

static bool same(struct outcome a, struct outcome b)
{
	return a.signaled == b.signaled && a.code == b.code;
}

static const char *show(struct outcome o, char *buf, size_t bufsz)
{
	if (o.signaled)
		snprintf(buf, bufsz, "killed by signal %d (%s)", o.code,
			 strsignal(o.code));
	else if (o.code == 0)
		snprintf(buf, bufsz, "success");
	else if (o.code == CHILD_OTHER)
		snprintf(buf, bufsz, "unexpected result in the child");
	else if (o.code >= CHILD_NNP_FAILED)
		snprintf(buf, bufsz, "child exit status %d", o.code);
	else
		snprintf(buf, bufsz, "%s (%s)", strerrorname_np(o.code),
			 strerror(o.code));
	return buf;
}

typedef int (*child_fn)(const void *arg);

/* Run fn(arg) in a child, under the filter of net unless NO_FILTER. */
static struct outcome in_child(int net, child_fn fn, const void *arg)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		const char *why = NULL;

		if (net != NO_FILTER) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
				_exit(CHILD_NNP_FAILED);
			if (sc_apply((enum sc_network)net, &why) != 0)
				_exit(CHILD_APPLY_FAILED);
		}
		_exit(fn(arg));
	}
	int st = 0;
	while (waitpid(pid, &st, 0) != pid)
		cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
	struct outcome o = { .signaled = WIFSIGNALED(st),
			     .code = WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st) };
	cr_assert(o.signaled || (o.code != CHILD_NNP_FAILED &&
				 o.code != CHILD_APPLY_FAILED),
		  "child could not load the filter (%d)", o.code);
	return o;
}

/* One raw system call. */
struct call {
	long nr;
	unsigned long a[6];
};

static int do_call(const void *arg)
{
	const struct call *c = arg;

	errno = 0;
	long r = syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4],
			 c->a[5]);
	if (r != -1)
		return 0;
	return errno > 0 && errno < CHILD_NNP_FAILED ? errno : CHILD_OTHER;
}

static struct outcome call_in_child(int net, long nr, unsigned long a0,
				    unsigned long a1, unsigned long a2,
				    unsigned long a3)
{
	struct call c = { .nr = nr, .a = { a0, a1, a2, a3, 0, 0 } };
	return in_child(net, do_call, &c);
}

static const struct outcome ok = { false, 0 };

static struct outcome err(int e)
{
	return (struct outcome){ false, e };
}

/* got and want are evaluated once (got usually runs a child). */
#define expect_outcome(got, want, ...)                                   \
	do {                                                             \
		const struct outcome g_ = (got), w_ = (want);            \
		char gs_[96], ws_[96];                                   \
		cr_expect(same(g_, w_), __VA_ARGS__);                    \
		if (!same(g_, w_))                                       \
			cr_log_error("  got %s, want %s",                \
				     show(g_, gs_, sizeof(gs_)),         \
				     show(w_, ws_, sizeof(ws_)));        \
	} while (0)

/* ---- 1. Export and compare ----------------------------------------------- */

/* libseccomp's BPF export of ctx, through a pipe. */
static size_t export_via_pipe(scmp_filter_ctx ctx, unsigned char *buf,
			      size_t bufsz)
{
	int p[2];

	cr_assert_eq(pipe(p), 0);
	/* 4096 instructions of 8 bytes fit the default 64 KiB pipe. */
	int rc = seccomp_export_bpf(ctx, p[1]);
	cr_assert_eq(rc, 0, "seccomp_export_bpf: %s", strerror(-rc));
	cr_assert_eq(close(p[1]), 0);
	size_t got = 0;
	for (;;) {
		cr_assert_lt(got, bufsz, "export larger than BPF_MAXINSNS");
		ssize_t n = read(p[0], buf + got, bufsz - got);
		cr_assert_geq(n, 0, "read: %s", strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	(void)close(p[0]);
	return got;
}

Test(seccomp, export_matches_compiled_in)
{
	static unsigned char buf[(BPF_MAXINSNS + 1) * sizeof(struct sock_filter)];

	for (size_t i = 0; i < NELEMS(nets); i++) {
		scmp_filter_ctx ctx = NULL;
		const struct sock_filter *insns = NULL;
		int rc = sc_build_ctx(nets[i], &ctx);

		cr_assert_eq(rc, 0, "sc_build_ctx(%s): %s",
			     sc_network_name(nets[i]), strerror(-rc));
		size_t len = export_via_pipe(ctx, buf, sizeof(buf));
		seccomp_release(ctx);
		size_t n = sc_program(nets[i], &insns);
		cr_assert_gt(n, 0);
		cr_assert_leq(n, BPF_MAXINSNS);
		cr_assert_eq(len, n * sizeof(struct sock_filter),
			     "%s: exported %zu bytes, compiled in %zu instructions "
			     "(stale seccomp_bpf.h?)", sc_network_name(nets[i]),
			     len, n);
		cr_assert_eq(memcmp(buf, insns, len), 0,
			     "%s: the compiled-in program differs from libseccomp's "
			     "export of the policy", sc_network_name(nets[i]));
	}
	/* The two variants differ (in socket's rules) and only there. */
	const struct sock_filter *u = NULL, *in = NULL;
	size_t nu = sc_program(SC_NET_UNIX_ONLY, &u), ni = sc_program(SC_NET_INET, &in);
	cr_expect(nu != ni || memcmp(u, in, nu * sizeof(*u)) != 0);
}

Test(seccomp, unknown_variant)
{
	scmp_filter_ctx ctx = NULL;
	const struct sock_filter *insns = NULL;
	const char *why = NULL;

	cr_expect_eq(sc_build_ctx((enum sc_network)SC_NET_COUNT, &ctx), -EINVAL);
	cr_expect_null(ctx);
	cr_expect_eq(sc_program((enum sc_network)SC_NET_COUNT, &insns), 0);
	cr_expect_null(sc_network_name((enum sc_network)SC_NET_COUNT));
	cr_expect_eq(sc_apply((enum sc_network)SC_NET_COUNT, &why), -1);
	cr_expect_not_null(why);
}

static int apply_without_nnp(const void *arg)
{
	const char *why = NULL;

	(void)arg;
	if (sc_apply(SC_NET_INET, &why) != -1 || why == NULL)
		return CHILD_OTHER;
	/* Not loaded: a refused call still works. */
	return syscall(SYS_getppid) > 0 ? 0 : CHILD_OTHER;
}

Test(seccomp, refuses_without_no_new_privs)
{
	if (prctl(PR_GET_NO_NEW_PRIVS, 0L, 0L, 0L, 0L) == 1)
		cr_skip_test("the test itself runs with no_new_privs");
	struct outcome o = in_child(NO_FILTER, apply_without_nnp, NULL);
	expect_outcome(o, ok, "sc_apply must refuse without no_new_privs");
}

/* ---- 2. The policy's lists ----------------------------------------------- */

Test(seccomp, lists_are_native_and_disjoint)
{
	static const enum sc_list lists[] = { SC_LIST_ALLOW, SC_LIST_EPERM,
					      SC_LIST_ENOTSUP, SC_LIST_COND };
	static unsigned char seen[1024];

	for (size_t l = 0; l < NELEMS(lists); l++) {
		const struct sc_syscall *s = NULL;
		size_t n = sc_policy_list(lists[l], &s);

		cr_assert_gt(n, 0);
		for (size_t i = 0; i < n; i++) {
#ifdef __x86_64__
			/* Every name listed exists on x86_64. */
			cr_expect_geq(s[i].nr, 0, "%s: not an x86_64 system call",
				      s[i].name);
#endif
			if (s[i].nr < 0)
				continue;
			cr_assert_lt(s[i].nr, (int)sizeof(seen));
			cr_expect_eq(seen[s[i].nr], 0, "%s listed twice", s[i].name);
			seen[s[i].nr] = 1;
		}
	}
	/* clone3 is not listed: the default action, ENOSYS, refuses it. */
	cr_expect_eq(seen[SCMP_SYS(clone3)], 0);
}

/* Arguments that make each allowed call fail harmlessly (or do nothing
 * lasting) even as root without a filter: every argument -1 (bad fd,
 * pointer, flags), except where that would do something or reach no check. */
static const struct {
	int nr;
	unsigned long a[6];
} arg_overrides[] = {
	/* op -1 gives ENOSYS from the kernel itself: use FUTEX_WAKE at NULL. */
	{ SCMP_SYS(futex), { 0, 1, 1, 0, 0, 0 } },
};

/* Allowed calls not probed one by one: they end, block or fork the probe.
 * The Python workload (below) makes all of them. */
static bool not_probed(int nr)
{
	static const int skip[] = {
		SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(pause), SCMP_SYS(fork), SCMP_SYS(vfork),
	};
	for (size_t i = 0; i < NELEMS(skip); i++)
		if (skip[i] == nr)
			return true;
	return false;
}

static struct call probe_args(int nr)
{
	struct call c = { .nr = nr };

	for (size_t i = 0; i < NELEMS(c.a); i++)
		c.a[i] = (unsigned long)-1;
	for (size_t i = 0; i < NELEMS(arg_overrides); i++)
		if (arg_overrides[i].nr == nr)
			memcpy(c.a, arg_overrides[i].a, sizeof(c.a));
	return c;
}

/* Every allowed call gives, under each variant, exactly what it gives
 * without a filter: the filter neither refuses it nor changes its result. */
Test(seccomp, allowed_calls_behave_as_unfiltered, .timeout = 120)
{
	const struct sc_syscall *s = NULL;
	size_t n = sc_policy_list(SC_LIST_ALLOW, &s);
	size_t probed = 0, weak = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i].nr < 0 || not_probed(s[i].nr))
			continue;
		struct call c = probe_args(s[i].nr);
		struct outcome base = in_child(NO_FILTER, do_call, &c);
		/* Only a result the filter itself could give is ambiguous. */
		if (!base.signaled && (base.code == ENOSYS || base.code == EPERM)) {
			cr_log_warn("%s: gives %s without the filter too",
				    s[i].name, strerrorname_np(base.code));
			weak++;
		}
		for (size_t v = 0; v < NELEMS(nets); v++) {
			struct outcome o = in_child((int)nets[v], do_call, &c);
			expect_outcome(o, base, "%s (%s): differs from the unfiltered call",
				       s[i].name, sc_network_name(nets[v]));
		}
		probed++;
	}
	cr_log_info("%zu allowed system calls probed (%zu ambiguous)", probed, weak);
	cr_expect_gt(probed, 150);
	cr_expect_leq(weak, 3, "too many probes that cannot tell the filter apart");
}

/* Every call the policy refuses fails with EPERM under both variants. */
Test(seccomp, refused_calls_fail_with_eperm, .timeout = 60)
{
	const struct sc_syscall *s = NULL;
	size_t n = sc_policy_list(SC_LIST_EPERM, &s);

	for (size_t i = 0; i < n; i++) {
		if (s[i].nr < 0)
			continue;
		struct call c = probe_args(s[i].nr);
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(in_child((int)nets[v], do_call, &c), err(EPERM),
				       "%s (%s)", s[i].name, sc_network_name(nets[v]));
	}
}

/* Every call of the ENOTSUP list fails with ENOTSUP under both variants. */
Test(seccomp, refused_calls_fail_with_enotsup, .timeout = 60)
{
	const struct sc_syscall *s = NULL;
	size_t n = sc_policy_list(SC_LIST_ENOTSUP, &s);

	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		if (s[i].nr < 0)
			continue;
		struct call c = probe_args(s[i].nr);
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(in_child((int)nets[v], do_call, &c), err(ENOTSUP),
				       "%s (%s)", s[i].name, sc_network_name(nets[v]));
	}
}

/* The refusals SECURITY.md promises, listed here independently of the policy:
 * each must fail with EPERM (ENOSYS would mean it fell out of the list). */
Test(seccomp, required_refusals, .timeout = 60)
{
	static const struct {
		const char *name;
		int nr;
	} must[] = {
#define M(n) { #n, SCMP_SYS(n) }
		M(ptrace), M(process_vm_readv), M(process_vm_writev),
		M(pidfd_getfd), M(perf_event_open), M(bpf), M(userfaultfd),
		M(io_uring_setup), M(io_uring_enter), M(io_uring_register),
		M(keyctl), M(add_key), M(request_key), M(mount), M(umount2),
		M(fsopen), M(fsconfig), M(fsmount), M(fspick), M(move_mount),
		M(open_tree), M(mount_setattr), M(pivot_root), M(chroot),
		M(unshare), M(setns), M(kexec_load), M(kexec_file_load),
		M(init_module), M(finit_module), M(delete_module), M(reboot),
		M(swapon), M(swapoff), M(acct), M(quotactl), M(syslog),
		M(modify_ldt), M(iopl), M(ioperm), M(open_by_handle_at),
		M(name_to_handle_at), M(setuid), M(setgid), M(setreuid),
		M(setregid), M(setresuid), M(setresgid), M(setfsuid),
		M(setfsgid), M(setgroups), M(capset),
		/* SysV IPC, POSIX message queues, Linux AIO */
		M(shmget), M(shmat), M(shmdt), M(shmctl), M(semget), M(semop),
		M(semtimedop), M(semctl), M(msgget), M(msgsnd), M(msgrcv),
		M(msgctl), M(mq_open), M(mq_unlink), M(mq_timedsend),
		M(mq_timedreceive), M(mq_notify), M(mq_getsetattr), M(io_setup),
		M(io_submit),
		/* metadata changes, inotify */
		M(chmod), M(fchmod), M(fchmodat), M(chown), M(fchown),
		M(lchown), M(fchownat), M(setxattr), M(lsetxattr), M(fsetxattr),
		M(removexattr), M(lremovexattr), M(fremovexattr),
		M(inotify_init), M(inotify_init1), M(inotify_add_watch),
#undef M
	};
	for (size_t i = 0; i < NELEMS(must); i++) {
		cr_assert_geq(must[i].nr, 0, "%s", must[i].name);
		struct call c = probe_args(must[i].nr);
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(in_child((int)nets[v], do_call, &c), err(EPERM),
				       "%s (%s)", must[i].name, sc_network_name(nets[v]));
	}
}

/* ---- 3. Defaults and arguments ------------------------------------------- */

Test(seccomp, unknown_and_unlisted_calls_fail_with_enosys)
{
	static const struct {
		const char *what;
		long nr;
		unsigned long a0, a1, a2;
	} calls[] = {
		/* glibc falls back to clone, whose flags are checked */
		{ "clone3", SYS_clone3, 0, 0, 0 },
		{ "clone3 (valid size)", SYS_clone3, (unsigned long)-1, 88, 0 },
		{ "number 1000", 1000, 0, 0, 0 },
		{ "number 4095", 4095, 0, 0, 0 },
		{ "seccomp", SYS_seccomp, (unsigned long)-1, 0, 0 },
		{ "clock_settime", SYS_clock_settime, (unsigned long)-1, 0, 0 },
		{ "landlock_create_ruleset", SYS_landlock_create_ruleset, 0, 0, 1 },
		{ "vhangup", SYS_vhangup, 0, 0, 0 },
		{ "mincore", SYS_mincore, (unsigned long)-1, 0, 0 },
		/* newer than this libseccomp's names: metadata changes the
		 * default refuses (the same number on x86_64 and aarch64) */
		{ "fchmodat2", 452, (unsigned long)-1, 0, 0 },
		{ "setxattrat", 463, (unsigned long)-1, 0, 0 },
		{ "removexattrat", 466, (unsigned long)-1, 0, 0 },
	};
	for (size_t i = 0; i < NELEMS(calls); i++)
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(call_in_child((int)nets[v], calls[i].nr,
						     calls[i].a0, calls[i].a1,
						     calls[i].a2, 0),
				       err(ENOSYS), "%s (%s)", calls[i].what,
				       sc_network_name(nets[v]));
}

/* socket(family, SOCK_DGRAM, 0) and socketpair(AF_UNIX/.., SOCK_STREAM). */
static int do_socket(const void *arg)
{
	const unsigned long *fam = arg;
	long fd = syscall(SYS_socket, *fam, (unsigned long)SOCK_DGRAM, 0UL);

	return fd >= 0 ? 0 : errno;
}

static int do_socketpair(const void *arg)
{
	const unsigned long *fam = arg;
	int sv[2];

	return syscall(SYS_socketpair, *fam, (unsigned long)SOCK_STREAM, 0UL, sv) == 0
		? 0 : errno;
}

Test(seccomp, socket_families)
{
	static const struct {
		const char *what;
		unsigned long family;
		bool unix_only, inet;  /* allowed under the variant */
	} fams[] = {
		{ "AF_UNIX", AF_UNIX, true, true },
		{ "AF_INET", AF_INET, false, true },
		{ "AF_INET6", AF_INET6, false, true },
		{ "AF_UNSPEC", AF_UNSPEC, false, false },
		{ "AF_NETLINK", AF_NETLINK, false, false },
		{ "AF_PACKET", AF_PACKET, false, false },
		{ "AF_AX25", AF_AX25, false, false },
		{ "AF_BLUETOOTH", AF_BLUETOOTH, false, false },
		{ "AF_VSOCK", AF_VSOCK, false, false },
		{ "AF_ALG", AF_ALG, false, false },
		{ "family 1000", 1000, false, false },
		/* the kernel reads family as int: the upper half is ignored
		 * there, refused here (never let through) */
		{ "AF_UNIX + upper bits", (1UL << 32) | AF_UNIX, false, false },
		{ "AF_PACKET + upper bits", (1UL << 32) | AF_PACKET, false, false },
		{ "-1", (unsigned long)-1, false, false },
	};
	for (size_t i = 0; i < NELEMS(fams); i++) {
		struct outcome base = in_child(NO_FILTER, do_socket, &fams[i].family);
		for (size_t v = 0; v < NELEMS(nets); v++) {
			bool allowed = nets[v] == SC_NET_INET ? fams[i].inet
							      : fams[i].unix_only;
			struct outcome o = in_child((int)nets[v], do_socket,
						    &fams[i].family);
			expect_outcome(o, allowed ? base : err(EPERM), "socket(%s) (%s)",
				       fams[i].what, sc_network_name(nets[v]));
		}
	}
	/* AF_UNIX works at all (the comparison above is not vacuous). */
	unsigned long fam = AF_UNIX;
	expect_outcome(in_child(SC_NET_UNIX_ONLY, do_socket, &fam), ok, "AF_UNIX");
	fam = AF_INET;
	expect_outcome(in_child(SC_NET_INET, do_socket, &fam), ok, "AF_INET");

	static const unsigned long pair_fams[] = { AF_UNIX, AF_INET, AF_INET6,
						   AF_NETLINK, (1UL << 32) | AF_UNIX };
	for (size_t i = 0; i < NELEMS(pair_fams); i++)
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(in_child((int)nets[v], do_socketpair, &pair_fams[i]),
				       i == 0 ? ok : err(EPERM), "socketpair(%#lx) (%s)",
				       pair_fams[i], sc_network_name(nets[v]));
}

/* clone(flags) like fork: the new child leaves at once. */
static int do_clone(const void *arg)
{
	const unsigned long *flags = arg;
	long pid = syscall(SYS_clone, *flags, 0UL, 0UL, 0UL, 0UL);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	int st = 0;
	if (waitpid((pid_t)pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return CHILD_OTHER;
	return 0;
}

Test(seccomp, clone_namespace_flags)
{
	static const struct {
		const char *what;
		unsigned long flags;
		bool allowed;
	} cases[] = {
		{ "SIGCHLD (fork)", SIGCHLD, true },
		{ "glibc fork's flags", CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, true },
		{ "CLONE_NEWNS", CLONE_NEWNS | SIGCHLD, false },
		{ "CLONE_NEWUTS", CLONE_NEWUTS | SIGCHLD, false },
		{ "CLONE_NEWIPC", CLONE_NEWIPC | SIGCHLD, false },
		{ "CLONE_NEWUSER", CLONE_NEWUSER | SIGCHLD, false },
		{ "CLONE_NEWPID", CLONE_NEWPID | SIGCHLD, false },
		{ "CLONE_NEWNET", CLONE_NEWNET | SIGCHLD, false },
		{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP | SIGCHLD, false },
		{ "CLONE_NEWTIME bit", CLONE_NEWTIME | SIGCHLD, false },
		{ "all namespaces", CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
			CLONE_NEWCGROUP | SIGCHLD, false },
		{ "CLONE_NEWUSER + upper bits", (1UL << 32) | CLONE_NEWUSER | SIGCHLD, false },
	};
	for (size_t i = 0; i < NELEMS(cases); i++)
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(in_child((int)nets[v], do_clone, &cases[i].flags),
				       cases[i].allowed ? ok : err(EPERM), "clone(%s) (%s)",
				       cases[i].what, sc_network_name(nets[v]));
}

Test(seccomp, personality)
{
	static const struct {
		const char *what;
		unsigned long persona;
		bool allowed;
	} cases[] = {
		{ "query 0xffffffff", 0xffffffffUL, true },
		{ "PER_LINUX", PER_LINUX, true },
		{ "ADDR_NO_RANDOMIZE", PER_LINUX | ADDR_NO_RANDOMIZE, false },
		{ "READ_IMPLIES_EXEC", PER_LINUX | READ_IMPLIES_EXEC, false },
		{ "PER_LINUX32", PER_LINUX32, false },
		{ "PER_BSD", PER_BSD, false },
		{ "query with upper bits", (unsigned long)-1, false },
		{ "PER_LINUX with upper bits", 1UL << 32, false },
	};
	for (size_t i = 0; i < NELEMS(cases); i++)
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(call_in_child((int)nets[v], SYS_personality,
						     cases[i].persona, 0, 0, 0),
				       cases[i].allowed ? ok : err(EPERM),
				       "personality(%s) (%s)", cases[i].what,
				       sc_network_name(nets[v]));
}

Test(seccomp, ioctl_terminal_injection)
{
	static const struct {
		const char *what;
		unsigned long cmd;
		bool allowed;   /* then as without filter: EBADF on fd -1 */
	} cases[] = {
		{ "TCGETS", TCGETS, true },
		{ "FIONREAD", FIONREAD, true },
		{ "FIONREAD + upper bits", (1UL << 32) | FIONREAD, true },
		{ "TIOCSTI", TIOCSTI, false },
		{ "TIOCSTI + upper bits", (1UL << 32) | TIOCSTI, false },
		{ "TIOCSTI + all upper bits", 0xffffffff00000000UL | TIOCSTI, false },
		{ "TIOCLINUX", TIOCLINUX, false },
		{ "TIOCLINUX + upper bits", (1UL << 32) | TIOCLINUX, false },
	};
	for (size_t i = 0; i < NELEMS(cases); i++)
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(call_in_child((int)nets[v], SYS_ioctl,
						     (unsigned long)-1, cases[i].cmd, 0, 0),
				       err(cases[i].allowed ? EBADF : EPERM),
				       "ioctl(-1, %s) (%s)", cases[i].what,
				       sc_network_name(nets[v]));
}

/* The parent-death signal cgijail set stays set: the script cannot clear
 * or change it (the request's pid namespace dies with the supervisor). */
Test(seccomp, parent_death_signal_stays)
{
	static const struct {
		const char *what;
		unsigned long option, arg;
		int outcome;    /* 0: allowed and succeeds; else the errno */
	} cases[] = {
		{ "PR_SET_PDEATHSIG 0", PR_SET_PDEATHSIG, 0, EPERM },
		{ "PR_SET_PDEATHSIG SIGTERM", PR_SET_PDEATHSIG, SIGTERM, EPERM },
		{ "PR_SET_PDEATHSIG + upper bits", (1UL << 32) | PR_SET_PDEATHSIG, 0, EPERM },
		{ "PR_SET_NAME", PR_SET_NAME, (unsigned long)"cjt", 0 },
	};
	for (size_t i = 0; i < NELEMS(cases); i++)
		for (size_t v = 0; v < NELEMS(nets); v++)
			expect_outcome(call_in_child((int)nets[v], SYS_prctl, cases[i].option,
						     cases[i].arg, 0, 0),
				       cases[i].outcome ? err(cases[i].outcome) : ok,
				       "prctl(%s) (%s)", cases[i].what,
				       sc_network_name(nets[v]));
}

/* ---- 4. Other ABIs --------------------------------------------------------- */

#ifdef __x86_64__
#define X32_SYSCALL_BIT 0x40000000UL

static int do_x32_getpid(const void *arg)
{
	(void)arg;
	(void)signal(SIGSYS, SIG_DFL);
	long r = syscall((long)(X32_SYSCALL_BIT | SYS_getpid));
	return r >= 0 ? 0 : errno;
}

/* i386 getpid (20) through int 0x80. */
static int do_i386_getpid(const void *arg)
{
	long r = 20;

	(void)arg;
	(void)signal(SIGSEGV, SIG_DFL);
	(void)signal(SIGSYS, SIG_DFL);
	__asm__ volatile("int $0x80" : "+a"(r) : : "r8", "r9", "r10", "r11", "memory");
	return r >= 0 ? 0 : (int)-r;
}

Test(seccomp, other_abis_kill)
{
	struct outcome base_x32 = in_child(NO_FILTER, do_x32_getpid, NULL);
	struct outcome base_i386 = in_child(NO_FILTER, do_i386_getpid, NULL);
	const struct outcome sigsys = { true, SIGSYS };
	char b[96];

	cr_log_info("without the filter: x32 getpid: %s", show(base_x32, b, sizeof(b)));
	cr_log_info("without the filter: int 0x80 getpid: %s", show(base_i386, b, sizeof(b)));
	for (size_t v = 0; v < NELEMS(nets); v++) {
		expect_outcome(in_child((int)nets[v], do_x32_getpid, NULL), sigsys,
			       "x32 system call (%s)", sc_network_name(nets[v]));
		/* Without IA-32 emulation int 0x80 faults before seccomp. */
		struct outcome want = base_i386.signaled && base_i386.code == SIGSEGV
			? base_i386 : sigsys;
		expect_outcome(in_child((int)nets[v], do_i386_getpid, NULL), want,
			       "i386 system call (%s)", sc_network_name(nets[v]));
	}
}
#endif

/* ---- 5. The programs, emulated ------------------------------------------ */

/* A classic-BPF interpreter for what seccomp programs use, run on struct
 * seccomp_data: it checks what the kernel cannot show on this machine (an
 * i386 caller where IA-32 emulation is off) and every system call number,
 * not only those with a probe.  Unknown instructions fail the test. */
static uint32_t emulate(const struct sock_filter *prog, size_t n,
			const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	unsigned char raw[sizeof(*d)];

	memcpy(raw, d, sizeof(raw));
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint32_t k = f->k, w = 0;
		bool cond = false;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			cr_assert(k % 4 == 0 && k + 4 <= sizeof(raw), "load at %u", k);
			memcpy(&w, raw + k, 4);
			a = w;
			continue;
		case BPF_LD | BPF_IMM:
			a = k;
			continue;
		case BPF_LDX | BPF_IMM:
			x = k;
			continue;
		case BPF_LD | BPF_MEM:
			cr_assert_lt(k, BPF_MEMWORDS);
			a = mem[k];
			continue;
		case BPF_LDX | BPF_MEM:
			cr_assert_lt(k, BPF_MEMWORDS);
			x = mem[k];
			continue;
		case BPF_ST:
			cr_assert_lt(k, BPF_MEMWORDS);
			mem[k] = a;
			continue;
		case BPF_STX:
			cr_assert_lt(k, BPF_MEMWORDS);
			mem[k] = x;
			continue;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= k;
			continue;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= k;
			continue;
		case BPF_MISC | BPF_TAX:
			x = a;
			continue;
		case BPF_MISC | BPF_TXA:
			a = x;
			continue;
		case BPF_RET | BPF_K:
			return k;
		case BPF_RET | BPF_A:
			return a;
		case BPF_JMP | BPF_JA:
			pc += k;
			cr_assert_lt(pc + 1, n + 1);
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			cond = a == k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			cond = a > k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			cond = a >= k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			cond = (a & k) != 0;
			break;
		case BPF_JMP | BPF_JEQ | BPF_X:
			cond = a == x;
			break;
		case BPF_JMP | BPF_JGT | BPF_X:
			cond = a > x;
			break;
		case BPF_JMP | BPF_JGE | BPF_X:
			cond = a >= x;
			break;
		default:
			cr_assert_fail("instruction %zu: opcode %#x not emulated", pc,
				       (unsigned)f->code);
		}
		pc += cond ? f->jt : f->jf;
	}
	cr_assert_fail("the program runs off its end");
	return 0;
}

static uint32_t verdict(enum sc_network net, uint32_t arch, int nr,
			const uint64_t args[6])
{
	const struct sock_filter *prog = NULL;
	size_t n = sc_program(net, &prog);
	struct seccomp_data d = { .nr = nr, .arch = arch };

	if (args != NULL)
		memcpy(d.args, args, sizeof(d.args));
	return emulate(prog, n, &d);
}

#ifdef __x86_64__
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#else
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (uint32_t)(e))

Test(seccomp, emulated_every_number)
{
	static uint32_t want[1024];
	static const enum sc_list lists[] = { SC_LIST_ALLOW, SC_LIST_EPERM,
					      SC_LIST_ENOTSUP };
	static const uint32_t acts[] = { SECCOMP_RET_ALLOW, RET_ERRNO(EPERM),
					 RET_ERRNO(ENOTSUP) };
	const uint64_t zero[6] = { 0 };

	for (size_t i = 0; i < NELEMS(want); i++)
		want[i] = RET_ERRNO(ENOSYS);
	for (size_t l = 0; l < NELEMS(lists); l++) {
		const struct sc_syscall *s = NULL;
		size_t n = sc_policy_list(lists[l], &s);
		for (size_t i = 0; i < n; i++)
			if (s[i].nr >= 0)
				want[s[i].nr] = acts[l];
	}
	const struct sc_syscall *c = NULL;
	size_t nc = sc_policy_list(SC_LIST_COND, &c);
	for (size_t v = 0; v < NELEMS(nets); v++) {
		for (int nr = 0; nr < (int)NELEMS(want); nr++) {
			bool cond = false;
			for (size_t i = 0; i < nc; i++)
				cond = cond || c[i].nr == nr;
			if (cond)
				continue;
			uint32_t got = verdict(nets[v], NATIVE_ARCH, nr, zero);
			cr_expect_eq(got, want[nr], "%s: system call %d: %#x, want %#x",
				     sc_network_name(nets[v]), nr, got, want[nr]);
		}
		/* numbers far out, and -1 (a tracer's "skip") */
		cr_expect_eq(verdict(nets[v], NATIVE_ARCH, 0x3fffffff, zero),
			     RET_ERRNO(ENOSYS));
		cr_expect_eq(verdict(nets[v], NATIVE_ARCH, 100000, zero),
			     RET_ERRNO(ENOSYS));
	}
}

Test(seccomp, emulated_other_abis)
{
	static const uint32_t foreign[] = {
		AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 ^ __AUDIT_ARCH_64BIT,
		AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_X86_64,
	};
	const uint64_t zero[6] = { 0 };

	for (size_t v = 0; v < NELEMS(nets); v++) {
		for (size_t i = 0; i < NELEMS(foreign); i++) {
			if (foreign[i] == NATIVE_ARCH)
				continue;
			/* 20 is getpid on i386, 39 on x86_64: allowed natively */
			cr_expect_eq(verdict(nets[v], foreign[i], 20, zero),
				     SECCOMP_RET_KILL_PROCESS, "arch %#x", foreign[i]);
			cr_expect_eq(verdict(nets[v], foreign[i], 39, zero),
				     SECCOMP_RET_KILL_PROCESS, "arch %#x", foreign[i]);
		}
#ifdef __x86_64__
		/* x32: same audit arch, numbers with bit 30 set */
		cr_expect_eq(verdict(nets[v], AUDIT_ARCH_X86_64, 0x40000000 | 39, zero),
			     SECCOMP_RET_KILL_PROCESS);
		cr_expect_eq(verdict(nets[v], AUDIT_ARCH_X86_64, 0x40000000 | 0, zero),
			     SECCOMP_RET_KILL_PROCESS);
		cr_expect_eq(verdict(nets[v], AUDIT_ARCH_X86_64, 39, zero),
			     SECCOMP_RET_ALLOW);
#endif
	}
}

/* The argument rules, on values the kernel would read differently. */
Test(seccomp, emulated_arguments)
{
	static const struct {
		const char *what;
		int nr;
		unsigned int arg;
		uint64_t value;
		uint32_t unix_only, inet;
	} cases[] = {
#define A SECCOMP_RET_ALLOW
#define P RET_ERRNO(EPERM)
		{ "socket AF_UNIX", SCMP_SYS(socket), 0, AF_UNIX, A, A },
		{ "socket AF_INET", SCMP_SYS(socket), 0, AF_INET, P, A },
		{ "socket AF_INET6", SCMP_SYS(socket), 0, AF_INET6, P, A },
		{ "socket 0", SCMP_SYS(socket), 0, 0, P, P },
		{ "socket 3", SCMP_SYS(socket), 0, 3, P, P },
		{ "socket 9", SCMP_SYS(socket), 0, 9, P, P },
		{ "socket 11", SCMP_SYS(socket), 0, 11, P, P },
		{ "socket AF_INET hi", SCMP_SYS(socket), 0, (1ULL << 32) | AF_INET, P, P },
		{ "socket ~0", SCMP_SYS(socket), 0, ~0ULL, P, P },
		{ "socketpair AF_UNIX", SCMP_SYS(socketpair), 0, AF_UNIX, A, A },
		{ "socketpair AF_INET", SCMP_SYS(socketpair), 0, AF_INET, P, P },
		{ "socketpair AF_UNIX hi", SCMP_SYS(socketpair), 0, (1ULL << 63) | AF_UNIX, P, P },
		{ "clone fork", SCMP_SYS(clone), 0, SIGCHLD, A, A },
		{ "clone threads", SCMP_SYS(clone), 0, CLONE_VM | CLONE_FS | CLONE_FILES |
			CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
			CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID, A, A },
		{ "clone NEWUSER", SCMP_SYS(clone), 0, CLONE_NEWUSER, P, P },
		{ "clone NEWNET hi", SCMP_SYS(clone), 0, (1ULL << 40) | CLONE_NEWNET, P, P },
		{ "clone ~0", SCMP_SYS(clone), 0, ~0ULL, P, P },
		{ "clone hi only", SCMP_SYS(clone), 0, 0xffffffff00000000ULL, A, A },
		{ "personality query", SCMP_SYS(personality), 0, 0xffffffffULL, A, A },
		{ "personality PER_LINUX", SCMP_SYS(personality), 0, PER_LINUX, A, A },
		{ "personality 1", SCMP_SYS(personality), 0, 1, P, P },
		{ "personality 0xfffffffe", SCMP_SYS(personality), 0, 0xfffffffeULL, P, P },
		{ "personality 1 << 32", SCMP_SYS(personality), 0, 1ULL << 32, P, P },
		{ "ioctl TIOCSTI", SCMP_SYS(ioctl), 1, TIOCSTI, P, P },
		{ "ioctl TIOCLINUX", SCMP_SYS(ioctl), 1, TIOCLINUX, P, P },
		{ "ioctl TIOCSTI hi", SCMP_SYS(ioctl), 1, (1ULL << 63) | TIOCSTI, P, P },
		{ "ioctl TIOCLINUX hi", SCMP_SYS(ioctl), 1, (7ULL << 32) | TIOCLINUX, P, P },
		{ "ioctl TCGETS", SCMP_SYS(ioctl), 1, TCGETS, A, A },
		{ "ioctl 0", SCMP_SYS(ioctl), 1, 0, A, A },
		{ "ioctl TIOCSTI+1", SCMP_SYS(ioctl), 1, TIOCSTI + 1, A, A },
		{ "ioctl ~0", SCMP_SYS(ioctl), 1, ~0ULL, A, A },
		{ "prctl PR_SET_PDEATHSIG", SCMP_SYS(prctl), 0, PR_SET_PDEATHSIG, P, P },
		{ "prctl PR_SET_PDEATHSIG hi", SCMP_SYS(prctl), 0, (1ULL << 40) | PR_SET_PDEATHSIG, P, P },
		{ "prctl PR_GET_PDEATHSIG", SCMP_SYS(prctl), 0, PR_GET_PDEATHSIG, A, A },
		{ "prctl PR_SET_NAME", SCMP_SYS(prctl), 0, PR_SET_NAME, A, A },
		{ "prctl PR_SET_NO_NEW_PRIVS", SCMP_SYS(prctl), 0, PR_SET_NO_NEW_PRIVS, A, A },
#undef A
#undef P
	};
	for (size_t i = 0; i < NELEMS(cases); i++) {
		uint64_t args[6] = { 0 };
		args[cases[i].arg] = cases[i].value;
		cr_expect_eq(verdict(SC_NET_UNIX_ONLY, NATIVE_ARCH, cases[i].nr, args),
			     cases[i].unix_only, "%s (unix-only)", cases[i].what);
		cr_expect_eq(verdict(SC_NET_INET, NATIVE_ARCH, cases[i].nr, args),
			     cases[i].inet, "%s (inet)", cases[i].what);
	}
}

/* ---- 6. CPython ---------------------------------------------------------- */

#define PYTHON "/usr/bin/python3"

static const char workload[] =
	"import json, sqlite3, hashlib, subprocess, socket, ssl, tempfile\n"
	"import os, sys, threading, time\n"
	"net = sys.argv[1]\n"
	"db = sqlite3.connect(':memory:')\n"
	"db.execute('create table t (x integer)')\n"
	"db.executemany('insert into t values (?)', [(i,) for i in range(1000)])\n"
	"assert db.execute('select sum(x) from t').fetchone()[0] == 499500\n"
	"assert hashlib.sha256(b'abc').hexdigest().startswith('ba7816bf')\n"
	"assert hashlib.md5(b'', usedforsecurity=False).hexdigest()[:4] == 'd41d'\n"
	"assert json.loads(json.dumps({'a': [1, 2.5, None]})) == {'a': [1, 2.5, None]}\n"
	"out = []\n"
	"t = threading.Thread(target=lambda: out.append(sum(range(1000))))\n"
	"t.start(); t.join()\n"
	"assert out == [499500]\n"
	"assert subprocess.run(['/bin/true']).returncode == 0\n"
	"r = subprocess.run(['/bin/sh', '-c', 'echo hi'], capture_output=True)\n"
	"assert r.stdout == b'hi\\n', r\n"
	"pid = os.fork()\n"
	"if pid == 0:\n"
	"    os._exit(7)\n"
	"assert os.waitpid(pid, 0)[1] >> 8 == 7\n"
	"with open(sys.executable, 'rb') as f:\n"
	"    assert f.read(4) == b'\\x7fELF'\n"
	"with tempfile.TemporaryDirectory() as d:\n"
	"    p = os.path.join(d, 'f')\n"
	"    with open(p, 'wb') as f:\n"
	"        f.write(b'x' * 65536); f.flush(); os.fsync(f.fileno())\n"
	"    assert os.stat(p).st_size == 65536\n"
	"    os.rename(p, p + '2'); os.unlink(p + '2')\n"
	"with tempfile.NamedTemporaryFile() as f:\n"
	"    f.write(b'data'); f.flush()\n"
	"a, b = socket.socketpair()\n"
	"a.sendall(b'ping'); assert b.recv(4) == b'ping'\n"
	"try:\n"
	"    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close(); inet = True\n"
	"except PermissionError:\n"
	"    inet = False\n"
	"assert inet == (net == 'inet'), (net, inet)\n"
	"assert socket.getaddrinfo('localhost', 80, proto=socket.IPPROTO_TCP)\n"
	"if inet:\n"
	"    srv = socket.create_server(('127.0.0.1', 0))\n"
	"    c = socket.create_connection(srv.getsockname())\n"
	"    conn, _ = srv.accept(); c.sendall(b'tcp'); assert conn.recv(3) == b'tcp'\n"
	"    c.close(); conn.close(); srv.close()\n"
	"import multiprocessing\n"
	"with multiprocessing.get_context('fork').Pool(2) as pool:\n"
	"    assert pool.map(abs, [-1, -2, -3]) == [1, 2, 3]\n"
	"import concurrent.futures\n"
	"with concurrent.futures.ThreadPoolExecutor(4) as ex:\n"
	"    assert sum(ex.map(len, ['a', 'bb', 'ccc'])) == 6\n"
	"ssl.create_default_context()\n"
	"time.sleep(0.001)\n"
	"try:\n"
	"    os.chroot('/')\n"
	"    sys.exit('chroot was allowed')\n"
	"except PermissionError:\n"
	"    pass\n"
	"try:\n"
	"    os.setuid(os.getuid())\n"
	"    sys.exit('setuid was allowed')\n"
	"except PermissionError:\n"
	"    pass\n";

static int exec_python(const void *arg)
{
	const char *net = arg;
	char *const argv[] = { (char *)PYTHON, (char *)"-E", (char *)"-s",
			       (char *)"-B", (char *)"-c", (char *)workload,
			       (char *)net, NULL };
	char *const envp[] = { (char *)"PATH=/usr/bin:/bin", NULL };

	/* The unfiltered run is meant to fail: keep its traceback quiet. */
	if (strcmp(net, "unfiltered") == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 2) != 2)
			return CHILD_OTHER;
	}
	execve(PYTHON, argv, envp);
	return errno;
}

Test(seccomp, python_workload, .timeout = 120)
{
	cr_assert_eq(access(PYTHON, X_OK), 0, PYTHON " is needed: %s", strerror(errno));
	expect_outcome(in_child(NO_FILTER, exec_python, "unfiltered"), err(1),
		       "the workload must detect a missing filter");
	for (size_t v = 0; v < NELEMS(nets); v++)
		expect_outcome(in_child((int)nets[v], exec_python,
					sc_network_name(nets[v])),
			       ok, "python3 under the %s filter", sc_network_name(nets[v]));
}

/* Mode changes: allowed without write for group or others and without the
 * set-id and sticky bits; refused (EPERM) with any of them; chmod, fchmod
 * and fchmodat alike, on the real filter. */
Test(seccomp, mode_changes_decided_on_the_mode)
{
	static const unsigned long allowed[] = { 0644, 0600, 0755, 0700, 0444, 0, 0640, 0750 };
	static const unsigned long refused[] = { 0666, 0777, 0646, 0664, 0620, 0602,
						 04755, 02755, 01777, 01700, 07000 };
	char path[] = "/tmp/cjt-seccomp-mode-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	for (size_t v = 0; v < NELEMS(nets); v++) {
		int net = (int)nets[v];
		for (size_t i = 0; i < NELEMS(allowed); i++) {
			unsigned long m = allowed[i];
			expect_outcome(call_in_child(net, SYS_fchmod, (unsigned long)fd, m, 0, 0), ok,
				       "fchmod %04lo", m);
			expect_outcome(call_in_child(net, SYS_chmod, (unsigned long)path, m, 0, 0), ok,
				       "chmod %04lo", m);
			expect_outcome(call_in_child(net, SYS_fchmodat, (unsigned long)AT_FDCWD,
						     (unsigned long)path, m, 0), ok, "fchmodat %04lo", m);
		}
		for (size_t i = 0; i < NELEMS(refused); i++) {
			unsigned long m = refused[i];
			expect_outcome(call_in_child(net, SYS_fchmod, (unsigned long)fd, m, 0, 0),
				       err(EPERM), "fchmod %04lo", m);
			expect_outcome(call_in_child(net, SYS_chmod, (unsigned long)path, m, 0, 0),
				       err(EPERM), "chmod %04lo", m);
			expect_outcome(call_in_child(net, SYS_fchmodat, (unsigned long)AT_FDCWD,
						     (unsigned long)path, m, 0), err(EPERM),
				       "fchmodat %04lo", m);
		}
	}
	(void)close(fd);
	(void)unlink(path);
}
