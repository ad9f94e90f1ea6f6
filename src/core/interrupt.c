/* interrupt.c — the one process-wide flag a signal may set (interrupt.h, style habit 4).
 *
 * A signal handler can do almost nothing safely, so it only stores the signal number; the
 * loops that wait on children (smt/process.c, run/workpool.c) read it
 * and stop what they run. Nothing here knows about children: each one is owned by exactly
 * one such loop, which ends its process group on every path out.
 */
#include "smug/interrupt.h"

#include <signal.h>
#include <string.h>

/* The only mutable global of smug (style habit 4): written by the handler, read anywhere. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    if (interrupted) { /* asked twice: stop now, the default way (solvers die with us) */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupted = sig;
}

int smug_interrupt_catch(smug_error *err)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked wait returns EINTR and sees the flag */
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (sigaction(sigs[i], &sa, NULL) < 0)
            return smug_fail(err, SMUG_ERR_INTERNAL, "cannot catch signal %d", sigs[i]);
    return 0;
}

int smug_interrupted(void)
{
    return interrupted;
}
