/* Writing credentials and their QR codes: what `libro issue`, `libro license renew`
 * and `libro registry` print and write around the issuer library's workflows. */
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/time.h"
#include "libro/util.h"

bool
cli_is_url(const char *s)
{
    return s != NULL && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

void
cli_say_issued(const libro_credential *c, const char *path)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(from, c->valid_from, NULL) == LIBRO_OK &&
        libro_time_format(until, c->valid_until, NULL) == LIBRO_OK) {
        fprintf(stderr, "libro: issued %s for %s (%s .. %s) -> %s\n", libro_cred_type_name(c->type),
                c->type == LIBRO_CRED_LICENSE   ? c->license_number
                : c->type == LIBRO_CRED_MANDATE ? c->name
                                                : c->subject_id,
                from, until, path);
    }
}

libro_code
cli_write_credential(const char *out_path, const libro_buf *jws, const libro_credential *c,
                     libro_error *err)
{
    libro_buf file = LIBRO_BUF_INIT;
    libro_code rc = libro_buf_append(&file, jws->data, jws->len, err);

    /* Files end with a newline; the token itself (as registries store it) does not. */
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&file, "\n", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_write_output(out_path, file.data, file.len, err);
    }
    if (rc == LIBRO_OK) {
        cli_say_issued(c, out_path);
    }
    libro_buf_free(&file);
    return rc;
}

libro_code
cli_json_issued(const libro_credential *c, const char *out, const char *qr,
                const struct libro_issued *res, libro_error *err)
{
    struct cli_json j;
    size_t i;

    cli_json_begin(&j, err);
    cli_json_str(&j, "type", libro_cred_type_name(c->type));
    cli_json_str(&j, "issuer", c->issuer);
    cli_json_str(&j, "id", c->subject_id);
    cli_json_str(&j, "name", c->name);
    cli_json_time(&j, "validFrom", c->valid_from);
    cli_json_time(&j, "validUntil", c->valid_until);
    cli_json_str(&j, "out", out);
    cli_json_str(&j, "qr", qr);
    if (c->type == LIBRO_CRED_LICENSE) {
        cli_json_open(&j, "license", '{');
        cli_json_str(&j, "number", c->license_number);
        cli_json_str(&j, "profession", c->profession);
        cli_json_str(&j, "licenseType", c->license_type);
        cli_json_open(&j, "scope", '[');
        for (i = 0; i < c->n_scope; i++) {
            cli_json_str(&j, NULL, c->scope[i]);
        }
        cli_json_close(&j, ']');
        cli_json_str(&j, "community", c->community_id);
        cli_json_int(&j, "version", res != NULL && res->version > 0 ? res->version : 1);
        cli_json_bool(&j, "registered", res != NULL && res->registered);
        cli_json_close(&j, '}');
    }
    if (res != NULL && res->registered && res->version <= 1) {
        cli_json_open(&j, "status", '{');
        cli_json_int(&j, "list", res->status_list);
        cli_json_int(&j, "index", res->status_index);
        cli_json_close(&j, '}');
    }
    return cli_json_end(&j);
}

const char *
cli_json_out_problem(bool json, const char *out)
{
    if (json && out != NULL && strcmp(out, "-") == 0) {
        return "--json needs --out FILE (with '-' both would be written to standard output)";
    }
    return NULL;
}

libro_code
cli_write_qr_png(const char *path, const libro_buf *jws, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    int version = 0;
    libro_code rc =
        libro_issuer_qr(&png, &text, &version, (const char *) jws->data, jws->len, &opt, err);

    if (rc == LIBRO_OK) {
        rc = libro_file_write_new(path, png.data, png.len, 0644, err);
    }
    if (rc == LIBRO_OK) {
        fprintf(stderr, "libro: QR code version %d, level %c, %zu characters -> %s\n", version,
                opt.ecc, text.len, path);
    }
    libro_buf_free(&text);
    libro_buf_free(&png);
    return rc;
}

libro_code
cli_check_new_output(const char *path, const char *option, libro_error *err)
{
    struct stat st;

    if (path == NULL || strcmp(path, "-") == 0) {
        return LIBRO_OK;
    }
    /* A friendliness check before a registry records anything; the write itself still
     * refuses to overwrite (O_EXCL). */
    if (lstat(path, &st) == 0) {
        return libro_error_set(err, LIBRO_ERR_EXISTS, "%s %.200s: file exists (never overwritten)",
                               option, path);
    }
    return LIBRO_OK;
}
