/* fuzz_env - the environment scrubber (wrapper/logic/env.c: env_build,
 * env_set) on a caller environment such as Apache hands to suexec.
 *
 * Input: the caller's environment entries separated by NUL bytes
 * ("REQUEST_METHOD=GET\0HTTP_HOST=example.org\0LD_PRELOAD=/tmp/x.so").
 * The policy's safe_path is the default one.
 *
 * Invariants (abort on violation):
 *  - the request is refused exactly when the caller sent more than 4096
 *    entries or more than 1 MiB (sum of strlen + 1), never truncated;
 *  - every entry that survives is byte-identical to the first caller entry
 *    of its name, its name is on this file's own copy of the allowlist
 *    (RFC 3875 meta-variables, Apache suexec's safe list, HTTP_* with
 *    something after the prefix, never HTTP_PROXY in any case, Apache
 *    mod_ssl's SSL_* names exactly) and, but for mod_ssl's own names,
 *    matches [A-Z_][A-Z0-9_]*, and its value has no control character but
 *    tab; no dangerous name (LD_*, PYTHON*, MALLOC_*, BASH_ENV, IFS,
 *    TMPDIR, ...) ever survives;
 *  - nothing allowed is dropped: every first occurrence of an allowed name
 *    with a clean value is kept, in the caller's order, each name once;
 *  - PATH appears exactly once, last, as "PATH=<safe_path>";
 *  - out->n and out->bytes match the entries; env_name_allowed() agrees
 *    with the reference for every caller name;
 *  - env_set() adds TMPDIR once, replaces it in place, keeps the byte
 *    count right, and refuses a value with a control character. */
#include "fuzz_common.h"

#include "env.h"

#define SAFE_PATH "/usr/local/bin:/usr/bin:/bin"

/* RFC 3875 section 4.1 and Apache suexec's safe_env_lst, without PATH
 * (always the policy's). */
static const char *const ref_names[] = {
	"AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE", "PATH_INFO",
	"PATH_TRANSLATED", "QUERY_STRING", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_IDENT",
	"REMOTE_USER", "REQUEST_METHOD", "SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT",
	"SERVER_PROTOCOL", "SERVER_SOFTWARE",
	/* suexec */
	"CONTEXT_DOCUMENT_ROOT", "CONTEXT_PREFIX", "DATE_GMT", "DATE_LOCAL", "DOCUMENT_ARGS",
	"DOCUMENT_NAME", "DOCUMENT_PATH_INFO", "DOCUMENT_ROOT", "DOCUMENT_URI", "HTTPS",
	"LAST_MODIFIED", "QUERY_STRING_UNESCAPED", "REDIRECT_ERROR_NOTES", "REDIRECT_HANDLER",
	"REDIRECT_QUERY_STRING", "REDIRECT_REMOTE_USER", "REDIRECT_SCRIPT_FILENAME",
	"REDIRECT_STATUS", "REDIRECT_URL", "REMOTE_PORT", "REQUEST_SCHEME", "REQUEST_URI",
	"SCRIPT_FILENAME", "SCRIPT_URI", "SCRIPT_URL", "SERVER_ADDR", "SERVER_ADMIN",
	"SERVER_SIGNATURE", "UNIQUE_ID", "USER_NAME", "TZ",
};

/* Names that must never reach the script, whatever the allowlist says. */
static const char *const denied_names[] = {
	"SSL_CERT_FILE", "SSL_CERT_DIR", "OPENSSL_CONF", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "PYTHONPATH", "PYTHONHOME",
	"PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONWARNINGS", "BASH_ENV", "ENV", "IFS",
	"GCONV_PATH", "LOCPATH", "TMPDIR", "HTTP_PROXY", "PATH", "HOME", "SHELL",
};
static const char *const denied_prefixes[] = { "LD_", "PYTHON", "MALLOC_" };

static bool ref_upper_eq(const char *name, size_t len, const char *word)
{
	if (strlen(word) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != word[i])
			return false;
	}
	return true;
}

/* Apache mod_ssl's CGI variables (its documentation's table), as mod_ssl
 * spells them; "#" stands for an index ("0" or [1-9][0-9]*, at most 5
 * digits), "@" for a DN component (C ST L O OU CN T I G S D UID Email),
 * alone or followed by "_#". */
