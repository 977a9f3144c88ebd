/* The registry's request path without a socket (registry/src/http/http_int.h): arbitrary bytes
 * read as an HTTP/1.x request ("METHOD TARGET VERSION", header lines, a blank line, the body;
 * LF or CRLF) into a plain libro_http__request, then the header rules
 * (libro_http__check_headers) and, when they let it through, the router, the request parsing
 * and the signed-request checks (libro_http__handle), against one registry made once in a
 * private temporary directory: Town 7's charter and registry, its health board authorized
 * for nursing-general, and license T7-N-0001 registered.
 *
 * The town's roundtable has a seat (Neighborhood 1) and a chair, so the roundtable's routes
 * answer with records.
 *
 * The first byte picks the mode. Even: the body is sent as it is, so nothing the input holds
 * can be a fresh signed request, and a write route answering 2xx is a forgery that passed.
 * Odd: the body is the claims of a signed request, "@IAT@" replaced by the clock and "@JTI@"
 * by a fresh id, signed here as libro-request+jwt by the health board's key (bit 1 clear) or
 * the town's community key (bit 1 set: the roundtable's writes), so mutations reach the
 * claim, scope and operation checks behind the signature.
 *
 * The query's "at", "within" and "run" reach the roundtable and law routes (GET
 * /v1/roundtable?at=TIME, /v1/roundtable/expiring?within=SECONDS,
 * /v1/laws/review-due?within=SECONDS, /v1/laws/<id>/record?run=N). Documents posted as
 * themselves (an agreement, an end statement, a consent step, an adopted law) are taken only
 * when their own signatures verify: a 2xx to one that does not is a forgery that passed. Either
 * way: an answer always, the header rules refuse only with 400 or 413 and close the connection,
 * every JSON answer is JSON; never a crash, a leak or a read past the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../../registry/src/http/http_int.h"
#include "libro/agreement.h"
#include "libro/api.h"
#include "libro/consent.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define TOWN "urn:libro:town-7"
#define BOARD TOWN ":health-board"
#define BASE "http://127.0.0.1:7777"
#define MAX_HEADERS 64u
#define DAY INT64_C(86400)

/* Fixed keys, so that the committed seeds can carry requests signed by the board. */
static const char town_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MC4CAQAwBQYDK2VwBCIEILnwjM52OVIWuCcIDYsEVh8THWvyAP/q3x5QmbK53Loq\n"
                               "-----END PRIVATE KEY-----\n";
static const char registry_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIAI7nvP2W711Gn61IBDXZ0o8g0FcSMw4TWnjWanj8rqi\n"
    "-----END PRIVATE KEY-----\n";
static const char board_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MC4CAQAwBQYDK2VwBCIEINHxXFqElzo3DwcNeTN2JoXcXsayku4udDipn8pheYl5\n"
                                "-----END PRIVATE KEY-----\n";

static char dir[] = "/tmp/libro-fuzz-http-XXXXXX";
static char db_path[sizeof dir + 16];
static libro_key *town_key;
static libro_key *registry_key;
static libro_key *board_key;
static libro_buf board_kid;
static libro_buf town_kid;
static libro_http_ctx ctx;
static libro_registry *conn_reg; /* the "connection's" handle, opened by the routes */
static unsigned long jti_counter;

static void
cleanup(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char name[sizeof db_path + 16];

    libro_registry_close(conn_reg);
    libro_http__ctx_clear(&ctx);
    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        if (snprintf(name, sizeof name, "%s%s", db_path, suffixes[i]) > 0) {
            (void) unlink(name);
        }
    }
    (void) rmdir(dir);
    libro_buf_free(&board_kid);
    libro_buf_free(&town_kid);
    libro_key_free(board_key);
    libro_key_free(registry_key);
    libro_key_free(town_key);
}

static void
need(libro_code rc, const libro_error *err, const char *what)
{
    if (rc != LIBRO_OK) {
        fprintf(stderr, "fuzz_http_request: setup: %s: %s\n", what, err->msg);
        abort();
    }
}

static char *
dup_str(const char *s)
{
    char *d = libro_strndup(s, strlen(s));

    if (d == NULL) {
        abort();
    }
    return d;
}

static libro_credential *
new_cred(libro_cred_type type, const char *subject, const char *name, int64_t from, int64_t until)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    need(libro_credential_new(&c, type, &err), &err, "credential");
    c->issuer = dup_str(type == LIBRO_CRED_LICENSE ? BOARD : TOWN);
    c->subject_id = subject != NULL ? dup_str(subject) : NULL;
    c->name = dup_str(name);
    c->valid_from = from;
    c->valid_until = until;
    return c;
}

