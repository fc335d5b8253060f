/* supervise.c - see supervise.h for the order of the steps. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "err.h"
#include "exitcodes.h"
#include "process.h"
#include "relay.h"
#include "warm.h"
#include "warmproto.h"
#include "zygsock.h"

#define KILL_WAIT_MS 2000

/* One supervised request, from the fork to the reap. */
struct sv {
	pid_t child;
	struct cg_leaf *leaf;
	bool reaped;
	int wstatus;
	struct rusage ru;
	bool killed;
	int sfd;                 /* signalfd of the blocked signals */
	int pipe_rd;             /* the status pipe's read end, -1 once closed */
	struct timespec start;   /* CLOCK_MONOTONIC at the fork */
	struct relay relay;      /* stdin, stdout, stderr (relay.h) */
	/* Warm mode: the request process is forked by the slot's zygote
	 * (docs/warm-mode.md); child is the zygote when this supervisor
	 * started it, else 0. */
	const struct warm_plan *warm;
	int conn;                /* the connection to the zygote, or -1 */
	pid_t zygote;            /* its host pid, 0 while unknown */
	bool answered;           /* its 'S': the request process was reaped */
	bool lost;               /* the connection ended without an 'S' */
	uint8_t in[64 + WP_ERROR_MAX];
	size_t inlen;
};

static void read_status(struct sv *s, struct sv_result *res);
static void take_answers(struct sv *s);

/* The request has ended: the script reaped (cold), or the zygote reported
 * its end or is gone (warm). */
static bool request_over(const struct sv *s)
{
	return s->warm != NULL ? s->answered || s->lost : s->reaped;
}

static void now_mono(struct timespec *ts)
{
	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
}

static int64_t ms_left(const struct timespec *deadline)
{
	struct timespec now;

	now_mono(&now);
	int64_t ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
		     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms;
}

/* End every process of the request.  The script is the init of the
 * request's pid namespace: once it dies the kernel kills every other
 * process of the namespace and lets the supervisor reap the script only
 * when they are gone.  Its process group too, for good measure; the
 * cgroup is emptied after the reap (sv_finish), a net under all that. */
static void kill_request(struct sv *s)
{
	if (s->warm != NULL) {
		/* The zygote is the init of the slot's pid namespace: the whole
		 * leaf, or without cgroups the zygote, takes everything of the
		 * request with it. */
		const char *why = NULL;

		if (s->leaf != NULL)
			(void)cg_leaf_kill(s->leaf, KILL_WAIT_MS, &why);
		else if (s->zygote > 0)
			(void)kill(s->zygote, SIGKILL);
		s->killed = true;
		return;
	}
	if (!s->reaped)
		(void)kill(s->child, SIGKILL);
	(void)kill(-s->child, SIGKILL);
	s->killed = true;
}

