// Voice: the visitor says a message and hears the reply, through the browser's own
// Web Speech API. Nothing here talks to our server; without the API the page is text.

import { COPY } from "./copy.js";
import { byId } from "./dom.js";

const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
const synthesis = window.SpeechSynthesisUtterance ? window.speechSynthesis : null;
// A reply is read up to its third sentence, and the third only if the whole stays short:
// the screen has the rest.
const SPOKEN_SENTENCES = 3;
const SPOKEN_CHARS = 280;
const STORAGE_KEYS = {
  speaker: "presto-voice-speaker",
  noticeSeen: "presto-voice-notice-seen",
};
// What the visitor is told when recognition fails; an abort (ours) says nothing.
const RECOGNITION_PROBLEMS = {
  "not-allowed": COPY.voice.mic_blocked,
  "service-not-allowed": COPY.voice.mic_blocked,
  "audio-capture": COPY.voice.mic_blocked,
  "no-speech": COPY.voice.heard_nothing,
  aborted: "",
};

const state = {
  locale: document.documentElement.lang || "en-US",
  // SpeechRecognition.available()'s word on on-device recognition for the locale.
  onDevice: "unavailable",
  speakerOn: false,
  recognition: null, // the one listening now
  utterances: [], // kept, so none is collected before its events fire
  // Charts of replies being read: { messageId, at, draw, sentence }, drawn when the
  // sentence that introduces them starts.
  held: [],
  input: null,
  submit: null,
};

const el = {
  controls: byId("voice-controls"),
  mic: byId("voice-mic"),
  speaker: byId("voice-speaker"),
  notice: byId("voice-notice"),
  noticeClose: byId("voice-notice-close"),
  status: byId("voice-status"),
};

/**
 * Shows the toggles the browser can back and binds them. `submit` sends what is in
 * `input` the way typing and Enter do.
 */
export function voiceInit({ input, submit }) {
  state.input = input;
  state.submit = submit;
  el.mic.hidden = !Recognition;
  el.speaker.hidden = !synthesis;
  el.controls.hidden = !Recognition && !synthesis;
  if (synthesis) speakerSet(stored(STORAGE_KEYS.speaker) === "on");
  el.mic.addEventListener("click", micToggle);
  el.speaker.addEventListener("click", () => speakerChoose(!state.speakerOn));
  el.noticeClose.addEventListener("click", () => {
    el.notice.hidden = true;
  });
  onDeviceAsk(state.locale);
}

/**
 * A mode and conversation drawn afresh: the old one's reading stops (its held charts
 * draw before the page clears them), and `locale` (BCP 47) is what recognition
 * listens for and replies are read in from now on.
 */
export function voiceModeShow(locale) {
  speechStop();
  if (!locale || locale === state.locale) return;
  state.locale = locale;
  onDeviceAsk(locale);
}

/**
 * The visitor sent a message, or a reply failed: whatever is being read stops, and
 * the charts held for it draw now.
 */
export function voiceStop() {
  speechStop();
}

// ---- Storage: a visitor's choices outlive the page ------------------------

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage refused (a private window): the choice lasts until the page goes.
  }
}

// ---- Speaking: the microphone ---------------------------------------------

function micToggle() {
  if (state.recognition) state.recognition.stop();
  else listenStart();
}

/** One spoken message: heard words fill the box as they come, the last ones send it. */
function listenStart() {
  speechStop();
  const recognition = new Recognition();
  recognition.lang = state.locale;
  recognition.interimResults = true;
  recognition.continuous = false;
  if (state.onDevice === "available") recognition.processLocally = true;
  else vendorNoticeShow();
  recognitionBind(recognition, state.input.value.trim());
  state.recognition = recognition;
  micShow(true);
  statusShow(COPY.voice.listening);
  onDeviceInstall();
  recognition.start();
}

function recognitionBind(recognition, typed) {
  let problem = "";
  recognition.addEventListener("speechstart", speechStop);
  recognition.addEventListener("result", (event) => heard(event.results, typed));
  recognition.addEventListener("error", (event) => {
    problem = RECOGNITION_PROBLEMS[event.error] ?? COPY.voice.not_understood;
  });
  recognition.addEventListener("end", () => {
    if (state.recognition !== recognition) return;
    state.recognition = null;
    micShow(false);
    statusShow(problem);
  });
}

/** Words so far go into the box after anything typed; once all are final, it sends. */
function heard(resultList, typed) {
  const results = Array.from(resultList);
  const words = results.map((result) => result[0].transcript).join("");
  state.input.value = [typed, words.trim()].filter(Boolean).join(" ");
  if (results.length && results.every((result) => result.isFinal)) state.submit();
}

function micShow(listening) {
  el.mic.setAttribute("aria-pressed", String(listening));
}

function statusShow(text) {
  el.status.textContent = text;
}

/** Once per visitor, where recognition happens off the device: said beside the mic. */
function vendorNoticeShow() {
  if (stored(STORAGE_KEYS.noticeSeen)) return;
  store(STORAGE_KEYS.noticeSeen, "1");
  el.notice.hidden = false;
}

