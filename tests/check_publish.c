/* The one publisher of status lists (registry/src/publish.c, libro_registry_publish_list),
 * which the server's list cache and `libro registry status` both call, over a temp registry
 * of town 7 with one license. Two fixtures: a registry authorization that runs for years, and
 * one that ends in two days (issue 8, point 2: a list signed for 30 days under it used to be
 * refused by the verifier as lying outside the authorization; now it ends with it and the
 * verifier takes it). Each list is read back through the real verifier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/jws.h"
#include "libro/registry.h"
#include "libro/statuslist.h"
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
#define BASE "http://127.0.0.1"
#define URL_REV BASE "/v1/status/0/revocation"
#define URL_SUS BASE "/v1/status/0/suspension"
#define NUMBER "T7-N-0001"

static char dir[256];
static char db[512]; /* test_db_path: a file, or a PostgreSQL schema */
static libro_key *town_key;
static libro_key *board_key;
static libro_key *registry_key;
static libro_key *other_key;
static char *charter_jws;
static char *auth_jws;
static char *board_auth_jws;
static char *license_jws;
static libro_credential *auth;
static libro_registry *reg;
static int64_t t0;        /* the fixture's time, in seconds */
static int64_t auth_from; /* the registry authorization's window */
static int64_t auth_until;

static libro_credential *
parsed(const char *jws)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    must(libro_credential_parse_unverified(&c, jws, strlen(jws), &err), &err, "parse");
    return c;
}

static char *
issue_license(uint32_t index)
{
    libro_credential *c =
        new_cred(LIBRO_CRED_LICENSE, BOARD, NULL, "Ada Example", t0 - 60, t0 + 300 * DAY);
    char *jws;

    c->license_number = sdup(NUMBER);
    c->profession = sdup("registered nurse");
    c->license_type = sdup(NURSING);
    c->scope = libro_calloc(1, sizeof *c->scope);
    ck_assert_ptr_nonnull(c->scope);
    c->scope[0] = sdup("general care");
    c->n_scope = 1;
    c->community_id = sdup(COMMUNITY);
    c->community_level = 2;
    c->has_status = true;
    c->status_index = index;
    c->status_revocation_list = sdup(URL_REV);
    c->status_suspension_list = sdup(URL_SUS);
    jws = sign(c, board_key);
    libro_credential_free(c);
    return jws;
}

static void
setup_with(int64_t until_days)
{
    static const char *const types[] = {NURSING};
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_credential *c;
    uint32_t list = 0;
    uint32_t index = 0;

    t0 = libro_time_now();
    auth_from = t0 - 30 * DAY;
    auth_until = t0 + until_days * DAY;
    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-publish-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db, sizeof db, dir, "r.db");
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&board_key, LIBRO_ALG_ED25519, &err), &err, "board key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");
    must(libro_key_generate(&other_key, LIBRO_ALG_ED25519, &err), &err, "other key");
    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", t0 - 60 * DAY,
                 t0 + 3000 * DAY);
    c->level = 2;
    c->subject_key = public_of(town_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(types[0]);
    c->n_allowed = 1;
    charter_jws = sign(c, town_key);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, REGISTRY_ID, "Town 7 Registry", auth_from,
                 auth_until);
    c->subject_key = public_of(registry_key);
    c->url = sdup(BASE);
    auth_jws = sign(c, town_key);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_ISSUER_AUTH, COMMUNITY, BOARD, "Town 7 Health Board", t0 - 30 * DAY,
                 t0 + 1000 * DAY);
    c->subject_key = public_of(board_key);
    c->grants = libro_calloc(1, sizeof *c->grants);
    ck_assert_ptr_nonnull(c->grants);
    c->grants[0].id = sdup(NURSING);
    c->grants[0].validity_days = 365;
    c->n_grants = 1;
    board_auth_jws = sign(c, town_key);
    libro_credential_free(c);

    must(libro_registry_create(db, charter_jws, auth_jws, &err), &err, "create");
    must(libro_registry_open(&reg, db, &err), &err, "open");
    t.id = sdup(NURSING);
    must(libro_registry_define_type(reg, NULL, &t, "council", &err), &err, "type");
    libro_free(t.id);
    must(libro_registry_authorize_issuer(reg, NULL, board_auth_jws,
                                         LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "clerk", t0, &err),
         &err, "authorize");
    must(libro_registry_reserve_status(reg, NULL, &list, &index, &err), &err, "reserve");
    ck_assert_uint_eq(list, 0);
    license_jws = issue_license(index);
    must(libro_registry_register(reg, NULL, license_jws, list, index, "board", t0, &err), &err,
         "register");
    auth = parsed(auth_jws);
}

