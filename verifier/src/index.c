/* libro_verifier: the registries' index of agreements and laws (docs/formats.md, "Trust
 * bundle"). A bundle's `agreements` and `laws` are checked with the rest of the bundle, then
 * kept whole, per registry, as index/<sha256 hex of the URL>.json in the trust store:
 *   {"url","registry","key","community","issued","agreements":[...],"laws":[...]}
 * written atomically (mode 0644) and read back as strictly as the bundle was: a damaged file
 * stops the store's open, naming it, like every other file of the store. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libro/api.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/time.h"
#include "libro/util.h"
#include "verify_int.h"

#define INDEX_DIR "index"
#define INDEX_SUFFIX ".json"
#define INDEX_FILE_MODE 0644u

/* The words of the bundle, one table for both kinds: `law` says which kind may use it. */
static const struct {
    const char *word;
    libro_doc_state state;
    bool agreement;
    bool law;
} states[] = {
    {"in force", LIBRO_DOC_IN_FORCE, true, true},
    {"ended", LIBRO_DOC_ENDED, true, false},
    {"superseded", LIBRO_DOC_SUPERSEDED, true, false},
    {"repealed", LIBRO_DOC_REPEALED, false, true},
};

const char *
libro_doc_state_name(libro_doc_state s)
{
    for (size_t i = 0; i < LIBRO_NELEM(states); i++) {
        if (states[i].state == s) {
            return states[i].word;
        }
    }
    return NULL;
}

static bool
state_of(libro_doc_state *out, const char *word, bool law)
{
    for (size_t i = 0; i < LIBRO_NELEM(states); i++) {
        if (strcmp(states[i].word, word) == 0 && (law ? states[i].law : states[i].agreement)) {
            *out = states[i].state;
            return true;
        }
    }
    return false;
}

/* "sha256:" and 64 lowercase hex digits. */
static bool
hash_ok(const char *h)
{
    if (strlen(h) != LIBRO_INDEX__HASH_LEN || memcmp(h, "sha256:", 7) != 0) {
        return false;
    }
    for (size_t i = 7; i < LIBRO_INDEX__HASH_LEN; i++) {
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Entry `i` of an index array: {"hash","state","since"} exactly. */
static libro_code
check_entry(const char **hash, libro_doc_state *state, int64_t *since, const json_t *e, bool law,
            const char *what, size_t i, libro_error *err)
{
    const char *h = json_string_value(json_object_get(e, "hash"));
    const char *s = json_string_value(json_object_get(e, "state"));
    const char *t = json_string_value(json_object_get(e, "since"));
    char shown[24];

    if (!json_is_object(e) || json_object_size(e) != 3 || h == NULL || s == NULL || t == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "%s[%zu]: want exactly \"hash\", \"state\" and \"since\"", what, i);
    }
    if (!hash_ok(h)) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "%s[%zu].hash: want \"sha256:\" and 64 lowercase hex digits", what,
                               i);
    }
    if (!state_of(state, s, law)) {
        libro_verifier__printable(shown, sizeof shown, s, strlen(s));
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s[%zu].state: \"%s\" is not %s state", what,
                               i, shown, law ? "a law" : "an agreement");
    }
    if (libro_time_parse(since, t, strlen(t), NULL) != LIBRO_OK) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s[%zu].since: not an RFC 3339 time", what,
                               i);
    }
    *hash = h;
    return LIBRO_OK;
}

libro_code
libro_index__check(const json_t *a, bool law, const char *what, libro_error *err)
{
    const char **hashes = NULL;
    size_t n = json_array_size(a);
    libro_doc_state state;
    int64_t since;
    libro_code rc = LIBRO_OK;

    if (a == NULL) {
        return LIBRO_OK;
    }
    if (!json_is_array(a)) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: not an array", what);
    }
    if (n > LIBRO_INDEX__MAX_ENTRIES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "%s: more than %u entries", what,
                               LIBRO_INDEX__MAX_ENTRIES);
    }
    if (n == 0) {
        return LIBRO_OK;
    }
    hashes = libro_calloc(n, sizeof *hashes);
    if (hashes == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "index: out of memory");
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        rc = check_entry(&hashes[i], &state, &since, json_array_get(a, i), law, what, i, err);
    }
    if (rc == LIBRO_OK) {
        /* A registry lists a document once: two states for one hash would leave a verifier
         * to pick one. */
        qsort(hashes, n, sizeof *hashes, str_cmp);
        for (size_t i = 1; i < n; i++) {
            if (strcmp(hashes[i - 1], hashes[i]) == 0) {
                rc = libro_error_set(err, LIBRO_ERR_PARSE, "%s: %.71s is listed twice", what,
                                     hashes[i]);
                break;
            }
        }
    }
    libro_free(hashes);
    return rc;
}

