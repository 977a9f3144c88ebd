/* The two storage backends side by side, in one run: SQLite (a database file) and PostgreSQL
 * (a libpq URI), each through the same library paths.
 *
 *   bench_backends [--quick] [--only rates,large] [--pg URI] [--no-sqlite] [--threads N]
 *                  [--issue N] [--servers N,...] [--sizes N,...] [--lookups N] [--libro PATH]
 *                  [--dir DIR] [--keep]
 *   (bench_backends --help lists the defaults)
 *
 * Reproduce (from the source tree):
 *   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release &&
 *   cmake --build build-bench -j2 --target bench_backends libro &&
 *   build-bench/bench/bench_backends --pg
 * 'postgresql:///bench?host=/work/pgdev/sock&port=5433&user=postgres'
 *
 * 1. rates: licenses issued (reserve + sign + register, libro_issuer_issue_license) and then
 *    revoked (libro_registry_client_change) per second, by --threads client threads at once:
 *    in-process (each thread a client of its own on the database) on one thread and on all,
 *    then over HTTP through 1, 2 and 4 `libro registry serve` processes on the same database
 *    (thread t talks to server t mod N; every request signed by the board's key, as the CLI
 *    signs them; libro_http_fetch opens a connection per request). Each figure has the p50
 *    and p99 of one operation.
 * 2. large: one registry per backend loaded with libro_issuer_issue_batch (what `libro issue
 *    license --batch` runs: a CSV file, every license reserved, signed and registered through
 *    the real path, 256 a transaction) up to each of --sizes in turn; at each size the load
 *    time of the step, the database's size (SQLite: the file and its WAL; PostgreSQL: every
 *    table's pg_total_relation_size in the registry's schema), license lookups
 *    (libro_registry_get of random numbers: p50, p99), the regeneration of status list 0
 *    (its bits read, the list signed), the trust bundle built by a server started cold (GET
 *    /v1/bundle) and rebuilt after one revocation, and libro_registry_expiring_each over 90
 *    days.
 *
 * Each backend gets its own registry: SQLite in --dir (else $TMPDIR or /tmp), synchronous=FULL
 * as always; PostgreSQL in a fresh schema of the --pg database (options=-csearch_path), dropped
 * at the end unless --keep. The run ends with a table of both backends. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "bench_world.h"
#include "libro/http.h"
#include "libro/issuer.h"
#include "libro/registry.h"
#include "libro/registry_client.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

#define MAX_THREADS 16
#define MAX_SERVERS 8
#define MAX_SERVER_RUNS 4
#define MAX_SIZES 4
#define MAX_BACKENDS 2
#define EXPIRING_DAYS 90
#define EXPIRING_RUNS 3
#define BUNDLE_RUNS 3
#define BUNDLE_MAX_BYTES (64u * 1024u * 1024u)
#define MAX_LICENSES 9999999u /* license numbers have 7 digits */

struct opts {
    bool rates;
    bool large;
    bool sqlite;
    const char *pg; /* the PostgreSQL URI, or NULL */
    unsigned threads;
    unsigned per_thread; /* licenses per thread per run */
    unsigned servers[MAX_SERVER_RUNS];
    size_t n_servers;
    unsigned sizes[MAX_SIZES];
    size_t n_sizes;
    unsigned lookups;
    const char *cli;
    const char *dir;
    bool keep;
};

/* One backend: its name and, for PostgreSQL, a connection of our own for schemas and sizes. */
struct backend {
    const char *name;
    const char *pg_base; /* NULL for SQLite */
    PGconn *admin;
    const char *dir; /* SQLite's files */
};

/* A registry's location on a backend: the path or the URI, and the schema it lives in. */
struct location {
    char where[1024];
    char schema[64];
};

/* ---- locations --------------------------------------------------------------------------- */

static void
pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);

    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "%s: %s: %s", bench_name, sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

static void
backend_open(struct backend *b, const char *name, const char *pg_base, const char *dir)
{
    b->name = name;
    b->pg_base = pg_base;
    b->dir = dir;
    b->admin = NULL;
    if (pg_base == NULL) {
        return;
    }
    b->admin = PQconnectdb(pg_base);
    if (PQstatus(b->admin) != CONNECTION_OK) {
        fprintf(stderr, "%s: %s: %s", bench_name, pg_base, PQerrorMessage(b->admin));
        exit(1);
    }
    pg_exec(b->admin, "SET client_min_messages = warning");
}

static void
backend_close(struct backend *b)
{
    if (b->admin != NULL) {
        PQfinish(b->admin);
    }
}

