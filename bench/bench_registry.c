/* The registry under load: licenses issued and registered per second (in-process, on one
 * thread and on several sharing one database, and over HTTP), revocations over HTTP at 1, 4
 * and 16 connections with their latency, bytes stored per license, status-list and bundle GETs
 * (200 and 304) on large registries at two shares of revoked licenses, the time to regenerate
 * a status list, a verifier's trust bundle sync, `libro license expiring` (time and peak RSS of
 * the CLI) and `libro issue license --batch`, against the raw Ed25519 speed of libsodium and
 * OpenSSL measured in the same run.
 *
 *   bench_registry [--quick] [--only SECTIONS] [--issue N] [--threads N] [--revocations N]
 *                  [--sizes N,N,...] [--percents P,P,...] [--gets N] [--get-conns N]
 *                  [--between N] [--batch N] [--libro PATH] [--large-dir DIR]
 *   (bench_registry --help lists the defaults; --quick is a run of under 2 minutes)
 *
 * Reproduce (from the source tree):
 *   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release &&
 *   cmake --build build-bench -j2 --target bench_registry libro &&
 *   build-bench/bench/bench_registry --quick
 * Each section prints the command that gives its figures alone.
 *
 * Issuing and revoking run against a registry in $TMPDIR (else /tmp): SQLite in WAL mode with
 * synchronous=FULL, so every write waits for its fsync, as in production. The servers are
 * in-process libro_servers on 127.0.0.1 with their default 4 worker threads and the write
 * rate limit raised out of the way; libro_http_fetch opens a connection per request, as the
 * issuer commands do. The GETs come from a small keep-alive HTTP/1.1 client of our own (one
 * connection per client thread), so that the figure is the server's and not libcurl's
 * connection setup.
 *
 * A large registry (in /dev/shm when it exists and the registry is small, else --large-dir or
 * $TMPDIR) is set up fast, which is not a figure: one license is reserved, signed and
 * registered through the real path, then its rows are copied (every table named license*,
 * whatever its columns) for the other numbers at fresh random indexes in one SQLite
 * transaction, 114,688 licenses to a status list pair, valid until 1 to 365 days from now;
 * licenses i with i % 100 < P are revoked for P% of the bits (status bits and states set
 * in one transaction, the server restarted on the same port). Every figure is then taken
 * through the real paths: the server's GETs, libro_trust_sync, libro_registry_reserve_status,
 * libro_registry_change and the libro CLI. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "bench_world.h"
#include "libro/api.h"
#include "libro/http.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/limits.h"
#include "libro/registry.h"
#include "libro/registry_client.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "writer.h" /* registry/src: the write queue, an internal interface */

#define ISSUE_RUNS 5
#define WARM_SYNCS 5
#define CONSISTENCY_SYNCS 3
#define NOT_MODIFIED_SYNCS 7
#define MAX_THREADS 16
#define RESERVE_RUNS 21
#define EXPIRING_RUNS 3
#define EXPIRING_DAYS 90
/* Pairs close once 7/8 of their indexes are reserved: the large registry fills each so. */
#define PER_LIST (LIBRO_STATUS_LIST_MIN_ENTRIES / 8u * 7u)
#define MAX_LICENSES 9999999u /* license numbers have 7 digits */
#define MAX_SIZES 4
#define MAX_PERCENTS 4
/* A registry larger than this many licenses goes on disk rather than in /dev/shm. */
#define SHM_MAX_LICENSES 200000u
#define TEMPLATE_NUMBER "T7-B-0000000"

/* The revocation runs: connections at once. */
static const unsigned revoke_conns[] = {1, 4, 16};

/* One registry database, optionally served. */
struct reg {
    char path[300];
    char base_url[64]; /* http://127.0.0.1:<port>: the licenses' status URLs and the aud */
    uint16_t port;
    libro_server *server;
    int listen_fd; /* while paused: the listening socket, kept for the next server */
};

/* Serve r->path on an ephemeral loopback port; r->port and r->base_url (http://127.0.0.1:<port>,
 * the licenses' status URLs and the requests' audience) name it. */
static void
reg_serve(struct reg *r, const struct bench_world *w)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    int n;

    opt.db_path = r->path;
    opt.registry_key = w->registry;
    opt.write_rate = 1000000u; /* the limiter is not what is measured */
    opt.write_burst = 1000000u;
    opt.max_connections_per_ip = 64; /* 16 revokers, each a connection per request */
    opt.listen_fd = r->listen_fd;
    if (libro_server_start(&r->server, &opt, &err) != LIBRO_OK) {
        bench_die("server", &err);
    }
    if (r->listen_fd >= 0) {
        (void) close(r->listen_fd); /* the server serves a duplicate */
        r->listen_fd = -1;
    }
    r->port = libro_server_port(r->server);
    n = snprintf(r->base_url, sizeof r->base_url, "%s", libro_server_base_url(r->server));
    if (n < 0 || (size_t) n >= sizeof r->base_url) {
        bench_die("url", NULL);
    }
}

/* Stop the server, keeping its socket, so that the database can be changed underneath and
 * reg_serve restarts it on the same port (the licenses' status URLs name it). */
static void
reg_pause(struct reg *r)
{
    libro_error err = LIBRO_ERROR_INIT;

    if (libro_server_stop_keep_socket(r->server, &r->listen_fd, &err) != LIBRO_OK) {
        bench_die("server stop", &err);
    }
    r->server = NULL;
}

/* Create the registry at r->path for the world, with the nursing type and the board allowed
 * to write over the API, and serve it (idle until asked: its URL must be known before any
 * license names it); returns an open handle. */
static libro_registry *
reg_create(struct reg *r, const struct bench_world *w, const char *dir, const char *name)
{
    libro_registry *h;

    bench_path_join(r->path, sizeof r->path, dir, name);
    r->listen_fd = -1;
    h = bench_registry_new(r->path, w);
    reg_serve(r, w);
    return h;
}

static void
reg_remove(struct reg *r)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char name[320];

    libro_server_stop(r->server);
    r->server = NULL;
    if (r->listen_fd >= 0) {
        (void) close(r->listen_fd);
        r->listen_fd = -1;
    }
    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        int n = snprintf(name, sizeof name, "%s%s", r->path, suffixes[i]);

        if (n > 0 && (size_t) n < sizeof name) {
            (void) unlink(name);
        }
    }
}

/* Remove `path` and everything under it (the trust stores: two levels of plain files). */
static void
remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char sub[512];
    struct stat st;

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            bench_path_join(sub, sizeof sub, path, e->d_name);
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
                remove_tree(sub);
            } else {
                (void) unlink(sub);
            }
        }
        (void) closedir(d);
    }
    (void) rmdir(path);
}

/* The board's signed license `number` with its status entries at (list, index) under
 * `base_url` (or the URLs a remote registry named), into `out` (cleared first). */
static void
license_sign(libro_buf *out, const struct bench_world *w, const char *base_url, const char *number,
             uint32_t list, uint32_t index, const char *revocation, const char *suspension)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = bench_cred_new(LIBRO_CRED_LICENSE, BOARD, NULL, "Ada Example",
                                         w->now - 30 * DAY, w->now + 1800 * DAY);
    char url[128];
    int n;

    c->valid_from = w->now - DAY;
    c->valid_until = w->now + 300 * DAY;
    c->license_number = bench_strdup(number);
    c->profession = bench_strdup("registered nurse");
    c->license_type = bench_strdup(NURSING);
    c->scope = bench_list1("general care");
    c->n_scope = 1;
    c->community_id = bench_strdup(COMMUNITY);
    c->community_level = 2;
    c->has_status = true;
    c->status_index = index;
    if (revocation != NULL && suspension != NULL) {
        c->status_revocation_list = bench_strdup(revocation);
        c->status_suspension_list = bench_strdup(suspension);
    } else {
        n = snprintf(url, sizeof url, "%s/v1/status/%u/revocation", base_url, (unsigned) list);
        if (n < 0 || (size_t) n >= sizeof url) {
            bench_die("url", NULL);
        }
        c->status_revocation_list = bench_strdup(url);
        n = snprintf(url, sizeof url, "%s/v1/status/%u/suspension", base_url, (unsigned) list);
        if (n < 0 || (size_t) n >= sizeof url) {
            bench_die("url", NULL);
        }
        c->status_suspension_list = bench_strdup(url);
    }
    libro_buf_clear(out);
    if (libro_issuer_sign(out, c, w->board, &err) != LIBRO_OK) {
        bench_die("sign license", &err);
    }
    libro_credential_free(c);
}

/* ---- 1. issuing: reserve + sign + register --------------------------------------------- */

/* The board issuing into one registry, as `libro issue license` does: its libro_issuer and
 * its registry client on `target` (the database, or the server's URL). One thread each. */
struct board {
    libro_issuer *is;
    libro_registry_client *client;
    char status_base[96]; /* in-process: <base_url>/v1/status; over HTTP the registry's */
    bool local;
    size_t jws_len; /* of the last license issued */
};

static void
board_open(struct board *b, const struct bench_world *w, const struct reg *r, const char *target)
{
    libro_error err = LIBRO_ERROR_INIT;
    int n = snprintf(b->status_base, sizeof b->status_base, "%s/v1/status", r->base_url);

    if (n < 0 || (size_t) n >= sizeof b->status_base) {
        bench_die("url", NULL);
    }
    b->is = NULL;
    b->client = NULL;
    b->local = strcmp(target, r->path) == 0;
    if (libro_issuer_open(&b->is, w->board, w->board_auth, strlen(w->board_auth), w->charter,
                          strlen(w->charter), &err) != LIBRO_OK ||
        libro_issuer_registry_open(&b->client, b->is, target, "health board", &err) != LIBRO_OK) {
        bench_die("issuer", &err);
    }
}

static void
board_close(struct board *b)
{
    libro_registry_client_close(b->client);
    libro_issuer_free(b->is);
}

/* Issue `count` licenses with libro_issuer_issue_license (reserve, sign, register; numbers
 * prefix-first..), returning licenses per second. */
static double
issue_run(struct board *b, const char *prefix, unsigned first, unsigned count)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_options opt = LIBRO_LICENSE_OPTIONS_INIT;
    const char *const scope[] = {"general care"};
    char number[32];
    double t0 = bench_now();

    opt.holder = "Ada Example";
    opt.number = number;
    opt.profession = "registered nurse";
    opt.license_type = NURSING;
    opt.scope = scope;
    opt.n_scope = 1;
    opt.status_url_base = b->local ? b->status_base : NULL;
    for (unsigned i = 0; i < count; i++) {
        libro_issued out = LIBRO_ISSUED_INIT;

        bench_license_number(number, sizeof number, prefix, first + i);
        if (libro_issuer_issue_license(&out, b->is, b->client, &opt, &err) != LIBRO_OK) {
            bench_die("issue", &err);
        }
        b->jws_len = out.jws.len;
        libro_issued_clear(&out);
    }
    return (double) count / (bench_now() - t0);
}

