/* tokens.h — plain text → token ids by a model's vocabulary file (design §1, io/tokens.c).
 *
 * Vocabulary file: UTF-8 text, one token a line, the line number (0-based) is the token's
 * id; lines end in "\n" (a "\r" before it is dropped; the last newline is optional). Every
 * line must be a distinct, non-empty token. The number of lines must equal the rows of the
 * model's embedding table (smug_net_vocab_size). tools/train_text.py writes <pad> as id 0
 * and <unk> as id 1; smug takes both ids from smug_tokens_opts (defaults 0 and 1).
 *
 * Tokenisation rule (the same in tools/train_text.py): the text's bytes; ASCII A-Z become
 * a-z; a token is a maximal run of bytes in [a-z0-9]; every other byte (space, punctuation,
 * NUL, any byte of a non-ASCII UTF-8 character) separates tokens. So "Foo-bar's C++ 2.0"
 * gives foo, bar, s, c, 2, 0. A token missing from the vocabulary becomes unk_id.
 *
 * Length: the model reads max_len = L ids. Shorter texts are padded with pad_id. Longer
 * texts are TRUNCATED to their first L tokens by default (opts.truncate = 1): n_dropped
 * says how many were cut and the caller prints the warning (the library never prints);
 * with opts.truncate = 0 a longer text is an error. A text without any token is an error.
 *
 * Ownership: smug_vocab_load returns a vocabulary the caller frees with smug_vocab_free;
 * smug_tokenize fills a smug_tokens whose arrays the caller frees with smug_tokens_clear
 * (also safe after a failure). Errors are one line naming the file (and line).
 */
#ifndef SMUG_TOKENS_H
#define SMUG_TOKENS_H

#include <stddef.h>

#include "smug/error.h"

typedef struct smug_vocab smug_vocab; /* opaque: words and a hash index */

typedef struct smug_tokens_opts {
    int max_len;  /* L >= 1: the model's sequence length */
    int pad_id;   /* id of the padding token (default 0) */
    int unk_id;   /* id of unknown tokens (default 1) */
    int truncate; /* 1: keep the first L tokens of a longer text; 0: fail */
} smug_tokens_opts;

#define SMUG_TOKENS_OPTS_INIT                                                                      \
    {                                                                                              \
        0, 0, 1, 1                                                                                 \
    }

typedef struct smug_tokens {
    int max_len;   /* L */
    int n;         /* tokens kept, 1..L: positions 0..n-1; positions n..L-1 are padding */
    int n_dropped; /* tokens after the first L (truncated away) */
    int n_unknown; /* kept tokens not in the vocabulary (given unk_id) */
    float *ids;    /* [L] model input: token ids as floats (what forward.h takes) */
    char *text;    /* the whole text, NUL-terminated copy */
    size_t *start; /* [n] byte offset of kept token i in text */
    size_t *len;   /* [n] its length in bytes */
    char **words;  /* [n] its original spelling (case kept), NUL-terminated */
} smug_tokens;

/* Loads a vocabulary file. expected_size: the model's embedding rows, or -1 not to check
 * (then a mismatch fails only at the forward pass, as an out-of-range id). Errors: the
 * file cannot be read (IO), it is empty, a line is empty, a token repeats (naming both
 * lines), or its size differs from expected_size (naming both sizes) — FORMAT. */
int smug_vocab_load(const char *path, int expected_size, smug_vocab **out, smug_error *err);

/* The same from memory: data[0..n) is the file's content, `path` names it in errors. */
int smug_vocab_parse(const char *path, const char *data, size_t n, int expected_size,
                     smug_vocab **out, smug_error *err);

void smug_vocab_free(smug_vocab *v);

/* Number of tokens (lines). */
int smug_vocab_size(const smug_vocab *v);

/* The token of id `id` (owned by v), or NULL when out of range. */
const char *smug_vocab_word(const smug_vocab *v, int id);

/* Id of the token spelled by word[0..len), or -1 when absent. */
int smug_vocab_id(const smug_vocab *v, const char *word, size_t len);

/* Tokenises text[0..n) (the rule above); `name` (a file name) prefixes errors. Fails
 * (USAGE) when pad_id/unk_id are outside the vocabulary or max_len < 1, (FORMAT) when the
 * text has no token or is longer than L with truncate = 0. */
int smug_tokenize(const smug_vocab *v, const char *text, size_t n, const smug_tokens_opts *opts,
                  const char *name, smug_tokens *out, smug_error *err);

/* Reads a text file and tokenises it. */
int smug_tokens_load_text(const char *path, const smug_vocab *v, const smug_tokens_opts *opts,
                          smug_tokens *out, smug_error *err);

void smug_tokens_clear(smug_tokens *t);

#endif
