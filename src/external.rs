//! `ohisama check --external` (issue #19): every http(s) URL the data and the
//! content name is asked for (HEAD, then GET when HEAD is refused), and the
//! dead and moved ones are reported as warnings at file:line and in a CSV the
//! team can hand to the municipalities.
//!
//! This is the only code that touches the network, and only behind
//! `--external`. It connects to whatever the data names (also private or
//! loopback addresses: the data comes from the team). Results are kept for a
//! day in `.cache/external/links.json`; `--refresh` asks again.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::common::{S, pos};
use crate::model::RawSite;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// At most this many requests at once (`--jobs`).
pub const MAX_JOBS: usize = 32;
/// The longest `--timeout`, in seconds.
pub const MAX_TIMEOUT_SECS: usize = 120;
/// How long a result is reused without asking again.
pub const CACHE_SECONDS: u64 = 24 * 60 * 60;
/// The cache folder under `.cache/`.
pub const CACHE_DIR: &str = "external";

#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// The whole of one request (connect, redirects, answer).
    pub timeout: Duration,
    /// Requests at once.
    pub jobs: usize,
    /// Ask again even for URLs checked within the last day.
    pub refresh: bool,
    /// Where the CSV report goes.
    pub report: PathBuf,
}

impl ExternalOptions {
    pub fn new(root: &Path) -> ExternalOptions {
        ExternalOptions {
            timeout: Duration::from_secs(10),
            jobs: 8,
            refresh: false,
            report: root.join(".cache").join(CACHE_DIR).join("report.csv"),
        }
    }
}

/// Where a URL is written, and what it is the URL of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// The municipality's name (empty for pages and notices).
    pub municipality: String,
    /// The window, facility, page or notice.
    pub what: String,
}

/// What asking for a URL gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    /// Answered after redirects, at another URL.
    Moved {
        to: String,
    },
    /// A 4xx or 5xx answer.
    Status {
        code: u16,
    },
    /// The host name does not resolve.
    HostNotFound,
    /// No answer within the timeout (seconds).
    Timeout {
        seconds: u64,
    },
    /// No connection or no valid answer (refused, TLS, too many redirects …).
    Failed {
        reason: String,
    },
}

impl Outcome {
    /// A server answered (a status, a redirect): worth keeping for a day.
    pub fn is_answer(&self) -> bool {
        matches!(
            self,
            Outcome::Ok | Outcome::Moved { .. } | Outcome::Status { .. }
        )
    }

    /// The report's 結果 cell.
    pub fn label(&self) -> String {
        match self {
            Outcome::Ok => "正常".into(),
            Outcome::Moved { .. } => "移転".into(),
            Outcome::Status { code } if (400..500).contains(code) => {
                format!("リンク切れ (HTTP {code})")
            }
            Outcome::Status { code } => format!("サーバーのエラー (HTTP {code})"),
            Outcome::HostNotFound => "サーバーが見つかりません".into(),
            Outcome::Timeout { seconds } => format!("応答なし ({seconds} 秒)"),
            Outcome::Failed { reason } => format!("接続できません ({reason})"),
        }
    }
}

