/* scfilter.h - load the script's system call filter.
 *
 * The programs are precompiled at build time from logic/scpolicy.c's rules
 * (cmake/seccomp.cmake); sc_apply() only hands one to the kernel.  It runs
 * in the script's child after the id switch (which sets NO_NEW_PRIVS) and
 * after every other confinement step, immediately before the exec
 * (flow/confine.h has the order): the filter refuses set*id, capset,
 * landlock_*, mount, ... */
#ifndef CGIJAIL_SCFILTER_H
#define CGIJAIL_SCFILTER_H

#include <stddef.h>

#include "scnet.h"

/* Load the precompiled filter for net into the calling thread with
 * prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER).  The caller must have set
 * NO_NEW_PRIVS (checked).  Returns 0, or -1 with *reason (errno kept).
 * Single-threaded callers only: the filter is not synchronised to other
 * threads. */
int sc_apply(enum sc_network net, const char **reason);

/* The compiled-in program for net: its instructions and their count, or 0
 * for an unknown net.  For tests and the benchmark. */
struct sock_filter;
size_t sc_program(enum sc_network net, const struct sock_filter **insns);

#endif
