/* The roundtable over HTTP (registry/src/http: writes.c, roundtable.c, pages.c, listcache.c,
 * bundle.c) and the client (registry/src/client.c). Requests go straight into
 * libro_http__handle, as in check_api: the signed writes from the keys each may come from (the
 * community's, a seat's, the parent's, a holder's did:key) and every refusal with its status
 * and JSON code; the public reads (a mandate, the roundtable at a time, terms ending soon, in
 * JSON and in HTML with every text escaped); the mandate status lists with their words; the
 * trust bundle's members. Then the client on a real server on loopback (port 0) and on the
 * database in-process. Fixture: test_roundtable.h, with charters valid around now. */
#include <stdio.h>
#include <string.h>

#include "../registry/src/http/http_int.h"
#include "../registry/src/registry_int.h"
#include "libro/api.h"
#include "libro/http.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/registry_client.h"
#include "libro/rules.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_roundtable.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define BASE "http://127.0.0.1:7777"
#define REP LIBRO_OFFICE_REPRESENTATIVE
#define CHAIR LIBRO_OFFICE_CHAIR
#define LEADER LIBRO_OFFICE_LEADER

static rt_fixture F;
static int64_t now;
static libro_registry *hreg; /* the "connection's" handle, opened by the routes */
static libro_http_ctx ctx;
static bool ctx_ready;
static libro_http__response R;
static json_t *R_json;
static unsigned jti_counter;
static char community_kid[300];
static char tribe_kid[RT_TRIBES][300];
static char parent_kid[300];
static char holder_kid[RT_HOLDERS][300];

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;

    now = libro_time_now();
    rt_setup(&F, now - 365 * DAY, now + 3650 * DAY, 0, "http://127.0.0.1");
    kid_of(community_kid, RT_COMMUNITY, F.community_key);
    kid_of(parent_kid, RT_PARENT, F.parent_key);
    for (int i = 0; i < RT_TRIBES; i++) {
        kid_of(tribe_kid[i], rt_tribe(i), F.tribe_key[i]);
    }
    for (int i = 0; i < RT_HOLDERS; i++) {
        kid_of(holder_kid[i], F.holder_did[i], F.holder_key[i]);
    }
    opt.db_path = F.db_path;
    opt.registry_key = F.registry_key;
    opt.base_url = BASE "/";
    must(libro_http__ctx_init(&ctx, &opt, &err), &err, "ctx");
    ctx_ready = true;
    memset(&R, 0, sizeof R);
    R_json = NULL;
    jti_counter = 0;
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
    rt_teardown(&F);
}

/* ---- requests ------------------------------------------------------------------------------ */

/* One request through the routes (Accept `accept`, the query's at and within); the answer
 * lands in R (and R_json when it is JSON). */
static void
call_full(const char *method, const char *path, const char *accept, const char *at,
          const char *within, const void *body, size_t len)
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
    req.arg_at = at;
    req.arg_within = within;
    req.content_type = body != NULL ? LIBRO_REQUEST_MEDIA_TYPE : NULL;
    req.client[15] = 1;
    json_decref(R_json);
    R_json = NULL;
    libro_http__response_clear(&R);
    libro_http__handle(&R, &ctx, &hreg, &req, body, len);
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
    call_full("GET", path, NULL, NULL, NULL, NULL, 0);
}

/* aud, iat, a fresh jti and op, plus the members of `extra` (a JSON object, consumed). */
static json_t *
claims(const char *op, json_t *extra)
{
    char jti[32];
    json_t *c;

    ck_assert_int_gt(snprintf(jti, sizeof jti, "jti-%08u-roundtable", ++jti_counter), 0);
    c = json_pack("{s:s, s:I, s:s, s:s}", "aud", BASE, "iat", (json_int_t) libro_time_now(), "jti",
                  jti, "op", op);
    ck_assert_ptr_nonnull(c);
    if (extra != NULL) {
        ck_assert_int_eq(json_object_update(c, extra), 0);
        json_decref(extra);
    }
    return c;
}

/* POST `c` (consumed) to `path`, signed by `k` under `kid`. */
static void
post_as(const char *path, json_t *c, const libro_key *k, const char *kid)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf token = LIBRO_BUF_INIT;

    must(libro_json__dump(&payload, c, &err), &err, "dump claims");
    json_decref(c);
    must(libro_jws_sign_compact_ex(&token, k, kid, LIBRO_REQUEST_TYP, payload.data, payload.len,
                                   LIBRO_MAX_HTTP_BODY_BYTES, LIBRO_MAX_REQUEST_CLAIMS_BYTES, &err),
         &err, "sign request");
    call_full("POST", path, NULL, NULL, NULL, token.data, token.len);
    libro_buf_free(&token);
    libro_buf_free(&payload);
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