static libro_registry_client *
client_open(const struct bench_world *w, const char *target)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *c = NULL;

    if (libro_registry_client_open(&c, target, w->board, w->kid, "health board", NULL, &err) !=
        LIBRO_OK) {
        bench_die("registry client", &err);
    }
    return c;
}

/* One thread of a parallel issuing run: its own client, licenses prefix-0.. */
struct issuer {
    struct board board;
    char prefix[8];
    unsigned count;
};

static void *
issuer_thread(void *p)
{
    struct issuer *is = p;

    (void) issue_run(&is->board, is->prefix, 0, is->count);
    return NULL;
}

/* Issue `count` licenses on each of `threads` threads, each with its own client on `target`
 * (the database path or the server's URL): licenses per second, all threads together. */
static double
issue_parallel(const struct bench_world *w, const struct reg *r, const char *target, char tag,
               unsigned threads, unsigned count)
{
    struct issuer is[MAX_THREADS];
    double seconds;

    for (unsigned t = 0; t < threads; t++) {
        int n = snprintf(is[t].prefix, sizeof is[t].prefix, "%c%u", tag, t);

        if (n < 0 || (size_t) n >= sizeof is[t].prefix) {
            bench_die("prefix", NULL);
        }
        board_open(&is[t].board, w, r, target);
        is[t].count = count;
    }
    seconds = bench_threads(issuer_thread, is, sizeof is[0], threads);
    for (unsigned t = 0; t < threads; t++) {
        board_close(&is[t].board);
    }
    return (double) threads * count / seconds;
}

/* Licenses through the write queue: reserve, sign and register in one job (one savepoint of
 * the group's transaction, signed on the writer thread), or split as the server's API does
 * (a reservation job, the signature on the submitting thread, a registration job). */
struct queued {
    libro_registry_writer *writer;
    const struct bench_world *w;
    const struct reg *r;
    bool split;
    char prefix[8];
    unsigned count;
    libro_buf jws;
    char number[32];
    uint32_t list;
    uint32_t index;
};

static libro_code
reserve_job(libro_registry *h, void *ctx, libro_error *err)
{
    struct queued *q = ctx;

    return libro_registry_reserve_status(h, NULL, &q->list, &q->index, err);
}

static libro_code
register_job(libro_registry *h, void *ctx, libro_error *err)
{
    struct queued *q = ctx;

    return libro_registry_register(h, NULL, (const char *) q->jws.data, q->list, q->index,
                                   "health board", q->w->now, err);
}

static libro_code
issue_job(libro_registry *h, void *ctx, libro_error *err)
{
    struct queued *q = ctx;
    libro_code rc = reserve_job(h, q, err);

    if (rc == LIBRO_OK) {
        license_sign(&q->jws, q->w, q->r->base_url, q->number, q->list, q->index, NULL, NULL);
        rc = register_job(h, q, err);
    }
    return rc;
}

static void *
queued_thread(void *p)
{
    struct queued *q = p;
    libro_error err = LIBRO_ERROR_INIT;

    for (unsigned i = 0; i < q->count; i++) {
        bench_license_number(q->number, sizeof q->number, q->prefix, i);
        if (!q->split) {
            if (libro_registry_writer_submit(q->writer, issue_job, q, &err) != LIBRO_OK) {
                bench_die("issue through the write queue", &err);
            }
            continue;
        }
        if (libro_registry_writer_submit(q->writer, reserve_job, q, &err) != LIBRO_OK) {
            bench_die("reserve through the write queue", &err);
        }
        license_sign(&q->jws, q->w, q->r->base_url, q->number, q->list, q->index, NULL, NULL);
        if (libro_registry_writer_submit(q->writer, register_job, q, &err) != LIBRO_OK) {
            bench_die("register through the write queue", &err);
        }
    }
    libro_buf_free(&q->jws);
    return NULL;
}

/* Issue `count` licenses on each of `threads` threads sharing one write queue on r->path
 * (`split`: in two jobs): licenses per second, all threads together; *per_group receives the
 * jobs per commit. */
static double
issue_queued(const struct bench_world *w, const struct reg *r, char tag, bool split,
             unsigned threads, unsigned count, double *per_group)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_writer *writer = NULL;
    struct queued *q = calloc(threads, sizeof *q);
    uint64_t groups = 0;
    uint64_t jobs = 0;
    uint64_t queued = 0;
    double seconds;

    if (q == NULL) {
        bench_die("out of memory", NULL);
    }
    if (libro_registry_writer_open(&writer, r->path, NULL, NULL, &err) != LIBRO_OK) {
        bench_die("write queue", &err);
    }
    for (unsigned t = 0; t < threads; t++) {
        int n = snprintf(q[t].prefix, sizeof q[t].prefix, "%c%u", tag, t);

        if (n < 0 || (size_t) n >= sizeof q[t].prefix) {
            bench_die("prefix", NULL);
        }
        q[t].writer = writer;
        q[t].split = split;
        q[t].w = w;
        q[t].r = r;
        q[t].count = count;
    }
    seconds = bench_threads(queued_thread, q, sizeof q[0], threads);
    libro_registry_writer_counts(writer, &groups, &jobs, &queued);
    libro_registry_writer_close(writer);
    free(q);
    *per_group = groups > 0 ? (double) jobs / (double) groups : 0.0;
    return (double) threads * count / seconds;
}

/* ---- raw Ed25519: one signature and its verification, a license-sized message ------------ */

struct raw {
    unsigned char msg[4096];
    size_t msg_len;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char sig[crypto_sign_BYTES];
    EVP_PKEY *ossl;
    EVP_MD_CTX *md;
};

static int
sodium_sign_verify_op(void *p)
{
    struct raw *x = p;

    if (crypto_sign_detached(x->sig, NULL, x->msg, x->msg_len, x->sk) != 0) {
        return -1;
    }
    return crypto_sign_verify_detached(x->sig, x->msg, x->msg_len, x->pk);
}

static int
openssl_sign_verify_op(void *p)
{
    struct raw *x = p;
    size_t len = sizeof x->sig;

    if (EVP_DigestSignInit(x->md, NULL, NULL, NULL, x->ossl) != 1 ||
        EVP_DigestSign(x->md, x->sig, &len, x->msg, x->msg_len) != 1 ||
        EVP_DigestVerifyInit(x->md, NULL, NULL, NULL, x->ossl) != 1) {
        return -1;
    }
    return EVP_DigestVerify(x->md, x->sig, len, x->msg, x->msg_len) == 1 ? 0 : -1;
}

/* The raw message is as long as a license's JWS signing input. */
static void
raw_init(struct raw *x, const struct bench_world *w)
{
    libro_buf jws = LIBRO_BUF_INIT;
    const char *dot;

    memset(x, 0, sizeof *x);
    license_sign(&jws, w, "http://127.0.0.1:65535", "T7-N-0000000", 0, 131071, NULL, NULL);
    dot = strrchr((const char *) jws.data, '.');
    x->msg_len = (size_t) (dot - (const char *) jws.data);
    if (x->msg_len > sizeof x->msg) {
        bench_die("signing input too long", NULL);
    }
    memcpy(x->msg, jws.data, x->msg_len);
    libro_buf_free(&jws);
    crypto_sign_keypair(x->pk, x->sk);
    x->ossl = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, x->sk, 32);
    x->md = EVP_MD_CTX_new();
    if (x->ossl == NULL || x->md == NULL) {
        bench_die("openssl setup", NULL);
    }
}

static void
raw_clear(struct raw *x)
{
    EVP_MD_CTX_free(x->md);
    EVP_PKEY_free(x->ossl);
    sodium_memzero(x->sk, sizeof x->sk);
}

/* ---- 2. revocations over HTTP ------------------------------------------------------------ */

struct revoker {
    libro_registry_client *client;
    const char *prefix;
    unsigned first;
    unsigned count;
    double *latency_ms; /* count slots of the shared array */
};

static void *
revoke_thread(void *p)
{
    struct revoker *rv = p;
    libro_error err = LIBRO_ERROR_INIT;
    char number[32];

    for (unsigned i = 0; i < rv->count; i++) {
        double t0;

        bench_license_number(number, sizeof number, rv->prefix, rv->first + i);
        t0 = bench_now();
        if (libro_registry_client_change(rv->client, number, LIBRO_ACTION_REVOKE, "benchmark",
                                         &err) != LIBRO_OK) {
            bench_die("revoke", &err);
        }
        rv->latency_ms[i] = (bench_now() - t0) * 1000.0;
    }
    return NULL;
}

/* Revoke licenses prefix-first.. first+count-1 with `threads` clients of their own. */
static bench_load
revoke_run(const struct bench_world *w, const struct reg *r, const char *prefix, unsigned first,
           unsigned count, unsigned threads)
{
    struct revoker rv[MAX_THREADS];
    double *lat = calloc(count, sizeof *lat);
    unsigned done = 0;
    double seconds;
    bench_load res;

    if (lat == NULL) {
        bench_die("out of memory", NULL);
    }
    for (unsigned t = 0; t < threads; t++) {
        rv[t].client = client_open(w, r->base_url);
        rv[t].prefix = prefix;
        rv[t].first = first + done;
        rv[t].count = bench_share(count, threads, t);
        rv[t].latency_ms = lat + done;
        done += rv[t].count;
    }
    seconds = bench_threads(revoke_thread, rv, sizeof rv[0], threads);
    for (unsigned t = 0; t < threads; t++) {
        libro_registry_client_close(rv[t].client);
    }
    res = bench_load_of(lat, count, seconds);
    free(lat);
    return res;
}

/* ---- 3. a status list, regenerated ------------------------------------------------------- */

/* ---- 4. trust bundle sync ---------------------------------------------------------------- */

/* A fresh trust store at dir/name with the town pinned. */
static libro_trust *
trust_new(char *path, size_t size, const char *dir, const char *name, const struct bench_world *w)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;

    bench_path_join(path, size, dir, name);
    if (libro_trust_open(&t, path, &err) != LIBRO_OK ||
        libro_trust_add_anchor(t, w->charter, strlen(w->charter), NULL, NULL, &err) != LIBRO_OK) {
        bench_die("trust store", &err);
    }
    return t;
}

