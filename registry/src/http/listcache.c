/* The registry's HTTP API: the status list cache. Each list is signed by the one publisher
 * (libro_registry_publish_list, registry/src/publish.c) and kept until its bits change or it
 * is due for re-signing, so an unchanged list keeps its ETag and a verifier that revalidates
 * gets 304. */
#include <string.h>
#include <time.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

static const char type_vc_jwt[] = "application/vc+jwt";
/* Read your writes through any HTTP cache: a cache may keep a list but asks again before
 * using it (a 304 when nothing changed), so an acknowledged write is in the next read
 * (docs/operations.md, "Caching"). */
static const char status_cache[] = "public, no-cache";

/* An entry is taken once a list was signed for it (even one not kept). */
static bool
taken(const libro_http_cache_entry *e)
{
    return e->used || e->pub.used;
}

static libro_http_cache_entry *
cache_slot(libro_http_ctx *ctx, bool mandates, uint32_t list, int purpose)
{
    libro_http_cache_entry *oldest = &ctx->cache[0];
    size_t i;

    for (i = 0; i < LIBRO_NELEM(ctx->cache); i++) {
        libro_http_cache_entry *e = &ctx->cache[i];

        if (taken(e) && e->mandates == mandates && e->list == list && e->purpose == purpose) {
            return e;
        }
        if (!taken(e) || (taken(oldest) && e->stamp < oldest->stamp)) {
            oldest = e;
        }
    }
    libro_buf_free(&oldest->body);
    memset(oldest, 0, sizeof *oldest);
    oldest->mandates = mandates;
    oldest->list = list;
    oldest->purpose = purpose;
    return oldest;
}

int64_t
libro_http__clock_after(int64_t after_ms)
{
    struct timespec pause = {0, 200000L}; /* 0.2 ms */
    int64_t now = libro_time_now_ms();

    /* At most a second: a clock set back further is the operator's to fix, and the caller's
     * rule (strictly newer) then refuses rather than dating ahead. */
    for (int i = 0; i < 5000 && now <= after_ms; i++) {
        (void) nanosleep(&pause, NULL);
        now = libro_time_now_ms();
    }
    return now;
}

libro_code
libro_http__current_list(libro_http_ctx *ctx, libro_registry *reg, bool mandates, uint32_t list,
                         int purpose, libro_buf *out, char etag[LIBRO_HTTP_ETAG_MAX],
                         libro_error *err)
{
    libro_publish_options opt = LIBRO_PUBLISH_OPTIONS_INIT;
    libro_buf url = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_published_list last;
    libro_http_cache_entry *e;
    bool fresh = false;
    libro_code rc;

    rc = libro_buf_printf(&url, err, "%s/v1/status/%s%u/%s", ctx->base_url,
                          mandates ? "mandates/" : "", (unsigned) list,
                          libro_status_purpose_name((libro_status_purpose) purpose));
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* The bits are read under the lock: two workers reading before and after a revocation
     * must not sign in the opposite order, or the older bits would carry the newer date. */
    if (pthread_mutex_lock(&ctx->lock) != 0) {
        libro_buf_free(&url);
        return libro_error_set(err, LIBRO_ERR_IO, "server: lock failed");
    }
    e = cache_slot(ctx, mandates, list, purpose);
    opt.url = (const char *) url.data;
    opt.mandates = mandates;
    opt.list = list;
    opt.purpose = purpose;
    opt.seconds = ctx->status_list_seconds;
    /* A list signed again within the millisecond of the last one waits for the next: it
     * must be strictly newer, and never dated ahead of the clock. */
    opt.now_ms = libro_time_now_ms();
    if (e->pub.used && opt.now_ms <= e->pub.valid_from_ms) {
        opt.now_ms = libro_http__clock_after(e->pub.valid_from_ms);
    }
    last = e->pub;
    if (!e->used) {
        /* Nothing cached to serve (a list signed but not kept): sign anew, still strictly
         * after the last one signed. */
        memset(last.bits_hash, 0, sizeof last.bits_hash);
    }
    rc = libro_registry_publish_list(&jws, &fresh, &last, reg, ctx->registry_key,
                                     ctx->authorization, &opt, err);
    /* What was signed is remembered even when it is not kept, so that the next list is newer
     * than anything this process signed; a failure keeps the cached list as it was. */
    e->pub = last;
    if (rc == LIBRO_OK && fresh) {
        rc = libro_http__etag_of(e->etag, jws.data, jws.len, err);
        e->used = rc == LIBRO_OK;
        if (rc == LIBRO_OK) {
            libro_buf_free(&e->body);
            e->body = jws;
            memset(&jws, 0, sizeof jws); /* moved to the cache */
        }
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    e->stamp = ++ctx->clock;
    libro_buf_clear(out);
    rc = libro_buf_append(out, e->body.data, e->body.len, err);
    memcpy(etag, e->etag, LIBRO_HTTP_ETAG_MAX);
out:
    (void) pthread_mutex_unlock(&ctx->lock);
    libro_buf_free(&jws);
    libro_buf_free(&url);
    return rc;
}

void
libro_http__status(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                   const libro_http__request *req, bool mandates, uint32_t list, int purpose)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint32_t last = 0;

    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK ||
        libro_registry__last_list_in(*reg, mandates ? LIBRO_SPACE_MANDATES : LIBRO_SPACE_LICENSES,
                                     &last, &err) != LIBRO_OK) {
        libro_http__internal_error(resp);
        return;
    }
    if (list > last) {
        libro_http__error(resp, 404, "not_found", "no such status list");
        return;
    }
    if (libro_http__current_list(ctx, *reg, mandates, list, purpose, &resp->body, resp->etag,
                                 &err) != LIBRO_OK) {
        libro_http__internal_error(resp);
        return;
    }
    libro_http__finish_cacheable(resp, req, type_vc_jwt, status_cache);
}
