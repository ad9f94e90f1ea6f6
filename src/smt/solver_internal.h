/* solver_internal.h — what solver_schema.c (which checks templates) and solver_run.c (which
 * expands them) must agree on: the shape of a placeholder. Not a public header. */
#ifndef SMUG_SOLVER_INTERNAL_H
#define SMUG_SOLVER_INTERNAL_H
#include <ctype.h>
#include <stddef.h>

/* Length of the placeholder "{word}" at s (lowercase letters only), or 0 if s starts none. */
static inline size_t smug_solver_placeholder_len(const char *s)
{
    if (*s != '{')
        return 0;
    size_t i = 1;
    while (islower((unsigned char)s[i]))
        i++;
    return i > 1 && s[i] == '}' ? i + 1 : 0;
}

#endif
