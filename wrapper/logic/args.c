/* args.c - see args.h.  No syscalls: only argv is looked at. */
#include "args.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "strutil.h"

_Static_assert(sizeof(uid_t) == 4 && sizeof(gid_t) == 4,
	       "args_parse_id assumes 32-bit uid_t and gid_t");

/* The largest id accepted: (uid_t)-1 means "no change" to setresuid(). */
#define ID_MAX 4294967294UL

static const char usage_reason[] =
	"usage: cgijail USER GROUP COMMAND [ARGS...] | cgijail /path/script [ARGS...] | cgijail -V";

bool args_parse_id(const char *s, unsigned long *out)
{
	unsigned long v;

	if (s == NULL || str_to_ulong_strict(s, ID_MAX, &v) != 0)
		return false;
	if (out != NULL)
		*out = v;
	return true;
}

/* A USER or GROUP: a strict decimal id, or a valid name.  Something that
 * starts with a digit is a number or nothing ("01", "1x" are refused). */
static bool id_or_name_ok(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9')
		return args_parse_id(s, NULL);
	return name_is_valid(s);
}

/* true when path has a ".." component. */
static bool has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
		p++;
	}
	return false;
}

static int refuse(const char **reason, const char *why)
{
	if (reason != NULL)
		*reason = why;
	return -1;
}

static int parse_suexec(int argc, char *const argv[], struct request_args *a,
			const char **reason)
{
	const char *user = argv[1];

	if (argc < 4)
		return refuse(reason, usage_reason);
	if (user[0] == '~') {
		a->userdir = true;
		user++;
	}
	if (!id_or_name_ok(user))
		return refuse(reason, "bad user");
	if (!id_or_name_ok(argv[2]))
		return refuse(reason, "bad group");
	if (strnlen(argv[3], PATH_MAX) >= PATH_MAX)
		return refuse(reason, "command path too long");
	if (!path_is_safe_relative(argv[3])) {
		if (argv[3][0] == '/' || has_dotdot(argv[3]))
			return refuse(reason, "command path is absolute or contains '..'");
		return refuse(reason,
			      "command path is empty or has an empty or '.' component or a control character");
	}
	a->mode = MODE_SUEXEC;
	a->user = user;
	a->group = argv[2];
	a->cmd = argv[3];
	a->script_args = &argv[4];
	a->nscript_args = argc - 4;
	return 0;
}

static int parse_interp(int argc, char *const argv[], struct request_args *a,
			const char **reason)
{
	const char *path = argv[1];

	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return refuse(reason, "script path too long");
	/* "/" passes path_is_abs_normalized but names a directory; every
	 * other trailing '/' is refused by path_is_abs_normalized itself. */
	if (!path_is_abs_normalized(path) || strcmp(path, "/") == 0)
		return refuse(reason, "script path is not an absolute, normalized file path");
	a->mode = MODE_INTERP;
	a->cmd = path;
	a->script_args = &argv[2];
	a->nscript_args = argc - 2;
	return 0;
}

int args_parse(int argc, char *const argv[], struct request_args *out,
	       const char **reason)
{
	struct request_args a = { .mode = MODE_SUEXEC };
	int rc;

	if (out == NULL)
		return refuse(reason, "no output for the arguments");
	*out = a;
	if (argc < 1 || argv == NULL || argv[0] == NULL)
		return refuse(reason, "empty argument vector");
	/* argv must really be argc long and NULL-terminated: script_args
	 * points into it. */
	for (int i = 1; i < argc; i++)
		if (argv[i] == NULL)
			return refuse(reason, "malformed argument vector");
	if (argv[argc] != NULL)
		return refuse(reason, "malformed argument vector");
	if (argc < 2)
		return refuse(reason, usage_reason);

	if (argv[1][0] == '-') {
		/* options: "-V" alone, nothing else */
		if (strcmp(argv[1], "-V") != 0 || argc != 2)
			return refuse(reason, usage_reason);
		a.mode = MODE_VERSION;
		a.script_args = &argv[2];
		a.nscript_args = 0;
		rc = 0;
	} else if (argv[1][0] == '/') {
		rc = parse_interp(argc, argv, &a, reason);
	} else {
		rc = parse_suexec(argc, argv, &a, reason);
	}
	if (rc == 0)
		*out = a;
	return rc;
}
