/* libro_registry: the roundtable of the registry's community (docs/operations.md, "Roundtables and
 * mandates"): its seats (member communities' charters), and the mandates of its chair, its
 * representatives and the leaders its parent appoints into it. Every write is one transaction
 * with the write lock, as for licenses: the checks (the signature with the key the office
 * names, core's rules, one active mandate per seat, the term limit, the status index) still hold
 * when it writes, and the change, its status bits and its log leaf commit together. */
#include <inttypes.h>
#include <string.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/rules.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"
#include "store.h"

/* ---- names and records -------------------------------------------------------------------- */

/* A mandate's id is core's document hash form (libro_hash_ref): one rule for every hash. */
_Static_assert(LIBRO_MANDATE_ID_SIZE == LIBRO_HASH_REF_SIZE, "a mandate id is a hash reference");

bool
libro_mandate_id_ok(const char *id)
{
    return id != NULL && libro_hash_ref_ok(id, strnlen(id, LIBRO_MANDATE_ID_LEN + 1));
}

const char *
libro_mandate_state_name(libro_mandate_state s)
{
    switch (s) {
    case LIBRO_MANDATE_ACTIVE:
        return "active";
    case LIBRO_MANDATE_RESIGNED:
        return "resigned";
    case LIBRO_MANDATE_RECALLED:
        return "recalled";
    case LIBRO_MANDATE_REPLACED:
        return "replaced";
    }
    return NULL;
}

void
libro_seats_free(libro_seat *s, size_t n)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        libro_free(s[i].community);
        libro_free(s[i].name);
        libro_free(s[i].charter);
        libro_free(s[i].actor);
    }
    libro_free(s);
}

void
libro_mandate_record_clear(libro_mandate_record *m)
{
    if (m == NULL) {
        return;
    }
    libro_free(m->roundtable);
    libro_free(m->seat);
    libro_free(m->holder);
    libro_free(m->name);
    libro_free(m->issuer);
    libro_free(m->end_reason);
    libro_free(m->ended_by);
    libro_free(m->credential);
    memset(m, 0, sizeof *m);
}

void
libro_mandate_records_free(libro_mandate_record *m, size_t n)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        libro_mandate_record_clear(&m[i]);
    }
    libro_free(m);
}

/* ---- log leaves --------------------------------------------------------------------------- */

/* A mandate's leaf (docs/formats.md, "The registry log"): what happened to which mandate,
 * when, by whom and why. `ends_at` (0: none) is when the change takes effect, for a
 * replacement recorded ahead of its successor's start. */
static libro_code
log_mandate(libro_registry *r, const libro_mandate_record *m, const char *action, int64_t at,
            const char *actor, const char *reason, libro_error *err)
{
    json_t *leaf = json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:s}", "type", "mandate", "at",
                             libro_registry__time_json(at), "mandate", m->id, "action", action,
                             "office", libro_office_name(m->office), "seat",
                             m->seat == NULL ? json_null() : json_string(m->seat), "actor", actor,
                             "reason", reason == NULL ? "" : reason);
    libro_code rc;

    if (leaf != NULL && strcmp(action, "register") == 0 &&
        json_object_set_new(leaf, "holder", json_string(m->holder)) != 0) {
        json_decref(leaf);
        leaf = NULL;
    }
    if (leaf != NULL && strcmp(action, "replace") == 0 &&
        json_object_set_new(leaf, "endsAt", libro_registry__time_json(m->ended_at)) != 0) {
        json_decref(leaf);
        leaf = NULL;
    }
    rc = libro_registry__log_leaf(r, leaf, err);
    json_decref(leaf);
    return rc;
}

libro_code
libro_registry__verify_token(const char *token, const libro_key *key, const char *what,
                             libro_error *err)
{
    libro_jws *jws = NULL;
    libro_code rc = libro_jws_parse(&jws, token, strlen(token), err);

    if (rc == LIBRO_OK) {
        rc = libro_jws_verify(jws, key, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, what);
    }
    libro_jws_free(jws);
    return rc;
}

/* ---- seats -------------------------------------------------------------------------------- */

/* A member community's charter under the registry's own: issued and signed by the registry's
 * community, by the chain rules, one level below, not over. */
