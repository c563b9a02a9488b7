// charts.mjs -- the dashboard's charts (Chart.js, ESM build), each a canvas
// with a text alternative that states the same numbers.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { Chart, registerables } from "../vendor/chart.js/chart.js";
import { h, num } from "./ui.mjs";

Chart.register(...registerables);

const COLOURS = ["#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#4b5563"];

/**
 * A chart in a figure: `kind` bar or doughnut, labels and one series of
 * values.  The canvas is an image whose accessible name lists every
 * label and value.
 */
export function chartFigure(id, title, kind, labels, values, { horizontal = false } = {}) {
    const alt = `${title}: ${labels.map((l, i) => `${l} ${num(values[i], Number.isInteger(values[i]) ? 0 : 1)}`).join(", ")}`;
    const canvas = h("canvas", { id, role: "img", "aria-label": alt });
    const fig = h("figure", { class: "chart" }, h("figcaption", {}, title), h("div", { class: "chart-box" }, canvas));
    // Chart.js measures its parent: draw once the figure is in the page.
    requestAnimationFrame(() => {
        if (!canvas.isConnected) return;
        new Chart(canvas, {
            type: kind,
            data: { labels, datasets: [{ label: title, data: values,
                backgroundColor: kind === "doughnut" ? COLOURS.slice(0, values.length) : COLOURS[0] }] },
            options: {
                animation: false,
                maintainAspectRatio: false,
                indexAxis: horizontal ? "y" : "x",
                plugins: { legend: { display: kind === "doughnut" } },
                scales: kind === "doughnut" ? {} : { x: { ticks: { autoSkip: true } }, y: { beginAtZero: true } },
            },
        });
    });
    return fig;
}
