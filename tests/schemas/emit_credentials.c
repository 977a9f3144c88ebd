/* emit_credentials OUTDIR: build and sign (libro_issuer_sign; agreements and laws: checked, as
 * their payloads) a spread of credentials of all seven types, with and without their optional
 * members, with Ed25519 and ES256 keys and at their caps, and write each signed payload (taken back
 * out of the verified JWS, so it is the exact signed bytes) to OUTDIR/valid/. Then write documents
 * libro's parser refuses to OUTDIR/invalid/ (checking here that it does), for the --expect-invalid
 * run of validate.mjs: the schemas must refuse them too. Exit 0 when everything was written. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/util.h"

#define T2026 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define DAY INT64_C(86400)

static const char *outdir;
static unsigned n_valid;
static unsigned n_invalid;

static int
write_file(const char *sub, const char *name, const void *p, size_t len)
{
    char path[4096];
    FILE *f;
    int n = snprintf(path, sizeof path, "%s/%s/%s.json", outdir, sub, name);

    if (n < 0 || (size_t) n >= sizeof path) {
        fprintf(stderr, "emit: path too long\n");
        return -1;
    }
    f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "emit: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fwrite(p, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "emit: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

static char *
dup(const char *s)
{
    return s == NULL ? NULL : libro_strndup(s, strlen(s));
}

static char **
dup_list(const char *const *src, size_t n)
{
    char **list = libro_calloc(n, sizeof *list);
    size_t i;

    for (i = 0; list != NULL && i < n; i++) {
        list[i] = dup(src[i]);
    }
    return list;
}

/* n entries "<prefix><i>". */
static char **
numbered(const char *prefix, size_t n)
{
    char **list = libro_calloc(n, sizeof *list);
    size_t i;

    for (i = 0; list != NULL && i < n; i++) {
        char s[64];

        if (snprintf(s, sizeof s, "%s%zu", prefix, i) > 0) {
            list[i] = dup(s);
        }
    }
    return list;
}

static char *
repeat(char c, size_t n)
{
    char *s = libro_malloc(n + 1);

    if (s != NULL) {
        memset(s, c, n);
        s[n] = '\0';
    }
    return s;
}

/* Sign `c` with `signer`, verify, and write the payload as valid/<name>.json. Takes `c`. */
static int
emit(const char *name, libro_credential *c, const libro_key *signer)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_key *pub = NULL;
    int rc = -1;

    if (c == NULL) {
        fprintf(stderr, "emit: %s: out of memory\n", name);
        return -1;
    }
    if (libro_issuer_sign(&token, c, signer, &err) != LIBRO_OK ||
        libro_key_public(&pub, signer, &err) != LIBRO_OK ||
        libro_jws_verify_compact(&payload, (const char *) token.data, token.len, pub, "vc+jwt",
                                 &err) != LIBRO_OK) {
        fprintf(stderr, "emit: %s: %s\n", name, err.msg);
        goto out;
    }
    rc = write_file("valid", name, payload.data, payload.len);
    n_valid++;
out:
    libro_key_free(pub);
    libro_buf_free(&payload);
    libro_buf_free(&token);
    libro_credential_free(c);
    return rc;
}

/* Write the payload of `c` as valid/<name>.json after the issuer's own check: agreements
 * and laws are signed otherwise than by libro_issuer_sign (every party; the community key
 * once the record allows), and their payload is what the schema describes. Takes `c`. */
static int
emit_payload(const char *name, libro_credential *c)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    int rc = -1;

    if (c == NULL) {
        fprintf(stderr, "emit: %s: out of memory\n", name);
        return -1;
    }
    if (libro_credential_check(c, &err) != LIBRO_OK ||
        libro_credential_to_json(&payload, c, &err) != LIBRO_OK) {
        fprintf(stderr, "emit: %s: %s\n", name, err.msg);
        goto out;
    }
    rc = write_file("valid", name, payload.data, payload.len);
    n_valid++;
out:
    libro_buf_free(&payload);
    libro_credential_free(c);
    return rc;
}

static libro_credential *
new_cred(libro_cred_type type, const char *issuer, const char *subject, const char *name,
         int64_t days)
{
    libro_credential *c = NULL;

    if (libro_credential_new(&c, type, NULL) != LIBRO_OK) {
        return NULL;
    }
    c->issuer = dup(issuer);
    c->subject_id = dup(subject);
    c->name = dup(name);
    c->valid_from = T2026;
    c->valid_until = T2026 + days * DAY - 1;
    return c;
}

static libro_key *
public_of(const libro_key *k)
{
    libro_key *pub = NULL;

    return libro_key_public(&pub, k, NULL) == LIBRO_OK ? pub : NULL;
}

static libro_credential *
charter(const char *issuer, const char *id, int level, const char *level_name, const libro_key *key,
        size_t n_allowed)
{
    static const char *const types[] = {"nursing-general", "midwifery", "pharmacy"};
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, issuer, id, "Town 7", 3650);

    if (c != NULL) {
        c->level = level;
        c->level_name = dup(level_name);
        c->subject_key = public_of(key);
        c->allowed_types = n_allowed <= 3 ? dup_list(types, n_allowed) : numbered("t-", n_allowed);
        c->n_allowed = n_allowed;
    }
    return c;
}

