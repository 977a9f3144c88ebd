/* libro_registry: an employer's watch of a roster of licenses (libro/watch.h,
 * libro-watch(1)). Everything the registry sends is checked before it is believed: the
 * checkpoint's signature by the registry key the trust store holds, the consistency of the
 * tree seen before with the tree now, and the leaves read since, which must rebuild the
 * checkpoint's root from the right edge of the old tree (kept in the state file). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/http.h"
#include "libro/json_int.h"
#include "libro/registry_client.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/watch.h"

#define STATE_VERSION 1
#define PROOF_MAX_BYTES (16u * 1024u)
#define RECORD_MAX_BYTES (256u * 1024u)

static const char *const kind_names[] = {NULL, "change", "upcoming-expiry", "baseline",
                                         "not-found"};

const char *
libro_watch_kind_name(libro_watch_kind k)
{
    return (unsigned) k < LIBRO_NELEM(kind_names) ? kind_names[k] : NULL;
}

static bool
action_of(libro_action *out, const char *word)
{
    for (int a = LIBRO_ACTION_ISSUE; a <= LIBRO_ACTION_LAPSE; a++) {
        if (strcmp(libro_action_name((libro_action) a), word) == 0) {
            *out = (libro_action) a;
            return true;
        }
    }
    return false;
}

static bool
state_of(libro_license_state *out, const char *word)
{
    for (int s = LIBRO_STATE_ACTIVE; s <= LIBRO_STATE_SURRENDERED; s++) {
        if (strcmp(libro_license_state_name((libro_license_state) s), word) == 0) {
            *out = (libro_license_state) s;
            return true;
        }
    }
    return false;
}

/* A category is a word of the closed vocabulary (libro_reason_category_parse, the one rule). */
static bool
category_ok(const char *c)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_reason_category parsed;

    return libro_reason_category_parse(&parsed, c, &ignored) == LIBRO_OK &&
           parsed != LIBRO_CATEGORY_NONE;
}

libro_code
libro_watch_leaf_event(libro_watch_event *out, bool *relevant, const char *leaf, size_t len,
                       uint64_t index, libro_error *err)
{
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    json_error_t jerr;
    json_t *root = NULL;
    json_t *category = NULL;
    const char *type;
    const char *number = NULL;
    const char *action = NULL;
    const char *to = NULL;
    const char *at = NULL;
    json_int_t version = 0;
    libro_code rc;

    memset(out, 0, sizeof *out);
    *relevant = false;
    if (leaf == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "leaf: NULL argument");
    }
    if (len > LIBRO_WATCH_MAX_LEAF_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "leaf %llu: larger than %u bytes",
                               (unsigned long long) index, LIBRO_WATCH_MAX_LEAF_BYTES);
    }
    lim.max_bytes = LIBRO_WATCH_MAX_LEAF_BYTES;
    lim.max_depth = 4;
    rc = libro_json__load(&root, leaf, len, &lim, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "leaf");
        goto out;
    }
    type = json_string_value(json_object_get(root, "type"));
    if (!json_is_object(root) || type == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "leaf %llu: not a log leaf (no type)",
                             (unsigned long long) index);
        goto out;
    }
    if (strcmp(type, "license") != 0) {
        goto out;
    }
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s:s, s:s, s:s, s:I, s?o}", "license", &number,
                       "action", &action, "to", &to, "at", &at, "version", &version, "category",
                       &category) != 0 ||
        !libro_license_number_ok(number, strlen(number)) || !action_of(&out->action, action) ||
        !state_of(&out->state, to) || version < 1 || version > (json_int_t) UINT32_MAX ||
        libro_time_parse(&out->at, at, strlen(at), NULL) != LIBRO_OK ||
        (category != NULL &&
         (!json_is_string(category) || !category_ok(json_string_value(category))))) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "leaf %llu: not a license leaf of its form",
                             (unsigned long long) index);
        memset(out, 0, sizeof *out);
        goto out;
    }
    out->kind = LIBRO_WATCH_CHANGE;
    memcpy(out->license, number, strlen(number) + 1);
    if (category != NULL) {
        memcpy(out->category, json_string_value(category), strlen(json_string_value(category)) + 1);
    }
    out->version = (uint32_t) version;
    out->leaf = index;
    *relevant = true;
out:
    json_decref(root);
    return rc;
}

/* ---- the roster ---------------------------------------------------------------------------- */

static int
number_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

