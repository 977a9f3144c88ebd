/* Suite for the offline verification of RoundtableMandates (verifier/src/verify.c and chain.c,
 * docs/credentials.md "The chain of a mandate"): every verdict for each office (representative,
 * chair, leader) against a real trust store, the refusals of the chain rules (a signer that
 * is not the seat, a leader appointed by a non-parent, a term too long, a seat's charter
 * missing from the store), mandates signed anyway by a test key that the strict parser
 * refuses (a chair marked voting, stripped status entries), keys of the wrong kind, the
 * sentence a person reads, and a mandate's QR code read back from a PNG image.
 *
 * The communities: Town 7 (level 2) is the pinned anchor and charters Neighborhood 3 and
 * Neighborhood 9 (level 1); Neighborhood 3 charters Tribe 12 and Tribe 5, Neighborhood 9
 * charters Tribe 90 (level 0). Neighborhood 3's registry keeps the status of its roundtable's
 * mandates (representatives, chair); Tribe 12's registry those of its circle (a leader
 * appointed by Neighborhood 3). Each test gets a fresh store in a mkdtemp directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/qr.h"
#include "libro/rules.h"
#include "libro/scan.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "test_creds.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
/* The longest terms from T0: 3, 4 and 5 years, to the last second. */
#define UNTIL_3Y (T0 + 1096 * DAY - 1) /* 2028-12-31T23:59:59Z */
#define UNTIL_4Y (T0 + 1461 * DAY - 1) /* 2029-12-31T23:59:59Z */
#define UNTIL_5Y (T0 + 1826 * DAY - 1) /* 2030-12-31T23:59:59Z */

#define TOWN "urn:libro:town-7"
#define NB "urn:libro:neighborhood-3"
#define NB9 "urn:libro:neighborhood-9"
#define TRIBE "urn:libro:tribe-12"
#define TRIBE5 "urn:libro:tribe-5"
#define TRIBE90 "urn:libro:tribe-90"
#define REG_NB NB ":registry"
#define REG_TRIBE TRIBE ":registry"
#define NB_STATUS "https://registry.neighborhood-3.example/v1/status/"
#define TRIBE_STATUS "https://registry.tribe-12.example/v1/status/"
#define RECORD "sha256:5f0c6b7e1c0f2a9d3e4b5a6c7d8e9f00112233445566778899aabbccddeeff01"
#define INDEX 48213u

/* ---- fixture -------------------------------------------------------------------------------- */

static char tmp_root[64];
static char store_dir[128];
static libro_trust *store;
static libro_key *k_town;
static libro_key *k_nb;
static libro_key *k_nb9;
static libro_key *k_tribe;
static libro_key *k_tribe5;
static libro_key *k_tribe90;
static libro_key *k_reg_nb;
static libro_key *k_reg_tribe;
static libro_key *k_holder;
static libro_key *k_other;
static char *holder_did;

static void
gen(libro_key **k)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_key_generate(k, LIBRO_ALG_ED25519, &err), &err, "key");
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    int n;

    memcpy(tmp_root, "/tmp/libro-mandate-XXXXXX", sizeof "/tmp/libro-mandate-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_root));
    n = snprintf(store_dir, sizeof store_dir, "%s/libro", tmp_root);
    ck_assert(n > 0 && (size_t) n < sizeof store_dir);
    must(libro_trust_open(&store, store_dir, &err), &err, "store");
    gen(&k_town);
    gen(&k_nb);
    gen(&k_nb9);
    gen(&k_tribe);
    gen(&k_tribe5);
    gen(&k_tribe90);
    gen(&k_reg_nb);
    gen(&k_reg_tribe);
    gen(&k_holder);
    gen(&k_other);
    must(libro_key_to_did(&did, k_holder, &err), &err, "did");
    holder_did = sdup((const char *) did.data);
    libro_buf_free(&did);
}

static void
teardown(void)
{
    libro_trust_free(store);
    store = NULL;
    libro_key_free(k_town);
    libro_key_free(k_nb);
    libro_key_free(k_nb9);
    libro_key_free(k_tribe);
    libro_key_free(k_tribe5);
    libro_key_free(k_tribe90);
    libro_key_free(k_reg_nb);
    libro_key_free(k_reg_tribe);
    libro_key_free(k_holder);
    libro_key_free(k_other);
    k_town = k_nb = k_nb9 = k_tribe = k_tribe5 = k_tribe90 = NULL;
    k_reg_nb = k_reg_tribe = k_holder = k_other = NULL;
    libro_free(holder_did);
    holder_did = NULL;
    libro_test_rm_rf(tmp_root);
}

/* ---- credentials ---------------------------------------------------------------------------- */

static libro_credential *
charter(const char *issuer, const char *id, const char *name, int level, const libro_key *k,
        int64_t from, int64_t until)
{
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, issuer, id, name, from, until);

    c->level = level;
    c->subject_key = public_of(k);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup("nursing-general");
    c->n_allowed = 1;
    return c;
}

static libro_credential *
registry_auth(const char *community, const char *id, const libro_key *k)
{
    libro_credential *c = new_cred(LIBRO_CRED_REGISTRY_AUTH, community, id, "Registry",
                                   T0 - 500 * DAY, T0 + 2000 * DAY);

    c->subject_key = public_of(k);
    return c;
}

