/* fuzz_manifest.c — libFuzzer target over bundle manifests (smug_bundle_parse), the file a
 * cluster hands back to smug solve/score and so the one most likely to arrive damaged.
 *
 * Any byte string must either parse into a bundle whose invariants hold or fail with a
 * message; crashes, leaks and sanitizer reports are bugs. Seeds: tests/fuzz/seeds/manifest.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smug/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bundle(const smug_bundle *b)
{
    assert(b->n >= 0 && strcmp(b->dir, "fuzz") == 0);
    for (int i = 0; i < b->n; i++) {
        const smug_bundle_problem *p = &b->problems[i];
        assert(p->id && p->id[0] && !strchr(p->id, '.') && !strchr(p->id, '/'));
        assert(p->k >= 0 && p->lower >= 0 && p->lower <= p->upper);
        for (int c = 0; c < p->upper; c++)
            assert(p->incumbent[c] >= 0);
        for (int j = 0; j < i; j++)
            assert(strcmp(b->problems[j].id, p->id) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smug_bundle *b = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_bundle_parse((const char *)data, size, "fuzz/manifest.json", "fuzz", &b, &err) == 0) {
        check_bundle(b);
        smug_bundle_free(b);
    } else {
        assert(err.code != SMUG_OK && err.msg[0]);
    }
    return 0;
}
