// The dashboard's figures as SVG: bar, line, area, pie and progress charts, and tiles
// of single figures, from the server's `show_chart` and `show_metrics` results
// (docs/protocol.md). Geometry goes in attributes and colour in chat.css (classes
// series-0 … series-7 over the mode's palette), so the page's CSP, which allows no
// inline style, holds. Each chart has a title, a value on every mark's hover and
// keyboard focus, and a table of its values for screen readers.

import { COPY, fill } from "./copy.js";
import { h, svg } from "./dom.js";
import { figureFormat } from "./format.js";

// Every chart is this wide in its own units; chat.css scales it to its box.
const WIDTH = 340;
// As many colours as chat.css derives for series and slices.
const PALETTE_SIZE = 8;
// An 11-unit label's average advance: text is laid out before it is drawn.
const CHAR_WIDTH = 6.2;
const LEGEND_HEIGHT = 22;

let clipIds = 0;

// ---- Geometry -------------------------------------------------------------

const round = (value) => Math.round(value * 100) / 100;
const clamp = (value, low, high) => Math.min(Math.max(value, low), high);
const sum = (values) => values.reduce((total, value) => total + value, 0);
const textWidth = (texts) => Math.max(0, ...texts.map((t) => String(t).length));

/** A linear map from the domain [low, high] onto [from, to]. */
function scale(low, high, from, to) {
  const span = high - low || 1;
  return (value) => round(from + ((value - low) / span) * (to - from));
}

/** Round steps (1, 2, 2.5 or 5 × 10ⁿ) that cover [low, high] in about `count`. */
function ticksNice(low, high, count = 4) {
  const raw = (high - low) / count || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const first = Math.floor(low / step);
  const last = Math.ceil(high / step);
  return Array.from({ length: last - first + 1 }, (_, i) =>
    Number(((first + i) * step).toPrecision(12)),
  );
}

/** What a line's axis spans: zero too when the chart fills to it, or the data is near it. */
function domain(values, fromZero) {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (fromZero || (low > 0 && low < high / 2)) low = Math.min(low, 0);
  if (fromZero) high = Math.max(high, 0);
  if (low === high) high = low + (Math.abs(low) || 1);
  return [low, high];
}

function truncate(text, chars) {
  const value = String(text);
  return value.length > chars ? `${value.slice(0, chars - 1)}…` : value;
}

/** A whole donut: its outer circle, then its hole drawn the other way round. */
function ringPath(cx, cy, outer, inner) {
  const circle = (radius, sweep) =>
    `M${cx} ${cy - radius}A${radius} ${radius} 0 1 ${sweep} ${cx} ${cy + radius}` +
    `A${radius} ${radius} 0 1 ${sweep} ${cx} ${cy - radius}Z`;
  return circle(outer, 1) + circle(inner, 0);
}

/** The outline of a donut slice between angles a0 and a1 (radians, clockwise from 12). */
function slicePath(cx, cy, outer, inner, a0, a1) {
  if (a1 - a0 >= 2 * Math.PI - 1e-6) return ringPath(cx, cy, outer, inner);
  const end = a1;
  const large = end - a0 > Math.PI ? 1 : 0;
  const at = (radius, angle) =>
    `${round(cx + radius * Math.sin(angle))} ${round(cy - radius * Math.cos(angle))}`;
  return [
    `M${at(outer, a0)}`,
    `A${outer} ${outer} 0 ${large} 1 ${at(outer, end)}`,
    `L${at(inner, end)}`,
    `A${inner} ${inner} 0 ${large} 0 ${at(inner, a0)}Z`,
  ].join("");
}

// ---- Marks, the tooltip and the legend ------------------------------------

function colour(index) {
  return `series-${index % PALETTE_SIZE}`;
}

/** What a mark says on hover, on focus and to its <title>. */
function markText(chart, seriesName, label, value) {
  const values = { series: seriesName, label, value: chart.format(value) };
  return fill(
    chart.series.length > 1 ? COPY.dashboard.series_point : COPY.dashboard.point,
    values,
  );
}

/**
 * A focusable bar, point or slice. Its tooltip sits above (tipX, tipY), or below it
 * when `tipBelow` or when there is no room above.
 */