/* A new location named `name`: dir/name.db, or the URI on a fresh schema bench_<pid>_<name>. */
static void
location_new(struct location *l, const struct backend *b, const char *name)
{
    char file[64];
    char sql[160];
    int n;

    l->schema[0] = '\0';
    if (b->pg_base == NULL) {
        n = snprintf(file, sizeof file, "%s.db", name);
        if (n < 0 || (size_t) n >= sizeof file) {
            bench_die("name", NULL);
        }
        bench_path_join(l->where, sizeof l->where, b->dir, file);
        return;
    }
    n = snprintf(l->schema, sizeof l->schema, "bench_%ld_%s", (long) getpid(), name);
    if (n < 0 || (size_t) n >= sizeof l->schema) {
        bench_die("schema name", NULL);
    }
    n = snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", l->schema);
    if (n < 0 || (size_t) n >= sizeof sql) {
        bench_die("schema name", NULL);
    }
    pg_exec(b->admin, sql);
    n = snprintf(sql, sizeof sql, "CREATE SCHEMA %s", l->schema);
    if (n < 0 || (size_t) n >= sizeof sql) {
        bench_die("schema name", NULL);
    }
    pg_exec(b->admin, sql);
    n = snprintf(l->where, sizeof l->where, "%s%soptions=-csearch_path%%3D%s", b->pg_base,
                 strchr(b->pg_base, '?') != NULL ? "&" : "?", l->schema);
    if (n < 0 || (size_t) n >= sizeof l->where) {
        bench_die("URI too long", NULL);
    }
}

static void
location_drop(const struct location *l, const struct backend *b)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char name[1100];
    int n;

    if (b->pg_base != NULL) {
        n = snprintf(name, sizeof name, "DROP SCHEMA %s CASCADE", l->schema);
        if (n > 0 && (size_t) n < sizeof name) {
            pg_exec(b->admin, name);
        }
        return;
    }
    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        n = snprintf(name, sizeof name, "%s%s", l->where, suffixes[i]);
        if (n > 0 && (size_t) n < sizeof name) {
            (void) unlink(name);
        }
    }
}

/* The bytes the registry takes: SQLite's file and its WAL; PostgreSQL's tables in its schema
 * with their indexes and TOAST (pg_total_relation_size), the server's own WAL not counted. */
static double
location_bytes(const struct location *l, const struct backend *b)
{
    const char *params[1];
    PGresult *r;
    double bytes = 0;

    if (b->pg_base == NULL) {
        static const char *const suffixes[] = {"", "-wal"};
        char name[1100];
        struct stat st;

        for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
            int n = snprintf(name, sizeof name, "%s%s", l->where, suffixes[i]);

            if (n > 0 && (size_t) n < sizeof name && stat(name, &st) == 0) {
                bytes += (double) st.st_size;
            }
        }
        return bytes;
    }
    params[0] = l->schema;
    r = PQexecParams(b->admin,
                     "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::int8 FROM pg_class c "
                     "JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND "
                     "c.relkind IN ('r', 'm')",
                     1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fprintf(stderr, "%s: database size: %s", bench_name, PQerrorMessage(b->admin));
        exit(1);
    }
    bytes = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    return bytes;
}

/* The machine's load average over the last minute (0 where /proc has none): the figures of a
 * shared machine are read beside it. */
static double
load_average(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double v = 0;

    if (f != NULL) {
        if (fscanf(f, "%lf", &v) != 1) {
            v = 0;
        }
        (void) fclose(f);
    }
    return v;
}

/* ---- 1. rates: issue, then revoke, on client threads ------------------------------------- */

/* One client thread: an issuer and its registry client on one target. */
struct client {
    const struct bench_world *w;
    libro_issuer *is;
    libro_registry_client *rc;
    char prefix[8];
    unsigned count;
    double *issue_ms;  /* count slots */
    double *revoke_ms; /* count slots */
};

static void
client_open(struct client *c, const struct bench_world *w, const char *target)
{
    libro_error err = LIBRO_ERROR_INIT;

    c->w = w;
    c->is = NULL;
    c->rc = NULL;
    if (libro_issuer_open(&c->is, w->board, w->board_auth, strlen(w->board_auth), w->charter,
                          strlen(w->charter), &err) != LIBRO_OK ||
        libro_issuer_registry_open(&c->rc, c->is, target, "health board", &err) != LIBRO_OK) {
        bench_die("issuer", &err);
    }
}

static void
client_close(struct client *c)
{
    libro_registry_client_close(c->rc);
    libro_issuer_free(c->is);
}

static void *
issue_thread(void *p)
{
    struct client *c = p;
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_options opt = LIBRO_LICENSE_OPTIONS_INIT;
    const char *const scope[] = {"general care"};
    char number[32];

    opt.holder = "Ada Example";
    opt.number = number;
    opt.profession = "registered nurse";
    opt.license_type = NURSING;
    opt.scope = scope;
    opt.n_scope = 1;
    /* In-process the caller names the status URLs (the registry's, served elsewhere). */
    opt.status_url_base = libro_registry_client_remote(c->rc) ? NULL : "http://127.0.0.1/v1/status";
    for (unsigned i = 0; i < c->count; i++) {
        libro_issued out = LIBRO_ISSUED_INIT;
        double t0 = bench_now();

        bench_license_number(number, sizeof number, c->prefix, i);
        if (libro_issuer_issue_license(&out, c->is, c->rc, &opt, &err) != LIBRO_OK) {
            bench_die("issue", &err);
        }
        c->issue_ms[i] = (bench_now() - t0) * 1000.0;
        libro_issued_clear(&out);
    }
    return NULL;
}

static void *
revoke_thread(void *p)
{
    struct client *c = p;
    libro_error err = LIBRO_ERROR_INIT;
    char number[32];

    for (unsigned i = 0; i < c->count; i++) {
        double t0 = bench_now();

        bench_license_number(number, sizeof number, c->prefix, i);
        if (libro_registry_client_change(c->rc, number, LIBRO_ACTION_REVOKE, "benchmark", &err) !=
            LIBRO_OK) {
            bench_die("revoke", &err);
        }
        c->revoke_ms[i] = (bench_now() - t0) * 1000.0;
    }
    return NULL;
}

