/* The demo workload simulator: a child that calls attune_demo.tick() once a
 * second. It never writes to the terminal (the dashboard owns it) and never
 * outlives its parent. */
#include "demo/sim.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "db/session.h"

#define SIM_APPNAME "attune-top-demo-sim"

static void sim_set(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		_exit(1);
}

/* Detach from the terminal and the caller's signal setup. SIGTERM stays
 * blocked: it is taken synchronously by sim_sleep, so a tick in progress
 * finishes and the connection closes cleanly. */
static void sim_detach(pid_t parent)
{
	static const int dfl[] = {SIGTERM, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};
	sigset_t term;
	size_t i;
	int null;

	for (i = 0; i < sizeof dfl / sizeof dfl[0]; i++)
		sim_set(dfl[i], SIG_DFL);
	sim_set(SIGINT, SIG_IGN);
	sim_set(SIGHUP, SIG_IGN);
	sim_set(SIGPIPE, SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	if (sigprocmask(SIG_SETMASK, &term, NULL) < 0)
		_exit(1);
	if (setsid() < 0)
		_exit(1);
#ifdef __linux__
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		_exit(1);
#endif
	if (getppid() != parent)
		_exit(0);
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		_exit(1);
	if (null > STDERR_FILENO)
		close(null);
}

/* Wait `seconds`; returns nonzero when SIGTERM arrived. Any other signal
 * merely ends the wait early. */
static int sim_sleep(int seconds)
{
	struct timespec ts = {seconds, 0};
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	return sigtimedwait(&term, NULL, &ts) == SIGTERM;
}

static int sim_run(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(r);

	PQclear(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : -1;
}

static PGconn *sim_connect(const char *conninfo, const char *schema)
{
	const char *keys[] = {"dbname", "application_name", "connect_timeout", NULL};
	const char *vals[] = {conninfo, SIM_APPNAME, "5", NULL};
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	char *id, sql[512];

	if (!schema)
		schema = "attune";
	if (!conn || PQstatus(conn) != CONNECTION_OK)
		goto fail;
	session_quiet(conn);
	id = session_quote(conn, schema, NULL, 0);
	if (!id)
		goto fail;
	snprintf(sql, sizeof sql, "SET search_path = %s, public; SET statement_timeout = '5s'", id);
	free(id);
	if (sim_run(conn, sql) < 0)
		goto fail;
	return conn;
fail:
	PQfinish(conn);
	return NULL;
}

static _Noreturn void sim_child(const char *conninfo, const char *schema, pid_t parent, bool fast)
{
	PGconn *conn = NULL;
	unsigned long ticks = 0;

	sim_detach(parent);
	while (getppid() == parent) {
		if (!conn)
			conn = sim_connect(conninfo, schema);
		/* A failed tick on a live connection (e.g. a deadlock) is retried
		 * next second; a broken connection is reopened. */
		/* Paced: the live hours run at the history's rate. */
		if (conn &&
		    sim_run(conn, fast ? "SELECT attune_demo.tick()"
		                       : "SELECT attune_demo.tick(true)") < 0 &&
		    PQstatus(conn) != CONNECTION_OK) {
			PQfinish(conn);
			conn = NULL;
		}
		/* The supervisor's jobs of a native install, once a minute. */
		if (conn && ++ticks % 60 == 0)
			sim_run(conn, "SELECT attune_demo.maintain()");
		if (sim_sleep(1))
			break;
	}
	PQfinish(conn);
	_exit(0);
}

/* Signals stay blocked across fork until the child has replaced the
 * caller's handlers: a SIGTERM sent right away must not be swallowed by them. */
pid_t sim_spawn(const char *conninfo, const char *schema, bool fast)
{
	pid_t parent = getpid();
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		sim_child(conninfo, schema, parent, fast);
	if (sigprocmask(SIG_SETMASK, &old, NULL) < 0 && pid > 0) {
		(void)kill(pid, SIGKILL);
		return -1;
	}
	return pid;
}
