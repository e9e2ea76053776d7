//! The 確認日 reminder (issue #19): a window or facility that changed while
//! its `updated:` (確認日) did not is a warning of `check` and `build`.
//!
//! "Changed" means: different from the previous version of its file, which is
//! the version of the last commit when the site folder is in a git
//! repository and the file is in HEAD (read with one `git cat-file --batch`
//! for the data files only; no libgit2), else the copy the last successful
//! `ohisama build` left in `.cache/freshness/` (see [`save_snapshot`]).
//! A file with neither (new, or never built) has nothing to compare with.
//! Nothing here writes except [`save_snapshot`], which only `build` calls.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::common::{S, pos};
use crate::kinds::contacts::{ContactFile, Window};
use crate::kinds::facilities::Facility;
use crate::load::limits::MAX_DATA_FILE_BYTES;
use crate::model::RawSite;
use std::collections::BTreeMap;
use std::path::Path;

/// The folder under `.cache/` that holds the last build's data files.
pub const SNAPSHOT_DIR: &str = "freshness";

/// The data folders whose files have a 確認日.
const DATED_DIRS: [&str; 2] = ["data/contacts", "data/facilities"];

const HINT: &str = "電話番号などを変えたら updated: を今日の日付にしてください \
     (確認日はページと PDF に載ります。内容を確かめた日です)";

/// Where the previous version of a file came from (said in the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Baseline {
    Commit,
    Build,
}

impl Baseline {
    fn since(self) -> &'static str {
        match self {
            Baseline::Commit => "前回のコミットから",
            Baseline::Build => "前回のビルドから",
        }
    }
}

/// The reminders for every contacts and facilities file of `raw` whose text
/// differs from its previous version. `sources` are the texts as loaded
/// (BOM removed, LF line ends), keyed by the path relative to `root`.
pub fn reminders(
    root: &Path,
    head: Option<&crate::git::Head>,
    raw: &RawSite,
    sources: &crate::diagnostic::Sources,
) -> Diagnostics {
    let files: Vec<&str> = raw
        .contacts
        .iter()
        .map(|(rel, _)| rel.as_str())
        .chain(raw.facilities.iter().map(|(rel, _)| rel.as_str()))
        .collect();
    let previous = previous_versions(root, head, &files);
    let changed = |rel: &str| -> Option<(Baseline, &str)> {
        let (from, old) = previous.get(rel)?;
        (sources.get(rel).map(|s| &**s) != Some(old.as_str())).then_some((*from, old))
    };
    let mut old = RawSite {
        regions: raw.regions.clone(),
        municipalities: raw.municipalities.clone(),
        fields: raw.fields.clone(),
        care: raw.care.clone(),
        facility_types: raw.facility_types.clone(),
        ..RawSite::default()
    };
    let mut from_of: BTreeMap<String, Baseline> = BTreeMap::new();
    for (rel, _) in &raw.contacts {
        if let Some((from, text)) = changed(rel)
            && let Ok(file) = crate::load::parse_yaml::<ContactFile>(text)
        {
            from_of.insert(rel.clone(), from);
            old.contacts.push((rel.clone(), file));
        }
    }
    for (rel, _) in &raw.facilities {
        if let Some((from, text)) = changed(rel)
            && let Ok(list) = crate::load::parse_yaml::<Vec<S<Facility>>>(text)
        {
            from_of.insert(rel.clone(), from);
            old.facilities.push((rel.clone(), list));
        }
    }
    // The old text may name a field or a municipality by its Japanese name:
    // compare ids with ids, as the loader gave the current files.
    crate::kinds::vocab::ids_for_names(&mut old);
    let mut out = Diagnostics::default();
    for (rel, was) in &old.contacts {
        if let Some((_, now)) = raw.contacts.iter().find(|(r, _)| r == rel) {
            contacts_reminders(rel, from_of[rel], was, now, &mut out);
        }
    }
    for (rel, was) in &old.facilities {
        if let Some((_, now)) = raw.facilities.iter().find(|(r, _)| r == rel) {
            facility_reminders(rel, from_of[rel], was, now, &mut out);
        }
    }
    out
}

/// A window's change, the window, and its (line, column) in the new file
/// (`None` for a removed window).
type WindowDiff<'a> = (WindowChange, &'a Window, Option<(u32, u32)>);

/// What happened to one window between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WindowChange {
    Added,
    Changed,
    Removed,
}

impl WindowChange {
    fn verb(self) -> &'static str {
        match self {
            WindowChange::Added => "追加されました",
            WindowChange::Changed => "変わりました",
            WindowChange::Removed => "削除されました",
        }
    }
}

/// One warning per window added, changed or removed, when the file's
/// `updated:` stayed the same. A window only moved in the list is no change
/// of what a family reads about it.
fn contacts_reminders(
    rel: &str,
    from: Baseline,
    was: &ContactFile,
    now: &ContactFile,
    out: &mut Diagnostics,
) {
    if was.updated.value != now.updated.value {
        return;
    }
    let (updated_line, _) = pos(&now.updated);
    for (change, window, place) in window_changes(&was.windows, &now.windows) {
        // A removed window has no line of its own: point at `updated:`, the
        // line to edit.
        let (line, column) = place.unwrap_or(pos(&now.updated));
        out.push(
            Diagnostic::warning(
                rel,
                line,
                column,
                format!(
                    "窓口「{}」が{}{}が、確認日 (updated: {}、{updated_line} 行目) が変わっていません",
                    window.name.value,
                    from.since(),
                    change.verb(),
                    now.updated.value
                ),
            )
            .hint(HINT),
        );
    }
}

