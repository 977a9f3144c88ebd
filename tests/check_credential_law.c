/* ResponsibilityAgreement and CommunityLaw (core/src/credential.c): documents the parser
 * refuses, each made from the reference example by one replacement, with the exact code and
 * the JSON path in the message; the rules of libro_credential_check on builder structures that
 * only a builder can get wrong (a did:key party with another key, a duplicate key, the
 * issuer); the payload caps at max and max+1. */
#include <stdio.h>
#include <string.h>

#include "libro/credential.h"
#include "libro/limits.h"
#include "libro/util.h"
#include "test_util.h"

#define A "responsibility-agreement"
#define L "community-law"

static void
read_example(libro_buf *out, const char *stem)
{
    char dir[4096];
    char name[128];
    int n = snprintf(dir, sizeof dir, "%s/../../schemas/examples", libro_test_data_dir());

    ck_assert(n > 0 && (size_t) n < sizeof dir);
    n = snprintf(name, sizeof name, "%s.json", stem);
    ck_assert(n > 0 && (size_t) n < sizeof name);
    libro_test_read(out, dir, name);
}

/* The example `stem` with the first `from` replaced by `to`; a NULL `to` cuts from `from` to
 * the end of the parties' array (one party left). */
static void
variant(libro_buf *out, const char *stem, const char *from, const char *to)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    const char *at;
    const char *rest;

    read_example(&text, stem);
    at = strstr((const char *) text.data, from);
    ck_assert_msg(at != NULL, "\"%s\" not in %s", from, stem);
    rest = to != NULL ? at + strlen(from) : strstr(at, "],\"ending\"");
    ck_assert_ptr_nonnull(rest);
    must(libro_buf_append(out, text.data, (size_t) (at - (const char *) text.data), &err), &err,
         "head");
    must(libro_buf_append_str(out, to != NULL ? to : "", &err), &err, "to");
    must(libro_buf_append_str(out, rest, &err), &err, "tail");
    libro_buf_free(&text);
}

#define P0 "credentialSubject.parties[0]"
#define R0 "credentialSubject.roundtable[0]"

