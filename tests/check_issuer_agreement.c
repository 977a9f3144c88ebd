/* The parties' agreement workflows (libro/issuer.h), without a shell: drafting from options
 * and from a JSON description (each refusal named, table-driven), signing in any order,
 * amending a complete version (supersedes its hash, every party signs anew), and the end
 * statements: a notice by one party, a mutual end collected party by party, and each
 * statement refused (another agreement, another end, a party twice, a non-party, a notice on
 * an agreement that ends only mutually); then against Neighborhood 3's registry (a temp
 * SQLite file): registering (a PARTIAL document refused naming who is missing), an amendment
 * superseding the first version, a notice and a mutual end recorded, and the reference QR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define N3 "urn:libro:neighborhood-3"
#define DAY INT64_C(86400)

static char dir[256];
static char *db_path; /* test_db_new: a file in dir, or a PostgreSQL schema (setup_registry) */
static libro_key *ada;
static libro_key *bob;
static libro_key *cleo;
static libro_key *es;
static const char *const ada_resp[] = {"keep the workshop tidy", "pay 40 a month"};
static const char *const bob_resp[] = {"keep the roof sound"};
static const char *const cleo_resp[] = {"lend the tools"};

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pem = LIBRO_BUF_INIT;
    char path[300];

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-agreement-XXXXXX",
                              getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    must(libro_key_generate(&ada, LIBRO_ALG_ED25519, &err), &err, "ada");
    must(libro_key_generate(&bob, LIBRO_ALG_ED25519, &err), &err, "bob");
    must(libro_key_generate(&cleo, LIBRO_ALG_ED25519, &err), &err, "cleo");
    must(libro_key_generate(&es, LIBRO_ALG_ES256, &err), &err, "es");
    must(libro_key_public_pem(&pem, bob, &err), &err, "bob pem");
    ck_assert_int_gt(snprintf(path, sizeof path, "%s/bob.pub", dir), 0);
    must(libro_file_write_new(path, pem.data, pem.len, 0644, &err), &err, "bob.pub");
    libro_buf_free(&pem);
}

static void
teardown(void)
{
    libro_key_free(ada);
    libro_key_free(bob);
    libro_key_free(cleo);
    libro_key_free(es);
    if (db_path != NULL) {
        test_db_remove(db_path);
        free(db_path);
        db_path = NULL;
    }
    libro_test_rm_rf(dir);
}

/* Ada (tenant) and Bob (owner), by notice of 30 days, for a year. */
static void
two_parties(libro_agreement_options *o, libro_agreement_party_options p[2])
{
    memset(p, 0, 2 * sizeof *p);
    p[0].name = "Ada Example";
    p[0].role = "tenant";
    p[0].key = ada;
    p[0].responsibilities = ada_resp;
    p[0].n_responsibilities = LIBRO_NELEM(ada_resp);
    p[1].name = "Bob Example";
    p[1].role = "owner";
    p[1].key = bob;
    p[1].responsibilities = bob_resp;
    p[1].n_responsibilities = LIBRO_NELEM(bob_resp);
    o->title = "Shared use of the Tribe 2 workshop";
    o->community_id = N3;
    o->community_level = 1;
    o->parties = p;
    o->n_parties = 2;
    o->notice_days = 30;
    o->days = 365;
}

/* The check of doc, which must be one (not INVALID). */
static libro_agreement *
checked(const libro_buf *doc)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_agreement *a = NULL;

    must(libro_agreement_check(&a, (const char *) doc->data, doc->len, &err), &err, "check");
    return a;
}

/* `doc` signed by `k`, in place. */
static void
sign_by(libro_buf *doc, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    must(libro_issuer_agreement_sign(&out, NULL, (const char *) doc->data, doc->len, k, &err), &err,
         "sign");
    libro_buf_free(doc);
    *doc = out;
}

/* A COMPLETE two-party agreement (ending by notice, or mutually only). */
static void
complete_two(libro_buf *doc, bool mutual_only)
{
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_agreement_party_options p[2];
    libro_error err = LIBRO_ERROR_INIT;

    two_parties(&o, p);
    if (mutual_only) {
        o.notice_days = 0;
        o.mutual_only = true;
    }
    must(libro_issuer_agreement_draft(doc, NULL, &o, &err), &err, "draft");
    sign_by(doc, bob);
    sign_by(doc, ada);
}

