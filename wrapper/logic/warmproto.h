/* warmproto.h - warm mode's wire format between the supervisor and a
 * tenant's zygote (docs/warm-mode.md), and the sandbox key that decides
 * whether a zygote may serve a request (pure, no syscalls; the socket work
 * is sys/warm.c's).
 *
 * Request (supervisor -> zygote), little-endian, each field a u32 length and
 * its bytes; the four descriptors (stdin, stdout, stderr, the script's
 * directory) travel with the first 8 bytes:
 *     "CJW1" u32 body_length | key | umask (u32, as a 4-byte field) |
 *     script | u32 argc, argv... | u32 envc, "NAME=value"...
 * Answers (zygote -> supervisor):
 *     'P' u32 pid                          the request process started
 *     'S' i32 status u64 utime_us u64 stime_us u64 maxrss_kib
 *                                          it was reaped
 *     'K'                                  the key differs; the zygote ends
 *     'E' u32 length, text                 the frame was refused
 * The zygote (zygote/cgijail-zygote.py) is the other side of both. */
#ifndef CGIJAIL_WARMPROTO_H
#define CGIJAIL_WARMPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WP_MAGIC "CJW1"
#define WP_HEADER 8                 /* magic + body length */
#define WP_FRAME_MAX (4u << 20)     /* the zygote's own bound */
#define WP_FIELDS_MAX 8192u
#define WP_ERROR_MAX 512u           /* longest 'E' text the supervisor reads */
#define WP_KEY_MAX 65536u

/* Encode a request into buf (bufsz bytes).  argv and envp are NULL-ended;
 * argv[0] is the script as the interpreter's sys.argv[0].  Returns the
 * frame's length, or 0 when it does not fit bufsz or WP_FRAME_MAX, or a
 * list has more than WP_FIELDS_MAX entries. */
size_t wp_encode(uint8_t *buf, size_t bufsz, const uint8_t *key, size_t keylen,
		 mode_t umask, const char *script, char *const argv[], char *const envp[]);

enum wp_kind { WP_STARTED = 'P', WP_STATUS = 'S', WP_STALE = 'K', WP_REFUSED = 'E' };

struct wp_answer {
	enum wp_kind kind;
	uint32_t pid;                    /* WP_STARTED */
	int32_t status;                  /* WP_STATUS: a wait status */
	uint64_t utime_us, stime_us;     /* WP_STATUS */
	uint64_t maxrss_kib;             /* WP_STATUS */
	char text[WP_ERROR_MAX + 1];     /* WP_REFUSED, NUL-ended, raw bytes:
					    escape before logging */
};

/* Parse one answer at the start of buf (len bytes).  Returns the bytes it
 * took (> 0) with *out filled, 0 when buf holds only part of an answer, or
 * -1 when buf does not start with a valid answer (unknown kind, an 'E' text
 * longer than WP_ERROR_MAX, a wait status that is not one). */
long wp_parse_answer(const uint8_t *buf, size_t len, struct wp_answer *out);

/* The sandbox key: everything a zygote was started with that a request
 * must share to be served by it.  Each item is its name and its value, each
 * with a length prefix, in the order of the calls, so no two different
 * sequences of items give the same key. */
struct wp_key {
	uint8_t buf[WP_KEY_MAX];
	size_t len;
	int overflow;                    /* a value did not fit: the key is unusable */
};

void wp_key_init(struct wp_key *k);
void wp_key_str(struct wp_key *k, const char *name, const char *value);
void wp_key_u64(struct wp_key *k, const char *name, uint64_t value);
/* A NULL-ended or counted list (n entries; n < 0: NULL-ended). */
void wp_key_list(struct wp_key *k, const char *name, const char *const *v, long n);

#endif
