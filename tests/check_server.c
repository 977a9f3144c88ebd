/* The registry's HTTP API (registry/src/http) served by the real libmicrohttpd on
 * 127.0.0.1:<ephemeral>, in-process, over a temp registry with three licenses (one revoked,
 * one whose holder name carries markup). Requests are raw HTTP/1.1 written byte by byte on
 * plain POSIX sockets, so the smuggling cases go out exactly as written. Also the header
 * rules as a pure function (libro_http__check_headers), and the start-up refusals.
 * Fixtures are checked (run in the test's own process): the server's threads do not survive
 * check's fork. Loopback only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../registry/src/http/http_int.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/issuer.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/limits.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define BOARD "urn:libro:town-7:health-board"
#define NURSING "nursing-general"
#define EVIL_NAME "<script>alert('x')</script> & Co"
#define PER_IP 4u
#define TIMEOUT_S 2u
#define REPLY_MAX (256u * 1024u)

static char dir[256];
static char db_path[512]; /* test_db_path: a file, or a PostgreSQL schema */
static libro_key *town_key;
static libro_key *board_key;
static libro_key *registry_key;
static libro_registry *reg;
static libro_server *server;
static uint16_t port;
static int64_t now;
static uint32_t index_active;
static uint32_t index_revoked;
static char *ada_jws;

static libro_credential *
recent_cred(libro_cred_type type, const char *issuer, const char *subject, const char *name)
{
    return new_cred(type, issuer, subject, name, now - 30 * DAY, now + 3000 * DAY);
}

/* A license credential signed by the board, of term [from, until], in slot `index` of list 0. */
static char *
license_jws(const char *number, const char *holder, int64_t from, int64_t until, uint32_t index)
{
    libro_credential *c = new_cred(LIBRO_CRED_LICENSE, BOARD, NULL, holder, from, until);
    char *jws;

    c->license_number = sdup(number);
    c->profession = sdup("registered nurse");
    c->license_type = sdup(NURSING);
    c->scope = libro_calloc(1, sizeof *c->scope);
    ck_assert_ptr_nonnull(c->scope);
    c->scope[0] = sdup("general care");
    c->n_scope = 1;
    c->community_id = sdup(COMMUNITY);
    c->community_level = 2;
    /* The registry keeps only licenses whose status entries name their slot. */
    c->has_status = true;
    c->status_index = index;
    c->status_revocation_list = sdup("https://registry.town-7.example/v1/status/0/revocation");
    c->status_suspension_list = sdup("https://registry.town-7.example/v1/status/0/suspension");
    jws = sign(c, board_key);
    libro_credential_free(c);
    return jws;
}

/* Register a license signed by the board, valid from 30 days ago until `until`; returns its
 * status index. */
static uint32_t
add_license_until(const char *number, const char *holder, int64_t until, char **jws_out)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint32_t list = 0;
    uint32_t index = 0;
    char *jws;

    must(libro_registry_reserve_status(reg, NULL, &list, &index, &err), &err, "reserve");
    ck_assert_uint_eq(list, 0);
    jws = license_jws(number, holder, now - 30 * DAY, until, index);
    must(libro_registry_register(reg, NULL, jws, list, index, "health board", now, &err), &err,
         "register");
    if (jws_out != NULL) {
        *jws_out = jws;
    } else {
        libro_free(jws);
    }
    return index;
}

static uint32_t
add_license(const char *number, const char *holder, char **jws_out)
{
    return add_license_until(number, holder, now + 300 * DAY, jws_out);
}

static void
start_server(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.base_url = "http://127.0.0.1/";
    opt.max_connections_per_ip = PER_IP;
    opt.timeout_seconds = TIMEOUT_S;
    opt.threads = 2;
    must(libro_server_start(&server, &opt, &err), &err, "server start");
    port = libro_server_port(server);
    ck_assert_uint_ne(port, 0);
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    libro_credential *charter;
    libro_credential *auth;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    char *charter_jws;
    char *auth_jws;

    now = libro_time_now();
    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-server-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db_path, sizeof db_path, dir, "registry.db");
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&board_key, LIBRO_ALG_ED25519, &err), &err, "board key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");

    charter = recent_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7");
    charter->level = 2;
    charter->subject_key = public_of(town_key);
    charter->allowed_types = libro_calloc(1, sizeof *charter->allowed_types);
    ck_assert_ptr_nonnull(charter->allowed_types);
    charter->allowed_types[0] = sdup(NURSING);
    charter->n_allowed = 1;
    charter_jws = sign(charter, town_key);
    auth =
        recent_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry", "Town 7 Registry");
    auth->subject_key = public_of(registry_key);
    auth->url = sdup("http://127.0.0.1");
    auth_jws = sign(auth, town_key);
    libro_credential_free(auth);
    libro_credential_free(charter);
    must(libro_registry_create(db_path, charter_jws, auth_jws, &err), &err, "create");
    libro_free(charter_jws);
    libro_free(auth_jws);
    must(libro_registry_open(&reg, db_path, &err), &err, "open");
    t.id = sdup(NURSING);
    must(libro_registry_define_type(reg, NULL, &t, "council", &err), &err, "type");
    libro_free(t.id);

    index_active = add_license("T7-N-0001", "Ada Example", &ada_jws);
    (void) add_license("T7-N-0002", EVIL_NAME, NULL);
    index_revoked = add_license("T7-N-0003", "Bo Example", NULL);
    must(libro_registry_change_categorized(reg, NULL, "T7-N-0003", LIBRO_ACTION_REVOKE,
                                           LIBRO_CATEGORY_CONDUCT, "registrar", "fraud", now, &err),
         &err, "revoke");
    start_server();
}

static void
teardown(void)
{
    libro_server_stop(server);
    server = NULL;
    libro_registry_close(reg);
    reg = NULL;
    test_db_remove(db_path);
    (void) rmdir(dir);
    libro_free(ada_jws);
    ada_jws = NULL;
    libro_key_free(registry_key);
    libro_key_free(board_key);
    libro_key_free(town_key);
    registry_key = board_key = town_key = NULL;
}

/* ---- a raw HTTP client ------------------------------------------------------------------- */

static int
connect_server(void)
{
    struct sockaddr_in a;
    struct timeval tv = {10, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    ck_assert_msg(connect(fd, (struct sockaddr *) &a, sizeof a) == 0, "connect: %s",
                  strerror(errno));
    return fd;
}

static void
send_all(int fd, const void *p, size_t len)
{
    const char *c = p;

    while (len > 0) {
        ssize_t n = send(fd, c, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* the server may close early (413): what it answered is what counts */
        }
        c += n;
        len -= (size_t) n;
    }
}

struct reply {
    char raw[REPLY_MAX + 1];
    size_t len;
    int status; /* 0: no status line (closed without an answer) */
    const char *body;
    size_t body_len;
    bool closed; /* the server closed the connection */
};

static void
parse_reply(struct reply *r)
{
    const char *end;

    r->raw[r->len] = '\0';
    r->status = 0;
    r->body = NULL;
    r->body_len = 0;
    if (r->len >= 12 && strncmp(r->raw, "HTTP/1.1 ", 9) == 0) {
        r->status = (r->raw[9] - '0') * 100 + (r->raw[10] - '0') * 10 + (r->raw[11] - '0');
    }
    end = strstr(r->raw, "\r\n\r\n");
    if (end != NULL) {
        r->body = end + 4;
        r->body_len = r->len - (size_t) (r->body - r->raw);
    }
}

/* Read until the server closes (or the receive timeout). */
static void
read_to_close(int fd, struct reply *r)
{
    r->len = 0;
    r->closed = false;
    for (;;) {
        ssize_t n = recv(fd, r->raw + r->len, REPLY_MAX - r->len, 0);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            r->closed = true;
            break;
        }
        if (n < 0) {
            break; /* timeout */
        }
        r->len += (size_t) n;
        ck_assert_uint_lt(r->len, REPLY_MAX);
    }
    parse_reply(r);
}

/* Send `raw` exactly, on a new connection, and read the answer to the close. */
static void
exchange(struct reply *r, const char *raw, size_t len)
{
    int fd = connect_server();

    send_all(fd, raw, len);
    read_to_close(fd, r);
    (void) close(fd);
}

static void
request(struct reply *r, const char *raw)
{
    exchange(r, raw, strlen(raw));
}

/* A GET with Connection: close and optional extra header lines ("Name: value\r\n"...). */
static void
get(struct reply *r, const char *path, const char *extra)
{
    char raw[1024];

    ck_assert_int_lt(snprintf(raw, sizeof raw,
                              "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n",
                              path, extra == NULL ? "" : extra),
                     (int) sizeof raw);
    request(r, raw);
}

/* The value of header `name` (first), copied into `out`; false when absent. */
static bool
header(const struct reply *r, const char *name, char *out, size_t out_size)
{
    const char *p = strstr(r->raw, "\r\n");
    size_t nlen = strlen(name);

    while (p != NULL && p[2] != '\r') {
        const char *line = p + 2;
        const char *eol = strstr(line, "\r\n");

        if (eol == NULL) {
            return false;
        }
        if ((size_t) (eol - line) > nlen + 1 && strncasecmp(line, name, nlen) == 0 &&
            line[nlen] == ':') {
            const char *v = line + nlen + 1;
            size_t vlen;

            while (*v == ' ') {
                v++;
            }
            vlen = (size_t) (eol - v);
            ck_assert_uint_lt(vlen, out_size);
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return true;
        }
        p = eol;
    }
    return false;
}

static void
assert_header(const struct reply *r, const char *name, const char *want)
{
    char v[512];

    ck_assert_msg(header(r, name, v, sizeof v), "no %s header in:\n%s", name, r->raw);
    ck_assert_str_eq(v, want);
}

static void
assert_error(const struct reply *r, int status, const char *code)
{
    char want[128];

    ck_assert_msg(r->status == status, "status %d, want %d:\n%s", r->status, status, r->raw);
    assert_header(r, "Content-Type", "application/json");
    ck_assert_int_gt(snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\",\"message\":", code),
                     0);
    ck_assert_msg(r->body != NULL && strncmp(r->body, want, strlen(want)) == 0,
                  "body lacks %s:\n%s", want, r->raw);
}

/* ---- routes ------------------------------------------------------------------------------ */

START_TEST(test_health)
{
    struct reply r;

    get(&r, "/v1/health", NULL);
    ck_assert_int_eq(r.status, 200);
    assert_header(&r, "Content-Type", "application/json");
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    ck_assert_ptr_nonnull(strstr(r.body, "\"status\":\"ok\""));
    ck_assert_ptr_nonnull(strstr(r.body, libro_version()));
}
END_TEST