static void
setup_long(void)
{
    setup_with(3000);
}

static void
setup_ending(void)
{
    setup_with(2);
}

static void
remove_tree(const char *path)
{
    char cmd[600];

    ck_assert_int_gt(snprintf(cmd, sizeof cmd, "rm -rf '%s'", path), 0);
    ck_assert_int_eq(system(cmd), 0);
}

static void
teardown(void)
{
    libro_registry_close(reg);
    reg = NULL;
    libro_credential_free(auth);
    auth = NULL;
    libro_free(charter_jws);
    libro_free(auth_jws);
    libro_free(board_auth_jws);
    libro_free(license_jws);
    libro_key_free(town_key);
    libro_key_free(board_key);
    libro_key_free(registry_key);
    libro_key_free(other_key);
    test_db_remove(db);
    remove_tree(dir);
}

/* Publish `purpose` at `now_ms` for `seconds` (0: the default) with state `last`. */
static libro_code
publish(libro_buf *out, bool *fresh, libro_published_list *last, int purpose, int64_t now_ms,
        uint32_t seconds, libro_error *err)
{
    libro_publish_options opt = LIBRO_PUBLISH_OPTIONS_INIT;

    opt.url = purpose == LIBRO_STATUS_REVOCATION ? URL_REV : URL_SUS;
    opt.list = 0;
    opt.purpose = purpose;
    opt.now_ms = now_ms;
    if (seconds != 0) {
        opt.seconds = seconds;
    }
    return libro_registry_publish_list(out, fresh, last, reg, registry_key, auth, &opt, err);
}

/* The list a token carries, its signature checked with the registry key. */
static void
read_list(libro_status_list *s, const libro_buf *jws)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_key *pub = public_of(registry_key);

    must(
        libro_jws_verify_compact(&payload, (const char *) jws->data, jws->len, pub, "vc+jwt", &err),
        &err, "list verifies");
    must(libro_status_list_parse(s, payload.data, payload.len, &err), &err, "list parses");
    libro_buf_free(&payload);
    libro_key_free(pub);
}

/* A trust store in dir/trust with the town pinned and the registry's and board's
 * authorizations, then `rev` and `sus` added as `libro trust add` adds them; the license's
 * verdict at `at`. */
static libro_verification *
verify_with(const libro_buf *rev, const libro_buf *sus, int64_t at)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(at);
    libro_trust *t = NULL;
    libro_verification *v = NULL;
    char path[320];

    ck_assert_int_gt(snprintf(path, sizeof path, "%s/trust", dir), 0);
    must(libro_trust_open(&t, path, &err), &err, "trust open");
    must(libro_trust_add_anchor(t, charter_jws, strlen(charter_jws), NULL, NULL, &err), &err,
         "anchor");
    must(libro_trust_add(t, auth_jws, strlen(auth_jws), &err), &err, "registry auth");
    must(libro_trust_add(t, board_auth_jws, strlen(board_auth_jws), &err), &err, "board auth");
    must(libro_trust_add(t, (const char *) rev->data, rev->len, &err), &err, "revocation list");
    must(libro_trust_add(t, (const char *) sus->data, sus->len, &err), &err, "suspension list");
    must(libro_verify_license(&v, t, license_jws, strlen(license_jws), &opt, &err), &err, "verify");
    libro_trust_free(t);
    return v;
}

