/* Suite for the on-demand loader (core/src/dl.c, libro/dl_int.h) and the adapters that use
 * it: a real library is loaded and its typed table called; a missing library or symbol is
 * LIBRO_ERR_MISSING_LIBRARY naming the SONAME, the purpose and the Debian package, and binds
 * nothing; many threads loading at once all get the same table. Then each adapter (libpng,
 * libjpeg, zbar, libcurl) maps its library only when it is first used: this process links none
 * of them, and /proc/self/maps shows them only after the first decode, scan or URL check; nor
 * OpenSSL's libcrypto, which an Ed25519 key never needs and a P-256 key loads. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "libro/dl_int.h"
#include "libro/http.h"
#include "libro/key.h"
#include "libro/scan.h"
#include "libro/util.h"
#include "test_util.h"

/* ---- the loader ---- */

#define ZLIB_SYMBOLS(X) X(version, zlibVersion) X(adler, adler32)
LIBRO_DL_DEFINE(zt, ZLIB_SYMBOLS, "libz.so.1", "zlib1g", "to test the loader");

#define ABSENT_SYMBOLS(X) X(version, zlibVersion)
LIBRO_DL_DEFINE(absent, ABSENT_SYMBOLS, "libro-absent-for-tests.so.0", "libro-test-package",
                "to test the loader");

START_TEST(test_load_binds)
{
    libro_error err = LIBRO_ERROR_INIT;
    const unsigned char text[] = "libro";

    ck_assert(zt.version == NULL);
    must(libro_dl__load(&zt_lib, &err), &err, "load libz");
    ck_assert(zt.version != NULL);
    /* The bound functions are the library's own: the same answers as the linked ones. */
    ck_assert_str_eq(zt.version(), zlibVersion());
    ck_assert_uint_eq(zt.adler(1, text, 5), adler32(1, text, 5));
    /* Once loaded, a call does nothing more. */
    must(libro_dl__load(&zt_lib, &err), &err, "load libz again");
    ck_assert_str_eq(zt.version(), zlibVersion());
}
END_TEST

START_TEST(test_missing_library)
{
    libro_error err = LIBRO_ERROR_INIT;
    int i;

    /* Twice: a failure is not remembered as success, and is said the same way again. */
    for (i = 0; i < 2; i++) {
        LIBRO_ASSERT_CODE(libro_dl__load(&absent_lib, &err), LIBRO_ERR_MISSING_LIBRARY, &err,
                          "libro-absent-for-tests.so.0, needed to test the loader, cannot be "
                          "loaded (install the Debian package libro-test-package): ");
        ck_assert_ptr_nonnull(strstr(err.msg, "No such file or directory"));
        ck_assert(absent.version == NULL);
    }
    ck_assert_str_eq(libro_code_name(LIBRO_ERR_MISSING_LIBRARY), "missing_library");
}
END_TEST

START_TEST(test_missing_symbol)
{
    static const char *const names[] = {"zlibVersion", "libro_no_such_symbol"};
    struct {
        void (*first)(void);
        void (*second)(void);
    } table = {NULL, NULL};
    libro_dl__lib lib = {"libz.so.1", "zlib1g", "to test the loader", names, 2, &table, false};
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_dl__load(&lib, &err), LIBRO_ERR_MISSING_LIBRARY, &err,
                      "libz.so.1, needed to test the loader, has no libro_no_such_symbol "
                      "(install the Debian package zlib1g of this system)");
    /* All or nothing: the symbol that was found is not bound either. */
    ck_assert(table.first == NULL && table.second == NULL);
    ck_assert(!atomic_load(&lib.ready));
}
END_TEST

