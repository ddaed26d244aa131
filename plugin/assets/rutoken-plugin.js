// rutoken-lab: the Rutoken Plugin object, carried over a loopback WebSocket to a virtual token.
// Include this script BEFORE Aktiv's loader (the `rutoken` npm package): the loader looks for
// the browser extension's object when it runs, and this script provides it. A page written for
// the real plugin then runs unchanged.
//
// The rutoken-lab adapter extension (plugin/extension, `rutoken-lab plugin install-extension`)
// runs this same file in every page's world with VIA_EXTENSION true: the messages then go to the
// extension's content script (window.postMessage), which carries them to the bridge, and the
// page needs no script tag.
(function () {
  "use strict";
  var VIA_EXTENSION = /*VIA_EXTENSION*/false;
  // The names Aktiv's loader looks the extension's object up by on `window`: the Chrome
  // extension id (AktivCo/rutoken-plugin-js src/rutoken.js) and the GUID of the `rutoken` npm
  // package's build (1.0.8).
  var EXTENSION_IDS = ["ohedcglhbbfdgaogjhcclacoccbagkjg", "C3B7563B-BF85-45B7-88FC-7CFF1BD3C2DB"];
  // Filled in by the bridge when it serves this file (plugin/src/codes.rs `constants`): the
  // properties of the plugin object (constants, errorCodes, version, valid) and its methods
  // (plugin/src/methods.rs, the one list).
  var SPEC = /*CONSTANTS*/{};
  var CONSTANTS = SPEC.constants || {};
  var METHODS = SPEC.methods || [];

  var here = !VIA_EXTENSION && document.currentScript ? new URL(document.currentScript.src) : new URL(location.href);
  var wsUrl = VIA_EXTENSION ? null : (here.protocol === "https:" ? "wss:" : "ws:") + "//" + here.host + "/ws";

  // The extension's content script, seen through the WebSocket interface this file uses:
  // "open" once the bridge accepted the page, then messages, then "closed".
  function ExtensionChannel() {
    var self = this;
    self.readyState = WebSocket.CONNECTING;
    function onMessage(event) {
      var message = event.data;
      if (event.source !== window || !message || message.rutokenLab !== "to-page") return;
      if (message.kind === "open" && self.readyState === WebSocket.CONNECTING) {
        self.readyState = WebSocket.OPEN;
        self.onopen();
      } else if (message.kind === "message" && self.readyState === WebSocket.OPEN) {
        self.onmessage({ data: message.data });
      } else if (message.kind === "closed") {
        var wasOpen = self.readyState === WebSocket.OPEN;
        self.readyState = WebSocket.CLOSED;
        window.removeEventListener("message", onMessage);
        if (!wasOpen) self.onerror();
        self.onclose();
      }
    }
    window.addEventListener("message", onMessage);
    self.send = function (text) {
      window.postMessage({ rutokenLab: "to-extension", kind: "call", data: text }, "*");
    };
    window.postMessage({ rutokenLab: "to-extension", kind: "open" }, "*");
  }

  var socket = null;
  var opening = null;
  var nextId = 1;
  var pending = {};

  function codeError(code) {
    // The native-messaging plugin rejects with an Error whose message is the code.
    return new Error(String(code));
  }

  function connect() {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var ws = VIA_EXTENSION ? new ExtensionChannel() : new WebSocket(wsUrl);
      ws.onopen = function () { socket = ws; opening = null; resolve(ws); };
      ws.onerror = function () { opening = null; reject(codeError(CONSTANTS.errorCodes.UNKNOWN_ERROR)); };
      ws.onclose = function () {
        socket = null;
        Object.keys(pending).forEach(function (id) {
          pending[id].reject(codeError(CONSTANTS.errorCodes.UNKNOWN_ERROR));
          delete pending[id];
        });
      };
      ws.onmessage = function (event) {
        var msg;
        try { msg = JSON.parse(event.data); } catch (e) { return; }
        if (!msg || typeof msg !== "object") return;
        var waiter = pending[msg.id];
        if (!waiter) return;
        delete pending[msg.id];
        if (msg.error) waiter.reject(codeError(msg.error.code));
        else waiter.resolve(msg.result === null ? undefined : msg.result);
      };
    });
    return opening;
  }

  function call(method, args) {
    var params = Array.prototype.slice.call(args);
    return connect().then(function (ws) {
      return new Promise(function (resolve, reject) {
        var id = nextId++;
        pending[id] = { resolve: resolve, reject: reject };
        ws.send(JSON.stringify({ id: id, method: method, params: params }));
      });
    });
  }

  var plugin = {};
  Object.keys(CONSTANTS).forEach(function (k) { plugin[k] = CONSTANTS[k]; });
  METHODS.forEach(function (m) {
    plugin[m] = function () { return call(m, arguments); };
  });

  var extension = {
    initialize: function () { return Promise.resolve(true); },
    isPluginInstalled: function () {
      return connect().then(function () { return true; }, function () { return false; });
    },
    loadPlugin: function () { return connect().then(function () { return plugin; }); }
  };
  EXTENSION_IDS.forEach(function (id) { window[id] = extension; });
  window.rutokenLab = { bridge: wsUrl, plugin: plugin, viaExtension: VIA_EXTENSION };
})();
