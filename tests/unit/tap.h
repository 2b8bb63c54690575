/* A minimal TAP producer for unit tests run by automake's tap-driver.sh. */
#ifndef ATTUNE_TAP_H
#define ATTUNE_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_ok(int cond, const char *what, const char *file, int line)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, what);
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
}

#define ok(cond, what) tap_ok(!!(cond), (what), __FILE__, __LINE__)

#define is_int(got, want, what)                                                                    \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		tap_ok(g_ == w_, (what), __FILE__, __LINE__);                                      \
		if (g_ != w_)                                                                      \
			printf("#   got %lld, want %lld\n", g_, w_);                               \
	} while (0)

#define is_str(got, want, what)                                                                    \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		int same_ = g_ && w_ && strcmp(g_, w_) == 0;                                       \
		tap_ok(same_, (what), __FILE__, __LINE__);                                         \
		if (!same_)                                                                        \
			printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)",                \
			       w_ ? w_ : "(null)");                                                \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