static libro_credential *
issuer_auth(const libro_key *key, size_t n_grants, uint32_t days)
{
    libro_credential *c = new_cred(LIBRO_CRED_ISSUER_AUTH, "urn:libro:town-7",
                                   "urn:libro:town-7:health-board", "Town 7 Health Board", 1826);
    char **ids = numbered("license-type-", n_grants);
    size_t i;

    if (c != NULL && ids != NULL) {
        c->subject_key = public_of(key);
        c->grants = libro_calloc(n_grants, sizeof *c->grants);
        for (i = 0; c->grants != NULL && i < n_grants; i++) {
            c->grants[i].id = ids[i];
            ids[i] = NULL;
            c->grants[i].validity_days = i == 0 ? days : (uint32_t) (i % 3660) + 1;
            c->n_grants++;
        }
    }
    for (i = 0; ids != NULL && i < n_grants; i++) {
        libro_free(ids[i]);
    }
    libro_free(ids);
    return c;
}

/* `c` with credentialSubject.statusRegistry `url`. */
static libro_credential *
status_registry(libro_credential *c, const char *url)
{
    if (c != NULL) {
        c->status_registry = dup(url);
    }
    return c;
}

static libro_credential *
registry(const libro_key *key, const char *url)
{
    libro_credential *c = new_cred(LIBRO_CRED_REGISTRY_AUTH, "urn:libro:town-7",
                                   "urn:libro:town-7:registry", "Town 7 Registry", 730);

    if (c != NULL) {
        c->subject_key = public_of(key);
        c->url = dup(url);
    }
    return c;
}

static libro_credential *
license(const char *holder_did, const char *name, const char *number, size_t n_scope)
{
    static const char *const scope[] = {"general care", "medication administration"};
    libro_credential *c =
        new_cred(LIBRO_CRED_LICENSE, "urn:libro:town-7:health-board", holder_did, name, 1096);

    if (c != NULL) {
        c->license_number = dup(number);
        c->profession = dup("registered nurse");
        c->license_type = dup("nursing-general");
        c->scope = n_scope <= 2 ? dup_list(scope, n_scope) : numbered("task ", n_scope);
        c->n_scope = n_scope;
        c->community_id = dup("urn:libro:town-7");
        c->community_level = 2;
    }
    return c;
}

/* credentialStatus (docs/credentials.md, "Status"): `base` + "revocation" / "suspension". */
static libro_credential *
with_status(libro_credential *c, const char *base, uint32_t index)
{
    char list[256];

    if (c == NULL) {
        return NULL;
    }
    c->has_status = true;
    c->status_index = index;
    if (snprintf(list, sizeof list, "%srevocation", base) > 0) {
        c->status_revocation_list = dup(list);
    }
    if (snprintf(list, sizeof list, "%ssuspension", base) > 0) {
        c->status_suspension_list = dup(list);
    }
    return c;
}

/* And the third entry, the message list (the status words): `base` + "message". */
static libro_credential *
with_message(libro_credential *c, const char *base, uint32_t index)
{
    char list[256];

    c = with_status(c, base, index);
    if (c != NULL && snprintf(list, sizeof list, "%smessage", base) > 0) {
        c->status_message_list = dup(list);
    }
    return c;
}

/* A charter's roundtable terms (0: absent). */
static libro_credential *
with_terms(libro_credential *c, unsigned rep, unsigned chair, unsigned leader, unsigned row)
{
    if (c != NULL) {
        c->rt_representative_years = rep;
        c->rt_chair_years = chair;
        c->rt_leader_years = leader;
        c->rt_consecutive_terms = row;
    }
    return c;
}

/* A RoundtableMandate of `office` at the roundtable of urn:libro:neighborhood-3 (level
 * `level`), signed by the seat (NULL for a chair), with its three status entries. */
static libro_credential *
mandate(const char *holder_did, libro_office office, int level, const char *seat,
        const char *result, uint32_t electorate)
{
    libro_credential *c =
        new_cred(LIBRO_CRED_MANDATE, seat != NULL ? seat : "urn:libro:neighborhood-3", holder_did,
                 "Jane Doe", 1096);

    if (c != NULL) {
        c->office = office;
        c->roundtable_id = dup("urn:libro:neighborhood-3");
        c->roundtable_level = level;
        c->seat = dup(seat);
        c->voting = office == LIBRO_OFFICE_REPRESENTATIVE;
        c->election_record =
            dup("sha256:60983a2a14fee4035c6aa0b77efba9ee84ff3a4cbaff70b3e56b7672d588443a");
        c->election_date = T2026 - 46 * DAY;
        c->election_electorate = electorate;
        c->election_result = dup(result);
    }
    return with_message(c, "https://registry.neighborhood-3.example/v1/status/mandates/0/", 40517);
}

/* An agreement among `n` parties: the first an Ed25519 did:key, the others ids with
 * alternately P-256 and Ed25519 keys, each with `duties` responsibilities of `len` bytes. */
