// The SafeTouch panel: the device's screen as the bridge reports it, and its two buttons.
(function () {
  "use strict";
  // The panel is served by the bridge: its WebSocket is on this page's host (also when the
  // plugin object comes from the adapter extension and no script of the bridge is loaded).
  var url = (location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + "/ws";
  var screenEl = document.getElementById("st-screen");
  var stateEl = document.getElementById("st-state");
  var confirmBtn = document.getElementById("st-confirm");
  var rejectBtn = document.getElementById("st-reject");
  var presenceEl = document.getElementById("st-presence");
  var current = { id: 0, waiting: false };
  var ws = new WebSocket(url);

  function send(message) { ws.send(JSON.stringify(message)); }
  function render(screen) {
    current = screen;
    var rows = screen.rows || 4;
    var first = (screen.page || 0) * rows;
    screenEl.textContent = screen.lines.slice(first, first + rows).join("\n");
    screenEl.dataset.all = screen.lines.join("\n");
    screenEl.dataset.id = String(screen.id);
    var pages = Math.max(1, Math.ceil(screen.lines.length / rows));
    stateEl.textContent = screen.waiting
      ? "Ожидает подтверждения · стр. " + ((screen.page || 0) + 1) + "/" + pages + (pages > 1 ? " (▼ — дальше)" : "")
      : "";
    confirmBtn.disabled = !screen.waiting;
    rejectBtn.disabled = !screen.waiting;
    document.body.dataset.safetouch = screen.waiting ? "waiting" : "idle";
  }
  function press(button) {
    if (!current.waiting) return;
    send({ panel: "press", screen: current.id, button: button });
  }
  ws.onopen = function () { send({ panel: "subscribe" }); };
  // The bridge says where the SafeTouch is: here (its screen and buttons on this panel) or
  // behind a reader (--reader), where presses come from the device or `rutoken-lab safetouch`.
  function where(msg) {
    var local = msg.safetouch === "panel";
    document.getElementById("st-local").hidden = !local;
    document.getElementById("st-elsewhere").hidden = local;
    document.body.dataset.safetouchAt = local ? "panel" : "reader";
  }
  ws.onmessage = function (event) {
    var msg = JSON.parse(event.data);
    if (msg.event === "safetouch") where(msg);
    if (msg.event === "screen") render(msg);
    if (msg.event === "presence") presenceEl.textContent = msg.present ? "вставлен" : "извлечён";
  };
  confirmBtn.onclick = function () { press("confirm"); };
  rejectBtn.onclick = function () { press("reject"); };
  document.getElementById("st-page").onclick = function () { send({ panel: "page" }); };
  document.getElementById("st-pull").onclick = function () { send({ panel: "pull" }); };
  document.getElementById("st-insert").onclick = function () { send({ panel: "insert" }); };
})();
