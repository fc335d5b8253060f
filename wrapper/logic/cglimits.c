/* cglimits.c - see cglimits.h.  No I/O. */
#include "cglimits.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "strutil.h"

static int put(struct cg_setting *s, const char *file, bool optional,
	       const char *value)
{
	size_t len = strlen(value);

	if (len >= sizeof s->value)
		return -1;
	s->file = file;
	s->optional = optional;
	memcpy(s->value, value, len + 1);
	return 0;
}

static int put_u64(struct cg_setting *s, const char *file, bool optional,
		   uint64_t v)
{
	char buf[CGL_VALUE_MAX];
	int n = snprintf(buf, sizeof buf, "%" PRIu64, v);

	if (n < 0 || (size_t)n >= sizeof buf)
		return -1;
	return put(s, file, optional, buf);
}

static int fmt_memory(enum cg_version v, uint64_t mem,
		      struct cg_setting out[CG_SETTINGS_MAX])
{
	if (mem >= (uint64_t)INT64_MAX)
		return -1;
	if (v == CG_V2) {
		if (mem == 0) {
			if (put(&out[0], "memory.max", false, "max") != 0 ||
			    put(&out[1], "memory.swap.max", true, "max") != 0)
				return -1;
		} else if (put_u64(&out[0], "memory.max", false, mem) != 0 ||
			   /* memory.max already takes all of it: no swap. */
			   put(&out[1], "memory.swap.max", true, "0") != 0) {
			return -1;
		}
		return 2;
	}
	if (mem == 0) {
		if (put(&out[0], "memory.limit_in_bytes", false, "-1") != 0 ||
		    put(&out[1], "memory.memsw.limit_in_bytes", true, "-1") != 0)
			return -1;
	} else if (put_u64(&out[0], "memory.limit_in_bytes", false, mem) != 0 ||
		   put_u64(&out[1], "memory.memsw.limit_in_bytes", true, mem) != 0) {
		return -1;
	}
	return 2;
}

static int fmt_cpu(enum cg_version v, uint32_t pct,
		   struct cg_setting out[CG_SETTINGS_MAX])
{
	uint64_t quota = (uint64_t)pct * (CG_CPU_PERIOD_US / 100u);
	bool optional = pct == 0;

	if (pct > CG_CPU_PERCENT_MAX)
		return -1;
	if (v == CG_V2) {
		char buf[CGL_VALUE_MAX];
		int n;

		if (pct == 0)
			n = snprintf(buf, sizeof buf, "max %u", CG_CPU_PERIOD_US);
		else
			n = snprintf(buf, sizeof buf, "%" PRIu64 " %u", quota,
				     CG_CPU_PERIOD_US);
		if (n < 0 || (size_t)n >= sizeof buf)
			return -1;
		return put(&out[0], "cpu.max", optional, buf) == 0 ? 1 : -1;
	}
	if (put_u64(&out[0], "cpu.cfs_period_us", optional, CG_CPU_PERIOD_US) != 0)
		return -1;
	if (pct == 0)
		return put(&out[1], "cpu.cfs_quota_us", optional, "-1") == 0 ? 2 : -1;
	return put_u64(&out[1], "cpu.cfs_quota_us", optional, quota) == 0 ? 2 : -1;
}

int cgl_format(enum cg_version v, enum cg_ctrl c, const struct cg_limits *l,
	       struct cg_setting out[CG_SETTINGS_MAX])
{
	if (l == NULL || out == NULL || (v != CG_V1 && v != CG_V2))
		return -1;
	switch (c) {
	case CG_MEMORY:
		return fmt_memory(v, l->memory, out);
	case CG_PIDS:
		if (l->tasks > (uint64_t)INT32_MAX)
			return -1;
		if (l->tasks == 0)
			return put(&out[0], "pids.max", false, "max") == 0 ? 1 : -1;
		return put_u64(&out[0], "pids.max", false, l->tasks) == 0 ? 1 : -1;
	case CG_CPU:
		return fmt_cpu(v, l->cpu_percent, out);
	case CG_FREEZER:
		return 0;
	case CG_NCTRL:
	default:
		return -1;
	}
}

/* cur without its trailing newline into buf; false when too long. */
static bool chomp(const char *cur, char *buf, size_t size)
{
	size_t n = strlen(cur);

	if (n > 0 && cur[n - 1] == '\n')
		n--;
	if (n >= size)
		return false;
	memcpy(buf, cur, n);
	buf[n] = '\0';
	return true;
}

