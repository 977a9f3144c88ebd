/* Webhooks (libro/webhook.h), on each backend: subscriptions added, listed and removed with
 * their URL policy; a license leaf as a Standard Webhooks body and its v1a signature; delivery
 * passes at set times to a receiver on loopback that answers as each case scripts it: every
 * request signed, a 500 retried with the same webhook-id after the back-off and not before,
 * failures doubling the delay up to an hour and reading as failing after a day, a filter by
 * license number, and a lease held by another process respected until it runs out. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "../registry/src/webhook_int.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/watch.h"
#include "test_db.h"
#include "test_roundtable.h"
#include "test_util.h"

#define T0 INT64_C(1900000000)
#define REGISTRY_ID RT_COMMUNITY ":registry"
#define MAX_GOT 16
#define BIG_BODY 1 /* a scripted answer: 200 with a body over LIBRO_WEBHOOK_MAX_RESPONSE */

/* ---- a receiver on loopback --------------------------------------------------------------- */

typedef struct got {
    char id[96];
    char ts[32];
    char sig[128];
    char body[2048];
} got;

static struct {
    int fd;
    uint16_t port;
    pthread_t thread;
    pthread_mutex_t mu;
    int script[MAX_GOT]; /* the status of each request, in order (0 past the end: 200) */
    got got[MAX_GOT];
    size_t n;
} rx;

/* The value of header `name` in the head `h` (case as sent), copied into out. */
static void
header(char *out, size_t size, const char *h, const char *name)
{
    const char *p = strstr(h, name);
    size_t len;

    out[0] = '\0';
    if (p == NULL) {
        return;
    }
    p += strlen(name);
    len = strcspn(p, "\r\n");
    if (len < size) {
        memcpy(out, p, len);
        out[len] = '\0';
    }
}

static void
serve_one(int c)
{
    char buf[8192];
    char len_text[16];
    size_t have = 0;
    char *end = NULL;
    got g;
    int status;
    char reply[192];
    int n;

    memset(&g, 0, sizeof g);
    while (end == NULL && have < sizeof buf - 1) {
        ssize_t k = read(c, buf + have, sizeof buf - 1 - have);

        if (k <= 0) {
            return;
        }
        have += (size_t) k;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (end == NULL) {
        return;
    }
    *end = '\0';
    header(g.id, sizeof g.id, buf, "\nwebhook-id: ");
    header(g.ts, sizeof g.ts, buf, "\nwebhook-timestamp: ");
    header(g.sig, sizeof g.sig, buf, "\nwebhook-signature: ");
    header(len_text, sizeof len_text, buf, "\nContent-Length: ");
    {
        size_t want = (size_t) strtoul(len_text, NULL, 10);
        size_t body = have - (size_t) (end + 4 - buf);

        while (body < want && have < sizeof buf - 1) {
            ssize_t k = read(c, buf + have, sizeof buf - 1 - have);

            if (k <= 0) {
                return;
            }
            have += (size_t) k;
            body += (size_t) k;
        }
        if (want < sizeof g.body) {
            memcpy(g.body, end + 4, want);
            g.body[want] = '\0';
        }
    }
    pthread_mutex_lock(&rx.mu);
    status = rx.n < MAX_GOT && rx.script[rx.n] != 0 ? rx.script[rx.n] : 200;
    if (rx.n < MAX_GOT) {
        rx.got[rx.n++] = g;
    }
    pthread_mutex_unlock(&rx.mu);
    /* BIG_BODY: a 200 with a body one byte over what a delivery reads. */
    n = snprintf(reply, sizeof reply,
                 "HTTP/1.1 %d X\r\nContent-Length: %u\r\nLocation: http://127.0.0.1:%u/moved\r\n"
                 "Connection: close\r\n\r\n",
                 status == BIG_BODY ? 200 : status,
                 status == BIG_BODY ? LIBRO_WEBHOOK_MAX_RESPONSE + 1 : 2u, (unsigned) rx.port);
    if (n > 0 && write(c, reply, (size_t) n) == n) {
        if (status == BIG_BODY) {
            char big[LIBRO_WEBHOOK_MAX_RESPONSE + 1];

            memset(big, 'x', sizeof big);
            (void) !write(c, big, sizeof big);
        } else {
            (void) !write(c, "ok", 2);
        }
    }
}

static void *
receive(void *arg)
{
    (void) arg;
    for (;;) {
        int c = accept(rx.fd, NULL, NULL);

        if (c < 0) {
            return NULL; /* shut down */
        }
        serve_one(c);
        close(c);
    }
}

static uint16_t
listen_loopback(int *fd_out)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *) &a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *) &a, &alen), 0);
    *fd_out = fd;
    return ntohs(a.sin_port);
}

static void
rx_start(void)
{
    memset(rx.script, 0, sizeof rx.script);
    rx.n = 0;
    pthread_mutex_init(&rx.mu, NULL);
    rx.port = listen_loopback(&rx.fd);
    ck_assert_int_eq(listen(rx.fd, 8), 0);
    ck_assert_int_eq(pthread_create(&rx.thread, NULL, receive, NULL), 0);
}

static void
rx_stop(void)
{
    shutdown(rx.fd, SHUT_RDWR);
    pthread_join(rx.thread, NULL);
    close(rx.fd);
    pthread_mutex_destroy(&rx.mu);
}

/* ---- the fixture -------------------------------------------------------------------------- */

