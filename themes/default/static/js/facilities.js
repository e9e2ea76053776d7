// 施設検索: filters /facilities/ by municipality + region + type + care at once,
// in the browser, from the JSON the build writes; results in pages of 20.
// Without JS the form stays hidden and every list is reachable by the links below it.

const form = document.getElementById("facility-filter");
const PAGE_SIZE = 20;

/**
 * The filter's dimensions, one per form control `name` (also the key of the
 * shareable URL): `key` is the facility's value in facilities.json, `match`
 * how it meets the chosen values. A new dimension (e.g. the municipalities a
 * facility visits) is one more line here and one more control in the form.
 */
export const DIMENSIONS = [
  { name: "municipality", key: "municipality", match: "one" },
  { name: "region", key: "region", match: "one" },
  { name: "type", key: "type", match: "one" },
  { name: "care", key: "care", match: "all" },
  // 訪問できる: a facility elsewhere that visits the chosen municipality (issue #15).
  { name: "visit", key: "visits", match: "some" },
];

const MATCH = {
  // The facility's one value is one of the chosen (nothing chosen: any).
  one: (value, chosen) => chosen.length === 0 || chosen.includes(value),
  // The facility's list holds every chosen value (care: all checked kinds).
  all: (list, chosen) => chosen.every((c) => (list || []).includes(c)),
  // The facility's list holds one of the chosen values.
  some: (list, chosen) => chosen.length === 0 || chosen.some((c) => (list || []).includes(c)),
};

const chosenOf = (v) => [].concat(v ?? []).filter(Boolean);

/** Facilities matching every chosen condition (`{ region: "kenoh", care: ["ventilator"] }`). */
export function filterFacilities(data, cond = {}, dims = DIMENSIONS) {
  return data.facilities.filter((f) => dims.every((d) => MATCH[d.match](f[d.key], chosenOf(cond[d.name]))));
}

function conditions() {
  const fd = new FormData(form);
  return Object.fromEntries(DIMENSIONS.map((d) => [d.name, fd.getAll(d.name).filter(Boolean)]));
}

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

/** One result: name, type, municipality, care chips and a tap-to-call button. */
function item(f, names) {
  const li = el("li", { class: "facility-item" });
  li.append(el("a", { class: "facility-name", href: `${form.dataset.base}facilities/${f.id}/` }, f.name), " ");
  li.append(el("span", { class: "type-chip" }, names.types[f.type] || f.type), " ");
  li.append(el("span", { class: "facility-where" }, names.municipalities[f.municipality] || ""));
  if (f.care.length) {
    li.append(el("span", { class: "visually-hidden" }, "受け入れている医療的ケア:"));
    const ul = el("ul", { class: "care-inline" });
    for (const c of f.care) ul.append(el("li", {}, names.care[c] || c));
    li.append(ul);
  }
  if (f.tel && f.tel_href) {
    const p = el("p", { class: "facility-tel" });
    p.append(el("a", { class: "tel", href: f.tel_href, "aria-label": `${f.name}に電話する ${f.tel}` }, f.tel));
    li.append(p);
  }
  return li;
}

/** Municipalities of other regions are hidden (and deselected) when a region is chosen. */
function narrowPlaces(cond) {
  const region = cond.region[0] || "";
  const select = form.elements.municipality;
  for (const group of select.querySelectorAll("optgroup")) {
    group.hidden = !!region && group.dataset.region !== region;
  }
  if (cond.municipality.length && select.selectedOptions[0]?.parentElement?.hidden) {
    select.value = "";
    cond.municipality = [];
  }
}

/** Each chip says how many facilities it would leave; a group shows what is chosen in it. */
function updateChips(data, cond) {
  for (const d of DIMENSIONS) {
    for (const input of form.querySelectorAll(`input[name="${d.name}"]`)) {
      if (!input.value) continue;
      const chosen = d.match === "all" ? [...new Set([...cond[d.name], input.value])] : [input.value];
      const n = filterFacilities(data, { ...cond, [d.name]: chosen }).length;
      const label = input.closest(".chip");
      label.querySelector(".chip-count").textContent = ` ${n}`;
      label.classList.toggle("chip-none", n === 0 && !input.checked);
    }
  }
  for (const group of form.querySelectorAll(".chip-group")) {
    const picked = [...group.querySelectorAll("input:checked")].length;
    group.querySelector(".chip-chosen").textContent = picked ? `(${picked}つ選択中)` : "";
    if (picked) group.open = true;
  }
}

