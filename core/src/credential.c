/* libro: the credential types of docs/credentials.md. The parser checks structure
 * (exact member sets, JSON types, the fixed @context / type / credentialSchema, timestamps,
 * keys) and then hands the structure to libro_credential_check, the one place the content
 * rules live, so a builder and a verifier can never disagree about them. The writer builds
 * the document with jansson in the member order of the spec; parse(to_json(c)) gives c back
 * and to_json(parse(x)) gives back x for a canonical x, which the examples in
 * schemas/examples/ are. */
#include <stdio.h>
#include <string.h>

#include "credential_int.h"
#include "crypto_int.h"
#include "libro/credential.h"
#include "libro/credential_parse_int.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/limits.h"
#include "libro/rules.h"
#include "libro/statuslist.h"
#include "libro/text_int.h"
#include "libro/time.h"
#include "libro/util.h"

#define DID_KEY_PREFIX "did:key:"
#define TIMESTAMP_LEN 20u /* YYYY-MM-DDTHH:MM:SSZ */
#define PATH_BYTES 160u   /* longest path: our member names plus one shown unknown name */

static const struct {
    libro_cred_type type;
    const char *name;
    const char *schema;
} types[] = {
    {LIBRO_CRED_LICENSE, "ProfessionalLicense", "professional-license"},
    {LIBRO_CRED_CHARTER, "CommunityCharter", "community-charter"},
    {LIBRO_CRED_ISSUER_AUTH, "IssuerAuthorization", "issuer-authorization"},
    {LIBRO_CRED_REGISTRY_AUTH, "RegistryAuthorization", "registry-authorization"},
    {LIBRO_CRED_MANDATE, "RoundtableMandate", "roundtable-mandate"},
    {LIBRO_CRED_AGREEMENT, "ResponsibilityAgreement", "responsibility-agreement"},
    {LIBRO_CRED_LAW, "CommunityLaw", "community-law"},
};

const char *
libro_cred_type_name(libro_cred_type type)
{
    size_t i;

    for (i = 0; i < LIBRO_NELEM(types); i++) {
        if (types[i].type == type) {
            return types[i].name;
        }
    }
    return NULL;
}

const char *
libro_cred_schema_name(libro_cred_type type)
{
    size_t i;

    for (i = 0; i < LIBRO_NELEM(types); i++) {
        if (types[i].type == type) {
            return types[i].schema;
        }
    }
    return NULL;
}

const char *
libro_level_default_name(int level)
{
    switch (level) {
    case 0:
        return "tribe";
    case 1:
        return "neighborhood";
    case 2:
        return "town";
    case 8:
        return "world";
    default:
        return NULL;
    }
}

const char *
libro_level_name(const libro_credential *charter, char *tmp, size_t tmp_len)
{
    const char *name;
    int n;

    if (charter == NULL) {
        return NULL;
    }
    if (charter->level_name != NULL) {
        return charter->level_name;
    }
    name = libro_level_default_name(charter->level);
    if (name != NULL) {
        return name;
    }
    if (tmp == NULL || tmp_len == 0) {
        return NULL;
    }
    n = snprintf(tmp, tmp_len, "level %d", charter->level);
    if (n < 0 || (size_t) n >= tmp_len) {
        tmp[0] = '\0';
    }
    return tmp;
}

const char *
libro_office_name(libro_office office)
{
    switch (office) {
    case LIBRO_OFFICE_REPRESENTATIVE:
        return "representative";
    case LIBRO_OFFICE_CHAIR:
        return "chair";
    case LIBRO_OFFICE_LEADER:
        return "leader";
    }
    return NULL;
}

bool
libro_office_from_name(libro_office *out, const char *p, size_t len)
{
    static const libro_office all[] = {LIBRO_OFFICE_REPRESENTATIVE, LIBRO_OFFICE_CHAIR,
                                       LIBRO_OFFICE_LEADER};
    size_t i;

    if (out == NULL || p == NULL) {
        return false;
    }
    for (i = 0; i < LIBRO_NELEM(all); i++) {
        const char *name = libro_office_name(all[i]);

        if (strlen(name) == len && memcmp(name, p, len) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

libro_code
libro_credential_new(libro_credential **out, libro_cred_type type, libro_error *err)
{
    libro_credential *c;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: out is NULL");
    }
    *out = NULL;
    if (libro_cred_type_name(type) == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: unknown type %d",
                               (int) type);
    }
    c = libro_calloc(1, sizeof *c);
    if (c == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    c->type = type;
    *out = c;
    return LIBRO_OK;
}

void
libro_credential__free_list(char **list, size_t n)
{
    size_t i;

    if (list == NULL) {
        return;
    }
    for (i = 0; i < n; i++) {
        libro_free(list[i]);
    }
    libro_free(list);
}

void
libro_credential_free(libro_credential *c)
{
    size_t i;

    if (c == NULL) {
        return;
    }
    libro_free(c->issuer);
    libro_free(c->subject_id);
    libro_free(c->name);
    libro_free(c->license_number);
    libro_free(c->profession);
    libro_free(c->license_type);
    libro_credential__free_list(c->scope, c->n_scope);
    libro_free(c->community_id);
    libro_free(c->level_name);
    libro_credential__free_list(c->allowed_types, c->n_allowed);
    libro_key_free(c->subject_key);
    if (c->grants != NULL) {
        for (i = 0; i < c->n_grants; i++) {
            libro_free(c->grants[i].id);
        }
        libro_free(c->grants);
    }
    libro_free(c->url);
    libro_free(c->status_registry);
    libro_free(c->status_revocation_list);
    libro_free(c->status_suspension_list);
    libro_free(c->status_message_list);
    libro_free(c->roundtable_id);
    libro_free(c->seat);
    libro_free(c->election_record);
    libro_free(c->election_result);
    libro_free(c->title);
    libro_free(c->supersedes);
    if (c->parties != NULL) {
        for (i = 0; i < c->n_parties; i++) {
            libro_free(c->parties[i].id);
            libro_free(c->parties[i].name);
            libro_free(c->parties[i].role);
            libro_key_free(c->parties[i].key);
            libro_credential__free_list(c->parties[i].responsibilities,
                                        c->parties[i].n_responsibilities);
        }
        libro_free(c->parties);
    }
    libro_free(c->aim);
    libro_free(c->text);
    if (c->members != NULL) {
        for (i = 0; i < c->n_members; i++) {
            libro_free(c->members[i].id);
            libro_free(c->members[i].name);
            libro_free(c->members[i].seat);
        }
        libro_free(c->members);
    }
    libro_free(c->consent_record);
    libro_free(c);
}

/* ---- paths and messages ------------------------------------------------------------------ */

/* "parent.member", or "member" at the top. Paths are ours except an unknown member name,
 * which the caller passes through libro_key__shown first. */
static const char *
path_member(char out[PATH_BYTES], const char *parent, const char *member)
{
    int n = parent[0] == '\0' ? snprintf(out, PATH_BYTES, "%s", member)
                              : snprintf(out, PATH_BYTES, "%s.%s", parent, member);

    if (n < 0 || (size_t) n >= PATH_BYTES) {
        out[0] = '\0'; /* cannot happen with our names; an empty path is still one line */
    }
    return out;
}

static const char *
path_index(char out[PATH_BYTES], const char *parent, size_t i)
{
    int n = snprintf(out, PATH_BYTES, "%s[%zu]", parent, i);

    if (n < 0 || (size_t) n >= PATH_BYTES) {
        out[0] = '\0';
    }
    return out;
}

static libro_code
fail(libro_error *err, libro_code code, const char *path, const char *what)
{
    return libro_error_set(err, code, "credential: %s: %s", path, what);
}

static libro_code
nomem(libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
}

/* ---- content rules (shared by the parser, through libro_credential_check) ----------------- */

/* jansson already guarantees valid UTF-8 for parsed text, but a builder's strings reach us
 * unchecked. */
const char *
libro__text_problem(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        uint32_t cp;
        size_t n;
        size_t k;

        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                return "control character";
            }
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return "not valid UTF-8";
        }
        if (len - i - 1 < n) {
            return "not valid UTF-8";
        }
        for (k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0u) != 0x80u) {
                return "not valid UTF-8";
            }
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return "not valid UTF-8";
        }
        if (cp >= 0x80 && cp <= 0x9f) {
            return "control character";
        }
        i += n + 1;
    }
    return NULL;
}

/* Names, professions, scope entries, level names. */
static libro_code
check_text(const char *s, const char *path, libro_error *err)
{
    const char *problem;
    size_t len;

    if (s == NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "missing");
    }
    len = strlen(s);
    if (len == 0) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "empty string");
    }
    if (len > LIBRO_MAX_TEXT_BYTES) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "longer than 200 bytes");
    }
    problem = libro__text_problem((const unsigned char *) s, len);
    if (problem != NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, problem);
    }
    return LIBRO_OK;
}

static bool
is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* An absolute URI as docs/credentials.md narrows it: scheme (RFC 3986 §3.1: a letter, then
 * letters, digits, + - .), ':', then at least one printable ASCII character other than space,
 * '#' (it separates the id from the thumbprint in a kid), '"' and '\'. NULL when `s` is one,
 * else the reason. */
static const char *
id_problem(const char *s)
{
    size_t len;
    size_t i;

    if (s == NULL) {
        return "missing";
    }
    len = strlen(s);
    if (len == 0) {
        return "empty string";
    }
    if (len > LIBRO_MAX_ID_BYTES) {
        return "longer than 200 bytes";
    }
    if (!is_alpha(s[0])) {
        return "not an absolute URI (scheme ':' rest)";
    }
    for (i = 1; i < len && s[i] != ':'; i++) {
        if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.') {
            return "not an absolute URI (scheme ':' rest)";
        }
    }
    if (i + 1 >= len) {
        return "not an absolute URI (scheme ':' rest)";
    }
    for (i++; i < len; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c <= 0x20 || c >= 0x7f || c == '#' || c == '"' || c == '\\') {
            return "character not allowed in an id (space, '#', '\"', '\\' or non-ASCII)";
        }
    }
    return NULL;
}

static libro_code
check_id(const char *s, const char *path, libro_error *err)
{
    const char *problem = id_problem(s);

    return problem == NULL ? LIBRO_OK : fail(err, LIBRO_ERR_SCHEMA, path, problem);
}

const char *
libro_credential__id_problem(const char *s)
{
    return id_problem(s);
}

/* License numbers ([A-Za-z0-9._-]) and license type ids ([a-z0-9-]), 1 to 64 bytes. */
/* A character of a license type id ([a-z0-9-]) or of a license number ([A-Za-z0-9._-]). */
static bool
code_char_ok(char c, bool type_id)
{
    return type_id ? (c >= 'a' && c <= 'z') || is_digit(c) || c == '-'
                   : is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
}

static bool
code_ok(const char *p, size_t len, bool type_id)
{
    if (p == NULL || len == 0 ||
        len > (type_id ? LIBRO_MAX_TYPE_ID_BYTES : LIBRO_MAX_LICENSE_NUMBER_BYTES)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!code_char_ok(p[i], type_id)) {
            return false;
        }
    }
    return true;
}

bool
libro_license_number_ok(const char *p, size_t len)
{
    return code_ok(p, len, false);
}

bool
libro_license_type_id_ok(const char *p, size_t len)
{
    return code_ok(p, len, true);
}

static libro_code
check_code(const char *s, bool type_id, const char *path, libro_error *err)
{
    size_t len;
    size_t i;

    if (s == NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "missing");
    }
    len = strlen(s);
    if (len == 0) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "empty string");
    }
    if (len > (type_id ? LIBRO_MAX_TYPE_ID_BYTES : LIBRO_MAX_LICENSE_NUMBER_BYTES)) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "longer than 64 bytes");
    }
    for (i = 0; i < len; i++) {
        if (!code_char_ok(s[i], type_id)) {
            return fail(err, LIBRO_ERR_SCHEMA, path,
                        type_id ? "character outside [a-z0-9-]"
                                : "character outside [A-Za-z0-9._-]");
        }
    }
    return LIBRO_OK;
}

