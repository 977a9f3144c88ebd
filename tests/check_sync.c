/* libro_trust_sync (verifier/src/sync.c) against a real libro_server on 127.0.0.1, in-process:
 * a registry of town 7 whose health board issues and revokes over the signed API
 * (libro_registry_client over HTTP), and a temp trust store with the town's self-charter
 * pinned. Covered: a first sync and its report, 304 on the next, a revocation reaching the
 * store (REVOKED) with a log that grew; and every refusal: no anchor, a bundle for another
 * URL, a forked log (two registries from the same charter, authorization and keys, served in
 * turn under one URL), a rollback to an older database, a replayed older bundle, bundles
 * crafted with the registry's own key (older status lists, wrong typ, another url), a forged
 * signature, the URL policy, a server that is down. A small loopback server of our own
 * (one canned answer) stands in for the registry where the answer must be exact.
 * Fixtures are checked: the server's threads do not survive check's fork. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/api.h"
#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/http.h"
#include "libro/issuer.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/registry.h"
#include "libro/registry_client.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define REGISTRY_ID COMMUNITY ":registry"
#define BOARD COMMUNITY ":health-board"
#define NURSING "nursing-general"

/* When the server last started (lists and bundles are dated from the second after). */
static char dir[256];
static char db_a[512]; /* test_db_path: a file, or a PostgreSQL schema */
static char db_b[512]; /* test_db_path: a file, or a PostgreSQL schema */
static char trust_dir[300];
static libro_key *town_key;
static libro_key *board_key;
static libro_key *registry_key;
static libro_key *stranger_key;
static char *charter_jws;
static char *auth_jws;
static char *board_auth_jws;
static char board_kid[300];
static libro_server *server;
static uint16_t port;
static char base[64]; /* http://127.0.0.1:<port> */
static libro_trust *store;
static libro_registry_client *client;
static char *lic_a; /* T7-N-0001, issued over the API into registry A */

/* ---- helpers ------------------------------------------------------------------------------- */

/* A registry database from the fixture's charter, authorization and keys: the nursing type
 * and the board's authorization, nothing else. */
static void
create_registry(const char *path)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};

    must(libro_registry_create(path, charter_jws, auth_jws, &err), &err, "create");
    must(libro_registry_open(&r, path, &err), &err, "open");
    t.id = sdup(NURSING);
    must(libro_registry_define_type(r, NULL, &t, "council", &err), &err, "type");
    libro_free(t.id);
    must(libro_registry_authorize_issuer(r, NULL, board_auth_jws, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                         "clerk", libro_time_now(), &err),
         &err, "authorize");
    libro_registry_close(r);
}

/* The registry's listening socket while no server runs on it (libro_server_stop_keep_socket):
 * the next server takes it over, so that the registry keeps its URL with no moment in which
 * another process could take its port. -1 when closed (the server down). */
static int parked = -1;

/* A server of `db` on `listen_fd` (-1: an ephemeral port on 127.0.0.1) at `base_url` (NULL:
 * the one derived from the port). */
static libro_server *
server_on(const char *db, const char *base_url, int listen_fd)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_server *s = NULL;

    opt.db_path = db;
    opt.registry_key = registry_key;
    opt.base_url = base_url;
    opt.listen_fd = listen_fd;
    opt.threads = 2;
    opt.write_rate = 1000;
    opt.write_burst = 1000;
    must(libro_server_start(&s, &opt, &err), &err, "server start");
    ck_assert_uint_ne(libro_server_port(s), 0);
    return s;
}

/* Serve `db` on the parked socket, else on an ephemeral port; `base` is its URL. */
static void
start_server(const char *db)
{
    ck_assert_ptr_null(server);
    server = server_on(db, NULL, parked);
    if (parked >= 0) {
        (void) close(parked); /* the server has its own duplicate */
        parked = -1;
    }
    port = libro_server_port(server);
    ck_assert_int_gt(snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned) port), 0);
    ck_assert_str_eq(libro_server_base_url(server), base);
}

/* Stop the server, parking its socket for the next one. */
static void
stop_server(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    if (server != NULL) {
        must(libro_server_stop_keep_socket(server, &parked, &err), &err, "stop");
        server = NULL;
    }
}

/* The server down: its port closed (a server started after it gets another port and URL). */
static void
server_down(void)
{
    stop_server();
    if (parked >= 0) {
        (void) close(parked);
        parked = -1;
    }
}

/* A license `number` signed by the board at a fresh reservation (over the API), not yet
 * registered. */
static char *
issue_unregistered(const char *number)
{
    static const char *const scope = "general care";
    libro_error err = LIBRO_ERROR_INIT;
    int64_t now = libro_time_now();
    libro_credential *c =
        new_cred(LIBRO_CRED_LICENSE, BOARD, NULL, "Ada Example", now - 60, now + 300 * DAY);
    uint32_t list = 0;
    uint32_t index = 0;
    char *rev = NULL;
    char *sus = NULL;
    char *msg = NULL;
    char *jws;

    must(libro_registry_client_reserve(client, &list, &index, &rev, &sus, &msg, &err), &err,
         "reserve");
    c->license_number = sdup(number);
    c->profession = sdup("registered nurse");
    c->license_type = sdup(NURSING);
    c->scope = libro_calloc(1, sizeof *c->scope);
    ck_assert_ptr_nonnull(c->scope);
    c->scope[0] = sdup(scope);
    c->n_scope = 1;
    c->community_id = sdup(COMMUNITY);
    c->community_level = 2;
    c->has_status = true;
    c->status_index = index;
    c->status_revocation_list = rev;
    c->status_suspension_list = sus;
    c->status_message_list = msg;
    jws = sign(c, board_key);
    libro_credential_free(c);
    return jws;
}

/* The (list, index) a license's credentialStatus names. */
static void
issued_slot(const char *jws, uint32_t *list, uint32_t *index)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws *j = NULL;
    libro_credential *c = NULL;
    libro_key *pub = public_of(board_key);
    const unsigned char *p;
    size_t len = 0;
    const char *tail;

    must(libro_jws_parse(&j, jws, strlen(jws), &err), &err, "parse");
    must(libro_jws_verify(j, pub, &err), &err, "verify");
    p = libro_jws_payload(j, &len);
    must(libro_credential_parse(&c, p, len, &err), &err, "credential");
    *index = c->status_index;
    tail = strstr(c->status_revocation_list, "/v1/status/");
    ck_assert_ptr_nonnull(tail);
    *list = (uint32_t) strtoul(tail + 11, NULL, 10);
    libro_credential_free(c);
    libro_jws_free(j);
    libro_key_free(pub);
}

/* Issue license `number` over the API of the running server, signed by the board. */
static char *
issue(const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *jws = issue_unregistered(number);
    uint32_t list = 0;
    uint32_t index = 0;

    issued_slot(jws, &list, &index);
    must(libro_registry_client_register(client, jws, list, index, &err), &err, "register");
    return jws;
}

/* Wait until the clock's second is later than `t`: a bundle signed then is newer. */
static void
second_after(int64_t t)
{
    while (libro_time_now() <= t) {
        (void) usleep(20000);
    }
}

static void
change(const char *number, libro_action action)
{
    libro_error err = LIBRO_ERROR_INIT;

    /* No wait: an acknowledged change is in the very next bundle (read your writes). */
    must(libro_registry_client_change(client, number, action, "test", &err), &err, "change");
}

static uint64_t
log_size_of(const char *db)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_merkle_hash root;
    uint64_t size = 0;

    must(libro_registry_open(&r, db, &err), &err, "open");
    must(libro_registry_log_head(r, &size, &root, &err), &err, "head");
    libro_registry_close(r);
    return size;
}

static libro_outcome
verify(const char *jws)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verification *v = NULL;
    libro_outcome o;

    must(libro_verify_license(&v, store, jws, strlen(jws), NULL, &err), &err, "verify");
    o = v->outcome;
    libro_verification_free(v);
    return o;
}

static libro_code
sync_url(libro_sync_report *rep, const char *url, libro_error *err)
{
    return libro_trust_sync(store, url, NULL, rep, err);
}

static void
sync_ok(libro_sync_report *rep)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(sync_url(rep, base, &err), &err, "sync");
}

static void
copy_file(const char *from, const char *to)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc = libro_file_read(&b, from, 64u << 20, false, &err);

    (void) unlink(to);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        return;
    }
    must(rc, &err, "read");
    must(libro_file_write_atomic(to, b.data, b.len, 0600, &err), &err, "write");
    libro_buf_free(&b);
}

/* Copy a (closed) database with its WAL files, if any. */
static void
copy_db(const char *from, const char *to)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char a[320];
    char b[320];

    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        ck_assert_int_gt(snprintf(a, sizeof a, "%s%s", from, suffixes[i]), 0);
        ck_assert_int_gt(snprintf(b, sizeof b, "%s%s", to, suffixes[i]), 0);
        copy_file(a, b);
    }
}

/* ---- fixture ------------------------------------------------------------------------------- */

