/* The log audits itself (registry/src/log.c, libro_registry_log_audit): an intact log of many
 * leaves passes, in full and incrementally, with the number of stored hashes checked exactly
 * what the new leaves touch; a stored hash zeroed or deleted, or a leaf's text edited behind
 * libro's back (SQL on SQLite or PostgreSQL), is LIBRO_ERR_CORRUPT naming the leaf or node, from
 * the audit, from the log head a checkpoint is signed over, and from libro_server_start. Fixture: a
 * temp dir and a registry created from a self-charter and a registry authorization signed here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define MANY 500u /* leaves of the fixture's log */

static char dir[256];
static char db_path[512]; /* test_db_path: a file, or a PostgreSQL schema */
static libro_key *town_key;
static libro_key *registry_key;
static libro_registry *reg;
static unsigned leaves; /* appended so far */

/* Append `n` license-type leaves in one transaction (one fsync, not n). */
static void
append_leaves(unsigned n)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};

    t.id = sdup("nursing-general");
    must(reg->store.ops->begin(reg->store.h, &err), &err, "begin");
    for (unsigned i = 0; i < n; i++) {
        char actor[64];

        /* Distinct leaves, so that no two stored hashes are equal by chance. */
        ck_assert_int_gt(snprintf(actor, sizeof actor, "town-7 council %u", leaves++), 0);
        must(libro_registry__log_type(reg, &t, "", actor, &err), &err, "leaf");
    }
    must(reg->store.ops->commit(reg->store.h, &err), &err, "commit");
    libro_free(t.id);
}

static void
setup_empty(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    int64_t now = libro_time_now();
    libro_credential *c;
    char *charter_jws;
    char *auth_jws;

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-audit-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db_path, sizeof db_path, dir, "registry.db");
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");

    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", now - DAY, now + 365 * DAY);
    c->level = 2;
    c->subject_key = public_of(town_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup("nursing-general");
    c->n_allowed = 1;
    charter_jws = sign(c, town_key);
    libro_credential_free(c);

    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry", "Town 7 Registry",
                 now - DAY, now + 365 * DAY);
    c->subject_key = public_of(registry_key);
    c->url = sdup("https://registry.town-7.example");
    auth_jws = sign(c, town_key);
    libro_credential_free(c);

    must(libro_registry_create(db_path, charter_jws, auth_jws, &err), &err, "create");
    must(libro_registry_open(&reg, db_path, &err), &err, "open");
    libro_free(auth_jws);
    libro_free(charter_jws);
}

static void
setup(void)
{
    setup_empty();
    append_leaves(MANY);
}

static void
teardown(void)
{
    libro_registry_close(reg);
    reg = NULL;
    leaves = 0;
    test_db_remove(db_path);
    (void) rmdir(dir);
    libro_key_free(registry_key);
    libro_key_free(town_key);
    registry_key = town_key = NULL;
}

/* The stored hashes an audit of leaves [from, size) compares: every node over a new leaf at
 * each level (leaf hashes included), plus the right edge of the tree audited before (one node
 * per set bit of `from`). */
static uint64_t
nodes_over(uint64_t from, uint64_t size)
{
    uint64_t n = 0;

    for (unsigned level = 0; level < 64 && (size >> level) > 0; level++) {
        n += (size >> level) - (from >> level);
    }
    for (uint64_t b = from; b != 0; b &= b - 1) {
        n++;
    }
    return n;
}

/* Run `sql`, which changes one row, on the database behind libro's back, the registry closed.
 * SQLite's zeroblob(32) is 32 zero bytes of bytea on PostgreSQL. */
static void
damage(const char *sql)
{
    static const char zero[] = "zeroblob(32)";
    const char *z = strstr(sql, zero);
    char pg[512];

    libro_registry_close(reg);
    reg = NULL;
    if (test_db_is_pg() && z != NULL) {
        ck_assert_int_lt(snprintf(pg, sizeof pg, "%.*sdecode(repeat('00', 32), 'hex')%s",
                                  (int) (z - sql), sql, z + strlen(zero)),
                         (int) sizeof pg);
        sql = pg;
    }
    ck_assert_int_eq(test_db_changes(db_path, sql), 1);
}

