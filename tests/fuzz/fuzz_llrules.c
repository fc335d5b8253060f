/* fuzz_llrules - the Landlock ruleset builder (wrapper/logic/llrules.c:
 * ll_build, ll_describe_missing, ll_find_rule) and the network value it is
 * given (policy/netspec.c: net_parse, net_format), all pure:
 * it turns a request's facts into access masks and {path, access} rules.
 *
 * Input: four header bytes (ABI, mode, flags: audit and loader choice,
 * unused), then NUL-separated strings: interpreter, tenant root, tmpdir
 * ("" for none), home ("" for none), network ("any", "none",
 * "tcp:80,443"), loader, then the policy's read/write/exec entries, each
 * prefixed by 'r', 'w' or 'x' (anything else is a read entry).
 *
 * Invariants (abort on violation):
 *  - ll_build succeeds exactly when every path is usable (this file's own
 *    rules: absolute normalized, "~"/"~/x" with a home), the ABI is >= 1
 *    and the mode known, and network = tcp: has ABI 4 when landlock =
 *    required, unless the rules or their paths exceed the
 *    ruleset's capacity (and then only with a capacity reason);
 *  - the handled masks, scopes, flags and missing-protection bits are the
 *    ones documented for the ABI (llrules.h, the Landlock ABI table);
 *  - every rule's rights are non-zero and within the handled mask, file
 *    rules carry file rights only; EXECUTE appears only on the
 *    interpreter, the loader and exec= entries; write rights only on the
 *    tmpdir, write= entries and /dev/null; everything the tenant controls
 *    (tenant root, tmpdir, read/write/exec) is opened without following
 *    symlinks, only defaults are optional;
 *  - each input path has its rule, in order, with the expanded path;
 *    TCP ports are those asked for when the ABI can enforce them;
 *  - a failure names a reason and, when it blames a string, one of the
 *    input strings;
 *  - net_parse results print back (net_format) to a string that parses
 *    to the same ports. */
#include "fuzz_common.h"

#include <limits.h>

#include "llrules.h"
#include "netspec.h"

#define MAX_ENTRIES 200

#define WRITE_RIGHTS                                                                   \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |               \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |               \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                   \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |                 \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM |                 \
	 LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)

/* The Landlock ABI table: filesystem rights per ABI. */
static uint64_t ref_fs(int abi)
{
	uint64_t m = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */

	if (abi >= 2)
		m |= 1ULL << 13; /* REFER */
	if (abi >= 3)
		m |= 1ULL << 14; /* TRUNCATE */
	if (abi >= 5)
		m |= 1ULL << 15; /* IOCTL_DEV */
	return m;
}

/* "~" -> home, "~/x" -> home "/x", else as is; false when unusable. */
static bool ref_expand(const char *in, const char *home, char *out, size_t outsz)
{
	int n;

	if (in[0] == '~') {
		if ((in[1] != '\0' && in[1] != '/') || home == NULL ||
		    !fuzz_ref_abs_normalized(home))
			return false;
		n = snprintf(out, outsz, "%s%s", strcmp(home, "/") == 0 && in[1] ? "" : home,
			     in + 1);
	} else {
		n = snprintf(out, outsz, "%s", in);
	}
	return n >= 0 && (size_t)n < outsz && fuzz_ref_abs_normalized(out);
}

static bool is_input(const char *bad, const char *const *inputs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (bad == inputs[i])
			return true;
	return false;
}

