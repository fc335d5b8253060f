/* bench_seccomp.c - cgijail-seccomp-bench: what the seccomp layer costs.
 *
 *   fork baseline          fork + _exit + waitpid
 *   sc_apply (fork delta)  fork + sc_apply + _exit + waitpid, minus the above
 *   sc_apply (in child)    clock_gettime around sc_apply() in the child
 *   libseccomp load        seccomp_load() of a prebuilt context, in the child
 *   build+load             sc_build_ctx() + seccomp_load(), in the child
 *   build+export           sc_build_ctx() + seccomp_export_bpf() + release
 *   getppid / ioctl        per call, unfiltered and under the filter
 *
 * Medians over N runs (default 1000; argv[1] overrides).  Not a test: run
 * by hand, e.g. build/bin/cgijail-seccomp-bench 1000. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scfilter.h"
#include "scpolicy.h"

static double now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum child_work { W_NOTHING, W_APPLY, W_LOAD_CTX, W_BUILD_LOAD };

/* Shared with the children: each writes its own in-child time here. */
static double *shared;

static void child(enum child_work w, enum sc_network net, scmp_filter_ctx ctx,
		  size_t slot)
{
	const char *why = NULL;
	scmp_filter_ctx own = NULL;
	double t0 = 0;
	int rc = 0;

	if (w != W_NOTHING && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
		_exit(2);
	t0 = now_us();
	switch (w) {
	case W_NOTHING:
		break;
	case W_APPLY:
		rc = sc_apply(net, &why);
		break;
	case W_LOAD_CTX:
		rc = seccomp_load(ctx);
		break;
	case W_BUILD_LOAD:
		rc = sc_build_ctx(net, &own);
		if (rc == 0)
			rc = seccomp_load(own);
		break;
	}
	shared[slot] = now_us() - t0;
	_exit(rc == 0 ? 0 : 3);
}

/* Median wall time of fork..waitpid, and in *inner the median in-child time. */
static double run_forks(size_t n, enum child_work w, enum sc_network net,
			scmp_filter_ctx ctx, double *inner)
{
	double *outer = calloc(n, sizeof(*outer));

	if (outer == NULL)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		double t0 = now_us();
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(1);
		}
		if (pid == 0)
			child(w, net, ctx, i);
		int st = 0;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			fprintf(stderr, "child failed (status %#x)\n", (unsigned)st);
			exit(1);
		}
		outer[i] = now_us() - t0;
	}
	double m = median(outer, n);
	*inner = median(shared, n);
	free(outer);
	return m;
}

static double build_export(size_t n, enum sc_network net)
{
	double *t = calloc(n, sizeof(*t));
	int fd = memfd_create("bench", MFD_CLOEXEC);

	if (t == NULL || fd < 0)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		scmp_filter_ctx ctx = NULL;
		double t0 = now_us();
		int rc = sc_build_ctx(net, &ctx);
		if (rc == 0)
			rc = seccomp_export_bpf(ctx, fd);
		if (ctx != NULL)
			seccomp_release(ctx);
		t[i] = now_us() - t0;
		if (rc != 0 || ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
			fprintf(stderr, "build/export: %s\n", strerror(rc ? -rc : errno));
			exit(1);
		}
	}
	(void)close(fd);
	double m = median(t, n);
	free(t);
	return m;
}

/* ns per call of getppid and of ioctl(-1, FIONREAD), with or without the
 * filter, measured in a child. */
static void per_call(int filtered, enum sc_network net, double *getppid_ns,
		     double *ioctl_ns)
{
	const long calls = 1000000;
	pid_t pid = fork();

	if (pid == 0) {
		const char *why = NULL;
		if (filtered && (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0 ||
				 sc_apply(net, &why) != 0))
			_exit(2);
		double t0 = now_us();
		for (long i = 0; i < calls; i++)
			(void)syscall(SYS_getppid);
		shared[0] = (now_us() - t0) * 1e3 / (double)calls;
		t0 = now_us();
		for (long i = 0; i < calls; i++)
			(void)syscall(SYS_ioctl, -1, FIONREAD, 0);
		shared[1] = (now_us() - t0) * 1e3 / (double)calls;
		_exit(0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
		exit(1);
	*getppid_ns = shared[0];
	*ioctl_ns = shared[1];
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	double in_base, in_apply, in_load, in_build;

	if (n == 0)
		n = 1000;
	shared = mmap(NULL, n * sizeof(double), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	const struct scmp_version *v = seccomp_version();
	printf("libseccomp %u.%u.%u, %zu runs each, medians\n", v->major,
	       v->minor, v->micro, n);
	for (int k = 0; k < SC_NET_COUNT; k++) {
		enum sc_network net = (enum sc_network)k;
		const struct sock_filter *insns = NULL;
		scmp_filter_ctx ctx = NULL;
		double gp0, io0, gp1, io1;

		if (sc_build_ctx(net, &ctx) != 0)
			return 1;
		printf("\n[%s] %zu BPF instructions\n", sc_network_name(net),
		       sc_program(net, &insns));
		double base = run_forks(n, W_NOTHING, net, NULL, &in_base);
		double apply = run_forks(n, W_APPLY, net, NULL, &in_apply);
		double load = run_forks(n, W_LOAD_CTX, net, ctx, &in_load);
		double build = run_forks(n, W_BUILD_LOAD, net, NULL, &in_build);
		seccomp_release(ctx);
		printf("  fork baseline            %8.1f us\n", base);
		printf("  sc_apply (fork delta)    %8.1f us\n", apply - base);
		printf("  sc_apply (in child)      %8.1f us\n", in_apply);
		printf("  libseccomp load of ctx   %8.1f us (in child; fork delta %.1f)\n",
		       in_load, load - base);
		printf("  build + libseccomp load  %8.1f us (in child; fork delta %.1f)\n",
		       in_build, build - base);
		printf("  build + export           %8.1f us (in process)\n",
		       build_export(n, net));
		per_call(0, net, &gp0, &io0);
		per_call(1, net, &gp1, &io1);
		printf("  getppid                  %8.1f ns unfiltered, %.1f ns filtered\n",
		       gp0, gp1);
		printf("  ioctl(-1, FIONREAD)      %8.1f ns unfiltered, %.1f ns filtered\n",
		       io0, io1);
	}
	return 0;
}
