/* libro: project-internal JSON access over jansson. Not installed: only libro's own modules
 * include this, so json_t never reaches the public API (style.md §2). */
#ifndef LIBRO_JSON_INT_H
#define LIBRO_JSON_INT_H

#include <jansson.h>

#include "libro/buf.h"
#include "libro/json.h"

/** Parse p[0..len) with every check of libro_json_check, into a tree the caller owns
 *  (json_decref). The top-level value must be an object or array. */
LIBRO_NODISCARD libro_code libro_json__load(json_t **out, const char *p, size_t len,
                                            const libro_json_limits *lim, libro_error *err);

/** Serialize compactly with members in insertion order (JSON_COMPACT|JSON_PRESERVE_ORDER)
 *  and append to `out`. */
LIBRO_NODISCARD libro_code libro_json__dump(libro_buf *out, const json_t *v, libro_error *err);

#endif