static rt_fixture f;
static libro_registry *reg;
static char url[64];

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    rt_setup(&f, T0 - 30 * 86400, T0 + 3000 * 86400, 0, "http://127.0.0.1");
    must(libro_registry_open(&reg, f.db_path, &err), &err, "open");
    rx_start();
    ck_assert_int_gt(snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", (unsigned) rx.port), 0);
}

static void
teardown(void)
{
    rx_stop();
    libro_registry_close(reg);
    reg = NULL;
    rt_teardown(&f);
}

/* Append `leaf` to the log as the registry's writes do (one write transaction). */
static uint64_t
append(const char *leaf)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t size = 0;

    must(reg->store.ops->begin(reg->store.h, &err), &err, "begin");
    must(reg->store.ops->log_size(reg->store.h, &size, &err), &err, "size");
    must(reg->store.ops->log_leaf_put(reg->store.h, size, leaf, &err), &err, "leaf");
    must(reg->store.ops->commit(reg->store.h, &err), &err, "commit");
    return size;
}

#define REVOKE_N1                                                                                  \
    "{\"type\":\"license\",\"at\":\"2030-03-17T17:46:40Z\",\"license\":\"T7-N-0001\","             \
    "\"action\":\"revoke\",\"from\":\"active\",\"to\":\"revoked\",\"version\":1,"                  \
    "\"actor\":\"Dr. Kim\",\"reason\":\"reported by a patient\",\"category\":\"conduct\"}"
#define SUSPEND_N2                                                                                 \
    "{\"type\":\"license\",\"at\":\"2030-03-17T17:50:00Z\",\"license\":\"T7-N-0002\","             \
    "\"action\":\"suspend\",\"from\":\"active\",\"to\":\"suspended\",\"version\":2,"               \
    "\"actor\":\"board\",\"reason\":\"\"}"
#define PROMOTE_N2                                                                                 \
    "{\"type\":\"license\",\"at\":\"2030-03-17T17:48:00Z\",\"license\":\"T7-N-0002\","             \
    "\"action\":\"promote\",\"from\":\"active\",\"to\":\"active\",\"version\":1,"                  \
    "\"actor\":\"board\",\"reason\":\"\"}"
#define TYPE_LEAF "{\"type\":\"license_type\",\"at\":\"2030-03-17T17:00:00Z\",\"id\":\"nursing\"}"

static libro_webhook
only_webhook(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook *w = NULL;
    libro_webhook one;
    size_t n = 0;

    must(libro_webhook_list(&w, &n, reg, &err), &err, "list");
    ck_assert_uint_eq(n, 1);
    one = w[0];
    libro_free(w);
    return one;
}

static uint64_t
tl_size(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t size = 0;

    must(reg->store.ops->log_size(reg->store.h, &size, &err), &err, "size");
    return size;
}

static unsigned
pass_at(const char *owner, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook_pass p = {f.registry_key, REGISTRY_ID, owner, 5, NULL, NULL, NULL, NULL};
    unsigned sent = 0;

    must(libro_webhook__deliver(reg, &p, now, &sent, &err), &err, "deliver");
    return sent;
}

/* The i-th request the receiver got, checked: its signature by the registry key over
 * "<id>.<timestamp>.<body>". */
static const got *
checked(size_t i)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_buf content = LIBRO_BUF_INIT;
    const got *g;

    ck_assert_uint_lt(i, rx.n);
    g = &rx.got[i];
    ck_assert_msg(strncmp(g->sig, "v1a,", 4) == 0, "signature %s", g->sig);
    must(libro_b64std_decode(&sig, g->sig + 4, strlen(g->sig + 4), &err), &err, "b64");
    must(libro_buf_printf(&content, &err, "%s.%s.%s", g->id, g->ts, g->body), &err, "content");
    must(libro_key_verify(f.registry_key, content.data, content.len, sig.data, sig.len, &err), &err,
         "signature");
    libro_buf_free(&sig);
    libro_buf_free(&content);
    return g;
}

/* ---- subscriptions ------------------------------------------------------------------------ */

START_TEST(test_add_list_remove)
{
    static const char *const two[] = {"T7-N-0002", "T7-N-0001"};
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook *w = NULL;
    char *a = NULL;
    char *b = NULL;
    size_t n = 0;
    uint64_t size = append(TYPE_LEAF) + 1;

    must(libro_webhook_add(&a, reg, url, NULL, 0, false, 0, T0, &err), &err, "add all");
    must(libro_webhook_add(&b, reg, "https://hr.example/libro?k=1", two, 2, false, 0, T0 + 1, &err),
         &err, "add two");
    ck_assert_uint_eq(strlen(a), LIBRO_WEBHOOK_ID_MAX);
    ck_assert_str_ne(a, b);
    must(libro_webhook_list(&w, &n, reg, &err), &err, "list");
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(w[0].id, a);
    ck_assert_str_eq(w[0].url, url);
    ck_assert_ptr_null(w[0].licenses);
    ck_assert_uint_eq(w[0].cursor, size); /* from now on */
    ck_assert_int_eq(w[0].created_at, T0);
    ck_assert_str_eq(libro_webhook_state(&w[0], T0), "ok");
    ck_assert_uint_eq(w[0].expiring_within, 0);
    ck_assert_int_eq(w[0].expiry_checked_at, 0);
    ck_assert_str_eq(w[1].licenses, "T7-N-0002 T7-N-0001");
    ck_assert_str_eq(w[1].url, "https://hr.example/libro?k=1");
    libro_webhooks_free(w, n);
    must(libro_webhook_remove(reg, a, &err), &err, "remove");
    LIBRO_ASSERT_CODE(libro_webhook_remove(reg, a, &err), LIBRO_ERR_NOT_FOUND, &err, "no webhook");
    must(libro_webhook_list(&w, &n, reg, &err), &err, "list");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(w[0].id, b);
    libro_webhooks_free(w, n);
    libro_free(a);
    libro_free(b);
}
END_TEST

