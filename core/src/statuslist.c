/* libro: W3C Bitstring Status List v1.0 (§ numbers are that Recommendation's).
 *
 * The bitstring is statusSize 1: one bit per license, index 0 the left-most bit, i.e. the
 * most significant bit of the first byte (§2.2 encodedList, §7.1). encodedList is 'u' +
 * base64url without padding of one GZIP member (§3.3); the GZIP adapter is gzip.c.
 *
 * Decoding is bounded before each step, since a status list comes from the network: the text
 * length, the multibase prefix, strict base64url, the GZIP magic, then an inflate that stops
 * one byte past 1 MiB (a 256 KiB text could otherwise expand to over 200 MiB), then the
 * §3.2 minimum of 131,072 entries. The credential parser is as strict as credential.c: exact
 * member sets, fixed @context / type, libro's one timestamp form, and the same URL rule as
 * the credentialStatus entries that point at a list (credential_int.h). */
#include <stdio.h>
#include <string.h>

#include "credential_int.h"
#include "crypto_int.h"
#include "gzip_int.h"
#include "libro/credential.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "statuslist_int.h"

#define MULTIBASE_B64URL 'u'
#define TIMESTAMP_MS_LEN 24u /* YYYY-MM-DDTHH:MM:SS.mmmZ */
#define MIN_BYTES (LIBRO_STATUS_LIST_MIN_ENTRIES / 8u)
#define MAX_BYTES (LIBRO_STATUS_LIST_MAX_ENTRIES / 8u)
/* The payload cap: the longest encodedList plus room for every other member (ids of at most
 * 200 bytes, fixed strings), so that the JSON cap never refuses a list the decoder would
 * take. */
#define MAX_PAYLOAD_BYTES LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES
_Static_assert(LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES >= LIBRO_STATUS_LIST_MAX_ENCODED_BYTES + 4096u,
               "the payload cap must hold the longest encodedList and the other members");
/* base64url of the largest payload, a 1 KiB header (1366 characters), two dots and a
 * 64-byte signature (86) fit the token cap. */
_Static_assert(LIBRO_MAX_STATUS_LIST_TOKEN_BYTES >=
                   (LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES + 2u) / 3u * 4u + 1366u + 2u + 86u,
               "the token cap must hold the largest payload");
#define PATH_BYTES 96u

const char *
libro_status_purpose_name(libro_status_purpose p)
{
    switch (p) {
    case LIBRO_STATUS_REVOCATION:
        return "revocation";
    case LIBRO_STATUS_SUSPENSION:
        return "suspension";
    case LIBRO_STATUS_MESSAGE:
        return "message";
    }
    return NULL;
}

unsigned
libro_status_purpose_size(libro_status_purpose p)
{
    switch (p) {
    case LIBRO_STATUS_REVOCATION:
    case LIBRO_STATUS_SUSPENSION:
        return 1;
    case LIBRO_STATUS_MESSAGE:
        return LIBRO_STATUS_MESSAGE_SIZE;
    }
    return 0;
}

/* §2.1 statusMessage: "status" is the value in hexadecimal prefixed with 0x; "message" is for
 * developers, so plain lowercase words; "undefined" is the spec's word for a value that is
 * not defined yet. One table, a row per word set (libro_status_words): licenses, then
 * mandates (docs/formats.md, "Status words"). */
static const char *const words[][LIBRO_STATUS_MESSAGE_COUNT] = {
    [LIBRO_WORDS_LICENSE] = {"active", "surrendered", "lapsed", "undefined"},
    [LIBRO_WORDS_MANDATE] = {"in office", "resigned", "recalled", "replaced"},
};
static const char *const word_status[LIBRO_STATUS_MESSAGE_COUNT] = {"0x0", "0x1", "0x2", "0x3"};

const char *
libro_status_words_message(libro_status_words set, unsigned w)
{
    if ((unsigned) set >= LIBRO_NELEM(words) || w >= LIBRO_STATUS_MESSAGE_COUNT) {
        return NULL;
    }
    return words[set][w];
}

const char *
libro_status_word_message(unsigned w)
{
    return libro_status_words_message(LIBRO_WORDS_LICENSE, w);
}

