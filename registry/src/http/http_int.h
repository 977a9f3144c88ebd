/* libro_server internals: what server.c (the only file that sees libmicrohttpd) and the files
 * that decide (routes.c: responses, state, request rules, record routes; router.c; pages.c;
 * listcache.c; statusmem.c; ratelimit.c; bundle.c; writes.c: no libmicrohttpd type) share. The
 * split keeps every decision about a request in plain C over plain structures, testable and
 * fuzzable without a socket. */
#ifndef LIBRO_HTTP_INT_H
#define LIBRO_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "../store.h"
#include "libro/json_int.h"
#include "libro/registry.h"
#include "libro/server.h"
#include "libro/statuslist.h"

/* Longest base_url accepted: status list ids must stay ids (docs/credentials.md: 200 bytes). */
#define LIBRO_HTTP_MAX_BASE_URL 128u
/* A quoted hex SHA-256: '"' + 64 + '"' + NUL. */
#define LIBRO_HTTP_ETAG_MAX 67u

/** What server.c learns about a request before its body. Strings are borrowed (NULL when
 *  absent); header values are the first of their name, each with its length as sent: a value
 *  that held a NUL byte is longer than its string. */
typedef struct libro_http__request {
    const char *method;
    const char *path; /* as libmicrohttpd decoded it, without the query */
    const char *version;
    const char *host;
    const char *accept;
    const char *if_none_match;
    const char *content_length;
    const char *transfer_encoding;
    unsigned n_host;
    unsigned n_content_length;
    unsigned n_transfer_encoding;
    unsigned n_bad_names; /* header names that are not RFC 9110 tokens */
    const char *content_type;
    unsigned char client[16]; /* the peer's address (IPv4 as ::ffff:a.b.c.d), for rate limits */
    size_t host_len;
    size_t accept_len;
    size_t if_none_match_len;
    size_t content_length_len;
    size_t transfer_encoding_len;
    size_t content_type_len;
    unsigned n_bad_values;  /* header values of any name that fail libro_http__value_ok */
    unsigned n_bad_lines;   /* header lines ended by a bare LF, or folded (obs-fold) */
    const char *arg_at;     /* the query's "at" (GET /v1/roundtable), as sent; NULL when absent */
    const char *arg_within; /* the query's "within" (GET /v1/roundtable/expiring,
                               GET /v1/laws/review-due) */
    const char *arg_run;    /* the query's "run" (GET /v1/laws/<id>/record) */
    const char *arg_number; /* the query's "number" (GET /licenses: the public search) */
    const char *arg_holder; /* the query's "holder" (GET /licenses) */
    const char *arg_start;  /* the query's "start" and "count" (GET /v1/log/leaves) */
    const char *arg_count;
} libro_http__request;

/** What to send back. body is owned; the other strings are static. */
typedef struct libro_http__response {
    unsigned status; /* 0: no answer yet (read on) */
    const char *content_type;
    const char *cache_control;
    const char *allow; /* 405 */
    libro_buf body;
    char etag[LIBRO_HTTP_ETAG_MAX];
    bool vary_accept;
    bool close;                        /* Connection: close (a body may be left unread) */
    int retry_after;                   /* seconds for Retry-After (429, 503 busy), 0 for none */
    char location[96];                 /* Location (a 303 of the public search), "" for none */
    char message[LIBRO_ERROR_MSG_MAX]; /* an error's message, for its HTML page */
    /* A storage failure behind the answer (busy, full, read-only, I/O), for the log line:
     * LIBRO_OK when none. */
    libro_error storage;
} libro_http__response;

/* Clients whose write budget is tracked at once; the least recently seen gives way. */
#define LIBRO_HTTP_RATE_SLOTS 1024u

/** A token bucket per client address: writes refill at ctx->write_rate per second up to
 *  ctx->write_burst. */
typedef struct libro_http_bucket {
    bool used;
    unsigned char client[16];
    double tokens;
    int64_t last_ms;
} libro_http_bucket;

/** One status list in memory (statusmem.c): its statuses, the version of the database they
 *  are at, and the list last signed from them. */
