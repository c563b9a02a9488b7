// coord.mjs -- the coordinator's screens: program dashboard with charts,
// import, runs (draft or published, live progress), the review list
// (names, sort, filters, paging, explanation panel, bulk approve/reject
// with a note, CSV export), unmatched mentees with reasons, pins and
// forbids, meetings, feedback and audit.
//
// Every screen works on one program, chosen in its toolbar and kept for
// the session (sessionStorage).
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { usersScreen } from "./admin.mjs";
import { chartFigure } from "./charts.mjs";
import { coachCard, explainPanel, meetingsBlock, menteeCard, statusBadge } from "./cards.mjs";
import {
    announce, bar, csvLine, download, errorText, field, guarded, h, mount, num, pct, provinceName, routeParams,
    score, select, t, table, tOr, when,
} from "./ui.mjs";

const PROGRAM_KEY = "coachnet.program";
const REVIEW_MAX = 100;          // match.review takes at most this many ids (LIMITS.REVIEW_MAX)
const PAGE_SIZES = [25, 50, 100];
const EXPORT_MAX = 20000;        // rows a CSV export fetches at most
const IMPORT_PARALLEL = 16;      // profile writes in flight during an import
const STATUSES = ["proposed", "approved", "accepted", "active", "completed", "rejected", "declined",
                  "cancelled", "requested"];
const REASONS = ["no_feasible_coach", "capacity", "below_min_score"];
const SORTS = ["score", "mentee_name", "coach_name", "updated_at"];

/** Whether the server's schema (methods.gen.mjs) has this param: the UI
 * offers what the server supports and does the rest in the page. */
function hasParam(ctx, method, name) {
    return (ctx.client.methods[method]?.params ?? []).some((p) => p.name === name);
}

// ------------------------------------------------------------------ program

async function programs(ctx) {
    const { items } = await ctx.client.programList({ limit: 500 });
    return items;
}

/** The program toolbar; resolves to the chosen program id (or null). */
async function programBar(ctx, view) {
    const items = await programs(ctx);
    let chosen = sessionStorage.getItem(PROGRAM_KEY);
    if (!items.some((p) => p.id === chosen)) chosen = items[0]?.id ?? null;
    if (chosen) sessionStorage.setItem(PROGRAM_KEY, chosen);
    const sel = select(items.map((p) => [p.id, `${p.name} (${p.id})`]), chosen, {
        id: "program-select",
        onchange: () => { sessionStorage.setItem(PROGRAM_KEY, sel.value); ctx.rerender(); },
    });
    view.append(h("div", { class: "toolbar" }, field("coord.program", sel)));
    if (!chosen) view.append(h("p", { class: "empty" }, t("coord.no_program")));
    return chosen;
}

// ------------------------------------------------------------------ dashboard

