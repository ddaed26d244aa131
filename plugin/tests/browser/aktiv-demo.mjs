// Drives Aktiv's public demo page (github AktivCo/rutoken-plugin-demo, built as published, not
// changed) in headless chromium with our adapter extension, against a `rutoken-lab plugin`
// bridge: every test group the page offers, with the inputs a person would give (outputs of one
// group pasted into the next, the certificate category chosen, every DevInfo radio value),
// SafeTouch screens confirmed over the bridge's panel WebSocket. Writes a JSON report: per step
// the group, the page's console text, the result box and the classification; the artefacts
// (PKCS#10, CMS, certificates) are checked with OpenSSL by scripts/aktiv-demo.sh.
//
// Not part of scripts/test.sh: the demo page is in no package registry and never committed
// here; a person runs scripts/aktiv-demo.sh with a clone of it.
//
// node aktiv-demo.mjs BRIDGE_URL PAGE_URL EXTENSION_DIR INPUTS_JSON OUT_JSON
//   INPUTS_JSON: {"ca": PEM of the token certificate's CA, "recipient2001": PEM (one line of
//   base64) of a GOST 2001 certificate whose key OpenSSL holds, "userPin", "adminPin",
//   "tsa": {"dir", "config"}: a GOST time-stamp authority for `openssl ts -reply` (tsa.key,
//   tsa.crt in dir)}
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "package.json"));
const puppeteer = require("puppeteer-core");
const WebSocket = require("ws");

const [bridge, pageUrl, extension, inputsPath, outPath] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(inputsPath, "utf8"));
const profile = mkdtempSync(join(tmpdir(), "aktiv-demo-profile-"));
const report = { steps: [], console: [], screens: [] };

// The page prints errors as «Ошибка: <description>» or «Внутренняя ошибка (Код: n)», and a
// group that throws (an empty input it needs) prints the exception text.
const ERROR = /Ошибка|Внутренняя ошибка|Error|undefined/;
// How long one group may take (SafeTouch confirmation, key generation on the emulator).
const SETTLE_TRIES = 120;

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  enableExtensions: true,
  args: [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    `--user-data-dir=${profile}`,
    `--load-extension=${extension}`, `--disable-extensions-except=${extension}`,
  ],
});

