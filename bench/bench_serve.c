/* bench_serve: GET /v1/status/0/revocation (or --path, e.g. /v1/bundle) per second from a
 * real libro_server on loopback
 * (200 with the body, and 304 to If-None-Match), with 1 and 4 client threads on keep-alive
 * connections, over a registry whose list 0 has `--licenses` indexes reserved and
 * `--revoked` percent of them revoked (the slots and bits are written straight into the
 * database in one transaction: setup, not a figure). The reference, in the same run and
 * alternating round by round with the subject: GET /v1/health, the server's answer that does
 * no work, so that "ratio" is the share of the server's floor a status GET reaches.
 *
 *   bench_serve [--licenses N] [--revoked PCT[,PCT...]] [--clients N[,N...]]
 *               [--rounds R] [--seconds S] [--threads T] [--path PATH]
 *
 * Prints one line per (revoked, clients, kind): requests per second (median of R rounds) and
 * the median of the per-round ratios to the health GET. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"
#include "libro/issuer.h"
#include "libro/registry.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define MAX_CLIENTS 64
#define REPLY_CAP (256u * 1024u)
#define MAX_LIST 8

static libro_credential *
cred(libro_cred_type type, const char *subject, const char *name, const libro_key *subject_key,
     int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c =
        bench_cred_new(type, COMMUNITY, subject, name, now - 30 * DAY, now + 1800 * DAY);

    if (libro_key_public(&c->subject_key, subject_key, &err) != LIBRO_OK) {
        bench_die("credential", &err);
    }
    return c;
}

/* A registry at `path` with `licenses` random indexes of list 0 reserved and `pct` percent of
 * them with the revocation bit (no status_version rows: the lists read as version 0, as in a
 * database migrated from before them). */
static void
make_registry(const char *path, const libro_key *town, const libro_key *registry, unsigned licenses,
              unsigned pct)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t now = libro_time_now();
    libro_credential *c = cred(LIBRO_CRED_CHARTER, COMMUNITY, "Town 7", town, now);
    uint32_t *all = malloc(LIBRO_STATUS_LIST_MIN_ENTRIES * sizeof *all);
    sqlite3 *db = NULL;
    sqlite3_stmt *slot = NULL;
    sqlite3_stmt *bit = NULL;
    char *charter;
    char *auth;

    c->level = 2;
    c->allowed_types = bench_list1("nursing-general");
    c->n_allowed = 1;
    charter = bench_sign_free(c, town);
    c = cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY ":registry", "Town 7 Registry", registry, now);
    c->url = bench_strdup("http://127.0.0.1");
    auth = bench_sign_free(c, town);
    if (libro_registry_create(path, charter, auth, &err) != LIBRO_OK) {
        bench_die("registry", &err);
    }
    libro_free(charter);
    libro_free(auth);
    if (all == NULL || licenses > LIBRO_STATUS_LIST_MIN_ENTRIES) {
        bench_die("--licenses: at most one list (131072)", NULL);
    }
    for (uint32_t i = 0; i < LIBRO_STATUS_LIST_MIN_ENTRIES; i++) {
        all[i] = i;
    }
    for (uint32_t i = 0; i < licenses; i++) { /* a uniform random sample, Fisher-Yates */
        uint32_t j = i + randombytes_uniform(LIBRO_STATUS_LIST_MIN_ENTRIES - i);
        uint32_t t = all[i];

        all[i] = all[j];
        all[j] = t;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO status_slot (list, idx) VALUES (0, ?1)", -1, &slot,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO status_bit (list, idx, purpose) VALUES (0, ?1, 1)", -1,
                           &bit, NULL) != SQLITE_OK) {
        bench_die("setup", NULL);
    }
    for (uint32_t i = 0; i < licenses; i++) {
        if (sqlite3_bind_int64(slot, 1, all[i]) != SQLITE_OK || sqlite3_step(slot) != SQLITE_DONE ||
            sqlite3_reset(slot) != SQLITE_OK) {
            bench_die("setup", NULL);
        }
        if ((uint64_t) i * 100 < (uint64_t) licenses * pct &&
            (sqlite3_bind_int64(bit, 1, all[i]) != SQLITE_OK || sqlite3_step(bit) != SQLITE_DONE ||
             sqlite3_reset(bit) != SQLITE_OK)) {
            bench_die("setup", NULL);
        }
    }
    if (sqlite3_finalize(slot) != SQLITE_OK || sqlite3_finalize(bit) != SQLITE_OK ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_close(db) != SQLITE_OK) {
        bench_die("setup", NULL);
    }
    free(all);
}

/* ---- a keep-alive HTTP/1.1 client ------------------------------------------------------- */

typedef struct client {
    pthread_t thread;
    uint16_t port;
    const char *request; /* the whole request, sent again and again */
    size_t request_len;
    int want; /* the status each answer must have */
    double seconds;
    unsigned long done;
    int failed;
    char *buf;
} client;