static void
setup(void)
{
    static const char *const types[] = {NURSING};
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    int64_t now = libro_time_now();
    libro_credential *c;

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-sync-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db_a, sizeof db_a, dir, "a.db");
    test_db_path(db_b, sizeof db_b, dir, "b.db");
    ck_assert_int_gt(snprintf(trust_dir, sizeof trust_dir, "%s/trust", dir), 0);
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&board_key, LIBRO_ALG_ED25519, &err), &err, "board key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");
    must(libro_key_generate(&stranger_key, LIBRO_ALG_ED25519, &err), &err, "stranger key");

    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", now - 30 * DAY,
                 now + 3000 * DAY);
    c->level = 2;
    c->subject_key = public_of(town_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(types[0]);
    c->n_allowed = 1;
    charter_jws = sign(c, town_key);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, REGISTRY_ID, "Town 7 Registry",
                 now - 30 * DAY, now + 3000 * DAY);
    c->subject_key = public_of(registry_key);
    c->url = sdup("http://127.0.0.1");
    auth_jws = sign(c, town_key);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_ISSUER_AUTH, COMMUNITY, BOARD, "Town 7 Health Board", now - 30 * DAY,
                 now + 1000 * DAY);
    c->subject_key = public_of(board_key);
    c->grants = libro_calloc(1, sizeof *c->grants);
    ck_assert_ptr_nonnull(c->grants);
    c->grants[0].id = sdup(NURSING);
    c->grants[0].validity_days = 365;
    c->n_grants = 1;
    board_auth_jws = sign(c, town_key);
    libro_credential_free(c);
    kid_of(board_kid, BOARD, board_key);
    create_registry(db_a);

    /* An ephemeral port, and the base URL derived from it (http://127.0.0.1:<port>). */
    start_server(db_a);
    must(libro_registry_client_open(&client, base, board_key, board_kid, NULL, NULL, &err), &err,
         "client");
    lic_a = issue("T7-N-0001");

    must(libro_trust_open(&store, trust_dir, &err), &err, "trust store");
    must(libro_trust_add_anchor(store, charter_jws, strlen(charter_jws), NULL, NULL, &err), &err,
         "pin the town");
}

static void
teardown(void)
{
    server_down();
    libro_registry_client_close(client);
    client = NULL;
    libro_trust_free(store);
    store = NULL;
    test_db_remove(db_a);
    test_db_remove(db_b);
    libro_test_rm_rf(dir);
    libro_free(lic_a);
    libro_free(board_auth_jws);
    libro_free(auth_jws);
    libro_free(charter_jws);
    lic_a = board_auth_jws = auth_jws = charter_jws = NULL;
    libro_key_free(stranger_key);
    libro_key_free(registry_key);
    libro_key_free(board_key);
    libro_key_free(town_key);
    stranger_key = registry_key = board_key = town_key = NULL;
}

/* The assertion of a known bug: when it fails, the fixture is torn down first, since in
 * check's fork mode a failed test skips the checked teardown (and would leave its temp
 * directory behind). teardown() may then run twice: it is idempotent. */
#define ASSERT_OR_CLEAN(cond, ...)                                                                 \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            char msg_[512];                                                                        \
            (void) snprintf(msg_, sizeof msg_, __VA_ARGS__);                                       \
            teardown();                                                                            \
            ck_abort_msg("%s", msg_);                                                              \
        }                                                                                          \
    } while (0)

/* ---- a canned HTTP server ------------------------------------------------------------------ */

/* Answers every request on the parked socket (the registry's URL) with one status and body,
 * until stopped. */
struct canned {
    pthread_t thread;
    int fd;
    volatile int stop;
    int status;
    const char *content_type;
    libro_buf body;
    unsigned served;
};

static void *
canned_main(void *arg)
{
    struct canned *c = arg;

    while (!c->stop) {
        struct pollfd p = {c->fd, POLLIN, 0};
        char req[4096];
        char head[256];
        size_t got = 0;
        int conn;

        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        conn = accept(c->fd, NULL, NULL);
        if (conn < 0) {
            continue;
        }
        /* Read the head (requests here have no body). */
        while (got < sizeof req - 1) {
            ssize_t n = recv(conn, req + got, sizeof req - 1 - got, 0);

            if (n <= 0) {
                break;
            }
            got += (size_t) n;
            req[got] = '\0';
            if (strstr(req, "\r\n\r\n") != NULL) {
                break;
            }
        }
        if (snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     c->status, c->content_type, c->body.len) > 0) {
            (void) send(conn, head, strlen(head), MSG_NOSIGNAL);
            (void) send(conn, c->body.data, c->body.len, MSG_NOSIGNAL);
        }
        c->served++;
        (void) close(conn);
    }
    return NULL;
}

static void
canned_start(struct canned *c, int status, const void *body, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;

    memset(c, 0, sizeof *c);
    c->status = status;
    c->content_type = "application/jose";
    must(libro_buf_append(&c->body, body, len, &err), &err, "body");
    /* The registry's own socket, parked by stop_server: the same URL. */
    ck_assert_int_ge(parked, 0);
    c->fd = dup(parked);
    ck_assert_int_ge(c->fd, 0);
    ck_assert_int_eq(pthread_create(&c->thread, NULL, canned_main, c), 0);
}

static void
canned_stop(struct canned *c)
{
    c->stop = 1;
    ck_assert_int_eq(pthread_join(c->thread, NULL), 0);
    (void) close(c->fd);
    libro_buf_free(&c->body);
}

/* The bundle the running server serves now. */
static void
fetch_bundle(libro_buf *out)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    char url[128];

    ck_assert_int_gt(snprintf(url, sizeof url, "%s/v1/bundle", base), 0);
    req.url = url;
    req.max_response_bytes = LIBRO_MAX_BUNDLE_TOKEN_BYTES;
    must(libro_http_fetch(&resp, &req, &err), &err, "fetch bundle");
    ck_assert_int_eq(resp.status, 200);
    libro_buf_clear(out);
    must(libro_buf_append(out, resp.body.data, resp.body.len, &err), &err, "copy");
    libro_http_response_clear(&resp);
}

/* The payload of a bundle (not verified: the test made it). */
static json_t *
bundle_payload(const libro_buf *bundle)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    const char *p = (const char *) bundle->data;
    const char *d1 = memchr(p, '.', bundle->len);
    const char *d2;
    json_t *root = NULL;

    ck_assert_ptr_nonnull(d1);
    d2 = memchr(d1 + 1, '.', bundle->len - (size_t) (d1 + 1 - p));
    ck_assert_ptr_nonnull(d2);
    must(libro_b64url_decode(&payload, d1 + 1, (size_t) (d2 - d1 - 1), &err), &err, "payload");
    lim.max_bytes = LIBRO_MAX_BUNDLE_PAYLOAD_BYTES;
    must(libro_json__load(&root, (const char *) payload.data, payload.len, &lim, &err), &err,
         "payload JSON");
    libro_buf_free(&payload);
    return root;
}

/* Sign `payload` as a bundle with `k` under the registry's kid, typ `typ`. */
static void
sign_bundle(libro_buf *out, const json_t *payload, const libro_key *k, const char *typ)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    char kid[300];

    kid_of(kid, REGISTRY_ID, registry_key);
    must(libro_json__dump(&text, payload, &err), &err, "dump");
    libro_buf_clear(out);
    must(libro_jws_sign_compact_ex(out, k, kid, typ, text.data, text.len,
                                   LIBRO_MAX_BUNDLE_TOKEN_BYTES, LIBRO_MAX_BUNDLE_PAYLOAD_BYTES,
                                   &err),
         &err, "sign bundle");
    libro_buf_free(&text);
}

static void
set_issued(json_t *payload, int64_t t)
{
    libro_error err = LIBRO_ERROR_INIT;
    char text[LIBRO_TIME_TEXT_MAX];

    must(libro_time_format(text, t, &err), &err, "time");
    ck_assert_int_eq(json_object_set_new(payload, "issued", json_string(text)), 0);
}

/* Serve `bundle` in place of the registry and sync it: the code. */
static libro_code
sync_canned(int status, const libro_buf *bundle, libro_error *err)
{
    struct canned c;
    libro_sync_report rep;
    libro_code rc;

    canned_start(&c, status, bundle->data, bundle->len);
    rc = sync_url(&rep, base, err);
    canned_stop(&c);
    ck_assert_uint_ge(c.served, 1);
    return rc;
}

static void
state_file(char out[600])
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char d[32];
    libro_buf hex = LIBRO_BUF_INIT;

    must(libro_sha256(d, base, strlen(base), &err), &err, "sha256");
    must(libro_hex_encode(&hex, d, sizeof d, &err), &err, "hex");
    ck_assert_int_gt(snprintf(out, 600, "%s/sync/%s.json", trust_dir, (const char *) hex.data), 0);
    libro_buf_free(&hex);
}

/* ---- the journey --------------------------------------------------------------------------- */

