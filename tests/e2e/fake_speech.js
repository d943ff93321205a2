// Stands in for the browser's speech recognition and synthesis in the voice tests
// (tests/e2e/test_voice.py), which drive it through window.speechFake. The test sets
// window.speechFakeOptions first: { onDevice: "available" | "downloadable" | ... } gives
// SpeechRecognition.available(); without it the browser has no on-device recognition.
(() => {
  const options = window.speechFakeOptions || {};
  const fake = {
    recognitions: [],
    utterances: [],
    cancels: 0,
    current: null,
    violations: [],
  };
  window.speechFake = fake;
  document.addEventListener("securitypolicyviolation", (event) =>
    fake.violations.push(`${event.violatedDirective} ${event.blockedURI}`),
  );

  class FakeRecognition extends EventTarget {
    constructor() {
      super();
      this.lang = "";
      this.interimResults = false;
      this.continuous = false;
      this.processLocally = false;
      this.listening = false;
      fake.recognitions.push(this);
    }
    start() {
      this.listening = true;
      this.fire("start");
    }
    stop() {
      this.finish();
    }
    abort() {
      this.finish();
    }
    fire(type, fields = {}) {
      this.dispatchEvent(Object.assign(new Event(type), fields));
    }
    /** What the visitor said so far; final words end the recognition, as in Chromium. */
    hear(words, isFinal) {
      const result = Object.assign([{ transcript: words, confidence: 0.9 }], {
        isFinal,
      });
      this.fire("result", { resultIndex: 0, results: [result] });
      if (isFinal) this.finish();
    }
    finish() {
      if (!this.listening) return;
      this.listening = false;
      this.fire("end");
    }
  }
  if (options.onDevice) {
    FakeRecognition.available = async () => options.onDevice;
    FakeRecognition.install = async () => true;
  }
  window.SpeechRecognition = FakeRecognition;
  window.webkitSpeechRecognition = FakeRecognition;

  class FakeUtterance extends EventTarget {
    constructor(text = "") {
      super();
      Object.assign(this, { text, lang: "", voice: null, rate: 1, pitch: 1 });
    }
  }
  const voice = (name, lang, localService) => ({
    name,
    lang,
    localService,
    default: false,
    voiceURI: name,
  });
  const voices = [
    voice("Fake English (UK)", "en-GB", true),
    voice("Fake English (US), online", "en-US", false),
    voice("Fake English (US)", "en-US", true),
    voice("Fake Deutsch", "de-DE", true),
  ];
  const queued = [];
  const synthesis = {
    get speaking() {
      return fake.current !== null;
    },
    get pending() {
      return queued.length > 0;
    },
    paused: false,
    getVoices: () => voices.slice(),
    speak(utterance) {
      fake.utterances.push(utterance);
      queued.push(utterance);
    },
    cancel() {
      fake.cancels += 1;
      queued.length = 0;
      fake.current = null;
    },
    pause() {},
    resume() {},
    addEventListener() {},
    removeEventListener() {},
  };
  /** The browser begins reading utterance `index` (or finishes it). */
  fake.start = (index) => {
    const utterance = fake.utterances[index];
    if (queued.includes(utterance)) queued.splice(queued.indexOf(utterance), 1);
    fake.current = utterance;
    utterance.dispatchEvent(new Event("start"));
  };
  fake.end = (index) => {
    fake.current = null;
    fake.utterances[index].dispatchEvent(new Event("end"));
  };
  fake.spoken = () =>
    fake.utterances.map((u) => ({
      text: u.text,
      lang: u.lang,
      voice: u.voice ? u.voice.name : null,
    }));
  fake.listener = () => fake.recognitions.at(-1);
  Object.defineProperty(window, "speechSynthesis", {
    value: synthesis,
    configurable: true,
  });
  window.SpeechSynthesisUtterance = FakeUtterance;
})();
