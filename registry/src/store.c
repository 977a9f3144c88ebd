/* libro_registry: which store a database argument names (docs/scaling.md). A libpq connection
 * URI selects PostgreSQL; anything else is a SQLite file, as before. */
#include <string.h>

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
