/* Suite for the offline verification of agreements, laws and LBR references
 * (verifier/src/verify.c libro_verify_document, chain.c's community walk, index.c's synced
 * registry index): every verdict against a real trust store. Agreements: COMPLETE, PARTIAL
 * naming who has not signed, INVALID (a key that is no party's), the framing community
 * trusted or not (shown, never the verdict), the term (EXPIRED, NOT YET VALID), the registry's
 * ENDED and SUPERSEDED (and an end by notice that takes effect later), a registry of another
 * community or one no longer trusted, which say nothing. Laws: IN FORCE, UNDER REVIEW past the
 * review date, NOT YET VALID, REPEALED by the registry, UNTRUSTED (an unknown community key, a
 * level the charter does not give), INVALID (a forged signature), a law over the license token
 * cap. References: from text and from a PNG QR code, each state, unknown before a sync,
 * INVALID when malformed. The registry index is the file libro sync writes
 * (index/<sha256 hex of the URL>.json), written here as sync would and read by a new open.
 *
 * The communities: Town 7 (level 2) is the pinned anchor and charters Neighborhood 3 (level
 * 1), whose registry (authorized by Neighborhood 3) lists agreements and laws; Town 8 is no
 * anchor and charters Neighborhood 9. Each test gets a fresh store in a mkdtemp directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/agreement.h"
#include "libro/consent.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/jws.h"
#include "libro/lbr.h"
#include "libro/qr.h"
#include "libro/registry.h"
#include "libro/registry_client.h"
#include "libro/scan.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "test_creds.h"
#include "test_law.h"
#include "test_roundtable.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define T0 INT64_C(1767225600)    /* 2026-01-01T00:00:00Z */
#define T2027 INT64_C(1798761600) /* 2027-01-01T00:00:00Z */
#define NOW (T2027 + 100 * DAY)   /* 2027-04-11: within the agreement's term and the law's */
#define TOWN "urn:libro:town-7"
#define TOWN8 "urn:libro:town-8"
#define NB "urn:libro:neighborhood-3"
#define NB9 "urn:libro:neighborhood-9"
#define REG NB ":registry"
#define REG_URL "https://registry.neighborhood-3.example"
#define LAW_ID NB ":law:quiet-hours"
#define N_PARTIES 3

static char tmp_root[64];
static char store_dir[128];
static libro_trust *store;
static libro_key *k_town;
static libro_key *k_town8;
static libro_key *k_nb;
static libro_key *k_nb9;
static libro_key *k_reg;
static libro_key *k_party[N_PARTIES];
static libro_key *k_outsider;
static char *party_id[N_PARTIES];

static void
gen(libro_key **k)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_key_generate(k, LIBRO_ALG_ED25519, &err), &err, "key");
}

static void
add(const char *jws)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_trust_add(store, jws, strlen(jws), &err), &err, "trust add");
}

static void
reopen(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    libro_trust_free(store);
    store = NULL;
    must(libro_trust_open(&store, store_dir, &err), &err, "store");
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    char *anchor;
    char *nb;
    char *nb9;
    int n;

    memcpy(tmp_root, "/tmp/libro-doc-XXXXXX", sizeof "/tmp/libro-doc-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_root));
    n = snprintf(store_dir, sizeof store_dir, "%s/libro", tmp_root);
    ck_assert(n > 0 && (size_t) n < sizeof store_dir);
    must(libro_trust_open(&store, store_dir, &err), &err, "store");
    gen(&k_town);
    gen(&k_town8);
    gen(&k_nb);
    gen(&k_nb9);
    gen(&k_reg);
    gen(&k_outsider);
    for (int i = 0; i < N_PARTIES; i++) {
        gen(&k_party[i]);
        libro_buf_clear(&did);
        must(libro_key_to_did(&did, k_party[i], &err), &err, "did");
        party_id[i] = sdup((const char *) did.data);
    }
    libro_buf_free(&did);
    anchor = rt_charter(TOWN, TOWN, "Town 7", 2, T0 - 400 * DAY, T0 + 3000 * DAY, k_town, k_town);
    nb = rt_charter(TOWN, NB, "Neighborhood 3", 1, T0 - 300 * DAY, T0 + 2500 * DAY, k_nb, k_town);
    nb9 = rt_charter(TOWN8, NB9, "Neighborhood 9", 1, T0 - 300 * DAY, T0 + 2500 * DAY, k_nb9,
                     k_town8);
    must(libro_trust_add_anchor(store, anchor, strlen(anchor), NULL, NULL, &err), &err, "anchor");
    add(nb);
    add(nb9);
    libro_free(anchor);
    libro_free(nb);
    libro_free(nb9);
}

static void
teardown(void)
{
    libro_trust_free(store);
    store = NULL;
    libro_key_free(k_town);
    libro_key_free(k_town8);
    libro_key_free(k_nb);
    libro_key_free(k_nb9);
    libro_key_free(k_reg);
    libro_key_free(k_outsider);
    k_town = k_town8 = k_nb = k_nb9 = k_reg = k_outsider = NULL;
    for (int i = 0; i < N_PARTIES; i++) {
        libro_key_free(k_party[i]);
        libro_free(party_id[i]);
        k_party[i] = NULL;
        party_id[i] = NULL;
    }
    libro_test_rm_rf(tmp_root);
}

/* ---- documents ----------------------------------------------------------------------------- */

/* The agreement framed by `community` (of level 1), over 2027-01-01 for two years. */
static libro_credential *
agreement_cred(const char *community)
{
    static const char *const names[N_PARTIES] = {"Ada Example", "Bo Example", "Cy Example"};
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    must(libro_credential_new(&c, LIBRO_CRED_AGREEMENT, &err), &err, "new");
    c->issuer = sdup(party_id[0]);
    c->valid_from = T2027;
    c->valid_until = T2027 + 730 * DAY - 1;
    c->title = sdup("Shared use of the Tribe 2 workshop");
    c->community_id = sdup(community);
    c->community_level = 1;
    c->notice_days = 30;
    c->parties = libro_calloc(N_PARTIES, sizeof *c->parties);
    ck_assert_ptr_nonnull(c->parties);
    c->n_parties = N_PARTIES;
    for (int i = 0; i < N_PARTIES; i++) {
        libro_party *p = &c->parties[i];

        p->id = sdup(party_id[i]);
        p->name = sdup(names[i]);
        p->role = sdup(i == 0 ? "tenant" : "neighbor");
        p->key = public_of(k_party[i]);
        p->responsibilities = libro_calloc(1, sizeof *p->responsibilities);
        ck_assert_ptr_nonnull(p->responsibilities);
        p->responsibilities[0] = sdup("keep the workshop tidy");
        p->n_responsibilities = 1;
    }
    return c;
}

/* The document of agreement_cred(community) signed by the parties whose bit is set in `who`
 * (bit N_PARTIES: the outsider, signing anyway), into `out`. */
static void
agreement_doc(libro_buf *out, const char *community, unsigned who)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = agreement_cred(community);
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf next = LIBRO_BUF_INIT;

    must(libro_agreement_draft(&doc, c, &err), &err, "draft");
    for (unsigned i = 0; i < N_PARTIES; i++) {
        if ((who & (1u << i)) == 0) {
            continue;
        }
        libro_buf_clear(&next);
        must(libro_agreement_sign(&next, (const char *) doc.data, doc.len, k_party[i], &err), &err,
             "sign");
        libro_buf_clear(&doc);
        must(libro_buf_append(&doc, next.data, next.len, &err), &err, "copy");
    }
    if ((who & (1u << N_PARTIES)) != 0) {
        /* The outsider's signature, spliced in by hand: libro_agreement_sign refuses it. */
        libro_buf kid = LIBRO_BUF_INIT;
        libro_buf one = LIBRO_BUF_INIT;
        const char *pay = strstr((const char *) doc.data, "\"payload\":\"") + 11;
        size_t pay_len = (size_t) (strchr(pay, '"') - pay);
        const char *sigs = strstr((const char *) doc.data, "\"signatures\":[") + 14;
        const char *dot;

        must(libro_kid_for(&kid, "urn:libro:outsider", k_outsider, &err), &err, "kid");
        {
            libro_buf raw = LIBRO_BUF_INIT;

            /* Over the document's payload, as a party's would be. */
            must(libro_b64url_decode(&raw, pay, pay_len, &err), &err, "payload");
            must(libro_jws_sign_compact_ex(&one, k_outsider, (const char *) kid.data, "vc+jwt",
                                           raw.data, raw.len, LIBRO_MAX_LAW_TOKEN_BYTES,
                                           LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES, &err),
                 &err, "outsider sign");
            libro_buf_free(&raw);
        }
        dot = strrchr((const char *) one.data, '.');
        libro_buf_clear(&next);
        must(libro_buf_append(&next, doc.data, (size_t) (sigs - (const char *) doc.data), &err),
             &err, "splice");
        must(
            libro_buf_printf(&next, &err, "{\"protected\":\"%.*s\",\"signature\":\"%s\"}%s",
                             (int) (strchr((const char *) one.data, '.') - (const char *) one.data),
                             (const char *) one.data, dot + 1, sigs[0] == ']' ? "" : ","),
            &err, "splice");
        must(libro_buf_append_str(&next, sigs, &err), &err, "splice");
        libro_buf_clear(&doc);
        must(libro_buf_append(&doc, next.data, next.len, &err), &err, "copy");
        libro_buf_free(&kid);
        libro_buf_free(&one);
    }
    libro_buf_clear(out);
    must(libro_buf_append(out, doc.data, doc.len, &err), &err, "out");
    libro_credential_free(c);
    libro_buf_free(&doc);
    libro_buf_free(&next);
}