START_TEST(test_head)
{
    struct reply r;

    request(&r, "HEAD /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 0);
}
END_TEST

/* Verify a served status list with the registry key and return its parse. */
static void
verified_list(libro_status_list *out, const struct reply *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_key *pub = public_of(registry_key);

    ck_assert_uint_lt(r->body_len, LIBRO_MAX_TOKEN_BYTES);
    must(libro_jws_verify_compact(&payload, r->body, r->body_len, pub, "vc+jwt", &err), &err,
         "status list verifies");
    must(libro_status_list_parse(out, payload.data, payload.len, &err), &err, "status list parses");
    libro_buf_free(&payload);
    libro_key_free(pub);
}

static void
etag_of_body(char out[LIBRO_HTTP_ETAG_MAX], const struct reply *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char digest[32];
    libro_buf hex = LIBRO_BUF_INIT;

    must(libro_sha256(digest, r->body, r->body_len, &err), &err, "sha256");
    must(libro_hex_encode(&hex, digest, sizeof digest, &err), &err, "hex");
    ck_assert_int_eq(snprintf(out, LIBRO_HTTP_ETAG_MAX, "\"%s\"", (const char *) hex.data), 66);
    libro_buf_free(&hex);
}

START_TEST(test_status_list)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_status_list s = {0};
    struct reply r;
    char etag[LIBRO_HTTP_ETAG_MAX];
    char served[128];
    char inm[160];
    bool set = false;

    get(&r, "/v1/status/0/revocation", NULL);
    ck_assert_int_eq(r.status, 200);
    assert_header(&r, "Content-Type", "application/vc+jwt");
    assert_header(&r, "Cache-Control", "public, no-cache");
    etag_of_body(etag, &r);
    assert_header(&r, "ETag", etag);
    verified_list(&s, &r);
    ck_assert_str_eq(s.id, "http://127.0.0.1/v1/status/0/revocation");
    ck_assert_str_eq(s.issuer, COMMUNITY ":registry");
    ck_assert_int_eq(s.purpose, LIBRO_STATUS_REVOCATION);
    /* Never dated ahead of the clock; valid long enough for a week offline (the default
     * maximum status age) and a margin. */
    ck_assert_int_le(s.valid_from * 1000 + s.valid_from_millis, libro_time_now_ms());
    ck_assert_int_eq(s.valid_until - s.valid_from, LIBRO_STATUS_LIST_SECONDS);
    ck_assert_int_ge(s.valid_until - s.valid_from, LIBRO_VERIFY_DEFAULT_MAX_STATUS_AGE + DAY);
    must(libro_status_list_check(&set, &s, index_revoked, &err), &err, "check");
    ck_assert(set);
    must(libro_status_list_check(&set, &s, index_active, &err), &err, "check");
    ck_assert(!set);
    libro_status_list_free(&s);

    /* Cached: the same body and tag; the tag answers a conditional request with 304. */
    get(&r, "/v1/status/0/revocation", NULL);
    ck_assert_int_eq(r.status, 200);
    assert_header(&r, "ETag", etag);
    ck_assert_int_gt(snprintf(inm, sizeof inm, "If-None-Match: W/\"x\", %s\r\n", etag), 0);
    get(&r, "/v1/status/0/revocation", inm);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body_len, 0);
    assert_header(&r, "ETag", etag);
    get(&r, "/v1/status/0/revocation", "If-None-Match: \"other\"\r\n");
    ck_assert_int_eq(r.status, 200);

    /* A change of bits makes a new list, from the second after the cached one's (a list
     * changes at most once a second, each strictly newer than the last). */
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REVOKE, "registrar", "error",
                               now, &err),
         &err, "revoke");
    for (int i = 0; i < 150; i++) {
        get(&r, "/v1/status/0/revocation", inm);
        if (r.status != 304) {
            break;
        }
        (void) usleep(20000);
    }
    ck_assert_int_eq(r.status, 200);
    ck_assert(header(&r, "ETag", served, sizeof served));
    ck_assert_str_ne(served, etag);
    verified_list(&s, &r);
    must(libro_status_list_check(&set, &s, index_active, &err), &err, "check");
    ck_assert(set);
    libro_status_list_free(&s);

    get(&r, "/v1/status/0/suspension", NULL);
    ck_assert_int_eq(r.status, 200);
    verified_list(&s, &r);
    ck_assert_int_eq(s.purpose, LIBRO_STATUS_SUSPENSION);
    ck_assert_str_eq(s.id, "http://127.0.0.1/v1/status/0/suspension");
    libro_status_list_free(&s);
}
END_TEST

START_TEST(test_license_json)
{
    libro_error err = LIBRO_ERROR_INIT;
    json_t *root = NULL;
    struct reply r;
    char etag[LIBRO_HTTP_ETAG_MAX];
    char inm[160];

    get(&r, "/v1/licenses/T7-N-0001", "Accept: application/json\r\n");
    ck_assert_int_eq(r.status, 200);
    assert_header(&r, "Content-Type", "application/json");
    assert_header(&r, "Vary", "Accept");
    assert_header(&r, "Cache-Control", "public, no-cache");
    etag_of_body(etag, &r);
    assert_header(&r, "ETag", etag);
    must(libro_json__load(&root, r.body, r.body_len, NULL, &err), &err, "json");
    ck_assert_str_eq(json_string_value(json_object_get(root, "number")), "T7-N-0001");
    ck_assert_int_eq(json_integer_value(json_object_get(root, "version")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(root, "state")), "active");
    ck_assert_str_eq(json_string_value(json_object_get(root, "type")), NURSING);
    ck_assert_str_eq(json_string_value(json_object_get(root, "holder")), "Ada Example");
    ck_assert_str_eq(json_string_value(json_object_get(root, "issuer")), BOARD);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "statusList")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "statusIndex")), index_active);
    ck_assert_str_eq(json_string_value(json_object_get(root, "credential")), ada_jws);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(root, "validFrom")));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(root, "validUntil")));
    ck_assert_uint_eq(json_object_size(root), 11);
    json_decref(root);

    ck_assert_int_gt(snprintf(inm, sizeof inm, "If-None-Match: %s\r\n", etag), 0);
    get(&r, "/v1/licenses/T7-N-0001", inm);
    ck_assert_int_eq(r.status, 304);
    get(&r, "/v1/licenses/T7-N-0003", NULL); /* no Accept: JSON */
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"state\":\"revoked\""));
}
END_TEST

