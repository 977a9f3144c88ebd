/* libro_issuer_issue_batch: a license per record of a CSV or JSON-lines file, each issued as
 * libro_issuer_issue_license issues one. The file is hostile input like any other: it is read
 * in bounded lines (a longer line fails alone), counted before anything is issued (a file of
 * too many records is refused whole), and every field is checked before it reaches the
 * credential. With a local database the lines share a transaction per group, each license in
 * a savepoint of its own; a line is reported only once its group is committed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "issuer_int.h"
#include "libro/issuer.h"
#include "libro/json_int.h"
#include "libro/retry_int.h"
#include "libro/text_int.h"
#include "libro/time.h"
#include "libro/util.h"

/* Items of one scope. */
#define MAX_SCOPE 32u
/* Days of validity a line may ask for (the type and the authorization bound it further). */
#define MAX_DAYS 36600u
#define READ_BLOCK 65536u

/* ---- reading bounded lines ------------------------------------------------------------------ */

typedef struct reader {
    FILE *f;
    char block[READ_BLOCK];
    size_t pos;
    size_t len;
    size_t line; /* the number of the line last read */
    bool eof;
} reader;

/* The next line into buf[0..cap) without its "\n" (or "\r\n"), NUL-terminated: *len its
 * length, *too_long when it had more than `cap - 1` bytes (the rest is skipped). *got false
 * at the end of the file. */
static libro_code
next_line(reader *r, char *buf, size_t cap, size_t *len, bool *too_long, bool *got,
          libro_error *err)
{
    size_t n = 0;
    bool any = false;

    *too_long = false;
    *got = false;
    for (;;) {
        const char *nl;
        size_t take;

        if (r->pos == r->len) {
            if (r->eof) {
                break;
            }
            r->len = fread(r->block, 1, sizeof r->block, r->f);
            r->pos = 0;
            if (r->len < sizeof r->block) {
                if (ferror(r->f)) {
                    return libro_error_set(err, LIBRO_ERR_IO, "batch file: %s", strerror(errno));
                }
                r->eof = true;
            }
            if (r->len == 0) {
                break;
            }
        }
        any = true;
        nl = memchr(r->block + r->pos, '\n', r->len - r->pos);
        take = nl == NULL ? r->len - r->pos : (size_t) (nl - (r->block + r->pos));
        if (!*too_long && n + take < cap) {
            memcpy(buf + n, r->block + r->pos, take);
            n += take;
        } else {
            *too_long = true;
        }
        r->pos += take;
        if (nl != NULL) {
            r->pos++; /* the newline */
            break;
        }
    }
    if (!any) {
        return LIBRO_OK;
    }
    if (n > 0 && buf[n - 1] == '\r') {
        n--;
    }
    buf[n] = '\0';
    *len = n;
    *got = true;
    r->line++;
    return LIBRO_OK;
}

/* Prefix err's message with "line N" (and ": what"). */
static void
prefix_line(libro_error *err, size_t line, const char *what)
{
    char prefix[96];

    if (snprintf(prefix, sizeof prefix, "line %zu%s%s", line, what != NULL ? ": " : "",
                 what != NULL ? what : "") > 0) {
        libro_error_prefix(err, prefix);
    }
}

static bool
blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != ' ' && p[i] != '\t') {
            return false;
        }
    }
    return true;
}

/* ---- columns -------------------------------------------------------------------------------- */

enum column {
    COL_HOLDER,
    COL_HOLDER_DID,
    COL_NUMBER,
    COL_PROFESSION,
    COL_TYPE,
    COL_SCOPE,
    COL_VALID_FROM,
    COL_VALID_UNTIL,
    COL_DAYS,
    N_COLUMNS
};

static const struct {
    const char *csv;
    const char *json;
    bool required;
} columns[N_COLUMNS] = {
    {"holder", "holder", true},
    {"holder_did", "holderDid", false},
    {"number", "number", true},
    {"profession", "profession", true},
    {"type", "type", true},
    {"scope", "scope", true},
    {"valid_from", "validFrom", false},
    {"valid_until", "validUntil", false},
    {"days", "days", false},
};

/* One record's fields, pointing into the line's scratch buffer (NULL when absent). */
typedef struct record {
    char *field[N_COLUMNS];
    const char *scope[MAX_SCOPE];
    size_t n_scope;
} record;