/* A CommunityLaw of Neighborhood 3 (the schema's example), adopted at T2027 + 59 days with its
 * review date a year on, `text` its text (NULL: the example's), signed by `k` under the kid
 * of `issuer`, of community level `level`. */
static char *
law_token(const char *issuer, const libro_key *k, int level, const char *text)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    char *out;

    libro_test_read(&raw, libro_test_data_dir(), "../../schemas/examples/community-law.json");
    must(libro_credential_parse(&c, raw.data, raw.len, &err), &err, "example law");
    libro_free(c->issuer);
    c->issuer = sdup(issuer);
    libro_free(c->community_id);
    c->community_id = sdup(issuer);
    c->community_level = level;
    c->valid_from = T2027 + 59 * DAY;
    c->valid_until = T2027 + 424 * DAY;
    if (text != NULL) {
        libro_free(c->text);
        c->text = sdup(text);
    }
    must(libro_credential_to_json(&payload, c, &err), &err, "law json");
    must(libro_kid_for(&kid, issuer, k, &err), &err, "kid");
    must(libro_jws_sign_compact_ex(&tok, k, (const char *) kid.data, "vc+jwt", payload.data,
                                   payload.len, LIBRO_MAX_LAW_TOKEN_BYTES,
                                   LIBRO_MAX_LAW_PAYLOAD_BYTES, &err),
         &err, "sign law");
    out = sdup((const char *) tok.data);
    libro_credential_free(c);
    libro_buf_free(&raw);
    libro_buf_free(&payload);
    libro_buf_free(&kid);
    libro_buf_free(&tok);
    return out;
}

/* ---- the registry index -------------------------------------------------------------------- */

/* Neighborhood 3's registry authorization (signed by `signer_key` as `community`) in the
 * store, and the index file of its sync listing hash `hash` as `law` in `state` since
 * `since`; then a new open of the store reads it. */
static void
index_of(const char *community, const libro_key *signer_key, const char *hash, bool law,
         const char *state, int64_t since)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *auth = new_cred(LIBRO_CRED_REGISTRY_AUTH, community, REG, "Registry",
                                      T0 - 200 * DAY, T0 + 2000 * DAY);
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    char when[LIBRO_TIME_TEXT_MAX];
    unsigned char d[32];
    libro_buf hex = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    char path[400];
    char *tok;

    auth->subject_key = public_of(k_reg);
    tok = sign(auth, signer_key);
    add(tok);
    must(libro_key_thumbprint(tp, k_reg, &err), &err, "tp");
    must(libro_time_format(when, since, &err), &err, "time");
    must(libro_sha256(d, REG_URL, strlen(REG_URL), &err), &err, "sha");
    must(libro_hex_encode(&hex, d, sizeof d, &err), &err, "hex");
    ck_assert_int_gt(snprintf(path, sizeof path, "%s/index", store_dir), 0);
    (void) mkdir(path, 0700);
    ck_assert_int_gt(
        snprintf(path, sizeof path, "%s/index/%s.json", store_dir, (const char *) hex.data), 0);
    must(libro_buf_printf(&text, &err,
                          "{\"url\":\"" REG_URL "\",\"registry\":\"" REG "\",\"key\":\"%s\","
                          "\"community\":\"%s\",\"issued\":\"2027-04-01T00:00:00.000Z\","
                          "\"agreements\":[%s%s%s%s%s%s%s],\"laws\":[%s%s%s%s%s%s%s]}",
                          tp, community, law ? "" : "{\"hash\":\"", law ? "" : hash,
                          law ? "" : "\",\"state\":\"", law ? "" : state,
                          law ? "" : "\",\"since\":\"", law ? "" : when, law ? "" : "\"}",
                          !law ? "" : "{\"hash\":\"", !law ? "" : hash,
                          !law ? "" : "\",\"state\":\"", !law ? "" : state,
                          !law ? "" : "\",\"since\":\"", !law ? "" : when, !law ? "" : "\"}"),
         &err, "index");
    must(libro_file_write_atomic(path, text.data, text.len, 0644, &err), &err, "write index");
    reopen();
    libro_credential_free(auth);
    libro_free(tok);
    libro_buf_free(&hex);
    libro_buf_free(&text);
}

