/* libro_registry: the PostgreSQL store of agreements and laws by consent, with the semantics,
 * codes and orders of the SQLite store (sqlite/store_sqlite_law.c). Rows, not rules:
 * registry/src/agreement.c and law.c decide, inside the transactions the store opens. A failed
 * statement aborts a PostgreSQL transaction, so a taken key is found by ON CONFLICT DO NOTHING
 * and the row count, and an absent row by the count of an UPDATE, never by an error. */
#include <string.h>

#include "libro/util.h"
#include "pg_int.h"
#include "registry_int.h"

/* A stored hash (the record's id) into its fixed buffer. */
static libro_code
col_hash(char out[LIBRO_REGISTRY_HASH_SIZE], const PGresult *res, int row, int col,
         libro_error *err)
{
    char *t = NULL;
    libro_code rc = libro_pg__col_text(&t, res, row, col, err);

    if (rc == LIBRO_OK && (t == NULL || strlen(t) != LIBRO_REGISTRY_HASH_LEN)) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "database: a stored hash is malformed");
    }
    if (rc == LIBRO_OK) {
        memcpy(out, t, LIBRO_REGISTRY_HASH_SIZE);
    }
    libro_free(t);
    return rc;
}

libro_code
libro_pg__list(pg *s, void **out, size_t *n, size_t size, const char *sql,
               const libro_pg__params *params, const char *what, libro_pg__row_fn read,
               libro_pg__list_free_fn free_list, libro_error *err)
{
    PGresult *res = NULL;
    unsigned char *list = NULL;
    size_t count = 0;
    int rows;
    libro_code rc;

    *out = NULL;
    *n = 0;
    rc = libro_pg__exec(s, &res, sql, params, what, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rows = libro_pg__rows(res);
    if (rows > 0 && (list = libro_calloc((size_t) rows, size)) == NULL) {
        rc = libro_pg__nomem(err);
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        count++; /* a record read in part is freed with the others */
        rc = read(s, list + (size_t) i * size, res, i, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
    count = 0;
out:
    if (list != NULL) {
        free_list(list, count);
    }
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__one(pg *s, void *rec, size_t size, bool *found, const char *sql,
              const libro_pg__params *params, const char *what, libro_pg__row_fn read,
              libro_error *err)
{
    PGresult *res = NULL;
    libro_code rc;

    memset(rec, 0, size);
    *found = false;
    rc = libro_pg__exec(s, &res, sql, params, what, err);
    if (rc == LIBRO_OK && libro_pg__rows(res) > 0) {
        *found = true;
        rc = read(s, rec, res, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

/* ---- agreements --------------------------------------------------------------------------- */

#define AGREEMENT_COLUMNS                                                                          \
    "hash, title, community, valid_from, valid_until, notice_days, mutual_only, supersedes,"       \
    " superseded_by, state, registered_at, superseded_at, end_how, end_given_at, ends_at, end_by," \
    " end_reason, end_statement, document"

static const char agreement_get_sql[] =
    "SELECT " AGREEMENT_COLUMNS " FROM agreement WHERE hash = $1";
/* By registration: registered_seq is the order of the inserts (SQLite's rowid). */
static const char agreement_list_sql[] =
    "SELECT " AGREEMENT_COLUMNS " FROM agreement ORDER BY registered_at, registered_seq";
static const char parties_get_sql[] =
    "SELECT id, name, role FROM agreement_party WHERE agreement = $1 ORDER BY position";
static const char party_put_sql[] =
    "INSERT INTO agreement_party (agreement, position, id, name, role) VALUES ($1, $2, $3, $4, $5)";
/* A taken hash, or a version already amended (supersedes is UNIQUE), inserts nothing. */
static const char agreement_insert_sql[] =
    "INSERT INTO agreement (state, superseded_by, superseded_at, end_how, end_given_at,"
    " ends_at, end_by, end_reason, end_statement, hash, title, community, valid_from,"
    " valid_until, notice_days, mutual_only, supersedes, registered_at, document)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    " ON CONFLICT DO NOTHING";
/* Only the state, the supersession and the end of an agreement ever change. */
static const char agreement_update_sql[] =
    "UPDATE agreement SET state = $1, superseded_by = $2, superseded_at = $3, end_how = $4,"
    " end_given_at = $5, ends_at = $6, end_by = $7, end_reason = $8, end_statement = $9"
    " WHERE hash = $10";

static libro_code
read_party(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_agreement_party *e = rec;
    libro_code rc;

    (void) s;
    if ((rc = libro_pg__col_text(&e->id, res, row, 0, err)) == LIBRO_OK &&
        (rc = libro_pg__col_text(&e->name, res, row, 1, err)) == LIBRO_OK) {
        rc = libro_pg__col_text(&e->role, res, row, 2, err);
    }
    return rc;
}

static void
parties_free(void *list, size_t n)
{
    libro_agreement_party *e = list;

    for (size_t i = 0; i < n; i++) {
        libro_free(e[i].id);
        libro_free(e[i].name);
        libro_free(e[i].role);
    }
    libro_free(e);
}

static libro_code
read_parties(pg *s, libro_agreement_record *a, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, a->hash);
    return libro_pg__list(s, (void **) &a->parties, &a->n_parties, sizeof *a->parties,
                          parties_get_sql, &p, "agreement parties", read_party, parties_free, err);
}

static libro_code
read_agreement(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_agreement_record *a = rec;
    int mutual_only = 0;
    int state = 0;
    int end = 0;
    libro_code rc;

    memset(a, 0, sizeof *a);
    if ((rc = col_hash(a->hash, res, row, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->title, res, row, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->community, res, row, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&a->valid_from, res, row, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&a->valid_until, res, row, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&a->notice_days, res, row, 5, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&mutual_only, res, row, 6, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->supersedes, res, row, 7, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->superseded_by, res, row, 8, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&state, res, row, 9, 1, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&a->registered_at, res, row, 10, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&a->superseded_at, res, row, 11, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&end, res, row, 12, 0, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&a->end_given_at, res, row, 13, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&a->ends_at, res, row, 14, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->end_by, res, row, 15, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->end_reason, res, row, 16, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->end_statement, res, row, 17, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&a->document, res, row, 18, err)) != LIBRO_OK) {
        goto out;
    }
    a->mutual_only = mutual_only != 0;
    a->state = (libro_agreement_state) state;
    a->end = (libro_agreement_end) end;
    rc = read_parties(s, a, err);
out:
    if (rc != LIBRO_OK) {
        libro_agreement_record_clear(a);
    }
    return rc;
}

libro_code
libro_pg__agreement_get(void *h, libro_agreement_record *out, const char *hash, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    bool found = false;
    libro_code rc;

    libro_pg__param_text(&p, hash);
    rc = libro_pg__one(h, out, sizeof *out, &found, agreement_get_sql, &p, "agreement",
                       read_agreement, err);
    if (rc == LIBRO_OK && !found) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no agreement %.71s", hash);
    }
    return rc;
}

static libro_code
put_parties(pg *s, const libro_agreement_record *a, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; rc == LIBRO_OK && i < a->n_parties; i++) {
        const libro_agreement_party *e = &a->parties[i];
        libro_pg__params p = LIBRO_PG_PARAMS_INIT;

        libro_pg__param_text(&p, a->hash);
        libro_pg__param_i64(&p, (int64_t) i);
        libro_pg__param_text(&p, e->id);
        libro_pg__param_text(&p, e->name);
        libro_pg__param_text(&p, e->role);
        rc = libro_pg__exec(s, NULL, party_put_sql, &p, "agreement party", err);
    }
    return rc;
}

libro_code
libro_pg__agreement_put(void *h, const libro_agreement_record *a, bool insert, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changes = 0;
    libro_code rc;

    libro_pg__param_i64(&p, (int64_t) a->state);
    libro_pg__param_text(&p, a->superseded_by);
    libro_pg__param_i64(&p, a->superseded_at);
    libro_pg__param_i64(&p, (int64_t) a->end);
    libro_pg__param_i64(&p, a->end_given_at);
    libro_pg__param_i64(&p, a->ends_at);
    libro_pg__param_text(&p, a->end_by);
    libro_pg__param_text(&p, a->end_reason);
    libro_pg__param_text(&p, a->end_statement);
    libro_pg__param_text(&p, a->hash);
    if (insert) {
        libro_pg__param_text(&p, a->title);
        libro_pg__param_text(&p, a->community);
        libro_pg__param_i64(&p, a->valid_from);
        libro_pg__param_i64(&p, a->valid_until);
        libro_pg__param_i64(&p, a->notice_days);
        libro_pg__param_i64(&p, a->mutual_only ? 1 : 0);
        libro_pg__param_text(&p, a->supersedes);
        libro_pg__param_i64(&p, a->registered_at);
        libro_pg__param_text(&p, a->document);
    }
    rc = libro_pg__exec_changes(h, &changes, insert ? agreement_insert_sql : agreement_update_sql,
                                &p, "agreement", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (changes == 0 && insert) {
        return libro_error_set(err, LIBRO_ERR_EXISTS,
                               "agreement already registered, or its version already amended");
    }
    if (changes == 0) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no agreement %.71s", a->hash);
    }
    return insert ? put_parties(h, a, err) : LIBRO_OK;
}

static void
agreements_free(void *list, size_t n)
{
    libro_agreement_records_free(list, n);
}

libro_code
libro_pg__agreement_list(void *h, libro_agreement_record **out, size_t *n, libro_error *err)
{
    return libro_pg__list(h, (void **) out, n, sizeof **out, agreement_list_sql, NULL, "agreements",
                          read_agreement, agreements_free, err);
}

/* ---- consent processes and steps ---------------------------------------------------------- */

static const char process_last_sql[] = "SELECT run, open, law FROM consent_process"
                                       " WHERE law_id = $1 ORDER BY run DESC LIMIT 1";
static const char process_run_sql[] = "SELECT run, open, law FROM consent_process"
                                      " WHERE law_id = $1 AND run = $2";
/* A process already recorded inserts nothing. */
static const char process_insert_sql[] =
    "INSERT INTO consent_process (open, law, law_id, run, opened_at) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT DO NOTHING";
static const char process_update_sql[] =
    "UPDATE consent_process SET open = $1, law = $2 WHERE law_id = $3 AND run = $4";
/* A taken hash or (law, run, seq) inserts nothing. */
static const char step_put_sql[] =
    "INSERT INTO consent_step (hash, law_id, run, seq, kind, by_id, at, step, registered_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING";
static const char step_list_sql[] =
    "SELECT hash, law_id, run, seq, kind, by_id, at, step, registered_at FROM consent_step"
    " WHERE law_id = $1 AND run = $2 ORDER BY seq";

libro_code
libro_pg__process_get(void *h, const char *law_id, uint32_t run, uint32_t *run_out, bool *open,
                      char **law, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    int is_open = 0;
    libro_code rc;

    *run_out = 0;
    *open = false;
    *law = NULL;
    libro_pg__param_text(&p, law_id);
    if (run != 0) {
        libro_pg__param_i64(&p, run);
    }
    rc = libro_pg__exec(h, &res, run == 0 ? process_last_sql : process_run_sql, &p,
                        "consent process", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (libro_pg__rows(res) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no consent process for %.100s", law_id);
        goto out;
    }
    if ((rc = libro_pg__col_u32(run_out, res, 0, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&is_open, res, 0, 1, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(law, res, 0, 2, err)) != LIBRO_OK) {
        *run_out = 0;
        goto out;
    }
    *open = is_open != 0;
out:
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__process_put(void *h, const char *law_id, uint32_t run, bool open, int64_t opened_at,
                      const char *law, bool insert, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changes = 0;
    libro_code rc;

    libro_pg__param_i64(&p, open ? 1 : 0);
    libro_pg__param_text(&p, law);
    libro_pg__param_text(&p, law_id);
    libro_pg__param_i64(&p, run);
    if (insert) {
        libro_pg__param_i64(&p, opened_at);
    }
    rc = libro_pg__exec_changes(h, &changes, insert ? process_insert_sql : process_update_sql, &p,
                                "consent process", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (changes == 0 && insert) {
        return libro_error_set(err, LIBRO_ERR_EXISTS, "consent process already recorded");
    }
    if (changes == 0) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no consent process for %.100s", law_id);
    }
    return LIBRO_OK;
}

libro_code
libro_pg__step_put(void *h, const libro_consent_step_record *r, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changes = 0;
    libro_code rc;

    libro_pg__param_text(&p, r->hash);
    libro_pg__param_text(&p, r->process);
    libro_pg__param_i64(&p, r->run);
    libro_pg__param_i64(&p, r->seq);
    libro_pg__param_text(&p, r->kind);
    libro_pg__param_text(&p, r->by);
    libro_pg__param_i64(&p, r->at);
    libro_pg__param_text(&p, r->step);
    libro_pg__param_i64(&p, r->registered_at);
    rc = libro_pg__exec_changes(h, &changes, step_put_sql, &p, "consent step", err);
    if (rc == LIBRO_OK && changes == 0) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "consent step already recorded");
    }
    return rc;
}

static libro_code
read_step(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_consent_step_record *e = rec;
    libro_code rc;

    (void) s;
    if ((rc = col_hash(e->hash, res, row, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->process, res, row, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&e->run, res, row, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&e->seq, res, row, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->kind, res, row, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->by, res, row, 5, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&e->at, res, row, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->step, res, row, 7, err)) != LIBRO_OK) {
        return rc;
    }
    return libro_pg__col_i64(&e->registered_at, res, row, 8, err);
}

static void
steps_free(void *list, size_t n)
{
    libro_consent_step_records_free(list, n);
}

libro_code
libro_pg__step_list(void *h, libro_consent_step_record **out, size_t *n, const char *law_id,
                    uint32_t run, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, law_id);
    libro_pg__param_i64(&p, run);
    return libro_pg__list(h, (void **) out, n, sizeof **out, step_list_sql, &p, "consent steps",
                          read_step, steps_free, err);
}

/* ---- laws --------------------------------------------------------------------------------- */

#define LAW_COLUMNS                                                                                \
    "hash, law_id, version, title, aim, community, adopted_at, review_at, consent_record,"         \
    " supersedes, superseded_by, state, repealed_at, registered_at, credential"

static const char law_get_sql[] = "SELECT " LAW_COLUMNS " FROM law WHERE hash = $1";
/* A taken hash or (law id, version) inserts nothing. */
static const char law_insert_sql[] =
    "INSERT INTO law (state, superseded_by, repealed_at, hash, law_id, version, title, aim,"
    " community, adopted_at, review_at, consent_record, supersedes, registered_at,"
    " credential) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    " ON CONFLICT DO NOTHING";
/* Only a law's state and its supersession ever change. */
static const char law_update_sql[] =
    "UPDATE law SET state = $1, superseded_by = $2, repealed_at = $3 WHERE hash = $4";
static const char lq_in_force_sql[] =
    "SELECT " LAW_COLUMNS " FROM law WHERE state = 1 ORDER BY law_id, version";
static const char lq_all_sql[] = "SELECT " LAW_COLUMNS " FROM law ORDER BY law_id, version";
static const char lq_id_sql[] =
    "SELECT " LAW_COLUMNS " FROM law WHERE law_id = $1 ORDER BY version";
static const char lq_review_sql[] = "SELECT " LAW_COLUMNS " FROM law WHERE state = 1"
                                    " AND review_at <= $1 ORDER BY review_at, law_id";

static libro_code
read_law(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_law_record *l = rec;
    int state = 0;
    libro_code rc;

    (void) s;
    memset(l, 0, sizeof *l);
    if ((rc = col_hash(l->hash, res, row, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->id, res, row, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&l->version, res, row, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->title, res, row, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->aim, res, row, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->community, res, row, 5, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&l->adopted_at, res, row, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&l->review_at, res, row, 7, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->consent_record, res, row, 8, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->supersedes, res, row, 9, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->superseded_by, res, row, 10, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&state, res, row, 11, 1, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&l->repealed_at, res, row, 12, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&l->registered_at, res, row, 13, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&l->credential, res, row, 14, err)) != LIBRO_OK) {
        libro_law_record_clear(l);
        return rc;
    }
    l->state = (libro_law_state) state;
    return LIBRO_OK;
}

libro_code
libro_pg__law_get(void *h, libro_law_record *out, const char *hash, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    bool found = false;
    libro_code rc;

    libro_pg__param_text(&p, hash);
    rc = libro_pg__one(h, out, sizeof *out, &found, law_get_sql, &p, "law", read_law, err);
    if (rc == LIBRO_OK && !found) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no law %.71s", hash);
    }
    return rc;
}

libro_code
libro_pg__law_put(void *h, const libro_law_record *l, bool insert, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changes = 0;
    libro_code rc;

    libro_pg__param_i64(&p, (int64_t) l->state);
    libro_pg__param_text(&p, l->superseded_by);
    libro_pg__param_i64(&p, l->repealed_at);
    libro_pg__param_text(&p, l->hash);
    if (insert) {
        libro_pg__param_text(&p, l->id);
        libro_pg__param_i64(&p, l->version);
        libro_pg__param_text(&p, l->title);
        libro_pg__param_text(&p, l->aim);
        libro_pg__param_text(&p, l->community);
        libro_pg__param_i64(&p, l->adopted_at);
        libro_pg__param_i64(&p, l->review_at);
        libro_pg__param_text(&p, l->consent_record);
        libro_pg__param_text(&p, l->supersedes);
        libro_pg__param_i64(&p, l->registered_at);
        libro_pg__param_text(&p, l->credential);
    }
    rc = libro_pg__exec_changes(h, &changes, insert ? law_insert_sql : law_update_sql, &p, "law",
                                err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (changes == 0 && insert) {
        return libro_error_set(err, LIBRO_ERR_EXISTS, "law or law version already registered");
    }
    if (changes == 0) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no law %.71s", l->hash);
    }
    return LIBRO_OK;
}

static void
laws_free(void *list, size_t n)
{
    libro_law_records_free(list, n);
}

libro_code
libro_pg__law_list(void *h, libro_law_record **out, size_t *n, libro_store_law_query q,
                   const char *law_id, int64_t a, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    const char *sql = NULL;

    *out = NULL;
    *n = 0;
    switch (q) {
    case LIBRO_LQ_IN_FORCE:
        sql = lq_in_force_sql;
        break;
    case LIBRO_LQ_ALL:
        sql = lq_all_sql;
        break;
    case LIBRO_LQ_ID:
        sql = lq_id_sql;
        libro_pg__param_text(&p, law_id);
        break;
    case LIBRO_LQ_REVIEW:
        sql = lq_review_sql;
        libro_pg__param_i64(&p, a);
        break;
    }
    if (sql == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "laws: unknown query");
    }
    return libro_pg__list(h, (void **) out, n, sizeof **out, sql, &p, "laws", read_law, laws_free,
                          err);
}