/* A field's text (NUL-terminated, `len` bytes) by the credential text rule. */
static libro_code
field_check(const char *p, size_t len, size_t line, enum column col, libro_error *err)
{
    const char *problem = libro__text_problem((const unsigned char *) p, len);

    if (problem != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: %s: %s", line, columns[col].csv,
                               problem);
    }
    return LIBRO_OK;
}

/* Split the scope field (CSV) at ';' into rec->scope, trimming spaces around each item. */
static libro_code
split_scope(record *rec, char *p, size_t line, libro_error *err)
{
    rec->n_scope = 0;
    for (;;) {
        char *semi = strchr(p, ';');
        char *end = semi != NULL ? semi : p + strlen(p);

        while (*p == ' ') {
            p++;
        }
        while (end > p && end[-1] == ' ') {
            end--;
        }
        if (end == p) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: scope: an empty item", line);
        }
        if (rec->n_scope == MAX_SCOPE) {
            return libro_error_set(err, LIBRO_ERR_LIMIT, "line %zu: scope: more than %u items",
                                   line, MAX_SCOPE);
        }
        rec->scope[rec->n_scope++] = p;
        if (semi == NULL) {
            *end = '\0';
            return LIBRO_OK;
        }
        *end = '\0';
        p = semi + 1;
    }
}

/* ---- CSV ------------------------------------------------------------------------------------ */

/* Split CSV line p[0..len) into fields, unescaped into `out` (at least len + 1 bytes, each
 * field NUL-terminated there); at most `max` fields. *n their count. */
static libro_code
csv_split(char *out, char **fields, size_t *n, size_t max, const char *p, size_t len, size_t line,
          libro_error *err)
{
    size_t i = 0;
    size_t o = 0;

    *n = 0;
    for (;;) {
        if (*n == max) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: more fields than columns",
                                   line);
        }
        fields[(*n)++] = out + o;
        if (i < len && p[i] == '"') {
            i++;
            for (;;) {
                if (i == len) {
                    return libro_error_set(err, LIBRO_ERR_PARSE,
                                           "line %zu: a quoted field is not closed", line);
                }
                if (p[i] == '"') {
                    if (i + 1 < len && p[i + 1] == '"') {
                        out[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                out[o++] = p[i++];
            }
            if (i < len && p[i] != ',') {
                return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: text after a quoted field",
                                       line);
            }
        } else {
            while (i < len && p[i] != ',') {
                if (p[i] == '"') {
                    return libro_error_set(err, LIBRO_ERR_PARSE,
                                           "line %zu: a quote inside an unquoted field", line);
                }
                out[o++] = p[i++];
            }
        }
        out[o++] = '\0';
        if (i == len) {
            return LIBRO_OK;
        }
        i++; /* the comma */
    }
}

/* The header: which column each field is. PARSE for an unknown, repeated or missing one. */
static libro_code
csv_header(int *order, size_t *n_order, char *scratch, const char *p, size_t len, libro_error *err)
{
    char *fields[N_COLUMNS + 1];
    bool seen[N_COLUMNS] = {false};
    size_t n = 0;
    libro_code rc = csv_split(scratch, fields, &n, N_COLUMNS + 1, p, len, 1, err);

    if (rc != LIBRO_OK) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "batch file: line 1: not a CSV header");
    }
    for (size_t i = 0; i < n; i++) {
        size_t c;

        for (c = 0; c < N_COLUMNS && strcmp(fields[i], columns[c].csv) != 0; c++) {
        }
        if (c == N_COLUMNS) {
            return libro_error_set(err, LIBRO_ERR_PARSE,
                                   "batch file: line 1: unknown column \"%.64s\"", fields[i]);
        }
        if (seen[c]) {
            return libro_error_set(err, LIBRO_ERR_PARSE,
                                   "batch file: line 1: column %s given twice", columns[c].csv);
        }
        seen[c] = true;
        order[i] = (int) c;
    }
    for (size_t c = 0; c < N_COLUMNS; c++) {
        if (columns[c].required && !seen[c]) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "batch file: line 1: no column %s",
                                   columns[c].csv);
        }
    }
    *n_order = n;
    return LIBRO_OK;
}

