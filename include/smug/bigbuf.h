/* bigbuf.h — allocation of the large working buffers of a batched pass.
 *
 * IG at 224x224 touches hundreds of MiB of fresh activation and gradient buffers per
 * explanation; at 4 KiB a page that is tens of thousands of page faults (measured: 7-10 % of
 * the time on this VM). Buffers of at least 4 MiB are aligned to 2 MiB and advised as
 * transparent huge pages (madvise(MADV_HUGEPAGE), honoured when the kernel's THP mode is
 * "madvise" or "always"), which cuts the faults by up to 512x. Smaller ones are plain
 * 64-byte aligned allocations (oneDNN's preferred alignment).
 *
 * Ownership: free the result with free(). NULL when out of memory.
 */
#ifndef SMUG_BIGBUF_H
#define SMUG_BIGBUF_H

#include <stddef.h>

void *smug_big_alloc(size_t bytes);

#endif
