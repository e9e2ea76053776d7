//! The default theme built into the program (issue #19), so that the program
//! works alone: a site without `themes/default/` builds with it, and
//! `ohisama theme eject` writes it out for editing.
//!
//! Tera, typst and the copy of `static/` read a theme from a folder, so the
//! built-in theme is unpacked into the site's own `.cache/theme/` (a folder
//! named by the theme's digest; compared byte for byte with the program's copy
//! on every use, and written anew when anything differs). Nothing outside the
//! site folder is written.

use rust_embed::RustEmbed;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

#[derive(RustEmbed)]
#[folder = "themes/default/"]
struct DefaultTheme;

/// Where built-in themes are unpacked, under the site folder.
pub const UNPACK_DIR: &str = ".cache/theme";

#[derive(Debug, thiserror::Error)]
pub enum BuiltinThemeError {
    #[error("内蔵テーマを {path} に書き出せません: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{0} はシンボリックリンクです。内蔵テーマはサイトのフォルダの外には書き出しません。リンクを消してください"
    )]
    Link(PathBuf),
    #[error(
        "{0} は既にあります。何も書き換えていません。書き出し直すときは、今のフォルダの名前を変えてからもう一度実行してください"
    )]
    Exists(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BuiltinThemeError + '_ {
    move |source| BuiltinThemeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The built-in theme's files: path under the theme folder (`/`-separated)
/// and bytes, sorted by path.
pub fn files() -> Vec<(String, Cow<'static, [u8]>)> {
    let mut names: Vec<String> = DefaultTheme::iter().map(|n| n.into_owned()).collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| DefaultTheme::get(&name).map(|f| (name, f.data)))
        .collect()
}

/// A short digest of the built-in theme (names and contents), for the name
/// of its unpacked folder: another program version unpacks beside it.
fn digest() -> String {
    // FNV-1a over the names and rust-embed's SHA-256 of each file: stable
    // between runs and Rust versions (the folder name must not change).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut names: Vec<String> = DefaultTheme::iter().map(|n| n.into_owned()).collect();
    names.sort();
    for name in names {
        eat(name.as_bytes());
        if let Some(f) = DefaultTheme::get(&name) {
            eat(&f.metadata.sha256_hash());
        }
    }
    format!("{h:016x}")
}

/// The folder that holds the built-in theme for the site at `root`, unpacked
/// (or mended) when needed.
pub fn unpacked(root: &Path) -> Result<PathBuf, BuiltinThemeError> {
    let parent = root.join(UNPACK_DIR);
    refuse_links(root, &parent)?;
    let dir = parent.join(format!("{}-{}", crate::theme::DEFAULT_THEME, digest()));
    if holds_exactly(&dir) {
        return Ok(dir);
    }
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".unpack-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    write_files(staging.path())?;
    if std::fs::symlink_metadata(&dir).is_ok() {
        // Ours (a name under .cache/theme/), and not what the program holds.
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
    }
    let kept = staging.keep();
    if let Err(e) = std::fs::rename(&kept, &dir) {
        let _ = std::fs::remove_dir_all(&kept);
        // Another ohisama (a preview beside a build) may have just unpacked it.
        if holds_exactly(&dir) {
            return Ok(dir);
        }
        return Err(io(&dir)(e));
    }
    Ok(dir)
}

/// `.cache` and `.cache/theme` must be real folders (or missing): a link
/// there would make the unpacking write outside the site.
fn refuse_links(root: &Path, parent: &Path) -> Result<(), BuiltinThemeError> {
    for p in [root.join(".cache"), parent.to_path_buf()] {
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(BuiltinThemeError::Link(p));
        }
    }
    Ok(())
}

/// Whether `dir` holds the built-in theme's files with the same bytes, and
/// nothing else (an extra template there would be used).
fn holds_exactly(dir: &Path) -> bool {
    let wanted = files();
    let present = walkdir::WalkDir::new(dir)
        .follow_root_links(false)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .count();
    present == wanted.len()
        && wanted
            .iter()
            .all(|(rel, bytes)| std::fs::read(dir.join(rel)).is_ok_and(|b| b == bytes.as_ref()))
}

fn write_files(dir: &Path) -> Result<usize, BuiltinThemeError> {
    let all = files();
    for (rel, bytes) in &all {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    Ok(all.len())
}

/// `ohisama theme eject`: writes the built-in theme to `themes/default/` of
/// the site for editing. Refuses when that folder exists (nothing the user
/// wrote is replaced); writes into a temp folder and renames it into place.
pub fn eject(root: &Path) -> Result<(PathBuf, usize), BuiltinThemeError> {
    let themes = root.join("themes");
    let dir = themes.join(crate::theme::DEFAULT_THEME);
    if std::fs::symlink_metadata(&dir).is_ok() {
        return Err(BuiltinThemeError::Exists(dir));
    }
    if std::fs::symlink_metadata(&themes).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(BuiltinThemeError::Link(themes));
    }
    std::fs::create_dir_all(&themes).map_err(io(&themes))?;
    let staging = tempfile::Builder::new()
        .prefix(".eject-")
        .tempdir_in(&themes)
        .map_err(io(&themes))?;
    let n = write_files(staging.path())?;
    let kept = staging.keep();
    std::fs::rename(&kept, &dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        io(&dir)(e)
    })?;
    Ok((dir, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_holds_the_repositorys_default_theme() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let on_disk: Vec<String> = walkdir::WalkDir::new(&repo)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| crate::diagnostic::rel_path(&repo, e.path()))
            .collect();
        let held: Vec<String> = files().into_iter().map(|(n, _)| n).collect();
        let mut on_disk_sorted = on_disk.clone();
        on_disk_sorted.sort();
        assert_eq!(held, on_disk_sorted);
        assert!(held.iter().any(|n| n == "templates/base.html"));
        assert!(
            held.iter()
                .any(|n| n.starts_with("fonts/") && n.ends_with(".ttf"))
        );
    }

    #[test]
    fn a_changed_unpacked_file_is_mended() {
        let site = tempfile::tempdir().unwrap();
        let dir = unpacked(site.path()).unwrap();
        assert!(dir.starts_with(site.path().join(UNPACK_DIR)));
        let base = dir.join("templates/base.html");
        std::fs::write(&base, "tampered").unwrap();
        std::fs::write(dir.join("templates/extra.html"), "extra").unwrap();
        let again = unpacked(site.path()).unwrap();
        assert_eq!(again, dir);
        assert_ne!(std::fs::read_to_string(&base).unwrap(), "tampered");
        assert!(!dir.join("templates/extra.html").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_cache_folder_is_refused() {
        let site = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), site.path().join(".cache")).unwrap();
        assert!(matches!(
            unpacked(site.path()),
            Err(BuiltinThemeError::Link(_))
        ));
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn eject_refuses_an_existing_theme_folder() {
        let site = tempfile::tempdir().unwrap();
        let (dir, n) = eject(site.path()).unwrap();
        assert_eq!(n, files().len());
        std::fs::write(dir.join("templates/base.html"), "mine").unwrap();
        assert!(matches!(
            eject(site.path()),
            Err(BuiltinThemeError::Exists(_))
        ));
        assert_eq!(
            std::fs::read_to_string(dir.join("templates/base.html")).unwrap(),
            "mine"
        );
    }
}
