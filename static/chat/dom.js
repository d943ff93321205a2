// Building elements safely: text always goes in through textContent, never as HTML.

/**
 * h("p", { class: "x", dataset: { testid: "y" } }, "text", child) builds an element.
 * Strings and numbers become text nodes; null and false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(
      child instanceof Node ? child : document.createTextNode(String(child)),
    );
  }
  return element;
}

export function byId(id) {
  return document.getElementById(id);
}