static libro_code
check_seat(libro_credential **out, const libro_registry *r, const char *charter, int64_t now,
           libro_error *err)
{
    libro_credential *c = NULL;
    const libro_credential *own = r->community;
    libro_code rc;

    *out = NULL;
    rc = libro_registry__parse_credential(&c, charter, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "seat charter");
        goto out;
    }
    if (c->type != LIBRO_CRED_CHARTER) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA,
                             "seat: credential is a %s, not a CommunityCharter",
                             libro_cred_type_name(c->type));
        goto out;
    }
    if (own->level < 1) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "seat: %.64s is a tribe (level 0): it has no roundtable",
                             own->subject_id);
        goto out;
    }
    rc = libro_rules_issued_by(c, own, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "seat");
        goto out;
    }
    rc = libro_registry__verify_token(charter, own->subject_key, "seat charter", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_rules_under_charter(c, own, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "seat");
        goto out;
    }
    if (c->level != own->level - 1) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "seat: %.64s is of level %d; the members of a level %d roundtable "
                             "are of level %d",
                             c->subject_id, c->level, own->level, own->level - 1);
        goto out;
    }
    if (now > c->valid_until) {
        rc = libro_error_set(err, LIBRO_ERR_EXPIRED, "seat: the charter of %.64s has expired",
                             c->subject_id);
        goto out;
    }
    *out = c;
    c = NULL; /* moved to caller */
out:
    libro_credential_free(c);
    return rc;
}

static libro_code
add_seat_once(libro_registry *r, const libro_request_id *req, const char *charter,
              const char *actor, int64_t now, libro_error *err)
{
    libro_credential *c = NULL;
    libro_seat *seats = NULL;
    size_t n = 0;
    bool known = false;
    bool in_tx = false;
    char digest[64];
    json_t *leaf = NULL;
    libro_code rc;

    if (r == NULL || charter == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "seat: NULL argument");
    }
    if ((rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = check_seat(&c, r, charter, now, err)) != LIBRO_OK ||
        (rc = libro_registry__digest(digest, charter, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->seat_list(r->store.h, &seats, &n, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        known = known || strcmp(seats[i].community, c->subject_id) == 0;
    }
    /* A renewed charter of a member takes its seat again; a new member needs a free one. */
    if (!known) {
        rc = libro_rules_roundtable_seats(n + 1, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = r->store.ops->seat_put(r->store.h, c->subject_id, c->name, c->level, charter, now, actor,
                                err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    leaf =
        json_pack("{s:s, s:o, s:s, s:s, s:s}", "type", "seat", "at", libro_registry__time_json(now),
                  "community", c->subject_id, "credential", digest, "actor", actor);
    rc = libro_registry__log_leaf(r, leaf, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    json_decref(leaf);
    libro_seats_free(seats, n);
    libro_credential_free(c);
    return rc;
}

libro_code
libro_registry_add_seat(libro_registry *r, const libro_request_id *req, const char *charter,
                        const char *actor, int64_t now, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, add_seat_once(r, req, charter, actor, now, err));
    return rc;
}

libro_code
libro_registry_seats(libro_registry *r, libro_seat **out, size_t *n, libro_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    if (r == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "seats: NULL argument");
    }
    return r->store.ops->seat_list(r->store.h, out, n, err);
}

/* ---- registering -------------------------------------------------------------------------- */

libro_code
libro_registry_reserve_mandate_status(libro_registry *r, const libro_request_id *req,
                                      uint32_t *list, uint32_t *index, libro_error *err)
{
    return libro_registry__reserve_in(r, req, LIBRO_SPACE_MANDATES, LIBRO_STATUS_LIST_MIN_ENTRIES,
                                      list, index, err);
}

/* The charter of the community that must have signed mandate `c` (inside the caller's
 * transaction): the registry's own for a chair, the seat's for a representative, the parent's
 * (the first charter above the registry's own in its chain) for a leader. */
static libro_code
signer_charter(libro_credential **out, libro_registry *r, const libro_credential *c,
               libro_error *err)
{
    libro_seat *seats = NULL;
    size_t n = 0;
    char **chain = NULL;
    size_t n_chain = 0;
    const char *token = NULL;
    libro_code rc = LIBRO_OK;

    *out = NULL;
    switch (c->office) {
    case LIBRO_OFFICE_CHAIR:
        token = r->charter;
        break;
    case LIBRO_OFFICE_REPRESENTATIVE:
        rc = r->store.ops->seat_list(r->store.h, &seats, &n, err);
        for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
            if (strcmp(seats[i].community, c->seat) == 0) {
                token = seats[i].charter;
            }
        }
        if (rc == LIBRO_OK && token == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                                 "%.64s has no seat at this roundtable: add its charter first",
                                 c->seat);
        }
        break;
    case LIBRO_OFFICE_LEADER:
        rc = libro_registry_chain(r, &chain, &n_chain, err);
        if (rc == LIBRO_OK && n_chain < 2) {
            rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                                 "the registry's chain has no parent charter: add it first "
                                 "(a leader is appointed by the parent)");
        }
        if (rc == LIBRO_OK) {
            token = chain[1];
        }
        break;
    default:
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "mandate: unknown office");
        break;
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry__parse_credential(out, token, err);
    }
    libro_registry_strings_free(chain, n_chain);
    libro_seats_free(seats, n);
    return rc;
}

