/* libFuzzer entry for the verslag importer (archive/import.h). Build and run:
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKT_FUZZ=ON && cmake --build build-fuzz
 *     --target fuzz_import && build-fuzz/fuzz_import -max_total_time=60 tests/data/import
 * Every input must give a status or a document that recognition and serialisation accept. */
#include "archive/import.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    kt_import_status st = kt_import_parse((const char *)data, size, &doc);
    if (st != KT_IMPORT_OK)
        return 0;
    json_t *persons = json_pack("[{s:i, s:s, s:i}]", "id", 1, "name", "Jan Jansen", "org_id", 1);
    json_t *orgs = json_pack("[{s:i, s:s}]", "id", 1, "name", "Politie");
    if (kt_import_recognise(doc, persons, orgs) != 0)
        abort();
    char *s = json_dumps(doc, 0);
    if (!s)
        abort();
    free(s);
    json_decref(persons);
    json_decref(orgs);
    json_decref(doc);
    return 0;
}