static const struct {
    const char *name;
    const char *url;
    bool insecure;
    const char *number;
    libro_code want;
    const char *msg;
} bad[] = {
    {"http elsewhere", "http://10.0.0.1/x", false, NULL, LIBRO_ERR_DENIED, "plain http"},
    {"userinfo", "https://u:p@hr.example/", false, NULL, LIBRO_ERR_DENIED, "userinfo"},
    {"userinfo, insecure", "http://u:p@hr.example/", true, NULL, LIBRO_ERR_DENIED, "userinfo"},
    {"fragment", "https://hr.example/#x", false, NULL, LIBRO_ERR_DENIED, "fragment"},
    {"scheme", "ftp://hr.example/", false, NULL, LIBRO_ERR_DENIED, "not allowed"},
    {"space", "https://hr.example/a b", false, NULL, LIBRO_ERR_INVALID_ARG, "space"},
    {"number", "https://hr.example/", false, "T7 N 1", LIBRO_ERR_INVALID_ARG, "malformed"},
    {"twice", "https://hr.example/", false, "T7-N-0001", LIBRO_ERR_INVALID_ARG, "named twice"},
};

START_TEST(test_add_refuses)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *numbers[2] = {bad[_i].number, bad[_i].number};
    size_t n_numbers = bad[_i].number == NULL ? 0 : strcmp(bad[_i].name, "twice") == 0 ? 2 : 1;
    libro_webhook *w = NULL;
    size_t n = 1;
    char *id = NULL;

    LIBRO_ASSERT_CODE(
        libro_webhook_add(&id, reg, bad[_i].url, numbers, n_numbers, bad[_i].insecure, 0, T0, &err),
        bad[_i].want, &err, bad[_i].msg);
    ck_assert_ptr_null(id);
    must(libro_webhook_list(&w, &n, reg, &err), &err, "list");
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_expiry_horizon)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *id = NULL;

    LIBRO_ASSERT_CODE(libro_webhook_add(&id, reg, url, NULL, 0, false,
                                        LIBRO_WEBHOOK_MAX_EXPIRING_DAYS + 1, T0, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "0 to 3660 days");
    ck_assert_ptr_null(id);
    must(
        libro_webhook_add(&id, reg, url, NULL, 0, false, LIBRO_WEBHOOK_MAX_EXPIRING_DAYS, T0, &err),
        &err, "add");
    {
        libro_webhook w = only_webhook();

        ck_assert_uint_eq(w.expiring_within, LIBRO_WEBHOOK_MAX_EXPIRING_DAYS);
        libro_webhook_clear(&w);
    }
    libro_free(id);
}
END_TEST

START_TEST(test_insecure_http_allowed)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *id = NULL;

    must(libro_webhook_add(&id, reg, "http://10.0.0.1/x", NULL, 0, true, 0, T0, &err), &err, "add");
    {
        libro_webhook w = only_webhook();

        ck_assert(w.insecure_http);
        libro_webhook_clear(&w);
    }
    libro_free(id);
}
END_TEST

/* ---- events and signatures ---------------------------------------------------------------- */

/* The events' cases need only the registry key. */
static void
setup_key(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    memset(&f, 0, sizeof f);
    must(libro_key_generate(&f.registry_key, LIBRO_ALG_ED25519, &err), &err, "key");
}

static void
teardown_key(void)
{
    libro_key_free(f.registry_key);
    f.registry_key = NULL;
}

START_TEST(test_event_body)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf body = LIBRO_BUF_INIT;
    bool match = false;

    must(libro_webhook__event(&body, &match, NULL, REVOKE_N1, strlen(REVOKE_N1), 7, REGISTRY_ID,
                              &err),
         &err, "event");
    ck_assert(match);
    /* Never the actor or the free-text reason. */
    ck_assert_str_eq((const char *) body.data,
                     "{\"type\":\"license.revoked\",\"timestamp\":\"2030-03-17T17:46:40Z\","
                     "\"data\":{\"license\":\"T7-N-0001\",\"action\":\"revoke\","
                     "\"status\":\"revoked\",\"version\":1,"
                     "\"registry\":\"" REGISTRY_ID "\",\"leaf\":7,\"category\":\"conduct\"}}");
    body.len = 0;
    must(libro_webhook__event(&body, &match, "T7-N-0002 T7-N-0003", REVOKE_N1, strlen(REVOKE_N1), 7,
                              REGISTRY_ID, &err),
         &err, "filtered");
    ck_assert(!match);
    ck_assert_uint_eq(body.len, 0);
    must(libro_webhook__event(&body, &match, "T7-N-0001", REVOKE_N1, strlen(REVOKE_N1), 7,
                              REGISTRY_ID, &err),
         &err, "followed");
    ck_assert(match);
    body.len = 0;
    must(libro_webhook__event(&body, &match, NULL, TYPE_LEAF, strlen(TYPE_LEAF), 1, REGISTRY_ID,
                              &err),
         &err, "type leaf");
    ck_assert(!match);
    LIBRO_ASSERT_CODE(
        libro_webhook__event(&body, &match, NULL, "{\"type\":", 8, 3, REGISTRY_ID, &err),
        LIBRO_ERR_PARSE, &err, NULL);
    libro_buf_free(&body);
}
END_TEST