async function dashboard(ctx, view) {
    view.append(h("h1", {}, t("dash.title")));
    const program = await programBar(ctx, view);
    if (!program) return;
    const st = await ctx.client.statsGet({ program });
    const tiles = [
        ["dash.mentees", num(st.mentees)], ["dash.coaches", num(st.coaches)],
        ["dash.capacity", num(st.capacity)], ["dash.load", num(st.load)],
        ["dash.utilisation", pct(st.utilisation)], ["dash.coverage", pct(st.coverage)],
        ["dash.jp_total", num(st.jp_total, 1)],
        ["dash.feedback", st.feedback?.count ? num(st.feedback.mean_rating, 1) : "–"],
    ];
    view.append(h("section", { class: "tiles", "aria-label": t("dash.figures") },
        tiles.map(([k, v]) => h("div", { class: "tile" }, h("span", { class: "tile-v" }, v), h("span", { class: "tile-k" }, t(k))))));

    // The score distribution and, on a server without stats.get's `by`,
    // the breakdown by province come from the program's matches (up to
    // MATCH_LIST_MAX of them, best first).
    const { items: matches } = await ctx.client.matchList({ program, limit: 500 });
    const buckets = Array.from({ length: 10 }, () => 0);
    for (const m of matches) buckets[Math.min(9, Math.floor(m.score / 1000))]++;
    let byProvince;
    if (hasParam(ctx, "stats.get", "by")) {
        const r = await ctx.client.statsGet({ program, by: "province" });
        byProvince = (r.breakdown?.rows ?? []).filter((x) => x.matched > 0)
            .sort((a, b) => b.matched - a.matched).map((x) => [provinceName(x.key), x.matched]);
    } else {
        const count = new Map();
        for (const m of matches) {
            const p = m.mentee?.province;
            if (p) count.set(p, (count.get(p) ?? 0) + 1);
        }
        byProvince = [...count.entries()].sort((a, b) => b[1] - a[1]).map(([p, n]) => [provinceName(p), n]);
    }
    const unmatched = Object.entries(st.unmatched ?? {});
    const statusCounts = Object.entries(st.matches ?? {});
    view.append(h("div", { class: "charts" },
        chartFigure("chart-utilisation", t("dash.chart_utilisation"), "doughnut",
            [t("dash.used"), t("dash.free")], [st.load, Math.max(0, st.capacity - st.load)]),
        chartFigure("chart-coverage", t("dash.chart_coverage"), "doughnut",
            [t("dash.covered"), t("dash.not_covered")], [Math.round(st.coverage * 100), 100 - Math.round(st.coverage * 100)]),
        chartFigure("chart-scores", t("dash.chart_scores"), "bar",
            buckets.map((_, i) => `${i * 10}–${i * 10 + 10}`), buckets),
        chartFigure("chart-unmatched", t("dash.chart_unmatched"), "bar",
            unmatched.map(([r]) => tOr(`reason.${r}`, r)), unmatched.map(([, n]) => n)),
        chartFigure("chart-status", t("dash.chart_status"), "bar",
            statusCounts.map(([s]) => tOr(`status.${s}`, s)), statusCounts.map(([, n]) => n)),
        chartFigure("chart-province", t("dash.chart_province"), "bar",
            byProvince.slice(0, 15).map(([p]) => p), byProvince.slice(0, 15).map(([, n]) => n), { horizontal: true })));
}

// ------------------------------------------------------------------ import

/** Parse a JSON Lines file (one profile per line) or a JSON array. */
function parseProfiles(text) {
    const s = text.trim();
    if (s.startsWith("[")) return JSON.parse(s).map((p, i) => ({ line: i + 1, profile: p }));
    return s.split(/\r?\n/).map((l, i) => [l.trim(), i + 1]).filter(([l]) => l)
        .map(([l, line]) => {
            try { return { line, profile: JSON.parse(l) }; } catch (err) { return { line, error: err.message }; }
        });
}

async function importScreen(ctx, view) {
    view.append(h("h1", {}, t("import.title")), h("p", {}, t("import.intro")));
    const kind = select([["mentees", t("import.mentees")], ["coaches", t("import.coaches")]], "mentees", { id: "import-kind" });
    const file = h("input", { type: "file", id: "import-file", accept: ".jsonl,.json,.ndjson,application/json" });
    const progress = h("progress", { id: "import-progress", max: "1", value: "0", "aria-label": t("import.progress") });
    const result = h("div", { id: "import-result", "aria-live": "polite" });
    const form = h("form", {
        class: "card",
        onsubmit: async (ev) => {
            ev.preventDefault();
            const f = file.files[0];
            if (!f) return announce(t("import.choose"), "error");
            let rows;
            try { rows = parseProfiles(await f.text()); } catch (err) {
                return announce(t("import.bad_file", { error: err.message }), "error");
            }
            const put = kind.value === "coaches" ? (p) => ctx.client.coachPut({ profile: p })
                                                 : (p) => ctx.client.menteePut({ profile: p });
            progress.max = String(rows.length || 1);
            let done = 0, ok = 0;
            const errors = [];
            const queue = rows.slice();
            const worker = async () => {
                for (let r; (r = queue.shift()) !== undefined;) {
                    if (r.error) errors.push([r.line, "bad_request", "", r.error]);
                    else {
                        try { await put(r.profile); ok++; } catch (err) {
                            errors.push([r.line, err.code, err.field ?? "", err.message]);
                        }
                    }
                    progress.value = String(++done);
                }
            };
            await Promise.all(Array.from({ length: IMPORT_PARALLEL }, worker));
            errors.sort((a, b) => a[0] - b[0]);
            mount(result,
                h("p", { class: errors.length ? "warn" : "ok" }, t("import.done", { ok: num(ok), failed: num(errors.length) })),
                errors.length ? table(t("import.errors"), [t("import.line"), t("import.code"), t("import.field"), t("import.message")],
                    errors.slice(0, 200).map((e) => e.map(String))) : null);
            announce(t("import.done", { ok: num(ok), failed: num(errors.length) }), errors.length ? "warn" : "ok");
        },
    }, field("import.kind", kind), field("import.file", file, "import.file_hint"),
    h("button", { type: "submit", class: "primary", id: "import-submit" }, t("import.submit")), progress, result);
    view.append(form);
}

