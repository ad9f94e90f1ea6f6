/* suggest.h — "did you mean" for every name a user types: parameters, config and YAML keys,
 * solver names (core; issue #15.2: there were two copies that disagreed on '-' and '_').
 *
 * Pure functions, no allocation. The returned pointer is one of the caller's names.
 */
#ifndef SMUG_SUGGEST_H
#define SMUG_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between a and b with '-' and '_' counted as the same character;
 * words longer than 64 characters count as far apart (returns 99). */
size_t smug_name_distance(const char *a, const char *b);

/* The closest of the NULL-terminated `names` to `word` (distance at most 2; the first of
 * equally close names), or NULL when none is that close. */
const char *smug_suggest(const char *word, const char *const *names);

#endif
