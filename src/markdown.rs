//! Markdown → HTML with pulldown-cmark: headings get stable, unique ids, every
//! link and image goes through the URL rule ([`crate::url_rule`]), site paths
//! get the base path, raw HTML is escaped unless the site opts in. Also returns the page split into sections
//! (one per heading) as plain text, for the search index.

use crate::url_rule::{self, Place, RejectedUrl, SafeUrl};
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A part of a page under one heading (the text before the first heading has no id).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: Option<String>,
    pub heading: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
    /// Site-absolute link targets (decoded paths without the base path, query
    /// or fragment), with the source line, for link checks.
    pub internal_links: Vec<(String, u32)>,
    /// Links and images the URL rule refused (each an error of `check`).
    pub rejected_urls: Vec<RejectedUrl>,
    /// ふりがな written wrongly (`{漢字|` never closed, an empty part): (line,
    /// message), each a warning of `check`; the text stays as written.
    pub ruby_problems: Vec<(u32, String)>,
    /// Whether the page has ruby (`{漢字|かんじ}`): it gets the ふりがな button.
    pub has_ruby: bool,
}

pub struct MarkdownOptions<'a> {
    /// `/` or `/sub/`: prefixed to site-absolute links.
    pub base_path: &'a str,
    pub allow_raw_html: bool,
    /// Words running text keeps on one line (the municipalities' names).
    pub keep_whole: &'a KeepWhole,
    /// The glossary's words: the first use of each on a page links to its entry.
    pub glossary: &'a GlossaryLinks,
}

/// The words of the glossary (terms and aliases) and the anchor of the entry
/// each belongs to. In running text, the first use of an entry on a page
/// becomes a link to `/glossary/#term-<id>` (not in headings, links, images,
/// code or phone numbers): a plain link, so it works with keyboard, screen
/// reader, touch and offline, and adds no pop-up.
#[derive(Debug, Clone, Default)]
pub struct GlossaryLinks {
    automaton: Option<aho_corasick::AhoCorasick>,
    /// The entry (index into `anchors`) of each word, in automaton order.
    entry_of: Vec<usize>,
    anchors: Vec<String>,
    /// (term, reading) of each entry that has one ([`Self::with_readings`]):
    /// the first use of the term gets its reading as ruby.
    readings: Vec<Option<(String, String)>>,
}

impl GlossaryLinks {
    /// `entries`: (anchor, words) per entry. The longest word wins where two overlap.
    pub fn new<'w>(entries: impl IntoIterator<Item = (String, Vec<&'w str>)>) -> GlossaryLinks {
        let mut words = Vec::new();
        let mut entry_of = Vec::new();
        let mut anchors = Vec::new();
        for (i, (anchor, ws)) in entries.into_iter().enumerate() {
            // Only a slug goes into an href (a bad id is an error of the glossary's check).
            let safe = anchor
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            anchors.push(anchor);
            if !safe {
                continue;
            }
            for w in ws
                .into_iter()
                .map(str::trim)
                .filter(|w| w.chars().count() >= 2)
            {
                words.push(w.to_string());
                entry_of.push(i);
            }
        }
        let automaton = (!words.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&words)
                    .ok()
            })
            .flatten();
        GlossaryLinks {
            automaton,
            entry_of,
            anchors,
            readings: Vec::new(),
        }
    }

    /// The (term, reading) of each entry, in the order of [`Self::new`]: where
    /// the first use of an entry is its term (not an alias: the reading is the
    /// term's) and the term has kanji, the link shows the reading as ruby,
    /// which the ふりがな button hides and shows like written ruby.
    pub fn with_readings(mut self, readings: impl IntoIterator<Item = (String, String)>) -> Self {
        self.readings = readings.into_iter().map(Some).collect();
        self
    }

    /// The ruby of `word` (a match of `entry`): kana before, kanji base,
    /// its reading, kana after (胃ろう → "", 胃, い, ろう).
    fn ruby_of<'w>(
        &self,
        entry: usize,
        word: &'w str,
    ) -> Option<(&'w str, &'w str, String, &'w str)> {
        let (term, reading) = self.readings.get(entry)?.as_ref()?;
        if term.trim() != word {
            return None;
        }
        let reading: String = reading.chars().filter(|c| !c.is_whitespace()).collect();
        split_ruby(word, &reading)
    }

    /// (start, end, entry) of the words in `text`; an ASCII word only where
    /// no ASCII letter or digit touches it (AED, not the "aed" of "paediatric").
    fn find(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let Some(a) = &self.automaton else {
            return Vec::new();
        };
        let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        a.find_iter(text)
            .filter(|m| {
                let word = &text[m.start()..m.end()];
                let (first, last) = (word.chars().next(), word.chars().last());
                !(alnum(first) && alnum(text[..m.start()].chars().last())
                    || alnum(last) && alnum(text[m.end()..].chars().next()))
            })
            .map(|m| (m.start(), m.end(), self.entry_of[m.pattern().as_usize()]))
            .collect()
    }
}

