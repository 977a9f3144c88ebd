/* Suite for the verifier (verifier/src/trust.c, chain.c, verify.c): the trust store on disk
 * (layout, modes, atomic files, strict loading, add/remove), and offline verification of
 * licenses through chains built with real keys and libro_issuer_sign. The issuer-side checks
 * (libro_issuer_check_license and friends) would refuse to sign many of the broken chains
 * here; libro_issuer_sign only checks each credential's schema, so the verifier is what must
 * catch them. Each test gets a fresh store in a mkdtemp directory. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */

#define REGION "urn:libro:region-1"
#define TOWN "urn:libro:town-7"
#define BOARD "urn:libro:town-7:health-board"

/* ---- fixture -------------------------------------------------------------------------------- */

static char tmp_root[64];
static char store_dir[128];
static libro_trust *store;
static libro_key *k_region;
static libro_key *k_town;
static libro_key *k_board;
static libro_key *k_board_es;
static libro_key *k_other;

static void
gen(libro_key **k, libro_alg alg)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_key_generate(k, alg, &err), LIBRO_OK, &err, NULL);
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    int n;

    memcpy(tmp_root, "/tmp/libro-verifier-XXXXXX", sizeof "/tmp/libro-verifier-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_root));
    n = snprintf(store_dir, sizeof store_dir, "%s/data/libro", tmp_root);
    ck_assert(n > 0 && (size_t) n < sizeof store_dir);
    LIBRO_ASSERT_CODE(libro_trust_open(&store, store_dir, &err), LIBRO_OK, &err, NULL);
    gen(&k_region, LIBRO_ALG_ED25519);
    gen(&k_town, LIBRO_ALG_ED25519);
    gen(&k_board, LIBRO_ALG_ED25519);
    gen(&k_board_es, LIBRO_ALG_ES256);
    gen(&k_other, LIBRO_ALG_ED25519);
}

static void
teardown(void)
{
    libro_trust_free(store);
    store = NULL;
    libro_key_free(k_region);
    libro_key_free(k_town);
    libro_key_free(k_board);
    libro_key_free(k_board_es);
    libro_key_free(k_other);
    k_region = k_town = k_board = k_board_es = k_other = NULL;
    libro_test_rm_rf(tmp_root);
}

/* ---- building credentials ----------------------------------------------------------------- */

static char *
sdup(const char *s)
{
    char *d = libro_strndup(s, strlen(s));

    ck_assert_ptr_nonnull(d);
    return d;
}

static void
set(char **field, const char *s)
{
    libro_free(*field);
    *field = s != NULL ? sdup(s) : NULL;
}

/* Replace a list with the NULL-terminated strings given. */
static void
set_list(char ***list, size_t *n, const char *const *items)
{
    size_t i;
    size_t count = 0;

    for (i = 0; i < *n; i++) {
        libro_free((*list)[i]);
    }
    libro_free(*list);
    while (items[count] != NULL) {
        count++;
    }
    *list = libro_calloc(count, sizeof **list);
    ck_assert_ptr_nonnull(*list);
    for (i = 0; i < count; i++) {
        (*list)[i] = sdup(items[i]);
    }
    *n = count;
}

static libro_key *
pub(const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *p = NULL;

    LIBRO_ASSERT_CODE(libro_key_public(&p, k, &err), LIBRO_OK, &err, NULL);
    return p;
}

static libro_credential *
cred(libro_cred_type type, const char *issuer, int64_t from, int64_t until)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    LIBRO_ASSERT_CODE(libro_credential_new(&c, type, &err), LIBRO_OK, &err, NULL);
    c->issuer = sdup(issuer);
    c->valid_from = from;
    c->valid_until = until;
    return c;
}

static libro_credential *
charter(const char *issuer, const char *id, const char *name, int level, const libro_key *k,
        const char *const *allowed, int64_t from, int64_t until)
{
    libro_credential *c = cred(LIBRO_CRED_CHARTER, issuer, from, until);

    c->subject_id = sdup(id);
    c->name = sdup(name);
    c->level = level;
    c->subject_key = pub(k);
    set_list(&c->allowed_types, &c->n_allowed, allowed);
    return c;
}

static void
set_grants(libro_credential *c, const char *const *ids, const uint32_t *days)
{
    size_t i;
    size_t n = 0;

    for (i = 0; i < c->n_grants; i++) {
        libro_free(c->grants[i].id);
    }
    libro_free(c->grants);
    while (ids[n] != NULL) {
        n++;
    }
    c->grants = libro_calloc(n, sizeof *c->grants);
    ck_assert_ptr_nonnull(c->grants);
    for (i = 0; i < n; i++) {
        c->grants[i].id = sdup(ids[i]);
        c->grants[i].validity_days = days[i];
    }
    c->n_grants = n;
}

static const char *const nursing_only[] = {"nursing-general", NULL};
static const uint32_t nursing_days[] = {1095};
static const char *const town_types[] = {"nursing-general", "midwifery", NULL};
static const char *const region_types[] = {"nursing-general", "midwifery", "pharmacy", NULL};

static libro_credential *
authorization(const char *community, const libro_key *k, int64_t from, int64_t until)
{
    libro_credential *c = cred(LIBRO_CRED_ISSUER_AUTH, community, from, until);

    c->subject_id = sdup(BOARD);
    c->name = sdup("Town 7 Health Board");
    c->subject_key = pub(k);
    set_grants(c, nursing_only, nursing_days);
    return c;
}

static libro_credential *
license(const char *issuer, const char *community, int level, int64_t from, int64_t until)
{
    static const char *const scope[] = {"general care", "medication administration", NULL};
    libro_credential *c = cred(LIBRO_CRED_LICENSE, issuer, from, until);

    c->name = sdup("Ada Example");
    c->license_number = sdup("T7-N-0001");
    c->profession = sdup("registered nurse");
    c->license_type = sdup("nursing-general");
    set_list(&c->scope, &c->n_scope, scope);
    c->community_id = sdup(community);
    c->community_level = level;
    return c;
}

/* Sign `c` (then free it) with libro_issuer_sign, which checks only the schema. */
static void
sign(libro_buf *out, libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_issuer_sign(out, c, k, &err), LIBRO_OK, &err, NULL);
    libro_credential_free(c);
}

/* Sign `c` as `kid_owner`'s key would, but with the key `k`: a forgery with a borrowed kid. */
static void
forge(libro_buf *out, libro_credential *c, const libro_key *kid_owner, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_credential_to_json(&payload, c, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_kid_for(&kid, c->issuer, kid_owner, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(out, k, (const char *) kid.data, "vc+jwt",
                                             payload.data, payload.len, &err),
                      LIBRO_OK, &err, NULL);
    libro_buf_free(&payload);
    libro_buf_free(&kid);
    libro_credential_free(c);
}

static void
add_anchor(libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;

    sign(&tok, c, k);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) tok.data, tok.len, NULL, NULL, &err), LIBRO_OK,
        &err, NULL);
    libro_buf_free(&tok);
}

static void
add_token(const libro_buf *tok)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) tok->data, tok->len, &err), LIBRO_OK,
                      &err, NULL);
}

static void
add(libro_credential *c, const libro_key *k)
{
    libro_buf tok = LIBRO_BUF_INIT;

    sign(&tok, c, k);
    add_token(&tok);
    libro_buf_free(&tok);
}

static libro_verification *
verify_opt(const libro_buf *tok, const libro_verify_options *opt)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verification *v = NULL;

    LIBRO_ASSERT_CODE(
        libro_verify_license(&v, store, (const char *) tok->data, tok->len, opt, &err), LIBRO_OK,
        &err, NULL);
    ck_assert_ptr_nonnull(v);
    return v;
}

static libro_verification *
verify_at(const libro_buf *tok, int64_t now)
{
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(now);

    return verify_opt(tok, &opt);
}

static void
expect(const libro_verification *v, libro_outcome want, const char *reason_part, const char *name)
{
    ck_assert_msg(v->outcome == want, "%s: got %s (%s), want %s", name,
                  libro_outcome_name(v->outcome), v->reason, libro_outcome_name(want));
    if (reason_part != NULL) {
        ck_assert_msg(strstr(v->reason, reason_part) != NULL, "%s: reason \"%s\" lacks \"%s\"",
                      name, v->reason, reason_part);
    }
    if (want == LIBRO_VALID) {
        ck_assert_str_eq(v->reason, "");
    }
    ck_assert(!v->status_checked);
}

/* ---- chains as scenarios ------------------------------------------------------------------ */

/* The default chains: Town 7 (level 2) pinned as an anchor, or, when `deep`, Region 1
 * (level 3) pinned and chartering Town 7; then Town 7 authorizes its health board, whose key
 * signs the license. A case tweaks what it needs before anything is signed. */
struct scen {
    bool deep;
    bool no_anchor;
    bool no_auth;
    bool forge_auth;    /* the authorization signed by k_other with the town's kid */
    bool forge_charter; /* the region's charter of the town signed by k_other */
    bool both_anchors;  /* deep, and the town pinned too */
    libro_credential *region;
    libro_credential *town_self;
    libro_credential *town_by_region;
    libro_credential *auth;
    libro_credential *lic;
    const libro_key *board;
    int64_t now;
    unsigned max_links;
};

static void
scen_init(struct scen *s)
{
    memset(s, 0, sizeof *s);
    s->region = charter(REGION, REGION, "Region 1", 3, k_region, region_types, T0 - 2000 * DAY,
                        T0 + 5000 * DAY);
    set(&s->region->level_name, "region");
    s->town_self =
        charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 5000 * DAY);
    s->town_by_region =
        charter(REGION, TOWN, "Town 7", 2, k_town, town_types, T0 - 1500 * DAY, T0 + 4000 * DAY);
    s->auth = authorization(TOWN, k_board, T0 - 1000 * DAY, T0 + 2000 * DAY);
    s->lic = license(BOARD, TOWN, 2, T0, T0 + 1095 * DAY - 1);
    s->board = k_board;
    s->now = T0 + 10 * DAY;
    s->max_links = 10;
}

/* Sign and store the chain, sign the license into `tok`, free the credentials. */
static void
scen_build(struct scen *s, libro_buf *tok)
{
    libro_buf b = LIBRO_BUF_INIT;

    if (s->deep) {
        if (!s->no_anchor) {
            add_anchor(s->region, k_region);
        } else {
            libro_credential_free(s->region);
        }
        if (s->forge_charter) {
            forge(&b, s->town_by_region, k_region, k_other);
            add_token(&b);
            libro_buf_free(&b);
        } else {
            add(s->town_by_region, k_region);
        }
        if (s->both_anchors) {
            add_anchor(s->town_self, k_town);
        } else {
            libro_credential_free(s->town_self);
        }
    } else {
        if (!s->no_anchor) {
            add_anchor(s->town_self, k_town);
        } else {
            libro_credential_free(s->town_self);
        }
        libro_credential_free(s->region);
        libro_credential_free(s->town_by_region);
    }
    if (s->no_auth) {
        libro_credential_free(s->auth);
    } else if (s->forge_auth) {
        forge(&b, s->auth, k_town, k_other);
        add_token(&b);
    } else {
        add(s->auth, k_town);
    }
    sign(tok, s->lic, s->board);
    libro_buf_free(&b);
    memset(s, 0, sizeof *s);
}

/* Free what scen_init made, for a test that signs only the license itself. */
static void
scen_free_rest(struct scen *s)
{
    libro_credential_free(s->region);
    libro_credential_free(s->town_self);
    libro_credential_free(s->town_by_region);
    libro_credential_free(s->auth);
    libro_credential_free(s->lic);
    memset(s, 0, sizeof *s);
}

static void
use_es256(struct scen *s)
{
    libro_key_free(s->auth->subject_key);
    s->auth->subject_key = pub(k_board_es);
    s->board = k_board_es;
}

static void
tw_none(struct scen *s)
{
    (void) s;
}
static void
tw_es256(struct scen *s)
{
    use_es256(s);
}
static void
tw_deep(struct scen *s)
{
    s->deep = true;
}
static void
tw_deep_es256(struct scen *s)
{
    s->deep = true;
    use_es256(s);
}
static void
tw_both_anchors(struct scen *s)
{
    s->deep = true;
    s->both_anchors = true;
}
static void
tw_expired(struct scen *s)
{
    s->now = s->lic->valid_until + DAY;
}
static void
tw_skew_inside(struct scen *s)
{
    s->now = s->lic->valid_until + 300;
}
static void
tw_skew_outside(struct scen *s)
{
    s->now = s->lic->valid_until + 301;
}
static void
tw_skew_early_inside(struct scen *s)
{
    s->lic->valid_from = s->now + 300;
}
static void
tw_not_yet(struct scen *s)
{
    s->lic->valid_from = T0 + 30 * DAY;
    s->lic->valid_until = T0 + 300 * DAY;
}
static void
tw_no_anchor(struct scen *s)
{
    s->no_anchor = true;
}
static void
tw_no_anchor_deep(struct scen *s)
{
    s->deep = true;
    s->no_anchor = true;
}
static void
tw_no_auth(struct scen *s)
{
    s->no_auth = true;
}
static void
tw_type_scope(struct scen *s)
{
    set(&s->lic->license_type, "midwifery");
}
static void
tw_too_long(struct scen *s)
{
    s->lic->valid_until = s->lic->valid_from + 1200 * DAY;
}
static void
tw_exactly_validity(struct scen *s)
{
    s->lic->valid_until = s->lic->valid_from + 1095 * DAY;
}
static void
tw_auth_expired(struct scen *s)
{
    s->auth->valid_until = T0 + 500 * DAY;
    s->lic->valid_until = T0 + 400 * DAY;
    s->now = T0 + 600 * DAY; /* the license has expired too: the chain speaks first */
}
static void
tw_auth_not_yet(struct scen *s)
{
    s->auth->valid_from = T0 + 100 * DAY;
    s->lic->valid_from = T0 + 100 * DAY;
}
static void
tw_outside(struct scen *s)
{
    s->lic->valid_from = T0 - 1050 * DAY;
    s->lic->valid_until = T0 + 40 * DAY;
}
static void
tw_level_not_below(struct scen *s)
{
    s->deep = true;
    s->town_by_region->level = 3;
    s->lic->community_level = 3;
}
static void
tw_charter_scope(struct scen *s)
{
    static const char *const wider[] = {"nursing-general", "surgery", NULL};

    s->deep = true;
    set_list(&s->town_by_region->allowed_types, &s->town_by_region->n_allowed, wider);
}
static void
tw_auth_scope(struct scen *s)
{
    static const char *const ids[] = {"nursing-general", "pharmacy", NULL};
    static const uint32_t days[] = {1095, 365};

    set_grants(s->auth, ids, days);
}
static void
tw_community(struct scen *s)
{
    set(&s->lic->community_id, "urn:libro:town-8");
}
static void
tw_community_level(struct scen *s)
{
    s->lic->community_level = 1;
}
static void
tw_auth_outside_charter(struct scen *s)
{
    s->deep = true;
    s->town_by_region->valid_until = T0 + 1000 * DAY;
}
static void
tw_forged_charter(struct scen *s)
{
    s->deep = true;
    s->forge_charter = true;
}
static void
tw_forged_auth(struct scen *s)
{
    s->forge_auth = true;
}
static void
tw_max_links_3_deep(struct scen *s)
{
    s->deep = true;
    s->max_links = 3;
}
static void
tw_max_links_3(struct scen *s)
{
    s->max_links = 3;
}

