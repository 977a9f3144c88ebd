/* The registry's HTTP API: the HTML pages of agreements and laws, for a member of the public.
 * Every text that came from a document (titles, names, aims, a law's text, reasons) is
 * escaped: whoever signed it wrote it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/agreement.h"
#include "libro/consent.h"
#include "libro/time.h"
#include "libro/util.h"

/* A page under construction: every call is a no-op once one failed. */
typedef struct page {
    libro_buf *b;
    libro_error *err;
    libro_code rc;
} page;

/* Markup and trusted text (numbers, times, names of states), formatted. */
static void put(page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(page *p, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    int n;

    if (p->rc != LIBRO_OK) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= sizeof text) {
        p->rc = libro_error_set(p->err, LIBRO_ERR_LIMIT, "page: fragment too long");
        return;
    }
    p->rc = libro_buf_append(p->b, text, (size_t) n, p->err);
}

/* Text from a document, escaped. */
static void
esc(page *p, const char *s)
{
    if (p->rc == LIBRO_OK) {
        p->rc = libro_http__html_text(p->b, s == NULL ? "" : s, p->err);
    }
}

/* A date for people: the "YYYY-MM-DD" of a time. */
static const char *
day(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (libro_time_format(out, t, NULL) != LIBRO_OK) {
        out[0] = '\0';
        return out;
    }
    out[10] = '\0';
    return out;
}

static void
head(page *p, const char *title_a, const char *title_b)
{
    if (p->rc == LIBRO_OK) {
        p->rc = libro_http__page_head(p->b, title_a, title_b == NULL ? "" : title_b, p->err);
    }
}

static void
dt(page *p, const char *name, const char *value)
{
    put(p, "<dt>%s</dt><dd>", name);
    esc(p, value);
    put(p, "</dd>\n");
}

/* ---- agreements --------------------------------------------------------------------------- */

/* The name of party `id` of `a` (the id itself when none has it). */
static const char *
party_name(const libro_agreement_record *a, const char *id)
{
    for (size_t i = 0; i < a->n_parties; i++) {
        if (strcmp(a->parties[i].id, id) == 0) {
            return a->parties[i].name;
        }
    }
    return id;
}

static void
agreement_version(page *p, const libro_agreement_record *a, int64_t now)
{
    char d1[LIBRO_TIME_TEXT_MAX];
    char d2[LIBRO_TIME_TEXT_MAX];
    libro_agreement *doc = NULL;
    libro_error ignored = LIBRO_ERROR_INIT;

    put(p, "<h2>Version %s</h2>\n<dl>\n", a->hash);
    dt(p, "Title", a->title);
    dt(p, "State", libro_agreement_state_name(libro_agreement_record_state(a, now)));
    put(p, "<dt>Term</dt><dd>%s to %s</dd>\n", day(d1, a->valid_from), day(d2, a->valid_until));
    if (a->mutual_only) {
        put(p, "<dt>Ending</dt><dd>only by every party together</dd>\n");
    } else {
        put(p,
            "<dt>Ending</dt><dd>by any party's notice of %u days, or by every party together"
            "</dd>\n",
            (unsigned) a->notice_days);
    }
    put(p, "<dt>Registered</dt><dd>%s</dd>\n", day(d1, a->registered_at));
    if (a->supersedes != NULL) {
        put(p, "<dt>Amends</dt><dd><a href=\"/v1/agreements/%s\">%s</a></dd>\n", a->supersedes,
            a->supersedes);
    }
    if (a->superseded_by != NULL) {
        put(p, "<dt>Amended by</dt><dd><a href=\"/v1/agreements/%s\">%s</a> on %s</dd>\n",
            a->superseded_by, a->superseded_by, day(d1, a->superseded_at));
    }
    if (a->end != 0) {
        put(p, "<dt>End</dt><dd>%s, given %s, %s %s</dd>\n",
            a->end == LIBRO_AGREEMENT_END_MUTUAL ? "by every party together" : "by notice",
            day(d1, a->end_given_at), now < a->ends_at ? "takes effect" : "took effect",
            day(d2, a->ends_at));
        if (a->end_by != NULL) {
            dt(p, "Notice given by", party_name(a, a->end_by));
        }
        dt(p, "Reason", a->end_reason);
    }
    put(p, "</dl>\n");
    if (p->rc == LIBRO_OK) {
        p->rc = libro_http__table_open(p->b, "Parties", p->err);
    }
    put(p, "<thead><tr><th scope=\"col\">Party</th><th scope=\"col\">Role</th><th "
           "scope=\"col\">Responsibilities it accepts</th><th scope=\"col\">Id</th></tr>"
           "</thead>\n<tbody>\n");
    /* What each party accepts is in the registered document (checked when registered). */
    if (libro_agreement_check(&doc, a->document, strlen(a->document), &ignored) != LIBRO_OK ||
        doc->cred->n_parties != a->n_parties) {
        libro_agreement_free(doc);
        doc = NULL;
    }
    for (size_t i = 0; i < a->n_parties; i++) {
        put(p, "<tr><td>");
        esc(p, a->parties[i].name);
        put(p, "</td><td>");
        esc(p, a->parties[i].role);
        put(p, "</td><td><ul>");
        for (size_t k = 0; doc != NULL && k < doc->cred->parties[i].n_responsibilities; k++) {
            put(p, "<li>");
            esc(p, doc->cred->parties[i].responsibilities[k]);
            put(p, "</li>");
        }
        put(p, "</ul></td><td>");
        esc(p, a->parties[i].id);
        put(p, "</td></tr>\n");
    }
    put(p, "</tbody></table></div>\n");
    libro_agreement_free(doc);
}

