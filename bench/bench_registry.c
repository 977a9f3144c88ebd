/* The registry under load: licenses issued and registered per second (in-process and over
 * HTTP), revocations per second over HTTP with their latency, the time to regenerate a status
 * list, and a verifier's trust bundle sync, against the raw Ed25519 speed of libsodium and
 * OpenSSL measured in the same run.
 *
 *   bench_registry [ISSUED_PER_RUN [REVOCATIONS [LICENSES [REVOKED_BETWEEN_SYNCS]]]]
 *       (defaults: 200 licenses per run, 500 revocations, a registry of 100000 licenses,
 *        100 revocations between syncs)
 *
 * Reproduce (from the source tree; about 75 s on 2 cores with the defaults):
 *   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release &&
 *   cmake --build build-bench -j2 --target bench_registry && build-bench/bench/bench_registry
 *
 * Issuing and revoking run against a registry in $TMPDIR (else /tmp): SQLite in WAL mode with
 * synchronous=FULL, so every write waits for its fsync, as in production. The servers are
 * in-process libro_servers on 127.0.0.1 with their default 4 worker threads and the write
 * rate limit raised out of the way; libro_http_fetch opens a connection per request, as the
 * issuer commands do. The large registry of parts 3 and 4 is built in /dev/shm when it
 * exists: its status indexes are reserved in one SQLite transaction, then each license is
 * signed (on a second thread, a batch ahead) and registered with libro_registry_register. Its
 * setup time is printed but is not a figure. */
#include <dirent.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_util.h"
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

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define REGISTRY_ID COMMUNITY ":registry"
#define BOARD COMMUNITY ":health-board"
#define NURSING "nursing-general"
#define ISSUE_RUNS 5
#define STATUS_RUNS 7
#define WARM_SYNCS 5
#define CONSISTENCY_SYNCS 3
#define NOT_MODIFIED_SYNCS 7
#define MAX_THREADS 4
#define RESERVE_RUNS 21
#define SETUP_BATCH 1000u
/* Pairs close once 7/8 of their indexes are reserved: keep the large registry in one pair. */
#define MAX_LICENSES (LIBRO_STATUS_LIST_MIN_ENTRIES / 8u * 7u)

/* The community, its health board (the issuer) and the keys, shared by both registries. */
struct world {
    libro_key *town;
    libro_key *board;
    libro_key *registry;
    char *charter;    /* the town's self-charter (compact JWS) */
    char *board_auth; /* the board's IssuerAuthorization */
    char *kid;        /* the board key's kid */
    int64_t now;
};

/* One registry database, optionally served. */
struct reg {
    char path[300];
    char base_url[64]; /* http://127.0.0.1:<port>: the licenses' status URLs and the aud */
    uint16_t port;
    libro_server *server;
};

static void
path_join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);

    if (n < 0 || (size_t) n >= size) {
        bench_die("path too long", NULL);
    }
}

static libro_credential *
new_cred(libro_cred_type type, const char *issuer, const char *subject, const char *name,
         int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    if (libro_credential_new(&c, type, &err) != LIBRO_OK) {
        bench_die("credential", &err);
    }
    c->issuer = bench_strdup(issuer);
    c->subject_id = subject == NULL ? NULL : bench_strdup(subject);
    c->name = bench_strdup(name);
    c->valid_from = now - 30 * DAY;
    c->valid_until = now + 1800 * DAY;
    return c;
}

/* Sign `c` with `k`, release `c`, return the compact JWS (libro_free). */
static char *
sign_free(libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    if (libro_issuer_sign(&out, c, k, &err) != LIBRO_OK) {
        bench_die("sign", &err);
    }
    libro_credential_free(c);
    return (char *) libro_buf_detach(&out, NULL);
}