/// One URL, where it is written and what asking for it gave.
#[derive(Debug, Clone)]
pub struct Checked {
    pub url: String,
    pub places: Vec<Place>,
    pub outcome: Outcome,
    /// Taken from the cache (not asked for in this run).
    pub cached: bool,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct ExternalReport {
    pub links: Vec<Checked>,
    /// One warning per place of a dead or moved link.
    pub diagnostics: Diagnostics,
    /// Every URL asked for in this run went unanswered (no server reached):
    /// most likely this machine is offline or needs a proxy.
    pub no_answer_at_all: bool,
}

impl ExternalReport {
    /// (checked now, from the cache, fine, moved, dead)
    pub fn counts(&self) -> (usize, usize, usize, usize, usize) {
        let cached = self.links.iter().filter(|c| c.cached).count();
        let ok = self.count(|o| matches!(o, Outcome::Ok));
        let moved = self.count(|o| matches!(o, Outcome::Moved { .. }));
        let dead = self.links.len() - ok - moved;
        (self.links.len() - cached, cached, ok, moved, dead)
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.links.iter().filter(|c| f(&c.outcome)).count()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    #[error("報告の書き出し先 {} はフォルダです。--report にはファイル名 (例: リンク確認.csv) を指定してください", .0.display())]
    ReportIsFolder(PathBuf),
    #[error("{} は ohisama のリンク確認の報告ではないファイルです。上書きしないので、--report に別のファイル名を指定してください", .0.display())]
    NotAReport(PathBuf),
    #[error("報告 {} を書けません ({reason})", .path.display())]
    Write { path: PathBuf, reason: String },
}

/// Checks every http(s) URL of the site at `root`, writes the cache and the
/// report. Warnings only: a municipality's server being down must not
/// stop a publish.
pub fn run(root: &Path, opts: &ExternalOptions) -> Result<ExternalReport, ExternalError> {
    let loaded = crate::load::load_site(root);
    let urls = collect(&loaded.raw);
    let cache_file = root.join(".cache").join(CACHE_DIR).join("links.json");
    let mut cache = if opts.refresh {
        Cache::default()
    } else {
        Cache::read(&cache_file)
    };
    let now = unix_now();
    let to_ask: Vec<String> = urls
        .iter()
        .map(|(u, _)| u.clone())
        .filter(|u| cache.fresh(u, now).is_none())
        .collect();
    let answers = ask_all(&to_ask, opts);
    // Only what a server answered is kept: no answer at all (DNS, timeout,
    // refused) may be this machine's network, and is asked again next time.
    for (url, outcome) in to_ask.iter().zip(&answers) {
        if outcome.is_answer() {
            cache.put(url, now, outcome.clone());
        }
    }
    // A cache that cannot be written only costs the next run its requests.
    let _ = cache.write(&cache_file);
    let mut report = ExternalReport {
        no_answer_at_all: answers.len() >= 2 && !answers.iter().any(Outcome::is_answer),
        ..ExternalReport::default()
    };
    let asked: BTreeMap<String, Outcome> = to_ask.into_iter().zip(answers).collect();
    for (url, places) in urls {
        let (outcome, cached) = match asked.get(&url) {
            Some(o) => (o.clone(), false),
            None => match cache.fresh(&url, now) {
                Some(o) => (o.clone(), true),
                None => continue,
            },
        };
        report.diagnostics.extend(warnings(&url, &places, &outcome));
        report.links.push(Checked {
            url,
            places,
            outcome,
            cached,
        });
    }
    report.diagnostics.finish(&loaded.sources);
    write_report(&opts.report, &report.links)?;
    Ok(report)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// ------------------------------------------------------------ the URLs

/// Every http(s) URL of the data and the content, in file order, each with
/// the places it is written (the fragment left off: it is never sent).
pub fn collect(raw: &RawSite) -> Vec<(String, Vec<Place>)> {
    let mut urls = Urls::default();
    let names: BTreeMap<&str, &str> = raw
        .municipalities
        .iter()
        .flat_map(|(_, list)| list)
        .map(|m| (m.value.slug.value.as_str(), m.value.name.value.as_str()))
        .collect();
    let name_of = |slug: &str| names.get(slug).copied().unwrap_or(slug).to_string();
    for (file, c) in &raw.contacts {
        for w in c.windows.iter().map(|w| &w.value) {
            urls.add_spanned(&w.url, file, name_of(&c.municipality.value), &w.name.value);
        }
    }
    for (file, list) in &raw.facilities {
        for f in list.iter().map(|f| &f.value) {
            urls.add_spanned(&f.url, file, name_of(&f.municipality.value), &f.name.value);
        }
    }
    if let Some((file, site)) = &raw.site {
        for n in site.notices.iter().map(|n| &n.value) {
            urls.add_spanned(&n.url, file, String::new(), "お知らせ");
        }
    }
    for page in &raw.pages {
        for (url, line) in markdown_urls(&page.body, page.body_line) {
            let place = Place {
                file: page.file.clone(),
                line,
                column: 0,
                municipality: String::new(),
                what: page.front.title.value.clone(),
            };
            urls.add(&url, place);
        }
    }
    urls.list
}

#[derive(Default)]
struct Urls {
    list: Vec<(String, Vec<Place>)>,
    index: BTreeMap<String, usize>,
}

impl Urls {
    fn add_spanned(&mut self, url: &Option<S<String>>, file: &str, muni: String, what: &str) {
        if let Some(u) = url {
            let (line, column) = pos(u);
            let place = Place {
                file: file.to_string(),
                line,
                column,
                municipality: muni,
                what: what.to_string(),
            };
            self.add(&u.value, place);
        }
    }

    /// Adds a place of `url` when the URL rule accepts it as http(s) (a
    /// refused URL is `check`'s error already).
    fn add(&mut self, url: &str, place: Place) {
        let Ok(crate::url_rule::SafeUrl::External(safe)) =
            crate::url_rule::check(url, crate::url_rule::Place::DataUrl)
        else {
            return;
        };
        if !(safe.starts_with("http://") || safe.starts_with("https://")) {
            return;
        }
        let key = safe.split('#').next().unwrap_or(&safe).to_string();
        let i = *self.index.entry(key.clone()).or_insert_with(|| {
            self.list.push((key, Vec::new()));
            self.list.len() - 1
        });
        self.list[i].1.push(place);
    }
}

/// The link and image destinations of a markdown body with their lines
/// (`first_line`: the body's first line in the file).
fn markdown_urls(body: &str, first_line: u32) -> Vec<(String, u32)> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let line_of = |offset: usize| first_line + body[..offset].matches('\n').count() as u32;
    Parser::new_ext(body, Options::all())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some((dest_url.to_string(), line_of(range.start)))
            }
            _ => None,
        })
        .filter(|(url, _)| {
            let lower = url.to_ascii_lowercase();
            lower.starts_with("http://") || lower.starts_with("https://")
        })
        .collect()
}