/* An authorization that requires status entries from REG_T7 (statusRegistry), and licenses
 * with none, with another registry's lists, with a look-alike prefix. */
#define REG_T7 "https://registry.town-7.example"
#define REG_T8 "https://registry.town-8.example"

static void
lists_of(struct scen *s, const char *rev, const char *sus, const char *msg)
{
    s->lic->has_status = true;
    s->lic->status_index = 7;
    set(&s->lic->status_revocation_list, rev);
    set(&s->lic->status_suspension_list, sus);
    set(&s->lic->status_message_list, msg);
}
static void
tw_reg_none(struct scen *s)
{
    set(&s->auth->status_registry, REG_T7);
}
static void
tw_reg_other(struct scen *s)
{
    tw_reg_none(s);
    lists_of(s, REG_T8 "/v1/status/0/revocation", REG_T8 "/v1/status/0/suspension", NULL);
}
static void
tw_reg_other_msg(struct scen *s)
{
    tw_reg_none(s);
    lists_of(s, REG_T7 "/v1/status/0/revocation", REG_T7 "/v1/status/0/suspension",
             REG_T8 "/v1/status/0/message");
}
static void
tw_reg_prefix(struct scen *s)
{
    set(&s->auth->status_registry, "https://registry.town-7.ex");
    lists_of(s, REG_T7 "/v1/status/0/revocation", REG_T7 "/v1/status/0/suspension", NULL);
}
static void
tw_reg_not_status_path(struct scen *s)
{
    tw_reg_none(s);
    lists_of(s, REG_T7 "/v1/other/0/revocation", REG_T7 "/v1/status/0/suspension", NULL);
}

static const struct {
    const char *name;
    void (*tweak)(struct scen *s);
    libro_outcome want;
    const char *reason;
    size_t n_chain; /* 0: not checked */
} scenarios[] = {
    {"valid, town anchor, Ed25519", tw_none, LIBRO_VALID, NULL, 3},
    {"valid, town anchor, ES256", tw_es256, LIBRO_VALID, NULL, 3},
    {"valid, region anchor, Ed25519", tw_deep, LIBRO_VALID, NULL, 4},
    {"valid, region anchor, ES256", tw_deep_es256, LIBRO_VALID, NULL, 4},
    {"both anchors: the shorter chain", tw_both_anchors, LIBRO_VALID, NULL, 3},
    {"license exactly validityDays", tw_exactly_validity, LIBRO_VALID, NULL, 3},
    {"expired", tw_expired, LIBRO_EXPIRED, "license expired 2028-12-30T23:59:59Z", 3},
    {"expired within skew", tw_skew_inside, LIBRO_VALID, NULL, 3},
    {"expired past skew", tw_skew_outside, LIBRO_EXPIRED, "license expired", 3},
    {"not yet valid within skew", tw_skew_early_inside, LIBRO_VALID, NULL, 3},
    {"not yet valid", tw_not_yet, LIBRO_NOT_YET_VALID,
     "license is not valid before 2026-01-31T00:00:00Z", 3},
    {"no anchor", tw_no_anchor, LIBRO_UNTRUSTED,
     "no trusted anchor or charter for " TOWN ", signer of the issuer authorization for " BOARD, 1},
    {"no anchor above the charter", tw_no_anchor_deep, LIBRO_UNTRUSTED,
     "no trusted anchor or charter for " REGION ", signer of the charter of " TOWN, 2},
    {"no authorization", tw_no_auth, LIBRO_UNTRUSTED,
     "no trusted issuer authorization for " BOARD "#", 0},
    {"type outside scope", tw_type_scope, LIBRO_UNTRUSTED,
     "license type midwifery is not granted by the issuer authorization for " BOARD, 2},
    {"longer than validityDays", tw_too_long, LIBRO_UNTRUSTED,
     "license runs 1200 days, longer than the 1095 validityDays", 2},
    {"authorization expired", tw_auth_expired, LIBRO_UNTRUSTED,
     "issuer authorization for " BOARD " expired 2027-05-16T00:00:00Z", 2},
    {"authorization not yet valid", tw_auth_not_yet, LIBRO_UNTRUSTED,
     "issuer authorization for " BOARD " is not valid before 2026-04-11T00:00:00Z", 2},
    {"license outside the authorization", tw_outside, LIBRO_UNTRUSTED,
     "license (2023-02-16T00:00:00Z..2026-02-10T00:00:00Z) lies outside the issuer "
     "authorization for " BOARD,
     2},
    {"level not below the parent's", tw_level_not_below, LIBRO_UNTRUSTED,
     "charter of " TOWN " has level 3, not below the level 3 of the anchor " REGION, 4},
    {"charter wider than its parent", tw_charter_scope, LIBRO_UNTRUSTED,
     "charter of " TOWN " allows surgery, which the anchor " REGION " does not", 4},
    {"authorization wider than its community", tw_auth_scope, LIBRO_UNTRUSTED,
     "issuer authorization for " BOARD " grants pharmacy, which the anchor " TOWN " does not allow",
     3},
    {"community mismatch", tw_community, LIBRO_UNTRUSTED,
     "license names community urn:libro:town-8, but " TOWN " authorized its issuer", 2},
    {"community level mismatch", tw_community_level, LIBRO_UNTRUSTED,
     "license gives community " TOWN " level 1, its anchor says 2", 3},
    {"authorization outside its charter", tw_auth_outside_charter, LIBRO_UNTRUSTED,
     "lies outside the charter of " TOWN, 3},
    {"charter signature bad", tw_forged_charter, LIBRO_UNTRUSTED,
     "charter of " TOWN ": jws: signature does not verify", 2},
    {"authorization signature bad", tw_forged_auth, LIBRO_UNTRUSTED,
     "issuer authorization for " BOARD ": jws: signature does not verify", 1},
    {"max_links 3, 4-link chain", tw_max_links_3_deep, LIBRO_UNTRUSTED, "chain longer than 3 links",
     3},
    {"max_links 3, 3-link chain", tw_max_links_3, LIBRO_VALID, NULL, 3},
    {"registry required, no status entries", tw_reg_none, LIBRO_UNTRUSTED,
     "the issuer's authorization requires status entries from " REG_T7 "; this license has none",
     2},
    {"registry required, another registry's lists", tw_reg_other, LIBRO_UNTRUSTED,
     "the issuer's authorization requires status entries from " REG_T7
     "; this license names " REG_T8 "/v1/status/0/revocation",
     2},
    {"registry required, another registry's message list", tw_reg_other_msg, LIBRO_UNTRUSTED,
     "; this license names " REG_T8 "/v1/status/0/message", 2},
    {"registry required, a look-alike prefix", tw_reg_prefix, LIBRO_UNTRUSTED,
     "requires status entries from https://registry.town-7.ex; this license names " REG_T7, 2},
    {"registry required, not a status list path", tw_reg_not_status_path, LIBRO_UNTRUSTED,
     "; this license names " REG_T7 "/v1/other/0/revocation", 2},
};

START_TEST(test_scenarios)
{
    struct scen s;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(0);
    libro_verification *v;

    scen_init(&s);
    scenarios[_i].tweak(&s);
    opt.now = s.now;
    opt.max_links = s.max_links;
    scen_build(&s, &tok);
    v = verify_opt(&tok, &opt);
    expect(v, scenarios[_i].want, scenarios[_i].reason, scenarios[_i].name);
    /* Whatever the outcome, the license was read once its signature verified (with a key
     * from the store: without an authorization there is none). */
    if (scenarios[_i].tweak != tw_no_auth) {
        ck_assert_ptr_nonnull(v->license);
        ck_assert_str_eq(v->license->license_number, "T7-N-0001");
    } else {
        ck_assert_ptr_null(v->license);
    }
    if (scenarios[_i].n_chain != 0) {
        ck_assert_msg(v->n_chain == scenarios[_i].n_chain, "%s: %zu links", scenarios[_i].name,
                      v->n_chain);
        ck_assert_int_eq(v->chain[0].type, LIBRO_CRED_LICENSE);
    }
    if (v->outcome == LIBRO_VALID || v->outcome == LIBRO_EXPIRED ||
        v->outcome == LIBRO_NOT_YET_VALID) {
        ck_assert_str_eq(v->community_name, "Town 7");
        ck_assert_str_eq(v->community_level_name, "town");
        ck_assert(v->chain[v->n_chain - 1].anchor);
        ck_assert_int_eq(v->chain[1].type, LIBRO_CRED_ISSUER_AUTH);
        ck_assert_str_eq(v->chain[1].subject_id, BOARD);
        ck_assert_int_eq(v->chain[1].level, -1);
        ck_assert_int_eq(v->chain[2].type, LIBRO_CRED_CHARTER);
        ck_assert_int_eq(v->chain[2].level, 2);
    }
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_valid_details)
{
    struct scen s;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verification *v;

    scen_init(&s);
    s.deep = true;
    scen_build(&s, &tok);
    v = verify_at(&tok, T0 + 10 * DAY);
    expect(v, LIBRO_VALID, NULL, "deep");
    ck_assert_uint_eq(v->n_chain, 4);
    ck_assert_int_eq(v->chain[0].type, LIBRO_CRED_LICENSE);
    ck_assert_ptr_null(v->chain[0].subject_id); /* no holder did:key in this license */
    ck_assert_str_eq(v->chain[0].name, "Ada Example");
    ck_assert_str_eq(v->chain[0].issuer, BOARD);
    ck_assert_str_eq(v->chain[1].issuer, TOWN);
    ck_assert_str_eq(v->chain[2].subject_id, TOWN);
    ck_assert_str_eq(v->chain[2].issuer, REGION);
    ck_assert(!v->chain[2].anchor);
    ck_assert_str_eq(v->chain[3].subject_id, REGION);
    ck_assert_str_eq(v->chain[3].level_name, "region");
    ck_assert_int_eq(v->chain[3].level, 3);
    ck_assert(v->chain[3].anchor);
    ck_assert_int_eq(v->chain[3].valid_from, T0 - 2000 * DAY);
    ck_assert_str_eq(v->community_name, "Town 7");
    ck_assert_str_eq(v->community_level_name, "town");
    ck_assert_int_eq(libro_outcome_exit_code(v->outcome), 0);
    libro_verification_free(v);

    /* Default options (now = the clock): the license of 2026-2028 is checked at real time. */
    v = NULL;
    {
        libro_error err = LIBRO_ERROR_INIT;

        LIBRO_ASSERT_CODE(
            libro_verify_license(&v, store, (const char *) tok.data, tok.len, NULL, &err), LIBRO_OK,
            &err, NULL);
        ck_assert_ptr_nonnull(v);
        libro_verification_free(v);
    }
    libro_buf_free(&tok);
}
END_TEST

/* ---- bad tokens ---------------------------------------------------------------------------- */

/* The default shallow chain in the store; *tok gets a good license. */
static void
default_store(libro_buf *tok)
{
    struct scen s;

    scen_init(&s);
    scen_build(&s, tok);
}

static void
sign_raw(libro_buf *out, const libro_key *k, const char *kid, const char *typ, const char *payload)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_jws_sign_compact(out, k, kid, typ, payload,
                                             payload != NULL ? strlen(payload) : 0, &err),
                      LIBRO_OK, &err, NULL);
}

static void
board_kid(libro_buf *kid, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_kid_for(kid, BOARD, k, &err), LIBRO_OK, &err, NULL);
}

static void
license_json(libro_buf *out, const char *issuer)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = license(issuer, TOWN, 2, T0, T0 + 100 * DAY);

    LIBRO_ASSERT_CODE(libro_credential_to_json(out, c, &err), LIBRO_OK, &err, NULL);
    libro_credential_free(c);
}

static void
expect_token(const libro_buf *tok, libro_outcome want, const char *reason, const char *name)
{
    libro_verification *v = verify_at(tok, T0 + 10 * DAY);

    expect(v, want, reason, name);
    libro_verification_free(v);
}

START_TEST(test_tampered_payload)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf forged = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    const char *dot1;
    const char *dot2;
    char *ada;

    default_store(&tok);
    /* Decode the payload, rename the holder, re-encode it between the original header and
     * signature. */
    dot1 = strchr((const char *) tok.data, '.');
    dot2 = strchr(dot1 + 1, '.');
    LIBRO_ASSERT_CODE(libro_b64url_decode(&payload, dot1 + 1, (size_t) (dot2 - dot1 - 1), &err),
                      LIBRO_OK, &err, NULL);
    ada = strstr((char *) payload.data, "Ada Example");
    ck_assert_ptr_nonnull(ada);
    memcpy(ada, "Eve", 3);
    ck_assert_int_eq(
        libro_buf_append(&forged, tok.data, (size_t) (dot1 + 1 - (const char *) tok.data), &err),
        LIBRO_OK);
    ck_assert_int_eq(libro_b64url_encode(&forged, payload.data, payload.len, &err), LIBRO_OK);
    ck_assert_int_eq(libro_buf_append_str(&forged, dot2, &err), LIBRO_OK);
    expect_token(&forged, LIBRO_INVALID, "license signature", "tampered");
    expect_token(&tok, LIBRO_VALID, NULL, "original");
    libro_buf_free(&tok);
    libro_buf_free(&payload);
    libro_buf_free(&forged);
}
END_TEST