function mark(
  tag,
  attrs,
  { chart, testid, seriesName, label, value, tipX, tipY, tipBelow = false },
) {
  const text = markText(chart, seriesName, label, value);
  return svg(
    tag,
    {
      ...attrs,
      class: `chart-mark ${attrs.class}`,
      tabindex: 0,
      dataset: {
        testid,
        label,
        value,
        series: seriesName,
        tip: text,
        tipX,
        tipY,
        tipBelow,
      },
    },
    svg("title", {}, text),
  );
}

/** The one tooltip of a chart, moved to whichever mark is hovered or focused. */
function tip() {
  return svg(
    "g",
    { class: "chart-tip", "aria-hidden": "true" },
    svg("rect", { class: "chart-tip-box", y: -28, height: 22, rx: 5 }),
    svg("text", { class: "chart-tip-text", y: -13, "text-anchor": "middle" }),
  );
}

/** The tooltip, sized to its text, over the mark `target` is in (if it is in one). */
function tipShow(image, target) {
  const found = target.closest?.(".chart-mark");
  const group = image.querySelector(".chart-tip");
  if (!found || !group) return;
  const [box, text] = group.children;
  text.textContent = found.dataset.tip;
  const width = round(text.getComputedTextLength() + 16);
  const x = clamp(Number(found.dataset.tipX), width / 2 + 2, WIDTH - width / 2 - 2);
  const anchor = Number(found.dataset.tipY);
  const y = found.dataset.tipBelow === "true" || anchor < 30 ? anchor + 30 : anchor;
  box.setAttribute("x", String(-width / 2));
  box.setAttribute("width", String(width));
  group.setAttribute("transform", `translate(${round(x)} ${round(y)})`);
  group.classList.add("is-shown");
}

function tipBind(image) {
  const hide = () => image.querySelector(".chart-tip")?.classList.remove("is-shown");
  image.addEventListener("pointerover", (event) => tipShow(image, event.target));
  image.addEventListener("focusin", (event) => tipShow(image, event.target));
  image.addEventListener("pointerleave", hide);
  image.addEventListener("focusout", hide);
}

/** Swatches naming each series, when there is more than one. */
function legend(series) {
  if (series.length < 2) return [];
  let x = 0;
  return series.map(({ name }, index) => {
    const item = svg(
      "g",
      { class: "chart-legend" },
      svg("rect", {
        class: `chart-swatch ${colour(index)}`,
        x,
        y: 4,
        width: 10,
        height: 10,
        rx: 2,
      }),
      svg("text", { class: "chart-legend-text", x: x + 14, y: 13 }, name),
    );
    x += 30 + String(name).length * CHAR_WIDTH;
    return item;
  });
}

const legendHeight = (series) => (series.length > 1 ? LEGEND_HEIGHT : 0);

// ---- The charts: each returns its height and its elements ------------------

/** A line of text at (x, y); `central` centres it on y rather than sitting on it. */
function textAt(cls, x, y, content, { anchor = "start", central = false } = {}) {
  const placing = {
    "text-anchor": anchor,
    "dominant-baseline": central ? "central" : null,
  };
  return svg("text", { class: cls, x, y, ...placing }, content);
}

const labelsOf = (series) => series[0].points.map((p) => p.label);
const valuesOf = (series) => series.flatMap((s) => s.points.map((p) => p.value));

const BAR_HEIGHT = 14;
const BAR_GAP = 3;
const ROW_GAP = 12;

/** One label's row of bars, one per series, each with its value at its end. */
function barRow(chart, { label, row, y, x, labelWidth }) {
  const bars = chart.series.map((s, index) => {
    const value = s.points[row]?.value ?? 0;
    const barY = y + index * (BAR_HEIGHT + BAR_GAP);
    const [from, to] = [x(Math.min(0, value)), x(Math.max(0, value))];
    const shape = {
      class: `chart-bar ${colour(chart.series.length > 1 ? index : 0)}`,
      ...{
        x: from,
        y: barY,
        width: round(Math.max(to - from, 1)),
        height: BAR_HEIGHT,
        rx: 3,
      },
    };
    const about = { chart, testid: "chart-bar", seriesName: s.name, label, value };
    return [
      mark("rect", shape, { ...about, tipX: to, tipY: barY }),
      textAt(
        "chart-value",
        Math.max(to, x(0)) + 5,
        barY + BAR_HEIGHT / 2,
        chart.format(value),
        { central: true },
      ),
    ];
  });
  const middle = y + (chart.series.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP) / 2;
  const name = textAt("chart-label", labelWidth - 8, middle, truncate(label, 19), {
    anchor: "end",
    central: true,
  });
  return svg("g", { class: "chart-row" }, name, bars);
}

