/* libro: the lean license parser behind libro_credential_parse. A ProfessionalLicense payload
 * (the document every verify reads) is read in one bounded pass straight into a
 * libro_credential: no jansson tree, and no copy of a string that has no escape besides the
 * one the structure keeps.
 *
 * It decides only a document it has read completely as a license: it accepts exactly what the
 * reference parser (credential.c, jansson) accepts, with the same fields, or refuses it by the
 * content rules (the reference's own function, so the same code and message). Anything else
 * it declines, and the reference decides with its own code and message: every refusal keeps
 * its code and message, and this path is never less strict. What it repeats of the reference: the
 * JSON syntax as jansson reads it (strict UTF-8 with no overlong form, surrogate or value past
 * U+10FFFF; no control character or \u0000 in a string; escaped surrogates in pairs; integers
 * in range; nothing but whitespace after the value), no duplicate member, the exact member
 * sets, the JSON types, the fixed @context, type and credentialSchema, the timestamps and the
 * status entries (through the same functions where there are some). Nesting is fixed by the shape
 * (at most 4 deep, under LIBRO_MAX_JSON_DEPTH), so the depth cap holds by construction; the size
 * cap is the license's, checked first. tests/fuzz/fuzz_credential_scan.c runs both parsers on every
 * input and aborts when they disagree. */
#include <stdio.h>
#include <string.h>

#include "credential_int.h"
#include "libro/credential_parse_int.h"
#include "libro/limits.h"
#include "libro/statuslist.h"
#include "libro/util.h"

#define LICENSE_TYPE "ProfessionalLicense"
#define LICENSE_SCHEMA SCHEMA_BASE "professional-license.json"

/* SCAN_NO: not a license this pass accepts; the reference decides. */
enum scan_rc { SCAN_OK, SCAN_NO, SCAN_NOMEM };

struct scan {
    const unsigned char *p;
    size_t len;
    size_t i;
    char *tmp; /* strings with escapes, decoded: len + 1 bytes, allocated at the first one */
};

/* A string's value: borrowed from the input, or from scan.tmp until the next string. */
struct str {
    const char *s;
    size_t n;
};

static void
skip_ws(struct scan *s)
{
    while (s->i < s->len &&
           (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' || s->p[s->i] == '\r')) {
        s->i++;
    }
}

static bool
take(struct scan *s, char c)
{
    skip_ws(s);
    if (s->i < s->len && s->p[s->i] == (unsigned char) c) {
        s->i++;
        return true;
    }
    return false;
}

static bool
hex4(const unsigned char *p, size_t avail, uint32_t *out)
{
    uint32_t v = 0;
    size_t k;

    if (avail < 4) {
        return false;
    }
    for (k = 0; k < 4; k++) {
        unsigned char c = p[k];

        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t) (c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (uint32_t) (c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (uint32_t) (c - 'A' + 10);
        } else {
            return false;
        }
    }
    *out = v;
    return true;
}

/* The length of the UTF-8 sequence at p (first byte 0x80 or above), 0 when jansson refuses
 * it: a continuation or 0xC0, 0xC1, 0xF5.. lead byte, a missing continuation, an overlong
 * form, a surrogate, a value past U+10FFFF. */
static size_t
utf8_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    uint32_t cp;
    size_t n;
    size_t k;

    if (c < 0xC2 || c > 0xF4) {
        return 0;
    }
    n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n > avail) {
        return 0;
    }
    cp = c & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
    for (k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[k] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

/* The \u escape at p[0] ('\\'), with its low half when it is a high surrogate: the code point
 * and the bytes read, or 0 when jansson refuses it (a lone or reversed surrogate, \u0000). */
static size_t
unicode_escape(const unsigned char *p, size_t avail, uint32_t *cp)
{
    uint32_t lo;

    if (avail < 2 || p[1] != 'u' || !hex4(p + 2, avail - 2, cp) || *cp == 0 ||
        (*cp >= 0xDC00 && *cp <= 0xDFFF)) {
        return 0;
    }
    if (*cp < 0xD800 || *cp > 0xDBFF) {
        return 6;
    }
    if (avail < 12 || p[6] != '\\' || p[7] != 'u' || !hex4(p + 8, avail - 8, &lo) || lo < 0xDC00 ||
        lo > 0xDFFF) {
        return 0;
    }
    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    return 12;
}

static size_t
utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char) cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char) (0xC0 | (cp >> 6));
        out[1] = (char) (0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char) (0xE0 | (cp >> 12));
        out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char) (0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char) (0xF0 | (cp >> 18));
    out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char) (0x80 | (cp & 0x3F));
    return 4;
}

