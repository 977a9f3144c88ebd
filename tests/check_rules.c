/* The chain rules (core/src/rules.c, libro/rules.h) and the one typ rule (libro_jws_typ_is),
 * each at its boundary, one second inside and outside, at the ends of int64, and with NULLs.
 * Fixture: an anchor (town 7, level 2, allowing nursing and midwifery), a child charter under
 * it (level 1, midwifery), an issuer authorization (nursing 10 days, midwifery 1 day) and a
 * license under it. */
#include <stdio.h>
#include <string.h>

#include "libro/jws.h"
#include "libro/rules.h"
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
    suite_add_tcase(s, rules);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, typ);
    return s;
}