void
libro_watch_roster_free(char **numbers, size_t n)
{
    for (size_t i = 0; numbers != NULL && i < n; i++) {
        libro_free(numbers[i]);
    }
    libro_free(numbers);
}

libro_code
libro_watch_roster_parse(char ***out, size_t *n_out, const char *text, size_t len, libro_error *err)
{
    char **v = NULL;
    size_t n = 0;
    size_t cap = 0;
    size_t line = 0;
    size_t pos = 0;
    libro_code rc = LIBRO_OK;

    *out = NULL;
    *n_out = 0;
    if (text == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "roster: NULL argument");
    }
    if (len > LIBRO_WATCH_MAX_ROSTER_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "roster: larger than %u bytes",
                               LIBRO_WATCH_MAX_ROSTER_BYTES);
    }
    while (pos < len) {
        const char *p = text + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t l = nl != NULL ? (size_t) (nl - p) : len - pos;

        pos += l + (nl != NULL);
        if (++line > LIBRO_WATCH_MAX_ROSTER_LINES) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "roster: more than %u lines",
                                 LIBRO_WATCH_MAX_ROSTER_LINES);
            goto out;
        }
        while (l > 0 && (p[0] == ' ' || p[0] == '\t')) {
            p++;
            l--;
        }
        while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\r')) {
            l--;
        }
        if (l == 0 || p[0] == '#') {
            continue;
        }
        if (!libro_license_number_ok(p, l)) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE,
                                 "roster line %zu: not a license number ([A-Za-z0-9._-], at "
                                 "most %u)",
                                 line, LIBRO_MAX_LICENSE_NUMBER_BYTES);
            goto out;
        }
        if (n == cap) {
            size_t ncap = cap == 0 ? 64 : cap * 2;
            char **nv = libro_realloc(v, ncap * sizeof *v);

            if (nv == NULL) {
                rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
                goto out;
            }
            v = nv;
            cap = ncap;
        }
        if ((v[n] = libro_strndup(p, l)) == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
            goto out;
        }
        n++;
    }
    if (n > 1) {
        size_t w = 1;

        qsort(v, n, sizeof *v, number_cmp);
        for (size_t i = 1; i < n; i++) {
            if (strcmp(v[i], v[w - 1]) == 0) {
                libro_free(v[i]);
            } else {
                v[w++] = v[i];
            }
        }
        n = w;
    }
    *out = v;
    *n_out = n;
    v = NULL;
out:
    if (v != NULL) {
        libro_watch_roster_free(v, n);
    }
    return rc;
}

/* ---- the state ------------------------------------------------------------------------------ */

/* One rostered license as last seen. */
typedef struct entry {
    char number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
    libro_license_state state; /* 0: the registry had none */
    int64_t valid_until;       /* 0 when unknown */
    uint32_t version;
    bool warned;  /* its upcoming expiry at valid_until was told */
    bool known;   /* seen by an earlier run (else: a baseline now) */
    bool refresh; /* re-read its record: an issue or a renewal was logged */
} entry;

/* A perfect subtree of the right edge: the tree's decomposition into perfect subtrees. */
typedef struct node {
    unsigned level;
    uint64_t index;
    libro_merkle_hash hash;
} node;

typedef struct state {
    bool has_tree;
    uint64_t size;
    libro_merkle_hash root;
    node edge[LIBRO_MERKLE_MAX_PROOF + 1];
    size_t n_edge;
    entry *e; /* the roster's, sorted by number */
    size_t n;
} state;

libro_code
libro_watch_state_path(libro_buf *out, const char *dir, const char *url, const char *roster_path,
                       libro_error *err)
{
    unsigned char d[32];
    libro_buf key = LIBRO_BUF_INIT;
    libro_buf hex = LIBRO_BUF_INIT;
    char *abs = NULL;
    size_t ulen;
    libro_code rc;

    if (out == NULL || dir == NULL || url == NULL || roster_path == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "watch state: NULL argument");
    }
    ulen = strlen(url);
    while (ulen > 0 && url[ulen - 1] == '/') {
        ulen--;
    }
    abs = realpath(roster_path, NULL);
    if (abs == NULL) {
        return libro_error_set(err, LIBRO_ERR_IO, "roster %.120s: %s", roster_path,
                               strerror(errno));
    }
    rc = libro_buf_append(&key, url, ulen, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&key, err, "\n%s", abs);
    }
    if (rc == LIBRO_OK) {
        rc = libro_sha256(d, key.data, key.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, d, sizeof d, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "%s/watch", dir);
    }
    if (rc == LIBRO_OK && mkdir((const char *) out->data, 0700) != 0 && errno != EEXIST) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "cannot create %.120s", out->data);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "/%s.json", (const char *) hex.data);
    }
    free(abs); /* realpath's, from malloc */
    libro_buf_free(&hex);
    libro_buf_free(&key);
    return rc;
}

