/* The issuer's mandate workflows (libro/issuer.h), without a shell: Neighborhood 3 (level 1)
 * with its registry (a temp SQLite file), two tribes chartered by it and seated, a third
 * chartered but not seated; a representative and the chair issued into the registry with
 * their default terms, the term cut at the signer's charter, each refusal before the
 * registry is asked (table), the registry's own refusals, a replacement; seats and early
 * ends in-process; then the same registry served on loopback: issue, resign (only by the
 * holder's key) and recall (by the tribe's key) as signed requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/issuer.h"
#include "libro/rules.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define N3 "urn:libro:neighborhood-3"
#define T1 "urn:libro:tribe-1"
#define T2 "urn:libro:tribe-2"
#define T3 "urn:libro:tribe-3"
#define BASE "https://registry.n3.example/v1/status/mandates"
#define RECORD "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char dir[256];
static char *db_path; /* test_db_new: a file in dir, or a PostgreSQL schema */
static int64_t now;
static libro_key *n3_key;
static libro_key *t1_key;
static libro_key *t2_key;
static libro_key *t3_key;
static libro_key *registry_key;
static libro_key *jane_key;
static char jane_did[128];
static char *n3_jws;
static char *t1_jws;
static char *t2_jws;
static char *t3_jws;

/* A CommunityCharter of `id` at `level`, issued by `issuer` (signed by `signer`), naming
 * `key`, valid from ten years ago until `until`. */
static char *
charter(const char *issuer, const char *id, const char *name, int level, const libro_key *key,
        const libro_key *signer, int64_t until)
{
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, issuer, id, name, now - 3650 * DAY, until);
    char *jws;

    c->level = level;
    c->subject_key = public_of(key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup("civic");
    c->n_allowed = 1;
    jws = sign(c, signer);
    libro_credential_free(c);
    return jws;
}

static libro_key *
new_key(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    must(libro_key_generate(&k, LIBRO_ALG_ED25519, &err), &err, "key");
    return k;
}

static void
did_of(char out[128], const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf b = LIBRO_BUF_INIT;

    must(libro_key_to_did(&b, k, &err), &err, "did");
    ck_assert_uint_lt(b.len, 128);
    memcpy(out, b.data, b.len + 1);
    libro_buf_free(&b);
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    libro_credential *reg_auth;
    char *reg_auth_jws;

    now = libro_time_now();
    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-mandate-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    db_path = test_db_new(dir, "n3.db");
    n3_key = new_key();
    t1_key = new_key();
    t2_key = new_key();
    t3_key = new_key();
    registry_key = new_key();
    jane_key = new_key();
    did_of(jane_did, jane_key);
    n3_jws = charter(N3, N3, "Neighborhood 3", 1, n3_key, n3_key, now + 7300 * DAY);
    t1_jws = charter(N3, T1, "Tribe 1", 0, t1_key, n3_key, now + 7300 * DAY);
    /* Tribe 2's charter ends in a year: its representative's default term is cut there. */
    t2_jws = charter(N3, T2, "Tribe 2", 0, t2_key, n3_key, now + 365 * DAY);
    t3_jws = charter(N3, T3, "Tribe 3", 0, t3_key, n3_key, now + 7300 * DAY);
    reg_auth = new_cred(LIBRO_CRED_REGISTRY_AUTH, N3, N3 ":registry", "Registry", now - 10 * DAY,
                        now + 3000 * DAY);
    reg_auth->subject_key = public_of(registry_key);
    reg_auth_jws = sign(reg_auth, n3_key);
    libro_credential_free(reg_auth);
    must(libro_registry_create(db_path, n3_jws, reg_auth_jws, &err), &err, "create");
    libro_free(reg_auth_jws);
    must(libro_issuer_add_seat(db_path, NULL, t1_jws, strlen(t1_jws), "clerk", &err), &err,
         "seat 1");
    must(libro_issuer_add_seat(db_path, NULL, t2_jws, strlen(t2_jws), "clerk", &err), &err,
         "seat 2");
}