/* Time one sync, in milliseconds; checks that it did what `want_304` says. */
static double
timed_sync(libro_trust *t, const struct reg *r, bool want_304, libro_sync_report *rep)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_options opt = LIBRO_SYNC_OPTIONS_INIT;
    double t0 = bench_now();

    if (libro_trust_sync(t, r->base_url, &opt, rep, &err) != LIBRO_OK) {
        bench_die("sync", &err);
    }
    if (rep->not_modified != want_304) {
        bench_die(want_304 ? "sync: expected 304" : "sync: unexpected 304", NULL);
    }
    return (bench_now() - t0) * 1000.0;
}

/* Revoke `count` licenses of the large registry through libro_registry_change, skipping those
 * revoked at setup (i % 100 < pct); *next is the number to try next. */
static void
revoke_direct(libro_registry *h, const struct bench_world *w, unsigned pct, unsigned *next,
              unsigned count)
{
    libro_error err = LIBRO_ERROR_INIT;
    char number[32];

    for (unsigned i = 0; i < count; (*next)++) {
        if (*next % 100u < pct) {
            continue;
        }
        bench_license_number(number, sizeof number, "B", *next);
        if (libro_registry_change(h, NULL, number, LIBRO_ACTION_REVOKE, "registrar", "benchmark",
                                  w->now, &err) != LIBRO_OK) {
            bench_die("revoke", &err);
        }
        i++;
    }
}

/* The median time of a reservation on the large registry, in milliseconds (its own write
 * transaction: a random probe of the slots and the list's usage count, schema 3). */
static double
reserve_ms(libro_registry *h)
{
    libro_error err = LIBRO_ERROR_INIT;
    double ms[RESERVE_RUNS];

    for (unsigned i = 0; i < RESERVE_RUNS; i++) {
        uint32_t list = 0;
        uint32_t index = 0;
        double t0 = bench_now();

        if (libro_registry_reserve_status(h, NULL, &list, &index, &err) != LIBRO_OK) {
            bench_die("reserve", &err);
        }
        ms[i] = (bench_now() - t0) * 1000.0;
    }
    return bench_median(ms, RESERVE_RUNS);
}

/* ---- the large registry: setup ----------------------------------------------------------- */

static void
sq_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: setup: %s: %s\n", bench_name, sql, msg != NULL ? msg : "failed");
        exit(1);
    }
}

static sqlite3 *
sq_open(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 10000) != SQLITE_OK) {
        bench_die("setup: open the database", NULL);
    }
    return db;
}

static sqlite3_stmt *
sq_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: setup: %s: %s\n", bench_name, sql, sqlite3_errmsg(db));
        exit(1);
    }
    return st;
}

static void
sq_step_done(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE || sqlite3_reset(st) != SQLITE_OK) {
        fprintf(stderr, "%s: setup: %s\n", bench_name, sqlite3_errmsg(db));
        exit(1);
    }
}

/* One integer PRAGMA (page_count, page_size, freelist_count). */
static long long
sq_pragma(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = sq_prepare(db, sql);
    long long v;

    if (sqlite3_step(st) != SQLITE_ROW) {
        bench_die("setup: pragma", NULL);
    }
    v = sqlite3_column_int64(st, 0);
    (void) sqlite3_finalize(st);
    return v;
}

/* The bytes the database's pages in use hold (the write-ahead log's included). */
static long long
db_used_bytes(const char *path)
{
    sqlite3 *db = sq_open(path);
    long long used = sq_pragma(db, "PRAGMA page_count") - sq_pragma(db, "PRAGMA freelist_count");

    used *= sq_pragma(db, "PRAGMA page_size");
    (void) sqlite3_close(db);
    return used;
}

/* The yardstick of a durable write: commits per second of one small row each into a scratch
 * database in `dir` (WAL, synchronous=FULL, as the registry), for about a second. */
static double
raw_commit_rate(const char *dir)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char path[320];
    char name[340];
    sqlite3 *db = NULL;
    sqlite3_stmt *st;
    unsigned long n = 0;
    double t0;

    bench_path_join(path, sizeof path, dir, "raw-commits.db");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        bench_die("raw commits: open", NULL);
    }
    sq_exec(db, "PRAGMA journal_mode = WAL");
    sq_exec(db, "PRAGMA synchronous = FULL");
    sq_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    st = sq_prepare(db, "INSERT INTO t (v) VALUES ('a row of about forty bytes, as an event')");
    t0 = bench_now();
    do {
        sq_exec(db, "BEGIN IMMEDIATE");
        sq_step_done(db, st);
        sq_exec(db, "COMMIT");
        n++;
    } while (bench_now() - t0 < 1.0);
    t0 = bench_now() - t0;
    (void) sqlite3_finalize(st);
    (void) sqlite3_close(db);
    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        int k = snprintf(name, sizeof name, "%s%s", path, suffixes[i]);

        if (k > 0 && (size_t) k < sizeof name) {
            (void) unlink(name);
        }
    }
    return (double) n / t0;
}

/* The bytes of each table and index (SQLite's dbstat), for where a license's bytes go. */
#define MAX_OBJECTS 64
struct db_objects {
    size_t n;
    char name[MAX_OBJECTS][48];
    long long bytes[MAX_OBJECTS];
};

/* false when this SQLite has no dbstat table. */
static bool
db_objects(struct db_objects *out, const char *path)
{
    sqlite3 *db = sq_open(path);
    sqlite3_stmt *st = NULL;

    out->n = 0;
    if (sqlite3_prepare_v2(db, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name", -1, &st,
                           NULL) != SQLITE_OK) {
        (void) sqlite3_close(db);
        return false;
    }
    while (sqlite3_step(st) == SQLITE_ROW && out->n < MAX_OBJECTS) {
        int n = snprintf(out->name[out->n], sizeof out->name[0], "%s",
                         (const char *) sqlite3_column_text(st, 0));

        if (n > 0 && (size_t) n < sizeof out->name[0]) {
            out->bytes[out->n++] = sqlite3_column_int64(st, 1);
        }
    }
    (void) sqlite3_finalize(st);
    (void) sqlite3_close(db);
    return true;
}

/* Print what each table or index grew by from `before` to `after`, per license of `count`,
 * largest first (those that grew by at least 1 byte a license). */
static void
db_objects_growth(const struct db_objects *before, const struct db_objects *after, unsigned count)
{
    double grew[MAX_OBJECTS];
    bool shown[MAX_OBJECTS] = {false};

    for (size_t i = 0; i < after->n; i++) {
        long long b = 0;

        for (size_t k = 0; k < before->n; k++) {
            if (strcmp(before->name[k], after->name[i]) == 0) {
                b = before->bytes[k];
            }
        }
        grew[i] = (double) (after->bytes[i] - b) / count;
    }
    printf("   by table or index (bytes per license):");
    for (size_t shown_n = 0; shown_n < after->n; shown_n++) {
        size_t best = after->n;

        for (size_t i = 0; i < after->n; i++) {
            if (!shown[i] && grew[i] >= 1.0 && (best == after->n || grew[i] > grew[best])) {
                best = i;
            }
        }
        if (best == after->n) {
            break;
        }
        shown[best] = true;
        printf(" %s %.0f", after->name[best], grew[best]);
    }
    printf("\n");
}

static bool
sq_table_exists(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st = sq_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                      "name = ?1");
    bool found;

    if (sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) != SQLITE_OK) {
        bench_die("setup: bind", NULL);
    }
    found = sqlite3_step(st) == SQLITE_ROW;
    (void) sqlite3_finalize(st);
    return found;
}

/* "INSERT INTO <table> SELECT <its columns> FROM <table> WHERE number = ?5": a copy of the
 * template's rows of `table`, with number ?1, status_list ?2, status_index ?3, valid_until ?4
 * and a fresh integer primary key. Whatever columns the schema has now. */
static sqlite3_stmt *
clone_stmt(sqlite3 *db, const char *table)
{
    sqlite3_stmt *info = sq_prepare(db, "SELECT name, pk, upper(type) FROM pragma_table_info(?1)");
    libro_buf cols = LIBRO_BUF_INIT;
    libro_buf vals = LIBRO_BUF_INIT;
    libro_buf sql = LIBRO_BUF_INIT;
    sqlite3_stmt *st;

    if (sqlite3_bind_text(info, 1, table, -1, SQLITE_STATIC) != SQLITE_OK) {
        bench_die("setup: bind", NULL);
    }
    while (sqlite3_step(info) == SQLITE_ROW) {
        const char *name = (const char *) sqlite3_column_text(info, 0);
        const char *type = (const char *) sqlite3_column_text(info, 2);
        const char *expr = NULL;
        libro_code rc;

        if (strcmp(name, "number") == 0) {
            expr = "?1";
        } else if (strcmp(name, "status_list") == 0) {
            expr = "?2";
        } else if (strcmp(name, "status_index") == 0) {
            expr = "?3";
        } else if (strcmp(name, "valid_until") == 0) {
            expr = "?4";
        } else if (sqlite3_column_int(info, 1) == 1 && type != NULL &&
                   strcmp(type, "INTEGER") == 0) {
            expr = "NULL";
        }
        rc = libro_buf_printf(&cols, NULL, "%s\"%s\"", cols.len > 0 ? ", " : "", name);
        if (rc == LIBRO_OK && expr != NULL) {
            rc = libro_buf_printf(&vals, NULL, "%s%s", vals.len > 0 ? ", " : "", expr);
        } else if (rc == LIBRO_OK) {
            rc = libro_buf_printf(&vals, NULL, "%s\"%s\"", vals.len > 0 ? ", " : "", name);
        }
        if (rc != LIBRO_OK) {
            bench_die("out of memory", NULL);
        }
    }
    (void) sqlite3_finalize(info);
    if (libro_buf_printf(&sql, NULL,
                         "INSERT INTO \"%s\" (%s) SELECT %s FROM \"%s\" WHERE number = ?5", table,
                         (const char *) cols.data, (const char *) vals.data, table) != LIBRO_OK) {
        bench_die("out of memory", NULL);
    }
    st = sq_prepare(db, (const char *) sql.data);
    libro_buf_free(&cols);
    libro_buf_free(&vals);
    libro_buf_free(&sql);
    return st;
}

/* The tables holding a license's rows: license first (the others reference it), then every
 * other table named license_* that has a number column. */
static size_t
clone_stmts(sqlite3 *db, sqlite3_stmt **out, size_t max)
{
    sqlite3_stmt *t =
        sq_prepare(db, "SELECT m.name FROM sqlite_master AS m WHERE m.type = 'table' AND "
                       "m.name LIKE 'license\\_%' ESCAPE '\\' AND m.name != 'license_type' AND "
                       "EXISTS (SELECT 1 FROM pragma_table_info(m.name) AS c WHERE c.name = "
                       "'number') ORDER BY m.name");
    size_t n = 0;

    out[n++] = clone_stmt(db, "license");
    while (sqlite3_step(t) == SQLITE_ROW && n < max) {
        out[n++] = clone_stmt(db, (const char *) sqlite3_column_text(t, 0));
    }
    (void) sqlite3_finalize(t);
    return n;
}

