/* The lean license parser (core/src/credential_scan.c) against the reference parser
 * (credential.c, jansson): licenses in every form JSON allows are accepted by the lean pass with
 * the reference's fields; every document the reference refuses for its structure or JSON is
 * declined by the lean pass and refused by libro_credential_parse with the reference's exact
 * code and message; content-rule refusals are decided by the lean pass with the same code and
 * message; other credential types are declined; an OOM loop. */
#include <stdio.h>
#include <string.h>

#include "libro/credential.h"
#include "libro/credential_parse_int.h"
#include "libro/limits.h"
#include "libro/util.h"
#include "test_util.h"

#define EXAMPLES_REL "/../../schemas/examples"

/* schemas/examples/<stem>.json, NUL-terminated. */
static void
read_example(libro_buf *out, const char *stem)
{
    char dir[4096];
    char name[128];

    ck_assert(snprintf(dir, sizeof dir, "%s%s", libro_test_data_dir(), EXAMPLES_REL) > 0);
    ck_assert(snprintf(name, sizeof name, "%s.json", stem) > 0);
    libro_test_read(out, dir, name);
    ck_assert_int_eq(libro_buf_append(out, "", 1, NULL), LIBRO_OK);
    out->len--;
}

/* The license example with every `from` replaced by `to` (`from` NULL: as it is). */
static void
license_with(libro_buf *out, const char *from, const char *to)
{
    libro_buf ex = LIBRO_BUF_INIT;
    const char *text;
    const char *at;

    read_example(&ex, "professional-license");
    text = (const char *) ex.data;
    ck_assert_msg(from == NULL || strstr(text, from) != NULL, "%s not in the example", from);
    while (from != NULL && (at = strstr(text, from)) != NULL) {
        ck_assert_int_eq(libro_buf_append(out, text, (size_t) (at - text), NULL), LIBRO_OK);
        ck_assert_int_eq(libro_buf_append_str(out, to, NULL), LIBRO_OK);
        text = at + strlen(from);
    }
    ck_assert_int_eq(libro_buf_append_str(out, text, NULL), LIBRO_OK);
    libro_buf_free(&ex);
}

/* Both parsers' written forms of what they accepted are the same bytes. */
static void
assert_same(const libro_credential *a, const libro_credential *b)
{
    libro_buf x = LIBRO_BUF_INIT;
    libro_buf y = LIBRO_BUF_INIT;

    must(libro_credential_to_json(&x, a, NULL), NULL, "write lean");
    must(libro_credential_to_json(&y, b, NULL), NULL, "write reference");
    ck_assert_uint_eq(x.len, y.len);
    ck_assert(memcmp(x.data, y.data, x.len) == 0);
    ck_assert(a->has_status == b->has_status);
    libro_buf_free(&x);
    libro_buf_free(&y);
}

/* Accepted in every form: replace `from` by `to`, then `name` must read back as `want_name`. */
static const struct {
    const char *what, *from, *to, *want_name;
    bool status;
} accepts[] = {
    {"the example", NULL, NULL, "Ada Example", true},
    {"escaped text", "\"Ada Example\"", "\"Ad\\u00e1 \\ud83d\\ude00 \\\"Ex\\/ample\\\"\"",
     "Ad\xc3\xa1 \xf0\x9f\x98\x80 \"Ex/ample\"", true},
    {"escaped member name", "\"name\":", "\"\\u006eam\\u0065\":", "Ada Example", true},
    {"raw UTF-8", "Ada Example", "Ad\xc3\xa1 \xe2\x82\xac \xf0\x9f\x98\x80",
     "Ad\xc3\xa1 \xe2\x82\xac \xf0\x9f\x98\x80", true},
    {"whitespace", "{\"@context\":[", " \r\n\t{ \"@context\" :\n[ ", "Ada Example", true},
    {"members out of order",
     "\"credentialSubject\":{\"id\":\"did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj\","
     "\"name\":\"Ada Example\",",
     "\"credentialSubject\":{\"name\":\"Ada Example\",\"id\":\"did:key:"
     "z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj\",",
     "Ada Example", true},
    {"level -0", "\"level\":2", "\"level\":-0", "Ada Example", true},
    {"no holder id", "\"id\":\"did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj\",", "",
     "Ada Example", true},
    {"no status", ",\"credentialStatus\":[", "}, \"x\":[", NULL, false},
    {"two entries", ",{\"id\":\"https://registry.town-7.example/v1/status/1/message#94567\"",
     "]}, \"x\":[{\"id\":\"\"", NULL, true},
};