libro_code
libro_http__agreement_html(libro_buf *b, const char *hash, const libro_agreement_record *h,
                           size_t n, int64_t now, libro_error *err)
{
    page p = {b, err, LIBRO_OK};

    head(&p, "Agreement ", n > 0 ? h[n - 1].title : hash);
    put(&p, "<h1>Agreement: ");
    esc(&p, n > 0 ? h[n - 1].title : "");
    put(&p, "</h1>\n<p>Asked for: %s. Its history, first version first.</p>\n", hash);
    for (size_t i = 0; i < n; i++) {
        agreement_version(&p, &h[i], now);
    }
    put(&p, "<p>A record of the registry: verify the agreement itself with "
            "<code>libro verify</code>.</p>\n" LIBRO_HTTP_PAGE_END);
    return p.rc;
}

/* ---- laws --------------------------------------------------------------------------------- */

libro_code
libro_http__laws_html(libro_buf *b, const char *community, const libro_law_record *l, size_t n,
                      int64_t now, libro_error *err)
{
    page p = {b, err, LIBRO_OK};
    char d1[LIBRO_TIME_TEXT_MAX];
    char d2[LIBRO_TIME_TEXT_MAX];

    head(&p, "Laws of ", community);
    put(&p, "<h1>Laws in force in ");
    esc(&p, community);
    put(&p, "</h1>\n<p>Each was adopted by the consent of its roundtable and is \"good enough "
            "for now, safe enough to try\" until its review date.</p>\n");
    if (p.rc == LIBRO_OK) {
        p.rc = libro_http__table_open(p.b, "Laws in force", p.err);
    }
    put(&p, "<thead><tr><th scope=\"col\">Law</th><th scope=\"col\">Version</th><th "
            "scope=\"col\">Adopted</th><th scope=\"col\">Review date</th><th "
            "scope=\"col\">Status</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        put(&p, "<tr><td><a href=\"/v1/laws/");
        esc(&p, l[i].id);
        put(&p, "\">");
        esc(&p, l[i].title);
        put(&p,
            "</a></td><td>%u</td><td class=\"d\">%s</td><td class=\"d\">%s</td><td>%s</td></tr>\n",
            (unsigned) l[i].version, day(d1, l[i].adopted_at), day(d2, l[i].review_at),
            now > l[i].review_at ? "under review" : "in force");
    }
    if (n == 0) {
        put(&p, "<tr><td colspan=\"5\">No law is in force.</td></tr>\n");
    }
    put(&p, "</tbody></table></div>\n<p>Records of the registry: verify a law itself with "
            "<code>libro verify</code>, its consent record with <code>libro law record</code>."
            "</p>\n" LIBRO_HTTP_PAGE_END);
    return p.rc;
}

