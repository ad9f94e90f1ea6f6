/* artifacts.h — one explained input's files: saliency.png, overlay.png, mask.png, mask.npy,
 * proof.smt2 (design §6; run/artifacts.c). Shared by smug run and smug score so both draw the same
 * pictures. Every file is written atomically (image.h, input.h).
 */
#ifndef SMUG_ARTIFACTS_H
#define SMUG_ARTIFACTS_H
#include "smug/error.h"
#include "smug/net.h"
#include "smug/params.h"
#include "smug/pipeline.h"
#include "smug/textview.h"

#define SMUG_ARTIFACT_PATH_MAX 4096

typedef struct smug_artifact_paths {
    char saliency[SMUG_ARTIFACT_PATH_MAX], overlay[SMUG_ARTIFACT_PATH_MAX];
    char mask[SMUG_ARTIFACT_PATH_MAX], mask_npy[SMUG_ARTIFACT_PATH_MAX];
    char html[SMUG_ARTIFACT_PATH_MAX];  /* text inputs: explanation.html */
    char proof[SMUG_ARTIFACT_PATH_MAX]; /* proof.smt2, empty when there is no proof */
    size_t proof_omitted; /* > 0: the replay was left out, being over this many bytes */
} smug_artifact_paths;

/* out/<input's file name up to its first dot> into buf. */
const char *smug_artifacts_dir(const char *out, const char *input, char *buf, size_t n);

/* Creates dir and writes the four files of m (smug_pipeline_finish filled it) for input x;
 * *paths receives their names. */
int smug_artifacts_write(const smug_net *net, const smug_params *params, const float *x,
                         const smug_mask_result *m, const char *dir, smug_artifact_paths *paths,
                         smug_error *err);
/* A text input's files instead of the pictures (a saliency over tokens is no image):
 * dir/explanation.html (textview.h) and dir/mask.npy, float32 [L], 1 = token kept.
 * keep[L] is the per-position mask; paths->html and ->mask_npy receive the names, the
 * picture paths are left empty. */
int smug_artifacts_write_text(const smug_textview *view, const uint8_t *keep, const char *dir,
                              smug_artifact_paths *paths, smug_error *err);
/* dir/proof.smt2: m's proof as a replayable SMT-LIB file (replay.h), `source` its :source
 * text; paths->proof receives the name, or stays empty when the proof has no step (a lower
 * bound of 0 needs none) or when the text would pass max_bytes (0: no limit; then
 * paths->proof_omitted = max_bytes, the file is not written and the building stops there,
 * so a huge proof costs neither the disk nor the memory). */
int smug_artifacts_write_proof(const smug_mask_result *m, const char *source, const char *dir,
                               size_t max_bytes, smug_artifact_paths *paths, smug_error *err);
#endif
