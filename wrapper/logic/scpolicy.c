/* scpolicy.c - the script's system call filter as libseccomp rules
 * (sc_build_ctx), compiled only into the build-time generator (scgen.c),
 * the unit test and the benchmark; the wrapper loads the exported programs
 * (sys/scfilter.c) and never links libseccomp.
 *
 * Policy (SECURITY.md):
 *
 * - Allowlist.  The reference is systemd's @system-service set (what a
 *   normal service needs; it covers CPython, its stdlib, threads,
 *   subprocess, sqlite3, ssl, sockets), minus the refusals below and minus
 *   get_thread_area/set_thread_area (32-bit TLS only).  Only the native
 *   architecture's system calls are listed (x86_64 or aarch64).
 *
 * - Errors, not kills.  A system call on the refusal list below fails with
 *   EPERM (the script gets a clean PermissionError, its owner a readable
 *   traceback; containment is the same as a kill, since the call never
 *   runs).  Every other system call not on the allowlist - unknown,
 *   newer than this libseccomp, or deliberately left out (seccomp, landlock_*,
 *   clock_settime, ...) - fails with ENOSYS, so that the C library and
 *   CPython take their fallback paths.  clone3 is one of them on purpose:
 *   its flags live in memory that seccomp cannot inspect, and glibc falls
 *   back to clone on ENOSYS, whose flags are checked.
 *
 * - Refused with EPERM: ptrace, process_vm_readv/writev, pidfd_getfd, kcmp,
 *   process_madvise, migrate_pages, move_pages (another process's memory or
 *   files); perf_event_open, bpf, userfaultfd, io_uring_setup/enter/register
 *   (large kernel attack surface); keyctl, add_key, request_key; mount,
 *   umount2, fsopen, fsconfig, fsmount, fspick, move_mount, open_tree,
 *   mount_setattr, pivot_root, chroot; unshare, setns; kexec_load,
 *   kexec_file_load, init_module, finit_module, delete_module, reboot,
 *   swapon, swapoff, acct, quotactl, quotactl_fd, syslog; modify_ldt, iopl,
 *   ioperm; open_by_handle_at, name_to_handle_at; setuid, setgid, setreuid,
 *   setregid, setresuid, setresgid, setfsuid, setfsgid, setgroups, capset;
 *   SysV IPC (shmget, shmat, shmdt, shmctl, semget, semop, semtimedop,
 *   semctl, msgget, msgsnd, msgrcv, msgctl) and POSIX message queues (mq_*):
 *   host-wide objects outside every other layer that outlive the request;
 *   Linux AIO (io_setup, io_destroy, io_submit, io_cancel, io_getevents,
 *   io_pgetevents: io_setup reserves from the host-wide fs.aio-max-nr);
 *   metadata changes (chown, fchown, lchown, fchownat, setxattr,
 *   lsetxattr, fsetxattr, removexattr, lremovexattr, fremovexattr; chmod,
 *   fchmod, fchmodat on the mode, below; times stay allowed):
 *   Landlock does not confine them, and a script could open up the
 *   tenant's files outside its write set to other users; inotify_* (names
 *   of entries in directories the script may not list).
 *
 * - Refused with ENOTSUP: getxattr, lgetxattr, listxattr, llistxattr
 *   (extended attributes by path, which Landlock does not confine; through a
 *   descriptor the script opened, fgetxattr and flistxattr work).
 *
 * - Decided on arguments (all comparisons are on the full 64-bit register;
 *   an allow matches exact values only, so garbage in the upper half that
 *   the kernel would ignore is refused, never let through):
 *   clone:       EPERM if flags has any of CLONE_NEWNS, NEWUTS, NEWIPC,
 *                NEWUSER, NEWPID, NEWNET, NEWCGROUP, NEWTIME; else allowed.
 *   socket:      family AF_UNIX only (network = none) or AF_UNIX, AF_INET,
 *                AF_INET6 (network = inet); any other family EPERM.
 *   socketpair:  AF_UNIX only; any other family EPERM.
 *   personality: only 0xffffffff (query) and PER_LINUX (0); others EPERM.
 *   ioctl:       EPERM for TIOCSTI and TIOCLINUX (terminal input injection,
 *                matched on the low 32 bits, as the kernel reads the command);
 *                everything else allowed.
 *   chmod, fchmod, fchmodat: EPERM for a mode with any of the bits
 *                07022 (write for group or others, setuid, setgid,
 *                sticky); any other mode allowed (copying 0644 or 0755
 *                onto a file is common and opens nothing to others' writes).
 *   prctl:       EPERM for PR_SET_PDEATHSIG (matched on the low 32 bits, the
 *                kernel's int): the script is the init of its request's pid
 *                namespace and dies with the supervisor through the SIGKILL
 *                parent-death signal cgijail sets; clearing it would let the
 *                request outlive a SIGKILLed cgijail.  Everything else
 *                allowed.
 *
 * - Other architectures: a system call made through another ABI (i386's
 *   int 0x80, x32 numbers >= 0x40000000 on x86_64) kills the process
 *   (libseccomp's bad-architecture action, set to KILL_PROCESS).
 *
 * Loading: the wrapper loads a program precompiled at build time from these
 * rules (sys/scfilter.c) with prctl(PR_SET_SECCOMP), after NO_NEW_PRIVS;
 * SECCOMP_FILTER_FLAG_SPEC_ALLOW is not used, so the kernel's default
 * speculative-store-bypass mitigation policy for seccomp tasks applies.
 */