/// Words a line must not break inside: Japanese may break between any two
/// characters, and "小/田原市" or "綾瀬/市" at a line end is misread. Each
/// occurrence in running text gets a `<span class="nobr">`, as phone numbers
/// do. Only short words belong here (a place name): a span that cannot break
/// must fit on the narrowest screen.
#[derive(Debug, Clone, Default)]
pub struct KeepWhole(Option<aho_corasick::AhoCorasick>);

impl KeepWhole {
    /// The longest word wins where two overlap (南足柄市 over 足柄); blank words are left out.
    pub fn new<I, W>(words: I) -> KeepWhole
    where
        I: IntoIterator<Item = W>,
        W: AsRef<str>,
    {
        let words: Vec<String> = words
            .into_iter()
            .map(|w| w.as_ref().trim().to_string())
            .filter(|w| w.chars().count() >= 2)
            .collect();
        if words.is_empty() {
            return KeepWhole(None);
        }
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&words)
            .ok();
        KeepWhole(automaton)
    }

    /// Byte ranges of the words in `text`, in order, not overlapping.
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        self.0.as_ref().map_or_else(Vec::new, |a| {
            a.find_iter(text).map(|m| (m.start(), m.end())).collect()
        })
    }
}

/// Heading ids: ASCII text becomes a slug; Japanese headings get `h-N` (stable
/// across builds, readable in a URL, and unaffected by encoding). An id already
/// used on the page gets `-N`, then `-N+1` … until it is unique (headings
/// `y-3`, `y`, `y` give `y-3`, `y`, `y-4`).
fn heading_id(text: &str, n: usize, used: &mut HashSet<String>) -> String {
    let slug: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let ascii_enough = !slug.is_empty() && text.is_ascii();
    let base = if ascii_enough { slug } else { format!("h-{n}") };
    let mut id = base.clone();
    let mut k = n;
    while used.contains(&id) {
        id = format!("{base}-{k}");
        k += 1;
    }
    used.insert(id.clone());
    id
}

/// `href` / `src` of a link or image that passed the rule; a refused one is
/// recorded (the check reports it, so no build writes it) and made inert.
fn decide(
    raw: &str,
    place: Place,
    line: u32,
    opts: &MarkdownOptions,
    internal_links: &mut Vec<(String, u32)>,
    rejected: &mut Vec<RejectedUrl>,
) -> String {
    match url_rule::check(raw, place) {
        Ok(safe) => {
            if let SafeUrl::Site { path, .. } = &safe {
                internal_links.push((path.clone(), line));
            }
            safe.href(opts.base_path)
        }
        Err(problem) => {
            rejected.push(RejectedUrl {
                raw: raw.to_string(),
                line,
                place,
                problem,
            });
            match place {
                Place::MarkdownImage => String::new(),
                _ => "#".to_string(),
            }
        }
    }
}

pub fn render(markdown: &str, first_line: u32, opts: &MarkdownOptions) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut state = State::new(markdown, first_line, opts);
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        state.on_event(event, range.start);
    }
    state.finish()
}

/// What [`render`] gathers while it walks the events of one page.
struct State<'a, 'o> {
    markdown: &'a str,
    first_line: u32,
    opts: &'o MarkdownOptions<'o>,
    /// The events for the HTML writer, rewritten where needed.
    events: Vec<Event<'a>>,
    headings: Vec<Heading>,
    /// The page's sections so far; the last one receives the text read.
    sections: Vec<Section>,
    internal_links: Vec<(String, u32)>,
    rejected_urls: Vec<RejectedUrl>,
    used_ids: HashSet<String>,
    /// The heading being read: its level, the index of its placeholder in
    /// `events` (its id is known only at the end tag) and its text so far.
    in_heading: Option<(HeadingLevel, usize, String)>,
    /// Inside a link, an image (its alt text) or a code block: no glossary link there.
    no_terms: usize,
    /// Glossary entries already linked on this page (only the first use is).
    linked_terms: HashSet<usize>,
    /// Text events not yet written, with their source offsets: pulldown-cmark
    /// splits text at `|`, `\` …, and `{漢字|かんじ}` is read over the whole run.
    pending: Vec<(CowStr<'a>, usize)>,
    in_code_block: bool,
    ruby_problems: Vec<(u32, String)>,
    has_ruby: bool,
}

impl<'a, 'o> State<'a, 'o> {
    fn new(markdown: &'a str, first_line: u32, opts: &'o MarkdownOptions<'o>) -> Self {
        State {
            markdown,
            first_line,
            opts,
            events: Vec::new(),
            headings: Vec::new(),
            sections: vec![Section {
                id: None,
                heading: None,
                text: String::new(),
            }],
            internal_links: Vec::new(),
            rejected_urls: Vec::new(),
            used_ids: HashSet::new(),
            in_heading: None,
            no_terms: 0,
            linked_terms: HashSet::new(),
            pending: Vec::new(),
            in_code_block: false,
            ruby_problems: Vec::new(),
            has_ruby: false,
        }
    }

