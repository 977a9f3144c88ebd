/* Agreements in the registry (registry/src/agreement.c): only COMPLETE agreements are
 * registered (every refusal with its code and message); an amendment is a new COMPLETE version
 * that every party of the old one signed, and the old one becomes superseded; an agreement
 * ends by one party's notice (taking effect after the notice days) or by every party's
 * signature; each change is a log leaf, and the history is every version of the chain. */
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

static const int both[] = {0, 1};
static const int three[] = {0, 1, 2};

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    now = libro_time_now();
    rt_setup(&F, now - 365 * DAY, now + 3650 * DAY, 0, RT_LIST_BASE);
    must(libro_registry_open(&reg, F.db_path, &err), &err, "open");
}

static void
teardown(void)
{
    libro_registry_close(reg);
    reg = NULL;
    rt_teardown(&F);
}

/* The agreement among holders 0 and 1 with 30 days' notice, signed by both. */
static char *
workshop(const char *supersedes, const char *title)
{
    return tl_agreement(&F, both, 2, now - DAY, now + 365 * DAY, 30, supersedes, title, both, 2);
}

static void
register_ok(char hash[LIBRO_HASH_REF_SIZE], const char *doc)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_registry_register_agreement(reg, NULL, doc, strlen(doc), "clerk", now, hash, &err),
         &err, "register");
}

static libro_code
end_with(const char *hash, const char *statement, int64_t at, libro_error *err)
{
    return libro_registry_end_agreement(reg, NULL, hash, statement, strlen(statement), "clerk", at,
                                        err);
}

START_TEST(test_register_and_read)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *doc = workshop(NULL, "Shared use of the <Tribe 2> workshop");
    char hash[LIBRO_HASH_REF_SIZE];
    char want[LIBRO_HASH_REF_SIZE];
    libro_agreement_record a = {0};
    libro_agreement_record *h = NULL;
    libro_agreement_record *all = NULL;
    size_t n = 0;
    uint64_t before = tl_log_size(reg);

    register_ok(hash, doc);
    tl_hash(want, doc);
    ck_assert_str_eq(hash, want);
    ck_assert_uint_eq(tl_log_size(reg), before + 1);
    must(libro_registry_agreement(reg, &a, &h, &n, hash, &err), &err, "get");
    ck_assert_str_eq(a.title, "Shared use of the <Tribe 2> workshop");
    ck_assert_str_eq(a.community, RT_COMMUNITY);
    ck_assert_uint_eq(a.n_parties, 2);
    ck_assert_str_eq(a.parties[0].id, F.holder_did[0]);
    ck_assert_str_eq(a.parties[1].name, "Ravi <Singh> & Co");
    ck_assert_str_eq(a.parties[1].role, "neighbor");
    ck_assert_int_eq(a.state, LIBRO_AGREEMENT_IN_FORCE);
    ck_assert_uint_eq(a.notice_days, 30);
    ck_assert(!a.mutual_only);
    ck_assert_ptr_null(a.supersedes);
    ck_assert_int_eq(a.registered_at, now);
    ck_assert_int_eq(a.valid_until, now + 365 * DAY);
    ck_assert_str_eq(a.document, doc);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(h[0].hash, hash);
    libro_agreement_records_free(h, n);
    h = NULL;
    must(libro_registry_agreements(reg, &all, &n, &err), &err, "list");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(all[0].hash, hash);
    libro_agreement_records_free(all, n);
    /* The same document again. */
    LIBRO_ASSERT_CODE(
        libro_registry_register_agreement(reg, NULL, doc, strlen(doc), "clerk", now, NULL, &err),
        LIBRO_ERR_EXISTS, &err, "already registered");
    ck_assert_uint_eq(tl_log_size(reg), before + 1);
    ck_assert_str_eq(libro_agreement_state_name(LIBRO_AGREEMENT_SUPERSEDED), "superseded");
    ck_assert_str_eq(libro_agreement_end_name(LIBRO_AGREEMENT_END_MUTUAL), "mutual");
    ck_assert_ptr_null(libro_agreement_state_name((libro_agreement_state) 9));
    libro_agreement_record_clear(&a);
    libro_free(doc);
}
END_TEST

