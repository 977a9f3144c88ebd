/* Credentials (core/src/credential.c): the reference examples in schemas/examples/ parse and
 * re-serialize byte for byte, round trips of the first five types with both key types (agreements
 * and laws: check_credential_law.c), a table of refused documents with exact code and message,
 * every cap at max and max+1, the rules of libro_credential_check on builder structures, key ids,
 * names, and an OOM loop. */
#include <stdio.h>
#include <string.h>

#include "libro/credential.h"
#include "libro/encoding.h"
#include "libro/limits.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_util.h"

#define EXAMPLES_REL "/../../schemas/examples"
#define T2026 INT64_C(1796083200) /* 2026-12-01T00:00:00Z */
#define DAY INT64_C(86400)

static const char *const example_names[] = {
    "professional-license",   "community-charter",  "issuer-authorization",
    "registry-authorization", "roundtable-mandate", "responsibility-agreement",
    "community-law",
};

static const char *
examples_dir(void)
{
    static char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s%s", libro_test_data_dir(), EXAMPLES_REL);

    ck_assert(n > 0 && (size_t) n < sizeof dir);
    return dir;
}

/* schemas/examples/<stem>.json into `out` (exact bytes). */
static void
read_example(libro_buf *out, const char *stem)
{
    char name[128];
    int n = snprintf(name, sizeof name, "%s.json", stem);

    ck_assert(n > 0 && (size_t) n < sizeof name);
    libro_test_read(out, examples_dir(), name);
}

static char *
dup(const char *s)
{
    char *copy = libro_strndup(s, strlen(s));

    ck_assert_ptr_nonnull(copy);
    return copy;
}

static char **
dup_list(const char *const *src, size_t n)
{
    char **list = libro_calloc(n, sizeof *list);
    size_t i;

    ck_assert_ptr_nonnull(list);
    for (i = 0; i < n; i++) {
        list[i] = dup(src[i]);
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

static char *
new_did(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_key *k = new_key(LIBRO_ALG_ED25519);
    char *s;

    must(libro_key_to_did(&did, k, &err), &err, "did");
    s = dup((const char *) did.data);
    libro_buf_free(&did);
    libro_key_free(k);
    return s;
}

/* A complete, valid credential of `type`; `full` sets the optional members too. */
static libro_credential *
build(libro_cred_type type, libro_alg alg, bool full)
{
    static const char *const scope[] = {"general care", "medication administration"};
    static const char *const allowed[] = {"nursing-general", "midwifery", "pharmacy"};
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    must(libro_credential_new(&c, type, &err), &err, "new");
    c->valid_from = T2026;
    c->valid_until = T2026 + 365 * DAY - 1;
    switch (type) {
    case LIBRO_CRED_LICENSE:
        c->issuer = dup("urn:libro:town-7:health-board");
        c->subject_id = full ? new_did() : NULL;
        c->name = dup("Ada Example");
        c->license_number = dup("T7-N-0001");
        c->profession = dup("registered nurse");
        c->license_type = dup("nursing-general");
        c->scope = dup_list(scope, 2);
        c->n_scope = 2;
        c->community_id = dup("urn:libro:town-7");
        c->community_level = 2;
        break;
    case LIBRO_CRED_CHARTER:
        c->issuer = dup("urn:libro:neighborhood-3");
        c->subject_id = dup("urn:libro:town-7");
        c->name = dup("Town 7");
        c->level = 2;
        c->level_name = full ? dup("market town") : NULL;
        c->subject_key = new_key(alg);
        c->allowed_types = dup_list(allowed, 3);
        c->n_allowed = 3;
        if (full) {
            c->rt_representative_years = 4;
            c->rt_leader_years = 2;
            c->rt_consecutive_terms = 2;
        }
        break;
    case LIBRO_CRED_ISSUER_AUTH:
        c->issuer = dup("urn:libro:town-7");
        c->subject_id = dup("urn:libro:town-7:health-board");
        c->name = dup("Town 7 Health Board");
        c->subject_key = new_key(alg);
        c->grants = libro_calloc(full ? 2 : 1, sizeof *c->grants);
        ck_assert_ptr_nonnull(c->grants);
        c->grants[0].id = dup("nursing-general");
        c->grants[0].validity_days = 1096;
        if (full) {
            c->grants[1].id = dup("midwifery");
            c->grants[1].validity_days = 3660;
        }
        c->n_grants = full ? 2 : 1;
        c->status_registry = full ? dup("https://registry.town-7.example") : NULL;
        break;
    case LIBRO_CRED_REGISTRY_AUTH:
        c->issuer = dup("urn:libro:town-7");
        c->subject_id = dup("urn:libro:town-7:registry");
        c->name = dup("Town 7 Registry");
        c->subject_key = new_key(alg);
        c->url = full ? dup("https://registry.town-7.example:8443/v1") : NULL;
        break;
    case LIBRO_CRED_MANDATE:
        /* A chair without an election text of UTF-8 when not full; a representative when. */
        c->issuer = dup(full ? "urn:libro:tribe-12" : "urn:libro:neighborhood-3");
        c->subject_id = new_did();
        c->name = dup("Jane Doe");
        c->office = full ? LIBRO_OFFICE_REPRESENTATIVE : LIBRO_OFFICE_CHAIR;
        c->roundtable_id = dup("urn:libro:neighborhood-3");
        c->roundtable_level = 1;
        c->seat = full ? dup("urn:libro:tribe-12") : NULL;
        c->voting = full;
        c->election_record =
            dup("sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
        c->election_date = T2026 - 30 * DAY;
        c->election_electorate = full ? 1012 : 1;
        c->election_result = dup(full ? "elected with 612 of 987 votes" : "\xc3\xa9lue");
        c->has_status = true;
        c->status_index = full ? 40517 : 0;
        c->status_revocation_list =
            dup("https://registry.neighborhood-3.example/v1/status/mandates/0/revocation");
        c->status_suspension_list =
            dup("https://registry.neighborhood-3.example/v1/status/mandates/0/suspension");
        c->status_message_list =
            dup("https://registry.neighborhood-3.example/v1/status/mandates/0/message");
        break;
    case LIBRO_CRED_AGREEMENT:
    case LIBRO_CRED_LAW:
        break; /* built and tripped in check_credential_law.c */
    }
    return c;
}

static bool
same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
same_list(char *const *a, size_t na, char *const *b, size_t nb)
{
    size_t i;

    if (na != nb) {
        return false;
    }
    for (i = 0; i < na; i++) {
        if (!same_str(a[i], b[i])) {
            return false;
        }
    }
    return true;
}

static void
assert_same(const libro_credential *a, const libro_credential *b)
{
    size_t i;

    ck_assert_int_eq(a->type, b->type);
    ck_assert(same_str(a->issuer, b->issuer));
    ck_assert(a->valid_from == b->valid_from);
    ck_assert(a->valid_until == b->valid_until);
    ck_assert(same_str(a->subject_id, b->subject_id));
    ck_assert(same_str(a->name, b->name));
    ck_assert(same_str(a->license_number, b->license_number));
    ck_assert(same_str(a->profession, b->profession));
    ck_assert(same_str(a->license_type, b->license_type));
    ck_assert(same_list(a->scope, a->n_scope, b->scope, b->n_scope));
    ck_assert(same_str(a->community_id, b->community_id));
    ck_assert_int_eq(a->community_level, b->community_level);
    ck_assert_int_eq(a->level, b->level);
    ck_assert(same_str(a->level_name, b->level_name));
    ck_assert(same_list(a->allowed_types, a->n_allowed, b->allowed_types, b->n_allowed));
    ck_assert((a->subject_key == NULL) == (b->subject_key == NULL));
    if (a->subject_key != NULL) {
        ck_assert(libro_key_equal_public(a->subject_key, b->subject_key));
    }
    ck_assert_uint_eq(a->n_grants, b->n_grants);
    for (i = 0; i < a->n_grants; i++) {
        ck_assert(same_str(a->grants[i].id, b->grants[i].id));
        ck_assert_uint_eq(a->grants[i].validity_days, b->grants[i].validity_days);
    }
    ck_assert(same_str(a->url, b->url));
    ck_assert(same_str(a->status_registry, b->status_registry));
    ck_assert_uint_eq(a->rt_representative_years, b->rt_representative_years);
    ck_assert_uint_eq(a->rt_chair_years, b->rt_chair_years);
    ck_assert_uint_eq(a->rt_leader_years, b->rt_leader_years);
    ck_assert_uint_eq(a->rt_consecutive_terms, b->rt_consecutive_terms);
    ck_assert_int_eq(a->office, b->office);
    ck_assert(same_str(a->roundtable_id, b->roundtable_id));
    ck_assert_int_eq(a->roundtable_level, b->roundtable_level);
    ck_assert(same_str(a->seat, b->seat));
    ck_assert_int_eq(a->voting, b->voting);
    ck_assert(same_str(a->election_record, b->election_record));
    ck_assert(a->election_date == b->election_date);
    ck_assert_uint_eq(a->election_electorate, b->election_electorate);
    ck_assert(same_str(a->election_result, b->election_result));
    ck_assert_int_eq(a->has_status, b->has_status);
    ck_assert_uint_eq(a->status_index, b->status_index);
    ck_assert(same_str(a->status_revocation_list, b->status_revocation_list));
    ck_assert(same_str(a->status_suspension_list, b->status_suspension_list));
    ck_assert(same_str(a->status_message_list, b->status_message_list));
}

/* ------------------------------------------------------------------ examples */

START_TEST(test_examples)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_credential *c = NULL;

    read_example(&text, example_names[_i]);
    must(libro_credential_parse(&c, text.data, text.len, &err), &err, example_names[_i]);
    ck_assert_str_eq(libro_cred_schema_name(c->type), example_names[_i]);
    must(libro_credential_to_json(&again, c, &err), &err, "to_json");
    ck_assert_msg(again.len == text.len && memcmp(again.data, text.data, text.len) == 0,
                  "%s does not re-serialize to itself:\n%s\n%s", example_names[_i], text.data,
                  again.data);
    libro_credential_free(c);
    libro_buf_free(&again);
    libro_buf_free(&text);
}
END_TEST

/* A holder did:key of the right form whose point is of small order (the identity): a reader
 * accepts the license (parse checks the form only), an issuer refuses it (the full check). */
START_TEST(test_holder_key_point)
{
    static const unsigned char identity[34] = {0xed, 0x01, 0x01}; /* multicodec + 1, 0, ... */
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    const char *start;
    const char *end;

    read_example(&text, "professional-license");
    ck_assert_int_eq(libro_buf_append_str(&did, "did:key:", &err), LIBRO_OK);
    ck_assert_int_eq(libro_multibase_encode(&did, identity, sizeof identity, &err), LIBRO_OK);
    start = strstr((const char *) text.data, "\"id\":\"did:key:");
    ck_assert_ptr_nonnull(start);
    start += strlen("\"id\":\"");
    end = strchr(start, '"');
    ck_assert_ptr_nonnull(end);
    ck_assert_int_eq(
        libro_buf_append(&doc, text.data, (size_t) (start - (const char *) text.data), &err),
        LIBRO_OK);
    ck_assert_int_eq(libro_buf_append(&doc, did.data, did.len, &err), LIBRO_OK);
    ck_assert_int_eq(libro_buf_append_str(&doc, end, &err), LIBRO_OK);
    must(libro_credential_parse(&c, doc.data, doc.len, &err), &err, "small-order holder");
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), LIBRO_ERR_BAD_KEY, &err,
                      "credential: credentialSubject.id: did:key:");
    libro_credential_free(c);
    libro_buf_free(&doc);
    libro_buf_free(&did);
    libro_buf_free(&text);
}
END_TEST

