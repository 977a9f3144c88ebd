/* The registry's HTTP API: the router. A path is matched by a cursor that consumes it one
 * segment at a time (a literal, a number, a name, the end), so no route depends on where in
 * the string its parameters happen to start. Behaviour per path (docs/operations.md): an
 * unknown path is 404; a known route whose parameters are not of their form is 400 with the
 * route's usage; a trailing slash is another path (404), except where a parameter follows
 * (an empty parameter: 400). Paths are not unescaped: "%2F" is three bytes of a segment, not
 * a boundary, and '%' is in no parameter's alphabet. */
#include <string.h>

#include "http_int.h"
#include "libro/crypto.h"
#include "libro/merkle.h"
#include "libro/statuslist.h"
#include "libro/util.h"

/* What is left of the path: empty, or starting at a '/'. */
typedef struct cursor {
    const char *p;
    size_t len;
} cursor;

/* The next segment (possibly empty: "//" or a trailing '/'), consumed; false at the end. */
static bool
take_segment(cursor *c, const char **seg, size_t *seg_len)
{
    size_t n = 1;

    if (c->len == 0 || c->p[0] != '/') {
        return false;
    }
    while (n < c->len && c->p[n] != '/') {
        n++;
    }
    *seg = c->p + 1;
    *seg_len = n - 1;
    c->p += n;
    c->len -= n;
    return true;
}

/* Consume the next segment when it is exactly `word`. */
static bool
take_literal(cursor *c, const char *word)
{
    cursor at = *c;
    const char *seg;
    size_t len;

    if (!take_segment(&at, &seg, &len) || len != strlen(word) || memcmp(seg, word, len) != 0) {
        return false;
    }
    *c = at;
    return true;
}

static bool
at_end(const cursor *c)
{
    return c->len == 0;
}

/* A route that is one literal and the end. */
static bool
take_last(cursor *c, const char *word)
{
    cursor at = *c;

    if (take_literal(&at, word) && at_end(&at)) {
        *c = at;
        return true;
    }
    return false;
}

/* A segment that is a canonical decimal number up to `max`; false (nothing else said) when
 * the segment is missing or not one. */
static bool
take_number(cursor *c, uint64_t max, uint64_t *out)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    const char *seg;
    size_t len;

    return take_segment(c, &seg, &len) && libro_parse_u64(out, seg, len, max, &ignored) == LIBRO_OK;
}

/* /v1/status/<list>/<revocation|suspension|message>, and the same under
 * /v1/status/mandates/: two segments and the end, or 404. */
static void
match_status(libro_http__route_match *m, cursor *c)
{
    cursor at;
    const char *seg;
    size_t len;
    uint64_t n = 0;

    m->usage = "want /v1/status/[mandates/]<list number>/<revocation|suspension|message>";
    m->mandates = take_literal(c, "mandates");
    at = *c;
    if (!take_segment(&at, &seg, &len) || !take_segment(&at, &seg, &len) || !at_end(&at)) {
        return;
    }
    m->route = LIBRO_HTTP_ROUTE_STATUS;
    if (!take_number(c, UINT32_MAX, &n) || !take_segment(c, &seg, &len)) {
        m->malformed = true;
        return;
    }
    m->list = (uint32_t) n;
    if (len == 10 && memcmp(seg, "revocation", len) == 0) {
        m->purpose = LIBRO_STATUS_REVOCATION;
    } else if (len == 10 && memcmp(seg, "suspension", len) == 0) {
        m->purpose = LIBRO_STATUS_SUSPENSION;
    } else if (len == 7 && memcmp(seg, "message", len) == 0) {
        m->purpose = LIBRO_STATUS_MESSAGE;
    } else {
        m->malformed = true;
    }
}

/* /v1/licenses (register), /v1/licenses/<number> and /v1/licenses/<number>/<operation>. */
static void
match_licenses(libro_http__route_match *m, cursor *c)
{
    static const struct {
        const char *name;
        libro_http_write op;
    } ops[] = {{"renew", LIBRO_HTTP_WRITE_RENEW},
               {"suspend", LIBRO_HTTP_WRITE_SUSPEND},
               {"reinstate", LIBRO_HTTP_WRITE_REINSTATE},
               {"revoke", LIBRO_HTTP_WRITE_REVOKE},
               {"surrender", LIBRO_HTTP_WRITE_SURRENDER}};
    const char *number;
    size_t len;

    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_REGISTER;
        return;
    }
    if (!take_segment(c, &number, &len)) {
        return;
    }
    m->usage = "want /v1/licenses/<number> ([A-Za-z0-9._-], 1 to 64 bytes)";
    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_LICENSE;
    } else {
        for (size_t i = 0; i < LIBRO_NELEM(ops) && m->route == LIBRO_HTTP_ROUTE_NONE; i++) {
            cursor at = *c;

            if (take_literal(&at, ops[i].name) && at_end(&at)) {
                m->route = LIBRO_HTTP_ROUTE_WRITE;
                m->op = ops[i].op;
            }
        }
        if (m->route == LIBRO_HTTP_ROUTE_NONE) {
            return;
        }
    }
    if (!libro_license_number_ok(number, len)) {
        m->malformed = true;
        return;
    }
    memcpy(m->number, number, len);
    m->number[len] = '\0';
}

