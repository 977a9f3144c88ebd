/* The registry's HTTP API: the public register (docs/operations.md, "Public pages"). A home
 * page with the searches, the search by number and by holder name, each license's page and
 * its record signed by the registry, and the HTML pages of errors. A license's page and its
 * signed record come from one JSON record (libro_http__public_record), so what a person reads
 * is what the registry signs. Every text from a credential or a query is escaped. */
#include <stdio.h>
#include <string.h>

#include "http_int.h"
#include "libro/credential.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"

/* The media type of the signed public record (a compact JWS). */
#define RECORD_TYP "libro-record+jwt"

static const char type_html[] = "text/html; charset=utf-8";
static const char page_cache[] = "public, no-cache";
static const char no_store[] = "no-store";

/* ---- the public record ---------------------------------------------------------------------- */

/* Set `key` of `o` to the time `t` as text; false when out of memory or unwritable. */
static bool
set_time(json_t *o, const char *key, int64_t t, libro_error *err)
{
    char text[LIBRO_TIME_TEXT_MAX];

    return libro_time_format(text, t, err) == LIBRO_OK &&
           json_object_set_new(o, key, json_string(text)) == 0;
}

static json_t *
history_json(const libro_license_event *events, size_t n, libro_error *err)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < n; i++) {
        json_t *item = json_object();
        /* The category's word (NULL: none), never the reason's text. */
        const char *category = libro_reason_category_name(events[i].category);

        if (item == NULL || !set_time(item, "date", events[i].at, err) ||
            json_object_set_new(item, "action", json_string(libro_action_name(events[i].action))) !=
                0 ||
            (category != NULL &&
             json_object_set_new(item, "category", json_string(category)) != 0) ||
            json_array_append_new(list, item) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

/* Since when the license is in its state: its latest change into it (0: no event says). */
static int64_t
state_since(const libro_license_record *r, const libro_license_event *events, size_t n)
{
    for (size_t i = n; i > 0; i--) {
        if (events[i - 1].to == r->state && events[i - 1].from != r->state) {
            return events[i - 1].at;
        }
    }
    return 0;
}

/* A license's term in force at `now` and, when it was renewed early and its newest version has
 * not begun, the next one (*next_from 0: none). The record holds the newest version's term;
 * each older one is its credential's, which the issue and renew events carry. */
static libro_code
terms(int64_t cur[2], int64_t next[2], const libro_license_record *r,
      const libro_license_event *events, size_t n, int64_t now, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    cur[0] = r->valid_from;
    cur[1] = r->valid_until;
    next[0] = next[1] = 0;
    if (r->valid_from <= now) {
        return LIBRO_OK;
    }
    /* Newest first: the versions yet to begin, down to the one in force. */
    for (size_t i = n; i > 0 && rc == LIBRO_OK; i--) {
        const libro_license_event *e = &events[i - 1];
        libro_credential *c = NULL;

        if (e->credential == NULL ||
            (e->action != LIBRO_ACTION_ISSUE && e->action != LIBRO_ACTION_RENEW)) {
            continue;
        }
        rc = libro_credential_parse_unverified(&c, e->credential, strlen(e->credential), err);
        if (rc == LIBRO_OK && c->valid_from > now) {
            next[0] = c->valid_from;
            next[1] = c->valid_until;
        } else if (rc == LIBRO_OK) {
            cur[0] = c->valid_from;
            cur[1] = c->valid_until;
            libro_credential_free(c);
            return LIBRO_OK;
        }
        libro_credential_free(c);
    }
    /* No version has begun (issued to start later): its own term, nothing next. */
    cur[0] = r->valid_from;
    cur[1] = r->valid_until;
    next[0] = next[1] = 0;
    return rc;
}

json_t *
libro_http__public_record(const libro_http_ctx *ctx, const libro_license_record *r,
                          const libro_license_event *events, size_t n_events, int64_t now,
                          libro_error *err)
{
    libro_credential *cred = NULL;
    json_t *root = NULL;
    json_t *scope = NULL;
    int64_t first = r->valid_from;
    int64_t since = state_since(r, events, n_events);
    int64_t cur[2];
    int64_t next[2];
    json_t *next_term = NULL;
    bool ok;

    /* What the credential carries (profession, scope) from the stored one, checked when the
     * registry took it. */
    if (libro_credential_parse_unverified(&cred, r->credential, strlen(r->credential), err) !=
        LIBRO_OK) {
        goto out;
    }
    if (terms(cur, next, r, events, n_events, now, err) != LIBRO_OK) {
        goto out;
    }
    for (size_t i = 0; i < n_events; i++) {
        if (events[i].action == LIBRO_ACTION_ISSUE) {
            first = events[i].at;
            break;
        }
    }
    scope = json_array();
    for (size_t i = 0; scope != NULL && i < cred->n_scope; i++) {
        if (json_array_append_new(scope, json_string(cred->scope[i])) != 0) {
            json_decref(scope);
            scope = NULL;
        }
    }
    root =
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:i, s:s}}", "number", r->number,
                  "holder", r->holder_name, "profession",
                  cred->profession == NULL ? "" : cred->profession, "licenseType", r->license_type,
                  "scope", scope, "community", "id", ctx->community_id, "name", ctx->community_name,
                  "level", ctx->community_level, "levelName", ctx->community_level_name);
    scope = NULL; /* taken by json_pack, even when it failed */
    ok =
        root != NULL && set_time(root, "firstIssued", first, err) &&
        set_time(root, "validFrom", cur[0], err) && set_time(root, "validUntil", cur[1], err) &&
        (next[0] == 0 || ((next_term = json_object()) != NULL &&
                          json_object_set_new(root, "nextTerm", next_term) == 0 &&
                          set_time(next_term, "validFrom", next[0], err) &&
                          set_time(next_term, "validUntil", next[1], err))) &&
        json_object_set_new(root, "status", json_string(libro_license_state_name(r->state))) == 0 &&
        (since == 0 || set_time(root, "statusSince", since, err)) &&
        json_object_set_new(root, "history", history_json(events, n_events, err)) == 0 &&
        set_time(root, "at", now, err) &&
        json_object_set_new(root, "registry", json_string(ctx->issuer_id)) == 0;
    if (!ok) {
        json_decref(root);
        root = NULL;
        if (err != NULL && err->code == LIBRO_OK) {
            (void) libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
    }
out:
    libro_credential_free(cred);
    return root;
}