static libro_verification *
verify_at(const char *doc, size_t len, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(now);
    libro_verification *v = NULL;

    opt.at = true;
    must(libro_verify_document(&v, store, doc, len, &opt, &err), &err, "verify");
    ck_assert_ptr_nonnull(v);
    return v;
}

static void
expect(const libro_verification *v, libro_outcome want, int exit_code, const char *reason_part)
{
    ck_assert_msg(v->outcome == want, "outcome %s (%s), want %s", libro_outcome_name(v->outcome),
                  v->reason, libro_outcome_name(want));
    ck_assert_int_eq(libro_outcome_exit_code(v->outcome), exit_code);
    if (reason_part != NULL) {
        ck_assert_msg(strstr(v->reason, reason_part) != NULL, "reason \"%s\" lacks \"%s\"",
                      v->reason, reason_part);
    }
}

/* Verify doc at `now` and expect the verdict (expect), nothing more. */
static void
verdict_of(const libro_buf *doc, int64_t now, libro_outcome want, int exit_code,
           const char *reason_part)
{
    libro_verification *v = verify_at((const char *) doc->data, doc->len, now);

    expect(v, want, exit_code, reason_part);
    libro_verification_free(v);
}

/* ---- agreements ---------------------------------------------------------------------------- */

START_TEST(test_agreement_complete)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_verification *v;
    char hash[LIBRO_HASH_REF_SIZE];

    agreement_doc(&doc, NB, 7);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert_str_eq(v->reason, "");
    must(libro_hash_ref(hash, doc.data, doc.len, &err), &err, "hash");
    ck_assert_str_eq(v->hash, hash);
    ck_assert_ptr_nonnull(v->agreement);
    ck_assert_uint_eq(v->agreement->n_signed, N_PARTIES);
    /* The framing community, by its verified charter, chained to the pinned town. */
    ck_assert(v->community_trusted);
    ck_assert_str_eq(v->community_name, "Neighborhood 3");
    ck_assert_uint_eq(v->n_chain, 2);
    ck_assert(v->chain[1].anchor);
    /* No registry has said anything: no state, and the advice. */
    ck_assert(!v->registered);
    ck_assert_str_eq(v->reg_note, "not in the trust store: sync its registry (libro sync URL)");
    libro_verification_free(v);
    /* Surrounding whitespace does not change the verdict. */
    must(libro_buf_append_str(&doc, "\n", &err), &err, "newline");
    verdict_of(&doc, NOW, LIBRO_COMPLETE, 0, NULL);
    libro_buf_free(&doc);
}
END_TEST

/* Each party missing in turn: PARTIAL, exit 9, the missing one named. */
START_TEST(test_agreement_partial)
{
    static const char *const names[N_PARTIES] = {"Ada Example", "Bo Example", "Cy Example"};
    libro_buf doc = LIBRO_BUF_INIT;
    libro_verification *v;
    char want[128];

    for (int missing = 0; missing < N_PARTIES; missing++) {
        agreement_doc(&doc, NB, 7u & ~(1u << missing));
        v = verify_at((const char *) doc.data, doc.len, NOW);
        ck_assert_int_gt(
            snprintf(want, sizeof want, "2 of 3 parties signed; not yet: %s", names[missing]), 0);
        expect(v, LIBRO_PARTIAL, 9, want);
        ck_assert(!v->agreement->signed_by[missing]);
        libro_verification_free(v);
    }
    /* The draft: nobody has signed. */
    agreement_doc(&doc, NB, 0);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_PARTIAL, 9,
           "0 of 3 parties signed; not yet: Ada Example, Bo Example, Cy Example");
    libro_verification_free(v);
    libro_buf_free(&doc);
}
END_TEST

START_TEST(test_agreement_invalid)
{
    libro_buf doc = LIBRO_BUF_INIT;
    libro_verification *v;

    /* A signature by a key that is no party's, beside all the parties'. */
    agreement_doc(&doc, NB, 7u | (1u << N_PARTIES));
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_INVALID, 1, "agreement: signature 0: urn:libro:outsider is not a party");
    ck_assert_ptr_null(v->agreement);
    ck_assert_str_ne(v->hash, "");
    libro_verification_free(v);
    /* Not JSON at all. */
    v = verify_at("{\"payload\":", 11, NOW);
    expect(v, LIBRO_INVALID, 1, "jws: json: ");
    libro_verification_free(v);
    libro_buf_free(&doc);
}
END_TEST

/* A community the store does not trust is shown as such; the parties' signatures decide. */
START_TEST(test_agreement_community)
{
    libro_buf doc = LIBRO_BUF_INIT;
    libro_verification *v;

    agreement_doc(&doc, NB9, 7);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert(!v->community_trusted);
    ck_assert_msg(strstr(v->community_why, "no trusted anchor or charter for " TOWN8) != NULL, "%s",
                  v->community_why);
    libro_verification_free(v);
    agreement_doc(&doc, "urn:libro:neighborhood-77", 7);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert(!v->community_trusted);
    ck_assert_str_eq(v->community_why,
                     "community urn:libro:neighborhood-77 is not in the trust store");
    ck_assert_ptr_null(v->community_name);
    libro_verification_free(v);
    libro_buf_free(&doc);
}
END_TEST

START_TEST(test_agreement_term)
{
    libro_buf doc = LIBRO_BUF_INIT;

    agreement_doc(&doc, NB, 7);
    verdict_of(&doc, T2027 + 800 * DAY, LIBRO_EXPIRED, 3, "agreement expired 2028-12-30T23:59:59Z");
    verdict_of(&doc, T2027 - DAY, LIBRO_NOT_YET_VALID, 3,
               "agreement is not valid before 2027-01-01T00:00:00Z");
    libro_buf_free(&doc);
}
END_TEST