// ------------------------------------------------------------ asking

/// Asks for each URL, `opts.jobs` at a time; the outcomes in the same order.
fn ask_all(urls: &[String], opts: &ExternalOptions) -> Vec<Outcome> {
    let agent = agent(opts.timeout);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; urls.len()]);
    let workers = opts.jobs.clamp(1, MAX_JOBS).min(urls.len());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let outcome = ask(&agent, url, opts.timeout);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(outcome);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Failed {
                reason: "確認できませんでした".into(),
            })
        })
        .collect()
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!(
            "ohisama-linkcheck/",
            env!("CARGO_PKG_VERSION"),
            " (+https://github.com/)"
        ))
        .build()
        .into()
}

/// HEAD, then GET when the server refuses HEAD (403, 405, 501: some
/// servers answer only GET).
fn ask(agent: &ureq::Agent, url: &str, timeout: Duration) -> Outcome {
    match agent.head(url).call() {
        Ok(r) if matches!(r.status().as_u16(), 403 | 405 | 501) => {
            outcome_of(agent.get(url).call(), url, timeout)
        }
        answer => outcome_of(answer, url, timeout),
    }
}

fn outcome_of(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    url: &str,
    timeout: Duration,
) -> Outcome {
    use ureq::ResponseExt as _;
    match answer {
        Ok(r) => {
            let code = r.status().as_u16();
            let final_url = r.get_uri().to_string();
            if code >= 400 {
                Outcome::Status { code }
            } else if same_url(&final_url, url) {
                Outcome::Ok
            } else {
                Outcome::Moved { to: final_url }
            }
        }
        Err(e) => failure(&e, timeout),
    }
}

/// Two URLs as the `url` crate writes them (`https://a.jp` is `https://a.jp/`).
fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Why there was no answer, in Japanese (ureq's own text is English).
fn failure(e: &ureq::Error, timeout: Duration) -> Outcome {
    use std::io::ErrorKind as K;
    let reason = match e {
        ureq::Error::Timeout(_) => {
            return Outcome::Timeout {
                seconds: timeout.as_secs(),
            };
        }
        ureq::Error::HostNotFound => return Outcome::HostNotFound,
        ureq::Error::Io(io) if io.kind() == K::TimedOut => {
            return Outcome::Timeout {
                seconds: timeout.as_secs(),
            };
        }
        ureq::Error::Io(io) if io.kind() == K::ConnectionRefused => "接続を拒否されました",
        ureq::Error::Io(io) if io.kind() == K::ConnectionReset => "接続が切られました",
        ureq::Error::TooManyRedirects => "転送 (リダイレクト) が多すぎます",
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "暗号化 (TLS) の証明書を確かめられません",
        ureq::Error::Protocol(_) => "HTTP として読めない答えです",
        ureq::Error::BadUri(_) => "URL として扱えません",
        _ => "ネットワークにつながらないか、相手が答えません",
    };
    Outcome::Failed {
        reason: reason.into(),
    }
}

// ------------------------------------------------------------ the cache

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    /// URL → when it was asked for (Unix seconds) and what it gave.
    links: BTreeMap<String, (u64, Outcome)>,
}

