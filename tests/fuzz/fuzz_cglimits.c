/* fuzz_cglimits - the pure half of the cgroup module
 * (wrapper/logic/cglimits.c): parsers of what cgroup files say
 * (cgl_parse_u64, cgl_find_key, cgl_has_word, cgl_parse_pids,
 * cgl_freezer_state, cgl_same_value) and the limit formatter (cgl_format).
 *
 * Input: a 24-byte header (cgroup version, controller, memory, tasks and
 * cpu limits, a pid count, a file selector, a slot number; short inputs
 * are padded with zeros), then NUL-separated strings: a cgroup file's text,
 * a key or word, a wanted value.
 *
 * Invariants (abort on violation): each parser gives exactly what this
 * file's own reading of the documented format gives (cglimits.h: numbers
 * with an optional '\n' and "max"; "key value" lines where the first line
 * with the key decides; space/newline-separated words; one pid per line in
 * 1..INT32_MAX); cgl_format writes the documented files and values for
 * each version and controller, every value fits, and a value read back
 * from the kernel as written (or, for memory, rounded down to a page)
 * counts as already set, while another value does not. */
#include "fuzz_common.h"

#include <inttypes.h>

#include "cglimits.h"

#define PIDS_MAX 64

static uint64_t take(const uint8_t *h, size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)h[off + i] << (8 * i);
	return v;
}

/* ^(max|[0-9]+)\n?$, value <= UINT64_MAX. */
static bool ref_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (strncmp(s, "max", 3) == 0) {
		v = UINT64_MAX;
		p += 3;
	} else {
		if (!(*p >= '0' && *p <= '9'))
			return false;
		for (; *p >= '0' && *p <= '9'; p++) {
			unsigned d = (unsigned)(*p - '0');
			if (v > UINT64_MAX / 10 || v * 10 > UINT64_MAX - d)
				return false;
			v = v * 10 + d;
		}
	}
	if (strcmp(p, "") != 0 && strcmp(p, "\n") != 0)
		return false;
	*out = v;
	return true;
}

/* The first line "key value" decides: 0, -1 (bad value), -2 (no such line). */
static int ref_find_key(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);

	if (klen == 0)
		return -1;
	for (const char *line = text; *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > klen && memcmp(line, key, klen) == 0 && line[klen] == ' ') {
			char val[64];
			size_t vlen = len - klen - 1;
			if (vlen == 0 || vlen >= 32)
				return -1;
			memcpy(val, line + klen + 1, vlen);
			val[vlen] = '\0';
			return ref_u64(val, out) ? 0 : -1;
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return -2;
}

static bool ref_has_word(const char *text, const char *word)
{
	size_t wlen = strlen(word);

	for (const char *p = text;;) {
		size_t len = strcspn(p, " \n");
		if (len == wlen && wlen > 0 && memcmp(p, word, len) == 0)
			return true;
		if (p[len] == '\0')
			return false;
		p += len + 1;
	}
}

/* One pid per line; only the first max lines are read. */
static int ref_pids(const char *text, pid_t *out, size_t max)
{
	size_t n = 0;
	const char *p = text;

	while (*p != '\0' && n < max) {
		size_t len = strcspn(p, "\n");
		uint64_t v = 0;

		if (len == 0)
			return -1;
		for (size_t i = 0; i < len; i++) {
			if (p[i] < '0' || p[i] > '9')
				return -1;
			v = v * 10 + (uint64_t)(p[i] - '0');
			if (v > INT32_MAX)
				return -1;
		}
		if (v == 0 || v > INT32_MAX)
			return -1;
		out[n++] = (pid_t)v;
		p += len;
		if (*p == '\n')
			p++;
	}
	return (int)n;
}

static void check_setting(const struct cg_setting *s, const char *file, const char *value,
			  bool optional)
{
	FUZZ_CHECK(s->file != NULL && strcmp(s->file, file) == 0, "file %s, expected %s",
		   s->file ? s->file : "(null)", file);
	FUZZ_CHECK(memchr(s->value, '\0', sizeof(s->value)) != NULL, "%s: value unterminated",
		   file);
	FUZZ_CHECK(strcmp(s->value, value) == 0, "%s = '%s', expected '%s'", file, s->value,
		   value);
	FUZZ_CHECK(s->optional == optional, "%s: optional %d", file, s->optional);

	/* What the kernel shows after the write counts as already set. */
	char back[CGL_VALUE_MAX + 2];
	snprintf(back, sizeof(back), "%s\n", value);
	FUZZ_CHECK(cgl_same_value(file, back, value), "%s: '%s' read back is not the same",
		   file, value);
	FUZZ_CHECK(cgl_same_value(file, value, value), "%s: '%s' is not the same", file, value);
}

