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

/** In-process, open one write transaction that the client's writes until
 *  libro_registry_client_group_end join, each in a savepoint of its own (a write that fails
 *  is undone alone), so that they share one commit: one fsync. A group opened while one is
 *  open is a savepoint of it (its end keeps or undoes its own writes, and the outer group's
 *  end commits them), at most a few deep (LIBRO_ERR_LIMIT). Over HTTP nothing (each
 *  request is committed by the registry before it answers). The storage codes of a write
 *  (LIBRO_ERR_BUSY when another process holds the database past the wait). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_group_begin(libro_registry_client *c,
                                                                       libro_error *err);
/** Whether a group is open on `c` (in-process; over HTTP never): a write that fails with
 *  LIBRO_ERR_CONFLICT inside it lost the whole group, which the owner of the outermost group
 *  runs again from its start (a write is run again by itself only outside a group). */
LIBRO_API bool libro_registry_client_grouped(const libro_registry_client *c);
/** Commit the group (`commit`; nothing of it is kept when the commit fails) or roll it back;
 *  an inner group is released into the outer one or rolled back alone.
 *  LIBRO_ERR_INVALID_ARG when no group is open. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_group_end(libro_registry_client *c,
                                                                     bool commit, libro_error *err);

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

/** libro_registry_client_change with a reason category (libro_registry_change_categorized;
 *  over HTTP the request's `category`, sent only when not LIBRO_CATEGORY_NONE). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_change_categorized(
    libro_registry_client *c, const char *number, libro_action action,
    libro_reason_category category, const char *reason, libro_error *err);

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
/** libro_registry_client_expiring, each license handed to `fn` in order: in-process read one
 *  at a time (libro_registry_expiring_each), over HTTP a page of the signed query at a time,
 *  each page after the last license of the one before (LIBRO_ERR_PARSE for a page that does
 *  not move forward). Without `with_credential` the records' credential is NULL. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_client_expiring_each(libro_registry_client *c, int64_t within, bool with_credential,
                                    libro_license_record_fn fn, void *ctx, libro_error *err);

/* ---- roundtables and mandates ------------------------------------------------------------
 * Over HTTP the client's key signs each request, and the registry decides from its kid who
 * is asking (docs/formats.md, "Signed API requests"): the registry's community key
 * ("<community id>#<thumbprint>": its chair, its seats), a seat community's key (its
 * representative), the parent's key (its leaders), or a holder's did:key
 * ("did:key:z6Mk...#<thumbprint>": only the resignation of that holder's own mandate). */

/** Add (or renew) a member community's seat: in-process libro_registry_add_seat; over HTTP
 *  POST /v1/seats, signed by the registry's community key. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_add_seat(libro_registry_client *c,
                                                                    const char *charter,
                                                                    libro_error *err);
/** Reserve a mandate status index: *list and *index, and over HTTP the three list URLs to put
 *  in the mandate's status entries (caller frees; NULL in-process). As
 *  libro_registry_client_reserve. Over HTTP POST /v1/mandates/reservations, signed by a key
 *  that may register a mandate. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_reserve_mandate(
    libro_registry_client *c, uint32_t *list, uint32_t *index, char **revocation, char **suspension,
    char **message, libro_error *err);
/** Register a signed RoundtableMandate at the reserved (list, index); *id (may be NULL)
 *  receives its id. Over HTTP POST /v1/mandates, signed by the key that signed the mandate. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_register_mandate(
    libro_registry_client *c, const char *credential, uint32_t list, uint32_t index,
    char id[LIBRO_MANDATE_ID_SIZE], libro_error *err);
/** End mandate `id`: LIBRO_MANDATE_RESIGNED (over HTTP signed by the holder's did:key) or
 *  LIBRO_MANDATE_RECALLED (signed by the key of the community that signed the mandate), for
 *  `reason`. Over HTTP POST /v1/mandates/<id>/end. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_end_mandate(libro_registry_client *c,
                                                                       const char *id,
                                                                       libro_mandate_state how,
                                                                       const char *reason,
                                                                       libro_error *err);
/** The mandate `id` (over HTTP GET /v1/mandates/<id>, public). Caller clears *out. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_mandate(libro_registry_client *c,
                                                                   libro_mandate_record *out,
                                                                   const char *id,
                                                                   libro_error *err);
/** The roundtable at `at` (libro_registry_roundtable; over HTTP GET /v1/roundtable?at=TIME,
 *  public). Caller frees with libro_mandate_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_roundtable(libro_registry_client *c,
                                                                      libro_mandate_record **out,
                                                                      size_t *n, int64_t at,
                                                                      libro_error *err);
/** Mandates ending within `within` seconds of the registry's clock
 *  (libro_registry_mandates_expiring; over HTTP GET /v1/roundtable/expiring?within=SECONDS,
 *  public). Caller frees with libro_mandate_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_client_mandates_expiring(libro_registry_client *c, libro_mandate_record **out,
                                        size_t *n, int64_t within, libro_error *err);
/** The seats (over HTTP from GET /v1/roundtable, public, which carries their charters;
 *  `actor` is then NULL). Caller frees with libro_seats_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_seats(libro_registry_client *c,
                                                                 libro_seat **out, size_t *n,
                                                                 libro_error *err);

/* ---- agreements --------------------------------------------------------------------------
 * Over HTTP the document is the request (Content-Type application/jose+json): a COMPLETE
 * agreement is signed by every party and an end statement by the parties ending it, so their
 * own signatures are the authorization and the client needs no signer for these. */