/* The status list URLs of the registry whose prefix is `base`. */
static void
status_urls(libro_credential *m, const char *base)
{
    char url[200];

    m->has_status = true;
    m->status_index = INDEX;
    ck_assert_int_gt(snprintf(url, sizeof url, "%srev", base), 0);
    m->status_revocation_list = sdup(url);
    ck_assert_int_gt(snprintf(url, sizeof url, "%ssus", base), 0);
    m->status_suspension_list = sdup(url);
    ck_assert_int_gt(snprintf(url, sizeof url, "%smsg", base), 0);
    m->status_message_list = sdup(url);
}

/* The mandate of each office as the design's examples have it, for its longest term from
 * T0: Tribe 12's representative at Neighborhood 3's roundtable, Neighborhood 3's chair, and
 * the leader Neighborhood 3 appoints into Tribe 12's circle. */
static libro_credential *
mandate(libro_office office)
{
    const char *issuer = office == LIBRO_OFFICE_REPRESENTATIVE ? TRIBE : NB;
    int64_t until = office == LIBRO_OFFICE_REPRESENTATIVE ? UNTIL_3Y
                    : office == LIBRO_OFFICE_CHAIR        ? UNTIL_4Y
                                                          : UNTIL_5Y;
    libro_credential *m = new_cred(LIBRO_CRED_MANDATE, issuer, holder_did, "Jane Doe", T0, until);

    m->office = office;
    m->voting = office == LIBRO_OFFICE_REPRESENTATIVE;
    m->roundtable_id = sdup(office == LIBRO_OFFICE_LEADER ? TRIBE : NB);
    m->roundtable_level = office == LIBRO_OFFICE_LEADER ? 0 : 1;
    m->seat = office == LIBRO_OFFICE_CHAIR            ? NULL
              : office == LIBRO_OFFICE_REPRESENTATIVE ? sdup(TRIBE)
                                                      : sdup(NB);
    m->election_record = sdup(RECORD);
    m->election_date = T0 - 46 * DAY; /* 2025-11-16 */
    m->election_electorate = 1012;
    m->election_result = sdup("elected with 612 of 987 votes");
    status_urls(m, office == LIBRO_OFFICE_LEADER ? TRIBE_STATUS : NB_STATUS);
    return m;
}

/* The key that signs a mandate of `office`: the seat's, or the community's for its chair. */
static const libro_key *
signer_of(libro_office office)
{
    return office == LIBRO_OFFICE_REPRESENTATIVE ? k_tribe : k_nb;
}

/* Sign `payload` as a vc+jwt under the kid of (`kid_id`, `kid_key`) with `k`: what a test key
 * signs whatever the issuer library would refuse. */
static char *
sign_raw(const char *payload, size_t len, const char *kid_id, const libro_key *kid_key,
         const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    char kid[300];

    kid_of(kid, kid_id, kid_key);
    must(libro_jws_sign_compact(&out, k, kid, "vc+jwt", payload, len, &err), &err, "sign raw");
    return (char *) libro_buf_detach(&out, NULL);
}

/* `c` as the JSON libro writes, then freed. */
static char *
to_json(libro_credential *c)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    must(libro_credential_to_json(&out, c, &err), &err, "to json");
    libro_credential_free(c);
    return (char *) libro_buf_detach(&out, NULL);
}

static void
add_token(const char *tok)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_trust_add(store, tok, strlen(tok), &err), &err, "trust add");
}

/* `c` signed with `k` (caller frees), and `c` freed. */
static char *
sign_free(libro_credential *c, const libro_key *k)
{
    char *tok = sign(c, k);

    libro_credential_free(c);
    return tok;
}

/* Sign `c` with `k`, add it to the store, free it. */
static void
add(libro_credential *c, const libro_key *k)
{
    char *tok = sign_free(c, k);

    add_token(tok);
    libro_free(tok);
}

/* Sign a status list of `url` for `purpose` (`words` for a message list) with `k`, the value at
 * INDEX `value`, valid from `from` for 7 days, issued by `registry`. */
static char *
status_list(const char *url, libro_status_purpose purpose, libro_status_words words, unsigned value,
            int64_t from, const char *registry, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_status_list l;
    libro_buf out = LIBRO_BUF_INIT;

    memset(&l, 0, sizeof l);
    l.id = sdup(url);
    l.issuer = sdup(registry);
    l.valid_from = from;
    l.valid_until = from + 7 * DAY;
    l.purpose = purpose;
    l.words = purpose == LIBRO_STATUS_MESSAGE ? words : LIBRO_WORDS_LICENSE;
    must(libro_bitstring_new(
             &l.bits, (size_t) LIBRO_STATUS_LIST_MIN_ENTRIES * libro_status_purpose_size(purpose),
             &err),
         &err, "bits");
    libro_bitstring_set_value(&l.bits, INDEX, libro_status_purpose_size(purpose), value);
    must(libro_status_list_sign(&out, &l, k, &err), &err, "sign list");
    libro_status_list_free(&l);
    return (char *) libro_buf_detach(&out, NULL);
}

/* ---- scenarios ------------------------------------------------------------------------------ */

/* One verification: the store as described, the mandate `m` signed as described, verified at
 * `now`. Cases change what they need before run(). */