typedef struct libro_http_mlist {
    bool loaded;              /* bits hold the list at `version` */
    bool stale;               /* the database is past `version` in a way no change told: reload */
    bool dirty;               /* bits changed since `body` was signed */
    uint64_t version;         /* the database's status_version of the list (0: never changed) */
    uint64_t marks;           /* times it was marked stale: a read that began after the last
                                 mark holds every change marked, whatever its version */
    libro_bitstring bits;     /* LIBRO_STATUS_LIST_MIN_ENTRIES statuses of statusSize bits */
    libro_published_list pub; /* what the publisher last signed: the next is strictly newer */
    libro_buf body;           /* the signed list (empty until signed) */
    char etag[LIBRO_HTTP_ETAG_MAX];
} libro_http_mlist;

/** A database handle that only reads, to notice what other handles committed (PRAGMA
 *  data_version): one per worker thread, each under its own lock. */
typedef struct libro_http_watcher {
    pthread_mutex_t lock;
    bool lock_ready;
    bool synced;           /* data_version was read and memory brought up to it */
    uint64_t data_version; /* as this handle last read it */
    libro_registry *reg;
} libro_http_watcher;

/** What the server serves from memory (statusmem.c): the status lists, signed, and the trust
 *  bundle, all under `lock`; readers share it, a change or a signature takes it alone. */
typedef struct libro_http_mem {
    pthread_rwlock_t lock;
    bool lock_ready;
    libro_http_mlist *lists[2]; /* by space: [list * 3 + purpose - 1] */
    size_t n_lists[2];          /* entries of lists[space] */
    uint64_t in_use[2];         /* lists in use by space (libro_registry__lists_in_use) */
    uint64_t epoch;             /* bumped by every database change seen: the bundle's parts */
    uint64_t signed_gen;        /* bumped by every list signed: the bundle's lists */
    libro_http_watcher *watchers;
    size_t n_watchers;
    atomic_size_t next_watcher;
    libro_buf bundle; /* the last signed trust bundle */
    char bundle_etag[LIBRO_HTTP_ETAG_MAX];
    unsigned char bundle_digest[32];
    int64_t bundle_issued_ms;
    uint64_t bundle_epoch; /* `epoch` and `signed_gen` the bundle was gathered at */
    uint64_t bundle_gen;
} libro_http_mem;

/** State shared by every worker: read-only after libro_http__ctx_init but for `mem`, which
 *  guards itself, and the write budgets, which `rate_lock` guards. */
typedef struct libro_http_ctx {
    char *db_path;
    char *base_url;     /* without a trailing slash */
    char *issuer_id;    /* the registry's id, from its authorization */
    char *community_id; /* the community's id and name, from its charter: the roundtable's */
    char *community_name;
    int community_level; /* the charter's level, and its name (libro_level_name) */
    char *community_level_name;
    const libro_key *registry_key;
    uint32_t status_list_seconds;
    libro_credential *authorization; /* the registry's own, parsed: no list outlives it */
    size_t max_body_bytes;
    unsigned timeout_seconds; /* also the deadline of a whole request body */
    int64_t not_before_ms;    /* the millisecond after the start: serving begins then */
    /* A handle held open for the server's life and never used: SQLite checkpoints and removes
     * the WAL when the last handle closes, which would otherwise happen after every request
     * of a client that opens one connection per request (most of its cost, bench_registry). */
    libro_registry *keeper;
    bool read_only; /* every handle opened read-only: writes answer 503 read_only */
    /* Registry handles between requests (routes.c): a request takes one (opening it only
     * when none is idle) and gives it back when answered, so a client that opens a connection
     * per request no longer opens SQLite and parses the charter each time. At most `threads`
     * are busy at once (a worker answers one request at a time); as many stay idle. */
    pthread_mutex_t pool_lock;
    bool pool_lock_ready;
    libro_registry **idle;
    size_t n_idle;
    size_t max_idle;
    /* The write queue (registry/src/writer.h): the one handle every signed write is made
     * on, in groups that share a commit. NULL when read-only (writes are then refused on the
     * request's own handle). */
    struct libro_registry_writer *writer;
    /* Set once a handle saw an I/O error on a write or fsync: no write is acknowledged
     * until the server is restarted (and its database checked). Workers read it unlocked. */
    atomic_bool poisoned;
    void (*log)(void *log_ctx, const char *line);
    void *log_ctx;
    unsigned write_rate;  /* signed writes per second per client address */
    unsigned write_burst; /* ... in a burst */
    libro_http_mem mem;
    pthread_mutex_t rate_lock;
    bool rate_lock_ready;
    libro_http_bucket buckets[LIBRO_HTTP_RATE_SLOTS];
} libro_http_ctx;

