/* Consent (core/src/consent.c, consent_run.c, consent_sign.c): a table of processes, each a
 * list of steps signed by real member keys, verified, and run through the state machine
 * against the roundtable's seats, with the expected outcome: all consent; an objection
 * without a reason or a harm refused; the chair's response refused; an objection ruled out
 * (and one ruled valid); an amendment voiding old responses; a withdrawn objection; a member
 * whose mandate ended; a new member joining the next round; adoption refused with a standing
 * objection or a missing response; a broken hash chain; steps out of order. Then the law
 * against its record, the step parser's refusals, step verification, and the record
 * document. */
#include <stdio.h>
#include <string.h>

#include "libro/consent.h"
#include "libro/encoding.h"
#include "libro/jws.h"
#include "libro/util.h"
#include "test_util.h"

#define T0 INT64_C(1798761600) /* 2027-01-01T00:00:00Z */
#define HOUR INT64_C(3600)
#define YEAR (INT64_C(365) * 24 * HOUR)
#define PROCESS "urn:libro:neighborhood-3:law:quiet-hours"
#define MAX_STEPS 16

/* The people: three representatives, the chair, a newcomer, an outsider. */
enum { M0, M1, M2, CH, NEW, OUT, N_PEOPLE };
static libro_key *keys[N_PEOPLE];
static char *dids[N_PEOPLE];

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    size_t i;

    for (i = 0; i < N_PEOPLE; i++) {
        libro_buf b = LIBRO_BUF_INIT;

        must(libro_key_generate(&keys[i], LIBRO_ALG_ED25519, &err), &err, "key");
        must(libro_key_to_did(&b, keys[i], &err), &err, "did");
        dids[i] = libro_strndup((const char *) b.data, b.len);
        ck_assert_ptr_nonnull(dids[i]);
        libro_buf_free(&b);
    }
}

static void
teardown(void)
{
    size_t i;

    for (i = 0; i < N_PEOPLE; i++) {
        libro_key_free(keys[i]);
        libro_free(dids[i]);
        keys[i] = NULL;
        dids[i] = NULL;
    }
}

/* The seats: M0, M1, M2 and the chair for the whole year; variants end M2's mandate at 3h,
 * or seat the newcomer from 2h30 (after M2, in the recorded order). */
enum seating { SEATS_BASE, SEATS_M2_ENDS, SEATS_NEWCOMER };

static size_t
seats_of(libro_consent_seat *out, enum seating v)
{
    size_t n = 0;
    int who;

    for (who = M0; who <= CH; who++) {
        out[n].did = dids[who];
        out[n].office = who == CH ? LIBRO_OFFICE_CHAIR : LIBRO_OFFICE_REPRESENTATIVE;
        out[n].from = T0 - YEAR;
        out[n].until = who == M2 && v == SEATS_M2_ENDS ? T0 + 3 * HOUR : T0 + YEAR;
        n++;
    }
    if (v == SEATS_NEWCOMER) {
        out[n].did = dids[NEW];
        out[n].office = LIBRO_OFFICE_REPRESENTATIVE;
        out[n].from = T0 + 5 * HOUR / 2;
        out[n].until = T0 + YEAR;
        n++;
    }
    return n;
}

/* One step of a case. `ref` is the index of the step an amend answers (-1: none), or a rule
 * or withdrawal names. */
enum spec_kind {
    P,
    AMEND,
    CONSENT,
    OBJECT,
    OBJECT_NO_REASON,
    OBJECT_NO_HARM,
    RULE_OUT,
    RULE_VALID,
    WITHDRAW,
    ROUND
};
enum flaw { OK, BAD_PREV, BAD_SEQ, EARLY, OTHER_PROCESS };

struct spec {
    int by;
    enum spec_kind kind;
    unsigned version;
    unsigned round;
    int ref;
    int hour; /* at = T0 + hour hours */
    enum flaw flaw;
};