START_TEST(test_bad_tokens)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf json = LIBRO_BUF_INIT;
    libro_buf other = LIBRO_BUF_INIT;
    libro_buf t = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c;

    default_store(&tok);
    board_kid(&kid, k_board);
    license_json(&json, BOARD);

    /* Signed by another key under the board's kid. */
    sign_raw(&other, k_other, (const char *) kid.data, "vc+jwt", (const char *) json.data);
    expect_token(&other, LIBRO_INVALID, "license signature", "other key, same kid");

    /* ES256 header against the board's Ed25519 key: the key decides the algorithm. */
    libro_buf_clear(&other);
    sign_raw(&other, k_board_es, (const char *) kid.data, "vc+jwt", (const char *) json.data);
    expect_token(&other, LIBRO_INVALID, "license signature", "alg of another key");

    /* The right key but the wrong typ, or none, or no kid. */
    libro_buf_clear(&other);
    sign_raw(&other, k_board, (const char *) kid.data, "JWT", (const char *) json.data);
    expect_token(&other, LIBRO_INVALID, "typ is not vc+jwt", "typ JWT");
    libro_buf_clear(&other);
    sign_raw(&other, k_board, (const char *) kid.data, NULL, (const char *) json.data);
    expect_token(&other, LIBRO_INVALID, "typ is not vc+jwt", "no typ");
    libro_buf_clear(&other);
    sign_raw(&other, k_board, (const char *) kid.data, "application/VC+JWT",
             (const char *) json.data);
    expect_token(&other, LIBRO_VALID, NULL, "typ application/VC+JWT");
    libro_buf_clear(&other);
    sign_raw(&other, k_board, NULL, "vc+jwt", (const char *) json.data);
    expect_token(&other, LIBRO_INVALID, "lacks \"kid\"", "no kid");
    libro_buf_clear(&other);
    sign_raw(&other, k_board, BOARD, "vc+jwt", (const char *) json.data);
    expect_token(&other, LIBRO_INVALID, "kid: no '#'", "kid without thumbprint");

    /* Signed by the board, but claiming another issuer. */
    libro_buf_clear(&json);
    license_json(&json, "urn:libro:town-7:other-board");
    libro_buf_clear(&other);
    sign_raw(&other, k_board, (const char *) kid.data, "vc+jwt", (const char *) json.data);
    expect_token(&other, LIBRO_INVALID,
                 "license issuer urn:libro:town-7:other-board is not the kid's " BOARD,
                 "issuer is not the kid's");

    /* A valid authorization presented as a license. */
    c = authorization(BOARD, k_other, T0, T0 + DAY);
    libro_buf_clear(&json);
    LIBRO_ASSERT_CODE(libro_credential_to_json(&json, c, &err), LIBRO_OK, &err, NULL);
    libro_credential_free(c);
    libro_buf_clear(&other);
    sign_raw(&other, k_board, (const char *) kid.data, "vc+jwt", (const char *) json.data);
    expect_token(&other, LIBRO_INVALID,
                 "not a license: the credential's type is IssuerAuthorization", "not a license");

    /* A payload that is not a credential at all. */
    libro_buf_clear(&other);
    sign_raw(&other, k_board, (const char *) kid.data, "vc+jwt", "{\"sub\":\"x\"}");
    expect_token(&other, LIBRO_INVALID, "license", "not a credential");

    /* Envelopes that do not parse. */
    libro_buf_clear(&t);
    ck_assert_int_eq(libro_buf_append_str(&t, "not a jws", &err), LIBRO_OK);
    expect_token(&t, LIBRO_INVALID, "3 segments", "garbage");
    libro_buf_clear(&t);
    expect_token(&t, LIBRO_INVALID, "3 segments", "empty");
    libro_buf_clear(&t);
    ck_assert_int_eq(libro_buf_append_str(&t, "eyJhbGciOiJub25lIn0.e30.", &err), LIBRO_OK);
    expect_token(&t, LIBRO_INVALID, "alg", "alg none");

    /* The good one still passes. */
    expect_token(&tok, LIBRO_VALID, NULL, "good");
    libro_buf_free(&tok);
    libro_buf_free(&kid);
    libro_buf_free(&json);
    libro_buf_free(&other);
    libro_buf_free(&t);
}
END_TEST

/* ---- several candidates per link ----------------------------------------------------------- */

START_TEST(test_renewed_authorization)
{
    struct scen s;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verification *v;

    /* The newest authorization (tried first) does not cover the license; the older one
     * does: the walk falls back to it. */
    scen_init(&s);
    add(authorization(TOWN, k_board, T0 + 5 * DAY, T0 + 3000 * DAY), k_town);
    scen_build(&s, &tok);
    v = verify_at(&tok, T0 + 10 * DAY);
    expect(v, LIBRO_VALID, NULL, "renewed");
    ck_assert_int_eq(v->chain[1].valid_from, T0 - 1000 * DAY);
    libro_verification_free(v);
    libro_buf_free(&tok);

    /* Both bad: the report is the attempt that got further (the expired one passed the
     * nesting rules; the other failed them). */
    libro_trust_free(store);
    store = NULL;
    libro_test_rm_rf(store_dir);
    {
        libro_error err = LIBRO_ERROR_INIT;

        LIBRO_ASSERT_CODE(libro_trust_open(&store, store_dir, &err), LIBRO_OK, &err, NULL);
    }
    scen_init(&s);
    s.auth->valid_until = T0 + 5 * DAY;
    s.lic->valid_until = T0 + 4 * DAY;
    add(authorization(TOWN, k_board, T0 + DAY, T0 + 3000 * DAY), k_town);
    scen_build(&s, &tok);
    v = verify_at(&tok, T0 + 10 * DAY);
    expect(v, LIBRO_UNTRUSTED, "issuer authorization for " BOARD " expired 2026-01-06", "both");
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_two_charters_one_community)
{
    struct scen s;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf bad = LIBRO_BUF_INIT;
    libro_verification *v;

    /* A newer charter of the town with a bad signature, and the good older one. */
    scen_init(&s);
    s.deep = true;
    forge(&bad,
          charter(REGION, TOWN, "Town 7", 2, k_town, town_types, T0 - 10 * DAY, T0 + 4500 * DAY),
          k_region, k_other);
    add_token(&bad);
    /* And one whose level is wrong. */
    add(charter(REGION, TOWN, "Town 7", 3, k_town, town_types, T0 - 10 * DAY, T0 + 4400 * DAY),
        k_region);
    scen_build(&s, &tok);
    v = verify_at(&tok, T0 + 10 * DAY);
    expect(v, LIBRO_VALID, NULL, "two charters");
    ck_assert_int_eq(v->chain[2].valid_until, T0 + 4000 * DAY);
    libro_verification_free(v);
    libro_buf_free(&tok);
    libro_buf_free(&bad);
}
END_TEST

START_TEST(test_cycle)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verification *v;

    /* Region charters Town and Town charters Region; nothing is pinned. The walk must end. */
    add(charter(REGION, TOWN, "Town 7", 2, k_town, town_types, T0 - 1500 * DAY, T0 + 4000 * DAY),
        k_region);
    add(charter(TOWN, REGION, "Region 1", 3, k_region, town_types, T0 - 1500 * DAY,
                T0 + 4000 * DAY),
        k_town);
    add(authorization(TOWN, k_board, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);
    sign(&tok, license(BOARD, TOWN, 2, T0, T0 + 100 * DAY), k_board);
    v = verify_at(&tok, T0 + 10 * DAY);
    expect(v, LIBRO_UNTRUSTED, "charter of " REGION " has level 3, not below the level 2", "cycle");
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

/* ---- long chains ----------------------------------------------------------------------------- */

/* Communities at levels top..0 ("urn:libro:l<level>"), the top one pinned, each chartering the
 * next; the level-0 community authorizes the board. `copies` charters per level (distinct
 * windows) make the search branch. Returns the license. */
static void
world(libro_buf *tok, int top, bool pin_top, int copies)
{
    static const char *const types[] = {"nursing-general", NULL};
    libro_key *keys[LIBRO_MAX_LEVEL + 1];
    char id[32];
    char parent[32];
    int level;
    int c;

    memset(keys, 0, sizeof keys);
    for (level = top; level >= 0; level--) {
        gen(&keys[level], LIBRO_ALG_ED25519);
        ck_assert_int_gt(snprintf(id, sizeof id, "urn:libro:l%d", level), 0);
        if (level == top) {
            if (pin_top) {
                add_anchor(charter(id, id, "Top", level, keys[level], types, T0 - 3000 * DAY,
                                   T0 + 3000 * DAY),
                           keys[level]);
            }
            continue;
        }
        ck_assert_int_gt(snprintf(parent, sizeof parent, "urn:libro:l%d", level + 1), 0);
        for (c = 0; c < copies; c++) {
            /* Copies differ in name only, so that every combination nests. */
            add(charter(parent, id, c == 0 ? "Community" : "Community bis", level, keys[level],
                        types, T0 - 2000 * DAY, T0 + 2000 * DAY),
                keys[level + 1]);
        }
    }
    add(authorization("urn:libro:l0", k_board, T0 - 1000 * DAY, T0 + 1000 * DAY), keys[0]);
    sign(tok, license(BOARD, "urn:libro:l0", 0, T0, T0 + 100 * DAY), k_board);
    for (level = 0; level <= LIBRO_MAX_LEVEL; level++) {
        libro_key_free(keys[level]);
    }
}

START_TEST(test_chain_length)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0 + 10 * DAY);
    libro_verification *v;

    /* World (8) -> 7 .. 0 -> authorization -> license: 11 links. */
    world(&tok, 8, true, 1);
    v = verify_opt(&tok, &opt);
    expect(v, LIBRO_UNTRUSTED, "chain longer than 10 links", "11 links");
    ck_assert_uint_eq(v->n_chain, 10); /* the links it could check */
    ck_assert_str_eq(v->community_name, "Community");
    ck_assert_str_eq(v->community_level_name, "tribe");
    libro_verification_free(v);
    /* Allowed when the caller says so. */
    opt.max_links = 11;
    v = verify_opt(&tok, &opt);
    expect(v, LIBRO_VALID, NULL, "11 links allowed");
    ck_assert_uint_eq(v->n_chain, 11);
    ck_assert_str_eq(v->chain[10].level_name, "world");
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_chain_length_boundary)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verification *v;

    /* Level 7 pinned -> 6 .. 0 -> authorization -> license: exactly 10 links. */
    world(&tok, 7, true, 1);
    v = verify_at(&tok, T0 + 10 * DAY);
    expect(v, LIBRO_VALID, NULL, "10 links");
    ck_assert_uint_eq(v->n_chain, 10);
    ck_assert(v->chain[9].anchor);
    ck_assert_str_eq(v->chain[9].level_name, "level 7");
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_search_budget)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0 + 10 * DAY);
    libro_verification *v;

    /* Two charters per level and no anchor: 2^8 dead ends. The search stops and says so. */
    world(&tok, 8, false, 2);
    opt.max_links = 11;
    v = verify_opt(&tok, &opt);
    expect(v, LIBRO_UNTRUSTED, "trust store is too ambiguous", "budget");
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

/* ---- options, names ---------------------------------------------------------------------- */

START_TEST(test_options)
{
    static const struct {
        unsigned version;
        int64_t now;
        int64_t skew;
        unsigned max_links;
        int64_t max_status_age;
        const char *msg;
    } bad[] = {
        {4, T0, 300, 10, 7 * DAY, "options version 4"},
        {0, T0, 300, 10, 7 * DAY, "options version 0"},
        {1, T0, -1, 10, 7 * DAY, "skew"},
        {1, T0, 86401, 10, 7 * DAY, "skew"},
        {1, T0, 300, 0, 7 * DAY, "max_links"},
        {1, T0, 300, 12, 7 * DAY, "max_links"},
        {1, INT64_MAX, 300, 10, 7 * DAY, "years 0001-9999"},
        {1, INT64_MIN, 300, 10, 7 * DAY, "years 0001-9999"},
        {2, T0, 300, 10, 0, "max_status_age must be 1 to 31622400 seconds"},
        {2, T0, 300, 10, -1, "max_status_age"},
        {2, T0, 300, 10, 366 * DAY + 1, "max_status_age"},
    };
    libro_buf tok = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_verification *v = NULL;
    size_t i;

    default_store(&tok);
    for (i = 0; i < LIBRO_NELEM(bad); i++) {
        libro_verify_options opt = {bad[i].version,        bad[i].now,
                                    bad[i].skew,           bad[i].max_links,
                                    bad[i].max_status_age, false};

        LIBRO_ASSERT_CODE(
            libro_verify_license(&v, store, (const char *) tok.data, tok.len, &opt, &err),
            LIBRO_ERR_INVALID_ARG, &err, bad[i].msg);
        ck_assert_ptr_null(v);
    }
    /* A version 1 caller knows nothing of max_status_age: whatever follows its four fields
     * is not read, and the default applies. */
    {
        libro_verify_options v1 = {1, T0 + 10 * DAY, 300, 10, -12345, true};

        v = verify_opt(&tok, &v1);
        expect(v, LIBRO_VALID, NULL, "version 1 options");
        libro_verification_free(v);
        v = NULL;
    }
    LIBRO_ASSERT_CODE(libro_verify_license(NULL, store, "x", 1, NULL, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "NULL");
    LIBRO_ASSERT_CODE(libro_verify_license(&v, NULL, "x", 1, NULL, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "NULL");
    LIBRO_ASSERT_CODE(libro_verify_license(&v, store, NULL, 1, NULL, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "NULL");
    libro_verification_free(NULL);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_outcome_names)
{
    static const struct {
        libro_outcome o;
        const char *name;
        int code;
    } table[] = {
        {LIBRO_VALID, "VALID", 0},         {LIBRO_INVALID, "INVALID", 1},
        {LIBRO_EXPIRED, "EXPIRED", 3},     {LIBRO_NOT_YET_VALID, "NOT YET VALID", 3},
        {LIBRO_REVOKED, "REVOKED", 4},     {LIBRO_SUSPENDED, "SUSPENDED", 5},
        {LIBRO_UNTRUSTED, "UNTRUSTED", 6}, {LIBRO_STATUS_UNKNOWN, "STATUS UNKNOWN", 7},
        {LIBRO_NO_QR, "NO QR CODE", 8},    {LIBRO_SURRENDERED, "SURRENDERED", 4},
        {LIBRO_LAPSED, "LAPSED", 3},       {(libro_outcome) 99, "UNKNOWN", 1},
    };
    size_t i;

    for (i = 0; i < LIBRO_NELEM(table); i++) {
        ck_assert_str_eq(libro_outcome_name(table[i].o), table[i].name);
        ck_assert_int_eq(libro_outcome_exit_code(table[i].o), table[i].code);
    }
}
END_TEST

/* Fail the 1st, 2nd, ... allocation until a verification gets through: every failure is
 * LIBRO_ERR_NOMEM (no false verdict), and nothing leaks (ASan). */
START_TEST(test_verify_oom)
{
    struct scen s;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0 + 10 * DAY);
    libro_verification *v = NULL;
    libro_code rc = LIBRO_ERR_NOMEM;
    unsigned long n;
    unsigned long verdicts_wrong = 0;

    scen_init(&s);
    s.deep = true;
    scen_build(&s, &tok);
    for (n = 1; n < 5000 && rc != LIBRO_OK; n++) {
        libro__alloc_fail_after(n);
        rc = libro_verify_license(&v, store, (const char *) tok.data, tok.len, &opt, &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, NULL);
            ck_assert_ptr_null(v);
        } else if (v->outcome != LIBRO_VALID) {
            /* A failed allocation inside a parser that reports it as bad input would turn
             * into a wrong verdict: count it, then keep going. */
            verdicts_wrong++;
            ck_assert_msg(verdicts_wrong == 0, "allocation %lu: verdict %s (%s)", n,
                          libro_outcome_name(v->outcome), v->reason);
        }
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 10);
    expect(v, LIBRO_VALID, NULL, "after oom");
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

/* ---- the store on disk ------------------------------------------------------------------- */

static void
path_of(char *out, size_t cap, const char *sub, const char *name)
{
    int n = snprintf(out, cap, "%s/%s/%s", store_dir, sub, name);

    ck_assert(n > 0 && (size_t) n < cap);
}

static unsigned
mode_of(const char *path)
{
    struct stat st;

    ck_assert_msg(lstat(path, &st) == 0, "%s: %s", path, strerror(errno));
    return (unsigned) (st.st_mode & 07777);
}

static void
reopen(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    libro_trust_free(store);
    store = NULL;
    LIBRO_ASSERT_CODE(libro_trust_open(&store, store_dir, &err), LIBRO_OK, &err, NULL);
}

static size_t
count_subject(const char *id)
{
    size_t i;
    size_t n = 0;

    for (i = 0; i < libro_trust_count(store); i++) {
        libro_trust_entry e;

        libro_trust_get(store, i, &e);
        n += strcmp(e.subject_id, id) == 0;
    }
    return n;
}

START_TEST(test_store_layout)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf anchor = LIBRO_BUF_INIT;
    libro_buf auth = LIBRO_BUF_INIT;
    libro_buf hex = LIBRO_BUF_INIT;
    unsigned char digest[32];
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    char got_tp[LIBRO_THUMBPRINT_LEN + 1];
    char path[512];
    char name[128];
    libro_trust_entry e;

    /* The store and its parents were created 0700. */
    ck_assert_uint_eq(mode_of(store_dir), 0700);
    ck_assert_int_gt(snprintf(path, sizeof path, "%s/data", tmp_root), 0);
    ck_assert_uint_eq(mode_of(path), 0700);
    path_of(path, sizeof path, "anchors", "");
    ck_assert_uint_eq(mode_of(path), 0700);
    ck_assert_uint_eq(libro_trust_count(store), 0);

    sign(&anchor,
         charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 5000 * DAY),
         k_town);
    LIBRO_ASSERT_CODE(libro_key_thumbprint(tp, k_town, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) anchor.data, anchor.len, tp, got_tp, &err),
        LIBRO_OK, &err, NULL);
    ck_assert_str_eq(got_tp, tp);
    ck_assert_int_gt(snprintf(name, sizeof name, "%s.jws", tp), 0);
    path_of(path, sizeof path, "anchors", name);
    ck_assert_uint_eq(mode_of(path), 0644);

    sign(&auth, authorization(TOWN, k_board, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) auth.data, auth.len, &err), LIBRO_OK,
                      &err, NULL);
    LIBRO_ASSERT_CODE(libro_sha256(digest, auth.data, auth.len, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_hex_encode(&hex, digest, sizeof digest, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_gt(snprintf(name, sizeof name, "%s.jws", (const char *) hex.data), 0);
    path_of(path, sizeof path, "credentials", name);
    ck_assert_uint_eq(mode_of(path), 0644);

    /* Listing: anchors first. */
    ck_assert_uint_eq(libro_trust_count(store), 2);
    libro_trust_get(store, 0, &e);
    ck_assert_int_eq(e.kind, LIBRO_TRUST_ANCHOR);
    ck_assert_int_eq(e.type, LIBRO_CRED_CHARTER);
    ck_assert_str_eq(e.subject_id, TOWN);
    ck_assert_str_eq(e.name, "Town 7");
    ck_assert_str_eq(e.issuer, TOWN);
    ck_assert_str_eq(e.thumbprint, tp);
    ck_assert_int_eq(e.valid_from, T0 - 2000 * DAY);
    ck_assert_int_eq(e.valid_until, T0 + 5000 * DAY);
    ck_assert_ptr_nonnull(strstr(e.file, "/anchors/"));
    libro_trust_get(store, 1, &e);
    ck_assert_int_eq(e.kind, LIBRO_TRUST_CREDENTIAL);
    ck_assert_int_eq(e.type, LIBRO_CRED_ISSUER_AUTH);
    ck_assert_str_eq(e.subject_id, BOARD);
    ck_assert_str_eq(e.file, path);
    libro_trust_get(store, 2, &e); /* out of range: zeroed */
    ck_assert_ptr_null(e.subject_id);
    ck_assert_int_eq((int) e.kind, 0);

    /* Re-adding is a no-op; so is re-pinning the same anchor. */
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) auth.data, auth.len, &err), LIBRO_OK,
                      &err, NULL);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) anchor.data, anchor.len, NULL, NULL, &err),
        LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(libro_trust_count(store), 2);

    /* A reopened store sees the same. */
    reopen();
    ck_assert_uint_eq(libro_trust_count(store), 2);
    libro_trust_get(store, 0, &e);
    ck_assert_str_eq(e.subject_id, TOWN);
    ck_assert_int_eq(e.kind, LIBRO_TRUST_ANCHOR);
    libro_trust_get(store, 1, &e);
    ck_assert_str_eq(e.subject_id, BOARD);
    ck_assert_str_eq(e.file, path);

    libro_buf_free(&anchor);
    libro_buf_free(&auth);
    libro_buf_free(&hex);
}
END_TEST

