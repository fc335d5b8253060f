/* args.h - command line of the setuid wrapper (pure, no syscalls). */
#ifndef CGIJAIL_ARGS_H
#define CGIJAIL_ARGS_H

#include <stdbool.h>

enum req_mode {
	MODE_SUEXEC,  /* cgijail USER GROUP CMD [ARGS...] (Apache suexec protocol) */
	MODE_INTERP,  /* cgijail /abs/path/script [ARGS...] (interpreter/shebang) */
	MODE_VERSION, /* cgijail -V */
};

struct request_args {
	enum req_mode mode;
	bool userdir;            /* USER had a leading '~' (suexec mode only) */
	const char *user;        /* USER without '~' (suexec mode), else NULL */
	const char *group;       /* GROUP (suexec mode), else NULL */
	const char *cmd;         /* suexec: CMD relative to cwd; interp: abs path */
	char *const *script_args;/* extra ARGS, NULL-terminated (may be empty) */
	int nscript_args;
};

/* Parse argv.  Returns 0 or -1 with *reason set to a static string.
 * suexec mode: USER is a name or strict decimal uid (optionally '~'-prefixed),
 * GROUP a name or strict decimal gid, CMD passes path_is_safe_relative().
 * interp mode: argv[1] is absolute and normalized (path_is_abs_normalized)
 * and is not a directory path (no trailing '/').  Anything else is refused. */
int args_parse(int argc, char *const argv[], struct request_args *out,
	       const char **reason);

/* true when s is a strict decimal id (digits only, fits in uid_t/gid_t and is
 * not (uid_t)-1). *out receives the value. */
bool args_parse_id(const char *s, unsigned long *out);

#endif
