// Live reload and error overlay of `ohisama serve` (never part of a real build).
// Listens to /__ohisama/events: reload, css (swap stylesheets), error (overlay).
// Diagnostic text is user data: the overlay is built with textContent only.
(() => {
  "use strict";
  if (window.__ohisamaLiveReload) return;
  window.__ohisamaLiveReload = true;

  const script = document.currentScript;
  let pageBuild = (script && script.dataset.build) || "";
  // This page's output path (`news/x/index.html`), as reload events name
  // pages; the server says it (none on its 404 page: that one reloads on
  // every reload event).
  const ownFile = (script && script.dataset.file) || null;
  const HOST_ID = "ohisama-error-overlay";
  let source = null;
  let lastFocus = null;

  function connect() {
    if (source) return;
    source = new EventSource("/__ohisama/events");
    source.addEventListener("hello", (e) => {
      const s = JSON.parse(e.data);
      // The page is older than the site (a change while this tab was hidden or
      // the connection was down): reload. A broken site sends `error` next.
      if (!s.error && s.build && s.build !== pageBuild) location.reload();
      if (!s.error) hide();
    });
    source.addEventListener("reload", (e) => {
      const s = e.data ? JSON.parse(e.data) : {};
      // Only the pages named changed: this one is as the new build has it.
      if (Array.isArray(s.paths) && ownFile && !s.paths.includes(ownFile)) {
        if (s.build) pageBuild = s.build;
        return;
      }
      location.reload();
    });
    source.addEventListener("css", () => {
      hide();
      swapStylesheets();
    });
    source.addEventListener("error", (e) => {
      // A connection error is an `error` event too, without data.
      if (!(e instanceof MessageEvent) || !e.data) return;
      show(JSON.parse(e.data));
    });
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  // Only visible tabs keep a connection: browsers allow 6 per host, and a hidden
  // tab catches up (reloads) when it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) disconnect();
    else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", () => {
    if (!document.hidden) connect();
  });
  if (!document.hidden) connect();

  function swapStylesheets() {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("__ohisama", String(Date.now()));
      const next = link.cloneNode();
      next.href = url.href;
      const done = () => link.remove();
      next.addEventListener("load", done, { once: true });
      next.addEventListener("error", done, { once: true });
      link.after(next);
    }
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function location_of(d) {
    if (!d.line) return d.file;
    return d.column ? `${d.file}:${d.line}:${d.column}` : `${d.file}:${d.line}`;
  }

  // The offending line, with the character at the column marked.
  function sourceLine(d) {
    const pre = el("pre", { class: "src" });
    pre.append(el("span", { class: "ln", "aria-hidden": "true" }, `${d.line} | `));
    const chars = Array.from(d.source_line);
    // A long line arrives cut around the problem: source_column points into the cut.
    const at = d.source_column || d.column;
    const col = at > 0 ? at - 1 : -1;
    if (col >= 0 && col < chars.length) {
      pre.append(document.createTextNode(chars.slice(0, col).join("")));
      pre.append(el("mark", {}, chars[col]));
      pre.append(document.createTextNode(chars.slice(col + 1).join("")));
    } else {
      pre.append(document.createTextNode(d.source_line));
    }
    return pre;
  }

  const STYLE = `
    :host { all: initial; }
    .backdrop { position: fixed; inset: 0; z-index: 2147483647; background: rgba(20, 20, 20, .55);
      display: flex; align-items: flex-start; justify-content: center; overflow: auto; padding: 2rem 1rem; }
    .panel { background: #fff; color: #1a1a1a; max-width: 56rem; width: 100%; border-top: .5rem solid #b3261e;
      border-radius: .5rem; box-shadow: 0 .5rem 2rem rgba(0,0,0,.4); padding: 1.25rem 1.5rem;
      font: 16px/1.7 "BIZ UDPGothic", "BIZ UDGothic", "Hiragino Sans", "Noto Sans JP", sans-serif; }
    h2 { color: #b3261e; font-size: 1.3rem; margin: 0 0 .5rem; }
    .summary { margin: 0 0 1rem; }
    ol { list-style: none; margin: 0; padding: 0; }
    li { border: 1px solid #d0d0d0; border-left: .35rem solid #b3261e; border-radius: .3rem; padding: .6rem .9rem; margin: 0 0 .8rem; }
    li.warning { border-left-color: #8a5a00; }
    .loc { font-family: ui-monospace, "BIZ UDGothic", monospace; font-weight: bold; word-break: break-all; }
    .sev { display: inline-block; font-size: .85rem; color: #fff; background: #b3261e; border-radius: .2rem; padding: 0 .4rem; margin-right: .5rem; }
    li.warning .sev { background: #8a5a00; }
    .msg { margin: .2rem 0; font-weight: bold; }
    .src { background: #f4f4f4; border-radius: .2rem; padding: .4rem .6rem; margin: .4rem 0; overflow-x: auto;
      font: 15px/1.5 ui-monospace, "BIZ UDGothic", monospace; white-space: pre; }
    .src .ln { color: #666; }
    mark { background: #ffd6d3; color: #7a0000; outline: 1px solid #b3261e; }
    .expected, .hint { margin: .2rem 0; }
    .label { font-weight: bold; }
    .actions { text-align: right; margin-top: 1rem; }
    button { font: inherit; padding: .4rem 1.2rem; border: 2px solid #1a1a1a; border-radius: .3rem; background: #fff; color: #1a1a1a; cursor: pointer; }
    button:focus-visible, button:focus { outline: 3px solid #1a5fb4; outline-offset: 2px; }
  `;

  function show(info) {
    const keepFocus = !document.getElementById(HOST_ID);
    hide(false);
    if (keepFocus) lastFocus = document.activeElement;
    const host = el("div", { id: HOST_ID });
    const root = host.attachShadow({ mode: "open" });
    root.append(el("style", {}, STYLE));

    const backdrop = el("div", { class: "backdrop" });
    const panel = el("div", {
      class: "panel",
      role: "alertdialog",
      "aria-modal": "true",
      "aria-labelledby": "ohisama-title",
      "aria-describedby": "ohisama-summary",
    });
    panel.append(el("h2", { id: "ohisama-title" }, "サイトを更新できませんでした"));
    const diags = Array.isArray(info.diagnostics) ? info.diagnostics : [];
    const summary = info.summary || `エラー ${diags.length} 件`;
    panel.append(
      el(
        "p",
        { id: "ohisama-summary", class: "summary" },
        `${summary}。${info.build ? "前回正しく生成できたページを表示しています。" : "まだ正しく生成できたページがありません。"}` +
          "ファイルを直して保存すると、自動で更新されます。"
      )
    );
    const list = el("ol", { "aria-label": "問題の一覧" });
    for (const d of diags) {
      const warning = d.severity === "warning";
      const item = el("li", { class: warning ? "warning" : "error" });
      const loc = el("div", { class: "loc" });
      loc.append(el("span", { class: "sev" }, warning ? "警告" : "エラー"));
      loc.append(document.createTextNode(` ${location_of(d)}`));
      item.append(loc);
      item.append(el("p", { class: "msg" }, d.message));
      if (d.source_line && d.line) item.append(sourceLine(d));
      if (d.expected) {
        const p = el("p", { class: "expected" });
        p.append(el("span", { class: "label" }, "期待される値: "), document.createTextNode(d.expected));
        item.append(p);
      }
      if (d.hint) {
        const p = el("p", { class: "hint" });
        p.append(el("span", { class: "label" }, "ヒント: "), document.createTextNode(d.hint));
        item.append(p);
      }
      list.append(item);
    }
    panel.append(list);
    const actions = el("div", { class: "actions" });
    const close = el("button", { type: "button", class: "close" }, "閉じる");
    close.addEventListener("click", () => hide(true));
    actions.append(close);
    panel.append(actions);
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") hide(true);
      // Keep Tab on the dialog's only control.
      if (e.key === "Tab") {
        e.preventDefault();
        close.focus();
      }
    });
    backdrop.append(panel);
    root.append(backdrop);
    (document.body || document.documentElement).append(host);
    close.focus();
  }

  function hide(restoreFocus) {
    const host = document.getElementById(HOST_ID);
    if (!host) return;
    host.remove();
    if (restoreFocus !== false && lastFocus && document.contains(lastFocus)) lastFocus.focus();
    if (restoreFocus !== false) lastFocus = null;
  }
})();