#include "scpolicy.h"

#include <errno.h>
#include <stdint.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#define SYS(name) { #name, SCMP_SYS(name) }

/* Allowed whatever the arguments.  Grouped as systemd's @system-service. */
static const struct sc_syscall allow_list[] = {
	/* @default */
	SYS(arch_prctl), SYS(brk), SYS(clock_getres), SYS(clock_gettime),
	SYS(clock_nanosleep), SYS(execve), SYS(exit), SYS(exit_group),
	SYS(futex), SYS(futex_waitv), SYS(get_robust_list),
	SYS(getegid), SYS(geteuid), SYS(getgid),
	SYS(getgroups), SYS(getpgid), SYS(getpgrp), SYS(getpid), SYS(getppid),
	SYS(getrandom), SYS(getresgid), SYS(getresuid), SYS(getrlimit),
	SYS(getsid), SYS(gettid), SYS(gettimeofday), SYS(getuid),
	SYS(membarrier), SYS(mmap), SYS(mprotect), SYS(munmap), SYS(nanosleep),
	SYS(pause), SYS(prlimit64), SYS(restart_syscall), SYS(rseq),
	SYS(rt_sigreturn), SYS(sched_getaffinity), SYS(sched_yield),
	SYS(set_robust_list), SYS(set_tid_address), SYS(time),
	/* @basic-io */
	SYS(close), SYS(close_range), SYS(dup), SYS(dup2), SYS(dup3),
	SYS(lseek), SYS(pread64), SYS(preadv), SYS(preadv2), SYS(pwrite64),
	SYS(pwritev), SYS(pwritev2), SYS(read), SYS(readv), SYS(write),
	SYS(writev),
	/* @file-system (metadata changes refused, path xattr reads ENOTSUP,
	 * inotify refused) */
	SYS(access), SYS(chdir), SYS(creat), SYS(faccessat),
	SYS(faccessat2), SYS(fallocate), SYS(fchdir), SYS(fcntl),
	SYS(fgetxattr), SYS(flistxattr), SYS(fstat), SYS(fstatfs),
	SYS(ftruncate), SYS(getcwd), SYS(getdents), SYS(getdents64),
	SYS(link), SYS(linkat), SYS(lstat),
	SYS(mkdir), SYS(mkdirat), SYS(mknod), SYS(mknodat), SYS(newfstatat),
	SYS(open), SYS(openat), SYS(openat2), SYS(readlink), SYS(readlinkat),
	SYS(rename), SYS(renameat), SYS(renameat2),
	SYS(rmdir), SYS(stat), SYS(statfs), SYS(statx),
	SYS(symlink), SYS(symlinkat), SYS(truncate), SYS(unlink),
	SYS(unlinkat),
	/* times: opening nothing to anyone, and Mercurial sets them on every
	 * file it writes within the second it last changed */
	SYS(utime), SYS(utimes), SYS(futimesat), SYS(utimensat),
	/* @io-event */
	SYS(epoll_create), SYS(epoll_create1), SYS(epoll_ctl),
	SYS(epoll_pwait), SYS(epoll_pwait2), SYS(epoll_wait), SYS(eventfd),
	SYS(eventfd2), SYS(poll), SYS(ppoll), SYS(pselect6), SYS(select),
	/* @ipc (SysV IPC, POSIX message queues, process_vm_* and
	 * process_madvise refused) */
	SYS(memfd_create), SYS(mremap), SYS(pipe), SYS(pipe2),
	/* @memlock (bounded by RLIMIT_MEMLOCK) */
	SYS(mlock), SYS(mlock2), SYS(mlockall), SYS(munlock), SYS(munlockall),
	/* @network-io (socket and socketpair: see below) */
	SYS(accept), SYS(accept4), SYS(bind), SYS(connect), SYS(getpeername),
	SYS(getsockname), SYS(getsockopt), SYS(listen), SYS(recvfrom),
	SYS(recvmmsg), SYS(recvmsg), SYS(sendmmsg), SYS(sendmsg), SYS(sendto),
	SYS(setsockopt), SYS(shutdown),
	/* @process (clone, prctl: below; clone3: ENOSYS; unshare, setns refused) */
	SYS(capget), SYS(execveat), SYS(fork), SYS(getrusage), SYS(kill),
	SYS(pidfd_open), SYS(pidfd_send_signal),
	SYS(rt_sigqueueinfo), SYS(rt_tgsigqueueinfo), SYS(tgkill), SYS(times),
	SYS(tkill), SYS(vfork), SYS(wait4), SYS(waitid),
	/* @resources (migrate_pages, move_pages refused) */
	SYS(ioprio_set), SYS(mbind), SYS(sched_setaffinity),
	SYS(sched_setattr), SYS(sched_setparam), SYS(sched_setscheduler),
	SYS(set_mempolicy), SYS(setpriority), SYS(setrlimit),
	/* @signal */
	SYS(rt_sigaction), SYS(rt_sigpending), SYS(rt_sigprocmask),
	SYS(rt_sigsuspend), SYS(rt_sigtimedwait), SYS(sigaltstack),
	SYS(signalfd), SYS(signalfd4),
	/* @sync */
	SYS(fdatasync), SYS(fsync), SYS(msync), SYS(sync),
	SYS(sync_file_range), SYS(syncfs),
	/* @timer */
	SYS(alarm), SYS(getitimer), SYS(setitimer), SYS(timer_create),
	SYS(timer_delete), SYS(timer_getoverrun), SYS(timer_gettime),
	SYS(timer_settime), SYS(timerfd_create), SYS(timerfd_gettime),
	SYS(timerfd_settime),
	/* @system-service's own additions (ioctl, personality: below) */
	SYS(copy_file_range), SYS(fadvise64), SYS(flock), SYS(get_mempolicy),
	SYS(getcpu), SYS(getpriority), SYS(ioprio_get), SYS(madvise),
	SYS(readahead), SYS(remap_file_pages), SYS(sched_get_priority_max),
	SYS(sched_get_priority_min), SYS(sched_getattr), SYS(sched_getparam),
	SYS(sched_getscheduler), SYS(sched_rr_get_interval), SYS(sendfile),
	SYS(setpgid), SYS(setsid), SYS(splice), SYS(sysinfo), SYS(tee),
	SYS(umask), SYS(uname), SYS(vmsplice),
};