/* Documents the registry refuses, with the code and a part of the message. */
static const struct {
    const char *name;
    int signers[3];
    size_t n_signers;
    const char *community; /* NULL: the registry's */
    int64_t until_days;    /* from now */
    libro_code want;
    const char *msg;
} refused[] = {
    {"unsigned draft", {0}, 0, NULL, 365, LIBRO_ERR_DENIED, "partial, 0 of 3 parties signed"},
    {"party 2 missing",
     {0, 1},
     2,
     NULL,
     365,
     LIBRO_ERR_DENIED,
     "partial, 2 of 3 parties signed; missing: did:key:"},
    {"party 1 missing", {0, 2}, 2, NULL, 365, LIBRO_ERR_DENIED, "2 of 3"},
    {"a non-party signed", {0, 1, 3}, 3, NULL, 365, LIBRO_ERR_DENIED, "is not a party"},
    {"another community",
     {0, 1, 2},
     3,
     "urn:libro:neighborhood-4",
     365,
     LIBRO_ERR_DENIED,
     "framed by the law of urn:libro:neighborhood-4"},
    {"term over", {0, 1, 2}, 3, NULL, -1, LIBRO_ERR_EXPIRED, "its term is over"},
};

START_TEST(test_register_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *doc;
    uint64_t before = tl_log_size(reg);
    libro_agreement_record *all = NULL;
    size_t n = 0;

    doc = tl_agreement(&F, three, 3, now - 400 * DAY, now + refused[_i].until_days * DAY, 30, NULL,
                       "Workshop", refused[_i].signers, refused[_i].n_signers);
    if (refused[_i].community != NULL) {
        /* The community is inside the signed payload: re-draft and re-sign under the other. */
        libro_free(doc);
        doc = NULL;
        {
            libro_credential *c = NULL;
            libro_agreement *ag = NULL;
            libro_buf d = LIBRO_BUF_INIT;
            char *base = tl_agreement(&F, three, 3, now - 400 * DAY, now + 365 * DAY, 30, NULL,
                                      "Workshop", three, 0);

            must(libro_agreement_check(&ag, base, strlen(base), &err), &err, "draft check");
            c = ag->cred;
            libro_free(c->community_id);
            c->community_id = libro_strndup(refused[_i].community, strlen(refused[_i].community));
            must(libro_agreement_draft(&d, c, &err), &err, "redraft");
            for (size_t i = 0; i < refused[_i].n_signers; i++) {
                libro_buf next = LIBRO_BUF_INIT;

                must(libro_agreement_sign(&next, (const char *) d.data, d.len,
                                          F.holder_key[refused[_i].signers[i]], &err),
                     &err, "sign");
                libro_buf_free(&d);
                d = next;
            }
            doc = libro_strndup((const char *) d.data, d.len);
            libro_buf_free(&d);
            libro_agreement_free(ag);
            libro_free(base);
        }
    }
    LIBRO_ASSERT_CODE(
        libro_registry_register_agreement(reg, NULL, doc, strlen(doc), "clerk", now, NULL, &err),
        refused[_i].want, &err, refused[_i].msg);
    ck_assert_uint_eq(tl_log_size(reg), before);
    must(libro_registry_agreements(reg, &all, &n, &err), &err, "list");
    ck_assert_uint_eq(n, 0);
    libro_agreement_records_free(all, n);
    libro_free(doc);
}
END_TEST

