/* log.c - see log.h. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fsys.h"
#include "rules.h"

void log_open_syslog(void)
{
	openlog("cgijail", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

int log_open_file(const char *path, const char **reason)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct walk w;
	struct stat st;
	size_t bad;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    (size_t)(slash - path) >= sizeof(dir)) {
		*reason = "log_file is not an absolute file path";
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (fsys_walk_dir(dir, &w, reason, &bad) != 0) {
		*reason = "log_file's directory cannot be walked without symlinks";
		return -1;
	}
	for (size_t i = 0; i < w.n; i++) {
		if (rule_config_dir(&w.st[i]) != NULL) {
			*reason = "log_file's directories must be owned by root and not writable by group or others";
			fsys_walk_close(&w);
			return -1;
		}
	}
	int fd = openat(w.fd, slash + 1,
			O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
				O_CLOEXEC | O_NOCTTY,
			0640);
	int e = errno;
	fsys_walk_close(&w);
	if (fd < 0) {
		if (e == ELOOP) {
			*reason = "log_file is a symbolic link";
			return -1;
		}
		return err_sysn(reason, "cannot open log_file", e);
	}
	if (fstat(fd, &st) != 0) {
		(void)err_sys(reason, "cannot stat log_file");
		(void)close(fd);
		return -1;
	}
	const char *r = rule_log_file(&st);
	if (r) {
		*reason = !S_ISREG(st.st_mode) ? "log_file is not a regular file" :
			  st.st_nlink != 1 ? "log_file has more than one hard link" :
					     "log_file is not owned by root or is writable by group or others";
		(void)close(fd);
		return -1;
	}
	return fd;
}

int log_write(int fd, const struct log_record *r)
{
	char line[LOG_RECORD_MAX];
	struct timespec now;
	size_t n;

	n = log_format_syslog(line, sizeof(line), r);
	if (n > 0)
		syslog(LOG_AUTHPRIV | (r->reason || (r->acct && r->acct->limit) ? LOG_WARNING : LOG_INFO), "%s", line);
	if (fd < 0)
		return 0;
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return -1;
	n = log_format_json(line, sizeof(line) - 1, r, &now, getpid());
	if (n == 0)
		return -1;
	line[n++] = '\n';
	ssize_t w = write(fd, line, n);
	return (w >= 0 && (size_t)w == n) ? 0 : -1;
}
