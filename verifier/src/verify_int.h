/* libro_verifier: what trust.c (the store), chain.c (the chain rules) and verify.c (the
 * verdict) share. Not installed. */
#ifndef LIBRO_VERIFY_INT_H
#define LIBRO_VERIFY_INT_H

#include <dirent.h>
#include <pthread.h>

#include "libro/json_int.h"
#include "libro/verifier.h"

/* A store holds at most this many entries: every verification scans it, and a directory that
 * grew past this is more likely a mistake or an attack than a trust store. */
#define LIBRO_TRUST__MAX_ENTRIES 10000u

/* Candidate links a chain search may try before it gives up (two charters per community at
 * each of ten levels would otherwise be 2^10 walks, each verifying signatures). */
#define LIBRO_CHAIN__MAX_ATTEMPTS 256u

/* The widest clock skew libro_verify_license accepts (one day). */
#define LIBRO_VERIFY__MAX_SKEW 86400

/* The longest chain an option may ask for: levels 0..8 give at most nine charters, plus an
 * authorization and the license. */
#define LIBRO_VERIFY__MAX_LINKS 11u

/** One stored credential. `cred` was parsed from the payload before any signature check for
 *  LIBRO_TRUST_CREDENTIAL entries: it only indexes the entry (subject, key, signer), and the
 *  chain walker re-parses the payload after verifying the signature before it believes any
 *  of it. Anchors were verified (self-signature) when loaded or added. */
typedef struct libro_trust__item {
    libro_trust_kind kind;
    libro_credential *cred;
    char *token; /* the compact JWS, NUL-terminated */
    size_t token_len;
    char *file;                               /* full path of the stored file */
    char *signer_id;                          /* the kid's id part (== cred->issuer) */
    char signer_tp[LIBRO_THUMBPRINT_LEN + 1]; /* the kid's thumbprint */
    char tp[LIBRO_THUMBPRINT_LEN + 1];        /* thumbprint of cred->subject_key */
} libro_trust__item;

/* What the memo knows of one stored entry's signature. */
enum { LIBRO_MEMO__UNKNOWN = 0, LIBRO_MEMO__VERIFIED = 1, LIBRO_MEMO__REFUSED = 2 };

/** What a chain walk learnt about one stored credential's signature. */
typedef struct libro_trust__memo_item {
    int state;                     /* LIBRO_MEMO__UNKNOWN, _VERIFIED or _REFUSED */
    libro_credential *verified;    /* the payload parsed again after its signature verified */
    char why[LIBRO_ERROR_MSG_MAX]; /* why it was refused */
} libro_trust__memo_item;

/** The last registry walk (libro_chain__walk_registry) for one cached status list, kept
 *  with the options and community it was asked for and the range of `now` over which that
 *  walk gives the same verdict (libro_chain__result's now_lo, now_hi). */
typedef struct libro_trust__walk_memo {
    bool known;
    char *community; /* the community asked for */
    int64_t skew;
    unsigned max_links;
    int64_t now_lo;
    int64_t now_hi;
    libro_outcome outcome;
    char reason[LIBRO_ERROR_MSG_MAX];
} libro_trust__walk_memo;

/** What verifying one cached status list learnt, independent of the verification's time:
 *  its registry key found, its signature verified and its payload parsed (the bits decoded)
 *  from what verified, and matching the entry's index; or why not. The purpose, the chain
 *  (through walk), the window at `now` and the index are still checked by each
 *  verification. */
typedef struct libro_trust__list_memo {
    int state;                     /* LIBRO_MEMO__UNKNOWN, _VERIFIED or _REFUSED */
    libro_status_list verified;    /* parsed from what verified, bits decoded */
    char why[LIBRO_ERROR_MSG_MAX]; /* why it was refused, the whole sentence */
    libro_trust__walk_memo walk;
} libro_trust__list_memo;

/** The memo of stored signatures, filled lazily by chain walks and verifications and emptied
 *  whenever the store changes. A long-lived verifier thus checks each stored signature once,
 *  and a one-shot verifier (the CLI) only those its chain needs: a license costs one
 *  signature, its own, once the links above it and its status lists are known. It is not part
 *  of the store's observable state, so a walk on a `const libro_trust *` may fill it; the
 *  lock makes that safe from several threads. What it hands out (a verified credential or
 *  list) stays unchanged until the store changes, which no verification may overlap. */
