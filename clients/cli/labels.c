/*
 * labels.c -- words for the codes of a profile in human output: province
 * and competency names from the catalogues of data/, and the availability
 * mask as days and parts of the day.
 *
 * The catalogues are the server's own files (data/provinces.tsv,
 * data/competencies.tsv: "#" comments, then tab-separated rows whose first
 * column is the code).  The CLI reads them only to print names; the server
 * validates codes against its own copy, so a missing or older catalogue here
 * costs names, never correctness: a code without a name is printed as is.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients/cli/cli.h"

/* Where an installed coachnet finds the catalogues; the build sets it from
 * PREFIX (clients/module.mk). */
#ifndef CN_CLI_DATA_DIR
#define CN_CLI_DATA_DIR "/usr/local/share/coachnet/data"
#endif

#define LABELS_MAX_ROWS 512 /* rows kept per catalogue (38 provinces today) */

typedef struct label_list {
    char **code, **name;
    size_t n;
} label_list;

struct cli_labels {
    label_list provinces, competencies;
};

const char *cli_labels_dir(char *buf, size_t len) {
    const char *env = getenv("COACHNET_DATA");
    if (env && *env)
        snprintf(buf, len, "%s", env);
    else if (access(CN_CLI_DATA_DIR "/provinces.tsv", R_OK) == 0)
        snprintf(buf, len, "%s", CN_CLI_DATA_DIR);
    else
        snprintf(buf, len, "data");
    return buf;
}

static void list_free(label_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->code[i]);
        free(l->name[i]);
    }
    free(l->code);
    free(l->name);
    memset(l, 0, sizeof(*l));
}

/* Column `col` (0-based) of a tab-separated line, cut in place; NULL when
 * the line has fewer columns or the cell is empty. */
static char *column(char *line, int col) {
    char *s = line;
    for (int i = 0; i < col; i++) {
        s = strchr(s, '\t');
        if (s == NULL) return NULL;
        s++;
    }
    s[strcspn(s, "\t\r\n")] = '\0';
    return *s ? s : NULL;
}

/* Read code (column 0) -> name (column name_col) of dir/file into l.
 * 0, or -1 when the file cannot be opened (l empty) or memory runs out.
 * Rows without that column are skipped. */
static int list_load(label_list *l, const char *dir, const char *file, int name_col) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    l->code = calloc(LABELS_MAX_ROWS, sizeof(char *));
    l->name = calloc(LABELS_MAX_ROWS, sizeof(char *));
    int rc = l->code && l->name ? 0 : -1;
    char *line = NULL;
    size_t cap = 0;
    while (rc == 0 && l->n < LABELS_MAX_ROWS && getline(&line, &cap, f) > 0) {
        if (line[0] == '#' || line[0] == '\n') continue;
        /* the name first: column() ends the line after the cell it returns,
         * and cutting the code (before it) leaves the name whole */
        char *name = column(line, name_col);
        char *code = name ? column(line, 0) : NULL;
        if (code == NULL) continue;
        l->name[l->n] = strdup(name);
        l->code[l->n] = strdup(code);
        if (l->code[l->n] == NULL || l->name[l->n] == NULL) {
            free(l->code[l->n]);
            free(l->name[l->n]);
            rc = -1;
            break;
        }
        l->n++;
    }
    free(line);
    fclose(f);
    if (rc != 0) list_free(l);
    return rc;
}

cli_labels *cli_labels_load(const char *dir, char *err, size_t errlen) {
    cli_labels *lb = calloc(1, sizeof(*lb));
    if (lb == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (list_load(&lb->provinces, dir, "provinces.tsv", 1) != 0) {
        snprintf(err, errlen, "%s/provinces.tsv cannot be read", dir);
        free(lb);
        return NULL;
    }
    /* name_en: the CLI speaks English; without the file, codes alone */
    (void)list_load(&lb->competencies, dir, "competencies.tsv", 3);
    return lb;
}

static const char *list_find(const label_list *l, const char *code) {
    for (size_t i = 0; code && i < l->n; i++)
        if (strcmp(l->code[i], code) == 0) return l->name[i];
    return NULL;
}

const char *cli_labels_province(const cli_labels *lb, const char *code) {
    return lb ? list_find(&lb->provinces, code) : NULL;
}

const char *cli_labels_competency(const cli_labels *lb, const char *code) {
    return lb ? list_find(&lb->competencies, code) : NULL;
}

void cli_labels_free(cli_labels *lb) {
    if (lb == NULL) return;
    list_free(&lb->provinces);
    list_free(&lb->competencies);
    free(lb);
}

/* Append printf output at buf+*used, never past len (output cut there). */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...) {
    if (*used + 1 >= len) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (n > 0) *used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

const char *cli_availability(uint64_t mask, char *buf, size_t len) {
    static const char *const days[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const parts[3] = { "morning", "afternoon", "evening" };
    if (len == 0) return buf;
    buf[0] = '\0';
    if (mask == 0) {
        snprintf(buf, len, "any time");
        return buf;
    }
    if (mask > PROTO_AVAIL_ALL) {
        snprintf(buf, len, "%llu (not a %d-bit mask)", (unsigned long long)mask, PROTO_AVAIL_BITS);
        return buf;
    }
    size_t used = 0;
    /* consecutive days with the same parts form one group: "Mon-Fri morning" */
    for (int d = 0; d < 7;) {
        unsigned p = (unsigned)(mask >> (3 * d)) & 7u;
        int e = d;
        while (e + 1 < 7 && ((unsigned)(mask >> (3 * (e + 1))) & 7u) == p) e++;
        if (p != 0) {
            append(buf, len, &used, "%s%s", used ? "; " : "", days[d]);
            if (e > d) append(buf, len, &used, "-%s", days[e]);
            if (p == 7u) {
                append(buf, len, &used, " all day");
            } else {
                const char *sep = " ";
                for (int s = 0; s < 3; s++) {
                    if (!(p & (1u << s))) continue;
                    append(buf, len, &used, "%s%s", sep, parts[s]);
                    sep = ", ";
                }
            }
        }
        d = e + 1;
    }
    return buf;
}
