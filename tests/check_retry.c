/* Running writes again after LIBRO_ERR_CONFLICT (design issue 11 §3), against the errors a real
 * PostgreSQL server raises: a trigger on a table a write touches raises serialization_failure
 * (40001) or deadlock_detected (40P01) for the inserts numbered lo..hi (counted by a sequence,
 * which a rollback does not undo), immediately or as a deferred constraint trigger at COMMIT.
 * A single write succeeds after fewer than 8 refusals and is held once (its request id too);
 * 8 refusals fail it with CONFLICT and leave nothing. The write queue runs a group of several
 * jobs again whole (each job's effect once), an issuer's local group and a batch's group of
 * lines likewise; over HTTP (a real server on port 0) a write that always conflicts answers
 * 503 conflict with Retry-After: 1, and after its database connections are killed a write
 * answers 503 unavailable or succeeds (and is then in the database), and the next succeeds.
 * The retry helper's bound and back-off are backend-neutral: checked on both backends with a
 * function returning CONFLICT N times. Each case has a fresh registry (a fresh schema). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "../registry/src/writer.h"
#include "libro/api.h"
#include "libro/http.h"
#include "libro/issuer.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/retry_int.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define BOARD "urn:libro:town-7:board"
#define NURSING "nursing-general"
#define BASE "https://registry.town-7.example/v1/status"
#define JOBS 5

static char dir[256];
static char *loc; /* the registry's location (a file, or a URI on a fresh schema) */
static int64_t now;
static libro_key *town_key;
static libro_key *board_key;
static libro_key *registry_key;
static char board_kid[300];
static char *charter_jws;
static char *auth_jws;
static char *reg_auth_jws;
static libro_registry *reg; /* the test's own handle */
static libro_issuer *issuer;
static libro_registry_client *client; /* in-process, on `loc` */
static libro_server *server;
static char server_url[64];

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    libro_credential *c;
    char type_id[] = NURSING;
    libro_license_type t = {type_id, 365, 365, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};

    now = libro_time_now();
    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-retry-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    loc = test_db_new(dir, "registry.db");
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&board_key, LIBRO_ALG_ED25519, &err), &err, "board key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");
    kid_of(board_kid, BOARD, board_key);

    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town", now - 10 * DAY,
                 now + 3650 * DAY);
    c->level = 2;
    c->subject_key = public_of(town_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(NURSING);
    c->n_allowed = 1;
    charter_jws = sign(c, town_key);
    libro_credential_free(c);

    c = new_cred(LIBRO_CRED_ISSUER_AUTH, COMMUNITY, BOARD, "Health Board", now - 10 * DAY,
                 now + 3000 * DAY);
    c->subject_key = public_of(board_key);
    c->grants = libro_calloc(1, sizeof *c->grants);
    ck_assert_ptr_nonnull(c->grants);
    c->grants[0].id = sdup(NURSING);
    c->grants[0].validity_days = 365;
    c->n_grants = 1;
    auth_jws = sign(c, town_key);
    libro_credential_free(c);

    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry", "Registry",
                 now - 10 * DAY, now + 3000 * DAY);
    c->subject_key = public_of(registry_key);
    reg_auth_jws = sign(c, town_key);
    libro_credential_free(c);

    must(libro_registry_create(loc, charter_jws, reg_auth_jws, &err), &err, "create");
    must(libro_registry_open(&reg, loc, &err), &err, "open");
    must(libro_registry_define_type(reg, NULL, &t, "council", &err), &err, "define type");
    must(libro_registry_authorize_issuer(reg, NULL, auth_jws, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                         "council", now, &err),
         &err, "authorize");
    must(libro_issuer_open(&issuer, board_key, auth_jws, strlen(auth_jws), charter_jws,
                           strlen(charter_jws), &err),
         &err, "open issuer");
    must(libro_issuer_registry_open(&client, issuer, loc, NULL, &err), &err, "client");
}

static void
teardown(void)
{
    libro_server_stop(server);
    server = NULL;
    libro_registry_client_close(client);
    client = NULL;
    libro_issuer_free(issuer);
    issuer = NULL;
    libro_registry_close(reg);
    reg = NULL;
    test_db_remove(loc);
    free(loc);
    loc = NULL;
    libro_test_rm_rf(dir);
    libro_free(reg_auth_jws);
    libro_free(auth_jws);
    libro_free(charter_jws);
    reg_auth_jws = auth_jws = charter_jws = NULL;
    libro_key_free(registry_key);
    libro_key_free(board_key);
    libro_key_free(town_key);
    registry_key = board_key = town_key = NULL;
}

