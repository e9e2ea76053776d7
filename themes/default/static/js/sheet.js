// 緊急時情報シート (/emergency/sheet/): keeps what a family types in this
// browser only (localStorage), never sends it anywhere (no request is made),
// prints it on one A4 sheet, and saves/reads it as a JSON file so it survives
// a change of phone. Without this script the page prints as a blank sheet.
(function () {
  "use strict";
  var FORMAT = "ohisama-emergency-sheet";
  var VERSION = 1;
  var MAX_LEN = 4000;

  var sheet = document.getElementById("sheet");
  var tools = document.getElementById("sheet-tools");
  if (!sheet || !tools) return;
  // The buttons are above the form and again under it (data-sheet-tools), each
  // set with its own status line: a message shows next to the button pressed.
  var toolbars = Array.prototype.slice.call(document.querySelectorAll("[data-sheet-tools]"));
  if (toolbars.indexOf(tools) < 0) toolbars.unshift(tools); // (a site's older sheet.html)
  var key = sheet.getAttribute("data-storage-key") || "ohisama:emergency-sheet";
  var status = document.getElementById("sheet-status");
  var fileInput = document.getElementById("sheet-import");
  var fields = Array.prototype.filter.call(
    sheet.querySelectorAll("input[name], textarea[name]"),
    function (el) { return el.type !== "file"; }
  );
  var byName = {};
  fields.forEach(function (el) { byName[el.name] = el; });

  var storage = null;
  try {
    storage = window.localStorage;
    var probe = key + ":probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
  } catch (e) {
    storage = null;
  }

  function say(text, where) {
    var target = where || status;
    // Clear every status line, then re-set the one in use so the same message
    // is announced again.
    toolbars.forEach(function (bar) {
      var line = bar.querySelector(".sheet-status");
      if (line) line.textContent = "";
    });
    window.setTimeout(function () { target.textContent = text; }, 50);
  }

  // A translated sheet (/<code>/emergency/sheet/) gives its messages as
  // data-msg-* attributes of the form; the Japanese sheet has none.
  function msg(name, japanese, vars) {
    var text = sheet.getAttribute("data-msg-" + name) || japanese;
    Object.keys(vars || {}).forEach(function (k) { text = text.split("{" + k + "}").join(vars[k]); });
    return text;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Each field gets a print copy of its text: a textarea would print only
  // its visible rows, an input only what fits its width.
  fields.forEach(function (el) {
    var copy = document.createElement("div");
    copy.className = "print-value";
    copy.setAttribute("aria-hidden", "true");
    el.insertAdjacentElement("afterend", copy);
    el._printCopy = copy;
  });

  function grow(el) {
    if (el.tagName !== "TEXTAREA") return;
    el.style.height = "auto";
    el.style.height = el.scrollHeight + 4 + "px";
  }

  function show(el) {
    el._printCopy.textContent = el.value;
    grow(el);
  }

  function values() {
    var out = {};
    fields.forEach(function (el) { if (el.value) out[el.name] = el.value; });
    return out;
  }

  function snapshot() {
    return { format: FORMAT, version: VERSION, saved: new Date().toISOString(), fields: values() };
  }

  function fill(vals) {
    fields.forEach(function (el) {
      var v = vals[el.name];
      el.value = typeof v === "string" ? v.slice(0, MAX_LEN) : "";
      show(el);
    });
  }

  var timer = null;
  function save() {
    window.clearTimeout(timer);
    timer = null;
    if (!storage) return;
    var vals = values();
    try {
      if (Object.keys(vals).length === 0) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(snapshot()));
    } catch (e) {
      say(msg("save-failed", "この端末に保存できませんでした。「ファイルに保存」をお使いください。"));
    }
  }

  function load() {
    if (!storage) {
      say(msg("no-storage", "このブラウザでは端末に保存できません。入力したら印刷するか、「ファイルに保存」をお使いください。"));
      return;
    }
    try {
      var doc = JSON.parse(storage.getItem(key) || "null");
      if (doc && doc.format === FORMAT && doc.fields) fill(doc.fields);
    } catch (e) {
      // A damaged entry: start blank rather than fail.
    }
  }

  fields.forEach(function (el) {
    el.addEventListener("input", function () {
      show(el);
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 300);
    });
    el.addEventListener("change", function () { show(el); save(); });
  });
  window.addEventListener("pagehide", function () { if (timer) save(); });

  function exportFile(where) {
    save();
    var d = new Date();
    var name = "kinkyu-joho-sheet-" + d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + ".json";
    var blob = new Blob([JSON.stringify(snapshot(), null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    say(msg("saved-file", "ファイル「{name}」を保存しました。新しい端末では「ファイルから読み込む」で開けます。", { name: name }), where);
  }

  function importText(text) {
    var doc;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      say(msg("not-json", "読み込めませんでした。このページで保存したファイル(.json)を選んでください。"));
      return false;
    }
    if (!doc || doc.format !== FORMAT || typeof doc.fields !== "object" || doc.fields === null) {
      say(msg("not-sheet", "読み込めませんでした。緊急時情報シートのファイルではありません。"));
      return false;
    }
    var vals = {};
    Object.keys(doc.fields).forEach(function (name) {
      if (byName[name] && typeof doc.fields[name] === "string") vals[name] = doc.fields[name];
    });
    if (Object.keys(values()).length > 0 &&
        !window.confirm(msg("confirm-replace", "いま入力されている内容を、ファイルの内容で置き換えます。よろしいですか?"))) {
      return false;
    }
    fill(vals);
    save();
    say(msg("loaded", "ファイルから読み込みました({count} 項目)。", { count: String(Object.keys(vals).length) }));
    return true;
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      importText(String(reader.result));
      fileInput.value = "";
    };
    reader.onerror = function () { say(msg("read-failed", "ファイルを読み込めませんでした。")); };
    reader.readAsText(file);
  });

  function onToolClick(event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    var action = button.getAttribute("data-action");
    var here = event.currentTarget.querySelector(".sheet-status") || status;
    if (action === "print") {
      save();
      window.print();
    } else if (action === "export") {
      exportFile(here);
    } else if (action === "clear") {
      if (window.confirm(msg("confirm-clear", "入力した内容をすべて消します。よろしいですか?(元に戻せません)"))) {
        fill({});
        save();
        say(msg("cleared", "入力した内容を消しました。"), here);
      }
    }
  }
  toolbars.forEach(function (bar) { bar.addEventListener("click", onToolClick); });

  load();
  fields.forEach(show);
  sheet.classList.add("sheet-js");
  toolbars.forEach(function (bar) { bar.hidden = false; });
  window.__ohisamaSheet = { importText: importText, values: values };
  window.__ohisamaSheetReady = true;
})();
