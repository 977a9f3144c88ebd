/* libro_verifier: the trust store. A directory (mode 0700) holding
 *   anchors/<thumbprint>.jws       self-chartered CommunityCharters pinned as anchors
 *   credentials/<sha256-hex>.jws   charters and authorizations, trusted only through a chain
 *   status/<sha256-hex of id>.jws  cached status lists, one per list id (the URL)
 *   seen                           the newest trusted time seen: one RFC 3339 time (ms)
 * Every file is one compact JWS, written atomically with mode 0644 (public data). Loading
 * reads every *.jws strictly: a file that is a link, not regular, too large, unparsable or
 * whose name does not match its contents makes the whole open fail, naming the file, so a
 * store is never half-read in silence. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"
#include "verify_int.h"

#define ANCHORS_DIR "anchors"
#define CREDENTIALS_DIR "credentials"
#define STATUS_DIR "status"
#define SEEN_FILE "seen"
/* "2026-12-06T06:48:17.123Z" and a newline, with room for whitespace around it. */
#define SEEN_MAX_BYTES 64u
#define SUFFIX ".jws"
#define STORE_FILE_MODE 0644u
#define STORE_DIR_MODE 0700

/* ---- small helpers shared with chain.c and verify.c ----------------------------------------- */

void
libro_verifier__printable(char *out, size_t cap, const char *s, size_t len)
{
    size_t n;
    size_t i;

    if (cap == 0) {
        return;
    }
    n = len < cap - 1 ? len : cap - 1;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];

        out[i] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '?';
    }
    out[n] = '\0';
}

/* ---- the default directory ---------------------------------------------------------------- */

libro_code
libro_trust_default_dir(libro_buf *out, libro_error *err)
{
    const char *xdg;
    const char *home;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "trust: NULL argument");
    }
    xdg = getenv("XDG_DATA_HOME");
    /* The XDG base directory spec: a relative path in the variable is invalid, ignore it. */
    if (xdg != NULL && xdg[0] == '/') {
        return libro_buf_printf(out, err, "%s/libro", xdg);
    }
    home = getenv("HOME");
    if (home != NULL && home[0] == '/') {
        return libro_buf_printf(out, err, "%s/.local/share/libro", home);
    }
    return libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                           "trust: neither XDG_DATA_HOME nor HOME is an absolute path");
}

/* ---- directories ------------------------------------------------------------------------ */

static libro_code
join(char *out, size_t cap, const char *a, const char *b, libro_error *err)
{
    int n = snprintf(out, cap, "%s/%s", a, b);

    if (n < 0 || (size_t) n >= cap) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "trust: path too long: %.64s", a);
    }
    return LIBRO_OK;
}

/* mkdir -p with mode 0700 for what is created (XDG: "created with permissions 0700"). */
static libro_code
make_dirs(const char *path, libro_error *err)
{
    char tmp[PATH_MAX];
    size_t len = strlen(path);
    size_t i;
    struct stat st;

    if (len == 0 || len >= sizeof tmp) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "trust: bad directory path");
    }
    memcpy(tmp, path, len + 1);
    for (i = 1; i <= len; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0') {
            continue;
        }
        tmp[i] = '\0';
        if (mkdir(tmp, STORE_DIR_MODE) != 0 && errno != EEXIST) {
            return libro_error_set(err, LIBRO_ERR_IO, "%.200s: mkdir: %s", tmp, strerror(errno));
        }
        tmp[i] = path[i];
    }
    if (stat(path, &st) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: not a directory", path);
    }
    return LIBRO_OK;
}

/* Whoever can write into the store can pin an anchor, so (like OpenSSH's StrictModes) the
 * directories must belong to us or root and be writable by nobody else. */
static libro_code
check_dir(const char *path, libro_error *err)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: not a directory", path);
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "%.200s: owned by another user", path);
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "%.200s: writable by group or others", path);
    }
    return LIBRO_OK;
}

static libro_code
fsync_dir(const char *path, libro_error *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r;

    if (fd < 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
    }
    r = fsync(fd);
    close(fd);
    if (r != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: fsync: %s", path, strerror(errno));
    }
    return LIBRO_OK;
}

/* ---- items -------------------------------------------------------------------------------- */

static void
item_clear(libro_trust__item *it)
{
    libro_credential_free(it->cred);
    libro_free(it->token);
    libro_free(it->file);
    libro_free(it->signer_id);
    memset(it, 0, sizeof *it);
}

/* Parse and check one stored token for `kind`, filling `it` (token, cred, signer, tp); the
 * file name is the caller's business. Anchors: a self-chartered CommunityCharter (issuer =
 * subject = kid id, kid thumbprint = its own key's) whose signature verifies with that key;
 * the credential kept is the one parsed from the verified payload. Credentials: a charter of
 * a child (not self-chartered: that is an anchor) or an authorization, unverified. */