/* Sign `c` with `k` into `out` (as text) and free it. */
static void
sign_cred(libro_buf *out, libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *pub = NULL;

    if (c->type != LIBRO_CRED_LICENSE && c->type != LIBRO_CRED_MANDATE) {
        need(libro_key_public(&pub,
                              c->type == LIBRO_CRED_CHARTER       ? town_key
                              : c->type == LIBRO_CRED_ISSUER_AUTH ? board_key
                                                                  : registry_key,
                              &err),
             &err, "public key");
        c->subject_key = pub;
    }
    need(libro_issuer_sign(out, c, k, &err), &err, "sign");
    libro_credential_free(c);
}

static char **
one_string(size_t *n, const char *s)
{
    char **list = libro_calloc(1, sizeof *list);

    if (list == NULL) {
        abort();
    }
    list[0] = dup_str(s);
    *n = 1;
    return list;
}

/* Reserve a status slot and register license T7-N-0001 in it, through the library. */
static void
register_license(libro_registry *reg, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_credential *c =
        new_cred(LIBRO_CRED_LICENSE, NULL, "Ada Example", now - DAY, now + 300 * DAY);
    uint32_t list = 0;
    uint32_t index = 0;
    char url[128];

    need(libro_registry_reserve_status(reg, NULL, &list, &index, &err), &err, "reserve");
    c->license_number = dup_str("T7-N-0001");
    c->profession = dup_str("registered nurse");
    c->license_type = dup_str("nursing-general");
    c->scope = one_string(&c->n_scope, "general care");
    c->community_id = dup_str(TOWN);
    c->community_level = 2;
    c->has_status = true;
    c->status_index = index;
    (void) snprintf(url, sizeof url, "%s/v1/status/%u/revocation", BASE, (unsigned) list);
    c->status_revocation_list = dup_str(url);
    (void) snprintf(url, sizeof url, "%s/v1/status/%u/suspension", BASE, (unsigned) list);
    c->status_suspension_list = dup_str(url);
    sign_cred(&tok, c, board_key);
    need(libro_registry_register(reg, NULL, (const char *) tok.data, list, index, BOARD, now, &err),
         &err, "register");
    libro_buf_free(&tok);
}

/* A seat for Neighborhood 1 (level 1, chartered by the town) and the town's chair, through
 * the library. */
