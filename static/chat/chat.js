// The chat page: speaks docs/protocol.md over one WebSocket and draws what it hears.

import { customerRender } from "./card.js";
import { COPY, say } from "./copy.js";
import {
  dashboardShow,
  toolCallsRedraw,
  toolErrorShow,
  toolResultShow,
} from "./dashboard.js";
import { byId, h } from "./dom.js";
import { brandApply } from "./theme.js";
import {
  voiceChartHold,
  voiceInit,
  voiceModeShow,
  voiceReplyEnded,
  voiceStop,
} from "./voice.js";

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;
// A restarting server (close code 4012) is back in moments.
const SERVER_RESTARTING = 4012;
const RESTART_RETRY_MS = 2000;
// The least wait after the server's budget closes (chat.conversation.frames.CloseCode);
// what the visitor is told about each close is COPY.close_notices.
const CLOSE_WAIT_MS = { 4029: 10000, 4031: 10000 };
// How a reply that did not finish is marked; the last one on the page gets a Retry.
const UNFINISHED_NOTES = {
  interrupted: COPY.interrupted,
  streaming: COPY.interrupted,
  failed: COPY.failed,
};
// Finish reasons that mean the server cut the reply at its length or time cap.
const CUT_SHORT = new Set(["length", "time_limit"]);

const state = {
  socket: null,
  connected: false,
  retryMs: FIRST_RETRY_MS,
  mode: null,
  busy: false, // a reply (or a greeting) is on its way or streaming
  unconfirmed: null, // { text, item } of a sent message until its reply starts
  lastVisitorText: "",
};

const el = {
  transcript: byId("transcript"),
  input: byId("chat-input"),
  send: byId("send"),
  composer: byId("composer"),
  status: byId("composer-status"),
  picker: byId("mode-picker"),
  newCustomer: byId("new-customer"),
  newConversation: byId("new-conversation"),
  connection: byId("connection"),
  offline: byId("offline-badge"),
  notices: byId("notices"),
};