static char
simple_escape(unsigned char e)
{
    switch (e) {
    case '"':
    case '\\':
    case '/':
        return (char) e;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return '\0';
    }
}

/* Decode the escaped string body p[start..end) (checked by scan_string) into s->tmp. */
static enum scan_rc
decode(struct scan *s, size_t start, size_t end, struct str *out)
{
    size_t j = start;
    size_t o = 0;

    if (s->tmp == NULL) {
        s->tmp = libro_malloc(s->len + 1);
        if (s->tmp == NULL) {
            return SCAN_NOMEM;
        }
    }
    while (j < end) {
        uint32_t cp = 0;

        if (s->p[j] != '\\') {
            s->tmp[o++] = (char) s->p[j++];
        } else if (s->p[j + 1] == 'u') {
            j += unicode_escape(s->p + j, end - j, &cp);
            o += utf8_put(s->tmp + o, cp);
        } else {
            s->tmp[o++] = simple_escape(s->p[j + 1]);
            j += 2;
        }
    }
    s->tmp[o] = '\0';
    out->s = s->tmp;
    out->n = o;
    return SCAN_OK;
}

static enum scan_rc
scan_string(struct scan *s, struct str *out)
{
    const unsigned char *p = s->p;
    bool escaped = false;
    size_t start;
    size_t i;

    skip_ws(s);
    if (s->i >= s->len || p[s->i] != '"') {
        return SCAN_NO;
    }
    start = s->i + 1;
    for (i = start; i < s->len && p[i] != '"';) {
        size_t n = 1;
        uint32_t cp;

        if (p[i] < 0x20) {
            return SCAN_NO;
        }
        if (p[i] == '\\') {
            escaped = true;
            if (i + 1 < s->len && p[i + 1] == 'u') {
                n = unicode_escape(p + i, s->len - i, &cp);
            } else {
                n = i + 1 < s->len && simple_escape(p[i + 1]) != '\0' ? 2 : 0;
            }
        } else if (p[i] >= 0x80) {
            n = utf8_len(p + i, s->len - i);
        }
        if (n == 0) {
            return SCAN_NO;
        }
        i += n;
    }
    if (i >= s->len) {
        return SCAN_NO;
    }
    s->i = i + 1;
    if (escaped) {
        return decode(s, start, i, out);
    }
    out->s = (const char *) p + start;
    out->n = i - start;
    return SCAN_OK;
}

static bool
str_is(struct str v, const char *want)
{
    return v.n == strlen(want) && memcmp(v.s, want, v.n) == 0;
}

static enum scan_rc
scan_fixed(struct scan *s, const char *want)
{
    struct str v;
    enum scan_rc rc = scan_string(s, &v);

    return rc != SCAN_OK ? rc : str_is(v, want) ? SCAN_OK : SCAN_NO;
}

static enum scan_rc
scan_copy(struct scan *s, char **out)
{
    struct str v;
    enum scan_rc rc = scan_string(s, &v);

    if (rc != SCAN_OK) {
        return rc;
    }
    *out = libro_strndup(v.s, v.n);
    return *out == NULL ? SCAN_NOMEM : SCAN_OK;
}

/* A JSON integer as jansson reads one (a real is not one; "-0" is 0). Libro's integers are
 * small: more than 18 digits is declined, which jansson either refuses or the rules do. */
