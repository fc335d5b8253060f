/* env.h - the script's environment, built from scratch (pure, no syscalls). */
#ifndef CGIJAIL_ENV_H
#define CGIJAIL_ENV_H

#include <stddef.h>

#define ENV_MAX_ENTRIES 4096
#define ENV_MAX_BYTES (1024 * 1024) /* sum of strlen("NAME=value") + 1 */

struct env_out {
	char **envp;  /* NULL-terminated, each entry malloc'ed */
	size_t n;
	size_t bytes;
};

/* Build the environment for the script from the caller's environment
 * caller_env (NULL-terminated; may be NULL).  Kept: RFC 3875 meta-variables,
 * Apache suexec's safe list, names starting HTTP_ or SSL_ — but never
 * HTTP_PROXY (httpoxy, any case), never a name outside [A-Z0-9_] (must start
 * with a letter or '_'), never a value containing a control character other
 * than tab.  PATH is set to safe_path; TMPDIR is NOT passed through.  Entries
 * without '=' are ignored.  The first occurrence of a name wins.
 * Returns 0, or -1 with *reason (static string) when the caller's environment
 * has more than ENV_MAX_ENTRIES entries or more than ENV_MAX_BYTES in all
 * (sum of strlen+1 of every entry; the request is refused, never truncated),
 * or on allocation failure. */
int env_build(char *const *caller_env, const char *safe_path,
	      struct env_out *out, const char **reason);

/* Add NAME=value, set by cgijail itself (e.g. TMPDIR), replacing an entry
 * of that name.  value must not contain control characters.  Returns 0, or
 * -1 with *reason. */
int env_set(struct env_out *out, const char *name, const char *value,
	    const char **reason);

/* true when the variable NAME (without '=') would be passed through. */
int env_name_allowed(const char *name, size_t len);

void env_free(struct env_out *out);

#endif
