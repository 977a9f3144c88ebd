/* Laws by consent in the registry (registry/src/law.c): consent steps checked with core's state
 * machine against the roundtable the registry's mandates say sat at each step's time, the
 * chain of hashes and the order enforced, an adopted law registered only when the community
 * key signed it naming the record's last step and the process can be adopted, a newer version
 * repealing the older; the record document, the laws in force, a law's versions, the laws
 * whose review is due. Every refusal with its code and a part of its message. */
#include <stdio.h>
#include <string.h>

#include "libro/registry.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_law.h"
#include "test_util.h"

#define DAY INT64_C(86400)

static rt_fixture F;
static libro_registry *reg;
static int64_t now;
static int64_t t0;     /* the first step's time */
static int64_t review; /* the proposal's review date */
static tl_process P;

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    now = libro_time_now();
    rt_setup(&F, now - 365 * DAY, now + 3650 * DAY, 0, RT_LIST_BASE);
    must(libro_registry_open(&reg, F.db_path, &err), &err, "open");
    tl_roundtable(&F, reg, now - 30 * DAY, rt_term_end(now - 30 * DAY, 3), now - 30 * DAY);
    t0 = now - 10 * DAY;
    review = now + 365 * DAY;
    memset(&P, 0, sizeof P);
    P.f = &F;
    P.law = TL_LAW;
}

static void
teardown(void)
{
    libro_registry_close(reg);
    reg = NULL;
    rt_teardown(&F);
}

static libro_code
add(const char *token, libro_error *err)
{
    return libro_registry_add_step(reg, NULL, token, strlen(token), "clerk", now, NULL, err);
}

/* Add a step that must be accepted; the process advances; its hash into `hash` (or NULL). */
static void
step_ok(char *token, char hash[LIBRO_HASH_REF_SIZE])
{
    libro_error err = LIBRO_ERROR_INIT;
    char got[LIBRO_HASH_REF_SIZE];

    must(libro_registry_add_step(reg, NULL, token, strlen(token), "clerk", now, got, &err), &err,
         "step");
    tl_accept(&P, token, hash);
    ck_assert_str_eq(got, P.prev);
    libro_free(token);
}

/* A step that must be refused with `want` and `msg`; nothing is recorded. */
static void
step_refused(char *token, libro_code want, const char *msg)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t before = tl_log_size(reg);

    LIBRO_ASSERT_CODE(add(token, &err), want, &err, msg);
    ck_assert_uint_eq(tl_log_size(reg), before);
    libro_free(token);
}

static char *
propose(int holder, int64_t at, const char *supersedes)
{
    tl_step_args a = {.text = "No loud music after 22:00.", .review = review, .ref = supersedes};

    return tl_step(&P, holder, LIBRO_STEP_PROPOSE, at, &a);
}

static char *
respond(int holder, int64_t at, uint32_t version, uint32_t round, bool consent)
{
    tl_step_args a = {.version = version,
                      .round = round,
                      .consent = consent,
                      .reason = consent ? NULL : "night shifts: some sleep by day",
                      .harm = consent ? NULL : "households working nights cannot rest"};

    return tl_step(&P, holder, LIBRO_STEP_RESPOND, at, &a);
}

static char *
amend(int holder, int64_t at, const char *answers)
{
    tl_step_args a = {
        .text = "No loud music after 22:00, nor before 14:00 where a neighbor works nights.",
        .review = review,
        .ref = answers};

    return tl_step(&P, holder, LIBRO_STEP_AMEND, at, &a);
}

/* Everyone of the round consents, in the recorded order (holders 0, 1, 2). */
static void
all_consent(int64_t at, uint32_t version, uint32_t round)
{
    for (int h = 0; h < 3; h++) {
        step_ok(respond(h, at + h, version, round, true), NULL);
    }
}

static libro_code
register_law(const char *law, char hash[LIBRO_HASH_REF_SIZE], libro_error *err)
{
    return libro_registry_register_law(reg, NULL, law, "clerk", now, hash, err);
}