// The SafeTouch: confirm every screen that waits, as the person at the device would.
const panel = new WebSocket(bridge.replace(/^http/, "ws").replace(/\/?$/, "/ws"), {
  origin: bridge.replace(/\/$/, ""),
});
panel.on("open", () => panel.send(JSON.stringify({ panel: "subscribe" })));
panel.on("error", (e) => report.screens.push("panel error: " + e.message));
panel.on("message", (m) => {
  const e = JSON.parse(String(m));
  if (e.event === "screen" && e.waiting) {
    report.screens.push((e.lines || []).join(" | "));
    setTimeout(() => panel.send(JSON.stringify({ panel: "press", screen: e.id, button: "confirm" })), 200);
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let page;

async function consoleText() {
  return page.evaluate(() => document.querySelector("#console").innerText);
}

// The console once it has stopped changing (three reads 300 ms apart) with a result line.
async function settle() {
  let last = null;
  let same = 0;
  for (let i = 0; i < SETTLE_TRIES; i++) {
    await sleep(300);
    const t = await consoleText();
    const lines = (t || "").split("\n").filter((l) => l.trim()).length;
    if (t && t === last && lines >= 2) {
      if (++same >= 3) return t;
    } else same = 0;
    last = t;
  }
  return last;
}

const click = (sel) => page.evaluate((s) => {
  const e = document.querySelector(s);
  if (!e) throw new Error("no element " + s);
  e.click();
}, sel);

const setValue = (sel, value) => page.evaluate((s, v) => {
  const e = document.querySelector(s);
  if (!e) throw new Error("no element " + s);
  e.value = v;
  e.dispatchEvent(new Event("input", { bubbles: true }));
  e.dispatchEvent(new Event("change", { bubbles: true }));
}, sel, value);

const setChecked = (sel, on) => page.evaluate((s, v) => {
  const e = document.querySelector(s);
  if (!e) throw new Error("no element " + s);
  if (e.checked !== v) e.click();
}, sel, on);

const options = (list) => page.evaluate((l) =>
  [...document.querySelectorAll(l + " option")].map((o) => ({ value: o.value, text: o.textContent })), list);

// Clicks a list's refresh button and waits for the list to change (or 5 s).
async function refresh(button, list) {
  const before = JSON.stringify(await options(list));
  await click(button);
  for (let i = 0; i < 20; i++) {
    await sleep(250);
    const now = await options(list);
    if (JSON.stringify(now) !== before && !now.some((o) => /Обновите|Выполните/.test(o.text))) break;
  }
  await sleep(300);
}

// Selects the first option of `list` whose text matches `pattern`, as a person picks it.
async function choose(list, pattern) {
  const found = (await options(list)).find((o) => pattern.test(o.text));
  if (!found) throw new Error(`no option matching ${pattern} in ${list}`);
  await setValue(list, found.value);
  return found.text;
}

const value = (sel) => page.evaluate((s) => document.querySelector(s)?.value ?? "", sel);

// Runs a group's «Запустить тест» and records the outcome. `expect`: "ok", or
// {error: RegExp, why} for an answer the real plugin gives too on an ECP 2.0 (or that the
// page's defaults are meant to give). `result`: the group's output box, kept as the artefact.
async function run(name, group, { prepare, expect = "ok", result, check } = {}) {
  const step = { name, group };
  try {
    if (prepare) await prepare();
    await page.evaluate(() => { document.querySelector("#console").innerHTML = ""; });
    await click(`#${group} #test-run`);
    step.output = (await settle()) || "";
    if (result) step.result = await value(`#${group} ${result}`);
    const body = step.output.split("\n").slice(1).join("\n");
    const failed = ERROR.test(body);
    if (expect === "ok") {
      step.status = failed ? "FAIL" : "OK";
      if (!failed && check) {
        const why = check(body, step.result);
        if (why) { step.status = "FAIL"; step.note = why; }
      }
    } else {
      step.status = failed && expect.error.test(body) ? "expected-error" : "FAIL";
      step.note = expect.why;
    }
  } catch (e) {
    step.status = "FAIL";
    step.output = step.output || "";
    step.note = "driver: " + String(e && e.message || e);
  }
  report.steps.push(step);
  return step;
}

// A button of the page's header (login, PIN cache): its console answer.
async function press(name, button, check) {
  const step = { name, group: "header" };
  try {
    await page.evaluate(() => { document.querySelector("#console").innerHTML = ""; });
    await click(button);
    step.output = "\n" + ((await settle()) || "");
    const failed = ERROR.test(step.output);
    step.status = failed ? "FAIL" : "OK";
    if (!failed && check) {
      const why = check(step.output);
      if (why) { step.status = "FAIL"; step.note = why; }
    }
  } catch (e) {
    step.status = "FAIL";
    step.note = "driver: " + String(e && e.message || e);
  }
  report.steps.push(step);
}

try {
  page = await browser.newPage();
  page.on("console", (m) => report.console.push(m.text()));
  page.on("pageerror", (e) => report.console.push("pageerror: " + e.message));
  page.on("dialog", async (d) => { report.console.push("dialog: " + d.message()); await d.accept(); });
  await page.goto(pageUrl, { waitUntil: "load" });
  await sleep(3000);
  report.pluginFound = await page.evaluate(() => !/не установлено/.test(document.body.innerText));

  await refresh("#refresh-dev", "#device-list");
  report.devices = (await options("#device-list")).map((o) => o.text);
  await setValue("#device-pin", inputs.userPin);
  await page.evaluate(() => { document.querySelector("#console").innerHTML = ""; });
  await click("#login");
  report.login = await settle();
  await refresh("#refresh-keys", "#key-list");
  await refresh("#refresh-certs", "#cert-list");
  report.keysBefore = (await options("#key-list")).map((o) => o.text);
  report.certsBefore = (await options("#cert-list")).map((o) => o.text);

  // Device information: every radio value.
  for (const v of ["model", "vendor model name", "reader", "label", "type", "serial", "logged",
    "formats", "features", "mechanisms", "speed", "free memory", "pins", "fkn"]) {
    await run(`DevInfo: ${v}`, "DevInfo", {
      prepare: () => click(`#DevInfo input[value="${v}"]`),
      // The page prints a constant it has no name for as a blank list entry.
      check: (b) => (/\[,|, \]|, ,/.test(b) ? "a value the page has no name for" : null),
    });
  }

  await press("savePin (header)", "#save-pin");
  // removePin also logs out (the page then asks to log in, as with the real plugin): log in.
  await press("removePin (header)", "#remove-pin");
  await press("login (header, again)", "#login", (o) => (/Вход выполнен/.test(o) ? null : "no login"));
  await refresh("#refresh-keys", "#key-list");

  // Key pairs: the page's defaults (GOST 2012-256, XA, «Подпись и обмен», marker BusinessTests).
  await run("GenerateKeyPair (defaults)", "GenerateKeyPair");
  await refresh("#refresh-keys", "#key-list");
  await run("EnumerateKeys (BusinessTests)", "EnumerateKeys", {
    check: (body) => (/длиной\(1\)/.test(body) ? null : "the new key is not listed under its marker"),
  });
  await run("SetKeyLabel", "SetKeyLabel", { prepare: () => choose("#key-list", /BusinessTests/) });
  await refresh("#refresh-keys", "#key-list");
  const sel = async () => choose("#key-list", /test key/);
  await run("GetKeyLabel", "GetKeyLabel", {
    prepare: sel, check: (b) => (/test key/.test(b) ? null : "label not set"),
  });
  await run("GetPublicKey", "GetPublicKey", { prepare: sel });
  await run("GetKeyInfo", "GetKeyInfo", { prepare: sel });
  await run("GetJournal", "GetJournal", {
    prepare: sel,
    expect: { error: /Ошибка/, why: "an ECP 2.0 keeps no journal (the real plugin answers the same code)" },
  });
  await run("setLicence (1)", "setLicence");
  await run("getLicence (1)", "getLicence", {
    check: (b) => (/00:01:02/.test(b) ? null : "the licence written is not read back"),
  });
  await run("CreatePkcs10 (new key)", "CreatePkcs10", { prepare: sel, result: "#create-pkcs10-result" });

  // Certificates.
  await run("ImportCertificate (page's certificate, user)", "ImportCertificate", {
    expect: { error: /ключевая пара не найдена/, why: "the page's CryptoPro 2001 certificate has no key pair on the token; a user certificate needs one (real plugin: KEY_NOT_FOUND)" },
  });
  await run("ImportCertificate (page's certificate, other)", "ImportCertificate", {
    prepare: () => click('#ImportCertificate input[value="other"]'),
  });
  await refresh("#refresh-certs", "#cert-list");
  report.certsAfterImport = (await options("#cert-list")).map((o) => o.text);
  const user = async () => choose("#cert-list", /Пользовательский/);
  await run("GetCertificate (user)", "GetCertificate", { prepare: user, result: "#get-cert-result" });
  const tokenCert = report.steps.at(-1).result || "";
  report.tokenCert = tokenCert;
  await run("ParseCertificate (user)", "ParseCertificate", { prepare: user });
  await run("ParseCertificateFromString (page's)", "ParseCertificateFromString");
  await run("GetKeyByCertificate (user)", "GetKeyByCertificate", { prepare: user });
  await run("SetCertLabel (user)", "SetCertLabel", { prepare: user });
  await refresh("#refresh-certs", "#cert-list");
  await run("GetCertLabel (user)", "GetCertLabel", {
    prepare: user, check: (b) => (/test cert/.test(b) ? null : "label not set"),
  });
  await run("GetCertificateInfo (serial number)", "GetCertificateInfo", { prepare: user });
  await refresh("#refresh-system-store-certs", "#system-store-cert-list");
  report.storeCerts = (await options("#system-store-cert-list")).map((o) => o.text);
  await run("GetStoreCertificate", "GetStoreCertificate", {
    expect: { error: /Ошибка/, why: "no system certificate store behind the emulator (Linux: the real plugin lists none either)" },
  });

  // Signatures.
  await run("SignMessage (attached, with certificate)", "SignMessage", { prepare: user, result: "#sign-message-result" });
  const cms = report.steps.at(-1).result || "";
  await run("SignMessage (detached, CAdES-BES attributes)", "SignMessage", {
    prepare: async () => {
      await user();
      await setChecked('#SignMessage input[name="detached-sign"]', true);
      await setChecked("#SignMessage #add-sign-attrs", true);
      await setChecked("#SignMessage #add-sign-time", true);
      await setChecked("#SignMessage #add-ess-cert", true);
    },
    result: "#sign-message-result",
  });
  await setChecked('#SignMessage input[name="detached-sign"]', false);
  await run("CmcRequest (page's PKCS#10)", "CmcRequest", { prepare: user, result: "#cmc-request-result" });
  await run("TsRequest (SignMessage's CMS)", "TsRequest", {
    prepare: () => setValue("#cms-for-tsp", cms), result: "#tsp-request-result",
  });
  const tsRequest = report.steps.at(-1).result || "";
  await run("CalcHash (page's default, GOST R 34.11-94)", "CalcHash", { result: "#hash-message-result" });
  await run("CalcHash (GOST R 34.11-2012 256)", "CalcHash", {
    prepare: () => setValue("#CalcHash .hash-algorithm", "HASH_TYPE_GOST3411_12_256"),
    result: "#hash-message-result",
  });
  await run("SignHash (new key, page's default hash GOST 94)", "SignHash", {
    prepare: sel,
    expect: { error: /Неправильный тип ключа/, why: "the bridge refuses a hash algorithm not the 2012 key's (WRONG_KEY_TYPE); the real plugin's answer to this pair is not in Aktiv's public reference: unverified" },
  });
  await run("SignHash (new key, GOST 2012-256)", "SignHash", {
    prepare: async () => {
      await sel();
      await setValue("#SignHash .hash-algorithm", "HASH_TYPE_GOST3411_12_256");
    },
    result: "#sign-message-result",
  });
  await run("DeriveKey (new key, page's public key)", "DeriveKey", { prepare: sel, result: "#derive-result" });
  await run("SignMessageSafeTouch", "SignMessageSafeTouch", { prepare: user, result: "#sign-message-result" });
  await run("Authenticate", "Authenticate", { prepare: user, result: "#authenticate-result" });
  await run("Verify (SignMessage's CMS, CA)", "Verify", {
    prepare: async () => {
      await setValue("#Verify #sign", cms);
      await setValue("#Verify #ca-cert", inputs.ca);
    },
    check: (b) => (/true/.test(b) ? null : "the signature does not verify"),
  });
  // The page has no TSA; a person's TSA answers TsRequest's request: here OpenSSL's.
  const tsa = inputs.tsa;
  writeFileSync(join(tsa.dir, "req.tsq"), Buffer.from(tsRequest, "base64"));
  execFileSync("openssl", ["ts", "-reply", "-engine", "gost", "-config", tsa.config, "-queryfile",
    "req.tsq", "-inkey", "tsa.key", "-signer", "tsa.crt", "-out", "resp.tsr"], { cwd: tsa.dir, stdio: "ignore" });
  const tsResponse = readFileSync(join(tsa.dir, "resp.tsr")).toString("base64");
  const tsaCert = readFileSync(join(tsa.dir, "tsa.crt"), "utf8");
  await run("AddTstToCms (OpenSSL TSA's response to TsRequest)", "AddTstToCms", {
    prepare: async () => {
      await setValue("#AddTstToCms #response", tsResponse);
      await setValue("#AddTstToCms #data", tsRequest);
      await setValue("#cms-for-tst-injection", cms);
      await setValue("#AddTstToCms #cert", tsaCert);
      await setValue("#AddTstToCms #ca-cert", tsaCert);
    },
    result: "#cms-with-tst",
    check: (b) => (/true/.test(b) ? null : "the response does not verify"),
  });

  // Encryption.
  const message = await value("#encrypt-message");
  await run("EncryptMessage (page's CryptoPro 2001 recipient)", "EncryptMessage", { result: "#encrypt-message-result" });
  await run("EncryptMessage (token's certificate)", "EncryptMessage", {
    prepare: () => setValue("#encrypt-certificate", tokenCert), result: "#encrypt-message-result",
  });
  const toToken = report.steps.at(-1).result || "";
  await run("DecryptMessage (token's key)", "DecryptMessage", {
    prepare: async () => {
      await choose("#key-list", /^(?!test key)/);
      await setValue("#decrypt-message", toToken);
    },
    result: "#decrypt-message-result",
    check: (_, r) => (r === message ? null : "not the message encrypted"),
  });
  await run("EncryptMessage (OpenSSL's GOST 2001 recipient, one-line PEM)", "EncryptMessage", {
    prepare: () => setValue("#encrypt-certificate", inputs.recipient2001), result: "#encrypt-message-result",
  });
  report.message = message;
  report.signText = await value("#SignMessage #sign-message");

  // Binary files.
  await run("CreateFile", "CreateFile");
  await refresh("#refresh-files", "#files-list");
  await run("FileInfo", "FileInfo", { prepare: () => choose("#files-list", /File_name/) });
  await run("GetFile", "GetFile", {
    prepare: () => choose("#files-list", /File_name/), result: "#get-file-result",
    check: (_, r) => (r === "RmlsZV9uYW1l" ? null : "not the content written"),
  });
  await run("DeleteFile", "DeleteFile", { prepare: () => choose("#files-list", /File_name/) });

  // Deletions, then the PINs and formatting last (they change the token).
  await refresh("#refresh-certs", "#cert-list");
  await run("DeleteCertificate (imported, other)", "DeleteCertificate", {
    prepare: () => choose("#cert-list", /Другой/),
  });
  await refresh("#refresh-keys", "#key-list");
  await run("DeleteKeyPair (new key)", "DeleteKeyPair", { prepare: sel });
  await run("ChangePin (user)", "ChangePin", {
    prepare: async () => {
      await setValue("#old-pin", inputs.userPin);
      await setValue("#new-pin", "123456");
    },
  });
  await run("UnblockUserPin (admin PIN)", "UnblockUserPin", {
    prepare: () => setValue("#UnblockUserPin #admin-pin", inputs.adminPin),
  });
  await run("FormatToken (admin PIN, new user PIN, label)", "FormatToken", {
    prepare: async () => {
      await setValue("#FormatToken #admin-pin", inputs.adminPin);
      await setValue("#FormatToken #new-user-pin", inputs.userPin);
      await setValue("#FormatToken #label", "rutoken-lab");
    },
  });
  await run("DevInfo: label (after FormatToken)", "DevInfo", {
    prepare: () => click('#DevInfo input[value="label"]'),
    check: (b) => (/rutoken-lab/.test(b) ? null : "not the label FormatToken wrote"),
  });
  await press("logout (header)", "#logout");
} catch (e) {
  report.error = String(e && e.stack || e);
} finally {
  panel.close();
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  writeFileSync(outPath, JSON.stringify(report, null, 1));
}
