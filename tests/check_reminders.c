/* The reminder engine (registry/src/reminders.c) on both backends: which reminder is due for
 * a license at each distance from its validUntil and in each state (the last threshold passed,
 * the renewal window, nothing once it has come), mandates before their term ends, laws before
 * their review date; each sent once, a failed send recorded nothing, a renewal's new cycle;
 * contacts (addresses checked, subjects that exist, removal); the message's headers and the
 * refusal of a CR or LF in one. The registry is the roundtable fixture's (test_roundtable.h);
 * licenses and laws are written into its store directly, at the times each case needs. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../registry/src/registry_int.h"
#include "libro/reminders.h"
#include "libro/smtp.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_law.h"
#include "test_roundtable.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define NOW INT64_C(1796083200) /* 2026-12-01T00:00:00Z */
#define TYPE "nursing-general"

static rt_fixture fx;
static libro_registry *reg;
static const unsigned days3[] = {90, 30, 7};

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {NULL, 1095, 60, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};

    rt_setup(&fx, NOW - 400 * DAY, NOW + 3000 * DAY, 0, RT_LIST_BASE);
    must(libro_registry_open(&reg, fx.db_path, &err), &err, "open");
    t.id = sdup(TYPE);
    must(libro_registry_define_type(reg, NULL, &t, "clerk", &err), &err, "type");
    libro_free(t.id);
}

static void
teardown(void)
{
    libro_registry_close(reg);
    reg = NULL;
    rt_teardown(&fx);
}

/* Write license `number` of `state` ending `left` seconds from NOW into the store. */
static void
put_license(const char *number, libro_license_state state, int64_t left)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};
    const libro_store_ops *ops = reg->store.ops;

    must(libro_registry_reserve_status(reg, NULL, &rec.status_list, &rec.status_index, &err), &err,
         "reserve");
    rec.number = sdup(number);
    rec.version = 1;
    rec.state = state;
    rec.license_type = sdup(TYPE);
    rec.holder_name = sdup("Ada Example");
    rec.issuer = sdup("urn:libro:board");
    rec.valid_until = NOW + left;
    rec.valid_from = rec.valid_until - 1095 * DAY;
    rec.credential = sdup("not.a.credential");
    must(ops->begin(reg->store.h, &err), &err, "begin");
    must(ops->license_put(reg->store.h, &rec, true, &err), &err, "license");
    must(ops->commit(reg->store.h, &err), &err, "commit");
    libro_license_record_clear(&rec);
}

/* An active license `number` ending `left` seconds from NOW, with the contact `email`. */
static void
put_contacted(const char *number, int64_t left, const char *email)
{
    libro_error err = LIBRO_ERROR_INIT;

    put_license(number, LIBRO_STATE_ACTIVE, left);
    must(libro_registry_contact_set(reg, LIBRO_REMIND_LICENSE, number, email, NOW, &err), &err,
         "contact");
}

/* The reminders due at `now` with the default thresholds. */
static libro_reminder *
due_at(size_t *n, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_reminder *v = NULL;

    must(libro_registry_reminders_due(reg, &v, n, days3, LIBRO_NELEM(days3), now, &err), &err,
         "due");
    return v;
}

/* ---- the schedule of one license -------------------------------------------------------- */

#define NONE (-100) /* no reminder due */

static const struct {
    const char *name;
    libro_license_state state;
    int64_t left; /* validUntil - NOW */
    int want;     /* threshold, LIBRO_REMINDER_WINDOW or NONE */
} schedule[] = {
    {"91 days left: nothing yet", LIBRO_STATE_ACTIVE, 91 * DAY, NONE},
    {"exactly 90 days left", LIBRO_STATE_ACTIVE, 90 * DAY, 90},
    {"80 days left", LIBRO_STATE_ACTIVE, 80 * DAY, 90},
    {"window opens at 60 days", LIBRO_STATE_ACTIVE, 60 * DAY, LIBRO_REMINDER_WINDOW},
    {"50 days left: the window's", LIBRO_STATE_ACTIVE, 50 * DAY, LIBRO_REMINDER_WINDOW},
    {"30 days left", LIBRO_STATE_ACTIVE, 30 * DAY, 30},
    {"20 days left: only the last passed", LIBRO_STATE_ACTIVE, 20 * DAY, 30},
    {"3 days left", LIBRO_STATE_ACTIVE, 3 * DAY, 7},
    {"1 second left", LIBRO_STATE_ACTIVE, 1, 7},
    {"validUntil now: nothing", LIBRO_STATE_ACTIVE, 0, NONE},
    {"past validUntil: nothing", LIBRO_STATE_ACTIVE, -DAY, NONE},
    {"suspended", LIBRO_STATE_SUSPENDED, 20 * DAY, NONE},
    {"revoked", LIBRO_STATE_REVOKED, 20 * DAY, NONE},
    {"surrendered", LIBRO_STATE_SURRENDERED, 20 * DAY, NONE},
    {"expired", LIBRO_STATE_EXPIRED, -DAY, NONE},
    {"lapsed", LIBRO_STATE_LAPSED, 20 * DAY, NONE},
};

