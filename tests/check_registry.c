/* The registry over its SQLite store (registry/src): create/open/migrate, license types,
 * registration, the lifecycle journeys with their history and status bits, the clock,
 * status index reservation (random, unique, rollover), integrity, and two writers on one file.
 * Fixture: a temp dir and a registry created from a self-charter and a registry authorization
 * signed here with libro_issuer_sign. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define VF INT64_C(1796083200)      /* 2026-12-01T00:00:00Z */
#define VU (VF + 1095 * DAY - 1)    /* 2029-11-29T23:59:59Z (2028 is a leap year) */
#define T_OPENS (VU - 90 * DAY)     /* renewal window opens */
#define T_GRACE_END (VU + 30 * DAY) /* grace period ends */
#define COMMUNITY "urn:libro:town-7"
#define BOARD "urn:libro:town-7:health-board"
#define NURSING "nursing-general"

static char dir[256];
static char *db_path; /* test_db_new: a file, or a PostgreSQL schema */
static libro_key *town_key;
static libro_key *board_key;
static libro_key *registry_key;
static char *charter_jws;
static char *auth_jws;
static libro_registry *reg;

/* A license of the health board; with `status`, its credentialStatus names (list, index). */
static libro_credential *
license_at(const char *number, const char *holder, const char *type, int64_t from, int64_t until,
           bool status, uint32_t list, uint32_t index)
{
    libro_credential *c = new_cred(LIBRO_CRED_LICENSE, BOARD, NULL, holder, from, until);
    char url[128];

    if (status) {
        c->has_status = true;
        c->status_index = index;
        ck_assert_int_gt(snprintf(url, sizeof url,
                                  "https://registry.town-7.example/v1/status/%u/revocation",
                                  (unsigned) list),
                         0);
        c->status_revocation_list = sdup(url);
        ck_assert_int_gt(snprintf(url, sizeof url,
                                  "https://registry.town-7.example/v1/status/%u/suspension",
                                  (unsigned) list),
                         0);
        c->status_suspension_list = sdup(url);
    }
    c->license_number = sdup(number);
    c->profession = sdup("registered nurse");
    c->license_type = sdup(type);
    c->scope = libro_calloc(1, sizeof *c->scope);
    ck_assert_ptr_nonnull(c->scope);
    c->scope[0] = sdup("general care");
    c->n_scope = 1;
    c->community_id = sdup(COMMUNITY);
    c->community_level = 2;
    return c;
}

/* license_at, signed by the board. */
static char *
license_jws_at(const char *number, const char *holder, const char *type, int64_t from,
               int64_t until, bool status, uint32_t list, uint32_t index)
{
    libro_credential *c = license_at(number, holder, type, from, until, status, list, index);
    char *jws = sign(c, board_key);

    libro_credential_free(c);
    return jws;
}

static char *
license_jws(const char *number, const char *holder, const char *type, int64_t from, int64_t until)
{
    return license_jws_at(number, holder, type, from, until, false, 0, 0);
}

/* A new version of a registered license: its credentialStatus names the record's (list,
 * index), as a renewal must. */
static char *
renewal_jws(const char *number, const char *holder, const char *type, int64_t from, int64_t until)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};
    char *jws;

    ck_assert_int_eq(libro_registry_get(reg, &rec, NULL, NULL, "T7-N-0001", &err), LIBRO_OK);
    jws =
        license_jws_at(number, holder, type, from, until, true, rec.status_list, rec.status_index);
    libro_license_record_clear(&rec);
    return jws;
}

/* A charter of `subject` named `name` (level, one allowed type, community key `subject_key`)
 * signed by `key` of `issuer`. */
static char *
charter_of(const char *issuer, const char *subject, const char *name, int level,
           const char *allowed, int64_t from, int64_t until, const libro_key *subject_key,
           const libro_key *key)
{
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, issuer, subject, name, from, until);
    char *jws;

    c->level = level;
    c->subject_key = public_of(subject_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(allowed);
    c->n_allowed = 1;
    jws = sign(c, key);
    libro_credential_free(c);
    return jws;
}

static void
remove_db(void)
{
    test_db_remove(db_path);
    free(db_path);
    db_path = NULL;
}

/* The schema version a new registry has: SQLite's numbering, or PostgreSQL's own. */
static int
schema_now(void)
{
    return test_db_is_pg() ? libro_store__pg_latest() : libro_store__sqlite_latest();
}

static void
define_nursing(libro_registry *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_requirement req = {NULL, ">=", 60};
    libro_license_type t = {NULL, 1095, 90, 30, &req, 1};

    req.evidence = sdup("cpd_hours");
    t.id = sdup(NURSING);
    must(libro_registry_define_type(r, NULL, &t, "town-7 council", &err), &err, "define type");
    libro_free(req.evidence);
    libro_free(t.id);
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    libro_credential *auth;

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-registry-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    db_path = test_db_new(dir, "registry.db");
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&board_key, LIBRO_ALG_ED25519, &err), &err, "board key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");

    charter_jws = charter_of(COMMUNITY, COMMUNITY, "Town 7", 2, NURSING, VF - 365 * DAY,
                             VF + 3650 * DAY, town_key, town_key);

    auth = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry", "Town 7 Registry",
                    VF - 365 * DAY, VF + 3650 * DAY);
    auth->subject_key = public_of(registry_key);
    auth->url = sdup("https://registry.town-7.example");
    auth_jws = sign(auth, town_key);
    libro_credential_free(auth);

    must(libro_registry_create(db_path, charter_jws, auth_jws, &err), &err, "create");
    must(libro_registry_open(&reg, db_path, &err), &err, "open");
    define_nursing(reg);
}

static void
teardown(void)
{
    libro_registry_close(reg);
    reg = NULL;
    remove_db();
    (void) rmdir(dir);
    libro_free(auth_jws);
    libro_free(charter_jws);
    auth_jws = charter_jws = NULL;
    libro_key_free(registry_key);
    libro_key_free(board_key);
    libro_key_free(town_key);
    registry_key = board_key = town_key = NULL;
}

/* Reserve an index and register a license of the nursing type issued at VF. */
static void
issue(libro_registry *r, const char *number, uint32_t *list, uint32_t *index)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *jws;
    uint32_t l = 0;
    uint32_t i = 0;

    must(libro_registry_reserve_status(r, NULL, &l, &i, &err), &err, "reserve");
    jws = license_jws_at(number, "Ada Example", NURSING, VF, VU, true, l, i);
    must(libro_registry_register(r, NULL, jws, l, i, "health board", VF, &err), &err, "register");
    libro_free(jws);
    if (list != NULL) {
        *list = l;
    }
    if (index != NULL) {
        *index = i;
    }
}

static libro_license_state
state_of(const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec;
    libro_license_state s;

    must(libro_registry_get(reg, &rec, NULL, NULL, number, &err), &err, "get");
    s = rec.state;
    libro_license_record_clear(&rec);
    return s;
}

/* The license's two bits and its word, as published; every other status of the list is 0. */
static void
assert_bits(uint32_t list, uint32_t index, bool revoked, bool suspended, libro_status_word word)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_bitstring rev;
    libro_bitstring sus;
    libro_bitstring msg;
    size_t i;
    size_t set = 0;

    must(libro_registry_status_bits(reg, &rev, list, LIBRO_STATUS_REVOCATION, &err), &err,
         "revocation bits");
    must(libro_registry_status_bits(reg, &sus, list, LIBRO_STATUS_SUSPENSION, &err), &err,
         "suspension bits");
    ck_assert_uint_eq(rev.n_entries, LIBRO_STATUS_LIST_MIN_ENTRIES);
    ck_assert_int_eq(libro_bitstring_get(&rev, index), revoked);
    ck_assert_int_eq(libro_bitstring_get(&sus, index), suspended);
    for (i = 0; i < rev.n_entries; i++) {
        set += libro_bitstring_get(&rev, i) + libro_bitstring_get(&sus, i);
    }
    ck_assert_uint_eq(set, (size_t) revoked + (size_t) suspended); /* nothing else set */
    must(libro_registry_status_bits(reg, &msg, list, LIBRO_STATUS_MESSAGE, &err), &err,
         "message bits");
    ck_assert_uint_eq(msg.n_entries, 2 * LIBRO_STATUS_LIST_MIN_ENTRIES); /* statusSize 2 */
    ck_assert_uint_eq(libro_bitstring_get_value(&msg, index, 2), word);
    set = 0;
    for (i = 0; i < msg.n_entries; i++) {
        set += libro_bitstring_get(&msg, i);
    }
    ck_assert_uint_eq(set, word == LIBRO_WORD_ACTIVE ? 0 : 1); /* 01 or 10: one bit */
    libro_bitstring_free(&msg);
    libro_bitstring_free(&sus);
    libro_bitstring_free(&rev);
}

/* One status of a list as published: a bit, or a word of the message list. */
static unsigned
status_of(uint32_t list, uint32_t index, libro_status_purpose purpose)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_bitstring b;
    unsigned value;

    must(libro_registry_status_bits(reg, &b, list, (int) purpose, &err), &err, "status bits");
    value = libro_bitstring_get_value(&b, index, libro_status_purpose_size(purpose));
    libro_bitstring_free(&b);
    return value;
}

/* ------------------------------------------------------------------ create and open */

START_TEST(test_create_open)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *again = NULL;
    struct stat st;

    ck_assert_str_eq(libro_registry_charter(reg), charter_jws);
    ck_assert_str_eq(libro_registry_authorization(reg), auth_jws);
    ck_assert_int_eq(libro_registry_schema_version(reg), schema_now());
    if (!test_db_is_pg()) {
        ck_assert_int_eq(stat(db_path, &st), 0);
        ck_assert_uint_eq(st.st_mode & 0777u, 0600u);
    }

    /* Reopening runs the migrations again: nothing to do, same version, same data. */
    libro_registry_close(reg);
    reg = NULL;
    must(libro_registry_open(&reg, db_path, &err), &err, "reopen");
    must(libro_registry_open(&again, db_path, &err), &err, "second handle");
    ck_assert_int_eq(libro_registry_schema_version(again), schema_now());
    ck_assert_str_eq(libro_registry_charter(again), charter_jws);
    libro_registry_close(again);

    LIBRO_ASSERT_CODE(
        libro_registry_create(db_path, charter_jws, auth_jws, &err), LIBRO_ERR_EXISTS, &err,
        test_db_is_pg() ? "already holds a registry" : "exists: refusing to overwrite");
    must(libro_registry__integrity_check(reg, &err), &err, "integrity");
}
END_TEST