/* ---- the server's refusals ------------------------------------------------------------------ */

/* From now on each insert into `table` is counted (retry_seen) and those numbered lo..hi are
 * refused with SQLSTATE `errcode` (a condition name), at the insert or, `deferred`, at COMMIT. */
static void
refuse(const char *table, const char *errcode, int lo, int hi, bool deferred)
{
    char sql[1024];

    ck_assert_int_gt(
        snprintf(sql, sizeof sql,
                 "CREATE SEQUENCE retry_seen;"
                 "CREATE FUNCTION retry_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
                 " DECLARE n int8 := nextval('retry_seen');"
                 " BEGIN IF n BETWEEN %d AND %d THEN"
                 " RAISE EXCEPTION 'refused by the retry test (%%)', n USING ERRCODE = '%s';"
                 " END IF; RETURN NULL; END $$;"
                 "CREATE %s TRIGGER retry_refuse AFTER INSERT ON %s %s"
                 " FOR EACH ROW EXECUTE FUNCTION retry_refuse();",
                 lo, hi, errcode, deferred ? "CONSTRAINT" : "", table,
                 deferred ? "DEFERRABLE INITIALLY DEFERRED" : ""),
        0);
    test_db_sql(loc, sql);
}

static void
stop_refusing(const char *table)
{
    char sql[200];

    ck_assert_int_gt(snprintf(sql, sizeof sql,
                              "DROP TRIGGER retry_refuse ON %s; DROP FUNCTION retry_refuse();"
                              "DROP SEQUENCE retry_seen;",
                              table),
                     0);
    test_db_sql(loc, sql);
}

/* How many inserts the trigger saw (attempts that reached it). */
static int64_t
seen(void)
{
    return test_db_int(loc, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
                            " FROM retry_seen");
}

static int64_t
count(const char *sql)
{
    return test_db_int(loc, sql);
}

/* ---- single writes -------------------------------------------------------------------------- */

static const struct {
    const char *errcode;
    const char *sqlstate;
    bool deferred;
    int refusals;
    libro_code want;
} single[] = {
    {"serialization_failure", "40001", false, 1, LIBRO_OK},
    {"serialization_failure", "40001", false, 7, LIBRO_OK},
    {"serialization_failure", "40001", false, 8, LIBRO_ERR_CONFLICT},
    {"serialization_failure", "40001", false, 20, LIBRO_ERR_CONFLICT},
    {"deadlock_detected", "40P01", false, 7, LIBRO_OK},
    {"deadlock_detected", "40P01", false, 8, LIBRO_ERR_CONFLICT},
    {"serialization_failure", "40001", true, 3, LIBRO_OK},
    {"serialization_failure", "40001", true, 8, LIBRO_ERR_CONFLICT},
    {"deadlock_detected", "40P01", true, 8, LIBRO_ERR_CONFLICT},
};

/* A license type defined under a request id while the server refuses its transaction the
 * first N times: held once with its log leaf and its request id, or (N >= 8) not at all. */