START_TEST(test_draft_from_options)
{
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_agreement_party_options p[2];
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_agreement *a;
    int64_t t0 = libro_time_now();

    two_parties(&o, p);
    must(libro_issuer_agreement_draft(&doc, &c, &o, &err), &err, "draft");
    must(libro_key_to_did(&did, ada, &err), &err, "did");
    ck_assert_str_eq(c->issuer, (const char *) did.data); /* the drafter */
    ck_assert_str_eq(c->parties[0].id, (const char *) did.data);
    ck_assert_int_eq(c->valid_until - c->valid_from, 365 * DAY);
    ck_assert_int_ge(c->valid_from, t0);
    a = checked(&doc);
    ck_assert_int_eq(a->outcome, LIBRO_AGREEMENT_PARTIAL);
    ck_assert_uint_eq(a->n_signed, 0);
    ck_assert_uint_eq(a->n_signatures, 0);
    ck_assert_uint_eq(a->cred->n_parties, 2);
    ck_assert_uint_eq(a->cred->notice_days, 30);
    ck_assert_str_eq(a->cred->parties[1].responsibilities[0], "keep the roof sound");
    libro_agreement_free(a);
    libro_credential_free(c);
    libro_buf_free(&did);
    libro_buf_free(&doc);
}
END_TEST

/* A refusal: what is changed from the two-party options, the code and the message. */
static const struct {
    const char *name;
    int change;
    libro_code want;
    const char *msg;
} bad_drafts[] = {
    {"no title", 0, LIBRO_ERR_INVALID_ARG, "agreement: needs a title"},
    {"no community", 1, LIBRO_ERR_INVALID_ARG, "agreement: needs the community whose law"},
    {"one party", 2, LIBRO_ERR_INVALID_ARG, "agreement: needs at least two parties"},
    {"no ending", 3, LIBRO_ERR_INVALID_ARG, "agreement: needs how it may end"},
    {"no term", 4, LIBRO_ERR_INVALID_ARG, "agreement: needs the end of its term"},
    {"notice and mutual", 5, LIBRO_ERR_INVALID_ARG, "not both"},
    {"days and until", 6, LIBRO_ERR_INVALID_ARG, "not both"},
    {"no responsibility", 7, LIBRO_ERR_INVALID_ARG, "party 2: a party needs"},
    {"same key twice", 8, LIBRO_ERR_SCHEMA, ""},
    {"P-256 without an id", 9, LIBRO_ERR_INVALID_ARG, "party 2: a key that is not Ed25519"},
    {"no level", 10, LIBRO_ERR_INVALID_ARG, "needs the community's level"},
    {"notice too long", 11, LIBRO_ERR_INVALID_ARG, "notice days"},
};

START_TEST(test_draft_refused)
{
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_agreement_party_options p[2];
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = (libro_credential *) &doc; /* must come back NULL */
    libro_code rc;

    two_parties(&o, p);
    switch (bad_drafts[_i].change) {
    case 0:
        o.title = NULL;
        break;
    case 1:
        o.community_id = NULL;
        break;
    case 2:
        o.n_parties = 1;
        break;
    case 3:
        o.notice_days = 0;
        break;
    case 4:
        o.days = 0;
        break;
    case 5:
        o.mutual_only = true;
        break;
    case 6:
        o.valid_until = libro_time_now() + DAY;
        break;
    case 7:
        p[1].n_responsibilities = 0;
        break;
    case 8:
        p[1].key = ada;
        break;
    case 9:
        p[1].key = es;
        break;
    case 10:
        o.community_level = -1;
        break;
    default:
        o.notice_days = LIBRO_MAX_NOTICE_DAYS + 1;
        break;
    }
    rc = libro_issuer_agreement_draft(&doc, &c, &o, &err);
    ck_assert_msg(rc == bad_drafts[_i].want && strstr(err.msg, bad_drafts[_i].msg) != NULL,
                  "%s: got %d (%s)", bad_drafts[_i].name, rc, err.msg);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(doc.len, 0);
}
END_TEST

