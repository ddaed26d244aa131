// rutoken-lab adapter, content script in the extension's own world: carries the plugin object's
// messages (page.js, in the page's world, over window.postMessage) to the service worker and
// back. The page cannot reach the extension's APIs itself; this script can. It runs once per
// frame, so each frame has its own connection and the browser tells the service worker which
// origin the frame has (the page cannot claim another).
(function () {
  "use strict";
  var port = null;
  var open = false;

  function toPage(message) {
    message.rutokenLab = "to-page";
    window.postMessage(message, "*");
  }

  function connect() {
    if (port) {
      if (open) toPage({ kind: "open" });
      return;
    }
    port = chrome.runtime.connect({ name: "rutoken-lab" });
    open = false;
    port.onMessage.addListener(function (message) {
      if (message.kind === "open") open = true;
      toPage(message);
    });
    port.onDisconnect.addListener(function () {
      port = null;
      open = false;
      toPage({ kind: "closed" });
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window) return;
    var message = event.data;
    if (!message || message.rutokenLab !== "to-extension") return;
    if (message.kind === "open") connect();
    else if (message.kind === "call" && port && open) port.postMessage(String(message.data));
  });
})();
