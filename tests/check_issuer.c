/* Issuer signing and pre-signing checks (issuer/src/sign.c): every credential type signed with
 * Ed25519 and ES256 verifies as a vc+jwt whose kid is "<issuer>#<thumbprint>" and whose
 * payload parses back; a self-chartered community must sign with its own key; and the tables
 * of libro_issuer_check_license and libro_issuer_check_under_charter, one refusal each. */
#include <stdio.h>
#include <string.h>

#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define T2026_01_01 INT64_C(1767225600)
#define T2026_06_01 INT64_C(1780272000)
#define T2026_12_01 INT64_C(1796083200)
#define T2029_12_01 INT64_C(1890777600)
#define T2031_06_01 INT64_C(1938038400)
#define T2036_01_01 INT64_C(2082758400)

static char **
dup_list(const char *const *src, size_t n)
{
    char **list = libro_calloc(n, sizeof *list);
    size_t i;

    ck_assert_ptr_nonnull(list);
    for (i = 0; i < n; i++) {
        list[i] = sdup(src[i]);
    }
    return list;
}

static libro_key *
new_key(libro_alg alg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    must(libro_key_generate(&k, alg, &err), &err, "generate");
    return k;
}

/* ------------------------------------------------------------------ the chain */

/* Town 7 (self-chartered, level 2) -> its health board -> a nurse's license; plus its
 * registry. Keys per test, of the algorithm the loop index picks. */
static libro_key *town_key;
static libro_key *board_key;
static libro_key *other_key;
static libro_credential *charter;
static libro_credential *auth;
static libro_credential *registry;
static libro_credential *license;
static libro_credential *child;

static void
chain_setup_alg(libro_alg alg)
{
    static const char *const allowed[] = {"nursing-general", "midwifery"};
    static const char *const child_allowed[] = {"midwifery"};
    static const char *const scope[] = {"general care", "medication administration"};

    town_key = new_key(alg);
    board_key = new_key(alg);
    other_key = new_key(alg);

    charter = new_cred(LIBRO_CRED_CHARTER, "urn:libro:town-7", "urn:libro:town-7", "Town 7",
                       T2026_01_01, T2036_01_01 - 1);
    charter->level = 2;
    charter->subject_key = public_of(town_key);
    charter->allowed_types = dup_list(allowed, 2);
    charter->n_allowed = 2;

    auth = new_cred(LIBRO_CRED_ISSUER_AUTH, "urn:libro:town-7", "urn:libro:town-7:health-board",
                    "Town 7 Health Board", T2026_06_01, T2031_06_01 - 1);
    auth->subject_key = public_of(board_key);
    auth->grants = libro_calloc(2, sizeof *auth->grants);
    ck_assert_ptr_nonnull(auth->grants);
    auth->grants[0].id = sdup("nursing-general");
    auth->grants[0].validity_days = 1096;
    auth->grants[1].id = sdup("midwifery");
    auth->grants[1].validity_days = 365;
    auth->n_grants = 2;

    registry = new_cred(LIBRO_CRED_REGISTRY_AUTH, "urn:libro:town-7", "urn:libro:town-7:registry",
                        "Town 7 Registry", T2026_06_01, T2031_06_01 - 1);
    registry->subject_key = public_of(other_key);
    registry->url = sdup("https://registry.town-7.example");

    license = new_cred(LIBRO_CRED_LICENSE, "urn:libro:town-7:health-board", NULL, "Ada Example",
                       T2026_12_01, T2029_12_01 - 1);
    license->license_number = sdup("T7-N-0001");
    license->profession = sdup("registered nurse");
    license->license_type = sdup("nursing-general");
    license->scope = dup_list(scope, 2);
    license->n_scope = 2;
    license->community_id = sdup("urn:libro:town-7");
    license->community_level = 2;

    child = new_cred(LIBRO_CRED_CHARTER, "urn:libro:town-7", "urn:libro:town-7:north",
                     "North Quarter", T2026_06_01, T2031_06_01 - 1);
    child->level = 1;
    child->subject_key = public_of(other_key);
    child->allowed_types = dup_list(child_allowed, 1);
    child->n_allowed = 1;
}

