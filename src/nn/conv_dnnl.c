/* conv_dnnl.c — a convolution layer through oneDNN (conv_dnnl.h).
 *
 * Each direction (forward; backward data) is one oneDNN convolution primitive whose memory
 * formats are left to the library ("any"): on AVX-512 it picks channel blocks of 16
 * (nChw16c) and JIT kernels. smug keeps NCHW between layers, so the input is reordered into
 * the kernel's format and the result back, through the caller's scratch; the weights are
 * reordered once at init. Weight gradients are never asked for: smug does not train.
 */
#include "smug/conv_dnnl.h"

#include "smug/bigbuf.h"

#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One direction: x → y forward, or dy → dx backward. "in" is what the primitive reads
 * (src, diff_dst), "out" what it writes (dst, diff_src). */
typedef struct conv_dir {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim, in_reorder, out_reorder; /* made on first use; reorders NULL
                                                       when the formats match */
    dnnl_memory_t in_plain, in_kernel, out_kernel, out_plain, weights, bias;
    size_t in_bytes, out_bytes; /* scratch for the kernel-format copies (0: not needed) */
    /* the weights in the kernel's format (wbuf NULL: the layer's own), kept when the batch
     * changes and the kernel keeps its format */
    float *wbuf;
    dnnl_memory_desc_t wmd;
    int have_w;
} conv_dir;

struct smug_dnnl_conv {
    const smug_layer *l;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    int batch;    /* the directions are made for this many examples */
    int winograd; /* try Winograd for 3x3 stride-1 layers */
    conv_dir fwd, bwd;
    char impl[160];
};

#define DNNL_TRY(call, what)                                                                       \
    do {                                                                                           \
        dnnl_status_t st_ = (call);                                                                \
        if (st_ != dnnl_success)                                                                   \
            return dnnl_fail(c, err, st_, what);                                                   \
    } while (0)

static int dnnl_fail(const smug_dnnl_conv *c, smug_error *err, dnnl_status_t st, const char *what)
{
    smug_error_code code = st == dnnl_out_of_memory   ? SMUG_ERR_NOMEM
                           : st == dnnl_unimplemented ? SMUG_ERR_UNSUPPORTED
                                                      : SMUG_ERR_INTERNAL;
    return smug_fail(err, code, "conv '%s': oneDNN %s failed (status %d)", c->l->name, what,
                     (int)st);
}

static int groups(const smug_layer *l)
{
    return l->group > 1 ? l->group : 1;
}

/* Releases a direction; its reordered weights too unless keep_weights. */
static void free_dir(conv_dir *d, int keep_weights)
{
    dnnl_primitive_t prims[] = {d->prim, d->in_reorder, d->out_reorder};
    dnnl_memory_t mems[] = {d->in_plain,  d->in_kernel, d->out_kernel,
                            d->out_plain, d->weights,   d->bias};
    for (size_t i = 0; i < sizeof prims / sizeof *prims; i++)
        if (prims[i])
            dnnl_primitive_destroy(prims[i]);
    for (size_t i = 0; i < sizeof mems / sizeof *mems; i++)
        if (mems[i])
            dnnl_memory_destroy(mems[i]);
    if (d->pd)
        dnnl_primitive_desc_destroy(d->pd);
    float *wbuf = d->wbuf;
    dnnl_memory_desc_t wmd = d->wmd;
    int have_w = d->have_w;
    memset(d, 0, sizeof *d);
    if (keep_weights)
        d->wbuf = wbuf, d->wmd = wmd, d->have_w = have_w;
    else
        free(wbuf);
}

