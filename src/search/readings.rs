//! Issue #17 item 3, a measurement (feature `readings-spike`, off by default,
//! in no shipped build): the readings of kanji words from a morphological
//! dictionary (vibrato over IPADIC), appended to each document's `kana`
//! field so that a hiragana query (じゅきゅうしゃしょう) finds the kanji text
//! (受給者証). search.js needs nothing for it: the `kana` field is indexed and
//! exported like the others. The figures and the decision (left out) are in
//! docs/search-readings-spike.md; `examples/readings_spike.rs` compiles the
//! dictionary and measures.
//!
//! A build with the feature reads the compiled dictionary named by
//! `OHISAMA_READINGS_DICT` (absent: no readings, as without the feature);
//! `OHISAMA_READINGS_BODY=1` reads the bodies too (titles only otherwise).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use vibrato::{Dictionary, SystemDictionaryBuilder, Tokenizer};

use super::SearchDoc;

/// What went wrong while compiling or loading the dictionary.
#[derive(Debug, thiserror::Error)]
pub enum ReadingsError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("辞書を読めません: {0}")]
    Dictionary(#[from] vibrato::errors::VibratoError),
}

fn read_euc_jp(path: &Path) -> Result<String, ReadingsError> {
    let bytes = std::fs::read(path).map_err(|source| ReadingsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    // IPADIC (Debian `mecab-ipadic`) is EUC-JP; vibrato reads UTF-8.
    let (text, _, _) = encoding_rs::EUC_JP.decode(&bytes);
    Ok(text.into_owned())
}

/// Compiles the IPADIC source folder (`*.csv`, matrix.def, char.def,
/// unk.def; Debian: /usr/share/mecab/dic/ipadic) into a vibrato dictionary.
pub fn compile_ipadic(dir: &Path) -> Result<Dictionary, ReadingsError> {
    let mut csvs: Vec<_> = std::fs::read_dir(dir)
        .map_err(|source| ReadingsError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    csvs.sort();
    let mut lex = String::new();
    for p in &csvs {
        lex.push_str(&read_euc_jp(p)?);
        if !lex.ends_with('\n') {
            lex.push('\n');
        }
    }
    let matrix = read_euc_jp(&dir.join("matrix.def"))?;
    let chars = read_euc_jp(&dir.join("char.def"))?;
    let unk = read_euc_jp(&dir.join("unk.def"))?;
    Ok(SystemDictionaryBuilder::from_readers(
        lex.as_bytes(),
        matrix.as_bytes(),
        chars.as_bytes(),
        unk.as_bytes(),
    )?)
}

/// Reads a dictionary written by [`Dictionary::write`].
pub fn load(path: &Path) -> Result<Dictionary, ReadingsError> {
    let file = std::fs::File::open(path).map_err(|source| ReadingsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Dictionary::read(std::io::BufReader::new(file))?)
}

fn has_kanji(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々'))
}

fn is_kana(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}'))
}

/// The readings of the word runs of `text` that hold a kanji, each once, in
/// order. A run is a stretch of tokens between particles, auxiliaries and
/// symbols (受給/者/証 → じゅきゅうしゃしょう: a compound is read whole, so
/// the reading of the compound is a substring the query can match).
pub fn readings_of(tokenizer: &Tokenizer, text: &str) -> Vec<String> {
    let mut worker = tokenizer.new_worker();
    let mut out: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        worker.reset_sentence(line);
        worker.tokenize();
        let mut run = String::new();
        let mut run_has_kanji = false;
        let mut flush = |run: &mut String, k: &mut bool| {
            if *k && seen.insert(run.clone()) {
                out.push(run.clone());
            }
            run.clear();
            *k = false;
        };
        for i in 0..worker.num_tokens() {
            let t = worker.token(i);
            let feature: Vec<&str> = t.feature().split(',').collect();
            let pos = feature.first().copied().unwrap_or("");
            let reading = feature.get(7).copied().filter(|r| *r != "*");
            let breaks = matches!(pos, "助詞" | "助動詞" | "記号");
            match reading {
                Some(r) if !breaks => {
                    run.push_str(r);
                    run_has_kanji |= has_kanji(t.surface());
                }
                None if !breaks && is_kana(t.surface()) => run.push_str(t.surface()),
                _ => flush(&mut run, &mut run_has_kanji),
            }
        }
        flush(&mut run, &mut run_has_kanji);
    }
    out
}

/// Appends the readings of each document's title (and body when `bodies`)
/// to its `kana` field, one run per line.
pub fn add_readings(docs: &mut [SearchDoc], tokenizer: &Tokenizer, bodies: bool) {
    use rayon::prelude::*;
    docs.par_iter_mut().for_each(|d| {
        let mut runs = readings_of(tokenizer, &d.title);
        if bodies {
            runs.extend(readings_of(tokenizer, &d.body));
        }
        for r in runs {
            if !d.kana.is_empty() {
                d.kana.push('\n');
            }
            d.kana.push_str(&r);
        }
    });
}

/// The build's hook: readings from the dictionary named by
/// `OHISAMA_READINGS_DICT`, timings on stderr. Without the variable (or
/// with a dictionary that does not load) the documents stay as they are.
pub fn from_env(mut docs: Vec<SearchDoc>) -> Vec<SearchDoc> {
    let Some(path) = std::env::var_os("OHISAMA_READINGS_DICT") else {
        return docs;
    };
    let bodies = std::env::var_os("OHISAMA_READINGS_BODY").is_some_and(|v| v == "1");
    let t0 = Instant::now();
    let dict = match load(Path::new(&path)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("readings: {e}");
            return docs;
        }
    };
    let load_time = t0.elapsed();
    let tokenizer = Tokenizer::new(dict);
    let t1 = Instant::now();
    let before: usize = docs.iter().map(|d| d.kana.len()).sum();
    add_readings(&mut docs, &tokenizer, bodies);
    let after: usize = docs.iter().map(|d| d.kana.len()).sum();
    eprintln!(
        "readings: dictionary load {load_time:.2?}, tokenise {:.2?} ({} docs, bodies {bodies}), kana bytes {before} -> {after}",
        t1.elapsed(),
        docs.len()
    );
    docs
}
