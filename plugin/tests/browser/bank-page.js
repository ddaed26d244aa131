// A bank's page built on Aktiv's rutoken-plugin-bootstrap (npm, as published; bundled by
// esbuild as a bank's build would bundle it). Written only against the bootstrap library's
// documented object: Plugin.init(), then the plugin's methods and constants through it. Its
// flows (sign-in, register, PIN change, payment signing) are what bootstrap.mjs drives.
import Plugin from "@aktivco-it/rutoken-plugin-bootstrap/src/index.js";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const bank = { screens: [], current: { waiting: false } };
window.bank = bank;

function outcome(promise) {
  return promise.then(
    (ok) => ({ ok: ok === undefined ? null : ok }),
    (e) => ({ error: e && e.code !== undefined ? e.code : null, description: e && e.description,
              kind: e && e.constructor ? e.constructor.name : typeof e, method: e && e.method }));
}

bank.ready = outcome(Plugin.init("en").then(() => ({
  version: Plugin.version,
  hasEveryMethod: ["getKeyInfo", "savePin", "removePin", "changePin", "authenticate", "verify",
    "cmsEncrypt", "getJournal", "formatToken", "setLicence"].every((m) => typeof Plugin[m] === "function"),
})));

async function device() {
  const devices = await Plugin.enumerateDevices();
  if (!devices.length) throw { code: -1 };
  return devices[0];
}

// Sign-in: the certificate whose extended key usage allows client authentication, then the
// plugin's authenticate over the server's salt.
bank.signIn = (pin, salt) => outcome((async () => {
  const dev = await device();
  const info = {
    label: await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_LABEL),
    model: await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_MODEL),
    cached: await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_IS_PIN_CACHED),
    features: await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_FEATURES),
    mechanisms: await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_SUPPORTED_MECHANISMS),
  };
  if (!(await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_IS_LOGGED_IN))) await Plugin.login(dev, pin);
  const handles = await Plugin.enumerateCertificates(dev, Plugin.CERT_CATEGORY_USER);
  for (const h of handles) {
    const cert = await Plugin.parseCertificate(dev, h);
    if (cert.extensions && (cert.extensions.extKeyUsage || []).includes(CLIENT_AUTH)) {
      bank.certificate = h;
      const cms = await Plugin.authenticate(dev, h, salt);
      return { info, subject: cert.subject, cms };
    }
  }
  throw { code: -2 };
})());

// Registration: a key pair with the bank's id and marker, and its PKCS#10 (subject attributes
// by name and by OID, as the bank's forms send them).
bank.register = () => outcome((async () => {
  const dev = await device();
  const key = await Plugin.generateKeyPair(dev, undefined, "bank-2026", {
    publicKeyAlgorithm: Plugin.PUBLIC_KEY_ALGORITHM_GOST3410_2012_256, paramset: "A",
    signatureSize: 512, id: "0b:a4:20:26",
  });
  const subject = [
    { rdn: "countryName", value: "RU" },
    { rdn: "commonName", value: "Петров Пётр Петрович" },
    { rdn: "2.5.4.4", value: "Петров" },
    { rdn: "postalAddress", value: "625000, Тюмень, ул. Республики, 1" },
    { rdn: "pseudonym", value: "petrov" },
    { rdn: "INN", value: "12345678987" },
    { rdn: "OGRNIP", value: "12345678987" },
  ];
  const csr = await Plugin.createPkcs10(dev, key, subject,
    { keyUsage: ["digitalSignature", "nonRepudiation"], extKeyUsage: ["clientAuth", "emailProtection"],
      certificatePolicies: ["1.2.643.100.113.1"] },
    { subjectSignTool: "СКЗИ \"Рутокен ЭЦП 2.0\"", hashAlgorithm: Plugin.HASH_TYPE_GOST3411_12_256 });
  const keys = await Plugin.enumerateKeys(dev, "bank-2026");
  return { key, csr, keys, label: await Plugin.getKeyLabel(dev, key) };
})());

// PIN change, then the new PIN logs in; back to the old one.
bank.changePin = (oldPin, newPin) => outcome((async () => {
  const dev = await device();
  await Plugin.changePin(dev, oldPin, newPin, {});
  await Plugin.logout(dev);
  const wrongOld = await outcome(Plugin.login(dev, oldPin));
  await Plugin.login(dev, newPin);
  await Plugin.changePin(dev, newPin, oldPin, {});
  return { wrongOld };
})());

// The PIN cache: save, re-login through removePin, and what the device says meanwhile.
bank.pinCache = (pin) => outcome((async () => {
  const dev = await device();
  const again = await outcome(Plugin.login(dev, pin));
  await Plugin.savePin(dev);
  const cached = await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_IS_PIN_CACHED);
  await Plugin.removePin(dev);
  const afterRemove = {
    cached: await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_IS_PIN_CACHED),
    loggedIn: await Plugin.getDeviceInfo(dev, Plugin.TOKEN_INFO_IS_LOGGED_IN),
  };
  await Plugin.login(dev, pin);
  return { again, cached, afterRemove };
})());

// A payment for the trusted screen, signed with the token's hashing (the SafeTouch shows it).
bank.signPayment = (document) => outcome((async () => {
  const dev = await device();
  return Plugin.sign(dev, bank.certificate, document, Plugin.DATA_FORMAT_PLAIN,
    { useHardwareHash: true, addUserCertificate: true, detached: false });
})());

// The SafeTouch panel over the bridge's WebSocket (its documented panel protocol).
bank.panel = (url) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { ws.send(JSON.stringify({ panel: "subscribe" })); resolve(true); };
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.event !== "screen") return;
    bank.current = msg;
    if (msg.waiting && !bank.screens.some((s) => s.id === msg.id)) bank.screens.push(msg);
  };
  bank.press = (button) => ws.send(JSON.stringify({ panel: "press", screen: bank.current.id, button }));
});