START_TEST(test_expiry_event_body)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf body = LIBRO_BUF_INIT;
    libro_buf hex = LIBRO_BUF_INIT;
    char id[LIBRO_WEBHOOK__MSG_ID_MAX];
    char again[LIBRO_WEBHOOK__MSG_ID_MAX];
    char renewed[LIBRO_WEBHOOK__MSG_ID_MAX];
    unsigned char digest[32];
    static const char key[] = "T7-N-0001.1900864000";

    must(
        libro_webhook__expiry_event(&body, id, "T7-N-0001", T0 + 10 * 86400, T0, REGISTRY_ID, &err),
        &err, "event");
    ck_assert_str_eq((const char *) body.data,
                     "{\"type\":\"license.expiring\",\"timestamp\":\"2030-03-17T17:46:40Z\","
                     "\"data\":{\"license\":\"T7-N-0001\",\"validUntil\":"
                     "\"2030-03-27T17:46:40Z\",\"status\":\"active\",\"registry\":\"" REGISTRY_ID
                     "\"}}");
    /* exp_ and the SHA-256 of "<license>.<validUntil>": the same for every subscription, pass
     * and retry; another validUntil (a renewal) is another event. */
    must(libro_sha256(digest, key, strlen(key), &err), &err, "sha");
    must(libro_hex_encode(&hex, digest, sizeof digest, &err), &err, "hex");
    ck_assert_int_eq(strncmp(id, "exp_", 4), 0);
    ck_assert_str_eq(id + 4, (const char *) hex.data);
    body.len = 0;
    must(libro_webhook__expiry_event(&body, again, "T7-N-0001", T0 + 10 * 86400, T0 + 999,
                                     REGISTRY_ID, &err),
         &err, "later");
    ck_assert_str_eq(again, id);
    must(libro_webhook__expiry_event(&body, renewed, "T7-N-0001", T0 + 375 * 86400, T0, REGISTRY_ID,
                                     &err),
         &err, "renewed");
    ck_assert_str_ne(renewed, id);
    libro_buf_free(&hex);
    libro_buf_free(&body);
}
END_TEST

/* The one "upcoming expiry" rule, which libro watch and license.expiring share. */
START_TEST(test_expiry_rule)
{
    static const int64_t within = 30 * 86400;

    ck_assert(libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, T0 + within, T0, within));
    ck_assert(!libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, T0 + within + 1, T0, within));
    ck_assert(libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, T0, T0, within));
    ck_assert(libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, T0 - 1, T0, within));
    ck_assert(!libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, T0 + 1, T0, 0));
    ck_assert(!libro_watch_expiry_upcoming(LIBRO_STATE_SUSPENDED, T0 + 1, T0, within));
    ck_assert(!libro_watch_expiry_upcoming(LIBRO_STATE_EXPIRED, T0 + 1, T0, within));
    ck_assert(!libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, 0, T0, within));
    ck_assert(!libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, T0 + 1, T0, -1));
    ck_assert(libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, INT64_MAX, INT64_MAX - 1, 1));
    ck_assert(!libro_watch_expiry_upcoming(LIBRO_STATE_ACTIVE, INT64_MAX, INT64_MIN, INT64_MAX));
}
END_TEST

