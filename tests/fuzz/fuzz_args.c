/* fuzz_args - the wrapper's command line parser (wrapper/logic/args.c,
 * args_parse), as Apache (suexec protocol), lighttpd/shebang (interpreter
 * mode) or a local user would call it.
 *
 * Input: the arguments after argv[0], separated by NUL bytes ("1000\0
 * 1000\0hello.py" is argv[1..3]; an empty input is no argument at all).
 * argv[0] is the installed path.
 *
 * Invariants (abort on violation):
 *  - args_parse accepts exactly what this file's own reading of the rules
 *    (args.h, Apache suexec's checks) accepts, so the parser neither lets
 *    a bad command line through nor refuses a good one;
 *  - an accepted suexec CMD is relative, has no '..', '.' or empty
 *    component and no control character; an accepted interpreter-mode
 *    script path is absolute, normalized and not "/";
 *  - USER and GROUP are strict decimal ids up to 4294967294 or valid
 *    names; the '~' of a userdir request is stripped and reported;
 *  - the result points into argv as documented (cmd, user, group,
 *    script_args, nscript_args); a refusal gives a reason and leaves the
 *    output in its empty state. */
#include "fuzz_common.h"

#include <limits.h>

#include "args.h"

#define MAX_ARGS 64
#define ID_MAX 4294967294ULL

static bool ref_id_or_name(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9')
		return fuzz_ref_ulong(s, ID_MAX, NULL);
	return fuzz_ref_name(s);
}

/* The reference decision: which mode, or -1 for a refusal. */
static int ref_mode(int argc, char *const argv[])
{
	if (argc < 2)
		return -1;
	if (argv[1][0] == '-')
		return strcmp(argv[1], "-V") == 0 && argc == 2 ? MODE_VERSION : -1;
	if (argv[1][0] == '/') {
		const char *p = argv[1];
		return strlen(p) < PATH_MAX && fuzz_ref_abs_normalized(p) && strcmp(p, "/") != 0
			       ? MODE_INTERP
			       : -1;
	}
	if (argc < 4)
		return -1;
	const char *user = argv[1][0] == '~' ? argv[1] + 1 : argv[1];
	if (!ref_id_or_name(user) || !ref_id_or_name(argv[2]))
		return -1;
	if (strlen(argv[3]) >= PATH_MAX || !fuzz_ref_safe_relative(argv[3]))
		return -1;
	return MODE_SUEXEC;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v[MAX_ARGS + 1], *buf, *argv[MAX_ARGS + 2];
	char argv0[] = "/usr/lib/cgijail/cgijail";
	size_t n = fuzz_split(data, size, v, MAX_ARGS, &buf);
	int argc = (int)n + 1;
	struct request_args a;
	const char *reason = NULL;

	argv[0] = argv0;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = v[i];
	argv[n + 1] = NULL;

	/* The documented id reader agrees with the reference. */
	for (int i = 1; i < argc && i < 4; i++) {
		unsigned long id = 0;
		unsigned long long ref = 0;
		bool ok = args_parse_id(argv[i], &id);
		FUZZ_CHECK(ok == fuzz_ref_ulong(argv[i], ID_MAX, &ref) && (!ok || id == ref),
			   "args_parse_id('%s')", argv[i]);
	}

	int want = ref_mode(argc, argv);
	int rc = args_parse(argc, argv, &a, &reason);

	if (rc != 0) {
		FUZZ_CHECK(rc == -1, "rc %d", rc);
		FUZZ_CHECK(want == -1, "refused (%s) what the rules accept as mode %d",
			   reason ? reason : "(null)", want);
		FUZZ_CHECK(reason != NULL && reason[0] != '\0', "refusal without reason");
		FUZZ_CHECK(a.mode == MODE_SUEXEC && a.cmd == NULL && a.user == NULL &&
				   a.group == NULL && a.script_args == NULL && !a.userdir,
			   "output not reset after a refusal");
		free(buf);
		return 0;
	}
	FUZZ_CHECK(want == (int)a.mode, "accepted as mode %d, the rules say %d", (int)a.mode,
		   want);
	switch (a.mode) {
	case MODE_VERSION:
		FUZZ_CHECK(argc == 2 && strcmp(argv[1], "-V") == 0, "-V");
		FUZZ_CHECK(a.nscript_args == 0 && a.script_args == &argv[2], "-V args");
		break;
	case MODE_INTERP:
		FUZZ_CHECK(a.cmd == argv[1], "cmd is not argv[1]");
		FUZZ_CHECK(a.cmd[0] == '/' && !fuzz_has_component(a.cmd + 1, "..") &&
				   !fuzz_has_ctl(a.cmd) && strcmp(a.cmd, "/") != 0,
			   "script path '%s'", a.cmd);
		FUZZ_CHECK(a.user == NULL && a.group == NULL && !a.userdir, "ids in interp mode");
		FUZZ_CHECK(a.script_args == &argv[2] && a.nscript_args == argc - 2,
			   "interp args");
		break;
	case MODE_SUEXEC:
		FUZZ_CHECK(argc >= 4, "argc %d", argc);
		FUZZ_CHECK(a.userdir == (argv[1][0] == '~'), "userdir flag");
		FUZZ_CHECK(a.user == argv[1] + (a.userdir ? 1 : 0), "user pointer");
		FUZZ_CHECK(a.user[0] != '~' && ref_id_or_name(a.user), "user '%s'", a.user);
		FUZZ_CHECK(a.group == argv[2] && ref_id_or_name(a.group), "group");
		FUZZ_CHECK(a.cmd == argv[3], "cmd is not argv[3]");
		FUZZ_CHECK(a.cmd[0] != '/' && a.cmd[0] != '\0' &&
				   !fuzz_has_component(a.cmd, "..") &&
				   !fuzz_has_component(a.cmd, ".") &&
				   !fuzz_has_component(a.cmd, "") && !fuzz_has_ctl(a.cmd),
			   "command '%s'", a.cmd);
		FUZZ_CHECK(a.script_args == &argv[4] && a.nscript_args == argc - 4,
			   "suexec args");
		break;
	default:
		FUZZ_CHECK(false, "mode %d", (int)a.mode);
	}
	free(buf);
	return 0;
}
