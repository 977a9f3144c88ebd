/* Agreements and laws over HTTP (registry/src/http: laws.c, pages_law.c, router.c, bundle.c)
 * and the client (registry/src/client.c). Requests go straight into libro_http__handle, as in
 * check_roundtable_api: documents posted as themselves (an agreement, an end statement, a
 * consent step, an adopted law), every refusal with its status and JSON code, the public reads
 * in JSON and in HTML with every text escaped, the trust bundle's index of agreements and
 * laws. Then a whole consent process and an agreement's life through the client, on a real
 * server on loopback (port 0) and on the database in-process. */
#include <stdio.h>
#include <string.h>

#include "../registry/src/http/http_int.h"
#include "libro/api.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/registry_client.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_law.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define BASE "http://127.0.0.1:7777"
#define JOSE_JSON "application/jose+json"
#define JOSE "application/jose"

static rt_fixture F;
static int64_t now;
static int64_t t0;
static int64_t review;
static libro_registry *reg;  /* the fixture's own handle */
static libro_registry *hreg; /* the "connection's" handle, opened by the routes */
static libro_http_ctx ctx;
static bool ctx_ready;
static libro_http__response R;
static json_t *R_json;
static tl_process P;

static const int both[] = {0, 1};

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;

    now = libro_time_now();
    t0 = now - 10 * DAY;
    review = now + 365 * DAY;
    rt_setup(&F, now - 365 * DAY, now + 3650 * DAY, 0, "http://127.0.0.1");
    must(libro_registry_open(&reg, F.db_path, &err), &err, "open");
    tl_roundtable(&F, reg, now - 30 * DAY, rt_term_end(now - 30 * DAY, 3), now - 30 * DAY);
    opt.db_path = F.db_path;
    opt.registry_key = F.registry_key;
    opt.base_url = BASE "/";
    must(libro_http__ctx_init(&ctx, &opt, &err), &err, "ctx");
    ctx_ready = true;
    memset(&R, 0, sizeof R);
    R_json = NULL;
    memset(&P, 0, sizeof P);
    P.f = &F;
    P.law = TL_LAW;
}

static void
teardown(void)
{
    json_decref(R_json);
    R_json = NULL;
    libro_http__response_clear(&R);
    if (ctx_ready) {
        libro_http__ctx_clear(&ctx);
        ctx_ready = false;
    }
    libro_registry_close(hreg);
    hreg = NULL;
    libro_registry_close(reg);
    reg = NULL;
    rt_teardown(&F);
}

/* ---- requests ------------------------------------------------------------------------------ */

/* One request through the routes; the answer lands in R (and R_json when it is JSON). */
static void
call(const char *method, const char *path, const char *accept, const char *type, const char *within,
     const char *run, const char *body)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http__request req;

    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.version = "HTTP/1.1";
    req.host = "127.0.0.1";
    req.n_host = 1;
    req.accept = accept;
    req.arg_within = within;
    req.arg_run = run;
    req.content_type = type;
    req.client[15] = 1;
    json_decref(R_json);
    R_json = NULL;
    libro_http__response_clear(&R);
    libro_http__handle(&R, &ctx, &hreg, &req, (const unsigned char *) body,
                       body == NULL ? 0 : strlen(body));
    ck_assert_uint_ne(R.status, 0);
    if (R.body.len > 0 && R.content_type != NULL &&
        strcmp(R.content_type, "application/json") == 0) {
        must(libro_json__load(&R_json, (const char *) R.body.data, R.body.len, NULL, &err), &err,
             "answer is JSON");
    }
}

static void
get(const char *path)
{
    call("GET", path, NULL, NULL, NULL, NULL, NULL);
}

static void
get_html(const char *path)
{
    call("GET", path, "text/html", NULL, NULL, NULL, NULL);
}

static void
post(const char *path, const char *type, const char *body)
{
    call("POST", path, NULL, type, NULL, NULL, body);
}