/** Horizontal bars, one row per label (so long labels read), a bar per series. */
function barDraw(chart) {
  const { series } = chart;
  const labels = labelsOf(series);
  const values = valuesOf(series);
  const labelWidth = clamp(textWidth(labels) * CHAR_WIDTH + 12, 48, 130);
  const valueWidth = textWidth(values.map(chart.format)) * CHAR_WIDTH + 10;
  const x = scale(
    Math.min(0, ...values),
    Math.max(0, ...values),
    labelWidth,
    WIDTH - valueWidth,
  );
  const band = series.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + ROW_GAP;
  const top = legendHeight(series) + ROW_GAP / 2;
  const bottom = top + labels.length * band - ROW_GAP;
  const rows = labels.map((label, row) =>
    barRow(chart, { label, row, y: top + row * band, x, labelWidth }),
  );
  const zero = svg("line", {
    class: "chart-axis",
    x1: x(0),
    x2: x(0),
    y1: top - 4,
    y2: bottom + 4,
  });
  return {
    height: round(bottom + ROW_GAP / 2),
    marks: [...legend(series), zero, ...rows],
  };
}

const PLOT_HEIGHT = 220;

/** The value axis's lines and figures, and the labels under the plot. */
function lineAxes(chart, { ticks, labels, box, x, y }) {
  const every = Math.ceil((textWidth(labels) * CHAR_WIDTH + 10) / (box.step || WIDTH));
  const grid = ticks.map((tick) => [
    svg("line", {
      class: "chart-grid",
      x1: box.left,
      x2: box.right,
      y1: y(tick),
      y2: y(tick),
    }),
    textAt("chart-tick", box.left - 6, y(tick), chart.formatShort(tick), {
      anchor: "end",
      central: true,
    }),
  ]);
  const under = labels.map((label, i) =>
    i % every
      ? null
      : textAt("chart-label", x(i), box.bottom + 16, truncate(label, 12), {
          anchor: "middle",
        }),
  );
  return [...grid, ...under];
}

/** One series: its line, the area under it when asked, and a point per label. */
function lineSeries(chart, s, index, { x, y, base, area }) {
  const path = `M${s.points.map((p, i) => `${x(i)} ${y(p.value)}`).join("L")}`;
  const under = `${path}L${x(s.points.length - 1)} ${base}L${x(0)} ${base}Z`;
  return svg(
    "g",
    { class: colour(index) },
    area ? svg("path", { class: "chart-area", d: under }) : null,
    svg("path", { class: "chart-line", d: path, pathLength: 1 }),
    s.points.map((p, i) => {
      const about = {
        chart,
        testid: "chart-point",
        seriesName: s.name,
        label: p.label,
        value: p.value,
      };
      const shape = { class: "chart-point", cx: x(i), cy: y(p.value), r: 4 };
      return mark("circle", shape, { ...about, tipX: x(i), tipY: y(p.value) - 4 });
    }),
  );
}

/** Lines over the labels (months, weeks); `area` fills each down to zero. */
function lineDraw(chart, { area = false } = {}) {
  const { series } = chart;
  const labels = labelsOf(series);
  const ticks = ticksNice(...domain(valuesOf(series), area));
  const left = textWidth(ticks.map(chart.formatShort)) * CHAR_WIDTH + 10;
  const box = {
    left,
    right: WIDTH - 18,
    top: legendHeight(series) + 14,
    bottom: PLOT_HEIGHT - 24,
  };
  box.step = labels.length > 1 ? (box.right - left) / (labels.length - 1) : 0;
  const x = (i) => round(box.step ? left + i * box.step : (left + box.right) / 2);
  const y = scale(ticks[0], ticks.at(-1), box.bottom, box.top);
  const base = y(clamp(0, ticks[0], ticks.at(-1)));
  const lines = series.map((s, index) =>
    lineSeries(chart, s, index, { x, y, base, area }),
  );
  return {
    height: PLOT_HEIGHT,
    marks: [
      ...legend(series),
      ...lineAxes(chart, { ticks, labels, box, x, y }),
      ...lines,
    ],
  };
}

const PIE_RADIUS = 84;
const PIE_HOLE = 52;
const PIE_ROW = 22;

