/* The registry's HTTP API: the HTML side. Content negotiation (whether a client prefers
 * text/html to JSON) and the small page a license record is shown as; every text from the
 * registry is escaped, since a holder's name is whatever the issuer wrote. */
#include <stdio.h>
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

/* The one stylesheet of every page: readable on a phone (a table scrolls in a labelled region
 * of its own, .wide, rather than break its words mid-word; a date, .d, never breaks; .id is an
 * id under the name it stands for), text at WCAG AA contrast or better (the darkest grey and
 * each colour on white at 4.5:1 or more). Inline, and allowed by its hash alone
 * (LIBRO_HTTP_CSP): change one, change the other (check_server tests it). */
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
    "#6b6b6b;overflow-wrap:break-word}"
    "td ul{margin:0;padding-left:1.25rem}.wide{overflow-x:auto}.wide:focus{outline:2px solid "
    "#0645ad}.d{white-space:nowrap}"
    ".id{display:block;font-size:.875rem;color:#4a4a4a;overflow-wrap:anywhere}label{display:block;"
    "font-weight:700;margin-top:.75rem}"
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

libro_code
libro_http__table_open(libro_buf *b, const char *label, libro_error *err)
{
    /* A region that scrolls must be reachable by keyboard and named (axe-core's
     * scrollable-region-focusable; WCAG 2.1.1). */
    return libro_buf_printf(b, err,
                            "<div class=\"wide\" role=\"region\" aria-label=\"%s\" "
                            "tabindex=\"0\"><table>\n",
                            label);
}

void
libro_http__level_suffix(char out[32], const char *level_name, int level)
{
    out[0] = '\0';
    /* "town, level 2"; a level without a name of its own is already "level 5". */
    if (strncmp(level_name, "level ", 6) != 0) {
        (void) snprintf(out, 32, ", level %d", level);
    }
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

/* A community for people: its name and level ("Tribe 1 (level 1)"), its id under it. An id
 * the registry does not know as its own or a seat's is shown alone. */
static libro_code
community_cell(libro_buf *b, const libro_http_ctx *ctx, const char *id, const libro_seat *seats,
               size_t n_seats, libro_error *err)
{
    const char *name = NULL;
    const char *level_name = NULL;
    char level[32] = "";
    libro_code rc;

    if (strcmp(id, ctx->community_id) == 0) {
        name = ctx->community_name;
        level_name = ctx->community_level_name;
        libro_http__level_suffix(level, level_name, ctx->community_level);
    }
    for (size_t i = 0; name == NULL && i < n_seats; i++) {
        if (strcmp(seats[i].community, id) == 0) {
            name = seats[i].name;
            (void) snprintf(level, sizeof level, "level %d", seats[i].level);
        }
    }
    if (name == NULL) {
        return libro_http__html_text(b, id, err);
    }
    rc = libro_http__html_text(b, name, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, " (", err);
    }
    if (rc == LIBRO_OK && level_name != NULL) {
        rc = libro_http__html_text(b, level_name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, "%s)<span class=\"id\">", level);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "</span>", err);
    }
    return rc;
}