static libro_code
index_token(libro_trust__item *it, libro_trust_kind kind, const char *token, size_t len,
            libro_error *err)
{
    libro_jws *jws = NULL;
    libro_credential *c = NULL;
    libro_credential *verified = NULL;
    const unsigned char *vp;
    size_t vp_len;
    const char *kid;
    const char *kid_tp;
    size_t id_len;
    char shown[65];
    libro_code rc;

    memset(it, 0, sizeof *it);
    it->kind = kind;
    rc = libro_jws_parse(&jws, token, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!libro_jws_typ_is(libro_jws_typ(jws), "vc+jwt")) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jws: typ is not vc+jwt");
        goto out;
    }
    kid = libro_jws_kid(jws);
    if (kid == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: header lacks \"kid\"");
        goto out;
    }
    rc = libro_kid_split(kid, &id_len, &kid_tp, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_credential_parse_unverified(&c, token, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (strlen(c->issuer) != id_len || memcmp(c->issuer, kid, id_len) != 0) {
        libro_verifier__printable(shown, sizeof shown, kid, id_len);
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "kid names %s, but the issuer is %.64s", shown,
                             c->issuer);
        goto out;
    }
    if (kind == LIBRO_TRUST_ANCHOR && c->type != LIBRO_CRED_CHARTER) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "an anchor must be a self-chartered CommunityCharter (got %s)",
                             libro_cred_type_name(c->type));
        goto out;
    }
    if (c->type != LIBRO_CRED_CHARTER && c->type != LIBRO_CRED_ISSUER_AUTH &&
        c->type != LIBRO_CRED_REGISTRY_AUTH) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "credential type %s is not a charter or an authorization",
                             libro_cred_type_name(c->type));
        goto out;
    }
    if (c->subject_key == NULL || c->subject_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "credentialSubject lacks its key or id");
        goto out;
    }
    rc = libro_key_thumbprint(it->tp, c->subject_key, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (kind == LIBRO_TRUST_ANCHOR) {
        if (strcmp(c->issuer, c->subject_id) != 0 || strcmp(kid_tp, it->tp) != 0) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                 "an anchor must be a self-chartered CommunityCharter signed by "
                                 "its own key");
            goto out;
        }
        rc = libro_jws_verify(jws, c->subject_key, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "anchor self-signature");
            goto out;
        }
        vp = libro_jws_payload(jws, &vp_len);
        rc = libro_credential_parse(&verified, vp, vp_len, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        libro_credential_free(c);
        c = verified;
        verified = NULL;
    } else if (c->type == LIBRO_CRED_CHARTER && strcmp(c->issuer, c->subject_id) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "a self-chartered CommunityCharter is an anchor: pin it as one");
        goto out;
    }
    it->token = libro_strndup(token, len);
    it->signer_id = libro_strndup(kid, id_len);
    if (it->token == NULL || it->signer_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    it->token_len = len;
    memcpy(it->signer_tp, kid_tp, LIBRO_THUMBPRINT_LEN);
    it->signer_tp[LIBRO_THUMBPRINT_LEN] = '\0';
    it->cred = c;
    c = NULL;
out:
    if (rc != LIBRO_OK) {
        item_clear(it);
    }
    libro_credential_free(verified);
    libro_credential_free(c);
    libro_jws_free(jws);
    return rc;
}

/* The file name a token is stored under: anchors by their key's thumbprint (one anchor per
 * key: a renewed self-charter replaces the old), credentials by the SHA-256 of their bytes
 * (re-adding is a no-op, and two versions of one authorization live side by side). */
static libro_code
stored_name(char *out, size_t cap, const libro_trust__item *it, libro_error *err)
{
    unsigned char digest[32];
    libro_buf hex = LIBRO_BUF_INIT;
    int n;
    libro_code rc;

    if (it->kind == LIBRO_TRUST_ANCHOR) {
        n = snprintf(out, cap, "%s" SUFFIX, it->tp);
    } else {
        rc = libro_sha256(digest, it->token, it->token_len, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        rc = libro_hex_encode(&hex, digest, sizeof digest, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        n = snprintf(out, cap, "%s" SUFFIX, (const char *) hex.data);
    }
    rc = LIBRO_OK;
    if (n < 0 || (size_t) n >= cap) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: file name too long");
    }
out:
    libro_buf_free(&hex);
    return rc;
}

static libro_code
push_item(libro_trust *t, libro_trust__item *it, libro_error *err)
{
    libro_trust__item *grown;
    size_t cap;

    if (t->n_items + t->n_lists >= LIBRO_TRUST__MAX_ENTRIES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "trust: store holds more than %u entries",
                               LIBRO_TRUST__MAX_ENTRIES);
    }
    if (t->n_items == t->cap_items) {
        cap = t->cap_items == 0 ? 16 : t->cap_items * 2;
        grown = libro_realloc(t->items, cap * sizeof *grown);
        if (grown == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        }
        t->items = grown;
        t->cap_items = cap;
    }
    t->items[t->n_items++] = *it;
    memset(it, 0, sizeof *it); /* moved into the store */
    return LIBRO_OK;
}

static int
item_cmp(const void *a, const void *b)
{
    const libro_trust__item *x = a;
    const libro_trust__item *y = b;

    /* "anchors/" sorts before "credentials/", so the order is anchors first, then by name. */
    return strcmp(x->file, y->file);
}

static void
sort_items(libro_trust *t)
{
    if (t->n_items > 1) {
        qsort(t->items, t->n_items, sizeof *t->items, item_cmp);
    }
}

/* ---- status lists ----------------------------------------------------------------------- */

static void
list_clear(libro_trust__list *l)
{
    libro_status_list_free(&l->list);
    libro_free(l->token);
    libro_free(l->file);
    libro_free(l->signer_id);
    memset(l, 0, sizeof *l);
}

/* Index a status list token WITHOUT verifying its signature (as index_token does for
 * credentials): a strict JWS within the status list caps, typ vc+jwt, a kid whose id is the
 * payload's issuer, a payload libro_status_list_parse accepts. The bits are dropped: a
 * verification reads them again from what verified. */