static libro_code
csv_record(record *rec, char *scratch, const int *order, size_t n_order, const char *p, size_t len,
           size_t line, libro_error *err)
{
    char *fields[N_COLUMNS];
    size_t n = 0;
    libro_code rc = csv_split(scratch, fields, &n, n_order, p, len, line, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (n != n_order) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: %zu fields, the header has %zu",
                               line, n, n_order);
    }
    for (size_t i = 0; i < n; i++) {
        enum column c = (enum column) order[i];
        size_t flen = strlen(fields[i]);

        if (flen == 0) {
            continue; /* absent; a required one is named below */
        }
        rc = field_check(fields[i], flen, line, c, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        rec->field[c] = fields[i];
    }
    if (rec->field[COL_SCOPE] != NULL) {
        rc = split_scope(rec, rec->field[COL_SCOPE], line, err);
    }
    return rc;
}

/* ---- JSON lines ----------------------------------------------------------------------------- */

/* A string member's value copied into scratch (NUL-terminated), checked. */
static libro_code
json_text(char **out, char **scratch, json_t *v, size_t line, enum column c, libro_error *err)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    libro_code rc;

    if (s == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: %s: not a string", line,
                               columns[c].json);
    }
    rc = field_check(s, len, line, c, err);
    if (rc == LIBRO_OK && len == 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: %s: empty", line, columns[c].json);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    memcpy(*scratch, s, len + 1);
    *out = *scratch;
    *scratch += len + 1;
    return LIBRO_OK;
}

static libro_code
json_record(record *rec, char *scratch, const char *p, size_t len, size_t line, libro_error *err)
{
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    json_t *o = NULL;
    const char *key;
    json_t *v;
    libro_code rc;

    lim.max_depth = 2;
    rc = libro_json__load(&o, p, len, &lim, err);
    if (rc != LIBRO_OK) {
        prefix_line(err, line, NULL);
        goto out;
    }
    if (!json_is_object(o)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: not a JSON object", line);
        goto out;
    }
    json_object_foreach(o, key, v)
    {
        size_t c;

        for (c = 0; c < N_COLUMNS && strcmp(key, columns[c].json) != 0; c++) {
        }
        if (c == N_COLUMNS) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: unknown member \"%.64s\"", line,
                                 key);
            goto out;
        }
        if (c == COL_DAYS && json_is_integer(v)) {
            /* Written back as text: one path for both formats. */
            int w = snprintf(scratch, 24, "%lld", (long long) json_integer_value(v));

            rec->field[c] = scratch;
            scratch += w + 1;
            continue;
        }
        if (c == COL_SCOPE && json_is_array(v)) {
            size_t i;
            json_t *item;

            if (json_array_size(v) > MAX_SCOPE) {
                rc = libro_error_set(err, LIBRO_ERR_LIMIT, "line %zu: scope: more than %u items",
                                     line, MAX_SCOPE);
                goto out;
            }
            json_array_foreach(v, i, item)
            {
                char *text = NULL;

                rc = json_text(&text, &scratch, item, line, COL_SCOPE, err);
                if (rc != LIBRO_OK) {
                    goto out;
                }
                rec->scope[i] = text;
                rec->field[c] = i == 0 ? text : rec->field[c];
            }
            rec->n_scope = json_array_size(v);
            continue;
        }
        rc = json_text(&rec->field[c], &scratch, v, line, (enum column) c, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        if (c == COL_SCOPE) {
            rec->scope[0] = rec->field[c];
            rec->n_scope = 1;
        }
    }
out:
    json_decref(o);
    return rc;
}

/* ---- one record into license options -------------------------------------------------------- */