static void
teardown(void)
{
    test_db_remove(db_path);
    free(db_path);
    db_path = NULL;
    (void) rmdir(dir);
    libro_free(n3_jws);
    libro_free(t1_jws);
    libro_free(t2_jws);
    libro_free(t3_jws);
    n3_jws = t1_jws = t2_jws = t3_jws = NULL;
    libro_key_free(n3_key);
    libro_key_free(t1_key);
    libro_key_free(t2_key);
    libro_key_free(t3_key);
    libro_key_free(registry_key);
    libro_key_free(jane_key);
    n3_key = t1_key = t2_key = t3_key = registry_key = jane_key = NULL;
}

/* Tribe 1's representative Jane, into the database, from `from` (0: now). */
static libro_mandate_options
rep_opts(int64_t from)
{
    libro_mandate_options opt = LIBRO_MANDATE_OPTIONS_INIT;

    opt.office = LIBRO_OFFICE_REPRESENTATIVE;
    opt.holder = "Jane Doe";
    opt.holder_did = jane_did;
    opt.signer_charter = t1_jws;
    opt.signer_charter_len = strlen(t1_jws);
    opt.roundtable_charter = n3_jws;
    opt.roundtable_charter_len = strlen(n3_jws);
    opt.valid_from = from;
    opt.election_record = RECORD;
    opt.election_date = from != 0 ? from : now;
    opt.electorate = 1012;
    opt.election_result = "elected with 612 of 987 votes";
    opt.registry = db_path;
    opt.actor = "clerk";
    opt.status_url_base = BASE;
    return opt;
}

/* "sha256:<hex>" of the JWS, as the registry names a mandate. */
static void
id_of(char out[LIBRO_MANDATE_ID_SIZE], const libro_buf *jws)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf hex = LIBRO_BUF_INIT;
    unsigned char h[32];

    must(libro_sha256(h, jws->data, jws->len, &err), &err, "sha256");
    must(libro_hex_encode(&hex, h, sizeof h, &err), &err, "hex");
    ck_assert_int_eq(snprintf(out, LIBRO_MANDATE_ID_SIZE, "sha256:%s", (const char *) hex.data),
                     LIBRO_MANDATE_ID_LEN);
    libro_buf_free(&hex);
}

static void
get_record(libro_mandate_record *rec, const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;

    must(libro_registry_open(&r, db_path, &err), &err, "open");
    must(libro_registry_mandate(r, rec, id, &err), &err, "mandate");
    libro_registry_close(r);
}

/* The mandates on record whose term ends within twenty years: all of them, as none ends. */
static size_t
count_mandates(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_mandate_record *m = NULL;
    size_t n = 0;

    must(libro_registry_open(&r, db_path, &err), &err, "open");
    must(libro_registry_mandates_expiring(r, &m, &n, now - 3650 * DAY, 20 * 366 * DAY, &err), &err,
         "expiring");
    libro_mandate_records_free(m, n);
    libro_registry_close(r);
    return n;
}

START_TEST(test_issue_representative)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(now - DAY);
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_mandate_record rec = {0};
    char id[LIBRO_MANDATE_ID_SIZE] = "";
    char want_id[LIBRO_MANDATE_ID_SIZE];
    char url[160];
    int64_t end = 0;
    const libro_credential *m;

    must(libro_issuer_issue_mandate(&res, id, t1_key, &opt, &err), &err, "issue");
    m = res.license;
    ck_assert(res.registered);
    id_of(want_id, &res.jws);
    ck_assert_str_eq(id, want_id);
    ck_assert_int_eq(m->type, LIBRO_CRED_MANDATE);
    ck_assert_str_eq(m->issuer, T1);
    ck_assert_str_eq(m->seat, T1);
    ck_assert_str_eq(m->roundtable_id, N3);
    ck_assert_int_eq(m->roundtable_level, 1);
    ck_assert(m->voting);
    ck_assert_str_eq(m->subject_id, jane_did);
    ck_assert_int_eq(m->election_electorate, 1012);
    /* The default term: the 3 years of a representative into a level-1 roundtable. */
    must(libro_rules_term_end(&end, now - DAY, 3, &err), &err, "term end");
    ck_assert_int_eq(m->valid_from, now - DAY);
    ck_assert_int_eq(m->valid_until, end);
    /* The status entries name the reserved index in the database's mandate lists. */
    ck_assert(m->has_status);
    ck_assert_uint_eq(m->status_index, res.status_index);
    ck_assert_int_gt(snprintf(url, sizeof url, "%s/%u/message", BASE, (unsigned) res.status_list),
                     0);
    ck_assert_str_eq(m->status_message_list, url);
    get_record(&rec, id);
    ck_assert_int_eq(rec.state, LIBRO_MANDATE_ACTIVE);
    ck_assert_str_eq(rec.credential, (const char *) res.jws.data);
    ck_assert_uint_eq(rec.status_index, res.status_index);
    libro_mandate_record_clear(&rec);
    libro_issued_clear(&res);
}
END_TEST

