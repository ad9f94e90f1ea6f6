/* shape.h — the per-example shape of a tensor (core; used by nn/, io/ and the mask grid).
 *
 * Shapes exclude the batch dimension. Rank 1 is a feature vector (n); rank 2 is a sequence
 * (C, L) treated as (C, 1, L); rank 3 is an image (C, H, W). Data is row-major in ONNX memory
 * order (NCHW). A plain value type: nothing to allocate or free.
 */
#ifndef SMUG_SHAPE_H
#define SMUG_SHAPE_H

#include <stddef.h>

#define SMUG_MAX_RANK 3

typedef struct smug_shape {
    int rank;
    int dims[SMUG_MAX_RANK];
} smug_shape;

/* Number of elements of a shape (product of dims; 1 for rank 0). */
size_t smug_shape_size(const smug_shape *s);

/* View a rank-2 or rank-3 shape as (c, h, w): rank 2 (C, L) is (C, 1, L). */
void smug_shape_chw(const smug_shape *s, int *c, int *h, int *w);

/* "1x28x28"-style text into buf. */
const char *smug_shape_str(const smug_shape *s, char *buf, size_t n);

/* 1 when both have the same rank and dims. */
int smug_shape_equal(const smug_shape *a, const smug_shape *b);

#endif