static void
add_seat_http(int tribe)
{
    post_as("/v1/seats", claims("seat", json_pack("{s:s}", "charter", F.tribe_charter[tribe])),
            F.community_key, community_kid);
    assert_status(201, "seat");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "seat")), rt_tribe(tribe));
}

/* Reserve over HTTP as the office's community, then register its signed mandate; the id into
 * `id`. */
static void
register_http(char id[LIBRO_MANDATE_ID_SIZE], libro_office office, int tribe, int holder,
              int64_t from, int64_t until)
{
    const libro_key *k = rt_signer(&F, office, tribe);
    const char *kid = office == REP     ? tribe_kid[tribe]
                      : office == CHAIR ? community_kid
                                        : parent_kid;
    uint32_t list;
    uint32_t index;
    char *jws;
    char want[128];

    post_as("/v1/mandates/reservations", claims("mandate-reserve", NULL), k, kid);
    assert_status(201, "reserve");
    list = (uint32_t) json_integer_value(json_object_get(R_json, "list"));
    index = (uint32_t) json_integer_value(json_object_get(R_json, "index"));
    ck_assert_int_gt(snprintf(want, sizeof want, BASE "/v1/status/mandates/%u/message", list), 0);
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "message")), want);
    jws = rt_mandate(&F, office, tribe, holder, from, until, BASE, list, index);
    post_as("/v1/mandates",
            claims("mandate-register", json_pack("{s:s, s:I, s:I}", "credential", jws, "list",
                                                 (json_int_t) list, "index", (json_int_t) index)),
            k, kid);
    assert_status(201, "register");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "state")), "active");
    memcpy(id, json_string_value(json_object_get(R_json, "mandate")), LIBRO_MANDATE_ID_SIZE);
    libro_free(jws);
}

static void
end_http(const char *id, const char *how, const char *reason, const libro_key *k, const char *kid)
{
    char path[128];

    ck_assert_int_gt(snprintf(path, sizeof path, "/v1/mandates/%s/end", id), 0);
    post_as(path,
            claims("mandate-end",
                   json_pack("{s:s, s:s, s:s}", "mandate", id, "how", how, "reason", reason)),
            k, kid);
}

/* The status `index` of the signed mandate list `list`/`purpose` as served, verified with the
 * registry key. */
static unsigned
served_status(uint32_t list, const char *purpose, uint32_t index, libro_status_words *words)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws *jws = NULL;
    libro_status_list s = {0};
    const unsigned char *payload;
    size_t len = 0;
    unsigned value = 0;
    char path[96];

    ck_assert_int_gt(snprintf(path, sizeof path, "/v1/status/mandates/%u/%s", list, purpose), 0);
    get(path);
    assert_status(200, path);
    must(libro_jws_parse_ex(&jws, (const char *) R.body.data, R.body.len,
                            LIBRO_MAX_STATUS_LIST_TOKEN_BYTES, LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES,
                            &err),
         &err, "list jws");
    must(libro_jws_verify(jws, F.registry_key, &err), &err, "list signature");
    payload = libro_jws_payload(jws, &len);
    must(libro_status_list_parse(&s, payload, len, &err), &err, "list");
    ck_assert_ptr_nonnull(strstr(s.id, "/v1/status/mandates/"));
    must(libro_status_list_value(&value, &s, index, &err), &err, "value");
    if (words != NULL) {
        *words = s.words;
    }
    libro_status_list_free(&s);
    libro_jws_free(jws);
    return value;
}

/* ---- the flow ------------------------------------------------------------------------------ */

