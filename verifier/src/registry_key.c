/* libro_verifier: the key of a registry synced into the trust store, for a reader of its log
 * that is not libro sync (libro watch checks the registry's checkpoints with it). */
#include <string.h>

#include "libro/verifier.h"
#include "verify_int.h"

libro_code
libro_trust_registry_key(const libro_key **key, const char **registry, libro_trust *t,
                         const char *url, int64_t now, libro_error *err)
{
    const libro_trust__source *src = NULL;
    const libro_key *k;
    libro_code rc;

    if (key == NULL || registry == NULL || t == NULL || url == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry key: NULL argument");
    }
    *key = NULL;
    *registry = NULL;
    for (size_t i = 0; i < t->n_sources; i++) {
        if (strcmp(t->sources[i].url, url) == 0) {
            src = &t->sources[i];
        }
    }
    if (src == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                               "no registry synced from %.120s: run 'libro sync %.120s' first", url,
                               url);
    }
    k = libro_trust__registry_key(t, src->registry, src->tp);
    if (k == NULL) {
        return libro_error_set(err, LIBRO_ERR_UNTRUSTED,
                               "the trust store holds no authorization of the key of %.64s: run "
                               "'libro sync %.120s'",
                               src->registry, url);
    }
    /* As sync decided it, again now: the authorization must still chain to a pinned anchor. */
    rc = libro_trust__registry_trusted(t, src->community, src->registry, src->tp, now, err);
    if (rc == LIBRO_OK) {
        *key = k;
        *registry = src->registry;
    }
    return rc;
}