START_TEST(test_create_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    char *other = test_db_new(dir, "other.db");
    char *lic = license_jws("T7-N-0001", "Ada Example", NURSING, VF, VU);

    LIBRO_ASSERT_CODE(libro_registry_open(&r, other, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "no registry at");
    ck_assert_ptr_null(r);
    LIBRO_ASSERT_CODE(libro_registry_create(other, lic, auth_jws, &err), LIBRO_ERR_SCHEMA, &err,
                      "charter: credential is a ProfessionalLicense");
    LIBRO_ASSERT_CODE(libro_registry_create(other, charter_jws, charter_jws, &err),
                      LIBRO_ERR_SCHEMA, &err,
                      "registry authorization: credential is a CommunityCharter");
    LIBRO_ASSERT_CODE(libro_registry_create(other, "e30.e30", auth_jws, &err), LIBRO_ERR_PARSE,
                      &err, "charter: ");
    LIBRO_ASSERT_CODE(libro_registry_create(other, NULL, auth_jws, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "charter: credential is missing");
    ck_assert(!test_db_exists(other)); /* nothing left behind */

    /* A file that is not a database. */
    if (!test_db_sqlite_only("a file that is not a database")) {
        FILE *f = fopen(other, "w");

        ck_assert_ptr_nonnull(f);
        ck_assert_int_gt(fputs("not a database, not at all, really not a database\n", f), 0);
        ck_assert_int_eq(fclose(f), 0);
        LIBRO_ASSERT_CODE(libro_registry_open(&r, other, &err), LIBRO_ERR_IO, &err,
                          "not a registry database");
    }
    test_db_remove(other);
    free(other);
    libro_free(lic);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    char sql[128];
    char want[128];

    libro_registry_close(reg);
    reg = NULL;
    ck_assert_int_lt(snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (%d, 0)",
                              test_db_is_pg() ? "libro_schema_version" : "schema_version",
                              schema_now() + 1),
                     (int) sizeof sql);
    test_db_sql(db_path, sql);
    ck_assert_int_lt(snprintf(want, sizeof want,
                              "database schema version %d is newer than this libro knows (%d)",
                              schema_now() + 1, schema_now()),
                     (int) sizeof want);
    LIBRO_ASSERT_CODE(libro_registry_open(&reg, db_path, &err), LIBRO_ERR_UNSUPPORTED, &err, want);
    ck_assert_ptr_null(reg);
}
END_TEST

/* A database of schema 1 (as the first release wrote it) is brought to the current schema on
 * open, its reservations counted into the list usage table of schema 3. */
START_TEST(test_migrates_forward)
{
    libro_error err = LIBRO_ERROR_INIT;
    static const char to_v1[] =
        LIBRO_TEST_SQL_UNDO_8 "DROP TABLE status_version;"
                              "DROP TABLE law; DROP TABLE consent_step; DROP TABLE consent_process;"
                              "DROP TABLE agreement_party; DROP TABLE agreement;"
                              "DROP TABLE mandate; DROP TABLE seat;"
                              "DROP TABLE status_message;"
                              "DROP TRIGGER status_slot_counted; DROP TABLE status_list_usage;"
                              "DROP TABLE issuer_authorization; DROP TABLE request_id;"
                              "DROP TABLE log_leaf; DROP TABLE log_node;"
                              "DELETE FROM schema_version WHERE version >= 2;";
    uint32_t list = 0;
    uint32_t index = 0;

    if (test_db_sqlite_only("SQLite's schema 1 (PostgreSQL's numbering starts at SQLite's 8)")) {
        return;
    }
    /* Six of eight indexes taken before: the seventh still goes to list 0, and then 7/8 of it
     * is used, so the eighth opens list 1 (only if the six were counted by the migration). */
    for (int i = 0; i < 6; i++) {
        must(libro_registry__reserve(reg, NULL, 8, &list, &index, &err), &err, "reserve");
    }
    libro_registry_close(reg);
    reg = NULL;
    test_db_sql(db_path, to_v1);
    ck_assert_int_eq(libro_registry_open(&reg, db_path, &err), LIBRO_OK);
    ck_assert_int_eq(libro_registry_schema_version(reg), libro_store__sqlite_latest());
    must(libro_registry__reserve(reg, NULL, 8, &list, &index, &err), &err, "reserve");
    ck_assert_uint_eq(list, 0);
    must(libro_registry__reserve(reg, NULL, 8, &list, &index, &err), &err, "reserve");
    ck_assert_uint_eq(list, 1);
    ck_assert_int_eq(libro_registry__integrity_check(reg, &err), LIBRO_OK);
    (void) test_db_int(db_path, "SELECT count(*) FROM log_node");
}
END_TEST

/* A database of schema 3 (before the status words) with a surrendered and a lapsed license:
 * migration 4 gives them their words, so its message list reads as a new database's would. */
START_TEST(test_migrates_words)
{
    libro_error err = LIBRO_ERROR_INIT;
    static const char to_v3[] =
        LIBRO_TEST_SQL_UNDO_8 "DROP TABLE status_version;"
                              "DROP TABLE law; DROP TABLE consent_step; DROP TABLE consent_process;"
                              "DROP TABLE agreement_party; DROP TABLE agreement;"
                              "DROP TABLE mandate; DROP TABLE seat;"
                              "DROP TABLE status_message;"
                              "DELETE FROM schema_version WHERE version >= 4;";
    uint32_t list[3] = {0, 0, 0};
    uint32_t index[3] = {0, 0, 0};
    size_t changed = 0;

    if (test_db_sqlite_only("SQLite's schema 3 (PostgreSQL's numbering starts at SQLite's 8)")) {
        return;
    }
    issue(reg, "T7-N-0001", &list[0], &index[0]);
    issue(reg, "T7-N-0002", &list[1], &index[1]);
    issue(reg, "T7-N-0003", &list[2], &index[2]);
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_SURRENDER, "Ada Example",
                               "retiring", VF + DAY, &err),
         &err, "surrender");
    must(libro_registry_change(reg, NULL, "T7-N-0002", LIBRO_ACTION_REVOKE, "registrar",
                               "struck off", VF + DAY, &err),
         &err, "revoke");
    must(libro_registry_tick(reg, T_GRACE_END + 1, &changed, &err), &err, "tick");
    ck_assert_int_eq(state_of("T7-N-0003"), LIBRO_STATE_LAPSED);
    libro_registry_close(reg);
    reg = NULL;
    test_db_sql(db_path, to_v3);
    must(libro_registry_open(&reg, db_path, &err), &err, "open schema 3");
    ck_assert_int_eq(libro_registry_schema_version(reg), libro_store__sqlite_latest());
    ck_assert_uint_eq(status_of(list[0], index[0], LIBRO_STATUS_REVOCATION), 1);
    ck_assert_uint_eq(status_of(list[0], index[0], LIBRO_STATUS_MESSAGE), LIBRO_WORD_SURRENDERED);
    ck_assert_uint_eq(status_of(list[1], index[1], LIBRO_STATUS_REVOCATION), 1);
    ck_assert_uint_eq(status_of(list[1], index[1], LIBRO_STATUS_MESSAGE), LIBRO_WORD_ACTIVE);
    ck_assert_uint_eq(status_of(list[2], index[2], LIBRO_STATUS_REVOCATION), 0);
    ck_assert_uint_eq(status_of(list[2], index[2], LIBRO_STATUS_MESSAGE), LIBRO_WORD_LAPSED);
    must(libro_registry__integrity_check(reg, &err), &err, "integrity");
}
END_TEST

/* ------------------------------------------------------------------ types */

