/* fuzz_paths - the path and name checks every request depends on
 * (policy/strutil.c: path_is_abs_normalized, path_is_safe_relative,
 * path_is_beneath, name_is_valid, path_expand_home, cgroup_parent_valid;
 * policy/policy.c: policy_cgroup_parent_is_valid; wrapper/logic/cglimits.c:
 * cgl_tenant_dir, cgl_tenant_user, cgl_is_unit_name).
 *
 * Input: up to three strings separated by NUL bytes: a path (or name), a
 * root (docroot, home), a relative path.
 *
 * Invariants (abort on violation), each checked against this file's own
 * reading of the documented rule:
 *  - a path accepted as safe relative is non-empty, does not start with
 *    '/', has no '..', '.' or empty component and no control character,
 *    and everything of that form is accepted;
 *  - absolute-normalized is likewise exact;
 *  - path_is_beneath compares whole components: true exactly when the
 *    root's components are a prefix of the path's ("/var/www2" is not
 *    under "/var/www", CVE-2007-1742);
 *  - docroot containment: root + "/" + a safe relative path is absolute,
 *    normalized and beneath root;
 *  - path_expand_home: "~" is the home, "~/x" is home + "/x" and beneath the
 *    home, "~user" is refused, anything else is kept as given; every
 *    result is absolute and normalized;
 *  - names and cgroup paths follow the name rule; a tenant's cgroup
 *    directory name is the user name, or '_' + the name when it could be
 *    taken for a kernel file, and cgl_tenant_user() gives the user back
 *    from exactly the names cgl_tenant_dir() makes; a systemd unit name
 *    (".slice", ".service", ".scope" after something) is recognised. */
#include "fuzz_common.h"

#include <limits.h>

#include "cglimits.h"
#include "policy.h"
#include "strutil.h"

/* Number of components of a normalized absolute path ("/" has none). */
static size_t ref_ncomp(const char *p)
{
	size_t n = 0;

	if (strcmp(p, "/") == 0)
		return 0;
	for (; *p; p++)
		n += *p == '/';
	return n;
}

/* The i-th component (0-based) of a normalized absolute path. */
static const char *ref_comp(const char *p, size_t i, size_t *len)
{
	p++;
	while (i-- > 0)
		p = strchr(p, '/') + 1;
	*len = strcspn(p, "/");
	return p;
}

static bool ref_beneath(const char *path, const char *root)
{
	size_t np, nr;

	if (!fuzz_ref_abs_normalized(path) || !fuzz_ref_abs_normalized(root))
		return false;
	np = ref_ncomp(path);
	nr = ref_ncomp(root);
	if (nr > np)
		return false;
	for (size_t i = 0; i < nr; i++) {
		size_t la, lb;
		const char *a = ref_comp(path, i, &la), *b = ref_comp(root, i, &lb);
		if (la != lb || memcmp(a, b, la) != 0)
			return false;
	}
	return true;
}

static void check_path_preds(const char *s)
{
	FUZZ_CHECK(path_is_safe_relative(s) == fuzz_ref_safe_relative(s),
		   "path_is_safe_relative('%s') = %d", s, path_is_safe_relative(s));
	if (path_is_safe_relative(s))
		FUZZ_CHECK(s[0] != '/' && !fuzz_has_component(s, "..") && !fuzz_has_ctl(s),
			   "'%s' accepted as safe relative", s);
	FUZZ_CHECK(path_is_abs_normalized(s) == fuzz_ref_abs_normalized(s),
		   "path_is_abs_normalized('%s') = %d", s, path_is_abs_normalized(s));
	FUZZ_CHECK(name_is_valid(s) == fuzz_ref_name(s), "name_is_valid('%s') = %d", s,
		   name_is_valid(s));
}