START_TEST(test_license_html)
{
    struct reply r;

    get(&r, "/v1/licenses/T7-N-0002",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n");
    ck_assert_int_eq(r.status, 200);
    assert_header(&r, "Content-Type", "text/html; charset=utf-8");
    assert_header(&r, "Content-Security-Policy", LIBRO_HTTP_CSP);
    ck_assert_ptr_null(strstr(r.body, "<script>"));
    ck_assert_ptr_nonnull(
        strstr(r.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    ck_assert_ptr_nonnull(strstr(r.body, "<title>License T7-N-0002</title>"));

    /* JSON preferred by q, and a tie goes to JSON. */
    get(&r, "/v1/licenses/T7-N-0002", "Accept: text/html;q=0.5, application/json\r\n");
    assert_header(&r, "Content-Type", "application/json");
    get(&r, "/v1/licenses/T7-N-0002", "Accept: */*\r\n");
    assert_header(&r, "Content-Type", "application/json");
    /* In JSON the name is a JSON string, unchanged. */
    ck_assert_ptr_nonnull(strstr(r.body, "\"holder\":\"<script>alert('x')</script> & Co\""));
}
END_TEST

/* ---- the public register ---------------------------------------------------------------- */

#define BROWSER "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"

static void
assert_page(const struct reply *r, int status)
{
    ck_assert_msg(r->status == status, "status %d, want %d:\n%s", r->status, status, r->raw);
    assert_header(r, "Content-Type", "text/html; charset=utf-8");
    assert_header(r, "Content-Security-Policy", LIBRO_HTTP_CSP);
    ck_assert_ptr_nonnull(r->body);
    /* The frame of every page: language, viewport, the one stylesheet, no script. */
    ck_assert_ptr_nonnull(strstr(r->body, "<html lang=\"en\">"));
    ck_assert_ptr_nonnull(strstr(r->body, "<meta name=\"viewport\""));
    ck_assert_ptr_nonnull(strstr(r->body, libro_http__style));
    ck_assert_ptr_null(strstr(r->body, "<script"));
    ck_assert_ptr_nonnull(strstr(r->body, "<h1>"));
    ck_assert_ptr_nonnull(strstr(r->body, "</main>\n</body></html>\n"));
}

static bool
has(const struct reply *r, const char *text)
{
    return r->body != NULL && strstr(r->body, text) != NULL;
}

/* The stylesheet is allowed by its hash: the one in the policy is the sheet's. */
START_TEST(test_style_hash)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char digest[32];
    libro_buf b64 = LIBRO_BUF_INIT;
    char want[128];

    must(libro_sha256(digest, libro_http__style, strlen(libro_http__style), &err), &err, "sha");
    must(libro_b64std_encode(&b64, digest, sizeof digest, &err), &err, "b64");
    ck_assert_int_gt(snprintf(want, sizeof want, "style-src 'sha256-%s'", (const char *) b64.data),
                     0);
    ck_assert_ptr_nonnull(strstr(LIBRO_HTTP_CSP, want));
    libro_buf_free(&b64);
}
END_TEST

START_TEST(test_home)
{
    struct reply r;

    get(&r, "/", NULL);
    assert_page(&r, 200);
    ck_assert(has(&r, "<h1>Public register of Town 7</h1>"));
    ck_assert(has(&r, "a community of level 2 (town)"));
    ck_assert(has(&r, "<form method=\"get\" action=\"/licenses\">"));
    ck_assert(has(&r, "<label for=\"number\">License number</label>"));
    ck_assert(has(&r, "<input id=\"number\" name=\"number\""));
    ck_assert(has(&r, "<label for=\"holder\">Holder's name</label>"));
    ck_assert(has(&r, "<input id=\"holder\" name=\"holder\""));
    ck_assert(has(&r, "<a href=\"/v1/roundtable\">"));
    ck_assert(has(&r, "<a href=\"/v1/laws\">"));
    request(&r, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 0);
}
END_TEST

/* A revoked license's page: everything the issue lists, the state in words with its date,
 * the history without the free-text reason, and the signed record beside it. */
START_TEST(test_license_page)
{
    struct reply r;
    char day[LIBRO_TIME_TEXT_MAX];
    char line[128];

    ck_assert_int_eq(libro_time_format(day, now, NULL), LIBRO_OK);
    day[10] = '\0';
    get(&r, "/licenses/T7-N-0003", NULL);
    assert_page(&r, 200);
    ck_assert(has(&r, "<title>License T7-N-0003</title>"));
    ck_assert_int_gt(snprintf(line, sizeof line,
                              "<p class=\"status no\">Revoked on <span class=\"d\">%s</span> "
                              "\xe2\x80\x94 not valid</p>",
                              day),
                     0);
    ck_assert_msg(has(&r, line), "no %s in\n%s", line, r.body);
    ck_assert(has(&r, "<dt>Holder</dt><dd>Bo Example</dd>"));
    ck_assert(has(&r, "<dt>Profession</dt><dd>registered nurse</dd>"));
    ck_assert(has(&r, "<dt>License type</dt><dd>nursing-general</dd>"));
    ck_assert(has(&r, "<dt>Scope</dt><dd>general care</dd>"));
    ck_assert(has(&r, "<dt>Community</dt><dd>Town 7 (town, level 2)</dd>"));
    ck_assert_int_gt(snprintf(line, sizeof line, "<dt>First issued</dt><dd>%s</dd>", day), 0);
    ck_assert(has(&r, line));
    ck_assert(has(&r, "<dt>Valid from</dt>"));
    ck_assert(has(&r, "<dt>Valid until</dt>"));
    ck_assert(has(&r, "<dt>Status</dt><dd>revoked</dd>"));
    ck_assert(has(&r, "<h2>History</h2>"));
    ck_assert(has(&r, "<td>Issued</td>"));
    ck_assert(has(&r, "<td>Revoked</td><td>Conduct</td>"));
    ck_assert(has(&r, "<td>Issued</td><td>\xe2\x80\x94</td>"));
    ck_assert(!has(&r, "fraud"));     /* the reason's text is not public */
    ck_assert(!has(&r, "registrar")); /* nor who acted */
    ck_assert(has(&r, "<a href=\"/v1/licenses/T7-N-0003/public.jwt\">This record, signed by the "
                      "registry</a>"));
    /* The same page for a browser at the API's address; an active license says so. */
    get(&r, "/v1/licenses/T7-N-0001", BROWSER);
    assert_page(&r, 200);
    assert_header(&r, "Vary", "Accept");
    ck_assert(has(&r, "<p class=\"status ok\">Active \xe2\x80\x94 valid until "));
    /* A hostile holder name is text. */
    get(&r, "/licenses/T7-N-0002", NULL);
    assert_page(&r, 200);
    ck_assert(has(&r, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
}
END_TEST

static const struct {
    const char *name;
    const char *path;
    int status;
    const char *want; /* in the page (or the Location of a 303) */
} searches[] = {
    {"by number", "/licenses?number=T7-N-0001", 303, "/licenses/T7-N-0001"},
    {"number with spaces", "/licenses?number=+T7-N-0001%20", 303, "/licenses/T7-N-0001"},
    {"unknown number", "/licenses?number=T7-N-0404", 303, "/licenses/T7-N-0404"},
    {"no query", "/licenses", 303, "/"},
    {"empty number", "/licenses?number=", 400, "Enter a license number."},
    {"number charset", "/licenses?number=T7%3Cb%3E", 400, "That is not a license number"},
    {"number too long",
     "/licenses?number=0123456789012345678901234567890123456789012345678901234567890123X", 400,
     "That is not a license number"},
    {"both", "/licenses?number=T7-N-0001&holder=ada", 400, "one at a time"},
    {"holder word", "/licenses?holder=ada", 200, "<a href=\"/licenses/T7-N-0001\">"},
    {"holder case", "/licenses?holder=EXAMPLE", 200, "2 licenses found."},
    {"holder across words", "/licenses?holder=Ada+Ex", 200, "1 license found."},
    {"holder not a word start", "/licenses?holder=xample", 200, "No holder of a license"},
    {"holder markup", "/licenses?holder=%3Cscript%3Ealert", 200,
     "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co</td>"},
    {"holder query escaped", "/licenses?holder=%3Cb%3E%22", 200,
     "named \xe2\x80\x9c&lt;b&gt;&quot;\xe2\x80\x9d"},
    {"holder empty", "/licenses?holder=", 400, "Enter a name to search for."},
    {"holder spaces", "/licenses?holder=+++", 400, "Enter a name to search for."},
    {"holder bad escape", "/licenses?holder=%ZZ", 400, "not well formed"},
    {"holder NUL", "/licenses?holder=a%00b", 400, "not well formed"},
    {"holder control", "/licenses?holder=a%01b", 400, "without control characters"},
    {"holder not UTF-8", "/licenses?holder=%FF", 400, "without control characters"},
    {"holder 128 bytes",
     "/licenses?holder=0123456789012345678901234567890123456789012345678901234567890123"
     "0123456789012345678901234567890123456789012345678901234567890123",
     200, "No holder of a license"},
    {"holder 129 bytes",
     "/licenses?holder=0123456789012345678901234567890123456789012345678901234567890123"
     "0123456789012345678901234567890123456789012345678901234567890123X",
     400, "at most 128 bytes"},
};

START_TEST(test_search)
{
    struct reply r;
    char location[128];

    for (size_t i = 0; i < LIBRO_NELEM(searches); i++) {
        get(&r, searches[i].path, NULL);
        ck_assert_msg(r.status == searches[i].status, "%s: %d\n%s", searches[i].name, r.status,
                      r.raw);
        if (r.status == 303) {
            ck_assert(header(&r, "Location", location, sizeof location));
            ck_assert_str_eq(location, searches[i].want);
            continue;
        }
        assert_page(&r, searches[i].status);
        ck_assert_msg(has(&r, searches[i].want), "%s: no %s in\n%s", searches[i].name,
                      searches[i].want, r.body);
    }
}
END_TEST

/* The search's bounds at the registry: at most `limit` licenses, and whether more match. */
START_TEST(test_search_bounds)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record *found = NULL;
    size_t n = 0;
    bool more = false;
    char long_name[LIBRO_HOLDER_QUERY_MAX + 2];

    must(libro_registry_search_holder(reg, &found, &n, &more, " example ", 1, &err), &err,
         "search");
    ck_assert_uint_eq(n, 1);
    ck_assert(more);
    ck_assert_str_eq(found[0].number, "T7-N-0001"); /* "example" of Ada's, then Bo's */
    ck_assert_ptr_null(found[0].credential);
    libro_license_records_free(found, n);
    must(libro_registry_search_holder(reg, &found, &n, &more, "Example", 2, &err), &err, "search");
    ck_assert_uint_eq(n, 2);
    ck_assert(!more);
    libro_license_records_free(found, n);
    LIBRO_ASSERT_CODE(libro_registry_search_holder(reg, &found, &n, &more, "a",
                                                   LIBRO_HOLDER_RESULTS_MAX + 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "at most 50 results");
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    LIBRO_ASSERT_CODE(libro_registry_search_holder(reg, &found, &n, &more, long_name, 5, &err),
                      LIBRO_ERR_LIMIT, &err, "over 128 bytes");
    LIBRO_ASSERT_CODE(libro_registry_search_holder(reg, &found, &n, &more, "  ", 5, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "the name is empty");
    LIBRO_ASSERT_CODE(libro_registry_search_holder(reg, &found, &n, &more, "a\tb", 5, &err),
                      LIBRO_ERR_PARSE, &err, "control character");
    ck_assert_ptr_null(found);
}
END_TEST

/* The signed record: verifies with the registry's key, is of its type, and says what the page
 * says, without the reason's text. */
START_TEST(test_public_jwt)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws *jws = NULL;
    json_t *root = NULL;
    json_t *history;
    const unsigned char *payload;
    size_t len;
    struct reply r;
    struct reply page;
    char line[256];
    char text[LIBRO_MAX_CLAIMS_BYTES + 1];

    get(&r, "/v1/licenses/T7-N-0003/public.jwt", NULL);
    ck_assert_int_eq(r.status, 200);
    assert_header(&r, "Content-Type", "application/jwt");
    assert_header(&r, "Cache-Control", "no-store");
    must(libro_jws_parse(&jws, r.body, r.body_len, &err), &err, "parse");
    must(libro_jws_verify(jws, registry_key, &err), &err, "verify");
    ck_assert_str_eq(libro_jws_typ(jws), "libro-record+jwt");
    payload = libro_jws_payload(jws, &len);
    ck_assert_uint_le(len, LIBRO_MAX_CLAIMS_BYTES);
    memcpy(text, payload, len);
    text[len] = '\0';
    ck_assert_ptr_null(strstr(text, "fraud"));
    must(libro_json__load(&root, (const char *) payload, len, NULL, &err), &err, "json");
    ck_assert_str_eq(json_string_value(json_object_get(root, "number")), "T7-N-0003");
    ck_assert_ptr_null(json_object_get(root, "nextTerm")); /* not renewed */
    ck_assert_str_eq(json_string_value(json_object_get(root, "holder")), "Bo Example");
    ck_assert_str_eq(json_string_value(json_object_get(root, "profession")), "registered nurse");
    ck_assert_str_eq(json_string_value(json_object_get(root, "licenseType")), NURSING);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(root, "scope"), 0)),
                     "general care");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "community"), "id")),
                     COMMUNITY);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(root, "community"), "level")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(root, "status")), "revoked");
    ck_assert_str_eq(json_string_value(json_object_get(root, "registry")), COMMUNITY ":registry");
    ck_assert_ptr_nonnull(json_string_value(json_object_get(root, "at")));
    history = json_object_get(root, "history");
    ck_assert_uint_eq(json_array_size(history), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(history, 0), "action")),
                     "issue");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(history, 1), "action")),
                     "revoke");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(history, 1), "category")),
                     "conduct");
    ck_assert_ptr_null(json_object_get(json_array_get(history, 0), "category"));
    /* The page shows the record's values. */
    get(&page, "/licenses/T7-N-0003", NULL);
    assert_page(&page, 200);
    ck_assert_int_gt(snprintf(line, sizeof line, "<dt>Valid until</dt><dd>%.10s</dd>",
                              json_string_value(json_object_get(root, "validUntil"))),
                     0);
    ck_assert(has(&page, line));
    ck_assert_int_gt(snprintf(line, sizeof line, "<dt>Valid from</dt><dd>%.10s</dd>",
                              json_string_value(json_object_get(root, "validFrom"))),
                     0);
    ck_assert(has(&page, line));
    ck_assert_int_gt(
        snprintf(line, sizeof line, "<tr><td class=\"d\">%.10s</td><td>Revoked</td>",
                 json_string_value(json_object_get(json_array_get(history, 1), "date"))),
        0);
    ck_assert(has(&page, line));
    json_decref(root);
    libro_jws_free(jws);
    get(&r, "/v1/licenses/T7-N-0404/public.jwt", NULL);
    assert_error(&r, 404, "not_found");
}
END_TEST

/* Texts for the records and context the page functions read (their fields are not const). */
static char t_registry[] = COMMUNITY ":registry";
static char t_community[] = COMMUNITY;
static char t_town[] = "Town 7";
static char t_level[] = "town";
static char t_tribe1[] = COMMUNITY ":tribe-1";
static char t_tribe2[] = COMMUNITY ":tribe-2";
static char t_tribe1_name[] = "Tribe 1";
static char t_tribe2_name[] = "Tribe <2>";
static char t_lena[] = "Lena Lopez";
static char t_ines[] = "Ines Ito";
static char t_jane[] = "Jane Doe";
static char t_ines_evil[] = "Ines <Ito>";
static char t_did[] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
static char t_reason[] = "moved <away>";
static char t_elsewhere[] = "urn:libro:elsewhere";

/* The context of Town 7's server, as far as the pages read it. */
static void
town_ctx(libro_http_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->issuer_id = t_registry;
    ctx->community_id = t_community;
    ctx->community_name = t_town;
    ctx->community_level = 2;
    ctx->community_level_name = t_level;
}