/* A uniform random sample of `count` distinct indexes of a list, none equal to `skip`. */
static void
sample_indexes(uint32_t *out, unsigned count, uint32_t skip)
{
    static uint32_t all[LIBRO_STATUS_LIST_MIN_ENTRIES];
    uint32_t n = 0;

    for (uint32_t i = 0; i < LIBRO_STATUS_LIST_MIN_ENTRIES; i++) {
        if (i != skip) {
            all[n++] = i;
        }
    }
    /* A partial Fisher-Yates shuffle: the first `count` are a uniform random sample. */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t j = i + randombytes_uniform(n - i);
        uint32_t tmp = all[i];

        all[i] = all[j];
        all[j] = tmp;
        out[i] = all[i];
    }
}

/* Copy the template license's rows (TEMPLATE_NUMBER, license 0 of list 0) to licenses
 * 1..count-1 in one transaction: PER_LIST licenses to a list pair, at random indexes, valid
 * until 1 to 365 days from `now`. The server must be paused and no handle open. */
static void
clone_licenses(const char *path, unsigned count, int64_t now)
{
    sqlite3 *db = sq_open(path);
    sqlite3_stmt *clone[8];
    sqlite3_stmt *slot;
    sqlite3_stmt *tpl;
    uint32_t *sample = malloc(PER_LIST * sizeof *sample);
    uint32_t tpl_index;
    char number[32];
    size_t n_clone;

    if (sample == NULL) {
        bench_die("out of memory", NULL);
    }
    /* A rollback journal for the bulk insert (a WAL would hold all of it a second time). */
    sq_exec(db, "PRAGMA journal_mode = DELETE");
    sq_exec(db, "PRAGMA synchronous = OFF");
    sq_exec(db, "BEGIN IMMEDIATE");
    tpl = sq_prepare(
        db, "SELECT status_list, status_index FROM license WHERE number = '" TEMPLATE_NUMBER "'");
    if (sqlite3_step(tpl) != SQLITE_ROW || sqlite3_column_int64(tpl, 0) != 0) {
        bench_die("setup: the template license is not in list 0", NULL);
    }
    tpl_index = (uint32_t) sqlite3_column_int64(tpl, 1);
    (void) sqlite3_finalize(tpl);
    slot = sq_prepare(db, "INSERT INTO status_slot (list, idx) VALUES (?1, ?2)");
    n_clone = clone_stmts(db, clone, LIBRO_NELEM(clone));
    for (unsigned i = 1; i < count; i++) {
        uint32_t list = i / PER_LIST;
        uint32_t pos = i % PER_LIST;
        int64_t until = now + DAY + (int64_t) ((i * 7919u) % 365u) * DAY;

        if (pos == 0 || i == 1) {
            sample_indexes(sample, PER_LIST - (list == 0 ? 1u : 0u),
                           list == 0 ? tpl_index : UINT32_MAX);
        }
        bench_license_number(number, sizeof number, "B", i);
        if (sqlite3_bind_int64(slot, 1, list) != SQLITE_OK ||
            sqlite3_bind_int64(slot, 2, sample[list == 0 ? pos - 1 : pos]) != SQLITE_OK) {
            bench_die("setup: bind", NULL);
        }
        sq_step_done(db, slot);
        for (size_t k = 0; k < n_clone; k++) {
            if (sqlite3_bind_text(clone[k], 1, number, -1, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_int64(clone[k], 2, list) != SQLITE_OK ||
                sqlite3_bind_int64(clone[k], 3, sample[list == 0 ? pos - 1 : pos]) != SQLITE_OK ||
                sqlite3_bind_int64(clone[k], 4, until) != SQLITE_OK ||
                sqlite3_bind_text(clone[k], 5, TEMPLATE_NUMBER, -1, SQLITE_STATIC) != SQLITE_OK) {
                bench_die("setup: bind", NULL);
            }
            sq_step_done(db, clone[k]);
            if (sqlite3_changes(db) < 1) {
                bench_die("setup: a license table has no row of the template", NULL);
            }
        }
    }
    for (size_t k = 0; k < n_clone; k++) {
        (void) sqlite3_finalize(clone[k]);
    }
    (void) sqlite3_finalize(slot);
    sq_exec(db, "COMMIT");
    sq_exec(db, "PRAGMA journal_mode = WAL");
    (void) sqlite3_close(db);
    free(sample);
}

/* Revoke licenses i with from <= i % 100 < to: their revocation bits and states, in one
 * transaction (the server paused). A per-list version table, when the schema has one, is
 * bumped, as a write by another process would. */
static void
revoke_share(const char *path, unsigned count, unsigned from, unsigned to)
{
    sqlite3 *db = sq_open(path);
    sqlite3_stmt *bit;
    sqlite3_stmt *state;
    char number[32];

    sq_exec(db, "PRAGMA synchronous = OFF");
    sq_exec(db, "BEGIN IMMEDIATE");
    bit = sq_prepare(db, "INSERT OR IGNORE INTO status_bit (list, idx, purpose) SELECT "
                         "status_list, status_index, 1 FROM license WHERE number = ?1");
    state = sq_prepare(db, "UPDATE license SET state = 3 WHERE number = ?1");
    for (unsigned i = 0; i < count; i++) {
        if (i % 100u < from || i % 100u >= to) {
            continue;
        }
        bench_license_number(number, sizeof number, "B", i);
        if (sqlite3_bind_text(bit, 1, number, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_text(state, 1, number, -1, SQLITE_STATIC) != SQLITE_OK) {
            bench_die("setup: bind", NULL);
        }
        sq_step_done(db, bit);
        sq_step_done(db, state);
    }
    (void) sqlite3_finalize(bit);
    (void) sqlite3_finalize(state);
    if (sq_table_exists(db, "status_version")) {
        sq_exec(db, "UPDATE status_version SET version = version + 1");
    }
    sq_exec(db, "COMMIT");
    (void) sqlite3_close(db);
}

/* The large registry of `count` licenses at big->path, served; returns an open handle. */
static libro_registry *
big_create(struct reg *big, const struct bench_world *w, const char *dir, unsigned count)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct board b;
    libro_registry *h = reg_create(big, w, dir, "large.db");

    board_open(&b, w, big, big->path);
    (void) issue_run(&b, "B", 0, 1); /* TEMPLATE_NUMBER, through the real path */
    board_close(&b);
    libro_registry_close(h);
    reg_pause(big);
    clone_licenses(big->path, count, w->now);
    reg_serve(big, w);
    if (libro_registry_open(&h, big->path, &err) != LIBRO_OK) {
        bench_die("registry", &err);
    }
    return h;
}

/* ---- GETs: a keep-alive HTTP/1.1 client ------------------------------------------------- */

struct conn {
    int fd;
    uint16_t port;
    size_t len; /* bytes of buf read past the last response */
    char buf[16384];
};

static void
conn_open(struct conn *c, uint16_t port)
{
    struct sockaddr_in a;
    int one = 1;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->port = port;
    c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || connect(c->fd, (const struct sockaddr *) &a, sizeof a) != 0 ||
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        bench_die("get: connect", NULL);
    }
}

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        (void) close(c->fd);
    }
    c->fd = -1;
}

/* Read more into c->buf; the bytes read, 0 at end of stream. */
static size_t
conn_fill(struct conn *c)
{
    ssize_t n;

    if (c->len == sizeof c->buf) {
        bench_die("get: response header too long", NULL);
    }
    do {
        n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        bench_die("get: read", NULL);
    }
    c->len += (size_t) n;
    return (size_t) n;
}

/* The end of a response head in buf[0..len) (its blank line), or NULL. */
static const char *
head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++) {
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
            return buf + i;
        }
    }
    return NULL;
}

/* The value of header `name` (lowercase, with the colon) in head[0..len), or NULL. */
static const char *
header_value(const char *head, size_t len, const char *name, size_t *value_len)
{
    size_t nl = strlen(name);

    for (const char *p = head; p < head + len;) {
        const char *eol = memchr(p, '\n', (size_t) (head + len - p));

        if (eol == NULL) {
            break;
        }
        if ((size_t) (eol - p) > nl && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl;

            while (v < eol && *v == ' ') {
                v++;
            }
            *value_len = (size_t) (eol - v) - (eol > v && eol[-1] == '\r' ? 1u : 0u);
            return v;
        }
        p = eol + 1;
    }
    return NULL;
}

/* GET `path` on the connection (with If-None-Match when etag is not NULL): the status. The
 * ETag received goes to etag_out (when not NULL), the body's length to *body_len. A
 * connection the server closed between requests is opened again once. */
static long
http_get(struct conn *c, const char *path, const char *etag, char *etag_out, size_t etag_size,
         size_t *body_len)
{
    char req[512];
    const char *end;
    const char *v;
    size_t vlen;
    size_t head;
    size_t body = 0;
    long status;
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s%s%s\r\n", path,
                     (unsigned) c->port, etag != NULL ? "If-None-Match: " : "",
                     etag != NULL ? etag : "", etag != NULL ? "\r\n" : "");

    if (n < 0 || (size_t) n >= sizeof req) {
        bench_die("get: request too long", NULL);
    }
    for (int attempt = 0;; attempt++) {
        if (write(c->fd, req, (size_t) n) == n) {
            while ((end = head_end(c->buf, c->len)) == NULL) {
                if (conn_fill(c) == 0) {
                    break;
                }
            }
            if (end != NULL) {
                break;
            }
        }
        if (attempt > 0 || c->len > 0) {
            bench_die("get: the server closed the connection", NULL);
        }
        conn_close(c);
        conn_open(c, c->port);
    }
    head = (size_t) (end - c->buf) + 4;
    if (c->len < 12 || memcmp(c->buf, "HTTP/1.1 ", 9) != 0) {
        bench_die("get: not an HTTP/1.1 response", NULL);
    }
    status = strtol(c->buf + 9, NULL, 10);
    if ((v = header_value(c->buf, head, "content-length:", &vlen)) != NULL) {
        body = (size_t) strtoull(v, NULL, 10);
    } else if (status != 304 && status != 204) {
        bench_die("get: no Content-Length", NULL);
    }
    if (etag_out != NULL) {
        etag_out[0] = '\0';
        if ((v = header_value(c->buf, head, "etag:", &vlen)) != NULL && vlen < etag_size) {
            memcpy(etag_out, v, vlen);
            etag_out[vlen] = '\0';
        }
    }
    *body_len = body;
    /* Drop the head and the body, reading no further than the body's end. */
    if (c->len - head >= body) {
        memmove(c->buf, c->buf + head + body, c->len - head - body);
        c->len -= head + body;
        return status;
    }
    body -= c->len - head;
    c->len = 0;
    while (body > 0) {
        ssize_t got = read(c->fd, c->buf, body < sizeof c->buf ? body : sizeof c->buf);

        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            bench_die("get: body cut short", NULL);
        }
        body -= (size_t) got;
    }
    return status;
}

