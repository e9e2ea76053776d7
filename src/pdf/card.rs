//! One-page contact cards (`/pdf/card-<slug>.pdf`, issue #16): a municipality's
//! windows by field in large type, the region's support centre, the emergency
//! numbers, blank lines for the family's own doctor and visiting nurse, and a
//! QR code to the municipality's page. Laid out by `<theme>/pdf/card.typ` from
//! `/data.json` ([`CardInput`]); the fitting onto one A4 page (type shrunk by
//! steps, then only the key windows) is the template's job.

use serde::{Deserialize, Serialize};

use super::{Field, PdfError};
use crate::kinds::contacts::WindowView;

/// The card template, inside `<theme>/pdf/`.
pub const CARD_TEMPLATE: &str = "card.typ";

/// At most this many windows reach the template, the key ones first
/// ([`Card::new`]). The template measures the windows at several type sizes to
/// fit the page; 40 is four times the most any municipality of the sample has
/// (横浜市: 9) and keeps that measuring cheap whatever a file holds (500 windows
/// of 2,000 characters would cost typst gigabytes).
pub const MAX_CARD_WINDOWS: usize = 40;

/// At most this many support centres on a card: unlike the windows, the
/// centre box is not fitted, and a municipality has one to three (its city's,
/// its region's, the prefecture's).
pub const MAX_CARD_CENTRES: usize = 3;

/// What every card shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CardSet {
    /// "おひさま 小児在宅療養ナビ"
    pub site_title: String,
    pub publisher: String,
    /// "令和7年4月版"
    pub edition_label: String,
    /// "2025-04-01": also the PDF document date.
    pub edition_date: String,
    /// true → the card says the data is a sample (site.yaml `sample:`, the banner of the pages).
    pub sample: bool,
    /// The fields in fields.yaml order (the order of the windows on a card).
    pub fields: Vec<Field>,
    pub cards: Vec<Card>,
}

/// One municipality's card.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Card {
    pub slug: String,
    pub name: String,
    pub kana: String,
    pub region_name: String,
    /// "令和7年4月1日" (the contacts file's `updated`), or empty.
    pub updated_label: String,
    /// The municipality page's absolute URL: the QR code and the printed link.
    pub page_url: String,
    /// In card order (the general window, then by field in fields.yaml order,
    /// file order within a field), at most [`MAX_CARD_WINDOWS`].
    pub windows: Vec<CardWindow>,
    /// Windows of the municipality the card leaves out before any fitting
    /// (beyond [`MAX_CARD_WINDOWS`]).
    pub omitted: usize,
    /// 地域の支援センター, the most local first (centres.yaml), at most [`MAX_CARD_CENTRES`].
    pub centres: Vec<CardCentre>,
    /// Centres serving the municipality beyond [`MAX_CARD_CENTRES`] (the card says how many).
    #[serde(default)]
    pub centres_omitted: usize,
}

/// A window on a card, with its rank: the template keeps the windows of rank
/// below k when not all fit (rank 0 the general window, then the first window
/// of each field, then the others in file order).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CardWindow {
    pub rank: usize,
    #[serde(flatten)]
    pub window: WindowView,
}

/// A support centre on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCentre {
    pub name: String,
    pub detail: Option<String>,
    pub tel: Option<String>,
    /// 直通 | 代表
    pub tel_kind_label: Option<String>,
    pub note: Option<String>,
}

impl CardSet {
    /// Characters printed from the data (bounded like the directory's by
    /// [`super::MAX_PRINTED_CHARS`]), and the card with the most (slug, name, count).
    pub fn printed_chars(&self) -> (usize, Option<(&str, &str, usize)>) {
        let chars = |s: &str| s.chars().count();
        let some = |t: &Option<String>| t.as_deref().map_or(0, chars);
        let mut total = 0;
        let mut largest: Option<(&str, &str, usize)> = None;
        for c in &self.cards {
            let windows: usize = c
                .windows
                .iter()
                .map(|w| &w.window)
                .map(|w| chars(&w.name) + some(&w.detail) + some(&w.tel) + some(&w.note))
                .sum();
            let centres: usize = c
                .centres
                .iter()
                .map(|k| chars(&k.name) + some(&k.detail) + some(&k.tel) + some(&k.note))
                .sum();
            let n = windows + centres;
            total += n;
            if largest.is_none_or(|(_, _, most)| n > most) {
                largest = Some((&c.slug, &c.name, n));
            }
        }
        (total, largest)
    }
}

impl Card {
    /// The card's windows from a municipality's windows (file order):
    /// ranked, put in card order and cut to [`MAX_CARD_WINDOWS`] by rank.
    pub fn windows_of(windows: &[WindowView], fields: &[Field]) -> (Vec<CardWindow>, usize) {
        let field_pos = |id: &str| {
            fields
                .iter()
                .position(|f| f.id == id)
                .unwrap_or(fields.len())
        };
        // Rank: the general window, then the first of each field (in field order), then the rest.
        let mut by_rank: Vec<usize> = (0..windows.len()).collect();
        let first_of_field = |i: usize| {
            !windows[..i]
                .iter()
                .any(|w| w.field_id == windows[i].field_id)
        };
        by_rank.sort_by_key(|&i| {
            let w = &windows[i];
            match (w.general, first_of_field(i)) {
                (true, _) => (0, 0, i),
                (false, true) => (1, field_pos(&w.field_id), i),
                (false, false) => (2, 0, i),
            }
        });
        let omitted = windows.len().saturating_sub(MAX_CARD_WINDOWS);
        by_rank.truncate(MAX_CARD_WINDOWS);
        let mut kept: Vec<(usize, usize)> = by_rank
            .iter()
            .enumerate()
            .map(|(rank, &i)| (rank, i))
            .collect();
        // Card order: the general window first, then by field, file order within a field.
        kept.sort_by_key(|&(_, i)| {
            let w = &windows[i];
            (!w.general, field_pos(&w.field_id), i)
        });
        let out = kept
            .into_iter()
            .map(|(rank, i)| CardWindow {
                rank,
                window: windows[i].clone(),
            })
            .collect();
        (out, omitted)
    }
}

