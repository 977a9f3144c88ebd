/* libro/watch.h (registry/src/watch.c): a log leaf into an employer event, the roster's
 * parser, and libro_watch_run against a real libro_server on 127.0.0.1, in-process: the
 * first run and its state file, a run after the log grew, and the refusals, each leaving the
 * state file as it was: a checkpoint signed by another key, a state file rewritten to another
 * root (a forked log), to a larger tree (a rolled-back log), another registry with the same
 * charter and keys whose log differs (a fork), a damaged state and one of another URL. The
 * changes of licenses between runs are the end-to-end test's (tests/e2e/watch_test.sh).
 * Fixtures are checked: the server's threads do not survive check's fork. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libro/file.h"
#include "libro/registry.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "libro/watch.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define REGISTRY_ID COMMUNITY ":registry"

/* ---- libro_watch_leaf_event ---------------------------------------------------------------- */

#define LEAF_HEAD "{\"type\":\"license\",\"at\":\"2026-11-26T22:08:22Z\",\"license\":\"T7-1\","

static const struct {
    const char *name;
    const char *leaf;
    libro_code want;
    bool relevant;
    libro_action action;
    libro_license_state state;
    const char *category;
} leaves[] = {
    {"issue",
     LEAF_HEAD "\"action\":\"issue\",\"from\":null,\"to\":\"active\",\"version\":1,"
               "\"actor\":\"b\",\"reason\":\"\",\"credential\":\"sha256:x\"}",
     LIBRO_OK, true, LIBRO_ACTION_ISSUE, LIBRO_STATE_ACTIVE, ""},
    {"suspend with a category",
     LEAF_HEAD "\"action\":\"suspend\",\"from\":\"active\",\"to\":\"suspended\",\"version\":2,"
               "\"actor\":\"b\",\"reason\":\"names a person\",\"category\":\"conduct\"}",
     LIBRO_OK, true, LIBRO_ACTION_SUSPEND, LIBRO_STATE_SUSPENDED, "conduct"},
    {"lapse",
     LEAF_HEAD "\"action\":\"lapse\",\"from\":\"expired\",\"to\":\"lapsed\",\"version\":1,"
               "\"actor\":\"registry\",\"reason\":\"\",\"category\":\"non-renewal\"}",
     LIBRO_OK, true, LIBRO_ACTION_LAPSE, LIBRO_STATE_LAPSED, "non-renewal"},
    {"another type", "{\"type\":\"licenseType\",\"at\":\"2026-11-26T22:08:22Z\",\"id\":\"x\"}",
     LIBRO_OK, false, 0, 0, ""},
    {"not JSON", "license", LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"no type", "{\"at\":\"2026-11-26T22:08:22Z\"}", LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"an array", "[1]", LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"unknown action", LEAF_HEAD "\"action\":\"promote\",\"to\":\"active\",\"version\":1}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"unknown state", LEAF_HEAD "\"action\":\"issue\",\"to\":\"dormant\",\"version\":1}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"no version", LEAF_HEAD "\"action\":\"issue\",\"to\":\"active\"}", LIBRO_ERR_PARSE, false, 0,
     0, ""},
    {"version 0", LEAF_HEAD "\"action\":\"issue\",\"to\":\"active\",\"version\":0}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"bad time",
     "{\"type\":\"license\",\"at\":\"2026-13-01T00:00:00Z\",\"license\":\"T7-1\","
     "\"action\":\"issue\",\"to\":\"active\",\"version\":1}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"bad number",
     "{\"type\":\"license\",\"at\":\"2026-11-26T22:08:22Z\",\"license\":\"T7 1\","
     "\"action\":\"issue\",\"to\":\"active\",\"version\":1}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"category in capitals",
     LEAF_HEAD "\"action\":\"revoke\",\"to\":\"revoked\",\"version\":1,\"category\":\"Conduct\"}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"category not a string",
     LEAF_HEAD "\"action\":\"revoke\",\"to\":\"revoked\",\"version\":1,\"category\":1}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
    {"a duplicate member",
     LEAF_HEAD "\"action\":\"issue\",\"action\":\"revoke\",\"to\":\"active\",\"version\":1}",
     LIBRO_ERR_PARSE, false, 0, 0, ""},
};

START_TEST(test_leaf_event)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_event ev;
    bool relevant = true;
    libro_code rc =
        libro_watch_leaf_event(&ev, &relevant, leaves[_i].leaf, strlen(leaves[_i].leaf), 7, &err);

    ck_assert_msg(rc == leaves[_i].want, "%s: got %d (%s)", leaves[_i].name, rc, err.msg);
    ck_assert_msg(relevant == leaves[_i].relevant, "%s: relevant", leaves[_i].name);
    if (!leaves[_i].relevant) {
        ck_assert_int_eq(ev.kind, 0);
        return;
    }
    ck_assert_int_eq(ev.kind, LIBRO_WATCH_CHANGE);
    ck_assert_str_eq(ev.license, "T7-1");
    ck_assert_int_eq(ev.action, leaves[_i].action);
    ck_assert_int_eq(ev.state, leaves[_i].state);
    ck_assert_str_eq(ev.category, leaves[_i].category);
    ck_assert_int_eq(ev.at, INT64_C(1795730902));
    ck_assert_uint_eq(ev.leaf, 7);
}
END_TEST