/* ---- in memory ------------------------------------------------------------------------------ */

static void
source_clear(libro_trust__source *s)
{
    libro_free(s->url);
    libro_free(s->registry);
    libro_free(s->community);
    libro_free(s->file);
    memset(s, 0, sizeof *s);
}

void
libro_trust__index_clear(libro_trust *t)
{
    for (size_t i = 0; i < t->n_sources; i++) {
        source_clear(&t->sources[i]);
    }
    libro_free(t->sources);
    libro_free(t->docs);
    t->sources = NULL;
    t->docs = NULL;
    t->n_sources = 0;
    t->n_docs = 0;
}

static int
doc_cmp(const void *a, const void *b)
{
    const libro_trust__doc *x = a;
    const libro_trust__doc *y = b;
    int c;

    if (x->law != y->law) {
        return x->law ? 1 : -1;
    }
    c = strcmp(x->hash, y->hash);
    if (c != 0) {
        return c;
    }
    return x->source < y->source ? -1 : x->source > y->source;
}

/* Append the entries of one checked array to t->docs. */
static libro_code
take_docs(libro_trust *t, size_t *cap, const json_t *a, bool law, size_t source, libro_error *err)
{
    libro_trust__doc *grown;
    size_t n = json_array_size(a);

    if (n == 0) {
        return LIBRO_OK;
    }
    if (t->n_docs + n > LIBRO_INDEX__MAX_TOTAL) {
        return libro_error_set(err, LIBRO_ERR_LIMIT,
                               "trust: the synced indexes hold more than %u agreements and laws",
                               LIBRO_INDEX__MAX_TOTAL);
    }
    if (t->n_docs + n > *cap) {
        size_t want = t->n_docs + n > 2 * *cap ? t->n_docs + n : 2 * *cap;

        grown = libro_realloc(t->docs, want * sizeof *grown);
        if (grown == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        }
        t->docs = grown;
        *cap = want;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(a, i);
        libro_trust__doc *d = &t->docs[t->n_docs];
        const char *when = json_string_value(json_object_get(e, "since"));
        const char *word = json_string_value(json_object_get(e, "state"));

        /* Checked by libro_index__check: these cannot fail. */
        memset(d, 0, sizeof *d);
        memcpy(d->hash, json_string_value(json_object_get(e, "hash")), LIBRO_INDEX__HASH_LEN + 1);
        d->law = law;
        d->source = source;
        if (!state_of(&d->state, word, law) ||
            libro_time_parse(&d->since, when, strlen(when), err) != LIBRO_OK) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "index: entry changed under us");
        }
        t->n_docs++;
    }
    return LIBRO_OK;
}

/* ---- the files -------------------------------------------------------------------------- */

/* index/<sha256 hex of url>.json, the file name alone into `name`. */
static libro_code
file_name(char *name, size_t cap, const char *url, libro_error *err)
{
    unsigned char d[32];
    libro_buf hex = LIBRO_BUF_INIT;
    libro_code rc = libro_sha256(d, url, strlen(url), err);
    int n = -1;

    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, d, sizeof d, err);
    }
    if (rc == LIBRO_OK) {
        n = snprintf(name, cap, "%s" INDEX_SUFFIX, (const char *) hex.data);
        if (n < 0 || (size_t) n >= cap) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: file name too long");
        }
    }
    libro_buf_free(&hex);
    return rc;
}

static char *
dup_str(const char *s, bool *ok)
{
    char *d = libro_strndup(s, strlen(s));

    *ok = *ok && d != NULL;
    return d;
}