START_TEST(test_store_renew_anchor)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust_entry e;

    add_anchor(
        charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 100 * DAY),
        k_town);
    /* A renewed self-charter for the same key replaces the pinned one. */
    add_anchor(
        charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 900 * DAY),
        k_town);
    ck_assert_uint_eq(libro_trust_count(store), 1);
    libro_trust_get(store, 0, &e);
    ck_assert_int_eq(e.valid_until, T0 + 900 * DAY);
    reopen();
    ck_assert_uint_eq(libro_trust_count(store), 1);
    libro_trust_get(store, 0, &e);
    ck_assert_int_eq(e.valid_until, T0 + 900 * DAY);
    (void) err;
}
END_TEST

START_TEST(test_store_remove)
{
    libro_error err = LIBRO_ERROR_INIT;
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    char file[512] = "";
    libro_trust_entry e;
    size_t removed = 99;
    size_t i;

    add_anchor(charter(REGION, REGION, "Region 1", 3, k_region, region_types, T0 - 2000 * DAY,
                       T0 + 5000 * DAY),
               k_region);
    add(charter(REGION, TOWN, "Town 7", 2, k_town, town_types, T0 - 1500 * DAY, T0 + 4000 * DAY),
        k_region);
    add(authorization(TOWN, k_board, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);
    add(authorization(TOWN, k_board, T0 - 900 * DAY, T0 + 2100 * DAY), k_town);
    ck_assert_uint_eq(libro_trust_count(store), 4);

    /* By subject id: both versions of the authorization. */
    for (i = 0; i < libro_trust_count(store); i++) {
        libro_trust_get(store, i, &e);
        if (strcmp(e.subject_id, BOARD) == 0) {
            ck_assert_int_gt(snprintf(file, sizeof file, "%s", e.file), 0);
        }
    }
    ck_assert_int_eq(access(file, F_OK), 0);
    LIBRO_ASSERT_CODE(libro_trust_remove(store, BOARD, &removed, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(removed, 2);
    ck_assert_uint_eq(libro_trust_count(store), 2);
    ck_assert_int_eq(access(file, F_OK), -1);
    ck_assert_uint_eq(count_subject(BOARD), 0);

    /* By key thumbprint: the region's anchor. */
    LIBRO_ASSERT_CODE(libro_key_thumbprint(tp, k_region, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_trust_remove(store, tp, NULL, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(libro_trust_count(store), 1);
    ck_assert_uint_eq(count_subject(REGION), 0);
    ck_assert_uint_eq(count_subject(TOWN), 1);

    /* Nothing left to match. */
    LIBRO_ASSERT_CODE(libro_trust_remove(store, "urn:libro:nobody", &removed, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no entry for urn:libro:nobody");
    ck_assert_uint_eq(removed, 0);
    LIBRO_ASSERT_CODE(libro_trust_remove(store, NULL, &removed, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);

    reopen();
    ck_assert_uint_eq(libro_trust_count(store), 1);
    ck_assert_uint_eq(count_subject(TOWN), 1);
}
END_TEST

START_TEST(test_store_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    char got_tp[LIBRO_THUMBPRINT_LEN + 1];
    char tp[LIBRO_THUMBPRINT_LEN + 1];

    /* Pinning with the wrong expected thumbprint. */
    sign(&tok,
         charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 5000 * DAY),
         k_town);
    LIBRO_ASSERT_CODE(libro_key_thumbprint(tp, k_other, &err), LIBRO_OK, &err, NULL);
    memcpy(got_tp, "junk", 5);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) tok.data, tok.len, tp, got_tp, &err),
        LIBRO_ERR_DENIED, &err, "expected");
    ck_assert_str_eq(got_tp, "");
    /* A self-charter is for add_anchor only. */
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) tok.data, tok.len, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "is an anchor");

    /* A charter of a child is not an anchor. */
    libro_buf_clear(&tok);
    sign(&tok,
         charter(REGION, TOWN, "Town 7", 2, k_town, town_types, T0 - 1500 * DAY, T0 + 4000 * DAY),
         k_region);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) tok.data, tok.len, NULL, NULL, &err),
        LIBRO_ERR_INVALID_ARG, &err, "self-chartered");

    /* A self-charter signed by another key (and its kid). */
    libro_buf_clear(&tok);
    forge(&tok,
          charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 5000 * DAY),
          k_other, k_other);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) tok.data, tok.len, NULL, NULL, &err),
        LIBRO_ERR_INVALID_ARG, &err, "signed by its own key");
    /* ... or by another key under its own kid. */
    libro_buf_clear(&tok);
    forge(&tok,
          charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 5000 * DAY),
          k_town, k_other);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) tok.data, tok.len, NULL, NULL, &err),
        LIBRO_ERR_BAD_SIGNATURE, &err, "anchor self-signature");

    /* An authorization is not an anchor; a license is neither. */
    libro_buf_clear(&tok);
    sign(&tok, authorization(TOWN, k_board, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);
    LIBRO_ASSERT_CODE(
        libro_trust_add_anchor(store, (const char *) tok.data, tok.len, NULL, NULL, &err),
        LIBRO_ERR_INVALID_ARG, &err, "(got IssuerAuthorization)");
    libro_buf_clear(&tok);
    sign(&tok, license(BOARD, TOWN, 2, T0, T0 + DAY), k_board);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) tok.data, tok.len, &err),
                      LIBRO_ERR_INVALID_ARG, &err,
                      "credential type ProfessionalLicense is not a charter or an authorization");

    /* Not a JWS, wrong typ, no kid. */
    LIBRO_ASSERT_CODE(libro_trust_add(store, "garbage", 7, &err), LIBRO_ERR_PARSE, &err,
                      "segments");
    libro_buf_clear(&tok);
    sign_raw(&tok, k_town, NULL, "vc+jwt", "{}");
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) tok.data, tok.len, &err),
                      LIBRO_ERR_PARSE, &err, "kid");
    libro_buf_clear(&tok);
    sign_raw(&tok, k_town, "urn:x#y", "JWT", "{}");
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) tok.data, tok.len, &err),
                      LIBRO_ERR_UNSUPPORTED, &err, "typ");
    LIBRO_ASSERT_CODE(libro_trust_add(NULL, "x", 1, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);

    /* Nothing of that was stored. */
    ck_assert_uint_eq(libro_trust_count(store), 0);
    reopen();
    ck_assert_uint_eq(libro_trust_count(store), 0);
    libro_buf_free(&tok);
}
END_TEST

static void
write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void
expect_open_fails(libro_code want, const char *part)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;

    LIBRO_ASSERT_CODE(libro_trust_open(&t, store_dir, &err), want, &err, part);
    ck_assert_ptr_null(t);
}

START_TEST(test_store_corrupt)
{
    libro_buf tok = LIBRO_BUF_INIT;
    char path[512];
    char big[LIBRO_MAX_TOKEN_BYTES + 2];

    add(authorization(TOWN, k_board, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);

    /* Garbage under a store name. */
    path_of(path, sizeof path, "credentials", "bad.jws");
    write_file(path, "not a jws", 9);
    expect_open_fails(LIBRO_ERR_PARSE, "credentials/bad.jws: jws: expected 3 segments");
    ck_assert_int_eq(unlink(path), 0);

    /* A good credential under the wrong name. */
    sign(&tok, authorization(TOWN, k_board, T0 - 900 * DAY, T0 + 2000 * DAY), k_town);
    path_of(path, sizeof path, "credentials", "0000.jws");
    write_file(path, (const char *) tok.data, tok.len);
    expect_open_fails(LIBRO_ERR_PARSE, "0000.jws: name does not match contents");
    ck_assert_int_eq(unlink(path), 0);

    /* A symbolic link. */
    path_of(path, sizeof path, "anchors", "link.jws");
    ck_assert_int_eq(symlink("/etc/passwd", path), 0);
    expect_open_fails(LIBRO_ERR_DENIED, "anchors/link.jws: is a symbolic link");
    ck_assert_int_eq(unlink(path), 0);

    /* A FIFO must not block the open. */
    path_of(path, sizeof path, "anchors", "fifo.jws");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    expect_open_fails(LIBRO_ERR_IO, "fifo.jws: not a regular file");
    ck_assert_int_eq(unlink(path), 0);

    /* Larger than a token may be. */
    memset(big, 'A', sizeof big);
    path_of(path, sizeof path, "credentials", "big.jws");
    write_file(path, big, sizeof big);
    expect_open_fails(LIBRO_ERR_LIMIT, "big.jws: larger than 16384 bytes");
    ck_assert_int_eq(unlink(path), 0);

    /* An authorization put among the anchors. */
    path_of(path, sizeof path, "anchors", "x.jws");
    write_file(path, (const char *) tok.data, tok.len);
    expect_open_fails(LIBRO_ERR_INVALID_ARG, "anchors/x.jws: an anchor must be");
    ck_assert_int_eq(unlink(path), 0);

    /* Ignored: other names, hidden files, leftovers of an interrupted write. */
    path_of(path, sizeof path, "credentials", "README");
    write_file(path, "x", 1);
    path_of(path, sizeof path, "credentials", ".hidden.jws");
    write_file(path, "x", 1);
    path_of(path, sizeof path, "credentials", "abc.jws.tmp-0011223344556677");
    write_file(path, "x", 1);
    reopen();
    ck_assert_uint_eq(libro_trust_count(store), 1);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_store_permissions)
{
    char path[512];

    ck_assert_int_eq(chmod(store_dir, 0777), 0);
    expect_open_fails(LIBRO_ERR_DENIED, "writable by group or others");
    ck_assert_int_eq(chmod(store_dir, 0755), 0);
    reopen();
    path_of(path, sizeof path, "credentials", "");
    ck_assert_int_eq(chmod(path, 0770), 0);
    expect_open_fails(LIBRO_ERR_DENIED, "credentials: writable by group or others");
    ck_assert_int_eq(chmod(path, 0700), 0);
    reopen();
}
END_TEST

START_TEST(test_default_dir)
{
    static const struct {
        const char *xdg; /* NULL: unset */
        const char *home;
        libro_code want;
        const char *dir;
    } cases[] = {
        {"/x/data", "/home/a", LIBRO_OK, "/x/data/libro"},
        {NULL, "/home/a", LIBRO_OK, "/home/a/.local/share/libro"},
        {"", "/home/a", LIBRO_OK, "/home/a/.local/share/libro"},
        {"relative", "/home/a", LIBRO_OK, "/home/a/.local/share/libro"},
        {NULL, NULL, LIBRO_ERR_NOT_FOUND, NULL},
        {NULL, "rel", LIBRO_ERR_NOT_FOUND, NULL},
    };
    char *saved_xdg = getenv("XDG_DATA_HOME") != NULL ? sdup(getenv("XDG_DATA_HOME")) : NULL;
    char *saved_home = getenv("HOME") != NULL ? sdup(getenv("HOME")) : NULL;
    size_t i;

    for (i = 0; i < LIBRO_NELEM(cases); i++) {
        libro_error err = LIBRO_ERROR_INIT;
        libro_buf b = LIBRO_BUF_INIT;

        if (cases[i].xdg != NULL) {
            ck_assert_int_eq(setenv("XDG_DATA_HOME", cases[i].xdg, 1), 0);
        } else {
            ck_assert_int_eq(unsetenv("XDG_DATA_HOME"), 0);
        }
        if (cases[i].home != NULL) {
            ck_assert_int_eq(setenv("HOME", cases[i].home, 1), 0);
        } else {
            ck_assert_int_eq(unsetenv("HOME"), 0);
        }
        LIBRO_ASSERT_CODE(libro_trust_default_dir(&b, &err), cases[i].want, &err, NULL);
        if (cases[i].dir != NULL) {
            ck_assert_str_eq((const char *) b.data, cases[i].dir);
        }
        libro_buf_free(&b);
    }
    if (saved_xdg != NULL) {
        ck_assert_int_eq(setenv("XDG_DATA_HOME", saved_xdg, 1), 0);
    } else {
        ck_assert_int_eq(unsetenv("XDG_DATA_HOME"), 0);
    }
    if (saved_home != NULL) {
        ck_assert_int_eq(setenv("HOME", saved_home, 1), 0);
    } else {
        ck_assert_int_eq(unsetenv("HOME"), 0);
    }
    libro_free(saved_xdg);
    libro_free(saved_home);
}
END_TEST

/* The store built once, verified from several threads would race on nothing: verification
 * only reads it. Here: the same store answers twice, identically. */
START_TEST(test_verify_is_repeatable)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_verification *a;
    libro_verification *b;

    default_store(&tok);
    a = verify_at(&tok, T0 + 10 * DAY);
    b = verify_at(&tok, T0 + 10 * DAY);
    ck_assert_int_eq(a->outcome, b->outcome);
    ck_assert_uint_eq(a->n_chain, b->n_chain);
    libro_verification_free(a);
    libro_verification_free(b);
    libro_buf_free(&tok);
}
END_TEST

