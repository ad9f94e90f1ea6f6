/* sanity.c — randomised copies of a network and Spearman's rank correlation (sanity.h).
 *
 * The copy is shallow: a new layer array whose randomised layers own fresh weight and bias
 * arrays while every other pointer still belongs to the original, so a check costs one
 * layer's parameters, not a model. The random numbers come from a local xorshift generator
 * and Box-Muller: no global state, and the same seed gives the same network.
 */
#include "smug/sanity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct pair {
    float v;
    size_t i;
} pair;

static int by_value(const void *a, const void *b)
{
    const pair *p = a, *q = b;
    return p->v < q->v ? -1 : p->v > q->v;
}

/* Ranks 1..n of v, ties sharing their mean rank. */
static int ranks(const float *v, size_t n, double *out)
{
    pair *p = malloc(n * sizeof *p);
    if (!p)
        return -1;
    for (size_t i = 0; i < n; i++)
        p[i] = (pair){v[i], i};
    qsort(p, n, sizeof *p, by_value);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && p[j + 1].v == p[i].v)
            j++;
        for (size_t k = i; k <= j; k++)
            out[p[k].i] = 0.5 * (double)(i + j) + 1.0;
        i = j + 1;
    }
    free(p);
    return 0;
}

double smug_spearman(const float *a, const float *b, size_t n)
{
    double *ra = malloc((n ? n : 1) * sizeof *ra), *rb = malloc((n ? n : 1) * sizeof *rb);
    double rho = NAN;
    if (n >= 2 && ra && rb && ranks(a, n, ra) == 0 && ranks(b, n, rb) == 0) {
        double m = 0.5 * (double)(n + 1), sab = 0, saa = 0, sbb = 0;
        for (size_t i = 0; i < n; i++) {
            sab += (ra[i] - m) * (rb[i] - m);
            saa += (ra[i] - m) * (ra[i] - m);
            sbb += (rb[i] - m) * (rb[i] - m);
        }
        if (saa > 0 && sbb > 0)
            rho = sab / sqrt(saa * sbb);
    }
    free(ra), free(rb);
    return rho;
}

static int has_params(const smug_layer *l)
{
    return l->kind == SMUG_LAYER_DENSE || l->kind == SMUG_LAYER_CONV;
}

int smug_sanity_layers(const smug_net *net)
{
    int n = 0;
    for (int i = 0; i < net->n_layers; i++)
        n += has_params(&net->layers[i]);
    return n;
}

static size_t weight_count(const smug_layer *l)
{
    if (l->kind == SMUG_LAYER_DENSE)
        return (size_t)l->n_in * (size_t)l->n_out;
    int g = l->group > 1 ? l->group : 1;
    return (size_t)l->n_out * (size_t)(l->n_in / g) * (size_t)l->win.kh * (size_t)l->win.kw;
}

static double sd_of(const float *v, size_t n)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i], ss += (double)v[i] * v[i];
    double var = n ? ss / (double)n - (s / (double)n) * (s / (double)n) : 0.0;
    return var > 0 ? sqrt(var) : 0.0;
}

static double gauss(uint64_t *st)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        *st ^= *st << 13, *st ^= *st >> 7, *st ^= *st << 17;
        u[k] = ((double)(*st >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
    }
    return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

static float *random_like(const float *v, size_t n, uint64_t *st)
{
    float *r = malloc((n ? n : 1) * sizeof *r);
    double sd = sd_of(v, n);
    for (size_t i = 0; r && i < n; i++)
        r[i] = (float)(sd * gauss(st));
    return r;
}

/* The copy and which of its layers own their weight and bias (the net is the first member,
 * so a smug_net * of a copy is a pointer to its sanity_copy). */
typedef struct sanity_copy {
    smug_net net;
    uint8_t *owned; /* [n_layers] */
} sanity_copy;

void smug_sanity_net_free(smug_net *net)
{
    if (!net)
        return;
    sanity_copy *c = (sanity_copy *)net;
    for (int i = 0; i < net->n_layers; i++)
        if (c->owned && c->owned[i])
            free(net->layers[i].weight), free(net->layers[i].bias);
    free(c->owned);
    free(net->layers);
    free(c);
}

int smug_sanity_net(const smug_net *net, int n_top, uint64_t seed, smug_net **out, smug_error *err)
{
    *out = NULL;
    if (n_top < 1 || n_top > smug_sanity_layers(net))
        return smug_fail(err, SMUG_ERR_USAGE, "randomisation: %d layers asked, %d exist", n_top,
                         smug_sanity_layers(net));
    sanity_copy *c = calloc(1, sizeof *c);
    if (!c)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    c->net = *net;
    c->net.layers = malloc((size_t)net->n_layers * sizeof *c->net.layers);
    c->owned = calloc((size_t)net->n_layers, 1);
    if (!c->net.layers || !c->owned) {
        free(c->net.layers), free(c->owned), free(c);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    memcpy(c->net.layers, net->layers, (size_t)net->n_layers * sizeof *c->net.layers);
    uint64_t st = seed ? seed : 0x9e3779b97f4a7c15ULL;
    int done = 0, rc = 0;
    for (int i = net->n_layers - 1; i >= 0 && done < n_top; i--) {
        smug_layer *l = &c->net.layers[i];
        if (!has_params(l))
            continue;
        l->weight = random_like(net->layers[i].weight, weight_count(l), &st);
        l->bias = random_like(net->layers[i].bias, (size_t)l->n_out, &st);
        c->owned[i] = 1;
        done++;
        rc = l->weight && l->bias ? rc : -1;
    }
    if (rc < 0) {
        smug_sanity_net_free(&c->net);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    *out = &c->net;
    return 0;
}