struct ms {
    libro_office office;
    libro_credential *m;
    int64_t now;
    int64_t list_from;        /* the status lists' validFrom (valid 7 days) */
    bool at;                  /* `now` is a moment asked about (--at), not the clock */
    bool no_tribe_charter;    /* Tribe 12's charter is not in the store */
    bool expired_tribe;       /* Tribe 12's charter expired before `now` */
    bool no_lists;            /* no status lists in the store */
    bool no_msg_list;         /* the message list is not in the store */
    bool license_words;       /* the message list carries the license words */
    bool revoked;             /* the revocation bit is set */
    bool suspended;           /* the suspension bit is set */
    unsigned word;            /* the message list's word */
    const libro_key *signer;  /* NULL: signer_of(office) */
    const libro_key *kid_key; /* NULL: the signer; else a forgery under this key's kid */
    const char *kid_id;       /* NULL: the mandate's issuer */
    const char *payload;      /* not NULL: sign these bytes instead of the mandate */
    char *token;              /* what was verified */
};

static void
ms_init(struct ms *s, libro_office office)
{
    memset(s, 0, sizeof *s);
    s->office = office;
    s->m = mandate(office);
    s->now = T0 + 10 * DAY;
    s->list_from = s->now - 3 * 3600;
}

static void
build_store(const struct ms *s)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t from = s->list_from;
    const char *base = s->office == LIBRO_OFFICE_LEADER ? TRIBE_STATUS : NB_STATUS;
    const char *registry = s->office == LIBRO_OFFICE_LEADER ? REG_TRIBE : REG_NB;
    const libro_key *k_reg = s->office == LIBRO_OFFICE_LEADER ? k_reg_tribe : k_reg_nb;
    char url[200];
    char *tok;

    tok = sign_free(charter(TOWN, TOWN, "Town 7", 2, k_town, T0 - 2000 * DAY, T0 + 5000 * DAY),
                    k_town);
    must(libro_trust_add_anchor(store, tok, strlen(tok), NULL, NULL, &err), &err, "anchor");
    libro_free(tok);
    add(charter(TOWN, NB, "Neighborhood 3", 1, k_nb, T0 - 1500 * DAY, T0 + 4000 * DAY), k_town);
    add(charter(TOWN, NB9, "Neighborhood 9", 1, k_nb9, T0 - 1500 * DAY, T0 + 4000 * DAY), k_town);
    if (!s->no_tribe_charter) {
        add(charter(NB, TRIBE, "Tribe 12", 0, k_tribe, T0 - 1000 * DAY,
                    s->expired_tribe ? T0 + 5 * DAY : T0 + 3000 * DAY),
            k_nb);
    }
    add(charter(NB, TRIBE5, "Tribe 5", 0, k_tribe5, T0 - 1000 * DAY, T0 + 3000 * DAY), k_nb);
    add(charter(NB9, TRIBE90, "Tribe 90", 0, k_tribe90, T0 - 1000 * DAY, T0 + 3000 * DAY), k_nb9);
    add(registry_auth(NB, REG_NB, k_reg_nb), k_nb);
    if (!s->no_tribe_charter) {
        add(registry_auth(TRIBE, REG_TRIBE, k_reg_tribe), k_tribe);
    }
    if (s->no_lists || (s->no_tribe_charter && s->office == LIBRO_OFFICE_LEADER)) {
        return; /* (no registry authorization for the circle's lists either) */
    }
    ck_assert_int_gt(snprintf(url, sizeof url, "%srev", base), 0);
    tok = status_list(url, LIBRO_STATUS_REVOCATION, LIBRO_WORDS_LICENSE, s->revoked ? 1u : 0u, from,
                      registry, k_reg);
    add_token(tok);
    libro_free(tok);
    ck_assert_int_gt(snprintf(url, sizeof url, "%ssus", base), 0);
    tok = status_list(url, LIBRO_STATUS_SUSPENSION, LIBRO_WORDS_LICENSE, s->suspended ? 1u : 0u,
                      from, registry, k_reg);
    add_token(tok);
    libro_free(tok);
    if (!s->no_msg_list) {
        ck_assert_int_gt(snprintf(url, sizeof url, "%smsg", base), 0);
        tok = status_list(url, LIBRO_STATUS_MESSAGE,
                          s->license_words ? LIBRO_WORDS_LICENSE : LIBRO_WORDS_MANDATE, s->word,
                          from, registry, k_reg);
        add_token(tok);
        libro_free(tok);
    }
}

/* Build the store, sign the mandate (freeing it) and verify it. */
static libro_verification *
run(struct ms *s)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(s->now);
    libro_verification *v = NULL;
    const libro_key *signer = s->signer != NULL ? s->signer : signer_of(s->office);
    char *payload;

    build_store(s);
    payload = s->payload != NULL ? sdup(s->payload) : to_json(s->m);
    if (s->payload != NULL) {
        libro_credential_free(s->m);
    }
    s->m = NULL;
    s->token = sign_raw(payload, strlen(payload),
                        s->kid_id != NULL                          ? s->kid_id
                        : s->office == LIBRO_OFFICE_REPRESENTATIVE ? TRIBE
                                                                   : NB,
                        s->kid_key != NULL ? s->kid_key : signer, signer);
    libro_free(payload);
    opt.at = s->at;
    must(libro_verify_license(&v, store, s->token, strlen(s->token), &opt, &err), &err, "verify");
    ck_assert_ptr_nonnull(v);
    return v;
}

static void
ms_done(struct ms *s)
{
    libro_credential_free(s->m);
    libro_free(s->token);
    memset(s, 0, sizeof *s);
}