bool cgl_same_value(const char *file, const char *cur, const char *want)
{
	char c[CGL_VALUE_MAX * 2];
	uint64_t cv, wv;

	if (file == NULL || cur == NULL || want == NULL || !chomp(cur, c, sizeof c))
		return false;
	if (strcmp(c, want) == 0)
		return true;
	if (strncmp(file, "memory.", 7) != 0 || cgl_parse_u64(c, &cv) != 0)
		return false;
	/* v1 "unlimited": PAGE_COUNTER_MAX pages, shown page-aligned. */
	if (strcmp(want, "-1") == 0)
		return cv >= ((uint64_t)INT64_MAX & ~(uint64_t)0xffff);
	if (cgl_parse_u64(want, &wv) != 0 || cv == UINT64_MAX || wv == UINT64_MAX)
		return false;
	/* Rounded down to a page (4 KiB .. 64 KiB pages). */
	return cv % 4096u == 0 && cv <= wv && wv - cv < 65536u;
}

int cgl_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (s == NULL || out == NULL)
		return -1;
	if (strncmp(s, "max", 3) == 0) {
		v = UINT64_MAX;
		p = s + 3;
	} else {
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			unsigned d = (unsigned)(*p - '0');

			if (v > (UINT64_MAX - d) / 10u)
				return -1;
			v = v * 10u + d;
		}
	}
	if (*p == '\n')
		p++;
	if (*p != '\0')
		return -1;
	*out = v;
	return 0;
}

int cgl_find_key(const char *text, const char *key, uint64_t *out)
{
	size_t klen;
	const char *line = text;

	if (text == NULL || key == NULL || out == NULL || key[0] == '\0')
		return -1;
	klen = strlen(key);
	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);

		if (len > klen && strncmp(line, key, klen) == 0 &&
		    line[klen] == ' ') {
			char buf[CGL_VALUE_MAX];
			size_t vlen = len - klen - 1;

			if (vlen == 0 || vlen >= sizeof buf)
				return -1;
			memcpy(buf, line + klen + 1, vlen);
			buf[vlen] = '\0';
			return cgl_parse_u64(buf, out);
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return -2;
}

bool cgl_has_word(const char *text, const char *word)
{
	size_t wlen;
	const char *p = text;

	if (text == NULL || word == NULL)
		return false;
	wlen = strlen(word);
	if (wlen == 0)
		return false;
	while ((p = strstr(p, word)) != NULL) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\n';
		char end = p[wlen];

		if (start && (end == '\0' || end == ' ' || end == '\n'))
			return true;
		p += wlen;
	}
	return false;
}

int cgl_parse_pids(const char *text, pid_t *out, size_t max)
{
	size_t n = 0;
	const char *p = text;

	if (text == NULL || (out == NULL && max > 0))
		return -1;
	while (*p != '\0' && n < max) {
		uint64_t v = 0;

		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			v = v * 10u + (unsigned)(*p - '0');
			if (v > (uint64_t)INT32_MAX)
				return -1;
		}
		if (v == 0 || (*p != '\n' && *p != '\0'))
			return -1;
		if (*p == '\n')
			p++;
		out[n++] = (pid_t)v;
	}
	return (int)n;
}

enum cg_freezer_state cgl_freezer_state(const char *text)
{
	static const struct {
		const char *name;
		enum cg_freezer_state st;
	} states[] = {
		{ "THAWED", CGF_THAWED },
		{ "FREEZING", CGF_FREEZING },
		{ "FROZEN", CGF_FROZEN },
	};
	char buf[16];

	if (text == NULL || !chomp(text, buf, sizeof buf))
		return CGF_INVALID;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (strcmp(buf, states[i].name) == 0)
			return states[i].st;
	return CGF_INVALID;
}

/* Would a directory named `name` collide with a kernel attribute file? */
static bool needs_escape(const char *name)
{
	static const char *const files[] = { "tasks", "notify_on_release",
					     "release_agent" };
	/* v1 and v2 controllers and the core prefix: their files are
	 * "<prefix>.<something>". */
	static const char *const prefixes[] = {
		"cgroup", "blkio", "cpu", "cpuacct", "cpuset", "devices",
		"freezer", "hugetlb", "io", "memory", "misc", "net_cls",
		"net_prio", "perf_event", "pids", "rdma", "dmem",
	};
	const char *dot = strchr(name, '.');

	if (name[0] == '_' || name[0] == '.')
		return true;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (strcmp(name, files[i]) == 0)
			return true;
	if (dot == NULL)
		return false;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strlen(prefixes[i]) == (size_t)(dot - name) &&
		    strncmp(name, prefixes[i], (size_t)(dot - name)) == 0)
			return true;
	return false;
}

