/* env.c - see env.h.  No syscalls, no getenv/environ, no global mutable
 * state: the caller hands in its (already captured) environment and gets a
 * fresh one back.  The shape follows OpenDoas env.c: an allowlist, nothing
 * is ever inherited by default. */
#include "env.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The refusal messages spell the limits out. */
_Static_assert(ENV_MAX_ENTRIES == 4096, "update the message in env_build()");
_Static_assert(ENV_MAX_BYTES == 1048576, "update the message in env_build()");

/* RFC 3875 meta-variables and Apache suexec's safe list (sorted). PATH is
 * deliberately absent: it is always set to the policy's safe_path. */
static const char *const allowed_names[] = {
	"AUTH_TYPE",
	"CONTENT_LENGTH",
	"CONTENT_TYPE",
	"CONTEXT_DOCUMENT_ROOT",
	"CONTEXT_PREFIX",
	"DATE_GMT",
	"DATE_LOCAL",
	"DOCUMENT_ARGS",
	"DOCUMENT_NAME",
	"DOCUMENT_PATH_INFO",
	"DOCUMENT_ROOT",
	"DOCUMENT_URI",
	"GATEWAY_INTERFACE",
	"HTTPS",
	"LAST_MODIFIED",
	"PATH_INFO",
	"PATH_TRANSLATED",
	"QUERY_STRING",
	"QUERY_STRING_UNESCAPED",
	"REDIRECT_ERROR_NOTES",
	"REDIRECT_HANDLER",
	"REDIRECT_QUERY_STRING",
	"REDIRECT_REMOTE_USER",
	"REDIRECT_SCRIPT_FILENAME",
	"REDIRECT_STATUS",
	"REDIRECT_URL",
	"REMOTE_ADDR",
	"REMOTE_HOST",
	"REMOTE_IDENT",
	"REMOTE_PORT",
	"REMOTE_USER",
	"REQUEST_METHOD",
	"REQUEST_SCHEME",
	"REQUEST_URI",
	"SCRIPT_FILENAME",
	"SCRIPT_NAME",
	"SCRIPT_URI",
	"SCRIPT_URL",
	"SERVER_ADDR",
	"SERVER_ADMIN",
	"SERVER_NAME",
	"SERVER_PORT",
	"SERVER_PROTOCOL",
	"SERVER_SIGNATURE",
	"SERVER_SOFTWARE",
	"TZ",
	"UNIQUE_ID",
	"USER_NAME",
};

/* The request headers: passed through under this prefix.  The prefix
 * alone ("HTTP_") is not a variable any server sends: refused. */
static const char http_prefix[] = "HTTP_";

/* Apache mod_ssl's variables for CGI (its documentation's table of
 * environment variables), spelled exactly as mod_ssl does (some have lower
 * case).  Any other SSL_* name is refused: SSL_CERT_FILE and SSL_CERT_DIR
 * replace OpenSSL's trust store, and front ends leak their own.  Names with
 * an index or a DN component follow the rules of ssl_patterns[] below. */