/** The signed write operations (docs/formats.md, "Signed API requests"). */
typedef enum libro_http_write {
    LIBRO_HTTP_WRITE_RESERVE = 1,      /* POST /v1/reservations */
    LIBRO_HTTP_WRITE_REGISTER,         /* POST /v1/licenses */
    LIBRO_HTTP_WRITE_RENEW,            /* POST /v1/licenses/<number>/renew */
    LIBRO_HTTP_WRITE_SUSPEND,          /* ... /suspend */
    LIBRO_HTTP_WRITE_REINSTATE,        /* ... /reinstate */
    LIBRO_HTTP_WRITE_REVOKE,           /* ... /revoke */
    LIBRO_HTTP_WRITE_SURRENDER,        /* ... /surrender */
    LIBRO_HTTP_QUERY_EXPIRING,         /* POST /v1/queries/expiring: signed, changes nothing */
    LIBRO_HTTP_WRITE_SEAT,             /* POST /v1/seats */
    LIBRO_HTTP_WRITE_MANDATE_RESERVE,  /* POST /v1/mandates/reservations */
    LIBRO_HTTP_WRITE_MANDATE_REGISTER, /* POST /v1/mandates */
    LIBRO_HTTP_WRITE_MANDATE_END,      /* POST /v1/mandates/<id>/end */
} libro_http_write;

/** Answer the error of a registry call by its code (400, 404, 409 exists or conflict, the
 *  storage answers), `req` the request id it carried out (NULL: none). */
void libro_http__registry_error(libro_http__response *resp, libro_registry *reg,
                                const libro_request_id *req, const libro_error *err);
/** Answer a storage failure (503 busy or read_only, 507, 500 io_error), kept for the log. */
void libro_http__storage_error(libro_http__response *resp, const libro_error *err);
/** Make a write: `fn(r, job, err)` on the write queue's handle (registry/src/writer.h), in a
 *  group whose commit it waits for; on `reg` itself when the server has no queue (read-only,
 *  where the write is refused). The codes of `fn` and of the group's commit. */
libro_code libro_http__submit(const libro_http_ctx *ctx, libro_registry *reg,
                              libro_code (*fn)(libro_registry *r, void *job, libro_error *err),
                              void *job, libro_error *err);
/** Whether a write on `reg` or on the write queue met an I/O error: no write is acknowledged
 *  after it until a restart. */
bool libro_http__write_poisoned(const libro_http_ctx *ctx, const libro_registry *reg);
/** Whether a Content-Type names `want` (RFC 9110 §8.3: case-insensitive, parameters after
 *  ';' allowed), and nothing longer. */
bool libro_http__media_type_is(const char *value, const char *want);
/** The operator's line for a write `op` that storage refused (nothing when none was). */
void libro_http__log_storage(const libro_http_ctx *ctx, const libro_http__response *resp,
                             const char *op);

/** A license record as the API shows it (NULL when out of memory). */
json_t *libro_http__record_json(const libro_license_record *r);

/** The op name a request of `op` carries ("reserve", "register", ...). */
const char *libro_http__write_name(libro_http_write op);

/** Answer a signed write request (writes.c). */
void libro_http__write(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                       const libro_http__request *req, libro_http_write op, const char *number,
                       const unsigned char *body, size_t len);

/** Take one write from the client's budget: false (answer 429) when it is spent. `now_ms`
 *  is a monotonic clock in milliseconds. */
bool libro_http__rate_take(libro_http_ctx *ctx, const unsigned char client[16], int64_t now_ms);

