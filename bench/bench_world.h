/* The community the registry benchmarks issue in: a town, its health board (the issuer) and
 * its registry, their keys and credentials; a registry set up for them at any location (a
 * database file or a PostgreSQL URI); and the regeneration of a status list. */
#ifndef LIBRO_BENCH_WORLD_H
#define LIBRO_BENCH_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "libro/key.h"
#include "libro/registry.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define REGISTRY_ID COMMUNITY ":registry"
#define BOARD COMMUNITY ":health-board"
#define NURSING "nursing-general"
#define STATUS_RUNS 7

/* The community, its health board (the issuer) and the keys. */
struct bench_world {
    libro_key *town;
    libro_key *board;
    libro_key *registry;
    char *charter;    /* the town's self-charter (compact JWS) */
    char *board_auth; /* the board's IssuerAuthorization */
    char *kid;        /* the board key's kid */
    int64_t now;
};

void bench_world_init(struct bench_world *w);
void bench_world_clear(struct bench_world *w);

/* dir/name into out[0..size); exits when it does not fit. */
void bench_path_join(char *out, size_t size, const char *dir, const char *name);
/* "T7-<prefix>-<i, 7 digits>" into out[0..size). */
void bench_license_number(char *out, size_t size, const char *prefix, unsigned i);

/* Create the registry at `location` (a path or a database URI) for the world, with the
 * nursing type (365 days) and the board allowed to write over the API; returns an open
 * handle. Exits on failure. */
libro_registry *bench_registry_new(const char *location, const struct bench_world *w);

/* The regeneration of one status list: its bits read and the list signed. */
struct bench_status {
    double read_ms;  /* median libro_registry_status_bits */
    double sign_ms;  /* median libro_status_list_sign */
    double total_ms; /* median of both together */
    size_t set_bits;
    size_t encoded_bytes; /* encodedList text */
    size_t jws_bytes;     /* the signed BitstringStatusListCredential */
};

/* Regenerate the revocation list `list` of `h` STATUS_RUNS times, as served at
 * <base_url>/v1/status/<list>/revocation: the medians. */
struct bench_status bench_status_regen(libro_registry *h, const struct bench_world *w,
                                       const char *base_url, uint32_t list);

#endif