/* ---- status (docs/credentials.md, "Status from cached lists") -------------------------------- */

#define REGISTRY "urn:libro:town-7:registry"
#define URL_REV "https://registry.town-7.example/v1/status/0/revocation"
#define URL_SUS "https://registry.town-7.example/v1/status/0/suspension"
#define URL_MSG "https://registry.town-7.example/v1/status/0/message"

/* A status scenario: the default chain (or the deep one), a license with credentialStatus, a
 * RegistryAuthorization for k_reg and the two lists it signs, each tweakable. */
struct sts {
    bool deep;
    bool regauth_forged;    /* the registry authorization signed by k_other with the town's kid */
    bool regauth_by_region; /* deep, and the registry authorized by the region, not the town */
    bool no_sus_list;
    bool remove_regauth; /* lists added, then the registry authorization removed */
    bool swap_purpose;   /* the revocation URL serves a suspension list */
    bool forged_file;    /* the revocation list written to status/ with a broken signature */
    bool revoked;
    bool suspended;
    /* The third entry, the status words: the license names URL_MSG, whose list says `word`. */
    bool words;
    bool no_msg_list;       /* ... but that list is not in the store */
    bool msg_by_other;      /* ... signed by k_other, a key no registry authorization names */
    bool msg_wrong_purpose; /* ... a revocation list at URL_MSG */
    libro_status_word word;
    uint32_t index;
    int64_t list_from;
    int64_t list_until;
    int64_t now;
    int64_t max_age;
    bool at; /* `now` is a moment asked about (libro verify --at), not the clock */
    const char *status_registry; /* the authorization's statusRegistry, or NULL */
};

static void
sts_init(struct sts *st)
{
    memset(st, 0, sizeof *st);
    st->index = 94567;
    st->now = T0 + 10 * DAY;
    st->list_from = st->now - 3 * 3600;
    st->list_until = st->list_from + 7 * DAY;
    st->max_age = 7 * DAY;
}

/* Sign a list of `url` for `purpose` with `k`, its status at `index` `value` (a bit, or a
 * message list's word), valid from `from` and `millis` milliseconds. */
static void
sign_list_ms(libro_buf *out, const char *url, libro_status_purpose purpose, uint32_t index,
             unsigned value, int64_t from, unsigned millis, int64_t until, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_status_list l;

    memset(&l, 0, sizeof l);
    l.id = sdup(url);
    l.issuer = sdup(REGISTRY);
    l.valid_from = from;
    l.valid_from_millis = millis;
    l.valid_until = until;
    l.purpose = purpose;
    LIBRO_ASSERT_CODE(libro_bitstring_new(&l.bits,
                                          (size_t) LIBRO_STATUS_LIST_MIN_ENTRIES *
                                              libro_status_purpose_size(purpose),
                                          &err),
                      LIBRO_OK, &err, NULL);
    libro_bitstring_set_value(&l.bits, index, libro_status_purpose_size(purpose), value);
    LIBRO_ASSERT_CODE(libro_status_list_sign(out, &l, k, &err), LIBRO_OK, &err, NULL);
    libro_status_list_free(&l);
}

static void
sign_list(libro_buf *out, const char *url, libro_status_purpose purpose, uint32_t index,
          unsigned value, int64_t from, int64_t until, const libro_key *k)
{
    sign_list_ms(out, url, purpose, index, value, from, 0, until, k);
}

static libro_credential *
registry_auth(const char *community, const libro_key *k, int64_t from, int64_t until)
{
    libro_credential *c = cred(LIBRO_CRED_REGISTRY_AUTH, community, from, until);

    c->subject_id = sdup(REGISTRY);
    c->name = sdup("Town 7 Registry");
    c->subject_key = pub(k);
    return c;
}

static void
file_for_list(char *out, size_t cap, const char *url)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char digest[32];
    libro_buf hex = LIBRO_BUF_INIT;
    int n;

    LIBRO_ASSERT_CODE(libro_sha256(digest, url, strlen(url), &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_hex_encode(&hex, digest, sizeof digest, &err), LIBRO_OK, &err, NULL);
    n = snprintf(out, cap, "%s/status/%s.jws", store_dir, (const char *) hex.data);
    ck_assert(n > 0 && (size_t) n < cap);
    libro_buf_free(&hex);
}

static libro_verification *
sts_run(const struct sts *st)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(st->now);
    libro_key *k_reg = NULL;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf b = LIBRO_BUF_INIT;
    const libro_key *community_key = st->regauth_by_region ? k_region : k_town;
    const char *community = st->regauth_by_region ? REGION : TOWN;
    libro_verification *v;
    struct scen s;
    char path[512];

    gen(&k_reg, LIBRO_ALG_ED25519);
    scen_init(&s);
    s.deep = st->deep || st->regauth_by_region;
    s.lic->has_status = true;
    s.lic->status_index = st->index;
    s.lic->status_revocation_list = sdup(URL_REV);
    s.lic->status_suspension_list = sdup(URL_SUS);
    if (st->words) {
        s.lic->status_message_list = sdup(URL_MSG);
    }
    if (st->status_registry != NULL) {
        set(&s.auth->status_registry, st->status_registry);
    }
    scen_build(&s, &tok);
    if (st->regauth_forged) {
        forge(&b, registry_auth(community, k_reg, T0 - 1000 * DAY, T0 + 2000 * DAY), community_key,
              k_other);
        add_token(&b);
    } else {
        add(registry_auth(community, k_reg, T0 - 1000 * DAY, T0 + 2000 * DAY), community_key);
    }
    libro_buf_clear(&b);
    sign_list(&b, URL_REV, st->swap_purpose ? LIBRO_STATUS_SUSPENSION : LIBRO_STATUS_REVOCATION,
              st->index, st->revoked ? 1u : 0u, st->list_from, st->list_until, k_reg);
    if (st->forged_file) {
        b.data[b.len - 2] = b.data[b.len - 2] == 'A' ? 'B' : 'A'; /* the signature's last byte */
        file_for_list(path, sizeof path, URL_REV);
        LIBRO_ASSERT_CODE(libro_file_write_atomic(path, b.data, b.len, 0644, &err), LIBRO_OK, &err,
                          NULL);
        reopen();
    } else {
        add_token(&b);
    }
    if (!st->no_sus_list) {
        libro_buf_clear(&b);
        sign_list(&b, URL_SUS, LIBRO_STATUS_SUSPENSION, st->index, st->suspended ? 1u : 0u,
                  st->list_from, st->list_until, k_reg);
        add_token(&b);
    }
    if (st->words && !st->no_msg_list) {
        libro_buf_clear(&b);
        sign_list(&b, URL_MSG,
                  st->msg_wrong_purpose ? LIBRO_STATUS_REVOCATION : LIBRO_STATUS_MESSAGE, st->index,
                  st->msg_wrong_purpose ? 1u : (unsigned) st->word, st->list_from, st->list_until,
                  st->msg_by_other ? k_other : k_reg);
        if (st->msg_by_other) {
            /* Not addable (no registry key for it): written where the store keeps lists. */
            file_for_list(path, sizeof path, URL_MSG);
            LIBRO_ASSERT_CODE(libro_file_write_atomic(path, b.data, b.len, 0644, &err), LIBRO_OK,
                              &err, NULL);
            reopen();
        } else {
            add_token(&b);
        }
    }
    if (st->remove_regauth) {
        LIBRO_ASSERT_CODE(libro_trust_remove(store, REGISTRY, NULL, &err), LIBRO_OK, &err, NULL);
    }
    opt.max_status_age = st->max_age;
    opt.at = st->at;
    v = verify_opt(&tok, &opt);
    libro_buf_free(&b);
    libro_buf_free(&tok);
    libro_key_free(k_reg);
    return v;
}

static void
st_none(struct sts *st)
{
    (void) st;
}
static void
st_revoked(struct sts *st)
{
    st->revoked = true;
}
static void
st_suspended(struct sts *st)
{
    st->suspended = true;
}
static void
st_revoked_and_suspended(struct sts *st)
{
    st->revoked = true;
    st->suspended = true;
}
static void
st_regauth_forged(struct sts *st)
{
    st->regauth_forged = true;
    st->revoked = true; /* a forged list must not make it look revoked either */
}
static void
st_regauth_by_region(struct sts *st)
{
    st->regauth_by_region = true;
    st->revoked = true;
}
static void
st_no_regauth(struct sts *st)
{
    st->remove_regauth = true;
}
static void
st_forged_file(struct sts *st)
{
    st->forged_file = true;
    st->revoked = true;
}
static void
st_swap_purpose(struct sts *st)
{
    st->swap_purpose = true;
}
static void
st_missing(struct sts *st)
{
    st->no_sus_list = true;
}
static void
st_expired(struct sts *st)
{
    st->now = st->list_until + 301;
    st->max_age = 30 * DAY;
}
static void
st_expired_in_skew(struct sts *st)
{
    st->now = st->list_until + 300;
    st->max_age = 30 * DAY;
}
/* Asked about a moment before the list (--at): at the clock, the store having seen the list
 * would refuse the clock instead (test_clock_set_back). */
static void
st_not_yet(struct sts *st)
{
    st->list_from = st->now + 301;
    st->list_until = st->list_from + 7 * DAY;
    st->at = true;
}
static void
st_old_warn(struct sts *st)
{
    st->list_from = st->now - 30 * 3600;
}
static void
st_day_no_warn(struct sts *st)
{
    st->list_from = st->now - 24 * 3600;
}
static void
st_too_old(struct sts *st)
{
    st->list_from = st->now - 8 * DAY;
    st->list_until = st->now + DAY;
}
static void
st_too_old_edge(struct sts *st)
{
    st->list_from = st->now - 7 * DAY - 1;
    st->list_until = st->now + DAY;
}
static void
st_max_age_edge(struct sts *st)
{
    st->list_from = st->now - 7 * DAY;
    st->list_until = st->now + DAY;
}
static void
st_too_old_hours(struct sts *st)
{
    st->max_age = 3600;
}
static void
st_too_old_suspended(struct sts *st)
{
    st_too_old(st);
    st->suspended = true;
}
static void
st_too_old_revoked(struct sts *st)
{
    st_too_old(st);
    st->revoked = true;
}
static void
st_out_of_range(struct sts *st)
{
    st->index = LIBRO_STATUS_LIST_MIN_ENTRIES;
}
static void
st_last_index(struct sts *st)
{
    st->index = LIBRO_STATUS_LIST_MIN_ENTRIES - 1;
    st->revoked = true;
}
static void
st_outside_regauth(struct sts *st)
{
    st->list_until = T0 + 2000 * DAY + 1;
}

static void
st_surrendered(struct sts *st)
{
    st->revoked = true; /* the registry sets both on a surrender */
    st->words = true;
    st->word = LIBRO_WORD_SURRENDERED;
}
static void
st_revoked_word_active(struct sts *st)
{
    st->revoked = true;
    st->words = true;
}
static void
st_words_valid(struct sts *st)
{
    st->words = true;
}
static void
st_surrendered_no_msg_list(struct sts *st)
{
    st_surrendered(st);
    st->no_msg_list = true;
}
static void
st_surrendered_msg_by_other(struct sts *st)
{
    st_surrendered(st);
    st->msg_by_other = true;
}
static void
st_surrendered_msg_wrong_purpose(struct sts *st)
{
    st_surrendered(st);
    st->msg_wrong_purpose = true;
}
static void
st_surrendered_too_old(struct sts *st)
{
    st_too_old(st);
    st_surrendered(st);
}
static void
st_surrendered_msg_expired(struct sts *st)
{
    st_surrendered(st);
    st_expired(st);
}

/* Under an authorization that requires this registry's entries, a license that has them
 * verifies as under one that does not. */
static void
st_reg_required(struct sts *st)
{
    st->status_registry = "https://registry.town-7.example";
}
static void
st_reg_required_revoked(struct sts *st)
{
    st_reg_required(st);
    st->revoked = true;
}
static void
st_reg_required_words(struct sts *st)
{
    st_reg_required(st);
    st->words = true;
}