static void
assert_status(unsigned status, const char *what)
{
    ck_assert_msg(R.status == status, "%s: status %u, want %u: %.*s", what, R.status, status,
                  (int) (R.body.len > 300 ? 300 : R.body.len),
                  R.body.data != NULL ? (const char *) R.body.data : "");
}

static void
assert_error(unsigned status, const char *code, const char *what)
{
    const char *got = json_string_value(json_object_get(json_object_get(R_json, "error"), "code"));

    assert_status(status, what);
    ck_assert_msg(got != NULL && strcmp(got, code) == 0, "%s: code %s, want %s", what,
                  got != NULL ? got : "(none)", code);
}

static const char *
member(const char *name)
{
    return json_string_value(json_object_get(R_json, name));
}

static bool
body_has(const char *s)
{
    return R.body.data != NULL && strstr((const char *) R.body.data, s) != NULL;
}

static char *
workshop(const char *supersedes, const char *title)
{
    return tl_agreement(&F, both, 2, now - DAY, now + 365 * DAY, 30, supersedes, title, both, 2);
}

static char *
step_path(char out[300], const char *law)
{
    ck_assert_int_gt(snprintf(out, 300, "/v1/laws/%s/steps", law), 0);
    return out;
}

/* POST a step the registry must take; the process advances. */
static void
step_ok(char *token, char hash[LIBRO_HASH_REF_SIZE])
{
    char path[300];

    post(step_path(path, TL_LAW), JOSE, token);
    assert_status(201, "step");
    tl_accept(&P, token, hash);
    ck_assert_str_eq(member("step"), P.prev);
    ck_assert_str_eq(member("process"), TL_LAW);
    ck_assert_int_eq(json_integer_value(json_object_get(R_json, "seq")), P.seq - 1);
    libro_free(token);
}

static char *
propose(int holder, int64_t at)
{
    tl_step_args a = {.text = "No <loud> music after 22:00.", .review = review};

    return tl_step(&P, holder, LIBRO_STEP_PROPOSE, at, &a);
}

static char *
respond(int holder, int64_t at, uint32_t version, uint32_t round, bool consent)
{
    tl_step_args a = {.version = version,
                      .round = round,
                      .consent = consent,
                      .reason = consent ? NULL : "night <shifts>",
                      .harm = consent ? NULL : "households working nights cannot rest"};

    return tl_step(&P, holder, LIBRO_STEP_RESPOND, at, &a);
}

/* The bundle's payload, signature checked (caller decrefs). */
static json_t *
bundle(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws *jws = NULL;
    json_t *b = NULL;
    const unsigned char *p;
    size_t len = 0;

    get("/v1/bundle");
    assert_status(200, "bundle");
    must(libro_jws_parse_ex(&jws, (const char *) R.body.data, R.body.len,
                            LIBRO_MAX_BUNDLE_TOKEN_BYTES, LIBRO_MAX_BUNDLE_PAYLOAD_BYTES, &err),
         &err, "bundle");
    must(libro_jws_verify(jws, F.registry_key, &err), &err, "bundle signature");
    p = libro_jws_payload(jws, &len);
    must(libro_json__load(&b, (const char *) p, len, NULL, &err), &err, "bundle json");
    libro_jws_free(jws);
    return b;
}

/* ---- agreements ---------------------------------------------------------------------------- */