static const struct {
    const char *name;
    enum seating seating;
    struct spec steps[MAX_STEPS];
    size_t n;
    /* expected */
    libro_code build; /* LIBRO_OK, or the code signing the last step gives */
    size_t accepted;
    libro_code refused; /* LIBRO_OK: none */
    const char *reason;
    bool adoptable;
    unsigned version;
    unsigned round;
    size_t standing;
    size_t pending;
} cases[] = {
    {"all consent",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, CONSENT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK}},
     4,
     LIBRO_OK,
     4,
     LIBRO_OK,
     NULL,
     true,
     1,
     1,
     0,
     0},
    {"objection without a reason refused",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, OBJECT_NO_REASON, 1, 1, -1, 2, OK}},
     2,
     LIBRO_ERR_SCHEMA,
     0,
     LIBRO_OK,
     "step: reason: required with an objection",
     false,
     0,
     0,
     0,
     0},
    {"objection without its harm refused",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, OBJECT_NO_HARM, 1, 1, -1, 2, OK}},
     2,
     LIBRO_ERR_SCHEMA,
     0,
     LIBRO_OK,
     "step: harm: required with an objection",
     false,
     0,
     0,
     0,
     0},
    {"chair's response refused",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {CH, CONSENT, 1, 1, -1, 2, OK}},
     2,
     LIBRO_OK,
     1,
     LIBRO_ERR_DENIED,
     "is the chair: the chair takes part in no round",
     false,
     1,
     1,
     0,
     3},
    {"objection ruled out",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, OBJECT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK},
      {CH, RULE_OUT, 0, 0, 2, 5, OK}},
     5,
     LIBRO_OK,
     5,
     LIBRO_OK,
     NULL,
     true,
     1,
     1,
     0,
     0},
    {"objection ruled valid still stands",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, OBJECT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK},
      {CH, RULE_VALID, 0, 0, 2, 5, OK}},
     5,
     LIBRO_OK,
     5,
     LIBRO_OK,
     NULL,
     false,
     1,
     1,
     1,
     0},
    {"only the chair rules",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, OBJECT, 1, 1, -1, 2, OK}, {M1, RULE_OUT, 0, 0, 1, 3, OK}},
     3,
     LIBRO_OK,
     2,
     LIBRO_ERR_DENIED,
     "is not the chair: only the chair rules",
     false,
     1,
     1,
     1,
     2},
    {"amendment voids old responses",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, OBJECT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK},
      {M1, AMEND, 0, 0, 2, 5, OK},
      {M0, CONSENT, 2, 1, -1, 6, OK}},
     6,
     LIBRO_OK,
     6,
     LIBRO_OK,
     NULL,
     false,
     2,
     1,
     0,
     2},
    {"amendment, then consent of all",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, OBJECT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK},
      {M1, AMEND, 0, 0, 2, 5, OK},
      {M0, CONSENT, 2, 1, -1, 6, OK},
      {M1, CONSENT, 2, 1, -1, 7, OK},
      {M2, CONSENT, 2, 1, -1, 8, OK}},
     8,
     LIBRO_OK,
     8,
     LIBRO_OK,
     NULL,
     true,
     2,
     1,
     0,
     0},
    {"a response to the version an amendment replaced",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, AMEND, 0, 0, -1, 3, OK},
      {M0, CONSENT, 1, 1, -1, 4, OK}},
     4,
     LIBRO_OK,
     3,
     LIBRO_ERR_DENIED,
     "not a response to the current version 2 round 1",
     false,
     2,
     1,
     0,
     3},
    {"an amendment answering no objection",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, CONSENT, 1, 1, -1, 2, OK}, {M1, AMEND, 0, 0, 1, 3, OK}},
     3,
     LIBRO_OK,
     2,
     LIBRO_ERR_DENIED,
     "which is no objection to the version it amends",
     false,
     1,
     1,
     0,
     2},
    {"withdrawn objection",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, OBJECT, 1, 1, -1, 2, OK},
      {M1, CONSENT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK},
      {M0, WITHDRAW, 0, 0, 1, 5, OK}},
     5,
     LIBRO_OK,
     5,
     LIBRO_OK,
     NULL,
     true,
     1,
     1,
     0,
     0},
    {"only its author withdraws an objection",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, OBJECT, 1, 1, -1, 2, OK}, {M1, WITHDRAW, 0, 0, 1, 3, OK}},
     3,
     LIBRO_OK,
     2,
     LIBRO_ERR_DENIED,
     "only its author withdraws an objection",
     false,
     1,
     1,
     1,
     2},
    {"member whose mandate ended",
     SEATS_M2_ENDS,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, CONSENT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 5, OK}},
     4,
     LIBRO_OK,
     3,
     LIBRO_ERR_DENIED,
     "holds no mandate at 2027-01-01T05:00:00Z",
     false,
     1,
     1,
     0,
     1},
    {"mandate ended: the next round goes on without them",
     SEATS_M2_ENDS,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, CONSENT, 1, 1, -1, 3, OK},
      {CH, ROUND, 1, 2, -1, 6, OK},
      {M0, CONSENT, 1, 2, -1, 7, OK},
      {M1, CONSENT, 1, 2, -1, 8, OK}},
     6,
     LIBRO_OK,
     6,
     LIBRO_OK,
     NULL,
     true,
     1,
     2,
     0,
     0},
    {"new member mid-process waits for the next round",
     SEATS_NEWCOMER,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, CONSENT, 1, 1, -1, 2, OK}, {NEW, CONSENT, 1, 1, -1, 3, OK}},
     3,
     LIBRO_OK,
     2,
     LIBRO_ERR_DENIED,
     "was seated after this round opened",
     false,
     1,
     1,
     0,
     2},
    {"new member joins the next round",
     SEATS_NEWCOMER,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, CONSENT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK},
      {CH, ROUND, 1, 2, -1, 5, OK},
      {M0, CONSENT, 1, 2, -1, 6, OK},
      {M1, CONSENT, 1, 2, -1, 7, OK},
      {M2, CONSENT, 1, 2, -1, 8, OK},
      {NEW, CONSENT, 1, 2, -1, 9, OK}},
     9,
     LIBRO_OK,
     9,
     LIBRO_OK,
     NULL,
     true,
     1,
     2,
     0,
     0},
    {"adoption refused with a standing objection",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, OBJECT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK}},
     4,
     LIBRO_OK,
     4,
     LIBRO_OK,
     NULL,
     false,
     1,
     1,
     1,
     0},
    {"adoption refused with a missing response",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, CONSENT, 1, 1, -1, 2, OK}, {M1, CONSENT, 1, 1, -1, 3, OK}},
     3,
     LIBRO_OK,
     3,
     LIBRO_OK,
     NULL,
     false,
     1,
     1,
     0,
     1},
    {"a broken hash chain",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, CONSENT, 1, 1, -1, 3, BAD_PREV}},
     3,
     LIBRO_OK,
     2,
     LIBRO_ERR_PARSE,
     "prev is not the hash of the step before",
     false,
     1,
     1,
     0,
     2},
    {"a step out of order (seq)",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, CONSENT, 1, 1, -1, 2, BAD_SEQ}},
     2,
     LIBRO_OK,
     1,
     LIBRO_ERR_PARSE,
     "out of order: seq is not 1",
     false,
     1,
     1,
     0,
     3},
    {"a response out of turn",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M1, CONSENT, 1, 1, -1, 2, OK}},
     2,
     LIBRO_OK,
     1,
     LIBRO_ERR_DENIED,
     "out of turn",
     false,
     1,
     1,
     0,
     3},
    {"a second response in one round",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, CONSENT, 1, 1, -1, 2, OK}, {M0, OBJECT, 1, 1, -1, 3, OK}},
     3,
     LIBRO_OK,
     2,
     LIBRO_ERR_DENIED,
     "has responded in this round already",
     false,
     1,
     1,
     0,
     2},
    {"a step taken before the one before it",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 2, OK}, {M0, CONSENT, 1, 1, -1, 1, OK}},
     2,
     LIBRO_OK,
     1,
     LIBRO_ERR_PARSE,
     "taken before the step before it",
     false,
     1,
     1,
     0,
     3},
    {"a step of another process",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, CONSENT, 1, 1, -1, 2, OTHER_PROCESS}},
     2,
     LIBRO_OK,
     1,
     LIBRO_ERR_PARSE,
     "of another process",
     false,
     1,
     1,
     0,
     3},
    {"a proposal by no member",
     SEATS_BASE,
     {{OUT, P, 0, 0, -1, 1, OK}},
     1,
     LIBRO_OK,
     0,
     LIBRO_ERR_DENIED,
     "is no voting member at 2027-01-01T01:00:00Z",
     false,
     0,
     0,
     0,
     0},
    {"a proposal by the chair",
     SEATS_BASE,
     {{CH, P, 0, 0, -1, 1, OK}},
     1,
     LIBRO_OK,
     0,
     LIBRO_ERR_DENIED,
     "is no voting member",
     false,
     0,
     0,
     0,
     0},
    {"a second proposal in one process",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M1, P, 0, 0, -1, 2, OK}},
     2,
     LIBRO_OK,
     1,
     LIBRO_ERR_DENIED,
     "a proposal opens a process: amend this one",
     false,
     1,
     1,
     0,
     3},
    {"a process opening with a response",
     SEATS_BASE,
     {{M0, CONSENT, 1, 1, -1, 1, OK}},
     1,
     LIBRO_OK,
     0,
     LIBRO_ERR_DENIED,
     "a process opens with a proposal",
     false,
     0,
     0,
     0,
     0},
    {"a round opened before the last one is complete",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK}, {M0, CONSENT, 1, 1, -1, 2, OK}, {CH, ROUND, 1, 2, -1, 3, OK}},
     3,
     LIBRO_OK,
     2,
     LIBRO_ERR_DENIED,
     "the round is not complete",
     false,
     1,
     1,
     0,
     2},
    {"a round opened by a member",
     SEATS_BASE,
     {{M0, P, 0, 0, -1, 1, OK},
      {M0, CONSENT, 1, 1, -1, 2, OK},
      {M1, CONSENT, 1, 1, -1, 3, OK},
      {M2, CONSENT, 1, 1, -1, 4, OK},
      {M2, ROUND, 1, 2, -1, 5, OK}},
     5,
     LIBRO_OK,
     4,
     LIBRO_ERR_DENIED,
     "only the chair opens a round",
     false,
     1,
     1,
     0,
     0},
};

