/*
 * cli.h -- internals of the `coachnet` command-line program (not installed).
 *
 * The program is split into pure parts, which the unit suites
 * (tests/unit/test_client*.c) link directly:
 *   opts.c     the option table and environment defaults
 *   convert.c  JSON <-> msgpack, CSV rows -> profile objects
 *   rows.c     import files (CSV or JSON Lines) -> numbered rows
 *   token.c    the session file (0600) kept between invocations
 *   format.c   tables, progress bars, JP arithmetic
 * and the commands (cmd_*.c) plus main.c, which talk to the server.
 */
#ifndef COACHNET_CLI_H
#define COACHNET_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "clients/coachnet.h"
#include "proto/proto.h"

/* Exit codes (documented in clients/README.md and `coachnet --help`). */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 1,   /* bad command line */
    CLI_EXIT_CONNECT = 2, /* connection, TLS, timeout, protocol */
    CLI_EXIT_AUTH = 3,    /* not logged in, session expired, bad password, forbidden */
    CLI_EXIT_SERVER = 4,  /* any other error the server answered */
    CLI_EXIT_INPUT = 5    /* an input file unreadable or invalid; import with rejected rows */
};

#define CLI_ERRLEN 512
#ifndef CLI_IMPORT_WINDOW
#define CLI_IMPORT_WINDOW 32 /* pipelined puts in flight during an import, at most (--window) */
#endif
#define CLI_LIST_PAGE   500        /* page size asked of match.list */
#define CLI_REVIEW_PAGE 50         /* matches per `list --page` by default */
#define CLI_MAX_LINE    (1u << 20) /* longest JSON Lines line accepted */

/* ---------------------------------------------------------------------- */
/* Options (opts.c)                                                        */
/* ---------------------------------------------------------------------- */

/* One bit per option, so that each command can say which it accepts. */
typedef uint64_t cli_optset;
#define O_LIMIT       ((cli_optset)1 << 0)
#define O_NOTE        ((cli_optset)1 << 1)
#define O_DATE        ((cli_optset)1 << 2)
#define O_MINUTES     ((cli_optset)1 << 3)
#define O_TOPIC       ((cli_optset)1 << 4)
#define O_RATING      ((cli_optset)1 << 5)
#define O_COMMENT     ((cli_optset)1 << 6)
#define O_OBJECTIVE   ((cli_optset)1 << 7)
#define O_MODE        ((cli_optset)1 << 8)
#define O_MIN_SCORE   ((cli_optset)1 << 9)
#define O_RUN         ((cli_optset)1 << 10)
#define O_PROGRAM     ((cli_optset)1 << 11)
#define O_STATUS      ((cli_optset)1 << 12)
#define O_KIND        ((cli_optset)1 << 13)
#define O_IF_VERSION  ((cli_optset)1 << 14)
#define O_ROLE        ((cli_optset)1 << 15)
#define O_SUBJECT     ((cli_optset)1 << 16)
#define O_PROGRAMS    ((cli_optset)1 << 17)
#define O_MENTEE      ((cli_optset)1 << 18)
#define O_POLICY      ((cli_optset)1 << 19)
#define O_NO_PROGRESS ((cli_optset)1 << 20)
#define O_PROVINCE    ((cli_optset)1 << 21)
#define O_TIMEOUT_RUN ((cli_optset)1 << 22)
#define O_WAIT        ((cli_optset)1 << 23)
#define O_IDS         ((cli_optset)1 << 24)
#define O_EXPLAIN     ((cli_optset)1 << 25)
#define O_YEAR        ((cli_optset)1 << 26)
#define O_ACTOR       ((cli_optset)1 << 27)
#define O_SINCE       ((cli_optset)1 << 28)
#define O_DRAFT       ((cli_optset)1 << 29)
#define O_REASON      ((cli_optset)1 << 30)
#define O_SORT        ((cli_optset)1 << 31)
#define O_PAGE        ((cli_optset)1 << 32)
#define O_COACH       ((cli_optset)1 << 33)
#define O_BY          ((cli_optset)1 << 34)
#define O_PLACE       ((cli_optset)1 << 35)
#define O_WINDOW      ((cli_optset)1 << 36)