static const char *const ssl_names[] = {
	"SSL_CIPHER",
	"SSL_CIPHER_ALGKEYSIZE",
	"SSL_CIPHER_EXPORT",
	"SSL_CIPHER_USEKEYSIZE",
	"SSL_CLIENTHELLO_ALPN",
	"SSL_CLIENTHELLO_CIPHERS",
	"SSL_CLIENTHELLO_EC_FORMATS",
	"SSL_CLIENTHELLO_EXTENSIONS",
	"SSL_CLIENTHELLO_GROUPS",
	"SSL_CLIENTHELLO_SIG_ALGOS",
	"SSL_CLIENTHELLO_VERSION",
	"SSL_CLIENTHELLO_VERSIONS",
	"SSL_CLIENT_A_KEY",
	"SSL_CLIENT_A_SIG",
	"SSL_CLIENT_CERT",
	"SSL_CLIENT_CERT_RFC4523_CEA",
	"SSL_CLIENT_I_DN",
	"SSL_CLIENT_M_SERIAL",
	"SSL_CLIENT_M_VERSION",
	"SSL_CLIENT_S_DN",
	"SSL_CLIENT_VERIFY",
	"SSL_CLIENT_V_END",
	"SSL_CLIENT_V_REMAIN",
	"SSL_CLIENT_V_START",
	"SSL_COMPRESS_METHOD",
	"SSL_HANDSHAKE_RTT",
	"SSL_PROTOCOL",
	"SSL_SECURE_RENEG",
	"SSL_SERVER_A_KEY",
	"SSL_SERVER_A_SIG",
	"SSL_SERVER_CERT",
	"SSL_SERVER_I_DN",
	"SSL_SERVER_M_SERIAL",
	"SSL_SERVER_M_VERSION",
	"SSL_SERVER_S_DN",
	"SSL_SERVER_V_END",
	"SSL_SERVER_V_START",
	"SSL_SESSION_ID",
	"SSL_SESSION_RESUMED",
	"SSL_SRP_USER",
	"SSL_SRP_USERINFO",
	"SSL_TLS_SNI",
	"SSL_VERSION_INTERFACE",
	"SSL_VERSION_LIBRARY",
};

/* The components of a DN mod_ssl exports (its "x509"). */
static const char *const ssl_dn_components[] = {
	"C", "ST", "L", "O", "OU", "CN", "T", "I", "G", "S", "D", "UID", "Email",
};

/* Families of names: the prefix, then
 *   SSL_SUFFIX_INDEX  an index n: "0" or [1-9][0-9]* (at most 5 digits)
 *   SSL_SUFFIX_DN     a DN component, alone or followed by "_" and n */
enum ssl_suffix { SSL_SUFFIX_INDEX, SSL_SUFFIX_DN };

static const struct {
	const char *prefix;
	enum ssl_suffix suffix;
} ssl_patterns[] = {
	{ "SSL_CLIENT_CERT_CHAIN_", SSL_SUFFIX_INDEX },
	{ "SSL_CLIENT_SAN_DNS_", SSL_SUFFIX_INDEX },
	{ "SSL_CLIENT_SAN_Email_", SSL_SUFFIX_INDEX },
	{ "SSL_CLIENT_SAN_OTHER_msUPN_", SSL_SUFFIX_INDEX },
	{ "SSL_SERVER_SAN_DNS_", SSL_SUFFIX_INDEX },
	{ "SSL_SERVER_SAN_Email_", SSL_SUFFIX_INDEX },
	{ "SSL_SERVER_SAN_OTHER_dnsSRV_", SSL_SUFFIX_INDEX },
	{ "SSL_CLIENT_S_DN_", SSL_SUFFIX_DN },
	{ "SSL_CLIENT_I_DN_", SSL_SUFFIX_DN },
	{ "SSL_SERVER_S_DN_", SSL_SUFFIX_DN },
	{ "SSL_SERVER_I_DN_", SSL_SUFFIX_DN },
};

#define SSL_INDEX_MAX_DIGITS 5

static bool word_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* s[0..len) is "0" or [1-9][0-9]*, at most SSL_INDEX_MAX_DIGITS digits. */
static bool ssl_index_ok(const char *s, size_t len)
{
	if (len == 0 || len > SSL_INDEX_MAX_DIGITS || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* s[0..len) is a DN component, alone or "<component>_<index>". */
static bool ssl_dn_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(ssl_dn_components) / sizeof(ssl_dn_components[0]); i++) {
		size_t clen = strlen(ssl_dn_components[i]);

		if (len < clen || memcmp(s, ssl_dn_components[i], clen) != 0)
			continue;
		if (len == clen)
			return true;
		if (s[clen] == '_' && ssl_index_ok(s + clen + 1, len - clen - 1))
			return true;
	}
	return false;
}

