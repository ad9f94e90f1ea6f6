/* proof_json.h — a proof (proof.h) in a bundle's result file and back (design §7;
 * run/proof_json.c).
 *
 *   "proof": {"seconds": 2.4, "n": 155, "zero": [3, 17], "dom": [[4, 9], …], "names": ["z3",
 * "cvc5"], "certs": [{"y": [[0, "0x1.5p+1"], …], "z": [[4, 9, "0x1p-3"], …], "mu": "0x1p+0"}, …],
 *             "steps": [{"bound": 91, "lemma": 0, "nodes": ["c0"]},
 *                       {"bound": 92, "lemma": 92, "nodes": ["b17", "c1", "s0+1"]}]}
 * Nodes in preorder: "b<v>" branch on variable v (its m = 1 subtree first), "c<i>" leaf
 * closed by certificate i, "s<a>" leaf closed by names[a], "s<a>+<b>" … confirmed by
 * names[b]. Multipliers are C99 hexadecimal floats in strings, so a double goes through
 * JSON unchanged: the exact check sees the very numbers smug solve checked. Nothing read
 * here is trusted: smug_proof_check decides what it proves.
 */
#ifndef SMUG_PROOF_JSON_H
#define SMUG_PROOF_JSON_H

#include "smug/json.h"
#include "smug/proof.h"

/* Writes pr as key's value. */
void smug_proof_json(smug_json *j, const char *key, const smug_proof *pr);

/* Reads v (the object above) into *out (the caller's: smug_proof_clear, also after a
 * failure). Errors (FORMAT) name `where` and the field. */
int smug_proof_from_json(const smug_jval *v, const char *where, smug_proof *out, smug_error *err);

#endif
