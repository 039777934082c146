/*
 * signals.h - the signals of the mtamon daemons (mtamond, mtamon feed):
 * one handler for every signal that someone may send them on purpose, so
 * that none of them ends a daemon without a log line.
 *
 *   SIGTERM, SIGINT   stop (signals_stop_requested())
 *   SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
 *   SIGSTKFLT, SIGRTMIN..SIGRTMAX
 *                     remembered until signals_take() returns them; what
 *                     they mean is the program's choice (HUP and USR1 do
 *                     something, the others are logged and ignored)
 *   SIGPIPE           ignored: a peer that went away gives EPIPE
 *
 * Signals that report a fault or a limit (SEGV, BUS, FPE, ILL, ABRT,
 * QUIT, TRAP, SYS, XCPU, XFSZ) keep their default action, a core dump;
 * job control (TSTP, TTIN, TTOU, CONT) and WINCH, URG, CHLD keep theirs,
 * which end nothing.
 *
 * The handler only sets flags and writes a byte to a pipe, so a main loop
 * waiting in select() or poll() on signals_wake_fd() wakes up at once.
 */
#ifndef MTAMON_SIGNALS_H
#define MTAMON_SIGNALS_H

#include <signal.h>

/** Room for signals_name(): "SIGRTMIN+NN" or "signal NNN". */
#define SIGNALS_NAME_MAX 16

/**
 * Install the handler for every signal listed above (no SA_RESTART: a
 * blocking call returns EINTR) and ignore SIGPIPE.  Idempotent.  Returns
 * 0, or -1 with errno set.
 */
int signals_init(void);

/** The read end of the wake-up pipe (-1 before signals_init()). */
int signals_wake_fd(void);

/** Empty the wake-up pipe (call when signals_wake_fd() is readable). */
void signals_drain(void);

/** SIGTERM or SIGINT once one of them was received, else 0. */
int signals_stop_requested(void);

/** The flag behind signals_stop_requested(), for loops that poll one. */
const volatile sig_atomic_t *signals_stop_flag(void);

/**
 * The lowest-numbered signal received (other than TERM and INT) that was
 * not taken yet, now taken; 0 when none is pending.  A signal received
 * twice before it is taken is returned once.
 */
int signals_take(void);

/** "SIGUSR2", "SIGRTMIN+3", ... into @p buf; returns @p buf. */
const char *signals_name(int sig, char buf[SIGNALS_NAME_MAX]);

#endif /* MTAMON_SIGNALS_H */