/* /v1/mandates (register), /v1/mandates/reservations, /v1/mandates/<id> and
 * /v1/mandates/<id>/end. */
static void
match_mandates(libro_http__route_match *m, cursor *c)
{
    const char *id;
    size_t len;

    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_MANDATE_REGISTER;
        return;
    }
    if (take_last(c, "reservations")) {
        m->route = LIBRO_HTTP_ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_MANDATE_RESERVE;
        return;
    }
    if (!take_segment(c, &id, &len)) {
        return;
    }
    m->usage = "want /v1/mandates/<id> (sha256: and 64 lowercase hex digits)";
    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_MANDATE;
    } else if (take_last(c, "end")) {
        m->route = LIBRO_HTTP_ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_MANDATE_END;
    } else {
        return;
    }
    if (len != LIBRO_MANDATE_ID_LEN) {
        m->malformed = true;
        return;
    }
    memcpy(m->mandate, id, len);
    m->mandate[len] = '\0';
    m->malformed = !libro_mandate_id_ok(m->mandate);
}

/* /v1/agreements (register), /v1/agreements/<hash> and /v1/agreements/<hash>/end. */
static void
match_agreements(libro_http__route_match *m, cursor *c)
{
    const char *hash;
    size_t len;

    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_DOCUMENT;
        m->doc = LIBRO_HTTP_DOC_AGREEMENT;
        return;
    }
    if (!take_segment(c, &hash, &len)) {
        return;
    }
    m->usage = "want /v1/agreements/<hash> (sha256: and 64 lowercase hex digits)";
    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_AGREEMENT;
    } else if (take_last(c, "end")) {
        m->route = LIBRO_HTTP_ROUTE_DOCUMENT;
        m->doc = LIBRO_HTTP_DOC_AGREEMENT_END;
    } else {
        return;
    }
    if (!libro_hash_ref_ok(hash, len)) {
        m->malformed = true;
        return;
    }
    memcpy(m->hash, hash, len);
    m->hash[len] = '\0';
}

/* /v1/laws (GET: in force; POST: register), /v1/laws/review-due, /v1/laws/<id>,
 * /v1/laws/<id>/record and /v1/laws/<id>/steps. */
static void
match_laws(libro_http__route_match *m, cursor *c)
{
    const char *id;
    size_t len;

    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_LAWS;
        return;
    }
    if (take_last(c, "review-due")) {
        m->route = LIBRO_HTTP_ROUTE_REVIEW_DUE;
        return;
    }
    if (!take_segment(c, &id, &len)) {
        return;
    }
    m->usage = "want /v1/laws/<law id> (an id without '/', '?', '%' or '#')";
    if (at_end(c)) {
        m->route = LIBRO_HTTP_ROUTE_LAW;
    } else if (take_last(c, "record")) {
        m->route = LIBRO_HTTP_ROUTE_LAW_RECORD;
    } else if (take_last(c, "steps")) {
        m->route = LIBRO_HTTP_ROUTE_DOCUMENT;
        m->doc = LIBRO_HTTP_DOC_STEP;
    } else {
        return;
    }
    if (!libro_law_id_ok(id, len)) {
        m->malformed = true;
        return;
    }
    memcpy(m->law_id, id, len);
    m->law_id[len] = '\0';
}

/* /v1/types/<id>: the rest of the path is the id (a '/' in it makes it malformed). */
static void
match_type(libro_http__route_match *m, cursor *c)
{
    const char *id;
    size_t len;

    if (!take_segment(c, &id, &len)) {
        return;
    }
    m->route = LIBRO_HTTP_ROUTE_TYPE;
    m->usage = "want /v1/types/<id> ([a-z0-9-], 1 to 64 bytes)";
    if (!at_end(c) || len >= sizeof m->number || !libro_license_type_id_ok(id, len)) {
        m->malformed = true;
        return;
    }
    memcpy(m->number, id, len);
    m->number[len] = '\0';
}