START_TEST(test_issue_chair)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(0);
    libro_issued res = LIBRO_ISSUED_INIT;
    int64_t end = 0;

    opt.office = LIBRO_OFFICE_CHAIR;
    opt.signer_charter = n3_jws;
    opt.signer_charter_len = strlen(n3_jws);
    opt.roundtable_charter = NULL;
    opt.roundtable_charter_len = 0;
    must(libro_issuer_issue_mandate(&res, NULL, n3_key, &opt, &err), &err, "issue chair");
    ck_assert_ptr_null(res.license->seat);
    ck_assert(!res.license->voting);
    ck_assert_str_eq(res.license->issuer, N3);
    ck_assert_str_eq(res.license->roundtable_id, N3);
    must(libro_rules_term_end(&end, res.license->valid_from, 4, &err), &err, "term end");
    ck_assert_int_eq(res.license->valid_until, end);
    libro_issued_clear(&res);
}
END_TEST

/* Tribe 2's charter ends in a year: the default term stops there, an explicit one is refused. */
START_TEST(test_term_cut_at_charter)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(0);
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_credential *t2 = NULL;

    must(libro_credential_parse_unverified(&t2, t2_jws, strlen(t2_jws), &err), &err, "t2");
    opt.signer_charter = t2_jws;
    opt.signer_charter_len = strlen(t2_jws);
    must(libro_issuer_issue_mandate(&res, NULL, t2_key, &opt, &err), &err, "issue");
    ck_assert_int_eq(res.license->valid_until, t2->valid_until);
    libro_issued_clear(&res);
    opt.valid_from = now + 60;
    opt.valid_until = t2->valid_until + 1;
    LIBRO_ASSERT_CODE(libro_issuer_issue_mandate(&res, NULL, t2_key, &opt, &err), LIBRO_ERR_DENIED,
                      &err, "issuer: ");
    ck_assert_uint_eq(res.jws.len, 0);
    ck_assert_ptr_null(res.license);
    libro_credential_free(t2);
}
END_TEST

/* Refusals before the registry is asked for anything: no index is reserved. */
enum bad_field {
    BAD_TERM,
    BAD_KEY,
    BAD_NO_RT,
    BAD_CHAIR_RT,
    BAD_NO_REGISTRY,
    BAD_NO_BASE,
    BAD_DID,
    BAD_RT_OTHER,
    BAD_RT_LICENSE,
    BAD_NO_HOLDER,
    BAD_VERSION,
};