static libro_code
hash_from_text(libro_merkle_hash *out, const char *text)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_code rc =
        text == NULL ? LIBRO_ERR_PARSE : libro_b64std_decode(&raw, text, strlen(text), NULL);

    if (rc == LIBRO_OK && raw.len != LIBRO_MERKLE_HASH_BYTES) {
        rc = LIBRO_ERR_PARSE;
    }
    if (rc == LIBRO_OK) {
        memcpy(out->bytes, raw.data, LIBRO_MERKLE_HASH_BYTES);
    }
    libro_buf_free(&raw);
    return rc;
}

static json_t *
hash_text(const libro_merkle_hash *h)
{
    libro_buf b = LIBRO_BUF_INIT;
    json_t *s = NULL;

    if (libro_b64std_encode(&b, h->bytes, sizeof h->bytes, NULL) == LIBRO_OK) {
        s = json_stringn((const char *) b.data, b.len);
    }
    libro_buf_free(&b);
    return s;
}

static int
entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *) a)->number, ((const entry *) b)->number);
}

static entry *
find_entry(const state *st, const char *number)
{
    entry key;
    size_t len = strlen(number);

    if (len > LIBRO_MAX_LICENSE_NUMBER_BYTES) {
        return NULL;
    }
    memcpy(key.number, number, len + 1);
    return bsearch(&key, st->e, st->n, sizeof *st->e, entry_cmp);
}

/* The licenses part of the state file: what an earlier run saw of each number. */
static bool
read_licenses(state *st, const json_t *a)
{
    size_t i;
    json_t *o;

    if (!json_is_array(a)) {
        return false;
    }
    json_array_foreach(a, i, o)
    {
        const char *number = NULL;
        const char *word = NULL;
        const char *until = NULL;
        json_int_t version = 0;
        int warned = 0;
        entry *e;

        if (json_unpack(o, "{s:s, s:s, s:s, s:I, s:b}", "license", &number, "state", &word,
                        "validUntil", &until, "version", &version, "warned", &warned) != 0 ||
            !libro_license_number_ok(number, strlen(number)) || version < 0 ||
            version > (json_int_t) UINT32_MAX) {
            return false;
        }
        e = find_entry(st, number);
        if (e == NULL) {
            continue; /* no longer rostered */
        }
        e->known = true;
        e->warned = warned != 0;
        e->version = (uint32_t) version;
        if (strcmp(word, "not-found") == 0) {
            e->state = 0;
        } else if (!state_of(&e->state, word)) {
            return false;
        }
        if (until[0] != '\0' &&
            libro_time_parse(&e->valid_until, until, strlen(until), NULL) != LIBRO_OK) {
            return false;
        }
    }
    return true;
}

static bool
read_edge(state *st, const json_t *a)
{
    size_t i;
    json_t *o;

    if (!json_is_array(a) || json_array_size(a) > LIBRO_MERKLE_MAX_PROOF) {
        return false;
    }
    json_array_foreach(a, i, o)
    {
        json_int_t level = 0;
        json_int_t index = 0;
        const char *hash = NULL;

        if (json_unpack(o, "{s:I, s:I, s:s}", "level", &level, "index", &index, "hash", &hash) !=
                0 ||
            level < 0 || level > 63 || index < 0 ||
            hash_from_text(&st->edge[st->n_edge].hash, hash) != LIBRO_OK) {
            return false;
        }
        st->edge[st->n_edge].level = (unsigned) level;
        st->edge[st->n_edge].index = (uint64_t) index;
        st->n_edge++;
    }
    return true;
}

/* Read the state of the last run into `st`, whose entries are the roster's. An absent file is
 * a first run. */