libro_code
libro_http__law_html(libro_buf *b, const char *law_id, const libro_law_record *l, size_t n,
                     uint32_t run, bool open, size_t n_steps, libro_error *err)
{
    page p = {b, err, LIBRO_OK};
    char d1[LIBRO_TIME_TEXT_MAX];
    char d2[LIBRO_TIME_TEXT_MAX];

    head(&p, "Law ", n > 0 ? l[n - 1].title : law_id);
    put(&p, "<h1>");
    esc(&p, n > 0 ? l[n - 1].title : law_id);
    put(&p, "</h1>\n<p>");
    esc(&p, law_id);
    put(&p, "</p>\n");
    for (size_t i = n; i > 0; i--) {
        const libro_law_record *v = &l[i - 1];

        put(&p, "<h2>Version %u: %s</h2>\n<dl>\n", (unsigned) v->version,
            libro_law_state_name(v->state));
        dt(&p, "Aim", v->aim);
        put(&p, "<dt>Adopted</dt><dd>%s</dd>\n<dt>Review date</dt><dd>%s</dd>\n",
            day(d1, v->adopted_at), day(d2, v->review_at));
        put(&p, "<dt>Hash</dt><dd>%s</dd>\n<dt>Consent record</dt><dd>%s</dd>\n</dl>\n", v->hash,
            v->consent_record);
    }
    if (run > 0) {
        put(&p, "<h2>Consent process %u</h2>\n<p>%s, %zu steps. <a href=\"/v1/laws/",
            (unsigned) run, open ? "Under way" : "Closed by the adoption above", n_steps);
        esc(&p, law_id);
        put(&p, "/record?run=%u\">Read the record</a>.</p>\n", (unsigned) run);
    }
    put(&p, LIBRO_HTTP_PAGE_END);
    return p.rc;
}

/* The name a did:key holds in the record's mandates (the did itself when none names it). */
static const char *
member_name(libro_credential *const *m, size_t n, const char *did)
{
    for (size_t i = 0; i < n; i++) {
        if (m[i] != NULL && m[i]->subject_id != NULL && strcmp(m[i]->subject_id, did) == 0 &&
            m[i]->name != NULL) {
            return m[i]->name;
        }
    }
    return did;
}

/* A record's steps, verified, with their hashes, so that a ruling or a withdrawal can say
 * whose objection it is about. */
typedef struct steps_read {
    libro_step **s; /* NULL where the signature does not verify */
    char (*hash)[LIBRO_HASH_REF_SIZE];
    size_t n;
} steps_read;

/* "step N (name)" for the step whose hash is `hash`, or the hash when none is. */
static void
step_ref(page *p, const steps_read *r, libro_credential *const *m, size_t n_m, const char *hash)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->s[i] != NULL && strcmp(r->hash[i], hash) == 0) {
            put(p, "of step %u (", (unsigned) r->s[i]->seq);
            esc(p, member_name(m, n_m, r->s[i]->by));
            put(p, ")");
            return;
        }
    }
    put(p, "%s", hash);
}

