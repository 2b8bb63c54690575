/* err_set: the one-line error message behind every -1; err_mask_controls. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (!err || len == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	err[strcspn(err, "\r\n")] = '\0';
	return -1;
}

void err_mask_controls(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}
