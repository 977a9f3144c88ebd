/* The registry's HTTP API: the roundtable's public reads (docs/formats.md, "Roundtable routes"):
 * a mandate by id, the roundtable at a time (its members and chair, and its seats), and the
 * terms ending soon. JSON, or for a browser the HTML pages of pages.c. Who holds an office is
 * public: no route here needs a signature. */
#include <string.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/json_int.h"
#include "libro/time.h"
#include "libro/util.h"

static const char type_json[] = "application/json";
static const char type_html[] = "text/html; charset=utf-8";
/* A mandate or the roundtable changes when the registry acts: caches ask again (a 304 when
 * unchanged) before using what they keep, so an acknowledged write is in the next read. */
static const char roundtable_cache[] = "public, no-cache";
/* The longest "within" asked for: ten years, longer than any term. */
#define MAX_WITHIN_SECONDS (INT64_C(3660) * 86400)

static json_t *
time_or_null(int64_t t, bool present)
{
    char text[LIBRO_TIME_TEXT_MAX];

    if (!present) {
        return json_null();
    }
    return libro_time_format(text, t, NULL) == LIBRO_OK ? json_string(text) : NULL;
}

static json_t *
text_or_null(const char *s)
{
    return s == NULL ? json_null() : json_string(s);
}

json_t *
libro_http__mandate_json(const libro_mandate_record *m)
{
    return json_pack(
        "{s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:b, s:s, s:o, s:o, s:s, s:o, s:o, s:o, "
        "s:b, s:I, s:I, s:o, s:s}",
        "id", m->id, "office", libro_office_name(m->office), "roundtable", m->roundtable,
        "roundtableLevel", (json_int_t) m->roundtable_level, "seat", text_or_null(m->seat),
        "holder", m->holder, "name", m->name, "voting", m->voting ? 1 : 0, "issuer", m->issuer,
        "validFrom", time_or_null(m->valid_from, true), "validUntil",
        time_or_null(m->valid_until, true), "state", libro_mandate_state_name(m->state), "endedAt",
        time_or_null(m->ended_at, m->state != LIBRO_MANDATE_ACTIVE), "endReason",
        text_or_null(m->end_reason), "endedBy", text_or_null(m->ended_by), "statusSet",
        m->status_set ? 1 : 0, "statusList", (json_int_t) m->status_list, "statusIndex",
        (json_int_t) m->status_index, "registeredAt", time_or_null(m->registered_at, true),
        "credential", m->credential);
}