/* The step struct for spec k of case c; the caller fills prev. */
static libro_step *
step_of(size_t c, size_t k, char (*hashes)[LIBRO_HASH_REF_SIZE])
{
    const struct spec *sp = &cases[c].steps[k];
    libro_step *s = libro_calloc(1, sizeof *s);

    ck_assert_ptr_nonnull(s);
    s->process = libro_strndup(PROCESS, strlen(PROCESS));
    if (sp->flaw == OTHER_PROCESS) {
        libro_free(s->process);
        s->process = libro_strndup("urn:libro:elsewhere", strlen("urn:libro:elsewhere"));
    }
    s->seq = (uint32_t) k + (sp->flaw == BAD_SEQ ? 1u : 0u);
    if (s->seq > 0) {
        const char *prev = sp->flaw == BAD_PREV ? hashes[0] : hashes[k - 1];

        s->prev = libro_strndup(prev, strlen(prev));
    }
    s->at = T0 + sp->hour * HOUR;
    s->by = libro_strndup(dids[sp->by], strlen(dids[sp->by]));
    switch (sp->kind) {
    case P:
    case AMEND:
        s->kind = sp->kind == P ? LIBRO_STEP_PROPOSE : LIBRO_STEP_AMEND;
        s->title = libro_strndup("Quiet hours", 11);
        s->aim = libro_strndup("that every household can rest", 29);
        s->text =
            libro_strndup(sp->kind == P ? "No noise after 22:00." : "No noise after 23:00.", 21);
        s->review_date = T0 + YEAR / 2;
        if (sp->kind == AMEND) {
            s->answers = libro_calloc(1, sizeof *s->answers);
            if (sp->ref >= 0) {
                s->answers[0] = libro_strndup(hashes[sp->ref], LIBRO_HASH_REF_LEN);
                s->n_answers = 1;
            }
        }
        break;
    case CONSENT:
    case OBJECT:
    case OBJECT_NO_REASON:
    case OBJECT_NO_HARM:
        s->kind = LIBRO_STEP_RESPOND;
        s->version = sp->version;
        s->round = sp->round;
        s->response = sp->kind == CONSENT ? LIBRO_RESPONSE_CONSENT : LIBRO_RESPONSE_OBJECT;
        if (sp->kind == OBJECT || sp->kind == OBJECT_NO_HARM) {
            s->reason = libro_strndup("night shifts sleep by day", 25);
        }
        if (sp->kind == OBJECT || sp->kind == OBJECT_NO_REASON) {
            s->harm = libro_strndup("some households cannot rest at all", 34);
        }
        break;
    case RULE_OUT:
    case RULE_VALID:
        s->kind = LIBRO_STEP_RULE;
        s->objection = libro_strndup(hashes[sp->ref], LIBRO_HASH_REF_LEN);
        s->ruling = sp->kind == RULE_OUT ? LIBRO_RULING_OUT : LIBRO_RULING_VALID;
        s->reason = libro_strndup("not tied to the aim", 19);
        break;
    case WITHDRAW:
        s->kind = LIBRO_STEP_WITHDRAW;
        s->objection = libro_strndup(hashes[sp->ref], LIBRO_HASH_REF_LEN);
        break;
    case ROUND:
        s->kind = LIBRO_STEP_ROUND;
        s->version = sp->version;
        s->round = sp->round;
        break;
    }
    return s;
}