START_TEST(test_types)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type got;
    libro_requirement reqs[2] = {{NULL, ">=", 60}, {NULL, "<", 3}};
    libro_license_type t = {NULL, 365, 30, 10, reqs, 2};

    must(libro_registry_get_type(reg, &got, NURSING, &err), &err, "get type");
    ck_assert_str_eq(got.id, NURSING);
    ck_assert_uint_eq(got.validity_days, 1095);
    ck_assert_uint_eq(got.renewal_window_days, 90);
    ck_assert_uint_eq(got.grace_days, 30);
    ck_assert_uint_eq(got.n_requirements, 1);
    ck_assert_str_eq(got.requirements[0].evidence, "cpd_hours");
    ck_assert_str_eq(got.requirements[0].op, ">=");
    ck_assert_int_eq(got.requirements[0].value, 60);
    libro_license_type_clear(&got);

    reqs[0].evidence = sdup("cpd_hours");
    reqs[1].evidence = sdup("complaints");
    t.id = sdup("midwifery");
    must(libro_registry_define_type(reg, NULL, &t, "council", &err), &err, "define");
    must(libro_registry_get_type(reg, &got, "midwifery", &err), &err, "get");
    ck_assert_uint_eq(got.n_requirements, 2);
    ck_assert_str_eq(got.requirements[1].evidence, "complaints");
    ck_assert_str_eq(got.requirements[1].op, "<");
    libro_license_type_clear(&got);

    /* A redefinition replaces the type. */
    t.n_requirements = 0;
    t.grace_days = 0;
    must(libro_registry_define_type(reg, NULL, &t, "council", &err), &err, "redefine");
    must(libro_registry_get_type(reg, &got, "midwifery", &err), &err, "get");
    ck_assert_uint_eq(got.n_requirements, 0);
    ck_assert_uint_eq(got.grace_days, 0);
    libro_license_type_clear(&got);

    LIBRO_ASSERT_CODE(libro_registry_get_type(reg, &got, "dentistry", &err), LIBRO_ERR_NOT_FOUND,
                      &err, "license type dentistry is not defined");
    t.validity_days = 0;
    LIBRO_ASSERT_CODE(libro_registry_define_type(reg, NULL, &t, "council", &err),
                      LIBRO_ERR_INVALID_ARG, &err, "validity must be 1 to 3660 days");
    t.validity_days = 30;
    t.renewal_window_days = 31;
    LIBRO_ASSERT_CODE(libro_registry_define_type(reg, NULL, &t, "council", &err),
                      LIBRO_ERR_INVALID_ARG, &err, "renewal window longer than the validity");
    t.renewal_window_days = 0;
    t.n_requirements = 2;
    memcpy(reqs[1].op, "!=", 3);
    LIBRO_ASSERT_CODE(libro_registry_define_type(reg, NULL, &t, "council", &err),
                      LIBRO_ERR_INVALID_ARG, &err, "requirement 2 is malformed");
    memcpy(reqs[1].op, "<", 2);
    LIBRO_ASSERT_CODE(libro_registry_define_type(reg, NULL, &t, "", &err), LIBRO_ERR_INVALID_ARG,
                      &err, "actor is empty");
    libro_free(t.id);
    t.id = sdup("Bad_Id");
    LIBRO_ASSERT_CODE(libro_registry_define_type(reg, NULL, &t, "council", &err),
                      LIBRO_ERR_INVALID_ARG, &err,
                      "license type id must be 1 to 64 bytes of [a-z0-9-]");
    libro_free(t.id);
    libro_free(reqs[0].evidence);
    libro_free(reqs[1].evidence);
}
END_TEST

/* ------------------------------------------------------------------ register */

START_TEST(test_register)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec;
    libro_license_event *ev = NULL;
    size_t n = 0;
    uint32_t list = 0;
    uint32_t index = 0;
    uint32_t l2 = 0;
    uint32_t i2 = 0;
    char *dupe = license_jws("T7-N-0001", "Someone Else", NURSING, VF, VU);
    char *untyped = license_jws("T7-M-0001", "Ada Example", "midwifery", VF, VU);
    char *too_long = license_jws("T7-N-0002", "Ada Example", NURSING, VF, VU + 2);
    char *fresh = license_jws("T7-N-0003", "Ada Example", NURSING, VF, VU);

    issue(reg, "T7-N-0001", &list, &index);
    must(libro_registry_get(reg, &rec, &ev, &n, "T7-N-0001", &err), &err, "get");
    ck_assert_str_eq(rec.number, "T7-N-0001");
    ck_assert_uint_eq(rec.version, 1);
    ck_assert_int_eq(rec.state, LIBRO_STATE_ACTIVE);
    ck_assert_str_eq(rec.license_type, NURSING);
    ck_assert_str_eq(rec.holder_name, "Ada Example");
    ck_assert_str_eq(rec.issuer, BOARD);
    ck_assert_int_eq(rec.valid_from, VF);
    ck_assert_int_eq(rec.valid_until, VU);
    ck_assert_uint_eq(rec.status_list, list);
    ck_assert_uint_eq(rec.status_index, index);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(ev[0].action, LIBRO_ACTION_ISSUE);
    ck_assert_int_eq(ev[0].from, 0);
    ck_assert_int_eq(ev[0].to, LIBRO_STATE_ACTIVE);
    ck_assert_str_eq(ev[0].actor, "health board");
    ck_assert_int_eq(ev[0].at, VF);
    ck_assert_ptr_null(ev[0].evidence);
    libro_license_events_free(ev, n);
    libro_license_record_clear(&rec);
    assert_bits(list, index, false, false, LIBRO_WORD_ACTIVE);

    must(libro_registry_reserve_status(reg, NULL, &l2, &i2, &err), &err, "reserve");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, dupe, l2, i2, "board", VF, &err),
                      LIBRO_ERR_EXISTS, &err, "license T7-N-0001 is already registered");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, untyped, l2, i2, "board", VF, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "license type midwifery is not defined");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, too_long, l2, i2, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err,
                      "credential runs longer than the 1095 days of license type nursing-general");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, "abc", l2, i2, "board", VF, &err),
                      LIBRO_ERR_PARSE, &err, NULL);
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, NULL, l2, i2, "board", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "credential is missing");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, charter_jws, l2, i2, "board", VF, &err),
                      LIBRO_ERR_SCHEMA, &err, "credential is a CommunityCharter");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, fresh, list, index, "board", VF, &err),
                      LIBRO_ERR_EXISTS, &err, "is used by another license");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, fresh, l2 + 5, 7, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err, "status index 7 of list");
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, fresh, l2, i2, "", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "actor is empty");
    /* The credential must carry status entries naming exactly the reserved slot. */
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, fresh, l2, i2, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err, "license T7-N-0003 carries no credentialStatus");
    libro_free(fresh);
    fresh = license_jws_at("T7-N-0003", "Ada Example", NURSING, VF, VU, true, l2, i2 + 1);
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, fresh, l2, i2, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err, "its status entries do not name list");
    libro_free(fresh);
    fresh = license_jws_at("T7-N-0003", "Ada Example", NURSING, VF, VU, true, l2 + 1, i2);
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, fresh, l2, i2, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err, "its status entries do not name list");
    libro_free(fresh);
    fresh = license_jws_at("T7-N-0003", "Ada Example", NURSING, VF, VU, true, l2, i2);
    must(libro_registry_register(reg, NULL, fresh, l2, i2, "board", VF, &err), &err,
         "register fresh");
    /* In-process, where the lists are published is the operator's: only "/<list>/<purpose>"
     * at the end is the registry's (the API checks its own base URL). */
    {
        libro_credential *c = license_at("T7-N-0004", "Ada Example", NURSING, VF, VU, true, l2, 0);
        char url[64];
        char *elsewhere;

        must(libro_registry_reserve_status(reg, NULL, &l2, &i2, &err), &err, "reserve");
        c->status_index = i2;
        libro_free(c->status_revocation_list);
        libro_free(c->status_suspension_list);
        ck_assert_int_gt(
            snprintf(url, sizeof url, "https://lists.town-7.example/%u/revocation", (unsigned) l2),
            0);
        c->status_revocation_list = sdup(url);
        ck_assert_int_gt(
            snprintf(url, sizeof url, "https://lists.town-7.example/%u/suspension", (unsigned) l2),
            0);
        c->status_suspension_list = sdup(url);
        elsewhere = sign(c, board_key);
        libro_credential_free(c);
        must(libro_registry_register(reg, NULL, elsewhere, l2, i2, "board", VF, &err), &err,
             "lists published elsewhere");
        libro_free(elsewhere);
    }
    LIBRO_ASSERT_CODE(libro_registry_get(reg, &rec, NULL, NULL, "T7-N-9999", &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no license T7-N-9999");
    libro_free(fresh);
    libro_free(too_long);
    libro_free(untyped);
    libro_free(dupe);
}
END_TEST

/* ------------------------------------------------------------------ journeys */

START_TEST(test_journey_suspend_renew_revoke)
{
    static const libro_evidence evidence[] = {{"cpd_hours", 64}, {"shifts", 210}};
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec;
    libro_license_event *ev = NULL;
    size_t n = 0;
    uint32_t list = 0;
    uint32_t index = 0;
    char *renewal;

    issue(reg, "T7-N-0001", &list, &index);
    renewal = renewal_jws("T7-N-0001", "Ada Example", NURSING, VU + 1, VU + 1095 * DAY);
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_SUSPEND, "registrar",
                               "complaint under investigation", VF + 10 * DAY, &err),
         &err, "suspend");
    assert_bits(list, index, false, true, LIBRO_WORD_ACTIVE);
    LIBRO_ASSERT_CODE(libro_registry_renew(reg, NULL, "T7-N-0001", renewal, evidence, 2, "board",
                                           "", T_OPENS + DAY, &err),
                      LIBRO_ERR_DENIED, &err, "reinstate it first");
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE, "registrar",
                               "complaint dismissed", VF + 20 * DAY, &err),
         &err, "reinstate");
    assert_bits(list, index, false, false, LIBRO_WORD_ACTIVE);
    must(libro_registry_renew(reg, NULL, "T7-N-0001", renewal, evidence, 2, "board", "on time",
                              T_OPENS + DAY, &err),
         &err, "renew");
    assert_bits(list, index, false, false, LIBRO_WORD_ACTIVE);
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REVOKE, "registrar",
                               "struck off by the tribunal", T_OPENS + 2 * DAY, &err),
         &err, "revoke");
    assert_bits(list, index, true, false, LIBRO_WORD_ACTIVE);
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE,
                                            "registrar", "appeal", T_OPENS + 3 * DAY, &err),
                      LIBRO_ERR_DENIED, &err, "a revoked license cannot be reinstated");

    must(libro_registry_get(reg, &rec, &ev, &n, "T7-N-0001", &err), &err, "get");
    ck_assert_int_eq(rec.state, LIBRO_STATE_REVOKED);
    ck_assert_uint_eq(rec.version, 2);
    ck_assert_int_eq(rec.valid_from, VU + 1);
    ck_assert_int_eq(rec.valid_until, VU + 1095 * DAY);
    ck_assert_str_eq(rec.credential, renewal);
    ck_assert_uint_eq(rec.status_index, index); /* same index across versions */
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(ev[1].action, LIBRO_ACTION_SUSPEND);
    ck_assert_str_eq(ev[1].actor, "registrar");
    ck_assert_str_eq(ev[1].reason, "complaint under investigation");
    ck_assert_int_eq(ev[1].at, VF + 10 * DAY);
    ck_assert_int_eq(ev[1].from, LIBRO_STATE_ACTIVE);
    ck_assert_int_eq(ev[1].to, LIBRO_STATE_SUSPENDED);
    ck_assert_uint_eq(ev[1].version, 1);
    ck_assert_int_eq(ev[2].action, LIBRO_ACTION_REINSTATE);
    ck_assert_str_eq(ev[2].reason, "complaint dismissed");
    ck_assert_int_eq(ev[2].to, LIBRO_STATE_ACTIVE);
    ck_assert_int_eq(ev[3].action, LIBRO_ACTION_RENEW);
    ck_assert_uint_eq(ev[3].version, 2);
    ck_assert_str_eq(ev[3].evidence, "cpd_hours=64,shifts=210");
    ck_assert_str_eq(ev[3].reason, "on time");
    ck_assert_str_eq(ev[3].actor, "board");
    ck_assert_int_eq(ev[3].from, LIBRO_STATE_ACTIVE);
    ck_assert_int_eq(ev[3].to, LIBRO_STATE_ACTIVE);
    ck_assert_int_eq(ev[4].action, LIBRO_ACTION_REVOKE);
    ck_assert_int_eq(ev[4].to, LIBRO_STATE_REVOKED);
    ck_assert_uint_eq(ev[4].version, 2);
    libro_license_events_free(ev, n);
    libro_license_record_clear(&rec);
    libro_free(renewal);
    must(libro_registry__integrity_check(reg, &err), &err, "integrity");
}
END_TEST