/* ---- every verdict for each office ---------------------------------------------------------- */

static void
t_none(struct ms *s)
{
    (void) s;
}
static void
t_expired(struct ms *s)
{
    s->now = s->m->valid_until + 301;
    s->at = true;
}
static void
t_expired_in_skew(struct ms *s)
{
    s->now = s->m->valid_until + 300;
    s->at = true;
}
static void
t_not_yet(struct ms *s)
{
    s->m->valid_from = T0 + 30 * DAY;
    s->now = T0 + 10 * DAY;
}
static void
t_resigned(struct ms *s)
{
    s->revoked = true;
    s->word = LIBRO_WORD_RESIGNED;
}
static void
t_recalled(struct ms *s)
{
    s->revoked = true;
    s->word = LIBRO_WORD_RECALLED;
}
static void
t_replaced(struct ms *s)
{
    s->revoked = true;
    s->word = LIBRO_WORD_REPLACED;
}
static void
t_ended_no_word(struct ms *s)
{
    s->revoked = true;
    s->word = LIBRO_WORD_RECALLED;
    s->no_msg_list = true;
}
static void
t_ended_word_in_office(struct ms *s)
{
    s->revoked = true;
}
static void
t_ended_license_words(struct ms *s)
{
    s->revoked = true;
    s->word = LIBRO_WORD_RESIGNED;
    s->license_words = true;
}
static void
t_suspended(struct ms *s)
{
    s->suspended = true;
}
static void
t_no_lists(struct ms *s)
{
    s->no_lists = true;
}
static void
t_too_old(struct ms *s)
{
    s->at = true;
    s->now += 8 * DAY; /* the lists (valid 7 days) expired */
}
static void
t_forged(struct ms *s)
{
    s->signer = k_other;
    s->kid_key = signer_of(s->office);
}
static void
t_term_too_long(struct ms *s)
{
    s->m->valid_until += 1;
}
static void
t_no_tribe(struct ms *s)
{
    s->no_tribe_charter = true;
}

#define ALL_OFFICES 0 /* a case run for each office */

static const struct {
    const char *name;
    libro_office only; /* ALL_OFFICES, or the one office it applies to */
    void (*tweak)(struct ms *s);
    libro_outcome want;
    const char *reason; /* a part of it; NULL: VALID, reason "" */
} cases[] = {
    {"valid", ALL_OFFICES, t_none, LIBRO_VALID, NULL},
    {"expired", ALL_OFFICES, t_expired, LIBRO_EXPIRED, "mandate expired 20"},
    /* Past the dates step (within the skew), then the lists of T0 + 10 days have expired. */
    {"expired within skew", ALL_OFFICES, t_expired_in_skew, LIBRO_STATUS_UNKNOWN, "rev expired"},
    {"not yet valid", ALL_OFFICES, t_not_yet, LIBRO_NOT_YET_VALID,
     "mandate is not valid before 2026-01-31T00:00:00Z"},
    {"resigned", ALL_OFFICES, t_resigned, LIBRO_ENDED,
     "mandate ended: resigned (message list of 2026-01-10T21:00:00Z)"},
    {"recalled", ALL_OFFICES, t_recalled, LIBRO_ENDED,
     "mandate ended: recalled (message list of 2026-01-10T21:00:00Z)"},
    {"replaced", ALL_OFFICES, t_replaced, LIBRO_ENDED,
     "mandate ended: replaced (message list of 2026-01-10T21:00:00Z)"},
    {"ended, message list missing", ALL_OFFICES, t_ended_no_word, LIBRO_ENDED,
     "mandate ended (revocation list of 2026-01-10T21:00:00Z); word unknown: no status list "
     "cached for https://registry."},
    {"ended, word in office", ALL_OFFICES, t_ended_word_in_office, LIBRO_ENDED,
     "mandate ended (revocation list of 2026-01-10T21:00:00Z)"},
    {"ended, a message list of license words", ALL_OFFICES, t_ended_license_words, LIBRO_ENDED,
     "msg carries the license words, not the mandate words"},
    {"suspended (never set by a registry)", ALL_OFFICES, t_suspended, LIBRO_SUSPENDED,
     "mandate suspended (suspension list of 2026-01-10T21:00:00Z)"},
    {"no status lists", ALL_OFFICES, t_no_lists, LIBRO_STATUS_UNKNOWN,
     "rev: run libro sync https://registry."},
    {"status lists expired", ALL_OFFICES, t_too_old, LIBRO_STATUS_UNKNOWN,
     "rev expired 2026-01-17T21:00:00Z"},
    {"forged signature", ALL_OFFICES, t_forged, LIBRO_INVALID,
     "signature: jws: signature does not verify"},
    {"term a second too long", ALL_OFFICES, t_term_too_long, LIBRO_UNTRUSTED, "longer than the"},
    {"representative: the seat's charter missing", LIBRO_OFFICE_REPRESENTATIVE, t_no_tribe,
     LIBRO_UNTRUSTED, "no trusted charter or anchor for " TRIBE "#"},
    {"leader: the circle's charter missing", LIBRO_OFFICE_LEADER, t_no_tribe, LIBRO_UNTRUSTED,
     "no trusted charter of " TRIBE " issued by " NB ", the circle the leader is appointed into"},
};

static libro_office
office_of(int i)
{
    return (libro_office) (1 + i % 3);
}

