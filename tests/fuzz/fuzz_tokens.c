/* fuzz_tokens.c — libFuzzer target over the vocabulary parser and the tokeniser
 * (src/io/tokens.c).
 *
 * The input is a vocabulary file, optionally followed by a NUL byte and a text. A
 * vocabulary either loads (every word found again under its own id) or fails with a FORMAT
 * message naming the file; a text either tokenises with its invariants holding (ids in
 * range, tokens inside the text and made of [A-Za-z0-9], padding after them) or fails with
 * "no tokens". Seeds: tests/data/tokens/ and the fixture vocabulary.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smug/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tokens(const smug_vocab *v, const smug_tokens *t, const char *text, size_t n)
{
    assert(t->n >= 1 && t->n <= t->max_len && t->n_dropped >= 0);
    assert(t->n_unknown >= 0 && t->n_unknown <= t->n);
    assert(memcmp(t->text, text, n) == 0 && t->text[n] == '\0');
    for (int i = 0; i < t->max_len; i++)
        assert(t->ids[i] >= 0.0f && t->ids[i] < (float)smug_vocab_size(v));
    for (int i = 0; i < t->n; i++) {
        assert(t->len[i] >= 1 && t->start[i] + t->len[i] <= n);
        assert(strlen(t->words[i]) == t->len[i]);
        assert(memcmp(t->words[i], text + t->start[i], t->len[i]) == 0);
        assert(i == 0 || t->start[i] >= t->start[i - 1] + t->len[i - 1] + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *vocab = (const char *)data;
    const char *nul = memchr(data, '\0', size);
    size_t nv = nul ? (size_t)(nul - vocab) : size;
    smug_vocab *v = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_vocab_parse("fuzz.vocab", vocab, nv, -1, &v, &err) != 0) {
        assert(v == NULL && err.code == SMUG_ERR_FORMAT);
        assert(strncmp(err.msg, "fuzz.vocab", 10) == 0 && !strchr(err.msg, '\n'));
        return 0;
    }
    for (int id = 0; id < smug_vocab_size(v) && id < 256; id++) {
        const char *w = smug_vocab_word(v, id);
        assert(smug_vocab_id(v, w, strlen(w)) == id);
    }
    if (nul) {
        const char *text = nul + 1;
        size_t n = size - nv - 1;
        smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
        o.max_len = 8;
        o.unk_id = smug_vocab_size(v) - 1;
        smug_tokens t;
        if (smug_tokenize(v, text, n, &o, "fuzz.txt", &t, &err) == 0)
            check_tokens(v, &t, text, n);
        else
            assert(err.code == SMUG_ERR_FORMAT && strstr(err.msg, "no tokens"));
        smug_tokens_clear(&t);
    }
    smug_vocab_free(v);
    return 0;
}
