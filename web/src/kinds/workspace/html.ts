/**
 * `text/html` outputs, sanitized: the kernel's HTML is parsed in an inert document (no
 * scripts run, nothing loads) and copied element by element into fresh nodes, keeping only
 * the tags of tables and text formatting and no attributes but a cell's spans. Scripts,
 * styles, event handlers, links, images and forms never reach the page; their text stays.
 */

const KEPT_TAGS = new Set([
  "b",
  "blockquote",
  "br",
  "caption",
  "code",
  "dd",
  "div",
  "dl",
  "dt",
  "em",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "i",
  "li",
  "ol",
  "p",
  "pre",
  "s",
  "small",
  "span",
  "strong",
  "sub",
  "sup",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "u",
  "ul",
]);
/** Dropped with their content: what they hold is code or chrome, not text. */
const DROPPED_TAGS = new Set([
  "script",
  "style",
  "template",
  "iframe",
  "object",
  "embed",
  "noscript",
  "svg",
  "math",
]);
const KEPT_ATTRIBUTES = new Set(["colspan", "rowspan"]);
/** Nesting past this is flattened to text: a hostile document cannot blow the stack. */
const MAX_DEPTH = 64;

function copy(source: Node, target: Node, depth: number): void {
  for (const child of Array.from(source.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      target.appendChild(document.createTextNode(child.textContent ?? ""));
      continue;
    }
    if (!(child instanceof Element)) continue;
    const tag = child.tagName.toLowerCase();
    if (DROPPED_TAGS.has(tag)) continue;
    if (!KEPT_TAGS.has(tag) || depth >= MAX_DEPTH) {
      // Unknown element: keep its content, lose the element.
      copy(child, target, depth + 1);
      continue;
    }
    const element = document.createElement(tag);
    for (const attribute of Array.from(child.attributes)) {
      const name = attribute.name.toLowerCase();
      if (KEPT_ATTRIBUTES.has(name) && /^\d{1,3}$/.test(attribute.value))
        element.setAttribute(name, attribute.value);
    }
    copy(child, element, depth + 1);
    target.appendChild(element);
  }
}

/** A fragment of safe nodes for `html`. */
export function sanitizeHtml(html: string): DocumentFragment {
  const inert = new DOMParser().parseFromString(html, "text/html");
  const fragment = document.createDocumentFragment();
  copy(inert.body, fragment, 0);
  return fragment;
}

/** Svelte action: fills the element with the sanitized `html`. */
export function safeHtml(node: HTMLElement, html: string): { update(next: string): void } {
  node.replaceChildren(sanitizeHtml(html));
  return {
    update(next: string) {
      node.replaceChildren(sanitizeHtml(next));
    },
  };
}
