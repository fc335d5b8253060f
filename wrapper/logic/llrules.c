/* llrules.c - see llrules.h.  Pure: no syscalls, no global state. */
#include "llrules.h"

#include <stdio.h>
#include <string.h>

#include "strutil.h"

/* The default read-only view of the system.  Chosen by strace of CPython
 * 3.11 running a CGI-style script that imports the common stdlib (json,
 * email, http.cookies, zoneinfo, ...), uses sqlite3 in TMPDIR, builds an
 * ssl default context, calls getaddrinfo(), mimetypes, pwd/grp, os.urandom,
 * starts a thread and writes to /dev/null (tests/unit/test_landlock.c runs
 * that script in the sandbox).  Every entry is optional: a path the system
 * does not have is skipped.
 *
 * Deliberately absent:
 *   /proc      CPython's startup and the modules above never open it (strace:
 *              zero /proc accesses); it would expose every process's
 *              command line.  Without it subprocess cannot list
 *              /proc/self/fd - moot, since exec is denied anyway.
 *   /sys       os.cpu_count() reads /sys/devices/system/cpu/online but
 *              falls back to sched_getaffinity() (tested)
 *   /etc       as a whole (only the files below), /etc/ssl/private
 *   /tmp, /var/tmp, /dev/shm: the private TMPDIR replaces them
 *   /home and every other tenant's tree */
struct ll_default {
	const char *path;
	uint64_t access;
	bool file;
};

static const struct ll_default ll_defaults[] = {
	/* Interpreter, stdlib, shared libraries (ld.so opens them O_RDONLY:
	 * READ_FILE, then mmap(PROT_EXEC), which Landlock does not check),
	 * zoneinfo, locales, ca-certificates.  /lib and /lib64 are symlinks
	 * into /usr on merged-/usr systems; kept for the others. */
	{ "/usr", LL_RO, false },
	{ "/lib", LL_RO, false },
	{ "/lib64", LL_RO, false },
	{ "/etc/ld.so.cache", LL_RO, true },
	/* setlocale(): /usr/share/locale/locale.alias points here. */
	{ "/etc/locale.alias", LL_RO, true },
	/* ssl: /usr/lib/ssl/{certs,openssl.cnf} point here. */
	{ "/etc/ssl/certs", LL_RO, false },
	{ "/etc/ssl/openssl.cnf", LL_RO, true },
	/* time.localtime(): a symlink into /usr/share/zoneinfo on Debian. */
	{ "/etc/localtime", LL_RO, true },
	/* getaddrinfo(), getservbyname(), getprotobyname() */
	{ "/etc/nsswitch.conf", LL_RO, true },
	{ "/etc/hosts", LL_RO, true },
	{ "/etc/host.conf", LL_RO, true },
	{ "/etc/resolv.conf", LL_RO, true },
	{ "/etc/gai.conf", LL_RO, true },
	{ "/etc/services", LL_RO, true },
	{ "/etc/protocols", LL_RO, true },
	/* pwd, grp, getpass, os.path.expanduser() without HOME */
	{ "/etc/passwd", LL_RO, true },
	{ "/etc/group", LL_RO, true },
	/* mimetypes */
	{ "/etc/mime.types", LL_RO, true },
	/* open("/dev/null", "w") is O_WRONLY|O_CREAT|O_TRUNC; the kernel
	 * ignores O_TRUNC on a device, so READ_FILE|WRITE_FILE suffice. */
	{ "/dev/null", LL_DEV_RW, true },
	{ "/dev/zero", LL_RO, true },
	{ "/dev/urandom", LL_RO, true },
	{ "/dev/random", LL_RO, true },
};

static int clamp_abi(int abi)
{
	return abi > LL_ABI_MAX ? LL_ABI_MAX : abi;
}

uint64_t ll_fs_mask(int abi)
{
	abi = clamp_abi(abi);
	if (abi < 1)
		return 0;
	if (abi == 1)
		return LL_FS_ABI1;
	if (abi == 2)
		return LL_FS_ABI2;
	if (abi <= 4)
		return LL_FS_ABI3;
	return LL_FS_ABI5;
}

uint64_t ll_net_mask(int abi)
{
	return clamp_abi(abi) >= 4 ? LL_NET_ALL : 0;
}

uint64_t ll_scope_mask(int abi)
{
	return clamp_abi(abi) >= 6 ? LL_SCOPE_ALL : 0;
}

uint32_t ll_restrict_flags_mask(int abi)
{
	if (clamp_abi(abi) < 7)
		return 0;
	return LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF |
	       LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON |
	       LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF;
}

uint64_t ll_access_for_type(uint64_t access, bool is_dir)
{
	return is_dir ? access : access & LL_ACCESS_FILE;
}

int ll_parse_mode(const char *s, enum ll_mode *out)
{
	if (strcmp(s, "required") == 0)
		*out = LL_MODE_REQUIRED;
	else if (strcmp(s, "best-effort") == 0)
		*out = LL_MODE_BEST_EFFORT;
	else
		return -1;
	return 0;
}