START_TEST(test_adopt_after_objection_and_amendment)
{
    libro_error err = LIBRO_ERROR_INIT;
    char objection[LIBRO_HASH_REF_SIZE];
    char hash[LIBRO_HASH_REF_SIZE];
    char *law;
    char *early;
    libro_law_record l = {0};
    libro_law_record *list = NULL;
    libro_consent_step_record *steps = NULL;
    libro_consent_record *rec = NULL;
    libro_buf doc = LIBRO_BUF_INIT;
    size_t n = 0;
    uint64_t before = tl_log_size(reg);

    step_ok(propose(0, t0, NULL), NULL);
    step_ok(respond(0, t0 + 60, 1, 1, true), NULL);
    step_ok(respond(1, t0 + 120, 1, 1, false), objection);
    step_ok(respond(2, t0 + 180, 1, 1, true), NULL);
    ck_assert_uint_eq(tl_log_size(reg), before + 4);
    /* A standing objection: no law yet. */
    early = tl_law(&P, 1, "No loud music after 22:00.", t0 + 240, review, NULL, F.community_key);
    LIBRO_ASSERT_CODE(register_law(early, NULL, &err), LIBRO_ERR_DENIED, &err,
                      "not adoptable: the objection by did:key:");
    /* The amendment answers it; every response to version 1 is void; all consent. */
    step_ok(amend(0, t0 + 300, objection), NULL);
    all_consent(t0 + 360, 2, 1);
    law =
        tl_law(&P, 1, "No loud music after 22:00, nor before 14:00 where a neighbor works nights.",
               t0 + 600, review, NULL, F.community_key);
    before = tl_log_size(reg);
    must(register_law(law, hash, &err), &err, "adopt");
    ck_assert_uint_eq(tl_log_size(reg), before + 1);
    must(libro_registry_law(reg, &l, hash, &err), &err, "law");
    ck_assert_str_eq(l.id, TL_LAW);
    ck_assert_uint_eq(l.version, 1);
    ck_assert_str_eq(l.title, "Quiet hours");
    ck_assert_str_eq(l.consent_record, P.prev);
    ck_assert_int_eq(l.state, LIBRO_LAW_IN_FORCE);
    ck_assert_int_eq(l.review_at, review);
    ck_assert_int_eq(l.adopted_at, t0 + 600);
    ck_assert_str_eq(l.credential, law);
    libro_law_record_clear(&l);
    /* Registered once; the process is closed. */
    LIBRO_ASSERT_CODE(register_law(law, NULL, &err), LIBRO_ERR_EXISTS, &err,
                      "is already registered");
    step_refused(respond(0, t0 + 700, 2, 1, true), LIBRO_ERR_NOT_FOUND,
                 "no consent process for urn:libro:neighborhood-3:law:quiet-hours is under way");
    /* The record document: every step, the mandates of those who sat. */
    must(libro_registry_law_record(reg, &doc, TL_LAW, 0, &err), &err, "record");
    must(libro_consent_record_parse(&rec, doc.data, doc.len, &err), &err, "record parses");
    ck_assert_str_eq(rec->process, TL_LAW);
    ck_assert_uint_eq(rec->n_steps, 8);
    ck_assert_uint_eq(rec->n_mandates, 4);
    must(libro_registry_consent_steps(reg, &steps, &n, TL_LAW, 1, &err), &err, "steps");
    ck_assert_uint_eq(n, 8);
    ck_assert_str_eq(steps[0].kind, "propose");
    ck_assert_str_eq(steps[2].kind, "respond");
    ck_assert_str_eq(steps[2].hash, objection);
    ck_assert_str_eq(steps[2].by, F.holder_did[1]);
    ck_assert_uint_eq(steps[4].seq, 4);
    ck_assert_uint_eq(steps[4].run, 1);
    ck_assert_str_eq(steps[7].hash, P.prev);
    libro_consent_step_records_free(steps, n);
    /* Laws in force, versions, review due. */
    must(libro_registry_laws(reg, &list, &n, false, &err), &err, "in force");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(list[0].hash, hash);
    libro_law_records_free(list, n);
    must(libro_registry_law_versions(reg, &list, &n, TL_LAW, &err), &err, "versions");
    ck_assert_uint_eq(n, 1);
    libro_law_records_free(list, n);
    must(libro_registry_laws_review_due(reg, &list, &n, now, 30 * DAY, &err), &err, "due");
    ck_assert_uint_eq(n, 0);
    libro_law_records_free(list, n);
    must(libro_registry_laws_review_due(reg, &list, &n, now, 400 * DAY, &err), &err, "due");
    ck_assert_uint_eq(n, 1);
    libro_law_records_free(list, n);
    /* Past its review date it is still the version in force (under review). */
    must(libro_registry_laws_review_due(reg, &list, &n, review + DAY, 0, &err), &err, "due");
    ck_assert_uint_eq(n, 1);
    libro_law_records_free(list, n);
    libro_consent_record_free(rec);
    libro_buf_free(&doc);
    libro_free(law);
    libro_free(early);
}
END_TEST