struct rate {
    bench_load issue;
    bench_load revoke;
};

/* `threads` clients, thread t on targets[t % n_targets], each issuing `count` licenses
 * (numbers T7-<tag><t>-...) and then revoking them. */
static struct rate
clients_run(const struct bench_world *w, char *const *targets, size_t n_targets, char tag,
            unsigned threads, unsigned count)
{
    struct client c[MAX_THREADS];
    size_t total = (size_t) threads * count;
    double *issue_ms = calloc(total, sizeof *issue_ms);
    double *revoke_ms = calloc(total, sizeof *revoke_ms);
    double seconds;
    struct rate res;

    if (issue_ms == NULL || revoke_ms == NULL) {
        bench_die("out of memory", NULL);
    }
    for (unsigned t = 0; t < threads; t++) {
        int n = snprintf(c[t].prefix, sizeof c[t].prefix, "%c%u", tag, t);

        if (n < 0 || (size_t) n >= sizeof c[t].prefix) {
            bench_die("prefix", NULL);
        }
        client_open(&c[t], w, targets[t % n_targets]);
        c[t].count = count;
        c[t].issue_ms = issue_ms + (size_t) t * count;
        c[t].revoke_ms = revoke_ms + (size_t) t * count;
    }
    seconds = bench_threads(issue_thread, c, sizeof c[0], threads);
    res.issue = bench_load_of(issue_ms, total, seconds);
    seconds = bench_threads(revoke_thread, c, sizeof c[0], threads);
    res.revoke = bench_load_of(revoke_ms, total, seconds);
    for (unsigned t = 0; t < threads; t++) {
        client_close(&c[t]);
    }
    free(issue_ms);
    free(revoke_ms);
    return res;
}

/* A listening socket on 127.0.0.1 at a free port; its URL (http://127.0.0.1:<port>) into
 * url[0..size). */
static int
listen_loopback(char *url, size_t size)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int n;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (const struct sockaddr *) &a, sizeof a) != 0 || listen(fd, 256) != 0 ||
        getsockname(fd, (struct sockaddr *) &a, &len) != 0) {
        bench_die("listening socket", NULL);
    }
    n = snprintf(url, size, "http://127.0.0.1:%u", (unsigned) ntohs(a.sin_port));
    if (n < 0 || (size_t) n >= size) {
        bench_die("url", NULL);
    }
    return fd;
}

/* A `libro registry serve` process on a socket we bound (so its port is known before it
 * starts, and connections wait in the backlog until it accepts). */
struct serve {
    pid_t pid;
    char url[64];
};

static void
serve_start(struct serve *s, const char *cli, const char *db, const char *key_file,
            const char *log_file)
{
    int fd = listen_loopback(s->url, sizeof s->url);

    s->pid = fork();
    if (s->pid < 0) {
        bench_die("fork", NULL);
    }
    if (s->pid == 0) {
        const char *const args[] = {cli,
                                    "registry",
                                    "serve",
                                    "--db",
                                    db,
                                    "--listen",
                                    "127.0.0.1:0",
                                    "--listen-fd",
                                    "3",
                                    "--key",
                                    key_file,
                                    "--write-rate",
                                    "1000000",
                                    "--write-burst",
                                    "1000000",
                                    "--max-per-ip",
                                    "1024",
                                    "--max-connections",
                                    "1024"};
        char *argv[LIBRO_NELEM(args) + 1];

        for (size_t i = 0; i < LIBRO_NELEM(args); i++) {
            argv[i] = bench_strdup(args[i]); /* the child execs or exits */
        }
        argv[LIBRO_NELEM(args)] = NULL;
        int log = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        if (log < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(log, 2) < 0 ||
            (fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(fd, 3)) < 0) {
            _exit(127);
        }
        execv(cli, argv);
        _exit(127);
    }
    (void) close(fd);
}

/* Wait until the server answers GET /v1/health (its first request waits in the backlog). */
static void
serve_ready(const struct serve *s, const char *log_file)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    char url[96];

    (void) snprintf(url, sizeof url, "%s/v1/health", s->url);
    req.url = url;
    req.max_response_bytes = 65536;
    if (libro_http_fetch(&resp, &req, &err) != LIBRO_OK || resp.status != 200) {
        fprintf(stderr, "%s: libro registry serve did not start (its log: %s)\n", bench_name,
                log_file);
        exit(1);
    }
    libro_http_response_clear(&resp);
}

static void
serve_stop(struct serve *s)
{
    int st = 0;

    (void) kill(s->pid, SIGTERM);
    if (waitpid(s->pid, &st, 0) != s->pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "%s: libro registry serve (pid %ld) ended badly\n", bench_name,
                (long) s->pid);
        exit(1);
    }
}

static void
rate_print(const char *what, const struct rate *r)
{
    printf("   %-34s issue %7.0f /s (p50 %7.2f p99 %7.2f ms)  revoke %7.0f /s (p50 %7.2f "
           "p99 %7.2f ms)\n",
           what, r->issue.rate, r->issue.p50_ms, r->issue.p99_ms, r->revoke.rate, r->revoke.p50_ms,
           r->revoke.p99_ms);
    fflush(stdout);
}

