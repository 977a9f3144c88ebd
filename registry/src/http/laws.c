/* The registry's HTTP API: agreements and laws by consent (docs/formats.md, "Agreement and law
 * routes"). Writes post the document itself: a COMPLETE agreement is signed by every party, an
 * end statement by the parties ending it, a consent step by the member who took it, an
 * adopted law by the community key, so their own signatures are the authorization and the
 * registry checks them (with the mandates for a step) before it records anything. Reads are
 * public: JSON, or for a browser the pages of pages_law.c. */
#include <string.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/api.h"
#include "libro/consent.h"
#include "libro/json_int.h"
#include "libro/time.h"
#include "libro/util.h"

static const char type_json[] = "application/json";
static const char type_html[] = "text/html; charset=utf-8";
static const char no_store[] = "no-store";
/* Agreements and laws change when the registry acts: caches ask again (a 304 when unchanged)
 * before using what they keep, so an acknowledged write is in the next read (as a mandate). */
static const char law_cache[] = "public, no-cache";
/* The media type of a JWS JSON document (RFC 7515 §9.2). */
static const char type_jose_json[] = "application/jose+json";
/* What document writes are recorded under: the signatures say who. */
static const char api_actor[] = "api";

/* Set o[name] to `v` (consumed) unless `v` is absent (`present` false); false when out of
 * memory. */
static bool
set_opt(json_t *o, const char *name, json_t *v, bool present)
{
    if (!present) {
        json_decref(v);
        return true;
    }
    return v != NULL && json_object_set_new(o, name, v) == 0;
}

/* ---- JSON --------------------------------------------------------------------------------- */

