/* libro_registry: which store a database argument names (docs/scaling.md; a libpq connection
 * URI selects PostgreSQL, anything else is a SQLite file), and the status changes both stores
 * hold for their observer until a commit. */
#include <string.h>

#include "libro/util.h"
#include "registry_int.h"
#include "store.h"

bool
libro_store__is_pg(const char *location)
{
    return location != NULL && (strncmp(location, "postgresql://", 13) == 0 ||
                                strncmp(location, "postgres://", 11) == 0);
}

libro_code
libro_store__create(libro_store *out, const char *location, const char *const *meta,
                    libro_error *err)
{
    if (libro_store__is_pg(location)) {
        return libro_store__pg_create(out, location, meta, err);
    }
    return libro_store__sqlite_create(out, location, meta, err);
}

libro_code
libro_store__open(libro_store *out, const char *location, bool read_only, libro_error *err)
{
    if (libro_store__is_pg(location)) {
        return libro_store__pg_open(out, location, read_only, err);
    }
    return libro_store__sqlite_open(out, location, read_only, err);
}

libro_code
libro_store__changes_note(libro_store__changes *c, const libro_store__change *x, bool in_tx,
                          libro_error *err)
{
    libro_code rc;

    if (c->observer == NULL) {
        return LIBRO_OK;
    }
    if (!in_tx) {
        c->observer(c->ctx, x->space, x->list, x->index, x->purpose, x->value, x->version);
        return LIBRO_OK;
    }
    rc = libro_registry__grow((void **) &c->v, &c->cap, c->n, sizeof *c->v, err);
    if (rc == LIBRO_OK) {
        c->v[c->n++] = *x;
    }
    return rc;
}

void
libro_store__changes_publish(libro_store__changes *c)
{
    size_t i;

    for (i = 0; i < c->n && c->observer != NULL; i++) {
        const libro_store__change *x = &c->v[i];

        c->observer(c->ctx, x->space, x->list, x->index, x->purpose, x->value, x->version);
    }
    c->n = 0;
}

void
libro_store__changes_free(libro_store__changes *c)
{
    libro_free(c->v);
    c->v = NULL;
    c->n = 0;
    c->cap = 0;
}
