/* GET /v1/feed.atom: an Atom feed (RFC 4287) of the latest public changes to licenses, read
 * from the log's license leaves (libro_watch_leaf_event), newest first. Each entry says the
 * license, the action, the state after and, when the leaf has one, the reason category; the
 * free-text reason never (it may name people or health). Entry ids are stable: the registry's
 * id and the leaf's index. The ETag is the log's size, so a client that holds the feed of
 * this size gets a 304 before any leaf is read. Text is escaped as for the HTML pages
 * (libro_http__html_text: & < > " and ' as references, which XML reads alike). */
#include <string.h>

#include "http_int.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/watch.h"

#define FEED_MAX_ENTRIES 100u
/* The most leaves read back from the head for one feed (other leaves than licenses' too). */
#define FEED_MAX_SCAN 5000u

static const char type_atom[] = "application/atom+xml; charset=utf-8";
static const char feed_cache[] = "public, no-cache";

/* <name>text</name> */
static libro_code
xml_element(libro_buf *b, const char *name, const char *text, libro_error *err)
{
    libro_code rc = libro_buf_printf(b, err, "<%s>", name);

    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, text, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, "</%s>", name);
    }
    return rc;
}

/* The entry id of leaf `index`: "<registry id>:leaf:<index>" for a URN id, else
 * "<registry id>#leaf-<index>". */
static libro_code
entry_id(libro_buf *b, const char *registry, uint64_t index, libro_error *err)
{
    libro_code rc = libro_buf_append_str(b, "<id>", err);

    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, registry, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            b, err, strncmp(registry, "urn:", 4) == 0 ? ":leaf:%llu</id>" : "#leaf-%llu</id>",
            (unsigned long long) index);
    }
    return rc;
}

static libro_code
entry(libro_buf *b, const libro_http_ctx *ctx, const libro_watch_event *ev, libro_error *err)
{
    char at[LIBRO_TIME_TEXT_MAX];
    const char *state = libro_license_state_name(ev->state);
    const char *action = libro_action_name(ev->action);
    libro_code rc = libro_time_format(at, ev->at, err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "<entry>", err);
    }
    if (rc == LIBRO_OK) {
        rc = entry_id(b, ctx->issuer_id, ev->leaf, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, "<title>%s %s</title><updated>%s</updated>", ev->license,
                              state, at);
    }
    if (rc == LIBRO_OK && ctx->base_url != NULL) {
        rc = libro_buf_append_str(b, "<link rel=\"alternate\" href=\"", err);
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, ctx->base_url, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, "/v1/licenses/%s\"/>", ev->license);
        }
    }
    if (rc == LIBRO_OK) {
        rc =
            libro_buf_printf(b, err, "<category scheme=\"urn:libro:action\" term=\"%s\"/>", action);
    }
    if (rc == LIBRO_OK && ev->category[0] != '\0') {
        rc = libro_buf_printf(
            b, err, "<category scheme=\"urn:libro:reason-category\" term=\"%s\"/>", ev->category);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              "<summary type=\"text\">License %s: %s on %s, now %s%s%s (log leaf "
                              "%llu).</summary></entry>",
                              ev->license, action, at, state,
                              ev->category[0] != '\0' ? "; reason category " : "", ev->category,
                              (unsigned long long) ev->leaf);
    }
    return rc;
}

/* The feed's head: id, title, author, self link and `updated` (the newest entry's time, or
 * the registry's authorization's start for a feed without entries). */
static libro_code
feed_head(libro_buf *b, const libro_http_ctx *ctx, int64_t updated, libro_error *err)
{
    char at[LIBRO_TIME_TEXT_MAX];
    const char *name = ctx->community_name != NULL ? ctx->community_name : ctx->issuer_id;
    libro_code rc = libro_time_format(at, updated, err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b,
                                  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "
                                  "xmlns=\"http://www.w3.org/2005/Atom\">",
                                  err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "<id>", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, ctx->issuer_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(
            b, strncmp(ctx->issuer_id, "urn:", 4) == 0 ? ":feed</id>" : "#feed</id>", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "<title>", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__html_text(b, name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ": license changes</title><updated>%s</updated><author>", at);
    }
    if (rc == LIBRO_OK) {
        rc = xml_element(b, "name", name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "</author>", err);
    }
    if (rc == LIBRO_OK && ctx->base_url != NULL) {
        rc = libro_buf_append_str(b, "<link rel=\"self\" href=\"", err);
        if (rc == LIBRO_OK) {
            rc = libro_http__html_text(b, ctx->base_url, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "/v1/feed.atom\"/>", err);
        }
    }
    return rc;
}

/* The latest license leaves, newest first, at most FEED_MAX_ENTRIES of them from the last
 * FEED_MAX_SCAN leaves of the tree of `size`. */
static libro_code
latest(libro_watch_event *evs, size_t *n, libro_registry *reg, uint64_t size, libro_error *err)
{
    uint64_t stop = size > FEED_MAX_SCAN ? size - FEED_MAX_SCAN : 0;
    libro_code rc = LIBRO_OK;

    *n = 0;
    for (uint64_t i = size; rc == LIBRO_OK && i > stop && *n < FEED_MAX_ENTRIES; i--) {
        char *leaf = NULL;
        bool relevant = false;

        rc = libro_registry_log_leaf(reg, &leaf, i - 1, err);
        if (rc == LIBRO_OK) {
            rc = libro_watch_leaf_event(&evs[*n], &relevant, leaf, strlen(leaf), i - 1, err);
        }
        if (rc == LIBRO_OK && relevant) {
            (*n)++;
        }
        libro_free(leaf);
    }
    return rc;
}

void
libro_http__feed(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                 const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_event *evs = NULL;
    libro_buf tag = LIBRO_BUF_INIT;
    uint64_t size = 0;
    size_t n = 0;
    libro_code rc;

    libro_buf_clear(&resp->body);
    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_log_size(*reg, &size, &err);
    }
    /* The feed is a function of the log's size (and of this server's id and URL). */
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&tag, &err, "feed.atom\n%llu\n%s\n%s", (unsigned long long) size,
                              ctx->issuer_id, ctx->base_url != NULL ? ctx->base_url : "");
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__etag_of(resp->etag, tag.data, tag.len, &err);
    }
    if (rc == LIBRO_OK && libro_http__etag_matches(req->if_none_match, resp->etag)) {
        libro_http__finish_cacheable(resp, req, type_atom, feed_cache);
        goto out;
    }
    if (rc == LIBRO_OK) {
        evs = libro_calloc(FEED_MAX_ENTRIES, sizeof *evs);
        rc = evs == NULL ? libro_error_set(&err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        rc = latest(evs, &n, *reg, size, &err);
    }
    if (rc == LIBRO_OK) {
        rc = feed_head(&resp->body, ctx,
                       n > 0 ? evs[0].at
                             : (ctx->authorization != NULL ? ctx->authorization->valid_from : 0),
                       &err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        rc = entry(&resp->body, ctx, &evs[i], &err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&resp->body, "</feed>\n", &err);
    }
    if (rc != LIBRO_OK) {
        resp->etag[0] = '\0';
        libro_http__internal_error(resp, &err);
        goto out;
    }
    libro_http__finish_cacheable(resp, req, type_atom, feed_cache);
out:
    libro_free(evs);
    libro_buf_free(&tag);
}
