//! PDFs of the contact directory (typst as a library).
//!
//! The printed 「問い合わせ窓口一覧」 is laid out by typst templates in
//! `<theme>/pdf/` (entry point [`MAIN_TEMPLATE`]), which read the data as JSON from the
//! virtual file `/data.json`. Fonts are loaded once from `<theme>/fonts/` (the vendored
//! BIZ UD Gothic); nothing is read from the system and nothing is downloaded.
//!
//! Output is deterministic: the document date is the edition date, `today` is not
//! available to templates, and the PDF identifier is derived from the file name.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{DiagSpan, DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

mod card;
pub use card::{
    CARD_TEMPLATE, Card, CardCentre, CardSet, CardWindow, MAX_CARD_CENTRES, MAX_CARD_WINDOWS,
    file_name as card_file_name, qr_svg,
};

/// The template typst starts from, inside `<theme>/pdf/`.
pub const MAIN_TEMPLATE: &str = "directory.typ";
/// Virtual path under which templates read the data (`json("/data.json")`).
pub const DATA_PATH: &str = "/data.json";
/// File name of the whole directory.
pub const ALL_FILE_NAME: &str = crate::routes::ALL_PDF_FILE_NAME;

/// Characters the printed directory may hold: the paragraphs of はじめに and
/// 使い方, and every window's name, detail, phone number, note and URL. Typst
/// keeps about 1 KB of layout per printed character until the PDF is written
/// (600,000 characters cost 850 MB), so this bounds a build's memory; the
/// real directory of a prefecture has about 30,000. See docs/DATA.md
/// 「入力の上限」.
pub const MAX_PRINTED_CHARS: usize = 300_000;

/// The whole printed directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Directory {
    /// "神奈川県内市町村の医療的ケア児に関する問い合わせ窓口一覧"
    pub title: String,
    /// "おひさま 小児在宅療養ナビ"
    pub site_title: String,
    pub site_url: String,
    /// "令和7年4月版" (computed by the caller)
    pub edition_label: String,
    /// "2025-04-01": also the PDF document date.
    pub edition_date: String,
    pub publisher: String,
    /// はじめに paragraphs
    pub intro: Vec<String>,
    /// 使い方・注意事項 paragraphs
    pub usage: Vec<String>,
    /// true → a visible "サンプルデータ(架空)" notice on the cover and in the footer
    pub sample: bool,
    /// The legend, in order.
    pub fields: Vec<Field>,
    pub regions: Vec<Region>,
}

/// `300,000`, for messages.
fn grouped(n: &usize) -> String {
    crate::load::limits::grouped(*n)
}

impl Directory {
    /// Characters printed from the data ([`MAX_PRINTED_CHARS`]), and the
    /// municipality with the most (its slug, name and count).
    pub fn printed_chars(&self) -> (usize, Option<(&str, &str, usize)>) {
        let chars = |s: &str| s.chars().count();
        let mut total: usize = self.intro.iter().chain(&self.usage).map(|p| chars(p)).sum();
        let mut largest: Option<(&str, &str, usize)> = None;
        for m in self.regions.iter().flat_map(|r| &r.municipalities) {
            let n: usize = m
                .windows
                .iter()
                .map(|w| {
                    chars(&w.name)
                        + [&w.detail, &w.tel, &w.note, &w.url]
                            .into_iter()
                            .flatten()
                            .map(|t| chars(t))
                            .sum::<usize>()
                })
                .sum::<usize>()
                + m.centres
                    .iter()
                    .map(|c| chars(&c.name) + chars(&c.tel))
                    .sum::<usize>();
            total += n;
            if largest.is_none_or(|(_, _, most)| n > most) {
                largest = Some((&m.slug, &m.name, n));
            }
        }
        (total, largest)
    }
}

/// A field (分野) a window is colour-coded by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub name: String,
    /// `#RRGGBB`
    pub color: String,
    pub text_color: String,
    pub tint: String,
    pub description: String,
}

/// A region the directory is split by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Region {
    pub id: String,
    pub name: String,
    pub medical_area: String,
    pub municipalities: Vec<Municipality>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Municipality {
    pub slug: String,
    pub name: String,
    pub kana: String,
    /// "令和7年4月1日"
    pub updated_label: String,
    pub windows: Vec<crate::kinds::contacts::WindowView>,
    /// The support centres its families may call (printed under the table,
    /// so a page torn out keeps the number).
    #[serde(default)]
    pub centres: Vec<crate::kinds::centres::CentreView>,
}