/* The registry's word, from its synced index. */
START_TEST(test_agreement_registry)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_verification *v;
    char hash[LIBRO_HASH_REF_SIZE];

    agreement_doc(&doc, NB, 7);
    must(libro_hash_ref(hash, doc.data, doc.len, &err), &err, "hash");

    index_of(NB, k_nb, hash, false, "in force", T2027);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert(v->registered);
    ck_assert_int_eq(v->reg_state, LIBRO_DOC_IN_FORCE);
    ck_assert_str_eq(v->reg_registry, REG);
    ck_assert_str_eq(v->reg_url, REG_URL);
    libro_verification_free(v);

    index_of(NB, k_nb, hash, false, "ended", NOW - DAY);
    verdict_of(&doc, NOW, LIBRO_ENDED, 4,
               "agreement ended 2027-04-10T00:00:00Z (registry " REG
               ", synced 2027-04-01T00:00:00.000Z)");

    /* Ended by notice from a date to come: in force until then. */
    index_of(NB, k_nb, hash, false, "ended", NOW + 30 * DAY);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert(v->registered);
    ck_assert_int_eq(v->reg_state, LIBRO_DOC_ENDED);
    ck_assert_int_eq(v->reg_since, NOW + 30 * DAY);
    libro_verification_free(v);
    verdict_of(&doc, NOW + 31 * DAY, LIBRO_ENDED, 4, "agreement ended 2027-05-11");

    index_of(NB, k_nb, hash, false, "superseded", NOW - DAY);
    verdict_of(&doc, NOW, LIBRO_SUPERSEDED, 4,
               "agreement superseded by an amended version 2027-04-10");
    libro_buf_free(&doc);
}
END_TEST

/* A registry of another community, or one that no longer chains to an anchor, says nothing. */
START_TEST(test_agreement_registry_not_heard)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_verification *v;
    char hash[LIBRO_HASH_REF_SIZE];
    size_t removed = 0;

    agreement_doc(&doc, NB9, 7);
    must(libro_hash_ref(hash, doc.data, doc.len, &err), &err, "hash");
    /* Neighborhood 3's registry lists an agreement framed by Neighborhood 9. */
    index_of(NB, k_nb, hash, false, "ended", NOW - DAY);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert(!v->registered);
    ck_assert_str_eq(v->reg_note,
                     "no registry state: only registries of other communities list it");
    libro_verification_free(v);

    /* Neighborhood 3's own, whose authorization the store then drops. */
    agreement_doc(&doc, NB, 7);
    must(libro_hash_ref(hash, doc.data, doc.len, &err), &err, "hash");
    index_of(NB, k_nb, hash, false, "ended", NOW - DAY);
    verdict_of(&doc, NOW, LIBRO_ENDED, 4, NULL);
    must(libro_trust_remove(store, REG, &removed, &err), &err, "remove");
    ck_assert_uint_eq(removed, 1);
    v = verify_at((const char *) doc.data, doc.len, NOW);
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert_msg(strstr(v->reg_note, "no registry state: registry " REG ": ") != NULL, "%s",
                  v->reg_note);
    libro_verification_free(v);
    libro_buf_free(&doc);
}
END_TEST

/* The index files the store reads: a damaged one, or one under another registry's name,
 * stops the open naming it (a store is never half-read); a store without index/ has none. */
START_TEST(test_index_files)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;
    char path[400];
    char other[400];
    libro_doc_entry e;

    index_of(NB, k_nb,
             "sha256:"
             "1111111111111111111111111111111111111111111111111111111111111111",
             false, "ended", NOW);
    ck_assert_uint_eq(libro_trust_doc_find(&e, 1, store, false,
                                           "sha256:"
                                           "1111111111111111111111111111111111111111111111111111"
                                           "111111111111"),
                      1);
    {
        unsigned char d[32];
        libro_buf hex = LIBRO_BUF_INIT;

        must(libro_sha256(d, REG_URL, strlen(REG_URL), &err), &err, "sha");
        must(libro_hex_encode(&hex, d, sizeof d, &err), &err, "hex");
        ck_assert_int_gt(
            snprintf(path, sizeof path, "%s/index/%s.json", store_dir, (const char *) hex.data), 0);
        libro_buf_free(&hex);
    }
    ck_assert_int_gt(snprintf(other, sizeof other, "%s/index/%064d.json", store_dir, 0), 0);
    ck_assert_int_eq(rename(path, other), 0);
    LIBRO_ASSERT_CODE(libro_trust_open(&t, store_dir, &err), LIBRO_ERR_PARSE, &err,
                      "name does not match contents");
    ck_assert_ptr_null(t);
    ck_assert_int_eq(rename(other, path), 0);
    must(libro_file_write_atomic(path, "{\"url\":1}", 9, 0644, &err), &err, "damage");
    LIBRO_ASSERT_CODE(libro_trust_open(&t, store_dir, &err), LIBRO_ERR_PARSE, &err,
                      "not an index of agreements and laws");
    ck_assert_msg(strstr(err.msg, "/index/") != NULL, "%s", err.msg);
    ck_assert_int_eq(unlink(path), 0);
    must(libro_trust_open(&t, store_dir, &err), &err, "open without the file");
    libro_trust_free(t);
}
END_TEST

/* ---- laws -------------------------------------------------------------------------------- */

START_TEST(test_law_verdicts)
{
    char *law = law_token(NB, k_nb, 1, NULL);
    libro_verification *v;

    v = verify_at(law, strlen(law), NOW);
    expect(v, LIBRO_IN_FORCE, 0, NULL);
    ck_assert_ptr_nonnull(v->law);
    ck_assert_str_eq(v->law->subject_id, LAW_ID);
    ck_assert_str_eq(v->community_name, "Neighborhood 3");
    ck_assert_uint_eq(v->n_chain, 3); /* the law, Neighborhood 3, Town 7 */
    ck_assert_int_eq(v->chain[0].type, LIBRO_CRED_LAW);
    ck_assert_str_eq(v->chain[0].name, "Quiet hours");
    ck_assert(v->chain[2].anchor);
    libro_verification_free(v);

    v = verify_at(law, strlen(law), T2027 + 500 * DAY);
    expect(v, LIBRO_UNDER_REVIEW, 3, "law past its review date 2028-02-29T00:00:00Z");
    libro_verification_free(v);
    v = verify_at(law, strlen(law), T2027);
    expect(v, LIBRO_NOT_YET_VALID, 3, "law is not valid before 2027-03-01");
    libro_verification_free(v);
    libro_free(law);
}
END_TEST