START_TEST(test_signature_and_key)
{
    static const char body[] = "{\"type\":\"license.revoked\"}";
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_buf whpk = LIBRO_BUF_INIT;
    libro_buf pub = LIBRO_BUF_INIT;
    libro_key *es = NULL;
    static const char content[] = "msg_3.1900000000.{\"type\":\"license.revoked\"}";

    must(libro_webhook__signature(&sig, f.registry_key, "msg_3", T0, body, strlen(body), &err),
         &err, "sign");
    ck_assert_int_eq(strncmp((const char *) sig.data, "v1a,", 4), 0);
    must(libro_b64std_decode(&raw, (const char *) sig.data + 4, sig.len - 4, &err), &err, "b64");
    ck_assert_uint_eq(raw.len, 64);
    must(libro_key_verify(f.registry_key, content, strlen(content), raw.data, raw.len, &err), &err,
         "verify");
    LIBRO_ASSERT_CODE(
        libro_key_verify(f.registry_key, content, strlen(content) - 1, raw.data, raw.len, &err),
        LIBRO_ERR_BAD_SIGNATURE, &err, NULL);
    must(libro_webhook_public_key(&whpk, f.registry_key, &err), &err, "whpk");
    ck_assert_int_eq(strncmp((const char *) whpk.data, "whpk_", 5), 0);
    libro_buf_free(&raw);
    must(libro_b64std_decode(&raw, (const char *) whpk.data + 5, whpk.len - 5, &err), &err, "b64");
    must(libro_key_raw_public(&pub, f.registry_key, &err), &err, "raw");
    ck_assert_uint_eq(raw.len, 32);
    ck_assert_mem_eq(raw.data, pub.data, 32);
    must(libro_key_generate(&es, LIBRO_ALG_ES256, &err), &err, "es256");
    whpk.len = 0;
    LIBRO_ASSERT_CODE(libro_webhook_public_key(&whpk, es, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "Ed25519");
    libro_key_free(es);
    libro_buf_free(&pub);
    libro_buf_free(&whpk);
    libro_buf_free(&raw);
    libro_buf_free(&sig);
}
END_TEST

START_TEST(test_backoff)
{
    static const struct {
        unsigned base;
        uint32_t attempts;
        int64_t want;
    } cases[] = {{5, 1, 5},
                 {5, 2, 10},
                 {5, 3, 20},
                 {5, 10, 2560},
                 {5, 11, 3600},
                 {5, 1000, 3600},
                 {5, UINT32_MAX, 3600},
                 {1, 1, 1},
                 {3600, 1, 3600},
                 {3600, 9, 3600}};

    for (size_t i = 0; i < LIBRO_NELEM(cases); i++) {
        ck_assert_int_eq(libro_webhook__backoff(cases[i].base, cases[i].attempts), cases[i].want);
    }
}
END_TEST

/* ---- delivery ----------------------------------------------------------------------------- */

START_TEST(test_deliver_retry_same_id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook w;
    char *id = NULL;
    uint64_t first;

    must(libro_webhook_add(&id, reg, url, NULL, 0, false, 0, T0, &err), &err, "add");
    ck_assert_uint_eq(pass_at("me", T0), 0); /* nothing in the log yet */
    ck_assert_uint_eq(rx.n, 0);
    first = append(REVOKE_N1);
    append(TYPE_LEAF);
    append(SUSPEND_N2);
    rx.script[0] = 500;

    ck_assert_uint_eq(pass_at("me", T0 + 10), 0);
    ck_assert_uint_eq(rx.n, 1);
    w = only_webhook();
    ck_assert_uint_eq(w.cursor, first);
    ck_assert_uint_eq(w.attempts, 1);
    ck_assert_int_eq(w.next_at, T0 + 15);
    ck_assert_int_eq(w.failing_since, T0 + 10);
    ck_assert_str_eq(w.last_error, "the endpoint answered 500");
    ck_assert_ptr_null(w.lease_owner); /* let go after the pass */
    ck_assert_str_eq(libro_webhook_state(&w, T0 + 10), "retrying");
    libro_webhook_clear(&w);

    ck_assert_uint_eq(pass_at("me", T0 + 14), 0); /* not before the back-off */
    ck_assert_uint_eq(rx.n, 1);
    ck_assert_uint_eq(pass_at("me", T0 + 15), 2);
    ck_assert_uint_eq(rx.n, 3);
    ck_assert_str_eq(checked(0)->id, checked(1)->id); /* the retry: the same message */
    ck_assert_str_eq(checked(0)->body, checked(1)->body);
    ck_assert_str_eq(checked(0)->ts, "1900000010");
    ck_assert_str_eq(checked(1)->ts, "1900000015");
    ck_assert_int_eq(strncmp(checked(1)->id, "msg_", 4), 0);
    ck_assert_ptr_nonnull(strstr(checked(1)->body, "\"type\":\"license.revoked\""));
    ck_assert_ptr_nonnull(strstr(checked(2)->body, "\"type\":\"license.suspended\""));
    ck_assert_str_ne(checked(1)->id, checked(2)->id);
    w = only_webhook();
    ck_assert_uint_eq(w.cursor, first + 3);
    ck_assert_uint_eq(w.cursor, tl_size());
    ck_assert_uint_eq(w.attempts, 0);
    ck_assert_int_eq(w.failing_since, 0);
    ck_assert_ptr_null(w.last_error);
    ck_assert_str_eq(libro_webhook_state(&w, T0 + 15), "ok");
    libro_webhook_clear(&w);
    ck_assert_uint_eq(pass_at("me", T0 + 100), 0); /* each event once */
    ck_assert_uint_eq(rx.n, 3);
    libro_free(id);
}
END_TEST

/* A redirect is not followed, and a 2xx whose body is over 4 KiB is not a success: each is
 * retried, with the same webhook-id, until a plain 2xx. */
START_TEST(test_answers_that_fail)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook w;
    char *id = NULL;

    must(libro_webhook_add(&id, reg, url, NULL, 0, false, 0, T0, &err), &err, "add");
    append(REVOKE_N1);
    rx.script[0] = 302;
    rx.script[1] = BIG_BODY;
    ck_assert_uint_eq(pass_at("me", T0), 0);
    w = only_webhook();
    ck_assert_str_eq(w.last_error, "the endpoint answered 302");
    libro_webhook_clear(&w);
    ck_assert_uint_eq(pass_at("me", T0 + 5), 0);
    w = only_webhook();
    ck_assert_uint_eq(w.attempts, 2);
    ck_assert_ptr_nonnull(strstr(w.last_error, "over the cap of 4096 bytes"));
    ck_assert_int_eq(w.next_at, T0 + 15);
    libro_webhook_clear(&w);
    ck_assert_uint_eq(pass_at("me", T0 + 15), 1);
    ck_assert_uint_eq(rx.n, 3); /* the Location, this receiver, never asked */
    ck_assert_str_eq(checked(0)->id, checked(2)->id);
    ck_assert_str_eq(checked(1)->id, checked(2)->id);
    libro_free(id);
}
END_TEST

/* Two subscriptions in one pass, one claimed after the other: the one of a single license
 * gets only its events. */