static void
add_roundtable(libro_registry *reg, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_key *member = NULL;
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, "urn:libro:neighborhood-1", "Neighborhood 1",
                                   now - DAY, now + 1000 * DAY);
    uint32_t list = 0;
    uint32_t index = 0;
    char url[128];

    c->level = 1;
    c->allowed_types = one_string(&c->n_allowed, "nursing-general");
    sign_cred(&tok, c, town_key);
    need(libro_registry_add_seat(reg, NULL, (const char *) tok.data, "clerk", now, &err), &err,
         "seat");
    libro_buf_clear(&tok);
    need(libro_key_generate(&member, LIBRO_ALG_ED25519, &err), &err, "holder key");
    need(libro_key_to_did(&did, member, &err), &err, "did");
    need(libro_registry_reserve_mandate_status(reg, NULL, &list, &index, &err), &err, "reserve");
    c = new_cred(LIBRO_CRED_MANDATE, (const char *) did.data, "Chair <Person>", now - DAY,
                 now + 300 * DAY);
    c->office = LIBRO_OFFICE_CHAIR;
    c->roundtable_id = dup_str(TOWN);
    c->roundtable_level = 2;
    c->election_record =
        dup_str("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    c->election_date = now - 30 * DAY;
    c->election_electorate = 5000;
    c->election_result = dup_str("elected");
    c->has_status = true;
    c->status_index = index;
    (void) snprintf(url, sizeof url, "%s/v1/status/mandates/%u/revocation", BASE, list);
    c->status_revocation_list = dup_str(url);
    (void) snprintf(url, sizeof url, "%s/v1/status/mandates/%u/suspension", BASE, list);
    c->status_suspension_list = dup_str(url);
    (void) snprintf(url, sizeof url, "%s/v1/status/mandates/%u/message", BASE, list);
    c->status_message_list = dup_str(url);
    sign_cred(&tok, c, town_key);
    need(libro_registry_register_mandate(reg, NULL, (const char *) tok.data, list, index, "clerk",
                                         now, NULL, &err),
         &err, "chair");
    libro_buf_free(&did);
    libro_buf_free(&tok);
    libro_key_free(member);
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_license_type type = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_buf charter = LIBRO_BUF_INIT;
    libro_buf reg_auth = LIBRO_BUF_INIT;
    libro_buf board_auth = LIBRO_BUF_INIT;
    libro_registry *reg = NULL;
    libro_credential *c;
    int64_t now = libro_time_now();

    if (mkdtemp(dir) == NULL || atexit(cleanup) != 0 ||
        snprintf(db_path, sizeof db_path, "%s/registry.db", dir) <= 0) {
        abort();
    }
    need(libro_key_from_pem(&town_key, town_pem, strlen(town_pem), NULL, 0, &err), &err, "key");
    need(libro_key_from_pem(&registry_key, registry_pem, strlen(registry_pem), NULL, 0, &err), &err,
         "key");
    need(libro_key_from_pem(&board_key, board_pem, strlen(board_pem), NULL, 0, &err), &err, "key");
    need(libro_kid_for(&board_kid, BOARD, board_key, &err), &err, "kid");
    need(libro_kid_for(&town_kid, TOWN, town_key, &err), &err, "kid");

    c = new_cred(LIBRO_CRED_CHARTER, TOWN, "Town 7", now - 30 * DAY, now + 3000 * DAY);
    c->level = 2;
    c->allowed_types = one_string(&c->n_allowed, "nursing-general");
    sign_cred(&charter, c, town_key);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, TOWN ":registry", "Town 7 Registry", now - 30 * DAY,
                 now + 3000 * DAY);
    c->url = dup_str("http://127.0.0.1");
    sign_cred(&reg_auth, c, town_key);
    need(libro_registry_create(db_path, (const char *) charter.data, (const char *) reg_auth.data,
                               &err),
         &err, "create");
    need(libro_registry_open(&reg, db_path, &err), &err, "open");
    type.id = dup_str("nursing-general");
    need(libro_registry_define_type(reg, NULL, &type, "council", &err), &err, "type");
    libro_free(type.id);
    c = new_cred(LIBRO_CRED_ISSUER_AUTH, BOARD, "Town 7 Health Board", now - DAY, now + 1000 * DAY);
    c->grants = libro_calloc(1, sizeof *c->grants);
    if (c->grants == NULL) {
        abort();
    }
    c->grants[0].id = dup_str("nursing-general");
    c->grants[0].validity_days = 365;
    c->n_grants = 1;
    sign_cred(&board_auth, c, town_key);
    need(libro_registry_authorize_issuer(reg, NULL, (const char *) board_auth.data,
                                         LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "clerk", now, &err),
         &err, "authorize");
    register_license(reg, now);
    add_roundtable(reg, now);
    libro_registry_close(reg);

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.base_url = BASE;
    opt.write_rate = 1000000u; /* the budget is not what is fuzzed: let writes through */
    opt.write_burst = 1000000u;
    need(libro_http__ctx_init(&ctx, &opt, &err), &err, "ctx");
    libro_http__wait_to_serve(&ctx);
    libro_buf_free(&charter);
    libro_buf_free(&reg_auth);
    libro_buf_free(&board_auth);
}

/* ---- the request ------------------------------------------------------------------------- */

/* One line of p[*at..end) without its LF (and CR before it), NUL-terminated in place, and its
 * length as sent in *len (a NUL inside it stays part of it); NULL at the end of the input. */
static char *
next_line(char *p, size_t *at, size_t end, size_t *len)
{
    size_t start = *at;
    size_t i = start;

    if (start >= end) {
        return NULL;
    }
    while (i < end && p[i] != '\n') {
        i++;
    }
    *at = i < end ? i + 1 : end;
    if (i > start && p[i - 1] == '\r') {
        i--;
    }
    p[i] = '\0'; /* p has a byte past `end` for the last line */
    *len = i - start;
    return p + start;
}

/* "Name: value" as libmicrohttpd hands it over: the value without the spaces around it, with
 * its length as sent (the server measures it so: a NUL inside makes it longer than its
 * string, and the header rules refuse it). */