START_TEST(test_sync_journey)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_sync_report again;
    char state[600];
    char slash[80];
    struct stat st;
    int64_t t0 = libro_time_now();
    uint64_t size = log_size_of(db_a);

    /* Before any sync the store has no status lists: the status is unknown. */
    ck_assert_int_eq(verify(lic_a), LIBRO_UNTRUSTED); /* nor the board's authorization */

    sync_ok(&rep);
    ck_assert(!rep.not_modified);
    ck_assert_int_ge(rep.issued, t0 - 1);
    ck_assert_int_le(rep.issued, libro_time_now() + 1);
    ck_assert_uint_eq(rep.status_lists, 3);   /* revocation, suspension, message */
    ck_assert_uint_eq(rep.authorizations, 2); /* the registry's and the board's */
    ck_assert_uint_eq(rep.log_size, size);
    ck_assert_uint_eq(rep.log_size, 3); /* type, authorization, issue */
    ck_assert_uint_eq(rep.log_grew_from, 0);
    ck_assert_int_eq(verify(lic_a), LIBRO_VALID);
    state_file(state);
    ck_assert_int_eq(stat(state, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777u, 0600u);

    /* Nothing new: 304, the store as it was. */
    sync_ok(&again);
    ck_assert(again.not_modified);
    ck_assert_int_eq(again.issued, rep.issued);
    ck_assert_int_eq(again.issued_ms, rep.issued_ms);
    ck_assert_int_eq(again.issued_ms / 1000, again.issued);
    /* The same URL with a trailing slash is the same registry (and state). */
    ck_assert_int_gt(snprintf(slash, sizeof slash, "%s/", base), 0);
    must(sync_url(&again, slash, &err), &err, "sync with a slash");
    ck_assert(again.not_modified);

    /* A revocation: a newer bundle, a log that grew, and the license REVOKED. */
    change("T7-N-0001", LIBRO_ACTION_SUSPEND);
    sync_ok(&again);
    ck_assert(!again.not_modified);
    ck_assert_int_gt(again.issued_ms, rep.issued_ms);
    ck_assert_uint_eq(again.log_grew_from, rep.log_size);
    ck_assert_uint_eq(again.log_size, rep.log_size + 1);
    ck_assert_int_eq(verify(lic_a), LIBRO_SUSPENDED);
    rep = again;
    change("T7-N-0001", LIBRO_ACTION_REVOKE);
    sync_ok(&again);
    ck_assert(!again.not_modified);
    ck_assert_int_gt(again.issued_ms, rep.issued_ms);
    ck_assert_uint_lt(again.log_grew_from, again.log_size);
    ck_assert_uint_eq(again.log_grew_from, rep.log_size);
    ck_assert_uint_eq(again.log_size, log_size_of(db_a));
    ck_assert_int_eq(verify(lic_a), LIBRO_REVOKED);

    /* A store opened afresh from disk holds the same. */
    libro_trust_free(store);
    store = NULL;
    must(libro_trust_open(&store, trust_dir, &err), &err, "reopen");
    ck_assert_int_eq(verify(lic_a), LIBRO_REVOKED);
    sync_ok(&again);
    ck_assert(again.not_modified);
}
END_TEST

/* Read your writes (docs/operations.md): each acknowledged change is in the very next sync, with
 * no wait between them, 20 times in a row; bundles are ordered to the millisecond. */
START_TEST(test_read_your_writes)
{
    libro_sync_report rep;
    libro_sync_report again;

    sync_ok(&rep);
    for (int i = 0; i < 20; i++) {
        change("T7-N-0001", LIBRO_ACTION_SUSPEND);
        sync_ok(&again);
        ck_assert_msg(!again.not_modified, "cycle %d: suspension not in the next sync", i);
        ck_assert_int_gt(again.issued_ms, rep.issued_ms);
        ck_assert_int_le(again.issued_ms, libro_time_now_ms());
        ck_assert_int_eq(verify(lic_a), LIBRO_SUSPENDED);
        rep = again;
        change("T7-N-0001", LIBRO_ACTION_REINSTATE);
        sync_ok(&again);
        ck_assert_msg(!again.not_modified, "cycle %d: reinstatement not in the next sync", i);
        ck_assert_int_gt(again.issued_ms, rep.issued_ms);
        ck_assert_int_eq(verify(lic_a), LIBRO_VALID);
        rep = again;
    }
}
END_TEST

/* A sync state written before milliseconds ("issued" to the second) still reads: the next
 * bundle must be newer than that second's start; one dated within the second is newer. */
START_TEST(test_state_in_seconds)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_buf text = LIBRO_BUF_INIT;
    char state[600];
    char when[LIBRO_TIME_TEXT_MAX];
    char *at;

    sync_ok(&rep);
    ck_assert_int_ge(rep.issued_ms % 1000, 0);
    state_file(state);
    must(libro_file_read(&text, state, 1u << 16, true, &err), &err, "read state");
    at = strstr((char *) text.data, "\"issued\":\"");
    ck_assert_ptr_nonnull(at);
    at += 10;
    /* "YYYY-MM-DDTHH:MM:SS.mmmZ" becomes "YYYY-MM-DDTHH:MM:SSZ" (and a shorter file). */
    ck_assert_int_eq(at[19], '.');
    ck_assert_int_eq(at[23], 'Z');
    memmove(at + 19, at + 23, strlen(at + 23) + 1);
    must(libro_file_write_atomic(state, text.data, strlen((char *) text.data), 0600, &err), &err,
         "write state");
    must(libro_time_format(when, rep.issued, &err), &err, "format");
    ck_assert(strncmp(at, when, 20) == 0);
    change("T7-N-0001", LIBRO_ACTION_SUSPEND);
    sync_ok(&rep);
    ck_assert(!rep.not_modified);
    ck_assert_int_eq(verify(lic_a), LIBRO_SUSPENDED);
    libro_buf_free(&text);
}
END_TEST

/* ---- refusals ------------------------------------------------------------------------------ */

START_TEST(test_no_anchor)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    char state[600];

    libro_trust_free(store);
    store = NULL;
    libro_test_rm_rf(trust_dir);
    must(libro_trust_open(&store, trust_dir, &err), &err, "empty store");
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), LIBRO_ERR_UNTRUSTED, &err,
                      "the registry is not trusted");
    state_file(state);
    ck_assert_int_ne(access(state, F_OK), 0); /* nothing remembered */
    ck_assert_int_eq(verify(lic_a), LIBRO_UNTRUSTED);
    /* Pinned afterwards, the same registry syncs. */
    must(libro_trust_add_anchor(store, charter_jws, strlen(charter_jws), NULL, NULL, &err), &err,
         "pin");
    sync_ok(&rep);
    ck_assert_int_eq(verify(lic_a), LIBRO_VALID);
}
END_TEST

/* Another community's anchor is no anchor for this one. */
START_TEST(test_other_anchor)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_credential *c;
    char *other;
    int64_t now = libro_time_now();

    libro_trust_free(store);
    store = NULL;
    libro_test_rm_rf(trust_dir);
    must(libro_trust_open(&store, trust_dir, &err), &err, "empty store");
    c = new_cred(LIBRO_CRED_CHARTER, "urn:libro:town-8", "urn:libro:town-8", "Town 8", now - DAY,
                 now + 100 * DAY);
    c->level = 2;
    c->subject_key = public_of(stranger_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(NURSING);
    c->n_allowed = 1;
    other = sign(c, stranger_key);
    libro_credential_free(c);
    must(libro_trust_add_anchor(store, other, strlen(other), NULL, NULL, &err), &err, "pin");
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), LIBRO_ERR_UNTRUSTED, &err, NULL);
    libro_free(other);
}
END_TEST

/* The bundle names the URL its registry serves at: fetched from elsewhere, it is refused. */
START_TEST(test_url_mismatch)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_server *elsewhere = server_on(db_a, "http://127.0.0.1:1", -1);
    char other[80];

    /* A server whose bundle names another URL than the one it is fetched from. */
    ck_assert_int_gt(snprintf(other, sizeof other, "http://127.0.0.1:%u",
                              (unsigned) libro_server_port(elsewhere)),
                     0);
    LIBRO_ASSERT_CODE(sync_url(&rep, other, &err), LIBRO_ERR_UNTRUSTED, &err,
                      "bundle: signed by another registry");
    libro_server_stop(elsewhere);
    /* 127.1 is 127.0.0.1 to libcurl, but not the URL the registry names. */
    ck_assert_int_gt(snprintf(other, sizeof other, "http://127.1:%u", (unsigned) port), 0);
    LIBRO_ASSERT_CODE(sync_url(&rep, other, &err), LIBRO_ERR_UNTRUSTED, &err,
                      "bundle: signed by another registry");
    sync_ok(&rep);
}
END_TEST

/* Two registries made from the same charter, authorization and keys, with different writes,
 * served in turn under one URL: the second's log does not extend the first's. */