static bool try_reap(struct sv *s, int flags)
{
	if (s->reaped || s->child <= 0)
		return true;
	for (;;) {
		pid_t r = wait4(s->child, &s->wstatus, flags, &s->ru);
		if (r == s->child) {
			s->reaped = true;
			return true;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return false;
	}
}

static _Noreturn void supervisor_fatal(struct sv *s, const char *why)
{
	char line[256];
	int n;

	kill_request(s);
	(void)try_reap(s, 0);
	n = snprintf(line, sizeof(line), "cgijail: error: %s\n", why);
	if (n > 0)
		(void)!write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	_exit(CGIJAIL_EXIT_PRIV);
}

/* One more best-effort note for the record's sandbox field. */
static void add_note(struct sv_result *res, const char *note, size_t len)
{
	size_t used = strlen(res->notes);

	(void)snprintf(res->notes + used, sizeof(res->notes) - used, "%s%.*s",
		       used ? "; " : "", (int)len, note);
}

/* A message from the child: "E<status> <reason>" or "N<note>". */
static void child_message(struct sv_result *res, const char *msg, size_t len)
{
	if (len == 0)
		return;
	if (msg[0] == 'E') {
		int st = 0;
		size_t i = 1;
		while (i < len && msg[i] >= '0' && msg[i] <= '9' && st < 1000)
			st = st * 10 + (msg[i++] - '0');
		if (i < len && msg[i] == ' ')
			i++;
		res->child_failed = true;
		res->child_status = st;
		(void)snprintf(res->child_reason, sizeof(res->child_reason), "%.*s",
			       (int)(len - i), msg + i);
	} else if (msg[0] == 'N') {
		add_note(res, msg + 1, len - 1);
	}
}

static int setup_signals(sigset_t *old, const char **reason)
{
	sigset_t set;

	if (sigemptyset(&set) != 0 || sigaddset(&set, SIGCHLD) != 0 ||
	    sigaddset(&set, SIGTERM) != 0 || sigaddset(&set, SIGINT) != 0 ||
	    sigaddset(&set, SIGHUP) != 0 || sigaddset(&set, SIGQUIT) != 0 ||
	    sigaddset(&set, SIGPIPE) != 0 ||
	    sigprocmask(SIG_BLOCK, &set, old) != 0) {
		return err_sys(reason, "cannot block signals");
	}
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return err_sys(reason, "signalfd failed");
	return sfd;
}

static void account(struct sv *s, struct sv_result *res, uint64_t cpu_limit_s,
		    const struct timespec *start)
{
	struct cg_stats st = { CG_UNKNOWN, CG_UNKNOWN, CG_UNKNOWN, CG_UNKNOWN };
	struct timespec end;
	const char *why;

	now_mono(&end);
	res->wall_ms = acct_ms_between(start->tv_sec, start->tv_nsec, end.tv_sec, end.tv_nsec);
	if (s->leaf != NULL)
		(void)cg_leaf_stats(s->leaf, &st, &why);
	res->cpu_ms = (uint64_t)s->ru.ru_utime.tv_sec * 1000 + (uint64_t)s->ru.ru_utime.tv_usec / 1000 +
		      (uint64_t)s->ru.ru_stime.tv_sec * 1000 + (uint64_t)s->ru.ru_stime.tv_usec / 1000;
	/* The cgroup also counts processes the script did not wait for. */
	if (st.cpu_usec != CG_UNKNOWN && st.cpu_usec / 1000 > res->cpu_ms)
		res->cpu_ms = st.cpu_usec / 1000;
	/* The cgroup's peak where it is this request's; else the script's
	 * largest resident set (wait4), which also counts shared pages the
	 * cgroup does not: the record says which. */
	res->mem_peak_rss = st.memory_peak == CG_UNKNOWN;
	res->mem_peak = !res->mem_peak_rss ? st.memory_peak : (uint64_t)s->ru.ru_maxrss * 1024;
	res->acct.exited = WIFEXITED(s->wstatus);
	res->acct.status = WIFEXITED(s->wstatus) ? WEXITSTATUS(s->wstatus) : 0;
	res->acct.signal = WIFSIGNALED(s->wstatus) ? WTERMSIG(s->wstatus) : 0;
	res->acct.cpu_ms = res->cpu_ms;
	res->acct.cpu_limit_s = cpu_limit_s;
	res->acct.oom_kills = st.oom_kills;
	res->acct.pids_max_hits = st.pids_max_hits;
	res->limit = res->child_failed ? NULL : acct_limit(&res->acct);
}

/* 3. The supervisor keeps only what its job needs: not the script's ends
 *    of the relay pipes (the script's exit is their end), not stdin unless
 *    it relays it. */
static void keep_only_what_supervising_needs(struct sv *s, const struct sb_plan *plan)
{
	const char *why = NULL;

	relay_parent(&s->relay);
	if (proc_supervisor_privileges(&why) != 0)
		supervisor_fatal(s, why);
	if (s->relay.plan.how[RP_STDIN] != RP_RELAY && proc_stdin_devnull() != 0)
		supervisor_fatal(s, "cannot replace stdin");
	(void)close(plan->dirfd);
}

/* Steps 1-3: signals to a descriptor, the relay and status pipes, the
 * fork; the child confines itself and execs, this process keeps only what
 * supervising needs.  Returns 0, or -1 with *reason when nothing was started. */
static int sv_start(struct sv *s, const struct sb_plan *plan,
		    const char **reason)
{
	int pfd[2];
	sigset_t old;

	s->sfd = setup_signals(&old, reason);
	if (s->sfd < 0)
		return -1;
	/* The web server's pipes and sockets stay with the supervisor; the
	 * script gets relay pipes instead (relay.h). */
	if (relay_setup(&s->relay, reason) != 0)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		relay_close(&s->relay);
		return err_sys(reason, "cannot create the status pipe");
	}
	if (fcntl(pfd[0], F_SETFL, O_NONBLOCK) != 0) {
		relay_close(&s->relay);
		return err_sys(reason, "cannot set up the status pipe");
	}
	/* The script becomes the init of a pid namespace of its own: when it
	 * ends, or dies with the supervisor (its parent-death signal, which
	 * the seccomp filter keeps set), the kernel kills every process the
	 * request started, wherever it double-forked to.  On cgroup v2 it
	 * starts in its leaf. */
	bool in_cgroup = false;

	now_mono(&s->start);
	s->child = proc_fork_request(plan->leaf != NULL ? cg_leaf_clone_fd(plan->leaf) : -1,
				     &in_cgroup, reason);
	if (s->child < 0) {
		relay_close(&s->relay);
		return -1;
	}
	if (s->child == 0) {
		(void)close(pfd[0]);
		(void)close(s->sfd);
		confine_exec(plan, pfd[1], in_cgroup, &s->relay, NULL);
	}
	(void)close(pfd[1]);
	s->pipe_rd = pfd[0];
	keep_only_what_supervising_needs(s, plan);
	return 0;
}