static void
chain_setup(void)
{
    chain_setup_alg(LIBRO_ALG_ED25519);
}

static void
chain_teardown(void)
{
    libro_credential_free(child);
    libro_credential_free(license);
    libro_credential_free(registry);
    libro_credential_free(auth);
    libro_credential_free(charter);
    libro_key_free(other_key);
    libro_key_free(board_key);
    libro_key_free(town_key);
    child = license = registry = auth = charter = NULL;
    other_key = board_key = town_key = NULL;
}

/* ------------------------------------------------------------------ signing */

/* Sign, then check the token as a verifier holding the signer's public key would. */
static void
sign_and_verify(const libro_credential *c, const libro_key *signer)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_key *pub = public_of(signer);
    libro_credential *back = NULL;
    libro_jws *jws = NULL;

    must(libro_issuer_sign(&token, c, signer, &err), &err, "sign");
    must(libro_jws_verify_compact(&payload, (const char *) token.data, token.len, pub, "vc+jwt",
                                  &err),
         &err, "verify");
    must(libro_credential_to_json(&want, c, &err), &err, "to_json");
    ck_assert_str_eq((const char *) payload.data, (const char *) want.data);
    must(libro_credential_parse(&back, payload.data, payload.len, &err), &err, "parse");
    ck_assert_int_eq(back->type, c->type);
    ck_assert_str_eq(back->issuer, c->issuer);

    must(libro_jws_parse(&jws, (const char *) token.data, token.len, &err), &err, "jws parse");
    must(libro_kid_for(&kid, c->issuer, signer, &err), &err, "kid");
    ck_assert_str_eq(libro_jws_kid(jws), (const char *) kid.data);
    ck_assert_str_eq(libro_jws_typ(jws), "vc+jwt");
    ck_assert_str_eq(libro_jws_alg(jws), libro_alg_jose_name(libro_key_alg(signer)));

    libro_jws_free(jws);
    libro_credential_free(back);
    libro_key_free(pub);
    libro_buf_free(&kid);
    libro_buf_free(&want);
    libro_buf_free(&payload);
    libro_buf_free(&token);
}

/* _i: bit 0 picks the algorithm, bits 1-2 the type. */
START_TEST(test_sign_types)
{
    libro_alg alg = (_i & 1) == 0 ? LIBRO_ALG_ED25519 : LIBRO_ALG_ES256;

    chain_teardown();
    chain_setup_alg(alg);
    switch (_i >> 1) {
    case 0:
        sign_and_verify(charter, town_key); /* self-chartered */
        break;
    case 1:
        sign_and_verify(auth, town_key);
        break;
    case 2:
        sign_and_verify(registry, town_key);
        break;
    default:
        sign_and_verify(license, board_key);
        break;
    }
}
END_TEST

START_TEST(test_sign_child_charter)
{
    /* A parent-chartered community: issuer != subject, so any key the parent holds signs. */
    sign_and_verify(child, town_key);
}
END_TEST

START_TEST(test_self_charter_other_key)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_issuer_sign(&token, charter, other_key, &err), LIBRO_ERR_DENIED, &err,
                      "issuer: a self-chartered community must sign with its own publicKeyJwk key");
    ck_assert_uint_eq(token.len, 0);
}
END_TEST

/* The same public key under the other algorithm's key type cannot stand in either. */
START_TEST(test_self_charter_other_alg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_key *es = new_key(LIBRO_ALG_ES256);

    LIBRO_ASSERT_CODE(libro_issuer_sign(&token, charter, es, &err), LIBRO_ERR_DENIED, &err,
                      "self-chartered");
    ck_assert_uint_eq(token.len, 0);
    libro_key_free(es);
}
END_TEST

