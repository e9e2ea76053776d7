// おひさま site search: a static client for the index exported by
// `ohisama build` into /search/ (see src/search/export.rs for the format).
//
// It tokenizes exactly like the Rust analyzer (src/search/analyzer.rs) and
// ranks exactly like tantivy: BM25 (k1 1.2, b 0.75), tantivy's idf, the
// quantised field norms, a word of 3+ characters as a phrase of its 2-grams
// (idf summed over the 2-grams, tf = number of occurrences), words ANDed,
// scores summed over the fields title (boosted), body and kana, ties broken by
// document order. Arithmetic is done in 32-bit floats, as tantivy does.
// A query word also finds its declared variants (src/search/expand.rs, read
// from the s/ shards), and the hits are ordered like src/search/rank.rs:
// explanatory pages boosted for care, benefit and service words, the
// documents of a municipality named in the query first.
// Plain ES module, no dependencies, no bundler.

const ANALYZER_VERSION = "ja-ngram-1";
const FORMAT_VERSION = 3;
const f32 = Math.fround;
const K1 = f32(1.2);
const B = f32(0.75);

// ---------------------------------------------------------------- analyzer

// White space as in analyzer::is_break (Unicode White_Space).
function isBreak(c) {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** NFKC, lower case, katakana → hiragana, small ヵ/ヶ → か/け. */
export function normalize(s) {
  const lower = String(s).normalize("NFKC").toLowerCase();
  let out = "";
  for (const ch of lower) {
    let c = ch.codePointAt(0);
    if (c >= 0x30a1 && c <= 0x30f6) c -= 0x60;
    if (c === 0x3095) c = 0x304b;
    else if (c === 0x3096) c = 0x3051;
    out += String.fromCodePoint(c);
  }
  return out;
}

/** The 1- and 2-grams of a text with their character positions: [[gram, pos], ...]. */
export function tokens(s) {
  const chars = Array.from(normalize(s));
  const out = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (isBreak(c.codePointAt(0))) continue;
    out.push([c, i]);
    if (i + 1 < chars.length && !isBreak(chars[i + 1].codePointAt(0))) {
      out.push([c + chars[i + 1], i]);
    }
  }
  return out;
}

/** Query words: normalised, split at white space, duplicates dropped. */
export function queryWords(q) {
  const words = [];
  let cur = "";
  for (const ch of normalize(q)) {
    if (isBreak(ch.codePointAt(0))) {
      if (cur && !words.includes(cur)) words.push(cur);
      cur = "";
    } else {
      cur += ch;
    }
  }
  if (cur && !words.includes(cur)) words.push(cur);
  return words;
}

/** The n-grams searched for a word, with offsets: [[offset, gram], ...]. */
export function cover(word) {
  const chars = Array.from(word);
  const n = chars.length;
  if (n === 0) return [];
  if (n === 1) return [[0, chars[0]]];
  const offsets = [];
  for (let o = 0; o <= n - 2; o += 2) offsets.push(o);
  if (offsets[offsets.length - 1] !== n - 2) offsets.push(n - 2);
  return offsets.map((o) => [o, chars[o] + chars[o + 1]]);
}

// The n-grams looked up in the export for a word (export::lookup_cover): the
// word itself up to `max` characters, else the max-grams at 0, max, 2·max …
// and n-max.
function lookupCover(word, max) {
  const chars = Array.from(word);
  const n = chars.length;
  if (n === 0) return [];
  if (n <= max) return [[0, word]];
  const offsets = [];
  for (let o = 0; o <= n - max; o += max) offsets.push(o);
  if (offsets[offsets.length - 1] !== n - max) offsets.push(n - max);
  return offsets.map((o) => [o, chars.slice(o, o + max).join("")]);
}

// ---------------------------------------------------------------- BM25

// tantivy's field norm table (fieldnorm/code.rs): ids 0..40 are exact, then
// 8 steps per doubling.
const FIELDNORM_TABLE = (() => {
  const t = [];
  for (let i = 0; i <= 40; i++) t.push(i);
  let v = 40;
  let step = 2;
  while (t.length < 256) {
    for (let k = 0; k < 8 && t.length < 256; k++) {
      v += step;
      t.push(v);
    }
    step *= 2;
  }
  return t;
})();

