/* Every case of Wycheproof's json_web_signature_test.json, read from the shared vectors (never
 * copied here). A case is accepted only when parse and verify both succeed with the group's
 * key. We must accept a "valid" case exactly when its algorithm and key are in our policy
 * (EdDSA/Ed25519 with an OKP Ed25519 key, ES256 with an EC P-256 key; compact form, or the
 * General JSON form without unprotected headers), and must never accept an "invalid" one. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libro/encoding.h"
#include "libro/jws.h"
#include "test_util.h"

#define VECTORS "wycheproof/json_web_signature_test.json"

/* Why a case that Wycheproof calls valid is outside our policy. */
enum policy {
    IN_POLICY = 0,
    POLICY_ALG,    /* alg not in {EdDSA, Ed25519, ES256} */
    POLICY_NO_KEY, /* kty oct/RSA, another curve, or a key not meant for verification */
    POLICY_JSON,   /* JSON serialization in a form we refuse (flattened, unprotected header) */
    POLICY_MAX,
};

struct tally {
    size_t total;
    size_t accepted_valid;
    size_t rejected_invalid;
    size_t rejected_policy[POLICY_MAX];
    size_t failures;
    size_t invalid_by_code[32]; /* rejected invalid cases, by -libro_code */
};

/* The verification key of a group, or NULL when there is none we accept. Public members only:
 * a group with only "private" is reduced to its public half ("d" and the RSA private members
 * dropped). A key restricted by "use" or "key_ops" to something other than verification is
 * not a verification key (RFC 7517 §4.2, §4.3): the importer must refuse it. */
static libro_key *
group_key(const json_t *group, const char **why)
{
    static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};
    const json_t *jwk = json_object_get(group, "public");
    json_t *pub;
    const char *kty;
    const char *crv;
    libro_key *k = NULL;
    libro_error err = LIBRO_ERROR_INIT;
    char *text;
    size_t i;

    if (jwk == NULL) {
        jwk = json_object_get(group, "private");
    }
    ck_assert_ptr_nonnull(jwk);
    pub = json_deep_copy(jwk);
    ck_assert_ptr_nonnull(pub);
    for (i = 0; i < LIBRO_NELEM(private_members); i++) {
        (void) json_object_del(pub, private_members[i]);
    }
    kty = json_string_value(json_object_get(pub, "kty"));
    crv = json_string_value(json_object_get(pub, "crv"));
    *why = NULL;
    if (kty == NULL || (strcmp(kty, "EC") != 0 && strcmp(kty, "OKP") != 0)) {
        *why = "kty";
    } else if (crv == NULL || (strcmp(crv, "P-256") != 0 && strcmp(crv, "Ed25519") != 0)) {
        *why = "curve";
    }
    if (*why == NULL) {
        text = json_dumps(pub, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        /* libro_key_from_jwk itself refuses "use" other than "sig" and "key_ops" without
         * "verify" (Wycheproof's rejectWrongKeyOps case). */
        if (libro_key_from_jwk(&k, text, strlen(text), &err) != LIBRO_OK) {
            *why = "jwk refused";
            k = NULL;
        }
        free(text);
    }
    json_decref(pub);
    return k;
}

/* The "alg" of a compact token's header, decoded here independently of libro_jws, to decide
 * whether a valid case is inside our policy. NULL when it cannot be read. */
static char *
header_alg(const char *tok)
{
    libro_buf hdr = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    const char *dot = strchr(tok, '.');
    char *alg = NULL;
    json_t *root;
    json_error_t jerr;

    if (dot == NULL || libro_b64url_decode(&hdr, tok, (size_t) (dot - tok), &err) != LIBRO_OK) {
        libro_buf_free(&hdr);
        return NULL;
    }
    root = json_loadb((const char *) hdr.data, hdr.len, JSON_REJECT_DUPLICATES, &jerr);
    if (root != NULL && json_is_string(json_object_get(root, "alg"))) {
        alg = strdup(json_string_value(json_object_get(root, "alg")));
    }
    json_decref(root);
    libro_buf_free(&hdr);
    return alg;
}

/* The policy verdict for a compact case: alg first (what the header claims), then the key. */
static enum policy
compact_policy(const char *alg, const libro_key *k)
{
    bool ed = alg != NULL && (strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0);
    bool es = alg != NULL && strcmp(alg, "ES256") == 0;

    if (!ed && !es) {
        return POLICY_ALG;
    }
    if (k == NULL) {
        return POLICY_NO_KEY;
    }
    if ((libro_key_alg(k) == LIBRO_ALG_ED25519) != ed) {
        return POLICY_ALG; /* alg of another key type */
    }
    return IN_POLICY;
}

/* Run one case; true when libro accepted it. `why` gets the policy reason for a rejection
 * that a valid case would owe to policy. */