/* Every case at once, in one registry: each license is due (or not) on its own. */
START_TEST(test_schedule)
{
    libro_reminder *v;
    char number[16];
    size_t n = 0;
    size_t i;
    size_t j;
    size_t want_n = 0;

    for (i = 0; i < LIBRO_NELEM(schedule); i++) {
        ck_assert_int_gt(snprintf(number, sizeof number, "S-%02zu", i), 0);
        put_license(number, schedule[i].state, schedule[i].left);
        want_n += schedule[i].want != NONE;
    }
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, want_n);
    for (i = 0; i < LIBRO_NELEM(schedule); i++) {
        ck_assert_int_gt(snprintf(number, sizeof number, "S-%02zu", i), 0);
        for (j = 0; j < n && strcmp(v[j].subject, number) != 0; j++) {
        }
        if (schedule[i].want == NONE) {
            ck_assert_msg(j == n, "%s: due", schedule[i].name);
            continue;
        }
        ck_assert_msg(j < n, "%s: not due", schedule[i].name);
        ck_assert_msg(v[j].threshold == schedule[i].want, "%s: threshold %d", schedule[i].name,
                      v[j].threshold);
        ck_assert_int_eq(v[j].kind, LIBRO_REMIND_LICENSE);
        ck_assert_str_eq(v[j].name, "Ada Example");
        ck_assert_int_eq(v[j].due, NOW + schedule[i].left);
        ck_assert_int_eq(v[j].renew_from, NOW + schedule[i].left - 60 * DAY);
        ck_assert_ptr_null(v[j].to); /* no contact */
    }
    /* Soonest first. */
    for (j = 1; j < n; j++) {
        ck_assert_int_le(v[j - 1].due, v[j].due);
    }
    libro_reminders_free(v, n);
}
END_TEST

static const struct {
    const char *name;
    unsigned days[9];
    size_t n;
    const char *msg;
} bad_days[] = {
    {"none", {0}, 0, "want 1 to 8 thresholds"},
    {"nine", {1, 2, 3, 4, 5, 6, 7, 8, 9}, 9, "want 1 to 8 thresholds"},
    {"zero", {30, 0}, 2, "a threshold of 0 days"},
    {"too far", {3661}, 1, "a threshold of 3661 days"},
};

START_TEST(test_bad_days)
{
    for (size_t i = 0; i < LIBRO_NELEM(bad_days); i++) {
        libro_error err = LIBRO_ERROR_INIT;
        libro_reminder *v = NULL;
        size_t n = 7;

        LIBRO_ASSERT_CODE(
            libro_registry_reminders_due(reg, &v, &n, bad_days[i].days, bad_days[i].n, NOW, &err),
            LIBRO_ERR_INVALID_ARG, &err, bad_days[i].msg);
        ck_assert_ptr_null(v);
        ck_assert_uint_eq(n, 0);
    }
}
END_TEST

/* ---- sending once ------------------------------------------------------------------------- */

/* What the test's sender saw, and what it answers; `during`, when set, runs while a send is
 * in progress (the claim committed, no transaction open). */
struct outbox {
    libro_code answer;
    size_t calls;
    libro_buf last; /* the last message */
    void (*during)(struct outbox *o, const libro_reminder *rem);
    /* What `during` uses: another handle on the registry, its own outbox and clock. */
    libro_registry *other;
    struct outbox *other_box;
    int64_t other_now;
    libro_code other_rc;
    libro_reminder_outcome other_outcome;
    libro_error other_err;
    size_t sending_seen; /* claims in state 'sending' while the send was in progress */
};

#define OUTBOX_INIT(answer)                                                                        \
    {                                                                                              \
        (answer), 0, LIBRO_BUF_INIT, NULL, NULL, NULL, 0, LIBRO_OK, (libro_reminder_outcome) 0,    \
            LIBRO_ERROR_INIT, 0                                                                    \
    }

static libro_code
collect(void *ctx, const libro_reminder *rem, libro_error *err)
{
    struct outbox *o = ctx;

    o->calls++;
    if (o->during != NULL) {
        o->during(o, rem);
    }
    if (o->answer != LIBRO_OK) {
        return libro_error_set(err, o->answer, "smtp: connection refused");
    }
    libro_buf_clear(&o->last);
    return libro_reminder_message(&o->last, rem, "registry@town.test", NOW, err);
}

