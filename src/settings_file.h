/* The user's configuration file: defaults for the options, read between the
 * built-in defaults and the environment (command line > environment >
 * file > built-in). */
#ifndef ATTUNE_SETTINGS_FILE_H
#define ATTUNE_SETTINGS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "settings.h"

/* $XDG_CONFIG_HOME/attune-top/config (when XDG_CONFIG_HOME is an absolute
 * path), else $HOME/.config/attune-top/config. Returns 0, or -1 when
 * neither variable gives a path or it does not fit. */
int settings_file_path(char *buf, size_t len);

/* settings_parse, with the configuration file applied: the command line is
 * read first (for --no-config, --help and --version, which skip the file),
 * then the file, then the command line again over the file's defaults.
 * A missing file is no error; an unreadable one or an unknown key is one
 * warning line on `warn`. Returns 0, or -1 with a one-line message naming
 * the file and line in err (a bad value or a syntax error). */
int settings_load(struct settings *s, int argc, char **argv, bool stdout_tty, FILE *warn, char *err,
                  size_t errlen);

/* Read `len` bytes of configuration text as the file `name` into the
 * process's file defaults (replacing any). Returns 0 or -1 (message in err);
 * unknown keys warn on `warn` (NULL: silently). */
int settings_file_load_text(const char *name, const char *text, size_t len, FILE *warn, char *err,
                            size_t errlen);

/* Forget the file defaults (for tests). */
void settings_file_reset(void);

/* Apply the file defaults to freshly defaulted settings (called by
 * settings_parse before the command line; nothing until a file was read). */
void settings_file_apply(struct settings *s);

/* What only applies once the command line and the environment are known:
 * the schema (after ATTUNE__DATABASE__SCHEMA, not with --demo), the export
 * directory (after ATTUNE_TOP_EXPORT_DIR, which export.c reads first) and
 * csv-raw (not a usage error without --export). */
void settings_file_finish(struct settings *s);

#endif
