/* test_warmproto.c - warm mode's frame and answers (wrapper/logic/warmproto.c),
 * byte for byte as the zygote (zygote/cgijail-zygote.py) reads and writes
 * them, and the sandbox key. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "warmproto.h"

static uint8_t buf[1 << 16];

static uint32_t u32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

Test(warmproto, frame_layout)
{
	char *argv[] = { "hello.py", "a b", NULL };
	char *envp[] = { "PATH=/usr/bin", "X=", NULL };
	const uint8_t key[] = { 'k', 0, 'y' };
	size_t n = wp_encode(buf, sizeof(buf), key, sizeof(key), 0027, "hello.py", argv, envp);
	static const uint8_t want[] =
		"CJW1" "\x4d\0\0\0"
		"\x03\0\0\0" "k\0y"
		"\x04\0\0\0" "\x17\0\0\0"
		"\x08\0\0\0" "hello.py"
		"\x02\0\0\0" "\x08\0\0\0" "hello.py" "\x03\0\0\0" "a b"
		"\x02\0\0\0" "\x0d\0\0\0" "PATH=/usr/bin" "\x02\0\0\0" "X=";

	cr_assert_eq(n, sizeof(want) - 1, "%zu", n);
	cr_expect_eq(memcmp(buf, want, n), 0);
	cr_expect_eq(u32_at(buf + 4), n - WP_HEADER);
}

Test(warmproto, frame_refusals)
{
	char *argv[] = { "s.py", NULL };
	char *noargv[] = { NULL };
	char *envp[] = { NULL };

	cr_expect_eq(wp_encode(buf, 8, NULL, 0, 022, "s.py", argv, envp), 0);
	cr_expect_eq(wp_encode(buf, sizeof(buf), NULL, 0, 022, "s.py", noargv, envp), 0);
	cr_expect_eq(wp_encode(buf, sizeof(buf), NULL, 0, 022, NULL, argv, envp), 0);
	/* every size up to the exact one is refused, the exact one fits */
	size_t full = wp_encode(buf, sizeof(buf), (const uint8_t *)"k", 1, 022, "s.py", argv,
				envp);
	cr_assert_gt(full, 0);
	for (size_t sz = 0; sz < full; sz++)
		cr_expect_eq(wp_encode(buf, sz, (const uint8_t *)"k", 1, 022, "s.py", argv, envp),
			     0, "%zu", sz);
	/* only the permission bits of the umask travel */
	cr_assert_gt(wp_encode(buf, sizeof(buf), NULL, 0, 07777, "s.py", argv, envp), 0);
	cr_expect_eq(u32_at(buf + 16), 0777);   /* after key (empty) and its length */
}

Test(warmproto, answers)
{
	struct wp_answer a;
	static const uint8_t started[] = "P\x07\0\0\0";
	static const uint8_t status[] = "S\x00\x03\0\0" "\x10\0\0\0\0\0\0\0" "\x20\0\0\0\0\0\0\0"
					"\x30\0\0\0\0\0\0\0";
	static const uint8_t killed[] = "S\x09\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0"
					"\0\0\0\0\0\0\0\0";
	static const uint8_t refused[] = "E\x03\0\0\0" "bad";

	cr_expect_eq(wp_parse_answer(started, 5, &a), 5);
	cr_expect(a.kind == WP_STARTED && a.pid == 7);
	cr_expect_eq(wp_parse_answer(status, 29, &a), 29);
	cr_expect(a.kind == WP_STATUS && a.status == 0x300);
	cr_expect(a.utime_us == 16 && a.stime_us == 32 && a.maxrss_kib == 48);
	cr_expect_eq(wp_parse_answer(killed, 29, &a), 29);
	cr_expect_eq(a.status, 9);
	cr_expect_eq(wp_parse_answer((const uint8_t *)"K", 1, &a), 1);
	cr_expect_eq(a.kind, WP_STALE);
	cr_expect_eq(wp_parse_answer(refused, 8, &a), 8);
	cr_expect(a.kind == WP_REFUSED && strcmp(a.text, "bad") == 0);
	/* a part of an answer: wait for more */
	for (size_t n = 0; n < 5; n++)
		cr_expect_eq(wp_parse_answer(started, n, &a), 0, "%zu", n);
	for (size_t n = 0; n < 29; n++)
		cr_expect_eq(wp_parse_answer(status, n, &a), 0, "%zu", n);
	for (size_t n = 0; n < 8; n++)
		cr_expect_eq(wp_parse_answer(refused, n, &a), 0, "%zu", n);
}

Test(warmproto, bad_answers)
{
	struct wp_answer a;
	uint8_t b[64];

	cr_expect_eq(wp_parse_answer((const uint8_t *)"X", 1, &a), -1);
	cr_expect_eq(wp_parse_answer((const uint8_t *)"P\0\0\0\0", 5, &a), -1);  /* pid 0 */
	/* an 'E' text over the bound is refused, not truncated */
	memcpy(b, "E\x01\x02\0\0", 5);
	cr_expect_eq(wp_parse_answer(b, sizeof(b), &a), -1);
	/* wait statuses no reaped process has: stopped, continued, signal 0x7e */
	static const uint32_t bad_status[] = { 0x137f, 0xffff, 0x7e, 0x10009, 0x300 | 9 };
	for (size_t i = 0; i < sizeof(bad_status) / sizeof(bad_status[0]); i++) {
		memset(b, 0, sizeof(b));
		b[0] = 'S';
		memcpy(b + 1, &bad_status[i], 4);
		cr_expect_eq(wp_parse_answer(b, 29, &a), -1, "%#x", bad_status[i]);
	}
}

Test(warmproto, key_tells_inputs_apart)
{
	static struct wp_key a, b;
	const char *l1[] = { "ab", "c", NULL };
	const char *l2[] = { "a", "bc", NULL };

	wp_key_init(&a);
	wp_key_init(&b);
	wp_key_str(&a, "x", "ab");
	wp_key_str(&b, "xa", "b");
	cr_expect(a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0);

	wp_key_init(&a);
	wp_key_init(&b);
	wp_key_list(&a, "l", l1, -1);
	wp_key_list(&b, "l", l2, -1);
	cr_expect(a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0);

	wp_key_init(&a);
	wp_key_init(&b);
	wp_key_u64(&a, "n", 1);
	wp_key_u64(&b, "n", 1);
	wp_key_list(&a, "l", l1, 2);
	wp_key_list(&b, "l", l1, -1);
	cr_expect(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0 && !a.overflow);
}

Test(warmproto, key_overflow_is_sticky)
{
	static struct wp_key k;
	static char big[WP_KEY_MAX];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	wp_key_init(&k);
	wp_key_str(&k, "big", big);
	cr_expect(k.overflow);
	wp_key_str(&k, "small", "y");
	cr_expect(k.overflow);
}