static libro_code
check_count(size_t n, const char *path, libro_error *err)
{
    if (n == 0) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "empty list");
    }
    if (n > LIBRO_MAX_LIST_ENTRIES) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "more than 32 entries");
    }
    return LIBRO_OK;
}

/* A list of texts (type_id false) or license type ids: 1 to 32 distinct entries. */
static libro_code
check_list(char *const *list, size_t n, bool type_id, const char *path, libro_error *err)
{
    char sub[PATH_BYTES];
    size_t i;
    size_t j;
    libro_code rc = check_count(n, path, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (list == NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "missing");
    }
    for (i = 0; i < n; i++) {
        path_index(sub, path, i);
        rc = type_id ? check_code(list[i], true, sub, err) : check_text(list[i], sub, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(list[i], list[j]) == 0) {
                return fail(err, LIBRO_ERR_SCHEMA, sub, "duplicate entry");
            }
        }
    }
    return LIBRO_OK;
}

static libro_code
check_level(long long level, const char *path, libro_error *err)
{
    if (level < 0 || level > LIBRO_MAX_LEVEL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not in 0..8");
    }
    return LIBRO_OK;
}

static libro_code
check_days(long long days, const char *path, libro_error *err)
{
    if (days < 1 || days > (long long) LIBRO_MAX_VALIDITY_DAYS) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not in 1..3660");
    }
    return LIBRO_OK;
}

static libro_code
check_grants(const libro_license_grant *g, size_t n, const char *path, libro_error *err)
{
    char sub[PATH_BYTES];
    char member[PATH_BYTES];
    size_t i;
    size_t j;
    libro_code rc = check_count(n, path, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (g == NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "missing");
    }
    for (i = 0; i < n; i++) {
        path_index(sub, path, i);
        rc = check_code(g[i].id, true, path_member(member, sub, "id"), err);
        if (rc == LIBRO_OK) {
            rc = check_days(g[i].validity_days, path_member(member, sub, "validityDays"), err);
        }
        if (rc != LIBRO_OK) {
            return rc;
        }
        /* A type granted twice with two validities would be ambiguous: distinct by id. */
        for (j = 0; j < i; j++) {
            if (strcmp(g[i].id, g[j].id) == 0) {
                return fail(err, LIBRO_ERR_SCHEMA, path_member(member, sub, "id"),
                            "duplicate entry");
            }
        }
    }
    return LIBRO_OK;
}

/* How far the holder's did:key is checked. Its point validation costs a scalar
 * multiplication, as much as the license's own signature: the issuer pays it before signing
 * (libro never issues to an invalid key), and whoever verifies a signature by the holder's
 * key pays it then (key import); a verifier reading the license only needs its form. */
enum key_checks { KEYS_FORM_ONLY, KEYS_FULL };

/* A license holder is identified by their own Ed25519 key (docs/credentials.md). */
static libro_code
check_holder(const char *s, const char *path, enum key_checks keys, libro_error *err)
{
    const size_t plen = sizeof DID_KEY_PREFIX - 1;
    unsigned char pub[32];
    libro_key *k = NULL;
    libro_code rc = check_id(s, path, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (strncmp(s, DID_KEY_PREFIX, plen) != 0) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not a did:key");
    }
    if (keys == KEYS_FULL) {
        rc = libro_key_from_did(&k, s, strlen(s), err);
    } else {
        rc = libro_key__did_decode(pub, s, strlen(s), err);
    }
    libro_key_free(k);
    if (rc != LIBRO_OK && rc != LIBRO_ERR_NOMEM) {
        char prefix[PATH_BYTES + 16];

        libro_error_prefix(err, snprintf(prefix, sizeof prefix, "credential: %s", path) > 0
                                    ? prefix
                                    : "credential");
        rc = LIBRO_ERR_BAD_KEY;
        if (err != NULL) {
            err->code = rc;
        }
    }
    return rc;
}

static bool
is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A registry's address (RegistryAuthorization url, statusListCredential, a status list's
 * id): https, or plain http only to the loopback address (tests, a registry behind a local
 * proxy). Narrower than RFC 3986 on purpose (no user info, no IP-literal, a host of
 * [A-Za-z0-9.-]), so that every accepted URL is also a "uri" to a JSON Schema validator:
 * schemas/registry-authorization.json carries the same pattern. NULL when `s` is one, else
 * the reason. */
static const char *
url_problem(const char *s)
{
    static const char https[] = "https://";
    static const char loopback[] = "http://127.0.0.1";
    static const char bad[] = "not an https URL (or http://127.0.0.1)";
    size_t i;
    size_t start;
    const char *problem = id_problem(s);

    if (problem != NULL) {
        return problem;
    }
    if (strncmp(s, https, sizeof https - 1) == 0) {
        i = sizeof https - 1;
        start = i;
        while (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '.' || s[i] == '-') {
            i++;
        }
        if (i == start) {
            return bad;
        }
    } else if (strncmp(s, loopback, sizeof loopback - 1) == 0) {
        i = sizeof loopback - 1;
    } else {
        return bad;
    }
    if (s[i] == ':') {
        start = ++i;
        while (is_digit(s[i]) && i - start < 5) {
            i++;
        }
        if (i == start) {
            return "bad port";
        }
    }
    if (s[i] != '\0' && s[i] != '/') {
        return bad;
    }
    for (; s[i] != '\0'; i++) {
        if (s[i] == '%') {
            if (!is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
                return "bad percent-encoding";
            }
            i += 2;
        } else if (!is_alpha(s[i]) && !is_digit(s[i]) &&
                   strchr("-._~!$&'()*+,;=:@/?", s[i]) == NULL) {
            return "character not allowed in a URL path";
        }
    }
    return NULL;
}

static libro_code
check_url(const char *s, const char *path, libro_error *err)
{
    const char *problem = url_problem(s);

    return problem == NULL ? LIBRO_OK : fail(err, LIBRO_ERR_SCHEMA, path, problem);
}

const char *
libro_credential__url_problem(const char *s)
{
    return url_problem(s);
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

/* The types that may carry credentialStatus: what a registry can revoke or suspend (or, a
 * mandate, end early). Charters and registry authorizations end by expiry or by a new
 * charter. */
static bool
has_status_member(libro_cred_type type)
{
    return type == LIBRO_CRED_LICENSE || type == LIBRO_CRED_ISSUER_AUTH ||
           type == LIBRO_CRED_MANDATE;
}

/* The types whose message entry exists, and its words. */
static bool
has_message_entry(libro_cred_type type)
{
    return type == LIBRO_CRED_LICENSE || type == LIBRO_CRED_MANDATE;
}

static libro_status_words
words_of(libro_cred_type type)
{
    return type == LIBRO_CRED_MANDATE ? LIBRO_WORDS_MANDATE : LIBRO_WORDS_LICENSE;
}

/* Members that `type` does not use must be empty, so that what is written is all there is:
 * parse(to_json(c)) must give c back. */
static libro_code
check_unused(const libro_credential *c, libro_error *err)
{
    bool license = c->type == LIBRO_CRED_LICENSE;
    bool charter = c->type == LIBRO_CRED_CHARTER;
    bool mandate = c->type == LIBRO_CRED_MANDATE;
    bool agreement = c->type == LIBRO_CRED_AGREEMENT;
    bool law = c->type == LIBRO_CRED_LAW;
    const struct {
        bool stray;
        const char *path;
    } members[] = {
        {!license && c->license_number != NULL, "credentialSubject.licenseNumber"},
        {!license && c->profession != NULL, "credentialSubject.profession"},
        {!license && c->license_type != NULL, "credentialSubject.licenseType"},
        {!license && (c->scope != NULL || c->n_scope != 0), "credentialSubject.scope"},
        {!license && !agreement && !law && (c->community_id != NULL || c->community_level != 0),
         "credentialSubject.community"},
        {agreement && (c->subject_id != NULL || c->name != NULL), "credentialSubject.name"},
        {law && c->name != NULL, "credentialSubject.name"},
        {!agreement && !law && c->title != NULL, "credentialSubject.title"},
        {!agreement && !law && c->supersedes != NULL, "credentialSubject.supersedes"},
        {!agreement && (c->parties != NULL || c->n_parties != 0), "credentialSubject.parties"},
        {!agreement && (c->notice_days != 0 || c->mutual_only), "credentialSubject.ending"},
        {!law && c->law_version != 0, "credentialSubject.version"},
        {!law && c->aim != NULL, "credentialSubject.aim"},
        {!law && c->text != NULL, "credentialSubject.text"},
        {!law && (c->members != NULL || c->n_members != 0), "credentialSubject.roundtable"},
        {!law && c->consent_record != NULL, "credentialSubject.consentRecord"},
        {!charter && c->level != 0, "credentialSubject.level"},
        {!charter && c->level_name != NULL, "credentialSubject.levelName"},
        {!charter && (c->allowed_types != NULL || c->n_allowed != 0),
         "credentialSubject.allowedLicenseTypes"},
        {!charter && (c->rt_representative_years != 0 || c->rt_chair_years != 0 ||
                      c->rt_leader_years != 0 || c->rt_consecutive_terms != 0),
         "credentialSubject.roundtable"},
        {(license || mandate || agreement || law) && c->subject_key != NULL,
         "credentialSubject.publicKeyJwk"},
        {!mandate && c->office != 0, "credentialSubject.office"},
        {!mandate && (c->roundtable_id != NULL || c->roundtable_level != 0),
         "credentialSubject.roundtable"},
        {!mandate && c->seat != NULL, "credentialSubject.seat"},
        {!mandate && c->voting, "credentialSubject.voting"},
        {!mandate && (c->election_record != NULL || c->election_date != 0 ||
                      c->election_electorate != 0 || c->election_result != NULL),
         "credentialSubject.election"},
        {c->type != LIBRO_CRED_ISSUER_AUTH && (c->grants != NULL || c->n_grants != 0),
         "credentialSubject.licenseTypes"},
        {c->type != LIBRO_CRED_REGISTRY_AUTH && c->url != NULL, "credentialSubject.url"},
        {c->type != LIBRO_CRED_ISSUER_AUTH && c->status_registry != NULL,
         "credentialSubject.statusRegistry"},
        {!has_status_member(c->type) &&
             (c->has_status || c->status_index != 0 || c->status_revocation_list != NULL ||
              c->status_suspension_list != NULL || c->status_message_list != NULL),
         "credentialStatus"},
    };
    size_t i;

    for (i = 0; i < LIBRO_NELEM(members); i++) {
        if (members[i].stray) {
            return libro_error_set(err, LIBRO_ERR_SCHEMA, "credential: %s: not a member of %s",
                                   members[i].path, libro_cred_type_name(c->type));
        }
    }
    return LIBRO_OK;
}

/* A charter's roundtable member: each term 1 .. the seed term of the office at the charter's
 * level, where the office exists there (a tribe, level 0, has a circle but no roundtable; the
 * world, level 8, has no parent to appoint a leader into its circle). */
static libro_code
check_term(unsigned years, libro_office office, int level, const char *path, libro_error *err)
{
    char what[80];
    unsigned seed = libro_rules_seed_term_years(office, level);
    int n;

    if (years == 0) {
        return LIBRO_OK;
    }
    if (office != LIBRO_OFFICE_LEADER && level == 0) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "set at level 0 (a tribe has no roundtable)");
    }
    if (office == LIBRO_OFFICE_LEADER && level == LIBRO_MAX_LEVEL) {
        return fail(err, LIBRO_ERR_SCHEMA, path,
                    "set at level 8 (no parent appoints leaders into the world's circle)");
    }
    if (years > seed) {
        n = snprintf(what, sizeof what, "not in 1..%u (the seed term at level %d)", seed, level);
        return fail(err, LIBRO_ERR_SCHEMA, path, n > 0 ? what : "longer than the seed term");
    }
    return LIBRO_OK;
}

