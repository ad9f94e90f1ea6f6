/* proof_json.c — proofs to and from the JSON of bundle results (proof_json.h).
 *
 * Reading is defensive (a result file may come from anyone): every index is range-checked
 * against the proof's own sizes here, and everything else — whether the facts hold, the
 * certificates check, the tree is well formed — is smug_proof_check's job.
 */
#include "smug/proof_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(smug_json *j, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%a", v);
    smug_json_string(j, NULL, buf);
}

static void write_cert(smug_json *j, const smug_proof *pr, int i)
{
    smug_cert c;
    smug_proof_cert(pr, i, &c);
    smug_json_object_begin(j, NULL);
    smug_json_array_begin(j, "y");
    for (int t = 0; t < c.n_y; t++) {
        smug_json_array_begin(j, NULL);
        smug_json_int(j, NULL, c.y_row[t]);
        hex(j, c.y[t]);
        smug_json_array_end(j);
    }
    smug_json_array_end(j);
    smug_json_array_begin(j, "z");
    for (int t = 0; t < c.n_z; t++) {
        smug_json_array_begin(j, NULL);
        smug_json_int(j, NULL, c.z_from[t]);
        smug_json_int(j, NULL, c.z_to[t]);
        hex(j, c.z[t]);
        smug_json_array_end(j);
    }
    smug_json_array_end(j);
    char mu[64];
    snprintf(mu, sizeof mu, "%a", c.mu);
    smug_json_string(j, "mu", mu);
    smug_json_object_end(j);
}

/* A cover certificate: [[row, r, q, "y as %a"], ...] (cover.h). */
static void write_cover(smug_json *j, const smug_proof *pr, int i)
{
    smug_cover_cert c;
    smug_proof_cover(pr, i, &c);
    smug_json_array_begin(j, NULL);
    for (int t = 0; t < c.n; t++) {
        smug_json_array_begin(j, NULL);
        smug_json_int(j, NULL, c.cut[t].row);
        smug_json_int(j, NULL, c.cut[t].r);
        smug_json_int(j, NULL, c.cut[t].q);
        hex(j, c.y[t]);
        smug_json_array_end(j);
    }
    smug_json_array_end(j);
}

static void write_node(smug_json *j, const smug_proof_node *nd)
{
    char buf[48];
    if (nd->kind == SMUG_NODE_BRANCH)
        snprintf(buf, sizeof buf, "b%d", nd->var);
    else if (nd->kind == SMUG_NODE_CERT)
        snprintf(buf, sizeof buf, "c%d", nd->cert);
    else if (nd->kind == SMUG_NODE_COVER)
        snprintf(buf, sizeof buf, "v%d", nd->cert);
    else if (nd->confirmer >= 0)
        snprintf(buf, sizeof buf, "s%d+%d", nd->solver, nd->confirmer);
    else
        snprintf(buf, sizeof buf, "s%d", nd->solver);
    smug_json_string(j, NULL, buf);
}

void smug_proof_json(smug_json *j, const char *key, const smug_proof *pr)
{
    smug_json_object_begin(j, key);
    smug_json_number(j, "seconds", pr->seconds);
    smug_json_int(j, "n", pr->n);
    smug_json_array_begin(j, "zero");
    for (int i = 0; pr->zero && i < pr->n; i++)
        if (pr->zero[i])
            smug_json_int(j, NULL, i);
    smug_json_array_end(j);
    smug_json_array_begin(j, "dom");
    for (int d = 0; d < pr->n_dom; d++) {
        smug_json_array_begin(j, NULL);
        smug_json_int(j, NULL, pr->dom_from[d]);
        smug_json_int(j, NULL, pr->dom_to[d]);
        smug_json_array_end(j);
    }
    smug_json_array_end(j);
    smug_json_array_begin(j, "names");
    for (int i = 0; i < pr->n_names; i++)
        smug_json_string(j, NULL, pr->names[i]);
    smug_json_array_end(j);
    smug_json_array_begin(j, "certs");
    for (int i = 0; i < pr->n_certs; i++)
        write_cert(j, pr, i);
    smug_json_array_end(j);
    smug_json_array_begin(j, "covers");
    for (int i = 0; i < pr->n_covers; i++)
        write_cover(j, pr, i);
    smug_json_array_end(j);
    smug_json_array_begin(j, "steps");
    for (int s = 0; s < pr->n_steps; s++) {
        const smug_proof_step *st = &pr->steps[s];
        smug_json_object_begin(j, NULL);
        smug_json_int(j, "bound", st->bound);
        smug_json_int(j, "lemma", st->lemma);
        smug_json_array_begin(j, "nodes");
        for (int i = 0; i < st->n_nodes; i++)
            write_node(j, &pr->nodes[st->first + i]);
        smug_json_array_end(j);
        smug_json_object_end(j);
    }
    smug_json_array_end(j);
    smug_json_object_end(j);
}

