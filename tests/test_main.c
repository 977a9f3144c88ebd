/* Runs the one suite a check_<name>.c file provides. Exit 0 when every test passed. */
#include <stdlib.h>

#include "test_db.h"
#include "test_util.h"

int
main(void)
{
    SRunner *sr;
    int failed;

    test_db_require();
    sr = srunner_create(libro_test_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed == 0 && libro_test_skipped_reason() != NULL) {
        return LIBRO_TEST_SKIP;
    }
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
