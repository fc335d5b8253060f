/* llrules.h - the Landlock ruleset of one request, as data (no syscalls).
 *
 * ll_build() turns what the wrapper knows about a request (kernel ABI,
 * network mode, interpreter, tenant root, private temp dir, the policy's
 * read/write/exec lists) into a struct ll_ruleset: the handled access masks
 * for that ABI and a list of {path, access} rules.  landlock.c opens the
 * paths and makes the syscalls; tests/unit/test_llrules.c checks the tables.
 *
 * Access model (all masks are cut down to what the ABI knows):
 *   defaults      read-only (READ_FILE|READ_DIR) on the system paths that
 *                 CPython, its stdlib, sqlite3, ssl and getaddrinfo() open
 *                 (see ll_defaults[] in llrules.c); /dev/null read+write
 *   tenant root   read-only: the script owner's own top directory
 *   tmpdir        read, write, truncate, create and remove (no execute)
 *   interpreter,  EXECUTE|READ_FILE on the file (the ELF loader is opened
 *   loader        by the kernel with exec semantics: it needs EXECUTE too)
 *   read=         read-only
 *   write=        like tmpdir
 *   exec=         read-only plus EXECUTE
 * Nothing else is reachable: another tenant's files stay unreadable even
 * when world-readable.  Execute is only where listed above.  Landlock does
 * not restrict mmap(PROT_EXEC): shared libraries need READ_FILE (under /usr)
 * and are then mappable executable; that is inherent, not a policy choice.
 *
 * Symlinks: rules attach to inodes.  Defaults, interpreter and loader are
 * root-owned system paths and are opened following symlinks, so the rule
 * lands on the real file (/lib64/ld-linux-x86-64.so.2 ->
 * /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2).  Everything a tenant may
 * control (tenant root, tmpdir, read/write/exec entries) is opened with
 * RESOLVE_NO_SYMLINKS: a symlink there is refused, so "~/x -> /home/bob"
 * cannot widen the sandbox to another tenant's tree. */
#ifndef CGIJAIL_LLRULES_H
#define CGIJAIL_LLRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/landlock.h>

#include "netspec.h"

/* Debian 12's linux-libc-dev (6.1) stops at ABI 2 (REFER).  The values of
 * the later ABIs are kernel UAPI and never change. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)          /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)         /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)          /* ABI 4 */
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)       /* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)   /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)                 /* ABI 6 */
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0) /* ABI 7 */
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)   /* ABI 7 */
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2) /* ABI 7 */
#endif
/* LANDLOCK_RULE_NET_PORT is an enum constant in newer headers (no #ifndef
 * possible): cgijail uses its own name. */
#define LL_RULE_NET_PORT 2

/* The newest ABI this code knows; a newer kernel is used as this one. */
#define LL_ABI_MAX 7

/* Rights by ABI. */
#define LL_FS_ABI1 ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_ABI2 (LL_FS_ABI1 | LANDLOCK_ACCESS_FS_REFER)
#define LL_FS_ABI3 (LL_FS_ABI2 | LANDLOCK_ACCESS_FS_TRUNCATE)
#define LL_FS_ABI5 (LL_FS_ABI3 | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define LL_NET_ALL (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
#define LL_SCOPE_ALL (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL)

/* The only rights a rule on a non-directory may carry (EINVAL otherwise). */
#define LL_ACCESS_FILE                                                   \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |    \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |    \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* Access sets of the rules (before the ABI mask). */
#define LL_RO (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_RX (LL_RO | LANDLOCK_ACCESS_FS_EXECUTE)
#define LL_RW                                                            \
	(LL_RO | LANDLOCK_ACCESS_FS_WRITE_FILE |                         \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_REMOVE_DIR |   \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |  \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |    \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |    \
	 LANDLOCK_ACCESS_FS_REFER)
#define LL_EXEC_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE)
/* Devices: O_TRUNC is ignored on them, so no TRUNCATE is needed. */
#define LL_DEV_RW (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE)

#define LL_DEFAULT_LOADER "/lib64/ld-linux-x86-64.so.2"

#define LL_MAX_RULES 160
#define LL_MAX_PORTS NET_MAX_PORTS
#define LL_POOL_SIZE 16384

/* Policy value landlock_mode = required | best-effort. */
enum ll_mode {
	LL_MODE_REQUIRED,    /* every failure is an error: refuse the request */
	LL_MODE_BEST_EFFORT, /* skip what cannot be applied, report it */
};

struct ll_list {
	const char *const *v;
	size_t n;
};

