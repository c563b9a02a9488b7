/*
 * rows.c -- import files (CSV or JSON Lines) -> numbered profile rows.
 *
 * Every row keeps the line of the file where it starts, so that a bad row
 * (locally unparsable, or refused by the server later) can be named by line.
 * Rows are handed to a callback one at a time (cli_rows_each), so an import
 * of any size runs in constant memory.  A bad row never stops the reading:
 * it is handed over with its error.  Only an unreadable file, an unusable
 * CSV header or a CSV syntax error stops it (with the line).
 *
 * CSV is parsed by libcsv (RFC 4180 quoting, fields may span lines).  The
 * file is fed to libcsv one physical line at a time, so the line where a
 * record starts is known: it is the line being fed when the previous record
 * ended.  The first record is the header naming the columns.
 */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clients/cli/cli.h"

int cli_format_of(const char *path) {
    const char *dot = strrchr(path, '.');
    if (dot == NULL) return -1;
    if (strcasecmp(dot, ".csv") == 0) return CLI_FMT_CSV;
    if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0 || strcasecmp(dot, ".json") == 0)
        return CLI_FMT_JSONL;
    return -1;
}

void cli_rows_free(cli_rows *r) {
    for (size_t i = 0; i < r->n; i++) json_decref(r->rows[i].profile);
    free(r->rows);
    memset(r, 0, sizeof(*r));
}

/* Where rows go: the caller's callback. */
typedef struct sink {
    cli_row_fn fn;
    void *ud;
    int stopped; /* the callback asked to stop */
} sink;

/* Hand one row to the sink (taking the reference to profile; error may be
 * NULL).  0 to go on, -1 when the callback stopped the reading. */
static int emit(sink *k, long line, json_t *profile, const char *error) {
    cli_row row;
    row.line = line;
    row.profile = profile;
    snprintf(row.error, sizeof(row.error), "%s", error ? error : "");
    if (k->fn(k->ud, &row) != 0) {
        k->stopped = 1;
        return -1;
    }
    return 0;
}

/* The callback of cli_rows_read_fp: append the row to a cli_rows. */
static int collect(void *ud, cli_row *row) {
    cli_rows *r = ud;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        cli_row *nr = realloc(r->rows, cap * sizeof(*nr));
        if (nr == NULL) {
            json_decref(row->profile);
            return -1;
        }
        r->rows = nr;
        r->cap = cap;
    }
    r->rows[r->n++] = *row;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON Lines                                                              */
/* ---------------------------------------------------------------------- */

static int read_jsonl(FILE *f, sink *out, char *err, size_t errlen) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k == len) continue; /* blank lines separate nothing: skip */
        char msg[CLI_ERRLEN];
        json_t *j = NULL;
        if (len > CLI_MAX_LINE) {
            snprintf(msg, sizeof(msg), "line longer than %u bytes", CLI_MAX_LINE);
        } else {
            json_error_t je;
            j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
            if (j == NULL)
                snprintf(msg, sizeof(msg), "invalid JSON at column %d: %s", je.column, je.text);
            else if (!json_is_object(j)) {
                snprintf(msg, sizeof(msg), "not a JSON object (one profile object per line)");
                json_decref(j);
                j = NULL;
            }
        }
        if (emit(out, lineno, j, j ? NULL : msg) != 0) break;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "read error");
        rc = -1;
    }
    free(line);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* CSV                                                                     */
/* ---------------------------------------------------------------------- */

typedef struct csv_state {
    cn_client_kind kind;
    sink *out;
    long line;     /* physical line being fed */
    long rec_line; /* line where the current record started */
    int in_record;
    char **cells; /* fields of the current record */
    size_t ncells, capcells;
    char **header; /* names of the columns once the header is read */
    size_t nheader;
    int fatal; /* header unusable or out of memory */
    char err[CLI_ERRLEN];
} csv_state;

static void on_field(void *data, size_t len, void *st_) {
    csv_state *st = st_;
    if (st->fatal) return;
    if (st->ncells == st->capcells) {
        size_t cap = st->capcells ? st->capcells * 2 : 16;
        char **nc = realloc(st->cells, cap * sizeof(*nc));
        if (nc == NULL) {
            st->fatal = 1;
            snprintf(st->err, sizeof(st->err), "out of memory");
            return;
        }
        st->cells = nc;
        st->capcells = cap;
    }
    char *s = malloc(len + 1);
    if (s == NULL) {
        st->fatal = 1;
        snprintf(st->err, sizeof(st->err), "out of memory");
        return;
    }
    if (len) memcpy(s, data, len);
    s[len] = '\0';
    st->cells[st->ncells++] = s;
}

