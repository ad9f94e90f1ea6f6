/* fullnet_internal.h — the node builder that fullnet.c (network layers → nodes) and
 * fullnet_node.c (the nodes and their interval bounds) share. Not a public header.
 *
 * An activation is an element s·v + c of one node v of the open smug_pl_net (ref −1: the
 * constant c). Nodes are made by begin, add/add_elem for each term, then end_affine or
 * end_relu; max_of makes a MaxPool window's node. Each end_* and max_of computes the node's
 * interval [lo, hi] as it closes it, and folds away what the bounds decide (a constant, a
 * stable ReLU, a candidate that can never be the maximum). An allocation failure sets
 * nomem and makes every later call a no-op returning a constant; the caller checks nomem.
 */
#ifndef SMUG_FULLNET_INTERNAL_H
#define SMUG_FULLNET_INTERNAL_H
#include "smug/problem.h"

typedef struct elem {
    int ref; /* node, or −1: the constant c */
    double s, c;
} elem;

typedef struct builder {
    smug_pl_net *pl;
    int cap_nodes, cap_terms;
    int nomem;
} builder;

elem fn_constant(double c);
/* The interval of e, widened a little (so a bound derived in double stays sound). */
void fn_range_of(const builder *b, elem e, double *lo, double *hi);
/* Room for `nodes` more nodes and `terms` more terms; -1 (and nomem) when out of memory. */
int fn_reserve(builder *b, int nodes, int terms);
void fn_begin(builder *b, smug_pl_kind kind, int layer, double bias);
void fn_add(builder *b, int ref, double coef);
void fn_add_elem(builder *b, elem e, double w);
/* force: make a node even when the open one folds to s·v + c of another. */
elem fn_end_affine(builder *b, int force);
elem fn_end_relu(builder *b);
elem fn_max_of(builder *b, int layer, const elem *cand, int n);

#endif