static libro_code
state_read(state *st, const char *path, const char *url, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    json_t *root = NULL;
    json_int_t v = 0;
    json_int_t size = 0;
    const char *saved_url = NULL;
    const char *hash = NULL;
    json_t *edge = NULL;
    json_t *licenses = NULL;
    libro_code rc;

    rc = libro_file_read(&text, path, LIBRO_WATCH_MAX_STATE_BYTES, true, err);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_error_clear(err);
        return LIBRO_OK;
    }
    lim.max_bytes = LIBRO_WATCH_MAX_STATE_BYTES;
    lim.max_depth = 4;
    if (rc == LIBRO_OK) {
        rc = libro_json__load(&root, (const char *) text.data, text.len, &lim, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "watch state");
        goto out;
    }
    if (json_unpack(root, "{s:I, s:s, s:I, s:s, s:o, s:o}", "v", &v, "url", &saved_url, "size",
                    &size, "root", &hash, "edge", &edge, "licenses", &licenses) != 0 ||
        v != STATE_VERSION || size < 0 || hash_from_text(&st->root, hash) != LIBRO_OK ||
        !read_edge(st, edge) || !read_licenses(st, licenses)) {
        rc =
            libro_error_set(err, LIBRO_ERR_PARSE, "watch state %.120s is damaged: remove it", path);
        goto out;
    }
    if (strcmp(saved_url, url) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "watch state %.120s is of another registry (%.64s)", path, saved_url);
        goto out;
    }
    st->has_tree = true;
    st->size = (uint64_t) size;
out:
    json_decref(root);
    libro_buf_free(&text);
    return rc;
}

static json_t *
licenses_json(const state *st)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < st->n; i++) {
        const entry *e = &st->e[i];
        char until[LIBRO_TIME_TEXT_MAX] = "";
        json_t *o;

        if (e->valid_until != 0 && libro_time_format(until, e->valid_until, NULL) != LIBRO_OK) {
            until[0] = '\0';
        }
        o = json_pack("{s:s, s:s, s:s, s:I, s:b}", "license", e->number, "state",
                      e->state == 0 ? "not-found" : libro_license_state_name(e->state),
                      "validUntil", until, "version", (json_int_t) e->version, "warned", e->warned);
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static libro_code
state_write(const state *st, const char *path, const char *url, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    json_t *edge = json_array();
    json_t *root = NULL;
    libro_code rc;

    for (size_t i = 0; edge != NULL && i < st->n_edge; i++) {
        json_t *o = json_pack("{s:I, s:I, s:o}", "level", (json_int_t) st->edge[i].level, "index",
                              (json_int_t) st->edge[i].index, "hash", hash_text(&st->edge[i].hash));

        if (o == NULL || json_array_append_new(edge, o) != 0) {
            json_decref(edge);
            edge = NULL;
        }
    }
    if (edge != NULL) {
        root = json_pack("{s:i, s:s, s:I, s:o, s:o, s:o}", "v", STATE_VERSION, "url", url, "size",
                         (json_int_t) st->size, "root", hash_text(&st->root), "edge", edge,
                         "licenses", licenses_json(st));
    }
    rc = root == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory")
                      : libro_json__dump(&text, root, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&text, "\n", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_file_write_atomic(path, text.data, text.len, 0600, err);
    }
    json_decref(root);
    libro_buf_free(&text);
    return rc;
}

/* ---- the right edge of the tree ------------------------------------------------------------- */

static libro_code
edge_get(void *ctx, unsigned level, uint64_t index, libro_merkle_hash *out, libro_error *err)
{
    const state *st = ctx;

    for (size_t i = 0; i < st->n_edge; i++) {
        if (st->edge[i].level == level && st->edge[i].index == index) {
            *out = st->edge[i].hash;
            return LIBRO_OK;
        }
    }
    return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "watch: no hash of subtree %u/%llu", level,
                           (unsigned long long) index);
}

/* Keep only the perfect subtrees of the tree of `size` leaves: one per bit set in size. */
static void
edge_prune(state *st, uint64_t size)
{
    size_t w = 0;

    for (size_t i = 0; i < st->n_edge; i++) {
        unsigned l = st->edge[i].level;

        if (((size >> l) & 1u) != 0 && st->edge[i].index == (size >> l) - 1u) {
            st->edge[w++] = st->edge[i];
        }
    }
    st->n_edge = w;
}

static libro_code
edge_put(void *ctx, unsigned level, uint64_t index, const libro_merkle_hash *h, libro_error *err)
{
    state *st = ctx;

    for (size_t i = 0; i < st->n_edge; i++) {
        if (st->edge[i].level == level && st->edge[i].index == index) {
            st->edge[i].hash = *h;
            return LIBRO_OK;
        }
    }
    if (st->n_edge == LIBRO_NELEM(st->edge)) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "watch: right edge too long");
    }
    st->edge[st->n_edge].level = level;
    st->edge[st->n_edge].index = index;
    st->edge[st->n_edge].hash = *h;
    st->n_edge++;
    return LIBRO_OK;
}