static libro_code
record_options(libro_license_options *lo, const record *rec, const libro_batch_options *opt,
               size_t line, libro_error *err)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    uint64_t days = 0;
    libro_code rc;

    for (size_t c = 0; c < N_COLUMNS; c++) {
        if (columns[c].required && rec->field[c] == NULL) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: no %s", line, columns[c].csv);
        }
    }
    lo->holder = rec->field[COL_HOLDER];
    lo->holder_did = rec->field[COL_HOLDER_DID];
    lo->number = rec->field[COL_NUMBER];
    lo->profession = rec->field[COL_PROFESSION];
    lo->license_type = rec->field[COL_TYPE];
    lo->scope = rec->scope;
    lo->n_scope = rec->n_scope;
    lo->status_url_base = opt->status_url_base;
    lo->valid_from = opt->valid_from;
    lo->valid_until = opt->valid_until;
    lo->days = opt->days;
    if (rec->field[COL_VALID_FROM] != NULL) {
        rc = libro_time_parse_input(&lo->valid_from, rec->field[COL_VALID_FROM],
                                    strlen(rec->field[COL_VALID_FROM]), err);
        if (rc != LIBRO_OK) {
            prefix_line(err, line, "valid_from");
            return rc;
        }
    }
    if (rec->field[COL_VALID_UNTIL] != NULL || rec->field[COL_DAYS] != NULL) {
        lo->valid_until = 0;
        lo->days = 0;
    }
    if (rec->field[COL_VALID_UNTIL] != NULL && rec->field[COL_DAYS] != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: valid_until or days, not both",
                               line);
    }
    if (rec->field[COL_VALID_UNTIL] != NULL) {
        rc = libro_time_parse_input(&lo->valid_until, rec->field[COL_VALID_UNTIL],
                                    strlen(rec->field[COL_VALID_UNTIL]), err);
        if (rc != LIBRO_OK) {
            prefix_line(err, line, "valid_until");
            return rc;
        }
    }
    if (rec->field[COL_DAYS] != NULL) {
        if (libro_parse_u64(&days, rec->field[COL_DAYS], strlen(rec->field[COL_DAYS]), MAX_DAYS,
                            &ignored) != LIBRO_OK ||
            days == 0) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "line %zu: days: want 1 to %u", line,
                                   MAX_DAYS);
        }
        lo->days = (uint32_t) days;
    }
    return LIBRO_OK;
}

/* ---- the batch ------------------------------------------------------------------------------ */

/* A line's outcome, held until its group is committed. */
typedef struct outcome {
    size_t line;
    char number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1]; /* "" when the line names none */
    libro_code code;
    char message[LIBRO_ERROR_MSG_MAX];
    libro_issued issued;
} outcome;

typedef struct batch {
    libro_issuer *is;
    libro_registry_client *registry;
    const libro_batch_options *opt;
    libro_batch_fn fn;
    void *ctx;
    libro_batch_report *report;
    reader rd;
    char *buf;     /* a line */
    char *scratch; /* its fields */
    bool jsonl;
    int order[N_COLUMNS]; /* CSV: the column of each field */
    size_t n_order;
    outcome *group;
    size_t group_cap;
    size_t n_group;
    bool group_open;
} batch;

static void
outcome_fail(outcome *o, const libro_error *e)
{
    o->code = e->code != LIBRO_OK ? e->code : LIBRO_ERR_IO;
    (void) snprintf(o->message, sizeof o->message, "%s", e->msg);
    libro_issued_clear(&o->issued);
}

/* The next line that is not blank into b->buf (next_line's outputs). */
static libro_code
next_filled(batch *b, size_t *len, bool *too_long, bool *got, libro_error *err)
{
    libro_code rc;

    do {
        rc = next_line(&b->rd, b->buf, LIBRO_BATCH_MAX_LINE_BYTES + 1, len, too_long, got, err);
    } while (rc == LIBRO_OK && *got && !*too_long && blank(b->buf, *len));
    return rc;
}

/* Read from the start of the file: past a UTF-8 BOM. */
static libro_code
rewind_reader(reader *r, libro_error *err)
{
    if (fseek(r->f, 0, SEEK_SET) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "batch file: %s", strerror(errno));
    }
    r->pos = r->len = r->line = 0;
    r->eof = false;
    r->len = fread(r->block, 1, sizeof r->block, r->f);
    if (r->len < sizeof r->block) {
        if (ferror(r->f)) {
            return libro_error_set(err, LIBRO_ERR_IO, "batch file: %s", strerror(errno));
        }
        r->eof = true;
    }
    if (r->len >= 3 && memcmp(r->block, "\xEF\xBB\xBF", 3) == 0) {
        r->pos = 3;
    }
    return LIBRO_OK;
}

/* Where the next line starts: the file offset and the number of the line last read. */
typedef struct reader_mark {
    off_t off;
    size_t line;
} reader_mark;