START_TEST(test_bad_description)
{
    static const char *const names[] = {"zlibVersion"};
    void (*table[LIBRO_DL_MAX_SYMBOLS + 1])(void);
    libro_dl__lib lib = {"libz.so.1", "zlib1g", "to test", names, 1, table, false};
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_dl__load(NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "dl load: bad library description");
    lib.count = 0;
    LIBRO_ASSERT_CODE(libro_dl__load(&lib, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
    lib.count = LIBRO_DL_MAX_SYMBOLS + 1; /* over the loader's table, refused before any read */
    LIBRO_ASSERT_CODE(libro_dl__load(&lib, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
    lib.count = 1;
    lib.table = NULL;
    LIBRO_ASSERT_CODE(libro_dl__load(&lib, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
    lib.table = table;
    lib.soname = NULL;
    LIBRO_ASSERT_CODE(libro_dl__load(&lib, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
}
END_TEST

/* Many threads load one library at once: each gets LIBRO_OK and the same bound table. */
#define MATH_SYMBOLS(X) X(cosine, cos) X(square_root, sqrt)
LIBRO_DL_DEFINE(mt, MATH_SYMBOLS, "libm.so.6", "libc6", "to test the loader");

#define LOAD_THREADS 8

static pthread_barrier_t start_line;

static void *
load_in_thread(void *arg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_code *rc = arg;

    (void) pthread_barrier_wait(&start_line);
    *rc = libro_dl__load(&mt_lib, &err);
    if (*rc == LIBRO_OK && mt.square_root(16.0) != 4.0) {
        *rc = LIBRO_ERR_CRYPTO; /* any code but OK: the table was not complete */
    }
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t th[LOAD_THREADS];
    libro_code rc[LOAD_THREADS];
    size_t i;

    ck_assert_int_eq(pthread_barrier_init(&start_line, NULL, LOAD_THREADS), 0);
    for (i = 0; i < LOAD_THREADS; i++) {
        rc[i] = LIBRO_ERR_INVALID_ARG;
        ck_assert_int_eq(pthread_create(&th[i], NULL, load_in_thread, &rc[i]), 0);
    }
    for (i = 0; i < LOAD_THREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(rc[i], LIBRO_OK);
    }
    ck_assert(mt.cosine(0.0) == 1.0);
    (void) pthread_barrier_destroy(&start_line);
}
END_TEST

/* ---- the adapters load their library on first use ---- */

/* Whether a file whose name contains `name` is mapped into this process. */
static bool
mapped(const char *name)
{
    char line[4096];
    bool found = false;
    FILE *f = fopen("/proc/self/maps", "r");

    ck_assert_msg(f != NULL, "cannot read /proc/self/maps");
    while (!found && fgets(line, sizeof line, f) != NULL) {
        found = strstr(line, name) != NULL;
    }
    fclose(f);
    return found;
}

static void
read_corpus_image(libro_buf *out, const char *name)
{
    char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s/../fuzz/corpus/image", libro_test_data_dir());

    ck_assert(n > 0 && (size_t) n < sizeof dir);
    libro_test_read(out, dir, name);
}

/* Decode a corpus image, with its library mapped only after the decode. */
static void
check_decode_maps(const char *file, const char *library)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_image *img = NULL;
    libro_error err = LIBRO_ERROR_INIT;

    read_corpus_image(&raw, file);
    ck_assert_msg(!mapped(library), "%s is mapped before any image was decoded", library);
    must(libro_image_decode(&img, raw.data, raw.len, &err), &err, file);
    ck_assert(img->width > 0 && img->height > 0);
    ck_assert_msg(mapped(library), "%s is not mapped after decoding %s", library, file);
    libro_image_free(img);
    libro_buf_free(&raw);
}

START_TEST(test_png_on_demand)
{
    check_decode_maps("gray8.png", "/libpng16.so.16");
}
END_TEST

START_TEST(test_jpeg_on_demand)
{
    check_decode_maps("gray.jpg", "/libjpeg.so.62");
}
END_TEST

START_TEST(test_zbar_on_demand)
{
    libro_image img = {0};
    unsigned char white[64 * 64];
    libro_buf text = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    memset(white, 255, sizeof white);
    img.width = 64;
    img.height = 64;
    img.pixels = white;
    ck_assert(!mapped("/libzbar.so.0"));
    LIBRO_ASSERT_CODE(libro_scan_image(&text, &img, &err), LIBRO_ERR_NO_QR, &err,
                      "no QR code found in the image");
    ck_assert(mapped("/libzbar.so.0"));
    libro_buf_free(&text);
}
END_TEST

START_TEST(test_curl_on_demand)
{
    libro_error err = LIBRO_ERROR_INIT;

    ck_assert(!mapped("/libcurl.so.4"));
    /* A URL check loads libcurl too: its parser answers the check as it will the transfer. */
    must(libro_http_url_check("https://registry.example/v1", &err), &err, "url check");
    ck_assert(mapped("/libcurl.so.4"));
    LIBRO_ASSERT_CODE(libro_http_url_check("http://registry.example/v1", &err), LIBRO_ERR_DENIED,
                      &err, "plain http is allowed only to 127.0.0.0/8 or [::1]");
}
END_TEST

/* The generator of P-256 (SEC 2 §2.4.2), uncompressed: a valid public point. */
static const unsigned char p256_g[65] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
    0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
    0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
    0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33,
    0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

START_TEST(test_crypto_on_demand)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *ed = NULL;
    libro_key *p256 = NULL;
    libro_buf sig = LIBRO_BUF_INIT;

    ck_assert(!mapped("/libcrypto.so.3"));
    /* Ed25519 end to end (libsodium), with SHA-256 and randomness: no OpenSSL. */
    must(libro_key_generate(&ed, LIBRO_ALG_ED25519, &err), &err, "ed25519 key");
    must(libro_key_sign(&sig, ed, "m", 1, &err), &err, "sign");
    must(libro_key_verify(ed, "m", 1, sig.data, sig.len, &err), &err, "verify");
    ck_assert(!mapped("/libcrypto.so.3"));
    must(libro_key_from_raw_public(&p256, LIBRO_ALG_ES256, p256_g, sizeof p256_g, &err), &err,
         "p-256 key");
    ck_assert(mapped("/libcrypto.so.3"));
    libro_key_free(p256);
    libro_key_free(ed);
    libro_buf_free(&sig);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("dl");
    TCase *tc = tcase_create("loader");

    tcase_add_test(tc, test_load_binds);
    tcase_add_test(tc, test_missing_library);
    tcase_add_test(tc, test_missing_symbol);
    tcase_add_test(tc, test_bad_description);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);

    /* In one process (CK_FORK=no) the order matters: libcurl brings libcrypto with it. */
    tc = tcase_create("on_demand");
    tcase_add_test(tc, test_crypto_on_demand);
    tcase_add_test(tc, test_png_on_demand);
    tcase_add_test(tc, test_jpeg_on_demand);
    tcase_add_test(tc, test_zbar_on_demand);
    tcase_add_test(tc, test_curl_on_demand);
    suite_add_tcase(s, tc);
    return s;
}