static void dec(char *buf, size_t sz, uint64_t v)
{
	snprintf(buf, sz, "%" PRIu64, v);
}

static void check_format(int ver, int ctrl, const struct cg_limits *l)
{
	struct cg_setting out[CG_SETTINGS_MAX];
	char a[40], b[40];

	memset(out, 0, sizeof(out));
	int n = cgl_format((enum cg_version)ver, (enum cg_ctrl)ctrl, l, out);
	bool v2 = ver == CG_V2;

	if (ver != CG_V1 && ver != CG_V2) {
		FUZZ_CHECK(n == -1, "version %d gives %d", ver, n);
		return;
	}
	switch (ctrl) {
	case CG_MEMORY:
		if (l->memory >= (uint64_t)INT64_MAX) {
			FUZZ_CHECK(n == -1, "memory %" PRIu64 " gives %d", l->memory, n);
			return;
		}
		FUZZ_CHECK(n == 2, "memory gives %d", n);
		dec(a, sizeof(a), l->memory);
		if (v2) {
			check_setting(&out[0], "memory.max", l->memory ? a : "max", false);
			check_setting(&out[1], "memory.swap.max", l->memory ? "0" : "max", true);
		} else {
			check_setting(&out[0], "memory.limit_in_bytes", l->memory ? a : "-1", false);
			check_setting(&out[1], "memory.memsw.limit_in_bytes", l->memory ? a : "-1",
				      true);
		}
		if (l->memory != 0) {
			/* The kernel rounds a memory limit down to a page. */
			dec(b, sizeof(b), l->memory & ~(uint64_t)4095);
			strcat(b, "\n");
			FUZZ_CHECK(cgl_same_value(out[0].file, b, a), "%s: '%s' for %s", out[0].file,
				   b, a);
			if (l->memory >= 65536 + 4096) {
				dec(b, sizeof(b), (l->memory & ~(uint64_t)4095) - 65536);
				FUZZ_CHECK(!cgl_same_value(out[0].file, b, a),
					   "%s: %s counts as %s", out[0].file, b, a);
			}
		} else if (!v2) {
			/* v1 shows "unlimited" as PAGE_COUNTER_MAX pages. */
			FUZZ_CHECK(cgl_same_value("memory.limit_in_bytes", "9223372036854771712\n",
						  "-1"),
				   "v1 unlimited memory not recognised");
		}
		break;
	case CG_PIDS:
		if (l->tasks > (uint64_t)INT32_MAX) {
			FUZZ_CHECK(n == -1, "tasks %" PRIu64 " gives %d", l->tasks, n);
			return;
		}
		FUZZ_CHECK(n == 1, "pids gives %d", n);
		dec(a, sizeof(a), l->tasks);
		check_setting(&out[0], "pids.max", l->tasks ? a : "max", false);
		break;
	case CG_CPU: {
		uint32_t pct = l->cpu_percent;
		if (pct > CG_CPU_PERCENT_MAX) {
			FUZZ_CHECK(n == -1, "cpu %u gives %d", (unsigned)pct, n);
			return;
		}
		dec(a, sizeof(a), (uint64_t)pct * 1000);
		if (v2) {
			FUZZ_CHECK(n == 1, "cpu v2 gives %d", n);
			snprintf(b, sizeof(b), "%s 100000", pct ? a : "max");
			check_setting(&out[0], "cpu.max", b, pct == 0);
		} else {
			FUZZ_CHECK(n == 2, "cpu v1 gives %d", n);
			check_setting(&out[0], "cpu.cfs_period_us", "100000", pct == 0);
			check_setting(&out[1], "cpu.cfs_quota_us", pct ? a : "-1", pct == 0);
		}
		break;
	}
	case CG_FREEZER:
		FUZZ_CHECK(n == 0, "freezer gives %d", n);
		break;
	default:
		FUZZ_CHECK(n == -1, "controller %d gives %d", ctrl, n);
	}
}