START_TEST(test_sign_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_key *pub = public_of(board_key);

    /* Whatever the schema refuses is never signed, and nothing is written. */
    license->scope[1][0] = '\0';
    LIBRO_ASSERT_CODE(libro_issuer_sign(&token, license, board_key, &err), LIBRO_ERR_SCHEMA, &err,
                      "credential: credentialSubject.scope[1]: empty string");
    ck_assert_uint_eq(token.len, 0);
    license->scope[1][0] = 'm';
    LIBRO_ASSERT_CODE(libro_issuer_sign(&token, license, pub, &err), LIBRO_ERR_BAD_KEY, &err, NULL);
    ck_assert_uint_eq(token.len, 0);
    LIBRO_ASSERT_CODE(libro_issuer_sign(NULL, license, board_key, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "issuer: NULL argument");
    LIBRO_ASSERT_CODE(libro_issuer_sign(&token, NULL, board_key, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "issuer: NULL argument");
    LIBRO_ASSERT_CODE(libro_issuer_sign(&token, license, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "issuer: NULL argument");
    /* Appends to what the buffer holds. */
    must(libro_buf_append_str(&token, "x", &err), &err, "append");
    must(libro_issuer_sign(&token, license, board_key, &err), &err, "sign");
    ck_assert_int_eq(token.data[0], 'x');
    ck_assert_int_eq(token.data[1], 'e'); /* "eyJ", base64url of '{"' */
    libro_key_free(pub);
    libro_buf_free(&token);
}
END_TEST

/* ------------------------------------------------------------------ check_license */

enum lic_case {
    LC_OK,
    LC_OK_LONGEST,
    LC_OK_WINDOW_EDGES,
    LC_TOO_LONG,
    LC_TOO_LONG_OUTSIDE,
    LC_TYPE_NOT_GRANTED,
    LC_STARTS_BEFORE,
    LC_ENDS_AFTER,
    LC_WRONG_ISSUER,
    LC_WRONG_KEY,
    LC_WRONG_COMMUNITY,
    LC_SHORT_GRANT,
    LC_LEVEL_BELOW,
    LC_LEVEL_ABOVE,
    LC_OTHER_CHARTER,
    LC_NOT_AUTH,
    LC_NOT_LICENSE,
    LC_CHARTER_NOT_CHARTER,
};

static const struct {
    const char *name;
    enum lic_case m;
    libro_code want;
    const char *msg;
} lic_cases[] = {
    {"ok", LC_OK, LIBRO_OK, NULL},
    {"exactly validityDays", LC_OK_LONGEST, LIBRO_OK, NULL},
    {"window edges", LC_OK_WINDOW_EDGES, LIBRO_OK, NULL},
    {"too long and outside: days first", LC_TOO_LONG_OUTSIDE, LIBRO_ERR_DENIED,
     "issuer: license runs 1644 days, longer than the 1096 validityDays"},
    {"one second too long", LC_TOO_LONG, LIBRO_ERR_DENIED,
     "issuer: license runs 1097 days, longer than the 1096 validityDays the issuer "
     "authorization for urn:libro:town-7:health-board allows for nursing-general"},
    {"type not granted", LC_TYPE_NOT_GRANTED, LIBRO_ERR_DENIED,
     "issuer: license type pharmacy is not granted by the issuer authorization for "
     "urn:libro:town-7:health-board"},
    {"starts before", LC_STARTS_BEFORE, LIBRO_ERR_DENIED,
     "issuer: license (2026-05-31T23:59:59Z..2026-09-08T23:59:59Z) lies outside the issuer "
     "authorization for urn:libro:town-7:health-board (2026-06-01T00:00:00Z.."
     "2031-05-31T23:59:59Z)"},
    {"ends after", LC_ENDS_AFTER, LIBRO_ERR_DENIED,
     "issuer: license (2031-02-20T23:59:59Z..2031-06-01T00:00:00Z) lies outside the issuer "
     "authorization"},
    {"wrong issuer", LC_WRONG_ISSUER, LIBRO_ERR_DENIED,
     "issuer: license is issued by urn:libro:town-7:school-board, not by "
     "urn:libro:town-7:health-board"},
    {"wrong key", LC_WRONG_KEY, LIBRO_ERR_DENIED,
     "issuer: signing key is not the key the authorization names"},
    {"wrong community", LC_WRONG_COMMUNITY, LIBRO_ERR_DENIED,
     "issuer: license names community urn:libro:town-8, but urn:libro:town-7 authorized its "
     "issuer"},
    {"midwifery 365 days", LC_SHORT_GRANT, LIBRO_ERR_DENIED,
     "issuer: license runs 1096 days, longer than the 365 validityDays the issuer "
     "authorization for urn:libro:town-7:health-board allows for midwifery"},
    /* The community-level rule the verifier applies: refused before signing too. */
    {"community level 1, charter 2", LC_LEVEL_BELOW, LIBRO_ERR_DENIED,
     "issuer: license gives community urn:libro:town-7 level 1, its anchor says 2"},
    {"community level 3, charter 2", LC_LEVEL_ABOVE, LIBRO_ERR_DENIED,
     "issuer: license gives community urn:libro:town-7 level 3, its anchor says 2"},
    {"charter of another community", LC_OTHER_CHARTER, LIBRO_ERR_DENIED,
     "issuer: issuer authorization for urn:libro:town-7:health-board is issued by "
     "urn:libro:town-7, not by urn:libro:town-7:north"},
    {"not an authorization", LC_NOT_AUTH, LIBRO_ERR_INVALID_ARG,
     "issuer: want a license, an issuer authorization and a community charter"},
    {"not a license", LC_NOT_LICENSE, LIBRO_ERR_INVALID_ARG,
     "issuer: want a license, an issuer authorization and a community charter"},
    {"charter not a charter", LC_CHARTER_NOT_CHARTER, LIBRO_ERR_INVALID_ARG,
     "issuer: want a license, an issuer authorization and a community charter"},
};

static void
set_str(char **field, const char *value)
{
    libro_free(*field);
    *field = sdup(value);
}

START_TEST(test_check_license)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_credential *lic = license;
    const libro_credential *a = auth;
    const libro_credential *community = charter;
    const libro_key *signer = board_key;
    libro_code rc;

    switch (lic_cases[_i].m) {
    case LC_OK:
        break;
    case LC_OK_LONGEST:
        license->valid_until = license->valid_from + 1096 * DAY;
        break;
    case LC_OK_WINDOW_EDGES:
        license->valid_from = auth->valid_from;
        license->valid_until = auth->valid_from + 1096 * DAY;
        break;
    case LC_TOO_LONG:
        license->valid_until = license->valid_from + 1096 * DAY + 1;
        break;
    case LC_TOO_LONG_OUTSIDE:
        license->valid_until = auth->valid_until + DAY;
        break;
    case LC_TYPE_NOT_GRANTED:
        set_str(&license->license_type, "pharmacy");
        break;
    case LC_STARTS_BEFORE:
        license->valid_from = auth->valid_from - 1;
        license->valid_until = license->valid_from + 100 * DAY;
        break;
    case LC_ENDS_AFTER:
        license->valid_from = auth->valid_until - 100 * DAY;
        license->valid_until = auth->valid_until + 1;
        break;
    case LC_WRONG_ISSUER:
        set_str(&license->issuer, "urn:libro:town-7:school-board");
        break;
    case LC_WRONG_KEY:
        signer = other_key;
        break;
    case LC_WRONG_COMMUNITY:
        set_str(&license->community_id, "urn:libro:town-8");
        break;
    case LC_SHORT_GRANT:
        set_str(&license->license_type, "midwifery");
        break;
    case LC_LEVEL_BELOW:
        license->community_level = 1;
        break;
    case LC_LEVEL_ABOVE:
        license->community_level = 3;
        break;
    case LC_OTHER_CHARTER:
        community = child;
        break;
    case LC_NOT_AUTH:
        a = charter;
        break;
    case LC_NOT_LICENSE:
        lic = auth;
        break;
    case LC_CHARTER_NOT_CHARTER:
        community = auth;
        break;
    }
    rc = libro_issuer_check_license(lic, a, community, signer, &err);
    if (lic_cases[_i].want == LIBRO_OK) {
        must(rc, &err, lic_cases[_i].name);
    } else {
        LIBRO_ASSERT_CODE(rc, lic_cases[_i].want, &err, lic_cases[_i].msg);
    }
}
END_TEST

START_TEST(test_check_license_null)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_issuer_check_license(NULL, auth, charter, board_key, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "want a license");
    LIBRO_ASSERT_CODE(libro_issuer_check_license(license, NULL, charter, board_key, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "want a license");
    LIBRO_ASSERT_CODE(libro_issuer_check_license(license, auth, NULL, board_key, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "want a license");
    LIBRO_ASSERT_CODE(libro_issuer_check_license(license, auth, charter, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "want a license");
}
END_TEST

/* ------------------------------------------------------------------ check_under_charter */

enum charter_case {
    CC_AUTH_OK,
    CC_REGISTRY_OK,
    CC_CHILD_OK,
    CC_AUTH_EDGES_OK,
    CC_AUTH_TYPE_NOT_ALLOWED,
    CC_AUTH_STARTS_BEFORE,
    CC_AUTH_ENDS_AFTER,
    CC_WRONG_ISSUER,
    CC_CHILD_WRONG_ISSUER,
    CC_REGISTRY_WRONG_ISSUER,
    CC_WRONG_KEY,
    CC_CHILD_SAME_LEVEL,
    CC_CHILD_HIGHER_LEVEL,
    CC_CHILD_TYPES_NOT_SUBSET,
    CC_CHILD_OUTLIVES,
    CC_REGISTRY_WRONG_KEY,
    CC_LICENSE,
    CC_PARENT_NOT_CHARTER,
    CC_SELF,
};

static const struct {
    const char *name;
    enum charter_case m;
    libro_code want;
    const char *msg;
} charter_cases[] = {
    {"authorization", CC_AUTH_OK, LIBRO_OK, NULL},
    {"registry", CC_REGISTRY_OK, LIBRO_OK, NULL},
    {"child charter", CC_CHILD_OK, LIBRO_OK, NULL},
    {"same window", CC_AUTH_EDGES_OK, LIBRO_OK, NULL},
    {"type not allowed", CC_AUTH_TYPE_NOT_ALLOWED, LIBRO_ERR_DENIED,
     "issuer: issuer authorization for urn:libro:town-7:health-board grants pharmacy, which the "
     "anchor urn:libro:town-7 does not allow"},
    {"starts before", CC_AUTH_STARTS_BEFORE, LIBRO_ERR_DENIED,
     "issuer: issuer authorization for urn:libro:town-7:health-board (2025-12-31T23:59:59Z.."
     "2031-05-31T23:59:59Z) lies outside the anchor urn:libro:town-7 (2026-01-01T00:00:00Z.."
     "2035-12-31T23:59:59Z)"},
    {"ends after", CC_AUTH_ENDS_AFTER, LIBRO_ERR_DENIED,
     "issuer: issuer authorization for urn:libro:town-7:health-board (2026-06-01T00:00:00Z.."
     "2036-01-01T00:00:00Z) lies outside"},
    {"wrong issuer", CC_WRONG_ISSUER, LIBRO_ERR_DENIED,
     "issuer: issuer authorization for urn:libro:town-7:health-board is issued by "
     "urn:libro:town-8, not by urn:libro:town-7"},
    {"child of another community", CC_CHILD_WRONG_ISSUER, LIBRO_ERR_DENIED,
     "issuer: charter of urn:libro:town-7:north is issued by urn:libro:town-8, not by "
     "urn:libro:town-7"},
    {"registry of another community", CC_REGISTRY_WRONG_ISSUER, LIBRO_ERR_DENIED,
     "issuer: registry authorization for urn:libro:town-7:registry is issued by "
     "urn:libro:town-8, not by urn:libro:town-7"},
    {"wrong key", CC_WRONG_KEY, LIBRO_ERR_DENIED,
     "issuer: signing key is not the community key of the charter"},
    {"child same level", CC_CHILD_SAME_LEVEL, LIBRO_ERR_DENIED,
     "issuer: charter of urn:libro:town-7:north has level 2, not below the level 2 of the "
     "anchor urn:libro:town-7"},
    {"child higher level", CC_CHILD_HIGHER_LEVEL, LIBRO_ERR_DENIED,
     "issuer: charter of urn:libro:town-7:north has level 8, not below the level 2 of the "
     "anchor urn:libro:town-7"},
    {"child types", CC_CHILD_TYPES_NOT_SUBSET, LIBRO_ERR_DENIED,
     "issuer: charter of urn:libro:town-7:north allows pharmacy, which the anchor "
     "urn:libro:town-7 does not"},
    {"child outlives", CC_CHILD_OUTLIVES, LIBRO_ERR_DENIED,
     "issuer: charter of urn:libro:town-7:north (2026-06-01T00:00:00Z..2036-01-01T23:59:59Z) "
     "lies outside the anchor urn:libro:town-7"},
    {"registry wrong key", CC_REGISTRY_WRONG_KEY, LIBRO_ERR_DENIED,
     "issuer: signing key is not the community key of the charter"},
    {"license", CC_LICENSE, LIBRO_ERR_INVALID_ARG,
     "issuer: want a charter or authorization and a community charter"},
    {"parent not a charter", CC_PARENT_NOT_CHARTER, LIBRO_ERR_INVALID_ARG,
     "issuer: want a charter or authorization and a community charter"},
    /* An anchor is not chartered under itself: its level is not below its own. */
    {"self", CC_SELF, LIBRO_ERR_DENIED,
     "issuer: anchor urn:libro:town-7 has level 2, not below the level 2 of the anchor "
     "urn:libro:town-7"},
};

START_TEST(test_check_under_charter)
{
    static const char *const with_pharmacy[] = {"midwifery", "pharmacy"};
    libro_error err = LIBRO_ERROR_INIT;
    const libro_credential *c = auth;
    const libro_credential *parent = charter;
    const libro_key *signer = town_key;
    libro_code rc;

    switch (charter_cases[_i].m) {
    case CC_AUTH_OK:
        break;
    case CC_REGISTRY_OK:
        c = registry;
        break;
    case CC_CHILD_OK:
        c = child;
        break;
    case CC_AUTH_EDGES_OK:
        auth->valid_from = charter->valid_from;
        auth->valid_until = charter->valid_until;
        break;
    case CC_AUTH_TYPE_NOT_ALLOWED:
        set_str(&auth->grants[1].id, "pharmacy");
        break;
    case CC_AUTH_STARTS_BEFORE:
        auth->valid_from = charter->valid_from - 1;
        break;
    case CC_AUTH_ENDS_AFTER:
        auth->valid_until = charter->valid_until + 1;
        break;
    case CC_WRONG_ISSUER:
        set_str(&auth->issuer, "urn:libro:town-8");
        break;
    case CC_CHILD_WRONG_ISSUER:
        c = child;
        set_str(&child->issuer, "urn:libro:town-8");
        break;
    case CC_REGISTRY_WRONG_ISSUER:
        c = registry;
        set_str(&registry->issuer, "urn:libro:town-8");
        break;
    case CC_WRONG_KEY:
        signer = board_key;
        break;
    case CC_CHILD_SAME_LEVEL:
        c = child;
        child->level = 2;
        break;
    case CC_CHILD_HIGHER_LEVEL:
        c = child;
        child->level = 8;
        break;
    case CC_CHILD_TYPES_NOT_SUBSET:
        c = child;
        libro_free(child->allowed_types[0]);
        libro_free(child->allowed_types);
        child->allowed_types = dup_list(with_pharmacy, 2);
        child->n_allowed = 2;
        break;
    case CC_CHILD_OUTLIVES:
        c = child;
        child->valid_until = charter->valid_until + DAY;
        break;
    case CC_REGISTRY_WRONG_KEY:
        c = registry;
        signer = other_key;
        break;
    case CC_LICENSE:
        c = license;
        break;
    case CC_PARENT_NOT_CHARTER:
        parent = auth;
        break;
    case CC_SELF:
        c = charter;
        break;
    }
    rc = libro_issuer_check_under_charter(c, parent, signer, &err);
    if (charter_cases[_i].want == LIBRO_OK) {
        must(rc, &err, charter_cases[_i].name);
    } else {
        LIBRO_ASSERT_CODE(rc, charter_cases[_i].want, &err, charter_cases[_i].msg);
    }
}
END_TEST

/* The checks compose with signing: what passes them signs, and the token verifies with the
 * key the parent credential names (as a verifier walking the chain would use it). */
START_TEST(test_checked_chain_signs)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    must(libro_issuer_check_under_charter(auth, charter, town_key, &err), &err, "auth");
    must(libro_issuer_sign(&token, auth, town_key, &err), &err, "sign auth");
    must(libro_jws_verify_compact(&payload, (const char *) token.data, token.len,
                                  charter->subject_key, "vc+jwt", &err),
         &err, "verify auth");
    libro_buf_clear(&token);
    libro_buf_clear(&payload);
    must(libro_issuer_check_license(license, auth, charter, board_key, &err), &err, "license");
    must(libro_issuer_sign(&token, license, board_key, &err), &err, "sign license");
    must(libro_jws_verify_compact(&payload, (const char *) token.data, token.len, auth->subject_key,
                                  "vc+jwt", &err),
         &err, "verify license");
    LIBRO_ASSERT_CODE(libro_jws_verify_compact(&payload, (const char *) token.data, token.len,
                                               charter->subject_key, "vc+jwt", &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, NULL);
    libro_buf_free(&payload);
    libro_buf_free(&token);
}
END_TEST

/* ------------------------------------------------------------------ OOM */

START_TEST(test_sign_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    for (n = 1; n < 10000 && rc != LIBRO_OK; n++) {
        libro_buf token = LIBRO_BUF_INIT;

        libro__alloc_fail_after(n);
        rc = libro_issuer_sign(&token, _i == 0 ? license : charter, _i == 0 ? board_key : town_key,
                               &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
            ck_assert_uint_eq(token.len, 0);
        }
        libro_buf_free(&token);
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 5);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("issuer");
    TCase *sign = tcase_create("sign");
    TCase *lic = tcase_create("check_license");
    TCase *under = tcase_create("check_under_charter");
    TCase *oom = tcase_create("oom");

    tcase_add_checked_fixture(sign, chain_setup, chain_teardown);
    tcase_add_checked_fixture(lic, chain_setup, chain_teardown);
    tcase_add_checked_fixture(under, chain_setup, chain_teardown);
    tcase_add_checked_fixture(oom, chain_setup, chain_teardown);
    tcase_add_loop_test(sign, test_sign_types, 0, 8);
    tcase_add_test(sign, test_sign_child_charter);
    tcase_add_test(sign, test_self_charter_other_key);
    tcase_add_test(sign, test_self_charter_other_alg);
    tcase_add_test(sign, test_sign_refusals);
    tcase_add_loop_test(lic, test_check_license, 0, (int) LIBRO_NELEM(lic_cases));
    tcase_add_test(lic, test_check_license_null);
    tcase_add_loop_test(under, test_check_under_charter, 0, (int) LIBRO_NELEM(charter_cases));
    tcase_add_test(under, test_checked_chain_signs);
    tcase_add_loop_test(oom, test_sign_oom, 0, 2);
    suite_add_tcase(s, sign);
    suite_add_tcase(s, lic);
    suite_add_tcase(s, under);
    suite_add_tcase(s, oom);
    return s;
}
