// Building elements safely: text always goes in through textContent, never as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Sets the attributes and appends the children of a new element (see `h`). */
function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(
      child instanceof Node ? child : document.createTextNode(String(child)),
    );
  }
  return element;
}

/**
 * h("p", { class: "x", dataset: { testid: "y" } }, "text", child) builds an element.
 * Strings and numbers become text nodes; null and false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** As `h`, for an SVG element: svg("rect", { x: 0, width: 10 }). */
export function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function byId(id) {
  return document.getElementById(id);
}
