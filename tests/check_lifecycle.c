/* The license state machine (registry/src/lifecycle.c) with a fixed clock: every (state,
 * action) pair with its exact code and message, the renewal window and the grace period at
 * their edges, and renewal requirements (parse and check). */
#include <string.h>

#include "libro/registry.h"
#include "libro/util.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define VU INT64_C(1890777599)    /* 2029-11-30T23:59:59Z: the license's validUntil */
#define OPENS (VU - 90 * DAY)     /* 2029-09-01T23:59:59Z: the renewal window opens */
#define GRACE_END (VU + 30 * DAY) /* 2029-12-30T23:59:59Z: the grace period ends */
#define MID (VU - 100 * DAY)      /* before the window */
#define IN_GRACE (VU + 10 * DAY)

#define A LIBRO_STATE_ACTIVE
#define S LIBRO_STATE_SUSPENDED
#define R LIBRO_STATE_REVOKED
#define E LIBRO_STATE_EXPIRED
#define L LIBRO_STATE_LAPSED
#define X LIBRO_STATE_SURRENDERED

/* The structures hold mutable strings (they are owned when parsed), hence the arrays. */
static char cpd_hours[] = "cpd_hours";
static char supervised_hours[] = "supervised_hours";
static char nursing_id[] = "nursing-general";
static char strict_id[] = "strict";
static char ev_a[] = "a";
static char ev_b[] = "b";
static char ev_c[] = "c";
static libro_requirement cpd = {cpd_hours, ">=", 60};
static const libro_license_type nursing = {
    nursing_id, 1095, 90, 30, &cpd, 1, LIBRO_RENEWAL_FROM_EXPIRY};
static const libro_license_type no_window = {
    strict_id, 365, 0, 0, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};