START_TEST(test_new_version_repeals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char h1[LIBRO_HASH_REF_SIZE];
    char h2[LIBRO_HASH_REF_SIZE];
    char *law1;
    char *law2;
    char *wrong;
    libro_law_record l = {0};
    libro_law_record *list = NULL;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_consent_record *rec = NULL;
    size_t n = 0;

    step_ok(propose(0, t0, NULL), NULL);
    all_consent(t0 + 60, 1, 1);
    law1 = tl_law(&P, 1, "No loud music after 22:00.", t0 + 120, review, NULL, F.community_key);
    must(register_law(law1, h1, &err), &err, "v1");
    /* Re-consent: a proposal must name the version in force. */
    memset(&P, 0, sizeof P);
    P.f = &F;
    P.law = TL_LAW;
    step_refused(propose(1, t0 + 200, NULL), LIBRO_ERR_DENIED, "a new proposal names it");
    step_ok(propose(1, t0 + 200, h1), NULL);
    {
        tl_process fresh = P;

        fresh.seq = 0;
        step_refused(tl_step(&fresh, 2, LIBRO_STEP_PROPOSE, t0 + 210,
                             &(tl_step_args){.text = "x", .review = review, .ref = h1}),
                     LIBRO_ERR_DENIED, "is under way: amend its proposal");
    }
    all_consent(t0 + 260, 1, 1);
    /* The second version must say it supersedes the first, and be version 2. */
    wrong = tl_law(&P, 2, "No loud music after 22:00.", t0 + 400, review, NULL, F.community_key);
    LIBRO_ASSERT_CODE(register_law(wrong, NULL, &err), LIBRO_ERR_DENIED, &err,
                      "the law's supersedes is not the proposal's");
    libro_free(wrong);
    wrong = tl_law(&P, 1, "No loud music after 22:00.", t0 + 400, review, h1, F.community_key);
    LIBRO_ASSERT_CODE(register_law(wrong, NULL, &err), LIBRO_ERR_DENIED, &err,
                      "it is version 1; the next one is 2");
    libro_free(wrong);
    law2 = tl_law(&P, 2, "No loud music after 22:00.", t0 + 400, review, h1, F.community_key);
    must(register_law(law2, h2, &err), &err, "v2");
    must(libro_registry_law(reg, &l, h1, &err), &err, "v1 now");
    ck_assert_int_eq(l.state, LIBRO_LAW_REPEALED);
    ck_assert_str_eq(l.superseded_by, h2);
    ck_assert_int_eq(l.repealed_at, now);
    libro_law_record_clear(&l);
    must(libro_registry_laws(reg, &list, &n, false, &err), &err, "in force");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(list[0].hash, h2);
    libro_law_records_free(list, n);
    must(libro_registry_laws(reg, &list, &n, true, &err), &err, "all");
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(list[0].version, 1);
    ck_assert_uint_eq(list[1].version, 2);
    libro_law_records_free(list, n);
    /* Each process has its own record: run 1 adopted version 1, run 2 (the latest) version 2. */
    must(libro_registry_law_record(reg, &doc, TL_LAW, 1, &err), &err, "record 1");
    must(libro_consent_record_parse(&rec, doc.data, doc.len, &err), &err, "parse");
    ck_assert_uint_eq(rec->n_steps, 4);
    libro_consent_record_free(rec);
    rec = NULL;
    libro_buf_clear(&doc);
    must(libro_registry_law_record(reg, &doc, TL_LAW, 0, &err), &err, "record 2");
    must(libro_consent_record_parse(&rec, doc.data, doc.len, &err), &err, "parse");
    ck_assert_uint_eq(rec->n_steps, 4);
    libro_consent_record_free(rec);
    LIBRO_ASSERT_CODE(libro_registry_law_record(reg, &doc, TL_LAW, 3, &err), LIBRO_ERR_NOT_FOUND,
                      &err, "no consent process");
    libro_buf_free(&doc);
    libro_free(law1);
    libro_free(law2);
}
END_TEST