/* When a mandate's time in office ends: its end if ended (or ending), else the second after
 * its validUntil. */
static int64_t
effective_end(const libro_mandate_record *m)
{
    if (m->state != LIBRO_MANDATE_ACTIVE) {
        return m->ended_at;
    }
    return m->valid_until == INT64_MAX ? INT64_MAX : m->valid_until + 1;
}

/* Whether `m` ended (or ends) before its term began: it never held the seat. */
static bool
never_served(const libro_mandate_record *m)
{
    return m->state != LIBRO_MANDATE_ACTIVE && m->ended_at <= m->valid_from;
}

/* How many terms the holder of `c` served back to back in this office and seat right before
 * it: each earlier term ending (or ended) no earlier than the next one starts. */
static unsigned
terms_before(const libro_mandate_record *hist, size_t n, const libro_credential *c)
{
    int64_t start = c->valid_from;
    unsigned count = 0;
    bool found = true;

    while (found && count < 64) {
        found = false;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(hist[i].holder, c->subject_id) == 0 && hist[i].valid_from < start &&
                effective_end(&hist[i]) >= start && !never_served(&hist[i])) {
                start = hist[i].valid_from;
                count++;
                found = true;
                break;
            }
        }
    }
    return count;
}

/* The revocation bit and the word of an ended mandate (never the suspension bit), as a
 * license's are written. */
static libro_code
write_end_bits(libro_registry *r, const libro_mandate_record *m, libro_error *err)
{
    unsigned word = m->state == LIBRO_MANDATE_RESIGNED   ? LIBRO_WORD_RESIGNED
                    : m->state == LIBRO_MANDATE_RECALLED ? LIBRO_WORD_RECALLED
                                                         : LIBRO_WORD_REPLACED;

    return libro_registry__set_status(r, LIBRO_SPACE_MANDATES, m->status_list, m->status_index,
                                      true, false, word, err);
}

/* At most one active mandate per (office, seat): each earlier one still in office when `rec`
 * begins is replaced at its validFrom; one that begins no earlier than `rec`, or one ended
 * after `rec` begins, is a conflict. Inside the caller's transaction. */