static const struct transition {
    libro_license_state state;
    libro_action action;
    int64_t now;
    libro_code want;
    int next; /* on LIBRO_OK */
    const char *msg;
} cases[] = {
    /* active */
    {A, LIBRO_ACTION_ISSUE, MID, LIBRO_ERR_DENIED, 0, "license is already issued"},
    {A, LIBRO_ACTION_RENEW, MID, LIBRO_ERR_DENIED, 0,
     "renewal opens 2029-09-01T23:59:59Z, 90 days before expiry"},
    {A, LIBRO_ACTION_SUSPEND, MID, LIBRO_OK, S, NULL},
    {A, LIBRO_ACTION_REINSTATE, MID, LIBRO_ERR_DENIED, 0,
     "license is not suspended: only a suspended license can be reinstated"},
    {A, LIBRO_ACTION_REVOKE, MID, LIBRO_OK, R, NULL},
    {A, LIBRO_ACTION_SURRENDER, MID, LIBRO_OK, X, NULL},
    {A, LIBRO_ACTION_EXPIRE, MID, LIBRO_ERR_DENIED, 0,
     "license is valid until 2029-11-30T23:59:59Z"},
    {A, LIBRO_ACTION_LAPSE, MID, LIBRO_ERR_DENIED, 0, "an active license does not lapse"},
    /* suspended */
    {S, LIBRO_ACTION_ISSUE, MID, LIBRO_ERR_DENIED, 0, "license is already issued"},
    {S, LIBRO_ACTION_RENEW, OPENS, LIBRO_ERR_DENIED, 0,
     "a suspended license cannot be renewed: reinstate it first"},
    {S, LIBRO_ACTION_SUSPEND, MID, LIBRO_ERR_DENIED, 0, "license is already suspended"},
    {S, LIBRO_ACTION_REINSTATE, MID, LIBRO_OK, A, NULL},
    {S, LIBRO_ACTION_REVOKE, MID, LIBRO_OK, R, NULL},
    {S, LIBRO_ACTION_SURRENDER, MID, LIBRO_OK, X, NULL},
    {S, LIBRO_ACTION_EXPIRE, VU, LIBRO_ERR_DENIED, 0, "a suspended license does not expire"},
    {S, LIBRO_ACTION_LAPSE, GRACE_END + 1, LIBRO_ERR_DENIED, 0,
     "a suspended license does not lapse"},
    /* revoked */
    {R, LIBRO_ACTION_ISSUE, MID, LIBRO_ERR_DENIED, 0, "license is already issued"},
    {R, LIBRO_ACTION_RENEW, OPENS, LIBRO_ERR_DENIED, 0, "a revoked license cannot be renewed"},
    {R, LIBRO_ACTION_SUSPEND, MID, LIBRO_ERR_DENIED, 0, "a revoked license cannot be suspended"},
    {R, LIBRO_ACTION_REINSTATE, MID, LIBRO_ERR_DENIED, 0, "a revoked license cannot be reinstated"},
    {R, LIBRO_ACTION_REVOKE, MID, LIBRO_ERR_DENIED, 0, "license is already revoked"},
    {R, LIBRO_ACTION_SURRENDER, MID, LIBRO_ERR_DENIED, 0,
     "a revoked license cannot be surrendered"},
    {R, LIBRO_ACTION_EXPIRE, VU, LIBRO_ERR_DENIED, 0, "a revoked license does not expire"},
    {R, LIBRO_ACTION_LAPSE, GRACE_END + 1, LIBRO_ERR_DENIED, 0, "a revoked license does not lapse"},
    /* expired */
    {E, LIBRO_ACTION_ISSUE, IN_GRACE, LIBRO_ERR_DENIED, 0, "license is already issued"},
    {E, LIBRO_ACTION_RENEW, IN_GRACE, LIBRO_OK, A, NULL},
    {E, LIBRO_ACTION_SUSPEND, IN_GRACE, LIBRO_ERR_DENIED, 0,
     "an expired license cannot be suspended"},
    {E, LIBRO_ACTION_REINSTATE, IN_GRACE, LIBRO_ERR_DENIED, 0,
     "an expired license cannot be reinstated"},
    {E, LIBRO_ACTION_REVOKE, IN_GRACE, LIBRO_ERR_DENIED, 0, "an expired license cannot be revoked"},
    {E, LIBRO_ACTION_SURRENDER, IN_GRACE, LIBRO_OK, X, NULL},
    {E, LIBRO_ACTION_EXPIRE, IN_GRACE, LIBRO_ERR_DENIED, 0, "license is already expired"},
    {E, LIBRO_ACTION_LAPSE, IN_GRACE, LIBRO_ERR_DENIED, 0,
     "the grace period runs until 2029-12-30T23:59:59Z"},
    /* lapsed */
    {L, LIBRO_ACTION_ISSUE, GRACE_END + 1, LIBRO_ERR_DENIED, 0, "license is already issued"},
    {L, LIBRO_ACTION_RENEW, IN_GRACE, LIBRO_ERR_DENIED, 0,
     "a lapsed license cannot be renewed: its grace period ended 2029-12-30T23:59:59Z; apply for "
     "a new license (libro issue license)"},
    {L, LIBRO_ACTION_SUSPEND, MID, LIBRO_ERR_DENIED, 0, "a lapsed license cannot be suspended"},
    {L, LIBRO_ACTION_REINSTATE, MID, LIBRO_ERR_DENIED, 0, "a lapsed license cannot be reinstated"},
    {L, LIBRO_ACTION_REVOKE, MID, LIBRO_ERR_DENIED, 0, "a lapsed license cannot be revoked"},
    {L, LIBRO_ACTION_SURRENDER, MID, LIBRO_ERR_DENIED, 0, "a lapsed license cannot be surrendered"},
    {L, LIBRO_ACTION_EXPIRE, GRACE_END + 1, LIBRO_ERR_DENIED, 0,
     "a lapsed license does not expire"},
    {L, LIBRO_ACTION_LAPSE, GRACE_END + 1, LIBRO_ERR_DENIED, 0, "license has already lapsed"},
    /* surrendered */
    {X, LIBRO_ACTION_ISSUE, MID, LIBRO_ERR_DENIED, 0, "license is already issued"},
    {X, LIBRO_ACTION_RENEW, OPENS, LIBRO_ERR_DENIED, 0, "a surrendered license cannot be renewed"},
    {X, LIBRO_ACTION_SUSPEND, MID, LIBRO_ERR_DENIED, 0,
     "a surrendered license cannot be suspended"},
    {X, LIBRO_ACTION_REINSTATE, MID, LIBRO_ERR_DENIED, 0,
     "a surrendered license cannot be reinstated"},
    {X, LIBRO_ACTION_REVOKE, MID, LIBRO_ERR_DENIED, 0, "a surrendered license cannot be revoked"},
    {X, LIBRO_ACTION_SURRENDER, MID, LIBRO_ERR_DENIED, 0, "license is already surrendered"},
    {X, LIBRO_ACTION_EXPIRE, VU, LIBRO_ERR_DENIED, 0, "a surrendered license does not expire"},
    {X, LIBRO_ACTION_LAPSE, GRACE_END + 1, LIBRO_ERR_DENIED, 0,
     "a surrendered license does not lapse"},

    /* the renewal window opens at validUntil - 90 days */
    {A, LIBRO_ACTION_RENEW, OPENS - 1, LIBRO_ERR_DENIED, 0,
     "renewal opens 2029-09-01T23:59:59Z, 90 days before expiry"},
    {A, LIBRO_ACTION_RENEW, OPENS, LIBRO_OK, A, NULL},
    {A, LIBRO_ACTION_RENEW, OPENS + 1, LIBRO_OK, A, NULL},
    /* an active license the clock has not expired yet: renewable until the grace ends */
    {A, LIBRO_ACTION_RENEW, VU, LIBRO_OK, A, NULL},
    {A, LIBRO_ACTION_RENEW, GRACE_END, LIBRO_OK, A, NULL},
    {A, LIBRO_ACTION_RENEW, GRACE_END + 1, LIBRO_ERR_DENIED, 0,
     "the grace period ended 2029-12-30T23:59:59Z; the license has lapsed and cannot be renewed: "
     "apply for a new license (libro issue license)"},
    /* expired: renewable through the last second of the grace period */
    {E, LIBRO_ACTION_RENEW, GRACE_END - 1, LIBRO_OK, A, NULL},
    {E, LIBRO_ACTION_RENEW, GRACE_END, LIBRO_OK, A, NULL},
    {E, LIBRO_ACTION_RENEW, GRACE_END + 1, LIBRO_ERR_DENIED, 0,
     "the grace period ended 2029-12-30T23:59:59Z; the license has lapsed and cannot be renewed: "
     "apply for a new license (libro issue license)"},
    /* expiry one second after validUntil, its last valid second */
    {A, LIBRO_ACTION_EXPIRE, VU - 1, LIBRO_ERR_DENIED, 0,
     "license is valid until 2029-11-30T23:59:59Z"},
    {A, LIBRO_ACTION_EXPIRE, VU, LIBRO_ERR_DENIED, 0,
     "license is valid until 2029-11-30T23:59:59Z"},
    {A, LIBRO_ACTION_EXPIRE, VU + 1, LIBRO_OK, E, NULL},
    /* lapse one second after the grace period */
    {E, LIBRO_ACTION_LAPSE, GRACE_END - 1, LIBRO_ERR_DENIED, 0,
     "the grace period runs until 2029-12-30T23:59:59Z"},
    {E, LIBRO_ACTION_LAPSE, GRACE_END, LIBRO_ERR_DENIED, 0,
     "the grace period runs until 2029-12-30T23:59:59Z"},
    {E, LIBRO_ACTION_LAPSE, GRACE_END + 1, LIBRO_OK, L, NULL},
};