static void check_net_round_trip(const char *spec, const struct net_spec *net)
{
	char text[8 + LL_MAX_PORTS * 6];
	struct net_spec again;
	const char *reason = NULL;

	if (net->mode == NET_TCP) {
		FUZZ_CHECK(net->n_ports >= 1 && net->n_ports <= LL_MAX_PORTS, "'%s': %zu ports",
			   spec, net->n_ports);
		for (size_t i = 0; i < net->n_ports; i++) {
			FUZZ_CHECK(net->ports[i] != 0, "'%s': port 0", spec);
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(net->ports[i] != net->ports[j], "'%s': port twice", spec);
		}
	} else {
		FUZZ_CHECK(net->n_ports == 0 && (net->mode == NET_ANY || net->mode == NET_NONE),
			   "'%s': mode %d", spec, (int)net->mode);
		FUZZ_CHECK(strcmp(spec, net->mode == NET_ANY ? "any" : "none") == 0,
			   "'%s' read as mode %d", spec, (int)net->mode);
	}
	size_t n = net_format(net, text, sizeof(text));
	FUZZ_CHECK(n < sizeof(text), "'%s' formats to %zu bytes", spec, n);
	FUZZ_CHECK(net_parse(text, &again, &reason) == 0, "'%s' -> '%s' refused: %s", spec,
		   text, reason);
	FUZZ_CHECK(again.mode == net->mode && again.n_ports == net->n_ports &&
			   memcmp(again.ports, net->ports, net->n_ports * sizeof(net->ports[0])) == 0,
		   "'%s' -> '%s' reads back differently", spec, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ll_ruleset rs; /* ~21 KiB */
	char *v[MAX_ENTRIES + 8], *buf;
	const char *lists[3][MAX_ENTRIES];
	size_t nl[3] = { 0, 0, 0 };
	struct ll_input in;

	if (size < 4)
		return 0;
	memset(&in, 0, sizeof(in));
	in.abi = (int)(data[0] % 11) - 1; /* -1 .. 9 */
	in.mode = (enum ll_mode)(data[1] % 3); /* 2 is not a mode */
	in.audit = data[2] & 1;
	unsigned loader_choice = (data[2] >> 1) % 3;
	size_t n = fuzz_split(data + 4, size - 4, v, MAX_ENTRIES + 6, &buf);
	if (n < 5) {
		free(buf);
		return 0;
	}
	in.interpreter = v[0];
	in.tenant_root = v[1];
	in.tmpdir = v[2][0] ? v[2] : NULL;
	in.home = v[3][0] ? v[3] : NULL;
	const char *reason = NULL;
	if (net_parse(v[4], &in.net, &reason) == 0) {
		check_net_round_trip(v[4], &in.net);
	} else {
		FUZZ_CHECK(reason != NULL && reason[0] != '\0', "no reason for net '%s'", v[4]);
		in.net.mode = NET_NONE;
		in.net.n_ports = 0;
	}
	in.loader = loader_choice == 0 ? NULL : loader_choice == 1 ? "" : n > 5 ? v[5] : "";
	for (size_t i = 6; i < n; i++) {
		int k = v[i][0] == 'w' ? 1 : v[i][0] == 'x' ? 2 : 0;
		lists[k][nl[k]++] = v[i][0] ? v[i] + 1 : v[i];
	}
	in.read = (struct ll_list){ lists[0], nl[0] };
	in.write = (struct ll_list){ lists[1], nl[1] };
	in.exec = (struct ll_list){ lists[2], nl[2] };
	const char *loader = in.loader ? in.loader : LL_DEFAULT_LOADER;

	/* The reference verdict and the expected tenant rules. */
	static char expanded[MAX_ENTRIES][PATH_MAX];
	bool paths_ok = fuzz_ref_abs_normalized(in.interpreter) &&
			(loader[0] == '\0' || fuzz_ref_abs_normalized(loader)) &&
			fuzz_ref_abs_normalized(in.tenant_root) &&
			(in.tmpdir == NULL || fuzz_ref_abs_normalized(in.tmpdir));
	size_t nin = 0, in_bytes = strlen(in.interpreter) + strlen(loader) + strlen(in.tenant_root) +
				   (in.tmpdir ? strlen(in.tmpdir) : 0) + 4;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < nl[k]; i++) {
			if (!ref_expand(lists[k][i], in.home, expanded[nin], PATH_MAX))
				paths_ok = false;
			else
				in_bytes += strlen(expanded[nin]) + 1;
			nin++;
		}
	size_t in_rules = 2 + (loader[0] != '\0') + (in.tmpdir != NULL) + nin;
	/* network = tcp: needs ABI 4 when landlock = required */
	bool net_ok = !(in.mode == LL_MODE_REQUIRED && in.net.mode == NET_TCP && in.abi < 4);
	bool valid = in.abi >= 1 && in.mode != 2 && paths_ok && net_ok;
	bool fits = in_rules + 30 <= LL_MAX_RULES && in_bytes + 1024 <= LL_POOL_SIZE;

	const char *bad = NULL;
	reason = NULL;
	int rc = ll_build(&in, &rs, &reason, &bad);
	if (rc != 0) {
		FUZZ_CHECK(reason != NULL && reason[0] != '\0', "no reason");
		FUZZ_CHECK(!valid || (!fits && (strstr(reason, "too many") != NULL ||
						strstr(reason, "too long") != NULL)),
			   "valid input refused: %s (%s)", reason, bad ? bad : "");
		const char *inputs[3 * MAX_ENTRIES + 4];
		size_t ni = 0;
		inputs[ni++] = in.interpreter;
		inputs[ni++] = loader;
		inputs[ni++] = in.tenant_root;
		inputs[ni++] = in.tmpdir;
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < nl[k]; i++)
				inputs[ni++] = lists[k][i];
		FUZZ_CHECK(bad == NULL || is_input(bad, inputs, ni), "blames '%s', not an input",
			   bad);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(valid, "invalid input accepted");

	int abi = in.abi > LL_ABI_MAX ? LL_ABI_MAX : in.abi;
	FUZZ_CHECK(rs.abi == abi && rs.mode == in.mode, "abi %d mode %d", rs.abi, (int)rs.mode);
	FUZZ_CHECK(rs.handled_fs == ref_fs(abi) && rs.handled_fs == ll_fs_mask(in.abi),
		   "handled_fs %#llx for ABI %d", (unsigned long long)rs.handled_fs, abi);
	FUZZ_CHECK(rs.handled_net == (in.net.mode != NET_ANY && abi >= 4 ? 3u : 0u),
		   "handled_net %#llx", (unsigned long long)rs.handled_net);
	FUZZ_CHECK(rs.scoped == (abi >= 6 ? 3u : 0u), "scoped %#llx",
		   (unsigned long long)rs.scoped);
	FUZZ_CHECK(rs.restrict_flags == (in.audit && abi >= 7 ? 2u : 0u), "flags %#x",
		   (unsigned)rs.restrict_flags);
	unsigned miss = 0;
	if (abi < 2 && (in.tmpdir != NULL || nl[1] > 0))
		miss |= LL_MISS_REFER;
	if (abi < 3)
		miss |= LL_MISS_TRUNCATE;
	if (abi < 4 && in.net.mode != NET_ANY)
		miss |= LL_MISS_NET;
	if (abi < 5)
		miss |= LL_MISS_IOCTL;
	if (abi < 6)
		miss |= LL_MISS_SCOPE;
	if (abi < 7 && in.audit)
		miss |= LL_MISS_AUDIT;
	FUZZ_CHECK(rs.missing == miss, "missing %#x, expected %#x", rs.missing, miss);
	if (rs.handled_net != 0 && in.net.mode == NET_TCP)
		FUZZ_CHECK(rs.n_ports == in.net.n_ports &&
				   memcmp(rs.ports, in.net.ports, rs.n_ports * sizeof(rs.ports[0])) == 0,
			   "ports differ");
	else
		FUZZ_CHECK(rs.n_ports == 0, "%zu ports", rs.n_ports);
	FUZZ_CHECK(rs.n_rules <= LL_MAX_RULES && rs.pool_used <= LL_POOL_SIZE, "capacity");

	size_t by_src[8] = { 0 }, e = 0;
	for (size_t i = 0; i < rs.n_rules; i++) {
		const struct ll_rule *r = &rs.rules[i];
		const char *path = ll_rule_path(&rs, r);
		uint64_t a = r->access;

		FUZZ_CHECK(r->path_off < rs.pool_used &&
				   memchr(path, '\0', rs.pool_used - r->path_off) != NULL,
			   "rule %zu path outside the pool", i);
		FUZZ_CHECK(fuzz_ref_abs_normalized(path), "rule path '%s'", path);
		FUZZ_CHECK(a != 0 && (a & ~rs.handled_fs) == 0, "'%s': access %#llx", path,
			   (unsigned long long)a);
		FUZZ_CHECK(!r->file || (a & ~(uint64_t)LL_ACCESS_FILE) == 0,
			   "file rule '%s' has directory rights", path);
		FUZZ_CHECK((unsigned)r->src <= LL_SRC_EXEC, "source %d", (int)r->src);
		bool tenant = r->src == LL_SRC_TENANT_ROOT || r->src == LL_SRC_TMPDIR ||
			      r->src == LL_SRC_READ || r->src == LL_SRC_WRITE || r->src == LL_SRC_EXEC;
		FUZZ_CHECK(r->nofollow == tenant, "'%s' (%s): nofollow %d", path,
			   ll_source_name(r->src), r->nofollow);
		FUZZ_CHECK(r->optional == (r->src == LL_SRC_DEFAULT), "'%s': optional", path);
		if (a & LANDLOCK_ACCESS_FS_EXECUTE)
			FUZZ_CHECK(r->src == LL_SRC_INTERPRETER || r->src == LL_SRC_LOADER ||
					   r->src == LL_SRC_EXEC,
				   "EXECUTE on '%s' (%s)", path, ll_source_name(r->src));
		if (a & WRITE_RIGHTS)
			FUZZ_CHECK(r->src == LL_SRC_TMPDIR || r->src == LL_SRC_WRITE ||
					   (r->src == LL_SRC_DEFAULT && strcmp(path, "/dev/null") == 0 &&
					    (a & ~(uint64_t)LL_DEV_RW) == 0),
				   "write rights %#llx on '%s' (%s)", (unsigned long long)a, path,
				   ll_source_name(r->src));
		switch (r->src) {
		case LL_SRC_DEFAULT:
		case LL_SRC_TENANT_ROOT:
		case LL_SRC_READ:
			if (strcmp(path, "/dev/null") != 0 || r->src != LL_SRC_DEFAULT)
				FUZZ_CHECK((a & ~(uint64_t)LL_RO) == 0, "'%s' (%s) not read-only", path,
					   ll_source_name(r->src));
			break;
		case LL_SRC_INTERPRETER:
		case LL_SRC_LOADER:
			FUZZ_CHECK(r->file && a == (LL_EXEC_FILE & rs.handled_fs), "'%s' (%s)", path,
				   ll_source_name(r->src));
			break;
		case LL_SRC_EXEC:
			FUZZ_CHECK((a & ~(uint64_t)LL_RX) == 0, "exec entry '%s'", path);
			break;
		default:
			break;
		}
		by_src[r->src]++;
		if (r->src == LL_SRC_INTERPRETER)
			FUZZ_CHECK(strcmp(path, in.interpreter) == 0, "interpreter '%s'", path);
		if (r->src == LL_SRC_LOADER)
			FUZZ_CHECK(strcmp(path, loader) == 0, "loader '%s'", path);
		if (r->src == LL_SRC_TENANT_ROOT)
			FUZZ_CHECK(strcmp(path, in.tenant_root) == 0, "tenant root '%s'", path);
		if (r->src == LL_SRC_TMPDIR)
			FUZZ_CHECK(in.tmpdir && strcmp(path, in.tmpdir) == 0, "tmpdir '%s'", path);
		if (r->src == LL_SRC_READ || r->src == LL_SRC_WRITE || r->src == LL_SRC_EXEC) {
			FUZZ_CHECK(e < nin && strcmp(path, expanded[e]) == 0,
				   "list rule %zu is '%s', expected '%s'", e, path,
				   e < nin ? expanded[e] : "(none)");
			e++;
		}
		const struct ll_rule *first = ll_find_rule(&rs, path);
		FUZZ_CHECK(first != NULL && first <= r &&
				   strcmp(ll_rule_path(&rs, first), path) == 0,
			   "ll_find_rule('%s')", path);
	}
	FUZZ_CHECK(by_src[LL_SRC_INTERPRETER] == 1 && by_src[LL_SRC_TENANT_ROOT] == 1 &&
			   by_src[LL_SRC_LOADER] == (loader[0] != '\0') &&
			   by_src[LL_SRC_TMPDIR] == (in.tmpdir != NULL) && by_src[LL_SRC_READ] == nl[0] &&
			   by_src[LL_SRC_WRITE] == nl[1] && by_src[LL_SRC_EXEC] == nl[2],
		   "rule counts");

	char desc[512];
	size_t dsz = 1 + data[3] % sizeof(desc);
	size_t dl = ll_describe_missing(&rs, desc, dsz);
	FUZZ_CHECK(dl < dsz && strlen(desc) == dl && !fuzz_has_ctl(desc),
		   "ll_describe_missing: %zu of %zu", dl, dsz);
	FUZZ_CHECK((dl == 0) == (rs.missing == 0 || dsz == 1), "description '%s' for %#x", desc,
		   rs.missing);
	free(buf);
	return 0;
}