/* Refused with EPERM whatever the arguments. */
static const struct sc_syscall eperm_list[] = {
	/* another process's memory, files or kernel objects */
	SYS(ptrace), SYS(process_vm_readv), SYS(process_vm_writev),
	SYS(pidfd_getfd), SYS(kcmp), SYS(process_madvise),
	SYS(migrate_pages), SYS(move_pages),
	/* large kernel attack surface */
	SYS(perf_event_open), SYS(bpf), SYS(userfaultfd),
	SYS(io_uring_setup), SYS(io_uring_enter), SYS(io_uring_register),
	/* kernel keyrings */
	SYS(keyctl), SYS(add_key), SYS(request_key),
	/* mounts and root */
	SYS(mount), SYS(umount2), SYS(fsopen), SYS(fsconfig), SYS(fsmount),
	SYS(fspick), SYS(move_mount), SYS(open_tree), SYS(mount_setattr),
	SYS(pivot_root), SYS(chroot),
	/* namespaces (clone's namespace flags: below) */
	SYS(unshare), SYS(setns),
	/* system administration */
	SYS(kexec_load), SYS(kexec_file_load), SYS(init_module),
	SYS(finit_module), SYS(delete_module), SYS(reboot), SYS(swapon),
	SYS(swapoff), SYS(acct), SYS(quotactl), SYS(quotactl_fd), SYS(syslog),
	/* x86 hardware access */
	SYS(modify_ldt), SYS(iopl), SYS(ioperm),
	/* file handles (bypass path-based access checks) */
	SYS(open_by_handle_at), SYS(name_to_handle_at),
	/* identity: the privilege drop is final */
	SYS(setuid), SYS(setgid), SYS(setreuid), SYS(setregid),
	SYS(setresuid), SYS(setresgid), SYS(setfsuid), SYS(setfsgid),
	SYS(setgroups), SYS(capset),
	/* SysV IPC and POSIX message queues: host-wide objects outside the
	 * request's cgroup and Landlock, that outlive it */
	SYS(shmget), SYS(shmat), SYS(shmdt), SYS(shmctl),
	SYS(semget), SYS(semop), SYS(semtimedop), SYS(semctl),
	SYS(msgget), SYS(msgsnd), SYS(msgrcv), SYS(msgctl),
	SYS(mq_open), SYS(mq_unlink), SYS(mq_timedsend), SYS(mq_timedreceive),
	SYS(mq_notify), SYS(mq_getsetattr),
	/* Linux AIO: io_setup reserves from the host-wide fs.aio-max-nr */
	SYS(io_setup), SYS(io_destroy), SYS(io_submit), SYS(io_cancel),
	SYS(io_getevents), SYS(io_pgetevents),
	/* metadata changes: Landlock does not confine them, so a script could
	 * open up any file of the tenant's outside the write set (mode
	 * changes: below, on the mode) */
	SYS(chown), SYS(fchown), SYS(lchown), SYS(fchownat),
	SYS(setxattr), SYS(lsetxattr), SYS(fsetxattr),
	SYS(removexattr), SYS(lremovexattr), SYS(fremovexattr),
	/* inotify: names created in directories Landlock does not let the
	 * script list */
	SYS(inotify_init), SYS(inotify_init1), SYS(inotify_add_watch),
	SYS(inotify_rm_watch),
};

