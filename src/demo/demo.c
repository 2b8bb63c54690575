/* --demo: the supervisor. It owns the throwaway cluster and the simulator,
 * runs the dashboard in a child, and tears everything down in order however
 * that child ends. Signal handlers only record; all work happens here. */
#include "demo/demo.h"
#include "demo/cluster.h"
#include "demo/sim.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define DEMO_SCHEMA      "attune"
#define DEMO_SIM_STOP_MS 3000

/* Signals the supervisor catches: it must outlive the dashboard to clean up. */
static const int demo_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD};
#define DEMO_NSIGS (sizeof demo_sigs / sizeof demo_sigs[0])

struct demo {
	struct cluster cluster;           /* dir[0] == 0 and postmaster == 0 when gone */
	pid_t owner;                      /* the supervisor: atexit cleanup runs only there */
	pid_t sim;                        /* simulator pid, 0 when none */
	struct sigaction old[DEMO_NSIGS]; /* caller's dispositions, restored on return */
	sigset_t old_mask;                /* caller's signal mask */
	int tty;                          /* terminal fd whose modes we saved, or -1 */
	struct termios tio;               /* terminal modes before the dashboard ran */
};

static struct demo demo = {.tty = -1};
static volatile sig_atomic_t demo_signal;  /* last INT/TERM/HUP/QUIT received */
static volatile sig_atomic_t demo_forward; /* bit per demo_sigs index: sent by a process */

/* ---------------------------------------------------------------- signals */

static int sig_index(int sig)
{
	size_t i;

	for (i = 0; i < DEMO_NSIGS; i++)
		if (demo_sigs[i] == sig)
			return (int)i;
	return -1;
}

/* Terminal-generated signals (SI_KERNEL) already reach the dashboard, which
 * shares our process group; only signals sent by a process are forwarded. */
static void demo_on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGCHLD)
		return; /* only wakes sigsuspend */
	demo_signal = sig;
#ifdef SI_KERNEL
	if (si && si->si_code == SI_KERNEL)
		return;
#else
	(void)si;
#endif
	demo_forward |= 1 << sig_index(sig);
}

static int demo_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = demo_on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < DEMO_NSIGS; i++)
		sigaddset(&sa.sa_mask, demo_sigs[i]);
	if (sigprocmask(SIG_SETMASK, NULL, &demo.old_mask) < 0)
		return -1;
	for (i = 0; i < DEMO_NSIGS; i++)
		if (sigaction(demo_sigs[i], &sa, &demo.old[i]) < 0)
			return -1;
	return 0;
}

static int demo_block(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < DEMO_NSIGS; i++)
		sigaddset(set, demo_sigs[i]);
	return sigprocmask(SIG_BLOCK, set, NULL);
}

/* Give the caller its signal setup back. Signals still pending for us are
 * consumed first: they are moot now, and would otherwise strike under the
 * restored (default) dispositions. */
static void demo_restore_signals(void)
{
	struct timespec zero = {0, 0};
	sigset_t pending, ours;
	size_t i;

	demo_block(&ours);
	if (sigpending(&pending) == 0)
		for (i = 0; i < DEMO_NSIGS; i++)
			if (sigismember(&pending, demo_sigs[i]) == 1) {
				sigset_t one;

				sigemptyset(&one);
				sigaddset(&one, demo_sigs[i]);
				(void)sigtimedwait(&one, NULL, &zero);
			}
	for (i = 0; i < DEMO_NSIGS; i++)
		(void)sigaction(demo_sigs[i], &demo.old[i], NULL);
	(void)sigprocmask(SIG_SETMASK, &demo.old_mask, NULL);
}

/* ---------------------------------------------------------------- cleanup */

static void demo_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait up to ms for pid; 1 when reaped (or not ours any more). */
static int demo_reap(pid_t pid, long ms)
{
	for (;;) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (ms <= 0)
			return 0;
		demo_sleep_ms(10);
		ms -= 10;
	}
}

static void demo_stop_sim(void)
{
	if (demo.sim <= 0)
		return;
	if (kill(demo.sim, SIGTERM) < 0 || !demo_reap(demo.sim, DEMO_SIM_STOP_MS)) {
		(void)kill(demo.sim, SIGKILL);
		demo_reap(demo.sim, 60000);
	}
	demo.sim = 0;
}

static void demo_cleanup(void)
{
	demo_stop_sim();
	cluster_stop(&demo.cluster);
}

/* Safety net for an exit() somewhere during setup. The children inherit
 * this handler, hence the owner check. */
static void demo_atexit(void)
{
	if (demo.owner == getpid())
		demo_cleanup();
}

/* ---------------------------------------------------------------- the terminal */

