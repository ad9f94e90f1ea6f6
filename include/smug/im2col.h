/* im2col.h — the column matrix that turns a convolution into one GEMM.
 *
 * For a batch of B inputs (C, H, W) and a window giving (Ho, Wo) outputs, the column matrix
 * has K = C·kh·kw rows and B·Ho·Wo columns: col[k][b·P + p] is the input element that kernel
 * tap k sees at output position p of example b (0 where the window hangs over padding).
 * Then Y[co][b·P + p] = Σ_k W[co][k] col[k][b·P + p] for all examples in one cblas_sgemm.
 */
#ifndef SMUG_IM2COL_H
#define SMUG_IM2COL_H

#include <stddef.h>

#include "smug/net.h"

/* Fills col [C·kh·kw x B·Ho·Wo] from x [B x C·H·W] for conv layer l. */
void smug_im2col(const smug_layer *l, const float *x, int batch, float *col);

/* Adds the columns back: grad_x [B x C·H·W] += scatter of dcol (same layout as col).
 * grad_x must be zeroed by the caller. */
void smug_col2im(const smug_layer *l, const float *dcol, int batch, float *grad_x);

#endif
