//! Markdown → HTML with pulldown-cmark: headings get stable ids, links are
//! limited to safe schemes, site-absolute links get the base path, raw HTML is
//! escaped unless the site opts in. Also returns the page split into sections
//! (one per heading) as plain text, for the search index.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

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
    /// Site-absolute link targets (without the base path), with the source line, for link checks.
    pub internal_links: Vec<(String, u32)>,
    /// Links dropped because of their scheme, with the source line.
    pub unsafe_links: Vec<(String, u32)>,
}

pub struct MarkdownOptions<'a> {
    /// `/` or `/sub/`: prefixed to site-absolute links.
    pub base_path: &'a str,
    pub allow_raw_html: bool,
}

fn is_safe_scheme(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "tel:", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let before = &url[..i];
            !before.is_empty()
                && before
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !url.starts_with('/')
        }
        None => false,
    }
}

/// Heading ids: ASCII text becomes a slug; Japanese headings get `h-N` (stable
/// across builds, readable in a URL, and unaffected by encoding).
fn heading_id(text: &str, n: usize, used: &mut Vec<String>) -> String {
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
    let mut id = if ascii_enough { slug } else { format!("h-{n}") };
    if used.contains(&id) {
        id = format!("{id}-{n}");
    }
    used.push(id.clone());
    id
}

pub fn render(markdown: &str, first_line: u32, opts: &MarkdownOptions) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let line_of = |offset: usize| first_line + markdown[..offset].matches('\n').count() as u32;
    let mut events: Vec<Event> = Vec::new();
    let mut headings = Vec::new();
    let mut sections = vec![Section {
        id: None,
        heading: None,
        text: String::new(),
    }];
    let mut internal_links = Vec::new();
    let mut unsafe_links = Vec::new();
    let mut used_ids = Vec::new();
    let mut in_heading: Option<(HeadingLevel, usize, String)> = None;

    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = Some((level, events.len(), String::new()));
                events.push(Event::Text(CowStr::Borrowed(""))); // placeholder, replaced at the end tag
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((lvl, at, text)) = in_heading.take() {
                    let id = heading_id(&text, headings.len() + 1, &mut used_ids);
                    let n = heading_level_number(lvl);
                    events[at] = Event::Html(CowStr::from(format!("<h{n} id=\"{id}\">")));
                    events.push(Event::Html(CowStr::from(format!(
                        "</h{}>\n",
                        heading_level_number(level)
                    ))));
                    headings.push(Heading {
                        level: n,
                        id: id.clone(),
                        text: text.clone(),
                    });
                    sections.push(Section {
                        id: Some(id),
                        heading: Some(text),
                        text: String::new(),
                    });
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let url = dest_url.to_string();
                let line = line_of(range.start);
                let new_url = if url.starts_with('/') && !url.starts_with("//") {
                    let (path, _frag) = url.split_once('#').unwrap_or((&url, ""));
                    internal_links.push((path.to_string(), line));
                    format!("{}{}", opts.base_path.trim_end_matches('/'), url)
                } else if url.starts_with('#')
                    || (!has_scheme(&url) && !url.starts_with("//"))
                    || is_safe_scheme(&url)
                {
                    url
                } else {
                    unsafe_links.push((url, line));
                    "#".to_string()
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(new_url),
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
                let url = dest_url.to_string();
                let new_url = if url.starts_with('/') && !url.starts_with("//") {
                    format!("{}{}", opts.base_path.trim_end_matches('/'), url)
                } else if is_safe_scheme(&url) || !has_scheme(&url) {
                    url
                } else {
                    unsafe_links.push((url, line_of(range.start)));
                    String::new()
                };
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(new_url),
                    title,
                    id,
                }));
            }
            Event::Html(h) | Event::InlineHtml(h) if !opts.allow_raw_html => {
                events.push(Event::Text(h));
            }
            // Text and inline code both go to the heading being read, or else
            // to the current section's plain text (for the search index).
            Event::Text(ref t) | Event::Code(ref t) => {
                if let Some((_, _, ht)) = in_heading.as_mut() {
                    ht.push_str(t);
                } else if let Some(s) = sections.last_mut() {
                    s.text.push_str(t);
                }
                events.push(event);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item) => {
                if in_heading.is_none()
                    && let Some(s) = sections.last_mut()
                {
                    s.text.push('\n');
                }
                events.push(event);
            }
            other => {
                if in_heading.is_none() {
                    events.push(other);
                }
            }
        }
    }
    // Inside headings only text is kept (emphasis etc. are dropped above); drop the
    // empty leading section when the page starts with a heading.
    sections.retain(|s| s.heading.is_some() || !s.text.trim().is_empty());
    for s in &mut sections {
        s.text = s.text.trim().to_string();
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered {
        html: out,
        headings,
        sections,
        internal_links,
        unsafe_links,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn r(md: &str) -> Rendered {
        render(
            md,
            1,
            &MarkdownOptions {
                base_path: "/sub/",
                allow_raw_html: false,
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
        assert_eq!(out.unsafe_links.len(), 1);
    }

    #[test]
    fn raw_html_is_escaped_by_default() {
        let out = r("<script>alert(1)</script>\n\ntext <b>x</b>\n");
        assert!(!out.html.contains("<script>"));
        assert!(out.html.contains("&lt;script&gt;"));
    }
}
