/* libro_verifier: the chain rules of docs/credentials.md, from a license whose signature
 * verified up to a pinned anchor. Each link's key comes only from the trust store; a stored
 * credential's claims are believed only after its signature verified with its signer's key
 * (also found in the store), and that signer's own link is checked in turn. Where several
 * stored credentials could be a link (an old and a renewed authorization, two charters of one
 * community), each is tried, newest first, and the first complete chain wins; otherwise the
 * attempt that got furthest up names the failure. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libro/jws.h"
#include "libro/rules.h"
#include "libro/time.h"
#include "libro/util.h"
#include "verify_int.h"

/* How far an attempt got at one link, for choosing which failure to report. */
enum stage {
    STAGE_FOUND = 0,  /* finding the link or verifying its signature */
    STAGE_RULES = 1,  /* nesting, scope, level and community against the link below */
    STAGE_WINDOW = 2, /* the link's own window at the verification time */
};

/* What is below link 2, which decides link 2's type and the rules between them. */
enum walk_kind {
    WALK_LICENSE = 0,   /* a license: link 2 its IssuerAuthorization */
    WALK_REGISTRY = 1,  /* a status list: link 2 a RegistryAuthorization of `community` */
    WALK_MEMBER = 2,    /* a member community's charter: link 2 its parent's charter */
    WALK_MANDATE = 3,   /* a RoundtableMandate: link 2 the charter of the community that
                         * signed it (docs/credentials.md, "The chain of a mandate") */
    WALK_COMMUNITY = 4, /* a CommunityLaw (signed by its community's key) or the community
                         * that frames a ResponsibilityAgreement: link 2 that community's
                         * charter or anchor, of the level the credential names */
};

struct walk {
    const libro_trust *t;
    const libro_verify_options *opt;
    enum walk_kind kind;
    const libro_credential *below; /* the license or the member charter below link 2; NULL for
                                    * a status list */
    /* A status list's walk (libro_chain__walk_registry): link 2 is a RegistryAuthorization
     * of `community` above `list`. */
    const libro_status_list *list;
    const char *community;
    /* A mandate's walk: the thumbprint of the key that signed it, and, while link 2 is a
     * leader's parent, the charter of the circle it appoints into (not on the path: the
     * parent signed it), borrowed from the memo. */
    const char *signer_tp;
    const libro_credential *circle;
    /* path[j] is link j + 2 (path[0] the authorization), borrowed from the store: anchors
     * verified when indexed, the others when the store last changed. */
    const libro_credential *path[LIBRO_VERIFY__MAX_LINKS];
    bool anchor[LIBRO_VERIFY__MAX_LINKS];
    unsigned attempts;
    bool give_up; /* the attempt budget ran out: stop searching */
    /* The range of `now` in which every window compared so far answers as it did. */
    int64_t now_lo;
    int64_t now_hi;
    /* The failure of the attempt that got furthest, with the links it had verified. */
    bool have_best;
    unsigned best_score;
    char best_reason[LIBRO_ERROR_MSG_MAX];
    libro_chain_link *best_links;
    size_t n_best;
};

/* ---- links ------------------------------------------------------------------------------ */

void
libro_chain__link_clear(libro_chain_link *link)
{
    if (link == NULL) {
        return;
    }
    libro_free(link->subject_id);
    libro_free(link->name);
    libro_free(link->issuer);
    libro_free(link->level_name);
    memset(link, 0, sizeof *link);
}

static char *
dup_or_null(const char *s, bool *ok)
{
    char *d;

    if (s == NULL) {
        return NULL;
    }
    d = libro_strndup(s, strlen(s));
    if (d == NULL) {
        *ok = false;
    }
    return d;
}

