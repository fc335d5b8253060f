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
 * Apache suexec's safe list, names starting HTTP_, Apache mod_ssl's SSL_*
 * variables by exact name (env_ssl_name_allowed) — but never HTTP_PROXY
 * (httpoxy, any case), never any other SSL_* name (SSL_CERT_FILE,
 * SSL_CERT_DIR: OpenSSL's trust store), never a name outside [A-Z0-9_]
 * (must start with a letter or '_'; only mod_ssl's own names such as
 * SSL_CLIENT_S_DN_Email have lower case), never a value containing a
 * control character other than tab.  PATH is set to safe_path; TMPDIR is NOT passed through.  Entries
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

/* true when name[0..len) is one of Apache mod_ssl's CGI variables: an exact
 * name (SSL_PROTOCOL, SSL_CLIENT_VERIFY, SSL_TLS_SNI, ...), an indexed one
 * (SSL_CLIENT_CERT_CHAIN_n, SSL_{CLIENT,SERVER}_SAN_{DNS,Email}_n,
 * SSL_CLIENT_SAN_OTHER_msUPN_n, SSL_SERVER_SAN_OTHER_dnsSRV_n; n is "0" or
 * [1-9][0-9]*, at most 5 digits) or a DN component
 * (SSL_{CLIENT,SERVER}_{S,I}_DN_x509 and _x509_n, x509 one of C ST L O OU
 * CN T I G S D UID Email).  Case-sensitive, as mod_ssl spells them. */
int env_ssl_name_allowed(const char *name, size_t len);

void env_free(struct env_out *out);

#endif
