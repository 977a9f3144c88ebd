/* Helpers the check suites share to build and sign credentials (test_creds.h). */
#include <string.h>

#include "libro/issuer.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_util.h"

void
must(libro_code rc, const libro_error *err, const char *what)
{
    ck_assert_msg(rc == LIBRO_OK, "%s: %s (%s)", what, libro_code_name(rc), err->msg);
}

char *
sdup(const char *s)
{
    char *copy = libro_strndup(s, strlen(s));

    ck_assert_ptr_nonnull(copy);
    return copy;
}

libro_key *
public_of(const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *pub = NULL;

    must(libro_key_public(&pub, k, &err), &err, "public");
    return pub;
}

char *
sign(const libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    must(libro_issuer_sign(&out, c, k, &err), &err, "sign");
    return (char *) libro_buf_detach(&out, NULL);
}

void
kid_of(char out[300], const char *id, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf b = LIBRO_BUF_INIT;

    must(libro_kid_for(&b, id, k, &err), &err, "kid");
    ck_assert_uint_lt(b.len, 300);
    memcpy(out, b.data, b.len + 1);
    libro_buf_free(&b);
}

libro_credential *
new_cred(libro_cred_type type, const char *issuer, const char *subject, const char *name,
         int64_t from, int64_t until)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    must(libro_credential_new(&c, type, &err), &err, "new");
    c->issuer = sdup(issuer);
    c->subject_id = subject == NULL ? NULL : sdup(subject);
    c->name = sdup(name);
    c->valid_from = from;
    c->valid_until = until;
    return c;
}
