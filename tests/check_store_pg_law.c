/* The store's seats, mandates, agreements, consent processes, steps and laws, op by op, where
 * the registry suites do not reach: every mandate_list and law_list query with its order,
 * EXISTS and NOT_FOUND with the transaction still usable after them (a failed statement
 * aborts a PostgreSQL transaction, so the store must find both without one), text ordered by
 * code point, and agreements registered in the same second listed in registration order. A DB
 * suite: the same expectations on SQLite and on PostgreSQL (LIBRO_TEST_DB, test_db.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "libro/util.h"
#include "test_db.h"
#include "test_util.h"

#define T0 INT64_C(1800000000)
#define DAY INT64_C(86400)

static char dir[256];
static char *location;
static libro_store store;

static void
setup(void)
{
    static const char *const meta[] = {NULL};
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-store-law-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    location = test_db_new(dir, "store.db");
    must(libro_store__create(&store, location, meta, &err), &err, "create");
}

static void
teardown(void)
{
    if (store.ops != NULL) {
        store.ops->close(store.h);
        memset(&store, 0, sizeof store);
    }
    test_db_remove(location);
    free(location);
    location = NULL;
    (void) rmdir(dir);
}

static void
begin(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(store.ops->begin(store.h, &err), &err, "begin");
}

static void
commit(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(store.ops->commit(store.h, &err), &err, "commit");
}

/* "sha256:" and 64 hex digits made of `c`: a distinct id per letter. */
static void
hash_of(char out[LIBRO_REGISTRY_HASH_SIZE], char c)
{
    memcpy(out, "sha256:", 7);
    memset(out + 7, c, LIBRO_REGISTRY_HASH_LEN - 7);
    out[LIBRO_REGISTRY_HASH_LEN] = '\0';
}

/* ---- seats -------------------------------------------------------------------------------- */

START_TEST(test_seats)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_seat *seats = NULL;
    size_t n = 0;

    begin();
    must(store.ops->seat_put(store.h, "urn:libro:tribe-b", "Tribe b", 0, "c1", T0, "clerk", &err),
         &err, "seat b");
    must(store.ops->seat_put(store.h, "urn:libro:tribe-B", "Tribe B", 0, "c2", T0, "clerk", &err),
         &err, "seat B");
    must(store.ops->seat_put(store.h, "urn:libro:tribe-a", "Tribe a", 0, "c3", T0, "clerk", &err),
         &err, "seat a");
    /* The same community again: its row is replaced (a renewed charter). */
    must(store.ops->seat_put(store.h, "urn:libro:tribe-b", "Tribe b renewed", 0, "c4", T0 + DAY,
                             "mayor", &err),
         &err, "seat b again");
    commit();
    must(store.ops->begin_read(store.h, &err), &err, "read");
    must(store.ops->seat_list(store.h, &seats, &n, &err), &err, "seats");
    store.ops->rollback(store.h);
    ck_assert_uint_eq(n, 3);
    /* By code point, as SQLite compares: "B" (0x42) before "a" (0x61). */
    ck_assert_str_eq(seats[0].community, "urn:libro:tribe-B");
    ck_assert_str_eq(seats[1].community, "urn:libro:tribe-a");
    ck_assert_str_eq(seats[2].community, "urn:libro:tribe-b");
    ck_assert_str_eq(seats[2].name, "Tribe b renewed");
    ck_assert_str_eq(seats[2].charter, "c4");
    ck_assert_str_eq(seats[2].actor, "mayor");
    ck_assert_int_eq(seats[2].added_at, T0 + DAY);
    ck_assert_int_eq(seats[2].level, 0);
    libro_seats_free(seats, n);
}
END_TEST

/* ---- mandates ----------------------------------------------------------------------------- */

static libro_mandate_record
mandate(char c, libro_office office, const char *seat, int64_t from, int64_t until, uint32_t index)
{
    libro_mandate_record m;

    memset(&m, 0, sizeof m);
    hash_of(m.id, c);
    m.office = office;
    m.roundtable = (char *) (uintptr_t) "urn:libro:n3";
    m.roundtable_level = 1;
    m.seat = (char *) (uintptr_t) seat;
    m.holder = (char *) (uintptr_t) "did:key:z6Mk";
    m.name = (char *) (uintptr_t) "Holder";
    m.voting = office == LIBRO_OFFICE_REPRESENTATIVE;
    m.issuer = (char *) (uintptr_t) "urn:libro:n3";
    m.valid_from = from;
    m.valid_until = until;
    m.state = LIBRO_MANDATE_ACTIVE;
    m.status_list = 0;
    m.status_index = index;
    m.credential = (char *) (uintptr_t) "a.b.c";
    m.registered_at = from;
    return m;
}