static const char *const ref_ssl[] = {
	"SSL_PROTOCOL", "SSL_SESSION_ID", "SSL_SESSION_RESUMED", "SSL_SECURE_RENEG",
	"SSL_CIPHER", "SSL_CIPHER_EXPORT", "SSL_CIPHER_USEKEYSIZE", "SSL_CIPHER_ALGKEYSIZE",
	"SSL_COMPRESS_METHOD", "SSL_VERSION_INTERFACE", "SSL_VERSION_LIBRARY",
	"SSL_CLIENT_M_VERSION", "SSL_CLIENT_M_SERIAL", "SSL_CLIENT_S_DN", "SSL_CLIENT_S_DN_@",
	"SSL_CLIENT_SAN_Email_#", "SSL_CLIENT_SAN_DNS_#", "SSL_CLIENT_SAN_OTHER_msUPN_#",
	"SSL_CLIENT_I_DN", "SSL_CLIENT_I_DN_@", "SSL_CLIENT_V_START", "SSL_CLIENT_V_END",
	"SSL_CLIENT_V_REMAIN", "SSL_CLIENT_A_SIG", "SSL_CLIENT_A_KEY", "SSL_CLIENT_CERT",
	"SSL_CLIENT_CERT_CHAIN_#", "SSL_CLIENT_CERT_RFC4523_CEA", "SSL_CLIENT_VERIFY",
	"SSL_SERVER_M_VERSION", "SSL_SERVER_M_SERIAL", "SSL_SERVER_S_DN", "SSL_SERVER_S_DN_@",
	"SSL_SERVER_SAN_Email_#", "SSL_SERVER_SAN_DNS_#", "SSL_SERVER_SAN_OTHER_dnsSRV_#",
	"SSL_SERVER_I_DN", "SSL_SERVER_I_DN_@", "SSL_SERVER_V_START", "SSL_SERVER_V_END",
	"SSL_SERVER_A_SIG", "SSL_SERVER_A_KEY", "SSL_SERVER_CERT", "SSL_SRP_USER",
	"SSL_SRP_USERINFO", "SSL_TLS_SNI", "SSL_HANDSHAKE_RTT", "SSL_CLIENTHELLO_VERSION",
	"SSL_CLIENTHELLO_CIPHERS", "SSL_CLIENTHELLO_EXTENSIONS", "SSL_CLIENTHELLO_GROUPS",
	"SSL_CLIENTHELLO_EC_FORMATS", "SSL_CLIENTHELLO_SIG_ALGOS", "SSL_CLIENTHELLO_ALPN",
	"SSL_CLIENTHELLO_VERSIONS",
};
static const char *const ref_dn[] = {
	"C", "ST", "L", "O", "OU", "CN", "T", "I", "G", "S", "D", "UID", "Email",
};

static bool ref_index(const char *s, size_t len)
{
	char buf[8];
	char *end = NULL;

	if (len == 0 || len > 5)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return false;
	unsigned long v = strtoul(buf, &end, 10);
	char again[8];
	snprintf(again, sizeof(again), "%lu", v);
	return *end == '\0' && strcmp(again, buf) == 0;
}

static bool ref_ssl_allowed(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(ref_ssl) / sizeof(ref_ssl[0]); i++) {
		const char *w = ref_ssl[i];
		size_t wl = strlen(w);
		char last = w[wl - 1];

		if (last != '#' && last != '@') {
			if (wl == len && memcmp(w, name, len) == 0)
				return true;
			continue;
		}
		if (len < wl || memcmp(w, name, wl - 1) != 0)
			continue;
		const char *rest = name + wl - 1;
		size_t rl = len - (wl - 1);
		if (last == '#') {
			if (ref_index(rest, rl))
				return true;
			continue;
		}
		for (size_t k = 0; k < sizeof(ref_dn) / sizeof(ref_dn[0]); k++) {
			size_t cl = strlen(ref_dn[k]);
			if (rl == cl && memcmp(rest, ref_dn[k], cl) == 0)
				return true;
			if (rl > cl + 1 && memcmp(rest, ref_dn[k], cl) == 0 && rest[cl] == '_' &&
			    ref_index(rest + cl + 1, rl - cl - 1))
				return true;
		}
	}
	return false;
}

static bool ref_allowed(const char *name, size_t len)
{
	if (ref_upper_eq(name, len, "HTTP_PROXY"))
		return false;
	if (ref_ssl_allowed(name, len))
		return true;
	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	if (len > 5 && memcmp(name, "HTTP_", 5) == 0)
		return true;
	for (size_t i = 0; i < sizeof(ref_names) / sizeof(ref_names[0]); i++)
		if (strlen(ref_names[i]) == len && memcmp(ref_names[i], name, len) == 0)
			return true;
	return false;
}

static bool ref_value_ok(const char *v)
{
	for (; *v; v++)
		if (fuzz_is_ctl((unsigned char)*v) && *v != '\t')
			return false;
	return true;
}

static size_t name_len(const char *e)
{
	const char *eq = strchr(e, '=');

	return eq ? (size_t)(eq - e) : SIZE_MAX;
}

