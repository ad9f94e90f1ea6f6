/* artifacts.c — the pictures, mask file and proof file of one explanation (artifacts.h). */
#include "smug/artifacts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"
#include "smug/image.h"
#include "smug/input.h"
#include "smug/replay.h"
#include "smug/score.h"
#include "smug/solve_parts.h"

const char *smug_artifacts_dir(const char *out, const char *input, char *buf, size_t n)
{
    const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    size_t len = strcspn(base, ".");
    snprintf(buf, n, "%s/%.*s", out, (int)len, base);
    return buf;
}

int smug_artifacts_write(const smug_net *net, const smug_params *params, const float *x,
                         const smug_mask_result *m, const char *dir, smug_artifact_paths *paths,
                         smug_error *err)
{
    int ch, h, w;
    smug_shape_chw(&net->input, &ch, &h, &w);
    if (net->input.rank == 1)
        ch = 1, h = m->map_h, w = m->map_w;
    smug_image_src src = {x, ch, h, w, params->pixel_min, params->pixel_max};
    size_t n = (size_t)m->map_h * (size_t)m->map_w;
    uint8_t *keep = malloc(n);
    float *keepf = malloc(n * sizeof *keepf);
    int rc = keep && keepf ? smug_fs_mkdirs(dir, err) : smug_fail(err, SMUG_ERR_NOMEM, "oom");
    snprintf(paths->saliency, sizeof paths->saliency, "%s/saliency.png", dir);
    snprintf(paths->overlay, sizeof paths->overlay, "%s/overlay.png", dir);
    snprintf(paths->mask, sizeof paths->mask, "%s/mask.png", dir);
    snprintf(paths->mask_npy, sizeof paths->mask_npy, "%s/mask.npy", dir);
    if (rc == 0) {
        smug_score_mask_pixels(&m->problem->grid, m->cells, keep);
        for (size_t i = 0; i < n; i++)
            keepf[i] = keep[i] ? 1.0f : 0.0f;
        int dims[2] = {m->map_h, m->map_w};
        rc = smug_image_write_heatmap(paths->saliency, m->saliency, m->map_h, m->map_w, 0, err);
        if (rc == 0)
            rc = smug_image_write_overlay(paths->overlay, &src, m->saliency, 0, err);
        if (rc == 0)
            rc = smug_image_write_masked(paths->mask, &src, keep, 0, err);
        if (rc == 0)
            rc = smug_npy_write(paths->mask_npy, keepf, dims, 2, err);
    }
    free(keep);
    free(keepf);
    return rc;
}

int smug_artifacts_write_text(const smug_textview *view, const uint8_t *keep, const char *dir,
                              smug_artifact_paths *paths, smug_error *err)
{
    int L = view->tokens->max_len;
    float *keepf = malloc((size_t)L * sizeof *keepf);
    int rc = keepf ? smug_fs_mkdirs(dir, err) : smug_fail(err, SMUG_ERR_NOMEM, "oom");
    paths->saliency[0] = paths->overlay[0] = paths->mask[0] = '\0';
    snprintf(paths->mask_npy, sizeof paths->mask_npy, "%s/mask.npy", dir);
    snprintf(paths->html, sizeof paths->html, "%s/explanation.html", dir);
    if (rc == 0) {
        for (int i = 0; i < L; i++)
            keepf[i] = keep[i] ? 1.0f : 0.0f;
        rc = smug_textview_html(paths->html, view, err);
        if (rc == 0)
            rc = smug_npy_write(paths->mask_npy, keepf, &L, 1, err);
    }
    free(keepf);
    return rc;
}

int smug_artifacts_write_proof(const smug_mask_result *m, const char *source, const char *dir,
                               size_t max_bytes, smug_artifact_paths *paths, smug_error *err)
{
    paths->proof[0] = '\0';
    paths->proof_omitted = 0;
    if (smug_proof_empty(&m->solve.proof))
        return 0;
    char path[SMUG_ARTIFACT_PATH_MAX];
    if (snprintf(path, sizeof path, "%s/proof.smt2", dir) >= (int)sizeof path)
        return smug_fail(err, SMUG_ERR_IO, "%s: path too long", dir);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    sb.limit = max_bytes;
    if (m->solve.proof.n_parts > 0)
        smug_solve_parts_replay(&sb, m->problem, &m->solve.proof, source);
    else
        smug_replay_write(&sb, m->problem, &m->solve.proof, source);
    if (sb.failed == 2) { /* over the limit: no file, and the report says why */
        paths->proof_omitted = max_bytes;
        smug_strbuf_clear(&sb);
        return 0;
    }
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_mkdirs(dir, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_clear(&sb);
    if (rc == 0)
        memcpy(paths->proof, path, sizeof path);
    return rc;
}