/// The QR code of a URL as an SVG image (black modules on white, with the
/// standard quiet zone), error correction M (readable with 15 % damaged: a
/// card on a fridge gets stained), L when the URL is too long for M.
pub fn qr_svg(url: &str) -> Result<String, PdfError> {
    use qrcode::{EcLevel, QrCode};
    let code = QrCode::with_error_correction_level(url, EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(url, EcLevel::L))
        .map_err(|e| PdfError::Qr {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .build())
}

/// What the card template gets as `/data.json`.
#[derive(Serialize)]
pub(super) struct CardInput<'a> {
    pub file_name: &'a str,
    /// The edition date as `[year, month, day]` (the document date).
    pub date: [i32; 3],
    pub site: SiteInfo<'a>,
    pub card: &'a Card,
    /// The QR code of `card.page_url` ([`qr_svg`]); none when the site's
    /// `base_url` is only a path (a QR code of `/contacts/x/` leads nowhere).
    pub qr_svg: Option<String>,
}

#[derive(Serialize, Clone, Copy)]
pub(super) struct SiteInfo<'a> {
    pub site_title: &'a str,
    pub publisher: &'a str,
    pub edition_label: &'a str,
    pub sample: bool,
}

/// The QR code of a card's page, when its URL is absolute ([`qr_svg`]).
pub(super) fn page_qr(page_url: &str) -> Result<Option<String>, PdfError> {
    let absolute = ["https://", "http://"]
        .iter()
        .any(|scheme| page_url.starts_with(scheme));
    absolute.then(|| qr_svg(page_url)).transpose()
}

/// `card-chigasaki.pdf`.
pub fn file_name(slug: &str) -> String {
    crate::routes::PdfPart::Card(slug).file_name()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(name: &str, field: &str, general: bool) -> WindowView {
        WindowView {
            anchor: String::new(),
            name: name.into(),
            field_id: field.into(),
            field_name: field.into(),
            field_color: String::new(),
            field_text_color: String::new(),
            field_tint: String::new(),
            field_border: String::new(),
            general,
            detail: None,
            tel: None,
            tel_href: None,
            tel_kind_label: None,
            tel_aria: None,
            note: None,
            url: None,
            url_href: None,
            hours: None,
            holidays: None,
            address: None,
            fax: None,
            channels_label: None,
        }
    }

    fn field(id: &str) -> Field {
        Field {
            id: id.into(),
            name: id.into(),
            color: "#000000".into(),
            text_color: "#FFFFFF".into(),
            tint: "#FFFFFF".into(),
            description: String::new(),
        }
    }

    #[test]
    fn general_first_then_by_field_and_key_windows_ranked_first() {
        let fields = [field("a"), field("b"), field("c")];
        let ws = [
            window("g", "c", true),
            window("b1", "b", false),
            window("a1", "a", false),
            window("b2", "b", false),
            window("a2", "a", false),
        ];
        let (out, omitted) = Card::windows_of(&ws, &fields);
        assert_eq!(omitted, 0);
        let order: Vec<(&str, usize)> = out
            .iter()
            .map(|w| (w.window.name.as_str(), w.rank))
            .collect();
        // g is rank 0; a1, b1 the first of their fields (1, 2); b2, a2 in file order (3, 4).
        assert_eq!(
            order,
            [("g", 0), ("a1", 1), ("a2", 4), ("b1", 2), ("b2", 3)]
        );
    }

    #[test]
    fn at_most_max_card_windows_keeping_the_key_ones() {
        let fields = [field("a"), field("b")];
        let mut ws: Vec<WindowView> = (0..100)
            .map(|i| window(&format!("a{i}"), "a", false))
            .collect();
        ws.push(window("b-last", "b", false));
        let (out, omitted) = Card::windows_of(&ws, &fields);
        assert_eq!(out.len(), MAX_CARD_WINDOWS);
        assert_eq!(omitted, 101 - MAX_CARD_WINDOWS);
        assert!(out.iter().any(|w| w.window.name == "b-last" && w.rank == 1));
    }

    #[test]
    fn no_qr_code_for_a_site_path() {
        assert!(page_qr("/ohisama/contacts/x/").unwrap().is_none());
        assert!(page_qr("https://example.jp/contacts/x/").unwrap().is_some());
    }

    #[test]
    fn qr_of_a_long_url_falls_back_then_refuses() {
        assert!(qr_svg("https://example.jp/contacts/chigasaki/").is_ok());
        let long = format!("https://example.jp/{}", "a".repeat(2_500));
        assert!(qr_svg(&long).is_ok(), "fits at level L");
        let too_long = format!("https://example.jp/{}", "a".repeat(4_000));
        assert!(matches!(qr_svg(&too_long), Err(PdfError::Qr { .. })));
    }
}