/** The signed status list `list`/`purpose` as the registry publishes it now (by
 *  libro_registry_publish_list's rules: re-signed when its bits changed or it is due), from
 *  memory, with its ETag: copied into `out`, unless `if_none_match` (NULL: none) matches the
 *  ETag, when *not_modified is set and `out` is left empty (statusmem.c). */
LIBRO_NODISCARD libro_code libro_http__current_list(libro_http_ctx *ctx, bool mandates,
                                                    uint32_t list, int purpose,
                                                    const char *if_none_match, libro_buf *out,
                                                    char etag[LIBRO_HTTP_ETAG_MAX],
                                                    bool *not_modified, libro_error *err);
/** Bring memory up to what the database committed: when a watcher's PRAGMA data_version
 *  moved, read the lists' versions and mark each list in memory whose version differs for a
 *  reload (statusmem.c). The first thing of every read served from memory. */
LIBRO_NODISCARD libro_code libro_http__mem_sync(libro_http_ctx *ctx, libro_error *err);
/** How many lists of `space` are in use, as the last libro_http__mem_sync saw (0 when no index
 *  was ever reserved there). */
uint64_t libro_http__lists_published(libro_http_ctx *ctx, libro_store_space space);
/** Open `threads` watchers and the memory's lock (statusmem.c); cleared by
 *  libro_http__mem_clear. */
LIBRO_NODISCARD libro_code libro_http__mem_init(libro_http_ctx *ctx, unsigned threads,
                                                libro_error *err);
void libro_http__mem_clear(libro_http_ctx *ctx);
/** Have `reg` tell memory of every status change it commits (the connections' handles, the
 *  writer's): memory applies a change whose version follows its own and marks the list stale
 *  otherwise, so an acknowledged write is in the next read without a reload. */
void libro_http__observe(libro_http_ctx *ctx, libro_registry *reg);
/** If-None-Match `header` (RFC 9110 §13.1.2: "*" or a list of entity tags, compared weakly)
 *  matches `etag`. */
bool libro_http__etag_matches(const char *header, const char *etag);

/** Check `opt` (as libro_server_start documents), open the registry once to check it and its
 *  key, and fill `ctx`. On failure `ctx` is cleared. */
LIBRO_NODISCARD libro_code libro_http__ctx_init(libro_http_ctx *ctx,
                                                const libro_server_options *opt, libro_error *err);
void libro_http__ctx_clear(libro_http_ctx *ctx);
/** Sleep until ctx->not_before_ms (a millisecond or two): a server serves nothing before. */
void libro_http__wait_to_serve(const libro_http_ctx *ctx);

/** Whether the numeric address `addr` is a loopback address (127.0.0.0/8, ::1). */
bool libro_http__is_loopback(const char *addr);

/** Whether `s` is a non-empty RFC 9110 §5.6.2 token (a valid header name). */
bool libro_http__token_ok(const char *s);

/** Whether `value` (`len` bytes as sent) is a field value libro reads: NULL, or a string of
 *  exactly `len` bytes without CR or LF (RFC 9110 §5.5). */
bool libro_http__value_ok(const char *value, size_t len);

/** The header rules, before any body byte is read: HTTP/1.0 or 1.1 only; header names are
 *  tokens (libmicrohttpd 0.9.75 keeps "Content-Length :" as a header of another name, which a
 *  proxy in front may read as the length); no header value holds NUL, CR or LF and every
 *  header line ends in CRLF, unfolded (400 bad_header); exactly one Host on
 *  1.1 (at most one on 1.0); at most one Content-Length, a canonical number; not both
 *  Content-Length and Transfer-Encoding (request smuggling, RFC 9112 §6.3); Transfer-Encoding
 *  only "chunked"; no body on GET or HEAD; a declared length over `max_body` is 413. Sets
 *  resp->status (with close) when the request is refused now; leaves it 0 otherwise. */
void libro_http__check_headers(libro_http__response *resp, const libro_http__request *req,
                               size_t max_body);

/** Answer a whole request (`body_len` bytes of body were read, within the cap). `reg` is the
 *  request's registry handle, taken here on first use (the caller gives it back:
 *  libro_http__release_registry). */
void libro_http__handle(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                        const libro_http__request *req, const unsigned char *body, size_t body_len);