static void
reopen(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    libro_registry_close(reg);
    must(libro_registry_open(&reg, db_path, &err), &err, "reopen");
}

/* A server on the database at port 0 (the database is checked before the socket opens). */
static libro_code
server_start(libro_server **s, libro_error *err)
{
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.threads = 1;
    return libro_server_start(s, &opt, err);
}

/* ------------------------------------------------------------------ intact */

/* RFC 9162 2.1.1: the root of leaves [from, from + n), n > 0, from each leaf's text, without
 * the stored nodes the audit checks. */
static libro_merkle_hash
root_of_leaves(uint64_t from, uint64_t n)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_merkle_hash h;

    if (n == 1) {
        char *text = NULL;

        must(libro_registry_log_leaf(reg, &text, from, &err), &err, "leaf");
        must(libro_merkle_leaf_hash(&h, text, strlen(text), &err), &err, "leaf hash");
        libro_free(text);
    } else {
        uint64_t k = 1;
        libro_merkle_hash left;
        libro_merkle_hash right;

        while (k * 2 < n) {
            k *= 2;
        }
        left = root_of_leaves(from, k);
        right = root_of_leaves(from + k, n - k);
        must(libro_merkle_node_hash(&h, &left, &right, &err), &err, "node hash");
    }
    return h;
}

START_TEST(test_intact_full_and_incremental)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_log_audit rep = {0};
    libro_merkle_hash root;
    uint64_t size = 0;

    /* Nothing audited yet: the first audit covers every leaf. */
    must(libro_registry_log_audit(reg, false, &rep, &err), &err, "first audit");
    ck_assert_uint_eq(rep.size, MANY);
    ck_assert_uint_eq(rep.from, 0);
    ck_assert_uint_eq(rep.leaves_checked, MANY);
    ck_assert_uint_eq(rep.nodes_checked, nodes_over(0, MANY));

    /* Audited: a head over the same tree rehashes no leaf and reads only the old edge. */
    must(libro_registry_log_head(reg, &size, &root, &err), &err, "head");
    ck_assert_uint_eq(size, MANY);
    must(libro_registry_log_audit(reg, false, &rep, &err), &err, "again");
    ck_assert_uint_eq(rep.from, MANY);
    ck_assert_uint_eq(rep.leaves_checked, 0);
    ck_assert_uint_eq(rep.nodes_checked, nodes_over(MANY, MANY));

    /* Three new leaves: three rehashed, the nodes over them, the old edge; no more. */
    append_leaves(3);
    must(libro_registry_log_audit(reg, false, &rep, &err), &err, "three more");
    ck_assert_uint_eq(rep.size, MANY + 3);
    ck_assert_uint_eq(rep.from, MANY);
    ck_assert_uint_eq(rep.leaves_checked, 3);
    ck_assert_uint_eq(rep.nodes_checked, nodes_over(MANY, MANY + 3));
    ck_assert_uint_le(rep.nodes_checked, 2 * 3 + 2 * 10); /* 2k + 2 log2(size): not ~2 size */

    /* The full audit recomputes everything from the leaves: its root is theirs. */
    memset(&rep.root, 0, sizeof rep.root);
    must(libro_registry_log_audit(reg, true, &rep, &err), &err, "full");
    ck_assert_uint_eq(rep.from, 0);
    ck_assert_uint_eq(rep.leaves_checked, MANY + 3);
    ck_assert_uint_eq(rep.nodes_checked, nodes_over(0, MANY + 3) + nodes_over(MANY + 3, MANY + 3));
    root = root_of_leaves(0, MANY + 3);
    ck_assert_mem_eq(rep.root.bytes, root.bytes, sizeof root.bytes);
    must(libro_registry_log_head(reg, &size, &root, &err), &err, "head after");
    ck_assert_mem_eq(rep.root.bytes, root.bytes, sizeof root.bytes);
}
END_TEST