START_TEST(test_filter_by_license)
{
    static const char *const n2[] = {"T7-N-0002"};
    libro_error err = LIBRO_ERROR_INIT;
    char all_url[80];
    char *id = NULL;
    char *all = NULL;

    ck_assert_int_gt(snprintf(all_url, sizeof all_url, "%s?all", url), 0);
    must(libro_webhook_add(&id, reg, url, n2, 1, false, 0, T0, &err), &err, "add");
    must(libro_webhook_add(&all, reg, all_url, NULL, 0, false, 0, T0 + 1, &err), &err, "add all");
    append(REVOKE_N1);
    append(PROMOTE_N2); /* an action this version does not know: skipped */
    append(SUSPEND_N2);
    ck_assert_uint_eq(pass_at("me", T0), 3);
    ck_assert_uint_eq(rx.n, 3);
    /* The one-license subscription is the older: delivered first. */
    ck_assert_ptr_nonnull(strstr(checked(0)->body, "\"license.suspended\""));
    ck_assert_ptr_nonnull(strstr(checked(1)->body, "\"license.revoked\""));
    ck_assert_ptr_nonnull(strstr(checked(2)->body, "\"license.suspended\""));
    ck_assert_uint_eq(pass_at("me", T0 + 1), 0);
    libro_free(all);
    libro_free(id);
}
END_TEST

START_TEST(test_dead_endpoint_backs_off_then_fails)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook w;
    char dead[64];
    char *id = NULL;
    int fd = -1;
    int64_t now = T0;
    int64_t last_delay = 0;
    uint16_t port = listen_loopback(&fd);

    close(fd); /* bound once, now nobody listens there */
    ck_assert_int_gt(snprintf(dead, sizeof dead, "http://127.0.0.1:%u/", (unsigned) port), 0);
    must(libro_webhook_add(&id, reg, dead, NULL, 0, false, 0, T0, &err), &err, "add");
    append(REVOKE_N1);
    for (uint32_t attempt = 1; attempt <= 12; attempt++) {
        ck_assert_uint_eq(pass_at("me", now), 0);
        w = only_webhook();
        ck_assert_uint_eq(w.attempts, attempt);
        ck_assert_int_eq(w.next_at - now, libro_webhook__backoff(5, attempt));
        ck_assert_int_ge(w.next_at - now, last_delay);
        ck_assert_int_eq(w.failing_since, T0);
        ck_assert_ptr_nonnull(w.last_error);
        last_delay = w.next_at - now;
        now = w.next_at;
        libro_webhook_clear(&w);
    }
    ck_assert_int_eq(last_delay, LIBRO_WEBHOOK_MAX_BACKOFF);
    w = only_webhook();
    ck_assert_str_eq(libro_webhook_state(&w, T0 + LIBRO_WEBHOOK_FAILING_AFTER - 1), "retrying");
    ck_assert_str_eq(libro_webhook_state(&w, T0 + LIBRO_WEBHOOK_FAILING_AFTER), "failing");
    libro_webhook_clear(&w);
    libro_free(id);
}
END_TEST

START_TEST(test_lease_of_another_process)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook w;
    char *id = NULL;

    must(libro_webhook_add(&id, reg, url, NULL, 0, false, 0, T0, &err), &err, "add");
    append(REVOKE_N1);
    w = only_webhook();
    w.lease_owner = libro_strndup("other", 5);
    w.lease_until = T0 + 100;
    must(reg->store.ops->webhook_put(reg->store.h, &w, false, &err), &err, "lease");
    libro_webhook_clear(&w);
    ck_assert_uint_eq(pass_at("me", T0 + 99), 0);
    ck_assert_uint_eq(rx.n, 0);
    ck_assert_uint_eq(pass_at("other", T0 + 99), 1); /* its own lease */
    ck_assert_uint_eq(rx.n, 1);
    append(SUSPEND_N2);
    w = only_webhook();
    w.lease_owner = libro_strndup("other", 5);
    w.lease_until = T0 + 200;
    must(reg->store.ops->webhook_put(reg->store.h, &w, false, &err), &err, "lease");
    libro_webhook_clear(&w);
    ck_assert_uint_eq(pass_at("me", T0 + 200), 1); /* ran out: taken over */
    ck_assert_uint_eq(rx.n, 2);
    libro_free(id);
}
END_TEST

/* ---- upcoming expiry ---------------------------------------------------------------------- */

#define DAY INT64_C(86400)

/* A license row as issuing writes one (no log leaf: the expiry walk reads the license table):
 * in `state`, valid until `until`, in status slot `index`. */
static void
put_license(const char *number, uint32_t index, libro_license_state state, int64_t until)
{
    static const libro_license_type type = {(char *) (uintptr_t) "nursing", 365, 30, 30, NULL, 0,
                                            LIBRO_RENEWAL_FROM_EXPIRY};
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record r;

    memset(&r, 0, sizeof r);
    r.number = (char *) (uintptr_t) number;
    r.version = 1;
    r.state = state;
    r.license_type = type.id;
    r.holder_name = (char *) (uintptr_t) "Ada Example";
    r.issuer = (char *) (uintptr_t) "urn:libro:town-7:board";
    r.valid_from = until - 365 * DAY;
    r.valid_until = until;
    r.status_index = index;
    r.credential = (char *) (uintptr_t) "jws.of.license";
    must(reg->store.ops->begin(reg->store.h, &err), &err, "begin");
    must(reg->store.ops->type_put(reg->store.h, &type, "", "test", &err), &err, "type");
    must(reg->store.ops->slot_reserve(reg->store.h, LIBRO_SPACE_LICENSES, 0, index, &err), &err,
         "slot");
    must(reg->store.ops->license_put(reg->store.h, &r, true, &err), &err, "license");
    must(reg->store.ops->commit(reg->store.h, &err), &err, "commit");
}

/* A renewal as the store holds it: the next version, valid until `until`. */
static void
renew_to(const char *number, int64_t until)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record r;

    memset(&r, 0, sizeof r);
    must(reg->store.ops->begin(reg->store.h, &err), &err, "begin");
    must(reg->store.ops->license_get(reg->store.h, &r, number, &err), &err, "get");
    r.version++;
    r.valid_until = until;
    must(reg->store.ops->license_put(reg->store.h, &r, false, &err), &err, "renew");
    must(reg->store.ops->commit(reg->store.h, &err), &err, "commit");
    libro_license_record_clear(&r);
}