/* Append the leaf text to the tree of st->size leaves. */
static libro_code
edge_append(state *st, const char *leaf, size_t len, libro_error *err)
{
    libro_merkle_hash h;
    libro_code rc = libro_merkle_leaf_hash(&h, leaf, len, err);

    if (rc == LIBRO_OK) {
        rc = libro_merkle_append(st->size, &h, edge_get, edge_put, st, err);
    }
    if (rc == LIBRO_OK) {
        st->size++;
        edge_prune(st, st->size);
    }
    return rc;
}

/* The right edge of the tree of `size` leaves from the inclusion proof of its last leaf:
 * that proof is the perfect subtrees left of the leaf, lowest first, which is the right edge
 * of the tree of size - 1 leaves; the leaf appended to it gives the edge asked for. */
static libro_code
edge_from_last(state *st, const libro_merkle_hash *proof, size_t n, uint64_t size, const char *leaf,
               size_t len, libro_error *err)
{
    uint64_t fn = size - 1;
    unsigned level = 0;

    st->n_edge = 0;
    for (size_t i = 0; i < n; i++) {
        while (fn != 0 && (fn & 1u) == 0) {
            fn >>= 1;
            level++;
        }
        if (fn == 0 || st->n_edge == LIBRO_NELEM(st->edge)) {
            return libro_error_set(err, LIBRO_ERR_PROOF,
                                   "the inclusion proof of the log's last leaf is too long");
        }
        st->edge[st->n_edge].level = level;
        st->edge[st->n_edge].index = fn - 1;
        st->edge[st->n_edge].hash = proof[i];
        st->n_edge++;
        fn >>= 1;
        level++;
    }
    st->size = size - 1;
    edge_prune(st, st->size);
    return edge_append(st, leaf, len, err);
}

/* ---- fetching ------------------------------------------------------------------------------ */

static libro_code get(libro_http_response *resp, const libro_watch_options *opt, size_t max,
                      const char *what, libro_error *err, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* GET <url><path>; anything but 200 is LIBRO_ERR_NETWORK naming `what` (404: NOT_FOUND). */
static libro_code
get(libro_http_response *resp, const libro_watch_options *opt, size_t max, const char *what,
    libro_error *err, const char *fmt, ...)
{
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_buf url = LIBRO_BUF_INIT;
    char path[256];
    va_list ap;
    int k;
    libro_code rc;

    va_start(ap, fmt);
    k = vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t) k >= sizeof path) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "%s: path too long", what);
    }
    rc = libro_buf_printf(&url, err, "%s%s", opt->url, path);
    if (rc == LIBRO_OK) {
        req.url = (const char *) url.data;
        req.max_response_bytes = max;
        req.ca_file = opt->ca_file;
        rc = libro_http_fetch(resp, &req, err);
    }
    if (rc == LIBRO_OK && resp->status != 200) {
        rc = libro_error_set(err, resp->status == 404 ? LIBRO_ERR_NOT_FOUND : LIBRO_ERR_NETWORK,
                             "%s: the registry answered HTTP %ld", what, resp->status);
        libro_http_response_clear(resp);
    }
    libro_buf_free(&url);
    return rc;
}

/* A proof as the registry serves it: {"proof":[base64 hashes]}. */
static libro_code
fetch_proof(libro_merkle_hash proof[LIBRO_MERKLE_MAX_PROOF], size_t *n,
            const libro_watch_options *opt, const char *kind, uint64_t a, uint64_t b,
            libro_error *err)
{
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    json_t *root = NULL;
    json_t *arr;
    libro_code rc;

    *n = 0;
    rc = get(&resp, opt, PROOF_MAX_BYTES, kind, err, "/v1/log/%s/%llu/%llu", kind,
             (unsigned long long) a, (unsigned long long) b);
    if (rc == LIBRO_OK) {
        rc = libro_json__load(&root, (const char *) resp.body.data, resp.body.len, &lim, err);
    }
    arr = rc == LIBRO_OK ? json_object_get(root, "proof") : NULL;
    if (rc == LIBRO_OK && (!json_is_array(arr) || json_array_size(arr) > LIBRO_MERKLE_MAX_PROOF)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "malformed %s proof", kind);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(arr); i++) {
        if (hash_from_text(&proof[i], json_string_value(json_array_get(arr, i))) != LIBRO_OK) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "malformed %s proof", kind);
        }
    }
    if (rc == LIBRO_OK) {
        *n = json_array_size(arr);
    }
    json_decref(root);
    libro_http_response_clear(&resp);
    return rc;
}