static void
fork_case(int extra_b, libro_code want, const char *msg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_registry_client *a_client = client;
    char *lic_b;

    create_registry(db_b);
    sync_ok(&rep);
    ck_assert_uint_eq(rep.log_size, 3);
    stop_server();
    start_server(db_b);
    must(libro_registry_client_open(&client, base, board_key, board_kid, NULL, NULL, &err), &err,
         "client");
    libro_registry_client_close(a_client);
    /* B: its own license, and `extra_b` more events: B's log is 3 + extra_b leaves. */
    if (extra_b >= 1) {
        lic_b = issue("T7-N-0002");
        libro_free(lic_b);
    }
    if (extra_b >= 2) {
        change("T7-N-0002", LIBRO_ACTION_SUSPEND);
    }
    ck_assert_uint_eq(log_size_of(db_b), 2 + (uint64_t) extra_b);
    second_after(rep.issued);
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), want, &err, msg);
    /* Nothing of B was taken: the license of A is still VALID (not B's status). */
    ck_assert_int_eq(verify(lic_a), LIBRO_VALID);
}

START_TEST(test_fork_larger)
{
    fork_case(2, LIBRO_ERR_PROOF, "merkle: "); /* 4 leaves against 3 */
}
END_TEST

START_TEST(test_fork_same_size)
{
    fork_case(1, LIBRO_ERR_PROOF, "merkle: equal sizes with different roots"); /* 3 leaves */
}
END_TEST

START_TEST(test_fork_smaller)
{
    fork_case(0, LIBRO_ERR_ROLLBACK, "fewer than"); /* 2 leaves */
}
END_TEST

/* An older copy of the database, served after a later sync, is a rollback. */
START_TEST(test_rollback_old_db)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_sync_report later;
    char old[320];
    char state[600];
    libro_buf saved = LIBRO_BUF_INIT;
    libro_buf now_state = LIBRO_BUF_INIT;

    if (test_db_sqlite_only("an older copy of the database file put back")) {
        return;
    }
    ck_assert_int_gt(snprintf(old, sizeof old, "%s/old.db", dir), 0);
    stop_server();
    copy_db(db_a, old);
    start_server(db_a);
    sync_ok(&rep);
    change("T7-N-0001", LIBRO_ACTION_REVOKE);
    sync_ok(&later);
    ck_assert_uint_eq(later.log_size, rep.log_size + 1);
    ck_assert_int_eq(verify(lic_a), LIBRO_REVOKED);
    state_file(state);
    must(libro_file_read(&saved, state, 1u << 20, false, &err), &err, "state");

    stop_server();
    copy_db(old, db_a);
    second_after(later.issued);
    start_server(db_a);
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), LIBRO_ERR_ROLLBACK, &err,
                      "fewer than the 4 synced before");
    /* The store and the state are as the later sync left them. */
    ck_assert_int_eq(verify(lic_a), LIBRO_REVOKED);
    must(libro_file_read(&now_state, state, 1u << 20, false, &err), &err, "state");
    ck_assert_uint_eq(now_state.len, saved.len);
    ck_assert_int_eq(memcmp(now_state.data, saved.data, saved.len), 0);
    libro_buf_free(&now_state);
    libro_buf_free(&saved);
}
END_TEST

/* A bundle no newer than the last one synced (a replay of an older one) is refused. */
START_TEST(test_old_bundle_replayed)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_buf older = LIBRO_BUF_INIT;
    libro_buf newest = LIBRO_BUF_INIT;

    fetch_bundle(&older);
    change("T7-N-0001", LIBRO_ACTION_REVOKE);
    sync_ok(&rep);
    fetch_bundle(&newest);
    stop_server();
    LIBRO_ASSERT_CODE(sync_canned(200, &older, &err), LIBRO_ERR_ROLLBACK, &err,
                      "the bundle is not newer than the one synced before");
    /* The very bundle synced, served again without its ETag: not newer either. */
    LIBRO_ASSERT_CODE(sync_canned(200, &newest, &err), LIBRO_ERR_ROLLBACK, &err, "not newer");
    ck_assert_int_eq(verify(lic_a), LIBRO_REVOKED);
    libro_buf_free(&newest);
    libro_buf_free(&older);
}
END_TEST

/* Bundles made with the registry's own key (a registry gone wrong, or its key stolen) still
 * cannot take back a revocation, and each part is checked. */
START_TEST(test_crafted_bundles)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_buf older = LIBRO_BUF_INIT;
    libro_buf newest = LIBRO_BUF_INIT;
    libro_buf crafted = LIBRO_BUF_INIT;
    json_t *old_p;
    json_t *new_p;
    json_t *p;

    fetch_bundle(&older);
    change("T7-N-0001", LIBRO_ACTION_REVOKE);
    sync_ok(&rep);
    fetch_bundle(&newest);
    stop_server();
    old_p = bundle_payload(&older);
    new_p = bundle_payload(&newest);

    /* Newer, with the current checkpoint, but the old status lists (no revocation bit). */
    p = json_deep_copy(new_p);
    ck_assert_int_eq(json_object_set(p, "statusLists", json_object_get(old_p, "statusLists")), 0);
    set_issued(p, rep.issued + 10);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_ROLLBACK, &err,
                      "the bundle's status list is older than the one held");
    ck_assert_int_eq(verify(lic_a), LIBRO_REVOKED);
    json_decref(p);

    /* Newer, with the old checkpoint: a smaller tree. */
    p = json_deep_copy(new_p);
    ck_assert_int_eq(json_object_set(p, "checkpoint", json_object_get(old_p, "checkpoint")), 0);
    set_issued(p, rep.issued + 10);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_ROLLBACK, &err, "fewer than");
    json_decref(p);

    /* Another url inside. */
    p = json_deep_copy(new_p);
    ck_assert_int_eq(json_object_set_new(p, "url", json_string("http://127.0.0.1:1")), 0);
    set_issued(p, rep.issued + 10);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_UNTRUSTED, &err,
                      "signed by another registry");
    json_decref(p);

    /* Not the bundle typ. */
    p = json_deep_copy(new_p);
    set_issued(p, rep.issued + 10);
    sign_bundle(&crafted, p, registry_key, "JWT");
    LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_PARSE, &err,
                      "bundle: typ is not libro-bundle+jwt");
    /* Signed by another key under the registry's kid. */
    sign_bundle(&crafted, p, stranger_key, LIBRO_BUNDLE_TYP);
    LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_BAD_SIGNATURE, &err, NULL);
    /* A member more. */
    ck_assert_int_eq(json_object_set_new(p, "extra", json_true()), 0);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_PARSE, &err,
                      "not a LibroTrustBundle");
    json_decref(p);

    /* A checkpoint signed by another key. */
    {
        libro_checkpoint cp = {0};
        libro_buf note = LIBRO_BUF_INIT;
        libro_key *pub = public_of(registry_key);
        const char *text = json_string_value(json_object_get(new_p, "checkpoint"));

        must(libro_checkpoint_open(&cp, text, strlen(text), REGISTRY_ID, REGISTRY_ID, pub, &err),
             &err, "checkpoint");
        must(libro_checkpoint_sign(&note, &cp, REGISTRY_ID, stranger_key, &err), &err, "sign");
        p = json_deep_copy(new_p);
        ck_assert_int_eq(
            json_object_set_new(p, "checkpoint", json_stringn((const char *) note.data, note.len)),
            0);
        set_issued(p, rep.issued + 10);
        sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
        LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_UNTRUSTED, &err,
                          "bundle checkpoint");
        json_decref(p);
        libro_checkpoint_clear(&cp);
        libro_buf_free(&note);
        libro_key_free(pub);
    }

    /* Not a bundle at all; not a 200. */
    {
        libro_buf junk = LIBRO_BUF_INIT;

        must(libro_buf_append_str(&junk, "hello", &err), &err, "junk");
        LIBRO_ASSERT_CODE(sync_canned(200, &junk, &err), LIBRO_ERR_PARSE, &err, NULL);
        LIBRO_ASSERT_CODE(sync_canned(404, &junk, &err), LIBRO_ERR_NETWORK, &err, "HTTP 404");
        LIBRO_ASSERT_CODE(sync_canned(503, &junk, &err), LIBRO_ERR_NETWORK, &err, "HTTP 503");
        libro_buf_free(&junk);
    }
    /* After all that, the store still holds the revocation. */
    ck_assert_int_eq(verify(lic_a), LIBRO_REVOKED);
    json_decref(new_p);
    json_decref(old_p);
    libro_buf_free(&crafted);
    libro_buf_free(&newest);
    libro_buf_free(&older);
}
END_TEST

/* A member community's charter as the registry's community (the town) signs it: `level` 1
 * (the town is level 2), `id`, by `k` under the town's kid (`k` another key: a forgery). */
