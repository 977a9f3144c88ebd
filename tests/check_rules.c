/* The chain rules (core/src/rules.c, libro/rules.h) and the one typ rule (libro_jws_typ_is),
 * each at its boundary, one second inside and outside, at the ends of int64, and with NULLs.
 * Fixture: an anchor (town 7, level 2, allowing nursing and midwifery), a child charter under
 * it (level 1, midwifery), an issuer authorization (nursing 10 days, midwifery 1 day) and a
 * license under it. The mandate rules have their own fixture of charters (see "mandates"): each
 * office's term at each level, a charter's shorter terms, Feb 29, the office's shape, who may
 * sign, term limits and the seat count. */
#include <stdio.h>
#include <string.h>

#include "libro/jws.h"
#include "libro/rules.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define T0 INT64_C(1796083200) /* 2026-12-01T00:00:00Z */
#define T100 (T0 + 100 * DAY)  /* 2027-03-11T00:00:00Z */
#define TOWN "urn:libro:town-7"
#define NORTH "urn:libro:town-7:north"
#define BOARD "urn:libro:town-7:health-board"
#define NURSING "nursing-general"
#define MIDWIFERY "midwifery"

static libro_credential *anchor;
static libro_credential *child;
static libro_credential *auth;
static libro_credential *registry;
static libro_credential *license;

static void
set_list(char ***list, size_t *n, const char *a, const char *b)
{
    *list = libro_calloc(2, sizeof **list);
    ck_assert_ptr_nonnull(*list);
    (*list)[0] = sdup(a);
    *n = 1;
    if (b != NULL) {
        (*list)[1] = sdup(b);
        *n = 2;
    }
}

static void
set_str(char **field, const char *value)
{
    libro_free(*field);
    *field = value == NULL ? NULL : sdup(value);
}

static void
setup(void)
{
    anchor = new_cred(LIBRO_CRED_CHARTER, TOWN, TOWN, "Town 7", T0, T100 - 1);
    anchor->level = 2;
    set_list(&anchor->allowed_types, &anchor->n_allowed, NURSING, MIDWIFERY);

    child = new_cred(LIBRO_CRED_CHARTER, TOWN, NORTH, "North Quarter", T0, T100 - 1);
    child->level = 1;
    set_list(&child->allowed_types, &child->n_allowed, MIDWIFERY, NULL);

    auth = new_cred(LIBRO_CRED_ISSUER_AUTH, TOWN, BOARD, "Health Board", T0, T100 - 1);
    auth->grants = libro_calloc(2, sizeof *auth->grants);
    ck_assert_ptr_nonnull(auth->grants);
    auth->grants[0].id = sdup(NURSING);
    auth->grants[0].validity_days = 10;
    auth->grants[1].id = sdup(MIDWIFERY);
    auth->grants[1].validity_days = 1;
    auth->n_grants = 2;

    registry = new_cred(LIBRO_CRED_REGISTRY_AUTH, TOWN, TOWN ":registry", "Registry", T0, T100 - 1);

    license = new_cred(LIBRO_CRED_LICENSE, BOARD, NULL, "Ada Example", T0, T0 + DAY - 1);
    license->license_type = sdup(NURSING);
    license->community_id = sdup(TOWN);
    license->community_level = 2;
}

static void
teardown(void)
{
    libro_credential_free(license);
    libro_credential_free(registry);
    libro_credential_free(auth);
    libro_credential_free(child);
    libro_credential_free(anchor);
}

static void
expect(libro_code rc, const libro_error *err, libro_code want, const char *msg, const char *name)
{
    ck_assert_msg(rc == want, "%s: got %d (%s), want %d", name, rc, err->msg, want);
    if (want != LIBRO_OK && msg != NULL) {
        ck_assert_msg(strstr(err->msg, msg) != NULL, "%s: message \"%s\" lacks \"%s\"", name,
                      err->msg, msg);
    }
    if (want != LIBRO_OK) {
        ck_assert_ptr_null(strchr(err->msg, '\n'));
    }
}

/* ------------------------------------------------------------------ span */

static const struct {
    const char *name;
    int64_t from, until;
    uint32_t days;
    bool want;
} spans[] = {
    {"exactly the days", T0, T0 + 10 * DAY, 10, true},
    {"one second less", T0, T0 + 10 * DAY - 1, 10, true},
    {"one second more", T0, T0 + 10 * DAY + 1, 10, false},
    {"empty", T0, T0, 0, true},
    {"one second, zero days", T0, T0 + 1, 0, false},
    {"inverted", T0 + DAY, T0, 0, true},
    {"int64 ends, most days", INT64_MIN, INT64_MAX, UINT32_MAX, false},
    {"int64 ends inverted", INT64_MAX, INT64_MIN, 0, true},
    {"from INT64_MIN, one day", INT64_MIN, INT64_MIN + DAY, 1, true},
    {"from INT64_MIN, a day and a second", INT64_MIN, INT64_MIN + DAY + 1, 1, false},
    {"up to INT64_MAX, one day", INT64_MAX - DAY, INT64_MAX, 1, true},
    {"across zero", -DAY, DAY, 2, true},
    {"across zero, too long", -DAY, DAY + 1, 2, false},
    {"most days exactly", 0, (int64_t) UINT32_MAX *DAY, UINT32_MAX, true},
};

START_TEST(test_span)
{
    bool got = libro_rules_span_ok(spans[_i].from, spans[_i].until, spans[_i].days);

    ck_assert_msg(got == spans[_i].want, "%s: got %d", spans[_i].name, got);
}
END_TEST

/* ------------------------------------------------------------------ window */

static const struct {
    const char *name;
    int64_t from, until; /* the license's, under the authorization's T0..T100 - 1 */
    libro_code want;
    const char *msg;
} windows[] = {
    {"same window", T0, T100 - 1, LIBRO_OK, NULL},
    {"inside", T0 + 1, T100 - 2, LIBRO_OK, NULL},
    {"starts a second early", T0 - 1, T100 - 1, LIBRO_ERR_DENIED,
     "license (2026-11-30T23:59:59Z..2027-03-10T23:59:59Z) lies outside the issuer "
     "authorization for " BOARD " (2026-12-01T00:00:00Z..2027-03-10T23:59:59Z)"},
    {"ends a second late", T0, T100, LIBRO_ERR_DENIED,
     "license (2026-12-01T00:00:00Z..2027-03-11T00:00:00Z) lies outside"},
    {"wider on both sides", T0 - 1, T100, LIBRO_ERR_DENIED, "lies outside"},
    {"all of int64", INT64_MIN, INT64_MAX, LIBRO_ERR_DENIED,
     "license (?..?) lies outside the issuer authorization"},
    {"before, at INT64_MIN", INT64_MIN, T0, LIBRO_ERR_DENIED, "lies outside"},
    {"after, to INT64_MAX", T0, INT64_MAX, LIBRO_ERR_DENIED, "lies outside"},
};

START_TEST(test_window)
{
    libro_error err = LIBRO_ERROR_INIT;

    license->valid_from = windows[_i].from;
    license->valid_until = windows[_i].until;
    expect(libro_rules_window(license, auth, &err), &err, windows[_i].want, windows[_i].msg,
           windows[_i].name);
}
END_TEST

