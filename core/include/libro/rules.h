/* libro: the chain rules of docs/credentials.md, in one place. The issuer checks what it is
 * about to sign, the registry what it is asked to record, and the verifier what it is shown,
 * all with these functions, so the three cannot disagree.
 *
 * Each rule returns LIBRO_OK, or LIBRO_ERR_DENIED with a one-line reason naming the
 * credentials as "license", "issuer authorization for <id>", "registry authorization for
 * <id>", "charter of <id>", "anchor <id>" (a self-chartered charter) or "mandate for <seat or
 * roundtable id>", and the times or types
 * involved; LIBRO_ERR_INVALID_ARG for a NULL argument or a credential of the wrong type. The
 * rules read only the members they name: signatures, keys and validity at a given time are
 * the caller's. All are thread-safe. */
#ifndef LIBRO_RULES_H
#define LIBRO_RULES_H

#include "libro/credential.h"

/** The grant of license type `license_type` in `authorization` (an IssuerAuthorization), or
 *  NULL when it grants no such type (or either argument is NULL). Borrowed from
 *  `authorization`. Thread-safe. */
LIBRO_API const libro_license_grant *libro_grant_find(const libro_credential *authorization,
                                                      const char *license_type);

/** How the rules name `c` in a reason ("license", "charter of <id>", ...; see above), written
 *  to out[0..cap) (always NUL-terminated; the id is cut at 64 bytes). */
LIBRO_API void libro_rules_describe(char *out, size_t cap, const libro_credential *c);

/** Whether valid_until - valid_from is at most `days` days (a span of exactly `days` * 86400
 *  seconds is allowed), computed without overflow for any int64 times: an inverted window is
 *  within any span. */
LIBRO_API bool libro_rules_span_ok(int64_t valid_from, int64_t valid_until, uint32_t days);

/** Issued by: `c` was issued by the subject of `by`. A CommunityCharter (child or anchor),
 *  IssuerAuthorization or RegistryAuthorization under its charter (`by` a CommunityCharter:
 *  its issuer is the chartered community), a license under its issuer's authorization (`by`
 *  an IssuerAuthorization: its issuer is the authorized issuer):
 *  "<c> is issued by <c's issuer>, not by <by's subject>". LIBRO_ERR_INVALID_ARG for another
 *  pair of types. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_issued_by(const libro_credential *c,
                                                           const libro_credential *by,
                                                           libro_error *err);

/** Window nesting: `inner`'s validFrom..validUntil lies within `outer`'s, both ends
 *  inclusive: "<inner> (<from>..<until>) lies outside the <outer> (<from>..<until>)". */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_window(const libro_credential *inner,
                                                        const libro_credential *outer,
                                                        libro_error *err);

/** libro_rules_window for a window that is not a libro_credential (a status list's): `what`
 *  names it in the reason. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_window_of(const char *what, int64_t valid_from,
                                                           int64_t valid_until,
                                                           const libro_credential *outer,
                                                           libro_error *err);

/** Scope narrowing: every license type `child` names lies within `charter`'s (a
 *  CommunityCharter) allowedLicenseTypes: an IssuerAuthorization's granted types, a child
 *  CommunityCharter's allowed types. A RegistryAuthorization names none (LIBRO_OK). A license
 *  as `child`: LIBRO_ERR_INVALID_ARG (see libro_rules_license_grant). */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_scope(const libro_credential *child,
                                                       const libro_credential *charter,
                                                       libro_error *err);

/** Level decrease: the CommunityCharter `child`'s level lies strictly below its parent
 *  CommunityCharter's (a community cannot charter a peer, nor itself). */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_level(const libro_credential *child,
                                                       const libro_credential *parent,
                                                       libro_error *err);

/** A license under its issuer's `authorization` (an IssuerAuthorization): its license type is
 *  granted (libro_grant_find), and it runs no longer than the grant's validityDays
 *  (libro_rules_span_ok). */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_license_grant(
    const libro_credential *license, const libro_credential *authorization, libro_error *err);

/** A license names the community that authorized its issuer: its communityId is the
 *  `authorization`'s issuer. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_license_community(
    const libro_credential *license, const libro_credential *authorization, libro_error *err);

/** A license gives its community's level as chartered: `community_charter` (a
 *  CommunityCharter) is the charter of the license's communityId, and the license's
 *  communityLevel is its level. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_license_level(
    const libro_credential *license, const libro_credential *community_charter, libro_error *err);

/** A charter, issuer authorization or registry authorization `child` under the
 *  CommunityCharter `charter` of the community that issued it: libro_rules_window, then
 *  libro_rules_scope, then, for a child charter, libro_rules_level; the first broken rule's
 *  code and reason. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_under_charter(const libro_credential *child,
                                                               const libro_credential *charter,
                                                               libro_error *err);

/** A license is on record where its issuer's `authorization` says: when the authorization
 *  has statusRegistry, the license has credentialStatus and every list it names starts with
 *  "<statusRegistry>/v1/status/". LIBRO_ERR_DENIED "the issuer's authorization requires status
 *  entries from <registry>; this license has none" (or "names <url>"). An authorization
 *  without the member asks nothing. Not part of libro_rules_license_under: an issuer checks
 *  a license before its registry gives it status entries, and this rule after. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_license_status(
    const libro_credential *license, const libro_credential *authorization, libro_error *err);

/** A license under its issuer's `authorization`: libro_rules_license_community, then
 *  libro_rules_license_grant, then libro_rules_window; the first broken rule's code and
 *  reason. (The level rule needs the community's charter: libro_rules_license_level.) */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_license_under(
    const libro_credential *license, const libro_credential *authorization, libro_error *err);