/* The JSON description: a did, a key file beside it, a P-256 JWK with its own id. */
START_TEST(test_draft_from_spec)
{
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf spec = LIBRO_BUF_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_buf jwk = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_agreement *a;

    must(libro_key_to_did(&did, ada, &err), &err, "did");
    must(libro_key_to_jwk(&jwk, es, NULL, &err), &err, "jwk");
    must(libro_buf_printf(&spec, &err,
                          "{\"title\":\"Three\",\"community\":{\"id\":\"" N3 "\",\"level\":1},"
                          "\"parties\":[{\"name\":\"Ada\",\"role\":\"a\",\"did\":\"%s\","
                          "\"responsibilities\":[\"x\"]},{\"name\":\"Bob\",\"role\":\"b\","
                          "\"key\":\"bob.pub\",\"responsibilities\":[\"y\",\"z\"]},{\"id\":"
                          "\"urn:libro:esther\",\"name\":\"Esther\",\"role\":\"c\","
                          "\"publicKeyJwk\":%s,\"responsibilities\":[\"w\"]}],"
                          "\"ending\":{\"mutualOnly\":true},\"validFrom\":\"2026-01-01T00:00:00Z\","
                          "\"validUntil\":\"2030-01-01T00:00:00Z\"}",
                          (const char *) did.data, (const char *) jwk.data),
         &err, "spec");
    o.spec = (const char *) spec.data;
    o.spec_len = spec.len;
    o.spec_dir = dir;
    o.title = "Three parties"; /* options override the spec */
    must(libro_issuer_agreement_draft(&doc, NULL, &o, &err), &err, "draft");
    a = checked(&doc);
    ck_assert_str_eq(a->cred->title, "Three parties");
    ck_assert_uint_eq(a->cred->n_parties, 3);
    ck_assert(a->cred->mutual_only);
    ck_assert(libro_key_equal_public(a->cred->parties[1].key, bob));
    ck_assert_str_eq(a->cred->parties[2].id, "urn:libro:esther");
    ck_assert_uint_eq(libro_agreement_party_of(a, es), 2);
    libro_agreement_free(a);
    sign_by(&doc, es);
    sign_by(&doc, bob);
    sign_by(&doc, ada);
    a = checked(&doc);
    ck_assert_int_eq(a->outcome, LIBRO_AGREEMENT_COMPLETE);
    libro_agreement_free(a);
    libro_buf_free(&spec);
    libro_buf_free(&did);
    libro_buf_free(&jwk);
    libro_buf_free(&doc);
}
END_TEST

static const struct {
    const char *name;
    const char *spec;
    libro_code want;
    const char *msg;
} bad_specs[] = {
    {"not JSON", "{", LIBRO_ERR_PARSE, "spec: "},
    {"an array", "[]", LIBRO_ERR_SCHEMA, "spec: want a JSON object"},
    {"unknown member", "{\"colour\":1}", LIBRO_ERR_SCHEMA, "unexpected member \"colour\""},
    {"title a number", "{\"title\":1}", LIBRO_ERR_SCHEMA, "agreement.title: want a string"},
    {"community without level", "{\"community\":{\"id\":\"x\"}}", LIBRO_ERR_SCHEMA,
     "spec: community: want"},
    {"ending both", "{\"ending\":{\"noticeDays\":3,\"mutualOnly\":true}}", LIBRO_ERR_SCHEMA,
     "spec: ending: want"},
    {"notice 0", "{\"ending\":{\"noticeDays\":0}}", LIBRO_ERR_SCHEMA, "noticeDays: want 1"},
    {"mutualOnly false", "{\"ending\":{\"mutualOnly\":false}}", LIBRO_ERR_SCHEMA,
     "mutualOnly: want true"},
    {"parties an object", "{\"parties\":{}}", LIBRO_ERR_SCHEMA, "parties: want an array"},
    {"party without key",
     "{\"parties\":[{\"name\":\"A\",\"role\":\"r\",\"responsibilities\":[\"x\"]}]}",
     LIBRO_ERR_SCHEMA, "parties[0]: give exactly one of"},
    {"party without role", "{\"parties\":[{\"name\":\"A\",\"responsibilities\":[\"x\"]}]}",
     LIBRO_ERR_SCHEMA, "parties[0]: a party needs"},
    {"party unknown member",
     "{\"parties\":[{\"name\":\"A\",\"role\":\"r\",\"x\":1,\"responsibilities\":[\"x\"]}]}",
     LIBRO_ERR_SCHEMA, "parties[0]: unexpected member \"x\""},
    {"responsibility a number",
     "{\"parties\":[{\"name\":\"A\",\"role\":\"r\",\"key\":\"bob.pub\",\"responsibilities\":[1]}]}",
     LIBRO_ERR_SCHEMA, "responsibilities[0]: want a string"},
    {"bad did",
     "{\"parties\":[{\"name\":\"A\",\"role\":\"r\",\"did\":\"did:key:zz\",\"responsibilities\":"
     "[\"x\"]}]}",
     LIBRO_ERR_UNSUPPORTED, "spec: parties[0]: did:key"},
    {"missing key file",
     "{\"parties\":[{\"name\":\"A\",\"role\":\"r\",\"key\":\"nope.pem\",\"responsibilities\":"
     "[\"x\"]}]}",
     LIBRO_ERR_NOT_FOUND, "no such file"},
    {"bad time", "{\"validUntil\":\"tomorrow\"}", LIBRO_ERR_TIME, "spec: validUntil"},
};