START_TEST(test_journey_expire_renew_in_grace)
{
    static const libro_evidence evidence[] = {{"cpd_hours", 60}};
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec;
    libro_license_event *ev = NULL;
    size_t n = 0;
    size_t changed = 99;
    int64_t now = VU + 10 * DAY;
    uint32_t list = 0;
    uint32_t index = 0;
    char *renewal;

    issue(reg, "T7-N-0001", &list, &index);
    renewal = renewal_jws("T7-N-0001", "Ada Example", NURSING, now, now + 1095 * DAY);
    must(libro_registry_tick(reg, VU, &changed, &err), &err, "tick at validUntil");
    ck_assert_uint_eq(changed, 0); /* its last valid second */
    must(libro_registry_tick(reg, VU + 1, &changed, &err), &err, "tick after validUntil");
    ck_assert_uint_eq(changed, 1);
    ck_assert_int_eq(state_of("T7-N-0001"), LIBRO_STATE_EXPIRED);
    assert_bits(list, index, false, false, LIBRO_WORD_ACTIVE); /* expired has no word */
    must(libro_registry_tick(reg, T_GRACE_END, &changed, &err), &err, "tick at grace end");
    ck_assert_uint_eq(changed, 0);
    must(libro_registry_renew(reg, NULL, "T7-N-0001", renewal, evidence, 1, "board", NULL, now,
                              &err),
         &err, "renew in grace");
    must(libro_registry_get(reg, &rec, &ev, &n, "T7-N-0001", &err), &err, "get");
    ck_assert_int_eq(rec.state, LIBRO_STATE_ACTIVE);
    ck_assert_uint_eq(rec.version, 2);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ev[1].action, LIBRO_ACTION_EXPIRE);
    ck_assert_str_eq(ev[1].actor, "registry");
    ck_assert_str_eq(ev[1].reason, "");
    ck_assert_int_eq(ev[1].at, VU + 1);
    ck_assert_int_eq(ev[2].action, LIBRO_ACTION_RENEW);
    ck_assert_int_eq(ev[2].from, LIBRO_STATE_EXPIRED);
    ck_assert_int_eq(ev[2].to, LIBRO_STATE_ACTIVE);
    libro_license_events_free(ev, n);
    libro_license_record_clear(&rec);
    libro_free(renewal);
}
END_TEST

START_TEST(test_journey_lapse)
{
    static const libro_evidence evidence[] = {{"cpd_hours", 60}};
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec;
    libro_license_event *ev = NULL;
    size_t n = 0;
    size_t changed = 0;
    int64_t now = T_GRACE_END + 1;
    uint32_t list = 0;
    uint32_t index = 0;
    char *renewal;

    issue(reg, "T7-N-0001", &list, &index);
    renewal = renewal_jws("T7-N-0001", "Ada Example", NURSING, now, now + 1095 * DAY);
    /* Found long after its grace period: expires and lapses in one run. */
    must(libro_registry_tick(reg, now, &changed, &err), &err, "tick");
    ck_assert_uint_eq(changed, 2);
    must(libro_registry_get(reg, &rec, &ev, &n, "T7-N-0001", &err), &err, "get");
    ck_assert_int_eq(rec.state, LIBRO_STATE_LAPSED);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ev[1].action, LIBRO_ACTION_EXPIRE);
    ck_assert_int_eq(ev[2].action, LIBRO_ACTION_LAPSE);
    ck_assert_int_eq(ev[2].from, LIBRO_STATE_EXPIRED);
    ck_assert_int_eq(ev[2].to, LIBRO_STATE_LAPSED);
    assert_bits(list, index, false, false, LIBRO_WORD_LAPSED); /* in the tick's transaction */
    libro_license_events_free(ev, n);
    libro_license_record_clear(&rec);
    LIBRO_ASSERT_CODE(libro_registry_renew(reg, NULL, "T7-N-0001", renewal, evidence, 1, "board",
                                           NULL, now, &err),
                      LIBRO_ERR_DENIED, &err, "a lapsed license cannot be renewed");
    must(libro_registry_tick(reg, now + DAY, &changed, &err), &err, "tick again");
    ck_assert_uint_eq(changed, 0);
    libro_free(renewal);
}
END_TEST

START_TEST(test_surrender)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint32_t list = 0;
    uint32_t index = 0;
    uint32_t list2 = 0;
    uint32_t index2 = 0;

    issue(reg, "T7-N-0001", &list, &index);
    issue(reg, "T7-N-0002", &list2, &index2);
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_SUSPEND, "registrar", "audit",
                               VF + DAY, &err),
         &err, "suspend");
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_SURRENDER, "Ada Example",
                               "retiring", VF + 2 * DAY, &err),
         &err, "surrender");
    ck_assert_int_eq(state_of("T7-N-0001"), LIBRO_STATE_SURRENDERED);
    /* Surrender is final: the revocation bit (for verifiers that read no word), no longer the
     * suspension bit, and the word "surrendered". */
    assert_bits(list, index, true, false, LIBRO_WORD_SURRENDERED);
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REVOKE,
                                            "registrar", "late", VF + 3 * DAY, &err),
                      LIBRO_ERR_DENIED, &err, "a surrendered license cannot be revoked");
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0404", LIBRO_ACTION_REVOKE,
                                            "registrar", "who", VF, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no license T7-N-0404");
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0002", LIBRO_ACTION_RENEW, "registrar",
                                            "no", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "action must be suspend, reinstate");
    ck_assert_int_eq(state_of("T7-N-0002"), LIBRO_STATE_ACTIVE);
}
END_TEST

START_TEST(test_renew_refusals)
{
    static const libro_evidence enough[] = {{"cpd_hours", 60}};
    static const libro_evidence short_ev[] = {{"cpd_hours", 59}};
    static const libro_evidence negative[] = {{"cpd_hours", -1}};
    static const libro_evidence twice[] = {{"cpd_hours", 60}, {"cpd_hours", 61}};
    static const libro_evidence bad_name[] = {{"CPD", 60}};
    libro_error err = LIBRO_ERROR_INIT;
    int64_t now = T_OPENS;
    char *ok;
    char *other_number = license_jws("T7-N-0002", "Ada Example", NURSING, now, now + 1095 * DAY);
    char *other_holder;
    char *backdated;
    char *skewed;
    char *too_long;
    libro_license_record rec;

    issue(reg, "T7-N-0001", NULL, NULL);
    ok = renewal_jws("T7-N-0001", "Ada Example", NURSING, now, now + 1095 * DAY);
    other_holder = renewal_jws("T7-N-0001", "Bob Example", NURSING, now, now + 1095 * DAY);
    backdated = renewal_jws("T7-N-0001", "Ada Example", NURSING, now - 301, now + DAY);
    skewed = renewal_jws("T7-N-0001", "Ada Example", NURSING, now - 300, now + DAY);
    too_long = renewal_jws("T7-N-0001", "Ada Example", NURSING, now, now + 1095 * DAY + 1);
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", ok, enough, 1, "board", NULL, now - 1, &err),
        LIBRO_ERR_DENIED, &err, "renewal opens 2029-08-31T23:59:59Z");
    LIBRO_ASSERT_CODE(libro_registry_renew(reg, NULL, "T7-N-0001", other_number, enough, 1, "board",
                                           NULL, now, &err),
                      LIBRO_ERR_DENIED, &err, "credential is for license T7-N-0002, not T7-N-0001");
    LIBRO_ASSERT_CODE(libro_registry_renew(reg, NULL, "T7-N-0001", other_holder, enough, 1, "board",
                                           NULL, now, &err),
                      LIBRO_ERR_DENIED, &err, "credential names another holder");
    LIBRO_ASSERT_CODE(libro_registry_renew(reg, NULL, "T7-N-0001", backdated, enough, 1, "board",
                                           NULL, now, &err),
                      LIBRO_ERR_DENIED, &err, "validFrom lies more than 5 minutes in the past");
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", too_long, enough, 1, "board", NULL, now, &err),
        LIBRO_ERR_DENIED, &err, "credential runs longer than the 1095 days");
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", ok, short_ev, 1, "board", NULL, now, &err),
        LIBRO_ERR_DENIED, &err, "requirement cpd_hours >= 60 not met (59 recorded)");
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", ok, NULL, 0, "board", NULL, now, &err),
        LIBRO_ERR_DENIED, &err, "requirement cpd_hours >= 60 not met (none recorded)");
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", ok, negative, 1, "board", NULL, now, &err),
        LIBRO_ERR_INVALID_ARG, &err, "evidence cpd_hours is negative");
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", ok, twice, 2, "board", NULL, now, &err),
        LIBRO_ERR_INVALID_ARG, &err, "evidence cpd_hours given twice");
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", ok, bad_name, 1, "board", NULL, now, &err),
        LIBRO_ERR_INVALID_ARG, &err, "evidence 1: name must be 1 to 64 bytes of [a-z0-9_]");
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0404", ok, enough, 1, "board", NULL, now, &err),
        LIBRO_ERR_NOT_FOUND, &err, "no license T7-N-0404");
    /* Nothing above changed the license. */
    must(libro_registry_get(reg, &rec, NULL, NULL, "T7-N-0001", &err), &err, "get");
    ck_assert_uint_eq(rec.version, 1);
    libro_license_record_clear(&rec);
    /* The skew allowance is exactly 5 minutes. */
    must(libro_registry_renew(reg, NULL, "T7-N-0001", skewed, enough, 1, "board", NULL, now, &err),
         &err, "renew with skew");
    libro_free(too_long);
    libro_free(skewed);
    libro_free(backdated);
    libro_free(other_holder);
    libro_free(other_number);
    libro_free(ok);
}
END_TEST

