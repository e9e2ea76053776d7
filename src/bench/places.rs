//! The municipalities and regions of the generated site: the source site's
//! real ones first, then fictional ones grouped by prefecture (one region
//! each), with valid codes and phone area codes; and their YAML files.

use super::out::yq;
use super::rng::Rng;
use super::source::read_list;
use super::words::{HEADS, PREFECTURES, TAILS};
use crate::model::{Municipality, Region, S};
use anyhow::bail;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

pub(super) struct Muni {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kana: String,
    pub(super) slug: String,
    /// Area code of its phone numbers (`045` or `0465`).
    pub(super) area: String,
}

pub(super) struct RegionDef {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) medical_area: String,
    /// Indexes into the municipalities.
    pub(super) members: Vec<usize>,
}

/// Names and slugs already used: a fictional municipality repeats neither.
#[derive(Default)]
struct Taken {
    names: BTreeSet<String>,
    slugs: BTreeSet<String>,
}

impl Taken {
    fn add(&mut self, name: &str, slug: &str) {
        self.names.insert(name.to_string());
        self.slugs.insert(slug.to_string());
    }

    fn has(&self, name: &str, slug: &str) -> bool {
        self.names.contains(name) || self.slugs.contains(slug)
    }
}

/// The municipalities and regions: the source site's real ones first, then fictional ones.
pub(super) fn municipalities(
    source: &Path,
    n: usize,
    seed: u64,
) -> anyhow::Result<(Vec<Muni>, Vec<RegionDef>)> {
    let data = source.join("data");
    let real: Vec<Municipality> = read_list::<Municipality>(&data.join("municipalities.yaml"))?
        .into_iter()
        .map(S::into_value)
        .collect();
    let real_regions: Vec<Region> = read_list::<Region>(&data.join("regions.yaml"))?
        .into_iter()
        .map(S::into_value)
        .collect();
    let mut taken = Taken::default();
    let mut munis = real_municipalities(&real, n, seed, &mut taken);
    let mut regions = regions_for(&real_regions, &munis);
    if n > munis.len() {
        add_fictional(&mut munis, &mut regions, n, seed, &mut taken)?;
    }
    Ok((munis, regions))
}

/// The first `n` real municipalities, each with a random phone area code.
fn real_municipalities(real: &[Municipality], n: usize, seed: u64, taken: &mut Taken) -> Vec<Muni> {
    let mut munis = Vec::with_capacity(n);
    for (i, m) in real.iter().take(n).enumerate() {
        let mut rng = Rng::derive(seed, "area", i as u64);
        taken.add(&m.name.value, &m.slug.value);
        munis.push(Muni {
            code: m.code.value.clone(),
            name: m.name.value.clone(),
            kana: m.kana.value.clone(),
            slug: m.slug.value.clone(),
            area: area_code(&mut rng),
        });
    }
    munis
}

/// The real regions that keep at least one of `munis`, then a region
/// 「その他」 for the municipalities no real region lists.
fn regions_for(real_regions: &[Region], munis: &[Muni]) -> Vec<RegionDef> {
    let mut regions: Vec<RegionDef> = Vec::new();
    for r in real_regions {
        let members: Vec<usize> = r
            .municipalities
            .iter()
            .filter_map(|s| munis.iter().position(|m| m.slug == s.value))
            .collect();
        if !members.is_empty() {
            regions.push(RegionDef {
                id: r.id.value.clone(),
                name: r.name.value.clone(),
                medical_area: r.medical_area.clone(),
                members,
            });
        }
    }
    let listed: BTreeSet<usize> = regions.iter().flat_map(|r| r.members.clone()).collect();
    let unlisted: Vec<usize> = (0..munis.len()).filter(|i| !listed.contains(i)).collect();
    if !unlisted.is_empty() {
        regions.push(RegionDef {
            id: "others".into(),
            name: "その他".into(),
            medical_area: "その他".into(),
            members: unlisted,
        });
    }
    regions
}

/// Fictional municipalities up to `n`, filling the prefectures the real ones
/// do not use, at least 40 per prefecture, one region per prefecture.
fn add_fictional(
    munis: &mut Vec<Muni>,
    regions: &mut Vec<RegionDef>,
    n: usize,
    seed: u64,
    taken: &mut Taken,
) -> anyhow::Result<()> {
    let used_prefs: BTreeSet<String> = munis.iter().map(|m| m.code[..2].to_string()).collect();
    let prefs: Vec<&(u32, &str, &str)> = PREFECTURES
        .iter()
        .filter(|(c, _, _)| !used_prefs.contains(&format!("{c:02}")))
        .collect();
    let fictional = n - munis.len();
    if prefs.is_empty() {
        // The source site already covers every prefecture: nowhere to put
        // fictional municipalities (and no division by zero below).
        bail!(
            "元のサイトの市町村が 47 都道府県すべてにあるため、架空の市町村を足せません (最大 {})",
            munis.len()
        );
    }
    let per_pref = fictional.div_ceil(prefs.len()).max(40);
    if per_pref > 25 + 699 {
        bail!(
            "市町村が多すぎます (最大 {})",
            munis.len() + prefs.len() * 724
        );
    }
    let region_ids: BTreeSet<String> = regions.iter().map(|r| r.id.clone()).collect();
    for j in 0..fictional {
        let &(pref_code, pref_name, pref_romaji) = prefs[j / per_pref];
        let k = j % per_pref;
        if k == 0 {
            regions.push(prefecture_region(pref_name, pref_romaji, &region_ids));
        }
        let rng = Rng::derive(seed, "municipality", j as u64);
        let muni = fictional_municipality(rng, pref_code, k, taken);
        regions
            .last_mut()
            .expect("region pushed")
            .members
            .push(munis.len());
        munis.push(muni);
    }
    Ok(())
}