/* The reference chain the examples form: a self-chartered Town 7, its health board, the
 * license it issued, and the registry it named. */
START_TEST(test_examples_chain)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c[4] = {NULL, NULL, NULL, NULL};
    char tmp[16];
    size_t i;

    for (i = 0; i < 4; i++) {
        libro_buf text = LIBRO_BUF_INIT;

        read_example(&text, example_names[i]);
        must(libro_credential_parse(&c[i], text.data, text.len, &err), &err, example_names[i]);
        libro_buf_free(&text);
    }
    ck_assert_int_eq(c[0]->type, LIBRO_CRED_LICENSE);
    ck_assert_int_eq(c[1]->type, LIBRO_CRED_CHARTER);
    ck_assert_str_eq(c[1]->issuer, c[1]->subject_id); /* an anchor */
    ck_assert_str_eq(libro_level_name(c[1], tmp, sizeof tmp), "town");
    ck_assert_str_eq(c[2]->issuer, c[1]->subject_id);
    ck_assert_str_eq(c[0]->issuer, c[2]->subject_id);
    ck_assert_str_eq(c[0]->community_id, c[1]->subject_id);
    ck_assert_int_eq(c[0]->community_level, c[1]->level);
    ck_assert_str_eq(c[0]->name, "Ada Example");
    ck_assert_uint_eq(c[0]->n_scope, 2);
    ck_assert_ptr_nonnull(c[0]->subject_id);
    ck_assert_int_eq(libro_key_alg(c[3]->subject_key), LIBRO_ALG_ES256);
    ck_assert_str_eq(c[3]->url, "https://registry.town-7.example");
    for (i = 0; i < 4; i++) {
        libro_credential_free(c[i]);
    }
}
END_TEST

/* ------------------------------------------------------------------ round trips */

static const struct {
    libro_cred_type type;
    libro_alg alg;
    bool full;
} trips[] = {
    {LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, false},
    {LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, true},
    {LIBRO_CRED_CHARTER, LIBRO_ALG_ED25519, false},
    {LIBRO_CRED_CHARTER, LIBRO_ALG_ES256, true},
    {LIBRO_CRED_ISSUER_AUTH, LIBRO_ALG_ED25519, true},
    {LIBRO_CRED_ISSUER_AUTH, LIBRO_ALG_ES256, false},
    {LIBRO_CRED_REGISTRY_AUTH, LIBRO_ALG_ES256, false},
    {LIBRO_CRED_REGISTRY_AUTH, LIBRO_ALG_ED25519, true},
    {LIBRO_CRED_MANDATE, LIBRO_ALG_ED25519, false},
    {LIBRO_CRED_MANDATE, LIBRO_ALG_ED25519, true},
};

START_TEST(test_round_trip)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_credential *c = build(trips[_i].type, trips[_i].alg, trips[_i].full);
    libro_credential *back = NULL;

    must(libro_credential_check(c, &err), &err, "check");
    must(libro_credential_to_json(&text, c, &err), &err, "to_json");
    must(libro_credential_parse(&back, text.data, text.len, &err), &err, "parse");
    assert_same(c, back);
    must(libro_credential_to_json(&again, back, &err), &err, "to_json again");
    ck_assert_str_eq((const char *) again.data, (const char *) text.data);
    /* Optional members appear only when set. */
    ck_assert_int_eq(strstr((const char *) text.data, "\"levelName\"") != NULL,
                     c->level_name != NULL);
    ck_assert_int_eq(strstr((const char *) text.data, "\"url\"") != NULL, c->url != NULL);
    ck_assert_int_eq(strstr((const char *) text.data, "\"statusRegistry\"") != NULL,
                     c->status_registry != NULL);
    ck_assert_int_eq(strstr((const char *) text.data, "{\"id\":\"did:key:") != NULL,
                     (c->type == LIBRO_CRED_LICENSE || c->type == LIBRO_CRED_MANDATE) &&
                         c->subject_id != NULL);
    ck_assert_int_eq(strstr((const char *) text.data, "\"roundtable\":{\"representative") != NULL,
                     c->rt_representative_years != 0);
    ck_assert_int_eq(strstr((const char *) text.data, "\"seat\"") != NULL, c->seat != NULL);
    ck_assert_int_eq(strstr((const char *) text.data, "\"message\":\"in office\"") != NULL,
                     c->type == LIBRO_CRED_MANDATE);
    libro_credential_free(back);
    libro_credential_free(c);
    libro_buf_free(&again);
    libro_buf_free(&text);
}
END_TEST

/* Member order on input does not matter; optional JWK members are accepted and dropped. The
 * canonical form comes out. */
START_TEST(test_non_canonical_input)
{
    static const char doc[] =
        "{\"credentialSubject\":{\"url\":\"http://127.0.0.1:8080\",\"publicKeyJwk\":{\"x\":"
        "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"kty\":\"OKP\",\"crv\":\"Ed25519\","
        "\"alg\":\"EdDSA\",\"use\":\"sig\",\"kid\":\"k1\",\"key_ops\":[\"verify\"]},\"name\":"
        "\"R\",\"id\":\"urn:r\"},\"validUntil\":\"2027-01-01T00:00:00Z\",\"validFrom\":"
        "\"2026-01-01T00:00:00Z\",\"issuer\":\"urn:c\",\"credentialSchema\":{\"type\":"
        "\"JsonSchema\",\"id\":\"https://w3id.org/libro/schemas/registry-authorization.json\"},"
        "\"type\":[\"VerifiableCredential\",\"RegistryAuthorization\"],\"@context\":["
        "\"https://www.w3.org/ns/credentials/v2\",\"https://w3id.org/libro/v1\"]}";
    static const char want[] =
        "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://w3id.org/libro/v1\"],"
        "\"type\":[\"VerifiableCredential\",\"RegistryAuthorization\"],\"issuer\":\"urn:c\","
        "\"validFrom\":\"2026-01-01T00:00:00Z\",\"validUntil\":\"2027-01-01T00:00:00Z\","
        "\"credentialSchema\":{\"id\":\"https://w3id.org/libro/schemas/"
        "registry-authorization.json\",\"type\":\"JsonSchema\"},\"credentialSubject\":{\"id\":"
        "\"urn:r\",\"name\":\"R\",\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":"
        "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},\"url\":\"http://127.0.0.1:8080\"}}";
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_credential *c = NULL;

    must(libro_credential_parse(&c, doc, strlen(doc), &err), &err, "parse");
    must(libro_credential_to_json(&out, c, &err), &err, "to_json");
    ck_assert_str_eq((const char *) out.data, want);
    libro_credential_free(c);
    libro_buf_free(&out);
}
END_TEST

/* Non-ASCII text survives unescaped (jansson writes UTF-8 as is). */
START_TEST(test_utf8_text)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_credential *c = build(LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, false);
    libro_credential *back = NULL;

    libro_free(c->name);
    c->name = dup("Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\xa9\xba"); /* Zoë 山田 🩺 */
    must(libro_credential_to_json(&text, c, &err), &err, "to_json");
    ck_assert_ptr_nonnull(strstr((const char *) text.data, "\"name\":\"Zo\xc3\xab \xe5\xb1\xb1"));
    must(libro_credential_parse(&back, text.data, text.len, &err), &err, "parse");
    assert_same(c, back);
    libro_credential_free(back);
    libro_credential_free(c);
    libro_buf_free(&text);
}
END_TEST

/* ------------------------------------------------------------------ refused documents */

#define L "professional-license"
#define C "community-charter"
#define A "issuer-authorization"
#define R "registry-authorization"
#define JSON_CTX "\"https://www.w3.org/ns/credentials/v2\",\"https://w3id.org/libro/v1\""
/* A license envelope without its credentialSubject (and without the closing brace). */
#define HEAD_L                                                                                     \
    "{\"@context\":[" JSON_CTX "],\"type\":[\"VerifiableCredential\",\"ProfessionalLicense\"],"    \
    "\"issuer\":\"urn:x\",\"validFrom\":\"2026-01-01T00:00:00Z\",\"validUntil\":"                  \
    "\"2027-01-01T00:00:00Z\",\"credentialSchema\":{\"id\":\"https://w3id.org/libro/schemas/"      \
    "professional-license.json\",\"type\":\"JsonSchema\"}"
#define ED_X "\"x\":\"x13rof-97T1JFSax-R2n3cuZcv6xfdI9J93yFDcqnQ4\""
#define M "roundtable-mandate"
#define ALLOWED_C "\"allowedLicenseTypes\":[\"nursing-general\",\"midwifery\",\"pharmacy\"]"
/* The charter example's subject from its level to its last member. */
#define CHARTER_MID                                                                                \
    "\"level\":2,\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," ED_X "}," ALLOWED_C
/* The mandate example's office members, from office to voting. */
#define M_RT "\"roundtable\":{\"id\":\"urn:libro:neighborhood-3\",\"level\":1}"
#define M_OFFICE                                                                                   \
    "\"office\":\"representative\"," M_RT ",\"seat\":\"urn:libro:tribe-12\",\"voting\":true"
#define M_HOLDER "did:key:z6MkphCNmVA1nbycSDGU5bCTRvGP5wgBWx5goBV6PUbibuP3"
#define M_LIST "https://registry.neighborhood-3.example/v1/status/mandates/0/"
#define M_ENTRY(purpose)                                                                           \
    "{\"id\":\"" M_LIST purpose "#40517\",\"type\":\"BitstringStatusListEntry\","                  \
    "\"statusPurpose\":\"" purpose                                                                 \
    "\",\"statusListIndex\":\"40517\",\"statusListCredential\":\"" M_LIST purpose "\""
#define M_MESSAGE                                                                                  \
    M_ENTRY("message")                                                                             \
    ",\"statusSize\":2,\"statusMessage\":[{\"status\":\"0x0\",\"message\":"                        \
    "\"in office\"},{\"status\":\"0x1\",\"message\":\"resigned\"},{\"status\":"                    \
    "\"0x2\",\"message\":\"recalled\"},{\"status\":\"0x3\",\"message\":"                           \
    "\"replaced\"}]}"
#define M_ELECTION                                                                                 \
    ",\"election\":{\"record\":\"sha256:"                                                          \
    "60983a2a14fee4035c6aa0b77efba9ee84ff3a4cbaff70b3e56b7672d588443a\",\"date\":"                 \
    "\"2025-11-16T00:00:00Z\",\"electorate\":1012,\"result\":\"elected with 612 of 987 votes\"}"
#define M_STATUS                                                                                   \
    ",\"credentialStatus\":[" M_ENTRY("revocation") "}," M_ENTRY("suspension") "}," M_MESSAGE "]"

/* Each case edits one example: the first occurrence of `from` becomes `to` (`from` NULL: the
 * whole document becomes `to`). */