    /// The source line of a byte offset of the markdown (counted only for
    /// links and images, which the checks report by line).
    fn line_of(&self, offset: usize) -> u32 {
        self.first_line + self.markdown[..offset].matches('\n').count() as u32
    }

    fn on_event(&mut self, event: Event<'a>, offset: usize) {
        if let Event::Text(t) = &event
            && !self.in_code_block
        {
            self.pending.push((t.clone(), offset));
            return;
        }
        self.flush_text();
        match &event {
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            _ => {}
        }
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => {
                self.no_terms += 1
            }
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                self.no_terms = self.no_terms.saturating_sub(1)
            }
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => self.on_heading_start(level),
            Event::End(TagEnd::Heading(level)) => self.on_heading_end(level),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let href = self.link_href(link_type, &dest_url, self.line_of(offset));
                self.push_outside_heading(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(href),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let src = self.checked_url(&dest_url, Place::MarkdownImage, self.line_of(offset));
                self.push_outside_heading(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(src),
                    title,
                    id,
                }));
            }
            Event::Html(h) | Event::InlineHtml(h) if !self.opts.allow_raw_html => {
                self.events.push(Event::Text(h));
            }
            Event::Text(ref t) if self.in_heading.is_none() => {
                self.on_text(t);
                self.push_text_keeping_numbers_whole(t);
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                self.on_text(t);
                self.events.push(event);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item) => {
                self.on_line_end();
                self.events.push(event);
            }
            other => self.push_outside_heading(other),
        }
    }

    fn on_heading_start(&mut self, level: HeadingLevel) {
        self.in_heading = Some((level, self.events.len(), String::new()));
        self.events.push(Event::Text(CowStr::Borrowed(""))); // placeholder, replaced at the end tag
    }

    /// Gives the heading its id (in the placeholder start tag) and opens its
    /// section.
    fn on_heading_end(&mut self, level: HeadingLevel) {
        let Some((lvl, at, text)) = self.in_heading.take() else {
            return;
        };
        let id = heading_id(&text, self.headings.len() + 1, &mut self.used_ids);
        let n = heading_level_number(lvl);
        self.events[at] = Event::Html(CowStr::from(format!("<h{n} id=\"{id}\">")));
        self.events.push(Event::Html(CowStr::from(format!(
            "</h{}>\n",
            heading_level_number(level)
        ))));
        self.headings.push(Heading {
            level: n,
            id: id.clone(),
            text: text.clone(),
        });
        self.sections.push(Section {
            id: Some(id),
            heading: Some(text),
            text: String::new(),
        });
    }

    /// The checked `href` of a link.
    fn link_href(&mut self, link_type: LinkType, dest_url: &str, line: u32) -> String {
        if link_type == LinkType::Email {
            // `<info@example.jp>`: the HTML writer adds `mailto:` itself.
            let checked =
                self.checked_url(&format!("mailto:{dest_url}"), Place::MarkdownLink, line);
            checked
                .strip_prefix("mailto:")
                .unwrap_or(&checked)
                .to_string()
        } else {
            self.checked_url(dest_url, Place::MarkdownLink, line)
        }
    }

    fn checked_url(&mut self, raw: &str, place: Place, line: u32) -> String {
        decide(
            raw,
            place,
            line,
            self.opts,
            &mut self.internal_links,
            &mut self.rejected_urls,
        )
    }

    /// Inside headings only text is kept (a link there would lose its end
    /// tag, emphasis is dropped); a link's URL is still checked before.
    fn push_outside_heading(&mut self, event: Event<'a>) {
        if self.in_heading.is_none() {
            self.events.push(event);
        }
    }

    /// Text and inline code both go to the heading being read, or else to
    /// the current section's plain text (for the search index).
    fn on_text(&mut self, text: &str) {
        if let Some((_, _, ht)) = self.in_heading.as_mut() {
            ht.push_str(text);
        } else if let Some(s) = self.sections.last_mut() {
            s.text.push_str(text);
        }
    }

    /// Running text, with every phone number (`0467-00-1883`) and every
    /// word of [`KeepWhole`] (a place name) in a `<span class="nobr">`:
    /// Japanese may break a line between any two characters, and a number
    /// split over two lines is misread or mistyped.
    fn push_text_keeping_numbers_whole(&mut self, text: &CowStr<'a>) {
        let numbers = unbroken_ranges(phone_numbers(text), self.opts.keep_whole.find(text));
        let terms = self.first_uses(text, &numbers);
        if numbers.is_empty() && terms.is_empty() {
            self.events.push(Event::Text(text.clone()));
            return;
        }
        let mut pieces: Vec<(usize, usize, Option<usize>)> = numbers
            .into_iter()
            .map(|(s, e)| (s, e, None))
            .chain(terms.into_iter().map(|(s, e, t)| (s, e, Some(t))))
            .collect();
        pieces.sort_unstable_by_key(|p| p.0);
        let mut at = 0;
        for (start, end, term) in pieces {
            if start > at {
                self.events
                    .push(Event::Text(CowStr::from(text[at..start].to_string())));
            }
            let open = match term {
                None => CowStr::Borrowed("<span class=\"nobr\">"),
                Some(t) => CowStr::from(format!(
                    "<a class=\"term\" href=\"{}glossary/#{}\">",
                    self.opts.base_path, self.opts.glossary.anchors[t]
                )),
            };
            self.events.push(Event::InlineHtml(open));
            let word = &text[start..end];
            match term.and_then(|t| self.opts.glossary.ruby_of(t, word)) {
                Some((before, base, reading, after)) => {
                    self.push_generated_ruby(before, base, &reading, after)
                }
                None => self
                    .events
                    .push(Event::Text(CowStr::from(word.to_string()))),
            }
            let close = if term.is_some() { "</a>" } else { "</span>" };
            self.events.push(Event::InlineHtml(CowStr::Borrowed(close)));
            at = end;
        }
        if at < text.len() {
            self.events
                .push(Event::Text(CowStr::from(text[at..].to_string())));
        }
    }

    /// Writes the pending run of text: ruby (`{漢字|かんじ}`, `{漢字｜かんじ}`)
    /// becomes `<ruby>`; the rest is running text. A brace escaped in the
    /// source (`\{`) is a brace.
    fn flush_text(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let chunks = std::mem::take(&mut self.pending);
        if let [(t, _)] = chunks.as_slice()
            && !t.contains('{')
        {
            self.text_event(t.clone());
            return;
        }
        let mut text = String::new();
        let mut literal = Vec::new();
        let mut starts = Vec::new();
        for (t, offset) in &chunks {
            let src = &self.markdown[*offset..];
            let escaped = src.starts_with("\\{")
                || (src.starts_with('{') && self.markdown[..*offset].ends_with('\\'));
            if escaped {
                literal.push(text.len());
            }
            starts.push((text.len(), *offset));
            text.push_str(t);
        }
        let (pieces, problems) = ruby_pieces(&text, &literal);
        for (at, message) in problems {
            let offset = starts
                .iter()
                .rev()
                .find(|(start, _)| *start <= at)
                .map_or(0, |(_, o)| *o);
            self.ruby_problems.push((self.line_of(offset), message));
        }
        for piece in pieces {
            match piece {
                Piece::Text(t) => self.text_event(CowStr::from(t.to_string())),
                Piece::Ruby(base, reading) => self.push_ruby(base, reading),
            }
        }
    }

    /// Text outside code: to the heading being read, or running text.
    fn text_event(&mut self, t: CowStr<'a>) {
        self.on_text(&t);
        if self.in_heading.is_none() {
            self.push_text_keeping_numbers_whole(&t);
        } else {
            self.events.push(Event::Text(t));
        }
    }

    /// `<ruby>漢字<rp>(</rp><rt>かんじ</rt><rp>)</rp></ruby>`; the base alone
    /// goes to the heading text, heading id and search text.
    fn push_ruby(&mut self, base: &str, reading: &str) {
        self.has_ruby = true;
        self.on_text(base);
        for e in [
            Event::InlineHtml(CowStr::Borrowed("<ruby>")),
            Event::Text(CowStr::from(base.to_string())),
            Event::InlineHtml(CowStr::Borrowed("<rp>(</rp><rt>")),
            Event::Text(CowStr::from(reading.to_string())),
            Event::InlineHtml(CowStr::Borrowed("</rt><rp>)</rp></ruby>")),
        ] {
            self.events.push(e);
        }
    }

    /// A glossary term's reading as ruby (the text was already given to the
    /// search and heading text by the caller, so only the events are added).
    fn push_generated_ruby(&mut self, before: &str, base: &str, reading: &str, after: &str) {
        self.has_ruby = true;
        let text = |t: &str| Event::Text(CowStr::from(t.to_string()));
        if !before.is_empty() {
            self.events.push(text(before));
        }
        self.events.extend([
            Event::InlineHtml(CowStr::Borrowed("<ruby>")),
            text(base),
            Event::InlineHtml(CowStr::Borrowed("<rp>(</rp><rt>")),
            text(reading),
            Event::InlineHtml(CowStr::Borrowed("</rt><rp>)</rp></ruby>")),
        ]);
        if !after.is_empty() {
            self.events.push(text(after));
        }
    }

    /// The glossary words of `text` whose entry is not linked yet on this
    /// page (each entry once), outside links, images, code and `unbroken` ranges.
    fn first_uses(
        &mut self,
        text: &str,
        unbroken: &[(usize, usize)],
    ) -> Vec<(usize, usize, usize)> {
        if self.no_terms > 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (start, end, entry) in self.opts.glossary.find(text) {
            let overlaps = unbroken.iter().any(|&(s, e)| start < e && s < end);
            if !overlaps && self.linked_terms.insert(entry) {
                out.push((start, end, entry));
            }
        }
        out
    }

    fn on_line_end(&mut self) {
        if self.in_heading.is_none()
            && let Some(s) = self.sections.last_mut()
        {
            s.text.push('\n');
        }
    }

    fn finish(mut self) -> Rendered {
        self.flush_text();
        let mut sections = self.sections;
        // Drop the empty leading section when the page starts with a heading.
        sections.retain(|s| s.heading.is_some() || !s.text.trim().is_empty());
        for s in &mut sections {
            s.text = s.text.trim().to_string();
        }
        let mut out = String::with_capacity(self.markdown.len() * 3 / 2);
        html::push_html(&mut out, self.events.into_iter());
        Rendered {
            html: out,
            headings: self.headings,
            sections,
            internal_links: self.internal_links,
            rejected_urls: self.rejected_urls,
            ruby_problems: self.ruby_problems,
            has_ruby: self.has_ruby,
        }
    }
}

