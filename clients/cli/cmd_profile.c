/*
 * cmd_profile.c -- `profile put|get` and `user create|disable`.
 *
 * A mentee or coach user works on the profile it speaks for (its subject);
 * coordinators name the kind (--kind, or the word before the id).
 */
#include <stdlib.h>
#include <string.h>

#include "clients/cli/cli.h"

/* The kind a command works on: from --kind / an explicit word, else the
 * user's role.  -1 (message printed) when it cannot be known. */
static int kind_for(const cli_ctx *x, const char *word) {
    const char *k = word ? word : x->o->kind;
    if (k == NULL) k = x->session.role;
    if (strcmp(k, "mentee") == 0) return CN_CLIENT_MENTEE;
    if (strcmp(k, "coach") == 0) return CN_CLIENT_COACH;
    cli_usage_error("as %s, say which profile: --kind mentee|coach", x->session.role);
    return -1;
}

/* The profile in a FILE.json of `profile put`: the file is a profile
 * object, or what `profile get --json` printed, {profile, version} (coach.get
 * adds load), so that get, edit, put needs no editing of the wrapper.  A
 * profile never has a "profile" key, so the two cannot be confused.  Of the
 * wrapper, profile is sent as it is (the server checks every field of it),
 * version is the version the profile was read at (*version, else -1), and
 * load, the coach's seats taken, is read-only and not sent; any other key,
 * or a version or load that is not an integer >= 0, is refused.  Returns the
 * profile (j itself, or its member), or NULL with err. */
static json_t *put_profile_of(json_t *j, long long *version, char *err, size_t errlen) {
    *version = -1;
    json_t *p = json_object_get(j, "profile");
    if (p == NULL) return j;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        if (strcmp(k, "profile") == 0) {
            if (!json_is_object(v)) {
                snprintf(err, errlen, "profile: expected a JSON object");
                return NULL;
            }
        } else if (strcmp(k, "version") == 0 || strcmp(k, "load") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0) {
                snprintf(err, errlen, "%s: expected an integer >= 0", k);
                return NULL;
            }
        } else {
            snprintf(err, errlen,
                     "unknown key '%s' beside profile (the file holds a profile, or the "
                     "{profile, version} that profile get --json prints)",
                     k);
            return NULL;
        }
    }
    json_t *ver = json_object_get(j, "version");
    if (ver) *version = (long long)json_integer_value(ver);
    return p;
}