int cgl_tenant_dir(const char *user, char *out, size_t size)
{
	size_t n;
	bool esc;

	if (out == NULL || size == 0 || !name_is_valid(user))
		return -1;
	n = strlen(user);
	esc = needs_escape(user);
	if (n + (esc ? 1u : 0u) >= size)
		return -1;
	if (esc)
		out[0] = '_';
	memcpy(out + (esc ? 1 : 0), user, n + 1);
	return 0;
}

int cgl_tenant_user(const char *dir, char *out, size_t size)
{
	char back[64];
	const char *user = dir != NULL && dir[0] == '_' ? dir + 1 : dir;

	if (out == NULL || size == 0 || user == NULL || !name_is_valid(user) ||
	    strlen(user) >= size)
		return -1;
	/* Only the exact inverse: a directory cgl_tenant_dir() would not
	 * have made ("_tasks_x" for "tasks_x", "x.y" with an escaped
	 * prefix) is not a tenant's. */
	if (cgl_tenant_dir(user, back, sizeof back) != 0 || strcmp(back, dir) != 0)
		return -1;
	memcpy(out, user, strlen(user) + 1);
	return 0;
}

bool cgl_is_unit_name(const char *name)
{
	static const char *const suffixes[] = { ".slice", ".service", ".scope" };
	size_t len = name != NULL ? strlen(name) : 0;

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);

		if (len > sl && strcmp(name + len - sl, suffixes[i]) == 0)
			return true;
	}
	return false;
}

const char *const cgl_ctrl_name[CG_NCTRL] = { "memory", "pids", "cpu", "freezer" };

#define MOUNTS_HEADER "cgijail-cgroup-mounts 1\n"

static bool mount_path_ok(const char *p)
{
	if (!path_is_abs_normalized(p))
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

size_t cgl_format_mounts(const struct cg_mount m[CG_NCTRL], char *out, size_t outsz)
{
	size_t len = 0;
	int n = snprintf(out, outsz, "%s", MOUNTS_HEADER);

	if (n < 0 || (size_t)n >= outsz)
		return 0;
	len = (size_t)n;
	for (int c = 0; c < CG_NCTRL; c++) {
		if (!m[c].found)
			continue;
		if ((m[c].version != CG_V1 && m[c].version != CG_V2) ||
		    !mount_path_ok(m[c].path))
			return 0;
		n = snprintf(out + len, outsz - len, "%s %d %s\n", cgl_ctrl_name[c],
			     (int)m[c].version, m[c].path);
		if (n < 0 || (size_t)n >= outsz - len)
			return 0;
		len += (size_t)n;
	}
	return len;
}

int cgl_parse_mounts(const char *text, struct cg_mount m[CG_NCTRL])
{
	const char *p;

	for (int c = 0; c < CG_NCTRL; c++)
		m[c].found = false;
	if (text == NULL || strncmp(text, MOUNTS_HEADER, strlen(MOUNTS_HEADER)) != 0)
		return -1;
	p = text + strlen(MOUNTS_HEADER);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		const char *sp1 = strchr(p, ' ');
		const char *sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
		int c = -1;

		if (nl == NULL || sp1 == NULL || sp2 == NULL || sp2 > nl || sp2 != sp1 + 2)
			return -1;
		for (int k = 0; k < CG_NCTRL; k++)
			if (strlen(cgl_ctrl_name[k]) == (size_t)(sp1 - p) &&
			    strncmp(p, cgl_ctrl_name[k], (size_t)(sp1 - p)) == 0)
				c = k;
		if (c < 0 || m[c].found || (sp1[1] != '1' && sp1[1] != '2'))
			return -1;
		size_t plen = (size_t)(nl - sp2 - 1);
		if (plen == 0 || plen >= sizeof m[c].path)
			return -1;
		memcpy(m[c].path, sp2 + 1, plen);
		m[c].path[plen] = '\0';
		if (!mount_path_ok(m[c].path))
			return -1;
		m[c].version = sp1[1] == '1' ? CG_V1 : CG_V2;
		m[c].found = true;
		p = nl + 1;
	}
	return 0;
}

int cgl_slot_name(unsigned k, char *out, size_t size)
{
	int n;

	if (out == NULL || size == 0)
		return -1;
	n = snprintf(out, size, "s%u", k);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}



