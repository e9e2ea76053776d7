//! The team's subcommands (flattened into the `ohisama` command line):
//! `schema`, `import`, `export`, `new`, `diff`.

use super::csv_io::{self, DataKind, ImportOptions};
use super::diff::{self, DiffFormat};
use crate::config::BuildOptions;
use crate::diagnostic::Diagnostics;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Excel で開ける CSV (UTF-8 BOM 付き、CRLF)
    Csv,
}

/// What `ohisama theme` does.
#[derive(Debug, clap::Subcommand)]
pub enum ThemeAction {
    /// 内蔵のテーマを themes/default/ に書き出して、編集できるようにする (既にあれば何もしない)
    Eject {
        /// サイトのフォルダ
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum ToolCommand {
    /// VS Code で補完・検査するための JSON Schema を schemas/ に書き出す
    Schema {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 出力先 (既定: <root>/schemas)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Excel で保存した CSV から 窓口・施設・支援センター・用語集・検索の言い換え の YAML を作る
    Import {
        /// contacts (窓口)、facilities (施設)、centres (支援センター)、glossary (用語集)、synonyms (検索の言い換え)
        #[arg(value_enum)]
        kind: CsvKind,
        /// CSV ファイル (UTF-8 / Shift_JIS)
        file: PathBuf,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 既にある YAML ファイルを上書きする
        #[arg(long)]
        force: bool,
    },
    /// 窓口・施設・支援センター・用語集・検索の言い換えを Excel で開ける CSV に書き出す
    Export {
        /// contacts (窓口)、facilities (施設)、centres (支援センター)、glossary (用語集)、synonyms (検索の言い換え)
        #[arg(value_enum)]
        kind: CsvKind,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// 出力ファイル (既定: <種類>.csv。例: contacts.csv。- なら標準出力)
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 既にある出力ファイルを上書きする
        #[arg(long)]
        force: bool,
    },
    /// 新しいサイトを作る (最小限のデータとトップページ。テーマはプログラムに内蔵のもの)
    New {
        /// 作るフォルダ (無いか空であること)
        dir: PathBuf,
        /// テーマ (themes/) をコピーする元のサイト (省略すると内蔵のテーマを使う)
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// テーマの操作
    Theme {
        #[command(subcommand)]
        action: ThemeAction,
    },
    /// 2つの版のデータを比べ、窓口・施設の追加・削除・変更を市町村ごとに表示する
    Diff {
        /// 前の版のサイトのフォルダ
        old: PathBuf,
        /// 新しい版のサイトのフォルダ
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// 変更点をお知らせのページとして書き出す (例: content/news/2025-04-01-changes.md)。
        /// 日付は新しい版の edition。既存のファイルは上書きしない
        #[arg(long)]
        news: Option<PathBuf>,
    },
}

/// Writes the changes report as a news page dated with the new edition.
fn write_news(
    new_root: &std::path::Path,
    path: &std::path::Path,
    d: &diff::DataDiff,
) -> anyhow::Result<ExitCode> {
    use anyhow::Context as _;
    let loaded = crate::load::load_data(new_root);
    let edition = loaded
        .raw
        .site
        .as_ref()
        .and_then(|(_, c)| crate::date::Date::parse(&c.edition.value))
        .context("新しい版の data/site.yaml の edition が読めません")?;
    if path.exists() {
        anyhow::bail!(
            "{} はすでにあります。上書きしないので、別の名前を指定してください",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("{} を作れません", dir.display()))?;
    }
    std::fs::write(path, d.render_news(edition))
        .with_context(|| format!("{} に書けません", path.display()))?;
    eprintln!(
        "お知らせのページを {} に書き出しました。ビルドするとお知らせに載ります",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn fail(d: &Diagnostics) -> ExitCode {
    eprint!("{}", d.render_text());
    ExitCode::FAILURE
}

/// Runs one of the team's subcommands.
pub fn run(cmd: ToolCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ToolCommand::Schema { root, out } => Ok(schema(&root, out)),
        ToolCommand::Import {
            kind: CsvKind::Synonyms,
            file,
            root,
            force,
        } => Ok(import_synonyms(&root, &file, force)),
        ToolCommand::Import {
            kind,
            file,
            root,
            force,
        } => Ok(import(
            kind.data_kind(),
            ImportOptions {
                root,
                csv: file,
                force,
            },
        )),
        ToolCommand::Export {
            kind,
            format: ExportFormat::Csv,
            out,
            root,
            force,
        } => export_csv(kind, &root, out, force),
        ToolCommand::New { dir, from } => Ok(new_site(&dir, from.as_deref())),
        ToolCommand::Theme {
            action: ThemeAction::Eject { root },
        } => Ok(eject_theme(&root)),
        ToolCommand::Diff {
            old,
            new,
            format,
            news,
        } => diff_sites(&old, &new, format, news),
    }
}

/// `schema`: writes the JSON Schemas (by default into `<root>/schemas`).
fn schema(root: &Path, out: Option<PathBuf>) -> ExitCode {
    let out = out.unwrap_or_else(|| root.join("schemas"));
    match super::schema::write_schemas(root, &out) {
        Ok(files) => {
            eprintln!(
                "JSON Schema を {} 件、{} に書き出しました",
                files.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(d) => fail(&d),
    }
}

/// What `import` and `export` handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvKind {
    /// 窓口 (data/contacts/)
    Contacts,
    /// 施設 (data/facilities/)
    Facilities,
    /// 支援センター (data/centres.yaml)
    Centres,
    /// 用語集 (data/glossary.yaml)
    Glossary,
    /// 検索の言い換え (data/synonyms.yaml)
    Synonyms,
}

impl CsvKind {
    /// The directory kinds of [`csv_io`] (synonyms has its own module).
    fn data_kind(self) -> DataKind {
        match self {
            CsvKind::Facilities => DataKind::Facilities,
            CsvKind::Centres => DataKind::Centres,
            CsvKind::Glossary => DataKind::Glossary,
            CsvKind::Contacts | CsvKind::Synonyms => DataKind::Contacts,
        }
    }

    fn word(self) -> &'static str {
        match self {
            CsvKind::Synonyms => "synonyms",
            other => other.data_kind().word(),
        }
    }
}

/// `import synonyms`: data/synonyms.yaml from a CSV, then the site's check.
fn import_synonyms(root: &Path, csv: &Path, force: bool) -> ExitCode {
    match super::csv_synonyms::import(root, csv, force) {
        Ok(done) => {
            eprintln!(
                "書き出しました: {} (言い換え {} グループ、{})。続けてサイト全体を検査します…",
                super::csv_synonyms::FILE,
                done.groups,
                done.encoding.label()
            );
            check_after_import(root)
        }
        Err(d) => {
            let code = fail(&d);
            eprintln!("取り込みを中止しました。ファイルは何も変更していません。");
            code
        }
    }
}

/// `import`: writes the YAML files of a CSV, then checks the whole site (a
/// correct CSV can still break a page that links to a removed entry).
fn import(kind: DataKind, opts: ImportOptions) -> ExitCode {
    match csv_io::import(kind, &opts) {
        Ok(report) => {
            if !report.warnings.is_empty() {
                eprint!("{}", report.warnings.render_text());
            }
            for (rel, n) in &report.written {
                eprintln!("書き出しました: {rel} ({} {n} 件)", kind.label());
            }
            eprintln!(
                "{} 行を読みました ({})。続けてサイト全体を検査します…",
                report.rows,
                report.encoding.label()
            );
            check_after_import(&opts.root)
        }
        Err(d) => {
            let code = fail(&d);
            eprintln!("取り込みを中止しました。ファイルは何も変更していません。");
            code
        }
    }
}

fn check_after_import(root: &Path) -> ExitCode {
    let check = BuildOptions::new(root);
    match crate::build::check(&check) {
        Ok((_, d)) => {
            eprintln!("検査: 問題ありません ({})", d.summary());
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprint!("{}", d.render_text());
            eprintln!(
                "取り込みは済みましたが、サイトにエラーがあります。上を直してから build してください"
            );
            ExitCode::FAILURE
        }
    }
}

/// `export`: the CSV of a kind of data, to a file (never over an existing
/// one without `--force`: it may be the CSV being edited) or to stdout (`-`).
fn export_csv(
    kind: CsvKind,
    root: &Path,
    out: Option<PathBuf>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let bytes = match kind {
        CsvKind::Synonyms => super::csv_synonyms::export(root),
        other => csv_io::export(other.data_kind(), root),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(d) => return Ok(fail(&d)),
    };
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}.csv", kind.word())));
    if out.as_os_str() == "-" {
        std::io::stdout().write_all(&bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    if out.exists() && !force {
        eprintln!(
            "エラー: {} は既にあります (編集中の CSV を消さないよう、上書きしません)\n  = ヒント: 別の名前を --out で指定するか、--force を付けてください",
            out.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    super::write_files_atomically(&[(out.clone(), bytes)])?;
    eprintln!(
        "書き出しました: {} (Excel で開けます。編集したら `ohisama import {} {} --force`)",
        out.display(),
        kind.word(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `new`: a new site in `dir`, with the built-in theme or the themes of the site `from`.
fn new_site(dir: &Path, from: Option<&Path>) -> ExitCode {
    match super::scaffold::new_site(dir, from) {
        Ok(site) => {
            eprintln!(
                "{} にサイトを作りました ({} ファイル)。\n  次に: ohisama check --root {0}\n        ohisama build --root {0}",
                site.dir.display(),
                site.files
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("エラー: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `theme eject`: the built-in theme written to `themes/default/` for editing.
fn eject_theme(root: &Path) -> ExitCode {
    match crate::builtin_theme::eject(root) {
        Ok((dir, n)) => {
            eprintln!(
                "内蔵のテーマを {} に書き出しました ({n} ファイル)。これからはこのフォルダのテーマが使われます。\n  一部だけ変えるときは、テーマ全体ではなく templates/ に同じ名前のテンプレートを置く方法もあります",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("エラー: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `diff`: the changes between two versions of the data, printed or (with
/// `--news`) written as a news page.
fn diff_sites(
    old: &Path,
    new: &Path,
    format: DiffFormat,
    news: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    match diff::diff_sites(old, new) {
        Ok(d) => match news {
            None => {
                print!("{}", d.render(format));
                Ok(ExitCode::SUCCESS)
            }
            Some(path) => write_news(new, &path, &d),
        },
        Err(d) => Ok(fail(&d)),
    }
}
