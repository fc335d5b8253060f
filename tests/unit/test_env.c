/* test_env.c - the script's environment (wrapper/env.c). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "unit_params.h"

#define SAFE_PATH "/usr/local/bin:/usr/bin:/bin"

/* Number of entries of out named name. */
static size_t count_name(const struct env_out *out, const char *name)
{
	size_t n = 0, len = strlen(name);

	for (size_t i = 0; i < out->n; i++)
		if (strncmp(out->envp[i], name, len) == 0 && out->envp[i][len] == '=')
			n++;
	return n;
}

/* The value of name in out, or NULL. */
static const char *value_of(const struct env_out *out, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < out->n; i++)
		if (strncmp(out->envp[i], name, len) == 0 && out->envp[i][len] == '=')
			return out->envp[i] + len + 1;
	return NULL;
}

/* n, bytes and the NULL terminator agree with envp; PATH is last, once. */
static void check_shape(const struct env_out *out)
{
	size_t bytes = 0;

	cr_assert_not_null(out->envp);
	cr_assert_geq(out->n, 1);
	for (size_t i = 0; i < out->n; i++) {
		cr_assert_not_null(out->envp[i]);
		bytes += strlen(out->envp[i]) + 1;
	}
	cr_assert_null(out->envp[out->n]);
	cr_assert_eq(out->bytes, bytes);
	cr_assert_eq(count_name(out, "PATH"), 1);
	cr_assert_str_eq(out->envp[out->n - 1], "PATH=" SAFE_PATH);
}

/* Build from env and check the shape; returns the reason-less result. */
static void build_ok(char *const *env, struct env_out *out)
{
	const char *why = NULL;

	cr_assert_eq(env_build(env, SAFE_PATH, out, &why), 0, "refused: %s",
		     why ? why : "(null)");
	check_shape(out);
}

/* Build from a single "NAME=value" entry; true when it was kept. */
static bool single_kept(const char *entry)
{
	char *env[] = { (char *)entry, NULL };
	struct env_out out;
	bool kept;

	build_ok(env, &out);
	kept = out.n == 2 && strcmp(out.envp[0], entry) == 0;
	if (!kept)
		cr_assert_eq(out.n, 1, "'%s' partly kept?", entry);
	env_free(&out);
	return kept;
}

/* ---- allowed names ---------------------------------------------------- */

static const char *const allowed_names[] = {
		/* RFC 3875 */
		"AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE",
		"PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING", "REMOTE_ADDR",
		"REMOTE_HOST", "REMOTE_IDENT", "REMOTE_USER", "REQUEST_METHOD",
		"SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
		"SERVER_SOFTWARE",
		/* Apache suexec's safe list */
		"CONTEXT_DOCUMENT_ROOT", "CONTEXT_PREFIX", "DATE_GMT", "DATE_LOCAL",
		"DOCUMENT_ARGS", "DOCUMENT_NAME", "DOCUMENT_PATH_INFO",
		"DOCUMENT_ROOT", "DOCUMENT_URI", "HTTPS", "LAST_MODIFIED",
		"QUERY_STRING_UNESCAPED", "REDIRECT_ERROR_NOTES", "REDIRECT_HANDLER",
		"REDIRECT_QUERY_STRING", "REDIRECT_REMOTE_USER",
		"REDIRECT_SCRIPT_FILENAME", "REDIRECT_STATUS", "REDIRECT_URL",
		"REMOTE_PORT", "REQUEST_SCHEME", "REQUEST_URI", "SCRIPT_FILENAME",
		"SCRIPT_URI", "SCRIPT_URL", "SERVER_ADDR", "SERVER_ADMIN",
		"SERVER_SIGNATURE", "UNIQUE_ID", "USER_NAME", "TZ",
		/* prefixes */
		"HTTP_HOST", "HTTP_USER_AGENT", "HTTP_COOKIE", "HTTP_X_FORWARDED_FOR",
		"HTTP_PROXY_AUTHORIZATION", "HTTP_PROXYX", "HTTP_X_PROXY",
		"HTTP_A", "HTTP__", "HTTP_1", "SSL_CLIENT_S_DN", "SSL_PROTOCOL",
};