/* ---- HTML ------------------------------------------------------------------------------------ */

/* A page under construction: every call is a no-op once one failed. */
typedef struct page {
    libro_buf *b;
    libro_error *err;
    libro_code rc;
} page;

/* Markup (trusted text). */
static void
put(page *p, const char *markup)
{
    if (p->rc == LIBRO_OK) {
        p->rc = libro_buf_append_str(p->b, markup, p->err);
    }
}

/* Text from a credential or a query, escaped. */
static void
esc(page *p, const char *s)
{
    if (p->rc == LIBRO_OK) {
        p->rc = libro_http__html_text(p->b, s == NULL ? "" : s, p->err);
    }
}

static void
head(page *p, const char *title_a, const char *title_b)
{
    if (p->rc == LIBRO_OK) {
        p->rc = libro_http__page_head(p->b, title_a, title_b, p->err);
    }
}

static void
table_open(page *p, const char *label)
{
    if (p->rc == LIBRO_OK) {
        p->rc = libro_http__table_open(p->b, label, p->err);
    }
}

/* The day of a record's time text: its "YYYY-MM-DD". */
static void
esc_day(page *p, const char *time_text)
{
    char day[11];

    if (time_text == NULL || strlen(time_text) < 10) {
        esc(p, time_text);
        return;
    }
    memcpy(day, time_text, 10);
    day[10] = '\0';
    esc(p, day);
}

static const char *
str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s == NULL ? "" : s;
}

static void
row(page *p, const char *name, const char *value, bool day)
{
    put(p, "<dt>");
    put(p, name);
    put(p, "</dt><dd>");
    if (day) {
        esc_day(p, value);
    } else {
        esc(p, value);
    }
    put(p, "</dd>\n");
}