static int
connect_to(uint16_t port)
{
    struct sockaddr_in a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        return -1;
    }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        connect(fd, (struct sockaddr *) &a, sizeof a) != 0) {
        (void) close(fd);
        return -1;
    }
    return fd;
}

/* One request and its whole answer on `fd`; the answer's status, or -1. */
static int
exchange(client *c, int fd)
{
    size_t len = 0;
    size_t need = 0;
    const char *end = NULL;
    const char *cl;
    int status;

    if (send(fd, c->request, c->request_len, MSG_NOSIGNAL) != (ssize_t) c->request_len) {
        return -1;
    }
    for (;;) {
        ssize_t n = recv(fd, c->buf + len, REPLY_CAP - 1 - len, 0);

        if (n <= 0) {
            return -1;
        }
        len += (size_t) n;
        c->buf[len] = '\0';
        if (end == NULL && (end = strstr(c->buf, "\r\n\r\n")) != NULL) {
            cl = strstr(c->buf, "Content-Length: ");
            need = (size_t) (end + 4 - c->buf);
            if (cl != NULL && cl < end) {
                need += strtoul(cl + 16, NULL, 10);
            }
        }
        if (end != NULL && len >= need) {
            break;
        }
        if (len + 1 >= REPLY_CAP) {
            return -1;
        }
    }
    if (len < 12 || strncmp(c->buf, "HTTP/1.1 ", 9) != 0) {
        return -1;
    }
    status = (c->buf[9] - '0') * 100 + (c->buf[10] - '0') * 10 + (c->buf[11] - '0');
    return status;
}

static void *
client_run(void *p)
{
    client *c = p;
    int fd = connect_to(c->port);
    double stop = bench_now() + c->seconds;

    c->done = 0;
    if (fd < 0) {
        c->failed = 1;
        return NULL;
    }
    while (bench_now() < stop) {
        if (exchange(c, fd) != c->want) {
            c->failed = 1;
            break;
        }
        c->done++;
    }
    (void) close(fd);
    return NULL;
}

/* Requests per second of `n` clients sending `request` for `seconds`. */
static double
rate(client *clients, unsigned n, uint16_t port, const char *request, int want, double seconds)
{
    unsigned long total = 0;
    double start = bench_now();
    double elapsed;

    for (unsigned i = 0; i < n; i++) {
        clients[i].port = port;
        clients[i].request = request;
        clients[i].request_len = strlen(request);
        clients[i].want = want;
        clients[i].seconds = seconds;
        clients[i].failed = 0;
        if (pthread_create(&clients[i].thread, NULL, client_run, &clients[i]) != 0) {
            bench_die("thread", NULL);
        }
    }
    for (unsigned i = 0; i < n; i++) {
        (void) pthread_join(clients[i].thread, NULL);
        if (clients[i].failed) {
            fprintf(stderr, "%s: a request did not get %d:\n%.300s\n", bench_name, want,
                    clients[i].buf);
            exit(1);
        }
        total += clients[i].done;
    }
    elapsed = bench_now() - start;
    return (double) total / elapsed;
}

/* The ETag of GET `path` (a fresh connection; exits on failure). */
static void
etag_of(char *out, size_t size, uint16_t port, const char *path, client *c)
{
    char req[256];
    int fd = connect_to(port);
    const char *e = NULL;
    const char *eol = NULL;

    if (snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path) <= 0) {
        bench_die("request", NULL);
    }
    c->request = req;
    c->request_len = strlen(req);
    if (fd < 0 || exchange(c, fd) != 200 || (e = strstr(c->buf, "ETag: ")) == NULL ||
        (eol = strstr(e, "\r\n")) == NULL || (size_t) (eol - e - 6) >= size) {
        bench_die("first GET", NULL);
    }
    memcpy(out, e + 6, (size_t) (eol - e - 6));
    out[eol - e - 6] = '\0';
    (void) close(fd);
}

static unsigned
parse_list(unsigned *out, const char *s, unsigned max)
{
    unsigned n = 0;
    char *end = NULL;

    while (n < MAX_LIST && *s != '\0') {
        unsigned long v = strtoul(s, &end, 10);

        if (end == s || v > max || (*end != ',' && *end != '\0')) {
            bench_die("bad number list", NULL);
        }
        out[n++] = (unsigned) v;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

static const char *
arg_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        bench_die(argv[*i], NULL);
    }
    return argv[++*i];
}

