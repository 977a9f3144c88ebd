// The public pages in headless Chromium (browser_test.sh sets up the registry and lists them).
// Usage: node pages.mjs BASE_URL CHROMIUM SHOTS PAGES_FILE HOSTILE_FILE
// PAGES_FILE: one page a line, "NAME STATUS PATH [hostile]". For each page, at phone
// (390x844, a mobile viewport) and desktop (1280x900) widths:
//   - loaded with JavaScript disabled: the answer's status (after redirects) is STATUS; a
//     full-page PNG is saved as SHOTS/NAME-WIDTH.png; the page has exactly one <h1>, a
//     viewport meta (width=device-width), no <script>, no word in a table cell and no date
//     (.d) broken across lines, and no horizontal scroll at phone width; a "hostile" page
//     shows HOSTILE_FILE's text (a holder's name made of markup) as text, and none of the
//     elements it would have made exists;
//   - loaded again with JavaScript enabled, in a context of its own (axe-core's source
//     injected into every document of it, the CSP bypassed): axe-core checks WCAG 2.0/2.1 A and AA; every
//     violation is printed and fails the run; nothing the hostile text carried has run.
// Exit 0 when every check held, 1 otherwise. Prints a summary.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [base, executablePath, shots, pagesFile, hostileFile] = process.argv.slice(2);
if (!hostileFile) {
  console.error('usage: node pages.mjs BASE_URL CHROMIUM SHOTS PAGES_FILE HOSTILE_FILE');
  process.exit(2);
}
const here = fileURLToPath(new URL('.', import.meta.url));
const axeSource = readFileSync(join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const hostile = readFileSync(hostileFile, 'utf8');
const pages = readFileSync(pagesFile, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const [name, status, path, flag] = l.trim().split(/\s+/);
    return { name, status: Number(status), path, hostile: flag === 'hostile' };
  });
