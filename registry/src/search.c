/* libro_registry: the public search by holder name. A license's holder is indexed under the
 * keys of its name (each word start to the end, ASCII letters lowercased), so a search is one
 * range of an index on both backends: every key that begins with the query. */
#include <string.h>

#include "libro/text_int.h"
#include "libro/util.h"
#include "registry_int.h"

/* After the last byte any UTF-8 text can hold past a prefix: U+10FFFF. A key that begins
 * with the query sorts below the query followed by it (byte order), and both backends take
 * it as text. */
static const char after_all[] = "\xf4\x8f\xbf\xbf";

static char
ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

libro_code
libro_store__holder_keys(char **lower, size_t starts[], size_t *n, const char *name,
                         libro_error *err)
{
    size_t len = strlen(name);
    char *copy = libro_malloc(len + 1);

    *lower = NULL;
    *n = 0;
    if (copy == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < len; i++) {
        copy[i] = ascii_lower(name[i]);
        if ((i == 0 || name[i - 1] == ' ' || name[i - 1] == '-') &&
            *n < LIBRO_STORE_HOLDER_MAX_KEYS) {
            starts[(*n)++] = i;
        }
    }
    copy[len] = '\0';
    *lower = copy;
    return LIBRO_OK;
}

/* Whether `number` is among list[0..n). */
static bool
seen(const libro_license_record *list, size_t n, const char *number)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].number, number) == 0) {
            return true;
        }
    }
    return false;
}

libro_code
libro_registry_search_holder(libro_registry *r, libro_license_record **out, size_t *n, bool *more,
                             const char *query, size_t limit, libro_error *err)
{
    libro_license_record *rows = NULL;
    size_t n_rows = 0;
    size_t kept = 0;
    size_t qlen;
    char from[LIBRO_HOLDER_QUERY_MAX + 1];
    char to[LIBRO_HOLDER_QUERY_MAX + sizeof after_all];
    const char *problem;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || out == NULL || n == NULL || more == NULL || query == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "holder search: NULL argument");
    }
    *out = NULL;
    *n = 0;
    *more = false;
    if (limit == 0 || limit > LIBRO_HOLDER_RESULTS_MAX) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "holder search: at most %u results, at least 1",
                               LIBRO_HOLDER_RESULTS_MAX);
    }
    qlen = strlen(query);
    if (qlen > LIBRO_HOLDER_QUERY_MAX) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "holder search: the name is over %u bytes",
                               LIBRO_HOLDER_QUERY_MAX);
    }
    problem = libro__text_problem((const unsigned char *) query, qlen);
    if (problem != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "holder search: the name has a %s", problem);
    }
    while (qlen > 0 && query[0] == ' ') {
        query++;
        qlen--;
    }
    while (qlen > 0 && query[qlen - 1] == ' ') {
        qlen--;
    }
    if (qlen == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "holder search: the name is empty");
    }
    for (size_t i = 0; i < qlen; i++) {
        from[i] = ascii_lower(query[i]);
    }
    from[qlen] = '\0';
    memcpy(to, from, qlen);
    memcpy(to + qlen, after_all, sizeof after_all);
    rc = r->store.ops->begin_read(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    /* A license is in the range once per matching key: enough rows for limit + 1 of them. */
    rc = r->store.ops->license_search_holder(r->store.h, &rows, &n_rows, from, to,
                                             (limit + 1) * LIBRO_STORE_HOLDER_MAX_KEYS, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    /* Keep each license's first row, in order, moving it down over the dropped ones. */
    for (size_t i = 0; i < n_rows; i++) {
        if (seen(rows, kept, rows[i].number)) {
            continue;
        }
        if (kept == limit) {
            *more = true;
            break;
        }
        if (i != kept) {
            libro_license_record tmp = rows[kept];

            rows[kept] = rows[i];
            rows[i] = tmp;
        }
        kept++;
    }
    for (size_t i = kept; i < n_rows; i++) {
        libro_license_record_clear(&rows[i]);
    }
    *out = rows;
    *n = kept;
    rows = NULL;
    n_rows = 0;
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_license_records_free(rows, n_rows);
    return rc;
}