const char *ll_rule_path(const struct ll_ruleset *rs, const struct ll_rule *r)
{
	return rs->pool + r->path_off;
}

const struct ll_rule *ll_find_rule(const struct ll_ruleset *rs,
				   const char *path)
{
	for (size_t i = 0; i < rs->n_rules; i++)
		if (strcmp(ll_rule_path(rs, &rs->rules[i]), path) == 0)
			return &rs->rules[i];
	return NULL;
}

const char *ll_source_name(enum ll_source src)
{
	switch (src) {
	case LL_SRC_DEFAULT:
		return "default";
	case LL_SRC_INTERPRETER:
		return "interpreter";
	case LL_SRC_LOADER:
		return "loader";
	case LL_SRC_TENANT_ROOT:
		return "tenant root";
	case LL_SRC_TMPDIR:
		return "tmpdir";
	case LL_SRC_READ:
		return "read";
	case LL_SRC_WRITE:
		return "write";
	case LL_SRC_EXEC:
		return "exec";
	}
	return "?";
}

struct rule_spec {
	const char *path;
	uint64_t access;
	enum ll_source src;
	bool optional;
	bool nofollow;
	bool file;
};

static int add_rule(struct ll_ruleset *rs, const struct rule_spec *sp,
		    const char **reason)
{
	size_t len = strlen(sp->path);
	uint64_t access = sp->access & rs->handled_fs;

	if (sp->file)
		access = ll_access_for_type(access, false);
	if (access == 0)
		return 0;
	if (rs->n_rules == LL_MAX_RULES) {
		*reason = "too many Landlock rules";
		return -1;
	}
	if (len + 1 > sizeof(rs->pool) - rs->pool_used) {
		*reason = "Landlock rule paths too long in total";
		return -1;
	}
	struct ll_rule *r = &rs->rules[rs->n_rules++];

	memcpy(rs->pool + rs->pool_used, sp->path, len + 1);
	r->path_off = rs->pool_used;
	rs->pool_used += len + 1;
	r->access = access;
	r->src = sp->src;
	r->optional = sp->optional;
	r->nofollow = sp->nofollow;
	r->file = sp->file;
	return 0;
}

/* A tenant-controlled path (nofollow), absolute and normalized. */
static int add_checked(struct ll_ruleset *rs, const char *path,
		       uint64_t access, enum ll_source src,
		       const char **reason, const char **bad)
{
	struct rule_spec sp = { path, access, src, false, true, false };

	if (path == NULL || !path_is_abs_normalized(path)) {
		*reason = "is not an absolute normalized path";
		*bad = path;
		return -1;
	}
	if (add_rule(rs, &sp, reason) != 0) {
		*bad = path;
		return -1;
	}
	return 0;
}

static int add_list(struct ll_ruleset *rs, const struct ll_list *l,
		    const char *home, uint64_t access, enum ll_source src,
		    const char **reason, const char **bad)
{
	for (size_t i = 0; i < l->n; i++) {
		char path[4096];

		if (l->v[i] == NULL ||
		    path_expand_home(l->v[i], home, path, sizeof(path), reason) != 0) {
			if (l->v[i] == NULL)
				*reason = "is missing";
			*bad = l->v[i];
			return -1;
		}
		if (add_checked(rs, path, access, src, reason, bad) != 0) {
			*bad = l->v[i];
			return -1;
		}
	}
	return 0;
}

/* A root-owned system path given by the caller (followed: the rule lands on
 * the real file), an executable file. */
static int add_system_exec(struct ll_ruleset *rs, const char *path,
			   enum ll_source src, const char **reason,
			   const char **bad)
{
	struct rule_spec sp = { path, LL_EXEC_FILE, src, false, false, true };

	if (path == NULL || !path_is_abs_normalized(path)) {
		*reason = "is not an absolute normalized path";
		*bad = path;
		return -1;
	}
	if (add_rule(rs, &sp, reason) != 0) {
		*bad = path;
		return -1;
	}
	return 0;
}

static void set_missing(struct ll_ruleset *rs, const struct ll_input *in)
{
	int abi = rs->abi;

	rs->missing = 0;
	if (abi < 2 && (in->tmpdir != NULL || in->write.n > 0))
		rs->missing |= LL_MISS_REFER;
	if (abi < 3)
		rs->missing |= LL_MISS_TRUNCATE;
	if (abi < 4 && in->net.mode != NET_ANY)
		rs->missing |= LL_MISS_NET;
	if (abi < 5)
		rs->missing |= LL_MISS_IOCTL;
	if (abi < 6)
		rs->missing |= LL_MISS_SCOPE;
	if (abi < 7 && in->audit)
		rs->missing |= LL_MISS_AUDIT;
}