START_TEST(test_agreement_http)
{
    char *v1 = workshop(NULL, "Shared use of the <Tribe 2> workshop");
    char *v2;
    char *notice;
    char h1[LIBRO_HASH_REF_SIZE];
    char h2[LIBRO_HASH_REF_SIZE];
    char path[200];
    json_t *b;
    json_t *a;

    /* No agreement yet: the bundle has no index. */
    b = bundle();
    ck_assert_ptr_null(json_object_get(b, "agreements"));
    ck_assert_ptr_null(json_object_get(b, "laws"));
    json_decref(b);

    post("/v1/agreements", JOSE_JSON, v1);
    assert_status(201, "register");
    tl_hash(h1, v1);
    ck_assert_str_eq(member("agreement"), h1);
    ck_assert_str_eq(member("state"), "in force");
    ck_assert_int_gt(snprintf(path, sizeof path, "/v1/agreements/%s", h1), 0);
    get(path);
    assert_status(200, "get");
    a = json_object_get(R_json, "agreement");
    ck_assert_str_eq(json_string_value(json_object_get(a, "title")),
                     "Shared use of the <Tribe 2> workshop");
    ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "in force");
    ck_assert_str_eq(json_string_value(json_object_get(a, "document")), v1);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(a, "ending"), "noticeDays")), 30);
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "history")), 1);
    ck_assert_ptr_nonnull(strstr(R.cache_control, "no-cache"));
    ck_assert(R.vary_accept);
    get_html(path);
    assert_status(200, "page");
    ck_assert(body_has("Shared use of the &lt;Tribe 2&gt; workshop"));
    ck_assert(body_has("Ravi &lt;Singh&gt; &amp; Co"));
    ck_assert(!body_has("<Singh>"));
    ck_assert(!body_has("<Tribe 2>"));
    ck_assert(body_has("<li>keep the &lt;workshop&gt; tidy</li>"));
    ck_assert(!body_has("<workshop>"));

    /* The amendment supersedes it; the history is both. */
    v2 = workshop(h1, "Shared use of the workshop, weekends too");
    post("/v1/agreements", JOSE_JSON, v2);
    assert_status(201, "amend");
    memcpy(h2, member("agreement"), sizeof h2);
    get(path);
    a = json_object_get(R_json, "agreement");
    ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "superseded");
    ck_assert_str_eq(json_string_value(json_object_get(a, "supersededBy")), h2);
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "history")), 2);

    /* Notice by one party: still in force while it runs. */
    notice =
        tl_end(&F, h2, LIBRO_AGREEMENT_END_NOTICE, now, "moving away", (const int[]){1}, 1, NULL);
    ck_assert_int_gt(snprintf(path, sizeof path, "/v1/agreements/%s/end", h2), 0);
    post(path, JOSE_JSON, notice);
    assert_status(200, "notice");
    ck_assert_str_eq(member("state"), "in force");
    ck_assert_ptr_nonnull(member("takesEffect"));
    ck_assert_int_gt(snprintf(path, sizeof path, "/v1/agreements/%s", h2), 0);
    get(path);
    a = json_object_get(R_json, "agreement");
    ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "ended");
    ck_assert_str_eq(json_string_value(json_object_get(a, "stateNow")), "in force");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "end"), "reason")),
                     "moving away");
    get_html(path);
    ck_assert(body_has("by notice"));
    ck_assert(body_has("takes effect"));
    ck_assert(body_has("<dt>Notice given by</dt><dd>Ravi &lt;Singh&gt; &amp; Co</dd>"));

    /* The bundle's index: the first version superseded, the second ended from the day its
     * notice runs out (a verifier reads a later since as in force until then). */
    b = bundle();
    {
        json_t *list = json_object_get(b, "agreements");
        json_t *e0 = json_array_get(list, 0);
        json_t *e1 = json_array_get(list, 1);

        ck_assert_uint_eq(json_array_size(list), 2);
        ck_assert_str_eq(json_string_value(json_object_get(e0, "hash")), h1);
        ck_assert_str_eq(json_string_value(json_object_get(e0, "state")), "superseded");
        ck_assert_str_eq(json_string_value(json_object_get(e1, "hash")), h2);
        ck_assert_str_eq(json_string_value(json_object_get(e1, "state")), "ended");
        ck_assert_ptr_null(json_object_get(e1, "ends"));
        {
            char when[LIBRO_TIME_TEXT_MAX];
            libro_error err = LIBRO_ERROR_INIT;

            must(libro_time_format(when, now + 30 * DAY, &err), &err, "since");
            ck_assert_str_eq(json_string_value(json_object_get(e1, "since")), when);
        }
        ck_assert_ptr_null(json_object_get(b, "laws"));
    }
    json_decref(b);
    libro_free(notice);
    libro_free(v1);
    libro_free(v2);
}
END_TEST