json_t *
libro_http__agreement_json(const libro_agreement_record *a, int64_t now)
{
    json_t *parties = json_array();
    json_t *o = NULL;
    json_t *end = NULL;

    for (size_t i = 0; parties != NULL && i < a->n_parties; i++) {
        if (json_array_append_new(parties,
                                  json_pack("{s:s, s:s, s:s}", "id", a->parties[i].id, "name",
                                            a->parties[i].name, "role", a->parties[i].role)) != 0) {
            json_decref(parties);
            parties = NULL;
        }
    }
    if (parties == NULL) {
        return NULL;
    }
    o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:o}", "hash", a->hash, "title",
                  a->title, "community", a->community, "parties", parties, "validFrom",
                  libro_registry__time_json(a->valid_from), "validUntil",
                  libro_registry__time_json(a->valid_until), "ending",
                  a->mutual_only ? json_pack("{s:b}", "mutualOnly", 1)
                                 : json_pack("{s:I}", "noticeDays", (json_int_t) a->notice_days),
                  "state", libro_agreement_state_name(a->state), "stateNow",
                  libro_agreement_state_name(libro_agreement_record_state(a, now)), "registeredAt",
                  libro_registry__time_json(a->registered_at));
    if (o == NULL) {
        return NULL;
    }
    if (a->end != 0) {
        end = json_pack("{s:s, s:o, s:o, s:s, s:s}", "how", libro_agreement_end_name(a->end),
                        "givenAt", libro_registry__time_json(a->end_given_at), "takesEffect",
                        libro_registry__time_json(a->ends_at), "reason",
                        a->end_reason == NULL ? "" : a->end_reason, "statement",
                        a->end_statement == NULL ? "" : a->end_statement);
        if (end == NULL || !set_opt(end, "by", json_string(a->end_by), a->end_by != NULL)) {
            json_decref(end);
            end = NULL;
        }
    }
    if (!set_opt(o, "supersedes", json_string(a->supersedes), a->supersedes != NULL) ||
        !set_opt(o, "supersededBy", json_string(a->superseded_by), a->superseded_by != NULL) ||
        !set_opt(o, "supersededAt", libro_registry__time_json(a->superseded_at),
                 a->superseded_by != NULL) ||
        !set_opt(o, "end", end, a->end != 0) ||
        json_object_set_new(o, "document", json_string(a->document)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
libro_http__law_json(const libro_law_record *l, int64_t now)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:o, s:s}", "hash", l->hash, "id",
        l->id, "version", (json_int_t) l->version, "title", l->title, "aim", l->aim, "community",
        l->community, "adoptedAt", libro_registry__time_json(l->adopted_at), "reviewDate",
        libro_registry__time_json(l->review_at), "underReview",
        l->state == LIBRO_LAW_IN_FORCE && now > l->review_at, "consentRecord", l->consent_record,
        "state", libro_law_state_name(l->state), "registeredAt",
        libro_registry__time_json(l->registered_at), "credential", l->credential);

    if (o == NULL || !set_opt(o, "supersedes", json_string(l->supersedes), l->supersedes != NULL) ||
        !set_opt(o, "supersededBy", json_string(l->superseded_by), l->superseded_by != NULL) ||
        !set_opt(o, "repealedAt", libro_registry__time_json(l->repealed_at),
                 l->state == LIBRO_LAW_REPEALED)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *
laws_json(const libro_law_record *l, size_t n, int64_t now)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        if (json_array_append_new(a, libro_http__law_json(&l[i], now)) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static void
reply(libro_http__response *resp, unsigned status, json_t *body)
{
    libro_error err = LIBRO_ERROR_INIT;

    libro_buf_clear(&resp->body);
    if (body == NULL || libro_json__dump(&resp->body, body, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
    } else {
        resp->status = status;
        resp->content_type = type_json;
        resp->cache_control = no_store;
    }
    json_decref(body);
}

/* ---- writes ------------------------------------------------------------------------------- */

static const char *
doc_name(libro_http_doc doc)
{
    switch (doc) {
    case LIBRO_HTTP_DOC_AGREEMENT:
        return "agreement";
    case LIBRO_HTTP_DOC_AGREEMENT_END:
        return "agreement-end";
    case LIBRO_HTTP_DOC_STEP:
        return "consent-step";
    case LIBRO_HTTP_DOC_LAW:
        return "law";
    }
    return "";
}

/* A refusal of a document: a signature that does not verify is 401 (the document's signature
 * is the request's); the rest by the registry's codes. */
static void
refuse(libro_http__response *resp, libro_registry *reg, const libro_error *err)
{
    if (err->code == LIBRO_ERR_BAD_SIGNATURE) {
        libro_http__error(resp, 401, "bad_signature", err->msg);
        return;
    }
    libro_http__registry_error(resp, reg, NULL, err);
}

/* A document's write, made by the write queue (libro_http__submit). */
typedef struct doc_job {
    libro_http_doc doc;
    const char *name; /* the agreement's hash (end) */
    const char *text;
    size_t len;
    int64_t now;
    char hash[LIBRO_HASH_REF_SIZE]; /* out: what was recorded */
} doc_job;

static libro_code
run_doc(libro_registry *r, void *job, libro_error *err)
{
    doc_job *j = job;

    switch (j->doc) {
    case LIBRO_HTTP_DOC_AGREEMENT:
        return libro_registry_register_agreement(r, NULL, j->text, j->len, api_actor, j->now,
                                                 j->hash, err);
    case LIBRO_HTTP_DOC_AGREEMENT_END:
        return libro_registry_end_agreement(r, NULL, j->name, j->text, j->len, api_actor, j->now,
                                            err);
    case LIBRO_HTTP_DOC_STEP:
        return libro_registry_add_step(r, NULL, j->text, j->len, api_actor, j->now, j->hash, err);
    case LIBRO_HTTP_DOC_LAW:
        return libro_registry_register_law(r, NULL, j->text, api_actor, j->now, j->hash, err);
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "document: unknown kind");
}

static void
do_agreement(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
             const char *text, size_t len, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    doc_job job = {LIBRO_HTTP_DOC_AGREEMENT, NULL, text, len, now, {0}};
    const char *hash = job.hash;

    if (libro_http__submit(ctx, reg, run_doc, &job, &err) != LIBRO_OK) {
        refuse(resp, reg, &err);
        return;
    }
    reply(resp, 201,
          json_pack("{s:s, s:s}", "agreement", hash, "state",
                    libro_agreement_state_name(LIBRO_AGREEMENT_IN_FORCE)));
}

static void
do_agreement_end(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
                 const char *hash, const char *text, size_t len, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_agreement_record a = {0};
    doc_job job = {LIBRO_HTTP_DOC_AGREEMENT_END, hash, text, len, now, {0}};

    if (libro_http__submit(ctx, reg, run_doc, &job, &err) != LIBRO_OK ||
        libro_registry_agreement(reg, &a, NULL, NULL, hash, &err) != LIBRO_OK) {
        refuse(resp, reg, &err);
        goto out;
    }
    reply(resp, 200,
          json_pack("{s:s, s:s, s:o}", "agreement", hash, "state",
                    libro_agreement_state_name(libro_agreement_record_state(&a, now)),
                    "takesEffect", libro_registry__time_json(a.ends_at)));
out:
    libro_agreement_record_clear(&a);
}

static void
do_step(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
        const char *law_id, const char *text, size_t len, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_step *s = NULL;
    doc_job job = {LIBRO_HTTP_DOC_STEP, NULL, text, len, now, {0}};
    const char *hash = job.hash;

    /* The path names the process: a step of another one is refused before it is recorded. */
    if (libro_step_verify(&s, NULL, text, len, &err) != LIBRO_OK) {
        libro_error_prefix(&err, "consent step");
        refuse(resp, reg, &err);
        goto out;
    }
    if (strcmp(s->process, law_id) != 0) {
        libro_http__error(resp, 400, "bad_request",
                          "the step's process is not the law the path names");
        goto out;
    }
    if (libro_http__submit(ctx, reg, run_doc, &job, &err) != LIBRO_OK) {
        refuse(resp, reg, &err);
        goto out;
    }
    reply(resp, 201,
          json_pack("{s:s, s:s, s:I, s:s}", "step", hash, "process", s->process, "seq",
                    (json_int_t) s->seq, "kind", libro_step_kind_name(s->kind)));
out:
    libro_step_free(s);
}

static void
do_law(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg, const char *text,
       int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record l = {0};
    doc_job job = {LIBRO_HTTP_DOC_LAW, NULL, text, strlen(text), now, {0}};

    if (libro_http__submit(ctx, reg, run_doc, &job, &err) != LIBRO_OK ||
        libro_registry_law(reg, &l, job.hash, &err) != LIBRO_OK) {
        refuse(resp, reg, &err);
        goto out;
    }
    reply(resp, 201,
          json_pack("{s:s, s:s, s:I, s:s}", "law", job.hash, "id", l.id, "version",
                    (json_int_t) l.version, "state", libro_law_state_name(l.state)));
out:
    libro_law_record_clear(&l);
}

void
libro_http__document(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                     const libro_http__request *req, libro_http_doc doc, const char *name,
                     const unsigned char *body, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;
    bool json_doc = doc == LIBRO_HTTP_DOC_AGREEMENT || doc == LIBRO_HTTP_DOC_AGREEMENT_END;
    char *text = NULL;
    int64_t now = libro_time_now();

    if (!libro_http__media_type_is(req->content_type,
                                   json_doc ? type_jose_json : LIBRO_REQUEST_MEDIA_TYPE)) {
        libro_http__error(resp, 415, "unsupported_media_type",
                          json_doc ? "send the agreement or end statement as application/jose+json"
                                   : "send the step or the law as application/jose");
        return;
    }
    if (len == 0 || memchr(body, '\0', len) != NULL) {
        libro_http__error(resp, 400, "bad_request", "the body is empty or holds a NUL byte");
        return;
    }
    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    /* After an I/O error on any handle no write is acknowledged, on any handle. */
    if (atomic_load(&ctx->poisoned)) {
        libro_error_set(&err, LIBRO_ERR_IO,
                        "writes stopped after an earlier I/O error; restart the server");
        libro_http__storage_error(resp, &err);
        goto out;
    }
    text = libro_strndup((const char *) body, len);
    if (text == NULL) {
        libro_http__internal_error(resp, NULL);
        goto out;
    }
    switch (doc) {
    case LIBRO_HTTP_DOC_AGREEMENT:
        do_agreement(resp, ctx, *reg, text, len, now);
        break;
    case LIBRO_HTTP_DOC_AGREEMENT_END:
        do_agreement_end(resp, ctx, *reg, name, text, len, now);
        break;
    case LIBRO_HTTP_DOC_STEP:
        do_step(resp, ctx, *reg, name, text, len, now);
        break;
    case LIBRO_HTTP_DOC_LAW:
        do_law(resp, ctx, *reg, text, now);
        break;
    }
out:
    if (libro_http__write_poisoned(ctx, *reg)) {
        atomic_store(&ctx->poisoned, true);
    }
    libro_http__log_storage(ctx, resp, doc_name(doc));
    libro_free(text);
}

/* ---- reads -------------------------------------------------------------------------------- */

void
libro_http__agreement(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                      const libro_http__request *req, const char *hash)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_agreement_record a = {0};
    libro_agreement_record *h = NULL;
    size_t n = 0;
    bool html = libro_http__prefers_html(req->accept);
    int64_t now = libro_time_now();
    json_t *root = NULL;
    json_t *history = NULL;
    libro_code rc;

    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_agreement(*reg, &a, &h, &n, hash, &err);
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such agreement");
        goto out;
    }
    if (rc == LIBRO_OK && html) {
        libro_buf_clear(&resp->body);
        rc = libro_http__agreement_html(&resp->body, hash, h, n, now, &err);
    } else if (rc == LIBRO_OK) {
        history = json_array();
        for (size_t i = 0; history != NULL && i < n; i++) {
            if (json_array_append_new(history, libro_http__agreement_json(&h[i], now)) != 0) {
                json_decref(history);
                history = NULL;
            }
        }
        root = history == NULL ? NULL
                               : json_pack("{s:o, s:o}", "agreement",
                                           libro_http__agreement_json(&a, now), "history", history);
    }
    libro_http__finish_record(resp, req, root, html, rc);
out:
    libro_agreement_records_free(h, n);
    libro_agreement_record_clear(&a);
}

void
libro_http__laws(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                 const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record *l = NULL;
    size_t n = 0;
    bool html = libro_http__prefers_html(req->accept);
    int64_t now = libro_time_now();
    json_t *root = NULL;
    libro_code rc;

    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_laws(*reg, &l, &n, false, &err);
    }
    if (rc == LIBRO_OK && html) {
        libro_buf_clear(&resp->body);
        rc = libro_http__laws_html(&resp->body, ctx->community_name, l, n, now, &err);
    } else if (rc == LIBRO_OK) {
        root =
            json_pack("{s:s, s:o}", "community", ctx->community_id, "laws", laws_json(l, n, now));
    }
    libro_http__finish_record(resp, req, root, html, rc);
    libro_law_records_free(l, n);
}