ParameterizedTestParameters(env, allowed_names)
{
	INDEX_PARAMS(allowed_names);
}

ParameterizedTest(size_t *i, env, allowed_names)
{
	const char *name = allowed_names[*i];
	char entry[128];

	cr_assert(env_name_allowed(name, strlen(name)), "%s", name);
	snprintf(entry, sizeof(entry), "%s=some value", name);
	cr_assert(single_kept(entry), "%s dropped", name);
}

/* ---- dangerous names: never passed ------------------------------------- */

static const char *const dangerous_names[] = {
		"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_DEBUG",
		"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONINSPECT",
		"PYTHONWARNINGS", "PYTHONUSERBASE", "PYTHONSAFEPATH",
		"BASH_ENV", "ENV", "IFS", "GCONV_PATH", "LOCPATH", "NLSPATH",
		"MALLOC_CHECK_", "MALLOC_PERTURB_", "GLIBC_TUNABLES", "TMPDIR",
		"PATH", "HOME", "SHELL", "USER", "LOGNAME", "LANG", "LC_ALL",
		"HOSTALIASES", "RES_OPTIONS", "LOCALDOMAIN", "PERL5LIB",
		"HTTP_PROXY", "http_proxy", "Http_Proxy", "HTTP_proxy", "hTTP_PROXY",
		"HTTP_", "SSL_", "SSL_X",
		/* OpenSSL's and friends' configuration (not mod_ssl's) */
		"SSL_CERT_FILE", "SSL_CERT_DIR", "SSL_CTX", "SSL_CTX_OPTIONS",
		"SSLKEYLOGFILE", "SSL_KEYLOGFILE", "OPENSSL_CONF", "OPENSSL_MODULES",
		"OPENSSL_ENGINES", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
};

ParameterizedTestParameters(env, dangerous_names)
{
	INDEX_PARAMS(dangerous_names);
}

ParameterizedTest(size_t *i, env, dangerous_names)
{
	const char *name = dangerous_names[*i];
	char entry[128];

	cr_assert_not(env_name_allowed(name, strlen(name)), "%s", name);
	snprintf(entry, sizeof(entry), "%s=/tmp/evil", name);
	cr_assert_not(single_kept(entry), "%s passed", name);
}

/* ---- SSL_*: Apache mod_ssl's names only --------------------------------- */