/* ---- an authorization that ends in two days (the bug) ------------------------------------ */

/* `libro registry status --days 30` under an authorization valid two more days signed a list
 * for 30 days, which the verifier refused (STATUS UNKNOWN, "lies outside the registry
 * authorization"). The one publisher ends the list with the authorization. */
START_TEST(test_capped_by_authorization)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf rev = LIBRO_BUF_INIT;
    libro_buf sus = LIBRO_BUF_INIT;
    libro_published_list last_rev = {0};
    libro_published_list last_sus = {0};
    libro_status_list s = {0};
    libro_verification *v;
    bool fresh = false;
    int64_t now_ms = libro_time_now_ms();

    must(publish(&rev, &fresh, &last_rev, LIBRO_STATUS_REVOCATION, now_ms, 30 * 86400, &err), &err,
         "publish revocation");
    ck_assert(fresh);
    must(publish(&sus, &fresh, &last_sus, LIBRO_STATUS_SUSPENSION, now_ms, 30 * 86400, &err), &err,
         "publish suspension");
    read_list(&s, &rev);
    ck_assert_int_eq(s.valid_until, auth_until);
    ck_assert_int_eq(last_rev.valid_until, auth_until);
    ck_assert_int_eq(s.valid_from * 1000 + s.valid_from_millis, now_ms);
    libro_status_list_free(&s);
    v = verify_with(&rev, &sus, t0);
    ck_assert_msg(v->outcome == LIBRO_VALID, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert(v->status_checked);
    libro_verification_free(v);
    libro_buf_free(&rev);
    libro_buf_free(&sus);
}
END_TEST

/* The last second of the authorization still gets a (one-second) list; from its end on,
 * nothing is signed. */
START_TEST(test_authorization_end)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_published_list last = {0};
    libro_status_list s = {0};
    bool fresh = true;

    must(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, (auth_until - 1) * 1000, 0, &err),
         &err, "last second");
    read_list(&s, &out);
    ck_assert_int_eq(s.valid_from, auth_until - 1);
    ck_assert_int_eq(s.valid_until, auth_until);
    libro_status_list_free(&s);
    libro_buf_clear(&out);
    memset(&last, 0, sizeof last);
    LIBRO_ASSERT_CODE(
        publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, auth_until * 1000, 0, &err),
        LIBRO_ERR_EXPIRED, &err, "publish: the registry authorization has ended");
    ck_assert(!fresh);
    ck_assert_uint_eq(out.len, 0);
    ck_assert(!last.used);
    LIBRO_ASSERT_CODE(
        publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, (auth_from - 1) * 1000, 0, &err),
        LIBRO_ERR_NOT_YET_VALID, &err, "publish: the registry authorization is not valid yet");
    ck_assert_uint_eq(out.len, 0);
    libro_buf_free(&out);
}
END_TEST

/* ---- the rules, under a long authorization ---------------------------------------------- */

/* Valid the default 10 days (a week offline and a margin), validFrom to the millisecond; the
 * verifier takes it, and six days later it still answers (with the warning), eight days
 * later it is too old. */