START_TEST(test_transitions)
{
    const struct transition *c = &cases[_i];
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_state next = LIBRO_STATE_ACTIVE;
    libro_code rc = libro_lifecycle_next(&next, (libro_license_state) c->state, c->action, &nursing,
                                         VU, c->now, &err);

    ck_assert_msg(rc == c->want, "case %d (%s, %s): got %d (%s)", _i,
                  libro_license_state_name((libro_license_state) c->state),
                  libro_action_name(c->action), rc, err.msg);
    if (c->want == LIBRO_OK) {
        ck_assert_int_eq(next, c->next);
    } else {
        ck_assert_str_eq(err.msg, c->msg);
        ck_assert_int_eq(next, c->state); /* unchanged on refusal */
    }
}
END_TEST

/* Every refusal message is distinct within a state's row at MID/edge times: the table has no
 * duplicated (state, message) except the shared "already issued". */
START_TEST(test_refusals_distinct)
{
    size_t i;
    size_t j;

    for (i = 0; i < 48; i++) {
        for (j = i + 1; j < 48; j++) {
            if (cases[i].msg == NULL || cases[j].msg == NULL ||
                cases[i].action == LIBRO_ACTION_ISSUE) {
                continue;
            }
            ck_assert_msg(strcmp(cases[i].msg, cases[j].msg) != 0, "cases %zu and %zu share \"%s\"",
                          i, j, cases[i].msg);
        }
    }
}
END_TEST