/* Every exact name of mod_ssl's table, and samples of each pattern. */
static const char *const ssl_accepted[] = {
		"SSL_PROTOCOL", "SSL_SESSION_ID", "SSL_SESSION_RESUMED",
		"SSL_SECURE_RENEG", "SSL_CIPHER", "SSL_CIPHER_EXPORT",
		"SSL_CIPHER_USEKEYSIZE", "SSL_CIPHER_ALGKEYSIZE",
		"SSL_COMPRESS_METHOD", "SSL_VERSION_INTERFACE", "SSL_VERSION_LIBRARY",
		"SSL_CLIENT_M_VERSION", "SSL_CLIENT_M_SERIAL", "SSL_CLIENT_S_DN",
		"SSL_CLIENT_I_DN", "SSL_CLIENT_V_START", "SSL_CLIENT_V_END",
		"SSL_CLIENT_V_REMAIN", "SSL_CLIENT_A_SIG", "SSL_CLIENT_A_KEY",
		"SSL_CLIENT_CERT", "SSL_CLIENT_CERT_RFC4523_CEA", "SSL_CLIENT_VERIFY",
		"SSL_SERVER_M_VERSION", "SSL_SERVER_M_SERIAL", "SSL_SERVER_S_DN",
		"SSL_SERVER_I_DN", "SSL_SERVER_V_START", "SSL_SERVER_V_END",
		"SSL_SERVER_A_SIG", "SSL_SERVER_A_KEY", "SSL_SERVER_CERT",
		"SSL_SRP_USER", "SSL_SRP_USERINFO", "SSL_TLS_SNI", "SSL_HANDSHAKE_RTT",
		"SSL_CLIENTHELLO_VERSION", "SSL_CLIENTHELLO_CIPHERS",
		"SSL_CLIENTHELLO_EXTENSIONS", "SSL_CLIENTHELLO_GROUPS",
		"SSL_CLIENTHELLO_EC_FORMATS", "SSL_CLIENTHELLO_SIG_ALGOS",
		"SSL_CLIENTHELLO_ALPN", "SSL_CLIENTHELLO_VERSIONS",
		/* indexed */
		"SSL_CLIENT_CERT_CHAIN_0", "SSL_CLIENT_CERT_CHAIN_1",
		"SSL_CLIENT_CERT_CHAIN_10", "SSL_CLIENT_CERT_CHAIN_99999",
		"SSL_CLIENT_SAN_Email_0", "SSL_CLIENT_SAN_DNS_0", "SSL_CLIENT_SAN_DNS_7",
		"SSL_CLIENT_SAN_OTHER_msUPN_0", "SSL_SERVER_SAN_Email_0",
		"SSL_SERVER_SAN_DNS_3", "SSL_SERVER_SAN_OTHER_dnsSRV_0",
		/* DN components (all of them are generated in dn_components) */
		"SSL_CLIENT_S_DN_CN", "SSL_CLIENT_S_DN_Email", "SSL_CLIENT_S_DN_OU_1",
		"SSL_CLIENT_I_DN_O", "SSL_SERVER_S_DN_UID", "SSL_SERVER_I_DN_C_0",
};

ParameterizedTestParameters(env, ssl_accepted)
{
	INDEX_PARAMS(ssl_accepted);
}

ParameterizedTest(size_t *i, env, ssl_accepted)
{
	const char *name = ssl_accepted[*i];
	char entry[128];

	cr_assert(env_ssl_name_allowed(name, strlen(name)), "%s", name);
	cr_assert(env_name_allowed(name, strlen(name)), "%s", name);
	snprintf(entry, sizeof(entry), "%s=some value", name);
	cr_assert(single_kept(entry), "%s dropped", name);
}

