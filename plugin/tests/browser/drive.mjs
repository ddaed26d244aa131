// Drives Debian's chromium (headless, through the DevTools protocol with puppeteer-core; no
// browser download) through the rutoken-lab demo page, as a person would: clicks, the PIN
// dialog, the SafeTouch panel's buttons. Prints one JSON object with what the page produced.
//
// usage: node drive.mjs URL SCENARIO   (happy | reject-1 | reject-2 | wrong-pin | pull | reader-panel)
// With EXTENSION=DIR the browser loads the adapter extension from DIR (unpacked, as
// `rutoken-lab plugin install-extension` writes it) and the page carries no script of the bridge.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const [url, scenarioArg] = process.argv.slice(2);
// `…-unattended`: the SafeTouch is not ours to press (a sim behind PC/SC with an unattended
// policy): the flow goes on without waiting for the panel.
const unattended = scenarioArg.endsWith("-unattended");
const scenario = scenarioArg.replace(/-unattended$/, "");
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const PIN = "12345678";
const profile = mkdtempSync(join(tmpdir(), "rutoken-lab-chromium-"));
const result = { scenario, screens: [], console: [] };
const extension = process.env.EXTENSION || "";

// Headless chromium loads extensions only in the new headless mode (`--headless=new`).
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  enableExtensions: Boolean(extension),
  args: [
    extension ? "--headless=new" : "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    `--user-data-dir=${profile}`,
    ...(extension ? [`--load-extension=${extension}`, `--disable-extensions-except=${extension}`] : []),
  ],
});

const page = await browser.newPage();
page.on("console", (m) => result.console.push(m.text()));
page.on("pageerror", (e) => result.console.push("pageerror: " + e.message));

const T = 30000;
const visible = (sel) => page.waitForSelector(sel, { visible: true, timeout: T });
const click = async (sel) => { await visible(sel); await page.click(sel); };
const flow = (state) => page.waitForSelector(`body[data-flow="${state}"]`, { timeout: T });
const text = (sel) => page.$eval(sel, (e) => e.textContent);

async function enterPin(pin) {
  await visible("#pin-dialog");
  result.pinPrompt = await text("#pin-prompt");
  await page.type("#pin", pin);
  await page.click("#pin-ok");
}

// Waits for the SafeTouch to show a screen that waits for a press; records its whole text.
async function screen() {
  if (unattended) return "";
  await page.waitForSelector('body[data-safetouch="waiting"]', { timeout: T });
  const all = await page.$eval("#st-screen", (e) => e.dataset.all);
  result.screens.push(all);
  return all;
}

async function press(button) {
  if (unattended) return;
  await page.click(button === "confirm" ? "#st-confirm" : "#st-reject");
  await page.waitForSelector('body[data-safetouch="idle"]', { timeout: T });
}

async function failure() {
  await flow("failed");
  result.error = await text("#error");
  result.errorCode = Number(await page.$eval("#error", (e) => e.dataset.code));
}

async function pluginCall(method, ...args) {
  return page.evaluate(
    (m, a) => window.rutokenLab.plugin[m](...a).then((r) => ({ ok: r === undefined ? null : r }), (e) => ({ error: Number(e.message) })),
    method, args);
}

// The owner's name is reached with Tab and opened with Enter, as a keyboard user would.
async function openOwnerByKeyboard() {
  await visible(".cert-owner");
  result.ownerTag = await page.$eval(".cert-owner", (e) => e.tagName);
  result.validUntil = await text(".cert-until");
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement && document.activeElement.classList.contains("cert-owner"))) break;
  }
  result.ownerFocused = await page.evaluate(() => document.activeElement.classList.contains("cert-owner"));
  await page.keyboard.press("Enter");
  await visible("#reissue");
  result.certInfo = await text("#cert-info");
}

async function untilRequestSaved(firstPin) {
  await openOwnerByKeyboard();
  await click("#reissue");
  await click("#save");
  await enterPin(firstPin);
}

