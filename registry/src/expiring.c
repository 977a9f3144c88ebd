/* libro_registry: the licenses to chase for renewal, streamed from the store one at a time
 * (libro_registry_expiring_each) or collected (libro_registry_expiring). */
#include <string.h>

#include "libro/registry.h"
#include "libro/util.h"
#include "registry_int.h"

libro_code
libro_registry__expiring_after(libro_registry *r, int64_t now, int64_t within, int64_t after_until,
                               const char *after_number, bool with_credential,
                               libro_license_record_fn fn, void *ctx, libro_error *err)
{
    int64_t until;

    if (r == NULL || fn == NULL || after_number == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: NULL argument");
    }
    if (within < 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: negative interval");
    }
    until = now > INT64_MAX - within ? INT64_MAX : now + within;
    return r->store.ops->license_expiring_each(r->store.h, now, until, after_until, after_number,
                                               with_credential, fn, ctx, err);
}

libro_code
libro_registry_expiring_each(libro_registry *r, int64_t now, int64_t within, bool with_credential,
                             libro_license_record_fn fn, void *ctx, libro_error *err)
{
    /* Before every record: every valid_until is above INT64_MIN. */
    return libro_registry__expiring_after(r, now, within, INT64_MIN, "", with_credential, fn, ctx,
                                          err);
}

/* A copy of `s`, NULL for NULL. */
static libro_code
dup_text(char **out, const char *s, libro_error *err)
{
    *out = libro_registry__dup_or_null(s);
    return s != NULL && *out == NULL ? libro_registry__nomem(err) : LIBRO_OK;
}

libro_code
libro_registry__records_keep(void *ctx, const libro_license_record *rec, libro_error *err)
{
    libro_registry__records *c = ctx;
    libro_license_record *copy;
    libro_code rc;

    rc = libro_registry__grow((void **) &c->list, &c->cap, c->count, sizeof *c->list, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    copy = &c->list[c->count];
    *copy = *rec;
    copy->number = NULL;
    copy->license_type = NULL;
    copy->holder_name = NULL;
    copy->issuer = NULL;
    copy->credential = NULL;
    c->count++; /* cleared with the others on failure */
    if ((rc = dup_text(&copy->number, rec->number, err)) != LIBRO_OK ||
        (rc = dup_text(&copy->license_type, rec->license_type, err)) != LIBRO_OK ||
        (rc = dup_text(&copy->holder_name, rec->holder_name, err)) != LIBRO_OK ||
        (rc = dup_text(&copy->issuer, rec->issuer, err)) != LIBRO_OK ||
        (rc = dup_text(&copy->credential, rec->credential, err)) != LIBRO_OK) {
        return rc;
    }
    return LIBRO_OK;
}

libro_code
libro_registry_expiring(libro_registry *r, libro_license_record **out, size_t *n, int64_t now,
                        int64_t within, libro_error *err)
{
    libro_registry__records c = {NULL, 0, 0};
    libro_code rc;

    if (r == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: NULL argument");
    }
    *out = NULL;
    *n = 0;
    rc = libro_registry_expiring_each(r, now, within, true, libro_registry__records_keep, &c, err);
    if (rc != LIBRO_OK) {
        libro_license_records_free(c.list, c.count);
        return rc;
    }
    *out = c.list;
    *n = c.count;
    return LIBRO_OK;
}