static const char *const ssl_refused[] = {
		"SSL_", "SSL_X", "SSL_CERT_FILE", "SSL_CERT_DIR", "SSL_CTX",
		"SSL_CTX_OPTIONS", "SSL_CONF", "SSL_KEYLOGFILE", "SSL_VERSION",
		"SSL_CLIENT", "SSL_CLIENT_", "SSL_SERVER_", "SSL_SERVER_V_REMAIN_",
		"SSL_CLIENTHELLO_", "SSL_CLIENTHELLO_X",
		/* case: mod_ssl's spelling only */
		"ssl_protocol", "Ssl_Protocol", "SSL_protocol", "SSL_CLIENT_S_DN_EMAIL",
		"SSL_CLIENT_S_DN_cn", "SSL_CLIENT_SAN_EMAIL_0", "SSL_CLIENT_SAN_OTHER_MSUPN_0",
		/* near misses of exact names */
		"SSL_PROTOCOLS", "SSL_PROTOCO", "SSL_PROTOCOL_", "SSL_TLS_SNI_0",
		"SSL_CLIENT_CERT_", "SSL_CLIENT_VERIFY_0", "SSL_SESSION_ID_",
		/* bad indexes */
		"SSL_CLIENT_CERT_CHAIN_", "SSL_CLIENT_CERT_CHAIN_01",
		"SSL_CLIENT_CERT_CHAIN_00", "SSL_CLIENT_CERT_CHAIN_-1",
		"SSL_CLIENT_CERT_CHAIN_1a", "SSL_CLIENT_CERT_CHAIN_x",
		"SSL_CLIENT_CERT_CHAIN_100000", "SSL_CLIENT_CERT_CHAIN_0_0",
		"SSL_CLIENT_SAN_DNS_", "SSL_CLIENT_SAN_DNS", "SSL_CLIENT_SAN_OTHER_msUPN",
		"SSL_CLIENT_SAN_OTHER_dnsSRV_0", "SSL_SERVER_SAN_OTHER_msUPN_0",
		"SSL_CLIENT_SAN_URI_0", "SSL_CLIENT_SAN_Email_01",
		/* bad DN components */
		"SSL_CLIENT_S_DN_", "SSL_CLIENT_S_DN_X", "SSL_CLIENT_S_DN_CN_",
		"SSL_CLIENT_S_DN_CN_01", "SSL_CLIENT_S_DN_CN_x", "SSL_CLIENT_S_DN_CNX",
		"SSL_CLIENT_S_DN_CN0", "SSL_CLIENT_S_DN_SP", "SSL_CLIENT_X_DN_CN",
		"SSL_CLIENT_S_DN_CN_100000", "SSL_CLIENT_S_DN_Email_", "SSL_CLIENT_S_DN__CN",
		"SSL_OTHER_S_DN_CN", "SSL_CLIENT_S_DN_CN_1_2",
		/* neighbours of the SSL_ family */
		"OPENSSL_CONF", "OPENSSL_MODULES", "OPENSSL_ENGINES", "SSLKEYLOGFILE",
		"SSL", "XSSL_PROTOCOL", "_SSL_PROTOCOL",
};

ParameterizedTestParameters(env, ssl_refused)
{
	INDEX_PARAMS(ssl_refused);
}

ParameterizedTest(size_t *i, env, ssl_refused)
{
	const char *name = ssl_refused[*i];
	char entry[128];

	cr_assert_not(env_ssl_name_allowed(name, strlen(name)), "%s", name);
	cr_assert_not(env_name_allowed(name, strlen(name)), "%s", name);
	snprintf(entry, sizeof(entry), "%s=/tmp/evil", name);
	cr_assert_not(single_kept(entry), "%s passed", name);
}

/* Every DN component mod_ssl exports, for client and server, subject and
 * issuer, alone and indexed. */
Test(env, ssl_dn_components)
{
	static const char *const comp[] = { "C", "ST", "L", "O", "OU", "CN", "T", "I",
					    "G", "S", "D", "UID", "Email" };
	static const char *const who[] = { "CLIENT", "SERVER" };
	static const char *const dn[] = { "S", "I" };
	static const char *const idx[] = { "", "_0", "_1", "_9", "_12", "_99999" };
	static const char *const bad_idx[] = { "_", "_01", "_100000", "_a", "X", "_-1" };
	char name[96];
	size_t n = 0;

	for (size_t w = 0; w < 2; w++)
		for (size_t d = 0; d < 2; d++)
			for (size_t c = 0; c < sizeof(comp) / sizeof(comp[0]); c++) {
				for (size_t k = 0; k < sizeof(idx) / sizeof(idx[0]); k++) {
					snprintf(name, sizeof(name), "SSL_%s_%s_DN_%s%s",
						 who[w], dn[d], comp[c], idx[k]);
					cr_assert(env_ssl_name_allowed(name, strlen(name)), "%s", name);
					cr_assert(env_name_allowed(name, strlen(name)), "%s", name);
					n++;
				}
				for (size_t k = 0; k < sizeof(bad_idx) / sizeof(bad_idx[0]); k++) {
					snprintf(name, sizeof(name), "SSL_%s_%s_DN_%s%s",
						 who[w], dn[d], comp[c], bad_idx[k]);
					cr_assert_not(env_ssl_name_allowed(name, strlen(name)), "%s",
						      name);
				}
			}
	cr_assert_eq(n, 2 * 2 * 13 * 6);
}