/* What a state means, for the line under the number. */
static const struct {
    const char *state;
    const char *lead; /* before the date */
    const char *tail; /* after it */
    bool valid;
} meanings[] = {
    {"active", "Active \xe2\x80\x94 valid until ", "", true},
    {"suspended", "Suspended since ", " \xe2\x80\x94 not valid while suspended", false},
    {"revoked", "Revoked on ", " \xe2\x80\x94 not valid", false},
    {"surrendered", "Surrendered on ", " \xe2\x80\x94 not valid", false},
    {"expired", "Expired on ", " \xe2\x80\x94 not valid unless renewed", false},
    {"lapsed", "Lapsed on ", " \xe2\x80\x94 not valid", false},
};

/* The history's actions and reason categories in words. */
static const char *const action_words[][2] = {
    {"issue", "Issued"},
    {"renew", "Renewed"},
    {"suspend", "Suspended"},
    {"reinstate", "Reinstated"},
    {"revoke", "Revoked"},
    {"surrender", "Surrendered"},
    {"expire", "Expired"},
    {"lapse", "Lapsed"},
    {"conduct", "Conduct"},
    {"competence", "Competence"},
    {"health", "Health"},
    {"administrative", "Administrative"},
    {"holder-request", "At the holder's request"},
    {"non-renewal", "Not renewed"},
    {"other", "Other"},
};

static const char *
in_words(const char *word)
{
    for (size_t i = 0; i < LIBRO_NELEM(action_words); i++) {
        if (strcmp(action_words[i][0], word) == 0) {
            return action_words[i][1];
        }
    }
    return word;
}

static void
status_line(page *p, const json_t *record)
{
    const char *state = str_of(record, "status");
    const char *since = str_of(record, "statusSince");

    for (size_t i = 0; i < LIBRO_NELEM(meanings); i++) {
        if (strcmp(meanings[i].state, state) != 0) {
            continue;
        }
        put(p, meanings[i].valid ? "<p class=\"status ok\">" : "<p class=\"status no\">");
        put(p, meanings[i].lead);
        /* Active: until validUntil; expired without its event: since validUntil. */
        put(p, "<span class=\"d\">");
        esc_day(p, meanings[i].valid || since[0] == '\0' ? str_of(record, "validUntil") : since);
        put(p, "</span>");
        put(p, meanings[i].tail);
        put(p, "</p>\n");
        return;
    }
    put(p, "<p class=\"status no\">");
    esc(p, state);
    put(p, "</p>\n");
}

libro_code
libro_http__public_html(libro_buf *b, const json_t *record, libro_error *err)
{
    page p = {b, err, LIBRO_OK};
    const char *number = str_of(record, "number");
    const json_t *community = json_object_get(record, "community");
    const json_t *scope = json_object_get(record, "scope");
    const json_t *history = json_object_get(record, "history");
    const json_t *next_term = json_object_get(record, "nextTerm");
    char level[32];
    size_t i;
    const json_t *v;

    head(&p, "License ", number);
    put(&p, "<h1>License ");
    esc(&p, number);
    put(&p, "</h1>\n");
    status_line(&p, record);
    if (next_term != NULL) {
        put(&p, "<p>Renewed: the next term runs from <span class=\"d\">");
        esc_day(&p, str_of(next_term, "validFrom"));
        put(&p, "</span> until <span class=\"d\">");
        esc_day(&p, str_of(next_term, "validUntil"));
        put(&p, "</span>.</p>\n");
    }
    put(&p, "<dl>\n");
    row(&p, "Holder", str_of(record, "holder"), false);
    row(&p, "Profession", str_of(record, "profession"), false);
    row(&p, "License type", str_of(record, "licenseType"), false);
    put(&p, "<dt>Scope</dt><dd>");
    json_array_foreach(scope, i, v)
    {
        put(&p, i == 0 ? "" : "; ");
        esc(&p, json_string_value(v));
    }
    put(&p, "</dd>\n<dt>Community</dt><dd>");
    esc(&p, str_of(community, "name"));
    put(&p, " (");
    esc(&p, str_of(community, "levelName"));
    libro_http__level_suffix(level, str_of(community, "levelName"),
                             (int) json_integer_value(json_object_get(community, "level")));
    put(&p, level);
    put(&p, ")</dd>\n");
    row(&p, "First issued", str_of(record, "firstIssued"), true);
    row(&p, "Valid from", str_of(record, "validFrom"), true);
    row(&p, "Valid until", str_of(record, "validUntil"), true);
    if (next_term != NULL) {
        put(&p, "<dt>Next term</dt><dd>");
        esc_day(&p, str_of(next_term, "validFrom"));
        put(&p, " until ");
        esc_day(&p, str_of(next_term, "validUntil"));
        put(&p, "</dd>\n");
    }
    row(&p, "Status", str_of(record, "status"), false);
    put(&p, "</dl>\n<h2>History</h2>\n");
    table_open(&p, "History");
    put(&p, "<thead><tr><th "
            "scope=\"col\">Date</th><th scope=\"col\">Action</th><th scope=\"col\">Reason "
            "category</th></tr></thead>\n<tbody>\n");
    json_array_foreach(history, i, v)
    {
        const char *category = str_of(v, "category");

        put(&p, "<tr><td class=\"d\">");
        esc_day(&p, str_of(v, "date"));
        put(&p, "</td><td>");
        esc(&p, in_words(str_of(v, "action")));
        put(&p, "</td><td>");
        esc(&p, category[0] == '\0' ? "\xe2\x80\x94" : in_words(category));
        put(&p, "</td></tr>\n");
    }
    put(&p, "</tbody></table></div>\n<p>Record as at ");
    esc(&p, str_of(record, "at"));
    put(&p, ". <a href=\"/v1/licenses/");
    esc(&p, number);
    put(&p, "/public.jwt\">This record, signed by the registry</a> (a JWS of type "
            "<code>" RECORD_TYP "</code>, checked with <code>libro jws verify</code>).</p>\n"
            "<p>A record of the registry, not a credential: verify the license itself with "
            "<code>libro verify</code>.</p>\n" LIBRO_HTTP_PAGE_END);
    return p.rc;
}

