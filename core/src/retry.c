/* Running a transaction again after LIBRO_ERR_CONFLICT (libro/retry_int.h). */
#include <stdio.h>
#include <time.h>

#include "libro/crypto.h"
#include "libro/retry_int.h"

long
libro_retry__backoff_ns(unsigned attempt, uint32_t draw)
{
    long step = LIBRO_RETRY_FIRST_NS;
    long half;

    for (unsigned i = 0; i < attempt && step < LIBRO_RETRY_CAP_NS; i++) {
        step *= 2;
    }
    if (step > LIBRO_RETRY_CAP_NS) {
        step = LIBRO_RETRY_CAP_NS;
    }
    half = step / 2;
    return half + (long) (draw % (uint32_t) (step - half + 1));
}

bool
libro_retry__again(libro_code rc, unsigned *attempt, libro_error *err)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    unsigned char b[4] = {0};
    struct timespec pause = {0, 0};
    uint32_t draw;

    if (rc != LIBRO_ERR_CONFLICT) {
        return false;
    }
    if (*attempt + 1 >= LIBRO_RETRY_ATTEMPTS) {
        char prefix[32];

        if (snprintf(prefix, sizeof prefix, "after %u attempts", LIBRO_RETRY_ATTEMPTS) > 0) {
            libro_error_prefix(err, prefix);
        }
        return false;
    }
    /* The jitter only spreads colliding writers apart: without randomness the draw is fixed
     * and the pause still within its bounds. */
    if (libro_random_bytes(b, sizeof b, &ignored) != LIBRO_OK) {
        b[0] = b[1] = b[2] = b[3] = 0xff;
    }
    draw = (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
    pause.tv_nsec = libro_retry__backoff_ns(*attempt, draw);
    (*attempt)++;
    (void) nanosleep(&pause, NULL);
    return true;
}