/* len, not the NUL, ends the name; NULL is refused. */
Test(env, ssl_name_uses_len)
{
	cr_assert(env_ssl_name_allowed("SSL_PROTOCOL=x", 12));
	cr_assert(env_ssl_name_allowed("SSL_CLIENT_CERT_CHAIN_12=x", 24));
	cr_assert_not(env_ssl_name_allowed("SSL_CLIENT_CERT_CHAIN_12", 23 - 1));
	cr_assert(env_ssl_name_allowed("SSL_CLIENT_S_DN_CN_1", 18));
	cr_assert_not(env_ssl_name_allowed("SSL_PROTOCOL", 11));
	cr_assert_not(env_ssl_name_allowed(NULL, 0));
}

/* A front end's own trust store never reaches the script, next to the
 * mod_ssl variables that do. */
Test(env, ssl_trust_store_dropped)
{
	char *env[] = { "SSL_CERT_FILE=/home/mallory/ca.pem", "SSL_PROTOCOL=TLSv1.3",
			"SSL_CERT_DIR=/home/mallory/certs", "SSL_CLIENT_S_DN_Email=a@b.example",
			"OPENSSL_CONF=/home/mallory/openssl.cnf", NULL };
	struct env_out out;

	build_ok(env, &out);
	cr_assert_eq(out.n, 3);
	cr_assert_str_eq(out.envp[0], "SSL_PROTOCOL=TLSv1.3");
	cr_assert_str_eq(out.envp[1], "SSL_CLIENT_S_DN_Email=a@b.example");
	cr_assert_null(value_of(&out, "SSL_CERT_FILE"));
	cr_assert_null(value_of(&out, "SSL_CERT_DIR"));
	env_free(&out);
}

/* ---- malformed names and entries --------------------------------------- */

static const char *const bad_entries[] = {
		"",                      /* empty entry */
		"QUERY_STRING",          /* no '=' */
		"HTTP_HOST",             /* no '=' */
		"=value",                /* empty name */
		"==",
		"query_string=x",        /* lower case */
		"Query_String=x",
		"HTTP_host=x",           /* lower case after the prefix */
		"SSL_client=x",
		"1HTTP_X=x",             /* leading digit */
		"HTTP-HOST=x",           /* bad character */
		"HTTP_X-Y=x",
		"HTTP_X.Y=x",
		"HTTP_X Y=x",
		" QUERY_STRING=x",
		"QUERY_STRING =x",
		"HTTP_X\t=x",
		"HTTP_X\n=x",
		"HTTP_\xc3\x84=x",       /* non-ASCII */
		"QUERY_STRINGX=x",       /* near misses of the list */
		"QUERY_STRIN=x",
		"XHTTP_HOST=x",
		"_HTTP_HOST=x",
		"TZX=x",
};

ParameterizedTestParameters(env, bad_entries)
{
	INDEX_PARAMS(bad_entries);
}

ParameterizedTest(size_t *i, env, bad_entries)
{
	cr_assert_not(single_kept(bad_entries[*i]), "'%s' passed", bad_entries[*i]);
}

Test(env, name_allowed_uses_len_not_nul)
{
	/* name is not NUL-terminated at len */
	cr_assert(env_name_allowed("QUERY_STRING=a", 12));
	cr_assert(env_name_allowed("TZX", 2));
	cr_assert_not(env_name_allowed("TZ", 1));
	cr_assert_not(env_name_allowed("HTTP_PROXY=x", 10));
	cr_assert(env_name_allowed("HTTP_PROXYX", 11));
	cr_assert_not(env_name_allowed("HTTP_X", 0));
	cr_assert_not(env_name_allowed(NULL, 0));
	cr_assert_not(env_name_allowed("PATH", 4));
}

/* ---- values ------------------------------------------------------------- */

struct value_case {
	const char *entry;
	bool kept;
};