/* Cut the document at the marker `to` left behind: "}, \"x\":[" ends the document there. */
static void
cut_at_marker(libro_buf *doc)
{
    const char *text = (const char *) doc->data;
    const char *at = strstr(text, ", \"x\":[");

    if (at != NULL) {
        doc->len = (size_t) (at - text);
        /* a cut inside credentialStatus keeps its "]}" before the marker */
    }
}

START_TEST(test_accepts)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *lean = NULL;
    libro_credential *ref = NULL;
    libro_credential *pub = NULL;
    bool declined = true;

    license_with(&doc, accepts[_i].from, accepts[_i].to);
    cut_at_marker(&doc);
    must(libro_credential__scan(&lean, &declined, doc.data, doc.len, &err), &err, accepts[_i].what);
    ck_assert_msg(!declined, "%s: declined", accepts[_i].what);
    must(libro_credential__parse_tree(&ref, doc.data, doc.len, &err), &err, accepts[_i].what);
    must(libro_credential_parse(&pub, doc.data, doc.len, &err), &err, accepts[_i].what);
    assert_same(lean, ref);
    assert_same(pub, ref);
    ck_assert(lean->has_status == accepts[_i].status);
    if (accepts[_i].want_name != NULL) {
        ck_assert_str_eq(lean->name, accepts[_i].want_name);
    }
    libro_credential_free(lean);
    libro_credential_free(ref);
    libro_credential_free(pub);
    libro_buf_free(&doc);
}
END_TEST

/* Refused. Most are refused by the reference for their JSON or structure: the lean pass
 * declines them and libro_credential_parse gives the reference's code and message. The last
 * ones are well formed and refused by the content rules: the lean pass decides, with the
 * reference's code and message. Messages users meet are spelled out. */