void
libro_http__law(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                const libro_http__request *req, const char *law_id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record *l = NULL;
    size_t n = 0;
    libro_consent_step_record *s = NULL;
    size_t n_s = 0;
    bool html = libro_http__prefers_html(req->accept);
    bool open = false;
    json_t *root = NULL;
    json_t *process = NULL;
    libro_code rc;

    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_law_versions(*reg, &l, &n, law_id, &err);
        rc = rc == LIBRO_ERR_NOT_FOUND ? LIBRO_OK : rc;
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_consent_steps(*reg, &s, &n_s, law_id, 0, &err);
        rc = rc == LIBRO_ERR_NOT_FOUND ? LIBRO_OK : rc;
    }
    if (rc == LIBRO_OK && n == 0 && n_s == 0) {
        libro_http__error(resp, 404, "not_found", "no such law, and no process for one");
        goto out;
    }
    /* A process is closed exactly when an adopted law names its last step. */
    open = n_s > 0 && (n == 0 || strcmp(l[n - 1].consent_record, s[n_s - 1].hash) != 0);
    if (rc == LIBRO_OK && html) {
        libro_buf_clear(&resp->body);
        rc = libro_http__law_html(&resp->body, law_id, l, n, n_s > 0 ? s[0].run : 0, open, n_s,
                                  &err);
    } else if (rc == LIBRO_OK) {
        process = n_s == 0 ? json_null()
                           : json_pack("{s:I, s:b, s:I, s:s}", "run", (json_int_t) s[0].run, "open",
                                       open, "steps", (json_int_t) n_s, "last", s[n_s - 1].hash);
        root = json_pack("{s:s, s:o, s:o}", "id", law_id, "versions",
                         laws_json(l, n, libro_time_now()), "process", process);
    }
    libro_http__finish_record(resp, req, root, html, rc);
