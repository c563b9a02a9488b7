// app.mjs -- the coachnet web app's entry: connection, session, language,
// navigation by role, and the screens' router (location.hash).
//
// One CoachnetClient per page, over the WebSocket of the server the page
// came from (wss://<host>/rpc).  The session token lives in sessionStorage
// (the client's default), so a reload or a dropped connection resumes the
// session (auth.resume) instead of asking for the password again, and a
// closed tab forgets it.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { CoachnetClient } from "../lib/coachnet.mjs";
import { connectWebSocket, rpcUrl } from "../lib/transport-ws.mjs";
import {
    announce, errorText, field, h, loadCatalogues, mount, savedLang, setLang, t, translateDocument,
} from "./ui.mjs";
import { ROUTES as MENTEE } from "./mentee.mjs";
import { ROUTES as COACH } from "./coach.mjs";
import { ROUTES as COORD } from "./coord.mjs";
import { ROUTES as ADMIN } from "./admin.mjs";
import { ACCOUNT_ROUTE } from "./account.mjs";

/** Screens per role: [route, catalogue key of the nav entry, render(ctx, main)]. */
const SCREENS = Object.fromEntries(Object.entries({ mentee: MENTEE, coach: COACH, coordinator: COORD, admin: ADMIN })
    .map(([role, routes]) => [role, [...routes, ACCOUNT_ROUTE]]));

const client = new CoachnetClient({ connect: () => connectWebSocket(rpcUrl()) });

/** What every screen gets: the client, the session, and a way to re-render. */
const ctx = {
    client,
    get role() { return client.role; },
    get subject() { return client.subject; },
    get login() { return sessionStorage.getItem(LOGIN_KEY); },
    rerender: () => render(),
    /** Navigate; `message` is announced on the new screen. */
    go: (route, message) => {
        pendingMessage = message ?? null;
        location.hash = `#/${route}`;
    },
    /** Listeners a screen adds for the time it is shown (removed on leaving). */
    listen(event, fn) { screenListeners.push(client.on(event, fn)); },
};
let screenListeners = [];
let pendingMessage = null;
let sessionKnown = false;
let focusHeading = false;

/** Where the page keeps the logged-in user's name (for the screens that
 * must not offer a user an action on itself, such as disabling itself). */
const LOGIN_KEY = "coachnet.login";

/** How long a page load waits for the stored session to resume. */
const OPEN_WAIT_MS = 8000;

// ------------------------------------------------------------------ shell

function langSwitch() {
    const other = document.documentElement.lang === "en" ? "id" : "en";
    return h("button", {
        type: "button", class: "lang", id: "lang-switch", lang: other,
        "aria-label": t("lang.switch_label"),
        onclick: async () => { await setLang(other); render(); },
    }, t("lang.other"));
}

function header() {
    const role = client.role;
    const nav = role ? h("nav", { "aria-label": t("nav.label") },
        h("ul", {}, (SCREENS[role] ?? []).map(([route, key]) => h("li", {},
            h("a", { href: `#/${route}`, "aria-current": currentRoute() === route ? "page" : null }, t(key)))))) : null;
    return [
        h("div", { class: "bar-top" },
            h("span", { class: "brand" }, t("app.name")),
            role ? h("span", { class: "who" }, t(`role.${role}`)) : null,
            h("span", { class: "spacer" }),
            langSwitch(),
            role ? h("button", { type: "button", id: "logout", onclick: logout }, t("nav.logout")) : null),
        nav,
    ];
}

function currentRoute() {
    const r = location.hash.replace(/^#\/?/, "").split("?")[0];
    return r;
}

let loggingOut = false;

async function logout() {
    loggingOut = true;
    try { await client.logout(); } catch { /* the token is forgotten anyway */ }
    loggingOut = false;
    announce("");
    location.hash = "#/";
    render();
}

// ------------------------------------------------------------------ login

function loginScreen(main) {
    const login = h("input", { type: "text", name: "login", autocomplete: "username", required: true, id: "login-name" });
    const pw = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true, id: "login-password" });
    const form = h("form", {
        class: "card narrow", "aria-labelledby": "login-title",
        onsubmit: async (ev) => {
            ev.preventDefault();
            announce(t("login.busy"));
            try {
                await client.login(login.value.trim(), pw.value);
                sessionStorage.setItem(LOGIN_KEY, login.value.trim());
                announce("");
                location.hash = `#/${SCREENS[client.role]?.[0]?.[0] ?? ""}`;
                render();
            } catch (err) {
                announce(errorText(err), "error");
                pw.value = "";
                pw.focus();
            }
        },
    },
    h("h1", { id: "login-title" }, t("login.title")),
    h("p", {}, t("login.intro")),
    field("login.name", login),
    field("login.password", pw),
    h("button", { type: "submit", class: "primary", id: "login-submit" }, t("login.submit")));
    mount(main, form);
}

// ------------------------------------------------------------------ router

let renderSeq = 0;

async function render() {
    const seq = ++renderSeq;
    for (const off of screenListeners) off();
    screenListeners = [];
    translateDocument();
    mount(document.getElementById("top"), header());
    const main = document.getElementById("main");
    if (!sessionKnown) {
        mount(main, h("p", { class: "muted" }, t("common.loading")));
        return;
    }
    const screens = SCREENS[client.role];
    if (!screens) {
        loginScreen(main);
        return;
    }
    let entry = screens.find(([route]) => route === currentRoute());
    if (!entry) {
        entry = screens[0];
        history.replaceState(null, "", `#/${entry[0]}`);
        mount(document.getElementById("top"), header());
    }
    mount(main, h("p", { class: "muted" }, t("common.loading")));
    const view = h("div", { class: "screen", "data-screen": entry[0] });
    try {
        await entry[2](ctx, view);
    } catch (err) {
        console.warn(err);
        mount(view, h("p", { class: "error", role: "alert" }, errorText(err)));
    }
    if (seq !== renderSeq) return; // another render started meanwhile
    mount(main, view);
    // After a navigation, focus goes to the new screen's heading, so that a
    // screen reader announces it and Tab continues from there.
    const heading = view.querySelector("h1");
    if (heading && focusHeading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
    }
    focusHeading = false;
}

// A navigation clears the last screen's message (a connection warning
// stays), or shows the one ctx.go() was given.
window.addEventListener("hashchange", () => {
    focusHeading = true;
    const s = document.getElementById("status");
    if (pendingMessage !== null) announce(pendingMessage, "ok");
    else if (!s.classList.contains("warn")) announce("");
    pendingMessage = null;
    render();
});
window.addEventListener("online", () => client.reconnectNow());

client.on("close", () => {
    if (sessionKnown) announce(t("conn.lost"), "warn");
});
client.on("open", () => {
    const s = document.getElementById("status");
    if (s?.classList.contains("warn")) announce(t("conn.back"));
});
client.on("session", ({ role }) => {
    if (role === null && sessionKnown && !loggingOut) {
        announce(t("login.expired"), "warn");
        render();
    }
});

async function start() {
    await setLang(savedLang(), { remember: false });
    translateDocument();
    mount(document.getElementById("top"), header());
    await loadCatalogues();
    if (client.token !== null) {
        // A reload: the connection resumes the stored session first.
        // A server that cannot be reached: the login screen after a while
        // (the client keeps trying and resumes once it is back).
        await Promise.race([client.open().catch(() => {}),
                            new Promise((resolve) => setTimeout(resolve, OPEN_WAIT_MS))]);
    }
    sessionKnown = true;
    render();
}

start().catch((err) => {
    console.error(err);
    mount(document.getElementById("main"), h("p", { class: "error", role: "alert" }, String(err)));
});