/* ---- refusals ----------------------------------------------------------------------------- */

enum body_kind {
    B_NONE,
    B_AGREEMENT,      /* the fixture's complete agreement */
    B_PARTIAL,        /* signed by one of its two parties */
    B_OUTSIDER,       /* signed by both parties and a stranger */
    B_GARBAGE,        /* not a document */
    B_NOTICE_STRANGER /* a notice by no party of the registered agreement */
};

static const struct {
    const char *name;
    const char *method;
    const char *path; /* "%s": the registered agreement's hash */
    const char *type;
    enum body_kind body;
    bool register_first;
    unsigned status;
    const char *code;
} refusals[] = {
    {"wrong media type", "POST", "/v1/agreements", JOSE, B_AGREEMENT, false, 415,
     "unsupported_media_type"},
    {"partial", "POST", "/v1/agreements", JOSE_JSON, B_PARTIAL, false, 409, "conflict"},
    {"a stranger signed", "POST", "/v1/agreements", JOSE_JSON, B_OUTSIDER, false, 409, "conflict"},
    {"not a document", "POST", "/v1/agreements", JOSE_JSON, B_GARBAGE, false, 400, "bad_request"},
    {"empty", "POST", "/v1/agreements", JOSE_JSON, B_NONE, false, 400, "bad_request"},
    {"twice", "POST", "/v1/agreements", JOSE_JSON, B_AGREEMENT, true, 409, "exists"},
    {"read with PUT", "PUT", "/v1/agreements/%s", NULL, B_NONE, true, 405, "method_not_allowed"},
    {"end by GET", "GET", "/v1/agreements/%s/end", NULL, B_NONE, true, 405, "method_not_allowed"},
    {"malformed hash", "GET", "/v1/agreements/sha256:12", NULL, B_NONE, false, 400, "bad_request"},
    {"unknown agreement", "GET",
     "/v1/agreements/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL,
     B_NONE, false, 404, "not_found"},
    {"end of an unknown agreement", "POST",
     "/v1/agreements/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/end",
     JOSE_JSON, B_NOTICE_STRANGER, true, 404, "not_found"},
    {"notice by a stranger", "POST", "/v1/agreements/%s/end", JOSE_JSON, B_NOTICE_STRANGER, true,
     409, "conflict"},
    {"garbage end", "POST", "/v1/agreements/%s/end", JOSE_JSON, B_GARBAGE, true, 400,
     "bad_request"},
    {"steps of a law id with '%'", "POST", "/v1/laws/urn:a%2Fb/steps", JOSE, B_GARBAGE, false, 400,
     "bad_request"},
    {"a law id without a scheme", "GET", "/v1/laws/quiet-hours", NULL, B_NONE, false, 400,
     "bad_request"},
    {"no such law", "GET", "/v1/laws/" TL_LAW, NULL, B_NONE, false, 404, "not_found"},
    {"no record", "GET", "/v1/laws/" TL_LAW "/record", NULL, B_NONE, false, 404, "not_found"},
    {"review due without within", "GET", "/v1/laws/review-due", NULL, B_NONE, false, 400,
     "bad_request"},
    {"laws by PUT", "PUT", "/v1/laws", NULL, B_NONE, false, 405, "method_not_allowed"},
    {"a law not a JWS", "POST", "/v1/laws", JOSE, B_GARBAGE, false, 400, "bad_request"},
    {"a law as JSON", "POST", "/v1/laws", JOSE_JSON, B_GARBAGE, false, 415,
     "unsupported_media_type"},
    {"unknown route", "GET", "/v1/laws/" TL_LAW "/other", NULL, B_NONE, false, 404, "not_found"},
};