/* Refused with ENOTSUP whatever the arguments: extended attributes read by
 * path (Landlock does not confine them).  ENOTSUP, "this file system has
 * none", is the answer CPython's shutil and most programs take in stride;
 * through a descriptor (fgetxattr, flistxattr) they stay readable. */
static const struct sc_syscall enotsup_list[] = {
	SYS(getxattr), SYS(lgetxattr), SYS(listxattr), SYS(llistxattr),
};

/* Decided on their arguments by add_conditional_rules(). */
static const struct sc_syscall cond_list[] = {
	SYS(clone), SYS(socket), SYS(socketpair), SYS(personality), SYS(ioctl),
	SYS(prctl), SYS(chmod), SYS(fchmod), SYS(fchmodat),
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

size_t sc_policy_list(enum sc_list which, const struct sc_syscall **out)
{
	switch (which) {
	case SC_LIST_ALLOW:
		*out = allow_list;
		return NELEM(allow_list);
	case SC_LIST_EPERM:
		*out = eperm_list;
		return NELEM(eperm_list);
	case SC_LIST_ENOTSUP:
		*out = enotsup_list;
		return NELEM(enotsup_list);
	case SC_LIST_COND:
		*out = cond_list;
		return NELEM(cond_list);
	}
	*out = NULL;
	return 0;
}

#define ACT_EPERM SCMP_ACT_ERRNO(EPERM)

/* Argument comparisons on the full 64-bit register (the SCMP_A*() macros
 * leave datum_b to an implicit zero, which -Wextra rejects). */
static struct scmp_arg_cmp arg_cmp(unsigned int arg, enum scmp_compare op,
				   scmp_datum_t a, scmp_datum_t b)
{
	return (struct scmp_arg_cmp){ .arg = arg, .op = op, .datum_a = a,
				      .datum_b = b };
}

static struct scmp_arg_cmp arg_is(unsigned int arg, enum scmp_compare op,
				  scmp_datum_t value)
{
	return arg_cmp(arg, op, value, 0);
}

/* (argument & mask) == value */
static struct scmp_arg_cmp arg_masked(unsigned int arg, scmp_datum_t mask,
				      scmp_datum_t value)
{
	return arg_cmp(arg, SCMP_CMP_MASKED_EQ, mask, value);
}

static int add_list(scmp_filter_ctx ctx, uint32_t action,
		    const struct sc_syscall *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* A negative number is libseccomp's placeholder for a name that
		 * this architecture does not have (open on aarch64, ...). */
		if (list[i].nr < 0)
			continue;
		int rc = seccomp_rule_add_exact(ctx, action, list[i].nr, 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The namespace flags of clone(2).  CLONE_NEWTIME (0x80) lies in clone's
 * exit-signal byte (clone can never create a time namespace); refusing the
 * bit costs nothing, as no signal number reaches 0x80. */
static const uint64_t clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
	CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
};

static int add_clone_rules(scmp_filter_ctx ctx)
{
	uint64_t mask = 0;

	/* One EPERM rule per flag ("this bit set"), and one allow for "none of
	 * them set": together they cover every value, without overlap. */
	for (size_t i = 0; i < NELEM(clone_ns_flags); i++) {
		mask |= clone_ns_flags[i];
		int rc = seccomp_rule_add_exact(ctx, ACT_EPERM, SCMP_SYS(clone), 1,
			arg_masked(0, clone_ns_flags[i],
				   clone_ns_flags[i]));
		if (rc < 0)
			return rc;
	}
	return seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		arg_masked(0, mask, 0));
}

/* Allow family arg0 of nr exactly for each value in fams[] (ascending);
 * EPERM for every other value: each gap below the largest one, one by one,
 * and everything above it.  No overlap, no hole. */
static int add_family_rules(scmp_filter_ctx ctx, int nr, const uint64_t *fams,
			    size_t nfams)
{
	uint64_t next = 0;
	int rc;

	for (size_t i = 0; i < nfams; i++) {
		for (; next < fams[i]; next++) {
			rc = seccomp_rule_add_exact(ctx, ACT_EPERM, nr, 1,
				arg_is(0, SCMP_CMP_EQ, next));
			if (rc < 0)
				return rc;
		}
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 1,
			arg_is(0, SCMP_CMP_EQ, fams[i]));
		if (rc < 0)
			return rc;
		next = fams[i] + 1;
	}
	return seccomp_rule_add_exact(ctx, ACT_EPERM, nr, 1,
		arg_is(0, SCMP_CMP_GT, fams[nfams - 1]));
}

