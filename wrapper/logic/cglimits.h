/* cglimits.h - the pure half of the cgroup module (wrapper/sys/cgroup).
 *
 * No I/O, no syscalls: limit values -> the (file, value) writes the kernel
 * wants, parsing of what cgroup files say (numbers, "key value" files,
 * cgroup.procs, freezer.state), and the naming rules for cgroup paths.
 * wrapper/sys/cgroup does every read, write and mkdir.  Unit-tested in
 * tests/unit/test_cglimits.c. */
#ifndef CGIJAIL_CGLIMITS_H
#define CGIJAIL_CGLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cg_version { CG_V1 = 1, CG_V2 = 2 };

/* The controllers cgijail uses; also indexes of per-controller arrays and
 * bit numbers in masks (1u << c).  The freezer is used only on v1 (to kill
 * a request without races); it has no limits. */
enum cg_ctrl { CG_MEMORY = 0, CG_PIDS = 1, CG_CPU = 2, CG_FREEZER = 3, CG_NCTRL = 4 };

#define CG_BIT(c) (1u << (unsigned)(c))
#define CG_MOUNT_PATH_MAX 256

/* The controllers' names ("memory", "pids", "cpu", "freezer"). */
extern const char *const cgl_ctrl_name[CG_NCTRL];

/* 0 in any field means "no limit". */
struct cg_limits {
	uint64_t memory;        /* bytes, swap included (memory + swap <= this) */
	uint64_t tasks;         /* processes + threads */
	uint32_t cpu_percent;   /* CFS quota: 100 = one core, 200 = two cores */
};

#define CG_CPU_PERIOD_US 100000u
#define CG_CPU_PERCENT_MAX 100000u /* 1000 cores */
#define CGL_VALUE_MAX 32

struct cg_setting {
	const char *file;          /* e.g. "memory.max" */
	char value[CGL_VALUE_MAX];  /* e.g. "33554432" */
	bool optional;             /* skip when the file does not exist (ENOENT) */
};

/* At most this many settings per controller. */
#define CG_SETTINGS_MAX 2

/* Fill out[0..n) with the settings for controller c of limits l on cgroup
 * version v, in write order.  Returns n (0..CG_SETTINGS_MAX; 0 for the
 * freezer), or -1 for an invalid version/controller or an out-of-range
 * value (cpu_percent above CG_CPU_PERCENT_MAX; memory not below INT64_MAX;
 * tasks above INT32_MAX).
 *
 *   memory v2: memory.max=<bytes|max>, memory.swap.max=<0|max> (optional)
 *   memory v1: memory.limit_in_bytes=<bytes|-1>,
 *              memory.memsw.limit_in_bytes=<bytes|-1> (optional: absent
 *              without swap accounting; then swap is not limited)
 *   pids:      pids.max=<n|max>
 *   cpu v2:    cpu.max="<quota|max> 100000"
 *   cpu v1:    cpu.cfs_period_us=100000, cpu.cfs_quota_us=<quota|-1>
 *   cpu settings are optional when cpu_percent is 0 (no limit: a kernel
 *   without CFS bandwidth control is fine then).
 *
 * v1 memory: memsw.limit must stay >= limit_in_bytes at every moment; the
 * order above is right when lowering or setting a fresh cgroup, the caller
 * retries memsw first when the kernel says EINVAL (raising a limit). */
int cgl_format(enum cg_version v, enum cg_ctrl c, const struct cg_limits *l,
	       struct cg_setting out[CG_SETTINGS_MAX]);

/* Does the value read from cgroup file `file` (cur, with or without its
 * '\n') already equal the value we would write (want)?  v1 shows
 * "unlimited" memory as a huge page-aligned number but takes "-1"; memory
 * limits (v1 and v2) read back rounded down to a page (4 KiB to 64 KiB). */
bool cgl_same_value(const char *file, const char *cur, const char *want);

/* Parse a cgroup file's numeric value: decimal digits, optionally followed
 * by one '\n'; "max" (v2) gives UINT64_MAX.  Returns 0 or -1. */
int cgl_parse_u64(const char *s, uint64_t *out);

/* In a "key value\n" file (memory.events, cpu.stat, memory.oom_control,
 * pids.events, cgroup.events), find key and parse its value.  Returns 0, -1
 * on a malformed value, or -2 when the key is absent. */
int cgl_find_key(const char *text, const char *key, uint64_t *out);

/* Is word (e.g. "memory") listed in a space-separated cgroup.controllers /
 * cgroup.subtree_control text? */
bool cgl_has_word(const char *text, const char *word);

/* cgroup.procs: one decimal pid per line.  Stores at most max pids in out
 * (the rest are left for the caller's next round).  Returns the number
 * stored, or -1 when the text is malformed (a non-digit, a pid <= 0 or
 * above INT32_MAX, a missing newline between pids). */
int cgl_parse_pids(const char *text, pid_t *out, size_t max);

/* v1 freezer.state. */
enum cg_freezer_state { CGF_INVALID = -1, CGF_THAWED = 0, CGF_FREEZING = 1, CGF_FROZEN = 2 };
enum cg_freezer_state cgl_freezer_state(const char *text);

/* Where a controller is mounted (the cgroup module's discovery). */
struct cg_mount {
	bool found;
	enum cg_version version;
	char path[CG_MOUNT_PATH_MAX];  /* absolute, normalized, no blank */
};

/* The discovery as text for the run directory's cache, one line per found
 * controller: "cgijail-cgroup-mounts 1\n" then "<name> <version> <path>\n".
 * Returns the length, or 0 when it does not fit or a path is not
 * absolute, normalized and free of blanks and control characters (such a
 * discovery is not cached). */
size_t cgl_format_mounts(const struct cg_mount m[CG_NCTRL], char *out, size_t outsz);

/* The inverse.  Returns 0 with m filled (controllers not listed: found =
 * false), or -1 for anything but exactly that form (unknown or repeated
 * names, bad versions or paths, a missing header or newline). */
int cgl_parse_mounts(const char *text, struct cg_mount m[CG_NCTRL]);

/* The cgroup directory name for a tenant: name_is_valid() names only; the
 * name is prefixed with '_' when it could collide with a kernel attribute
 * file (systemd's escaping rule: "tasks", "notify_on_release",
 * "release_agent", a name starting with '_' or '.', "<controller>.xxx" and
 * "cgroup.xxx").  Returns 0, or -1 (invalid name, out too small). */
int cgl_tenant_dir(const char *user, char *out, size_t size);

/* The inverse: the user a tenant directory belongs to.  Returns 0, or -1
 * when dir is not a name cgl_tenant_dir() makes (out too small included). */
int cgl_tenant_user(const char *dir, char *out, size_t size);

/* Does name look like a systemd unit's cgroup ("x.slice", "x.service",
 * "x.scope")?  cgijail never creates one (sys/cgroup/place.c). */
bool cgl_is_unit_name(const char *name);

/* The request leaf for concurrency slot k: "s<k>".  Returns 0 or -1. */
int cgl_slot_name(unsigned k, char *out, size_t size);

#endif