START_TEST(test_step_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char json[1024];
    char *tok;

    /* No process yet: only a proposal starts one. */
    step_refused(respond(0, t0, 1, 1, true), LIBRO_ERR_NOT_FOUND, "it starts with a proposal");
    /* A proposal by the chair (no vote), one dated ahead of the clock. */
    step_refused(propose(TL_CHAIR, t0, NULL), LIBRO_ERR_DENIED, "is no voting member at");
    step_refused(propose(0, now + 3600, NULL), LIBRO_ERR_DENIED,
                 "dated ahead of the registry's clock");
    step_ok(propose(0, t0, NULL), NULL);
    /* The chair takes part in no round. */
    step_refused(respond(TL_CHAIR, t0 + 60, 1, 1, true), LIBRO_ERR_DENIED,
                 "the chair takes part in no round");
    /* Out of the recorded order: holder 1 before holder 0. */
    step_refused(respond(1, t0 + 60, 1, 1, true), LIBRO_ERR_DENIED, "out of turn");
    step_ok(respond(0, t0 + 60, 1, 1, true), NULL);
    /* Twice in a round. */
    step_refused(respond(0, t0 + 70, 1, 1, true), LIBRO_ERR_DENIED,
                 "has responded in this round already");
    /* Earlier than the step before. */
    step_refused(respond(1, t0 + 30, 1, 1, true), LIBRO_ERR_PARSE,
                 "taken before the step before it");
    /* An objection without a reason: core refuses to write one, so it is made by hand. */
    ck_assert_int_gt(snprintf(json, sizeof json,
                              "{\"process\":\"%s\",\"seq\":%u,\"prev\":\"%s\",\"at\":\"%s\","
                              "\"by\":\"%s\",\"kind\":\"respond\",\"version\":1,\"round\":1,"
                              "\"response\":\"object\",\"harm\":\"it harms\"}",
                              TL_LAW, (unsigned) P.seq, P.prev, "2020-01-01T00:00:00Z",
                              F.holder_did[1]),
                     0);
    step_refused(tl_raw_step(&F, 1, json), LIBRO_ERR_SCHEMA, "reason: required with an objection");
    /* A step by one member signed by another's key. */
    ck_assert_int_gt(snprintf(json, sizeof json,
                              "{\"process\":\"%s\",\"seq\":%u,\"prev\":\"%s\",\"at\":\"%s\","
                              "\"by\":\"%s\",\"kind\":\"respond\",\"version\":1,\"round\":1,"
                              "\"response\":\"consent\"}",
                              TL_LAW, (unsigned) P.seq, P.prev, "2020-01-01T00:00:00Z",
                              F.holder_did[1]),
                     0);
    step_refused(tl_raw_step(&F, 2, json), LIBRO_ERR_DENIED, "by is not the signer");
    /* A wrong prev (the chain). */
    tok = respond(1, t0 + 120, 1, 1, true);
    {
        tl_process saved = P;

        memcpy(P.prev, "sha256:00", 9);
        libro_free(tok);
        tok = respond(1, t0 + 120, 1, 1, true);
        P = saved;
    }
    step_refused(tok, LIBRO_ERR_PARSE, "prev is not the hash of the step before");
    /* A process id the registry cannot serve as a path segment. */
    {
        tl_process other = P;

        other.law = "urn:libro:neighborhood-3:law/quiet";
        other.seq = 0;
        step_refused(tl_step(&other, 0, LIBRO_STEP_PROPOSE, t0,
                             &(tl_step_args){.text = "x", .review = review}),
                     LIBRO_ERR_INVALID_ARG, "a law id is an id of printable ASCII");
    }
    LIBRO_ASSERT_CODE(libro_registry_add_step(reg, NULL, "a.b.c", 5, "clerk", now, NULL, &err),
                      LIBRO_ERR_ENCODING, &err, "consent step: ");
    LIBRO_ASSERT_CODE(libro_registry_add_step(reg, NULL, NULL, 0, "clerk", now, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "NULL argument");
}
END_TEST

/* A member whose mandate ended is passed over and cannot respond. */
START_TEST(test_ended_mandate)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record *rt = NULL;
    size_t n = 0;
    char *law;
    char id[LIBRO_MANDATE_ID_SIZE] = "";

    step_ok(propose(0, t0, NULL), NULL);
    step_ok(respond(0, t0 + 60, 1, 1, true), NULL);
    must(libro_registry_roundtable(reg, &rt, &n, t0, &err), &err, "roundtable");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rt[i].holder, F.holder_did[1]) == 0) {
            memcpy(id, rt[i].id, sizeof id);
        }
    }
    libro_mandate_records_free(rt, n);
    ck_assert(libro_mandate_id_ok(id));
    must(libro_registry_end_mandate(reg, NULL, id, LIBRO_MANDATE_RESIGNED, "Ravi", "moving",
                                    t0 + 100, &err),
         &err, "resign");
    step_refused(respond(1, t0 + 120, 1, 1, true), LIBRO_ERR_DENIED, "holds no mandate at");
    step_ok(respond(2, t0 + 180, 1, 1, true), NULL);
    /* Holder 1 sat at the round's opening and never responded: the round cannot adopt. */
    law = tl_law(&P, 1, "No loud music after 22:00.", t0 + 240, review, NULL, F.community_key);
    LIBRO_ASSERT_CODE(register_law(law, NULL, &err), LIBRO_ERR_DENIED, &err,
                      "the process is not adoptable: a member of round 1 left before "
                      "responding; the chair opens a new round");
    libro_free(law);
    /* The chair opens round 2 with the members who sit now; they consent; it is adopted,
     * naming them. */
    step_ok(tl_step(&P, TL_CHAIR, LIBRO_STEP_ROUND, t0 + 300,
                    &(tl_step_args){.version = 1, .round = 2}),
            NULL);
    step_ok(respond(0, t0 + 360, 1, 2, true), NULL);
    step_ok(respond(2, t0 + 420, 1, 2, true), NULL);
    law = tl_law_of(&P, 1, "No loud music after 22:00.", t0 + 480, review, NULL, F.community_key,
                    (const int[]){0, 2, TL_CHAIR}, 3);
    must(register_law(law, NULL, &err), &err, "adopt without the member who left");
    libro_free(law);
}
END_TEST

