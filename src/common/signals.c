/*
 * signals.c - one handler for the signals a daemon may be sent on
 * purpose (see signals.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

/* Linux numbers signals 1..64 (NSIG 65); _NSIG where NSIG is missing. */
#ifndef NSIG
#define NSIG _NSIG
#endif

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t pending[NSIG];
static int wake_pipe[2] = { -1, -1 };

/* The signals taken one by one with signals_take(), besides SIGRTMIN..
 * SIGRTMAX. */
static const int taken_signals[] = {
    SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO,
#ifdef SIGPWR
    SIGPWR,
#endif
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
};

static void on_signal(int sig)
{
    int saved = errno;   /* a handler must not change errno */
    if (sig == SIGTERM || sig == SIGINT)
        stop_signal = sig;
    else if (sig > 0 && sig < NSIG)
        pending[sig] = 1;
    if (wake_pipe[1] >= 0) {
        char c = (char)sig;
        (void)!write(wake_pipe[1], &c, 1);   /* full pipe: already awake */
    }
    errno = saved;
}

int signals_init(void)
{
    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
        return -1;
    for (size_t i = 0; i < sizeof taken_signals / sizeof taken_signals[0]; i++)
        if (sigaction(taken_signals[i], &sa, NULL) < 0)
            return -1;
    for (int sig = SIGRTMIN; sig <= SIGRTMAX && sig < NSIG; sig++)
        if (sigaction(sig, &sa, NULL) < 0)
            return -1;
    sa.sa_handler = SIG_IGN;
    return sigaction(SIGPIPE, &sa, NULL) < 0 ? -1 : 0;
}

int signals_wake_fd(void)
{
    return wake_pipe[0];
}

void signals_drain(void)
{
    char buf[64];
    while (wake_pipe[0] >= 0 && read(wake_pipe[0], buf, sizeof buf) > 0)
        ;
}

int signals_stop_requested(void)
{
    return stop_signal;
}

const volatile sig_atomic_t *signals_stop_flag(void)
{
    return &stop_signal;
}

int signals_take(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        if (pending[sig]) {
            pending[sig] = 0;
            return sig;
        }
    }
    return 0;
}

const char *signals_name(int sig, char buf[SIGNALS_NAME_MAX])
{
    /* SIGIO, as kill -l and signal(7) name it, not its alias SIGPOLL. */
    const char *abbrev = sig == SIGIO ? "IO"
                         : sig >= SIGRTMIN && sig <= SIGRTMAX ? NULL
                                                              : sigabbrev_np(sig);
    if (sig == SIGRTMIN || sig == SIGRTMAX)
        abbrev = sig == SIGRTMIN ? "RTMIN" : "RTMAX";
    if (abbrev)
        snprintf(buf, SIGNALS_NAME_MAX, "SIG%s", abbrev);
    else if (sig > SIGRTMIN && sig < SIGRTMAX)
        snprintf(buf, SIGNALS_NAME_MAX, "SIGRTMIN+%d", sig - SIGRTMIN);
    else
        snprintf(buf, SIGNALS_NAME_MAX, "signal %d", sig);
    return buf;
}
