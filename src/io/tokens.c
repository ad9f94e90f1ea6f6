/* tokens.c — a model's vocabulary file and plain text → token ids (tokens.h has the rule).
 *
 * The text path of design §1: a .txt input becomes the float ids forward.h takes, plus
 * where each token sits in the original text so outputs can show the user's own words. The
 * rule is deliberately byte-level and locale-free (ASCII lower-casing, runs of [a-z0-9]):
 * tools/train_text.py applies the same regular expression to the same bytes, so smug sees
 * exactly the ids the model was trained on. The vocabulary is indexed by an open-addressing
 * hash table (FNV-1a), sized to stay at most half full.
 */
#include "smug/tokens.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"

struct smug_vocab {
    char **words; /* [n] */
    int n;
    int *slot; /* [n_slots]: id, or -1 for an empty slot */
    size_t n_slots;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The slot holding word[0..n), or the empty slot where it would go. */
static size_t find_slot(const smug_vocab *v, const char *w, size_t n)
{
    size_t i = (size_t)hash_bytes(w, n) & (v->n_slots - 1);
    for (;; i = (i + 1) & (v->n_slots - 1)) {
        int id = v->slot[i];
        if (id < 0 || (strlen(v->words[id]) == n && memcmp(v->words[id], w, n) == 0))
            return i;
    }
}

void smug_vocab_free(smug_vocab *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->n; i++)
        free(v->words[i]);
    free(v->words);
    free(v->slot);
    free(v);
}

int smug_vocab_size(const smug_vocab *v)
{
    return v->n;
}

const char *smug_vocab_word(const smug_vocab *v, int id)
{
    return id >= 0 && id < v->n ? v->words[id] : NULL;
}

int smug_vocab_id(const smug_vocab *v, const char *word, size_t len)
{
    return v->slot[find_slot(v, word, len)];
}

/* Counts the lines of data[0..n): a final line without "\n" counts. */
static size_t count_lines(const char *data, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += data[i] == '\n';
    return lines + (n > 0 && data[n - 1] != '\n');
}

/* Adds line number `line` (0-based id) spelled data[0..n) to v. */
static int add_word(smug_vocab *v, const char *path, const char *w, size_t n, smug_error *err)
{
    if (n == 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s:%d: empty token (every line is one token)", path,
                         v->n + 1);
    size_t s = find_slot(v, w, n);
    if (v->slot[s] >= 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s:%d: duplicate token '%.*s' (first on line %d)",
                         path, v->n + 1, (int)(n < 64 ? n : 64), w, v->slot[s] + 1);
    char *copy = malloc(n + 1);
    if (smug_check_alloc(copy, err) < 0)
        return -1;
    memcpy(copy, w, n);
    copy[n] = '\0';
    v->words[v->n] = copy;
    v->slot[s] = v->n++;
    return 0;
}

static int parse_vocab(smug_vocab *v, const char *path, const char *data, size_t n, smug_error *err)
{
    size_t lines = count_lines(data, n);
    if (lines == 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: empty vocabulary file", path);
    if (lines > (size_t)1 << 24)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: %zu lines: too many tokens", path, lines);
    v->n_slots = 16;
    while (v->n_slots < 2 * lines)
        v->n_slots *= 2;
    v->words = calloc(lines, sizeof *v->words);
    v->slot = malloc(v->n_slots * sizeof *v->slot);
    if (smug_check_alloc(v->words, err) < 0 || smug_check_alloc(v->slot, err) < 0)
        return -1;
    for (size_t i = 0; i < v->n_slots; i++)
        v->slot[i] = -1;
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(data + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - data) : n, len = end - at;
        if (len > 0 && data[end - 1] == '\r')
            len--;
        if (add_word(v, path, data + at, len, err) < 0)
            return -1;
        at = end + 1;
    }
    return 0;
}

int smug_vocab_load(const char *path, int expected_size, smug_vocab **out, smug_error *err)
{
    *out = NULL;
    unsigned char *data;
    size_t n;
    if (smug_fs_read_all(path, &data, &n, err) < 0)
        return -1;
    int rc = smug_vocab_parse(path, (const char *)data, n, expected_size, out, err);
    free(data);
    return rc;
}