START_TEST(test_single_write)
{
    libro_error err = LIBRO_ERROR_INIT;
    char type_id[] = "retry-type";
    libro_license_type t = {type_id, 30, 30, 0, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_request_id req = {"retry-request-0001", board_kid, 0};
    int64_t leaves = count("SELECT count(*) FROM log_leaf");
    bool ok = single[_i].want == LIBRO_OK;
    int refusals = single[_i].refusals < 8 ? single[_i].refusals : 8;
    char want[64];

    req.iat = now;
    refuse("license_type", single[_i].errcode, 1, single[_i].refusals, single[_i].deferred);
    ck_assert_int_gt(snprintf(want, sizeof want, "SQLSTATE %s", single[_i].sqlstate), 0);
    LIBRO_ASSERT_CODE(libro_registry_define_type(reg, &req, &t, "council", &err), single[_i].want,
                      &err, ok ? NULL : want);
    if (!ok) {
        ck_assert_msg(strncmp(err.msg, "after 8 attempts: ", 18) == 0, "%s", err.msg);
    }
    ck_assert_int_eq(seen(), refusals + (ok ? 1 : 0));
    ck_assert_int_eq(count("SELECT count(*) FROM license_type WHERE id = 'retry-type'"), ok);
    ck_assert_int_eq(count("SELECT count(*) FROM log_leaf"), leaves + ok);
    ck_assert_int_eq(count("SELECT count(*) FROM request_id WHERE jti = 'retry-request-0001'"), ok);
    ck_assert_int_eq(count("SELECT size FROM libro_sequencer"), leaves + ok);
    stop_refusing("license_type");
    /* Nothing of the failures is left in the way. */
    must(libro_registry_define_type(reg, NULL, &t, "council", &err), &err, "define again");
}
END_TEST

/* ---- the write queue ------------------------------------------------------------------------ */

typedef struct job_ctx {
    libro_registry_writer *w;
    char id[32];
    libro_code rc;
    libro_error err;
    bool hold; /* the gate: runs until `waiting` jobs are queued behind it */
    size_t waiting;
    atomic_bool running; /* the gate runs (alone in its group) */
} job_ctx;

static libro_code
job_define(libro_registry *r, void *arg, libro_error *err)
{
    job_ctx *j = arg;
    libro_license_type t = {NULL, 30, 30, 0, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};

    if (j->hold) {
        atomic_store(&j->running, true);
        /* The other jobs must all be queued before the gate's group ends, so that they share
         * the next group: wait for the queue to hold them (bounded). */
        for (long spin = 0; spin < 20000000L; spin++) {
            uint64_t groups = 0;
            uint64_t jobs = 0;
            uint64_t queued = 0;

            libro_registry_writer_counts(j->w, &groups, &jobs, &queued);
            if (queued >= j->waiting) {
                return LIBRO_OK;
            }
            (void) sched_yield();
        }
        return libro_error_set(err, LIBRO_ERR_IO, "the jobs were never queued");
    }
    t.id = j->id;
    return libro_registry_define_type(r, NULL, &t, "council", err);
}

static void *
submit_thread(void *arg)
{
    job_ctx *j = arg;

    j->err = (libro_error) LIBRO_ERROR_INIT;
    j->rc = libro_registry_writer_submit(j->w, job_define, j, &j->err);
    return NULL;
}

/* JOBS jobs queued behind a gate run as one group; the server refuses inserts lo..hi of the
 * type table. Returns the writer's group count. */
static uint64_t
run_queue(job_ctx jobs[JOBS], int lo, int hi)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_writer *w = NULL;
    job_ctx gate;
    pthread_t gate_thread;
    pthread_t t[JOBS];
    uint64_t groups = 0;
    uint64_t done = 0;
    uint64_t queued = 0;

    must(libro_registry_writer_open(&w, loc, NULL, NULL, &err), &err, "writer");
    refuse("license_type", "serialization_failure", lo, hi, false);
    memset(&gate, 0, sizeof gate);
    gate.w = w;
    gate.hold = true;
    gate.waiting = JOBS;
    atomic_init(&gate.running, false);
    ck_assert_int_eq(pthread_create(&gate_thread, NULL, submit_thread, &gate), 0);
    /* The jobs are queued once the gate runs: they cannot join its group. */
    for (long spin = 0; spin < 20000000L && !atomic_load(&gate.running); spin++) {
        (void) sched_yield();
    }
    ck_assert(atomic_load(&gate.running));
    for (int i = 0; i < JOBS; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].w = w;
        ck_assert_int_gt(snprintf(jobs[i].id, sizeof jobs[i].id, "queued-type-%d", i), 0);
        ck_assert_int_eq(pthread_create(&t[i], NULL, submit_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < JOBS; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    }
    ck_assert_int_eq(pthread_join(gate_thread, NULL), 0);
    must(gate.rc, &gate.err, "gate");
    libro_registry_writer_counts(w, &groups, &done, &queued);
    libro_registry_writer_close(w);
    ck_assert_uint_eq(done, JOBS + 1);
    return groups;
}

/* The second job of the group meets a serialization failure: the whole group (the first job's
 * write included) is rolled back and all its jobs run again; each type is held once. */
START_TEST(test_queue_group_run_again)
{
    job_ctx jobs[JOBS];
    int64_t leaves = count("SELECT count(*) FROM log_leaf");
    uint64_t groups = run_queue(jobs, 2, 2);

    ck_assert_uint_eq(groups, 2); /* the gate's, and the jobs' (settled once) */
    for (int i = 0; i < JOBS; i++) {
        char sql[128];

        must(jobs[i].rc, &jobs[i].err, jobs[i].id);
        ck_assert_int_gt(snprintf(sql, sizeof sql,
                                  "SELECT count(*) FROM license_type WHERE id = '%s'", jobs[i].id),
                         0);
        ck_assert_int_eq(count(sql), 1);
    }
    /* One insert, the refused one, then all JOBS again. */
    ck_assert_int_eq(seen(), 2 + JOBS);
    ck_assert_int_eq(count("SELECT count(*) FROM log_leaf"), leaves + JOBS);
}
END_TEST

/* A group that conflicts every time: each job fails with CONFLICT, nothing is held. */
START_TEST(test_queue_group_gives_up)
{
    job_ctx jobs[JOBS];
    int64_t leaves = count("SELECT count(*) FROM log_leaf");

    (void) run_queue(jobs, 1, 1000);
    for (int i = 0; i < JOBS; i++) {
        LIBRO_ASSERT_CODE(jobs[i].rc, LIBRO_ERR_CONFLICT, &jobs[i].err, "after 8 attempts: ");
    }
    ck_assert_int_eq(seen(), 8); /* the first job of each of the 8 attempts */
    ck_assert_int_eq(count("SELECT count(*) FROM license_type WHERE id LIKE 'queued-type-%'"), 0);
    ck_assert_int_eq(count("SELECT count(*) FROM log_leaf"), leaves);
}
END_TEST

/* ---- an issuer's local groups --------------------------------------------------------------- */

static libro_license_options
license_opts(const char *number)
{
    static const char *const scope[] = {"general care"};
    libro_license_options opt = LIBRO_LICENSE_OPTIONS_INIT;

    opt.holder = "Ada Example";
    opt.number = number;
    opt.profession = "registered nurse";
    opt.license_type = NURSING;
    opt.scope = scope;
    opt.n_scope = 1;
    opt.status_url_base = BASE;
    return opt;
}

/* The reservation, the signing and the registration share a group: a registration refused
 * twice runs the whole group again (a new reservation each time, the refused ones rolled
 * back); refused every time, nothing is kept. */
START_TEST(test_issue_group_run_again)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0100");

    refuse("license", "serialization_failure", 1, 2, false);
    must(libro_issuer_issue_license(&res, issuer, client, &opt, &err), &err, "issue");
    ck_assert(res.registered);
    ck_assert_int_eq(seen(), 3);
    ck_assert_int_eq(count("SELECT count(*) FROM license WHERE number = 'T7-N-0100'"), 1);
    ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), 1);
    ck_assert_int_eq(res.license->status_index, res.status_index);
    libro_issued_clear(&res);
    stop_refusing("license");

    refuse("license", "deadlock_detected", 1, 1000, false);
    opt = license_opts("T7-N-0101");
    LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, issuer, client, &opt, &err),
                      LIBRO_ERR_CONFLICT, &err, "after 8 attempts: ");
    ck_assert(!res.registered);
    ck_assert_int_eq(seen(), 8);
    ck_assert_int_eq(count("SELECT count(*) FROM license WHERE number = 'T7-N-0101'"), 0);
    ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), 1);
    libro_issued_clear(&res);
}
END_TEST