/* The mode bits a script may not set: write for group or others, setuid,
 * setgid, sticky.  A mode without them (0644, 0755, 0600, ...) is allowed:
 * programs copy modes onto their own new files (shutil.copy, Mercurial's
 * atomic writes); what is refused is opening a file to other users' writes
 * or making a set-id program. */
static const uint64_t mode_bits_refused[] = { 04000, 02000, 01000, 0020, 0002 };

static int add_mode_rules(scmp_filter_ctx ctx, int nr, unsigned int arg)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < NELEM(mode_bits_refused); i++) {
		mask |= mode_bits_refused[i];
		int rc = seccomp_rule_add_exact(ctx, ACT_EPERM, nr, 1,
			arg_masked(arg, mode_bits_refused[i], mode_bits_refused[i]));
		if (rc < 0)
			return rc;
	}
	return seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 1, arg_masked(arg, mask, 0));
}

static const uint64_t fam_unix[] = { AF_UNIX };
static const uint64_t fam_inet[] = { AF_UNIX, AF_INET, AF_INET6 };

static int add_conditional_rules(scmp_filter_ctx ctx, enum sc_network net)
{
	int rc = add_clone_rules(ctx);

	if (rc == 0)
		rc = net == SC_NET_INET
			? add_family_rules(ctx, SCMP_SYS(socket), fam_inet,
					   NELEM(fam_inet))
			: add_family_rules(ctx, SCMP_SYS(socket), fam_unix,
					   NELEM(fam_unix));
	if (rc == 0)
		rc = add_family_rules(ctx, SCMP_SYS(socketpair), fam_unix,
				      NELEM(fam_unix));

	/* personality: the query and PER_LINUX (what glibc and CPython use);
	 * no other persona (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, ...).  The
	 * refusal overlaps the two allows; libseccomp tests the exact values
	 * first (checked by the unit test on the real filter). */
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW,
			SCMP_SYS(personality), 1,
			arg_is(0, SCMP_CMP_EQ, 0xffffffffU));
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW,
			SCMP_SYS(personality), 1,
			arg_is(0, SCMP_CMP_EQ, PER_LINUX));
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, ACT_EPERM,
			SCMP_SYS(personality), 1,
			arg_is(0, SCMP_CMP_NE, PER_LINUX));

	/* ioctl: the kernel reads the command as 32 bits, so the refusals
	 * match the low half only (a set upper half must not slip past them);
	 * libseccomp tests them before the allow (checked by the unit test). */
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, ACT_EPERM, SCMP_SYS(ioctl), 1,
			arg_masked(1, 0xffffffffU, TIOCSTI));
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, ACT_EPERM, SCMP_SYS(ioctl), 1,
			arg_masked(1, 0xffffffffU, TIOCLINUX));
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			arg_is(1, SCMP_CMP_NE, TIOCSTI));

	/* chmod, fchmod, fchmodat: on the mode (above). */
	if (rc == 0)
		rc = add_mode_rules(ctx, SCMP_SYS(chmod), 1);
	if (rc == 0)
		rc = add_mode_rules(ctx, SCMP_SYS(fchmod), 1);
	if (rc == 0)
		rc = add_mode_rules(ctx, SCMP_SYS(fchmodat), 2);

	/* prctl: the parent-death signal stays; the same low-half matching
	 * as ioctl's (checked by the unit test on the real filter). */
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, ACT_EPERM, SCMP_SYS(prctl), 1,
			arg_masked(0, 0xffffffffU, PR_SET_PDEATHSIG));
	if (rc == 0)
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
			arg_is(0, SCMP_CMP_NE, PR_SET_PDEATHSIG));
	return rc;
}