static const struct {
    const char *name;
    enum bad_field what;
    libro_code want;
    const char *msg;
} bad_issues[] = {
    {"a term a second too long", BAD_TERM, LIBRO_ERR_DENIED, "longer than the 3 years"},
    {"signed by another tribe's key", BAD_KEY, LIBRO_ERR_DENIED,
     "issuer: the signing key is not the community key of urn:libro:tribe-1"},
    {"a representative without the roundtable's charter", BAD_NO_RT, LIBRO_ERR_INVALID_ARG,
     "needs the roundtable's charter"},
    {"a chair with a roundtable charter", BAD_CHAIR_RT, LIBRO_ERR_INVALID_ARG,
     "a chair's roundtable is the signer's own community"},
    {"no registry", BAD_NO_REGISTRY, LIBRO_ERR_INVALID_ARG, "status entries are required"},
    {"a database without its status URL base", BAD_NO_BASE, LIBRO_ERR_INVALID_ARG,
     "needs the URL base"},
    {"a holder that is no did:key", BAD_DID, LIBRO_ERR_SCHEMA, NULL},
    {"a roundtable charter of another community", BAD_RT_OTHER, LIBRO_ERR_DENIED, "issuer: "},
    {"a roundtable charter that is no charter", BAD_RT_LICENSE, LIBRO_ERR_INVALID_ARG,
     "roundtable's charter: want a CommunityCharter"},
    {"no holder", BAD_NO_HOLDER, LIBRO_ERR_INVALID_ARG, "holder's name and did:key"},
    {"options of another version", BAD_VERSION, LIBRO_ERR_INVALID_ARG, "bad arguments"},
};

START_TEST(test_issue_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(0);
    libro_issued res = LIBRO_ISSUED_INIT;
    const libro_key *signer = t1_key;
    libro_credential *other = NULL;
    char *other_jws = NULL;
    char id[LIBRO_MANDATE_ID_SIZE] = "";
    int64_t end = 0;

    switch (bad_issues[_i].what) {
    case BAD_TERM:
        opt.valid_from = now;
        must(libro_rules_term_end(&end, now, 3, &err), &err, "term end");
        opt.valid_until = end + 1;
        break;
    case BAD_KEY:
        signer = t2_key;
        break;
    case BAD_NO_RT:
        opt.roundtable_charter = NULL;
        break;
    case BAD_CHAIR_RT:
        opt.office = LIBRO_OFFICE_CHAIR;
        opt.signer_charter = n3_jws;
        opt.signer_charter_len = strlen(n3_jws);
        signer = n3_key;
        break;
    case BAD_NO_REGISTRY:
        opt.registry = NULL;
        break;
    case BAD_NO_BASE:
        opt.status_url_base = NULL;
        break;
    case BAD_DID:
        opt.holder_did = "urn:libro:jane";
        break;
    case BAD_RT_OTHER:
        /* Neighborhood 4 did not charter tribe 1. */
        other_jws = charter("urn:libro:neighborhood-4", "urn:libro:neighborhood-4", "N4", 1, t3_key,
                            t3_key, now + 7300 * DAY);
        opt.roundtable_charter = other_jws;
        opt.roundtable_charter_len = strlen(other_jws);
        break;
    case BAD_RT_LICENSE:
        other = new_cred(LIBRO_CRED_REGISTRY_AUTH, N3, N3 ":registry", "R", now - DAY, now + DAY);
        other->subject_key = public_of(registry_key);
        other_jws = sign(other, n3_key);
        opt.roundtable_charter = other_jws;
        opt.roundtable_charter_len = strlen(other_jws);
        break;
    case BAD_NO_HOLDER:
        opt.holder = NULL;
        break;
    case BAD_VERSION:
        opt.version = LIBRO_MANDATE_OPTIONS_VERSION + 1;
        break;
    }
    LIBRO_ASSERT_CODE(libro_issuer_issue_mandate(&res, id, signer, &opt, &err), bad_issues[_i].want,
                      &err, bad_issues[_i].msg);
    ck_assert_uint_eq(res.jws.len, 0);
    ck_assert_ptr_null(res.license);
    ck_assert(!res.registered);
    ck_assert_uint_eq(count_mandates(), 0);
    libro_credential_free(other);
    libro_free(other_jws);
}
END_TEST

/* What the registry refuses: a tribe without a seat; a second seat's refusal of a charter the
 * neighborhood did not sign. */