START_TEST(test_actor_reason_bounds)
{
    libro_error err = LIBRO_ERROR_INIT;
    char long_text[202];

    issue(reg, "T7-N-0001", NULL, NULL);
    memset(long_text, 'a', sizeof long_text);
    long_text[200] = '\0'; /* 200 bytes: allowed */
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_SUSPEND, long_text, long_text,
                               VF, &err),
         &err, "200-byte actor and reason");
    long_text[200] = 'a';
    long_text[201] = '\0'; /* 201 bytes */
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE,
                                            long_text, "ok", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "actor is longer than 200 bytes");
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE, "ops",
                                            long_text, VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "reason is longer than 200 bytes");
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE, "ops",
                                            "line\nbreak", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err,
                      "reason is not UTF-8 text without control characters");
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE,
                                            "op\xc3", "why", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err,
                      "actor is not UTF-8 text without control characters");
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE,
                                            "ops\xc2\x85", "why", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "actor is not UTF-8"); /* C1 control (NEL) */
    LIBRO_ASSERT_CODE(
        libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE, "ops", "", VF, &err),
        LIBRO_ERR_INVALID_ARG, &err, "reason is empty");
    LIBRO_ASSERT_CODE(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE, NULL,
                                            "why", VF, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "actor is missing");
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_REINSTATE, "Zoë Ødegård",
                               "cleared — no case", VF, &err),
         &err, "UTF-8 actor and reason");
}
END_TEST

/* ------------------------------------------------------------------ queries */

START_TEST(test_expiring_and_counts)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record *list = NULL;
    size_t n = 0;
    size_t counts[7];
    size_t changed = 0;
    char *early;
    uint32_t l = 0;
    uint32_t i = 0;

    issue(reg, "T7-N-0001", NULL, NULL);
    issue(reg, "T7-N-0002", NULL, NULL);
    issue(reg, "T7-N-0003", NULL, NULL);
    must(libro_registry_reserve_status(reg, NULL, &l, &i, &err), &err, "reserve");
    early = license_jws_at("T7-N-0009", "Early Bird", NURSING, VF, VU - 200 * DAY, true, l, i);
    must(libro_registry_register(reg, NULL, early, l, i, "board", VF, &err), &err,
         "register early");
    must(libro_registry_change(reg, NULL, "T7-N-0002", LIBRO_ACTION_SUSPEND, "registrar", "audit",
                               VF, &err),
         &err, "suspend");
    must(libro_registry_change(reg, NULL, "T7-N-0003", LIBRO_ACTION_REVOKE, "registrar", "fraud",
                               VF, &err),
         &err, "revoke");

    /* 100 days before VU: the early one expired (tick) and is in grace? No: 100 days after its
     * validUntil, past its 30-day grace, so it lapses; 0001 expires within 100 days. */
    must(libro_registry_tick(reg, VU - 100 * DAY, &changed, &err), &err, "tick");
    ck_assert_uint_eq(changed, 2);
    must(libro_registry_expiring(reg, &list, &n, VU - 100 * DAY, 100 * DAY, &err), &err,
         "expiring");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(list[0].number, "T7-N-0001");
    libro_license_records_free(list, n);
    must(libro_registry_expiring(reg, &list, &n, VU - 100 * DAY, 100 * DAY - 1, &err), &err,
         "expiring");
    ck_assert_uint_eq(n, 0);
    libro_license_records_free(list, n);

    must(libro_registry_tick(reg, VU + DAY, &changed, &err), &err, "tick");
    ck_assert_uint_eq(changed, 1);
    /* Expired in grace: still listed, to be chased for renewal. */
    must(libro_registry_expiring(reg, &list, &n, VU + DAY, 30 * DAY, &err), &err, "expiring");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(list[0].number, "T7-N-0001");
    ck_assert_int_eq(list[0].state, LIBRO_STATE_EXPIRED);
    libro_license_records_free(list, n);

    must(libro_registry_counts(reg, counts, &err), &err, "counts");
    ck_assert_uint_eq(counts[LIBRO_STATE_ACTIVE], 0);
    ck_assert_uint_eq(counts[LIBRO_STATE_SUSPENDED], 1);
    ck_assert_uint_eq(counts[LIBRO_STATE_REVOKED], 1);
    ck_assert_uint_eq(counts[LIBRO_STATE_EXPIRED], 1);
    ck_assert_uint_eq(counts[LIBRO_STATE_LAPSED], 1);
    ck_assert_uint_eq(counts[LIBRO_STATE_SURRENDERED], 0);
    LIBRO_ASSERT_CODE(libro_registry_expiring(reg, &list, &n, VF, -1, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "negative interval");
    libro_free(early);
}
END_TEST

/* ------------------------------------------------------------------ stored once */

/* One integer from `sql` run on the database (a second connection). */
static long long
sql_int(const char *sql)
{
    return (long long) test_db_int(db_path, sql);
}

/* How many columns named `column` table `table` has (0 or 1). */
static long long
columns_named(const char *table, const char *column)
{
    char sql[256];

    ck_assert_int_lt(snprintf(sql, sizeof sql,
                              test_db_is_pg()
                                  ? "SELECT count(*) FROM information_schema.columns WHERE"
                                    " table_schema = current_schema() AND table_name = '%s'"
                                    " AND column_name = '%s'"
                                  : "SELECT count(*) FROM pragma_table_info('%s')"
                                    " WHERE name = '%s'",
                              table, column),
                     (int) sizeof sql);
    return sql_int(sql);
}

/* T7-N-0001 issued, then renewed: its two credentials in *v1 and *v2 (caller frees). */
static void
issue_and_renew(char **v1, char **v2)
{
    static const libro_evidence evidence[] = {{"cpd_hours", 64}};
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};

    issue(reg, "T7-N-0001", NULL, NULL);
    must(libro_registry_get(reg, &rec, NULL, NULL, "T7-N-0001", &err), &err, "get");
    *v1 = sdup(rec.credential);
    libro_license_record_clear(&rec);
    *v2 = renewal_jws("T7-N-0001", "Ada Example", NURSING, VU + 1, VU + 1095 * DAY);
    must(libro_registry_renew(reg, NULL, "T7-N-0001", *v2, evidence, 1, "board", NULL,
                              T_OPENS + DAY, &err),
         &err, "renew");
}

/* The history of T7-N-0001 after issue_and_renew and a suspension: each version's credential
 * with its issue or renew event, none with the others. */
static void
assert_history(const char *v1, const char *v2)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};
    libro_license_event *ev = NULL;
    size_t n = 0;

    must(libro_registry_get(reg, &rec, &ev, &n, "T7-N-0001", &err), &err, "get");
    ck_assert_uint_eq(rec.version, 2);
    ck_assert_str_eq(rec.credential, v2);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ev[0].action, LIBRO_ACTION_ISSUE);
    ck_assert_str_eq(ev[0].credential, v1);
    ck_assert_int_eq(ev[1].action, LIBRO_ACTION_RENEW);
    ck_assert_uint_eq(ev[1].version, 2);
    ck_assert_str_eq(ev[1].credential, v2);
    ck_assert_int_eq(ev[2].action, LIBRO_ACTION_SUSPEND);
    ck_assert_ptr_null(ev[2].credential);
    libro_license_events_free(ev, n);
    libro_license_record_clear(&rec);
}

/* Each version's credential is stored once: not in the license row, not in the events. */
START_TEST(test_credential_stored_once)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *v1 = NULL;
    char *v2 = NULL;

    issue_and_renew(&v1, &v2);
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_SUSPEND, "registrar", "audit",
                               T_OPENS + 2 * DAY, &err),
         &err, "suspend");
    assert_history(v1, v2);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM license_credential"), 2);
    ck_assert_int_eq(sql_int("SELECT sum(length(jws)) FROM license_credential"),
                     (long long) (strlen(v1) + strlen(v2)));
    ck_assert_int_eq(columns_named("license", "credential"), 0);
    ck_assert_int_eq(columns_named("license_event", "credential"), 0);
    must(libro_registry__integrity_check(reg, &err), &err, "integrity");
    libro_free(v1);
    libro_free(v2);
}
END_TEST

/* A version's credential does not change: the same text again is accepted (a state change),
 * another is refused, whoever writes it. */