// ------------------------------------------------------------------ runs

function runState(r) {
    if (r.status !== "done") return tOr(`run.status_${r.status}`, r.status);
    if (r.draft && !r.published_at) return t("run.draft");
    return t("run.published", { when: when(r.published_at ?? r.finished_at) });
}

async function runsScreen(ctx, view) {
    view.append(h("h1", {}, t("run.title")));
    const program = await programBar(ctx, view);
    if (!program) return;
    const draft = h("input", { type: "checkbox", id: "run-draft", checked: true });
    const objective = select([["participation", t("run.obj_participation")], ["quality", t("run.obj_quality")]],
                             "participation", { id: "run-objective" });
    const progress = h("progress", { id: "run-progress", max: "1", value: "0", "aria-label": t("run.progress") });
    const progressText = h("p", { id: "run-progress-text", role: "status" }, t("run.idle"));
    const listBox = h("div", { id: "run-list" });
    let current = null;
    ctx.listen("run.progress", (p) => {
        if (p.run_id !== current) return;
        progress.dataset.events = String(Number(progress.dataset.events ?? 0) + 1);
        progress.max = String(p.total || 1);
        progress.value = String(p.done);
        progressText.textContent = t("run.progress_text", { phase: tOr(`phase.${p.phase}`, p.phase), done: num(p.done), total: num(p.total) });
    });
    ctx.listen("run.done", (d) => {
        if (d.run_id !== current) return;
        progress.value = progress.max;
        const s = d.stats ?? {};
        progressText.textContent = t("run.done_text", { status: tOr(`run.status_${d.status}`, d.status),
            matched: num(s.matched), mentees: num(s.mentees), score: score(s.mean_score) });
        current = null;
        refresh();
    });
    const start = async (ev) => {
        ev.preventDefault();
        await guarded(async () => {
            progress.value = "0";
            progressText.textContent = t("run.starting");
            const policy = objective.value === "participation" ? undefined : { objective: objective.value };
            const { run_id } = await ctx.client.matchRun({ program, draft: draft.checked, policy });
            current = run_id;
            progressText.textContent = t("run.started", { id: run_id });
        });
    };
    const refresh = async () => {
        const { items } = await ctx.client.runList({ program, limit: 20 });
        mount(listBox, table(t("run.list"),
            [t("run.id"), t("run.started_at"), t("run.state"), t("run.matched"), t("run.mean_score"), t("common.actions")],
            items.map((r) => [r.id, when(r.started_at), runState(r),
                r.stats ? `${num(r.stats.matched)} / ${num(r.stats.mentees)}` : "",
                r.stats ? score(r.stats.mean_score) : "",
                h("span", { class: "actions" },
                    r.status === "done" ? h("a", { href: `#/coord/review?run=${encodeURIComponent(r.id)}`,
                        "aria-label": t("run.review_label", { id: r.id }) }, t("run.review")) : null,
                    r.status === "done" ? h("a", { href: `#/coord/unmatched?run=${encodeURIComponent(r.id)}`,
                        "aria-label": t("run.unmatched_label", { id: r.id }) }, t("run.unmatched")) : null,
                    r.status === "done" && r.draft && !r.published_at ? h("button", {
                        type: "button", class: "primary small", "data-publish": r.id,
                        "aria-label": t("run.publish_label", { id: r.id }),
                        onclick: () => guarded(async () => {
                            const res = await ctx.client.runPublish({ run_id: r.id });
                            announce(t("run.published_n", { n: num(res.published) }), "ok");
                            await refresh();
                        }),
                    }, t("run.publish")) : null)])));
    };
    view.append(h("form", { class: "card", onsubmit: start, "aria-label": t("run.new") },
        h("h2", {}, t("run.new")),
        h("div", { class: "check" }, draft, h("label", { for: "run-draft" }, t("run.draft_option"))),
        field("run.objective", objective),
        h("button", { type: "submit", class: "primary", id: "run-start" }, t("run.start")),
        progress, progressText), listBox);
    await refresh();
}