static const struct {
    const char *name;
    void (*tweak)(struct sts *st);
    libro_outcome want;
    const char *reason;
    bool checked;
} status_cases[] = {
    {"surrendered", st_surrendered, LIBRO_SURRENDERED,
     "license surrendered by its holder (message list of 2026-01-10T21:00:00Z)", true},
    {"revoked, word active: revoked", st_revoked_word_active, LIBRO_REVOKED,
     "license revoked (revocation list of 2026-01-10T21:00:00Z)", true},
    {"three entries, nothing set", st_words_valid, LIBRO_VALID, NULL, true},
    {"surrendered, message list missing: revoked", st_surrendered_no_msg_list, LIBRO_REVOKED,
     "license revoked (revocation list of 2026-01-10T21:00:00Z); word unknown: no status list "
     "cached for " URL_MSG,
     true},
    {"surrendered, message list by an unknown key: revoked", st_surrendered_msg_by_other,
     LIBRO_REVOKED, "; word unknown: status list " URL_MSG ": no registry authorization for", true},
    {"surrendered, a revocation list at the message URL: revoked", st_surrendered_msg_wrong_purpose,
     LIBRO_REVOKED,
     "; word unknown: status list " URL_MSG " is a revocation list, not a message list", true},
    {"surrendered, 8 days old: surrendered is final", st_surrendered_too_old, LIBRO_SURRENDERED,
     "license surrendered by its holder", true},
    {"surrendered, lists expired: unknown", st_surrendered_msg_expired, LIBRO_STATUS_UNKNOWN,
     "status list " URL_REV " expired", false},
    {"not revoked, not suspended", st_none, LIBRO_VALID, NULL, true},
    {"registry required, its lists", st_reg_required, LIBRO_VALID, NULL, true},
    {"registry required, its three lists", st_reg_required_words, LIBRO_VALID, NULL, true},
    {"registry required, revoked", st_reg_required_revoked, LIBRO_REVOKED,
     "license revoked (revocation list of 2026-01-10T21:00:00Z)", true},
    {"revoked", st_revoked, LIBRO_REVOKED,
     "license revoked (revocation list of 2026-01-10T21:00:00Z)", true},
    {"suspended", st_suspended, LIBRO_SUSPENDED,
     "license suspended (suspension list of 2026-01-10T21:00:00Z)", true},
    {"revoked and suspended: revoked", st_revoked_and_suspended, LIBRO_REVOKED, "revoked", true},
    {"registry authorization forged", st_regauth_forged, LIBRO_STATUS_UNKNOWN,
     "status list " URL_REV ": registry authorization for " REGISTRY
     ": jws: signature does not verify",
     false},
    {"registry of another community", st_regauth_by_region, LIBRO_STATUS_UNKNOWN,
     "registry authorization for " REGISTRY " was issued by " REGION ", not by " TOWN, false},
    {"registry authorization removed", st_no_regauth, LIBRO_STATUS_UNKNOWN,
     "status list " URL_REV ": no registry authorization for " REGISTRY "#", false},
    {"list file with a bad signature", st_forged_file, LIBRO_STATUS_UNKNOWN,
     "status list " URL_REV ": jws: signature does not verify", false},
    {"a suspension list at the revocation URL", st_swap_purpose, LIBRO_STATUS_UNKNOWN,
     "status list " URL_REV " is a suspension list, not a revocation list", false},
    {"suspension list missing", st_missing, LIBRO_STATUS_UNKNOWN,
     "no status list cached for " URL_SUS
     ": run libro sync https://registry.town-7.example, then verify again",
     false},
    {"list expired", st_expired, LIBRO_STATUS_UNKNOWN,
     "status list " URL_REV " expired 2026-01-17T21:00:00Z: run libro sync "
     "https://registry.town-7.example, then verify again",
     false},
    {"list expired within skew", st_expired_in_skew, LIBRO_VALID, NULL, true},
    {"list not yet valid", st_not_yet, LIBRO_STATUS_UNKNOWN, "is not valid before", false},
    {"list 30 hours old: warning", st_old_warn, LIBRO_VALID, NULL, true},
    {"list 24 hours old: no warning", st_day_no_warn, LIBRO_VALID, NULL, true},
    {"list 8 days old", st_too_old, LIBRO_STATUS_UNKNOWN,
     "status data is 8 days old (maximum 7): run libro sync https://registry.town-7.example, "
     "then verify again",
     true},
    {"list 7 days and 1 s old", st_too_old_edge, LIBRO_STATUS_UNKNOWN,
     "status data is 7.1 days old (maximum 7)", true},
    {"list exactly 7 days old", st_max_age_edge, LIBRO_VALID, NULL, true},
    {"max_status_age 3600", st_too_old_hours, LIBRO_STATUS_UNKNOWN,
     "status data is 3 hours old (maximum 1 hours)", true},
    {"too old and suspended: unknown", st_too_old_suspended, LIBRO_STATUS_UNKNOWN,
     "status data is 8 days old", true},
    {"too old and revoked: revoked is final", st_too_old_revoked, LIBRO_REVOKED, "revoked", true},
    {"index out of range", st_out_of_range, LIBRO_STATUS_UNKNOWN,
     "status list " URL_REV ": index 131072 outside its 131072 entries", false},
    {"last index", st_last_index, LIBRO_REVOKED, "revoked", true},
    {"list outside its registry authorization", st_outside_regauth, LIBRO_STATUS_UNKNOWN,
     "status list (2026-01-10T21:00:00Z..2031-06-24T00:00:01Z) lies outside the registry "
     "authorization for " REGISTRY,
     false},
};

START_TEST(test_status)
{
    struct sts st;
    libro_verification *v;

    sts_init(&st);
    status_cases[_i].tweak(&st);
    v = sts_run(&st);
    ck_assert_msg(v->outcome == status_cases[_i].want, "%s: got %s (%s)", status_cases[_i].name,
                  libro_outcome_name(v->outcome), v->reason);
    if (status_cases[_i].reason != NULL) {
        ck_assert_msg(strstr(v->reason, status_cases[_i].reason) != NULL,
                      "%s: reason \"%s\" lacks \"%s\"", status_cases[_i].name, v->reason,
                      status_cases[_i].reason);
    } else {
        ck_assert_str_eq(v->reason, "");
    }
    ck_assert_msg(v->status_checked == status_cases[_i].checked, "%s: status_checked %d",
                  status_cases[_i].name, v->status_checked);
    /* The license's own verdict was reached first: its chain is complete. */
    ck_assert_uint_eq(v->n_chain, st.deep || st.regauth_by_region ? 4 : 3);
    if (v->status_checked) {
        ck_assert(v->revoked == (v->outcome == LIBRO_REVOKED || v->outcome == LIBRO_SURRENDERED));
        ck_assert(v->word_checked == (st.words && st.revoked && !st.no_msg_list &&
                                      !st.msg_by_other && !st.msg_wrong_purpose));
        ck_assert_uint_eq(v->word, v->word_checked ? (unsigned) st.word : 0u);
        ck_assert(v->suspended == (st.suspended && !st.revoked));
        ck_assert_int_eq(v->status_from, st.list_from);
        ck_assert_int_eq(v->status_age, st.now > st.list_from ? st.now - st.list_from : 0);
    } else {
        ck_assert(!v->revoked && !v->suspended);
    }
    if (status_cases[_i].tweak == st_old_warn) {
        ck_assert_str_eq(v->warning, "status data is 30 hours old (more than 24): run libro sync "
                                     "https://registry.town-7.example");
    } else if (v->outcome == LIBRO_VALID && v->status_age > DAY) {
        ck_assert_ptr_nonnull(strstr(v->warning, "status data is"));
    } else {
        ck_assert_str_eq(v->warning, "");
    }
    libro_verification_free(v);
}
END_TEST

/* The OOM loop of test_verify_oom through step 6: every failure is LIBRO_ERR_NOMEM, never a
 * false verdict (a list that could not be read for want of memory is not STATUS UNKNOWN). */
START_TEST(test_status_oom)
{
    struct sts st;
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt;
    libro_verification *v;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_ERR_NOMEM;
    unsigned long n;

    sts_init(&st);
    st.suspended = true;
    v = sts_run(&st); /* builds the store; the license is signed again below */
    ck_assert_int_eq(v->outcome, LIBRO_SUSPENDED);
    libro_verification_free(v);
    v = NULL;
    {
        struct scen s;

        scen_init(&s);
        s.lic->has_status = true;
        s.lic->status_index = st.index;
        s.lic->status_revocation_list = sdup(URL_REV);
        s.lic->status_suspension_list = sdup(URL_SUS);
        sign(&tok, s.lic, k_board);
        s.lic = NULL;
        scen_free_rest(&s);
    }
    opt = (libro_verify_options) LIBRO_VERIFY_OPTIONS_INIT(st.now);
    for (n = 1; n < 20000 && rc != LIBRO_OK; n++) {
        reopen(); /* an empty memo each time, so the stored signatures are checked again */
        libro__alloc_fail_after(n);
        rc = libro_verify_license(&v, store, (const char *) tok.data, tok.len, &opt, &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, NULL);
            ck_assert_ptr_null(v);
        } else {
            ck_assert_msg(v->outcome == LIBRO_SUSPENDED, "allocation %lu: verdict %s (%s)", n,
                          libro_outcome_name(v->outcome), v->reason);
        }
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    libro_verification_free(v);
    libro_buf_free(&tok);
}
END_TEST

/* ---- the memo of status lists and registry walks ----------------------------------------- */

/* Sign a list of `url` (see sign_list) and add it to the store, as a sync does. */
static void
put_list(const char *url, libro_status_purpose purpose, uint32_t index, unsigned value,
         int64_t from, int64_t until, const libro_key *k)
{
    libro_buf b = LIBRO_BUF_INIT;

    sign_list(&b, url, purpose, index, value, from, until, k);
    add_token(&b);
    libro_buf_free(&b);
}

/* The verdict on `tok` at `now` (default options), its outcome `want` and its reason holding
 * `part` (NULL: empty). */
static void
expect_at(const libro_buf *tok, int64_t now, libro_outcome want, const char *part, const char *name)
{
    libro_verification *v = verify_at(tok, now);

    ck_assert_msg(v->outcome == want, "%s: got %s (%s), want %s", name,
                  libro_outcome_name(v->outcome), v->reason, libro_outcome_name(want));
    if (part == NULL) {
        ck_assert_msg(v->reason[0] == '\0', "%s: reason \"%s\"", name, v->reason);
    } else {
        ck_assert_msg(strstr(v->reason, part) != NULL, "%s: reason \"%s\" lacks \"%s\"", name,
                      v->reason, part);
    }
    libro_verification_free(v);
}

/* A license with both lists, signed into `tok`; the registry authorized by the town until
 * `reg_until`, its key in *k_reg. */
static void
status_store(libro_buf *tok, libro_key **k_reg, uint32_t index, int64_t reg_until)
{
    struct scen s;

    gen(k_reg, LIBRO_ALG_ED25519);
    scen_init(&s);
    s.lic->has_status = true;
    s.lic->status_index = index;
    s.lic->status_revocation_list = sdup(URL_REV);
    s.lic->status_suspension_list = sdup(URL_SUS);
    scen_build(&s, tok);
    add(registry_auth(TOWN, *k_reg, T0 - 1000 * DAY, reg_until), k_town);
}

/* Lists are verified and decoded once per change of the store, and the registry's chain walk
 * kept for the time range where it answers the same: each change of the store is seen by the
 * next verification (a list replaced by a newer one, as a sync stores it; the registry's
 * authorization removed), and what depends on the time (the lists' windows, the
 * authorization's) is asked again at each verification's time. */
START_TEST(test_status_memo_invalidated)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k_reg = NULL;
    libro_buf tok = LIBRO_BUF_INIT;
    const uint32_t index = 4242;
    const int64_t now = T0 + 10 * DAY;
    const int64_t from = now - 3 * 3600;

    status_store(&tok, &k_reg, index, now + 30 * DAY);
    put_list(URL_REV, LIBRO_STATUS_REVOCATION, index, 0, from, from + 7 * DAY, k_reg);
    put_list(URL_SUS, LIBRO_STATUS_SUSPENSION, index, 0, from, from + 7 * DAY, k_reg);
    expect_at(&tok, now, LIBRO_VALID, NULL, "first");
    expect_at(&tok, now, LIBRO_VALID, NULL, "again, from the memo");

    /* A newer suspension list with the license's bit set replaces the one the memo holds. */
    put_list(URL_SUS, LIBRO_STATUS_SUSPENSION, index, 1, from + 3600, from + 7 * DAY, k_reg);
    expect_at(&tok, now, LIBRO_SUSPENDED, "license suspended (suspension list of", "suspended");

    /* Lifted, then revoked: each list newer again. */
    put_list(URL_SUS, LIBRO_STATUS_SUSPENSION, index, 0, from + 7200, from + 7 * DAY, k_reg);
    expect_at(&tok, now, LIBRO_VALID, NULL, "lifted");
    put_list(URL_REV, LIBRO_STATUS_REVOCATION, index, 1, from + 7200, from + 7 * DAY, k_reg);
    expect_at(&tok, now, LIBRO_REVOKED, "license revoked (revocation list of 2026-01-10T23:00:00Z)",
              "revoked");

    /* The lists' windows at each verification's time: past the list's validUntil. */
    expect_at(&tok, from + 8 * DAY, LIBRO_STATUS_UNKNOWN,
              "status list " URL_REV " expired 2026-01-17T21:00:00Z", "list expired");
    /* The registry's authorization ended at now + 30 days: the walk kept for `now` does not
     * answer for a time past it ... */
    expect_at(&tok, now + 31 * DAY, LIBRO_STATUS_UNKNOWN,
              "status list " URL_REV ": registry authorization for " REGISTRY
              " expired 2026-02-10T00:00:00Z",
              "registry authorization expired");
    /* ... and the one for the later time does not answer for `now`. */
    expect_at(&tok, now, LIBRO_REVOKED, "license revoked", "revoked again");

    /* The registry's authorization removed: nothing the memo verified with its key stays. */
    LIBRO_ASSERT_CODE(libro_trust_remove(store, REGISTRY, NULL, &err), LIBRO_OK, &err, NULL);
    expect_at(&tok, now, LIBRO_STATUS_UNKNOWN,
              "status list " URL_REV ": no registry authorization for " REGISTRY "#",
              "registry removed");

    libro_buf_free(&tok);
    libro_key_free(k_reg);
}
END_TEST

