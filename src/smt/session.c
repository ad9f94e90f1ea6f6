/* session.c — line-by-line dialogues with one solver process (the incremental strategy),
 * on the same spawn and pump as smug_process_run (process module, process_internal.h).
 */
#define _GNU_SOURCE

#include "process_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/interrupt.h"

/* ---- sessions ---------------------------------------------------------------------- */

struct smug_session {
    child c;
    smug_strbuf pending;  /* stdout not yet returned by read_until */
    size_t scanned;       /* pending[0, scanned) is whole lines, none of them the marker */
    smug_strbuf err_tail; /* the end of stderr, for error messages */
    sink out, err;
    double grace;
    char name[256]; /* argv[0], for messages */
};

static void session_pump_init(smug_session *s, pump *pp, const char *data, size_t len)
{
    pp->c = &s->c;
    pp->in_data = data;
    pp->in_len = len;
    pp->in_broken = 0;
    pp->out = &s->out;
    pp->err = &s->err;
}

static int session_step(smug_session *s, pump *pp, double until, smug_error *err)
{
    if (proc_pump_step(pp, until, 0, err) < 0)
        return -1;
    proc_child_check_exit(&s->c);
    return 0;
}

/* The end of stderr as one line for an error message: ": <last lines>" or "". */
static void tail_line(const smug_strbuf *t, char *buf, size_t n)
{
    size_t len = t->len, o = 0;
    while (len && isspace((unsigned char)t->buf[len - 1]))
        len--;
    buf[0] = '\0';
    if (!len)
        return;
    size_t i = len > TAIL_SHOWN ? len - TAIL_SHOWN : 0;
    for (const char *p = ": "; *p; p++)
        buf[o++] = *p;
    for (; i < len && o + 3 < n; i++) {
        char ch = t->buf[i];
        if (ch == '\n') {
            buf[o++] = ';';
            ch = ' ';
        }
        buf[o++] = (ch == '\r' || ch == '\t') ? ' ' : ch;
    }
    buf[o] = '\0';
}

/* The child exited or closed a pipe (`closed`: "closed its stdout"): wait a little for its
 * exit status and the rest of its stderr, hand the unread stdout to out (if not NULL) and
 * say what happened, `when` ("before printing ..."). */
static int session_gone(smug_session *s, const char *closed, const char *when, smug_strbuf *out,
                        smug_error *err)
{
    pump pp;
    session_pump_init(s, &pp, NULL, 0);
    double until = smug_process_now() + DRAIN_SECONDS;
    while ((!s->c.exited || s->c.out >= 0 || s->c.err >= 0) && smug_process_now() < until)
        if (session_step(s, &pp, until, err) < 0)
            return -1;
    if (out)
        smug_strbuf_add(out, s->pending.buf ? s->pending.buf : "", s->pending.len);
    smug_strbuf_reset(&s->pending);
    s->scanned = 0;
    char what[160];
    snprintf(what, sizeof what, "%s", closed);
    if (s->c.exited)
        proc_describe_exit(what, sizeof what, s->c.info.si_code != CLD_EXITED, s->c.info.si_status);
    char tail[TAIL_SHOWN + 64];
    tail_line(&s->err_tail, tail, sizeof tail);
    return smug_fail(err, SMUG_ERR_SOLVER, "%s %s %s%s", s->name, what, when, tail);
}

int smug_session_write(smug_session *s, const char *data, size_t len, smug_error *err)
{
    if (s->c.in < 0)
        return session_gone(s, "closed its stdin", WRITING, NULL, err);
    pump pp;
    session_pump_init(s, &pp, data, len);
    sigpipe_guard g;
    proc_sigpipe_block(&g);
    int rc = 0;
    while (rc == 0 && pp.in_len > 0 && s->c.in >= 0)
        rc = session_step(s, &pp, -1, err);
    proc_sigpipe_restore(&g, pp.in_broken);
    if (rc == 0 && (pp.in_len > 0 || pp.in_broken))
        return session_gone(s, "closed its stdin", WRITING, NULL, err);
    return rc;
}