START_TEST(test_leaf_limits)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_event ev;
    bool relevant = true;
    char *big = libro_calloc(1, LIBRO_WATCH_MAX_LEAF_BYTES + 2);

    ck_assert_ptr_nonnull(big);
    memset(big, ' ', LIBRO_WATCH_MAX_LEAF_BYTES + 1);
    big[0] = '{';
    big[LIBRO_WATCH_MAX_LEAF_BYTES] = '}';
    LIBRO_ASSERT_CODE(
        libro_watch_leaf_event(&ev, &relevant, big, LIBRO_WATCH_MAX_LEAF_BYTES + 1, 3, &err),
        LIBRO_ERR_LIMIT, &err, "leaf 3: larger than 65536 bytes");
    ck_assert(!relevant);
    /* At the cap: parsed (and refused only for what it is). */
    LIBRO_ASSERT_CODE(
        libro_watch_leaf_event(&ev, &relevant, big, LIBRO_WATCH_MAX_LEAF_BYTES, 3, &err),
        LIBRO_ERR_PARSE, &err, "leaf");
    libro_free(big);
    LIBRO_ASSERT_CODE(libro_watch_leaf_event(&ev, &relevant, NULL, 0, 0, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "NULL");
    ck_assert_str_eq(libro_watch_kind_name(LIBRO_WATCH_UPCOMING), "upcoming-expiry");
    ck_assert_str_eq(libro_watch_kind_name(LIBRO_WATCH_NOT_FOUND), "not-found");
    ck_assert_ptr_null(libro_watch_kind_name((libro_watch_kind) 9));
}
END_TEST

/* ---- libro_watch_roster_parse ---------------------------------------------------------------- */

START_TEST(test_roster)
{
    static const char text[] = "# the ward\n T7-N-0002\t\r\nT7-N-0001\n\n  # night shift\n"
                               "T7-N-0002\nA.b_c-9";
    libro_error err = LIBRO_ERROR_INIT;
    char **v = NULL;
    size_t n = 0;

    must(libro_watch_roster_parse(&v, &n, text, strlen(text), &err), &err, "parse");
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[0], "A.b_c-9");
    ck_assert_str_eq(v[1], "T7-N-0001");
    ck_assert_str_eq(v[2], "T7-N-0002");
    libro_watch_roster_free(v, n);
    must(libro_watch_roster_parse(&v, &n, "", 0, &err), &err, "empty");
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(v);
    LIBRO_ASSERT_CODE(libro_watch_roster_parse(&v, &n, "T7-1\n# x\nT7 2\n", 14, &err),
                      LIBRO_ERR_PARSE, &err, "roster line 3: not a license number");
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_roster_limits)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf b = LIBRO_BUF_INIT;
    char **v = NULL;
    size_t n = 0;
    char num[LIBRO_MAX_LICENSE_NUMBER_BYTES + 2];

    for (unsigned i = 0; i < LIBRO_WATCH_MAX_ROSTER_LINES; i++) {
        must(libro_buf_printf(&b, &err, "N-%u\n", i), &err, "roster");
    }
    /* Exactly the most lines: read. One more (even blank): refused. */
    must(libro_watch_roster_parse(&v, &n, (const char *) b.data, b.len, &err), &err, "10000");
    ck_assert_uint_eq(n, LIBRO_WATCH_MAX_ROSTER_LINES);
    libro_watch_roster_free(v, n);
    must(libro_buf_append(&b, "\n", 1, &err), &err, "line");
    must(libro_buf_append(&b, "x", 1, &err), &err, "line");
    LIBRO_ASSERT_CODE(libro_watch_roster_parse(&v, &n, (const char *) b.data, b.len, &err),
                      LIBRO_ERR_LIMIT, &err, "roster: more than 10000 lines");
    LIBRO_ASSERT_CODE(libro_watch_roster_parse(&v, &n, (const char *) b.data,
                                               LIBRO_WATCH_MAX_ROSTER_BYTES + 1, &err),
                      LIBRO_ERR_LIMIT, &err, "roster: larger than");
    libro_buf_free(&b);
    /* A number of 64 bytes is one; of 65 it is not. */
    memset(num, 'a', sizeof num);
    must(libro_watch_roster_parse(&v, &n, num, LIBRO_MAX_LICENSE_NUMBER_BYTES, &err), &err, "64");
    ck_assert_uint_eq(n, 1);
    libro_watch_roster_free(v, n);
    LIBRO_ASSERT_CODE(
        libro_watch_roster_parse(&v, &n, num, LIBRO_MAX_LICENSE_NUMBER_BYTES + 1, &err),
        LIBRO_ERR_PARSE, &err, "roster line 1");
}
END_TEST

