/* Running a database transaction again after LIBRO_ERR_CONFLICT (not API). A shared database
 * (PostgreSQL, SERIALIZABLE) refuses a transaction that collided with a concurrent one
 * (serialization failure, deadlock); nothing of it is kept, and the owner of the whole
 * transaction (a registry write, the write queue's group, an issuer's group) runs it again
 * from its start, a bounded number of times, after a jittered exponential back-off so that
 * the colliding transactions do not meet again. */
#ifndef LIBRO_RETRY_INT_H
#define LIBRO_RETRY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "libro/error.h"

/* Attempts a transaction makes in all (the first and 7 more). */
#define LIBRO_RETRY_ATTEMPTS 8u
/* The back-off after the first failed attempt; it doubles after each, up to the cap. */
#define LIBRO_RETRY_FIRST_NS 1000000L /* 1 ms */
#define LIBRO_RETRY_CAP_NS 100000000L /* 100 ms */

/** The pause after failed attempt `attempt` (0: the first), given a random `draw`: uniform
 *  in [d/2, d] for d = LIBRO_RETRY_FIRST_NS * 2^attempt capped at LIBRO_RETRY_CAP_NS ("equal
 *  jitter": never less than half the step, so the back-off still grows). */
long libro_retry__backoff_ns(unsigned attempt, uint32_t draw);

/** Whether a transaction that ended with `rc` on attempt *attempt (0: the first) runs again:
 *  only after LIBRO_ERR_CONFLICT and while fewer than LIBRO_RETRY_ATTEMPTS were made. Before
 *  answering true it counts the attempt and sleeps its back-off. After the last attempt it
 *  answers false and prefixes err's message with the number of attempts made. */
bool libro_retry__again(libro_code rc, unsigned *attempt, libro_error *err);

#endif
