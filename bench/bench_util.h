/* Timing helpers for the benchmarks: rounds of a fixed duration, reported as a median. */
#ifndef LIBRO_BENCH_UTIL_H
#define LIBRO_BENCH_UTIL_H

#include <stddef.h>

#include "libro/error.h"

/* One operation; returns 0 on success. `ctx` is the benchmark's state. */
typedef int (*bench_fn)(void *ctx);

/* Run `fn` in `rounds` rounds of about `round_seconds` each; return the median rate in
 * operations per second. Aborts the program if an operation fails: a benchmark that measures
 * a failing path measures nothing. */
double bench_rate(bench_fn fn, void *ctx, unsigned rounds, double round_seconds);

double bench_now(void);

/* The median of v[0..n) (n >= 1); sorts `v` in place. */
double bench_median(double *v, size_t n);

/* The nearest-rank percentile `p` (0 < p <= 100) of v[0..n) (n >= 1): the smallest value with
 * at least p% of the values at or below it. Sorts `v` in place. */
double bench_percentile(double *v, size_t n, double p);

/* The benchmark's name for messages (set by main). */
extern const char *bench_name;

/* Print "<bench_name>: <what>: <message>" and exit 1: a setup step that fails ends the run. */
void bench_die(const char *what, const libro_error *err);
/* A copy of `s` (exits when memory runs out). */
char *bench_strdup(const char *s);
/* A one-element list holding a copy of `s` (for credential list members). */
char **bench_list1(const char *s);

#endif
