/* fuzz_escape - the log escaper (policy/strutil.c: str_escape_json), which
 * every untrusted string (script path, user names, reasons) goes through
 * before it reaches syslog or the JSON log, and policy_error_format, which
 * builds the policy error messages the wrapper logs.
 *
 * Input: two bytes giving the output buffer size (1..1024), then the
 * string to escape (up to its first NUL); what follows a NUL is used as
 * the error's reason for policy_error_format (file name: the string).
 *
 * Invariants (abort on violation):
 *  - the output is NUL-terminated within the buffer, its length is the
 *    return value, and it has no raw control character (C0, DEL), no
 *    unescaped '"' or '\\', only well-formed escapes (\" \\ \uXXXX) and
 *    valid UTF-8 with no C1 control, U+2028/U+2029 or bidi override left
 *    raw;
 *  - when it fits, unescaping it gives back the input exactly (each byte
 *    of invalid UTF-8 stands as \u00XX for that byte);
 *  - when it does not fit, it is a prefix of the full escaping cut at an
 *    item boundary (never inside an escape or a UTF-8 sequence), followed
 *    by "..." as far as it fits, and no further item would have fitted;
 *  - policy_error_format's message has no control character. */
#include "fuzz_common.h"

#include "policy.h"
#include "strutil.h"

#define MAX_CPS 8192

static void check_error_format(const char *file, const char *reason)
{
	struct policy_error e;
	char out[600];

	memset(&e, 0, sizeof(e));
	snprintf(e.file, sizeof(e.file), "%s", file);
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	for (unsigned line = 0; line < 2; line++) {
		e.line = line * 17;
		policy_error_format(&e, out, sizeof(out));
		FUZZ_CHECK(strlen(out) < sizeof(out) && !fuzz_has_ctl(out),
			   "policy_error_format: control character");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long want[MAX_CPS], got[MAX_CPS], full_cps[MAX_CPS];
	static size_t ends[MAX_CPS], full_ends[MAX_CPS];
	char *v[3], *buf;

	if (size < 2 || size > MAX_CPS)
		return 0;
	size_t outsz = 1 + ((size_t)data[0] | (size_t)data[1] << 8) % 1024;
	size_t n = fuzz_split(data + 2, size - 2, v, 2, &buf);
	const char *s = n > 0 ? v[0] : "";
	size_t slen = strlen(s);

	/* Big enough for anything: every byte a 6-byte escape. */
	size_t bigsz = slen * 6 + 1;
	char *full = malloc(bigsz), *out = malloc(outsz + 1);
	FUZZ_CHECK(full != NULL && out != NULL, "malloc");
	memset(out, 'X', outsz + 1);

	size_t flen = str_escape_json(full, bigsz, s);
	FUZZ_CHECK(flen < bigsz && strlen(full) == flen, "full: %zu of %zu", flen, bigsz);
	size_t nfull = fuzz_json_decode(full, flen, full_cps, full_ends);
	size_t nwant = fuzz_meaning(s, want);
	FUZZ_CHECK(nfull == nwant && memcmp(full_cps, want, nwant * sizeof(want[0])) == 0,
		   "escaping changed the meaning of the input");

	size_t olen = str_escape_json(out, outsz, s);
	FUZZ_CHECK(olen < outsz && out[olen] == '\0' && strlen(out) == olen,
		   "returned %zu for a buffer of %zu", olen, outsz);
	FUZZ_CHECK(out[outsz] == 'X', "wrote past the buffer");
	if (flen < outsz) {
		FUZZ_CHECK(olen == flen && strcmp(out, full) == 0, "fits but differs");
	} else {
		/* A whole-item prefix of the full form, then dots. */
		size_t want_dots = outsz - 1 < 3 ? outsz - 1 : 3;
		size_t plen = olen - want_dots;
		FUZZ_CHECK(olen >= want_dots && memcmp(out + plen, "...", want_dots) == 0,
			   "truncated without '...': '%s' (buffer %zu)", out, outsz);
		FUZZ_CHECK(memcmp(out, full, plen) == 0, "truncated output is not a prefix");
		size_t k = 0;
		while (k < nfull && full_ends[k] < plen)
			k++;
		FUZZ_CHECK(plen == 0 || (k < nfull && full_ends[k] == plen),
			   "cut inside an item at %zu", plen);
		size_t items = plen == 0 ? 0 : k + 1;
		size_t room = outsz > 4 ? outsz - 4 : 0;
		size_t next_len = full_ends[items] - (items ? full_ends[items - 1] : 0);
		FUZZ_CHECK(items < nfull && plen + next_len > room,
			   "stopped at %zu bytes with room for the next item", plen);
		(void)fuzz_json_decode(out, plen, got, ends);
	}
	check_error_format(s, n > 1 ? v[1] : s);
	free(full);
	free(out);
	free(buf);
	return 0;
}
