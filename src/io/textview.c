/* textview.c — the highlighted text of a text explanation: HTML page and ANSI terminal text
 * (textview.h has the design).
 *
 * Both walk the original text once: bytes between tokens are copied (escaped for HTML), a
 * seen token is wrapped when the mask keeps it, and whatever follows the last seen token of
 * a truncated text is the "not seen" tail. Working from the original bytes rather than the
 * token list shows the user's own spelling, case and punctuation.
 */
#include "smug/textview.h"

#include <string.h>

#include "smug/fsutil.h"

static void html_escape(smug_strbuf *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': smug_strbuf_adds(sb, "&amp;"); break;
        case '<': smug_strbuf_adds(sb, "&lt;"); break;
        case '>': smug_strbuf_adds(sb, "&gt;"); break;
        case '"': smug_strbuf_adds(sb, "&quot;"); break;
        case '\'': smug_strbuf_adds(sb, "&#39;"); break;
        case '\0': break;
        default: smug_strbuf_add(sb, &s[i], 1);
        }
    }
}

static float max_kept_score(const smug_textview *v)
{
    float hi = 0.0f;
    for (int i = 0; i < v->tokens->n; i++)
        if (v->kept[i] && v->score[i] > hi)
            hi = v->score[i];
    return hi;
}

/* end of the seen part: the byte after the last seen token when tokens were dropped, else
 * the end of the text */
static size_t seen_end(const smug_tokens *t, size_t len)
{
    if (!t->n_dropped || t->n < 1)
        return len;
    return t->start[t->n - 1] + t->len[t->n - 1];
}

static void legend(smug_strbuf *sb, const smug_textview *v)
{
    smug_strbuf_adds(sb, "<p class=\"legend\">predicted <b>");
    html_escape(sb, v->predicted, strlen(v->predicted));
    smug_strbuf_addf(sb,
                     "</b> (p = %.3f) &middot; mask <b>%d</b> words of the %d the chosen "
                     "neurons see (the text has %d) &middot; ",
                     v->confidence, v->mask_size, v->n_cells, v->tokens->n + v->tokens->n_dropped);
    html_escape(sb, v->status, strlen(v->status));
    if (v->proved_by) {
        smug_strbuf_adds(sb, " (proved by ");
        html_escape(sb, v->proved_by, strlen(v->proved_by));
        smug_strbuf_adds(sb, ")");
    }
    smug_strbuf_addf(sb, " &middot; %s</p>\n", v->verified ? "verified" : "NOT verified");
    smug_strbuf_addf(sb,
                     "<p class=\"key\"><mark style=\"background:rgba(220,40,40,0.25)\">low"
                     "</mark> &hellip; <mark style=\"background:rgba(220,40,40,1)\">high</mark>"
                     " saliency: words the mask keeps (the model still sees them); plain: "
                     "masked words; <span class=\"unseen\">grey</span>: not seen (after the "
                     "model's first %d tokens)</p>\n",
                     v->tokens->max_len);
}

static void page_head(smug_strbuf *sb, const char *title)
{
    smug_strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<title>smug: ");
    html_escape(sb, title, strlen(title));
    smug_strbuf_adds(sb, "</title>\n<style>\n"
                         "body{font-family:sans-serif;max-width:50em;margin:2em auto;"
                         "padding:0 1em;color:#222}\n"
                         ".text{white-space:pre-wrap;font-size:1.15em;line-height:1.9}\n"
                         "mark{color:#000;padding:0.1em 0.15em;border-radius:0.2em}\n"
                         ".unseen{color:#999}\n.key{font-size:0.9em;color:#555}\n"
                         "</style>\n</head>\n<body>\n<h1>");
    html_escape(sb, title, strlen(title));
    smug_strbuf_adds(sb, "</h1>\n");
}