typedef struct libro_trust__memo {
    pthread_mutex_t lock;
    libro_trust__memo_item *items; /* parallel to the store's items */
    size_t n_items;
    libro_trust__list_memo *lists; /* parallel to the store's status lists */
    size_t n_lists;
} libro_trust__memo;

/** One cached status list. `list` was parsed from the payload WITHOUT verifying the
 *  signature and its bits dropped: it only indexes the entry (id, issuer, window, purpose).
 *  A verification verifies `token` again and reads the bits from what verified. */
typedef struct libro_trust__list {
    libro_status_list list; /* bits empty */
    char *token;            /* the compact JWS, NUL-terminated */
    size_t token_len;
    char *file;
    char *signer_id;                          /* the kid's id part (== list.issuer) */
    char signer_tp[LIBRO_THUMBPRINT_LEN + 1]; /* the kid's thumbprint */
} libro_trust__list;

/* Agreements and laws one registry's index may list (each array of a bundle). */
#define LIBRO_INDEX__MAX_ENTRIES 100000u
/* ... and the store keeps from every registry together. */
#define LIBRO_INDEX__MAX_TOTAL 400000u
/* "sha256:" and 64 lowercase hex digits. */
#define LIBRO_INDEX__HASH_LEN 71u

/** The registry that a synced index came from (index/<sha256 hex of its URL>.json). */
typedef struct libro_trust__source {
    char *url;
    char *registry;                    /* its id: the subject of its RegistryAuthorization */
    char tp[LIBRO_THUMBPRINT_LEN + 1]; /* the thumbprint of the key that signed the bundle */
    char *community;                   /* the community that authorized it */
    int64_t issued_ms;                 /* the bundle's issued */
    char *file;
} libro_trust__source;

/** One agreement or law of a synced index. */
typedef struct libro_trust__doc {
    char hash[LIBRO_INDEX__HASH_LEN + 1];
    bool law;
    libro_doc_state state;
    int64_t since;
    size_t source; /* in the store's sources */
} libro_trust__doc;

struct libro_trust {
    char *dir;
    libro_trust__item *items; /* anchors first, then credentials, each sorted by file name */
    size_t n_items;
    size_t cap_items;
    libro_trust__memo *memo;  /* never NULL once opened */
    libro_trust__list *lists; /* status lists, sorted by file name; not in the memo */
    size_t n_lists;
    size_t cap_lists;
    int64_t seen_ms;              /* the newest trusted time seen (file "seen"), 0 when none yet */
    libro_trust__source *sources; /* the synced indexes of agreements and laws */
    size_t n_sources;
    libro_trust__doc *docs; /* their entries, sorted by (law, hash, source) */
    size_t n_docs;
};

/** The subdirectory `sub` of the store, its path in `out`, created (0700) when missing, and
 *  held to the store's ownership and mode rules. LIBRO_ERR_LIMIT, _IO, _DENIED. */
LIBRO_NODISCARD libro_code libro_trust__subdir(char *out, size_t cap, const libro_trust *t,
                                               const char *sub, libro_error *err);

/** The names in the open directory `d` (its path `dir`, for messages) that end in `suffix`,
 *  hidden ones aside, sorted, at most `max` of them (LIBRO_ERR_LIMIT), into *out (caller
 *  frees with libro_trust__names_free) and *n_out. LIBRO_ERR_IO, LIBRO_ERR_NOMEM. */
LIBRO_NODISCARD libro_code libro_trust__dir_names(char ***out, size_t *n_out, DIR *d,
                                                  const char *dir, const char *suffix, size_t max,
                                                  libro_error *err);
void libro_trust__names_free(char **names, size_t n);

/** Read the store file `name` in `dir_fd` (its full path `path`, for messages): not a link
 *  (LIBRO_ERR_DENIED), a regular file (LIBRO_ERR_IO) of at most `max` bytes (LIBRO_ERR_LIMIT),
 *  opened without blocking on a FIFO. */
LIBRO_NODISCARD libro_code libro_trust__read_entry(libro_buf *out, int dir_fd, const char *name,
                                                   const char *path, size_t max, libro_error *err);

/** Check one array of a registry's index, `what` naming it ("agreements", "laws") in the
 *  message: at most LIBRO_INDEX__MAX_ENTRIES objects of exactly {"hash","state","since"}, the
 *  hash "sha256:" and 64 lowercase hex digits and listed once, the state one of the kind's
 *  (an agreement: in force, ended, superseded; a law: in force, repealed), since an RFC 3339
 *  time. NULL (the member absent) is an empty index. LIBRO_ERR_PARSE, LIBRO_ERR_LIMIT. */
