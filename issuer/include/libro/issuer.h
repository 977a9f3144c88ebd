/* libro_issuer: build and sign credentials (docs/credentials.md). */
#ifndef LIBRO_ISSUER_H
#define LIBRO_ISSUER_H

#include "libro/credential.h"

/** Sign `c` as a vc+jwt compact JWS with `signer` (kid "<c->issuer>#<thumbprint>"), appended
 *  to `jws_out` (untouched on failure). Checks `c` against its schema first
 *  (libro_credential_check: LIBRO_ERR_SCHEMA and the codes it names), reads the payload back
 *  with libro_credential_parse as a self-check, and, for a self-chartered CommunityCharter
 *  (issuer = subject id), requires the signer to be the charter's own key (LIBRO_ERR_DENIED).
 *  A public-only signer: LIBRO_ERR_BAD_KEY. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_sign(libro_buf *jws_out,
                                                       const libro_credential *c,
                                                       const libro_key *signer, libro_error *err);

/** Check that a license may be issued under `authorization` (an IssuerAuthorization whose
 *  subject the license's issuer is), itself issued by the community of `community_charter`:
 *  same issuer id, signer key = the authorized key, the authorization's issuer = the
 *  charter's subject, then the chain rules of libro/rules.h that a verifier applies
 *  (libro_rules_license_under, then libro_rules_license_level): the license's community = the
 *  authorizing community, license type granted, validUntil - validFrom no longer than the
 *  type's validityDays, the window inside the authorization's, and its communityLevel = the
 *  charter's level, checked in that order. LIBRO_ERR_DENIED with the reason ("issuer: " + the
 *  rule's); LIBRO_ERR_INVALID_ARG for NULL arguments or credentials of the wrong types. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_check_license(
    const libro_credential *license, const libro_credential *authorization,
    const libro_credential *community_charter, const libro_key *signer, libro_error *err);

/** Check that `authorization` (IssuerAuthorization or RegistryAuthorization) or a child
 *  charter may be signed under `community_charter` (the signer's own charter): issuer = the
 *  charter's subject, signer key = its key, then the chain rules of libro/rules.h
 *  (libro_rules_under_charter): window inside the charter's, license types within its
 *  allowedLicenseTypes, a child's level below its level. LIBRO_ERR_DENIED with the reason
 *  ("issuer: " + the rule's); LIBRO_ERR_INVALID_ARG for NULL arguments, a license as `c` (see
 *  libro_issuer_check_license) or a `community_charter` that is not a charter. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_check_under_charter(
    const libro_credential *c, const libro_credential *community_charter, const libro_key *signer,
    libro_error *err);

#endif