static const struct value_case value_cases[] = {
		{ "QUERY_STRING=", true },                  /* empty value */
		{ "QUERY_STRING=a=b&c=d", true },           /* '=' in the value */
		{ "HTTP_X=a\tb", true },                    /* tab */
		{ "HTTP_X=\t", true },
		{ "HTTP_X=caf\xc3\xa9", true },             /* UTF-8 */
		{ "HTTP_X=\xff\xfe", true },                /* other high bytes */
		{ "HTTP_X= spaces  ", true },
		{ "HTTP_X=!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", true },
		{ "HTTP_X=a\x01", false },
		{ "HTTP_X=a\nb", false },
		{ "HTTP_X=a\r\nSet-Cookie: x", false },
		{ "HTTP_X=\x1b[31m", false },
		{ "HTTP_X=\x08", false },
		{ "HTTP_X=\x0b", false },
		{ "HTTP_X=\x0c", false },
		{ "HTTP_X=\x1f", false },
		{ "HTTP_X=\x7f", false },
		{ "TZ=\x7f" "UTC", false },
};

ParameterizedTestParameters(env, values)
{
	INDEX_PARAMS(value_cases);
}

ParameterizedTest(size_t *i, env, values)
{
	const struct value_case *c = &value_cases[*i];

	cr_assert_eq(single_kept(c->entry), c->kept, "'%s'", c->entry);
}

Test(env, tz_passed_as_is)
{
	cr_assert(single_kept("TZ=:/usr/share/zoneinfo/../../etc/x"));
	cr_assert(single_kept("TZ=Europe/Berlin"));
}

/* ---- duplicates, PATH, order ------------------------------------------- */

Test(env, first_occurrence_wins)
{
	char *env[] = { "QUERY_STRING=first", "HTTP_HOST=h", "QUERY_STRING=second",
			"QUERY_STRING=third", NULL };
	struct env_out out;

	build_ok(env, &out);
	cr_assert_eq(out.n, 3);
	cr_assert_eq(count_name(&out, "QUERY_STRING"), 1);
	cr_assert_str_eq(value_of(&out, "QUERY_STRING"), "first");
	env_free(&out);
}

Test(env, dropped_first_occurrence_is_not_replaced)
{
	char *env[] = { "HTTP_X=bad\n", "HTTP_X=good", "HTTP_Y=", "HTTP_Y=later", NULL };
	struct env_out out;

	build_ok(env, &out);
	cr_assert_eq(count_name(&out, "HTTP_X"), 0);
	cr_assert_str_eq(value_of(&out, "HTTP_Y"), "");
	cr_assert_eq(out.n, 2);
	env_free(&out);
}

Test(env, many_duplicates)
{
	enum { N = 1000 };
	char **env = calloc(N + 1, sizeof(*env));
	struct env_out out;

	cr_assert_not_null(env);
	for (size_t i = 0; i < N; i++)
		env[i] = i % 2 ? "HTTP_A=odd" : "HTTP_B=even";
	env[0] = "HTTP_B=first";
	build_ok(env, &out);
	cr_assert_eq(out.n, 3);
	cr_assert_str_eq(out.envp[0], "HTTP_B=first");
	cr_assert_str_eq(out.envp[1], "HTTP_A=odd");
	env_free(&out);
	free(env);
}

Test(env, path_is_safe_path_exactly_once)
{
	char *env[] = { "PATH=/tmp/evil", "HTTP_HOST=x", "PATH=/also/evil",
			"PATH", "path=/x", NULL };
	struct env_out out;

	build_ok(env, &out);
	cr_assert_str_eq(value_of(&out, "PATH"), SAFE_PATH);
	cr_assert_eq(out.n, 2);
	env_free(&out);
}

