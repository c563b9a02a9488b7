// cards.mjs -- what several screens show: people's cards, match status,
// the explanation of a score with its breakdown bars, meetings.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import {
    announce, bar, competencyName, errorText, field, guarded, h, mount, num, pct, positionName,
    provinceName, score, t, table, today, tOr, when,
} from "./ui.mjs";

/** A status badge. */
export function statusBadge(status) {
    return h("span", { class: `badge st-${status}` }, tOr(`status.${status}`, status));
}

/** A coach's card (as a mentee or a coordinator sees it). */
export function coachCard(c, headingLevel = "h3") {
    if (!c) return null;
    return h("article", { class: "person", "aria-label": t("card.coach_label", { name: c.name }) },
        h(headingLevel, {}, c.name),
        h("dl", {},
            h("dt", {}, t("card.kind")), h("dd", {}, tOr(`kind.${c.kind}`, c.kind)),
            h("dt", {}, t("card.organization")), h("dd", {}, c.organization),
            h("dt", {}, t("card.province")), h("dd", {}, provinceName(c.province)),
            c.languages?.length ? [h("dt", {}, t("card.languages")), h("dd", {}, c.languages.join(", "))] : null,
            c.email ? [h("dt", {}, t("card.email")), h("dd", {}, h("a", { href: `mailto:${c.email}` }, c.email))] : null,
            c.phone ? [h("dt", {}, t("card.phone")), h("dd", {}, h("a", { href: `tel:${c.phone}` }, c.phone))] : null),
        c.bio ? h("p", { class: "bio" }, c.bio) : null);
}

/** A mentee's card (as a coach or a coordinator sees it). */
export function menteeCard(m, headingLevel = "h3") {
    if (!m) return null;
    return h("article", { class: "person", "aria-label": t("card.mentee_label", { name: m.name }) },
        h(headingLevel, {}, m.name),
        h("dl", {},
            h("dt", {}, t("card.agency")), h("dd", {}, m.agency),
            h("dt", {}, t("card.position")), h("dd", {}, positionName(m.position_class)),
            h("dt", {}, t("card.province")), h("dd", {}, provinceName(m.province)),
            m.email ? [h("dt", {}, t("card.email")), h("dd", {}, h("a", { href: `mailto:${m.email}` }, m.email))] : null,
            m.phone ? [h("dt", {}, t("card.phone")), h("dd", {}, h("a", { href: `tel:${m.phone}` }, m.phone))] : null),
        m.goals ? h("p", { class: "bio" }, h("strong", {}, t("card.goals")), " ", m.goals) : null);
}

/**
 * The explanation of a pair's score: the total, the three factors as bars,
 * and a row per competency (gap, the coach's level, how much of the gap the
 * coach covers, as a bar).
 */
export function explainPanel(ex) {
    if (!ex) return h("p", {}, t("explain.none"));
    const comps = ex.competencies ?? [];
    return h("div", { class: "explain" },
        h("p", { class: "explain-total" }, t("explain.total", { score: score(ex.score) }),
            ex.feasible === false ? h("span", { class: "badge st-rejected" },
                t("explain.infeasible", { reason: tOr(`reason.${ex.reason}`, ex.reason ?? "") })) : null),
        h("ul", { class: "factors" },
            h("li", {}, h("span", { class: "factor" }, t("explain.gap_coverage")),
                bar(ex.gap_coverage, pct(ex.gap_coverage), t("explain.gap_coverage"))),
            h("li", {}, h("span", { class: "factor" }, t("explain.location")),
                bar(ex.location, pct(ex.location), t("explain.location"))),
            h("li", {}, h("span", { class: "factor" }, t("explain.availability")),
                bar(ex.availability, pct(ex.availability), t("explain.availability")))),
        table(t("explain.competencies"),
            [t("explain.competency"), t("explain.gap"), t("explain.coach_level"), t("explain.covered")],
            comps.map((c) => [
                h("span", {}, competencyName(c.code), h("span", { class: "code" }, ` ${c.code}`)),
                num(c.gap), num(c.coach_level),
                bar(c.gap ? c.covered / c.gap : 0, `${num(c.covered)} / ${num(c.gap)}`,
                    t("explain.covered_of", { name: competencyName(c.code) })),
            ])));
}