/* "YYYY-MM-DD" of `t`, as the pages write a date. */
static void
day_text(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    ck_assert_int_eq(libro_time_format(out, t, NULL), LIBRO_OK);
    out[10] = '\0';
}

/* A license renewed early keeps its days left: the new version starts the second after the
 * current one ends. Its page and its signed record say what holds now (active, the current
 * term) and what comes (the next term), not the next term's dates as if they were today's. */
START_TEST(test_renewed_early)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_ctx ctx;
    libro_license_record rec = {0};
    libro_license_event *ev = NULL;
    size_t n_ev = 0;
    int64_t until = now + 10 * DAY;
    int64_t next_from = until + 1;
    int64_t next_until = next_from + 365 * DAY;
    uint32_t index = add_license_until("T7-N-0010", "Cy Example", until, NULL);
    char *renewal = license_jws("T7-N-0010", "Cy Example", next_from, next_until, index);
    char d_from[LIBRO_TIME_TEXT_MAX];
    char d_until[LIBRO_TIME_TEXT_MAX];
    char d_next_from[LIBRO_TIME_TEXT_MAX];
    char d_next_until[LIBRO_TIME_TEXT_MAX];
    char t_until[LIBRO_TIME_TEXT_MAX];
    char t_next_from[LIBRO_TIME_TEXT_MAX];
    char t_next_until[LIBRO_TIME_TEXT_MAX];
    char line[256];
    libro_jws *jws = NULL;
    json_t *root = NULL;
    json_t *next;
    const unsigned char *payload;
    size_t len;
    struct reply r;

    must(libro_registry_renew(reg, NULL, "T7-N-0010", renewal, NULL, 0, "health board", "early",
                              now, &err),
         &err, "renew");
    day_text(d_from, now - 30 * DAY);
    day_text(d_until, until);
    day_text(d_next_from, next_from);
    day_text(d_next_until, next_until);
    ck_assert_int_eq(libro_time_format(t_until, until, NULL), LIBRO_OK);
    ck_assert_int_eq(libro_time_format(t_next_from, next_from, NULL), LIBRO_OK);
    ck_assert_int_eq(libro_time_format(t_next_until, next_until, NULL), LIBRO_OK);

    get(&r, "/licenses/T7-N-0010", NULL);
    assert_page(&r, 200);
    ck_assert_int_gt(snprintf(line, sizeof line,
                              "<p class=\"status ok\">Active \xe2\x80\x94 valid until <span "
                              "class=\"d\">%s</span></p>",
                              d_until),
                     0);
    ck_assert_msg(has(&r, line), "no %s in\n%s", line, r.body);
    ck_assert_int_gt(snprintf(line, sizeof line,
                              "<p>Renewed: the next term runs from <span class=\"d\">%s</span> "
                              "until <span class=\"d\">%s</span>.</p>",
                              d_next_from, d_next_until),
                     0);
    ck_assert_msg(has(&r, line), "no %s in\n%s", line, r.body);
    ck_assert_int_gt(snprintf(line, sizeof line, "<dt>Valid from</dt><dd>%s</dd>", d_from), 0);
    ck_assert(has(&r, line));
    ck_assert_int_gt(snprintf(line, sizeof line, "<dt>Valid until</dt><dd>%s</dd>", d_until), 0);
    ck_assert(has(&r, line));
    ck_assert_int_gt(snprintf(line, sizeof line, "<dt>Next term</dt><dd>%s until %s</dd>",
                              d_next_from, d_next_until),
                     0);
    ck_assert(has(&r, line));
    ck_assert(has(&r, "<td>Renewed</td>"));

    get(&r, "/v1/licenses/T7-N-0010/public.jwt", NULL);
    ck_assert_int_eq(r.status, 200);
    must(libro_jws_parse(&jws, r.body, r.body_len, &err), &err, "parse");
    must(libro_jws_verify(jws, registry_key, &err), &err, "verify");
    payload = libro_jws_payload(jws, &len);
    must(libro_json__load(&root, (const char *) payload, len, NULL, &err), &err, "json");
    ck_assert_str_eq(json_string_value(json_object_get(root, "status")), "active");
    ck_assert_str_eq(json_string_value(json_object_get(root, "validUntil")), t_until);
    ck_assert_int_eq(strncmp(json_string_value(json_object_get(root, "validFrom")), d_from, 10), 0);
    next = json_object_get(root, "nextTerm");
    ck_assert_str_eq(json_string_value(json_object_get(next, "validFrom")), t_next_from);
    ck_assert_str_eq(json_string_value(json_object_get(next, "validUntil")), t_next_until);
    ck_assert_uint_eq(json_object_size(next), 2);
    json_decref(root);
    root = NULL;

    /* Once the next term has begun it is the term, and nothing is next (the record as of a
     * later time, from the same events). */
    town_ctx(&ctx);
    must(libro_registry_get(reg, &rec, &ev, &n_ev, "T7-N-0010", &err), &err, "get");
    root = libro_http__public_record(&ctx, &rec, ev, n_ev, next_from, &err);
    ck_assert_msg(root != NULL, "%s", err.msg);
    ck_assert_str_eq(json_string_value(json_object_get(root, "validFrom")), t_next_from);
    ck_assert_str_eq(json_string_value(json_object_get(root, "validUntil")), t_next_until);
    ck_assert_ptr_null(json_object_get(root, "nextTerm"));
    json_decref(root);
    /* The second before, the old term still holds. */
    root = libro_http__public_record(&ctx, &rec, ev, n_ev, until, &err);
    ck_assert_msg(root != NULL, "%s", err.msg);
    ck_assert_str_eq(json_string_value(json_object_get(root, "validUntil")), t_until);
    ck_assert_ptr_nonnull(json_object_get(root, "nextTerm"));
    json_decref(root);

    libro_license_events_free(ev, n_ev);
    libro_license_record_clear(&rec);
    libro_jws_free(jws);
    libro_free(renewal);
}
END_TEST

/* The roundtable's page on a phone: its table in a labelled region a keyboard reaches, dates
 * that never break, and the vacant seats only when there are any. */
START_TEST(test_roundtable_page)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_seat seats[2] = {
        {.community = t_tribe1, .name = t_tribe1_name, .level = 1},
        {.community = t_tribe2, .name = t_tribe2_name, .level = 1},
    };
    libro_mandate_record m[3] = {
        {.office = LIBRO_OFFICE_CHAIR, .name = t_lena},
        {.office = LIBRO_OFFICE_REPRESENTATIVE, .seat = t_tribe1, .name = t_ines, .voting = true},
        {.office = LIBRO_OFFICE_REPRESENTATIVE, .seat = t_tribe2, .name = t_jane, .voting = true},
    };
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    char cell[160];
    libro_buf b = LIBRO_BUF_INIT;
    const char *html;

    for (size_t i = 0; i < LIBRO_NELEM(m); i++) {
        m[i].valid_from = now - 30 * DAY;
        m[i].valid_until = now + 700 * DAY;
    }
    day_text(from, now - 30 * DAY);
    day_text(until, now + 700 * DAY);
    ck_assert_int_gt(snprintf(cell, sizeof cell,
                              "<td><span class=\"d\">%s</span> to <span class=\"d\">%s</span></td>",
                              from, until),
                     0);
    /* Every seat held: no heading over an empty list. */
    must(libro_http__roundtable_html(&b, "Town 7", "2027-01-01T00:00:00Z", m, 3, seats, 2, &err),
         &err, "html");
    must(libro_buf_append(&b, "", 1, &err), &err, "NUL");
    html = (const char *) b.data;
    ck_assert_ptr_nonnull(strstr(html, "<div class=\"wide\" role=\"region\" aria-label=\"Members "
                                       "and chair\" tabindex=\"0\"><table>"));
    ck_assert_ptr_nonnull(strstr(html, "<th scope=\"col\">Office</th>"));
    ck_assert_ptr_nonnull(
        strstr(html, "<p>Members and chair at <span class=\"d\">2027-01-01T00:00:00Z</span></p>"));
    ck_assert_ptr_nonnull(strstr(html, cell));
    ck_assert_ptr_nonnull(strstr(html, "<td>representative</td><td>Tribe &lt;2&gt;</td>"));
    ck_assert_ptr_null(strstr(html, "Seats without a representative"));
    ck_assert_ptr_null(strstr(html, "<ul>"));
    ck_assert_ptr_nonnull(strstr(html, "<p>Every seat has a representative.</p>"));
    /* One seat vacant: the heading and that seat alone. */
    libro_buf_clear(&b);
    must(libro_http__roundtable_html(&b, "Town 7", "2027-01-01T00:00:00Z", m, 2, seats, 2, &err),
         &err, "html");
    must(libro_buf_append(&b, "", 1, &err), &err, "NUL");
    html = (const char *) b.data;
    ck_assert_ptr_nonnull(
        strstr(html, "<h2>Seats without a representative</h2>\n<ul>\n<li>Tribe &lt;2&gt; "
                     "(" COMMUNITY ":tribe-2)</li>\n</ul>\n"));
    ck_assert_ptr_null(strstr(html, "<li>Tribe 1"));
    ck_assert_ptr_null(strstr(html, "Every seat"));
    /* No seats at all. */
    libro_buf_clear(&b);
    must(libro_http__roundtable_html(&b, "Town 7", "2027-01-01T00:00:00Z", m, 1, NULL, 0, &err),
         &err, "html");
    must(libro_buf_append(&b, "", 1, &err), &err, "NUL");
    html = (const char *) b.data;
    ck_assert_ptr_null(strstr(html, "Seats without a representative"));
    ck_assert_ptr_nonnull(strstr(html, "<p>The roundtable has no seats yet.</p>"));
    libro_buf_free(&b);
}
END_TEST

/* A mandate's page names its communities as the license pages do (name and level, the id
 * under it) and gives days, not full times. */
