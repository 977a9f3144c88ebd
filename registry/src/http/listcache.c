/* The registry's HTTP API: GET of a status list. Each list is served from memory
 * (statusmem.c), signed by the one publisher's rules (registry/src/publish.c) and kept until
 * its bits change or it is due for re-signing, so an unchanged list keeps its ETag and a
 * verifier that revalidates gets 304. */
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

void
libro_http__status(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                   const libro_http__request *req, bool mandates, uint32_t list, int purpose)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t in_use;
    bool not_modified = false;

    (void) reg; /* served from memory: the connection needs no handle of its own */
    if (libro_http__mem_sync(ctx, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    /* The lists 0..the highest in use; list 0 even before the first reservation. */
    in_use =
        libro_http__lists_published(ctx, mandates ? LIBRO_SPACE_MANDATES : LIBRO_SPACE_LICENSES);
    if (list > 0 && list >= in_use) {
        libro_http__error(resp, 404, "not_found", "no such status list");
        return;
    }
    if (libro_http__current_list(ctx, mandates, list, purpose, req->if_none_match, &resp->body,
                                 resp->etag, &not_modified, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    /* With not_modified the body is empty and the ETag matches: the answer is 304. */
    libro_http__finish_cacheable(resp, req, type_vc_jwt, status_cache);
}