libro_code
libro_http__mandate_html(libro_buf *b, const libro_http_ctx *ctx, const libro_mandate_record *m,
                         const libro_seat *seats, size_t n_seats, libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    char ended[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_http__page_head(b, "Mandate of ", m->name, err);

    day_of(from, m->valid_from);
    day_of(until, m->valid_until);
    day_of(ended, m->ended_at);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "<h1>Mandate of ", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, m->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              "</h1>\n<p>%s of the roundtable, %s, from <span class=\"d\">%s"
                              "</span> until <span class=\"d\">%s</span>.</p>\n<dl>\n"
                              "<dt>Holder</dt><dd>",
                              libro_office_name(m->office), libro_mandate_state_name(m->state),
                              from, until);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, m->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "<span class=\"id\">", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, m->holder, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              "</span></dd>\n<dt>Office</dt><dd>%s</dd>\n"
                              "<dt>Roundtable</dt><dd>",
                              libro_office_name(m->office));
    }
    if (rc == LIBRO_OK) {
        rc = community_cell(b, ctx, m->roundtable, seats, n_seats, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "</dd>\n<dt>Seat</dt><dd>", err);
    }
    if (rc == LIBRO_OK) {
        rc = m->seat == NULL ? libro_buf_append_str(b, "(the chair has no seat)", err)
                             : community_cell(b, ctx, m->seat, seats, n_seats, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, "</dd>\n<dt>Voting</dt><dd>%s</dd>\n<dt>Signed by</dt><dd>",
                              m->voting ? "yes" : "no");
    }
    if (rc == LIBRO_OK) {
        rc = community_cell(b, ctx, m->issuer, seats, n_seats, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              "</dd>\n<dt>Term from</dt><dd class=\"d\">%s</dd>\n<dt>Term "
                              "until</dt><dd class=\"d\">%s</dd>\n<dt>State</dt><dd>%s</dd>\n",
                              from, until, libro_mandate_state_name(m->state));
    }
    if (rc == LIBRO_OK && m->state != LIBRO_MANDATE_ACTIVE) {
        rc = libro_buf_printf(b, err, "<dt>Ended</dt><dd class=\"d\">%s</dd>\n<dt>Reason</dt><dd>",
                              ended);
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, m->end_reason == NULL ? "" : m->end_reason, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "</dd>\n", err);
        }
    }
    if (rc == LIBRO_OK) {
        /* The mandate's id ("sha256:" and hex: nothing to escape), for libro and the API. */
        rc = libro_buf_printf(
            b, err,
            "<dt>Mandate id</dt><dd><code>%s</code></dd>\n</dl>\n<p>A record of the registry, "
            "not a credential: verify the mandate itself with <code>libro "
            "verify</code>.</p>\n" LIBRO_HTTP_PAGE_END,
            m->id);
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
        rc = libro_buf_printf(
            b, err, "<td><span class=\"d\">%s</span> to <span class=\"d\">%s</span></td></tr>\n",
            from, until);
    }
    return rc;
}

/* Whether a representative in m[0..n) holds `seat`. */
static bool
seat_held(const libro_mandate_record *m, size_t n, const libro_seat *seat)
{
    for (size_t j = 0; j < n; j++) {
        if (m[j].office == LIBRO_OFFICE_REPRESENTATIVE && m[j].seat != NULL &&
            strcmp(m[j].seat, seat->community) == 0) {
            return true;
        }
    }
    return false;
}

libro_code
libro_http__roundtable_html(libro_buf *b, const char *community, const char *at,
                            const libro_mandate_record *m, size_t n, const libro_seat *seats,
                            size_t n_seats, libro_error *err)
{
    libro_code rc = libro_http__page_head(b, "Roundtable of ", community, err);
    size_t vacant = 0;

    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "<h1>Roundtable of ", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, community, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            b, err, "</h1>\n<p>Members and chair at <span class=\"d\">%s</span></p>\n", at);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__table_open(b, "Members and chair", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b,
                                  "<thead><tr><th scope=\"col\">Office</th><th "
                                  "scope=\"col\">Seat</th><th scope=\"col\">Holder</th><th "
                                  "scope=\"col\">Vote</th><th scope=\"col\">Term</th></tr>"
                                  "</thead>\n<tbody>\n",
                                  err);
    }
    for (size_t i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = member_row(b, &m[i], seats, n_seats, err);
    }
    if (rc == LIBRO_OK && n == 0) {
        rc = libro_buf_append_str(b, "<tr><td colspan=\"5\">No one holds office.</td></tr>\n", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "</tbody></table></div>\n", err);
    }
    for (size_t i = 0; i < n_seats && rc == LIBRO_OK; i++) {
        if (seat_held(m, n, &seats[i])) {
            continue;
        }
        /* The heading before the first vacant seat: none when every seat is held. */
        if (vacant++ == 0) {
            rc = libro_buf_append_str(b, "<h2>Seats without a representative</h2>\n<ul>\n", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "<li>", err);
        }
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
        rc = libro_buf_append_str(b,
                                  vacant > 0    ? "</ul>\n"
                                  : n_seats > 0 ? "<p>Every seat has a representative.</p>\n"
                                                : "<p>The roundtable has no seats yet.</p>\n",
                                  err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(
            b,
            "<p>Records of the registry, not credentials: verify a "
            "mandate itself with <code>libro verify</code>.</p>\n" LIBRO_HTTP_PAGE_END,
            err);
    }
    return rc;
}