static libro_code
fetch_leaf(libro_http_response *resp, const libro_watch_options *opt, uint64_t index,
           libro_error *err)
{
    return get(resp, opt, LIBRO_WATCH_MAX_LEAF_BYTES, "log leaf", err, "/v1/log/leaves/%llu",
               (unsigned long long) index);
}

/* ---- the run ------------------------------------------------------------------------------- */

static libro_code
push(libro_watch_result *r, size_t *cap, const libro_watch_event *ev, libro_error *err)
{
    if (r->n_events == *cap) {
        size_t ncap = *cap == 0 ? 16 : *cap * 2;
        libro_watch_event *nv = libro_realloc(r->events, ncap * sizeof *nv);

        if (nv == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
        r->events = nv;
        *cap = ncap;
    }
    r->events[r->n_events++] = *ev;
    return LIBRO_OK;
}

void
libro_watch_result_clear(libro_watch_result *r)
{
    if (r != NULL) {
        libro_free(r->events);
        memset(r, 0, sizeof *r);
    }
}

/* The checkpoint now, opened with the registry key. */
static libro_code
fetch_checkpoint(libro_checkpoint *cp, const libro_watch_options *opt, libro_error *err)
{
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_code rc =
        get(&resp, opt, LIBRO_MAX_CHECKPOINT_BYTES, "checkpoint", err, "/v1/log/checkpoint");

    if (rc == LIBRO_OK) {
        rc = libro_checkpoint_open(cp, (const char *) resp.body.data, resp.body.len, opt->registry,
                                   opt->registry, opt->key, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "checkpoint");
        }
    }
    libro_http_response_clear(&resp);
    return rc;
}

/* The tree seen before must be a prefix of the tree now (RFC 9162 consistency). */
static libro_code
check_extends(const state *st, const libro_checkpoint *cp, const libro_watch_options *opt,
              libro_error *err)
{
    libro_merkle_hash proof[LIBRO_MERKLE_MAX_PROOF];
    size_t n = 0;
    libro_code rc = LIBRO_OK;

    if (cp->size < st->size) {
        return libro_error_set(err, LIBRO_ERR_ROLLBACK,
                               "the registry's log has %llu leaves, fewer than the %llu seen "
                               "before: refusing a rolled-back log",
                               (unsigned long long) cp->size, (unsigned long long) st->size);
    }
    if (cp->size > st->size && st->size > 0) {
        rc = fetch_proof(proof, &n, opt, "consistency", st->size, cp->size, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_merkle_verify_consistency(st->size, cp->size, &st->root, &cp->root, proof, n,
                                             err);
        if (rc == LIBRO_ERR_PROOF) {
            rc =
                libro_error_set(err, LIBRO_ERR_PROOF,
                                "the registry's log of %llu leaves does not extend the one of %llu "
                                "seen before: it forked",
                                (unsigned long long) cp->size, (unsigned long long) st->size);
        }
    }
    return rc;
}

/* Read the license's record into `e`: its state, validUntil and version now. */
static libro_code
read_record(entry *e, libro_registry_client *c, libro_error *err)
{
    libro_license_record rec;
    libro_code rc;

    memset(&rec, 0, sizeof rec);
    rc = libro_registry_client_get(c, &rec, e->number, err);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_error_clear(err);
        e->state = 0;
        e->valid_until = 0;
        e->version = 0;
        return LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        if (rec.valid_until != e->valid_until) {
            e->warned = false;
        }
        e->state = rec.state;
        e->valid_until = rec.valid_until;
        e->version = rec.version;
    }
    libro_license_record_clear(&rec);
    return rc;
}

/* Leaf `index`, text[0..len): appended to the edge; a license leaf of a known rostered
 * number is a change. */
static libro_code
take_leaf(libro_watch_result *r, size_t *cap, state *st, const char *text, size_t len,
          libro_error *err)
{
    libro_watch_event ev;
    uint64_t index = st->size;
    bool relevant = false;
    entry *e;
    libro_code rc = edge_append(st, text, len, err);

    if (rc == LIBRO_OK) {
        rc = libro_watch_leaf_event(&ev, &relevant, text, len, index, err);
    }
    e = rc == LIBRO_OK && relevant ? find_entry(st, ev.license) : NULL;
    if (e != NULL && e->known) {
        e->state = ev.state;
        e->version = ev.version;
        e->refresh =
            e->refresh || ev.action == LIBRO_ACTION_ISSUE || ev.action == LIBRO_ACTION_RENEW;
        rc = push(r, cap, &ev, err);
    }
    return rc;
}

