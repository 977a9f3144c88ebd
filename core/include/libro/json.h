/* libro: bounded JSON. The parsed tree (jansson) stays inside the project; see
 * core/internal/libro/json_int.h. This public entry point checks a document only. */
#ifndef LIBRO_JSON_H
#define LIBRO_JSON_H

#include "libro/error.h"
#include "libro/limits.h"

/** Caps applied before and while parsing. */
typedef struct libro_json_limits {
    unsigned version;   /* 1 */
    size_t max_bytes;   /* whole document */
    unsigned max_depth; /* arrays and objects nested */
} libro_json_limits;

#define LIBRO_JSON_LIMITS_INIT                                                                     \
    {                                                                                              \
        1, LIBRO_MAX_JSON_BYTES, LIBRO_MAX_JSON_DEPTH                                              \
    }

/** Check that p[0..len) is one JSON value (object or array at top level) within `lim`
 *  (NULL = defaults): strict UTF-8, no NUL byte (raw or as \u0000), no duplicate object
 *  member, nothing after the value but whitespace. LIBRO_ERR_LIMIT for size or depth,
 *  LIBRO_ERR_PARSE for the rest, with the position in the message. */
LIBRO_API LIBRO_NODISCARD libro_code libro_json_check(const char *p, size_t len,
                                                      const libro_json_limits *lim,
                                                      libro_error *err);

#endif
