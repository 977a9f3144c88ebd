/* The member's and the community's side of laws by consent (libro/issuer.h: law steps, the
 * adoption, fetching a record), in-process against a registry database: Neighborhood 3's
 * roundtable (three tribes' representatives and a chair, from their mandates, test_roundtable.h)
 * adopts a law after an objection ruled out, one that stood until an amendment answered it,
 * and a new round; the law built from the record (members, record hash, review date, the
 * amendment keeping the title and aim). A table of the steps the rules refuse, each with its
 * code and message, and the adoptions refused (a standing objection, a missing response, a
 * key that is not the community's). */
#include <string.h>

#include "libro/consent.h"
#include "libro/issuer.h"
#include "libro/registry.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_roundtable.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define REP LIBRO_OFFICE_REPRESENTATIVE
#define CHAIR LIBRO_OFFICE_CHAIR
#define LAW RT_COMMUNITY ":law:quiet-hours"
#define CHAIR_HOLDER 3

static rt_fixture F;
static int64_t now;
static int64_t review;

/* Three tribes seated, holders 0..2 their representatives, holder 3 the chair. */
static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *reg = NULL;
    char id[LIBRO_MANDATE_ID_SIZE];

    now = libro_time_now();
    review = now + 365 * DAY;
    rt_setup(&F, now - 400 * DAY, now + 3650 * DAY, 0, RT_LIST_BASE);
    must(libro_registry_open(&reg, F.db_path, &err), &err, "open");
    for (int i = 0; i < 3; i++) {
        must(libro_registry_add_seat(reg, NULL, F.tribe_charter[i], "clerk", now - 300 * DAY, &err),
             &err, "seat");
    }
    for (int h = 0; h < 4; h++) {
        uint32_t list = 0;
        uint32_t index = 0;
        char *jws;

        must(libro_registry_reserve_mandate_status(reg, NULL, &list, &index, &err), &err,
             "reserve");
        jws = rt_mandate(&F, h == CHAIR_HOLDER ? CHAIR : REP, h, h, now - 200 * DAY,
                         now + 700 * DAY, RT_LIST_BASE, list, index);
        must(libro_registry_register_mandate(reg, NULL, jws, list, index, "clerk", now - 200 * DAY,
                                             id, &err),
             &err, "mandate");
        libro_free(jws);
    }
    libro_registry_close(reg);
}

static void
teardown(void)
{
    rt_teardown(&F);
}

/* A step of `kind` by holder `who`; its hash into `hash` (may be NULL). */
static libro_code
try_step(char hash[LIBRO_HASH_REF_SIZE], int who, libro_law_step_options *opt, libro_error *err)
{
    libro_law_step_result res = LIBRO_LAW_STEP_RESULT_INIT;
    libro_code rc;

    opt->registry = F.db_path;
    opt->law = LAW;
    rc = libro_issuer_law_step(&res, F.holder_key[who], opt, err);
    if (rc == LIBRO_OK && hash != NULL) {
        memcpy(hash, res.hash, LIBRO_HASH_REF_SIZE);
    }
    if (rc == LIBRO_OK) {
        ck_assert_str_eq(res.by, F.holder_did[who]);
        ck_assert_uint_eq(strlen(res.hash), LIBRO_HASH_REF_LEN);
    }
    libro_law_step_result_clear(&res);
    return rc;
}

static void
propose(int who)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;

    opt.kind = LIBRO_STEP_PROPOSE;
    opt.title = "Quiet hours";
    opt.aim = "that every household can rest";
    opt.text = "No amplified music between 22:00 and 07:00.";
    opt.review_date = review;
    must(try_step(NULL, who, &opt, &err), &err, "propose");
}

static void
respond(char hash[LIBRO_HASH_REF_SIZE], int who, bool object)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;

    opt.kind = LIBRO_STEP_RESPOND;
    opt.object = object;
    opt.reason = object ? "it ignores the day sleepers" : NULL;
    opt.harm = object ? "shift workers cannot rest by day" : NULL;
    must(try_step(hash, who, &opt, &err), &err, object ? "object" : "consent");
}

static libro_code
try_adopt(libro_issued *res, char hash[LIBRO_HASH_REF_SIZE], const libro_key *key, libro_error *err)
{
    libro_law_adopt_options opt = LIBRO_LAW_ADOPT_OPTIONS_INIT;

    opt.registry = F.db_path;
    opt.actor = "clerk";
    opt.law = LAW;
    opt.charter = F.community_charter;
    opt.charter_len = strlen(F.community_charter);
    return libro_issuer_adopt_law(res, hash, key, &opt, err);
}