static libro_code
check_terms(const libro_credential *c, libro_error *err)
{
    libro_code rc = check_term(c->rt_representative_years, LIBRO_OFFICE_REPRESENTATIVE, c->level,
                               "credentialSubject.roundtable.representativeTermYears", err);

    if (rc == LIBRO_OK) {
        rc = check_term(c->rt_chair_years, LIBRO_OFFICE_CHAIR, c->level,
                        "credentialSubject.roundtable.chairTermYears", err);
    }
    if (rc == LIBRO_OK) {
        rc = check_term(c->rt_leader_years, LIBRO_OFFICE_LEADER, c->level,
                        "credentialSubject.roundtable.leaderTermYears", err);
    }
    if (rc == LIBRO_OK && c->rt_consecutive_terms > LIBRO_MAX_TERMS_IN_ROW) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.roundtable.consecutiveTerms",
                  "not in 1..10");
    }
    return rc;
}

const char *
libro_credential__office_problem(const libro_credential *m, const char **path)
{
    static const char seat[] = "credentialSubject.seat";
    static const char voting[] = "credentialSubject.voting";
    static const char level[] = "credentialSubject.roundtable.level";

    *path = "credentialSubject.office";
    switch (m->office) {
    case LIBRO_OFFICE_REPRESENTATIVE:
        *path = seat;
        if (m->seat == NULL) {
            return "missing (a representative sits for a member community)";
        }
        *path = voting;
        if (!m->voting) {
            return "false on a representative's mandate (a representative votes)";
        }
        *path = level;
        return m->roundtable_level < 1 ? "0 on a representative's mandate (a tribe has no "
                                         "roundtable)"
                                       : NULL;
    case LIBRO_OFFICE_CHAIR:
        *path = seat;
        if (m->seat != NULL) {
            return "present on a chair's mandate (a chair sits for no member community)";
        }
        *path = voting;
        if (m->voting) {
            return "true on a chair's mandate (a chair has no vote)";
        }
        *path = level;
        return m->roundtable_level < 1 ? "0 on a chair's mandate (a tribe has no roundtable)"
                                       : NULL;
    case LIBRO_OFFICE_LEADER:
        *path = seat;
        if (m->seat == NULL) {
            return "missing (a leader sits for the parent that appointed them)";
        }
        *path = voting;
        if (m->voting) {
            return "true on a leader's mandate (a leader has no vote)";
        }
        *path = level;
        return m->roundtable_level >= LIBRO_MAX_LEVEL
                   ? "8 on a leader's mandate (the world has no parent to appoint one)"
                   : NULL;
    }
    return "not representative, chair or leader";
}

/* "sha256:" and 64 lowercase hex digits. */
static bool
record_ok(const char *s)
{
    return s != NULL && libro_hash_ref_ok(s, strlen(s));
}

static libro_code
check_mandate(const libro_credential *c, libro_error *err)
{
    const char *path = NULL;
    const char *problem;
    libro_code rc = check_id(c->roundtable_id, "credentialSubject.roundtable.id", err);

    if (rc == LIBRO_OK) {
        rc = check_level(c->roundtable_level, "credentialSubject.roundtable.level", err);
    }
    if (rc == LIBRO_OK && c->seat != NULL) {
        rc = check_id(c->seat, "credentialSubject.seat", err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    problem = libro_credential__office_problem(c, &path);
    if (problem != NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, problem);
    }
    if (!record_ok(c->election_record)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.election.record",
                    c->election_record == NULL ? "missing" : "not sha256: and 64 lowercase hex");
    }
    rc = check_time(c->election_date, "credentialSubject.election.date", err);
    if (rc == LIBRO_OK &&
        (c->election_electorate < 1 || c->election_electorate > LIBRO_MAX_ELECTORATE)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.election.electorate",
                  "not in 1..100000000");
    }
    if (rc == LIBRO_OK) {
        rc = check_text(c->election_result, "credentialSubject.election.result", err);
    }
    return rc;
}

const char *
libro_credential__text_problem(const char *s, size_t max, bool lines)
{
    const char *problem = NULL;
    size_t len;
    size_t start = 0;
    size_t i;

    if (s == NULL) {
        return "missing";
    }
    len = strlen(s);
    if (len == 0) {
        return "empty string";
    }
    if (len > max) {
        return "too long";
    }
    for (i = 0; i <= len && problem == NULL; i++) {
        if (i == len || (lines && s[i] == '\n')) {
            problem = libro__text_problem((const unsigned char *) s + start, i - start);
            start = i + 1;
        }
    }
    return problem;
}

/* A text of 1..max bytes (check_text's rule at another length); `lines` lets it hold line
 * feeds, a law's text being paragraphs. */
static libro_code
check_long_text(const char *s, size_t max, bool lines, const char *path, libro_error *err)
{
    char what[48];
    const char *problem = libro_credential__text_problem(s, max, lines);

    if (problem != NULL && strcmp(problem, "too long") == 0) {
        problem = snprintf(what, sizeof what, "longer than %zu bytes", max) > 0 ? what : problem;
    }
    return problem == NULL ? LIBRO_OK : fail(err, LIBRO_ERR_SCHEMA, path, problem);
}

static libro_code
check_hash(const char *s, const char *path, libro_error *err)
{
    if (s == NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "missing");
    }
    if (!libro_hash_ref_ok(s, strlen(s))) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not \"sha256:\" and 64 lowercase hex digits");
    }
    return LIBRO_OK;
}

static libro_code
check_community(const libro_credential *c, libro_error *err)
{
    libro_code rc = check_id(c->community_id, "credentialSubject.community.id", err);

    if (rc == LIBRO_OK) {
        rc = check_level(c->community_level, "credentialSubject.community.level", err);
    }
    return rc;
}

/* A party named by a did:key signs with that key: its publicKeyJwk must be the same. */
static libro_code
check_party_did(const libro_party *p, const char *path, libro_error *err)
{
    char sub[PATH_BYTES];
    unsigned char pub[32];
    libro_buf raw = LIBRO_BUF_INIT;
    libro_code rc;

    if (strncmp(p->id, DID_KEY_PREFIX, sizeof DID_KEY_PREFIX - 1) != 0) {
        return LIBRO_OK;
    }
    rc = libro_key__did_decode(pub, p->id, strlen(p->id), err);
    if (rc != LIBRO_OK) {
        if (rc != LIBRO_ERR_NOMEM) {
            rc = fail(err, LIBRO_ERR_BAD_KEY, path_member(sub, path, "id"),
                      "not an Ed25519 did:key");
        }
        return rc;
    }
    if (libro_key_alg(p->key) == LIBRO_ALG_ED25519) {
        rc = libro_key_raw_public(&raw, p->key, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    if (raw.len != sizeof pub || memcmp(raw.data, pub, sizeof pub) != 0) {
        rc = fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "publicKeyJwk"),
                  "not the key the party's did:key names");
    }
out:
    libro_buf_free(&raw);
    return rc;
}

static libro_code
check_party(const libro_credential *c, size_t i, libro_error *err)
{
    const libro_party *p = &c->parties[i];
    char path[PATH_BYTES];
    char sub[PATH_BYTES];
    char entry[PATH_BYTES];
    size_t j;
    libro_code rc;

    path_index(path, "credentialSubject.parties", i);
    rc = check_id(p->id, path_member(sub, path, "id"), err);
    if (rc == LIBRO_OK) {
        rc = check_text(p->name, path_member(sub, path, "name"), err);
    }
    if (rc == LIBRO_OK) {
        rc = check_text(p->role, path_member(sub, path, "role"), err);
    }
    if (rc == LIBRO_OK && p->key == NULL) {
        rc = fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "publicKeyJwk"), "missing");
    }
    if (rc == LIBRO_OK) {
        rc = check_party_did(p, path, err);
    }
    if (rc == LIBRO_OK) {
        path_member(sub, path, "responsibilities");
        rc = p->n_responsibilities > LIBRO_MAX_RESPONSIBILITIES
                 ? fail(err, LIBRO_ERR_SCHEMA, sub, "more than 32 entries")
                 : check_count(p->n_responsibilities, sub, err);
    }
    if (rc == LIBRO_OK && p->responsibilities == NULL) {
        rc = fail(err, LIBRO_ERR_SCHEMA, sub, "missing");
    }
    for (j = 0; rc == LIBRO_OK && j < p->n_responsibilities; j++) {
        size_t k;

        path_index(entry, sub, j);
        rc = check_long_text(p->responsibilities[j], LIBRO_MAX_RESPONSIBILITY_BYTES, false, entry,
                             err);
        for (k = 0; rc == LIBRO_OK && k < j; k++) {
            if (strcmp(p->responsibilities[j], p->responsibilities[k]) == 0) {
                rc = fail(err, LIBRO_ERR_SCHEMA, entry, "duplicate entry");
            }
        }
    }
    /* Distinct parties: two with one id or one key could not be told apart by a kid. */
    for (j = 0; rc == LIBRO_OK && j < i; j++) {
        if (strcmp(c->parties[j].id, p->id) == 0) {
            rc = fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "id"),
                      "the id of another party");
        } else if (libro_key_equal_public(c->parties[j].key, p->key)) {
            rc = fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "publicKeyJwk"),
                      "the key of another party");
        }
    }
    return rc;
}

static libro_code
check_agreement(const libro_credential *c, libro_error *err)
{
    size_t i;
    libro_code rc = check_text(c->title, "credentialSubject.title", err);

    if (rc == LIBRO_OK) {
        rc = check_community(c, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (c->parties == NULL && c->n_parties != 0) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.parties", "missing");
    }
    if (c->n_parties < LIBRO_MIN_PARTIES || c->n_parties > LIBRO_MAX_PARTIES) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.parties", "not 2..16 parties");
    }
    for (i = 0; rc == LIBRO_OK && i < c->n_parties; i++) {
        rc = check_party(c, i, err);
    }
    if (rc == LIBRO_OK && strcmp(c->issuer, c->parties[0].id) != 0) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "issuer", "not the first party's id (the drafter)");
    }
    if (rc == LIBRO_OK && c->mutual_only && c->notice_days != 0) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.ending",
                  "both noticeDays and mutualOnly");
    }
    if (rc == LIBRO_OK && !c->mutual_only &&
        (c->notice_days < 1 || c->notice_days > LIBRO_MAX_NOTICE_DAYS)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.ending.noticeDays", "not in 1..3650");
    }
    if (rc == LIBRO_OK && c->supersedes != NULL) {
        rc = check_hash(c->supersedes, "credentialSubject.supersedes", err);
    }
    return rc;
}

static libro_code
check_law_member(const libro_credential *c, size_t i, enum key_checks keys, libro_error *err)
{
    const libro_law_member *m = &c->members[i];
    char path[PATH_BYTES];
    char sub[PATH_BYTES];
    size_t j;
    libro_code rc;

    path_index(path, "credentialSubject.roundtable", i);
    rc = check_holder(m->id, path_member(sub, path, "id"), keys, err);
    if (rc == LIBRO_OK) {
        rc = check_text(m->name, path_member(sub, path, "name"), err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (m->office != LIBRO_OFFICE_REPRESENTATIVE && m->office != LIBRO_OFFICE_CHAIR) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "office"),
                    "not representative or chair");
    }
    if (m->office == LIBRO_OFFICE_CHAIR && m->seat != NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "seat"),
                    "present on the chair (a chair holds no seat)");
    }
    if (m->office == LIBRO_OFFICE_REPRESENTATIVE) {
        rc = check_id(m->seat, path_member(sub, path, "seat"), err);
    }
    for (j = 0; rc == LIBRO_OK && j < i; j++) {
        if (strcmp(c->members[j].id, m->id) == 0) {
            rc = fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "id"), "duplicate member");
        } else if (m->office == LIBRO_OFFICE_CHAIR && c->members[j].office == LIBRO_OFFICE_CHAIR) {
            rc = fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "office"), "a second chair");
        }
    }
    return rc;
}

