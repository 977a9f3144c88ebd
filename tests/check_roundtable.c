/* The roundtable in the registry library (registry/src/mandate.c and its store): seats (seven at
 * most, each checked against the registry's charter), mandates of each office registered with
 * the key their office names, every refusal with its code, the replacement of the earlier
 * mandate of a seat (recorded at once, its status bits set once the successor's term begins,
 * by the clock), term limits, resignation and recall with their bits and words in the mandate
 * lists, the roundtable at several times matching the history, terms ending soon, the log
 * leaves, and who signs a request (the kid resolution the HTTP API uses). Fixture:
 * test_roundtable.h (a town, its neighborhood's registry, eight tribes, four holders). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "libro/jws.h"
#include "libro/registry.h"
#include "libro/rules.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_roundtable.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define Y2026 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define Y2027 INT64_C(1798761600) /* 2027-01-01T00:00:00Z */
#define JUN2027 INT64_C(1811808000)
#define Y2028 INT64_C(1830297600)
#define Y2030 INT64_C(1893456000)
#define Y2033 INT64_C(1988150400)
#define JUN2033 INT64_C(2001196800)
#define Y2040 INT64_C(2208988800)
#define REP LIBRO_OFFICE_REPRESENTATIVE
#define CHAIR LIBRO_OFFICE_CHAIR
#define LEADER LIBRO_OFFICE_LEADER

static rt_fixture F;
static libro_registry *reg;

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    rt_setup(&F, Y2026, Y2040, 2, RT_LIST_BASE);
    must(libro_registry_open(&reg, F.db_path, &err), &err, "open");
}

static void
teardown(void)
{
    libro_registry_close(reg);
    reg = NULL;
    rt_teardown(&F);
}

static void
add_seats(int n)
{
    libro_error err = LIBRO_ERROR_INIT;

    for (int i = 0; i < n; i++) {
        must(libro_registry_add_seat(reg, NULL, F.tribe_charter[i], "clerk", Y2027, &err), &err,
             "seat");
    }
}

/* Reserve a mandate index and register a mandate of `office` at `now`; its id into `id`. */
static libro_code
try_register(char id[LIBRO_MANDATE_ID_SIZE], libro_office office, int tribe, int holder,
             int64_t from, int64_t until, int64_t now, libro_error *err)
{
    uint32_t list = 0;
    uint32_t index = 0;
    char *jws;
    libro_code rc;

    must(libro_registry_reserve_mandate_status(reg, NULL, &list, &index, err), err, "reserve");
    jws = rt_mandate(&F, office, tribe, holder, from, until, RT_LIST_BASE, list, index);
    rc = libro_registry_register_mandate(reg, NULL, jws, list, index, "clerk", now, id, err);
    libro_free(jws);
    return rc;
}

static void
register_m(char id[LIBRO_MANDATE_ID_SIZE], libro_office office, int tribe, int holder, int64_t from,
           int64_t until, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(try_register(id, office, tribe, holder, from, until, now, &err), &err, "register");
    ck_assert(libro_mandate_id_ok(id));
}

static libro_mandate_record
record_of(const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record m;

    must(libro_registry_mandate(reg, &m, id, &err), &err, "mandate");
    return m;
}

/* The mandate's revocation bit, suspension bit and word as the mandate lists publish them. */
static void
assert_status(const char *id, bool revoked, unsigned word)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record m = record_of(id);
    libro_bitstring rev;
    libro_bitstring sus;
    libro_bitstring msg;
    libro_bitstring lic;

    must(
        libro_registry_mandate_status_bits(reg, &rev, m.status_list, LIBRO_STATUS_REVOCATION, &err),
        &err, "revocation");
    must(
        libro_registry_mandate_status_bits(reg, &sus, m.status_list, LIBRO_STATUS_SUSPENSION, &err),
        &err, "suspension");
    must(libro_registry_mandate_status_bits(reg, &msg, m.status_list, LIBRO_STATUS_MESSAGE, &err),
         &err, "message");
    ck_assert_int_eq(libro_bitstring_get(&rev, m.status_index), revoked);
    ck_assert_int_eq(libro_bitstring_get(&sus, m.status_index), false); /* never suspended */
    ck_assert_uint_eq(libro_bitstring_get_value(&msg, m.status_index, 2), word);
    /* The license lists of the same number are another space: nothing set there. */
    must(libro_registry_status_bits(reg, &lic, m.status_list, LIBRO_STATUS_REVOCATION, &err), &err,
         "license list");
    ck_assert_int_eq(libro_bitstring_get(&lic, m.status_index), false);
    libro_bitstring_free(&lic);
    libro_bitstring_free(&msg);
    libro_bitstring_free(&sus);
    libro_bitstring_free(&rev);
    libro_mandate_record_clear(&m);
}

/* The ids of the roundtable at `at`, in order, joined by ' ' into `out`. */
static void
composition(char *out, size_t cap, int64_t at)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record *m = NULL;
    size_t n = 0;
    size_t used = 0;

    must(libro_registry_roundtable(reg, &m, &n, at, &err), &err, "roundtable");
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(out + used, cap - used, "%s%.15s", i == 0 ? "" : " ", m[i].id);

        ck_assert(k > 0 && (size_t) k < cap - used);
        used += (size_t) k;
    }
    libro_mandate_records_free(m, n);
}

/* "sha256:" and the first 8 hex digits: enough to tell the fixture's mandates apart. */
static void
short_id(char out[16], const char *id)
{
    memcpy(out, id, 15);
    out[15] = '\0';
}

/* ------------------------------------------------------------------------------ seats */