START_TEST(test_zero_window_and_grace)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_state next = LIBRO_STATE_ACTIVE;

    LIBRO_ASSERT_CODE(
        libro_lifecycle_next(&next, A, LIBRO_ACTION_RENEW, &no_window, VU, VU - 1, &err),
        LIBRO_ERR_DENIED, &err, "renewal opens 2029-11-30T23:59:59Z, 0 days");
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, A, LIBRO_ACTION_RENEW, &no_window, VU, VU, &err),
                      LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(
        libro_lifecycle_next(&next, E, LIBRO_ACTION_RENEW, &no_window, VU, VU + 1, &err),
        LIBRO_ERR_DENIED, &err, "the grace period ended 2029-11-30T23:59:59Z");
    LIBRO_ASSERT_CODE(
        libro_lifecycle_next(&next, E, LIBRO_ACTION_LAPSE, &no_window, VU, VU + 1, &err), LIBRO_OK,
        &err, NULL);
    ck_assert_int_eq(next, L);
}
END_TEST

START_TEST(test_bad_arguments)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_state next = LIBRO_STATE_ACTIVE;

    LIBRO_ASSERT_CODE(libro_lifecycle_next(NULL, A, LIBRO_ACTION_SUSPEND, &nursing, VU, MID, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "next is NULL");
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, (libro_license_state) 0, LIBRO_ACTION_SUSPEND,
                                           &nursing, VU, MID, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "unknown state 0");
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, (libro_license_state) 7, LIBRO_ACTION_SUSPEND,
                                           &nursing, VU, MID, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "unknown state 7");
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, A, (libro_action) 0, &nursing, VU, MID, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "unknown action 0");
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, A, (libro_action) 9, &nursing, VU, MID, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "unknown action 9");
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, E, LIBRO_ACTION_RENEW, NULL, VU, MID, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "renew needs the license type");
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, E, LIBRO_ACTION_LAPSE, NULL, VU, MID, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "lapse needs the license type");
    /* Actions that do not depend on the type accept none. */
    LIBRO_ASSERT_CODE(libro_lifecycle_next(&next, A, LIBRO_ACTION_SUSPEND, NULL, VU, MID, &err),
                      LIBRO_OK, &err, NULL);
    /* Extreme times saturate instead of wrapping. */
    LIBRO_ASSERT_CODE(
        libro_lifecycle_next(&next, E, LIBRO_ACTION_RENEW, &nursing, INT64_MAX, INT64_MAX, &err),
        LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(
        libro_lifecycle_next(&next, A, LIBRO_ACTION_RENEW, &nursing, INT64_MIN, INT64_MIN, &err),
        LIBRO_OK, &err, NULL);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(libro_license_state_name(LIBRO_STATE_ACTIVE), "active");
    ck_assert_str_eq(libro_license_state_name(LIBRO_STATE_SUSPENDED), "suspended");
    ck_assert_str_eq(libro_license_state_name(LIBRO_STATE_REVOKED), "revoked");
    ck_assert_str_eq(libro_license_state_name(LIBRO_STATE_EXPIRED), "expired");
    ck_assert_str_eq(libro_license_state_name(LIBRO_STATE_LAPSED), "lapsed");
    ck_assert_str_eq(libro_license_state_name(LIBRO_STATE_SURRENDERED), "surrendered");
    ck_assert_str_eq(libro_license_state_name((libro_license_state) 0), "unknown");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_ISSUE), "issue");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_RENEW), "renew");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_SUSPEND), "suspend");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_REINSTATE), "reinstate");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_REVOKE), "revoke");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_SURRENDER), "surrender");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_EXPIRE), "expire");
    ck_assert_str_eq(libro_action_name(LIBRO_ACTION_LAPSE), "lapse");
    ck_assert_str_eq(libro_action_name((libro_action) 99), "unknown");
}
END_TEST

