// A mode's look: its colours as CSS custom properties, its name, monogram and the
// lines its kind of customer reads (from the server's `mode`).

import { byId } from "./dom.js";
import { initials } from "./format.js";

const DARK = "#111827";
const LIGHT = "#ffffff";

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `colour` on `background` if it reads well (WCAG AA), else black or white. */
function readable(colour, background) {
  if (contrast(colour, background) >= 4.5) return colour;
  return contrast(DARK, background) >= contrast(LIGHT, background) ? DARK : LIGHT;
}

const isHex = (value) => /^#[0-9a-f]{6}$/i.test(value || "");

/** Sets --primary, --secondary, --background, --surface, --text and readable pairings. */
export function themeApply(theme) {
  if (
    !theme ||
    ![
      theme.primary,
      theme.secondary,
      theme.background,
      theme.surface,
      theme.text,
    ].every(isHex)
  )
    return;
  const root = document.documentElement.style;
  const text = readable(theme.text, theme.surface);
  root.setProperty("--primary", theme.primary);
  root.setProperty("--secondary", theme.secondary);
  root.setProperty("--background", theme.background);
  root.setProperty("--surface", theme.surface);
  root.setProperty("--text", text);
  root.setProperty("--on-primary", readable(LIGHT, theme.primary));
  root.setProperty("--on-secondary", readable(DARK, theme.secondary));
  root.setProperty("--primary-ink", readable(theme.primary, theme.surface));
}

/** The header, the monogram and the title for a mode. */
export function brandApply(mode) {
  byId("hero-text").textContent = mode.hero || "";
  byId("chat-subtitle").textContent = mode.chat_subtitle || "";
  byId("company-name").textContent = mode.company_name;
  byId("tagline").textContent = mode.tagline || "";
  byId("monogram").textContent = initials(mode.company_name);
  byId("chat-avatar").textContent = initials(mode.company_name);
  byId("chat-heading").textContent = `${mode.company_name} assistant`;
  document.title = `Secure messages · ${mode.company_name}`;
  document.body.dataset.mode = mode.slug;
  themeApply(mode.theme);
}
