//! `ohisama generate`: a deterministic synthetic site for benchmarks.
//!
//! Writes a valid ohisama site (`data/`, `content/`, `themes/` copied from a
//! source site) of any size: N markdown pages of realistic Japanese home-care
//! text (~1.5 KB each), N facilities, N municipalities with their contact
//! windows. With `hugo`, the same documents (pages, one page per municipality
//! and per facility) are also written as a Hugo content tree with a minimal
//! layout, so that Hugo (and Pagefind over Hugo's output) handle the same
//! amount of text.
//!
//! Everything comes from a seeded PRNG (SplitMix64): the same options give
//! the same bytes. Each item (page, municipality, facility) draws from its
//! own stream derived from the seed and its index, so item `i` is the same
//! whatever the other counts are (as far as it does not name other items).
//!
//! Up to the number of municipalities of the source site (33 for the sample
//! site of Kanagawa), the real municipalities and regions are used; beyond
//! that, fictional ones are made from kanji syllables with consistent kana
//! and romaji, grouped by prefecture (one region per prefecture), with valid
//! 6-digit codes (prefecture code, number, check digit).
//!
//! Files, one job each: `words` (the word lists and templates), `rng` (the
//! seeded random numbers), `source` (what is read from the source site),
//! `places` (municipalities and regions), `text` (markdown pages),
//! `directory` (contact windows and facilities), `site` and `hugo` (the two
//! output trees), `out` (writing the output folders).

mod directory;
mod hugo;
mod out;
mod places;
mod rng;
mod site;
mod source;
mod text;
mod words;

use anyhow::bail;
use directory::{FacilityDoc, WindowDoc};
use places::{Muni, RegionDef};
use source::Vocab;
use std::path::{Path, PathBuf};
use text::PageDoc;

/// Edition date of the generated site; every `updated` date is within a year of it.
const EDITION: &str = "2025-04-01";

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Site whose `themes/` and vocabularies (`fields`, `care`,
    /// `facility_types`, and the real municipalities and regions) are used.
    pub source: PathBuf,
    /// Output site folder.
    pub out: PathBuf,
    /// Output folder of the Hugo version, if wanted.
    pub hugo: Option<PathBuf>,
    /// Markdown pages, the home page and section index pages included.
    pub pages: usize,
    pub facilities: usize,
    pub municipalities: usize,
    pub windows_per_municipality: usize,
    pub seed: u64,
}

impl GenerateOptions {
    pub fn new(source: impl AsRef<Path>, out: impl AsRef<Path>) -> GenerateOptions {
        GenerateOptions {
            source: source.as_ref().to_path_buf(),
            out: out.as_ref().to_path_buf(),
            hugo: None,
            pages: 100,
            facilities: 100,
            municipalities: 33,
            windows_per_municipality: 10,
            seed: 2025,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct GenerateReport {
    pub pages: usize,
    pub facilities: usize,
    pub municipalities: usize,
    pub regions: usize,
    pub windows: usize,
    /// Bytes of markdown bodies (content/).
    pub body_bytes: usize,
    pub files: usize,
}

/// Everything generated, before it is written.
struct Corpus {
    vocab: Vocab,
    munis: Vec<Muni>,
    regions: Vec<RegionDef>,
    pages: Vec<PageDoc>,
    /// The windows of each municipality, in municipality order.
    windows: Vec<Vec<WindowDoc>>,
    facilities: Vec<FacilityDoc>,
}

impl Corpus {
    /// Draws the whole corpus. Each item has its own random stream, so the
    /// order of these calls does not change the bytes.
    fn make(opts: &GenerateOptions) -> anyhow::Result<Corpus> {
        let vocab = source::vocab(&opts.source)?;
        let (munis, regions) =
            places::municipalities(&opts.source, opts.municipalities, opts.seed)?;
        let pages = text::pages(opts.pages, &munis, opts.seed);
        let facilities = directory::facilities(opts.facilities, &munis, &vocab, opts.seed);
        let windows = munis
            .iter()
            .enumerate()
            .map(|(i, m)| {
                directory::windows(m, i, opts.windows_per_municipality, &vocab, opts.seed)
            })
            .collect();
        Ok(Corpus {
            vocab,
            munis,
            regions,
            pages,
            windows,
            facilities,
        })
    }
}

/// Writes the site (and the Hugo version). Same options, same bytes.
pub fn generate(opts: &GenerateOptions) -> anyhow::Result<GenerateReport> {
    if opts.pages == 0 {
        bail!("--pages は 1 以上にしてください(トップページが必要です)");
    }
    if opts.municipalities == 0 {
        bail!("--municipalities は 1 以上にしてください");
    }
    let c = Corpus::make(opts)?;
    let files = site::write(opts, &c)?;
    if let Some(hugo) = &opts.hugo {
        hugo::write(hugo, &c)?;
    }
    Ok(GenerateReport {
        pages: c.pages.len(),
        facilities: c.facilities.len(),
        municipalities: c.munis.len(),
        regions: c.regions.len(),
        windows: c.windows.iter().map(Vec::len).sum(),
        body_bytes: c.pages.iter().map(|p| p.body.len()).sum(),
        files,
    })
}