/* The ids' letters of a mandate list, in its order ("sha256:aaa..." gives 'a'). */
static void
assert_mandates(libro_store_mandate_query q, int office, const char *seat, int64_t a, int64_t b,
                const char *want)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record *list = NULL;
    size_t n = 0;
    char got[16] = {0};

    must(store.ops->mandate_list(store.h, &list, &n, q, office, seat, a, b, &err), &err, "list");
    ck_assert_uint_lt(n, sizeof got);
    for (size_t i = 0; i < n; i++) {
        got[i] = list[i].id[7];
    }
    ck_assert_msg(strcmp(got, want) == 0, "query %d: got \"%s\", want \"%s\"", (int) q, got, want);
    libro_mandate_records_free(list, n);
}

START_TEST(test_mandate_queries)
{
    libro_error err = LIBRO_ERROR_INIT;
    /* Tribe 2's seat twice (an old term, then the current one), tribe 1's, the chair, a leader
     * of the parent's seat; 'e' resigned at T0 + 10 days, its status bits not yet set. */
    libro_mandate_record m[] = {
        mandate('a', LIBRO_OFFICE_REPRESENTATIVE, "urn:libro:tribe-2", T0 - 400 * DAY, T0 - DAY, 0),
        mandate('b', LIBRO_OFFICE_REPRESENTATIVE, "urn:libro:tribe-2", T0, T0 + 300 * DAY, 1),
        mandate('c', LIBRO_OFFICE_REPRESENTATIVE, "urn:libro:tribe-1", T0, T0 + 100 * DAY, 2),
        mandate('d', LIBRO_OFFICE_CHAIR, NULL, T0, T0 + 200 * DAY, 3),
        mandate('e', LIBRO_OFFICE_LEADER, "urn:libro:town-5", T0, T0 + 50 * DAY, 4),
    };

    m[4].state = LIBRO_MANDATE_RESIGNED;
    m[4].ended_at = T0 + 10 * DAY;
    m[4].end_reason = (char *) (uintptr_t) "moved away";
    m[4].ended_by = (char *) (uintptr_t) "did:key:z6Mk";
    begin();
    for (size_t i = 0; i < LIBRO_NELEM(m); i++) {
        must(store.ops->mandate_put(store.h, &m[i], true, &err), &err, "insert");
    }
    commit();

    assert_mandates(LIBRO_MQ_SEAT, LIBRO_OFFICE_REPRESENTATIVE, "urn:libro:tribe-2", 0, 0, "ab");
    assert_mandates(LIBRO_MQ_SEAT, LIBRO_OFFICE_CHAIR, NULL, 0, 0, "d");
    assert_mandates(LIBRO_MQ_SEAT, LIBRO_OFFICE_REPRESENTATIVE, "urn:libro:none", 0, 0, "");
    /* The roundtable at T0 + 5 days: the chair first, then by seat ("town" before "tribe");
     * 'e' still in office. */
    assert_mandates(LIBRO_MQ_AT, 0, NULL, T0 + 5 * DAY, 0, "decb");
    /* ... and at T0 + 20 days, 'e' has resigned. */
    assert_mandates(LIBRO_MQ_AT, 0, NULL, T0 + 20 * DAY, 0, "dcb");
    /* Active ones ending in [T0 + 50 days, T0 + 250 days], by valid_until. */
    assert_mandates(LIBRO_MQ_EXPIRING, 0, NULL, T0 + 50 * DAY, T0 + 250 * DAY, "cd");
    assert_mandates(LIBRO_MQ_PENDING, 0, NULL, T0 + 9 * DAY, 0, "");
    assert_mandates(LIBRO_MQ_PENDING, 0, NULL, T0 + 10 * DAY, 0, "e");
    assert_mandates(LIBRO_MQ_ALL, 0, NULL, 0, 0, "decab");
    {
        libro_mandate_record *list = NULL;
        size_t n = 1;

        LIBRO_ASSERT_CODE(store.ops->mandate_list(store.h, &list, &n,
                                                  (libro_store_mandate_query) 99, 0, NULL, 0, 0,
                                                  &err),
                          LIBRO_ERR_INVALID_ARG, &err, "mandates: unknown query");
        ck_assert_ptr_null(list);
        ck_assert_uint_eq(n, 0);
    }
}
END_TEST

