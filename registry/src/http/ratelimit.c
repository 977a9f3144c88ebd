/* The registry's HTTP API: write budgets. A token bucket per client address, in a fixed
 * table where the client idle longest gives way, so that no client can grow the server's
 * memory. */
#include <string.h>
#include <time.h>

#include "http_int.h"
#include "libro/util.h"

/* A monotonic clock in milliseconds, for the write budgets. */
int64_t
libro_http__monotonic_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
libro_http__rate_take(libro_http_ctx *ctx, const unsigned char client[16], int64_t now_ms)
{
    libro_http_bucket *b = NULL;
    libro_http_bucket *oldest = &ctx->buckets[0];
    bool ok;

    if (pthread_mutex_lock(&ctx->rate_lock) != 0) {
        return false;
    }
    for (size_t i = 0; i < LIBRO_NELEM(ctx->buckets) && b == NULL; i++) {
        libro_http_bucket *e = &ctx->buckets[i];

        if (e->used && memcmp(e->client, client, 16) == 0) {
            b = e;
        } else if (!e->used || (oldest->used && e->last_ms < oldest->last_ms)) {
            oldest = e;
        }
    }
    if (b == NULL) {
        /* A new client starts with a full burst; the slot it takes is the one idle longest. */
        b = oldest;
        b->used = true;
        memcpy(b->client, client, 16);
        b->tokens = (double) ctx->write_burst;
        b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double) (now_ms - b->last_ms) * (double) ctx->write_rate / 1000.0;
        if (b->tokens > (double) ctx->write_burst) {
            b->tokens = (double) ctx->write_burst;
        }
        b->last_ms = now_ms;
    }
    ok = b->tokens >= 1.0;
    if (ok) {
        b->tokens -= 1.0;
    }
    (void) pthread_mutex_unlock(&ctx->rate_lock);
    return ok;
}
