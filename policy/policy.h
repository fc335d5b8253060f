/* policy.h - cgijail policy: defaults, INI parsing, validation.
 *
 * Pure code: the parser reads from a FILE* it is given and never opens,
 * stats or otherwise touches the system, so tests feed it text
 * (tests/unit/test_policy.c).  Opening the policy file safely (ownership,
 * modes, no symlinks) is wrapper/fsys.c's job. */
#ifndef CGIJAIL_POLICY_H
#define CGIJAIL_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "llrules.h" /* struct ll_net, ll_parse_net(): pure, no syscalls */

#define POLICY_MAX_LINE 1024 /* bytes per line, newline excluded */
#define POLICY_MAX_LIST 32   /* entries in any list value */

struct strlist {
	size_t n;
	char *v[POLICY_MAX_LIST];
};

struct policy {
	/* [wrapper] */
	struct strlist callers;   /* user names allowed to invoke cgijail */
	struct strlist docroots;  /* absolute, normalized */
	char *userdir;            /* relative; "" disables ~user requests */
	unsigned long min_uid;    /* >= 1 */
	unsigned long min_gid;    /* >= 1 */
	char *interpreter;        /* absolute, normalized */
	struct strlist interpreter_args;
	char *safe_path;          /* colon-separated absolute directories */
	mode_t umask;             /* <= 0777 */
	char *log_file;           /* absolute, or NULL when unset */

	/* Issue 3.  0 in a limit means "no limit" (only where the key's
	 * documentation allows "0"/"off"); sizes in bytes. */
	struct policy_limits {    /* [limits]: one request */
		uint64_t cpu_s;       /* RLIMIT_CPU seconds */
		uint64_t wall_ms;     /* supervisor ends the request after this */
		uint64_t memory;      /* cgroup memory, swap included */
		uint64_t tasks;       /* cgroup pids.max */
		uint64_t open_files;  /* RLIMIT_NOFILE */
		uint64_t file_size;   /* RLIMIT_FSIZE */
	} limits;
	struct policy_tenant {    /* [tenant]: all requests of one user */
		uint64_t memory;
		uint64_t tasks;
		uint32_t cpu_percent; /* 100 = one core */
		uint32_t concurrency; /* simultaneous requests, >= 1 */
	} tenant;
	struct policy_sandbox {   /* [sandbox] */
		enum policy_level { POLICY_OFF, POLICY_BEST_EFFORT, POLICY_REQUIRED }
			cgroup, landlock;     /* required | best-effort | off */
		char *cgroup_parent;      /* relative, normalized, e.g. "cgijail" */
		bool seccomp;
		struct strlist read;      /* absolute or "~", "~/..." */
		struct strlist write;
		struct strlist exec;
		struct ll_net network;
	} sandbox;
};

struct policy_error {
	char file[256];
	unsigned line;      /* 0 when the error is not tied to a line */
	char reason[256];
};

/* Fill p with the built-in defaults (see README "Policy").  Returns 0, or -1
 * on allocation failure.  Always pair with policy_free(). */
int policy_defaults(struct policy *p);

/* Parse the main policy text from f into p (which holds defaults or an
 * earlier parse); filename is only used in error messages.  Rejects NUL
 * bytes, lines over POLICY_MAX_LINE, malformed lines, unknown sections and
 * keys, duplicate keys and bad values.  Returns 0, or -1 with *err filled as
 * "file:line: reason" parts.  On error p is left valid (freeable) but its
 * content is unspecified: callers must refuse the request. */
int policy_parse(struct policy *p, FILE *f, const char *filename,
		 struct policy_error *err);

/* Parse a per-user drop-in (users.d/<user>.conf) over p: only the keys a
 * drop-in may override are accepted (interpreter, interpreter_args in
 * [wrapper]); anything else is an error "key not allowed in users.d". */
int policy_parse_dropin(struct policy *p, FILE *f, const char *filename,
			struct policy_error *err);

/* Cross-key validation after parsing (e.g. at least one caller and one
 * docroot, no duplicate docroots).  Returns 0 or -1 with *err (line 0). */
int policy_validate(const struct policy *p, const char *filename,
		    struct policy_error *err);

/* "file:line: reason" (or "file: reason" when line is 0), control
 * characters escaped, into out. */
void policy_error_format(const struct policy_error *err, char *out,
			 size_t outsz);

void policy_free(struct policy *p);

#endif