/* A case's steps, signed, verified and run through the state machine. */
struct run {
    char hashes[MAX_STEPS][LIBRO_HASH_REF_SIZE];
    const char *hash_list[MAX_STEPS];
    libro_step *steps[MAX_STEPS];
    char *tokens[MAX_STEPS];
    size_t n;
    libro_consent_state st;
};

/* Sign and verify case c's steps into `r`, stopping at the first that cannot be signed
 * (its code, with err saying why), then run the machine over those signed. */
static libro_code
run_case(struct run *r, size_t c, libro_error *err)
{
    libro_consent_seat seats[8];
    size_t n_seats = seats_of(seats, cases[c].seating);
    size_t k;
    libro_code rc = LIBRO_OK;

    memset(r, 0, sizeof *r);
    for (k = 0; k < cases[c].n && rc == LIBRO_OK; k++) {
        libro_buf token = LIBRO_BUF_INIT;
        libro_step *s = step_of(c, k, r->hashes);

        rc = libro_step_sign(&token, s, keys[cases[c].steps[k].by], err);
        libro_step_free(s);
        if (rc == LIBRO_OK) {
            must(libro_step_verify(&r->steps[k], r->hashes[k], (const char *) token.data, token.len,
                                   err),
                 err, "verify");
            r->hash_list[k] = r->hashes[k];
            r->tokens[k] = (char *) libro_buf_detach(&token, NULL);
            r->n++;
        }
        libro_buf_free(&token);
    }
    if (rc == LIBRO_OK) {
        must(libro_consent_run(&r->st, (const libro_step *const *) r->steps, r->hash_list, r->n,
                               seats, n_seats, err),
             err, "run");
    }
    return rc;
}

static void
run_free(struct run *r)
{
    size_t k;

    for (k = 0; k < MAX_STEPS; k++) {
        libro_step_free(r->steps[k]);
        libro_free(r->tokens[k]);
    }
    libro_consent_state_free(&r->st);
}

START_TEST(test_processes)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct run r;
    libro_consent_state *st = &r.st;
    libro_code rc = run_case(&r, (size_t) _i, &err);

    ck_assert_msg(rc == cases[_i].build, "%s: building gave %d (%s)", cases[_i].name, rc, err.msg);
    if (rc != LIBRO_OK) {
        ck_assert_msg(strstr(err.msg, cases[_i].reason) != NULL, "%s: \"%s\"", cases[_i].name,
                      err.msg);
        goto out;
    }
    ck_assert_msg(st->n_accepted == cases[_i].accepted, "%s: accepted %zu (%s)", cases[_i].name,
                  st->n_accepted, st->refused_reason);
    ck_assert_int_eq(st->refused, cases[_i].refused != LIBRO_OK);
    if (st->refused) {
        ck_assert_int_eq(st->refused_code, cases[_i].refused);
        ck_assert_msg(strstr(st->refused_reason, cases[_i].reason) != NULL, "%s: \"%s\"",
                      cases[_i].name, st->refused_reason);
    }
    ck_assert_msg(st->adoptable == cases[_i].adoptable, "%s: adoptable %d", cases[_i].name,
                  st->adoptable);
    ck_assert_uint_eq(st->version, cases[_i].version);
    ck_assert_uint_eq(st->round, cases[_i].round);
    ck_assert_msg(st->n_standing == cases[_i].standing, "%s: standing %zu", cases[_i].name,
                  st->n_standing);
    ck_assert_msg(st->n_pending == cases[_i].pending, "%s: pending %zu", cases[_i].name,
                  st->n_pending);
    if (st->n_accepted > 0) {
        ck_assert_str_eq(st->record_hash, r.hashes[st->n_accepted - 1]);
    }
out:
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ the law and its record */

static char *
dup(const char *s)
{
    char *copy = libro_strndup(s, strlen(s));

    ck_assert_ptr_nonnull(copy);
    return copy;
}

