/* The community of the registry benchmarks, a registry set up for it and a status list
 * regenerated (bench_world.h). */
#include <stdio.h>
#include <string.h>

#include "bench_util.h"
#include "bench_world.h"
#include "libro/issuer.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

void
bench_path_join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);

    if (n < 0 || (size_t) n >= size) {
        bench_die("path too long", NULL);
    }
}

void
bench_world_init(struct bench_world *w)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_credential *c;

    memset(w, 0, sizeof *w);
    w->now = libro_time_now();
    if (libro_key_generate(&w->town, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&w->board, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&w->registry, LIBRO_ALG_ED25519, &err) != LIBRO_OK) {
        bench_die("keys", &err);
    }
    c = bench_cred_new(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", w->now - 30 * DAY,
                       w->now + 1800 * DAY);
    c->level = 2;
    c->allowed_types = bench_list1(NURSING);
    c->n_allowed = 1;
    if (libro_key_public(&c->subject_key, w->town, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    w->charter = bench_sign_free(c, w->town);

    c = bench_cred_new(LIBRO_CRED_ISSUER_AUTH, COMMUNITY, BOARD, "Town 7 Health Board",
                       w->now - 30 * DAY, w->now + 1800 * DAY);
    c->grants = libro_calloc(1, sizeof *c->grants);
    if (c->grants == NULL) {
        bench_die("out of memory", NULL);
    }
    c->grants[0].id = bench_strdup(NURSING);
    c->grants[0].validity_days = 1095;
    c->n_grants = 1;
    if (libro_key_public(&c->subject_key, w->board, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    w->board_auth = bench_sign_free(c, w->town);
    if (libro_kid_for(&kid, BOARD, w->board, &err) != LIBRO_OK) {
        bench_die("kid", &err);
    }
    w->kid = (char *) libro_buf_detach(&kid, NULL);
}

void
bench_world_clear(struct bench_world *w)
{
    libro_free(w->charter);
    libro_free(w->board_auth);
    libro_free(w->kid);
    libro_key_free(w->town);
    libro_key_free(w->board);
    libro_key_free(w->registry);
}

void
bench_license_number(char *out, size_t size, const char *prefix, unsigned i)
{
    int n = snprintf(out, size, "T7-%s-%07u", prefix, i);

    if (n < 0 || (size_t) n >= size) {
        bench_die("license number", NULL);
    }
}

libro_registry *
bench_registry_new(const char *location, const struct bench_world *w)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    char type_id[] = NURSING;
    libro_registry *h = NULL;
    libro_credential *c;
    char *auth;

    c = bench_cred_new(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, REGISTRY_ID, "Town 7 Registry",
                       w->now - 30 * DAY, w->now + 1800 * DAY);
    c->url = bench_strdup("http://127.0.0.1");
    if (libro_key_public(&c->subject_key, w->registry, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    auth = bench_sign_free(c, w->town);
    t.id = type_id;
    if (libro_registry_create(location, w->charter, auth, &err) != LIBRO_OK ||
        libro_registry_open(&h, location, &err) != LIBRO_OK ||
        libro_registry_define_type(h, NULL, &t, "council", &err) != LIBRO_OK ||
        libro_registry_authorize_issuer(h, NULL, w->board_auth, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                        "council", w->now, &err) != LIBRO_OK) {
        bench_die("registry", &err);
    }
    libro_free(auth);
    return h;
}

struct bench_status
bench_status_regen(libro_registry *h, const struct bench_world *w, const char *base_url,
                   uint32_t list)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct bench_status res;
    double read[STATUS_RUNS];
    double sign[STATUS_RUNS];
    double total[STATUS_RUNS];
    char id[128];
    char issuer[] = REGISTRY_ID;
    libro_buf encoded = LIBRO_BUF_INIT;
    int n = snprintf(id, sizeof id, "%s/v1/status/%u/revocation", base_url, (unsigned) list);

    if (n < 0 || (size_t) n >= sizeof id) {
        bench_die("url", NULL);
    }
    memset(&res, 0, sizeof res);
    for (unsigned i = 0; i < STATUS_RUNS; i++) {
        libro_status_list s;
        libro_buf jws = LIBRO_BUF_INIT;
        double t0 = bench_now();
        double t1;

        memset(&s, 0, sizeof s);
        if (libro_registry_status_bits(h, &s.bits, list, LIBRO_STATUS_REVOCATION, &err) !=
            LIBRO_OK) {
            bench_die("status bits", &err);
        }
        t1 = bench_now();
        s.id = id; /* borrowed, as is the issuer: only the bits are freed below */
        s.issuer = issuer;
        s.valid_from = w->now;
        s.valid_until = w->now + DAY;
        s.purpose = LIBRO_STATUS_REVOCATION;
        if (libro_status_list_sign(&jws, &s, w->registry, &err) != LIBRO_OK) {
            bench_die("status list sign", &err);
        }
        total[i] = (bench_now() - t0) * 1000.0;
        read[i] = (t1 - t0) * 1000.0;
        sign[i] = total[i] - read[i];
        if (i == 0) {
            res.jws_bytes = jws.len;
            for (size_t b = 0; b < s.bits.n_entries; b++) {
                res.set_bits += libro_bitstring_get(&s.bits, b) ? 1u : 0u;
            }
            if (libro_bitstring_encode(&encoded, &s.bits, &err) != LIBRO_OK) {
                bench_die("encode", &err);
            }
            res.encoded_bytes = encoded.len;
        }
        libro_buf_free(&jws);
        libro_bitstring_free(&s.bits);
    }
    libro_buf_free(&encoded);
    res.read_ms = bench_median(read, STATUS_RUNS);
    res.sign_ms = bench_median(sign, STATUS_RUNS);
    res.total_ms = bench_median(total, STATUS_RUNS);
    return res;
}
