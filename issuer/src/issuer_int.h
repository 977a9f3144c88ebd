/* Internals shared by the issuer's workflow files (not API). */
#ifndef LIBRO_ISSUER_INT_H
#define LIBRO_ISSUER_INT_H

#include "libro/credential.h"
#include "libro/issuer.h"

/* A copy of `src` into *dst (NULL copies as NULL). */
libro_code libro_issuer__dup(char **dst, const char *src, libro_error *err);
/* Copies of src[0..n) into a new array *dst; *n_dst counts those made (freed with the
 * credential that owns them). */
libro_code libro_issuer__dup_list(char ***dst, size_t *n_dst, const char *const *src, size_t n,
                                  libro_error *err);
/* Parse one of the issuer's own credentials (compact JWS p[0..len), whitespace around it
 * allowed) without a signature check. */
libro_code libro_issuer__parse_own(libro_credential **out, const char *p, size_t len,
                                   libro_error *err);

/* A client for `target` whose requests are signed by `key` as "<id>#<thumbprint>" (no
 * signer when `key` is NULL: in-process, or public reads); in-process changes recorded under
 * `actor` (NULL: `id`). */
libro_code libro_issuer__client_open_as(libro_registry_client **out, const char *target,
                                        const libro_key *key, const char *id, const char *actor,
                                        libro_error *err);
/* A community's charter given to a workflow (`what` names it in errors): parsed without a
 * signature check (the community's own files), and a CommunityCharter. */
libro_code libro_issuer__charter_parse(libro_credential **out, const char *jws, size_t len,
                                       const char *what, libro_error *err);

/* How one kind of credential (a license, a mandate) is recorded by libro_issuer__record. */
typedef struct libro_issuer__kind {
    /* Reserve a status index (libro_registry_client_reserve or _reserve_mandate). */
    libro_code (*reserve)(libro_registry_client *c, uint32_t *list, uint32_t *index,
                          char **revocation, char **suspension, char **message, libro_error *err);
    /* Check the credential, its status entries in, and sign it into `jws`. */
    libro_code (*sign)(libro_buf *jws, const libro_credential *c, void *ctx, libro_error *err);
    /* Register the signed credential at (list, index). */
    libro_code (*record)(libro_registry_client *r, const char *jws, uint32_t list, uint32_t index,
                         void *ctx, libro_error *err);
    /* Its schema requires status entries: it is checked without them only once they are in
     * (a license is checked before the reservation as well). */
    bool status_required;
} libro_issuer__kind;

/* Record res->license in registry `r`: reserve a status index, put the status entries in
 * (from the URL `base`, required in-process, else the registry's), sign, register; `ctx`
 * goes to the kind's functions. res->registered says whether it was recorded. */
libro_code libro_issuer__record(libro_issued *res, libro_registry_client *r, const char *base,
                                const libro_issuer__kind *kind, void *ctx, libro_error *err);

/* libro_issuer_issue_batch over the file content data[0..len) without issuing: each record
 * parsed and checked (its license options built) and reported to `fn` (issued = NULL), for
 * the fuzz target. */
LIBRO_NODISCARD libro_code libro_issuer__batch_scan(libro_batch_report *report, const void *data,
                                                    size_t len, libro_batch_fn fn, void *ctx,
                                                    libro_error *err);

#endif