static bool same_name(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

static void check_not_denied(const char *e, size_t len)
{
	for (size_t i = 0; i < sizeof(denied_names) / sizeof(denied_names[0]); i++)
		FUZZ_CHECK(!ref_upper_eq(e, len, denied_names[i]), "'%s' survived", e);
	for (size_t i = 0; i < sizeof(denied_prefixes) / sizeof(denied_prefixes[0]); i++)
		FUZZ_CHECK(strncmp(e, denied_prefixes[i], strlen(denied_prefixes[i])) != 0,
			   "'%s' survived", e);
}

static size_t check_bytes(const struct env_out *out)
{
	size_t bytes = 0;

	for (size_t i = 0; i < out->n; i++) {
		FUZZ_CHECK(out->envp[i] != NULL, "NULL entry %zu of %zu", i, out->n);
		bytes += strlen(out->envp[i]) + 1;
	}
	FUZZ_CHECK(out->envp[out->n] == NULL, "not NULL-terminated");
	FUZZ_CHECK(bytes == out->bytes, "bytes %zu, counted %zu", out->bytes, bytes);
	return bytes;
}

static void check_set(struct env_out *out)
{
	const char *reason = NULL;
	size_t n0 = out->n;

	FUZZ_CHECK(env_set(out, "TMPDIR", "/var/lib/cgijail/tmp/alice", &reason) == 0,
		   "env_set: %s", reason);
	FUZZ_CHECK(out->n == n0 + 1 &&
			   strcmp(out->envp[n0], "TMPDIR=/var/lib/cgijail/tmp/alice") == 0,
		   "TMPDIR not appended");
	FUZZ_CHECK(env_set(out, "TMPDIR", "/t", &reason) == 0, "env_set again: %s", reason);
	FUZZ_CHECK(out->n == n0 + 1 && strcmp(out->envp[n0], "TMPDIR=/t") == 0,
		   "TMPDIR not replaced in place");
	FUZZ_CHECK(env_set(out, "TMPDIR", "/t\n/x", &reason) == -1 && reason != NULL,
		   "control character accepted by env_set");
	FUZZ_CHECK(out->n == n0 + 1 && strcmp(out->envp[n0], "TMPDIR=/t") == 0,
		   "refused env_set changed the environment");
	(void)check_bytes(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **env = malloc((size + 2) * sizeof(*env)), *buf;
	struct env_out out;
	const char *reason = NULL;

	FUZZ_CHECK(env != NULL, "malloc");
	size_t count = fuzz_split(data, size, env, size + 1, &buf);
	size_t sent = 0;
	bool too_many = false;

	for (size_t i = 0; i < count; i++) {
		sent += strlen(env[i]) + 1;
		if (i == ENV_MAX_ENTRIES)
			too_many = true;
		size_t len = name_len(env[i]);
		if (len != SIZE_MAX)
			FUZZ_CHECK(!env_name_allowed(env[i], len) == !ref_allowed(env[i], len),
				   "env_name_allowed('%.*s') disagrees", (int)len, env[i]);
	}
	bool refuse = too_many || sent > ENV_MAX_BYTES;

	int rc = env_build(env, SAFE_PATH, &out, &reason);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1 && refuse, "refused (%s): %zu entries, %zu bytes",
			   reason ? reason : "(null)", count, sent);
		FUZZ_CHECK(reason != NULL && out.envp == NULL && out.n == 0 && out.bytes == 0,
			   "refusal state");
		goto done;
	}
	FUZZ_CHECK(!refuse, "accepted %zu entries, %zu bytes", count, sent);
	FUZZ_CHECK(out.n >= 1 && out.n <= count + 1, "%zu entries from %zu", out.n, count);
	(void)check_bytes(&out);
	FUZZ_CHECK(strcmp(out.envp[out.n - 1], "PATH=" SAFE_PATH) == 0, "last is '%s'",
		   out.envp[out.n - 1]);

	/* The kept entries, matched to the caller's in order. */
	size_t next = 0;
	for (size_t k = 0; k + 1 < out.n; k++) {
		const char *e = out.envp[k];
		size_t len = name_len(e);

		FUZZ_CHECK(len != SIZE_MAX, "entry '%s' without '='", e);
		FUZZ_CHECK(ref_allowed(e, len), "'%.*s' is not allowed", (int)len, e);
		FUZZ_CHECK(ref_value_ok(e + len + 1), "control character in '%s'", e);
		check_not_denied(e, len);
		for (size_t j = 0; j < k; j++)
			FUZZ_CHECK(!same_name(out.envp[j], name_len(out.envp[j]), e, len),
				   "'%.*s' twice", (int)len, e);
		while (next < count && strcmp(env[next], e) != 0)
			next++;
		FUZZ_CHECK(next < count, "'%s' is not a caller entry in order", e);
		FUZZ_CHECK(out.envp[k] != env[next], "entry not copied");
		next++;
	}
	/* Nothing allowed went missing. */
	for (size_t i = 0; i < count; i++) {
		size_t len = name_len(env[i]);
		bool first = true, kept = false;

		if (len == SIZE_MAX || !ref_allowed(env[i], len))
			continue;
		for (size_t j = 0; j < i && first; j++)
			first = !same_name(env[j], name_len(env[j]), env[i], len);
		for (size_t k = 0; k + 1 < out.n && !kept; k++)
			kept = strcmp(out.envp[k], env[i]) == 0;
		if (first && ref_value_ok(env[i] + len + 1))
			FUZZ_CHECK(kept, "'%s' was dropped", env[i]);
	}
	check_set(&out);
	env_free(&out);
	FUZZ_CHECK(out.envp == NULL && out.n == 0, "env_free");
done:
	free(buf);
	free(env);
	return 0;
}