typedef struct cli_opts {
    /* global */
    const char *host;
    int port;
    const char *ca, *cert, *key, *sni, *unix_path;
    const char *token_file;
    int timeout_ms;
    int json;
    int help, version;
    /* command options; `given` has the bit of each one seen */
    cli_optset given;
    long long limit;
    const char *note, *date, *topic, *comment;
    long long minutes, rating, min_score, if_version;
    const char *objective, *mode, *run, *program, *status, *kind, *role, *subject;
    const char *programs, *mentee, *policy, *province;
    int no_progress;
    int window; /* import: puts in flight, 1..CLI_IMPORT_WINDOW */
    int ids_only;
    int explain;
    int draft;
    const char *reason;
    const char *place;
    int run_timeout_s;
    int wait_s;
    long long year;
    const char *actor, *since;
    const char *sort, *coach, *by;
    long long page;
    /* positional words: argv[first..argc) */
    int nargs;
    char **args;
} cli_opts;

/* Parse argv (options may appear anywhere, GNU style) with defaults taken
 * from env (COACHNET_HOST, COACHNET_PORT, COACHNET_CA, COACHNET_CERT,
 * COACHNET_KEY, COACHNET_TOKEN_FILE).  Returns 0, or -1 with a message in err.
 * argv is permuted. */
int cli_parse(int argc, char **argv, cli_opts *o, char *err, size_t errlen);

/* Refuse options outside `allowed` (bits); message names the first one. */
int cli_check_allowed(const cli_opts *o, cli_optset allowed, const char *cmd, char *err, size_t errlen);

/* Parse an integer in [min, max] from a whole string. 0 ok, -1 otherwise. */
int cli_parse_int(const char *s, long long min, long long max, long long *out);

/* The usage line and the global options (opts.c). */
void cli_usage_options(FILE *f);
/* Print the usage text: the global options, then every command's help
 * line, by section, from the command tables (main.c). */
void cli_usage(FILE *f);

/* ---------------------------------------------------------------------- */
/* Conversions (convert.c)                                                 */
/* ---------------------------------------------------------------------- */

/* Pack a JSON value as msgpack (integers as ints, reals as float64).
 * Returns 0, or -1 with err set (only for values msgpack cannot hold). */
int cli_json_pack(msgpack_packer *pk, const json_t *j, char *err, size_t errlen);

/* A new JSON value for a msgpack object (bin as a hex string, ext as null,
 * non-string map keys printed).  NULL only when out of memory. */
json_t *cli_mp_to_json(const msgpack_object *o);

/* Turn one CSV record into a profile object of `kind` (columns and cell
 * syntax in clients/README.md).  names[i] is the header of column i.
 * Empty cells are left out.  Returns a new object, or NULL with err naming
 * the column and the problem. */
json_t *cli_csv_profile(cn_client_kind kind, char *const *names, char *const *cells, size_t n, char *err,
                        size_t errlen);

/* Check a CSV header row against the columns of `kind`: 0, or -1 with err
 * (unknown or duplicate column, or missing "id"). */
int cli_csv_header_check(cn_client_kind kind, char *const *names, size_t n, char *err, size_t errlen);

/* ---------------------------------------------------------------------- */
/* Import rows (rows.c)                                                    */
/* ---------------------------------------------------------------------- */

typedef struct cli_row {
    long line;       /* 1-based line of the file where the row starts */
    json_t *profile; /* the profile object, or NULL when error is set */
    char error[CLI_ERRLEN];
} cli_row;

typedef struct cli_rows {
    cli_row *rows;
    size_t n, cap;
} cli_rows;

typedef enum cli_format { CLI_FMT_CSV = 0, CLI_FMT_JSONL } cli_format;

/* Format by file name: .csv -> CSV, .jsonl/.ndjson/.json -> JSON Lines;
 * -1 for anything else. */
int cli_format_of(const char *path);

/* Called for each row in file order; it takes the reference to
 * row->profile (NULL when row->error is set).  Return 0 to go on, -1 to
 * stop reading. */
typedef int (*cli_row_fn)(void *ud, cli_row *row);

/* Stream the rows of an import file to fn, one at a time (constant memory
 * whatever the file size).  Returns 0 at the end of the file, 1 when fn
 * stopped it, -1 with err when the file cannot be read further (a bad CSV
 * header, a CSV syntax error, a read error): the rows before were already
 * handed over. */
int cli_rows_each(FILE *f, cli_format fmt, cn_client_kind kind, cli_row_fn fn, void *ud, char *err, size_t errlen);