out:
    libro_consent_step_records_free(s, n_s);
    libro_law_records_free(l, n);
}

void
libro_http__law_record(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                       const libro_http__request *req, const char *law_id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_consent_record *rec = NULL;
    bool html = libro_http__prefers_html(req->accept);
    uint64_t run = 0;
    libro_code rc;

    if (req->arg_run != NULL && (libro_parse_u64(&run, req->arg_run, strnlen(req->arg_run, 32),
                                                 UINT32_MAX, &err) != LIBRO_OK ||
                                 run == 0)) {
        libro_http__error(resp, 400, "bad_request", "run: a process number, 1 or more");
        return;
    }
    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_law_record(*reg, &doc, law_id, (uint32_t) run, &err);
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such consent process");
        goto out;
    }
    if (rc == LIBRO_OK && html) {
        rc = libro_consent_record_parse(&rec, doc.data, doc.len, &err);
        if (rc == LIBRO_OK) {
            libro_buf_clear(&resp->body);
            rc = libro_http__record_html(&resp->body, (uint32_t) run, rec, &err);
        }
    } else if (rc == LIBRO_OK) {
        libro_buf_clear(&resp->body);
        rc = libro_buf_append(&resp->body, doc.data, doc.len, &err);
    }
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        goto out;
    }
    resp->vary_accept = true;
    libro_http__finish_cacheable(resp, req, html ? type_html : type_json, law_cache);
out:
    libro_consent_record_free(rec);
    libro_buf_free(&doc);
}

void
libro_http__laws_review_due(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                            const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record *l = NULL;
    size_t n = 0;
    int64_t within = 0;
    int64_t now = libro_time_now();
    json_t *root = NULL;
    libro_code rc;

    if (!libro_http__within(resp, req, &within)) {
        return;
    }
    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_laws_review_due(*reg, &l, &n, now, within, &err);
    }
    if (rc == LIBRO_OK) {
        root = json_pack("{s:o}", "laws", laws_json(l, n, now));
    }
    libro_http__finish_record(resp, req, root, false, rc);
    libro_law_records_free(l, n);
}