START_TEST(test_credential_version_fixed)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};
    libro_store_event ev = {0};
    char *other = license_jws_at("T7-N-0001", "Ada Example", NURSING, VF, VU - DAY, false, 0, 0);

    issue(reg, "T7-N-0001", NULL, NULL);
    must(libro_registry_get(reg, &rec, NULL, NULL, "T7-N-0001", &err), &err, "get");
    must(reg->store.ops->begin(reg->store.h, &err), &err, "begin");
    ev.at = VF;
    ev.action = LIBRO_ACTION_ISSUE;
    ev.actor = "board";
    ev.to = LIBRO_STATE_ACTIVE;
    ev.version = 1;
    ev.credential = rec.credential;
    must(reg->store.ops->event_append(reg->store.h, "T7-N-0001", &ev, &err), &err, "same text");
    ev.credential = other;
    LIBRO_ASSERT_CODE(reg->store.ops->event_append(reg->store.h, "T7-N-0001", &ev, &err),
                      LIBRO_ERR_EXISTS, &err,
                      "license T7-N-0001 version 1 already has another credential");
    libro_free(rec.credential);
    rec.credential = other;
    other = NULL;
    LIBRO_ASSERT_CODE(reg->store.ops->license_put(reg->store.h, &rec, false, &err),
                      LIBRO_ERR_EXISTS, &err, "already has another credential");
    libro_free(rec.credential);
    rec.credential = NULL;
    LIBRO_ASSERT_CODE(reg->store.ops->license_put(reg->store.h, &rec, false, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "license T7-N-0001: no credential");
    reg->store.ops->rollback(reg->store.h);
    libro_license_record_clear(&rec);
}
END_TEST

/* A database of schema 7, where each credential is in its license row and again in its issue
 * or renew event, keeps every version's credential through migration 8, once each. */
START_TEST(test_migrates_credentials)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *v1 = NULL;
    char *v2 = NULL;

    if (test_db_sqlite_only("SQLite's schema 7 (PostgreSQL's numbering starts at SQLite's 8)")) {
        return;
    }
    issue_and_renew(&v1, &v2);
    must(libro_registry_change(reg, NULL, "T7-N-0001", LIBRO_ACTION_SUSPEND, "registrar", "audit",
                               T_OPENS + 2 * DAY, &err),
         &err, "suspend");
    issue(reg, "T7-N-0002", NULL, NULL);
    libro_registry_close(reg);
    reg = NULL;
    test_db_sql(db_path, LIBRO_TEST_SQL_UNDO_8);
    /* Schema 7's two copies: each license's current credential in its row and its event. */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM license l JOIN license_event e"
                             " ON e.number = l.number AND e.credential = l.credential"),
                     2);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM license_event WHERE credential IS NOT NULL"), 3);

    must(libro_registry_open(&reg, db_path, &err), &err, "open schema 7");
    ck_assert_int_eq(libro_registry_schema_version(reg), libro_store__sqlite_latest());
    assert_history(v1, v2);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM license_credential"), 3);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM pragma_table_info('license_event')"
                             " WHERE name = 'credential'"),
                     0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM pragma_index_list('license')"
                             " WHERE name = 'license_expiring'"),
                     1);
    must(libro_registry__integrity_check(reg, &err), &err, "integrity");
    libro_free(v1);
    libro_free(v2);
}
END_TEST

struct walk {
    char numbers[8][16];
    bool credential[8];
    size_t n;
    size_t stop_after; /* 0: never */
};

static libro_code
walk_one(void *ctx, const libro_license_record *rec, libro_error *err)
{
    struct walk *w = ctx;

    ck_assert_uint_lt(w->n, LIBRO_NELEM(w->numbers));
    w->credential[w->n] = rec->credential != NULL;
    ck_assert_int_lt(snprintf(w->numbers[w->n], sizeof w->numbers[0], "%s", rec->number),
                     (int) sizeof w->numbers[0]);
    w->n++;
    if (w->stop_after != 0 && w->n == w->stop_after) {
        return libro_error_set(err, LIBRO_ERR_IO, "stop here");
    }
    return LIBRO_OK;
}

/* libro_registry_expiring_each hands over, in order (validUntil, then number), what
 * libro_registry_expiring returns, with or without the credentials, and stops at the
 * callback's first failure, which it returns. */
START_TEST(test_expiring_each)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record *list = NULL;
    struct walk w;
    size_t changed = 0;
    size_t n = 0;
    char *early;
    uint32_t l = 0;
    uint32_t i = 0;
    const int64_t now = VU - 200 * DAY + DAY;

    issue(reg, "T7-N-0002", NULL, NULL);
    issue(reg, "T7-N-0001", NULL, NULL);
    must(libro_registry_reserve_status(reg, NULL, &l, &i, &err), &err, "reserve");
    early = license_jws_at("T7-N-0009", "Early Bird", NURSING, VF, VU - 200 * DAY, true, l, i);
    must(libro_registry_register(reg, NULL, early, l, i, "board", VF, &err), &err,
         "register early");
    must(libro_registry_tick(reg, now, &changed, &err), &err, "tick");
    ck_assert_uint_eq(changed, 1); /* 0009 expired, in its grace period */

    memset(&w, 0, sizeof w);
    must(libro_registry_expiring_each(reg, now, 365 * DAY, false, walk_one, &w, &err), &err,
         "each");
    ck_assert_uint_eq(w.n, 3);
    ck_assert_str_eq(w.numbers[0], "T7-N-0009");
    ck_assert_str_eq(w.numbers[1], "T7-N-0001");
    ck_assert_str_eq(w.numbers[2], "T7-N-0002");
    ck_assert(!w.credential[0] && !w.credential[1] && !w.credential[2]);

    memset(&w, 0, sizeof w);
    must(libro_registry_expiring_each(reg, now, 365 * DAY, true, walk_one, &w, &err), &err,
         "each with credentials");
    ck_assert_uint_eq(w.n, 3);
    ck_assert(w.credential[0] && w.credential[1] && w.credential[2]);
    must(libro_registry_expiring(reg, &list, &n, now, 365 * DAY, &err), &err, "expiring");
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(list[0].number, "T7-N-0009");
    ck_assert_str_eq(list[0].credential, early);
    ck_assert_str_eq(list[2].number, "T7-N-0002");
    libro_license_records_free(list, n);

    /* Not yet within reach: only the expired one in grace. */
    memset(&w, 0, sizeof w);
    must(libro_registry_expiring_each(reg, now, DAY, false, walk_one, &w, &err), &err, "each");
    ck_assert_uint_eq(w.n, 1);

    memset(&w, 0, sizeof w);
    w.stop_after = 2;
    LIBRO_ASSERT_CODE(libro_registry_expiring_each(reg, now, 365 * DAY, false, walk_one, &w, &err),
                      LIBRO_ERR_IO, &err, "stop here");
    ck_assert_uint_eq(w.n, 2);
    LIBRO_ASSERT_CODE(libro_registry_expiring_each(reg, now, DAY, false, NULL, &w, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "expiring: NULL argument");
    LIBRO_ASSERT_CODE(libro_registry_expiring_each(reg, now, -1, false, walk_one, &w, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "expiring: negative interval");
    libro_free(early);
}
END_TEST

/* ------------------------------------------------------------------ status indexes */

START_TEST(test_reserve_random_unique)
{
    enum { N = 5000 };
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char *seen = libro_calloc(LIBRO_STATUS_LIST_MIN_ENTRIES, 1);
    uint32_t prev = 0;
    size_t ups = 0;
    size_t downs = 0;
    int k;

    ck_assert_ptr_nonnull(seen);
    for (k = 0; k < N; k++) {
        uint32_t list = 99;
        uint32_t index = 0;

        must(libro_registry_reserve_status(reg, NULL, &list, &index, &err), &err, "reserve");
        ck_assert_uint_eq(list, 0);
        ck_assert_uint_lt(index, LIBRO_STATUS_LIST_MIN_ENTRIES);
        ck_assert_msg(seen[index] == 0, "index %u reserved twice", (unsigned) index);
        seen[index] = 1;
        if (k > 0) {
            ups += index > prev;
            downs += index < prev;
        }
        prev = index;
    }
    /* Not sequential, not even monotonic: a random walk goes both ways about equally. */
    ck_assert_uint_gt(ups, N / 4);
    ck_assert_uint_gt(downs, N / 4);
    libro_free(seen);
    must(libro_registry__integrity_check(reg, &err), &err, "integrity");
}
END_TEST

static const struct {
    uint32_t current;
    uint64_t used;
    uint64_t entries;
    uint32_t want;
} pick_cases[] = {
    {0, 0, 131072, 0},      {0, 114687, 131072, 0}, /* one below 7/8 */
    {0, 114688, 131072, 1},                         /* exactly 7/8 */
    {3, 56, 64, 4},         {3, 55, 64, 3},         {7, 64, 64, 8},
};

START_TEST(test_pick_list)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint32_t list = 0;

    must(libro_registry__pick_list(&list, pick_cases[_i].current, pick_cases[_i].used,
                                   pick_cases[_i].entries, &err),
         &err, "pick");
    ck_assert_uint_eq(list, pick_cases[_i].want);
}
END_TEST

START_TEST(test_pick_list_exhausted)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint32_t list = 0;

    LIBRO_ASSERT_CODE(libro_registry__pick_list(&list, UINT32_MAX, 64, 64, &err), LIBRO_ERR_LIMIT,
                      &err, "status lists exhausted");
}
END_TEST

START_TEST(test_random_index)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned hits[3] = {0, 0, 0};
    uint32_t v = 7;
    int k;

    must(libro_registry__random_index(&v, 1, &err), &err, "one entry");
    ck_assert_uint_eq(v, 0);
    LIBRO_ASSERT_CODE(libro_registry__random_index(&v, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "no entries");
    for (k = 0; k < 3000; k++) {
        must(libro_registry__random_index(&v, 3, &err), &err, "three entries");
        ck_assert_uint_lt(v, 3);
        hits[v]++;
    }
    /* Each of three values about 1000 times; 800 is over 8 standard deviations away. */
    ck_assert_uint_gt(hits[0], 800);
    ck_assert_uint_gt(hits[1], 800);
    ck_assert_uint_gt(hits[2], 800);
}
END_TEST