/* Read every row of an import file into memory (tests and small files;
 * `coachnet import` streams with cli_rows_each).  A row that cannot be turned into a
 * profile is kept with its error (and no profile) so it can be reported;
 * only an unreadable file or a bad CSV header fails the whole file
 * (returns -1 with err).  Free with cli_rows_free(). */
int cli_rows_read_fp(FILE *f, cli_format fmt, cn_client_kind kind, cli_rows *out, char *err, size_t errlen);
void cli_rows_free(cli_rows *r);

/* ---------------------------------------------------------------------- */
/* Session file (token.c)                                                  */
/* ---------------------------------------------------------------------- */

typedef struct cli_token {
    char host[256];
    int port;
    char login[CN_CLIENT_NAME_LEN];
    char role[16];
    char subject[CN_CLIENT_NAME_LEN];
    char token[CN_CLIENT_TOKEN_LEN];
} cli_token;

/* The session file path: $COACHNET_TOKEN_FILE, else
 * $XDG_CONFIG_HOME/coachnet/token, else $HOME/.config/coachnet/token. */
int cli_token_path(const char *override, char *buf, size_t len);

/* Write atomically with mode 0600 (directory created 0700).  0 or -1 + err. */
int cli_token_save(const char *path, const cli_token *t, char *err, size_t errlen);

/* Read: 1 loaded, 0 no file, -1 error (unreadable, readable by others,
 * malformed) with err. */
int cli_token_load(const char *path, cli_token *t, char *err, size_t errlen);

/* Remove; 0 also when there was no file. */
int cli_token_remove(const char *path, char *err, size_t errlen);

/* ---------------------------------------------------------------------- */
/* Labels of profile codes (labels.c)                                      */
/* ---------------------------------------------------------------------- */

/* Province and competency names, read from the catalogues of data/. */
typedef struct cli_labels cli_labels;

/* The folder of the catalogues: $COACHNET_DATA when set, else the
 * installed one (CN_CLI_DATA_DIR, PREFIX/share/coachnet/data) when it holds
 * provinces.tsv, else "data" in the current folder (a source tree, as
 * coachnetd's default data-dir).  Returns buf. */
const char *cli_labels_dir(char *buf, size_t len);

/* Load dir/provinces.tsv and, when present, dir/competencies.tsv (English
 * names).  NULL with err when provinces.tsv cannot be read or memory runs
 * out; callers then print codes alone. */
cli_labels *cli_labels_load(const char *dir, char *err, size_t errlen);

/* The name of a code, or NULL when lb is NULL or the code is not listed. */
const char *cli_labels_province(const cli_labels *lb, const char *code);
const char *cli_labels_competency(const cli_labels *lb, const char *code);
void cli_labels_free(cli_labels *lb);

/* An availability mask (docs/protocol.md §6: bit 3*d+s, day d from Monday,
 * part s morning/afternoon/evening; 0 = any) in words, consecutive days
 * with the same parts grouped: "Mon-Fri morning, evening; Sat all day",
 * "any time".  A value beyond 21 bits is printed as a number.  buf of
 * CLI_AVAIL_LEN holds the longest; returns buf. */
#define CLI_AVAIL_LEN 256
const char *cli_availability(uint64_t mask, char *buf, size_t len);

/* ---------------------------------------------------------------------- */
/* Formatting (format.c)                                                   */
/* ---------------------------------------------------------------------- */

/* A text table: add cells row by row, then print with every column padded
 * to its widest cell (UTF-8 aware), numbers right-aligned. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(size_t ncols, const char *const *headers, const char *align);
void cli_table_add(cli_table *t, const char *const *cells);
void cli_table_print(const cli_table *t, FILE *f);
size_t cli_table_rows(const cli_table *t);
void cli_table_free(cli_table *t);

/* Display width of a UTF-8 string (code points; no East Asian widths). */
size_t cli_utf8_width(const char *s);

/* Render a progress bar "[#####.....]  42% phase 420/1000" into buf. */
void cli_progress_bar(char *buf, size_t len, const char *phase, long long done, long long total, int width);

/* Check a YYYY-MM-DD date (real calendar date).  0 ok, -1 otherwise. */
int cli_date_valid(const char *s);

/* Print a msgpack object for humans: maps as "key: value" lines indented
 * by depth, arrays of scalars inline. */
void cli_print_obj(FILE *f, const msgpack_object *o, int indent);