json_t *
libro_statuslist__messages_json(libro_status_words set)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < LIBRO_STATUS_MESSAGE_COUNT; i++) {
        const char *message = libro_status_words_message(set, (unsigned) i);

        if (message == NULL ||
            json_array_append_new(
                arr, json_pack("{s:s, s:s}", "status", word_status[i], "message", message)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static bool
string_is(json_t *v, const char *want)
{
    return json_is_string(v) && json_string_length(v) == strlen(want) &&
           memcmp(json_string_value(v), want, strlen(want)) == 0;
}

static bool
messages_are(json_t *v, libro_status_words set)
{
    size_t i;

    if (!json_is_array(v) || json_array_size(v) != LIBRO_STATUS_MESSAGE_COUNT) {
        return false;
    }
    for (i = 0; i < LIBRO_STATUS_MESSAGE_COUNT; i++) {
        json_t *m = json_array_get(v, i);

        if (!json_is_object(m) || json_object_size(m) != 2 ||
            !string_is(json_object_get(m, "status"), word_status[i]) ||
            !string_is(json_object_get(m, "message"),
                       libro_status_words_message(set, (unsigned) i))) {
            return false;
        }
    }
    return true;
}

/* An array of one message per value: what either word set is. */
static bool
messages_are_shaped(json_t *v)
{
    return json_is_array(v) && json_array_size(v) == LIBRO_STATUS_MESSAGE_COUNT;
}

const char *
libro_statuslist__messages_problem(json_t *v, libro_status_words set)
{
    if (!messages_are_shaped(v)) {
        return "not an array of 4 entries (statusSize 2)";
    }
    if (messages_are(v, set)) {
        return NULL;
    }
    return set == LIBRO_WORDS_MANDATE
               ? "not libro's mandate messages 0x0 in office, 0x1 resigned, 0x2 recalled, 0x3 "
                 "replaced"
               : "not libro's messages 0x0 active, 0x1 surrendered, 0x2 lapsed, 0x3 undefined";
}

/* ---- the bitstring ------------------------------------------------------------------------ */

libro_code
libro_bitstring_new(libro_bitstring *out, size_t n_entries, libro_error *err)
{
    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: out is NULL");
    }
    memset(out, 0, sizeof *out);
    if (n_entries == 0 || n_entries % 8 != 0 || n_entries > LIBRO_STATUS_LIST_MAX_ENTRIES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "statuslist: %zu entries is not a multiple of 8 in 8..%u", n_entries,
                               LIBRO_STATUS_LIST_MAX_ENTRIES);
    }
    out->bits = libro_calloc(n_entries / 8, 1);
    if (out->bits == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    out->n_entries = n_entries;
    return LIBRO_OK;
}

void
libro_bitstring_free(libro_bitstring *b)
{
    if (b == NULL) {
        return;
    }
    libro_free(b->bits);
    b->bits = NULL;
    b->n_entries = 0;
}

bool
libro_bitstring_get(const libro_bitstring *b, size_t index)
{
    if (b == NULL || b->bits == NULL || index >= b->n_entries) {
        return false;
    }
    return (b->bits[index / 8] & (0x80u >> (index % 8))) != 0;
}

/* Whether status `index` of `size` bits lies inside `b`, without overflow. */
static bool
status_inside(const libro_bitstring *b, size_t index, unsigned size)
{
    return b != NULL && b->bits != NULL && size >= 1 && size <= 8 && index < b->n_entries / size;
}

unsigned
libro_bitstring_get_value(const libro_bitstring *b, size_t index, unsigned status_size)
{
    unsigned value = 0;
    unsigned i;

    if (!status_inside(b, index, status_size)) {
        return 0;
    }
    for (i = 0; i < status_size; i++) {
        value = value << 1 | (libro_bitstring_get(b, index * status_size + i) ? 1u : 0u);
    }
    return value;
}

void
libro_bitstring_set_value(libro_bitstring *b, size_t index, unsigned status_size, unsigned value)
{
    unsigned i;

    if (!status_inside(b, index, status_size) || value >> status_size != 0) {
        return;
    }
    for (i = 0; i < status_size; i++) {
        libro_bitstring_set(b, index * status_size + i, (value >> (status_size - 1 - i) & 1u) != 0);
    }
}

void
libro_bitstring_set(libro_bitstring *b, size_t index, bool value)
{
    unsigned char mask;

    if (b == NULL || b->bits == NULL || index >= b->n_entries) {
        return;
    }
    mask = (unsigned char) (0x80u >> (index % 8));
    if (value) {
        b->bits[index / 8] |= mask;
    } else {
        b->bits[index / 8] &= (unsigned char) ~mask;
    }
}

static bool
bitstring_ok(const libro_bitstring *b)
{
    return b != NULL && b->bits != NULL && b->n_entries != 0 && b->n_entries % 8 == 0 &&
           b->n_entries <= LIBRO_STATUS_LIST_MAX_ENTRIES;
}

libro_code
libro_bitstring_encode(libro_buf *out, const libro_bitstring *b, libro_error *err)
{
    libro_buf gz = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    const char prefix = MULTIBASE_B64URL;
    libro_code rc;

    if (out == NULL || !bitstring_ok(b)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: bad bitstring");
    }
    rc = libro_gzip__compress(&gz, b->bits, b->n_entries / 8, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&text, &prefix, 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(&text, gz.data, gz.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, text.data, text.len, err);
    }
    libro_buf_free(&text);
    libro_buf_free(&gz);
    return rc;
}

/* The multibase prefixes other than 'u' (multibase table: base2 '0' … base64urlpad 'U'):
 * text in another base is a different encoding, not a malformed one. */
static bool
other_multibase(char c)
{
    return c != '\0' && strchr("079fFvVtTbBcChkKzZmMUp", c) != NULL;
}

libro_code
libro_bitstring_decode(libro_bitstring *out, const char *text, size_t len, libro_error *err)
{
    libro_buf gz = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || (text == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (len > LIBRO_STATUS_LIST_MAX_ENCODED_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "statuslist: encodedList longer than %u bytes",
                             LIBRO_STATUS_LIST_MAX_ENCODED_BYTES);
        goto out;
    }
    if (len == 0) {
        rc = libro_error_set(err, LIBRO_ERR_ENCODING, "statuslist: encodedList is empty");
        goto out;
    }
    if (text[0] != MULTIBASE_B64URL) {
        rc = other_multibase(text[0])
                 ? libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                                   "statuslist: encodedList multibase prefix '%c' is not 'u' "
                                   "(base64url)",
                                   text[0])
                 : libro_error_set(err, LIBRO_ERR_ENCODING,
                                   "statuslist: encodedList has no multibase prefix 'u'");
        goto out;
    }
    rc = libro_b64url_decode(&gz, text + 1, len - 1, err);
    if (rc == LIBRO_OK) {
        rc = libro_gzip__decompress(&raw, gz.data, gz.len, MAX_BYTES, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "statuslist: encodedList");
        goto out;
    }
    if (raw.len < MIN_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "statuslist: encodedList: %zu bytes of bits, fewer than %u (%u "
                             "entries)",
                             raw.len, MIN_BYTES, LIBRO_STATUS_LIST_MIN_ENTRIES);
        goto out;
    }
    out->n_entries = raw.len * 8;
    out->bits = libro_buf_detach(&raw, NULL);
out:
    libro_buf_free(&raw);
    libro_buf_free(&gz);
    return rc;
}