static libro_code
replace_earlier(libro_registry *r, libro_mandate_record *hist, size_t n,
                const libro_mandate_record *rec, const char *actor, int64_t now, libro_error *err)
{
    char reason[LIBRO_MANDATE_ID_SIZE + 16];
    libro_code rc = LIBRO_OK;

    (void) snprintf(reason, sizeof reason, "replaced by %s", rec->id);
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        libro_mandate_record *m = &hist[i];
        bool overlaps = m->valid_from <= rec->valid_until && effective_end(m) > rec->valid_from &&
                        !never_served(m);
        char *by = NULL;
        char *why = NULL;

        if (!overlaps) {
            continue;
        }
        if (m->valid_from >= rec->valid_from ||
            (m->state != LIBRO_MANDATE_ACTIVE && m->state != LIBRO_MANDATE_REPLACED) ||
            m->status_set) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "mandate %.71s holds this seat during the new term; end it "
                                   "first",
                                   m->id);
        }
        by = libro_registry__dup_or_null(actor);
        why = libro_registry__dup_or_null(reason);
        if (by == NULL || why == NULL) {
            libro_free(by);
            libro_free(why);
            return libro_registry__nomem(err);
        }
        libro_free(m->ended_by);
        libro_free(m->end_reason);
        m->ended_by = by;
        m->end_reason = why;
        m->state = LIBRO_MANDATE_REPLACED;
        m->ended_at = rec->valid_from;
        m->status_set = rec->valid_from <= now;
        rc = r->store.ops->mandate_put(r->store.h, m, false, err);
        if (rc == LIBRO_OK && m->status_set) {
            rc = write_end_bits(r, m, err);
        }
        if (rc == LIBRO_OK) {
            rc = log_mandate(r, m, "replace", now, actor, reason, err);
        }
    }
    return rc;
}

