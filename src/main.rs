//! The `ohisama` command line.

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use ohisama::build::{self, BuildError};
use ohisama::config::BuildOptions;
use ohisama::diagnostic::Diagnostics;
use ohisama::output::OutputError;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ohisama",
    version,
    about = "おひさま 小児在宅療養ナビ のサイトを生成します"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// content/ と data/ からサイトを dist/ に生成する
    Build {
        /// サイトのフォルダ (content/ data/ themes/ があるところ)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 出力先 (既定: <root>/dist)。無いフォルダ・空のフォルダ・ohisama が作ったフォルダだけ (丸ごと置き換えます)
        #[arg(long)]
        out: Option<PathBuf>,
        /// site.yaml の base_url を上書きする (サブパスで公開するとき)
        #[arg(long)]
        base_url: Option<String>,
        /// PDF を作らない (確認用の速いビルド)
        #[arg(long)]
        no_pdf: bool,
        /// 下書き (draft: true) のページも含める
        #[arg(long)]
        drafts: bool,
    },
    /// 手元でサイトを表示し、ファイルを保存するたびに作り直してブラウザを更新する
    Serve {
        /// サイトのフォルダ (content/ data/ themes/ があるところ)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 待ち受けるポート
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// 待ち受けるアドレス (既定はこのコンピューターからだけ見える 127.0.0.1)
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// 起動したらブラウザで開く
        #[arg(long)]
        open: bool,
        /// PDF も作る (遅くなります)
        #[arg(long)]
        pdf: bool,
        /// 下書き (draft: true) のページも含める
        #[arg(long)]
        drafts: bool,
    },
    /// サイトを検索する (検索インデックスは <root>/.cache/search に作り、内容が変わるまで使い回す)
    Search {
        /// 検索語 (空白で区切るとすべてを含むものだけ)
        query: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 表示する件数 (1〜1000)
        #[arg(long, default_value_t = 10,
              value_parser = count_in("--limit", 1, ohisama::search::MAX_QUERY_LIMIT))]
        limit: usize,
        /// page / window / facility
        #[arg(long = "type")]
        kind: Option<String>,
        /// 地域 ID (例: kenoh)
        #[arg(long)]
        region: Option<String>,
        /// 言い換え (data/synonyms.yaml) のどの言葉で探し、どれが一致したかを表示する
        #[arg(long)]
        explain: bool,
    },
    /// データを検査して問題をすべて表示する (--external の結果 (.cache/ と報告) のほかは何も書き出さない)
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// 下書き (draft: true) のページも含める
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        external: ExternalArgs,
    },
    /// ベンチマーク用の大きなサイト (架空のデータ) を作る。同じ引数なら同じ内容
    Generate(GenerateArgs),
    #[command(flatten)]
    Tools(ohisama::tools::cli::ToolCommand),
}

// The options of `generate` (a struct of their own: they are too many to
// pass one by one; no doc comment, which would replace the help text).
#[derive(Args)]
struct GenerateArgs {
    /// ページ数 (トップページ・セクションの目次を含む。1〜500000)
    #[arg(long, default_value_t = 1000, value_parser = count_in("--pages", 1, 500_000))]
    pages: usize,
    /// 施設数 (0〜500000)
    #[arg(long, default_value_t = 1000,
          value_parser = count_in("--facilities", 0, 500_000))]
    facilities: usize,
    /// 市町村数 (元サイトの数を超える分は架空の市町村。1〜20000)
    #[arg(long, default_value_t = 33,
          value_parser = count_in("--municipalities", 1, 20_000))]
    municipalities: usize,
    /// 市町村ごとの窓口数 (0〜500: 1ファイルの窓口の上限)
    #[arg(long, default_value_t = 10,
          value_parser = count_in("--windows-per-municipality", 0,
              ohisama::load::limits::MAX_WINDOWS_PER_FILE))]
    windows_per_municipality: usize,
    /// 出力先 (無いか空か、generate で作ったフォルダ)
    #[arg(long)]
    out: PathBuf,
    /// 同じページを Hugo のサイトとしても書き出す
    #[arg(long)]
    hugo: Option<PathBuf>,
    /// テーマと語彙 (fields, care, facility_types, 実在の市町村) を取るサイト
    #[arg(long, default_value = ".")]
    source: PathBuf,
    #[arg(long, default_value_t = 2025)]
    seed: u64,
}