/* ------------------------------------------------------------------ requirements */

#define NAME64 "abcdefghijklmnopqrstuvwxyz_0123456789abcdefghijklmnopqrstuvwxyz_"

static const struct {
    const char *text;
    size_t n;
    const char *first_name;
    const char *first_op;
    int64_t first_value;
} parse_ok[] = {
    {"", 0, NULL, NULL, 0},
    {"   \t ", 0, NULL, NULL, 0},
    {"cpd_hours >= 60", 1, "cpd_hours", ">=", 60},
    {"cpd_hours>=60,supervised_hours > 100", 2, "cpd_hours", ">=", 60},
    {" a == 0 , b <= 5,\tc < 7 ", 3, "a", "==", 0},
    {"x > 9223372036854775807", 1, "x", ">", INT64_MAX},
    {NAME64 " < 1", 1, NAME64, "<", 1},
    {"a>=1,b>=2,c>=3,d>=4,e>=5,f>=6,g>=7,h>=8", 8, "a", ">=", 1},
};

START_TEST(test_requirements_parse_ok)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_requirement *r = NULL;
    size_t n = 99;
    const char *text = parse_ok[_i].text;

    LIBRO_ASSERT_CODE(libro_requirements_parse(&r, &n, text, strlen(text), &err), LIBRO_OK, &err,
                      NULL);
    ck_assert_uint_eq(n, parse_ok[_i].n);
    if (n > 0) {
        ck_assert_str_eq(r[0].evidence, parse_ok[_i].first_name);
        ck_assert_str_eq(r[0].op, parse_ok[_i].first_op);
        ck_assert_int_eq(r[0].value, parse_ok[_i].first_value);
    } else {
        ck_assert_ptr_null(r);
    }
    /* The canonical text reads back to the same requirements, and writes itself again. */
    {
        libro_buf text1 = LIBRO_BUF_INIT;
        libro_buf text2 = LIBRO_BUF_INIT;
        libro_requirement *back = NULL;
        size_t n_back = 0;

        LIBRO_ASSERT_CODE(libro_requirements_format(&text1, r, n, &err), LIBRO_OK, &err, NULL);
        LIBRO_ASSERT_CODE(
            libro_requirements_parse(&back, &n_back, (const char *) text1.data, text1.len, &err),
            LIBRO_OK, &err, NULL);
        ck_assert_uint_eq(n_back, n);
        LIBRO_ASSERT_CODE(libro_requirements_format(&text2, back, n_back, &err), LIBRO_OK, &err,
                          NULL);
        ck_assert_uint_eq(text1.len, text2.len);
        ck_assert(text1.len == 0 || memcmp(text1.data, text2.data, text1.len) == 0);
        libro_requirements_free(back, n_back);
        libro_buf_free(&text1);
        libro_buf_free(&text2);
    }
    libro_requirements_free(r, n);
}
END_TEST