/* The value of "key":"..." in the i-th request's body, checked (signature), into out. */
static const char *
body_text(char *out, size_t size, size_t i, const char *key)
{
    const char *p = strstr(checked(i)->body, key);
    size_t len;

    ck_assert_msg(p != NULL, "no %s in %s", key, rx.got[i].body);
    p += strlen(key);
    len = strcspn(p, "\"");
    ck_assert_uint_lt(len, size);
    memcpy(out, p, len);
    out[len] = '\0';
    return out;
}

START_TEST(test_expiring_sent_once_and_after_renewal)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *id = NULL;
    char *none = NULL;
    char text[96];
    char first[96];
    bool sent = true;

    put_license("T7-N-0001", 1, LIBRO_STATE_ACTIVE, T0 + 10 * DAY);
    put_license("T7-N-0002", 2, LIBRO_STATE_ACTIVE, T0 + 40 * DAY);   /* outside 30 days */
    put_license("T7-N-0003", 3, LIBRO_STATE_SUSPENDED, T0 + 5 * DAY); /* not active */
    must(libro_webhook_add(&id, reg, url, NULL, 0, false, 30, T0, &err), &err, "add");
    must(libro_webhook_add(&none, reg, "https://hr.example/none", NULL, 0, false, 0, T0 + 1, &err),
         &err, "add without a horizon");
    ck_assert_uint_eq(pass_at("me", T0), 1);
    ck_assert_uint_eq(rx.n, 1);
    ck_assert_str_eq(body_text(text, sizeof text, 0, "\"type\":\""), "license.expiring");
    ck_assert_str_eq(body_text(text, sizeof text, 0, "\"license\":\""), "T7-N-0001");
    ck_assert_str_eq(body_text(text, sizeof text, 0, "\"validUntil\":\""), "2030-03-27T17:46:40Z");
    ck_assert_int_eq(strncmp(rx.got[0].id, "exp_", 4), 0);
    memcpy(first, rx.got[0].id, sizeof first);
    {
        libro_webhook *w = NULL;
        size_t n = 0;

        must(libro_webhook_list(&w, &n, reg, &err), &err, "list");
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(w[0].expiry_checked_at, T0); /* the walk ended */
        ck_assert_int_eq(w[1].expiry_checked_at, 0);  /* no horizon: never walked */
        ck_assert_ptr_null(w[0].lease_owner);
        libro_webhooks_free(w, n);
    }
    must(reg->store.ops->webhook_expiry_sent(reg->store.h, &sent, id, "T7-N-0001", T0 + 10 * DAY,
                                             &err),
         &err, "recorded");
    ck_assert(sent);
    /* Not walked again within the minute; walked after it, and nothing is sent twice. */
    ck_assert_uint_eq(pass_at("me", T0 + 59), 0);
    ck_assert_uint_eq(pass_at("other", T0 + 61), 0);
    ck_assert_uint_eq(rx.n, 1);
    {
        libro_webhook w;
        libro_webhook *all = NULL;
        size_t n = 0;

        must(libro_webhook_list(&all, &n, reg, &err), &err, "list");
        w = all[0];
        ck_assert_int_eq(w.expiry_checked_at, T0 + 61);
        libro_webhooks_free(all, n);
    }
    /* T7-N-0002 comes within 30 days: sent; its first answer a 500, retried with its id. */
    rx.script[1] = 500;
    ck_assert_uint_eq(pass_at("me", T0 + 10 * DAY + 1000), 0);
    ck_assert_uint_eq(rx.n, 2);
    ck_assert_str_eq(body_text(text, sizeof text, 1, "\"license\":\""), "T7-N-0002");
    ck_assert_uint_eq(pass_at("me", T0 + 10 * DAY + 1004), 0); /* the back-off: 5 s */
    ck_assert_uint_eq(pass_at("me", T0 + 10 * DAY + 1005), 1);
    ck_assert_uint_eq(rx.n, 3);
    ck_assert_str_eq(rx.got[2].id, rx.got[1].id);
    ck_assert_str_ne(rx.got[2].id, first);
    /* Renewed: its new validUntil is far; a year later it comes within the horizon again,
     * a new event with a new id; the old record was forgotten on the way. */
    renew_to("T7-N-0001", T0 + 375 * DAY);
    ck_assert_uint_eq(pass_at("me", T0 + 11 * DAY), 0);
    ck_assert_uint_eq(pass_at("me", T0 + 350 * DAY), 1);
    ck_assert_uint_eq(rx.n, 4);
    ck_assert_str_eq(body_text(text, sizeof text, 3, "\"license\":\""), "T7-N-0001");
    ck_assert_str_eq(body_text(text, sizeof text, 3, "\"validUntil\":\""), "2031-03-27T17:46:40Z");
    ck_assert_str_ne(rx.got[3].id, first);
    ck_assert_uint_eq(pass_at("me", T0 + 351 * DAY), 0);
    must(reg->store.ops->webhook_expiry_sent(reg->store.h, &sent, id, "T7-N-0001", T0 + 10 * DAY,
                                             &err),
         &err, "forgotten");
    ck_assert(!sent);
    /* Removing the subscription removes its records. */
    must(libro_webhook_remove(reg, id, &err), &err, "remove");
    must(reg->store.ops->webhook_expiry_sent(reg->store.h, &sent, id, "T7-N-0001", T0 + 375 * DAY,
                                             &err),
         &err, "removed");
    ck_assert(!sent);
    libro_free(none);
    libro_free(id);
}
END_TEST

