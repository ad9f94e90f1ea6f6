/* milp.c — writes the mask problem as an LP-format 0/1 program (milp.h).
 *
 * Numbers use %.17g: LP format, unlike SMT-LIB, accepts exponents. Long sums are broken
 * over lines because some readers limit line length.
 */
#include "smug/milp.h"

#include <math.h>

void smug_milp_write(smug_strbuf *out, const smug_mask_problem *p)
{
    smug_strbuf_adds(out, "\\ smug mask problem: minimise the kept cells\nMinimize\n obj:");
    for (int i = 0; i < p->n; i++)
        smug_strbuf_addf(out, "%s x%d%s", i ? " +" : "", i, i % 16 == 15 ? "\n" : "");
    if (p->n == 0)
        smug_strbuf_adds(out, " 0 x0");
    smug_strbuf_adds(out, "\nSubject To\n");
    for (int j = 0; j < p->k; j++) {
        smug_strbuf_addf(out, " r%d:", j);
        int terms = 0;
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++) {
            int i = p->row_var[e];
            double a = p->row_coef[e];
            smug_strbuf_addf(out, " %c %.17g x%d%s", a < 0 ? '-' : '+', fabs(a), i,
                             ++terms % 8 == 0 ? "\n" : "");
        }
        if (!terms)
            smug_strbuf_adds(out, " 0 x0");
        smug_strbuf_addf(out, " >= %.17g\n", p->t[j] + 1e-9 * (1.0 + fabs(p->t[j])));
    }
    smug_strbuf_adds(out, "Binary\n");
    for (int i = 0; i < p->n; i++)
        smug_strbuf_addf(out, " x%d%s", i, i % 16 == 15 ? "\n" : "");
    smug_strbuf_adds(out, "\nEnd\n");
}