/* A new member mid-process: Mia's seat passes to a newcomer during round 1; the newcomer
 * cannot respond in it, joins round 2, and the law names the round-2 members. */
START_TEST(test_new_member)
{
    libro_error err = LIBRO_ERROR_INIT;
    rt_fixture G = F; /* the fixture with holder 2 replaced by the newcomer */
    libro_buf did = LIBRO_BUF_INIT;
    uint32_t list = 0;
    uint32_t index = 0;
    char *jws;
    char *law;

    must(libro_key_generate(&G.holder_key[2], LIBRO_ALG_ED25519, &err), &err, "newcomer");
    must(libro_key_to_did(&did, G.holder_key[2], &err), &err, "did");
    memcpy(G.holder_did[2], did.data, did.len + 1);
    step_ok(propose(0, t0, NULL), NULL);
    step_ok(respond(0, t0 + 60, 1, 1, true), NULL);
    step_ok(respond(1, t0 + 120, 1, 1, true), NULL);
    /* Tribe 3 sends the newcomer from t0 + 150: Mia's mandate is replaced then. */
    must(libro_registry_reserve_mandate_status(reg, NULL, &list, &index, &err), &err, "reserve");
    jws = rt_mandate(&G, LIBRO_OFFICE_REPRESENTATIVE, 2, 2, t0 + 150, rt_term_end(t0 + 150, 3),
                     RT_LIST_BASE, list, index);
    must(libro_registry_register_mandate(reg, NULL, jws, list, index, "clerk", now, NULL, &err),
         &err, "newcomer's mandate");
    libro_free(jws);
    step_refused(respond(2, t0 + 200, 1, 1, true), LIBRO_ERR_DENIED, "holds no mandate at");
    P.f = &G;
    step_refused(respond(2, t0 + 200, 1, 1, true), LIBRO_ERR_DENIED,
                 "was seated after this round opened: they join the next round");
    P.f = &F;
    /* Round 1 is over (Mia left); the chair opens round 2, the newcomer's first. */
    step_ok(tl_step(&P, TL_CHAIR, LIBRO_STEP_ROUND, t0 + 250,
                    &(tl_step_args){.version = 1, .round = 2}),
            NULL);
    step_ok(respond(0, t0 + 300, 1, 2, true), NULL);
    step_ok(respond(1, t0 + 360, 1, 2, true), NULL);
    P.f = &G;
    step_ok(respond(2, t0 + 420, 1, 2, true), NULL);
    law = tl_law(&P, 1, "No loud music after 22:00.", t0 + 480, review, NULL, F.community_key);
    P.f = &F;
    must(register_law(law, NULL, &err), &err, "adopt with the newcomer");
    libro_free(law);
    libro_key_free(G.holder_key[2]);
    libro_buf_free(&did);
}
END_TEST

