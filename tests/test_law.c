/* Agreements and laws for the registry's suites (test_law.h). */
#include <stdio.h>
#include <string.h>

#include "libro/jws.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_law.h"
#include "test_util.h"

#define DAY INT64_C(86400)

static const char *const names[RT_HOLDERS] = {"Jane Doe", "Ravi <Singh> & Co", "Mia Chen",
                                              "Olu Ade"};

uint64_t
tl_log_size(libro_registry *r)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_merkle_hash root;
    uint64_t size = 0;

    must(libro_registry_log_head(r, &size, &root, &err), &err, "log head");
    return size;
}

char *
tl_agreement(const rt_fixture *f, const int *parties, size_t n, int64_t from, int64_t until,
             unsigned notice_days, const char *supersedes, const char *title, const int *signers,
             size_t n_signers)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    libro_buf doc = LIBRO_BUF_INIT;
    char *out;

    must(libro_credential_new(&c, LIBRO_CRED_AGREEMENT, &err), &err, "agreement");
    c->issuer = sdup(f->holder_did[parties[0]]);
    c->valid_from = from;
    c->valid_until = until;
    c->title = sdup(title);
    c->community_id = sdup(RT_COMMUNITY);
    c->community_level = 1;
    c->notice_days = notice_days;
    c->mutual_only = notice_days == 0;
    c->supersedes = supersedes == NULL ? NULL : sdup(supersedes);
    c->parties = libro_calloc(n, sizeof *c->parties);
    ck_assert_ptr_nonnull(c->parties);
    c->n_parties = n;
    for (size_t i = 0; i < n; i++) {
        libro_party *p = &c->parties[i];

        p->id = sdup(f->holder_did[parties[i]]);
        p->name = sdup(names[parties[i]]);
        p->role = sdup(i == 0 ? "tenant" : "neighbor");
        p->key = public_of(f->holder_key[parties[i]]);
        p->responsibilities = libro_calloc(1, sizeof *p->responsibilities);
        ck_assert_ptr_nonnull(p->responsibilities);
        p->responsibilities[0] = sdup(i == 0 ? "keep the <workshop> tidy" : "return every tool");
        p->n_responsibilities = 1;
    }
    must(libro_agreement_draft(&doc, c, &err), &err, "draft");
    for (size_t i = 0; i < n_signers; i++) {
        libro_buf next = LIBRO_BUF_INIT;
        bool party = false;

        for (size_t k = 0; k < n; k++) {
            party = party || parties[k] == signers[i];
        }
        if (party) {
            must(libro_agreement_sign(&next, (const char *) doc.data, doc.len,
                                      f->holder_key[signers[i]], &err),
                 &err, "sign");
        } else {
            /* No party: a signature core's signing helper refuses to make, added by hand. */
            libro_jws_signer s = {f->holder_key[signers[i]], NULL};
            char kid[300];
            libro_buf sig = LIBRO_BUF_INIT;
            libro_buf payload = LIBRO_BUF_INIT;

            kid_of(kid, f->holder_did[signers[i]], f->holder_key[signers[i]]);
            s.kid = kid;
            must(libro_credential_to_json(&payload, c, &err), &err, "payload");
            must(libro_jws_json_sign(&sig, &s, 1, LIBRO_AGREEMENT_TYP, payload.data, payload.len,
                                     &err),
                 &err, "outsider");
            /* Splice its one signature object after the document's others. */
            {
                const char *open = strstr((const char *) sig.data, "\"signatures\":[");
                const char *close = strrchr((const char *) doc.data, ']');

                ck_assert_ptr_nonnull(open);
                ck_assert_ptr_nonnull(close);
                open += strlen("\"signatures\":[");
                must(libro_buf_append(&next, doc.data, (size_t) (close - (const char *) doc.data),
                                      &err),
                     &err, "splice");
                if (close[-1] != '[') {
                    must(libro_buf_append_str(&next, ",", &err), &err, "splice");
                }
                must(libro_buf_append(&next, open, strlen(open), &err), &err, "splice");
            }
            libro_buf_free(&sig);
            libro_buf_free(&payload);
        }
        libro_buf_free(&doc);
        doc = next;
    }
    out = sdup((const char *) doc.data);
    libro_buf_free(&doc);
    libro_credential_free(c);
    return out;
}

void
tl_hash(char out[LIBRO_HASH_REF_SIZE], const char *doc)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_hash_ref(out, doc, strlen(doc), &err), &err, "hash");
}

char *
tl_end(const rt_fixture *f, const char *hash, libro_agreement_end how, int64_t at,
       const char *reason, const int *signers, size_t n, const char *typ)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_jws_signer s[RT_HOLDERS];
    char kids[RT_HOLDERS][300];
    char *out;

    ck_assert_uint_le(n, RT_HOLDERS);
    must(libro_agreement_end_payload(&payload, hash, how, at, reason, &err), &err, "end payload");
    for (size_t i = 0; i < n; i++) {
        kid_of(kids[i], f->holder_did[signers[i]], f->holder_key[signers[i]]);
        s[i].key = f->holder_key[signers[i]];
        s[i].kid = kids[i];
    }
    must(libro_jws_json_sign(&doc, s, n, typ == NULL ? LIBRO_AGREEMENT_END_TYP : typ, payload.data,
                             payload.len, &err),
         &err, "end statement");
    out = sdup((const char *) doc.data);
    libro_buf_free(&doc);
    libro_buf_free(&payload);
    return out;
}

