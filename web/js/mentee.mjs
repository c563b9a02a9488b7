// mentee.mjs -- the mentee's screens: my matches with the JP progress,
// my profile with its competency gaps, suggestions with explanations and
// the request of a coach (self-service programs).
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { coachCard, explainPanel } from "./cards.mjs";
import { renderMine } from "./mine.mjs";
import {
    announce, bar, competencyName, errorText, field, guarded, h, mount, num, positionName, provinceName,
    score, select, t, table,
} from "./ui.mjs";

/** The JP progress toward the program's target for this year. */
async function jpBlock(ctx) {
    const box = h("section", { class: "card jp", "aria-labelledby": "jp-title" });
    const fill = async () => {
        const r = await ctx.client.jpGet({});
        const jp = Number(r.jp ?? r.minutes / 45);
        const target = Number(r.target ?? 20);
        mount(box,
            h("h2", { id: "jp-title" }, t("jp.title", { year: r.year })),
            h("progress", { id: "jp-progress", max: String(target), value: String(Math.min(jp, target)),
                            "aria-label": t("jp.label") }),
            h("p", { id: "jp-text" }, t("jp.text", { jp: num(jp, 1), target: num(target), minutes: num(r.minutes) })));
    };
    try {
        await fill();
    } catch (err) {
        mount(box, h("p", { class: "error" }, errorText(err)));
    }
    return { box, fill };
}

async function matchesScreen(ctx, view) {
    const jp = await jpBlock(ctx);
    await renderMine(ctx, view, { titleKey: "mentee.title", before: jp.box, onMeeting: jp.fill });
}

async function profileScreen(ctx, view) {
    const { profile: p, version } = await ctx.client.menteeGet({ id: ctx.subject });
    const rows = (p.competencies ?? []).map((c) => {
        const gap = Math.max(0, c.required - c.current);
        return [h("span", {}, competencyName(c.code), h("span", { class: "code" }, ` ${c.code}`)),
            num(c.current), num(c.required),
            bar(gap / 5, num(gap), t("profile.gap_of", { name: competencyName(c.code) }))];
    });
    const goals = h("textarea", { rows: "3", maxlength: "1000", value: p.goals ?? "" });
    const email = h("input", { type: "email", value: p.email ?? "", autocomplete: "email" });
    const phone = h("input", { type: "tel", value: p.phone ?? "", autocomplete: "tel", placeholder: "+628123456789" });
    const language = select([["id", t("lang.id")], ["en", t("lang.en")]], p.language ?? "id");
    const form = h("form", {
        class: "card", "aria-labelledby": "profile-edit",
        onsubmit: async (ev) => {
            ev.preventDefault();
            const next = { ...p, goals: goals.value.trim(), email: email.value.trim() || undefined,
                           phone: phone.value.trim() || undefined, language: language.value };
            await guarded(async () => {
                await ctx.client.menteePut({ profile: next, if_version: version });
                announce(t("profile.saved"), "ok");
                ctx.rerender();
            });
        },
    }, h("h2", { id: "profile-edit" }, t("profile.edit")),
    field("profile.goals", goals), field("profile.email", email), field("profile.phone", phone, "profile.phone_hint"),
    field("profile.language", language),
    h("button", { type: "submit", class: "primary" }, t("common.save")));
    mount(view,
        h("h1", {}, t("profile.title")),
        h("section", { class: "card" },
            h("h2", {}, p.name),
            h("dl", {},
                h("dt", {}, t("card.nip")), h("dd", {}, p.id),
                h("dt", {}, t("card.agency")), h("dd", {}, p.agency),
                h("dt", {}, t("card.position")), h("dd", {}, positionName(p.position_class)),
                h("dt", {}, t("card.province")), h("dd", {}, provinceName(p.province)),
                h("dt", {}, t("card.program")), h("dd", {}, p.program))),
        h("section", { class: "card" }, h("h2", {}, t("profile.gaps")),
            table(t("profile.gaps"), [t("explain.competency"), t("profile.current"), t("profile.required"),
                                      t("explain.gap")], rows, { hideCaption: true })),
        form);
}

async function suggestScreen(ctx, view) {
    const { items } = await ctx.client.matchSuggest({ mentee_id: ctx.subject, limit: 10 });
    const list = h("div", { class: "cards" });
    for (const [i, s] of items.entries()) {
        const panelId = `sugg-explain-${i}`;
        const panel = h("div", { id: panelId, class: "explain-box", hidden: true }, explainPanel(s.explain));
        const toggle = h("button", {
            type: "button", "aria-expanded": "false", "aria-controls": panelId,
            onclick: () => {
                const open = panel.hidden;
                panel.hidden = !open;
                toggle.setAttribute("aria-expanded", String(open));
            },
        }, t("suggest.why"));
        list.append(h("section", { class: "card" },
            h("div", { class: "card-head" }, h("h2", {}, s.coach?.name ?? s.coach_id),
                h("span", { class: "score" }, t("mine.score", { score: score(s.score) }))),
            coachCard(s.coach ? { ...s.coach, name: t("suggest.about") } : null),
            h("div", { class: "actions" }, toggle,
                h("button", { type: "button", class: "primary",
                              "aria-label": t("suggest.request_label", { name: s.coach?.name ?? s.coach_id }),
                              onclick: () => guarded(async () => {
                                  await ctx.client.matchRequest({ coach_id: s.coach_id });
                                  ctx.go("mentee/matches", t("suggest.requested"));
                              }) }, t("suggest.request"))),
            panel));
    }
    mount(view, h("h1", {}, t("suggest.title")), h("p", {}, t("suggest.intro")),
        items.length ? list : h("p", { class: "empty" }, t("suggest.none")));
}

export const ROUTES = [
    ["mentee/matches", "nav.my_matches", matchesScreen],
    ["mentee/profile", "nav.profile", profileScreen],
    ["mentee/suggest", "nav.suggest", suggestScreen],
];
