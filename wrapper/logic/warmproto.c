/* warmproto.c - see warmproto.h. */
#include "warmproto.h"

#include <string.h>

static size_t list_len(const char *const v[])
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

struct out {
	uint8_t *buf;
	size_t size, len;
	int overflow;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (n == 0)
		return;          /* an empty field: p may be NULL */
	if (o->overflow || n > o->size - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_u32(struct out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };
	put(o, b, sizeof(b));
}

static void put_field(struct out *o, const void *p, size_t n)
{
	if (n > UINT32_MAX) {
		o->overflow = 1;
		return;
	}
	put_u32(o, (uint32_t)n);
	put(o, p, n);
}

static void put_list(struct out *o, char *const v[])
{
	size_t n = list_len((const char *const *)v);

	if (n > WP_FIELDS_MAX) {
		o->overflow = 1;
		return;
	}
	put_u32(o, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_field(o, v[i], strlen(v[i]));
}

size_t wp_encode(uint8_t *buf, size_t bufsz, const uint8_t *key, size_t keylen,
		 mode_t umask, const char *script, char *const argv[], char *const envp[])
{
	struct out o = { buf, bufsz, 0, 0 };
	uint8_t um[4] = { (uint8_t)(umask & 0777), (uint8_t)((umask & 0777) >> 8), 0, 0 };

	if (bufsz < WP_HEADER || script == NULL || argv == NULL || argv[0] == NULL)
		return 0;
	put(&o, WP_MAGIC, 4);
	put_u32(&o, 0);                       /* the body length, below */
	put_field(&o, key, keylen);
	put_field(&o, um, sizeof(um));
	put_field(&o, script, strlen(script));
	put_list(&o, argv);
	put_list(&o, envp);
	if (o.overflow || o.len > WP_FRAME_MAX)
		return 0;
	size_t body = o.len - WP_HEADER;
	buf[4] = (uint8_t)body;
	buf[5] = (uint8_t)(body >> 8);
	buf[6] = (uint8_t)(body >> 16);
	buf[7] = (uint8_t)(body >> 24);
	return o.len;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* A wait status as the kernel makes them: exited (code in bits 8-15), or
 * killed by a signal 1..64 (core flag 0x80 allowed).  Stopped or
 * continued states never reach a reaped process's status. */
static int status_valid(uint32_t st)
{
	if ((st & 0x7f) == 0)
		return (st & ~0xff00u) == 0;
	return (st & 0x7f) <= 64 && (st & ~0xffu) == 0;
}

long wp_parse_answer(const uint8_t *buf, size_t len, struct wp_answer *out)
{
	if (len == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	switch (buf[0]) {
	case WP_STARTED:
		if (len < 5)
			return 0;
		out->kind = WP_STARTED;
		out->pid = get_u32(buf + 1);
		return out->pid == 0 ? -1 : 5;
	case WP_STATUS:
		if (len < 29)
			return 0;
		out->kind = WP_STATUS;
		if (!status_valid(get_u32(buf + 1)))
			return -1;
		out->status = (int32_t)get_u32(buf + 1);
		out->utime_us = get_u64(buf + 5);
		out->stime_us = get_u64(buf + 13);
		out->maxrss_kib = get_u64(buf + 21);
		return 29;
	case WP_STALE:
		out->kind = WP_STALE;
		return 1;
	case WP_REFUSED: {
		if (len < 5)
			return 0;
		uint32_t n = get_u32(buf + 1);
		if (n > WP_ERROR_MAX)
			return -1;
		if (len < 5 + (size_t)n)
			return 0;
		out->kind = WP_REFUSED;
		memcpy(out->text, buf + 5, n);
		out->text[n] = '\0';
		return 5 + (long)n;
	}
	default:
		return -1;
	}
}

void wp_key_init(struct wp_key *k)
{
	k->len = 0;
	k->overflow = 0;
}

static void key_put(struct wp_key *k, const void *p, size_t n)
{
	struct out o = { k->buf, sizeof(k->buf), k->len, k->overflow };

	put_field(&o, p, n);
	k->len = o.len;
	k->overflow = o.overflow;
}

void wp_key_str(struct wp_key *k, const char *name, const char *value)
{
	key_put(k, name, strlen(name));
	key_put(k, value ? value : "", value ? strlen(value) : 0);
}

void wp_key_u64(struct wp_key *k, const char *name, uint64_t value)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(value >> (8 * i));
	key_put(k, name, strlen(name));
	key_put(k, b, sizeof(b));
}

void wp_key_list(struct wp_key *k, const char *name, const char *const *v, long n)
{
	size_t count = 0;

	if (n < 0)
		while (v != NULL && v[count] != NULL)
			count++;
	else
		count = (size_t)n;
	wp_key_u64(k, name, count);
	for (size_t i = 0; i < count; i++)
		key_put(k, v[i], strlen(v[i]));
}