START_TEST(test_law_refused)
{
    char *law;
    libro_verification *v;
    char *dot;

    /* Signed by a key the store does not hold for the community. */
    law = law_token(NB, k_outsider, 1, NULL);
    v = verify_at(law, strlen(law), NOW);
    expect(v, LIBRO_UNTRUSTED, 6, ", the community that signed the law");
    libro_verification_free(v);
    libro_free(law);
    /* A community whose charter does not chain to the anchor. */
    law = law_token(NB9, k_nb9, 1, NULL);
    v = verify_at(law, strlen(law), NOW);
    expect(v, LIBRO_UNTRUSTED, 6, "no trusted anchor or charter for " TOWN8);
    libro_verification_free(v);
    libro_free(law);
    /* A level its community's charter does not give. */
    law = law_token(NB, k_nb, 2, NULL);
    v = verify_at(law, strlen(law), NOW);
    expect(v, LIBRO_UNTRUSTED, 6, "the law names community " NB " at level 2");
    libro_verification_free(v);
    libro_free(law);
    /* A forged signature. */
    law = law_token(NB, k_nb, 1, NULL);
    dot = strrchr(law, '.');
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    v = verify_at(law, strlen(law), NOW);
    expect(v, LIBRO_INVALID, 1, "signature");
    ck_assert_ptr_null(v->law);
    libro_verification_free(v);
    libro_free(law);
}
END_TEST

/* A law of 15 KiB of text: over a license's token cap, within a law's. */
START_TEST(test_law_large)
{
    char *text = libro_malloc(15 * 1024 + 1);
    char *law;
    libro_verification *v;

    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < 15 * 1024; i++) {
        text[i] = (char) ('a' + i % 26);
    }
    text[15 * 1024] = '\0';
    law = law_token(NB, k_nb, 1, text);
    ck_assert_uint_gt(strlen(law), LIBRO_MAX_TOKEN_BYTES);
    v = verify_at(law, strlen(law), NOW);
    expect(v, LIBRO_IN_FORCE, 0, NULL);
    libro_verification_free(v);
    libro_free(law);
    libro_free(text);
}
END_TEST

START_TEST(test_law_repealed)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *law = law_token(NB, k_nb, 1, NULL);
    libro_verification *v;
    char hash[LIBRO_HASH_REF_SIZE];

    must(libro_hash_ref(hash, law, strlen(law), &err), &err, "hash");
    index_of(NB, k_nb, hash, true, "repealed", NOW - DAY);
    v = verify_at(law, strlen(law), NOW);
    expect(v, LIBRO_REPEALED, 4, "law repealed or replaced by a newer version 2027-04-10");
    ck_assert_str_eq(v->hash, hash);
    libro_verification_free(v);
    /* Repealed beats under review: final. */
    v = verify_at(law, strlen(law), T2027 + 500 * DAY);
    expect(v, LIBRO_REPEALED, 4, NULL);
    libro_verification_free(v);
    libro_free(law);
}
END_TEST

/* ---- references ----------------------------------------------------------------------------- */

START_TEST(test_reference)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf ref = LIBRO_BUF_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_buf scanned = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_qr_options qo = LIBRO_QR_OPTIONS_INIT;
    libro_image *img = NULL;
    libro_verification *v;
    char hash[LIBRO_HASH_REF_SIZE];
    char *law = law_token(NB, k_nb, 1, NULL);
    int version = 0;

    agreement_doc(&doc, NB, 7);
    must(libro_hash_ref(hash, doc.data, doc.len, &err), &err, "hash");
    must(libro_lbr_encode(&ref, LIBRO_LBR_AGREEMENT, hash, &err), &err, "lbr");
    /* Before any sync: the state is unknown. */
    v = verify_at((const char *) ref.data, ref.len, NOW);
    expect(v, LIBRO_STATUS_UNKNOWN, 7, "not in the trust store: sync its registry");
    ck_assert_int_eq(v->reference, LIBRO_LBR_AGREEMENT);
    ck_assert_str_eq(v->hash, hash);
    libro_verification_free(v);

    index_of(NB, k_nb, hash, false, "in force", T2027);
    v = verify_at((const char *) ref.data, ref.len, NOW);
    expect(v, LIBRO_IN_FORCE, 0, NULL);
    ck_assert(v->registered);
    libro_verification_free(v);
    /* The same hash named as a law is another document. */
    libro_buf_clear(&text);
    must(libro_lbr_encode(&text, LIBRO_LBR_LAW, hash, &err), &err, "lbr law");
    verdict_of(&text, NOW, LIBRO_STATUS_UNKNOWN, 7, NULL);

    /* From a QR code in a PNG image. */
    index_of(NB, k_nb, hash, false, "superseded", NOW - DAY);
    must(libro_qr_render(&png, &version, (const char *) ref.data, ref.len, LIBRO_QR_PNG, &qo, &err),
         &err, "qr");
    fprintf(stderr, "qr: LBR reference: %zu chars, QR version %d at level M\n", ref.len, version);
    ck_assert_int_le(version, 12);
    must(libro_image_decode(&img, png.data, png.len, &err), &err, "png");
    must(libro_scan_image(&scanned, img, &err), &err, "scan");
    ck_assert_uint_eq(scanned.len, ref.len);
    must(libro_scan_text(&text, (const char *) scanned.data, scanned.len, &err), &err, "text");
    verdict_of(&scanned, NOW, LIBRO_SUPERSEDED, 4, "agreement superseded by an amended version");

    /* A law's reference. */
    must(libro_hash_ref(hash, law, strlen(law), &err), &err, "law hash");
    index_of(NB, k_nb, hash, true, "repealed", NOW - DAY);
    libro_buf_clear(&ref);
    must(libro_lbr_encode(&ref, LIBRO_LBR_LAW, hash, &err), &err, "lbr");
    verdict_of(&ref, NOW, LIBRO_REPEALED, 4, "law repealed");

    /* NULL with a length; a law with whitespace around it, as pasted. */
    {
        libro_verify_options o = LIBRO_VERIFY_OPTIONS_INIT(NOW);
        libro_buf padded = LIBRO_BUF_INIT;

        LIBRO_ASSERT_CODE(libro_verify_document(&v, store, NULL, 3, &o, &err),
                          LIBRO_ERR_INVALID_ARG, &err, "NULL");
        ck_assert_ptr_null(v);
        must(libro_buf_printf(&padded, &err, "\n  %s\n", law), &err, "pad");
        v = verify_at((const char *) padded.data, padded.len, NOW);
        ck_assert_ptr_nonnull(v->law);
        libro_verification_free(v);
        libro_buf_free(&padded);
    }

    /* Malformed. */
    v = verify_at("LBR:%%", 6, NOW);
    expect(v, LIBRO_INVALID, 1, NULL);
    ck_assert_int_eq(v->reference, 0);
    libro_verification_free(v);

    libro_image_free(img);
    libro_free(law);
    libro_buf_free(&doc);
    libro_buf_free(&ref);
    libro_buf_free(&png);
    libro_buf_free(&scanned);
    libro_buf_free(&text);
}
END_TEST

/* ---- the consent record ------------------------------------------------------------------- */

#define PROCESS NB ":law:quiet-hours"
#define HOUR INT64_C(3600)
#define STEP_T (T2027 + 10 * DAY)
#define REVIEW (T2027 + 400 * DAY)
#define MAX_STEPS 4