START_TEST(test_refusals)
{
    char *doc = workshop(NULL, "Workshop");
    char hash[LIBRO_HASH_REF_SIZE];
    char path[300];
    char *body = NULL;

    tl_hash(hash, doc);
    if (refusals[_i].register_first) {
        post("/v1/agreements", JOSE_JSON, doc);
        assert_status(201, "register first");
    }
    switch (refusals[_i].body) {
    case B_NONE:
        break;
    case B_AGREEMENT:
        body = workshop(NULL, "Workshop");
        break;
    case B_PARTIAL:
        body = tl_agreement(&F, both, 2, now - DAY, now + 365 * DAY, 30, NULL, "W", both, 1);
        break;
    case B_OUTSIDER:
        body = tl_agreement(&F, both, 2, now - DAY, now + 365 * DAY, 30, NULL, "W",
                            (const int[]){0, 1, 2}, 3);
        break;
    case B_GARBAGE:
        body = libro_strndup("{\"payload\":1}", 13);
        break;
    case B_NOTICE_STRANGER:
        body = tl_end(&F, hash, LIBRO_AGREEMENT_END_NOTICE, now, "x", (const int[]){2}, 1, NULL);
        break;
    }
    {
        /* "%s" in the route stands for the registered agreement's hash. */
        const char *at = strstr(refusals[_i].path, "%s");
        size_t head = at == NULL ? strlen(refusals[_i].path) : (size_t) (at - refusals[_i].path);

        ck_assert_int_gt(snprintf(path, sizeof path, "%.*s%s%s", (int) head, refusals[_i].path,
                                  at == NULL ? "" : hash, at == NULL ? "" : at + 2),
                         0);
    }
    call(refusals[_i].method, path, NULL, refusals[_i].type, NULL, NULL,
         refusals[_i].body == B_NONE && strcmp(refusals[_i].method, "POST") == 0 ? "" : body);
    assert_error(refusals[_i].status, refusals[_i].code, refusals[_i].name);
    libro_free(body);
    libro_free(doc);
}
END_TEST

/* Steps and laws the routes refuse, each with its status and code. */
START_TEST(test_law_refusals)
{
    char path[300];
    char *tok;
    char *law;
    char objection[LIBRO_HASH_REF_SIZE];

    /* No process: a response has nothing to continue. */
    tok = respond(0, t0, 1, 1, true);
    post(step_path(path, TL_LAW), JOSE, tok);
    assert_error(404, "not_found", "no process");
    libro_free(tok);
    /* A step posted under another law's path. */
    tok = propose(0, t0);
    post(step_path(path, "urn:libro:neighborhood-3:law:other"), JOSE, tok);
    assert_error(400, "bad_request", "another path");
    libro_free(tok);
    step_ok(propose(0, t0), NULL);
    /* The chair takes part in no round. */
    tok = respond(TL_CHAIR, t0 + 60, 1, 1, true);
    post(step_path(path, TL_LAW), JOSE, tok);
    assert_error(409, "conflict", "chair");
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(json_object_get(R_json, "error"), "message")),
               "the chair takes part in no round"));
    libro_free(tok);
    /* A step whose signature does not verify. */
    tok = respond(0, t0 + 60, 1, 1, true);
    tok[strlen(tok) - 3] = tok[strlen(tok) - 3] == 'A' ? 'B' : 'A';
    post(step_path(path, TL_LAW), JOSE, tok);
    assert_error(401, "bad_signature", "signature");
    libro_free(tok);
    tok = respond(0, t0 + 60, 1, 1, true);
    post(step_path(path, TL_LAW), "application/json", tok);
    assert_error(415, "unsupported_media_type", "step as JSON");
    libro_free(tok);
    step_ok(respond(0, t0 + 60, 1, 1, true), NULL);
    step_ok(respond(1, t0 + 120, 1, 1, false), objection);
    step_ok(respond(2, t0 + 180, 1, 1, true), NULL);
    /* A standing objection: the law is refused. */
    law = tl_law(&P, 1, "No <loud> music after 22:00.", t0 + 240, review, NULL, F.community_key);
    post("/v1/laws", JOSE, law);
    assert_error(409, "conflict", "standing objection");
    libro_free(law);
    /* Not signed by the community key. */
    law = tl_law(&P, 1, "No <loud> music after 22:00.", t0 + 240, review, NULL, F.parent_key);
    post("/v1/laws", JOSE, law);
    assert_error(401, "bad_signature", "other key");
    libro_free(law);
    call("GET", "/v1/laws/" TL_LAW "/record", NULL, NULL, NULL, "0", NULL);
    assert_error(400, "bad_request", "run 0");
    call("GET", "/v1/laws/" TL_LAW "/record", NULL, NULL, NULL, "2", NULL);
    assert_error(404, "not_found", "run 2");
    call("GET", "/v1/laws/review-due", NULL, NULL, "-1", NULL, NULL);
    assert_error(400, "bad_request", "negative within");
}
END_TEST