static int set_net(struct ll_ruleset *rs, const struct net_spec *net,
		   const char **reason)
{
	rs->handled_net = 0;
	rs->n_ports = 0;
	if (net->mode == NET_ANY)
		return 0;
	if (net->mode == NET_TCP && (net->n_ports == 0 ||
					net->n_ports > LL_MAX_PORTS)) {
		*reason = "tcp: needs 1 to 32 ports";
		return -1;
	}
	rs->handled_net = ll_net_mask(rs->abi);
	if (rs->handled_net == 0 || net->mode == NET_NONE)
		return 0;
	for (size_t i = 0; i < net->n_ports; i++) {
		if (net->ports[i] == 0) {
			*reason = "port 0 in tcp:";
			return -1;
		}
		rs->ports[rs->n_ports++] = net->ports[i];
	}
	return 0;
}

const char *ll_net_refusal(int abi, enum ll_mode mode, enum net_mode net)
{
	/* network = none is enforced by the seccomp filter too (no IP socket
	 * at all) and any promises nothing; tcp: ports are Landlock's alone. */
	if (mode == LL_MODE_REQUIRED && net == NET_TCP && clamp_abi(abi) < 4)
		return "network = tcp: needs Landlock ABI 4 (Linux 6.7) to restrict "
		       "TCP ports, and landlock = required";
	return NULL;
}

int ll_build(const struct ll_input *in, struct ll_ruleset *rs,
	     const char **reason, const char **bad)
{
	const char *loader = in->loader ? in->loader : LL_DEFAULT_LOADER;

	*bad = NULL;
	memset(rs, 0, offsetof(struct ll_ruleset, pool));
	rs->pool[0] = '\0';
	if (in->abi < 1) {
		*reason = "Landlock is not available (ABI < 1)";
		return -1;
	}
	if (in->mode != LL_MODE_REQUIRED && in->mode != LL_MODE_BEST_EFFORT) {
		*reason = "bad Landlock mode";
		return -1;
	}
	rs->abi = clamp_abi(in->abi);
	rs->mode = in->mode;
	rs->handled_fs = ll_fs_mask(rs->abi);
	rs->scoped = ll_scope_mask(rs->abi);
	rs->restrict_flags = in->audit ? LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON : 0;
	rs->restrict_flags &= ll_restrict_flags_mask(rs->abi);
	if (set_net(rs, &in->net, reason) != 0)
		return -1;
	*reason = ll_net_refusal(rs->abi, rs->mode, in->net.mode);
	if (*reason != NULL)
		return -1;
	set_missing(rs, in);

	for (size_t i = 0; i < sizeof(ll_defaults) / sizeof(ll_defaults[0]); i++) {
		const struct ll_default *d = &ll_defaults[i];
		struct rule_spec sp = { d->path, d->access, LL_SRC_DEFAULT,
					true, false, d->file };

		if (add_rule(rs, &sp, reason) != 0)
			return -1;
	}
	if (add_system_exec(rs, in->interpreter, LL_SRC_INTERPRETER, reason,
			    bad) != 0)
		return -1;
	if (loader[0] != '\0' &&
	    add_system_exec(rs, loader, LL_SRC_LOADER, reason, bad) != 0)
		return -1;
	if (add_checked(rs, in->tenant_root, LL_RO, LL_SRC_TENANT_ROOT, reason,
			bad) != 0)
		return -1;
	if (in->tmpdir != NULL &&
	    add_checked(rs, in->tmpdir, LL_RW, LL_SRC_TMPDIR, reason, bad) != 0)
		return -1;
	if (add_list(rs, &in->read, in->home, LL_RO, LL_SRC_READ, reason, bad) != 0 ||
	    add_list(rs, &in->write, in->home, LL_RW, LL_SRC_WRITE, reason, bad) != 0 ||
	    add_list(rs, &in->exec, in->home, LL_RX, LL_SRC_EXEC, reason, bad) != 0)
		return -1;
	return 0;
}

size_t ll_describe_missing(const struct ll_ruleset *rs, char *out,
			   size_t outsz)
{
	static const struct {
		const char *text;
		unsigned bit;
		int abi;
	} items[] = {
		{ "cross-directory rename in writable trees denied", LL_MISS_REFER, 2 },
		{ "truncate not restricted", LL_MISS_TRUNCATE, 3 },
		{ "TCP not restricted", LL_MISS_NET, 4 },
		{ "device ioctls not restricted", LL_MISS_IOCTL, 5 },
		{ "abstract unix sockets and signals not scoped", LL_MISS_SCOPE, 6 },
		{ "no audit logging of denials", LL_MISS_AUDIT, 7 },
	};
	size_t len = 0;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (!(rs->missing & items[i].bit))
			continue;
		int n = snprintf(out + len, outsz - len, "%s%s (ABI %d < %d)",
				 len ? ", " : "", items[i].text, rs->abi,
				 items[i].abi);
		if (n < 0)
			break;
		if ((size_t)n >= outsz - len) {
			len = outsz - 1;
			break;
		}
		len += (size_t)n;
	}
	return len;
}