function idf(df, n) {
  const x = f32(f32(f32(n - df) + 0.5) / f32(f32(df) + 0.5));
  return f32(Math.log(f32(1 + x)));
}

function tfCache(avg) {
  const cache = new Float64Array(256);
  const oneMinusB = f32(1 - B);
  for (let id = 0; id < 256; id++) {
    const fn = f32(FIELDNORM_TABLE[id]);
    cache[id] = f32(K1 * f32(oneMinusB + f32(f32(B * fn) / avg)));
  }
  return cache;
}

function bm25(weight, cache, normId, tf) {
  const t = f32(tf);
  return f32(weight * f32(t / f32(t + cache[normId])));
}

// ---------------------------------------------------------------- loading

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function fnv1a32(str) {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(str)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

class Reader {
  constructor(bytes, pos = 0) {
    this.b = bytes;
    this.i = pos;
  }
  varint() {
    let v = 0;
    let mul = 1;
    for (;;) {
      const x = this.b[this.i++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
  }
}

const indexes = new Map();

function indexFor(base) {
  if (!base.endsWith("/")) base += "/";
  let ix = indexes.get(base);
  if (!ix) {
    ix = new StaticIndex(base);
    indexes.set(base, ix);
  }
  return ix;
}

class StaticIndex {
  constructor(base) {
    this.base = base;
    this.files = new Map();
    this.terms = new Map();
    this.positions = new Map();
    this.meta = this.json("meta.json").then((meta) => {
      if (meta.format !== FORMAT_VERSION || meta.analyzer !== ANALYZER_VERSION) {
        throw new Error(`search index format ${meta.format}/${meta.analyzer} is not supported`);
      }
      const n = meta.docs;
      meta.caches = meta.total_tokens.map((tot) => tfCache(f32(f32(tot) / f32(n))));
      return meta;
    });
  }

  fetchFile(path, kind) {
    let p = this.files.get(path);
    if (!p) {
      p = fetch(this.base + path).then((r) => {
        if (!r.ok) throw new Error(`${this.base + path}: HTTP ${r.status}`);
        return kind === "json" ? r.json() : r.arrayBuffer().then((b) => new Uint8Array(b));
      });
      this.files.set(path, p);
      p.catch(() => this.files.delete(path));
    }
    return p;
  }

  json(path) {
    return this.fetchFile(path, "json");
  }

  // Term → [start, end] of its block, for one shard file.
  async shard(dir, i) {
    const key = `${dir}/${i}`;
    const cached = this.files.get(key + ".parsed");
    if (cached) return cached;
    const p = this.fetchFile(`${dir}/${i}.bin`, "bin").then((bytes) => {
      const r = new Reader(bytes);
      const n = r.varint();
      const map = new Map();
      for (let k = 0; k < n; k++) {
        const len = r.varint();
        const term = decoder.decode(bytes.subarray(r.i, r.i + len));
        r.i += len;
        const blen = r.varint();
        map.set(term, [bytes, r.i, r.i + blen]);
        r.i += blen;
      }
      return map;
    });
    this.files.set(key + ".parsed", p);
    return p;
  }

  // Postings of a term: per field null or {docs, tfs, norms, bigramDfs}.
  async term(term) {
    let p = this.terms.get(term);
    if (p) return p;
    p = (async () => {
      const meta = await this.meta;
      const shard = await this.shard("t", fnv1a32(term) % meta.term_shards);
      const entry = shard.get(term);
      const fields = meta.fields.map(() => null);
      if (!entry) return fields;
      const [bytes, start] = entry;
      const r = new Reader(bytes, start);
      const mask = r.varint();
      const chars = Array.from(term).length;
      const len = chars < 3 ? 0 : chars; // n-grams of 3+ carry their 2-grams' df
      for (let fi = 0; fi < fields.length; fi++) {
        if (!(mask & (1 << fi))) continue;
        const df = r.varint();
        const docs = new Uint32Array(df);
        const tfs = new Uint32Array(df);
        let doc = 0;
        for (let j = 0; j < df; j++) {
          const v = r.varint();
          doc += Math.floor(v / 2);
          docs[j] = doc;
          tfs[j] = v % 2 === 1 ? 1 : 0;
        }
        for (let j = 0; j < df; j++) if (tfs[j] === 0) tfs[j] = r.varint();
        const norms = bytes.subarray(r.i, r.i + df);
        r.i += df;
        const bigramDfs = [];
        for (let o = 0; o + 1 < len; o++) bigramDfs.push(r.varint());
        fields[fi] = { docs, tfs, norms, bigramDfs };
      }
      return fields;
    })();
    this.terms.set(term, p);
    return p;
  }

  // Positions of a max-gram: per field null or an array (per posting) of arrays.
  async termPositions(term) {
    let p = this.positions.get(term);
    if (p) return p;
    p = (async () => {
      const meta = await this.meta;
      const [postings, shard] = await Promise.all([
        this.term(term),
        this.shard("p", fnv1a32(term) % meta.position_shards),
      ]);
      const entry = shard.get(term);
      const out = postings.map(() => null);
      if (!entry) return out;
      const [bytes, start] = entry;
      const r = new Reader(bytes, start);
      for (let fi = 0; fi < postings.length; fi++) {
        const pf = postings[fi];
        if (!pf) continue;
        const len = r.varint();
        const end = r.i + len;
        const lists = new Array(pf.docs.length);
        for (let j = 0; j < pf.docs.length; j++) {
          const tf = pf.tfs[j];
          const ps = new Array(tf);
          let pos = 0;
          for (let k = 0; k < tf; k++) {
            pos += r.varint();
            ps[k] = pos;
          }
          lists[j] = ps;
        }
        r.i = end;
        out[fi] = lists;
      }
      return out;
    })();
    this.positions.set(term, p);
    return p;
  }

  // The expansion entry of a (normalised) word, or null: {v, t, p, g}.
  async expansion(word) {
    const meta = await this.meta;
    if (!meta.syn_shards) return null;
    const shard = await this.json(`s/${fnv1a32(word) % meta.syn_shards}.json`);
    return Object.prototype.hasOwnProperty.call(shard, word) ? shard[word] : null;
  }

  // The documents of the municipality with place index p, as a Set.
  async placeDocs(p) {
    const bytes = await this.fetchFile(`m/${p}.bin`, "bin");
    const r = new Reader(bytes);
    const out = new Set();
    let doc = 0;
    while (r.i < bytes.length) {
      doc += r.varint();
      out.add(doc);
    }
    return out;
  }

  async docRow(doc) {
    const meta = await this.meta;
    const chunk = Math.floor(doc / meta.doc_chunk);
    const rows = await this.json(`d/${chunk}.json`);
    return rows[doc - chunk * meta.doc_chunk];
  }
}

// Map doc → score of one word in one field: tantivy's TermQuery (1-2
// characters) or PhraseQuery over the word's 2-grams (3+ characters), whose
// phrase count is the number of occurrences of the word.
function wordFieldScores(meta, word, fi, look, termData, posData) {
  const out = new Map();
  const n = meta.docs;
  const boost = f32(meta.boosts[fi]);
  const cache = meta.caches[fi];
  const lists = termData.map((t) => t[fi]);
  if (lists.some((l) => !l)) return out;
  // idf: of the term itself, or summed over the word's 2-gram cover, each
  // 2-gram's df read from a looked-up n-gram that contains it.
  let idfSum;
  const bigrams = cover(word);
  if (bigrams.length === 1) {
    idfSum = idf(lists[0].docs.length, n);
  } else {
    idfSum = f32(0);
    for (const [o] of bigrams) {
      let df = null;
      for (let t = 0; t < look.length && df === null; t++) {
        const q = look[t][0];
        const inner = o - q;
        if (inner >= 0 && inner < lists[t].bigramDfs.length) df = lists[t].bigramDfs[inner];
      }
      idfSum = f32(idfSum + idf(df, n));
    }
  }
  let weight = f32(idfSum * f32(1 + K1));
  if (boost !== 1) weight = f32(weight * boost);
  if (look.length === 1) {
    const pf = lists[0];
    for (let j = 0; j < pf.docs.length; j++) {
      out.set(pf.docs[j], bm25(weight, cache, pf.norms[j], pf.tfs[j]));
    }
    return out;
  }
  // A phrase of max-grams: intersect the doc lists, then the shifted positions.
  const cursors = lists.map(() => 0);
  const first = lists[0];
  for (let j0 = 0; j0 < first.docs.length; j0++) {
    const doc = first.docs[j0];
    let all = true;
    for (let t = 1; t < lists.length; t++) {
      const d = lists[t].docs;
      let c = cursors[t];
      while (c < d.length && d[c] < doc) c++;
      cursors[t] = c;
      if (c >= d.length || d[c] !== doc) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    let starts = posData[0][fi][j0];
    for (let t = 1; t < lists.length && starts.length; t++) {
      const off = look[t][0];
      const set = new Set();
      for (const p of posData[t][fi][cursors[t]]) set.add(p - off);
      starts = starts.filter((s) => set.has(s));
    }
    if (starts.length > 0) out.set(doc, bm25(weight, cache, first.norms[j0], starts.length));
  }
  return out;
}

// The words searched for each query word (expand.rs `Expansions::variants`),
// and its entry (null when the vocabulary does not know it).
async function expandWords(ix, words) {
  const entries = await Promise.all(words.map((w) => ix.expansion(w)));
  const variants = words.map((w, i) => (entries[i] ? entries[i].v.map(normalize) : [w]));
  return { entries, variants };
}

// Map doc → score of one searched word: the sum over the fields in order.
function variantScores(meta, word, look, termData, posData) {
  const sum = new Map();
  for (let fi = 0; fi < meta.fields.length; fi++) {
    for (const [doc, s] of wordFieldScores(meta, word, fi, look, termData, posData)) {
      const prev = sum.get(doc);
      sum.set(doc, prev === undefined ? s : f32(prev + s));
    }
  }
  return sum;
}

// What ranks the hits besides BM25 (rank.rs `RankContext`).
async function rankContext(ix, meta, entries) {
  const topic = entries.some((e) => e && e.t);
  const places = [];
  for (const e of entries) {
    if (e && e.p !== undefined && !places.includes(e.p)) places.push(e.p);
  }
  const placeDocs = new Set();
  for (const set of await Promise.all(places.map((p) => ix.placeDocs(p)))) {
    for (const d of set) placeDocs.add(d);
  }
  return { explainDocs: topic ? meta.explain_docs : 0, placeDocs };
}

/** Boosts and sorts [doc, score] pairs like rank.rs `order`. */
function order(hits, ctx, boost) {
  for (const h of hits) if (h[0] < ctx.explainDocs) h[1] = f32(h[1] * boost);
  const tier = (doc) => (ctx.placeDocs.has(doc) ? 1 : 0);
  hits.sort((a, b) => tier(b[0]) - tier(a[0]) || b[1] - a[1] || a[0] - b[0]);
}

async function run(query, { limit = 10, kind = null, region = null, base = "/search/" } = {}) {
  const words = queryWords(query);
  if (words.length === 0) return { total: 0, results: [], variants: [] };
  const ix = indexFor(base);
  const meta = await ix.meta;
  const filtered = Boolean(kind) || Boolean(region);
  const filterP = filtered ? ix.fetchFile("f.bin", "bin") : null;
  const { entries, variants } = await expandWords(ix, words);
  const ctxP = rankContext(ix, meta, entries);
  const looks = variants.map((vs) => vs.map((v) => lookupCover(v, meta.max_gram)));
  const termData = await Promise.all(
    looks.map((lv) => Promise.all(lv.map((look) => Promise.all(look.map(([, t]) => ix.term(t)))))),
  );
  const posData = await Promise.all(
    looks.map((lv) =>
      Promise.all(
        lv.map((look) =>
          look.length > 1 ? Promise.all(look.map(([, t]) => ix.termPositions(t))) : null,
        ),
      ),
    ),
  );

  // Per word: doc → sum over its variants (each the sum over the fields);
  // words are ANDed and their scores added.
  let total = null;
  for (let wi = 0; wi < words.length; wi++) {
    const wordScores = new Map();
    for (let vi = 0; vi < variants[wi].length; vi++) {
      const v = variants[wi][vi];
      for (const [doc, s] of variantScores(meta, v, looks[wi][vi], termData[wi][vi], posData[wi][vi])) {
        const prev = wordScores.get(doc);
        wordScores.set(doc, prev === undefined ? s : f32(prev + s));
      }
    }
    if (total === null) {
      total = wordScores;
    } else {
      const next = new Map();
      for (const [doc, s] of total) {
        const t = wordScores.get(doc);
        if (t !== undefined) next.set(doc, f32(s + t));
      }
      total = next;
    }
    if (total.size === 0) break;
  }

  let hits = Array.from(total);
  if (filtered) {
    const fb = await filterP;
    const kindCode = kind ? meta.kinds.indexOf(kind) : -1;
    const ri = region ? meta.regions.indexOf(region) : -1;
    const regionCode = ri >= 0 ? ri + 1 : -1;
    hits = hits.filter(([doc]) => {
      const b = fb[doc];
      if (kind && (b & 3) !== kindCode) return false;
      if (region && (regionCode < 0 || b >> 2 !== regionCode)) return false;
      return true;
    });
  }
  order(hits, await ctxP, f32(meta.explain_boost));
  const shown = hits.slice(0, Math.max(0, limit));
  const rows = await Promise.all(shown.map(([doc]) => ix.docRow(doc)));
  const results = shown.map(([doc, score], i) => {
    const [title, url, k, municipality, reg, field, snippet, tel, telHref, fieldId] = rows[i];
    return {
      title, url, kind: k, municipality, region: reg, field, score, snippet, doc,
      tel, telHref, fieldId,
    };
  });
  // Each word as typed (not normalised) with the variants as the vocabulary writes them.
  const raws = rawWords(query);
  const shownVariants = words.map((w, i) => ({
    word: raws.find((r) => normalize(r) === w) || w,
    variants: entries[i] ? entries[i].v : [w],
  }));
  return { total: hits.length, results, variants: shownVariants };
}

// ---------------------------------------------------------------- もしかして

function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 0; i < a.length; i++) {
    const cur = [i + 1];
    for (let j = 0; j < b.length; j++) {
      const sub = prev[j] + (a[i] === b[j] ? 0 : 1);
      cur.push(Math.min(sub, prev[j + 1] + 1, cur[j] + 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function maxDistance(len) {
  return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

// The words of a query as typed (split at white space, like suggest.rs).
function rawWords(q) {
  const out = [];
  let cur = "";
  for (const ch of String(q)) {
    if (isBreak(ch.codePointAt(0))) {
      if (cur) out.push(cur);
      cur = "";
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Queries to try instead of `query` (suggest.rs `suggestions`): one word
 * replaced by the headword of a near known word. Fetches r.json.
 */
export async function suggest(query, { base = "/search/" } = {}) {
  const ix = indexFor(base);
  const meta = await ix.meta;
  if (!meta.syn_shards) return [];
  const cands = await ix.json("r.json");
  const words = rawWords(query);
  const scored = [];
  words.forEach((raw, wi) => {
    const wc = Array.from(normalize(raw));
    const limit = maxDistance(wc.length);
    cands.forEach(([key, shown], ci) => {
      const kc = Array.from(key);
      if (Math.abs(kc.length - wc.length) > limit || normalize(shown) === wc.join("")) return;
      const d = editDistance(wc, kc);
      if (d === 0 || d > limit) return;
      const q = words.slice();
      q[wi] = shown;
      scored.push([d, Math.abs(kc.length - wc.length), ci, q.join(" ")]);
    });
  });
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0));
  const out = [];
  for (const s of scored) {
    if (!out.includes(s[3])) out.push(s[3]);
    if (out.length === 3) break;
  }
  return out;
}

/**
 * Ranked results for `query`:
 * [{title, url, kind, municipality, region, field, score, snippet, doc}].
 * `base` is where the exported index lives (the site's /search/ folder).
 */
export async function search(query, options = {}) {
  return (await run(query, options)).results;
}

/** Like `search`, plus the number of all matching documents: {total, results}. */
export async function searchWithTotal(query, options = {}) {
  return run(query, options);
}

// ---------------------------------------------------------------- UI

const KIND_LABELS = { page: "ページ", window: "相談窓口", facility: "施設" };
const PAGE_SIZE = 20;

const STYLE = `
.ohs-status{font-weight:bold;margin:1rem 0 .5rem}
.ohs-list{list-style:none;padding:0;margin:0}
.ohs-item{border-top:1px solid #ccc;padding:.75rem 0}
.ohs-item a{font-size:1.1rem;font-weight:bold}
.ohs-tags{display:flex;flex-wrap:wrap;gap:.4rem;margin:.3rem 0;font-size:.9rem}
.ohs-tag{border:1px solid #6b6b6b;border-radius:4px;padding:0 .45rem}
.ohs-kind{background:#1a1a1a;color:#fff;border-color:#1a1a1a}
.ohs-snippet{margin:.2rem 0 0;color:#333}
.ohs-snippet mark{background:#fff0a8;color:inherit;font-weight:bold}
.ohs-more{margin-top:1rem;min-height:44px;font:inherit;padding:0 1rem}
.ohs-call{margin:.3rem 0}
.ohs-suggest{font-size:1.1rem}
.ohs-suggest a{font-weight:bold}
`;

function el(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

/** Numbers with hyphens (phone numbers, 4-5-18 in an address). */
const NUMBER_RUN = /\d+(?:-\d+)+/g;

/**
 * For each character of `chars`, the index of the stretch it belongs to that
 * must not be broken over two lines (a phone number, a place name of `keep`),
 * or -1.
 */
function keepGroups(chars, keep) {
  const text = chars.join("");
  const charAt = []; // code unit offset → character index
  chars.forEach((c, i) => { for (let k = 0; k < c.length; k++) charAt.push(i); });
  charAt.push(chars.length);
  const group = new Array(chars.length).fill(-1);
  let next = 0;
  const claim = (start, end) => {
    const from = charAt[start];
    const to = charAt[end];
    for (let i = from; i < to; i++) if (group[i] !== -1) return;
    for (let i = from; i < to; i++) group[i] = next;
    next++;
  };
  for (const m of text.matchAll(NUMBER_RUN)) claim(m.index, m.index + m[0].length);
  for (const word of keep) {
    if (!word) continue;
    for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) {
      claim(at, at + word.length);
    }
  }
  return group;
}

/**
 * The snippet as DOM nodes with every occurrence of a query word wrapped in
 * <mark>. Matching is on the normalised text (so ほうもん marks 訪問 only when
 * the text says ほうもん, and ホウモン marks ほうもん), mapped back to the
 * original characters; built with text nodes only (the snippet is data).
 * Numbers with hyphens and the words of `keep` (place names) are wrapped in
 * <span class="ohs-nobr"> so that a line never breaks inside them.
 */
export function highlightNodes(text, q, keep = [], extra = []) {
  const chars = [...text];
  const joined = [];
  const owner = [];
  chars.forEach((c, i) => {
    for (const n of normalize(c)) {
      joined.push(n);
      owner.push(i);
    }
  });
  const marked = new Array(chars.length).fill(false);
  for (const w of [...queryWords(q), ...extra.map(normalize)]) {
    const wc = [...w];
    if (wc.length === 0) continue;
    for (let i = 0; i + wc.length <= joined.length; i++) {
      let hit = true;
      for (let k = 0; k < wc.length && hit; k++) hit = joined[i + k] === wc[k];
      if (hit) for (let k = 0; k < wc.length; k++) marked[owner[i + k]] = true;
    }
  }
  const group = keepGroups(chars, keep);
  const nodes = [];
  let run = "";
  let runMarked = false;
  let runGroup = -1;
  let box = null;
  let boxGroup = -1;
  const flush = () => {
    if (!run) return;
    const node = runMarked ? el("mark", {}, run) : document.createTextNode(run);
    if (runGroup === -1) {
      nodes.push(node);
    } else {
      if (boxGroup !== runGroup) {
        box = el("span", { class: "ohs-nobr" });
        nodes.push(box);
        boxGroup = runGroup;
      }
      box.append(node);
    }
    run = "";
  };
  chars.forEach((c, i) => {
    if (marked[i] !== runMarked || group[i] !== runGroup) {
      flush();
      runMarked = marked[i];
      runGroup = group[i];
    }
    run += c;
  });
  flush();
  return nodes;
}

function siteBaseOf(form) {
  let b = form.dataset.base;
  if (!b) {
    // search.js is served from <base>assets/js/ or <base>js/
    const here = new URL(import.meta.url);
    b = here.pathname.replace(/(assets\/)?js\/search\.js$/, "");
  }
  return b.endsWith("/") ? b : b + "/";
}

function joinUrl(siteBase, url) {
  if (/^[a-z]+:/i.test(url)) return url;
  return siteBase + url.replace(/^\//, "");
}

/** One result: title link, kind / municipality / field tags, a call button, the snippet. */
function resultItem(r, q, marks, siteBase) {
  const li = el("li", { class: r.fieldId ? `ohs-item f-${r.fieldId}` : "ohs-item" });
  li.append(el("a", { href: joinUrl(siteBase, r.url) }, r.title || r.url));
  const tags = el("div", { class: "ohs-tags" });
  tags.append(el("span", { class: "ohs-tag ohs-kind" }, KIND_LABELS[r.kind] || r.kind));
  if (r.municipality) tags.append(el("span", { class: "ohs-tag" }, r.municipality));
  if (r.field) {
    // A window's field keeps its colour (the theme's .f-<id> variables).
    tags.append(el("span", { class: r.fieldId ? "ohs-tag field-badge" : "ohs-tag" }, r.field));
  }
  li.append(tags);
  if (r.tel && r.telHref) {
    const call = el("a", { class: "tel ohs-tel", href: r.telHref, "aria-label": `${r.title}に電話 ${r.tel}` }, r.tel);
    const line = el("p", { class: "ohs-call" });
    line.append(call);
    li.append(line);
  }
  if (r.snippet) {
    const p = el("p", { class: "ohs-snippet" });
    p.append(...highlightNodes(r.snippet, q, [r.municipality], marks));
    li.append(p);
  }
  return li;
}

/**
 * What the words were searched as: 「胃瘻」は「胃ろう」で (the word itself
 * occurs nowhere), 「ショートステイ」は「短期入所」も含めて (it does).
 */
function variantNote(variants) {
  const parts = [];
  for (const v of variants) {
    const self = normalize(v.word);
    const others = v.variants.filter((x) => normalize(x) !== self);
    if (others.length === 0) continue;
    const list = `「${others.join("」「")}」`;
    const searchedSelf = others.length < v.variants.length;
    parts.push(`「${v.word}」は${list}${searchedSelf ? "も含めて" : "で"}`);
  }
  return parts.length ? `(${parts.join("、")}検索しました)` : "";
}

/** What to try when nothing was found: もしかして links and hints that are true. */
function noResultsHelp(q, ideas, filtered) {
  const items = [];
  if (ideas.length) {
    const li = el("p", { class: "ohs-suggest" });
    li.append("もしかして: ");
    ideas.forEach((idea, i) => {
      if (i) li.append("、");
      const u = new URL(location.href);
      u.searchParams.set("q", idea);
      li.append(el("a", { href: u.pathname + u.search }, idea));
    });
    items.push(li);
  }
  const hints = [];
  if (filtered) hints.push("地域・種類の絞り込みを「すべて」にしてお試しください。");
  if (rawWords(q).length > 1) hints.push("言葉を減らしてお試しください(すべての言葉を含むものだけを表示します)。");
  hints.push("別の言い方でもお試しください(例: ショートステイ → 短期入所、訪看 → 訪問看護)。");
  const ul = el("ul", { class: "ohs-hints" });
  for (const h of hints) ul.append(el("li", {}, h));
  items.push(ul);
  return items;
}

/**
 * Wires the /search/ page: `form` has inputs q, region and type, results go
 * into `resultsEl`. Reads ?q=&region=&type= on load, searches on submit and
 * on filter changes, and keeps the URL in sync.
 */
export function mountSearch(form, resultsEl, { base = null } = {}) {
  const siteBase = siteBaseOf(form);
  const indexBase = base || siteBase + "search/";
  if (!document.getElementById("ohs-style")) {
    const st = el("style", { id: "ohs-style" }, STYLE);
    document.head.appendChild(st);
  }
  // One persistent live region for the count; the list itself is not live.
  resultsEl.removeAttribute("aria-live");
  const status = el("p", { class: "ohs-status", role: "status", "aria-live": "polite" });
  const list = el("ol", { class: "ohs-list", "aria-label": "検索結果" });
  const more = el("button", { type: "button", class: "ohs-more", hidden: "" }, "さらに表示");
  // もしかして and hints when nothing was found (not results: outside the list).
  const help = el("div", { class: "ohs-help" });
  resultsEl.replaceChildren(status, help, list, more);

  const input = form.elements.namedItem("q");
  const regionSel = form.elements.namedItem("region");
  const typeSel = form.elements.namedItem("type");
  const params = new URLSearchParams(location.search);
  if (input && params.has("q")) input.value = params.get("q");
  if (regionSel && params.has("region")) regionSel.value = params.get("region");
  if (typeSel && params.has("type")) typeSel.value = params.get("type");

  let limit = PAGE_SIZE;
  let seq = 0;

  async function update(pushUrl) {
    const q = input ? input.value : "";
    const region = regionSel && regionSel.value ? regionSel.value : null;
    const kind = typeSel && typeSel.value ? typeSel.value : null;
    if (pushUrl) {
      const u = new URL(location.href);
      u.search = "";
      if (q) u.searchParams.set("q", q);
      if (region) u.searchParams.set("region", region);
      if (kind) u.searchParams.set("type", kind);
      history.replaceState(null, "", u);
    }
    const my = ++seq;
    help.replaceChildren();
    if (queryWords(q).length === 0) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = q ? "キーワードを入力してください。" : "";
      return;
    }
    resultsEl.setAttribute("aria-busy", "true");
    let res;
    try {
      res = await run(q, { limit, kind, region, base: indexBase });
    } catch (e) {
      if (my !== seq) return;
      resultsEl.removeAttribute("aria-busy");
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "検索インデックスを読み込めませんでした。時間をおいて再度お試しください。";
      console.error(e);
      return;
    }
    if (my !== seq) return;
    resultsEl.removeAttribute("aria-busy");
    const marks = res.variants.flatMap((v) => v.variants);
    list.replaceChildren(...res.results.map((r) => resultItem(r, q, marks, siteBase)));
    more.hidden = res.total <= res.results.length;
    const note = variantNote(res.variants);
    if (res.total > 0) {
      status.textContent = `${res.total}件見つかりました${note}`;
      return;
    }
    status.textContent = `「${q.trim()}」に一致する結果は見つかりませんでした。${note}`;
    const ideas = await suggest(q, { base: indexBase }).catch(() => []);
    if (my !== seq) return;
    help.replaceChildren(...noResultsHelp(q, ideas, Boolean(region || kind)));
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    limit = PAGE_SIZE;
    update(true);
  });
  for (const sel of [regionSel, typeSel]) {
    if (sel) {
      sel.addEventListener("change", () => {
        limit = PAGE_SIZE;
        update(true);
      });
    }
  }
  // Results as you type, once the typing pauses (debounced).
  let typing = null;
  if (input) {
    input.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        limit = PAGE_SIZE;
        update(true);
      }, 250);
    });
  }
  more.addEventListener("click", () => {
    limit += PAGE_SIZE;
    update(false);
  });
  if (input && input.value) update(false);
  return { update };
}