static const struct {
    const char *text;
    libro_code want;
    const char *msg;
} parse_bad[] = {
    {"cpd_hours", LIBRO_ERR_PARSE, "requirement 1: expected an operator (>=, >, ==, <=, <)"},
    {">= 60", LIBRO_ERR_PARSE, "requirement 1: expected an evidence name ([a-z0-9_])"},
    {"CPD >= 1", LIBRO_ERR_PARSE, "requirement 1: expected an evidence name ([a-z0-9_])"},
    {"cpd-hours >= 1", LIBRO_ERR_PARSE, "requirement 1: expected an operator (>=, >, ==, <=, <)"},
    {"cpd_hours => 60", LIBRO_ERR_PARSE, "requirement 1: expected an operator (>=, >, ==, <=, <)"},
    {"cpd_hours = 60", LIBRO_ERR_PARSE, "requirement 1: expected an operator (>=, >, ==, <=, <)"},
    {"cpd_hours != 60", LIBRO_ERR_PARSE, "requirement 1: expected an operator (>=, >, ==, <=, <)"},
    {"cpd_hours >= ", LIBRO_ERR_PARSE, "requirement 1: value: number is empty"},
    {"cpd_hours >= -5", LIBRO_ERR_PARSE,
     "requirement 1: value: number has a non-digit at offset 0"},
    {"cpd_hours >= 060", LIBRO_ERR_PARSE, "requirement 1: value: number has a leading zero"},
    {"cpd_hours >= 6.5", LIBRO_ERR_PARSE,
     "requirement 1: value: number has a non-digit at offset 1"},
    {"cpd_hours >= 60 hours", LIBRO_ERR_PARSE, "requirement 1: text after the value"},
    {"a >= 1 b >= 2", LIBRO_ERR_PARSE, "requirement 1: text after the value"},
    {"cpd_hours >= 60,", LIBRO_ERR_PARSE, "requirement 2: empty"},
    {",cpd_hours >= 60", LIBRO_ERR_PARSE, "requirement 1: empty"},
    {"a >= 1,,b >= 2", LIBRO_ERR_PARSE, "requirement 2: empty"},
    {"a >= 1, b >> 2", LIBRO_ERR_PARSE, "requirement 2: text after the value"},
    {"x >= 9223372036854775808", LIBRO_ERR_LIMIT,
     "requirement 1: value: number exceeds 9223372036854775807"},
    {NAME64 "x >= 1", LIBRO_ERR_LIMIT, "requirement 1: evidence name longer than 64 bytes"},
    {"a>=1,b>=2,c>=3,d>=4,e>=5,f>=6,g>=7,h>=8,i>=9", LIBRO_ERR_LIMIT, "more than 8 requirements"},
};