/* Send `rem` through `o` at `now` on `r`: the code, and the outcome in *outcome. */
static libro_code
send_on(libro_registry *r, libro_reminder_outcome *outcome, const libro_reminder *rem, int64_t now,
        struct outbox *o, libro_error *err)
{
    *outcome = (libro_reminder_outcome) 0;
    return libro_registry_reminder_send(r, outcome, rem, now, collect, o, err);
}

/* send_on(reg), which must succeed with `want`. */
static void
send_want(const libro_reminder *rem, int64_t now, struct outbox *o, libro_reminder_outcome want)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_reminder_outcome got = (libro_reminder_outcome) 0;

    must(send_on(reg, &got, rem, now, o, &err), &err, "send");
    ck_assert_int_eq(got, want);
}

static size_t
sent_rows(void)
{
    return (size_t) test_db_int(fx.db_path, "SELECT COUNT(*) FROM reminder_sent");
}

static size_t
rows_in(const char *state)
{
    char sql[128];

    ck_assert_int_gt(
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM reminder_sent WHERE state = '%s'", state),
        0);
    return (size_t) test_db_int(fx.db_path, sql);
}

START_TEST(test_send_once)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_reminder_outcome outcome;
    struct outbox o = OUTBOX_INIT(LIBRO_ERR_NETWORK);
    libro_license_record rec = {0};
    libro_reminder *v;
    size_t n = 0;

    put_contacted("T-1", 20 * DAY, "ada@mail.test");
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].to, "ada@mail.test");

    /* A failed send records nothing (its claim is deleted): the next run tries again. */
    LIBRO_ASSERT_CODE(send_on(reg, &outcome, &v[0], NOW, &o, &err), LIBRO_ERR_NETWORK, &err,
                      "connection refused");
    ck_assert_uint_eq(sent_rows(), 0);
    libro_reminders_free(v, n);
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);

    o.answer = LIBRO_OK;
    send_want(&v[0], NOW, &o, LIBRO_REMINDER_SENT);
    ck_assert_uint_eq(o.calls, 2);
    ck_assert_uint_eq(rows_in("sent"), 1);
    /* Sent once: the same reminder again is not sent (even past the lease), and no longer
     * due. */
    send_want(&v[0], NOW + LIBRO_REMINDER_LEASE_SECONDS + 1, &o, LIBRO_REMINDER_ALREADY_SENT);
    ck_assert_uint_eq(o.calls, 2);
    libro_reminders_free(v, n);
    v = due_at(&n, NOW + 5 * DAY);
    ck_assert_uint_eq(n, 0);
    libro_reminders_free(v, n);
    /* The next threshold is a new reminder. */
    v = due_at(&n, NOW + 14 * DAY);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(v[0].threshold, 7);
    libro_reminders_free(v, n);

    /* A renewal moves validUntil: the new cycle is due in its turn. */
    must(libro_registry_get(reg, &rec, NULL, NULL, "T-1", &err), &err, "get");
    rec.valid_until += 1095 * DAY;
    rec.version = 2;
    must(reg->store.ops->begin(reg->store.h, &err), &err, "begin");
    must(reg->store.ops->license_put(reg->store.h, &rec, false, &err), &err, "renew");
    must(reg->store.ops->commit(reg->store.h, &err), &err, "commit");
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 0);
    libro_reminders_free(v, n);
    v = due_at(&n, rec.valid_until - 20 * DAY);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(v[0].threshold, 30);
    ck_assert_int_eq(v[0].due, rec.valid_until);
    send_want(&v[0], rec.valid_until - 20 * DAY, &o, LIBRO_REMINDER_SENT);
    ck_assert_uint_eq(rows_in("sent"), 2);
    libro_reminders_free(v, n);
    libro_license_record_clear(&rec);
    libro_buf_free(&o.last);
}
END_TEST

START_TEST(test_send_needs_contact)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_reminder_outcome outcome;
    struct outbox o = OUTBOX_INIT(LIBRO_OK);
    libro_reminder *v;
    size_t n = 0;

    put_license("T-1", LIBRO_STATE_ACTIVE, 3 * DAY);
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    LIBRO_ASSERT_CODE(send_on(reg, &outcome, &v[0], NOW, &o, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "no contact");
    ck_assert_uint_eq(o.calls, 0);
    libro_reminders_free(v, n);
}
END_TEST

/* ---- claims: no lock held while sending, one send however many runs ---------------------- */

static libro_registry *
open_other(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;

    must(libro_registry_open(&r, fx.db_path, &err), &err, "open another handle");
    return r;
}

/* While the send is in progress: a write through another handle (it takes the write lock,
 * which it waits for at most the store's 5 s before failing busy). */