struct rates {
    struct rate local1;                /* in-process, 1 thread */
    struct rate local;                 /* in-process, all threads */
    struct rate http[MAX_SERVER_RUNS]; /* over HTTP, by o->servers */
    double seconds;                    /* of the whole section */
};

static struct rates
section_rates(const struct opts *o, const struct bench_world *w, const struct backend *b,
              const char *work, const char *key_file)
{
    struct rates res;
    struct location l;
    char *target[MAX_SERVERS];
    char log_file[300];
    double t0 = bench_now();

    memset(&res, 0, sizeof res);
    location_new(&l, b, "rates");
    libro_registry_close(bench_registry_new(l.where, w));
    target[0] = l.where;
    res.local1 = clients_run(w, target, 1, 'a', 1, o->per_thread);
    res.local = clients_run(w, target, 1, 'b', o->threads, o->per_thread);
    printf("1. %s: issue (reserve + sign + register) then revoke, %u licenses a thread\n", b->name,
           o->per_thread);
    rate_print("in-process, 1 thread", &res.local1);
    rate_print("in-process, threads", &res.local);
    for (size_t k = 0; k < o->n_servers; k++) {
        struct serve s[MAX_SERVERS];
        char what[64];

        bench_path_join(log_file, sizeof log_file, work, "serve.log");
        for (unsigned i = 0; i < o->servers[k]; i++) {
            serve_start(&s[i], o->cli, l.where, key_file, log_file);
        }
        for (unsigned i = 0; i < o->servers[k]; i++) {
            serve_ready(&s[i], log_file);
            target[i] = s[i].url;
        }
        res.http[k] =
            clients_run(w, target, o->servers[k], (char) ('c' + k), o->threads, o->per_thread);
        for (unsigned i = 0; i < o->servers[k]; i++) {
            serve_stop(&s[i]);
        }
        (void) snprintf(what, sizeof what, "HTTP, %u server process%s", o->servers[k],
                        o->servers[k] == 1 ? "" : "es");
        rate_print(what, &res.http[k]);
        fflush(stdout);
    }
    if (!o->keep) {
        location_drop(&l, b);
    }
    res.seconds = bench_now() - t0;
    printf("   (%u client threads; section %.0f s; load average %.1f)\n\n", o->threads, res.seconds,
           load_average());
    return res;
}

/* ---- 2. a large registry ----------------------------------------------------------------- */

struct large {
    unsigned size;
    double load_s;     /* of this step (from the size before) */
    double load_rate;  /* licenses per second in this step */
    double bytes;      /* the database */
    bench_load lookup; /* libro_registry_get: rate on one thread, p50, p99 */
    double regen_ms;   /* status list 0: bits read and signed */
    double bundle_cold_ms;
    double bundle_change_ms; /* after one revocation, median of BUNDLE_RUNS */
    size_t bundle_bytes;
    double expiring_ms;
    size_t expiring_rows;
    size_t lists; /* status list pairs in use */
};

static libro_code
batch_line(void *ctx, const libro_batch_line *line, libro_error *err)
{
    (void) ctx;
    if (line->code != LIBRO_OK) {
        return libro_error_set(err, line->code, "batch line %zu: %s", line->line,
                               line->message != NULL ? line->message : "failed");
    }
    return LIBRO_OK;
}

/* Licenses T7-L-<from>..<to - 1> through libro_issuer_issue_batch: seconds taken. */
static double
load(libro_issuer *is, libro_registry_client *rc, const char *work, const char *status_base,
     unsigned from, unsigned to)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_batch_options opt = LIBRO_BATCH_OPTIONS_INIT;
    libro_batch_report rep = {0};
    char csv[300];
    char number[32];
    FILE *f;
    double t0;

    bench_path_join(csv, sizeof csv, work, "load.csv");
    f = fopen(csv, "w");
    if (f == NULL || fputs("holder,number,profession,type,scope,days\n", f) < 0) {
        bench_die("batch file", NULL);
    }
    for (unsigned i = from; i < to; i++) {
        bench_license_number(number, sizeof number, "L", i);
        /* valid for 1 to 365 days: the expiring query finds about a quarter */
        if (fprintf(f, "Ada Example %u,%s,registered nurse," NURSING ",general care,%u\n", i,
                    number, 1u + (i * 7919u) % 365u) < 0) {
            bench_die("batch file", NULL);
        }
    }
    if (fclose(f) != 0) {
        bench_die("batch file", NULL);
    }
    opt.status_url_base = status_base;
    t0 = bench_now();
    if (libro_issuer_issue_batch(&rep, is, rc, csv, &opt, batch_line, NULL, &err) != LIBRO_OK) {
        bench_die("load", &err);
    }
    t0 = bench_now() - t0;
    (void) unlink(csv);
    if (rep.issued != to - from) {
        bench_die("load: not every line was issued", NULL);
    }
    return t0;
}

