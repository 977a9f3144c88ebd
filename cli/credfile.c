/* Reading credential and time arguments shared by the issuing and trust commands. */
#include <string.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/limits.h"
#include "libro/time.h"
#include "libro/util.h"

libro_code
cli_read_token(libro_buf *out, const char *path, libro_error *err)
{
    return libro_file_read_token(out, path, LIBRO_MAX_TOKEN_BYTES, err);
}

libro_code
cli_credential_from_jws(libro_credential **out, const char *token, size_t len, libro_error *err)
{
    /* Our own records (the registry's copy, the issuer's files): verifiers check signatures. */
    return libro_credential_parse_unverified(out, token, len, err);
}

libro_code
cli_parse_time_arg(int64_t *out, const char *name, const char *text, libro_error *err)
{
    libro_code rc = libro_time_parse_input(out, text, strlen(text), err);

    if (rc != LIBRO_OK) {
        libro_error_prefix(err, name);
    }
    return rc;
}

libro_code
cli_window_args(int64_t *from, int64_t *until, uint32_t *days, const char *from_text,
                const char *until_text, const char *days_text, libro_error *err)
{
    uint64_t n = 0;
    libro_code rc;

    *from = 0;
    *until = 0;
    *days = 0;
    if (from_text != NULL) {
        rc = cli_parse_time_arg(from, "--valid-from", from_text, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
    }
    if (until_text != NULL && days_text != NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "--valid-until and --days exclude each other");
    }
    if (until_text != NULL) {
        return cli_parse_time_arg(until, "--valid-until", until_text, err);
    }
    if (days_text != NULL) {
        rc = libro_parse_u64(&n, days_text, strlen(days_text), 36600, err);
        if (rc != LIBRO_OK || n == 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "--days: want 1 to 36600");
        }
        *days = (uint32_t) n;
    }
    return LIBRO_OK;
}

libro_code
cli_validity(int64_t *from, int64_t *until, const char *from_text, const char *until_text,
             const char *days_text, uint32_t default_days, libro_error *err)
{
    uint32_t days = 0;
    libro_code rc = cli_window_args(from, until, &days, from_text, until_text, days_text, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    /* Whole seconds: credentials carry no fractions. */
    if (from_text == NULL) {
        *from = libro_time_now();
    }
    if (until_text != NULL) {
        return LIBRO_OK;
    }
    if (days == 0) {
        days = default_days;
    }
    if (days == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "--valid-until or --days is required");
    }
    *until = *from + (int64_t) days * 86400;
    return LIBRO_OK;
}

libro_code
cli_write_output(const char *path, const void *data, size_t len, libro_error *err)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len) {
            return libro_error_set(err, LIBRO_ERR_IO, "cannot write to standard output");
        }
        return LIBRO_OK;
    }
    return libro_file_write_new(path, data, len, 0644, err);
}