/* A page of leaves from st->size on (GET /v1/log/leaves?start=N&count=M), at most `count`:
 * each taken in order. */
static libro_code
take_page(libro_watch_result *r, size_t *cap, state *st, uint64_t count,
          const libro_watch_options *opt, libro_error *err)
{
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    json_t *page = NULL;
    libro_code rc;

    rc = get(&resp, opt, LIBRO_LOG_MAX_PAGE_BYTES, "log leaves", err,
             "/v1/log/leaves?start=%llu&count=%llu", (unsigned long long) st->size,
             (unsigned long long) count);
    lim.max_bytes = LIBRO_LOG_MAX_PAGE_BYTES;
    lim.max_depth = 2;
    if (rc == LIBRO_OK) {
        rc = libro_json__load(&page, (const char *) resp.body.data, resp.body.len, &lim, err);
    }
    if (rc == LIBRO_OK &&
        (!json_is_array(page) || json_array_size(page) == 0 || json_array_size(page) > count)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "log leaves: not a page of 1 to %llu leaves",
                             (unsigned long long) count);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(page); i++) {
        const json_t *leaf = json_array_get(page, i);

        rc = json_is_string(leaf)
                 ? take_leaf(r, cap, st, json_string_value(leaf), json_string_length(leaf), err)
                 : libro_error_set(err, LIBRO_ERR_PARSE, "log leaves: a leaf is not a string");
    }
    json_decref(page);
    libro_http_response_clear(&resp);
    return rc;
}

/* The leaves [st->size, cp->size), a page at a time. Then the edge's root must be the
 * checkpoint's. */
static libro_code
read_leaves(libro_watch_result *r, size_t *cap, state *st, const libro_checkpoint *cp,
            const libro_watch_options *opt, libro_error *err)
{
    libro_merkle_hash root;
    libro_code rc = LIBRO_OK;

    while (rc == LIBRO_OK && st->size < cp->size) {
        uint64_t left = cp->size - st->size;

        rc = take_page(r, cap, st, left < LIBRO_LOG_MAX_PAGE ? left : LIBRO_LOG_MAX_PAGE, opt, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_merkle_root(&root, st->size, edge_get, st, err);
    }
    if (rc == LIBRO_OK && memcmp(root.bytes, cp->root.bytes, sizeof root.bytes) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PROOF,
                             "the leaves the registry served do not make its checkpoint's "
                             "root: they are not its log");
    }
    return rc;
}

/* A first run: the right edge of the tree now, from its last leaf and that leaf's inclusion
 * proof, checked against the checkpoint's root. */
static libro_code
first_edge(state *st, const libro_checkpoint *cp, const libro_watch_options *opt, libro_error *err)
{
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_merkle_hash proof[LIBRO_MERKLE_MAX_PROOF];
    libro_merkle_hash root;
    size_t n = 0;
    libro_code rc;

    st->size = 0;
    st->n_edge = 0;
    if (cp->size == 0) {
        return LIBRO_OK;
    }
    rc = fetch_proof(proof, &n, opt, "inclusion", cp->size - 1, cp->size, err);
    if (rc == LIBRO_OK) {
        rc = fetch_leaf(&resp, opt, cp->size - 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = edge_from_last(st, proof, n, cp->size, (const char *) resp.body.data, resp.body.len,
                            err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_merkle_root(&root, st->size, edge_get, st, err);
    }
    if (rc == LIBRO_OK && memcmp(root.bytes, cp->root.bytes, sizeof root.bytes) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PROOF,
                             "the log's last leaf and its inclusion proof do not make the "
                             "checkpoint's root");
    }
    libro_http_response_clear(&resp);
    return rc;
}

static libro_code
state_init(state *st, const libro_watch_options *opt, libro_error *err)
{
    memset(st, 0, sizeof *st);
    if (opt->n_numbers == 0) {
        return LIBRO_OK;
    }
    st->e = libro_calloc(opt->n_numbers, sizeof *st->e);
    if (st->e == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < opt->n_numbers; i++) {
        const char *num = opt->numbers[i];

        if (num == NULL || !libro_license_number_ok(num, strlen(num))) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "watch: roster entry %zu", i + 1);
        }
        memcpy(st->e[i].number, num, strlen(num) + 1);
    }
    st->n = opt->n_numbers;
    qsort(st->e, st->n, sizeof *st->e, entry_cmp);
    return LIBRO_OK;
}