/** A whole number of percent: what share of `total` `part` is. */
function shareText(chart, part, total) {
  return figureFormat(
    total > 0 ? Math.round((part / total) * 100) : 0,
    "%",
    chart.locale,
  );
}

/**
 * The donut's slices, clockwise from twelve o'clock, and the total in its hole. A
 * part of nothing has no slice to hover (the legend and the table still list it).
 */
function pieSlices(chart, points, { cx, cy, total }) {
  let angle = 0;
  const slices = points.map((p, index) => {
    if (!(p.share > 0 && total > 0)) return null;
    const start = angle;
    angle += (p.share / total) * 2 * Math.PI;
    const middle = (start + angle) / 2;
    const shape = {
      class: `chart-slice ${colour(index)}`,
      d: slicePath(cx, cy, PIE_RADIUS, PIE_HOLE, start, angle),
    };
    const about = {
      chart,
      testid: "chart-slice",
      seriesName: chart.series[0].name,
      label: p.label,
      value: p.value,
    };
    const tipAt = {
      tipX: cx + PIE_RADIUS * Math.sin(middle),
      tipY: cy - PIE_RADIUS * Math.cos(middle),
    };
    return mark("path", shape, { ...about, ...tipAt });
  });
  return [
    svg("g", { class: "chart-slices" }, slices),
    textAt("chart-total", cx, cy - 2, chart.formatShort(total), { anchor: "middle" }),
    textAt("chart-tick", cx, cy + 16, COPY.dashboard.total, { anchor: "middle" }),
  ];
}

/** Beside the donut: each slice's swatch, label and share. */
function pieLegend(chart, points, { cy, total }) {
  const left = 2 * PIE_RADIUS + 36;
  const top = cy - ((points.length - 1) * PIE_ROW) / 2;
  return points.map((p, index) => {
    const y = top + index * PIE_ROW;
    return svg(
      "g",
      { class: "chart-legend" },
      svg("rect", {
        class: `chart-swatch ${colour(index)}`,
        x: left,
        y: y - 5,
        width: 10,
        height: 10,
        rx: 2,
      }),
      textAt("chart-legend-text", left + 16, y, truncate(p.label, 16), {
        central: true,
      }),
      textAt("chart-value", WIDTH - 2, y, shareText(chart, p.share, total), {
        anchor: "end",
        central: true,
      }),
    );
  });
}

/** A donut of the parts of one whole, with the total in its middle and a legend. */
function pieDraw(chart) {
  const points = chart.series[0].points.map((p) => ({
    ...p,
    share: Math.max(p.value, 0),
  }));
  const total = sum(points.map((p) => p.share));
  const height = Math.max(2 * PIE_RADIUS + 16, points.length * PIE_ROW + 12);
  const centre = { cx: PIE_RADIUS + 8, cy: height / 2, total };
  return {
    height,
    marks: [...pieSlices(chart, points, centre), ...pieLegend(chart, points, centre)],
  };
}

const TRACK_Y = 38;
const TRACK_HEIGHT = 16;

/** The track's segments: the filled parts in colour, what is left in grey. */
function progressParts(chart, points, filled) {
  const total = sum(points.map((p) => Math.max(p.value, 0)));
  const x = scale(0, total || 1, 0, WIDTH);
  let at = 0;
  return points.map((p, index) => {
    const from = at;
    at += Math.max(p.value, 0);
    const shape = {
      class: index < filled ? `chart-fill ${colour(index)}` : "chart-rest",
      ...{
        x: x(from),
        y: TRACK_Y,
        width: round(x(at) - x(from)),
        height: TRACK_HEIGHT,
      },
    };
    const about = {
      chart,
      testid: "chart-segment",
      seriesName: chart.series[0].name,
      label: p.label,
      value: p.value,
    };
    return mark("rect", shape, {
      ...about,
      tipX: x((from + at) / 2),
      tipY: TRACK_Y + TRACK_HEIGHT,
      tipBelow: true,
    });
  });
}

/**
 * How far along a whole: the one series' points are its parts ("Met", "Remaining"),
 * all but the last filled, the last what is left; the total is their sum.
 */