typedef struct batch_seen {
    size_t issued;
    size_t failed;
    libro_code last;
} batch_seen;

static libro_code
batch_line(void *ctx, const libro_batch_line *l, libro_error *err)
{
    batch_seen *s = ctx;

    (void) err;
    s->issued += l->code == LIBRO_OK;
    s->failed += l->code != LIBRO_OK;
    s->last = l->code;
    return LIBRO_OK;
}

/* A batch's group of lines whose third license meets a serialization failure is run again
 * whole: every line issued once. */
START_TEST(test_batch_group_run_again)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_batch_options opt = LIBRO_BATCH_OPTIONS_INIT;
    libro_batch_report report;
    batch_seen s = {0, 0, LIBRO_OK};
    char path[320];
    FILE *f;

    ck_assert_int_gt(snprintf(path, sizeof path, "%s/batch.csv", dir), 0);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_gt(fprintf(f, "holder,number,profession,type,scope\n"
                                "Ada One,T7-N-0201,nurse," NURSING ",care\n"
                                "Ada Two,T7-N-0202,nurse," NURSING ",care\n"
                                "\n"
                                "Ada Three,T7-N-0203,nurse," NURSING ",care\n"
                                "Ada Four,T7-N-0204,nurse," NURSING ",care\n"),
                     0);
    ck_assert_int_eq(fclose(f), 0);
    opt.status_url_base = BASE;
    opt.group = 3;
    refuse("license", "serialization_failure", 3, 3, false);
    must(libro_issuer_issue_batch(&report, issuer, client, path, &opt, batch_line, &s, &err), &err,
         "batch");
    ck_assert_uint_eq(report.total, 4);
    ck_assert_uint_eq(report.issued, 4);
    ck_assert_uint_eq(s.issued, 4);
    ck_assert_uint_eq(s.failed, 0);
    /* Two inserts, the refused third, the group's three again, the last line's. */
    ck_assert_int_eq(seen(), 3 + 3 + 1);
    ck_assert_int_eq(count("SELECT count(*) FROM license WHERE number LIKE 'T7-N-020%'"), 4);
    ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), 4);
}
END_TEST

