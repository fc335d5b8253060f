/* log.h - one record per request: syslog (authpriv, ident "cgijail") always,
 * and JSON lines in the policy's log_file when set.  The record's text is
 * logic/logfmt.c's; this module opens the sinks and writes. */
#ifndef CGIJAIL_LOG_H
#define CGIJAIL_LOG_H

#include "logfmt.h"

/* Open syslog (LOG_AUTHPRIV, ident "cgijail", LOG_PID|LOG_NDELAY). */
void log_open_syslog(void);

/* Open log_file for appending, as root, on descriptors: every directory from
 * "/" to its parent is walked with O_NOFOLLOW and must pass
 * rule_config_dir() (root-owned, not group/other-writable), then the file is
 * opened below that directory fd with O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|
 * O_NONBLOCK|O_CLOEXEC, mode 0640, and must pass rule_log_file().  Returns
 * the fd, or -1 with *reason. */
int log_open_file(const char *path, const char **reason);

/* Write r to syslog and, when fd >= 0, as one JSON line to fd (a single
 * write(2), O_APPEND, so concurrent requests never interleave).  Returns 0,
 * or -1 when the file write failed (syslog has no failure to report). */
int log_write(int fd, const struct log_record *r);

#endif