static bench_load
lookups(libro_registry *h, unsigned size, unsigned count)
{
    libro_error err = LIBRO_ERROR_INIT;
    double *ms = calloc(count, sizeof *ms);
    char number[32];
    double t0 = bench_now();
    bench_load res;

    if (ms == NULL) {
        bench_die("out of memory", NULL);
    }
    for (unsigned i = 0; i < count; i++) {
        libro_license_record rec;
        double t1;

        memset(&rec, 0, sizeof rec);
        bench_license_number(number, sizeof number, "L", randombytes_uniform(size));
        t1 = bench_now();
        if (libro_registry_get(h, &rec, NULL, NULL, number, &err) != LIBRO_OK) {
            bench_die("lookup", &err);
        }
        ms[i] = (bench_now() - t1) * 1000.0;
        libro_license_record_clear(&rec);
    }
    res = bench_load_of(ms, count, bench_now() - t0);
    free(ms);
    return res;
}

static libro_code
count_row(void *ctx, const libro_license_record *rec, libro_error *err)
{
    (void) rec;
    (void) err;
    (*(size_t *) ctx)++;
    return LIBRO_OK;
}

/* GET /v1/bundle: milliseconds; its length to *bytes. */
static double
bundle_get(const char *base_url, size_t *bytes)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    char url[96];
    double t0;

    (void) snprintf(url, sizeof url, "%s/v1/bundle", base_url);
    req.url = url;
    req.max_response_bytes = BUNDLE_MAX_BYTES;
    req.total_timeout_ms = 600000;
    t0 = bench_now();
    if (libro_http_fetch(&resp, &req, &err) != LIBRO_OK) {
        bench_die("bundle", &err);
    }
    t0 = bench_now() - t0;
    if (resp.status != 200) {
        fprintf(stderr, "%s: GET /v1/bundle: status %ld\n", bench_name, resp.status);
        exit(1);
    }
    *bytes = resp.body.len;
    libro_http_response_clear(&resp);
    return t0 * 1000.0;
}

/* The bundle figures: a server started on the registry (cold), then BUNDLE_RUNS rebuilds each
 * after one revocation (libro_registry_change on `h`, license T7-L-<*next>...). */
static void
bundle_figures(struct large *f, libro_registry *h, const struct bench_world *w, const char *db,
               int listen_fd, unsigned *next)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_server *srv = NULL;
    double ms[BUNDLE_RUNS];
    char number[32];
    int64_t last;

    opt.db_path = db;
    opt.registry_key = w->registry;
    opt.listen_fd = listen_fd;
    if (libro_server_start(&srv, &opt, &err) != LIBRO_OK) {
        bench_die("server", &err);
    }
    f->bundle_cold_ms = bundle_get(libro_server_base_url(srv), &f->bundle_bytes);
    for (unsigned i = 0; i < BUNDLE_RUNS; i++) {
        size_t len = 0;

        bench_license_number(number, sizeof number, "L", (*next)++);
        if (libro_registry_change(h, NULL, number, LIBRO_ACTION_REVOKE, "registrar", "benchmark",
                                  libro_time_now(), &err) != LIBRO_OK) {
            bench_die("revoke", &err);
        }
        ms[i] = bundle_get(libro_server_base_url(srv), &len);
        /* The next bundle is dated after this one: wait (untimed) for the next second. */
        last = libro_time_now();
        while (libro_time_now() <= last) {
            struct timespec pause = {0, 10000000L};

            (void) nanosleep(&pause, NULL);
        }
    }
    f->bundle_change_ms = bench_median(ms, BUNDLE_RUNS);
    libro_server_stop(srv);
}

static size_t
section_large(struct large *out, const struct opts *o, const struct bench_world *w,
              const struct backend *b, const char *work)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct location l;
    libro_registry *h;
    struct client c;
    char base_url[64];
    char status_base[96];
    unsigned loaded = 0;
    unsigned next = 0;
    int fd;

    /* The port the registry is served at from the start: the licenses' status URLs name it. */
    fd = listen_loopback(base_url, sizeof base_url);
    (void) snprintf(status_base, sizeof status_base, "%s/v1/status", base_url);
    location_new(&l, b, "large");
    h = bench_registry_new(l.where, w);
    client_open(&c, w, l.where);
    printf("2. %s: a registry loaded with libro_issuer_issue_batch (a CSV file, 256 licenses a "
           "transaction)\n",
           b->name);
    fflush(stdout);
    for (size_t s = 0; s < o->n_sizes; s++) {
        struct large *f = &out[s];
        struct bench_status st;
        double ex[EXPIRING_RUNS];

        memset(f, 0, sizeof *f);
        f->size = o->sizes[s];
        f->load_s = load(c.is, c.rc, work, status_base, loaded, f->size);
        f->load_rate = (f->size - loaded) / f->load_s;
        loaded = f->size;
        f->lists = (f->size + LIBRO_STATUS_LIST_MIN_ENTRIES / 8u * 7u - 1u) /
                   (LIBRO_STATUS_LIST_MIN_ENTRIES / 8u * 7u);
        f->bytes = location_bytes(&l, b);
        f->lookup = lookups(h, f->size, o->lookups);
        st = bench_status_regen(h, w, base_url, 0);
        f->regen_ms = st.total_ms;
        bundle_figures(f, h, w, l.where, fd, &next);
        for (unsigned i = 0; i < EXPIRING_RUNS; i++) {
            double t0 = bench_now();

            f->expiring_rows = 0;
            if (libro_registry_expiring_each(h, libro_time_now(), EXPIRING_DAYS * DAY, false,
                                             count_row, &f->expiring_rows, &err) != LIBRO_OK) {
                bench_die("expiring", &err);
            }
            ex[i] = (bench_now() - t0) * 1000.0;
        }
        f->expiring_ms = bench_median(ex, EXPIRING_RUNS);
        printf("   %u licenses: loaded %u in %.1f s (%.0f /s); %.1f MB (%.0f B a license); load "
               "average %.1f\n",
               f->size, f->size - (s == 0 ? 0u : out[s - 1].size), f->load_s, f->load_rate,
               f->bytes / 1e6, f->bytes / f->size, load_average());
        printf("     lookup (libro_registry_get, %u random)     p50 %8.3f ms  p99 %8.3f ms\n",
               o->lookups, f->lookup.p50_ms, f->lookup.p99_ms);
        printf("     status list 0 regenerated (bits + sign)   %8.2f ms (median of %u)\n",
               f->regen_ms, STATUS_RUNS);
        printf("     bundle: cold server %8.1f ms, after a revocation %8.1f ms (median of %u); "
               "%zu bytes\n",
               f->bundle_cold_ms, f->bundle_change_ms, BUNDLE_RUNS, f->bundle_bytes);
        printf("     expiring within %u days                  %8.1f ms, %zu licenses (median "
               "of %u)\n",
               EXPIRING_DAYS, f->expiring_ms, f->expiring_rows, EXPIRING_RUNS);
        fflush(stdout);
    }
    client_close(&c);
    libro_registry_close(h);
    (void) close(fd);
    if (!o->keep) {
        location_drop(&l, b);
    } else {
        printf("   kept: %s\n", l.where);
    }
    printf("\n");
    return o->n_sizes;
}