/* A registry with no write yet: nothing to check, the empty tree's root, nothing recorded. */
START_TEST(test_empty_log)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_log_audit rep = {0};
    libro_merkle_hash root;
    libro_merkle_hash empty;
    uint64_t size = 1;

    must(libro_registry_log_audit(reg, true, &rep, &err), &err, "audit");
    ck_assert_uint_eq(rep.size, 0);
    ck_assert_uint_eq(rep.leaves_checked, 0);
    ck_assert_uint_eq(rep.nodes_checked, 0);
    must(libro_registry_log_head(reg, &size, &root, &err), &err, "head");
    must(libro_merkle_empty_root(&empty, &err), &err, "empty root");
    ck_assert_uint_eq(size, 0);
    ck_assert_mem_eq(root.bytes, empty.bytes, sizeof root.bytes);
    ck_assert_mem_eq(rep.root.bytes, empty.bytes, sizeof root.bytes);
}
END_TEST

/* ------------------------------------------------------------------ damaged */

/* Each damage, done to leaves no audit has covered yet (as after a write the server has not
 * yet signed over): refused by the full audit, the incremental one, the head, and the server. */
static const struct {
    const char *name;
    const char *sql;
    const char *msg;
    const char *pg_start_msg; /* PostgreSQL's server start, when it finds it first: its
                                 integrity check counts the leaves below the sequencer's head */
} damaged[] = {
    {"leaf hash zeroed", "UPDATE log_node SET hash = zeroblob(32) WHERE level = 0 AND idx = 137",
     "leaf 137 does not match its stored hash", NULL},
    {"leaf text edited",
     "UPDATE log_leaf SET data = replace(data, 'town-7 council', 'town-9 council')"
     " WHERE idx = 321",
     "leaf 321 does not match its stored hash", NULL},
    {"inner node zeroed", "UPDATE log_node SET hash = zeroblob(32) WHERE level = 3 AND idx = 5",
     "node 3/5 over leaves 40..47 does not match", NULL},
    {"top node zeroed", "UPDATE log_node SET hash = zeroblob(32) WHERE level = 8 AND idx = 0",
     "node 8/0 over leaves 0..255 does not match", NULL},
    {"node deleted", "DELETE FROM log_node WHERE level = 2 AND idx = 100",
     "node 2/100 over leaves 400..403 is missing or unreadable", NULL},
    {"leaf deleted", "DELETE FROM log_leaf WHERE idx = 7", "leaf 7 is missing",
     "the log's head says 500 leaves, the table holds 499"},
    {"hash of another leaf",
     "UPDATE log_node SET hash = (SELECT hash FROM log_node WHERE level = 0 AND idx = 11)"
     " WHERE level = 0 AND idx = 10",
     "leaf 10 does not match its stored hash", NULL},
};

START_TEST(test_damaged_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_log_audit rep = {0};
    libro_server *s = NULL;
    libro_merkle_hash root;
    uint64_t size = 0;

    damage(damaged[_i].sql);
    reopen();
    LIBRO_ASSERT_CODE(libro_registry_log_audit(reg, true, &rep, &err), LIBRO_ERR_CORRUPT, &err,
                      damaged[_i].msg);
    ck_assert_msg(strstr(err.msg, "restore the database from a backup") != NULL, "%s", err.msg);
    LIBRO_ASSERT_CODE(libro_registry_log_audit(reg, false, &rep, &err), LIBRO_ERR_CORRUPT, &err,
                      damaged[_i].msg);
    LIBRO_ASSERT_CODE(libro_registry_log_head(reg, &size, &root, &err), LIBRO_ERR_CORRUPT, &err,
                      damaged[_i].msg);
    LIBRO_ASSERT_CODE(server_start(&s, &err), LIBRO_ERR_CORRUPT, &err,
                      test_db_is_pg() && damaged[_i].pg_start_msg != NULL ? damaged[_i].pg_start_msg
                                                                          : damaged[_i].msg);
    ck_assert_ptr_null(s);
}
END_TEST

