/* The one publisher of status lists (docs/credentials.md, "Status from cached lists"): the server's
 * lists in memory and `libro registry status` sign by the same rules. A list is valid long enough
 * for a week offline, never past the registry authorization, re-signed when its bits change or long
 * before it ends, and each one is strictly newer than the last (to the millisecond), so a
 * verifier that keeps only newer lists sees every acknowledged write at its next read. */
#include <string.h>

#include "libro/crypto.h"
#include "libro/registry.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "registry_int.h"

static libro_code
check_publish(const libro_key *registry_key, const libro_credential *auth,
              const libro_publish_options *opt, libro_error *err)
{
    int64_t now = opt->now_ms / 1000;

    if (auth->type != LIBRO_CRED_REGISTRY_AUTH || auth->subject_key == NULL ||
        auth->subject_id == NULL || !libro_key_equal_public(auth->subject_key, registry_key)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "publish: the key is not the one the registry authorization "
                               "names");
    }
    if (now < auth->valid_from) {
        return libro_error_set(err, LIBRO_ERR_NOT_YET_VALID,
                               "publish: the registry authorization is not valid yet");
    }
    /* A list must end after it starts: an authorization ending within this second leaves no
     * room for one. */
    if (now + 1 > auth->valid_until) {
        return libro_error_set(err, LIBRO_ERR_EXPIRED,
                               "publish: the registry authorization has ended");
    }
    return LIBRO_OK;
}

bool
libro_registry__published_fresh(const libro_published_list *last, int64_t now_ms)
{
    int64_t window_ms;
    int64_t refresh_ms = (int64_t) LIBRO_STATUS_LIST_REFRESH_SECONDS * 1000;

    if (!last->used) {
        return false;
    }
    window_ms = last->valid_until * 1000 - last->valid_from_ms;
    if (window_ms / 2 < refresh_ms) {
        refresh_ms = window_ms / 2;
    }
    return now_ms < last->valid_from_ms + refresh_ms;
}

/* Whether `last` still answers: the same bits, and young enough that a verifier gets a list
 * with nearly its whole window ahead. */
static bool
still_current(const libro_published_list *last, const unsigned char hash[32], int64_t now_ms)
{
    return last->used && memcmp(last->bits_hash, hash, sizeof last->bits_hash) == 0 &&
           libro_registry__published_fresh(last, now_ms);
}

/* The arguments every publisher checks (all but the registry). */
static libro_code
check_args(libro_buf *jws_out, bool *signed_now, libro_published_list *last,
           const libro_key *registry_key, const libro_credential *authorization,
           const libro_publish_options *opt, libro_error *err)
{
    if (signed_now != NULL) {
        *signed_now = false;
    }
    if (jws_out == NULL || signed_now == NULL || last == NULL || registry_key == NULL ||
        authorization == NULL || opt == NULL || opt->version != LIBRO_PUBLISH_OPTIONS_VERSION ||
        opt->url == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "publish: NULL argument or version");
    }
    if (opt->seconds < LIBRO_STATUS_LIST_MIN_SECONDS ||
        opt->seconds > LIBRO_STATUS_LIST_MAX_SECONDS || opt->now_ms <= 0 ||
        libro_status_purpose_name((libro_status_purpose) opt->purpose) == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "publish: validity must be %u to %u seconds, the time and "
                               "purpose set",
                               LIBRO_STATUS_LIST_MIN_SECONDS, LIBRO_STATUS_LIST_MAX_SECONDS);
    }
    return check_publish(registry_key, authorization, opt, err);
}

/* Sign `bits` unless `last` still answers (the arguments checked). */
static libro_code
publish(libro_buf *jws_out, bool *signed_now, libro_published_list *last,
        const libro_bitstring *bits, const libro_key *registry_key,
        const libro_credential *authorization, const libro_publish_options *opt, libro_error *err)
{
    libro_status_list s = {0};
    libro_buf jws = LIBRO_BUF_INIT;
    unsigned char hash[32];
    libro_code rc;

    rc = libro_sha256(hash, bits->bits, bits->n_entries / 8, err);
    if (rc != LIBRO_OK || still_current(last, hash, opt->now_ms)) {
        goto out;
    }
    if (last->used && opt->now_ms <= last->valid_from_ms) {
        rc = libro_error_set(err, LIBRO_ERR_TIME,
                             "publish: the clock has not passed the last list's validFrom");
        goto out;
    }
    s.purpose = (libro_status_purpose) opt->purpose;
    /* A message list says its entries' words: the mandate words on a mandate list. */
    s.words = opt->mandates && s.purpose == LIBRO_STATUS_MESSAGE ? LIBRO_WORDS_MANDATE
                                                                 : LIBRO_WORDS_LICENSE;
    s.valid_from = opt->now_ms / 1000;
    s.valid_from_millis = (unsigned) (opt->now_ms % 1000);
    s.valid_until = s.valid_from + (int64_t) opt->seconds;
    /* No list outlives the authorization of the key that signs it: a verifier would refuse it
     * then anyway, and an honest date says when to fetch the next. */
    if (s.valid_until > authorization->valid_until) {
        s.valid_until = authorization->valid_until;
    }
    s.id = libro_strndup(opt->url, strlen(opt->url));
    s.issuer = libro_strndup(authorization->subject_id, strlen(authorization->subject_id));
    if (s.id == NULL || s.issuer == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Borrowed: the list is signed from the caller's bits, and not freed with `s`. */
    s.bits = *bits;
    rc = libro_status_list_sign(&jws, &s, registry_key, err);
    memset(&s.bits, 0, sizeof s.bits);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(jws_out, jws.data, jws.len, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    last->used = true;
    last->valid_from_ms = opt->now_ms;
    last->valid_until = s.valid_until;
    memcpy(last->bits_hash, hash, sizeof hash);
    *signed_now = true;
out:
    libro_buf_free(&jws);
    libro_status_list_free(&s);
    return rc;
}

libro_code
libro_registry__publish_bits(libro_buf *jws_out, bool *signed_now, libro_published_list *last,
                             const libro_bitstring *bits, const libro_key *registry_key,
                             const libro_credential *authorization,
                             const libro_publish_options *opt, libro_error *err)
{
    libro_code rc = check_args(jws_out, signed_now, last, registry_key, authorization, opt, err);

    if (rc == LIBRO_OK && (bits == NULL || bits->bits == NULL)) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "publish: NULL argument or version");
    }
    if (rc == LIBRO_OK) {
        rc = publish(jws_out, signed_now, last, bits, registry_key, authorization, opt, err);
    }
    return rc;
}

libro_code
libro_registry_publish_list(libro_buf *jws_out, bool *signed_now, libro_published_list *last,
                            libro_registry *r, const libro_key *registry_key,
                            const libro_credential *authorization, const libro_publish_options *opt,
                            libro_error *err)
{
    libro_bitstring bits = {NULL, 0};
    libro_code rc = check_args(jws_out, signed_now, last, registry_key, authorization, opt, err);

    if (rc == LIBRO_OK && r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "publish: NULL argument or version");
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry__status_bits_in(
            r, opt->mandates ? LIBRO_SPACE_MANDATES : LIBRO_SPACE_LICENSES, &bits, opt->list,
            opt->purpose, err);
    }
    if (rc == LIBRO_OK) {
        rc = publish(jws_out, signed_now, last, &bits, registry_key, authorization, opt, err);
    }
    libro_bitstring_free(&bits);
    return rc;
}