struct ll_input {
	int abi;                  /* ll_abi(): 1.. ; above LL_ABI_MAX is clamped */
	enum ll_mode mode;
	struct net_spec net;
	const char *interpreter;  /* absolute; best its realpath() */
	const char *loader;       /* NULL: LL_DEFAULT_LOADER; "": none (static) */
	const char *tenant_root;  /* the owner's own top directory, read-only.
				   * Never a docroot shared by several tenants. */
	const char *tmpdir;       /* private temp dir (read-write) or NULL */
	const char *home;         /* for "~" and "~/..." entries, or NULL */
	struct ll_list read, write, exec;
	bool audit;               /* ABI 7: audit-log denials after execve */
};

/* Where a rule comes from (reports, and how a failure to open it counts). */
enum ll_source {
	LL_SRC_DEFAULT,
	LL_SRC_INTERPRETER,
	LL_SRC_LOADER,
	LL_SRC_TENANT_ROOT,
	LL_SRC_TMPDIR,
	LL_SRC_READ,
	LL_SRC_WRITE,
	LL_SRC_EXEC,
};

struct ll_rule {
	uint64_t access;       /* masked by the ABI; for any file type */
	size_t path_off;       /* into ll_ruleset.pool: use ll_rule_path() */
	enum ll_source src;
	bool optional;         /* missing -> skipped silently (defaults only) */
	bool nofollow;         /* open with RESOLVE_NO_SYMLINKS */
	bool file;             /* meant to be a file: access has file rights only */
};

/* LL_MISS_*: protections the policy asked for that the ABI lacks. */
#define LL_MISS_REFER    (1U << 0) /* ABI 1: cross-directory rename/link in
				    * writable trees always fails (EXDEV) */
#define LL_MISS_TRUNCATE (1U << 1) /* ABI < 3: truncate() not restricted */
#define LL_MISS_NET      (1U << 2) /* ABI < 4: TCP not restricted */
#define LL_MISS_IOCTL    (1U << 3) /* ABI < 5: device ioctls not restricted */
#define LL_MISS_SCOPE    (1U << 4) /* ABI < 6: abstract unix sockets and
				    * signals not scoped */
#define LL_MISS_AUDIT    (1U << 5) /* ABI < 7: audit flag dropped */

struct ll_ruleset {
	int abi;                 /* the ABI the masks are for (1..LL_ABI_MAX) */
	enum ll_mode mode;
	uint64_t handled_fs;
	uint64_t handled_net;
	uint64_t scoped;
	uint32_t restrict_flags; /* landlock_restrict_self() flags */
	unsigned missing;        /* LL_MISS_* */
	size_t n_rules;
	struct ll_rule rules[LL_MAX_RULES];
	size_t n_ports;          /* CONNECT_TCP rules (handled_net != 0) */
	uint16_t ports[LL_MAX_PORTS];
	size_t pool_used;
	char pool[LL_POOL_SIZE];
};

/* Everything ABI abi handles (0 for abi < 1; abi > LL_ABI_MAX as the max). */
uint64_t ll_fs_mask(int abi);
uint64_t ll_net_mask(int abi);
uint64_t ll_scope_mask(int abi);
uint32_t ll_restrict_flags_mask(int abi);

/* The rights a rule may carry on an object: everything on a directory, only
 * LL_ACCESS_FILE rights on anything else. */
uint64_t ll_access_for_type(uint64_t access, bool is_dir);

/* "required" | "best-effort".  Returns 0 or -1. */
int ll_parse_mode(const char *s, enum ll_mode *out);

/* Whether a policy's network value can be kept on this ABI: the reason
 * (static) to refuse the request, or NULL.  network = tcp: restricts TCP
 * ports only through Landlock ABI 4: below it, landlock = required refuses
 * (the policy promises a confinement the kernel cannot give) and
 * best-effort goes on with LL_MISS_NET noted.  none (also enforced by the
 * seccomp filter) and any never refuse. */
const char *ll_net_refusal(int abi, enum ll_mode mode, enum net_mode net);

/* Build rs from in.  Returns 0, or -1 with *reason and *bad (the offending
 * input string, or NULL).  rs is self-contained (paths are copied into its
 * pool) and large (~21 KiB): keep one per request. */
int ll_build(const struct ll_input *in, struct ll_ruleset *rs,
	     const char **reason, const char **bad);

const char *ll_rule_path(const struct ll_ruleset *rs, const struct ll_rule *r);

/* The first rule for exactly this path, or NULL. */
const struct ll_rule *ll_find_rule(const struct ll_ruleset *rs,
				   const char *path);

const char *ll_source_name(enum ll_source src);

/* "no TCP restriction (ABI 2 < 4), ..." for rs->missing into out; "" when
 * nothing is missing.  Returns the length written. */
size_t ll_describe_missing(const struct ll_ruleset *rs, char *out,
			   size_t outsz);

#endif