START_TEST(test_spec_refused)
{
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_code rc;

    o.spec = bad_specs[_i].spec;
    o.spec_len = strlen(bad_specs[_i].spec);
    o.spec_dir = dir;
    rc = libro_issuer_agreement_draft(&doc, NULL, &o, &err);
    ck_assert_msg(rc == bad_specs[_i].want && strstr(err.msg, bad_specs[_i].msg) != NULL,
                  "%s: got %d (%s)", bad_specs[_i].name, rc, err.msg);
    ck_assert_uint_eq(doc.len, 0);
}
END_TEST

START_TEST(test_sign_any_order)
{
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_agreement_party_options p[2];
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf draft = LIBRO_BUF_INIT;
    libro_buf d1 = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf missing = LIBRO_BUF_INIT;
    libro_agreement *a = NULL;

    two_parties(&o, p);
    must(libro_issuer_agreement_draft(&draft, NULL, &o, &err), &err, "draft");
    must(libro_issuer_agreement_sign(&d1, &a, (const char *) draft.data, draft.len, bob, &err),
         &err, "bob");
    ck_assert_int_eq(a->outcome, LIBRO_AGREEMENT_PARTIAL);
    ck_assert(a->signed_by[1] && !a->signed_by[0]);
    must(libro_issuer_agreement_missing(&missing, a, &err), &err, "missing");
    ck_assert_str_eq((const char *) missing.data, "Ada Example");
    libro_agreement_free(a);
    /* Twice by Bob, and by Cleo, who is no party: refused, nothing written. */
    ck_assert_int_eq(
        libro_issuer_agreement_sign(&out, &a, (const char *) d1.data, d1.len, bob, &err),
        LIBRO_ERR_EXISTS);
    ck_assert_int_eq(
        libro_issuer_agreement_sign(&out, &a, (const char *) d1.data, d1.len, cleo, &err),
        LIBRO_ERR_DENIED);
    ck_assert_ptr_null(a);
    ck_assert_uint_eq(out.len, 0);
    must(libro_issuer_agreement_sign(&out, &a, (const char *) d1.data, d1.len, ada, &err), &err,
         "ada");
    ck_assert_int_eq(a->outcome, LIBRO_AGREEMENT_COMPLETE);
    ck_assert_uint_eq(a->n_signed, 2);
    libro_buf_clear(&missing);
    must(libro_issuer_agreement_missing(&missing, a, &err), &err, "none missing");
    ck_assert_str_eq((const char *) missing.data, "");
    libro_agreement_free(a);
    libro_buf_free(&draft);
    libro_buf_free(&d1);
    libro_buf_free(&out);
    libro_buf_free(&missing);
}
END_TEST

START_TEST(test_amend)
{
    libro_agreement_options ch = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_agreement_party_options p[3];
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf v1 = LIBRO_BUF_INIT;
    libro_buf v2 = LIBRO_BUF_INIT;
    libro_buf partial = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_agreement *a1;
    libro_agreement *a2;

    complete_two(&v1, false);
    a1 = checked(&v1);
    ch.title = "Shared use, with weekends";
    ch.days = 730;
    must(libro_issuer_agreement_amend(&v2, &c, (const char *) v1.data, v1.len, &ch, &err), &err,
         "amend");
    a2 = checked(&v2);
    ck_assert_str_eq(a2->cred->supersedes, a1->hash);
    ck_assert_str_eq(a2->cred->title, "Shared use, with weekends");
    ck_assert_int_eq(a2->cred->valid_from, a1->cred->valid_from);
    ck_assert_int_eq(a2->cred->valid_until - a2->cred->valid_from, 730 * DAY);
    ck_assert_uint_eq(a2->n_signatures, 0); /* every party signs anew */
    ck_assert_uint_eq(a2->cred->notice_days, 30);
    ck_assert_str_eq(a2->cred->parties[0].responsibilities[1], "pay 40 a month");
    libro_agreement_free(a2);
    libro_credential_free(c);
    libro_buf_free(&v2);
    /* New parties replace the old ones: Cleo joins. */
    two_parties(&o, p);
    p[2] = p[1];
    p[2].name = "Cleo";
    p[2].key = cleo;
    p[2].responsibilities = cleo_resp;
    p[2].n_responsibilities = 1;
    ch.parties = p;
    ch.n_parties = 3;
    must(libro_issuer_agreement_amend(&v2, NULL, (const char *) v1.data, v1.len, &ch, &err), &err,
         "amend with Cleo");
    a2 = checked(&v2);
    ck_assert_uint_eq(a2->cred->n_parties, 3);
    libro_agreement_free(a2);
    /* Only a complete version is amended. */
    must(libro_issuer_agreement_draft(&partial, NULL, &o, &err), &err, "draft");
    sign_by(&partial, ada);
    libro_buf_clear(&v2);
    ck_assert_int_eq(libro_issuer_agreement_amend(&v2, NULL, (const char *) partial.data,
                                                  partial.len, &ch, &err),
                     LIBRO_ERR_DENIED);
    ck_assert_ptr_nonnull(strstr(err.msg, "PARTIAL: 1 of 2 parties signed; missing: Bob"));
    libro_agreement_free(a1);
    libro_buf_free(&v1);
    libro_buf_free(&v2);
    libro_buf_free(&partial);
}
END_TEST