/* The text with its kept words marked, as one <div class="text">. */
static void text_div(smug_strbuf *sb, const smug_textview *v)
{
    const smug_tokens *t = v->tokens;
    size_t len = strlen(t->text), end = seen_end(t, len), at = 0;
    float hi = max_kept_score(v);
    smug_strbuf_adds(sb, "<div class=\"text\">");
    for (int i = 0; i < t->n; i++) {
        html_escape(sb, t->text + at, t->start[i] - at);
        const char *w = t->text + t->start[i];
        if (v->kept[i]) {
            double a = hi > 0.0f && v->score[i] > 0.0f ? 0.25 + 0.75 * v->score[i] / hi : 0.25;
            smug_strbuf_addf(sb,
                             "<mark style=\"background:rgba(220,40,40,%.2f)\" "
                             "title=\"position %d, score %.4g\">",
                             a, i, (double)v->score[i]);
            html_escape(sb, w, t->len[i]);
            smug_strbuf_adds(sb, "</mark>");
        } else {
            html_escape(sb, w, t->len[i]);
        }
        at = t->start[i] + t->len[i];
    }
    html_escape(sb, t->text + at, end - at);
    if (end < len) {
        smug_strbuf_addf(sb,
                         "<span class=\"unseen\" title=\"not seen: the model reads %d tokens\">",
                         t->max_len);
        html_escape(sb, t->text + end, len - end);
        smug_strbuf_adds(sb, "</span>");
    }
    smug_strbuf_adds(sb, "</div>\n");
}

static int page_write(const char *path, smug_strbuf *sb, smug_error *err)
{
    smug_strbuf_adds(sb, "</body>\n</html>\n");
    int rc = smug_strbuf_check(sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb->buf, sb->len, err);
    smug_strbuf_clear(sb);
    return rc;
}

int smug_textview_html(const char *path, const smug_textview *v, smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    page_head(&sb, v->title);
    legend(&sb, v);
    text_div(&sb, v);
    return page_write(path, &sb, err);
}

int smug_textview_panel(const char *path, const char *title, const char *intro,
                        const smug_textview_section *s, int n, smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    page_head(&sb, title);
    smug_strbuf_adds(&sb, "<p class=\"legend\">");
    html_escape(&sb, intro, strlen(intro));
    smug_strbuf_adds(&sb, "</p>\n<p class=\"key\">highlighted: the words each method keeps "
                          "(stronger red: higher score of that method); plain: removed words; "
                          "<span class=\"unseen\">grey</span>: not seen by the model</p>\n");
    for (int i = 0; i < n; i++) {
        smug_strbuf_adds(&sb, "<h2>");
        html_escape(&sb, s[i].name, strlen(s[i].name));
        smug_strbuf_adds(&sb, "</h2>\n<p class=\"key\">");
        html_escape(&sb, s[i].caption, strlen(s[i].caption));
        smug_strbuf_adds(&sb, "</p>\n");
        if (s[i].view.kept)
            text_div(&sb, &s[i].view);
    }
    return page_write(path, &sb, err);
}

/* copies s[0..n) with every newline followed by the two-space indent; control bytes other
 * than newline and tab are dropped so a text cannot drive the terminal */
static void ansi_copy(smug_strbuf *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n')
            smug_strbuf_adds(sb, "\n  ");
        else if (ch >= 0x20 || ch == '\t')
            smug_strbuf_add(sb, &s[i], 1);
    }
}

void smug_textview_ansi(const smug_textview *v, smug_strbuf *out)
{
    const smug_tokens *t = v->tokens;
    size_t len = strlen(t->text), end = seen_end(t, len), at = 0;
    while (len > 0 && (t->text[len - 1] == '\n' || t->text[len - 1] == '\r'))
        len--; /* the closing newline is ours */
    if (end > len)
        end = len;
    smug_strbuf_adds(out, "  ");
    for (int i = 0; i < t->n; i++) {
        ansi_copy(out, t->text + at, t->start[i] - at);
        if (v->kept[i])
            smug_strbuf_adds(out, "\033[1;97;41m");
        ansi_copy(out, t->text + t->start[i], t->len[i]);
        if (v->kept[i])
            smug_strbuf_adds(out, "\033[0m");
        at = t->start[i] + t->len[i];
    }
    if (at < end)
        ansi_copy(out, t->text + at, end - at);
    if (end < len) {
        smug_strbuf_adds(out, "\033[2m");
        ansi_copy(out, t->text + end, len - end);
        smug_strbuf_adds(out, "\033[0m");
    }
    smug_strbuf_adds(out, "\n");
}
