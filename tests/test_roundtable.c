/* The roundtable fixture (test_roundtable.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libro/registry.h"
#include "libro/rules.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_roundtable.h"
#include "test_util.h"

#define DAY INT64_C(86400)

const char *
rt_tribe(int i)
{
    static const char *const names[RT_TRIBES] = {
        "urn:libro:tribe-1", "urn:libro:tribe-2", "urn:libro:tribe-3", "urn:libro:tribe-4",
        "urn:libro:tribe-5", "urn:libro:tribe-6", "urn:libro:tribe-7", "urn:libro:tribe-8"};

    ck_assert_int_ge(i, 0);
    ck_assert_int_lt(i, RT_TRIBES);
    return names[i];
}

char *
rt_charter(const char *issuer, const char *subject, const char *name, int level, int64_t from,
           int64_t until, const libro_key *subject_key, const libro_key *key)
{
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, issuer, subject, name, from, until);
    char *jws;

    c->level = level;
    c->subject_key = public_of(subject_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup("nursing-general");
    c->n_allowed = 1;
    jws = sign(c, key);
    libro_credential_free(c);
    return jws;
}

static libro_key *
new_key(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    must(libro_key_generate(&k, LIBRO_ALG_ED25519, &err), &err, "key");
    return k;
}

void
rt_setup(rt_fixture *f, int64_t from, int64_t until, unsigned consecutive, const char *url)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_credential *c;
    const char *tmp = getenv("TMPDIR");

    memset(f, 0, sizeof *f);
    ck_assert_int_gt(snprintf(f->dir, sizeof f->dir, "%s/libro-roundtable-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    test_db_path(f->db_path, sizeof f->db_path, f->dir, "registry.db");
    f->parent_key = new_key();
    f->community_key = new_key();
    f->registry_key = new_key();
    for (int i = 0; i < RT_TRIBES; i++) {
        char name[32];

        f->tribe_key[i] = new_key();
        ck_assert_int_gt(snprintf(name, sizeof name, "Tribe %d", i + 1), 0);
        f->tribe_charter[i] = rt_charter(RT_COMMUNITY, rt_tribe(i), name, 0, from, until,
                                         f->tribe_key[i], f->community_key);
    }
    for (int i = 0; i < RT_HOLDERS; i++) {
        libro_buf did = LIBRO_BUF_INIT;

        f->holder_key[i] = new_key();
        must(libro_key_to_did(&did, f->holder_key[i], &err), &err, "did");
        ck_assert_uint_lt(did.len, sizeof f->holder_did[i]);
        memcpy(f->holder_did[i], did.data, did.len + 1);
        libro_buf_free(&did);
    }
    f->parent_charter = rt_charter(RT_PARENT, RT_PARENT, "Town 5", 2, from - 365 * DAY,
                                   until + 365 * DAY, f->parent_key, f->parent_key);
    c = new_cred(LIBRO_CRED_CHARTER, RT_PARENT, RT_COMMUNITY, "Neighborhood 3", from, until);
    c->level = 1;
    c->subject_key = public_of(f->community_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup("nursing-general");
    c->n_allowed = 1;
    c->rt_consecutive_terms = consecutive;
    f->community_charter = sign(c, f->parent_key);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, RT_COMMUNITY, RT_COMMUNITY ":registry",
                 "Neighborhood 3 Registry", from, until);
    c->subject_key = public_of(f->registry_key);
    c->url = sdup(url);
    f->authorization = sign(c, f->community_key);
    libro_credential_free(c);
    must(libro_registry_create(f->db_path, f->community_charter, f->authorization, &err), &err,
         "create");
    must(libro_registry_open(&r, f->db_path, &err), &err, "open");
    must(libro_registry_add_chain(r, NULL, f->parent_charter, "town clerk", from, &err), &err,
         "chain");
    libro_registry_close(r);
}

void
rt_teardown(rt_fixture *f)
{
    if (f->db_path[0] != '\0') {
        test_db_remove(f->db_path);
        (void) rmdir(f->dir);
    }
    libro_key_free(f->parent_key);
    libro_key_free(f->community_key);
    libro_key_free(f->registry_key);
    for (int i = 0; i < RT_TRIBES; i++) {
        libro_key_free(f->tribe_key[i]);
        libro_free(f->tribe_charter[i]);
    }
    for (int i = 0; i < RT_HOLDERS; i++) {
        libro_key_free(f->holder_key[i]);
    }
    libro_free(f->parent_charter);
    libro_free(f->community_charter);
    libro_free(f->authorization);
    memset(f, 0, sizeof *f);
}

libro_credential *
rt_mandate_cred(const rt_fixture *f, libro_office office, int tribe, int holder, int64_t from,
                int64_t until, const char *base, uint32_t list, uint32_t index)
{
    const char *issuer = office == LIBRO_OFFICE_REPRESENTATIVE ? rt_tribe(tribe)
                         : office == LIBRO_OFFICE_CHAIR        ? RT_COMMUNITY
                                                               : RT_PARENT;
    libro_credential *c = new_cred(LIBRO_CRED_MANDATE, issuer, f->holder_did[holder],
                                   holder == 0   ? "Jane Doe"
                                   : holder == 1 ? "Ravi <Singh> & Co"
                                   : holder == 2 ? "Mia Chen"
                                                 : "Olu Ade",
                                   from, until);
    char url[200];

    c->office = office;
    c->roundtable_id = sdup(RT_COMMUNITY);
    c->roundtable_level = 1;
    c->seat = office == LIBRO_OFFICE_CHAIR ? NULL : sdup(issuer);
    c->voting = office == LIBRO_OFFICE_REPRESENTATIVE;
    c->election_record =
        sdup("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    c->election_date = from - 30 * DAY;
    c->election_electorate = 1012;
    c->election_result = sdup("elected with 612 of 987 votes");
    c->has_status = true;
    c->status_index = index;
    ck_assert_int_gt(
        snprintf(url, sizeof url, "%s/v1/status/mandates/%u/revocation", base, (unsigned) list), 0);
    c->status_revocation_list = sdup(url);
    ck_assert_int_gt(
        snprintf(url, sizeof url, "%s/v1/status/mandates/%u/suspension", base, (unsigned) list), 0);
    c->status_suspension_list = sdup(url);
    ck_assert_int_gt(
        snprintf(url, sizeof url, "%s/v1/status/mandates/%u/message", base, (unsigned) list), 0);
    c->status_message_list = sdup(url);
    return c;
}

const libro_key *
rt_signer(const rt_fixture *f, libro_office office, int tribe)
{
    return office == LIBRO_OFFICE_REPRESENTATIVE ? f->tribe_key[tribe]
           : office == LIBRO_OFFICE_CHAIR        ? f->community_key
                                                 : f->parent_key;
}

char *
rt_mandate(const rt_fixture *f, libro_office office, int tribe, int holder, int64_t from,
           int64_t until, const char *base, uint32_t list, uint32_t index)
{
    libro_credential *c = rt_mandate_cred(f, office, tribe, holder, from, until, base, list, index);
    char *jws = sign(c, rt_signer(f, office, tribe));

    libro_credential_free(c);
    return jws;
}

int64_t
rt_term_end(int64_t from, unsigned years)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t end = 0;

    must(libro_rules_term_end(&end, from, years, &err), &err, "term end");
    return end;
}