static char *
member_charter(const char *id, int level, const libro_key *k, const char *issuer)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t now = libro_time_now();
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, issuer, id, "Neighborhood 3", now - 10 * DAY,
                                   now + 1000 * DAY);
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    char kid[300];

    c->level = level;
    c->subject_key = public_of(stranger_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(NURSING);
    c->n_allowed = 1;
    must(libro_credential_to_json(&payload, c, &err), &err, "member json");
    kid_of(kid, issuer, strcmp(issuer, COMMUNITY) == 0 ? town_key : k);
    must(libro_jws_sign_compact(&out, k, kid, "vc+jwt", payload.data, payload.len, &err), &err,
         "sign member");
    libro_credential_free(c);
    libro_buf_free(&payload);
    return (char *) libro_buf_detach(&out, NULL);
}

/* Whether the store holds a charter of `id`. */
static bool
store_has(const char *id)
{
    libro_trust_entry e;

    for (size_t i = 0; i < libro_trust_count(store); i++) {
        libro_trust_get(store, i, &e);
        if (e.type == LIBRO_CRED_CHARTER && strcmp(e.subject_id, id) == 0) {
            return true;
        }
    }
    return false;
}

/* The bundle's `members` (the charters of the member communities that hold the seats of the
 * registry's roundtable): a bundle without the member (the older form) syncs; with members
 * signed by the registry's community they are kept; a member forged, issued by another
 * community, of a level the chain rules refuse, or not a string refuses the whole bundle, and
 * nothing of it is kept. */
START_TEST(test_bundle_members)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_buf bundle = LIBRO_BUF_INIT;
    libro_buf crafted = LIBRO_BUF_INIT;
    struct canned c;
    json_t *base_p;
    json_t *p;
    int64_t issued;
    char *good = member_charter("urn:libro:neighborhood-3", 1, town_key, COMMUNITY);
    char *forged = member_charter("urn:libro:neighborhood-4", 1, stranger_key, COMMUNITY);
    char *level2 = member_charter("urn:libro:neighborhood-5", 2, town_key, COMMUNITY);
    char *other = member_charter("urn:libro:neighborhood-6", 1, stranger_key, "urn:libro:town-8");
    const struct {
        const char *what;
        json_t *members;
        libro_code want;
        const char *msg;
        const char *id;
    } bad[] = {
        {"forged", json_pack("[s]", forged), LIBRO_ERR_UNTRUSTED,
         "member 1: charter: jws: signature does not verify", "urn:libro:neighborhood-4"},
        {"a level the rules refuse", json_pack("[s,s]", good, level2), LIBRO_ERR_UNTRUSTED,
         "member 2: ", "urn:libro:neighborhood-5"},
        {"another community's", json_pack("[s]", other), LIBRO_ERR_UNTRUSTED,
         "member 1: no trusted anchor or charter for urn:libro:town-8#",
         "urn:libro:neighborhood-6"},
        {"not a string", json_pack("[i]", 7), LIBRO_ERR_PARSE, "not a LibroTrustBundle", NULL},
        {"not an array", json_string(good), LIBRO_ERR_PARSE, "not a LibroTrustBundle", NULL},
    };

    fetch_bundle(&bundle);
    sync_ok(&rep);
    issued = rep.issued;
    stop_server();
    base_p = bundle_payload(&bundle);
    /* The older form: no member at all. */
    p = json_deep_copy(base_p);
    (void) json_object_del(p, "members");
    set_issued(p, ++issued);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    json_decref(p);
    canned_start(&c, 200, crafted.data, crafted.len);
    must(sync_url(&rep, base, &err), &err, "sync without members");
    canned_stop(&c);
    ck_assert_uint_eq(rep.members, 0);
    ck_assert_int_eq(verify(lic_a), LIBRO_VALID);

    for (size_t i = 0; i < LIBRO_NELEM(bad); i++) {
        p = json_deep_copy(base_p);
        ck_assert_ptr_nonnull(bad[i].members);
        ck_assert_int_eq(json_object_set_new(p, "members", bad[i].members), 0);
        set_issued(p, issued + 1);
        sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
        json_decref(p);
        LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), bad[i].want, &err, bad[i].msg);
        if (bad[i].id != NULL) {
            ck_assert_msg(!store_has(bad[i].id), "%s: kept", bad[i].what);
        }
    }

    /* One good member: kept, and counted. */
    p = json_deep_copy(base_p);
    ck_assert_int_eq(json_object_set_new(p, "members", json_pack("[s]", good)), 0);
    set_issued(p, ++issued);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    json_decref(p);
    canned_start(&c, 200, crafted.data, crafted.len);
    must(sync_url(&rep, base, &err), &err, "sync with a member");
    canned_stop(&c);
    ck_assert_uint_eq(rep.members, 1);
    ck_assert(store_has("urn:libro:neighborhood-3"));
    ck_assert(!store_has("urn:libro:neighborhood-4"));
    ck_assert_int_eq(verify(lic_a), LIBRO_VALID);

    json_decref(base_p);
    libro_buf_free(&crafted);
    libro_buf_free(&bundle);
    libro_free(good);
    libro_free(forged);
    libro_free(level2);
    libro_free(other);
}
END_TEST

/* ---- the index of agreements and laws ------------------------------------------------------ */

#define HASH_A "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define HASH_B "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define HASH_L "sha256:3333333333333333333333333333333333333333333333333333333333333333"

/* A bundle's `agreements` and `laws` (docs/formats.md, "Trust bundle"): an older bundle
 * without them syncs and leaves no entry; one with them is kept per registry and survives a
 * new open of the store; each malformed index refuses the whole bundle before the store
 * changes; the next bundle's index replaces the last. */
START_TEST(test_bundle_index)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_buf bundle = LIBRO_BUF_INIT;
    libro_buf crafted = LIBRO_BUF_INIT;
    libro_doc_entry got[2];
    struct canned c;
    json_t *base_p;
    json_t *p;
    int64_t issued;
    const struct {
        const char *what;
        const char *member;
        json_t *index;
        const char *msg;
    } bad[] = {
        {"a law's word for an agreement", "agreements",
         json_pack("[{s:s, s:s, s:s}]", "hash", HASH_A, "state", "repealed", "since",
                   "2026-05-01T00:00:00Z"),
         "bundle: agreements[0].state: \"repealed\" is not an agreement state"},
        {"an agreement's word for a law", "laws",
         json_pack("[{s:s, s:s, s:s}]", "hash", HASH_L, "state", "superseded", "since",
                   "2026-05-01T00:00:00Z"),
         "bundle: laws[0].state: \"superseded\" is not a law state"},
        {"upper-case hex", "agreements",
         json_pack("[{s:s, s:s, s:s}]", "hash",
                   "sha256:AAAA111111111111111111111111111111111111111111111111111111111111",
                   "state", "ended", "since", "2026-05-01T00:00:00Z"),
         "bundle: agreements[0].hash: want \"sha256:\" and 64 lowercase hex digits"},
        {"listed twice", "agreements",
         json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "hash", HASH_A, "state", "in force",
                   "since", "2026-05-01T00:00:00Z", "hash", HASH_A, "state", "ended", "since",
                   "2026-06-01T00:00:00Z"),
         "bundle: agreements: " HASH_A " is listed twice"},
        {"no since", "laws", json_pack("[{s:s, s:s}]", "hash", HASH_L, "state", "in force"),
         "bundle: laws[0]: want exactly \"hash\", \"state\" and \"since\""},
        {"a member more", "laws",
         json_pack("[{s:s, s:s, s:s, s:b}]", "hash", HASH_L, "state", "in force", "since",
                   "2026-05-01T00:00:00Z", "final", 1),
         "bundle: laws[0]: want exactly \"hash\", \"state\" and \"since\""},
        {"a bad time", "laws",
         json_pack("[{s:s, s:s, s:s}]", "hash", HASH_L, "state", "in force", "since",
                   "2026-13-01T00:00:00Z"),
         "bundle: laws[0].since: not an RFC 3339 time"},
        {"not an array", "agreements", json_string(HASH_A), "bundle: agreements: not an array"},
    };

    fetch_bundle(&bundle);
    sync_ok(&rep);
    issued = rep.issued;
    ck_assert_uint_eq(rep.agreements, 0);
    ck_assert_uint_eq(rep.laws, 0);
    ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, false, HASH_A), 0);
    stop_server();
    base_p = bundle_payload(&bundle);
    ck_assert_ptr_null(json_object_get(base_p, "agreements"));

    /* An index: two agreements (one ended by notice, from a date after the bundle) and a law. */
    p = json_deep_copy(base_p);
    ck_assert_int_eq(
        json_object_set_new(p, "agreements",
                            json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "hash", HASH_B, "state",
                                      "ended", "since", "2099-01-01T00:00:00Z", "hash", HASH_A,
                                      "state", "superseded", "since", "2026-05-01T00:00:00Z")),
        0);
    ck_assert_int_eq(json_object_set_new(p, "laws",
                                         json_pack("[{s:s, s:s, s:s}]", "hash", HASH_L, "state",
                                                   "repealed", "since", "2026-06-01T12:00:00Z")),
                     0);
    set_issued(p, ++issued);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    json_decref(p);
    canned_start(&c, 200, crafted.data, crafted.len);
    must(sync_url(&rep, base, &err), &err, "sync with an index");
    canned_stop(&c);
    ck_assert_uint_eq(rep.agreements, 2);
    ck_assert_uint_eq(rep.laws, 1);
    for (int reopen = 0; reopen < 2; reopen++) {
        if (reopen == 1) {
            libro_trust_free(store);
            store = NULL;
            must(libro_trust_open(&store, trust_dir, &err), &err, "reopen");
        }
        ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, false, HASH_A), 1);
        ck_assert_int_eq(got[0].state, LIBRO_DOC_SUPERSEDED);
        ck_assert_int_eq(got[0].since, INT64_C(1777593600)); /* 2026-05-01 */
        ck_assert_str_eq(got[0].registry, REGISTRY_ID);
        ck_assert_str_eq(got[0].community, COMMUNITY);
        ck_assert_str_eq(got[0].url, base);
        ck_assert_int_eq(got[0].synced_ms, issued * 1000);
        ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, false, HASH_B), 1);
        ck_assert_int_eq(got[0].state, LIBRO_DOC_ENDED);
        ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, true, HASH_L), 1);
        ck_assert_int_eq(got[0].state, LIBRO_DOC_REPEALED);
        ck_assert(got[0].law);
        /* A law's hash is not an agreement's, nor the other way round. */
        ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, false, HASH_L), 0);
        ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, true, HASH_A), 0);
    }
    ck_assert_str_eq(libro_doc_state_name(LIBRO_DOC_IN_FORCE), "in force");
    ck_assert_ptr_null(libro_doc_state_name((libro_doc_state) 0));

    for (size_t i = 0; i < LIBRO_NELEM(bad); i++) {
        p = json_deep_copy(base_p);
        ck_assert_ptr_nonnull(bad[i].index);
        ck_assert_int_eq(json_object_set_new(p, bad[i].member, bad[i].index), 0);
        set_issued(p, issued + 1);
        sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
        json_decref(p);
        LIBRO_ASSERT_CODE(sync_canned(200, &crafted, &err), LIBRO_ERR_PARSE, &err, bad[i].msg);
        /* The store still holds what the last good bundle said. */
        ck_assert_msg(libro_trust_doc_find(got, 2, store, false, HASH_A) == 1, "%s", bad[i].what);
    }

    /* The next bundle lists nothing: the registry's latest word replaces the last. */
    p = json_deep_copy(base_p);
    set_issued(p, ++issued);
    sign_bundle(&crafted, p, registry_key, LIBRO_BUNDLE_TYP);
    json_decref(p);
    canned_start(&c, 200, crafted.data, crafted.len);
    must(sync_url(&rep, base, &err), &err, "sync without an index");
    canned_stop(&c);
    ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, false, HASH_A), 0);
    ck_assert_uint_eq(libro_trust_doc_find(got, 2, store, true, HASH_L), 0);

    json_decref(base_p);
    libro_buf_free(&crafted);
    libro_buf_free(&bundle);
}
END_TEST