/** The request's registry handle, taken on first use: an idle one of the server's, else
 *  newly opened (and observed). Nothing when *reg is already set. */
LIBRO_NODISCARD libro_code libro_http__open_registry(libro_http_ctx *ctx, libro_registry **reg,
                                                     libro_error *err);
/** Give back a handle libro_http__open_registry took (NULL: none) once its request, answered
 *  `resp`, is done: kept idle for the next request, or closed when poisoned or the idle are
 *  full. When the request met a database that could not be reached (LIBRO_ERR_UNAVAILABLE),
 *  the handle and every idle one are closed: their connections died with it (a restarted
 *  database server), and the next requests open handles anew. */
void libro_http__release_registry(libro_http_ctx *ctx, libro_registry *reg,
                                  const libro_http__response *resp);
/** A failure to answer a read, `err` its cause (NULL: none known): 503 with Retry-After when
 *  the database could not answer now (LIBRO_ERR_BUSY, LIBRO_ERR_CONFLICT,
 *  LIBRO_ERR_UNAVAILABLE: libro_http__storage_error), else 500 internal. */
void libro_http__internal_error(libro_http__response *resp, const libro_error *err);
/** Finish a 200 whose body and ETag are set: 304 when If-None-Match matches (body dropped),
 *  HEAD drops the body, Cache-Control `cache`. */
void libro_http__finish_cacheable(libro_http__response *resp, const libro_http__request *req,
                                  const char *type, const char *cache);

/* bundle.c: GET /v1/bundle and the log's reads. */
void libro_http__bundle(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                        const libro_http__request *req);
void libro_http__checkpoint(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                            const libro_http__request *req);
void libro_http__proof(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                       const libro_http__request *req, bool inclusion, uint64_t a, uint64_t b);
void libro_http__leaf(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                      const libro_http__request *req, uint64_t index);

/* feed.c: GET /v1/feed.atom, the Atom feed of the latest license changes. */
void libro_http__feed(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                      const libro_http__request *req);
/* leaves.c: GET /v1/log/leaves?start=N&count=M, a page of leaves. */
void libro_http__leaves(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                        const libro_http__request *req);

/** The real-time clock in milliseconds once it is past `after_ms`, sleeping for it (at most a
 *  second; then the clock as it is). What is signed after another is dated after it. */
int64_t libro_http__clock_after(int64_t after_ms);

/** A monotonic clock in milliseconds, for the write budgets (ratelimit.c). */
int64_t libro_http__monotonic_ms(void);

/** The quoted hex SHA-256 of p[0..len), a strong ETag. */
LIBRO_NODISCARD libro_code libro_http__etag_of(char out[LIBRO_HTTP_ETAG_MAX], const void *p,
                                               size_t len, libro_error *err);

/* ---- the router (router.c) */

typedef enum libro_http__route {
    LIBRO_HTTP_ROUTE_NONE,
    LIBRO_HTTP_ROUTE_HEALTH,
    LIBRO_HTTP_ROUTE_STATUS,
    LIBRO_HTTP_ROUTE_LICENSE,
    LIBRO_HTTP_ROUTE_BUNDLE,
    LIBRO_HTTP_ROUTE_CHECKPOINT,
    LIBRO_HTTP_ROUTE_INCLUSION,
    LIBRO_HTTP_ROUTE_CONSISTENCY,
    LIBRO_HTTP_ROUTE_LEAF,
    LIBRO_HTTP_ROUTE_WRITE,
    LIBRO_HTTP_ROUTE_TYPE,
    LIBRO_HTTP_ROUTE_MANDATE,    /* GET /v1/mandates/<id> */
    LIBRO_HTTP_ROUTE_ROUNDTABLE, /* GET /v1/roundtable[?at=TIME] */
    LIBRO_HTTP_ROUTE_EXPIRING,   /* GET /v1/roundtable/expiring?within=SECONDS */
    LIBRO_HTTP_ROUTE_AGREEMENT,  /* GET /v1/agreements/<hash> */
    LIBRO_HTTP_ROUTE_DOCUMENT,   /* POST of a document that its own signatures authorize */
    LIBRO_HTTP_ROUTE_LAWS,       /* GET /v1/laws (POST /v1/laws: a DOCUMENT route) */
    LIBRO_HTTP_ROUTE_LAW,        /* GET /v1/laws/<law id> */
    LIBRO_HTTP_ROUTE_LAW_RECORD, /* GET /v1/laws/<law id>/record[?run=N] */
    LIBRO_HTTP_ROUTE_REVIEW_DUE, /* GET /v1/laws/review-due?within=SECONDS */
    LIBRO_HTTP_ROUTE_HOME,       /* GET /: the public register's home page */
    LIBRO_HTTP_ROUTE_SEARCH,     /* GET /licenses?number=...|holder=... */
    LIBRO_HTTP_ROUTE_PAGE,       /* GET /licenses/<number>: the license's public page */
    LIBRO_HTTP_ROUTE_RECORD,     /* GET /v1/licenses/<number>/public.jwt */
    LIBRO_HTTP_ROUTE_FEED,       /* GET /v1/feed.atom */
    LIBRO_HTTP_ROUTE_LEAVES,     /* GET /v1/log/leaves?start=N&count=M */
} libro_http__route;