/* ---- the status list credential ---------------------------------------------------------- */

void
libro_status_list_free(libro_status_list *s)
{
    if (s == NULL) {
        return;
    }
    libro_free(s->id);
    libro_free(s->issuer);
    libro_bitstring_free(&s->bits);
    memset(s, 0, sizeof *s);
}

static libro_code
fail(libro_error *err, libro_code code, const char *path, const char *what)
{
    return libro_error_set(err, code, "statuslist: %s: %s", path, what);
}

static libro_code
check_time(int64_t t, const char *path, libro_error *err)
{
    char text[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(text, t, NULL) != LIBRO_OK) {
        return fail(err, LIBRO_ERR_TIME, path, "outside the years 0001-9999");
    }
    return LIBRO_OK;
}

/* The envelope rules sign and parse share. The id is a URL, so it holds no '#' and
 * "<id>#list" names the subject unambiguously. */
static libro_code
check_envelope(const libro_status_list *s, libro_error *err)
{
    const char *problem = libro_credential__url_problem(s->id);
    libro_code rc;

    if (problem != NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, "id", problem);
    }
    problem = libro_credential__id_problem(s->issuer);
    if (problem != NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, "issuer", problem);
    }
    rc = check_time(s->valid_from, "validFrom", err);
    if (rc == LIBRO_OK) {
        rc = check_time(s->valid_until, "validUntil", err);
    }
    if (rc == LIBRO_OK && s->valid_from_millis > 999) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "validFrom", "milliseconds not below 1000");
    }
    if (rc == LIBRO_OK && s->valid_from >= s->valid_until) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "validUntil", "not after validFrom");
    }
    return rc;
}

