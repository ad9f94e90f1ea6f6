/* input.h — model inputs from files: PNG images and .npy arrays (design §1, io/input.c).
 *
 * Preprocessing, in this order (documented in README "Inputs"):
 *  1. PNG: decoded to 8-bit grayscale when the model has 1 channel (or a flat input of H·W
 *     values), to RGB when it has 3; the image size must equal the model's (no resizing).
 *  2. each 8-bit value v becomes pixel_min + (pixel_max − pixel_min) · v / 255 (default [0,1]);
 *  3. the model's own in-graph normalisation (Sub/Div) then runs as part of the network.
 * .npy: float32/float64/int32/int64, C order, shape equal to the model input with or without
 * a leading batch dimension of 1; values are used as they are (token ids for token models).
 * Only regular files are read, and a file larger than any valid one for the model's shape
 * is refused before reading (design §7: a FIFO or /dev/zero never hangs smug).
 */
#ifndef SMUG_INPUT_H
#define SMUG_INPUT_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/shape.h"

/* Loads `path` for a model whose per-example input shape is `shape`. *out_x is malloc'ed
 * [size(shape)] (caller frees). Errors name the file and what does not match. */
int smug_input_load(const char *path, const smug_shape *shape, double pixel_min, double pixel_max,
                    float **out_x, smug_error *err);

/* The same from the bytes of a .npy file already read (len bytes; `path` names it in
 * errors) into x[size(shape)]. */
int smug_npy_parse(const unsigned char *data, size_t len, const char *path, const smug_shape *shape,
                   float *x, smug_error *err);

/* The most bytes a .npy file for `shape` can have (header included, 8-byte elements): a
 * larger file is not an input of this model. */
size_t smug_npy_max_bytes(const smug_shape *shape);

/* Expands a path: a directory becomes its *.png and *.npy files in name order; a file is
 * itself. *out_paths is a malloc'ed array of malloc'ed strings (smug_input_paths_free). */
int smug_input_expand(const char *path, char ***out_paths, int *out_n, smug_error *err);

/* The same; with text = 1 a directory also yields its *.txt files (inputs of a token model,
 * tokenised by tokens.h; the caller loads them). */
int smug_input_expand_text(const char *path, int text, char ***out_paths, int *out_n,
                           smug_error *err);

/* Every path of paths[n_paths] expanded (smug_input_expand_text) and joined in order, e.g.
 * a plan's inputs. On failure *out_paths is NULL and *out_n 0 (nothing to free). */
int smug_input_expand_all(const char *const *paths, int n_paths, int text, char ***out_paths,
                          int *out_n, smug_error *err);

void smug_input_paths_free(char **paths, int n);

/* Writes a float32 .npy of the given shape atomically. */
int smug_npy_write(const char *path, const float *data, const int *dims, int rank, smug_error *err);

#endif