/* ---- options and the table --------------------------------------------------------------- */

static void
opts_default(struct opts *o, bool quick)
{
    memset(o, 0, sizeof *o);
    o->rates = true;
    o->large = true;
    o->sqlite = true;
    o->threads = 4;
    o->per_thread = quick ? 25 : 100;
    o->servers[0] = 1;
    o->servers[1] = 2;
    o->servers[2] = 4;
    o->n_servers = 3;
    o->sizes[0] = quick ? 10000 : 100000;
    o->sizes[1] = 1000000;
    o->n_sizes = quick ? 1 : 2;
    o->lookups = quick ? 500 : 2000;
#ifdef LIBRO_BENCH_CLI
    o->cli = LIBRO_BENCH_CLI;
#endif
}

static void
usage(FILE *f)
{
    struct opts d;
    struct opts q;

    opts_default(&d, false);
    opts_default(&q, true);
    fprintf(f,
            "usage: bench_backends [--quick] [--only rates,large] [--pg URI] [--no-sqlite]\n"
            "                      [--threads N] [--issue N] [--servers N,...] [--sizes N,...]\n"
            "                      [--lookups N] [--libro PATH] [--dir DIR] [--keep]\n"
            "  --pg         a PostgreSQL URI (no password: PGPASSFILE, a service file or\n"
            "               PGPASSWORD); its registries go in fresh schemas, dropped at the end\n"
            "  --no-sqlite  measure PostgreSQL only\n"
            "  --threads    client threads (%u, 1-%u)\n"
            "  --issue      licenses a thread issues, then revokes, per run (%u; quick %u)\n"
            "  --servers    libro registry serve processes per HTTP run (1,2,4; at most %u)\n"
            "  --sizes      the large registry's sizes, ascending (100000,1000000; quick 10000)\n"
            "  --lookups    random lookups per size (%u; quick %u)\n"
            "  --libro      the libro CLI the servers run (%s)\n"
            "  --dir        SQLite's databases and the scratch files ($TMPDIR or /tmp)\n"
            "  --keep       keep the registries (their location is printed)\n",
            d.threads, MAX_THREADS, d.per_thread, q.per_thread, MAX_SERVERS, d.lookups, q.lookups,
            d.cli != NULL ? d.cli : "none built");
}

