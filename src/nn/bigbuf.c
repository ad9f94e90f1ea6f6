/* bigbuf.c — 64-byte aligned buffers, huge-page advised when large (bigbuf.h).
 *
 * Only a hint: where madvise fails (no THP, another kernel) the buffer is still valid and
 * just faults in 4 KiB pages.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "smug/bigbuf.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *smug_big_alloc(size_t bytes)
{
    if (bytes < 2 * HUGE_PAGE)
        return aligned_alloc(64, (bytes + 63) / 64 * 64 + (bytes == 0) * 64);
    size_t n = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, n);
#ifdef MADV_HUGEPAGE
    if (p)
        (void)madvise(p, n, MADV_HUGEPAGE);
#endif
    return p;
}