/* An end statement signed by one party, without a registry. */
static libro_code
end_by(libro_agreement_end_result *res, const libro_buf *doc, const libro_key *k,
       libro_agreement_end how, const libro_buf *statement, libro_error *err)
{
    libro_agreement_end_options o = LIBRO_AGREEMENT_END_OPTIONS_INIT;

    o.document = (const char *) doc->data;
    o.document_len = doc->len;
    o.key = k;
    o.how = how;
    o.reason = "the workshop is sold";
    if (statement != NULL) {
        o.statement = (const char *) statement->data;
        o.statement_len = statement->len;
    }
    return libro_issuer_agreement_end(res, &o, err);
}

START_TEST(test_end_statements)
{
    libro_agreement_end_result r1 = {LIBRO_BUF_INIT, "", 0, 0, false};
    libro_agreement_end_result r2 = {LIBRO_BUF_INIT, "", 0, 0, false};
    libro_agreement_end_result r3 = {LIBRO_BUF_INIT, "", 0, 0, false};
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf mutual_doc = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    libro_agreement *a;

    complete_two(&doc, false);
    a = checked(&doc);
    /* A notice by Bob: one signature, typ libro-agreement-end+json, naming the agreement. */
    must(end_by(&r1, &doc, bob, LIBRO_AGREEMENT_END_NOTICE, NULL, &err), &err, "notice");
    ck_assert_str_eq(r1.hash, a->hash);
    ck_assert_uint_eq(r1.n_signed, 1);
    ck_assert(!r1.recorded);
    must(libro_jws_json_parse(&j, (const char *) r1.statement.data, r1.statement.len, &err), &err,
         "parse");
    ck_assert_uint_eq(libro_jws_json_count(j), 1);
    ck_assert_str_eq(libro_jws_json_typ(j, 0), LIBRO_AGREEMENT_END_TYP);
    must(libro_jws_json_verify(j, 0, bob, &err), &err, "verify");
    libro_jws_json_free(j);
    /* A mutual end: Ada starts it, Bob adds his signature. */
    must(end_by(&r2, &doc, ada, LIBRO_AGREEMENT_END_MUTUAL, NULL, &err), &err, "mutual ada");
    ck_assert_uint_eq(r2.n_signed, 1);
    ck_assert_int_eq(end_by(&r3, &doc, ada, LIBRO_AGREEMENT_END_MUTUAL, &r2.statement, &err),
                     LIBRO_ERR_EXISTS);
    libro_agreement_end_result_clear(&r3);
    ck_assert_int_eq(end_by(&r3, &doc, bob, LIBRO_AGREEMENT_END_NOTICE, &r2.statement, &err),
                     LIBRO_ERR_DENIED); /* a mutual statement is no notice */
    libro_agreement_end_result_clear(&r3);
    ck_assert_int_eq(end_by(&r3, &doc, cleo, LIBRO_AGREEMENT_END_MUTUAL, &r2.statement, &err),
                     LIBRO_ERR_DENIED); /* no party */
    libro_agreement_end_result_clear(&r3);
    must(end_by(&r3, &doc, bob, LIBRO_AGREEMENT_END_MUTUAL, &r2.statement, &err), &err,
         "mutual bob");
    ck_assert_uint_eq(r3.n_signed, 2);
    ck_assert_uint_eq(r3.n_parties, 2);
    must(libro_jws_json_parse(&j, (const char *) r3.statement.data, r3.statement.len, &err), &err,
         "parse mutual");
    ck_assert_uint_eq(libro_jws_json_count(j), 2);
    must(libro_jws_json_verify(j, 0, ada, &err), &err, "ada's");
    must(libro_jws_json_verify(j, 1, bob, &err), &err, "bob's");
    libro_jws_json_free(j);
    libro_agreement_end_result_clear(&r1);
    /* Another agreement's statement is refused. */
    complete_two(&mutual_doc, true);
    ck_assert_int_eq(end_by(&r1, &mutual_doc, bob, LIBRO_AGREEMENT_END_MUTUAL, &r2.statement, &err),
                     LIBRO_ERR_DENIED);
    ck_assert_ptr_nonnull(strstr(err.msg, "another agreement"));
    libro_agreement_end_result_clear(&r1);
    /* An agreement that ends only mutually takes no notice. */
    ck_assert_int_eq(end_by(&r1, &mutual_doc, bob, LIBRO_AGREEMENT_END_NOTICE, NULL, &err),
                     LIBRO_ERR_DENIED);
    ck_assert_ptr_nonnull(strstr(err.msg, "only mutually"));
    libro_agreement_end_result_clear(&r1);
    libro_agreement_end_result_clear(&r2);
    libro_agreement_end_result_clear(&r3);
    libro_agreement_free(a);
    libro_buf_free(&doc);
    libro_buf_free(&mutual_doc);
}
END_TEST