/* ---- HTTP ----------------------------------------------------------------------------------- */

static void
log_line(void *ctx, const char *line)
{
    (void) ctx;
    fprintf(stderr, "server: %s\n", line);
}

/* A server on `location` at an ephemeral port; server_url names it (the audience of its
 * requests, so it is started again on the port it got). */
static void
serve(const char *location)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    uint16_t port;

    opt.db_path = location;
    opt.log = log_line;
    opt.registry_key = registry_key;
    opt.base_url = "http://127.0.0.1";
    must(libro_server_start(&server, &opt, &err), &err, "serve");
    port = libro_server_port(server);
    libro_server_stop(server);
    server = NULL;
    ck_assert_int_gt(
        snprintf(server_url, sizeof server_url, "http://127.0.0.1:%u", (unsigned) port), 0);
    opt.base_url = server_url;
    opt.port = port;
    must(libro_server_start(&server, &opt, &err), &err, "serve again");
}

/* POST a signed reserve request to the server: its answer. */
static void
post_reserve(libro_http_response *resp)
{
    static unsigned n;
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    char jti[40];
    char url[128];
    json_t *c;

    ck_assert_int_gt(snprintf(jti, sizeof jti, "retry-http-%u-%08u", (unsigned) getpid(), ++n), 0);
    c = json_pack("{s:s, s:I, s:s, s:s}", "aud", server_url, "iat", (json_int_t) libro_time_now(),
                  "jti", jti, "op", "reserve");
    ck_assert_ptr_nonnull(c);
    must(libro_json__dump(&payload, c, &err), &err, "claims");
    json_decref(c);
    must(libro_jws_sign_compact_ex(&token, board_key, board_kid, LIBRO_REQUEST_TYP,
                                   (const char *) payload.data, payload.len,
                                   LIBRO_MAX_HTTP_BODY_BYTES, LIBRO_MAX_REQUEST_CLAIMS_BYTES, &err),
         &err, "sign");
    ck_assert_int_gt(snprintf(url, sizeof url, "%s/v1/reservations", server_url), 0);
    req.method = "POST";
    req.url = url;
    req.content_type = LIBRO_REQUEST_MEDIA_TYPE;
    req.body = token.data;
    req.body_len = token.len;
    req.max_response_bytes = 65536;
    must(libro_http_fetch(resp, &req, &err), &err, "POST");
    libro_buf_free(&token);
    libro_buf_free(&payload);
}

/* The error code of a JSON error answer. */
static void
assert_answer(const libro_http_response *resp, long status, const char *code)
{
    libro_error err = LIBRO_ERROR_INIT;
    json_t *root = NULL;
    const char *got;

    ck_assert_msg(resp->status == status, "status %ld, want %ld: %s", resp->status, status,
                  (const char *) resp->body.data);
    must(libro_json__load(&root, (const char *) resp->body.data, resp->body.len, NULL, &err), &err,
         "answer");
    got = json_string_value(json_object_get(json_object_get(root, "error"), "code"));
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, code);
    json_decref(root);
}

