/* harness.c — instances.csv, BenchExec task files, solvers.sh and run.slurm (harness.h).
 *
 * These files are for machines without smug: a researcher's cluster, BenchExec, GNU
 * parallel. So they carry everything as text: the expected status of each file and the
 * solver command lines, copied from the solvers/ YAML files when the folder is written. Nothing in
 * them is absolute or time-dependent, so a folder written twice is the same to the byte and
 * still works after it is moved. This file does not decide statuses; its callers do.
 */
#include "smug/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"
#include "smug/strbuf.h"

const char *smug_harness_status_name(const char *answer)
{
    static const char *const names[] = {"sat", "unsat", "unknown"};
    for (size_t i = 0; answer && i < 3; i++)
        if (strcmp(answer, names[i]) == 0)
            return names[i];
    return NULL;
}

static int write_text(const char *root, const char *rel, smug_strbuf *sb, smug_error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path)
        return smug_fail(err, SMUG_ERR_USAGE, "%s/%s: path too long", root, rel);
    int rc = smug_strbuf_check(sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb->buf ? sb->buf : "", sb->len, err);
    smug_strbuf_clear(sb);
    return rc;
}

/* A limit as BenchExec and instances.csv print it: "60", "0.5". */
static void seconds_text(double s, char *buf, size_t n)
{
    snprintf(buf, n, "%.3f", s);
    char *end = buf + strlen(buf) - 1;
    while (*end == '0')
        *end-- = '\0';
    if (*end == '.')
        *end = '\0';
}

/* <stem>.yml beside task t: its file, BenchExec's sat property and the verdict. */
static int write_task_yml(const char *root, const smug_harness_task *t, smug_error *err)
{
    const char *base = strrchr(t->file, '/') ? strrchr(t->file, '/') + 1 : t->file;
    int depth = 0; /* folders between the root and the file: the property is ../ that often */
    for (const char *c = t->file; *c; c++)
        depth += *c == '/';
    size_t stem = strlen(t->file) - strlen(".smt2");
    char rel[4096];
    if (stem >= sizeof rel - 5 || strcmp(t->file + stem, ".smt2") != 0)
        return smug_fail(err, SMUG_ERR_INTERNAL, "%s: a task file must end in .smt2", t->file);
    snprintf(rel, sizeof rel, "%.*s.yml", (int)stem, t->file);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb, "format_version: '2.0'\ninput_files: '%s'\nproperties:\n", base);
    smug_strbuf_adds(&sb, "  - property_file: ");
    for (int d = 0; d < depth; d++)
        smug_strbuf_adds(&sb, "../");
    smug_strbuf_adds(&sb, "benchexec/sat.prp\n");
    if (strcmp(t->status, "sat") == 0 || strcmp(t->status, "unsat") == 0)
        smug_strbuf_addf(&sb, "    expected_verdict: %s\n",
                         strcmp(t->status, "sat") == 0 ? "true" : "false");
    return write_text(root, rel, &sb, err);
}

static int write_benchexec(const char *root, const smug_harness_task *tasks, int n,
                           const char *limit, int mem_mb, smug_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/benchexec", root);
    if (smug_fs_mkdirs(path, err) < 0)
        return -1;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_adds(&sb, "SATISFIABLE\n");
    if (write_text(root, "benchexec/sat.prp", &sb, err) < 0)
        return -1;
    /* one <include> per folder that holds tasks, in first-seen order */
    smug_strbuf dirs = SMUG_STRBUF_INIT;
    smug_strbuf_adds(&sb, "<?xml version=\"1.0\"?>\n"
                          "<!DOCTYPE benchmark PUBLIC \"+//IDN sosy-lab.org//DTD BenchExec "
                          "benchmark 2.3//EN\" \"https://www.sosy-lab.org/benchexec/"
                          "benchmark-2.3.dtd\">\n"
                          "<!-- Every task beside its .smt2 file; expected_verdict true = sat,\n"
                          "     false = unsat (property sat.prp). tool=\"z3\" is BenchExec's "
                          "module for\n     z3; mathsat5, yices or smtinterpol read the same "
                          "files. Run from this folder:\n     benchexec smug.xml -->\n");
    smug_strbuf_addf(&sb,
                     "<benchmark tool=\"z3\" timelimit=\"%s s\" memlimit=\"%d MB\" "
                     "cpuCores=\"1\">\n  <rundefinition name=\"default\"/>\n"
                     "  <tasks name=\"smug\">\n",
                     limit, mem_mb);
    for (int i = 0; i < n; i++) {
        const char *slash = strrchr(tasks[i].file, '/');
        char dir[2048];
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - tasks[i].file) : 0, tasks[i].file);
        char line[2100];
        snprintf(line, sizeof line, "\n%s/\n", dir);
        if (dirs.buf && strstr(dirs.buf, line))
            continue;
        smug_strbuf_adds(&dirs, line);
        smug_strbuf_addf(&sb, "    <include>../%s%s*.yml</include>\n", dir, dir[0] ? "/" : "");
    }
    smug_strbuf_clear(&dirs);
    smug_strbuf_adds(&sb, "    <propertyfile>sat.prp</propertyfile>\n  </tasks>\n</benchmark>\n");
    return write_text(root, "benchexec/smug.xml", &sb, err);
}

