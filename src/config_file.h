/* The configuration file's syntax, without knowing any key: `key = value`
 * lines, `#` comments, blank lines. Pure: no I/O, no allocation. */
#ifndef ATTUNE_CONFIG_FILE_H
#define ATTUNE_CONFIG_FILE_H

#include <stddef.h>

/* Longest key and value accepted (bytes, without the terminating NUL). */
#define CONFIG_KEY_MAX   63
#define CONFIG_VALUE_MAX 4095

/* Called for each `key = value` line, in file order: key and value are
 * NUL-terminated copies (surrounding whitespace and quotes removed), line
 * counts from 1. Return 0 to go on; anything else stops config_parse,
 * which returns it (the callback writes its own message). */
typedef int (*config_entry_fn)(void *ctx, const char *key, const char *value, int line);

/* Parse `len` bytes of `text`. Syntax:
 *   - a line is blank, a comment (first non-blank character `#`) or
 *     `key = value`; lines end with LF or CRLF; a leading UTF-8 BOM is skipped;
 *   - a key is letters, digits, `-`, `_` and `.`;
 *   - a value is the rest of the line with blanks trimmed, up to a `#`
 *     that follows a blank (an inline comment); it may be empty;
 *   - a value may be quoted: "..." (with \" \\ escapes) or '...'
 *     (literal); only blanks or a comment may follow the closing quote.
 * Returns 0; the callback's non-zero result; or -1 for a syntax error,
 * with *err_line set and a short reason (no file name) in err. */
int config_parse(const char *text, size_t len, config_entry_fn fn, void *ctx, int *err_line,
                 char *err, size_t errlen);

/* Booleans as a config value: yes/no, true/false, on/off, 1/0 (any case).
 * Returns 1, 0, or -1 for anything else. */
int config_bool(const char *value);

#endif