START_TEST(test_malformed_input)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_agreement_record a = {0};
    static const char with_nul[] = "{\"payload\":\"e30\",\0\"signatures\":[]}";

    LIBRO_ASSERT_CODE(
        libro_registry_register_agreement(reg, NULL, "{}", 2, "clerk", now, NULL, &err),
        LIBRO_ERR_PARSE, &err, "agreement");
    LIBRO_ASSERT_CODE(libro_registry_register_agreement(reg, NULL, with_nul, sizeof with_nul - 1,
                                                        "clerk", now, NULL, &err),
                      LIBRO_ERR_PARSE, &err, "NUL byte");
    LIBRO_ASSERT_CODE(
        libro_registry_register_agreement(reg, NULL, NULL, 0, "clerk", now, NULL, &err),
        LIBRO_ERR_INVALID_ARG, &err, "NULL argument");
    LIBRO_ASSERT_CODE(libro_registry_agreement(reg, &a, NULL, NULL, "sha256:12", &err),
                      LIBRO_ERR_INVALID_ARG, &err, "a hash is");
    LIBRO_ASSERT_CODE(libro_registry_agreement(reg, &a, NULL, NULL,
                                               "sha256:0123456789abcdef0123456789abcdef0123456789"
                                               "abcdef0123456789abcdef",
                                               &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no agreement");
}
END_TEST

START_TEST(test_amend)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *v1 = workshop(NULL, "Workshop");
    char h1[LIBRO_HASH_REF_SIZE];
    char h2[LIBRO_HASH_REF_SIZE];
    char h3[LIBRO_HASH_REF_SIZE];
    char *v2;
    char *v3;
    char *again;
    char *dropped;
    char *partial;
    char *stray;
    libro_agreement_record a = {0};
    libro_agreement_record *h = NULL;
    size_t n = 0;
    uint64_t before;

    register_ok(h1, v1);
    /* An amendment that leaves a party of the old version out, or lacks a signature. */
    dropped = tl_agreement(&F, (const int[]){0, 2}, 2, now - DAY, now + 365 * DAY, 30, h1,
                           "Workshop without Ravi", (const int[]){0, 2}, 2);
    LIBRO_ASSERT_CODE(libro_registry_register_agreement(reg, NULL, dropped, strlen(dropped),
                                                        "clerk", now, NULL, &err),
                      LIBRO_ERR_DENIED, &err, "is no party of the amendment (end it instead)");
    partial = tl_agreement(&F, both, 2, now - DAY, now + 365 * DAY, 30, h1, "Workshop v2", both, 1);
    LIBRO_ASSERT_CODE(libro_registry_register_agreement(reg, NULL, partial, strlen(partial),
                                                        "clerk", now, NULL, &err),
                      LIBRO_ERR_DENIED, &err, "partial, 1 of 2");
    stray = workshop("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                     "Workshop v2");
    LIBRO_ASSERT_CODE(libro_registry_register_agreement(reg, NULL, stray, strlen(stray), "clerk",
                                                        now, NULL, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "is not registered");
    /* A third party joins in version 2: every party of version 1 is still one, and signed. */
    before = tl_log_size(reg);
    v2 = tl_agreement(&F, three, 3, now - DAY, now + 365 * DAY, 30, h1, "Workshop v2", three, 3);
    register_ok(h2, v2);
    ck_assert_uint_eq(tl_log_size(reg), before + 2); /* the amendment and the supersession */
    must(libro_registry_agreement(reg, &a, &h, &n, h1, &err), &err, "v1");
    ck_assert_int_eq(a.state, LIBRO_AGREEMENT_SUPERSEDED);
    ck_assert_str_eq(a.superseded_by, h2);
    ck_assert_int_eq(a.superseded_at, now);
    ck_assert_int_eq(libro_agreement_record_state(&a, now + 1000 * DAY),
                     LIBRO_AGREEMENT_SUPERSEDED);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(h[0].hash, h1);
    ck_assert_str_eq(h[1].hash, h2);
    libro_agreement_records_free(h, n);
    h = NULL;
    libro_agreement_record_clear(&a);
    /* Version 1 is amended already: another amendment of it is refused. */
    again =
        tl_agreement(&F, three, 3, now - DAY, now + 365 * DAY, 30, h1, "Workshop v2bis", three, 3);
    LIBRO_ASSERT_CODE(libro_registry_register_agreement(reg, NULL, again, strlen(again), "clerk",
                                                        now, NULL, &err),
                      LIBRO_ERR_DENIED, &err, "the version it amends is superseded");
    v3 = tl_agreement(&F, three, 3, now - DAY, now + 365 * DAY, 0, h2, "Workshop v3", three, 3);
    register_ok(h3, v3);
    /* The history is the same chain from any version. */
    must(libro_registry_agreement(reg, &a, &h, &n, h2, &err), &err, "v2");
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(h[0].hash, h1);
    ck_assert_str_eq(h[2].hash, h3);
    ck_assert_str_eq(h[2].supersedes, h2);
    ck_assert(h[2].mutual_only);
    ck_assert_int_eq(h[2].state, LIBRO_AGREEMENT_IN_FORCE);
    libro_agreement_records_free(h, n);
    libro_agreement_record_clear(&a);
    libro_free(v1);
    libro_free(v2);
    libro_free(v3);
    libro_free(again);
    libro_free(dropped);
    libro_free(partial);
    libro_free(stray);
}
END_TEST

START_TEST(test_end_by_notice)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *doc = workshop(NULL, "Workshop");
    char hash[LIBRO_HASH_REF_SIZE];
    char *notice;
    char *amend;
    libro_agreement_record a = {0};
    uint64_t before;

    register_ok(hash, doc);
    before = tl_log_size(reg);
    notice = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now + 60, "moving away", (const int[]){1},
                    1, NULL);
    must(end_with(hash, notice, now + 60, &err), &err, "notice");
    ck_assert_uint_eq(tl_log_size(reg), before + 1);
    must(libro_registry_agreement(reg, &a, NULL, NULL, hash, &err), &err, "get");
    ck_assert_int_eq(a.state, LIBRO_AGREEMENT_ENDED);
    ck_assert_int_eq(a.end, LIBRO_AGREEMENT_END_NOTICE);
    ck_assert_int_eq(a.end_given_at, now + 60);
    ck_assert_int_eq(a.ends_at, now + 60 + 30 * DAY);
    ck_assert_str_eq(a.end_by, F.holder_did[1]);
    ck_assert_str_eq(a.end_reason, "moving away");
    ck_assert_str_eq(a.end_statement, notice);
    /* In force while the notice runs, ended from its last second on. */
    ck_assert_int_eq(libro_agreement_record_state(&a, now + 30 * DAY), LIBRO_AGREEMENT_IN_FORCE);
    ck_assert_int_eq(libro_agreement_record_state(&a, now + 60 + 30 * DAY), LIBRO_AGREEMENT_ENDED);
    /* Ending twice, or amending what is ending, is refused. */
    LIBRO_ASSERT_CODE(end_with(hash, notice, now + 120, &err), LIBRO_ERR_DENIED, &err,
                      "is ending or ended already");
    amend = workshop(hash, "Workshop v2");
    LIBRO_ASSERT_CODE(libro_registry_register_agreement(reg, NULL, amend, strlen(amend), "clerk",
                                                        now + 120, NULL, &err),
                      LIBRO_ERR_DENIED, &err, "only one in force is amended");
    libro_agreement_record_clear(&a);
    libro_free(amend);
    libro_free(notice);
    libro_free(doc);
}
END_TEST

