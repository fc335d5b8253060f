/* policy.h - cgijail policy: defaults, INI parsing, validation.
 *
 * Pure code: the parser reads from a FILE* it is given and never opens,
 * stats or otherwise touches the system, so tests feed it text
 * (tests/unit/test_policy.c).  Opening the policy file safely (ownership,
 * modes, no symlinks) is wrapper/sys/config.c's job. */
#ifndef CGIJAIL_POLICY_H
#define CGIJAIL_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "netspec.h"

#define POLICY_MAX_LINE 1024 /* bytes per line, newline excluded */
#define POLICY_MAX_LIST 32   /* entries in any list value */

/* Ranges of the [limits], [tenant] and [sandbox] keys (see the fields below). */
#define POLICY_SIZE_MAX (1ULL << 50)          /* 1048576G: any size key */
#define POLICY_MEMORY_MIN (4ULL << 20)        /* 4M: limits/tenant memory */
#define POLICY_TASKS_MAX 4194304UL            /* the kernel's PID_MAX_LIMIT */
#define POLICY_OPEN_FILES_MIN 16UL
#define POLICY_OPEN_FILES_MAX 1048576UL       /* the kernel's default nr_open */
#define POLICY_DURATION_MIN_MS 1000ULL        /* 1s */
#define POLICY_DURATION_MAX_MS 86400000ULL    /* 24h = 1440m */
#define POLICY_CPU_PERCENT_MAX 100000UL       /* 1000 cores */
#define POLICY_CONCURRENCY_MAX 1024UL
#define POLICY_TMP_SIZE_MIN (1ULL << 20)      /* 1M: tenant.tmp_size */
#define POLICY_TMP_INODES_MIN 16UL            /* tenant.tmp_inodes */
#define POLICY_TMP_INODES_MAX 16777216UL
#define POLICY_CGROUP_PARENT_DEPTH 4          /* components */
#define POLICY_CGROUP_NAME_MAX 32             /* bytes per component (name_is_valid) */

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

	/* The sandbox keys (docs/man/cgijail.conf.5 has the syntax, ranges, defaults).
	 * 0 in a limit means "no limit", only where the key accepts "none"
	 * (limits.memory, limits.tasks, tenant.memory, tenant.tasks,
	 * tenant.cpu, tenant.tmp_size); every other field is never 0 after a successful parse.
	 * Sizes in bytes. */
	struct policy_limits {    /* [limits]: one request */
		uint64_t cpu_s;       /* RLIMIT_CPU seconds, 1..86400; default 10 */
		uint64_t wall_ms;     /* supervisor ends the request after this,
				       * 1000..86400000 (whole seconds); 30000 */
		uint64_t memory;      /* cgroup memory, swap included, >= 4M or 0;
				       * 256M */
		uint64_t tasks;       /* cgroup pids.max, 1..POLICY_TASKS_MAX or 0;
				       * 32 */
		uint64_t open_files;  /* RLIMIT_NOFILE, 16..1048576; 64 */
		uint64_t file_size;   /* RLIMIT_FSIZE, >= 1; 16M */
	} limits;
	struct policy_tenant {    /* [tenant]: all requests of one user */
		uint64_t memory;      /* >= 4M or 0; 1G */
		uint64_t tasks;       /* 1..POLICY_TASKS_MAX or 0; 256 */
		uint32_t cpu_percent; /* 100 = one core, 1..100000 or 0; 100 */
		uint32_t concurrency; /* simultaneous requests, 1..1024; 16 */
		uint64_t tmp_size;    /* TMPDIR: a tmpfs of this size, >= 1M;
				       * 0 ("none"): a plain directory on the
				       * state filesystem; 64M */
		uint64_t tmp_inodes;  /* the tmpfs's nr_inodes (files and
				       * directories), 16..16777216; 4096 */
	} tenant;
	struct policy_sandbox {   /* [sandbox] */
		enum policy_level { POLICY_OFF, POLICY_BEST_EFFORT, POLICY_REQUIRED }
			cgroup, landlock;     /* required | best-effort | off;
					       * both default to required */
		char *cgroup_parent;      /* relative, normalized, 1..4 components
					   * (policy_cgroup_parent_is_valid);
					   * "cgijail" */
		bool seccomp;             /* on (default) | off */
		struct strlist read;      /* absolute normalized, "~" or "~/rel"
					   * (checked with path_expand_home; the
					   * "~" form is kept: expand it with the
					   * target's home); empty by default */
		struct strlist write;
		struct strlist exec;
		struct net_spec network;    /* net_parse(); default none */
	} sandbox;
	struct policy_warm {      /* [warm]: docs/warm-mode.md */
		bool enabled;             /* yes | no (default) */
		struct strlist preload;   /* Python module names (dotted
					   * identifiers, policy_module_name_ok);
					   * empty by default */
		uint32_t max_requests;    /* 1..POLICY_WARM_REQUESTS_MAX; 1000 */
		uint64_t max_age_ms;      /* a duration; 1h */
		uint64_t idle_ms;         /* a duration; 5m */
	} warm;
};

#define POLICY_WARM_REQUESTS_MAX 1000000u
#define POLICY_MODULE_NAME_MAX 128

/* A Python module name as warm mode's preload accepts it: dotted ASCII
 * identifiers ("json", "urllib.parse"), at most POLICY_MODULE_NAME_MAX
 * bytes; no leading, trailing or double dot. */
bool policy_module_name_ok(const char *name);

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
 * [wrapper], and every key of [limits], [tenant] and [sandbox]); any other
 * [wrapper] key is an error "key '...' not allowed in users.d".  A key set
 * here replaces the main file's value (a list replaces the whole list).
 * Then runs policy_validate() on the result (line 0, this filename): the
 * drop-in may break a cross-key rule. */
int policy_parse_dropin(struct policy *p, FILE *f, const char *filename,
			struct policy_error *err);

/* Cross-key validation after parsing (e.g. at least one caller and one
 * docroot, no duplicate docroots; limits.memory and limits.tasks not above
 * tenant.memory and tenant.tasks when both are set).  Returns 0 or -1 with
 * *err (line 0). */
int policy_validate(const struct policy *p, const char *filename,
		    struct policy_error *err);

/* "file:line: reason" (or "file: reason" when line is 0), control
 * characters escaped, into out. */
void policy_error_format(const struct policy_error *err, char *out,
			 size_t outsz);

void policy_free(struct policy *p);

/* Helpers for printing a policy (cgijail-check, logs).  Pure. */

/* "required", "best-effort", "off". */
const char *policy_level_name(enum policy_level l);

/* The [sandbox] cgroup_parent rule: 1 to POLICY_CGROUP_PARENT_DEPTH
 * components separated by single '/', no leading or trailing '/', each a
 * name_is_valid() name (a letter or '_' first, then letters, digits, '_',
 * '.', '-'; at most POLICY_CGROUP_NAME_MAX bytes): exactly what the cgroup
 * module checks again, strutil.h's cgroup_parent_valid(), which this calls. */
bool policy_cgroup_parent_is_valid(const char *v);

#endif