/* The record of a mandate about to be registered. */
static libro_code
record_of(libro_mandate_record *rec, const libro_credential *c, const char *token, uint32_t list,
          uint32_t index, int64_t now, libro_error *err)
{
    libro_code rc;

    memset(rec, 0, sizeof *rec);
    rc = libro_hash_ref(rec->id, token, strlen(token), err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rec->office = c->office;
    rec->roundtable_level = c->roundtable_level;
    rec->voting = c->voting;
    rec->valid_from = c->valid_from;
    rec->valid_until = c->valid_until;
    rec->state = LIBRO_MANDATE_ACTIVE;
    rec->status_list = list;
    rec->status_index = index;
    rec->registered_at = now;
    rec->roundtable = libro_registry__dup_or_null(c->roundtable_id);
    rec->seat = libro_registry__dup_or_null(c->seat);
    rec->holder = libro_registry__dup_or_null(c->subject_id);
    rec->name = libro_registry__dup_or_null(c->name);
    rec->issuer = libro_registry__dup_or_null(c->issuer);
    rec->credential = libro_registry__dup_or_null(token);
    if (rec->roundtable == NULL || (c->seat != NULL && rec->seat == NULL) || rec->holder == NULL ||
        rec->name == NULL || rec->issuer == NULL || rec->credential == NULL) {
        libro_mandate_record_clear(rec);
        return libro_registry__nomem(err);
    }
    return LIBRO_OK;
}

static libro_code
register_mandate_once(libro_registry *r, const libro_request_id *req, const char *credential,
                      uint32_t list, uint32_t index, const char *actor, int64_t now,
                      char id[LIBRO_MANDATE_ID_SIZE], libro_error *err)
{
    libro_credential *c = NULL;
    libro_credential *signer = NULL;
    libro_mandate_record rec = {0};
    libro_mandate_record existing = {0};
    libro_mandate_record *hist = NULL;
    size_t n_hist = 0;
    bool reserved = false;
    bool in_use = false;
    bool in_tx = false;
    libro_code rc;

    if (id != NULL) {
        id[0] = '\0';
    }
    if (r == NULL || credential == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "register mandate: NULL argument");
        goto out;
    }
    if ((rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = libro_registry__parse_credential(&c, credential, err)) != LIBRO_OK) {
        goto out;
    }
    if (c->type != LIBRO_CRED_MANDATE) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "credential is a %s, not a RoundtableMandate",
                             libro_cred_type_name(c->type));
        goto out;
    }
    if (strcmp(c->roundtable_id, r->community->subject_id) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "the mandate is for the roundtable of %.64s; this registry records "
                             "that of %.64s",
                             c->roundtable_id, r->community->subject_id);
        goto out;
    }
    rc = libro_registry__check_entries(c, LIBRO_SPACE_MANDATES, list, index, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = record_of(&rec, c, credential, list, index, now, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    /* The signature, with the key of the community the office names: the registry records
     * only what that community signed, whoever hands it over. */
    rc = signer_charter(&signer, r, c, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__verify_token(credential, signer->subject_key, "mandate", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_rules_mandate_under(c, signer, r->community, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->mandate_get(r->store.h, &existing, rec.id, err);
    if (rc == LIBRO_OK) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "mandate %.71s is already registered", rec.id);
        goto out;
    }
    if (rc != LIBRO_ERR_NOT_FOUND) {
        goto out;
    }
    libro_error_clear(err);
    rc = r->store.ops->slot_state(r->store.h, LIBRO_SPACE_MANDATES, list, index, &reserved, &in_use,
                                  err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!reserved) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "status index %u of mandate list %u is not reserved", (unsigned) index,
                             (unsigned) list);
        goto out;
    }
    if (in_use) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS,
                             "status index %u of mandate list %u is used by another mandate",
                             (unsigned) index, (unsigned) list);
        goto out;
    }
    rc = r->store.ops->mandate_list(r->store.h, &hist, &n_hist, LIBRO_MQ_SEAT, (int) c->office,
                                    c->seat, 0, 0, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_rules_mandate_term_limit(r->community, terms_before(hist, n_hist, c), err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = replace_earlier(r, hist, n_hist, &rec, actor, now, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->mandate_put(r->store.h, &rec, true, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = log_mandate(r, &rec, "register", now, actor, NULL, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    if (id != NULL) {
        memcpy(id, rec.id, LIBRO_MANDATE_ID_SIZE);
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_mandate_records_free(hist, n_hist);
    libro_mandate_record_clear(&existing);
    libro_mandate_record_clear(&rec);
    libro_credential_free(signer);
    libro_credential_free(c);
    return rc;
}

libro_code
libro_registry_register_mandate(libro_registry *r, const libro_request_id *req,
                                const char *credential, uint32_t list, uint32_t index,
                                const char *actor, int64_t now, char id[LIBRO_MANDATE_ID_SIZE],
                                libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(
        rc, r, err, register_mandate_once(r, req, credential, list, index, actor, now, id, err));
    return rc;
}

/* ---- ending ------------------------------------------------------------------------------- */

static libro_code
id_check(const char *id, libro_error *err)
{
    if (!libro_mandate_id_ok(id)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a mandate id is \"sha256:\" and 64 lowercase hex digits");
    }
    return LIBRO_OK;
}

static libro_code
end_mandate_once(libro_registry *r, const libro_request_id *req, const char *id,
                 libro_mandate_state how, const char *actor, const char *reason, int64_t now,
                 libro_error *err)
{
    libro_mandate_record m = {0};
    char until[LIBRO_TIME_TEXT_MAX];
    bool in_tx = false;
    libro_code rc;

    if (r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end mandate: NULL registry");
        goto out;
    }
    if (how != LIBRO_MANDATE_RESIGNED && how != LIBRO_MANDATE_RECALLED) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "end mandate: a mandate ends early as resigned or recalled");
        goto out;
    }
    if ((rc = id_check(id, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(reason, "reason", 1, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->mandate_get(r->store.h, &m, id, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* A replacement still ahead may be overtaken; any other end is final. */
    if (m.state != LIBRO_MANDATE_ACTIVE &&
        !(m.state == LIBRO_MANDATE_REPLACED && !m.status_set && m.ended_at > now)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "mandate %.71s has ended already (%s)", id,
                             libro_mandate_state_name(m.state));
        goto out;
    }
    if (now > m.valid_until) {
        rc = libro_time_format(until, m.valid_until, err);
        if (rc == LIBRO_OK) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED, "mandate %.71s: its term ended at %s", id,
                                 until);
        }
        goto out;
    }
    libro_free(m.ended_by);
    libro_free(m.end_reason);
    m.ended_by = libro_registry__dup_or_null(actor);
    m.end_reason = libro_registry__dup_or_null(reason);
    if (m.ended_by == NULL || m.end_reason == NULL) {
        rc = libro_registry__nomem(err);
        goto out;
    }
    m.state = how;
    m.ended_at = now;
    m.status_set = true;
    if ((rc = r->store.ops->mandate_put(r->store.h, &m, false, err)) != LIBRO_OK ||
        (rc = write_end_bits(r, &m, err)) != LIBRO_OK ||
        (rc = log_mandate(r, &m, how == LIBRO_MANDATE_RESIGNED ? "resign" : "recall", now, actor,
                          reason, err)) != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_mandate_record_clear(&m);
    return rc;
}

libro_code
libro_registry_end_mandate(libro_registry *r, const libro_request_id *req, const char *id,
                           libro_mandate_state how, const char *actor, const char *reason,
                           int64_t now, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, end_mandate_once(r, req, id, how, actor, reason, now, err));
    return rc;
}

libro_code
libro_registry__tick_mandates(libro_registry *r, int64_t now, size_t *changed, libro_error *err)
{
    libro_mandate_record *due = NULL;
    size_t n = 0;
    libro_code rc;

    rc = r->store.ops->mandate_list(r->store.h, &due, &n, LIBRO_MQ_PENDING, 0, NULL, now, 0, err);
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        due[i].status_set = true;
        if ((rc = r->store.ops->mandate_put(r->store.h, &due[i], false, err)) == LIBRO_OK &&
            (rc = write_end_bits(r, &due[i], err)) == LIBRO_OK) {
            rc = log_mandate(r, &due[i], "replaced", now, LIBRO_REGISTRY_CLOCK_ACTOR,
                             due[i].end_reason, err);
        }
        if (rc == LIBRO_OK) {
            (*changed)++;
        }
    }
    libro_mandate_records_free(due, n);
    return rc;
}

/* ---- reads -------------------------------------------------------------------------------- */

libro_code
libro_registry_mandate(libro_registry *r, libro_mandate_record *out, const char *id,
                       libro_error *err)
{
    libro_code rc;

    if (r == NULL || out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "mandate: NULL argument");
    }
    memset(out, 0, sizeof *out);
    rc = id_check(id, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->mandate_get(r->store.h, out, id, err);
    }
    return rc;
}

/* A query in one read snapshot. */
static libro_code
mandate_query(libro_registry *r, libro_mandate_record **out, size_t *n, libro_store_mandate_query q,
              int64_t a, int64_t b, libro_error *err)
{
    libro_code rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    if (r == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "mandates: NULL argument");
    }
    rc = r->store.ops->begin_read(r->store.h, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->mandate_list(r->store.h, out, n, q, 0, NULL, a, b, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
        libro_mandate_records_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

libro_code
libro_registry_roundtable(libro_registry *r, libro_mandate_record **out, size_t *n, int64_t at,
                          libro_error *err)
{
    return mandate_query(r, out, n, LIBRO_MQ_AT, at, 0, err);
}

libro_code
libro_registry_mandates_expiring(libro_registry *r, libro_mandate_record **out, size_t *n,
                                 int64_t now, int64_t within, libro_error *err)
{
    if (within < 0) {
        if (out != NULL) {
            *out = NULL;
        }
        if (n != NULL) {
            *n = 0;
        }
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: negative interval");
    }
    return mandate_query(r, out, n, LIBRO_MQ_EXPIRING, now,
                         now > INT64_MAX - within ? INT64_MAX : now + within, err);
}

/* ---- who signs a request ------------------------------------------------------------------ */

void
libro_registry__signer_clear(libro_registry_signer *s)
{
    if (s == NULL) {
        return;
    }
    libro_free(s->id);
    libro_key_free(s->key);
    memset(s, 0, sizeof *s);
}

/* Whether `charter` (a CommunityCharter JWS) is the charter of community `id` with a key of
 * thumbprint `tp`; then *out receives its parsed form. */
static libro_code
charter_for(libro_credential **out, const char *charter, const char *id, const char *tp,
            libro_error *err)
{
    char got[LIBRO_THUMBPRINT_LEN + 1];
    libro_credential *c = NULL;
    libro_code rc;

    *out = NULL;
    rc = libro_registry__parse_credential(&c, charter, err);
    if (rc == LIBRO_OK &&
        (c->subject_id == NULL || c->subject_key == NULL || strcmp(c->subject_id, id) != 0)) {
        rc = LIBRO_ERR_NOT_FOUND;
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_thumbprint(got, c->subject_key, err);
    }
    if (rc == LIBRO_OK && strcmp(got, tp) != 0) {
        rc = LIBRO_ERR_NOT_FOUND;
    }
    if (rc == LIBRO_OK) {
        *out = c;
        c = NULL; /* moved to caller */
    }
    libro_credential_free(c);
    return rc;
}

/* The holder's key from the did:key in the kid, whose thumbprint must be the kid's. */
static libro_code
holder_signer(libro_registry_signer *out, const char *did, const char *tp, libro_error *err)
{
    char got[LIBRO_THUMBPRINT_LEN + 1];
    libro_code rc = libro_key_from_did(&out->key, did, strlen(did), err);

    if (rc == LIBRO_OK) {
        rc = libro_key_thumbprint(got, out->key, err);
    }
    if (rc == LIBRO_OK && strcmp(got, tp) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                             "the kid's thumbprint is not that of its did:key");
    }
    if (rc == LIBRO_OK) {
        out->kind = LIBRO_SIGNER_HOLDER;
        out->id = libro_registry__dup_or_null(did);
        rc = out->id == NULL ? libro_registry__nomem(err) : LIBRO_OK;
    }
    if (rc == LIBRO_ERR_PARSE || rc == LIBRO_ERR_BAD_KEY || rc == LIBRO_ERR_UNSUPPORTED) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "the kid names no usable did:key");
    }
    return rc;
}

libro_code
libro_registry__roundtable_signer(libro_registry *r, libro_registry_signer *out, const char *kid,
                                  int64_t now, libro_error *err)
{
    static const char did_prefix[] = "did:key:";
    const char *tp = NULL;
    size_t id_len = 0;
    char *id = NULL;
    char **chain = NULL;
    size_t n_chain = 0;
    libro_seat *seats = NULL;
    size_t n_seats = 0;
    libro_credential *found = NULL;
    libro_code rc;

    memset(out, 0, sizeof *out);
    rc = libro_kid_split(kid, &id_len, &tp, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    id = libro_strndup(kid, id_len);
    if (id == NULL) {
        rc = libro_registry__nomem(err);
        goto out;
    }
    if (strncmp(id, did_prefix, sizeof did_prefix - 1) == 0) {
        rc = holder_signer(out, id, tp, err);
        goto out;
    }
    /* The community itself, then its seats, then its parent. */
    rc = charter_for(&found, r->charter, id, tp, err);
    out->kind = LIBRO_SIGNER_COMMUNITY;
    if (rc == LIBRO_ERR_NOT_FOUND) {
        rc = r->store.ops->seat_list(r->store.h, &seats, &n_seats, err);
        for (size_t i = 0; rc == LIBRO_OK && i < n_seats; i++) {
            rc = charter_for(&found, seats[i].charter, id, tp, err);
            if (rc == LIBRO_ERR_NOT_FOUND && i + 1 < n_seats) {
                rc = LIBRO_OK;
                continue;
            }
            break;
        }
        if (rc == LIBRO_OK && found == NULL) {
            rc = LIBRO_ERR_NOT_FOUND;
        }
        out->kind = LIBRO_SIGNER_SEAT;
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        rc = libro_registry_chain(r, &chain, &n_chain, err);
        if (rc == LIBRO_OK) {
            rc = n_chain < 2 ? LIBRO_ERR_NOT_FOUND : charter_for(&found, chain[1], id, tp, err);
        }
        out->kind = LIBRO_SIGNER_PARENT;
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                             "no community of this roundtable has the key %.64s", kid);
        goto out;
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (now < found->valid_from) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_YET_VALID, "the charter of %.64s is not yet valid",
                             id);
    } else if (now > found->valid_until) {
        rc = libro_error_set(err, LIBRO_ERR_EXPIRED, "the charter of %.64s has expired", id);
    } else {
        rc = libro_key_public(&out->key, found->subject_key, err);
    }
    if (rc == LIBRO_OK) {
        out->id = id;
        id = NULL; /* moved to out */
    }
out:
    if (rc != LIBRO_OK) {
        libro_registry__signer_clear(out);
    }
    libro_credential_free(found);
    libro_seats_free(seats, n_seats);
    libro_registry_strings_free(chain, n_chain);
    libro_free(id);
    return rc;
}
