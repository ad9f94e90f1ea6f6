/* verify.h — a mask checked against the network itself (design §1, mask/verify.c).
 *
 * The first layer's input z is zeroed on every position of a dropped cell (for a token
 * model: every embedding dimension of a dropped token), the first
 * layer runs forward (float32, the same code as every other forward pass), and each
 * constrained neuron's masked pre-activation must exceed γ times its unmasked value. The
 * whole network also runs on the masked input, so a report can say what the model
 * predicts from the kept cells alone.
 */
#ifndef SMUG_VERIFY_H
#define SMUG_VERIFY_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/net.h"
#include "smug/problem.h"

typedef struct smug_verdict {
    int ok;                  /* every row holds */
    int failed_neuron;       /* first neuron that does not hold, or -1 */
    double min_slack;        /* min_j (o_j(mask) − γ·o_j): > 0 when ok */
    int masked_predicted;    /* class the whole network predicts on the masked input */
    float masked_confidence; /* its softmax probability of the explained target */
} smug_verdict;

/* cells: [grid.n_cells] 0/1 over the problem's grid; x: the model input; target: the class
 * explained. */
int smug_verify_mask(const smug_net *net, const float *x, const smug_mask_problem *p,
                     const uint8_t *cells, int target, smug_verdict *out, smug_error *err);

#endif