static void
add_header(libro_http__request *req, char *line, size_t line_len)
{
    char *colon = strchr(line, ':');
    char *value;
    size_t n;

    if (colon == NULL) {
        return;
    }
    *colon = '\0';
    value = colon + 1;
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    n = line_len - (size_t) (value - line);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t')) {
        value[--n] = '\0';
    }
    if (n != strlen(value)) {
        req->n_bad_values++;
    }
    if (!libro_http__token_ok(line)) {
        req->n_bad_names++;
    }
    if (strcasecmp(line, "Host") == 0) {
        if (req->n_host++ == 0) {
            req->host = value;
            req->host_len = n;
        }
    } else if (strcasecmp(line, "Content-Length") == 0) {
        if (req->n_content_length++ == 0) {
            req->content_length = value;
            req->content_length_len = n;
        }
    } else if (strcasecmp(line, "Transfer-Encoding") == 0) {
        if (req->n_transfer_encoding++ == 0) {
            req->transfer_encoding = value;
            req->transfer_encoding_len = n;
        }
    } else if (strcasecmp(line, "Accept") == 0 && req->accept == NULL) {
        req->accept = value;
        req->accept_len = n;
    } else if (strcasecmp(line, "If-None-Match") == 0 && req->if_none_match == NULL) {
        req->if_none_match = value;
        req->if_none_match_len = n;
    } else if (strcasecmp(line, "Content-Type") == 0 && req->content_type == NULL) {
        req->content_type = value;
        req->content_type_len = n;
    }
}

/* The query arguments the routes read ("at", "within", "run", "number", "holder"), as libmicrohttpd
 * hands them over: the first of each name, its value as sent (the server keeps escapes). */
static void
query_args(libro_http__request *req, char *q)
{
    while (q != NULL && *q != '\0') {
        char *amp = strchr(q, '&');

        if (amp != NULL) {
            *amp = '\0';
        }
        if (strncmp(q, "at=", 3) == 0 && req->arg_at == NULL) {
            req->arg_at = q + 3;
        } else if (strncmp(q, "within=", 7) == 0 && req->arg_within == NULL) {
            req->arg_within = q + 7;
        } else if (strncmp(q, "run=", 4) == 0 && req->arg_run == NULL) {
            req->arg_run = q + 4;
        } else if (strncmp(q, "number=", 7) == 0 && req->arg_number == NULL) {
            req->arg_number = q + 7;
        } else if (strncmp(q, "holder=", 7) == 0 && req->arg_holder == NULL) {
            req->arg_holder = q + 7;
        }
        q = amp == NULL ? NULL : amp + 1;
    }
}

/* The request line: three words; the target's query (after '?') is not part of the path. */
static void
request_line(libro_http__request *req, char *line)
{
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
    char *q;

    if (sp1 == NULL || sp2 == NULL || strchr(sp2 + 1, ' ') != NULL) {
        return; /* malformed: method, path and version stay NULL */
    }
    *sp1 = '\0';
    *sp2 = '\0';
    q = strchr(sp1 + 1, '?');
    if (q != NULL) {
        *q = '\0';
        query_args(req, q + 1);
    }
    req->method = line;
    req->path = sp1 + 1;
    req->version = sp2 + 1;
}

/* The body of a signed request: the claims template with its placeholders filled, signed.
 * Past the claims cap the signer refuses, and the body stays empty. */
static void
signed_body(libro_buf *out, const char *claims, size_t len, bool as_town)
{
    libro_buf filled = LIBRO_BUF_INIT;
    char now[32];
    char jti[32];
    libro_code rc = LIBRO_OK;
    size_t i = 0;

    (void) snprintf(now, sizeof now, "%lld", (long long) libro_time_now());
    (void) snprintf(jti, sizeof jti, "fuzz-jti-%016lu", ++jti_counter);
    while (rc == LIBRO_OK && i < len) {
        if (len - i >= 5 && memcmp(claims + i, "@IAT@", 5) == 0) {
            rc = libro_buf_append_str(&filled, now, NULL);
            i += 5;
        } else if (len - i >= 5 && memcmp(claims + i, "@JTI@", 5) == 0) {
            rc = libro_buf_append_str(&filled, jti, NULL);
            i += 5;
        } else {
            rc = libro_buf_append(&filled, claims + i, 1, NULL);
            i++;
        }
    }
    if (rc == LIBRO_OK &&
        libro_jws_sign_compact(out, as_town ? town_key : board_key,
                               (const char *) (as_town ? town_kid.data : board_kid.data),
                               LIBRO_REQUEST_TYP, filled.data, filled.len, NULL) != LIBRO_OK) {
        libro_buf_clear(out);
    }
    libro_buf_free(&filled);
}