static void
write_meanwhile(struct outbox *o, const libro_reminder *rem)
{
    (void) rem;
    o->sending_seen = rows_in("sending");
    o->other_rc = libro_registry_contact_set(o->other, LIBRO_REMIND_LICENSE, "T-2", "bo@mail.test",
                                             NOW, &o->other_err);
}

START_TEST(test_write_during_send)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct outbox o = OUTBOX_INIT(LIBRO_OK);
    char *email = NULL;
    libro_reminder *v;
    size_t n = 0;

    put_contacted("T-1", 20 * DAY, "ada@mail.test");
    put_license("T-2", LIBRO_STATE_ACTIVE, 200 * DAY);
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    o.during = write_meanwhile;
    o.other = open_other();
    o.other_rc = LIBRO_ERR_INVALID_ARG;
    send_want(&v[0], NOW, &o, LIBRO_REMINDER_SENT);
    ck_assert_msg(o.other_rc == LIBRO_OK, "a write during the send: %d %s", o.other_rc,
                  o.other_err.msg);
    ck_assert_uint_eq(o.sending_seen, 1); /* the claim was committed before the send */
    must(libro_registry_contact_get(reg, &email, LIBRO_REMIND_LICENSE, "T-2", &err), &err, "get");
    ck_assert_str_eq(email, "bo@mail.test");
    ck_assert_uint_eq(rows_in("sending"), 0);
    ck_assert_uint_eq(rows_in("sent"), 1);
    libro_free(email);
    libro_registry_close(o.other);
    libro_reminders_free(v, n);
    libro_buf_free(&o.last);
}
END_TEST

/* While the send is in progress: another run sends the same reminder at o->other_now. */
static void
other_run_meanwhile(struct outbox *o, const libro_reminder *rem)
{
    o->other_rc =
        send_on(o->other, &o->other_outcome, rem, o->other_now, o->other_box, &o->other_err);
}

START_TEST(test_other_run_during_send)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct outbox b = OUTBOX_INIT(LIBRO_OK);
    struct outbox o = OUTBOX_INIT(LIBRO_OK);
    libro_reminder *v;
    size_t n = 0;

    put_contacted("T-1", 20 * DAY, "ada@mail.test");
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    o.during = other_run_meanwhile;
    o.other = open_other();
    o.other_box = &b;
    o.other_now = NOW + LIBRO_REMINDER_LEASE_SECONDS; /* the claim is as old as the lease */
    send_want(&v[0], NOW, &o, LIBRO_REMINDER_SENT);
    must(o.other_rc, &o.other_err, "the other run");
    ck_assert_int_eq(o.other_outcome, LIBRO_REMINDER_BEING_SENT);
    ck_assert_uint_eq(b.calls, 0);
    /* Once sent, the other run finds it sent. */
    o.during = NULL;
    must(send_on(o.other, &o.other_outcome, &v[0], NOW + 60, &b, &err), &err, "again");
    ck_assert_int_eq(o.other_outcome, LIBRO_REMINDER_ALREADY_SENT);
    ck_assert_uint_eq(b.calls, 0);
    ck_assert_uint_eq(o.calls, 1);
    ck_assert_uint_eq(sent_rows(), 1);
    libro_registry_close(o.other);
    libro_reminders_free(v, n);
    libro_buf_free(&o.last);
    libro_buf_free(&b.last);
}
END_TEST

/* A send that outlives the lease (a hung run): another run takes the claim over and sends;
 * the first run's mark, or the deletion after its failed send, then finds the claim not its
 * own and leaves the other run's record alone. */
START_TEST(test_claim_taken_over_during_send)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct outbox b = OUTBOX_INIT(LIBRO_OK);
    struct outbox o = OUTBOX_INIT(LIBRO_OK);
    libro_reminder_outcome outcome;
    libro_reminder *v;
    size_t n = 0;

    put_contacted("T-1", 20 * DAY, "ada@mail.test");
    put_contacted("T-2", 21 * DAY, "bo@mail.test");
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 2);
    o.during = other_run_meanwhile;
    o.other = open_other();
    o.other_box = &b;
    o.other_now = NOW + LIBRO_REMINDER_LEASE_SECONDS + 1;
    LIBRO_ASSERT_CODE(send_on(reg, &outcome, &v[0], NOW, &o, &err), LIBRO_ERR_EXISTS, &err,
                      "reminder sent, but another run took over its claim");
    must(o.other_rc, &o.other_err, "the other run");
    ck_assert_int_eq(o.other_outcome, LIBRO_REMINDER_SENT);
    ck_assert_uint_eq(b.calls, 1);
    ck_assert_uint_eq(rows_in("sent"), 1);

    o.answer = LIBRO_ERR_NETWORK;
    LIBRO_ASSERT_CODE(send_on(reg, &outcome, &v[1], NOW, &o, &err), LIBRO_ERR_NETWORK, &err,
                      "connection refused");
    ck_assert_int_eq(o.other_outcome, LIBRO_REMINDER_SENT);
    ck_assert_uint_eq(b.calls, 2);
    ck_assert_uint_eq(rows_in("sent"), 2); /* the other run's record stays */
    ck_assert_uint_eq(sent_rows(), 2);
    libro_registry_close(o.other);
    libro_reminders_free(v, n);
    libro_buf_free(&o.last);
    libro_buf_free(&b.last);
}
END_TEST

