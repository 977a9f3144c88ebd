/* libro: consent steps and records (libro/consent.h, docs/formats.md "Consent steps"). A step
 * is parsed strictly (the members of its kind, nothing else), checked by one function that the
 * writer runs too, and verified against the did:key of its signer, which the kid names: a
 * step needs no key from elsewhere, and whether its signer could act is the state machine's
 * (consent_run.c), from the mandates. */
#include <stdio.h>
#include <string.h>

#include "credential_int.h"
#include "crypto_int.h"
#include "libro/consent.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"

#define DID_KEY_PREFIX "did:key:"
#define PATH_BYTES 64u

static const char *const kind_names[] = {NULL,   "propose",  "amend", "respond",
                                         "rule", "withdraw", "round"};

const char *
libro_step_kind_name(libro_step_kind kind)
{
    return kind >= LIBRO_STEP_PROPOSE && kind <= LIBRO_STEP_ROUND ? kind_names[kind] : NULL;
}

void
libro_step_free(libro_step *s)
{
    if (s == NULL) {
        return;
    }
    libro_free(s->process);
    libro_free(s->prev);
    libro_free(s->by);
    libro_free(s->title);
    libro_free(s->aim);
    libro_free(s->text);
    libro_free(s->supersedes);
    libro_credential__free_list(s->answers, s->n_answers);
    libro_free(s->harm);
    libro_free(s->reason);
    libro_free(s->objection);
    libro_free(s);
}

static libro_code
fail(libro_error *err, const char *path, const char *what)
{
    return libro_error_set(err, LIBRO_ERR_SCHEMA, "step: %s: %s", path, what);
}

/* ---- content rules (the parser's and the writer's) --------------------------------------- */

static libro_code
check_text(const char *s, size_t max, bool lines, const char *path, libro_error *err)
{
    const char *problem = libro_credential__text_problem(s, max, lines);
    char what[48];

    if (problem != NULL && strcmp(problem, "too long") == 0) {
        problem = snprintf(what, sizeof what, "longer than %zu bytes", max) > 0 ? what : problem;
    }
    return problem == NULL ? LIBRO_OK : fail(err, path, problem);
}

static libro_code
check_hash(const char *s, const char *path, libro_error *err)
{
    if (s == NULL) {
        return fail(err, path, "missing");
    }
    return libro_hash_ref_ok(s, strlen(s))
               ? LIBRO_OK
               : fail(err, path, "not \"sha256:\" and 64 lowercase hex digits");
}

static libro_code
check_number(uint32_t v, uint32_t min, uint32_t max, const char *path, libro_error *err)
{
    char what[48];

    if (v < min || v > max) {
        return fail(err, path,
                    snprintf(what, sizeof what, "not in %u..%u", (unsigned) min, (unsigned) max) > 0
                        ? what
                        : "out of range");
    }
    return LIBRO_OK;
}

static libro_code
check_time(int64_t t, const char *path, libro_error *err)
{
    char text[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(text, t, NULL) != LIBRO_OK) {
        return libro_error_set(err, LIBRO_ERR_TIME, "step: %s: outside the years 0001-9999", path);
    }
    return LIBRO_OK;
}

/* Members the kind does not use are empty, so that what is written is all there is. */
static libro_code
check_unused(const libro_step *s, libro_error *err)
{
    bool text = s->kind == LIBRO_STEP_PROPOSE || s->kind == LIBRO_STEP_AMEND;
    bool numbered = s->kind == LIBRO_STEP_RESPOND || s->kind == LIBRO_STEP_ROUND;
    bool respond = s->kind == LIBRO_STEP_RESPOND;
    bool names = s->kind == LIBRO_STEP_RULE || s->kind == LIBRO_STEP_WITHDRAW;
    const struct {
        bool stray;
        const char *path;
    } members[] = {
        {!text && (s->title != NULL || s->aim != NULL || s->text != NULL || s->review_date != 0),
         "title"},
        {s->kind != LIBRO_STEP_PROPOSE && s->supersedes != NULL, "supersedes"},
        {s->kind != LIBRO_STEP_AMEND && (s->answers != NULL || s->n_answers != 0), "answers"},
        {!numbered && (s->version != 0 || s->round != 0), "version"},
        {!respond && (s->response != 0 || s->harm != NULL), "response"},
        {!(respond || s->kind == LIBRO_STEP_RULE) && s->reason != NULL, "reason"},
        {!names && s->objection != NULL, "objection"},
        {s->kind != LIBRO_STEP_RULE && s->ruling != 0, "ruling"},
    };
    size_t i;

    for (i = 0; i < LIBRO_NELEM(members); i++) {
        if (members[i].stray) {
            return libro_error_set(err, LIBRO_ERR_SCHEMA, "step: %s: not a member of a %s step",
                                   members[i].path, libro_step_kind_name(s->kind));
        }
    }
    return LIBRO_OK;
}