START_TEST(test_end_mutual)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *doc = tl_agreement(&F, three, 3, now - DAY, now + 365 * DAY, 0, NULL, "Garden", three, 3);
    char hash[LIBRO_HASH_REF_SIZE];
    char *notice;
    char *two;
    char *all;
    libro_agreement_record a = {0};

    register_ok(hash, doc);
    /* mutualOnly: a notice is refused; a mutual end needs every party. */
    notice = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now, "tired", (const int[]){0}, 1, NULL);
    LIBRO_ASSERT_CODE(end_with(hash, notice, now, &err), LIBRO_ERR_DENIED, &err,
                      "ends only by mutual agreement, not by notice");
    two = tl_end(&F, hash, LIBRO_AGREEMENT_END_MUTUAL, now, "done", (const int[]){2, 0}, 2, NULL);
    LIBRO_ASSERT_CODE(end_with(hash, two, now, &err), LIBRO_ERR_DENIED, &err,
                      "a mutual end needs every party; missing: did:key:");
    all = tl_end(&F, hash, LIBRO_AGREEMENT_END_MUTUAL, now, "the garden is sold",
                 (const int[]){2, 0, 1}, 3, NULL);
    must(end_with(hash, all, now, &err), &err, "mutual");
    must(libro_registry_agreement(reg, &a, NULL, NULL, hash, &err), &err, "get");
    ck_assert_int_eq(a.end, LIBRO_AGREEMENT_END_MUTUAL);
    ck_assert_int_eq(a.ends_at, now);
    ck_assert_ptr_null(a.end_by);
    ck_assert_int_eq(libro_agreement_record_state(&a, now), LIBRO_AGREEMENT_ENDED);
    libro_agreement_record_clear(&a);
    libro_free(all);
    libro_free(two);
    libro_free(notice);
    libro_free(doc);
}
END_TEST

