// Drives a bank page built on Aktiv's rutoken-plugin-bootstrap (as published on npm, bundled
// with esbuild; bank-page.js) in Debian's headless chromium against the bridge: sign-in,
// registration, PIN change, the PIN cache, and a <!PINPADFILE UTF8> payment signed through the
// SafeTouch. The page carries the bridge's script tag; with EXTENSION=DIR it carries none and the
// browser loads the adapter extension from DIR instead (then a second page, from an origin the
// bridge does not allow, must find no plugin). Prints one JSON object.
//
// usage: [EXTENSION=DIR] node bootstrap.mjs BRIDGE_URL PAGE_PORT
import { createServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import puppeteer from "puppeteer-core";

const [bridge, pagePort] = process.argv.slice(2);
const here = new URL(".", import.meta.url).pathname;
const result = { console: [] };
const PIN = "12345678";

const bundle = await esbuild.build({
  entryPoints: [join(here, "bank-page.js")], bundle: true, format: "iife", platform: "browser",
  write: false, logLevel: "silent",
});
const extension = process.env.EXTENSION || "";
const tag = extension ? "" : `<script src="${bridge}rutoken-plugin.js"></script>\n`;
const html = `<!doctype html><meta charset="utf-8"><title>Банк</title>
${tag}<script src="/bank.js"></script><body>Банк</body>`;
const serve = (req, res) => {
  const js = req.url === "/bank.js";
  res.writeHead(200, { "content-type": js ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8" });
  res.end(js ? bundle.outputFiles[0].text : html);
};
const server = createServer(serve);
await new Promise((ok) => server.listen(Number(pagePort), "127.0.0.1", ok));
// The same page from an origin the bridge was not told about.
const stranger = createServer(serve);
await new Promise((ok) => stranger.listen(0, "127.0.0.1", ok));

// Headless chromium loads extensions only in the new headless mode (`--headless=new`).
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  enableExtensions: Boolean(extension),
  args: [extension ? "--headless=new" : "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    `--user-data-dir=${mkdtempSync(join(tmpdir(), "rutoken-lab-chromium-"))}`,
    ...(extension ? [`--load-extension=${extension}`, `--disable-extensions-except=${extension}`] : [])],
});
const T = 30000;
try {
  const page = await browser.newPage();
  page.on("console", (m) => result.console.push(m.text()));
  page.on("pageerror", (e) => result.console.push("pageerror: " + e.message));
  await page.goto(`http://127.0.0.1:${pagePort}/`, { waitUntil: "load" });
  result.userAgent = await page.evaluate(() => navigator.userAgent);
  result.scriptTags = await page.evaluate(() => document.querySelectorAll('script[src*="rutoken-plugin"]').length);
  result.init = await page.evaluate(() => window.bank.ready);
  const wsUrl = bridge.replace(/^http/, "ws") + "ws";
  await page.evaluate((u) => window.bank.panel(u), wsUrl);

  // Runs a flow; confirms `presses` SafeTouch screens while it waits.
  async function run(flow, args, presses) {
    await page.evaluate((f, a) => { window.bank.pending = window.bank[f](...a); }, flow, args);
    for (let i = 0; i < presses; i++) {
      await page.waitForFunction(() => window.bank.current.waiting, { timeout: T });
      await page.evaluate(() => window.bank.press("confirm"));
      await page.waitForFunction(() => !window.bank.current.waiting, { timeout: T });
    }
    return page.evaluate(() => window.bank.pending);
  }

  if (result.init.ok) {
    result.signIn = await run("signIn", [PIN, "salt-2026-12-07"], 1);
    result.register = await run("register", [], 1);
    result.changePin = await run("changePin", [PIN, "87651234"], 0);
    result.pinCache = await run("pinCache", [PIN], 0);
    result.payment = "<!PINPADFILE UTF8><N>Платёжное поручение<V>№ 17" +
      "<N>Сумма<V>12 345,67 руб.<N>Получатель<V>ООО «Ромашка»<N>ИНН<V>7701234567" +
      "<N>Назначение<V>Оплата по счёту 42 от 01.12.2026, без НДС";
    result.sign = await run("signPayment", [result.payment], 1);
    result.screens = await page.evaluate(() => window.bank.screens);
  }
  if (extension) {
    const other = await browser.newPage();
    await other.goto(`http://127.0.0.1:${stranger.address().port}/`, { waitUntil: "load" });
    result.stranger = await other.evaluate(() => window.bank.ready);
  }
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.error = String(e && e.stack || e);
} finally {
  await browser.close();
  server.close();
  stranger.close();
}
console.log(JSON.stringify(result));