static void
world_init(struct world *w)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_credential *c;

    memset(w, 0, sizeof *w);
    w->now = libro_time_now();
    if (libro_key_generate(&w->town, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&w->board, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&w->registry, LIBRO_ALG_ED25519, &err) != LIBRO_OK) {
        bench_die("keys", &err);
    }
    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", w->now);
    c->level = 2;
    c->allowed_types = bench_list1(NURSING);
    c->n_allowed = 1;
    if (libro_key_public(&c->subject_key, w->town, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    w->charter = sign_free(c, w->town);

    c = new_cred(LIBRO_CRED_ISSUER_AUTH, COMMUNITY, BOARD, "Town 7 Health Board", w->now);
    c->grants = libro_calloc(1, sizeof *c->grants);
    if (c->grants == NULL) {
        bench_die("out of memory", NULL);
    }
    c->grants[0].id = bench_strdup(NURSING);
    c->grants[0].validity_days = 1095;
    c->n_grants = 1;
    if (libro_key_public(&c->subject_key, w->board, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    w->board_auth = sign_free(c, w->town);
    if (libro_kid_for(&kid, BOARD, w->board, &err) != LIBRO_OK) {
        bench_die("kid", &err);
    }
    w->kid = (char *) libro_buf_detach(&kid, NULL);
}

static void
world_clear(struct world *w)
{
    libro_free(w->charter);
    libro_free(w->board_auth);
    libro_free(w->kid);
    libro_key_free(w->town);
    libro_key_free(w->board);
    libro_key_free(w->registry);
}

/* Serve r->path on an ephemeral loopback port; r->port and r->base_url (http://127.0.0.1:<port>,
 * the licenses' status URLs and the requests' audience) name it. */
static void
reg_serve(struct reg *r, const struct world *w)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    int n;

    opt.db_path = r->path;
    opt.registry_key = w->registry;
    opt.write_rate = 1000000u; /* the limiter is not what is measured */
    opt.write_burst = 1000000u;
    if (libro_server_start(&r->server, &opt, &err) != LIBRO_OK) {
        bench_die("server", &err);
    }
    r->port = libro_server_port(r->server);
    n = snprintf(r->base_url, sizeof r->base_url, "%s", libro_server_base_url(r->server));
    if (n < 0 || (size_t) n >= sizeof r->base_url) {
        bench_die("url", NULL);
    }
}

/* Create the registry at r->path for the world, with the nursing type and the board allowed
 * to write over the API, and serve it (idle until asked: its URL must be known before any
 * license names it); returns an open handle. */
static libro_registry *
reg_create(struct reg *r, const struct world *w, const char *dir, const char *name)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0};
    char type_id[] = NURSING;
    libro_registry *h = NULL;
    libro_credential *c;
    char *auth;

    path_join(r->path, sizeof r->path, dir, name);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, REGISTRY_ID, "Town 7 Registry", w->now);
    c->url = bench_strdup("http://127.0.0.1");
    if (libro_key_public(&c->subject_key, w->registry, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    auth = sign_free(c, w->town);
    t.id = type_id;
    if (libro_registry_create(r->path, w->charter, auth, &err) != LIBRO_OK ||
        libro_registry_open(&h, r->path, &err) != LIBRO_OK ||
        libro_registry_define_type(h, NULL, &t, "council", &err) != LIBRO_OK ||
        libro_registry_authorize_issuer(h, NULL, w->board_auth, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                        "council", w->now, &err) != LIBRO_OK) {
        bench_die("registry", &err);
    }
    libro_free(auth);
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
    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        int n = snprintf(name, sizeof name, "%s%s", r->path, suffixes[i]);

        if (n > 0 && (size_t) n < sizeof name) {
            (void) unlink(name);
        }
    }
}

/* The database and its write-ahead log, in bytes. */
static long long
reg_bytes(const struct reg *r)
{
    static const char *const suffixes[] = {"", "-wal"};
    long long total = 0;
    char name[320];
    struct stat st;

    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        int n = snprintf(name, sizeof name, "%s%s", r->path, suffixes[i]);

        if (n > 0 && (size_t) n < sizeof name && stat(name, &st) == 0) {
            total += (long long) st.st_size;
        }
    }
    return total;
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
            path_join(sub, sizeof sub, path, e->d_name);
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

static void
license_number(char *out, size_t size, const char *prefix, unsigned i)
{
    int n = snprintf(out, size, "T7-%s-%07u", prefix, i);

    if (n < 0 || (size_t) n >= size) {
        bench_die("license number", NULL);
    }
}

/* The board's signed license `number` with its status entries at (list, index) under
 * `base_url` (or the URLs a remote registry named), into `out` (cleared first). */