function countText(total, page, any) {
  if (!total) return "条件に合う施設は見つかりませんでした。医療的ケアの数を減らすか、地域・市町村を広げてみてください。";
  const all = any ? "" : "(すべての施設)";
  if (total <= PAGE_SIZE) return `${total}件見つかりました${all}`;
  const first = (page - 1) * PAGE_SIZE + 1;
  return `${total}件見つかりました${all}。${first}〜${Math.min(total, first + PAGE_SIZE - 1)}件目を表示しています`;
}

/** Keeps the URL shareable: /facilities/?municipality=chigasaki&care=ventilator&page=2 */
function remember(cond, page) {
  const params = new URLSearchParams();
  for (const d of DIMENSIONS) for (const v of cond[d.name]) params.append(d.name, v);
  if (page > 1) params.set("page", String(page));
  const qs = params.toString();
  history.replaceState(null, "", qs ? `?${qs}` : location.pathname);
}

const state = { page: 1 };

function render(data, names) {
  const cond = conditions();
  narrowPlaces(cond);
  updateChips(data, cond);
  const hits = filterFacilities(data, cond);
  const pages = Math.max(1, Math.ceil(hits.length / PAGE_SIZE));
  state.page = Math.min(Math.max(1, state.page), pages);
  const start = (state.page - 1) * PAGE_SIZE;
  document.getElementById("ff-results").replaceChildren(...hits.slice(start, start + PAGE_SIZE).map((f) => item(f, names)));
  const any = DIMENSIONS.some((d) => cond[d.name].length);
  document.getElementById("ff-count").textContent = countText(hits.length, state.page, any);
  document.getElementById("ff-jump").textContent = `結果 ${hits.length}件を見る`;
  const pager = document.getElementById("ff-pager");
  pager.hidden = pages < 2;
  pager.querySelector('[data-page="prev"]').hidden = state.page <= 1;
  pager.querySelector('[data-page="next"]').hidden = state.page >= pages;
  remember(cond, state.page);
}

function restore() {
  const params = new URLSearchParams(location.search);
  for (const d of DIMENSIONS) {
    const wanted = new Set(params.getAll(d.name));
    const control = form.elements[d.name];
    if (control instanceof HTMLSelectElement) {
      if (wanted.size) control.value = [...wanted][0];
    } else {
      for (const input of form.querySelectorAll(`input[name="${d.name}"]`)) {
        input.checked = wanted.has(input.value);
      }
    }
  }
  state.page = Number.parseInt(params.get("page") || "1", 10) || 1;
}

function turnPage(e, data, names) {
  const button = e.target.closest("button[data-page]");
  if (!button) return;
  state.page += button.dataset.page === "next" ? 1 : -1;
  render(data, names);
  const title = document.getElementById("ff-title");
  title.focus();
  title.scrollIntoView({ block: "start" });
}

async function main() {
  if (!form) return;
  const res = await fetch(`${form.dataset.base}facilities/facilities.json`);
  if (!res.ok) return; // the static lists below still work
  const data = await res.json();
  const byId = (list) => Object.fromEntries(list.map((x) => [x.id, x.name]));
  const names = { types: byId(data.types), care: byId(data.care), municipalities: byId(data.municipalities) };
  restore();
  form.hidden = false;
  document.getElementById("ff-out").hidden = false;
  for (const lists of document.querySelectorAll(".static-lists")) lists.open = false;
  const again = () => {
    state.page = 1;
    render(data, names);
  };
  form.addEventListener("change", again);
  form.addEventListener("reset", () => setTimeout(again));
  form.addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("ff-pager").addEventListener("click", (e) => turnPage(e, data, names));
  render(data, names);
  window.__ohisamaFacilitiesReady = true;
}

main();
