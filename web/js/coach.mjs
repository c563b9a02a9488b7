// coach.mjs -- the coach's screens: my mentees (accept/decline, meetings).
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { renderMine } from "./mine.mjs";

export const ROUTES = [
    ["coach/mentees", "nav.my_mentees", (ctx, view) => renderMine(ctx, view, { titleKey: "coach.title" })],
];
