/* pgcluster: a throwaway PostgreSQL cluster for the test suite.
 *
 *   pgcluster [--schema NAME] [--native] [--no-workload] [--no-attune] [--timezone TZ]
 *             [--datestyle STYLE] [--log-statement WHAT] [--conf LINE]... [--sim]
 *
 * Prints PGHOST=, PGPORT=, PGUSER=, PGDATABASE=, CLUSTER_DIR=, LOGFILE=,
 * POSTMASTER_PID= and READY, one per line, then holds the cluster until
 * stdin reaches EOF or SIGTERM/SIGINT/SIGHUP arrives; then removes it all
 * and exits 0. Failure: one line on stderr, exit 1 (2 for a usage error). */
#include "demo/cluster.h"
#include "demo/sim.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

struct args {
	const char *schema;       /* --schema, default "attune" */
	bool workload;            /* load the demo workload (not with --no-workload) */
	bool attune;              /* load Attune at all (not with --no-attune) */
	enum cluster_shape shape; /* --native: current Attune's shape, else the plain one */
	bool sim;                 /* --sim: run the simulator */
	struct cluster_opts opts; /* timezone, datestyle, log_statement, extra_conf */
	char *conf;               /* --conf lines joined by newlines, or NULL */
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int usage(const char *msg)
{
	fprintf(stderr,
	        "pgcluster: %s (usage: pgcluster [--schema NAME] [--native] [--no-workload] "
	        "[--no-attune] [--timezone TZ] [--datestyle STYLE] [--log-statement WHAT] "
	        "[--conf LINE] [--sim])\n",
	        msg);
	return 2;
}

static int add_conf(struct args *a, const char *line)
{
	size_t old = a->conf ? strlen(a->conf) : 0;
	char *s = realloc(a->conf, old + strlen(line) + 2);

	if (!s)
		return -1;
	if (old)
		s[old++] = '\n';
	strcpy(s + old, line);
	a->conf = s;
	return 0;
}

static int parse_args(struct args *a, int argc, char **argv)
{
	enum {
		O_SCHEMA = 256,
		O_NOWORK,
		O_NOATTUNE,
		O_TZ,
		O_DATESTYLE,
		O_LOGSTMT,
		O_CONF,
		O_SIM,
		O_NATIVE
	};
	static const struct option longs[] = {
	    {"schema", required_argument, NULL, O_SCHEMA},
	    {"no-workload", no_argument, NULL, O_NOWORK},
	    {"no-attune", no_argument, NULL, O_NOATTUNE},
	    {"timezone", required_argument, NULL, O_TZ},
	    {"datestyle", required_argument, NULL, O_DATESTYLE},
	    {"log-statement", required_argument, NULL, O_LOGSTMT},
	    {"conf", required_argument, NULL, O_CONF},
	    {"sim", no_argument, NULL, O_SIM},
	    {"native", no_argument, NULL, O_NATIVE},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*a = (struct args){.schema = "attune", .workload = true, .attune = true};
	a->opts.quiet = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case O_SCHEMA:
			a->schema = optarg;
			break;
		case O_NOWORK:
			a->workload = false;
			break;
		case O_NOATTUNE:
			a->attune = false;
			break;
		case O_NATIVE:
			a->shape = SHAPE_NATIVE;
			break;
		case O_TZ:
			a->opts.timezone = optarg;
			break;
		case O_DATESTYLE:
			a->opts.datestyle = optarg;
			break;
		case O_LOGSTMT:
			a->opts.log_statement = optarg;
			break;
		case O_SIM:
			a->sim = true;
			break;
		case O_CONF:
			if (add_conf(a, optarg) < 0)
				return usage("out of memory");
			break;
		default:
			return usage("unknown option or missing argument");
		}
	}
	if (optind < argc)
		return usage("unexpected argument");
	a->opts.extra_conf = a->conf;
	return 0;
}

static int set_handlers(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	/* A reader that goes away must not kill us before we clean up. */
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* Block until stdin reaches EOF or a signal arrives. The signals stay
 * blocked except inside pselect, so none is lost between check and wait. */
static void hold(void)
{
	sigset_t block, wait_mask;
	char buf[4096];

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &block, &wait_mask) < 0)
		return;
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGHUP);
	while (!got_signal) {
		fd_set in;
		ssize_t n;

		FD_ZERO(&in);
		FD_SET(STDIN_FILENO, &in);
		if (pselect(STDIN_FILENO + 1, &in, NULL, NULL, NULL, &wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		n = read(STDIN_FILENO, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return;
	}
}

static void stop_sim(pid_t sim)
{
	if (sim <= 0)
		return;
	if (kill(sim, SIGTERM) == 0)
		while (waitpid(sim, NULL, 0) < 0 && errno == EINTR)
			;
}

static void report(const struct cluster *c)
{
	printf("PGHOST=%s\nPGPORT=%d\nPGUSER=%s\nPGDATABASE=%s\nCLUSTER_DIR=%s\nLOGFILE=%s\n"
	       "POSTMASTER_PID=%d\nREADY\n",
	       c->dir, c->port, CLUSTER_SUPERUSER, CLUSTER_DBNAME, c->dir, c->logfile,
	       (int)c->postmaster);
	fflush(stdout);
}

static int fail(struct cluster *c, pid_t sim, const char *msg)
{
	stop_sim(sim);
	cluster_stop(c);
	fprintf(stderr, "pgcluster: %s\n", msg);
	return 1;
}

static int run(const struct args *a)
{
	struct cluster c;
	char err[1024];
	pid_t sim = 0;

	if (cluster_start(&c, &a->opts, err, sizeof err) < 0) {
		fprintf(stderr, "pgcluster: %s\n", err);
		return 1;
	}
	if (a->attune &&
	    cluster_load_attune(&c, a->schema, a->shape, a->workload, err, sizeof err) < 0)
		return fail(&c, sim, err);
	if (a->sim && (sim = sim_spawn(c.conninfo, a->schema, true)) < 0) {
		snprintf(err, sizeof err, "cannot start the simulator: %s", strerror(errno));
		return fail(&c, 0, err);
	}
	if (got_signal)
		return fail(&c, sim, "interrupted during setup");
	report(&c);
	hold();
	stop_sim(sim);
	cluster_stop(&c);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(&a, argc, argv);

	if (rc == 0 && set_handlers() < 0) {
		fprintf(stderr, "pgcluster: cannot install signal handlers: %s\n", strerror(errno));
		rc = 1;
	}
	if (rc == 0)
		rc = run(&a);
	free(a.conf);
	return rc;
}
