/* libro: writing and signing a W3C Bitstring Status List credential (the format is described
 * in statuslist.c). Apart from the parser so that a verify-only build (LIBRO_VERIFY_ONLY)
 * carries no signing code. */
#include "credential_int.h"
#include "libro/credential.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "statuslist_int.h"

static json_t *
time_value(int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(text, t, NULL) != LIBRO_OK) {
        return NULL; /* checked before; NULL makes the pack fail rather than guess */
    }
    return json_stringn(text, TIMESTAMP_LEN);
}

/* validFrom to the millisecond: a verifier keeps a list only when strictly newer, so two
 * lists of one second must still be ordered (read your writes, docs/formats.md). */
static json_t *
time_value_ms(int64_t t, unsigned millis)
{
    char text[LIBRO_TIME_MS_TEXT_MAX];

    if (libro_time_format_ms(text, t * 1000 + (int64_t) millis, NULL) != LIBRO_OK) {
        return NULL;
    }
    return json_string(text);
}

/* §2.2: a message list states its statusSize and its messages (the vocabulary's term
 * statusMessage, as in the entries; §2.2's prose spells it "statusMessages"). */
static bool
add_message_members(json_t *root, libro_status_words words)
{
    json_t *subject = json_object_get(root, "credentialSubject");

    return json_object_set_new(subject, "statusSize",
                               json_integer((json_int_t) LIBRO_STATUS_MESSAGE_SIZE)) == 0 &&
           json_object_set_new(subject, "statusMessage", libro_statuslist__messages_json(words)) ==
               0;
}

/* The payload, members in the order of the header comment (json_pack keeps it). */
static libro_code
payload_json(libro_buf *out, const libro_status_list *s, libro_error *err)
{
    libro_buf encoded = LIBRO_BUF_INIT;
    libro_buf subject_id = LIBRO_BUF_INIT;
    json_t *root = NULL;
    libro_code rc;

    rc = libro_bitstring_encode(&encoded, &s->bits, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&subject_id, err, "%s%s", s->id, LIST_FRAGMENT);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    root = json_pack("{s:[s], s:s, s:[s,s], s:s, s:o, s:o, s:{s:s, s:s, s:s, s:s}}", "@context",
                     CONTEXT_VC, "id", s->id, "type", VC_TYPE, LIST_CRED_TYPE, "issuer", s->issuer,
                     "validFrom", time_value_ms(s->valid_from, s->valid_from_millis), "validUntil",
                     time_value(s->valid_until), "credentialSubject", "id",
                     (const char *) subject_id.data, "type", LIST_TYPE, "statusPurpose",
                     libro_status_purpose_name(s->purpose), "encodedList",
                     (const char *) encoded.data);
    if (root == NULL ||
        (s->purpose == LIBRO_STATUS_MESSAGE && !add_message_members(root, s->words))) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = libro_json__dump(out, root, err);
out:
    json_decref(root);
    libro_buf_free(&subject_id);
    libro_buf_free(&encoded);
    return rc;
}

libro_code
libro_status_list_sign(libro_buf *jws_out, const libro_status_list *s,
                       const libro_key *registry_key, libro_error *err)
{
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_code rc;

    if (jws_out == NULL || s == NULL || registry_key == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: NULL argument");
    }
    rc = libro_status_list__check_publishable(s, err);
    if (rc == LIBRO_OK) {
        rc = payload_json(&payload, s, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_kid_for(&kid, s->issuer, registry_key, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws_sign_compact_ex(jws_out, registry_key, (const char *) kid.data, "vc+jwt",
                                       payload.data, payload.len, LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                                       LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, err);
    }
    libro_buf_free(&kid);
    libro_buf_free(&payload);
    return rc;
}