START_TEST(test_http_flow)
{
    char rep[LIBRO_MANDATE_ID_SIZE];
    char chair[LIBRO_MANDATE_ID_SIZE];
    char leader[LIBRO_MANDATE_ID_SIZE];
    char path[128];
    char before[LIBRO_TIME_TEXT_MAX];
    libro_error err = LIBRO_ERROR_INIT;
    int64_t from = now - 30 * DAY;
    libro_status_words words = LIBRO_WORDS_LICENSE;
    json_t *m;
    json_t *list;
    uint32_t slist;
    uint32_t sindex;
    const char *html;

    add_seat_http(0);
    add_seat_http(1);
    register_http(rep, REP, 0, 1, from, rt_term_end(from, 3));
    register_http(chair, CHAIR, 0, 0, from, rt_term_end(from, 4));
    register_http(leader, LEADER, 0, 2, from, rt_term_end(from, 5));

    ck_assert_int_gt(snprintf(path, sizeof path, "/v1/mandates/%s", rep), 0);
    get(path);
    assert_status(200, "mandate");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "id")), rep);
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "office")), "representative");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "seat")), "urn:libro:tribe-1");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "name")), "Ravi <Singh> & Co");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "holder")), F.holder_did[1]);
    ck_assert(json_is_true(json_object_get(R_json, "voting")));
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "state")), "active");
    ck_assert(json_is_null(json_object_get(R_json, "endedAt")));
    ck_assert_str_eq(R.cache_control, "public, no-cache");
    ck_assert(R.vary_accept);
    ck_assert_uint_gt(strlen(R.etag), 0);
    slist = (uint32_t) json_integer_value(json_object_get(R_json, "statusList"));
    sindex = (uint32_t) json_integer_value(json_object_get(R_json, "statusIndex"));
    call_full("GET", path, "text/html", NULL, NULL, NULL, 0);
    assert_status(200, "mandate page");
    ck_assert_str_eq(R.content_type, "text/html; charset=utf-8");
    must(libro_buf_append(&R.body, "", 1, &err), &err, "NUL");
    html = (const char *) R.body.data;
    ck_assert_ptr_nonnull(strstr(html, "Ravi &lt;Singh&gt; &amp; Co"));
    ck_assert_ptr_null(strstr(html, "<Singh>"));

    get("/v1/roundtable");
    assert_status(200, "roundtable");
    list = json_object_get(R_json, "mandates");
    ck_assert_uint_eq(json_array_size(list), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "office")),
                     "chair");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "roundtable")), RT_COMMUNITY);
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "seats")), 2);
    m = json_array_get(json_object_get(R_json, "seats"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(m, "charter")), F.tribe_charter[1]);
    must(libro_time_format(before, from - 1, &err), &err, "time");
    call_full("GET", "/v1/roundtable", NULL, before, NULL, NULL, 0);
    assert_status(200, "roundtable before");
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "mandates")), 0);
    call_full("GET", "/v1/roundtable", "text/html,application/json;q=0.5", NULL, NULL, NULL, 0);
    assert_status(200, "roundtable page");
    must(libro_buf_append(&R.body, "", 1, &err), &err, "NUL");
    html = (const char *) R.body.data;
    ck_assert_ptr_nonnull(strstr(html, "<title>Roundtable of Neighborhood 3</title>"));
    ck_assert_ptr_nonnull(strstr(html, "<td>chair</td><td></td><td>Jane Doe</td><td>no</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<td>representative</td><td>Tribe 1</td><td>Ravi "));
    ck_assert_ptr_nonnull(strstr(html, "<td>leader</td><td>urn:libro:town-5</td><td>Mia Chen"));
    ck_assert_ptr_nonnull(strstr(html, "Ravi &lt;Singh&gt; &amp; Co"));
    ck_assert_ptr_nonnull(strstr(html, "Tribe 2 (urn:libro:tribe-2)")); /* a vacant seat */
    ck_assert_ptr_null(strstr(html, "Tribe 1 (urn:libro:tribe-1)"));

    call_full("GET", "/v1/roundtable/expiring", NULL, NULL, "3000000000", NULL, 0);
    assert_error(400, "bad_request", "within too long");
    call_full("GET", "/v1/roundtable/expiring", NULL, NULL, "315360000", NULL, 0);
    assert_status(200, "expiring");
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "mandates")), 3);
    call_full("GET", "/v1/roundtable/expiring", NULL, NULL, "0", NULL, 0);
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "mandates")), 0);

    /* The holder resigns, signing with their did:key; the community recalls its chair. */
    ck_assert_uint_eq(served_status(slist, "revocation", sindex, NULL), 0);
    end_http(rep, "resigned", "moved away", F.holder_key[1], holder_kid[1]);
    assert_status(200, "resign");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "state")), "resigned");
    ck_assert_uint_eq(served_status(slist, "revocation", sindex, NULL), 1);
    ck_assert_uint_eq(served_status(slist, "suspension", sindex, NULL), 0);
    ck_assert_uint_eq(served_status(slist, "message", sindex, &words), LIBRO_WORD_RESIGNED);
    ck_assert_int_eq(words, LIBRO_WORDS_MANDATE);
    end_http(chair, "recalled", "broke the process rules", F.community_key, community_kid);
    assert_status(200, "recall");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "state")), "recalled");
    get("/v1/roundtable");
    ck_assert_uint_eq(json_array_size(json_object_get(R_json, "mandates")), 1);

    /* The bundle carries the seats' charters and the mandate lists. */
    get("/v1/bundle");
    assert_status(200, "bundle");
    {
        libro_jws *jws = NULL;
        json_t *b = NULL;
        const unsigned char *p;
        size_t len = 0;
        size_t mandate_lists = 0;
        json_t *lists;

        must(libro_jws_parse_ex(&jws, (const char *) R.body.data, R.body.len,
                                LIBRO_MAX_BUNDLE_TOKEN_BYTES, LIBRO_MAX_BUNDLE_PAYLOAD_BYTES, &err),
             &err, "bundle");
        must(libro_jws_verify(jws, F.registry_key, &err), &err, "bundle signature");
        p = libro_jws_payload(jws, &len);
        must(libro_json__load(&b, (const char *) p, len, NULL, &err), &err, "bundle json");
        ck_assert_uint_eq(json_array_size(json_object_get(b, "members")), 2);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(b, "members"), 0)),
                         F.tribe_charter[0]);
        lists = json_object_get(b, "statusLists");
        ck_assert_uint_eq(json_array_size(lists), 6); /* license list 0 and mandate list 0 */
        for (size_t i = 0; i < json_array_size(lists); i++) {
            libro_jws *l = NULL;
            libro_status_list s = {0};
            const char *t = json_string_value(json_array_get(lists, i));

            must(libro_jws_parse_ex(&l, t, strlen(t), LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                                    LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, &err),
                 &err, "list");
            must(libro_jws_verify(l, F.registry_key, &err), &err, "list signature");
            p = libro_jws_payload(l, &len);
            must(libro_status_list_parse(&s, p, len, &err), &err, "list");
            mandate_lists += strstr(s.id, "/v1/status/mandates/") != NULL;
            libro_status_list_free(&s);
            libro_jws_free(l);
        }
        ck_assert_uint_eq(mandate_lists, 3);
        json_decref(b);
        libro_jws_free(jws);
    }
}
END_TEST