void
tl_roundtable(const rt_fixture *f, libro_registry *r, int64_t from, int64_t until, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;

    for (int i = 0; i < 3; i++) {
        must(libro_registry_add_seat(r, NULL, f->tribe_charter[i], "clerk", now, &err), &err,
             "seat");
    }
    for (int h = 0; h < RT_HOLDERS; h++) {
        libro_office office = h == TL_CHAIR ? LIBRO_OFFICE_CHAIR : LIBRO_OFFICE_REPRESENTATIVE;
        uint32_t list = 0;
        uint32_t index = 0;
        char *jws;

        must(libro_registry_reserve_mandate_status(r, NULL, &list, &index, &err), &err, "reserve");
        jws = rt_mandate(f, office, h, h, from, until, RT_LIST_BASE, list, index);
        must(libro_registry_register_mandate(r, NULL, jws, list, index, "clerk", now, NULL, &err),
             &err, "mandate");
        libro_free(jws);
    }
}

char *
tl_step(tl_process *p, int holder, libro_step_kind kind, int64_t at, const tl_step_args *a)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_step *s = libro_calloc(1, sizeof *s);
    libro_buf token = LIBRO_BUF_INIT;
    char *out;

    ck_assert_ptr_nonnull(s);
    s->process = sdup(p->law);
    s->seq = p->seq;
    s->prev = p->seq == 0 ? NULL : sdup(p->prev);
    s->at = at;
    s->by = sdup(p->f->holder_did[holder]);
    s->kind = kind;
    switch (kind) {
    case LIBRO_STEP_PROPOSE:
    case LIBRO_STEP_AMEND:
        s->title = sdup("Quiet hours");
        s->aim = sdup("that every household can rest");
        s->text = sdup(a->text);
        s->review_date = a->review;
        if (kind == LIBRO_STEP_PROPOSE) {
            s->supersedes = a->ref == NULL ? NULL : sdup(a->ref);
        } else if (a->ref != NULL) {
            s->answers = libro_calloc(1, sizeof *s->answers);
            ck_assert_ptr_nonnull(s->answers);
            s->answers[0] = sdup(a->ref);
            s->n_answers = 1;
        }
        break;
    case LIBRO_STEP_RESPOND:
        s->version = a->version;
        s->round = a->round;
        s->response = a->consent ? LIBRO_RESPONSE_CONSENT : LIBRO_RESPONSE_OBJECT;
        s->reason = a->reason == NULL ? NULL : sdup(a->reason);
        s->harm = a->harm == NULL ? NULL : sdup(a->harm);
        break;
    case LIBRO_STEP_RULE:
        s->objection = sdup(a->ref);
        s->ruling = a->out ? LIBRO_RULING_OUT : LIBRO_RULING_VALID;
        s->reason = sdup(a->reason);
        break;
    case LIBRO_STEP_WITHDRAW:
        s->objection = sdup(a->ref);
        break;
    case LIBRO_STEP_ROUND:
        s->version = a->version;
        s->round = a->round;
        break;
    }
    must(libro_step_sign(&token, s, p->f->holder_key[holder], &err), &err, "sign step");
    out = sdup((const char *) token.data);
    libro_buf_free(&token);
    libro_step_free(s);
    return out;
}

char *
tl_raw_step(const rt_fixture *f, int holder, const char *json)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    char kid[300];
    char *out;

    kid_of(kid, f->holder_did[holder], f->holder_key[holder]);
    must(libro_jws_sign_compact(&token, f->holder_key[holder], kid, LIBRO_CONSENT_TYP, json,
                                strlen(json), &err),
         &err, "raw step");
    out = sdup((const char *) token.data);
    libro_buf_free(&token);
    return out;
}

void
tl_accept(tl_process *p, const char *token, char hash[LIBRO_HASH_REF_SIZE])
{
    tl_hash(p->prev, token);
    p->seq++;
    if (hash != NULL) {
        memcpy(hash, p->prev, LIBRO_HASH_REF_SIZE);
    }
}

char *
tl_law_of(const tl_process *p, uint32_t version, const char *text, int64_t adopted, int64_t review,
          const char *supersedes, const libro_key *key, const int *members, size_t n)
{
    libro_credential *c = new_cred(LIBRO_CRED_LAW, RT_COMMUNITY, p->law, "-", adopted, review);
    char *jws;

    libro_free(c->name);
    c->name = NULL;
    c->community_id = sdup(RT_COMMUNITY);
    c->community_level = 1;
    c->law_version = version;
    c->title = sdup("Quiet hours");
    c->aim = sdup("that every household can rest");
    c->text = sdup(text);
    c->consent_record = sdup(p->prev);
    c->supersedes = supersedes == NULL ? NULL : sdup(supersedes);
    c->members = libro_calloc(n, sizeof *c->members);
    ck_assert_ptr_nonnull(c->members);
    c->n_members = n;
    for (size_t i = 0; i < n; i++) {
        int h = members[i];

        c->members[i].id = sdup(p->f->holder_did[h]);
        c->members[i].name = sdup(names[h]);
        c->members[i].seat = h == TL_CHAIR ? NULL : sdup(rt_tribe(h));
        c->members[i].office = h == TL_CHAIR ? LIBRO_OFFICE_CHAIR : LIBRO_OFFICE_REPRESENTATIVE;
    }
    jws = sign(c, key);
    libro_credential_free(c);
    return jws;
}

char *
tl_law(const tl_process *p, uint32_t version, const char *text, int64_t adopted, int64_t review,
       const char *supersedes, const libro_key *key)
{
    static const int all[] = {0, 1, 2, TL_CHAIR};

    return tl_law_of(p, version, text, adopted, review, supersedes, key, all, 4);
}