static const struct {
    const char *name;
    const char *base;
    const char *from;
    const char *to;
    libro_code want;
    const char *msg;
} bad[] = {
    /* statusRegistry: the exact name, a URL, only on an IssuerAuthorization */
    {"statusRegistry on registry", R, "\"url\":",
     "\"statusRegistry\":\"https://registry.town-7.example\",\"url\":", LIBRO_ERR_SCHEMA,
     "credentialSubject.statusRegistry: unexpected member"},
    {"statusRegistry not a URL", A, "\"licenseTypes\":",
     "\"statusRegistry\":\"urn:libro:town-7:registry\",\"licenseTypes\":", LIBRO_ERR_SCHEMA,
     "credentialSubject.statusRegistry: not an https URL"},
    {"statusRegistry not a string", A,
     "\"licenseTypes\":", "\"statusRegistry\":7,\"licenseTypes\":", LIBRO_ERR_SCHEMA,
     "credentialSubject.statusRegistry: not a string"},
    {"statusregistry case", A, "\"licenseTypes\":",
     "\"statusregistry\":\"https://registry.town-7.example\",\"licenseTypes\":", LIBRO_ERR_SCHEMA,
     "credentialSubject.statusregistry: unexpected member"},
    /* JSON itself */
    {"array", L, NULL, "[1]", LIBRO_ERR_SCHEMA, "credential: not a JSON object"},
    {"not json", L, NULL, "{\"issuer\":", LIBRO_ERR_PARSE, "credential: json:"},
    {"empty", L, NULL, "", LIBRO_ERR_PARSE, "credential: json:"},
    {"trailing", L, "\"undefined\"}]}]}", "\"undefined\"}]}]}x", LIBRO_ERR_PARSE,
     "credential: json:"},
    {"dup member", L, "\"name\":\"Ada Example\"", "\"name\":\"Ada Example\",\"name\":\"Eve\"",
     LIBRO_ERR_PARSE, "duplicate"},
    {"NUL escape", L, "Ada Example", "Ada\\u0000", LIBRO_ERR_PARSE, "credential: json:"},
    /* envelope members */
    {"missing @context", L, "\"@context\":[" JSON_CTX "],", "", LIBRO_ERR_SCHEMA,
     "credential: @context: missing"},
    {"missing validUntil", L, "\"validUntil\":\"2029-11-30T23:59:59Z\",", "", LIBRO_ERR_SCHEMA,
     "credential: validUntil: missing"},
    {"unknown subject", L, ",\"credentialSubject\":", ",\"subject\":", LIBRO_ERR_SCHEMA,
     "credential: subject: unexpected member"},
    {"extra root", L, "\"issuer\":", "\"proof\":{},\"issuer\":", LIBRO_ERR_SCHEMA,
     "credential: proof: unexpected member"},
    {"extra root shown", L, "\"issuer\":", "\"a\\nb\\\"c\":1,\"issuer\":", LIBRO_ERR_SCHEMA,
     "credential: a?b?c: unexpected member"},
    {"context string", L, "[" JSON_CTX "]", "\"https://www.w3.org/ns/credentials/v2\"",
     LIBRO_ERR_SCHEMA, "credential: @context: not an array"},
    {"context one", L,
     ","
     "\"https://w3id.org/libro/v1\"",
     "", LIBRO_ERR_SCHEMA, "credential: @context: expected 2 entries"},
    {"context v1", L, "https://www.w3.org/ns/credentials/v2",
     "https://www.w3.org/2018/credentials/v1", LIBRO_ERR_SCHEMA,
     "credential: @context[0]: expected \"https://www.w3.org/ns/credentials/v2\""},
    {"context libro v2", L, "https://w3id.org/libro/v1", "https://w3id.org/libro/v2",
     LIBRO_ERR_SCHEMA, "credential: @context[1]: expected \"https://w3id.org/libro/v1\""},
    {"type string", L, "[\"VerifiableCredential\",\"ProfessionalLicense\"]",
     "\"ProfessionalLicense\"", LIBRO_ERR_SCHEMA, "credential: type: not an array"},
    {"type three", L, "\"ProfessionalLicense\"]", "\"ProfessionalLicense\",\"X\"]",
     LIBRO_ERR_SCHEMA, "credential: type: expected 2 entries"},
    {"type order", L, "\"VerifiableCredential\",\"ProfessionalLicense\"",
     "\"ProfessionalLicense\",\"VerifiableCredential\"", LIBRO_ERR_SCHEMA,
     "credential: type[0]: expected \"VerifiableCredential\""},
    {"type unknown", L, "\"ProfessionalLicense\"", "\"DriverLicense\"", LIBRO_ERR_SCHEMA,
     "credential: type[1]: unknown credential type"},
    {"type number", L, "\"ProfessionalLicense\"", "7", LIBRO_ERR_SCHEMA,
     "credential: type[1]: not a string"},
    {"schema of other type", L, "professional-license.json", "community-charter.json",
     LIBRO_ERR_SCHEMA,
     "credential: credentialSchema.id: expected \"https://w3id.org/libro/"
     "schemas/professional-license.json\""},
    {"schema type", L, "\"JsonSchema\"", "\"JsonSchemaCredential\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSchema.type: expected \"JsonSchema\""},
    {"schema extra", L, "\"JsonSchema\"}", "\"JsonSchema\",\"digestSRI\":\"x\"}", LIBRO_ERR_SCHEMA,
     "credential: credentialSchema.digestSRI: unexpected member"},
    {"schema array", L,
     "{\"id\":\"https://w3id.org/libro/schemas/professional-license.json\","
     "\"type\":\"JsonSchema\"}",
     "[]", LIBRO_ERR_SCHEMA, "credential: credentialSchema: not an object"},
    /* issuer */
    {"issuer number", L, "\"urn:libro:town-7:health-board\"", "7", LIBRO_ERR_SCHEMA,
     "credential: issuer: not a string"},
    {"issuer empty", L, "\"urn:libro:town-7:health-board\"", "\"\"", LIBRO_ERR_SCHEMA,
     "credential: issuer: empty string"},
    {"issuer relative", L, "urn:libro:town-7:health-board", "town-7", LIBRO_ERR_SCHEMA,
     "credential: issuer: not an absolute URI"},
    {"issuer scheme digit", L, "urn:libro:town-7:health-board", "7urn:x", LIBRO_ERR_SCHEMA,
     "credential: issuer: not an absolute URI"},
    {"issuer empty rest", L, "urn:libro:town-7:health-board", "urn:", LIBRO_ERR_SCHEMA,
     "credential: issuer: not an absolute URI"},
    {"issuer space", L, "urn:libro:town-7:health-board", "urn:libro:town 7", LIBRO_ERR_SCHEMA,
     "credential: issuer: character not allowed in an id"},
    {"issuer hash", L, "urn:libro:town-7:health-board", "urn:libro:town-7#k", LIBRO_ERR_SCHEMA,
     "credential: issuer: character not allowed in an id"},
    {"issuer non-ascii", L, "urn:libro:town-7:health-board", "urn:libro:t\xc3\xa9",
     LIBRO_ERR_SCHEMA, "credential: issuer: character not allowed in an id"},
    /* timestamps */
    {"validFrom number", L, "\"2026-12-01T00:00:00Z\"", "1795996800", LIBRO_ERR_SCHEMA,
     "credential: validFrom: not a string"},
    {"validFrom offset", L, "2026-12-01T00:00:00Z", "2026-12-01T00:00:00+00:00", LIBRO_ERR_TIME,
     "credential: validFrom: not of the form YYYY-MM-DDTHH:MM:SSZ"},
    {"validFrom fraction", L, "2026-12-01T00:00:00Z", "2026-12-01T00:00:00.000Z", LIBRO_ERR_TIME,
     "credential: validFrom: not of the form"},
    {"validFrom lowercase", L, "2026-12-01T00:00:00Z", "2026-12-01t00:00:00z", LIBRO_ERR_TIME,
     "credential: validFrom: not of the form"},
    {"validFrom date only", L, "2026-12-01T00:00:00Z", "2026-12-01", LIBRO_ERR_TIME,
     "credential: validFrom: not of the form"},
    {"validFrom feb 30", L, "2026-12-01T00:00:00Z", "2026-02-30T00:00:00Z", LIBRO_ERR_TIME,
     "credential: validFrom: timestamp:"},
    {"validFrom hour 24", L, "2026-12-01T00:00:00Z", "2026-12-01T24:00:00Z", LIBRO_ERR_TIME,
     "credential: validFrom: timestamp:"},
    {"validFrom year 0", L, "2026-12-01T00:00:00Z", "0000-12-01T00:00:00Z", LIBRO_ERR_TIME,
     "credential: validFrom: timestamp:"},
    {"validUntil leap second", L, "2029-11-30T23:59:59Z", "2029-12-31T23:59:60Z", LIBRO_ERR_TIME,
     "credential: validUntil: leap second not accepted"},
    {"window equal", L, "2029-11-30T23:59:59Z", "2026-12-01T00:00:00Z", LIBRO_ERR_SCHEMA,
     "credential: validUntil: not after validFrom"},
    {"window inverted", L, "2029-11-30T23:59:59Z", "2026-11-30T23:59:59Z", LIBRO_ERR_SCHEMA,
     "credential: validUntil: not after validFrom"},
    /* ProfessionalLicense subject */
    {"subject array", L, NULL, HEAD_L ",\"credentialSubject\":[]}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject: not an object"},
    {"subject missing", L, NULL, HEAD_L "}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject: missing"},
    {"missing name", L, "\"name\":\"Ada Example\",", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: missing"},
    {"missing community", L, ",\"community\":{\"id\":\"urn:libro:town-7\",\"level\":2}", "",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.community: missing"},
    {"extra subject", L, "\"name\":\"Ada Example\"", "\"name\":\"Ada Example\",\"email\":\"a@b\"",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.email: unexpected member"},
    {"charter member in license", L, "\"name\":\"Ada Example\"",
     "\"name\":\"Ada Example\",\"level\":2", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.level: unexpected member"},
    {"extra community", L, "\"level\":2}", "\"level\":2,\"name\":\"Town 7\"}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.name: unexpected member"},
    {"community missing level", L, ",\"level\":2}", "}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.level: missing"},
    {"community string", L, "{\"id\":\"urn:libro:town-7\",\"level\":2}", "\"urn:libro:town-7\"",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.community: not an object"},
    {"level 9", L, "\"level\":2}", "\"level\":9}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.level: not in 0..8"},
    {"level -1", L, "\"level\":2}", "\"level\":-1}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.level: not in 0..8"},
    {"level huge", L, "\"level\":2}", "\"level\":4294967298}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.level: not in 0..8"},
    {"level real", L, "\"level\":2}", "\"level\":2.0}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.level: not an integer"},
    {"level string", L, "\"level\":2}", "\"level\":\"2\"}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.level: not an integer"},
    {"community id relative", L, "{\"id\":\"urn:libro:town-7\"", "{\"id\":\"town-7\"",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.community.id: not an absolute URI"},
    {"scope empty", L, "[\"general care\",\"medication administration\"]", "[]", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.scope: empty list"},
    {"scope string", L, "[\"general care\",\"medication administration\"]", "\"general care\"",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.scope: not an array"},
    {"scope duplicate", L, "\"medication administration\"", "\"general care\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.scope[1]: duplicate entry"},
    {"scope empty entry", L, "\"medication administration\"", "\"medication administration\",\"\"",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.scope[2]: empty string"},
    {"scope number", L, "\"general care\"", "1", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.scope[0]: not a string"},
    {"scope control", L, "general care", "general\\u0007care", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.scope[0]: control character"},
    {"scope C1 control", L, "general care", "general\\u0085care", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.scope[0]: control character"},
    {"name newline", L, "Ada Example", "Ada\\nExample", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: control character"},
    {"name DEL", L, "Ada Example", "Ada\\u007fExample", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: control character"},
    {"name empty", L, "Ada Example", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: empty string"},
    {"license number slash", L, "T7-N-0001", "T7/N/0001", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseNumber: character outside [A-Za-z0-9._-]"},
    {"license number space", L, "T7-N-0001", "T7 N 0001", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseNumber: character outside"},
    {"license number empty", L, "T7-N-0001", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseNumber: empty string"},
    {"license type upper", L, "\"licenseType\":\"nursing-general\"",
     "\"licenseType\":\"Nursing-general\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseType: character outside [a-z0-9-]"},
    {"license type underscore", L, "\"licenseType\":\"nursing-general\"",
     "\"licenseType\":\"nursing_general\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseType: character outside [a-z0-9-]"},
    {"holder not did:key", L, "did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj",
     "did:web:ada.example", LIBRO_ERR_SCHEMA, "credential: credentialSubject.id: not a did:key"},
    {"holder bad did:key", L, "did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj",
     "did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUu", LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.id: did:key:"},
    {"holder did:key base64", L, "did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj",
     "did:key:m7QEJ", LIBRO_ERR_BAD_KEY, "credential: credentialSubject.id: did:key:"},
    /* CommunityCharter */
    {"charter level 9", C, "\"level\":2", "\"level\":9", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.level: not in 0..8"},
    {"charter missing key", C, "\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," ED_X "},",
     "", LIBRO_ERR_SCHEMA, "credential: credentialSubject.publicKeyJwk: missing"},
    {"charter key as text", C, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," ED_X "}",
     "\"{\\\"kty\\\":\\\"OKP\\\"}\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.publicKeyJwk: not an object"},
    {"private jwk", C, ED_X "}", ED_X ",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"}",
     LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.publicKeyJwk: jwk: private key member \"d\" refused"},
    {"jwk extra member", C, ED_X "}", ED_X ",\"ext\":true}", LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.publicKeyJwk: jwk:"},
    {"jwk rsa", C, "\"kty\":\"OKP\"", "\"kty\":\"RSA\"", LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.publicKeyJwk: jwk: unsupported kty"},
    {"jwk wrong alg", C, ED_X "}", ED_X ",\"alg\":\"ES256\"}", LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.publicKeyJwk: jwk: alg"},
    {"jwk short x", C, "x13rof-97T1JFSax-R2n3cuZcv6xfdI9J93yFDcqnQ4", "x13rof", LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.publicKeyJwk: jwk:"},
    {"allowed duplicate", C, "\"pharmacy\"", "\"midwifery\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.allowedLicenseTypes[2]: duplicate entry"},
    {"allowed bad id", C, "\"pharmacy\"", "\"Pharmacy\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.allowedLicenseTypes[2]: character outside [a-z0-9-]"},
    {"allowed empty", C, "[\"nursing-general\",\"midwifery\",\"pharmacy\"]", "[]", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.allowedLicenseTypes: empty list"},
    {"level name empty", C, "\"level\":2", "\"level\":2,\"levelName\":\"\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.levelName: empty string"},
    {"level name number", C, "\"level\":2", "\"level\":2,\"levelName\":2", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.levelName: not a string"},
    {"charter no id", C, "{\"id\":\"urn:libro:town-7\",", "{", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.id: missing"},
    {"charter as license", C, "\"CommunityCharter\"", "\"ProfessionalLicense\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSchema.id: expected"},
    /* IssuerAuthorization */
    {"grant extra", A, "\"validityDays\":1096}", "\"validityDays\":1096,\"scope\":[]}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.licenseTypes[0].scope: unexpected member"},
    {"grant missing days", A, ",\"validityDays\":1096}", "}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseTypes[0].validityDays: missing"},
    {"grant days 0", A, "\"validityDays\":1096}", "\"validityDays\":0}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseTypes[0].validityDays: not in 1..3660"},
    {"grant days 3661", A, "\"validityDays\":1096}", "\"validityDays\":3661}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseTypes[0].validityDays: not in 1..3660"},
    {"grant days string", A, "\"validityDays\":1096}", "\"validityDays\":\"1096\"}",
     LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseTypes[0].validityDays: not an integer"},
    {"grant string", A, "{\"id\":\"nursing-general\",\"validityDays\":1096}", "\"nursing-general\"",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.licenseTypes[0]: not an object"},
    {"grant duplicate", A, "\"midwifery\"", "\"nursing-general\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseTypes[1].id: duplicate entry"},
    {"grants empty", A,
     "[{\"id\":\"nursing-general\",\"validityDays\":1096},{\"id\":\"midwifery\","
     "\"validityDays\":1096}]",
     "[]", LIBRO_ERR_SCHEMA, "credential: credentialSubject.licenseTypes: empty list"},
    {"auth url", A, "\"name\":\"Town 7 Health Board\"",
     "\"name\":\"Town 7 Health Board\",\"url\":\"https://x.example\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.url: unexpected member"},
    /* RegistryAuthorization */
    {"url http", R, "https://registry.town-7.example", "http://registry.town-7.example",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.url: not an https URL (or http://127.0.0.1)"},
    {"url loopback lookalike", R, "https://registry.town-7.example", "http://127.0.0.1.evil",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.url: not an https URL"},
    {"url no host", R, "https://registry.town-7.example", "https:///x", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.url: not an https URL"},
    {"url userinfo", R, "https://registry.town-7.example", "https://a@registry.town-7.example",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.url: not an https URL"},
    {"url port", R, "https://registry.town-7.example", "https://registry.town-7.example:x",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.url: bad port"},
    {"url percent", R, "https://registry.town-7.example", "https://r.example/%zz", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.url: bad percent-encoding"},
    {"url brace", R, "https://registry.town-7.example", "https://r.example/{x}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.url: character not allowed in a URL path"},
    {"url space", R, "https://registry.town-7.example", "https://r.example/a b", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.url: character not allowed in an id"},
    {"url number", R, "\"https://registry.town-7.example\"", "443", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.url: not a string"},
    {"registry grants", R, "\"name\":\"Town 7 Registry\"",
     "\"name\":\"Town 7 Registry\",\"licenseTypes\":[]", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseTypes: unexpected member"},
    {"ec jwk without y", R, ",\"y\":\"F4lDYeQAJclYSzHCFmV9Tn8GriueR0MVkWzv4abQXBs\"", "",
     LIBRO_ERR_BAD_KEY, "credential: credentialSubject.publicKeyJwk: jwk:"},
    {"ec jwk off curve", R, "F4lDYeQAJclYSzHCFmV9Tn8GriueR0MVkWzv4abQXBs",
     "F4lDYeQAJclYSzHCFmV9Tn8GriueR0MVkWzv4abQXBw", LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.publicKeyJwk: jwk:"},
    /* CommunityCharter: the roundtable member */
    {"terms empty", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable: empty object (set at least one member)"},
    {"terms array", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":[]", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable: not an object"},
    {"terms unknown", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"termYears\":3}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.termYears: unexpected member"},
    {"terms string", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"chairTermYears\":\"4\"}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.chairTermYears: not an integer"},
    {"terms real", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"chairTermYears\":4.0}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.chairTermYears: not an integer"},
    {"representative 6", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"representativeTermYears\":6}",
     LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.representativeTermYears: not in 1..5"},
    {"representative 4 at level 1", C, CHARTER_MID,
     "\"level\":1,\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," ED_X "}," ALLOWED_C
     ",\"roundtable\":{\"representativeTermYears\":4}",
     LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.representativeTermYears: not in 1..3 (the seed "
     "term at level 1)"},
    {"chair 5", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"chairTermYears\":5}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.chairTermYears: not in 1..4"},
    {"chair at level 0", C, CHARTER_MID,
     "\"level\":0,\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," ED_X "}," ALLOWED_C
     ",\"roundtable\":{\"chairTermYears\":4}",
     LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.chairTermYears: set at level 0 (a tribe has no "
     "roundtable)"},
    {"leader 0", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"leaderTermYears\":0}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.leaderTermYears: not in 1..5"},
    {"leader at level 8", C, CHARTER_MID,
     "\"level\":8,\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," ED_X "}," ALLOWED_C
     ",\"roundtable\":{\"leaderTermYears\":1}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.leaderTermYears: set at level 8"},
    {"consecutive 11", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"consecutiveTerms\":11}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.consecutiveTerms: not in 1..10"},
    {"consecutive 0", C, ALLOWED_C, ALLOWED_C ",\"roundtable\":{\"consecutiveTerms\":0}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.consecutiveTerms: not in 1..10"},
    {"terms on license", L, "\"level\":2}}", "\"level\":2},\"roundtable\":{\"chairTermYears\":4}}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable: unexpected member"},
    /* RoundtableMandate: the subject */
    {"mandate holder missing", M, "\"id\":\"" M_HOLDER "\",", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.id: missing"},
    {"mandate holder did:web", M, M_HOLDER, "did:web:jane.example", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.id: not a did:key"},
    {"mandate holder bad key", M, M_HOLDER,
     "did:key:z6MkphCNmVA1nbycSDGU5bCTRvGP5wgBWx5goBV6PUbibu", LIBRO_ERR_BAD_KEY,
     "credential: credentialSubject.id: did:key:"},
    {"office missing", M, "\"office\":\"representative\",", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.office: missing"},
    {"office unknown", M, "\"representative\"", "\"delegate\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.office: not representative, chair or leader"},
    {"office case", M, "\"representative\"", "\"Representative\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.office: not representative, chair or leader"},
    {"office NUL", M, "\"representative\"", "\"chair\\u0000\"", LIBRO_ERR_PARSE,
     "credential: json:"},
    {"office number", M, "\"representative\"", "1", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.office: not a string"},
    {"representative without seat", M, ",\"seat\":\"urn:libro:tribe-12\"", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.seat: missing (a representative sits for a member "
     "community)"},
    {"representative not voting", M, "\"voting\":true", "\"voting\":false", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.voting: false on a representative's mandate (a "
     "representative votes)"},
    {"representative at level 0", M, "\"level\":1}", "\"level\":0}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.level: 0 on a representative's mandate"},
    {"chair with seat", M, "\"representative\"", "\"chair\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.seat: present on a chair's mandate"},
    {"chair voting", M, M_OFFICE, "\"office\":\"chair\"," M_RT ",\"voting\":true", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.voting: true on a chair's mandate (a chair has no vote)"},
    {"chair at level 0", M, M_OFFICE,
     "\"office\":\"chair\",\"roundtable\":{\"id\":\"urn:libro:neighborhood-3\",\"level\":0},"
     "\"voting\":false",
     LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.level: 0 on a chair's mandate (a tribe has no "
     "roundtable)"},
    {"leader without seat", M, M_OFFICE, "\"office\":\"leader\"," M_RT ",\"voting\":false",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.seat: missing (a leader sits for the parent"},
    {"leader voting", M, "\"representative\"", "\"leader\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.voting: true on a leader's mandate (a leader has no vote)"},
    {"leader at level 8", M, M_OFFICE,
     "\"office\":\"leader\",\"roundtable\":{\"id\":\"urn:libro:neighborhood-3\",\"level\":8},"
     "\"seat\":\"urn:libro:tribe-12\",\"voting\":false",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.level: 8 on a leader's mandate"},
    {"voting string", M, "\"voting\":true", "\"voting\":\"true\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.voting: not a boolean"},
    {"voting number", M, "\"voting\":true", "\"voting\":1", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.voting: not a boolean"},
    {"voting missing", M, ",\"voting\":true", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.voting: missing"},
    {"roundtable missing", M, M_RT ",", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable: missing"},
    {"roundtable string", M, M_RT, "\"roundtable\":\"urn:libro:neighborhood-3\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable: not an object"},
    {"roundtable extra", M, "\"level\":1}", "\"level\":1,\"name\":\"Neighborhood 3\"}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.roundtable.name: unexpected member"},
    {"roundtable no id", M, "{\"id\":\"urn:libro:neighborhood-3\",", "{", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.id: missing"},
    {"roundtable id relative", M, "\"id\":\"urn:libro:neighborhood-3\"",
     "\"id\":\"neighborhood-3\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.id: not an absolute URI"},
    {"roundtable level 9", M, "\"level\":1}", "\"level\":9}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.level: not in 0..8"},
    {"roundtable level string", M, "\"level\":1}", "\"level\":\"1\"}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable.level: not an integer"},
    {"seat relative", M, "\"seat\":\"urn:libro:tribe-12\"", "\"seat\":\"tribe-12\"",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.seat: not an absolute URI"},
    {"seat number", M, "\"seat\":\"urn:libro:tribe-12\"", "\"seat\":12", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.seat: not a string"},
    {"key on mandate", M, "\"name\":\"Jane Doe\"",
     "\"name\":\"Jane Doe\",\"publicKeyJwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," ED_X "}",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.publicKeyJwk: unexpected member"},
    {"license member on mandate", M, "\"name\":\"Jane Doe\"",
     "\"name\":\"Jane Doe\",\"licenseNumber\":\"T7-N-0001\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseNumber: unexpected member"},
    {"mandate name control", M, "Jane Doe", "Jane\\tDoe", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: control character"},
    /* RoundtableMandate: the election */
    {"election missing", M, M_ELECTION, "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election: missing"},
    {"election string", M, M_ELECTION, ",\"election\":\"sha256:\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election: not an object"},
    {"election extra", M, "\"result\":", "\"turnout\":97,\"result\":", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.turnout: unexpected member"},
    {"election no result", M, ",\"result\":\"elected with 612 of 987 votes\"", "", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.result: missing"},
    {"record sha512", M, "\"sha256:", "\"sha512:", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.record: not sha256: and 64 lowercase hex"},
    {"record 65 hex", M, "\"sha256:", "\"sha256:0", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.record: not sha256: and 64 lowercase hex"},
    {"record upper hex", M, "\"sha256:6098", "\"sha256:609A", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.record: not sha256: and 64 lowercase hex"},
    {"record number", M, "\"record\":\"sha256:6098", "\"record\":1,\"r\":\"sha256:6098",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.election.r: unexpected member"},
    {"election date only", M, "\"date\":\"2025-11-16T00:00:00Z\"", "\"date\":\"2025-11-16\"",
     LIBRO_ERR_TIME,
     "credential: credentialSubject.election.date: not of the form YYYY-MM-DDTHH:MM:SSZ"},
    {"election date feb 30", M, "\"date\":\"2025-11-16T00:00:00Z\"",
     "\"date\":\"2025-02-30T00:00:00Z\"", LIBRO_ERR_TIME,
     "credential: credentialSubject.election.date: timestamp:"},
    {"election date number", M, "\"date\":\"2025-11-16T00:00:00Z\"", "\"date\":1763251200",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.election.date: not a string"},
    {"electorate 0", M, "\"electorate\":1012", "\"electorate\":0", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.electorate: not in 1..100000000"},
    {"electorate too many", M, "\"electorate\":1012", "\"electorate\":100000001", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.electorate: not in 1..100000000"},
    {"electorate real", M, "\"electorate\":1012", "\"electorate\":1012.0", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.electorate: not an integer"},
    {"result empty", M, "\"elected with 612 of 987 votes\"", "\"\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.result: empty string"},
    {"result C1", M, "elected with", "elected\\u0085with", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.election.result: control character"},
    /* RoundtableMandate: its status, required, three entries, the mandate words */
    {"mandate without status", M, M_STATUS, "", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: missing (a RoundtableMandate ends early by its status)"},
    {"mandate two entries", M, "," M_MESSAGE, "", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: expected 3 entries (revocation, suspension, message)"},
    {"mandate license words", M, "\"message\":\"in office\"", "\"message\":\"active\"",
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not libro's mandate messages 0x0 in office"},
    {"mandate word order", M, "\"message\":\"recalled\"", "\"message\":\"replaced\"",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus[2].statusMessage: not libro's mandate"},
    {"license mandate words", L, "\"message\":\"active\"", "\"message\":\"in office\"",
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not libro's messages 0x0 active"},
    {"mandate index differs", M, "message#40517", "message#40518", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].id: not statusListCredential"},
    {"mandate schema", M, "roundtable-mandate.json", "professional-license.json", LIBRO_ERR_SCHEMA,
     "credential: credentialSchema.id: expected \"https://w3id.org/libro/schemas/"
     "roundtable-mandate.json\""},
};

/* `base` with the first `from` replaced by `to`, into `out`. */
static void
edit(libro_buf *out, const libro_buf *base, const char *from, const char *to)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *text = (const char *) base->data;
    const char *at;

    if (from == NULL) {
        must(libro_buf_append_str(out, to, &err), &err, "append");
        return;
    }
    at = strstr(text, from);
    ck_assert_msg(at != NULL, "\"%s\" not in the example", from);
    must(libro_buf_append(out, text, (size_t) (at - text), &err), &err, "append");
    must(libro_buf_append_str(out, to, &err), &err, "append");
    must(libro_buf_append_str(out, at + strlen(from), &err), &err, "append");
}

START_TEST(test_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf base = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = (libro_credential *) &err; /* must come back NULL */
    libro_code rc;

    read_example(&base, bad[_i].base);
    edit(&doc, &base, bad[_i].from, bad[_i].to);
    rc = libro_credential_parse(&c, doc.data, doc.len, &err);
    ck_assert_msg(rc == bad[_i].want, "%s: got %s \"%s\"", bad[_i].name, libro_code_name(rc),
                  err.msg);
    LIBRO_ASSERT_CODE(rc, bad[_i].want, &err, bad[_i].msg);
    ck_assert_ptr_null(c);
    libro_buf_free(&doc);
    libro_buf_free(&base);
}
END_TEST

START_TEST(test_parse_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    LIBRO_ASSERT_CODE(libro_credential_parse(NULL, "{}", 2, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL");
    LIBRO_ASSERT_CODE(libro_credential_parse(&c, NULL, 2, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL");
    ck_assert_ptr_null(c);
    /* A NULL err is allowed. */
    ck_assert_int_eq(libro_credential_parse(&c, "[]", 2, NULL), LIBRO_ERR_SCHEMA);
    ck_assert_int_eq(libro_credential_new(&c, (libro_cred_type) 9, &err), LIBRO_ERR_INVALID_ARG);
    ck_assert_ptr_null(c);
    libro_credential_free(NULL);
}
END_TEST

/* ------------------------------------------------------------------ caps */

/* A run of `n` copies of `unit`. */
static char *
repeat(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = libro_malloc(u * n + 1);
    size_t i;

    ck_assert_ptr_nonnull(s);
    for (i = 0; i < n; i++) {
        memcpy(s + i * u, unit, u);
    }
    s[u * n] = '\0';
    return s;
}

/* Which member a cap case sets, and to what. */
enum cap_field { F_NAME, F_ISSUER, F_NUMBER, F_TYPE_ID, F_SCOPE, F_ALLOWED, F_GRANTS };

static const struct {
    const char *name;
    enum cap_field field;
    const char *unit; /* string caps: repeated `count` times */
    size_t count;     /* list caps: number of entries */
    const char *msg;  /* NULL: accepted */
} caps[] = {
    {"name 200", F_NAME, "a", 200, NULL},
    {"name 201", F_NAME, "a", 201, "credentialSubject.name: longer than 200 bytes"},
    {"name 100 x 2-byte", F_NAME, "\xc3\xa9", 100, NULL},
    {"name 67 x 3-byte", F_NAME, "\xe5\xb1\xb1", 67, "credentialSubject.name: longer than 200"},
    {"issuer 200", F_ISSUER, "a", 196, NULL}, /* "urn:" + 196 */
    {"issuer 201", F_ISSUER, "a", 197, "issuer: longer than 200 bytes"},
    {"number 64", F_NUMBER, "7", 64, NULL},
    {"number 65", F_NUMBER, "7", 65, "credentialSubject.licenseNumber: longer than 64 bytes"},
    {"type id 64", F_TYPE_ID, "n", 64, NULL},
    {"type id 65", F_TYPE_ID, "n", 65, "credentialSubject.licenseType: longer than 64 bytes"},
    {"scope 32", F_SCOPE, NULL, 32, NULL},
    {"scope 33", F_SCOPE, NULL, 33, "credentialSubject.scope: more than 32 entries"},
    {"allowed 32", F_ALLOWED, NULL, 32, NULL},
    {"allowed 33", F_ALLOWED, NULL, 33, "credentialSubject.allowedLicenseTypes: more than 32"},
    {"grants 32", F_GRANTS, NULL, 32, NULL},
    {"grants 33", F_GRANTS, NULL, 33, "credentialSubject.licenseTypes: more than 32 entries"},
};

static char **
numbered(const char *prefix, size_t n)
{
    char **list = libro_calloc(n, sizeof *list);
    size_t i;

    ck_assert_ptr_nonnull(list);
    for (i = 0; i < n; i++) {
        char s[64];
        int k = snprintf(s, sizeof s, "%s%zu", prefix, i);

        ck_assert(k > 0 && (size_t) k < sizeof s);
        list[i] = dup(s);
    }
    return list;
}

static libro_credential *
cap_credential(size_t i)
{
    libro_credential *c;
    char *s = caps[i].unit != NULL ? repeat(caps[i].unit, caps[i].count) : NULL;
    size_t k;

    switch (caps[i].field) {
    case F_NAME:
        c = build(LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, true);
        libro_free(c->name);
        c->name = s;
        return c;
    case F_ISSUER:
        c = build(LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, true);
        libro_free(c->issuer);
        c->issuer = libro_malloc(strlen(s) + 5);
        ck_assert_ptr_nonnull(c->issuer);
        memcpy(c->issuer, "urn:", 4);
        memcpy(c->issuer + 4, s, strlen(s) + 1);
        libro_free(s);
        return c;
    case F_NUMBER:
        c = build(LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, true);
        libro_free(c->license_number);
        c->license_number = s;
        return c;
    case F_TYPE_ID:
        c = build(LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, true);
        libro_free(c->license_type);
        c->license_type = s;
        return c;
    case F_SCOPE:
        c = build(LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, true);
        for (k = 0; k < c->n_scope; k++) {
            libro_free(c->scope[k]);
        }
        libro_free(c->scope);
        c->scope = numbered("task ", caps[i].count);
        c->n_scope = caps[i].count;
        return c;
    case F_ALLOWED:
        c = build(LIBRO_CRED_CHARTER, LIBRO_ALG_ED25519, true);
        for (k = 0; k < c->n_allowed; k++) {
            libro_free(c->allowed_types[k]);
        }
        libro_free(c->allowed_types);
        c->allowed_types = numbered("type-", caps[i].count);
        c->n_allowed = caps[i].count;
        return c;
    case F_GRANTS:
        break;
    }
    c = build(LIBRO_CRED_ISSUER_AUTH, LIBRO_ALG_ED25519, false);
    libro_free(c->grants[0].id);
    libro_free(c->grants);
    c->grants = libro_calloc(caps[i].count, sizeof *c->grants);
    ck_assert_ptr_nonnull(c->grants);
    {
        char **ids = numbered("type-", caps[i].count);

        for (k = 0; k < caps[i].count; k++) {
            c->grants[k].id = ids[k];
            c->grants[k].validity_days = k % 2 == 0 ? 1 : LIBRO_MAX_VALIDITY_DAYS;
        }
        libro_free(ids);
    }
    c->n_grants = caps[i].count;
    return c;
}

/* The same cap on both sides: check/to_json refuse to write it, and the parser refuses to read
 * it (the document is written here by hand from an accepted one). */
START_TEST(test_caps)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_credential *c = cap_credential((size_t) _i);
    libro_credential *back = NULL;
    libro_code rc = libro_credential_to_json(&text, c, &err);

    if (caps[_i].msg == NULL) {
        must(rc, &err, caps[_i].name);
        must(libro_credential_parse(&back, text.data, text.len, &err), &err, caps[_i].name);
        assert_same(c, back);
    } else {
        LIBRO_ASSERT_CODE(rc, LIBRO_ERR_SCHEMA, &err, caps[_i].msg);
        ck_assert_uint_eq(text.len, 0);
    }
    libro_credential_free(back);
    libro_credential_free(c);
    libro_buf_free(&text);
}
END_TEST

/* The parser's side of the caps: the over-cap member written into an accepted document. */
START_TEST(test_caps_parse)
{
    static const struct {
        const char *from;
        size_t n; /* 'a' repeated */
        const char *msg;
    } cases[] = {
        {"Ada Example", 200, NULL},
        {"Ada Example", 201, "credential: credentialSubject.name: longer than 200 bytes"},
        {"T7-N-0001", 64, NULL},
        {"T7-N-0001", 65, "credential: credentialSubject.licenseNumber: longer than 64 bytes"},
        {"registered nurse", 201, "credential: credentialSubject.profession: longer than 200"},
    };
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf base = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    size_t i;

    read_example(&base, L);
    for (i = 0; i < LIBRO_NELEM(cases); i++) {
        libro_buf doc = LIBRO_BUF_INIT;
        char *s = repeat("a", cases[i].n);
        libro_code rc;

        edit(&doc, &base, cases[i].from, s);
        rc = libro_credential_parse(&c, doc.data, doc.len, &err);
        if (cases[i].msg == NULL) {
            must(rc, &err, cases[i].from);
        } else {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_SCHEMA, &err, cases[i].msg);
        }
        libro_credential_free(c);
        c = NULL;
        libro_free(s);
        libro_buf_free(&doc);
    }
    libro_buf_free(&base);
}
END_TEST

/* 33 scope entries and 33 grants are refused while reading, before they are copied. */
START_TEST(test_list_caps_parse)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf base = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf list = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    size_t n = (size_t) _i == 0 ? 32 : 33;
    size_t i;

    read_example(&base, A);
    for (i = 0; i < n; i++) {
        must(libro_buf_printf(&list, &err, "%s{\"id\":\"t-%zu\",\"validityDays\":%zu}",
                              i == 0 ? "[" : ",", i, i + 1),
             &err, "printf");
    }
    must(libro_buf_append_str(&list, "]", &err), &err, "append");
    edit(&doc, &base,
         "[{\"id\":\"nursing-general\",\"validityDays\":1096},{\"id\":\"midwifery\","
         "\"validityDays\":1096}]",
         (const char *) list.data);
    if (n == 32) {
        must(libro_credential_parse(&c, doc.data, doc.len, &err), &err, "32 grants");
        ck_assert_uint_eq(c->n_grants, 32);
        ck_assert_uint_eq(c->grants[31].validity_days, 32);
    } else {
        LIBRO_ASSERT_CODE(libro_credential_parse(&c, doc.data, doc.len, &err), LIBRO_ERR_SCHEMA,
                          &err, "credential: credentialSubject.licenseTypes: more than 32 entries");
    }
    libro_credential_free(c);
    libro_buf_free(&list);
    libro_buf_free(&doc);
    libro_buf_free(&base);
}
END_TEST

/* The document cap (LIBRO_MAX_CLAIMS_BYTES) at max and max+1, padded with whitespace. */
START_TEST(test_document_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    size_t want = LIBRO_MAX_CLAIMS_BYTES + (size_t) _i;

    read_example(&doc, L);
    while (doc.len < want) {
        must(libro_buf_append(&doc, " ", 1, &err), &err, "pad");
    }
    if (_i == 0) {
        must(libro_credential_parse(&c, doc.data, doc.len, &err), &err, "at the cap");
    } else {
        LIBRO_ASSERT_CODE(libro_credential_parse(&c, doc.data, doc.len, &err), LIBRO_ERR_LIMIT,
                          &err, "credential: json: document larger than 8192 bytes");
    }
    libro_credential_free(c);
    libro_buf_free(&doc);
}
END_TEST

/* Levels 0 and 8 and validityDays 1 and 3660 are inside; the boundary ones outside are in the
 * reject table. */
START_TEST(test_bounds_inside)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_credential *c = build(LIBRO_CRED_CHARTER, LIBRO_ALG_ED25519, false);
    libro_credential *back = NULL;
    char tmp[16];

    c->level = _i == 0 ? 0 : LIBRO_MAX_LEVEL;
    must(libro_credential_to_json(&text, c, &err), &err, "to_json");
    must(libro_credential_parse(&back, text.data, text.len, &err), &err, "parse");
    ck_assert_int_eq(back->level, c->level);
    ck_assert_str_eq(libro_level_name(back, tmp, sizeof tmp), _i == 0 ? "tribe" : "world");
    libro_credential_free(back);
    libro_credential_free(c);
    libro_buf_free(&text);
}
END_TEST

/* ------------------------------------------------------------------ check() on structures */

static void
set_str(char **field, const char *value)
{
    libro_free(*field);
    *field = value == NULL ? NULL : dup(value);
}

enum mutation {
    M_NULL_ISSUER,
    M_NULL_NAME,
    M_BAD_UTF8,
    M_OVERLONG,
    M_SURROGATE,
    M_TRUNCATED_UTF8,
    M_TAB,
    M_TIME_RANGE,
    M_WINDOW,
    M_STRAY_URL,
    M_STRAY_KEY,
    M_STRAY_LEVEL,
    M_STRAY_GRANTS,
    M_STRAY_LICENSE,
    M_NO_KEY,
    M_NULL_SCOPE,
    M_SCOPE_NULL_ENTRY,
    M_BAD_TYPE,
    M_GRANT_DAYS,
    M_LEVEL_NAME_C1,
    M_STRAY_STATUS_REGISTRY,
    M_STATUS_REGISTRY_SLASH,
    M_STATUS_REGISTRY_HTTP,
    M_STATUS_REGISTRY_EMPTY,
    M_MANDATE_NO_STATUS,
    M_MANDATE_NO_MESSAGE,
    M_MANDATE_NULL_HOLDER,
    M_MANDATE_OFFICE,
    M_MANDATE_NULL_RECORD,
    M_MANDATE_ELECTORATE,
    M_MANDATE_DATE_RANGE,
    M_MANDATE_KEY,
    M_MANDATE_NULL_ROUNDTABLE,
    M_STRAY_OFFICE,
    M_STRAY_TERMS,
    M_STRAY_SEAT,
    M_STRAY_VOTING,
    M_TERMS_TOO_LONG,
    M_TERMS_CONSECUTIVE,
};

static const struct {
    const char *name;
    libro_cred_type type;
    enum mutation m;
    libro_code want;
    const char *msg;
} checks[] = {
    {"NULL issuer", LIBRO_CRED_LICENSE, M_NULL_ISSUER, LIBRO_ERR_SCHEMA, "issuer: missing"},
    {"NULL name", LIBRO_CRED_CHARTER, M_NULL_NAME, LIBRO_ERR_SCHEMA,
     "credentialSubject.name: missing"},
    {"bad UTF-8", LIBRO_CRED_LICENSE, M_BAD_UTF8, LIBRO_ERR_SCHEMA,
     "credentialSubject.name: not valid UTF-8"},
    {"overlong", LIBRO_CRED_LICENSE, M_OVERLONG, LIBRO_ERR_SCHEMA,
     "credentialSubject.name: not valid UTF-8"},
    {"surrogate", LIBRO_CRED_LICENSE, M_SURROGATE, LIBRO_ERR_SCHEMA,
     "credentialSubject.name: not valid UTF-8"},
    {"truncated", LIBRO_CRED_LICENSE, M_TRUNCATED_UTF8, LIBRO_ERR_SCHEMA,
     "credentialSubject.profession: not valid UTF-8"},
    {"tab", LIBRO_CRED_LICENSE, M_TAB, LIBRO_ERR_SCHEMA,
     "credentialSubject.scope[1]: control character"},
    {"year 10000", LIBRO_CRED_LICENSE, M_TIME_RANGE, LIBRO_ERR_TIME,
     "validUntil: outside the years 0001-9999"},
    {"inverted", LIBRO_CRED_REGISTRY_AUTH, M_WINDOW, LIBRO_ERR_SCHEMA,
     "validUntil: not after validFrom"},
    {"url on license", LIBRO_CRED_LICENSE, M_STRAY_URL, LIBRO_ERR_SCHEMA,
     "credentialSubject.url: not a member of ProfessionalLicense"},
    {"key on license", LIBRO_CRED_LICENSE, M_STRAY_KEY, LIBRO_ERR_SCHEMA,
     "credentialSubject.publicKeyJwk: not a member of ProfessionalLicense"},
    {"level on auth", LIBRO_CRED_ISSUER_AUTH, M_STRAY_LEVEL, LIBRO_ERR_SCHEMA,
     "credentialSubject.level: not a member of IssuerAuthorization"},
    {"grants on charter", LIBRO_CRED_CHARTER, M_STRAY_GRANTS, LIBRO_ERR_SCHEMA,
     "credentialSubject.licenseTypes: not a member of CommunityCharter"},
    {"license members on registry", LIBRO_CRED_REGISTRY_AUTH, M_STRAY_LICENSE, LIBRO_ERR_SCHEMA,
     "credentialSubject.licenseNumber: not a member of RegistryAuthorization"},
    {"no key", LIBRO_CRED_REGISTRY_AUTH, M_NO_KEY, LIBRO_ERR_SCHEMA,
     "credentialSubject.publicKeyJwk: missing"},
    {"NULL scope", LIBRO_CRED_LICENSE, M_NULL_SCOPE, LIBRO_ERR_SCHEMA,
     "credentialSubject.scope: empty list"},
    {"NULL scope entry", LIBRO_CRED_LICENSE, M_SCOPE_NULL_ENTRY, LIBRO_ERR_SCHEMA,
     "credentialSubject.scope[1]: missing"},
    {"bad type", LIBRO_CRED_LICENSE, M_BAD_TYPE, LIBRO_ERR_SCHEMA, "type: unknown type 0"},
    {"grant days 0", LIBRO_CRED_ISSUER_AUTH, M_GRANT_DAYS, LIBRO_ERR_SCHEMA,
     "credentialSubject.licenseTypes[1].validityDays: not in 1..3660"},
    {"level name C1", LIBRO_CRED_CHARTER, M_LEVEL_NAME_C1, LIBRO_ERR_SCHEMA,
     "credentialSubject.levelName: control character"},
    {"statusRegistry on registry", LIBRO_CRED_REGISTRY_AUTH, M_STRAY_STATUS_REGISTRY,
     LIBRO_ERR_SCHEMA, "credentialSubject.statusRegistry: not a member of RegistryAuthorization"},
    {"statusRegistry slash", LIBRO_CRED_ISSUER_AUTH, M_STATUS_REGISTRY_SLASH, LIBRO_ERR_SCHEMA,
     "credentialSubject.statusRegistry: ends with '/'"},
    {"statusRegistry http", LIBRO_CRED_ISSUER_AUTH, M_STATUS_REGISTRY_HTTP, LIBRO_ERR_SCHEMA,
     "credentialSubject.statusRegistry: not an https URL"},
    {"statusRegistry empty", LIBRO_CRED_ISSUER_AUTH, M_STATUS_REGISTRY_EMPTY, LIBRO_ERR_SCHEMA,
     "credentialSubject.statusRegistry: "},
    {"mandate without status", LIBRO_CRED_MANDATE, M_MANDATE_NO_STATUS, LIBRO_ERR_SCHEMA,
     "credentialStatus: missing (a RoundtableMandate ends early by its status)"},
    {"mandate without message", LIBRO_CRED_MANDATE, M_MANDATE_NO_MESSAGE, LIBRO_ERR_SCHEMA,
     "credentialStatus[2]: missing (a RoundtableMandate has the message entry)"},
    {"mandate without holder", LIBRO_CRED_MANDATE, M_MANDATE_NULL_HOLDER, LIBRO_ERR_SCHEMA,
     "credentialSubject.id: missing"},
    {"mandate office 9", LIBRO_CRED_MANDATE, M_MANDATE_OFFICE, LIBRO_ERR_SCHEMA,
     "credentialSubject.office: not representative, chair or leader"},
    {"mandate without record", LIBRO_CRED_MANDATE, M_MANDATE_NULL_RECORD, LIBRO_ERR_SCHEMA,
     "credentialSubject.election.record: missing"},
    {"mandate electorate 0", LIBRO_CRED_MANDATE, M_MANDATE_ELECTORATE, LIBRO_ERR_SCHEMA,
     "credentialSubject.election.electorate: not in 1..100000000"},
    {"mandate election year 10000", LIBRO_CRED_MANDATE, M_MANDATE_DATE_RANGE, LIBRO_ERR_TIME,
     "credentialSubject.election.date: outside the years 0001-9999"},
    {"key on mandate", LIBRO_CRED_MANDATE, M_MANDATE_KEY, LIBRO_ERR_SCHEMA,
     "credentialSubject.publicKeyJwk: not a member of RoundtableMandate"},
    {"mandate without roundtable", LIBRO_CRED_MANDATE, M_MANDATE_NULL_ROUNDTABLE, LIBRO_ERR_SCHEMA,
     "credentialSubject.roundtable.id: missing"},
    {"office on license", LIBRO_CRED_LICENSE, M_STRAY_OFFICE, LIBRO_ERR_SCHEMA,
     "credentialSubject.office: not a member of ProfessionalLicense"},
    {"terms on authorization", LIBRO_CRED_ISSUER_AUTH, M_STRAY_TERMS, LIBRO_ERR_SCHEMA,
     "credentialSubject.roundtable: not a member of IssuerAuthorization"},
    {"seat on charter", LIBRO_CRED_CHARTER, M_STRAY_SEAT, LIBRO_ERR_SCHEMA,
     "credentialSubject.seat: not a member of CommunityCharter"},
    {"voting on registry", LIBRO_CRED_REGISTRY_AUTH, M_STRAY_VOTING, LIBRO_ERR_SCHEMA,
     "credentialSubject.voting: not a member of RegistryAuthorization"},
    {"chair term 5", LIBRO_CRED_CHARTER, M_TERMS_TOO_LONG, LIBRO_ERR_SCHEMA,
     "credentialSubject.roundtable.chairTermYears: not in 1..4 (the seed term at level 2)"},
    {"consecutive terms 11", LIBRO_CRED_CHARTER, M_TERMS_CONSECUTIVE, LIBRO_ERR_SCHEMA,
     "credentialSubject.roundtable.consecutiveTerms: not in 1..10"},
};

static void
mutate(libro_credential *c, enum mutation m)
{
    switch (m) {
    case M_NULL_ISSUER:
        set_str(&c->issuer, NULL);
        break;
    case M_NULL_NAME:
        set_str(&c->name, NULL);
        break;
    case M_BAD_UTF8:
        set_str(&c->name, "Ada \xff");
        break;
    case M_OVERLONG:
        set_str(&c->name, "Ada \xc0\xaf");
        break;
    case M_SURROGATE:
        set_str(&c->name, "Ada \xed\xa0\x80");
        break;
    case M_TRUNCATED_UTF8:
        set_str(&c->profession, "nurse \xe5\xb1");
        break;
    case M_TAB:
        set_str(&c->scope[1], "a\tb");
        break;
    case M_TIME_RANGE:
        c->valid_until = INT64_C(253402300800); /* 10000-01-01T00:00:00Z */
        break;
    case M_WINDOW:
        c->valid_until = c->valid_from - 1;
        break;
    case M_STRAY_URL:
        set_str(&c->url, "https://x.example");
        break;
    case M_STRAY_KEY:
        c->subject_key = new_key(LIBRO_ALG_ED25519);
        break;
    case M_STRAY_LEVEL:
        c->level = 1;
        break;
    case M_STRAY_GRANTS:
        c->grants = libro_calloc(1, sizeof *c->grants);
        ck_assert_ptr_nonnull(c->grants);
        c->n_grants = 1;
        break;
    case M_STRAY_LICENSE:
        set_str(&c->license_number, "T7-N-0001");
        break;
    case M_NO_KEY:
        libro_key_free(c->subject_key);
        c->subject_key = NULL;
        break;
    case M_NULL_SCOPE:
        set_str(&c->scope[0], NULL);
        set_str(&c->scope[1], NULL);
        libro_free(c->scope);
        c->scope = NULL;
        c->n_scope = 0;
        break;
    case M_SCOPE_NULL_ENTRY:
        set_str(&c->scope[1], NULL);
        break;
    case M_BAD_TYPE:
        c->type = (libro_cred_type) 0;
        break;
    case M_GRANT_DAYS:
        c->grants[1].validity_days = 0;
        break;
    case M_LEVEL_NAME_C1:
        set_str(&c->level_name, "town \xc2\x9b");
        break;
    case M_STRAY_STATUS_REGISTRY:
        set_str(&c->status_registry, "https://registry.town-7.example");
        break;
    case M_STATUS_REGISTRY_SLASH:
        set_str(&c->status_registry, "https://registry.town-7.example/");
        break;
    case M_STATUS_REGISTRY_HTTP:
        set_str(&c->status_registry, "http://registry.town-7.example");
        break;
    case M_STATUS_REGISTRY_EMPTY:
        set_str(&c->status_registry, "");
        break;
    case M_MANDATE_NO_STATUS:
        c->has_status = false;
        c->status_index = 0;
        set_str(&c->status_revocation_list, NULL);
        set_str(&c->status_suspension_list, NULL);
        set_str(&c->status_message_list, NULL);
        break;
    case M_MANDATE_NO_MESSAGE:
        set_str(&c->status_message_list, NULL);
        break;
    case M_MANDATE_NULL_HOLDER:
        set_str(&c->subject_id, NULL);
        break;
    case M_MANDATE_OFFICE:
        c->office = (libro_office) 9;
        break;
    case M_MANDATE_NULL_RECORD:
        set_str(&c->election_record, NULL);
        break;
    case M_MANDATE_ELECTORATE:
        c->election_electorate = 0;
        break;
    case M_MANDATE_DATE_RANGE:
        c->election_date = INT64_C(253402300800);
        break;
    case M_MANDATE_KEY:
        c->subject_key = new_key(LIBRO_ALG_ED25519);
        break;
    case M_MANDATE_NULL_ROUNDTABLE:
        set_str(&c->roundtable_id, NULL);
        break;
    case M_STRAY_OFFICE:
        c->office = LIBRO_OFFICE_CHAIR;
        break;
    case M_STRAY_TERMS:
        c->rt_chair_years = 4;
        break;
    case M_STRAY_SEAT:
        set_str(&c->seat, "urn:libro:tribe-12");
        break;
    case M_STRAY_VOTING:
        c->voting = true;
        break;
    case M_TERMS_TOO_LONG:
        c->rt_chair_years = 5;
        break;
    case M_TERMS_CONSECUTIVE:
        c->rt_consecutive_terms = 11;
        break;
    }
}

START_TEST(test_check)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_credential *c = build(checks[_i].type, LIBRO_ALG_ED25519, true);
    libro_cred_type type = c->type;

    mutate(c, checks[_i].m);
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), checks[_i].want, &err, checks[_i].msg);
    /* to_json refuses exactly what check refuses, and writes nothing. */
    LIBRO_ASSERT_CODE(libro_credential_to_json(&text, c, &err), checks[_i].want, &err,
                      checks[_i].msg);
    ck_assert_uint_eq(text.len, 0);
    c->type = type; /* free by what it holds */
    libro_credential_free(c);
}
END_TEST

START_TEST(test_check_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_credential *c = build(LIBRO_CRED_LICENSE, LIBRO_ALG_ED25519, false);

    LIBRO_ASSERT_CODE(libro_credential_check(NULL, &err), LIBRO_ERR_INVALID_ARG, &err, "NULL");
    LIBRO_ASSERT_CODE(libro_credential_to_json(NULL, c, &err), LIBRO_ERR_INVALID_ARG, &err, "NULL");
    LIBRO_ASSERT_CODE(libro_credential_to_json(&text, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL");
    /* to_json appends. */
    must(libro_buf_append_str(&text, "x", &err), &err, "append");
    must(libro_credential_to_json(&text, c, &err), &err, "to_json");
    ck_assert_int_eq(text.data[0], 'x');
    ck_assert_int_eq(text.data[1], '{');
    libro_credential_free(c);
    libro_buf_free(&text);
}
END_TEST

/* ------------------------------------------------------------------ key ids */

#define TP "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" /* RFC 8037 A.3 */

static const struct {
    const char *kid;
    size_t id_len; /* 0: refused */
    const char *msg;
} kids[] = {
    {"urn:libro:town-7#" TP, 16, NULL},
    {"did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj#" TP, 56, NULL},
    {"a#" TP, 1, NULL},
    {"urn:libro:town-7", 0, "kid: no '#' between id and thumbprint"},
    {"", 0, "kid: no '#'"},
    {"#" TP, 0, "kid: empty id"},
    {"urn:x#", 0, "kid: thumbprint is not 43 base64url characters"},
    {"urn:x#kPrK", 0, "kid: thumbprint is not 43"},
    {"urn:x#" TP "A", 0, "kid: thumbprint is not 43"},
    {"urn:x#kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4", 0, "kid: thumbprint is not 43"},
    {"urn:x#kPrK+qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", 0, "kid: thumbprint is not 43"},
    {"urn:x#kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4l", 0, "kid: thumbprint is not 43"},
    {"urn:x#kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4=", 0, "kid: thumbprint is not 43"},
    {"urn:x#y#" TP, 0, "kid: thumbprint is not 43"},
    {"urn:x#" TP "#", 0, "kid: thumbprint is not 43"},
};

START_TEST(test_kid_split)
{
    libro_error err = LIBRO_ERROR_INIT;
    size_t id_len = 99;
    const char *tp = "set";
    libro_code rc = libro_kid_split(kids[_i].kid, &id_len, &tp, &err);

    if (kids[_i].msg == NULL) {
        must(rc, &err, kids[_i].kid);
        ck_assert_uint_eq(id_len, kids[_i].id_len);
        ck_assert_str_eq(tp, TP);
        ck_assert_ptr_eq(tp, kids[_i].kid + id_len + 1);
    } else {
        LIBRO_ASSERT_CODE(rc, LIBRO_ERR_PARSE, &err, kids[_i].msg);
        ck_assert_uint_eq(id_len, 0);
        ck_assert_ptr_null(tp);
    }
}
END_TEST

START_TEST(test_kid_for)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf refused = LIBRO_BUF_INIT;
    libro_key *k = new_key(_i == 0 ? LIBRO_ALG_ED25519 : LIBRO_ALG_ES256);
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    const char *got_tp = NULL;
    size_t id_len = 0;

    must(libro_key_thumbprint(tp, k, &err), &err, "thumbprint");
    must(libro_kid_for(&kid, "urn:libro:town-7", k, &err), &err, "kid_for");
    ck_assert_uint_eq(kid.len, strlen("urn:libro:town-7#") + LIBRO_THUMBPRINT_LEN);
    must(libro_kid_split((const char *) kid.data, &id_len, &got_tp, &err), &err, "split");
    ck_assert_uint_eq(id_len, strlen("urn:libro:town-7"));
    ck_assert_str_eq(got_tp, tp);
    LIBRO_ASSERT_CODE(libro_kid_for(&refused, "urn:libro:town-7#x", k, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "kid: issuer is not a valid id");
    LIBRO_ASSERT_CODE(libro_kid_for(&refused, "", k, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "kid: issuer is not a valid id");
    LIBRO_ASSERT_CODE(libro_kid_for(&refused, NULL, k, &err), LIBRO_ERR_INVALID_ARG, &err, "NULL");
    LIBRO_ASSERT_CODE(libro_kid_for(&refused, "urn:x", NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL");
    LIBRO_ASSERT_CODE(libro_kid_split(NULL, &id_len, &got_tp, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL");
    ck_assert_uint_eq(refused.len, 0);
    libro_key_free(k);
    libro_buf_free(&kid);
}
END_TEST

/* ------------------------------------------------------------------ names */

START_TEST(test_names)
{
    libro_credential *c = build(LIBRO_CRED_CHARTER, LIBRO_ALG_ED25519, false);
    char tmp[16];
    char tiny[4];

    ck_assert_str_eq(libro_cred_type_name(LIBRO_CRED_LICENSE), "ProfessionalLicense");
    ck_assert_str_eq(libro_cred_type_name(LIBRO_CRED_CHARTER), "CommunityCharter");
    ck_assert_str_eq(libro_cred_type_name(LIBRO_CRED_ISSUER_AUTH), "IssuerAuthorization");
    ck_assert_str_eq(libro_cred_type_name(LIBRO_CRED_REGISTRY_AUTH), "RegistryAuthorization");
    ck_assert_ptr_null(libro_cred_type_name((libro_cred_type) 0));
    ck_assert_str_eq(libro_cred_schema_name(LIBRO_CRED_LICENSE), "professional-license");
    ck_assert_str_eq(libro_cred_schema_name(LIBRO_CRED_CHARTER), "community-charter");
    ck_assert_str_eq(libro_cred_schema_name(LIBRO_CRED_ISSUER_AUTH), "issuer-authorization");
    ck_assert_str_eq(libro_cred_schema_name(LIBRO_CRED_REGISTRY_AUTH), "registry-authorization");
    ck_assert_str_eq(libro_cred_type_name(LIBRO_CRED_MANDATE), "RoundtableMandate");
    ck_assert_str_eq(libro_cred_schema_name(LIBRO_CRED_MANDATE), "roundtable-mandate");
    ck_assert_str_eq(libro_cred_type_name(LIBRO_CRED_AGREEMENT), "ResponsibilityAgreement");
    ck_assert_str_eq(libro_cred_schema_name(LIBRO_CRED_AGREEMENT), "responsibility-agreement");
    ck_assert_str_eq(libro_cred_type_name(LIBRO_CRED_LAW), "CommunityLaw");
    ck_assert_str_eq(libro_cred_schema_name(LIBRO_CRED_LAW), "community-law");
    ck_assert_ptr_null(libro_cred_schema_name((libro_cred_type) 8));
    ck_assert_str_eq(libro_level_default_name(0), "tribe");
    ck_assert_str_eq(libro_level_default_name(1), "neighborhood");
    ck_assert_str_eq(libro_level_default_name(2), "town");
    ck_assert_str_eq(libro_level_default_name(8), "world");
    ck_assert_ptr_null(libro_level_default_name(3));
    ck_assert_ptr_null(libro_level_default_name(7));
    ck_assert_ptr_null(libro_level_default_name(-1));
    ck_assert_ptr_null(libro_level_default_name(9));
    ck_assert_str_eq(libro_level_name(c, tmp, sizeof tmp), "town");
    c->level = 5;
    ck_assert_str_eq(libro_level_name(c, tmp, sizeof tmp), "level 5");
    ck_assert_str_eq(libro_level_name(c, tiny, sizeof tiny), ""); /* too small: empty */
    set_str(&c->level_name, "county");
    ck_assert_str_eq(libro_level_name(c, tmp, sizeof tmp), "county");
    ck_assert_ptr_null(libro_level_name(NULL, tmp, sizeof tmp));
    libro_credential_free(c);
}
END_TEST

/* The offices and the mandate words, by name and back. */
START_TEST(test_office_names)
{
    libro_office o = LIBRO_OFFICE_CHAIR;

    ck_assert_str_eq(libro_office_name(LIBRO_OFFICE_REPRESENTATIVE), "representative");
    ck_assert_str_eq(libro_office_name(LIBRO_OFFICE_CHAIR), "chair");
    ck_assert_str_eq(libro_office_name(LIBRO_OFFICE_LEADER), "leader");
    ck_assert_ptr_null(libro_office_name((libro_office) 0));
    ck_assert_ptr_null(libro_office_name((libro_office) 4));
    ck_assert(libro_office_from_name(&o, "leader", 6));
    ck_assert_int_eq(o, LIBRO_OFFICE_LEADER);
    ck_assert(libro_office_from_name(&o, "representative", 14));
    ck_assert_int_eq(o, LIBRO_OFFICE_REPRESENTATIVE);
    ck_assert(libro_office_from_name(&o, "chairs", 5)); /* the length decides */
    ck_assert_int_eq(o, LIBRO_OFFICE_CHAIR);
    ck_assert(!libro_office_from_name(&o, "chair", 4));
    ck_assert(!libro_office_from_name(&o, "Chair", 5));
    ck_assert(!libro_office_from_name(&o, "chair\0", 6));
    ck_assert(!libro_office_from_name(&o, "", 0));
    ck_assert(!libro_office_from_name(&o, NULL, 0));
    ck_assert(!libro_office_from_name(NULL, "chair", 5));
    ck_assert_int_eq(o, LIBRO_OFFICE_CHAIR); /* untouched by the refusals */
    ck_assert_str_eq(libro_status_words_message(LIBRO_WORDS_MANDATE, LIBRO_WORD_IN_OFFICE),
                     "in office");
    ck_assert_str_eq(libro_status_words_message(LIBRO_WORDS_MANDATE, LIBRO_WORD_RESIGNED),
                     "resigned");
    ck_assert_str_eq(libro_status_words_message(LIBRO_WORDS_MANDATE, LIBRO_WORD_RECALLED),
                     "recalled");
    ck_assert_str_eq(libro_status_words_message(LIBRO_WORDS_MANDATE, LIBRO_WORD_REPLACED),
                     "replaced");
    ck_assert_ptr_null(libro_status_words_message(LIBRO_WORDS_MANDATE, 4));
    ck_assert_str_eq(libro_status_words_message(LIBRO_WORDS_LICENSE, LIBRO_WORD_LAPSED), "lapsed");
    ck_assert_ptr_null(libro_status_words_message((libro_status_words) 2, 0));
}
END_TEST

/* ------------------------------------------------------------------ OOM */

START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    read_example(&text, example_names[_i]);
    /* Fail the 1st, 2nd, ... allocation until parse and write both get through. */
    for (n = 1; n < 10000 && rc != LIBRO_OK; n++) {
        libro_buf out = LIBRO_BUF_INIT;

        libro__alloc_fail_after(n);
        rc = libro_credential_parse(&c, text.data, text.len, &err);
        if (rc == LIBRO_OK) {
            rc = libro_credential_to_json(&out, c, &err);
        }
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
        } else {
            ck_assert_str_eq((const char *) out.data, (const char *) text.data);
        }
        libro_credential_free(c);
        c = NULL;
        libro_buf_free(&out);
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 5);
    libro_buf_free(&text);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("credential");
    TCase *examples = tcase_create("examples");
    TCase *trip = tcase_create("round_trip");
    TCase *rejects = tcase_create("rejects");
    TCase *limits = tcase_create("limits");
    TCase *check = tcase_create("check");
    TCase *kid = tcase_create("kid");
    TCase *oom = tcase_create("oom");

    tcase_add_loop_test(examples, test_examples, 0, (int) LIBRO_NELEM(example_names));
    tcase_add_test(examples, test_examples_chain);
    tcase_add_test(examples, test_holder_key_point);
    tcase_add_loop_test(trip, test_round_trip, 0, (int) LIBRO_NELEM(trips));
    tcase_add_test(trip, test_non_canonical_input);
    tcase_add_test(trip, test_utf8_text);
    tcase_add_loop_test(rejects, test_rejects, 0, (int) LIBRO_NELEM(bad));
    tcase_add_test(rejects, test_parse_args);
    tcase_add_loop_test(limits, test_caps, 0, (int) LIBRO_NELEM(caps));
    tcase_add_test(limits, test_caps_parse);
    tcase_add_loop_test(limits, test_list_caps_parse, 0, 2);
    tcase_add_loop_test(limits, test_document_cap, 0, 2);
    tcase_add_loop_test(limits, test_bounds_inside, 0, 2);
    tcase_add_loop_test(check, test_check, 0, (int) LIBRO_NELEM(checks));
    tcase_add_test(check, test_check_args);
    tcase_add_test(check, test_names);
    tcase_add_test(check, test_office_names);
    tcase_add_loop_test(kid, test_kid_split, 0, (int) LIBRO_NELEM(kids));
    tcase_add_loop_test(kid, test_kid_for, 0, 2);
    tcase_add_loop_test(oom, test_oom, 0, (int) LIBRO_NELEM(example_names));
    suite_add_tcase(s, examples);
    suite_add_tcase(s, trip);
    suite_add_tcase(s, rejects);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, check);
    suite_add_tcase(s, kid);
    suite_add_tcase(s, oom);
    return s;
}
