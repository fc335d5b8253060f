/* main.c - cgijail, the setuid wrapper: the ordered steps of one request.
 *
 * This file is the order of the steps before the fork; confine.h has the
 * order of the script's child after it, supervise.h the supervisor's.  Each
 * step either succeeds or ends the request (outcome.h): a refusal before
 * the fork, a fatal error after it.  The checks are request.c's (shared
 * with cgijail-check), the sandbox's preparation prepare.c's; every system
 * call is made in wrapper/sys (wrapper/README.md). */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "args.h"
#include "buildcfg.h"
#include "config.h"
#include "env.h"
#include "exitcodes.h"
#include "log.h"
#include "outcome.h"
#include "prepare.h"
#include "process.h"
#include "request.h"
#include "slots.h"
#include "supervise.h"
#include "warm.h"

int main(int argc, char *argv[])
{
	struct request rq;
	struct config cfg;
	struct env_out env;
	struct sb_cgroup cg;
	struct sb_plan plan;
	struct sv_result res;
	static struct ll_ruleset ruleset;
	static struct warm_plan warm;
	const struct ll_ruleset *ll = NULL;
	char **caller_env, **exec_argv, err[1024], tmpdir[PATH_MAX], troot[PATH_MAX];
	char notes[SB_NOTE_MAX] = "";
	const char *why = NULL;
	int logfd = -1, slotfd;
	unsigned slot = 0;

	/* 1. Trust nothing inherited: environment, fds, signals, umask. */
	request_init(&rq, NULL, NULL);
	if (proc_sanitize(&caller_env, &why) != 0)
		outcome_refuse(&rq, -1, CGIJAIL_EXIT_REFUSED, why);
	log_open_syslog();

	/* 2. The policy, checked on its descriptors, from the compiled-in dir,
	 *    and its log file, so that every later refusal is recorded. */
	if (config_load(cgijail_config_dir, &cfg, err, sizeof(err)) != 0)
		outcome_refuse(&rq, -1, CGIJAIL_EXIT_CONFIG, err);
	if (cfg.pol.log_file && (logfd = log_open_file(cfg.pol.log_file, &why)) < 0)
		outcome_refuse(&rq, -1, CGIJAIL_EXIT_CONFIG, why);

	/* 3. The command line: suexec protocol, interpreter mode or -V. */
	if (request_parse_argv(&rq, argc, argv, getuid()) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, rq.reason);

	/* 4. The caller: root (for -V only) or a user listed in caller=. */
	if (rq.a.mode == MODE_VERSION && getuid() == 0)
		outcome_version(cgijail_config_dir, cgijail_run_dir, cgijail_state_dir);
	if (request_check_caller(&rq, &cfg.pol, getuid()) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, rq.reason);
	if (rq.a.mode == MODE_VERSION)
		outcome_version(cgijail_config_dir, cgijail_run_dir, cgijail_state_dir);

	/* 5. The script: located on descriptors, its owner, every check. */
	if (request_locate_script(&rq) != 0 ||
	    request_resolve_target(&rq, &cfg.pol) != 0 ||
	    request_check_script(&rq, &cfg.pol) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, rq.reason);

	/* 6. The target's drop-in, then the interpreter it selects. */
	if (config_load_dropin(&cfg, rq.tgt.name, err, sizeof(err)) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_CONFIG, err);
	if (request_check_interpreter(&rq, &cfg.pol) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, rq.reason);

	/* 7. The script's environment and command line, built from scratch. */
	if (env_build(caller_env, cfg.pol.safe_path, &env, &why) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, why);
	exec_argv = outcome_exec_argv(&rq, &cfg.pol);
	if (exec_argv == NULL)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, "out of memory");

	/* 8. A concurrency slot of the tenant (flock), or a 503 response. */
	slotfd = slot_acquire(cgijail_run_dir, rq.tgt.name, cfg.pol.tenant.concurrency,
			      &slot, &why);
	if (slotfd == SLOT_BUSY)
		outcome_busy(&rq, logfd, cfg.pol.tenant.concurrency);
	if (slotfd < 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_SANDBOX, why);

	/* 9. The tenant's private TMPDIR (a tmpfs of [tenant] tmp_size, mounted by
	 *    the first request) and the Landlock rules of the request. */
	if (sb_tmpdir(cgijail_state_dir, &cfg.pol.tenant, rq.tgt.name, rq.tgt.uid, rq.gid,
		      tmpdir, sizeof(tmpdir), notes, sizeof(notes), &why) != 0 ||
	    env_set(&env, "TMPDIR", tmpdir, &why) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_SANDBOX, why);
	if (request_tenant_root(&rq, troot, sizeof(troot)) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_SANDBOX, "no tenant root");
	if (sb_landlock(&cfg.pol, rq.tgt.home, troot, tmpdir, &ruleset, &ll, notes,
			sizeof(notes), &why) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_SANDBOX, why);

	/* 10. While root: the tenant's cgroup and this request's leaf in it. */
	if (sb_cgroup(&cfg.pol, cgijail_run_dir, rq.tgt.name, slot, &cg, notes, sizeof(notes),
		      &why) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_SANDBOX, why);

	/* 11. Fork into a pid namespace of its own (on cgroup v2 straight into
	 *     the leaf): the child drops ids, confines itself (confine.h) and
	 *     execs the interpreter; this process supervises it to the end. */
	sb_plan_fill(&plan, &cfg.pol, &cg, ll, &rq.tgt, rq.gid, rq.walk.fd,
		     exec_argv, env.envp);
	/*     Warm mode: the slot's zygote forks the request process instead
	 *     (docs/warm-mode.md); the zygote is started as above when the
	 *     slot has none. */
	if (cfg.pol.warm.enabled &&
	    warm_plan_fill(&warm, &cfg.pol, &plan, 1 + cfg.pol.interpreter_args.n,
			   cgijail_run_dir, rq.tgt.name, slot, rq.tgt.home, troot, tmpdir,
			   &why) != 0) {
		sb_cgroup_release(&cg);
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_SANDBOX, why);
	}
	if (sv_run(&plan, cg.on ? &cg.leaf : NULL, cfg.pol.warm.enabled ? &warm : NULL,
		   cfg.pol.limits.wall_ms, cfg.pol.limits.cpu_s, &res, &why) != 0) {
		sb_cgroup_release(&cg);
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_SANDBOX, why);
	}

	/* 12. One record with the accounting; the script's own exit status. */
	outcome_finished(&rq, logfd, &plan, &cg, &res, slot, notes);
}