/* ---- mandates, after a sync ------------------------------------------------------------- */

#define NB "urn:libro:neighborhood-3"

#define NB4 "urn:libro:neighborhood-4"

/* A new key in *k, and the charter of its member community `id` (level 1), signed by the
 * town. */
static char *
seat_charter(const char *id, libro_key **k)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t now = libro_time_now();
    libro_credential *c;
    char *jws;

    must(libro_key_generate(k, LIBRO_ALG_ED25519, &err), &err, "seat key");
    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, id, "Neighborhood", now - 10 * DAY,
                 now + 1000 * DAY);
    c->level = 1;
    c->subject_key = public_of(*k);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(NURSING);
    c->n_allowed = 1;
    jws = sign(c, town_key);
    libro_credential_free(c);
    return jws;
}

/* A client of the running server signing as `id` with `k`. */
static libro_registry_client *
client_as(const char *id, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *cl = NULL;
    char kid[300];

    kid_of(kid, id, k);
    must(libro_registry_client_open(&cl, base, k, kid, NULL, NULL, &err), &err, "client");
    return cl;
}

/* Sign and register over `cl` a mandate of `office` for the holder `holder` at the town's
 * roundtable, from `from` for a year, signed by `k` as `issuer` (the seat, or the town for its
 * chair). *id receives its id; returns the compact JWS. */
static char *
register_mandate(libro_registry_client *cl, libro_office office, const char *issuer,
                 const libro_key *k, const char *holder, int64_t from,
                 char id[LIBRO_MANDATE_ID_SIZE])
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *m =
        new_cred(LIBRO_CRED_MANDATE, issuer, holder, "Jane Doe", from, from + 365 * DAY);
    uint32_t list = 0;
    uint32_t index = 0;
    char *jws;

    m->office = office;
    m->voting = office == LIBRO_OFFICE_REPRESENTATIVE;
    m->roundtable_id = sdup(COMMUNITY);
    m->roundtable_level = 2;
    m->seat = office == LIBRO_OFFICE_CHAIR ? NULL : sdup(issuer);
    m->election_record =
        sdup("sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    m->election_date = from - 30 * DAY;
    m->election_electorate = 5120;
    m->election_result = sdup("elected with 2987 of 4410 votes");
    m->has_status = true;
    must(libro_registry_client_reserve_mandate(cl, &list, &index, &m->status_revocation_list,
                                               &m->status_suspension_list, &m->status_message_list,
                                               &err),
         &err, "reserve mandate");
    m->status_index = index;
    jws = sign(m, k);
    libro_credential_free(m);
    must(libro_registry_client_register_mandate(cl, jws, list, index, id, &err), &err,
         "register mandate");
    return jws;
}

/* The outcome of `jws` now, with its reason in `why`. */
static libro_outcome
verify_why(const char *jws, char why[LIBRO_ERROR_MSG_MAX])
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verification *v = NULL;
    libro_outcome o;

    must(libro_verify_license(&v, store, jws, strlen(jws), NULL, &err), &err, "verify");
    o = v->outcome;
    memcpy(why, v->reason, LIBRO_ERROR_MSG_MAX);
    libro_verification_free(v);
    return o;
}

#define EXPECT(jws, want, part)                                                                    \
    do {                                                                                           \
        char why_[LIBRO_ERROR_MSG_MAX];                                                            \
        libro_outcome got_ = verify_why((jws), why_);                                              \
        ck_assert_msg(got_ == (want) && strstr(why_, (part)) != NULL, "%s: got %s (%s)", #jws,     \
                      libro_outcome_name(got_), why_);                                             \
    } while (0)

/* Offline verdicts on mandates after each sync with the real server (its roundtable is the
 * town's, level 2): a seat added, its representative and the town's chair registered, then
 * VALID once synced (the seat's charter came as a member of the bundle); the representative
 * resigns (signed by the holder's did:key) and the chair is recalled (by the town): ENDED
 * with each word once synced, and not before; at a second seat a newer representative
 * replaces the one before: ENDED replaced, the new one VALID. */