/* A fraction 0..1 as a percentage ("87%"); "" when o is not a number. */
const char *cli_percent(const msgpack_object *o, char *buf, size_t len);
/* The same for a decoded fraction. */
const char *cli_percent_of(double v, char *buf, size_t len);
/* A side of a match in a table cell: "ID Name" when the match carries
 * that side's card (design.md §9), else the id; buf of CLI_PARTY_MAX. */
#define CLI_PARTY_MAX (PROTO_ID_MAX + PROTO_NAME_MAX + 2)
const char *cli_party(const char *id, bool has_card, const char *name, char *buf, size_t len);
/* A number with up to 3 decimals, trailing zeros dropped ("0.75", "2"). */
const char *cli_number(double v, char *buf, size_t len);

/* Print an object as JSON (one document, indented) on f. */
void cli_print_json(FILE *f, const msgpack_object *o);

/* Print a JSON value (indented) on stdout and release it; NULL prints null. */
void cli_print_json_new(json_t *j);

/* Format a scalar object into buf ("" for nil, floats with up to 3 decimals). */
const char *cli_scalar(const msgpack_object *o, char *buf, size_t len);

/* ---------------------------------------------------------------------- */
/* Commands (cmd_*.c, main.c)                                              */
/* ---------------------------------------------------------------------- */

typedef struct cli_ctx {
    cli_opts *o;
    char token_path[1024];
    cn_client *c;      /* connected (and resumed) client, or NULL */
    cli_token session; /* the saved session when resumed */
} cli_ctx;

/* Connect per the options (exit code on failure, message printed). */
int cli_connect(cli_ctx *x);
/* Connect and resume the saved session. */
int cli_connect_session(cli_ctx *x);
/* Check the options (bits `allowed`) and that there are min..max words;
 * on mismatch print the error or "usage: coachnet USAGE" and return 0. */
int cli_args_ok(const cli_ctx *x, cli_optset allowed, const char *cmd, int min, int max, const char *usage);
/* Print err for the user and map it to an exit code. */
int cli_fail(const char *what, const cn_client_error *err);
/* A result the protocol's decoders refuse (pe from proto_*_decode()): a
 * protocol error, printed with the field, exit CLI_EXIT_CONNECT. */
int cli_bad_result(const char *what, const proto_error *pe);
/* Read a password: without echo from a terminal, else the first line of
 * stdin.  0, or -1 at end of input. */
int cli_read_password(char *buf, size_t len);
/* Read a JSON file into a new value (objects only); NULL with err. */
json_t *cli_json_file(const char *path, char *err, size_t errlen);
/* Pack a JSON value into a new sbuffer's worth of bytes in *sb (initialised
 * here; destroy it after).  0, or -1 with err. */
int cli_json_to_sbuf(const json_t *j, msgpack_sbuffer *sb, char *err, size_t errlen);
/* Print a usage error and return CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the result (JSON with --json, else via the human printer). */
void cli_emit(const cli_ctx *x, const msgpack_object *o);

/* The commands.  Each clients/cli/cmd_*.c file (and main.c for the
 * session commands) lists its own in a table ended by a NULL name, so a
 * new command is its function and one row, in one file.  `usage` is the
 * command's line(s) in `coachnet --help` under its section (NULL: shown on
 * another row's line, e.g. reject beside approve); a row whose fn is NULL
 * is a help line only (a sub-command listed under another section). */
typedef enum cli_section {
    CLI_SEC_EVERYONE = 0,
    CLI_SEC_SIDES, /* mentees and coaches */
    CLI_SEC_MENTEES,
    CLI_SEC_COORDINATORS,
    CLI_SEC_ADMINS,
    CLI_SEC__COUNT
} cli_section;

typedef struct cli_command {
    const char *name;
    int (*fn)(cli_ctx *x);
    cli_section section;
    const char *usage;
} cli_command;

extern const cli_command cli_cmds_session[]; /* main.c */
extern const cli_command cli_cmds_profile[]; /* cmd_profile.c */
extern const cli_command cli_cmds_program[]; /* cmd_program.c */
extern const cli_command cli_cmds_match[];   /* cmd_match.c */
extern const cli_command cli_cmds_coord[];   /* cmd_coord.c */
extern const cli_command cli_cmds_run[];     /* cmd_run.c */
extern const cli_command cli_cmds_mail[];    /* cmd_mail.c */

/* meeting schedule|move (cmd_mail.c), for cmd_match.c's `meeting`. */
int cli_meeting_plan(cli_ctx *x);

#endif