static int profile_put(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (x->o->nargs != 3) return cli_usage_error("usage: coachnet profile put FILE.json");
    json_t *j = cli_json_file(x->o->args[2], err, sizeof(err));
    if (j == NULL) {
        fprintf(stderr, "coachnet: %s\n", err);
        return CLI_EXIT_INPUT;
    }
    long long read_at;
    json_t *prof = put_profile_of(j, &read_at, err, sizeof(err));
    msgpack_sbuffer sb;
    int rc = prof ? cli_json_to_sbuf(prof, &sb, err, sizeof(err)) : -1;
    json_decref(j);
    if (rc != 0) {
        fprintf(stderr, "coachnet: %s: %s\n", x->o->args[2], err);
        return CLI_EXIT_INPUT;
    }
    /* --if-version wins over the version in the file */
    bool from_file = x->o->if_version < 0 && read_at >= 0;
    int64_t if_version = from_file ? read_at : x->o->if_version;
    rc = cli_connect_session(x);
    int kind = rc == CLI_EXIT_OK ? kind_for(x, NULL) : 0;
    if (rc == CLI_EXIT_OK && kind < 0) rc = CLI_EXIT_USAGE;
    if (rc == CLI_EXIT_OK) {
        char id[CN_CLIENT_NAME_LEN];
        int64_t version;
        cn_client_error e;
        if (cn_client_profile_put_raw(x->c, (cn_client_kind)kind, sb.data, sb.size, if_version, id, sizeof(id),
                                      &version, &e) != CN_CLIENT_OK) {
            char what[64];
            snprintf(what, sizeof(what), "%s.put", cn_client_kind_name((cn_client_kind)kind));
            rc = cli_fail(what, &e);
            if (from_file && e.kind == CN_CLIENT_E_SERVER && strcmp(e.code, "conflict") == 0)
                fprintf(stderr, "coachnet: %s was read at version %lld; the profile changed since: get it again\n",
                        x->o->args[2], read_at);
        } else if (x->o->json) {
            cli_print_json_new(json_pack("{s:s, s:I}", "id", id, "version", (json_int_t)version));
        } else {
            printf("stored %s %s, version %lld\n", cn_client_kind_name((cn_client_kind)kind), id, (long long)version);
        }
    }
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

/* One "key: value" entry as cli_print_obj prints it, at indent. */
static void print_entry(const msgpack_object_kv *kv, int indent) {
    msgpack_object_kv one = *kv;
    msgpack_object m = { .type = MSGPACK_OBJECT_MAP, .via.map = { .size = 1, .ptr = &one } };
    cli_print_obj(stdout, &m, indent);
}

/* A code with its catalogue name: "DKI Jakarta (31)"; the code alone when
 * the catalogue does not name it. */
static const char *named(const char *name, const char *code, char *buf, size_t len) {
    if (name == NULL) return code;
    snprintf(buf, len, "%s (%s)", name, code);
    return buf;
}

/* The profile of mentee.get/coach.get for humans: as cli_print_obj, but
 * the province by name, each competency on one line with its name and
 * levels ("M.01 Integrity: current 2, required 4", "T.digital Digital
 * transformation: level 5"), and availability as days and parts of the
 * day.  Names come from lb (NULL: codes only). */
static void print_profile(const msgpack_object *p, const cli_labels *lb) {
    char buf[PROTO_NAME_MAX + PROTO_CODE_MAX + 8], code[PROTO_CODE_MAX + 1];
    for (uint32_t i = 0; i < p->via.map.size; i++) {
        const msgpack_object_kv *kv = &p->via.map.ptr[i];
        const msgpack_object *v = &kv->val;
        char key[32];
        cli_scalar(&kv->key, key, sizeof(key));
        if (strcmp(key, "province") == 0 && v->type == MSGPACK_OBJECT_STR) {
            cli_scalar(v, code, sizeof(code));
            printf("  province: %s\n", named(cli_labels_province(lb, code), code, buf, sizeof(buf)));
        } else if (strcmp(key, "availability") == 0 && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            char words[CLI_AVAIL_LEN];
            printf("  availability: %s\n", cli_availability(v->via.u64, words, sizeof(words)));
        } else if (strcmp(key, "competencies") == 0 && v->type == MSGPACK_OBJECT_ARRAY && v->via.array.size > 0) {
            printf("  competencies:\n");
            for (uint32_t k = 0; k < v->via.array.size; k++) {
                const msgpack_object *c = &v->via.array.ptr[k];
                const msgpack_object *cc = cn_client_map_get(c, "code");
                if (cc == NULL || cc->type != MSGPACK_OBJECT_STR) {
                    cli_print_obj(stdout, c, 4);
                    continue;
                }
                cli_scalar(cc, code, sizeof(code));
                printf("    %s", code);
                const char *name = cli_labels_competency(lb, code);
                if (name) printf(" %s", name);
                const char *sep = ": ";
                for (uint32_t f = 0; f < c->via.map.size; f++) {
                    char fk[32], fv[32];
                    cli_scalar(&c->via.map.ptr[f].key, fk, sizeof(fk));
                    if (strcmp(fk, "code") == 0) continue;
                    printf("%s%s %s", sep, fk, cli_scalar(&c->via.map.ptr[f].val, fv, sizeof(fv)));
                    sep = ", ";
                }
                putchar('\n');
            }
        } else {
            print_entry(kv, 2);
        }
    }
}

static int profile_get(cli_ctx *x) {
    if (x->o->nargs != 2 && x->o->nargs != 4) return cli_usage_error("usage: coachnet profile get [mentee|coach ID]");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    int kind = kind_for(x, x->o->nargs == 4 ? x->o->args[2] : NULL);
    if (kind < 0) return CLI_EXIT_USAGE;
    const char *id = x->o->nargs == 4 ? x->o->args[3] : x->session.subject;
    if (id[0] == '\0') return cli_usage_error("profile get: name the profile: mentee|coach ID");
    cn_client_result *r;
    cn_client_error e;
    if (cn_client_profile_get(x->c, (cn_client_kind)kind, id, &r, &e) != CN_CLIENT_OK) {
        char what[64];
        snprintf(what, sizeof(what), "%s.get", cn_client_kind_name((cn_client_kind)kind));
        return cli_fail(what, &e);
    }
    const msgpack_object *o = cn_client_result_obj(r);
    if (x->o->json) {
        cli_print_json(stdout, o);
    } else {
        char v[32];
        printf("%s %s, version %s\n", cn_client_kind_name((cn_client_kind)kind), id,
               cli_scalar(cn_client_map_get(o, "version"), v, sizeof(v)));
        const msgpack_object *p = cn_client_map_get(o, "profile");
        if (p && p->type == MSGPACK_OBJECT_MAP) {
            char dir[1024], err[CLI_ERRLEN];
            cli_labels *lb = cli_labels_load(cli_labels_dir(dir, sizeof(dir)), err, sizeof(err));
            /* only a folder the user named is worth a word; codes stand anyway */
            if (lb == NULL && getenv("COACHNET_DATA")) fprintf(stderr, "coachnet: %s: codes shown\n", err);
            print_profile(p, lb);
            cli_labels_free(lb);
        }
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* profile list mentee|coach: every page (or --limit items) as a table. */
static int profile_list(cli_ctx *x) {
    if (x->o->nargs != 3 || (strcmp(x->o->args[2], "mentee") != 0 && strcmp(x->o->args[2], "coach") != 0))
        return cli_usage_error("usage: coachnet profile list mentee|coach [--program P] "
                               "[--province CODE] [--limit N]");
    cn_client_kind kind = strcmp(x->o->args[2], "coach") == 0 ? CN_CLIENT_COACH : CN_CLIENT_MENTEE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    static const char *const hm[] = { "ID", "NAME", "PROVINCE", "POSITION", "PROGRAM" };
    static const char *const hc[] = { "ID", "NAME", "PROVINCE", "KIND", "RANK", "CAPACITY" };
    const char *const *keys = kind == CN_CLIENT_COACH
                                  ? (const char *const[]){ "id", "name", "province", "kind", "rank", "capacity" }
                                  : (const char *const[]){ "id", "name", "province", "position_class", "program" };
    size_t ncols = kind == CN_CLIENT_COACH ? 6 : 5;
    cli_table *t =
        cli_table_new(ncols, kind == CN_CLIENT_COACH ? hc : hm, kind == CN_CLIENT_COACH ? "llllrr" : "lllll");
    json_t *all = x->o->json ? json_array() : NULL;
    char cursor[256];
    cn_client_list_opts lo = { x->o->program, x->o->province, NULL, 0 };
    long long n = 0;
    for (;;) {
        lo.limit = x->o->limit > 0 && x->o->limit - n < 500 ? x->o->limit - n : 500;
        cn_client_result *r;
        cn_client_error e;
        if (cn_client_profile_list(x->c, kind, &lo, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail(kind == CN_CLIENT_COACH ? "coach.list" : "mentee.list", &e);
            break;
        }
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *items = cn_client_map_get(o, "items");
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            const msgpack_object *it = &items->via.array.ptr[i];
            if (cn_client_map_get(it, "profile")) it = cn_client_map_get(it, "profile");
            n++;
            if (all) {
                json_array_append_new(all, cli_mp_to_json(it));
                continue;
            }
            char c[6][160];
            const char *cells[6];
            for (size_t k = 0; k < ncols; k++)
                cells[k] = cli_scalar(cn_client_map_get(it, keys[k]), c[k], sizeof(c[k]));
            cli_table_add(t, cells);
        }
        int more = cn_client_obj_str(cn_client_map_get(o, "cursor"), cursor, sizeof(cursor)) == CN_CLIENT_OK;
        cn_client_result_free(r);
        if (!more || (x->o->limit > 0 && n >= x->o->limit)) break;
        lo.cursor = cursor;
    }
    if (rc == CLI_EXIT_OK) {
        if (all) {
            json_t *j = json_pack("{s:o}", "items", all);
            all = NULL;
            cli_print_json_new(j);
        } else {
            cli_table_print(t, stdout);
            printf("%lld %s%s\n", n, kind == CN_CLIENT_COACH ? "coach" : "mentee",
                   n == 1 ? "" : (kind == CN_CLIENT_COACH ? "es" : "s"));
        }
    }
    json_decref(all);
    cli_table_free(t);
    return rc;
}

static int cmd_profile(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (x->o->nargs < 2) return cli_usage_error("usage: coachnet profile put|get|list ...");
    if (strcmp(x->o->args[1], "put") == 0) {
        if (cli_check_allowed(x->o, O_KIND | O_IF_VERSION, "profile put", err, sizeof(err)))
            return cli_usage_error("%s", err);
        return profile_put(x);
    }
    if (strcmp(x->o->args[1], "list") == 0) {
        if (cli_check_allowed(x->o, O_PROGRAM | O_PROVINCE | O_LIMIT, "profile list", err, sizeof(err)))
            return cli_usage_error("%s", err);
        return profile_list(x);
    }
    if (strcmp(x->o->args[1], "get") == 0) {
        if (cli_check_allowed(x->o, 0, "profile get", err, sizeof(err))) return cli_usage_error("%s", err);
        return profile_get(x);
    }
    return cli_usage_error("unknown profile command '%s' (put, get, list)", x->o->args[1]);
}

/* ---------------------------------------------------------------------- */
/* user                                                                    */
/* ---------------------------------------------------------------------- */

#define MAX_USER_PROGRAMS 16

static int user_create(cli_ctx *x) {
    if (x->o->nargs != 3 || x->o->role == NULL)
        return cli_usage_error("usage: coachnet user create LOGIN --role ROLE [--subject ID] "
                               "[--programs P1,P2] (password on stdin)");
    char *progs_copy = NULL;
    const char *progs[MAX_USER_PROGRAMS];
    size_t nprogs = 0;
    if (x->o->programs) {
        progs_copy = strdup(x->o->programs);
        char *save = NULL;
        for (char *t = strtok_r(progs_copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (nprogs == MAX_USER_PROGRAMS) {
                free(progs_copy);
                return cli_usage_error("--programs: at most %d programs", MAX_USER_PROGRAMS);
            }
            progs[nprogs++] = t;
        }
    }
    char pw[1024];
    if (cli_read_password(pw, sizeof(pw)) != 0 || pw[0] == '\0') {
        free(progs_copy);
        return cli_usage_error("user create: no password given on stdin");
    }
    int rc = cli_connect_session(x);
    if (rc == CLI_EXIT_OK) {
        cn_client_user_spec u = { x->o->args[2], pw, x->o->role, x->o->subject, progs, nprogs };
        cn_client_error e;
        if (cn_client_user_create(x->c, &u, &e) != CN_CLIENT_OK)
            rc = cli_fail("user.create", &e);
        else if (x->o->json)
            printf("{}\n");
        else
            printf("created user %s (%s)\n", x->o->args[2], x->o->role);
    }
    explicit_bzero(pw, sizeof(pw));
    free(progs_copy);
    return rc;
}

static int user_disable(cli_ctx *x) {
    if (x->o->nargs != 3) return cli_usage_error("usage: coachnet user disable LOGIN");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_error e;
    if (cn_client_user_disable(x->c, x->o->args[2], &e) != CN_CLIENT_OK) return cli_fail("user.disable", &e);
    if (x->o->json)
        printf("{}\n");
    else
        printf("disabled user %s\n", x->o->args[2]);
    return CLI_EXIT_OK;
}

static int user_enable(cli_ctx *x) {
    if (x->o->nargs != 3) return cli_usage_error("usage: coachnet user enable LOGIN");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_api_user_enable_params p = { .login = x->o->args[2] };
    cn_client_error e;
    if (cn_api_user_enable(x->c, &p, NULL, &e) != CN_CLIENT_OK) return cli_fail("user.enable", &e);
    if (x->o->json)
        printf("{}\n");
    else
        printf("enabled user %s\n", x->o->args[2]);
    return CLI_EXIT_OK;
}

/* user list [--role R] [--program P] [--limit N]: user.list, every page
 * (or the first N users), as a table or --json {items}. */
static int user_list(cli_ctx *x) {
    if (x->o->nargs != 2) return cli_usage_error("usage: coachnet user list [--role ROLE] [--program P] [--limit N]");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    static const char *const heads[] = { "LOGIN", "ROLE", "SUBJECT", "PROGRAMS", "DISABLED" };
    cli_table *t = cli_table_new(5, heads, "lllll");
    json_t *all = x->o->json ? json_array() : NULL;
    char cursor[256];
    cn_api_user_list_params p = { .role = x->o->role, .program = x->o->program, .has_limit = true };
    long long n = 0;
    for (;;) {
        p.limit = x->o->limit > 0 && x->o->limit - n < 500 ? x->o->limit - n : 500;
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_user_list(x->c, &p, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail("user.list", &e);
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
            char c[3][160], progs[600] = "";
            const msgpack_object *pa = cn_client_map_get(it, "programs");
            for (uint32_t k = 0; pa && pa->type == MSGPACK_OBJECT_ARRAY && k < pa->via.array.size; k++) {
                char one[160];
                size_t used = strlen(progs);
                snprintf(progs + used, sizeof(progs) - used, "%s%s", k ? "," : "",
                         cli_scalar(&pa->via.array.ptr[k], one, sizeof(one)));
            }
            const msgpack_object *dis = cn_client_map_get(it, "disabled");
            const char *cells[5] = { cli_scalar(cn_client_map_get(it, "login"), c[0], sizeof(c[0])),
                                     cli_scalar(cn_client_map_get(it, "role"), c[1], sizeof(c[1])),
                                     cli_scalar(cn_client_map_get(it, "subject"), c[2], sizeof(c[2])), progs,
                                     dis && dis->type == MSGPACK_OBJECT_BOOLEAN && dis->via.boolean ? "yes" : "" };
            cli_table_add(t, cells);
        }
        int more = cn_client_obj_str(cn_client_map_get(o, "cursor"), cursor, sizeof(cursor)) == CN_CLIENT_OK;
        cn_client_result_free(r);
        if (!more || (x->o->limit > 0 && n >= x->o->limit)) break;
        p.cursor = cursor;
    }
    if (rc == CLI_EXIT_OK) {
        if (all) {
            json_t *j = json_pack("{s:o}", "items", all);
            all = NULL;
            cli_print_json_new(j);
        } else {
            cli_table_print(t, stdout);
            printf("%lld user%s\n", n, n == 1 ? "" : "s");
        }
    }
    json_decref(all);
    cli_table_free(t);
    return rc;
}

/* user passwd LOGIN: user.set_password, the new password on stdin (prompted
 * without echo on a tty).  Ends every session of that user. */
static int user_passwd(cli_ctx *x) {
    if (x->o->nargs != 3) return cli_usage_error("usage: coachnet user passwd LOGIN  (new password on stdin)");
    char pw[1024];
    if (cli_read_password(pw, sizeof(pw)) != 0 || pw[0] == '\0') {
        explicit_bzero(pw, sizeof(pw));
        return cli_usage_error("user passwd: no password given on stdin");
    }
    int rc = cli_connect_session(x);
    if (rc == CLI_EXIT_OK) {
        cn_api_user_set_password_params p = { .login = x->o->args[2], .password = pw };
        cn_client_error e;
        if (cn_api_user_set_password(x->c, &p, NULL, &e) != CN_CLIENT_OK)
            rc = cli_fail("user.set_password", &e);
        else if (x->o->json)
            printf("{}\n");
        else
            printf("password of %s set; its sessions ended\n", x->o->args[2]);
    }
    explicit_bzero(pw, sizeof(pw));
    return rc;
}

static int cmd_user(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (x->o->nargs < 2) return cli_usage_error("usage: coachnet user create|list|disable|enable|passwd ...");
    if (strcmp(x->o->args[1], "create") == 0) {
        if (cli_check_allowed(x->o, O_ROLE | O_SUBJECT | O_PROGRAMS, "user create", err, sizeof(err)))
            return cli_usage_error("%s", err);
        return user_create(x);
    }
    if (strcmp(x->o->args[1], "disable") == 0) {
        if (cli_check_allowed(x->o, 0, "user disable", err, sizeof(err))) return cli_usage_error("%s", err);
        return user_disable(x);
    }
    if (strcmp(x->o->args[1], "list") == 0) {
        if (cli_check_allowed(x->o, O_ROLE | O_PROGRAM | O_LIMIT, "user list", err, sizeof(err)))
            return cli_usage_error("%s", err);
        return user_list(x);
    }
    if (strcmp(x->o->args[1], "enable") == 0) {
        if (cli_check_allowed(x->o, 0, "user enable", err, sizeof(err))) return cli_usage_error("%s", err);
        return user_enable(x);
    }
    if (strcmp(x->o->args[1], "passwd") == 0) {
        if (cli_check_allowed(x->o, 0, "user passwd", err, sizeof(err))) return cli_usage_error("%s", err);
        return user_passwd(x);
    }
    return cli_usage_error("unknown user command '%s' (create, list, disable, enable, passwd)", x->o->args[1]);
}

/* passwd: auth.change_password; the old password, then the new one, each a
 * line of stdin (on a tty: two prompts without echo).  The session file
 * stays valid; the user's other sessions end. */
static int cmd_passwd(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (cli_check_allowed(x->o, 0, "passwd", err, sizeof(err))) return cli_usage_error("%s", err);
    if (x->o->nargs != 1) return cli_usage_error("usage: coachnet passwd  (old, then new password on stdin)");
    char old_pw[1024], new_pw[1024];
    int rc;
    if (cli_read_password(old_pw, sizeof(old_pw)) != 0 || old_pw[0] == '\0' ||
        cli_read_password(new_pw, sizeof(new_pw)) != 0 || new_pw[0] == '\0') {
        rc = cli_usage_error("passwd: give the old password, then the new one, each on a line of stdin");
    } else if ((rc = cli_connect_session(x)) == CLI_EXIT_OK) {
        cn_api_auth_change_password_params p = { .old_password = old_pw, .new_password = new_pw };
        cn_client_error e;
        if (cn_api_auth_change_password(x->c, &p, NULL, &e) != CN_CLIENT_OK)
            rc = cli_fail("auth.change_password", &e);
        else if (x->o->json)
            printf("{}\n");
        else
            printf("password changed; your other sessions ended\n");
    }
    explicit_bzero(old_pw, sizeof(old_pw));
    explicit_bzero(new_pw, sizeof(new_pw));
    return rc;
}

const cli_command cli_cmds_profile[] = {
    { "passwd", cmd_passwd, CLI_SEC_EVERYONE,
      "passwd                      old, then new password from stdin; ends your other sessions" },
    { "profile", cmd_profile, CLI_SEC_SIDES,
      "profile put FILE.json [--if-version N]   (coordinators: --kind mentee|coach)\n"
      "            FILE: a profile, or profile get --json's output (its version is the if-version)\n"
      "profile get [mentee|coach ID]   names from the catalogues in $COACHNET_DATA,\n"
      "            else PREFIX/share/coachnet/data, else ./data (codes when none)" },
    { "profile", NULL, CLI_SEC_COORDINATORS, "profile list mentee|coach [--program P] [--province CODE] [--limit N]" },
    { "user", cmd_user, CLI_SEC_ADMINS,
      "user create LOGIN --role ROLE [--subject ID] [--programs P1,P2]  (password on stdin)\n"
      "user list [--role ROLE] [--program P] [--limit N]\n"
      "user disable LOGIN | user enable LOGIN\n"
      "user passwd LOGIN           new password from stdin; ends that user's sessions" },
    { NULL, NULL, 0, NULL },
};