static libro_credential *
law_of(const struct run *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_step *v = r->steps[r->st.version_step];
    libro_credential *law = NULL;
    size_t i;

    must(libro_credential_new(&law, LIBRO_CRED_LAW, &err), &err, "new");
    law->issuer = dup("urn:libro:neighborhood-3");
    law->subject_id = dup(PROCESS);
    law->valid_from = r->steps[r->n - 1]->at + HOUR;
    law->valid_until = v->review_date;
    law->title = dup(v->title);
    law->law_version = 1;
    law->aim = dup(v->aim);
    law->text = dup(v->text);
    law->community_id = dup("urn:libro:neighborhood-3");
    law->community_level = 1;
    law->n_members = r->st.n_round_members + 1;
    law->members = libro_calloc(law->n_members, sizeof *law->members);
    ck_assert_ptr_nonnull(law->members);
    for (i = 0; i < law->n_members; i++) {
        bool chair = i == r->st.n_round_members;

        law->members[i].id = dup(chair ? r->st.chair : r->st.round_members[i]);
        law->members[i].name = dup(chair ? "Chen Chu" : "A Member");
        law->members[i].seat = chair ? NULL : dup("urn:libro:tribe-1");
        law->members[i].office = chair ? LIBRO_OFFICE_CHAIR : LIBRO_OFFICE_REPRESENTATIVE;
    }
    law->consent_record = dup(r->st.record_hash);
    must(libro_credential_check(law, &err), &err, "law");
    return law;
}

START_TEST(test_law_matches_record)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct run r;
    struct run not_yet;
    libro_credential *law;

    must(run_case(&r, 8, &err), &err, "case 8");
    ck_assert(r.st.adoptable);
    law = law_of(&r);
    must(libro_consent_check_law(law, &r.st, (const libro_step *const *) r.steps, r.n, &err), &err,
         "the law of its record");
    ck_assert_str_eq(law->text, "No noise after 23:00."); /* the amended version */

    libro_free(law->text);
    law->text = dup("No noise after 22:00.");
    LIBRO_ASSERT_CODE(
        libro_consent_check_law(law, &r.st, (const libro_step *const *) r.steps, r.n, &err),
        LIBRO_ERR_DENIED, &err, "consent: the law's title, aim or text is not version 2's");
    libro_free(law->text);
    law->text = dup("No noise after 23:00.");
    libro_free(law->consent_record);
    law->consent_record = dup(r.hashes[0]);
    LIBRO_ASSERT_CODE(
        libro_consent_check_law(law, &r.st, (const libro_step *const *) r.steps, r.n, &err),
        LIBRO_ERR_DENIED, &err, "consent: the law's consentRecord is not the record's last step");
    libro_free(law->consent_record);
    law->consent_record = dup(r.st.record_hash);
    law->valid_until += 1;
    LIBRO_ASSERT_CODE(
        libro_consent_check_law(law, &r.st, (const libro_step *const *) r.steps, r.n, &err),
        LIBRO_ERR_DENIED, &err, "consent: the law's validUntil is not version 2's reviewDate");
    law->valid_until -= 1;
    law->valid_from = r.steps[r.n - 1]->at - 1;
    LIBRO_ASSERT_CODE(
        libro_consent_check_law(law, &r.st, (const libro_step *const *) r.steps, r.n, &err),
        LIBRO_ERR_DENIED, &err, "before the record's last step");
    law->valid_from = r.steps[r.n - 1]->at;
    libro_free(law->members[0].id);
    law->members[0].id = dup(law->members[1].id);
    libro_free(law->members[1].id);
    law->members[1].id = dup(r.st.round_members[0]);
    LIBRO_ASSERT_CODE(
        libro_consent_check_law(law, &r.st, (const libro_step *const *) r.steps, r.n, &err),
        LIBRO_ERR_DENIED, &err, "consent: roundtable[0] is not the round's member");

    /* The standing objection case: nothing may be adopted from it. */
    must(run_case(&not_yet, 17, &err), &err, "case 17");
    ck_assert(!not_yet.st.adoptable);
    LIBRO_ASSERT_CODE(
        libro_consent_check_law(law, &not_yet.st, (const libro_step *const *) not_yet.steps,
                                not_yet.n, &err),
        LIBRO_ERR_DENIED, &err, "consent: the process is not adoptable: the objection by did:key:");
    libro_credential_free(law);
    run_free(&not_yet);
    run_free(&r);
}
END_TEST