LIBRO_NODISCARD libro_code libro_index__check(const json_t *a, bool law, const char *what,
                                              libro_error *err);

/** Keep the index of the registry at `url` (replacing the one synced before): its id, the
 *  thumbprint of its key, its community, the bundle's issued and its two arrays (checked with
 *  libro_index__check; NULL: empty), written atomically as index/<sha256 hex of url>.json,
 *  then the store's index read again. */
LIBRO_NODISCARD libro_code libro_trust__index_write(libro_trust *t, const char *url,
                                                    const char *registry, const char *tp,
                                                    const char *community, int64_t issued_ms,
                                                    const json_t *agreements, const json_t *laws,
                                                    libro_error *err);

/** Read every index file (index/<hash>.json) of the store into t->sources and t->docs (replacing
 * what was there), each as strictly as a bundle's index and named by its URL's hash. */
LIBRO_NODISCARD libro_code libro_trust__index_load(libro_trust *t, libro_error *err);
void libro_trust__index_clear(libro_trust *t);

/** Record that signed data dated `ms` (milliseconds) verified: the store's newest trusted time
 *  moves forward to it, never past this computer's clock now, and is written atomically to
 *  the file "seen" before this returns. An older time changes nothing. LIBRO_ERR_IO. */
LIBRO_NODISCARD libro_code libro_trust__see(libro_trust *t, int64_t ms, libro_error *err);

/** Copy at most `cap` - 1 bytes of untrusted s[0..len) for a message: printable ASCII other
 *  than '"' and '\\' is kept, anything else becomes '?' (one line, no forged quoting). */
void libro_verifier__printable(char *out, size_t cap, const char *s, size_t len);

/** Check that `now` lies in c's window widened by `skew` on both sides. LIBRO_OK, or
 *  LIBRO_ERR_EXPIRED / LIBRO_ERR_NOT_YET_VALID with "<what> expired <time>" or "<what> is
 *  not valid before <time>". */
libro_code libro_verifier__window(const libro_credential *c, int64_t now, int64_t skew,
                                  const char *what, libro_error *err);

/** What the chain walk found: the links above the license (owned), best first. */
typedef struct libro_chain__result {
    libro_outcome outcome; /* LIBRO_VALID or LIBRO_UNTRUSTED */
    char reason[LIBRO_ERROR_MSG_MAX];
    /* The walk at any `now` in [now_lo, now_hi] (the same store, options and credential)
     * gives this very result: every window it compared `now` with answers the same there. */
    int64_t now_lo;
    int64_t now_hi;
    libro_chain_link *links; /* from the authorization up; the license is not included */
    size_t n_links;
    char *community_name; /* the authorizing community's charter, when reached */
    char *community_level_name;
    char *roundtable_name; /* a mandate's roundtable community, by its charter, when reached */
    char *seat_name;       /* a mandate's seat community (not a chair's), likewise */
} libro_chain__result;

/** Walk from a license whose signature verified with the key named by (signer_id,
 *  signer_tp) up to a pinned anchor, applying rules 2-6 of docs/credentials.md to every link
 *  above it (rule 1, the signatures, as it goes). Fills `res` either way: LIBRO_OK means a
 *  verdict (valid or untrusted) was reached; any other code is a failure to form one (out of
 *  memory, bad options). The license's own window at `now` is not checked here. */
LIBRO_NODISCARD libro_code libro_chain__walk(libro_chain__result *res, const libro_trust *t,
                                             const libro_credential *license, const char *signer_id,
                                             const char *signer_tp, const libro_verify_options *opt,
                                             libro_error *err);

/** The walk of libro_chain__walk for a RoundtableMandate whose signature verified with the
 *  community key named by (signer_id, signer_tp): link 2 is that community's charter (or its
 *  anchor), and the mandate's rules (libro_rules_mandate_under) apply with its charters:
 *  docs/credentials.md, "The chain of a mandate". Names the roundtable and the seat as
 *  their charters do. Same result shape and codes. */
LIBRO_NODISCARD libro_code libro_chain__walk_mandate(libro_chain__result *res, const libro_trust *t,
                                                     const libro_credential *mandate,
                                                     const char *signer_id, const char *signer_tp,
                                                     const libro_verify_options *opt,
                                                     libro_error *err);