/** Register a COMPLETE agreement, or an amendment (a new version whose "supersedes" names
 *  the old one): libro_registry_register_agreement; over HTTP POST /v1/agreements with the
 *  document as the body. *hash (may be NULL) receives its hash. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_client_register_agreement(libro_registry_client *c, const char *document,
                                         char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err);
/** End agreement `hash` with the signed end statement (libro_agreement_end_payload):
 *  libro_registry_end_agreement; over HTTP POST /v1/agreements/<hash>/end with the statement
 *  as the body. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_end_agreement(libro_registry_client *c,
                                                                         const char *hash,
                                                                         const char *statement,
                                                                         libro_error *err);
/** The agreement `hash` and (when `history` is not NULL) every version of its chain, oldest
 *  first: libro_registry_agreement; over HTTP GET /v1/agreements/<hash>, public. Caller
 *  clears *out and frees *history. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_agreement(
    libro_registry_client *c, libro_agreement_record *out, libro_agreement_record **history,
    size_t *n_history, const char *hash, libro_error *err);

/* ---- laws by consent ---------------------------------------------------------------------
 * A consent step needs no signed request: the step is signed by the member who took it, and
 * the registry checks it against the mandates (a client without a signer may add steps).
 * An adopted law is signed by the registry's community key: that signature is its
 * authorization too. Over HTTP each is the request body (Content-Type application/jose). */

/** Record a consent step (compact JWS): libro_registry_add_step; over HTTP POST
 *  /v1/laws/<law id>/steps. *hash (may be NULL) receives the step's hash. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_client_add_step(libro_registry_client *c, const char *step,
                               char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err);
/** Register an adopted CommunityLaw (compact JWS, signed by the community key):
 *  libro_registry_register_law; over HTTP POST /v1/laws. *hash
 *  (may be NULL) receives the law's hash. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_client_register_law(libro_registry_client *c, const char *law,
                                   char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err);
/** The record document of process `run` of `law_id` (0: the latest), appended to `out`:
 *  libro_registry_law_record; over HTTP GET /v1/laws/<law id>/record[?run=N], public. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_law_record(
    libro_registry_client *c, libro_buf *out, const char *law_id, uint32_t run, libro_error *err);
/** The laws in force (libro_registry_laws with `all` false; over HTTP GET /v1/laws, public).
 *  Caller frees with libro_law_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_laws(libro_registry_client *c,
                                                                libro_law_record **out, size_t *n,
                                                                libro_error *err);
/** Every adopted version of `law_id` (libro_registry_law_versions; over HTTP GET
 *  /v1/laws/<law id>, public). Caller frees with libro_law_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_law_versions(libro_registry_client *c,
                                                                        libro_law_record **out,
                                                                        size_t *n,
                                                                        const char *law_id,
                                                                        libro_error *err);
/** Laws in force whose review date falls within `within` seconds of the registry's clock, or
 *  has passed (libro_registry_laws_review_due; over HTTP GET /v1/laws/review-due?within=SECONDS,
 *  public). Caller frees with libro_law_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_client_laws_review_due(
    libro_registry_client *c, libro_law_record **out, size_t *n, int64_t within, libro_error *err);

/* Over HTTP a refusal comes back as the registry's error code and message, mapped so that a
 * caller can tell them apart: 400 LIBRO_ERR_INVALID_ARG, 401 LIBRO_ERR_UNTRUSTED (unknown key,
 * bad signature, wrong audience, stale iat), 403 LIBRO_ERR_DENIED (out of scope), 404
 * LIBRO_ERR_NOT_FOUND, 409 LIBRO_ERR_EXISTS (a replay or a taken number) or LIBRO_ERR_DENIED
 * (a transition the lifecycle forbids), 413 LIBRO_ERR_LIMIT, the registry's storage
 * refusals as the codes a local registry gives (503 busy LIBRO_ERR_BUSY, 507 LIBRO_ERR_FULL,
 * 503 read_only LIBRO_ERR_READONLY, 503 conflict LIBRO_ERR_CONFLICT, 503 unavailable
 * LIBRO_ERR_UNAVAILABLE, 500 io_error LIBRO_ERR_IO), other 429 and 5xx
 * LIBRO_ERR_NETWORK (try again later). The message is "registry: <code>: <message>". */

#endif
