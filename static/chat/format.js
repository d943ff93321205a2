// How figures read to people, in the customer's locale and currency, by the browser's
// Intl: the same CLDR forms Babel writes on the server (chat/prompting/formatting.py).

// CLDR puts a narrow no-break space before AM/PM; the server writes a plain one too.
const NARROW_SPACE = /\u202f/g;

function formatsOf(locale, currency) {
  return {
    locale,
    money: new Intl.NumberFormat(locale, { style: "currency", currency }),
    whole: new Intl.NumberFormat(locale),
    clock: new Intl.DateTimeFormat(locale, { timeStyle: "short" }),
  };
}

let formats = formatsOf("en-US", "USD");

/** Figures from now on read the way this customer reads them ("de_DE" or "de-DE", "EUR"). */
export function formatFor(locale, currency) {
  formats = formatsOf(String(locale || "en-US").replace("_", "-"), currency || "USD");
}

/** $12,345.67 and -$42.10 in en-US; 1.234,56 € in de-DE; ￥123,456 in ja-JP. */
export function money(value) {
  return formats.money.format(Number(value));
}

/** 12,345 in en-US, 12.345 in de-DE. */
export function count(value) {
  return formats.whole.format(Number(value));
}

/** A calendar date from "2026-03-04" without any time-zone shift. */
function calendarDate(value) {
  const [year, month, day] = String(value).slice(0, 10).split("-").map(Number);
  return new Date(year, month - 1, day);
}

/** March 4, 2026 in en-US, 4. März 2026 in de-DE. */
export function longDate(value) {
  return calendarDate(value).toLocaleDateString(formats.locale, { dateStyle: "long" });
}

/** Mar 4, 2026 in en-US, 04.03.2026 in de-DE. */
export function shortDate(value) {
  return calendarDate(value).toLocaleDateString(formats.locale, {
    dateStyle: "medium",
  });
}

/** { month: "Mar", day: "4" } for a calendar tile. */
export function dateParts(value) {
  const day = calendarDate(value);
  return {
    month: day.toLocaleDateString(formats.locale, { month: "short" }),
    day: String(day.getDate()),
  };
}

/** 9:30 AM in en-US and 09:30 in de-DE, from "09:30" or "09:30:00". */
export function clockTime(value) {
  const [hour, minute] = String(value).split(":").map(Number);
  return formats.clock
    .format(new Date(1970, 0, 1, hour, minute))
    .replace(NARROW_SPACE, " ");
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