/* The two searches; `holder` (NULL: none) fills the name's field. */
static void
search_forms(page *p, const char *holder)
{
    put(p, "<form method=\"get\" action=\"/licenses\">\n<label for=\"number\">License "
           "number</label>\n<input id=\"number\" name=\"number\" type=\"text\" maxlength=\"64\" "
           "autocomplete=\"off\" required>\n<button type=\"submit\">Look up</button>\n</form>\n"
           "<form method=\"get\" action=\"/licenses\">\n<label for=\"holder\">Holder's "
           "name</label>\n<input id=\"holder\" name=\"holder\" type=\"search\" maxlength=\"128\" "
           "autocomplete=\"off\" required");
    if (holder != NULL) {
        put(p, " value=\"");
        esc(p, holder);
        put(p, "\"");
    }
    put(p, ">\n<button type=\"submit\">Search</button>\n</form>\n");
}

/* Serve the page in resp->body as HTML: `status`, cacheable when 200. */
static void
finish_page(libro_http__response *resp, const libro_http__request *req, unsigned status,
            libro_code rc, libro_error *err)
{
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, err);
        libro_http__html_error(resp, true);
        return;
    }
    if (status == 200) {
        libro_http__finish_cacheable(resp, req, type_html, page_cache);
        return;
    }
    resp->status = status;
    resp->content_type = type_html;
    resp->cache_control = no_store;
    resp->etag[0] = '\0';
}

void
libro_http__home(libro_http__response *resp, libro_http_ctx *ctx, const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    page p = {&resp->body, &err, LIBRO_OK};
    char level[16];

    libro_buf_clear(&resp->body);
    (void) snprintf(level, sizeof level, "%d", ctx->community_level);
    head(&p, "Public register of ", ctx->community_name);
    put(&p, "<h1>Public register of ");
    esc(&p, ctx->community_name);
    put(&p, "</h1>\n<p>The licenses registered for ");
    esc(&p, ctx->community_name);
    put(&p, ", a community of level ");
    put(&p, level);
    put(&p, " (");
    esc(&p, ctx->community_level_name);
    put(&p, "). Look a license up by its number, or find the licenses of a holder by name.</p>\n"
            "<h2>Find a license</h2>\n");
    search_forms(&p, NULL);
    put(&p, "<h2>The community</h2>\n<ul>\n");
    /* A community of level 0 has no roundtable (docs/credentials.md). */
    if (ctx->community_level > 0) {
        put(&p, "<li><a href=\"/v1/roundtable\">Its roundtable</a></li>\n");
    }
    put(&p, "<li><a href=\"/v1/laws\">Its laws in force</a></li>\n</ul>\n" LIBRO_HTTP_PAGE_END);
    finish_page(resp, req, 200, p.rc, &err);
}