static libro_credential *
agreement(size_t n, size_t duties, size_t len, bool mutual, const char *supersedes)
{
    libro_credential *c = NULL;
    libro_buf did = LIBRO_BUF_INIT;
    size_t i;
    size_t j;

    if (libro_credential_new(&c, LIBRO_CRED_AGREEMENT, NULL) != LIBRO_OK) {
        return NULL;
    }
    c->valid_from = T2026;
    c->valid_until = T2026 + 730 * DAY - 1;
    c->title = dup("Shared use of the Tribe 2 workshop");
    c->community_id = dup("urn:libro:neighborhood-3");
    c->community_level = 1;
    c->mutual_only = mutual;
    c->notice_days = mutual ? 0 : 3650;
    c->supersedes = dup(supersedes);
    c->parties = libro_calloc(n, sizeof *c->parties);
    if (c->parties == NULL) {
        libro_credential_free(c);
        return NULL;
    }
    c->n_parties = n;
    for (i = 0; i < n; i++) {
        libro_party *p = &c->parties[i];
        libro_key *k = NULL;
        char id[64];

        if (libro_key_generate(&k, i % 2 == 1 ? LIBRO_ALG_ES256 : LIBRO_ALG_ED25519, NULL) !=
                LIBRO_OK ||
            libro_key_public(&p->key, k, NULL) != LIBRO_OK) {
            libro_key_free(k);
            libro_credential_free(c);
            return NULL;
        }
        libro_buf_clear(&did);
        if (i == 0 && libro_key_to_did(&did, k, NULL) == LIBRO_OK) {
            p->id = dup((const char *) did.data);
        } else if (snprintf(id, sizeof id, "urn:libro:party-%zu", i) > 0) {
            p->id = dup(id);
        }
        libro_key_free(k);
        p->name = dup(i == 0 ? "Ada Example" : "A Party");
        p->role = dup(i == 0 ? "tenant" : "neighbor");
        p->responsibilities = libro_calloc(duties, sizeof *p->responsibilities);
        for (j = 0; p->responsibilities != NULL && j < duties; j++) {
            p->responsibilities[j] = repeat('r', len);
            if (p->responsibilities[j] != NULL) {
                p->responsibilities[j][0] = (char) ('A' + j % 26);
                p->responsibilities[j][len > 1 ? 1 : 0] = (char) ('A' + j / 26);
            }
        }
        p->n_responsibilities = p->responsibilities != NULL ? duties : 0;
    }
    c->issuer = dup(c->parties[0].id);
    libro_buf_free(&did);
    return c;
}

/* A law whose roundtable has `n` representatives and a chair. */
static libro_credential *
law(const char *holder_did, size_t n, size_t text_len, const char *supersedes)
{
    libro_credential *c = new_cred(LIBRO_CRED_LAW, "urn:libro:neighborhood-3",
                                   "urn:libro:neighborhood-3:law:quiet-hours", NULL, 365);
    libro_buf did = LIBRO_BUF_INIT;
    size_t i;

    if (c == NULL) {
        return NULL;
    }
    c->title = dup("Quiet hours");
    c->law_version = supersedes != NULL ? 1000 : 1;
    c->aim = dup("that every household can rest");
    c->text = repeat('t', text_len);
    if (c->text != NULL && text_len > 10) {
        memcpy(c->text, "line one\nX", 10);
    }
    c->community_id = dup("urn:libro:neighborhood-3");
    c->community_level = 1;
    c->members = libro_calloc(n + 1, sizeof *c->members);
    c->n_members = c->members != NULL ? n + 1 : 0;
    for (i = 0; i < c->n_members; i++) {
        libro_key *k = NULL;
        char seat[64];

        libro_buf_clear(&did);
        if (i == 0) {
            c->members[i].id = dup(holder_did);
        } else if (libro_key_generate(&k, LIBRO_ALG_ED25519, NULL) == LIBRO_OK &&
                   libro_key_to_did(&did, k, NULL) == LIBRO_OK) {
            c->members[i].id = dup((const char *) did.data);
        }
        libro_key_free(k);
        c->members[i].name = dup(i == n ? "Chen Chu" : "A Member");
        c->members[i].office = i == n ? LIBRO_OFFICE_CHAIR : LIBRO_OFFICE_REPRESENTATIVE;
        if (i < n && snprintf(seat, sizeof seat, "urn:libro:tribe-%zu", i + 1) > 0) {
            c->members[i].seat = dup(seat);
        }
    }
    c->consent_record =
        dup("sha256:5b1c9e0d3a7f4e2b8c6d1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d");
    c->supersedes = dup(supersedes);
    libro_buf_free(&did);
    return c;
}