/* The (case, office) pairs test_verdicts runs: each case for each office it applies to. */
static struct {
    size_t c;
    libro_office office;
} runs[LIBRO_NELEM(cases) * 3];
static size_t n_runs;

static void
plan_runs(void)
{
    size_t c;
    int o;

    n_runs = 0;
    for (c = 0; c < LIBRO_NELEM(cases); c++) {
        for (o = 0; o < 3; o++) {
            if (cases[c].only == ALL_OFFICES || cases[c].only == office_of(o)) {
                runs[n_runs].c = c;
                runs[n_runs].office = office_of(o);
                n_runs++;
            }
        }
    }
}

START_TEST(test_verdicts)
{
    size_t c = runs[_i].c;
    libro_office office = runs[_i].office;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf sentence = LIBRO_BUF_INIT;
    libro_verification *v;
    struct ms s;

    ms_init(&s, office);
    cases[c].tweak(&s);
    v = run(&s);
    ck_assert_msg(v->outcome == cases[c].want, "%s (%s): got %s (%s), want %s", cases[c].name,
                  libro_office_name(office), libro_outcome_name(v->outcome), v->reason,
                  libro_outcome_name(cases[c].want));
    if (cases[c].reason != NULL) {
        ck_assert_msg(strstr(v->reason, cases[c].reason) != NULL,
                      "%s (%s): reason \"%s\" lacks \"%s\"", cases[c].name,
                      libro_office_name(office), v->reason, cases[c].reason);
    } else {
        ck_assert_str_eq(v->reason, "");
    }
    ck_assert_ptr_null(v->license);
    if (v->outcome == LIBRO_INVALID) {
        ck_assert_ptr_null(v->mandate);
    } else if (strstr(cases[c].name, "charter missing") == NULL || office == LIBRO_OFFICE_LEADER) {
        ck_assert_ptr_nonnull(v->mandate);
        ck_assert_int_eq(v->mandate->office, office);
    }
    ck_assert_int_eq(libro_outcome_exit_code(v->outcome), cases[c].want == LIBRO_VALID           ? 0
                                                          : cases[c].want == LIBRO_INVALID       ? 1
                                                          : cases[c].want == LIBRO_EXPIRED       ? 3
                                                          : cases[c].want == LIBRO_NOT_YET_VALID ? 3
                                                          : cases[c].want == LIBRO_ENDED         ? 4
                                                          : cases[c].want == LIBRO_SUSPENDED     ? 5
                                                          : cases[c].want == LIBRO_UNTRUSTED     ? 6
                                                                                             : 7);
    if (v->outcome == LIBRO_ENDED) {
        ck_assert(v->revoked && v->status_checked);
        ck_assert(v->word_checked == (strstr(cases[c].reason, "word") == NULL));
    }
    if (v->outcome == LIBRO_VALID) {
        /* The chain: the mandate, the signer's charter, ... up to the anchor. */
        ck_assert_uint_eq(v->n_chain, office == LIBRO_OFFICE_REPRESENTATIVE ? 4 : 3);
        ck_assert_int_eq(v->chain[0].type, LIBRO_CRED_MANDATE);
        ck_assert_str_eq(v->chain[0].subject_id, holder_did);
        ck_assert_str_eq(v->chain[1].subject_id,
                         office == LIBRO_OFFICE_REPRESENTATIVE ? TRIBE : NB);
        ck_assert(v->chain[v->n_chain - 1].anchor);
        ck_assert(v->status_checked && !v->revoked && !v->suspended);
        must(libro_mandate_sentence(&sentence, v, &err), &err, "sentence");
        ck_assert_str_eq((const char *) sentence.data,
                         office == LIBRO_OFFICE_REPRESENTATIVE
                             ? "Jane Doe represents Tribe 12 at the roundtable of Neighborhood 3 "
                               "(voting), 2026-01-01 to 2028-12-31"
                         : office == LIBRO_OFFICE_CHAIR
                             ? "Jane Doe chairs the roundtable of Neighborhood 3 (chair, no vote), "
                               "2026-01-01 to 2029-12-31"
                             : "Jane Doe leads for Neighborhood 3 in the circle of Tribe 12 (no "
                               "vote), 2026-01-01 to 2030-12-31");
        ck_assert_str_eq(v->roundtable_name,
                         office == LIBRO_OFFICE_LEADER ? "Tribe 12" : "Neighborhood 3");
        if (office == LIBRO_OFFICE_CHAIR) {
            ck_assert_ptr_null(v->seat_name);
        } else {
            ck_assert_str_eq(v->seat_name,
                             office == LIBRO_OFFICE_LEADER ? "Neighborhood 3" : "Tribe 12");
        }
    }
    libro_buf_free(&sentence);
    libro_verification_free(v);
    ms_done(&s);
}
END_TEST

/* ---- the chain rules ------------------------------------------------------------------------ */

/* Signers that may not give the office they sign: a representative's mandate signed by a
 * community that holds no seat at the roundtable it names (Tribe 90, chartered by
 * Neighborhood 9, for a seat at Neighborhood 3's); one seat signing for another (Tribe 5 for
 * Tribe 12's); a leader appointed into Tribe 12's circle by Neighborhood 9, which did not
 * charter it. */
