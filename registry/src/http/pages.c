/* The registry's HTTP API: the HTML side. Content negotiation (whether a client prefers
 * text/html to JSON) and the small page a license record is shown as; every text from the
 * registry is escaped, since a holder's name is whatever the issuer wrote. */
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "libro/time.h"
#include "libro/util.h"

/* The q of a media range's parameters p[0..len): 0..1000, 1000 when absent (RFC 9110 §12.4.2). */
static unsigned
parse_q(const char *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t start;
        size_t j;
        unsigned q;
        unsigned scale = 100;

        while (i < len && (p[i] == ';' || p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        start = i;
        while (i < len && p[i] != ';') {
            i++;
        }
        if (i - start < 3 || (p[start] != 'q' && p[start] != 'Q') || p[start + 1] != '=') {
            continue;
        }
        j = start + 2;
        if (p[j] != '0' && p[j] != '1') {
            return 0;
        }
        q = (unsigned) (p[j] - '0') * 1000u;
        j++;
        if (j < i && p[j] == '.') {
            for (j++; j < i && p[j] >= '0' && p[j] <= '9' && scale > 0; j++) {
                q += (unsigned) (p[j] - '0') * scale;
                scale /= 10;
            }
        }
        return q > 1000 ? 1000 : q;
    }
    return 1000;
}

static bool
range_is(const char *p, size_t len, const char *want)
{
    return strlen(want) == len && strncasecmp(p, want, len) == 0;
}

/* Whether `accept` ranks text/html above application/json (the most specific range naming
 * each decides its q). No Accept, or a tie: JSON. */
bool
libro_http__prefers_html(const char *accept)
{
    int html_spec = 0;
    int json_spec = 0;
    unsigned html_q = 0;
    unsigned json_q = 0;
    const char *p = accept;

    if (accept == NULL) {
        return false;
    }
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t item_len = end == NULL ? strlen(p) : (size_t) (end - p);
        const char *semi = memchr(p, ';', item_len);
        size_t type_len = semi == NULL ? item_len : (size_t) (semi - p);
        unsigned q;
        int hs = 0;
        int js = 0;

        while (type_len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            item_len--;
            type_len--;
        }
        while (type_len > 0 && (p[type_len - 1] == ' ' || p[type_len - 1] == '\t')) {
            type_len--;
        }
        q = semi == NULL ? 1000 : parse_q(semi, item_len - (size_t) (semi - p));
        if (range_is(p, type_len, "text/html")) {
            hs = 3;
        } else if (range_is(p, type_len, "text/*")) {
            hs = 2;
        } else if (range_is(p, type_len, "application/json")) {
            js = 3;
        } else if (range_is(p, type_len, "application/*")) {
            js = 2;
        } else if (range_is(p, type_len, "*/*")) {
            hs = 1;
            js = 1;
        }
        if (hs > html_spec) {
            html_spec = hs;
            html_q = q;
        }
        if (js > json_spec) {
            json_spec = js;
            json_q = q;
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    return html_q > json_q;
}

libro_code
libro_http__html_text(libro_buf *b, const char *s, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    for (; *s != '\0' && rc == LIBRO_OK; s++) {
        switch (*s) {
        case '<':
            rc = libro_buf_append_str(b, "&lt;", err);
            break;
        case '>':
            rc = libro_buf_append_str(b, "&gt;", err);
            break;
        case '&':
            rc = libro_buf_append_str(b, "&amp;", err);
            break;
        case '"':
            rc = libro_buf_append_str(b, "&quot;", err);
            break;
        case '\'':
            rc = libro_buf_append_str(b, "&#39;", err);
            break;
        default:
            rc = libro_buf_append(b, s, 1, err);
            break;
        }
    }
    return rc;
}

/* The one stylesheet of every page: readable on a phone, text at WCAG AA contrast or better
 * (the darkest grey and each colour on white at 4.5:1 or more). Inline, and allowed by its
 * hash alone (LIBRO_HTTP_CSP): change one, change the other (check_server tests it). */
const char libro_http__style[] =
    "body{margin:0;font:1rem/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff}"
    "header,main,footer{max-width:50rem;margin:0 auto;padding:.5rem 1rem}"
    "header{border-bottom:1px solid #6b6b6b}a{color:#0645ad}a:visited{color:#5a2d91}"
    "h1{font-size:1.6rem;line-height:1.25;overflow-wrap:anywhere}h2{font-size:1.25rem}"
    "h2,p,li{overflow-wrap:anywhere}pre{white-space:pre-wrap;overflow-wrap:anywhere}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}"
    "dt{font-weight:700}dd{margin:0;overflow-wrap:anywhere}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid "
    "#6b6b6b;overflow-wrap:anywhere}"
    ".wide{overflow-x:auto}label{display:block;font-weight:700;margin-top:.75rem}"
    "input{font:inherit;padding:.4rem;border:1px solid "
    "#6b6b6b;max-width:100%;box-sizing:border-box;width:20rem}"
    "button{font:inherit;padding:.4rem .9rem;margin:.25rem 0;border:1px solid "
    "#0645ad;background:#0645ad;color:#fff}"
    ".status{font-size:1.2rem;font-weight:700;padding:.5rem .75rem;border:3px solid}"
    ".ok{color:#0b6623}.no{color:#a4161a}"
    "@media (max-width:36rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}";

libro_code
libro_http__page_head(libro_buf *b, const char *title_a, const char *title_b, libro_error *err)
{
    libro_code rc = libro_buf_printf(
        b, err,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
        "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s",
        title_a);

    if (rc == LIBRO_OK && title_b != NULL) {
        rc = libro_http__html_text(b, title_b, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              "</title>\n<style>%s</style></head>\n<body>\n<header><a "
                              "href=\"/\">Public register</a></header>\n<main>\n",
                              libro_http__style);
    }
    return rc;
}

/* "<dt>name</dt><dd>escaped value</dd>" rows. */
static libro_code
append_rows(libro_buf *b, const char *const rows[][2], size_t n, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = libro_buf_printf(b, err, "<dt>%s</dt><dd>", rows[i][0]);
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, rows[i][1] == NULL ? "" : rows[i][1], err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "</dd>\n", err);
        }
    }
    return rc;
}

