//! Cross-reference and value checks over everything loaded. Reports every
//! problem at once (never only the first), each with file:line:col, what is
//! wrong in Japanese, what was expected and a hint.

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::kinds::check::{Checker, file_stem, known};
use crate::kinds::vocab::{Ids, Vocab};
use crate::model::{ContactFile, Facility, RawSite, S, Window, pos};
use crate::url_rule::Place;
use std::collections::BTreeMap;

pub fn validate(raw: &RawSite) -> Diagnostics {
    let mut v = Checker::default();
    crate::kinds::settings::check(&mut v, raw);
    let vocab = Vocab::of(raw);
    let ids = &vocab.ids;
    crate::kinds::vocab::check(&mut v, raw, ids);
    v.contacts(raw, ids);
    v.facilities(raw, ids);
    v.pages(raw);
    v.diags
}

impl Checker {
    fn contacts(&mut self, raw: &RawSite, ids: &Ids) {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (file, c) in &raw.contacts {
            self.contact_file(file, c, ids);
            if let Some(other) = seen.insert(&c.municipality.value, file) {
                let d = self.error_at(
                    file,
                    &c.municipality,
                    format!(
                        "市町村 `{}` の窓口が2つのファイルで定義されています",
                        c.municipality.value
                    ),
                );
                d.hint = Some(format!("{other} と1つにまとめてください"));
            }
        }
        if let Some((mfile, list)) = &raw.municipalities {
            for m in list.iter().map(|m| &m.value) {
                let has_file = raw.contact_files.iter().any(|f| f == &m.slug.value);
                if !seen.contains_key(m.slug.value.as_str()) && !has_file {
                    let (l, c) = pos(&m.slug);
                    self.diags.push(
                        Diagnostic::warning(
                            mfile,
                            l,
                            c,
                            format!("{} の窓口ファイルがありません", m.name.value),
                        )
                        .hint(format!(
                            "data/contacts/{}.yaml を作ると、窓口一覧と PDF に載ります",
                            m.slug.value
                        )),
                    );
                }
            }
        }
    }

    fn contact_file(&mut self, file: &str, c: &ContactFile, ids: &Ids) {
        let stem = file_stem(file);
        if !known(&ids.municipalities, &c.municipality.value) {
            self.unknown_ref(
                file,
                &c.municipality,
                "市町村",
                "municipalities.yaml",
                &ids.municipalities,
            );
        } else if c.municipality.value != stem {
            let d = self.error_at(
                file,
                &c.municipality,
                format!(
                    "municipality `{}` がファイル名 `{stem}.yaml` と合っていません",
                    c.municipality.value
                ),
            );
            d.hint = Some(format!(
                "ファイル名を {}.yaml にするか、municipality を {stem} にしてください",
                c.municipality.value
            ));
        }
        self.fresh_date(file, &c.updated, "更新日 (updated)");
        if c.windows.is_empty() {
            let d = self.error_at(file, &c.municipality, "窓口 (windows) が1つもありません");
            d.hint = Some("windows: の下に「- name: 〇〇課」から始まる窓口を書いてください".into());
        }
        for (i, w) in c.windows.iter().enumerate() {
            self.window(file, i, w, ids);
        }
    }

    fn window(&mut self, file: &str, index: usize, w: &S<Window>, ids: &Ids) {
        let win = &w.value;
        self.non_empty(file, &win.name, "窓口名 (name)");
        if !known(&ids.fields, &win.field.value) {
            self.unknown_ref(file, &win.field, "分野", "fields.yaml", &ids.fields);
        }
        if let Some(g) = &win.general
            && g.value
            && index > 0
        {
            let d = self.error_at(
                file,
                g,
                "general: true (各種相談) は最初の窓口にだけ書けます",
            );
            d.hint = Some(
                "各種相談を受ける窓口を windows の先頭に移すか、general を消してください".into(),
            );
        }
        if win.tel.is_none()
            && win.note.as_deref().is_none_or(|n| n.trim().is_empty())
            && win.url.is_none()
        {
            let d = self.error_at(
                file,
                w,
                format!("窓口「{}」に連絡先がありません", win.name.value),
            );
            d.expected = Some("tel・note・url のどれか1つ以上".into());
            d.hint = Some(
                "電話番号がない場合は note: に「お住まいの区の窓口へ」などと書いてください".into(),
            );
        }
        if let Some(t) = &win.tel {
            self.tel(file, t);
            if win.tel_kind.is_none() {
                let d = self.error_at(file, t, "電話番号に tel_kind (直通/代表) がありません");
                d.hint = Some("所管課に直接つながるなら tel_kind: direct、交換手につながるなら tel_kind: main".into());
            }
        }
        if let Some(k) = &win.tel_kind {
            if win.tel.is_none() {
                let d = self.error_at(file, k, "tel がないのに tel_kind が書かれています");
                d.hint = Some("tel: を書くか、tel_kind を消してください".into());
            } else if k.value != "direct" && k.value != "main" {
                let d = self.error_at(file, k, format!("tel_kind `{}` は使えません", k.value));
                d.expected = Some("direct (直通) または main (代表)".into());
                d.hint = Some(did_you_mean(&k.value, ["direct", "main"]));
            }
        }
        if let Some(u) = &win.url {
            self.url(file, u, Place::DataUrl);
        }
    }