START_TEST(test_mandates_after_sync)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    libro_registry_client *town = client_as(COMMUNITY, town_key);
    libro_registry_client *nb = NULL;
    libro_registry_client *nb4 = NULL;
    libro_registry_client *holder = NULL;
    libro_key *nb_key = NULL;
    libro_key *nb4_key = NULL;
    char *seat4;
    libro_key *holder_key = NULL;
    libro_key *holder2_key = NULL;
    libro_buf did = LIBRO_BUF_INIT;
    libro_buf did2 = LIBRO_BUF_INIT;
    int64_t now = libro_time_now();
    char rep_id[LIBRO_MANDATE_ID_SIZE];
    char chair_id[LIBRO_MANDATE_ID_SIZE];
    char id2[LIBRO_MANDATE_ID_SIZE];
    char id3[LIBRO_MANDATE_ID_SIZE];
    char *seat;
    char *m_rep;
    char *m_chair;
    char *m_2;
    char *m_3;

    must(libro_key_generate(&holder_key, LIBRO_ALG_ED25519, &err), &err, "holder key");
    must(libro_key_generate(&holder2_key, LIBRO_ALG_ED25519, &err), &err, "holder key");
    must(libro_key_to_did(&did, holder_key, &err), &err, "did");
    must(libro_key_to_did(&did2, holder2_key, &err), &err, "did");
    seat = seat_charter(NB, &nb_key);
    must(libro_registry_client_add_seat(town, seat, &err), &err, "add seat");
    nb = client_as(NB, nb_key);
    m_rep = register_mandate(nb, LIBRO_OFFICE_REPRESENTATIVE, NB, nb_key, (const char *) did.data,
                             now - 60, rep_id);
    m_chair = register_mandate(town, LIBRO_OFFICE_CHAIR, COMMUNITY, town_key,
                               (const char *) did2.data, now - 60, chair_id);

    /* Before any sync: the seat's charter is not in the store. */
    EXPECT(m_rep, LIBRO_UNTRUSTED, "no trusted charter or anchor for " NB "#");
    sync_ok(&rep);
    ck_assert_uint_eq(rep.members, 1);
    EXPECT(m_rep, LIBRO_VALID, "");
    EXPECT(m_chair, LIBRO_VALID, "");

    /* Resigned by the holder, recalled by the town: ended once synced. */
    {
        char kid[300];

        kid_of(kid, (const char *) did.data, holder_key);
        must(libro_registry_client_open(&holder, base, holder_key, kid, NULL, NULL, &err), &err,
             "holder client");
    }
    must(libro_registry_client_end_mandate(holder, rep_id, LIBRO_MANDATE_RESIGNED, "moving away",
                                           &err),
         &err, "resign");
    must(libro_registry_client_end_mandate(town, chair_id, LIBRO_MANDATE_RECALLED,
                                           "the assembly decided", &err),
         &err, "recall");
    EXPECT(m_rep, LIBRO_VALID, ""); /* offline: what the last sync said */
    sync_ok(&rep);
    EXPECT(m_rep, LIBRO_ENDED, "mandate ended: resigned (message list of ");
    EXPECT(m_chair, LIBRO_ENDED, "mandate ended: recalled (message list of ");

    /* At another seat, a newer representative replaces the one in office from its validFrom,
     * here already past. */
    seat4 = seat_charter(NB4, &nb4_key);
    must(libro_registry_client_add_seat(town, seat4, &err), &err, "add seat");
    nb4 = client_as(NB4, nb4_key);
    m_2 = register_mandate(nb4, LIBRO_OFFICE_REPRESENTATIVE, NB4, nb4_key, (const char *) did2.data,
                           now - 50, id2);
    m_3 = register_mandate(nb4, LIBRO_OFFICE_REPRESENTATIVE, NB4, nb4_key, (const char *) did.data,
                           now - 40, id3);
    sync_ok(&rep);
    EXPECT(m_2, LIBRO_ENDED, "mandate ended: replaced (message list of ");
    EXPECT(m_3, LIBRO_VALID, "");
    EXPECT(m_rep, LIBRO_ENDED, "resigned");
    ck_assert_uint_eq(rep.members, 2);

    libro_free(seat);
    libro_free(seat4);
    libro_free(m_rep);
    libro_free(m_chair);
    libro_free(m_2);
    libro_free(m_3);
    libro_registry_client_close(holder);
    libro_registry_client_close(nb);
    libro_registry_client_close(nb4);
    libro_registry_client_close(town);
    libro_key_free(nb4_key);
    libro_buf_free(&did);
    libro_buf_free(&did2);
    libro_key_free(nb_key);
    libro_key_free(holder_key);
    libro_key_free(holder2_key);
}
END_TEST

START_TEST(test_url_policy)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    char url[80];

    LIBRO_ASSERT_CODE(sync_url(&rep, "http://example.com", &err), LIBRO_ERR_DENIED, &err, NULL);
    ck_assert_int_gt(snprintf(url, sizeof url, "http://localhost:%u", (unsigned) port), 0);
    LIBRO_ASSERT_CODE(sync_url(&rep, url, &err), LIBRO_ERR_DENIED, &err, NULL);
    LIBRO_ASSERT_CODE(sync_url(&rep, "ftp://127.0.0.1/", &err), LIBRO_ERR_DENIED, &err, NULL);
    LIBRO_ASSERT_CODE(sync_url(&rep, "https://user:pw@registry.example", &err), LIBRO_ERR_DENIED,
                      &err, NULL);
    LIBRO_ASSERT_CODE(libro_trust_sync(store, NULL, NULL, &rep, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    LIBRO_ASSERT_CODE(libro_trust_sync(NULL, base, NULL, &rep, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
}
END_TEST

START_TEST(test_server_down)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    char *lic_b;

    server_down();
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), LIBRO_ERR_NETWORK, &err, NULL);
    /* Up again on another port, so at another URL: a license that names it, synced. */
    start_server(db_a);
    libro_registry_client_close(client);
    client = NULL;
    must(libro_registry_client_open(&client, base, board_key, board_kid, NULL, NULL, &err), &err,
         "client");
    lic_b = issue("T7-N-0009");
    sync_ok(&rep);
    ck_assert_int_eq(verify(lic_b), LIBRO_VALID);
    server_down();
    /* Down after a sync: still a network error, and the store keeps what it had. */
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), LIBRO_ERR_NETWORK, &err, NULL);
    ck_assert_int_eq(verify(lic_b), LIBRO_VALID);
    libro_free(lic_b);
}
END_TEST

/* The state file is not trusted: a damaged one is an error that says so. */
START_TEST(test_damaged_state)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_report rep;
    char state[600];

    sync_ok(&rep);
    state_file(state);
    must(libro_file_write_atomic(state, "{\"etag\":1}", 10, 0600, &err), &err, "damage");
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), LIBRO_ERR_PARSE, &err, "is damaged");
    must(libro_file_write_atomic(state, "not json", 8, 0600, &err), &err, "damage");
    LIBRO_ASSERT_CODE(sync_url(&rep, base, &err), LIBRO_ERR_PARSE, &err, "sync state");
    ck_assert_int_eq(unlink(state), 0);
    sync_ok(&rep); /* a first sync again */
    ck_assert(!rep.not_modified);
}
END_TEST

/* ---- the registry client (registry/src/client.c) ------------------------------------------- */

