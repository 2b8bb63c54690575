/* The one error convention of library functions: return -1 and leave a
 * one-line message in the caller's buffer. */
#ifndef ATTUNE_ERR_H
#define ATTUNE_ERR_H

#include <stddef.h>

/* Format the message into err (its first line only: libpq messages span
 * lines) and return -1. err may be NULL or len 0. */
int err_set(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Replace control characters in s by '?': a message that quotes what a
 * user typed or a file holds stays one line and cannot drive the terminal. */
void err_mask_controls(char *s);

#endif
