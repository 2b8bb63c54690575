/* Unit tests for src/atomicfile.c, in a private temporary directory. */
#include "export/atomicfile.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static char *at(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries of the directory other than . and .., counted; temporaries too. */
static int entries(int *tmps)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	*tmps = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (strncmp(e->d_name, ATOMICFILE_TMP_PREFIX, strlen(ATOMICFILE_TMP_PREFIX)) == 0)
			(*tmps)++;
	}
	closedir(d);
	return n;
}

static void no_temporaries(const char *what)
{
	int tmps;
	entries(&tmps);
	is_int(tmps, 0, what);
}

static void create_new(void)
{
	struct atomicfile af;
	char err[512];
	int tmps;
	ok(atomicfile_open(&af, at("new.csv"), false, err, sizeof err) == 0, "open a new target");
	ok(access(at("new.csv"), F_OK) != 0, "target absent while writing");
	is_int(entries(&tmps), 1, "one entry while writing");
	is_int(tmps, 1, "  which is the temporary file");
	fputs("hello\n", af.f);
	ok(atomicfile_commit(&af, err, sizeof err) == 0, "commit");
	is_str(slurp(at("new.csv")), "hello\n", "content in place");
	no_temporaries("no temporary file after commit");
	ok(af.dirfd < 0 && af.f == NULL, "released after commit");
}

static void existing(void)
{
	struct atomicfile af;
	char err[512];
	put("old.csv", "old\n");
	ok(atomicfile_open(&af, at("old.csv"), false, err, sizeof err) != 0,
	   "existing target without force refused");
	ok(strstr(err, "exists") && strstr(err, "--force"), "  message says why");
	is_str(slurp(at("old.csv")), "old\n", "  untouched");
	no_temporaries("  nothing left behind");

	chmod(at("old.csv"), 0640);
	ok(atomicfile_open(&af, at("old.csv"), true, err, sizeof err) == 0, "force opens");
	fputs("new\n", af.f);
	is_str(slurp(at("old.csv")), "old\n", "  old content until commit");
	ok(atomicfile_commit(&af, err, sizeof err) == 0, "  commit replaces");
	is_str(slurp(at("old.csv")), "new\n", "  new content");
	struct stat st;
	stat(at("old.csv"), &st);
	is_int(st.st_mode & 0777, 0640, "  permissions of the replaced file kept");
	no_temporaries("  no temporary file");
}

static void race(void)
{
	struct atomicfile af;
	char err[512];
	ok(atomicfile_open(&af, at("race.csv"), false, err, sizeof err) == 0, "open (absent)");
	fputs("mine\n", af.f);
	put("race.csv", "theirs\n"); /* appears while we write */
	ok(atomicfile_commit(&af, err, sizeof err) != 0, "commit refuses to replace it");
	ok(strstr(err, "exists") != NULL, "  message says it exists");
	is_str(slurp(at("race.csv")), "theirs\n", "  their file untouched");
	no_temporaries("  temporary removed");
}

static void refused(void)
{
	struct atomicfile af;
	char err[512];
	put("victim", "precious\n");
	ok(symlink(at("victim"), at("link.csv")) == 0, "make a symlink");
	ok(atomicfile_open(&af, at("link.csv"), false, err, sizeof err) != 0, "symlink refused");
	ok(atomicfile_open(&af, at("link.csv"), true, err, sizeof err) != 0,
	   "symlink refused with force");
	ok(strstr(err, "symbolic link") != NULL, "  message says why");
	is_str(slurp(at("victim")), "precious\n", "  link target untouched");
	ok(symlink(at("nowhere"), at("dangling.csv")) == 0, "make a dangling symlink");
	ok(atomicfile_open(&af, at("dangling.csv"), true, err, sizeof err) != 0,
	   "dangling symlink refused");
	ok(access(at("nowhere"), F_OK) != 0, "  nothing created through it");

	mkdir(at("sub"), 0755);
	ok(atomicfile_open(&af, at("sub"), true, err, sizeof err) != 0, "directory refused");
	ok(atomicfile_open(&af, at("sub/"), true, err, sizeof err) != 0, "path ending in /");
	ok(atomicfile_open(&af, at("no/such/dir.csv"), false, err, sizeof err) != 0,
	   "missing directory refused");
	ok(strstr(err, "no/such") != NULL, "  message names the directory");
	ok(mkfifo(at("fifo"), 0600) == 0, "make a fifo");
	ok(atomicfile_open(&af, at("fifo"), true, err, sizeof err) != 0, "fifo refused");
	no_temporaries("nothing left behind by refusals");
}

static void aborted(void)
{
	struct atomicfile af;
	char err[512];
	ok(atomicfile_open(&af, at("aborted.csv"), false, err, sizeof err) == 0, "open");
	fputs("partial", af.f);
	atomicfile_abort(&af);
	ok(access(at("aborted.csv"), F_OK) != 0, "abort: no target");
	no_temporaries("abort: no temporary file");
	atomicfile_abort(&af); /* idempotent */
	ok(1, "abort twice is harmless");
}

static void unwritable(void)
{
	struct atomicfile af;
	char err[512];
	if (geteuid() == 0) {
		/* root writes anywhere with permissions; /proc refuses new files */
		ok(atomicfile_open(&af, "/proc/attune-top-test.csv", false, err, sizeof err) != 0,
		   "unwritable directory (/proc) refused");
		return;
	}
	mkdir(at("ro"), 0555);
	ok(atomicfile_open(&af, at("ro/x.csv"), false, err, sizeof err) != 0,
	   "unwritable directory refused");
	ok(strstr(err, "cannot create") != NULL, "  message says why");
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/attune-af-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	create_new();
	existing();
	race();
	refused();
	aborted();
	unwritable();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' && rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