/* Plain memory descriptors of layer l for `batch` examples. */
static void plain_mds(const smug_layer *l, int batch, dnnl_memory_desc_t *src,
                      dnnl_memory_desc_t *wt, dnnl_memory_desc_t *bias, dnnl_memory_desc_t *dst)
{
    int c, h, w, co, ho, wo, g = groups(l);
    smug_shape_chw(&l->in, &c, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    dnnl_dims_t s = {batch, c, h, w}, d = {batch, co, ho, wo}, b = {co};
    dnnl_memory_desc_init_by_tag(src, 4, s, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(dst, 4, d, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(bias, 1, b, dnnl_f32, dnnl_x);
    if (g > 1) {
        dnnl_dims_t k = {g, co / g, c / g, l->win.kh, l->win.kw};
        dnnl_memory_desc_init_by_tag(wt, 5, k, dnnl_f32, dnnl_goihw);
    } else {
        dnnl_dims_t k = {co, c, l->win.kh, l->win.kw};
        dnnl_memory_desc_init_by_tag(wt, 4, k, dnnl_f32, dnnl_oihw);
    }
}

/* The memory desc with the same dims as md but format "any". */
static dnnl_memory_desc_t any_md(const dnnl_memory_desc_t *md)
{
    dnnl_memory_desc_t a;
    dnnl_memory_desc_init_by_tag(&a, md->ndims, md->dims, dnnl_f32, dnnl_format_tag_any);
    return a;
}

static int run_reorder(smug_dnnl_conv *c, dnnl_memory_t from, dnnl_memory_t to, smug_error *err)
{
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t r;
    const dnnl_memory_desc_t *fm, *tm;
    DNNL_TRY(dnnl_memory_get_memory_desc(from, &fm), "weights memory");
    DNNL_TRY(dnnl_memory_get_memory_desc(to, &tm), "weights memory");
    DNNL_TRY(dnnl_reorder_primitive_desc_create(&pd, fm, c->engine, tm, c->engine, NULL),
             "weights reorder");
    dnnl_status_t st = dnnl_primitive_create(&r, pd);
    dnnl_primitive_desc_destroy(pd);
    if (st != dnnl_success)
        return dnnl_fail(c, err, st, "weights reorder");
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    st = dnnl_primitive_execute(r, c->stream, 2, args);
    if (st == dnnl_success)
        st = dnnl_stream_wait(c->stream);
    dnnl_primitive_destroy(r);
    return st == dnnl_success ? 0 : dnnl_fail(c, err, st, "weights reorder");
}

/* A reorder primitive from a to b, or NULL when they are the same format. */
static int make_reorder(smug_dnnl_conv *c, const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b,
                        dnnl_primitive_t *out, smug_error *err)
{
    *out = NULL;
    if (dnnl_memory_desc_equal(a, b))
        return 0;
    dnnl_primitive_desc_t pd;
    DNNL_TRY(dnnl_reorder_primitive_desc_create(&pd, a, c->engine, b, c->engine, NULL), "reorder");
    dnnl_status_t st = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return st == dnnl_success ? 0 : dnnl_fail(c, err, st, "reorder");
}

/* Scratch sizes of a direction whose pd is made: in/out are the plain descs of what it reads
 * and writes. */
static void dir_sizes(conv_dir *d, dnnl_query_t in_q, dnnl_query_t out_q,
                      const dnnl_memory_desc_t *in, const dnnl_memory_desc_t *out)
{
    const dnnl_memory_desc_t *kin = dnnl_primitive_desc_query_md(d->pd, in_q, 0);
    const dnnl_memory_desc_t *kout = dnnl_primitive_desc_query_md(d->pd, out_q, 0);
    d->in_bytes = dnnl_memory_desc_equal(in, kin) ? 0 : dnnl_memory_desc_get_size(kin);
    d->out_bytes = dnnl_memory_desc_equal(out, kout) ? 0 : dnnl_memory_desc_get_size(kout);
}

/* The weights in the kernel's format kwt: the layer's own array when it is already that,
 * else reordered once (and kept while the format stays). */
static int dir_weights(smug_dnnl_conv *c, conv_dir *d, const dnnl_memory_desc_t *wt,
                       const dnnl_memory_desc_t *kwt, smug_error *err)
{
    DNNL_TRY(dnnl_memory_create(&d->weights, kwt, c->engine, DNNL_MEMORY_NONE), "memory");
    if (dnnl_memory_desc_equal(wt, kwt)) {
        DNNL_TRY(dnnl_memory_set_data_handle(d->weights, c->l->weight), "memory");
        return 0;
    }
    if (d->have_w && dnnl_memory_desc_equal(&d->wmd, kwt)) {
        DNNL_TRY(dnnl_memory_set_data_handle(d->weights, d->wbuf), "memory");
        return 0;
    }
    free(d->wbuf);
    d->have_w = 0;
    size_t bytes = dnnl_memory_desc_get_size(kwt);
    d->wbuf = smug_big_alloc(bytes);
    if (!d->wbuf)
        return smug_fail(err, SMUG_ERR_NOMEM, "conv '%s': out of memory", c->l->name);
    dnnl_memory_t plain;
    DNNL_TRY(dnnl_memory_create(&plain, wt, c->engine, c->l->weight), "memory");
    DNNL_TRY(dnnl_memory_set_data_handle(d->weights, d->wbuf), "memory");
    int rc = run_reorder(c, plain, d->weights, err);
    dnnl_memory_destroy(plain);
    if (rc < 0)
        return -1;
    d->wmd = *kwt;
    d->have_w = 1;
    return 0;
}

/* The primitive, reorders, memory objects and weights of a direction, on its first use
 * (a forward-only pass never pays for the backward one's weights). */
static int ready_dir(smug_dnnl_conv *c, conv_dir *d, dnnl_query_t in_q, dnnl_query_t out_q,
                     int forward, smug_error *err)
{
    if (d->prim)
        return 0;
    dnnl_memory_desc_t src, wt, bias, dst;
    plain_mds(c->l, c->batch, &src, &wt, &bias, &dst);
    const dnnl_memory_desc_t *in = forward ? &src : &dst, *out = forward ? &dst : &src;
    const dnnl_memory_desc_t *kin = dnnl_primitive_desc_query_md(d->pd, in_q, 0);
    const dnnl_memory_desc_t *kout = dnnl_primitive_desc_query_md(d->pd, out_q, 0);
    const dnnl_memory_desc_t *kwt = dnnl_primitive_desc_query_md(d->pd, dnnl_query_weights_md, 0);
    if (make_reorder(c, in, kin, &d->in_reorder, err) < 0 ||
        make_reorder(c, kout, out, &d->out_reorder, err) < 0)
        return -1;
    DNNL_TRY(dnnl_memory_create(&d->in_plain, in, c->engine, DNNL_MEMORY_NONE), "memory");
    DNNL_TRY(dnnl_memory_create(&d->out_plain, out, c->engine, DNNL_MEMORY_NONE), "memory");
    DNNL_TRY(dnnl_memory_create(&d->in_kernel, kin, c->engine, DNNL_MEMORY_NONE), "memory");
    DNNL_TRY(dnnl_memory_create(&d->out_kernel, kout, c->engine, DNNL_MEMORY_NONE), "memory");
    if (forward)
        DNNL_TRY(dnnl_memory_create(&d->bias, &bias, c->engine, c->l->bias), "memory");
    if (dir_weights(c, d, &wt, kwt, err) < 0)
        return -1;
    DNNL_TRY(dnnl_primitive_create(&d->prim, d->pd), "primitive");
    return 0;
}

/* The primitive descriptors of both directions for `batch` examples with algorithm alg:
 * cheap (no kernel is compiled, no weight touched); they fix the formats and so the scratch
 * sizes. */
static int make_pds_alg(smug_dnnl_conv *c, int batch, dnnl_alg_kind_t alg, smug_error *err)
{
    const smug_layer *l = c->l;
    dnnl_memory_desc_t src, wt, bias, dst;
    plain_mds(l, batch, &src, &wt, &bias, &dst);
    dnnl_memory_desc_t asrc = any_md(&src), awt = any_md(&wt), adst = any_md(&dst);
    dnnl_dims_t strides = {l->win.sh, l->win.sw};
    dnnl_dims_t dil = {smug_window_dil(&l->win, 0) - 1, smug_window_dil(&l->win, 1) - 1};
    dnnl_dims_t pl = {l->win.pad_top, l->win.pad_left}, pr = {l->win.pad_bottom, l->win.pad_right};
    dnnl_convolution_desc_t fd, bd;
    DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, alg, &asrc,
                                                        &awt, &bias, &adst, strides, dil, pl, pr),
             "forward descriptor");
    DNNL_TRY(dnnl_primitive_desc_create(&c->fwd.pd, &fd, NULL, c->engine, NULL), "forward");
    DNNL_TRY(dnnl_dilated_convolution_backward_data_desc_init(&bd, alg, &asrc, &awt, &adst, strides,
                                                              dil, pl, pr),
             "backward descriptor");
    DNNL_TRY(dnnl_primitive_desc_create(&c->bwd.pd, &bd, NULL, c->engine, c->fwd.pd), "backward");
    dir_sizes(&c->fwd, dnnl_query_src_md, dnnl_query_dst_md, &src, &dst);
    dir_sizes(&c->bwd, dnnl_query_diff_dst_md, dnnl_query_diff_src_md, &dst, &src);
    const char *fi = NULL, *bi = NULL;
    dnnl_primitive_desc_query(c->fwd.pd, dnnl_query_impl_info_str, 0, &fi);
    dnnl_primitive_desc_query(c->bwd.pd, dnnl_query_impl_info_str, 0, &bi);
    snprintf(c->impl, sizeof c->impl, "%s / %s", fi ? fi : "?", bi ? bi : "?");
    c->batch = batch;
    return 0;
}

/* Winograd F(4x4, 3x3) where oneDNN has it (3x3, stride 1, no dilation or groups, channel
 * counts it accepts), else direct convolution. */
static int make_pds(smug_dnnl_conv *c, int batch, smug_error *err)
{
    const smug_layer *l = c->l;
    const smug_window *w = &l->win;
    if (c->winograd && w->kh == 3 && w->kw == 3 && w->sh == 1 && w->sw == 1 &&
        smug_window_dil(w, 0) == 1 && smug_window_dil(w, 1) == 1 && l->group <= 1) {
        smug_error ignore = SMUG_ERROR_INIT;
        if (make_pds_alg(c, batch, dnnl_convolution_winograd, &ignore) == 0)
            return 0;
        free_dir(&c->fwd, 1);
        free_dir(&c->bwd, 1);
    }
    return make_pds_alg(c, batch, dnnl_convolution_direct, err);
}

static int set_batch(smug_dnnl_conv *c, int batch, smug_error *err)
{
    if (c->batch == batch)
        return 0;
    free_dir(&c->fwd, 1);
    free_dir(&c->bwd, 1);
    c->batch = 0;
    return make_pds(c, batch, err);
}

int smug_dnnl_conv_init(const smug_layer *l, int batch, int winograd, smug_dnnl_conv **out,
                        smug_error *err)
{
    smug_dnnl_conv *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return smug_fail(err, SMUG_ERR_NOMEM, "conv '%s': out of memory", l->name);
    c->l = l;
    c->winograd = winograd;
    dnnl_status_t st = dnnl_engine_create(&c->engine, dnnl_cpu, 0);
    if (st == dnnl_success)
        st = dnnl_stream_create(&c->stream, c->engine, dnnl_stream_default_flags);
    int rc = st == dnnl_success ? set_batch(c, batch, err) : dnnl_fail(c, err, st, "engine");
    if (rc < 0) {
        smug_dnnl_conv_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

size_t smug_dnnl_conv_scratch_bytes(smug_dnnl_conv *c, int batch, smug_error *err)
{
    if (set_batch(c, batch, err) < 0)
        return (size_t)-1;
    size_t f = (c->fwd.in_bytes + 63) / 64 * 64 + c->fwd.out_bytes;
    size_t b = (c->bwd.in_bytes + 63) / 64 * 64 + c->bwd.out_bytes;
    return f > b ? f : b;
}

/* in (plain) → [reorder] → primitive → [reorder] → out (plain) */
static int run_dir(smug_dnnl_conv *c, conv_dir *d, int in_arg, int out_arg, const float *in,
                   float *out, void *scratch, smug_error *err)
{
    char *s = scratch;
    void *kin = d->in_reorder ? s : (void *)in;
    void *kout = d->out_reorder ? s + (d->in_bytes + 63) / 64 * 64 : (void *)out;
    DNNL_TRY(dnnl_memory_set_data_handle(d->in_plain, (void *)in), "memory");
    DNNL_TRY(dnnl_memory_set_data_handle(d->in_kernel, kin), "memory");
    DNNL_TRY(dnnl_memory_set_data_handle(d->out_kernel, kout), "memory");
    DNNL_TRY(dnnl_memory_set_data_handle(d->out_plain, out), "memory");
    if (d->in_reorder) {
        dnnl_exec_arg_t a[] = {{DNNL_ARG_FROM, d->in_plain}, {DNNL_ARG_TO, d->in_kernel}};
        DNNL_TRY(dnnl_primitive_execute(d->in_reorder, c->stream, 2, a), "reorder");
    }
    dnnl_exec_arg_t a[] = {{in_arg, d->in_kernel},
                           {DNNL_ARG_WEIGHTS, d->weights},
                           {out_arg, d->out_kernel},
                           {DNNL_ARG_BIAS, d->bias}};
    DNNL_TRY(dnnl_primitive_execute(d->prim, c->stream, d->bias ? 4 : 3, a), "convolution");
    if (d->out_reorder) {
        dnnl_exec_arg_t r[] = {{DNNL_ARG_FROM, d->out_kernel}, {DNNL_ARG_TO, d->out_plain}};
        DNNL_TRY(dnnl_primitive_execute(d->out_reorder, c->stream, 2, r), "reorder");
    }
    DNNL_TRY(dnnl_stream_wait(c->stream), "stream");
    return 0;
}

int smug_dnnl_conv_forward(smug_dnnl_conv *c, const float *x, int batch, float *y, void *scratch,
                           smug_error *err)
{
    if (set_batch(c, batch, err) < 0 ||
        ready_dir(c, &c->fwd, dnnl_query_src_md, dnnl_query_dst_md, 1, err) < 0)
        return -1;
    return run_dir(c, &c->fwd, DNNL_ARG_SRC, DNNL_ARG_DST, x, y, scratch, err);
}

int smug_dnnl_conv_backward(smug_dnnl_conv *c, const float *g, int batch, float *gin, void *scratch,
                            smug_error *err)
{
    if (set_batch(c, batch, err) < 0 ||
        ready_dir(c, &c->bwd, dnnl_query_diff_dst_md, dnnl_query_diff_src_md, 0, err) < 0)
        return -1;
    return run_dir(c, &c->bwd, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC, g, gin, scratch, err);
}

const char *smug_dnnl_conv_impl(const smug_dnnl_conv *c)
{
    return c->impl;
}

void smug_dnnl_conv_free(smug_dnnl_conv *c)
{
    if (!c)
        return;
    free_dir(&c->fwd, 0);
    free_dir(&c->bwd, 0);
    if (c->stream)
        dnnl_stream_destroy(c->stream);
    if (c->engine)
        dnnl_engine_destroy(c->engine);
    free(c);
}
