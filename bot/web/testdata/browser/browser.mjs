// Drives Debian's chromium through policybot's web page. TestBrowser (in
// bot/web) starts the real binary and runs this with:
//   BASE          http://127.0.0.1:PORT of the running bot
//   CITATION_URL  a citation link taken from a real Slack answer
//   QUESTION      asked in the page's box
//   TOKEN         the insights token, entered in the login form
//   OUT           directory for the screenshots
// It prints one JSON object with what it saw; the Go test judges it.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const base = env('BASE'), citation = env('CITATION_URL'), question = env('QUESTION'), token = env('TOKEN'), out = env('OUT');

// A new, empty profile every run: no state from other runs or users.
const profile = mkdtempSync(join(tmpdir(), 'policybot-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 390, height: 844 }, // a phone
  deviceScaleFactor: 1,
});
const seen = { console: [], requests: [] };
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') seen.console.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith(base)) seen.requests.push(r.url()); });

  // The statement page.
  let res = await page.goto(base + '/');
  seen.status = res.status();
  seen.title = await page.title();
  seen.h1 = (await page.locator('h1').textContent()).trim();
  seen.paragraphs = await page.locator('.para[id^="p"]').count();
  seen.landmarks = await page.evaluate(() => ({
    main: document.querySelectorAll('main').length,
    nav: document.querySelectorAll('nav').length,
    search: document.querySelectorAll('[role=search]').length,
  }));
  seen.scripts = await page.locator('script').count();
  seen.horizontalScroll = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await page.screenshot({ path: join(out, 'statement.png') });
  await page.keyboard.press('Tab');
  seen.firstFocus = await page.evaluate(() => document.activeElement.textContent.trim());

  // A citation link from a Slack answer lands on its paragraph.
  await page.goto(citation);
  seen.citationHash = await page.evaluate(() => location.hash);
  seen.citationTarget = await page.evaluate(() => document.querySelector(':target')?.id ?? '');
  seen.citationInView = await page.evaluate(() => {
    const r = document.querySelector(':target')?.getBoundingClientRect();
    return !!r && r.top >= 0 && r.top < window.innerHeight;
  });
  await page.screenshot({ path: join(out, 'citation.png') });

  // The ask box.
  await page.goto(base + '/');
  await page.getByLabel('Ask a question about the statement').fill(question);
  await Promise.all([page.waitForURL(/\/ask\?q=/), page.getByRole('button', { name: 'Ask' }).click()]);
  seen.askURL = page.url();
  const mark = page.locator('figure.passage mark').first();
  seen.mark = (await mark.textContent()) ?? '';
  seen.markStrong = await mark.locator('strong').count();
  seen.markParagraph = (await page.locator('figure.passage blockquote p').first().textContent()) ?? '';
  const cite = page.locator('figure.passage figcaption a').first();
  seen.citeHref = await cite.getAttribute('href');
  await page.screenshot({ path: join(out, 'ask.png'), fullPage: false });
  await Promise.all([page.waitForURL(/#p\d+$/), cite.click()]);
  seen.citeFollowed = await page.evaluate(() => document.querySelector(':target')?.id ?? '');

  // /insights: the login form, then the page.
  res = await page.goto(base + '/insights');
  seen.insightsUnauthorized = res.status();
  await page.getByLabel('Insights token').fill(token);
  await Promise.all([page.waitForURL(/\/insights$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  seen.insightsH1 = (await page.locator('h1').textContent()).trim();
  seen.insightsText = await page.locator('main').innerText();
  const cookies = await context.cookies(base);
  seen.cookie = cookies.map((c) => ({ name: c.name, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite }));
  await page.setViewportSize({ width: 900, height: 900 });
  await page.screenshot({ path: join(out, 'insights.png'), fullPage: true });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(seen) + '\n');
