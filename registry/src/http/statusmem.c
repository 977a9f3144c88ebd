/* The registry's HTTP API: the status lists in memory. Each list the server publishes is held
 * with its statuses, the version of the database they are at (migration 7, status_version)
 * and the list last signed from them, so that a read (200 or 304) takes the shared lock and
 * reads no database unless something changed:
 * - the server's own writes reach memory through the status observer of the handle that made
 *   them (libro_registry__set_status_observer): each change, once its transaction committed,
 *   is applied to the list when its version is the one after memory's, else the list is
 *   marked stale;
 * - writes by any other handle or process (`libro license revoke --db` while the server runs)
 *   are seen by a watcher: every read asks one PRAGMA data_version (no page is read when
 *   nothing was committed) and only when it moved reads the lists' versions, marking each list
 *   whose version differs from memory's; a stale list is read again from the database by the
 *   next read that wants it.
 * A list is signed again, under the exclusive lock, when its statuses changed or it is due
 * (libro_registry_publish_list's rules, libro_registry__publish_bits), so an unchanged list
 * keeps its ETag. */
#include <string.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

/* Entries per list number: revocation, suspension, message (libro_status_purpose 1..3). */
#define N_PURPOSES 3u
/* Reads of a list that a newer change overtook while it was read, before giving up. */
#define LOAD_ATTEMPTS 3

static libro_code
lock_failed(libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_IO, "server: lock failed");
}

static libro_http_mlist *
find(libro_http_mem *m, libro_store_space space, uint32_t list, int purpose)
{
    size_t i = (size_t) list * N_PURPOSES + (size_t) (purpose - 1);

    return i < m->n_lists[space] ? &m->lists[space][i] : NULL;
}

/* find, growing the table (the exclusive lock held). The list numbers come from the database
 * (the caller checked `list` is in use), so the table is as long as the lists are many. */
static libro_code
find_or_add(libro_http_mlist **out, libro_http_mem *m, libro_store_space space, uint32_t list,
            int purpose, libro_error *err)
{
    size_t want = ((size_t) list + 1) * N_PURPOSES;
    libro_http_mlist *grown;

    *out = find(m, space, list, purpose);
    if (*out != NULL) {
        return LIBRO_OK;
    }
    if (want > SIZE_MAX / sizeof *grown) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "server: too many status lists");
    }
    grown = libro_realloc(m->lists[space], want * sizeof *grown);
    if (grown == NULL) {
        return libro_registry__nomem(err);
    }
    memset(grown + m->n_lists[space], 0, (want - m->n_lists[space]) * sizeof *grown);
    m->lists[space] = grown;
    m->n_lists[space] = want;
    *out = find(m, space, list, purpose);
    return LIBRO_OK;
}

/* A watcher to use, locked: a free one when there is (one per worker thread, so there mostly
 * is), else the next in turn once it is free. NULL when locking failed. */
static libro_http_watcher *
watcher_take(libro_http_mem *m)
{
    size_t start = atomic_fetch_add(&m->next_watcher, 1) % m->n_watchers;

    for (size_t i = 0; i < m->n_watchers; i++) {
        libro_http_watcher *w = &m->watchers[(start + i) % m->n_watchers];

        if (pthread_mutex_trylock(&w->lock) == 0) {
            return w;
        }
    }
    return pthread_mutex_lock(&m->watchers[start].lock) == 0 ? &m->watchers[start] : NULL;
}

static void
watcher_give(libro_http_watcher *w)
{
    (void) pthread_mutex_unlock(&w->lock);
}

/* What a watcher reads when the database changed: every list's version and the lists in use
 * of both spaces, in one read transaction (one snapshot). */
typedef struct db_state {
    libro_store_status_version *v;
    size_t n;
    uint64_t in_use[2];
} db_state;