/* ---- refusals ------------------------------------------------------------------------------ */

/* Each refused request, with its status and code; the fixture has tribes 1 and 2 seated, a
 * representative of tribe 1 (holder 0) and a chair (holder 1). */
enum refusal {
    X_SEAT_BY_TRIBE,
    X_SEAT_NO_CHARTER,
    X_SEAT_EIGHTH_IS_FINE_BUT_FOREIGN,
    X_UNKNOWN_KEY,
    X_WRONG_THUMBPRINT,
    X_RESERVE_BY_HOLDER,
    X_REGISTER_BY_OTHER_TRIBE,
    X_REGISTER_BY_HOLDER,
    X_REGISTER_OTHER_BASE,
    X_REGISTER_TOO_LONG,
    X_REGISTER_NO_INDEX,
    X_REGISTER_LICENSE,
    X_RESIGN_BY_OTHER_HOLDER,
    X_RESIGN_BY_COMMUNITY,
    X_RECALL_BY_HOLDER,
    X_RECALL_BY_OTHER_TRIBE,
    X_END_BAD_HOW,
    X_END_NO_REASON,
    X_END_OTHER_ID,
    X_END_UNKNOWN,
    X_END_TWICE,
    X_WRONG_OP,
    X_UNKNOWN_MEMBER,
    X_REPLAY,
};

static const struct {
    const char *name;
    enum refusal x;
    unsigned status;
    const char *code;
} refusals[] = {
    {"seat by a tribe's key", X_SEAT_BY_TRIBE, 403, "out_of_scope"},
    {"seat without a charter", X_SEAT_NO_CHARTER, 400, "bad_request"},
    {"seat for a charter of another community", X_SEAT_EIGHTH_IS_FINE_BUT_FOREIGN, 409, "conflict"},
    {"unknown key", X_UNKNOWN_KEY, 401, "unknown_key"},
    {"did:key with another thumbprint", X_WRONG_THUMBPRINT, 401, "unknown_key"},
    {"reserve by a holder", X_RESERVE_BY_HOLDER, 403, "out_of_scope"},
    {"register by another tribe", X_REGISTER_BY_OTHER_TRIBE, 403, "out_of_scope"},
    {"register by a holder", X_REGISTER_BY_HOLDER, 403, "out_of_scope"},
    {"register with another registry's lists", X_REGISTER_OTHER_BASE, 409, "conflict"},
    {"register a term too long", X_REGISTER_TOO_LONG, 409, "conflict"},
    {"register without an index", X_REGISTER_NO_INDEX, 400, "bad_request"},
    {"register a charter", X_REGISTER_LICENSE, 403, "out_of_scope"},
    {"resign by another holder", X_RESIGN_BY_OTHER_HOLDER, 403, "out_of_scope"},
    {"resign by the community", X_RESIGN_BY_COMMUNITY, 403, "out_of_scope"},
    {"recall by the holder", X_RECALL_BY_HOLDER, 403, "out_of_scope"},
    {"recall by another tribe", X_RECALL_BY_OTHER_TRIBE, 403, "out_of_scope"},
    {"end as replaced", X_END_BAD_HOW, 400, "bad_request"},
    {"end without a reason", X_END_NO_REASON, 400, "bad_request"},
    {"end naming another mandate", X_END_OTHER_ID, 400, "bad_request"},
    {"end an unknown mandate", X_END_UNKNOWN, 404, "not_found"},
    {"end twice", X_END_TWICE, 409, "conflict"},
    {"the op of another route", X_WRONG_OP, 400, "bad_request"},
    {"an unknown member", X_UNKNOWN_MEMBER, 400, "bad_request"},
    {"a replayed request", X_REPLAY, 409, "replay"},
};

