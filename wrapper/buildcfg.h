/* buildcfg.h - settings fixed at compile time (wrapper/buildcfg.c).
 * The policy directory can only be changed by rebuilding: no variable or
 * argument points the setuid wrapper at another policy. */
#ifndef CGIJAIL_BUILDCFG_H
#define CGIJAIL_BUILDCFG_H
extern const char cgijail_config_dir[];
#endif