START_TEST(test_end_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *doc = workshop(NULL, "Workshop");
    char *other_doc = workshop(NULL, "Another workshop");
    char hash[LIBRO_HASH_REF_SIZE];
    char other[LIBRO_HASH_REF_SIZE];
    char *s;
    uint64_t before;

    register_ok(hash, doc);
    register_ok(other, other_doc);
    before = tl_log_size(reg);
    /* Signed by no party. */
    s = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now, "leaving", (const int[]){3}, 1, NULL);
    LIBRO_ASSERT_CODE(end_with(hash, s, now, &err), LIBRO_ERR_DENIED, &err, "is not a party");
    libro_free(s);
    /* A statement of another agreement. */
    s = tl_end(&F, other, LIBRO_AGREEMENT_END_NOTICE, now, "leaving", (const int[]){0}, 1, NULL);
    LIBRO_ASSERT_CODE(end_with(hash, s, now, &err), LIBRO_ERR_DENIED, &err, "it names agreement");
    libro_free(s);
    /* Another media type. */
    s = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now, "leaving", (const int[]){0}, 1, "vc+jwt");
    LIBRO_ASSERT_CODE(end_with(hash, s, now, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "typ is not libro-agreement-end+json");
    libro_free(s);
    /* Dated ahead of the clock, or before the registration. */
    s = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now + 3600, "leaving", (const int[]){0}, 1,
               NULL);
    LIBRO_ASSERT_CODE(end_with(hash, s, now, &err), LIBRO_ERR_DENIED, &err,
                      "dated outside the agreement's time");
    libro_free(s);
    s = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now - 3600, "leaving", (const int[]){0}, 1,
               NULL);
    LIBRO_ASSERT_CODE(end_with(hash, s, now, &err), LIBRO_ERR_DENIED, &err,
                      "dated outside the agreement's time");
    libro_free(s);
    /* A payload swapped under the signature. */
    s = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now, "leaving", (const int[]){0}, 1, NULL);
    {
        char *p = strstr(s, "\"payload\":\"");

        ck_assert_ptr_nonnull(p);
        p += strlen("\"payload\":\"") + 4;
        *p = *p == 'A' ? 'B' : 'A';
    }
    {
        libro_code rc = end_with(hash, s, now, &err);

        ck_assert_msg(rc == LIBRO_ERR_BAD_SIGNATURE || rc == LIBRO_ERR_PARSE, "swapped: %d (%s)",
                      rc, err.msg);
    }
    libro_free(s);
    LIBRO_ASSERT_CODE(end_with(hash, "{\"payload\":", now, &err), LIBRO_ERR_PARSE, &err,
                      "end statement");
    s = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now, "leaving", (const int[]){0}, 1, NULL);
    LIBRO_ASSERT_CODE(end_with("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
                               "abcdef",
                               s, now, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no agreement");
    LIBRO_ASSERT_CODE(
        libro_agreement_end_payload(NULL, hash, LIBRO_AGREEMENT_END_NOTICE, now, "x", &err),
        LIBRO_ERR_INVALID_ARG, &err, "notice or mutual");
    {
        libro_buf b = LIBRO_BUF_INIT;

        LIBRO_ASSERT_CODE(
            libro_agreement_end_payload(&b, hash, LIBRO_AGREEMENT_END_NOTICE, now, "", &err),
            LIBRO_ERR_INVALID_ARG, &err, "reason");
        LIBRO_ASSERT_CODE(
            libro_agreement_end_payload(&b, "sha256:x", LIBRO_AGREEMENT_END_NOTICE, now, "x", &err),
            LIBRO_ERR_INVALID_ARG, &err, "a hash is");
        libro_buf_free(&b);
    }
    ck_assert_uint_eq(tl_log_size(reg), before);
    libro_free(s);
    libro_free(doc);
    libro_free(other_doc);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("registry_agreement");
    TCase *tc = tcase_create("agreements");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_register_and_read);
    tcase_add_loop_test(tc, test_register_refusals, 0, (int) LIBRO_NELEM(refused));
    tcase_add_test(tc, test_malformed_input);
    tcase_add_test(tc, test_amend);
    tcase_add_test(tc, test_end_by_notice);
    tcase_add_test(tc, test_end_mutual);
    tcase_add_test(tc, test_end_refusals);
    suite_add_tcase(s, tc);
    return s;
}
