/*
 * fuzz_client_import.c -- libFuzzer target for the CLI's import parser: any
 * file given to `coachnet import` (CSV through libcsv, or JSON Lines through
 * jansson) must give rows or an error naming the line, never a crash or a
 * leak.  The first input byte picks the format, the profile kind and
 * whether a valid CSV header is put in front (so that the fuzzer reaches the
 * row conversion without having to find the column names first).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    cli_format fmt = (data[0] & 1) ? CLI_FMT_JSONL : CLI_FMT_CSV;
    cn_client_kind kind = (data[0] & 2) ? CN_CLIENT_COACH : CN_CLIENT_MENTEE;
    static const char mentee_head[] = "id,name,agency,position_class,province,program,"
                                      "competencies,modality,languages,availability,goals\n";
    static const char coach_head[] = "id,name,kind,organization,rank,province,competencies,"
                                     "capacity,programs,modality,languages,availability,bio\n";
    const char *head = (data[0] & 4) && fmt == CLI_FMT_CSV ? (kind == CN_CLIENT_COACH ? coach_head : mentee_head) : "";
    size_t hl = strlen(head), n = hl + size - 1;
    char *buf = malloc(n + 1);
    if (buf == NULL) return 0;
    memcpy(buf, head, hl);
    memcpy(buf + hl, data + 1, size - 1);
    FILE *f = fmemopen(buf, n ? n : 1, "r");
    if (f == NULL) {
        free(buf);
        return 0;
    }
    if (n == 0) fgetc(f); /* an empty file */
    cli_rows rows;
    char err[CLI_ERRLEN];
    if (cli_rows_read_fp(f, fmt, kind, &rows, err, sizeof(err)) == 0) {
        for (size_t i = 0; i < rows.n; i++) {
            if (rows.rows[i].profile == NULL) continue;
            msgpack_sbuffer sb;
            if (cli_json_to_sbuf(rows.rows[i].profile, &sb, err, sizeof(err)) == 0) msgpack_sbuffer_destroy(&sb);
        }
        cli_rows_free(&rows);
    }
    fclose(f);
    free(buf);
    return 0;
}