/// The region of a prefecture's fictional municipalities (its id is the
/// romaji name, `-pref` added if a real region has that id).
fn prefecture_region(name: &str, romaji: &str, region_ids: &BTreeSet<String>) -> RegionDef {
    let mut id = romaji.to_string();
    if region_ids.contains(&id) {
        id.push_str("-pref");
    }
    RegionDef {
        id,
        name: name.to_string(),
        medical_area: format!("{name}全域"),
        members: Vec::new(),
    }
}

/// Municipality `k` of its prefecture: cities first (numbered 201…, the
/// first 25), then towns and villages (301…).
fn fictional_municipality(mut rng: Rng, pref_code: u32, k: usize, taken: &mut Taken) -> Muni {
    let (number, suffix) = if k < 25 {
        (201 + k, ("市", "し", "shi"))
    } else if rng.chance(80) {
        (301 + k - 25, ("町", "まち", "machi"))
    } else {
        (301 + k - 25, ("村", "むら", "mura"))
    };
    let first5 = format!("{pref_code:02}{number:03}");
    let code = format!("{first5}{}", check_digit(&first5));
    let (name, kana, slug) = fictional_name(&mut rng, suffix, taken);
    taken.add(&name, &slug);
    let area = area_code(&mut rng);
    Muni {
        code,
        name,
        kana,
        slug,
        area,
    }
}

/// (name, kana, slug) made of 2 or 3 kanji syllables and `suffix` (市/町/村
/// with its kana and romaji), drawn again until neither name nor slug is taken.
fn fictional_name(
    rng: &mut Rng,
    suffix: (&str, &str, &str),
    taken: &Taken,
) -> (String, String, String) {
    loop {
        let parts = if rng.chance(85) { 2 } else { 3 };
        let mut name = String::new();
        let mut kana = String::new();
        let mut romaji = String::new();
        for p in 0..parts {
            let (k, h, r) = if p + 1 == parts {
                *rng.pick(TAILS)
            } else {
                *rng.pick(HEADS)
            };
            name.push_str(k);
            kana.push_str(h);
            romaji.push_str(r);
        }
        name.push_str(suffix.0);
        kana.push_str(suffix.1);
        let slug = format!("{romaji}-{}", suffix.2);
        if !taken.has(&name, &slug) {
            return (name, kana, slug);
        }
    }
}

/// Check digit of a 5-digit municipality code, as `validate::municipality_code_ok` checks it.
fn check_digit(first5: &str) -> u32 {
    let d: Vec<u32> = first5.bytes().map(|b| (b - b'0') as u32).collect();
    let sum = d[0] * 6 + d[1] * 5 + d[2] * 4 + d[3] * 3 + d[4] * 2;
    (11 - sum % 11) % 10
}

/// `0AB` (3 digits, 60%) or `0ABC` with A, B ≥ 1: never a mobile or IP
/// prefix (050/070/080/090); every number made from it has 10 digits.
fn area_code(rng: &mut Rng) -> String {
    let a = rng.range(1, 9);
    let b = rng.range(1, 9);
    if rng.chance(60) {
        format!("0{a}{b}")
    } else {
        format!("0{a}{b}{}", rng.range(0, 9))
    }
}

/// A phone number of the area: 10 digits (`045-000-1234`, `0465-00-1234`).
pub(super) fn tel(rng: &mut Rng, area: &str) -> String {
    let mid = if area.len() == 3 { "000" } else { "00" };
    format!("{area}-{mid}-{:04}", rng.below(10_000))
}

/// `data/regions.yaml`.
pub(super) fn regions_yaml(regions: &[RegionDef], munis: &[Muni]) -> String {
    let mut s = String::from("# 地域 (generate)\n");
    for r in regions {
        let _ = writeln!(s, "- id: {}", r.id);
        let _ = writeln!(s, "  name: {}", yq(&r.name));
        let _ = writeln!(s, "  medical_area: {}", yq(&r.medical_area));
        s.push_str("  municipalities:\n");
        for &m in &r.members {
            let _ = writeln!(s, "    - {}", munis[m].slug);
        }
    }
    s
}

/// `data/municipalities.yaml`.
pub(super) fn municipalities_yaml(munis: &[Muni]) -> String {
    let mut s = String::from("# 市町村 (generate)\n");
    for m in munis {
        let _ = writeln!(
            s,
            "- code: \"{}\"\n  name: {}\n  kana: {}\n  slug: {}",
            m.code,
            yq(&m.name),
            yq(&m.kana),
            m.slug
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_known_codes() {
        for code in ["141003", "141305", "141500", "142018", "144029", "143821"] {
            assert_eq!(
                check_digit(&code[..5]),
                (code.as_bytes()[5] - b'0') as u32,
                "{code}"
            );
        }
    }

    /// A source site with a municipality in every prefecture used to divide
    /// by zero (issue #13: no panic on any argument).
    #[test]
    fn a_source_covering_every_prefecture_is_an_error_not_a_panic() {
        let mut munis: Vec<Muni> = PREFECTURES
            .iter()
            .map(|(c, name, romaji)| Muni {
                code: format!("{c:02}1000"),
                name: name.to_string(),
                kana: String::new(),
                slug: romaji.to_string(),
                area: "045".to_string(),
            })
            .collect();
        let real = munis.len();
        let err = add_fictional(
            &mut munis,
            &mut Vec::new(),
            real + 1,
            1,
            &mut Taken::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("47 都道府県"), "{err}");
        assert_eq!(munis.len(), real);
    }
}