START_TEST(test_mandate_exists_keeps_transaction)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record a = mandate('a', LIBRO_OFFICE_CHAIR, NULL, T0, T0 + DAY, 7);
    libro_mandate_record same_index = mandate('b', LIBRO_OFFICE_CHAIR, NULL, T0, T0 + DAY, 7);
    libro_mandate_record missing = mandate('z', LIBRO_OFFICE_CHAIR, NULL, T0, T0 + DAY, 9);
    libro_mandate_record c = mandate('c', LIBRO_OFFICE_CHAIR, NULL, T0, T0 + DAY, 8);
    libro_mandate_record got;

    begin();
    must(store.ops->mandate_put(store.h, &a, true, &err), &err, "insert");
    LIBRO_ASSERT_CODE(store.ops->mandate_put(store.h, &a, true, &err), LIBRO_ERR_EXISTS, &err,
                      "mandate or status index already registered");
    LIBRO_ASSERT_CODE(store.ops->mandate_put(store.h, &same_index, true, &err), LIBRO_ERR_EXISTS,
                      &err, "mandate or status index already registered");
    LIBRO_ASSERT_CODE(store.ops->mandate_put(store.h, &missing, false, &err), LIBRO_ERR_NOT_FOUND,
                      &err, "no mandate sha256:zzz");
    /* The transaction goes on: another insert and an update, then the commit. */
    must(store.ops->mandate_put(store.h, &c, true, &err), &err, "insert after EXISTS");
    c.state = LIBRO_MANDATE_RECALLED;
    c.ended_at = T0 + 3;
    c.end_reason = (char *) (uintptr_t) "recalled";
    c.ended_by = (char *) (uintptr_t) "urn:libro:n3";
    c.status_set = true;
    must(store.ops->mandate_put(store.h, &c, false, &err), &err, "update after NOT_FOUND");
    commit();

    must(store.ops->mandate_get(store.h, &got, c.id, &err), &err, "get");
    ck_assert_str_eq(got.id, c.id);
    ck_assert_int_eq(got.office, LIBRO_OFFICE_CHAIR);
    ck_assert_ptr_null(got.seat);
    ck_assert_int_eq(got.state, LIBRO_MANDATE_RECALLED);
    ck_assert_int_eq(got.ended_at, T0 + 3);
    ck_assert_str_eq(got.end_reason, "recalled");
    ck_assert_str_eq(got.ended_by, "urn:libro:n3");
    ck_assert(got.status_set);
    ck_assert(!got.voting);
    ck_assert_uint_eq(got.status_index, 8);
    ck_assert_str_eq(got.credential, "a.b.c");
    libro_mandate_record_clear(&got);
    LIBRO_ASSERT_CODE(store.ops->mandate_get(store.h, &got, same_index.id, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no mandate sha256:bbb");
    assert_mandates(LIBRO_MQ_ALL, 0, NULL, 0, 0, "ac");
}
END_TEST

/* ---- agreements --------------------------------------------------------------------------- */

static libro_agreement_party parties[] = {
    {(char *) (uintptr_t) "did:key:ada", (char *) (uintptr_t) "Ada", (char *) (uintptr_t) "tenant"},
    {(char *) (uintptr_t) "did:key:bob", (char *) (uintptr_t) "Bob", (char *) (uintptr_t) "owner"},
};

static libro_agreement_record
agreement(char c, const char *supersedes)
{
    libro_agreement_record a;

    memset(&a, 0, sizeof a);
    hash_of(a.hash, c);
    a.title = (char *) (uintptr_t) "Workshop";
    a.community = (char *) (uintptr_t) "urn:libro:n3";
    a.parties = parties;
    a.n_parties = LIBRO_NELEM(parties);
    a.valid_from = T0;
    a.valid_until = T0 + 365 * DAY;
    a.notice_days = 30;
    a.supersedes = (char *) (uintptr_t) supersedes;
    a.state = LIBRO_AGREEMENT_IN_FORCE;
    a.registered_at = T0; /* all in the same second */
    a.document = (char *) (uintptr_t) "{}";
    return a;
}

START_TEST(test_agreements)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_agreement_record z = agreement('z', NULL);
    libro_agreement_record m = agreement('m', NULL);
    libro_agreement_record a;
    libro_agreement_record amend_1;
    libro_agreement_record amend_2;
    libro_agreement_record *list = NULL;
    libro_agreement_record got;
    size_t n = 0;

    begin();
    must(store.ops->agreement_put(store.h, &z, true, &err), &err, "z");
    must(store.ops->agreement_put(store.h, &m, true, &err), &err, "m");
    LIBRO_ASSERT_CODE(store.ops->agreement_put(store.h, &z, true, &err), LIBRO_ERR_EXISTS, &err,
                      "agreement already registered, or its version already amended");
    amend_1 = agreement('a', z.hash);
    must(store.ops->agreement_put(store.h, &amend_1, true, &err), &err, "amend z");
    /* A second amendment of the same version. */
    amend_2 = agreement('b', z.hash);
    LIBRO_ASSERT_CODE(store.ops->agreement_put(store.h, &amend_2, true, &err), LIBRO_ERR_EXISTS,
                      &err, "its version already amended");
    a = agreement('q', NULL);
    LIBRO_ASSERT_CODE(store.ops->agreement_put(store.h, &a, false, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "no agreement sha256:qqq");
    z.state = LIBRO_AGREEMENT_SUPERSEDED;
    z.superseded_by = amend_1.hash;
    z.superseded_at = T0 + 1;
    must(store.ops->agreement_put(store.h, &z, false, &err), &err, "supersede z");
    commit();

    must(store.ops->agreement_list(store.h, &list, &n, &err), &err, "list");
    /* Registered in one second: in the order they were registered, not by hash. */
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(list[0].hash, z.hash);
    ck_assert_str_eq(list[1].hash, m.hash);
    ck_assert_str_eq(list[2].hash, amend_1.hash);
    ck_assert_int_eq(list[0].state, LIBRO_AGREEMENT_SUPERSEDED);
    ck_assert_str_eq(list[0].superseded_by, amend_1.hash);
    ck_assert_str_eq(list[2].supersedes, z.hash);
    ck_assert_ptr_null(list[1].supersedes);
    libro_agreement_records_free(list, n);

    must(store.ops->agreement_get(store.h, &got, m.hash, &err), &err, "get");
    ck_assert_uint_eq(got.n_parties, 2);
    ck_assert_str_eq(got.parties[0].id, "did:key:ada");
    ck_assert_str_eq(got.parties[1].role, "owner");
    ck_assert_uint_eq(got.notice_days, 30);
    ck_assert(!got.mutual_only);
    ck_assert_int_eq(got.end, 0);
    ck_assert_ptr_null(got.end_statement);
    ck_assert_str_eq(got.document, "{}");
    libro_agreement_record_clear(&got);
    LIBRO_ASSERT_CODE(store.ops->agreement_get(store.h, &got, amend_2.hash, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no agreement sha256:bbb");
}
END_TEST

/* ---- consent processes and steps ---------------------------------------------------------- */

static libro_consent_step_record
step(char c, uint32_t run, uint32_t seq)
{
    libro_consent_step_record s;

    memset(&s, 0, sizeof s);
    hash_of(s.hash, c);
    s.process = (char *) (uintptr_t) "urn:libro:n3:law:quiet";
    s.run = run;
    s.seq = seq;
    s.kind = (char *) (uintptr_t) (seq == 0 ? "propose" : "respond");
    s.by = (char *) (uintptr_t) "did:key:ada";
    s.at = T0 + seq;
    s.step = (char *) (uintptr_t) "x.y.z";
    s.registered_at = T0 + seq;
    return s;
}

START_TEST(test_processes_and_steps)
{
    static const char law_id[] = "urn:libro:n3:law:quiet";
    libro_error err = LIBRO_ERROR_INIT;
    libro_consent_step_record s0 = step('a', 2, 0);
    libro_consent_step_record s1 = step('b', 2, 1);
    libro_consent_step_record s2 = step('c', 2, 2);
    libro_consent_step_record same_seq = step('d', 2, 1);
    libro_consent_step_record *steps = NULL;
    uint32_t run = 0;
    bool open = false;
    char *law = NULL;
    size_t n = 0;

    LIBRO_ASSERT_CODE(store.ops->process_get(store.h, law_id, 0, &run, &open, &law, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no consent process for urn:libro:n3:law:quiet");
    begin();
    must(store.ops->process_put(store.h, law_id, 1, true, T0, NULL, true, &err), &err, "run 1");
    must(store.ops->process_put(store.h, law_id, 2, true, T0 + 1, NULL, true, &err), &err, "run 2");
    LIBRO_ASSERT_CODE(store.ops->process_put(store.h, law_id, 2, true, T0, NULL, true, &err),
                      LIBRO_ERR_EXISTS, &err, "consent process already recorded");
    LIBRO_ASSERT_CODE(store.ops->process_put(store.h, law_id, 3, false, 0, NULL, false, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no consent process for");
    /* Steps out of order: step_list sorts by seq. */
    must(store.ops->step_put(store.h, &s2, &err), &err, "seq 2");
    must(store.ops->step_put(store.h, &s0, &err), &err, "seq 0");
    must(store.ops->step_put(store.h, &s1, &err), &err, "seq 1");
    LIBRO_ASSERT_CODE(store.ops->step_put(store.h, &s1, &err), LIBRO_ERR_EXISTS, &err,
                      "consent step already recorded");
    LIBRO_ASSERT_CODE(store.ops->step_put(store.h, &same_seq, &err), LIBRO_ERR_EXISTS, &err,
                      "consent step already recorded");
    must(store.ops->process_put(store.h, law_id, 1, false, 0, s0.hash, false, &err), &err,
         "close run 1");
    commit();

    must(store.ops->process_get(store.h, law_id, 0, &run, &open, &law, &err), &err, "last");
    ck_assert_uint_eq(run, 2);
    ck_assert(open);
    ck_assert_ptr_null(law);
    must(store.ops->process_get(store.h, law_id, 1, &run, &open, &law, &err), &err, "run 1");
    ck_assert_uint_eq(run, 1);
    ck_assert(!open);
    ck_assert_str_eq(law, s0.hash);
    libro_free(law);
    law = NULL;
    LIBRO_ASSERT_CODE(store.ops->process_get(store.h, law_id, 5, &run, &open, &law, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no consent process for");
    ck_assert_uint_eq(run, 0);

    must(store.ops->step_list(store.h, &steps, &n, law_id, 2, &err), &err, "steps");
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(steps[0].hash, s0.hash);
    ck_assert_str_eq(steps[1].hash, s1.hash);
    ck_assert_str_eq(steps[2].hash, s2.hash);
    ck_assert_str_eq(steps[0].kind, "propose");
    ck_assert_uint_eq(steps[2].seq, 2);
    ck_assert_uint_eq(steps[2].run, 2);
    ck_assert_int_eq(steps[2].at, T0 + 2);
    ck_assert_str_eq(steps[1].step, "x.y.z");
    libro_consent_step_records_free(steps, n);
    must(store.ops->step_list(store.h, &steps, &n, law_id, 1, &err), &err, "no steps");
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(steps);
}
END_TEST

/* ---- laws --------------------------------------------------------------------------------- */

static libro_law_record
law(char c, const char *id, uint32_t version, int64_t review_at)
{
    libro_law_record l;

    memset(&l, 0, sizeof l);
    hash_of(l.hash, c);
    l.id = (char *) (uintptr_t) id;
    l.version = version;
    l.title = (char *) (uintptr_t) "Quiet hours";
    l.aim = (char *) (uintptr_t) "sleep";
    l.community = (char *) (uintptr_t) "urn:libro:n3";
    l.adopted_at = T0;
    l.review_at = review_at;
    l.consent_record = (char *) (uintptr_t) "sha256:record";
    l.state = LIBRO_LAW_IN_FORCE;
    l.registered_at = T0;
    l.credential = (char *) (uintptr_t) "l.a.w";
    return l;
}

/* The hashes' letters of a law list, in its order. */
static void
assert_laws(libro_store_law_query q, const char *law_id, int64_t a, const char *want)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record *list = NULL;
    size_t n = 0;
    char got[16] = {0};

    must(store.ops->law_list(store.h, &list, &n, q, law_id, a, &err), &err, "laws");
    ck_assert_uint_lt(n, sizeof got);
    for (size_t i = 0; i < n; i++) {
        got[i] = list[i].hash[7];
    }
    ck_assert_msg(strcmp(got, want) == 0, "query %d: got \"%s\", want \"%s\"", (int) q, got, want);
    libro_law_records_free(list, n);
}

START_TEST(test_laws)
{
    libro_error err = LIBRO_ERROR_INIT;
    /* "urn:Z" sorts before "urn:a" by code point. */
    libro_law_record quiet_1 = law('a', "urn:a:law:quiet", 1, T0 + 300 * DAY);
    libro_law_record quiet_2 = law('b', "urn:a:law:quiet", 2, T0 + 200 * DAY);
    libro_law_record again_2 = law('e', "urn:a:law:quiet", 2, T0 + 200 * DAY);
    libro_law_record bikes = law('c', "urn:Z:law:bikes", 1, T0 + 100 * DAY);
    libro_law_record dogs = law('d', "urn:a:law:dogs", 1, T0 + 200 * DAY);
    libro_law_record got;

    begin();
    must(store.ops->law_put(store.h, &quiet_1, true, &err), &err, "quiet 1");
    must(store.ops->law_put(store.h, &bikes, true, &err), &err, "bikes");
    LIBRO_ASSERT_CODE(store.ops->law_put(store.h, &quiet_1, true, &err), LIBRO_ERR_EXISTS, &err,
                      "law or law version already registered");
    must(store.ops->law_put(store.h, &quiet_2, true, &err), &err, "quiet 2");
    LIBRO_ASSERT_CODE(store.ops->law_put(store.h, &again_2, true, &err), LIBRO_ERR_EXISTS, &err,
                      "law or law version already registered");
    LIBRO_ASSERT_CODE(store.ops->law_put(store.h, &dogs, false, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "no law sha256:ddd");
    must(store.ops->law_put(store.h, &dogs, true, &err), &err, "dogs");
    quiet_1.state = LIBRO_LAW_REPEALED;
    quiet_1.superseded_by = quiet_2.hash;
    quiet_1.repealed_at = T0 + 5;
    must(store.ops->law_put(store.h, &quiet_1, false, &err), &err, "repeal quiet 1");
    commit();

    assert_laws(LIBRO_LQ_IN_FORCE, NULL, 0, "cdb");
    assert_laws(LIBRO_LQ_ALL, NULL, 0, "cdab");
    assert_laws(LIBRO_LQ_ID, "urn:a:law:quiet", 0, "ab");
    assert_laws(LIBRO_LQ_ID, "urn:a:law:none", 0, "");
    /* In force and due for review by T0 + 200 days: by review_at, then law id. */
    assert_laws(LIBRO_LQ_REVIEW, NULL, T0 + 200 * DAY, "cdb");
    assert_laws(LIBRO_LQ_REVIEW, NULL, T0 + 100 * DAY, "c");
    assert_laws(LIBRO_LQ_REVIEW, NULL, T0, "");
    {
        libro_law_record *list = NULL;
        size_t n = 1;

        LIBRO_ASSERT_CODE(
            store.ops->law_list(store.h, &list, &n, (libro_store_law_query) 99, NULL, 0, &err),
            LIBRO_ERR_INVALID_ARG, &err, "laws: unknown query");
        ck_assert_ptr_null(list);
        ck_assert_uint_eq(n, 0);
    }

    must(store.ops->law_get(store.h, &got, quiet_1.hash, &err), &err, "get");
    ck_assert_int_eq(got.state, LIBRO_LAW_REPEALED);
    ck_assert_str_eq(got.superseded_by, quiet_2.hash);
    ck_assert_int_eq(got.repealed_at, T0 + 5);
    ck_assert_uint_eq(got.version, 1);
    ck_assert_ptr_null(got.supersedes);
    ck_assert_str_eq(got.credential, "l.a.w");
    ck_assert_int_eq(got.review_at, T0 + 300 * DAY);
    libro_law_record_clear(&got);
    LIBRO_ASSERT_CODE(store.ops->law_get(store.h, &got, again_2.hash, &err), LIBRO_ERR_NOT_FOUND,
                      &err, "no law sha256:eee");
}
END_TEST

/* A rolled-back write leaves nothing: the EXISTS inside it did not end it early either. */
START_TEST(test_rollback_after_exists)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record l = law('a', "urn:a:law:quiet", 1, T0);
    libro_law_record other = law('b', "urn:a:law:other", 1, T0);

    begin();
    must(store.ops->law_put(store.h, &l, true, &err), &err, "law");
    commit();
    begin();
    LIBRO_ASSERT_CODE(store.ops->law_put(store.h, &l, true, &err), LIBRO_ERR_EXISTS, &err,
                      "already registered");
    must(store.ops->law_put(store.h, &other, true, &err), &err, "other");
    store.ops->rollback(store.h);
    assert_laws(LIBRO_LQ_ALL, NULL, 0, "a");
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("store_law");
    TCase *tc = tcase_create("ops");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_seats);
    tcase_add_test(tc, test_mandate_queries);
    tcase_add_test(tc, test_mandate_exists_keeps_transaction);
    tcase_add_test(tc, test_agreements);
    tcase_add_test(tc, test_processes_and_steps);
    tcase_add_test(tc, test_laws);
    tcase_add_test(tc, test_rollback_after_exists);
    suite_add_tcase(s, tc);
    return s;
}