START_TEST(test_default_window)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf rev = LIBRO_BUF_INIT;
    libro_buf sus = LIBRO_BUF_INIT;
    libro_published_list last_rev = {0};
    libro_published_list last_sus = {0};
    libro_status_list s = {0};
    libro_verification *v;
    bool fresh = false;
    int64_t now_ms = t0 * 1000 + 123;

    must(publish(&rev, &fresh, &last_rev, LIBRO_STATUS_REVOCATION, now_ms, 0, &err), &err,
         "publish");
    must(publish(&sus, &fresh, &last_sus, LIBRO_STATUS_SUSPENSION, now_ms, 0, &err), &err,
         "publish");
    read_list(&s, &rev);
    ck_assert_int_eq(s.valid_from, t0);
    ck_assert_uint_eq(s.valid_from_millis, 123);
    ck_assert_int_eq(s.valid_until, t0 + LIBRO_STATUS_LIST_SECONDS);
    ck_assert_int_ge(s.valid_until - s.valid_from, LIBRO_VERIFY_DEFAULT_MAX_STATUS_AGE + DAY);
    ck_assert_str_eq(s.id, URL_REV);
    ck_assert_str_eq(s.issuer, REGISTRY_ID);
    libro_status_list_free(&s);
    v = verify_with(&rev, &sus, t0 + 6 * DAY);
    ck_assert_msg(v->outcome == LIBRO_VALID, "6 days: %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert_str_eq(v->warning, "status data is 144 hours old (more than 24): run libro sync "
                                 "http://127.0.0.1");
    libro_verification_free(v);
    v = verify_with(&rev, &sus, t0 + 8 * DAY);
    ck_assert_int_eq(v->outcome, LIBRO_STATUS_UNKNOWN);
    ck_assert_str_eq(v->reason, "status data is 8 days old (maximum 7): run libro sync "
                                "http://127.0.0.1, then verify again");
    libro_verification_free(v);
    libro_buf_free(&rev);
    libro_buf_free(&sus);
}
END_TEST

/* Re-signed when the bits change (at once, a millisecond later), or once the list is an hour
 * old; otherwise the same list answers (nothing signed, so its ETag holds). */
START_TEST(test_resign_rules)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf sus = LIBRO_BUF_INIT;
    libro_published_list last = {0};
    libro_published_list last_sus = {0};
    libro_published_list before;
    libro_verification *v;
    bool fresh = false;
    int64_t now_ms = t0 * 1000;

    must(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms, 0, &err), &err, "first");
    ck_assert(fresh && last.used && last.valid_from_ms == now_ms);
    before = last;
    libro_buf_clear(&out);
    /* The same bits, 59 minutes later: nothing new. */
    must(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms + 3540 * 1000, 0, &err), &err,
         "unchanged");
    ck_assert(!fresh);
    ck_assert_uint_eq(out.len, 0);
    ck_assert(memcmp(&before, &last, sizeof last) == 0);
    /* An hour: re-signed. */
    must(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms + 3600 * 1000, 0, &err), &err,
         "refresh");
    ck_assert(fresh);
    ck_assert_int_eq(last.valid_from_ms, now_ms + 3600 * 1000);
    ck_assert(memcmp(last.bits_hash, before.bits_hash, sizeof last.bits_hash) == 0);
    /* A revocation: the very next millisecond has it. */
    must(libro_registry_change(reg, NULL, NUMBER, LIBRO_ACTION_REVOKE, "board", "struck off", t0,
                               &err),
         &err, "revoke");
    libro_buf_clear(&out);
    LIBRO_ASSERT_CODE(
        publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms + 3600 * 1000, 0, &err),
        LIBRO_ERR_TIME, &err, "publish: the clock has not passed the last list's validFrom");
    LIBRO_ASSERT_CODE(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms, 0, &err),
                      LIBRO_ERR_TIME, &err, "not passed");
    ck_assert_uint_eq(out.len, 0);
    must(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms + 3600 * 1000 + 1, 0, &err),
         &err, "changed");
    ck_assert(fresh);
    ck_assert(memcmp(last.bits_hash, before.bits_hash, sizeof last.bits_hash) != 0);
    must(publish(&sus, &fresh, &last_sus, LIBRO_STATUS_SUSPENSION, now_ms, 0, &err), &err, "sus");
    v = verify_with(&out, &sus, t0 + 3600);
    ck_assert_msg(v->outcome == LIBRO_REVOKED, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    libro_verification_free(v);
    libro_buf_free(&sus);
    libro_buf_free(&out);
}
END_TEST

