/* libro_registry: the SQLite store of agreements and laws by consent (migration 6). Rows, not
 * rules: registry/src/agreement.c and law.c decide, inside the transactions the store opens. */
#include <string.h>

#include "libro/util.h"
#include "registry_int.h"
#include "sqlite_int.h"

/* A stored hash (the record's id) into its fixed buffer. */
static libro_code
col_hash(char out[LIBRO_REGISTRY_HASH_SIZE], sqlite3_stmt *st, int col, libro_error *err)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    if (t == NULL || strlen((const char *) t) != LIBRO_REGISTRY_HASH_LEN) {
        return libro_error_set(err, LIBRO_ERR_IO, "database: a stored hash is malformed");
    }
    memcpy(out, t, LIBRO_REGISTRY_HASH_SIZE);
    return LIBRO_OK;
}

/* ---- agreements --------------------------------------------------------------------------- */

#define AGREEMENT_COLUMNS                                                                          \
    "hash, title, community, valid_from, valid_until, notice_days, mutual_only, supersedes,"       \
    " superseded_by, state, registered_at, superseded_at, end_how, end_given_at, ends_at, end_by," \
    " end_reason, end_statement, document"

static libro_code
read_parties(sq *s, libro_agreement_record *a, libro_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           "SELECT id, name, role FROM agreement_party WHERE agreement = ?1"
                           " ORDER BY position",
                           "agreement parties", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, a->hash, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "agreement parties", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        libro_agreement_party *p;

        rc = libro_registry__grow((void **) &a->parties, &cap, a->n_parties, sizeof *a->parties,
                                  err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        p = &a->parties[a->n_parties];
        memset(p, 0, sizeof *p);
        a->n_parties++;
        if ((rc = libro_sq__col_text(&p->id, st, 0, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&p->name, st, 1, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&p->role, st, 2, err)) != LIBRO_OK) {
            goto out;
        }
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "agreement parties", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
read_agreement(sq *s, libro_agreement_record *a, sqlite3_stmt *st, libro_error *err)
{
    uint32_t u = 0;
    libro_code rc;

    memset(a, 0, sizeof *a);
    if ((rc = col_hash(a->hash, st, 0, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->title, st, 1, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->community, st, 2, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&a->notice_days, st, 5, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->supersedes, st, 7, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->superseded_by, st, 8, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&u, st, 9, err)) != LIBRO_OK) {
        goto out;
    }
    a->state = (libro_agreement_state) u;
    if ((rc = libro_sq__col_u32(&u, st, 12, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->end_by, st, 15, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->end_reason, st, 16, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->end_statement, st, 17, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&a->document, st, 18, err)) != LIBRO_OK) {
        goto out;
    }
    a->end = (libro_agreement_end) u;
    a->valid_from = sqlite3_column_int64(st, 3);
    a->valid_until = sqlite3_column_int64(st, 4);
    a->mutual_only = sqlite3_column_int(st, 6) != 0;
    a->registered_at = sqlite3_column_int64(st, 10);
    a->superseded_at = sqlite3_column_int64(st, 11);
    a->end_given_at = sqlite3_column_int64(st, 13);
    a->ends_at = sqlite3_column_int64(st, 14);
    rc = read_parties(s, a, err);
out:
    if (rc != LIBRO_OK) {
        libro_agreement_record_clear(a);
    }
    return rc;
}

libro_code
libro_sq__agreement_get(void *h, libro_agreement_record *out, const char *hash, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    memset(out, 0, sizeof *out);
    rc = libro_sq__prepare(s, &st, "SELECT " AGREEMENT_COLUMNS " FROM agreement WHERE hash = ?1",
                           "agreement", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "agreement", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no agreement %.71s", hash);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "agreement", err);
        goto out;
    }
    rc = read_agreement(s, out, st, err);
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
put_parties(sq *s, const libro_agreement_record *a, libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           "INSERT INTO agreement_party (agreement, position, id, name, role)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
                           "agreement party", err);
    for (size_t i = 0; rc == LIBRO_OK && i < a->n_parties; i++) {
        const libro_agreement_party *p = &a->parties[i];

        if ((src = sqlite3_reset(st)) != SQLITE_OK ||
            (src = sqlite3_bind_text(st, 1, a->hash, -1, SQLITE_STATIC)) != SQLITE_OK ||
            (src = sqlite3_bind_int64(st, 2, (sqlite3_int64) i)) != SQLITE_OK ||
            (src = sqlite3_bind_text(st, 3, p->id, -1, SQLITE_STATIC)) != SQLITE_OK ||
            (src = sqlite3_bind_text(st, 4, p->name, -1, SQLITE_STATIC)) != SQLITE_OK ||
            (src = sqlite3_bind_text(st, 5, p->role, -1, SQLITE_STATIC)) != SQLITE_OK) {
            rc = libro_sq__bind_fail(s, src, "agreement party", err);
            break;
        }
        rc = libro_sq__step_done(s, st, "agreement party", err);
    }
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__agreement_put(void *h, const libro_agreement_record *a, bool insert, libro_error *err)
{
    static const char insert_sql[] =
        "INSERT INTO agreement (state, superseded_by, superseded_at, end_how, end_given_at,"
        " ends_at, end_by, end_reason, end_statement, hash, title, community, valid_from,"
        " valid_until, notice_days, mutual_only, supersedes, registered_at, document)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19)";
    /* Only the state, the supersession and the end of an agreement ever change. */
    static const char update_sql[] =
        "UPDATE agreement SET state = ?1, superseded_by = ?2, superseded_at = ?3, end_how = ?4,"
        " end_given_at = ?5, ends_at = ?6, end_by = ?7, end_reason = ?8, end_statement = ?9"
        " WHERE hash = ?10";
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, insert ? insert_sql : update_sql, "agreement", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int(st, 1, (int) a->state)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 2, a->superseded_by)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, a->superseded_at)) != SQLITE_OK ||
        (src = sqlite3_bind_int(st, 4, (int) a->end)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 5, a->end_given_at)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 6, a->ends_at)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 7, a->end_by)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 8, a->end_reason)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 9, a->end_statement)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 10, a->hash, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "agreement", err);
        goto out;
    }
    if (insert &&
        ((src = sqlite3_bind_text(st, 11, a->title, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 12, a->community, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 13, a->valid_from)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 14, a->valid_until)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 15, a->notice_days)) != SQLITE_OK ||
         (src = sqlite3_bind_int(st, 16, a->mutual_only ? 1 : 0)) != SQLITE_OK ||
         (src = libro_sq__bind_text_or_null(st, 17, a->supersedes)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 18, a->registered_at)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 19, a->document, -1, SQLITE_STATIC)) != SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "agreement", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY || src == SQLITE_CONSTRAINT_UNIQUE) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS,
                             "agreement already registered, or its version already amended");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "agreement", err);
        goto out;
    }
    if (!insert && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no agreement %.71s", a->hash);
        goto out;
    }
    if (insert) {
        rc = put_parties(s, a, err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__agreement_list(void *h, libro_agreement_record **out, size_t *n, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_agreement_record *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(s, &st,
                           "SELECT " AGREEMENT_COLUMNS " FROM agreement"
                           " ORDER BY registered_at, rowid",
                           "agreements", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = libro_registry__grow((void **) &list, &cap, count, sizeof *list, err)) !=
                LIBRO_OK ||
            (rc = read_agreement(s, &list[count], st, err)) != LIBRO_OK) {
            goto out;
        }
        count++;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "agreements", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
    count = 0;
out:
    libro_agreement_records_free(list, count);
    sqlite3_finalize(st);
    return rc;
}

/* ---- consent processes and steps ---------------------------------------------------------- */

libro_code
libro_sq__process_get(void *h, const char *law_id, uint32_t run, uint32_t *run_out, bool *open,
                      char **law, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *run_out = 0;
    *open = false;
    *law = NULL;
    rc = libro_sq__prepare(s, &st,
                           run == 0 ? "SELECT run, open, law FROM consent_process WHERE law_id = ?1"
                                      " ORDER BY run DESC LIMIT 1"
                                    : "SELECT run, open, law FROM consent_process WHERE law_id = ?1"
                                      " AND run = ?2",
                           "consent process", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, law_id, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (run != 0 && (src = sqlite3_bind_int64(st, 2, run)) != SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "consent process", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no consent process for %.100s", law_id);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "consent process", err);
        goto out;
    }
    if ((rc = libro_sq__col_u32(run_out, st, 0, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(law, st, 2, err)) != LIBRO_OK) {
        goto out;
    }
    *open = sqlite3_column_int(st, 1) != 0;
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__process_put(void *h, const char *law_id, uint32_t run, bool open, int64_t opened_at,
                      const char *law, bool insert, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           insert ? "INSERT INTO consent_process (open, law, law_id, run,"
                                    " opened_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                                  : "UPDATE consent_process SET open = ?1, law = ?2"
                                    " WHERE law_id = ?3 AND run = ?4",
                           "consent process", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int(st, 1, open ? 1 : 0)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 2, law)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 3, law_id, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 4, run)) != SQLITE_OK ||
        (insert && (src = sqlite3_bind_int64(st, 5, opened_at)) != SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "consent process", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY || src == SQLITE_CONSTRAINT_UNIQUE) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "consent process already recorded");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "consent process", err);
        goto out;
    }
    if (!insert && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no consent process for %.100s", law_id);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__step_put(void *h, const libro_consent_step_record *r, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           "INSERT INTO consent_step (hash, law_id, run, seq, kind, by_id, at,"
                           " step, registered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           "consent step", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, r->hash, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, r->process, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, r->run)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 4, r->seq)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 5, r->kind, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 6, r->by, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 7, r->at)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 8, r->step, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 9, r->registered_at)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "consent step", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY || src == SQLITE_CONSTRAINT_UNIQUE) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "consent step already recorded");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "consent step", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__step_list(void *h, libro_consent_step_record **out, size_t *n, const char *law_id,
                    uint32_t run, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_consent_step_record *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(s, &st,
                           "SELECT hash, law_id, run, seq, kind, by_id, at, step, registered_at"
                           " FROM consent_step WHERE law_id = ?1 AND run = ?2 ORDER BY seq",
                           "consent steps", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, law_id, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, run)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "consent steps", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        libro_consent_step_record *e;

        rc = libro_registry__grow((void **) &list, &cap, count, sizeof *list, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        e = &list[count];
        memset(e, 0, sizeof *e);
        count++;
        if ((rc = col_hash(e->hash, st, 0, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->process, st, 1, err)) != LIBRO_OK ||
            (rc = libro_sq__col_u32(&e->run, st, 2, err)) != LIBRO_OK ||
            (rc = libro_sq__col_u32(&e->seq, st, 3, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->kind, st, 4, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->by, st, 5, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->step, st, 7, err)) != LIBRO_OK) {
            goto out;
        }
        e->at = sqlite3_column_int64(st, 6);
        e->registered_at = sqlite3_column_int64(st, 8);
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "consent steps", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
    count = 0;
out:
    libro_consent_step_records_free(list, count);
    sqlite3_finalize(st);
    return rc;
}

/* ---- laws --------------------------------------------------------------------------------- */

#define LAW_COLUMNS                                                                                \
    "hash, law_id, version, title, aim, community, adopted_at, review_at, consent_record,"         \
    " supersedes, superseded_by, state, repealed_at, registered_at, credential"

static libro_code
read_law(libro_law_record *l, sqlite3_stmt *st, libro_error *err)
{
    uint32_t state = 0;
    libro_code rc;

    memset(l, 0, sizeof *l);
    if ((rc = col_hash(l->hash, st, 0, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->id, st, 1, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&l->version, st, 2, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->title, st, 3, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->aim, st, 4, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->community, st, 5, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->consent_record, st, 8, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->supersedes, st, 9, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->superseded_by, st, 10, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&state, st, 11, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&l->credential, st, 14, err)) != LIBRO_OK) {
        libro_law_record_clear(l);
        return rc;
    }
    l->state = (libro_law_state) state;
    l->adopted_at = sqlite3_column_int64(st, 6);
    l->review_at = sqlite3_column_int64(st, 7);
    l->repealed_at = sqlite3_column_int64(st, 12);
    l->registered_at = sqlite3_column_int64(st, 13);
    return LIBRO_OK;
}

libro_code
libro_sq__law_get(void *h, libro_law_record *out, const char *hash, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    memset(out, 0, sizeof *out);
    rc = libro_sq__prepare(s, &st, "SELECT " LAW_COLUMNS " FROM law WHERE hash = ?1", "law", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "law", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no law %.71s", hash);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "law", err);
        goto out;
    }
    rc = read_law(out, st, err);
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__law_put(void *h, const libro_law_record *l, bool insert, libro_error *err)
{
    static const char insert_sql[] =
        "INSERT INTO law (state, superseded_by, repealed_at, hash, law_id, version, title, aim,"
        " community, adopted_at, review_at, consent_record, supersedes, registered_at,"
        " credential) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
    /* Only a law's state and its supersession ever change. */
    static const char update_sql[] =
        "UPDATE law SET state = ?1, superseded_by = ?2, repealed_at = ?3 WHERE hash = ?4";
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, insert ? insert_sql : update_sql, "law", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int(st, 1, (int) l->state)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 2, l->superseded_by)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, l->repealed_at)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 4, l->hash, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "law", err);
        goto out;
    }
    if (insert &&
        ((src = sqlite3_bind_text(st, 5, l->id, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 6, l->version)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 7, l->title, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 8, l->aim, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 9, l->community, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 10, l->adopted_at)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 11, l->review_at)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 12, l->consent_record, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = libro_sq__bind_text_or_null(st, 13, l->supersedes)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 14, l->registered_at)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 15, l->credential, -1, SQLITE_STATIC)) != SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "law", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY || src == SQLITE_CONSTRAINT_UNIQUE) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "law or law version already registered");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "law", err);
        goto out;
    }
    if (!insert && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no law %.71s", l->hash);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static const char *
law_query_sql(libro_store_law_query q)
{
    switch (q) {
    case LIBRO_LQ_IN_FORCE:
        return "SELECT " LAW_COLUMNS " FROM law WHERE state = 1 ORDER BY law_id, version";
    case LIBRO_LQ_ALL:
        return "SELECT " LAW_COLUMNS " FROM law ORDER BY law_id, version";
    case LIBRO_LQ_ID:
        return "SELECT " LAW_COLUMNS " FROM law WHERE law_id = ?1 ORDER BY version";
    case LIBRO_LQ_REVIEW:
        return "SELECT " LAW_COLUMNS " FROM law WHERE state = 1 AND review_at <= ?1"
               " ORDER BY review_at, law_id";
    }
    return NULL;
}

libro_code
libro_sq__law_list(void *h, libro_law_record **out, size_t *n, libro_store_law_query q,
                   const char *law_id, int64_t a, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_law_record *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    const char *sql = law_query_sql(q);
    libro_code rc;
    int src = SQLITE_OK;

    *out = NULL;
    *n = 0;
    if (sql == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "laws: unknown query");
    }
    rc = libro_sq__prepare(s, &st, sql, "laws", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (q == LIBRO_LQ_ID) {
        src = sqlite3_bind_text(st, 1, law_id, -1, SQLITE_STATIC);
    } else if (q == LIBRO_LQ_REVIEW) {
        src = sqlite3_bind_int64(st, 1, a);
    }
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "laws", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = libro_registry__grow((void **) &list, &cap, count, sizeof *list, err)) !=
                LIBRO_OK ||
            (rc = read_law(&list[count], st, err)) != LIBRO_OK) {
            goto out;
        }
        count++;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "laws", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
    count = 0;
out:
    libro_law_records_free(list, count);
    sqlite3_finalize(st);
    return rc;
}