/* A record document of a run round-trips; a tampered step in it no longer verifies. */
START_TEST(test_record_document)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct run r;
    libro_consent_record rec = {NULL, NULL, 0, NULL, 0};
    libro_consent_record *back = NULL;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_step *s = NULL;
    char *dot;

    must(run_case(&r, 0, &err), &err, "case 0");
    rec.process = dup(PROCESS);
    rec.steps = r.tokens;
    rec.n_steps = r.n;
    must(libro_consent_record_to_json(&doc, &rec, &err), &err, "write");
    must(libro_consent_record_parse(&back, doc.data, doc.len, &err), &err, "parse");
    ck_assert_uint_eq(back->n_steps, r.n);
    ck_assert_uint_eq(back->n_mandates, 0);
    ck_assert_str_eq(back->steps[2], r.tokens[2]);
    must(libro_consent_record_to_json(&again, back, &err), &err, "write again");
    ck_assert_str_eq((const char *) again.data, (const char *) doc.data);

    /* Tamper with step 1's payload: one byte of its base64url. */
    dot = strchr(back->steps[1], '.');
    ck_assert_ptr_nonnull(dot);
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    LIBRO_ASSERT_CODE(libro_step_verify(&s, NULL, back->steps[1], strlen(back->steps[1]), &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "step:");
    ck_assert_ptr_null(s);

    LIBRO_ASSERT_CODE(libro_consent_record_parse(NULL, "{}", 2, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    libro_consent_record_free(back);
    back = NULL;
    {
        static const char empty[] = "{\"process\":\"urn:x\",\"steps\":[],\"mandates\":[]}";
        static const char extra[] = "{\"process\":\"urn:x\",\"steps\":[\"a\"],\"extra\":1}";

        LIBRO_ASSERT_CODE(libro_consent_record_parse(&back, empty, strlen(empty), &err),
                          LIBRO_ERR_SCHEMA, &err, "record: steps: empty");
        LIBRO_ASSERT_CODE(libro_consent_record_parse(&back, extra, strlen(extra), &err),
                          LIBRO_ERR_SCHEMA, &err, "record: extra: unexpected member");
    }
    libro_free(rec.process);
    libro_buf_free(&again);
    libro_buf_free(&doc);
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ the step format */

#define STEP_HEAD                                                                                  \
    "{\"process\":\"" PROCESS "\",\"seq\":0,\"at\":\"2027-01-01T01:00:00Z\",\"by\":\"%s\","

static const struct {
    const char *name;
    const char *tail; /* after STEP_HEAD */
    libro_code want;
    const char *msg;
} bad_steps[] = {
    {"unknown kind", "\"kind\":\"vote\"}", LIBRO_ERR_SCHEMA,
     "step: kind: not propose, amend, respond, rule, withdraw or round"},
    {"a member of another kind",
     "\"kind\":\"propose\",\"title\":\"T\",\"aim\":\"A\",\"text\":\"X\","
     "\"reviewDate\":\"2027-06-01T00:00:00Z\",\"round\":1}",
     LIBRO_ERR_SCHEMA, "step: round: unexpected member"},
    {"a missing member",
     "\"kind\":\"propose\",\"title\":\"T\",\"aim\":\"A\",\"reviewDate\":\"2027-06-01T00:00:00Z\"}",
     LIBRO_ERR_SCHEMA, "step: text: missing"},
    {"review date not after at",
     "\"kind\":\"propose\",\"title\":\"T\",\"aim\":\"A\",\"text\":\"X\","
     "\"reviewDate\":\"2027-01-01T01:00:00Z\"}",
     LIBRO_ERR_SCHEMA, "step: reviewDate: not after at"},
    {"a time with an offset",
     "\"kind\":\"propose\",\"title\":\"T\",\"aim\":\"A\",\"text\":\"X\","
     "\"reviewDate\":\"2027-06-01T00:00:00+01:00\"}",
     LIBRO_ERR_TIME, "step: reviewDate: not of the form YYYY-MM-DDTHH:MM:SSZ"},
    {"consent with a reason",
     "\"kind\":\"respond\",\"version\":1,\"round\":1,\"response\":\"consent\",\"reason\":\"r\"}",
     LIBRO_ERR_SCHEMA, "step: reason: only with an objection"},
    {"an unknown response",
     "\"kind\":\"respond\",\"version\":1,\"round\":1,\"response\":\"maybe\"}", LIBRO_ERR_SCHEMA,
     "step: response: not consent or object"},
    {"round 0", "\"kind\":\"round\",\"version\":1,\"round\":0}", LIBRO_ERR_SCHEMA,
     "step: round: not in 1..1000"},
    {"a ruling without a reason",
     "\"kind\":\"rule\",\"objection\":\"sha256:"
     "0000000000000000000000000000000000000000000000000000000000000000\",\"ruling\":\"out\"}",
     LIBRO_ERR_SCHEMA, "step: reason: missing"},
    {"an objection hash in upper case",
     "\"kind\":\"withdraw\",\"objection\":\"sha256:"
     "000000000000000000000000000000000000000000000000000000000000000A\"}",
     LIBRO_ERR_SCHEMA, "step: objection: not \"sha256:\" and 64 lowercase hex digits"},
    {"a control character in the text",
     "\"kind\":\"propose\",\"title\":\"T\",\"aim\":\"A\",\"text\":\"X\\tY\","
     "\"reviewDate\":\"2027-06-01T00:00:00Z\"}",
     LIBRO_ERR_SCHEMA, "step: text: control character"},
    {"a duplicate member", "\"kind\":\"round\",\"version\":1,\"round\":1,\"round\":2}",
     LIBRO_ERR_PARSE, "step: json:"},
};

START_TEST(test_step_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_step *s = NULL;

    must(libro_buf_printf(&doc, &err, STEP_HEAD, dids[M0]), &err, "head");
    must(libro_buf_append_str(&doc, bad_steps[_i].tail, &err), &err, "tail");
    LIBRO_ASSERT_CODE(libro_step_parse(&s, doc.data, doc.len, &err), bad_steps[_i].want, &err,
                      bad_steps[_i].msg);
    ck_assert_ptr_null(s);
    libro_buf_free(&doc);
}
END_TEST

/* A text with line feeds parses and writes back byte for byte; the at seq 0 rule. */
START_TEST(test_step_round_trip)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_step *s = NULL;

    must(libro_buf_printf(&doc, &err, STEP_HEAD, dids[M0]), &err, "head");
    must(libro_buf_append_str(&doc,
                              "\"kind\":\"propose\",\"title\":\"Quiet hours\",\"aim\":\"rest\","
                              "\"text\":\"one\\ntwo\",\"reviewDate\":\"2027-06-01T00:00:00Z\","
                              "\"supersedes\":\"sha256:"
                              "00000000000000000000000000000000000000000000000000000000000000ff\"}",
                              &err),
         &err, "tail");
    must(libro_step_parse(&s, doc.data, doc.len, &err), &err, "parse");
    ck_assert_str_eq(s->text, "one\ntwo");
    must(libro_step_to_json(&again, s, &err), &err, "write");
    ck_assert_str_eq((const char *) again.data, (const char *) doc.data);
    s->seq = 1;
    LIBRO_ASSERT_CODE(libro_step_to_json(&again, s, &err), LIBRO_ERR_SCHEMA, &err,
                      "step: prev: absent exactly at seq 0");
    libro_step_free(s);
    libro_buf_free(&again);
    libro_buf_free(&doc);
}
END_TEST

/* Signing and verifying: another member's key, a kid naming another key, another typ. */
START_TEST(test_step_signatures)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    char hashes[1][LIBRO_HASH_REF_SIZE];
    char hash[LIBRO_HASH_REF_SIZE];
    libro_step *s = step_of(0, 0, hashes);
    libro_step *back = NULL;

    LIBRO_ASSERT_CODE(libro_step_sign(&token, s, keys[M1], &err), LIBRO_ERR_DENIED, &err,
                      "step: the key is not the one by names");
    must(libro_step_sign(&token, s, keys[M0], &err), &err, "sign");
    must(libro_step_verify(&back, hash, (const char *) token.data, token.len, &err), &err,
         "verify");
    must(libro_hash_ref(hashes[0], token.data, token.len, &err), &err, "hash");
    ck_assert_str_eq(hash, hashes[0]);
    libro_step_free(back);
    back = NULL;

    /* M1 signs M0's step under M0's did with M1's thumbprint: the kid names another key. */
    must(libro_step_to_json(&payload, s, &err), &err, "payload");
    libro_buf_clear(&token);
    must(libro_kid_for(&kid, dids[M0], keys[M1], &err), &err, "kid");
    must(libro_jws_sign_compact(&token, keys[M1], (const char *) kid.data, LIBRO_CONSENT_TYP,
                                payload.data, payload.len, &err),
         &err, "sign");
    LIBRO_ASSERT_CODE(libro_step_verify(&back, NULL, (const char *) token.data, token.len, &err),
                      LIBRO_ERR_DENIED, &err, "step: kid names another key than its did:key");
    /* M1 signs as M1 a step whose by is M0. */
    libro_buf_clear(&token);
    libro_buf_clear(&kid);
    must(libro_kid_for(&kid, dids[M1], keys[M1], &err), &err, "kid");
    must(libro_jws_sign_compact(&token, keys[M1], (const char *) kid.data, LIBRO_CONSENT_TYP,
                                payload.data, payload.len, &err),
         &err, "sign");
    LIBRO_ASSERT_CODE(libro_step_verify(&back, NULL, (const char *) token.data, token.len, &err),
                      LIBRO_ERR_DENIED, &err, "step: by is not the signer");
    /* Another typ. */
    libro_buf_clear(&token);
    libro_buf_clear(&kid);
    must(libro_kid_for(&kid, dids[M0], keys[M0], &err), &err, "kid");
    must(libro_jws_sign_compact(&token, keys[M0], (const char *) kid.data, "vc+jwt", payload.data,
                                payload.len, &err),
         &err, "sign");
    LIBRO_ASSERT_CODE(libro_step_verify(&back, NULL, (const char *) token.data, token.len, &err),
                      LIBRO_ERR_UNSUPPORTED, &err, "step: typ is not libro-consent+jwt");
    /* A kid that is no did:key. */
    libro_buf_clear(&token);
    libro_buf_clear(&kid);
    must(libro_kid_for(&kid, "urn:libro:tribe-1", keys[M0], &err), &err, "kid");
    must(libro_jws_sign_compact(&token, keys[M0], (const char *) kid.data, LIBRO_CONSENT_TYP,
                                payload.data, payload.len, &err),
         &err, "sign");
    LIBRO_ASSERT_CODE(libro_step_verify(&back, NULL, (const char *) token.data, token.len, &err),
                      LIBRO_ERR_DENIED, &err, "step: kid does not name an Ed25519 did:key");
    ck_assert_ptr_null(back);
    libro_step_free(s);
    libro_buf_free(&kid);
    libro_buf_free(&payload);
    libro_buf_free(&token);
}
END_TEST

/* A proposal's text at its cap signs and verifies (past the credential caps); one byte more
 * is refused. */
START_TEST(test_step_caps)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    char hashes[1][LIBRO_HASH_REF_SIZE];
    libro_step *s = step_of(0, 0, hashes);
    libro_step *back = NULL;

    libro_free(s->text);
    s->text = libro_malloc(LIBRO_MAX_LAW_TEXT_BYTES + 2);
    ck_assert_ptr_nonnull(s->text);
    memset(s->text, 'x', LIBRO_MAX_LAW_TEXT_BYTES);
    s->text[LIBRO_MAX_LAW_TEXT_BYTES] = '\0';
    must(libro_step_sign(&token, s, keys[M0], &err), &err, "sign at the cap");
    must(libro_step_verify(&back, NULL, (const char *) token.data, token.len, &err), &err,
         "verify at the cap");
    ck_assert_uint_eq(strlen(back->text), LIBRO_MAX_LAW_TEXT_BYTES);
    s->text[LIBRO_MAX_LAW_TEXT_BYTES] = 'x';
    s->text[LIBRO_MAX_LAW_TEXT_BYTES + 1] = '\0';
    libro_buf_clear(&token);
    LIBRO_ASSERT_CODE(libro_step_sign(&token, s, keys[M0], &err), LIBRO_ERR_SCHEMA, &err,
                      "step: text: longer than 16384 bytes");
    libro_step_free(back);
    libro_step_free(s);
    libro_buf_free(&token);
}
END_TEST

