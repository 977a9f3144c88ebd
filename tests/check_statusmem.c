/* The status lists and the bundle served from memory (registry/src/http/statusmem.c), by a
 * real libro_server on 127.0.0.1:<ephemeral>, in-process, fetched with libro_http_fetch: a
 * revocation over the signed API (libro_registry_client over HTTP) is in the very next GET; so
 * is one written by another handle on the same file (as `libro license revoke --db` is, which
 * the e2e test statusmem_test.sh runs as its own process); with nothing changed the ETag stays
 * and a conditional GET is 304; the bundle follows its lists; and readers and writers at once
 * (run it under ASan: every answer is 200 or 304 and verifies, and the lists end as the last
 * writes left them). Fixtures are checked: the server's threads do not survive check's fork. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../registry/src/http/http_int.h"
#include "libro/api.h"
#include "libro/http.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/registry.h"
#include "libro/registry_client.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define REGISTRY_ID COMMUNITY ":registry"
#define BOARD COMMUNITY ":health-board"
#define NURSING "nursing-general"
#define N_LICENSES 6
#define READERS 4
#define WRITERS 2
#define ROUNDS 6

static char dir[256];
static char db_path[512]; /* test_db_path: a file, or a PostgreSQL schema */
static libro_key *town_key;
static libro_key *board_key;
static libro_key *registry_key;
static char board_kid[300];
static libro_server *server;
static char base[64]; /* http://127.0.0.1:<port> */
static libro_registry_client *client;
static uint32_t idx[N_LICENSES]; /* the status index of T7-N-000<i+1>, all in list 0 */

static void
number_of(char out[16], int i)
{
    ck_assert_int_gt(snprintf(out, 16, "T7-N-%04d", i + 1), 0);
}

/* Issue license `i` over the API: reserve, sign with the board key at the slot, register. */
static void
issue(libro_registry_client *c, int i)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t now = libro_time_now();
    libro_credential *cred =
        new_cred(LIBRO_CRED_LICENSE, BOARD, NULL, "Ada Example", now - 60, now + 300 * DAY);
    char number[16];
    uint32_t list = 0;
    char *rev = NULL;
    char *sus = NULL;
    char *msg = NULL;
    char *jws;

    must(libro_registry_client_reserve(c, &list, &idx[i], &rev, &sus, &msg, &err), &err, "reserve");
    ck_assert_uint_eq(list, 0);
    number_of(number, i);
    cred->license_number = sdup(number);
    cred->profession = sdup("registered nurse");
    cred->license_type = sdup(NURSING);
    cred->scope = libro_calloc(1, sizeof *cred->scope);
    ck_assert_ptr_nonnull(cred->scope);
    cred->scope[0] = sdup("general care");
    cred->n_scope = 1;
    cred->community_id = sdup(COMMUNITY);
    cred->community_level = 2;
    cred->has_status = true;
    cred->status_index = idx[i];
    cred->status_revocation_list = rev;
    cred->status_suspension_list = sus;
    cred->status_message_list = msg;
    jws = sign(cred, board_key);
    libro_credential_free(cred);
    must(libro_registry_client_register(c, jws, list, idx[i], &err), &err, "register");
    libro_free(jws);
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    const char *tmp = getenv("TMPDIR");
    int64_t now = libro_time_now();
    libro_registry *r = NULL;
    libro_credential *c;
    char *charter_jws;
    char *auth_jws;
    char *board_auth_jws;

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-mem-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db_path, sizeof db_path, dir, "registry.db");
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&board_key, LIBRO_ALG_ED25519, &err), &err, "board key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");
    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", now - 30 * DAY,
                 now + 3000 * DAY);
    c->level = 2;
    c->subject_key = public_of(town_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(NURSING);
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

    must(libro_registry_create(db_path, charter_jws, auth_jws, &err), &err, "create");
    must(libro_registry_open(&r, db_path, &err), &err, "open");
    t.id = sdup(NURSING);
    must(libro_registry_define_type(r, NULL, &t, "council", &err), &err, "type");
    libro_free(t.id);
    must(libro_registry_authorize_issuer(r, NULL, board_auth_jws, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                         "clerk", now, &err),
         &err, "authorize");
    libro_registry_close(r);
    libro_free(board_auth_jws);
    libro_free(auth_jws);
    libro_free(charter_jws);

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.threads = 4;
    opt.write_rate = 10000;
    opt.write_burst = 10000;
    must(libro_server_start(&server, &opt, &err), &err, "server start");
    ck_assert_int_gt(
        snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned) libro_server_port(server)),
        0);
    must(libro_registry_client_open(&client, base, board_key, board_kid, NULL, NULL, &err), &err,
         "client");
    for (int i = 0; i < N_LICENSES; i++) {
        issue(client, i);
    }
}