/// A part of a run of text: plain, or ruby (base, reading).
#[derive(Debug, PartialEq)]
enum Piece<'t> {
    Text(&'t str),
    Ruby(&'t str, &'t str),
}

/// The longest base a ruby may have, in characters (a longer one is a slip:
/// a `{` and a `|` far apart in ordinary text).
const RUBY_BASE_MAX: usize = 20;

/// Splits text into plain parts and `{base|reading}` (`|` or full-width `｜`,
/// which a table cell needs). `literal`: byte positions of escaped braces.
/// A `{` followed by a bar but no `}`, or with an empty part, stays text and
/// is reported (byte position, message); a `{` without a bar is just a brace.
fn ruby_pieces<'t>(text: &'t str, literal: &[usize]) -> (Vec<Piece<'t>>, Vec<(usize, String)>) {
    let (mut pieces, mut problems) = (Vec::new(), Vec::new());
    let (mut at, mut i) = (0, 0);
    while let Some(rel) = text[i..].find('{') {
        let open = i + rel;
        i = open + 1;
        if literal.contains(&open) {
            continue;
        }
        let rest = &text[open + 1..];
        let bar = rest.find(['|', '｜']);
        let end = rest.find(['}', '{']);
        let Some(b) = bar.filter(|b| end.is_none_or(|e| *b < e)) else {
            continue; // a brace, not ruby
        };
        let Some(e) = end.filter(|e| rest[*e..].starts_with('}')) else {
            problems.push((
                open,
                "ふりがな {漢字|かんじ} が } で閉じていません。文字のまま表示します".to_string(),
            ));
            continue;
        };
        let bar_len = rest[b..].chars().next().map_or(1, char::len_utf8);
        let (base, reading) = (&rest[..b], &rest[b + bar_len..e]);
        if base.trim().is_empty() || reading.trim().is_empty() {
            problems.push((
                open,
                format!("ふりがな {{{base}|{reading}}} の漢字かよみが空です。文字のまま表示します"),
            ));
            continue;
        }
        if base.chars().count() > RUBY_BASE_MAX {
            problems.push((
                open,
                format!(
                    "ふりがなをふる文字が長すぎます ({RUBY_BASE_MAX}文字まで)。文字のまま表示します"
                ),
            ));
            continue;
        }
        if !reading.chars().all(is_kana) {
            problems.push((
                open,
                format!("ふりがな `{reading}` にかな以外の文字があります"),
            ));
        }
        if open > at {
            pieces.push(Piece::Text(&text[at..open]));
        }
        pieces.push(Piece::Ruby(base, reading));
        at = open + 1 + e + 1;
        i = at;
    }
    if at < text.len() {
        pieces.push(Piece::Text(&text[at..]));
    }
    (pieces, problems)
}