struct getter {
    uint16_t port;
    const char *path;
    bool conditional; /* If-None-Match with the ETag of a first, untimed GET: 304 */
    unsigned count;   /* at most, ... */
    double deadline;  /* ... and none started after this bench_now() */
    unsigned done;
    double *latency_ms; /* count slots of the shared array */
    size_t body_len;    /* of the first 200 */
};

static void *
get_thread(void *p)
{
    struct getter *g = p;
    struct conn *c = malloc(sizeof *c);
    char etag[256];
    size_t len = 0;
    long want = g->conditional ? 304 : 200;

    if (c == NULL) {
        bench_die("out of memory", NULL);
    }
    conn_open(c, g->port);
    if (http_get(c, g->path, NULL, etag, sizeof etag, &g->body_len) != 200 ||
        (g->conditional && etag[0] == '\0')) {
        bench_die("get: a first 200 with an ETag", NULL);
    }
    g->done = 0;
    for (double t0 = bench_now(); g->done < g->count && t0 < g->deadline; g->done++) {
        long status = http_get(c, g->path, g->conditional ? etag : NULL, NULL, 0, &len);
        double t1 = bench_now();

        g->latency_ms[g->done] = (t1 - t0) * 1000.0;
        t0 = t1;
        if (status != want) {
            fprintf(stderr, "%s: GET %s: status %ld, want %ld\n", bench_name, g->path, status,
                    want);
            exit(1);
        }
    }
    conn_close(c);
    free(c);
    return NULL;
}

struct get_result {
    bench_load load;
    unsigned requests;
    size_t body_len;
};

/* GETs of `path` over `conns` connections, one client thread each: `count` of them, or as
 * many as `seconds` allow. */
static struct get_result
get_run(uint16_t port, const char *path, bool conditional, unsigned count, double seconds,
        unsigned conns)
{
    struct getter g[MAX_THREADS];
    struct get_result res;
    double *lat = calloc(count, sizeof *lat);
    double deadline = bench_now() + seconds;
    unsigned done = 0;

    if (lat == NULL) {
        bench_die("out of memory", NULL);
    }
    for (unsigned t = 0; t < conns; t++) {
        g[t].port = port;
        g[t].path = path;
        g[t].conditional = conditional;
        g[t].count = bench_share(count, conns, t);
        g[t].deadline = deadline;
        g[t].latency_ms = lat + done;
        done += g[t].count;
    }
    seconds = bench_threads(get_thread, g, sizeof g[0], conns);
    done = 0;
    for (unsigned t = 0; t < conns; t++) {
        memmove(lat + done, g[t].latency_ms, g[t].done * sizeof *lat);
        done += g[t].done;
    }
    if (done == 0) {
        bench_die("get: no request in the time given", NULL);
    }
    res.load = bench_load_of(lat, done, seconds);
    res.requests = done;
    res.body_len = g[0].body_len;
    free(lat);
    return res;
}

/* ---- the CLI: a whole process, its time and peak memory ---------------------------------- */

struct cli_result {
    double ms;
    double cpu_ms; /* user and system */
    long max_rss_kb;
    unsigned long lines; /* of its standard output */
    int status;          /* exit status, or -1 when it did not exit */
};

/* Run argv (its standard input from stdin_path or /dev/null, its standard error to
 * /dev/null: a failure shows in the exit status) and count the lines it prints. */
static struct cli_result
cli_run(char *const argv[], const char *stdin_path)
{
    struct cli_result res = {0, 0, 0, 0, -1};
    struct rusage ru;
    char buf[65536];
    double t0 = bench_now();
    int fds[2];
    int wst = 0;
    pid_t pid;
    ssize_t n;

    if (pipe(fds) != 0) {
        bench_die("pipe", NULL);
    }
    pid = fork();
    if (pid < 0) {
        bench_die("fork", NULL);
    }
    if (pid == 0) {
        int in = open(stdin_path != NULL ? stdin_path : "/dev/null", O_RDONLY);
        int null = open("/dev/null", O_WRONLY);

        if (in < 0 || null < 0 || dup2(in, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(null, 2) < 0) {
            _exit(127);
        }
        (void) close(fds[0]);
        (void) close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    (void) close(fds[1]);
    while ((n = read(fds[0], buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            bench_die("read", NULL);
        }
        for (ssize_t i = 0; i < n; i++) {
            res.lines += buf[i] == '\n' ? 1u : 0u;
        }
    }
    (void) close(fds[0]);
    if (wait4(pid, &wst, 0, &ru) != pid) {
        bench_die("wait", NULL);
    }
    res.ms = (bench_now() - t0) * 1000.0;
    res.max_rss_kb = ru.ru_maxrss;
    res.cpu_ms = (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
                 (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
    res.status = WIFEXITED(wst) ? WEXITSTATUS(wst) : -1;
    return res;
}

/* Whether `libro issue license --help` mentions `option`. */
static bool
cli_has_option(const char *cli, const char *option)
{
    char a_issue[] = "issue";
    char a_license[] = "license";
    char a_help[] = "--help";
    char *argv[] = {NULL, a_issue, a_license, a_help, NULL};
    char path[] = "/tmp/libro-bench-help-XXXXXX";
    char buf[8192];
    int fd = mkstemp(path);
    pid_t pid;
    ssize_t n;
    int wst;
    bool found = false;

    if (fd < 0) {
        bench_die("temporary file", NULL);
    }
    argv[0] = bench_strdup(cli);
    (void) unlink(path);
    pid = fork();
    if (pid == 0) {
        if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
            _exit(127);
        }
        execv(cli, argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &wst, 0) != pid) {
        bench_die("run libro", NULL);
    }
    libro_free(argv[0]);
    n = pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0) {
        buf[n] = '\0';
        found = strstr(buf, option) != NULL;
    }
    (void) close(fd);
    return found;
}

struct expiring_result {
    double ms;          /* median */
    double max_rss_mb;  /* median */
    unsigned long rows; /* lines printed (the last run) */
};

/* `libro license expiring --db PATH --within EXPIRING_DAYS [--json]`, EXPIRING_RUNS times. */
static struct expiring_result
expiring_cli(const char *cli, const char *db, bool json)
{
    char days[16];
    char a_license[] = "license";
    char a_expiring[] = "expiring";
    char a_db[] = "--db";
    char a_within[] = "--within";
    char a_json[] = "--json";
    char *argv[] = {bench_strdup(cli), a_license, a_expiring,           a_db, bench_strdup(db),
                    a_within,          days,      json ? a_json : NULL, NULL};
    struct expiring_result res = {0, 0, 0};
    double ms[EXPIRING_RUNS];
    double rss[EXPIRING_RUNS];

    (void) snprintf(days, sizeof days, "%u", EXPIRING_DAYS);
    for (unsigned i = 0; i < EXPIRING_RUNS; i++) {
        struct cli_result r = cli_run(argv, NULL);

        if (r.status != 0) {
            fprintf(stderr, "%s: libro license expiring exited with %d\n", bench_name, r.status);
            exit(1);
        }
        ms[i] = r.ms;
        rss[i] = (double) r.max_rss_kb / 1024.0;
        res.rows = r.lines;
    }
    libro_free(argv[0]);
    libro_free(argv[4]);
    res.ms = bench_median(ms, EXPIRING_RUNS);
    res.max_rss_mb = bench_median(rss, EXPIRING_RUNS);
    return res;
}

/* ---- libro issue license --batch --------------------------------------------------------- */

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wx");

    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        bench_die("write a file", NULL);
    }
}

struct batch_result {
    double rate; /* licenses per second, the whole process */
    double ms;
    double cpu_ms;
    double max_rss_mb;
    unsigned long reported; /* report lines */
};

/* `libro issue license --batch` of a CSV file of `lines` licenses (numbers prefix-0..) into
 * `target` (the database, with the status URL base, or the server's URL). */
static struct batch_result
batch_cli(const char *cli, const char *dir, const struct bench_world *w, const struct reg *r,
          bool local, const char *prefix, unsigned lines)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct batch_result res;
    struct cli_result run;
    char key[320];
    char auth[320];
    char charter[320];
    char csv[320];
    char base[128];
    char number[32];
    char name[32];
    char a_issue[] = "issue";
    char a_license[] = "license";
    char a_batch[] = "--batch";
    char a_key[] = "--key";
    char a_auth[] = "--authorization";
    char a_charter[] = "--community-charter";
    char a_registry[] = "--registry";
    char a_base[] = "--status-url-base";
    char *argv[16];
    size_t k = 0;
    FILE *f;
    int n;

    n = snprintf(name, sizeof name, "batch-%s.csv", prefix);
    if (n < 0 || (size_t) n >= sizeof name) {
        bench_die("name", NULL);
    }
    bench_path_join(csv, sizeof csv, dir, name);
    bench_path_join(key, sizeof key, dir, "board.pem");
    bench_path_join(auth, sizeof auth, dir, "board-auth.jws");
    bench_path_join(charter, sizeof charter, dir, "charter.jws");
    if (access(key, F_OK) != 0) {
        if (libro_key_save_pem(w->board, key, NULL, 0, &err) != LIBRO_OK) {
            bench_die("key file", &err);
        }
        write_file(auth, w->board_auth);
        write_file(charter, w->charter);
    }
    f = fopen(csv, "wx");
    if (f == NULL || fputs("holder,number,profession,type,scope\n", f) < 0) {
        bench_die("batch file", NULL);
    }
    for (unsigned i = 0; i < lines; i++) {
        bench_license_number(number, sizeof number, prefix, i);
        if (fprintf(f, "Ada Example %u,%s,registered nurse," NURSING ",general care\n", i, number) <
            0) {
            bench_die("batch file", NULL);
        }
    }
    if (fclose(f) != 0) {
        bench_die("batch file", NULL);
    }
    n = snprintf(base, sizeof base, "%s/v1/status", r->base_url);
    if (n < 0 || (size_t) n >= sizeof base) {
        bench_die("url", NULL);
    }
    argv[k++] = bench_strdup(cli);
    argv[k++] = a_issue;
    argv[k++] = a_license;
    argv[k++] = a_batch;
    argv[k++] = csv;
    argv[k++] = a_key;
    argv[k++] = key;
    argv[k++] = a_auth;
    argv[k++] = auth;
    argv[k++] = a_charter;
    argv[k++] = charter;
    argv[k++] = a_registry;
    argv[k++] = bench_strdup(local ? r->path : r->base_url);
    if (local) {
        argv[k++] = a_base;
        argv[k++] = base;
    }
    argv[k] = NULL;
    run = cli_run(argv, NULL);
    libro_free(argv[0]);
    libro_free(argv[12]);
    (void) unlink(csv);
    if (run.status != 0 || run.lines != lines) {
        fprintf(stderr, "%s: libro issue license --batch: exit %d, %lu of %u lines reported\n",
                bench_name, run.status, run.lines, lines);
        exit(1);
    }
    res.ms = run.ms;
    res.cpu_ms = run.cpu_ms;
    res.rate = lines / (run.ms / 1000.0);
    res.max_rss_mb = (double) run.max_rss_kb / 1024.0;
    res.reported = run.lines;
    return res;
}