/* cgl_same_value's documented rule. */
static bool ref_same(const char *file, const char *cur, const char *want)
{
	char c[CGL_VALUE_MAX * 2];
	size_t len = strlen(cur);
	uint64_t cv, wv;

	if (len > 0 && cur[len - 1] == '\n')
		len--;
	if (len >= sizeof(c))
		return false;
	memcpy(c, cur, len);
	c[len] = '\0';
	if (strcmp(c, want) == 0)
		return true;
	if (strncmp(file, "memory.", 7) != 0 || !ref_u64(c, &cv))
		return false;
	if (strcmp(want, "-1") == 0)
		return cv >= ((uint64_t)INT64_MAX & ~(uint64_t)0xffff);
	if (!ref_u64(want, &wv) || cv == UINT64_MAX || wv == UINT64_MAX)
		return false;
	return cv % 4096 == 0 && cv <= wv && wv - cv < 65536;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "memory.max", "memory.limit_in_bytes", "pids.max",
					     "cpu.max", "memory.memsw.limit_in_bytes",
					     "cpu.cfs_quota_us" };
	uint8_t h[24] = { 0 };
	char *v[4], *buf;
	pid_t pids[PIDS_MAX], ref[PIDS_MAX];
	uint64_t x = 0, y = 0;

	memcpy(h, data, size < sizeof(h) ? size : sizeof(h));
	size_t skip = size < sizeof(h) ? size : sizeof(h);
	size_t n = fuzz_split(data + skip, size - skip, v, 3, &buf);
	const char *text = n > 0 ? v[0] : "";
	const char *key = n > 1 ? v[1] : "memory";
	const char *want = n > 2 ? v[2] : text;

	/* Numbers. */
	int rc = cgl_parse_u64(text, &x);
	bool ok = ref_u64(text, &y);
	FUZZ_CHECK((rc == 0) == ok && (!ok || x == y), "cgl_parse_u64('%s') = %d, %" PRIu64, text,
		   rc, x);
	if (ok && y != UINT64_MAX) {
		char back[32];
		dec(back, sizeof(back), y);
		FUZZ_CHECK(cgl_parse_u64(back, &x) == 0 && x == y, "'%s' does not read back", back);
	}

	/* "key value" files. */
	x = y = 0;
	rc = cgl_find_key(text, key, &x);
	int want_rc = ref_find_key(text, key, &y);
	FUZZ_CHECK(rc == want_rc && (rc != 0 || x == y), "cgl_find_key('%s') = %d, expected %d",
		   key, rc, want_rc);

	/* Word lists (words cannot contain the separators). */
	if (strpbrk(key, " \n") == NULL)
		FUZZ_CHECK(cgl_has_word(text, key) == ref_has_word(text, key),
			   "cgl_has_word('%s') = %d", key, cgl_has_word(text, key));

	/* cgroup.procs */
	size_t max = h[19] % (PIDS_MAX + 1);
	rc = cgl_parse_pids(text, pids, max);
	int ref_rc = ref_pids(text, ref, max);
	FUZZ_CHECK(rc == ref_rc, "cgl_parse_pids (max %zu) = %d, expected %d", max, rc, ref_rc);
	for (int i = 0; i < rc; i++)
		FUZZ_CHECK(pids[i] == ref[i] && pids[i] > 0, "pid %d: %d, expected %d", i,
			   (int)pids[i], (int)ref[i]);

	/* freezer.state */
	enum cg_freezer_state fs = cgl_freezer_state(text);
	const char *names[] = { "THAWED", "FREEZING", "FROZEN" };
	enum cg_freezer_state want_fs = CGF_INVALID;
	for (int i = 0; i < 3; i++) {
		size_t l = strlen(names[i]);
		if (strncmp(text, names[i], l) == 0 && (text[l] == '\0' || strcmp(text + l, "\n") == 0))
			want_fs = (enum cg_freezer_state)i;
	}
	FUZZ_CHECK(fs == want_fs, "cgl_freezer_state('%s') = %d", text, (int)fs);

	/* Comparing what a file says with what would be written. */
	const char *file = files[h[20] % (sizeof(files) / sizeof(files[0]))];
	FUZZ_CHECK(cgl_same_value(file, text, want) == ref_same(file, text, want),
		   "cgl_same_value(%s, '%s', '%s')", file, text, want);

	/* Writing limits. */
	struct cg_limits l = { .memory = take(h, 2, 8), .tasks = take(h, 10, 5),
			       .cpu_percent = (uint32_t)take(h, 15, 4) };
	/* Small values matter most: fold the bytes into typical ranges too. */
	if (h[1] & 0x80) {
		l.memory %= 1ULL << 40;
		l.tasks %= 1ULL << 20;
		l.cpu_percent %= 200000;
	}
	check_format(h[0] % 4, (h[1] & 0x7f) % 6, &l);

	/* Slot names. */
	char slot[16];
	unsigned k = (unsigned)take(h, 21, 3);
	char want_slot[16];
	snprintf(want_slot, sizeof(want_slot), "s%u", k);
	FUZZ_CHECK(cgl_slot_name(k, slot, sizeof(slot)) == 0 && strcmp(slot, want_slot) == 0,
		   "slot %u: '%s'", k, slot);
	free(buf);
	return 0;
}
