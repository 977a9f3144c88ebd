/* Whole processes, alternated: each round starts every command once (in a rotating order, so
 * none always runs first), times it from spawn to exit (wall clock) and reads its CPU time
 * (user + system, from wait4), then prints each command's medians and the median of its
 * per-round ratio to the first command. Output goes to /dev/null; a command that exits non-zero
 * ends the run, since a failing verify measures nothing.
 *
 *   bench_process [--runs N] -- NAME PROGRAM [ARG...] [-- NAME PROGRAM [ARG...]]...
 *
 * bench/bench_process.sh builds a registry-issued license with its two status lists and runs
 * this on `libro --version`, `libro verify --text` and libro-verify's same pair. */
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "libro/util.h"

#define MAX_COMMANDS 16
#define MAX_RUNS 100000

extern char **environ;

struct command {
    const char *name;
    char **argv;
    double *wall_ms;
    double *cpu_ms;
    double *wall_ratio; /* to the first command's run of the same round */
    double *cpu_ratio;
};

static double
seconds(const struct timeval *tv)
{
    return (double) tv->tv_sec + (double) tv->tv_usec / 1e6;
}

/* One run of `c`: its wall and CPU milliseconds. */
static void
run_once(const struct command *c, double *wall_ms, double *cpu_ms)
{
    posix_spawn_file_actions_t fa;
    struct rusage ru;
    pid_t pid;
    int status;
    double t0;
    double t1;

    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0) {
        fprintf(stderr, "%s: spawn setup failed\n", bench_name);
        exit(1);
    }
    t0 = bench_now();
    if (posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ) != 0) {
        fprintf(stderr, "%s: cannot start %s\n", bench_name, c->argv[0]);
        exit(1);
    }
    if (wait4(pid, &status, 0, &ru) != pid) {
        fprintf(stderr, "%s: wait for %s failed\n", bench_name, c->name);
        exit(1);
    }
    t1 = bench_now();
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: %s did not exit 0 (status %d): run it by hand to see why\n",
                bench_name, c->name, status);
        exit(1);
    }
    *wall_ms = (t1 - t0) * 1e3;
    *cpu_ms = (seconds(&ru.ru_utime) + seconds(&ru.ru_stime)) * 1e3;
}

static void
usage(void)
{
    fprintf(stderr, "usage: bench_process [--runs N] -- NAME PROGRAM [ARG...] "
                    "[-- NAME PROGRAM [ARG...]]...\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    struct command cmds[MAX_COMMANDS];
    size_t n = 0;
    size_t runs = 200;
    size_t r;
    size_t k;
    int i = 1;

    bench_name = "bench_process";
    if (i + 1 < argc && strcmp(argv[i], "--runs") == 0) {
        uint64_t v;

        if (libro_parse_u64(&v, argv[i + 1], strlen(argv[i + 1]), MAX_RUNS, NULL) != LIBRO_OK ||
            v < 1) {
            usage();
        }
        runs = (size_t) v;
        i += 2;
    }
    /* Each "--" starts a command: NAME PROGRAM ARGS..., its argv ending at the next "--"
     * (which is replaced by the NULL execv wants). */
    while (i < argc) {
        if (strcmp(argv[i], "--") != 0 || i + 2 >= argc || n == MAX_COMMANDS) {
            usage();
        }
        argv[i] = NULL; /* ends the previous command's argv */
        cmds[n].name = argv[i + 1];
        cmds[n].argv = &argv[i + 2];
        i += 2;
        while (i < argc && strcmp(argv[i], "--") != 0) {
            i++;
        }
        n++;
    }
    if (n == 0) {
        usage();
    }
    for (k = 0; k < n; k++) {
        cmds[k].wall_ms = calloc(runs, sizeof(double));
        cmds[k].cpu_ms = calloc(runs, sizeof(double));
        cmds[k].wall_ratio = calloc(runs, sizeof(double));
        cmds[k].cpu_ratio = calloc(runs, sizeof(double));
        if (cmds[k].wall_ms == NULL || cmds[k].cpu_ms == NULL || cmds[k].wall_ratio == NULL ||
            cmds[k].cpu_ratio == NULL) {
            fprintf(stderr, "%s: out of memory\n", bench_name);
            return 1;
        }
    }
    /* One unmeasured round: page cache and dynamic loader cache warm for every command. */
    for (k = 0; k < n; k++) {
        double w;
        double c;

        run_once(&cmds[k], &w, &c);
    }
    for (r = 0; r < runs; r++) {
        for (k = 0; k < n; k++) {
            size_t j = (r + k) % n;

            run_once(&cmds[j], &cmds[j].wall_ms[r], &cmds[j].cpu_ms[r]);
        }
    }
    printf("%zu runs of each command, alternated; medians (ratio: the median of the per-run "
           "ratios to %s)\n",
           runs, cmds[0].name);
    printf("%-36s %10s %10s %12s %12s\n", "command", "wall ms", "cpu ms", "wall ratio",
           "cpu ratio");
    /* Every ratio before any median: bench_median sorts in place, which unpairs the runs. */
    for (k = 0; k < n; k++) {
        for (r = 0; r < runs; r++) {
            cmds[k].wall_ratio[r] = cmds[k].wall_ms[r] / cmds[0].wall_ms[r];
            cmds[k].cpu_ratio[r] =
                cmds[0].cpu_ms[r] > 0 ? cmds[k].cpu_ms[r] / cmds[0].cpu_ms[r] : 0;
        }
    }
    for (k = 0; k < n; k++) {
        printf("%-36s %10.2f %10.2f %12.2f %12.2f\n", cmds[k].name,
               bench_median(cmds[k].wall_ms, runs), bench_median(cmds[k].cpu_ms, runs),
               bench_median(cmds[k].wall_ratio, runs), bench_median(cmds[k].cpu_ratio, runs));
        free(cmds[k].wall_ms);
        free(cmds[k].cpu_ms);
        free(cmds[k].wall_ratio);
        free(cmds[k].cpu_ratio);
    }
    return 0;
}
