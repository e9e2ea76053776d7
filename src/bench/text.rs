//! The markdown pages: the home page, one index per section, and the content
//! pages spread over the sections, with Japanese home-care text made from the
//! templates of `words`.

use super::out::yq;
use super::places::Muni;
use super::rng::{Rng, recent_date};
use super::words::{
    CARE, FAMILY, HEADINGS, ITEMS, LIST_ITEMS, PEOPLE, PLACES, SECTIONS, SENTENCES, SERVICES,
    SUPPORTS, THINGS, TIMES, TOPICS,
};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A section of `SECTIONS`: (folder, title, description, weight in the mix).
type Section = (&'static str, &'static str, &'static str, usize);

struct TextGen<'a> {
    rng: Rng,
    munis: &'a [Muni],
    /// The municipality this text is mostly about.
    muni: usize,
    topic: usize,
}

impl TextGen<'_> {
    /// `template` with each `{slot}` replaced by a word of its kind.
    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed slot");
            let slot = &rest[open + 1..close];
            out.push_str(self.word(slot));
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A word for `slot`; `{muni}` is this text's municipality 70% of the time.
    fn word<'s>(&mut self, slot: &'s str) -> &'s str
    where
        Self: 's,
    {
        match slot {
            "care" => self.rng.pick::<&str>(CARE),
            "service" => self.rng.pick::<&str>(SERVICES),
            "support" => self.rng.pick::<&str>(SUPPORTS),
            "person" | "person2" => self.rng.pick::<&str>(PEOPLE),
            "place" => self.rng.pick::<&str>(PLACES),
            "thing" | "thing2" => self.rng.pick::<&str>(THINGS),
            "item" => self.rng.pick::<&str>(ITEMS),
            "time" => self.rng.pick::<&str>(TIMES),
            "family" => self.rng.pick::<&str>(FAMILY),
            "topic" => TOPICS[self.topic].0,
            "muni" => {
                let munis = self.munis;
                let m = if self.rng.chance(70) {
                    self.muni
                } else {
                    self.rng.below(munis.len())
                };
                &munis[m].name
            }
            other => other,
        }
    }

    fn sentence(&mut self) -> String {
        let t = *self.rng.pick(SENTENCES);
        self.fill(t)
    }

    fn paragraph(&mut self, sentences: usize) -> String {
        let mut p = String::new();
        for _ in 0..sentences {
            p.push_str(&self.sentence());
        }
        p
    }

    /// A markdown body of about `target` bytes: an intro, then `##` sections
    /// with paragraphs, lists and links to pages that always exist.
    fn body(&mut self, target: usize) -> String {
        let mut b = String::with_capacity(target + 512);
        b.push_str(&self.paragraph(2));
        b.push_str("\n\n");
        let mut headings_used = BTreeSet::new();
        while b.len() < target {
            let h = self.heading(&mut headings_used);
            let _ = writeln!(b, "## {h}\n");
            let n = self.rng.range(2, 4);
            b.push_str(&self.paragraph(n));
            b.push_str("\n\n");
            self.aside(&mut b);
        }
        b
    }

    /// A heading not used yet on the page (numbered if the template repeats one).
    fn heading(&mut self, used: &mut BTreeSet<String>) -> String {
        let t = *self.rng.pick(HEADINGS);
        let mut h = self.fill(t);
        if !used.insert(h.clone()) {
            h = format!("{h}({})", used.len());
            used.insert(h.clone());
        }
        h
    }

    /// After a paragraph: a list, a link to the municipality's contacts, a
    /// 「ポイント」, or nothing (one chance in four each).
    fn aside(&mut self, b: &mut String) {
        match self.rng.below(4) {
            0 => {
                for _ in 0..self.rng.range(2, 4) {
                    let t = *self.rng.pick(LIST_ITEMS);
                    let item = self.fill(t);
                    let _ = writeln!(b, "- {item}");
                }
                b.push('\n');
            }
            1 => {
                let m = &self.munis[self.muni];
                let _ = writeln!(
                    b,
                    "詳しくは[{}の相談窓口](/contacts/{}/)をご覧ください。対応している施設は[施設検索](/facilities/)で探せます。\n",
                    m.name, m.slug
                );
            }
            2 => {
                let s = self.sentence();
                let _ = writeln!(b, "**ポイント:** {s}\n");
            }
            _ => {}
        }
    }
}

pub(super) struct PageDoc {
    /// Path under content/ without `.md` (`services/homon-kango-00012`), or
    /// `index` / `<section>/index` for index pages.
    pub(super) rel: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) weight: Option<i64>,
    pub(super) date: Option<String>,
    pub(super) updated: Option<String>,
    pub(super) body: String,
}