/* A date for people: the "YYYY-MM-DD" of a time. */
static void
day_of(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (libro_time_format(out, t, NULL) != LIBRO_OK) {
        out[0] = '\0';
        return;
    }
    out[10] = '\0';
}

libro_code
libro_http__mandate_html(libro_buf *b, const libro_mandate_record *m, libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    char ended[LIBRO_TIME_TEXT_MAX];
    libro_code rc;

    if ((rc = libro_time_format(from, m->valid_from, err)) != LIBRO_OK ||
        (rc = libro_time_format(until, m->valid_until, err)) != LIBRO_OK) {
        return rc;
    }
    ended[0] = '\0';
    if (m->state != LIBRO_MANDATE_ACTIVE &&
        (rc = libro_time_format(ended, m->ended_at, err)) != LIBRO_OK) {
        return rc;
    }
    {
        const char *const rows[][2] = {
            {"Holder", m->name},
            {"Holder key", m->holder},
            {"Office", libro_office_name(m->office)},
            {"Roundtable", m->roundtable},
            {"Seat", m->seat == NULL ? "(the chair has no seat)" : m->seat},
            {"Voting", m->voting ? "yes" : "no"},
            {"Signed by", m->issuer},
            {"Term from", from},
            {"Term until", until},
            {"State", libro_mandate_state_name(m->state)},
            {"Ended", ended},
            {"Reason", m->end_reason},
        };

        rc = libro_http__page_head(b, "Mandate of ", m->name, err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "<h1>Mandate of ", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, m->name, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, "</h1>\n<p>%s</p>\n<dl>\n", m->id);
        }
        if (rc == LIBRO_OK) {
            rc = append_rows(b, rows, m->state == LIBRO_MANDATE_ACTIVE ? 10 : LIBRO_NELEM(rows),
                             err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(
            b,
            "</dl>\n<p>A record of the registry, not a credential: verify "
            "the mandate itself with <code>libro verify</code>.</p>\n" LIBRO_HTTP_PAGE_END,
            err);
    }
    return rc;
}

/* One row of the roundtable's table: office, seat (its community's name when it has a seat,
 * else its id: the parent, for a leader), holder, vote, term. */
static libro_code
member_row(libro_buf *b, const libro_mandate_record *m, const libro_seat *seats, size_t n_seats,
           libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    const char *seat = m->seat == NULL ? "" : m->seat;
    const char *cells[4];

    for (size_t i = 0; m->seat != NULL && i < n_seats; i++) {
        if (strcmp(seats[i].community, m->seat) == 0) {
            seat = seats[i].name;
        }
    }
    cells[0] = libro_office_name(m->office);
    cells[1] = seat;
    cells[2] = m->name;
    cells[3] = m->voting ? "yes" : "no";
    libro_code rc = libro_buf_append_str(b, "<tr>", err);

    day_of(from, m->valid_from);
    day_of(until, m->valid_until);
    for (size_t i = 0; i < LIBRO_NELEM(cells) && rc == LIBRO_OK; i++) {
        rc = libro_buf_append_str(b, "<td>", err);
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, cells[i], err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "</td>", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, "<td>%s to %s</td></tr>\n", from, until);
    }
    return rc;
}

libro_code
libro_http__roundtable_html(libro_buf *b, const char *community, const char *at,
                            const libro_mandate_record *m, size_t n, const libro_seat *seats,
                            size_t n_seats, libro_error *err)
{
    libro_code rc = libro_http__page_head(b, "Roundtable of ", community, err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "<h1>Roundtable of ", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, community, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              "</h1>\n<p>Members and chair at %s</p>\n<div class=\"wide\"><table>\n"
                              "<tr><th>Office</th>"
                              "<th>Seat</th><th>Holder</th><th>Vote</th><th>Term</th></tr>\n",
                              at);
    }
    for (size_t i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = member_row(b, &m[i], seats, n_seats, err);
    }
    if (rc == LIBRO_OK && n == 0) {
        rc = libro_buf_append_str(b, "<tr><td colspan=\"5\">No one holds office.</td></tr>\n", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(
            b, "</table></div>\n<h2>Seats without a representative</h2>\n<ul>\n", err);
    }
    for (size_t i = 0; i < n_seats && rc == LIBRO_OK; i++) {
        bool held = false;

        for (size_t j = 0; j < n; j++) {
            held = held || (m[j].office == LIBRO_OFFICE_REPRESENTATIVE && m[j].seat != NULL &&
                            strcmp(m[j].seat, seats[i].community) == 0);
        }
        if (held) {
            continue;
        }
        rc = libro_buf_append_str(b, "<li>", err);
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, seats[i].name, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, " (", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, seats[i].community, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, ")</li>\n", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(
            b,
            "</ul>\n<p>Records of the registry, not credentials: verify a "
            "mandate itself with <code>libro verify</code>.</p>\n" LIBRO_HTTP_PAGE_END,
            err);
    }
    return rc;
}