/* ---- reading ------------------------------------------------------------------------ */

static int bad(smug_error *err, const char *where, const char *what)
{
    return smug_fail(err, SMUG_ERR_FORMAT, "%s: proof: %s", where, what);
}

/* An integer in [lo, hi] at arr[i]. */
static int int_at(const smug_jval *arr, size_t i, long lo, long hi, long *out)
{
    return smug_jval_int(smug_jval_at(arr, i), out) == 0 && *out >= lo && *out <= hi ? 0 : -1;
}

static int hex_at(const smug_jval *arr, size_t i, double *out)
{
    const char *s = smug_jval_str(smug_jval_at(arr, i));
    char *end;
    if (!s || !*s)
        return -1;
    *out = strtod(s, &end);
    return *end == '\0' && isfinite(*out) ? 0 : -1;
}

static int read_facts(const smug_jval *v, const char *where, smug_proof *out, smug_error *err)
{
    long n;
    const smug_jval *zero = smug_jval_get(v, "zero"), *dom = smug_jval_get(v, "dom");
    if (smug_jval_int(smug_jval_get(v, "n"), &n) < 0 || n < 0 || n > 100000000)
        return bad(err, where, "'n' is not a variable count");
    size_t nz = smug_jval_len(zero), nd = smug_jval_len(dom);
    uint8_t *z = calloc((size_t)n + 1, 1);
    int *from = malloc((nd + 1) * sizeof *from), *to = malloc((nd + 1) * sizeof *to);
    int rc = z && from && to ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < nz; i++) {
        long c;
        if (int_at(zero, i, 0, n - 1, &c) < 0)
            rc = bad(err, where, "'zero' holds something other than variable indices");
        else
            z[c] = 1;
    }
    for (size_t d = 0; rc == 0 && d < nd; d++) {
        long f, t;
        const smug_jval *pair = smug_jval_at(dom, d);
        if (smug_jval_len(pair) != 2 || int_at(pair, 0, 0, n - 1, &f) < 0 ||
            int_at(pair, 1, 0, n - 1, &t) < 0)
            rc = bad(err, where, "'dom' holds something other than [from, to] pairs");
        else
            from[d] = (int)f, to[d] = (int)t;
    }
    if (rc == 0)
        rc = smug_proof_set_facts(out, (int)n, z, from, to, (int)nd, err);
    free(z), free(from), free(to);
    return rc;
}

static int read_cert(const smug_jval *c, int n, const char *where, smug_proof *out, smug_error *err)
{
    const smug_jval *y = smug_jval_get(c, "y"), *z = smug_jval_get(c, "z");
    size_t ny = smug_jval_len(y), nz = smug_jval_len(z);
    int *yr = malloc((ny + 1) * sizeof *yr), *zf = malloc((nz + 1) * sizeof *zf);
    int *zt = malloc((nz + 1) * sizeof *zt);
    double *yv = malloc((ny + 1) * sizeof *yv), *zv = malloc((nz + 1) * sizeof *zv);
    smug_cert cert = {(int)ny, yr, yv, (int)nz, zf, zt, zv, 0.0};
    int rc = yr && zf && zt && yv && zv ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (size_t t = 0; rc == 0 && t < ny; t++) {
        const smug_jval *e = smug_jval_at(y, t);
        long j = 0; /* read only when int_at succeeded; 0 keeps the error path defined */
        if (smug_jval_len(e) != 2 || int_at(e, 0, 0, 100000000, &j) < 0 || hex_at(e, 1, &yv[t]) < 0)
            rc = bad(err, where, "a certificate's 'y' holds something other than [row, number]");
        yr[t] = (int)j;
    }
    for (size_t t = 0; rc == 0 && t < nz; t++) {
        const smug_jval *e = smug_jval_at(z, t);
        long f = 0, to = 0;
        if (smug_jval_len(e) != 3 || int_at(e, 0, 0, n - 1, &f) < 0 ||
            int_at(e, 1, 0, n - 1, &to) < 0 || hex_at(e, 2, &zv[t]) < 0)
            rc = bad(err, where,
                     "a certificate's 'z' holds something other than [from, to, number]");
        zf[t] = (int)f, zt[t] = (int)to;
    }
    const char *mu = smug_jval_str(smug_jval_get(c, "mu"));
    char *end = NULL;
    if (rc == 0 && (!mu || ((cert.mu = strtod(mu, &end)), *end != '\0')))
        rc = bad(err, where, "a certificate's 'mu' is not a number");
    if (rc == 0 && smug_proof_add_cert(out, &cert) < 0)
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    free(yr), free(zf), free(zt), free(yv), free(zv);
    return rc;
}