/// `n` pages: the home page, the section indexes (as many sections as fit),
/// then content pages.
pub(super) fn pages(n: usize, munis: &[Muni], seed: u64) -> Vec<PageDoc> {
    let sections = &SECTIONS[..SECTIONS.len().min(n.saturating_sub(1))];
    let mut out = Vec::with_capacity(n);
    out.push(home_page(sections, seed));
    for section in sections {
        let index = out.len();
        out.push(section_index(section, index, munis, seed));
    }
    if sections.is_empty() {
        return out;
    }
    let mut counts = vec![0usize; sections.len()];
    for i in 0..n.saturating_sub(1 + sections.len()) {
        let s = section_of(i, sections);
        counts[s] += 1;
        out.push(content_page(i, sections[s].0, counts[s], munis, seed));
    }
    out
}

/// The section of content page `i`: a deterministic round robin by weight.
fn section_of(i: usize, sections: &[Section]) -> usize {
    let total_weight: usize = sections.iter().map(|s| s.3).sum();
    let mut w = (i * 7919) % total_weight;
    let mut s = 0;
    while w >= sections[s].3 {
        w -= sections[s].3;
        s += 1;
    }
    s
}

/// The home page: links to the sections, the contacts and the facility search.
fn home_page(sections: &[Section], seed: u64) -> PageDoc {
    let mut home_rng = Rng::derive(seed, "home", 0);
    let mut home_body = String::from(
        "医療的ケアが必要なお子さんとご家族が、地域で安心して暮らすための情報をまとめています。\n\n",
    );
    for (folder, title, desc, _) in sections {
        let _ = writeln!(home_body, "- [{title}](/{folder}/): {desc}");
    }
    home_body.push_str("\n- [各市町村の相談窓口を探す](/contacts/)\n- [施設検索](/facilities/)\n");
    PageDoc {
        rel: "index".into(),
        title: "ホーム".into(),
        description: "おひさま 小児在宅療養ナビ(ベンチマーク用の生成サイト)".into(),
        weight: None,
        date: None,
        updated: Some(recent_date(&mut home_rng)),
        body: home_body,
    }
}

/// The index page of a section (page number `index` of the site).
fn section_index(section: &Section, index: usize, munis: &[Muni], seed: u64) -> PageDoc {
    let (folder, title, desc, _) = *section;
    let mut rng = Rng::derive(seed, "section", index as u64);
    // The text draws from a copy of the stream as it is before muni and topic are drawn.
    let mut tg = TextGen {
        rng: rng.clone(),
        munis,
        muni: rng.below(munis.len()),
        topic: rng.below(TOPICS.len()),
    };
    PageDoc {
        rel: format!("{folder}/index"),
        title: title.to_string(),
        description: desc.to_string(),
        weight: None,
        date: None,
        updated: Some(recent_date(&mut rng)),
        body: tg.paragraph(3) + "\n",
    }
}

/// Content page `i`, the `count`-th of section `folder`.
fn content_page(i: usize, folder: &str, count: usize, munis: &[Muni], seed: u64) -> PageDoc {
    let mut rng = Rng::derive(seed, "page", i as u64);
    let topic = rng.below(TOPICS.len());
    let muni = rng.below(munis.len());
    let mut tg = TextGen {
        rng: Rng::derive(seed, "page-text", i as u64),
        munis,
        muni,
        topic,
    };
    let (title, date, weight) =
        title_of(folder, TOPICS[topic].0, &munis[muni].name, count, &mut rng);
    let description = tg.sentence();
    let target = rng.range(1200, 1800);
    let body = tg.body(target);
    PageDoc {
        rel: format!("{folder}/{}-{i:05}", TOPICS[topic].1),
        title,
        description,
        weight,
        date,
        updated: Some(recent_date(&mut rng)),
        body,
    }
}

/// (title, date, weight) of a content page: news are dated, the other
/// sections ordered by weight.
fn title_of(
    folder: &str,
    topic: &str,
    muni: &str,
    count: usize,
    rng: &mut Rng,
) -> (String, Option<String>, Option<i64>) {
    let (t, m) = (topic, muni);
    match folder {
        "news" => {
            let date = recent_date(rng);
            (format!("{t}に関するお知らせ({m})"), Some(date), None)
        }
        "faq" => (
            format!("{t}についての質問 その{count}"),
            None,
            Some(count as i64),
        ),
        "messages" => {
            let who = *rng.pick(PEOPLE);
            (format!("{who}から: {t}のこと"), None, Some(count as i64))
        }
        "emergency" => (format!("{t}と緊急時の対応({m})"), None, Some(count as i64)),
        _ => (format!("{m}で{t}を利用するには"), None, Some(count as i64)),
    }
}

/// The YAML front matter of a page (also used for the Hugo twin).
pub(super) fn front_matter(p: &PageDoc) -> String {
    let mut f = String::from("---\n");
    let _ = writeln!(f, "title: {}", yq(&p.title));
    let _ = writeln!(f, "description: {}", yq(&p.description));
    if let Some(w) = p.weight {
        let _ = writeln!(f, "weight: {w}");
    }
    if let Some(d) = &p.date {
        let _ = writeln!(f, "date: {d}");
    }
    if let Some(u) = &p.updated {
        let _ = writeln!(f, "updated: {u}");
    }
    f.push_str("---\n");
    f
}