/* "<a>/<b>" (or "<a>" when b is NULL) and the end: the log's numbers. */
static bool
take_log_numbers(cursor *c, uint64_t *a, uint64_t *b)
{
    return take_number(c, LIBRO_MERKLE_MAX_SIZE, a) &&
           (b == NULL || take_number(c, LIBRO_MERKLE_MAX_SIZE, b)) && at_end(c);
}

static void
match_log(libro_http__route_match *m, cursor *c)
{
    cursor at = *c;

    if (take_literal(&at, "checkpoint") && at_end(&at)) {
        m->route = LIBRO_HTTP_ROUTE_CHECKPOINT;
    } else if (take_literal(c, "inclusion")) {
        if (!at_end(c)) {
            m->route = LIBRO_HTTP_ROUTE_INCLUSION;
            m->usage = "want /v1/log/inclusion/<leaf index>/<tree size>";
            m->malformed = !take_log_numbers(c, &m->a, &m->b);
        }
    } else if (take_literal(c, "consistency")) {
        if (!at_end(c)) {
            m->route = LIBRO_HTTP_ROUTE_CONSISTENCY;
            m->usage = "want /v1/log/consistency/<older size>/<newer size>";
            m->malformed = !take_log_numbers(c, &m->a, &m->b);
        }
    } else if (take_literal(c, "leaves")) {
        if (at_end(c)) {
            m->route = LIBRO_HTTP_ROUTE_LEAVES;
        } else {
            m->route = LIBRO_HTTP_ROUTE_LEAF;
            m->usage = "want /v1/log/leaves/<leaf index>";
            m->malformed = !take_log_numbers(c, &m->a, NULL);
        }
    }
}

void
libro_http__match(libro_http__route_match *m, const char *path)
{
    cursor c = {path, strlen(path)};

    memset(m, 0, sizeof *m);
    if (!take_literal(&c, "v1")) {
        return;
    }
    if (take_last(&c, "health")) {
        m->route = LIBRO_HTTP_ROUTE_HEALTH;
    } else if (take_last(&c, "bundle")) {
        m->route = LIBRO_HTTP_ROUTE_BUNDLE;
    } else if (take_last(&c, "feed.atom")) {
        m->route = LIBRO_HTTP_ROUTE_FEED;
    } else if (take_last(&c, "reservations")) {
        m->route = LIBRO_HTTP_ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_RESERVE;
    } else if (take_literal(&c, "queries")) {
        if (take_last(&c, "expiring")) {
            m->route = LIBRO_HTTP_ROUTE_WRITE; /* a signed request, though it changes nothing */
            m->op = LIBRO_HTTP_QUERY_EXPIRING;
        }
    } else if (take_literal(&c, "types")) {
        match_type(m, &c);
    } else if (take_literal(&c, "status")) {
        match_status(m, &c);
    } else if (take_literal(&c, "licenses")) {
        match_licenses(m, &c);
    } else if (take_literal(&c, "log")) {
        match_log(m, &c);
    } else if (take_literal(&c, "mandates")) {
        match_mandates(m, &c);
    } else if (take_literal(&c, "agreements")) {
        match_agreements(m, &c);
    } else if (take_literal(&c, "laws")) {
        match_laws(m, &c);
    } else if (take_last(&c, "seats")) {
        m->route = LIBRO_HTTP_ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_SEAT;
    } else if (take_last(&c, "roundtable")) {
        m->route = LIBRO_HTTP_ROUTE_ROUNDTABLE;
    } else if (take_literal(&c, "roundtable")) {
        if (take_last(&c, "expiring")) {
            m->route = LIBRO_HTTP_ROUTE_EXPIRING;
        }
    }
}

static bool
method_allowed(libro_http__response *resp, const libro_http__request *req, bool write)
{
    bool read_method = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;

    if (write && strcmp(req->method, "POST") != 0) {
        libro_http__error(resp, 405, "method_not_allowed", "send a signed request with POST");
        resp->allow = "POST";
        return false;
    }
    if (!write && !read_method) {
        libro_http__error(resp, 405, "method_not_allowed", "this resource is read-only");
        resp->allow = "GET, HEAD";
        return false;
    }
    return true;
}

