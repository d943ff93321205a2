// The customer panel, drawn from the card the server lays out for the mode's kind of
// customer (docs/protocol.md, "The customer card"). Every word and figure comes from
// the server, already written for the customer, so this knows no kind.

import { COPY } from "./copy.js";
import { byId, h } from "./dom.js";
import { initials } from "./format.js";

// Column styles the heading shares with its cells, so both align and hide together.
const HEADING_STYLES = new Set(["num", "hide-narrow"]);
// A style that is an element, not a class.
const STRONG = "strong";

let meterIds = 0;

function testidOf(testid) {
  return testid ? { testid } : {};
}

/** A card of the details, with its heading. */
function section({ title, testid, blocks }) {
  const id = `section-${testid}`;
  return h(
    "section",
    { class: "card detail", "aria-labelledby": id, dataset: { testid } },
    h("h3", { class: "detail-title", id }, title),
    ...blocks.map((block) => BLOCKS[block.type]?.(block) ?? null),
  );
}

function tile({ label, value, note, testid }) {
  return h(
    "div",
    { class: "tile", dataset: testidOf(testid) },
    h("p", { class: "tile-label" }, label),
    h("p", { class: "tile-value" }, value),
    note ? h("p", { class: "tile-note" }, note) : null,
  );
}

function facts(items) {
  return h(
    "dl",
    { class: "facts" },
    items.map(({ label, value, note, testid }) =>
      h(
        "div",
        { class: "fact" },
        h("dt", {}, label),
        h("dd", { dataset: testidOf(testid) }, value),
        note ? h("dd", { class: "muted small" }, note) : null,
      ),
    ),
  );
}

function styles(column) {
  return column.style.split(/\s+/).filter(Boolean);
}

function heading(column) {
  const classes = styles(column).filter((style) => HEADING_STYLES.has(style));
  return h("th", { scope: "col", class: classes.join(" ") || null }, column.label);
}

/** A cell: its text (a pill, or strong), with its note underneath. */
function cell(column, { text, note, tone }) {
  const classes = styles(column).filter((style) => style !== STRONG);
  if (tone === "credit") classes.push("credit");
  let value = text;
  if (column.pill)
    value = h("span", { class: tone ? `pill pill-${tone}` : "pill" }, text);
  else if (styles(column).includes(STRONG)) value = h("strong", {}, text);
  if (note) {
    value = h(
      "span",
      { class: "stack" },
      value,
      h("span", { class: "muted small" }, note),
    );
  }
  return h("td", { class: classes.join(" ") || null }, value);
}

function table({ caption, columns, rows, empty }) {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data-table" },
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, columns.map(heading))),
      h(
        "tbody",
        {},
        rows.map((cells) =>
          h(
            "tr",
            {},
            cells.map((data, index) => cell(columns[index], data)),
          ),
        ),
      ),
    ),
  );
}

/** A labelled progress bar: how much of a limit is spent. */
function meter({ label, value, max, figure, note, testid }) {
  meterIds += 1;
  const id = `meter-${meterIds}`;
  return h(
    "div",
    { class: "meter" },
    h(
      "div",
      { class: "meter-head" },
      h("span", { class: "meter-title", id }, label),
      h("span", { class: "meter-figure" }, figure),
    ),
    h("progress", {
      max,
      value,
      "aria-labelledby": id,
      "aria-valuetext": figure,
      dataset: testidOf(testid),
    }),
    h("p", { class: "meter-note" }, note),
  );
}

// How each type of block draws; an unknown one (from a newer server) is left out.
const BLOCKS = {
  tiles: ({ items }) => h("div", { class: "tiles" }, items.map(tile)),
  facts: ({ items }) => facts(items),
  table,
  meters: ({ items }) => items.map(meter),
};

/** The compact card: who the customer is and the one figure this mode is about. */
function summary({ name, headline, summary: items }) {
  return h(
    "article",
    { class: "card summary", "aria-label": COPY.card.summary },
    h(
      "div",
      { class: "summary-who" },
      h("span", { class: "avatar", "aria-hidden": "true" }, initials(name)),
      h(
        "div",
        {},
        h("p", { class: "summary-greeting" }, COPY.card.greeting),
        h("p", { class: "summary-name", dataset: { testid: "customer-name" } }, name),
      ),
    ),
    h(
      "div",
      { class: "key-figure", dataset: { testid: "key-figure" } },
      h("p", { class: "key-label" }, headline.label),
      h(
        "p",
        { class: "key-value", dataset: testidOf(headline.testid) },
        headline.value,
      ),
      headline.note ? h("p", { class: "key-note" }, headline.note) : null,
    ),
    facts(items),
  );
}

/** Redraws the customer panel and the signed-in name from the server's card. */
export function customerRender(card) {
  byId("customer-summary").replaceChildren(summary(card));
  byId("customer-details").replaceChildren(...card.sections.map(section));
  byId("signed-in").replaceChildren(
    h(
      "span",
      { class: "avatar avatar-small", "aria-hidden": "true" },
      initials(card.name),
    ),
    h("span", { class: "signed-in-name" }, card.name),
  );
}