/* Whether a document the registry took verifies by its own signatures: a COMPLETE agreement,
 * a step its member signed, a law the town's key signed. End statements are checked against
 * the registered agreement's parties, which only the registry holds: any parse suffices. */
static bool
document_verifies(libro_http_doc doc, const unsigned char *body, size_t len)
{
    libro_agreement *a = NULL;
    libro_step *s = NULL;
    libro_jws *j = NULL;
    libro_jws_json *e = NULL;
    bool ok = false;

    switch (doc) {
    case LIBRO_HTTP_DOC_AGREEMENT:
        ok = libro_agreement_check(&a, (const char *) body, len, NULL) == LIBRO_OK &&
             a->outcome == LIBRO_AGREEMENT_COMPLETE;
        break;
    case LIBRO_HTTP_DOC_AGREEMENT_END:
        ok = libro_jws_json_parse(&e, (const char *) body, len, NULL) == LIBRO_OK;
        break;
    case LIBRO_HTTP_DOC_STEP:
        ok = libro_step_verify(&s, NULL, (const char *) body, len, NULL) == LIBRO_OK;
        break;
    case LIBRO_HTTP_DOC_LAW:
        ok = libro_jws_parse(&j, (const char *) body, len, NULL) == LIBRO_OK &&
             libro_jws_verify(j, town_key, NULL) == LIBRO_OK;
        break;
    }
    libro_agreement_free(a);
    libro_step_free(s);
    libro_jws_free(j);
    libro_jws_json_free(e);
    return ok;
}

static bool
is_json(const char *type)
{
    return type != NULL && strcmp(type, "application/json") == 0;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_http__request req;
    libro_http__response resp;
    libro_buf signed_req = LIBRO_BUF_INIT;
    const unsigned char *body;
    size_t body_len;
    size_t at = 0;
    size_t n_headers = 0;
    size_t line_len = 0;
    char *text;
    char *line;
    bool sign;

    if (size == 0 || size > 2 * LIBRO_MAX_HTTP_BODY_BYTES) {
        return 0;
    }
    if (ctx.db_path == NULL) {
        setup();
    }
    sign = (data[0] & 1) != 0;
    text = malloc(size); /* the input without its mode byte, plus a NUL */
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.client[15] = 1;
    line = next_line(text, &at, size - 1, &line_len);
    if (line != NULL) {
        request_line(&req, line);
    }
    while ((line = next_line(text, &at, size - 1, &line_len)) != NULL && line_len > 0 &&
           n_headers++ < MAX_HEADERS) {
        add_header(&req, line, line_len);
    }
    body = (const unsigned char *) text + at;
    body_len = size - 1 - at;
    if (sign) {
        signed_body(&signed_req, (const char *) body, body_len, (data[0] & 2) != 0);
        body = signed_req.data;
        body_len = signed_req.len;
    }

    libro_http__check_headers(&resp, &req, ctx.max_body_bytes);
    if (resp.status != 0 && ((resp.status != 400 && resp.status != 413) || !resp.close)) {
        abort(); /* the header rules refuse with 400 or 413 and close the connection */
    }
    if (resp.status == 0 && body_len <= ctx.max_body_bytes) {
        libro_http__route_match m;

        libro_http__handle(&resp, &ctx, &conn_reg, &req, body, body_len);
        if (resp.status < 200 || resp.status > 599) {
            abort(); /* every request that gets this far gets an answer */
        }
        libro_http__match(&m, req.path);
        if (!sign && m.route == LIBRO_HTTP_ROUTE_WRITE && resp.status < 300) {
            abort(); /* bytes nobody signed just now wrote to the registry */
        }
        if (resp.status < 300 && req.method != NULL && strcmp(req.method, "POST") == 0 &&
            (m.route == LIBRO_HTTP_ROUTE_DOCUMENT || m.route == LIBRO_HTTP_ROUTE_LAWS) &&
            !document_verifies(m.route == LIBRO_HTTP_ROUTE_LAWS ? LIBRO_HTTP_DOC_LAW : m.doc, body,
                               body_len)) {
            abort(); /* a document whose own signatures do not hold was taken */
        }
    }
    if (resp.body.len > 0 && is_json(resp.content_type) &&
        libro_json_check((const char *) resp.body.data, resp.body.len, NULL, NULL) != LIBRO_OK) {
        abort();
    }
    libro_http__response_clear(&resp);
    libro_buf_free(&signed_req);
    free(text);
    return 0;
}