static void
teardown(void)
{
    libro_registry_client_close(client);
    client = NULL;
    libro_server_stop(server);
    server = NULL;
    test_db_remove(db_path);
    libro_test_rm_rf(dir);
    libro_key_free(registry_key);
    libro_key_free(board_key);
    libro_key_free(town_key);
    registry_key = board_key = town_key = NULL;
}

/* GET `path` of the server, conditional on `inm` (NULL: none). */
static void
fetch(libro_http_response *out, const char *path, const char *inm)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    char url[160];

    ck_assert_int_gt(snprintf(url, sizeof url, "%s%s", base, path), 0);
    req.method = "GET";
    req.url = url;
    req.if_none_match = inm;
    req.max_response_bytes = LIBRO_MAX_BUNDLE_TOKEN_BYTES;
    libro_http_response_clear(out);
    must(libro_http_fetch(out, &req, &err), &err, path);
}

/* The status list in a 200 answer, its signature checked with the registry key. */
static void
served_list(libro_status_list *out, const libro_http_response *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_key *pub = public_of(registry_key);

    ck_assert_int_eq(r->status, 200);
    must(libro_jws_verify_compact(&payload, (const char *) r->body.data, r->body.len, pub, "vc+jwt",
                                  &err),
         &err, "status list verifies");
    must(libro_status_list_parse(out, payload.data, payload.len, &err), &err, "list parses");
    libro_buf_free(&payload);
    libro_key_free(pub);
}

/* Whether status `i`'s bit is set in the 200 answer `r`. */
static bool
bit_of(const libro_http_response *r, int i)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_status_list s = {0};
    bool set = false;

    served_list(&s, r);
    must(libro_status_list_check(&set, &s, idx[i], &err), &err, "check");
    libro_status_list_free(&s);
    return set;
}

static void
change(libro_registry_client *c, int i, libro_action action)
{
    libro_error err = LIBRO_ERROR_INIT;
    char number[16];

    number_of(number, i);
    must(libro_registry_client_change(c, number, action, "a test", &err), &err, "change");
}

/* A revocation over the API is in the next GET: no wait, no retry. */
START_TEST(test_api_write_next_get)
{
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    char *etag;

    fetch(&r, "/v1/status/0/revocation", NULL);
    ck_assert(!bit_of(&r, 2));
    etag = sdup(r.etag);
    change(client, 2, LIBRO_ACTION_REVOKE);
    fetch(&r, "/v1/status/0/revocation", etag);
    ck_assert(bit_of(&r, 2));
    ck_assert_str_ne(r.etag, etag);
    libro_free(etag);

    fetch(&r, "/v1/status/0/suspension", NULL);
    ck_assert(!bit_of(&r, 3));
    change(client, 3, LIBRO_ACTION_SUSPEND);
    fetch(&r, "/v1/status/0/suspension", NULL);
    ck_assert(bit_of(&r, 3));
    change(client, 3, LIBRO_ACTION_REINSTATE);
    fetch(&r, "/v1/status/0/suspension", NULL);
    ck_assert(!bit_of(&r, 3));
    libro_http_response_clear(&r);
}
END_TEST

/* Another handle on the database file (not the server's) revokes: the next GET has it. */
START_TEST(test_other_writer_next_get)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_registry *other = NULL;
    char number[16];

    fetch(&r, "/v1/status/0/revocation", NULL);
    ck_assert(!bit_of(&r, 4));
    must(libro_registry_open(&other, db_path, &err), &err, "open another handle");
    number_of(number, 4);
    must(libro_registry_change(other, NULL, number, LIBRO_ACTION_REVOKE, "registrar", "outside",
                               libro_time_now(), &err),
         &err, "revoke outside the server");
    libro_registry_close(other);
    fetch(&r, "/v1/status/0/revocation", NULL);
    ck_assert(bit_of(&r, 4));
    libro_http_response_clear(&r);
}
END_TEST