static void clear_cells(csv_state *st) {
    for (size_t i = 0; i < st->ncells; i++) free(st->cells[i]);
    st->ncells = 0;
}

static void on_record(int c, void *st_) {
    (void)c;
    csv_state *st = st_;
    long line = st->rec_line;
    st->in_record = 0;
    if (st->fatal) {
        clear_cells(st);
        return;
    }
    if (st->header == NULL) {
        for (size_t i = 0; i < st->ncells; i++) {
            char *t = st->cells[i];
            if (i == 0 && (unsigned char)t[0] == 0xef && (unsigned char)t[1] == 0xbb && (unsigned char)t[2] == 0xbf)
                memmove(t, t + 3, strlen(t + 3) + 1); /* UTF-8 BOM of spreadsheet exports */
        }
        char e[CLI_ERRLEN];
        if (cli_csv_header_check(st->kind, st->cells, st->ncells, e, sizeof(e)) != 0) {
            st->fatal = 1;
            snprintf(st->err, sizeof(st->err), "line %ld: %.400s", line, e);
            clear_cells(st);
            return;
        }
        st->header = st->cells; /* keep the names */
        st->nheader = st->ncells;
        st->cells = NULL;
        st->ncells = st->capcells = 0;
        return;
    }
    char e[CLI_ERRLEN];
    json_t *p = NULL;
    if (st->ncells != st->nheader) {
        snprintf(e, sizeof(e), "%zu fields, the header has %zu", st->ncells, st->nheader);
    } else {
        p = cli_csv_profile(st->kind, st->header, st->cells, st->ncells, e, sizeof(e));
    }
    if (emit(st->out, line, p, p ? NULL : e) != 0) st->fatal = 1; /* stopped */
    clear_cells(st);
}

static int read_csv(FILE *f, cn_client_kind kind, sink *out, char *err, size_t errlen) {
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    csv_state st;
    memset(&st, 0, sizeof(st));
    st.kind = kind;
    st.out = out;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (!st.fatal && (n = getline(&line, &cap, f)) >= 0) {
        st.line++;
        if (!st.in_record) {
            st.rec_line = st.line;
            st.in_record = 1;
        }
        if (csv_parse(&p, line, (size_t)n, on_field, on_record, &st) != (size_t)n) {
            snprintf(err, errlen, "line %ld: CSV syntax error: %s", st.line, csv_strerror(csv_error(&p)));
            rc = -1;
            break;
        }
        /* Blank lines produce no record: the next record starts later.
         * libcsv's public parser state 0 is ROW_NOT_BEGUN. */
        if (st.ncells == 0 && p.pstate == 0) st.in_record = 0;
    }
    if (rc == 0 && !st.fatal && csv_fini(&p, on_field, on_record, &st) != 0) {
        snprintf(err, errlen, "line %ld: CSV syntax error at end of file: %s", st.rec_line,
                 csv_strerror(csv_error(&p)));
        rc = -1;
    }
    if (rc == 0 && st.fatal && !out->stopped) {
        snprintf(err, errlen, "%s", st.err);
        rc = -1;
    }
    if (rc == 0 && st.header == NULL && !out->stopped) {
        snprintf(err, errlen, "empty file: a CSV import needs a header row");
        rc = -1;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "read error");
        rc = -1;
    }
    clear_cells(&st);
    free(st.cells);
    for (size_t i = 0; i < st.nheader; i++) free(st.header[i]);
    free(st.header);
    free(line);
    csv_free(&p);
    return rc;
}

int cli_rows_each(FILE *f, cli_format fmt, cn_client_kind kind, cli_row_fn fn, void *ud, char *err, size_t errlen) {
    sink k = { fn, ud, 0 };
    int rc = fmt == CLI_FMT_CSV ? read_csv(f, kind, &k, err, errlen) : read_jsonl(f, &k, err, errlen);
    if (rc == 0 && k.stopped) rc = 1;
    return rc;
}

int cli_rows_read_fp(FILE *f, cli_format fmt, cn_client_kind kind, cli_rows *out, char *err, size_t errlen) {
    memset(out, 0, sizeof(*out));
    int rc = cli_rows_each(f, fmt, kind, collect, out, err, errlen);
    if (rc == 1) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc != 0) cli_rows_free(out);
    return rc;
}
