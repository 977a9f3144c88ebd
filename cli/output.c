/* Results go to stdout, diagnostics to stderr prefixed "libro: " (style.md §9). */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "cmd.h"
#include "libro/time.h"

void
cli_errorf(const char *fmt, ...)
{
    va_list ap;

    fputs("libro: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void
cli_report(const char *context, const libro_error *err)
{
    const char *msg = err->msg[0] != '\0' ? err->msg : libro_code_name(err->code);

    if (context == NULL) {
        cli_errorf("%s", msg);
    } else {
        cli_errorf("%s: %s", context, msg);
    }
}

void
cli_report_json(const char *context, const libro_error *err, bool json)
{
    if (json) {
        cli_json_error(err);
    } else {
        cli_report(context, err);
    }
}

const char *
cli_time_text(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    libro_error ignored = LIBRO_ERROR_INIT;

    if (libro_time_format(out, t, &ignored) != LIBRO_OK) {
        out[0] = '-';
        out[1] = '\0';
    }
    return out;
}

libro_code
cli_json_string(libro_buf *b, const char *s, libro_error *err)
{
    libro_code rc = libro_buf_append(b, "\"", 1, err);
    const unsigned char *p;

    for (p = (const unsigned char *) s; rc == LIBRO_OK && *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            rc = libro_buf_printf(b, err, "\\%c", *p);
        } else if (*p == '\n') {
            rc = libro_buf_append_str(b, "\\n", err); /* PEM, messages: readable as text */
        } else if (*p < 0x20 || *p == 0x7f) {
            rc = libro_buf_printf(b, err, "\\u%04x", *p);
        } else {
            rc = libro_buf_append(b, p, 1, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(b, "\"", 1, err);
    }
    return rc;
}

libro_code
cli_json_member(libro_buf *b, const char *key, const char *text, libro_error *err)
{
    libro_code rc = libro_buf_printf(b, err, ",\"%s\":", key);

    if (rc == LIBRO_OK) {
        rc = text != NULL ? cli_json_string(b, text, err) : libro_buf_append_str(b, "null", err);
    }
    return rc;
}

libro_code
cli_json_print(libro_buf *b, const char *tail, libro_code rc, libro_error *err)
{
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, tail, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "\n", err);
    }
    if (rc == LIBRO_OK) {
        fputs((const char *) b->data, stdout);
    }
    libro_buf_free(b);
    return rc;
}

void
cli_json_error(const libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_error e2 = LIBRO_ERROR_INIT;

    if (libro_buf_printf(&b, &e2, "{\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":",
                         libro_code_name(err->code)) == LIBRO_OK &&
        cli_json_string(&b, err->msg, &e2) == LIBRO_OK &&
        libro_buf_append_str(&b, "}}\n", &e2) == LIBRO_OK) {
        fputs((const char *) b.data, stdout);
    } else {
        fputs("{\"ok\":false,\"error\":{\"code\":\"out_of_memory\",\"message\":\"\"}}\n", stdout);
    }
    libro_buf_free(&b);
}

libro_code
cli_print_json_list(const char *member, const void *items, size_t n, cli_json_item item,
                    libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    size_t i;
    libro_code rc = libro_buf_printf(&b, err, "{\"ok\":true,\"%s\":[", member);

    for (i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = i > 0 ? libro_buf_append_str(&b, ",", err) : LIBRO_OK;
        if (rc == LIBRO_OK) {
            rc = item(&b, items, i, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&b, "]}\n", err);
    }
    if (rc == LIBRO_OK) {
        fputs((const char *) b.data, stdout);
    }
    libro_buf_free(&b);
    return rc;
}

int
cli_finish(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_errorf("cannot write to standard output");
        return CLI_EXIT_OUTPUT;
    }
    return code;
}

/* ---- --json documents ---------------------------------------------------------------------- */

void
cli_json_begin(struct cli_json *j, libro_error *err)
{
    j->b = (libro_buf) LIBRO_BUF_INIT;
    j->err = err;
    j->first = false;
    j->flushed = false;
    j->rc = libro_buf_append_str(&j->b, "{\"ok\":true", err);
}

/* The comma and "key": before a value. */
static bool
json_key(struct cli_json *j, const char *key)
{
    if (j->rc == LIBRO_OK && !j->first) {
        j->rc = libro_buf_append_str(&j->b, ",", j->err);
    }
    if (j->rc == LIBRO_OK && key != NULL) {
        j->rc = libro_buf_printf(&j->b, j->err, "\"%s\":", key);
    }
    j->first = false;
    return j->rc == LIBRO_OK;
}

void
cli_json_str(struct cli_json *j, const char *key, const char *text)
{
    if (json_key(j, key)) {
        j->rc = text != NULL ? cli_json_string(&j->b, text, j->err)
                             : libro_buf_append_str(&j->b, "null", j->err);
    }
}

void
cli_json_int(struct cli_json *j, const char *key, int64_t v)
{
    if (json_key(j, key)) {
        j->rc = libro_buf_printf(&j->b, j->err, "%lld", (long long) v);
    }
}

void
cli_json_bool(struct cli_json *j, const char *key, bool v)
{
    if (json_key(j, key)) {
        j->rc = libro_buf_append_str(&j->b, v ? "true" : "false", j->err);
    }
}

void
cli_json_time(struct cli_json *j, const char *key, int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];
    libro_error ignored = LIBRO_ERROR_INIT;

    cli_json_str(j, key, libro_time_format(text, t, &ignored) == LIBRO_OK ? text : NULL);
}