static libro_code
read_state(db_state *st, libro_registry *reg, libro_error *err)
{
    libro_code rc = reg->store.ops->begin_read(reg->store.h, err);

    if (rc == LIBRO_OK) {
        rc = libro_registry__status_versions(reg, &st->v, &st->n, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry__lists_in_use(reg, LIBRO_SPACE_LICENSES, &st->in_use[0], err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry__lists_in_use(reg, LIBRO_SPACE_MANDATES, &st->in_use[1], err);
    }
    reg->store.ops->rollback(reg->store.h); /* ends the read transaction */
    return rc;
}

/* Mark each list in memory whose version is not the database's (the exclusive lock held). */
static void
apply_state(libro_http_mem *m, const db_state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        const libro_store_status_version *v = &st->v[i];
        libro_http_mlist *l = v->purpose >= 1 && v->purpose <= (int) N_PURPOSES
                                  ? find(m, v->space, v->list, v->purpose)
                                  : NULL;

        if (l != NULL && l->loaded && l->version != v->version) {
            l->stale = true;
            l->marks++;
        }
    }
    for (size_t s = 0; s < 2; s++) {
        if (st->in_use[s] > m->in_use[s]) {
            m->in_use[s] = st->in_use[s];
        }
    }
    m->epoch++;
}

libro_code
libro_http__mem_sync(libro_http_ctx *ctx, libro_error *err)
{
    libro_http_mem *m = &ctx->mem;
    libro_http_watcher *w = watcher_take(m);
    db_state st = {NULL, 0, {0, 0}};
    uint64_t dv = 0;
    libro_code rc;

    if (w == NULL) {
        return lock_failed(err);
    }
    /* data_version first: a commit after it moves it again, so the next read syncs again. */
    rc = w->reg->store.ops->data_version(w->reg->store.h, &dv, err);
    if (rc != LIBRO_OK || (w->synced && dv == w->data_version)) {
        goto out;
    }
    rc = read_state(&st, w->reg, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (pthread_rwlock_wrlock(&m->lock) != 0) {
        rc = lock_failed(err);
        goto out;
    }
    apply_state(m, &st);
    (void) pthread_rwlock_unlock(&m->lock);
    w->data_version = dv;
    w->synced = true;
out:
    watcher_give(w);
    libro_free(st.v);
    return rc;
}

uint64_t
libro_http__lists_published(libro_http_ctx *ctx, libro_store_space space)
{
    uint64_t n = 0;

    if (pthread_rwlock_rdlock(&ctx->mem.lock) == 0) {
        n = ctx->mem.in_use[space];
        (void) pthread_rwlock_unlock(&ctx->mem.lock);
    }
    return n;
}

/* Read `list` and its version from the database in one snapshot (no memory lock held). */
static libro_code
load_list(libro_http_ctx *ctx, libro_store_space space, uint32_t list, int purpose,
          libro_bitstring *bits, uint64_t *version, libro_error *err)
{
    libro_http_watcher *w = watcher_take(&ctx->mem);
    libro_store_status_version *v = NULL;
    size_t n = 0;
    libro_code rc;

    *version = 0;
    if (w == NULL) {
        return lock_failed(err);
    }
    rc = w->reg->store.ops->begin_read(w->reg->store.h, err);
    if (rc == LIBRO_OK) {
        rc = libro_registry__status_versions(w->reg, &v, &n, err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        if (v[i].space == space && v[i].list == list && v[i].purpose == purpose) {
            *version = v[i].version;
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry__status_bits_in(w->reg, space, bits, list, purpose, err);
    }
    w->reg->store.ops->rollback(w->reg->store.h);
    watcher_give(w);
    libro_free(v);
    return rc;
}

/* The observer of every handle the server writes with (libro_http__observe). */
static void
on_status(void *vctx, libro_store_space space, uint32_t list, uint32_t index, int purpose,
          unsigned value, uint64_t version)
{
    libro_http_mem *m = &((libro_http_ctx *) vctx)->mem;
    unsigned size = libro_status_purpose_size((libro_status_purpose) purpose);
    libro_http_mlist *l;

    /* Should the lock fail, the change is still seen: the handle that made it is not a
     * watcher, so the next read's data_version moved and the list's version differs. */
    if (size == 0 || pthread_rwlock_wrlock(&m->lock) != 0) {
        return;
    }
    l = find(m, space, list, purpose);
    if (l != NULL && l->loaded) {
        if (!l->stale && version == l->version + 1 && index < l->bits.n_entries / size) {
            libro_bitstring_set_value(&l->bits, index, size, value);
            l->version = version;
            l->dirty = true;
        } else if (version > l->version) {
            /* A change between them was not told yet (another handle's commit, whose
             * observer runs later): read the list again rather than guess. */
            l->stale = true;
            l->marks++;
        }
    }
    m->epoch++;
    (void) pthread_rwlock_unlock(&m->lock);
}

void
libro_http__observe(libro_http_ctx *ctx, libro_registry *reg)
{
    libro_registry__set_status_observer(reg, on_status, ctx);
}

static bool
servable(const libro_http_mlist *l, int64_t now_ms)
{
    return l != NULL && l->loaded && !l->stale && !l->dirty && l->body.len > 0 &&
           libro_registry__published_fresh(&l->pub, now_ms);
}

static libro_code
give(const libro_http_mlist *l, const char *if_none_match, libro_buf *out,
     char etag[LIBRO_HTTP_ETAG_MAX], bool *not_modified, libro_error *err)
{
    memcpy(etag, l->etag, LIBRO_HTTP_ETAG_MAX);
    libro_buf_clear(out);
    if (if_none_match != NULL && libro_http__etag_matches(if_none_match, l->etag)) {
        *not_modified = true;
        return LIBRO_OK;
    }
    return libro_buf_append(out, l->body.data, l->body.len, err);
}

/* Sign `l` again when its statuses changed or it is due (the exclusive lock held). */
static libro_code
sign_if_needed(libro_http_ctx *ctx, libro_http_mlist *l, libro_store_space space, uint32_t list,
               int purpose, libro_error *err)
{
    libro_publish_options opt = LIBRO_PUBLISH_OPTIONS_INIT;
    libro_buf url = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_published_list last;
    bool fresh = false;
    libro_code rc;

    opt.now_ms = libro_time_now_ms();
    if (!l->dirty && l->body.len > 0 && libro_registry__published_fresh(&l->pub, opt.now_ms)) {
        return LIBRO_OK;
    }
    rc = libro_buf_printf(&url, err, "%s/v1/status/%s%u/%s", ctx->base_url,
                          space == LIBRO_SPACE_MANDATES ? "mandates/" : "", (unsigned) list,
                          libro_status_purpose_name((libro_status_purpose) purpose));
    if (rc != LIBRO_OK) {
        goto out;
    }
    opt.url = (const char *) url.data;
    opt.mandates = space == LIBRO_SPACE_MANDATES;
    opt.list = list;
    opt.purpose = purpose;
    opt.seconds = ctx->status_list_seconds;
    /* A list signed again within the millisecond of the last one waits for the next: it
     * must be strictly newer, and never dated ahead of the clock. */
    if (l->pub.used && opt.now_ms <= l->pub.valid_from_ms) {
        opt.now_ms = libro_http__clock_after(l->pub.valid_from_ms);
    }
    last = l->pub;
    if (l->body.len == 0) {
        /* Nothing to serve (a list signed but not kept): sign anew, still strictly after the
         * last one signed. */
        memset(last.bits_hash, 0, sizeof last.bits_hash);
    }
    rc = libro_registry__publish_bits(&jws, &fresh, &last, &l->bits, ctx->registry_key,
                                      ctx->authorization, &opt, err);
    /* What was signed is remembered even when it is not kept, so that the next list is newer
     * than anything this process signed. */
    l->pub = last;
    if (rc == LIBRO_OK && fresh) {
        rc = libro_http__etag_of(l->etag, jws.data, jws.len, err);
        libro_buf_free(&l->body);
        if (rc == LIBRO_OK) {
            l->body = jws;
            memset(&jws, 0, sizeof jws); /* moved to memory */
            ctx->mem.signed_gen++;
        }
    }
    if (rc == LIBRO_OK) {
        l->dirty = false;
    }
out:
    libro_buf_free(&jws);
    libro_buf_free(&url);
    return rc;
}

/* The slow way of libro_http__current_list: (re)load the list when memory lacks it or it is
 * stale, then sign it when needed, under the exclusive lock. */
static libro_code
refresh_list(libro_http_ctx *ctx, libro_store_space space, uint32_t list, int purpose,
             const char *if_none_match, libro_buf *out, char etag[LIBRO_HTTP_ETAG_MAX],
             bool *not_modified, libro_error *err)
{
    libro_http_mem *m = &ctx->mem;
    libro_bitstring bits = {NULL, 0};
    libro_http_mlist *l = NULL;
    uint64_t version = 0;
    uint64_t marks = 0;
    bool have = false;
    libro_code rc = LIBRO_OK;

    for (int attempt = 0;; attempt++) {
        bool need;

        if (pthread_rwlock_rdlock(&m->lock) != 0) {
            rc = lock_failed(err);
            goto out;
        }
        l = find(m, space, list, purpose);
        need = l == NULL || !l->loaded || l->stale;
        marks = l == NULL ? 0 : l->marks;
        (void) pthread_rwlock_unlock(&m->lock);
        if (need) {
            libro_bitstring_free(&bits);
            rc = load_list(ctx, space, list, purpose, &bits, &version, err);
            if (rc != LIBRO_OK) {
                goto out;
            }
            have = true;
        }
        if (pthread_rwlock_wrlock(&m->lock) != 0) {
            rc = lock_failed(err);
            goto out;
        }
        rc = find_or_add(&l, m, space, list, purpose, err);
        /* Installed when newer, or when stale and either as new or read after the last
         * mark (a database put back to an older copy reads as an older version). */
        if (rc == LIBRO_OK && have &&
            (!l->loaded || version > l->version ||
             (l->stale && (version >= l->version || l->marks == marks)))) {
            libro_bitstring_free(&l->bits);
            l->bits = bits;
            memset(&bits, 0, sizeof bits); /* moved to memory */
            l->version = version;
            l->loaded = true;
            l->stale = false;
            l->dirty = true;
        }
        have = false;
        if (rc != LIBRO_OK || (l->loaded && !l->stale)) {
            break; /* the exclusive lock held */
        }
        (void) pthread_rwlock_unlock(&m->lock);
        if (attempt + 1 == LOAD_ATTEMPTS) {
            rc = libro_error_set(err, LIBRO_ERR_BUSY,
                                 "server: status list %u kept changing while it was read",
                                 (unsigned) list);
            goto out;
        }
    }
    if (rc == LIBRO_OK) {
        rc = sign_if_needed(ctx, l, space, list, purpose, err);
    }
    if (rc == LIBRO_OK) {
        rc = give(l, if_none_match, out, etag, not_modified, err);
    }
    (void) pthread_rwlock_unlock(&m->lock);
out:
    libro_bitstring_free(&bits);
    return rc;
}

libro_code
libro_http__current_list(libro_http_ctx *ctx, bool mandates, uint32_t list, int purpose,
                         const char *if_none_match, libro_buf *out, char etag[LIBRO_HTTP_ETAG_MAX],
                         bool *not_modified, libro_error *err)
{
    libro_store_space space = mandates ? LIBRO_SPACE_MANDATES : LIBRO_SPACE_LICENSES;
    libro_http_mlist *l;
    libro_code rc;

    *not_modified = false;
    if (purpose < 1 || purpose > (int) N_PURPOSES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "server: no such status purpose");
    }
    if (pthread_rwlock_rdlock(&ctx->mem.lock) != 0) {
        return lock_failed(err);
    }
    l = find(&ctx->mem, space, list, purpose);
    if (servable(l, libro_time_now_ms())) {
        rc = give(l, if_none_match, out, etag, not_modified, err);
        (void) pthread_rwlock_unlock(&ctx->mem.lock);
        return rc;
    }
    (void) pthread_rwlock_unlock(&ctx->mem.lock);
    return refresh_list(ctx, space, list, purpose, if_none_match, out, etag, not_modified, err);
}

libro_code
libro_http__mem_init(libro_http_ctx *ctx, unsigned threads, libro_error *err)
{
    libro_http_mem *m = &ctx->mem;
    libro_code rc = LIBRO_OK;

    if (pthread_rwlock_init(&m->lock, NULL) != 0) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "server: no lock");
    }
    m->lock_ready = true;
    m->watchers = libro_calloc(threads, sizeof *m->watchers);
    if (m->watchers == NULL) {
        return libro_registry__nomem(err);
    }
    m->n_watchers = threads;
    for (size_t i = 0; rc == LIBRO_OK && i < threads; i++) {
        libro_http_watcher *w = &m->watchers[i];

        if (pthread_mutex_init(&w->lock, NULL) != 0) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "server: no mutex");
            break;
        }
        w->lock_ready = true;
        /* Watchers only read: a write through one would be a bug, refused by SQLite. */
        rc = libro_registry_open_read_only(&w->reg, ctx->db_path, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_http__mem_sync(ctx, err);
    }
    return rc;
}

void
libro_http__mem_clear(libro_http_ctx *ctx)
{
    libro_http_mem *m = &ctx->mem;

    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < m->n_lists[s]; i++) {
            libro_bitstring_free(&m->lists[s][i].bits);
            libro_buf_free(&m->lists[s][i].body);
        }
        libro_free(m->lists[s]);
    }
    for (size_t i = 0; i < m->n_watchers; i++) {
        libro_registry_close(m->watchers[i].reg);
        if (m->watchers[i].lock_ready) {
            (void) pthread_mutex_destroy(&m->watchers[i].lock);
        }
    }
    libro_free(m->watchers);
    libro_buf_free(&m->bundle);
    if (m->lock_ready) {
        (void) pthread_rwlock_destroy(&m->lock);
    }
    memset(m, 0, sizeof *m);
}