/* ---- warm mode (docs/warm-mode.md) ------------------------------------------- */

/* Start the slot's zygote: the cold path's child, confined the same way,
 * execs the zygote program with its listening socket on 3. */
static int start_zygote(struct sv *s, const struct sb_plan *plan, const char **reason)
{
	const struct warm_plan *w = s->warm;
	bool in_cgroup = false;
	int pfd[2];

	int lfd = zyg_listen(w->run_dir, w->user, w->slot, reason);
	if (lfd < 0)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) != 0 || fcntl(pfd[0], F_SETFL, O_NONBLOCK) != 0) {
		(void)close(lfd);
		return err_sys(reason, "cannot create the status pipe");
	}
	const struct confine_zygote z = { lfd, w->zargv, w->zenvp };

	s->child = proc_fork_request(plan->leaf != NULL ? cg_leaf_clone_fd(plan->leaf) : -1,
				     &in_cgroup, reason);
	if (s->child < 0) {
		(void)close(lfd);
		(void)close(pfd[0]);
		(void)close(pfd[1]);
		s->child = 0;
		return -1;
	}
	if (s->child == 0) {
		(void)close(pfd[0]);
		(void)close(s->sfd);
		confine_exec(plan, pfd[1], in_cgroup, NULL, &z);
	}
	(void)close(lfd);
	(void)close(pfd[1]);
	s->pipe_rd = pfd[0];
	s->zygote = s->child;
	return 0;
}

/* The slot's leaf holds the zygote pid, alone or with one other process
 * (its spare: the zygote forks it after a request's supervisor has checked
 * the leaf and hung up, docs/warm-mode.md). */
static bool zygote_in_leaf(const struct cg_leaf *leaf, pid_t pid)
{
	pid_t p[2];
	int n = cg_leaf_list(leaf, p, 2);

	return (n >= 1 && p[0] == pid) || (n == 2 && p[1] == pid);
}

/* Answers of the zygote in s->in: 1 when the buffer held one (*a filled,
 * consumed), 0 when more bytes are needed, -1 on a malformed answer. */
static int next_answer(struct sv *s, struct wp_answer *a)
{
	long n = wp_parse_answer(s->in, s->inlen, a);

	if (n <= 0)
		return (int)n;
	memmove(s->in, s->in + n, s->inlen - (size_t)n);
	s->inlen -= (size_t)n;
	return 1;
}

/* Read what the zygote sent: 1 something arrived, 0 end of connection. */
static int read_conn(struct sv *s)
{
	ssize_t r = read(s->conn, s->in + s->inlen, sizeof(s->in) - s->inlen);

	if (r > 0) {
		s->inlen += (size_t)r;
		return 1;
	}
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	return 0;
}

/* The zygote of the slot that does not serve this request (another key,
 * gone, not the user's) goes, with whatever is in the leaf. */