/// Ruby for a word with kanji from its whole reading: the kana the word
/// starts and ends with (compared as hiragana) stay outside the ruby
/// (胃ろう/いろう → 胃 + い, ろう; 医療的ケア/いりょうてきけあ → 医療的 +
/// いりょうてき, ケア). `None` without kanji (NPPV, レスパイト: no ruby) or
/// when nothing is left of the reading.
fn split_ruby<'w>(word: &'w str, reading: &str) -> Option<(&'w str, &'w str, String, &'w str)> {
    if !word.chars().any(is_kanji) {
        return None;
    }
    let hira = |c: char| match c {
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    };
    let w: Vec<(usize, char)> = word.char_indices().collect();
    let r: Vec<char> = reading.chars().collect();
    let same = |wc: char, rc: char| !is_kanji(wc) && hira(wc) == rc;
    let mut head = 0;
    while head < w.len() && head < r.len() && same(w[head].1, r[head]) {
        head += 1;
    }
    let mut tail = 0;
    while tail < w.len() - head
        && tail < r.len() - head
        && same(w[w.len() - 1 - tail].1, r[r.len() - 1 - tail])
    {
        tail += 1;
    }
    let base_start = w.get(head).map_or(word.len(), |x| x.0);
    let base_end = w.get(w.len() - tail).map_or(word.len(), |x| x.0);
    let core: String = r[head..r.len() - tail].iter().collect();
    let base = &word[base_start..base_end];
    (!base.is_empty() && !core.is_empty())
        .then(|| (&word[..base_start], base, core, &word[base_end..]))
}

