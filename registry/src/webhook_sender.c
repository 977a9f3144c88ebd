/* libro_registry: the webhook delivery thread `libro registry serve` runs
 * (libro/webhook.h): a pass (webhook.c) every poll interval, on a registry handle of its own,
 * until stopped. It shares nothing with the server's write path but the database. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"
#include "webhook_int.h"

struct libro_webhook_sender {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled on stop */
    atomic_bool stop;
    libro_registry *r;
    libro_webhook_pass pass;
    unsigned poll_ms;
    char owner[48];
    char *registry_id;
};

static void
say(const libro_webhook_sender *s, const char *what, const libro_error *err)
{
    char line[LIBRO_ERROR_MSG_MAX + 64];

    if (s->pass.log != NULL &&
        snprintf(line, sizeof line, "webhooks: %s: %s", what, err->msg) >= 0) {
        s->pass.log(s->pass.log_ctx, line);
    }
}

static void *
run(void *arg)
{
    libro_webhook_sender *s = arg;
    libro_error err = LIBRO_ERROR_INIT;
    struct timespec until;
    unsigned sent = 0;

    while (!atomic_load(&s->stop)) {
        if (libro_webhook__deliver(s->r, &s->pass, libro_time_now(), &sent, &err) != LIBRO_OK) {
            say(s, "delivery pass", &err);
        }
        (void) clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t) (s->poll_ms / 1000u);
        until.tv_nsec += (long) (s->poll_ms % 1000u) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&s->mu);
        while (!atomic_load(&s->stop) &&
               pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT) {
        }
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

static void
sender_free(libro_webhook_sender *s)
{
    if (s == NULL) {
        return;
    }
    libro_registry_close(s->r);
    libro_free(s->registry_id);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    libro_free(s);
}

libro_code
libro_webhook_sender_start(libro_webhook_sender **out, const libro_webhook_sender_options *opt,
                           libro_error *err)
{
    libro_webhook_sender *s = NULL;
    libro_credential *auth = NULL;
    char prefix[24];
    const char *jws;
    libro_code rc;

    if (out == NULL || opt == NULL || opt->version != LIBRO_WEBHOOK_SENDER_OPTIONS_VERSION ||
        opt->db_path == NULL || opt->key == NULL || opt->backoff_seconds == 0 ||
        opt->backoff_seconds > LIBRO_WEBHOOK_MAX_BACKOFF || opt->poll_ms < 50 ||
        opt->poll_ms > 60000) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook sender: bad options");
    }
    *out = NULL;
    if (libro_key_alg(opt->key) != LIBRO_ALG_ED25519 || !libro_key_has_private(opt->key)) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "webhooks are signed with an Ed25519 private key (v1a)");
    }
    s = libro_calloc(1, sizeof *s);
    if (s == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    atomic_init(&s->stop, false);
    /* "<pid>-<16 hex digits>": unique among the processes on one database. */
    if (snprintf(prefix, sizeof prefix, "%ld-", (long) getpid()) < 0) {
        prefix[0] = '\0';
    }
    rc = libro_webhook__random_name(s->owner, sizeof s->owner, prefix, err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_open(&s->r, opt->db_path, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    jws = libro_registry_authorization(s->r);
    rc = jws == NULL
             ? libro_error_set(err, LIBRO_ERR_NOT_FOUND, "the registry has no authorization")
             : libro_registry__parse_credential(&auth, jws, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    s->registry_id = libro_strndup(auth->subject_id, strlen(auth->subject_id));
    if (s->registry_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    s->poll_ms = opt->poll_ms;
    s->pass.key = opt->key;
    s->pass.registry_id = s->registry_id;
    s->pass.owner = s->owner;
    s->pass.backoff_seconds = opt->backoff_seconds;
    s->pass.stop = &s->stop;
    s->pass.clock = libro_time_now;
    s->pass.log = opt->log;
    s->pass.log_ctx = opt->log_ctx;
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "webhook sender: cannot start a thread");
        goto out;
    }
    *out = s;
    s = NULL; /* moved to caller */
out:
    libro_credential_free(auth);
    sender_free(s);
    return rc;
}

void
libro_webhook_sender_stop(libro_webhook_sender *s)
{
    if (s == NULL) {
        return;
    }
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stop, true);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    sender_free(s);
}
