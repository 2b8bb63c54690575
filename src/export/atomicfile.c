/* Temporary file + fsync + rename, never replacing what it must not. */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE, O_PATH */
#include "export/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/err.h"

/* "dir/base" → dir (malloc) and base; NULL when there is no file name. */
static char *split_path(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return xstrdup(".");
	}
	*base = slash + 1;
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	char *dir = xmalloc(n + 1);
	memcpy(dir, path, n);
	dir[n] = '\0';
	return dir;
}

/* Directories that cannot be read can still be written: fall back to a
 * path-only descriptor (then the directory is not fsynced). */
static int open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#ifdef O_PATH
	if (fd < 0 && errno == EACCES)
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
#endif
	return fd;
}

/* What is at the target now: 0 nothing (or a file we may replace), -1 refuse. */
static int check_target(struct atomicfile *af, mode_t *mode, char *err, size_t errlen)
{
	struct stat st;
	if (fstatat(af->dirfd, af->base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, errlen, "cannot check '%s': %s", af->path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return err_set(err, errlen, "'%s' is a symbolic link; refusing to write through it",
		               af->path);
	if (S_ISDIR(st.st_mode))
		return err_set(err, errlen, "'%s' is a directory", af->path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, errlen, "'%s' is not a regular file", af->path);
	if (!af->force)
		return err_set(err, errlen, "'%s' exists (use --force to replace it)", af->path);
	*mode = st.st_mode & 0777; /* a replaced file keeps its permissions */
	return 0;
}

static uint64_t random_u64(void)
{
	static uint64_t counter;
	uint64_t v;
	if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
		return v;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
	return v ^ (++counter * UINT64_C(0x9e3779b97f4a7c15));
}

/* O_EXCL with a fresh random name until one is free. */
static int create_tmp(struct atomicfile *af)
{
	for (int tries = 0; tries < 100; tries++) {
		snprintf(af->tmp, sizeof af->tmp, "%s%016llx%s", ATOMICFILE_TMP_PREFIX,
		         (unsigned long long)random_u64(), ATOMICFILE_TMP_SUFFIX);
		int fd = openat(af->dirfd, af->tmp,
		                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST) {
			if (fd < 0)
				af->tmp[0] = '\0';
			return fd;
		}
	}
	af->tmp[0] = '\0';
	errno = EEXIST;
	return -1;
}

static void release(struct atomicfile *af)
{
	if (af->f)
		(void)fclose(af->f); /* abandoning the file anyway */
	else if (af->fd >= 0)
		close(af->fd);
	if (af->dirfd >= 0)
		close(af->dirfd);
	af->f = NULL;
	af->fd = af->dirfd = -1;
	af->tmp[0] = '\0';
}

static int open_tmp(struct atomicfile *af, const char *dir, mode_t mode, char *err, size_t errlen)
{
	af->fd = create_tmp(af);
	if (af->fd < 0)
		return err_set(err, errlen, "cannot create a file in '%s': %s", dir,
		               strerror(errno));
	if (mode && fchmod(af->fd, mode) != 0)
		return err_set(err, errlen, "cannot set permissions in '%s': %s", dir,
		               strerror(errno));
	af->f = fdopen(af->fd, "w");
	if (!af->f)
		return err_set(err, errlen, "cannot write in '%s': %s", dir, strerror(errno));
	af->fd = -1;
	return 0;
}

/* Every check that can fail before a byte is written. */
static int prepare(struct atomicfile *af, const char *dir, const char *base, mode_t *mode,
                   char *err, size_t errlen)
{
	if (!*af->path)
		return err_set(err, errlen, "empty output file name");
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return err_set(err, errlen, "'%s' is a directory", af->path);
	if (strlen(base) >= sizeof af->base)
		return err_set(err, errlen, "'%s': %s", af->path, strerror(ENAMETOOLONG));
	memcpy(af->base, base, strlen(base) + 1);
	af->dirfd = open_dir(dir);
	if (af->dirfd < 0)
		return err_set(err, errlen, "cannot open directory '%s': %s", dir, strerror(errno));
	return check_target(af, mode, err, errlen);
}

int atomicfile_open(struct atomicfile *af, const char *path, bool force, char *err, size_t errlen)
{
	memset(af, 0, sizeof *af);
	af->dirfd = af->fd = -1;
	af->force = force;
	af->path = path;
	const char *base;
	char *dir = split_path(path, &base);
	mode_t mode = 0;
	int rc = prepare(af, dir, base, &mode, err, errlen);
	if (rc == 0)
		rc = open_tmp(af, dir, mode, err, errlen);
	free(dir);
	if (rc != 0)
		atomicfile_abort(af);
	return rc;
}

/* rename without replacing: renameat2 where the file system supports it,
 * else link + unlink, which fails with EEXIST just the same. */
static int place_noreplace(struct atomicfile *af)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(af->dirfd, af->tmp, af->dirfd, af->base, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
#endif
	if (linkat(af->dirfd, af->tmp, af->dirfd, af->base, 0) != 0)
		return -1;
	/* The target is complete now; a failure here leaves only a second
	 * name of the same file behind, which is no reason to fail. */
	(void)unlinkat(af->dirfd, af->tmp, 0);
	return 0;
}

static int flush_and_close(struct atomicfile *af, char *err, size_t errlen)
{
	FILE *f = af->f;
	af->f = NULL;
	int bad = fflush(f) != 0 || ferror(f);
	int saved = errno;
	if (!bad && fsync(fileno(f)) != 0)
		bad = 1, saved = errno;
	if (fclose(f) != 0 && !bad)
		bad = 1, saved = errno;
	if (bad)
		return err_set(err, errlen, "writing '%s' failed: %s", af->path,
		               saved ? strerror(saved) : "I/O error");
	return 0;
}

int atomicfile_commit(struct atomicfile *af, char *err, size_t errlen)
{
	if (!af->f)
		return err_set(err, errlen, "internal error: '%s' is not open", af->path);
	errno = 0;
	if (flush_and_close(af, err, errlen) != 0) {
		atomicfile_abort(af);
		return -1;
	}
	int r = af->force ? renameat(af->dirfd, af->tmp, af->dirfd, af->base) : place_noreplace(af);
	if (r != 0) {
		if (errno == EEXIST)
			err_set(err, errlen, "'%s' exists (use --force to replace it)", af->path);
		else
			err_set(err, errlen, "cannot create '%s': %s", af->path, strerror(errno));
		atomicfile_abort(af);
		return -1;
	}
	af->tmp[0] = '\0';
	/* Best effort: the file is in place now, and a directory that cannot
	 * be synced (path-only descriptor, some file systems) is no reason to
	 * report a failure for a file that exists. */
	(void)fsync(af->dirfd);
	release(af);
	return 0;
}

void atomicfile_abort(struct atomicfile *af)
{
	if (af->f) {
		(void)fclose(af->f); /* abandoning the file anyway */
		af->f = NULL;
	}
	atomicfile_unlink_tmp(af);
	release(af);
}

void atomicfile_unlink_tmp(const struct atomicfile *af)
{
	if (af->dirfd >= 0 && af->tmp[0])
		(void)unlinkat(af->dirfd, af->tmp, 0); /* nothing more to do on failure */
}