/// CJK ideographs and 々: the characters ふりがな is for.
fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々' | '\u{F900}'..='\u{FAFF}')
}

/// Hiragana, katakana, ー and spaces: what a reading holds.
fn is_kana(c: char) -> bool {
    matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー' | '・' | ' ' | '　')
}

fn heading_level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Byte ranges of the phone numbers in `text`: groups of ASCII digits, 2–5,
/// 1–4 and 3–4 long, joined by hyphens, with no digit or hyphen around them
/// (the shape `tel::check` accepts for a number written in the data).
/// Phone numbers and words merged in text order; a word inside or across a
/// number is left out (the number is already whole).
fn unbroken_ranges(
    numbers: Vec<(usize, usize)>,
    words: Vec<(usize, usize)>,
) -> Vec<(usize, usize)> {
    if words.is_empty() {
        return numbers;
    }
    let mut all: Vec<(usize, usize)> = numbers.iter().chain(&words).copied().collect();
    all.sort_unstable_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(all.len());
    for r in all {
        if out.last().is_none_or(|last| r.0 >= last.1) {
            out.push(r);
        }
    }
    out
}

fn phone_numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let digits_from = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts_here =
            b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'-'));
        if !starts_here {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut ok = true;
        for (n, (min, max)) in [(2, 5), (1, 4), (3, 4)].into_iter().enumerate() {
            if n > 0 {
                if b.get(end) != Some(&b'-') {
                    ok = false;
                    break;
                }
                end += 1;
            }
            let len = if end < b.len() { digits_from(end) } else { 0 };
            if len < min || len > max {
                ok = false;
                break;
            }
            end += len;
        }
        if ok && !b.get(end).is_some_and(|c| c.is_ascii_digit() || *c == b'-') {
            out.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn phone_numbers_in_running_text_are_kept_whole() {
        let html = render(
            "夜間は 045-000-1234 (代表) へ、FAX は 0467-00-2583。2025-04-01 や 1-2-3 は番号ではありません。",
            1,
            &MarkdownOptions {
                base_path: "/",
                allow_raw_html: false,
                keep_whole: &KeepWhole::default(),
                glossary: &GlossaryLinks::default(),
            },
        )
        .html;
        assert!(
            html.contains(r#"<span class="nobr">045-000-1234</span>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<span class="nobr">0467-00-2583</span>"#),
            "{html}"
        );
        assert!(!html.contains("nobr\">2025"), "{html}");
        assert!(!html.contains("nobr\">1-2-3"), "{html}");
    }
    #[test]
    fn place_names_in_running_text_are_kept_whole() {
        let places = KeepWhole::new(["小田原市", "綾瀬市", "足柄", "南足柄市", " "]);
        let html = render(
            "小田原市と南足柄市、綾瀬市 (0467-00-2583) へ。[綾瀬市の窓口](/contacts/ayase/)\n\n## 小田原市\n",
            1,
            &MarkdownOptions {
                base_path: "/",
                allow_raw_html: false,
                keep_whole: &places,
                glossary: &GlossaryLinks::default(),
            },
        )
        .html;
        for whole in ["小田原市", "南足柄市", "綾瀬市", "0467-00-2583"] {
            assert!(
                html.contains(&format!(r#"<span class="nobr">{whole}</span>"#)),
                "{html}"
            );
        }
        assert!(
            !html.contains(r#"<span class="nobr">足柄</span>"#),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<a href="/contacts/ayase/"><span class="nobr">綾瀬市</span>の窓口</a>"#
            ),
            "{html}"
        );
        // Headings are left to the theme (word-break: auto-phrase).
        assert!(html.contains(">小田原市</h2>"), "{html}");
        assert_eq!(
            unbroken_ranges(vec![(0, 12)], vec![(5, 9), (12, 15)]),
            vec![(0, 12), (12, 15)]
        );
    }

    use super::*;

    fn r(md: &str) -> Rendered {
        render(
            md,
            1,
            &MarkdownOptions {
                base_path: "/sub/",
                allow_raw_html: false,
                keep_whole: &KeepWhole::default(),
                glossary: &GlossaryLinks::default(),
            },
        )
    }

    #[test]
    fn headings_get_ids_and_sections() {
        let out = r("前文\n\n## 救急車を呼ぶ\n\n本文です。\n\n## Step 2\n\nもう一つ\n");
        assert!(
            out.html.contains("<h2 id=\"h-1\">救急車を呼ぶ</h2>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<h2 id=\"step-2\">Step 2</h2>"));
        assert_eq!(out.sections.len(), 3);
        assert_eq!(out.sections[1].heading.as_deref(), Some("救急車を呼ぶ"));
        assert_eq!(out.sections[1].text, "本文です。");
    }

    #[test]
    fn links_are_made_safe_and_based() {
        let out = r("[a](/contacts/) [b](javascript:alert(1)) [c](tel:119) [d](https://x.jp/)\n");
        assert!(out.html.contains("href=\"/sub/contacts/\""));
        assert!(!out.html.contains("javascript"));
        assert!(out.html.contains("href=\"tel:119\""));
        assert_eq!(out.internal_links, vec![("/contacts/".to_string(), 1)]);
        assert_eq!(out.rejected_urls.len(), 1);
    }

    #[test]
    fn heading_ids_are_unique_on_a_page() {
        let out = r("## y-3\n\n## y\n\n## y\n\n## 見出し\n\n## h 4\n");
        let ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["y-3", "y", "y-4", "h-4", "h-4-5"]);
    }

    #[test]
    fn images_follow_the_url_rule() {
        let out = r("![a](/assets/a.png) ![b](//host/x.png) ![c](javascript:alert(1))\n");
        assert!(
            out.html.contains("src=\"/sub/assets/a.png\""),
            "{}",
            out.html
        );
        assert!(!out.html.contains("host"), "{}", out.html);
        assert!(!out.html.contains("javascript"), "{}", out.html);
        let refused: Vec<&str> = out.rejected_urls.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(refused, ["//host/x.png", "javascript:alert(1)"]);
    }

    #[test]
    fn links_in_headings_are_checked_and_dropped() {
        let out = r("## [見出し](javascript:alert(1))\n\n<info@example.jp>\n");
        assert!(
            out.html.contains("<h2 id=\"h-1\">見出し</h2>"),
            "{}",
            out.html
        );
        assert_eq!(out.rejected_urls.len(), 1);
        assert!(
            out.html.contains("href=\"mailto:info@example.jp\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn raw_html_is_escaped_by_default() {
        let out = r("<script>alert(1)</script>\n\ntext <b>x</b>\n");
        assert!(!out.html.contains("<script>"));
        assert!(out.html.contains("&lt;script&gt;"));
    }

    fn plain(md: &str) -> Rendered {
        render(
            md,
            1,
            &MarkdownOptions {
                base_path: "/",
                allow_raw_html: false,
                keep_whole: &KeepWhole::default(),
                glossary: &GlossaryLinks::default(),
            },
        )
    }

    #[test]
    fn glossary_readings_split_off_the_kana_around_the_kanji() {
        let split =
            |w: &str, r: &str| split_ruby(w, r).map(|(a, b, c, d)| format!("{a}[{b}|{c}]{d}"));
        assert_eq!(
            split("受給者証", "じゅきゅうしゃしょう").as_deref(),
            Some("[受給者証|じゅきゅうしゃしょう]")
        );
        assert_eq!(split("胃ろう", "いろう").as_deref(), Some("[胃|い]ろう"));
        assert_eq!(
            split("医療的ケア", "いりょうてきけあ").as_deref(),
            Some("[医療的|いりょうてき]ケア")
        );
        assert_eq!(
            split("お薬手帳", "おくすりてちょう").as_deref(),
            Some("お[薬手帳|くすりてちょう]")
        );
        // No kanji, no ruby; a reading that is only the kana around: none.
        assert_eq!(split("NPPV", "えぬぴーぴーぶい"), None);
        assert_eq!(split("レスパイト", "れすぱいと"), None);
        assert_eq!(split("胃ろう", "ろう"), None);
    }

    #[test]
    fn the_first_use_of_a_glossary_term_gets_its_reading_as_ruby() {
        let glossary = GlossaryLinks::new([
            ("term-a".to_string(), vec!["受給者証", "受給証"]),
            ("term-b".to_string(), vec!["NPPV"]),
            ("term-c".to_string(), vec!["胃ろう"]),
        ])
        .with_readings([
            ("受給者証".to_string(), "じゅきゅう しゃしょう".to_string()),
            ("NPPV".to_string(), "えぬぴーぴーぶい".to_string()),
            ("胃ろう".to_string(), "いろう".to_string()),
        ]);
        let opts = MarkdownOptions {
            base_path: "/",
            allow_raw_html: false,
            keep_whole: &KeepWhole::default(),
            glossary: &glossary,
        };
        let r = render(
            "## 受給者証\n\n受給者証とNPPVと胃ろう。受給者証はもう一度。\n",
            1,
            &opts,
        );
        assert!(
            r.has_ruby,
            "generated ruby counts as ruby (the ふりがな button)"
        );
        assert!(r.html.contains("<a class=\"term\" href=\"/glossary/#term-a\"><ruby>受給者証<rp>(</rp><rt>じゅきゅうしゃしょう</rt><rp>)</rp></ruby></a>と<a"), "{}", r.html);
        assert!(
            r.html
                .contains("<a class=\"term\" href=\"/glossary/#term-b\">NPPV</a>")
        );
        assert!(r.html.contains("<a class=\"term\" href=\"/glossary/#term-c\"><ruby>胃<rp>(</rp><rt>い</rt><rp>)</rp></ruby>ろう</a>"));
        assert_eq!(
            r.html.matches("<ruby>").count(),
            2,
            "first use only, not in the heading"
        );
        assert!(
            r.sections
                .iter()
                .any(|s| s.text.contains("受給者証とNPPVと胃ろう")),
            "search reads the word"
        );
        // An alias has no reading of its own: a link without ruby.
        let alias = render("受給証を出します。\n", 1, &opts);
        assert!(
            !alias.has_ruby && alias.html.contains("#term-a\">受給証</a>"),
            "{}",
            alias.html
        );
        // Without readings (another site's glossary): links only.
        let bare = GlossaryLinks::new([("term-a".to_string(), vec!["受給者証"])]);
        let none = render(
            "受給者証\n",
            1,
            &MarkdownOptions {
                glossary: &bare,
                ..opts
            },
        );
        assert!(!none.has_ruby);
    }

    #[test]
    fn ruby_syntax_becomes_ruby_with_fallback_parentheses() {
        let r = plain(
            "{救急|きゅうきゅう}車を呼びます。表では {胃|い}{瘻|ろう}、全角 {喀痰｜かくたん} も。",
        );
        assert!(r.has_ruby);
        assert!(
            r.html.contains(
                "<ruby>救急<rp>(</rp><rt>きゅうきゅう</rt><rp>)</rp></ruby>車を呼びます。"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("<ruby>胃<rp>(</rp><rt>い</rt><rp>)</rp></ruby><ruby>瘻<rp>(</rp><rt>ろう</rt><rp>)</rp></ruby>"));
        assert!(
            r.html
                .contains("<ruby>喀痰<rp>(</rp><rt>かくたん</rt><rp>)</rp></ruby>")
        );
        assert!(r.ruby_problems.is_empty());
        // The search text and headings read the base only.
        assert!(
            r.sections[0].text.starts_with("救急車を呼びます。"),
            "{}",
            r.sections[0].text
        );
        let h = plain("## {救急|きゅうきゅう}のとき\n");
        assert_eq!(h.headings[0].text, "救急のとき");
        assert!(h.html.contains("<h2 id=\"h-1\"><ruby>救急"), "{}", h.html);
    }

    #[test]
    fn ruby_is_escaped_and_left_alone_in_code_and_after_a_backslash() {
        let r = plain(
            "{R&D|\"あ\"} と `{漢字|かんじ}` と \\{漢字|かんじ} と {ただの括弧}\n\n```\n{漢字|かんじ}\n```\n",
        );
        assert!(
            r.html.contains("<ruby>R&amp;D<rp>(</rp><rt>\"あ\"</rt>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<code>{漢字|かんじ}</code>"), "{}", r.html);
        assert!(
            r.html.contains("と {漢字|かんじ} と {ただの括弧}"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<pre><code>{漢字|かんじ}\n</code></pre>"),
            "{}",
            r.html
        );
        // `"あ"` is not all kana: rendered, and said.
        assert_eq!(r.ruby_problems.len(), 1, "{:?}", r.ruby_problems);
        assert!(!plain("`{a|b}`").has_ruby);
    }

    #[test]
    fn bad_ruby_stays_text_with_a_warning_at_its_line() {
        let r = plain("一行目\n\n{漢字|かんじ のまま\n\n{|よみ} と {漢字|}\n");
        assert!(!r.has_ruby);
        assert!(r.html.contains("{漢字|かんじ のまま"), "{}", r.html);
        assert!(r.html.contains("{|よみ} と {漢字|}"), "{}", r.html);
        let lines: Vec<u32> = r.ruby_problems.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 5, 5], "{:?}", r.ruby_problems);
        assert!(r.ruby_problems[0].1.contains("閉じていません"));
        assert!(r.ruby_problems[1].1.contains("空です"));
    }
}
