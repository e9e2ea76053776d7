// 施設検索: filters /facilities/ by region + municipality + type + care at once,
// in the browser, from the JSON the build writes. Without JS the form stays
// hidden and every list is reachable by the links below it.

const form = document.getElementById("facility-filter");

/** Facilities matching every chosen condition (care: all checked kinds). */
export function filterFacilities(data, { region = "", municipality = "", type = "", care = [] } = {}) {
  return data.facilities.filter(
    (f) =>
      (!region || f.region === region) &&
      (!municipality || f.municipality === municipality) &&
      (!type || f.type === type) &&
      care.every((c) => f.care.includes(c)),
  );
}

function conditions() {
  const fd = new FormData(form);
  return {
    region: fd.get("region") || "",
    municipality: fd.get("municipality") || "",
    type: fd.get("type") || "",
    care: fd.getAll("care"),
  };
}

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function render(data, names) {
  const cond = conditions();
  // Municipalities of other regions are hidden (and deselected) when a region is chosen.
  for (const opt of form.elements.municipality.options) {
    if (!opt.value) continue;
    opt.hidden = !!cond.region && opt.dataset.region !== cond.region;
  }
  if (cond.municipality && form.elements.municipality.selectedOptions[0]?.hidden) {
    form.elements.municipality.value = "";
    cond.municipality = "";
  }
  const hits = filterFacilities(data, cond);
  const list = document.getElementById("ff-results");
  list.replaceChildren();
  const base = form.dataset.base;
  for (const f of hits) {
    const li = el("li", { class: "facility-item" });
    li.append(el("a", { class: "facility-name", href: `${base}facilities/${f.id}/` }, f.name), " ");
    li.append(el("span", { class: "type-chip" }, names.types[f.type] || f.type), " ");
    li.append(el("span", { class: "facility-where" }, names.municipalities[f.municipality] || ""));
    if (f.care.length) {
      li.append(el("span", { class: "visually-hidden" }, "受け入れている医療的ケア:"));
      const ul = el("ul", { class: "care-chips care-chips-small" });
      for (const c of f.care) ul.append(el("li", {}, names.care[c] || c));
      li.append(ul);
    }
    list.append(li);
  }
  const count = document.getElementById("ff-count");
  const any = cond.region || cond.municipality || cond.type || cond.care.length;
  count.textContent = hits.length
    ? `${hits.length}件見つかりました${any ? "" : "(すべての施設)"}`
    : "条件に合う施設は見つかりませんでした。医療的ケアの数を減らすか、地域・市町村を広げてみてください。";
  // Keep the URL shareable: /facilities/?region=kenoh&care=ventilator
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(cond)) {
    for (const x of [].concat(v)) if (x) params.append(k, x);
  }
  const qs = params.toString();
  history.replaceState(null, "", qs ? `?${qs}` : location.pathname);
}

function restore() {
  const params = new URLSearchParams(location.search);
  for (const key of ["region", "municipality", "type"]) {
    if (params.get(key)) form.elements[key].value = params.get(key);
  }
  const care = new Set(params.getAll("care"));
  for (const box of form.querySelectorAll('input[name="care"]')) box.checked = care.has(box.value);
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
  form.addEventListener("change", () => render(data, names));
  form.addEventListener("reset", () => setTimeout(() => render(data, names)));
  form.addEventListener("submit", (e) => e.preventDefault());
  render(data, names);
  window.__ohisamaFacilitiesReady = true;
}

main();