/* Fail the 1st, 2nd, ... allocation until a record of the "withdrawn objection" case parses,
 * each step verifies and the machine runs: every failure on the way is "out of memory". */
START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct run r;
    libro_consent_record rec = {NULL, NULL, 0, NULL, 0};
    libro_buf doc = LIBRO_BUF_INIT;
    libro_consent_seat seats[8];
    size_t n_seats = seats_of(seats, SEATS_BASE);
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    must(run_case(&r, 11, &err), &err, "case 11");
    rec.process = dup(PROCESS);
    rec.steps = r.tokens;
    rec.n_steps = r.n;
    must(libro_consent_record_to_json(&doc, &rec, &err), &err, "record");
    for (n = 1; n < 100000 && rc != LIBRO_OK; n++) {
        libro_consent_record *back = NULL;
        libro_step *steps[MAX_STEPS] = {NULL};
        char hashes[MAX_STEPS][LIBRO_HASH_REF_SIZE];
        const char *hash_list[MAX_STEPS];
        libro_consent_state st = LIBRO_CONSENT_STATE_INIT;
        size_t k;

        libro__alloc_fail_after(n);
        rc = libro_consent_record_parse(&back, doc.data, doc.len, &err);
        for (k = 0; rc == LIBRO_OK && k < back->n_steps; k++) {
            rc = libro_step_verify(&steps[k], hashes[k], back->steps[k], strlen(back->steps[k]),
                                   &err);
            hash_list[k] = hashes[k];
        }
        if (rc == LIBRO_OK) {
            rc = libro_consent_run(&st, (const libro_step *const *) steps, hash_list, back->n_steps,
                                   seats, n_seats, &err);
        }
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
        } else {
            ck_assert(st.adoptable);
        }
        libro_consent_state_free(&st);
        for (k = 0; k < MAX_STEPS; k++) {
            libro_step_free(steps[k]);
        }
        libro_consent_record_free(back);
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 10);
    libro_free(rec.process);
    libro_buf_free(&doc);
    run_free(&r);
}
END_TEST