/* A query's value as a form sends it ('+' a space, %XX a byte) into out[0..max], as text;
 * false when it is malformed, holds a NUL or decodes to over `max` bytes (*too_long). */
static bool
form_decode(char *out, size_t max, const char *in, bool *too_long)
{
    size_t n = 0;

    *too_long = false;
    for (size_t i = 0; in[i] != '\0'; i++) {
        char c = in[i];

        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            unsigned v = 0;

            for (size_t k = 1; k <= 2; k++) {
                char h = in[i + k];

                if (h >= '0' && h <= '9') {
                    v = v * 16u + (unsigned) (h - '0');
                } else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f') {
                    v = v * 16u + (unsigned) ((h | 0x20) - 'a' + 10);
                } else {
                    return false;
                }
            }
            if (v == 0) {
                return false;
            }
            c = (char) v;
            i += 2;
        }
        if (n == max) {
            *too_long = true;
            return false;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return true;
}

/* A 400 page: `message` (markup), and the searches. */
static void
bad_search(libro_http__response *resp, const libro_http__request *req, const char *message)
{
    libro_error err = LIBRO_ERROR_INIT;
    page p = {&resp->body, &err, LIBRO_OK};

    libro_buf_clear(&resp->body);
    head(&p, "Search", NULL);
    put(&p, "<h1>Search</h1>\n<p>");
    put(&p, message);
    put(&p, "</p>\n");
    search_forms(&p, NULL);
    put(&p, LIBRO_HTTP_PAGE_END);
    finish_page(resp, req, 400, p.rc, &err);
}

/* ?number=N: to the license's page (303), whatever it holds; the page says when none has it. */
static void
search_number(libro_http__response *resp, const libro_http__request *req)
{
    char number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
    const char *start = number;
    size_t len;
    bool too_long = false;

    if (!form_decode(number, LIBRO_MAX_LICENSE_NUMBER_BYTES, req->arg_number, &too_long)) {
        bad_search(resp, req,
                   "That is not a license number: a license number has 1 to 64 letters, digits, "
                   "dots, hyphens or underscores.");
        return;
    }
    while (*start == ' ') {
        start++;
    }
    len = strlen(start);
    while (len > 0 && start[len - 1] == ' ') {
        len--;
    }
    if (!libro_license_number_ok(start, len)) {
        bad_search(resp, req,
                   len == 0 ? "Enter a license number."
                            : "That is not a license number: a license number has 1 to 64 "
                              "letters, digits, dots, hyphens or underscores.");
        return;
    }
    libro_buf_clear(&resp->body);
    (void) snprintf(resp->location, sizeof resp->location, "/licenses/%.*s", (int) len, start);
    if (libro_buf_printf(&resp->body, NULL, "<a href=\"%s\">%s</a>\n", resp->location,
                         resp->location) != LIBRO_OK) {
        libro_buf_clear(&resp->body);
    }
    resp->status = 303;
    resp->content_type = type_html;
    resp->cache_control = no_store;
}

static void
result_row(page *p, const libro_license_record *r)
{
    char until[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(until, r->valid_until, NULL) != LIBRO_OK) {
        until[0] = '\0';
    }
    put(p, "<tr><td class=\"d\"><a href=\"/licenses/");
    esc(p, r->number);
    put(p, "\">");
    esc(p, r->number);
    put(p, "</a></td><td>");
    esc(p, r->holder_name);
    put(p, "</td><td>");
    esc(p, r->license_type);
    put(p, "</td><td>");
    esc(p, libro_license_state_name(r->state));
    put(p, "</td><td class=\"d\">");
    esc_day(p, until);
    put(p, "</td></tr>\n");
}