/// One rendered PDF.
#[derive(Debug, Clone)]
pub struct PdfFile {
    /// "contacts-all.pdf", "contacts-seirei.pdf"
    pub file_name: String,
    /// The region of a region's PDF; `None` for the whole directory and the cards.
    pub region_id: Option<String>,
    /// The municipality (slug) of a contact card; `None` for the directory.
    pub card_of: Option<String>,
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Typst warnings (e.g. a glyph missing from the fonts), `file:line: message`.
    pub warnings: Vec<String>,
}

/// A problem while making the PDFs.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("PDFテンプレートまたはフォントを読み込めません: {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("PDFテンプレート {0} がありません")]
    MissingTemplate(PathBuf),
    /// The page address does not fit in a QR code (about 2,900 characters).
    #[error(
        "連絡先カードの QR コードを作れません ({reason}): URL が長すぎます ({} 文字)。\
         site.yaml の base_url を短くしてください",
        .url.chars().count()
    )]
    Qr { url: String, reason: String },
    #[error("PDF用のフォントが {0} にありません (*.ttf / *.otf / *.ttc)")]
    NoFonts(PathBuf),
    #[error("PDFの版の日付 {0:?} が YYYY-MM-DD ではありません")]
    BadDate(String),
    #[error("PDFテンプレートに渡すデータを作れません: {0}")]
    Data(#[from] serde_json::Error),
    /// typst reported errors while compiling the template.
    #[error("{pdf} を作れません (typstテンプレートのエラー):\n{}", DiagList(.diagnostics))]
    Template {
        /// The PDF being made.
        pdf: String,
        diagnostics: Vec<TemplateDiagnostic>,
    },
    #[error("{pdf} をPDFに書き出せません:\n{}", DiagList(.diagnostics))]
    Export {
        pdf: String,
        diagnostics: Vec<TemplateDiagnostic>,
    },
    /// The directory is over [`MAX_PRINTED_CHARS`]; nothing was laid out.
    #[error(
        "窓口一覧 (PDF) に載る文字が多すぎます (合計 {} 文字、上限 {} 文字。\
         いちばん多いのは {largest}: {} 文字)。窓口の detail・note を短くするか、\
         長い説明はページ (content/) に書いてください",
        grouped(.total), grouped(&MAX_PRINTED_CHARS), grouped(.largest_chars)
    )]
    TooMuchText {
        total: usize,
        /// `横浜市 (data/contacts/yokohama.yaml)`
        largest: String,
        largest_chars: usize,
    },
}

/// One typst diagnostic, located in a template file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDiagnostic {
    /// The template file (real path), or the virtual data file; `None` if typst gave no place.
    pub file: Option<PathBuf>,
    /// 1-based.
    pub line: Option<usize>,
    /// 1-based, in characters.
    pub column: Option<usize>,
    /// A warning (the PDF was made) rather than an error.
    pub warning: bool,
    pub message: String,
    pub hints: Vec<String>,
    /// The source line, for showing under the message.
    pub source_line: Option<String>,
    /// The calls that led there, innermost first ("error occurred in this call of
    /// function `row` (path:line:column)").
    pub trace: Vec<String>,
}

impl fmt::Display for TemplateDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(l), Some(c)) => write!(f, "{}:{l}:{c}: ", file.display())?,
            (Some(file), Some(l), None) => write!(f, "{}:{l}: ", file.display())?,
            (Some(file), None, _) => write!(f, "{}: ", file.display())?,
            (None, ..) => {}
        }
        let kind = if self.warning { "warning" } else { "error" };
        write!(f, "{kind}: {}", self.message)?;
        if let (Some(src), Some(l)) = (&self.source_line, self.line) {
            write!(f, "\n  {l:>4} | {src}")?;
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        for call in &self.trace {
            write!(f, "\n  note: {call}")?;
        }
        Ok(())
    }
}

struct DiagList<'a>(&'a [TemplateDiagnostic]);

impl fmt::Display for DiagList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// A template file served to typst.
struct TemplateFile {
    real_path: PathBuf,
    bytes: Bytes,
    source: Option<Source>,
}

/// Loads fonts and templates once; renders any number of directories.
pub struct PdfRenderer {
    template_dir: PathBuf,
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    files: HashMap<FileId, TemplateFile>,
    main: FileId,
    /// The contact card's template ([`CARD_TEMPLATE`]).
    card_main: FileId,
    data_id: FileId,
    tagged: bool,
}