int
main(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned licenses = 100000;
    unsigned pcts[MAX_LIST] = {1, 20};
    unsigned n_pcts = 2;
    unsigned counts[MAX_LIST] = {1, 4};
    unsigned n_counts = 2;
    unsigned rounds = 5;
    unsigned threads = 4;
    double seconds = 1.0;
    const char *target = "/v1/status/0/revocation";
    char dir[] = "/tmp/bench-serve-XXXXXX";
    libro_key *town = NULL;
    libro_key *registry = NULL;
    client clients[MAX_CLIENTS];

    bench_name = "bench_serve";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--licenses") == 0) {
            licenses = (unsigned) strtoul(arg_value(argc, argv, &i), NULL, 10);
        } else if (strcmp(argv[i], "--revoked") == 0) {
            n_pcts = parse_list(pcts, arg_value(argc, argv, &i), 100);
        } else if (strcmp(argv[i], "--clients") == 0) {
            n_counts = parse_list(counts, arg_value(argc, argv, &i), MAX_CLIENTS);
        } else if (strcmp(argv[i], "--rounds") == 0) {
            rounds = (unsigned) strtoul(arg_value(argc, argv, &i), NULL, 10);
        } else if (strcmp(argv[i], "--seconds") == 0) {
            seconds = strtod(arg_value(argc, argv, &i), NULL);
        } else if (strcmp(argv[i], "--path") == 0) {
            target = arg_value(argc, argv, &i);
            if (target[0] != '/' || strlen(target) > 100 || strpbrk(target, " \r\n") != NULL) {
                bench_die("--path: /..., at most 100 bytes, no space", NULL);
            }
        } else if (strcmp(argv[i], "--threads") == 0) {
            threads = (unsigned) strtoul(arg_value(argc, argv, &i), NULL, 10);
        } else {
            fprintf(stderr,
                    "usage: bench_serve [--licenses N] [--revoked PCT,...] [--clients N,...] "
                    "[--rounds R] [--seconds S] [--threads T] [--path PATH]\n");
            return 2;
        }
    }
    if (rounds == 0 || rounds > 31 || seconds <= 0 || threads == 0) {
        bench_die("--rounds 1..31, --seconds > 0, --threads >= 1", NULL);
    }
    if (sodium_init() < 0 || mkdtemp(dir) == NULL ||
        libro_key_generate(&town, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&registry, LIBRO_ALG_ED25519, &err) != LIBRO_OK) {
        bench_die("setup", &err);
    }
    memset(clients, 0, sizeof clients);
    for (unsigned i = 0; i < MAX_CLIENTS; i++) {
        clients[i].buf = malloc(REPLY_CAP);
        if (clients[i].buf == NULL) {
            bench_die("out of memory", NULL);
        }
    }
    printf("bench_serve: GET %s, %u licenses in list 0, server threads %u, %u rounds of %.1f s; "
           "ratio: to GET /v1/health in the same run, alternating\n",
           target, licenses, threads, rounds, seconds);
    for (unsigned p = 0; p < n_pcts; p++) {
        libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
        libro_server *server = NULL;
        char path[64];
        char etag[128];
        char req200[200];
        char req304[400];
        char health[] = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        uint16_t port;

        if (snprintf(path, sizeof path, "%s/r%u.db", dir, pcts[p]) <= 0) {
            bench_die("path", NULL);
        }
        make_registry(path, town, registry, licenses, pcts[p]);
        opt.db_path = path;
        opt.registry_key = registry;
        opt.threads = threads;
        if (libro_server_start(&server, &opt, &err) != LIBRO_OK) {
            bench_die("server", &err);
        }
        port = libro_server_port(server);
        etag_of(etag, sizeof etag, port, target, &clients[0]);
        if (snprintf(req200, sizeof req200, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", target) <=
                0 ||
            snprintf(req304, sizeof req304,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: %s\r\n\r\n", target,
                     etag) <= 0) {
            bench_die("request", NULL);
        }
        for (unsigned k = 0; k < n_counts; k++) {
            double r200[31];
            double r304[31];
            double q200[31];
            double q304[31];

            for (unsigned r = 0; r < rounds; r++) {
                double h = rate(clients, counts[k], port, health, 200, seconds);

                r200[r] = rate(clients, counts[k], port, req200, 200, seconds);
                r304[r] = rate(clients, counts[k], port, req304, 304, seconds);
                q200[r] = r200[r] / h;
                q304[r] = r304[r] / h;
            }
            printf("revoked %2u%%  clients %2u  200: %9.0f req/s (ratio %.2f)  304: %9.0f req/s "
                   "(ratio %.2f)\n",
                   pcts[p], counts[k], bench_median(r200, rounds), bench_median(q200, rounds),
                   bench_median(r304, rounds), bench_median(q304, rounds));
            fflush(stdout);
        }
        libro_server_stop(server);
        (void) unlink(path);
        for (int s = 0; s < 2; s++) {
            char side[80];

            if (snprintf(side, sizeof side, "%s%s", path, s == 0 ? "-wal" : "-shm") > 0) {
                (void) unlink(side);
            }
        }
    }
    for (unsigned i = 0; i < MAX_CLIENTS; i++) {
        free(clients[i].buf);
    }
    (void) rmdir(dir);
    libro_key_free(registry);
    libro_key_free(town);
    return 0;
}