static libro_code
reader_mark_get(reader_mark *m, reader *r, libro_error *err)
{
    off_t at = ftello(r->f);

    if (at < 0 || (uintmax_t) at < (uintmax_t) (r->len - r->pos)) {
        return libro_error_set(err, LIBRO_ERR_IO, "batch file: %s", strerror(errno));
    }
    m->off = at - (off_t) (r->len - r->pos);
    m->line = r->line;
    return LIBRO_OK;
}

/* Read again from the mark `m` (a group run again). */
static libro_code
reader_seek(reader *r, const reader_mark *m, libro_error *err)
{
    if (fseeko(r->f, m->off, SEEK_SET) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "batch file: %s", strerror(errno));
    }
    r->pos = r->len = 0;
    r->eof = false;
    r->line = m->line;
    return LIBRO_OK;
}

/* The first pass: the format, the CSV header, and how many records (bounded). */
static libro_code
survey(batch *b, libro_error *err)
{
    bool header = false;
    libro_code rc = rewind_reader(&b->rd, err);

    b->report->total = 0;
    while (rc == LIBRO_OK) {
        size_t len = 0;
        bool too_long = false;
        bool got = false;

        rc = next_filled(b, &len, &too_long, &got, err);
        if (rc != LIBRO_OK || !got) {
            break;
        }
        if (!header) {
            header = true;
            b->jsonl = !too_long && b->buf[0] == '{';
            if (!b->jsonl) {
                if (too_long || b->rd.line != 1) {
                    return libro_error_set(err, LIBRO_ERR_PARSE,
                                           "batch file: line 1 is not a CSV header (or a JSON "
                                           "object)");
                }
                rc = csv_header(b->order, &b->n_order, b->scratch, b->buf, len, err);
                continue;
            }
        }
        if (b->report->total == LIBRO_BATCH_MAX_LINES) {
            return libro_error_set(err, LIBRO_ERR_LIMIT,
                                   "batch file: more than %u records: split it",
                                   LIBRO_BATCH_MAX_LINES);
        }
        b->report->total++;
    }
    if (rc == LIBRO_OK && !header) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "batch file: empty");
    }
    return rc;
}

/* End the open group: commit it, or roll it back when a line met LIBRO_ERR_CONFLICT (the
 * database refused the group's transaction for a concurrent one: nothing of it is kept). A
 * commit that fails fails every line that had succeeded. Returns LIBRO_ERR_CONFLICT when the
 * group was lost to a conflict (at a line or at its commit), `e` the conflict's error. */
static libro_code
settle(batch *b, libro_error *e)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; i < b->n_group && rc == LIBRO_OK; i++) {
        if (b->group[i].code == LIBRO_ERR_CONFLICT) {
            rc = libro_error_set(e, LIBRO_ERR_CONFLICT, "%s", b->group[i].message);
        }
    }
    if (!b->group_open) {
        return rc;
    }
    b->group_open = false;
    if (rc != LIBRO_OK) {
        libro_code end = libro_registry_client_group_end(b->registry, false, &ignored);

        (void) end; /* rolled back either way */
        return rc;
    }
    rc = libro_registry_client_group_end(b->registry, true, e);
    if (rc != LIBRO_OK && rc != LIBRO_ERR_CONFLICT) {
        /* Nothing of the group is kept: its licenses were not issued. */
        for (size_t i = 0; i < b->n_group; i++) {
            if (b->group[i].code == LIBRO_OK) {
                outcome_fail(&b->group[i], e);
            }
        }
    }
    return rc == LIBRO_ERR_CONFLICT ? rc : LIBRO_OK;
}

/* Forget the group's outcomes (they were never reported). */
static void
drop_group(batch *b)
{
    for (size_t i = 0; i < b->n_group; i++) {
        libro_issued_clear(&b->group[i].issued);
    }
    b->n_group = 0;
}

/* Report the group's outcomes once it is settled. */
static libro_code
report_group(batch *b, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; i < b->n_group; i++) {
        outcome *o = &b->group[i];
        libro_batch_line l = {0};

        if (rc == LIBRO_OK) {
            l.line = o->line;
            l.total = b->report->total;
            l.number = o->number[0] != '\0' ? o->number : NULL;
            l.code = o->code;
            l.message = o->code != LIBRO_OK ? o->message : NULL;
            l.issued = o->code == LIBRO_OK && b->is != NULL ? &o->issued : NULL;
            if (o->code == LIBRO_OK) {
                b->report->issued++;
            } else {
                b->report->failed++;
            }
            l.done = b->report->issued + b->report->failed;
            rc = b->fn(b->ctx, &l, err);
        }
    }
    drop_group(b);
    return rc;
}