// ------------------------------------------------------------------ review

async function reviewScreen(ctx, view, params) {
    view.append(h("h1", {}, t("review.title")));
    const program = await programBar(ctx, view);
    if (!program) return;
    const { items: runs } = await ctx.client.runList({ program, limit: 20 });
    const serverSort = hasParam(ctx, "match.list", "sort");
    const state = { run: params.run ?? "", status: params.run ? "" : "proposed", min: "", sort: "score",
                    size: 50, cursors: [null], page: 0 };
    const runSel = select([["", t("review.current")], ...runs.filter((r) => r.status === "done")
        .map((r) => [r.id, `${r.id} — ${runState(r)}`])], state.run, { id: "review-run" });
    const statusSel = select([["", t("review.any_status")], ...STATUSES.map((s) => [s, tOr(`status.${s}`, s)])],
                             state.status, { id: "review-status" });
    const minScore = h("input", { type: "number", min: "0", max: "100", step: "1", id: "review-min", inputmode: "numeric" });
    const sortSel = select(SORTS.map((s) => [s, t(`review.sort_${s}`)]), state.sort, { id: "review-sort" });
    const sizeSel = select(PAGE_SIZES.map((n) => [String(n), String(n)]), String(state.size), { id: "review-size" });
    const note = h("input", { type: "text", id: "review-note", maxlength: "500" });
    const listBox = h("div", { id: "review-list" });
    const pager = h("div", { class: "pager" });
    const panel = h("section", { id: "explain-panel", class: "card panel", tabindex: "-1", hidden: true,
                                 "aria-labelledby": "explain-title" });
    let panelFor = null;
    // Escape closes the panel and gives the focus back to the row's button.
    const closePanel = () => {
        panel.hidden = true;
        listBox.querySelector(`[data-explain="${panelFor}"]`)?.focus();
    };
    panel.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closePanel(); });
    let rows = [];

    const query = () => {
        const q = { limit: state.size };
        if (state.run) q.run_id = state.run; else q.program = program;
        if (state.status) q.status = state.status;
        if (state.min !== "") q.min_score = Math.round(Number(state.min) * 100);
        if (serverSort) q.sort = state.sort;
        return q;
    };
    // Without the server's sort, the page is sorted here (the server's
    // order is by score).
    const localSort = (items) => {
        if (serverSort || state.sort === "score") return items;
        const key = { mentee_name: (m) => m.mentee?.name ?? "", coach_name: (m) => m.coach?.name ?? "",
                      updated_at: (m) => -m.updated_at }[state.sort];
        return items.slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    };
    const load = async () => {
        const q = query();
        const cursor = state.cursors[state.page];
        if (cursor) q.cursor = cursor;
        const r = await ctx.client.matchList(q);
        state.cursors[state.page + 1] = r.cursor ?? null;
        rows = localSort(r.items);
        const all = h("input", { type: "checkbox", id: "review-all", "aria-label": t("review.select_all"),
            onchange: () => { for (const c of listBox.querySelectorAll("input[data-id]")) c.checked = all.checked; } });
        mount(listBox, table(t("review.list_caption", { n: num(rows.length) }),
            [all, t("review.mentee"), t("review.coach"), t("review.score"), t("review.status"), t("common.actions")],
            rows.map((m) => [
                h("input", { type: "checkbox", "data-id": m.id,
                             "aria-label": t("review.select", { mentee: m.mentee?.name ?? m.mentee_id, coach: m.coach?.name ?? m.coach_id }) }),
                h("span", {}, m.mentee?.name ?? m.mentee_id, h("br"), h("span", { class: "code" }, m.mentee_id)),
                h("span", {}, m.coach?.name ?? m.coach_id, h("br"), h("span", { class: "code" }, m.coach_id)),
                bar(m.score / 10000, score(m.score), t("review.score")),
                statusBadge(m.status),
                h("button", { type: "button", class: "small", "data-explain": m.id,
                              "aria-label": t("review.explain_label", { mentee: m.mentee?.name ?? m.mentee_id }),
                              onclick: () => showPanel(m) }, t("review.explain")),
            ]), { cls: "review" }));
        mount(pager,
            h("button", { type: "button", disabled: state.page === 0, id: "page-prev",
                          onclick: () => { state.page--; guarded(load); } }, t("common.prev")),
            h("span", { "aria-live": "polite" }, t("common.page", { n: state.page + 1 })),
            h("button", { type: "button", disabled: !state.cursors[state.page + 1], id: "page-next",
                          onclick: () => { state.page++; guarded(load); } }, t("common.next")));
    };
    const reset = () => { state.cursors = [null]; state.page = 0; return guarded(load); };

    const showPanel = async (m) => {
        panelFor = m.id;
        panel.hidden = false;
        mount(panel, h("p", {}, t("common.loading")));
        let ex = m.explain;
        try {
            if (!ex) ex = (await ctx.client.matchExplain({ mentee_id: m.mentee_id, coach_id: m.coach_id })).explain;
        } catch (err) {
            mount(panel, h("p", { class: "error" }, errorText(err)));
            return;
        }
        const pairRule = (kind) => guarded(async () => {
            const args = { program: m.program ?? program, mentee_id: m.mentee_id, coach_id: m.coach_id };
            if (kind === "pin") await ctx.client.matchPin(args); else await ctx.client.matchForbid(args);
            announce(t(kind === "pin" ? "pins.pinned" : "pins.forbidden"), "ok");
        });
        const meetings = ["accepted", "active", "completed"].includes(m.status)
            ? await meetingsBlock(ctx, m, { canLog: false }) : null;
        mount(panel,
            h("div", { class: "card-head" },
                h("h2", { id: "explain-title" }, t("explain.title")),
                h("button", { type: "button", class: "small", id: "explain-close", onclick: closePanel },
                  t("common.close"))),
            h("div", { class: "pair" }, menteeCard(m.mentee), coachCard(m.coach)),
            explainPanel(ex),
            meetings,
            h("div", { class: "actions" },
                h("button", { type: "button", "data-pin": "pin", onclick: () => pairRule("pin") }, t("pins.pin")),
                h("button", { type: "button", "data-pin": "forbid", onclick: () => pairRule("forbid") }, t("pins.forbid"))));
        panel.focus();
    };

    const bulk = (decision) => guarded(async () => {
        const ids = [...listBox.querySelectorAll("input[data-id]:checked")].map((c) => c.dataset.id);
        if (!ids.length) return announce(t("review.none_selected"), "error");
        let ok = 0;
        const failed = [];
        for (let i = 0; i < ids.length; i += REVIEW_MAX) {
            const { results } = await ctx.client.matchReview({ match_ids: ids.slice(i, i + REVIEW_MAX), decision,
                                                               note: note.value.trim() || undefined });
            for (const r of results) if (r.error) failed.push(`${r.id}: ${r.error.code}`); else ok++;
        }
        announce(t(decision === "approve" ? "review.approved" : "review.rejected", { n: num(ok) }) +
                 (failed.length ? ` ${t("review.failed", { list: failed.join(", ") })}` : ""), failed.length ? "warn" : "ok");
        await load();
    });

    const exportCsv = () => guarded(async () => {
        let out = csvLine(["match_id", "mentee_id", "mentee_name", "coach_id", "coach_name", "score", "status", "province"]);
        const q = query();
        q.limit = 500;
        let n = 0;
        for (let cursor = null; ;) {
            if (cursor) q.cursor = cursor;
            const r = await ctx.client.matchList(q);
            for (const m of r.items) {
                out += csvLine([m.id, m.mentee_id, m.mentee?.name, m.coach_id, m.coach?.name,
                                (m.score / 100).toFixed(2), m.status, m.mentee?.province]);
            }
            n += r.items.length;
            cursor = r.cursor;
            if (!cursor || n >= EXPORT_MAX) break;
        }
        download(`coachnet-${state.run || program}-matches.csv`, out);
        announce(t("review.exported", { n: num(n) }), "ok");
    });

    for (const [el, key] of [[runSel, "run"], [statusSel, "status"], [minScore, "min"], [sortSel, "sort"], [sizeSel, "size"]]) {
        el.addEventListener("change", () => {
            state[key] = key === "size" ? Number(el.value) : el.value;
            if (key === "sort" && !serverSort) { rows = localSort(rows); return guarded(load); }
            reset();
        });
    }
    view.append(
        h("div", { class: "card filters", role: "group", "aria-label": t("review.filters") },
            field("review.run", runSel), field("review.status", statusSel), field("review.min_score", minScore),
            field("review.sort", sortSel, serverSort ? null : "review.sort_page"), field("review.page_size", sizeSel)),
        h("div", { class: "card bulk", role: "group", "aria-label": t("review.bulk") },
            field("review.note", note),
            h("button", { type: "button", class: "primary", id: "bulk-approve", onclick: () => bulk("approve") }, t("review.approve")),
            h("button", { type: "button", class: "danger", id: "bulk-reject", onclick: () => bulk("reject") }, t("review.reject")),
            h("button", { type: "button", id: "export-csv", onclick: exportCsv }, t("review.export"))),
        h("div", { class: "review-layout" }, h("div", {}, listBox, pager), panel));
    await load();
}