START_TEST(test_adopted_after_objection_and_amendment)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_buf record = LIBRO_BUF_INIT;
    libro_buf law = LIBRO_BUF_INIT;
    char jane[LIBRO_HASH_REF_SIZE];
    char other[LIBRO_HASH_REF_SIZE];
    char last[LIBRO_HASH_REF_SIZE];
    char hash[LIBRO_HASH_REF_SIZE];
    const char *answers[1];
    const libro_credential *c;

    propose(0);
    respond(NULL, 0, false);
    respond(jane, 1, true);
    respond(other, 2, true);
    opt.kind = LIBRO_STEP_RULE;
    opt.objection = other;
    opt.ruled_out = true;
    opt.reason = "it names no harm to the aim";
    must(try_step(NULL, CHAIR_HOLDER, &opt, &err), &err, "rule");
    /* Jane's objection stands: no adoption, and the reason names it. */
    LIBRO_ASSERT_CODE(try_adopt(&res, hash, F.community_key, &err), LIBRO_ERR_DENIED, &err,
                      "stands");
    ck_assert_ptr_null(res.license);
    must(libro_issuer_law_record(&record, &law, F.db_path, LAW, &err), &err, "record");
    ck_assert_uint_gt(record.len, 0);
    ck_assert_uint_eq(law.len, 0); /* nothing adopted yet */
    libro_buf_free(&record);

    /* The amendment answers it and keeps the title, aim and review date. */
    opt = (libro_law_step_options) LIBRO_LAW_STEP_OPTIONS_INIT;
    opt.kind = LIBRO_STEP_AMEND;
    opt.text = "No amplified music between 22:00 and 07:00, nor 09:00 to 14:00 near the night "
               "shift's housing.";
    answers[0] = jane;
    opt.answers = answers;
    opt.n_answers = 1;
    must(try_step(NULL, 0, &opt, &err), &err, "amend");
    /* The responses to version 1 are void: everyone again. */
    LIBRO_ASSERT_CODE(try_adopt(&res, hash, F.community_key, &err), LIBRO_ERR_DENIED, &err,
                      "has not responded");
    respond(NULL, 0, false);
    respond(NULL, 1, false);
    respond(last, 2, false);
    must(try_adopt(&res, hash, F.community_key, &err), &err, "adopt");
    c = res.license;
    ck_assert_int_eq(c->type, LIBRO_CRED_LAW);
    ck_assert_str_eq(c->subject_id, LAW);
    ck_assert_str_eq(c->issuer, RT_COMMUNITY);
    ck_assert_str_eq(c->title, "Quiet hours");
    ck_assert_str_eq(c->aim, "that every household can rest");
    ck_assert_ptr_nonnull(strstr(c->text, "night shift"));
    ck_assert_uint_eq(c->law_version, 1);
    ck_assert_int_eq(c->valid_until, review);
    ck_assert_str_eq(c->consent_record, last);
    ck_assert_ptr_null(c->supersedes);
    /* The round's members in the seats' order, then the chair. */
    ck_assert_uint_eq(c->n_members, 4);
    for (int h = 0; h < 4; h++) {
        ck_assert_str_eq(c->members[h].id, F.holder_did[h]);
        ck_assert_int_eq(c->members[h].office, h == CHAIR_HOLDER ? CHAIR : REP);
    }
    ck_assert(libro_hash_ref_ok(hash, strlen(hash)));
    /* The record now names the law it adopted. */
    must(libro_issuer_law_record(&record, &law, F.db_path, LAW, &err), &err, "record");
    ck_assert_str_eq((const char *) law.data, (const char *) res.jws.data);
    /* The process is closed. */
    LIBRO_ASSERT_CODE(try_step(NULL, 0, &opt, &err), LIBRO_ERR_NOT_FOUND, &err, NULL);
    libro_buf_free(&record);
    libro_buf_free(&law);
    libro_issued_clear(&res);
}
END_TEST

/* What the rules refuse, after a proposal by holder 0 and Jane's (holder 1) objection. */
static const struct {
    const char *name;
    int who; /* a holder, or -1: a key with no mandate */
    libro_step_kind kind;
    bool object;
    const char *reason;
    const char *harm;
    libro_code want;
    const char *msg;
} refused[] = {
    {"the chair responds", CHAIR_HOLDER, LIBRO_STEP_RESPOND, false, NULL, NULL, LIBRO_ERR_DENIED,
     "chair"},
    {"an objection without its reason", 2, LIBRO_STEP_RESPOND, true, NULL, "h", LIBRO_ERR_SCHEMA,
     "reason"},
    {"an objection without its harm", 2, LIBRO_STEP_RESPOND, true, "r", NULL, LIBRO_ERR_SCHEMA,
     "harm"},
    {"a ruling not by the chair", 0, LIBRO_STEP_RULE, false, "r", NULL, LIBRO_ERR_DENIED, NULL},
    {"a withdrawal not by the author", 0, LIBRO_STEP_WITHDRAW, false, NULL, NULL, LIBRO_ERR_DENIED,
     NULL},
    {"a second response in a round", 1, LIBRO_STEP_RESPOND, false, NULL, NULL, LIBRO_ERR_DENIED,
     NULL},
    {"an amendment by no member", -1, LIBRO_STEP_AMEND, false, NULL, NULL, LIBRO_ERR_DENIED, NULL},
};

