/* buildcfg.c - compiled once per binary with its own directories. */
#include "buildcfg.h"
#if !defined(CGIJAIL_CONFIG_DIR) || !defined(CGIJAIL_RUN_DIR) || !defined(CGIJAIL_STATE_DIR) || \
	!defined(CGIJAIL_ZYGOTE)
#error "CGIJAIL_CONFIG_DIR, CGIJAIL_RUN_DIR, CGIJAIL_STATE_DIR and CGIJAIL_ZYGOTE must be defined by the build"
#endif
const char cgijail_config_dir[] = CGIJAIL_CONFIG_DIR;
const char cgijail_run_dir[] = CGIJAIL_RUN_DIR;
const char cgijail_state_dir[] = CGIJAIL_STATE_DIR;
const char cgijail_zygote_path[] = CGIJAIL_ZYGOTE;
