/* scfilter.c - see scfilter.h.  The rules and the reasoning behind them
 * are in logic/scpolicy.c. */
#include "scfilter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/prctl.h>

#include "err.h"
#include "seccomp_bpf.h"   /* generated: sc_bpf_unix_only[], sc_bpf_inet[] */

size_t sc_program(enum sc_network net, const struct sock_filter **insns)
{
	switch (net) {
	case SC_NET_UNIX_ONLY:
		*insns = sc_bpf_unix_only;
		return sizeof(sc_bpf_unix_only) / sizeof(sc_bpf_unix_only[0]);
	case SC_NET_INET:
		*insns = sc_bpf_inet;
		return sizeof(sc_bpf_inet) / sizeof(sc_bpf_inet[0]);
	}
	return 0;
}


int sc_apply(enum sc_network net, const char **reason)
{
	const struct sock_filter *insns = NULL;
	size_t n = sc_program(net, &insns);

	if (n == 0 || n > BPF_MAXINSNS) {
		*reason = "unknown seccomp filter variant";
		errno = EINVAL;
		return -1;
	}
	/* Without it the kernel would refuse the filter (EACCES) - unless we
	 * still had CAP_SYS_ADMIN, which must not be the case here either. */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0L, 0L, 0L, 0L) != 1) {
		*reason = "no_new_privs is not set before the seccomp filter";
		errno = EPERM;
		return -1;
	}
	/* The kernel only reads the program (it copies it); the cast drops the
	 * const of the read-only array for struct sock_fprog's plain pointer. */
	struct sock_fprog prog = {
		.len = (unsigned short)n,
		.filter = (struct sock_filter *)(uintptr_t)insns,
	};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0L, 0L) != 0) {
		return err_sys(reason, "cannot load the seccomp filter");
	}
	return 0;
}