/* Neighborhood 3's roundtable: Ada (tribe 1) and Bo (tribe 2) represent, Cy chairs; their
 * mandates, signed by the tribes (charters in the store, from Neighborhood 3) and by
 * Neighborhood 3, in the seats' order. Then a process: Ada proposes, Ada and Bo consent. */
struct record_fixture {
    libro_key *k_tribe[2];
    char *mandates[3];
    char *steps[MAX_STEPS];
    size_t n_steps;
    char hashes[MAX_STEPS][LIBRO_HASH_REF_SIZE];
};

static void
record_setup(struct record_fixture *rf)
{
    rt_fixture f; /* only its holders' did:keys are read */
    libro_credential *m;

    memset(rf, 0, sizeof *rf);
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_lt(strlen(party_id[i]), sizeof f.holder_did[i]);
        memcpy(f.holder_did[i], party_id[i], strlen(party_id[i]) + 1);
    }
    for (int t = 0; t < 2; t++) {
        char *charter;

        gen(&rf->k_tribe[t]);
        charter = rt_charter(NB, rt_tribe(t), t == 0 ? "Tribe 1" : "Tribe 2", 0, T0 - 100 * DAY,
                             T0 + 2000 * DAY, rf->k_tribe[t], k_nb);
        add(charter);
        libro_free(charter);
        m = rt_mandate_cred(&f, LIBRO_OFFICE_REPRESENTATIVE, t, t, T0, T0 + 1000 * DAY,
                            "https://registry.neighborhood-3.example", 0, 100 + (uint32_t) t);
        rf->mandates[t] = sign(m, rf->k_tribe[t]);
        libro_credential_free(m);
    }
    m = rt_mandate_cred(&f, LIBRO_OFFICE_CHAIR, 0, 2, T0, T0 + 1000 * DAY,
                        "https://registry.neighborhood-3.example", 0, 102);
    rf->mandates[2] = sign(m, k_nb);
    libro_credential_free(m);
}

static void
record_free(struct record_fixture *rf)
{
    for (int i = 0; i < 2; i++) {
        libro_key_free(rf->k_tribe[i]);
    }
    for (int i = 0; i < 3; i++) {
        libro_free(rf->mandates[i]);
    }
    for (size_t i = 0; i < rf->n_steps; i++) {
        libro_free(rf->steps[i]);
    }
}

/* Step n of the process, by party `by`: 0 the proposal, then consents (version 1, round 1). */
static void
add_step(struct record_fixture *rf, int by, libro_step_kind kind)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_step s;
    libro_buf tok = LIBRO_BUF_INIT;
    size_t n = rf->n_steps;

    ck_assert_uint_lt(n, MAX_STEPS);
    memset(&s, 0, sizeof s);
    s.process = sdup(PROCESS);
    s.seq = (uint32_t) n;
    s.prev = n > 0 ? sdup(rf->hashes[n - 1]) : NULL;
    s.at = STEP_T + (int64_t) n * HOUR;
    s.by = sdup(party_id[by]);
    s.kind = kind;
    if (kind == LIBRO_STEP_PROPOSE) {
        s.title = sdup("Quiet hours");
        s.aim = sdup("that every household can rest");
        s.text = sdup("No noise after 22:00.");
        s.review_date = REVIEW;
    } else {
        s.version = 1;
        s.round = 1;
        s.response = LIBRO_RESPONSE_CONSENT;
    }
    must(libro_step_sign(&tok, &s, k_party[by], &err), &err, "step");
    rf->steps[n] = sdup((const char *) tok.data);
    must(libro_hash_ref(rf->hashes[n], tok.data, tok.len, &err), &err, "hash");
    rf->n_steps++;
    libro_free(s.process);
    libro_free(s.prev);
    libro_free(s.by);
    libro_free(s.title);
    libro_free(s.aim);
    libro_free(s.text);
    libro_buf_free(&tok);
}

/* The record document of steps[0..n) (each replaced by `swap` at index `at`, when not NULL)
 * and mandates[0..n_mandates). */
static void
record_doc(libro_buf *out, struct record_fixture *rf, size_t n, size_t at, const char *swap,
           size_t n_mandates)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *steps[MAX_STEPS];
    libro_consent_record rec;

    for (size_t i = 0; i < n; i++) {
        steps[i] = swap != NULL && i == at ? (char *) (uintptr_t) swap : rf->steps[i];
    }
    rec.process = (char *) (uintptr_t) PROCESS;
    rec.steps = steps;
    rec.n_steps = n;
    rec.mandates = rf->mandates;
    rec.n_mandates = n_mandates;
    libro_buf_clear(out);
    must(libro_consent_record_to_json(out, &rec, &err), &err, "record");
}

/* The law the process adopted, naming `record` as its last step, signed by `k`. */
static char *
adopted_law(const char *record, const libro_key *k)
{
    static const char *const names[3] = {"Ada Example", "Bo Example", "Cy Example"};
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *law = NULL;
    char *tok;

    must(libro_credential_new(&law, LIBRO_CRED_LAW, &err), &err, "new");
    law->issuer = sdup(NB);
    law->subject_id = sdup(PROCESS);
    law->valid_from = STEP_T + 3 * HOUR;
    law->valid_until = REVIEW;
    law->title = sdup("Quiet hours");
    law->law_version = 1;
    law->aim = sdup("that every household can rest");
    law->text = sdup("No noise after 22:00.");
    law->community_id = sdup(NB);
    law->community_level = 1;
    law->n_members = 3;
    law->members = libro_calloc(3, sizeof *law->members);
    ck_assert_ptr_nonnull(law->members);
    for (int i = 0; i < 3; i++) {
        law->members[i].id = sdup(party_id[i]);
        law->members[i].name = sdup(names[i]);
        law->members[i].seat = i < 2 ? sdup(rt_tribe(i)) : NULL;
        law->members[i].office = i < 2 ? LIBRO_OFFICE_REPRESENTATIVE : LIBRO_OFFICE_CHAIR;
    }
    law->consent_record = sdup(record);
    tok = sign(law, k);
    libro_credential_free(law);
    return tok;
}

static libro_record_check *
check_record(const libro_buf *doc, const char *law)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(NOW);
    libro_record_check *r = NULL;

    must(libro_verify_record(&r, store, (const char *) doc->data, doc->len, law,
                             law != NULL ? strlen(law) : 0, &opt, &err),
         &err, "record");
    ck_assert_ptr_nonnull(r);
    return r;
}