/* root + "/" + rel ("/" + rel for the root "/"). */
static void check_join(const char *root, const char *rel)
{
	char joined[2 * PATH_MAX];

	if (!path_is_abs_normalized(root) || !path_is_safe_relative(rel))
		return;
	snprintf(joined, sizeof(joined), "%s/%s", strcmp(root, "/") == 0 ? "" : root, rel);
	FUZZ_CHECK(path_is_abs_normalized(joined), "'%s' + '%s' not normalized", root, rel);
	FUZZ_CHECK(path_is_beneath(joined, root), "'%s' not beneath '%s'", joined, root);
	FUZZ_CHECK(!path_is_beneath(root, joined), "'%s' beneath '%s'", root, joined);
}

static void check_expand(const char *in, const char *home)
{
	char out[PATH_MAX];
	const char *reason = NULL;
	int rc = path_expand_home(in, home, out, sizeof(out), &reason);
	bool home_ok = home != NULL && fuzz_ref_abs_normalized(home);
	char want[2 * PATH_MAX + 2];

	if (in[0] == '~' && in[1] != '\0' && in[1] != '/') {
		FUZZ_CHECK(rc == -1, "~user '%s' accepted", in);
		return;
	}
	if (in[0] == '~' && !home_ok) {
		FUZZ_CHECK(rc == -1, "'%s' expanded without a usable home", in);
		return;
	}
	if (in[0] == '~')
		snprintf(want, sizeof(want), "%s%s",
			 strcmp(home, "/") == 0 && in[1] == '/' ? "" : home, in + 1);
	else
		snprintf(want, sizeof(want), "%s", in);
	bool ok = strlen(want) < sizeof(out) && fuzz_ref_abs_normalized(want);
	FUZZ_CHECK((rc == 0) == ok, "path_expand_home('%s', '%s') = %d (%s)", in,
		   home ? home : "(null)", rc, reason ? reason : "");
	if (rc != 0) {
		FUZZ_CHECK(reason != NULL, "no reason");
		return;
	}
	FUZZ_CHECK(strcmp(out, want) == 0, "'%s' expanded to '%s'", in, out);
	if (in[0] == '~')
		FUZZ_CHECK(path_is_beneath(out, home), "'%s' -> '%s' escapes '%s'", in, out, home);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), sl = strlen(suffix);

	return n > sl && strcmp(s + n - sl, suffix) == 0;
}

/* Reference for cgroup_parent_valid(): "/a/b" with 1+ components, each a
 * valid name, no systemd unit name when no_units. */
static bool ref_parent(const char *s, bool no_units)
{
	size_t n;

	if (strlen(s) >= 4096 || !fuzz_ref_abs_normalized(s) || (n = ref_ncomp(s)) == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *c = ref_comp(s, i, &len);
		char comp[40];

		if (len >= sizeof(comp))
			return false;
		memcpy(comp, c, len);
		comp[len] = '\0';
		if (!fuzz_ref_name(comp))
			return false;
		if (no_units && (ends_with(comp, ".slice") || ends_with(comp, ".service") ||
				 ends_with(comp, ".scope")))
			return false;
	}
	return true;
}

/* Reference for policy_cgroup_parent_is_valid(): 1..4 names joined by
 * single '/', relative, no '$'. */
static bool ref_policy_parent(const char *s)
{
	char abs[PATH_MAX + 2];
	size_t depth = 1;

	if (s[0] == '/' || strchr(s, '$') != NULL || strlen(s) >= PATH_MAX)
		return false;
	for (const char *q = s; *q; q++)
		depth += *q == '/';
	snprintf(abs, sizeof(abs), "/%s", s);
	return depth <= POLICY_CGROUP_PARENT_DEPTH && ref_parent(abs, false);
}

/* A cgroup directory named s could be taken for a kernel attribute file:
 * "tasks", "notify_on_release", "release_agent", a name starting with '_'
 * or '.', or "<controller or cgroup>.<anything>". */
static bool ref_needs_escape(const char *s)
{
	static const char *const prefixes[] = {
		"cgroup", "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer",
		"hugetlb", "io", "memory", "misc", "net_cls", "net_prio", "perf_event",
		"pids", "rdma", "dmem",
	};
	const char *dot = strchr(s, '.');

	if (s[0] == '_' || s[0] == '.' || strcmp(s, "tasks") == 0 ||
	    strcmp(s, "notify_on_release") == 0 || strcmp(s, "release_agent") == 0)
		return true;
	for (size_t i = 0; dot != NULL && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strlen(prefixes[i]) == (size_t)(dot - s) &&
		    strncmp(s, prefixes[i], (size_t)(dot - s)) == 0)
			return true;
	return false;
}