static int write_run_slurm(const char *root, int n, smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb,
                     "#!/bin/bash\n"
                     "# run.slurm — every line of instances.csv with one solver, as a Slurm job\n"
                     "# array; the nodes need the solver, not smug. From this folder:\n"
                     "#   sbatch run.slurm                 (SOLVER=cvc5 sbatch run.slurm, …)\n"
                     "# Each task runs solvers.sh on its line (results/<stem>.<solver>.out and a\n"
                     "# line in results/runs.csv); compare with the status column afterwards.\n"
                     "#SBATCH --job-name=smug-bench\n"
                     "#SBATCH --array=1-%d\n"
                     "#SBATCH --cpus-per-task=1\n"
                     "#SBATCH --output=results/slurm-%%A_%%a.log\n"
                     "set -euo pipefail\n"
                     "IFS=, read -r file status timeout < <(sed -n \"${SLURM_ARRAY_TASK_ID}p\" "
                     "instances.csv)\n"
                     "exec bash solvers.sh \"${SOLVER:-z3}\" \"$file\" \"$timeout\"\n",
                     n);
    return write_text(root, "run.slurm", &sb, err);
}

int smug_harness_write_tasks(const char *root, const smug_harness_task *tasks, int n,
                             double timeout, int mem_mb, smug_error *err)
{
    char limit[64];
    seconds_text(timeout, limit, sizeof limit);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    for (int i = 0; i < n; i++)
        smug_strbuf_addf(&sb, "%s,%s,%s\n", tasks[i].file, tasks[i].status, limit);
    if (write_text(root, "instances.csv", &sb, err) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (write_task_yml(root, &tasks[i], err) < 0)
            return -1;
    if (write_benchexec(root, tasks, n, limit, mem_mb, err) < 0)
        return -1;
    return n > 0 ? write_run_slurm(root, n, err) : 0;
}

/* ---- solvers.sh ----------------------------------------------------------------------- */

/* One argv template element as a shell word: literal text single-quoted, the placeholders
 * {file} {ms} {s} {mb} as the script's variables. */
static void shell_word(smug_strbuf *sb, const char *t)
{
    static const char *const ph[] = {"{file}", "$file", "{ms}", "$ms", "{s}", "$s", "{mb}", "$mb"};
    int quoted = 0;
    while (*t) {
        size_t i = 0;
        while (i < 8 && strncmp(t, ph[i], strlen(ph[i])) != 0)
            i += 2;
        if (i < 8) {
            if (quoted)
                smug_strbuf_adds(sb, "'"), quoted = 0;
            smug_strbuf_addf(sb, "\"%s\"", ph[i + 1]);
            t += strlen(ph[i]);
            continue;
        }
        if (!quoted)
            smug_strbuf_adds(sb, "'"), quoted = 1;
        if (*t == '\'')
            smug_strbuf_adds(sb, "'\\''");
        else
            smug_strbuf_add(sb, t, 1);
        t++;
    }
    if (quoted)
        smug_strbuf_adds(sb, "'");
}

static void shell_words(smug_strbuf *sb, char *const *v)
{
    for (size_t i = 0; v && v[i]; i++) {
        smug_strbuf_adds(sb, " ");
        shell_word(sb, v[i]);
    }
}

static const char solvers_head[] =
    "#!/bin/bash\n"
    "# solvers.sh SOLVER FILE [TIMEOUT] — runs one benchmark file of this folder with one\n"
    "# solver, without smug; the command lines were copied from smug's solvers/*.yaml.\n"
    "#   bash solvers.sh z3 problems/x.b3.smt2 60\n"
    "#   parallel --colsep , bash solvers.sh cvc5 {1} {3} :::: instances.csv\n"
    "# TIMEOUT is CPU seconds (ulimit -t, as BenchExec's timelimit), so a loaded machine\n"
    "# does not turn answers into timeouts; the solver's own (wall-clock) limit and a kill\n"
    "# after that are five times longer, only against a hung run.\n"
    "# Writes results/<stem>.<solver>.out (stdout, read by smug score) and .err, and appends\n"
    "# file,solver,version,answer,seconds,cpu_seconds to results/runs.csv (wall-clock and\n"
    "# CPU time of the solver process); answer is sat, unsat, unknown (the solver gave up),\n"
    "# timeout (a limit stopped it) or error.\n"
    "# MEM_MB sets the memory limit where the solver has a flag for one.\n"
    "set -u\n"
    "cd \"$(dirname \"$0\")\"\n"
    "solver=${1:?usage: solvers.sh SOLVER FILE [TIMEOUT]} file=${2:?usage: solvers.sh SOLVER "
    "FILE [TIMEOUT]} t=${3:-60}\n"
    "cpu_limit=$(awk -v t=\"$t\" 'BEGIN { printf \"%d\", (t == int(t)) ? t : int(t) + 1 }')\n"
    "s=$((5 * cpu_limit + 10)) ms=$(((5 * cpu_limit + 10) * 1000)) # the wall-clock limits\n";

static const char solvers_tail[] =
    "  *) echo \"solvers.sh: unknown solver '$solver' (known:$known)\" >&2; exit 2 ;;\n"
    "esac\n"
    "[ -f \"$file\" ] || { echo \"solvers.sh: no file $file\" >&2; exit 2; }\n"
    "mkdir -p results\n"
    "stem=$(basename \"$file\" .smt2)\n"
    "out=results/$stem.$solver.out\n"
    "version=$(\"${vcmd[@]}\" 2>&1 | grep -i -m 1 version | tr -d ',\\r')\n"
    "times >\"$out.t0\" # this shell's children so far: the CPU time before the run\n"
    "start=$(date +%s%N)\n"
    "{ (ulimit -t \"$cpu_limit\" && exec timeout -k 5 $((s + 10)) \"${cmd[@]}\") >\"$out.tmp\" "
    "2>\"results/$stem.$solver.err\"; } 2>/dev/null # no \"Killed\" from bash\n"
    "rc=$?\n"
    "end=$(date +%s%N)\n"
    "times >\"$out.t1\"\n"
    "mv -f \"$out.tmp\" \"$out\"\n"
    "first=$(grep -m 1 -v '^success$' \"$out\" | tr -d '\\r')\n"
    "if grep -q '^(error' \"$out\"; then answer=error\n"
    "elif [ \"$rc\" -eq 124 ] || [ \"$rc\" -eq 137 ] || [ \"$rc\" -eq 152 ]; then "
    "answer=timeout # the wall-clock kill, or the CPU limit (SIGKILL / SIGXCPU)\n"
    "elif [ \"$first\" = sat ] || [ \"$first\" = unsat ] || [ \"$first\" = unknown ]; then "
    "answer=$first\n"
    "else answer=error\n"
    "fi\n"
    "seconds=$(awk -v a=\"$start\" -v b=\"$end\" 'BEGIN { printf \"%.3f\", (b - a) / 1e9 }')\n"
    "cpu=$(awk 'function s(x) { split(x, p, \"m\"); return p[1] * 60 + p[2] }\n"
    "  FNR == 2 { v[FILENAME] = s($1) + s($2) } END { printf \"%.3f\", v[ARGV[2]] - v[ARGV[1]] }' "
    "\"$out.t0\" \"$out.t1\")\n"
    "rm -f \"$out.t0\" \"$out.t1\"\n"
    "printf '%s,%s,%s,%s,%s,%s\\n' \"$file\" \"$solver\" \"$version\" \"$answer\" \"$seconds\" "
    "\"$cpu\" >>results/runs.csv\n"
    "echo \"$file $solver: $answer in $seconds s ($cpu s CPU)\"\n";

int smug_harness_write_solvers(const char *root, const smug_solvers *reg, int mem_mb,
                               smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT, cases = SMUG_STRBUF_INIT;
    smug_strbuf_adds(&sb, solvers_head);
    smug_strbuf_addf(&sb, "mb=${MEM_MB:-%d}\nknown='", mem_mb);
    for (int i = 0; reg && i < reg->n; i++) {
        const smug_solver *v = &reg->solvers[i];
        if (v->format != SMUG_SOLVER_SMTLIB2 || !v->file_args)
            continue;
        smug_strbuf_addf(&sb, " %s", v->name);
        smug_strbuf_addf(&cases, "  %s)\n    cmd=(", v->name);
        shell_word(&cases, v->executable);
        shell_words(&cases, v->args);
        shell_words(&cases, v->file_args);
        shell_words(&cases, v->time_limit);
        shell_words(&cases, v->memory_limit);
        shell_words(&cases, v->trailing_args);
        smug_strbuf_adds(&cases, ")\n    vcmd=(");
        shell_word(&cases, v->executable);
        shell_words(&cases, v->version_args);
        smug_strbuf_adds(&cases, ") ;;\n");
    }
    smug_strbuf_adds(&sb, "'\ncase $solver in\n");
    if (cases.buf)
        smug_strbuf_add(&sb, cases.buf, cases.len);
    smug_strbuf_clear(&cases);
    smug_strbuf_adds(&sb, solvers_tail);
    return write_text(root, "solvers.sh", &sb, err);
}