/* Nothing changed: the same ETag, 304 for it; the bundle likewise. A write changes both. */
START_TEST(test_etag_stable)
{
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    char *list_etag;
    char *bundle_etag;

    fetch(&r, "/v1/status/0/message", NULL);
    ck_assert_int_eq(r.status, 200);
    list_etag = sdup(r.etag);
    for (int i = 0; i < 5; i++) {
        fetch(&r, "/v1/status/0/message", NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(r.etag, list_etag);
        fetch(&r, "/v1/status/0/message", list_etag);
        ck_assert_int_eq(r.status, 304);
        ck_assert_uint_eq(r.body.len, 0);
    }
    fetch(&r, "/v1/bundle", NULL);
    ck_assert_int_eq(r.status, 200);
    bundle_etag = sdup(r.etag);
    fetch(&r, "/v1/bundle", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.etag, bundle_etag);
    fetch(&r, "/v1/bundle", bundle_etag);
    ck_assert_int_eq(r.status, 304);

    change(client, 1, LIBRO_ACTION_SURRENDER);
    fetch(&r, "/v1/status/0/message", list_etag);
    ck_assert_int_eq(r.status, 200);
    fetch(&r, "/v1/bundle", bundle_etag);
    ck_assert_int_eq(r.status, 200);
    libro_http_response_clear(&r);
    libro_free(bundle_etag);
    libro_free(list_etag);
}
END_TEST

/* The bundle carries the lists as they are now: the revocation list in it has the bit. */
START_TEST(test_bundle_follows)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_response list = LIBRO_HTTP_RESPONSE_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_key *pub = public_of(registry_key);
    json_t *root;
    const char *first;

    fetch(&r, "/v1/bundle", NULL); /* gathered once before the change */
    change(client, 0, LIBRO_ACTION_REVOKE);
    fetch(&r, "/v1/bundle", NULL);
    ck_assert_int_eq(r.status, 200);
    must(libro_jws_verify_compact(&payload, (const char *) r.body.data, r.body.len, pub,
                                  LIBRO_BUNDLE_TYP, &err),
         &err, "bundle verifies");
    root = json_loadb((const char *) payload.data, payload.len, JSON_REJECT_DUPLICATES, NULL);
    ck_assert_ptr_nonnull(root);
    first = json_string_value(json_array_get(json_object_get(root, "statusLists"), 0));
    ck_assert_ptr_nonnull(first);
    /* The bundle's first list is the revocation list of list 0, as GET serves it. */
    fetch(&list, "/v1/status/0/revocation", NULL);
    ck_assert_uint_eq(list.body.len, strlen(first));
    ck_assert_mem_eq(list.body.data, first, list.body.len);
    ck_assert(bit_of(&list, 0));
    json_decref(root);
    libro_buf_free(&payload);
    libro_key_free(pub);
    libro_http_response_clear(&list);
    libro_http_response_clear(&r);
}
END_TEST

/* The list of `ctx` in memory for revocation list 0. */
static libro_http_mlist *
mem_revocation(libro_http_ctx *ctx)
{
    ck_assert_uint_ge(ctx->mem.n_lists[LIBRO_SPACE_LICENSES], 3);
    return &ctx->mem.lists[LIBRO_SPACE_LICENSES][LIBRO_STATUS_REVOCATION - 1];
}

static void
revoke_with(libro_registry *r, int i)
{
    libro_error err = LIBRO_ERROR_INIT;
    char number[16];

    number_of(number, i);
    must(libro_registry_change(r, NULL, number, LIBRO_ACTION_REVOKE, "registrar", "a test",
                               libro_time_now(), &err),
         &err, "revoke");
}

/* The observer, seen from inside: a handle that memory observes applies its change to the
 * list in memory (no reload: the list is not stale, its bit is set, its version the
 * database's); a change that skips a version (another handle's first) marks the list stale,
 * and the next read loads it again from the database with both. */