/// The windows added, changed (same name, other content) and removed, with
/// the line of the new window (`None` for a removed one). Equal windows are
/// paired first, then the rest by name, in order.
fn window_changes<'a>(was: &'a [S<Window>], now: &'a [S<Window>]) -> Vec<WindowDiff<'a>> {
    let plain =
        |ws: &[S<Window>]| -> Vec<Window> { ws.iter().map(|w| w.value.normalized()).collect() };
    let (old, new) = (plain(was), plain(now));
    let mut old_free = vec![true; old.len()];
    let mut unpaired: Vec<usize> = Vec::new();
    for (j, w) in new.iter().enumerate() {
        match (0..old.len()).find(|&i| old_free[i] && old[i] == *w) {
            Some(i) => old_free[i] = false,
            None => unpaired.push(j),
        }
    }
    let mut out = Vec::new();
    for j in unpaired {
        let same_name =
            (0..old.len()).find(|&i| old_free[i] && old[i].name.value == new[j].name.value);
        let change = match same_name {
            Some(i) => {
                old_free[i] = false;
                WindowChange::Changed
            }
            None => WindowChange::Added,
        };
        out.push((change, &now[j].value, Some(pos(&now[j]))));
    }
    out.extend(
        (0..old.len())
            .filter(|&i| old_free[i])
            .map(|i| (WindowChange::Removed, &was[i].value, None)),
    );
    out
}

/// One warning per facility (paired by id) whose content changed while its
/// own `updated:` did not. A new facility's 確認日 is the one just written; a
/// removed facility takes its date with it.
fn facility_reminders(
    rel: &str,
    from: Baseline,
    was: &[S<Facility>],
    now: &[S<Facility>],
    out: &mut Diagnostics,
) {
    let old: BTreeMap<&str, &Facility> = was
        .iter()
        .map(|f| (f.value.id.value.as_str(), &f.value))
        .collect();
    for spanned in now {
        let f = &spanned.value;
        let Some(before) = old.get(f.id.value.as_str()) else {
            continue;
        };
        let date = |f: &Facility| f.updated.as_ref().map(|u| u.value.clone());
        if date(before) != date(f) || without_date(before) == without_date(f) {
            continue;
        }
        let (line, column) = pos(spanned);
        let updated = match &f.updated {
            Some(u) => format!(
                "確認日 (updated: {}、{} 行目) が変わっていません",
                u.value,
                pos(u).0
            ),
            None => "確認日 (updated:) が書かれていません".to_string(),
        };
        out.push(
            Diagnostic::warning(
                rel,
                line,
                column,
                format!(
                    "施設「{}」(id: {}) が{}変わりましたが、{updated}",
                    f.name.value,
                    f.id.value,
                    from.since()
                ),
            )
            .hint(HINT),
        );
    }
}

fn without_date(f: &Facility) -> Facility {
    Facility {
        updated: None,
        ..f.normalized()
    }
}

/// The previous text of each file (by path relative to `root`), from the
/// last commit or else from the last build's snapshot, with the line ends
/// the loader gives.
fn previous_versions(
    root: &Path,
    head: Option<&crate::git::Head>,
    files: &[&str],
) -> BTreeMap<String, (Baseline, String)> {
    let mut out: BTreeMap<String, (Baseline, String)> = head
        .map(|h| h.texts(files))
        .unwrap_or_default()
        .into_iter()
        .map(|(rel, text)| (rel, (Baseline::Commit, text)))
        .collect();
    let snapshot = root.join(".cache").join(SNAPSHOT_DIR);
    let missing: Vec<&str> = files
        .iter()
        .copied()
        .filter(|rel| !out.contains_key(*rel))
        .collect();
    for rel in missing {
        let path = snapshot.join(rel);
        let small = std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_DATA_FILE_BYTES);
        if small
            && let Ok(bytes) = std::fs::read(&path)
            && let Some(text) = crate::git::as_loaded(&bytes)
        {
            out.insert(rel.to_string(), (Baseline::Build, text));
        }
    }
    out
}

/// Keeps a copy of every contacts and facilities file in
/// `.cache/freshness/` (replacing the last one), the baseline of the next
/// `check` for files that no commit has. Called by `ohisama build` after a
/// successful build (not by `serve`, whose rebuilds would make each change
/// "old" a second after it is saved).
pub fn save_snapshot(root: &Path) -> std::io::Result<()> {
    let snapshot = root.join(".cache").join(SNAPSHOT_DIR);
    let fresh = root.join(".cache").join(format!("{SNAPSHOT_DIR}.new"));
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh)?;
    }
    for dir in DATED_DIRS {
        std::fs::create_dir_all(fresh.join(dir))?;
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_yaml = path.extension().is_some_and(|e| e == "yaml");
            // Real files only: the loader reads no link that leads out of the site.
            if is_yaml && entry.file_type().is_ok_and(|t| t.is_file()) {
                std::fs::copy(&path, fresh.join(dir).join(entry.file_name()))?;
            }
        }
    }
    if snapshot.exists() {
        std::fs::remove_dir_all(&snapshot)?;
    }
    std::fs::rename(&fresh, &snapshot)
}