void
libro_http__handle(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                   const libro_http__request *req, const unsigned char *body, size_t body_len)
{
    libro_http__route_match m;
    const char *p;

    for (p = req->path; *p != '\0'; p++) {
        /* The path is as the client sent it (server.c keeps it escaped): control bytes and
         * non-ASCII stop here. */
        if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f) {
            libro_http__error(resp, 400, "bad_request", "malformed path");
            return;
        }
    }
    if (req->path[0] != '/') {
        libro_http__error(resp, 400, "bad_request", "malformed path");
        return;
    }
    libro_http__match(&m, req->path);
    if (m.route == LIBRO_HTTP_ROUTE_NONE) {
        libro_http__error(resp, 404, "not_found", "no such resource");
        return;
    }
    /* /v1/laws is the list of laws in force, and where an adopted law is posted. */
    if (m.route == LIBRO_HTTP_ROUTE_LAWS && strcmp(req->method, "POST") == 0) {
        m.route = LIBRO_HTTP_ROUTE_DOCUMENT;
        m.doc = LIBRO_HTTP_DOC_LAW;
    }
    if (!method_allowed(
            resp, req, m.route == LIBRO_HTTP_ROUTE_WRITE || m.route == LIBRO_HTTP_ROUTE_DOCUMENT)) {
        if (m.route == LIBRO_HTTP_ROUTE_LAWS) {
            resp->allow = "GET, HEAD, POST";
        }
        return;
    }
    if (m.malformed) {
        libro_http__error(resp, 400, "bad_request", m.usage);
        return;
    }
    if ((m.route == LIBRO_HTTP_ROUTE_WRITE || m.route == LIBRO_HTTP_ROUTE_DOCUMENT) &&
        !libro_http__rate_take(ctx, req->client, libro_http__monotonic_ms())) {
        libro_http__error(resp, 429, "rate_limited", "too many writes from this address");
        resp->retry_after = 1;
        return;
    }
    switch (m.route) {
    case LIBRO_HTTP_ROUTE_HEALTH:
        libro_http__health(resp);
        break;
    case LIBRO_HTTP_ROUTE_STATUS:
        libro_http__status(resp, ctx, reg, req, m.mandates, m.list, m.purpose);
        break;
    case LIBRO_HTTP_ROUTE_LICENSE:
        libro_http__license(resp, ctx, reg, req, m.number);
        break;
    case LIBRO_HTTP_ROUTE_BUNDLE:
        libro_http__bundle(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_TYPE:
        libro_http__type(resp, ctx, reg, req, m.number);
        break;
    case LIBRO_HTTP_ROUTE_CHECKPOINT:
        libro_http__checkpoint(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_INCLUSION:
    case LIBRO_HTTP_ROUTE_CONSISTENCY:
        libro_http__proof(resp, ctx, reg, req, m.route == LIBRO_HTTP_ROUTE_INCLUSION, m.a, m.b);
        break;
    case LIBRO_HTTP_ROUTE_LEAF:
        libro_http__leaf(resp, ctx, reg, req, m.a);
        break;
    case LIBRO_HTTP_ROUTE_FEED:
        libro_http__feed(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_LEAVES:
        libro_http__leaves(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_MANDATE:
        libro_http__mandate(resp, ctx, reg, req, m.mandate);
        break;
    case LIBRO_HTTP_ROUTE_ROUNDTABLE:
        libro_http__roundtable(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_EXPIRING:
        libro_http__roundtable_expiring(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_AGREEMENT:
        libro_http__agreement(resp, ctx, reg, req, m.hash);
        break;
    case LIBRO_HTTP_ROUTE_LAWS:
        libro_http__laws(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_LAW:
        libro_http__law(resp, ctx, reg, req, m.law_id);
        break;
    case LIBRO_HTTP_ROUTE_LAW_RECORD:
        libro_http__law_record(resp, ctx, reg, req, m.law_id);
        break;
    case LIBRO_HTTP_ROUTE_REVIEW_DUE:
        libro_http__laws_review_due(resp, ctx, reg, req);
        break;
    case LIBRO_HTTP_ROUTE_DOCUMENT:
        libro_http__document(resp, ctx, reg, req, m.doc,
                             m.hash[0] != '\0'     ? m.hash
                             : m.law_id[0] != '\0' ? m.law_id
                                                   : NULL,
                             body, body_len);
        break;
    case LIBRO_HTTP_ROUTE_WRITE:
        /* Only the routes under /v1/licenses/<number>/ name a license, and under
         * /v1/mandates/<id>/ a mandate. */
        libro_http__write(resp, ctx, reg, req, m.op,
                          m.mandate[0] != '\0'  ? m.mandate
                          : m.number[0] == '\0' ? NULL
                                                : m.number,
                          body, body_len);
        break;
    case LIBRO_HTTP_ROUTE_NONE:
        break;
    }
}