START_TEST(test_observer_applies)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_http_ctx ctx;
    libro_registry *observed = NULL;
    libro_registry *other = NULL;
    libro_http_mlist *l;
    libro_buf body = LIBRO_BUF_INIT;
    char etag[LIBRO_HTTP_ETAG_MAX];
    bool not_modified = false;
    uint64_t v0;

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.base_url = base;
    opt.threads = 1;
    must(libro_http__ctx_init(&ctx, &opt, &err), &err, "ctx");
    must(libro_http__current_list(&ctx, false, 0, LIBRO_STATUS_REVOCATION, NULL, &body, etag,
                                  &not_modified, &err),
         &err, "first read");
    l = mem_revocation(&ctx);
    ck_assert(l->loaded && !l->stale && !l->dirty);
    v0 = l->version;
    must(libro_registry_open(&observed, db_path, &err), &err, "observed handle");
    libro_http__observe(&ctx, observed);
    revoke_with(observed, 5);
    l = mem_revocation(&ctx);
    ck_assert(l->loaded && !l->stale && l->dirty);
    ck_assert_uint_eq(l->version, v0 + 1);
    ck_assert(libro_bitstring_get(&l->bits, idx[5]));

    must(libro_registry_open(&other, db_path, &err), &err, "unobserved handle");
    revoke_with(other, 4);    /* v0 + 2, not told */
    revoke_with(observed, 3); /* v0 + 3: one was skipped */
    l = mem_revocation(&ctx);
    ck_assert(l->stale);
    ck_assert(!libro_bitstring_get(&l->bits, idx[3]));
    must(libro_http__current_list(&ctx, false, 0, LIBRO_STATUS_REVOCATION, NULL, &body, etag,
                                  &not_modified, &err),
         &err, "read after");
    l = mem_revocation(&ctx);
    ck_assert(l->loaded && !l->stale && !l->dirty);
    ck_assert_uint_eq(l->version, v0 + 3);
    ck_assert(libro_bitstring_get(&l->bits, idx[3]));
    ck_assert(libro_bitstring_get(&l->bits, idx[4]));
    ck_assert(libro_bitstring_get(&l->bits, idx[5]));
    libro_registry_close(other);
    libro_registry_close(observed);
    libro_buf_free(&body);
    libro_http__ctx_clear(&ctx);
}
END_TEST

/* A database put back to an older copy while the server runs (its lists at older versions):
 * memory follows it rather than refusing to serve. */
START_TEST(test_database_put_back)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_http_ctx ctx;
    libro_registry *observed = NULL;
    libro_http_mlist *l;
    libro_buf body = LIBRO_BUF_INIT;
    char etag[LIBRO_HTTP_ETAG_MAX];
    char sql[200];
    bool not_modified = false;
    uint64_t v;

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.base_url = base;
    opt.threads = 1;
    must(libro_http__ctx_init(&ctx, &opt, &err), &err, "ctx");
    must(libro_http__current_list(&ctx, false, 0, LIBRO_STATUS_REVOCATION, NULL, &body, etag,
                                  &not_modified, &err),
         &err, "first read");
    must(libro_registry_open(&observed, db_path, &err), &err, "observed handle");
    libro_http__observe(&ctx, observed);
    revoke_with(observed, 0);
    revoke_with(observed, 1);
    v = mem_revocation(&ctx)->version;
    ck_assert(libro_bitstring_get(&mem_revocation(&ctx)->bits, idx[1]));
    /* The copy from before the second revocation. */
    /* On PostgreSQL a change is seen by the NOTIFY libro's writers send (the restore sends it
     * here as they do); SQLite's data_version sees any other connection's write. */
    ck_assert_int_gt(snprintf(sql, sizeof sql,
                              "DELETE FROM status_bit WHERE list = 0 AND purpose = 1 AND idx = %u;"
                              "UPDATE status_version SET version = version - 1"
                              " WHERE space = 0 AND list = 0 AND purpose = 1;%s",
                              (unsigned) idx[1], test_db_is_pg() ? "NOTIFY libro_change;" : ""),
                     0);
    test_db_sql(db_path, sql);
    must(libro_http__mem_sync(&ctx, &err), &err, "sync");
    ck_assert(mem_revocation(&ctx)->stale);
    must(libro_http__current_list(&ctx, false, 0, LIBRO_STATUS_REVOCATION, NULL, &body, etag,
                                  &not_modified, &err),
         &err, "read after the copy was put back");
    l = mem_revocation(&ctx);
    ck_assert(l->loaded && !l->stale);
    ck_assert_uint_eq(l->version, v - 1);
    ck_assert(libro_bitstring_get(&l->bits, idx[0]));
    ck_assert(!libro_bitstring_get(&l->bits, idx[1]));
    libro_registry_close(observed);
    libro_buf_free(&body);
    libro_http__ctx_clear(&ctx);
}
END_TEST

/* ---- readers and writers at once -------------------------------------------------------- */

typedef struct reader_arg {
    int bad; /* answers that were not 200 or 304, or did not verify */
    int answers;
} reader_arg;

static volatile int writers_done;