START_TEST(test_http_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char rep[LIBRO_MANDATE_ID_SIZE];
    char chair[LIBRO_MANDATE_ID_SIZE];
    char path[128];
    int64_t from = now - 30 * DAY;
    libro_key *stranger = NULL;
    char kid[300];
    char *jws = NULL;
    static const char unknown[] =
        "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    add_seat_http(0);
    add_seat_http(1);
    register_http(rep, REP, 0, 0, from, rt_term_end(from, 3));
    register_http(chair, CHAIR, 0, 1, from, rt_term_end(from, 4));
    ck_assert_int_gt(snprintf(path, sizeof path, "/v1/mandates/%s/end", rep), 0);
    switch (refusals[_i].x) {
    case X_SEAT_BY_TRIBE:
        post_as("/v1/seats", claims("seat", json_pack("{s:s}", "charter", F.tribe_charter[2])),
                F.tribe_key[0], tribe_kid[0]);
        break;
    case X_SEAT_NO_CHARTER:
        post_as("/v1/seats", claims("seat", NULL), F.community_key, community_kid);
        break;
    case X_SEAT_EIGHTH_IS_FINE_BUT_FOREIGN:
        jws = rt_charter(RT_PARENT, rt_tribe(2), "Tribe 3", 0, from, now + DAY, F.tribe_key[2],
                         F.parent_key);
        post_as("/v1/seats", claims("seat", json_pack("{s:s}", "charter", jws)), F.community_key,
                community_kid);
        break;
    case X_UNKNOWN_KEY:
        must(libro_key_generate(&stranger, LIBRO_ALG_ED25519, &err), &err, "stranger");
        kid_of(kid, "urn:libro:stranger", stranger);
        post_as("/v1/mandates/reservations", claims("mandate-reserve", NULL), stranger, kid);
        break;
    case X_WRONG_THUMBPRINT:
        kid_of(kid, F.holder_did[0], F.holder_key[1]);
        end_http(rep, "resigned", "gone", F.holder_key[1], kid);
        break;
    case X_RESERVE_BY_HOLDER:
        post_as("/v1/mandates/reservations", claims("mandate-reserve", NULL), F.holder_key[0],
                holder_kid[0]);
        break;
    case X_REGISTER_BY_OTHER_TRIBE:
    case X_REGISTER_BY_HOLDER:
    case X_REGISTER_OTHER_BASE:
    case X_REGISTER_TOO_LONG:
        jws = rt_mandate(
            &F, REP, 0, 2, from + DAY,
            rt_term_end(from + DAY, 3) + (refusals[_i].x == X_REGISTER_TOO_LONG),
            refusals[_i].x == X_REGISTER_OTHER_BASE ? "https://elsewhere.example" : BASE, 0, 7);
        post_as("/v1/mandates",
                claims("mandate-register",
                       json_pack("{s:s, s:i, s:i}", "credential", jws, "list", 0, "index", 7)),
                refusals[_i].x == X_REGISTER_BY_OTHER_TRIBE ? F.tribe_key[1]
                : refusals[_i].x == X_REGISTER_BY_HOLDER    ? F.holder_key[2]
                                                            : F.tribe_key[0],
                refusals[_i].x == X_REGISTER_BY_OTHER_TRIBE ? tribe_kid[1]
                : refusals[_i].x == X_REGISTER_BY_HOLDER    ? holder_kid[2]
                                                            : tribe_kid[0]);
        break;
    case X_REGISTER_NO_INDEX:
        post_as("/v1/mandates", claims("mandate-register", json_pack("{s:s}", "credential", "x")),
                F.tribe_key[0], tribe_kid[0]);
        break;
    case X_REGISTER_LICENSE:
        post_as("/v1/mandates",
                claims("mandate-register", json_pack("{s:s, s:i, s:i}", "credential",
                                                     F.tribe_charter[0], "list", 0, "index", 7)),
                F.community_key, community_kid);
        break;
    case X_RESIGN_BY_OTHER_HOLDER:
        end_http(rep, "resigned", "gone", F.holder_key[1], holder_kid[1]);
        break;
    case X_RESIGN_BY_COMMUNITY:
        end_http(rep, "resigned", "gone", F.community_key, community_kid);
        break;
    case X_RECALL_BY_HOLDER:
        end_http(rep, "recalled", "gone", F.holder_key[0], holder_kid[0]);
        break;
    case X_RECALL_BY_OTHER_TRIBE:
        end_http(rep, "recalled", "gone", F.tribe_key[1], tribe_kid[1]);
        break;
    case X_END_BAD_HOW:
        end_http(rep, "replaced", "gone", F.tribe_key[0], tribe_kid[0]);
        break;
    case X_END_NO_REASON:
        post_as(path,
                claims("mandate-end", json_pack("{s:s, s:s}", "mandate", rep, "how", "recalled")),
                F.tribe_key[0], tribe_kid[0]);
        break;
    case X_END_OTHER_ID:
        post_as(path,
                claims("mandate-end", json_pack("{s:s, s:s, s:s}", "mandate", chair, "how",
                                                "recalled", "reason", "gone")),
                F.tribe_key[0], tribe_kid[0]);
        break;
    case X_END_UNKNOWN:
        end_http(unknown, "recalled", "gone", F.tribe_key[0], tribe_kid[0]);
        break;
    case X_END_TWICE:
        end_http(rep, "recalled", "gone", F.tribe_key[0], tribe_kid[0]);
        assert_status(200, "first recall");
        end_http(rep, "recalled", "again", F.tribe_key[0], tribe_kid[0]);
        break;
    case X_WRONG_OP:
        post_as("/v1/mandates/reservations", claims("reserve", NULL), F.tribe_key[0], tribe_kid[0]);
        break;
    case X_UNKNOWN_MEMBER:
        post_as("/v1/mandates/reservations",
                claims("mandate-reserve", json_pack("{s:s}", "license", "x")), F.tribe_key[0],
                tribe_kid[0]);
        break;
    case X_REPLAY: {
        json_t *c = claims("mandate-reserve", NULL);

        json_incref(c);
        post_as("/v1/mandates/reservations", c, F.tribe_key[0], tribe_kid[0]);
        assert_status(201, "first reservation");
        post_as("/v1/mandates/reservations", c, F.tribe_key[0], tribe_kid[0]);
        break;
    }
    }
    assert_error(refusals[_i].status, refusals[_i].code, refusals[_i].name);
    libro_free(jws);
    libro_key_free(stranger);
}
END_TEST