static libro_code
check_by(const char *by, libro_error *err)
{
    unsigned char pub[32];
    const char *problem = libro_credential__id_problem(by);
    libro_code rc;

    if (problem != NULL) {
        return fail(err, "by", problem);
    }
    rc = strncmp(by, DID_KEY_PREFIX, sizeof DID_KEY_PREFIX - 1) == 0
             ? libro_key__did_decode(pub, by, strlen(by), err)
             : LIBRO_ERR_BAD_KEY;
    if (rc != LIBRO_OK && rc != LIBRO_ERR_NOMEM) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "step: by: not an Ed25519 did:key");
    }
    return rc;
}

static libro_code
check_kind(const libro_step *s, libro_error *err)
{
    char path[PATH_BYTES];
    size_t i;
    size_t j;
    libro_code rc = LIBRO_OK;

    switch (s->kind) {
    case LIBRO_STEP_PROPOSE:
    case LIBRO_STEP_AMEND:
        rc = check_text(s->title, LIBRO_MAX_TEXT_BYTES, false, "title", err);
        if (rc == LIBRO_OK) {
            rc = check_text(s->aim, LIBRO_MAX_AIM_BYTES, false, "aim", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_text(s->text, LIBRO_MAX_LAW_TEXT_BYTES, true, "text", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_time(s->review_date, "reviewDate", err);
        }
        if (rc == LIBRO_OK && s->review_date <= s->at) {
            rc = fail(err, "reviewDate", "not after at");
        }
        if (rc == LIBRO_OK && s->supersedes != NULL) {
            rc = check_hash(s->supersedes, "supersedes", err);
        }
        if (rc == LIBRO_OK && s->kind == LIBRO_STEP_AMEND) {
            if (s->n_answers > LIBRO_MAX_ANSWERS || (s->answers == NULL && s->n_answers != 0)) {
                return fail(err, "answers", "more than 64 entries");
            }
            for (i = 0; rc == LIBRO_OK && i < s->n_answers; i++) {
                (void) snprintf(path, sizeof path, "answers[%zu]", i);
                rc = check_hash(s->answers[i], path, err);
                for (j = 0; rc == LIBRO_OK && j < i; j++) {
                    if (strcmp(s->answers[i], s->answers[j]) == 0) {
                        rc = fail(err, path, "duplicate entry");
                    }
                }
            }
        }
        break;
    case LIBRO_STEP_RESPOND:
    case LIBRO_STEP_ROUND:
        rc = check_number(s->version, 1, LIBRO_MAX_ROUNDS, "version", err);
        if (rc == LIBRO_OK) {
            rc = check_number(s->round, 1, LIBRO_MAX_ROUNDS, "round", err);
        }
        if (rc != LIBRO_OK || s->kind == LIBRO_STEP_ROUND) {
            break;
        }
        if (s->response == LIBRO_RESPONSE_CONSENT) {
            if (s->reason != NULL || s->harm != NULL) {
                rc = fail(err, s->reason != NULL ? "reason" : "harm", "only with an objection");
            }
        } else if (s->response == LIBRO_RESPONSE_OBJECT) {
            /* Paramount and reasoned: an objection says why, and how it harms the aim. */
            rc = s->reason == NULL
                     ? fail(err, "reason", "required with an objection")
                     : check_text(s->reason, LIBRO_MAX_REASON_BYTES, true, "reason", err);
            if (rc == LIBRO_OK) {
                rc = s->harm == NULL
                         ? fail(err, "harm", "required with an objection (how it harms the aim)")
                         : check_text(s->harm, LIBRO_MAX_REASON_BYTES, true, "harm", err);
            }
        } else {
            rc = fail(err, "response", "not consent or object");
        }
        break;
    case LIBRO_STEP_RULE:
        rc = check_hash(s->objection, "objection", err);
        if (rc == LIBRO_OK && s->ruling != LIBRO_RULING_VALID && s->ruling != LIBRO_RULING_OUT) {
            rc = fail(err, "ruling", "not valid or out");
        }
        if (rc == LIBRO_OK) {
            rc = s->reason == NULL
                     ? fail(err, "reason", "required (the chair's ruling is written)")
                     : check_text(s->reason, LIBRO_MAX_REASON_BYTES, true, "reason", err);
        }
        break;
    case LIBRO_STEP_WITHDRAW:
        rc = check_hash(s->objection, "objection", err);
        break;
    default:
        rc = fail(err, "kind", "not propose, amend, respond, rule, withdraw or round");
        break;
    }
    return rc;
}

static libro_code
check_step(const libro_step *s, libro_error *err)
{
    const char *problem;
    libro_code rc;

    if (s == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "step: NULL step");
    }
    if (libro_step_kind_name(s->kind) == NULL) {
        return fail(err, "kind", "not propose, amend, respond, rule, withdraw or round");
    }
    rc = check_unused(s, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    problem = libro_credential__id_problem(s->process);
    if (problem != NULL) {
        return fail(err, "process", problem);
    }
    if (s->seq >= LIBRO_MAX_STEPS) {
        return fail(err, "seq", "not below 2000");
    }
    if ((s->seq == 0) != (s->prev == NULL)) {
        return fail(err, "prev", "absent exactly at seq 0");
    }
    if (s->prev != NULL) {
        rc = check_hash(s->prev, "prev", err);
        if (rc != LIBRO_OK) {
            return rc;
        }
    }
    rc = check_time(s->at, "at", err);
    if (rc == LIBRO_OK) {
        rc = check_by(s->by, err);
    }
    if (rc == LIBRO_OK) {
        rc = check_kind(s, err);
    }
    return rc;
}

/* ---- parser ------------------------------------------------------------------------------- */

/* The members each kind has, after the six every step has; a '?' marks an optional one. */
static const char *const common_members[] = {"process", "seq", "prev", "at", "by", "kind"};
static const char *const kind_members[][6] = {
    [LIBRO_STEP_PROPOSE] = {"title", "aim", "text", "reviewDate", "?supersedes", NULL},
    [LIBRO_STEP_AMEND] = {"title", "aim", "text", "reviewDate", "answers", NULL},
    [LIBRO_STEP_RESPOND] = {"version", "round", "response", "?reason", "?harm", NULL},
    [LIBRO_STEP_RULE] = {"objection", "ruling", "reason", NULL, NULL, NULL},
    [LIBRO_STEP_WITHDRAW] = {"objection", NULL, NULL, NULL, NULL, NULL},
    [LIBRO_STEP_ROUND] = {"version", "round", NULL, NULL, NULL, NULL},
};

static bool
member_of(const char *key, libro_step_kind kind)
{
    size_t i;

    for (i = 0; i < LIBRO_NELEM(common_members); i++) {
        if (strcmp(key, common_members[i]) == 0) {
            return true;
        }
    }
    for (i = 0; i < 6 && kind_members[kind][i] != NULL; i++) {
        const char *m = kind_members[kind][i];

        if (strcmp(key, m[0] == '?' ? m + 1 : m) == 0) {
            return true;
        }
    }
    return false;
}

static libro_code
check_members(json_t *root, libro_step_kind kind, libro_error *err)
{
    char shown[65];
    const char *key;
    json_t *v;
    size_t i;

    json_object_foreach(root, key, v)
    {
        if (!member_of(key, kind)) {
            libro_key__shown(shown, key, strlen(key));
            return fail(err, shown, "unexpected member");
        }
    }
    for (i = 0; i < LIBRO_NELEM(common_members); i++) {
        if (i != 2 && json_object_get(root, common_members[i]) == NULL) {
            return fail(err, common_members[i], "missing");
        }
    }
    for (i = 0; i < 6 && kind_members[kind][i] != NULL; i++) {
        const char *m = kind_members[kind][i];

        if (m[0] != '?' && json_object_get(root, m) == NULL) {
            return fail(err, m, "missing");
        }
    }
    return LIBRO_OK;
}

static libro_code
get_string(char **out, json_t *root, const char *name, libro_error *err)
{
    json_t *v = json_object_get(root, name);

    if (v == NULL) {
        return LIBRO_OK;
    }
    if (!json_is_string(v)) {
        return fail(err, name, "not a string");
    }
    *out = libro_strndup(json_string_value(v), json_string_length(v));
    return *out == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
}

static libro_code
get_u32(uint32_t *out, json_t *root, const char *name, uint32_t max, libro_error *err)
{
    json_t *v = json_object_get(root, name);
    char what[48];

    if (!json_is_integer(v)) {
        return fail(err, name, "not an integer");
    }
    if (json_integer_value(v) < 0 || json_integer_value(v) > (json_int_t) max) {
        return fail(err, name,
                    snprintf(what, sizeof what, "not in 0..%u", (unsigned) max) > 0
                        ? what
                        : "out of range");
    }
    *out = (uint32_t) json_integer_value(v);
    return LIBRO_OK;
}

static libro_code
get_time(int64_t *out, json_t *root, const char *name, libro_error *err)
{
    char what[PATH_BYTES];
    json_t *v = json_object_get(root, name);

    if (!json_is_string(v)) {
        return fail(err, name, "not a string");
    }
    (void) snprintf(what, sizeof what, "step: %s", name);
    return libro_credential__time(out, json_string_value(v), json_string_length(v), what, err);
}

static libro_code
get_answers(libro_step *s, json_t *root, libro_error *err)
{
    char path[PATH_BYTES];
    json_t *arr = json_object_get(root, "answers");
    size_t i;

    if (!json_is_array(arr)) {
        return fail(err, "answers", "not an array");
    }
    if (json_array_size(arr) > LIBRO_MAX_ANSWERS) {
        return fail(err, "answers", "more than 64 entries");
    }
    s->answers = libro_calloc(json_array_size(arr) + 1, sizeof *s->answers);
    if (s->answers == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);

        if (!json_is_string(v)) {
            (void) snprintf(path, sizeof path, "answers[%zu]", i);
            return fail(err, path, "not a string");
        }
        s->answers[i] = libro_strndup(json_string_value(v), json_string_length(v));
        if (s->answers[i] == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
        s->n_answers++;
    }
    return LIBRO_OK;
}

/* A string member naming one of `names` (index 1.. into the enum); 0 members absent. */
static libro_code
get_word(int *out, json_t *root, const char *name, const char *const *names, size_t n,
         const char *what, libro_error *err)
{
    json_t *v = json_object_get(root, name);
    size_t i;

    if (!json_is_string(v)) {
        return fail(err, name, "not a string");
    }
    for (i = 1; i < n; i++) {
        if (strlen(names[i]) == json_string_length(v) &&
            strcmp(names[i], json_string_value(v)) == 0) {
            *out = (int) i;
            return LIBRO_OK;
        }
    }
    return fail(err, name, what);
}

static libro_code
parse_kind(libro_step *s, json_t *root, libro_error *err)
{
    static const char *const responses[] = {NULL, "consent", "object"};
    static const char *const rulings[] = {NULL, "valid", "out"};
    int word = 0;
    libro_code rc = LIBRO_OK;

    switch (s->kind) {
    case LIBRO_STEP_PROPOSE:
    case LIBRO_STEP_AMEND:
        rc = get_string(&s->title, root, "title", err);
        if (rc == LIBRO_OK) {
            rc = get_string(&s->aim, root, "aim", err);
        }
        if (rc == LIBRO_OK) {
            rc = get_string(&s->text, root, "text", err);
        }
        if (rc == LIBRO_OK) {
            rc = get_time(&s->review_date, root, "reviewDate", err);
        }
        if (rc == LIBRO_OK) {
            rc = s->kind == LIBRO_STEP_PROPOSE ? get_string(&s->supersedes, root, "supersedes", err)
                                               : get_answers(s, root, err);
        }
        break;
    case LIBRO_STEP_RESPOND:
    case LIBRO_STEP_ROUND:
        rc = get_u32(&s->version, root, "version", LIBRO_MAX_ROUNDS, err);
        if (rc == LIBRO_OK) {
            rc = get_u32(&s->round, root, "round", LIBRO_MAX_ROUNDS, err);
        }
        if (rc == LIBRO_OK && s->kind == LIBRO_STEP_RESPOND) {
            rc = get_word(&word, root, "response", responses, LIBRO_NELEM(responses),
                          "not consent or object", err);
            s->response = (libro_response) word;
        }
        if (rc == LIBRO_OK && s->kind == LIBRO_STEP_RESPOND) {
            rc = get_string(&s->reason, root, "reason", err);
        }
        if (rc == LIBRO_OK && s->kind == LIBRO_STEP_RESPOND) {
            rc = get_string(&s->harm, root, "harm", err);
        }
        break;
    case LIBRO_STEP_RULE:
        rc =
            get_word(&word, root, "ruling", rulings, LIBRO_NELEM(rulings), "not valid or out", err);
        s->ruling = (libro_ruling) word;
        if (rc == LIBRO_OK) {
            rc = get_string(&s->reason, root, "reason", err);
        }
        if (rc == LIBRO_OK) {
            rc = get_string(&s->objection, root, "objection", err);
        }
        break;
    case LIBRO_STEP_WITHDRAW:
        rc = get_string(&s->objection, root, "objection", err);
        break;
    }
    return rc;
}

libro_code
libro_step_parse(libro_step **out, const void *p, size_t len, libro_error *err)
{
    static const libro_json_limits lim = {1, LIBRO_MAX_LAW_PAYLOAD_BYTES, LIBRO_MAX_JSON_DEPTH};
    libro_step *s = NULL;
    json_t *root = NULL;
    int word = 0;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "step: NULL argument");
    }
    *out = NULL;
    rc = libro_json__load(&root, p, len, &lim, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "step");
        goto out;
    }
    if (!json_is_object(root)) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "step: not a JSON object");
        goto out;
    }
    s = libro_calloc(1, sizeof *s);
    if (s == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = get_word(&word, root, "kind", kind_names, LIBRO_NELEM(kind_names),
                  "not propose, amend, respond, rule, withdraw or round", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    s->kind = (libro_step_kind) word;
    rc = check_members(root, s->kind, err);
    if (rc == LIBRO_OK) {
        rc = get_string(&s->process, root, "process", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_u32(&s->seq, root, "seq", LIBRO_MAX_STEPS - 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&s->prev, root, "prev", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_time(&s->at, root, "at", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&s->by, root, "by", err);
    }
    if (rc == LIBRO_OK) {
        rc = parse_kind(s, root, err);
    }
    if (rc == LIBRO_OK) {
        rc = check_step(s, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = s;
    s = NULL; /* moved to caller */
out:
    libro_step_free(s);
    json_decref(root);
    return rc;
}

/* ---- writer ------------------------------------------------------------------------------- */

static json_t *
time_value(int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];

    return libro_time_format(text, t, NULL) == LIBRO_OK ? json_string(text) : NULL;
}

static json_t *
answers_value(const libro_step *s)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < s->n_answers; i++) {
        if (json_array_append_new(arr, json_string(s->answers[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

libro_code
libro_step_to_json(libro_buf *out, const libro_step *s, libro_error *err)
{
    static const char *const responses[] = {NULL, "consent", "object"};
    static const char *const rulings[] = {NULL, "valid", "out"};
    json_t *root = NULL;
    json_t *kind = NULL;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "step: out is NULL");
    }
    rc = check_step(s, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    root = json_pack("{s:s, s:I, s:s*, s:o, s:s, s:s}", "process", s->process, "seq",
                     (json_int_t) s->seq, "prev", s->prev, "at", time_value(s->at), "by", s->by,
                     "kind", libro_step_kind_name(s->kind));
    switch (s->kind) {
    case LIBRO_STEP_PROPOSE:
        kind = json_pack("{s:s, s:s, s:s, s:o, s:s*}", "title", s->title, "aim", s->aim, "text",
                         s->text, "reviewDate", time_value(s->review_date), "supersedes",
                         s->supersedes);
        break;
    case LIBRO_STEP_AMEND:
        kind = json_pack("{s:s, s:s, s:s, s:o, s:o}", "title", s->title, "aim", s->aim, "text",
                         s->text, "reviewDate", time_value(s->review_date), "answers",
                         answers_value(s));
        break;
    case LIBRO_STEP_RESPOND:
        kind = json_pack("{s:I, s:I, s:s, s:s*, s:s*}", "version", (json_int_t) s->version, "round",
                         (json_int_t) s->round, "response", responses[s->response], "reason",
                         s->reason, "harm", s->harm);
        break;
    case LIBRO_STEP_RULE:
        kind = json_pack("{s:s, s:s, s:s}", "objection", s->objection, "ruling", rulings[s->ruling],
                         "reason", s->reason);
        break;
    case LIBRO_STEP_WITHDRAW:
        kind = json_pack("{s:s}", "objection", s->objection);
        break;
    case LIBRO_STEP_ROUND:
        kind = json_pack("{s:I, s:I}", "version", (json_int_t) s->version, "round",
                         (json_int_t) s->round);
        break;
    }
    /* jansson keeps insertion order: the kind's members come after the six common ones. */
    if (root == NULL || kind == NULL || json_object_update(root, kind) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = libro_json__dump(&doc, root, err);
    if (rc == LIBRO_OK && doc.len > LIBRO_MAX_LAW_PAYLOAD_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "step: larger than %u bytes",
                             LIBRO_MAX_LAW_PAYLOAD_BYTES);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, doc.data, doc.len, err);
    }
out:
    libro_buf_free(&doc);
    json_decref(kind);
    json_decref(root);
    return rc;
}

/* ---- verification ------------------------------------------------------------------------- */

libro_code
libro_step_verify(libro_step **out, char hash[LIBRO_HASH_REF_SIZE], const char *token, size_t len,
                  libro_error *err)
{
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    libro_jws *jws = NULL;
    libro_key *k = NULL;
    libro_step *s = NULL;
    const unsigned char *payload;
    const char *kid;
    const char *kid_tp = NULL;
    char *did = NULL;
    size_t id_len = 0;
    size_t payload_len = 0;
    libro_code rc;

    if (out == NULL || (token == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "step: NULL argument");
    }
    *out = NULL;
    if (len > LIBRO_MAX_LAW_TOKEN_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "step: larger than %u bytes",
                               LIBRO_MAX_LAW_TOKEN_BYTES);
    }
    rc = libro_jws_parse_ex(&jws, token, len, LIBRO_MAX_LAW_TOKEN_BYTES,
                            LIBRO_MAX_LAW_PAYLOAD_BYTES, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "step");
        goto out;
    }
    if (!libro_jws_typ_is(libro_jws_typ(jws), LIBRO_CONSENT_TYP)) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "step: typ is not %s", LIBRO_CONSENT_TYP);
        goto out;
    }
    kid = libro_jws_kid(jws);
    if (kid == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "step: no kid");
        goto out;
    }
    rc = libro_kid_split(kid, &id_len, &kid_tp, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "step");
        goto out;
    }
    /* The signer is the did:key the kid names: its key is in its name. */
    did = libro_strndup(kid, id_len);
    if (did == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = strncmp(did, DID_KEY_PREFIX, sizeof DID_KEY_PREFIX - 1) == 0
             ? libro_key_from_did(&k, did, id_len, err)
             : LIBRO_ERR_DENIED;
    if (rc != LIBRO_OK) {
        /* Out of memory is no verdict on the step. */
        if (rc != LIBRO_ERR_NOMEM) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "step: kid does not name an Ed25519 did:key");
        }
        goto out;
    }
    rc = libro_key_thumbprint(tp, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (strcmp(tp, kid_tp) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "step: kid names another key than its did:key");
        goto out;
    }
    rc = libro_jws_verify(jws, k, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "step");
        goto out;
    }
    payload = libro_jws_payload(jws, &payload_len);
    rc = libro_step_parse(&s, payload, payload_len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (strcmp(s->by, did) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "step: by is not the signer (the kid's did)");
        goto out;
    }
    if (hash != NULL) {
        rc = libro_hash_ref(hash, token, len, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    *out = s;
    s = NULL; /* moved to caller */
out:
    libro_step_free(s);
    libro_free(did);
    libro_key_free(k);
    libro_jws_free(jws);
    return rc;
}

/* ---- the record document ------------------------------------------------------------------ */

void
libro_consent_record_free(libro_consent_record *r)
{
    if (r == NULL) {
        return;
    }
    libro_free(r->process);
    libro_credential__free_list(r->steps, r->n_steps);
    libro_credential__free_list(r->mandates, r->n_mandates);
    libro_free(r);
}

static libro_code
get_tokens(char ***out, size_t *n_out, json_t *root, const char *name, size_t min, size_t max,
           size_t max_token, libro_error *err)
{
    json_t *arr = json_object_get(root, name);
    size_t i;

    if (!json_is_array(arr)) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "record: %s: not an array", name);
    }
    if (json_array_size(arr) < min) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "record: %s: empty", name);
    }
    if (json_array_size(arr) > max) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "record: %s: more than %zu entries", name,
                               max);
    }
    *out = libro_calloc(json_array_size(arr) + 1, sizeof **out);
    if (*out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);

        if (!json_is_string(v) || json_string_length(v) == 0) {
            return libro_error_set(err, LIBRO_ERR_SCHEMA, "record: %s[%zu]: not a token", name, i);
        }
        if (json_string_length(v) > max_token) {
            return libro_error_set(err, LIBRO_ERR_LIMIT, "record: %s[%zu]: larger than %zu bytes",
                                   name, i, max_token);
        }
        (*out)[i] = libro_strndup(json_string_value(v), json_string_length(v));
        if ((*out)[i] == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
        (*n_out)++;
    }
    return LIBRO_OK;
}

