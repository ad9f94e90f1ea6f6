/* parallel.h — smug's own loops over large tensors, split across OpenMP threads.
 *
 * oneDNN runs its convolutions on OpenMP's thread pool (threads set by smug_set_threads);
 * the elementwise, pooling and joining layers between them use the same pool through these
 * pragmas, so a 2-thread run is not held back by single-threaded glue. Only loops whose
 * iterations are independent use them (no reductions across iterations), so results do not
 * depend on the thread count. Small loops stay on the calling thread: starting a parallel
 * region costs a few microseconds.
 */
#ifndef SMUG_PARALLEL_H
#define SMUG_PARALLEL_H

/* Elements below which a loop is not worth splitting. */
#define SMUG_PAR_MIN 65536

#define SMUG_PRAGMA(x) _Pragma(#x)
/* Before a `for` over n independent elements: threads when n is large, SIMD always. */
#define SMUG_PAR_SIMD(n) SMUG_PRAGMA(omp parallel for simd schedule(static) if ((n) >= SMUG_PAR_MIN))
/* Before a `for` over n independent blocks of `work` elements each (planes, rows). */
#define SMUG_PAR_BLOCKS(n, work)                                                                   \
    SMUG_PRAGMA(omp parallel for schedule(static) if ((size_t)(n) * (size_t)(work) >= SMUG_PAR_MIN))

#endif
