/* Finding the PostgreSQL server binaries (initdb, postgres) for the throwaway cluster. */
#include "demo/cluster.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

#define NOT_FOUND_MSG                                                                              \
	"PostgreSQL server binaries (initdb, postgres) not found; install the Debian package "     \
	"postgresql"

static bool is_exec(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static bool has_server(const char *dir)
{
	return is_exec(dir, "initdb") && is_exec(dir, "postgres");
}

static bool take_dir(const char *dir, char *out, size_t len)
{
	if (!has_server(dir) || strlen(dir) >= len)
		return false;
	snprintf(out, len, "%s", dir);
	return true;
}

static bool from_pg_config(char *out, size_t len)
{
	char line[PATH_MAX];
	FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
	bool ok = false;

	if (!p)
		return false;
	if (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\r\n")] = '\0';
		ok = take_dir(line, out, len);
	}
	pclose(p);
	return ok;
}

/* "15" -> 15000, "9.6" -> 9006; -1 when the name is not a version. */
static long version_key(const char *name)
{
	char *end;
	long major = strtol(name, &end, 10);
	long minor = 0;

	if (end == name || major < 0)
		return -1;
	if (*end == '.') {
		const char *p = end + 1;

		minor = strtol(p, &end, 10);
		if (end == p)
			return -1;
	}
	return *end ? -1 : major * 1000 + minor;
}

static bool from_usr_lib(char *out, size_t len)
{
	const char *base = "/usr/lib/postgresql";
	char best[PATH_MAX] = "";
	long best_key = -1;
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return false;
	while ((e = readdir(d))) {
		char bin[PATH_MAX];
		long key = version_key(e->d_name);

		if (key <= best_key)
			continue;
		if (snprintf(bin, sizeof bin, "%s/%s/bin", base, e->d_name) >= (int)sizeof bin)
			continue;
		if (has_server(bin)) {
			best_key = key;
			snprintf(best, sizeof best, "%s", bin);
		}
	}
	closedir(d);
	return best_key >= 0 && take_dir(best, out, len);
}

static bool from_path(char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool ok = false;

	if (!path || !(copy = strdup(path)))
		return false;
	for (dir = strtok_r(copy, ":", &save); dir && !ok; dir = strtok_r(NULL, ":", &save))
		ok = dir[0] == '/' && take_dir(dir, out, len);
	free(copy);
	return ok;
}

int cluster_find_bindir(char *out, size_t len, char *err, size_t errlen)
{
	if (from_pg_config(out, len) || from_usr_lib(out, len) || from_path(out, len))
		return 0;
	err_set(err, errlen, "%s", NOT_FOUND_MSG);
	return -1;
}
