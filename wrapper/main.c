/* main.c - cgijail, the setuid wrapper: the ordered steps of one request.
 *
 * Each step either succeeds or ends the request (outcome.c): a refusal
 * before the first privileged step, a fatal error after it.  The checks are
 * in request.c (shared with cgijail-check), the syscalls in process.c,
 * fsys.c, config.c, ids.c and log.c. */
#include <stdlib.h>
#include <unistd.h>

#include "args.h"
#include "buildcfg.h"
#include "config.h"
#include "env.h"
#include "exitcodes.h"
#include "log.h"
#include "outcome.h"
#include "process.h"
#include "request.h"

int main(int argc, char *argv[])
{
	struct request_args args = { 0 };
	struct request rq;
	struct config cfg;
	struct env_out env;
	char **caller_env, **exec_argv, err[1024];
	const char *why = NULL;
	int logfd = -1;

	/* 1. Trust nothing inherited: environment, fds, signals, umask. */
	request_init(&rq, &args, NULL, NULL);
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
	if (args_parse(argc, argv, &args, &why) != 0) {
		request_note_argv(&rq, argc, argv);
		(void)request_check_caller(&rq, &cfg.pol, getuid()); /* for the record */
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, why);
	}
	request_init(&rq, &args, NULL, NULL);

	/* 4. The caller: root (for -V only) or a user listed in caller=. */
	if (args.mode == MODE_VERSION && getuid() == 0)
		outcome_version(cgijail_config_dir);
	if (request_check_caller(&rq, &cfg.pol, getuid()) != 0)
		outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, rq.reason);
	if (args.mode == MODE_VERSION)
		outcome_version(cgijail_config_dir);

	/* 5. The script: located on descriptors, its owner, every check. */
	if (args.mode == MODE_SUEXEC) {
		int cwdfd = fsys_open_cwd(rq.cwd, sizeof(rq.cwd), &rq.cwd_st, &why);
		if (cwdfd < 0)
			outcome_refuse(&rq, logfd, CGIJAIL_EXIT_REFUSED, why);
		(void)close(cwdfd);
		rq.have_cwd_st = true;
	}
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

	/* 8. One record per request: accepted. */
	outcome_accepted(&rq, logfd);

	/* 9. Become the target, completely; from here any failure is fatal. */
	if (proc_drop_privileges(&rq.tgt, rq.gid, &why) != 0)
		outcome_fatal(&rq, logfd, CGIJAIL_EXIT_PRIV, why);

	/* 10. Enter the checked directory and run the interpreter. */
	proc_exec(rq.walk.fd, cfg.pol.umask, cfg.pol.interpreter, exec_argv,
		  env.envp, &why);
	outcome_fatal(&rq, logfd, CGIJAIL_EXIT_EXEC, why);
}
