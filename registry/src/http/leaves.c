/* GET /v1/log/leaves?start=N&count=M: leaves N.. of the log, at most M of them (1 to
 * LIBRO_LOG_MAX_PAGE, default the most) and no further than the log's end, as a JSON array of
 * strings, each the exact text the leaf's hash covers. One request instead of one per leaf
 * for a reader of many (libro watch). A full page never changes: immutable; a page cut short
 * by the log's end is revalidated. */
#include <string.h>

#include "http_int.h"
#include "libro/json_int.h"
#include "libro/merkle.h"
#include "libro/util.h"
#include "libro/watch.h"

static const char type_json[] = "application/json";
static const char full_cache[] = "public, max-age=31536000, immutable";
static const char part_cache[] = "public, no-cache";

static bool
arg_number(uint64_t *out, const char *arg, uint64_t max)
{
    libro_error ignored = LIBRO_ERROR_INIT;

    return arg != NULL && libro_parse_u64(out, arg, strnlen(arg, 32), max, &ignored) == LIBRO_OK;
}

void
libro_http__leaves(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                   const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    json_t *page = NULL;
    uint64_t start = 0;
    uint64_t count = LIBRO_LOG_MAX_PAGE;
    uint64_t size = 0;
    uint64_t end;
    libro_code rc;

    if (!arg_number(&start, req->arg_start, LIBRO_MERKLE_MAX_SIZE) ||
        (req->arg_count != NULL && !arg_number(&count, req->arg_count, LIBRO_LOG_MAX_PAGE)) ||
        count == 0) {
        libro_http__error(resp, 400, "bad_request",
                          "want /v1/log/leaves?start=<leaf index>[&count=<1 to 256>]");
        return;
    }
    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_log_size(*reg, &size, &err);
    }
    if (rc == LIBRO_OK && start >= size) {
        libro_http__error(resp, 404, "not_found", "no such leaf");
        return;
    }
    end = size - start < count ? size : start + count;
    page = rc == LIBRO_OK ? json_array() : NULL;
    if (rc == LIBRO_OK && page == NULL) {
        rc = libro_error_set(&err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (uint64_t i = start; rc == LIBRO_OK && i < end; i++) {
        char *leaf = NULL;

        rc = libro_registry_log_leaf(*reg, &leaf, i, &err);
        if (rc == LIBRO_OK && json_array_append_new(page, json_string(leaf)) != 0) {
            rc = libro_error_set(&err, LIBRO_ERR_NOMEM, "out of memory");
        }
        libro_free(leaf);
    }
    libro_buf_clear(&resp->body);
    if (rc == LIBRO_OK) {
        rc = libro_json__dump(&resp->body, page, &err);
    }
    json_decref(page);
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    libro_http__finish_cacheable(resp, req, type_json,
                                 end - start == count ? full_cache : part_cache);
}
