// How figures read to people; the same forms as chat/prompting/formatting.py on the server.

const currency = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const whole = new Intl.NumberFormat("en-US");

/** $12,345.67, and -$42.10 for a debit. */
export function money(value) {
  return currency.format(Number(value));
}

/** 12,345 */
export function count(value) {
  return whole.format(Number(value));
}

/** A calendar date from "2026-03-04" without any time-zone shift. */
function calendarDate(value) {
  const [year, month, day] = String(value).slice(0, 10).split("-").map(Number);
  return new Date(year, month - 1, day);
}

/** March 4, 2026 */
export function longDate(value) {
  return calendarDate(value).toLocaleDateString("en-US", {
    month: "long",
    day: "numeric",
    year: "numeric",
  });
}

/** Mar 4, 2026 */
export function shortDate(value) {
  return calendarDate(value).toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    year: "numeric",
  });
}

/** { month: "Mar", day: "4" } for a calendar tile. */
export function dateParts(value) {
  const day = calendarDate(value);
  return {
    month: day.toLocaleDateString("en-US", { month: "short" }),
    day: String(day.getDate()),
  };
}

/** 9:30 AM from "09:30" or "09:30:00". */
export function clockTime(value) {
  const [hour, minute] = String(value).split(":").map(Number);
  const suffix = hour < 12 ? "AM" : "PM";
  return `${hour % 12 || 12}:${String(minute).padStart(2, "0")} ${suffix}`;
}

/** Up to two initials: "Meridian Trust Bank" gives "MT", "Jordan Ellis" gives "JE". */
export function initials(name) {
  const skip = new Set(["the", "of", "and", "&", "for"]);
  const words = String(name)
    .split(/\s+/)
    .filter((w) => w && !skip.has(w.toLowerCase()));
  if (words.length === 0) return "?";
  if (words.length === 1) return words[0].slice(0, 2).toUpperCase();
  return (words[0][0] + words[1][0]).toUpperCase();
}

/** "transfer_in" reads as "Transfer in". */
export function label(value) {
  const text = String(value).replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
