// mine.mjs -- "my matches" for a mentee or a coach: the other side's card,
// accept/decline, meetings (log and confirm), feedback; live through the
// match.updated notification.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { coachCard, feedbackForm, matchTimes, meetingsBlock, menteeCard, statusBadge } from "./cards.mjs";
import { announce, field, guarded, h, mount, score, t } from "./ui.mjs";

/** Statuses in which a side may still answer (docs/methods.md match.respond). */
const ANSWERABLE = new Set(["approved", "requested"]);
/** Statuses in which meetings are logged. */
const MEETING = new Set(["accepted", "active", "completed"]);

/**
 * Render the matches of the logged-in mentee or coach into view.
 * `before` is an optional node shown above the list (the mentee's JP);
 * onMeeting runs after a meeting was logged.
 */
export async function renderMine(ctx, view, { titleKey, before = null, onMeeting } = {}) {
    const { items } = await ctx.client.matchMine({});
    const isMentee = ctx.role === "mentee";
    const list = h("div", { class: "cards" });
    for (const m of items) list.append(await matchCard(ctx, m, isMentee, onMeeting));
    mount(view,
        h("h1", {}, t(titleKey)),
        before,
        items.length ? list : h("p", { class: "empty" }, t(isMentee ? "mine.none_mentee" : "mine.none_coach")));
    ctx.listen("match.updated", () => ctx.rerender());
}

async function matchCard(ctx, m, isMentee, onMeeting) {
    const other = isMentee ? coachCard(m.coach) : menteeCard(m.mentee);
    const note = h("input", { type: "text", maxlength: "500" });
    const respond = async (accept) => {
        await guarded(async () => {
            await ctx.client.matchRespond({ match_id: m.id, accept, note: note.value.trim() || undefined });
            announce(accept ? t("mine.accepted") : t("mine.declined"), "ok");
            ctx.rerender();
        });
    };
    const answer = ANSWERABLE.has(m.status) && !(isMentee && m.status === "requested") ? h("div", { class: "actions" },
        field("mine.note", note),
        h("button", { type: "button", class: "primary", onclick: () => respond(true),
                      "aria-label": t("mine.accept_label", { name: (isMentee ? m.coach : m.mentee)?.name ?? m.id }) },
          t("mine.accept")),
        h("button", { type: "button", class: "danger", onclick: () => respond(false),
                      "aria-label": t("mine.decline_label", { name: (isMentee ? m.coach : m.mentee)?.name ?? m.id }) },
          t("mine.decline"))) : null;
    const meetings = MEETING.has(m.status)
        ? await meetingsBlock(ctx, m, { canLog: m.status !== "completed", onChange: onMeeting }) : null;
    return h("section", { class: "card match", "data-match": m.id, "aria-label": t("mine.match_label", { id: m.id }) },
        h("div", { class: "card-head" }, h("h2", {}, t(isMentee ? "mine.your_coach" : "mine.your_mentee")),
            statusBadge(m.status), h("span", { class: "score" }, t("mine.score", { score: score(m.score) }))),
        other ?? h("p", { class: "muted" }, t("mine.card_hidden")),
        answer,
        meetings,
        MEETING.has(m.status) ? feedbackForm(ctx, m) : null,
        matchTimes(m));
}
