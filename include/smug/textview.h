/* textview.h — a text explanation for people: the input text with the words the mask keeps
 * highlighted, as a self-contained HTML page and as ANSI-coloured terminal text (design §1,
 * "io/image.c" for text inputs; io/textview.c).
 *
 * HTML: one page, no scripts, no external files; every byte of the user's text is escaped
 * (& < > " '). Kept words get a red background whose strength is their saliency relative
 * to the largest kept score (a floor keeps a zero-score kept word visible), with the score
 * in the title tooltip; masked words stay plain; the part of the text after the first L
 * tokens (truncated away, the model never saw it) is grey and marked "not seen". A legend
 * names the predicted class, the mask size, the status, who proved it and whether the
 * forward-pass check passed.
 *
 * Terminal: the same text, kept words bold on a red background, unseen text dim; the
 * caller decides whether stdout is a terminal (the library never looks).
 *
 * Ownership: everything is borrowed; smug_textview_html writes the file atomically and
 * fails (IO) naming it.
 */
#ifndef SMUG_TEXTVIEW_H
#define SMUG_TEXTVIEW_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/strbuf.h"
#include "smug/tokens.h"

typedef struct smug_textview {
    const smug_tokens *tokens; /* the text and its n seen tokens */
    const uint8_t *kept;       /* [tokens->n] 1 = the mask keeps token i */
    const float *score;        /* [tokens->n] saliency of token i (0 when masked) */
    const char *title;         /* the input's file name */
    const char *predicted;     /* class name (or number) the model predicts */
    double confidence;         /* its softmax probability */
    int mask_size;             /* kept cells */
    int n_cells;               /* mask variables (words a row touches) */
    const char *status;        /* optimal | feasible | timeout */
    const char *proved_by;     /* solver | bounds | NULL */
    int verified;              /* the forward-pass check passed */
} smug_textview;

/* Writes the HTML page to path (atomically). */
int smug_textview_html(const char *path, const smug_textview *v, smug_error *err);

/* Several explanations of one text on one page (`smug eval` panels): the title, an intro
 * line, then per section its name as a heading, a caption line and the text with that
 * section's kept words marked (no text when view.kept is NULL: a method without a result).
 * Only view.tokens, kept and score are read. Written atomically. */
typedef struct smug_textview_section {
    const char *name;    /* e.g. the method */
    const char *caption; /* one line under it */
    smug_textview view;
} smug_textview_section;

int smug_textview_panel(const char *path, const char *title, const char *intro,
                        const smug_textview_section *s, int n, smug_error *err);

/* Appends the text with ANSI colours to out, each line indented by two spaces, ending in a
 * newline. */
void smug_textview_ansi(const smug_textview *v, smug_strbuf *out);

#endif