int sc_build_ctx(enum sc_network net, scmp_filter_ctx *out)
{
	if (net != SC_NET_UNIX_ONLY && net != SC_NET_INET)
		return -EINVAL;
	/* Written and tested for these two: 64-bit, socket(2) not multiplexed
	 * through socketcall, clone's flags in its first argument. */
	uint32_t arch = seccomp_arch_native();
	if (arch != SCMP_ARCH_X86_64 && arch != SCMP_ARCH_AARCH64)
		return -EOPNOTSUPP;

	/* Default: ENOSYS for everything not listed (see the top). */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
	if (ctx == NULL)
		return -ENOMEM;

	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				  SCMP_ACT_KILL_PROCESS);
	/* A binary search over the system call numbers instead of a chain. */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc == 0)
		rc = add_list(ctx, SCMP_ACT_ALLOW, allow_list, NELEM(allow_list));
	if (rc == 0)
		rc = add_list(ctx, ACT_EPERM, eperm_list, NELEM(eperm_list));
	if (rc == 0)
		rc = add_list(ctx, SCMP_ACT_ERRNO(ENOTSUP), enotsup_list,
			      NELEM(enotsup_list));
	if (rc == 0)
		rc = add_conditional_rules(ctx, net);
	if (rc != 0) {
		seccomp_release(ctx);
		return rc < 0 ? rc : -EINVAL;
	}
	*out = ctx;
	return 0;
}