int smug_session_start(const smug_process *p, smug_session **out, smug_error *err)
{
    *out = NULL;
    smug_session *s = calloc(1, sizeof *s);
    if (!s)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int start_errno = 0;
    if (proc_spawn(p, &s->c, &start_errno, err) < 0 || start_errno) {
        free(s);
        if (!start_errno)
            return -1;
        return smug_fail(err, SMUG_ERR_SOLVER, "cannot start %s: %s", p->argv[0],
                         strerror(start_errno));
    }
    snprintf(s->name, sizeof s->name, "%s", p->argv[0]);
    s->out = (sink){&s->pending, p->output_cap ? p->output_cap : DEFAULT_CAP, 0, 0};
    s->err = (sink){&s->err_tail, TAIL_KEEP, 1, 0};
    s->grace = p->grace > 0 ? p->grace : 1.0;
    if (p->stdin_data && p->stdin_len &&
        smug_session_write(s, p->stdin_data, p->stdin_len, err) < 0) {
        smug_session_close(s, NULL);
        return -1;
    }
    *out = s;
    return 0;
}

/* Moves the text before the first marker line to out and drops it with the marker line. */
static int session_take_marker(smug_session *s, const char *marker, smug_strbuf *out)
{
    smug_strbuf *pb = &s->pending;
    size_t mlen = strlen(marker);
    while (s->scanned < pb->len) {
        char *line = pb->buf + s->scanned;
        char *nl = memchr(line, '\n', pb->len - s->scanned);
        if (!nl)
            return 0;
        size_t len = (size_t)(nl - line);
        if (len && line[len - 1] == '\r')
            len--;
        int quoted = len == mlen + 2 && line[0] == '"' && line[len - 1] == '"' &&
                     memcmp(line + 1, marker, mlen) == 0; /* cvc5's (echo "m") */
        if ((len == mlen && memcmp(line, marker, mlen) == 0) || quoted) {
            smug_strbuf_add(out, pb->buf, s->scanned);
            size_t rest = pb->len - (size_t)(nl + 1 - pb->buf);
            memmove(pb->buf, nl + 1, rest);
            pb->len = rest;
            pb->buf[rest] = '\0';
            s->scanned = 0;
            return 1;
        }
        s->scanned = (size_t)(nl + 1 - pb->buf);
    }
    return 0;
}

smug_read_status smug_session_read_until(smug_session *s, const char *marker, double deadline,
                                         smug_strbuf *out, smug_error *err)
{
    pump pp;
    session_pump_init(s, &pp, NULL, 0);
    char when[128];
    snprintf(when, sizeof when, "before printing \"%.100s\"", marker);
    for (int last_round = 0;;) {
        if (session_take_marker(s, marker, out))
            return SMUG_READ_MARKER;
        if (s->out.truncated)
            return (smug_read_status)smug_fail(err, SMUG_ERR_SOLVER,
                                               "%s printed more than %zu bytes %s", s->name,
                                               s->out.cap, when);
        double now = smug_process_now();
        if (s->c.out < 0 || (s->c.exited && now >= s->c.drain_until))
            return (smug_read_status)session_gone(s, "closed its stdout", when, out, err);
        if (last_round)
            return SMUG_READ_DEADLINE;
        /* at the deadline or on an interrupt (interrupt.h), one non-blocking look at what
         * already came, then SMUG_READ_DEADLINE */
        last_round = now >= deadline || smug_interrupted();
        if (session_step(s, &pp, s->c.exited ? s->c.drain_until : deadline, err) < 0)
            return SMUG_READ_FAILED;
    }
}

void smug_session_close(smug_session *s, smug_process_result *out_result)
{
    smug_process_result r;
    memset(&r, 0, sizeof r);
    if (s) {
        proc_fd_close(&s->c.in);
        pump pp;
        session_pump_init(s, &pp, NULL, 0);
        double until = smug_process_now() + s->grace;
        while (!s->c.exited && smug_process_now() < until) {
            smug_strbuf_reset(&s->pending); /* nobody reads it any more */
            if (session_step(s, &pp, until, NULL) < 0)
                break;
        }
        proc_child_finish(&s->c, !s->c.exited, &r, NULL);
        smug_strbuf_clear(&s->pending);
        smug_strbuf_clear(&s->err_tail);
        free(s);
    }
    if (out_result)
        *out_result = r;
}
