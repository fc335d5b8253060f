/* landlock.c - see landlock.h.  The pattern is the kernel's
 * samples/landlock/sandboxer.c: probe the ABI, handle only what it knows
 * (done by llrules.c for rs->abi), open every rule's path with O_PATH, add
 * the rules, restrict.  Nothing is enforced before the final
 * landlock_restrict_self(): every failure before it leaves the process as
 * it was. */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif

/* The UAPI structs as of ABI 6 (Debian 12's header has only the first
 * member of the ruleset attribute and no net port rule). */
struct ll_attr_ruleset {
	__u64 handled_access_fs;
	__u64 handled_access_net; /* ABI 4 */
	__u64 scoped;             /* ABI 6 */
};

struct ll_attr_port {
	__u64 allowed_access;
	__u64 port;
};

static _Thread_local char ll_reason_buf[1024];

static int sys_create_ruleset(const struct ll_attr_ruleset *attr, size_t size,
			      __u32 flags)
{
	return (int)syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static int sys_add_rule(int fd, int type, const void *attr)
{
	return (int)syscall(__NR_landlock_add_rule, fd, type, attr, 0U);
}

static int sys_restrict_self(int fd, __u32 flags)
{
	return (int)syscall(__NR_landlock_restrict_self, fd, flags);
}

/* The ABI, or 0 with *err = errno of the probe. */
static int probe_abi(int *err)
{
	int abi = sys_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	*err = abi < 0 ? errno : 0;
	return abi < 0 ? 0 : abi;
}

int ll_abi(void)
{
	int err;

	return probe_abi(&err);
}

/* What ll_apply() reports so far. */
struct apply_state {
	const struct ll_ruleset *rs;
	size_t len;    /* of ll_reason_buf */
	bool skipped;  /* best-effort: something was left out */
};

static void reason_set(struct apply_state *st, const char *what,
		       const char *path, const char *text)
{
	int n = snprintf(ll_reason_buf, sizeof(ll_reason_buf), "%s%s%s: %s",
			 what, path ? " " : "", path ? path : "", text);

	st->len = n < 0 ? 0 : (size_t)n;
	if (st->len >= sizeof(ll_reason_buf))
		st->len = sizeof(ll_reason_buf) - 1;
}

static void reason_append(struct apply_state *st, const char *what,
			  const char *path, const char *text)
{
	size_t room = sizeof(ll_reason_buf) - st->len;

	if (room <= 1)
		return;
	if (st->len == 0) {
		int n = snprintf(ll_reason_buf, room, "skipped: ");

		st->len = n < 0 ? 0 : (size_t)n;
		room = sizeof(ll_reason_buf) - st->len;
	}
	int n = snprintf(ll_reason_buf + st->len, room, "%s%s %s (%s)",
			 st->skipped ? "; " : "", what, path, text);
	if (n < 0)
		return;
	st->len = (size_t)n >= room ? sizeof(ll_reason_buf) - 1
				    : st->len + (size_t)n;
}

/* A non-optional rule could not be added: an error in required mode, a
 * note in best-effort mode.  Returns -1 to abort, 0 to go on. */
static int rule_failed(struct apply_state *st, const char *what,
		       const char *path, const char *text)
{
	if (st->rs->mode == LL_MODE_REQUIRED) {
		reason_set(st, what, path, text);
		return -1;
	}
	reason_append(st, what, path, text);
	st->skipped = true;
	return 0;
}

static int open_rule_path(const struct ll_rule *r, const char *path)
{
	if (!r->nofollow)
		return open(path, O_PATH | O_CLOEXEC);

	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(__NR_openat2, AT_FDCWD, path, &how, sizeof(how));
}

static const char *open_error_text(const struct ll_rule *r, int err)
{
	if (err == ELOOP && r->nofollow)
		return "is or passes through a symlink";
	return strerror(err);
}

/* Returns 0 (added or skipped) or -1 (abort, reason set). */
static int add_path_rule(struct apply_state *st, int rfd,
			 const struct ll_rule *r)
{
	const char *path = ll_rule_path(st->rs, r);
	const char *what = ll_source_name(r->src);
	struct landlock_path_beneath_attr pb;
	struct stat sb;
	int fd = open_rule_path(r, path);

	if (fd < 0) {
		int err = errno;

		if (r->optional)
			return 0;
		return rule_failed(st, what, path, open_error_text(r, err));
	}
	memset(&pb, 0, sizeof(pb));
	/* A rule on a non-directory may carry file rights only (EINVAL
	 * otherwise).  r->file rules have nothing else, and file rights are
	 * valid on a directory too: only the others need the fstat(). */
	pb.allowed_access = r->access;
	if (!r->file) {
		if (fstat(fd, &sb) != 0) {
			int err = errno;

			(void)close(fd);
			return rule_failed(st, what, path, strerror(err));
		}
		pb.allowed_access = ll_access_for_type(r->access,
						       S_ISDIR(sb.st_mode));
	}
	pb.parent_fd = fd;
	if (pb.allowed_access != 0 &&
	    sys_add_rule(rfd, LANDLOCK_RULE_PATH_BENEATH, &pb) != 0) {
		int err = errno;

		(void)close(fd);
		return rule_failed(st, what, path, strerror(err));
	}
	(void)close(fd);
	return 0;
}

static int add_port_rule(struct apply_state *st, int rfd, uint16_t port)
{
	struct ll_attr_port np;
	char num[8];

	memset(&np, 0, sizeof(np));
	np.allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP;
	np.port = port;
	if (sys_add_rule(rfd, LL_RULE_NET_PORT, &np) == 0)
		return 0;

	int err = errno;

	(void)snprintf(num, sizeof(num), "%u", (unsigned)port);
	return rule_failed(st, "tcp port", num, strerror(err));
}

static int add_rules(struct apply_state *st, int rfd)
{
	const struct ll_ruleset *rs = st->rs;

	for (size_t i = 0; i < rs->n_rules; i++)
		if (add_path_rule(st, rfd, &rs->rules[i]) != 0)
			return -1;
	for (size_t i = 0; i < rs->n_ports; i++)
		if (add_port_rule(st, rfd, rs->ports[i]) != 0)
			return -1;
	return 0;
}

int ll_apply(const struct ll_ruleset *rs, const char **reason)
{
	struct apply_state st = { rs, 0, false };
	struct ll_attr_ruleset attr;
	size_t attr_size;
	int err;
	int abi = probe_abi(&err);

	ll_reason_buf[0] = '\0';
	*reason = ll_reason_buf;
	if (abi < 1) {
		reason_set(&st, "landlock", NULL,
			   err == EOPNOTSUPP ? "disabled in this kernel (lsm=)"
			   : err == ENOSYS   ? "not supported by this kernel"
					     : strerror(err));
		return LL_UNSUPPORTED;
	}
	if (rs->abi < 1 || rs->abi > abi) {
		(void)snprintf(ll_reason_buf, sizeof(ll_reason_buf),
			       "landlock: ruleset built for ABI %d, kernel has %d",
			       rs->abi, abi);
		return LL_ERROR;
	}

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = rs->handled_fs;
	attr.handled_access_net = rs->handled_net;
	attr.scoped = rs->scoped;
	/* The smallest size that carries every non-zero member. */
	if (rs->scoped != 0)
		attr_size = sizeof(attr);
	else if (rs->handled_net != 0)
		attr_size = offsetof(struct ll_attr_ruleset, scoped);
	else
		attr_size = offsetof(struct ll_attr_ruleset, handled_access_net);

	int rfd = sys_create_ruleset(&attr, attr_size, 0);

	if (rfd < 0) {
		reason_set(&st, "landlock_create_ruleset", NULL, strerror(errno));
		return LL_ERROR;
	}
	if (add_rules(&st, rfd) != 0) {
		(void)close(rfd);
		return LL_ERROR;
	}
	if (sys_restrict_self(rfd, rs->restrict_flags) != 0) {
		err = errno;
		(void)close(rfd);
		reason_set(&st, "landlock_restrict_self", NULL,
			   err == EPERM ? "no_new_privs is not set"
					: strerror(err));
		return LL_ERROR;
	}
	(void)close(rfd);
	if (st.skipped)
		return LL_PARTIAL;
	*reason = NULL;
	return LL_OK;
}