/* Fail the 1st, 2nd, ... allocation until a draft from a description and a second party's
 * signature on a mutual end statement get through: every failure is "out of memory". */
START_TEST(test_oom)
{
    libro_agreement_end_options eo = LIBRO_AGREEMENT_END_OPTIONS_INIT;
    libro_agreement_end_result first = {LIBRO_BUF_INIT, "", 0, 0, false};
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf spec = LIBRO_BUF_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    must(libro_key_to_did(&did, ada, &err), &err, "did");
    must(libro_buf_printf(
             &spec, &err,
             "{\"title\":\"T\",\"community\":{\"id\":\"" N3 "\",\"level\":1},"
             "\"parties\":[{\"name\":\"Ada\",\"role\":\"a\",\"did\":\"%s\","
             "\"responsibilities\":[\"x\"]},{\"name\":\"Bob\",\"role\":\"b\","
             "\"key\":\"bob.pub\",\"responsibilities\":[\"y\"]}],"
             "\"ending\":{\"mutualOnly\":true},\"validUntil\":\"2099-01-01T00:00:00Z\"}",
             (const char *) did.data),
         &err, "spec");
    for (n = 1; n < 100000 && rc != LIBRO_OK; n++) {
        libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
        libro_buf out = LIBRO_BUF_INIT;

        o.spec = (const char *) spec.data;
        o.spec_len = spec.len;
        o.spec_dir = dir;
        libro__alloc_fail_after(n);
        rc = libro_issuer_agreement_draft(&out, NULL, &o, &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, NULL);
            ck_assert_uint_eq(out.len, 0);
        }
        libro_buf_free(&out);
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    complete_two(&doc, true);
    eo.document = (const char *) doc.data;
    eo.document_len = doc.len;
    eo.how = LIBRO_AGREEMENT_END_MUTUAL;
    eo.key = ada;
    eo.reason = "sold";
    must(libro_issuer_agreement_end(&first, &eo, &err), &err, "ada");
    eo.key = bob;
    eo.reason = NULL;
    eo.statement = (const char *) first.statement.data;
    eo.statement_len = first.statement.len;
    rc = LIBRO_ERR_NOMEM;
    for (n = 1; n < 100000 && rc != LIBRO_OK; n++) {
        libro_agreement_end_result r = {LIBRO_BUF_INIT, "", 0, 0, false};

        libro__alloc_fail_after(n);
        rc = libro_issuer_agreement_end(&r, &eo, &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, NULL);
        } else {
            ck_assert_uint_eq(r.n_signed, 2);
        }
        libro_agreement_end_result_clear(&r);
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    libro_agreement_end_result_clear(&first);
    libro_buf_free(&spec);
    libro_buf_free(&did);
    libro_buf_free(&doc);
}
END_TEST

/* ---- against a registry -----------------------------------------------------------------------
 */

static void
setup_registry(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t now = libro_time_now();
    libro_key *n3 = NULL;
    libro_key *reg = NULL;
    libro_credential *c;
    char *charter;
    char *auth;

    setup();
    db_path = test_db_new(dir, "n3.db");
    must(libro_key_generate(&n3, LIBRO_ALG_ED25519, &err), &err, "n3");
    must(libro_key_generate(&reg, LIBRO_ALG_ED25519, &err), &err, "reg");
    c = new_cred(LIBRO_CRED_CHARTER, N3, N3, "Neighborhood 3", now - 365 * DAY, now + 3650 * DAY);
    c->level = 1;
    c->subject_key = public_of(n3);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup("civic");
    c->n_allowed = 1;
    charter = sign(c, n3);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, N3, N3 ":registry", "Registry", now - 10 * DAY,
                 now + 3000 * DAY);
    c->subject_key = public_of(reg);
    auth = sign(c, n3);
    libro_credential_free(c);
    must(libro_registry_create(db_path, charter, auth, &err), &err, "create");
    libro_free(charter);
    libro_free(auth);
    libro_key_free(n3);
    libro_key_free(reg);
}

