/*
 * test_signals.c - the daemons' signal handling (src/common/signals.c):
 * what stops, what is remembered until taken, and the names logged.
 */
#include <signal.h>
#include <unistd.h>

#include "unit_util.h"
#include "signals.h"

static void test_take_and_stop(void)
{
    CU_ASSERT_EQUAL_FATAL(signals_init(), 0);
    CU_ASSERT_EQUAL(signals_init(), 0);            /* idempotent */
    CU_ASSERT(signals_wake_fd() >= 0);
    CU_ASSERT_EQUAL(signals_take(), 0);
    CU_ASSERT_EQUAL(signals_stop_requested(), 0);

    /* Each is remembered (twice is once), lowest number first; none of
     * them ends the process. */
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGHUP);
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGALRM);
    kill(getpid(), SIGRTMAX);
    CU_ASSERT_EQUAL(signals_take(), SIGHUP);
    CU_ASSERT_EQUAL(signals_take(), SIGUSR2);
    CU_ASSERT_EQUAL(signals_take(), SIGALRM);
    CU_ASSERT_EQUAL(signals_take(), SIGRTMAX);
    CU_ASSERT_EQUAL(signals_take(), 0);
    CU_ASSERT_EQUAL(signals_stop_requested(), 0);

    /* Each woke the pipe up; draining empties it. */
    char c;
    CU_ASSERT_EQUAL(read(signals_wake_fd(), &c, 1), 1);
    signals_drain();
    CU_ASSERT_EQUAL(read(signals_wake_fd(), &c, 1), -1);

    kill(getpid(), SIGPIPE);                                 /* ignored */
    CU_ASSERT_EQUAL(signals_take(), 0);
    kill(getpid(), SIGTERM);
    CU_ASSERT_EQUAL(signals_stop_requested(), SIGTERM);
    CU_ASSERT_EQUAL(*signals_stop_flag(), SIGTERM);
    CU_ASSERT_EQUAL(signals_take(), 0);             /* stop is not taken */
    kill(getpid(), SIGINT);
    CU_ASSERT_EQUAL(signals_stop_requested(), SIGINT);
}

static void test_names(void)
{
    char buf[SIGNALS_NAME_MAX];
    CU_ASSERT_STRING_EQUAL(signals_name(SIGTERM, buf), "SIGTERM");
    CU_ASSERT_STRING_EQUAL(signals_name(SIGUSR1, buf), "SIGUSR1");
    CU_ASSERT_STRING_EQUAL(signals_name(SIGIO, buf), "SIGIO");
    CU_ASSERT_STRING_EQUAL(signals_name(SIGRTMIN, buf), "SIGRTMIN");
    CU_ASSERT_STRING_EQUAL(signals_name(SIGRTMIN + 3, buf), "SIGRTMIN+3");
    CU_ASSERT_STRING_EQUAL(signals_name(SIGRTMAX, buf), "SIGRTMAX");
    CU_ASSERT_STRING_EQUAL(signals_name(0, buf), "signal 0");
    CU_ASSERT_STRING_EQUAL(signals_name(200, buf), "signal 200");
}

UT_MAIN("signals",
        {"taken signals and stop signals", test_take_and_stop},
        {"signal names", test_names})