/* A subscription to one license is told only of its expiry, and a log event goes first. */
START_TEST(test_expiring_filter_and_order)
{
    static const char *const n2[] = {"T7-N-0002"};
    libro_error err = LIBRO_ERROR_INIT;
    char *id = NULL;
    char text[64];

    put_license("T7-N-0001", 1, LIBRO_STATE_ACTIVE, T0 + 1 * DAY);
    put_license("T7-N-0002", 2, LIBRO_STATE_ACTIVE, T0 + 2 * DAY);
    must(libro_webhook_add(&id, reg, url, n2, 1, false, 7, T0, &err), &err, "add");
    append(SUSPEND_N2);
    ck_assert_uint_eq(pass_at("me", T0), 2);
    ck_assert_str_eq(body_text(text, sizeof text, 0, "\"type\":\""), "license.suspended");
    ck_assert_str_eq(body_text(text, sizeof text, 1, "\"type\":\""), "license.expiring");
    ck_assert_str_eq(body_text(text, sizeof text, 1, "\"license\":\""), "T7-N-0002");
    libro_free(id);
}
END_TEST

/* More expiring licenses than one page of the walk and one pass's events: the pass sends
 * LIBRO_WEBHOOK__PASS_EVENTS and leaves the walk unstamped, the next sends the rest. */
START_TEST(test_expiring_many)
{
    libro_error err = LIBRO_ERROR_INIT;
    const unsigned count = LIBRO_WEBHOOK__PASS_EVENTS + 6;
    char *id = NULL;

    for (unsigned i = 0; i < count; i++) {
        char number[32];

        ck_assert_int_gt(snprintf(number, sizeof number, "T7-N-%04u", i + 1), 0);
        put_license(number, i + 1, LIBRO_STATE_ACTIVE, T0 + DAY + (int64_t) (i % 3));
    }
    must(libro_webhook_add(&id, reg, url, NULL, 0, false, 30, T0, &err), &err, "add");
    ck_assert_uint_eq(pass_at("me", T0), LIBRO_WEBHOOK__PASS_EVENTS);
    {
        libro_webhook w = only_webhook();

        ck_assert_int_eq(w.expiry_checked_at, 0);
        libro_webhook_clear(&w);
    }
    ck_assert_uint_eq(pass_at("me", T0 + 1), count - LIBRO_WEBHOOK__PASS_EVENTS);
    {
        libro_webhook w = only_webhook();

        ck_assert_int_eq(w.expiry_checked_at, T0 + 1);
        libro_webhook_clear(&w);
    }
    ck_assert_uint_eq(pass_at("me", T0 + 100), 0);
    libro_free(id);
}
END_TEST

START_TEST(test_sender_thread)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_webhook_sender_options opt = LIBRO_WEBHOOK_SENDER_OPTIONS_INIT;
    libro_webhook_sender *s = NULL;
    char *id = NULL;
    size_t n = 0;

    opt.db_path = f.db_path;
    opt.key = f.registry_key;
    opt.poll_ms = 50;
    must(libro_webhook_add(&id, reg, url, NULL, 0, false, 0, libro_time_now(), &err), &err, "add");
    must(libro_webhook_sender_start(&s, &opt, &err), &err, "start");
    append(REVOKE_N1);
    /* A bounded wait for the delivery (at most 10 s), not a clock. */
    for (int i = 0; i < 1000 && n == 0; i++) {
        pthread_mutex_lock(&rx.mu);
        n = rx.n;
        pthread_mutex_unlock(&rx.mu);
        if (n == 0) {
            usleep(10000);
        }
    }
    libro_webhook_sender_stop(s);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_nonnull(strstr(checked(0)->body, "\"license.revoked\""));
    opt.poll_ms = 10;
    LIBRO_ASSERT_CODE(libro_webhook_sender_start(&s, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "bad options");
    libro_free(id);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("webhook");
    TCase *tc = tcase_create("subscriptions");
    TCase *ev = tcase_create("events");
    TCase *dl = tcase_create("delivery");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_add_list_remove);
    tcase_add_loop_test(tc, test_add_refuses, 0, (int) LIBRO_NELEM(bad));
    tcase_add_test(tc, test_insecure_http_allowed);
    tcase_add_test(tc, test_expiry_horizon);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(ev, setup_key, teardown_key);
    tcase_add_test(ev, test_event_body);
    tcase_add_test(ev, test_signature_and_key);
    tcase_add_test(ev, test_expiry_event_body);
    tcase_add_test(ev, test_expiry_rule);
    tcase_add_test(ev, test_backoff);
    suite_add_tcase(s, ev);
    tcase_add_checked_fixture(dl, setup, teardown);
    tcase_add_test(dl, test_deliver_retry_same_id);
    tcase_add_test(dl, test_filter_by_license);
    tcase_add_test(dl, test_answers_that_fail);
    tcase_add_test(dl, test_dead_endpoint_backs_off_then_fails);
    tcase_add_test(dl, test_lease_of_another_process);
    tcase_add_test(dl, test_expiring_sent_once_and_after_renewal);
    tcase_add_test(dl, test_expiring_filter_and_order);
    tcase_add_test(dl, test_expiring_many);
    tcase_add_test(dl, test_sender_thread);
    suite_add_tcase(s, dl);
    return s;
}