/* A mandate's seat: its term, or until the second before it ended early. */
START_TEST(test_seat_of)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *m = NULL;
    libro_consent_seat seat;

    must(libro_credential_new(&m, LIBRO_CRED_MANDATE, &err), &err, "new");
    m->subject_id = dup(dids[M0]);
    m->office = LIBRO_OFFICE_REPRESENTATIVE;
    m->valid_from = T0;
    m->valid_until = T0 + YEAR;
    must(libro_consent_seat_of(&seat, m, 0, &err), &err, "in office");
    ck_assert_str_eq(seat.did, dids[M0]);
    ck_assert_int_eq(seat.office, LIBRO_OFFICE_REPRESENTATIVE);
    ck_assert(seat.from == T0 && seat.until == T0 + YEAR);
    must(libro_consent_seat_of(&seat, m, T0 + HOUR, &err), &err, "ended");
    ck_assert(seat.until == T0 + HOUR - 1);
    LIBRO_ASSERT_CODE(libro_consent_seat_of(&seat, m, T0, &err), LIBRO_ERR_TIME, &err,
                      "consent: the mandate ends outside its term");
    LIBRO_ASSERT_CODE(libro_consent_seat_of(&seat, m, T0 + YEAR + 1, &err), LIBRO_ERR_TIME, &err,
                      NULL);
    m->type = LIBRO_CRED_LAW;
    LIBRO_ASSERT_CODE(libro_consent_seat_of(&seat, m, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "consent: not a mandate");
    m->type = LIBRO_CRED_MANDATE;
    libro_credential_free(m);
}
END_TEST

START_TEST(test_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_consent_state st = LIBRO_CONSENT_STATE_INIT;

    LIBRO_ASSERT_CODE(libro_consent_run(NULL, NULL, NULL, 0, NULL, 0, &err), LIBRO_ERR_INVALID_ARG,
                      &err, NULL);
    LIBRO_ASSERT_CODE(libro_consent_run(&st, NULL, NULL, 1, NULL, 0, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "consent: NULL steps");
    must(libro_consent_run(&st, NULL, NULL, 0, NULL, 0, &err), &err, "nothing");
    ck_assert(!st.adoptable);
    ck_assert_uint_eq(st.version, 0);
    libro_consent_state_free(&st);
    libro_consent_state_free(NULL);
    ck_assert_str_eq(libro_step_kind_name(LIBRO_STEP_WITHDRAW), "withdraw");
    ck_assert_ptr_null(libro_step_kind_name((libro_step_kind) 0));
    ck_assert_ptr_null(libro_step_kind_name((libro_step_kind) 7));
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("consent");
    TCase *processes = tcase_create("processes");
    TCase *law = tcase_create("law");
    TCase *format = tcase_create("format");

    tcase_add_checked_fixture(processes, setup, teardown);
    tcase_add_checked_fixture(law, setup, teardown);
    tcase_add_checked_fixture(format, setup, teardown);
    tcase_add_loop_test(processes, test_processes, 0, (int) LIBRO_NELEM(cases));
    tcase_add_test(law, test_law_matches_record);
    tcase_add_test(law, test_record_document);
    tcase_add_loop_test(format, test_step_rejects, 0, (int) LIBRO_NELEM(bad_steps));
    tcase_add_test(format, test_step_round_trip);
    tcase_add_test(format, test_step_signatures);
    tcase_add_test(format, test_step_caps);
    tcase_add_test(format, test_args);
    tcase_add_test(format, test_seat_of);
    tcase_add_test(law, test_oom);
    suite_add_tcase(s, processes);
    suite_add_tcase(s, law);
    suite_add_tcase(s, format);
    return s;
}