START_TEST(test_seats)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_seat *seats = NULL;
    size_t n = 0;
    uint64_t size0 = 0;
    uint64_t size1 = 0;
    libro_merkle_hash root;
    char *leaf = NULL;

    must(libro_registry_log_head(reg, &size0, &root, &err), &err, "head");
    add_seats(7);
    must(libro_registry_log_head(reg, &size1, &root, &err), &err, "head");
    ck_assert_uint_eq(size1, size0 + 7); /* a leaf each */
    must(libro_registry_log_leaf(reg, &leaf, size1 - 1, &err), &err, "leaf");
    ck_assert_ptr_nonnull(strstr(leaf, "\"type\":\"seat\""));
    ck_assert_ptr_nonnull(strstr(leaf, "\"community\":\"urn:libro:tribe-7\""));
    ck_assert_ptr_nonnull(strstr(leaf, "\"actor\":\"clerk\""));
    libro_free(leaf);
    must(libro_registry_seats(reg, &seats, &n, &err), &err, "seats");
    ck_assert_uint_eq(n, 7);
    ck_assert_str_eq(seats[0].community, "urn:libro:tribe-1");
    ck_assert_str_eq(seats[0].name, "Tribe 1");
    ck_assert_int_eq(seats[0].level, 0);
    ck_assert_str_eq(seats[0].charter, F.tribe_charter[0]);
    ck_assert_str_eq(seats[0].actor, "clerk");
    ck_assert_int_eq(seats[0].added_at, Y2027);
    libro_seats_free(seats, n);

    /* An eighth member community: refused by the core rule, nothing recorded. */
    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, F.tribe_charter[7], "clerk", Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "at most 7 member communities");
    must(libro_registry_log_head(reg, &size0, &root, &err), &err, "head");
    ck_assert_uint_eq(size0, size1);
    /* A member's renewed charter takes its own seat again. */
    must(libro_registry_add_seat(reg, NULL, F.tribe_charter[3], "clerk", Y2028, &err), &err,
         "renewed");
    must(libro_registry_seats(reg, &seats, &n, &err), &err, "seats");
    ck_assert_uint_eq(n, 7);
    ck_assert_int_eq(seats[3].added_at, Y2028);
    libro_seats_free(seats, n);
}
END_TEST

/* Seat charters the registry refuses, each with its code and reason. */
START_TEST(test_seat_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *by_town = rt_charter(RT_PARENT, rt_tribe(0), "Tribe 1", 0, Y2026, Y2040, F.tribe_key[0],
                               F.parent_key);
    char *other_key = rt_charter(RT_COMMUNITY, rt_tribe(0), "Tribe 1", 0, Y2026, Y2040,
                                 F.tribe_key[0], F.tribe_key[1]);
    char *expired = rt_charter(RT_COMMUNITY, rt_tribe(0), "Tribe 1", 0, Y2026, Y2026 + 30 * DAY,
                               F.tribe_key[0], F.community_key);
    char *outlives = rt_charter(RT_COMMUNITY, rt_tribe(0), "Tribe 1", 0, Y2026, Y2040 + DAY,
                                F.tribe_key[0], F.community_key);

    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, by_town, "clerk", Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "seat: charter of urn:libro:tribe-1 is issued by");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, other_key, "clerk", Y2027, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "seat charter");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, expired, "clerk", Y2027, &err),
                      LIBRO_ERR_EXPIRED, &err,
                      "seat: the charter of urn:libro:tribe-1 has expired");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, outlives, "clerk", Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "lies outside");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, F.authorization, "clerk", Y2027, &err),
                      LIBRO_ERR_SCHEMA, &err, "not a CommunityCharter");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, F.tribe_charter[0], "", Y2027, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "actor is empty");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(reg, NULL, "not.a.jws", "clerk", Y2027, &err),
                      LIBRO_ERR_ENCODING, &err, NULL);
    libro_free(outlives);
    libro_free(expired);
    libro_free(other_key);
    libro_free(by_town);
}
END_TEST

/* A registry one level up (the town, level 2) takes neighborhoods, not tribes; a tribe's
 * registry has no roundtable. */
START_TEST(test_seat_wrong_level)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *town = NULL;
    libro_registry *tribe = NULL;
    libro_credential *c;
    char *path = test_db_new(F.dir, "town.db");
    char *tribe_path = test_db_new(F.dir, "tribe.db");
    char *auth;
    char *tribe_by_town = rt_charter(RT_PARENT, rt_tribe(0), "Tribe 1", 0, Y2026, Y2040,
                                     F.tribe_key[0], F.parent_key);
    char *tribe_self = rt_charter(rt_tribe(0), rt_tribe(0), "Tribe 1", 0, Y2026, Y2040,
                                  F.tribe_key[0], F.tribe_key[0]);

    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, RT_PARENT, RT_PARENT ":registry", "Town 5 Registry",
                 Y2026, Y2040);
    c->subject_key = public_of(F.registry_key);
    c->url = sdup("https://registry.town-5.example");
    auth = sign(c, F.parent_key);
    libro_credential_free(c);
    must(libro_registry_create(path, F.parent_charter, auth, &err), &err, "create town");
    must(libro_registry_open(&town, path, &err), &err, "open town");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(town, NULL, tribe_by_town, "clerk", Y2027, &err),
                      LIBRO_ERR_DENIED, &err,
                      "seat: urn:libro:tribe-1 is of level 0; the members of a level 2 "
                      "roundtable are of level 1");
    must(libro_registry_add_seat(town, NULL, F.community_charter, "clerk", Y2027, &err), &err,
         "the neighborhood takes a seat at the town");
    libro_registry_close(town);
    libro_free(auth);

    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, rt_tribe(0), "urn:libro:tribe-1:registry",
                 "Tribe 1 Registry", Y2026, Y2040);
    c->subject_key = public_of(F.registry_key);
    c->url = sdup("https://registry.tribe-1.example");
    auth = sign(c, F.tribe_key[0]);
    libro_credential_free(c);
    must(libro_registry_create(tribe_path, tribe_self, auth, &err), &err, "create tribe");
    must(libro_registry_open(&tribe, tribe_path, &err), &err, "open tribe");
    LIBRO_ASSERT_CODE(libro_registry_add_seat(tribe, NULL, tribe_self, "clerk", Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "is a tribe (level 0): it has no roundtable");
    libro_registry_close(tribe);
    libro_free(auth);
    test_db_remove(path);
    test_db_remove(tribe_path);
    free(path);
    free(tribe_path);
    libro_free(tribe_self);
    libro_free(tribe_by_town);
}
END_TEST

