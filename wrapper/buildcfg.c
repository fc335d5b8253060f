/* buildcfg.c - compiled once per binary with its own CGIJAIL_CONFIG_DIR. */
#include "buildcfg.h"
#ifndef CGIJAIL_CONFIG_DIR
#error "CGIJAIL_CONFIG_DIR must be defined by the build"
#endif
const char cgijail_config_dir[] = CGIJAIL_CONFIG_DIR;