START_TEST(test_requirements_parse_bad)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_requirement *r = NULL;
    size_t n = 99;
    const char *text = parse_bad[_i].text;
    libro_code rc = libro_requirements_parse(&r, &n, text, strlen(text), &err);

    ck_assert_msg(rc == parse_bad[_i].want, "\"%s\": got %d (%s)", text, rc, err.msg);
    ck_assert_str_eq(err.msg, parse_bad[_i].msg);
    ck_assert_ptr_null(r);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_requirements_parse_limits)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_requirement *r = NULL;
    size_t n = 0;
    char text[1026];

    /* 1024 bytes of spaces then "a>=1" would be 1028: the cap is on the whole text. */
    memset(text, ' ', sizeof text);
    memcpy(text + 1020, "a>=1", 4);
    LIBRO_ASSERT_CODE(libro_requirements_parse(&r, &n, text, 1024, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(n, 1);
    libro_requirements_free(r, n);
    r = NULL;
    LIBRO_ASSERT_CODE(libro_requirements_parse(&r, &n, text, 1025, &err), LIBRO_ERR_LIMIT, &err,
                      "requirements text longer than 1024 bytes");
    LIBRO_ASSERT_CODE(libro_requirements_parse(&r, &n, NULL, 3, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
    LIBRO_ASSERT_CODE(libro_requirements_parse(&r, &n, NULL, 0, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(n, 0);
    /* Text need not be NUL-terminated: only len bytes are read. */
    LIBRO_ASSERT_CODE(libro_requirements_parse(&r, &n, "a >= 12345", 6, &err), LIBRO_OK, &err,
                      NULL);
    ck_assert_int_eq(r[0].value, 1);
    libro_requirements_free(r, n);
}
END_TEST

static libro_requirement two_reqs[] = {{cpd_hours, ">=", 60}, {supervised_hours, ">", 100}};
static libro_requirement edge_reqs[] = {{ev_a, "==", 5}, {ev_b, "<=", 5}, {ev_c, "<", 5}};

static const struct {
    libro_requirement *reqs;
    size_t n_reqs;
    libro_evidence ev[3];
    size_t n_ev;
    libro_code want;
    const char *msg;
} check_cases[] = {
    {two_reqs, 2, {{"cpd_hours", 60}, {"supervised_hours", 101}}, 2, LIBRO_OK, NULL},
    {two_reqs, 2, {{"supervised_hours", 101}, {"cpd_hours", 61}}, 2, LIBRO_OK, NULL},
    {two_reqs,
     2,
     {{"supervised_hours", 101}, {"cpd_hours", 61}, {"extra", 0}},
     3,
     LIBRO_ERR_INVALID_ARG,
     "evidence extra: license type nursing-general does not ask for it (it accepts cpd_hours, "
     "supervised_hours)"},
    {two_reqs,
     2,
     {{"cpd_hour", 61}, {"supervised_hours", 101}},
     2,
     LIBRO_ERR_INVALID_ARG,
     "evidence cpd_hour: license type nursing-general does not ask for it (it accepts "
     "cpd_hours, supervised_hours)"},
    {NULL,
     0,
     {{"cpd_hours", 60}},
     1,
     LIBRO_ERR_INVALID_ARG,
     "evidence cpd_hours: license type nursing-general asks for no evidence"},
    {two_reqs,
     2,
     {{"cpd_hours", 59}, {"supervised_hours", 101}},
     2,
     LIBRO_ERR_DENIED,
     "requirement cpd_hours >= 60 not met (59 recorded)"},
    {two_reqs,
     2,
     {{"cpd_hours", 60}, {"supervised_hours", 100}},
     2,
     LIBRO_ERR_DENIED,
     "requirement supervised_hours > 100 not met (100 recorded)"},
    {two_reqs,
     2,
     {{"supervised_hours", 101}},
     1,
     LIBRO_ERR_DENIED,
     "requirement cpd_hours >= 60 not met (none recorded)"},
    {two_reqs,
     2,
     {{NULL, 0}},
     0,
     LIBRO_ERR_DENIED,
     "requirement cpd_hours >= 60 not met (none recorded)"},
    {NULL, 0, {{NULL, 0}}, 0, LIBRO_OK, NULL},
    {edge_reqs, 3, {{"a", 5}, {"b", 5}, {"c", 4}}, 3, LIBRO_OK, NULL},
    {edge_reqs,
     3,
     {{"a", 4}, {"b", 5}, {"c", 4}},
     3,
     LIBRO_ERR_DENIED,
     "requirement a == 5 not met (4 recorded)"},
    {edge_reqs,
     3,
     {{"a", 5}, {"b", 6}, {"c", 4}},
     3,
     LIBRO_ERR_DENIED,
     "requirement b <= 5 not met (6 recorded)"},
    {edge_reqs,
     3,
     {{"a", 5}, {"b", 0}, {"c", 5}},
     3,
     LIBRO_ERR_DENIED,
     "requirement c < 5 not met (5 recorded)"},
};

START_TEST(test_requirements_check)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {nursing_id, 1095, 90, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_code rc;

    t.requirements = check_cases[_i].reqs;
    t.n_requirements = check_cases[_i].n_reqs;
    rc = libro_requirements_check(&t, check_cases[_i].ev, check_cases[_i].n_ev, &err);
    ck_assert_msg(rc == check_cases[_i].want, "case %d: got %d (%s)", _i, rc, err.msg);
    if (check_cases[_i].msg != NULL) {
        ck_assert_str_eq(err.msg, check_cases[_i].msg);
    }
}
END_TEST

START_TEST(test_requirements_check_args)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_requirements_check(NULL, NULL, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
    LIBRO_ASSERT_CODE(libro_requirements_check(&nursing, NULL, 1, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "NULL argument");
}
END_TEST

/* The renewed term: from expiry keeps the days left of an early renewal; a late one (in the
 * grace period), or a type that renews from now, starts at the renewal. */
static const struct {
    libro_renewal_from rule;
    int64_t now;
    int64_t want_from;
} terms[] = {
    {LIBRO_RENEWAL_FROM_EXPIRY, OPENS, VU + 1},
    {LIBRO_RENEWAL_FROM_EXPIRY, VU - 30 * DAY, VU + 1},
    {LIBRO_RENEWAL_FROM_EXPIRY, VU - 1, VU + 1},
    {LIBRO_RENEWAL_FROM_EXPIRY, VU, VU + 1},
    {LIBRO_RENEWAL_FROM_EXPIRY, VU + 1, VU + 1},
    {LIBRO_RENEWAL_FROM_EXPIRY, VU + 2, VU + 2},
    {LIBRO_RENEWAL_FROM_EXPIRY, GRACE_END, GRACE_END},
    {LIBRO_RENEWAL_FROM_NOW, VU - 30 * DAY, VU - 30 * DAY},
    {LIBRO_RENEWAL_FROM_NOW, VU + 2, VU + 2},
};

START_TEST(test_renewal_term)
{
    libro_license_type t = nursing;
    int64_t from = 0;
    int64_t until = 0;

    t.renewal_from = terms[_i].rule;
    libro_renewal_term(&from, &until, &t, VU, terms[_i].now);
    ck_assert_int_eq(from, terms[_i].want_from);
    ck_assert_int_eq(until, terms[_i].want_from + 1095 * DAY);
}
END_TEST

START_TEST(test_renewal_term_edges)
{
    libro_license_type t = nursing;
    int64_t from = 0;
    int64_t until = 0;

    libro_renewal_term(&from, &until, &t, INT64_MAX, 0); /* saturates, never wraps */
    ck_assert_int_eq(from, INT64_MAX);
    ck_assert_int_eq(until, INT64_MAX);
    ck_assert_str_eq(libro_renewal_from_name(LIBRO_RENEWAL_FROM_EXPIRY), "expiry");
    ck_assert_str_eq(libro_renewal_from_name(LIBRO_RENEWAL_FROM_NOW), "now");
    ck_assert_ptr_null(libro_renewal_from_name((libro_renewal_from) 2));
}
END_TEST

/* Parse, then check what was parsed: the text form an operator writes round-trips. */
START_TEST(test_requirements_parse_then_check)
{
    static const char text[] = "cpd_hours >= 60, supervised_hours > 100";
    static const libro_evidence ev[] = {{"cpd_hours", 40}, {"supervised_hours", 120}};
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {NULL, 1095, 90, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};

    t.id = libro_strndup("nursing-general", 15);
    ck_assert_ptr_nonnull(t.id);
    LIBRO_ASSERT_CODE(
        libro_requirements_parse(&t.requirements, &t.n_requirements, text, strlen(text), &err),
        LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_requirements_check(&t, ev, 2, &err), LIBRO_ERR_DENIED, &err,
                      "requirement cpd_hours >= 60 not met (40 recorded)");
    libro_license_type_clear(&t);
    ck_assert_ptr_null(t.id);
    ck_assert_ptr_null(t.requirements);
    libro_license_type_clear(NULL);
    libro_requirements_free(NULL, 3);
}
END_TEST

/* OOM: the Nth allocation fails, looped until the parse succeeds. */
START_TEST(test_requirements_parse_oom)
{
    static const char text[] = "a >= 1, b >= 2, c >= 3";
    libro_error err = LIBRO_ERROR_INIT;
    libro_requirement *r = NULL;
    size_t n = 0;
    unsigned long k;
    libro_code rc = LIBRO_ERR_NOMEM;

    for (k = 1; rc != LIBRO_OK; k++) {
        libro__alloc_fail_after(k);
        rc = libro_requirements_parse(&r, &n, text, strlen(text), &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
            ck_assert_ptr_null(r);
        }
    }
    ck_assert_uint_eq(n, 3);
    libro_requirements_free(r, n);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("lifecycle");
    TCase *machine = tcase_create("state_machine");
    TCase *req = tcase_create("requirements");

    tcase_add_loop_test(machine, test_transitions, 0, (int) LIBRO_NELEM(cases));
    tcase_add_test(machine, test_refusals_distinct);
    tcase_add_test(machine, test_zero_window_and_grace);
    tcase_add_test(machine, test_bad_arguments);
    tcase_add_test(machine, test_names);
    tcase_add_loop_test(machine, test_renewal_term, 0, (int) LIBRO_NELEM(terms));
    tcase_add_test(machine, test_renewal_term_edges);
    tcase_add_loop_test(req, test_requirements_parse_ok, 0, (int) LIBRO_NELEM(parse_ok));
    tcase_add_loop_test(req, test_requirements_parse_bad, 0, (int) LIBRO_NELEM(parse_bad));
    tcase_add_test(req, test_requirements_parse_limits);
    tcase_add_loop_test(req, test_requirements_check, 0, (int) LIBRO_NELEM(check_cases));
    tcase_add_test(req, test_requirements_check_args);
    tcase_add_test(req, test_requirements_parse_then_check);
    tcase_add_test(req, test_requirements_parse_oom);
    suite_add_tcase(s, machine);
    suite_add_tcase(s, req);
    return s;
}