/* ---- libro_watch_run against a real server ------------------------------------------------- */

static char dir[256];
static char db_a[512];
static char db_b[512];
static char state_path[300];
static libro_key *town_key;
static libro_key *registry_key;
static libro_key *stranger_key;
static char *charter_jws;
static char *auth_jws;
static libro_server *server;
static char base[64];
static const char *const roster[] = {"T7-N-0001", "T7-N-0002"};

/* A registry from the fixture's charter and keys, with the license types `types` defined in
 * that order: the leaves of two such registries differ where their types do. */
static void
create_registry(const char *path, const char *const *types, size_t n)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;

    must(libro_registry_create(path, charter_jws, auth_jws, &err), &err, "create");
    must(libro_registry_open(&r, path, &err), &err, "open");
    for (size_t i = 0; i < n; i++) {
        libro_license_type t = {NULL, 365, 30, 30, NULL, 0};

        t.id = sdup(types[i]);
        must(libro_registry_define_type(r, NULL, &t, "council", &err), &err, "type");
        libro_free(t.id);
    }
    libro_registry_close(r);
}

static void
define_type(const char *path, const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0};

    must(libro_registry_open(&r, path, &err), &err, "open");
    t.id = sdup(id);
    must(libro_registry_define_type(r, NULL, &t, "council", &err), &err, "type");
    libro_free(t.id);
    libro_registry_close(r);
}

static void
serve(const char *db)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;

    opt.db_path = db;
    opt.registry_key = registry_key;
    opt.threads = 2;
    must(libro_server_start(&server, &opt, &err), &err, "server start");
    ck_assert_int_gt(
        snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned) libro_server_port(server)),
        0);
}

static void
setup(void)
{
    static const char *const types[] = {"nursing-general", "first-aid"};
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    int64_t now = libro_time_now();
    libro_credential *c;

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-watch-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db_a, sizeof db_a, dir, "a.db");
    test_db_path(db_b, sizeof db_b, dir, "b.db");
    ck_assert_int_gt(snprintf(state_path, sizeof state_path, "%s/state.json", dir), 0);
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");
    must(libro_key_generate(&stranger_key, LIBRO_ALG_ED25519, &err), &err, "stranger key");
    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", now - 30 * DAY,
                 now + 3000 * DAY);
    c->level = 2;
    c->subject_key = public_of(town_key);
    c->allowed_types = libro_calloc(2, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(types[0]);
    c->allowed_types[1] = sdup(types[1]);
    c->n_allowed = 2;
    charter_jws = sign(c, town_key);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, REGISTRY_ID, "Town 7 Registry",
                 now - 30 * DAY, now + 3000 * DAY);
    c->subject_key = public_of(registry_key);
    c->url = sdup("http://127.0.0.1");
    auth_jws = sign(c, town_key);
    libro_credential_free(c);
    create_registry(db_a, types, 2);
    /* The same charter and keys; its second leaf another type: a fork of A. */
    create_registry(db_b, types + 1, 1);
    define_type(db_b, "nursing-general");
    define_type(db_b, "other");
    serve(db_a);
}

static void
teardown(void)
{
    if (server != NULL) {
        libro_server_stop(server);
        server = NULL;
    }
    libro_key_free(town_key);
    libro_key_free(registry_key);
    libro_key_free(stranger_key);
    libro_free(charter_jws);
    libro_free(auth_jws);
    test_db_remove(db_a);
    test_db_remove(db_b);
    libro_test_rm_rf(dir);
}