START_TEST(test_window_edges)
{
    libro_error err = LIBRO_ERROR_INIT;

    /* An outer window of all of int64 holds anything, the extremes included. */
    auth->valid_from = INT64_MIN;
    auth->valid_until = INT64_MAX;
    license->valid_from = INT64_MIN;
    license->valid_until = INT64_MAX;
    must(libro_rules_window(license, auth, &err), &err, "all in all");
    /* A window that is not a credential: named by the caller. */
    auth->valid_from = T0;
    auth->valid_until = T100 - 1;
    must(libro_rules_window_of("status list", T0, T100 - 1, auth, &err), &err, "status list");
    expect(libro_rules_window_of("status list", T0, T100, auth, &err), &err, LIBRO_ERR_DENIED,
           "status list (2026-12-01T00:00:00Z..2027-03-11T00:00:00Z) lies outside the issuer "
           "authorization for " BOARD,
           "status list late");
    /* Charters and authorizations nest the same way, named as the verifier names them. */
    child->valid_until = T100;
    expect(libro_rules_window(child, anchor, &err), &err, LIBRO_ERR_DENIED,
           "charter of " NORTH " (2026-12-01T00:00:00Z..2027-03-11T00:00:00Z) lies outside the "
           "anchor " TOWN,
           "child");
    registry->valid_from = T0 - 1;
    expect(libro_rules_window(registry, anchor, &err), &err, LIBRO_ERR_DENIED,
           "registry authorization for " TOWN ":registry (2026-11-30T23:59:59Z..", "registry");
}
END_TEST

/* ------------------------------------------------------------------ license rules */

enum lic_case {
    L_OK,
    L_LONGEST,
    L_SECOND_TOO_LONG,
    L_SHORT_GRANT_OK,
    L_SHORT_GRANT_LONG,
    L_NOT_GRANTED,
    L_NO_TYPE,
    L_OVERFLOW,
    L_INVERTED,
    L_NO_GRANTS,
};

static const struct {
    const char *name;
    enum lic_case m;
    libro_code want;
    const char *msg;
} grants[] = {
    {"ok", L_OK, LIBRO_OK, NULL},
    {"exactly 10 days", L_LONGEST, LIBRO_OK, NULL},
    {"10 days and a second", L_SECOND_TOO_LONG, LIBRO_ERR_DENIED,
     "license runs 11 days, longer than the 10 validityDays the issuer authorization for " BOARD
     " allows for " NURSING},
    {"midwifery, one day", L_SHORT_GRANT_OK, LIBRO_OK, NULL},
    {"midwifery, two days", L_SHORT_GRANT_LONG, LIBRO_ERR_DENIED,
     "license runs 2 days, longer than the 1 validityDays"},
    {"type not granted", L_NOT_GRANTED, LIBRO_ERR_DENIED,
     "license type pharmacy is not granted by the issuer authorization for " BOARD},
    {"no type", L_NO_TYPE, LIBRO_ERR_DENIED, "license type  is not granted"},
    {"all of int64", L_OVERFLOW, LIBRO_ERR_DENIED,
     "license runs 213503982334602 days, longer than the 10 validityDays"},
    {"inverted window", L_INVERTED, LIBRO_OK, NULL},
    {"no grants", L_NO_GRANTS, LIBRO_ERR_DENIED, "is not granted"},
};

START_TEST(test_license_grant)
{
    libro_error err = LIBRO_ERROR_INIT;

    switch (grants[_i].m) {
    case L_OK:
        break;
    case L_LONGEST:
        license->valid_until = T0 + 10 * DAY;
        break;
    case L_SECOND_TOO_LONG:
        license->valid_until = T0 + 10 * DAY + 1;
        break;
    case L_SHORT_GRANT_OK:
        set_str(&license->license_type, MIDWIFERY);
        license->valid_until = T0 + DAY;
        break;
    case L_SHORT_GRANT_LONG:
        set_str(&license->license_type, MIDWIFERY);
        license->valid_until = T0 + DAY + 1;
        break;
    case L_NOT_GRANTED:
        set_str(&license->license_type, "pharmacy");
        break;
    case L_NO_TYPE:
        set_str(&license->license_type, NULL);
        break;
    case L_OVERFLOW:
        license->valid_from = INT64_MIN;
        license->valid_until = INT64_MAX;
        break;
    case L_INVERTED:
        license->valid_from = INT64_MAX;
        license->valid_until = INT64_MIN;
        break;
    case L_NO_GRANTS:
        auth->n_grants = 0;
        break;
    }
    expect(libro_rules_license_grant(license, auth, &err), &err, grants[_i].want, grants[_i].msg,
           grants[_i].name);
    auth->n_grants = 2;
}
END_TEST

static const struct {
    const char *name;
    const char *community;
    int level;
    bool child_charter;
    libro_code want_community;
    libro_code want_level;
    const char *msg;
} communities[] = {
    {"as chartered", TOWN, 2, false, LIBRO_OK, LIBRO_OK, NULL},
    {"level one below", TOWN, 1, false, LIBRO_OK, LIBRO_ERR_DENIED,
     "license gives community " TOWN " level 1, its anchor says 2"},
    {"level one above", TOWN, 3, false, LIBRO_OK, LIBRO_ERR_DENIED,
     "license gives community " TOWN " level 3, its anchor says 2"},
    {"other community", "urn:libro:town-8", 2, false, LIBRO_ERR_DENIED, LIBRO_ERR_DENIED,
     "license names community urn:libro:town-8, not the anchor " TOWN},
    {"no community", NULL, 2, false, LIBRO_ERR_DENIED, LIBRO_ERR_DENIED,
     "license names community , not the anchor " TOWN},
    {"child charter, its level", NORTH, 1, true, LIBRO_ERR_DENIED, LIBRO_OK, NULL},
    {"child charter, another level", NORTH, 2, true, LIBRO_ERR_DENIED, LIBRO_ERR_DENIED,
     "license gives community " NORTH " level 2, its charter says 1"},
};

START_TEST(test_license_community)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_credential *charter = communities[_i].child_charter ? child : anchor;
    libro_code rc;

    set_str(&license->community_id, communities[_i].community);
    license->community_level = communities[_i].level;
    rc = libro_rules_license_community(license, auth, &err);
    expect(rc, &err, communities[_i].want_community,
           communities[_i].want_community == LIBRO_OK ? NULL : "but " TOWN " authorized its issuer",
           communities[_i].name);
    expect(libro_rules_license_level(license, charter, &err), &err, communities[_i].want_level,
           communities[_i].msg, communities[_i].name);
}
END_TEST

/* ------------------------------------------------------------------ issued by */

/* Which credential is checked under which, and the issuer it is given (NULL: kept). */
enum issued_case {
    I_AUTH,
    I_REGISTRY,
    I_CHILD,
    I_ANCHOR,
    I_LICENSE,
    I_AUTH_OTHER,
    I_REGISTRY_OTHER,
    I_CHILD_OTHER,
    I_CHILD_UNDER_ITSELF,
    I_AUTH_UNDER_CHILD,
    I_LICENSE_OTHER,
    I_NO_ISSUER,
};

static const struct {
    const char *name;
    enum issued_case m;
    libro_code want;
    const char *msg;
} issued[] = {
    {"authorization by the town", I_AUTH, LIBRO_OK, NULL},
    {"registry by the town", I_REGISTRY, LIBRO_OK, NULL},
    {"child charter by the town", I_CHILD, LIBRO_OK, NULL},
    {"anchor by itself", I_ANCHOR, LIBRO_OK, NULL},
    {"license by the board", I_LICENSE, LIBRO_OK, NULL},
    {"authorization by another town", I_AUTH_OTHER, LIBRO_ERR_DENIED,
     "issuer authorization for " BOARD " is issued by urn:libro:town-8, not by " TOWN},
    {"registry by another town", I_REGISTRY_OTHER, LIBRO_ERR_DENIED,
     "registry authorization for " TOWN ":registry is issued by urn:libro:town-8, not by " TOWN},
    {"child charter by another town", I_CHILD_OTHER, LIBRO_ERR_DENIED,
     "charter of " NORTH " is issued by urn:libro:town-8, not by " TOWN},
    {"child charter under itself", I_CHILD_UNDER_ITSELF, LIBRO_ERR_DENIED,
     "charter of " NORTH " is issued by " TOWN ", not by " NORTH},
    {"authorization under the child's charter", I_AUTH_UNDER_CHILD, LIBRO_ERR_DENIED,
     "issuer authorization for " BOARD " is issued by " TOWN ", not by " NORTH},
    {"license by another board", I_LICENSE_OTHER, LIBRO_ERR_DENIED,
     "license is issued by urn:libro:town-7:school-board, not by " BOARD},
    {"no issuer", I_NO_ISSUER, LIBRO_ERR_DENIED,
     "issuer authorization for " BOARD " is issued by , not by " TOWN},
};