/* The registry's record of `hash`, and how many versions its history has. */
static size_t
record_of(libro_agreement_record *rec, const char *hash)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *c = NULL;
    libro_agreement_record *hist = NULL;
    size_t n = 0;

    memset(rec, 0, sizeof *rec);
    must(libro_registry_client_open(&c, db_path, NULL, NULL, "reader", NULL, &err), &err, "open");
    must(libro_registry_client_agreement(c, rec, &hist, &n, hash, &err), &err, "agreement");
    libro_agreement_records_free(hist, n);
    libro_registry_client_close(c);
    return n;
}

START_TEST(test_register_and_amend)
{
    libro_agreement_options ch = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf v1 = LIBRO_BUF_INIT;
    libro_buf v2 = LIBRO_BUF_INIT;
    libro_agreement_record rec;
    char h1[LIBRO_HASH_REF_SIZE];
    char h2[LIBRO_HASH_REF_SIZE];
    char want[LIBRO_HASH_REF_SIZE];

    complete_two(&v1, false);
    must(
        libro_issuer_agreement_register(h1, db_path, "clerk", (const char *) v1.data, v1.len, &err),
        &err, "register");
    must(libro_hash_ref(want, v1.data, v1.len, &err), &err, "hash");
    ck_assert_str_eq(h1, want);
    ck_assert_int_eq(
        libro_issuer_agreement_register(h1, db_path, "clerk", (const char *) v1.data, v1.len, &err),
        LIBRO_ERR_EXISTS);
    ck_assert_uint_eq(record_of(&rec, want), 1);
    ck_assert_int_eq(rec.state, LIBRO_AGREEMENT_IN_FORCE);
    ck_assert_uint_eq(rec.n_parties, 2);
    libro_agreement_record_clear(&rec);
    /* An amendment only Bob signed is PARTIAL: refused before the registry is asked. */
    ch.title = "With weekends";
    must(libro_issuer_agreement_amend(&v2, NULL, (const char *) v1.data, v1.len, &ch, &err), &err,
         "amend");
    sign_by(&v2, bob);
    ck_assert_int_eq(
        libro_issuer_agreement_register(h2, db_path, "clerk", (const char *) v2.data, v2.len, &err),
        LIBRO_ERR_DENIED);
    ck_assert_msg(strstr(err.msg, "PARTIAL: 1 of 2 parties signed; missing: Ada Example") != NULL,
                  "%s", err.msg);
    sign_by(&v2, ada);
    must(
        libro_issuer_agreement_register(h2, db_path, "clerk", (const char *) v2.data, v2.len, &err),
        &err, "register the amendment");
    ck_assert_uint_eq(record_of(&rec, want), 2);
    ck_assert_int_eq(rec.state, LIBRO_AGREEMENT_SUPERSEDED);
    ck_assert_str_eq(rec.superseded_by, h2);
    libro_agreement_record_clear(&rec);
    libro_buf_free(&v1);
    libro_buf_free(&v2);
}
END_TEST

