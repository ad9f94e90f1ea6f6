/* im2col.h — the column matrix that turns a convolution into one GEMM.
 *
 * For a batch of B inputs (C, H, W) and a window giving (Ho, Wo) outputs, the column matrix
 * of group g has K = (C/group)·kh·kw rows and B·Ho·Wo columns: col[k][b·P + p] is the input
 * element (of the group's channels) that kernel tap k sees at output position p of example
 * b (0 where the window hangs over padding). Then Y[co][b·P + p] = Σ_k W[co][k] col[k][b·P
 * + p] for the group's output channels, all examples in one cblas_sgemm.
 */
#ifndef SMUG_IM2COL_H
#define SMUG_IM2COL_H

#include <stddef.h>

#include "smug/net.h"

/* Fills col [K x B·Ho·Wo] from x [B x C·H·W] for group `group` of conv layer l. */
void smug_im2col_group(const smug_layer *l, int group, const float *x, int batch, float *col);

/* Adds the columns back: grad_x [B x C·H·W] += scatter of dcol (same layout as col) into
 * the group's channels. grad_x must be zeroed by the caller. */
void smug_col2im_group(const smug_layer *l, int group, const float *dcol, int batch, float *grad_x);

/* Group 0: the whole input of an ungrouped conv. */
void smug_im2col(const smug_layer *l, const float *x, int batch, float *col);
void smug_col2im(const smug_layer *l, const float *dcol, int batch, float *grad_x);

/* Output columns [*lo, *hi) whose tap kx (before dilation) lands inside a row of w inputs:
 * computing the range once removes a bounds test per element from the innermost loops. */
void smug_valid_cols(const smug_window *win, int kx, int w, int wo, int *lo, int *hi);

#endif