fn project_file(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PdfError + '_ {
    move |source| PdfError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Files under `dir`, recursively, sorted (for a deterministic font book).
fn files_under(dir: &Path) -> Result<Vec<PathBuf>, PdfError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io_err(&d))? {
            let entry = entry.map_err(io_err(&d))?;
            let path = entry.path();
            let ft = entry.file_type().map_err(io_err(&path))?;
            if ft.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

impl PdfRenderer {
    /// Loads the fonts of `<theme_dir>/fonts/` and the templates of `<theme_dir>/pdf/`.
    pub fn new(theme_dir: &Path) -> Result<Self, PdfError> {
        Self::with_dirs(&theme_dir.join("pdf"), &theme_dir.join("fonts"))
    }

    /// Like [`PdfRenderer::new`], with the template and font folders given separately.
    pub fn with_dirs(template_dir: &Path, font_dir: &Path) -> Result<Self, PdfError> {
        let mut fonts = Vec::new();
        for path in files_under(font_dir)? {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc" | "otc")) {
                continue;
            }
            let data = std::fs::read(&path).map_err(io_err(&path))?;
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        if fonts.is_empty() {
            return Err(PdfError::NoFonts(font_dir.to_path_buf()));
        }
        let book = FontBook::from_fonts(&fonts);

        let main = project_file(MAIN_TEMPLATE).expect("valid virtual path");
        let card_main = project_file(CARD_TEMPLATE).expect("valid virtual path");
        let data_id = project_file(DATA_PATH).expect("valid virtual path");
        let mut files = HashMap::new();
        for path in files_under(template_dir)? {
            let Ok(rel) = path.strip_prefix(template_dir) else {
                continue;
            };
            let Some(rel) = rel.to_str() else { continue };
            let Some(id) = project_file(&rel.replace('\\', "/")) else {
                continue;
            };
            let data = std::fs::read(&path).map_err(io_err(&path))?;
            let source = if path.extension().is_some_and(|e| e == "typ") {
                let text = String::from_utf8(data.clone()).map_err(|e| PdfError::Io {
                    path: path.clone(),
                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                })?;
                Some(Source::new(id, text))
            } else {
                None
            };
            files.insert(
                id,
                TemplateFile {
                    real_path: path,
                    bytes: Bytes::new(data),
                    source,
                },
            );
        }
        if !files.contains_key(&main) {
            return Err(PdfError::MissingTemplate(template_dir.join(MAIN_TEMPLATE)));
        }

        Ok(Self {
            template_dir: template_dir.to_path_buf(),
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(book),
            fonts,
            files,
            main,
            card_main,
            data_id,
            tagged: true,
        })
    }

    /// Whether PDFs are tagged (structure for screen readers and reflow; on by default).
    /// Untagged PDFs are about 2.5× smaller.
    pub fn tagged(mut self, on: bool) -> Self {
        self.tagged = on;
        self
    }

    /// The folder the templates were loaded from.
    pub fn template_dir(&self) -> &Path {
        &self.template_dir
    }

    /// Renders `contacts-all.pdf` and one `contacts-<region>.pdf` per region (in parallel),
    /// in that order.
    pub fn render(&self, dir: &Directory) -> Result<Vec<PdfFile>, PdfError> {
        let date = parse_date(&dir.edition_date)?;
        let (total, largest) = dir.printed_chars();
        if total > MAX_PRINTED_CHARS {
            let (slug, name, largest_chars) = largest.unwrap_or(("", "はじめに・使い方", 0));
            return Err(PdfError::TooMuchText {
                total,
                largest: format!("{name} (data/contacts/{slug}.yaml)"),
                largest_chars,
            });
        }
        let mut jobs: Vec<(String, Directory, Option<&Region>)> =
            vec![(ALL_FILE_NAME.to_string(), dir.clone(), None)];
        for region in &dir.regions {
            let mut one = dir.clone();
            one.regions = vec![region.clone()];
            let file_name = crate::routes::PdfPart::Region(&region.id).file_name();
            jobs.push((file_name, one, Some(region)));
        }
        let summary: Vec<RegionSummary> = dir
            .regions
            .iter()
            .map(|r| RegionSummary {
                id: &r.id,
                name: &r.name,
                medical_area: &r.medical_area,
                municipalities: r.municipalities.iter().map(|m| m.name.as_str()).collect(),
            })
            .collect();
        let results: Vec<Result<PdfFile, PdfError>> = jobs
            .par_iter()
            .map(|(file_name, part, region)| {
                let input = TemplateInput {
                    file_name,
                    part: match region {
                        None => PartInfo {
                            kind: "all",
                            region_id: None,
                            label: "全体版".to_string(),
                        },
                        Some(r) => PartInfo {
                            kind: "region",
                            region_id: Some(&r.id),
                            label: format!("{}版", r.name),
                        },
                    },
                    date: [date.0, date.1 as i32, date.2 as i32],
                    all_regions: &summary,
                    directory: part,
                };
                self.render_one(self.main, file_name, &input, date)
                    .map(|f| PdfFile {
                        region_id: region.map(|r| r.id.clone()),
                        ..f
                    })
            })
            .collect();
        // Keep the memoisation cache of typst from growing across rebuilds (serve).
        typst::comemo::evict(10);
        // The first error in file order, whichever thread finished first.
        results.into_iter().collect()
    }

    /// Whether the theme has the contact card's template ([`CARD_TEMPLATE`]).
    pub fn has_card_template(&self) -> bool {
        self.files.contains_key(&self.card_main)
    }

    /// Renders one contact card per municipality (in parallel), in the order of
    /// `set.cards`. The theme must have [`CARD_TEMPLATE`].
    pub fn render_cards(&self, set: &CardSet) -> Result<Vec<PdfFile>, PdfError> {
        if !self.has_card_template() {
            return Err(PdfError::MissingTemplate(
                self.template_dir.join(CARD_TEMPLATE),
            ));
        }
        let date = parse_date(&set.edition_date)?;
        let (total, largest) = set.printed_chars();
        if total > MAX_PRINTED_CHARS {
            let (slug, name, largest_chars) = largest.unwrap_or(("", "", 0));
            return Err(PdfError::TooMuchText {
                total,
                largest: format!("{name} (data/contacts/{slug}.yaml)"),
                largest_chars,
            });
        }
        let site = card::SiteInfo {
            site_title: &set.site_title,
            publisher: &set.publisher,
            edition_label: &set.edition_label,
            sample: set.sample,
        };
        let results: Vec<Result<PdfFile, PdfError>> = set
            .cards
            .par_iter()
            .map(|c| {
                let file_name = card_file_name(&c.slug);
                let input = card::CardInput {
                    file_name: &file_name,
                    date: [date.0, date.1 as i32, date.2 as i32],
                    site,
                    card: c,
                    qr_svg: card::page_qr(&c.page_url)?,
                };
                self.render_one(self.card_main, &file_name, &input, date)
                    .map(|f| PdfFile {
                        card_of: Some(c.slug.clone()),
                        ..f
                    })
            })
            .collect();
        typst::comemo::evict(10);
        results.into_iter().collect()
    }

    fn render_one(
        &self,
        main: FileId,
        file_name: &str,
        input: &impl Serialize,
        (y, m, d): (i32, u8, u8),
    ) -> Result<PdfFile, PdfError> {
        let json = serde_json::to_vec(input)?;
        let world = RenderWorld {
            renderer: self,
            main,
            data: Bytes::new(json),
        };
        let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| PdfError::Template {
            pdf: file_name.to_string(),
            diagnostics: self.diagnostics(&world, &errors),
        })?;
        let warnings = self
            .diagnostics(&world, &warnings)
            .into_iter()
            .map(|d| d.to_string())
            .collect();
        let datetime = Datetime::from_ymd(y, m, d)
            .ok_or_else(|| PdfError::BadDate(format!("{y:04}-{m:02}-{d:02}")))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!("ohisama/{file_name}")),
            creator: Smart::Custom(Some(format!(
                "ohisama {} (Typst)",
                env!("CARGO_PKG_VERSION")
            ))),
            timestamp: Some(Timestamp::new_utc(datetime)),
            tagged: self.tagged,
            ..PdfOptions::default()
        };
        let bytes = typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Export {
            pdf: file_name.to_string(),
            diagnostics: self.diagnostics(&world, &errors),
        })?;
        Ok(PdfFile {
            file_name: file_name.to_string(),
            region_id: None,
            card_of: None,
            pages: document.pages().len(),
            bytes,
            warnings,
        })
    }

    fn diagnostics(
        &self,
        world: &RenderWorld<'_>,
        diags: &[SourceDiagnostic],
    ) -> Vec<TemplateDiagnostic> {
        diags
            .iter()
            .map(|diag| {
                // When the diagnostic itself has no place, use the innermost traced call.
                let mut span = diag.span;
                if span.is_detached()
                    && let Some(t) = diag.trace.first()
                {
                    span = t.span.into();
                }
                let place = self.locate(world, span);
                TemplateDiagnostic {
                    file: place.file,
                    line: place.line,
                    column: place.column,
                    warning: diag.severity == Severity::Warning,
                    message: diag.message.to_string(),
                    hints: diag.hints.iter().map(|h| h.v.to_string()).collect(),
                    source_line: place.source_line,
                    trace: diag
                        .trace
                        .iter()
                        .map(|t| {
                            let p = self.locate(world, t.span.into());
                            let at = match (p.file, p.line, p.column) {
                                (Some(f), Some(l), Some(c)) => {
                                    format!("{}:{l}:{c}", f.display())
                                }
                                (Some(f), ..) => f.display().to_string(),
                                _ => String::from("?"),
                            };
                            format!("{} ({at})", t.v)
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// The template file, line and column of a typst span.
    fn locate(&self, world: &RenderWorld<'_>, span: DiagSpan) -> Place {
        let mut out = Place::default();
        let id = match span.get() {
            DiagSpanKind::Detached => return out,
            DiagSpanKind::Number { id, .. } | DiagSpanKind::Range { id, .. } => id,
        };
        out.file = Some(match self.files.get(&id) {
            Some(f) if id != self.data_id => f.real_path.clone(),
            _ => PathBuf::from(format!("<{}>", id.vpath().get_without_slash())),
        });
        if let (Ok(source), Some(range)) = (world.source(id), world.range(span)) {
            let lines = source.lines();
            if let Some((l, c)) = lines.byte_to_line_column(range.start) {
                out.line = Some(l + 1);
                out.column = Some(c + 1);
                out.source_line = lines
                    .line_to_range(l)
                    .map(|r| source.text()[r].trim_end().to_string());
            }
        }
        out
    }
}

#[derive(Default)]
struct Place {
    file: Option<PathBuf>,
    line: Option<usize>,
    column: Option<usize>,
    source_line: Option<String>,
}

/// Renders the whole directory and one PDF per region. `theme_dir` is e.g. `themes/default`
/// (templates in `pdf/`, fonts in `fonts/`).
pub fn render_directory(dir: &Directory, theme_dir: &Path) -> Result<Vec<PdfFile>, PdfError> {
    PdfRenderer::new(theme_dir)?.render(dir)
}

fn parse_date(s: &str) -> Result<(i32, u8, u8), PdfError> {
    let bad = || PdfError::BadDate(s.to_string());
    let mut it = s.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (it.next(), it.next(), it.next()) else {
        return Err(bad());
    };
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let d: u8 = d.parse().map_err(|_| bad())?;
    Datetime::from_ymd(y, m, d).ok_or_else(bad)?;
    Ok((y, m, d))
}

/// What the template gets as `/data.json`.
#[derive(Serialize)]
struct TemplateInput<'a> {
    file_name: &'a str,
    part: PartInfo<'a>,
    /// The edition date as `[year, month, day]` (the document date).
    date: [i32; 3],
    /// Every region with its municipality names (the "split versions" table).
    all_regions: &'a [RegionSummary<'a>],
    /// The directory, restricted to the part's region for a region PDF.
    directory: &'a Directory,
}

#[derive(Serialize)]
struct PartInfo<'a> {
    /// "all" | "region"
    kind: &'static str,
    region_id: Option<&'a str>,
    /// "全体版" | "湘南東部版"
    label: String,
}

#[derive(Serialize)]
struct RegionSummary<'a> {
    id: &'a str,
    name: &'a str,
    medical_area: &'a str,
    municipalities: Vec<&'a str>,
}

/// The typst world of one render: the renderer's templates and fonts plus this PDF's data.
struct RenderWorld<'a> {
    renderer: &'a PdfRenderer,
    /// The template typst starts from (the directory's or the card's).
    main: FileId,
    data: Bytes,
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.renderer.files.get(&id) {
            Some(TemplateFile {
                source: Some(s), ..
            }) if id != self.renderer.data_id => Ok(s.clone()),
            Some(_) => Err(FileError::NotSource),
            None if id == self.renderer.data_id => Err(FileError::NotSource),
            None => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.renderer.data_id {
            return Ok(self.data.clone());
        }
        match self.renderer.files.get(&id) {
            Some(f) => Ok(f.bytes.clone()),
            None => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // No "today": a build is a pure function of its input.
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(PathBuf::from(id.vpath().get_with_slash()))
}