/* An objection withdrawn by its author no longer blocks; only its author withdraws it, only
 * the chair rules. */
START_TEST(test_withdrawn_objection)
{
    libro_error err = LIBRO_ERROR_INIT;
    char objection[LIBRO_HASH_REF_SIZE];
    char *law;

    step_ok(propose(0, t0, NULL), NULL);
    step_ok(respond(0, t0 + 60, 1, 1, true), NULL);
    step_ok(respond(1, t0 + 120, 1, 1, false), objection);
    step_ok(respond(2, t0 + 180, 1, 1, true), NULL);
    step_refused(tl_step(&P, 0, LIBRO_STEP_WITHDRAW, t0 + 200, &(tl_step_args){.ref = objection}),
                 LIBRO_ERR_DENIED, "only its author withdraws an objection");
    step_refused(tl_step(&P, 2, LIBRO_STEP_RULE, t0 + 200,
                         &(tl_step_args){.ref = objection, .out = true, .reason = "no harm named"}),
                 LIBRO_ERR_DENIED, "is not the chair: only the chair rules");
    step_ok(tl_step(&P, 1, LIBRO_STEP_WITHDRAW, t0 + 240, &(tl_step_args){.ref = objection}), NULL);
    law = tl_law(&P, 1, "No loud music after 22:00.", t0 + 300, review, NULL, F.community_key);
    must(register_law(law, NULL, &err), &err, "adopt after the withdrawal");
    libro_free(law);
}
END_TEST

