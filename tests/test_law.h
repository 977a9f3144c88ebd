/* Agreements and laws for the registry's suites (check_registry_agreement.c,
 * check_registry_law.c, check_server_law.c), over the roundtable fixture (test_roundtable.h):
 * its four holders are the parties of agreements and the members of the roundtable (holders
 * 0..2 the representatives of tribes 1..3, holder 3 the chair). Each helper aborts the
 * running check on failure. */
#ifndef LIBRO_TEST_LAW_H
#define LIBRO_TEST_LAW_H

#include "libro/agreement.h"
#include "libro/consent.h"
#include "libro/registry.h"
#include "test_roundtable.h"

#define TL_CHAIR 3 /* the holder who chairs */
#define TL_LAW "urn:libro:neighborhood-3:law:quiet-hours"

/** The size of the registry's log (its leaves). */
uint64_t tl_log_size(libro_registry *r);

/** An agreement framed by the fixture's community among the holders `parties[0..n)`, over
 *  from..until, ended by notice of `notice_days` (0: mutualOnly), amending `supersedes` (may
 *  be NULL), signed by the holders `signers[0..n_signers)` in that order (a holder that is no
 *  party signs with a kid of its own did). Caller frees (libro_free). */
char *tl_agreement(const rt_fixture *f, const int *parties, size_t n, int64_t from, int64_t until,
                   unsigned notice_days, const char *supersedes, const char *title,
                   const int *signers, size_t n_signers);
/** The agreement hash of `doc`, into `out`. */
void tl_hash(char out[LIBRO_HASH_REF_SIZE], const char *doc);
/** An end statement of agreement `hash` signed by the holders `signers[0..n)`, with `typ`
 *  (NULL: LIBRO_AGREEMENT_END_TYP). Caller frees. */
char *tl_end(const rt_fixture *f, const char *hash, libro_agreement_end how, int64_t at,
             const char *reason, const int *signers, size_t n, const char *typ);

/** Seats for tribes 1..3, their representatives (holders 0..2) and the chair (holder 3), with
 *  terms from..until, registered at `now` in `r`. */
void tl_roundtable(const rt_fixture *f, libro_registry *r, int64_t from, int64_t until,
                   int64_t now);

/** A process as its steps are built: the next step's seq and the last step's hash. */
typedef struct tl_process {
    const rt_fixture *f;
    const char *law;
    uint32_t seq;
    char prev[LIBRO_HASH_REF_SIZE];
} tl_process;

/** A step of `kind` by `holder` at `at` (the members its kind does not use are ignored):
 *  propose and amend take text, review and (amend) the objection hash `ref`; respond takes
 *  version, round, `consent`, and (objecting) reason and harm; rule takes `ref` (the
 *  objection), `out` and reason; withdraw takes `ref`; round takes version and round; propose
 *  takes `ref` as its supersedes. The step is signed by the holder but the process does not
 *  advance: tl_accept does. Caller frees. */
typedef struct tl_step_args {
    const char *text;
    int64_t review;
    const char *ref;
    uint32_t version;
    uint32_t round;
    bool consent;
    bool out;
    const char *reason;
    const char *harm;
} tl_step_args;
char *tl_step(tl_process *p, int holder, libro_step_kind kind, int64_t at, const tl_step_args *a);
/** A step token over the payload text `json` as given (steps core would refuse to write),
 *  signed by `holder` under its did's kid. Caller frees. */
char *tl_raw_step(const rt_fixture *f, int holder, const char *json);
/** The process takes `token` as its next step; its hash into `hash` (may be NULL). */
void tl_accept(tl_process *p, const char *token, char hash[LIBRO_HASH_REF_SIZE]);

/** The CommunityLaw the fixture's community signs with `key` for process `p` adopted at
 *  `adopted`: version, text, review date, supersedes (may be NULL), the members holders 0..2
 *  then the chair, consentRecord p->prev. Caller frees. */
char *tl_law(const tl_process *p, uint32_t version, const char *text, int64_t adopted,
             int64_t review, const char *supersedes, const libro_key *key);
/** tl_law naming the holders `members[0..n)` as its roundtable (the chair last). */
char *tl_law_of(const tl_process *p, uint32_t version, const char *text, int64_t adopted,
                int64_t review, const char *supersedes, const libro_key *key, const int *members,
                size_t n);

#endif