START_TEST(test_issued_by)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_credential *c = auth;
    const libro_credential *by = anchor;

    switch (issued[_i].m) {
    case I_AUTH:
        break;
    case I_REGISTRY:
        c = registry;
        break;
    case I_CHILD:
        c = child;
        break;
    case I_ANCHOR:
        c = anchor;
        break;
    case I_LICENSE:
        c = license;
        by = auth;
        break;
    case I_AUTH_OTHER:
        set_str(&auth->issuer, "urn:libro:town-8");
        break;
    case I_REGISTRY_OTHER:
        c = registry;
        set_str(&registry->issuer, "urn:libro:town-8");
        break;
    case I_CHILD_OTHER:
        c = child;
        set_str(&child->issuer, "urn:libro:town-8");
        break;
    case I_CHILD_UNDER_ITSELF:
        c = child;
        by = child;
        break;
    case I_AUTH_UNDER_CHILD:
        by = child;
        break;
    case I_LICENSE_OTHER:
        c = license;
        by = auth;
        set_str(&license->issuer, "urn:libro:town-7:school-board");
        break;
    case I_NO_ISSUER:
        set_str(&auth->issuer, NULL);
        break;
    }
    expect(libro_rules_issued_by(c, by, &err), &err, issued[_i].want, issued[_i].msg,
           issued[_i].name);
    if (issued[_i].want != LIBRO_OK) {
        ck_assert_str_eq(err.msg, issued[_i].msg); /* the whole message, nothing after */
    }
}
END_TEST

