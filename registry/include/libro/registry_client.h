/* libro_registry_client: the issuer's side of a registry, whether it is a local database
 * (in-process, no server) or a URL (signed requests over HTTP, docs/formats.md "Signed API
 * requests"). Issuer commands use only this, so every one of them works against both. */
#ifndef LIBRO_REGISTRY_CLIENT_H
#define LIBRO_REGISTRY_CLIENT_H

#include "libro/registry.h"

typedef struct libro_registry_client libro_registry_client; /* opaque; one thread at a time */

/** Connect to `target`: a URL ("https://...", or "http://" to a loopback address: the
 *  registry's base URL) or else the path of a registry database. Over HTTP every request is
 *  signed by `signer` under `kid` ("<issuer id>#<thumbprint>", which the registry must know
 *  from an IssuerAuthorization); both may be NULL for a client that only reads public data
 *  (get, get_type). `ca_file` (or NULL) replaces the system CAs. In-process,
 *  `actor` is recorded as who made each change (over HTTP the registry records the issuer
 *  id of the key). `signer` is borrowed and must outlive the client. Codes of
 *  libro_http_url_check and libro_registry_open. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_open(
    libro_registry_client **out, const char *target, const libro_key *signer, const char *kid,
    const char *actor, const char *ca_file, libro_error *err);
LIBRO_API void libro_registry_client_close(libro_registry_client *c);
/** Whether the client speaks HTTP (else it works on a database in-process). */
LIBRO_API bool libro_registry_client_remote(const libro_registry_client *c);

/** Reserve a status index: *list and *index, and over HTTP the three list URLs the registry
 *  serves them at (*revocation, *suspension and *message, the status words; caller frees;
 *  NULL in-process, where the caller knows its own URL base). LIBRO_ERR_PARSE for an answer
 *  without all three. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_reserve(
    libro_registry_client *c, uint32_t *list, uint32_t *index, char **revocation, char **suspension,
    char **message, libro_error *err);
/** Register a signed license at the reserved (list, index). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_register(libro_registry_client *c,
                                                                    const char *credential,
                                                                    uint32_t list, uint32_t index,
                                                                    libro_error *err);
/** Renew `number` with the new version's signed credential and the evidence. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_renew(
    libro_registry_client *c, const char *number, const char *credential,
    const libro_evidence *evidence, size_t n, const char *reason, libro_error *err);
/** Suspend, reinstate, revoke or surrender `number`, for `reason`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_change(libro_registry_client *c,
                                                                  const char *number,
                                                                  libro_action action,
                                                                  const char *reason,
                                                                  libro_error *err);

/** The license `number` as the registry holds it (over HTTP: GET /v1/licenses/<number>, public;
 *  the record without its history). Caller clears *out. LIBRO_ERR_NOT_FOUND. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_get(libro_registry_client *c,
                                                               libro_license_record *out,
                                                               const char *number,
                                                               libro_error *err);
/** The license type `id` (over HTTP: GET /v1/types/<id>). Caller clears *out. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_get_type(libro_registry_client *c,
                                                                    libro_license_type *out,
                                                                    const char *id,
                                                                    libro_error *err);
/** Licenses due for renewal (libro_registry_expiring at the registry's clock): in-process all
 *  of them, over HTTP the signer's own (a signed query). Caller frees with
 *  libro_license_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_expiring(libro_registry_client *c,
                                                                    libro_license_record **out,
                                                                    size_t *n, int64_t within,
                                                                    libro_error *err);

/* Over HTTP a refusal comes back as the registry's error code and message, mapped so that a
 * caller can tell them apart: 400 LIBRO_ERR_INVALID_ARG, 401 LIBRO_ERR_UNTRUSTED (unknown key,
 * bad signature, wrong audience, stale iat), 403 LIBRO_ERR_DENIED (out of scope), 404
 * LIBRO_ERR_NOT_FOUND, 409 LIBRO_ERR_EXISTS (a replay or a taken number) or LIBRO_ERR_DENIED
 * (a transition the lifecycle forbids), 413 LIBRO_ERR_LIMIT, the registry's storage
 * refusals as the codes a local registry gives (503 busy LIBRO_ERR_BUSY, 507 LIBRO_ERR_FULL,
 * 503 read_only LIBRO_ERR_READONLY, 500 io_error LIBRO_ERR_IO), other 429 and 5xx
 * LIBRO_ERR_NETWORK (try again later). The message is "registry: <code>: <message>". */

#endif