static libro_code
run(libro_watch_result *r, const libro_key *key, libro_error *err)
{
    libro_watch_options opt = LIBRO_WATCH_OPTIONS_INIT;

    opt.url = base;
    opt.registry = REGISTRY_ID;
    opt.key = key;
    opt.numbers = roster;
    opt.n_numbers = LIBRO_NELEM(roster);
    opt.state_path = state_path;
    opt.within = 30 * DAY;
    opt.now = libro_time_now();
    return libro_watch_run(r, &opt, err);
}

static void
read_state(libro_buf *out)
{
    libro_error err = LIBRO_ERROR_INIT;

    libro_buf_clear(out);
    must(libro_file_read(out, state_path, LIBRO_WATCH_MAX_STATE_BYTES, true, &err), &err, "state");
}

/* Replace the first `from` in the state file with `to`. */
static void
edit_state(const char *from, const char *to)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    const char *p;

    read_state(&text);
    p = strstr((const char *) text.data, from);
    ck_assert_ptr_nonnull(p);
    must(libro_buf_append(&out, text.data, (size_t) (p - (const char *) text.data), &err), &err,
         "edit");
    must(libro_buf_append_str(&out, to, &err), &err, "edit");
    must(libro_buf_append_str(&out, p + strlen(from), &err), &err, "edit");
    must(libro_file_write_atomic(state_path, out.data, out.len, 0600, &err), &err, "write");
    libro_buf_free(&text);
    libro_buf_free(&out);
}

/* The run is refused with `want` naming `msg`, and the state file is as it was. */
static void
refused(const libro_key *key, libro_code want, const char *msg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_result r;
    libro_buf before = LIBRO_BUF_INIT;
    libro_buf after = LIBRO_BUF_INIT;

    read_state(&before);
    LIBRO_ASSERT_CODE(run(&r, key, &err), want, &err, msg);
    ck_assert_uint_eq(r.n_events, 0);
    ck_assert_ptr_null(r.events);
    read_state(&after);
    ck_assert_uint_eq(before.len, after.len);
    ck_assert_mem_eq(before.data, after.data, before.len);
    libro_buf_free(&before);
    libro_buf_free(&after);
}

START_TEST(test_first_and_next)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_result r;
    struct stat st;
    uint64_t size;

    must(run(&r, registry_key, &err), &err, "first run");
    ck_assert(r.first);
    ck_assert_uint_eq(r.from, 0);
    ck_assert_uint_gt(r.to, 0);
    size = r.to;
    /* Neither number is held: each told once, as not found. */
    ck_assert_uint_eq(r.n_events, 2);
    ck_assert_int_eq(r.events[0].kind, LIBRO_WATCH_NOT_FOUND);
    ck_assert_str_eq(r.events[0].license, "T7-N-0001");
    ck_assert_str_eq(r.events[1].license, "T7-N-0002");
    libro_watch_result_clear(&r);
    ck_assert_int_eq(stat(state_path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777u, 0600u);

    /* The log grows by a leaf that is no license's: read, checked, nothing told. */
    define_type(db_a, "other");
    must(run(&r, registry_key, &err), &err, "second run");
    ck_assert(!r.first);
    ck_assert_uint_eq(r.from, size);
    ck_assert_uint_eq(r.to, size + 1);
    ck_assert_uint_eq(r.n_events, 0);
    libro_watch_result_clear(&r);
    /* And again, with nothing new. */
    must(run(&r, registry_key, &err), &err, "third run");
    ck_assert_uint_eq(r.from, size + 1);
    ck_assert_uint_eq(r.to, size + 1);
    libro_watch_result_clear(&r);
}
END_TEST