START_TEST(test_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    libro_law_step_result res = LIBRO_LAW_STEP_RESULT_INIT;
    libro_key *outsider = NULL;
    char jane[LIBRO_HASH_REF_SIZE];
    libro_code rc;

    propose(0);
    respond(NULL, 0, false);
    respond(jane, 1, true);
    opt.registry = F.db_path;
    opt.law = LAW;
    opt.kind = refused[_i].kind;
    opt.object = refused[_i].object;
    opt.reason = refused[_i].reason;
    opt.harm = refused[_i].harm;
    opt.objection = jane;
    opt.text = "another text";
    if (refused[_i].who < 0) {
        must(libro_key_generate(&outsider, LIBRO_ALG_ED25519, &err), &err, "key");
    }
    rc = libro_issuer_law_step(&res, outsider != NULL ? outsider : F.holder_key[refused[_i].who],
                               &opt, &err);
    ck_assert_msg(rc == refused[_i].want, "%s: got %d (%s)", refused[_i].name, rc, err.msg);
    if (refused[_i].msg != NULL) {
        ck_assert_msg(strstr(err.msg, refused[_i].msg) != NULL, "%s: %s", refused[_i].name,
                      err.msg);
    }
    ck_assert_uint_eq(res.jws.len, 0);
    libro_key_free(outsider);
}
END_TEST

START_TEST(test_adopt_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    char hash[LIBRO_HASH_REF_SIZE];

    /* No process at all. */
    LIBRO_ASSERT_CODE(try_adopt(&res, hash, F.community_key, &err), LIBRO_ERR_NOT_FOUND, &err,
                      NULL);
    opt.kind = LIBRO_STEP_RESPOND;
    LIBRO_ASSERT_CODE(try_step(NULL, 0, &opt, &err), LIBRO_ERR_NOT_FOUND, &err, NULL);
    propose(0);
    respond(NULL, 0, false);
    respond(NULL, 1, false);
    /* Holder 2 has not responded. */
    LIBRO_ASSERT_CODE(try_adopt(&res, hash, F.community_key, &err), LIBRO_ERR_DENIED, &err,
                      F.holder_did[2]);
    respond(NULL, 2, false);
    /* A tribe's key is not the community key. */
    LIBRO_ASSERT_CODE(try_adopt(&res, hash, F.tribe_key[0], &err), LIBRO_ERR_DENIED, &err,
                      "community key");
    ck_assert_ptr_null(res.license);
    must(try_adopt(&res, hash, F.community_key, &err), &err, "adopt");
    libro_issued_clear(&res);
    /* Bad arguments. */
    LIBRO_ASSERT_CODE(libro_issuer_adopt_law(&res, hash, F.community_key, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    opt.version = 99;
    LIBRO_ASSERT_CODE(
        libro_issuer_law_step(&(libro_law_step_result){0}, F.holder_key[0], &opt, &err),
        LIBRO_ERR_INVALID_ARG, &err, NULL);
}
END_TEST

/* The chair opens a second round once everyone responded in the first: everyone again. */
START_TEST(test_second_round)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    char hash[LIBRO_HASH_REF_SIZE];

    propose(0);
    respond(NULL, 0, false);
    respond(NULL, 1, false);
    opt.kind = LIBRO_STEP_ROUND;
    LIBRO_ASSERT_CODE(try_step(NULL, CHAIR_HOLDER, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "not complete");
    respond(NULL, 2, false);
    LIBRO_ASSERT_CODE(try_step(NULL, 0, &opt, &err), LIBRO_ERR_DENIED, &err, "only the chair");
    must(try_step(NULL, CHAIR_HOLDER, &opt, &err), &err, "round 2");
    LIBRO_ASSERT_CODE(try_adopt(&res, hash, F.community_key, &err), LIBRO_ERR_DENIED, &err,
                      "round 2");
    respond(NULL, 0, false);
    respond(NULL, 1, false);
    respond(NULL, 2, false);
    must(try_adopt(&res, hash, F.community_key, &err), &err, "adopt");
    ck_assert_uint_eq(res.license->n_members, 4);
    libro_issued_clear(&res);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("issuer_law");
    TCase *tc = tcase_create("consent");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_adopted_after_objection_and_amendment);
    tcase_add_loop_test(tc, test_refused, 0, (int) LIBRO_NELEM(refused));
    tcase_add_test(tc, test_adopt_refused);
    tcase_add_test(tc, test_second_round);
    suite_add_tcase(s, tc);
    return s;
}