// ------------------------------------------------------------------ unmatched

async function unmatchedScreen(ctx, view, params) {
    view.append(h("h1", {}, t("unmatched.title")));
    const program = await programBar(ctx, view);
    if (!program) return;
    const { items: runs } = await ctx.client.runList({ program, limit: 20 });
    const done = runs.filter((r) => r.status === "done");
    let run = params.run ?? done[0]?.id ?? "";
    let reason = "";
    const runSel = select(done.map((r) => [r.id, `${r.id} — ${runState(r)}`]), run, { id: "unmatched-run" });
    const reasonSel = select([["", t("unmatched.any")], ...REASONS.map((r) => [r, t(`reason.${r}`)])], "", { id: "unmatched-reason" });
    const box = h("div", {});
    const load = async () => {
        if (!run) return mount(box, h("p", { class: "empty" }, t("unmatched.no_run")));
        const q = { run_id: run, limit: 500 };
        if (reason) q.reason = reason;
        const { items } = await ctx.client.runUnmatched(q);
        mount(box, table(t("unmatched.caption", { n: num(items.length) }), [t("review.mentee"), "NIP", t("unmatched.reason")],
            items.map((u) => [u.name, u.mentee_id, tOr(`reason.${u.reason}`, u.reason)])));
    };
    runSel.addEventListener("change", () => { run = runSel.value; guarded(load); });
    reasonSel.addEventListener("change", () => { reason = reasonSel.value; guarded(load); });
    view.append(h("div", { class: "card filters" }, field("review.run", runSel), field("unmatched.reason", reasonSel)), box);
    await load();
}