/* Lists of 64: the first 56 (7/8) reservations fill list 0, the next opens list 1. */
START_TEST(test_rollover)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char seen[2][64];
    int k;

    memset(seen, 0, sizeof seen);
    for (k = 0; k < 56 + 56 + 1; k++) {
        uint32_t list = 0;
        uint32_t index = 0;

        must(libro_registry__reserve(reg, NULL, 64, &list, &index, &err), &err, "reserve");
        ck_assert_uint_eq(list, k < 56 ? 0u : k < 112 ? 1u : 2u);
        ck_assert_uint_lt(index, 64);
        if (list < 2) {
            ck_assert_msg(seen[list][index] == 0, "index %u of list %u twice", (unsigned) index,
                          (unsigned) list);
            seen[list][index] = 1;
        }
    }
}
END_TEST

/* ------------------------------------------------------------------ two writers */

struct writer {
    libro_action action;
    const char *number;
    libro_code rc;
    char msg[LIBRO_ERROR_MSG_MAX];
    pthread_barrier_t *start;
};

static void *
writer_main(void *arg)
{
    struct writer *w = arg;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;

    w->rc = libro_registry_open(&r, db_path, &err);
    (void) pthread_barrier_wait(w->start);
    if (w->rc == LIBRO_OK) {
        w->rc = libro_registry_change(r, NULL, w->number, w->action, "operator", "race", VF + DAY,
                                      &err);
    }
    memcpy(w->msg, err.msg, sizeof w->msg);
    libro_registry_close(r);
    return NULL;
}

START_TEST(test_two_writers)
{
    static const char *const numbers[] = {"T7-N-0001", "T7-N-0002", "T7-N-0003", "T7-N-0004",
                                          "T7-N-0005", "T7-N-0006", "T7-N-0007", "T7-N-0008"};
    libro_error err = LIBRO_ERROR_INIT;
    size_t k;

    for (k = 0; k < LIBRO_NELEM(numbers); k++) {
        issue(reg, numbers[k], NULL, NULL);
    }
    for (k = 0; k < LIBRO_NELEM(numbers); k++) {
        pthread_barrier_t start;
        struct writer a = {LIBRO_ACTION_REVOKE, numbers[k], LIBRO_OK, {0}, &start};
        struct writer b = {LIBRO_ACTION_SURRENDER, numbers[k], LIBRO_OK, {0}, &start};
        pthread_t ta;
        pthread_t tb;
        libro_license_record rec;
        libro_license_event *ev = NULL;
        size_t n = 0;

        ck_assert_int_eq(pthread_barrier_init(&start, NULL, 2), 0);
        ck_assert_int_eq(pthread_create(&ta, NULL, writer_main, &a), 0);
        ck_assert_int_eq(pthread_create(&tb, NULL, writer_main, &b), 0);
        ck_assert_int_eq(pthread_join(ta, NULL), 0);
        ck_assert_int_eq(pthread_join(tb, NULL), 0);
        ck_assert_int_eq(pthread_barrier_destroy(&start), 0);

        /* Exactly one wins; the loser sees the winner's final state, never a busy error. */
        ck_assert_msg((a.rc == LIBRO_OK) != (b.rc == LIBRO_OK),
                      "revoke: %d (%s), surrender: %d (%s)", a.rc, a.msg, b.rc, b.msg);
        if (a.rc == LIBRO_OK) {
            ck_assert_int_eq(b.rc, LIBRO_ERR_DENIED);
            ck_assert_str_eq(b.msg, "a revoked license cannot be surrendered");
        } else {
            ck_assert_int_eq(a.rc, LIBRO_ERR_DENIED);
            ck_assert_str_eq(a.msg, "a surrendered license cannot be revoked");
        }
        must(libro_registry_get(reg, &rec, &ev, &n, numbers[k], &err), &err, "get");
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(ev[1].to, rec.state);
        ck_assert_int_eq(rec.state,
                         a.rc == LIBRO_OK ? LIBRO_STATE_REVOKED : LIBRO_STATE_SURRENDERED);
        libro_license_events_free(ev, n);
        libro_license_record_clear(&rec);
    }
    must(libro_registry__integrity_check(reg, &err), &err, "integrity");
}
END_TEST

START_TEST(test_status_bits_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_bitstring b;

    LIBRO_ASSERT_CODE(libro_registry_status_bits(reg, &b, 0, 4, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "purpose must be 1 (revocation), 2 (suspension) or 3 (message)");
    LIBRO_ASSERT_CODE(libro_registry_status_bits(reg, &b, 0, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "purpose must be 1 (revocation), 2 (suspension) or 3 (message)");
    must(libro_registry_status_bits(reg, &b, 42, LIBRO_STATUS_MESSAGE, &err), &err,
         "empty message list");
    ck_assert_uint_eq(b.n_entries, 2 * LIBRO_STATUS_LIST_MIN_ENTRIES);
    libro_bitstring_free(&b);
    must(libro_registry_status_bits(reg, &b, 42, LIBRO_STATUS_REVOCATION, &err), &err,
         "empty list");
    ck_assert_uint_eq(b.n_entries, LIBRO_STATUS_LIST_MIN_ENTRIES);
    libro_bitstring_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ chain rules */

/* An IssuerAuthorization of the board signed by the town, of `type` for 365 days, valid
 * from..until, with header typ `typ`. */
static char *
board_auth_typ(const char *type, int64_t from, int64_t until, const char *typ)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = new_cred(LIBRO_CRED_ISSUER_AUTH, COMMUNITY, BOARD, "Board", from, until);
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    char kid[300];

    c->subject_key = public_of(board_key);
    c->grants = libro_calloc(1, sizeof *c->grants);
    ck_assert_ptr_nonnull(c->grants);
    c->grants[0].id = sdup(type);
    c->grants[0].validity_days = 365;
    c->n_grants = 1;
    kid_of(kid, COMMUNITY, town_key);
    must(libro_credential_to_json(&payload, c, &err), &err, "payload");
    must(libro_jws_sign_compact(&jws, town_key, kid, typ, payload.data, payload.len, &err), &err,
         "sign");
    must(libro_buf_append(&jws, "", 1, &err), &err, "NUL");
    libro_buf_free(&payload);
    libro_credential_free(c);
    return (char *) libro_buf_detach(&jws, NULL);
}

static const struct {
    const char *typ;
    libro_code want;
} auth_typs[] = {
    {"vc+jwt", LIBRO_OK},
    {"application/vc+jwt", LIBRO_OK},
    {"VC+JWT", LIBRO_OK},
    {"Application/Vc+Jwt", LIBRO_OK},
    {"jwt", LIBRO_ERR_UNSUPPORTED},
    {"application/jwt", LIBRO_ERR_UNSUPPORTED},
    {"vc+jwt+x", LIBRO_ERR_UNSUPPORTED},
};

/* The bug of issue 8: an authorization signed with typ application/vc+jwt was accepted by the
 * trust store and refused by the registry. One typ rule now: both accept the same typs and
 * refuse the others with the same code. */
START_TEST(test_authorize_typ)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_error terr = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;
    char store[300];
    char sub[320];
    size_t removed = 0;
    char *tok = board_auth_typ(NURSING, VF, VF + 365 * DAY, auth_typs[_i].typ);
    libro_code got_registry;
    libro_code got_trust;
    size_t i;
    static const char *const subdirs[] = {"anchors", "credentials", "status"};

    ck_assert_int_gt(snprintf(store, sizeof store, "%s/trust", dir), 0);
    must(libro_trust_open(&t, store, &terr), &terr, "trust open");
    got_trust = libro_trust_add(t, tok, strlen(tok), &terr);
    got_registry = libro_registry_authorize_issuer(reg, NULL, tok, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                                   "clerk", VF, &err);
    ck_assert_msg(got_trust == auth_typs[_i].want, "typ %s: trust store: %d (%s)",
                  auth_typs[_i].typ, got_trust, terr.msg);
    ck_assert_msg(got_registry == auth_typs[_i].want, "typ %s: registry: %d (%s)",
                  auth_typs[_i].typ, got_registry, err.msg);
    if (auth_typs[_i].want != LIBRO_OK) {
        ck_assert_str_eq(terr.msg, "jws: typ is not vc+jwt");
        ck_assert_str_eq(err.msg, "credential: typ is not vc+jwt");
    } else {
        must(libro_trust_remove(t, BOARD, &removed, &terr), &terr, "trust remove");
        ck_assert_uint_eq(removed, 1);
    }
    libro_trust_free(t);
    for (i = 0; i < LIBRO_NELEM(subdirs); i++) {
        ck_assert_int_gt(snprintf(sub, sizeof sub, "%s/%s", store, subdirs[i]), 0);
        (void) rmdir(sub);
    }
    ck_assert_int_eq(rmdir(store), 0);
    libro_free(tok);
}
END_TEST

/* What the registry checks when it authorizes an issuer: core's window and scope rules
 * against its own charter (town 7 allows nursing only), as a verifier would. */
START_TEST(test_authorize_rules)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *early = board_auth_typ(NURSING, VF - 365 * DAY - 1, VF + DAY, "vc+jwt");
    char *late = board_auth_typ(NURSING, VF, VF + 3650 * DAY + 1, "vc+jwt");
    char *wide = board_auth_typ("midwifery", VF, VF + DAY, "vc+jwt");
    char *edges = board_auth_typ(NURSING, VF - 365 * DAY, VF + 3650 * DAY, "vc+jwt");

    LIBRO_ASSERT_CODE(libro_registry_authorize_issuer(
                          reg, NULL, early, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "clerk", VF, &err),
                      LIBRO_ERR_DENIED, &err,
                      "issuer authorization for " BOARD
                      " (2025-11-30T23:59:59Z..2026-12-02T00:00:00Z) "
                      "lies outside the anchor " COMMUNITY " (2025-12-01T00:00:00Z..");
    LIBRO_ASSERT_CODE(libro_registry_authorize_issuer(
                          reg, NULL, late, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "clerk", VF, &err),
                      LIBRO_ERR_DENIED, &err, "lies outside the anchor " COMMUNITY);
    LIBRO_ASSERT_CODE(libro_registry_authorize_issuer(
                          reg, NULL, wide, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "clerk", VF, &err),
                      LIBRO_ERR_DENIED, &err,
                      "issuer authorization for " BOARD
                      " grants midwifery, which the anchor " COMMUNITY " does not allow");
    must(libro_registry_authorize_issuer(reg, NULL, edges, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                         "clerk", VF, &err),
         &err, "same window");
    libro_free(edges);
    libro_free(wide);
    libro_free(late);
    libro_free(early);
}
END_TEST

