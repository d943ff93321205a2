// Names and figures as the page shows them: initials in avatars and monograms, and
// the dashboard's numbers in the mode's locale (the browser's Intl reads the same
// CLDR forms Babel gives the server's card, personas/formatting.py).

// A unit that is a currency code ("USD"); "%" is a percentage; any other is a suffix.
const CURRENCY = /^[A-Z]{3}$/;
// Units that are counted things, shown as the bare number.
const BARE_UNITS = new Set(["", "count"]);

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

/** How `short` writes a figure: $1.2K from a thousand up, $250 for a whole one. */
function shortened(value) {
  if (Math.abs(value) >= 1000)
    return { notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1 };
  return Number.isInteger(value) ? { minimumFractionDigits: 0 } : {};
}

/**
 * A figure in its unit: $1,234.56 (or $1.2K when `short`, for an axis), 42%, 12 days.
 * A value that is not a number (a date, a name) shows as it came.
 */
export function figureFormat(value, unit, locale, { short = false } = {}) {
  if (typeof value !== "number") return String(value ?? "");
  const compact = short ? shortened(value) : {};
  if (CURRENCY.test(unit || ""))
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency: unit,
      ...compact,
    }).format(value);
  if (unit === "%")
    return new Intl.NumberFormat(locale, {
      style: "percent",
      maximumFractionDigits: 2,
    }).format(value / 100);
  const number = new Intl.NumberFormat(locale, {
    maximumFractionDigits: 2,
    ...compact,
  }).format(value);
  return BARE_UNITS.has(unit || "") ? number : `${number} ${unit}`;
}