static int
emit_valid(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *ed = NULL;
    libro_key *es = NULL;
    libro_key *holder = NULL;
    libro_buf did = LIBRO_BUF_INIT;
    char *long_name = repeat('N', 200);
    char *long_number = repeat('7', 64);
    libro_credential *c;
    int bad = 0;

    if (libro_key_generate(&ed, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&es, LIBRO_ALG_ES256, &err) != LIBRO_OK ||
        libro_key_generate(&holder, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_to_did(&did, holder, &err) != LIBRO_OK || long_name == NULL ||
        long_number == NULL) {
        fprintf(stderr, "emit: setup: %s\n", err.msg);
        bad = 1;
        goto out;
    }
    /* CommunityCharter: an anchor (signed by its own key), parent-chartered, both algs. */
    bad |= emit("charter-anchor-ed25519",
                charter("urn:libro:town-7", "urn:libro:town-7", 2, NULL, ed, 3), ed);
    bad |= emit("charter-anchor-es256",
                charter("urn:libro:town-7", "urn:libro:town-7", 8, "world", es, 1), es);
    bad |= emit("charter-child-level-name",
                charter("urn:libro:region-3", "urn:libro:town-7", 2,
                        "market town \xc3\xa9t\xc3\xa9", ed, 2),
                es);
    bad |= emit("charter-level-0-max-types",
                charter("https://region-3.example", "did:web:tribe.example", 0, NULL, es, 32), ed);
    /* IssuerAuthorization */
    bad |= emit("issuer-auth-ed25519", issuer_auth(ed, 1, 1096), es);
    bad |= emit("issuer-auth-es256-max", issuer_auth(es, 32, 3660), ed);
    bad |= emit("issuer-auth-one-day", issuer_auth(ed, 2, 1), ed);
    /* statusRegistry: a host, a port and path, loopback http. */
    bad |= emit("issuer-auth-status-registry",
                status_registry(issuer_auth(ed, 1, 1096), "https://registry.town-7.example"), ed);
    bad |= emit("issuer-auth-status-registry-path",
                status_registry(issuer_auth(es, 1, 30), "https://registry.town-7.example:8443/r-1"),
                ed);
    bad |= emit("issuer-auth-status-registry-loopback",
                status_registry(issuer_auth(ed, 2, 30), "http://127.0.0.1:40123"), es);
    /* RegistryAuthorization: with and without url, both algs, loopback http. */
    bad |= emit("registry-no-url", registry(ed, NULL), ed);
    bad |= emit("registry-https", registry(es, "https://registry.town-7.example"), ed);
    bad |= emit("registry-https-port-path",
                registry(ed, "https://registry.town-7.example:8443/api/v1?x=%7E"), es);
    bad |= emit("registry-loopback", registry(es, "http://127.0.0.1:8080"), es);
    /* ProfessionalLicense: with and without holder, at the caps, UTF-8. */
    bad |=
        emit("license-holder", license((const char *) did.data, "Ada Example", "T7-N-0001", 2), ed);
    bad |= emit("license-no-holder", license(NULL, "Ada Example", "T7-N-0002", 1), es);
    bad |= emit("license-max", license((const char *) did.data, long_name, long_number, 32), es);
    bad |= emit("license-utf8",
                license(NULL, "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\xa9\xba", "a.b_c-9", 2),
                ed);
    c = license(NULL, "Grace Example", "T7-N-0003", 2);
    if (c != NULL) {
        c->community_level = 0; /* a tribe's own license */
        libro_free(c->community_id);
        c->community_id = dup("did:web:tribe.example");
    }
    bad |= emit("license-level-0", c, ed);
    /* credentialStatus: licenses and issuer authorizations, at the index bounds, loopback. */
    bad |= emit("license-status",
                with_status(license((const char *) did.data, "Ada Example", "T7-N-0004", 2),
                            "https://registry.town-7.example/v1/status/1/", 94567),
                ed);
    bad |= emit("license-status-index-0",
                with_status(license(NULL, "Ada Example", "T7-N-0005", 1),
                            "https://registry.town-7.example/v1/status/1/", 0),
                es);
    bad |= emit("license-status-index-max",
                with_status(license(NULL, "Ada Example", "T7-N-0006", 1),
                            "https://registry.town-7.example:8443/v1/status/64/", 8388607),
                ed);
    bad |= emit("license-status-loopback",
                with_status(license(NULL, "Ada Example", "T7-N-0007", 1),
                            "http://127.0.0.1:8080/v1/status/1/", 131071),
                ed);
    bad |= emit("license-status-message",
                with_message(license((const char *) did.data, "Ada Example", "T7-N-0008", 2),
                             "https://registry.town-7.example/v1/status/1/", 94567),
                ed);
    bad |= emit("license-status-message-index-max",
                with_message(license(NULL, "Ada Example", "T7-N-0009", 1),
                             "http://127.0.0.1:8080/v1/status/64/", 8388607),
                es);
    /* CommunityCharter with its roundtable terms, at the level bounds. */
    bad |= emit(
        "charter-terms-all",
        with_terms(charter("urn:libro:region-3", "urn:libro:town-7", 2, NULL, ed, 1), 5, 4, 5, 10),
        ed);
    bad |= emit("charter-terms-level-1",
                with_terms(charter("urn:libro:town-7", "urn:libro:neighborhood-3", 1, NULL, ed, 1),
                           3, 1, 0, 0),
                ed);
    bad |=
        emit("charter-terms-level-0",
             with_terms(charter("urn:libro:neighborhood-3", "urn:libro:tribe-12", 0, NULL, ed, 1),
                        0, 0, 2, 1),
             es);
    bad |= emit(
        "charter-terms-level-8",
        with_terms(charter("urn:libro:world", "urn:libro:world", 8, NULL, es, 1), 5, 4, 0, 0), es);
    /* RoundtableMandate: each office, at the caps. */
    bad |= emit("mandate-representative",
                mandate((const char *) did.data, LIBRO_OFFICE_REPRESENTATIVE, 1,
                        "urn:libro:tribe-12", "elected with 612 of 987 votes", 1012),
                ed);
    bad |= emit("mandate-chair",
                mandate((const char *) did.data, LIBRO_OFFICE_CHAIR, 8, NULL, "elected", 100000000),
                es);
    bad |= emit("mandate-leader-level-0",
                mandate((const char *) did.data, LIBRO_OFFICE_LEADER, 0, "urn:libro:town-7",
                        "appointed by the town council", 1),
                ed);
    bad |= emit(
        "mandate-leader-level-7",
        mandate((const char *) did.data, LIBRO_OFFICE_LEADER, 7, "urn:libro:world", long_name, 7),
        ed);
    /* ResponsibilityAgreement and CommunityLaw: small, and near their caps. */
    bad |= emit_payload("agreement-two", agreement(2, 1, 20, false, NULL));
    bad |= emit_payload(
        "agreement-seven-mutual",
        agreement(7, 3, 80, true,
                  "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"));
    bad |= emit_payload("agreement-wide", agreement(16, 4, 400, false, NULL));
    bad |= emit_payload("law-small", law((const char *) did.data, 1, 12, NULL));
    bad |= emit_payload(
        "law-big", law((const char *) did.data, 7, 16384,
                       "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"));
    bad |= emit(
        "issuer-auth-status",
        with_status(issuer_auth(ed, 1, 1096), "https://registry.town-7.example/v1/status/2/", 4242),
        es);
out:
    libro_free(long_number);
    libro_free(long_name);
    libro_buf_free(&did);
    libro_key_free(holder);
    libro_key_free(es);
    libro_key_free(ed);
    return bad;
}

/* The members of license-status's two entries. */
#define STATUS_BASE "https://registry.town-7.example/v1/status/1/"
#define STATUS_MEMBERS(purpose)                                                                    \
    "\"id\":\"" STATUS_BASE purpose "#94567\",\"type\":\"BitstringStatusListEntry\","              \
    "\"statusPurpose\":\"" purpose "\",\"statusListIndex\":\"94567\","                             \
    "\"statusListCredential\":\"" STATUS_BASE purpose "\""
#define STATUS_REVOCATION STATUS_MEMBERS("revocation")
#define STATUS_SUSPENSION STATUS_MEMBERS("suspension")

/* The status entries of the mandates above. */
#define MANDATE_BASE "https://registry.neighborhood-3.example/v1/status/mandates/0/"
#define MANDATE_MEMBERS(purpose)                                                                   \
    "\"id\":\"" MANDATE_BASE purpose "#40517\",\"type\":\"BitstringStatusListEntry\","             \
    "\"statusPurpose\":\"" purpose "\",\"statusListIndex\":\"40517\","                             \
    "\"statusListCredential\":\"" MANDATE_BASE purpose "\""
#define MANDATE_MESSAGE                                                                            \
    MANDATE_MEMBERS("message")                                                                     \
    ",\"statusSize\":2,\"statusMessage\":[{\"status\":\"0x0\",\"message\":\"in office\"},"         \
    "{\"status\":\"0x1\",\"message\":\"resigned\"},{\"status\":\"0x2\",\"message\":\"recalled\"}," \
    "{\"status\":\"0x3\",\"message\":\"replaced\"}]"
#define MANDATE_STATUS                                                                             \
    ",\"credentialStatus\":[{" MANDATE_MEMBERS("revocation") "},{" MANDATE_MEMBERS(                \
        "suspension") "},{" MANDATE_MESSAGE "}]"

/* Documents libro refuses, made by one edit of a signed one; the schemas must refuse them
 * too. Only rules a JSON Schema can state: validFrom < validUntil, byte caps on non-ASCII
 * text, distinct grant ids and point validity are libro's alone (see schemas/README.md). */
static const struct {
    const char *name;
    const char *base; /* a file in valid/ */
    const char *from;
    const char *to;
} invalid[] = {
    {"extra-root-member", "license-holder", "\"issuer\":", "\"proof\":{},\"issuer\":"},
    {"extra-subject-member", "license-holder", "\"name\":", "\"email\":\"a@b.example\",\"name\":"},
    {"extra-community-member", "license-holder", "\"level\":2}", "\"level\":2,\"x\":1}"},
    {"extra-schema-member", "license-holder", "\"JsonSchema\"", "\"JsonSchema\",\"x\":1"},
    {"extra-grant-member", "issuer-auth-ed25519", "\"validityDays\":1096",
     "\"validityDays\":1096,\"x\":1"},
    {"missing-name", "license-holder", "\"name\":\"Ada Example\",", ""},
    {"missing-key", "registry-no-url", "\"publicKeyJwk\":", "\"publicKeyJwx\":"},
    {"wrong-context", "license-holder", "https://w3id.org/libro/v1", "https://w3id.org/libro/v2"},
    {"wrong-type", "license-holder", "\"ProfessionalLicense\"", "\"CommunityCharter\""},
    {"wrong-schema", "license-holder", "professional-license.json", "community-charter.json"},
    {"offset-time", "license-holder", "T00:00:00Z", "T00:00:00+00:00"},
    {"fraction-time", "license-holder", "T00:00:00Z", "T00:00:00.5Z"},
    {"leap-second", "license-holder", "T23:59:59Z", "T23:59:60Z"},
    {"year-0000", "license-holder", "\"2026-01-01", "\"0000-01-01"},
    {"level-9", "charter-anchor-ed25519", "\"level\":2", "\"level\":9"},
    {"level-negative", "license-holder", "\"level\":2", "\"level\":-1"},
    {"license-number-slash", "license-holder", "T7-N-0001", "T7/N/0001"},
    {"license-type-upper", "license-holder", "nursing-general", "Nursing-general"},
    {"issuer-relative", "license-holder", "urn:libro:town-7:health-board", "health-board"},
    {"issuer-space", "license-holder", "urn:libro:town-7:health-board", "urn:libro:town 7"},
    {"issuer-hash", "license-holder", "urn:libro:town-7:health-board", "urn:libro:t7#x"},
    {"holder-not-did-key", "license-holder", "did:key:z6Mk", "did:web:z6Mk"},
    {"empty-scope", "license-no-holder", "[\"general care\"]", "[]"},
    {"duplicate-scope", "license-holder", "\"medication administration\"", "\"general care\""},
    {"empty-name", "license-holder", "\"Ada Example\"", "\"\""},
    {"control-char", "license-holder", "Ada Example", "Ada\\u0007Example"},
    {"c1-control-char", "license-holder", "Ada Example", "Ada\\u0085Example"},
    {"name-201", "license-max", "\"name\":\"N", "\"name\":\"NN"},
    {"scope-33", "license-max", "\"task 0\"", "\"task 0\",\"task 32\""},
    {"validity-days-0", "issuer-auth-ed25519", "\"validityDays\":1096", "\"validityDays\":0"},
    {"validity-days-3661", "issuer-auth-ed25519", "\"validityDays\":1096", "\"validityDays\":3661"},
    {"private-jwk", "registry-no-url", "\"kty\":\"OKP\"", "\"kty\":\"OKP\",\"d\":\"AAAA\""},
    {"jwk-rsa", "registry-no-url", "\"kty\":\"OKP\"", "\"kty\":\"RSA\""},
    {"jwk-extra", "registry-no-url", "\"kty\":\"OKP\"", "\"kty\":\"OKP\",\"ext\":true"},
    {"jwk-short-x", "registry-no-url", "\"x\":\"", "\"x\":\"AAAA\",\"x0\":\""},
    {"url-http", "registry-https", "https://", "http://"},
    {"url-space", "registry-https", "town-7.example", "town 7.example"},
    {"url-userinfo", "registry-https", "https://", "https://user@"},
    {"level-string", "license-holder", "\"level\":2", "\"level\":\"2\""},
    {"levelname-empty", "charter-anchor-es256", "\"world\"", "\"\""},
    /* credentialStatus */
    {"status-index-8388608", "license-status-index-max", "\"8388607\"", "\"8388608\""},
    {"status-index-leading-zero", "license-status", "\"94567\"", "\"094567\""},
    {"status-index-number", "license-status", "\"statusListIndex\":\"94567\"",
     "\"statusListIndex\":94567"},
    {"status-index-negative", "license-status-index-0", "\"statusListIndex\":\"0\"",
     "\"statusListIndex\":\"-0\""},
    {"status-swapped", "license-status", "\"statusPurpose\":\"revocation\"",
     "\"statusPurpose\":\"suspension\""},
    {"status-wrong-type", "license-status", "\"BitstringStatusListEntry\"",
     "\"StatusList2021Entry\""},
    {"status-missing-credential", "license-status",
     ",\"statusListCredential\":\"https://registry.town-7.example/v1/status/1/revocation\"", ""},
    {"status-extra-member", "license-status", "\"statusPurpose\":\"revocation\"",
     "\"statusPurpose\":\"revocation\",\"statusSize\":1"},
    {"status-one-entry", "license-status", ",{" STATUS_SUSPENSION "}", ""},
    {"status-object", "license-status", "\"credentialStatus\":[", "\"credentialStatus\":{\"a\":["},
    {"status-http", "license-status", "\"statusListCredential\":\"https://",
     "\"statusListCredential\":\"http://"},
    {"status-id-no-index", "license-status", "revocation#94567", "revocation"},
    {"message-size-1", "license-status-message", "\"statusSize\":2", "\"statusSize\":1"},
    {"message-size-string", "license-status-message", "\"statusSize\":2", "\"statusSize\":\"2\""},
    {"message-wrong-word", "license-status-message", "\"message\":\"surrendered\"",
     "\"message\":\"revoked\""},
    {"message-status-not-hex", "license-status-message", "\"status\":\"0x2\"", "\"status\":\"2\""},
    {"message-three-messages", "license-status-message",
     ",{\"status\":\"0x3\",\"message\":\"undefined\"}", ""},
    {"message-extra-member", "license-status-message", "\"statusSize\":2",
     "\"statusSize\":2,\"statusReference\":\"https://registry.town-7.example/words\""},
    {"message-renamed-member", "license-status-message",
     "\"statusMessage\":", "\"statusMessages\":"},
    {"message-four-entries", "license-status-message", "\"undefined\"}]}]",
     "\"undefined\"}]},{" STATUS_SUSPENSION "}]"},
    {"message-on-authorization", "issuer-auth-status", "}]}",
     "},{" STATUS_MEMBERS("message") ",\"statusSize\":2,\"statusMessage\":["
                                     "{\"status\":\"0x0\",\"message\":\"active\"},"
                                     "{\"status\":\"0x1\",\"message\":\"surrendered\"},"
                                     "{\"status\":\"0x2\",\"message\":\"lapsed\"},"
                                     "{\"status\":\"0x3\",\"message\":\"undefined\"}]}]}"},
    {"status-on-charter", "charter-anchor-ed25519", "]}}",
     "]},\"credentialStatus\":[{" STATUS_REVOCATION "},{" STATUS_SUSPENSION "}]}"},
    /* CommunityCharter: the roundtable terms */
    {"terms-empty", "charter-anchor-ed25519", "]}}", "],\"roundtable\":{}}}"},
    {"terms-unknown", "charter-terms-all", "\"consecutiveTerms\":10",
     "\"consecutiveTerms\":10,\"termYears\":2"},
    {"terms-representative-6", "charter-terms-all", "\"representativeTermYears\":5",
     "\"representativeTermYears\":6"},
    {"terms-chair-5", "charter-terms-all", "\"chairTermYears\":4", "\"chairTermYears\":5"},
    {"terms-leader-0", "charter-terms-all", "\"leaderTermYears\":5", "\"leaderTermYears\":0"},
    {"terms-consecutive-11", "charter-terms-all", "\"consecutiveTerms\":10",
     "\"consecutiveTerms\":11"},
    {"terms-string", "charter-terms-all", "\"chairTermYears\":4", "\"chairTermYears\":\"4\""},
    {"terms-representative-4-level-1", "charter-terms-level-1", "\"representativeTermYears\":3",
     "\"representativeTermYears\":4"},
    {"terms-chair-level-0", "charter-terms-level-0", "\"leaderTermYears\":2",
     "\"leaderTermYears\":2,\"chairTermYears\":1"},
    {"terms-representative-level-0", "charter-terms-level-0", "\"leaderTermYears\":2",
     "\"leaderTermYears\":2,\"representativeTermYears\":1"},
    {"terms-leader-level-8", "charter-terms-level-8", "\"chairTermYears\":4",
     "\"chairTermYears\":4,\"leaderTermYears\":1"},
    {"terms-on-license", "license-holder", "\"level\":2}}",
     "\"level\":2},\"roundtable\":{\"chairTermYears\":4}}"},
    /* RoundtableMandate */
    {"mandate-office-unknown", "mandate-representative", "\"representative\"", "\"delegate\""},
    {"mandate-office-missing", "mandate-representative", "\"office\":\"representative\",", ""},
    {"mandate-holder-missing", "mandate-representative",
     "{\"id\":\"did:key:", "{\"iD\":\"did:key:"},
    {"mandate-holder-did-web", "mandate-representative", "\"id\":\"did:key:", "\"id\":\"did:web:"},
    {"mandate-representative-no-seat", "mandate-representative", ",\"seat\":\"urn:libro:tribe-12\"",
     ""},
    {"mandate-representative-not-voting", "mandate-representative", "\"voting\":true",
     "\"voting\":false"},
    {"mandate-representative-level-0", "mandate-representative", "\"level\":1}", "\"level\":0}"},
    {"mandate-chair-with-seat", "mandate-chair", "\"level\":8}", "\"level\":8},\"seat\":\"urn:x\""},
    {"mandate-chair-voting", "mandate-chair", "\"voting\":false", "\"voting\":true"},
    {"mandate-chair-level-0", "mandate-chair", "\"level\":8}", "\"level\":0}"},
    {"mandate-leader-voting", "mandate-leader-level-0", "\"voting\":false", "\"voting\":true"},
    {"mandate-leader-no-seat", "mandate-leader-level-0", ",\"seat\":\"urn:libro:town-7\"", ""},
    {"mandate-leader-level-8", "mandate-leader-level-7", "\"level\":7}", "\"level\":8}"},
    {"mandate-voting-string", "mandate-representative", "\"voting\":true", "\"voting\":\"yes\""},
    {"mandate-level-9", "mandate-chair", "\"level\":8}", "\"level\":9}"},
    {"mandate-roundtable-extra", "mandate-representative", "\"level\":1}",
     "\"level\":1,\"name\":\"N3\"}"},
    {"mandate-seat-relative", "mandate-representative", "\"seat\":\"urn:libro:tribe-12\"",
     "\"seat\":\"tribe-12\""},
    {"mandate-key", "mandate-representative", "\"name\":\"Jane Doe\"",
     "\"name\":\"Jane Doe\",\"publicKeyJwk\":{}"},
    {"mandate-record-sha512", "mandate-representative", "\"sha256:", "\"sha512:"},
    {"mandate-record-upper", "mandate-representative", "\"sha256:6098", "\"sha256:609A"},
    {"mandate-record-short", "mandate-representative", "443a\"", "443\""},
    {"mandate-election-extra", "mandate-representative",
     "\"result\":", "\"turnout\":97,\"result\":"},
    {"mandate-election-no-date", "mandate-representative", "\"date\":\"2025-11-16T00:00:00Z\",",
     ""},
    {"mandate-election-date-offset", "mandate-representative", "2025-11-16T00:00:00Z",
     "2025-11-16T00:00:00+01:00"},
    {"mandate-electorate-0", "mandate-leader-level-0", "\"electorate\":1,", "\"electorate\":0,"},
    {"mandate-electorate-max", "mandate-chair", "\"electorate\":100000000",
     "\"electorate\":100000001"},
    {"mandate-result-empty", "mandate-chair", "\"result\":\"elected\"", "\"result\":\"\""},
    {"mandate-result-201", "mandate-leader-level-7", "\"result\":\"N", "\"result\":\"NN"},
    {"mandate-no-status", "mandate-representative", MANDATE_STATUS, ""},
    {"mandate-two-entries", "mandate-representative", ",{" MANDATE_MESSAGE "}", ""},
    {"mandate-license-words", "mandate-representative", "\"message\":\"in office\"",
     "\"message\":\"active\""},
    {"license-mandate-words", "license-status-message", "\"message\":\"active\"",
     "\"message\":\"in office\""},
    /* ResponsibilityAgreement */
    {"agreement-no-parties", "agreement-two", "\"parties\":[", "\"partiez\":["},
    {"agreement-role-missing", "agreement-two", "\"role\":\"tenant\",", ""},
    {"agreement-ending-both", "agreement-two", "{\"noticeDays\":3650}",
     "{\"noticeDays\":3650,\"mutualOnly\":true}"},
    {"agreement-ending-none", "agreement-two", "{\"noticeDays\":3650}", "{}"},
    {"agreement-notice-3651", "agreement-two", "\"noticeDays\":3650", "\"noticeDays\":3651"},
    {"agreement-notice-0", "agreement-two", "\"noticeDays\":3650", "\"noticeDays\":0"},
    {"agreement-mutual-false", "agreement-seven-mutual", "\"mutualOnly\":true",
     "\"mutualOnly\":false"},
    {"agreement-supersedes-upper", "agreement-seven-mutual", "\"sha256:0f1e", "\"sha256:0F1E"},
    {"agreement-name", "agreement-two", "\"title\":", "\"name\":\"N\",\"title\":"},
    {"agreement-status", "agreement-two",
     "\"credentialSubject\":", "\"credentialStatus\":[],\"credentialSubject\":"},
    {"agreement-responsibility-control", "agreement-two", "\"responsibilities\":[\"AA",
     "\"responsibilities\":[\"\\u0007A"},
    /* CommunityLaw */
    {"law-version-0", "law-small", "\"version\":1,", "\"version\":0,"},
    {"law-version-1001", "law-big", "\"version\":1000,", "\"version\":1001,"},
    {"law-no-aim", "law-small", "\"aim\":\"that every household can rest\",", ""},
    {"law-text-empty", "law-small", "\"text\":\"line one\\nXtt\"", "\"text\":\"\""},
    {"law-text-tab", "law-small", "\"text\":\"line one", "\"text\":\"\\tline one"},
    {"law-chair-seat", "law-small", "\"name\":\"Chen Chu\",",
     "\"name\":\"Chen Chu\",\"seat\":\"urn:libro:tribe-9\","},
    {"law-representative-no-seat", "law-small", "\"seat\":\"urn:libro:tribe-1\",", ""},
    {"law-leader", "law-small", "\"office\":\"representative\"", "\"office\":\"leader\""},
    {"law-member-not-did", "law-small",
     "\"roundtable\":[{\"id\":\"did:key:", "\"roundtable\":[{\"id\":\"did:web:"},
    {"law-no-record", "law-small", "\"consentRecord\":", "\"consentRecorb\":"},
};

static int
emit_invalid(void)
{
    int bad = 0;
    size_t i;

    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        libro_error err = LIBRO_ERROR_INIT;
        libro_buf doc = LIBRO_BUF_INIT;
        libro_credential *c = NULL;
        char path[4096];
        const char *at;
        int n = snprintf(path, sizeof path, "%s/valid/%s.json", outdir, invalid[i].base);
        FILE *f = n > 0 && (size_t) n < sizeof path ? fopen(path, "rb") : NULL;
        static char text[65536];
        size_t len = f != NULL ? fread(text, 1, sizeof text - 1, f) : 0;

        if (f != NULL) {
            fclose(f);
        }
        text[len] = '\0';
        at = strstr(text, invalid[i].from);
        if (at == NULL) {
            fprintf(stderr, "emit: invalid %s: \"%s\" not in %s\n", invalid[i].name,
                    invalid[i].from, invalid[i].base);
            bad = 1;
            continue;
        }
        if (libro_buf_append(&doc, text, (size_t) (at - text), &err) != LIBRO_OK ||
            libro_buf_append_str(&doc, invalid[i].to, &err) != LIBRO_OK ||
            libro_buf_append_str(&doc, at + strlen(invalid[i].from), &err) != LIBRO_OK) {
            bad = 1;
        } else if (libro_credential_parse(&c, doc.data, doc.len, &err) == LIBRO_OK) {
            fprintf(stderr, "emit: invalid %s: libro accepts it\n", invalid[i].name);
            bad = 1;
        } else if (write_file("invalid", invalid[i].name, doc.data, doc.len) != 0) {
            bad = 1;
        } else {
            n_invalid++;
        }
        libro_credential_free(c);
        libro_buf_free(&doc);
    }
    return bad;
}

static int
make_dir(const char *sub)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", outdir, sub);

    if (n < 0 || (size_t) n >= sizeof path || (mkdir(path, 0755) != 0 && errno != EEXIST)) {
        fprintf(stderr, "emit: cannot create %s/%s\n", outdir, sub);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    int bad;

    if (argc != 2) {
        fprintf(stderr, "usage: emit_credentials OUTDIR\n");
        return 2;
    }
    outdir = argv[1];
    if (make_dir("valid") != 0 || make_dir("invalid") != 0) {
        return 1;
    }
    bad = emit_valid();
    bad |= emit_invalid();
    printf("emit_credentials: %u valid, %u invalid documents in %s\n", n_valid, n_invalid, outdir);
    return bad == 0 ? 0 : 1;
}