// ---- The socket -----------------------------------------------------------

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${byId("app").dataset.wsPath}`;
}

function connect() {
  const socket = new WebSocket(socketUrl());
  state.socket = socket;
  socket.addEventListener("message", (event) => frameReceive(event.data));
  socket.addEventListener("close", (event) => socketLost(socket, event.code));
}

/** Shows "Reconnecting…" (and why, if the server said) and tries again later. */
function socketLost(socket, code) {
  if (socket !== state.socket) return;
  state.connected = false;
  state.socket = null;
  busySet(false);
  streamingSet(false);
  typingRemove();
  conjuringClear();
  connectionShow("reconnecting", say("reconnecting"));
  const delayMs = reconnectDelay(code);
  const notice = COPY.close_notices[code];
  if (notice) {
    const retrying = say("retrying_in", { seconds: secondsText(delayMs / 1000) });
    noticeShow(`${notice} ${retrying}`, `close-${code}`, 0);
  }
  setTimeout(connect, delayMs);
}

/**
 * About 2 s after a restart; otherwise about 1 s, 2 s, 4 s … up to 30 s; never less
 * than the close's least wait.
 */
function reconnectDelay(code) {
  // A random factor from 0.5 to 1.5, so the pages a restart or an outage dropped do
  // not all come back at the same moment.
  const jitter = 0.5 + Math.random();
  if (code === SERVER_RESTARTING) return RESTART_RETRY_MS * jitter;
  const delayMs = Math.max(state.retryMs * jitter, CLOSE_WAIT_MS[code] ?? 0);
  state.retryMs = Math.min(state.retryMs * 2, LAST_RETRY_MS);
  return delayMs;
}

function send(type, payload = {}) {
  if (!state.connected) return false;
  state.socket.send(JSON.stringify({ type, payload }));
  return true;
}

function frameReceive(data) {
  let frame;
  try {
    frame = JSON.parse(data);
  } catch {
    return;
  }
  const handler = HANDLERS[frame?.type];
  if (handler) handler(frame.payload || {});
}

// ---- Frames from the server -----------------------------------------------

const HANDLERS = {
  session(p) {
    state.connected = true;
    state.retryMs = FIRST_RETRY_MS;
    connectionShow("connected", say("connected"));
    backendShow(p.llm || {});
    modeShow(p.mode, p.card);
    pickerFill(p.modes || [], p.mode.slug);
    transcriptRedraw(p.messages || [], p.conversation_id);
    dashboardShow(p.dashboard, p.mode.locale);
    toolCallsRedraw(p.messages || []);
    busySet(false);
    controlsSync();
  },
  mode_generating(p) {
    conjuringShow(p.requested);
  },
  mode_switch(p) {
    conjuringClear();
    noticesClear();
    modeShow(p.mode, p.card);
    el.picker.value = p.mode.slug;
    transcriptRedraw([], p.conversation_id);
    dashboardShow(p.dashboard, p.mode.locale);
    toolCallsRedraw([]);
    dividerAdd(SWITCH_NOTES[p.reason] ? SWITCH_NOTES[p.reason](p) : "");
    state.unconfirmed = null;
    busySet(true);
    typingShow();
  },
  mode_updated(p) {
    if (!state.mode || p.mode.slug !== state.mode.slug) return;
    state.mode = { ...state.mode, ...p.mode };
    brandApply(state.mode);
    const option = [...el.picker.options].find((o) => o.value === p.mode.slug);
    if (option && p.mode.name) option.textContent = p.mode.name;
    if (p.dashboard) dashboardShow(p.dashboard, state.mode.locale, { keepPlace: true });
  },
  chat_start(p) {
    state.unconfirmed = null;
    busySet(true);
    streamingSet(true);
    const item = replyBubble(p.message_id);
    item.dataset.status = "streaming";
    item.setAttribute("aria-busy", "true");
  },
  chat_chunk(p) {
    // A reply still arriving after an error (one about another frame) is still busy.
    if (!state.busy) busySet(true);
    streamingSet(true);
    const item = typingDone(replyBubble(p.message_id));
    item.querySelector(".bubble-text").append(p.text);
    scrollToEnd();
  },
  tool_result(p) {
    // With the speaker on, the chart waits for the sentence that introduces it.
    const said = replyBubble(p.message_id).querySelector(".bubble-text");
    voiceChartHold(p.message_id, said.textContent.length, () => toolResultShow(p));
  },
  tool_error(p) {
    toolErrorShow(p);
  },
  chat_end(p) {
    const item = typingDone(replyBubble(p.message_id));
    item.dataset.status = "complete";
    item.removeAttribute("aria-busy");
    item.querySelector(".bubble-text").textContent = p.text;
    if (CUT_SHORT.has(p.finish_reason)) noteAdd(item, COPY.cut_short);
    busySet(false);
    streamingSet(false);
    scrollToEnd();
    voiceReplyEnded(p.text, p.message_id);
  },
  error(p) {
    conjuringClear();
    if (p.message_id !== undefined && p.message_id !== null) replyFailed(p);
    else refusalShow(p);
    // Whatever the code, known or not, the reply the page was waiting for is not coming.
    waitingRemove();
    voiceStop();
    busySet(false);
    streamingSet(false);
  },
};

const SWITCH_NOTES = {
  switch: (p) => say("switched_mode", { company: p.mode.company_name }),
  generated: (p) =>
    say("generated_mode", { company: p.mode.company_name, name: p.mode.name }),
  new_persona: (p) => say("new_persona", { name: p.persona.name }),
  clear: () => say("cleared"),
};

// ---- Header, card and status ----------------------------------------------

function modeShow(mode, card) {
  state.mode = mode;
  document.documentElement.lang = mode.locale || "en-US";
  voiceModeShow(document.documentElement.lang);
  brandApply(mode);
  if (card) customerRender(card);
}

function pickerFill(modes, current) {
  el.picker.replaceChildren(
    ...modes.map((m) => h("option", { value: m.slug }, m.name)),
  );
  el.picker.value = current;
}

function backendShow(llm) {
  el.offline.hidden = llm.backend !== "offline";
  el.offline.title = llm.model ? say("offline_model", { model: llm.model }) : "";
}

function connectionShow(stateName, text) {
  el.connection.dataset.state = stateName;
  el.connection.textContent = text;
}

/** Enables what can be used now: nothing while offline, no sending while busy. */
function controlsSync() {
  const online = state.connected;
  el.picker.disabled = !online;
  el.newCustomer.disabled = !online;
  el.newConversation.disabled = !online;
  el.send.disabled = !online || state.busy;
  el.composer.setAttribute("aria-busy", String(state.busy));
  const company = state.mode ? state.mode.company_name : COPY.assistant;
  el.status.textContent = !online
    ? COPY.not_connected
    : state.busy
      ? say("replying", { company })
      : "";
}

function busySet(busy) {
  state.busy = busy;
  controlsSync();
}

/** While a reply streams the transcript is busy, so a screen reader reads it once done. */
function streamingSet(streaming) {
  if (streaming) el.transcript.setAttribute("aria-busy", "true");
  else el.transcript.removeAttribute("aria-busy");
}

// ---- The transcript -------------------------------------------------------

function nearEnd() {
  const t = el.transcript;
  return t.scrollHeight - t.scrollTop - t.clientHeight < 80;
}

function scrollToEnd(force = false) {
  if (force || nearEnd()) el.transcript.scrollTop = el.transcript.scrollHeight;
}

/** One message bubble; its text goes in as text, so markup shows as typed. */
function bubble(
  role,
  text,
  { id = null, status = "complete", finish_reason: finishReason = "" } = {},
) {
  const who =
    role === "user"
      ? COPY.visitor
      : state.mode
        ? state.mode.company_name
        : COPY.assistant_short;
  const item = h(
    "li",
    { class: `message message-${role}`, dataset: { role, status, testid: "message" } },
    h("p", { class: "bubble-who visually-hidden" }, `${who}:`),
    h("div", { class: "bubble" }, h("p", { class: "bubble-text" }, text)),
  );
  if (id !== null && id !== undefined) item.dataset.messageId = String(id);
  if (role !== "assistant") return item;
  if (UNFINISHED_NOTES[status]) noteAdd(item, UNFINISHED_NOTES[status]);
  else if (CUT_SHORT.has(finishReason)) noteAdd(item, CUT_SHORT_NOTE);
  return item;
}

function noteAdd(item, text, ...extra) {
  item.append(
    h(
      "p",
      { class: "message-note", dataset: { testid: "message-note" } },
      text,
      ...extra,
    ),
  );
}

/** The conversation as stored; a last reply that did not finish can be asked again. */
function transcriptRedraw(messages, conversationId) {
  streamingSet(false);
  el.transcript.dataset.conversationId = String(conversationId ?? "");
  el.transcript.replaceChildren(...messages.map((m) => bubble(m.role, m.content, m)));
  const last = [...messages].reverse().find((m) => m.role === "user");
  state.lastVisitorText = last ? last.content : "";
  const final = messages.at(-1);
  if (final && final.role === "assistant" && UNFINISHED_NOTES[final.status] && last) {
    el.transcript.lastElementChild
      .querySelector(".message-note")
      .append(" ", retryButton());
  }
  scrollToEnd(true);
}

function dividerAdd(text) {
  if (text)
    el.transcript.append(
      h(
        "li",
        { class: "divider", dataset: { testid: "divider" } },
        h("span", {}, text),
      ),
    );
}

/**
 * While a new industry's mode is made: a line in the transcript saying so. A
 * `mode_switch` or an `error` always follows, and each clears it, as does a lost socket.
 */
function conjuringShow(requested) {
  conjuringClear();
  el.transcript.append(
    h(
      "li",
      { class: "conjuring", role: "status", dataset: { testid: "conjuring" } },
      h("span", { class: "conjuring-spark", "aria-hidden": "true" }),
      h("span", {}, say("conjuring", { requested })),
    ),
  );
  scrollToEnd(true);
}

function conjuringClear() {
  for (const item of el.transcript.querySelectorAll(".conjuring")) item.remove();
}

function typingBubble() {
  const item = bubble("assistant", "", { status: "pending" });
  item.classList.add("is-typing");
  item.querySelector(".bubble").prepend(
    h(
      "span",
      {
        class: "typing",
        dataset: { testid: "typing-indicator" },
        role: "img",
        "aria-label": COPY.typing,
      },
      h("span", {}),
      h("span", {}),
      h("span", {}),
    ),
  );
  return item;
}

/** The dots that show until the first words of a reply arrive. */
function typingShow() {
  if (!el.transcript.querySelector(".is-typing:not([data-message-id])"))
    el.transcript.append(typingBubble());
  scrollToEnd(true);
}

/** A reply bubble whose first words arrived: the dots go. */
function typingDone(item) {
  item.classList.remove("is-typing");
  for (const dots of item.querySelectorAll(".typing")) dots.remove();
  return item;
}

function typingRemove() {
  for (const item of el.transcript.querySelectorAll(".is-typing")) item.remove();
}

/** The dots of a reply that has not started: an error means it never will. */
function waitingRemove() {
  for (const item of el.transcript.querySelectorAll(
    ".is-typing:not([data-message-id])",
  ))
    item.remove();
}

/** The bubble for a reply: the waiting one, or a new one. */
function replyBubble(id) {
  const key = String(id);
  const found = el.transcript.querySelector(`[data-message-id="${CSS.escape(key)}"]`);
  if (found) return found;
  const waiting =
    el.transcript.querySelector(".is-typing:not([data-message-id])") || typingBubble();
  waiting.dataset.messageId = key;
  el.transcript.append(waiting);
  return waiting;
}

// ---- Sending --------------------------------------------------------------

function chatSend(text) {
  if (state.busy || !send("chat", { text })) return false;
  voiceStop();
  const item = bubble("user", text);
  el.transcript.append(item);
  state.unconfirmed = { text, item };
  state.lastVisitorText = text;
  busySet(true);
  typingShow();
  return true;
}

function composerSubmit() {
  const text = el.input.value;
  if (!text.trim()) return;
  if (chatSend(text)) el.input.value = "";
}

// ---- Errors ---------------------------------------------------------------

/** A reply that failed: said inline, with a Retry that asks again. */
function replyFailed(p) {
  const item = typingDone(replyBubble(p.message_id));
  item.dataset.status = "failed";
  item.removeAttribute("aria-busy");
  for (const old of item.querySelectorAll(".message-error")) old.remove();
  item.append(
    h(
      "div",
      { class: "message-error", role: "alert", dataset: { testid: "message-error" } },
      h("p", {}, p.message || COPY.reply_failed),
      p.retryable === false ? null : retryButton(),
    ),
  );
  state.unconfirmed = null;
  scrollToEnd();
}

/** Sends the visitor's last message again; the button goes once it is sent. */
function retryButton() {
  const retry = h(
    "button",
    { type: "button", class: "retry-button", dataset: { testid: "retry" } },
    COPY.retry,
  );
  retry.addEventListener("click", () => {
    if (state.lastVisitorText && chatSend(state.lastVisitorText)) retry.remove();
  });
  return retry;
}

/**
 * A refused frame: a dismissible notice. The server answers frames in order, so a
 * refusal while a sent message awaits its reply is that message's: it goes back into
 * the box, whatever the code.
 */
function refusalShow(p) {
  let text = p.message || COPY.refused;
  if (p.code === "rate_limited" && p.retry_after)
    text += ` ${say("send_again_in", { seconds: secondsText(p.retry_after) })}`;
  noticeShow(
    text,
    p.code,
    p.code === "rate_limited" && p.retry_after ? p.retry_after * 1000 : 0,
  );
  if (state.mode) el.picker.value = state.mode.slug;
  if (state.unconfirmed) {
    state.unconfirmed.item.remove();
    if (!el.input.value) el.input.value = state.unconfirmed.text;
    state.unconfirmed = null;
  }
}

function secondsText(seconds) {
  const whole = Math.ceil(seconds);
  return say(whole === 1 ? "second" : "seconds", { count: whole });
}

/**
 * A notice replaces any earlier one rather than stacking: #notices is the one live
 * region for them, so a screen reader hears each notice once, as it comes.
 */
function noticeShow(text, code, lifetimeMs) {
  noticesClear();
  const close = h(
    "button",
    {
      type: "button",
      class: "notice-close",
      "aria-label": COPY.dismiss,
      dataset: { dismiss: "" },
    },
    "×",
  );
  const notice = h(
    "div",
    { class: "notice", dataset: { testid: "notice", code: code || "" } },
    h("p", { class: "notice-text" }, text),
    close,
  );
  el.notices.append(notice);
  if (lifetimeMs) setTimeout(() => notice.remove(), lifetimeMs);
}

function noticesClear() {
  for (const notice of el.notices.querySelectorAll('[data-testid="notice"]'))
    notice.remove();
}

// ---- Controls -------------------------------------------------------------

function controlsBind() {
  el.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    composerSubmit();
  });
  el.input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    composerSubmit();
  });
  el.picker.addEventListener("change", () => {
    if (!send("switch_mode", { mode: el.picker.value }) && state.mode)
      el.picker.value = state.mode.slug;
  });
  el.newCustomer.addEventListener("click", () => send("new_persona"));
  el.newConversation.addEventListener("click", () => send("clear"));
  el.notices.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dismiss]");
    if (button) button.closest(".notice").remove();
  });
}

controlsBind();
voiceInit({ input: el.input, submit: composerSubmit });
connect();