try {
  await page.goto(url, { waitUntil: "load" });
  result.scriptTags = await page.evaluate(() => document.querySelectorAll('script[src*="rutoken-plugin"]').length);
  result.viaExtension = await page.evaluate(() => Boolean(window.rutokenLab && window.rutokenLab.viaExtension));
  // The loader settles asynchronously (it asks the extension object first): read it after
  // `rutoken.ready`, as a page must.
  result.loader = await page.evaluate(() => typeof window.rutoken === "object" &&
    window.rutoken.ready.then(() => typeof window.rutoken.loadPlugin === "function"));
  result.errorCodes = await page.evaluate(() => new Promise((res) => rutoken.ready.then(() => rutoken.loadPlugin()).then((p) => res(p.errorCodes))));
  if (scenario === "reader-panel") {
    // The SafeTouch is behind a reader: the panel says where presses come from and shows no
    // screen or buttons that look live.
    await page.waitForSelector('body[data-safetouch-at="reader"]', { timeout: T });
    result.elsewhere = await page.$eval("#st-elsewhere", (e) => (e.hidden ? null : e.textContent));
    result.localShown = await page.$eval("#st-local", (e) => !e.hidden && e.offsetParent !== null);
    result.liveButtons = await page.$$eval("#safetouch button", (bs) => bs.filter((b) => b.offsetParent !== null).map((b) => b.id));
  } else if (scenario === "wrong-pin") {
    const info = await page.evaluate(() => window.rutokenLab.plugin.TOKEN_INFO_PINS_INFO);
    result.pinsBefore = await pluginCall("getDeviceInfo", 0, info);
    await untilRequestSaved("00000000");
    await page.waitForFunction(() => document.getElementById("pin-error").textContent.includes("Осталось"), { timeout: T });
    result.pinError = await text("#pin-error");
    result.triesLeft = Number(await page.$eval("#pin-error", (e) => e.dataset.left));
    await page.type("#pin", PIN);
    await page.click("#pin-ok");
    await screen();
    await press("confirm");
    await flow("request-saved");
    result.pkcs10 = await text("#pkcs10-out");
  } else {
    await untilRequestSaved(PIN);
    await screen();
    if (scenario === "reject-1") {
      await press("reject");
      await failure();
      await page.waitForSelector('body[data-cleanup="key-removed"]', { timeout: T });
      result.keys = await pluginCall("enumerateKeys", 0, "");
    } else {
      await press("confirm");
      await flow("request-saved");
      result.pkcs10 = await text("#pkcs10-out");
      await click("#sign-open");
      await click("#sign");
      await enterPin(PIN);
      await screen();
      if (scenario === "reject-2") {
        await press("reject");
        await failure();
        await page.waitForSelector('body[data-cleanup="key-removed"]', { timeout: T });
        result.keys = await pluginCall("enumerateKeys", 0, "");
        result.issued = await page.$eval("#certificate-out", (e) => e.textContent);
      } else if (scenario === "pull") {
        await page.click("#st-pull");
        await failure();
        await page.waitForSelector('body[data-device="gone"]', { timeout: T });
        result.devicesWhilePulled = await pluginCall("enumerateDevices");
        await page.click("#st-insert");
        await page.waitForSelector('body[data-device="present"]', { timeout: T });
        result.devicesAfterInsert = await pluginCall("enumerateDevices");
        result.loggedInAfterInsert = await pluginCall("getDeviceInfo", 0, await page.evaluate(() => window.rutokenLab.plugin.TOKEN_INFO_IS_LOGGED_IN));
        result.keysBeforeLogin = await pluginCall("enumerateKeys", 0, "");
        await pluginCall("login", 0, PIN);
        result.keys = await pluginCall("enumerateKeys", 0, "");
      } else {
        await press("confirm");
        await flow("issued");
        result.state = await text("#state-description");
        result.cms = await text("#cms-out");
        result.document = await text("#document-out");
        result.certificate = await text("#certificate-out");
        await click("#install-ok");
        await enterPin(PIN);
        await flow("done");
        result.done = await text("#done");
        result.keys = await pluginCall("enumerateKeys", 0, "");
        result.userCertificates = await pluginCall("enumerateCertificates", 0, 1);
      }
    }
  }
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.failure = String(e && e.stack || e);
  result.status = await page.$eval("#status", (e) => e.textContent).catch(() => null);
  result.pageError = await page.$eval("#error", (e) => e.textContent).catch(() => null);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result) + "\n");