function progressDraw(chart) {
  const { points } = chart.series[0];
  const filled = Math.max(points.length - 1, 1);
  const total = sum(points.map((p) => Math.max(p.value, 0)));
  const done = sum(points.slice(0, filled).map((p) => Math.max(p.value, 0)));
  clipIds += 1;
  const clip = `chart-clip-${clipIds}`;
  const track = {
    x: 0,
    y: TRACK_Y,
    width: WIDTH,
    height: TRACK_HEIGHT,
    rx: TRACK_HEIGHT / 2,
  };
  const of = fill(COPY.dashboard.progress, {
    done: chart.format(done),
    total: chart.format(total),
  });
  const key = points.map((p) => `${p.label} ${chart.format(p.value)}`).join(" · ");
  return {
    height: TRACK_Y + TRACK_HEIGHT + 26,
    marks: [
      svg("defs", {}, svg("clipPath", { id: clip }, svg("rect", track))),
      textAt("chart-total", 0, 24, shareText(chart, done, total)),
      textAt("chart-value", WIDTH, 24, of, { anchor: "end" }),
      svg("g", { "clip-path": `url(#${clip})` }, progressParts(chart, points, filled)),
      textAt("chart-label", 0, TRACK_Y + TRACK_HEIGHT + 20, key),
    ],
  };
}

const DRAWERS = {
  bar: barDraw,
  line: (chart) => lineDraw(chart),
  area: (chart) => lineDraw(chart, { area: true }),
  pie: pieDraw,
  progress: progressDraw,
};
// The charts whose points are the parts of one whole: their table ends in the total.
const WHOLES = new Set(["pie", "progress"]);

// ---- The figure -----------------------------------------------------------

/** The values for a screen reader: a row per label, a column per series. */
function valuesTable(chart, type) {
  const { series } = chart;
  const total = WHOLES.has(type)
    ? h(
        "tfoot",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "row" }, COPY.dashboard.total),
          h("td", {}, chart.format(sum(series[0].points.map((p) => p.value)))),
        ),
      )
    : null;
  return h(
    "table",
    { class: "visually-hidden", dataset: { testid: "chart-table" } },
    h("caption", {}, chart.title),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("td", {}),
        series.map((s) => h("th", { scope: "col" }, s.name)),
      ),
    ),
    h(
      "tbody",
      {},
      series[0].points.map((point, row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, point.label),
          series.map((s) => h("td", {}, chart.format(s.points[row]?.value ?? 0))),
        ),
      ),
    ),
    total,
  );
}

/** A `show_chart` result as a <figure>: its title, the chart, and its table. */
export function chartRender(result, locale) {
  const type = DRAWERS[result.chart_type] ? result.chart_type : "bar";
  const series = (result.series || []).filter((s) => s.points?.length);
  const chart = {
    title: result.title,
    series,
    locale,
    format: (value) => figureFormat(value, result.unit, locale),
    formatShort: (value) => figureFormat(value, result.unit, locale, { short: true }),
  };
  const figure = h(
    "figure",
    {
      class: "chart",
      dataset: { testid: "chart", chartType: type, dataset: result.dataset },
    },
    h("figcaption", { class: "chart-title" }, result.title),
  );
  if (series.length === 0) {
    figure.append(h("p", { class: "chart-empty" }, COPY.dashboard.no_figures));
    return figure;
  }
  const { height, marks } = DRAWERS[type](chart);
  const image = svg(
    "svg",
    {
      class: "chart-svg",
      viewBox: `0 0 ${WIDTH} ${height}`,
      role: "img",
      "aria-label": result.title,
    },
    marks,
    tip(),
  );
  tipBind(image);
  figure.append(image, valuesTable(chart, type));
  return figure;
}

/** A `show_metrics` result as tiles, one figure each. */
export function metricsRender(result, locale) {
  return h(
    "dl",
    { class: "metric-tiles", dataset: { testid: "metrics" } },
    (result.metrics || []).map((metric) =>
      h(
        "div",
        { class: "metric-tile", dataset: { testid: "metric-tile", key: metric.key } },
        h("dt", { class: "metric-label" }, metric.label),
        h(
          "dd",
          {
            class:
              typeof metric.value === "string"
                ? "metric-value metric-text"
                : "metric-value",
          },
          figureFormat(metric.value, metric.unit, locale),
        ),
      ),
    ),
  );
}

const RENDERERS = { show_chart: chartRender, show_metrics: metricsRender };

/** A panel (`{tool, result}`) drawn; one from a tool this page does not know, left out. */
export function panelRender({ tool, result }, locale) {
  return RENDERERS[tool] && result ? RENDERERS[tool](result, locale) : null;
}