// ------------------------------------------------------------------ pins

async function pinsScreen(ctx, view) {
    view.append(h("h1", {}, t("pins.title")), h("p", {}, t("pins.intro")));
    const program = await programBar(ctx, view);
    if (!program) return;
    const box = h("div", {});
    const load = async () => {
        const r = await ctx.client.matchPins({ program });
        const rows = (list, kind) => list.map((p) => [p.mentee_id, p.coach_id,
            h("button", { type: "button", class: "small",
                          "aria-label": t("pins.remove_label", { mentee: p.mentee_id, coach: p.coach_id }),
                          onclick: () => guarded(async () => {
                              const a = { program, mentee_id: p.mentee_id, coach_id: p.coach_id };
                              if (kind === "pin") await ctx.client.matchUnpin(a); else await ctx.client.matchUnforbid(a);
                              await load();
                          }) }, t("pins.remove"))]);
        mount(box,
            table(t("pins.pins"), [t("review.mentee"), t("review.coach"), t("common.actions")], rows(r.pins ?? [], "pin")),
            table(t("pins.forbids"), [t("review.mentee"), t("review.coach"), t("common.actions")], rows(r.forbids ?? [], "forbid")));
    };
    const mentee = h("input", { type: "text", inputmode: "numeric", maxlength: "40", required: true });
    const coach = h("input", { type: "text", maxlength: "40", required: true });
    const kind = select([["pin", t("pins.pin")], ["forbid", t("pins.forbid")]], "pin");
    view.append(h("form", {
        class: "card inline-form", "aria-label": t("pins.add"),
        onsubmit: (ev) => {
            ev.preventDefault();
            guarded(async () => {
                const a = { program, mentee_id: mentee.value.trim(), coach_id: coach.value.trim() };
                if (kind.value === "pin") await ctx.client.matchPin(a); else await ctx.client.matchForbid(a);
                announce(t(kind.value === "pin" ? "pins.pinned" : "pins.forbidden"), "ok");
                await load();
            });
        },
    }, field("pins.mentee_id", mentee), field("pins.coach_id", coach), field("pins.kind", kind),
    h("button", { type: "submit", class: "primary" }, t("pins.add"))), box);
    await load();
}