Test(env, caller_order_kept_path_last)
{
	char *env[] = { "SERVER_NAME=s", "LD_PRELOAD=/x.so", "REQUEST_METHOD=GET",
			"HTTP_HOST=h", "TMPDIR=/tmp", "GATEWAY_INTERFACE=CGI/1.1", NULL };
	const char *want[] = { "SERVER_NAME=s", "REQUEST_METHOD=GET", "HTTP_HOST=h",
			       "GATEWAY_INTERFACE=CGI/1.1", "PATH=" SAFE_PATH };
	struct env_out out;

	build_ok(env, &out);
	cr_assert_eq(out.n, 5);
	for (size_t i = 0; i < 5; i++)
		cr_assert_str_eq(out.envp[i], want[i]);
	env_free(&out);
}

Test(env, entries_are_copies)
{
	char q[] = "QUERY_STRING=abc";
	char *env[] = { q, NULL };
	struct env_out out;

	build_ok(env, &out);
	cr_assert_neq((void *)out.envp[0], (void *)q);
	q[13] = 'X';
	cr_assert_str_eq(out.envp[0], "QUERY_STRING=abc");
	env_free(&out);
}

Test(env, null_and_empty_caller_env)
{
	char *empty[] = { NULL };
	struct env_out out;

	build_ok(NULL, &out);
	cr_assert_eq(out.n, 1);
	cr_assert_eq(out.bytes, sizeof("PATH=" SAFE_PATH));
	env_free(&out);
	build_ok(empty, &out);
	cr_assert_eq(out.n, 1);
	env_free(&out);
}

Test(env, bad_safe_path_refused)
{
	struct env_out out;
	const char *why = NULL;

	cr_assert_eq(env_build(NULL, NULL, &out, &why), -1);
	cr_assert_not_null(why);
	cr_assert_null(out.envp);
	why = NULL;
	cr_assert_eq(env_build(NULL, "/bin\n:/x", &out, &why), -1);
	cr_assert_not_null(why);
	cr_assert_null(out.envp);
	env_free(&out);
}

Test(env, free_is_idempotent)
{
	struct env_out out = { 0 };

	env_free(&out);
	env_free(NULL);
	build_ok(NULL, &out);
	env_free(&out);
	cr_assert_null(out.envp);
	cr_assert_eq(out.n, 0);
	env_free(&out);
}

/* ---- limits ------------------------------------------------------------- */

/* An environment of n entries "HTTP_Xnnnn=v" (each 13 bytes with NUL). */
static char **make_env(size_t n, char *storage)
{
	char **env = calloc(n + 1, sizeof(*env));

	cr_assert_not_null(env);
	for (size_t i = 0; i < n; i++) {
		env[i] = storage + i * 16;
		snprintf(env[i], 16, "HTTP_X%04u=v", (unsigned)(i % 10000));
	}
	return env;
}

Test(env, count_limit_exact_accepted)
{
	char *storage = malloc((ENV_MAX_ENTRIES + 1) * 16);
	cr_assert_not_null(storage);
	char **env = make_env(ENV_MAX_ENTRIES, storage);
	struct env_out out;

	build_ok(env, &out);
	cr_assert_eq(out.n, ENV_MAX_ENTRIES + 1);
	env_free(&out);
	free(env);
	free(storage);
}

Test(env, count_limit_plus_one_refused)
{
	char *storage = malloc((ENV_MAX_ENTRIES + 1) * 16);
	cr_assert_not_null(storage);
	char **env = make_env(ENV_MAX_ENTRIES + 1, storage);
	struct env_out out;
	const char *why = NULL;

	cr_assert_eq(env_build(env, SAFE_PATH, &out, &why), -1);
	cr_assert_str_eq(why, "environment has more than 4096 entries");
	cr_assert_null(out.envp);
	cr_assert_eq(out.n, 0);
	env_free(&out);
	free(env);
	free(storage);
}

/* A caller environment of exactly total bytes (strlen + 1 summed): a few
 * dropped entries and one big HTTP_BIG=xxx... entry. */
