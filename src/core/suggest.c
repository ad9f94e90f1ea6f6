/* suggest.c — the one "did you mean" of smug (suggest.h).
 *
 * Two edits is the reach: enough for a typo or a swapped '-'/'_' plus one more slip, not so
 * far that "gamma" suggests "window". Nothing here formats a message; callers do.
 */
#include "smug/suggest.h"

#include <string.h>

enum { MAX_WORD = 64, FAR = 99, REACH = 2 };

static char fold(char c)
{
    return c == '-' ? '_' : c;
}

size_t smug_name_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[MAX_WORD + 1];
    if (la > MAX_WORD || lb > MAX_WORD)
        return FAR;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (fold(a[i - 1]) != fold(b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *smug_suggest(const char *word, const char *const *names)
{
    const char *best = NULL;
    size_t best_d = REACH + 1;
    for (size_t i = 0; names[i]; i++) {
        size_t d = smug_name_distance(word, names[i]);
        if (d < best_d)
            best_d = d, best = names[i];
    }
    return best;
}