/* ?holder=NAME: the licenses whose holder's name has a word that begins with it. */
static void
search_holder(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
              const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    page p = {&resp->body, &err, LIBRO_OK};
    char name[LIBRO_HOLDER_QUERY_MAX + 1];
    libro_license_record *found = NULL;
    size_t n = 0;
    bool more = false;
    bool too_long = false;
    char count[64];
    libro_code rc;

    if (!form_decode(name, LIBRO_HOLDER_QUERY_MAX, req->arg_holder, &too_long)) {
        bad_search(resp, req,
                   too_long ? "That name is too long: search with at most 128 bytes of it."
                            : "That search is not well formed: enter a name in the form.");
        return;
    }
    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_search_holder(*reg, &found, &n, &more, name, LIBRO_HOLDER_RESULTS_MAX,
                                          &err);
    }
    if (rc == LIBRO_ERR_INVALID_ARG || rc == LIBRO_ERR_LIMIT || rc == LIBRO_ERR_PARSE) {
        bad_search(resp, req,
                   rc == LIBRO_ERR_INVALID_ARG ? "Enter a name to search for."
                   : rc == LIBRO_ERR_LIMIT
                       ? "That name is too long: search with at most 128 bytes of it."
                       : "A name is text without control characters: enter it in the form.");
        goto out;
    }
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        libro_http__html_error(resp, true);
        goto out;
    }
    libro_buf_clear(&resp->body);
    head(&p, "Licenses of holders named ", name);
    put(&p, "<h1>Licenses of holders named \xe2\x80\x9c");
    esc(&p, name);
    put(&p, "\xe2\x80\x9d</h1>\n");
    if (n == 0) {
        put(&p, "<p>No holder of a license registered here has a name with a word that begins "
                "with \xe2\x80\x9c");
        esc(&p, name);
        put(&p, "\xe2\x80\x9d.</p>\n");
    } else {
        (void) snprintf(count, sizeof count, more ? "<p>The first %zu licenses found" : "<p>%zu %s",
                        n, n == 1 ? "license found" : "licenses found");
        put(&p, count);
        put(&p, more ? ": give more of the name to narrow the search.</p>\n" : ".</p>\n");
        table_open(&p, "Licenses found");
        put(&p, "<thead><tr><th scope=\"col\">Number</th><th "
                "scope=\"col\">Holder</th><th scope=\"col\">License type</th><th "
                "scope=\"col\">Status</th><th scope=\"col\">Valid until</th></tr></thead>\n"
                "<tbody>\n");
        for (size_t i = 0; i < n; i++) {
            result_row(&p, &found[i]);
        }
        put(&p, "</tbody></table></div>\n");
    }
    put(&p, "<h2>Search again</h2>\n");
    search_forms(&p, name);
    put(&p, LIBRO_HTTP_PAGE_END);
    finish_page(resp, req, 200, p.rc, &err);
out:
    libro_license_records_free(found, n);
}

void
libro_http__search(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                   const libro_http__request *req)
{
    if (req->arg_number != NULL && req->arg_holder == NULL) {
        search_number(resp, req);
    } else if (req->arg_holder != NULL && req->arg_number == NULL) {
        search_holder(resp, ctx, reg, req);
    } else if (req->arg_number == NULL) {
        libro_buf_clear(&resp->body);
        (void) snprintf(resp->location, sizeof resp->location, "/");
        resp->status = 303;
        resp->content_type = type_html;
        resp->cache_control = no_store;
    } else {
        bad_search(resp, req, "Search by a number or by a name, one at a time.");
    }
}

/* The license, its history and its public record as of now; LIBRO_ERR_NOT_FOUND. */
static libro_code
load_record(json_t **out, libro_http_ctx *ctx, libro_registry **reg, const char *number,
            libro_error *err)
{
    libro_license_record r = {0};
    libro_license_event *ev = NULL;
    size_t n = 0;
    libro_code rc = libro_http__open_registry(ctx, reg, err);

    *out = NULL;
    if (rc == LIBRO_OK) {
        rc = libro_registry_get(*reg, &r, &ev, &n, number, err);
    }
    if (rc == LIBRO_OK) {
        *out = libro_http__public_record(ctx, &r, ev, n, libro_time_now(), err);
        rc = *out == NULL ? err->code : LIBRO_OK;
    }
    libro_license_events_free(ev, n);
    libro_license_record_clear(&r);
    return rc;
}

