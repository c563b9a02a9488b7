// ui.mjs -- the app's small toolkit: DOM building, translations, formats,
// messages, catalogues.  No framework: every screen builds its DOM with h(),
// and every text it shows comes from the catalogues in i18n/ through t().
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

export const LANGS = ["id", "en"];
const LANG_KEY = "coachnet.lang";

let lang = "id";
let strings = {};
const catalogueCache = new Map();

/** The current language (`id` by default, `en`). */
export function currentLang() {
    return lang;
}

/**
 * Load and switch to a language's catalogue.  A choice (the switch) is
 * remembered on this browser; applying the remembered one at start is not
 * written back (`remember: false`): written after its catalogue's fetch,
 * it would overwrite a choice stored meanwhile by another page or tab.
 */
export async function setLang(l, { remember = true } = {}) {
    if (!LANGS.includes(l)) l = "id";
    if (!catalogueCache.has(l)) {
        const r = await fetch(`i18n/${l}.json`);
        if (!r.ok) throw new Error(`i18n/${l}.json: HTTP ${r.status}`);
        catalogueCache.set(l, await r.json());
    }
    lang = l;
    strings = catalogueCache.get(l);
    document.documentElement.lang = l;
    if (!remember) return;
    try { localStorage.setItem(LANG_KEY, l); } catch { /* storage disabled: only this page */ }
}

/** The language chosen earlier on this browser, else Bahasa Indonesia. */
export function savedLang() {
    try {
        const l = localStorage.getItem(LANG_KEY);
        if (LANGS.includes(l)) return l;
    } catch { /* storage disabled */ }
    return "id";
}

/**
 * The text of a catalogue key, `{name}` placeholders replaced by vars.
 * A missing key shows itself in brackets, so that it is seen and fixed
 * (the browser test fails on any such text).
 */
export function t(key, vars = {}) {
    const s = strings[key];
    if (typeof s !== "string") return `[${key}]`;
    return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** t() for a key that may be missing (an enum value the server added
 * later): the fallback instead of the bracketed key. */
export function tOr(key, fallback) {
    return typeof strings[key] === "string" ? strings[key] : fallback;
}

/** Fill the markup's data-i18n* attributes (text, aria-label, title). */
export function translateDocument(root = document) {
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    document.title = t("app.title");
}

// ------------------------------------------------------------------ DOM

/**
 * Create an element: h("button", {class: "primary", onclick: fn}, t("x")).
 * Attributes starting with "on" become listeners; `class`, `for`, aria-*
 * and data-* are set as attributes; booleans add or leave out the
 * attribute; null/undefined/false children are skipped; strings become
 * text nodes (never HTML).
 */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs ?? {})) {
        if (v === null || v === undefined || v === false) continue;
        if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
        else if (k === "value") el.value = v;
        else if (k === "checked") el.checked = Boolean(v);
        else if (v === true) el.setAttribute(k, "");
        else el.setAttribute(k, String(v));
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const c of children.flat(Infinity)) {
        if (c === null || c === undefined || c === false) continue;
        el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
}

/** Replace the children of el. */
export function mount(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
}

let uid = 0;
/** A fresh id for label/input pairs. */
export function nextId(prefix = "f") {
    return `${prefix}-${++uid}`;
}

/** A labelled form field: the label, then the control (given its id). */
export function field(labelKey, control, hintKey) {
    if (!control.id) control.id = nextId();
    const hint = hintKey ? h("span", { class: "hint", id: `${control.id}-hint` }, t(hintKey)) : null;
    if (hint) control.setAttribute("aria-describedby", hint.id);
    return h("div", { class: "field" }, h("label", { for: control.id }, t(labelKey)), control, hint);
}

/** A <select> of [value, text] pairs. */
export function select(options, value, attrs = {}) {
    return h("select", attrs, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

/** A table: caption (visually hidden when `hideCaption`), column heads, rows of cells. */
export function table(captionText, heads, rows, { hideCaption = false, cls = "" } = {}) {
    return h("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": captionText },
        h("table", { class: cls },
            h("caption", { class: hideCaption ? "sr-only" : null }, captionText),
            h("thead", {}, h("tr", {}, heads.map((x) => h("th", { scope: "col" }, x)))),
            h("tbody", {}, rows.length ? rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))
                : h("tr", {}, h("td", { colspan: heads.length, class: "empty" }, t("common.empty"))))));
}