/* A run that died after its claim (before or after the send): the claim holds for the lease,
 * then the next run takes it over and sends. */
START_TEST(test_stale_claim_taken_over)
{
    struct outbox o = OUTBOX_INIT(LIBRO_OK);
    libro_reminder *v;
    char sql[512];
    size_t n = 0;

    put_contacted("T-1", 20 * DAY, "ada@mail.test");
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_gt(snprintf(sql, sizeof sql,
                              "INSERT INTO reminder_sent (kind, subject, due, threshold, recipient,"
                              " state, claim_token, claimed_at) VALUES (1, 'T-1', %lld, %d,"
                              " 'old@mail.test', 'sending', 'dead', %lld)",
                              (long long) v[0].due, v[0].threshold,
                              (long long) (NOW - LIBRO_REMINDER_LEASE_SECONDS)),
                     0);
    test_db_sql(fx.db_path, sql);
    libro_reminders_free(v, n);
    /* A claim is not a record of a send: still due, and listed. */
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    send_want(&v[0], NOW, &o, LIBRO_REMINDER_BEING_SENT); /* exactly the lease old: held */
    ck_assert_uint_eq(o.calls, 0);
    send_want(&v[0], NOW + 1, &o, LIBRO_REMINDER_SENT);
    ck_assert_uint_eq(o.calls, 1);
    ck_assert_uint_eq(rows_in("sent"), 1);
    ck_assert_int_eq(test_db_int(fx.db_path, "SELECT COUNT(*) FROM reminder_sent WHERE"
                                             " claim_token = 'dead' OR recipient <> 'ada@mail.test'"
                                             " OR sent_at <> claimed_at"),
                     0);
    libro_reminders_free(v, n);
    v = due_at(&n, NOW + 1);
    ck_assert_uint_eq(n, 0);
    libro_reminders_free(v, n);
    libro_buf_free(&o.last);
}
END_TEST

/* Two runs at the same time, each on its own handle and thread, each sending all that is due:
 * every reminder is sent exactly once. */
#define RUN_LICENSES 12

struct run {
    libro_registry *r;
    pthread_barrier_t *start;
    pthread_mutex_t *mu;
    size_t *per_license; /* sends per license, shared */
    size_t sent;
    size_t skipped;
    libro_code rc;
    libro_error err;
};

static libro_code
count_send(void *ctx, const libro_reminder *rem, libro_error *err)
{
    struct run *run = ctx;
    unsigned long i = strtoul(rem->subject + 2, NULL, 10);

    (void) err;
    pthread_mutex_lock(run->mu);
    if (i < RUN_LICENSES) {
        run->per_license[i]++;
    }
    pthread_mutex_unlock(run->mu);
    sched_yield(); /* let the other run try the same reminder meanwhile */
    return LIBRO_OK;
}

static void *
run_main(void *arg)
{
    struct run *run = arg;
    libro_reminder *v = NULL;
    size_t n = 0;
    size_t i;

    run->rc =
        libro_registry_reminders_due(run->r, &v, &n, days3, LIBRO_NELEM(days3), NOW, &run->err);
    pthread_barrier_wait(run->start);
    for (i = 0; run->rc == LIBRO_OK && i < n; i++) {
        libro_reminder_outcome outcome = (libro_reminder_outcome) 0;

        run->rc =
            libro_registry_reminder_send(run->r, &outcome, &v[i], NOW, count_send, run, &run->err);
        if (outcome == LIBRO_REMINDER_SENT) {
            run->sent++;
        } else {
            run->skipped++;
        }
    }
    libro_reminders_free(v, n);
    return NULL;
}