/* A license under a charter, a charter under an authorization, either NULL: misuse. */
START_TEST(test_issued_by_types)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_rules_issued_by(license, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: issued by wants");
    LIBRO_ASSERT_CODE(libro_rules_issued_by(child, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: issued by wants");
    LIBRO_ASSERT_CODE(libro_rules_issued_by(auth, registry, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: issued by wants");
    LIBRO_ASSERT_CODE(libro_rules_issued_by(license, license, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: issued by wants");
    LIBRO_ASSERT_CODE(libro_rules_issued_by(NULL, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: issued by wants");
    LIBRO_ASSERT_CODE(libro_rules_issued_by(auth, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: issued by wants");
    ck_assert_int_eq(libro_rules_issued_by(auth, anchor, NULL), LIBRO_OK);
    set_str(&auth->issuer, "urn:libro:town-8");
    ck_assert_int_eq(libro_rules_issued_by(auth, anchor, NULL), LIBRO_ERR_DENIED);
}
END_TEST

/* ------------------------------------------------------------------ scope and level */

enum scope_case {
    S_AUTH_OK,
    S_AUTH_WIDER,
    S_AUTH_NONE_ALLOWED,
    S_CHILD_OK,
    S_CHILD_SAME,
    S_CHILD_WIDER,
    S_REGISTRY,
    S_AUTH_UNDER_CHILD,
};

static const struct {
    const char *name;
    enum scope_case m;
    libro_code want;
    const char *msg;
} scopes[] = {
    {"authorization within", S_AUTH_OK, LIBRO_OK, NULL},
    {"authorization grants one more", S_AUTH_WIDER, LIBRO_ERR_DENIED,
     "issuer authorization for " BOARD " grants pharmacy, which the anchor " TOWN
     " does not allow"},
    {"charter allows nothing", S_AUTH_NONE_ALLOWED, LIBRO_ERR_DENIED,
     "grants " NURSING ", which the anchor " TOWN " does not allow"},
    {"child within", S_CHILD_OK, LIBRO_OK, NULL},
    {"child allows the same", S_CHILD_SAME, LIBRO_OK, NULL},
    {"child allows one more", S_CHILD_WIDER, LIBRO_ERR_DENIED,
     "charter of " NORTH " allows surgery, which the anchor " TOWN " does not"},
    {"registry authorization grants none", S_REGISTRY, LIBRO_OK, NULL},
    {"authorization under the child", S_AUTH_UNDER_CHILD, LIBRO_ERR_DENIED,
     "grants " NURSING ", which the charter of " NORTH " does not allow"},
};

START_TEST(test_scope)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_credential *c = auth;
    const libro_credential *parent = anchor;

    switch (scopes[_i].m) {
    case S_AUTH_OK:
        break;
    case S_AUTH_WIDER:
        set_str(&auth->grants[1].id, "pharmacy");
        break;
    case S_AUTH_NONE_ALLOWED:
        anchor->n_allowed = 0;
        break;
    case S_CHILD_OK:
        c = child;
        break;
    case S_CHILD_SAME:
        c = child;
        set_str(&child->allowed_types[0], NURSING);
        break;
    case S_CHILD_WIDER:
        c = child;
        set_str(&child->allowed_types[0], "surgery");
        break;
    case S_REGISTRY:
        c = registry;
        anchor->n_allowed = 0;
        break;
    case S_AUTH_UNDER_CHILD:
        parent = child;
        break;
    }
    expect(libro_rules_scope(c, parent, &err), &err, scopes[_i].want, scopes[_i].msg,
           scopes[_i].name);
    anchor->n_allowed = 2;
}
END_TEST

static const struct {
    int child, parent;
    libro_code want;
} levels[] = {
    {1, 2, LIBRO_OK},         {0, 8, LIBRO_OK},         {7, 8, LIBRO_OK},
    {2, 2, LIBRO_ERR_DENIED}, {3, 2, LIBRO_ERR_DENIED}, {0, 0, LIBRO_ERR_DENIED},
    {8, 0, LIBRO_ERR_DENIED},
};

START_TEST(test_level)
{
    libro_error err = LIBRO_ERROR_INIT;
    char msg[128];
    char name[32];

    child->level = levels[_i].child;
    anchor->level = levels[_i].parent;
    ck_assert_int_gt(snprintf(msg, sizeof msg,
                              "charter of " NORTH " has level %d, not below the level %d of "
                              "the anchor " TOWN,
                              levels[_i].child, levels[_i].parent),
                     0);
    ck_assert_int_gt(
        snprintf(name, sizeof name, "%d under %d", levels[_i].child, levels[_i].parent), 0);
    expect(libro_rules_level(child, anchor, &err), &err, levels[_i].want, msg, name);
}
END_TEST

/* ------------------------------------------------------------------ combined */

enum combo_case {
    C_AUTH_OK,
    C_AUTH_LATE_AND_WIDE,
    C_AUTH_WIDE,
    C_CHILD_SAME_LEVEL,
    C_CHILD_WIDE_AND_SAME_LEVEL,
    C_CHILD_OK,
    C_REGISTRY_LATE,
    C_REGISTRY_OK,
};

/* libro_rules_under_charter: the window first, then the scope, then (charters) the level. */
static const struct {
    const char *name;
    enum combo_case m;
    libro_code want;
    const char *msg;
} unders[] = {
    {"authorization", C_AUTH_OK, LIBRO_OK, NULL},
    {"authorization late and wide: window first", C_AUTH_LATE_AND_WIDE, LIBRO_ERR_DENIED,
     "issuer authorization for " BOARD " (2026-12-01T00:00:00Z..2027-03-11T00:00:00Z) lies "
     "outside the anchor " TOWN},
    {"authorization wide", C_AUTH_WIDE, LIBRO_ERR_DENIED, "grants pharmacy, which the anchor"},
    {"child at the same level", C_CHILD_SAME_LEVEL, LIBRO_ERR_DENIED,
     "charter of " NORTH " has level 2, not below the level 2 of the anchor " TOWN},
    {"child wide and level 2: scope first", C_CHILD_WIDE_AND_SAME_LEVEL, LIBRO_ERR_DENIED,
     "charter of " NORTH " allows surgery, which the anchor " TOWN " does not"},
    {"child", C_CHILD_OK, LIBRO_OK, NULL},
    {"registry authorization late", C_REGISTRY_LATE, LIBRO_ERR_DENIED,
     "registry authorization for " TOWN ":registry (2026-12-01T00:00:00Z..2027-03-11T00:00:00Z)"},
    {"registry authorization", C_REGISTRY_OK, LIBRO_OK, NULL},
};

START_TEST(test_under_charter)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_credential *c = auth;

    switch (unders[_i].m) {
    case C_AUTH_OK:
        break;
    case C_AUTH_LATE_AND_WIDE:
        auth->valid_until = T100;
        set_str(&auth->grants[0].id, "pharmacy");
        break;
    case C_AUTH_WIDE:
        set_str(&auth->grants[0].id, "pharmacy");
        break;
    case C_CHILD_SAME_LEVEL:
        c = child;
        child->level = 2;
        break;
    case C_CHILD_WIDE_AND_SAME_LEVEL:
        c = child;
        child->level = 2;
        set_str(&child->allowed_types[0], "surgery");
        break;
    case C_CHILD_OK:
        c = child;
        break;
    case C_REGISTRY_LATE:
        c = registry;
        registry->valid_until = T100;
        break;
    case C_REGISTRY_OK:
        c = registry;
        break;
    }
    expect(libro_rules_under_charter(c, anchor, &err), &err, unders[_i].want, unders[_i].msg,
           unders[_i].name);
}
END_TEST

/* libro_rules_license_under: the community first, then the grant and span, then the window. */
START_TEST(test_license_under)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_rules_license_under(license, auth, &err), &err, "as issued");
    license->valid_until = T100; /* outside the authorization, and 100 days long */
    expect(libro_rules_license_under(license, auth, &err), &err, LIBRO_ERR_DENIED,
           "license runs 100 days, longer than the 10 validityDays", "span before window");
    set_str(&license->community_id, "urn:libro:town-8");
    expect(libro_rules_license_under(license, auth, &err), &err, LIBRO_ERR_DENIED,
           "license names community urn:libro:town-8, but " TOWN " authorized its issuer",
           "community first");
    set_str(&license->community_id, TOWN);
    license->valid_from = T0 - 1;
    license->valid_until = T0 + DAY;
    expect(libro_rules_license_under(license, auth, &err), &err, LIBRO_ERR_DENIED,
           "license (2026-11-30T23:59:59Z..2026-12-02T00:00:00Z) lies outside", "window");
    LIBRO_ASSERT_CODE(libro_rules_license_under(license, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license and an issuer authorization");
    LIBRO_ASSERT_CODE(libro_rules_under_charter(NULL, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: NULL argument");
    LIBRO_ASSERT_CODE(libro_rules_under_charter(auth, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: scope wants");
}
END_TEST

/* statusRegistry: nothing asked without it; with it, every list under <registry>/v1/status/. */
START_TEST(test_license_status)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_rules_license_status(license, auth, &err), &err, "no statusRegistry");
    set_str(&auth->status_registry, "https://r.example");
    expect(libro_rules_license_status(license, auth, &err), &err, LIBRO_ERR_DENIED,
           "requires status entries from https://r.example; this license has none", "none");
    license->has_status = true;
    set_str(&license->status_revocation_list, "https://r.example/v1/status/0/revocation");
    set_str(&license->status_suspension_list, "https://r.example/v1/status/0/suspension");
    must(libro_rules_license_status(license, auth, &err), &err, "its lists");
    set_str(&license->status_message_list, "https://r.example.evil/v1/status/0/message");
    expect(libro_rules_license_status(license, auth, &err), &err, LIBRO_ERR_DENIED,
           "this license names https://r.example.evil/v1/status/0/message", "look-alike");
    set_str(&license->status_message_list, "https://r.example/v1/status/0/message");
    must(libro_rules_license_status(license, auth, &err), &err, "three lists");
    set_str(&license->status_suspension_list, "https://r.example/v1/statusx/0/suspension");
    expect(libro_rules_license_status(license, auth, &err), &err, LIBRO_ERR_DENIED,
           "this license names https://r.example/v1/statusx/0/suspension", "path");
    LIBRO_ASSERT_CODE(libro_rules_license_status(auth, license, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license and an issuer authorization");
}
END_TEST

/* ------------------------------------------------------------------ misuse */

START_TEST(test_nulls_and_types)
{
    libro_error err = LIBRO_ERROR_INIT;
    char out[8] = "x";

    LIBRO_ASSERT_CODE(libro_rules_window(NULL, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: NULL argument");
    LIBRO_ASSERT_CODE(libro_rules_window(license, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: NULL argument");
    LIBRO_ASSERT_CODE(libro_rules_window_of(NULL, T0, T0, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: NULL argument");
    LIBRO_ASSERT_CODE(libro_rules_window_of("x", T0, T0, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: NULL argument");
    LIBRO_ASSERT_CODE(libro_rules_scope(NULL, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: scope wants");
    LIBRO_ASSERT_CODE(libro_rules_scope(auth, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: scope wants");
    LIBRO_ASSERT_CODE(libro_rules_scope(license, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: scope wants");
    LIBRO_ASSERT_CODE(libro_rules_scope(child, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: scope wants");
    LIBRO_ASSERT_CODE(libro_rules_level(NULL, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: level wants two charters");
    LIBRO_ASSERT_CODE(libro_rules_level(child, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: level wants two charters");
    LIBRO_ASSERT_CODE(libro_rules_level(auth, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: level wants two charters");
    LIBRO_ASSERT_CODE(libro_rules_license_grant(NULL, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license and an issuer authorization");
    LIBRO_ASSERT_CODE(libro_rules_license_grant(license, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license");
    LIBRO_ASSERT_CODE(libro_rules_license_grant(license, registry, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "rules: want a license");
    LIBRO_ASSERT_CODE(libro_rules_license_grant(auth, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license");
    LIBRO_ASSERT_CODE(libro_rules_license_community(NULL, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license");
    LIBRO_ASSERT_CODE(libro_rules_license_community(license, anchor, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "rules: want a license");
    LIBRO_ASSERT_CODE(libro_rules_license_level(license, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license and a charter");
    LIBRO_ASSERT_CODE(libro_rules_license_level(license, auth, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license and a charter");
    LIBRO_ASSERT_CODE(libro_rules_license_level(NULL, anchor, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a license and a charter");
    /* A NULL error struct is allowed, as everywhere. */
    ck_assert_int_eq(libro_rules_license_level(license, auth, NULL), LIBRO_ERR_INVALID_ARG);
    ck_assert_int_eq(libro_rules_window(license, auth, NULL), LIBRO_OK);
    ck_assert_ptr_null(libro_grant_find(NULL, NURSING));
    ck_assert_ptr_null(libro_grant_find(auth, NULL));
    ck_assert_ptr_eq(libro_grant_find(auth, MIDWIFERY), &auth->grants[1]);
    ck_assert_ptr_null(libro_grant_find(auth, "nursing"));
    libro_rules_describe(out, sizeof out, NULL);
    ck_assert_str_eq(out, "");
    libro_rules_describe(NULL, 8, license); /* nothing to write to */
}
END_TEST

START_TEST(test_describe)
{
    char out[128];
    char tiny[8];
    char long_id[100];

    libro_rules_describe(out, sizeof out, license);
    ck_assert_str_eq(out, "license");
    libro_rules_describe(out, sizeof out, anchor);
    ck_assert_str_eq(out, "anchor " TOWN);
    libro_rules_describe(out, sizeof out, child);
    ck_assert_str_eq(out, "charter of " NORTH);
    libro_rules_describe(out, sizeof out, auth);
    ck_assert_str_eq(out, "issuer authorization for " BOARD);
    libro_rules_describe(out, sizeof out, registry);
    ck_assert_str_eq(out, "registry authorization for " TOWN ":registry");
    libro_rules_describe(tiny, sizeof tiny, auth);
    ck_assert_str_eq(tiny, "issuer ");
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    set_str(&child->subject_id, long_id);
    libro_rules_describe(out, sizeof out, child);
    ck_assert_uint_eq(strlen(out), strlen("charter of ") + 64);
}
END_TEST

/* ------------------------------------------------------------------ mandates */

/* Fixture: Town 7 (level 2, an anchor) chartered Neighborhood 3 and Neighborhood 4 (level 1);
 * Neighborhood 3 chartered Tribe 12 (level 0), and also wrote it a charter at the wrong level;
 * Neighborhood 4 chartered another Tribe 12 (a look-alike, not a member of Neighborhood 3).
 * Short: Neighborhood 3 and Tribe 12 as chartered with shorter terms. All charters run from
 * 2026-12-01 for ten years. */
#define Y2027 INT64_C(1798761600) /* 2027-01-01T00:00:00Z */
#define FEB29 INT64_C(1835438400) /* 2028-02-29T12:00:00Z */
#define TEN_YEARS (3653 * DAY)
#define NB3 "urn:libro:neighborhood-3"
#define NB4 "urn:libro:neighborhood-4"
#define T12 "urn:libro:tribe-12"

enum fixture {
    F_TOWN,
    F_NB3,
    F_NB4,
    F_T12,
    F_T12_ELSEWHERE,
    F_T12_LEVEL_1,
    F_NB3_SHORT,
    F_T12_SHORT,
    F_N
};

static libro_credential *charters[F_N];

static libro_credential *
mk_charter(const char *issuer, const char *subject, int level)
{
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, issuer, subject, "C", T0, T0 + TEN_YEARS);

    c->level = level;
    return c;
}

static void
mandate_setup(void)
{
    charters[F_TOWN] = mk_charter(TOWN, TOWN, 2);
    charters[F_NB3] = mk_charter(TOWN, NB3, 1);
    charters[F_NB4] = mk_charter(TOWN, NB4, 1);
    charters[F_T12] = mk_charter(NB3, T12, 0);
    charters[F_T12_ELSEWHERE] = mk_charter(NB4, T12, 0);
    charters[F_T12_LEVEL_1] = mk_charter(NB3, T12, 1);
    charters[F_NB3_SHORT] = mk_charter(TOWN, NB3, 1);
    charters[F_NB3_SHORT]->rt_representative_years = 2;
    charters[F_NB3_SHORT]->rt_chair_years = 3;
    charters[F_NB3_SHORT]->rt_consecutive_terms = 2;
    charters[F_T12_SHORT] = mk_charter(NB3, T12, 0);
    charters[F_T12_SHORT]->rt_leader_years = 1;
}

static void
mandate_teardown(void)
{
    size_t i;

    for (i = 0; i < F_N; i++) {
        libro_credential_free(charters[i]);
        charters[i] = NULL;
    }
}

static libro_credential *
mk_mandate(libro_office office, const char *issuer, const char *roundtable, int level,
           const char *seat, bool voting, int64_t from, int64_t until)
{
    libro_credential *m = new_cred(LIBRO_CRED_MANDATE, issuer,
                                   "did:key:z6MkphCNmVA1nbycSDGU5bCTRvGP5wgBWx5goBV6PUbibuP3",
                                   "Jane Doe", from, until);

    m->office = office;
    m->roundtable_id = sdup(roundtable);
    m->roundtable_level = level;
    m->seat = seat == NULL ? NULL : sdup(seat);
    m->voting = voting;
    return m;
}

#define REP LIBRO_OFFICE_REPRESENTATIVE
#define CHAIR LIBRO_OFFICE_CHAIR
#define LEADER LIBRO_OFFICE_LEADER
#define THREE_YEARS (Y2027 + 1096 * DAY) /* 2030-01-01 */
#define FOUR_YEARS (Y2027 + 1461 * DAY)  /* 2031-01-01 */
#define FIVE_YEARS (Y2027 + 1826 * DAY)  /* 2032-01-01 */
#define TWO_YEARS (Y2027 + 731 * DAY)    /* 2029-01-01 */
#define ONE_YEAR (Y2027 + 365 * DAY)     /* 2028-01-01 */

/* libro_rules_mandate_under: each mandate against its signer's and its roundtable's charter. */
static const struct {
    const char *name;
    libro_office office;
    const char *issuer, *roundtable;
    int level;
    const char *seat;
    bool voting;
    int64_t from, until;
    enum fixture signer, table;
    libro_code want;
    const char *msg;
} mandates[] = {
    /* terms: each office and level, exactly the seed term, then one second more */
    {"representative 3 years at level 1", REP, T12, NB3, 1, T12, true, Y2027, THREE_YEARS - 1,
     F_T12, F_NB3, LIBRO_OK, NULL},
    {"representative 3 years and a second", REP, T12, NB3, 1, T12, true, Y2027, THREE_YEARS, F_T12,
     F_NB3, LIBRO_ERR_DENIED,
     "mandate for " T12 " runs 2027-01-01T00:00:00Z..2030-01-01T00:00:00Z, longer than the 3 "
     "years of a representative's term at the roundtable of " NB3
     " (ends by 2029-12-31T23:59:59Z at the latest)"},
    {"representative 5 years at level 2", REP, NB3, TOWN, 2, NB3, true, Y2027, FIVE_YEARS - 1,
     F_NB3, F_TOWN, LIBRO_OK, NULL},
    {"representative 5 years and a second at level 2", REP, NB3, TOWN, 2, NB3, true, Y2027,
     FIVE_YEARS, F_NB3, F_TOWN, LIBRO_ERR_DENIED, "longer than the 5 years of a representative's"},
    {"chair 4 years", CHAIR, NB3, NB3, 1, NULL, false, Y2027, FOUR_YEARS - 1, F_NB3, F_NB3,
     LIBRO_OK, NULL},
    {"chair 4 years and a second", CHAIR, NB3, NB3, 1, NULL, false, Y2027, FOUR_YEARS, F_NB3, F_NB3,
     LIBRO_ERR_DENIED,
     "mandate for " NB3 " runs 2027-01-01T00:00:00Z..2031-01-01T00:00:00Z, longer than the 4 "
     "years of a chair's term"},
    {"chair of a town 4 years and a second", CHAIR, TOWN, TOWN, 2, NULL, false, Y2027, FOUR_YEARS,
     F_TOWN, F_TOWN, LIBRO_ERR_DENIED, "longer than the 4 years of a chair's term"},
    {"leader 5 years into a tribe's circle", LEADER, NB3, T12, 0, NB3, false, Y2027, FIVE_YEARS - 1,
     F_NB3, F_T12, LIBRO_OK, NULL},
    {"leader 5 years and a second", LEADER, NB3, T12, 0, NB3, false, Y2027, FIVE_YEARS, F_NB3,
     F_T12, LIBRO_ERR_DENIED,
     "longer than the 5 years of a leader's term at the roundtable of " T12},
    {"leader into a neighborhood's circle", LEADER, TOWN, NB3, 1, TOWN, false, Y2027,
     FIVE_YEARS - 1, F_TOWN, F_NB3, LIBRO_OK, NULL},
    /* a charter's shorter terms */
    {"representative 2 years under a short charter", REP, T12, NB3, 1, T12, true, Y2027,
     TWO_YEARS - 1, F_T12, F_NB3_SHORT, LIBRO_OK, NULL},
    {"representative 2 years and a second under a short charter", REP, T12, NB3, 1, T12, true,
     Y2027, TWO_YEARS, F_T12, F_NB3_SHORT, LIBRO_ERR_DENIED,
     "longer than the 2 years of a representative's term"},
    {"chair 3 years and a second under a short charter", CHAIR, NB3, NB3, 1, NULL, false, Y2027,
     Y2027 + 1096 * DAY, F_NB3_SHORT, F_NB3_SHORT, LIBRO_ERR_DENIED,
     "longer than the 3 years of a chair's term"},
    {"leader 1 year under a short charter", LEADER, NB3, T12, 0, NB3, false, Y2027, ONE_YEAR - 1,
     F_NB3, F_T12_SHORT, LIBRO_OK, NULL},
    {"leader 1 year and a second under a short charter", LEADER, NB3, T12, 0, NB3, false, Y2027,
     ONE_YEAR, F_NB3, F_T12_SHORT, LIBRO_ERR_DENIED, "longer than the 1 year of a leader's term"},
    /* Feb 29 + 3 years is Mar 1 (2031 has no Feb 29) */
    {"from Feb 29, to Mar 1 minus a second", REP, T12, NB3, 1, T12, true, FEB29,
     FEB29 + 1096 * DAY - 1, F_T12, F_NB3, LIBRO_OK, NULL},
    {"from Feb 29, to Mar 1", REP, T12, NB3, 1, T12, true, FEB29, FEB29 + 1096 * DAY, F_T12, F_NB3,
     LIBRO_ERR_DENIED, "(ends by 2031-03-01T11:59:59Z at the latest)"},
    /* the office's shape */
    {"a chair marked voting", CHAIR, NB3, NB3, 1, NULL, true, Y2027, ONE_YEAR, F_NB3, F_NB3,
     LIBRO_ERR_DENIED,
     "mandate for " NB3 ": credentialSubject.voting: true on a chair's mandate (a chair has no "
     "vote)"},
    {"a representative not voting", REP, T12, NB3, 1, T12, false, Y2027, ONE_YEAR, F_T12, F_NB3,
     LIBRO_ERR_DENIED, "false on a representative's mandate (a representative votes)"},
    {"a leader voting", LEADER, NB3, T12, 0, NB3, true, Y2027, ONE_YEAR, F_NB3, F_T12,
     LIBRO_ERR_DENIED, "true on a leader's mandate (a leader has no vote)"},
    {"a chair with a seat", CHAIR, NB3, NB3, 1, T12, false, Y2027, ONE_YEAR, F_NB3, F_NB3,
     LIBRO_ERR_DENIED, "credentialSubject.seat: present on a chair's mandate"},
    {"a representative at level 0", REP, T12, T12, 0, NB3, true, Y2027, ONE_YEAR, F_T12, F_T12,
     LIBRO_ERR_DENIED, "credentialSubject.roundtable.level: 0 on a representative's mandate"},
    {"the roundtable as its own seat", REP, NB3, NB3, 1, NB3, true, Y2027, ONE_YEAR, F_NB3, F_NB3,
     LIBRO_ERR_DENIED, "mandate for " NB3 ": the seat is the roundtable's own community " NB3},
    /* who signs */
    {"a signer that is not the seat's community", REP, NB3, NB3, 1, T12, true, Y2027, ONE_YEAR,
     F_NB3, F_NB3, LIBRO_ERR_DENIED,
     "mandate for " T12 " is signed by " NB3 ", not by " T12
     " (the seat's community signs its mandate)"},
    {"a chair signed by a member", CHAIR, T12, NB3, 1, NULL, false, Y2027, ONE_YEAR, F_T12, F_NB3,
     LIBRO_ERR_DENIED,
     "is signed by " T12 ", not by " NB3 " (the roundtable's community signs its chair's mandate)"},
    {"a signer charter of another community", REP, T12, NB3, 1, T12, true, Y2027, ONE_YEAR, F_NB4,
     F_NB3, LIBRO_ERR_DENIED,
     "mandate for " T12 " is signed by " T12 ", not by the subject of the charter of " NB4},
    {"a representative chartered by another neighborhood", REP, T12, NB3, 1, T12, true, Y2027,
     ONE_YEAR, F_T12_ELSEWHERE, F_NB3, LIBRO_ERR_DENIED,
     "mandate for " T12 ": the charter of " T12 " is issued by " NB4 ", not by " NB3
     " (a member community is chartered by the roundtable's)"},
    {"a representative's charter of the wrong level", REP, T12, NB3, 1, T12, true, Y2027, ONE_YEAR,
     F_T12_LEVEL_1, F_NB3, LIBRO_ERR_DENIED,
     "mandate for " T12 ": the charter of " T12
     " is at level 1; a representative of a level-1 roundtable is signed at level 0"},
    {"a leader appointed by a non-parent", LEADER, NB4, T12, 0, NB4, false, Y2027, ONE_YEAR, F_NB4,
     F_T12, LIBRO_ERR_DENIED,
     "mandate for " NB4 ": the charter of " T12 " is issued by " NB3 ", not by " NB4
     " (a leader is appointed by the parent that chartered the community)"},
    {"a leader appointed by a grandparent", LEADER, TOWN, T12, 0, TOWN, false, Y2027, ONE_YEAR,
     F_TOWN, F_T12, LIBRO_ERR_DENIED, "is issued by " NB3 ", not by " TOWN},
    {"a chair's charter of another level", CHAIR, NB3, NB3, 1, NULL, false, Y2027, ONE_YEAR, F_NB3,
     F_T12_LEVEL_1, LIBRO_ERR_DENIED,
     "sits at the roundtable of " NB3 ", not of the subject of the charter of " T12},
    {"a roundtable level the charter does not say", REP, NB3, TOWN, 1, NB3, true, Y2027, ONE_YEAR,
     F_NB3, F_TOWN, LIBRO_ERR_DENIED,
     "mandate for " NB3 " gives its roundtable level 1; the anchor " TOWN " says level 2"},
    {"a roundtable charter of another community", REP, T12, NB3, 1, T12, true, Y2027, ONE_YEAR,
     F_T12, F_NB4, LIBRO_ERR_DENIED,
     "sits at the roundtable of " NB3 ", not of the subject of the charter of " NB4},
    /* the window: inside the signer's charter */
    {"a term starting before the signer's charter", REP, T12, NB3, 1, T12, true, T0 - 1, ONE_YEAR,
     F_T12, F_NB3, LIBRO_ERR_DENIED,
     "mandate for " T12 " (2026-11-30T23:59:59Z..2028-01-01T00:00:00Z) lies outside the charter "
     "of " T12},
    {"a term ending after the signer's charter", CHAIR, NB3, NB3, 1, NULL, false,
     T0 + TEN_YEARS - DAY, T0 + TEN_YEARS + 1, F_NB3, F_NB3, LIBRO_ERR_DENIED,
     "lies outside the charter of " NB3},
};

START_TEST(test_mandate_under)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *m = mk_mandate(mandates[_i].office, mandates[_i].issuer,
                                     mandates[_i].roundtable, mandates[_i].level, mandates[_i].seat,
                                     mandates[_i].voting, mandates[_i].from, mandates[_i].until);
    libro_code rc = libro_rules_mandate_under(m, charters[mandates[_i].signer],
                                              charters[mandates[_i].table], &err);

    expect(rc, &err, mandates[_i].want, mandates[_i].msg, mandates[_i].name);
    libro_credential_free(m);
}
END_TEST

/* The term's last second: the same date and time N years on, minus one; Feb 29 to Mar 1. */
static const struct {
    const char *from;
    unsigned years;
    const char *want; /* NULL: refused with `code` */
    libro_code code;
} term_ends[] = {
    {"2026-01-01T00:00:00Z", 3, "2028-12-31T23:59:59Z", LIBRO_OK},
    {"2026-01-01T00:00:00Z", 5, "2030-12-31T23:59:59Z", LIBRO_OK},
    {"2026-07-15T08:30:00Z", 4, "2030-07-15T08:29:59Z", LIBRO_OK},
    {"2028-02-29T12:00:00Z", 1, "2029-03-01T11:59:59Z", LIBRO_OK},
    {"2028-02-29T12:00:00Z", 3, "2031-03-01T11:59:59Z", LIBRO_OK},
    {"2028-02-29T12:00:00Z", 4, "2032-02-29T11:59:59Z", LIBRO_OK},
    {"2096-02-29T00:00:00Z", 4, "2100-02-28T23:59:59Z", LIBRO_OK}, /* 2100: no Feb 29 */
    {"2096-02-29T00:00:00Z", 104, "2200-02-28T23:59:59Z", LIBRO_OK},
    {"2000-02-29T00:00:00Z", 400, "2400-02-28T23:59:59Z", LIBRO_OK}, /* 2400 has one */
    {"2027-03-01T00:00:00Z", 1, "2028-02-29T23:59:59Z", LIBRO_OK},
    {"0001-01-01T00:00:00Z", 1, "0001-12-31T23:59:59Z", LIBRO_OK},
    {"9994-06-01T00:00:00Z", 5, "9999-05-31T23:59:59Z", LIBRO_OK},
    {"9995-06-01T00:00:00Z", 5, NULL, LIBRO_ERR_TIME},
    {"2026-01-01T00:00:00Z", 0, NULL, LIBRO_ERR_INVALID_ARG},
};

START_TEST(test_term_end)
{
    libro_error err = LIBRO_ERROR_INIT;
    char text[LIBRO_TIME_TEXT_MAX];
    int64_t from = 0;
    int64_t end = 7;
    libro_code rc;

    must(libro_time_parse(&from, term_ends[_i].from, strlen(term_ends[_i].from), &err), &err,
         "from");
    rc = libro_rules_term_end(&end, from, term_ends[_i].years, &err);
    ck_assert_msg(rc == term_ends[_i].code, "%s + %u: got %d (%s)", term_ends[_i].from,
                  term_ends[_i].years, rc, err.msg);
    if (rc == LIBRO_OK) {
        must(libro_time_format(text, end, &err), &err, "format");
        ck_assert_str_eq(text, term_ends[_i].want);
    } else {
        ck_assert(term_ends[_i].code != LIBRO_ERR_TIME || end == 0);
    }
}
END_TEST

/* Term limits (consecutiveTerms) and the seat count. */
static const struct {
    unsigned limit, before;
    libro_code want;
} term_limits[] = {
    {0, 0, LIBRO_OK},           {0, 1000, LIBRO_OK},
    {1, 0, LIBRO_OK},           {1, 1, LIBRO_ERR_DENIED},
    {2, 1, LIBRO_OK},           {2, 2, LIBRO_ERR_DENIED},
    {2, 3, LIBRO_ERR_DENIED},   {10, 9, LIBRO_OK},
    {10, 10, LIBRO_ERR_DENIED}, {10, UINT32_MAX, LIBRO_ERR_DENIED},
};

START_TEST(test_term_limit)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc;

    charters[F_NB3]->rt_consecutive_terms = term_limits[_i].limit;
    rc = libro_rules_mandate_term_limit(charters[F_NB3], term_limits[_i].before, &err);
    ck_assert_msg(rc == term_limits[_i].want, "limit %u, %u before: got %d (%s)",
                  term_limits[_i].limit, term_limits[_i].before, rc, err.msg);
    if (rc != LIBRO_OK && term_limits[_i].before == term_limits[_i].limit) {
        char want[160];

        ck_assert(snprintf(want, sizeof want,
                           "the charter of " NB3 " allows %u consecutive terms in one seat; this "
                           "would be term %u",
                           term_limits[_i].limit, term_limits[_i].before + 1) > 0);
        ck_assert_str_eq(err.msg, want);
    }
}
END_TEST

START_TEST(test_roundtable_seats)
{
    libro_error err = LIBRO_ERROR_INIT;
    size_t n;

    for (n = 0; n <= LIBRO_ROUNDTABLE_MAX_MEMBERS; n++) {
        must(libro_rules_roundtable_seats(n, &err), &err, "seats");
    }
    LIBRO_ASSERT_CODE(libro_rules_roundtable_seats(8, &err), LIBRO_ERR_DENIED, &err,
                      "a roundtable has at most 7 member communities, not 8");
    LIBRO_ASSERT_CODE(libro_rules_roundtable_seats(SIZE_MAX, &err), LIBRO_ERR_DENIED, &err,
                      "a roundtable has at most 7 member communities, not ");
}
END_TEST

/* The seed terms, and a charter's own. */
START_TEST(test_term_years)
{
    libro_credential *nb3 = charters[F_NB3];
    libro_credential *town = charters[F_TOWN];

    ck_assert_uint_eq(libro_rules_seed_term_years(REP, 1), 3);
    ck_assert_uint_eq(libro_rules_seed_term_years(REP, 2), 5);
    ck_assert_uint_eq(libro_rules_seed_term_years(REP, 8), 5);
    ck_assert_uint_eq(libro_rules_seed_term_years(CHAIR, 1), 4);
    ck_assert_uint_eq(libro_rules_seed_term_years(CHAIR, 8), 4);
    ck_assert_uint_eq(libro_rules_seed_term_years(LEADER, 0), 5);
    ck_assert_uint_eq(libro_rules_seed_term_years(LEADER, 7), 5);
    ck_assert_uint_eq(libro_rules_seed_term_years((libro_office) 0, 1), 0);
    ck_assert_uint_eq(libro_rules_term_years(REP, nb3), 3);
    ck_assert_uint_eq(libro_rules_term_years(REP, town), 5);
    ck_assert_uint_eq(libro_rules_term_years(CHAIR, town), 4);
    ck_assert_uint_eq(libro_rules_term_years(REP, charters[F_NB3_SHORT]), 2);
    ck_assert_uint_eq(libro_rules_term_years(CHAIR, charters[F_NB3_SHORT]), 3);
    ck_assert_uint_eq(libro_rules_term_years(LEADER, charters[F_NB3_SHORT]), 5);
    ck_assert_uint_eq(libro_rules_term_years(LEADER, charters[F_T12_SHORT]), 1);
    ck_assert_uint_eq(libro_rules_term_years((libro_office) 4, nb3), 0);
    ck_assert_uint_eq(libro_rules_term_years(REP, NULL), 0);
}
END_TEST

/* Each rule alone, NULLs and wrong types, and how a mandate is named. */
START_TEST(test_mandate_rules_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *rep = mk_mandate(REP, T12, NB3, 1, T12, true, Y2027, ONE_YEAR);
    libro_credential *chair = mk_mandate(CHAIR, NB3, NB3, 1, NULL, false, Y2027, ONE_YEAR);
    libro_credential *nb3 = charters[F_NB3];
    libro_credential *t12 = charters[F_T12];
    char out[128];
    int64_t end = 0;

    must(libro_rules_mandate_office(rep, &err), &err, "office");
    must(libro_rules_mandate_signer(rep, t12, nb3, &err), &err, "signer");
    must(libro_rules_mandate_term(rep, nb3, &err), &err, "term");
    must(libro_rules_mandate_under(chair, nb3, nb3, &err), &err, "chair: one charter for both");
    LIBRO_ASSERT_CODE(libro_rules_mandate_office(NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate");
    LIBRO_ASSERT_CODE(libro_rules_mandate_office(nb3, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate");
    LIBRO_ASSERT_CODE(libro_rules_mandate_signer(rep, NULL, nb3, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate, its signer's and its roundtable's charters");
    LIBRO_ASSERT_CODE(libro_rules_mandate_signer(rep, t12, rep, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate, its signer's");
    LIBRO_ASSERT_CODE(libro_rules_mandate_signer(nb3, t12, nb3, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate, its signer's");
    LIBRO_ASSERT_CODE(libro_rules_mandate_term(rep, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate and its roundtable's charter");
    LIBRO_ASSERT_CODE(libro_rules_mandate_term(NULL, nb3, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate and its roundtable's charter");
    LIBRO_ASSERT_CODE(libro_rules_mandate_under(rep, t12, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a mandate, its signer's");
    LIBRO_ASSERT_CODE(libro_rules_mandate_term_limit(NULL, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a roundtable charter");
    LIBRO_ASSERT_CODE(libro_rules_mandate_term_limit(rep, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: want a roundtable charter");
    LIBRO_ASSERT_CODE(libro_rules_term_end(NULL, Y2027, 3, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "rules: no term end of 0 years");
    LIBRO_ASSERT_CODE(libro_rules_term_end(&end, INT64_MAX, 3, &err), LIBRO_ERR_TIME, &err, NULL);
    /* An unknown office: the shape rule says so, whichever rule is asked. */
    rep->office = (libro_office) 7;
    LIBRO_ASSERT_CODE(libro_rules_mandate_term(rep, nb3, &err), LIBRO_ERR_DENIED, &err,
                      "credentialSubject.office: not representative, chair or leader");
    LIBRO_ASSERT_CODE(libro_rules_mandate_signer(rep, t12, nb3, &err), LIBRO_ERR_DENIED, &err,
                      "credentialSubject.office: not representative, chair or leader");
    /* A term that would end after 9999 is within any validUntil libro writes. */
    rep->office = REP;
    rep->valid_from = INT64_C(253370764800); /* 9999-01-01T00:00:00Z */
    rep->valid_until = rep->valid_from + DAY;
    must(libro_rules_mandate_term(rep, nb3, &err), &err, "term near 9999");
    libro_rules_describe(out, sizeof out, rep);
    ck_assert_str_eq(out, "mandate for " T12);
    libro_rules_describe(out, sizeof out, chair);
    ck_assert_str_eq(out, "mandate for " NB3);
    libro_credential_free(chair);
    libro_credential_free(rep);
}
END_TEST

/* ------------------------------------------------------------------ typ */

static const struct {
    const char *typ, *want;
    bool is;
} typs[] = {
    {"vc+jwt", "vc+jwt", true},
    {"VC+JWT", "vc+jwt", true},
    {"Vc+Jwt", "vc+jwt", true},
    {"application/vc+jwt", "vc+jwt", true},
    {"APPLICATION/VC+JWT", "vc+jwt", true},
    {"vc+jwt", "application/vc+jwt", true},
    {"libro-bundle+jwt", "libro-bundle+jwt", true},
    {"application/libro-request+jwt", "libro-request+jwt", true},
    {"jwt", "vc+jwt", false},
    {"JWT", "vc+jwt", false},
    {"vc+jwt ", "vc+jwt", false},
    {" vc+jwt", "vc+jwt", false},
    {"vc+jwtx", "vc+jwt", false},
    {"vc+jw", "vc+jwt", false},
    {"", "vc+jwt", false},
    {"application/", "vc+jwt", false},
    {"application/application/vc+jwt", "vc+jwt", false},
    {"text/vc+jwt", "vc+jwt", false},
    {"x/vc+jwt", "vc+jwt", false},
    {"applicationvc+jwt", "vc+jwt", false},
    {"libro-bundle+jwt", "vc+jwt", false},
    {"vc+jwt", "", false},
    {NULL, "vc+jwt", false},
    {"vc+jwt", NULL, false},
};

START_TEST(test_typ)
{
    bool got = libro_jws_typ_is(typs[_i].typ, typs[_i].want);

    ck_assert_msg(got == typs[_i].is, "typ \"%s\" is \"%s\": got %d",
                  typs[_i].typ != NULL ? typs[_i].typ : "(null)",
                  typs[_i].want != NULL ? typs[_i].want : "(null)", got);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *rules = tcase_create("rules");
    TCase *limits = tcase_create("limits");
    TCase *typ = tcase_create("typ");
    TCase *mandate = tcase_create("mandates");

    tcase_add_checked_fixture(rules, setup, teardown);
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_loop_test(rules, test_window, 0, (int) LIBRO_NELEM(windows));
    tcase_add_loop_test(rules, test_license_grant, 0, (int) LIBRO_NELEM(grants));
    tcase_add_loop_test(rules, test_license_community, 0, (int) LIBRO_NELEM(communities));
    tcase_add_loop_test(rules, test_scope, 0, (int) LIBRO_NELEM(scopes));
    tcase_add_loop_test(rules, test_level, 0, (int) LIBRO_NELEM(levels));
    tcase_add_test(rules, test_describe);
    tcase_add_loop_test(rules, test_under_charter, 0, (int) LIBRO_NELEM(unders));
    tcase_add_test(rules, test_license_under);
    tcase_add_test(rules, test_license_status);
    tcase_add_loop_test(rules, test_issued_by, 0, (int) LIBRO_NELEM(issued));
    tcase_add_test(rules, test_issued_by_types);
    tcase_add_loop_test(limits, test_span, 0, (int) LIBRO_NELEM(spans));
    tcase_add_test(limits, test_window_edges);
    tcase_add_test(limits, test_nulls_and_types);
    tcase_add_loop_test(typ, test_typ, 0, (int) LIBRO_NELEM(typs));
    tcase_add_checked_fixture(mandate, mandate_setup, mandate_teardown);
    tcase_add_loop_test(mandate, test_mandate_under, 0, (int) LIBRO_NELEM(mandates));
    tcase_add_loop_test(mandate, test_term_end, 0, (int) LIBRO_NELEM(term_ends));
    tcase_add_loop_test(mandate, test_term_limit, 0, (int) LIBRO_NELEM(term_limits));
    tcase_add_test(mandate, test_roundtable_seats);
    tcase_add_test(mandate, test_term_years);
    tcase_add_test(mandate, test_mandate_rules_args);
    suite_add_tcase(s, rules);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, typ);
    suite_add_tcase(s, mandate);
    return s;
}
