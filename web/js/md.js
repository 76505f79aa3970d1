// A small Markdown subset for verslagen and notulen, rendered with DOM nodes and text only (never
// innerHTML), so whatever a text contains is shown as text. Understood: headings (# to ####),
// lists ("- ", "* " and "1. "), paragraphs separated by a blank line (a line break inside one is
// kept), **bold**, *italic* and _italic_. Everything else, HTML included, stays literal text.
import { h, text } from './dom.js';

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,3})[.)]\s+(.*)$/;
// Longest first: **bold** before *italic*; a marker needs a non-space right after it.
const INLINE = /(\*\*(?=\S)([\s\S]+?)\*\*)|(\*(?=[^\s*])([^*]+?)\*)|(\b_(?=\S)([^_]+?)_\b)/g;

/** Inline markup of one piece of text into nodes (appended to parent). */
function inline(parent, str) {
  let last = 0;
  for (const m of str.matchAll(INLINE)) {
    if (m.index > last) parent.append(text(str.slice(last, m.index)));
    if (m[2] !== undefined) parent.append(inline(h('strong'), m[2]));
    else parent.append(inline(h('em'), m[4] ?? m[6]));
    last = m.index + m[0].length;
  }
  if (last < str.length) parent.append(text(str.slice(last)));
  return parent;
}

/** The lines of a paragraph, with line breaks kept (a trailing "  " or "\" is Markdown's break). */
function paragraph(lines) {
  const p = h('p');
  lines.forEach((l, i) => {
    if (i) p.append(h('br'));
    inline(p, l.replace(/(\s{2,}|\\)$/, '').trim());
  });
  return p;
}

/**
 * Renders text into a DocumentFragment. headingBase: the element level of "#" (default 3, so a
 * verslag's "##" under the page's h2 becomes an h4); levels stop at h6.
 */
export function renderMarkdown(str, { headingBase = 3 } = {}) {
  const frag = document.createDocumentFragment();
  const lines = String(str ?? '').replace(/\r\n?/g, '\n').split('\n');
  let para = [];
  let list = null; // {el, ordered}
  const flushPara = () => { if (para.length) frag.append(paragraph(para)); para = []; };
  const flushList = () => { list = null; };
  for (const line of lines) {
    if (!line.trim()) { flushPara(); flushList(); continue; }
    const hm = HEADING.exec(line);
    if (hm) {
      flushPara(); flushList();
      const level = Math.min(6, headingBase + hm[1].length - 1);
      frag.append(inline(h(`h${level}`, { class: 'md-heading' }), hm[2]));
      continue;
    }
    const bm = BULLET.exec(line);
    const nm = bm ? null : NUMBERED.exec(line);
    if (bm || nm) {
      flushPara();
      const ordered = !!nm;
      if (!list || list.ordered !== ordered) {
        list = { ordered, el: h(ordered ? 'ol' : 'ul', { class: 'md-list' }) };
        if (ordered && nm[1] !== '1') list.el.setAttribute('start', nm[1]);
        frag.append(list.el);
      }
      list.el.append(inline(h('li'), (bm ? bm[1] : nm[2]).trim()));
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) { // a continuation of the last list item
      const li = list.el.lastElementChild;
      li.append(h('br'));
      inline(li, line.trim());
      continue;
    }
    flushList();
    para.push(line);
  }
  flushPara();
  return frag;
}

/** A div with the rendered text (class md). */
export function markdownBlock(str, { headingBase = 3, className = '' } = {}) {
  const el = h('div', { class: ['md', className] });
  el.append(renderMarkdown(str, { headingBase }));
  return el;
}