START_TEST(test_registry_refuses)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(0);
    libro_issued res = LIBRO_ISSUED_INIT;
    char *forged = charter(N3, "urn:libro:tribe-9", "Tribe 9", 0, t3_key, t3_key, now + DAY);

    opt.signer_charter = t3_jws;
    opt.signer_charter_len = strlen(t3_jws);
    LIBRO_ASSERT_CODE(libro_issuer_issue_mandate(&res, NULL, t3_key, &opt, &err),
                      LIBRO_ERR_NOT_FOUND, &err, NULL);
    ck_assert(!res.registered);
    ck_assert_uint_eq(count_mandates(), 0);
    LIBRO_ASSERT_CODE(libro_issuer_add_seat(db_path, NULL, forged, strlen(forged), "clerk", &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, NULL);
    LIBRO_ASSERT_CODE(libro_issuer_add_seat(db_path, NULL, n3_jws, strlen(n3_jws), "clerk", &err),
                      LIBRO_ERR_DENIED, &err, NULL);
    LIBRO_ASSERT_CODE(libro_issuer_add_seat(db_path, NULL, "x.y", 3, "clerk", &err),
                      LIBRO_ERR_PARSE, &err, "member charter");
    libro_free(forged);
}
END_TEST

/* A newer mandate for the seat replaces the one in office, at its start. */
START_TEST(test_replace_and_end)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(now - 400 * DAY);
    libro_issued first = LIBRO_ISSUED_INIT;
    libro_issued second = LIBRO_ISSUED_INIT;
    libro_mandate_record rec = {0};
    char id1[LIBRO_MANDATE_ID_SIZE] = "";
    char id2[LIBRO_MANDATE_ID_SIZE] = "";

    must(libro_issuer_issue_mandate(&first, id1, t1_key, &opt, &err), &err, "first");
    opt = rep_opts(now - 10 * DAY);
    opt.holder = "John Roe";
    must(libro_issuer_issue_mandate(&second, id2, t1_key, &opt, &err), &err, "second");
    get_record(&rec, id1);
    ck_assert_int_eq(rec.state, LIBRO_MANDATE_REPLACED);
    ck_assert_int_eq(rec.ended_at, now - 10 * DAY);
    ck_assert(rec.status_set);
    libro_mandate_record_clear(&rec);

    /* Ending early: in-process an actor is required; the holder resigns. */
    LIBRO_ASSERT_CODE(libro_issuer_end_mandate(db_path, NULL, id2, LIBRO_MANDATE_RESIGNED,
                                               "moved away", NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "needs an actor");
    LIBRO_ASSERT_CODE(
        libro_issuer_end_mandate(db_path, NULL, id2, LIBRO_MANDATE_ACTIVE, "x", "clerk", &err),
        LIBRO_ERR_INVALID_ARG, &err, "bad arguments");
    must(libro_issuer_end_mandate(db_path, NULL, id2, LIBRO_MANDATE_RESIGNED, "moved away", "clerk",
                                  &err),
         &err, "resign");
    get_record(&rec, id2);
    ck_assert_int_eq(rec.state, LIBRO_MANDATE_RESIGNED);
    ck_assert_str_eq(rec.end_reason, "moved away");
    ck_assert(rec.status_set);
    libro_mandate_record_clear(&rec);
    LIBRO_ASSERT_CODE(libro_issuer_end_mandate(db_path, NULL, id2, LIBRO_MANDATE_RECALLED, "again",
                                               "clerk", &err),
                      LIBRO_ERR_DENIED, &err, NULL);
    libro_issued_clear(&first);
    libro_issued_clear(&second);
}
END_TEST

/* A charter's roundtable terms, through libro_issuer_issue_charter: written, and refused past
 * the seed; options of version 1 have none. */