/** The documents posted as themselves (docs/formats.md, "Agreement and law routes"). */
typedef enum libro_http_doc {
    LIBRO_HTTP_DOC_AGREEMENT = 1, /* POST /v1/agreements: a COMPLETE agreement (JWS JSON) */
    LIBRO_HTTP_DOC_AGREEMENT_END, /* POST /v1/agreements/<hash>/end: an end statement */
    LIBRO_HTTP_DOC_STEP,          /* POST /v1/laws/<law id>/steps: a consent step */
    LIBRO_HTTP_DOC_LAW,           /* POST /v1/laws: an adopted CommunityLaw */
} libro_http_doc;

/** A matched path and its parameters. */
typedef struct libro_http__route_match {
    libro_http__route route;
    bool malformed;    /* the route matched but a parameter is not of its form: 400 */
    const char *usage; /* static: what the route wants */
    uint32_t list;     /* status */
    int purpose;
    bool mandates;                                   /* status: a mandate list */
    char mandate[LIBRO_MANDATE_ID_SIZE];             /* a mandate id */
    char number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1]; /* a license number or a type id */
    uint64_t a;                                      /* log numbers */
    uint64_t b;
    libro_http_write op;
    libro_http_doc doc;                  /* a DOCUMENT route's document */
    char hash[LIBRO_HASH_REF_SIZE];      /* an agreement's hash */
    char law_id[LIBRO_MAX_ID_BYTES + 1]; /* a law id */
    bool html;                           /* a page for people: its errors are pages too */
} libro_http__route_match;

/** Match `path` (decoded, NUL-terminated) segment by segment: route NONE (404), or a route
 *  with its parameters filled in (or `malformed` with `usage`: 400). */
void libro_http__match(libro_http__route_match *m, const char *path);

/* ---- the routes */

/** GET /v1/health: 200 {"status":"ok",...} when the database answers a read, else 503
 *  {"status":"unavailable",...} (the cause to ctx->log). */
void libro_http__health(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg);
/** GET /v1/status/<list>/<purpose> and /v1/status/mandates/<list>/<purpose> (listcache.c). */
void libro_http__status(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                        const libro_http__request *req, bool mandates, uint32_t list, int purpose);
/** GET /v1/licenses/<number>: JSON, or the HTML page when Accept prefers it. */
void libro_http__license(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                         const libro_http__request *req, const char *number);
/** GET /v1/types/<id>. */
void libro_http__type(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                      const libro_http__request *req, const char *id);

/* ---- the roundtable (roundtable.c) */

/** A mandate record as the API shows it (NULL when out of memory). */
json_t *libro_http__mandate_json(const libro_mandate_record *m);
/** GET /v1/mandates/<id>: JSON, or the HTML page when Accept prefers it. */
void libro_http__mandate(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                         const libro_http__request *req, const char *id);
/** GET /v1/roundtable[?at=TIME]: the members at a time (now by default) and the seats. */
void libro_http__roundtable(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                            const libro_http__request *req);
/** GET /v1/roundtable/expiring?within=SECONDS. */
void libro_http__roundtable_expiring(libro_http__response *resp, libro_http_ctx *ctx,
                                     libro_registry **reg, const libro_http__request *req);