START_TEST(test_client_http)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};
    libro_license_record *recs = NULL;
    libro_license_type t = {0};
    libro_registry_client *reader = NULL;
    libro_registry_client *forger = NULL;
    size_t n = 0;
    char want[128];

    ck_assert(libro_registry_client_remote(client));
    must(libro_registry_client_get(client, &rec, "T7-N-0001", &err), &err, "get");
    ck_assert_str_eq(rec.number, "T7-N-0001");
    ck_assert_uint_eq(rec.version, 1);
    ck_assert_int_eq(rec.state, LIBRO_STATE_ACTIVE);
    ck_assert_str_eq(rec.issuer, BOARD);
    ck_assert_str_eq(rec.license_type, NURSING);
    ck_assert_str_eq(rec.holder_name, "Ada Example");
    ck_assert_str_eq(rec.credential, lic_a);
    libro_license_record_clear(&rec);
    LIBRO_ASSERT_CODE(libro_registry_client_get(client, &rec, "T7-N-9999", &err),
                      LIBRO_ERR_NOT_FOUND, &err, "registry: 404 not_found");
    LIBRO_ASSERT_CODE(libro_registry_client_get(client, &rec, "..", &err), LIBRO_ERR_INVALID_ARG,
                      &err, "malformed license number");
    LIBRO_ASSERT_CODE(libro_registry_client_get(client, &rec, "a/b", &err), LIBRO_ERR_INVALID_ARG,
                      &err, "malformed license number");

    must(libro_registry_client_get_type(client, &t, NURSING, &err), &err, "get type");
    ck_assert_str_eq(t.id, NURSING);
    ck_assert_uint_eq(t.validity_days, 365);
    ck_assert_uint_eq(t.renewal_window_days, 30);
    ck_assert_uint_eq(t.grace_days, 30);
    ck_assert_uint_eq(t.n_requirements, 0);
    libro_license_type_clear(&t);
    LIBRO_ASSERT_CODE(libro_registry_client_get_type(client, &t, "pharmacy", &err),
                      LIBRO_ERR_NOT_FOUND, &err, NULL);
    LIBRO_ASSERT_CODE(libro_registry_client_get_type(client, &t, "Bad/Type", &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);

    must(libro_registry_client_expiring(client, &recs, &n, 301 * DAY, &err), &err, "expiring");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(recs[0].number, "T7-N-0001");
    libro_license_records_free(recs, n);
    must(libro_registry_client_expiring(client, &recs, &n, 0, &err), &err, "expiring");
    ck_assert_uint_eq(n, 0);
    libro_license_records_free(recs, n);

    /* Refusals, mapped. */
    change("T7-N-0001", LIBRO_ACTION_REVOKE);
    LIBRO_ASSERT_CODE(
        libro_registry_client_change(client, "T7-N-0001", LIBRO_ACTION_REVOKE, "x", &err),
        LIBRO_ERR_DENIED, &err, "registry: 409 conflict: license is already revoked");
    LIBRO_ASSERT_CODE(
        libro_registry_client_change(client, "T7-N-9999", LIBRO_ACTION_SUSPEND, "x", &err),
        LIBRO_ERR_NOT_FOUND, &err, "registry: 404 not_found");
    LIBRO_ASSERT_CODE(
        libro_registry_client_change(client, "T7-N-0001", LIBRO_ACTION_EXPIRE, "x", &err),
        LIBRO_ERR_INVALID_ARG, &err, "change: action must be");
    LIBRO_ASSERT_CODE(
        libro_registry_client_change(client, "T7-N-0001", LIBRO_ACTION_SUSPEND, "", &err),
        LIBRO_ERR_INVALID_ARG, &err, "registry: 400 bad_request");
    LIBRO_ASSERT_CODE(libro_registry_client_renew(client, "T7-N-0001", lic_a, NULL, 0, NULL, &err),
                      LIBRO_ERR_DENIED, &err, "registry: 409 conflict");

    /* A reader without a key reads, and cannot write. */
    must(libro_registry_client_open(&reader, base, NULL, NULL, NULL, NULL, &err), &err, "reader");
    must(libro_registry_client_get(reader, &rec, "T7-N-0001", &err), &err, "get");
    ck_assert_int_eq(rec.state, LIBRO_STATE_REVOKED);
    libro_license_record_clear(&rec);
    LIBRO_ASSERT_CODE(
        libro_registry_client_change(reader, "T7-N-0001", LIBRO_ACTION_SUSPEND, "x", &err),
        LIBRO_ERR_INVALID_ARG, &err, "needs the issuer's key");
    libro_registry_client_close(reader);
    LIBRO_ASSERT_CODE(libro_registry_client_open(&reader, base, NULL, board_kid, NULL, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "a signing key needs its kid");
    ck_assert_ptr_null(reader);
    LIBRO_ASSERT_CODE(
        libro_registry_client_open(&reader, "http://example.com", NULL, NULL, NULL, NULL, &err),
        LIBRO_ERR_DENIED, &err, NULL);

    /* Another key under the board's kid: 401, mapped to UNTRUSTED. */
    must(libro_registry_client_open(&forger, base, stranger_key, board_kid, NULL, NULL, &err), &err,
         "forger");
    {
        uint32_t l = 0;
        uint32_t i = 0;
        char *rev = NULL;
        char *sus = NULL;
        char *msg = NULL;

        LIBRO_ASSERT_CODE(libro_registry_client_reserve(forger, &l, &i, &rev, &sus, &msg, &err),
                          LIBRO_ERR_UNTRUSTED, &err, "registry: 401 bad_signature");
        ck_assert_ptr_null(rev);
        ck_assert_ptr_null(sus);
        ck_assert_ptr_null(msg);
        /* The board's reservation names this registry's three lists. */
        must(libro_registry_client_reserve(client, &l, &i, &rev, &sus, &msg, &err), &err,
             "reserve");
        ck_assert_int_gt(snprintf(want, sizeof want, "%s/v1/status/%u/revocation", base, l), 0);
        ck_assert_str_eq(rev, want);
        ck_assert_int_gt(snprintf(want, sizeof want, "%s/v1/status/%u/suspension", base, l), 0);
        ck_assert_str_eq(sus, want);
        ck_assert_int_gt(snprintf(want, sizeof want, "%s/v1/status/%u/message", base, l), 0);
        ck_assert_str_eq(msg, want);
        libro_free(rev);
        libro_free(sus);
        libro_free(msg);
    }
    libro_registry_client_close(forger);

    /* The server gone: a network error. */
    server_down();
    LIBRO_ASSERT_CODE(libro_registry_client_get(client, &rec, "T7-N-0001", &err), LIBRO_ERR_NETWORK,
                      &err, NULL);
    LIBRO_ASSERT_CODE(
        libro_registry_client_change(client, "T7-N-0001", LIBRO_ACTION_SUSPEND, "x", &err),
        LIBRO_ERR_NETWORK, &err, NULL);
}
END_TEST

/* DOC/CODE MISMATCH (registry_client.h vs client.c code_of): the header says a taken license
 * number comes back as LIBRO_ERR_EXISTS ("409 LIBRO_ERR_EXISTS (a replay or a taken number)"),
 * but the registry answers a taken number with 409 "conflict" (writes.c registry_error: not a
 * replay), which code_of maps to LIBRO_ERR_DENIED. Either the header or the mapping is wrong. */
START_TEST(test_client_taken_number)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *again = issue_unregistered("T7-N-0001");
    uint32_t list = 0;
    uint32_t index = 0;
    libro_code rc;

    issued_slot(again, &list, &index);
    rc = libro_registry_client_register(client, again, list, index, &err);
    libro_free(again);
    ASSERT_OR_CLEAN(rc == LIBRO_ERR_EXISTS, "got %s (%s), want exists", libro_code_name(rc),
                    err.msg);
}
END_TEST

/* BUG (minor; client.c libro_registry_client_get_type): the id goes into the path as
 * "%.64s", so a 65-byte id is cut to its first 64 and the answer, a different type, is
 * returned as if it were the one asked for (the answer's id is not compared either). */
START_TEST(test_client_type_id_cut)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_license_type t = {NULL, 100, 10, 10, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_license_type got = {0};
    char id64[65];
    char id65[66];
    libro_code rc;

    memset(id64, 'a', 64);
    id64[64] = '\0';
    memcpy(id65, id64, 64);
    id65[64] = 'b';
    id65[65] = '\0';
    must(libro_registry_open(&r, db_a, &err), &err, "open");
    t.id = id64;
    must(libro_registry_define_type(r, NULL, &t, "council", &err), &err, "define");
    libro_registry_close(r);
    must(libro_registry_client_get_type(client, &got, id64, &err), &err, "64-byte id");
    ck_assert_str_eq(got.id, id64);
    libro_license_type_clear(&got);
    rc = libro_registry_client_get_type(client, &got, id65, &err);
    ck_assert_int_lt(snprintf(id65, sizeof id65, "%s", got.id != NULL ? got.id : ""),
                     (int) sizeof id65);
    libro_license_type_clear(&got);
    ASSERT_OR_CLEAN(rc != LIBRO_OK, "asked for a 65-byte id, got type %s", id65);
}
END_TEST

/* In-process, the same interface over the database. */
START_TEST(test_client_local)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *local = NULL;
    libro_license_record rec = {0};
    uint32_t list = 0;
    uint32_t index = 0;
    char *rev = (char *) &err; /* must be reset to NULL */
    char *sus = (char *) &err;
    char *msg = (char *) &err;

    LIBRO_ASSERT_CODE(libro_registry_client_open(&local, db_a, NULL, NULL, NULL, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "a registry database needs an actor");
    must(libro_registry_client_open(&local, db_a, NULL, NULL, "operator", NULL, &err), &err,
         "local");
    ck_assert(!libro_registry_client_remote(local));
    must(libro_registry_client_reserve(local, &list, &index, &rev, &sus, &msg, &err), &err,
         "reserve");
    ck_assert_ptr_null(rev);
    ck_assert_ptr_null(sus);
    ck_assert_ptr_null(msg);
    must(libro_registry_client_change(local, "T7-N-0001", LIBRO_ACTION_SUSPEND, "audit", &err),
         &err, "suspend");
    must(libro_registry_client_get(local, &rec, "T7-N-0001", &err), &err, "get");
    ck_assert_int_eq(rec.state, LIBRO_STATE_SUSPENDED);
    libro_license_record_clear(&rec);
    libro_registry_client_close(local);
    /* The server sees the change: one database. */
    must(libro_registry_client_get(client, &rec, "T7-N-0001", &err), &err, "get over HTTP");
    ck_assert_int_eq(rec.state, LIBRO_STATE_SUSPENDED);
    libro_license_record_clear(&rec);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("sync");
    TCase *journey = tcase_create("journey");
    TCase *refusals = tcase_create("refusals");
    TCase *forks = tcase_create("forks and rollbacks");
    TCase *clients = tcase_create("client");

    tcase_add_checked_fixture(journey, setup, teardown);
    tcase_add_test(journey, test_sync_journey);
    tcase_add_test(journey, test_read_your_writes);
    tcase_add_test(journey, test_state_in_seconds);
    tcase_add_test(journey, test_mandates_after_sync);
    suite_add_tcase(s, journey);

    tcase_add_checked_fixture(refusals, setup, teardown);
    tcase_add_test(refusals, test_no_anchor);
    tcase_add_test(refusals, test_other_anchor);
    tcase_add_test(refusals, test_url_mismatch);
    tcase_add_test(refusals, test_url_policy);
    tcase_add_test(refusals, test_server_down);
    tcase_add_test(refusals, test_damaged_state);
    suite_add_tcase(s, refusals);

    tcase_add_checked_fixture(forks, setup, teardown);
    tcase_add_test(forks, test_fork_larger);
    tcase_add_test(forks, test_fork_same_size);
    tcase_add_test(forks, test_fork_smaller);
    tcase_add_test(forks, test_rollback_old_db);
    tcase_add_test(forks, test_old_bundle_replayed);
    tcase_add_test(forks, test_crafted_bundles);
    tcase_add_test(forks, test_bundle_members);
    tcase_add_test(forks, test_bundle_index);
    tcase_set_timeout(forks, 60);
    suite_add_tcase(s, forks);

    tcase_add_checked_fixture(clients, setup, teardown);
    tcase_add_test(clients, test_client_http);
    tcase_add_test(clients, test_client_taken_number);
    tcase_add_test(clients, test_client_type_id_cut);
    tcase_add_test(clients, test_client_local);
    suite_add_tcase(s, clients);
    return s;
}