static void
expect_record(const libro_record_check *r, bool ok, size_t bad_step, size_t bad_mandate,
              const char *reason_part)
{
    ck_assert_msg(r->ok == ok, "ok %d (%s), want %d", r->ok, r->reason, ok);
    ck_assert_msg(r->bad_step == bad_step, "bad step %zu (%s), want %zu", r->bad_step, r->reason,
                  bad_step);
    ck_assert_msg(r->bad_mandate == bad_mandate, "bad mandate %zu (%s), want %zu", r->bad_mandate,
                  r->reason, bad_mandate);
    if (reason_part != NULL) {
        ck_assert_msg(strstr(r->reason, reason_part) != NULL, "reason \"%s\" lacks \"%s\"",
                      r->reason, reason_part);
    }
}

START_TEST(test_record)
{
    struct record_fixture rf;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_record_check *r;
    char *law;
    char *other_law;
    char *tampered;
    char *dot;

    record_setup(&rf);
    add_step(&rf, 0, LIBRO_STEP_PROPOSE);
    add_step(&rf, 0, LIBRO_STEP_RESPOND);
    add_step(&rf, 1, LIBRO_STEP_RESPOND);
    law = adopted_law(rf.hashes[2], k_nb);

    /* The whole record, with and without its law. */
    record_doc(&doc, &rf, 3, 0, NULL, 3);
    r = check_record(&doc, law);
    expect_record(r, true, SIZE_MAX, SIZE_MAX, NULL);
    ck_assert(r->ran);
    ck_assert(r->state.adoptable);
    ck_assert_str_eq(r->state.record_hash, rf.hashes[2]);
    ck_assert_int_eq(r->law->outcome, LIBRO_IN_FORCE);
    ck_assert_uint_eq(r->n_mandates, 3);
    ck_assert_int_eq(r->mandates[0]->mandate->office, LIBRO_OFFICE_REPRESENTATIVE);
    ck_assert_int_eq(r->mandates_at[0], STEP_T + 2 * HOUR);
    libro_record_check_free(r);
    r = check_record(&doc, NULL);
    expect_record(r, true, SIZE_MAX, SIZE_MAX, NULL);
    libro_record_check_free(r);

    /* Before every member responded: sound, not adoptable; the law is not what it adopted. */
    record_doc(&doc, &rf, 2, 0, NULL, 3);
    r = check_record(&doc, NULL);
    expect_record(r, true, SIZE_MAX, SIZE_MAX, NULL);
    ck_assert(!r->state.adoptable);
    libro_record_check_free(r);
    r = check_record(&doc, law);
    expect_record(r, false, SIZE_MAX, SIZE_MAX, "law: consent: ");
    libro_record_check_free(r);

    /* A step tampered with: its signature, named. */
    tampered = sdup(rf.steps[1]);
    dot = strchr(tampered, '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    record_doc(&doc, &rf, 3, 1, tampered, 3);
    r = check_record(&doc, law);
    expect_record(r, false, 1, SIZE_MAX, "step 1: ");
    libro_record_check_free(r);
    libro_free(tampered);

    /* A step left out: the chain of hashes breaks at the next one. */
    record_doc(&doc, &rf, 3, 1, rf.steps[2], 3);
    r = check_record(&doc, law);
    expect_record(r, false, 1, SIZE_MAX, "step 1 (respond)");
    libro_record_check_free(r);

    /* A member's mandate missing: Bo does not sit, so his response is refused. */
    record_doc(&doc, &rf, 3, 0, NULL, 1);
    r = check_record(&doc, NULL);
    ck_assert(!r->ok);
    ck_assert_msg(r->bad_step == 1 || r->bad_step == 2, "bad step %zu (%s)", r->bad_step,
                  r->reason);
    libro_record_check_free(r);

    /* A mandate the store cannot chain: a tribe it has no charter for. */
    {
        libro_key *k = NULL;
        char *forged;

        gen(&k);
        forged = law_token(NB, k, 1, NULL); /* any token signed by an unknown key */
        libro_free(rf.mandates[1]);
        rf.mandates[1] = forged;
        record_doc(&doc, &rf, 3, 0, NULL, 3);
        r = check_record(&doc, law);
        expect_record(r, false, SIZE_MAX, 1, "mandates[1]: ");
        libro_record_check_free(r);
        libro_key_free(k);
    }

    /* A law naming another record, or signed by a key the store does not trust. */
    other_law = adopted_law(rf.hashes[1], k_nb);
    record_doc(&doc, &rf, 1, 0, NULL, 0);
    r = check_record(&doc, other_law);
    ck_assert(!r->ok);
    libro_record_check_free(r);
    libro_free(other_law);
    other_law = adopted_law(rf.hashes[2], k_outsider);
    r = check_record(&doc, other_law);
    expect_record(r, false, SIZE_MAX, SIZE_MAX, "law: UNTRUSTED: ");
    libro_record_check_free(r);
    libro_free(other_law);

    /* Not a record. */
    libro_buf_clear(&doc);
    must(libro_buf_append_str(&doc, "{\"process\":1}", NULL), NULL, "doc");
    r = check_record(&doc, NULL);
    ck_assert(!r->ok);
    ck_assert_ptr_null(r->record);
    libro_record_check_free(r);

    libro_free(law);
    libro_buf_free(&doc);
    record_free(&rf);
}
END_TEST

/* ---- after a sync from a real registry ----------------------------------------------------- */

/* The registry of lreg's fixture (test_law.h: Neighborhood 3 under Town 5, three tribes and
 * their representatives, a chair) records two agreements (one then ended by one party's
 * notice) and adopts a law by consent, on a real server on loopback; a store with Town 5
 * pinned syncs its bundle; then every verdict comes from what the sync brought: the
 * agreements COMPLETE and registered, the notice's end applied once it runs out, the law IN
 * FORCE and registered, the references in force, and the law's record, fetched from the
 * registry, checked against the law. */
START_TEST(test_after_sync)
{
    static const int both[] = {0, 1};
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options so = LIBRO_SERVER_OPTIONS_INIT;
    libro_sync_report rep;
    libro_server *server = NULL;
    libro_registry *reg = NULL;
    libro_registry_client *c = NULL;
    libro_verify_options opt;
    libro_verification *v = NULL;
    libro_record_check *r = NULL;
    libro_buf record = LIBRO_BUF_INIT;
    libro_buf ref = LIBRO_BUF_INIT;
    rt_fixture F;
    tl_process P;
    int64_t now = libro_time_now();
    int64_t t0 = now - 10 * DAY;
    int64_t review = now + 365 * DAY;
    char h1[LIBRO_HASH_REF_SIZE];
    char h2[LIBRO_HASH_REF_SIZE];
    char lh[LIBRO_HASH_REF_SIZE];
    char *v1;
    char *v2;
    char *notice;
    char *law;
    char *tok;
    tl_step_args pa = {.text = "No loud music after 22:00.", .review = review};
    tl_step_args ra = {.version = 1, .round = 1, .consent = true};

    rt_setup(&F, now - 365 * DAY, now + 3650 * DAY, 0, "http://127.0.0.1");
    must(libro_registry_open(&reg, F.db_path, &err), &err, "open");
    tl_roundtable(&F, reg, now - 30 * DAY, rt_term_end(now - 30 * DAY, 3), now - 30 * DAY);
    libro_registry_close(reg);
    must(libro_registry_client_open(&c, F.db_path, NULL, NULL, "clerk", NULL, &err), &err,
         "client");
    v1 = tl_agreement(&F, both, 2, now - DAY, now + 365 * DAY, 30, NULL, "Workshop", both, 2);
    v2 = tl_agreement(&F, both, 2, now - DAY, now + 365 * DAY, 30, NULL, "Garden", both, 2);
    must(libro_registry_client_register_agreement(c, v1, h1, &err), &err, "register 1");
    must(libro_registry_client_register_agreement(c, v2, h2, &err), &err, "register 2");
    notice =
        tl_end(&F, h2, LIBRO_AGREEMENT_END_NOTICE, now, "moving away", (const int[]){0}, 1, NULL);
    must(libro_registry_client_end_agreement(c, h2, notice, &err), &err, "notice");
    memset(&P, 0, sizeof P);
    P.f = &F;
    P.law = TL_LAW;
    tok = tl_step(&P, 0, LIBRO_STEP_PROPOSE, t0, &pa);
    must(libro_registry_client_add_step(c, tok, NULL, &err), &err, "propose");
    tl_accept(&P, tok, NULL);
    libro_free(tok);
    for (int m = 0; m < 3; m++) {
        tok = tl_step(&P, m, LIBRO_STEP_RESPOND, t0 + 60 * (m + 1), &ra);
        must(libro_registry_client_add_step(c, tok, NULL, &err), &err, "respond");
        tl_accept(&P, tok, NULL);
        libro_free(tok);
    }
    law = tl_law(&P, 1, "No loud music after 22:00.", t0 + 400, review, NULL, F.community_key);
    must(libro_registry_client_register_law(c, law, lh, &err), &err, "adopt");
    must(libro_registry_client_law_record(c, &record, TL_LAW, 0, &err), &err, "record");
    libro_registry_client_close(c);

    so.db_path = F.db_path;
    so.registry_key = F.registry_key;
    so.threads = 2;
    must(libro_server_start(&server, &so, &err), &err, "server");
    must(
        libro_trust_add_anchor(store, F.parent_charter, strlen(F.parent_charter), NULL, NULL, &err),
        &err, "anchor");
    must(libro_trust_sync(store, libro_server_base_url(server), NULL, &rep, &err), &err, "sync");
    ck_assert_uint_eq(rep.agreements, 2);
    ck_assert_uint_eq(rep.laws, 1);

    opt = (libro_verify_options) LIBRO_VERIFY_OPTIONS_INIT(now);
    must(libro_verify_document(&v, store, v1, strlen(v1), &opt, &err), &err, "v1");
    expect(v, LIBRO_COMPLETE, 0, NULL);
    ck_assert(v->registered);
    ck_assert_int_eq(v->reg_state, LIBRO_DOC_IN_FORCE);
    ck_assert(v->community_trusted);
    libro_verification_free(v);
    must(libro_verify_document(&v, store, v2, strlen(v2), &opt, &err), &err, "v2");
    expect(v, LIBRO_COMPLETE, 0, NULL);
    /* The notice runs 30 days: ended from then, in force until. */
    ck_assert_int_eq(v->reg_state, LIBRO_DOC_ENDED);
    ck_assert_int_eq(v->reg_since, now + 30 * DAY);
    libro_verification_free(v);
    opt.now = now + 31 * DAY;
    opt.at = true;
    must(libro_verify_document(&v, store, v2, strlen(v2), &opt, &err), &err, "v2 later");
    expect(v, LIBRO_ENDED, 4, "agreement ended");
    libro_verification_free(v);
    opt = (libro_verify_options) LIBRO_VERIFY_OPTIONS_INIT(now);
    must(libro_verify_document(&v, store, law, strlen(law), &opt, &err), &err, "law");
    expect(v, LIBRO_IN_FORCE, 0, NULL);
    ck_assert(v->registered);
    ck_assert_str_eq(v->hash, lh);
    libro_verification_free(v);
    must(libro_lbr_encode(&ref, LIBRO_LBR_LAW, lh, &err), &err, "lbr");
    must(libro_verify_document(&v, store, (const char *) ref.data, ref.len, &opt, &err), &err,
         "ref");
    expect(v, LIBRO_IN_FORCE, 0, NULL);
    libro_verification_free(v);

    must(libro_verify_record(&r, store, (const char *) record.data, record.len, law, strlen(law),
                             &opt, &err),
         &err, "record");
    ck_assert_msg(r->ok, "%s", r->reason);
    ck_assert(r->state.adoptable);
    ck_assert_uint_eq(r->n_steps, 4);
    libro_record_check_free(r);

    libro_server_stop(server);
    rt_teardown(&F);
    libro_buf_free(&record);
    libro_buf_free(&ref);
    libro_free(v1);
    libro_free(v2);
    libro_free(notice);
    libro_free(law);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("verify_doc");
    TCase *agreements = tcase_create("agreements");
    TCase *laws = tcase_create("laws");
    TCase *refs = tcase_create("references");
    TCase *records = tcase_create("records");

    tcase_add_checked_fixture(agreements, setup, teardown);
    tcase_add_test(agreements, test_agreement_complete);
    tcase_add_test(agreements, test_agreement_partial);
    tcase_add_test(agreements, test_agreement_invalid);
    tcase_add_test(agreements, test_agreement_community);
    tcase_add_test(agreements, test_agreement_term);
    tcase_add_test(agreements, test_agreement_registry);
    tcase_add_test(agreements, test_agreement_registry_not_heard);
    tcase_add_test(agreements, test_index_files);
    suite_add_tcase(s, agreements);
    tcase_add_checked_fixture(laws, setup, teardown);
    tcase_add_test(laws, test_law_verdicts);
    tcase_add_test(laws, test_law_refused);
    tcase_add_test(laws, test_law_large);
    tcase_add_test(laws, test_law_repealed);
    suite_add_tcase(s, laws);
    tcase_add_checked_fixture(refs, setup, teardown);
    tcase_add_test(refs, test_reference);
    suite_add_tcase(s, refs);
    tcase_add_checked_fixture(records, setup, teardown);
    tcase_add_test(records, test_record);
    tcase_add_test(records, test_after_sync);
    suite_add_tcase(s, records);
    return s;
}
