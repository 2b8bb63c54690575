/* A file that appears all at once or not at all: written to a temporary
 * file created with O_EXCL next to the target, synced, then renamed into
 * place. An existing target is never replaced without `force` (not even in
 * a race), and a symbolic link or directory at the target is refused.
 * POSIX only; no libpq, no curses. */
#ifndef ATTUNE_ATOMICFILE_H
#define ATTUNE_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ATOMICFILE_TMP_PREFIX ".attune-top-"
#define ATOMICFILE_TMP_SUFFIX ".tmp"

struct atomicfile {
	int dirfd;        /* the target's directory, -1 when closed */
	int fd;           /* the temporary file, -1 once handed to `f` or closed */
	FILE *f;          /* stream over the temporary file */
	bool force;       /* may replace an existing regular file */
	char tmp[64];     /* temporary file name inside dirfd, "" when none */
	char base[256];   /* target file name inside dirfd */
	const char *path; /* the target as given, for messages */
};

/* Check the target and create the temporary file. Returns 0, or -1 with a
 * one-line message in err (nothing is left behind). */
int atomicfile_open(struct atomicfile *af, const char *path, bool force, char *err, size_t errlen);

/* Flush, fsync, close, and rename the temporary file to the target, then
 * fsync the directory. Returns 0, or -1 with a message (the temporary file
 * is removed, the target untouched). Always releases af. */
int atomicfile_commit(struct atomicfile *af, char *err, size_t errlen);

/* Remove the temporary file and release af. Safe after commit or on a
 * zeroed-then-failed open. */
void atomicfile_abort(struct atomicfile *af);

/* Async-signal-safe removal of the temporary file (for a fatal signal). */
void atomicfile_unlink_tmp(const struct atomicfile *af);

#endif