START_TEST(test_two_runs_at_once)
{
    pthread_barrier_t start;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    size_t per_license[RUN_LICENSES] = {0};
    struct run a = {NULL, &start, &mu, per_license, 0, 0, LIBRO_OK, LIBRO_ERROR_INIT};
    struct run b = a;
    pthread_t ta;
    pthread_t tb;
    char number[16];
    size_t i;

    for (i = 0; i < RUN_LICENSES; i++) {
        ck_assert_int_gt(snprintf(number, sizeof number, "C-%02zu", i), 0);
        put_contacted(number, (int64_t) (5 + i) * DAY, "c@mail.test");
    }
    a.r = open_other();
    b.r = open_other();
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, 2), 0);
    ck_assert_int_eq(pthread_create(&ta, NULL, run_main, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, run_main, &b), 0);
    ck_assert_int_eq(pthread_join(ta, NULL), 0);
    ck_assert_int_eq(pthread_join(tb, NULL), 0);
    ck_assert_int_eq(pthread_barrier_destroy(&start), 0);
    must(a.rc, &a.err, "run a");
    must(b.rc, &b.err, "run b");
    for (i = 0; i < RUN_LICENSES; i++) {
        ck_assert_msg(per_license[i] == 1, "C-%02zu sent %zu times", i, per_license[i]);
    }
    ck_assert_uint_eq(a.sent + b.sent, RUN_LICENSES);
    ck_assert_uint_eq(a.skipped + b.skipped, RUN_LICENSES);
    ck_assert_uint_eq(rows_in("sent"), RUN_LICENSES);
    libro_registry_close(a.r);
    libro_registry_close(b.r);
}
END_TEST

/* ---- the message -------------------------------------------------------------------------- */

START_TEST(test_message)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct outbox o = OUTBOX_INIT(LIBRO_OK);
    libro_reminder *v;
    size_t n = 0;
    const char *m;

    put_contacted("T-1", 80 * DAY, "ada@mail.test");
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    send_want(&v[0], NOW, &o, LIBRO_REMINDER_SENT);
    ck_assert_int_eq(libro_buf_append(&o.last, "", 1, &err), LIBRO_OK);
    m = (const char *) o.last.data;
    ck_assert_msg(strncmp(m, "Date: Tue, 01 Dec 2026 00:00:00 +0000\r\n", 39) == 0, "%s", m);
    ck_assert_ptr_nonnull(strstr(m, "\r\nFrom: <registry@town.test>\r\nTo: <ada@mail.test>\r\n"
                                    "Subject: License T-1 expires on 2027-02-19\r\n"
                                    "Message-ID: <"));
    ck_assert_ptr_nonnull(strstr(m, "@town.test>\r\nMIME-Version: 1.0\r\n"
                                    "Content-Type: text/plain; charset=UTF-8\r\n"));
    ck_assert_ptr_nonnull(strstr(m, "\r\n\r\nHello Ada Example,\r\n"));
    ck_assert_ptr_nonnull(
        strstr(m, "your license T-1 (type nursing-general) expires on 2027-02-19, in 80 days."));
    ck_assert_ptr_nonnull(
        strstr(m, "You can renew it from 2026-12-21 until it expires on 2027-02-19."));
    ck_assert_ptr_nonnull(strstr(m, "Renewal requires no recorded evidence."));
    ck_assert_ptr_null(strstr(m, "\n\n")); /* every line ends CRLF */
    libro_reminders_free(v, n);
    libro_buf_free(&o.last);
}
END_TEST

START_TEST(test_message_refuses_crlf)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_reminder *v;
    size_t n = 0;

    /* A number no credential could carry, written behind the registry's back. */
    put_license("T-1\r\nBcc: x@evil.test", LIBRO_STATE_ACTIVE, 3 * DAY);
    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, 1);
    v[0].to = sdup("ada@mail.test");
    LIBRO_ASSERT_CODE(libro_reminder_message(&out, &v[0], "registry@town.test", NOW, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "a CR or LF in the Subject header");
    LIBRO_ASSERT_CODE(
        libro_reminder_message(&out, &v[0], "registry@town.test\r\nBcc: y@e.test", NOW, &err),
        LIBRO_ERR_INVALID_ARG, &err, "e-mail address");
    libro_reminders_free(v, n);
    libro_buf_free(&out);
}
END_TEST

/* ---- contacts ----------------------------------------------------------------------------- */

static const struct {
    const char *addr;
    const char *msg; /* NULL: accepted */
} addrs[] = {
    {"ada@mail.test", NULL},
    {"a.b+c@x.y.test", NULL},
    {"a@b", NULL},
    {"ab", "want 3 to 254 bytes"},
    {"ada@mail.test\r\nBcc: x@evil.test", "control character"},
    {"ada mail@test", "control character"},
    {"ada@b@c", "more than one '@'"},
    {"ada.mail.test", "no '@'"},
    {"@mail.test", "want 1 to 64 bytes before '@'"},
    {"ada@", "the domain is empty"},
    {"ada@.test", "starts or ends with '.'"},
    {"ada@mail..test", "'..' in the domain"},
    {"<ada@mail.test>", "'<' is not allowed"},
    {"\"a\"@mail.test", "'\"' is not allowed"},
    {"ad\xc3\xa1@mail.test", "not ASCII"},
};

