// rutoken-lab's stand-in for Aktiv's loader (the `rutoken` npm package), for pages served by
// the bridge when no copy of it was given (--rutoken-js). Same surface: rutoken.ready,
// isExtensionInstalled(), isPluginInstalled(), loadPlugin(). Prefer Aktiv's own file.
var rutoken = (function () {
  "use strict";
  var extension = window["ohedcglhbbfdgaogjhcclacoccbagkjg"] || window["C3B7563B-BF85-45B7-88FC-7CFF1BD3C2DB"];
  var api = {};
  if (!extension) {
    api.ready = Promise.resolve(true);
    api.isExtensionInstalled = function () { return Promise.resolve(false); };
    api.isPluginInstalled = function () { return Promise.resolve(false); };
    api.loadPlugin = function () { return Promise.reject(new Error("no plugin")); };
    return api;
  }
  var installed = false;
  api.ready = extension.initialize()
    .then(function () { return extension.isPluginInstalled(); })
    .then(function (result) { installed = result; return true; });
  api.isExtensionInstalled = function () { return Promise.resolve(true); };
  api.isPluginInstalled = function () { return api.ready.then(function () { return installed; }); };
  api.loadPlugin = function () { return extension.loadPlugin(); };
  return api;
})();
