/* The roundtable fixture the registry's roundtable suites share (check_roundtable*.c): a town
 * (the parent, an anchor), its neighborhood (the registry's community, level 1) and eight
 * tribes it chartered (level 0), their keys, four holders with their did:keys, a registry
 * database for the neighborhood with the town's charter in its chain, and a builder of signed
 * RoundtableMandates. Each helper aborts the running check on failure. */
#ifndef LIBRO_TEST_ROUNDTABLE_H
#define LIBRO_TEST_ROUNDTABLE_H

#include "libro/credential.h"
#include "libro/key.h"

#define RT_PARENT "urn:libro:town-5"
#define RT_COMMUNITY "urn:libro:neighborhood-3"
#define RT_TRIBES 8
#define RT_HOLDERS 4
#define RT_LIST_BASE "https://registry.neighborhood-3.example"

typedef struct rt_fixture {
    char dir[256];
    char db_path[512]; /* test_db_new: a file in dir, or a PostgreSQL schema */
    libro_key *parent_key;
    libro_key *community_key;
    libro_key *registry_key;
    libro_key *tribe_key[RT_TRIBES];
    libro_key *holder_key[RT_HOLDERS];
    char holder_did[RT_HOLDERS][128];
    char *parent_charter;
    char *community_charter;
    char *authorization;
    char *tribe_charter[RT_TRIBES];
} rt_fixture;

/** Keys, charters valid from..until (the town's a year longer each way), the neighborhood's
 *  charter with consecutiveTerms `consecutive` (0: none), and a registry database in a new
 *  temp directory, with the town's charter added to its chain at `from`. The registry
 *  authorization names `url`. */
void rt_setup(rt_fixture *f, int64_t from, int64_t until, unsigned consecutive, const char *url);
/** Remove the database (test_db_remove) and the directory, free everything. Idempotent. */
void rt_teardown(rt_fixture *f);
/** "urn:libro:tribe-<i + 1>". */
const char *rt_tribe(int i);
/** The tribe's charter signed by `key` of `issuer`, of `level` (the fixture's are the
 *  neighborhood's, level 0). */
char *rt_charter(const char *issuer, const char *subject, const char *name, int level, int64_t from,
                 int64_t until, const libro_key *subject_key, const libro_key *key);

/** A RoundtableMandate of the neighborhood's roundtable: a representative of tribe `tribe`
 *  (issuer and seat the tribe), the chair (`tribe` ignored; issuer the neighborhood), or a
 *  leader (issuer and seat the town), for holder `holder`, over from..until, with status
 *  entries naming mandate list `list`, index `index` under `base`. Caller frees
 *  (libro_credential_free). */
libro_credential *rt_mandate_cred(const rt_fixture *f, libro_office office, int tribe, int holder,
                                  int64_t from, int64_t until, const char *base, uint32_t list,
                                  uint32_t index);
/** The key of the community that signs a mandate of `office` (for a representative, of
 *  tribe `tribe`). */
const libro_key *rt_signer(const rt_fixture *f, libro_office office, int tribe);
/** The last second of a term of `years` from `from` (libro_rules_term_end). */
int64_t rt_term_end(int64_t from, unsigned years);
/** rt_mandate_cred signed by rt_signer (caller frees with libro_free). */
char *rt_mandate(const rt_fixture *f, libro_office office, int tribe, int holder, int64_t from,
                 int64_t until, const char *base, uint32_t list, uint32_t index);

#endif