int env_ssl_name_allowed(const char *name, size_t len)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(ssl_names) / sizeof(ssl_names[0]); i++)
		if (word_eq(name, len, ssl_names[i]))
			return 1;
	for (size_t i = 0; i < sizeof(ssl_patterns) / sizeof(ssl_patterns[0]); i++) {
		size_t plen = strlen(ssl_patterns[i].prefix);

		if (len <= plen || memcmp(name, ssl_patterns[i].prefix, plen) != 0)
			continue;
		if (ssl_patterns[i].suffix == SSL_SUFFIX_INDEX ?
			    ssl_index_ok(name + plen, len - plen) :
			    ssl_dn_ok(name + plen, len - plen))
			return 1;
	}
	return 0;
}

/* ASCII-only, locale-independent case-insensitive equality of name[0..len)
 * with the NUL-terminated word. */
static bool name_eq_nocase(const char *name, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len && word[i] != '\0'; i++) {
		unsigned char a = (unsigned char)name[i];
		unsigned char b = (unsigned char)word[i];
		if (a >= 'a' && a <= 'z')
			a = (unsigned char)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (unsigned char)(b - 'a' + 'A');
		if (a != b)
			return false;
	}
	return i == len && word[i] == '\0';
}

/* [A-Z_][A-Z0-9_]* */
static bool name_chars_ok(const char *name, size_t len)
{
	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

int env_name_allowed(const char *name, size_t len)
{
	if (name == NULL)
		return 0;
	/* httpoxy: a "Proxy:" request header becomes HTTP_PROXY, which many
	 * HTTP client libraries take as their proxy.  Checked before (and
	 * independently of) the character rule, in any case. */
	if (name_eq_nocase(name, len, "HTTP_PROXY"))
		return 0;
	/* mod_ssl's exact names (some with lower case, all of them safe). */
	if (env_ssl_name_allowed(name, len))
		return 1;
	if (!name_chars_ok(name, len))
		return 0;
	if (len > sizeof(http_prefix) - 1 &&
	    memcmp(name, http_prefix, sizeof(http_prefix) - 1) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(allowed_names) / sizeof(allowed_names[0]); i++) {
		if (word_eq(name, len, allowed_names[i]))
			return 1;
	}
	return 0;
}

/* No control character other than tab: 0x01-0x08, 0x0a-0x1f, 0x7f. */
static bool value_ok(const char *v)
{
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* The name length of entry e ("NAME=value"); false without '='. */
static bool entry_name(const char *e, size_t *len)
{
	const char *eq = strchr(e, '=');

	if (eq == NULL)
		return false;
	*len = (size_t)(eq - e);
	return true;
}

/* An entry whose name is allowed, for the duplicate search. */
struct cand {
	const char *name;
	size_t len;
	size_t idx;  /* position in the caller's environment */
};

/* Order by name, then by position, so the first occurrence of each name
 * leads its run. */
static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

static char *dup_entry(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* Copy the kept entries of env[0..count) into out, in the caller's order.
 * A name's first occurrence decides, even when it is itself dropped for its
 * value: a later duplicate never stands in for it.  Sorting keeps this
 * O(n log n) however many duplicates the caller sends. */
static int select_entries(char *const *env, size_t count, struct env_out *out)
{
	struct cand *c = calloc(count, sizeof(*c));
	bool *keep = calloc(count, sizeof(*keep));
	size_t nc = 0;
	int rc = -1;

	if (c == NULL || keep == NULL)
		goto done;
	for (size_t i = 0; i < count; i++) {
		size_t len;
		if (entry_name(env[i], &len) && env_name_allowed(env[i], len)) {
			c[nc].name = env[i];
			c[nc].len = len;
			c[nc].idx = i;
			nc++;
		}
	}
	if (nc > 1)
		qsort(c, nc, sizeof(*c), cand_cmp);
	for (size_t k = 0; k < nc; k++) {
		bool first = k == 0 || c[k].len != c[k - 1].len ||
			     memcmp(c[k].name, c[k - 1].name, c[k].len) != 0;
		if (first && value_ok(c[k].name + c[k].len + 1))
			keep[c[k].idx] = true;
	}
	for (size_t i = 0; i < count; i++) {
		if (!keep[i])
			continue;
		size_t len = strlen(env[i]);
		char *copy = dup_entry(env[i], len);
		if (copy == NULL)
			goto done;
		out->envp[out->n++] = copy;
		out->bytes += len + 1;
	}
	rc = 0;
done:
	free(keep);
	free(c);
	return rc;
}

static int fail(struct env_out *out, const char **reason, const char *why)
{
	env_free(out);
	if (reason != NULL)
		*reason = why;
	return -1;
}

int env_build(char *const *caller_env, const char *safe_path,
	      struct env_out *out, const char **reason)
{
	size_t count = 0;

	if (out == NULL) {
		if (reason != NULL)
			*reason = "no output for the environment";
		return -1;
	}
	out->envp = NULL;
	out->n = 0;
	out->bytes = 0;
	if (safe_path == NULL || !value_ok(safe_path))
		return fail(out, reason, "no usable safe PATH configured");

	/* The limits apply to what the caller sent, before any filtering:
	 * an oversized environment refuses the request, never truncated. */
	if (caller_env != NULL) {
		const size_t max_bytes = (size_t)ENV_MAX_BYTES;
		size_t bytes = 0;

		for (; caller_env[count] != NULL; count++) {
			if (count == ENV_MAX_ENTRIES)
				return fail(out, reason,
					    "environment has more than 4096 entries");
			/* bounded scan: never read further than the limit */
			size_t len = strnlen(caller_env[count], max_bytes);
			bytes += len + 1;
			if (bytes > max_bytes)
				return fail(out, reason,
					    "environment larger than 1 MiB");
		}
	}

	/* kept entries + PATH + NULL */
	out->envp = calloc(count + 2, sizeof(*out->envp));
	if (out->envp == NULL)
		return fail(out, reason, "out of memory");

	if (count > 0 && select_entries(caller_env, count, out) != 0)
		return fail(out, reason, "out of memory");

	/* PATH, exactly once, from the policy. */
	size_t psize = strlen(safe_path) + sizeof("PATH=");
	char *path = malloc(psize);
	if (path == NULL)
		return fail(out, reason, "out of memory");
	(void)snprintf(path, psize, "PATH=%s", safe_path);
	out->envp[out->n++] = path;
	out->bytes += psize;
	out->envp[out->n] = NULL;
	return 0;
}

int env_set(struct env_out *out, const char *name, const char *value,
	    const char **reason)
{
	size_t nlen = strlen(name), size = nlen + 1 + strlen(value) + 1;
	char *entry, **grown;

	if (!value_ok(value)) {
		*reason = "a value set by cgijail contains a control character";
		return -1;
	}
	entry = malloc(size);
	if (entry == NULL) {
		*reason = "out of memory";
		return -1;
	}
	(void)snprintf(entry, size, "%s=%s", name, value);
	for (size_t i = 0; i < out->n; i++) {
		if (strncmp(out->envp[i], name, nlen) == 0 && out->envp[i][nlen] == '=') {
			out->bytes += size - (strlen(out->envp[i]) + 1);
			free(out->envp[i]);
			out->envp[i] = entry;
			return 0;
		}
	}
	grown = realloc(out->envp, (out->n + 2) * sizeof(*out->envp));
	if (grown == NULL) {
		free(entry);
		*reason = "out of memory";
		return -1;
	}
	out->envp = grown;
	out->envp[out->n++] = entry;
	out->envp[out->n] = NULL;
	out->bytes += size;
	return 0;
}

void env_free(struct env_out *out)
{
	if (out == NULL)
		return;
	if (out->envp != NULL) {
		for (size_t i = 0; i < out->n; i++)
			free(out->envp[i]);
		free(out->envp);
	}
	out->envp = NULL;
	out->n = 0;
	out->bytes = 0;
}