/* One record: parsed, checked and issued into `o`. */
static void
issue_line(batch *b, outcome *o, size_t len, bool too_long)
{
    libro_license_options lo = LIBRO_LICENSE_OPTIONS_INIT;
    libro_error e = LIBRO_ERROR_INIT;
    record rec;
    libro_code rc;

    memset(&rec, 0, sizeof rec);
    if (too_long) {
        rc = libro_error_set(&e, LIBRO_ERR_LIMIT, "line %zu: longer than %u bytes", o->line,
                             LIBRO_BATCH_MAX_LINE_BYTES);
    } else if (b->jsonl) {
        rc = json_record(&rec, b->scratch, b->buf, len, o->line, &e);
    } else {
        rc = csv_record(&rec, b->scratch, b->order, b->n_order, b->buf, len, o->line, &e);
    }
    if (rec.field[COL_NUMBER] != NULL &&
        libro_license_number_ok(rec.field[COL_NUMBER], strlen(rec.field[COL_NUMBER]))) {
        (void) snprintf(o->number, sizeof o->number, "%s", rec.field[COL_NUMBER]);
    }
    if (rc == LIBRO_OK) {
        rc = record_options(&lo, &rec, b->opt, o->line, &e);
    }
    /* Without an issuer (libro_issuer__batch_scan) a line that parses is reported as is. */
    if (rc == LIBRO_OK && b->is != NULL) {
        rc = libro_issuer_issue_license(&o->issued, b->is, b->registry, &lo, &e);
        if (rc != LIBRO_OK) {
            prefix_line(&e, o->line, NULL);
        }
    }
    o->code = rc;
    if (rc != LIBRO_OK) {
        outcome_fail(o, &e);
    }
}

/* Read and issue the next group of records (up to group_cap), with a local database in one
 * group of the registry's; *got false when no record was left. */
static libro_code
fill_group(batch *b, bool local, bool *got, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    *got = false;
    while (rc == LIBRO_OK && b->n_group < b->group_cap) {
        size_t len = 0;
        bool too_long = false;
        bool line = false;
        outcome *o;

        rc = next_filled(b, &len, &too_long, &line, err);
        if (rc != LIBRO_OK || !line) {
            break;
        }
        *got = true;
        o = &b->group[b->n_group++];
        memset(o, 0, sizeof *o);
        o->line = b->rd.line;
        if (local && !b->group_open) {
            libro_error e = LIBRO_ERROR_INIT;

            if (libro_registry_client_group_begin(b->registry, &e) != LIBRO_OK) {
                prefix_line(&e, o->line, NULL);
                outcome_fail(o, &e);
            } else {
                b->group_open = true;
            }
        }
        if (o->code == LIBRO_OK) {
            issue_line(b, o, len, too_long);
        }
    }
    return rc;
}

/* The second pass: every record, in groups. A group a shared database refused for a
 * concurrent transaction (a line or the commit met LIBRO_ERR_CONFLICT) kept nothing: its
 * records are read and issued again, bounded (libro_retry__again); after the last attempt each
 * of its records fails with LIBRO_ERR_CONFLICT. */
static libro_code
run(batch *b, libro_error *err)
{
    const bool local = b->registry != NULL && !libro_registry_client_remote(b->registry);
    libro_code rc = rewind_reader(&b->rd, err);
    bool got = true;

    if (rc == LIBRO_OK && !b->jsonl) {
        size_t len = 0;
        bool too_long = false;

        rc = next_filled(b, &len, &too_long, &got, err); /* the header, read by survey */
    }
    while (rc == LIBRO_OK && got) {
        libro_error conflict = LIBRO_ERROR_INIT;
        unsigned attempt = 0;
        reader_mark mark = {0, 0};
        libro_code settled = LIBRO_OK;

        rc = reader_mark_get(&mark, &b->rd, err);
        for (;;) {
            if (rc == LIBRO_OK) {
                rc = fill_group(b, local, &got, err);
            }
            if (rc != LIBRO_OK) {
                break;
            }
            settled = settle(b, &conflict);
            if (!local || !libro_retry__again(settled, &attempt, &conflict)) {
                break;
            }
            drop_group(b);
            rc = reader_seek(&b->rd, &mark, err);
        }
        if (rc != LIBRO_OK) {
            break;
        }
        /* Lost whole, the last time too: none of its records was issued. */
        for (size_t i = 0; local && settled == LIBRO_ERR_CONFLICT && i < b->n_group; i++) {
            outcome_fail(&b->group[i], &conflict);
        }
        rc = report_group(b, err);
    }
    return rc;
}