/* One index file, already read: checked and taken into t. */
static libro_code
load_one(libro_trust *t, size_t *cap, const char *text, size_t len, const char *name,
         const char *path, libro_error *err)
{
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_trust__source s;
    libro_trust__source *grown;
    json_t *root = NULL;
    const char *url;
    const char *registry;
    const char *key;
    const char *community;
    const char *issued;
    char want[80];
    bool ok = true;
    libro_code rc;

    memset(&s, 0, sizeof s);
    lim.max_bytes = LIBRO_MAX_BUNDLE_PAYLOAD_BYTES;
    lim.max_depth = 4;
    rc = libro_json__load(&root, text, len, &lim, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    url = json_string_value(json_object_get(root, "url"));
    registry = json_string_value(json_object_get(root, "registry"));
    key = json_string_value(json_object_get(root, "key"));
    community = json_string_value(json_object_get(root, "community"));
    issued = json_string_value(json_object_get(root, "issued"));
    if (!json_is_object(root) || json_object_size(root) != 7 || url == NULL || registry == NULL ||
        key == NULL || strlen(key) != LIBRO_THUMBPRINT_LEN || community == NULL || issued == NULL ||
        libro_time_parse_ms(&s.issued_ms, issued, strlen(issued), NULL) != LIBRO_OK ||
        !json_is_array(json_object_get(root, "agreements")) ||
        !json_is_array(json_object_get(root, "laws"))) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "not an index of agreements and laws");
        goto out;
    }
    rc = file_name(want, sizeof want, url, err);
    if (rc == LIBRO_OK && strcmp(want, name) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "name does not match contents");
    }
    if (rc == LIBRO_OK) {
        rc = libro_index__check(json_object_get(root, "agreements"), false, "agreements", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_index__check(json_object_get(root, "laws"), true, "laws", err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    grown = libro_realloc(t->sources, (t->n_sources + 1) * sizeof *grown);
    if (grown == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    t->sources = grown;
    s.url = dup_str(url, &ok);
    s.registry = dup_str(registry, &ok);
    s.community = dup_str(community, &ok);
    s.file = dup_str(path, &ok);
    memcpy(s.tp, key, LIBRO_THUMBPRINT_LEN + 1);
    if (!ok) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    rc = take_docs(t, cap, json_object_get(root, "agreements"), false, t->n_sources, err);
    if (rc == LIBRO_OK) {
        rc = take_docs(t, cap, json_object_get(root, "laws"), true, t->n_sources, err);
    }
    if (rc == LIBRO_OK) {
        t->sources[t->n_sources++] = s;
        memset(&s, 0, sizeof s);
    }
out:
    source_clear(&s);
    json_decref(root);
    return rc;
}

libro_code
libro_trust__index_load(libro_trust *t, libro_error *err)
{
    char dir[PATH_MAX];
    char path[PATH_MAX];
    libro_buf raw = LIBRO_BUF_INIT;
    DIR *d = NULL;
    struct stat st;
    char **names = NULL;
    size_t n_names = 0;
    size_t cap = 0;
    int n;
    libro_code rc;

    libro_trust__index_clear(t);
    n = snprintf(dir, sizeof dir, "%s/" INDEX_DIR, t->dir);
    if (n < 0 || (size_t) n >= sizeof dir) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: path too long: %.64s", t->dir);
        goto out;
    }
    /* The directory appears with the first index a sync keeps: a store that never synced one
     * has none, and is laid out as before. */
    if (stat(dir, &st) != 0 && errno == ENOENT) {
        rc = LIBRO_OK;
        goto out;
    }
    rc = libro_trust__subdir(dir, sizeof dir, t, INDEX_DIR, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    d = opendir(dir);
    if (d == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", dir, strerror(errno));
        goto out;
    }
    rc = libro_trust__dir_names(&names, &n_names, d, dir, INDEX_SUFFIX, LIBRO_TRUST__MAX_ENTRIES,
                                err);
    for (size_t i = 0; rc == LIBRO_OK && i < n_names; i++) {
        n = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (n < 0 || (size_t) n >= sizeof path) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: path too long: %.64s", dir);
            break;
        }
        libro_buf_clear(&raw);
        rc = libro_trust__read_entry(&raw, dirfd(d), names[i], path, LIBRO_MAX_BUNDLE_PAYLOAD_BYTES,
                                     err);
        if (rc == LIBRO_OK) {
            rc = load_one(t, &cap, raw.data != NULL ? (const char *) raw.data : "", raw.len,
                          names[i], path, err);
            if (rc != LIBRO_OK && rc != LIBRO_ERR_NOMEM) {
                libro_error_prefix(err, path);
            }
        }
    }
    if (rc == LIBRO_OK && t->n_docs > 1) {
        qsort(t->docs, t->n_docs, sizeof *t->docs, doc_cmp);
    }
out:
    if (rc != LIBRO_OK) {
        libro_trust__index_clear(t);
    }
    if (d != NULL) {
        closedir(d);
    }
    libro_trust__names_free(names, n_names);
    libro_buf_free(&raw);
    return rc;
}

libro_code
libro_trust__index_write(libro_trust *t, const char *url, const char *registry, const char *tp,
                         const char *community, int64_t issued_ms, const json_t *agreements,
                         const json_t *laws, libro_error *err)
{
    char dir[PATH_MAX];
    char name[80];
    char path[PATH_MAX];
    char issued[LIBRO_TIME_MS_TEXT_MAX];
    libro_buf text = LIBRO_BUF_INIT;
    json_t *root = NULL;
    json_t *empty_a = NULL;
    json_t *empty_l = NULL;
    int n;
    libro_code rc;

    rc = libro_index__check(agreements, false, "agreements", err);
    if (rc == LIBRO_OK) {
        rc = libro_index__check(laws, true, "laws", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_time_format_ms(issued, issued_ms, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_trust__subdir(dir, sizeof dir, t, INDEX_DIR, err);
    }
    if (rc == LIBRO_OK) {
        rc = file_name(name, sizeof name, url, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t) n >= sizeof path) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: path too long: %.64s", dir);
        goto out;
    }
    /* Absent arrays are empty ones: the registry's latest word replaces the last, also when
     * it lists nothing any more. */
    empty_a = agreements == NULL ? json_array() : NULL;
    empty_l = laws == NULL ? json_array() : NULL;
    root =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O}", "url", url, "registry", registry, "key",
                  tp, "community", community, "issued", issued, "agreements",
                  agreements != NULL ? agreements : empty_a, "laws", laws != NULL ? laws : empty_l);
    if (root == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    rc = libro_json__dump(&text, root, err);
    if (rc == LIBRO_OK) {
        rc = libro_file_write_atomic(path, text.data, text.len, INDEX_FILE_MODE, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_trust__index_load(t, err);
    }
out:
    json_decref(root);
    json_decref(empty_a);
    json_decref(empty_l);
    libro_buf_free(&text);
    return rc;
}

/* ---- looking up ------------------------------------------------------------------------- */

size_t
libro_trust_doc_find(libro_doc_entry *out, size_t cap, const libro_trust *t, bool law,
                     const char *hash)
{
    libro_trust__doc key;
    size_t lo = 0;
    size_t hi;
    size_t n = 0;

    if (t == NULL || hash == NULL || (out == NULL && cap > 0) ||
        strlen(hash) != LIBRO_INDEX__HASH_LEN) {
        return 0;
    }
    memset(&key, 0, sizeof key);
    memcpy(key.hash, hash, LIBRO_INDEX__HASH_LEN + 1);
    key.law = law;
    /* The first entry not below (law, hash, source 0). */
    hi = t->n_docs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (doc_cmp(&t->docs[mid], &key) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (; lo < t->n_docs && t->docs[lo].law == law && strcmp(t->docs[lo].hash, hash) == 0; lo++) {
        const libro_trust__doc *d = &t->docs[lo];
        const libro_trust__source *s = &t->sources[d->source];

        if (n < cap) {
            out[n].law = d->law;
            out[n].state = d->state;
            out[n].since = d->since;
            out[n].registry = s->registry;
            out[n].url = s->url;
            out[n].community = s->community;
            out[n].key_thumbprint = s->tp;
            out[n].synced_ms = s->issued_ms;
        }
        n++;
    }
    return n;
}
