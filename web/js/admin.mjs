// admin.mjs -- the administrator's screens: programs (create and edit)
// and users (create, disable, enable, list by role).
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { announce, field, guarded, h, mount, num, select, t, table, tOr } from "./ui.mjs";

const ROLES = ["coordinator", "mentee", "coach", "admin"];

async function programsScreen(ctx, view) {
    const listBox = h("div", { id: "program-list" });
    const load = async () => {
        const { items } = await ctx.client.programList({ limit: 500 });
        mount(listBox, table(t("admin.programs"),
            [t("admin.program_id"), t("admin.program_name"), t("admin.year"), t("admin.self_service"), t("admin.jp_target"), t("common.actions")],
            items.map((p) => [p.id, p.name, String(p.year), p.self_service ? t("common.yes") : t("common.no"), num(p.jp_target),
                h("button", { type: "button", class: "small", "aria-label": t("admin.edit_label", { name: p.name }),
                              onclick: () => fill(p) }, t("admin.edit"))])));
    };
    const id = h("input", { type: "text", id: "prog-id", required: true, maxlength: "32", pattern: "[A-Za-z0-9._\\-]+" });
    const name = h("input", { type: "text", id: "prog-name", required: true, maxlength: "128" });
    const year = h("input", { type: "number", id: "prog-year", required: true, min: "2000", max: "2100", value: String(new Date().getFullYear()) });
    const selfService = h("input", { type: "checkbox", id: "prog-self" });
    const jp = h("input", { type: "number", id: "prog-jp", min: "1", max: "1000", value: "20" });
    const desc = h("textarea", { id: "prog-desc", rows: "2", maxlength: "2000" });
    const fill = (p) => {
        id.value = p.id; name.value = p.name; year.value = String(p.year);
        selfService.checked = p.self_service; jp.value = String(p.jp_target); desc.value = p.description ?? "";
        name.focus();
    };
    const form = h("form", {
        class: "card", "aria-labelledby": "prog-form-title",
        onsubmit: (ev) => {
            ev.preventDefault();
            guarded(async () => {
                await ctx.client.programPut({ program: { id: id.value.trim(), name: name.value.trim(), year: Number(year.value),
                    self_service: selfService.checked, jp_target: Number(jp.value), description: desc.value.trim() } });
                announce(t("admin.program_saved", { id: id.value.trim() }), "ok");
                await load();
            });
        },
    }, h("h2", { id: "prog-form-title" }, t("admin.program_form")),
    field("admin.program_id", id, "admin.program_id_hint"), field("admin.program_name", name), field("admin.year", year),
    h("div", { class: "check" }, selfService, h("label", { for: "prog-self" }, t("admin.self_service"))),
    field("admin.jp_target", jp), field("admin.description", desc),
    h("button", { type: "submit", class: "primary", id: "prog-save" }, t("common.save")));
    mount(view, h("h1", {}, t("admin.programs")), form, listBox);
    await load();
}

/**
 * Users: the list (by role) and a form to create one.  An admin creates
 * every role and may disable and enable users; a coordinator creates and
 * lists the mentee and coach users of its programs (user.create, user.list).
 */
export async function usersScreen(ctx, view) {
    const isAdmin = ctx.role === "admin";
    const roles = isAdmin ? ROLES : ["mentee", "coach"];
    const progs = isAdmin ? (await ctx.client.programList({ limit: 500 })).items : [];
    const listBox = h("div", { id: "user-list" });
    let roleFilter = "";
    const load = async () => {
        const q = { limit: 500 };
        if (roleFilter) q.role = roleFilter;
        const { items } = await ctx.client.userList(q);
        mount(listBox, table(t("admin.users"),
            [t("admin.login"), t("admin.role"), t("admin.subject"), t("admin.programs_col"), t("admin.state"), t("common.actions")],
            items.map((u) => [u.login, tOr(`role.${u.role}`, u.role), u.subject ?? "", (u.programs ?? []).join(", "),
                u.disabled ? t("admin.disabled") : t("admin.enabled"),
                !isAdmin || u.login === ctx.login ? "" : h("button", { type: "button", class: "small",
                              "aria-label": t(u.disabled ? "admin.enable_label" : "admin.disable_label", { login: u.login }),
                              onclick: () => guarded(async () => {
                                  if (u.disabled) await ctx.client.userEnable({ login: u.login });
                                  else await ctx.client.userDisable({ login: u.login });
                                  await load();
                              }) }, t(u.disabled ? "admin.enable" : "admin.disable"))])));
    };
    const login = h("input", { type: "text", id: "user-login", required: true, maxlength: "64", autocomplete: "off" });
    const password = h("input", { type: "password", id: "user-password", required: true, minlength: "8", maxlength: "256", autocomplete: "new-password" });
    const role = select(roles.map((r) => [r, t(`role.${r}`)]), roles[0], { id: "user-role" });
    const subject = h("input", { type: "text", id: "user-subject", maxlength: "40" });
    const programs = h("select", { id: "user-programs", multiple: true, size: String(Math.min(5, Math.max(2, progs.length))) },
        progs.map((p) => h("option", { value: p.id }, `${p.name} (${p.id})`)));
    const filter = select([["", t("admin.all_roles")], ...roles.map((r) => [r, t(`role.${r}`)])], "", {
        id: "user-filter", onchange: () => { roleFilter = filter.value; guarded(load); } });
    const form = h("form", {
        class: "card", "aria-labelledby": "user-form-title",
        onsubmit: (ev) => {
            ev.preventDefault();
            const chosen = [...programs.selectedOptions].map((o) => o.value);
            guarded(async () => {
                await ctx.client.userCreate({ login: login.value.trim(), password: password.value, role: role.value,
                    subject: subject.value.trim() || undefined, programs: chosen.length ? chosen : undefined });
                announce(t("admin.user_created", { login: login.value.trim() }), "ok");
                password.value = "";
                await load();
            });
        },
    }, h("h2", { id: "user-form-title" }, t("admin.user_form")),
    field("admin.login", login), field("admin.password", password, "admin.password_hint"), field("admin.role", role),
    field("admin.subject", subject, "admin.subject_hint"),
    isAdmin ? field("admin.programs_col", programs, "admin.programs_hint") : null,
    h("button", { type: "submit", class: "primary", id: "user-save" }, t("admin.create")));
    mount(view, h("h1", {}, t("admin.users")), form, h("div", { class: "toolbar" }, field("admin.filter", filter)), listBox);
    await load();
}

export const ROUTES = [
    ["admin/programs", "nav.programs", programsScreen],
    ["admin/users", "nav.users", usersScreen],
];