static libro_code
check_law(const libro_credential *c, enum key_checks keys, libro_error *err)
{
    size_t i;
    libro_code rc = check_id(c->subject_id, "credentialSubject.id", err);

    if (rc == LIBRO_OK) {
        rc = check_text(c->title, "credentialSubject.title", err);
    }
    if (rc == LIBRO_OK && (c->law_version < 1 || c->law_version > LIBRO_MAX_LAW_VERSION)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.version", "not in 1..1000");
    }
    if (rc == LIBRO_OK) {
        rc = check_long_text(c->aim, LIBRO_MAX_AIM_BYTES, false, "credentialSubject.aim", err);
    }
    if (rc == LIBRO_OK) {
        rc =
            check_long_text(c->text, LIBRO_MAX_LAW_TEXT_BYTES, true, "credentialSubject.text", err);
    }
    if (rc == LIBRO_OK) {
        rc = check_community(c, err);
    }
    if (rc == LIBRO_OK && strcmp(c->issuer, c->community_id) != 0) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "issuer",
                  "not the community's id (a community signs its own laws)");
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if ((c->members == NULL && c->n_members != 0) || c->n_members < 1 ||
        c->n_members > LIBRO_MAX_LAW_MEMBERS) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.roundtable", "not 1..16 members");
    }
    for (i = 0; rc == LIBRO_OK && i < c->n_members; i++) {
        rc = check_law_member(c, i, keys, err);
    }
    if (rc == LIBRO_OK) {
        rc = check_hash(c->consent_record, "credentialSubject.consentRecord", err);
    }
    if (rc == LIBRO_OK && c->supersedes != NULL) {
        rc = check_hash(c->supersedes, "credentialSubject.supersedes", err);
    }
    return rc;
}

static libro_code
check_subject(const libro_credential *c, enum key_checks keys, libro_error *err)
{
    libro_code rc;

    if (c->type == LIBRO_CRED_AGREEMENT) {
        return check_agreement(c, err);
    }
    if (c->type == LIBRO_CRED_LAW) {
        return check_law(c, keys, err);
    }
    if (c->type == LIBRO_CRED_LICENSE) {
        rc = c->subject_id == NULL ? LIBRO_OK
                                   : check_holder(c->subject_id, "credentialSubject.id", keys, err);
    } else if (c->type == LIBRO_CRED_MANDATE) {
        rc = check_holder(c->subject_id, "credentialSubject.id", keys, err);
    } else {
        rc = check_id(c->subject_id, "credentialSubject.id", err);
    }
    if (rc == LIBRO_OK) {
        rc = check_text(c->name, "credentialSubject.name", err);
    }
    if (rc == LIBRO_OK && c->type != LIBRO_CRED_LICENSE && c->type != LIBRO_CRED_MANDATE &&
        c->subject_key == NULL) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.publicKeyJwk", "missing");
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    switch (c->type) {
    case LIBRO_CRED_LICENSE:
        rc = check_code(c->license_number, false, "credentialSubject.licenseNumber", err);
        if (rc == LIBRO_OK) {
            rc = check_text(c->profession, "credentialSubject.profession", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_code(c->license_type, true, "credentialSubject.licenseType", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_list(c->scope, c->n_scope, false, "credentialSubject.scope", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_id(c->community_id, "credentialSubject.community.id", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_level(c->community_level, "credentialSubject.community.level", err);
        }
        break;
    case LIBRO_CRED_CHARTER:
        rc = check_level(c->level, "credentialSubject.level", err);
        if (rc == LIBRO_OK && c->level_name != NULL) {
            rc = check_text(c->level_name, "credentialSubject.levelName", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_list(c->allowed_types, c->n_allowed, true,
                            "credentialSubject.allowedLicenseTypes", err);
        }
        if (rc == LIBRO_OK) {
            rc = check_terms(c, err);
        }
        break;
    case LIBRO_CRED_ISSUER_AUTH:
        rc = check_grants(c->grants, c->n_grants, "credentialSubject.licenseTypes", err);
        if (rc == LIBRO_OK && c->status_registry != NULL) {
            rc = check_url(c->status_registry, "credentialSubject.statusRegistry", err);
        }
        if (rc == LIBRO_OK && c->status_registry != NULL &&
            c->status_registry[strlen(c->status_registry) - 1] == '/') {
            rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.statusRegistry",
                      "ends with '/' (a registry's base URL has none)");
        }
        break;
    case LIBRO_CRED_REGISTRY_AUTH:
        rc = c->url == NULL ? LIBRO_OK : check_url(c->url, "credentialSubject.url", err);
        break;
    case LIBRO_CRED_MANDATE:
        rc = check_mandate(c, err);
        break;
    case LIBRO_CRED_AGREEMENT:
    case LIBRO_CRED_LAW:
        break; /* checked above: they have no name */
    }
    return rc;
}

/* credentialStatus (docs/credentials.md, "Status"): one index (docs/formats.md: the same in
 * every list), below the largest list a verifier reads, in two or three different lists
 * (the third, the message list, on licenses only), each a URL by the registry URL rule. */
static libro_code
check_status(const libro_credential *c, libro_error *err)
{
    libro_code rc;

    if (!c->has_status && c->type == LIBRO_CRED_MANDATE) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus",
                    "missing (a RoundtableMandate ends early by its status)");
    }
    if (!c->has_status) {
        if (c->status_index != 0 || c->status_revocation_list != NULL ||
            c->status_suspension_list != NULL || c->status_message_list != NULL) {
            return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus",
                        "status members set while has_status is false");
        }
        return LIBRO_OK;
    }
    if (c->status_index >= LIBRO_STATUS_LIST_MAX_ENTRIES) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus[0].statusListIndex",
                    "not below 8388608");
    }
    rc = check_url(c->status_revocation_list, "credentialStatus[0].statusListCredential", err);
    if (rc == LIBRO_OK) {
        rc = check_url(c->status_suspension_list, "credentialStatus[1].statusListCredential", err);
    }
    if (rc == LIBRO_OK && strcmp(c->status_revocation_list, c->status_suspension_list) == 0) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialStatus[1].statusListCredential",
                  "the same list as the revocation entry's");
    }
    if (rc == LIBRO_OK && c->status_message_list == NULL && c->type == LIBRO_CRED_MANDATE) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus[2]",
                    "missing (a RoundtableMandate has the message entry)");
    }
    if (rc != LIBRO_OK || c->status_message_list == NULL) {
        return rc;
    }
    if (!has_message_entry(c->type)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus[2]",
                    "a message entry is only on a ProfessionalLicense or a RoundtableMandate");
    }
    rc = check_url(c->status_message_list, "credentialStatus[2].statusListCredential", err);
    if (rc == LIBRO_OK && (strcmp(c->status_message_list, c->status_revocation_list) == 0 ||
                           strcmp(c->status_message_list, c->status_suspension_list) == 0)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialStatus[2].statusListCredential",
                  "the same list as another entry's");
    }
    return rc;
}

static libro_code
check_rules(const libro_credential *c, enum key_checks keys, libro_error *err)
{
    libro_code rc;

    if (c == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: NULL credential");
    }
    if (libro_cred_type_name(c->type) == NULL) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "credential: type: unknown type %d",
                               (int) c->type);
    }
    rc = check_unused(c, err);
    if (rc == LIBRO_OK) {
        rc = check_id(c->issuer, "issuer", err);
    }
    if (rc == LIBRO_OK) {
        rc = check_time(c->valid_from, "validFrom", err);
    }
    if (rc == LIBRO_OK) {
        rc = check_time(c->valid_until, "validUntil", err);
    }
    if (rc == LIBRO_OK && c->valid_from >= c->valid_until) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "validUntil", "not after validFrom");
    }
    if (rc == LIBRO_OK) {
        rc = check_subject(c, keys, err);
    }
    if (rc == LIBRO_OK) {
        rc = check_status(c, err);
    }
    return rc;
}

libro_code
libro_credential_check(const libro_credential *c, libro_error *err)
{
    return check_rules(c, KEYS_FULL, err);
}

libro_code
libro_credential__check_parsed(const libro_credential *c, libro_error *err)
{
    return check_rules(c, KEYS_FORM_ONLY, err);
}

/* ---- parser: structure and JSON types ----------------------------------------------------- */

struct member {
    const char *name;
    bool required;
};

static const struct member envelope_members[] = {
    {"@context", true},
    {"type", true},
    {"issuer", true},
    {"validFrom", true},
    {"validUntil", true},
    {"credentialSchema", true},
    {"credentialSubject", true},
    {"credentialStatus", false},
};
static const struct member schema_members[] = {{"id", true}, {"type", true}};
static const struct member license_members[] = {
    {"id", false},         {"name", true},  {"licenseNumber", true}, {"profession", true},
    {"licenseType", true}, {"scope", true}, {"community", true},
};
static const struct member community_members[] = {{"id", true}, {"level", true}};
static const struct member charter_members[] = {
    {"id", true},          {"name", true},         {"level", true},
    {"levelName", false},  {"publicKeyJwk", true}, {"allowedLicenseTypes", true},
    {"roundtable", false},
};
static const struct member terms_members[] = {
    {"representativeTermYears", false},
    {"chairTermYears", false},
    {"leaderTermYears", false},
    {"consecutiveTerms", false},
};
static const struct member mandate_members[] = {
    {"id", true},    {"name", true},   {"office", true},   {"roundtable", true},
    {"seat", false}, {"voting", true}, {"election", true},
};
static const struct member roundtable_members[] = {{"id", true}, {"level", true}};
static const struct member election_members[] = {
    {"record", true}, {"date", true}, {"electorate", true}, {"result", true}};
static const struct member issuer_auth_members[] = {{"id", true},
                                                    {"name", true},
                                                    {"publicKeyJwk", true},
                                                    {"licenseTypes", true},
                                                    {"statusRegistry", false}};
static const struct member grant_members[] = {{"id", true}, {"validityDays", true}};
static const struct member agreement_members[] = {
    {"title", true},  {"community", true},   {"parties", true},
    {"ending", true}, {"supersedes", false},
};
static const struct member party_members[] = {
    {"id", true},
    {"name", true},
    {"role", true},
    {"publicKeyJwk", true},
    {"responsibilities", true},
};
static const struct member ending_members[] = {{"noticeDays", false}, {"mutualOnly", false}};
static const struct member law_members[] = {
    {"id", true},         {"title", true},         {"version", true},
    {"aim", true},        {"text", true},          {"community", true},
    {"roundtable", true}, {"consentRecord", true}, {"supersedes", false},
};
static const struct member law_member_members[] = {
    {"id", true}, {"name", true}, {"seat", false}, {"office", true}};
static const struct member registry_auth_members[] = {
    {"id", true}, {"name", true}, {"publicKeyJwk", true}, {"url", false}};
static const struct member status_members[] = {
    {"id", true},
    {"type", true},
    {"statusPurpose", true},
    {"statusListIndex", true},
    {"statusListCredential", true},
};
/* The message entry (§2.1): statusSize and statusMessage are required with statusSize 2. */
static const struct member message_status_members[] = {
    {"id", true},
    {"type", true},
    {"statusPurpose", true},
    {"statusListIndex", true},
    {"statusListCredential", true},
    {"statusSize", true},
    {"statusMessage", true},
};