static bool
run_case(const char *jws, const libro_key *k, enum policy *why, libro_error *err)
{
    bool accepted = false;

    if (jws[0] == '{') {
        libro_jws_json *j = NULL;
        bool verified[LIBRO_MAX_JWS_SIGNATURES];
        size_t signer[LIBRO_MAX_JWS_SIGNATURES];
        libro_code rc = libro_jws_json_parse(&j, jws, strlen(jws), err);

        *why = POLICY_JSON;
        if (rc == LIBRO_OK && k != NULL) {
            accepted = libro_jws_json_verify_all(j, &k, 1, verified, signer, err) == LIBRO_OK;
        }
        libro_jws_json_free(j);
    } else {
        libro_jws *t = NULL;
        char *alg = header_alg(jws);
        libro_code rc = libro_jws_parse(&t, jws, strlen(jws), err);

        *why = compact_policy(alg, k);
        if (rc == LIBRO_OK && k != NULL) {
            accepted = libro_jws_verify(t, k, err) == LIBRO_OK;
            /* Only a verified token shows its payload. */
            ck_assert(accepted == (libro_jws_payload(t, NULL) != NULL));
        }
        libro_jws_free(t);
        free(alg);
    }
    return accepted;
}

static void
run_group(const json_t *group, struct tally *t)
{
    const char *no_key = NULL;
    libro_key *k = group_key(group, &no_key);
    const json_t *tests = json_object_get(group, "tests");
    size_t i;

    ck_assert_ptr_nonnull(tests);
    for (i = 0; i < json_array_size(tests); i++) {
        const json_t *c = json_array_get(tests, i);
        const char *jws = json_string_value(json_object_get(c, "jws"));
        const char *result = json_string_value(json_object_get(c, "result"));
        json_int_t id = json_integer_value(json_object_get(c, "tcId"));
        libro_error err = LIBRO_ERROR_INIT;
        enum policy why = IN_POLICY;
        bool valid;
        bool accepted;

        ck_assert_ptr_nonnull(jws);
        ck_assert_ptr_nonnull(result);
        valid = strcmp(result, "valid") == 0;
        accepted = run_case(jws, k, &why, &err);
        t->total++;
        if (accepted && !valid) {
            fprintf(stderr, "FAIL tcId %lld: invalid case accepted\n", (long long) id);
            t->failures++;
        } else if (accepted) {
            t->accepted_valid++;
        } else if (!valid) {
            t->rejected_invalid++;
            t->invalid_by_code[(size_t) -err.code % LIBRO_NELEM(t->invalid_by_code)]++;
        } else if (why != IN_POLICY) {
            t->rejected_policy[why]++;
        } else {
            fprintf(stderr, "FAIL tcId %lld: valid case in policy rejected: %s (%s)\n",
                    (long long) id, libro_code_name(err.code), err.msg);
            t->failures++;
        }
    }
    libro_key_free(k);
}

START_TEST(test_wycheproof_jws)
{
    const char *dir = libro_test_vectors_dir();
    char path[4096];
    json_error_t jerr;
    json_t *root;
    const json_t *groups;
    struct tally t;
    size_t i;
    int n;

    memset(&t, 0, sizeof t);
    ck_assert_ptr_nonnull(dir); /* the suite adds this test only when the vectors exist */
    n = snprintf(path, sizeof path, "%s/%s", dir, VECTORS);
    ck_assert(n > 0 && (size_t) n < sizeof path);
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    ck_assert_msg(root != NULL, "%s: %s", path, jerr.text);
    groups = json_object_get(root, "testGroups");
    for (i = 0; i < json_array_size(groups); i++) {
        run_group(json_array_get(groups, i), &t);
    }
    printf("wycheproof jws: %zu cases, %zu accepted valid, %zu rejected invalid, %zu rejected "
           "by policy (alg %zu, key %zu, json form %zu), %zu failures\n",
           t.total, t.accepted_valid, t.rejected_invalid,
           t.rejected_policy[POLICY_ALG] + t.rejected_policy[POLICY_NO_KEY] +
               t.rejected_policy[POLICY_JSON],
           t.rejected_policy[POLICY_ALG], t.rejected_policy[POLICY_NO_KEY],
           t.rejected_policy[POLICY_JSON], t.failures);
    printf("wycheproof jws: invalid cases rejected as");
    for (i = 0; i < LIBRO_NELEM(t.invalid_by_code); i++) {
        if (t.invalid_by_code[i] > 0) {
            /* Code 0: parsed, but the group has no key we would verify with. */
            printf(" %s %zu", i == 0 ? "no_key" : libro_code_name((libro_code) (-(int) i)),
                   t.invalid_by_code[i]);
        }
    }
    printf("\n");
    ck_assert_uint_eq(t.total, (size_t) json_integer_value(json_object_get(root, "numberOfTests")));
    ck_assert_uint_eq(t.failures, 0);
    /* The ES256 groups hold valid cases we must accept. */
    ck_assert_uint_gt(t.accepted_valid, 0);
    json_decref(root);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("jws_wycheproof");
    TCase *tc = tcase_create("wycheproof");

    /* Decided here, in the parent process: with CK_FORK a skip recorded inside a test would
     * be lost with the child, and the suite would pass as if it had tested something. */
    if (libro_test_vectors_dir() == NULL) {
        libro_test_skip(VECTORS);
    } else {
        tcase_add_test(tc, test_wycheproof_jws);
    }
    suite_add_tcase(s, tc);
    return s;
}