static libro_code
index_list(libro_trust__list *l, const char *token, size_t len, libro_error *err)
{
    libro_jws *jws = NULL;
    libro_buf payload = LIBRO_BUF_INIT;
    const char *kid;
    const char *kid_tp;
    size_t id_len;
    char shown[65];
    libro_code rc;

    memset(l, 0, sizeof *l);
    rc = libro_jws_parse_ex(&jws, token, len, LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                            LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!libro_jws_typ_is(libro_jws_typ(jws), "vc+jwt")) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jws: typ is not vc+jwt");
        goto out;
    }
    kid = libro_jws_kid(jws);
    if (kid == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: header lacks \"kid\"");
        goto out;
    }
    rc = libro_kid_split(kid, &id_len, &kid_tp, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws_unverified_payload(&payload, token, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_status_list_parse(&l->list, payload.data, payload.len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    libro_bitstring_free(&l->list.bits);
    if (strlen(l->list.issuer) != id_len || memcmp(l->list.issuer, kid, id_len) != 0) {
        libro_verifier__printable(shown, sizeof shown, kid, id_len);
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "kid names %s, but the issuer is %.64s", shown,
                             l->list.issuer);
        goto out;
    }
    l->token = libro_strndup(token, len);
    l->signer_id = libro_strndup(kid, id_len);
    if (l->token == NULL || l->signer_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    l->token_len = len;
    memcpy(l->signer_tp, kid_tp, LIBRO_THUMBPRINT_LEN);
    l->signer_tp[LIBRO_THUMBPRINT_LEN] = '\0';
out:
    if (rc != LIBRO_OK) {
        list_clear(l);
    }
    libro_buf_free(&payload);
    libro_jws_free(jws);
    return rc;
}

/* status/<sha256 hex of the list's id>.jws: one file per list, whatever its version. */
static libro_code
list_name(char *out, size_t cap, const libro_trust__list *l, libro_error *err)
{
    unsigned char digest[32];
    libro_buf hex = LIBRO_BUF_INIT;
    int n;
    libro_code rc;

    rc = libro_sha256(digest, l->list.id, strlen(l->list.id), err);
    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, digest, sizeof digest, err);
    }
    if (rc == LIBRO_OK) {
        n = snprintf(out, cap, "%s" SUFFIX, (const char *) hex.data);
        if (n < 0 || (size_t) n >= cap) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: file name too long");
        }
    }
    libro_buf_free(&hex);
    return rc;
}

static libro_code
push_list(libro_trust *t, libro_trust__list *l, libro_error *err)
{
    libro_trust__list *grown;
    size_t cap;

    if (t->n_items + t->n_lists >= LIBRO_TRUST__MAX_ENTRIES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "trust: store holds more than %u entries",
                               LIBRO_TRUST__MAX_ENTRIES);
    }
    if (t->n_lists == t->cap_lists) {
        cap = t->cap_lists == 0 ? 8 : t->cap_lists * 2;
        grown = libro_realloc(t->lists, cap * sizeof *grown);
        if (grown == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        }
        t->lists = grown;
        t->cap_lists = cap;
    }
    t->lists[t->n_lists++] = *l;
    memset(l, 0, sizeof *l); /* moved into the store */
    return LIBRO_OK;
}

static int
list_cmp(const void *a, const void *b)
{
    const libro_trust__list *x = a;
    const libro_trust__list *y = b;

    return strcmp(x->file, y->file);
}

static void
sort_lists(libro_trust *t)
{
    if (t->n_lists > 1) {
        qsort(t->lists, t->n_lists, sizeof *t->lists, list_cmp);
    }
}

/* One file of status/: indexed, named after its id, taken into the store. */
static libro_code
load_list(libro_trust *t, libro_trust__list *l, const char *token, size_t len, const char *name,
          const char *path, libro_error *err)
{
    char want[LIBRO_THUMBPRINT_LEN + 80];
    libro_code rc;

    rc = index_list(l, token != NULL ? token : "", len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, path);
        return rc;
    }
    rc = list_name(want, sizeof want, l, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (strcmp(want, name) != 0) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%.200s: name does not match contents", path);
    }
    l->file = libro_strndup(path, strlen(path));
    if (l->file == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
    }
    return push_list(t, l, err);
}

/* ---- loading ------------------------------------------------------------------------------ */

/* Whether `name` is an entry ending in `suffix`: hidden files and the temporaries of an
 * interrupted atomic write ("x.jws.tmp-...") are not. */
static bool
is_store_name(const char *name, const char *suffix)
{
    size_t len = strlen(name);
    size_t n = strlen(suffix);

    return name[0] != '.' && len > n && strcmp(name + len - n, suffix) == 0;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

void
libro_trust__names_free(char **names, size_t n)
{
    for (size_t i = 0; names != NULL && i < n; i++) {
        libro_free(names[i]);
    }
    libro_free(names);
}

libro_code
libro_trust__dir_names(char ***out, size_t *n_out, DIR *d, const char *dir, const char *suffix,
                       size_t max, libro_error *err)
{
    struct dirent *de;
    char **names = NULL;
    char **grown;
    size_t n = 0;
    size_t cap = 0;
    libro_code rc = LIBRO_OK;

    for (;;) {
        errno = 0;
        de = readdir(d);
        if (de == NULL) {
            if (errno != 0) {
                rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", dir, strerror(errno));
            }
            break;
        }
        if (!is_store_name(de->d_name, suffix)) {
            continue;
        }
        if (n >= max) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "%.200s: more than %zu entries", dir, max);
            break;
        }
        if (n == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            grown = libro_realloc(names, cap * sizeof *names);
            if (grown == NULL) {
                rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
                break;
            }
            names = grown;
        }
        names[n] = libro_strndup(de->d_name, strlen(de->d_name));
        if (names[n] == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
            break;
        }
        n++;
    }
    if (rc != LIBRO_OK) {
        libro_trust__names_free(names, n);
        return rc;
    }
    /* readdir order is arbitrary; listing and chain search should not be. */
    if (n > 1) {
        qsort(names, n, sizeof *names, name_cmp);
    }
    *out = names;
    *n_out = n;
    return LIBRO_OK;
}