START_TEST(test_email_check)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc = libro_email_check(addrs[_i].addr, strlen(addrs[_i].addr), &err);

    if (addrs[_i].msg == NULL) {
        ck_assert_msg(rc == LIBRO_OK, "%s: %s", addrs[_i].addr, err.msg);
    } else {
        LIBRO_ASSERT_CODE(rc, LIBRO_ERR_INVALID_ARG, &err, addrs[_i].msg);
    }
}
END_TEST

START_TEST(test_email_limits)
{
    libro_error err = LIBRO_ERROR_INIT;
    char a[LIBRO_EMAIL_MAX_BYTES + 2];

    memset(a, 'a', sizeof a);
    a[64] = '@'; /* a local part of 64 bytes */
    ck_assert_int_eq(libro_email_check(a, LIBRO_EMAIL_MAX_BYTES, &err), LIBRO_OK);
    LIBRO_ASSERT_CODE(libro_email_check(a, LIBRO_EMAIL_MAX_BYTES + 1, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "want 3 to 254 bytes, got 255");
    a[64] = 'a';
    a[65] = '@'; /* 65 */
    LIBRO_ASSERT_CODE(libro_email_check(a, 100, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "want 1 to 64 bytes before '@'");
}
END_TEST

START_TEST(test_contacts)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *email = NULL;

    put_license("T-1", LIBRO_STATE_ACTIVE, 20 * DAY);
    LIBRO_ASSERT_CODE(libro_registry_contact_get(reg, &email, LIBRO_REMIND_LICENSE, "T-1", &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no contact recorded");
    must(libro_registry_contact_set(reg, LIBRO_REMIND_LICENSE, "T-1", "ada@mail.test", NOW, &err),
         &err, "set");
    must(libro_registry_contact_set(reg, LIBRO_REMIND_LICENSE, "T-1", "ada@new.test", NOW, &err),
         &err, "replace");
    must(libro_registry_contact_get(reg, &email, LIBRO_REMIND_LICENSE, "T-1", &err), &err, "get");
    ck_assert_str_eq(email, "ada@new.test");
    libro_free(email);
    LIBRO_ASSERT_CODE(
        libro_registry_contact_set(reg, LIBRO_REMIND_LICENSE, "T-2", "bo@mail.test", NOW, &err),
        LIBRO_ERR_NOT_FOUND, &err, "no license T-2");
    LIBRO_ASSERT_CODE(libro_registry_contact_set(reg, LIBRO_REMIND_MANDATE, "sha256:00",
                                                 "bo@mail.test", NOW, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no mandate sha256:00");
    LIBRO_ASSERT_CODE(
        libro_registry_contact_set(reg, LIBRO_REMIND_LICENSE, "T-1", "a\nb@mail.test", NOW, &err),
        LIBRO_ERR_INVALID_ARG, &err, "control character");
    LIBRO_ASSERT_CODE(
        libro_registry_contact_set(reg, (libro_reminder_kind) 9, "T-1", "bo@mail.test", NOW, &err),
        LIBRO_ERR_INVALID_ARG, &err, "unknown kind");
    must(libro_registry_contact_set(reg, LIBRO_REMIND_LICENSE, "T-1", NULL, NOW, &err), &err,
         "remove");
    LIBRO_ASSERT_CODE(libro_registry_contact_set(reg, LIBRO_REMIND_LICENSE, "T-1", NULL, NOW, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no contact recorded");
    /* Private: no log leaf names it. */
    ck_assert_int_eq(test_db_int(fx.db_path, "SELECT COUNT(*) FROM log_leaf"
                                             " WHERE data LIKE '%mail.test%'"),
                     0);
}
END_TEST

/* ---- mandates and laws -------------------------------------------------------------------- */

START_TEST(test_mandates_and_laws)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_law_record law = {0};
    libro_mandate_record *m = NULL;
    struct outbox o = OUTBOX_INIT(LIBRO_OK);
    libro_reminder *v;
    size_t n_m = 0;
    size_t n = 0;
    size_t i;

    /* Four mandates whose terms end in 20 days; one law whose review is in 80. */
    tl_roundtable(&fx, reg, NOW - 300 * DAY, NOW + 20 * DAY, NOW - 300 * DAY);
    memcpy(law.hash, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
           LIBRO_REGISTRY_HASH_SIZE);
    law.id = sdup("urn:libro:neighborhood-3:law:quiet-hours");
    law.version = 1;
    law.title = sdup("Quiet hours");
    law.aim = sdup("sleep");
    law.community = sdup(RT_COMMUNITY);
    law.adopted_at = NOW - 300 * DAY;
    law.review_at = NOW + 80 * DAY;
    law.consent_record = sdup("sha256:1");
    law.state = LIBRO_LAW_IN_FORCE;
    law.registered_at = NOW - 300 * DAY;
    law.credential = sdup("not.a.law");
    must(reg->store.ops->begin(reg->store.h, &err), &err, "begin");
    must(reg->store.ops->law_put(reg->store.h, &law, true, &err), &err, "law");
    must(reg->store.ops->commit(reg->store.h, &err), &err, "commit");

    must(libro_registry_roundtable(reg, &m, &n_m, NOW, &err), &err, "roundtable");
    ck_assert_uint_eq(n_m, RT_HOLDERS);
    must(libro_registry_contact_set(reg, LIBRO_REMIND_MANDATE, m[0].id, "chair@mail.test", NOW,
                                    &err),
         &err, "mandate contact");
    must(libro_registry_contact_set(reg, LIBRO_REMIND_LAW_REVIEWS, NULL, "council@mail.test", NOW,
                                    &err),
         &err, "law contact");

    v = due_at(&n, NOW);
    ck_assert_uint_eq(n, RT_HOLDERS + 1);
    for (i = 0; i < RT_HOLDERS; i++) {
        ck_assert_int_eq(v[i].kind, LIBRO_REMIND_MANDATE);
        ck_assert_int_eq(v[i].threshold, 30);
        ck_assert_int_eq(v[i].due, NOW + 20 * DAY);
        if (strcmp(v[i].subject, m[0].id) == 0) {
            ck_assert_str_eq(v[i].to, "chair@mail.test");
            send_want(&v[i], NOW, &o, LIBRO_REMINDER_SENT);
            ck_assert_int_eq(libro_buf_append(&o.last, "", 1, &err), LIBRO_OK);
            ck_assert_ptr_nonnull(strstr((const char *) o.last.data, "Subject: Your term as "));
        } else {
            ck_assert_ptr_null(v[i].to);
        }
    }
    ck_assert_int_eq(v[RT_HOLDERS].kind, LIBRO_REMIND_LAW_REVIEWS);
    ck_assert_str_eq(v[RT_HOLDERS].subject, law.id);
    ck_assert_str_eq(v[RT_HOLDERS].name, "Quiet hours");
    ck_assert_int_eq(v[RT_HOLDERS].threshold, 90);
    ck_assert_str_eq(v[RT_HOLDERS].to, "council@mail.test");
    send_want(&v[RT_HOLDERS], NOW, &o, LIBRO_REMINDER_SENT);
    ck_assert_int_eq(libro_buf_append(&o.last, "", 1, &err), LIBRO_OK);
    ck_assert_ptr_nonnull(strstr((const char *) o.last.data,
                                 "Subject: Law review due on 2027-02-19: "
                                 "urn:libro:neighborhood-3:law:quiet-hours\r\n"));
    libro_reminders_free(v, n);

    /* Sent ones are no longer due; the others still are; none once the term has ended. */
    v = due_at(&n, NOW + DAY);
    ck_assert_uint_eq(n, RT_HOLDERS - 1);
    libro_reminders_free(v, n);
    v = due_at(&n, NOW + 20 * DAY);
    ck_assert_uint_eq(n, 0);
    libro_reminders_free(v, n);
    libro_mandate_records_free(m, n_m);
    libro_law_record_clear(&law);
    libro_buf_free(&o.last);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("reminders");
    TCase *sched = tcase_create("schedule");
    TCase *once = tcase_create("once");
    TCase *claims = tcase_create("claims");
    TCase *contacts = tcase_create("contacts");
    TCase *limits = tcase_create("limits");

    tcase_add_checked_fixture(sched, setup, teardown);
    tcase_add_checked_fixture(once, setup, teardown);
    tcase_add_checked_fixture(claims, setup, teardown);
    tcase_add_checked_fixture(contacts, setup, teardown);
    tcase_add_test(sched, test_schedule);
    tcase_add_test(sched, test_mandates_and_laws);
    tcase_add_test(sched, test_bad_days);
    tcase_add_test(once, test_send_once);
    tcase_add_test(once, test_send_needs_contact);
    tcase_add_test(once, test_message);
    tcase_add_test(once, test_message_refuses_crlf);
    tcase_add_test(claims, test_write_during_send);
    tcase_add_test(claims, test_other_run_during_send);
    tcase_add_test(claims, test_claim_taken_over_during_send);
    tcase_add_test(claims, test_stale_claim_taken_over);
    tcase_add_test(claims, test_two_runs_at_once);
    tcase_add_test(contacts, test_contacts);
    tcase_add_loop_test(limits, test_email_check, 0, (int) LIBRO_NELEM(addrs));
    tcase_add_test(limits, test_email_limits);
    suite_add_tcase(s, sched);
    suite_add_tcase(s, once);
    suite_add_tcase(s, claims);
    suite_add_tcase(s, contacts);
    suite_add_tcase(s, limits);
    return s;
}
