import { parse, type DefaultTreeAdapterTypes, type ParserError } from 'parse5';

type Node = DefaultTreeAdapterTypes.Node;
export type Element = DefaultTreeAdapterTypes.Element;

/** A report parsed with parse5, with the parse errors it raised. */
export interface ReportDom {
  elements: Element[];
  errors: ParserError[];
}

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function children(node: Node): Node[] {
  const own = 'childNodes' in node ? (node.childNodes as Node[]) : [];
  // <template> content lives apart; the report has none, but do not miss it.
  const content =
    isElement(node) && node.tagName === 'template' ? [(node as DefaultTreeAdapterTypes.Template).content] : [];
  return [...own, ...content];
}

/** Every element of the document, in document order. */
export function parseReport(html: string): ReportDom {
  const errors: ParserError[] = [];
  const document = parse(html, { onParseError: (e) => errors.push(e) });
  const elements: Element[] = [];
  const walk = (node: Node) => {
    if (isElement(node)) elements.push(node);
    for (const child of children(node)) walk(child);
  };
  walk(document);
  return { elements, errors };
}

/** An attribute of an element, or undefined. */
export function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

/** The element's text, as a browser's textContent. */
export function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterTypes.TextNode).value;
  return children(node).map(textOf).join('');
}

/** The elements under `root` (itself included) that match. */
export function within(root: Element, match: (el: Element) => boolean): Element[] {
  const found: Element[] = [];
  const walk = (node: Node) => {
    if (isElement(node) && match(node)) found.push(node);
    for (const child of children(node)) walk(child);
  };
  walk(root);
  return found;
}

/** The one element with this id; throws when absent. */
export function byId(dom: ReportDom, id: string): Element {
  const el = dom.elements.find((e) => attr(e, 'id') === id);
  if (!el) throw new Error(`no element #${id} in the report`);
  return el;
}