/* 0: parsed; 1: --help; 2: a usage error. */
static int
opts_parse(struct opts *o, int argc, char **argv)
{
    bool quick = false;

    for (int i = 1; i < argc; i++) {
        quick = quick || strcmp(argv[i], "--quick") == 0;
    }
    opts_default(o, quick);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;

        if (strcmp(a, "--help") == 0) {
            return 1;
        }
        if (strcmp(a, "--quick") == 0 || strcmp(a, "--no-sqlite") == 0 ||
            strcmp(a, "--keep") == 0) {
            o->sqlite = o->sqlite && strcmp(a, "--no-sqlite") != 0;
            o->keep = o->keep || strcmp(a, "--keep") == 0;
            continue;
        }
        if (strcmp(a, "--only") == 0) {
            ok = v != NULL && (strcmp(v, "rates") == 0 || strcmp(v, "large") == 0 ||
                               strcmp(v, "rates,large") == 0 || strcmp(v, "large,rates") == 0);
            o->rates = ok && strstr(v, "rates") != NULL;
            o->large = ok && strstr(v, "large") != NULL;
        } else if (strcmp(a, "--pg") == 0) {
            ok = v != NULL &&
                 (strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0);
            o->pg = v;
        } else if (strcmp(a, "--threads") == 0) {
            ok = bench_parse_uint(&o->threads, v, 1, MAX_THREADS);
        } else if (strcmp(a, "--issue") == 0) {
            ok = bench_parse_uint(&o->per_thread, v, 1, 100000);
        } else if (strcmp(a, "--servers") == 0) {
            ok = bench_parse_list(o->servers, &o->n_servers, MAX_SERVER_RUNS, v, 1, MAX_SERVERS);
        } else if (strcmp(a, "--sizes") == 0) {
            ok = bench_parse_list(o->sizes, &o->n_sizes, MAX_SIZES, v, 1000, MAX_LICENSES);
        } else if (strcmp(a, "--lookups") == 0) {
            ok = bench_parse_uint(&o->lookups, v, 1, 10000000);
        } else if (strcmp(a, "--libro") == 0) {
            ok = v != NULL;
            o->cli = v;
        } else if (strcmp(a, "--dir") == 0) {
            ok = v != NULL && v[0] == '/';
            o->dir = v;
        } else {
            fprintf(stderr, "bench_backends: unknown option %.64s\n", a);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "bench_backends: %s: a missing or bad value\n", a);
            return 2;
        }
        i++;
    }
    if (!o->sqlite && o->pg == NULL) {
        fprintf(stderr, "bench_backends: --no-sqlite without --pg: no backend to measure\n");
        return 2;
    }
    for (size_t i = 1; i < o->n_sizes; i++) {
        if (o->sizes[i] - o->sizes[i - 1] > 1000000u) {
            fprintf(stderr, "bench_backends: --sizes: at most 1000000 licenses a step (a batch "
                            "file's bound)\n");
            return 2;
        }
    }
    if (o->sizes[0] > 1000000u) {
        fprintf(stderr, "bench_backends: --sizes: at most 1000000 licenses a step\n");
        return 2;
    }
    return 0;
}

/* One row of the table: a name, then a cell per backend. */
static void
cell_row(size_t nb, const char *name, char (*cells)[64])
{
    printf("| %-44s |", name);
    for (size_t b = 0; b < nb; b++) {
        printf(" %-30s |", cells[b]);
    }
    printf("\n");
}

static void
rate_cell(char *out, size_t size, const bench_load *l)
{
    (void) snprintf(out, size, "%.0f /s (p99 %.1f ms)", l->rate, l->p99_ms);
}

static void
table(const struct opts *o, size_t nb, const struct backend *bk, const struct rates *r,
      struct large l[MAX_BACKENDS][MAX_SIZES])
{
    char cells[MAX_BACKENDS][64];
    char name[64];

    printf("| %-44s |", "figure");
    for (size_t b = 0; b < nb; b++) {
        printf(" %-30s |", bk[b].name);
    }
    printf("\n|%s|", "----------------------------------------------");
    for (size_t b = 0; b < nb; b++) {
        printf("%s|", "--------------------------------");
    }
    printf("\n");
    if (o->rates) {
        for (unsigned op = 0; op < 2; op++) {
            const char *verb = op == 0 ? "issue" : "revoke";

            for (size_t b = 0; b < nb; b++) {
                rate_cell(cells[b], sizeof cells[b],
                          op == 0 ? &r[b].local1.issue : &r[b].local1.revoke);
            }
            (void) snprintf(name, sizeof name, "%s, in-process, 1 thread", verb);
            cell_row(nb, name, cells);
            for (size_t b = 0; b < nb; b++) {
                rate_cell(cells[b], sizeof cells[b],
                          op == 0 ? &r[b].local.issue : &r[b].local.revoke);
            }
            (void) snprintf(name, sizeof name, "%s, in-process, %u threads", verb, o->threads);
            cell_row(nb, name, cells);
            for (size_t k = 0; k < o->n_servers; k++) {
                for (size_t b = 0; b < nb; b++) {
                    rate_cell(cells[b], sizeof cells[b],
                              op == 0 ? &r[b].http[k].issue : &r[b].http[k].revoke);
                }
                (void) snprintf(name, sizeof name, "%s, HTTP, %u serve, %u clients", verb,
                                o->servers[k], o->threads);
                cell_row(nb, name, cells);
            }
        }
    }
    for (size_t s = 0; s < o->n_sizes && o->large; s++) {
        unsigned k = o->sizes[s] / 1000;

        for (size_t b = 0; b < nb; b++) {
            (void) snprintf(cells[b], sizeof cells[b], "%.0f s (%.0f /s)", l[b][s].load_s,
                            l[b][s].load_rate);
        }
        (void) snprintf(name, sizeof name, "%uk: load (batch, this step)", k);
        cell_row(nb, name, cells);
        for (size_t b = 0; b < nb; b++) {
            (void) snprintf(cells[b], sizeof cells[b], "%.0f MB (%.0f B each)", l[b][s].bytes / 1e6,
                            l[b][s].bytes / l[b][s].size);
        }
        (void) snprintf(name, sizeof name, "%uk: database size", k);
        cell_row(nb, name, cells);
        for (size_t b = 0; b < nb; b++) {
            (void) snprintf(cells[b], sizeof cells[b], "%.3f / %.3f ms", l[b][s].lookup.p50_ms,
                            l[b][s].lookup.p99_ms);
        }
        (void) snprintf(name, sizeof name, "%uk: lookup p50 / p99", k);
        cell_row(nb, name, cells);
        for (size_t b = 0; b < nb; b++) {
            (void) snprintf(cells[b], sizeof cells[b], "%.1f ms", l[b][s].regen_ms);
        }
        (void) snprintf(name, sizeof name, "%uk: status list regenerated", k);
        cell_row(nb, name, cells);
        for (size_t b = 0; b < nb; b++) {
            (void) snprintf(cells[b], sizeof cells[b], "%.0f / %.0f ms (%zu lists)",
                            l[b][s].bundle_cold_ms, l[b][s].bundle_change_ms, l[b][s].lists);
        }
        (void) snprintf(name, sizeof name, "%uk: bundle, cold / after a change", k);
        cell_row(nb, name, cells);
        for (size_t b = 0; b < nb; b++) {
            (void) snprintf(cells[b], sizeof cells[b], "%.0f ms (%zu rows)", l[b][s].expiring_ms,
                            l[b][s].expiring_rows);
        }
        (void) snprintf(name, sizeof name, "%uk: expiring within %u days", k, EXPIRING_DAYS);
        cell_row(nb, name, cells);
    }
    for (size_t s = 1; s < o->n_sizes && o->large; s++) {
        static const char *const what[] = {"load time a license",     "database size", "lookup p99",
                                           "status list regenerated", "bundle, cold",  "expiring"};

        for (size_t k = 0; k < LIBRO_NELEM(what); k++) {
            for (size_t b = 0; b < nb; b++) {
                const struct large *x = &l[b][0];
                const struct large *y = &l[b][s];
                const double ratio[] = {
                    x->load_rate / y->load_rate,           y->bytes / x->bytes,
                    y->lookup.p99_ms / x->lookup.p99_ms,   y->regen_ms / x->regen_ms,
                    y->bundle_cold_ms / x->bundle_cold_ms, y->expiring_ms / x->expiring_ms};

                (void) snprintf(cells[b], sizeof cells[b], "x %.2f", ratio[k]);
            }
            (void) snprintf(name, sizeof name, "%uk / %uk: %s", o->sizes[s] / 1000,
                            o->sizes[0] / 1000, what[k]);
            cell_row(nb, name, cells);
        }
    }
}