static const struct {
    const char *name;
    libro_office office;
    const char *signer; /* the issuer and kid id; also the seat unless keep_seat */
    bool keep_seat;
    const char *reason; /* exact */
} wrong_signers[] = {
    {"a community that holds no seat", LIBRO_OFFICE_REPRESENTATIVE, TRIBE90, false,
     "mandate for " TRIBE90 " sits at the roundtable of " NB
     ", not of the subject of the charter of " NB9},
    {"another seat's community", LIBRO_OFFICE_REPRESENTATIVE, TRIBE5, true,
     "mandate for " TRIBE " is signed by " TRIBE5 ", not by " TRIBE
     " (the seat's community signs its mandate)"},
    {"a leader by a non-parent", LIBRO_OFFICE_LEADER, NB9, false,
     "no trusted charter of " TRIBE " issued by " NB9 ", the circle the leader is appointed into"},
};

static const libro_key *
key_of(const char *id)
{
    return strcmp(id, TRIBE90) == 0 ? k_tribe90 : strcmp(id, TRIBE5) == 0 ? k_tribe5 : k_nb9;
}

START_TEST(test_wrong_signer)
{
    libro_verification *v;
    struct ms s;

    ms_init(&s, wrong_signers[_i].office);
    libro_free(s.m->issuer);
    s.m->issuer = sdup(wrong_signers[_i].signer);
    if (!wrong_signers[_i].keep_seat) {
        libro_free(s.m->seat);
        s.m->seat = sdup(wrong_signers[_i].signer);
    }
    s.signer = key_of(wrong_signers[_i].signer);
    s.kid_id = wrong_signers[_i].signer;
    v = run(&s);
    ck_assert_msg(v->outcome == LIBRO_UNTRUSTED, "%s: got %s (%s)", wrong_signers[_i].name,
                  libro_outcome_name(v->outcome), v->reason);
    ck_assert_str_eq(v->reason, wrong_signers[_i].reason);
    ck_assert_ptr_nonnull(v->mandate);
    ck_assert_ptr_null(v->roundtable_name); /* no charter of the roundtable it names was reached */
    libro_verification_free(v);
    ms_done(&s);
}
END_TEST