/* A short window is re-signed at half of it, before the hour. */
START_TEST(test_short_window)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_published_list last = {0};
    bool fresh = false;
    int64_t now_ms = t0 * 1000;

    must(publish(&out, &fresh, &last, LIBRO_STATUS_SUSPENSION, now_ms, 600, &err), &err, "first");
    ck_assert_int_eq(last.valid_until, t0 + 600);
    must(publish(&out, &fresh, &last, LIBRO_STATUS_SUSPENSION, now_ms + 299999, 600, &err), &err,
         "before half");
    ck_assert(!fresh);
    must(publish(&out, &fresh, &last, LIBRO_STATUS_SUSPENSION, now_ms + 300000, 600, &err), &err,
         "half");
    ck_assert(fresh);
    libro_buf_free(&out);
}
END_TEST

/* Bad arguments, a key the authorization does not name, another credential type. */
START_TEST(test_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_publish_options opt = LIBRO_PUBLISH_OPTIONS_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_published_list last = {0};
    libro_credential *board = parsed(board_auth_jws);
    bool fresh = false;
    int64_t now_ms = t0 * 1000;

    LIBRO_ASSERT_CODE(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms, 59, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "publish: validity must be 60 to 2678400");
    LIBRO_ASSERT_CODE(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, now_ms,
                              LIBRO_STATUS_LIST_MAX_SECONDS + 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "publish: validity must be");
    LIBRO_ASSERT_CODE(publish(&out, &fresh, &last, 4, now_ms, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "purpose set");
    LIBRO_ASSERT_CODE(publish(&out, &fresh, &last, LIBRO_STATUS_REVOCATION, 0, 0, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "the time");
    opt.purpose = LIBRO_STATUS_REVOCATION;
    opt.now_ms = now_ms;
    LIBRO_ASSERT_CODE(
        libro_registry_publish_list(&out, &fresh, &last, reg, registry_key, auth, &opt, &err),
        LIBRO_ERR_INVALID_ARG, &err, "publish: NULL argument or version");
    opt.url = URL_REV;
    opt.version = 0;
    LIBRO_ASSERT_CODE(
        libro_registry_publish_list(&out, &fresh, &last, reg, registry_key, auth, &opt, &err),
        LIBRO_ERR_INVALID_ARG, &err, "publish: NULL argument or version");
    opt.version = LIBRO_PUBLISH_OPTIONS_VERSION;
    LIBRO_ASSERT_CODE(
        libro_registry_publish_list(&out, &fresh, &last, reg, other_key, auth, &opt, &err),
        LIBRO_ERR_DENIED, &err, "publish: the key is not the one the registry authorization names");
    LIBRO_ASSERT_CODE(
        libro_registry_publish_list(&out, &fresh, &last, reg, registry_key, board, &opt, &err),
        LIBRO_ERR_DENIED, &err, "publish: the key is not the one");
    /* The id must be a status list URL the parser takes back. */
    opt.url = "ftp://example/list";
    LIBRO_ASSERT_CODE(
        libro_registry_publish_list(&out, &fresh, &last, reg, registry_key, auth, &opt, &err),
        LIBRO_ERR_SCHEMA, &err, "statuslist: id:");
    ck_assert_uint_eq(out.len, 0);
    ck_assert(!fresh && !last.used);
    libro_credential_free(board);
    libro_buf_free(&out);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("publish");
    TCase *ending = tcase_create("authorization ending");
    TCase *rules = tcase_create("rules");

    tcase_add_checked_fixture(ending, setup_ending, teardown);
    tcase_add_test(ending, test_capped_by_authorization);
    tcase_add_test(ending, test_authorization_end);
    suite_add_tcase(s, ending);
    tcase_add_checked_fixture(rules, setup_long, teardown);
    tcase_add_test(rules, test_default_window);
    tcase_add_test(rules, test_resign_rules);
    tcase_add_test(rules, test_short_window);
    tcase_add_test(rules, test_refusals);
    suite_add_tcase(s, rules);
    return s;
}