/* The public reads' refusals, and the methods each route takes. */
START_TEST(test_read_refusals)
{
    get("/v1/mandates/sha256:0123");
    assert_error(400, "bad_request", "short id");
    get("/v1/mandates/sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef");
    assert_error(400, "bad_request", "uppercase id");
    get("/v1/mandates/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assert_error(404, "not_found", "unknown id");
    get("/v1/mandates/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/x");
    assert_error(404, "not_found", "unknown sub-route");
    call_full("GET", "/v1/roundtable", NULL, "2027-01-01", NULL, NULL, 0);
    assert_error(400, "bad_request", "a date without a time");
    call_full("GET", "/v1/roundtable", NULL, "2027-02-30T00:00:00Z", NULL, NULL, 0);
    assert_error(400, "bad_request", "no such day");
    call_full("GET", "/v1/roundtable", NULL, "2027-01-01T00%3A00%3a00Z", NULL, NULL, 0);
    assert_status(200, "a time with its colons escaped, as a form sends it");
    ck_assert_str_eq(json_string_value(json_object_get(R_json, "at")), "2027-01-01T00:00:00Z");
    call_full("GET", "/v1/roundtable", NULL, "2027-01-01T00%3B00:00Z", NULL, NULL, 0);
    assert_error(400, "bad_request", "another escape");
    call_full("GET", "/v1/roundtable", NULL, "2027-01-01T00:00:00Z%3", NULL, NULL, 0);
    assert_error(400, "bad_request", "a cut escape");
    call_full("GET", "/v1/roundtable", NULL, "2027-01-01T00:00:00Z2027-01-01T00:00:00Z", NULL, NULL,
              0);
    assert_error(400, "bad_request", "too long");
    call_full("GET", "/v1/roundtable/expiring", NULL, NULL, NULL, NULL, 0);
    assert_error(400, "bad_request", "no within");
    call_full("GET", "/v1/roundtable/expiring", NULL, NULL, "-1", NULL, 0);
    assert_error(400, "bad_request", "negative within");
    call_full("GET", "/v1/roundtable/expiring", NULL, NULL, "01", NULL, 0);
    assert_error(400, "bad_request", "a leading zero");
    get("/v1/status/mandates/1/revocation");
    assert_error(404, "not_found", "a mandate list not in use");
    get("/v1/status/mandates/0/other");
    assert_error(400, "bad_request", "another purpose");
    get("/v1/status/mandates/0/revocation");
    assert_status(200, "mandate list 0 is always served");
    get("/v1/mandates");
    assert_error(405, "method_not_allowed", "GET on the register route");
    get("/v1/seats");
    assert_error(405, "method_not_allowed", "GET on the seat route");
    call_full("POST", "/v1/roundtable", NULL, NULL, NULL, "x", 1);
    assert_error(405, "method_not_allowed", "POST on the roundtable");
    get("/v1/roundtable/other");
    assert_error(404, "not_found", "unknown roundtable route");
}
END_TEST

/* ---- the client ---------------------------------------------------------------------------- */

/* Sign a mandate with the status entries a client reservation gave. */
static char *
mandate_for(libro_office office, int tribe, int holder, int64_t from, int64_t until,
            const char *revocation, uint32_t list, uint32_t index)
{
    libro_credential *c =
        rt_mandate_cred(&F, office, tribe, holder, from, until, BASE, list, index);
    char *jws;

    if (revocation != NULL) {
        const char *tail = strstr(revocation, "/v1/status/");
        char base[200];

        ck_assert_ptr_nonnull(tail);
        ck_assert_uint_lt((size_t) (tail - revocation), sizeof base);
        memcpy(base, revocation, (size_t) (tail - revocation));
        base[tail - revocation] = '\0';
        libro_credential_free(c);
        c = rt_mandate_cred(&F, office, tribe, holder, from, until, base, list, index);
        ck_assert_str_eq(c->status_revocation_list, revocation);
    }
    jws = sign(c, rt_signer(&F, office, tribe));
    libro_credential_free(c);
    return jws;
}

/* The whole roundtable through libro_registry_client: on a server on loopback (port 0) when
 * `remote`, else on the database in-process. */
static void
client_flow(bool remote)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_server *server = NULL;
    libro_registry_client *community = NULL;
    libro_registry_client *tribe = NULL;
    libro_registry_client *holder = NULL;
    libro_registry_client *reader = NULL;
    const char *target = F.db_path;
    char *urls[3] = {NULL, NULL, NULL};
    uint32_t list = 0;
    uint32_t index = 0;
    char rep[LIBRO_MANDATE_ID_SIZE];
    char chair[LIBRO_MANDATE_ID_SIZE];
    int64_t from = now - 30 * DAY;
    libro_mandate_record m;
    libro_mandate_record *ms = NULL;
    libro_seat *seats = NULL;
    size_t n = 0;
    char *jws;

    if (remote) {
        opt.db_path = F.db_path;
        opt.registry_key = F.registry_key;
        opt.threads = 2;
        must(libro_server_start(&server, &opt, &err), &err, "server");
        ck_assert_uint_ne(libro_server_port(server), 0);
        target = libro_server_base_url(server);
    }
    must(libro_registry_client_open(&community, target, F.community_key, community_kid, "clerk",
                                    NULL, &err),
         &err, "community client");
    must(libro_registry_client_open(&tribe, target, F.tribe_key[0], tribe_kid[0], "tribe clerk",
                                    NULL, &err),
         &err, "tribe client");
    must(libro_registry_client_open(&holder, target, F.holder_key[0], holder_kid[0], "Jane Doe",
                                    NULL, &err),
         &err, "holder client");
    must(libro_registry_client_open(&reader, target, NULL, NULL, "reader", NULL, &err), &err,
         "reader");
    ck_assert_int_eq(libro_registry_client_remote(reader), remote);

    must(libro_registry_client_add_seat(community, F.tribe_charter[0], &err), &err, "seat");
    if (remote) {
        LIBRO_ASSERT_CODE(libro_registry_client_add_seat(tribe, F.tribe_charter[1], &err),
                          LIBRO_ERR_DENIED, &err, "registry: 403 out_of_scope");
    }
    must(libro_registry_client_seats(reader, &seats, &n, &err), &err, "seats");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(seats[0].community, rt_tribe(0));
    ck_assert_str_eq(seats[0].charter, F.tribe_charter[0]);
    libro_seats_free(seats, n);

    must(libro_registry_client_reserve_mandate(tribe, &list, &index, &urls[0], &urls[1], &urls[2],
                                               &err),
         &err, "reserve");
    ck_assert_int_eq(urls[0] != NULL, remote);
    jws = mandate_for(REP, 0, 0, from, rt_term_end(from, 3), urls[0], list, index);
    must(libro_registry_client_register_mandate(tribe, jws, list, index, rep, &err), &err,
         "register");
    libro_free(jws);
    for (int i = 0; i < 3; i++) {
        libro_free(urls[i]);
        urls[i] = NULL;
    }
    must(libro_registry_client_reserve_mandate(community, &list, &index, &urls[0], &urls[1],
                                               &urls[2], &err),
         &err, "reserve chair");
    jws = mandate_for(CHAIR, 0, 1, from, rt_term_end(from, 4), urls[0], list, index);
    must(libro_registry_client_register_mandate(community, jws, list, index, chair, &err), &err,
         "register chair");
    libro_free(jws);

    must(libro_registry_client_mandate(reader, &m, rep, &err), &err, "mandate");
    ck_assert_str_eq(m.id, rep);
    ck_assert_int_eq(m.office, REP);
    ck_assert_str_eq(m.seat, rt_tribe(0));
    ck_assert_str_eq(m.name, "Jane Doe");
    ck_assert_int_eq(m.valid_from, from);
    ck_assert_int_eq(m.state, LIBRO_MANDATE_ACTIVE);
    libro_mandate_record_clear(&m);
    must(libro_registry_client_roundtable(reader, &ms, &n, now, &err), &err, "roundtable");
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(ms[0].id, chair);
    ck_assert_ptr_null(ms[0].seat);
    ck_assert_str_eq(ms[1].id, rep);
    libro_mandate_records_free(ms, n);
    must(libro_registry_client_roundtable(reader, &ms, &n, from - 1, &err), &err, "before");
    ck_assert_uint_eq(n, 0);
    libro_mandate_records_free(ms, n);
    if (remote) {
        libro_http_request hreq = LIBRO_HTTP_REQUEST_INIT;
        libro_http_response hresp = LIBRO_HTTP_RESPONSE_INIT;
        char url[200];
        char when[LIBRO_TIME_TEXT_MAX];

        /* A browser's form escapes the colons; the server reads the query as sent. */
        must(libro_time_format(when, now, &err), &err, "now");
        ck_assert_int_gt(snprintf(url, sizeof url, "%s/v1/roundtable?at=%.13s%%3A%.2s%%3A%s",
                                  target, when, when + 14, when + 17),
                         0);
        hreq.url = url;
        hreq.accept = "application/json";
        hreq.max_response_bytes = 256u * 1024u;
        must(libro_http_fetch(&hresp, &hreq, &err), &err, "GET escaped at");
        ck_assert_int_eq(hresp.status, 200);
        must(libro_buf_append(&hresp.body, "", 1, &err), &err, "NUL");
        ck_assert_ptr_nonnull(strstr((const char *) hresp.body.data, chair));
        libro_http_response_clear(&hresp);
    }
    must(libro_registry_client_mandates_expiring(reader, &ms, &n, 4 * 366 * DAY, &err), &err,
         "expiring");
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(ms[0].id, rep); /* the shorter term first */
    libro_mandate_records_free(ms, n);

    must(libro_registry_client_end_mandate(holder, rep, LIBRO_MANDATE_RESIGNED, "moved away", &err),
         &err, "resign");
    must(libro_registry_client_mandate(reader, &m, rep, &err), &err, "mandate");
    ck_assert_int_eq(m.state, LIBRO_MANDATE_RESIGNED);
    ck_assert_str_eq(m.end_reason, "moved away");
    ck_assert_str_eq(m.ended_by, remote ? F.holder_did[0] : "Jane Doe");
    ck_assert(m.status_set);
    libro_mandate_record_clear(&m);
    if (remote) {
        LIBRO_ASSERT_CODE(libro_registry_client_end_mandate(holder, chair, LIBRO_MANDATE_RESIGNED,
                                                            "not mine", &err),
                          LIBRO_ERR_DENIED, &err, "registry: 403 out_of_scope");
    }
    must(libro_registry_client_end_mandate(community, chair, LIBRO_MANDATE_RECALLED, "process",
                                           &err),
         &err, "recall");
    LIBRO_ASSERT_CODE(
        libro_registry_client_end_mandate(community, chair, LIBRO_MANDATE_RECALLED, "again", &err),
        LIBRO_ERR_DENIED, &err, "has ended already");
    LIBRO_ASSERT_CODE(libro_registry_client_mandate(
                          reader, &m,
                          "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                          &err),
                      LIBRO_ERR_NOT_FOUND, &err, NULL);
    must(libro_registry_client_roundtable(reader, &ms, &n, libro_time_now(), &err), &err,
         "roundtable after");
    ck_assert_uint_eq(n, 0);
    libro_mandate_records_free(ms, n);

    for (int i = 0; i < 3; i++) {
        libro_free(urls[i]);
    }
    libro_registry_client_close(reader);
    libro_registry_client_close(holder);
    libro_registry_client_close(tribe);
    libro_registry_client_close(community);
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
    Suite *s = suite_create("roundtable_api");
    TCase *api = tcase_create("api");
    TCase *client = tcase_create("client");

    tcase_add_checked_fixture(api, setup, teardown);
    tcase_add_test(api, test_http_flow);
    tcase_add_loop_test(api, test_http_refusals, 0, (int) LIBRO_NELEM(refusals));
    tcase_add_test(api, test_read_refusals);
    suite_add_tcase(s, api);
    tcase_add_checked_fixture(client, setup, teardown);
    tcase_add_test(client, test_client_loopback);
    tcase_add_test(client, test_client_local);
    suite_add_tcase(s, client);
    return s;
}