START_TEST(test_charter_terms)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_charter_options opt = LIBRO_CHARTER_OPTIONS_INIT;
    libro_credential *c = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    const char *const allowed[] = {"civic"};

    opt.id = "urn:libro:neighborhood-5";
    opt.name = "Neighborhood 5";
    opt.level = 1;
    opt.allowed = allowed;
    opt.n_allowed = 1;
    opt.valid_from = now;
    opt.valid_until = now + 3650 * DAY;
    opt.chair_term_years = 3;
    opt.consecutive_terms = 2;
    must(libro_issuer_issue_charter(&jws, &c, n3_key, &opt, &err), &err, "charter");
    ck_assert_uint_eq(c->rt_chair_years, 3);
    ck_assert_uint_eq(c->rt_consecutive_terms, 2);
    ck_assert_uint_eq(c->rt_representative_years, 0);
    libro_credential_free(c);
    libro_buf_free(&jws);
    opt.representative_term_years = 4; /* the seed at level 1 is 3 */
    LIBRO_ASSERT_CODE(libro_issuer_issue_charter(&jws, &c, n3_key, &opt, &err), LIBRO_ERR_SCHEMA,
                      &err, "representativeTermYears");
    ck_assert_uint_eq(jws.len, 0);
    opt.version = 1;
    must(libro_issuer_issue_charter(&jws, &c, n3_key, &opt, &err), &err, "version 1");
    ck_assert_uint_eq(c->rt_chair_years, 0);
    ck_assert_uint_eq(c->rt_representative_years, 0);
    libro_credential_free(c);
    libro_buf_free(&jws);
}
END_TEST

/* A leader: the neighborhood appoints one into tribe 1's circle, recorded in tribe 1's own
 * registry (level 0: a circle, no roundtable), whose chain holds the neighborhood's charter.
 * Another tribe cannot appoint one. */
START_TEST(test_leader)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(0);
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_credential *t1_reg = new_cred(LIBRO_CRED_REGISTRY_AUTH, T1, T1 ":registry", "R",
                                        now - 10 * DAY, now + 3000 * DAY);
    libro_registry *r = NULL;
    char *t1_db = test_db_new(dir, "t1.db");
    char *t1_reg_jws;
    int64_t end = 0;

    t1_reg->subject_key = public_of(registry_key);
    t1_reg_jws = sign(t1_reg, t1_key);
    must(libro_registry_create(t1_db, t1_jws, t1_reg_jws, &err), &err, "create t1");
    must(libro_registry_open(&r, t1_db, &err), &err, "open t1");
    must(libro_registry_add_chain(r, NULL, n3_jws, "clerk", now, &err), &err, "chain");
    libro_registry_close(r);
    opt.office = LIBRO_OFFICE_LEADER;
    opt.signer_charter = n3_jws;
    opt.signer_charter_len = strlen(n3_jws);
    opt.roundtable_charter = t1_jws;
    opt.roundtable_charter_len = strlen(t1_jws);
    opt.registry = t1_db;
    must(libro_issuer_issue_mandate(&res, NULL, n3_key, &opt, &err), &err, "leader");
    ck_assert_str_eq(res.license->seat, N3);
    ck_assert_str_eq(res.license->roundtable_id, T1);
    ck_assert_int_eq(res.license->roundtable_level, 0);
    ck_assert(!res.license->voting);
    must(libro_rules_term_end(&end, res.license->valid_from, 5, &err), &err, "term end");
    ck_assert_int_eq(res.license->valid_until, end);
    libro_issued_clear(&res);
    /* Tribe 2 did not charter tribe 1: no leader of its own there. */
    opt.signer_charter = t2_jws;
    opt.signer_charter_len = strlen(t2_jws);
    LIBRO_ASSERT_CODE(libro_issuer_issue_mandate(&res, NULL, t2_key, &opt, &err), LIBRO_ERR_DENIED,
                      &err, "issuer: ");
    ck_assert_ptr_null(res.license);
    libro_credential_free(t1_reg);
    libro_free(t1_reg_jws);
    test_db_remove(t1_db);
    free(t1_db);
}
END_TEST

/* ---- over HTTP ------------------------------------------------------------------------------ */

static libro_server *server;
static char url[64];

static void
serve(const char *base_url, uint16_t port)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.base_url = base_url;
    opt.port = port;
    must(libro_server_start(&server, &opt, &err), &err, "serve");
}

/* The registry on loopback: an ephemeral port first, then the server for good on it (a
 * request's audience is the base URL, which names the port). */
static void
setup_remote(void)
{
    uint16_t port;

    setup();
    serve("http://127.0.0.1", 0);
    port = libro_server_port(server);
    libro_server_stop(server);
    ck_assert_int_gt(snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned) port), 0);
    serve(url, port);
}