const widths = [
  { label: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  { label: 'desktop', viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false },
];
const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const failures = [];
let checks = 0;
let shotsSaved = 0;
let violations = 0;
const incomplete = new Map(); // rule id: the pages where axe-core could not decide
function expect(cond, what) {
  checks++;
  if (!cond) {
    failures.push(what);
    console.log(`FAIL ${what}`);
  }
}

const started = Date.now();
const browser = await chromium.launch({ executablePath, timeout: 20000 });
try {
  // The two widths side by side: each in contexts of its own.
  const atWidth = async (w) => {
    const common = {
      viewport: w.viewport,
      isMobile: w.isMobile,
      hasTouch: w.hasTouch,
      deviceScaleFactor: 1,
      locale: 'en-GB',
    };
    const plain = await browser.newContext({ ...common, javaScriptEnabled: false });
    const forAxe = await browser.newContext({ ...common, bypassCSP: true });
    plain.setDefaultTimeout(15000);
    forAxe.setDefaultTimeout(15000);
    // axe-core in every document of its context, before the page's own content.
    await forAxe.addInitScript({ content: axeSource });
    // One tab per context, navigated from page to page (a new tab is a new renderer).
    const page = await plain.newPage();
    const ap = await forAxe.newPage();
    // As a person sees it: no script runs (Playwright's own evaluation still does).
    const asSeen = async (p, at, url) => {
      const resp = await page.goto(url, { waitUntil: 'load' });
      expect(resp !== null && resp.status() === p.status,
        `${at}: status ${resp && resp.status()}, want ${p.status}`);
      await page.screenshot({ path: join(shots, `${p.name}-${w.viewport.width}.png`), fullPage: true });
      shotsSaved++;
      const got = await page.evaluate(() => ({
        h1: document.querySelectorAll('h1').length,
        viewport: document.querySelector('meta[name="viewport"]')?.getAttribute('content') ?? '',
        scripts: document.querySelectorAll('script').length,
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        text: document.body.textContent,
        made: ['#libro-injected', '#libro-h1', 'img'].filter((sel) => document.querySelector(sel)),
        // Words broken across lines: a table cell's that would fit in it whole (words as
        // Intl.Segmenter finds them: a break at a hyphen or a slash is no break in a word; a
        // longer word may break), and a date's (.d, never broken).
        broken: (() => {
          const out = [];
          const lines = (range) => new Set([...range.getClientRects()]
            .filter((q) => q.width > 0).map((q) => Math.round(q.top))).size;
          const measure = document.createElement('canvas').getContext('2d');
          const words = new Intl.Segmenter('en', { granularity: 'word' });
          for (const cell of document.querySelectorAll('th, td')) {
            const style = getComputedStyle(cell);
            const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let t = walk.nextNode(); t !== null; t = walk.nextNode()) {
              measure.font = getComputedStyle(t.parentElement).font;
              for (const w of words.segment(t.data)) {
                if (!w.isWordLike) {
                  continue;
                }
                const r = document.createRange();
                r.setStart(t, w.index);
                r.setEnd(t, w.index + w.segment.length);
                if (lines(r) > 1 && measure.measureText(w.segment).width <= room) {
                  out.push(w.segment);
                }
              }
            }
          }
          for (const d of document.querySelectorAll('.d')) {
            const r = document.createRange();
            r.selectNodeContents(d);
            if (lines(r) > 1) {
              out.push(d.textContent);
            }
          }
          return out;
        })(),
      }));
      expect(got.h1 === 1, `${at}: ${got.h1} <h1> elements, want 1`);
      expect(/width=device-width/.test(got.viewport), `${at}: no viewport meta (width=device-width)`);
      expect(got.scripts === 0, `${at}: the page has a <script>`);
      expect(got.broken.length === 0,
        `${at}: words broken across lines: ${got.broken.slice(0, 5).join(', ')}`);
      if (w.isMobile) {
        expect(got.scroll <= got.client,
          `${at}: scrolls sideways (content ${got.scroll}px wide in ${got.client}px)`);
      }
      if (p.hostile) {
        expect(got.text.includes(hostile), `${at}: the holder's name is not shown as text`);
        for (const sel of got.made) {
          expect(false, `${at}: the holder's name made a ${sel}`);
        }
      }
    };
    // axe-core, with scripts on (its own), the CSP bypassed to inject it.
    const withAxe = async (p, at, url) => {
      await ap.goto(url, { waitUntil: 'load' });
      const result = await ap.evaluate(async (values) => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] });
        return {
          injected: window.libroInjected !== undefined,
          incomplete: r.incomplete.map((v) => v.id),
          violations: r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
          })),
        };
      }, tags);
      expect(!result.injected, `${at}: a script from the holder's name ran`);
      for (const id of result.incomplete) {
        incomplete.set(id, [...(incomplete.get(id) || []), at]);
      }
      for (const v of result.violations) {
        violations++;
        expect(false, `${at}: axe ${v.id} (${v.impact}): ${v.help}`);
        for (const n of v.nodes.slice(0, 5)) {
          console.log(`    ${n}`);
        }
      }
    };
    for (const p of pages) {
      const at = `${p.name} (${w.label} ${w.viewport.width}px)`;
      await Promise.all([asSeen(p, at, base + p.path), withAxe(p, at, base + p.path)]);
    }
    await plain.close();
    await forAxe.close();
  };
  await Promise.all(widths.map(atWidth));
} finally {
  await browser.close();
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`browser: ${pages.length} pages at ${widths.length} widths (390 and 1280 px), ` +
  `${shotsSaved} screenshots in ${shots}`);
console.log(`browser: axe-core ${JSON.parse(readFileSync(join(here, 'node_modules/axe-core/package.json'))).version} ` +
  `(${tags.join(', ')}): ${violations} violations`);
for (const [id, where] of incomplete) {
  console.log(`browser: axe-core could not decide ${id} (to review by hand) on ${where.join(', ')}`);
}
console.log(`browser: ${checks} checks, ${failures.length} failed, ${seconds} s in Chromium`);
process.exit(failures.length === 0 ? 0 : 1);
