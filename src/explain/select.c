/* select.c — top-k first-layer neurons by IG among positively activated ones (select.h).
 *
 * A sort of the candidates is plenty: first layers have at most a few hundred thousand
 * neurons and the selection runs once per input.
 */
#include "smug/select.h"

#include <stdlib.h>

typedef struct cand {
    float ig;
    int idx;
} cand;

static int by_ig_then_index(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->ig != y->ig)
        return x->ig > y->ig ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int smug_select_topk(const float *pre, const float *ig, size_t n, int k, int *out_idx)
{
    if (k <= 0)
        return 0;
    cand *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return -1;
    size_t m = 0;
    for (size_t j = 0; j < n; j++)
        if (pre[j] > 0.0f && ig[j] > 0.0f)
            c[m++] = (cand){ig[j], (int)j};
    qsort(c, m, sizeof *c, by_ig_then_index);
    int got = (size_t)k < m ? k : (int)m;
    for (int i = 0; i < got; i++)
        out_idx[i] = c[i].idx;
    free(c);
    return got;
}