static void demo_save_tty(void)
{
	static const int fds[] = {STDOUT_FILENO, STDIN_FILENO, STDERR_FILENO};
	size_t i;

	demo.tty = -1;
	for (i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (isatty(fds[i]) && tcgetattr(fds[i], &demo.tio) == 0) {
			demo.tty = fds[i];
			return;
		}
}

/* Whether the dashboard left the terminal in other modes than it found it
 * (a crash, or a sanitizer exit, skips curses' endwin). */
static bool demo_tty_changed(void)
{
	struct termios now;

	if (tcgetattr(demo.tty, &now) < 0)
		return false;
	return now.c_lflag != demo.tio.c_lflag || now.c_iflag != demo.tio.c_iflag ||
	       now.c_oflag != demo.tio.c_oflag;
}

/* Put back the modes and leave the alternate screen, but only while we
 * own the foreground and only when the dashboard did not clean up. */
static void demo_restore_tty(bool killed)
{
	static const char reset[] = "\033[0m\033[?25h\033[?1049l\r";
	const char *term = getenv("TERM");
	ssize_t n;

	if (demo.tty < 0 || tcgetpgrp(demo.tty) != getpgrp())
		return;
	if (!killed && !demo_tty_changed())
		return;
	(void)tcsetattr(demo.tty, TCSADRAIN, &demo.tio);
	if (term && *term && strcmp(term, "dumb") != 0) {
		n = write(demo.tty, reset, sizeof reset - 1);
		(void)n;
	}
}

/* ---------------------------------------------------------------- the dashboard */

static _Noreturn void demo_child(int (*run)(const char *, const char *, void *), void *arg,
                                 pid_t parent)
{
	struct sigaction dfl;
	size_t i;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (i = 0; i < DEMO_NSIGS; i++)
		if (sigaction(demo_sigs[i], &dfl, NULL) < 0)
			_exit(1);
	if (sigprocmask(SIG_SETMASK, &demo.old_mask, NULL) < 0)
		_exit(1);
#ifdef __linux__
	/* If the supervisor is killed outright, do not linger on a dead database. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(1);
#else
	(void)parent;
#endif
	exit(run(demo.cluster.conninfo, DEMO_SCHEMA, arg));
}

static void demo_forward_pending(pid_t child)
{
	int bits = demo_forward;
	size_t i;

	demo_forward = 0;
	for (i = 0; i < DEMO_NSIGS; i++)
		if (bits & (1 << i))
			(void)kill(child, demo_sigs[i]);
}

/* Wait for the dashboard, forwarding signals meanwhile. Our signals are
 * blocked except inside sigsuspend, so none slips between check and wait. */
static int demo_supervise(pid_t child, int *status)
{
	sigset_t wait_mask = demo.old_mask;
	size_t i;

	for (i = 0; i < DEMO_NSIGS; i++)
		sigdelset(&wait_mask, demo_sigs[i]);
	for (;;) {
		pid_t r = waitpid(child, status, WNOHANG);

		if (r == child)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		demo_forward_pending(child);
		if (r == 0)
			sigsuspend(&wait_mask);
	}
}

/* ---------------------------------------------------------------- setup */

static int demo_setup(char *err, size_t errlen)
{
	struct cluster_opts opts = {.quiet = true};

	fprintf(stderr, "attune-top: starting demo database...\n");
	if (cluster_start(&demo.cluster, &opts, err, errlen) < 0)
		return -1;
	if (demo_signal)
		return 0;
	if (cluster_load_attune(&demo.cluster, DEMO_SCHEMA, SHAPE_NATIVE, true, err, errlen) < 0)
		return -1;
	if (demo_signal)
		return 0;
	/* ATTUNE_TOP_DEMO_FAST: new work every second rather than a realistic
	 * hour's worth, for a demo that must show motion at once. */
	const char *fast = getenv("ATTUNE_TOP_DEMO_FAST");
	demo.sim =
	    sim_spawn(demo.cluster.conninfo, DEMO_SCHEMA, fast && *fast && strcmp(fast, "0") != 0);
	if (demo.sim < 0) {
		demo.sim = 0;
		snprintf(err, errlen, "cannot start the workload simulator: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int demo_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

/* Fork the dashboard and wait for it; returns its exit status. */
static int demo_run(int (*run)(const char *, const char *, void *), void *arg)
{
	pid_t parent = getpid(), child;
	int st = 0, rc;

	demo_save_tty();
	fflush(NULL);
	child = fork();
	if (child < 0) {
		demo_cleanup();
		fprintf(stderr, "attune-top: cannot start the dashboard: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0)
		demo_child(run, arg, parent);
	if (demo_supervise(child, &st) < 0) {
		demo_cleanup();
		fprintf(stderr, "attune-top: lost the dashboard process: %s\n", strerror(errno));
		return 1;
	}
	demo_restore_tty(WIFSIGNALED(st));
	demo_cleanup();
	rc = demo_status(st);
	if (WIFSIGNALED(st))
		fprintf(stderr, "attune-top: dashboard ended by signal %d\n", WTERMSIG(st));
	return rc;
}

int demo_main(int (*run)(const char *conninfo, const char *schema, void *arg), void *arg)
{
	static bool atexit_done;
	char err[1024];
	sigset_t blocked;
	int rc;

	if (cluster_find_bindir(demo.cluster.bindir, sizeof demo.cluster.bindir, err, sizeof err) <
	    0) {
		fprintf(stderr, "attune-top: %s\n", err);
		return 1;
	}
	demo.owner = getpid();
	demo_signal = 0;
	demo_forward = 0;
	if (!atexit_done && atexit(demo_atexit) == 0)
		atexit_done = true;
	if (demo_install() < 0) {
		fprintf(stderr, "attune-top: cannot install signal handlers: %s\n",
		        strerror(errno));
		return 1;
	}
	rc = demo_setup(err, sizeof err);
	if (demo_block(&blocked) < 0 && rc == 0) {
		snprintf(err, sizeof err, "cannot block signals: %s", strerror(errno));
		rc = -1;
	}
	if (rc < 0 || demo_signal) {
		int sig = demo_signal;

		demo_cleanup();
		demo_restore_signals();
		if (rc < 0)
			fprintf(stderr, "attune-top: %s\n", err);
		else
			fprintf(stderr, "attune-top: demo setup interrupted by signal %d\n", sig);
		return rc < 0 ? 1 : 128 + sig;
	}
	rc = demo_run(run, arg);
	demo_restore_signals();
	return rc;
}