static void
teardown_remote(void)
{
    libro_server_stop(server);
    server = NULL;
    teardown();
}

START_TEST(test_remote)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_options opt = rep_opts(0);
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_mandate_record rec = {0};
    libro_key *john_key = new_key();
    char id[LIBRO_MANDATE_ID_SIZE] = "";
    char lists[96];

    /* The seat of tribe 3, signed by the neighborhood's key; a tribe's key is refused. */
    LIBRO_ASSERT_CODE(libro_issuer_add_seat(url, t1_key, t3_jws, strlen(t3_jws), NULL, &err),
                      LIBRO_ERR_UNTRUSTED, &err, NULL);
    must(libro_issuer_add_seat(url, n3_key, t3_jws, strlen(t3_jws), NULL, &err), &err, "seat 3");
    opt.registry = url;
    opt.actor = NULL;
    opt.status_url_base = NULL;
    must(libro_issuer_issue_mandate(&res, id, t1_key, &opt, &err), &err, "issue");
    ck_assert_int_gt(snprintf(lists, sizeof lists, "%s/v1/status/mandates/", url), 0);
    ck_assert_int_eq(strncmp(res.license->status_revocation_list, lists, strlen(lists)), 0);

    /* Only the holder resigns; another key is refused before anything is sent. */
    LIBRO_ASSERT_CODE(
        libro_issuer_end_mandate(url, john_key, id, LIBRO_MANDATE_RESIGNED, "x", NULL, &err),
        LIBRO_ERR_DENIED, &err, "only the holder resigns");
    LIBRO_ASSERT_CODE(
        libro_issuer_end_mandate(url, NULL, id, LIBRO_MANDATE_RESIGNED, "x", NULL, &err),
        LIBRO_ERR_INVALID_ARG, &err, "needs the signing key");
    /* Tribe 2's key does not recall tribe 1's representative. */
    LIBRO_ASSERT_CODE(
        libro_issuer_end_mandate(url, t2_key, id, LIBRO_MANDATE_RECALLED, "x", NULL, &err),
        LIBRO_ERR_UNTRUSTED, &err, NULL);
    must(libro_issuer_end_mandate(url, jane_key, id, LIBRO_MANDATE_RESIGNED, "moved away", NULL,
                                  &err),
         &err, "resign");
    get_record(&rec, id);
    ck_assert_int_eq(rec.state, LIBRO_MANDATE_RESIGNED);
    libro_mandate_record_clear(&rec);
    libro_issued_clear(&res);

    /* The next representative, recalled by tribe 1. */
    opt.holder = "John Roe";
    did_of(jane_did, john_key);
    must(libro_issuer_issue_mandate(&res, id, t1_key, &opt, &err), &err, "issue 2");
    must(libro_issuer_end_mandate(url, t1_key, id, LIBRO_MANDATE_RECALLED, "lost confidence", NULL,
                                  &err),
         &err, "recall");
    get_record(&rec, id);
    ck_assert_int_eq(rec.state, LIBRO_MANDATE_RECALLED);
    libro_mandate_record_clear(&rec);
    libro_issued_clear(&res);
    libro_key_free(john_key);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("issuer_mandate");
    TCase *local = tcase_create("database");
    TCase *http = tcase_create("http");

    tcase_add_checked_fixture(local, setup, teardown);
    tcase_add_test(local, test_issue_representative);
    tcase_add_test(local, test_issue_chair);
    tcase_add_test(local, test_term_cut_at_charter);
    tcase_add_loop_test(local, test_issue_refused, 0, (int) LIBRO_NELEM(bad_issues));
    tcase_add_test(local, test_registry_refuses);
    tcase_add_test(local, test_replace_and_end);
    tcase_add_test(local, test_leader);
    tcase_add_test(local, test_charter_terms);
    suite_add_tcase(s, local);
    tcase_add_checked_fixture(http, setup_remote, teardown_remote);
    tcase_set_timeout(http, 60);
    tcase_add_test(http, test_remote);
    suite_add_tcase(s, http);
    return s;
}
