#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "libro/issuer.h"
#include "libro/util.h"

double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a;
    double y = *(const double *) b;

    return (x > y) - (x < y);
}

double
bench_rate(bench_fn fn, void *ctx, unsigned rounds, double round_seconds)
{
    double rates[31];
    unsigned r;

    if (rounds == 0 || rounds > 31) {
        rounds = 7;
    }
    for (r = 0; r < rounds; r++) {
        double start = bench_now();
        double elapsed;
        unsigned long n = 0;

        do {
            unsigned i;

            for (i = 0; i < 64; i++) {
                if (fn(ctx) != 0) {
                    fprintf(stderr, "bench: operation failed\n");
                    exit(1);
                }
            }
            n += 64;
            elapsed = bench_now() - start;
        } while (elapsed < round_seconds);
        rates[r] = (double) n / elapsed;
    }
    qsort(rates, rounds, sizeof rates[0], cmp_double);
    return rates[rounds / 2];
}

double
bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double
bench_percentile(double *v, size_t n, double p)
{
    double x = p / 100.0 * (double) n;
    size_t rank = (size_t) x;

    qsort(v, n, sizeof v[0], cmp_double);
    if ((double) rank < x) {
        rank++; /* the ceiling, without libm */
    }
    if (rank < 1) {
        rank = 1;
    }
    if (rank > n) {
        rank = n;
    }
    return v[rank - 1];
}

double
bench_threads(void *(*fn)(void *), void *args, size_t arg_size, unsigned threads)
{
    pthread_t *th = calloc(threads, sizeof *th);
    double t0;

    if (th == NULL) {
        bench_die("out of memory", NULL);
    }
    t0 = bench_now();
    for (unsigned t = 0; t < threads; t++) {
        if (pthread_create(&th[t], NULL, fn, (char *) args + t * arg_size) != 0) {
            bench_die("thread", NULL);
        }
    }
    for (unsigned t = 0; t < threads; t++) {
        (void) pthread_join(th[t], NULL);
    }
    t0 = bench_now() - t0;
    free(th);
    return t0;
}

bench_load
bench_load_of(double *latency_ms, size_t count, double seconds)
{
    bench_load l;

    l.rate = (double) count / seconds;
    l.p99_ms = bench_percentile(latency_ms, count, 99.0);
    l.p50_ms = bench_percentile(latency_ms, count, 50.0);
    return l;
}

unsigned
bench_share(unsigned count, unsigned threads, unsigned t)
{
    return count / threads + (t < count % threads ? 1u : 0u);
}

const char *bench_name = "bench";

void
bench_die(const char *what, const libro_error *err)
{
    fprintf(stderr, "%s: %s: %s\n", bench_name, what, err != NULL ? err->msg : "failed");
    exit(1);
}

char *
bench_strdup(const char *s)
{
    char *d = libro_strndup(s, strlen(s));

    if (d == NULL) {
        bench_die("out of memory", NULL);
    }
    return d;
}

char **
bench_list1(const char *s)
{
    char **l = libro_calloc(1, sizeof *l);

    if (l == NULL) {
        bench_die("out of memory", NULL);
    }
    l[0] = bench_strdup(s);
    return l;
}

libro_credential *
bench_cred_new(libro_cred_type type, const char *issuer, const char *subject, const char *name,
               int64_t from, int64_t until)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    if (libro_credential_new(&c, type, &err) != LIBRO_OK) {
        bench_die("credential", &err);
    }
    c->issuer = bench_strdup(issuer);
    c->subject_id = subject == NULL ? NULL : bench_strdup(subject);
    c->name = bench_strdup(name);
    c->valid_from = from;
    c->valid_until = until;
    return c;
}

char *
bench_sign_free(libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    if (libro_issuer_sign(&out, c, k, &err) != LIBRO_OK) {
        bench_die("sign", &err);
    }
    libro_credential_free(c);
    return (char *) libro_buf_detach(&out, NULL);
}

bool
bench_parse_uint(unsigned *out, const char *s, unsigned min, unsigned max)
{
    uint64_t v = 0;

    if (s == NULL || libro_parse_u64(&v, s, strlen(s), max, NULL) != LIBRO_OK || v < min) {
        return false;
    }
    *out = (unsigned) v;
    return true;
}

bool
bench_parse_list(unsigned *out, size_t *n, size_t max, const char *s, unsigned min, unsigned vmax)
{
    char part[16];

    *n = 0;
    while (s != NULL && *s != '\0') {
        const char *comma = strchr(s, ',');
        size_t len = comma != NULL ? (size_t) (comma - s) : strlen(s);

        if (len == 0 || len >= sizeof part || *n == max) {
            return false;
        }
        memcpy(part, s, len);
        part[len] = '\0';
        if (!bench_parse_uint(&out[*n], part, min, vmax) || (*n > 0 && out[*n] <= out[*n - 1])) {
            return false;
        }
        (*n)++;
        s = comma != NULL ? comma + 1 : NULL;
    }
    return *n > 0;
}