static const struct {
    const char *name;
    const char *stem;
    const char *from;
    const char *to;
    libro_code want;
    const char *msg;
} bad[] = {
    {"one party", A, ",{\"id\":\"urn:libro:tribe-2\"", NULL, LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.parties: not 2..16 entries"},
    {"a party without a role", A, "\"role\":\"tenant\",", "", LIBRO_ERR_SCHEMA,
     "credential: " P0 ".role: missing"},
    {"an unknown party member", A, "\"role\":\"tenant\",", "\"role\":\"tenant\",\"email\":\"a@b\",",
     LIBRO_ERR_SCHEMA, "credential: " P0 ".email: unexpected member"},
    {"no responsibilities", A, "\"responsibilities\":[\"keep the workshop tidy\",",
     "\"responsibilities\":[],\"r\":[\"keep the workshop tidy\",", LIBRO_ERR_SCHEMA,
     "credential: " P0 ".r: unexpected member"},
    {"a duplicate responsibility", A, "\"return every tool", "\"keep the workshop tidy\",\"return",
     LIBRO_ERR_SCHEMA, "credential: " P0 ".responsibilities[1]: duplicate entry"},
    {"a control character in a responsibility", A, "keep the workshop tidy", "keep\\u0007tidy",
     LIBRO_ERR_SCHEMA, "credential: " P0 ".responsibilities[0]: control character"},
    {"a private key", A, "\"kty\":\"OKP\"", "\"d\":\"AAAA\",\"kty\":\"OKP\"", LIBRO_ERR_BAD_KEY,
     "credential: " P0 ".publicKeyJwk"},
    {"a publicKeyJwk that is no key", A, "\"x\":\"mgG3", "\"x\":\"mgG4", LIBRO_ERR_BAD_KEY,
     "credential: " P0 ".publicKeyJwk"},
    {"a party with another's did:key", A, "\"id\":\"urn:libro:tribe-2\"",
     "\"id\":\"did:key:z6MkppSMJiShxqf3PMKao1NNmodpCnWWWJdp96Q9CBeRy8B4\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.parties[1].publicKeyJwk: not the key the party's did:key "
     "names"},
    {"an issuer not the first party", A, "\"issuer\":\"did:key:", "\"issuer\":\"did:web:",
     LIBRO_ERR_SCHEMA, "credential: issuer: not the first party's id (the drafter)"},
    {"both endings", A, "{\"noticeDays\":30}", "{\"noticeDays\":30,\"mutualOnly\":true}",
     LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.ending: exactly one of noticeDays and mutualOnly"},
    {"no ending", A, "{\"noticeDays\":30}", "{}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.ending: exactly one of noticeDays and mutualOnly"},
    {"notice of 3651 days", A, "\"noticeDays\":30", "\"noticeDays\":3651", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.ending.noticeDays: not in 1..3650"},
    {"mutualOnly false", A, "{\"noticeDays\":30}", "{\"mutualOnly\":false}", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.ending.mutualOnly: not true"},
    {"supersedes not a hash", A, "\"ending\":{\"noticeDays\":30}",
     "\"ending\":{\"noticeDays\":30},\"supersedes\":\"sha1:00\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.supersedes: not \"sha256:\" and 64 lowercase hex digits"},
    {"credentialStatus on an agreement", A,
     "\"credentialSubject\":", "\"credentialStatus\":[],\"credentialSubject\":", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: unexpected member"},
    {"a subject name on an agreement", A, "\"title\":", "\"name\":\"N\",\"title\":",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.name: unexpected member"},
    {"law version 0", L, "\"version\":1,", "\"version\":0,", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.version: not in 1..1000"},
    {"law version as text", L, "\"version\":1,", "\"version\":\"1\",", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.version: not an integer"},
    {"a tab in the text", L, "Between 22:00", "Between\\t22:00", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.text: control character"},
    {"a line feed in the aim", L, "that every household", "that every\\nhousehold",
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.aim: control character"},
    {"a law not signed by its community", L, "\"issuer\":\"urn:libro:neighborhood-3\"",
     "\"issuer\":\"urn:libro:town-7\"", LIBRO_ERR_SCHEMA,
     "credential: issuer: not the community's id (a community signs its own laws)"},
    {"a member who is no did:key", L,
     "\"roundtable\":[{\"id\":\"did:key:", "\"roundtable\":[{\"id\":\"did:web:", LIBRO_ERR_SCHEMA,
     "credential: " R0 ".id: not a did:key"},
    {"a representative without a seat", L, "\"seat\":\"urn:libro:tribe-1\",", "", LIBRO_ERR_SCHEMA,
     "credential: " R0 ".seat: missing"},
    {"a chair with a seat", L, "\"name\":\"Chen Chu\",",
     "\"name\":\"Chen Chu\",\"seat\":\"urn:libro:tribe-9\",", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable[3].seat: present on the chair"},
    {"a leader at a roundtable", L, "\"office\":\"representative\"", "\"office\":\"leader\"",
     LIBRO_ERR_SCHEMA, "credential: " R0 ".office: not representative or chair"},
    {"two chairs", L, "\"seat\":\"urn:libro:tribe-3\",\"office\":\"representative\"",
     "\"office\":\"chair\"", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.roundtable[3].office: a second chair"},
    {"an empty roundtable", L, "\"roundtable\":[{", "\"roundtable\":[],\"r\":[{", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.r: unexpected member"},
    {"no consent record", L, "\"consentRecord\":", "\"consentRecorb\":", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.consentRecorb: unexpected member"},
    {"a consent record in upper case", L, "\"sha256:5b1c", "\"sha256:5B1C", LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.consentRecord: not \"sha256:\" and 64 lowercase hex digits"},
};

START_TEST(test_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;

    variant(&doc, bad[_i].stem, bad[_i].from, bad[_i].to);
    LIBRO_ASSERT_CODE(libro_credential_parse(&c, doc.data, doc.len, &err), bad[_i].want, &err,
                      bad[_i].msg);
    ck_assert_ptr_null(c);
    libro_buf_free(&doc);
}
END_TEST

/* What a builder can set that no parsed document holds: the checker refuses it, so the
 * writer never writes it. */
START_TEST(test_builder_rules)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_key *k = NULL;

    read_example(&text, A);
    must(libro_credential_parse(&c, text.data, text.len, &err), &err, "example");
    /* the second party's key made the first's */
    k = c->parties[1].key;
    must(libro_key_public(&c->parties[1].key, c->parties[0].key, &err), &err, "copy");
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), LIBRO_ERR_SCHEMA, &err,
                      "credential: credentialSubject.parties[1].publicKeyJwk: the key of another "
                      "party");
    LIBRO_ASSERT_CODE(libro_credential_to_json(&out, c, &err), LIBRO_ERR_SCHEMA, &err, NULL);
    libro_key_free(c->parties[1].key);
    c->parties[1].key = k;
    /* 17 parties */
    c->n_parties = 17;
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), LIBRO_ERR_SCHEMA, &err,
                      "credential: credentialSubject.parties: not 2..16 parties");
    c->n_parties = 2;
    c->mutual_only = true;
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), LIBRO_ERR_SCHEMA, &err,
                      "credential: credentialSubject.ending: both noticeDays and mutualOnly");
    c->mutual_only = false;
    c->law_version = 1;
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), LIBRO_ERR_SCHEMA, &err,
                      "credential: credentialSubject.version: not a member of "
                      "ResponsibilityAgreement");
    c->law_version = 0;
    must(libro_credential_check(c, &err), &err, "restored");
    /* two parties with one id (neither a did:key) */
    libro_free(c->issuer);
    libro_free(c->parties[0].id);
    c->issuer = libro_strndup("urn:libro:tribe-2", 17);
    c->parties[0].id = libro_strndup("urn:libro:tribe-2", 17);
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), LIBRO_ERR_SCHEMA, &err,
                      "credential: credentialSubject.parties[1].id: the id of another party");
    ck_assert_uint_eq(out.len, 0);
    libro_credential_free(c);
    libro_buf_free(&text);
}
END_TEST

/* An agreement may reach 32 KiB and a law 24 KiB, padded with whitespace at max and max+1;
 * every other type keeps 8 KiB. */
START_TEST(test_caps)
{
    static const struct {
        const char *stem;
        size_t cap;
        const char *msg;
    } caps[] = {
        {A, LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES, "credential: json: document larger than 32768"},
        {L, LIBRO_MAX_LAW_PAYLOAD_BYTES, "credential: json: document larger than 24576 bytes"},
        {"roundtable-mandate", LIBRO_MAX_CLAIMS_BYTES,
         "credential: json: document larger than 8192 bytes"},
    };
    libro_error err = LIBRO_ERROR_INIT;
    size_t i;
    size_t extra;

    for (i = 0; i < LIBRO_NELEM(caps); i++) {
        for (extra = 0; extra < 2; extra++) {
            libro_buf doc = LIBRO_BUF_INIT;
            libro_credential *c = NULL;

            read_example(&doc, caps[i].stem);
            while (doc.len < caps[i].cap + extra) {
                must(libro_buf_append(&doc, " ", 1, &err), &err, "pad");
            }
            if (extra == 0) {
                must(libro_credential_parse(&c, doc.data, doc.len, &err), &err, caps[i].stem);
            } else {
                LIBRO_ASSERT_CODE(libro_credential_parse(&c, doc.data, doc.len, &err),
                                  LIBRO_ERR_LIMIT, &err, caps[i].msg);
            }
            libro_credential_free(c);
            libro_buf_free(&doc);
        }
    }
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("credential_law");
    TCase *rejects = tcase_create("rejects");
    TCase *rules = tcase_create("rules");

    tcase_add_loop_test(rejects, test_rejects, 0, (int) LIBRO_NELEM(bad));
    tcase_add_test(rules, test_builder_rules);
    tcase_add_test(rules, test_caps);
    suite_add_tcase(s, rejects);
    suite_add_tcase(s, rules);
    return s;
}
