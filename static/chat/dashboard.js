// The dashboard beside the chat: the mode's tabs of figures, computed by the server
// for the customer (the `dashboard` of `session`, `mode_switch` and `mode_updated`),
// and a last tab of what the assistant showed in this conversation (`tool_result`,
// `tool_error`, and the `tool_calls` of the history after a reload).

import { panelRender } from "./charts.js";
import { COPY, fill } from "./copy.js";
import { byId, h } from "./dom.js";

const el = {
  section: byId("dashboard"),
  tablist: byId("dashboard-tabs"),
  panels: byId("dashboard-panels"),
};

const view = {
  locale: "en-US",
  tabs: [], // [{ title, panel }] of the mode; the assistant's tab follows them
  selected: 0,
};

const assistant = {
  title: COPY.dashboard.from_assistant,
  panel: h("div", {
    class: "dashboard-panel",
    dataset: { testid: "assistant-panel" },
  }),
};

/** The tabs shown: the mode's, then the assistant's once it has shown something. */
function tabsShown() {
  return assistant.panel.childElementCount ? [...view.tabs, assistant] : view.tabs;
}

function tabButton({ title }, index) {
  return h(
    "button",
    {
      type: "button",
      role: "tab",
      id: `dashboard-tab-${index}`,
      class: "dashboard-tab",
      "aria-controls": `dashboard-panel-${index}`,
      dataset: { testid: "dashboard-tab", index: String(index) },
    },
    title,
  );
}

/** Redraws the tab strip and its panels, keeping the selected tab where it can. */
function tabsDraw() {
  const tabs = tabsShown();
  el.tablist.replaceChildren(...tabs.map(tabButton));
  tabs.forEach(({ panel }, index) => {
    panel.id = `dashboard-panel-${index}`;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", `dashboard-tab-${index}`);
    panel.tabIndex = 0;
  });
  el.panels.replaceChildren(...tabs.map((tab) => tab.panel));
  el.section.hidden = tabs.length === 0;
  tabSelect(Math.min(view.selected, Math.max(tabs.length - 1, 0)));
}

/** Scrolls the strip of tabs (never the page) until `tab` is in sight. */
function tabReveal(tab) {
  const strip = el.tablist;
  const right = tab.offsetLeft + tab.offsetWidth;
  if (tab.offsetLeft < strip.scrollLeft) strip.scrollLeft = tab.offsetLeft;
  else if (right > strip.scrollLeft + strip.clientWidth)
    strip.scrollLeft = right - strip.clientWidth;
}

/** Shows tab `index` (and its panel) and makes it the one Tab reaches. */
function tabSelect(index, { focus = false } = {}) {
  view.selected = index;
  [...el.tablist.children].forEach((tab, i) => {
    tab.setAttribute("aria-selected", String(i === index));
    tab.tabIndex = i === index ? 0 : -1;
  });
  [...el.panels.children].forEach((panel, i) => {
    panel.hidden = i !== index;
  });
  const tab = el.tablist.children[index];
  if (!tab) return;
  tabReveal(tab);
  if (focus) tab.focus();
}

// Arrow keys move along the tabs (wrapping), Home and End go to either end.
const TAB_KEYS = {
  ArrowRight: (index, count) => (index + 1) % count,
  ArrowLeft: (index, count) => (index - 1 + count) % count,
  Home: () => 0,
  End: (_, count) => count - 1,
};

function tabsBind() {
  el.tablist.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) tabSelect(Number(tab.dataset.index));
  });
  el.tablist.addEventListener("keydown", (event) => {
    const move = TAB_KEYS[event.key];
    const count = el.tablist.childElementCount;
    if (!move || count === 0) return;
    event.preventDefault();
    tabSelect(move(view.selected, count), { focus: true });
  });
}

function panelOf(panels) {
  const drawn = panels.map((panel) => panelRender(panel, view.locale)).filter(Boolean);
  return h(
    "div",
    { class: "dashboard-panel" },
    drawn.length ? drawn : h("p", { class: "dashboard-empty" }, COPY.dashboard.empty),
  );
}

/**
 * The mode's tabs, as the server computed them for the customer. A new mode or
 * customer starts on the first tab; a staff edit of the same mode keeps the place.
 */
export function dashboardShow(dashboard, locale, { keepPlace = false } = {}) {
  view.locale = locale || "en-US";
  view.tabs = (dashboard?.tabs || []).map(({ title, panels }) => ({
    title,
    panel: panelOf(panels || []),
  }));
  if (!keepPlace) view.selected = 0;
  tabsDraw();
}

/** A tool's outcome, newest first on the assistant's tab, which is then shown; the
 * same call of the same reply arriving again replaces its first drawing (call ids
 * are only unique within a reply: the offline model's are offline-1, offline-2…). */
function assistantAdd(item, { message_id: messageId, call_id: callId }) {
  item.dataset.messageId = String(messageId ?? "");
  item.dataset.callId = String(callId ?? "");
  for (const old of assistant.panel.querySelectorAll("[data-call-id]"))
    if (
      old.dataset.callId === item.dataset.callId &&
      old.dataset.messageId === item.dataset.messageId
    )
      old.remove();
  const first = assistant.panel.childElementCount === 0;
  assistant.panel.prepend(item);
  if (first) tabsDraw();
  tabSelect(tabsShown().indexOf(assistant));
}

/** A `tool_result`: the chart or tiles the assistant asked for. */
export function toolResultShow(p) {
  const item = panelRender(p, view.locale);
  if (item) assistantAdd(item, p);
}

/** A `tool_error`: a small note saying what could not be shown, and why. */
export function toolErrorShow(p) {
  const note = h(
    "p",
    { class: "dashboard-note", dataset: { testid: "tool-error", code: p.code || "" } },
    fill(COPY.dashboard.tool_error, { message: p.message || "" }),
  );
  assistantAdd(note, p);
}

/** The assistant's tab as the conversation left it: each stored tool call again. */
export function toolCallsRedraw(messages) {
  assistant.panel.replaceChildren();
  for (const message of messages) {
    for (const call of message.tool_calls || []) {
      const frame = { ...call, message_id: message.id };
      if (call.error) toolErrorShow({ ...frame, ...call.error });
      else toolResultShow(frame);
    }
  }
  tabsDraw();
}

tabsBind();