/* What sign refuses to write, so that it never signs what parse would refuse. */
libro_code
libro_status_list__check_publishable(const libro_status_list *s, libro_error *err)
{
    libro_code rc = check_envelope(s, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (libro_status_purpose_name(s->purpose) == NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.statusPurpose",
                    "not revocation, suspension or message");
    }
    if (libro_status_words_message(s->words, 0) == NULL ||
        (s->purpose != LIBRO_STATUS_MESSAGE && s->words != LIBRO_WORDS_LICENSE)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.statusMessage",
                    "words set on a list that is not a message list, or unknown words");
    }
    if (!bitstring_ok(&s->bits) ||
        s->bits.n_entries / libro_status_purpose_size(s->purpose) < LIBRO_STATUS_LIST_MIN_ENTRIES) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.encodedList",
                    "not a bitstring of 131072 to 8388608 entries");
    }
    return LIBRO_OK;
}

/* ---- parser ------------------------------------------------------------------------------- */

static const char *const envelope_members[] = {
    "@context", "id", "type", "issuer", "validFrom", "validUntil", "credentialSubject",
};
static const char *const subject_members[] = {"id", "type", "statusPurpose", "encodedList"};
static const char *const message_subject_members[] = {
    "id", "type", "statusPurpose", "encodedList", "statusSize", "statusMessage",
};

/* `obj` must be an object with exactly the members `names` (all required): unknown ones are
 * reported in document order, then missing ones in spec order. */
static libro_code
check_members(json_t *obj, const char *path, const char *const *names, size_t n, libro_error *err)
{
    char shown[65];
    char sub[PATH_BYTES];
    const char *key;
    json_t *v;
    size_t i;

    if (!json_is_object(obj)) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not an object");
    }
    json_object_foreach(obj, key, v)
    {
        for (i = 0; i < n && strcmp(key, names[i]) != 0; i++) {
        }
        if (i == n) {
            libro_key__shown(shown, key, strlen(key));
            if (snprintf(sub, sizeof sub, "%s%s%s", path, path[0] == '\0' ? "" : ".", shown) < 0) {
                sub[0] = '\0';
            }
            return fail(err, LIBRO_ERR_SCHEMA, sub, "unexpected member");
        }
    }
    for (i = 0; i < n; i++) {
        if (json_object_get(obj, names[i]) == NULL) {
            if (snprintf(sub, sizeof sub, "%s%s%s", path, path[0] == '\0' ? "" : ".", names[i]) <
                0) {
                sub[0] = '\0';
            }
            return fail(err, LIBRO_ERR_SCHEMA, sub, "missing");
        }
    }
    return LIBRO_OK;
}

static libro_code
expect_string(json_t *v, const char *path, const char *want, libro_error *err)
{
    char what[PATH_BYTES];

    if (json_is_string(v) && json_string_length(v) == strlen(want) &&
        strcmp(json_string_value(v), want) == 0) {
        return LIBRO_OK;
    }
    if (snprintf(what, sizeof what, "expected \"%s\"", want) < 0) {
        what[0] = '\0';
    }
    return fail(err, LIBRO_ERR_SCHEMA, path, what);
}

/* A string member without an embedded NUL (jansson allows \u0000 in strings; the bounded
 * loader already refuses it, this keeps the copy exact whatever the loader does). */
static libro_code
get_string(char **out, json_t *obj, const char *name, const char *path, libro_error *err)
{
    json_t *v = json_object_get(obj, name);

    if (!json_is_string(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not a string");
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "contains a NUL character");
    }
    *out = libro_strndup(json_string_value(v), json_string_length(v));
    return *out == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
}

/* Only the form libro writes, so that every accepted document re-serializes to itself. */
/* A time of the form YYYY-MM-DDTHH:MM:SSZ, or (when `millis` is not NULL) also
 * YYYY-MM-DDTHH:MM:SS.mmmZ: exactly what sign writes, so that it reads back the same. */