/* Read the file `f` (closed here) and report each record to `fn`: issued with `is` and
 * `registry`, or with both NULL only parsed and checked. */
static libro_code
batch_file(libro_batch_report *report, libro_issuer *is, libro_registry_client *registry, FILE *f,
           const libro_batch_options *opt, libro_batch_fn fn, void *ctx, libro_error *err)
{
    batch b;
    libro_code rc;

    memset(report, 0, sizeof *report);
    memset(&b, 0, sizeof b);
    b.is = is;
    b.registry = registry;
    b.opt = opt;
    b.fn = fn;
    b.ctx = ctx;
    b.report = report;
    b.rd.f = f;
    b.group_cap = registry == NULL || libro_registry_client_remote(registry) ? 1
                  : opt->group == 0 ? LIBRO_BATCH_DEFAULT_GROUP
                                    : opt->group;
    /* CSV unescaping writes at most the line and a NUL per field; JSON strings decode to at
     * most their text, plus days written back (24 bytes). */
    b.buf = libro_malloc(LIBRO_BATCH_MAX_LINE_BYTES + 1);
    b.scratch = libro_malloc(2u * LIBRO_BATCH_MAX_LINE_BYTES + 64u);
    b.group = libro_calloc(b.group_cap, sizeof *b.group);
    if (b.buf == NULL || b.scratch == NULL || b.group == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = survey(&b, err);
    if (rc == LIBRO_OK) {
        rc = run(&b, err);
    }
out:
    if (b.group_open) {
        /* Stopped (by `fn`) with a group open: what it holds was never reported. */
        libro_error ignored = LIBRO_ERROR_INIT;
        libro_code end = libro_registry_client_group_end(registry, false, &ignored);

        (void) end;
    }
    for (size_t i = 0; b.group != NULL && i < b.n_group; i++) {
        libro_issued_clear(&b.group[i].issued);
    }
    libro_free(b.group);
    libro_free(b.scratch);
    libro_free(b.buf);
    (void) fclose(f);
    return rc;
}

libro_code
libro_issuer_issue_batch(libro_batch_report *report, libro_issuer *is,
                         libro_registry_client *registry, const char *path,
                         const libro_batch_options *opt, libro_batch_fn fn, void *ctx,
                         libro_error *err)
{
    FILE *f;

    if (report == NULL || is == NULL || registry == NULL || path == NULL || opt == NULL ||
        opt->version != LIBRO_BATCH_OPTIONS_VERSION || fn == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issue batch: bad arguments");
    }
    memset(report, 0, sizeof *report);
    if (opt->group > LIBRO_BATCH_MAX_LINES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issue batch: group of more than %u",
                               LIBRO_BATCH_MAX_LINES);
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        return libro_error_set(err, errno == ENOENT ? LIBRO_ERR_NOT_FOUND : LIBRO_ERR_IO,
                               "batch file %.64s: %s", path, strerror(errno));
    }
    return batch_file(report, is, registry, f, opt, fn, ctx, err);
}

libro_code
libro_issuer__batch_scan(libro_batch_report *report, const void *data, size_t len,
                         libro_batch_fn fn, void *ctx, libro_error *err)
{
    static const libro_batch_options opt = LIBRO_BATCH_OPTIONS_INIT;
    /* fmemopen wants a buffer it may write to; "rb" never does. */
    FILE *f = len == 0 ? NULL : fmemopen((void *) (uintptr_t) data, len, "rb");

    memset(report, 0, sizeof *report);
    if (len == 0) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "batch file: empty");
    }
    if (f == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    return batch_file(report, NULL, NULL, f, &opt, fn, ctx, err);
}