/* `obj` must be an object holding only members of `m` and every required one: unknown members
 * are reported in document order, then missing ones in spec order. */
static libro_code
check_members(json_t *obj, const char *path, const struct member *m, size_t n, libro_error *err)
{
    char sub[PATH_BYTES];
    char shown[65];
    const char *key;
    json_t *v;
    size_t i;

    if (!json_is_object(obj)) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not an object");
    }
    json_object_foreach(obj, key, v)
    {
        for (i = 0; i < n && strcmp(key, m[i].name) != 0; i++) {
        }
        if (i == n) {
            libro_key__shown(shown, key, strlen(key));
            return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, shown), "unexpected member");
        }
    }
    for (i = 0; i < n; i++) {
        if (m[i].required && json_object_get(obj, m[i].name) == NULL) {
            return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, m[i].name), "missing");
        }
    }
    return LIBRO_OK;
}

/* A copy of string member `name` of `obj` into *out; absent members stay NULL (required ones
 * were checked by check_members). */
static libro_code
get_string(char **out, json_t *obj, const char *path, const char *name, libro_error *err)
{
    char sub[PATH_BYTES];
    json_t *v = json_object_get(obj, name);

    if (v == NULL) {
        return LIBRO_OK;
    }
    if (!json_is_string(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, name), "not a string");
    }
    *out = libro_strndup(json_string_value(v), json_string_length(v));
    return *out == NULL ? nomem(err) : LIBRO_OK;
}

static libro_code
get_integer(long long *out, json_t *obj, const char *path, const char *name, libro_error *err)
{
    char sub[PATH_BYTES];
    json_t *v = json_object_get(obj, name);

    if (!json_is_integer(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, name), "not an integer");
    }
    *out = (long long) json_integer_value(v);
    return LIBRO_OK;
}

/* A JSON array member with its entry count already bounded (bound first, parse second). */
static libro_code
get_array(json_t **out, json_t *obj, const char *path, const char *name, libro_error *err)
{
    char sub[PATH_BYTES];
    json_t *v = json_object_get(obj, name);

    path_member(sub, path, name);
    if (!json_is_array(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, sub, "not an array");
    }
    *out = v;
    return check_count(json_array_size(v), sub, err);
}

static libro_code
get_string_list(char ***out, size_t *n_out, json_t *obj, const char *path, const char *name,
                libro_error *err)
{
    char sub[PATH_BYTES];
    char entry[PATH_BYTES];
    json_t *arr = NULL;
    size_t n;
    size_t i;
    libro_code rc = get_array(&arr, obj, path, name, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    path_member(sub, path, name);
    n = json_array_size(arr);
    *out = libro_calloc(n, sizeof **out);
    if (*out == NULL) {
        return nomem(err);
    }
    for (i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);

        if (!json_is_string(v)) {
            return fail(err, LIBRO_ERR_SCHEMA, path_index(entry, sub, i), "not a string");
        }
        (*out)[i] = libro_strndup(json_string_value(v), json_string_length(v));
        if ((*out)[i] == NULL) {
            return nomem(err);
        }
        (*n_out)++;
    }
    return LIBRO_OK;
}

/* Only the form libro writes, so that every accepted document re-serializes to itself. */
static bool
timestamp_shape(const char *s, size_t len)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t i;

    if (len != TIMESTAMP_LEN) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i]) {
            return false;
        }
    }
    return true;
}

libro_code
libro_credential__time(int64_t *out, const char *s, size_t len, const char *what, libro_error *err)
{
    char back[LIBRO_TIME_TEXT_MAX];
    libro_code rc;

    if (!timestamp_shape(s, len)) {
        return libro_error_set(err, LIBRO_ERR_TIME, "%s: not of the form YYYY-MM-DDTHH:MM:SSZ",
                               what);
    }
    rc = libro_time_parse(out, s, len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, what);
        return rc;
    }
    /* The one shape that parses yet writes back differently: 23:59:60, read as the next
     * second. */
    rc = libro_time_format(back, *out, err);
    if (rc != LIBRO_OK || memcmp(back, s, TIMESTAMP_LEN) != 0) {
        return libro_error_set(err, LIBRO_ERR_TIME, "%s: leap second not accepted", what);
    }
    return LIBRO_OK;
}

static libro_code
get_time(int64_t *out, json_t *obj, const char *parent, const char *member, libro_error *err)
{
    char prefix[PATH_BYTES + 16];
    char name[PATH_BYTES];
    json_t *v = json_object_get(obj, member);

    path_member(name, parent, member);
    if (!json_is_string(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, name, "not a string");
    }
    return libro_credential__time(
        out, json_string_value(v), json_string_length(v),
        snprintf(prefix, sizeof prefix, "credential: %s", name) > 0 ? prefix : "credential", err);
}

static libro_code
expect_string(json_t *v, const char *path, const char *want, libro_error *err)
{
    char what[PATH_BYTES];

    if (json_is_string(v) && strcmp(json_string_value(v), want) == 0 &&
        json_string_length(v) == strlen(want)) {
        return LIBRO_OK;
    }
    if (snprintf(what, sizeof what, "expected \"%s\"", want) < 0) {
        what[0] = '\0';
    }
    return fail(err, LIBRO_ERR_SCHEMA, path, what);
}

/* "@context" and "type" are fixed arrays; "type" also tells which credential this is. */
static libro_code
parse_header(libro_cred_type *type, json_t *root, libro_error *err)
{
    json_t *ctx = json_object_get(root, "@context");
    json_t *ty = json_object_get(root, "type");
    const char *name;
    size_t i;
    libro_code rc;

    if (!json_is_array(ctx)) {
        return fail(err, LIBRO_ERR_SCHEMA, "@context", "not an array");
    }
    if (json_array_size(ctx) != 2) {
        return fail(err, LIBRO_ERR_SCHEMA, "@context", "expected 2 entries");
    }
    rc = expect_string(json_array_get(ctx, 0), "@context[0]", CONTEXT_VC, err);
    if (rc == LIBRO_OK) {
        rc = expect_string(json_array_get(ctx, 1), "@context[1]", CONTEXT_LIBRO, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!json_is_array(ty)) {
        return fail(err, LIBRO_ERR_SCHEMA, "type", "not an array");
    }
    if (json_array_size(ty) != 2) {
        return fail(err, LIBRO_ERR_SCHEMA, "type", "expected 2 entries");
    }
    rc = expect_string(json_array_get(ty, 0), "type[0]", VC_TYPE, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!json_is_string(json_array_get(ty, 1))) {
        return fail(err, LIBRO_ERR_SCHEMA, "type[1]", "not a string");
    }
    name = json_string_value(json_array_get(ty, 1));
    for (i = 0; i < LIBRO_NELEM(types); i++) {
        if (strcmp(name, types[i].name) == 0) {
            *type = types[i].type;
            return LIBRO_OK;
        }
    }
    return fail(err, LIBRO_ERR_SCHEMA, "type[1]", "unknown credential type");
}

static libro_code
parse_schema_ref(json_t *root, libro_cred_type type, libro_error *err)
{
    char want[PATH_BYTES];
    json_t *ref = json_object_get(root, "credentialSchema");
    libro_code rc =
        check_members(ref, "credentialSchema", schema_members, LIBRO_NELEM(schema_members), err);
    int n;

    if (rc != LIBRO_OK) {
        return rc;
    }
    n = snprintf(want, sizeof want, "%s%s.json", SCHEMA_BASE, libro_cred_schema_name(type));
    if (n < 0 || (size_t) n >= sizeof want) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: schema id too long");
    }
    rc = expect_string(json_object_get(ref, "id"), "credentialSchema.id", want, err);
    if (rc == LIBRO_OK) {
        rc = expect_string(json_object_get(ref, "type"), "credentialSchema.type", SCHEMA_TYPE, err);
    }
    return rc;
}

/* publicKeyJwk must be a JSON object in the credential (not a string holding one); its text
 * goes to the one strict JWK importer, whose every refusal is a bad key here. */
static libro_code
get_jwk_at(libro_key **out, json_t *obj, const char *parent, libro_error *err)
{
    char path[PATH_BYTES];
    char prefix[PATH_BYTES + 16];
    libro_buf text = LIBRO_BUF_INIT;
    json_t *v = json_object_get(obj, "publicKeyJwk");
    libro_code rc;

    path_member(path, parent, "publicKeyJwk");
    if (!json_is_object(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, path, "not an object");
    }
    rc = libro_json__dump(&text, v, err);
    if (rc == LIBRO_OK) {
        rc = libro_key_from_jwk(out, (const char *) text.data, text.len, err);
    }
    if (rc != LIBRO_OK && rc != LIBRO_ERR_NOMEM) {
        libro_error_prefix(err, snprintf(prefix, sizeof prefix, "credential: %s", path) > 0
                                    ? prefix
                                    : "credential");
        rc = LIBRO_ERR_BAD_KEY;
        if (err != NULL) {
            err->code = rc;
        }
    }
    libro_buf_free(&text);
    return rc;
}

static libro_code
get_jwk(libro_key **out, json_t *subject, libro_error *err)
{
    return get_jwk_at(out, subject, "credentialSubject", err);
}