START_TEST(test_mandate_page)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_ctx ctx;
    libro_seat seat = {.community = t_tribe1, .name = t_tribe1_name, .level = 1};
    libro_mandate_record m = {
        .id = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        .office = LIBRO_OFFICE_REPRESENTATIVE,
        .roundtable = t_community,
        .seat = t_tribe1,
        .holder = t_did,
        .name = t_ines_evil,
        .voting = true,
        .issuer = t_tribe1,
        .state = LIBRO_MANDATE_ACTIVE,
    };
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    char ended[LIBRO_TIME_TEXT_MAX];
    char line[200];
    libro_buf b = LIBRO_BUF_INIT;
    const char *html;

    town_ctx(&ctx);
    m.valid_from = now - 30 * DAY;
    m.valid_until = now + 700 * DAY;
    day_text(from, m.valid_from);
    day_text(until, m.valid_until);
    must(libro_http__mandate_html(&b, &ctx, &m, &seat, 1, &err), &err, "html");
    must(libro_buf_append(&b, "", 1, &err), &err, "NUL");
    html = (const char *) b.data;
    ck_assert_ptr_nonnull(strstr(html, "<h1>Mandate of Ines &lt;Ito&gt;</h1>"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>Roundtable</dt><dd>Town 7 (town, level 2)<span "
                                       "class=\"id\">" COMMUNITY "</span></dd>"));
    ck_assert_ptr_nonnull(strstr(html,
                                 "<dt>Seat</dt><dd>Tribe 1 (level 1)<span class=\"id\">" COMMUNITY
                                 ":tribe-1</span></dd>"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>Signed by</dt><dd>Tribe 1 (level 1)<span "
                                       "class=\"id\">" COMMUNITY ":tribe-1</span></dd>"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>Holder</dt><dd>Ines &lt;Ito&gt;<span class=\"id\">"
                                       "did:key:z6Mk"));
    ck_assert_int_gt(snprintf(line, sizeof line, "<dt>Term from</dt><dd class=\"d\">%s</dd>", from),
                     0);
    ck_assert_ptr_nonnull(strstr(html, line));
    ck_assert_int_gt(
        snprintf(line, sizeof line, "<dt>Term until</dt><dd class=\"d\">%s</dd>", until), 0);
    ck_assert_ptr_nonnull(strstr(html, line));
    ck_assert_ptr_nonnull(strstr(html, "<p>representative of the roundtable, active, from"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>Mandate id</dt><dd><code>sha256:0123"));
    ck_assert_ptr_null(strstr(html, "T00:")); /* no full time anywhere */
    ck_assert_ptr_null(strstr(html, "<dt>Ended</dt>"));
    ck_assert_ptr_null(strstr(html, "<Ito>"));

    /* An ended chair's mandate: no seat, signed by the community itself, the end's day. */
    m.office = LIBRO_OFFICE_CHAIR;
    m.seat = NULL;
    m.voting = false;
    m.issuer = t_community;
    m.state = LIBRO_MANDATE_RESIGNED;
    m.ended_at = now;
    m.end_reason = t_reason;
    day_text(ended, now);
    libro_buf_clear(&b);
    must(libro_http__mandate_html(&b, &ctx, &m, NULL, 0, &err), &err, "html");
    must(libro_buf_append(&b, "", 1, &err), &err, "NUL");
    html = (const char *) b.data;
    ck_assert_ptr_nonnull(strstr(html, "<dt>Seat</dt><dd>(the chair has no seat)</dd>"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>Signed by</dt><dd>Town 7 (town, level 2)<span "));
    ck_assert_int_gt(snprintf(line, sizeof line,
                              "<dt>Ended</dt><dd class=\"d\">%s</dd>\n<dt>Reason</dt><dd>moved "
                              "&lt;away&gt;</dd>",
                              ended),
                     0);
    ck_assert_ptr_nonnull(strstr(html, line));
    ck_assert_ptr_null(strstr(html, "T00:"));
    /* A community the registry does not know is its id alone. */
    m.issuer = t_elsewhere;
    libro_buf_clear(&b);
    must(libro_http__mandate_html(&b, &ctx, &m, NULL, 0, &err), &err, "html");
    must(libro_buf_append(&b, "", 1, &err), &err, "NUL");
    ck_assert_ptr_nonnull(
        strstr((const char *) b.data, "<dt>Signed by</dt><dd>urn:libro:elsewhere</dd>"));
    libro_buf_free(&b);
}
END_TEST

/* Errors are pages for people: always on the public pages, elsewhere for a browser. */
START_TEST(test_html_errors)
{
    struct reply r;

    get(&r, "/licenses/T7-N-0404", NULL);
    assert_page(&r, 404);
    ck_assert(has(&r, "No license with the number \xe2\x80\x9cT7-N-0404\xe2\x80\x9d is "
                      "registered here."));
    assert_header(&r, "Cache-Control", "no-store");
    get(&r, "/v1/licenses/T7-N-0404", BROWSER);
    assert_page(&r, 404);
    ck_assert(has(&r, "No license with the number"));
    get(&r, "/v1/licenses/T7-N-0404", NULL);
    assert_error(&r, 404, "not_found");
    get(&r, "/v1/nothing", BROWSER);
    assert_page(&r, 404);
    ck_assert(has(&r, "<h1>Not found</h1>\n<p>No such resource.</p>"));
    get(&r, "/licenses/T7$1", NULL);
    assert_page(&r, 400);
    ck_assert(has(&r, "<h1>Bad request</h1>"));
    request(&r, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: "
                "close\r\n\r\n");
    assert_page(&r, 405);
    assert_header(&r, "Allow", "GET, HEAD");
}
END_TEST

static const struct {
    const char *name;
    const char *path;
    int status;
    const char *code;
} not_ok[] = {
    {"unknown license", "/v1/licenses/T7-N-9999", 404, "not_found"},
    {"unknown route", "/v1/nothing", 404, "not_found"},
    {"no version", "/health", 404, "not_found"},
    {"trailing slash", "/v1/health/", 404, "not_found"},
    {"extra segment", "/v1/licenses/T7-N-0001/x", 404, "not_found"},
    {"list not in use", "/v1/status/1/revocation", 404, "not_found"},
    {"list too big", "/v1/status/4294967296/revocation", 400, "bad_request"},
    {"list leading zero", "/v1/status/00/revocation", 400, "bad_request"},
    {"list not a number", "/v1/status/x/revocation", 400, "bad_request"},
    {"unknown purpose", "/v1/status/0/refresh", 400, "bad_request"},
    {"empty number", "/v1/licenses/", 400, "bad_request"},
    {"number charset", "/v1/licenses/T7$1", 400, "bad_request"},
    {"percent-encoded control byte", "/v1/licenses/T7%0aX", 400, "bad_request"},
    /* Paths are not unescaped: a NUL cannot cut one short into another license's name. */
    {"percent-encoded NUL", "/v1/licenses/T7-N-0001%00x", 400, "bad_request"},
    {"percent-encoded letter", "/v1/licenses/T7-N-000%31", 400, "bad_request"},
    {"number too long",
     "/v1/licenses/0123456789012345678901234567890123456789012345678901234567890123456789", 400,
     "bad_request"},
};

START_TEST(test_not_ok)
{
    struct reply r;

    get(&r, not_ok[_i].path, NULL);
    ck_assert_msg(r.status == not_ok[_i].status, "%s: %d", not_ok[_i].name, r.status);
    assert_error(&r, not_ok[_i].status, not_ok[_i].code);
    assert_header(&r, "Cache-Control", "no-store");
}
END_TEST

START_TEST(test_method_not_allowed)
{
    struct reply r;

    request(&r, "POST /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                "Connection: close\r\n\r\n{}");
    assert_error(&r, 405, "method_not_allowed");
    assert_header(&r, "Allow", "GET, HEAD");
    request(&r, "DELETE /v1/licenses/T7-N-0001 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n\r\n");
    assert_error(&r, 405, "method_not_allowed");
    request(&r, "PUT /v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assert_error(&r, 404, "not_found");
}
END_TEST

/* ---- request hygiene over the wire -------------------------------------------------------- */

static const struct {
    const char *name;
    const char *raw;
    int status;
    const char *code;
} smuggling[] = {
    {"duplicate Content-Length",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"
     "hello",
     400, "bad_request"},
    {"differing Content-Length",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 45\r\n\r\n"
     "GET /v1/licenses/T7-N-0001 HTTP/1.1\r\nHost: a\r\n\r\n",
     400, "bad_request"},
    {"Content-Length and Transfer-Encoding",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     400, "bad_request"},
    {"Transfer-Encoding then Content-Length",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
     "Content-Length: 4\r\n\r\n0\r\n\r\n",
     400, "bad_request"},
    {"HTTP/1.0 with Transfer-Encoding",
     "POST /v1/health HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "bad_request"},
    {"HTTP/1.1 without Host", "GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n", 400,
     "bad_request"},
    {"two Host headers", "GET /v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
     "bad_request"},
    {"body on GET", "GET /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 400,
     "bad_request"},
    {"chunked body on GET",
     "GET /v1/health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
     "\r\n",
     400, "bad_request"},
    {"body on HEAD", "HEAD /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", 400,
     "bad_request"},
    {"space before the colon",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello", 400, "bad_request"},
    {"tab before the colon",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\nhello", 400, "bad_request"},
    {"declared body over the cap",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", 413,
     "payload_too_large"},
    {"huge declared body",
     "POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\n", 413,
     "payload_too_large"},
};

START_TEST(test_smuggling)
{
    struct reply r;

    request(&r, smuggling[_i].raw);
    ck_assert_msg(r.status == smuggling[_i].status, "%s: status %d\n%s", smuggling[_i].name,
                  r.status, r.raw);
    if (strncmp(smuggling[_i].raw, "HEAD ", 5) != 0) { /* a HEAD answer has no body */
        assert_error(&r, smuggling[_i].status, smuggling[_i].code);
    }
    /* One answer and the connection closes: nothing after the refused head is read as a
     * request of its own. */
    assert_header(&r, "Connection", "close");
    ck_assert(r.closed);
    ck_assert_ptr_null(strstr(r.raw, "\nHTTP/1.1 "));
}
END_TEST

/* RFC 9110 §5.5 over the wire: NUL, CR or LF in a header value, each framing header and
 * another, and lines not ended by CRLF. libmicrohttpd 0.9 hands values over as C strings: a
 * NUL ended the value ("chunked\0gzip" read as chunked, "5\099" as 5) and these answered. */
#define WIRE(s) s, sizeof(s) - 1
static const struct {
    const char *name;
    const char *raw;
    size_t len;
    int status;
    const char *code;
} wire[] = {
    {"Host NUL", WIRE("GET /v1/health HTTP/1.1\r\nHost: a\0b\r\nConnection: close\r\n\r\n"), 400,
     "bad_header"},
    {"Content-Length NUL",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\099\r\n\r\nhello"), 400,
     "bad_header"},
    {"Transfer-Encoding NUL",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\0gzip\r\n\r\n0\r\n"
          "\r\n"),
     400, "bad_header"},
    {"Content-Type NUL",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\0x\r\n"
          "Content-Length: 2\r\n\r\n{}"),
     400, "bad_header"},
    {"Host CR", WIRE("GET /v1/health HTTP/1.1\r\nHost: a\rb\r\nConnection: close\r\n\r\n"), 400,
     "bad_header"},
    {"Content-Length CR",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r9\r\n\r\nhello"), 400,
     NULL}, /* libmicrohttpd reads the length itself and refuses it first */
    {"Transfer-Encoding CR",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\rx\r\n\r\n0\r\n\r\n"),
     400, "bad_header"},
    {"Content-Type CR",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\r\n"
          "Content-Length: 2\r\n\r\n{}"),
     400, "bad_header"},
    {"Host LF (a bare LF ends its line)",
     WIRE("GET /v1/health HTTP/1.1\r\nHost: a\nHost: b\r\nConnection: close\r\n\r\n"), 400,
     "bad_header"},
    {"Content-Length LF",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\nX: 0\r\n\r\nhello"), 400,
     "bad_header"},
    {"Transfer-Encoding LF",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\nX: gzip\r\n\r\n0\r\n"
          "\r\n"),
     400, "bad_header"},
    {"Content-Type LF",
     WIRE("POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\nX: 1\r\n"
          "Content-Length: 2\r\n\r\n{}"),
     400, "bad_header"},
    {"NUL at the end of a value",
     WIRE("GET /v1/health HTTP/1.1\r\nHost: a\0\r\nConnection: close\r\n\r\n"), 400, "bad_header"},
    {"NUL at the start of a value",
     WIRE("GET /v1/health HTTP/1.1\r\nHost: \0a\r\nConnection: close\r\n\r\n"), 400, "bad_header"},
    {"NUL in the last header",
     WIRE("GET /v1/health HTTP/1.1\r\nHost: a\r\nConnection: close\0x\r\n\r\n"), 400, "bad_header"},
    {"NUL in another header",
     WIRE("GET /v1/health HTTP/1.1\r\nHost: a\r\nX-Trace: 1\0 2\r\nConnection: close\r\n\r\n"), 400,
     "bad_header"},
    {"bare LF after the request line",
     WIRE("GET /v1/health HTTP/1.1\nHost: a\r\nConnection: close\r\n\r\n"), 400, "bad_header"},
    {"bare LF as the empty line",
     WIRE("GET /v1/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\n"), 400, "bad_header"},
    {"folded line",
     WIRE("GET /v1/health HTTP/1.1\r\nHost: a\r\nX-Trace: 1\r\n 2\r\nConnection: close\r\n\r\n"),
     400, "bad_header"},
    /* Clean heads that lay out otherwise: a query, a cookie, spaces around values, an empty
     * value, a tab; no header at all. */
    {"clean, every shape",
     WIRE("GET /v1/health?x=1&y&&z= HTTP/1.1\r\nHost: a\r\nCookie: a=b; c=d\r\n"
          "Accept:   application/json  \r\nX-Empty:\r\nX-Tab:\tv\t\r\nConnection: close\r\n\r\n"),
     200, NULL},
    {"clean, no header", WIRE("GET /v1/health HTTP/1.0\r\n\r\n"), 200, NULL},
};

START_TEST(test_header_values)
{
    struct reply r;

    exchange(&r, wire[_i].raw, wire[_i].len);
    ck_assert_msg(r.status == wire[_i].status, "%s: status %d\n%s", wire[_i].name, r.status, r.raw);
    if (wire[_i].status == 200) {
        return;
    }
    if (wire[_i].code != NULL) {
        assert_error(&r, wire[_i].status, wire[_i].code);
    }
    assert_header(&r, "Connection", "close");
    ck_assert(r.closed);
}
END_TEST

START_TEST(test_http10_without_host)
{
    struct reply r;

    request(&r, "GET /v1/health HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(r.status, 200);
}
END_TEST

/* A body of exactly the cap is read (and then refused for the method); one byte more is 413. */
static void
post_body(struct reply *r, size_t n, bool chunked)
{
    char head[256];
    char *raw;
    size_t len;
    int fd;

    if (chunked) {
        ck_assert_int_gt(snprintf(head, sizeof head,
                                  "POST /v1/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n%zx\r\n",
                                  n),
                         0);
    } else {
        ck_assert_int_gt(snprintf(head, sizeof head,
                                  "POST /v1/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                                  "Content-Length: %zu\r\n\r\n",
                                  n),
                         0);
    }
    len = strlen(head) + n + 7;
    raw = malloc(len + 1);
    ck_assert_ptr_nonnull(raw);
    memcpy(raw, head, strlen(head));
    memset(raw + strlen(head), 'a', n);
    len = strlen(head) + n;
    if (chunked) {
        memcpy(raw + len, "\r\n0\r\n\r\n", 7);
        len += 7;
    }
    fd = connect_server();
    send_all(fd, raw, len);
    read_to_close(fd, r);
    (void) close(fd);
    free(raw);
}

START_TEST(test_body_cap)
{
    struct reply r;

    post_body(&r, LIBRO_MAX_HTTP_BODY_BYTES, false);
    assert_error(&r, 405, "method_not_allowed");
    post_body(&r, LIBRO_MAX_HTTP_BODY_BYTES + 1, false);
    assert_error(&r, 413, "payload_too_large");
    post_body(&r, LIBRO_MAX_HTTP_BODY_BYTES, true);
    assert_error(&r, 405, "method_not_allowed");
    /* Chunked: no declared length, so the cap is enforced on the bytes as they arrive. */
    post_body(&r, LIBRO_MAX_HTTP_BODY_BYTES + 1, true);
    assert_error(&r, 413, "payload_too_large");
    ck_assert(r.closed);
    /* One that runs on far past the cap is not read to its end: the connection drops. */
    post_body(&r, 3 * LIBRO_MAX_HTTP_BODY_BYTES, true);
    ck_assert(r.closed);
    ck_assert_int_eq(r.status, 0);
}
END_TEST

/* ---- connection limits and timeouts -------------------------------------------------------- */

/* Send a keep-alive GET and read exactly one answer (by its Content-Length). */
static int
keepalive_get(int fd)
{
    static const char raw[] = "GET /v1/health HTTP/1.1\r\nHost: a\r\n\r\n";
    struct reply r;
    char v[32];

    send_all(fd, raw, strlen(raw));
    r.len = 0;
    for (;;) {
        ssize_t n = recv(fd, r.raw + r.len, REPLY_MAX - r.len, 0);

        if (n <= 0) {
            parse_reply(&r);
            return r.status;
        }
        r.len += (size_t) n;
        parse_reply(&r);
        if (r.body != NULL && header(&r, "Content-Length", v, sizeof v) &&
            r.body_len >= (size_t) strtoul(v, NULL, 10)) {
            return r.status;
        }
    }
}

START_TEST(test_per_ip_limit)
{
    int fds[PER_IP];
    int extra;
    unsigned i;
    struct reply r;

    for (i = 0; i < PER_IP; i++) {
        fds[i] = connect_server();
        ck_assert_int_eq(keepalive_get(fds[i]), 200);
    }
    /* One more from the same address: accepted by the kernel, closed unanswered. */
    extra = connect_server();
    send_all(extra, "GET /v1/health HTTP/1.1\r\nHost: a\r\n\r\n", 37);
    read_to_close(extra, &r);
    (void) close(extra);
    ck_assert(r.closed);
    ck_assert_int_eq(r.status, 0);
    /* The first ones still work. */
    ck_assert_int_eq(keepalive_get(fds[0]), 200);
    for (i = 0; i < PER_IP; i++) {
        (void) close(fds[i]);
    }
}
END_TEST

static double
seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
    return (double) (t1.tv_sec - t0->tv_sec) + (double) (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(test_timeout)
{
    static const char *const partial[] = {"", "GET /v1/health HTTP/1.1\r\nHo"};
    struct timespec t0;
    struct reply r;
    double waited;
    int fd;

    ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
    fd = connect_server();
    send_all(fd, partial[_i], strlen(partial[_i]));
    read_to_close(fd, &r);
    (void) close(fd);
    waited = seconds_since(&t0);
    ck_assert_msg(r.closed, "still open after %.1f s", waited);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(waited >= TIMEOUT_S - 0.5 && waited < TIMEOUT_S + 5.0, "closed after %.1f s",
                  waited);
}
END_TEST

/* ---- start-up ----------------------------------------------------------------------------- */

START_TEST(test_start_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_server *s = (libro_server *) &err; /* must be reset to NULL */
    libro_key *other = NULL;
    libro_key *pub = public_of(registry_key);
    char missing[512];

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.base_url = "https://registry.town-7.example";

    opt.version = LIBRO_SERVER_OPTIONS_VERSION + 1;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err, "version");
    ck_assert_ptr_null(s);
    opt.version = LIBRO_SERVER_OPTIONS_VERSION;

    opt.listen_address = "0.0.0.0";
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "not a loopback address");
    opt.listen_address = "::";
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "not a loopback address");
    opt.listen_address = "localhost";
    opt.allow_public = true;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err, "numeric");
    opt.allow_public = false;
    opt.listen_address = "127.0.0.1";

    opt.base_url = "http://registry.example";
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err, "base url");
    opt.base_url = "https://registry.town-7.example";

    opt.max_body_bytes = LIBRO_MAX_HTTP_BODY_BYTES + 1;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err, "body cap");
    opt.max_body_bytes = LIBRO_MAX_HTTP_BODY_BYTES;
    opt.timeout_seconds = 0;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err, "timeout");
    opt.timeout_seconds = 30;

    opt.registry_key = pub;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "private half");
    must(libro_key_generate(&other, LIBRO_ALG_ED25519, &err), &err, "other key");
    opt.registry_key = other;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "registry authorization names");
    opt.registry_key = registry_key;

    test_db_path(missing, sizeof missing, dir, "none.db");
    opt.db_path = missing;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_NOT_FOUND, &err, NULL);
    opt.db_path = db_path;
    test_db_remove(missing);

    opt.port = port; /* taken by the fixture's server */
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_NETWORK, &err, "cannot listen");
    ck_assert_ptr_null(s);

    /* IPv6 loopback, where the host has it. */
    opt.port = 0;
    opt.listen_address = "::1";
    if (libro_server_start(&s, &opt, &err) == LIBRO_OK) {
        ck_assert_uint_ne(libro_server_port(s), 0);
        libro_server_stop(s);
    }
    /* No base URL: refused except on 127.0.0.1, where it names the port bound. */
    opt.base_url = NULL;
    s = (libro_server *) &err;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "a base url is required unless listening on 127.0.0.1");
    ck_assert_ptr_null(s);
    opt.listen_address = "127.0.0.1";
    must(libro_server_start(&s, &opt, &err), &err, "start without a base url");
    {
        char want[64];

        ck_assert_uint_ne(libro_server_port(s), 0);
        ck_assert_uint_ne(libro_server_port(s), port);
        ck_assert_int_gt(
            snprintf(want, sizeof want, "http://127.0.0.1:%u", (unsigned) libro_server_port(s)), 0);
        ck_assert_str_eq(libro_server_base_url(s), want);
    }
    libro_server_stop(s);
    s = NULL;
    ck_assert_str_eq(libro_server_base_url(server), "http://127.0.0.1");
    ck_assert_ptr_null(libro_server_base_url(NULL));
    libro_server_stop(NULL);
    ck_assert_uint_eq(libro_server_port(NULL), 0);
    libro_key_free(other);
    libro_key_free(pub);
}
END_TEST