/* ---- main -------------------------------------------------------------------------------- */

enum { SEC_ISSUE = 1, SEC_REVOKE = 2, SEC_LARGE = 4, SEC_EXPIRING = 8, SEC_BATCH = 16 };

static const struct {
    const char *name;
    unsigned bit;
} sections[] = {{"issue", SEC_ISSUE},
                {"revoke", SEC_REVOKE},
                {"large", SEC_LARGE},
                {"expiring", SEC_EXPIRING},
                {"batch", SEC_BATCH}};

struct opts {
    unsigned only; /* SEC_* */
    unsigned per_run;
    unsigned threads;
    unsigned revocations;
    unsigned sizes[MAX_SIZES];
    size_t n_sizes;
    unsigned percents[MAX_PERCENTS];
    size_t n_percents;
    unsigned gets;
    double get_seconds;
    unsigned get_conns;
    unsigned between;
    unsigned batch;
    const char *cli;
    const char *large_dir;
};

static void
opts_default(struct opts *o, bool quick)
{
    memset(o, 0, sizeof *o);
    o->only = SEC_ISSUE | SEC_REVOKE | SEC_LARGE | SEC_EXPIRING | SEC_BATCH;
    o->per_run = quick ? 100 : 200;
    o->threads = 4;
    o->revocations = quick ? 160 : 480;
    o->sizes[0] = 100000;
    o->sizes[1] = 1000000;
    o->n_sizes = quick ? 1 : 2;
    o->percents[0] = 1;
    o->percents[1] = 20;
    o->n_percents = 2;
    o->gets = quick ? 20000 : 100000;
    o->get_seconds = quick ? 2.0 : 5.0;
    o->get_conns = 2;
    o->between = quick ? 50 : 100;
    o->batch = quick ? 500 : 2000;
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
            "usage: bench_registry [--quick] [--only SECTION,...] [--issue N] [--threads N]\n"
            "                      [--revocations N] [--sizes N,...] [--percents P,...] "
            "[--gets N]\n"
            "                      [--get-seconds S] [--get-conns N] [--between N] [--batch N] "
            "[--libro PATH]\n"
            "                      [--large-dir DIR]\n"
            "  --only       sections: issue, revoke, large, expiring, batch (default: all)\n"
            "  --issue      licenses per issuing run, per thread (%u; quick %u)\n"
            "  --threads    issuing threads sharing one registry (%u, 1-%u)\n"
            "  --revocations  per run at 1, 4 and 16 connections (%u; quick %u; >= 16)\n"
            "  --sizes      large registries, licenses (100000,1000000; quick 100000)\n"
            "  --percents   shares of licenses revoked, ascending (1,20)\n"
            "  --gets       requests per GET figure at most (%u; quick %u)\n"
            "  --get-seconds  seconds per GET figure at most (%g; quick %g)\n"
            "  --get-conns  keep-alive connections for the GETs (%u, 1-%u)\n"
            "  --between    revocations between syncs (%u; quick %u)\n"
            "  --batch      lines of the --batch file (%u; quick %u)\n"
            "  --libro      the libro CLI (%s)\n"
            "  --large-dir  where large registries go (/dev/shm up to %u licenses, else "
            "$TMPDIR)\n",
            d.per_run, q.per_run, d.threads, MAX_THREADS, d.revocations, q.revocations, d.gets,
            q.gets, d.get_seconds, q.get_seconds, d.get_conns, MAX_THREADS, d.between, q.between,
            d.batch, q.batch, d.cli != NULL ? d.cli : "none built", SHM_MAX_LICENSES);
}

static bool
parse_sections(unsigned *out, const char *s)
{
    char part[16];

    *out = 0;
    while (s != NULL && *s != '\0') {
        const char *comma = strchr(s, ',');
        size_t len = comma != NULL ? (size_t) (comma - s) : strlen(s);
        bool known = false;

        if (len == 0 || len >= sizeof part) {
            return false;
        }
        memcpy(part, s, len);
        part[len] = '\0';
        for (size_t i = 0; i < LIBRO_NELEM(sections); i++) {
            if (strcmp(part, sections[i].name) == 0) {
                *out |= sections[i].bit;
                known = true;
            }
        }
        if (!known) {
            return false;
        }
        s = comma != NULL ? comma + 1 : NULL;
    }
    return *out != 0;
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
        if (strcmp(a, "--quick") == 0) {
            continue;
        }
        if (strcmp(a, "--only") == 0) {
            ok = parse_sections(&o->only, v);
        } else if (strcmp(a, "--issue") == 0) {
            ok = bench_parse_uint(&o->per_run, v, 1, 100000);
        } else if (strcmp(a, "--threads") == 0) {
            ok = bench_parse_uint(&o->threads, v, 1, MAX_THREADS);
        } else if (strcmp(a, "--revocations") == 0) {
            ok = bench_parse_uint(&o->revocations, v, MAX_THREADS, 1000000);
        } else if (strcmp(a, "--sizes") == 0) {
            ok = bench_parse_list(o->sizes, &o->n_sizes, MAX_SIZES, v, 1000, MAX_LICENSES);
        } else if (strcmp(a, "--percents") == 0) {
            ok = bench_parse_list(o->percents, &o->n_percents, MAX_PERCENTS, v, 1, 100);
        } else if (strcmp(a, "--gets") == 0) {
            ok = bench_parse_uint(&o->gets, v, MAX_THREADS, 10000000);
        } else if (strcmp(a, "--get-seconds") == 0) {
            unsigned secs = 0;

            ok = bench_parse_uint(&secs, v, 1, 3600);
            o->get_seconds = secs;
        } else if (strcmp(a, "--get-conns") == 0) {
            ok = bench_parse_uint(&o->get_conns, v, 1, MAX_THREADS);
        } else if (strcmp(a, "--between") == 0) {
            ok = bench_parse_uint(&o->between, v, 1, 1000);
        } else if (strcmp(a, "--batch") == 0) {
            ok = bench_parse_uint(&o->batch, v, 1, 1000000);
        } else if (strcmp(a, "--libro") == 0) {
            ok = v != NULL;
            o->cli = v;
        } else if (strcmp(a, "--large-dir") == 0) {
            ok = v != NULL && v[0] == '/';
            o->large_dir = v;
        } else {
            fprintf(stderr, "bench_registry: unknown option %.64s\n", a);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "bench_registry: %s: a missing or bad value\n", a);
            return 2;
        }
        i++;
    }
    for (size_t i = 0; i < o->n_sizes; i++) {
        if (o->between * CONSISTENCY_SYNCS > o->sizes[i] / 2) {
            fprintf(stderr, "bench_registry: --between: too many for a registry of %u\n",
                    o->sizes[i]);
            return 2;
        }
    }
    return 0;
}

static void
row(const char *name, double value, int decimals, const char *unit, const char *text)
{
    printf("%-40s %10.*f %-2s  %s\n", name, decimals, value, unit, text);
}

/* printf into `out` (a note of the summary); truncation is harmless here. */
static void note(char *out, size_t size, const char *fmt, ...) LIBRO_PRINTF(3, 4);

static void
note(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(out, size, fmt, ap) < 0) {
        out[0] = '\0';
    }
    va_end(ap);
}

static const char *
fast_dir(const char *tmp)
{
    struct stat st;

    return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
               ? "/dev/shm"
               : tmp;
}

/* The figures gathered for the summary. */
struct issue_figures {
    double emb;     /* in-process, one thread */
    double emb_par; /* in-process, o->threads threads */
    /* Through the write queue, o->threads then MAX_THREADS threads, in one job then split in
     * two (a reservation, a registration); 0: no queue in this tree. */
    double queued[4];
    double per_group[4]; /* jobs per commit there */
    double http;         /* over HTTP, one client */
    double http_par;     /* over HTTP, o->threads clients */
    double sodium_sv;
    double openssl_sv;
    double commits; /* raw SQLite commits per second beside the registry */
    double bytes_per_license;
};

struct get_figures {
    struct get_result status200;
    struct get_result status304;
    struct get_result bundle200;
    struct get_result bundle304;
};

static void
print_get(const char *what, const struct get_result *g)
{
    printf("   %-34s %9.0f /s   p50 %6.3f ms   p99 %6.3f ms   %7zu B  (%u GETs)\n", what,
           g->load.rate, g->load.p50_ms, g->load.p99_ms, g->body_len, g->requests);
}