/**
 * The meetings of a match, and (for a side) a form to log one; a meeting
 * the other side logged and nobody confirmed gets a Confirm button (logging
 * the same date confirms it, docs/methods.md meeting.log).
 * onChange is called after a successful log (JP moved).
 */
export async function meetingsBlock(ctx, match, { canLog, onChange }) {
    const box = h("section", { class: "meetings", "aria-label": t("meet.title") });
    const refresh = async () => {
        const { items } = await ctx.client.meetingList({ match_id: match.id });
        const me = ctx.subject;
        const rows = items.map((m) => [
            m.date, num(m.minutes), num(m.minutes / 45, 1), m.topic ?? "",
            m.logged_by === me ? t("meet.by_me") : t("meet.by_other"),
            m.confirmed_by ? t("meet.confirmed") :
                (canLog && m.logged_by !== me ? h("button", {
                    type: "button", class: "small",
                    "aria-label": t("meet.confirm_label", { date: m.date }),
                    onclick: () => log(m.date, m.minutes, m.topic ?? ""),
                }, t("meet.confirm")) : t("meet.unconfirmed")),
        ]);
        mount(box,
            h("h4", {}, t("meet.title")),
            table(t("meet.title"), [t("meet.date"), t("meet.minutes"), t("meet.jp"), t("meet.topic"),
                                    t("meet.logged_by"), t("meet.status")], rows, { hideCaption: true }),
            canLog ? form() : null);
    };
    const log = async (date, minutes, topic) => {
        await guarded(async () => {
            const r = await ctx.client.meetingLog({ match_id: match.id, date, minutes, topic: topic || undefined });
            announce(r.confirmed ? t("meet.confirmed_done") : t("meet.logged",
                { jp: num(r.jp_total ?? 0, 1) }), "ok");
            await refresh();
            await onChange?.();
        });
    };
    const form = () => {
        const date = h("input", { type: "date", value: today(), max: today(), required: true });
        const minutes = h("input", { type: "number", min: "1", max: "600", value: "60", required: true, inputmode: "numeric" });
        const topic = h("input", { type: "text", maxlength: "200" });
        return h("form", {
            class: "inline-form", "aria-label": t("meet.log_title"),
            onsubmit: (ev) => { ev.preventDefault(); log(date.value, Number(minutes.value), topic.value.trim()); },
        }, field("meet.date", date), field("meet.minutes", minutes), field("meet.topic", topic),
        h("button", { type: "submit", class: "primary" }, t("meet.log")));
    };
    try {
        await refresh();
    } catch (err) {
        mount(box, h("p", { class: "error" }, errorText(err)));
    }
    return box;
}

/** Feedback for a match (rating 1..5 and a comment). */
export function feedbackForm(ctx, match) {
    const rating = h("select", {}, [5, 4, 3, 2, 1].map((n) => h("option", { value: String(n) }, t(`feedback.r${n}`))));
    const comment = h("textarea", { rows: "2", maxlength: "2000" });
    return h("form", {
        class: "inline-form", "aria-label": t("feedback.title"),
        onsubmit: async (ev) => {
            ev.preventDefault();
            await guarded(async () => {
                await ctx.client.feedbackPut({ match_id: match.id, rating: Number(rating.value),
                                               comment: comment.value.trim() || undefined });
                announce(t("feedback.saved"), "ok");
            });
        },
    }, h("h4", {}, t("feedback.title")), field("feedback.rating", rating), field("feedback.comment", comment),
    h("button", { type: "submit" }, t("feedback.send")));
}

/** Times of a match for its card's footer. */
export function matchTimes(m) {
    return h("p", { class: "muted small" }, t("match.updated", { when: when(m.updated_at) }));
}