static json_t *
mandates_json(const libro_mandate_record *m, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        if (json_array_append_new(a, libro_http__mandate_json(&m[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

void
libro_http__finish_record(libro_http__response *resp, const libro_http__request *req, json_t *root,
                          bool html, libro_code rc)
{
    libro_error err = LIBRO_ERROR_INIT;

    if (rc == LIBRO_OK && !html) {
        libro_buf_clear(&resp->body);
        rc = root == NULL ? LIBRO_ERR_NOMEM : libro_json__dump(&resp->body, root, &err);
    }
    json_decref(root);
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    resp->vary_accept = true;
    libro_http__finish_cacheable(resp, req, html ? type_html : type_json, roundtable_cache);
}

void
libro_http__mandate(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                    const libro_http__request *req, const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record m = {0};
    libro_seat *seats = NULL;
    size_t n_seats = 0;
    bool html = libro_http__prefers_html(req->accept);
    json_t *root = NULL;
    libro_code rc;

    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_mandate(*reg, &m, id, &err);
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such mandate");
        goto out;
    }
    /* The page names the communities the mandate names: its seat's from the seats. */
    if (rc == LIBRO_OK && html) {
        rc = libro_registry_seats(*reg, &seats, &n_seats, &err);
    }
    if (rc == LIBRO_OK && html) {
        libro_buf_clear(&resp->body);
        rc = libro_http__mandate_html(&resp->body, ctx, &m, seats, n_seats, &err);
    } else if (rc == LIBRO_OK) {
        root = libro_http__mandate_json(&m);
    }
    libro_http__finish_record(resp, req, root, html, rc);
out:
    libro_seats_free(seats, n_seats);
    libro_mandate_record_clear(&m);
}

/* "at" as a time (absent: now). The query is kept as sent, and a browser's form sends each
 * ':' as "%3A": the one escape a time can need is undone, any other '%' refused. */
static bool
parse_at(int64_t *at, const char *text)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    char plain[LIBRO_TIME_TEXT_MAX];
    size_t len = 0;

    if (text == NULL) {
        *at = libro_time_now();
        return true;
    }
    for (size_t i = 0; text[i] != '\0'; i++) {
        char c = text[i];

        if (c == '%') {
            if (text[i + 1] != '3' || (text[i + 2] != 'A' && text[i + 2] != 'a')) {
                return false;
            }
            c = ':';
            i += 2;
        }
        if (len + 1 >= sizeof plain) {
            return false;
        }
        plain[len++] = c;
    }
    return libro_time_parse(at, plain, len, &ignored) == LIBRO_OK;
}

void
libro_http__roundtable(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                       const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record *m = NULL;
    libro_seat *seats = NULL;
    size_t n = 0;
    size_t n_seats = 0;
    bool html = libro_http__prefers_html(req->accept);
    char at_text[LIBRO_TIME_TEXT_MAX];
    json_t *root = NULL;
    json_t *seat_list = NULL;
    int64_t at = 0;
    libro_code rc;

    if (!parse_at(&at, req->arg_at)) {
        libro_http__error(resp, 400, "bad_request", "at: a time, YYYY-MM-DDTHH:MM:SSZ");
        return;
    }
    rc = libro_time_format(at_text, at, &err);
    if (rc == LIBRO_OK) {
        rc = libro_http__open_registry(ctx, reg, &err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_roundtable(*reg, &m, &n, at, &err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_seats(*reg, &seats, &n_seats, &err);
    }
    if (rc == LIBRO_OK && html) {
        libro_buf_clear(&resp->body);
        rc = libro_http__roundtable_html(&resp->body, ctx->community_name, at_text, m, n, seats,
                                         n_seats, &err);
    } else if (rc == LIBRO_OK) {
        seat_list = json_array();
        for (size_t i = 0; seat_list != NULL && i < n_seats; i++) {
            if (json_array_append_new(seat_list,
                                      json_pack("{s:s, s:s, s:I, s:s}", "community",
                                                seats[i].community, "name", seats[i].name, "level",
                                                (json_int_t) seats[i].level, "charter",
                                                seats[i].charter)) != 0) {
                json_decref(seat_list);
                seat_list = NULL;
            }
        }
        root = seat_list == NULL
                   ? NULL
                   : json_pack("{s:s, s:s, s:o, s:o}", "roundtable", ctx->community_id, "at",
                               at_text, "mandates", mandates_json(m, n), "seats", seat_list);
    }
    libro_http__finish_record(resp, req, root, html, rc);
    libro_seats_free(seats, n_seats);
    libro_mandate_records_free(m, n);
}

bool
libro_http__within(libro_http__response *resp, const libro_http__request *req, int64_t *within)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    uint64_t v = 0;

    if (req->arg_within == NULL ||
        libro_parse_u64(&v, req->arg_within, strnlen(req->arg_within, 32),
                        (uint64_t) MAX_WITHIN_SECONDS, &ignored) != LIBRO_OK) {
        libro_http__error(resp, 400, "bad_request", "within: seconds, 0 to 3660 days");
        return false;
    }
    *within = (int64_t) v;
    return true;
}

void
libro_http__roundtable_expiring(libro_http__response *resp, libro_http_ctx *ctx,
                                libro_registry **reg, const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record *m = NULL;
    size_t n = 0;
    int64_t within = 0;
    json_t *root = NULL;
    libro_code rc;

    if (!libro_http__within(resp, req, &within)) {
        return;
    }
    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_mandates_expiring(*reg, &m, &n, libro_time_now(), within, &err);
    }
    if (rc == LIBRO_OK) {
        root = json_pack("{s:o}", "mandates", mandates_json(m, n));
    }
    libro_http__finish_record(resp, req, root, false, rc);
    libro_mandate_records_free(m, n);
}
