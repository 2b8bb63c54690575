/* `key = value` lines: see config_file.h for the syntax. */
#include "config_file.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

static int syntax_error(int line, int *err_line, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	*err_line = line;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (errlen)
		err_mask_controls(err);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* After a closing quote or a plain value: only blanks, then optionally a comment. */
static bool rest_is_empty(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p == end || *p == '#';
}

/* The value in [p, end): quoted or plain, into out. 0, or -1 with a reason. */
static int parse_value(const char *p, const char *end, char *out, const char **why)
{
	size_t n = 0;
	while (p < end && is_blank(*p))
		p++;
	if (p < end && (*p == '"' || *p == '\'')) {
		char q = *p++;
		for (;;) {
			if (p == end) {
				*why = "unterminated quoted value";
				return -1;
			}
			char c = *p++;
			if (c == q)
				break;
			if (q == '"' && c == '\\') {
				if (p == end || (*p != '"' && *p != '\\')) {
					*why =
					    "unknown escape in a quoted value (only \\\" and \\\\)";
					return -1;
				}
				c = *p++;
			}
			if (n == CONFIG_VALUE_MAX) {
				*why = "value too long";
				return -1;
			}
			out[n++] = c;
		}
		if (!rest_is_empty(p, end)) {
			*why = "text after the closing quote";
			return -1;
		}
		out[n] = '\0';
		return 0;
	}
	const char *stop = p;
	for (const char *q = p; q < end; q++) {
		if (*q == '#' && (q == p || is_blank(q[-1])))
			break;
		if (!is_blank(*q))
			stop = q + 1;
	}
	if ((size_t)(stop - p) > CONFIG_VALUE_MAX) {
		*why = "value too long";
		return -1;
	}
	memcpy(out, p, (size_t)(stop - p));
	out[stop - p] = '\0';
	return 0;
}

int config_parse(const char *text, size_t len, config_entry_fn fn, void *ctx, int *err_line,
                 char *err, size_t errlen)
{
	static const char bom[] = "\xEF\xBB\xBF";
	char key[CONFIG_KEY_MAX + 1], value[CONFIG_VALUE_MAX + 1];
	const char *p = text, *end = text + len;
	int line = 0;
	*err_line = 0;
	if (errlen)
		err[0] = '\0';
	if (len >= 3 && memcmp(text, bom, 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = nl ? nl + 1 : end;
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n && memchr(p, '\0', n))
			return syntax_error(line, err_line, err, errlen, "NUL byte in the line");
		const char *eol = p + n;
		const char *s = p;
		p = next;
		while (s < eol && is_blank(*s))
			s++;
		if (s == eol || *s == '#')
			continue;
		const char *k = s;
		while (s < eol && is_key_char(*s))
			s++;
		size_t klen = (size_t)(s - k);
		while (s < eol && is_blank(*s))
			s++;
		if (klen == 0 || s == eol || *s != '=') {
			if (klen == 0)
				return syntax_error(line, err_line, err, errlen,
				                    "expected 'key = value'");
			return syntax_error(line, err_line, err, errlen,
			                    "expected 'key = value' (key: letters, digits, -, _)");
		}
		if (klen > CONFIG_KEY_MAX)
			return syntax_error(line, err_line, err, errlen, "key too long");
		memcpy(key, k, klen);
		key[klen] = '\0';
		const char *why = NULL;
		if (parse_value(s + 1, eol, value, &why) != 0)
			return syntax_error(line, err_line, err, errlen, "%s", why);
		int rc = fn(ctx, key, value, line);
		if (rc) {
			*err_line = line;
			return rc;
		}
	}
	return 0;
}

int config_bool(const char *value)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(value, yes[i]) == 0)
			return 1;
		if (strcasecmp(value, no[i]) == 0)
			return 0;
	}
	return -1;
}