/* A write that conflicts every time: 503 conflict with Retry-After: 1, its request id unspent,
 * nothing written; the client maps it back to LIBRO_ERR_CONFLICT. */
START_TEST(test_http_conflict)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_registry_client *remote = NULL;
    uint32_t list = 0;
    uint32_t index = 0;
    char *lists[3] = {NULL, NULL, NULL};

    serve(loc);
    refuse("status_slot", "serialization_failure", 1, 1000, false);
    post_reserve(&resp);
    assert_answer(&resp, 503, "conflict");
    ck_assert_int_eq(resp.retry_after, 1);
    libro_http_response_clear(&resp);
    ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), 0);
    ck_assert_int_eq(count("SELECT count(*) FROM request_id WHERE jti LIKE 'retry-http-%'"), 0);

    must(libro_issuer_registry_open(&remote, issuer, server_url, NULL, &err), &err, "remote");
    LIBRO_ASSERT_CODE(
        libro_registry_client_reserve(remote, &list, &index, &lists[0], &lists[1], &lists[2], &err),
        LIBRO_ERR_CONFLICT, &err, "registry: 503 conflict: ");
    stop_refusing("status_slot");
    post_reserve(&resp);
    ck_assert_int_eq(resp.status, 201);
    libro_http_response_clear(&resp);
    ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), 1);
    libro_registry_client_close(remote);
}
END_TEST

/* The server's database connections killed from another connection: the next write answers
 * 503 unavailable (nothing written) or succeeds after the reconnect at begin (and is then in
 * the database), never a success that is not; the one after it succeeds. */
START_TEST(test_http_connection_lost)
{
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    char name[64];
    char *location;
    char sql[256];
    int64_t slots;
    size_t len;

    /* The server's connections carry a name of their own, so that only they are killed. */
    ck_assert_int_gt(snprintf(name, sizeof name, "libro_retry_%u", (unsigned) getpid()), 0);
    len = strlen(loc) + strlen(name) + 32;
    location = malloc(len);
    ck_assert_ptr_nonnull(location);
    ck_assert_int_gt(snprintf(location, len, "%s%sapplication_name=%s", loc,
                              strchr(loc, '?') != NULL ? "&" : "?", name),
                     0);
    serve(location);
    post_reserve(&resp);
    ck_assert_int_eq(resp.status, 201);
    libro_http_response_clear(&resp);
    ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), 1);

    ck_assert_int_gt(snprintf(sql, sizeof sql,
                              "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                              " WHERE application_name = '%s'",
                              name),
                     0);
    ck_assert_int_gt(test_db_int(loc, sql), 0);
    slots = count("SELECT count(*) FROM status_slot");
    post_reserve(&resp);
    fprintf(stderr, "the write after the kill: %ld %s\n", resp.status,
            (const char *) resp.body.data);
    if (resp.status == 201) {
        ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), slots + 1);
    } else {
        assert_answer(&resp, 503, "unavailable");
        ck_assert_int_eq(resp.retry_after, 1);
        ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), slots);
    }
    slots = count("SELECT count(*) FROM status_slot");
    libro_http_response_clear(&resp);
    post_reserve(&resp);
    ck_assert_msg(resp.status == 201, "the write after: %ld %s", resp.status,
                  (const char *) resp.body.data);
    libro_http_response_clear(&resp);
    ck_assert_int_eq(count("SELECT count(*) FROM status_slot"), slots + 1);
    libro_server_stop(server);
    server = NULL;
    free(location);
}
END_TEST

/* ---- the helper, on either backend ---------------------------------------------------------- */

typedef struct flaky {
    libro_registry *r;
    int conflicts; /* answers CONFLICT this many times, then OK */
    int calls;
} flaky;

static libro_code
flaky_write(flaky *f, libro_error *err)
{
    f->calls++;
    if (f->calls <= f->conflicts) {
        return libro_error_set(err, LIBRO_ERR_CONFLICT, "refused for a concurrent one");
    }
    return LIBRO_OK;
}