void
cli_json_open(struct cli_json *j, const char *key, char bracket)
{
    if (json_key(j, key)) {
        j->rc = libro_buf_append(&j->b, &bracket, 1, j->err);
    }
    j->first = true;
}

void
cli_json_close(struct cli_json *j, char bracket)
{
    if (j->rc == LIBRO_OK) {
        j->rc = libro_buf_append(&j->b, &bracket, 1, j->err);
    }
    j->first = false;
}

libro_code
cli_json_end(struct cli_json *j)
{
    return cli_json_print(&j->b, "}", j->rc, j->err);
}

libro_code
cli_json_flush(struct cli_json *j)
{
    if (j->rc == LIBRO_OK && j->b.len > 0) {
        if (fwrite(j->b.data, 1, j->b.len, stdout) != j->b.len) {
            j->rc = libro_error_set(j->err, LIBRO_ERR_IO, "cannot write to standard output");
        }
        j->flushed = true;
        libro_buf_clear(&j->b);
    }
    return j->rc;
}

bool
cli_json_flushed(const struct cli_json *j)
{
    return j->flushed;
}

void
cli_json_free(struct cli_json *j)
{
    libro_buf_free(&j->b);
}

/* ---- "did you mean" ------------------------------------------------------------------------ */

#define SUGGEST_MAX 64 /* longer words get no suggestion: the table below stays small */

size_t
cli_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    /* Optimal string alignment: insertions, deletions, substitutions and transpositions of
     * two neighbours, each costing 1. d[i][j] is the distance of a[0..i) and b[0..j). */
    size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
    size_t i;
    size_t j;

    if (alen > SUGGEST_MAX || blen > SUGGEST_MAX) {
        return SIZE_MAX;
    }
    for (i = 0; i <= alen; i++) {
        d[i][0] = i;
    }
    for (j = 0; j <= blen; j++) {
        d[0][j] = j;
    }
    for (i = 1; i <= alen; i++) {
        for (j = 1; j <= blen; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;

            if (d[i][j - 1] + 1 < best) {
                best = d[i][j - 1] + 1;
            }
            if (d[i - 1][j - 1] + cost < best) {
                best = d[i - 1][j - 1] + cost;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[alen][blen];
}

const char *
cli_suggest(const char *word, size_t len, const void *items, size_t n,
            const char *(*name)(const void *items, size_t i))
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    bool tie = false;
    size_t i;

    for (i = 0; i < n; i++) {
        const char *cand = name(items, i);
        size_t d;

        if (cand == NULL) {
            continue;
        }
        d = cli_edit_distance(word, len, cand, strlen(cand));
        if (d < best_d) {
            best = cand;
            best_d = d;
            tie = false;
        } else if (d == best_d && best != NULL && strcmp(cand, best) != 0) {
            tie = true;
        }
    }
    if (best == NULL || tie || best_d == 0 || best_d > 2 || 2 * best_d >= len) {
        return NULL;
    }
    return best;
}

static const char *
command_name(const void *items, size_t i)
{
    return ((const struct cli_cmd *) items)[i].name;
}

const char *
cli_suggest_command(const char *word, const struct cli_cmd *cmds, size_t n)
{
    return cli_suggest(word, strlen(word), cmds, n, command_name);
}