/** A horizontal bar for a fraction 0..1 with its text (score breakdowns). */
export function bar(fraction, text, label) {
    const f = Math.max(0, Math.min(1, Number(fraction) || 0));
    const m = h("meter", { min: "0", max: "1", value: String(f), "aria-label": label, class: "bar" });
    return h("span", { class: "bar-row" }, m, h("span", { class: "bar-text" }, text));
}

// ------------------------------------------------------------------ messages

/** Announce a message in the page's status line (a polite live region). */
export function announce(text, kind = "info") {
    const el = document.getElementById("status");
    if (!el) return;
    el.className = `status ${kind}`;
    el.textContent = text;
}

/** The user-facing text of a failed call. */
export function errorText(err) {
    const code = err?.code ?? "internal";
    let s = tOr(`err.${code}`, t("err.other", { code }));
    if (err?.field) s += ` ${t("err.field", { field: err.field })}`;
    if (err?.message && code !== "unauthenticated") s += ` (${err.message})`;
    return s;
}

/** Run fn, announcing its error; resolves to fn's value or undefined. */
export async function guarded(fn) {
    try {
        return await fn();
    } catch (err) {
        console.warn(err);
        announce(errorText(err), "error");
        return undefined;
    }
}

// ------------------------------------------------------------------ formats

/** A number in the current language's format. */
export function num(x, digits = 0) {
    return Number(x ?? 0).toLocaleString(lang === "id" ? "id-ID" : "en-GB",
        { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A fraction 0..1 as a percentage. */
export function pct(x) {
    return `${num((x ?? 0) * 100, 0)}%`;
}

/** A score 0..10000 as 0..100 with one decimal. */
export function score(s) {
    return num((s ?? 0) / 100, 1);
}

/** A unix time as a local date and time. */
export function when(sec) {
    if (!sec) return "";
    return new Date(sec * 1000).toLocaleString(lang === "id" ? "id-ID" : "en-GB",
        { dateStyle: "medium", timeStyle: "short" });
}

/** The time zone in which coachnetd judges meeting dates (its `timezone`
 * config; this is its default).  A browser elsewhere, or one whose clock
 * zone is UTC, would otherwise offer tomorrow or yesterday near midnight. */
export const SERVER_TIMEZONE = "Asia/Jakarta";

/** Today's date as YYYY-MM-DD in the server's time zone. */
export function today() {
    // en-CA formats dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat("en-CA", { timeZone: SERVER_TIMEZONE, year: "numeric", month: "2-digit",
                                              day: "2-digit" }).format(new Date());
}

// ------------------------------------------------------------------ catalogues

const cat = { competencies: new Map(), provinces: new Map(), positions: new Map() };

async function tsv(name) {
    const r = await fetch(`data/${name}`);
    if (!r.ok) throw new Error(`data/${name}: HTTP ${r.status}`);
    return (await r.text()).split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t"));
}

/** Load the catalogues the server ships (data/*.tsv, copied by the build). */
export async function loadCatalogues() {
    const [comps, provs, pos] = await Promise.all(
        [tsv("competencies.tsv"), tsv("provinces.tsv"), tsv("position_classes.tsv")]);
    for (const [code, kind, id, en] of comps) cat.competencies.set(code, { kind, id, en });
    for (const [code, name, region] of provs) cat.provinces.set(code, { name, region });
    for (const [code, name, rank] of pos) cat.positions.set(code, { name, rank });
}

/** A competency's name in the current language ("T.<sector>" codes as they are). */
export function competencyName(code) {
    const c = cat.competencies.get(code);
    return c ? (lang === "en" ? c.en : c.id) : code;
}

/** A province's name. */
export function provinceName(code) {
    return cat.provinces.get(code)?.name ?? code ?? "";
}

/** A position class's name. */
export function positionName(code) {
    return cat.positions.get(code)?.name ?? code ?? "";
}

/** Every province code, in catalogue order. */
export function provinceCodes() {
    return [...cat.provinces.keys()];
}

// ------------------------------------------------------------------ files

/** Offer text as a file download (CSV export). */
export function download(filename, text, type = "text/csv") {
    const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
    const a = h("a", { href: url, download: filename, class: "sr-only" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** One CSV line (RFC 4180 quoting; a leading =+-@ is quoted away so that
 * a spreadsheet does not run it as a formula). */
export function csvLine(cells) {
    return cells.map((c) => {
        let s = String(c ?? "");
        if (/^[=+\-@]/.test(s)) s = `'${s}`;
        return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    }).join(",") + "\r\n";
}

/** The query part of the hash: #/coord/review?run=r1 -> {run: "r1"}. */
export function routeParams() {
    const q = location.hash.split("?")[1] ?? "";
    return Object.fromEntries(new URLSearchParams(q));
}