static libro_code
get_time(int64_t *out, unsigned *millis, json_t *root, const char *name, libro_error *err)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    const char *form = millis == NULL ? "not of the form YYYY-MM-DDTHH:MM:SSZ"
                                      : "not of the form YYYY-MM-DDTHH:MM:SS[.mmm]Z";
    char back[LIBRO_TIME_MS_TEXT_MAX];
    json_t *v = json_object_get(root, name);
    const char *s;
    size_t len;
    int64_t ms = 0;
    size_t i;

    if (!json_is_string(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, name, "not a string");
    }
    s = json_string_value(v);
    len = json_string_length(v);
    if (len != TIMESTAMP_LEN && (millis == NULL || len != TIMESTAMP_MS_LEN)) {
        return fail(err, LIBRO_ERR_TIME, name, form);
    }
    for (i = 0; i < len; i++) {
        char want = i == len - 1 ? 'Z' : shape[i];

        if (want == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != want) {
            return fail(err, LIBRO_ERR_TIME, name, form);
        }
    }
    if (libro_time_parse_ms(&ms, s, len, NULL) != LIBRO_OK) {
        return fail(err, LIBRO_ERR_TIME, name, "not a valid date and time");
    }
    *out = ms / 1000;
    /* 23:59:60 parses as the next second and would not write back the same. */
    if (libro_time_format_ms(back, ms, NULL) != LIBRO_OK ||
        memcmp(back, s, TIMESTAMP_LEN - 1) != 0) {
        return fail(err, LIBRO_ERR_TIME, name, "leap second not accepted");
    }
    if (millis != NULL) {
        *millis = (unsigned) (ms % 1000);
    }
    return LIBRO_OK;
}

static libro_code
parse_fixed(json_t *root, libro_error *err)
{
    json_t *ctx = json_object_get(root, "@context");
    json_t *ty = json_object_get(root, "type");
    libro_code rc;

    if (!json_is_array(ctx) || json_array_size(ctx) != 1) {
        return fail(err, LIBRO_ERR_SCHEMA, "@context", "not an array of 1 entry");
    }
    rc = expect_string(json_array_get(ctx, 0), "@context[0]", CONTEXT_VC, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!json_is_array(ty) || json_array_size(ty) != 2) {
        return fail(err, LIBRO_ERR_SCHEMA, "type", "not an array of 2 entries");
    }
    rc = expect_string(json_array_get(ty, 0), "type[0]", VC_TYPE, err);
    if (rc == LIBRO_OK) {
        rc = expect_string(json_array_get(ty, 1), "type[1]", LIST_CRED_TYPE, err);
    }
    return rc;
}

static libro_code
parse_subject(libro_status_list *s, json_t *subject, libro_error *err)
{
    static const char sp[] = "credentialSubject";
    json_t *purpose = json_object_get(subject, "statusPurpose");
    json_t *encoded;
    char *id = NULL;
    const char *problem;
    bool message = string_is(purpose, "message");
    bool id_ok;
    libro_code rc;

    rc = message ? check_members(subject, sp, message_subject_members,
                                 LIBRO_NELEM(message_subject_members), err)
                 : check_members(subject, sp, subject_members, LIBRO_NELEM(subject_members), err);
    if (rc == LIBRO_OK) {
        rc = get_string(&id, subject, "id", "credentialSubject.id", err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* §2.2 leaves the subject id free; libro writes "<id>#list" and reads nothing else. */
    id_ok = strlen(id) == strlen(s->id) + sizeof LIST_FRAGMENT - 1 &&
            strncmp(id, s->id, strlen(s->id)) == 0 &&
            strcmp(id + strlen(s->id), LIST_FRAGMENT) == 0;
    if (!id_ok) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.id",
                  "not the credential id + \"#list\"");
        goto out;
    }
    rc = expect_string(json_object_get(subject, "type"), "credentialSubject.type", LIST_TYPE, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (message) {
        s->purpose = LIBRO_STATUS_MESSAGE;
    } else if (json_is_string(purpose) && strcmp(json_string_value(purpose), "revocation") == 0 &&
               json_string_length(purpose) == sizeof "revocation" - 1) {
        s->purpose = LIBRO_STATUS_REVOCATION;
    } else if (json_is_string(purpose) && strcmp(json_string_value(purpose), "suspension") == 0 &&
               json_string_length(purpose) == sizeof "suspension" - 1) {
        s->purpose = LIBRO_STATUS_SUSPENSION;
    } else {
        /* §2.2 allows several purposes and others ("refresh"): libro publishes one list per
         * purpose, revocation, suspension or message, so anything else is not ours. */
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.statusPurpose",
                  "not \"revocation\", \"suspension\" or \"message\"");
        goto out;
    }
    if (message) {
        json_t *size = json_object_get(subject, "statusSize");

        if (!json_is_integer(size) || json_integer_value(size) != LIBRO_STATUS_MESSAGE_SIZE) {
            rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.statusSize", "not the integer 2");
            goto out;
        }
        /* A list carries one of the two word sets: the license words, or the mandate words
         * (a registry publishes mandates in lists of their own). */
        problem = libro_statuslist__messages_problem(json_object_get(subject, "statusMessage"),
                                                     LIBRO_WORDS_LICENSE);
        if (problem != NULL &&
            libro_statuslist__messages_problem(json_object_get(subject, "statusMessage"),
                                               LIBRO_WORDS_MANDATE) == NULL) {
            s->words = LIBRO_WORDS_MANDATE;
            problem = NULL;
        }
        if (problem != NULL && messages_are_shaped(json_object_get(subject, "statusMessage"))) {
            problem = "not libro's messages (0x0 active, 0x1 surrendered, 0x2 lapsed, 0x3 "
                      "undefined) nor its mandate messages (in office, resigned, recalled, "
                      "replaced)";
        }
        if (problem != NULL) {
            rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.statusMessage", problem);
            goto out;
        }
    }
    encoded = json_object_get(subject, "encodedList");
    if (!json_is_string(encoded)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.encodedList", "not a string");
        goto out;
    }
    rc = libro_bitstring_decode(&s->bits, json_string_value(encoded), json_string_length(encoded),
                                err);
    /* §3.2 step 10: the length divided by statusSize, at least the minimum. */
    if (rc == LIBRO_OK &&
        s->bits.n_entries / libro_status_purpose_size(s->purpose) < LIBRO_STATUS_LIST_MIN_ENTRIES) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "statuslist: encodedList: %zu statuses of %u bits, fewer than %u",
                             s->bits.n_entries / libro_status_purpose_size(s->purpose),
                             libro_status_purpose_size(s->purpose), LIBRO_STATUS_LIST_MIN_ENTRIES);
    }