/* credentialSubject.community: {"id","level"} (a license's, an agreement's, a law's). */
static libro_code
parse_community(libro_credential *c, json_t *s, libro_error *err)
{
    static const char cp[] = "credentialSubject.community";
    json_t *community = json_object_get(s, "community");
    long long level = 0;
    libro_code rc =
        check_members(community, cp, community_members, LIBRO_NELEM(community_members), err);

    if (rc == LIBRO_OK) {
        rc = get_string(&c->community_id, community, cp, "id", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_integer(&level, community, cp, "level", err);
    }
    if (rc == LIBRO_OK) {
        rc = check_level(level, "credentialSubject.community.level", err);
    }
    c->community_level = rc == LIBRO_OK ? (int) level : 0;
    return rc;
}

static libro_code
parse_license(libro_credential *c, json_t *s, libro_error *err)
{
    static const char sp[] = "credentialSubject";
    libro_code rc;

    rc = get_string(&c->license_number, s, sp, "licenseNumber", err);
    if (rc == LIBRO_OK) {
        rc = get_string(&c->profession, s, sp, "profession", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&c->license_type, s, sp, "licenseType", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string_list(&c->scope, &c->n_scope, s, sp, "scope", err);
    }
    if (rc == LIBRO_OK) {
        rc = parse_community(c, s, err);
    }
    return rc;
}

/* An array member of min..max entries (bound first, parse second). */
static libro_code
get_array_n(json_t **out, json_t *obj, const char *path, const char *name, size_t min, size_t max,
            libro_error *err)
{
    char sub[PATH_BYTES];
    char what[48];
    json_t *v = json_object_get(obj, name);

    path_member(sub, path, name);
    if (!json_is_array(v)) {
        return fail(err, LIBRO_ERR_SCHEMA, sub, "not an array");
    }
    if (json_array_size(v) < min || json_array_size(v) > max) {
        return fail(err, LIBRO_ERR_SCHEMA, sub,
                    snprintf(what, sizeof what, "not %zu..%zu entries", min, max) > 0
                        ? what
                        : "wrong number of entries");
    }
    *out = v;
    return LIBRO_OK;
}

static libro_code
parse_party(libro_party *p, json_t *v, const char *path, libro_error *err)
{
    json_t *arr = NULL;
    libro_code rc = check_members(v, path, party_members, LIBRO_NELEM(party_members), err);

    if (rc == LIBRO_OK) {
        rc = get_string(&p->id, v, path, "id", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&p->name, v, path, "name", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&p->role, v, path, "role", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_jwk_at(&p->key, v, path, err);
    }
    /* Bounded before get_string_list copies (which bounds at 32, the same cap). */
    if (rc == LIBRO_OK) {
        rc = get_array_n(&arr, v, path, "responsibilities", 1, LIBRO_MAX_RESPONSIBILITIES, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string_list(&p->responsibilities, &p->n_responsibilities, v, path,
                             "responsibilities", err);
    }
    return rc;
}

static libro_code
parse_agreement(libro_credential *c, json_t *s, libro_error *err)
{
    static const char sp[] = "credentialSubject";
    static const char ep[] = "credentialSubject.ending";
    char path[PATH_BYTES];
    json_t *parties = NULL;
    json_t *ending = json_object_get(s, "ending");
    json_t *notice;
    json_t *mutual;
    size_t i;
    libro_code rc = get_string(&c->title, s, sp, "title", err);

    if (rc == LIBRO_OK) {
        rc = parse_community(c, s, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_array_n(&parties, s, sp, "parties", LIBRO_MIN_PARTIES, LIBRO_MAX_PARTIES, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    c->parties = libro_calloc(json_array_size(parties), sizeof *c->parties);
    if (c->parties == NULL) {
        return nomem(err);
    }
    c->n_parties = json_array_size(parties);
    for (i = 0; rc == LIBRO_OK && i < c->n_parties; i++) {
        rc = parse_party(&c->parties[i], json_array_get(parties, i),
                         path_index(path, "credentialSubject.parties", i), err);
    }
    if (rc == LIBRO_OK) {
        rc = check_members(ending, ep, ending_members, LIBRO_NELEM(ending_members), err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    notice = json_object_get(ending, "noticeDays");
    mutual = json_object_get(ending, "mutualOnly");
    if ((notice == NULL) == (mutual == NULL)) {
        return fail(err, LIBRO_ERR_SCHEMA, ep, "exactly one of noticeDays and mutualOnly");
    }
    if (mutual != NULL && !json_is_true(mutual)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.ending.mutualOnly", "not true");
    }
    c->mutual_only = mutual != NULL;
    if (notice != NULL) {
        long long days = 0;

        rc = get_integer(&days, ending, ep, "noticeDays", err);
        if (rc == LIBRO_OK && (days < 1 || days > (long long) LIBRO_MAX_NOTICE_DAYS)) {
            rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.ending.noticeDays",
                      "not in 1..3650");
        }
        c->notice_days = rc == LIBRO_OK ? (uint32_t) days : 0;
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&c->supersedes, s, sp, "supersedes", err);
    }
    return rc;
}

static libro_code
parse_law_member(libro_law_member *m, json_t *v, const char *path, libro_error *err)
{
    char sub[PATH_BYTES];
    json_t *office = json_object_get(v, "office");
    libro_code rc =
        check_members(v, path, law_member_members, LIBRO_NELEM(law_member_members), err);

    if (rc == LIBRO_OK) {
        rc = get_string(&m->id, v, path, "id", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&m->name, v, path, "name", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&m->seat, v, path, "seat", err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!json_is_string(office)) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "office"), "not a string");
    }
    if (!libro_office_from_name(&m->office, json_string_value(office),
                                json_string_length(office)) ||
        m->office == LIBRO_OFFICE_LEADER) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(sub, path, "office"),
                    "not representative or chair");
    }
    return LIBRO_OK;
}

static libro_code
parse_law(libro_credential *c, json_t *s, libro_error *err)
{
    static const char sp[] = "credentialSubject";
    char path[PATH_BYTES];
    json_t *members = NULL;
    long long version = 0;
    size_t i;
    libro_code rc = get_string(&c->title, s, sp, "title", err);

    if (rc == LIBRO_OK) {
        rc = get_integer(&version, s, sp, "version", err);
    }
    if (rc == LIBRO_OK && (version < 1 || version > (long long) LIBRO_MAX_LAW_VERSION)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.version", "not in 1..1000");
    }
    if (rc == LIBRO_OK) {
        c->law_version = (uint32_t) version;
        rc = get_string(&c->aim, s, sp, "aim", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&c->text, s, sp, "text", err);
    }
    if (rc == LIBRO_OK) {
        rc = parse_community(c, s, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_array_n(&members, s, sp, "roundtable", 1, LIBRO_MAX_LAW_MEMBERS, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    c->members = libro_calloc(json_array_size(members), sizeof *c->members);
    if (c->members == NULL) {
        return nomem(err);
    }
    c->n_members = json_array_size(members);
    for (i = 0; rc == LIBRO_OK && i < c->n_members; i++) {
        rc = parse_law_member(&c->members[i], json_array_get(members, i),
                              path_index(path, "credentialSubject.roundtable", i), err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&c->consent_record, s, sp, "consentRecord", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&c->supersedes, s, sp, "supersedes", err);
    }
    return rc;
}

/* One optional term of the charter's roundtable member, bounded here to its widest range;
 * check_terms narrows it by office and level. */
static libro_code
get_term(unsigned *out, json_t *terms, const char *name, long long max, libro_error *err)
{
    static const char tp[] = "credentialSubject.roundtable";
    char sub[PATH_BYTES];
    char what[32];
    long long v = 0;
    libro_code rc;

    if (json_object_get(terms, name) == NULL) {
        return LIBRO_OK;
    }
    rc = get_integer(&v, terms, tp, name, err);
    if (rc == LIBRO_OK && (v < 1 || v > max)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, path_member(sub, tp, name),
                  snprintf(what, sizeof what, "not in 1..%lld", max) > 0 ? what : "out of range");
    }
    if (rc == LIBRO_OK) {
        *out = (unsigned) v;
    }
    return rc;
}

static libro_code
parse_terms(libro_credential *c, json_t *terms, libro_error *err)
{
    static const char tp[] = "credentialSubject.roundtable";
    libro_code rc = check_members(terms, tp, terms_members, LIBRO_NELEM(terms_members), err);

    if (rc == LIBRO_OK && json_object_size(terms) == 0) {
        rc = fail(err, LIBRO_ERR_SCHEMA, tp, "empty object (set at least one member)");
    }
    if (rc == LIBRO_OK) {
        rc = get_term(&c->rt_representative_years, terms, "representativeTermYears",
                      LIBRO_TERM_REPRESENTATIVE_YEARS, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_term(&c->rt_chair_years, terms, "chairTermYears", LIBRO_TERM_CHAIR_YEARS, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_term(&c->rt_leader_years, terms, "leaderTermYears", LIBRO_TERM_LEADER_YEARS, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_term(&c->rt_consecutive_terms, terms, "consecutiveTerms", LIBRO_MAX_TERMS_IN_ROW,
                      err);
    }
    return rc;
}

static libro_code
parse_charter(libro_credential *c, json_t *s, libro_error *err)
{
    static const char sp[] = "credentialSubject";
    long long level = 0;
    libro_code rc;

    rc = get_integer(&level, s, sp, "level", err);
    if (rc == LIBRO_OK) {
        rc = check_level(level, "credentialSubject.level", err);
    }
    if (rc == LIBRO_OK) {
        c->level = (int) level;
        rc = get_string(&c->level_name, s, sp, "levelName", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_jwk(&c->subject_key, s, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string_list(&c->allowed_types, &c->n_allowed, s, sp, "allowedLicenseTypes", err);
    }
    if (rc == LIBRO_OK && json_object_get(s, "roundtable") != NULL) {
        rc = parse_terms(c, json_object_get(s, "roundtable"), err);
    }
    return rc;
}

static libro_code
parse_mandate(libro_credential *c, json_t *s, libro_error *err)
{
    static const char sp[] = "credentialSubject";
    static const char rp[] = "credentialSubject.roundtable";
    static const char ep[] = "credentialSubject.election";
    json_t *office = json_object_get(s, "office");
    json_t *roundtable = json_object_get(s, "roundtable");
    json_t *election = json_object_get(s, "election");
    json_t *voting = json_object_get(s, "voting");
    long long level = 0;
    long long electorate = 0;
    libro_code rc;

    if (!json_is_string(office)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.office", "not a string");
    }
    if (!libro_office_from_name(&c->office, json_string_value(office),
                                json_string_length(office))) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.office",
                    "not representative, chair or leader");
    }
    rc = check_members(roundtable, rp, roundtable_members, LIBRO_NELEM(roundtable_members), err);
    if (rc == LIBRO_OK) {
        rc = get_string(&c->roundtable_id, roundtable, rp, "id", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_integer(&level, roundtable, rp, "level", err);
    }
    if (rc == LIBRO_OK) {
        rc = check_level(level, "credentialSubject.roundtable.level", err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    c->roundtable_level = (int) level;
    rc = get_string(&c->seat, s, sp, "seat", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!json_is_boolean(voting)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.voting", "not a boolean");
    }
    c->voting = json_is_true(voting);
    rc = check_members(election, ep, election_members, LIBRO_NELEM(election_members), err);
    if (rc == LIBRO_OK) {
        rc = get_string(&c->election_record, election, ep, "record", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_time(&c->election_date, election, ep, "date", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_integer(&electorate, election, ep, "electorate", err);
    }
    if (rc == LIBRO_OK && (electorate < 1 || electorate > (long long) LIBRO_MAX_ELECTORATE)) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialSubject.election.electorate",
                  "not in 1..100000000");
    }
    if (rc == LIBRO_OK) {
        c->election_electorate = (uint32_t) electorate;
        rc = get_string(&c->election_result, election, ep, "result", err);
    }
    return rc;
}

static libro_code
parse_issuer_auth(libro_credential *c, json_t *s, libro_error *err)
{
    char lp[PATH_BYTES];
    char ep[PATH_BYTES];
    json_t *arr = NULL;
    size_t n;
    size_t i;
    libro_code rc = get_jwk(&c->subject_key, s, err);

    if (rc == LIBRO_OK) {
        rc = get_string(&c->status_registry, s, "credentialSubject", "statusRegistry", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_array(&arr, s, "credentialSubject", "licenseTypes", err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    path_member(lp, "credentialSubject", "licenseTypes");
    n = json_array_size(arr);
    c->grants = libro_calloc(n, sizeof *c->grants);
    if (c->grants == NULL) {
        return nomem(err);
    }
    for (i = 0; i < n; i++) {
        json_t *g = json_array_get(arr, i);
        long long days = 0;

        path_index(ep, lp, i);
        rc = check_members(g, ep, grant_members, LIBRO_NELEM(grant_members), err);
        if (rc == LIBRO_OK) {
            rc = get_string(&c->grants[i].id, g, ep, "id", err);
        }
        /* Counted once its id is owned, so that free releases it whatever happens next. */
        c->n_grants++;
        if (rc == LIBRO_OK) {
            rc = get_integer(&days, g, ep, "validityDays", err);
        }
        if (rc == LIBRO_OK) {
            char dp[PATH_BYTES];

            rc = check_days(days, path_member(dp, ep, "validityDays"), err);
        }
        if (rc != LIBRO_OK) {
            return rc;
        }
        c->grants[i].validity_days = (uint32_t) days;
    }
    return LIBRO_OK;
}

static libro_code
parse_registry_auth(libro_credential *c, json_t *s, libro_error *err)
{
    libro_code rc = get_jwk(&c->subject_key, s, err);

    if (rc == LIBRO_OK) {
        rc = get_string(&c->url, s, "credentialSubject", "url", err);
    }
    return rc;
}

/* One BitstringStatusListEntry (Bitstring Status List v1.0 §2.1) as libro writes it: the
 * purpose fixed by its position, statusListIndex canonical decimal (§2.1: "expressed as a
 * string in base 10"; no leading zero, so it writes back the same), and the id derived from
 * the other two, so that it can neither point elsewhere nor be the list's own URL (§2.1). The
 * message entry adds exactly statusSize 2 and libro's statusMessage array. */
static libro_code
parse_status_entry(char **list, uint32_t *index, json_t *entry, size_t i, const char *purpose,
                   libro_status_words words, libro_error *err)
{
    char ep[PATH_BYTES];
    char mp[PATH_BYTES];
    char idx_text[16];
    json_t *idx = json_object_get(entry, "statusListIndex");
    json_t *id = json_object_get(entry, "id");
    uint64_t value = 0;
    size_t list_len;
    json_t *size = json_object_get(entry, "statusSize");
    const char *problem;
    bool message = strcmp(purpose, "message") == 0;
    int n;
    libro_code rc;

    path_index(ep, "credentialStatus", i);
    rc = message ? check_members(entry, ep, message_status_members,
                                 LIBRO_NELEM(message_status_members), err)
                 : check_members(entry, ep, status_members, LIBRO_NELEM(status_members), err);
    if (rc == LIBRO_OK) {
        rc = expect_string(json_object_get(entry, "type"), path_member(mp, ep, "type"),
                           STATUS_ENTRY_TYPE, err);
    }
    if (rc == LIBRO_OK) {
        rc = expect_string(json_object_get(entry, "statusPurpose"),
                           path_member(mp, ep, "statusPurpose"), purpose, err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(list, entry, ep, "statusListCredential", err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    path_member(mp, ep, "statusListIndex");
    if (!json_is_string(idx)) {
        return fail(err, LIBRO_ERR_SCHEMA, mp, "not a string");
    }
    if (libro_parse_u64(&value, json_string_value(idx), json_string_length(idx),
                        LIBRO_STATUS_LIST_MAX_ENTRIES - 1, NULL) != LIBRO_OK) {
        return fail(err, LIBRO_ERR_SCHEMA, mp, "not a decimal index below 8388608");
    }
    *index = (uint32_t) value;
    path_member(mp, ep, "id");
    if (!json_is_string(id)) {
        return fail(err, LIBRO_ERR_SCHEMA, mp, "not a string");
    }
    n = snprintf(idx_text, sizeof idx_text, "#%u", (unsigned) *index);
    list_len = strlen(*list);
    if (n < 0 || (size_t) n >= sizeof idx_text || json_string_length(id) != list_len + (size_t) n ||
        memcmp(json_string_value(id), *list, list_len) != 0 ||
        memcmp(json_string_value(id) + list_len, idx_text, (size_t) n) != 0) {
        return fail(err, LIBRO_ERR_SCHEMA, mp,
                    "not statusListCredential + \"#\" + statusListIndex");
    }
    if (!message) {
        return LIBRO_OK;
    }
    /* §2.1: statusSize an integer > 0 with 2^statusSize messages; libro's lists are 2 wide. */
    if (!json_is_integer(size) || json_integer_value(size) != LIBRO_STATUS_MESSAGE_SIZE) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(mp, ep, "statusSize"), "not the integer 2");
    }
    problem = libro_statuslist__messages_problem(json_object_get(entry, "statusMessage"), words);
    if (problem != NULL) {
        return fail(err, LIBRO_ERR_SCHEMA, path_member(mp, ep, "statusMessage"), problem);
    }
    return LIBRO_OK;
}

/* credentialStatus: exactly [revocation, suspension] or [revocation, suspension, message] at
 * one index (docs/formats.md; licenses issued before the message list have two entries). */
static libro_code
parse_status(libro_credential *c, json_t *root, libro_error *err)
{
    json_t *arr = json_object_get(root, "credentialStatus");
    uint32_t suspension_index = 0;
    uint32_t message_index = 0;
    libro_code rc;

    if (arr == NULL) {
        return LIBRO_OK;
    }
    if (!has_status_member(c->type)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus", "unexpected member");
    }
    if (!json_is_array(arr)) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus", "not an array");
    }
    if (c->type == LIBRO_CRED_MANDATE && json_array_size(arr) != 3) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus",
                    "expected 3 entries (revocation, suspension, message)");
    }
    if (json_array_size(arr) != 2 && json_array_size(arr) != 3) {
        return fail(err, LIBRO_ERR_SCHEMA, "credentialStatus",
                    "expected 2 or 3 entries (revocation, suspension, message)");
    }
    rc = parse_status_entry(&c->status_revocation_list, &c->status_index, json_array_get(arr, 0), 0,
                            "revocation", words_of(c->type), err);
    if (rc == LIBRO_OK) {
        rc = parse_status_entry(&c->status_suspension_list, &suspension_index,
                                json_array_get(arr, 1), 1, "suspension", words_of(c->type), err);
    }
    if (rc == LIBRO_OK && suspension_index != c->status_index) {
        rc = fail(err, LIBRO_ERR_SCHEMA, "credentialStatus[1].statusListIndex",
                  "not the revocation entry's index");
    }
    if (rc == LIBRO_OK && json_array_size(arr) == 3) {
        rc = parse_status_entry(&c->status_message_list, &message_index, json_array_get(arr, 2), 2,
                                "message", words_of(c->type), err);
        if (rc == LIBRO_OK && message_index != c->status_index) {
            rc = fail(err, LIBRO_ERR_SCHEMA, "credentialStatus[2].statusListIndex",
                      "not the revocation entry's index");
        }
    }
    c->has_status = rc == LIBRO_OK;
    return rc;
}

static const struct member *
subject_members(libro_cred_type type, size_t *n)
{
    switch (type) {
    case LIBRO_CRED_LICENSE:
        *n = LIBRO_NELEM(license_members);
        return license_members;
    case LIBRO_CRED_CHARTER:
        *n = LIBRO_NELEM(charter_members);
        return charter_members;
    case LIBRO_CRED_ISSUER_AUTH:
        *n = LIBRO_NELEM(issuer_auth_members);
        return issuer_auth_members;
    case LIBRO_CRED_MANDATE:
        *n = LIBRO_NELEM(mandate_members);
        return mandate_members;
    case LIBRO_CRED_AGREEMENT:
        *n = LIBRO_NELEM(agreement_members);
        return agreement_members;
    case LIBRO_CRED_LAW:
        *n = LIBRO_NELEM(law_members);
        return law_members;
    case LIBRO_CRED_REGISTRY_AUTH:
        break;
    }
    *n = LIBRO_NELEM(registry_auth_members);
    return registry_auth_members;
}

static size_t
payload_cap(libro_cred_type type)
{
    return type == LIBRO_CRED_AGREEMENT ? LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES
           : type == LIBRO_CRED_LAW     ? LIBRO_MAX_LAW_PAYLOAD_BYTES
                                        : LIBRO_MAX_CLAIMS_BYTES;
}

/* The reference parser: the whole document as a jansson tree, then the checks above member by
 * member. libro_credential_parse (credential_scan.c) runs it for every document the lean
 * scanner declines. */
libro_code
libro_credential__parse_tree(libro_credential **out, const void *p, size_t len, libro_error *err)
{
    /* The largest of the types' caps; each type's own is applied once the type is known. */
    static const libro_json_limits lim = {1, LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES,
                                          LIBRO_MAX_JSON_DEPTH};
    static const char sp[] = "credentialSubject";
    libro_credential *c = NULL;
    const struct member *sm;
    json_t *root = NULL;
    json_t *subject;
    libro_cred_type type = LIBRO_CRED_LICENSE;
    size_t n_sm = 0;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: NULL argument");
    }
    *out = NULL;
    rc = libro_json__load(&root, p, len, &lim, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "credential");
        goto out;
    }
    if (!json_is_object(root)) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "credential: not a JSON object");
        goto out;
    }
    rc = check_members(root, "", envelope_members, LIBRO_NELEM(envelope_members), err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = parse_header(&type, root, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (len > payload_cap(type)) {
        /* The message the JSON reader gives at its cap, for the same document. */
        rc = libro_error_set(err, LIBRO_ERR_LIMIT,
                             "credential: json: document larger than %zu bytes", payload_cap(type));
        goto out;
    }
    rc = libro_credential_new(&c, type, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = get_string(&c->issuer, root, "", "issuer", err);
    if (rc == LIBRO_OK) {
        rc = get_time(&c->valid_from, root, "", "validFrom", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_time(&c->valid_until, root, "", "validUntil", err);
    }
    if (rc == LIBRO_OK) {
        rc = parse_schema_ref(root, type, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    subject = json_object_get(root, sp);
    sm = subject_members(type, &n_sm);
    rc = check_members(subject, sp, sm, n_sm, err);
    if (rc == LIBRO_OK) {
        rc = get_string(&c->subject_id, subject, sp, "id", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_string(&c->name, subject, sp, "name", err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    switch (type) {
    case LIBRO_CRED_LICENSE:
        rc = parse_license(c, subject, err);
        break;
    case LIBRO_CRED_CHARTER:
        rc = parse_charter(c, subject, err);
        break;
    case LIBRO_CRED_ISSUER_AUTH:
        rc = parse_issuer_auth(c, subject, err);
        break;
    case LIBRO_CRED_REGISTRY_AUTH:
        rc = parse_registry_auth(c, subject, err);
        break;
    case LIBRO_CRED_MANDATE:
        rc = parse_mandate(c, subject, err);
        break;
    case LIBRO_CRED_AGREEMENT:
        rc = parse_agreement(c, subject, err);
        break;
    case LIBRO_CRED_LAW:
        rc = parse_law(c, subject, err);
        break;
    }
    if (rc == LIBRO_OK) {
        rc = parse_status(c, root, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = check_rules(c, KEYS_FORM_ONLY, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = c;
    c = NULL; /* moved to caller */
out:
    libro_credential_free(c);
    json_decref(root);
    return rc;
}

/* ---- writer ------------------------------------------------------------------------------ */

/* json_pack steals every "o" value, on failure too, and "s*" / "o*" leave a member out when
 * its value is NULL, so each builder below is one leak-free expression. Member order is the
 * order of the format: jansson keeps insertion order and libro_json__dump writes it. */

static json_t *
time_value(int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];

    /* Checked by libro_credential_check; NULL makes the pack fail rather than guess. */
    if (libro_time_format(text, t, NULL) != LIBRO_OK) {
        return NULL;
    }
    return json_stringn(text, TIMESTAMP_LEN);
}

static json_t *
str_list(char *const *list, size_t n)
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

static json_t *
grant_list(const libro_license_grant *g, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < n; i++) {
        json_t *v =
            json_pack("{s:s, s:I}", "id", g[i].id, "validityDays", (json_int_t) g[i].validity_days);

        if (json_array_append_new(arr, v) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* The JWK as docs/credentials.md shows it: kty, crv, x (and y), nothing else. The members
 * are written here rather than taken from libro_key_to_jwk, which adds alg and sorts. */
static libro_code
jwk_value(json_t **out, const libro_key *k, libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_buf x = LIBRO_BUF_INIT;
    libro_buf y = LIBRO_BUF_INIT;
    bool ec = libro_key_alg(k) == LIBRO_ALG_ES256;
    libro_code rc;

    *out = NULL;
    rc = libro_key_raw_public(&raw, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (ec) {
        /* SEC1 uncompressed: 0x04 || x (32) || y (32). */
        rc = libro_b64url_encode(&x, raw.data + 1, 32, err);
        if (rc == LIBRO_OK) {
            rc = libro_b64url_encode(&y, raw.data + 33, 32, err);
        }
    } else {
        rc = libro_b64url_encode(&x, raw.data, raw.len, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = json_pack("{s:s, s:s, s:s, s:s*}", "kty", ec ? "EC" : "OKP", "crv",
                     ec ? "P-256" : "Ed25519", "x", (const char *) x.data, "y",
                     ec ? (const char *) y.data : NULL);
    if (*out == NULL) {
        rc = nomem(err);
    }
out:
    libro_buf_free(&y);
    libro_buf_free(&x);
    libro_buf_free(&raw);
    return rc;
}

/* A charter's roundtable member, members in the order of docs/credentials.md and only those
 * set; NULL (no member: "o*" leaves it out) when none is. */
static json_t *
terms_value(const libro_credential *c)
{
    const struct {
        const char *name;
        unsigned value;
    } terms[] = {
        {"representativeTermYears", c->rt_representative_years},
        {"chairTermYears", c->rt_chair_years},
        {"leaderTermYears", c->rt_leader_years},
        {"consecutiveTerms", c->rt_consecutive_terms},
    };
    json_t *obj = NULL;
    size_t i;

    for (i = 0; i < LIBRO_NELEM(terms); i++) {
        if (terms[i].value == 0) {
            continue;
        }
        if (obj == NULL) {
            obj = json_object();
        }
        if (obj == NULL || json_object_set_new(obj, terms[i].name,
                                               json_integer((json_int_t) terms[i].value)) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

/* An agreement's parties, each with its publicKeyJwk as jwk_value writes it. */
static libro_code
parties_value(json_t **out, const libro_credential *c, libro_error *err)
{
    json_t *arr = json_array();
    size_t i;
    libro_code rc = arr == NULL ? nomem(err) : LIBRO_OK;

    for (i = 0; rc == LIBRO_OK && i < c->n_parties; i++) {
        const libro_party *p = &c->parties[i];
        json_t *jwk = NULL;

        rc = jwk_value(&jwk, p->key, err);
        if (rc == LIBRO_OK &&
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", p->id, "name", p->name, "role",
                               p->role, "publicKeyJwk", jwk, "responsibilities",
                               str_list(p->responsibilities, p->n_responsibilities))) != 0) {
            rc = nomem(err);
        }
    }
    if (rc != LIBRO_OK) {
        json_decref(arr);
        arr = NULL;
    }
    *out = arr;
    return rc;
}

static json_t *
law_members_value(const libro_credential *c)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < c->n_members; i++) {
        const libro_law_member *m = &c->members[i];

        if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s*, s:s}", "id", m->id, "name",
                                                 m->name, "seat", m->seat, "office",
                                                 libro_office_name(m->office))) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* credentialSubject; `jwk` stays the caller's ("O" takes a new reference); `parties` too. */
static json_t *
subject_value(const libro_credential *c, json_t *jwk, json_t *parties)
{
    switch (c->type) {
    case LIBRO_CRED_LICENSE:
        return json_pack("{s:s*, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:i}}", "id", c->subject_id,
                         "name", c->name, "licenseNumber", c->license_number, "profession",
                         c->profession, "licenseType", c->license_type, "scope",
                         str_list(c->scope, c->n_scope), "community", "id", c->community_id,
                         "level", c->community_level);
    case LIBRO_CRED_CHARTER:
        return json_pack("{s:s, s:s, s:i, s:s*, s:O, s:o, s:o*}", "id", c->subject_id, "name",
                         c->name, "level", c->level, "levelName", c->level_name, "publicKeyJwk",
                         jwk, "allowedLicenseTypes", str_list(c->allowed_types, c->n_allowed),
                         "roundtable", terms_value(c));
    case LIBRO_CRED_ISSUER_AUTH:
        return json_pack("{s:s, s:s, s:O, s:o, s:s*}", "id", c->subject_id, "name", c->name,
                         "publicKeyJwk", jwk, "licenseTypes", grant_list(c->grants, c->n_grants),
                         "statusRegistry", c->status_registry);
    case LIBRO_CRED_REGISTRY_AUTH:
        return json_pack("{s:s, s:s, s:O, s:s*}", "id", c->subject_id, "name", c->name,
                         "publicKeyJwk", jwk, "url", c->url);
    case LIBRO_CRED_MANDATE:
        return json_pack("{s:s, s:s, s:s, s:{s:s, s:i}, s:s*, s:b, s:{s:s, s:o, s:I, s:s}}", "id",
                         c->subject_id, "name", c->name, "office", libro_office_name(c->office),
                         "roundtable", "id", c->roundtable_id, "level", c->roundtable_level, "seat",
                         c->seat, "voting", (int) c->voting, "election", "record",
                         c->election_record, "date", time_value(c->election_date), "electorate",
                         (json_int_t) c->election_electorate, "result", c->election_result);
    case LIBRO_CRED_AGREEMENT:
        if (c->mutual_only) {
            return json_pack("{s:s, s:{s:s, s:i}, s:O, s:{s:b}, s:s*}", "title", c->title,
                             "community", "id", c->community_id, "level", c->community_level,
                             "parties", parties, "ending", "mutualOnly", 1, "supersedes",
                             c->supersedes);
        }
        return json_pack("{s:s, s:{s:s, s:i}, s:O, s:{s:I}, s:s*}", "title", c->title, "community",
                         "id", c->community_id, "level", c->community_level, "parties", parties,
                         "ending", "noticeDays", (json_int_t) c->notice_days, "supersedes",
                         c->supersedes);
    case LIBRO_CRED_LAW:
        return json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:s, s:i}, s:o, s:s, s:s*}", "id",
                         c->subject_id, "title", c->title, "version", (json_int_t) c->law_version,
                         "aim", c->aim, "text", c->text, "community", "id", c->community_id,
                         "level", c->community_level, "roundtable", law_members_value(c),
                         "consentRecord", c->consent_record, "supersedes", c->supersedes);
    }
    return NULL;
}

static json_t *
status_entry(const char *list, uint32_t index, const char *purpose)
{
    char idx[16];
    json_t *v = NULL;
    libro_buf id = LIBRO_BUF_INIT;
    int n = snprintf(idx, sizeof idx, "%u", (unsigned) index);

    if (n < 0 || (size_t) n >= sizeof idx) {
        return NULL;
    }
    if (libro_buf_printf(&id, NULL, "%s#%s", list, idx) == LIBRO_OK) {
        v = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", (const char *) id.data, "type",
                      STATUS_ENTRY_TYPE, "statusPurpose", purpose, "statusListIndex", idx,
                      "statusListCredential", list);
    }
    libro_buf_free(&id);
    return v;
}

/* The message entry: the common members, then statusSize and statusMessage (§2.1). */
static json_t *
message_entry(const char *list, uint32_t index, libro_status_words words)
{
    json_t *v = status_entry(list, index, "message");

    if (v != NULL &&
        (json_object_set_new(v, "statusSize",
                             json_integer((json_int_t) LIBRO_STATUS_MESSAGE_SIZE)) != 0 ||
         json_object_set_new(v, "statusMessage", libro_statuslist__messages_json(words)) != 0)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

/* credentialStatus in the order of docs/credentials.md: revocation, suspension, message. */
static json_t *
status_value(const libro_credential *c)
{
    if (c->status_message_list != NULL) {
        return json_pack("[o, o, o]",
                         status_entry(c->status_revocation_list, c->status_index, "revocation"),
                         status_entry(c->status_suspension_list, c->status_index, "suspension"),
                         message_entry(c->status_message_list, c->status_index, words_of(c->type)));
    }
    return json_pack("[o, o]",
                     status_entry(c->status_revocation_list, c->status_index, "revocation"),
                     status_entry(c->status_suspension_list, c->status_index, "suspension"));
}

libro_code
libro_credential_to_json(libro_buf *out, const libro_credential *c, libro_error *err)
{
    char schema_id[PATH_BYTES];
    json_t *root = NULL;
    json_t *jwk = NULL;
    json_t *parties = NULL;
    json_t *status = NULL;
    libro_buf doc = LIBRO_BUF_INIT;
    int n;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: out is NULL");
    }
    /* The same rules as the parser, so that whatever parses also writes back; the issuer
     * adds the full key check (libro_credential_check) before it signs. */
    if (c == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: NULL credential");
    }
    rc = check_rules(c, KEYS_FORM_ONLY, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (c->subject_key != NULL) {
        rc = jwk_value(&jwk, c->subject_key, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    if (c->type == LIBRO_CRED_AGREEMENT) {
        rc = parties_value(&parties, c, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    n = snprintf(schema_id, sizeof schema_id, "%s%s.json", SCHEMA_BASE,
                 libro_cred_schema_name(c->type));
    if (n < 0 || (size_t) n >= sizeof schema_id) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: schema id too long");
        goto out;
    }
    /* Built apart: "o*" below leaves the member out for a NULL value, which must mean "no
     * status", never "out of memory". */
    if (c->has_status) {
        status = status_value(c);
        if (status == NULL) {
            rc = nomem(err);
            goto out;
        }
    }
    root = json_pack("{s:[s,s], s:[s,s], s:s, s:o, s:o, s:{s:s, s:s}, s:o, s:O*}", "@context",
                     CONTEXT_VC, CONTEXT_LIBRO, "type", VC_TYPE, libro_cred_type_name(c->type),
                     "issuer", c->issuer, "validFrom", time_value(c->valid_from), "validUntil",
                     time_value(c->valid_until), "credentialSchema", "id", schema_id, "type",
                     SCHEMA_TYPE, "credentialSubject", subject_value(c, jwk, parties),
                     "credentialStatus", status);
    if (root == NULL) {
        rc = nomem(err);
        goto out;
    }
    /* Whatever is written must parse back: the type's cap holds for the writer too. */
    rc = libro_json__dump(&doc, root, err);
    if (rc == LIBRO_OK && doc.len > payload_cap(c->type)) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "credential: larger than %zu bytes",
                             payload_cap(c->type));
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, doc.data, doc.len, err);
    }
out:
    libro_buf_free(&doc);
    json_decref(status);
    json_decref(parties);
    json_decref(jwk);
    json_decref(root);
    return rc;
}

/* ---- key ids ------------------------------------------------------------------------------ */

libro_code
libro_kid_for(libro_buf *out, const char *issuer, const libro_key *k, libro_error *err)
{
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    libro_code rc;

    if (out == NULL || issuer == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "kid: NULL argument");
    }
    /* An id without '#' is what lets libro_kid_split find the thumbprint. */
    if (check_id(issuer, "issuer", err) != LIBRO_OK) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "kid: issuer is not a valid id");
    }
    rc = libro_key_thumbprint(tp, k, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "%s#%s", issuer, tp);
    }
    return rc;
}

static bool
is_b64url(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

libro_code
libro_kid_split(const char *kid, size_t *id_len, const char **thumbprint, libro_error *err)
{
    const char *hash;
    const char *tp;
    size_t i;

    if (kid == NULL || id_len == NULL || thumbprint == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "kid: NULL argument");
    }
    *id_len = 0;
    *thumbprint = NULL;
    hash = strchr(kid, '#');
    if (hash == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "kid: no '#' between id and thumbprint");
    }
    if (hash == kid) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "kid: empty id");
    }
    tp = hash + 1;
    for (i = 0; tp[i] != '\0' && i <= LIBRO_THUMBPRINT_LEN; i++) {
        if (!is_b64url(tp[i])) {
            return libro_error_set(err, LIBRO_ERR_PARSE,
                                   "kid: thumbprint is not 43 base64url characters");
        }
    }
    /* 43 characters carry 258 bits for 256: the last one's two low bits must be zero, so a
     * thumbprint has one spelling (RFC 4648 §3.5) and string comparison is key comparison. */
    if (i != LIBRO_THUMBPRINT_LEN || strchr("AEIMQUYcgkosw048", tp[i - 1]) == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "kid: thumbprint is not 43 base64url characters");
    }
    *id_len = (size_t) (hash - kid);
    *thumbprint = tp;
    return LIBRO_OK;
}

libro_code
libro_credential_parse_unverified(libro_credential **out, const char *token, size_t len,
                                  libro_error *err)
{
    libro_buf payload = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: NULL argument");
    }
    *out = NULL;
    rc = libro_jws_unverified_payload(&payload, token, len, err);
    if (rc == LIBRO_OK) {
        rc = libro_credential_parse(out, payload.data, payload.len, err);
    }
    libro_buf_free(&payload);
    return rc;
}