    fn facilities(&mut self, raw: &RawSite, ids: &Ids) {
        let mut seen: BTreeMap<&str, (&str, u32)> = BTreeMap::new();
        for (file, list) in &raw.facilities {
            let stem = file_stem(file);
            if !known(&ids.municipalities, stem) {
                let d = Diagnostic::error(
                    file.as_str(),
                    0,
                    0,
                    format!("ファイル名 `{stem}` は市町村スラッグではありません"),
                )
                .hint(did_you_mean(
                    stem,
                    ids.municipalities.iter().map(String::as_str),
                ));
                self.diags.push(d);
            }
            for f in list {
                self.facility(file, stem, &f.value, ids);
                let id = &f.value.id;
                if let Some((other_file, other_line)) = seen.insert(&id.value, (file, pos(id).0)) {
                    let d = self.error_at(
                        file,
                        id,
                        format!("施設 ID `{}` が2回使われています", id.value),
                    );
                    d.hint = Some(format!(
                        "{other_file}:{other_line} と同じです。施設 ID はすべてのファイルを通して一意にしてください"
                    ));
                }
            }
        }
    }

    fn facility(&mut self, file: &str, stem: &str, f: &Facility, ids: &Ids) {
        self.id_slug(file, &f.id, "施設 ID");
        if crate::site::FACILITY_LIST_KINDS.contains(&f.id.value.as_str()) {
            let d = self.error_at(
                file,
                &f.id,
                format!(
                    "施設 ID `{}` は一覧ページの URL と重なるため使えません",
                    f.id.value
                ),
            );
            d.hint = Some(format!(
                "{stem}-{} のように市町村名などを付けてください",
                f.id.value
            ));
        }
        self.non_empty(file, &f.name, "施設名 (name)");
        if !known(&ids.types, &f.kind.value) {
            self.unknown_ref(file, &f.kind, "施設種別", "facility_types.yaml", &ids.types);
        }
        if !known(&ids.municipalities, &f.municipality.value) {
            self.unknown_ref(
                file,
                &f.municipality,
                "市町村",
                "municipalities.yaml",
                &ids.municipalities,
            );
        } else if f.municipality.value != stem {
            let d = self.error_at(
                file,
                &f.municipality,
                format!(
                    "施設「{}」の市町村 `{}` が、このファイル ({stem}) と違います",
                    f.name.value, f.municipality.value
                ),
            );
            d.hint = Some(format!(
                "data/facilities/{}.yaml に移してください",
                f.municipality.value
            ));
        }
        for c in &f.care {
            if !known(&ids.care, &c.value) {
                self.unknown_ref(file, c, "医療的ケア", "care.yaml", &ids.care);
            }
        }
        if let Some(t) = &f.tel {
            self.tel(file, t);
        }
        if let Some(u) = &f.url {
            self.url(file, u, Place::DataUrl);
        }
        if let Some(u) = &f.updated {
            self.fresh_date(file, u, "更新日 (updated)");
        }
    }

    fn pages(&mut self, raw: &RawSite) {
        let mut paths: BTreeMap<&str, &str> = BTreeMap::new();
        for p in &raw.pages {
            self.non_empty(&p.file, &p.front.title, "title");
            if let Some(d) = &p.front.date {
                self.date(&p.file, d, "date");
            }
            if let Some(d) = &p.front.updated {
                self.date(&p.file, d, "updated");
            }
            if let Some(other) = paths.insert(&p.path, &p.file) {
                self.diags.push(
                    Diagnostic::error(
                        p.file.as_str(),
                        1,
                        1,
                        format!("URL {} が {other} と重なっています", p.path),
                    )
                    .hint("どちらかのファイル名を変えてください"),
                );
            }
            if p.path != "/" && crate::site::GENERATED_SECTIONS.contains(&p.section.as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        p.file.as_str(),
                        1,
                        1,
                        format!("URL {} は自動生成されるページと重なります", p.path),
                    )
                    .hint(format!("content/ に {}/ フォルダは作れません", p.section)),
                );
            }
        }
        if !raw.pages.iter().any(|p| p.path == "/") {
            self.diags.push(
                Diagnostic::error(
                    "content/index.md",
                    0,
                    0,
                    "トップページ (content/index.md) がありません",
                )
                .hint("---\\ntitle: ホーム\\n--- で始まる content/index.md を作ってください"),
            );
        }
    }
}