static void bytes_case(size_t total, int want_rc)
{
	char *env[] = { "LD_PRELOAD=/x.so", "HTTP_HOST=h", NULL, NULL };
	size_t used = sizeof("LD_PRELOAD=/x.so") + sizeof("HTTP_HOST=h");
	size_t big_len = total - used - 1;  /* strlen of the big entry */
	char *big = malloc(big_len + 1);
	struct env_out out;
	const char *why = NULL;

	cr_assert_not_null(big);
	memset(big, 'x', big_len);
	memcpy(big, "HTTP_BIG=", 9);
	big[big_len] = '\0';
	env[2] = big;
	cr_assert_eq(env_build(env, SAFE_PATH, &out, &why), want_rc);
	if (want_rc == 0) {
		check_shape(&out);
		cr_assert_eq(out.n, 3);
		cr_assert_eq(strlen(value_of(&out, "HTTP_BIG")), big_len - 9);
	} else {
		cr_assert_str_eq(why, "environment larger than 1 MiB");
		cr_assert_null(out.envp);
	}
	env_free(&out);
	free(big);
}

Test(env, bytes_limit_exact_accepted)
{
	bytes_case(ENV_MAX_BYTES, 0);
}

Test(env, bytes_limit_plus_one_refused)
{
	bytes_case(ENV_MAX_BYTES + 1, -1);
}

Test(env, bytes_limit_counts_dropped_entries)
{
	/* the limit is on what the caller sent, not on what is kept */
	size_t len = ENV_MAX_BYTES / 2;
	char *a = malloc(len + 1), *b = malloc(len + 1);
	struct env_out out;
	const char *why = NULL;

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	memset(a, 'x', len);
	memcpy(a, "LD_A=", 5);
	a[len] = '\0';
	memset(b, 'x', len);
	memcpy(b, "lower=", 6);
	b[len] = '\0';
	char *env[] = { a, b, NULL };  /* 2 * (len + 1) = limit + 2 */
	cr_assert_eq(env_build(env, SAFE_PATH, &out, &why), -1);
	cr_assert_str_eq(why, "environment larger than 1 MiB");
	free(a);
	free(b);
}

Test(env, single_huge_entry_refused)
{
	size_t len = 3 * ENV_MAX_BYTES;
	char *big = malloc(len + 1);
	struct env_out out;
	const char *why = NULL;

	cr_assert_not_null(big);
	memset(big, 'x', len);
	memcpy(big, "HTTP_BIG=", 9);
	big[len] = '\0';
	char *env[] = { big, NULL };
	cr_assert_eq(env_build(env, SAFE_PATH, &out, &why), -1);
	cr_assert_str_eq(why, "environment larger than 1 MiB");
	free(big);
}

Test(env, set_adds_and_replaces)
{
	char *caller[] = { "REQUEST_METHOD=GET", "TMPDIR=/tmp", NULL };
	struct env_out out;
	const char *why = NULL;

	cr_assert_eq(env_build(caller, "/usr/bin:/bin", &out, &why), 0);
	size_t n = out.n;
	cr_assert_eq(env_set(&out, "TMPDIR", "/var/lib/cgijail/tmp/alice", &why), 0);
	cr_assert_eq(out.n, n + 1, "the caller's TMPDIR was dropped, cgijail's is added");
	cr_assert_str_eq(out.envp[out.n - 1], "TMPDIR=/var/lib/cgijail/tmp/alice");
	cr_assert_null(out.envp[out.n]);
	cr_assert_eq(env_set(&out, "TMPDIR", "/x", &why), 0);
	cr_assert_eq(out.n, n + 1, "replaced, not added twice");
	cr_assert_str_eq(out.envp[out.n - 1], "TMPDIR=/x");
	cr_assert_eq(env_set(&out, "TMPDIR", "/x\n", &why), -1);
	cr_assert_str_eq(out.envp[out.n - 1], "TMPDIR=/x");
	env_free(&out);
}
