// The bank's page, screen by screen after the instruction (shared/seed), written only against
// the Rutoken Plugin API (and the bank's own back end at /bank/*).
(function () {
  "use strict";
  var plugin = null;
  var device = null;
  var current = null;      // { handle, info, pem }
  var flow = {};           // { keyId, pkcs10, document, cms, certificate }

  function $(id) { return document.getElementById(id); }
  function show(page) {
    ["page-certs", "page-cert", "page-request", "page-sign", "page-issue", "page-done"].forEach(function (p) {
      $(p).hidden = p !== page;
    });
  }
  function status(text) { $("status").textContent = text; }
  function describe(error) {
    var code = parseInt(error && error.message, 10);
    var e = plugin ? plugin.errorCodes : {};
    var texts = {};
    texts[e.PIN_INCORRECT] = "Некорректный PIN-код";
    texts[e.PIN_LOCKED] = "PIN-код заблокирован";
    texts[e.FUNCTION_REJECTED] = "Операция отклонена пользователем";
    texts[e.DEVICE_NOT_FOUND] = "Устройство не найдено";
    texts[e.TOKEN_INVALID] = "Ошибка чтения/записи устройства. Возможно, устройство было извлечено.";
    texts[e.USER_NOT_LOGGED_IN] = "Выполните вход на устройство";
    texts[e.KEY_NOT_FOUND] = "Соответствующая сертификату ключевая пара не найдена";
    return texts[code] || ("Ошибка: " + (error && error.message ? error.message : error));
  }
  function fail(error) {
    var text = describe(error);
    $("error").textContent = text;
    $("error").hidden = false;
    $("error").dataset.code = String(parseInt(error && error.message, 10));
    document.body.dataset.flow = "failed";
    status("");
  }
  function clearError() { $("error").hidden = true; $("error").textContent = ""; }
  function rdn(list, name) {
    var found = (list || []).filter(function (r) { return r.rdn === name; })[0];
    return found ? found.value : "";
  }
  // Dates as the bank writes them, DD.MM.YYYY; the certificate's times are UTC (RFC 3339 from
  // parseCertificate), so the UTC date.
  function day(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? m[3] + "." + m[2] + "." + m[1] : String(iso || "");
  }
  function dl(el, rows) {
    el.innerHTML = "";
    rows.forEach(function (row) {
      var dt = document.createElement("dt"); dt.textContent = row[0];
      var dd = document.createElement("dd"); dd.textContent = row[1];
      el.appendChild(dt); el.appendChild(dd);
    });
  }
  function post(path, body) {
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.error); return j; });
      });
  }

  // «Введите ПИН-код для устройства …»: resolves once the token accepted the PIN; a wrong PIN
  // keeps the dialog open with the tries left; Отмена or a blocked PIN rejects.
  function pinDialog() {
    return plugin.getDeviceInfo(device, plugin.TOKEN_INFO_DEVICE_NUMBER).then(function (number) {
      $("pin-prompt").textContent = "Введите ПИН-код для устройства " + number;
      $("pin-error").textContent = "";
      $("pin").value = "";
      $("pin-dialog").hidden = false;
      $("pin").focus();
      return new Promise(function (resolve, reject) {
        $("pin-cancel").onclick = function () { $("pin-dialog").hidden = true; reject(new Error("cancelled")); };
        $("pin-ok").onclick = function () {
          var pin = $("pin").value;
          $("pin").value = "";
          plugin.getDeviceInfo(device, plugin.TOKEN_INFO_IS_LOGGED_IN).then(function (logged) {
            return logged ? plugin.logout(device) : undefined;
          }).then(function () {
            return plugin.login(device, pin);
          }).then(function () {
            $("pin-dialog").hidden = true;
            resolve();
          }, function (error) {
            var code = parseInt(error.message, 10);
            if (code === plugin.errorCodes.PIN_INCORRECT) {
              plugin.getDeviceInfo(device, plugin.TOKEN_INFO_PINS_INFO).then(function (info) {
                $("pin-error").textContent = "Неверный ПИН-код. Осталось попыток: " + info.user.retriesLeft;
                $("pin-error").dataset.left = String(info.user.retriesLeft);
              });
            } else {
              $("pin-dialog").hidden = true;
              reject(error);
            }
          });
        };
      });
    });
  }

  function listCertificates() {
    show("page-certs");
    var tbody = $("cert-table").querySelector("tbody");
    tbody.innerHTML = "";
    return plugin.enumerateCertificates(device, plugin.CERT_CATEGORY_USER).then(function (handles) {
      return Promise.all(handles.map(function (h) {
        return plugin.parseCertificate(device, h).then(function (info) { return { handle: h, info: info }; });
      }));
    }).then(function (certs) {
      certs.forEach(function (c) {
        var tr = document.createElement("tr");
        // The owner's name opens the certificate: a real button (keyboard: Tab, Enter/Space),
        // drawn as the link it looks like.
        var owner = document.createElement("td");
        var open = document.createElement("button");
        open.type = "button";
        open.className = "cert-owner";
        open.textContent = rdn(c.info.subject, "commonName");
        open.dataset.handle = c.handle;
        open.onclick = function () { openCertificate(c); };
        owner.appendChild(open);
        var serial = document.createElement("td"); serial.textContent = c.info.serialNumber.replace(/:/g, "").toUpperCase();
        var until = document.createElement("td"); until.className = "cert-until"; until.textContent = day(c.info.validNotAfter);
        tr.appendChild(owner); tr.appendChild(serial); tr.appendChild(until);
        tbody.appendChild(tr);
        $("greeting").textContent = ", " + rdn(c.info.subject, "commonName");
      });
      status(certs.length ? "Выберите сертификат" : "На устройстве нет сертификатов");
    });
  }

  function openCertificate(c) {
    clearError();
    show("page-cert");
    dl($("cert-info"), [
      ["Владелец", rdn(c.info.subject, "commonName")],
      ["Организация", rdn(c.info.subject, "organizationName")],
      ["Серийный номер", c.info.serialNumber.replace(/:/g, "").toUpperCase()],
      ["Издатель", rdn(c.info.issuer, "commonName")],
      ["Действителен до", day(c.info.validNotAfter)]
    ]);
    $("reissue").onclick = function () {
      plugin.getCertificate(device, c.handle).then(function (pem) {
        current = { handle: c.handle, info: c.info, pem: pem };
        openRequest();
      }, fail);
    };
  }

  function openRequest() {
    show("page-request");
    flow = {};
    $("sign-open").hidden = true;
    $("save").hidden = false;
    var s = current.info.subject;
    dl($("request-info"), [
      ["Ф.И.О. владельца", rdn(s, "commonName")],
      ["Наименование организации", rdn(s, "organizationName")],
      ["Должность", rdn(s, "title")],
      ["Город", rdn(s, "localityName")]
    ]);
    status("Запрос на выдачу сертификата");
    $("save").onclick = save;
  }

  // «Сохранить»: PIN, new key pair, PKCS#10 signed by it (SafeTouch: «Запрос подписи запроса на
  // сертификат»). On refusal the new key pair is removed.
  function save() {
    clearError();
    pinDialog().then(function () {
      status("Генерация ключевой пары…");
      var options = {
        publicKeyAlgorithm: plugin[$("algorithm").value],
        paramset: $("paramset").value
      };
      return plugin.generateKeyPair(device, undefined, "", options);
    }).then(function (keyId) {
      flow.keyId = keyId;
      status("Подтвердите запрос на SafeTouch");
      var subject = current.info.subject.map(function (r) { return { rdn: r.rdn, value: r.value }; });
      var extensions = {
        keyUsage: ["digitalSignature", "nonRepudiation", "keyEncipherment"],
        extKeyUsage: ["clientAuth", "emailProtection"],
        certificatePolicies: ["1.2.643.100.113.1"]
      };
      return plugin.createPkcs10(device, keyId, subject, extensions, {
        subjectSignTool: "СКЗИ \"РУТОКЕН ЭЦП\"",
        hashAlgorithm: plugin.HASH_TYPE_GOST3411_12_256
      });
    }).then(function (pkcs10) {
      flow.pkcs10 = pkcs10;
      $("pkcs10-out").textContent = pkcs10;
      status("Запрос сформирован. Подпишите его.");
      $("save").hidden = true;
      $("sign-open").hidden = false;
      $("sign-open").onclick = openSign;
      document.body.dataset.flow = "request-saved";
    }).catch(function (error) { abandon(error); });
  }

  // A refusal after the key was made: remove the new key pair (reissue-flow.md branches).
  function abandon(error) {
    fail(error);
    if (!flow.keyId) return;
    var keyId = flow.keyId;
    flow.keyId = null;
    plugin.deleteKeyPair(device, keyId).then(function () {
      document.body.dataset.cleanup = "key-removed";
    }, function () {
      document.body.dataset.cleanup = "key-left";
    });
  }

  function openSign() {
    clearError();
    post("/bank/document", { pkcs10: flow.pkcs10, certificate: current.pem }).then(function (doc) {
      flow.document = doc;
      $("document-out").textContent = doc.document;
      show("page-sign");
      var s = current.info.subject;
      $("sign-user").textContent = rdn(s, "commonName");
      $("sign-cert").textContent = [rdn(s, "commonName"), rdn(s, "organizationName"),
        current.info.serialNumber.replace(/:/g, "").toUpperCase()].join(", ");
      dl($("document-info"), [
        ["Дата", doc.date],
        ["Номер документа", doc.number],
        ["Ф.И.О. Владельца", doc.owner],
        ["Наименование организации", doc.organisation],
        ["Идентификатор заменяемого сертификата", current.info.serialNumber.replace(/:/g, "").toUpperCase()]
      ]);
      status("Действие интерактивного подписания");
      $("sign").onclick = signRequest;
      $("sign-cancel").onclick = function () { abandon(new Error("cancelled")); };
    }, fail);
  }

  // «Подписать»: PIN, then the document signed by the current key, hashed on the token so the
  // SafeTouch shows the date, the owner and the organisation.
  function signRequest() {
    clearError();
    pinDialog().then(function () {
      status("Подтвердите подписание на SafeTouch");
      return plugin.sign(device, current.handle, flow.document.document, plugin.DATA_FORMAT_BASE64,
        { useHardwareHash: true, detached: true, addUserCertificate: true });
    }).then(function (cms) {
      flow.cms = cms;
      $("cms-out").textContent = cms;
      show("page-issue");
      $("issue-number").textContent = flow.document.number;
      $("state").textContent = "Обработка";
      $("state-description").textContent = "";
      status("Подождите... Идет генерация Вашего сертификата...");
      return post("/bank/ca", { pkcs10: flow.pkcs10, document: flow.document.document, cms: cms, certificate: current.pem });
    }).then(function (answer) {
      flow.certificate = answer.certificate;
      $("certificate-out").textContent = answer.certificate;
      $("state-description").textContent = answer.state;
      $("install-prompt").hidden = false;
      status("Сертификат выпущен");
      document.body.dataset.flow = "issued";
      $("install-ok").onclick = install;
    }).catch(function (error) { abandon(error); });
  }

  // «ОК»: PIN, then the certificate is written next to the new key.
  function install() {
    clearError();
    pinDialog().then(function () {
      return plugin.importCertificate(device, flow.certificate, plugin.CERT_CATEGORY_USER);
    }).then(function (handle) {
      flow.installed = handle;
      show("page-done");
      status("Сертификат установлен");
      document.body.dataset.flow = "done";
    }).catch(fail);
  }

  function watchDevices() {
    setInterval(function () {
      if (!plugin) return;
      plugin.enumerateDevices({ mode: plugin.ENUMERATE_DEVICES_EVENTS }).then(function (events) {
        if (events.disconnected.length) { status("Рутокен ЭЦП 2.0 извлечён"); document.body.dataset.device = "gone"; }
        if (events.connected.length) { document.body.dataset.device = "present"; }
      });
    }, 500);
  }

  rutoken.ready.then(function () {
    return window.chrome ? rutoken.isExtensionInstalled() : true;
  }).then(function (ok) {
    if (!ok) throw new Error("Расширение Адаптер Рутокен Плагин не найдено");
    return rutoken.isPluginInstalled();
  }).then(function (ok) {
    if (!ok) throw new Error("Рутокен Плагин не найден");
    return rutoken.loadPlugin();
  }).then(function (p) {
    plugin = p;
    return plugin.enumerateDevices();
  }).then(function (devices) {
    if (!devices.length) throw new Error(String(plugin.errorCodes.DEVICE_NOT_FOUND));
    device = devices[0];
    document.body.dataset.device = "present";
    plugin.enumerateDevices({ mode: plugin.ENUMERATE_DEVICES_EVENTS }).then(watchDevices);
    return listCertificates();
  }).catch(fail);
})();
