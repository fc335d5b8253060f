/* seccomp.h - the script's system call filter (issue 3).
 *
 * The policy is written once, in seccomp.c, as libseccomp rules
 * (sc_build_ctx).  At build time cgijail-seccomp-gen (seccomp_gen.c) runs
 * that function for each network variant and exports the BPF programs into
 * a generated header; the wrapper only loads those precompiled programs
 * (sc_apply), so it neither links libseccomp nor compiles a filter per
 * request.  The unit test rebuilds the rules with libseccomp and compares
 * the export byte for byte with the compiled-in programs.
 *
 * Order in the wrapper: after proc_drop_privileges() (which sets
 * NO_NEW_PRIVS) and after every other sandbox step, immediately before
 * proc_exec(): the filter refuses set*id, capset, landlock_*, mount, ...
 */
#ifndef CGIJAIL_SECCOMP_H
#define CGIJAIL_SECCOMP_H

#include <stddef.h>

enum sc_network {
	SC_NET_UNIX_ONLY,   /* network = none: socket(AF_UNIX) only */
	SC_NET_INET,        /* AF_UNIX, AF_INET, AF_INET6 */
};
#define SC_NET_COUNT 2

/* Load the precompiled filter for net into the calling thread with
 * prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER).  The caller must have set
 * NO_NEW_PRIVS (checked).  Returns 0, or -1 with *reason (static string;
 * errno from prctl is kept).  Single-threaded callers only: the filter is
 * not synchronised to other threads. */
int sc_apply(enum sc_network net, const char **reason);

/* The compiled-in program for net: its instructions and their count, or 0
 * for an unknown net.  For tests and the benchmark. */
struct sock_filter;
size_t sc_program(enum sc_network net, const struct sock_filter **insns);

/* A short name of the variant ("unix-only", "inet"), or NULL. */
const char *sc_network_name(enum sc_network net);

/* Policy side, compiled only where libseccomp is linked (the generator and
 * the unit test; cmake/seccomp.cmake defines CGIJAIL_LIBSECCOMP_H there).
 * libseccomp's header is included by absolute path: wrapper/ is on the
 * include path, so <seccomp.h> would name this file. */
#ifdef CGIJAIL_LIBSECCOMP_H
#include CGIJAIL_LIBSECCOMP_H

/* Build the filter for net into a new libseccomp context (native
 * architecture only).  Returns 0 and *out (release with seccomp_release),
 * or a negative errno value from libseccomp (-EINVAL for an unknown net,
 * -EOPNOTSUPP on an architecture other than x86_64 and aarch64);
 * *out is untouched then. */
int sc_build_ctx(enum sc_network net, scmp_filter_ctx *out);

/* The policy's unconditional lists, for the table-driven tests.  nr is the
 * native number, negative (and skipped by sc_build_ctx) for a name that does
 * not exist on this architecture. */
struct sc_syscall {
	const char *name;
	int nr;
};
enum sc_list {
	SC_LIST_ALLOW,      /* allowed whatever the arguments */
	SC_LIST_EPERM,      /* refused with EPERM whatever the arguments */
	SC_LIST_COND,       /* decided on arguments: clone socket socketpair
			       personality ioctl */
};
size_t sc_policy_list(enum sc_list which, const struct sc_syscall **out);
#endif

#endif