// The options of `check --external` (nothing touches the network without it).
#[derive(Args)]
struct ExternalArgs {
    /// データと本文の http(s) の URL がつながるかを確かめる (インターネットに接続します)
    #[arg(long)]
    external: bool,
    /// 1日以内に確かめた URL も、もう一度確かめる (--external のとき)
    #[arg(long, requires = "external")]
    refresh: bool,
    /// 1つの URL を待つ秒数 (1〜120)
    #[arg(long, default_value_t = 10, requires = "external",
          value_parser = count_in("--timeout", 1, ohisama::external::MAX_TIMEOUT_SECS))]
    timeout: usize,
    /// 同時に確かめる URL の数 (1〜32)
    #[arg(long, default_value_t = 8, requires = "external",
          value_parser = count_in("--jobs", 1, ohisama::external::MAX_JOBS))]
    jobs: usize,
    /// 報告 (CSV) の書き出し先 (既定: <root>/.cache/external/report.csv)
    #[arg(long, requires = "external")]
    report: Option<PathBuf>,
}

impl ExternalArgs {
    fn options(&self, root: &std::path::Path) -> Option<ohisama::external::ExternalOptions> {
        if !self.external {
            return None;
        }
        let mut o = ohisama::external::ExternalOptions::new(root);
        o.timeout = std::time::Duration::from_secs(self.timeout as u64);
        o.jobs = self.jobs;
        o.refresh = self.refresh;
        if let Some(report) = &self.report {
            o.report = report.clone();
        }
        Some(o)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// GitHub Actions のアノテーション (::error file=…)
    Github,
}

fn print_diagnostics(d: &Diagnostics, format: Format) {
    match format {
        Format::Text => eprint!("{}", d.render_text()),
        Format::Json => println!("{}", d.render_json()),
        Format::Github => print!("{}", d.render_github()),
    }
}

/// Refuses a `--root` that is no site (mistyped, or the home folder) before
/// anything is written: `check`, `build`, `serve` and `search` keep their
/// caches (the built-in theme, the search index) under `<root>/.cache/`, and
/// a typo must not make a folder, nor `check --root ~` write into `~/.cache/`.
fn site_root(root: &std::path::Path) -> anyhow::Result<()> {
    if !root.is_dir() {
        anyhow::bail!(
            "サイトのフォルダがありません: {}\nヒント: --root にサイトのフォルダ (content/ と data/ があるところ) を指定してください",
            root.display()
        );
    }
    if !root.join("content").is_dir() && !root.join("data").is_dir() {
        anyhow::bail!(
            "{} はサイトのフォルダではありません (content/ も data/ もありません)\nヒント: --root にサイトのフォルダ (content/ と data/ があるところ) を指定してください",
            root.display()
        );
    }
    Ok(())
}

fn run() -> anyhow::Result<ExitCode> {
    let command = Cli::parse().command;
    if let Command::Build { root, .. }
    | Command::Serve { root, .. }
    | Command::Search { root, .. }
    | Command::Check { root, .. } = &command
    {
        site_root(root)?;
    }
    match command {
        Command::Build {
            root,
            out,
            base_url,
            no_pdf,
            drafts,
        } => {
            let mut opts = BuildOptions::new(&root);
            opts.drafts = drafts;
            if let Some(out) = out {
                opts.out = out;
            }
            opts.base_url = base_url;
            opts.pdf = !no_pdf;
            Ok(build_site(&opts))
        }
        Command::Serve {
            root,
            port,
            bind,
            open,
            pdf,
            drafts,
        } => {
            let mut opts = ohisama::serve::ServeOptions::new(&root);
            opts.drafts = drafts;
            opts.port = port;
            opts.bind = bind;
            opts.pdf = pdf;
            serve(opts, open)
        }
        Command::Search {
            query,
            root,
            limit,
            kind,
            region,
            explain,
        } => search(&root, &query, limit, kind, region, explain),
        Command::Check {
            root,
            format,
            drafts,
            external,
        } => {
            let mut opts = BuildOptions::new(&root);
            opts.drafts = drafts;
            Ok(check(&opts, format, external.options(&root)))
        }
        Command::Generate(args) => generate(args),
        Command::Tools(cmd) => ohisama::tools::cli::run(cmd),
    }
}

/// `build`: the site, or the diagnostics that stopped it.
fn build_site(opts: &BuildOptions) -> ExitCode {
    match build::build(opts) {
        Ok(report) => {
            // The baseline of the 確認日 reminder for files no commit has.
            if let Err(e) = ohisama::freshness::save_snapshot(&opts.root) {
                eprintln!(
                    "お知らせ: 確認日の検査のための控え (.cache/{}) を書けませんでした: {e}",
                    ohisama::freshness::SNAPSHOT_DIR
                );
            }
            for note in &report.notes {
                eprintln!("お知らせ: {note}");
            }
            if !report.diagnostics.is_empty() {
                eprint!("{}", report.diagnostics.render_text());
            }
            eprintln!(
                "完了: {} ページ、{} ファイル、PDF {} 件を {} に出力しました ({:.2} 秒)",
                report.pages,
                report.files,
                report.pdfs,
                opts.out.display(),
                report.duration.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        // Input errors and output errors alike: each said once, as a diagnostic.
        Err(e) => {
            print_diagnostics(&e.diagnostics(), Format::Text);
            if matches!(e, BuildError::Output(OutputError::Refused { .. })) {
                eprintln!("ビルドを中止しました。何も変更していません。");
            } else {
                eprintln!(
                    "ビルドを中止しました。{} は変更していません。",
                    opts.out.display()
                );
            }
            ExitCode::FAILURE
        }
    }
}

/// `serve`: previews the site until Ctrl+C.
fn serve(opts: ohisama::serve::ServeOptions, open: bool) -> anyhow::Result<ExitCode> {
    let server = ohisama::serve::Server::start(opts)?;
    // Ctrl+C ends `wait`; dropping the server then stops it and
    // removes its preview build from .cache/serve/.
    let stop = server.stop_handle();
    ctrlc::set_handler(move || stop.request()).context("Ctrl+C で止める準備ができませんでした")?;
    if open {
        ohisama::serve::open_browser(server.url());
    }
    server.wait();
    drop(server);
    eprintln!("プレビューを止めました。");
    Ok(ExitCode::SUCCESS)
}

/// `check`: every problem, in the format asked for; fails on errors (the
/// external links' problems are warnings).
fn check(
    opts: &BuildOptions,
    format: Format,
    external: Option<ohisama::external::ExternalOptions>,
) -> ExitCode {
    let (mut diags, code) = match build::check(opts) {
        Ok((_, diags)) => (diags, ExitCode::SUCCESS),
        Err(diags) => (diags, ExitCode::FAILURE),
    };
    if let Some(ext) = external {
        match ohisama::external::run(&opts.root, &ext) {
            Ok(report) => {
                diags.extend(report.diagnostics.0.iter().cloned());
                print_diagnostics(&diags, format);
                let (asked, cached, ok, moved, dead) = report.counts();
                eprintln!(
                    "外部リンク: URL {} 件 (今回確かめた {asked} 件、1日以内の結果を使った {cached} 件): 正常 {ok}、移転 {moved}、確認できない {dead}。報告: {}",
                    report.links.len(),
                    ext.report.display()
                );
                if report.no_answer_at_all {
                    eprintln!(
                        "お知らせ: どの URL のサーバーからも答えがありませんでした。このパソコンがインターネットにつながっているか (病院のネットワークではプロキシの設定 HTTPS_PROXY も) 確かめてください"
                    );
                }
                return code;
            }
            Err(e) => {
                eprintln!("エラー: {e}");
                print_diagnostics(&diags, format);
                return ExitCode::FAILURE;
            }
        }
    }
    print_diagnostics(&diags, format);
    code
}

/// `generate`: a large fictional site for the benchmarks.
fn generate(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let mut g = ohisama::bench::GenerateOptions::new(&args.source, &args.out);
    g.hugo = args.hugo;
    g.pages = args.pages;
    g.facilities = args.facilities;
    g.municipalities = args.municipalities;
    g.windows_per_municipality = args.windows_per_municipality;
    g.seed = args.seed;
    let r = ohisama::bench::generate(&g)?;
    eprintln!(
        "生成: {} ページ (本文 {:.1} MB)、市町村 {} (地域 {})、窓口 {}、施設 {} を {} に書き出しました",
        r.pages,
        r.body_bytes as f64 / 1e6,
        r.municipalities,
        r.regions,
        r.windows,
        r.facilities,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn search(
    root: &std::path::Path,
    query: &str,
    limit: usize,
    kind: Option<String>,
    region: Option<String>,
    explain: bool,
) -> anyhow::Result<ExitCode> {
    use ohisama::search::{DocKind, QueryOptions};
    let kind = match kind {
        Some(k) => Some(k.parse::<DocKind>().map_err(|_| {
            anyhow::anyhow!("--type は page / window / facility のどれかです (指定: {k})")
        })?),
        None => None,
    };
    let opts = BuildOptions::new(root);
    let index = match ohisama::build::search_index(&opts) {
        Ok(index) => index,
        Err(e) => {
            print_diagnostics(&e.diagnostics(), Format::Text);
            eprintln!("検索を中止しました。上のエラーを直してからもう一度実行してください");
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(region) = &region {
        let known = index.regions()?;
        if !known.contains(region) {
            anyhow::bail!(
                "地域 `{region}` はありません。--region に使える地域 ID: {}",
                if known.is_empty() {
                    "(この検索インデックスには地域がありません)".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    let opts = QueryOptions {
        limit,
        kind,
        region,
    };
    let explanation = index.explain(query, &opts)?;
    if explain {
        print_variants(&explanation.words);
    }
    let total = index.matching_docs(query, &opts)?.len();
    if explanation.hits.is_empty() {
        let shown: String = query.chars().take(100).collect();
        let more = if shown.len() < query.len() { "…" } else { "" };
        println!("「{shown}{more}」に一致するものはありません");
        let cands = ohisama::search::suggest::candidates(index.expansions());
        let ideas = ohisama::search::suggest::suggestions(&cands, query);
        if !ideas.is_empty() {
            println!("もしかして: {}", ideas.join("、"));
        }
    } else {
        println!("{total}件中 {}件", explanation.hits.len());
    }
    for (i, e) in explanation.hits.iter().enumerate() {
        let h = &e.hit;
        println!(
            "{:>2}. {:.4}  [{}] {}{}\n      {}",
            i + 1,
            h.score,
            h.kind.label_ja(),
            h.title,
            h.municipality
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default(),
            h.url
        );
        if explain {
            println!("      一致: {}", e.matched.join(" + "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--explain`: what each query word stood for.
fn print_variants(words: &[ohisama::search::explain::WordExplanation]) {
    for w in words {
        let from = match (&w.source, &w.place) {
            (Some(s), _) => s.as_str(),
            (None, Some(_)) => "市町村名・よみ",
            (None, None) => "言い換えなし",
        };
        let mut notes = vec![from.to_string()];
        if w.topic {
            notes.push("説明ページを先に".to_string());
        }
        if let Some(p) = &w.place {
            notes.push(format!("{p}の結果を先に"));
        }
        println!("「{}」 [{}]", w.word, notes.join("、"));
        for v in &w.variants {
            match v.why_not {
                None => println!("    探した: {} ({}件)", v.word, v.docs),
                Some(why) => println!("    探さない: {} ({}件, {why})", v.word, v.docs),
            }
        }
    }
}

/// A whole number from `min` to `max` for the option `flag`, with a Japanese
/// message naming the range. Counts that reach an allocation are bounded here:
/// `search --limit 18446744073709551615` used to panic in tantivy and
/// `generate --pages 18446744073709551615` to ask for an impossible vector.
fn count_in(
    flag: &'static str,
    min: usize,
    max: usize,
) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |text| match text.trim().parse::<u64>() {
        Ok(n) if (min as u64..=max as u64).contains(&n) => Ok(n as usize),
        _ => Err(format!(
            "{flag} は {min} から {max} までの整数で指定してください"
        )),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("エラー: {e:#}");
            ExitCode::FAILURE
        }
    }
}