/* Damage to a tree already audited: a node on the old right edge is found at start (the root
 * recorded with the audit no longer matches); a leaf below it only by the full audit. */
START_TEST(test_damaged_after_audit)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_log_audit rep = {0};
    libro_server *s = NULL;

    must(libro_registry_log_audit(reg, false, &rep, &err), &err, "audit");
    damage("UPDATE log_node SET hash = zeroblob(32) WHERE level = 8 AND idx = 0");
    reopen();
    LIBRO_ASSERT_CODE(server_start(&s, &err), LIBRO_ERR_CORRUPT, &err,
                      "the root over leaves 0..499 is not the one audited");
    LIBRO_ASSERT_CODE(libro_registry_log_audit(reg, true, &rep, &err), LIBRO_ERR_CORRUPT, &err,
                      "node 8/0 over leaves 0..255 does not match");
}
END_TEST

START_TEST(test_edited_after_audit)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_log_audit rep = {0};
    libro_server *s = NULL;

    must(libro_registry_log_audit(reg, false, &rep, &err), &err, "audit");
    damage("UPDATE log_leaf SET data = replace(data, 'town-7 council', 'town-9 council')"
           " WHERE idx = 3");
    reopen();
    /* Incremental: nothing new to rehash, and the edge still matches (documented). */
    must(server_start(&s, &err), &err, "server start");
    libro_server_stop(s);
    LIBRO_ASSERT_CODE(libro_registry_log_audit(reg, true, &rep, &err), LIBRO_ERR_CORRUPT, &err,
                      "leaf 3 does not match its stored hash");
}
END_TEST

START_TEST(test_audit_record_damaged)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_log_audit rep = {0};

    must(libro_registry_log_audit(reg, false, &rep, &err), &err, "audit");
    damage("UPDATE meta SET value = replace(value, '500 ', '600 ') WHERE key = 'log_audited'");
    reopen();
    LIBRO_ASSERT_CODE(libro_registry_log_audit(reg, true, &rep, &err), LIBRO_ERR_CORRUPT, &err,
                      "it has 500 leaves, fewer than the 600 audited");
    damage("UPDATE meta SET value = '400 AAAA' WHERE key = 'log_audited'");
    reopen();
    LIBRO_ASSERT_CODE(libro_registry_log_audit(reg, false, &rep, &err), LIBRO_ERR_CORRUPT, &err,
                      "its audit record is unreadable");
}
END_TEST

/* A failed audit records nothing: the damage stays found, audit after audit. */
START_TEST(test_failure_records_nothing)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_log_audit rep = {0};

    damage("UPDATE log_node SET hash = zeroblob(32) WHERE level = 0 AND idx = 499");
    reopen();
    for (int i = 0; i < 2; i++) {
        LIBRO_ASSERT_CODE(libro_registry_log_audit(reg, false, &rep, &err), LIBRO_ERR_CORRUPT, &err,
                          "leaf 499 does not match");
    }
    LIBRO_ASSERT_CODE(libro_registry_log_audit(NULL, true, &rep, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("log_audit");
    TCase *intact = tcase_create("intact");
    TCase *bad = tcase_create("damaged");
    TCase *empty = tcase_create("empty");

    tcase_add_checked_fixture(intact, setup, teardown);
    tcase_add_test(intact, test_intact_full_and_incremental);
    suite_add_tcase(s, intact);

    tcase_add_checked_fixture(empty, setup_empty, teardown);
    tcase_add_test(empty, test_empty_log);
    suite_add_tcase(s, empty);

    tcase_add_checked_fixture(bad, setup, teardown);
    tcase_add_loop_test(bad, test_damaged_refused, 0, (int) LIBRO_NELEM(damaged));
    tcase_add_test(bad, test_damaged_after_audit);
    tcase_add_test(bad, test_edited_after_audit);
    tcase_add_test(bad, test_audit_record_damaged);
    tcase_add_test(bad, test_failure_records_nothing);
    suite_add_tcase(s, bad);
    return s;
}