/** Serve a public record: `root` as JSON (consumed), or with `html` the page already in
 *  resp->body; 500 when `rc` failed. Cacheable (public, no-cache, an ETag), varying on
 *  Accept. */
void libro_http__finish_record(libro_http__response *resp, const libro_http__request *req,
                               json_t *root, bool html, libro_code rc);

/* ---- agreements and laws (laws.c) */

/** An agreement record as the API shows it at `now` (NULL when out of memory). */
json_t *libro_http__agreement_json(const libro_agreement_record *a, int64_t now);
/** A law record as the API shows it at `now` (NULL when out of memory). */
json_t *libro_http__law_json(const libro_law_record *l, int64_t now);
/** POST of a document (`doc`) that its own signatures authorize: no request signature, but
 *  the write budget, the storage rules and the log line of every write. `name` is the law id
 *  or the agreement hash the path names (NULL: none). */
void libro_http__document(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                          const libro_http__request *req, libro_http_doc doc, const char *name,
                          const unsigned char *body, size_t len);
/** GET /v1/agreements/<hash>: the agreement and its history; JSON or HTML. */
void libro_http__agreement(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                           const libro_http__request *req, const char *hash);
/** GET /v1/laws: the laws in force; JSON or HTML. */
void libro_http__laws(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                      const libro_http__request *req);
/** GET /v1/laws/<law id>: its versions and its latest process; JSON or HTML. */
void libro_http__law(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                     const libro_http__request *req, const char *law_id);
/** GET /v1/laws/<law id>/record[?run=N]: the record document; or the readable record. */
void libro_http__law_record(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                            const libro_http__request *req, const char *law_id);
/** GET /v1/laws/review-due?within=SECONDS. */
void libro_http__laws_review_due(libro_http__response *resp, libro_http_ctx *ctx,
                                 libro_registry **reg, const libro_http__request *req);

/* ---- HTML (pages.c, pages_law.c) */

/** `s` with <, >, &, " and ' escaped, appended to `b`. */
LIBRO_NODISCARD libro_code libro_http__html_text(libro_buf *b, const char *s, libro_error *err);
/** The agreement's page: each version of its history with its parties and what each accepts, term,
 * state and end (every text escaped), appended to `b`. */
LIBRO_NODISCARD libro_code libro_http__agreement_html(libro_buf *b, const char *hash,
                                                      const libro_agreement_record *h, size_t n,
                                                      int64_t now, libro_error *err);
/** The laws in force in `community` with their review dates (every text escaped). */
LIBRO_NODISCARD libro_code libro_http__laws_html(libro_buf *b, const char *community,
                                                 const libro_law_record *l, size_t n, int64_t now,
                                                 libro_error *err);
/** A law's versions, and the state of its latest process (every text escaped). */
LIBRO_NODISCARD libro_code libro_http__law_html(libro_buf *b, const char *law_id,
                                                const libro_law_record *l, size_t n, uint32_t run,
                                                bool open, size_t n_steps, libro_error *err);
/** A consent record for a member of the public: each step (signature checked) with who took
 *  it (names from the record's mandates), when, and what it says; every text escaped. */
struct libro_consent_record;
LIBRO_NODISCARD libro_code libro_http__record_html(libro_buf *b, uint32_t run,
                                                   const struct libro_consent_record *rec,
                                                   libro_error *err);

/** The query's "within": seconds, 0 to 3660 days, into *within; else false, and resp is
 *  400. */
bool libro_http__within(libro_http__response *resp, const libro_http__request *req,
                        int64_t *within);

/* ---- HTML (pages.c) */

/** Whether `accept` ranks text/html above application/json (the most specific range naming
 *  each decides its q). No Accept, or a tie: JSON. */
bool libro_http__prefers_html(const char *accept);
/** The one stylesheet of every page (pages.c), allowed by its hash in LIBRO_HTTP_CSP. */
extern const char libro_http__style[];
/** The Content-Security-Policy of every answer: nothing runs or loads, but the stylesheet
 *  (its SHA-256, base64), and forms go to this server only. */