/* The seat's charter expired: the chain is broken at link 2, whatever the mandate says. */
START_TEST(test_seat_charter_expired)
{
    libro_verification *v;
    struct ms s;

    ms_init(&s, LIBRO_OFFICE_REPRESENTATIVE);
    s.expired_tribe = true;
    s.m->valid_until = T0 + 5 * DAY; /* inside the tribe's charter, as the rules want */
    s.now = T0 + 4 * DAY;
    s.list_from = s.now - 3 * 3600;
    s.at = true;
    v = run(&s);
    ck_assert_msg(v->outcome == LIBRO_VALID, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    libro_verification_free(v);
    ms_done(&s);

    ms_init(&s, LIBRO_OFFICE_REPRESENTATIVE);
    s.expired_tribe = true;
    s.m->valid_until = T0 + 5 * DAY;
    s.now = T0 + 6 * DAY;
    s.list_from = s.now - 3 * 3600;
    s.at = true;
    v = run(&s);
    ck_assert_msg(v->outcome == LIBRO_UNTRUSTED, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert_ptr_nonnull(strstr(v->reason, "charter of " TRIBE " expired"));
    libro_verification_free(v);
    ms_done(&s);
}
END_TEST

/* A chair marked voting, signed anyway by the community's key: the strict parser refuses it
 * after the signature (INVALID), so no rule is ever asked about it. */
START_TEST(test_chair_voting)
{
    libro_verification *v;
    struct ms s;
    char *json;
    char *p;

    ms_init(&s, LIBRO_OFFICE_CHAIR);
    json = to_json(s.m);
    s.m = mandate(LIBRO_OFFICE_CHAIR);
    p = strstr(json, "\"voting\":false");
    ck_assert_ptr_nonnull(p);
    memcpy(p, "\"voting\":true ", strlen("\"voting\":true ")); /* as long as "false" */
    s.payload = json;
    v = run(&s);
    ck_assert_msg(v->outcome == LIBRO_INVALID, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert_ptr_nonnull(strstr(v->reason, "voting"));
    ck_assert_ptr_null(v->mandate);
    libro_verification_free(v);
    libro_free(json);
    ms_done(&s);
}
END_TEST

/* Status entries stripped from a mandate (all, or the message entry), signed anyway by the
 * seat's key: credentialStatus with three entries is required on a mandate. */
START_TEST(test_stripped_status)
{
    static const char *const cut[] = {",\"credentialStatus\":", ",{\"id\":\"" NB_STATUS "msg"};
    libro_verification *v;
    struct ms s;
    char *json;
    char *p;
    size_t end;

    ms_init(&s, LIBRO_OFFICE_REPRESENTATIVE);
    json = to_json(s.m);
    s.m = mandate(LIBRO_OFFICE_REPRESENTATIVE);
    p = strstr(json, cut[_i]);
    ck_assert_ptr_nonnull(p);
    /* Cut to the end of the array, keeping "]}" (or "}" after the whole member). */
    end = strlen(json);
    ck_assert(end >= 2);
    if (_i == 0) {
        memmove(p, json + end - 1, 2);
    } else {
        memmove(p, json + end - 2, 3);
    }
    s.payload = json;
    v = run(&s);
    ck_assert_msg(v->outcome == LIBRO_INVALID, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert_ptr_nonnull(strstr(v->reason, "credentialStatus"));
    libro_verification_free(v);
    libro_free(json);
    ms_done(&s);
}
END_TEST

/* A key of the wrong kind: a mandate signed by a registry's key (an authorization, not a
 * community), and a license signed by a community's key (a charter, not an authorization). */
START_TEST(test_wrong_key_kind)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0 + 10 * DAY);
    libro_verification *v;
    libro_credential *lic;
    struct ms s;
    char *json;
    char *tok;

    ms_init(&s, LIBRO_OFFICE_CHAIR);
    libro_free(s.m->issuer);
    s.m->issuer = sdup(REG_NB);
    s.signer = k_reg_nb;
    s.kid_id = REG_NB;
    v = run(&s);
    ck_assert_msg(v->outcome == LIBRO_UNTRUSTED, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert_ptr_nonnull(strstr(v->reason, "no trusted charter or anchor for " REG_NB "#"));
    ck_assert_ptr_nonnull(strstr(v->reason, ", the community that signed the mandate"));
    ck_assert_ptr_null(v->mandate);
    libro_verification_free(v);
    ms_done(&s);

    /* The store of the last run is still there: a license signed by Neighborhood 3's key. */
    lic = new_cred(LIBRO_CRED_LICENSE, NB, NULL, "Ada Example", T0, T0 + 300 * DAY);
    lic->license_number = sdup("N3-1");
    lic->profession = sdup("nurse");
    lic->license_type = sdup("nursing-general");
    lic->scope = libro_calloc(1, sizeof *lic->scope);
    ck_assert_ptr_nonnull(lic->scope);
    lic->scope[0] = sdup("general care");
    lic->n_scope = 1;
    lic->community_id = sdup(NB);
    lic->community_level = 1;
    json = to_json(lic);
    tok = sign_raw(json, strlen(json), NB, k_nb, k_nb);
    must(libro_verify_license(&v, store, tok, strlen(tok), &opt, &err), &err, "verify");
    ck_assert_msg(v->outcome == LIBRO_UNTRUSTED, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert_ptr_nonnull(strstr(v->reason, "no trusted issuer authorization for " NB "#"));
    ck_assert_ptr_null(v->license);
    libro_verification_free(v);
    libro_free(tok);
    libro_free(json);
}
END_TEST

/* The verdict does not depend on the order of the store: a representative whose community is
 * also pinned as an anchor (its self-charter) still chains through its seat charter. */
START_TEST(test_seat_also_anchor)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verification *v;
    struct ms s;
    char *tok;

    ms_init(&s, LIBRO_OFFICE_REPRESENTATIVE);
    tok = sign_free(charter(TRIBE, TRIBE, "Tribe 12", 0, k_tribe, T0 - 100 * DAY, T0 + 300 * DAY),
                    k_tribe);
    must(libro_trust_add_anchor(store, tok, strlen(tok), NULL, NULL, &err), &err, "anchor");
    libro_free(tok);
    v = run(&s);
    ck_assert_msg(v->outcome == LIBRO_VALID, "got %s (%s)", libro_outcome_name(v->outcome),
                  v->reason);
    ck_assert_uint_eq(v->n_chain, 4);
    ck_assert(!v->chain[1].anchor);
    libro_verification_free(v);
    ms_done(&s);
}
END_TEST

/* The store keeps a mandate's words final: a newer message list may not turn "resigned",
 * "recalled" or "replaced" back to "in office" or into another word, nor switch the list to
 * the license words (whose 1 and 2 read otherwise). */
START_TEST(test_store_mandate_words_final)
{
    static const unsigned ended[] = {LIBRO_WORD_RESIGNED, LIBRO_WORD_RECALLED, LIBRO_WORD_REPLACED};
    libro_error err = LIBRO_ERROR_INIT;
    struct ms s;
    char *tok;

    ms_init(&s, LIBRO_OFFICE_CHAIR);
    s.no_msg_list = true;
    build_store(&s);
    tok = status_list(NB_STATUS "msg", LIBRO_STATUS_MESSAGE, LIBRO_WORDS_MANDATE, ended[_i],
                      s.list_from, REG_NB, k_reg_nb);
    add_token(tok);
    libro_free(tok);
    /* Back to "in office", to the next word, to the license words: each refused. */
    tok = status_list(NB_STATUS "msg", LIBRO_STATUS_MESSAGE, LIBRO_WORDS_MANDATE,
                      LIBRO_WORD_IN_OFFICE, s.list_from + 60, REG_NB, k_reg_nb);
    LIBRO_ASSERT_CODE(libro_trust_add(store, tok, strlen(tok), &err), LIBRO_ERR_DENIED, &err,
                      "which is final: not replaced");
    libro_free(tok);
    tok = status_list(NB_STATUS "msg", LIBRO_STATUS_MESSAGE, LIBRO_WORDS_MANDATE,
                      ended[(_i + 1) % 3], s.list_from + 60, REG_NB, k_reg_nb);
    LIBRO_ASSERT_CODE(libro_trust_add(store, tok, strlen(tok), &err), LIBRO_ERR_DENIED, &err,
                      "which is final: not replaced");
    libro_free(tok);
    tok = status_list(NB_STATUS "msg", LIBRO_STATUS_MESSAGE, LIBRO_WORDS_LICENSE, ended[_i],
                      s.list_from + 60, REG_NB, k_reg_nb);
    LIBRO_ASSERT_CODE(libro_trust_add(store, tok, strlen(tok), &err), LIBRO_ERR_DENIED, &err,
                      "would change its words from the mandate to the license words");
    libro_free(tok);
    /* The same word again, later: kept. */
    tok = status_list(NB_STATUS "msg", LIBRO_STATUS_MESSAGE, LIBRO_WORDS_MANDATE, ended[_i],
                      s.list_from + 60, REG_NB, k_reg_nb);
    must(libro_trust_add(store, tok, strlen(tok), &err), &err, "same word");
    libro_free(tok);
    ms_done(&s);
}
END_TEST

/* Out of memory at every allocation in turn, for each office, through the whole pipeline up
 * to an ENDED verdict read from the message list (a leader's search for its circle's charter
 * too): each failure is LIBRO_ERR_NOMEM with no verification, never a wrong verdict. */
START_TEST(test_verify_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0 + 10 * DAY);
    libro_verification *v = NULL;
    libro_code rc = LIBRO_ERR_NOMEM;
    unsigned long n;
    struct ms s;

    ms_init(&s, office_of(_i));
    t_recalled(&s);
    v = run(&s); /* builds the store and the token; the memo starts empty again below */
    ck_assert_int_eq(v->outcome, LIBRO_ENDED);
    libro_verification_free(v);
    v = NULL;
    libro_trust_free(store);
    store = NULL;
    must(libro_trust_open(&store, store_dir, &err), &err, "reopen");
    for (n = 1; n < 10000 && rc != LIBRO_OK; n++) {
        libro__alloc_fail_after(n);
        rc = libro_verify_license(&v, store, s.token, strlen(s.token), &opt, &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, NULL);
            ck_assert_ptr_null(v);
        } else {
            ck_assert_msg(v->outcome == LIBRO_ENDED, "allocation %lu: verdict %s (%s)", n,
                          libro_outcome_name(v->outcome), v->reason);
        }
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 10);
    ck_assert_str_eq(v->reason, "mandate ended: recalled (message list of 2026-01-10T21:00:00Z)");
    libro_verification_free(v);
    ms_done(&s);
}
END_TEST

/* ---- QR ------------------------------------------------------------------------------------- */

/* Each office's mandate as LB2 at level M: within version 12 (docs/formats.md), drawn as a
 * PNG, read back by zbar to the same JWS, and that verifies. */
#define MANDATE_QR_MAX_VERSION 17

START_TEST(test_qr_png)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0 + 10 * DAY);
    libro_qr_options qo = LIBRO_QR_OPTIONS_INIT;
    libro_office office = office_of(_i);
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_buf scanned = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    libro_image *img = NULL;
    libro_verification *v = NULL;
    struct ms s;
    int version = 0;

    ms_init(&s, office);
    v = run(&s);
    ck_assert_int_eq(v->outcome, LIBRO_VALID);
    libro_verification_free(v);
    v = NULL;
    must(libro_lb1_encode_format(&text, LIBRO_LB_CURRENT, s.token, strlen(s.token), &err), &err,
         "lb2");
    must(libro_qr_render(&png, &version, (const char *) text.data, text.len, LIBRO_QR_PNG, &qo,
                         &err),
         &err, "qr");
    fprintf(stderr, "qr: %s mandate: %zu chars JWS, %zu chars %.3s, QR version %d at level M\n",
            libro_office_name(office), strlen(s.token), text.len, (const char *) text.data,
            version);
    ck_assert_int_le(version, MANDATE_QR_MAX_VERSION);
    must(libro_image_decode(&img, png.data, png.len, &err), &err, "png");
    must(libro_scan_image(&scanned, img, &err), &err, "scan");
    must(libro_scan_text(&back, (const char *) scanned.data, scanned.len, &err), &err, "unpack");
    ck_assert_str_eq((const char *) back.data, s.token);
    must(libro_verify_license(&v, store, (const char *) back.data, back.len, &opt, &err), &err,
         "verify");
    ck_assert_int_eq(v->outcome, LIBRO_VALID);
    libro_verification_free(v);
    libro_image_free(img);
    libro_buf_free(&text);
    libro_buf_free(&png);
    libro_buf_free(&scanned);
    libro_buf_free(&back);
    ms_done(&s);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("verify_mandate");
    TCase *verdicts = tcase_create("verdicts");
    TCase *rules = tcase_create("rules");
    TCase *qr = tcase_create("qr");

    tcase_add_checked_fixture(verdicts, setup, teardown);
    plan_runs();
    tcase_add_loop_test(verdicts, test_verdicts, 0, (int) n_runs);
    tcase_add_checked_fixture(rules, setup, teardown);
    tcase_add_loop_test(rules, test_wrong_signer, 0, (int) LIBRO_NELEM(wrong_signers));
    tcase_add_test(rules, test_seat_charter_expired);
    tcase_add_test(rules, test_chair_voting);
    tcase_add_loop_test(rules, test_stripped_status, 0, 2);
    tcase_add_test(rules, test_wrong_key_kind);
    tcase_add_test(rules, test_seat_also_anchor);
    tcase_add_loop_test(rules, test_store_mandate_words_final, 0, 3);
    tcase_add_loop_test(rules, test_verify_oom, 0, 3);
    tcase_add_checked_fixture(qr, setup, teardown);
    tcase_add_loop_test(qr, test_qr_png, 0, 3);
    suite_add_tcase(s, verdicts);
    suite_add_tcase(s, rules);
    suite_add_tcase(s, qr);
    return s;
}
