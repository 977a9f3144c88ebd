/* libro_verifier: the checks libro sync makes of a fetched trust bundle, shared by sync.c and
 * the bundle fuzzer (tests/fuzz/fuzz_bundle.c), so that the fuzzer runs sync's own code. Not
 * installed. */
#ifndef LIBRO_SYNC_INT_H
#define LIBRO_SYNC_INT_H

#include "libro/checkpoint.h"
#include "libro/http.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/verifier.h"

/* What the last sync of one URL left. */
typedef struct libro_sync__state {
    char etag[LIBRO_HTTP_MAX_HEADER_VALUE_BYTES + 1];
    int64_t issued_ms; /* the bundle's issued, to the millisecond (older states: whole s) */
    bool has_log;      /* a checkpoint was accepted before: its tree follows */
    uint64_t size;
    libro_merkle_hash root;
} libro_sync__state;

/* A bundle's payload; the strings and arrays are borrowed from `root`. */
typedef struct libro_sync__bundle {
    json_t *root;
    const char *registry;
    const char *url;
    int64_t issued_ms;
    json_t *chain;
    json_t *members; /* the seat charters of the registry's roundtable; NULL when absent */
    json_t *authorizations;
    json_t *lists;
    const char *checkpoint;
    json_t *agreements; /* the registry's index of agreements; NULL when absent */
    json_t *laws;       /* ... and of laws */
} libro_sync__bundle;

/* A bundle that passed libro_sync__check_bundle, for the steps that touch the trust store. */
typedef struct libro_sync__checked {
    libro_sync__bundle b;
    libro_jws *jws;
    libro_credential *auth; /* the registry's own authorization, among the bundle's */
    const char *tp;         /* the thumbprint of its key, in jws's kid */
    libro_checkpoint cur;   /* the bundle's checkpoint, opened */
} libro_sync__checked;

/* How sync fetches a URL (`etag`: If-None-Match, may be NULL or empty; `max`: the body cap):
 * libro_http_fetch in libro sync, a refusal in the fuzzer. */
typedef libro_code (*libro_sync__fetch_fn)(libro_http_response *resp, const char *url,
                                           const char *etag, size_t max,
                                           const libro_sync_options *opt, libro_error *err);

/** Everything libro sync checks of the bundle token[0..len) fetched from `base` (the URL
 *  without trailing '/') before it touches the trust store, in its order: the form of the
 *  compact JWS within the bundle caps, its typ and kid, the payload's form, that the registry
 *  it names signed it and that its url is `base`, the signature by the key of the registry's
 *  own authorization, the dates against `now_ms` (milliseconds) and `st` (the last sync of `base`,
 * zeroed for a first one), and the checkpoint, signed by that key and extending the tree `st`
 * recorded (a consistency proof from `base`, fetched with `fetch`). LIBRO_OK: caller clears *out
 *  (libro_sync__checked_clear); else *out is cleared. */
LIBRO_NODISCARD libro_code libro_sync__check_bundle(libro_sync__checked *out, const char *token,
                                                    size_t len, const char *base,
                                                    const libro_sync__state *st, int64_t now_ms,
                                                    libro_sync__fetch_fn fetch,
                                                    const libro_sync_options *opt,
                                                    libro_error *err);
void libro_sync__checked_clear(libro_sync__checked *c);

#endif