static void discard_zygote(struct sv *s)
{
	kill_request(s);
	if (s->child > 0)
		(void)try_reap(s, 0);
	s->killed = false;
	s->reaped = false;
	s->child = 0;
	s->zygote = 0;
	if (s->conn >= 0)
		(void)close(s->conn);
	s->conn = -1;
	s->inlen = 0;
}

/* Wait until the zygote says it started the request ('P'): 1; it will not
 * take it ('K', or the connection ends first): 0; a malformed answer or
 * the wall time: -1 with *reason. */
static int wait_started(struct sv *s, const struct timespec *deadline, struct sv_result *res,
			const char **reason)
{
	struct wp_answer a;

	for (;;) {
		int k = next_answer(s, &a);
		if (k < 0) {
			*reason = "a malformed answer from the zygote";
			return -1;
		}
		if (k > 0) {
			if (a.kind == WP_STARTED)
				return 1;
			if (a.kind == WP_STALE)
				return 0;
			/* 'E': cgijail and its zygote program disagree. */
			*reason = "the zygote refused the request";
			return -1;
		}
		struct pollfd p[2] = { { .fd = s->conn, .events = POLLIN },
				       { .fd = s->pipe_rd, .events = POLLIN } };
		int64_t left = ms_left(deadline);
		if (left == 0) {
			*reason = "the zygote did not take the request in time";
			return -1;
		}
		if (poll(p, 2, left > INT32_MAX ? INT32_MAX : (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(reason, "poll failed");
		}
		if (p[1].revents)
			read_status(s, res);
		if (p[0].revents && read_conn(s) == 0 && next_answer(s, &a) == 0)
			return 0;
		if (p[0].revents && s->inlen > 0)
			continue;
	}
}

/* Steps 1-3 of a warm request: the slot's zygote (started when there is
 * none, or replaced when it may not serve this request) takes the request
 * with the relay pipes' script ends and the script's directory.  At most
 * one zygote is started per request.  Returns 0; -1 with *reason when
 * nothing was started; 0 with res->child_failed when a zygote started for
 * this request failed before it took it. */
static int sv_start_warm(struct sv *s, const struct sb_plan *plan, struct sv_result *res,
			 const char **reason)
{
	const struct warm_plan *w = s->warm;
	struct timespec deadline;
	sigset_t old;
	bool fresh = false;

	s->sfd = setup_signals(&old, reason);
	if (s->sfd < 0)
		return -1;
	if (relay_setup(&s->relay, reason) != 0)
		return -1;
	now_mono(&s->start);
	deadline = s->start;
	deadline.tv_sec += (time_t)(w->send_ms / 1000) + 1;
	for (;;) {
		int c = zyg_connect(w->run_dir, w->user, w->slot, w->send_ms, reason);
		if (c < 0)
			goto fail;
		if (c == ZYG_NONE) {
			if (fresh) {
				*reason = "the zygote started for this request does not listen";
				goto fail;
			}
			if (start_zygote(s, plan, reason) != 0)
				goto fail;
			fresh = true;
			continue;
		}
		s->conn = c;
		if (!fresh) {
			/* Someone else's zygote: the user's, in the slot's leaf
			 * with at most its spare (its listen() set the
			 * credentials). */
			pid_t pid;
			uid_t uid;
			if (zyg_peer(c, &pid, &uid, reason) != 0)
				goto fail;
			if (uid != plan->tgt->uid || pid <= 0 ||
			    (s->leaf != NULL && !zygote_in_leaf(s->leaf, pid))) {
				discard_zygote(s);
				continue;
			}
			s->zygote = pid;
		}
		const int fds[4] = {
			s->relay.script_end[0] >= 0 ? s->relay.script_end[0] : STDIN_FILENO,
			s->relay.script_end[1] >= 0 ? s->relay.script_end[1] : STDOUT_FILENO,
			s->relay.script_end[2] >= 0 ? s->relay.script_end[2] : STDERR_FILENO,
			plan->dirfd,
		};
		int r = zyg_send(c, w->frame, w->frame_len, fds, reason) == 0
			? wait_started(s, &deadline, res, reason) : (fresh ? -1 : 0);
		if (r > 0)
			break;
		if (r < 0 && !fresh)
			goto fail;
		if (fresh) {
			/* The zygote started for this request failed: its
			 * confinement (a message on the status pipe), or its
			 * program (its exit status). */
			if (s->pipe_rd >= 0)
				read_status(s, res);
			s->lost = true;
			break;
		}
		discard_zygote(s);   /* another key, or it ended meanwhile */
	}
	/* The zygote's 'S' may have come with its 'P' (a short request): the
	 * zygote waits for the hang-up after it, so nothing more will come. */
	if (!s->lost)
		take_answers(s);
	/* The record says the request was warm, and which paid the start. */
	const char *note = fresh ? "warm, zygote started" : "warm";
	add_note(res, note, strlen(note));
	keep_only_what_supervising_needs(s, plan);
	return 0;
fail:
	if (s->conn >= 0)
		(void)close(s->conn);
	s->conn = -1;
	if (fresh)
		discard_zygote(s);
	relay_close(&s->relay);
	return -1;
}

/* The answers of the zygote already read while the request runs: its end
 * ('S').  Also called right after its 'P': both may come in one read. */
static void take_answers(struct sv *s)
{
	struct wp_answer a;

	for (int k; (k = next_answer(s, &a)) != 0;) {
		if (k < 0 || a.kind != WP_STATUS) {
			s->lost = !s->answered;
			return;
		}
		s->answered = true;
		s->wstatus = a.status;
		s->ru.ru_utime.tv_sec = (time_t)(a.utime_us / 1000000);
		s->ru.ru_utime.tv_usec = (suseconds_t)(a.utime_us % 1000000);
		s->ru.ru_stime.tv_sec = (time_t)(a.stime_us / 1000000);
		s->ru.ru_stime.tv_usec = (suseconds_t)(a.stime_us % 1000000);
		s->ru.ru_maxrss = (long)(a.maxrss_kib > LONG_MAX ? LONG_MAX : a.maxrss_kib);
	}
}

/* What the zygote sent while the request runs, or the connection's end. */
static void read_answers(struct sv *s)
{
	if (read_conn(s) == 0) {
		s->lost = !s->answered;
		(void)close(s->conn);
		s->conn = -1;
	}
	take_answers(s);
}

/* A message on the status pipe, or its end (EOF: the exec happened). */
static void read_status(struct sv *s, struct sv_result *res)
{
	char msg[SB_MSG_MAX];
	ssize_t r = read(s->pipe_rd, msg, sizeof(msg) - 1);

	if (r > 0) {
		child_message(res, msg, (size_t)r);
	} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		(void)close(s->pipe_rd);
		s->pipe_rd = -1;
	}
}

/* Step 4: until the script ends and its output is delivered, the
 * wall-clock deadline passes, the web server stops reading stdout or
 * terminates cgijail. */
static void sv_wait(struct sv *s, uint64_t wall_ms, struct sv_result *res)
{
	struct timespec deadline = s->start;
	bool draining = false;
	const char *why = NULL;

	deadline.tv_sec += (time_t)(wall_ms / 1000);
	deadline.tv_nsec += (long)(wall_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (;;) {
		if (s->lost)
			return;      /* the zygote is gone or broken: sv_finish */
		if (request_over(s) && !draining) {
			/* Every process of the request is gone: what its
			 * pipes hold now is the rest of its output. */
			if (relay_reaped(&s->relay, &why) != 0)
				supervisor_fatal(s, why);
			draining = true;
		}
		if (request_over(s) && !relay_busy(&s->relay))
			return;

		struct pollfd p[4 + RELAY_NPOLL] = {
			{ .fd = s->sfd, .events = POLLIN },
			{ .fd = s->pipe_rd, .events = POLLIN },
			/* no events asked: only POLLERR/POLLHUP, the reader leaving */
			{ .fd = STDOUT_FILENO, .events = 0 },
			/* warm: the zygote's answers */
			{ .fd = s->conn, .events = POLLIN },
		};
		relay_poll(&s->relay, p + 4);
		int64_t left = wall_ms ? ms_left(&deadline) : -1;
		if (left == 0) {
			res->acct.wall_expired = true;
			return;
		}
		int n = poll(p, 4 + RELAY_NPOLL, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			supervisor_fatal(s, "poll failed");
		}
		if (p[1].revents)
			read_status(s, res);
		if (p[2].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			res->acct.client_abort = true;
			return;
		}
		if (p[3].revents)
			read_answers(s);
		int rc = relay_events(&s->relay, p + 4, &why);
		if (rc < 0)
			supervisor_fatal(s, why);
		if (rc == RELAY_ABORT) {
			/* A write to stdout failed: the client is gone. */
			res->acct.client_abort = true;
			return;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			bool stop = false;
			while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGPIPE)
					stop = true;
			if (stop) {
				res->acct.client_abort = true;
				return;
			}
			(void)try_reap(s, WNOHANG);
		}
	}
}

/* Step 5 of a warm request.  A normal end (the zygote's 'S', the output
 * delivered): the zygote has killed and reaped the rest of the request,
 * and the leaf must hold the zygote and nothing else; anything else, and
 * every other end, empties the leaf, zygote included (the next request
 * starts a new one). */
static void finish_warm(struct sv *s, struct sv_result *res)
{
	bool normal = s->answered && !res->acct.wall_expired && !res->acct.client_abort;

	if (normal && s->leaf != NULL && cg_leaf_single(s->leaf) != s->zygote)
		normal = false;
	if (!normal) {
		kill_request(s);
		if (s->child > 0 && !try_reap(s, 0))
			supervisor_fatal(s, "cannot reap the zygote");
	}
	/* A zygote started for this request that failed before it took it:
	 * its own status (reaped above); else the request was killed with
	 * its zygote, as cold requests are. */
	if (!s->answered && !(s->child > 0 && s->reaped && res->child_failed))
		s->wstatus = SIGKILL;
	if (!s->answered) {
		if (!res->child_failed && !res->acct.wall_expired && !res->acct.client_abort) {
			res->child_failed = true;
			res->child_status = CGIJAIL_EXIT_SANDBOX;
			(void)snprintf(res->child_reason, sizeof(res->child_reason), "%s",
				       "the zygote ended before the request did");
		}
	}
	if (s->conn >= 0)
		(void)close(s->conn);
	s->conn = -1;
}

/* Steps 5-6: whatever ended it, nothing of the request survives it; the
 * accounting, then the leaf goes. */
static void sv_finish(struct sv *s, uint64_t cpu_limit_s, struct sv_result *res)
{
	const char *why = NULL;

	if (s->warm != NULL) {
		finish_warm(s, res);
	} else {
		kill_request(s);
		if (!try_reap(s, 0))
			supervisor_fatal(s, "cannot reap the script");
		if (s->leaf != NULL && cg_leaf_kill(s->leaf, KILL_WAIT_MS, &why) != 0)
			res->cleanup = why;
	}
	if (s->pipe_rd >= 0) {
		/* A failure report written just before the child exited. */
		char msg[SB_MSG_MAX];
		ssize_t r = read(s->pipe_rd, msg, sizeof(msg) - 1);
		if (r > 0)
			child_message(res, msg, (size_t)r);
		(void)close(s->pipe_rd);
		s->pipe_rd = -1;
	}
	(void)close(s->sfd);
	/* Output the script left behind when the supervisor ended it is
	 * dropped; the web server's sockets get their flags back. */
	relay_close(&s->relay);
	account(s, res, cpu_limit_s, &s->start);
	if (s->leaf != NULL)
		cg_leaf_close(s->leaf);
}

int sv_run(const struct sb_plan *plan, struct cg_leaf *leaf, const struct warm_plan *warm,
	   uint64_t wall_ms, uint64_t cpu_limit_s, struct sv_result *res, const char **reason)
{
	struct sv s = { .leaf = leaf, .sfd = -1, .pipe_rd = -1, .warm = warm, .conn = -1 };

	memset(res, 0, sizeof(*res));
	res->mem_peak = ACCT_UNKNOWN;
	if ((warm != NULL ? sv_start_warm(&s, plan, res, reason)
			  : sv_start(&s, plan, reason)) != 0)
		return -1;
	sv_wait(&s, wall_ms, res);
	sv_finish(&s, cpu_limit_s, res);
	return 0;
}