static enum scan_rc
scan_integer(struct scan *s, long long *out)
{
    bool negative;
    long long v = 0;
    size_t digits = 0;

    skip_ws(s);
    negative = s->i < s->len && s->p[s->i] == '-';
    if (negative) {
        s->i++;
    }
    if (s->i >= s->len || s->p[s->i] < '0' || s->p[s->i] > '9') {
        return SCAN_NO;
    }
    if (s->p[s->i] == '0') {
        s->i++;
    } else {
        while (s->i < s->len && s->p[s->i] >= '0' && s->p[s->i] <= '9') {
            if (++digits > 18) {
                return SCAN_NO;
            }
            v = v * 10 + (s->p[s->i++] - '0');
        }
    }
    if (s->i < s->len && ((s->p[s->i] >= '0' && s->p[s->i] <= '9') || s->p[s->i] == '.' ||
                          s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
        return SCAN_NO;
    }
    *out = negative ? -v : v;
    return SCAN_OK;
}

/* One member's value, `which` its index in the object's names. */
typedef enum scan_rc (*member_fn)(struct scan *s, size_t which, void *ctx);

/* An object of members from names[0..n) only, each at most once, with every member whose bit
 * is set in `required` (bit k: names[k]); `fn` reads each value. A member not in names, or
 * one seen before, is declined. */
static enum scan_rc
scan_object(struct scan *s, const char *const *names, size_t n, unsigned required, member_fn fn,
            void *ctx)
{
    unsigned seen = 0;
    enum scan_rc rc = take(s, '{') ? SCAN_OK : SCAN_NO;

    while (rc == SCAN_OK && !take(s, '}')) {
        struct str key;
        size_t k;

        if (seen != 0 && !take(s, ',')) {
            return SCAN_NO;
        }
        rc = scan_string(s, &key);
        if (rc != SCAN_OK) {
            return rc;
        }
        for (k = 0; k < n && !str_is(key, names[k]); k++) {
        }
        if (k == n || (seen & (1u << k)) != 0 || !take(s, ':')) {
            return SCAN_NO;
        }
        seen |= 1u << k;
        rc = fn(s, k, ctx);
    }
    return rc == SCAN_OK && (seen & required) != required ? SCAN_NO : rc;
}

/* Before each entry of an array whose '[' was read, `count` entries in: *end at ']'. */
static enum scan_rc
scan_entry(struct scan *s, size_t count, bool *end)
{
    *end = take(s, ']');
    if (*end || count == 0 || take(s, ',')) {
        return SCAN_OK;
    }
    return SCAN_NO;
}

/* Exactly [a, b]. */
static enum scan_rc
scan_pair(struct scan *s, const char *a, const char *b)
{
    enum scan_rc rc;

    if (!take(s, '[')) {
        return SCAN_NO;
    }
    rc = scan_fixed(s, a);
    if (rc == SCAN_OK) {
        rc = take(s, ',') ? scan_fixed(s, b) : SCAN_NO;
    }
    if (rc == SCAN_OK && !take(s, ']')) {
        rc = SCAN_NO;
    }
    return rc;
}

static enum scan_rc
scan_time(struct scan *s, int64_t *out)
{
    struct str v;
    enum scan_rc rc = scan_string(s, &v);

    if (rc == SCAN_OK && libro_credential__time(out, v.s, v.n, "credential", NULL) != LIBRO_OK) {
        rc = SCAN_NO;
    }
    return rc;
}

/* credentialSchema: {"id": the license schema, "type": "JsonSchema"}. */
static enum scan_rc
schema_member(struct scan *s, size_t which, void *ctx)
{
    (void) ctx;
    return scan_fixed(s, which == 0 ? LICENSE_SCHEMA : SCHEMA_TYPE);
}

static enum scan_rc
scan_scope(struct scan *s, libro_credential *c)
{
    bool end = false;
    enum scan_rc rc = take(s, '[') ? SCAN_OK : SCAN_NO;

    if (rc == SCAN_OK) {
        /* Room for the most entries the rules allow; more is declined. */
        c->scope = libro_calloc(LIBRO_MAX_LIST_ENTRIES, sizeof *c->scope);
        rc = c->scope == NULL ? SCAN_NOMEM : SCAN_OK;
    }
    while (rc == SCAN_OK) {
        rc = scan_entry(s, c->n_scope, &end);
        if (rc != SCAN_OK || end) {
            break;
        }
        if (c->n_scope == LIBRO_MAX_LIST_ENTRIES) {
            rc = SCAN_NO;
            break;
        }
        rc = scan_copy(s, &c->scope[c->n_scope]);
        if (rc == SCAN_OK) {
            c->n_scope++;
        }
    }
    return rc == SCAN_OK && c->n_scope == 0 ? SCAN_NO : rc;
}

/* credentialSubject.community: {"id", "level"}; a level outside 0..8 is the reference's to
 * refuse. */
static enum scan_rc
community_member(struct scan *s, size_t which, void *ctx)
{
    libro_credential *c = ctx;
    long long level = -1;
    enum scan_rc rc;

    if (which == 0) {
        return scan_copy(s, &c->community_id);
    }
    rc = scan_integer(s, &level);
    if (rc == SCAN_OK && (level < 0 || level > LIBRO_MAX_LEVEL)) {
        rc = SCAN_NO;
    }
    c->community_level = rc == SCAN_OK ? (int) level : 0;
    return rc;
}

static const char *const subject_names[] = {"id",          "name",  "licenseNumber", "profession",
                                            "licenseType", "scope", "community"};
static const char *const community_names[] = {"id", "level"};

static enum scan_rc
subject_member(struct scan *s, size_t which, void *ctx)
{
    libro_credential *c = ctx;

    switch (which) {
    case 0:
        return scan_copy(s, &c->subject_id);
    case 1:
        return scan_copy(s, &c->name);
    case 2:
        return scan_copy(s, &c->license_number);
    case 3:
        return scan_copy(s, &c->profession);
    case 4:
        return scan_copy(s, &c->license_type);
    case 5:
        return scan_scope(s, c);
    default:
        return scan_object(s, community_names, LIBRO_NELEM(community_names), 0x3u, community_member,
                           c);
    }
}

/* One {"status", "message"} of statusMessage; ctx: its position. */
static enum scan_rc
message_member(struct scan *s, size_t which, void *ctx)
{
    static const char *const status[LIBRO_STATUS_MESSAGE_COUNT] = {"0x0", "0x1", "0x2", "0x3"};
    size_t k = *(const size_t *) ctx;

    return scan_fixed(
        s, which == 0 ? status[k] : libro_status_words_message(LIBRO_WORDS_LICENSE, (unsigned) k));
}

/* statusMessage: exactly libro's four license words (statuslist.c's messages_are). */
static enum scan_rc
scan_messages(struct scan *s)
{
    static const char *const names[] = {"status", "message"};
    size_t count = 0;
    bool end = false;
    enum scan_rc rc = take(s, '[') ? SCAN_OK : SCAN_NO;

    while (rc == SCAN_OK) {
        rc = scan_entry(s, count, &end);
        if (rc != SCAN_OK || end) {
            break;
        }
        rc = count < LIBRO_STATUS_MESSAGE_COUNT
                 ? scan_object(s, names, LIBRO_NELEM(names), 0x3u, message_member, &count)
                 : SCAN_NO;
        count++;
    }
    return rc == SCAN_OK && count != LIBRO_STATUS_MESSAGE_COUNT ? SCAN_NO : rc;
}

/* credentialStatus[pos] as it is read. */
struct entry {
    size_t pos;  /* 0 revocation, 1 suspension, 2 message */
    char **list; /* where statusListCredential goes */
    char *id;    /* the entry's id, checked once the list and index are known */
    uint64_t index;
};

static enum scan_rc
entry_member(struct scan *s, size_t which, void *ctx)
{
    static const char *const purposes[] = {"revocation", "suspension", "message"};
    struct entry *e = ctx;
    struct str v;
    long long size = 0;
    enum scan_rc rc;

    switch (which) {
    case 0:
        return scan_copy(s, &e->id);
    case 1:
        return scan_fixed(s, STATUS_ENTRY_TYPE);
    case 2:
        return scan_fixed(s, purposes[e->pos]);
    case 3:
        rc = scan_string(s, &v);
        if (rc == SCAN_OK && libro_parse_u64(&e->index, v.s, v.n, LIBRO_STATUS_LIST_MAX_ENTRIES - 1,
                                             NULL) != LIBRO_OK) {
            rc = SCAN_NO;
        }
        return rc;
    case 4:
        return scan_copy(s, e->list);
    case 5:
        rc = scan_integer(s, &size);
        return rc == SCAN_OK && size != LIBRO_STATUS_MESSAGE_SIZE ? SCAN_NO : rc;
    default:
        return scan_messages(s);
    }
}

/* credentialStatus[pos]: purpose revocation, suspension, message by position; the message
 * entry with exactly "statusSize":2 and the license words; id exactly the list URL + "#" +
 * index. */
static enum scan_rc
scan_status_entry(struct scan *s, char **list, uint32_t *index, size_t pos)
{
    static const char *const names[] = {
        "id",         "type",         "statusPurpose", "statusListIndex", "statusListCredential",
        "statusSize", "statusMessage"};
    struct entry e = {pos, list, NULL, 0};
    char idx_text[16];
    size_t list_len;
    int n;
    enum scan_rc rc = pos == 2 ? scan_object(s, names, 7, 0x7Fu, entry_member, &e)
                               : scan_object(s, names, 5, 0x1Fu, entry_member, &e);

    if (rc == SCAN_OK) {
        *index = (uint32_t) e.index;
        n = snprintf(idx_text, sizeof idx_text, "#%u", (unsigned) *index);
        list_len = strlen(*list);
        if (n < 0 || (size_t) n >= sizeof idx_text || strlen(e.id) != list_len + (size_t) n ||
            memcmp(e.id, *list, list_len) != 0 ||
            memcmp(e.id + list_len, idx_text, (size_t) n) != 0) {
            rc = SCAN_NO;
        }
    }
    libro_free(e.id);
    return rc;
}

static enum scan_rc
scan_status(struct scan *s, libro_credential *c)
{
    char **lists[] = {&c->status_revocation_list, &c->status_suspension_list,
                      &c->status_message_list};
    uint32_t index[3] = {0, 0, 0};
    size_t count = 0;
    bool end = false;
    enum scan_rc rc = take(s, '[') ? SCAN_OK : SCAN_NO;

    while (rc == SCAN_OK) {
        rc = scan_entry(s, count, &end);
        if (rc != SCAN_OK || end) {
            break;
        }
        rc = count < 3 ? scan_status_entry(s, lists[count], &index[count], count) : SCAN_NO;
        count++;
    }
    if (rc == SCAN_OK &&
        (count < 2 || index[1] != index[0] || (count == 3 && index[2] != index[0]))) {
        rc = SCAN_NO;
    }
    c->status_index = index[0];
    c->has_status = rc == SCAN_OK;
    return rc;
}

static enum scan_rc
license_member(struct scan *s, size_t which, void *ctx)
{
    static const char *const schema_names[] = {"id", "type"};
    libro_credential *c = ctx;

    switch (which) {
    case 0:
        return scan_pair(s, CONTEXT_VC, CONTEXT_LIBRO);
    case 1:
        return scan_pair(s, VC_TYPE, LICENSE_TYPE);
    case 2:
        return scan_copy(s, &c->issuer);
    case 3:
        return scan_time(s, &c->valid_from);
    case 4:
        return scan_time(s, &c->valid_until);
    case 5:
        return scan_object(s, schema_names, LIBRO_NELEM(schema_names), 0x3u, schema_member, NULL);
    case 6:
        /* every member but id is required */
        return scan_object(s, subject_names, LIBRO_NELEM(subject_names), 0x7Eu, subject_member, c);
    default:
        return scan_status(s, c);
    }
}

/* The whole document: every envelope member but credentialStatus is required; only
 * whitespace may follow. */
static enum scan_rc
scan_license(struct scan *s, libro_credential *c)
{
    static const char *const names[] = {"@context",
                                        "type",
                                        "issuer",
                                        "validFrom",
                                        "validUntil",
                                        "credentialSchema",
                                        "credentialSubject",
                                        "credentialStatus"};
    enum scan_rc rc = scan_object(s, names, LIBRO_NELEM(names), 0x7Fu, license_member, c);

    skip_ws(s);
    return rc == SCAN_OK && s->i != s->len ? SCAN_NO : rc;
}

libro_code
libro_credential__scan(libro_credential **out, bool *declined, const void *p, size_t len,
                       libro_error *err)
{
    struct scan s = {p, len, 0, NULL};
    libro_credential *c = NULL;
    enum scan_rc sr = SCAN_NO;
    libro_code rc;

    *out = NULL;
    *declined = false;
    if (p == NULL || len > LIBRO_MAX_CLAIMS_BYTES) {
        *declined = true;
        return LIBRO_ERR_PARSE;
    }
    rc = libro_credential_new(&c, LIBRO_CRED_LICENSE, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    sr = scan_license(&s, c);
    if (sr == SCAN_NOMEM) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (sr == SCAN_NO) {
        *declined = true;
        rc = LIBRO_ERR_PARSE;
        goto out;
    }
    rc = libro_credential__check_parsed(c, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = c;
    c = NULL; /* moved to caller */
out:
    libro_credential_free(c);
    libro_free(s.tmp);
    return rc;
}

libro_code
libro_credential_parse(libro_credential **out, const void *p, size_t len, libro_error *err)
{
    bool declined = false;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential: NULL argument");
    }
    rc = libro_credential__scan(out, &declined, p, len, err);
    if (declined) {
        rc = libro_credential__parse_tree(out, p, len, err);
    }
    return rc;
}