libro_code
libro_chain__link_fill(libro_chain_link *link, const libro_credential *c, bool anchor,
                       libro_error *err)
{
    char tmp[32];
    bool ok = true;

    memset(link, 0, sizeof *link);
    link->type = c->type;
    link->subject_id = dup_or_null(c->subject_id, &ok);
    link->name = dup_or_null(c->name != NULL ? c->name : c->title, &ok); /* a law: its title */
    link->issuer = dup_or_null(c->issuer, &ok);
    link->level = -1;
    if (c->type == LIBRO_CRED_CHARTER) {
        link->level = c->level;
        link->level_name = dup_or_null(libro_level_name(c, tmp, sizeof tmp), &ok);
    }
    link->valid_from = c->valid_from;
    link->valid_until = c->valid_until;
    link->anchor = anchor;
    if (!ok) {
        libro_chain__link_clear(link);
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    return LIBRO_OK;
}

static void
links_free(libro_chain_link *links, size_t n)
{
    size_t i;

    for (i = 0; links != NULL && i < n; i++) {
        libro_chain__link_clear(&links[i]);
    }
    libro_free(links);
}

/* Copies of path[0..n). */
static libro_code
links_from_path(libro_chain_link **out, const struct walk *w, size_t n, libro_error *err)
{
    libro_chain_link *links = NULL;
    size_t i;
    libro_code rc = LIBRO_OK;

    *out = NULL;
    if (n == 0) {
        return LIBRO_OK;
    }
    links = libro_calloc(n, sizeof *links);
    if (links == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    for (i = 0; i < n; i++) {
        rc = libro_chain__link_fill(&links[i], w->path[i], w->anchor[i], err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    *out = links;
    links = NULL;
out:
    links_free(links, n);
    return rc;
}

void
libro_chain__result_free(libro_chain__result *res)
{
    if (res == NULL) {
        return;
    }
    links_free(res->links, res->n_links);
    libro_free(res->community_name);
    libro_free(res->community_level_name);
    libro_free(res->roundtable_name);
    libro_free(res->seat_name);
    memset(res, 0, sizeof *res);
}

/* ---- messages ----------------------------------------------------------------------------- */

static void
fmt_time(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (libro_time_format(out, t, NULL) != LIBRO_OK) {
        memcpy(out, "?", 2);
    }
}

/* libro_verifier__window at the walk's time, narrowing the range of `now` that would answer
 * the same: before c's window (widened by the skew), in it, or after it. */
static libro_code
walk_window(struct walk *w, const libro_credential *c, const char *what, libro_error *err)
{
    int64_t skew = w->opt->skew;
    libro_code rc = libro_verifier__window(c, w->opt->now, skew, what, err);
    int64_t lo = c->valid_from - skew;
    int64_t hi = c->valid_until + skew;

    if (rc == LIBRO_ERR_NOT_YET_VALID) {
        lo = INT64_MIN;
        hi = c->valid_from - skew - 1;
    } else if (rc == LIBRO_ERR_EXPIRED) {
        lo = lo > c->valid_until + skew + 1 ? lo : c->valid_until + skew + 1;
        hi = INT64_MAX;
    }
    if (lo > w->now_lo) {
        w->now_lo = lo;
    }
    if (hi < w->now_hi) {
        w->now_hi = hi;
    }
    return rc;
}

libro_code
libro_verifier__window(const libro_credential *c, int64_t now, int64_t skew, const char *what,
                       libro_error *err)
{
    char when[LIBRO_TIME_TEXT_MAX];

    /* Both sides are within years 0001-9999 (the parser's range, and verify.c bounds `now`)
     * and skew is at most a day, so none of this overflows. validUntil is the last valid
     * second. */
    if (now + skew < c->valid_from) {
        fmt_time(when, c->valid_from);
        return libro_error_set(err, LIBRO_ERR_NOT_YET_VALID, "%s is not valid before %s", what,
                               when);
    }
    if (now - skew > c->valid_until) {
        fmt_time(when, c->valid_until);
        return libro_error_set(err, LIBRO_ERR_EXPIRED, "%s expired %s", what, when);
    }
    return LIBRO_OK;
}

/* Record the failure of the current attempt at link `k` (2 = the authorization) and `stage`,
 * with the first `n_verified` path entries, when it got further than any before. Returns
 * LIBRO_ERR_UNTRUSTED, or LIBRO_ERR_NOMEM when the record could not be kept. */
static libro_code fail(struct walk *w, size_t k, enum stage stage, size_t n_verified,
                       libro_error *err, const char *fmt, ...) LIBRO_PRINTF(6, 7);

static libro_code
fail(struct walk *w, size_t k, enum stage stage, size_t n_verified, libro_error *err,
     const char *fmt, ...)
{
    unsigned score = (unsigned) k * 4u + (unsigned) stage;
    libro_chain_link *links = NULL;
    va_list ap;
    libro_code rc;

    if (w->have_best && score <= w->best_score) {
        return LIBRO_ERR_UNTRUSTED; /* ties keep the first (newest) attempt's reason */
    }
    rc = links_from_path(&links, w, n_verified, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    links_free(w->best_links, w->n_best);
    w->best_links = links;
    w->n_best = n_verified;
    w->have_best = true;
    w->best_score = score;
    va_start(ap, fmt);
    if (vsnprintf(w->best_reason, sizeof w->best_reason, fmt, ap) < 0) {
        w->best_reason[0] = '\0';
    }
    va_end(ap);
    return LIBRO_ERR_UNTRUSTED;
}

/* ---- the rules ---------------------------------------------------------------------------- */

static libro_code memo_get(const libro_credential **out, char *why, size_t why_cap,
                           const struct walk *w, size_t idx, libro_error *err);

/* The charter of the circle a leader is appointed into (the mandate's roundtable), signed by
 * the leader's parent `parent` (link 2) with the key that signed the mandate: each stored
 * candidate, newest first, verified with that key, valid now and under the parent's charter
 * by the chain rules, and the first that passes the mandate's rules with it kept in
 * w->circle. LIBRO_OK: found; LIBRO_ERR_UNTRUSTED with the first candidate's reason in `e`
 * (or that there is none); anything else: no verdict. */
static libro_code
find_circle(struct walk *w, const libro_credential *parent, libro_error *e, libro_error *err)
{
    const libro_credential *m = w->below;
    const libro_credential *c;
    char why[LIBRO_ERROR_MSG_MAX];
    char desc[96];
    libro_error e2 = LIBRO_ERROR_INIT;
    bool have_reason = false;
    libro_code rc = LIBRO_OK;
    libro_code best = LIBRO_ERR_UNTRUSTED;
    int64_t newest;
    size_t i;
    size_t pick;
    bool *tried = libro_calloc(w->t->n_items == 0 ? 1 : w->t->n_items, sizeof *tried);

    if (tried == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    w->circle = NULL;
    for (;;) {
        /* The newest untried candidate: a renewed charter before the one it replaced. */
        pick = w->t->n_items;
        newest = 0;
        for (i = 0; i < w->t->n_items; i++) {
            const libro_trust__item *it = &w->t->items[i];

            if (tried[i] || it->kind != LIBRO_TRUST_CREDENTIAL ||
                it->cred->type != LIBRO_CRED_CHARTER ||
                strcmp(it->cred->subject_id, m->roundtable_id) != 0 ||
                strcmp(it->signer_id, parent->subject_id) != 0 ||
                strcmp(it->signer_tp, w->signer_tp) != 0) {
                continue;
            }
            if (pick == w->t->n_items || it->cred->valid_until > newest) {
                pick = i;
                newest = it->cred->valid_until;
            }
        }
        if (pick == w->t->n_items) {
            break;
        }
        tried[pick] = true;
        rc = memo_get(&c, why, sizeof why, w, pick, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        if (c == NULL) {
            libro_error_set(&e2, LIBRO_ERR_UNTRUSTED, "%s", why);
        } else {
            libro_rules_describe(desc, sizeof desc, c);
            rc = libro_rules_mandate_under(m, parent, c, &e2);
            if (rc == LIBRO_OK) {
                rc = libro_rules_under_charter(c, parent, &e2);
            }
            if (rc == LIBRO_OK) {
                rc = walk_window(w, c, desc, &e2);
            }
            if (rc == LIBRO_OK) {
                w->circle = c;
                best = LIBRO_OK;
                goto out;
            }
            rc = LIBRO_OK;
        }
        if (!have_reason) {
            *e = e2;
            have_reason = true;
        }
    }
    if (!have_reason) {
        libro_error_set(e, LIBRO_ERR_UNTRUSTED,
                        "no trusted charter of %.64s issued by %.64s, the circle the leader is "
                        "appointed into",
                        m->roundtable_id, parent->subject_id);
    }
out:
    libro_free(tried);
    return rc != LIBRO_OK ? rc : best;
}

/* The mandate's rules against link 2, the charter of the community that signed it: for a
 * chair that charter is the roundtable's too; for a leader the circle's charter is found
 * beside it (find_circle); a representative's roundtable charter is link 3, checked there,
 * unless link 2 is an anchor, which no roundtable chartered. LIBRO_OK; LIBRO_ERR_UNTRUSTED
 * with the broken rule in `e`; anything else is no verdict (`err`). */
static libro_code
mandate_rules(struct walk *w, const libro_credential *up, libro_error *e, libro_error *err)
{
    const libro_credential *m = w->below;
    libro_code rc;

    w->circle = NULL;
    if (m->office == LIBRO_OFFICE_LEADER) {
        rc = libro_rules_mandate_office(m, e);
        return rc == LIBRO_OK ? find_circle(w, up, e, err) : LIBRO_ERR_UNTRUSTED;
    }
    if (m->office == LIBRO_OFFICE_CHAIR || strcmp(up->issuer, up->subject_id) == 0) {
        rc = libro_rules_mandate_under(m, up, up, e);
    } else {
        rc = libro_rules_mandate_office(m, e);
    }
    return rc == LIBRO_OK ? LIBRO_OK : LIBRO_ERR_UNTRUSTED;
}

/* Rules 3-5 between link k (`up`, verified) and the link below it, each core's own
 * (libro/rules.h), so the verifier refuses exactly what the issuer will not sign and the
 * registry will not record. Returns LIBRO_OK, or LIBRO_ERR_UNTRUSTED with the rule's reason in
 * `why`; anything else is no verdict (out of memory, in `err`). */
static libro_code
check_rules(struct walk *w, size_t k, const libro_credential *up, char *why, size_t why_cap,
            libro_error *err)
{
    const libro_credential *below = k == 2 ? w->below : w->path[k - 3];
    libro_error e = LIBRO_ERROR_INIT;
    char up_desc[96];
    libro_code rc;

    if (w->kind == WALK_REGISTRY && k == 2) {
        /* Rule 3 for a status list: it lies within its registry's authorization. */
        rc =
            libro_rules_window_of("status list", w->list->valid_from, w->list->valid_until, up, &e);
        if (rc == LIBRO_OK && strcmp(up->issuer, w->community) != 0) {
            /* Only the community that authorized the license's issuer speaks for its status. */
            libro_rules_describe(up_desc, sizeof up_desc, up);
            rc = libro_error_set(&e, LIBRO_ERR_DENIED,
                                 "%s was issued by %.64s, not by %.64s, the license's community",
                                 up_desc, up->issuer, w->community);
        }
    } else if (w->kind == WALK_COMMUNITY && k == 2) {
        /* The community the law or agreement names, at the level it names. */
        rc = LIBRO_OK;
        if (strcmp(up->subject_id, below->community_id) != 0 ||
            up->level != below->community_level) {
            libro_rules_describe(up_desc, sizeof up_desc, up);
            rc = libro_error_set(&e, LIBRO_ERR_DENIED,
                                 "the %s names community %.64s at level %d, but %s is of level "
                                 "%d",
                                 below->type == LIBRO_CRED_LAW ? "law" : "agreement",
                                 below->community_id, below->community_level, up_desc, up->level);
        }
    } else if (w->kind == WALK_MANDATE && k == 2) {
        rc = mandate_rules(w, up, &e, err);
        if (rc != LIBRO_OK && rc != LIBRO_ERR_UNTRUSTED) {
            return rc;
        }
    } else if (w->kind == WALK_LICENSE && k == 2) {
        /* Rule 5 (the license names the community that authorized its issuer), rule 4 for
         * the license (its type granted, for no longer than the grant allows), rule 3
         * (windows nest). */
        rc = libro_rules_license_under(below, up, &e);
        if (rc == LIBRO_OK) {
            /* A license must be on record where its authorization says (statusRegistry): one
             * signed with a stolen key and never registered has no such entries. */
            rc = libro_rules_license_status(below, up, &e);
        }
    } else {
        /* Rules 3, 4 and (between charters) 5: windows nest, scopes narrow (an
         * authorization's grants, a charter's allowed types; a registry authorization grants
         * none), levels decrease. Under the authorization, rule 5 is the license's: it gives
         * its community's level as chartered. A member's charter is under its parent's
         * charter as any charter is. */
        rc = LIBRO_OK;
        if (k == 3 && w->kind == WALK_MANDATE && w->below->office == LIBRO_OFFICE_REPRESENTATIVE) {
            /* A representative's roundtable is the community that chartered the seat: link 3
             * is its charter (or its anchor). */
            rc = libro_rules_mandate_under(w->below, below, up, &e);
        }
        if (rc == LIBRO_OK) {
            rc = libro_rules_under_charter(below, up, &e);
        }
        if (rc == LIBRO_OK && k == 3 && w->kind == WALK_LICENSE) {
            rc = libro_rules_license_level(w->below, up, &e);
        }
    }
    if (rc == LIBRO_OK) {
        return LIBRO_OK;
    }
    if (snprintf(why, why_cap, "%s", e.msg) < 0) {
        why[0] = '\0';
    }
    return LIBRO_ERR_UNTRUSTED;
}

/* ---- the walk ----------------------------------------------------------------------------- */

/* The key named (id, tp) as stored: an anchor or a chartered community's key. Every stored
 * credential with that thumbprint holds the same key (the thumbprint is its SHA-256), so any
 * one verifies a signature; whether that key is trusted is the next link's question. */
static const libro_trust__item *
find_key(const libro_trust *t, const char *id, const char *tp)
{
    size_t i;

    for (i = 0; i < t->n_items; i++) {
        const libro_trust__item *it = &t->items[i];

        if (it->cred->type == LIBRO_CRED_CHARTER && strcmp(it->tp, tp) == 0 &&
            strcmp(it->cred->subject_id, id) == 0) {
            return it;
        }
    }
    return NULL;
}

const libro_key *
libro_trust__community_key(const libro_trust *t, const char *id, const char *tp)
{
    const libro_trust__item *it = find_key(t, id, tp);

    return it != NULL ? it->cred->subject_key : NULL;
}

struct cand {
    size_t idx;
    int64_t until;
    int group; /* 0: anchors, tried first (the shortest chain); 1: the rest */
};

static int
cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a;
    const struct cand *y = b;

    if (x->group != y->group) {
        return x->group < y->group ? -1 : 1;
    }
    if (x->until != y->until) {
        return x->until > y->until ? -1 : 1; /* newest first */
    }
    return x->idx < y->idx ? -1 : (x->idx > y->idx ? 1 : 0);
}

/* Candidates for link k naming key (id, tp): authorizations for k = 2, else anchors and
 * charters of the community. */
static libro_code
candidates(struct cand **out, size_t *n_out, const libro_trust *t, libro_cred_type link2, size_t k,
           const char *id, const char *tp, libro_error *err)
{
    struct cand *c = NULL;
    size_t n = 0;
    size_t i;

    *out = NULL;
    *n_out = 0;
    for (i = 0; i < t->n_items; i++) {
        const libro_trust__item *it = &t->items[i];
        bool want = k == 2 ? it->cred->type == link2 : it->cred->type == LIBRO_CRED_CHARTER;

        if (!want || strcmp(it->tp, tp) != 0 || strcmp(it->cred->subject_id, id) != 0) {
            continue;
        }
        if (c == NULL) {
            c = libro_calloc(t->n_items - i, sizeof *c);
            if (c == NULL) {
                return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
            }
        }
        c[n].idx = i;
        c[n].until = it->cred->valid_until;
        c[n].group = it->kind == LIBRO_TRUST_ANCHOR ? 0 : 1;
        n++;
    }
    if (n > 1) {
        qsort(c, n, sizeof *c, cand_cmp);
    }
    *out = c;
    *n_out = n;
    return LIBRO_OK;
}

/* The type of link 2 above what the walk starts from. */
static libro_cred_type
link2_type(enum walk_kind kind)
{
    switch (kind) {
    case WALK_LICENSE:
        return LIBRO_CRED_ISSUER_AUTH;
    case WALK_REGISTRY:
        return LIBRO_CRED_REGISTRY_AUTH;
    case WALK_MEMBER:
    case WALK_MANDATE:
    case WALK_COMMUNITY:
        break;
    }
    return LIBRO_CRED_CHARTER;
}

static libro_code walk_up(struct walk *w, size_t k, const char *want_id, const char *want_tp,
                          libro_error *err);

/* Verify stored credential `it` with its signer's key from the store and parse the verified
 * payload into *out (NULL and the reason in `why` when that fails). */
static libro_code
verify_item(libro_credential **out, const libro_trust *t, const libro_trust__item *it, char *why,
            size_t why_len)
{
    const libro_trust__item *signer;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_error e = LIBRO_ERROR_INIT;
    char desc[96];
    char shown[65];
    libro_code rc = LIBRO_OK;

    *out = NULL;
    why[0] = '\0';
    libro_rules_describe(desc, sizeof desc, it->cred);
    signer = find_key(t, it->signer_id, it->signer_tp);
    if (signer == NULL) {
        libro_verifier__printable(shown, sizeof shown, it->signer_id, strlen(it->signer_id));
        (void) snprintf(why, why_len, "no trusted anchor or charter for %s, signer of the %s",
                        shown, desc);
        goto out;
    }
    rc = libro_jws_verify_compact(&payload, it->token, it->token_len, signer->cred->subject_key,
                                  "vc+jwt", &e);
    if (rc == LIBRO_OK) {
        rc = libro_credential_parse(&c, payload.data, payload.len, &e);
    }
    if (rc == LIBRO_ERR_NOMEM || rc == LIBRO_ERR_CRYPTO) {
        goto out; /* no verdict: the caller fails */
    }
    if (rc != LIBRO_OK) {
        (void) snprintf(why, why_len, "%s: %.150s", desc, e.msg);
        rc = LIBRO_OK;
        goto out;
    }
    /* The same bytes were indexed at load; anything else would be a bug, not a chain. */
    if (c->type != it->cred->type || strcmp(c->subject_id, it->cred->subject_id) != 0 ||
        strcmp(c->issuer, it->signer_id) != 0 ||
        !libro_key_equal_public(c->subject_key, it->cred->subject_key)) {
        (void) snprintf(why, why_len, "%s: stored entry does not match its index", desc);
        goto out;
    }
    *out = c;
    c = NULL;
out:
    libro_credential_free(c);
    libro_buf_free(&payload);
    return rc;
}

libro_trust__memo *
libro_trust__memo_new(size_t n_items, size_t n_lists)
{
    libro_trust__memo *m = libro_calloc(1, sizeof *m);

    if (m == NULL) {
        return NULL;
    }
    m->items = libro_calloc(n_items == 0 ? 1 : n_items, sizeof *m->items);
    m->lists = libro_calloc(n_lists == 0 ? 1 : n_lists, sizeof *m->lists);
    if (m->items == NULL || m->lists == NULL || pthread_mutex_init(&m->lock, NULL) != 0) {
        libro_free(m->items);
        libro_free(m->lists);
        libro_free(m);
        return NULL;
    }
    m->n_items = n_items;
    m->n_lists = n_lists;
    return m;
}

static void
memo_clear(libro_trust__memo *m)
{
    size_t i;

    for (i = 0; i < m->n_items; i++) {
        libro_credential_free(m->items[i].verified);
    }
    for (i = 0; i < m->n_lists; i++) {
        libro_status_list_free(&m->lists[i].verified);
        libro_free(m->lists[i].walk.community);
    }
    libro_free(m->items);
    libro_free(m->lists);
    m->items = NULL;
    m->n_items = 0;
    m->lists = NULL;
    m->n_lists = 0;
}

void
libro_trust__memo_free(libro_trust__memo *m)
{
    if (m == NULL) {
        return;
    }
    memo_clear(m);
    (void) pthread_mutex_destroy(&m->lock);
    libro_free(m);
}

libro_code
libro_trust__memo_reset(libro_trust *t, libro_error *err)
{
    libro_trust__memo_item *fresh = libro_calloc(t->n_items == 0 ? 1 : t->n_items, sizeof *fresh);
    libro_trust__list_memo *lists = libro_calloc(t->n_lists == 0 ? 1 : t->n_lists, sizeof *lists);

    if (fresh == NULL || lists == NULL) {
        /* Nothing stale may stay: an empty memo makes verifications fail (out of memory)
         * until a later change of the store sizes it again. */
        memo_clear(t->memo);
        libro_free(fresh);
        libro_free(lists);
        return libro_error_set(err, LIBRO_ERR_NOMEM, "trust: out of memory");
    }
    memo_clear(t->memo);
    t->memo->items = fresh;
    t->memo->n_items = t->n_items;
    t->memo->lists = lists;
    t->memo->n_lists = t->n_lists;
    return LIBRO_OK;
}

/* The verified form of stored credential number `idx` (borrowed from the memo, which lives
 * until the store changes), checked on first use; NULL with the reason in `why` when its
 * signature did not verify. An error only when no verdict could be formed. */
static libro_code
memo_get(const libro_credential **out, char *why, size_t why_cap, const struct walk *w, size_t idx,
         libro_error *err)
{
    libro_trust__memo *m = w->t->memo;
    libro_trust__memo_item *mi;
    libro_code rc = LIBRO_OK;

    *out = NULL;
    if (idx >= m->n_items) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory (trust store memo)");
    }
    mi = &m->items[idx];
    (void) pthread_mutex_lock(&m->lock);
    if (mi->state == LIBRO_MEMO__UNKNOWN) {
        rc = verify_item(&mi->verified, w->t, &w->t->items[idx], mi->why, sizeof mi->why);
        if (rc == LIBRO_OK) {
            mi->state = mi->verified != NULL ? LIBRO_MEMO__VERIFIED : LIBRO_MEMO__REFUSED;
        }
    }
    *out = mi->verified;
    if (snprintf(why, why_cap, "%s", mi->why) < 0) {
        why[0] = '\0';
    }
    (void) pthread_mutex_unlock(&m->lock);
    if (rc != LIBRO_OK) {
        return libro_error_set(err, rc, "verify: out of memory");
    }
    return LIBRO_OK;
}

/* memo_get for link k of the walk: LIBRO_ERR_UNTRUSTED (recorded) when its signature did not
 * verify. */
static libro_code
load_verified(const libro_credential **out, struct walk *w, size_t k, size_t idx, libro_error *err)
{
    char why[LIBRO_ERROR_MSG_MAX];
    libro_code rc = memo_get(out, why, sizeof why, w, idx, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (*out == NULL) {
        return fail(w, k, STAGE_FOUND, k - 2, err, "%s", why);
    }
    return LIBRO_OK;
}

/* Try link k (2 = the authorization) for the key (want_id, want_tp) that signed link k - 1,
 * then recurse upwards. LIBRO_OK: path[0..k-2] hold a complete chain ending at an anchor.
 * LIBRO_ERR_UNTRUSTED: none of the candidates led to one (the best failure is recorded).
 * Anything else: stop (out of memory). */
static libro_code
walk_up(struct walk *w, size_t k, const char *want_id, const char *want_tp, libro_error *err)
{
    struct cand *cands = NULL;
    size_t n_cands = 0;
    size_t j = k - 2; /* path index of link k */
    char desc[96];
    char why[LIBRO_ERROR_MSG_MAX];
    char shown[65];
    libro_error e = LIBRO_ERROR_INIT;
    size_t i;
    size_t m;
    libro_code rc;

    if (k > w->opt->max_links) {
        rc = fail(w, k, STAGE_FOUND, j, err, "chain longer than %u links", w->opt->max_links);
        goto out;
    }
    rc = candidates(&cands, &n_cands, w->t, link2_type(w->kind), k, want_id, want_tp, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (n_cands == 0) {
        libro_verifier__printable(shown, sizeof shown, want_id, strlen(want_id));
        if (k == 2 && link2_type(w->kind) != LIBRO_CRED_CHARTER) {
            rc = fail(w, k, STAGE_FOUND, j, err, "no trusted %s authorization for %s#%s",
                      w->kind == WALK_REGISTRY ? "registry" : "issuer", shown, want_tp);
        } else {
            rc = fail(w, k, STAGE_FOUND, j, err, "no trusted anchor or charter for %s#%s", shown,
                      want_tp);
        }
        goto out;
    }
    rc = LIBRO_ERR_UNTRUSTED;
    for (i = 0; i < n_cands && !w->give_up; i++) {
        const libro_trust__item *it = &w->t->items[cands[i].idx];
        bool is_anchor = it->kind == LIBRO_TRUST_ANCHOR;
        const libro_credential *c;

        if (++w->attempts > LIBRO_CHAIN__MAX_ATTEMPTS) {
            /* The search is incomplete, so this reason beats any partial one found. */
            w->give_up = true;
            w->have_best = false;
            rc = fail(w, k, STAGE_FOUND, j, err,
                      "more than %u candidate links: the trust store is too ambiguous",
                      LIBRO_CHAIN__MAX_ATTEMPTS);
            break;
        }
        if (is_anchor) {
            c = it->cred;
        } else {
            rc = load_verified(&c, w, k, cands[i].idx, err);
            if (rc == LIBRO_ERR_UNTRUSTED) {
                continue;
            }
            if (rc != LIBRO_OK) {
                break;
            }
        }
        w->path[j] = c;
        w->anchor[j] = is_anchor;
        libro_rules_describe(desc, sizeof desc, c);
        /* Rules 3-5 against the link below. */
        rc = check_rules(w, k, c, why, sizeof why, err);
        if (rc == LIBRO_ERR_UNTRUSTED) {
            rc = fail(w, k, STAGE_RULES, j + 1, err, "%s", why);
            goto next;
        }
        if (rc != LIBRO_OK) {
            break; /* out of memory: no verdict */
        }
        /* Rule 6: no community twice (a cycle cannot be signed with decreasing levels, but
         * the walk must not depend on that). */
        for (m = 1; m < j; m++) {
            if (strcmp(w->path[m]->subject_id, c->subject_id) == 0) {
                rc = fail(w, k, STAGE_RULES, j + 1, err,
                          "community %.64s appears twice in the chain", c->subject_id);
                goto next;
            }
        }
        /* Rule 2: valid at the verification time. */
        if (walk_window(w, c, desc, &e) != LIBRO_OK) {
            rc = fail(w, k, STAGE_WINDOW, j + 1, err, "%s", e.msg);
            goto next;
        }
        if (is_anchor) {
            rc = LIBRO_OK;
            goto out;
        }
        rc = walk_up(w, k + 1, it->signer_id, it->signer_tp, err);
        if (rc == LIBRO_OK) {
            goto out;
        }
    next:
        w->path[j] = NULL;
        if (rc != LIBRO_ERR_UNTRUSTED) {
            break; /* out of memory: no verdict */
        }
    }
out:
    libro_free(cands);
    return rc;
}

/* A mandate's communities by the names their verified charters give: the seat is link 2
 * (the signer) for a representative and a leader; the roundtable is link 2 for a chair, link
 * 3 for a representative, and for a leader the circle's charter found beside the chain
 * (known only when the chain is complete). */
static libro_code
mandate_names(libro_chain__result *res, const struct walk *w, libro_error *err)
{
    const libro_credential *m = w->below;
    const char *seat = NULL;
    const char *rt = NULL;
    bool ok = true;

    /* A link names a community only when it is that community's: a walk that failed may have
     * got to another one. */
    if (res->n_links >= 1 && m->seat != NULL && strcmp(res->links[0].subject_id, m->seat) == 0) {
        seat = res->links[0].name;
    }
    if (m->office == LIBRO_OFFICE_CHAIR && res->n_links >= 1) {
        rt = res->links[0].name;
    } else if (m->office == LIBRO_OFFICE_REPRESENTATIVE && res->n_links >= 2) {
        rt = res->links[1].name;
    } else if (m->office == LIBRO_OFFICE_LEADER && res->outcome == LIBRO_VALID &&
               w->circle != NULL) {
        rt = w->circle->name;
    }
    if (rt != NULL && m->office != LIBRO_OFFICE_LEADER &&
        strcmp(res->links[m->office == LIBRO_OFFICE_CHAIR ? 0 : 1].subject_id, m->roundtable_id) !=
            0) {
        rt = NULL;
    }
    res->seat_name = dup_or_null(seat, &ok);
    res->roundtable_name = dup_or_null(rt, &ok);
    if (!ok) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    return LIBRO_OK;
}

/* A walk of `kind` from `below` (NULL for a status list's). */
static struct walk
walk_of(const libro_trust *t, const libro_verify_options *opt, enum walk_kind kind,
        const libro_credential *below)
{
    struct walk w;

    memset(&w, 0, sizeof w);
    w.t = t;
    w.opt = opt;
    w.kind = kind;
    w.below = below;
    w.now_lo = INT64_MIN;
    w.now_hi = INT64_MAX;
    return w;
}

/* The walk every entry point shares: `w` says what is below link 2. */
static libro_code
walk(libro_chain__result *res, struct walk *wp, const char *signer_id, const char *signer_tp,
     libro_error *err)
{
    struct walk w = *wp;

    w.signer_tp = signer_tp;
    size_t n = 0;
    libro_code rc;

    memset(res, 0, sizeof *res);
    if (w.opt->max_links > LIBRO_VERIFY__MAX_LINKS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: max_links above %u",
                               LIBRO_VERIFY__MAX_LINKS);
    }
    rc = walk_up(&w, 2, signer_id, signer_tp, err);
    if (rc == LIBRO_OK) {
        while (n < LIBRO_VERIFY__MAX_LINKS && w.path[n] != NULL) {
            n++;
        }
        rc = links_from_path(&res->links, &w, n, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        res->n_links = n;
        res->outcome = LIBRO_VALID;
    } else if (rc == LIBRO_ERR_UNTRUSTED) {
        res->links = w.best_links;
        res->n_links = w.n_best;
        w.best_links = NULL;
        w.n_best = 0;
        res->outcome = LIBRO_UNTRUSTED;
        memcpy(res->reason, w.best_reason, sizeof res->reason);
        rc = LIBRO_OK;
    } else {
        goto out;
    }
    res->now_lo = w.now_lo;
    res->now_hi = w.now_hi;
    if (w.kind == WALK_MANDATE) {
        rc = mandate_names(res, &w, err);
    } else if (w.kind == WALK_COMMUNITY && res->n_links >= 1 &&
               strcmp(res->links[0].subject_id, w.below->community_id) == 0) {
        /* The community itself is link 2. */
        bool ok = true;

        res->community_name = dup_or_null(res->links[0].name, &ok);
        res->community_level_name = dup_or_null(res->links[0].level_name, &ok);
        if (!ok) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
        }
    } else if (res->n_links >= 2 && res->links[1].type == LIBRO_CRED_CHARTER) {
        /* The issuing community is the one whose charter (or anchor) vouches for the
         * authorization: link 3. */
        bool ok = true;

        res->community_name = dup_or_null(res->links[1].name, &ok);
        res->community_level_name = dup_or_null(res->links[1].level_name, &ok);
        if (!ok) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
        }
    }
out:
    links_free(w.best_links, w.n_best);
    if (rc != LIBRO_OK) {
        libro_chain__result_free(res);
    }
    return rc;
}

libro_code
libro_chain__walk(libro_chain__result *res, const libro_trust *t, const libro_credential *license,
                  const char *signer_id, const char *signer_tp, const libro_verify_options *opt,
                  libro_error *err)
{
    struct walk w = walk_of(t, opt, WALK_LICENSE, license);

    return walk(res, &w, signer_id, signer_tp, err);
}

libro_code
libro_chain__walk_registry(libro_chain__result *res, const libro_trust *t,
                           const libro_status_list *list, const char *community,
                           const char *signer_id, const char *signer_tp,
                           const libro_verify_options *opt, libro_error *err)
{
    struct walk w = walk_of(t, opt, WALK_REGISTRY, NULL);

    w.list = list;
    w.community = community;
    return walk(res, &w, signer_id, signer_tp, err);
}

libro_code
libro_chain__walk_member(libro_chain__result *res, const libro_trust *t, const char *token,
                         size_t len, const char *community, const libro_verify_options *opt,
                         libro_error *err)
{
    libro_error e = LIBRO_ERROR_INIT;
    libro_jws *jws = NULL;
    libro_credential *c = NULL;
    const libro_trust__item *signer;
    const unsigned char *p;
    const char *kid;
    const char *tp = NULL;
    size_t id_len = 0;
    size_t p_len;
    char *signer_id = NULL;
    char shown[65];
    struct walk w;
    libro_code rc;

    memset(res, 0, sizeof *res);
    res->outcome = LIBRO_UNTRUSTED;
    res->now_lo = INT64_MIN; /* the refusals before the walk do not depend on the time */
    res->now_hi = INT64_MAX;
    rc = libro_jws_parse(&jws, token, len, &e);
    if (rc == LIBRO_OK && !libro_jws_typ_is(libro_jws_typ(jws), "vc+jwt")) {
        rc = libro_error_set(&e, LIBRO_ERR_UNSUPPORTED, "jws: typ is not vc+jwt");
    }
    kid = rc == LIBRO_OK ? libro_jws_kid(jws) : NULL;
    if (rc == LIBRO_OK && kid == NULL) {
        rc = libro_error_set(&e, LIBRO_ERR_PARSE, "jws: header lacks \"kid\"");
    }
    if (rc == LIBRO_OK) {
        rc = libro_kid_split(kid, &id_len, &tp, &e);
    }
    if (rc == LIBRO_ERR_NOMEM) {
        rc = libro_error_set(err, rc, "%s", e.msg);
        goto out;
    }
    if (rc != LIBRO_OK) {
        rc = LIBRO_OK;
        (void) snprintf(res->reason, sizeof res->reason, "%s", e.msg);
        goto out;
    }
    signer_id = libro_strndup(kid, id_len);
    if (signer_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
        goto out;
    }
    libro_verifier__printable(shown, sizeof shown, signer_id, id_len);
    signer = find_key(t, signer_id, tp);
    if (signer == NULL) {
        (void) snprintf(res->reason, sizeof res->reason,
                        "no trusted anchor or charter for %s#%s, signer of the charter", shown, tp);
        goto out;
    }
    rc = libro_jws_verify(jws, signer->cred->subject_key, &e);
    if (rc == LIBRO_OK) {
        p = libro_jws_payload(jws, &p_len);
        rc = libro_credential_parse(&c, p, p_len, &e);
    }
    if (rc == LIBRO_ERR_NOMEM || rc == LIBRO_ERR_CRYPTO) {
        rc = libro_error_set(err, rc, "%s", e.msg);
        goto out;
    }
    if (rc != LIBRO_OK) {
        rc = LIBRO_OK;
        (void) snprintf(res->reason, sizeof res->reason, "charter: %.200s", e.msg);
        goto out;
    }
    if (c->type != LIBRO_CRED_CHARTER || strcmp(c->issuer, signer_id) != 0 ||
        strcmp(c->issuer, community) != 0 || strcmp(c->subject_id, community) == 0) {
        (void) snprintf(res->reason, sizeof res->reason,
                        "not a charter of a member community signed by %.64s", community);
        goto out;
    }
    w = walk_of(t, opt, WALK_MEMBER, c);
    rc = walk(res, &w, signer_id, tp, err);
out:
    libro_credential_free(c);
    libro_free(signer_id);
    libro_jws_free(jws);
    return rc;
}

libro_code
libro_chain__walk_mandate(libro_chain__result *res, const libro_trust *t,
                          const libro_credential *mandate, const char *signer_id,
                          const char *signer_tp, const libro_verify_options *opt, libro_error *err)
{
    struct walk w = walk_of(t, opt, WALK_MANDATE, mandate);

    return walk(res, &w, signer_id, signer_tp, err);
}

libro_code
libro_chain__walk_community(libro_chain__result *res, const libro_trust *t,
                            const libro_credential *c, const char *signer_id, const char *signer_tp,
                            const libro_verify_options *opt, libro_error *err)
{
    struct walk w = walk_of(t, opt, WALK_COMMUNITY, c);
    const libro_trust__item *it;
    char shown[65];
    int64_t lo = INT64_MIN;
    int64_t hi = INT64_MAX;
    libro_code rc;

    if (signer_tp != NULL) {
        return walk(res, &w, signer_id, signer_tp, err);
    }
    /* An agreement's community signed nothing: try each key the store holds for it, the
     * first complete chain winning (so the result holds where every attempt's did). */
    memset(res, 0, sizeof *res);
    for (size_t i = 0; i < t->n_items; i++) {
        it = &t->items[i];
        if (it->cred->type != LIBRO_CRED_CHARTER || strcmp(it->cred->subject_id, signer_id) != 0) {
            continue;
        }
        libro_chain__result_free(res);
        rc = walk(res, &w, signer_id, it->tp, err);
        lo = res->now_lo > lo ? res->now_lo : lo;
        hi = res->now_hi < hi ? res->now_hi : hi;
        res->now_lo = lo;
        res->now_hi = hi;
        if (rc != LIBRO_OK || res->outcome == LIBRO_VALID) {
            return rc;
        }
    }
    res->now_lo = lo;
    res->now_hi = hi;
    if (res->outcome == LIBRO_UNTRUSTED) {
        return LIBRO_OK; /* the last attempt's reason */
    }
    libro_verifier__printable(shown, sizeof shown, signer_id, strlen(signer_id));
    res->outcome = LIBRO_UNTRUSTED;
    (void) snprintf(res->reason, sizeof res->reason, "community %s is not in the trust store",
                    shown);
    return LIBRO_OK;
}
