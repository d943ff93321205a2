// What the page says, from the server (chat/conversation/copy.py), rendered as data.

import { byId } from "./dom.js";

export const COPY = JSON.parse(byId("chat-copy").textContent);

/** A line of copy with its `{name}`s filled in from `values`. */
export function fill(text, values = {}) {
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

/** The line of COPY under `key`, filled in from `values`. */
export function say(key, values = {}) {
  return fill(COPY[key], values);
}
