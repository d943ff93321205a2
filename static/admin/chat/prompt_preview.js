// biome-ignore lint/suspicious/noRedundantUseStrict: a classic script (the admin's Media), not a module
"use strict";
// Live preview on the mode change page: posts the unsaved form and a customer seed to the
// preview URL as staff type, then shows the rendered greeting and prompt, or the lint
// problems. A file, not an inline script: the site's CSP forbids inline scripts.
// Only the latest request matters: starting one aborts the one before, and the server
// stops rendering for a request its browser dropped.
(() => {
  const fields = ["greeting_template", "system_prompt", "dashboard"];
  const delayMs = 400;
  const maxSeed = 2147483647;

  function start(panel) {
    const form = panel.closest("form");
    const seed = document.getElementById("prompt-preview-seed");
    const status = document.getElementById("prompt-preview-status");
    let timer = null;
    let inFlight = null;

    function show(field, result) {
      const output = document.getElementById(`prompt-preview-${field}`);
      const problems = result.problems || [];
      output.textContent = problems.length ? problems.join("\n") : result.text;
      output.classList.toggle("has-problems", problems.length > 0);
    }

    function showErrors(errors) {
      const lines = Object.entries(errors).map(
        ([name, list]) => `${name}: ${list.map((error) => error.message).join(" ")}`,
      );
      status.textContent = `Cannot preview yet. ${lines.join("; ")}`;
    }

    async function refresh() {
      clearTimeout(timer);
      if (inFlight) {
        inFlight.abort();
      }
      inFlight = new AbortController();
      const data = new FormData(form);
      data.set("seed", seed.value);
      try {
        const response = await fetch(panel.dataset.previewUrl, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          signal: inFlight.signal,
        });
        const result = await response.json();
        if (!response.ok) {
          showErrors(result.errors || {});
          return;
        }
        for (const field of fields) show(field, result[field]);
        status.textContent = `Rendered for ${result.persona.name}.`;
      } catch (error) {
        if (error.name !== "AbortError") {
          status.textContent = `Preview unavailable: ${error.message}`;
        }
      }
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, delayMs);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    document.getElementById("prompt-preview-shuffle").addEventListener("click", () => {
      seed.value = Math.floor(Math.random() * maxSeed);
      refresh();
    });
    refresh();
  }

  // Admin media scripts load in <head>, before the form exists.
  document.addEventListener("DOMContentLoaded", () => {
    const panel = document.getElementById("prompt-preview");
    if (panel) {
      start(panel);
    }
  });
})();