/* ---- roundtables and mandates (docs/credentials.md, "RoundtableMandate") ----------------- */

/* The seed terms, in years: the longest a charter may allow (it may shorten them). */
#define LIBRO_TERM_REPRESENTATIVE_L1_YEARS 3u /* from a tribe to its neighborhood (level 1) */
#define LIBRO_TERM_REPRESENTATIVE_YEARS 5u    /* into a roundtable of level 2 and above */
#define LIBRO_TERM_CHAIR_YEARS 4u
#define LIBRO_TERM_LEADER_YEARS 5u
/* The most member communities (seats) a roundtable has. */
#define LIBRO_ROUNDTABLE_MAX_MEMBERS 7u

/** The seed term of `office` in a roundtable of `roundtable_level`, in years (the constants
 *  above); 0 for an office outside the enum. */
LIBRO_API unsigned libro_rules_seed_term_years(libro_office office, int roundtable_level);

/** The longest term of `office` in the roundtable whose CommunityCharter is
 *  `roundtable_charter` (its level is the roundtable's): the charter's own term for the office
 *  (roundtable member) when it sets one, else the seed. 0 for an office outside the enum or
 *  a NULL or non-charter `roundtable_charter`. */
LIBRO_API unsigned libro_rules_term_years(libro_office office,
                                          const libro_credential *roundtable_charter);

/** The last second of a term of `years` years starting at `valid_from`: the same calendar
 *  date and time `years` years later, minus one second; Feb 29 goes to Mar 1 in a year without
 *  one. So 2026-01-01T00:00:00Z + 3 years ends at 2028-12-31T23:59:59Z, and
 *  2028-02-29T12:00:00Z + 1 year at 2029-03-01T11:59:59Z. LIBRO_ERR_TIME when `valid_from` or
 *  the result lies outside the years 0001-9999; LIBRO_ERR_INVALID_ARG for a NULL `out` or
 *  years 0. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_term_end(int64_t *out, int64_t valid_from,
                                                          unsigned years, libro_error *err);

/** The office's shape: a known office; seat absent exactly for a chair; voting true exactly
 *  for a representative ("a chair has no vote", "a leader has no vote", "a representative
 *  votes"); roundtable level 1..8 for a representative and a chair (a tribe has no
 *  roundtable), 0..7 for a leader (a circle with a parent above); and the signer: the issuer
 *  is the seat (a representative's or leader's community signs), the roundtable's community
 *  for a chair. The parser enforces the shape already (libro_credential_check); the issuer
 *  relation is this rule's alone. `mandate` a RoundtableMandate. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_mandate_office(const libro_credential *mandate,
                                                                libro_error *err);

/** The chain rule: `signer_charter` is the CommunityCharter of the mandate's issuer (its
 *  subject is the issuer), `roundtable_charter` the one of the roundtable's community (its
 *  subject is roundtable.id and its level roundtable.level; for a chair the same charter as
 *  the signer's, the same pointer allowed). Then by office: a representative's community
 *  (the signer, the seat) is chartered by the roundtable's community (signer charter's issuer
 *  == roundtable.id) one level below it; a leader's parent (the signer, the seat) chartered
 *  the roundtable's community (roundtable charter's issuer == the seat) and is one level
 *  above it. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_rules_mandate_signer(const libro_credential *mandate, const libro_credential *signer_charter,
                           const libro_credential *roundtable_charter, libro_error *err);

/** The term: validUntil is at most libro_rules_term_end(validFrom, libro_rules_term_years(
 *  office, roundtable_charter)): "mandate for <seat> runs <from>..<until>, longer than the N
 *  years of a <office>'s term at the roundtable of <roundtable id> (ends by <end> at the
 *  latest)". A term that would end after 9999-12-31 bounds nothing (LIBRO_OK). */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_mandate_term(
    const libro_credential *mandate, const libro_credential *roundtable_charter, libro_error *err);

/** Term limits: a holder who has served `consecutive_before` terms back to back in one seat
 *  (same office, same seat or chair, same holder did:key, each term starting when the last
 *  ended or earlier) may serve one more when the roundtable's charter sets no
 *  consecutiveTerms, or when consecutive_before < consecutiveTerms. The registry counts with
 *  its history. */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_mandate_term_limit(
    const libro_credential *roundtable_charter, unsigned consecutive_before, libro_error *err);

/** A roundtable of `n_members` member communities (seats), the new one counted: at most
 *  LIBRO_ROUNDTABLE_MAX_MEMBERS ("a roundtable has at most 7 member communities"). */
LIBRO_API LIBRO_NODISCARD libro_code libro_rules_roundtable_seats(size_t n_members,
                                                                  libro_error *err);

/** A mandate under its charters: libro_rules_mandate_office, libro_rules_mandate_signer,
 *  libro_rules_mandate_term, then libro_rules_window of the mandate inside the signer's
 *  charter; the first broken rule's code and reason. (The term limit and the seat count need
 *  the registry's history: they are not part of this one.) */
LIBRO_API LIBRO_NODISCARD libro_code
libro_rules_mandate_under(const libro_credential *mandate, const libro_credential *signer_charter,
                          const libro_credential *roundtable_charter, libro_error *err);

#endif
