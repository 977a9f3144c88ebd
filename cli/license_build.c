/* Building, signing and writing credentials: the steps `libro issue` and `libro license renew`
 * share, so a renewed license is made exactly as an issued one is. */
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/lb1.h"
#include "libro/qr.h"
#include "libro/time.h"
#include "libro/util.h"

libro_code
cli_dup_str(char **dst, const char *src, libro_error *err)
{
    if (src == NULL) {
        *dst = NULL;
        return LIBRO_OK;
    }
    *dst = libro_strndup(src, strlen(src));
    return *dst == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
}

libro_code
cli_dup_list(char ***dst, size_t *n_dst, const char *const *src, size_t n, libro_error *err)
{
    size_t i;
    libro_code rc = LIBRO_OK;

    *n_dst = 0;
    *dst = n == 0 ? NULL : libro_calloc(n, sizeof **dst);
    if (n > 0 && *dst == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = cli_dup_str(&(*dst)[i], src[i], err);
        if (rc == LIBRO_OK) {
            (*n_dst)++;
        }
    }
    return rc;
}

uint32_t
cli_granted_days(const libro_credential *auth, const char *type)
{
    size_t i;

    for (i = 0; type != NULL && i < auth->n_grants; i++) {
        if (strcmp(auth->grants[i].id, type) == 0) {
            return auth->grants[i].validity_days;
        }
    }
    return 0;
}

libro_code
cli_issuer_load(struct cli_issuer *is, const char *key_path, const char *passphrase_fd,
                const char *auth_path, const char *charter_path, libro_error *err)
{
    libro_code rc = cli_load_key(&is->signer, key_path, passphrase_fd, err);

    if (rc == LIBRO_OK) {
        rc = cli_read_own_credential(&is->auth, &is->auth_jws, auth_path, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_read_own_credential(&is->community, &is->community_jws, charter_path, err);
    }
    if (rc == LIBRO_OK &&
        (is->auth->type != LIBRO_CRED_ISSUER_AUTH || is->community->type != LIBRO_CRED_CHARTER)) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "--authorization wants an IssuerAuthorization and --community-charter "
                             "a CommunityCharter");
    }
    return rc;
}

void
cli_issuer_clear(struct cli_issuer *is)
{
    libro_key_free(is->signer);
    libro_credential_free(is->auth);
    libro_credential_free(is->community);
    libro_buf_free(&is->auth_jws);
    libro_buf_free(&is->community_jws);
    memset(is, 0, sizeof *is);
}

libro_code
cli_check_community(const libro_credential *auth, const libro_credential *community,
                    libro_error *err)
{
    if (strcmp(auth->issuer, community->subject_id) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the authorization was signed by %.64s, not by the community of "
                               "--community-charter (%.64s)",
                               auth->issuer, community->subject_id);
    }
    return LIBRO_OK;
}

bool
cli_is_url(const char *s)
{
    return s != NULL && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

libro_code
cli_set_status(libro_credential *c, const char *base, uint32_t list, uint32_t index,
               libro_error *err)
{
    libro_buf rev = LIBRO_BUF_INIT;
    libro_buf sus = LIBRO_BUF_INIT;
    size_t len = strlen(base);
    libro_code rc;

    while (len > 0 && base[len - 1] == '/') {
        len--;
    }
    if (len > INT32_MAX) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "--status-url-base is too long");
    }
    rc = libro_buf_printf(&rev, err, "%.*s/%u/revocation", (int) len, base, (unsigned) list);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&sus, err, "%.*s/%u/suspension", (int) len, base, (unsigned) list);
    }
    if (rc == LIBRO_OK) {
        libro_free(c->status_revocation_list);
        libro_free(c->status_suspension_list);
        c->status_revocation_list = (char *) rev.data;
        c->status_suspension_list = (char *) sus.data;
        rev = (libro_buf) LIBRO_BUF_INIT; /* moved into c */
        sus = (libro_buf) LIBRO_BUF_INIT;
        c->status_index = index;
        c->has_status = true;
    }
    libro_buf_free(&rev);
    libro_buf_free(&sus);
    return rc;
}

libro_code
cli_sign_credential(libro_buf *jws, const libro_credential *c, const libro_key *signer,
                    libro_error *err)
{
    return libro_issuer_sign(jws, c, signer, err);
}

libro_code
cli_write_credential(const char *out_path, const libro_buf *jws, const libro_credential *c,
                     libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    libro_buf file = LIBRO_BUF_INIT;
    libro_code rc = libro_buf_append(&file, jws->data, jws->len, err);

    /* Files end with a newline; the token itself (as registries store it) does not. */
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&file, "\n", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_write_output(out_path, file.data, file.len, err);
    }
    if (rc == LIBRO_OK && libro_time_format(from, c->valid_from, err) == LIBRO_OK &&
        libro_time_format(until, c->valid_until, err) == LIBRO_OK) {
        fprintf(stderr, "libro: issued %s for %s (%s .. %s) -> %s\n", libro_cred_type_name(c->type),
                c->type == LIBRO_CRED_LICENSE ? c->license_number : c->subject_id, from, until,
                out_path);
    }
    libro_buf_free(&file);
    return rc;
}

libro_code
cli_sign_and_write(libro_buf *jws, const libro_credential *c, const libro_key *signer,
                   const char *out_path, libro_error *err)
{
    libro_code rc = cli_sign_credential(jws, c, signer, err);

    if (rc == LIBRO_OK) {
        rc = cli_write_credential(out_path, jws, c, err);
    }
    return rc;
}

libro_code
cli_write_qr_png(const char *path, const libro_buf *jws, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    size_t len = jws->len;
    int version = 0;
    libro_code rc;

    while (len > 0 && jws->data[len - 1] == '\n') {
        len--;
    }
    rc = libro_lb1_encode(&text, (const char *) jws->data, len, err);
    if (rc == LIBRO_OK) {
        rc = libro_qr_render(&png, &version, (const char *) text.data, text.len, LIBRO_QR_PNG, &opt,
                             err);
    }
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
