// rutoken-lab adapter, service worker: one WebSocket to the local bridge per frame that uses the
// plugin. The bridge accepts it by this extension's origin (chrome-extension://<id>, fixed by the
// manifest's key) and checks the page's origin, which the browser reports here (port.sender),
// against its own allow-list, as it does for pages that load its script themselves.
"use strict";

// Written by `rutoken-lab plugin install-extension --port …`.
var BRIDGE = /*BRIDGE*/"ws://127.0.0.1:24734/ws";
// A service worker idle for 30 s is stopped (Chrome's extension service worker lifecycle); a
// SafeTouch may wait longer for a press. An extension API call resets that timer.
var KEEPALIVE_MS = 20000;
var live = 0;
var keepalive = null;

function senderOrigin(sender) {
  if (sender.origin) return sender.origin;
  try { return new URL(sender.url).origin; } catch (e) { return "null"; }
}

chrome.runtime.onConnect.addListener(function (port) {
  if (port.name !== "rutoken-lab" || !port.sender) {
    port.disconnect();
    return;
  }
  var ws = new WebSocket(BRIDGE + "?page=" + encodeURIComponent(senderOrigin(port.sender)));
  var opened = false;
  var done = false;
  live += 1;
  if (!keepalive) keepalive = setInterval(function () { chrome.runtime.getPlatformInfo(function () {}); }, KEEPALIVE_MS);

  function finish() {
    if (done) return;
    done = true;
    live -= 1;
    if (live === 0 && keepalive) { clearInterval(keepalive); keepalive = null; }
    try { ws.close(); } catch (e) { /* already closed */ }
    try { port.disconnect(); } catch (e) { /* already gone */ }
  }

  ws.onopen = function () { opened = true; port.postMessage({ kind: "open" }); };
  ws.onmessage = function (event) {
    if (typeof event.data === "string") port.postMessage({ kind: "message", data: event.data });
  };
  ws.onerror = finish;
  ws.onclose = finish;
  port.onMessage.addListener(function (text) {
    if (opened && typeof text === "string") ws.send(text);
  });
  port.onDisconnect.addListener(finish);
});