/* A restart that keeps the listening socket: the same port throughout, and a request sent
 * while no server runs waits in the backlog for the next one. */
START_TEST(test_restart_keeps_socket)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    static const char health[] = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "Connection: close\r\n\r\n";
    struct reply r;
    struct sockaddr_in6 v6;
    libro_server *s = NULL;
    int accepting = 0;
    socklen_t accepting_len;
    int fd = -1;
    int waiting;
    int other;

    must(libro_server_stop_keep_socket(server, &fd, &err), &err, "stop, keeping the socket");
    server = NULL;
    ck_assert_int_ge(fd, 0);
    waiting = connect_server();
    send_all(waiting, health, sizeof health - 1);

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.threads = 2;
    opt.port = 1; /* ignored: the socket's port is used */
    opt.listen_fd = fd;
    must(libro_server_start(&server, &opt, &err), &err, "start on the kept socket");
    ck_assert_uint_eq(libro_server_port(server), port);
    read_to_close(waiting, &r);
    (void) close(waiting);
    ck_assert_int_eq(r.status, 200);
    get(&r, "/v1/health", NULL);
    ck_assert_int_eq(r.status, 200);
    /* The server served on its own duplicate: stopped, it leaves the caller's socket
     * listening (libmicrohttpd would shut a socket down, and so every duplicate). */
    libro_server_stop(server);
    server = NULL;
    accepting_len = sizeof accepting;
    ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &accepting_len), 0);
    ck_assert_int_eq(accepting, 1);
    must(libro_server_start(&server, &opt, &err), &err, "start on the kept socket again");
    (void) close(fd);
    get(&r, "/v1/health", NULL);
    ck_assert_int_eq(r.status, 200);

    /* What listen_fd must be. */
    s = (libro_server *) &err; /* must be reset to NULL */
    other = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(other, 0);
    opt.listen_fd = other;
    LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "listen_fd is not a listening socket");
    ck_assert_ptr_null(s);
    (void) close(other);
    other = socket(AF_INET6, SOCK_STREAM, 0);
    if (other >= 0) {
        memset(&v6, 0, sizeof v6);
        v6.sin6_family = AF_INET6;
        v6.sin6_addr = in6addr_loopback;
        if (bind(other, (struct sockaddr *) &v6, sizeof v6) == 0 && listen(other, 1) == 0) {
            opt.listen_fd = other;
            LIBRO_ASSERT_CODE(libro_server_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                              "listen_fd is not bound to 127.0.0.1");
        }
        (void) close(other);
    }
    LIBRO_ASSERT_CODE(libro_server_stop_keep_socket(NULL, &fd, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
}
END_TEST

/* ---- the header rules, without a socket --------------------------------------------------- */

/* A header value and its length as sent (a literal's NUL counts). */
#define HV(field, lit) .field = (lit), .field##_len = sizeof(lit) - 1
#define GET_LINE .method = "GET", .path = "/", .version = "HTTP/1.1", .n_host = 1
#define GET11 GET_LINE, HV(host, "a")
#define POST11 .method = "POST", .path = "/", .version = "HTTP/1.1", HV(host, "a"), .n_host = 1
#define BAD_VALUE "a header value holds a NUL, CR or LF byte"
#define BAD_LINE "a header line ends in a bare LF or is folded"

static const struct {
    const char *name;
    libro_http__request req;
    unsigned status;     /* 0: read on */
    const char *message; /* the refusal's, when it is a bad_header */
} rules[] = {
    {"plain GET", {GET11}, 0, NULL},
    {"GET, Content-Length 0", {GET11, HV(content_length, "0"), .n_content_length = 1}, 0, NULL},
    {"1.0 without Host", {.method = "GET", .path = "/", .version = "HTTP/1.0"}, 0, NULL},
    {"1.0, two Hosts",
     {.method = "GET", .path = "/", .version = "HTTP/1.0", HV(host, "a"), .n_host = 2},
     400,
     NULL},
    {"HTTP/2.0",
     {.method = "GET", .path = "/", .version = "HTTP/2.0", HV(host, "a"), .n_host = 1},
     400,
     NULL},
    {"no version", {.method = "GET", .path = "/", HV(host, "a"), .n_host = 1}, 400, NULL},
    {"POST at the cap", {POST11, HV(content_length, "65536"), .n_content_length = 1}, 0, NULL},
    {"POST past the cap", {POST11, HV(content_length, "65537"), .n_content_length = 1}, 413, NULL},
    {"POST chunked", {POST11, HV(transfer_encoding, "Chunked"), .n_transfer_encoding = 1}, 0, NULL},
    {"POST gzip",
     {POST11, HV(transfer_encoding, "gzip, chunked"), .n_transfer_encoding = 1},
     400,
     NULL},
    {"two TE", {POST11, HV(transfer_encoding, "chunked"), .n_transfer_encoding = 2}, 400, NULL},
    {"CL sign", {POST11, HV(content_length, "+5"), .n_content_length = 1}, 400, NULL},
    {"CL leading zero", {POST11, HV(content_length, "05"), .n_content_length = 1}, 400, NULL},
    {"CL list", {POST11, HV(content_length, "5, 5"), .n_content_length = 1}, 400, NULL},
    {"CL overflow",
     {POST11, HV(content_length, "18446744073709551616"), .n_content_length = 1},
     400,
     NULL},
    {"bad header name", {GET11, .n_bad_names = 1}, 400, NULL},
    /* RFC 9110 §5.5: NUL, CR or LF in a framing header's value, and the clean value beside. */
    {"Host NUL", {GET_LINE, HV(host, "a\0b")}, 400, BAD_VALUE},
    {"Host CR", {GET_LINE, HV(host, "a\rb")}, 400, BAD_VALUE},
    {"Host LF", {GET_LINE, HV(host, "a\nb")}, 400, BAD_VALUE},
    {"Host NUL at the end", {GET_LINE, HV(host, "a\0")}, 400, BAD_VALUE},
    {"Host shorter than its string", {GET_LINE, .host = "ab", .host_len = 1}, 400, BAD_VALUE},
    {"Host clean", {GET_LINE, HV(host, "registry.example:8080")}, 0, NULL},
    {"CL NUL", {POST11, HV(content_length, "5\099"), .n_content_length = 1}, 400, BAD_VALUE},
    {"CL CR", {POST11, HV(content_length, "5\r"), .n_content_length = 1}, 400, BAD_VALUE},
    {"CL LF", {POST11, HV(content_length, "5\n9"), .n_content_length = 1}, 400, BAD_VALUE},
    {"CL clean", {POST11, HV(content_length, "5"), .n_content_length = 1}, 0, NULL},
    {"TE NUL",
     {POST11, HV(transfer_encoding, "chunked\0gzip"), .n_transfer_encoding = 1},
     400,
     BAD_VALUE},
    {"TE CR",
     {POST11, HV(transfer_encoding, "chunked\r"), .n_transfer_encoding = 1},
     400,
     BAD_VALUE},
    {"TE LF",
     {POST11, HV(transfer_encoding, "chunked\nTransfer-Encoding: gzip"), .n_transfer_encoding = 1},
     400,
     BAD_VALUE},
    {"TE clean", {POST11, HV(transfer_encoding, "chunked"), .n_transfer_encoding = 1}, 0, NULL},
    {"CT NUL", {POST11, HV(content_type, "application/json\0x")}, 400, BAD_VALUE},
    {"CT CR", {POST11, HV(content_type, "application/json\r")}, 400, BAD_VALUE},
    {"CT LF", {POST11, HV(content_type, "application/json\nX: 1")}, 400, BAD_VALUE},
    {"CT clean", {POST11, HV(content_type, "application/libro-request+jwt")}, 0, NULL},
    {"Accept NUL", {GET11, HV(accept, "text/html\0x")}, 400, BAD_VALUE},
    {"If-None-Match CR", {GET11, HV(if_none_match, "\"x\"\r")}, 400, BAD_VALUE},
    {"another header's value", {GET11, .n_bad_values = 1}, 400, BAD_VALUE},
    {"a bare LF or a folded line", {GET11, .n_bad_lines = 1}, 400, BAD_LINE},
};

START_TEST(test_header_rules)
{
    libro_http__response resp;

    memset(&resp, 0, sizeof resp);
    libro_http__check_headers(&resp, &rules[_i].req, LIBRO_MAX_HTTP_BODY_BYTES);
    ck_assert_msg(resp.status == rules[_i].status, "%s: %u", rules[_i].name, resp.status);
    ck_assert(resp.status == 0 || resp.close);
    if (rules[_i].message != NULL) {
        char want[160];

        ck_assert_int_gt(snprintf(want, sizeof want,
                                  "{\"error\":{\"code\":\"bad_header\",\"message\":\"%s\"}}",
                                  rules[_i].message),
                         0);
        ck_assert_uint_eq(resp.body.len, strlen(want));
        ck_assert_msg(memcmp(resp.body.data, want, resp.body.len) == 0, "%s: %.*s", rules[_i].name,
                      (int) resp.body.len, (const char *) resp.body.data);
    }
    libro_http__response_clear(&resp);
}
END_TEST

START_TEST(test_loopback)
{
    ck_assert(libro_http__is_loopback("127.0.0.1"));
    ck_assert(libro_http__is_loopback("127.1.2.3"));
    ck_assert(libro_http__is_loopback("::1"));
    ck_assert(!libro_http__is_loopback("0.0.0.0"));
    ck_assert(!libro_http__is_loopback("::"));
    ck_assert(!libro_http__is_loopback("10.0.0.1"));
    ck_assert(!libro_http__is_loopback("::ffff:127.0.0.1"));
    ck_assert(!libro_http__is_loopback("localhost"));
    ck_assert(!libro_http__is_loopback(NULL));
    ck_assert(libro_http__token_ok("Content-Length"));
    ck_assert(libro_http__token_ok("X-a!#$%&'*+.^_`|~9"));
    ck_assert(!libro_http__token_ok("Content-Length "));
    ck_assert(!libro_http__token_ok("a:b"));
    ck_assert(!libro_http__token_ok(""));
    ck_assert(!libro_http__token_ok(NULL));
}
END_TEST

/* The router as a pure function (router.c, libro_http__match): every route, and the edges of
 * each (trailing slash, empty segment, "..", overlong and non-canonical numbers, bytes that
 * a client percent-encoded, which arrive as they were sent). */
#define R_(x) LIBRO_HTTP_ROUTE_##x
static const struct {
    const char *path;
    libro_http__route route;
    bool malformed;
    const char *number; /* license number or type id ("" when none) */
    uint64_t a;         /* list number, or the log's first number */
    uint64_t b;         /* purpose, or the log's second number */
    libro_http_write op;
} routes[] = {
    {"/v1/health", R_(HEALTH), false, "", 0, 0, 0},
    {"/v1/health/", R_(NONE), false, "", 0, 0, 0},
    {"/v1//health", R_(NONE), false, "", 0, 0, 0},
    {"/v1/health/..", R_(NONE), false, "", 0, 0, 0},
    {"/v1/../v1/health", R_(NONE), false, "", 0, 0, 0},
    {"/v2/health", R_(NONE), false, "", 0, 0, 0},
    {"v1/health", R_(NONE), false, "", 0, 0, 0},
    {"", R_(NONE), false, "", 0, 0, 0},
    {"/", R_(HOME), false, "", 0, 0, 0},
    {"//", R_(NONE), false, "", 0, 0, 0},
    {"/licenses", R_(SEARCH), false, "", 0, 0, 0},
    {"/license", R_(NONE), false, "", 0, 0, 0},
    {"/licenses/", R_(PAGE), true, "", 0, 0, 0},
    {"/licenses/T7-N-0001", R_(PAGE), false, "T7-N-0001", 0, 0, 0},
    {"/licenses/T7-N-0001/", R_(NONE), false, "", 0, 0, 0},
    {"/licenses/T7$1", R_(PAGE), true, "", 0, 0, 0},
    {"/licenses/a/b", R_(NONE), false, "", 0, 0, 0},
    {"/v1/licenses/T7-N-0001/public.jwt", R_(RECORD), false, "T7-N-0001", 0, 0, 0},
    {"/v1/licenses/T7$1/public.jwt", R_(RECORD), true, "", 0, 0, 0},
    {"/v1/licenses/T7-N-0001/public.jwt/", R_(NONE), false, "", 0, 0, 0},
    {"/v1", R_(NONE), false, "", 0, 0, 0},
    {"/v1/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/healthy", R_(NONE), false, "", 0, 0, 0},
    {"/v1/bundle", R_(BUNDLE), false, "", 0, 0, 0},
    {"/v1/bundle/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/reservations", R_(WRITE), false, "", 0, 0, LIBRO_HTTP_WRITE_RESERVE},
    {"/v1/reservations/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/queries/expiring", R_(WRITE), false, "", 0, 0, LIBRO_HTTP_QUERY_EXPIRING},
    {"/v1/queries", R_(NONE), false, "", 0, 0, 0},
    {"/v1/queries/expiring/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/licenses", R_(WRITE), false, "", 0, 0, LIBRO_HTTP_WRITE_REGISTER},
    {"/v1/licenses/", R_(LICENSE), true, "", 0, 0, 0},
    {"/v1/licenses/T7-N-0001", R_(LICENSE), false, "T7-N-0001", 0, 0, 0},
    {"/v1/licenses/T7-N-0001/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/licenses/T7-N-0001/renew", R_(WRITE), false, "T7-N-0001", 0, 0, LIBRO_HTTP_WRITE_RENEW},
    {"/v1/licenses/T7-N-0001/suspend", R_(WRITE), false, "T7-N-0001", 0, 0,
     LIBRO_HTTP_WRITE_SUSPEND},
    {"/v1/licenses/T7-N-0001/reinstate", R_(WRITE), false, "T7-N-0001", 0, 0,
     LIBRO_HTTP_WRITE_REINSTATE},
    {"/v1/licenses/T7-N-0001/revoke", R_(WRITE), false, "T7-N-0001", 0, 0, LIBRO_HTTP_WRITE_REVOKE},
    {"/v1/licenses/T7-N-0001/surrender", R_(WRITE), false, "T7-N-0001", 0, 0,
     LIBRO_HTTP_WRITE_SURRENDER},
    {"/v1/licenses/T7-N-0001/revoke/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/licenses/T7-N-0001/revokes", R_(NONE), false, "", 0, 0, 0},
    {"/v1/licenses/T7-N-0001/x/revoke", R_(NONE), false, "", 0, 0, 0},
    {"/v1/licenses//revoke", R_(WRITE), true, "", 0, 0, LIBRO_HTTP_WRITE_REVOKE},
    {"/v1/licenses/T7$1/revoke", R_(WRITE), true, "", 0, 0, LIBRO_HTTP_WRITE_REVOKE},
    /* ".." is of the number charset and names no file: a license that does not exist. */
    {"/v1/licenses/..", R_(LICENSE), false, "..", 0, 0, 0},
    {"/v1/licenses/T7%2FN", R_(LICENSE), true, "", 0, 0, 0},
    {"/v1/licenses/T7-N-0001%2Frevoke", R_(LICENSE), true, "", 0, 0, 0},
    {"/v1/licenses/0123456789012345678901234567890123456789012345678901234567890123", R_(LICENSE),
     false, "0123456789012345678901234567890123456789012345678901234567890123", 0, 0, 0},
    {"/v1/licenses/01234567890123456789012345678901234567890123456789012345678901234", R_(LICENSE),
     true, "", 0, 0, 0},
    {"/v1/types/nursing-general", R_(TYPE), false, "nursing-general", 0, 0, 0},
    {"/v1/types", R_(NONE), false, "", 0, 0, 0},
    {"/v1/types/", R_(TYPE), true, "", 0, 0, 0},
    {"/v1/types/a/b", R_(TYPE), true, "", 0, 0, 0},
    {"/v1/types/nursing-general/", R_(TYPE), true, "", 0, 0, 0},
    {"/v1/types/Nursing", R_(TYPE), true, "", 0, 0, 0},
    {"/v1/status/0/revocation", R_(STATUS), false, "", 0, LIBRO_STATUS_REVOCATION, 0},
    {"/v1/status/7/suspension", R_(STATUS), false, "", 7, LIBRO_STATUS_SUSPENSION, 0},
    {"/v1/status/4294967295/suspension", R_(STATUS), false, "", 4294967295u,
     LIBRO_STATUS_SUSPENSION, 0},
    {"/v1/status/4294967296/revocation", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status/99999999999999999999999/revocation", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status/00/revocation", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status/+1/revocation", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status//revocation", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status/0/", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status/0/message", R_(STATUS), false, "", 0, LIBRO_STATUS_MESSAGE, 0},
    {"/v1/status/0/messages", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status/0/Revocation", R_(STATUS), true, "", 0, 0, 0},
    {"/v1/status/0/revocation/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/status/0", R_(NONE), false, "", 0, 0, 0},
    {"/v1/status/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/status", R_(NONE), false, "", 0, 0, 0},
    {"/v1/status/0%2Frevocation", R_(NONE), false, "", 0, 0, 0},
    {"/v1/log/checkpoint", R_(CHECKPOINT), false, "", 0, 0, 0},
    {"/v1/log/checkpoint/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/log", R_(NONE), false, "", 0, 0, 0},
    {"/v1/log/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/log/inclusion/3/7", R_(INCLUSION), false, "", 3, 7, 0},
    {"/v1/log/inclusion", R_(NONE), false, "", 0, 0, 0},
    {"/v1/log/inclusion/", R_(INCLUSION), true, "", 0, 0, 0},
    {"/v1/log/inclusion/3", R_(INCLUSION), true, "", 0, 0, 0},
    {"/v1/log/inclusion/3/", R_(INCLUSION), true, "", 0, 0, 0},
    {"/v1/log/inclusion/3/7/", R_(INCLUSION), true, "", 0, 0, 0},
    {"/v1/log/inclusion/3/7/9", R_(INCLUSION), true, "", 0, 0, 0},
    {"/v1/log/inclusion//7", R_(INCLUSION), true, "", 0, 0, 0},
    {"/v1/log/consistency/0/12", R_(CONSISTENCY), false, "", 0, 12, 0},
    {"/v1/log/consistency/1/x", R_(CONSISTENCY), true, "", 0, 0, 0},
    {"/v1/log/leaves/5", R_(LEAF), false, "", 5, 0, 0},
    {"/v1/log/leaves/5/6", R_(LEAF), true, "", 0, 0, 0},
    {"/v1/log/leaves/05", R_(LEAF), true, "", 0, 0, 0},
    {"/v1/log/leaves/99999999999999999999999", R_(LEAF), true, "", 0, 0, 0},
    {"/v1/log/leaves", R_(LEAVES), false, "", 0, 0, 0},
    {"/v1/feed.atom", R_(FEED), false, "", 0, 0, 0},
    {"/v1/feed.atom/", R_(NONE), false, "", 0, 0, 0},
    {"/v1/feed", R_(NONE), false, "", 0, 0, 0},
    {"/v1/log/leafs/5", R_(NONE), false, "", 0, 0, 0},
};
#undef R_

START_TEST(test_router)
{
    libro_http__route_match m;

    libro_http__match(&m, routes[_i].path);
    ck_assert_msg(m.route == routes[_i].route && m.malformed == routes[_i].malformed,
                  "%s: route %d malformed %d, want %d %d", routes[_i].path, (int) m.route,
                  (int) m.malformed, (int) routes[_i].route, (int) routes[_i].malformed);
    if (m.malformed) {
        ck_assert_ptr_nonnull(m.usage);
        return;
    }
    ck_assert_msg(strcmp(m.number, routes[_i].number) == 0, "%s: number \"%s\"", routes[_i].path,
                  m.number);
    ck_assert_msg(m.op == routes[_i].op, "%s: op %d", routes[_i].path, (int) m.op);
    if (m.route == LIBRO_HTTP_ROUTE_STATUS) {
        ck_assert_uint_eq(m.list, routes[_i].a);
        ck_assert_int_eq(m.purpose, (int) routes[_i].b);
    } else {
        ck_assert_uint_eq(m.a, routes[_i].a);
        ck_assert_uint_eq(m.b, routes[_i].b);
    }
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("routes");
    TCase *hygiene = tcase_create("hygiene");
    TCase *limits = tcase_create("limits");
    TCase *rules_tc = tcase_create("rules");
    TCase *public_tc;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_health);
    tcase_add_test(tc, test_head);
    tcase_add_test(tc, test_status_list);
    tcase_add_test(tc, test_license_json);
    tcase_add_test(tc, test_license_html);
    tcase_add_loop_test(tc, test_not_ok, 0, (int) LIBRO_NELEM(not_ok));
    tcase_add_test(tc, test_method_not_allowed);
    tcase_add_test(tc, test_start_refusals);
    tcase_add_test(tc, test_restart_keeps_socket);
    suite_add_tcase(s, tc);
    public_tc = tcase_create("public");
    tcase_add_checked_fixture(public_tc, setup, teardown);
    tcase_add_test(public_tc, test_home);
    tcase_add_test(public_tc, test_license_page);
    tcase_add_test(public_tc, test_search);
    tcase_add_test(public_tc, test_search_bounds);
    tcase_add_test(public_tc, test_public_jwt);
    tcase_add_test(public_tc, test_renewed_early);
    tcase_add_test(public_tc, test_roundtable_page);
    tcase_add_test(public_tc, test_mandate_page);
    tcase_add_test(public_tc, test_html_errors);
    suite_add_tcase(s, public_tc);

    tcase_add_checked_fixture(hygiene, setup, teardown);
    tcase_add_loop_test(hygiene, test_smuggling, 0, (int) LIBRO_NELEM(smuggling));
    tcase_add_test(hygiene, test_http10_without_host);
    tcase_add_loop_test(hygiene, test_header_values, 0, (int) LIBRO_NELEM(wire));
    suite_add_tcase(s, hygiene);

    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_test(limits, test_body_cap);
    tcase_add_test(limits, test_per_ip_limit);
    tcase_add_loop_test(limits, test_timeout, 0, 2);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);

    tcase_add_loop_test(rules_tc, test_header_rules, 0, (int) LIBRO_NELEM(rules));
    tcase_add_test(rules_tc, test_loopback);
    tcase_add_loop_test(rules_tc, test_router, 0, (int) LIBRO_NELEM(routes));
    tcase_add_test(rules_tc, test_style_hash);
    suite_add_tcase(s, rules_tc);
    return s;
}