/* The verdict on doc[0..len) by libro_verify_document at `now`. */
static libro_verification *
verify_doc_at(const char *doc, size_t len, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(now);
    libro_verification *v = NULL;

    LIBRO_ASSERT_CODE(libro_verify_document(&v, store, doc, len, &opt, &err), LIBRO_OK, &err, NULL);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* LB2 and LB1 text given to libro_verify_document is decoded straight into the parsed JWS:
 * the same verdicts, reasons and chains as its compact JWS through libro_verify_license (a
 * valid license, its status, a refusal that reads the token again), and LB text that does
 * not decode is INVALID with the transport's reason. */
START_TEST(test_lb_text)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k_reg = NULL;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf other = LIBRO_BUF_INIT;
    const int64_t now = T0 + 10 * DAY;
    const libro_buf *toks[2] = {&tok, &other};
    static const libro_lb_format formats[] = {LIBRO_LB2, LIBRO_LB1};

    status_store(&tok, &k_reg, 9, now + 30 * DAY);
    put_list(URL_REV, LIBRO_STATUS_REVOCATION, 9, 1, now - 3600, now + DAY, k_reg);
    put_list(URL_SUS, LIBRO_STATUS_SUSPENSION, 9, 0, now - 3600, now + DAY, k_reg);
    /* A license whose kid names no key in the store. */
    {
        struct scen s;

        scen_init(&s);
        sign(&other, s.lic, k_other);
        s.lic = NULL;
        scen_free_rest(&s);
    }
    for (size_t i = 0; i < LIBRO_NELEM(toks); i++) {
        libro_verification *want = verify_at(toks[i], now);

        for (size_t f = 0; f < LIBRO_NELEM(formats); f++) {
            libro_buf text = LIBRO_BUF_INIT;
            libro_verification *got;

            LIBRO_ASSERT_CODE(libro_lb1_encode_format(&text, formats[f],
                                                      (const char *) toks[i]->data, toks[i]->len,
                                                      &err),
                              LIBRO_OK, &err, NULL);
            LIBRO_ASSERT_CODE(libro_buf_append(&text, "\n", 1, &err), LIBRO_OK, &err, NULL);
            got = verify_doc_at((const char *) text.data, text.len, now);
            ck_assert_int_eq(got->outcome, want->outcome);
            ck_assert_str_eq(got->reason, want->reason);
            ck_assert_uint_eq(got->n_chain, want->n_chain);
            ck_assert(got->status_checked == want->status_checked);
            ck_assert(got->revoked == want->revoked);
            libro_verification_free(got);
            libro_buf_free(&text);
        }
        ck_assert_int_eq(want->outcome, i == 0 ? LIBRO_REVOKED : LIBRO_UNTRUSTED);
        libro_verification_free(want);
    }
    {
        static const char broken[] = "LB2:%%%%";
        libro_verification *v = verify_doc_at(broken, sizeof broken - 1, now);

        ck_assert_int_eq(v->outcome, LIBRO_INVALID);
        ck_assert_msg(strncmp(v->reason, "lb2: ", 5) == 0, "reason \"%s\"", v->reason);
        libro_verification_free(v);
    }
    libro_buf_free(&tok);
    libro_buf_free(&other);
    libro_key_free(k_reg);
}
END_TEST

struct verify_thread {
    const libro_buf *tok;
    int64_t now;
    int valid; /* verdicts VALID with the status read */
};

static void *
verify_many(void *p)
{
    struct verify_thread *vt = p;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(vt->now);

    for (int i = 0; i < 40; i++) {
        libro_verification *v = NULL;

        if (libro_verify_license(&v, store, (const char *) vt->tok->data, vt->tok->len, &opt,
                                 NULL) == LIBRO_OK &&
            v->outcome == LIBRO_VALID && v->status_checked) {
            vt->valid++;
        }
        libro_verification_free(v);
    }
    return NULL;
}

/* One store verified from several threads at once, its memo empty at the start: every thread
 * fills or reads it under its lock and gets the same verdict (run under the sanitizers too). */
START_TEST(test_status_memo_threads)
{
    libro_key *k_reg = NULL;
    libro_buf tok = LIBRO_BUF_INIT;
    pthread_t th[4];
    struct verify_thread vt[4];
    const int64_t now = T0 + 10 * DAY;

    status_store(&tok, &k_reg, 7, now + 30 * DAY);
    put_list(URL_REV, LIBRO_STATUS_REVOCATION, 8, 1, now - 3600, now + DAY, k_reg);
    put_list(URL_SUS, LIBRO_STATUS_SUSPENSION, 8, 1, now - 3600, now + DAY, k_reg);
    reopen(); /* an empty memo */
    for (size_t i = 0; i < LIBRO_NELEM(th); i++) {
        vt[i].tok = &tok;
        vt[i].now = now + (int64_t) i; /* walks kept for one time, read for another */
        vt[i].valid = 0;
        ck_assert_int_eq(pthread_create(&th[i], NULL, verify_many, &vt[i]), 0);
    }
    for (size_t i = 0; i < LIBRO_NELEM(th); i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(vt[i].valid, 40);
    }
    libro_buf_free(&tok);
    libro_key_free(k_reg);
}
END_TEST

/* A license that expired is EXPIRED, whatever its revocation and suspension lists would say;
 * its message list may say LAPSED (not renewed within the grace period) or SURRENDERED. */
static const struct {
    const char *name;
    bool words;
    bool no_msg_list;
    libro_status_word word;
    libro_outcome want;
    const char *reason;
} after_dates[] = {
    {"two entries", false, false, LIBRO_WORD_ACTIVE, LIBRO_EXPIRED, "license expired"},
    {"word active", true, false, LIBRO_WORD_ACTIVE, LIBRO_EXPIRED, "license expired"},
    {"lapsed", true, false, LIBRO_WORD_LAPSED, LIBRO_LAPSED,
     "license lapsed: not renewed within its grace period (message list of "
     "2029-01-01T23:00:00Z)"},
    {"surrendered", true, false, LIBRO_WORD_SURRENDERED, LIBRO_SURRENDERED,
     "license surrendered by its holder"},
    {"lapsed, message list missing", true, true, LIBRO_WORD_LAPSED, LIBRO_EXPIRED,
     "license expired"},
};

START_TEST(test_status_after_dates)
{
    struct sts st;
    libro_verification *v;

    sts_init(&st);
    st.revoked = true;
    st.words = after_dates[_i].words;
    st.no_msg_list = after_dates[_i].no_msg_list;
    st.word = after_dates[_i].word;
    st.now = T0 + 1095 * DAY + 2 * DAY;
    st.list_from = st.now - 3600;
    st.list_until = st.now + DAY;
    v = sts_run(&st);
    ck_assert_msg(v->outcome == after_dates[_i].want, "%s: got %s (%s)", after_dates[_i].name,
                  libro_outcome_name(v->outcome), v->reason);
    ck_assert_msg(strstr(v->reason, after_dates[_i].reason) != NULL, "%s: reason \"%s\"",
                  after_dates[_i].name, v->reason);
    ck_assert_int_eq(libro_outcome_exit_code(v->outcome), v->outcome == LIBRO_SURRENDERED ? 4 : 3);
    ck_assert(!v->status_checked);
    ck_assert(v->word_checked == (st.words && !st.no_msg_list));
    libro_verification_free(v);
}
END_TEST

/* A clock set back (issue 14): the store keeps the newest time its verified data was dated;
 * a verification at a clock before it is refused before anything is read, a moment asked
 * about (--at) is answered as before with a note; the time only moves forward, never past
 * this computer's clock, and survives reopening the store. */
START_TEST(test_clock_set_back)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k_reg = NULL;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf list = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_verification *v;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0 + 10 * DAY);
    libro_verify_options v2 = {2, T0 + 10 * DAY, 300, 10, 7 * DAY, true};
    libro_trust *other = NULL;
    const int64_t seen = (T0 + 20 * DAY) * 1000 + 250;
    int64_t before;
    int64_t after;
    char path[512];
    int n;

    default_store(&tok); /* a license valid from T0 for 100 days, without status entries */
    ck_assert_int_eq(libro_trust_seen_ms(store), 0);
    v = verify_at(&tok, T0 + 10 * DAY); /* nothing seen yet: any clock is taken */
    expect(v, LIBRO_VALID, NULL, "nothing seen");
    libro_verification_free(v);

    gen(&k_reg, LIBRO_ALG_ED25519);
    add(registry_auth(TOWN, k_reg, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);
    ck_assert_int_eq(libro_trust_seen_ms(store), 0); /* an authorization is not dated data */
    sign_list_ms(&list, URL_REV, LIBRO_STATUS_REVOCATION, 5, 0, T0 + 20 * DAY, 250, T0 + 27 * DAY,
                 k_reg);
    add_token(&list);
    ck_assert_int_eq(libro_trust_seen_ms(store), seen);
    n = snprintf(path, sizeof path, "%s/seen", store_dir);
    ck_assert(n > 0 && (size_t) n < sizeof path);
    LIBRO_ASSERT_CODE(libro_file_read(&text, path, 100, true, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(text.len, 25);
    ck_assert_int_eq(memcmp(text.data, "2026-01-21T00:00:00.250Z\n", 25), 0);

    /* The clock ten days before the list: no verdict, nothing read. */
    v = verify_at(&tok, T0 + 10 * DAY);
    expect(v, LIBRO_STATUS_UNKNOWN,
           "this computer's clock (2026-01-11T00:00:00Z) is before data already seen "
           "(2026-01-21T00:00:00.250Z); set the clock right",
           "clock set back");
    ck_assert_int_eq(libro_outcome_exit_code(v->outcome), 7);
    ck_assert_ptr_null(v->license);
    ck_assert_uint_eq(v->n_chain, 0);
    ck_assert_str_eq(v->note, "");
    libro_verification_free(v);
    /* The skew is the clock's allowance: 300 s slow (and the 250 ms) is too slow, 299 s not. */
    v = verify_at(&tok, T0 + 20 * DAY - 300);
    expect(v, LIBRO_STATUS_UNKNOWN, "is before data already seen", "skew edge");
    libro_verification_free(v);
    v = verify_at(&tok, T0 + 20 * DAY - 299);
    expect(v, LIBRO_VALID, NULL, "within the skew");
    libro_verification_free(v);
    /* A version 2 caller has no `at`: its time is the clock (the field is not read). */
    v = verify_opt(&tok, &v2);
    expect(v, LIBRO_STATUS_UNKNOWN, "is before data already seen", "version 2");
    libro_verification_free(v);

    /* --at: the moment asked about is answered as before, saying how old the status is. */
    opt.at = true;
    v = verify_opt(&tok, &opt);
    expect(v, LIBRO_VALID, NULL, "--at");
    ck_assert_str_eq(v->note, "status data is as of the last sync (2026-01-21T00:00:00.250Z), "
                              "not of the time asked about");
    ck_assert_str_eq(v->warning, "");
    libro_verification_free(v);

    /* Only forward: an older list (of another id) leaves it. */
    libro_buf_clear(&list);
    sign_list(&list, URL_SUS, LIBRO_STATUS_SUSPENSION, 5, 0, T0 + 15 * DAY, T0 + 22 * DAY, k_reg);
    add_token(&list);
    ck_assert_int_eq(libro_trust_seen_ms(store), seen);
    reopen();
    ck_assert_int_eq(libro_trust_seen_ms(store), seen);

    /* A list dated a year ahead of this computer's clock counts only up to the clock: it
     * cannot lock the verifier out until then. */
    before = libro_time_now_ms();
    libro_buf_clear(&list);
    sign_list(&list, URL_MSG, LIBRO_STATUS_MESSAGE, 5, 0, before / 1000 + 366 * DAY,
              before / 1000 + 370 * DAY, k_reg);
    add_token(&list);
    after = libro_time_now_ms();
    ck_assert_int_ge(libro_trust_seen_ms(store), before);
    ck_assert_int_le(libro_trust_seen_ms(store), after);
    before = libro_trust_seen_ms(store);
    reopen();
    ck_assert_int_eq(libro_trust_seen_ms(store), before);

    /* A damaged record stops the open, as any damaged file of the store does. */
    libro_trust_free(store);
    store = NULL;
    LIBRO_ASSERT_CODE(libro_file_write_atomic(path, "yesterday\n", 10, 0644, &err), LIBRO_OK, &err,
                      NULL);
    LIBRO_ASSERT_CODE(libro_trust_open(&other, store_dir, &err), LIBRO_ERR_PARSE, &err,
                      "/seen: damaged (want one RFC 3339 time)");
    ck_assert_ptr_null(other);
    ck_assert_int_eq(unlink(path), 0);
    reopen();
    ck_assert_int_eq(libro_trust_seen_ms(store), 0);

    libro_buf_free(&text);
    libro_buf_free(&list);
    libro_buf_free(&tok);
    libro_key_free(k_reg);
}
END_TEST

/* libro_trust_add with status lists: the registry first, a verified signature, one list per
 * id, no rollback; listing, reopening and removing. */
START_TEST(test_store_status_lists)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k_reg = NULL;
    libro_buf v1 = LIBRO_BUF_INIT;
    libro_buf v2 = LIBRO_BUF_INIT;
    libro_buf v2b = LIBRO_BUF_INIT;
    libro_buf bad = LIBRO_BUF_INIT;
    libro_trust_entry e;
    char path[512];
    size_t removed = 0;

    gen(&k_reg, LIBRO_ALG_ED25519);
    sign_list(&v1, URL_REV, LIBRO_STATUS_REVOCATION, 5, false, T0, T0 + 7 * DAY, k_reg);
    sign_list(&v2, URL_REV, LIBRO_STATUS_REVOCATION, 5, true, T0 + DAY, T0 + 8 * DAY, k_reg);
    sign_list(&v2b, URL_REV, LIBRO_STATUS_REVOCATION, 6, true, T0 + DAY, T0 + 8 * DAY, k_reg);
    sign_list(&bad, URL_REV, LIBRO_STATUS_REVOCATION, 5, false, T0 + 2 * DAY, T0 + 9 * DAY,
              k_other);

    /* The registry must be known first. */
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) v1.data, v1.len, &err),
                      LIBRO_ERR_NOT_FOUND, &err,
                      "status list: no registry authorization for " REGISTRY "#");
    add(registry_auth(TOWN, k_reg, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);
    /* Signed by a key the store does not hold for the registry. */
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) bad.data, bad.len, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no registry authorization");
    /* ... or under the registry's kid by another key. */
    libro_buf_clear(&bad);
    sign_list(&bad, URL_REV, LIBRO_STATUS_REVOCATION, 5, false, T0 + 2 * DAY, T0 + 9 * DAY, k_reg);
    bad.data[bad.len - 2] = bad.data[bad.len - 2] == 'A' ? 'B' : 'A';
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) bad.data, bad.len, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "status list: jws: signature does not verify");

    add_token(&v1);
    add_token(&v1); /* the same bytes: a no-op */
    ck_assert_uint_eq(libro_trust_count(store), 2);
    add_token(&v2); /* newer: replaces */
    ck_assert_uint_eq(libro_trust_count(store), 2);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) v1.data, v1.len, &err),
                      LIBRO_ERR_DENIED, &err,
                      "status list " URL_REV " of 2026-01-01T00:00:00.000Z is not newer than the "
                      "one stored (2026-01-02T00:00:00.000Z): not replaced");
    /* Two different lists of the same millisecond cannot be ordered: the second is refused. */
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) v2b.data, v2b.len, &err),
                      LIBRO_ERR_DENIED, &err,
                      "status list " URL_REV " of 2026-01-02T00:00:00.000Z is not newer than the "
                      "one stored (2026-01-02T00:00:00.000Z): not replaced");
    /* One millisecond later in the same second: newer, so it replaces (read your writes); the
     * list of the millisecond before is then the older one. */
    libro_buf_clear(&v2b);
    sign_list_ms(&v2b, URL_REV, LIBRO_STATUS_REVOCATION, 5, true, T0 + DAY, 1, T0 + 8 * DAY, k_reg);
    add_token(&v2b);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) v2.data, v2.len, &err),
                      LIBRO_ERR_DENIED, &err,
                      "status list " URL_REV " of 2026-01-02T00:00:00.000Z is not newer than the "
                      "one stored (2026-01-02T00:00:00.001Z): not replaced");
    /* Newer, but it would revive license 5: revocation is final. */
    libro_buf_clear(&v2b);
    sign_list(&v2b, URL_REV, LIBRO_STATUS_REVOCATION, 6, true, T0 + 2 * DAY, T0 + 9 * DAY, k_reg);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) v2b.data, v2b.len, &err),
                      LIBRO_ERR_DENIED, &err, "would clear revocation 5, which is final");
    /* Newer and keeping revocation 5: replaces. */
    libro_buf_clear(&v2b);
    sign_list(&v2b, URL_REV, LIBRO_STATUS_REVOCATION, 5, true, T0 + DAY + 1, T0 + 8 * DAY, k_reg);
    add_token(&v2b);
    file_for_list(path, sizeof path, URL_REV);
    ck_assert_uint_eq(mode_of(path), 0644);

    reopen();
    ck_assert_uint_eq(libro_trust_count(store), 2);
    libro_trust_get(store, 1, &e);
    ck_assert_int_eq(e.kind, LIBRO_TRUST_STATUS_LIST);
    ck_assert_int_eq(e.type, 0);
    ck_assert_int_eq(e.purpose, LIBRO_STATUS_REVOCATION);
    ck_assert_str_eq(e.subject_id, URL_REV);
    ck_assert_str_eq(e.name, "revocation");
    ck_assert_str_eq(e.issuer, REGISTRY);
    ck_assert_int_eq(e.valid_from, T0 + DAY + 1);
    ck_assert_str_eq(e.file, path);
    /* After a reopen, the rollback is still refused. */
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) v1.data, v1.len, &err),
                      LIBRO_ERR_DENIED, &err, "not newer than the one stored");

    /* A list stored under another name is refused at open. */
    {
        char other[512];
        int n = snprintf(other, sizeof other, "%s/status/%064d.jws", store_dir, 0);

        ck_assert(n > 0 && (size_t) n < sizeof other);
        write_file(other, (const char *) v1.data, v1.len);
        expect_open_fails(LIBRO_ERR_PARSE, "name does not match contents");
        ck_assert_int_eq(unlink(other), 0);
    }

    LIBRO_ASSERT_CODE(libro_trust_remove(store, URL_REV, &removed, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(removed, 1);
    ck_assert_uint_eq(libro_trust_count(store), 1);
    ck_assert_int_eq(access(path, F_OK), -1);
    reopen();
    ck_assert_uint_eq(libro_trust_count(store), 1);

    libro_buf_free(&v1);
    libro_buf_free(&v2);
    libro_buf_free(&v2b);
    libro_buf_free(&bad);
    libro_key_free(k_reg);
}
END_TEST

/* The words are final as revocation is: a newer message list may give a word ("active" to
 * "lapsed") but never take back "surrendered" or "lapsed", to "active" or to the other word;
 * nor may a list of the same id change its purpose. Each refusal leaves the stored list. */
START_TEST(test_store_message_rollback)
{
    static const char url1[] = "https://registry.town-7.example/v1/status/1/message";
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k_reg = NULL;
    libro_buf b = LIBRO_BUF_INIT;
    libro_buf kept = LIBRO_BUF_INIT;
    char path[512];

    gen(&k_reg, LIBRO_ALG_ED25519);
    add(registry_auth(TOWN, k_reg, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);

    /* Surrendered at 7. */
    sign_list(&b, URL_MSG, LIBRO_STATUS_MESSAGE, 7, LIBRO_WORD_SURRENDERED, T0, T0 + 7 * DAY,
              k_reg);
    add_token(&b);
    libro_buf_clear(&b);
    sign_list(&b, URL_MSG, LIBRO_STATUS_MESSAGE, 7, LIBRO_WORD_ACTIVE, T0 + DAY, T0 + 8 * DAY,
              k_reg);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) b.data, b.len, &err), LIBRO_ERR_DENIED,
                      &err,
                      "status list " URL_MSG " would change the word surrendered of 7, which is "
                      "final: not replaced");
    libro_buf_clear(&b);
    sign_list(&b, URL_MSG, LIBRO_STATUS_MESSAGE, 7, LIBRO_WORD_LAPSED, T0 + DAY, T0 + 8 * DAY,
              k_reg);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) b.data, b.len, &err), LIBRO_ERR_DENIED,
                      &err, "would change the word surrendered of 7");
    /* The same purpose's newer list keeping the word: replaces. */
    libro_buf_clear(&b);
    sign_list(&b, URL_MSG, LIBRO_STATUS_MESSAGE, 7, LIBRO_WORD_SURRENDERED, T0 + DAY, T0 + 8 * DAY,
              k_reg);
    add_token(&b);
    /* A revocation list under the message list's id: refused, whatever its bits. */
    libro_buf_clear(&b);
    sign_list(&b, URL_MSG, LIBRO_STATUS_REVOCATION, 7, 1u, T0 + 2 * DAY, T0 + 9 * DAY, k_reg);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) b.data, b.len, &err), LIBRO_ERR_DENIED,
                      &err,
                      "status list " URL_MSG " would change its purpose from message to "
                      "revocation: not replaced");

    /* All active, then lapsed at 3 (a word given: fine), then active again: refused. */
    libro_buf_clear(&b);
    sign_list(&b, url1, LIBRO_STATUS_MESSAGE, 3, LIBRO_WORD_ACTIVE, T0, T0 + 7 * DAY, k_reg);
    add_token(&b);
    sign_list(&kept, url1, LIBRO_STATUS_MESSAGE, 3, LIBRO_WORD_LAPSED, T0 + DAY, T0 + 8 * DAY,
              k_reg);
    add_token(&kept);
    libro_buf_clear(&b);
    sign_list(&b, url1, LIBRO_STATUS_MESSAGE, 3, LIBRO_WORD_ACTIVE, T0 + 2 * DAY, T0 + 9 * DAY,
              k_reg);
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) b.data, b.len, &err), LIBRO_ERR_DENIED,
                      &err, "would change the word lapsed of 3, which is final");
    /* ... also after a reopen, and the file still holds the lapsed list. */
    reopen();
    LIBRO_ASSERT_CODE(libro_trust_add(store, (const char *) b.data, b.len, &err), LIBRO_ERR_DENIED,
                      &err, "would change the word lapsed of 3");
    file_for_list(path, sizeof path, url1);
    {
        libro_buf on_disk = LIBRO_BUF_INIT;

        LIBRO_ASSERT_CODE(
            libro_file_read(&on_disk, path, LIBRO_MAX_STATUS_LIST_TOKEN_BYTES, true, &err),
            LIBRO_OK, &err, NULL);
        ck_assert_uint_eq(on_disk.len, kept.len);
        ck_assert_mem_eq(on_disk.data, kept.data, kept.len);
        libro_buf_free(&on_disk);
    }

    libro_buf_free(&b);
    libro_buf_free(&kept);
    libro_key_free(k_reg);
}
END_TEST