static void *
reader(void *p)
{
    reader_arg *a = p;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *pub = public_of(registry_key);
    char url[160];
    char *etag = NULL;
    static const char *const paths[] = {"/v1/status/0/revocation", "/v1/status/0/suspension",
                                        "/v1/bundle"};

    for (int n = 0; !__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE) || n < 6; n++) {
        libro_buf payload = LIBRO_BUF_INIT;
        const char *path = paths[n % 3];

        if (snprintf(url, sizeof url, "%s%s", base, path) <= 0) {
            a->bad++;
            break;
        }
        req.method = "GET";
        req.url = url;
        req.if_none_match = n % 3 == 0 ? etag : NULL;
        req.max_response_bytes = LIBRO_MAX_BUNDLE_TOKEN_BYTES;
        libro_http_response_clear(&r);
        a->answers++;
        if (libro_http_fetch(&r, &req, &err) != LIBRO_OK || (r.status != 200 && r.status != 304)) {
            a->bad++;
            continue;
        }
        if (r.status == 200 &&
            libro_jws_verify_compact(&payload, (const char *) r.body.data, r.body.len, pub,
                                     n % 3 == 2 ? LIBRO_BUNDLE_TYP : "vc+jwt", &err) != LIBRO_OK) {
            a->bad++;
        }
        if (n % 3 == 0 && r.status == 200 && r.etag != NULL) {
            libro_free(etag);
            etag = libro_strndup(r.etag, strlen(r.etag));
        }
        libro_buf_free(&payload);
    }
    libro_free(etag);
    libro_key_free(pub);
    libro_http_response_clear(&r);
    return NULL;
}

typedef struct writer_arg {
    int first; /* the licenses first, first + WRITERS, ... are this writer's */
    int failed;
} writer_arg;

/* Suspend and reinstate this writer's licenses ROUNDS times, ending suspended. */
static void *
writer(void *p)
{
    writer_arg *a = p;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *c = NULL;
    char number[16];

    if (libro_registry_client_open(&c, base, board_key, board_kid, NULL, NULL, &err) != LIBRO_OK) {
        a->failed++;
        return NULL;
    }
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = a->first; i < N_LICENSES; i += WRITERS) {
            libro_action action = round % 2 == 0 ? LIBRO_ACTION_SUSPEND : LIBRO_ACTION_REINSTATE;

            if (snprintf(number, sizeof number, "T7-N-%04d", i + 1) <= 0 ||
                libro_registry_client_change(c, number, action, "a test", &err) != LIBRO_OK) {
                a->failed++;
            }
        }
    }
    for (int i = a->first; i < N_LICENSES; i += WRITERS) {
        if (snprintf(number, sizeof number, "T7-N-%04d", i + 1) <= 0 ||
            libro_registry_client_change(c, number, LIBRO_ACTION_SUSPEND, "last", &err) !=
                LIBRO_OK) {
            a->failed++;
        }
    }
    libro_registry_client_close(c);
    return NULL;
}

START_TEST(test_readers_and_writers)
{
    pthread_t readers[READERS];
    pthread_t writers[WRITERS];
    reader_arg ra[READERS];
    writer_arg wa[WRITERS];
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;

    writers_done = 0;
    memset(ra, 0, sizeof ra);
    for (int i = 0; i < READERS; i++) {
        ck_assert_int_eq(pthread_create(&readers[i], NULL, reader, &ra[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        wa[i].first = i;
        wa[i].failed = 0;
        ck_assert_int_eq(pthread_create(&writers[i], NULL, writer, &wa[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        ck_assert_int_eq(pthread_join(writers[i], NULL), 0);
        ck_assert_int_eq(wa[i].failed, 0);
    }
    __atomic_store_n(&writers_done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < READERS; i++) {
        ck_assert_int_eq(pthread_join(readers[i], NULL), 0);
        ck_assert_msg(ra[i].bad == 0, "reader %d: %d of %d answers bad", i, ra[i].bad,
                      ra[i].answers);
    }
    /* Every license ended suspended, and the list says so at once. */
    fetch(&r, "/v1/status/0/suspension", NULL);
    for (int i = 0; i < N_LICENSES; i++) {
        ck_assert_msg(bit_of(&r, i), "license %d not suspended in the list", i);
    }
    libro_http_response_clear(&r);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("statusmem");
    TCase *tc = tcase_create("memory");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_api_write_next_get);
    tcase_add_test(tc, test_other_writer_next_get);
    tcase_add_test(tc, test_etag_stable);
    tcase_add_test(tc, test_bundle_follows);
    tcase_add_test(tc, test_observer_applies);
    tcase_add_test(tc, test_database_put_back);
    tcase_add_test(tc, test_readers_and_writers);
    suite_add_tcase(s, tc);
    return s;
}
