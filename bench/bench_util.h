/* Timing helpers for the benchmarks: rounds of a fixed duration, reported as a median. */
#ifndef LIBRO_BENCH_UTIL_H
#define LIBRO_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libro/credential.h"
#include "libro/error.h"
#include "libro/key.h"

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

/* Run fn(args + i * arg_size) for i in [0, threads) on a thread each (their pthread_t is
 * not kept: fn's state is its argument) and return the wall seconds from the first start to
 * the last join. Exits when a thread cannot be started. */
double bench_threads(void *(*fn)(void *), void *args, size_t arg_size, unsigned threads);

/* A load's rate and the latency percentiles of its requests. */
typedef struct bench_load {
    double rate; /* requests per second */
    double p50_ms;
    double p99_ms;
} bench_load;

/* The figures of `count` requests done in `seconds`, with latency_ms[0..count) (sorted in
 * place). */
bench_load bench_load_of(double *latency_ms, size_t count, double seconds);

/* The share of `count` requests that thread `t` of `threads` does. */
unsigned bench_share(unsigned count, unsigned threads, unsigned t);

/* The benchmark's name for messages (set by main). */
extern const char *bench_name;

/* Print "<bench_name>: <what>: <message>" and exit 1: a setup step that fails ends the run. */
void bench_die(const char *what, const libro_error *err);
/* A copy of `s` (exits when memory runs out). */
char *bench_strdup(const char *s);
/* A one-element list holding a copy of `s` (for credential list members). */
char **bench_list1(const char *s);

/** A new credential of `type` from `issuer` about `subject` (NULL: none) named `name`, valid
 *  from `from` to `until`; exits on failure. */
libro_credential *bench_cred_new(libro_cred_type type, const char *issuer, const char *subject,
                                 const char *name, int64_t from, int64_t until);
/** The compact JWS of `c` signed by `k` (libro_free); releases `c`; exits on failure. */
char *bench_sign_free(libro_credential *c, const libro_key *k);

/* A number of [min, max] in `s` (NULL: false). */
bool bench_parse_uint(unsigned *out, const char *s, unsigned min, unsigned max);
/* A comma-separated list of at most `max` ascending numbers in [min, vmax]. */
bool bench_parse_list(unsigned *out, size_t *n, size_t max, const char *s, unsigned min,
                      unsigned vmax);

#endif
