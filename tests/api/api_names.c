/* api_names -- print the methods libcoachnet's generated stubs call, one a
 * line (tests/integration/test_api.py compares them with the schema). */
#include <stdio.h>

#include "clients/coachnet.h"

int main(void) {
    for (const char *const *n = cn_api_method_names; *n; n++) puts(*n);
    return 0;
}