#define LIBRO_HTTP_CSP                                                                             \
    "default-src 'none'; style-src 'sha256-7uqfkxx6SV9gy/wAuELBHBL7/Iwzl+m4ZKpBuSWHgQA='; "        \
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
/** The start of every HTML page, to its <main>: language, charset, viewport, the stylesheet,
 *  the title `title_a` (markup) then `title_b` (escaped; NULL: none), and a link home. */
LIBRO_NODISCARD libro_code libro_http__page_head(libro_buf *b, const char *title_a,
                                                 const char *title_b, libro_error *err);
/** Open a table in a region that scrolls sideways on a narrow screen, reachable by keyboard
 *  and named `label` (markup), appended to `b`; close it with "</table></div>". */
LIBRO_NODISCARD libro_code libro_http__table_open(libro_buf *b, const char *label,
                                                  libro_error *err);
/** What follows a community's level name in its words: ", level 2" after "town" (`out`, at
 *  most 32 bytes), nothing after a name that is already "level 5". */
void libro_http__level_suffix(char out[32], const char *level_name, int level);
/** The end of every HTML page. */
#define LIBRO_HTTP_PAGE_END "</main>\n</body></html>\n"

/* ---- the public register (public.c) */

/** The public record of a license as of `now` (docs/operations.md, "Public pages"): what its
 *  page shows and public.jwt signs, one rule for both. `events` oldest first; the history
 *  keeps the date, action and reason category of each, never the reason's text. NULL when
 *  out of memory or a value cannot be written (err says which). */
json_t *libro_http__public_record(const libro_http_ctx *ctx, const libro_license_record *r,
                                  const libro_license_event *events, size_t n_events, int64_t now,
                                  libro_error *err);
/** The license's public page from its public record (every text escaped), appended to `b`. */
LIBRO_NODISCARD libro_code libro_http__public_html(libro_buf *b, const json_t *record,
                                                   libro_error *err);
/** GET /: the home page, with the searches. */
void libro_http__home(libro_http__response *resp, libro_http_ctx *ctx,
                      const libro_http__request *req);
/** GET /licenses?number=N (303 to /licenses/N) or ?holder=NAME (the matching licenses). */
void libro_http__search(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                        const libro_http__request *req);
/** The license's public page (GET /licenses/<number>; GET /v1/licenses/<number> for a
 *  browser); an HTML 404 for an unknown number. */
void libro_http__license_page(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                              const libro_http__request *req, const char *number);
/** GET /v1/licenses/<number>/public.jwt: the public record, signed by the registry's key. */
void libro_http__license_record(libro_http__response *resp, libro_http_ctx *ctx,
                                libro_registry **reg, const libro_http__request *req,
                                const char *number);
/** Turn a JSON error in `resp` into its HTML page (status and message kept), when `html`
 *  (an HTML route, or a browser's request). */
void libro_http__html_error(libro_http__response *resp, bool html);

/** A mandate's HTML page (every text escaped), appended to `b`: its communities by name and
 *  level (the registry's own from `ctx`, a member's from `seats`), each id under its name, and
 *  dates as days. */
LIBRO_NODISCARD libro_code libro_http__mandate_html(libro_buf *b, const libro_http_ctx *ctx,
                                                    const libro_mandate_record *m,
                                                    const libro_seat *seats, size_t n_seats,
                                                    libro_error *err);
/** The roundtable's HTML page at `at` (TIME text): its members and chair with their terms,
 *  then the seats without a member, or that every seat has one (every text escaped), appended
 *  to `b`. */
LIBRO_NODISCARD libro_code libro_http__roundtable_html(libro_buf *b, const char *community,
                                                       const char *at,
                                                       const libro_mandate_record *m, size_t n,
                                                       const libro_seat *seats, size_t n_seats,
                                                       libro_error *err);

/** A JSON error response: {"error":{"code","message"}}. */
void libro_http__error(libro_http__response *resp, unsigned status, const char *code,
                       const char *message);

void libro_http__response_clear(libro_http__response *resp);

#endif