/* ----------------------------------------------------------------------------- offices */

START_TEST(test_register_offices)
{
    char rep[LIBRO_MANDATE_ID_SIZE];
    char chair[LIBRO_MANDATE_ID_SIZE];
    char leader[LIBRO_MANDATE_ID_SIZE];
    char got[400];
    char want[400];
    char a[16];
    char b[16];
    char c[16];
    libro_mandate_record m;

    add_seats(3);
    register_m(rep, REP, 1, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    register_m(chair, CHAIR, 0, 1, Y2027, rt_term_end(Y2027, 4), Y2027);
    register_m(leader, LEADER, 0, 2, Y2027, rt_term_end(Y2027, 5), Y2027);

    m = record_of(rep);
    ck_assert_int_eq(m.office, REP);
    ck_assert_str_eq(m.roundtable, RT_COMMUNITY);
    ck_assert_int_eq(m.roundtable_level, 1);
    ck_assert_str_eq(m.seat, "urn:libro:tribe-2");
    ck_assert_str_eq(m.holder, F.holder_did[0]);
    ck_assert_str_eq(m.name, "Jane Doe");
    ck_assert(m.voting);
    ck_assert_str_eq(m.issuer, "urn:libro:tribe-2");
    ck_assert_int_eq(m.valid_from, Y2027);
    ck_assert_int_eq(m.valid_until, rt_term_end(Y2027, 3));
    ck_assert_int_eq(m.state, LIBRO_MANDATE_ACTIVE);
    ck_assert_int_eq(m.ended_at, 0);
    ck_assert_ptr_null(m.end_reason);
    ck_assert_int_eq(m.registered_at, Y2027);
    ck_assert(!m.status_set);
    libro_mandate_record_clear(&m);
    m = record_of(chair);
    ck_assert_int_eq(m.office, CHAIR);
    ck_assert_ptr_null(m.seat);
    ck_assert(!m.voting);
    ck_assert_str_eq(m.issuer, RT_COMMUNITY);
    libro_mandate_record_clear(&m);
    m = record_of(leader);
    ck_assert_int_eq(m.office, LEADER);
    ck_assert_str_eq(m.seat, RT_PARENT);
    ck_assert(!m.voting);
    ck_assert_str_eq(m.issuer, RT_PARENT);
    libro_mandate_record_clear(&m);
    assert_status(rep, false, LIBRO_WORD_IN_OFFICE);

    /* The chair comes first, then the seats in order ("urn:libro:town-5" before
     * "urn:libro:tribe-2"). */
    short_id(a, chair);
    short_id(b, rep);
    short_id(c, leader);
    ck_assert_int_gt(snprintf(want, sizeof want, "%s %s %s", a, c, b), 0);
    composition(got, sizeof got, Y2027 + DAY);
    ck_assert_str_eq(got, want);
    composition(got, sizeof got, Y2027 - 1);
    ck_assert_str_eq(got, "");
}
END_TEST

enum mutation {
    M_NONE,
    M_NO_SEAT,       /* a representative of a tribe without a seat */
    M_OTHER_KEY,     /* signed by another tribe's key */
    M_OTHER_TABLE,   /* for another roundtable */
    M_TOO_LONG,      /* a second past three years */
    M_UNRESERVED,    /* an index nobody reserved */
    M_OTHER_LIST,    /* entries naming another list */
    M_LICENSE_LISTS, /* entries naming the license lists */
    M_CHAIR_BY_TRIBE,
    M_LEADER_BY_COMMUNITY,
    M_OUTSIDE_CHARTER, /* a term running past the tribe's charter */
    M_LICENSE,         /* not a mandate */
};

static const struct {
    const char *name;
    enum mutation m;
    libro_code want;
    const char *msg;
} refusals[] = {
    {"no seat", M_NO_SEAT, LIBRO_ERR_NOT_FOUND,
     "urn:libro:tribe-6 has no seat at this roundtable: add its charter first"},
    {"signed by another tribe", M_OTHER_KEY, LIBRO_ERR_BAD_SIGNATURE, "mandate: "},
    {"another roundtable", M_OTHER_TABLE, LIBRO_ERR_DENIED,
     "the mandate is for the roundtable of urn:libro:neighborhood-4; this registry records that "
     "of urn:libro:neighborhood-3"},
    {"term a second too long", M_TOO_LONG, LIBRO_ERR_DENIED, "longer than the 3 years"},
    {"index not reserved", M_UNRESERVED, LIBRO_ERR_DENIED, "is not reserved"},
    {"entries name another list", M_OTHER_LIST, LIBRO_ERR_DENIED,
     "the mandate's status entries do not name mandate list 0"},
    {"entries name license lists", M_LICENSE_LISTS, LIBRO_ERR_DENIED,
     "the mandate's status entries do not name mandate list 0"},
    {"chair signed by a tribe", M_CHAIR_BY_TRIBE, LIBRO_ERR_BAD_SIGNATURE, "mandate: "},
    {"leader signed by the community", M_LEADER_BY_COMMUNITY, LIBRO_ERR_BAD_SIGNATURE, "mandate: "},
    {"term outside the tribe's charter", M_OUTSIDE_CHARTER, LIBRO_ERR_DENIED, "lies outside"},
    {"a license", M_LICENSE, LIBRO_ERR_SCHEMA, "not a RoundtableMandate"},
};

START_TEST(test_register_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c;
    libro_office office = REP;
    int tribe = 0;
    int64_t from = Y2027;
    int64_t until = rt_term_end(Y2027, 3);
    uint32_t list = 0;
    uint32_t index = 0;
    const libro_key *key;
    char *jws;
    uint64_t size0 = 0;
    uint64_t size1 = 0;
    libro_merkle_hash root;

    add_seats(3);
    switch (refusals[_i].m) {
    case M_NO_SEAT:
        tribe = 5;
        break;
    case M_CHAIR_BY_TRIBE:
        office = CHAIR;
        until = rt_term_end(Y2027, 4);
        break;
    case M_LEADER_BY_COMMUNITY:
        office = LEADER;
        until = rt_term_end(Y2027, 5);
        break;
    case M_TOO_LONG:
        until++;
        break;
    case M_OUTSIDE_CHARTER:
        from = Y2040 - 365 * DAY;
        until = Y2040 + DAY;
        break;
    default:
        break;
    }
    must(libro_registry_reserve_mandate_status(reg, NULL, &list, &index, &err), &err, "reserve");
    if (refusals[_i].m == M_UNRESERVED) {
        index = index + 1 < LIBRO_STATUS_LIST_MIN_ENTRIES ? index + 1 : index - 1;
    }
    c = rt_mandate_cred(&F, office, tribe, 0, from, until, RT_LIST_BASE,
                        refusals[_i].m == M_OTHER_LIST ? 1 : list, index);
    key = rt_signer(&F, office, tribe);
    if (refusals[_i].m == M_LICENSE_LISTS) {
        libro_free(c->status_revocation_list);
        libro_free(c->status_suspension_list);
        libro_free(c->status_message_list);
        c->status_revocation_list = sdup(RT_LIST_BASE "/v1/status/0/revocation");
        c->status_suspension_list = sdup(RT_LIST_BASE "/v1/status/0/suspension");
        c->status_message_list = sdup(RT_LIST_BASE "/v1/status/0/message");
    }
    if (refusals[_i].m == M_OTHER_KEY || refusals[_i].m == M_CHAIR_BY_TRIBE) {
        key = F.tribe_key[1];
    }
    if (refusals[_i].m == M_LEADER_BY_COMMUNITY) {
        key = F.community_key;
    }
    if (refusals[_i].m == M_OTHER_TABLE) {
        libro_free(c->roundtable_id);
        c->roundtable_id = sdup("urn:libro:neighborhood-4");
    }
    jws = sign(c, key);
    libro_credential_free(c);
    if (refusals[_i].m == M_LICENSE) {
        libro_free(jws);
        jws = sdup(F.authorization);
    }
    must(libro_registry_log_head(reg, &size0, &root, &err), &err, "head");
    LIBRO_ASSERT_CODE(
        libro_registry_register_mandate(reg, NULL, jws, list, index, "clerk", Y2027, NULL, &err),
        refusals[_i].want, &err, refusals[_i].msg);
    must(libro_registry_log_head(reg, &size1, &root, &err), &err, "head");
    ck_assert_uint_eq(size1, size0); /* nothing recorded */
    libro_free(jws);
}
END_TEST

/* The same mandate twice, and a second mandate on an index in use. */
START_TEST(test_register_twice)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint32_t list = 0;
    uint32_t index = 0;
    char *jws;
    char *other;

    add_seats(2);
    must(libro_registry_reserve_mandate_status(reg, NULL, &list, &index, &err), &err, "reserve");
    jws = rt_mandate(&F, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), RT_LIST_BASE, list, index);
    other = rt_mandate(&F, REP, 1, 1, Y2027, rt_term_end(Y2027, 3), RT_LIST_BASE, list, index);
    must(libro_registry_register_mandate(reg, NULL, jws, list, index, "clerk", Y2027, NULL, &err),
         &err, "first");
    LIBRO_ASSERT_CODE(
        libro_registry_register_mandate(reg, NULL, jws, list, index, "clerk", Y2027, NULL, &err),
        LIBRO_ERR_EXISTS, &err, "is already registered");
    LIBRO_ASSERT_CODE(
        libro_registry_register_mandate(reg, NULL, other, list, index, "clerk", Y2027, NULL, &err),
        LIBRO_ERR_EXISTS, &err, "is used by another mandate");
    LIBRO_ASSERT_CODE(
        libro_registry_register_mandate(reg, NULL, other, list, index, "", Y2027, NULL, &err),
        LIBRO_ERR_INVALID_ARG, &err, "actor is empty");
    libro_free(other);
    libro_free(jws);
}
END_TEST