static void
license_sign(libro_buf *out, const struct world *w, const char *base_url, const char *number,
             uint32_t list, uint32_t index, const char *revocation, const char *suspension)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = new_cred(LIBRO_CRED_LICENSE, BOARD, NULL, "Ada Example", w->now);
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

/* Issue `count` licenses through `c` (numbers prefix-first..), returning licenses per second. */
static double
issue_run(libro_registry_client *c, const struct world *w, const struct reg *r, const char *prefix,
          unsigned first, unsigned count)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    char number[32];
    double t0 = bench_now();

    for (unsigned i = 0; i < count; i++) {
        uint32_t list = 0;
        uint32_t index = 0;
        char *revocation = NULL;
        char *suspension = NULL;
        char *message = NULL;

        license_number(number, sizeof number, prefix, first + i);
        if (libro_registry_client_reserve(c, &list, &index, &revocation, &suspension, &message,
                                          &err) != LIBRO_OK) {
            bench_die("reserve", &err);
        }
        license_sign(&jws, w, r->base_url, number, list, index, revocation, suspension);
        if (libro_registry_client_register(c, (const char *) jws.data, list, index, &err) !=
            LIBRO_OK) {
            bench_die("register", &err);
        }
        libro_free(revocation);
        libro_free(suspension);
        libro_free(message);
    }
    libro_buf_free(&jws);
    return (double) count / (bench_now() - t0);
}

static libro_registry_client *
client_open(const struct world *w, const char *target)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *c = NULL;

    if (libro_registry_client_open(&c, target, w->board, w->kid, "health board", NULL, &err) !=
        LIBRO_OK) {
        bench_die("registry client", &err);
    }
    return c;
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
raw_init(struct raw *x, const struct world *w)
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
    pthread_t thread;
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

        license_number(number, sizeof number, rv->prefix, rv->first + i);
        t0 = bench_now();
        if (libro_registry_client_change(rv->client, number, LIBRO_ACTION_REVOKE, "benchmark",
                                         &err) != LIBRO_OK) {
            bench_die("revoke", &err);
        }
        rv->latency_ms[i] = (bench_now() - t0) * 1000.0;
    }
    return NULL;
}

struct revoke_result {
    double rate;
    double p50_ms;
    double p99_ms;
};

/* Revoke licenses prefix-first.. first+count-1 with `threads` clients of their own. */
static struct revoke_result
revoke_run(const struct world *w, const struct reg *r, const char *prefix, unsigned first,
           unsigned count, unsigned threads)
{
    struct revoker rv[MAX_THREADS];
    struct revoke_result res;
    double *lat = calloc(count, sizeof *lat);
    unsigned done = 0;
    double t0;

    if (lat == NULL) {
        bench_die("out of memory", NULL);
    }
    for (unsigned t = 0; t < threads; t++) {
        unsigned share = count / threads + (t < count % threads ? 1u : 0u);

        rv[t].client = client_open(w, r->base_url);
        rv[t].prefix = prefix;
        rv[t].first = first + done;
        rv[t].count = share;
        rv[t].latency_ms = lat + done;
        done += share;
    }
    t0 = bench_now();
    for (unsigned t = 0; t < threads; t++) {
        if (pthread_create(&rv[t].thread, NULL, revoke_thread, &rv[t]) != 0) {
            bench_die("thread", NULL);
        }
    }
    for (unsigned t = 0; t < threads; t++) {
        (void) pthread_join(rv[t].thread, NULL);
    }
    res.rate = (double) count / (bench_now() - t0);
    for (unsigned t = 0; t < threads; t++) {
        libro_registry_client_close(rv[t].client);
    }
    res.p99_ms = bench_percentile(lat, count, 99.0);
    res.p50_ms = bench_percentile(lat, count, 50.0);
    free(lat);
    return res;
}

/* ---- 3. a status list, regenerated ------------------------------------------------------- */

struct status_result {
    double read_ms;  /* median libro_registry_status_bits */
    double sign_ms;  /* median libro_status_list_sign */
    double total_ms; /* median of both together */
    size_t set_bits;
    size_t encoded_bytes; /* encodedList text */
    size_t jws_bytes;     /* the signed BitstringStatusListCredential */
};

