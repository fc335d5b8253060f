/* scpolicy.h - the script's system call filter as libseccomp rules (no
 * syscalls: libseccomp only builds data here).
 *
 * Written once, in scpolicy.c.  At build time cgijail-seccomp-gen
 * (scgen.c) runs sc_build_ctx() for each variant (scnet.h) and exports the
 * BPF programs into a generated header that sys/scfilter.c loads: the
 * wrapper neither links libseccomp nor compiles a filter per request.  The
 * unit test rebuilds the rules with libseccomp and compares the export byte
 * for byte with the compiled-in programs. */
#ifndef CGIJAIL_SCPOLICY_H
#define CGIJAIL_SCPOLICY_H

#include <seccomp.h>
#include <stddef.h>

#include "scnet.h"

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
	SC_LIST_ENOTSUP,    /* refused with ENOTSUP whatever the arguments */
	SC_LIST_COND,       /* decided on arguments: clone socket socketpair
			       personality ioctl prctl chmod fchmod
			       fchmodat */
};
size_t sc_policy_list(enum sc_list which, const struct sc_syscall **out);

#endif