int
main(int argc, char **argv)
{
    struct opts o;
    struct bench_world w;
    struct backend bk[MAX_BACKENDS];
    static struct rates rates[MAX_BACKENDS];
    static struct large large[MAX_BACKENDS][MAX_SIZES];
    const char *tmp = getenv("TMPDIR");
    char work[256];
    char key_file[300];
    size_t nb = 0;
    int n;

    bench_name = "bench_backends";
    n = opts_parse(&o, argc, argv);
    if (n != 0) {
        usage(n == 1 ? stdout : stderr);
        return n == 1 ? 0 : 2;
    }
    if (o.rates && (o.cli == NULL || access(o.cli, X_OK) != 0)) {
        fprintf(stderr, "bench_backends: the rates need the libro CLI (--libro PATH)\n");
        return 2;
    }
    if (tmp == NULL || tmp[0] != '/') {
        tmp = "/tmp";
    }
    n = snprintf(work, sizeof work, "%s/libro-backends-XXXXXX", o.dir != NULL ? o.dir : tmp);
    if (n < 0 || (size_t) n >= sizeof work || mkdtemp(work) == NULL) {
        bench_die("work directory", NULL);
    }
    if (sodium_init() < 0) {
        bench_die("sodium_init", NULL);
    }
    bench_world_init(&w);
    bench_path_join(key_file, sizeof key_file, work, "registry.pem");
    {
        libro_error err = LIBRO_ERROR_INIT;

        if (libro_key_save_pem(w.registry, key_file, NULL, 0, &err) != LIBRO_OK) {
            bench_die("key file", &err);
        }
    }
    if (o.sqlite) {
        backend_open(&bk[nb++], "SQLite", NULL, work);
    }
    if (o.pg != NULL) {
        backend_open(&bk[nb++], "PostgreSQL", o.pg, work);
    }
    printf("libro backends benchmark:");
    for (int i = 0; i < argc; i++) {
        printf(" %s", argv[i]);
    }
    printf("\nload average %.1f; Ed25519; scratch files%s in %s%s%s\n\n", load_average(),
           o.sqlite ? " and SQLite (WAL, synchronous=FULL)" : "", work,
           o.pg != NULL ? "; PostgreSQL at " : "", o.pg != NULL ? o.pg : "");
    fflush(stdout);
    for (size_t b = 0; b < nb && o.rates; b++) {
        rates[b] = section_rates(&o, &w, &bk[b], work, key_file);
    }
    for (size_t b = 0; b < nb && o.large; b++) {
        (void) section_large(large[b], &o, &w, &bk[b], work);
    }
    table(&o, nb, bk, rates, large);
    for (size_t b = 0; b < nb; b++) {
        backend_close(&bk[b]);
    }
    (void) unlink(key_file);
    {
        char log_file[300];

        bench_path_join(log_file, sizeof log_file, work, "serve.log");
        (void) unlink(log_file);
    }
    (void) rmdir(work);
    bench_world_clear(&w);
    return 0;
}