void
libro_http__license_page(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                         const libro_http__request *req, const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    json_t *record = NULL;
    libro_code rc = load_record(&record, ctx, reg, number, &err);

    libro_buf_clear(&resp->body);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        page p = {&resp->body, &err, LIBRO_OK};

        head(&p, "No license ", number);
        put(&p, "<h1>No license ");
        esc(&p, number);
        put(&p, "</h1>\n<p>No license with the number \xe2\x80\x9c");
        esc(&p, number);
        put(&p, "\xe2\x80\x9d is registered here. Check the number, or search again.</p>\n");
        search_forms(&p, NULL);
        put(&p, LIBRO_HTTP_PAGE_END);
        finish_page(resp, req, 404, p.rc, &err);
        goto out;
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__public_html(&resp->body, record, &err);
    }
    finish_page(resp, req, 200, rc, &err);
out:
    json_decref(record);
}

void
libro_http__license_record(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                           const libro_http__request *req, const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    json_t *record = NULL;
    libro_code rc = load_record(&record, ctx, reg, number, &err);

    (void) req;
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such license");
        goto out;
    }
    if (rc == LIBRO_OK) {
        rc = libro_json__dump(&payload, record, &err);
    }
    /* A payload libro jws verify reads (LIBRO_MAX_CLAIMS_BYTES): a history too long for it
     * keeps its latest actions and says how many earlier ones it left out. */
    if (rc == LIBRO_OK && payload.len > LIBRO_MAX_CLAIMS_BYTES) {
        json_t *history = json_object_get(record, "history");
        size_t total = json_array_size(history);

        while (rc == LIBRO_OK && payload.len > LIBRO_MAX_CLAIMS_BYTES &&
               json_array_size(history) > 0) {
            size_t drop = (payload.len - LIBRO_MAX_CLAIMS_BYTES) / 64 + 1;

            for (size_t i = 0; i < drop && json_array_size(history) > 0; i++) {
                (void) json_array_remove(history, 0);
            }
            if (json_object_set_new(
                    record, "historyOmitted",
                    json_integer((json_int_t) (total - json_array_size(history)))) != 0) {
                rc = libro_error_set(&err, LIBRO_ERR_NOMEM, "out of memory");
                break;
            }
            libro_buf_clear(&payload);
            rc = libro_json__dump(&payload, record, &err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_kid_for(&kid, ctx->issuer_id, ctx->registry_key, &err);
    }
    libro_buf_clear(&resp->body);
    if (rc == LIBRO_OK) {
        rc = libro_jws_sign_compact(&resp->body, ctx->registry_key, (const char *) kid.data,
                                    RECORD_TYP, payload.data, payload.len, &err);
    }
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        goto out;
    }
    resp->status = 200;
    resp->content_type = "application/jwt";
    resp->cache_control = no_store; /* each answer is dated ("at") */
out:
    libro_buf_free(&kid);
    libro_buf_free(&payload);
    json_decref(record);
}

/* ---- errors as pages ----------------------------------------------------------------------- */

void
libro_http__html_error(libro_http__response *resp, bool html)
{
    static const struct {
        unsigned status;
        const char *title;
    } titles[] = {
        {400, "Bad request"}, {404, "Not found"},         {405, "Not allowed"},
        {413, "Too large"},   {429, "Too many requests"}, {503, "Busy: try again shortly"},
    };
    const char *title = "The registry cannot answer now";
    char message[LIBRO_ERROR_MSG_MAX];
    libro_error err = LIBRO_ERROR_INIT;
    page p = {&resp->body, &err, LIBRO_OK};

    if (!html || resp->status < 400 || resp->message[0] == '\0') {
        return;
    }
    for (size_t i = 0; i < LIBRO_NELEM(titles); i++) {
        if (titles[i].status == resp->status) {
            title = titles[i].title;
        }
    }
    memcpy(message, resp->message, sizeof message);
    if (message[0] >= 'a' && message[0] <= 'z') {
        message[0] = (char) (message[0] - 'a' + 'A');
    }
    libro_buf_clear(&resp->body);
    head(&p, title, NULL);
    put(&p, "<h1>");
    put(&p, title);
    put(&p, "</h1>\n<p>");
    esc(&p, message);
    put(&p, ".</p>\n<p><a href=\"/\">The public register</a></p>\n" LIBRO_HTTP_PAGE_END);
    if (p.rc != LIBRO_OK) {
        /* Out of memory: the JSON answer's status stays, with no body. */
        libro_buf_clear(&resp->body);
    }
    resp->content_type = type_html;
    resp->message[0] = '\0';
}