static double
seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
    return (double) (t1.tv_sec - t0->tv_sec) + (double) (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* At most 8 attempts, each after at least half its back-off step (1 ms doubling). */
START_TEST(test_helper_bound)
{
    static const struct {
        int conflicts;
        int calls;
        libro_code want;
    } cases[] = {
        {0, 1, LIBRO_OK},
        {1, 2, LIBRO_OK},
        {7, 8, LIBRO_OK},
        {8, 8, LIBRO_ERR_CONFLICT},
        {100, 8, LIBRO_ERR_CONFLICT},
    };

    for (size_t i = 0; i < LIBRO_NELEM(cases); i++) {
        libro_error err = LIBRO_ERROR_INIT;
        flaky f = {reg, cases[i].conflicts, 0};
        struct timespec t0;
        double least = 0;
        libro_code rc;

        ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
        LIBRO_REGISTRY__RETRY(rc, reg, &err, flaky_write(&f, &err));
        LIBRO_ASSERT_CODE(rc, cases[i].want, &err,
                          rc == LIBRO_OK ? NULL : "after 8 attempts: refused for a concurrent one");
        ck_assert_int_eq(f.calls, cases[i].calls);
        for (int a = 0; a + 1 < f.calls; a++) {
            least += (double) libro_retry__backoff_ns((unsigned) a, 0) / 1e9;
        }
        ck_assert_msg(seconds_since(&t0) >= least, "case %zu: %f s < %f s", i, seconds_since(&t0),
                      least);
    }
}
END_TEST

/* A code other than CONFLICT is never run again; nor is a write inside a group (its owner
 * runs the group again). */
START_TEST(test_helper_only_conflict_outside_groups)
{
    libro_error err = LIBRO_ERROR_INIT;
    flaky f = {reg, 3, 0};
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, reg, &err,
                          (f.calls++, libro_error_set(&err, LIBRO_ERR_BUSY, "busy")));
    ck_assert_int_eq(rc, LIBRO_ERR_BUSY);
    ck_assert_int_eq(f.calls, 1);

    f.calls = 0;
    must(libro_registry__group_begin(reg, &err), &err, "group");
    LIBRO_REGISTRY__RETRY(rc, reg, &err, flaky_write(&f, &err));
    LIBRO_ASSERT_CODE(rc, LIBRO_ERR_CONFLICT, &err, "refused for a concurrent one");
    ck_assert_int_eq(f.calls, 1);
    must(libro_registry__group_end(reg, false, &err), &err, "group end");
    LIBRO_REGISTRY__RETRY(rc, reg, &err, flaky_write(&f, &err));
    must(rc, &err, "outside the group");
    ck_assert_int_eq(f.calls, 4);
}
END_TEST

/* The back-off: in [step/2, step], the step 1 ms doubling per attempt, capped at 100 ms. */
START_TEST(test_helper_backoff)
{
    for (unsigned a = 0; a < 12; a++) {
        long step = a >= 7 ? LIBRO_RETRY_CAP_NS : LIBRO_RETRY_FIRST_NS << a;
        uint32_t draws[] = {0, 1, 12345, UINT32_MAX / 2, UINT32_MAX};

        for (size_t d = 0; d < LIBRO_NELEM(draws); d++) {
            long ns = libro_retry__backoff_ns(a, draws[d]);

            ck_assert_int_ge(ns, step / 2);
            ck_assert_int_le(ns, step);
        }
        ck_assert_int_eq(libro_retry__backoff_ns(a, 0), step / 2);
        ck_assert_int_eq(libro_retry__backoff_ns(a, (uint32_t) (step - step / 2)), step);
    }
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("retry");
    TCase *tc = tcase_create("helper");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_helper_bound);
    tcase_add_test(tc, test_helper_only_conflict_outside_groups);
    tcase_add_test(tc, test_helper_backoff);
    suite_add_tcase(s, tc);
    if (test_db_is_pg()) {
        tc = tcase_create("postgresql");
        tcase_set_timeout(tc, 120);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_loop_test(tc, test_single_write, 0, (int) LIBRO_NELEM(single));
        tcase_add_test(tc, test_queue_group_run_again);
        tcase_add_test(tc, test_queue_group_gives_up);
        tcase_add_test(tc, test_issue_group_run_again);
        tcase_add_test(tc, test_batch_group_run_again);
        tcase_add_test(tc, test_http_conflict);
        tcase_add_test(tc, test_http_connection_lost);
        suite_add_tcase(s, tc);
    }
    return s;
}