static struct status_result
status_regen(libro_registry *h, const struct world *w, const struct reg *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct status_result res;
    double read[STATUS_RUNS];
    double sign[STATUS_RUNS];
    double total[STATUS_RUNS];
    char id[128];
    char issuer[] = REGISTRY_ID;
    libro_buf encoded = LIBRO_BUF_INIT;
    int n = snprintf(id, sizeof id, "%s/v1/status/0/revocation", r->base_url);

    if (n < 0 || (size_t) n >= sizeof id) {
        bench_die("url", NULL);
    }
    memset(&res, 0, sizeof res);
    for (unsigned i = 0; i < STATUS_RUNS; i++) {
        libro_status_list s;
        libro_buf jws = LIBRO_BUF_INIT;
        double t0 = bench_now();
        double t1;

        memset(&s, 0, sizeof s);
        if (libro_registry_status_bits(h, &s.bits, 0, LIBRO_STATUS_REVOCATION, &err) != LIBRO_OK) {
            bench_die("status bits", &err);
        }
        t1 = bench_now();
        s.id = id; /* borrowed, as is the issuer: only the bits are freed below */
        s.issuer = issuer;
        s.valid_from = w->now;
        s.valid_until = w->now + DAY;
        s.purpose = LIBRO_STATUS_REVOCATION;
        if (libro_status_list_sign(&jws, &s, w->registry, &err) != LIBRO_OK) {
            bench_die("status list sign", &err);
        }
        total[i] = (bench_now() - t0) * 1000.0;
        read[i] = (t1 - t0) * 1000.0;
        sign[i] = total[i] - read[i];
        if (i == 0) {
            res.jws_bytes = jws.len;
            for (size_t b = 0; b < s.bits.n_entries; b++) {
                res.set_bits += libro_bitstring_get(&s.bits, b) ? 1u : 0u;
            }
            if (libro_bitstring_encode(&encoded, &s.bits, &err) != LIBRO_OK) {
                bench_die("encode", &err);
            }
            res.encoded_bytes = encoded.len;
        }
        libro_buf_free(&jws);
        libro_bitstring_free(&s.bits);
    }
    libro_buf_free(&encoded);
    res.read_ms = bench_median(read, STATUS_RUNS);
    res.sign_ms = bench_median(sign, STATUS_RUNS);
    res.total_ms = bench_median(total, STATUS_RUNS);
    return res;
}

/* ---- 4. trust bundle sync ---------------------------------------------------------------- */

/* A fresh trust store at dir/name with the town pinned. */
static libro_trust *
trust_new(char *path, size_t size, const char *dir, const char *name, const struct world *w)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;

    path_join(path, size, dir, name);
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

static size_t
bundle_bytes(const struct reg *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    char url[128];
    size_t len;
    int n = snprintf(url, sizeof url, "%s/v1/bundle", r->base_url);

    if (n < 0 || (size_t) n >= sizeof url) {
        bench_die("url", NULL);
    }
    req.url = url;
    req.max_response_bytes = LIBRO_MAX_BUNDLE_TOKEN_BYTES;
    if (libro_http_fetch(&resp, &req, &err) != LIBRO_OK || resp.status != 200) {
        bench_die("bundle fetch", &err);
    }
    len = resp.body.len;
    libro_http_response_clear(&resp);
    return len;
}

/* Revoke `count` licenses of the large registry, skipping every 100th (revoked at setup);
 * *next is the number to try next. */
static void
revoke_direct(libro_registry *h, const struct world *w, unsigned *next, unsigned count)
{
    libro_error err = LIBRO_ERROR_INIT;
    char number[32];

    for (unsigned i = 0; i < count; (*next)++) {
        if (*next % 100u == 0) {
            continue;
        }
        license_number(number, sizeof number, "B", *next);
        if (libro_registry_change(h, NULL, number, LIBRO_ACTION_REVOKE, "registrar", "benchmark",
                                  w->now, &err) != LIBRO_OK) {
            bench_die("revoke", &err);
        }
        i++;
    }
}

/* ---- the large registry ------------------------------------------------------------------ */

/* Reserve `count` distinct random indexes of list 0 in one transaction, as
 * libro_registry_reserve_status would one by one (each its own transaction and fsync), into
 * out[0..count): this is setup, not a figure. */