// ------------------------------------------------------------------ activity

async function activityScreen(ctx, view) {
    view.append(h("h1", {}, t("activity.title")));
    const program = await programBar(ctx, view);
    if (!program) return;
    const [fb, audit, active] = await Promise.all([
        ctx.client.feedbackList({ program, limit: 50 }),
        ctx.client.auditList({ program, limit: 50 }),
        ctx.client.matchList({ program, status: "active", limit: 50 }),
    ]);
    const meetBox = h("div", {});
    view.append(
        h("section", { class: "card" }, h("h2", {}, t("activity.meetings")),
            table(t("activity.active"), [t("review.mentee"), t("review.coach"), t("common.actions")],
                active.items.map((m) => [m.mentee?.name ?? m.mentee_id, m.coach?.name ?? m.coach_id,
                    h("button", { type: "button", class: "small",
                                  "aria-label": t("activity.show_meetings", { mentee: m.mentee?.name ?? m.mentee_id }),
                                  onclick: async () => mount(meetBox, await meetingsBlock(ctx, m, { canLog: false })) },
                      t("activity.meetings"))]), { hideCaption: true }),
            meetBox),
        h("section", { class: "card" }, h("h2", {}, t("activity.feedback")),
            table(t("activity.feedback"), [t("activity.at"), t("activity.match"), t("activity.by"), t("feedback.rating"), t("feedback.comment")],
                fb.items.map((f) => [when(f.at), f.match_id, tOr(`role.${f.role}`, f.role), num(f.rating), f.comment ?? ""]),
                { hideCaption: true })),
        h("section", { class: "card" }, h("h2", {}, t("activity.audit")),
            table(t("activity.audit"), [t("activity.at"), t("activity.actor"), t("activity.action"), t("activity.object")],
                audit.items.map((a) => [when(a.at), a.actor, a.action, a.object]), { hideCaption: true })));
}

const withParams = (fn) => (ctx, view) => fn(ctx, view, routeParams());

export const ROUTES = [
    ["coord/dashboard", "nav.dashboard", dashboard],
    ["coord/runs", "nav.runs", runsScreen],
    ["coord/review", "nav.review", withParams(reviewScreen)],
    ["coord/unmatched", "nav.unmatched", withParams(unmatchedScreen)],
    ["coord/import", "nav.import", importScreen],
    ["coord/pins", "nav.pins", pinsScreen],
    ["coord/activity", "nav.activity", activityScreen],
    ["coord/users", "nav.users", usersScreen],
];
