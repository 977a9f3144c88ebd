/* libro: the jansson adapter. Every document from outside passes through libro_json__load:
 * size cap first, then a byte scan for depth and raw NUL (jansson's own depth limit is 2048
 * and fixed at build time), then jansson with duplicate members rejected. jansson validates
 * UTF-8, refuses "\u0000" unless JSON_ALLOW_NUL, and checks that nothing but whitespace
 * follows the value. */
#include <stdlib.h>
#include <string.h>

#include "libro/json_int.h"
#include "libro/util.h"

static const libro_json_limits default_limits = LIBRO_JSON_LIMITS_INIT;

/* Depth of [ and { outside strings; raw NUL anywhere. Strings are skipped with their escapes
 * so that a bracket inside a string does not count. */
static libro_code
prescan(const char *p, size_t len, unsigned max_depth, libro_error *err)
{
    unsigned depth = 0;
    bool in_string = false;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = p[i];

        if (c == '\0') {
            return libro_error_set(err, LIBRO_ERR_PARSE, "json: NUL byte at offset %zu", i);
        }
        if (in_string) {
            if (c == '\\') {
                i++; /* the escaped character cannot end the string */
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                return libro_error_set(err, LIBRO_ERR_LIMIT,
                                       "json: nesting deeper than %u at offset %zu", max_depth, i);
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return LIBRO_OK;
}

/* jansson's messages quote the input; keep ours one printable line (style.md §4). */
static void
printable(char *out, size_t size, const char *text)
{
    size_t i;

    for (i = 0; i + 1 < size && text[i] != '\0'; i++) {
        unsigned char c = (unsigned char) text[i];

        out[i] = c >= 0x20 && c < 0x7f ? (char) c : '?';
    }
    out[i] = '\0';
}

libro_code
libro_json__load(json_t **out, const char *p, size_t len, const libro_json_limits *lim,
                 libro_error *err)
{
    json_error_t jerr;
    json_t *root;
    libro_code rc;

    *out = NULL;
    if (lim == NULL) {
        lim = &default_limits;
    }
    if (lim->version != 1) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "json: unknown limits version %u",
                               lim->version);
    }
    if (p == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "json: NULL input");
    }
    if (len > lim->max_bytes) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "json: document larger than %zu bytes",
                               lim->max_bytes);
    }
    rc = prescan(p, len, lim->max_depth, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    root = json_loadb(len == 0 ? "" : p, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        char reason[65];

        printable(reason, sizeof reason, jerr.text);
        return libro_error_set(err, LIBRO_ERR_PARSE, "json: %s at offset %d", reason,
                               jerr.position);
    }
    *out = root;
    return LIBRO_OK;
}

libro_code
libro_json_check(const char *p, size_t len, const libro_json_limits *lim, libro_error *err)
{
    json_t *root = NULL;
    libro_code rc = libro_json__load(&root, p, len, lim, err);

    json_decref(root);
    return rc;
}

libro_code
libro_json__dump(libro_buf *out, const json_t *v, libro_error *err)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    libro_code rc;

    if (text == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "json: cannot serialize");
    }
    rc = libro_buf_append_str(out, text, err);
    libro_wipe(text, strlen(text));
    free(text);
    return rc;
}
