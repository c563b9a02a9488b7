/*
 * cmd_program.c -- `program put|get|list` (DESIGN §9: programs are objects).
 *
 * An admin creates and edits programs; a coordinator reads and edits its
 * own.  `program put` takes the program object as a JSON file:
 * {id, name, year, self_service?, jp_target?, description?}; the
 * `--json` output of `program get` is {program: {...}}, whose inner object
 * `program put` accepts as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "clients/cli/cli.h"

#define PROGRAM_PAGE 500 /* page size asked of program.list */

static int program_put(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (x->o->nargs != 3) return cli_usage_error("usage: coachnet program put FILE.json");
    json_t *j = cli_json_file(x->o->args[2], err, sizeof(err));
    if (j == NULL) {
        fprintf(stderr, "coachnet: %s\n", err);
        return CLI_EXIT_INPUT;
    }
    char id[PROTO_CODE_MAX + 1] = "";
    const char *jid = json_string_value(json_object_get(j, "id"));
    if (jid) snprintf(id, sizeof(id), "%s", jid);
    msgpack_sbuffer sb;
    int rc = cli_json_to_sbuf(j, &sb, err, sizeof(err));
    json_decref(j);
    if (rc != 0) {
        fprintf(stderr, "coachnet: %s: %s\n", x->o->args[2], err);
        return CLI_EXIT_INPUT;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    if (msgpack_unpack_next(&u, sb.data, sb.size, &off) != MSGPACK_UNPACK_SUCCESS) {
        fprintf(stderr, "coachnet: %s: not one JSON value\n", x->o->args[2]);
        rc = CLI_EXIT_INPUT;
    } else {
        rc = cli_connect_session(x);
    }
    if (rc == CLI_EXIT_OK) {
        cn_api_program_put_params p = { .program = &u.data };
        cn_client_error e;
        if (cn_api_program_put(x->c, &p, NULL, &e) != CN_CLIENT_OK)
            rc = cli_fail("program.put", &e);
        else if (x->o->json)
            printf("{}\n");
        else
            printf("stored program %s\n", id);
    }
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

static int program_get(cli_ctx *x) {
    if (x->o->nargs != 3) return cli_usage_error("usage: coachnet program get ID");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_api_program_get_params p = { .id = x->o->args[2] };
    cn_client_result *r;
    cn_client_error e;
    if (cn_api_program_get(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("program.get", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    if (x->o->json) {
        cli_print_json(stdout, o);
    } else {
        printf("program %s\n", x->o->args[2]);
        const msgpack_object *prog = cn_client_map_get(o, "program");
        if (prog) cli_print_obj(stdout, prog, 2);
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* program list: every page (or --limit items) as a table. */
static int program_list(cli_ctx *x) {
    if (x->o->nargs != 2) return cli_usage_error("usage: coachnet program list [--limit N]");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    static const char *const h[] = { "ID", "NAME", "YEAR", "SELF-SERVICE", "JP TARGET" };
    static const char *const keys[] = { "id", "name", "year", "self_service", "jp_target" };
    cli_table *t = cli_table_new(5, h, "lllll");
    json_t *all = x->o->json ? json_array() : NULL;
    char cursor[256];
    cn_api_program_list_params lp = { .has_limit = 1 };
    long long n = 0;
    for (;;) {
        lp.limit = x->o->limit > 0 && x->o->limit - n < PROGRAM_PAGE ? x->o->limit - n : PROGRAM_PAGE;
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_program_list(x->c, &lp, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail("program.list", &e);
            break;
        }
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *items = cn_client_map_get(o, "items");
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            const msgpack_object *it = &items->via.array.ptr[i];
            n++;
            if (all) {
                json_array_append_new(all, cli_mp_to_json(it));
                continue;
            }
            char c[5][160];
            const char *cells[5];
            for (size_t k = 0; k < 5; k++) cells[k] = cli_scalar(cn_client_map_get(it, keys[k]), c[k], sizeof(c[k]));
            cli_table_add(t, cells);
        }
        int more = cn_client_obj_str(cn_client_map_get(o, "cursor"), cursor, sizeof(cursor)) == CN_CLIENT_OK;
        cn_client_result_free(r);
        if (!more || (x->o->limit > 0 && n >= x->o->limit)) break;
        lp.cursor = cursor;
    }
    if (rc == CLI_EXIT_OK) {
        if (all) {
            json_t *j = json_pack("{s:o}", "items", all);
            all = NULL;
            cli_print_json_new(j);
        } else {
            cli_table_print(t, stdout);
            printf("%lld program%s\n", n, n == 1 ? "" : "s");
        }
    }
    json_decref(all);
    cli_table_free(t);
    return rc;
}

static int cmd_program(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (x->o->nargs < 2) return cli_usage_error("usage: coachnet program put|get|list ...");
    const char *sub = x->o->args[1];
    cli_optset allowed = strcmp(sub, "list") == 0 ? O_LIMIT : 0;
    if (cli_check_allowed(x->o, allowed, "program", err, sizeof(err))) return cli_usage_error("%s", err);
    if (strcmp(sub, "put") == 0) return program_put(x);
    if (strcmp(sub, "get") == 0) return program_get(x);
    if (strcmp(sub, "list") == 0) return program_list(x);
    return cli_usage_error("unknown program command '%s' (put, get, list)", sub);
}

const cli_command cli_cmds_program[] = {
    { "program", cmd_program, CLI_SEC_ADMINS,
      "program put FILE.json          {id, name, year, self_service?, jp_target?, description?}\n"
      "program get ID | program list [--limit N]   (coordinators: their programs; put edits them)" },
    { NULL, NULL, 0, NULL },
};