libro_code
libro_trust__read_entry(libro_buf *out, int dir_fd, const char *name, const char *path, size_t max,
                        libro_error *err)
{
    struct stat st;
    int fd;
    libro_code rc;

    fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ELOOP) {
            return libro_error_set(err, LIBRO_ERR_DENIED, "%.200s: is a symbolic link", path);
        }
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: not a regular file", path);
        goto out;
    }
    if ((uintmax_t) st.st_size > (uintmax_t) max) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "%.200s: larger than %zu bytes", path, max);
        goto out;
    }
    rc = libro_fd_read(out, fd, max, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, path);
    }
out:
    close(fd);
    return rc;
}

libro_code
libro_trust__subdir(char *out, size_t cap, const libro_trust *t, const char *sub, libro_error *err)
{
    libro_code rc = join(out, cap, t->dir, sub, err);

    if (rc == LIBRO_OK) {
        rc = make_dirs(out, err);
    }
    if (rc == LIBRO_OK) {
        rc = check_dir(out, err);
    }
    return rc;
}

static libro_code
load_dir(libro_trust *t, const char *sub, libro_trust_kind kind, libro_error *err)
{
    char dir[PATH_MAX];
    char path[PATH_MAX];
    char want[LIBRO_THUMBPRINT_LEN + 80];
    DIR *d = NULL;
    char **names = NULL;
    size_t n_names = 0;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_trust__item it;
    libro_trust__list l;
    bool lists = kind == LIBRO_TRUST_STATUS_LIST;
    size_t i;
    libro_code rc;

    memset(&it, 0, sizeof it);
    memset(&l, 0, sizeof l);
    rc = libro_trust__subdir(dir, sizeof dir, t, sub, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    d = opendir(dir);
    if (d == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", dir, strerror(errno));
        goto out;
    }
    rc = libro_trust__dir_names(&names, &n_names, d, dir, SUFFIX,
                                LIBRO_TRUST__MAX_ENTRIES - t->n_items - t->n_lists, err);
    if (rc == LIBRO_ERR_LIMIT) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: store holds more than %u entries",
                             LIBRO_TRUST__MAX_ENTRIES);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    for (i = 0; i < n_names; i++) {
        rc = join(path, sizeof path, dir, names[i], err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        libro_buf_clear(&raw);
        rc = libro_trust__read_entry(
            &raw, dirfd(d), names[i], path,
            lists ? LIBRO_MAX_STATUS_LIST_TOKEN_BYTES : LIBRO_MAX_TOKEN_BYTES, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        if (lists) {
            rc = load_list(t, &l, (const char *) raw.data, raw.len, names[i], path, err);
            if (rc != LIBRO_OK) {
                goto out;
            }
            continue;
        }
        rc = index_token(&it, kind, raw.data != NULL ? (const char *) raw.data : "", raw.len, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, path);
            goto out;
        }
        /* A file whose name is not what its bytes would be stored under was not written by
         * us; refusing it keeps add and remove exact (one file per anchor key / token). */
        rc = stored_name(want, sizeof want, &it, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        if (strcmp(want, names[i]) != 0) {
            rc =
                libro_error_set(err, LIBRO_ERR_PARSE, "%.200s: name does not match contents", path);
            goto out;
        }
        it.file = libro_strndup(path, strlen(path));
        if (it.file == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
            goto out;
        }
        rc = push_item(t, &it, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = LIBRO_OK;
out:
    item_clear(&it);
    list_clear(&l);
    libro_buf_free(&raw);
    libro_trust__names_free(names, n_names);
    if (d != NULL) {
        closedir(d);
    }
    return rc;
}

/* The newest trusted time seen, from the file "seen"; none yet when it is absent. Like any
 * other file of the store, a damaged one stops the open: a verifier that forgot it would
 * believe a clock set back. */
static libro_code
load_seen(libro_trust *t, libro_error *err)
{
    char path[PATH_MAX];
    libro_buf raw = LIBRO_BUF_INIT;
    const char *p;
    size_t len;
    libro_error e = LIBRO_ERROR_INIT;
    libro_code rc;

    rc = join(path, sizeof path, t->dir, SEEN_FILE, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = libro_file_read(&raw, path, SEEN_MAX_BYTES, true, &e);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        t->seen_ms = 0;
        rc = LIBRO_OK;
        goto out;
    }
    if (rc != LIBRO_OK) {
        rc = libro_error_set(err, rc, "%s", e.msg);
        goto out;
    }
    p = (const char *) raw.data;
    len = raw.len;
    libro_text_trim(&p, &len);
    if (libro_time_parse_ms(&t->seen_ms, p, len, &e) != LIBRO_OK || t->seen_ms <= 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "%.200s: damaged (want one RFC 3339 time); sync again after "
                             "removing it",
                             path);
    }
out:
    libro_buf_free(&raw);
    return rc;
}

libro_code
libro_trust__see(libro_trust *t, int64_t ms, libro_error *err)
{
    char path[PATH_MAX];
    char text[LIBRO_TIME_MS_TEXT_MAX + 1];
    int64_t now_ms = libro_time_now_ms();
    size_t n;
    libro_code rc;

    /* Data dated ahead of this clock shows only that it was seen by now. */
    if (ms > now_ms) {
        ms = now_ms;
    }
    if (ms <= t->seen_ms) {
        return LIBRO_OK;
    }
    rc = join(path, sizeof path, t->dir, SEEN_FILE, err);
    if (rc == LIBRO_OK) {
        rc = libro_time_format_ms(text, ms, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    n = strlen(text);
    text[n++] = '\n';
    rc = libro_file_write_atomic(path, text, n, STORE_FILE_MODE, err);
    if (rc == LIBRO_OK) {
        t->seen_ms = ms;
    }
    return rc;
}

int64_t
libro_trust_seen_ms(const libro_trust *t)
{
    return t != NULL ? t->seen_ms : 0;
}

libro_code
libro_trust_open(libro_trust **out, const char *dir, libro_error *err)
{
    libro_buf def = LIBRO_BUF_INIT;
    libro_trust *t = NULL;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "trust: NULL argument");
    }
    *out = NULL;
    if (dir == NULL) {
        rc = libro_trust_default_dir(&def, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        dir = (const char *) def.data;
    }
    if (dir[0] == '\0' || strlen(dir) >= PATH_MAX - 128) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "trust: bad directory path");
        goto out;
    }
    t = libro_calloc(1, sizeof *t);
    if (t == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    t->dir = libro_strndup(dir, strlen(dir));
    if (t->dir == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    rc = make_dirs(t->dir, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = check_dir(t->dir, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = load_dir(t, ANCHORS_DIR, LIBRO_TRUST_ANCHOR, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = load_dir(t, CREDENTIALS_DIR, LIBRO_TRUST_CREDENTIAL, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = load_dir(t, STATUS_DIR, LIBRO_TRUST_STATUS_LIST, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = load_seen(t, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_trust__index_load(t, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    sort_items(t);
    sort_lists(t);
    t->memo = libro_trust__memo_new(t->n_items, t->n_lists);
    if (t->memo == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    *out = t;
    t = NULL;
out:
    libro_trust_free(t);
    libro_buf_free(&def);
    return rc;
}

void
libro_trust_free(libro_trust *t)
{
    size_t i;

    if (t == NULL) {
        return;
    }
    for (i = 0; i < t->n_items; i++) {
        item_clear(&t->items[i]);
    }
    libro_free(t->items);
    for (i = 0; i < t->n_lists; i++) {
        list_clear(&t->lists[i]);
    }
    libro_free(t->lists);
    libro_trust__index_clear(t);
    libro_free(t->dir);
    libro_trust__memo_free(t->memo);
    libro_free(t);
}

/* ---- adding and removing ------------------------------------------------------------------ */

/* Write `it` (indexed, without a file yet) into `sub` and take it into the store; an entry
 * already stored under the same name is replaced (anchors) or kept (credentials: same bytes). */
static libro_code
store_item(libro_trust *t, libro_trust__item *it, const char *sub, libro_error *err)
{
    char dir[PATH_MAX];
    char name[LIBRO_THUMBPRINT_LEN + 80];
    char path[PATH_MAX];
    size_t i;
    libro_code rc;

    rc = join(dir, sizeof dir, t->dir, sub, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = stored_name(name, sizeof name, it, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = join(path, sizeof path, dir, name, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    for (i = 0; i < t->n_items; i++) {
        if (strcmp(t->items[i].file, path) != 0) {
            continue;
        }
        if (t->items[i].token_len == it->token_len &&
            memcmp(t->items[i].token, it->token, it->token_len) == 0) {
            return LIBRO_OK; /* already there, byte for byte */
        }
        break;
    }
    it->file = libro_strndup(path, strlen(path));
    if (it->file == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
    }
    if (i == t->n_items && t->n_items + t->n_lists >= LIBRO_TRUST__MAX_ENTRIES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "trust: store holds more than %u entries",
                               LIBRO_TRUST__MAX_ENTRIES);
    }
    rc = make_dirs(dir, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = libro_file_write_atomic(path, it->token, it->token_len, STORE_FILE_MODE, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (i < t->n_items) {
        /* A renewed self-charter for a pinned key: the file was replaced, so is the entry. */
        item_clear(&t->items[i]);
        t->items[i] = *it;
        memset(it, 0, sizeof *it);
        return libro_trust__memo_reset(t, err);
    }
    rc = push_item(t, it, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    sort_items(t);
    return libro_trust__memo_reset(t, err);
}

libro_code
libro_trust_add_anchor(libro_trust *t, const char *jws, size_t len, const char *expect_thumbprint,
                       char *thumbprint_out, libro_error *err)
{
    libro_trust__item it;
    char shown[65];
    libro_code rc;

    memset(&it, 0, sizeof it);
    if (thumbprint_out != NULL) {
        thumbprint_out[0] = '\0';
    }
    if (t == NULL || (jws == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "trust: NULL argument");
    }
    rc = index_token(&it, LIBRO_TRUST_ANCHOR, jws != NULL ? jws : "", len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (expect_thumbprint != NULL && strcmp(expect_thumbprint, it.tp) != 0) {
        libro_verifier__printable(shown, sizeof shown, expect_thumbprint,
                                  strlen(expect_thumbprint));
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "anchor key thumbprint is %s, expected %s: not pinned", it.tp, shown);
        goto out;
    }
    if (thumbprint_out != NULL) {
        memcpy(thumbprint_out, it.tp, sizeof it.tp);
    }
    rc = store_item(t, &it, ANCHORS_DIR, err);
out:
    if (rc != LIBRO_OK && thumbprint_out != NULL) {
        thumbprint_out[0] = '\0';
    }
    item_clear(&it);
    return rc;
}

/* Whether the (unverified) payload of `token` names the status list credential type: only
 * to choose which parser's complaint to report when neither accepts the token. */
static bool
mentions_status_list(const char *token, size_t len)
{
    static const char needle[] = "\"BitstringStatusListCredential\"";
    const size_t n = sizeof needle - 1;
    libro_buf payload = LIBRO_BUF_INIT;
    bool found = false;
    size_t i;

    if (len <= LIBRO_MAX_STATUS_LIST_TOKEN_BYTES &&
        libro_jws_unverified_payload(&payload, token, len, NULL) == LIBRO_OK) {
        for (i = 0; !found && payload.len >= n && i <= payload.len - n; i++) {
            found = memcmp(payload.data + i, needle, n) == 0;
        }
    }
    libro_buf_free(&payload);
    return found;
}

/* The key of a stored RegistryAuthorization for (id, tp). Every entry with that thumbprint
 * holds that very key; whether the authorization is trusted is a chain walk's question. */
static const libro_key *
registry_key(const libro_trust *t, const char *id, const char *tp)
{
    size_t i;

    for (i = 0; i < t->n_items; i++) {
        const libro_trust__item *it = &t->items[i];

        if (it->cred->type == LIBRO_CRED_REGISTRY_AUTH && strcmp(it->tp, tp) == 0 &&
            strcmp(it->cred->subject_id, id) == 0) {
            return it->cred->subject_key;
        }
    }
    return NULL;
}

const libro_key *
libro_trust__registry_key(const libro_trust *t, const char *id, const char *tp)
{
    return registry_key(t, id, tp);
}

/* The bits of a status list token (the payload is parsed without checking the signature:
 * callers have verified it, or use the bits only to refuse a change). */
static libro_code
list_bits(libro_status_list *out, const char *token, size_t len, libro_error *err)
{
    libro_jws *jws = NULL;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_code rc;

    memset(out, 0, sizeof *out);
    rc = libro_jws_parse_ex(&jws, token, len, LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                            LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, err);
    if (rc == LIBRO_OK) {
        rc = libro_jws_unverified_payload(&payload, token, len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_status_list_parse(out, payload.data, payload.len, err);
    }
    libro_jws_free(jws);
    libro_buf_free(&payload);
    return rc;
}

/* Whether status value `v` of a list of purpose `p` and word set `words` is final: a set
 * revocation bit, the word "surrendered" or "lapsed", or any mandate word but "in office"
 * (docs/formats.md "Status words"). */
static bool
value_final(libro_status_purpose p, libro_status_words words, unsigned v)
{
    if (p == LIBRO_STATUS_MESSAGE && words == LIBRO_WORDS_MANDATE) {
        return v != LIBRO_WORD_IN_OFFICE; /* resigned, recalled, replaced: a mandate ended */
    }
    return (p == LIBRO_STATUS_REVOCATION && v == 1u) ||
           (p == LIBRO_STATUS_MESSAGE && (v == LIBRO_WORD_SURRENDERED || v == LIBRO_WORD_LAPSED));
}

/* Revocation and the words are final: a newer revocation list may set bits but never clear
 * one, a newer message list may give words but never change a "surrendered" or "lapsed" one
 * (back to "active" or to the other), nor a mandate's "resigned", "recalled" or "replaced". A list
 * that does was signed from an older snapshot (or by a confused registry) and would revive licenses
 * that ended. */
static libro_code
check_no_rollback(const libro_trust__list *old, const libro_trust__list *l, libro_error *err)
{
    libro_status_purpose p = l->list.purpose;
    unsigned size = libro_status_purpose_size(p);
    libro_status_list a;
    libro_status_list b;
    size_t i;
    libro_code rc;

    if (old->list.purpose != p) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "status list %.100s would change its purpose from %s to %s: not "
                               "replaced",
                               l->list.id, libro_status_purpose_name(old->list.purpose),
                               libro_status_purpose_name(p));
    }
    if (old->list.words != l->list.words) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "status list %.100s would change its words from the %s to the %s "
                               "words: not replaced",
                               l->list.id,
                               old->list.words == LIBRO_WORDS_MANDATE ? "mandate" : "license",
                               l->list.words == LIBRO_WORDS_MANDATE ? "mandate" : "license");
    }
    if (p == LIBRO_STATUS_SUSPENSION) {
        return LIBRO_OK;
    }
    rc = list_bits(&a, old->token, old->token_len, err);
    if (rc == LIBRO_OK) {
        rc = list_bits(&b, l->token, l->token_len, err);
    }
    for (i = 0; rc == LIBRO_OK && i < a.bits.n_entries / size; i++) {
        unsigned was = libro_bitstring_get_value(&a.bits, i, size);

        if (!value_final(p, l->list.words, was) ||
            libro_bitstring_get_value(&b.bits, i, size) == was) {
            continue;
        }
        if (p == LIBRO_STATUS_REVOCATION) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "status list %.100s would clear revocation %zu, which is final: "
                                 "not replaced",
                                 l->list.id, i);
        } else {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "status list %.100s would change the word %s of %zu, which is "
                                 "final: not replaced",
                                 l->list.id, libro_status_words_message(l->list.words, was), i);
        }
    }
    libro_status_list_free(&a);
    libro_status_list_free(&b);
    return rc;
}

/* A list's validFrom to the millisecond (lists signed before milliseconds: the whole
 * second), the order a replacement must follow. */
static int64_t
list_from_ms(const libro_status_list *s)
{
    return s->valid_from * 1000 + (int64_t) s->valid_from_millis;
}

/* Add an indexed status list: its signature must verify with a stored registry key (so the
 * validFrom that decides a replacement is the registry's word). It replaces the list of the
 * same id only when it comes from the same registry, is strictly newer to the millisecond
 * (two different lists of one instant cannot be ordered, and taking either could undo a
 * revocation), and clears no revocation and changes no final word. */
static libro_code
store_list(libro_trust *t, libro_trust__list *l, libro_error *err)
{
    char dir[PATH_MAX];
    char name[LIBRO_THUMBPRINT_LEN + 80];
    char path[PATH_MAX];
    char shown[65];
    char new_from[LIBRO_TIME_MS_TEXT_MAX];
    char old_from[LIBRO_TIME_MS_TEXT_MAX];
    const libro_key *key;
    libro_jws *jws = NULL;
    int64_t from_ms = 0;
    size_t i;
    libro_code rc;

    key = registry_key(t, l->signer_id, l->signer_tp);
    if (key == NULL) {
        libro_verifier__printable(shown, sizeof shown, l->signer_id, strlen(l->signer_id));
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                             "status list: no registry authorization for %s#%s in the trust "
                             "store (add it first)",
                             shown, l->signer_tp);
        goto out;
    }
    rc = libro_jws_parse_ex(&jws, l->token, l->token_len, LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                            LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, err);
    if (rc == LIBRO_OK) {
        rc = libro_jws_verify(jws, key, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "status list");
        goto out;
    }
    from_ms = list_from_ms(&l->list); /* `l` may move into the store below */
    rc = join(dir, sizeof dir, t->dir, STATUS_DIR, err);
    if (rc == LIBRO_OK) {
        rc = list_name(name, sizeof name, l, err);
    }
    if (rc == LIBRO_OK) {
        rc = join(path, sizeof path, dir, name, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    for (i = 0; i < t->n_lists; i++) {
        if (strcmp(t->lists[i].file, path) == 0) {
            break;
        }
    }
    if (i < t->n_lists) {
        const libro_trust__list *old = &t->lists[i];

        if (old->token_len == l->token_len && memcmp(old->token, l->token, l->token_len) == 0) {
            rc = LIBRO_OK; /* already there, byte for byte */
            goto out;
        }
        if (strcmp(l->list.issuer, old->list.issuer) != 0) {
            libro_verifier__printable(shown, sizeof shown, l->list.issuer, strlen(l->list.issuer));
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "status list %.100s: stored from another registry than %s: "
                                 "not replaced",
                                 l->list.id, shown);
            goto out;
        }
        /* An attacker (or a stale mirror) replaying an old list would undo a revocation or a
         * word. */
        if (list_from_ms(&l->list) <= list_from_ms(&old->list)) {
            if (libro_time_format_ms(new_from, list_from_ms(&l->list), NULL) != LIBRO_OK ||
                libro_time_format_ms(old_from, list_from_ms(&old->list), NULL) != LIBRO_OK) {
                memcpy(new_from, "?", 2);
                memcpy(old_from, "?", 2);
            }
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "status list %.100s of %s is not newer than the one stored (%s): "
                                 "not replaced",
                                 l->list.id, new_from, old_from);
            goto out;
        }
        rc = check_no_rollback(old, l, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    } else if (t->n_items + t->n_lists >= LIBRO_TRUST__MAX_ENTRIES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "trust: store holds more than %u entries",
                             LIBRO_TRUST__MAX_ENTRIES);
        goto out;
    }
    l->file = libro_strndup(path, strlen(path));
    if (l->file == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
        goto out;
    }
    rc = make_dirs(dir, err);
    if (rc == LIBRO_OK) {
        rc = libro_file_write_atomic(path, l->token, l->token_len, STORE_FILE_MODE, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (i < t->n_lists) {
        list_clear(&t->lists[i]);
        t->lists[i] = *l;
        memset(l, 0, sizeof *l);
    } else {
        rc = push_list(t, l, err);
        if (rc == LIBRO_OK) {
            sort_lists(t);
        }
    }
    if (rc == LIBRO_OK) {
        /* The lists moved or one changed: what was verified of them is forgotten. */
        rc = libro_trust__memo_reset(t, err);
    }
out:
    /* Its signature verified: its validFrom is a time this store has seen. */
    if (rc == LIBRO_OK) {
        rc = libro_trust__see(t, from_ms, err);
    }
    libro_jws_free(jws);
    return rc;
}

libro_code
libro_trust_add(libro_trust *t, const char *jws, size_t len, libro_error *err)
{
    libro_trust__item it;
    libro_trust__list l;
    libro_error e_cred = LIBRO_ERROR_INIT;
    libro_error e_list = LIBRO_ERROR_INIT;
    libro_code rc;
    libro_code rc_list;

    memset(&it, 0, sizeof it);
    memset(&l, 0, sizeof l);
    if (t == NULL || (jws == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "trust: NULL argument");
    }
    if (jws == NULL) {
        jws = "";
    }
    rc = index_token(&it, LIBRO_TRUST_CREDENTIAL, jws, len, &e_cred);
    if (rc == LIBRO_OK) {
        rc = store_item(t, &it, CREDENTIALS_DIR, err);
        goto out;
    }
    if (rc == LIBRO_ERR_NOMEM) {
        rc = libro_error_set(err, rc, "%s", e_cred.msg);
        goto out;
    }
    /* Not a credential: perhaps a status list. */
    rc_list = index_list(&l, jws, len, &e_list);
    if (rc_list == LIBRO_OK) {
        rc = store_list(t, &l, err);
        goto out;
    }
    if (rc_list == LIBRO_ERR_NOMEM || mentions_status_list(jws, len)) {
        rc = libro_error_set(err, rc_list, "%s", e_list.msg);
    } else {
        rc = libro_error_set(err, rc, "%s", e_cred.msg);
    }
out:
    item_clear(&it);
    list_clear(&l);
    return rc;
}

libro_code
libro_trust_remove(libro_trust *t, const char *which, size_t *removed, libro_error *err)
{
    char dir[PATH_MAX];
    char shown[65];
    bool touched[3] = {false, false, false};
    size_t n = 0;
    size_t i = 0;
    libro_code rc = LIBRO_OK;

    if (removed != NULL) {
        *removed = 0;
    }
    if (t == NULL || which == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "trust: NULL argument");
    }
    while (i < t->n_items) {
        libro_trust__item *it = &t->items[i];

        if (strcmp(it->cred->subject_id, which) != 0 && strcmp(it->tp, which) != 0) {
            i++;
            continue;
        }
        /* Gone already (another process removed it) is what we wanted. */
        if (unlink(it->file) != 0 && errno != ENOENT) {
            rc =
                libro_error_set(err, LIBRO_ERR_IO, "%.200s: unlink: %s", it->file, strerror(errno));
            break;
        }
        touched[it->kind == LIBRO_TRUST_ANCHOR ? 0 : 1] = true;
        item_clear(it);
        memmove(it, it + 1, (t->n_items - i - 1) * sizeof *it);
        t->n_items--;
        n++;
    }
    i = 0;
    while (rc == LIBRO_OK && i < t->n_lists) {
        libro_trust__list *l = &t->lists[i];

        if (strcmp(l->list.id, which) != 0 && strcmp(l->signer_tp, which) != 0) {
            i++;
            continue;
        }
        if (unlink(l->file) != 0 && errno != ENOENT) {
            rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: unlink: %s", l->file, strerror(errno));
            break;
        }
        touched[2] = true;
        list_clear(l);
        memmove(l, l + 1, (t->n_lists - i - 1) * sizeof *l);
        t->n_lists--;
        n++;
    }
    /* Make the unlinks durable, also those before a failure. */
    if (touched[0]) {
        libro_code r2 = join(dir, sizeof dir, t->dir, ANCHORS_DIR, err);

        if (r2 == LIBRO_OK) {
            r2 = fsync_dir(dir, rc == LIBRO_OK ? err : NULL);
        }
        if (rc == LIBRO_OK) {
            rc = r2;
        }
    }
    if (touched[1]) {
        libro_code r2 = join(dir, sizeof dir, t->dir, CREDENTIALS_DIR, err);

        if (r2 == LIBRO_OK) {
            r2 = fsync_dir(dir, rc == LIBRO_OK ? err : NULL);
        }
        if (rc == LIBRO_OK) {
            rc = r2;
        }
    }
    if (touched[2]) {
        libro_code r2 = join(dir, sizeof dir, t->dir, STATUS_DIR, err);

        if (r2 == LIBRO_OK) {
            r2 = fsync_dir(dir, rc == LIBRO_OK ? err : NULL);
        }
        if (rc == LIBRO_OK) {
            rc = r2;
        }
    }
    if (removed != NULL) {
        *removed = n;
    }
    /* What the removed entries signed no longer verifies. */
    if (n > 0) {
        libro_code r2 = libro_trust__memo_reset(t, rc == LIBRO_OK ? err : NULL);

        if (rc == LIBRO_OK) {
            rc = r2;
        }
    }
    if (rc == LIBRO_OK && n == 0) {
        libro_verifier__printable(shown, sizeof shown, which, strlen(which));
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "trust: no entry for %s", shown);
    }
    return rc;
}

size_t
libro_trust_count(const libro_trust *t)
{
    return t != NULL ? t->n_items + t->n_lists : 0;
}

void
libro_trust_get(const libro_trust *t, size_t i, libro_trust_entry *out)
{
    const libro_trust__item *it;

    if (out == NULL) {
        return;
    }
    memset(out, 0, sizeof *out);
    if (t == NULL || i >= t->n_items + t->n_lists) {
        return;
    }
    if (i >= t->n_items) {
        const libro_trust__list *l = &t->lists[i - t->n_items];

        out->kind = LIBRO_TRUST_STATUS_LIST;
        out->subject_id = l->list.id;
        out->name = libro_status_purpose_name(l->list.purpose);
        out->issuer = l->list.issuer;
        out->thumbprint = l->signer_tp;
        out->valid_from = l->list.valid_from;
        out->valid_until = l->list.valid_until;
        out->file = l->file;
        out->purpose = l->list.purpose;
        return;
    }
    it = &t->items[i];
    out->kind = it->kind;
    out->type = it->cred->type;
    out->subject_id = it->cred->subject_id;
    out->name = it->cred->name;
    out->issuer = it->cred->issuer;
    out->thumbprint = it->tp;
    out->valid_from = it->cred->valid_from;
    out->valid_until = it->cred->valid_until;
    out->file = it->file;
}