out:
    libro_free(id);
    return rc;
}

libro_code
libro_status_list_parse(libro_status_list *out, const void *p, size_t len, libro_error *err)
{
    static const libro_json_limits lim = {1, MAX_PAYLOAD_BYTES, LIBRO_MAX_JSON_DEPTH};
    libro_status_list s;
    json_t *root = NULL;
    libro_code rc;

    memset(&s, 0, sizeof s);
    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: NULL argument");
    }
    memset(out, 0, sizeof *out);
    rc = libro_json__load(&root, p, len, &lim, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "statuslist");
        goto out;
    }
    rc = check_members(root, "", envelope_members, LIBRO_NELEM(envelope_members), err);
    if (rc == LIBRO_OK) {
        rc = parse_fixed(root, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&s.id, root, "id", "id", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&s.issuer, root, "issuer", "issuer", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_time(&s.valid_from, &s.valid_from_millis, root, "validFrom", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_time(&s.valid_until, NULL, root, "validUntil", err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Content before the subject, so that a bad id is reported as such and not as a subject
     * id mismatch, and so that no list is inflated for a document already refused. */
    rc = check_envelope(&s, err);
    if (rc == LIBRO_OK) {
        rc = parse_subject(&s, json_object_get(root, "credentialSubject"), err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = s;
    memset(&s, 0, sizeof s); /* moved to caller */
out:
    libro_status_list_free(&s);
    json_decref(root);
    return rc;
}

libro_code
libro_status_list_check(bool *set, const libro_status_list *s, uint32_t index, libro_error *err)
{
    if (set == NULL || s == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: NULL argument");
    }
    *set = false;
    if (s->purpose == LIBRO_STATUS_MESSAGE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "statuslist: a message list has statusSize 2: read its values");
    }
    if (!bitstring_ok(&s->bits)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: list has no bitstring");
    }
    if ((size_t) index >= s->bits.n_entries) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "statuslist: index %u outside the list's %zu entries", index,
                               s->bits.n_entries);
    }
    *set = libro_bitstring_get(&s->bits, index);
    return LIBRO_OK;
}

libro_code
libro_status_list_value(unsigned *value, const libro_status_list *s, uint32_t index,
                        libro_error *err)
{
    unsigned size;

    if (value == NULL || s == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: NULL argument");
    }
    *value = 0;
    size = libro_status_purpose_size(s->purpose);
    if (size == 0 || !bitstring_ok(&s->bits)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "statuslist: list has no bitstring");
    }
    if ((size_t) index >= s->bits.n_entries / size) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "statuslist: index %u outside the list's %zu entries", index,
                               s->bits.n_entries / size);
    }
    *value = libro_bitstring_get_value(&s->bits, index, size);
    return LIBRO_OK;
}
