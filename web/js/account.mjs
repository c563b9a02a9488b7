// account.mjs -- every role's account screen: change one's own password
// (auth.change_password; the server ends the user's other sessions).
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { announce, field, guarded, h, mount, t } from "./ui.mjs";

async function accountScreen(ctx, view) {
    const old = h("input", { type: "password", id: "pw-old", required: true, autocomplete: "current-password" });
    const next = h("input", { type: "password", id: "pw-new", required: true, minlength: "8", maxlength: "256",
                              autocomplete: "new-password" });
    const again = h("input", { type: "password", id: "pw-again", required: true, minlength: "8", maxlength: "256",
                               autocomplete: "new-password" });
    mount(view, h("h1", {}, t("account.title")), h("form", {
        class: "card narrow", "aria-labelledby": "pw-title",
        onsubmit: (ev) => {
            ev.preventDefault();
            if (next.value !== again.value) {
                announce(t("account.mismatch"), "error");
                again.focus();
                return;
            }
            guarded(async () => {
                await ctx.client.authChangePassword({ old_password: old.value, new_password: next.value });
                for (const el of [old, next, again]) el.value = "";
                announce(t("account.changed"), "ok");
            });
        },
    }, h("h2", { id: "pw-title" }, t("account.password")), h("p", {}, t("account.intro")),
    field("account.old", old), field("account.new", next, "admin.password_hint"), field("account.again", again),
    h("button", { type: "submit", class: "primary", id: "pw-save" }, t("account.save"))));
}

/** The route every role gets, after its own screens. */
export const ACCOUNT_ROUTE = ["account", "nav.account", accountScreen];