/* A leader needs the parent's charter in the chain: a registry without it refuses. */
START_TEST(test_leader_without_parent)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *bare = NULL;
    char *path = test_db_new(F.dir, "bare.db");
    uint32_t list = 0;
    uint32_t index = 0;
    char *jws;

    must(libro_registry_create(path, F.community_charter, F.authorization, &err), &err, "create");
    must(libro_registry_open(&bare, path, &err), &err, "open");
    must(libro_registry_reserve_mandate_status(bare, NULL, &list, &index, &err), &err, "reserve");
    jws = rt_mandate(&F, LEADER, 0, 0, Y2027, rt_term_end(Y2027, 5), RT_LIST_BASE, list, index);
    LIBRO_ASSERT_CODE(
        libro_registry_register_mandate(bare, NULL, jws, list, index, "clerk", Y2027, NULL, &err),
        LIBRO_ERR_NOT_FOUND, &err, "the registry's chain has no parent charter");
    libro_free(jws);
    libro_registry_close(bare);
    test_db_remove(path);
    free(path);
}
END_TEST

/* ------------------------------------------------------------------------- replacement */

/* A new mandate for a seat ends the earlier one at its validFrom: recorded at once, its bits
 * set by the clock once that time has come; the roundtable at each time has one of them. */
START_TEST(test_replacement)
{
    libro_error err = LIBRO_ERROR_INIT;
    char first[LIBRO_MANDATE_ID_SIZE];
    char second[LIBRO_MANDATE_ID_SIZE];
    char late[LIBRO_MANDATE_ID_SIZE];
    char got[400];
    char a[16];
    char b[16];
    size_t changed = 99;
    libro_mandate_record m;
    char *leaf = NULL;
    uint64_t size = 0;
    libro_merkle_hash root;

    add_seats(2);
    register_m(first, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    /* Registered in June 2027 to start in 2028: the first is replaced ahead of time. */
    register_m(second, REP, 0, 1, Y2028, rt_term_end(Y2028, 3), JUN2027);
    m = record_of(first);
    ck_assert_int_eq(m.state, LIBRO_MANDATE_REPLACED);
    ck_assert_int_eq(m.ended_at, Y2028);
    ck_assert(!m.status_set);
    ck_assert_ptr_nonnull(strstr(m.end_reason, second));
    ck_assert_str_eq(m.ended_by, "clerk");
    libro_mandate_record_clear(&m);
    assert_status(first, false, LIBRO_WORD_IN_OFFICE); /* not yet */
    must(libro_registry_log_head(reg, &size, &root, &err), &err, "head");
    must(libro_registry_log_leaf(reg, &leaf, size - 2, &err), &err, "leaf");
    ck_assert_ptr_nonnull(strstr(leaf, "\"action\":\"replace\""));
    ck_assert_ptr_nonnull(strstr(leaf, "\"endsAt\":\"2028-01-01T00:00:00Z\""));
    libro_free(leaf);

    short_id(a, first);
    short_id(b, second);
    composition(got, sizeof got, Y2028 - 1);
    ck_assert_str_eq(got, a);
    composition(got, sizeof got, Y2028);
    ck_assert_str_eq(got, b);

    must(libro_registry_tick(reg, Y2028 - 1, &changed, &err), &err, "tick before");
    ck_assert_uint_eq(changed, 0);
    must(libro_registry_tick(reg, Y2028, &changed, &err), &err, "tick at");
    ck_assert_uint_eq(changed, 1);
    assert_status(first, true, LIBRO_WORD_REPLACED);
    m = record_of(first);
    ck_assert(m.status_set);
    libro_mandate_record_clear(&m);
    must(libro_registry_tick(reg, Y2028 + DAY, &changed, &err), &err, "tick again");
    ck_assert_uint_eq(changed, 0);

    /* Registered after its start: the earlier one's bits are set at once. */
    register_m(late, REP, 0, 2, Y2030, rt_term_end(Y2030, 3), Y2030 + DAY);
    assert_status(second, true, LIBRO_WORD_REPLACED);
    m = record_of(second);
    ck_assert_int_eq(m.ended_at, Y2030);
    ck_assert(m.status_set);
    libro_mandate_record_clear(&m);
    /* A term starting while the replaced one still held the seat: refused. */
    LIBRO_ASSERT_CODE(
        try_register(late, REP, 0, 3, Y2030 - DAY, rt_term_end(Y2030, 2), Y2030 + DAY, &err),
        LIBRO_ERR_DENIED, &err, "holds this seat during the new term; end it first");
}
END_TEST

/* A mandate starting no later than one it would overlap is refused: end that one first. */
START_TEST(test_replacement_conflicts)
{
    libro_error err = LIBRO_ERROR_INIT;
    char first[LIBRO_MANDATE_ID_SIZE];
    char second[LIBRO_MANDATE_ID_SIZE];
    char id[LIBRO_MANDATE_ID_SIZE];
    libro_mandate_record m;

    add_seats(1);
    register_m(first, REP, 0, 0, Y2028, rt_term_end(Y2028, 3), Y2027);
    LIBRO_ASSERT_CODE(try_register(id, REP, 0, 1, Y2027, rt_term_end(Y2027, 3), Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "holds this seat during the new term");
    LIBRO_ASSERT_CODE(try_register(id, REP, 0, 1, Y2028, rt_term_end(Y2028, 3), Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "holds this seat during the new term");
    m = record_of(first);
    ck_assert_int_eq(m.state, LIBRO_MANDATE_ACTIVE); /* nothing changed */
    libro_mandate_record_clear(&m);
    /* A term that ends before the first begins does not overlap it. */
    register_m(second, REP, 0, 1, Y2027, Y2028 - 1, Y2027);
    /* The chair is another office: no conflict with the seat. */
    register_m(id, CHAIR, 0, 2, Y2027, rt_term_end(Y2027, 4), Y2027);
}
END_TEST

/* ------------------------------------------------------------------------- term limits */

START_TEST(test_term_limit)
{
    libro_error err = LIBRO_ERROR_INIT;
    char t1[LIBRO_MANDATE_ID_SIZE];
    char t2[LIBRO_MANDATE_ID_SIZE];
    char t3[LIBRO_MANDATE_ID_SIZE];

    add_seats(2);
    /* consecutiveTerms 2 in the neighborhood's charter: two terms back to back, not three. */
    register_m(t1, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    register_m(t2, REP, 0, 0, Y2030, rt_term_end(Y2030, 3), Y2027);
    LIBRO_ASSERT_CODE(try_register(t3, REP, 0, 0, Y2033, rt_term_end(Y2033, 3), Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "consecutive");
    /* Another holder may; the same holder after a gap may; the same holder at another seat
     * may. */
    register_m(t3, REP, 1, 0, Y2033, rt_term_end(Y2033, 3), Y2027);
    register_m(t3, REP, 0, 0, JUN2033, rt_term_end(JUN2033, 3), Y2027);
}
END_TEST

/* An early re-election counts as back to back: the earlier term was replaced at the new
 * one's start. */
START_TEST(test_term_limit_replaced)
{
    libro_error err = LIBRO_ERROR_INIT;
    char t1[LIBRO_MANDATE_ID_SIZE];
    char t2[LIBRO_MANDATE_ID_SIZE];
    char t3[LIBRO_MANDATE_ID_SIZE];

    add_seats(1);
    register_m(t1, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    register_m(t2, REP, 0, 0, Y2028, rt_term_end(Y2028, 3), Y2027);
    LIBRO_ASSERT_CODE(try_register(t3, REP, 0, 0, Y2030, rt_term_end(Y2030, 3), Y2027, &err),
                      LIBRO_ERR_DENIED, &err, "consecutive");
}
END_TEST

/* ---------------------------------------------------------------------------- ending */

START_TEST(test_end)
{
    libro_error err = LIBRO_ERROR_INIT;
    char rep[LIBRO_MANDATE_ID_SIZE];
    char chair[LIBRO_MANDATE_ID_SIZE];
    char got[400];
    char a[16];
    char b[16];
    char both[40];
    uint64_t size = 0;
    libro_merkle_hash root;
    char *leaf = NULL;
    libro_mandate_record m;

    add_seats(1);
    register_m(rep, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    register_m(chair, CHAIR, 0, 1, Y2027, rt_term_end(Y2027, 4), Y2027);
    must(libro_registry_end_mandate(reg, NULL, rep, LIBRO_MANDATE_RESIGNED, "Jane Doe",
                                    "moved to another town", JUN2027, &err),
         &err, "resign");
    must(libro_registry_end_mandate(reg, NULL, chair, LIBRO_MANDATE_RECALLED, "Neighborhood 3",
                                    "broke the process rules", Y2028, &err),
         &err, "recall");
    assert_status(rep, true, LIBRO_WORD_RESIGNED);
    assert_status(chair, true, LIBRO_WORD_RECALLED);
    m = record_of(rep);
    ck_assert_int_eq(m.state, LIBRO_MANDATE_RESIGNED);
    ck_assert_int_eq(m.ended_at, JUN2027);
    ck_assert_str_eq(m.end_reason, "moved to another town");
    ck_assert_str_eq(m.ended_by, "Jane Doe");
    ck_assert(m.status_set);
    libro_mandate_record_clear(&m);
    must(libro_registry_log_head(reg, &size, &root, &err), &err, "head");
    must(libro_registry_log_leaf(reg, &leaf, size - 1, &err), &err, "leaf");
    ck_assert_ptr_nonnull(strstr(leaf, "\"action\":\"recall\""));
    ck_assert_ptr_nonnull(strstr(leaf, "\"reason\":\"broke the process rules\""));
    ck_assert_ptr_nonnull(strstr(leaf, "\"actor\":\"Neighborhood 3\""));
    libro_free(leaf);

    short_id(a, chair);
    short_id(b, rep);
    ck_assert_int_gt(snprintf(both, sizeof both, "%s %s", a, b), 0);
    composition(got, sizeof got, JUN2027 - 1);
    ck_assert_str_eq(got, both);
    composition(got, sizeof got, JUN2027);
    ck_assert_str_eq(got, a);
    composition(got, sizeof got, Y2028);
    ck_assert_str_eq(got, "");

    LIBRO_ASSERT_CODE(libro_registry_end_mandate(reg, NULL, rep, LIBRO_MANDATE_RECALLED, "clerk",
                                                 "again", Y2028, &err),
                      LIBRO_ERR_DENIED, &err, "has ended already (resigned)");
    LIBRO_ASSERT_CODE(libro_registry_end_mandate(reg, NULL, rep, LIBRO_MANDATE_REPLACED, "clerk",
                                                 "why", Y2028, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "resigned or recalled");
    LIBRO_ASSERT_CODE(libro_registry_end_mandate(reg, NULL, rep, LIBRO_MANDATE_RESIGNED, "clerk",
                                                 "", Y2028, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "reason is empty");
    LIBRO_ASSERT_CODE(libro_registry_end_mandate(reg, NULL, "sha256:00", LIBRO_MANDATE_RESIGNED,
                                                 "clerk", "why", Y2028, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "64 lowercase hex digits");
    LIBRO_ASSERT_CODE(libro_registry_end_mandate(
                          reg, NULL,
                          "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                          LIBRO_MANDATE_RESIGNED, "clerk", "why", Y2028, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no mandate sha256:0000");
}
END_TEST

/* A term that is over cannot end early; a replacement still ahead can be overtaken. */
START_TEST(test_end_after_term_and_pending)
{
    libro_error err = LIBRO_ERROR_INIT;
    char first[LIBRO_MANDATE_ID_SIZE];
    char second[LIBRO_MANDATE_ID_SIZE];
    libro_mandate_record m;

    add_seats(1);
    register_m(first, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    LIBRO_ASSERT_CODE(libro_registry_end_mandate(reg, NULL, first, LIBRO_MANDATE_RESIGNED, "Jane",
                                                 "late", Y2030, &err),
                      LIBRO_ERR_DENIED, &err, "its term ended at 2029-12-31T23:59:59Z");
    register_m(second, REP, 0, 1, Y2028, rt_term_end(Y2028, 3), JUN2027);
    must(libro_registry_end_mandate(reg, NULL, first, LIBRO_MANDATE_RESIGNED, "Jane", "ill",
                                    JUN2027 + DAY, &err),
         &err, "resign before the replacement");
    m = record_of(first);
    ck_assert_int_eq(m.state, LIBRO_MANDATE_RESIGNED);
    ck_assert_int_eq(m.ended_at, JUN2027 + DAY);
    libro_mandate_record_clear(&m);
    assert_status(first, true, LIBRO_WORD_RESIGNED);
}
END_TEST

/* -------------------------------------------------------------------- history, expiring */

/* The roundtable at several times matches a history of elections, a replacement, a
 * resignation and a recall. */
START_TEST(test_history)
{
    libro_error err = LIBRO_ERROR_INIT;
    char r1[LIBRO_MANDATE_ID_SIZE];
    char r2[LIBRO_MANDATE_ID_SIZE];
    char r2b[LIBRO_MANDATE_ID_SIZE];
    char ch[LIBRO_MANDATE_ID_SIZE];
    char got[400];
    char want[400];
    char s1[16];
    char s2[16];
    char s2b[16];
    char sc[16];
    size_t changed = 0;

    add_seats(3);
    register_m(r1, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    register_m(r2, REP, 1, 1, Y2027, rt_term_end(Y2027, 3), Y2027);
    register_m(ch, CHAIR, 0, 2, Y2027, rt_term_end(Y2027, 4), Y2027);
    register_m(r2b, REP, 1, 3, Y2028, rt_term_end(Y2028, 3), JUN2027);
    must(libro_registry_tick(reg, Y2028, &changed, &err), &err, "tick");
    ck_assert_uint_eq(changed, 1);
    must(libro_registry_end_mandate(reg, NULL, r1, LIBRO_MANDATE_RESIGNED, "Jane", "moved",
                                    Y2028 + 10 * DAY, &err),
         &err, "resign");
    must(libro_registry_end_mandate(reg, NULL, ch, LIBRO_MANDATE_RECALLED, "Neighborhood 3",
                                    "process", Y2030, &err),
         &err, "recall");
    short_id(s1, r1);
    short_id(s2, r2);
    short_id(s2b, r2b);
    short_id(sc, ch);
    {
        const struct {
            int64_t at;
            const char *ids[4];
        } times[] = {
            {Y2027 - 1, {NULL}},
            {Y2027, {sc, s1, s2, NULL}},
            {Y2028 - 1, {sc, s1, s2, NULL}},
            {Y2028, {sc, s1, s2b, NULL}},
            {Y2028 + 10 * DAY, {sc, s2b, NULL}},
            {Y2030, {s2b, NULL}},
            {rt_term_end(Y2028, 3), {s2b, NULL}},
            {rt_term_end(Y2028, 3) + 1, {NULL}},
        };

        for (size_t t = 0; t < LIBRO_NELEM(times); t++) {
            size_t used = 0;

            want[0] = '\0';
            for (size_t k = 0; times[t].ids[k] != NULL; k++) {
                used += (size_t) snprintf(want + used, sizeof want - used, "%s%s",
                                          k == 0 ? "" : " ", times[t].ids[k]);
            }
            composition(got, sizeof got, times[t].at);
            ck_assert_msg(strcmp(got, want) == 0, "at time %zu: got \"%s\", want \"%s\"", t, got,
                          want);
        }
    }
}
END_TEST

START_TEST(test_expiring)
{
    libro_error err = LIBRO_ERROR_INIT;
    char soon[LIBRO_MANDATE_ID_SIZE];
    char later[LIBRO_MANDATE_ID_SIZE];
    char ended[LIBRO_MANDATE_ID_SIZE];
    libro_mandate_record *m = NULL;
    size_t n = 0;
    int64_t now = rt_term_end(Y2027, 3) - 60 * DAY;

    add_seats(3);
    register_m(soon, REP, 0, 0, Y2027, rt_term_end(Y2027, 3), Y2027);
    register_m(later, REP, 1, 1, Y2027 + 90 * DAY, rt_term_end(Y2027 + 90 * DAY, 3), Y2027);
    register_m(ended, REP, 2, 2, Y2027, rt_term_end(Y2027, 3) - 10 * DAY, Y2027);
    must(libro_registry_end_mandate(reg, NULL, ended, LIBRO_MANDATE_RESIGNED, "Mia", "moved",
                                    now - DAY, &err),
         &err, "resign");
    must(libro_registry_mandates_expiring(reg, &m, &n, now, 61 * DAY, &err), &err, "expiring");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(m[0].id, soon);
    libro_mandate_records_free(m, n);
    must(libro_registry_mandates_expiring(reg, &m, &n, now, 200 * DAY, &err), &err, "expiring");
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(m[0].id, soon);
    ck_assert_str_eq(m[1].id, later);
    libro_mandate_records_free(m, n);
    must(libro_registry_mandates_expiring(reg, &m, &n, now, 0, &err), &err, "none");
    ck_assert_uint_eq(n, 0);
    LIBRO_ASSERT_CODE(libro_registry_mandates_expiring(reg, &m, &n, now, -1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "negative interval");
    /* Once the successor is registered, the election is held: no longer listed. */
    register_m(ended, REP, 0, 3, now + 30 * DAY, rt_term_end(now + 30 * DAY, 3), now);
    must(libro_registry_mandates_expiring(reg, &m, &n, now, 61 * DAY, &err), &err, "after");
    ck_assert_uint_eq(n, 0);
    libro_mandate_records_free(m, n);
}
END_TEST

/* ------------------------------------------------------------------------ who signs */

START_TEST(test_signers)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_signer s = {0};
    char kid[300];
    libro_key *stranger = NULL;

    add_seats(2);
    kid_of(kid, RT_COMMUNITY, F.community_key);
    must(libro_registry__roundtable_signer(reg, &s, kid, Y2027, &err), &err, "community");
    ck_assert_int_eq(s.kind, LIBRO_SIGNER_COMMUNITY);
    ck_assert_str_eq(s.id, RT_COMMUNITY);
    ck_assert(libro_key_equal_public(s.key, F.community_key));
    libro_registry__signer_clear(&s);
    kid_of(kid, rt_tribe(1), F.tribe_key[1]);
    must(libro_registry__roundtable_signer(reg, &s, kid, Y2027, &err), &err, "seat");
    ck_assert_int_eq(s.kind, LIBRO_SIGNER_SEAT);
    ck_assert_str_eq(s.id, "urn:libro:tribe-2");
    libro_registry__signer_clear(&s);
    kid_of(kid, RT_PARENT, F.parent_key);
    must(libro_registry__roundtable_signer(reg, &s, kid, Y2027, &err), &err, "parent");
    ck_assert_int_eq(s.kind, LIBRO_SIGNER_PARENT);
    libro_registry__signer_clear(&s);
    kid_of(kid, F.holder_did[2], F.holder_key[2]);
    must(libro_registry__roundtable_signer(reg, &s, kid, Y2027, &err), &err, "holder");
    ck_assert_int_eq(s.kind, LIBRO_SIGNER_HOLDER);
    ck_assert_str_eq(s.id, F.holder_did[2]);
    ck_assert(libro_key_equal_public(s.key, F.holder_key[2]));
    libro_registry__signer_clear(&s);

    /* A did:key with another key's thumbprint, a tribe without a seat, a known community
     * with another key, a malformed kid, a charter not valid at that time. */
    kid_of(kid, F.holder_did[2], F.holder_key[1]);
    LIBRO_ASSERT_CODE(libro_registry__roundtable_signer(reg, &s, kid, Y2027, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "not that of its did:key");
    kid_of(kid, rt_tribe(5), F.tribe_key[5]);
    LIBRO_ASSERT_CODE(libro_registry__roundtable_signer(reg, &s, kid, Y2027, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no community of this roundtable has the key");
    must(libro_key_generate(&stranger, LIBRO_ALG_ED25519, &err), &err, "stranger");
    kid_of(kid, RT_COMMUNITY, stranger);
    LIBRO_ASSERT_CODE(libro_registry__roundtable_signer(reg, &s, kid, Y2027, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no community of this roundtable has the key");
    libro_key_free(stranger);
    LIBRO_ASSERT_CODE(libro_registry__roundtable_signer(reg, &s, "no-hash", Y2027, &err),
                      LIBRO_ERR_PARSE, &err, NULL);
    kid_of(kid, rt_tribe(0), F.tribe_key[0]);
    LIBRO_ASSERT_CODE(libro_registry__roundtable_signer(reg, &s, kid, Y2040 + 1, &err),
                      LIBRO_ERR_EXPIRED, &err, "the charter of urn:libro:tribe-1 has expired");
    ck_assert_ptr_null(s.key);
    ck_assert_ptr_null(s.id);
}
END_TEST

/* Mandate ids and state names. */
START_TEST(test_ids_and_names)
{
    ck_assert(libro_mandate_id_ok(
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    ck_assert(!libro_mandate_id_ok(
        "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
    ck_assert(!libro_mandate_id_ok(
        "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    ck_assert(!libro_mandate_id_ok(
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"));
    ck_assert(!libro_mandate_id_ok(NULL));
    ck_assert_str_eq(libro_mandate_state_name(LIBRO_MANDATE_ACTIVE), "active");
    ck_assert_str_eq(libro_mandate_state_name(LIBRO_MANDATE_RESIGNED), "resigned");
    ck_assert_str_eq(libro_mandate_state_name(LIBRO_MANDATE_RECALLED), "recalled");
    ck_assert_str_eq(libro_mandate_state_name(LIBRO_MANDATE_REPLACED), "replaced");
    ck_assert_ptr_null(libro_mandate_state_name((libro_mandate_state) 5));
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("roundtable");
    TCase *seats = tcase_create("seats");
    TCase *offices = tcase_create("offices");
    TCase *limits = tcase_create("limits");
    TCase *ending = tcase_create("ending");
    TCase *reads = tcase_create("reads");

    tcase_add_checked_fixture(seats, setup, teardown);
    tcase_add_test(seats, test_seats);
    tcase_add_test(seats, test_seat_refusals);
    tcase_add_test(seats, test_seat_wrong_level);
    suite_add_tcase(s, seats);
    tcase_add_checked_fixture(offices, setup, teardown);
    tcase_add_test(offices, test_register_offices);
    tcase_add_loop_test(offices, test_register_refusals, 0, (int) LIBRO_NELEM(refusals));
    tcase_add_test(offices, test_register_twice);
    tcase_add_test(offices, test_leader_without_parent);
    tcase_add_test(offices, test_signers);
    tcase_add_test(offices, test_ids_and_names);
    suite_add_tcase(s, offices);
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_test(limits, test_replacement);
    tcase_add_test(limits, test_replacement_conflicts);
    tcase_add_test(limits, test_term_limit);
    tcase_add_test(limits, test_term_limit_replaced);
    suite_add_tcase(s, limits);
    tcase_add_checked_fixture(ending, setup, teardown);
    tcase_add_test(ending, test_end);
    tcase_add_test(ending, test_end_after_term_and_pending);
    suite_add_tcase(s, ending);
    tcase_add_checked_fixture(reads, setup, teardown);
    tcase_add_test(reads, test_history);
    tcase_add_test(reads, test_expiring);
    suite_add_tcase(s, reads);
    return s;
}