static const struct {
    const char *what, *from, *to;
    bool decided; /* by the lean pass */
    libro_code code;
    const char *msg; /* NULL: the reference's, whatever it is */
} refusals[] = {
    {"duplicate member", "\"issuer\":", "\"issuer\":\"urn:libro:x\",\"issuer\":", false,
     LIBRO_ERR_PARSE, "credential: json: duplicate object key near '\"issuer\"' at offset 166"},
    {"unknown member", "\"issuer\":", "\"issued\":1,\"issuer\":", false, LIBRO_ERR_SCHEMA,
     "credential: issued: unexpected member"},
    {"missing member", "\"licenseNumber\":\"T7-N-0001\",", "", false, LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.licenseNumber: missing"},
    {"lone surrogate", "Ada Example", "Ada \\ud83d Example", false, LIBRO_ERR_PARSE, NULL},
    {"reversed surrogates", "Ada Example", "Ada \\ude00\\ud83d Example", false, LIBRO_ERR_PARSE,
     NULL},
    {"escaped NUL", "Ada Example", "Ada \\u0000 Example", false, LIBRO_ERR_PARSE, NULL},
    {"bad escape", "Ada Example", "Ada \\x Example", false, LIBRO_ERR_PARSE, NULL},
    {"raw control", "Ada Example", "Ada \x01 Example", false, LIBRO_ERR_PARSE, NULL},
    {"overlong UTF-8", "Ada Example", "Ada \xc0\xaf Example", false, LIBRO_ERR_PARSE, NULL},
    {"overlong 3-byte UTF-8", "Ada Example", "Ada \xe0\x80\xaf Example", false, LIBRO_ERR_PARSE,
     NULL},
    {"overlong 4-byte UTF-8", "Ada Example", "Ada \xf0\x80\x80\xaf Example", false, LIBRO_ERR_PARSE,
     NULL},
    {"high surrogate then not low", "Ada Example", "Ada \\ud83d\\u0041 Example", false,
     LIBRO_ERR_PARSE, NULL},
    {"UTF-8 surrogate", "Ada Example", "Ada \xed\xa0\x80 Example", false, LIBRO_ERR_PARSE, NULL},
    {"past U+10FFFF", "Ada Example", "Ada \xf4\x90\x80\x80 Example", false, LIBRO_ERR_PARSE, NULL},
    {"cut UTF-8", "Ada Example", "Ada \xe2\x82", false, LIBRO_ERR_PARSE, NULL},
    {"trailing text", "]}]}", "]}]} x", false, LIBRO_ERR_PARSE, NULL},
    {"trailing comma", "\"level\":2}", "\"level\":2,}", false, LIBRO_ERR_PARSE, NULL},
    {"level a real", "\"level\":2", "\"level\":2.0", false, LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.community.level: not an integer"},
    {"level 9", "\"level\":2", "\"level\":9", false, LIBRO_ERR_SCHEMA, NULL},
    {"level leading zero", "\"level\":2", "\"level\":02", false, LIBRO_ERR_PARSE, NULL},
    {"level too big", "\"level\":2", "\"level\":99999999999999999999", false, LIBRO_ERR_PARSE,
     NULL},
    {"name not a string", "\"Ada Example\"", "null", false, LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: not a string"},
    {"another type", "\"ProfessionalLicense\"", "\"CommunityCharter\"", false, LIBRO_ERR_SCHEMA,
     NULL},
    {"unknown type", "\"ProfessionalLicense\"", "\"Professional\"", false, LIBRO_ERR_SCHEMA,
     "credential: type[1]: unknown credential type"},
    {"wrong schema", "professional-license.json", "community-charter.json", false, LIBRO_ERR_SCHEMA,
     NULL},
    {"time with offset", "2026-12-01T00:00:00Z", "2026-12-01T00:00:00+00:00", false, LIBRO_ERR_TIME,
     NULL},
    {"leap second", "2029-11-30T23:59:59Z", "2029-11-30T23:59:60Z", false, LIBRO_ERR_TIME, NULL},
    {"empty scope", "[\"general care\",\"medication administration\"]", "[]", false,
     LIBRO_ERR_SCHEMA, "credential: credentialSubject.scope: empty list"},
    {"index leading zero", "\"statusListIndex\":\"94567\"", "\"statusListIndex\":\"094567\"", false,
     LIBRO_ERR_SCHEMA, NULL},
    {"index too big", "\"statusListIndex\":\"94567\"", "\"statusListIndex\":\"8388608\"", false,
     LIBRO_ERR_SCHEMA, NULL},
    {"entry id elsewhere", "revocation#94567", "revocation#94568", false, LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].id: not statusListCredential + \"#\" + statusListIndex"},
    {"purposes swapped", "\"statusPurpose\":\"revocation\"", "\"statusPurpose\":\"suspension\"",
     false, LIBRO_ERR_SCHEMA, NULL},
    {"message words", "\"lapsed\"", "\"Lapsed\"", false, LIBRO_ERR_SCHEMA, NULL},
    {"status size 3", "\"statusSize\":2", "\"statusSize\":3", false, LIBRO_ERR_SCHEMA, NULL},
    {"status size on revocation", "\"statusPurpose\":\"revocation\",",
     "\"statusPurpose\":\"revocation\",\"statusSize\":2,", false, LIBRO_ERR_SCHEMA, NULL},
    {"one entry", ",{\"id\":\"https://registry.town-7.example/v1/status/1/suspension#94567\"",
     "]}, \"x\":[{\"id\":\"\"", false, LIBRO_ERR_SCHEMA, NULL},
    {"top-level array", "{\"@context\"", "[{\"@context\"", false, LIBRO_ERR_PARSE, NULL},
    {"deep", "\"level\":2", "\"level\":[[[[[[[[[[[[[[2]]]]]]]]]]]]]]", false, LIBRO_ERR_LIMIT,
     NULL},
    {"truncated", "]}]}", "]}]", false, LIBRO_ERR_PARSE, NULL},
    {"empty name", "\"Ada Example\"", "\"\"", true, LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: empty string"},
    {"C1 control in name", "Ada Example", "Ada \\u0085 Example", true, LIBRO_ERR_SCHEMA,
     "credential: credentialSubject.name: control character"},
    {"duplicate scope", "\"medication administration\"", "\"general care\"", true, LIBRO_ERR_SCHEMA,
     NULL},
    {"bad license number", "T7-N-0001", "T7 N 0001", true, LIBRO_ERR_SCHEMA, NULL},
    {"bad issuer", "urn:libro:town-7:health-board", "not an id", true, LIBRO_ERR_SCHEMA, NULL},
    {"inverted window", "2029-11-30T23:59:59Z", "2026-11-30T23:59:59Z", true, LIBRO_ERR_SCHEMA,
     "credential: validUntil: not after validFrom"},
    {"plain http list", "https://registry.town-7.example/v1/status/1/revocation",
     "http://registry.town-7.example/v1/status/1/revocation", true, LIBRO_ERR_SCHEMA, NULL},
};

START_TEST(test_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_error ref_err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    bool declined = false;
    libro_code rc;
    libro_code ref_rc;

    license_with(&doc, refusals[_i].from, refusals[_i].to);
    cut_at_marker(&doc);
    rc = libro_credential__scan(&c, &declined, doc.data, doc.len, &err);
    ck_assert_msg(declined != refusals[_i].decided, "%s: declined %d, %d (%s)", refusals[_i].what,
                  declined, rc, err.msg);
    ck_assert_ptr_null(c);
    ref_rc = libro_credential__parse_tree(&c, doc.data, doc.len, &ref_err);
    ck_assert_ptr_null(c);
    if (declined) {
        rc = libro_credential_parse(&c, doc.data, doc.len, &err);
        ck_assert_ptr_null(c);
    }
    ck_assert_msg(rc == refusals[_i].code && ref_rc == rc, "%s: got %d, reference %d (%s)",
                  refusals[_i].what, rc, ref_rc, ref_err.msg);
    ck_assert_str_eq(err.msg, ref_err.msg);
    if (refusals[_i].msg != NULL) {
        ck_assert_str_eq(err.msg, refusals[_i].msg);
    }
    libro_buf_free(&doc);
}
END_TEST

/* One status entry, at index 0 (so that no index comparison can refuse it): declined, and the
 * reference's "expected 2 or 3 entries". */
START_TEST(test_one_entry)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    bool declined = false;
    const char *second;

    license_with(&doc, "94567", "0");
    second = strstr((const char *) doc.data,
                    ",{\"id\":\"https://registry.town-7.example/v1/status/1/suspension#0\"");
    ck_assert_ptr_nonnull(second);
    doc.len = (size_t) (second - (const char *) doc.data);
    ck_assert_int_eq(libro_buf_append_str(&doc, "]}", NULL), LIBRO_OK);
    ck_assert_int_ne(libro_credential__scan(&c, &declined, doc.data, doc.len, &err), LIBRO_OK);
    ck_assert(declined);
    LIBRO_ASSERT_CODE(
        libro_credential_parse(&c, doc.data, doc.len, &err), LIBRO_ERR_SCHEMA, &err,
        "credential: credentialStatus: expected 2 or 3 entries (revocation, suspension, message)");
    ck_assert_ptr_null(c);
    libro_buf_free(&doc);
}
END_TEST

/* scope: 32 entries are read by the lean pass; 33 are declined and refused by the reference
 * (the lean pass holds room for 32). */
START_TEST(test_scope_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf list = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    bool declined = true;
    size_t n = LIBRO_MAX_LIST_ENTRIES + (size_t) _i;

    ck_assert_int_eq(libro_buf_append_str(&list, "[", NULL), LIBRO_OK);
    for (size_t i = 0; i < n; i++) {
        char entry[32];

        ck_assert_int_gt(snprintf(entry, sizeof entry, "%s\"area %zu\"", i == 0 ? "" : ",", i), 0);
        ck_assert_int_eq(libro_buf_append_str(&list, entry, NULL), LIBRO_OK);
    }
    ck_assert_int_eq(libro_buf_append(&list, "]", 2, NULL), LIBRO_OK);
    license_with(&doc, "[\"general care\",\"medication administration\"]",
                 (const char *) list.data);
    if (_i == 0) {
        must(libro_credential__scan(&c, &declined, doc.data, doc.len, &err), &err, "32 entries");
        ck_assert(!declined);
        ck_assert_uint_eq(c->n_scope, n);
        ck_assert_str_eq(c->scope[n - 1], "area 31");
        libro_credential_free(c);
    } else {
        ck_assert_int_ne(libro_credential__scan(&c, &declined, doc.data, doc.len, &err), LIBRO_OK);
        ck_assert(declined);
        LIBRO_ASSERT_CODE(libro_credential_parse(&c, doc.data, doc.len, &err), LIBRO_ERR_SCHEMA,
                          &err, "credential: credentialSubject.scope: more than 32 entries");
        ck_assert_ptr_null(c);
    }
    libro_buf_free(&list);
    libro_buf_free(&doc);
}
END_TEST

static const char *const others[] = {
    "community-charter",  "issuer-authorization",     "registry-authorization",
    "roundtable-mandate", "responsibility-agreement", "community-law",
};

/* Every other type is the reference's; libro_credential_parse still reads it. */
START_TEST(test_other_types)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    bool declined = false;

    read_example(&doc, others[_i]);
    ck_assert_int_ne(libro_credential__scan(&c, &declined, doc.data, doc.len, &err), LIBRO_OK);
    ck_assert(declined);
    ck_assert_ptr_null(c);
    must(libro_credential_parse(&c, doc.data, doc.len, &err), &err, others[_i]);
    ck_assert_int_ne(c->type, LIBRO_CRED_LICENSE);
    libro_credential_free(c);
    libro_buf_free(&doc);
}
END_TEST

/* The size cap is the license's: at 8 KiB the lean pass reads it, one byte more the reference
 * refuses it. */
START_TEST(test_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    bool declined = true;
    size_t pad;

    license_with(&doc, NULL, NULL);
    pad = LIBRO_MAX_CLAIMS_BYTES - doc.len + (size_t) _i;
    libro_buf_free(&doc);
    {
        char *spaces = libro_malloc(pad + 1);

        ck_assert_ptr_nonnull(spaces);
        memset(spaces, ' ', pad);
        spaces[pad] = '\0';
        license_with(&doc, "]}]}", "]}]}");
        ck_assert_int_eq(libro_buf_append_str(&doc, spaces, NULL), LIBRO_OK);
        libro_free(spaces);
    }
    ck_assert_uint_eq(doc.len, LIBRO_MAX_CLAIMS_BYTES + (size_t) _i);
    if (_i == 0) {
        must(libro_credential__scan(&c, &declined, doc.data, doc.len, &err), &err, "at the cap");
        ck_assert(!declined);
        libro_credential_free(c);
    } else {
        ck_assert_int_ne(libro_credential__scan(&c, &declined, doc.data, doc.len, &err), LIBRO_OK);
        ck_assert(declined);
        LIBRO_ASSERT_CODE(libro_credential_parse(&c, doc.data, doc.len, &err), LIBRO_ERR_LIMIT,
                          &err, "credential: json: document larger than 8192 bytes");
    }
    ck_assert_ptr_null(_i == 0 ? NULL : c);
    libro_buf_free(&doc);
}
END_TEST

/* Fail the 1st, 2nd, ... allocation of the lean pass: each is NOMEM, decided (never handed to
 * the reference), until it gets through. */
START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_code rc = LIBRO_ERR_NOMEM;
    unsigned long n;

    license_with(&doc, "Ada Example", "Ad\\u00e1 Example"); /* the decoding buffer too */
    for (n = 1; n < 1000 && rc != LIBRO_OK; n++) {
        bool declined = true;

        libro__alloc_fail_after(n);
        rc = libro_credential__scan(&c, &declined, doc.data, doc.len, &err);
        libro__alloc_fail_after(0);
        ck_assert(!declined);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
            ck_assert_ptr_null(c);
        }
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 10);
    ck_assert_str_eq(c->name, "Ad\xc3\xa1 Example");
    libro_credential_free(c);
    libro_buf_free(&doc);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("credential_scan");
    TCase *accept = tcase_create("accepts");
    TCase *refuse = tcase_create("refuses");
    TCase *limits = tcase_create("limits");

    tcase_add_loop_test(accept, test_accepts, 0, (int) LIBRO_NELEM(accepts));
    tcase_add_loop_test(accept, test_other_types, 0, (int) LIBRO_NELEM(others));
    tcase_add_loop_test(refuse, test_refusals, 0, (int) LIBRO_NELEM(refusals));
    tcase_add_test(refuse, test_one_entry);
    tcase_add_loop_test(limits, test_cap, 0, 2);
    tcase_add_loop_test(limits, test_scope_cap, 0, 2);
    tcase_add_test(limits, test_oom);
    suite_add_tcase(s, accept);
    suite_add_tcase(s, refuse);
    suite_add_tcase(s, limits);
    return s;
}