impl Cache {
    /// The cache as last written; empty when missing or unreadable.
    fn read(path: &Path) -> Cache {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// A result younger than a day (and not from the future: a clock set
    /// back must not keep a result for ever).
    fn fresh(&self, url: &str, now: u64) -> Option<&Outcome> {
        let (at, outcome) = self.links.get(url)?;
        (*at <= now && now - at < CACHE_SECONDS).then_some(outcome)
    }

    fn put(&mut self, url: &str, now: u64, outcome: Outcome) {
        self.links.insert(url.to_string(), (now, outcome));
    }

    /// Written whole into a temporary file, then moved over the old one.
    fn write(&self, path: &Path) -> std::io::Result<()> {
        let now = unix_now();
        let kept = Cache {
            links: self
                .links
                .iter()
                .filter(|(u, _)| self.fresh(u, now).is_some())
                .map(|(u, v)| (u.clone(), v.clone()))
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&kept).map_err(std::io::Error::other)?;
        write_atomically(path, &json)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

// ------------------------------------------------------------ reporting

/// One warning per place of a dead or moved link.
fn warnings(url: &str, places: &[Place], outcome: &Outcome) -> Vec<Diagnostic> {
    let (message, hint) = match outcome {
        Outcome::Ok => return Vec::new(),
        Outcome::Moved { to } => (
            format!("リンク先が移転しています: {url} → {to}"),
            "移転先のページを確かめて、URL を書き換えてください".to_string(),
        ),
        Outcome::Status { code } if (400..500).contains(code) => (
            format!("リンク先のページがありません (HTTP {code}): {url}"),
            "市町村などのサイトで新しいページを探して URL を書き換えるか、報告の CSV を市町村に渡して確かめてください"
                .to_string(),
        ),
        other => (
            format!("リンク先を確認できません: {}: {url}", other.label()),
            "サーバーの一時的な不調かもしれません。時間をおいて --refresh を付けてもう一度確かめてください"
                .to_string(),
        ),
    };
    places
        .iter()
        .map(|p| Diagnostic::warning(&p.file, p.line, p.column, &message).hint(&hint))
        .collect()
}

/// The report's columns.
pub const REPORT_HEADER: [&str; 6] = [
    "市町村",
    "窓口/施設",
    "URL",
    "結果",
    "移転先",
    "ファイル:行",
];

/// The CSV for the team and the municipalities: one row per URL, UTF-8 with
/// BOM and CRLF like `ohisama export`, cells guarded against formulas.
fn write_report(path: &Path, links: &[Checked]) -> Result<(), ExternalError> {
    if path.is_dir() {
        return Err(ExternalError::ReportIsFolder(path.to_path_buf()));
    }
    // Only an earlier report is replaced: a mistyped --report must not
    // overwrite a data file or someone's spreadsheet.
    if std::fs::symlink_metadata(path).is_ok() && !is_report(path) {
        return Err(ExternalError::NotAReport(path.to_path_buf()));
    }
    write_atomically(path, &report_bytes(links)).map_err(|e| ExternalError::Write {
        path: path.to_path_buf(),
        reason: io_reason(&e),
    })
}

/// A file that starts as [`report_bytes`] does (BOM and header).
fn is_report(path: &Path) -> bool {
    use std::io::Read as _;
    let head = report_bytes(&[]);
    let mut start = vec![0; head.len()];
    let is_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    is_file
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut start))
            .is_ok()
        && start == head
}

/// Why a file could not be written, in Japanese.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "フォルダがありません".into(),
        K::PermissionDenied => "書く権限がありません".into(),
        K::StorageFull => "ディスクがいっぱいです".into(),
        K::ReadOnlyFilesystem => "読み取り専用の場所です".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("システムのエラー番号 {code}"),
            None => "システムのエラー".into(),
        },
    }
}

pub fn report_bytes(links: &[Checked]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(REPORT_HEADER);
        for c in links {
            let row = report_row(c);
            let _ = w.write_record(
                row.iter()
                    .map(|cell| crate::tools::csv_io::guard_formula(cell).into_owned()),
            );
        }
        let _ = w.flush();
    }
    out
}

fn report_row(c: &Checked) -> [String; 6] {
    let joined = |f: &dyn Fn(&Place) -> String| {
        let mut seen: Vec<String> = Vec::new();
        for p in &c.places {
            let v = f(p);
            if !v.is_empty() && !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen.join("、")
    };
    let moved_to = match &c.outcome {
        Outcome::Moved { to } => to.clone(),
        _ => String::new(),
    };
    [
        joined(&|p| p.municipality.clone()),
        joined(&|p| p.what.clone()),
        c.url.clone(),
        c.outcome.label(),
        moved_to,
        joined(&|p| format!("{}:{}", p.file, p.line)),
    ]
}