static void
prereserve(uint32_t *out, unsigned count, const char *db_path)
{
    uint32_t *all = malloc(LIBRO_STATUS_LIST_MIN_ENTRIES * sizeof *all);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    if (all == NULL) {
        bench_die("out of memory", NULL);
    }
    for (uint32_t i = 0; i < LIBRO_STATUS_LIST_MIN_ENTRIES; i++) {
        all[i] = i;
    }
    /* A partial Fisher-Yates shuffle: the first `count` are a uniform random sample. */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t j = i + randombytes_uniform(LIBRO_STATUS_LIST_MIN_ENTRIES - i);
        uint32_t tmp = all[i];

        all[i] = all[j];
        all[j] = tmp;
        out[i] = all[i];
    }
    free(all);
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO status_slot (list, idx) VALUES (0, ?1)", -1, &st,
                           NULL) != SQLITE_OK) {
        bench_die("prereserve", NULL);
    }
    for (unsigned i = 0; i < count; i++) {
        if (sqlite3_bind_int64(st, 1, out[i]) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE ||
            sqlite3_reset(st) != SQLITE_OK) {
            bench_die("prereserve", NULL);
        }
    }
    if (sqlite3_finalize(st) != SQLITE_OK ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_close(db) != SQLITE_OK) {
        bench_die("prereserve", NULL);
    }
}

/* A batch of licenses of the large registry to sign, on a thread of its own. */
struct sign_batch {
    pthread_t thread;
    const struct world *w;
    const struct reg *r;
    const uint32_t *index; /* of license `first` */
    unsigned first;
    unsigned count;
    libro_buf *out; /* count signed licenses */
};

static void *
sign_batch_thread(void *p)
{
    struct sign_batch *b = p;
    char number[32];

    for (unsigned i = 0; i < b->count; i++) {
        license_number(number, sizeof number, "B", b->first + i);
        license_sign(&b->out[i], b->w, b->r->base_url, number, 0, b->index[i], NULL, NULL);
    }
    return NULL;
}

static void
sign_batch_start(struct sign_batch *b, const uint32_t *index, unsigned first, unsigned total)
{
    b->index = index + first;
    b->first = first;
    b->count = total - first < SETUP_BATCH ? total - first : SETUP_BATCH;
    if (pthread_create(&b->thread, NULL, sign_batch_thread, b) != 0) {
        bench_die("thread", NULL);
    }
}

/* Register `count` licenses at pre-reserved indexes and revoke every 100th. Batches are signed
 * on a second thread while the one before is registered (libro_registry_register: one write
 * transaction each). Returns the seconds it took. */
static double
populate(libro_registry *h, const struct world *w, const struct reg *r, unsigned count)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct sign_batch b[2];
    uint32_t *index = malloc(count * sizeof *index);
    libro_buf *bufs = calloc(2 * SETUP_BATCH, sizeof *bufs);
    char number[32];
    double t0 = bench_now();
    unsigned k = 0;

    if (index == NULL || bufs == NULL) {
        bench_die("out of memory", NULL);
    }
    prereserve(index, count, r->path);
    for (unsigned i = 0; i < 2; i++) {
        b[i].w = w;
        b[i].r = r;
        b[i].out = bufs + i * SETUP_BATCH;
    }
    sign_batch_start(&b[0], index, 0, count);
    for (unsigned first = 0; first < count; first += SETUP_BATCH, k ^= 1u) {
        (void) pthread_join(b[k].thread, NULL);
        if (first + SETUP_BATCH < count) {
            sign_batch_start(&b[k ^ 1u], index, first + SETUP_BATCH, count);
        }
        for (unsigned i = 0; i < b[k].count; i++) {
            if (libro_registry_register(h, NULL, (const char *) b[k].out[i].data, 0, b[k].index[i],
                                        "health board", w->now, &err) != LIBRO_OK) {
                bench_die("register", &err);
            }
        }
    }
    for (unsigned i = 0; i < count; i += 100) {
        license_number(number, sizeof number, "B", i);
        if (libro_registry_change(h, NULL, number, LIBRO_ACTION_REVOKE, "registrar", "benchmark",
                                  w->now, &err) != LIBRO_OK) {
            bench_die("revoke", &err);
        }
    }
    for (unsigned i = 0; i < 2 * SETUP_BATCH; i++) {
        libro_buf_free(&bufs[i]);
    }
    free(bufs);
    free(index);
    return bench_now() - t0;
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