START_TEST(test_law_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *law;
    char *lic;
    uint64_t before;

    /* No process. */
    memcpy(P.prev, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
           LIBRO_HASH_REF_SIZE);
    law = tl_law(&P, 1, "No loud music after 22:00.", t0, review, NULL, F.community_key);
    LIBRO_ASSERT_CODE(register_law(law, NULL, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "no consent process for");
    libro_free(law);
    P.prev[0] = '\0';
    step_ok(propose(0, t0, NULL), NULL);
    all_consent(t0 + 60, 1, 1);
    before = tl_log_size(reg);
    /* Signed by another key than the community's (the parent's, under the community's id). */
    law = tl_law(&P, 1, "No loud music after 22:00.", t0 + 120, review, NULL, F.parent_key);
    LIBRO_ASSERT_CODE(register_law(law, NULL, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "law: jws: signature does not verify");
    libro_free(law);
    /* Another text than the one consented. */
    law = tl_law(&P, 1, "No music at all.", t0 + 120, review, NULL, F.community_key);
    LIBRO_ASSERT_CODE(register_law(law, NULL, &err), LIBRO_ERR_DENIED, &err,
                      "the law's title, aim or text is not version 1's");
    libro_free(law);
    /* Naming another record (an older step). */
    {
        tl_process older = P;

        memcpy(older.prev,
               "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
               LIBRO_HASH_REF_SIZE);
        law = tl_law(&older, 1, "No loud music after 22:00.", t0 + 120, review, NULL,
                     F.community_key);
        LIBRO_ASSERT_CODE(register_law(law, NULL, &err), LIBRO_ERR_DENIED, &err,
                          "the law's consentRecord is not the record's last step");
        libro_free(law);
    }
    /* Not a law. */
    lic = rt_mandate(&F, LIBRO_OFFICE_CHAIR, 0, 3, now, now + DAY, RT_LIST_BASE, 0, 99);
    LIBRO_ASSERT_CODE(register_law(lic, NULL, &err), LIBRO_ERR_SCHEMA, &err, "not a CommunityLaw");
    libro_free(lic);
    LIBRO_ASSERT_CODE(register_law("x.y.z", NULL, &err), LIBRO_ERR_ENCODING, &err, "law: ");
    ck_assert_uint_eq(tl_log_size(reg), before);
}
END_TEST

START_TEST(test_reads)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record *list = NULL;
    libro_consent_step_record *steps = NULL;
    libro_buf doc = LIBRO_BUF_INIT;
    size_t n = 0;

    LIBRO_ASSERT_CODE(libro_registry_law_versions(reg, &list, &n, TL_LAW, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "has been adopted");
    LIBRO_ASSERT_CODE(libro_registry_law_versions(reg, &list, &n, "a/b", &err),
                      LIBRO_ERR_INVALID_ARG, &err, "a law id");
    LIBRO_ASSERT_CODE(libro_registry_consent_steps(reg, &steps, &n, TL_LAW, 0, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no consent process");
    LIBRO_ASSERT_CODE(libro_registry_law_record(reg, &doc, TL_LAW, 0, &err), LIBRO_ERR_NOT_FOUND,
                      &err, "no consent process");
    LIBRO_ASSERT_CODE(libro_registry_laws_review_due(reg, &list, &n, now, -1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "negative");
    must(libro_registry_laws(reg, &list, &n, false, &err), &err, "none");
    ck_assert_uint_eq(n, 0);
    libro_law_records_free(list, n);
    step_ok(propose(0, t0, NULL), NULL);
    /* An open process has a record already. */
    must(libro_registry_law_record(reg, &doc, TL_LAW, 0, &err), &err, "open record");
    ck_assert_ptr_nonnull(strstr((const char *) doc.data, "\"process\":\"" TL_LAW "\""));
    libro_buf_free(&doc);
    ck_assert_str_eq(libro_law_state_name(LIBRO_LAW_REPEALED), "repealed");
    ck_assert_ptr_null(libro_law_state_name((libro_law_state) 7));
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("registry_law");
    TCase *tc = tcase_create("laws");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_adopt_after_objection_and_amendment);
    tcase_add_test(tc, test_new_version_repeals);
    tcase_add_test(tc, test_step_refusals);
    tcase_add_test(tc, test_ended_mandate);
    tcase_add_test(tc, test_new_member);
    tcase_add_test(tc, test_withdrawn_objection);
    tcase_add_test(tc, test_law_refusals);
    tcase_add_test(tc, test_reads);
    suite_add_tcase(s, tc);
    return s;
}