/* ---- a whole consent process ---------------------------------------------------------------- */

START_TEST(test_consent_http)
{
    libro_error err = LIBRO_ERROR_INIT;
    char objection[LIBRO_HASH_REF_SIZE];
    char hash[LIBRO_HASH_REF_SIZE];
    char *law;
    json_t *b;
    json_t *l;
    libro_consent_record *rec = NULL;

    step_ok(propose(0, t0), NULL);
    step_ok(respond(0, t0 + 60, 1, 1, true), NULL);
    step_ok(respond(1, t0 + 120, 1, 1, false), objection);
    step_ok(respond(2, t0 + 180, 1, 1, true), NULL);
    /* The law's page while its process is under way, and its readable record. */
    get("/v1/laws/" TL_LAW);
    assert_status(200, "law under way");
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "versions")), 0);
    ck_assert(json_is_true(json_object_get(json_object_get(R_json, "process"), "open")));
    /* The chair rules the objection out; the round may adopt. */
    step_ok(tl_step(&P, TL_CHAIR, LIBRO_STEP_RULE, t0 + 240,
                    &(tl_step_args){
                        .ref = objection, .out = true, .reason = "it names no harm to <this> aim"}),
            NULL);
    law = tl_law(&P, 1, "No <loud> music after 22:00.", t0 + 300, review, NULL, F.community_key);
    post("/v1/laws", JOSE, law);
    assert_status(201, "adopt");
    tl_hash(hash, law);
    ck_assert_str_eq(member("law"), hash);
    ck_assert_str_eq(member("id"), TL_LAW);
    ck_assert_int_eq(json_integer_value(json_object_get(R_json, "version")), 1);
    /* In force, with its review date. */
    get("/v1/laws");
    assert_status(200, "laws");
    ck_assert_str_eq(member("community"), RT_COMMUNITY);
    l = json_array_get(json_object_get(R_json, "laws"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(l, "hash")), hash);
    ck_assert_str_eq(json_string_value(json_object_get(l, "state")), "in force");
    ck_assert(json_is_false(json_object_get(l, "underReview")));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(l, "reviewDate")));
    get_html("/v1/laws");
    assert_status(200, "laws page");
    ck_assert(body_has("Laws in force in"));
    ck_assert(body_has("Quiet hours"));
    {
        char day[LIBRO_TIME_TEXT_MAX];

        must(libro_time_format(day, review, &err), &err, "day");
        day[10] = '\0';
        ck_assert(body_has(day));
    }
    get("/v1/laws/" TL_LAW);
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "versions")), 1);
    ck_assert(json_is_false(json_object_get(json_object_get(R_json, "process"), "open")));
    get_html("/v1/laws/" TL_LAW);
    ck_assert(body_has("Version 1: in force"));
    ck_assert(body_has("/record?run=1"));
    /* The record: JSON that core reads, and a page a person reads, every text escaped. */
    get("/v1/laws/" TL_LAW "/record");
    assert_status(200, "record");
    must(libro_consent_record_parse(&rec, R.body.data, R.body.len, &err), &err, "record");
    ck_assert_uint_eq(rec->n_steps, 5);
    ck_assert_uint_eq(rec->n_mandates, 4);
    libro_consent_record_free(rec);
    call("GET", "/v1/laws/" TL_LAW "/record", "text/html", NULL, NULL, "1", NULL);
    assert_status(200, "record page");
    ck_assert(body_has("Ravi &lt;Singh&gt; &amp; Co"));
    ck_assert(body_has("objects (version 1, round 1)"));
    ck_assert(body_has("night &lt;shifts&gt;"));
    ck_assert(body_has("No &lt;loud&gt; music"));
    ck_assert(body_has("rules the objection of step 2 (Ravi &lt;Singh&gt; &amp; Co) out"));
    ck_assert(body_has("it names no harm to &lt;this&gt; aim"));
    ck_assert(!body_has("<loud>"));
    ck_assert(!body_has("<Singh>"));
    /* Review due: within a year and a day, not within a month. */
    call("GET", "/v1/laws/review-due", NULL, NULL, "2592000", NULL, NULL);
    assert_status(200, "review due");
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "laws")), 0);
    call("GET", "/v1/laws/review-due", NULL, NULL, "31622400", NULL, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "laws")), 1);
    /* The bundle's index. */
    b = bundle();
    ck_assert_uint_eq(json_array_size(json_object_get(b, "laws")), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(json_object_get(b, "laws"), 0), "state")),
        "in force");
    json_decref(b);
    libro_free(law);
}
END_TEST