int smug_vocab_parse(const char *path, const char *data, size_t n, int expected_size,
                     smug_vocab **out, smug_error *err)
{
    *out = NULL;
    smug_vocab *v = calloc(1, sizeof *v);
    int rc = smug_check_alloc(v, err);
    if (rc == 0)
        rc = parse_vocab(v, path, data, n, err);
    if (rc == 0 && expected_size >= 0 && v->n != expected_size)
        rc = smug_fail(err, SMUG_ERR_FORMAT,
                       "%s: %d tokens, but the model's embedding has %d rows: not this model's "
                       "vocabulary",
                       path, v->n, expected_size);
    if (rc < 0) {
        smug_vocab_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

void smug_tokens_clear(smug_tokens *t)
{
    if (!t)
        return;
    for (int i = 0; t->words && i < t->n; i++)
        free(t->words[i]);
    free(t->words);
    free(t->ids);
    free(t->text);
    free(t->start);
    free(t->len);
    memset(t, 0, sizeof *t);
}

static int is_token_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The next token of text[*at..n): its start and length; 0 when there is none. */
static int next_token(const char *text, size_t n, size_t *at, size_t *start, size_t *len)
{
    size_t i = *at;
    while (i < n && !is_token_byte((unsigned char)text[i]))
        i++;
    if (i == n)
        return 0;
    *start = i;
    while (i < n && is_token_byte((unsigned char)text[i]))
        i++;
    *len = i - *start;
    *at = i;
    return 1;
}

static int check_opts(const smug_vocab *v, const smug_tokens_opts *o, const char *name,
                      smug_error *err)
{
    if (o->max_len < 1)
        return smug_fail(err, SMUG_ERR_USAGE, "%s: maximum length must be at least 1: got %d", name,
                         o->max_len);
    if (o->pad_id < 0 || o->pad_id >= v->n || o->unk_id < 0 || o->unk_id >= v->n)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "%s: padding id %d and unknown-token id %d must be in [0, %d)", name,
                         o->pad_id, o->unk_id, v->n);
    return 0;
}

/* Records kept token i (its id and where it is) in t. */
static int keep_token(const smug_vocab *v, const smug_tokens_opts *o, smug_tokens *t, size_t s,
                      size_t len, smug_error *err)
{
    char small[64];
    char *lower = len < sizeof small ? small : malloc(len);
    if (smug_check_alloc(lower, err) < 0)
        return -1;
    for (size_t k = 0; k < len; k++) {
        char c = t->text[s + k];
        lower[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    int id = smug_vocab_id(v, lower, len);
    if (lower != small)
        free(lower);
    if (id < 0) {
        id = o->unk_id;
        t->n_unknown++;
    }
    int i = t->n;
    t->ids[i] = (float)id;
    t->start[i] = s;
    t->len[i] = len;
    t->words[i] = malloc(len + 1);
    if (smug_check_alloc(t->words[i], err) < 0)
        return -1;
    memcpy(t->words[i], t->text + s, len);
    t->words[i][len] = '\0';
    t->n++;
    return 0;
}

int smug_tokenize(const smug_vocab *v, const char *text, size_t n, const smug_tokens_opts *opts,
                  const char *name, smug_tokens *out, smug_error *err)
{
    smug_tokens *t = out;
    memset(t, 0, sizeof *t);
    if (check_opts(v, opts, name, err) < 0)
        return -1;
    size_t L = (size_t)opts->max_len;
    t->max_len = opts->max_len;
    t->text = malloc(n + 1);
    t->ids = malloc(L * sizeof *t->ids);
    t->start = malloc(L * sizeof *t->start);
    t->len = malloc(L * sizeof *t->len);
    t->words = calloc(L, sizeof *t->words);
    if (!t->text || !t->ids || !t->start || !t->len || !t->words) {
        smug_tokens_clear(t);
        return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory", name);
    }
    memcpy(t->text, text, n);
    t->text[n] = '\0';
    size_t at = 0, s, len;
    while (next_token(t->text, n, &at, &s, &len)) {
        if ((size_t)t->n == L) {
            t->n_dropped++;
            continue;
        }
        if (keep_token(v, opts, t, s, len, err) < 0) {
            smug_tokens_clear(t);
            return -1;
        }
    }
    int rc = 0;
    if (t->n == 0)
        rc = smug_fail(err, SMUG_ERR_FORMAT, "%s: no tokens (an empty text has nothing to explain)",
                       name);
    else if (t->n_dropped && !opts->truncate)
        rc = smug_fail(err, SMUG_ERR_FORMAT, "%s: %d tokens, the model reads at most %d", name,
                       t->n + t->n_dropped, opts->max_len);
    if (rc < 0) {
        smug_tokens_clear(t);
        return rc;
    }
    for (size_t i = (size_t)t->n; i < L; i++)
        t->ids[i] = (float)opts->pad_id;
    return 0;
}

int smug_tokens_load_text(const char *path, const smug_vocab *v, const smug_tokens_opts *opts,
                          smug_tokens *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    unsigned char *data;
    size_t n;
    if (smug_fs_read_all(path, &data, &n, err) < 0)
        return -1;
    int rc = smug_tokenize(v, (const char *)data, n, opts, path, out, err);
    free(data);
    return rc;
}