libro_code
libro_consent_record_parse(libro_consent_record **out, const void *p, size_t len, libro_error *err)
{
    static const libro_json_limits lim = {1, LIBRO_MAX_RECORD_BYTES, LIBRO_MAX_JSON_DEPTH};
    static const char *const members[] = {"process", "steps", "mandates"};
    libro_consent_record *r = NULL;
    json_t *root = NULL;
    json_t *process;
    const char *key;
    json_t *v;
    char shown[65];
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "record: NULL argument");
    }
    *out = NULL;
    rc = libro_json__load(&root, p, len, &lim, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "record");
        goto out;
    }
    if (!json_is_object(root)) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "record: not a JSON object");
        goto out;
    }
    json_object_foreach(root, key, v)
    {
        for (i = 0; i < LIBRO_NELEM(members) && strcmp(key, members[i]) != 0; i++) {
        }
        if (i == LIBRO_NELEM(members)) {
            libro_key__shown(shown, key, strlen(key));
            rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "record: %s: unexpected member", shown);
            goto out;
        }
    }
    r = libro_calloc(1, sizeof *r);
    if (r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    process = json_object_get(root, "process");
    if (!json_is_string(process) ||
        libro_credential__id_problem(json_string_value(process)) != NULL ||
        strlen(json_string_value(process)) != json_string_length(process)) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "record: process: not an id");
        goto out;
    }
    r->process = libro_strndup(json_string_value(process), json_string_length(process));
    if (r->process == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = get_tokens(&r->steps, &r->n_steps, root, "steps", 1, LIBRO_MAX_STEPS,
                    LIBRO_MAX_LAW_TOKEN_BYTES, err);
    if (rc == LIBRO_OK) {
        rc = get_tokens(&r->mandates, &r->n_mandates, root, "mandates", 0,
                        LIBRO_MAX_RECORD_MANDATES, LIBRO_MAX_TOKEN_BYTES, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = r;
    r = NULL; /* moved to caller */
out:
    libro_consent_record_free(r);
    json_decref(root);
    return rc;
}

static json_t *
tokens_value(char *const *list, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < n; i++) {
        if (json_array_append_new(arr, json_string(list[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

libro_code
libro_consent_record_to_json(libro_buf *out, const libro_consent_record *r, libro_error *err)
{
    json_t *root;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_consent_record *back = NULL;
    libro_code rc;

    if (out == NULL || r == NULL || r->process == NULL || (r->steps == NULL && r->n_steps > 0) ||
        (r->mandates == NULL && r->n_mandates > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "record: NULL argument");
    }
    root = json_pack("{s:s, s:o, s:o}", "process", r->process, "steps",
                     tokens_value(r->steps, r->n_steps), "mandates",
                     tokens_value(r->mandates, r->n_mandates));
    if (root == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    rc = libro_json__dump(&doc, root, err);
    /* Whatever is written reads back: the parser's rules are the writer's. */
    if (rc == LIBRO_OK) {
        rc = libro_consent_record_parse(&back, doc.data, doc.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, doc.data, doc.len, err);
    }
    libro_consent_record_free(back);
    libro_buf_free(&doc);
    json_decref(root);
    return rc;
}