START_TEST(test_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_result r;
    libro_buf text = LIBRO_BUF_INIT;
    char size_text[64];

    must(run(&r, registry_key, &err), &err, "first run");
    libro_watch_result_clear(&r);
    define_type(db_a, "other");
    /* A checkpoint that the registry key of the trust store did not sign. */
    refused(stranger_key, LIBRO_ERR_UNTRUSTED, "checkpoint");
    /* What was seen rewritten: another root (a fork), a larger tree (a rollback). */
    read_state(&text);
    {
        const char *root = strstr((const char *) text.data, "\"root\":\"");
        const char *size = strstr((const char *) text.data, "\"size\":");
        char old[64];

        ck_assert_ptr_nonnull(root);
        ck_assert_ptr_nonnull(size);
        memcpy(old, root, 53);
        old[53] = '\0';
        edit_state(old, "\"root\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"");
        refused(registry_key, LIBRO_ERR_PROOF, "does not extend the one of");
        edit_state("\"root\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"", old);
        ck_assert_int_gt(
            snprintf(size_text, sizeof size_text, "\"size\":%llu", strtoull(size + 7, NULL, 10)),
            0);
        edit_state(size_text, "\"size\":900");
        refused(registry_key, LIBRO_ERR_ROLLBACK, "fewer than the 900 seen before");
        edit_state("\"size\":900", size_text);
    }
    libro_buf_free(&text);
    /* A damaged state; one of another URL. */
    edit_state("\"edge\"", "\"egde\"");
    refused(registry_key, LIBRO_ERR_PARSE, "is damaged: remove it");
    edit_state("\"egde\"", "\"edge\"");
    edit_state("http://127.0.0.1:", "http://127.0.0.2:");
    refused(registry_key, LIBRO_ERR_PARSE, "is of another registry");
    edit_state("http://127.0.0.2:", "http://127.0.0.1:");
    /* Restored: the run goes on from where it was. */
    must(run(&r, registry_key, &err), &err, "after the refusals");
    ck_assert_uint_eq(r.to, r.from + 1);
    libro_watch_result_clear(&r);
}
END_TEST

/* A second registry with the same charter and keys, whose log differs from the one seen,
 * served at the same URL: refused as a fork, though its checkpoint is rightly signed. */
START_TEST(test_other_registry)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_result r;
    char old_base[64];

    must(run(&r, registry_key, &err), &err, "first run on A");
    libro_watch_result_clear(&r);
    libro_server_stop(server);
    server = NULL;
    memcpy(old_base, base, sizeof base);
    serve(db_b);
    edit_state(old_base, base);
    refused(registry_key, LIBRO_ERR_PROOF, "it forked");
}
END_TEST

/* The registry key a watch checks checkpoints with: from the trust store, after a sync of
 * the URL, and only while the registry's authorization chains to the pinned anchor. */
START_TEST(test_registry_key)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_options so = LIBRO_SYNC_OPTIONS_INIT;
    libro_sync_report rep;
    libro_trust *t = NULL;
    const libro_key *k = NULL;
    const char *id = NULL;
    char trust_dir[300];
    char want[LIBRO_THUMBPRINT_LEN + 1];
    char got[LIBRO_THUMBPRINT_LEN + 1];
    int64_t now = libro_time_now();

    ck_assert_int_gt(snprintf(trust_dir, sizeof trust_dir, "%s/trust", dir), 0);
    must(libro_trust_open(&t, trust_dir, &err), &err, "trust store");
    must(libro_trust_add_anchor(t, charter_jws, strlen(charter_jws), NULL, NULL, &err), &err,
         "pin the town");
    LIBRO_ASSERT_CODE(libro_trust_registry_key(&k, &id, t, base, now, &err), LIBRO_ERR_NOT_FOUND,
                      &err, "run 'libro sync http://127.0.0.1:");
    ck_assert_ptr_null(k);
    must(libro_trust_sync(t, base, &so, &rep, &err), &err, "sync");
    must(libro_trust_registry_key(&k, &id, t, base, now, &err), &err, "registry key");
    ck_assert_str_eq(id, REGISTRY_ID);
    must(libro_key_thumbprint(want, registry_key, &err), &err, "thumbprint");
    must(libro_key_thumbprint(got, k, &err), &err, "thumbprint");
    ck_assert_str_eq(got, want);
    /* Past the registry authorization's end: no longer trusted. */
    LIBRO_ASSERT_CODE(libro_trust_registry_key(&k, &id, t, base, now + 3001 * DAY, &err),
                      LIBRO_ERR_UNTRUSTED, &err, "the registry is not trusted");
    ck_assert_ptr_null(k);
    ck_assert_ptr_null(id);
    libro_trust_free(t);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("watch");
    TCase *parse = tcase_create("parsing");
    TCase *limits = tcase_create("limits");
    TCase *runs = tcase_create("runs");

    tcase_add_loop_test(parse, test_leaf_event, 0, (int) LIBRO_NELEM(leaves));
    tcase_add_test(parse, test_roster);
    suite_add_tcase(s, parse);
    tcase_add_test(limits, test_leaf_limits);
    tcase_add_test(limits, test_roster_limits);
    suite_add_tcase(s, limits);
    tcase_add_checked_fixture(runs, setup, teardown);
    tcase_add_test(runs, test_first_and_next);
    tcase_add_test(runs, test_refusals);
    tcase_add_test(runs, test_other_registry);
    tcase_add_test(runs, test_registry_key);
    suite_add_tcase(s, runs);
    return s;
}