/* A registry is not created with a registry authorization its charter does not cover:
 * verifiers would refuse every status list it signs. */
START_TEST(test_create_rules)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry",
                                   "Town 7 Registry", VF - 365 * DAY, VF + 3650 * DAY + 1);
    char *other = test_db_new(dir, "other.db");
    char *late;

    c->subject_key = public_of(registry_key);
    late = sign(c, town_key);
    LIBRO_ASSERT_CODE(libro_registry_create(other, charter_jws, late, &err), LIBRO_ERR_DENIED, &err,
                      "registry authorization for " COMMUNITY ":registry (2025-12-01T00:00:00Z.."
                      "2036-11-28T00:00:01Z) lies outside the anchor " COMMUNITY);
    ck_assert(!test_db_exists(other)); /* nothing left behind */
    libro_free(late);
    /* ... nor with one another community issued (signed by the town's key all the same). */
    libro_free(c->issuer);
    c->issuer = sdup("urn:libro:town-8");
    c->valid_until = VF + 3650 * DAY;
    late = sign(c, town_key);
    LIBRO_ASSERT_CODE(libro_registry_create(other, charter_jws, late, &err), LIBRO_ERR_DENIED, &err,
                      "registry authorization for " COMMUNITY ":registry is issued by "
                      "urn:libro:town-8, not by " COMMUNITY);
    ck_assert(!test_db_exists(other));
    test_db_remove(other);
    free(other);
    libro_free(late);
    libro_credential_free(c);
}
END_TEST

/* A license the registry records names its community at the charter's level (town 7, 2), for
 * a first version and a renewal alike. */
START_TEST(test_register_community)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c;
    uint32_t list = 0;
    uint32_t index = 0;
    char *tok;

    must(libro_registry_reserve_status(reg, NULL, &list, &index, &err), &err, "reserve");
    c = license_at("T7-N-0001", "Ada Example", NURSING, VF, VU, true, list, index);
    c->community_level = 3;
    tok = sign(c, board_key);
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, tok, list, index, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err,
                      "license gives community " COMMUNITY " level 3, its anchor says 2");
    libro_free(tok);
    c->community_level = 1;
    tok = sign(c, board_key);
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, tok, list, index, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err, "level 1, its anchor says 2");
    libro_free(tok);
    c->community_level = 2;
    libro_free(c->community_id);
    c->community_id = sdup("urn:libro:town-8");
    tok = sign(c, board_key);
    LIBRO_ASSERT_CODE(libro_registry_register(reg, NULL, tok, list, index, "board", VF, &err),
                      LIBRO_ERR_DENIED, &err,
                      "license names community urn:libro:town-8, not the anchor " COMMUNITY);
    libro_free(tok);
    libro_credential_free(c);

    /* Registered as chartered; a renewal giving another level is refused. */
    tok = license_jws_at("T7-N-0001", "Ada Example", NURSING, VF, VU, true, list, index);
    must(libro_registry_register(reg, NULL, tok, list, index, "board", VF, &err), &err, "register");
    libro_free(tok);
    c = license_at("T7-N-0001", "Ada Example", NURSING, T_OPENS, T_OPENS + 365 * DAY, true, list,
                   index);
    c->community_level = 4;
    tok = sign(c, board_key);
    LIBRO_ASSERT_CODE(
        libro_registry_renew(reg, NULL, "T7-N-0001", tok, NULL, 0, "board", "", T_OPENS, &err),
        LIBRO_ERR_DENIED, &err, "level 4, its anchor says 2");
    libro_free(tok);
    libro_credential_free(c);
}
END_TEST

#define REGION "urn:libro:region-3"

static const struct {
    const char *name;
    int level;
    const char *allowed;
    int64_t from, until;
    libro_code want;
    const char *msg;
    const char *id; /* the parent's id: REGION when NULL */
} parents[] = {
    {"same level", 2, NURSING, VF - 730 * DAY, VF + 7300 * DAY, LIBRO_ERR_DENIED,
     "chain: charter of " COMMUNITY " has level 2, not below the level 2 of the anchor " REGION,
     NULL},
    {"other type", 4, "midwifery", VF - 730 * DAY, VF + 7300 * DAY, LIBRO_ERR_DENIED,
     "chain: charter of " COMMUNITY " allows nursing-general, which the anchor " REGION " does not",
     NULL},
    {"ends a second early", 4, NURSING, VF - 730 * DAY, VF + 3650 * DAY - 1, LIBRO_ERR_DENIED,
     "chain: charter of " COMMUNITY " (2025-12-01T00:00:00Z..2036-11-28T00:00:00Z) lies outside "
     "the anchor " REGION,
     NULL},
    {"same window", 4, NURSING, VF - 365 * DAY, VF + 3650 * DAY, LIBRO_OK, NULL, NULL},
    {"another region", 4, NURSING, VF - 730 * DAY, VF + 7300 * DAY, LIBRO_ERR_DENIED,
     "chain: charter of " COMMUNITY " is issued by " REGION ", not by urn:libro:region-9",
     "urn:libro:region-9"},
};

/* What the registry checks when it adds a charter above its own: core's issued-by, window,
 * scope and level rules between the two, as a verifier walking up applies them. */
START_TEST(test_add_chain_rules)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *town = NULL;
    libro_key *region_key = NULL;
    char *path = test_db_new(dir, "town.db");
    char *town_charter;
    char *parent;

    must(libro_key_generate(&region_key, LIBRO_ALG_ED25519, &err), &err, "region key");
    town_charter = charter_of(REGION, COMMUNITY, "Town 7", 2, NURSING, VF - 365 * DAY,
                              VF + 3650 * DAY, town_key, region_key);
    /* The fixture's registry authorization serves under the town's chartered charter too. */
    must(libro_registry_create(path, town_charter, auth_jws, &err), &err, "create");
    must(libro_registry_open(&town, path, &err), &err, "open");

    parent = charter_of(parents[_i].id != NULL ? parents[_i].id : REGION,
                        parents[_i].id != NULL ? parents[_i].id : REGION, "Region 3",
                        parents[_i].level, parents[_i].allowed, parents[_i].from, parents[_i].until,
                        region_key, region_key);
    if (parents[_i].want == LIBRO_OK) {
        must(libro_registry_add_chain(town, NULL, parent, "clerk", VF, &err), &err,
             parents[_i].name);
    } else {
        LIBRO_ASSERT_CODE(libro_registry_add_chain(town, NULL, parent, "clerk", VF, &err),
                          parents[_i].want, &err, parents[_i].msg);
    }
    libro_free(parent);
    libro_registry_close(town);
    ck_assert(test_db_exists(path));
    test_db_remove(path);
    free(path);
    libro_free(town_charter);
    libro_key_free(region_key);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("registry");
    TCase *store = tcase_create("store");
    TCase *life = tcase_create("lifecycle");
    TCase *status = tcase_create("status");
    TCase *conc = tcase_create("concurrency");
    TCase *rules = tcase_create("chain rules");
    TCase *once = tcase_create("stored once");

    tcase_add_checked_fixture(store, setup, teardown);
    tcase_add_checked_fixture(life, setup, teardown);
    tcase_add_checked_fixture(status, setup, teardown);
    tcase_add_checked_fixture(conc, setup, teardown);
    tcase_add_checked_fixture(rules, setup, teardown);
    tcase_add_checked_fixture(once, setup, teardown);
    /* 5,000 durable (fsync'd) reservations take seconds, more under sanitizers. */
    tcase_set_timeout(status, 120);
    tcase_set_timeout(conc, 120);
    tcase_add_test(store, test_create_open);
    tcase_add_test(store, test_create_refusals);
    tcase_add_test(store, test_newer_schema_refused);
    tcase_add_test(store, test_migrates_forward);
    tcase_add_test(store, test_migrates_words);
    tcase_add_test(store, test_types);
    tcase_add_test(life, test_register);
    tcase_add_test(life, test_journey_suspend_renew_revoke);
    tcase_add_test(life, test_journey_expire_renew_in_grace);
    tcase_add_test(life, test_journey_lapse);
    tcase_add_test(life, test_surrender);
    tcase_add_test(life, test_renew_refusals);
    tcase_add_test(life, test_actor_reason_bounds);
    tcase_add_test(life, test_expiring_and_counts);
    tcase_add_test(status, test_reserve_random_unique);
    tcase_add_loop_test(status, test_pick_list, 0, (int) LIBRO_NELEM(pick_cases));
    tcase_add_test(status, test_pick_list_exhausted);
    tcase_add_test(status, test_random_index);
    tcase_add_test(status, test_rollover);
    tcase_add_test(status, test_status_bits_args);
    tcase_add_test(conc, test_two_writers);
    tcase_add_loop_test(rules, test_authorize_typ, 0, (int) LIBRO_NELEM(auth_typs));
    tcase_add_test(rules, test_authorize_rules);
    tcase_add_test(rules, test_create_rules);
    tcase_add_test(rules, test_register_community);
    tcase_add_loop_test(rules, test_add_chain_rules, 0, (int) LIBRO_NELEM(parents));
    tcase_add_test(once, test_credential_stored_once);
    tcase_add_test(once, test_credential_version_fixed);
    tcase_add_test(once, test_migrates_credentials);
    tcase_add_test(once, test_expiring_each);
    suite_add_tcase(s, store);
    suite_add_tcase(s, life);
    suite_add_tcase(s, status);
    suite_add_tcase(s, conc);
    suite_add_tcase(s, rules);
    suite_add_tcase(s, once);
    return s;
}