/** Whether this browser recognises the locale on the device (newer Chromium says). */
function onDeviceAsk(locale) {
  state.onDevice = "unavailable";
  if (typeof Recognition?.available !== "function") return;
  Recognition.available({ langs: [locale], processLocally: true })
    .then((status) => {
      if (state.locale === locale) state.onDevice = status;
    })
    .catch(() => {});
}

/** Fetches the on-device language pack when it can be, for the next time. */
function onDeviceInstall() {
  if (state.onDevice !== "downloadable") return;
  const locale = state.locale;
  state.onDevice = "downloading";
  Recognition.install({ langs: [locale], processLocally: true })
    .then((installed) => {
      if (installed && state.locale === locale) state.onDevice = "available";
    })
    .catch(() => {});
}

// ---- Listening: the speaker -----------------------------------------------

function speakerChoose(on) {
  store(STORAGE_KEYS.speaker, on ? "on" : "off");
  speakerSet(on);
}

function speakerSet(on) {
  state.speakerOn = on;
  el.speaker.setAttribute("aria-pressed", String(on));
  if (!on) speechStop();
}

/** Whether a reply finishing now would be read aloud. */
function speaking() {
  return Boolean(synthesis) && state.speakerOn && !state.recognition;
}

/**
 * A finished reply: its first sentences are read, one utterance each, so the page
 * knows which sentence is starting; the reply's held charts draw as theirs does.
 */
export function voiceReplyEnded(text, messageId) {
  const key = String(messageId);
  chartsRelease((chart) => chart.messageId !== key);
  if (!speaking()) return chartsRelease(() => true);
  if (synthesis.speaking || synthesis.pending) synthesis.cancel();
  const sentences = spokenSentences(text, state.locale);
  for (const chart of state.held) chart.sentence = introducing(sentences, chart.at);
  const voice = voiceFor(state.locale);
  state.utterances = sentences.map((sentence, index) =>
    utteranceFor(sentence.text, voice, key, index),
  );
  const last = state.utterances.at(-1);
  if (!last) return chartsRelease(() => true);
  last.addEventListener("end", () => chartsRelease((c) => c.messageId === key));
  for (const utterance of state.utterances) synthesis.speak(utterance);
}

function utteranceFor(text, voice, messageId, index) {
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = state.locale;
  if (voice) utterance.voice = voice;
  const mine = (chart) => chart.messageId === messageId;
  utterance.addEventListener("start", () =>
    chartsRelease((chart) => mine(chart) && chart.sentence <= index),
  );
  utterance.addEventListener("error", () => chartsRelease(mine));
  return utterance;
}

/** The reply's first sentences, each with where it starts in the reply. */
function spokenSentences(text, locale) {
  const segmenter = new Intl.Segmenter(locale, { granularity: "sentence" });
  const sentences = [];
  let chars = 0;
  for (const { segment, index } of segmenter.segment(text)) {
    const sentence = segment.trim();
    if (!sentence) continue;
    const tooLong = sentences.length >= 2 && chars + sentence.length > SPOKEN_CHARS;
    if (sentences.length >= SPOKEN_SENTENCES || tooLong) break;
    sentences.push({ text: sentence, start: index });
    chars += sentence.length;
  }
  return sentences;
}

/**
 * The sentence that introduces a chart which came `at` characters into its reply: the
 * last one begun by then, or the last one read when the chart came after them.
 */
function introducing(sentences, at) {
  const begun = sentences.filter((sentence) => sentence.start < at).length;
  return Math.max(0, begun - 1);
}

/** A voice for the locale, preferring one on the device; else the browser chooses. */
function voiceFor(locale) {
  const wanted = locale.toLowerCase();
  const language = wanted.split("-")[0];
  const tag = (voice) => voice.lang.replace("_", "-").toLowerCase();
  const voices = synthesis
    .getVoices()
    .toSorted((a, b) => Number(b.localService) - Number(a.localService));
  return (
    voices.find((voice) => tag(voice) === wanted) ??
    voices.find((voice) => tag(voice).split("-")[0] === language) ??
    null
  );
}

/** Stops reading at once; the charts it held back draw now. */
function speechStop() {
  if (synthesis && (synthesis.speaking || synthesis.pending)) synthesis.cancel();
  state.utterances = [];
  chartsRelease(() => true);
}

// ---- Charts timed to the sentence that introduces them -------------------

/**
 * A chart for a reply still streaming, which came after `at` characters of its text:
 * drawn now, or, while replies are read aloud, when its sentence starts.
 */
export function voiceChartHold(messageId, at, draw) {
  if (!speaking() || synthesis.getVoices().length === 0) return draw();
  state.held.push({ messageId: String(messageId), at, draw, sentence: 0 });
}

function chartsRelease(which) {
  const due = state.held.filter(which);
  state.held = state.held.filter((chart) => !due.includes(chart));
  for (const chart of due) chart.draw();
}