static int read_cover(const smug_jval *c, int n, const char *where, smug_proof *out,
                      smug_error *err)
{
    size_t nc = smug_jval_len(c);
    smug_cover_cut *cut = malloc((nc + 1) * sizeof *cut);
    double *y = malloc((nc + 1) * sizeof *y);
    int rc = cut && y ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (size_t t = 0; rc == 0 && t < nc; t++) {
        const smug_jval *e = smug_jval_at(c, t);
        long row = 0, r = 0, q = 0;
        if (smug_jval_len(e) != 4 || int_at(e, 0, 0, 100000000, &row) < 0 ||
            int_at(e, 1, 1, n, &r) < 0 || int_at(e, 2, 1, n, &q) < 0 || hex_at(e, 3, &y[t]) < 0)
            rc = bad(err, where,
                     "a cover certificate holds something other than [row, r, q, number]");
        cut[t] = (smug_cover_cut){(int)row, (int)r, (int)q};
    }
    smug_cover_cert cert = {(int)nc, cut, y};
    if (rc == 0 && smug_proof_add_cover(out, &cert) < 0)
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    free(cut), free(y);
    return rc;
}

/* "b12", "c3", "v0", "s0", "s0+1" within the proof's sizes. */
static int parse_node(const char *s, const smug_proof *pr, smug_proof_node *nd)
{
    char *end;
    if (!s || !*s)
        return -1;
    *nd = (smug_proof_node){SMUG_NODE_BRANCH, -1, -1, -1, -1};
    long a = strtol(s + 1, &end, 10);
    if (end == s + 1 || a < 0)
        return -1;
    if (s[0] == 'b' && *end == '\0' && a < pr->n)
        nd->var = (int)a;
    else if (s[0] == 'c' && *end == '\0' && a < pr->n_certs)
        nd->kind = SMUG_NODE_CERT, nd->cert = (int)a;
    else if (s[0] == 'v' && *end == '\0' && a < pr->n_covers)
        nd->kind = SMUG_NODE_COVER, nd->cert = (int)a;
    else if (s[0] == 's' && a < pr->n_names) {
        nd->kind = SMUG_NODE_SOLVER, nd->solver = (int)a;
        if (*end == '+') {
            const char *b = end + 1;
            long c = strtol(b, &end, 10);
            if (end == b || *end != '\0' || c < 0 || c >= pr->n_names)
                return -1;
            nd->confirmer = (int)c;
        } else if (*end != '\0') {
            return -1;
        }
    } else {
        return -1;
    }
    return 0;
}

int smug_proof_from_json(const smug_jval *v, const char *where, smug_proof *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    if (!v || smug_jval_get(v, "steps") == NULL)
        return bad(err, where, "missing, or without 'steps'");
    if (read_facts(v, where, out, err) < 0)
        return -1;
    double seconds;
    if (smug_jval_num(smug_jval_get(v, "seconds"), &seconds) == 0 && seconds >= 0.0)
        out->seconds = seconds; /* information only */
    const smug_jval *names = smug_jval_get(v, "names"), *certs = smug_jval_get(v, "certs");
    for (size_t i = 0; i < smug_jval_len(names); i++) {
        const char *s = smug_jval_str(smug_jval_at(names, i));
        if (!s || !*s || strlen(s) > 64)
            return bad(err, where, "'names' holds something other than solver names");
        if (smug_proof_name(out, s) != (int)i)
            return bad(err, where, "'names' repeats a name");
    }
    for (size_t i = 0; i < smug_jval_len(certs); i++)
        if (read_cert(smug_jval_at(certs, i), out->n, where, out, err) < 0)
            return -1;
    const smug_jval *covers = smug_jval_get(v, "covers"); /* absent in older proofs */
    for (size_t i = 0; i < smug_jval_len(covers); i++)
        if (read_cover(smug_jval_at(covers, i), out->n, where, out, err) < 0)
            return -1;
    const smug_jval *steps = smug_jval_get(v, "steps");
    for (size_t s = 0; s < smug_jval_len(steps); s++) {
        const smug_jval *st = smug_jval_at(steps, s), *nodes = smug_jval_get(st, "nodes");
        long bound, lemma;
        if (smug_jval_int(smug_jval_get(st, "bound"), &bound) < 0 ||
            smug_jval_int(smug_jval_get(st, "lemma"), &lemma) < 0 || bound < -1 ||
            bound > 100000000 || lemma < 0 || lemma > 100000000)
            return bad(err, where, "a step without an integer 'bound' and 'lemma'");
        if (smug_proof_begin_step(out, (int)bound, (int)lemma) < 0)
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < smug_jval_len(nodes); i++) {
            smug_proof_node nd;
            if (parse_node(smug_jval_str(smug_jval_at(nodes, i)), out, &nd) < 0)
                return bad(err, where,
                           "a node that is not b<var>, c<cert>, v<cover>, s<name>[+<name>]");
            if (smug_proof_add_node(out, &nd) < 0)
                return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        }
    }
    return 0;
}
