// Names as the page shows them in avatars and monograms.

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