static void check_cgroup_names(const char *s)
{
	char dir[64];

	bool unit = ends_with(s, ".slice") || ends_with(s, ".service") || ends_with(s, ".scope");
	FUZZ_CHECK(cgl_is_unit_name(s) == unit, "cgl_is_unit_name('%s') = %d", s,
		   cgl_is_unit_name(s));
	FUZZ_CHECK(policy_cgroup_parent_is_valid(s) == ref_policy_parent(s),
		   "policy_cgroup_parent_is_valid('%s') = %d", s, policy_cgroup_parent_is_valid(s));
	for (int units = 0; units < 2; units++)
		FUZZ_CHECK(cgroup_parent_valid(s, units) == ref_parent(s, units),
			   "cgroup_parent_valid('%s', %d) = %d", s, units,
			   cgroup_parent_valid(s, units));

	/* A tenant's directory name. */
	int rc = cgl_tenant_dir(s, dir, sizeof(dir));
	FUZZ_CHECK((rc == 0) == fuzz_ref_name(s), "cgl_tenant_dir('%s') = %d", s, rc);
	if (rc != 0)
		return;
	bool esc = ref_needs_escape(s);
	FUZZ_CHECK(esc ? dir[0] == '_' && strcmp(dir + 1, s) == 0 : strcmp(dir, s) == 0,
		   "'%s' -> '%s'", s, dir);
	FUZZ_CHECK(!ref_needs_escape(dir) || dir[0] == '_', "'%s' could be a kernel file", dir);
	char back[64];
	FUZZ_CHECK(cgl_tenant_user(dir, back, sizeof(back)) == 0 && strcmp(back, s) == 0,
		   "'%s' -> '%s' -> '%s'", s, dir, back);
}

/* cgl_tenant_user() accepts exactly what cgl_tenant_dir() makes. */
static void check_tenant_user(const char *dir)
{
	char user[64], again[64];
	int rc = cgl_tenant_user(dir, user, sizeof(user));

	if (rc != 0) {
		/* No user has this directory: a name that maps to dir would be
		 * dir itself or dir without a leading '_'. */
		const char *cands[2] = { dir, dir[0] == '_' ? dir + 1 : NULL };
		for (int i = 0; i < 2; i++)
			if (cands[i] != NULL && cgl_tenant_dir(cands[i], again, sizeof(again)) == 0)
				FUZZ_CHECK(strcmp(again, dir) != 0,
					   "cgl_tenant_user('%s') refused what '%s' maps to", dir, cands[i]);
		return;
	}
	FUZZ_CHECK(fuzz_ref_name(user), "cgl_tenant_user('%s') = '%s'", dir, user);
	FUZZ_CHECK(cgl_tenant_dir(user, again, sizeof(again)) == 0 && strcmp(again, dir) == 0,
		   "cgl_tenant_user('%s') = '%s', which maps to '%s'", dir, user, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v[4], *buf;
	size_t n = fuzz_split(data, size, v, 3, &buf);
	const char *a = n > 0 ? v[0] : "";
	const char *b = n > 1 ? v[1] : "/";
	const char *c = n > 2 ? v[2] : a;

	check_path_preds(a);
	check_path_preds(b);
	check_path_preds(c);
	FUZZ_CHECK(path_is_beneath(a, b) == ref_beneath(a, b), "path_is_beneath('%s', '%s') = %d",
		   a, b, path_is_beneath(a, b));
	FUZZ_CHECK(path_is_beneath(b, a) == ref_beneath(b, a), "path_is_beneath('%s', '%s') = %d",
		   b, a, path_is_beneath(b, a));
	check_join(b, c);
	check_join(b, a);
	check_expand(a, b);
	check_expand(a, NULL);
	check_expand(c, b);
	check_cgroup_names(a);
	check_tenant_user(a);
	free(buf);
	return 0;
}