bool
libro_watch_expiry_upcoming(libro_license_state st, int64_t valid_until, int64_t now,
                            int64_t within)
{
    /* valid_until > 0 and within >= 0: valid_until - within cannot overflow. */
    return st == LIBRO_STATE_ACTIVE && valid_until > 0 && within >= 0 &&
           now >= valid_until - within;
}

/* Baselines, refreshed records and upcoming expiries, in roster order. */
static libro_code
roster_events(libro_watch_result *r, size_t *cap, state *st, const libro_watch_options *opt,
              libro_error *err)
{
    libro_registry_client *c = NULL;
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; rc == LIBRO_OK && i < st->n; i++) {
        entry *e = &st->e[i];
        libro_watch_event ev;

        if (e->known && !e->refresh) {
            continue;
        }
        if (c == NULL) {
            rc = libro_registry_client_open(&c, opt->url, NULL, NULL, NULL, opt->ca_file, err);
        }
        if (rc == LIBRO_OK) {
            rc = read_record(e, c, err);
        }
        if (rc == LIBRO_OK && !e->known) {
            memset(&ev, 0, sizeof ev);
            ev.kind = e->state == 0 ? LIBRO_WATCH_NOT_FOUND : LIBRO_WATCH_BASELINE;
            memcpy(ev.license, e->number, sizeof ev.license);
            ev.at = opt->now;
            ev.state = e->state;
            ev.version = e->version;
            ev.valid_until = e->valid_until;
            rc = push(r, cap, &ev, err);
        }
    }
    libro_registry_client_close(c);
    for (size_t i = 0; rc == LIBRO_OK && i < st->n; i++) {
        entry *e = &st->e[i];
        libro_watch_event ev;

        e->known = true;
        if (e->warned ||
            !libro_watch_expiry_upcoming(e->state, e->valid_until, opt->now, opt->within)) {
            continue;
        }
        memset(&ev, 0, sizeof ev);
        ev.kind = LIBRO_WATCH_UPCOMING;
        memcpy(ev.license, e->number, sizeof ev.license);
        ev.at = opt->now;
        ev.state = e->state;
        ev.version = e->version;
        ev.valid_until = e->valid_until;
        e->warned = true;
        rc = push(r, cap, &ev, err);
    }
    return rc;
}

libro_code
libro_watch_run(libro_watch_result *out, const libro_watch_options *opt, libro_error *err)
{
    libro_checkpoint cp = {0};
    libro_watch_result r;
    state st;
    size_t cap = 0;
    libro_code rc;

    memset(&r, 0, sizeof r);
    memset(&st, 0, sizeof st);
    if (out == NULL || opt == NULL || opt->version != LIBRO_WATCH_OPTIONS_VERSION ||
        opt->url == NULL || opt->registry == NULL || opt->key == NULL ||
        (opt->numbers == NULL && opt->n_numbers > 0) || opt->state_path == NULL ||
        opt->within < 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "watch: bad options");
    }
    memset(out, 0, sizeof *out);
    rc = libro_http_url_check(opt->url, err);
    if (rc == LIBRO_OK) {
        rc = state_init(&st, opt, err);
    }
    if (rc == LIBRO_OK) {
        rc = state_read(&st, opt->state_path, opt->url, err);
    }
    if (rc == LIBRO_OK) {
        rc = fetch_checkpoint(&cp, opt, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    r.first = !st.has_tree;
    r.from = st.size;
    r.to = cp.size;
    if (st.has_tree) {
        rc = check_extends(&st, &cp, opt, err);
        if (rc == LIBRO_OK) {
            rc = read_leaves(&r, &cap, &st, &cp, opt, err);
        }
    } else {
        rc = first_edge(&st, &cp, opt, err);
    }
    if (rc == LIBRO_OK) {
        st.root = cp.root;
        rc = roster_events(&r, &cap, &st, opt, err);
    }
    if (rc == LIBRO_OK) {
        rc = state_write(&st, opt->state_path, opt->url, err);
    }
    if (rc == LIBRO_OK) {
        *out = r;
        memset(&r, 0, sizeof r);
    }
out:
    libro_watch_result_clear(&r);
    libro_checkpoint_clear(&cp);
    libro_free(st.e);
    return rc;
}