/* 1. Issuing into the registry `small`: in-process then over HTTP, one thread then several. */
static struct issue_figures
section_issue(const struct opts *o, const struct bench_world *w, struct raw *raw, struct reg *small,
              const char *work)
{
    struct issue_figures f;
    struct board b;
    double emb[ISSUE_RUNS];
    double http[ISSUE_RUNS];
    double par[3];
    long long before = db_used_bytes(small->path);
    struct db_objects obj_before;
    struct db_objects obj_after;
    bool have_dbstat = db_objects(&obj_before, small->path);
    size_t jws_len;

    memset(&f, 0, sizeof f);
    board_open(&b, w, small, small->path);
    for (unsigned r = 0; r < ISSUE_RUNS; r++) {
        emb[r] = issue_run(&b, "E", r * o->per_run, o->per_run);
    }
    jws_len = b.jws_len;
    board_close(&b);
    f.bytes_per_license =
        (double) (db_used_bytes(small->path) - before) / ((double) o->per_run * ISSUE_RUNS);
    have_dbstat = have_dbstat && db_objects(&obj_after, small->path);
    for (unsigned r = 0; r < 3; r++) {
        char tag = (char) ('a' + r);

        par[r] = issue_parallel(w, small, small->path, tag, o->threads, o->per_run);
    }
    f.emb_par = bench_median(par, 3);
    for (unsigned k = 0; k < 4; k++) {
        double groups[3];

        for (unsigned r = 0; r < 3; r++) {
            char tag = (char) ('n' + 3 * k + r);

            par[r] = issue_queued(w, small, tag, k >= 2, k % 2 == 0 ? o->threads : MAX_THREADS,
                                  o->per_run, &groups[r]);
        }
        f.queued[k] = bench_median(par, 3);
        f.per_group[k] = bench_median(groups, 3);
    }
    board_open(&b, w, small, small->base_url);
    for (unsigned r = 0; r < ISSUE_RUNS; r++) {
        http[r] = issue_run(&b, "H", r * o->per_run, o->per_run);
    }
    board_close(&b);
    for (unsigned r = 0; r < 3; r++) {
        char tag = (char) ('k' + r);

        par[r] = issue_parallel(w, small, small->base_url, tag, o->threads, o->per_run);
    }
    f.http_par = bench_median(par, 3);
    f.emb = bench_median(emb, ISSUE_RUNS);
    f.http = bench_median(http, ISSUE_RUNS);
    f.sodium_sv = bench_rate(sodium_sign_verify_op, raw, 7, 0.3);
    f.openssl_sv = bench_rate(openssl_sign_verify_op, raw, 7, 0.3);
    f.commits = raw_commit_rate(work);
    printf("1. issue = reserve + sign + register (alone: bench_registry --only issue --issue %u "
           "--threads %u)\n",
           o->per_run, o->threads);
    printf("   %-68s %9.0f /s\n", "in-process, 1 thread (libro_issuer_issue_license, DB)", f.emb);
    printf("   %-68s %9.0f /s\n", "in-process, threads sharing the DB", f.emb_par);
    for (unsigned k = 0; k < 4 && f.queued[0] > 0; k++) {
        char what[80];

        note(what, sizeof what, "in-process, %u threads, one write queue, %s (%.1f jobs a commit)",
             k % 2 == 0 ? o->threads : MAX_THREADS, k < 2 ? "1 job" : "2 jobs", f.per_group[k]);
        printf("   %-68s %9.0f /s\n", what, f.queued[k]);
    }
    printf("   %-68s %9.0f /s\n", "over HTTP, 1 client (loopback)", f.http);
    printf("   %-68s %9.0f /s\n", "over HTTP, clients at once", f.http_par);
    printf("   %-68s %9.0f /s\n", "raw libsodium Ed25519 sign + verify", f.sodium_sv);
    printf("   %-68s %9.0f /s\n", "raw OpenSSL Ed25519 sign + verify", f.openssl_sv);
    printf("   %-68s %9.0f /s\n", "raw SQLite commits, one row each (WAL, synchronous=FULL)",
           f.commits);
    printf("   (1 thread: median of %u runs of %u; threads: %u x %u, median of 3; in-process / "
           "libsodium = %.3f)\n",
           ISSUE_RUNS, o->per_run, o->threads, o->per_run, f.emb / f.sodium_sv);
    printf("   stored: %.0f bytes per license (pages in use, database and WAL, after %u "
           "in-process issues; a license's JWS is %zu bytes)\n",
           f.bytes_per_license, o->per_run * ISSUE_RUNS, jws_len);
    if (have_dbstat) {
        db_objects_growth(&obj_before, &obj_after, o->per_run * ISSUE_RUNS);
    }
    printf("\n");
    fflush(stdout);
    return f;
}

/* 2. Revocations over HTTP at 1, 4 and 16 connections, distinct licenses each. */
static void
section_revoke(const struct opts *o, const struct bench_world *w, struct reg *small,
               bench_load rv[LIBRO_NELEM(revoke_conns)])
{
    unsigned k = (unsigned) LIBRO_NELEM(revoke_conns);
    struct board b;

    board_open(&b, w, small, small->path);
    (void) issue_run(&b, "R", 0, o->revocations * k);
    board_close(&b);
    for (unsigned i = 0; i < k; i++) {
        rv[i] = revoke_run(w, small, "R", i * o->revocations, o->revocations, revoke_conns[i]);
    }
    printf("2. revoke over HTTP, %u distinct licenses per run, per-request wall time (alone: "
           "bench_registry --only revoke --revocations %u)\n",
           o->revocations, o->revocations);
    for (unsigned i = 0; i < k; i++) {
        printf("   %2u connection%s %9.0f /s   p50 %6.2f ms   p99 %6.2f ms\n", revoke_conns[i],
               revoke_conns[i] == 1 ? " " : "s", rv[i].rate, rv[i].p50_ms, rv[i].p99_ms);
    }
    printf("\n");
    fflush(stdout);
}

/* GETs of the large registry's list 0 and bundle. */
static struct get_figures
large_gets(const struct opts *o, const struct reg *big)
{
    static const char status_path[] = "/v1/status/0/revocation";
    static const char bundle_path[] = "/v1/bundle";
    struct get_figures g;

    g.status200 = get_run(big->port, status_path, false, o->gets, o->get_seconds, o->get_conns);
    g.status304 = get_run(big->port, status_path, true, o->gets, o->get_seconds, o->get_conns);
    g.bundle200 = get_run(big->port, bundle_path, false, o->gets, o->get_seconds, o->get_conns);
    g.bundle304 = get_run(big->port, bundle_path, true, o->gets, o->get_seconds, o->get_conns);
    return g;
}

/* 4. The existing figures of one large registry: a list regenerated, a reservation, syncs. */
static void
section_sync(const struct opts *o, const struct bench_world *w, libro_registry *h, struct reg *big,
             unsigned pct, const char *work)
{
    libro_trust *t;
    libro_sync_report rep;
    struct bench_status st;
    char store[320];
    double warm_ms[WARM_SYNCS];
    double grow_ms[CONSISTENCY_SYNCS];
    double same_ms[NOT_MODIFIED_SYNCS];
    double reserve_big_ms;
    double first_ms;
    uint64_t grew_from = 0;
    uint64_t grew_to = 0;
    size_t n_lists;
    unsigned next = 1;
    int n;

    reserve_big_ms = reserve_ms(h);
    st = bench_status_regen(h, w, big->base_url, 0);
    printf("   regenerate the revocation list of pair 0 (%zu of %u bits set), median of %u\n",
           st.set_bits, LIBRO_STATUS_LIST_MIN_ENTRIES, STATUS_RUNS);
    printf("     %-50s %9.2f ms\n", "libro_registry_status_bits", st.read_ms);
    printf("     %-50s %9.2f ms\n", "libro_status_list_sign (GZIP, multibase, Ed25519)",
           st.sign_ms);
    printf("     %-50s %9.2f ms\n", "together", st.total_ms);
    printf("     encodedList %zu bytes, signed list %zu bytes\n", st.encoded_bytes, st.jws_bytes);
    printf("     %-50s %9.2f ms\n", "libro_registry_reserve_status (median of 21)", reserve_big_ms);

    t = trust_new(store, sizeof store, work, "trust", w);
    first_ms = timed_sync(t, big, false, &rep);
    n_lists = rep.status_lists;
    for (unsigned i = 0; i < WARM_SYNCS; i++) {
        char name[32];
        char path[320];
        libro_trust *warm;

        n = snprintf(name, sizeof name, "trust-%u", i);
        if (n < 0 || (size_t) n >= sizeof name) {
            bench_die("name", NULL);
        }
        warm = trust_new(path, sizeof path, work, name, w);
        warm_ms[i] = timed_sync(warm, big, false, &rep);
        libro_trust_free(warm);
        remove_tree(path);
    }
    for (unsigned i = 0; i < CONSISTENCY_SYNCS; i++) {
        revoke_direct(h, w, pct, &next, o->between);
        /* A bundle changes at most once a second: wait (untimed) for the second after the
         * last one, as a verifier that syncs daily always does. */
        while (libro_time_now() <= rep.issued) {
            struct timespec pause = {0, 10000000L};

            (void) nanosleep(&pause, NULL);
        }
        grow_ms[i] = timed_sync(t, big, false, &rep);
        if (i == 0) {
            grew_from = rep.log_grew_from;
            grew_to = rep.log_size;
        }
    }
    for (unsigned i = 0; i < NOT_MODIFIED_SYNCS; i++) {
        same_ms[i] = timed_sync(t, big, true, &rep);
    }
    printf("   libro_trust_sync (%zu status lists)\n", n_lists);
    printf("     %-50s %9.2f ms\n", "first sync, server cold (signs its lists)", first_ms);
    printf("     %-50s %9.2f ms\n", "first sync, server warm (median of 5 stores)",
           bench_median(warm_ms, WARM_SYNCS));
    printf("     %-50s %9.2f ms\n", "after revocations (consistency proof, med. of 3)",
           bench_median(grow_ms, CONSISTENCY_SYNCS));
    printf("     %-50s %9.2f ms\n", "not modified (304, median of 7)",
           bench_median(same_ms, NOT_MODIFIED_SYNCS));
    printf("     (%u revocations by libro_registry_change between syncs; the log grew from "
           "%llu to %llu leaves)\n",
           o->between, (unsigned long long) grew_from, (unsigned long long) grew_to);
    libro_trust_free(t);
    remove_tree(store);
}