/* ---- the right word for the wrong credential ----------------------------------------------- */

/* Tokens that say they are something else than a license: INVALID "not a license" (exit 1),
 * whichever step they fail at first (typ, no key for the signer, a bad signature, a payload
 * that is no license; or verified, of another credential type), whether or not their signer
 * is trusted. */
START_TEST(test_not_a_license)
{
    libro_buf lic = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf tok[11];
    libro_verification *v;
    libro_error err = LIBRO_ERROR_INIT;
    static const char *const want[] = {
        "not a license: the credential's type is CommunityCharter",
        "not a license: the credential's type is IssuerAuthorization",
        "not a license: the credential's type is RegistryAuthorization",
        "not a license: the credential's type is BitstringStatusListCredential",
        "not a license: the token is a trust bundle (typ libro-bundle+jwt)",
        "not a license: the token is a signed registry request (typ libro-request+jwt)",
        "not a license: the credential's type is CommunityCharter", /* forged: unknown key */
        "not a license: the credential's type is LibroTrustBundle",
        "not a license: the credential's type is Ev?l?type",
        "not a license: the credential's type is BitstringStatusListCredential", /* signed */
        "not a license: the credential's type is CommunityCharter",              /* typ JWT */
    };
    size_t i;

    memset(tok, 0, sizeof tok); /* LIBRO_BUF_INIT each */
    default_store(&lic);
    sign(&tok[0],
         charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 5000 * DAY),
         k_town);
    sign(&tok[1], authorization(TOWN, k_board, T0 - 1000 * DAY, T0 + 2000 * DAY), k_town);
    sign(&tok[2], registry_auth(TOWN, k_other, T0 - DAY, T0 + 100 * DAY), k_town);
    sign_list(&tok[3], "https://registry.town-7.example/v1/status/0/revocation",
              LIBRO_STATUS_REVOCATION, 7, 1, T0, T0 + 7 * DAY, k_other);
    LIBRO_ASSERT_CODE(libro_kid_for(&kid, REGISTRY, k_other, &err), LIBRO_OK, &err, NULL);
    sign_raw(&tok[4], k_other, (const char *) kid.data, "libro-bundle+jwt",
             "{\"type\":\"LibroTrustBundle\",\"issued\":\"2026-01-11T00:00:00.000Z\"}");
    libro_buf_clear(&kid);
    board_kid(&kid, k_board);
    sign_raw(&tok[5], k_board, (const char *) kid.data, "libro-request+jwt",
             "{\"aud\":\"https://registry.town-7.example\",\"op\":\"reserve\"}");
    forge(&tok[6],
          charter(TOWN, TOWN, "Town 7", 2, k_town, town_types, T0 - 2000 * DAY, T0 + 5000 * DAY),
          k_other, k_other);
    sign_raw(&tok[7], k_other, (const char *) kid.data, "vc+jwt",
             "{\"type\":\"LibroTrustBundle\"}");
    sign_raw(&tok[8], k_other, (const char *) kid.data, "vc+jwt",
             "{\"type\":[\"VerifiableCredential\",\"Ev\\u0007l\\\"type\"]}");
    sign_raw(&tok[9], k_board, (const char *) kid.data, "vc+jwt",
             "{\"type\":[\"VerifiableCredential\",\"BitstringStatusListCredential\"]}");
    sign_raw(&tok[10], k_board, (const char *) kid.data, "JWT",
             "{\"type\":[\"VerifiableCredential\",\"CommunityCharter\"]}");

    for (i = 0; i < LIBRO_NELEM(tok); i++) {
        v = verify_at(&tok[i], T0 + 10 * DAY);
        ck_assert_msg(v->outcome == LIBRO_INVALID && strcmp(v->reason, want[i]) == 0,
                      "case %zu: got %s \"%s\", want INVALID \"%s\"", i,
                      libro_outcome_name(v->outcome), v->reason, want[i]);
        ck_assert(v->not_a_license);
        ck_assert_int_eq(libro_outcome_exit_code(v->outcome), 1);
        ck_assert_ptr_null(v->license);
        ck_assert_uint_eq(v->n_chain, 0);
        libro_verification_free(v);
    }

    /* What does not plainly say "not a license" goes on as before: to the key (unknown
     * here), or to the signature and the strict parse. */
    libro_buf_clear(&tok[0]);
    sign_raw(&tok[0], k_other, "urn:libro:nobody#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
             "vc+jwt", "{\"type\":[\"VerifiableCredential\",1]}");
    v = verify_at(&tok[0], T0 + 10 * DAY);
    expect(v, LIBRO_UNTRUSTED, "no trusted issuer authorization", "type not all names");
    ck_assert(!v->not_a_license);
    libro_verification_free(v);
    libro_buf_clear(&tok[0]);
    sign_raw(&tok[0], k_board, (const char *) kid.data, "vc+jwt",
             "{\"type\":[\"VerifiableCredential\",\"ProfessionalLicense\"]}");
    v = verify_at(&tok[0], T0 + 10 * DAY);
    expect(v, LIBRO_INVALID, "license: ", "license type, bad claims");
    ck_assert(!v->not_a_license);
    libro_verification_free(v);

    /* A license still verifies. */
    v = verify_at(&lic, T0 + 10 * DAY);
    expect(v, LIBRO_VALID, NULL, "license");
    ck_assert(!v->not_a_license);
    libro_verification_free(v);

    for (i = 0; i < LIBRO_NELEM(tok); i++) {
        libro_buf_free(&tok[i]);
    }
    libro_buf_free(&kid);
    libro_buf_free(&lic);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("verifier");
    TCase *chains = tcase_create("chains");
    TCase *tokens = tcase_create("tokens");
    TCase *limits = tcase_create("limits");
    TCase *trust = tcase_create("trust store");
    TCase *status = tcase_create("status");

    tcase_add_checked_fixture(chains, setup, teardown);
    tcase_add_loop_test(chains, test_scenarios, 0, (int) LIBRO_NELEM(scenarios));
    tcase_add_test(chains, test_valid_details);
    tcase_add_test(chains, test_renewed_authorization);
    tcase_add_test(chains, test_two_charters_one_community);
    tcase_add_test(chains, test_cycle);
    tcase_add_test(chains, test_verify_is_repeatable);
    suite_add_tcase(s, chains);

    tcase_add_checked_fixture(tokens, setup, teardown);
    tcase_add_test(tokens, test_tampered_payload);
    tcase_add_test(tokens, test_bad_tokens);
    tcase_add_test(tokens, test_outcome_names);
    tcase_add_test(tokens, test_not_a_license);
    suite_add_tcase(s, tokens);

    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_test(limits, test_chain_length);
    tcase_add_test(limits, test_chain_length_boundary);
    tcase_add_test(limits, test_search_budget);
    tcase_add_test(limits, test_options);
    tcase_add_test(limits, test_verify_oom);
    suite_add_tcase(s, limits);

    tcase_add_checked_fixture(trust, setup, teardown);
    tcase_add_test(trust, test_store_layout);
    tcase_add_test(trust, test_store_renew_anchor);
    tcase_add_test(trust, test_store_remove);
    tcase_add_test(trust, test_store_refusals);
    tcase_add_test(trust, test_store_corrupt);
    tcase_add_test(trust, test_store_permissions);
    tcase_add_test(trust, test_default_dir);
    tcase_add_test(trust, test_store_status_lists);
    tcase_add_test(trust, test_clock_set_back);
    tcase_add_test(trust, test_store_message_rollback);
    suite_add_tcase(s, trust);

    tcase_add_checked_fixture(status, setup, teardown);
    tcase_add_loop_test(status, test_status, 0, (int) LIBRO_NELEM(status_cases));
    tcase_add_loop_test(status, test_status_after_dates, 0, (int) LIBRO_NELEM(after_dates));
    tcase_add_test(status, test_status_oom);
    tcase_add_test(status, test_status_memo_invalidated);
    tcase_add_test(status, test_status_memo_threads);
    tcase_add_test(status, test_lb_text);
    suite_add_tcase(s, status);
    return s;
}