/* ---- main -------------------------------------------------------------------------------- */

static void
row(const char *name, double value, int decimals, const char *unit, const char *text)
{
    printf("%-36s %9.*f %-2s  %s\n", name, decimals, value, unit, text);
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

static bool
arg_u64(uint64_t *out, int argc, char **argv, int i, uint64_t min, uint64_t max)
{
    if (argc <= i) {
        return true;
    }
    return libro_parse_u64(out, argv[i], strlen(argv[i]), max, NULL) == LIBRO_OK && *out >= min;
}

static const char *
fast_dir(const char *tmp)
{
    struct stat st;

    return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
               ? "/dev/shm"
               : tmp;
}

int
main(int argc, char **argv)
{
    struct world w;
    struct raw raw;
    struct reg small;
    struct reg big;
    libro_registry *h;
    libro_registry_client *c;
    libro_trust *t;
    libro_trust *warm;
    libro_sync_report rep;
    struct revoke_result rv1;
    struct revoke_result rv4;
    struct status_result st;
    const char *tmp = getenv("TMPDIR");
    char work[256];
    char fast[256];
    char store[320];
    uint64_t per_run = 200;
    uint64_t revocations = 500;
    uint64_t licenses = 100000;
    uint64_t between = 100;
    double embedded[ISSUE_RUNS];
    double http[ISSUE_RUNS];
    double warm_ms[WARM_SYNCS];
    double grow_ms[CONSISTENCY_SYNCS];
    double same_ms[NOT_MODIFIED_SYNCS];
    double emb_rate;
    double http_rate;
    double sodium_sv;
    double openssl_sv;
    double setup_s;
    double reserve_big_ms;
    double first_ms;
    double warm_med;
    double grow_med;
    double same_med;
    size_t bundle_len;
    unsigned issued;
    unsigned next = 1;
    uint64_t grew_from = 0;
    uint64_t grew_to = 0;
    size_t n_lists = 0;
    char line[160];
    int n;

    bench_name = "bench_registry";
    if (!arg_u64(&per_run, argc, argv, 1, 1, 100000) ||
        !arg_u64(&revocations, argc, argv, 2, MAX_THREADS, 1000000) ||
        !arg_u64(&licenses, argc, argv, 3, 1000, MAX_LICENSES) ||
        !arg_u64(&between, argc, argv, 4, 1, 1000) || argc > 5 ||
        between * CONSISTENCY_SYNCS > licenses / 2) {
        fprintf(stderr,
                "usage: bench_registry [ISSUED_PER_RUN [REVOCATIONS (>= %u) [LICENSES "
                "(1000-%u) [REVOKED_BETWEEN_SYNCS (1-1000)]]]]\n",
                MAX_THREADS, MAX_LICENSES);
        return 2;
    }
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
    world_init(&w);
    raw_init(&raw, &w);
    printf("libro registry benchmark: Ed25519, 2 x %u licenses issued, %u revoked x 2, a "
           "registry of %u licenses\n"
           "registry %s (synchronous=FULL), large registry %s\n\n",
           (unsigned) (per_run * ISSUE_RUNS), (unsigned) revocations, (unsigned) licenses, work,
           fast);
    fflush(stdout);

    /* 1. Issuing, in-process then over HTTP, into one registry. */
    h = reg_create(&small, &w, work, "issue.db");
    libro_registry_close(h);
    c = client_open(&w, small.path);
    for (unsigned r = 0; r < ISSUE_RUNS; r++) {
        embedded[r] = issue_run(c, &w, &small, "E", r * (unsigned) per_run, (unsigned) per_run);
    }
    libro_registry_client_close(c);
    c = client_open(&w, small.base_url);
    for (unsigned r = 0; r < ISSUE_RUNS; r++) {
        http[r] = issue_run(c, &w, &small, "H", r * (unsigned) per_run, (unsigned) per_run);
    }
    libro_registry_client_close(c);
    issued = (unsigned) per_run * ISSUE_RUNS;
    emb_rate = bench_median(embedded, ISSUE_RUNS);
    http_rate = bench_median(http, ISSUE_RUNS);
    sodium_sv = bench_rate(sodium_sign_verify_op, &raw, 7, 0.3);
    openssl_sv = bench_rate(openssl_sign_verify_op, &raw, 7, 0.3);
    printf("1. issue = reserve + sign + register, median of %u runs of %u licenses\n", ISSUE_RUNS,
           (unsigned) per_run);
    printf("   %-50s %9.0f /s\n", "in-process (libro_registry_client on the DB)", emb_rate);
    printf("   %-50s %9.0f /s\n", "over HTTP (loopback, one client)", http_rate);
    printf("   %-50s %9.0f /s\n", "raw libsodium Ed25519 sign + verify", sodium_sv);
    printf("   %-50s %9.0f /s\n", "raw OpenSSL Ed25519 sign + verify", openssl_sv);
    printf("   in-process / libsodium = %.3f, HTTP / libsodium = %.3f (HTTP costs 3 signatures "
           "and 3 verifications per license)\n\n",
           emb_rate / sodium_sv, http_rate / sodium_sv);
    fflush(stdout);

    /* 2. Revocations over HTTP: distinct licenses issued above (more first, when needed). */
    if (revocations > issued) {
        c = client_open(&w, small.path);
        (void) issue_run(c, &w, &small, "E", issued, (unsigned) revocations - issued);
        libro_registry_client_close(c);
    }
    rv1 = revoke_run(&w, &small, "E", 0, (unsigned) revocations, 1);
    if (revocations > issued) {
        c = client_open(&w, small.path);
        (void) issue_run(c, &w, &small, "H", issued, (unsigned) revocations - issued);
        libro_registry_client_close(c);
    }
    rv4 = revoke_run(&w, &small, "H", 0, (unsigned) revocations, MAX_THREADS);
    printf("2. revoke over HTTP, %u distinct licenses, per-request wall time\n",
           (unsigned) revocations);
    printf("   %-14s %9.0f /s   p50 %6.2f ms   p99 %6.2f ms\n", "1 client", rv1.rate, rv1.p50_ms,
           rv1.p99_ms);
    printf("   %-14s %9.0f /s   p50 %6.2f ms   p99 %6.2f ms\n\n", "4 clients", rv4.rate, rv4.p50_ms,
           rv4.p99_ms);
    fflush(stdout);
    reg_remove(&small);

    /* 3. A status list of the large registry. */
    h = reg_create(&big, &w, fast, "large.db");
    setup_s = populate(h, &w, &big, (unsigned) licenses);
    reserve_big_ms = reserve_ms(h);
    st = status_regen(h, &w, &big);
    printf("3. regenerate the revocation list of pair 0 (%zu of %u bits set), median of %u\n",
           st.set_bits, LIBRO_STATUS_LIST_MIN_ENTRIES, STATUS_RUNS);
    printf("   %-50s %9.2f ms\n", "libro_registry_status_bits", st.read_ms);
    printf("   %-50s %9.2f ms\n", "libro_status_list_sign (GZIP, multibase, Ed25519)", st.sign_ms);
    printf("   %-50s %9.2f ms\n", "together", st.total_ms);
    printf("   encodedList %zu bytes, signed list %zu bytes\n", st.encoded_bytes, st.jws_bytes);
    printf("   (setup: %u licenses registered and %u revoked in %.1f s, %.1f MB on disk;\n"
           "   libro_registry_reserve_status on this registry: %.2f ms, median of %u)\n\n",
           (unsigned) licenses, (unsigned) (licenses + 99) / 100, setup_s,
           (double) reg_bytes(&big) / 1e6, reserve_big_ms, RESERVE_RUNS);
    fflush(stdout);

    /* 4. Sync: a cold server, then fresh stores against a warm one, then the log grows. */
    t = trust_new(store, sizeof store, work, "trust", &w);
    first_ms = timed_sync(t, &big, false, &rep);
    n_lists = rep.status_lists;
    bundle_len = bundle_bytes(&big);
    for (unsigned i = 0; i < WARM_SYNCS; i++) {
        char name[32];
        char path[320];

        n = snprintf(name, sizeof name, "trust-%u", i);
        if (n < 0 || (size_t) n >= sizeof name) {
            bench_die("name", NULL);
        }
        warm = trust_new(path, sizeof path, work, name, &w);
        warm_ms[i] = timed_sync(warm, &big, false, &rep);
        libro_trust_free(warm);
        remove_tree(path);
    }
    for (unsigned i = 0; i < CONSISTENCY_SYNCS; i++) {
        revoke_direct(h, &w, &next, (unsigned) between);
        /* A bundle changes at most once a second: wait (untimed) for the second after the
         * last one, as a verifier that syncs daily always does. */
        while (libro_time_now() <= rep.issued) {
            struct timespec pause = {0, 10000000L};

            (void) nanosleep(&pause, NULL);
        }
        grow_ms[i] = timed_sync(t, &big, false, &rep);
        if (i == 0) {
            grew_from = rep.log_grew_from;
            grew_to = rep.log_size;
        }
    }
    for (unsigned i = 0; i < NOT_MODIFIED_SYNCS; i++) {
        same_ms[i] = timed_sync(t, &big, true, &rep);
    }
    warm_med = bench_median(warm_ms, WARM_SYNCS);
    grow_med = bench_median(grow_ms, CONSISTENCY_SYNCS);
    same_med = bench_median(same_ms, NOT_MODIFIED_SYNCS);
    printf("4. libro_trust_sync of the large registry (bundle %zu bytes, %zu status lists)\n",
           bundle_len, n_lists);
    printf("   %-50s %9.2f ms\n", "first sync, server cold (signs its lists)", first_ms);
    printf("   %-50s %9.2f ms\n", "first sync, server warm (median of 5 stores)", warm_med);
    printf("   %-50s %9.2f ms\n", "after revocations (consistency proof, med. of 3)", grow_med);
    printf("   %-50s %9.2f ms\n", "not modified (304, median of 7)", same_med);
    printf("   (%u revocations between syncs; the log grew from %llu to %llu leaves)\n\n",
           (unsigned) between, (unsigned long long) grew_from, (unsigned long long) grew_to);

    printf("summary (large registry: %u licenses, 1%% revoked)\n", (unsigned) licenses);
    printf("%-36s %9s %-2s  %s\n", "figure", "value", "", "note");
    note(line, sizeof line, "%.3f x libsodium sign+verify (%.0f /s; OpenSSL %.0f /s)",
         emb_rate / sodium_sv, sodium_sv, openssl_sv);
    row("issue, in-process", emb_rate, 0, "/s", line);
    note(line, sizeof line, "%.3f x libsodium sign+verify", http_rate / sodium_sv);
    row("issue, HTTP", http_rate, 0, "/s", line);
    note(line, sizeof line, "p50 %.2f ms, p99 %.2f ms", rv1.p50_ms, rv1.p99_ms);
    row("revoke, HTTP, 1 client", rv1.rate, 0, "/s", line);
    note(line, sizeof line, "p50 %.2f ms, p99 %.2f ms", rv4.p50_ms, rv4.p99_ms);
    row("revoke, HTTP, 4 clients", rv4.rate, 0, "/s", line);
    note(line, sizeof line, "encodedList %zu B, signed list %zu B", st.encoded_bytes, st.jws_bytes);
    row("status list regeneration", st.total_ms, 2, "ms", line);
    row("reserve a status index", reserve_big_ms, 2, "ms", "an index lookup (schema 3)");
    note(line, sizeof line, "%zu status lists", n_lists);
    row("trust bundle", (double) bundle_len, 0, "B", line);
    note(line, sizeof line, "%.2f ms against a warm server", warm_med);
    row("sync, first (cold server)", first_ms, 2, "ms", line);
    note(line, sizeof line, "%u revocations, consistency proof", (unsigned) between);
    row("sync, log grown", grow_med, 2, "ms", line);
    row("sync, not modified", same_med, 2, "ms", "HTTP 304");

    libro_trust_free(t);
    libro_registry_close(h);
    reg_remove(&big);
    remove_tree(store);
    (void) rmdir(work);
    (void) rmdir(fast);
    raw_clear(&raw);
    world_clear(&w);
    return 0;
}