static void
step_row(page *p, const libro_step *s, const steps_read *r, libro_credential *const *m, size_t n_m)
{
    char when[LIBRO_TIME_TEXT_MAX];

    put(p, "<li><p>Step %u, %s: ", (unsigned) s->seq,
        libro_time_format(when, s->at, NULL) == LIBRO_OK ? when : "");
    esc(p, member_name(m, n_m, s->by));
    switch (s->kind) {
    case LIBRO_STEP_PROPOSE:
    case LIBRO_STEP_AMEND:
        put(p, " %s:</p>\n<dl>\n", s->kind == LIBRO_STEP_PROPOSE ? "proposes" : "amends");
        dt(p, "Title", s->title);
        dt(p, "Aim", s->aim);
        put(p, "<dt>Review date</dt><dd>%s</dd>\n",
            libro_time_format(when, s->review_date, NULL) == LIBRO_OK ? when : "");
        if (s->kind == LIBRO_STEP_AMEND) {
            put(p, "<dt>Answers</dt><dd>");
            for (size_t i = 0; i < s->n_answers; i++) {
                put(p, "%sthe objection ", i == 0 ? "" : ", ");
                step_ref(p, r, m, n_m, s->answers[i]);
            }
            put(p, "%s</dd>\n", s->n_answers == 0 ? "no objection" : "");
        }
        put(p, "</dl>\n<pre>");
        esc(p, s->text);
        put(p, "</pre>");
        break;
    case LIBRO_STEP_RESPOND:
        put(p, " %s (version %u, round %u)</p>",
            s->response == LIBRO_RESPONSE_CONSENT ? "consents" : "objects", (unsigned) s->version,
            (unsigned) s->round);
        if (s->response == LIBRO_RESPONSE_OBJECT) {
            put(p, "\n<dl>\n");
            dt(p, "Reason", s->reason);
            dt(p, "Harm to the aim", s->harm);
            put(p, "</dl>");
        }
        break;
    case LIBRO_STEP_RULE:
        put(p, " (chair) rules the objection ");
        step_ref(p, r, m, n_m, s->objection);
        put(p, " %s</p>\n<dl>\n",
            s->ruling == LIBRO_RULING_OUT ? "out: it no longer blocks" : "valid");
        dt(p, "Reason", s->reason);
        put(p, "</dl>");
        break;
    case LIBRO_STEP_WITHDRAW:
        put(p, " withdraws the objection ");
        step_ref(p, r, m, n_m, s->objection);
        put(p, "</p>");
        break;
    case LIBRO_STEP_ROUND:
        put(p, " (chair) opens round %u of version %u</p>", (unsigned) s->round,
            (unsigned) s->version);
        break;
    }
    put(p, "</li>\n");
}

libro_code
libro_http__record_html(libro_buf *b, uint32_t run, const libro_consent_record *rec,
                        libro_error *err)
{
    page p = {b, err, LIBRO_OK};
    libro_credential **m = libro_calloc(rec->n_mandates + 1, sizeof *m);
    steps_read r = {libro_calloc(rec->n_steps + 1, sizeof *r.s),
                    libro_calloc(rec->n_steps + 1, sizeof *r.hash), rec->n_steps};
    libro_error ignored = LIBRO_ERROR_INIT;

    if (m == NULL || r.s == NULL || r.hash == NULL) {
        libro_free(m);
        libro_free(r.s);
        libro_free(r.hash);
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < rec->n_steps; i++) {
        if (libro_step_verify(&r.s[i], r.hash[i], rec->steps[i], strlen(rec->steps[i]), &ignored) !=
            LIBRO_OK) {
            r.s[i] = NULL; /* shown as a step that does not verify */
        }
    }
    for (size_t i = 0; i < rec->n_mandates; i++) {
        if (libro_registry__parse_credential(&m[i], rec->mandates[i], &ignored) != LIBRO_OK) {
            m[i] = NULL; /* named by its did:key instead */
        }
    }
    head(&p, "Consent record of ", rec->process);
    put(&p, "<h1>Consent record of ");
    esc(&p, rec->process);
    if (run > 0) {
        put(&p, " (process %u)", (unsigned) run);
    }
    put(&p, "</h1>\n<p>Every step as the member who took it signed it; the signatures were "
            "checked for this page. Check the whole record yourself with "
            "<code>libro law record</code>.</p>\n<ul>\n");
    for (size_t i = 0; i < rec->n_steps; i++) {
        if (r.s[i] == NULL) {
            put(&p, "<li><p>Step %zu: a step whose signature does not verify</p></li>\n", i);
            continue;
        }
        step_row(&p, r.s[i], &r, m, rec->n_mandates);
    }
    put(&p, "</ul>\n<h2>Members who sat</h2>\n<ul>\n");
    for (size_t i = 0; i < rec->n_mandates; i++) {
        if (m[i] == NULL) {
            continue;
        }
        put(&p, "<li>");
        esc(&p, m[i]->name);
        put(&p, " (%s)</li>\n", libro_office_name(m[i]->office));
    }
    put(&p, "</ul>\n" LIBRO_HTTP_PAGE_END);
    for (size_t i = 0; i < rec->n_mandates; i++) {
        libro_credential_free(m[i]);
    }
    for (size_t i = 0; i < rec->n_steps; i++) {
        libro_step_free(r.s[i]);
    }
    libro_free(r.s);
    libro_free(r.hash);
    libro_free(m);
    return p.rc;
}