START_TEST(test_end_recorded)
{
    libro_agreement_end_options o = LIBRO_AGREEMENT_END_OPTIONS_INIT;
    libro_agreement_end_result r1 = {LIBRO_BUF_INIT, "", 0, 0, false};
    libro_agreement_end_result r2 = {LIBRO_BUF_INIT, "", 0, 0, false};
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf notice = LIBRO_BUF_INIT;
    libro_buf mutual = LIBRO_BUF_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_agreement_record rec;
    char h[LIBRO_HASH_REF_SIZE];
    int64_t at;

    /* Bob's notice: recorded, taking effect 30 days after its time. */
    complete_two(&notice, false);
    must(libro_issuer_agreement_register(h, db_path, "clerk", (const char *) notice.data,
                                         notice.len, &err),
         &err, "register");
    at = libro_time_now();
    o.document = (const char *) notice.data;
    o.document_len = notice.len;
    o.key = bob;
    o.how = LIBRO_AGREEMENT_END_NOTICE;
    o.reason = "selling the building";
    o.at = at;
    o.target = db_path;
    o.actor = "clerk";
    must(libro_issuer_agreement_end(&r1, &o, &err), &err, "notice");
    ck_assert(r1.recorded);
    (void) record_of(&rec, h);
    ck_assert_int_eq(rec.end, LIBRO_AGREEMENT_END_NOTICE);
    ck_assert_int_eq(rec.ends_at, at + 30 * DAY);
    must(libro_key_to_did(&did, bob, &err), &err, "did");
    ck_assert_str_eq(rec.end_by, (const char *) did.data);
    ck_assert_str_eq(rec.end_reason, "selling the building");
    ck_assert_int_eq(libro_agreement_record_state(&rec, libro_time_now()),
                     LIBRO_AGREEMENT_IN_FORCE); /* the notice runs */
    libro_agreement_record_clear(&rec);
    libro_agreement_end_result_clear(&r1);
    /* A mutual end: recorded once both signed, and at once. */
    complete_two(&mutual, true);
    must(libro_issuer_agreement_register(h, db_path, "clerk", (const char *) mutual.data,
                                         mutual.len, &err),
         &err, "register mutual");
    at = libro_time_now(); /* not before its registration */
    o.at = at;
    o.document = (const char *) mutual.data;
    o.document_len = mutual.len;
    o.how = LIBRO_AGREEMENT_END_MUTUAL;
    o.key = ada;
    o.reason = "the workshop is sold";
    must(libro_issuer_agreement_end(&r1, &o, &err), &err, "ada");
    ck_assert(!r1.recorded);
    ck_assert_uint_eq(r1.n_signed, 1);
    o.key = bob;
    o.reason = NULL;
    o.statement = (const char *) r1.statement.data;
    o.statement_len = r1.statement.len;
    must(libro_issuer_agreement_end(&r2, &o, &err), &err, "bob");
    ck_assert(r2.recorded);
    (void) record_of(&rec, h);
    ck_assert_int_eq(rec.state, LIBRO_AGREEMENT_ENDED);
    ck_assert_int_eq(rec.end, LIBRO_AGREEMENT_END_MUTUAL);
    ck_assert_int_eq(rec.ends_at, at);
    ck_assert_ptr_null(rec.end_by);
    libro_agreement_record_clear(&rec);
    libro_agreement_end_result_clear(&r1);
    libro_agreement_end_result_clear(&r2);
    libro_buf_free(&notice);
    libro_buf_free(&mutual);
    libro_buf_free(&did);
}
END_TEST

START_TEST(test_reference_qr)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_lbr_kind kind = (libro_lbr_kind) 0;
    char hash[LIBRO_HASH_REF_SIZE];
    char back[LIBRO_HASH_REF_SIZE];
    int version = 0;

    must(libro_hash_ref(hash, "an agreement", 12, &err), &err, "hash");
    must(libro_issuer_reference_qr(&png, &text, &version, LIBRO_LBR_AGREEMENT, hash, &err), &err,
         "qr");
    ck_assert_uint_eq(text.len, LIBRO_LBR_TEXT_LEN);
    ck_assert_int_le(version, 12);
    ck_assert_int_ge(version, 1);
    ck_assert_uint_gt(png.len, 8);
    ck_assert_int_eq(memcmp(png.data, "\x89PNG", 4), 0);
    must(libro_lbr_decode(&kind, back, (const char *) text.data, text.len, &err), &err, "decode");
    ck_assert_int_eq(kind, LIBRO_LBR_AGREEMENT);
    ck_assert_str_eq(back, hash);
    libro_buf_clear(&text);
    ck_assert_int_eq(
        libro_issuer_reference_qr(NULL, &text, NULL, LIBRO_LBR_AGREEMENT, "sha256:zz", &err),
        LIBRO_ERR_PARSE);
    libro_buf_free(&png);
    libro_buf_free(&text);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("issuer_agreement");
    TCase *tc = tcase_create("workflows");
    TCase *refused = tcase_create("refused");
    TCase *registry = tcase_create("registry");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_draft_from_options);
    tcase_add_test(tc, test_draft_from_spec);
    tcase_add_test(tc, test_sign_any_order);
    tcase_add_test(tc, test_amend);
    tcase_add_test(tc, test_end_statements);
    tcase_add_test(tc, test_oom);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(refused, setup, teardown);
    tcase_add_loop_test(refused, test_draft_refused, 0, (int) LIBRO_NELEM(bad_drafts));
    tcase_add_loop_test(refused, test_spec_refused, 0, (int) LIBRO_NELEM(bad_specs));
    suite_add_tcase(s, refused);
    tcase_add_checked_fixture(registry, setup_registry, teardown);
    tcase_add_test(registry, test_register_and_amend);
    tcase_add_test(registry, test_end_recorded);
    tcase_add_test(registry, test_reference_qr);
    suite_add_tcase(s, registry);
    return s;
}