/* ---- the client ------------------------------------------------------------------------------ */

/* An agreement's life and a whole consent process through the client: on a real server on
 * loopback with `remote`, else on the database in-process. */
static void
client_flow(bool remote)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_server *server = NULL;
    libro_registry_client *c = NULL;
    const char *target = F.db_path;
    char *v1 = workshop(NULL, "Workshop");
    char *notice = NULL;
    char *law = NULL;
    char *tok;
    char h1[LIBRO_HASH_REF_SIZE];
    char h[LIBRO_HASH_REF_SIZE];
    char lh[LIBRO_HASH_REF_SIZE];
    libro_agreement_record a = {0};
    libro_agreement_record *hist = NULL;
    libro_law_record *laws = NULL;
    libro_buf record = LIBRO_BUF_INIT;
    libro_consent_record *rec = NULL;
    size_t n = 0;

    if (remote) {
        opt.db_path = F.db_path;
        opt.registry_key = F.registry_key;
        opt.threads = 2;
        must(libro_server_start(&server, &opt, &err), &err, "server");
        ck_assert_uint_ne(libro_server_port(server), 0);
        target = libro_server_base_url(server);
    }
    /* No key: documents carry their own signatures. */
    must(libro_registry_client_open(&c, target, NULL, NULL, "clerk", NULL, &err), &err, "client");
    must(libro_registry_client_register_agreement(c, v1, h1, &err), &err, "register");
    tl_hash(h, v1);
    ck_assert_str_eq(h1, h);
    LIBRO_ASSERT_CODE(libro_registry_client_register_agreement(c, v1, NULL, &err), LIBRO_ERR_EXISTS,
                      &err, "already registered");
    notice =
        tl_end(&F, h1, LIBRO_AGREEMENT_END_NOTICE, now, "moving away", (const int[]){0}, 1, NULL);
    must(libro_registry_client_end_agreement(c, h1, notice, &err), &err, "notice");
    LIBRO_ASSERT_CODE(libro_registry_client_end_agreement(c, h1, notice, &err), LIBRO_ERR_DENIED,
                      &err, "is ending or ended already");
    must(libro_registry_client_agreement(c, &a, &hist, &n, h1, &err), &err, "get");
    ck_assert_str_eq(a.hash, h1);
    ck_assert_str_eq(a.title, "Workshop");
    ck_assert_int_eq(a.state, LIBRO_AGREEMENT_ENDED);
    ck_assert_int_eq(a.end, LIBRO_AGREEMENT_END_NOTICE);
    ck_assert_int_eq(a.ends_at, now + 30 * DAY);
    ck_assert_str_eq(a.end_by, F.holder_did[0]);
    ck_assert_str_eq(a.end_statement, notice);
    ck_assert_str_eq(a.parties[1].name, "Ravi <Singh> & Co");
    ck_assert_str_eq(a.document, v1);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(hist[0].hash, h1);
    libro_agreement_record_clear(&a);
    LIBRO_ASSERT_CODE(libro_registry_client_agreement(
                          c, &a, NULL, NULL,
                          "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                          &err),
                      LIBRO_ERR_NOT_FOUND, &err, NULL);

    /* A whole process. */
    tok = propose(0, t0);
    must(libro_registry_client_add_step(c, tok, h, &err), &err, "propose");
    tl_accept(&P, tok, NULL);
    ck_assert_str_eq(h, P.prev);
    libro_free(tok);
    for (int m = 0; m < 3; m++) {
        tok = respond(m, t0 + 60 * (m + 1), 1, 1, true);
        must(libro_registry_client_add_step(c, tok, NULL, &err), &err, "respond");
        tl_accept(&P, tok, NULL);
        libro_free(tok);
    }
    tok = respond(0, t0 + 300, 1, 1, true);
    LIBRO_ASSERT_CODE(libro_registry_client_add_step(c, tok, NULL, &err), LIBRO_ERR_DENIED, &err,
                      "has responded in this round already");
    libro_free(tok);
    must(libro_registry_client_law_record(c, &record, TL_LAW, 0, &err), &err, "record");
    must(libro_consent_record_parse(&rec, record.data, record.len, &err), &err, "parse");
    ck_assert_uint_eq(rec->n_steps, 4);
    law = tl_law(&P, 1, "No <loud> music after 22:00.", t0 + 400, review, NULL, F.community_key);
    must(libro_registry_client_register_law(c, law, lh, &err), &err, "adopt");
    tl_hash(h, law);
    ck_assert_str_eq(lh, h);
    must(libro_registry_client_laws(c, &laws, &n, &err), &err, "laws");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(laws[0].hash, lh);
    ck_assert_str_eq(laws[0].id, TL_LAW);
    ck_assert_int_eq(laws[0].review_at, review);
    ck_assert_int_eq(laws[0].state, LIBRO_LAW_IN_FORCE);
    ck_assert_str_eq(laws[0].credential, law);
    libro_law_records_free(laws, n);
    laws = NULL;
    must(libro_registry_client_law_versions(c, &laws, &n, TL_LAW, &err), &err, "versions");
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(laws[0].version, 1);
    libro_law_records_free(laws, n);
    laws = NULL;
    LIBRO_ASSERT_CODE(
        libro_registry_client_law_versions(c, &laws, &n, "urn:libro:neighborhood-3:law:none", &err),
        LIBRO_ERR_NOT_FOUND, &err, NULL);
    must(libro_registry_client_laws_review_due(c, &laws, &n, 400 * DAY, &err), &err, "due");
    ck_assert_uint_eq(n, 1);
    libro_law_records_free(laws, n);
    laws = NULL;
    must(libro_registry_client_laws_review_due(c, &laws, &n, DAY, &err), &err, "not due");
    ck_assert_uint_eq(n, 0);
    libro_law_records_free(laws, n);

    libro_consent_record_free(rec);
    libro_buf_free(&record);
    libro_agreement_records_free(hist, 1);
    libro_agreement_record_clear(&a);
    libro_free(law);
    libro_free(notice);
    libro_free(v1);
    libro_registry_client_close(c);
    libro_server_stop(server);
}

START_TEST(test_client_loopback)
{
    client_flow(true);
}
END_TEST

START_TEST(test_client_local)
{
    client_flow(false);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("server_law");
    TCase *api = tcase_create("api");
    TCase *client = tcase_create("client");

    tcase_add_checked_fixture(api, setup, teardown);
    tcase_add_test(api, test_agreement_http);
    tcase_add_loop_test(api, test_refusals, 0, (int) LIBRO_NELEM(refusals));
    tcase_add_test(api, test_law_refusals);
    tcase_add_test(api, test_consent_http);
    suite_add_tcase(s, api);
    tcase_add_checked_fixture(client, setup, teardown);
    tcase_add_test(client, test_client_loopback);
    tcase_add_test(client, test_client_local);
    suite_add_tcase(s, client);
    return s;
}