int
main(int argc, char **argv)
{
    struct opts o;
    struct bench_world w;
    struct raw raw;
    struct reg small;
    struct reg big;
    struct issue_figures fi;
    bench_load rv[LIBRO_NELEM(revoke_conns)];
    struct get_figures gets[MAX_SIZES][MAX_PERCENTS];
    struct expiring_result ex[MAX_SIZES];
    struct expiring_result exj[MAX_SIZES];
    double big_bytes[MAX_SIZES];
    const char *tmp = getenv("TMPDIR");
    char work[256];
    char fast[256];
    char line[200];
    struct batch_result batch_db;
    struct batch_result batch_http;
    bool have_cli;
    bool have_batch = false;
    int n;

    bench_name = "bench_registry";
    n = opts_parse(&o, argc, argv);
    if (n != 0) {
        usage(n == 1 ? stdout : stderr);
        return n == 1 ? 0 : 2;
    }
    have_cli = o.cli != NULL && access(o.cli, X_OK) == 0;
    if (tmp == NULL || tmp[0] != '/') {
        tmp = "/tmp";
    }
    n = snprintf(work, sizeof work, "%s/libro-bench-XXXXXX", tmp);
    if (n < 0 || (size_t) n >= sizeof work || mkdtemp(work) == NULL) {
        bench_die("work directory", NULL);
    }
    n = snprintf(fast, sizeof fast, "%s/libro-bench-XXXXXX", fast_dir(tmp));
    if (n < 0 || (size_t) n >= sizeof fast || mkdtemp(fast) == NULL) {
        bench_die("work directory", NULL);
    }
    if (sodium_init() < 0) {
        bench_die("sodium_init", NULL);
    }
    bench_world_init(&w);
    raw_init(&raw, &w);
    printf("libro registry benchmark:");
    for (int i = 0; i < argc; i++) {
        printf(" %s", argv[i]);
    }
    printf("\nEd25519; registries in %s (synchronous=FULL); small large registries in %s\n\n", work,
           fast);
    fflush(stdout);
    memset(&fi, 0, sizeof fi);
    memset(rv, 0, sizeof rv);

    if ((o.only & (SEC_ISSUE | SEC_REVOKE)) != 0) {
        libro_registry_close(reg_create(&small, &w, work, "issue.db"));
        if ((o.only & SEC_ISSUE) != 0) {
            fi = section_issue(&o, &w, &raw, &small, work);
        }
        if ((o.only & SEC_REVOKE) != 0) {
            section_revoke(&o, &w, &small, rv);
        }
        reg_remove(&small);
    }

    for (size_t s = 0; s < o.n_sizes && (o.only & (SEC_LARGE | SEC_EXPIRING)) != 0; s++) {
        const char *dir = o.large_dir != NULL              ? o.large_dir
                          : o.sizes[s] <= SHM_MAX_LICENSES ? fast
                                                           : work;
        double t0 = bench_now();
        unsigned prev = 0;
        libro_registry *h = big_create(&big, &w, dir, o.sizes[s]);

        printf("3. a registry of %u licenses in %s (%u status list pairs; set up in %.1f s, "
               "not a figure)\n",
               o.sizes[s], dir, (o.sizes[s] + PER_LIST - 1) / PER_LIST, bench_now() - t0);
        for (size_t p = 0; p < o.n_percents; p++) {
            t0 = bench_now();
            reg_pause(&big);
            revoke_share(big.path, o.sizes[s], prev, o.percents[p]);
            reg_serve(&big, &w);
            prev = o.percents[p];
            t0 = bench_now() - t0;
            if ((o.only & SEC_LARGE) != 0) {
                gets[s][p] = large_gets(&o, &big);
                printf("   %u%% revoked (set up in %.1f s): GETs, at most %u requests or %g s over "
                       "%u keep-alive connections\n   (alone: bench_registry --only large "
                       "--sizes %u --percents %u --gets %u --get-seconds %g --get-conns %u)\n",
                       o.percents[p], t0, o.gets, o.get_seconds, o.get_conns, o.sizes[s],
                       o.percents[p], o.gets, o.get_seconds, o.get_conns);
                print_get("status list 0, 200", &gets[s][p].status200);
                print_get("status list 0, 304 (If-None-Match)", &gets[s][p].status304);
                print_get("bundle, 200", &gets[s][p].bundle200);
                print_get("bundle, 304 (If-None-Match)", &gets[s][p].bundle304);
                fflush(stdout);
                if (s == 0 && p == 0) {
                    section_sync(&o, &w, h, &big, o.percents[p], work);
                }
            }
            if ((o.only & SEC_EXPIRING) != 0 && p == 0) {
                if (!have_cli) {
                    printf("   expiring: skipped: no libro CLI (--libro PATH)\n");
                } else {
                    ex[s] = expiring_cli(o.cli, big.path, false);
                    exj[s] = expiring_cli(o.cli, big.path, true);
                    printf("   libro license expiring --db FILE --within %u, median of %u "
                           "(alone: bench_registry --only expiring --sizes %u)\n",
                           EXPIRING_DAYS, EXPIRING_RUNS, o.sizes[s]);
                    printf("     %-16s %9.1f ms   peak RSS %7.1f MB   %lu lines\n", "text",
                           ex[s].ms, ex[s].max_rss_mb, ex[s].rows);
                    printf("     %-16s %9.1f ms   peak RSS %7.1f MB   %lu lines\n", "--json",
                           exj[s].ms, exj[s].max_rss_mb, exj[s].rows);
                }
            }
            fflush(stdout);
        }
        big_bytes[s] = (double) db_used_bytes(big.path) / o.sizes[s];
        printf("   stored: %.0f bytes per license (copies of one license's license* rows, no log "
               "leaves)\n\n",
               big_bytes[s]);
        libro_registry_close(h);
        reg_remove(&big);
    }

    if ((o.only & SEC_BATCH) != 0) {
        have_batch = have_cli && cli_has_option(o.cli, "--batch");
        if (!have_batch) {
            printf("5. libro issue license --batch: skipped: %s\n\n",
                   have_cli ? "this libro has no --batch" : "no libro CLI (--libro PATH)");
        } else {
            libro_registry_close(reg_create(&small, &w, work, "batch.db"));
            batch_db = batch_cli(o.cli, work, &w, &small, true, "L", o.batch);
            batch_http = batch_cli(o.cli, work, &w, &small, false, "U", o.batch);
            reg_remove(&small);
            printf("5. libro issue license --batch, a CSV file of %u licenses, the whole process "
                   "(alone: bench_registry --only batch --batch %u)\n",
                   o.batch, o.batch);
            printf("   %-16s %9.0f /s   %9.1f ms (CPU %9.1f ms)   peak RSS %6.1f MB\n",
                   "--registry DB", batch_db.rate, batch_db.ms, batch_db.cpu_ms,
                   batch_db.max_rss_mb);
            printf("   %-16s %9.0f /s   %9.1f ms (CPU %9.1f ms)   peak RSS %6.1f MB\n\n",
                   "--registry URL", batch_http.rate, batch_http.ms, batch_http.cpu_ms,
                   batch_http.max_rss_mb);
        }
        fflush(stdout);
    }

    printf("summary\n%-40s %10s %-2s  %s\n", "figure", "value", "", "note");
    if ((o.only & SEC_ISSUE) != 0) {
        note(line, sizeof line, "%.3f x libsodium sign+verify (%.0f /s; OpenSSL %.0f /s)",
             fi.emb / fi.sodium_sv, fi.sodium_sv, fi.openssl_sv);
        row("issue, in-process, 1 thread", fi.emb, 0, "/s", line);
        note(line, sizeof line, "%u threads, one database", o.threads);
        row("issue, in-process, threads", fi.emb_par, 0, "/s", line);
        for (unsigned k = 0; k < 4 && fi.queued[0] > 0; k++) {
            static const char *const names[] = {
                "issue, write queue, threads", "issue, write queue, 16 threads",
                "issue, write queue, threads, split", "issue, write queue, 16 thr., split"};

            note(line, sizeof line, "%u threads, %.1f jobs a commit%s",
                 k % 2 == 0 ? o.threads : MAX_THREADS, fi.per_group[k],
                 k < 2 ? ", signed in the job" : ": reserve, sign outside, register");
            row(names[k], fi.queued[k], 0, "/s", line);
        }
        note(line, sizeof line, "%.3f x libsodium sign+verify", fi.http / fi.sodium_sv);
        row("issue, HTTP, 1 client", fi.http, 0, "/s", line);
        note(line, sizeof line, "%u clients", o.threads);
        row("issue, HTTP, clients", fi.http_par, 0, "/s", line);
        row("raw SQLite commits (yardstick)", fi.commits, 0, "/s",
            "one row each, WAL, synchronous=FULL, beside the registry");
        row("stored per license", fi.bytes_per_license, 0, "B", "registered through the API");
    }
    if ((o.only & SEC_REVOKE) != 0) {
        for (size_t i = 0; i < LIBRO_NELEM(revoke_conns); i++) {
            char name[64];

            note(name, sizeof name, "revoke, HTTP, %u conn., p99", revoke_conns[i]);
            note(line, sizeof line, "%.0f /s, p50 %.2f ms", rv[i].rate, rv[i].p50_ms);
            row(name, rv[i].p99_ms, 2, "ms", line);
        }
    }
    for (size_t s = 0; s < o.n_sizes && (o.only & SEC_LARGE) != 0; s++) {
        for (size_t p = 0; p < o.n_percents; p++) {
            char name[64];
            const struct get_figures *g = &gets[s][p];

            note(name, sizeof name, "GET status 200, %uk, %u%%", o.sizes[s] / 1000, o.percents[p]);
            note(line, sizeof line, "p99 %.2f ms; 304: %.0f /s, p99 %.2f ms",
                 g->status200.load.p99_ms, g->status304.load.rate, g->status304.load.p99_ms);
            row(name, g->status200.load.rate, 0, "/s", line);
            note(name, sizeof name, "GET bundle 200, %uk, %u%%", o.sizes[s] / 1000, o.percents[p]);
            note(line, sizeof line, "p99 %.2f ms; 304: %.0f /s, p99 %.2f ms",
                 g->bundle200.load.p99_ms, g->bundle304.load.rate, g->bundle304.load.p99_ms);
            row(name, g->bundle200.load.rate, 0, "/s", line);
        }
        if (o.n_percents > 1) {
            const struct get_figures *lo = &gets[s][0];
            const struct get_figures *hi = &gets[s][o.n_percents - 1];
            char name[64];

            note(name, sizeof name, "GET %u%% / %u%%, %uk", o.percents[o.n_percents - 1],
                 o.percents[0], o.sizes[s] / 1000);
            note(line, sizeof line, "status 304 %.2f, bundle 200 %.2f, bundle 304 %.2f",
                 hi->status304.load.rate / lo->status304.load.rate,
                 hi->bundle200.load.rate / lo->bundle200.load.rate,
                 hi->bundle304.load.rate / lo->bundle304.load.rate);
            row(name, hi->status200.load.rate / lo->status200.load.rate, 2, "x", line);
        }
    }
    for (size_t s = 0; s < o.n_sizes && (o.only & SEC_EXPIRING) != 0 && have_cli; s++) {
        char name[64];

        note(name, sizeof name, "expiring %u d, %uk, CLI", EXPIRING_DAYS, o.sizes[s] / 1000);
        note(line, sizeof line, "peak RSS %.1f MB, %lu rows; --json %.1f ms, %.1f MB",
             ex[s].max_rss_mb, ex[s].rows, exj[s].ms, exj[s].max_rss_mb);
        row(name, ex[s].ms, 1, "ms", line);
    }

    if (have_batch) {
        note(line, sizeof line, "%u licenses, one process; over HTTP %.0f /s", o.batch,
             batch_http.rate);
        row("issue --batch, DB", batch_db.rate, 0, "/s", line);
    }
    for (size_t i = 0; i < 3; i++) {
        static const char *const files[] = {"board.pem", "board-auth.jws", "charter.jws"};
        char path[320];

        bench_path_join(path, sizeof path, work, files[i]);
        (void) unlink(path);
    }
    (void) rmdir(work);
    (void) rmdir(fast);
    raw_clear(&raw);
    bench_world_clear(&w);
    return 0;
}