/** The community key named (id, tp) in the store: an anchor's or a charter's, borrowed from
 *  the store, or NULL. Not a statement of trust: see the chain walk. */
const libro_key *libro_trust__community_key(const libro_trust *t, const char *id, const char *tp);

/** The key of a stored RegistryAuthorization with subject id `id` and key thumbprint `tp`,
 *  borrowed from the store, or NULL. Not a statement of trust: see the registry walk. */
const libro_key *libro_trust__registry_key(const libro_trust *t, const char *id, const char *tp);

/** Whether the RegistryAuthorization of `community` for registry `id` with key thumbprint
 *  `tp` chains to a pinned anchor at `now` (the registry walk, for a probe list of that
 *  registry valid at `now`): LIBRO_OK, or LIBRO_ERR_UNTRUSTED "the registry is not trusted:
 *  <why>". Resets the store's memo. libro sync and libro_trust_registry_key. */
LIBRO_NODISCARD libro_code libro_trust__registry_trusted(libro_trust *t, const char *community,
                                                         const char *id, const char *tp,
                                                         int64_t now, libro_error *err);

/** Walk from a RegistryAuthorization up to a pinned anchor, for a status list `list` whose
 *  kid named (signer_id, signer_tp): link 2 is a RegistryAuthorization with that subject id
 *  and key, issued by `community` (the license's authorizing community), whose window holds
 *  the list's; above it the chain rules as for a license (rule 5's license checks aside).
 *  Same memo, same result shape and codes as libro_chain__walk. */
LIBRO_NODISCARD libro_code libro_chain__walk_registry(
    libro_chain__result *res, const libro_trust *t, const libro_status_list *list,
    const char *community, const char *signer_id, const char *signer_tp,
    const libro_verify_options *opt, libro_error *err);

/** The walk of libro_chain__walk for a CommunityLaw whose signature verified with the key of
 *  its community named by (signer_id, signer_tp), or for the community that frames a
 *  ResponsibilityAgreement (signer_id its id, signer_tp NULL: each key the store holds for
 *  it is tried): link 2 is that community's charter or anchor, which must be of the id and
 *  level `c` names (community_id, community_level); above it the chain rules as for any
 *  charter. Names the community (community_name) as its charter does. Same result shape and
 *  codes; "community <id> is not in the trust store" when the store holds no charter of it. */
LIBRO_NODISCARD libro_code libro_chain__walk_community(libro_chain__result *res,
                                                       const libro_trust *t,
                                                       const libro_credential *c,
                                                       const char *signer_id, const char *signer_tp,
                                                       const libro_verify_options *opt,
                                                       libro_error *err);

/** Check a member community's charter token[0..len) from a trust bundle (libro sync): a
 *  strict compact JWS, typ vc+jwt, whose signature verifies with the key of `community` found
 *  in the store (an anchor or a charter), a CommunityCharter issued by `community` for
 *  another community, and, from `community`'s charter up to a pinned anchor, the chain rules
 *  as for a license (the member's charter under its parent's as any charter under its
 *  issuer's; the member's own window is not asked about: a verification does that). Same
 *  result shape and codes as libro_chain__walk: res->outcome LIBRO_UNTRUSTED with the reason
 *  when any of this fails. */
LIBRO_NODISCARD libro_code libro_chain__walk_member(libro_chain__result *res, const libro_trust *t,
                                                    const char *token, size_t len,
                                                    const char *community,
                                                    const libro_verify_options *opt,
                                                    libro_error *err);

/** A new, empty memo for `n_items` credentials and `n_lists` status lists (NULL when out of
 *  memory). */
libro_trust__memo *libro_trust__memo_new(size_t n_items, size_t n_lists);
void libro_trust__memo_free(libro_trust__memo *m);
/** Forget what the memo knows and size it for the store's items again: called after every
 *  change of the store. LIBRO_ERR_NOMEM. */
LIBRO_NODISCARD libro_code libro_trust__memo_reset(libro_trust *t, libro_error *err);

/** Release what `res` owns; it becomes empty. */
void libro_chain__result_free(libro_chain__result *res);

/** Release what one link owns (not the link itself). */
void libro_chain__link_clear(libro_chain_link *link);

/** Fill `link` (owned copies) from a verified credential. */
LIBRO_NODISCARD libro_code libro_chain__link_fill(libro_chain_link *link, const libro_credential *c,
                                                  bool anchor, libro_error *err);

#endif
