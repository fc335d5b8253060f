/* policy.h - cgijail policy: defaults, INI parsing, validation.
 *
 * Pure code: the parser reads from a FILE* it is given and never opens,
 * stats or otherwise touches the system, so tests feed it text
 * (tests/unit/test_policy.c).  Opening the policy file safely (ownership,
 * modes, no symlinks) is wrapper/fsys.c's job. */
#ifndef CGIJAIL_POLICY_H
#define CGIJAIL_POLICY_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

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
