/* buildcfg.h - settings fixed at compile time (buildcfg.c).
 * The policy directory can only be changed by rebuilding: no variable or
 * argument points the setuid wrapper at another policy, lock directory or
 * temporary-directory root. */
#ifndef CGIJAIL_BUILDCFG_H
#define CGIJAIL_BUILDCFG_H
extern const char cgijail_config_dir[]; /* cgijail.conf, users.d/ */
extern const char cgijail_run_dir[];    /* <user>/slot.N concurrency locks */
extern const char cgijail_state_dir[];  /* tmp/<user>: per-tenant TMPDIR */
extern const char cgijail_zygote_path[]; /* warm mode's zygote program */
#endif
