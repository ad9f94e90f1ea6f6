/* shape.c — per-example tensor shapes: size, (c, h, w) view, text (shape.h).
 *
 * Core because the mask grid (core/grid.c) and input decoding (io/input.c) need shapes as
 * much as the network does; nothing here knows about layers.
 */
#include "smug/shape.h"

#include <stdio.h>

size_t smug_shape_size(const smug_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= (size_t)s->dims[i];
    return n;
}

void smug_shape_chw(const smug_shape *s, int *c, int *h, int *w)
{
    *c = s->rank >= 2 ? s->dims[0] : 1;
    *h = s->rank == 3 ? s->dims[1] : 1;
    *w = s->rank >= 1 ? s->dims[s->rank - 1] : 1;
}

const char *smug_shape_str(const smug_shape *s, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? "x%d" : "%d", s->dims[i]);
    if (s->rank == 0)
        snprintf(buf, n, "scalar");
    return buf;
}

int smug_shape_equal(const smug_shape *a, const smug_shape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}
