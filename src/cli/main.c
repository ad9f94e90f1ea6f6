/* main.c — the smug command: subcommand table, the one place errors are printed.
 *
 * Exit status: 0 ok, 1 failure, 2 usage error. Library code never prints or exits; it
 * returns a smug_error, and this file prints it once as "smug: error: …".
 */
#include "smug/forward.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "smug/interrupt.h"

static const cli_command *const commands[] = {
    &cli_cmd_run,       &cli_cmd_emit,    &cli_cmd_solve,   &cli_cmd_score, &cli_cmd_eval,
    &cli_cmd_attribute, &cli_cmd_inspect, &cli_cmd_solvers, &cli_cmd_family};
#define N_COMMANDS (sizeof commands / sizeof *commands)

/* OpenMP threads that wait at the end of a parallel region spin before they sleep
 * (libgomp's default). smug's glue loops are many short regions, so where there are more
 * runnable threads than cores a spinning waiter burns the slice its partner needs:
 * googlenet's 16-step first-layer IG on 2 threads at load 5 took 12-29 s wall by default
 * and 4-6 s with OMP_WAIT_POLICY=passive. libgomp reads the policy in its constructor,
 * before main(), and a setenv() from the executable's .preinit_array did not reach its spin
 * count (GCC 12), so the only sure way is to start again with the variable set: once, when
 * OpenMP will run more than one thread and the user chose no policy or spin count. */
static void rerun_with_passive_waits(int threads, char **argv_full)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if ((threads > 0 ? threads : cores) < 2 || getenv("OMP_WAIT_POLICY") ||
        getenv("GOMP_SPINCOUNT"))
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 0) == 0)
        execv("/proc/self/exe", argv_full); /* on failure, go on spinning */
}

static void usage(FILE *f)
{
    fprintf(f, "usage: smug <command> [options]   (smug <command> --help for details)\n\n"
               "Explains a neural network's prediction by the smallest input region that still\n"
               "drives it (the SMUG method, ICLR 2021).\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\n  --version  print the version\n");
}

static int exit_code(const smug_error *err)
{
    return err->code == SMUG_ERR_USAGE ? 2 : 1;
}

int main(int argc, char **argv)
{
    char **argv_full = argv;
    if (argc < 2) {
        /* no command: the bundled default job, as README promises */
        static char *run_argv[] = {"run", NULL};
        argv = run_argv;
        argc = 1;
    } else {
        argv++;
        argc--;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
        strcmp(argv[0], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[0], "--version") == 0) {
        printf("smug %s\n", SMUG_VERSION);
        return 0;
    }
    const cli_command *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[0], commands[i]->name) == 0)
            cmd = commands[i];
    if (!cmd) {
        fprintf(stderr, "smug: error: unknown command '%s' (see smug --help)\n", argv[0]);
        return 2;
    }
    /* Process-wide on purpose: IG allocates the same large batch buffers over and over;
     * keeping them in the heap instead of fresh mmap()s avoids a page fault per 4 KiB on
     * every call (measured: a third of IG time went to the kernel). */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    smug_error err = SMUG_ERROR_INIT;
    cli_args args;
    int help = 0;
    if (cli_parse(cmd, argc - 1, argv + 1, &args, &help, &err) < 0) {
        fprintf(stderr, "smug: error: %s\n", err.msg);
        return 2;
    }
    if (help) {
        cli_print_help(cmd);
        return 0;
    }
    rerun_with_passive_waits(cmd->takes_params ? args.params.threads : 0, argv_full);
    /* Ctrl-C, SIGTERM, SIGHUP: stop as at a deadline, leaving no solver behind
     * (interrupt.h; the flag it sets is smug's one mutable global) */
    if (smug_interrupt_catch(&err) < 0) {
        fprintf(stderr, "smug: error: %s\n", err.msg);
        return 1;
    }
    /* process-wide by nature (OpenBLAS's and OpenMP's own pools); set once, before any
     * BLAS call or convolution */
    smug_set_threads(cmd->takes_params ? args.params.threads : 0);
    if (cmd->run(&args, &err) < 0) {
        fprintf(stderr, "smug: error: %s\n", err.msg);
        return exit_code(&err);
    }
    return 0;
}
