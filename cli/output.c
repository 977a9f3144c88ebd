/* Results go to stdout, diagnostics to stderr prefixed "libro: " (style.md §9). */
#include <stdarg.h>
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
