/* config.c - see config.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fsys.h"
#include "rules.h"
#include "strutil.h"

static int parse_fd(struct config *c, int fd, const char *path, bool dropin,
		    char *err, size_t errsz)
{
	struct policy_error pe;
	FILE *f = fdopen(fd, "r");
	int rc;

	if (f == NULL) {
		(void)close(fd);
		snprintf(err, errsz, "%s: cannot read", path);
		return -1;
	}
	rc = dropin ? policy_parse_dropin(&c->pol, f, path, &pe) :
		      policy_parse(&c->pol, f, path, &pe);
	if (rc == 0 && !dropin)
		rc = policy_validate(&c->pol, path, &pe);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errsz, "%s: read error", path);
		return -1;
	}
	if (rc != 0)
		policy_error_format(&pe, err, errsz);
	return rc;
}

int config_load(const char *dir, struct config *c, char *err, size_t errsz)
{
	struct walk w;
	const char *why = NULL;
	size_t bad;

	c->dirfd = -1;
	c->usersd_fd = -1;
	c->dropin[0] = '\0';
	if (policy_defaults(&c->pol) != 0) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if ((size_t)snprintf(c->path, sizeof(c->path), "%s/cgijail.conf", dir) >=
	    sizeof(c->path)) {
		snprintf(err, errsz, "policy path too long");
		return -1;
	}
	if (fsys_walk_dir(dir, &w, &why, &bad) != 0) {
		snprintf(err, errsz, "%.*s: %s", (int)bad, dir, why);
		return -1;
	}
	for (size_t i = 0; i < w.n; i++) {
		why = rule_config_dir(&w.st[i]);
		if (why) {
			snprintf(err, errsz, "%.*s: %s", (int)w.end[i], dir, why);
			fsys_walk_close(&w);
			return -1;
		}
	}
	c->dirfd = w.fd;

	int fd = fsys_open_config_file(c->dirfd, "cgijail.conf", &why);
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", c->path,
			 fd == -2 ? "does not exist" : why);
		return -1;
	}
	if (parse_fd(c, fd, c->path, false, err, errsz) != 0)
		return -1;

	struct stat st;
	int ufd = fsys_open_leaf(c->dirfd, "users.d", &st, &why);
	if (ufd < 0) {
		if (errno == ENOENT) /* no drop-ins at all */
			return 0;
		snprintf(err, errsz, "%s/users.d: %s", dir, why);
		return -1;
	}
	why = rule_config_dir(&st);
	if (why) {
		(void)close(ufd);
		snprintf(err, errsz, "%s/users.d: %s", dir, why);
		return -1;
	}
	c->usersd_fd = ufd;
	return 0;
}

int config_load_dropin(struct config *c, const char *user, char *err,
		       size_t errsz)
{
	char name[NAME_MAX + 1], path[PATH_MAX];
	const char *why = NULL;

	if (c->usersd_fd < 0)
		return 0;
	if (!name_is_valid(user) ||
	    (size_t)snprintf(name, sizeof(name), "%s.conf", user) >= sizeof(name)) {
		snprintf(err, errsz, "user name not usable for users.d");
		return -1;
	}
	snprintf(path, sizeof(path), "%.*s/users.d/%s",
		 (int)(strlen(c->path) - strlen("/cgijail.conf")), c->path, name);
	int fd = fsys_open_config_file(c->usersd_fd, name, &why);
	if (fd == -2)
		return 0;
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", path, why);
		return -1;
	}
	if (parse_fd(c, fd, path, true, err, errsz) != 0)
		return -1;
	snprintf(c->dropin, sizeof(c->dropin), "%s", path);
	return 0;
}

int config_dropin_users(const struct config *c,
			void (*fn)(void *ctx, const char *user), void *ctx,
			const char **reason)
{
	int fd;
	DIR *d;
	const struct dirent *e;

	if (c->usersd_fd < 0)
		return 0;
	fd = openat(c->usersd_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		(void)err_sys(reason, "cannot read users.d");
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		char user[NAME_MAX + 1];
		size_t len = strlen(e->d_name);

		if (len <= 5 || strcmp(e->d_name + len - 5, ".conf") != 0 ||
		    len - 5 >= sizeof(user))
			continue;
		memcpy(user, e->d_name, len - 5);
		user[len - 5] = '\0';
		if (name_is_valid(user))
			fn(ctx, user);
	}
	int rerr = errno;

	(void)closedir(d);
	return rerr != 0 ? err_sysn(reason, "cannot read users.d", rerr) : 0;
}

void config_free(struct config *c)
{
	if (c->dirfd >= 0)
		(void)close(c->dirfd);
	if (c->usersd_fd >= 0)
		(void)close(c->usersd_fd);
	c->dirfd = c->usersd_fd = -1;
	policy_free(&c->pol);
}
