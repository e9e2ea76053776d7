//! Times the PDF directory on a full-size synthetic input: 6 regions, 33 municipalities,
//! 8 windows each (built from the test fixture's windows).
//!
//! `cargo run --release --example pdf_timing [OUT_DIR]` (OUT_DIR: also write the PDFs).

use std::path::PathBuf;
use std::time::Instant;

use ohisama::pdf::{Directory, PdfRenderer, Region};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/fixtures/pdf/directory.json")).unwrap();
    let mut dir: Directory = serde_json::from_str(&text).unwrap();

    let windows: Vec<_> = dir
        .regions
        .iter()
        .flat_map(|r| &r.municipalities)
        .flat_map(|m| m.windows.clone())
        .collect();
    let template = dir.regions[0].municipalities[0].clone();
    let sizes = [3, 5, 3, 5, 7, 10];
    let names = [
        "政令市",
        "横須賀・三浦",
        "湘南東部",
        "湘南西部",
        "県央",
        "県西",
    ];
    let mut k = 0;
    dir.regions = sizes
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (&n, name))| Region {
            id: format!("region{i}"),
            name: name.to_string(),
            medical_area: name.to_string(),
            municipalities: (0..n)
                .map(|_| {
                    k += 1;
                    let mut m = template.clone();
                    m.slug = format!("m{k}");
                    m.name = format!("架空{k}市");
                    m.windows = (0..8)
                        .map(|j| windows[(k + j) % windows.len()].clone())
                        .collect();
                    if let Some(w) = m.windows.first_mut() {
                        w.general = true;
                    }
                    m
                })
                .collect(),
        })
        .collect();

    let t = Instant::now();
    let renderer = PdfRenderer::new(&root.join("themes/default")).unwrap();
    println!("load fonts + templates: {:.2?}", t.elapsed());
    let t = Instant::now();
    let pdfs = renderer.render(&dir).unwrap_or_else(|e| panic!("{e}"));
    println!("first render, 7 PDFs in parallel: {:.2?}", t.elapsed());
    for p in &pdfs {
        println!(
            "  {:28} {:3} pages {:8} bytes",
            p.file_name,
            p.pages,
            p.bytes.len()
        );
    }
    // A changed input (as in `serve` after an edit): memoised layout is partly reused.
    dir.regions[5].municipalities[0].windows[0]
        .name
        .push_str("(変更)");
    let t = Instant::now();
    renderer.render(&dir).unwrap();
    println!("re-render after a one-window edit: {:.2?}", t.elapsed());

    if let Some(out) = std::env::args_os().nth(1) {
        let out = PathBuf::from(out);
        std::fs::create_dir_all(&out).unwrap();
        for p in &pdfs {
            std::fs::write(out.join(&p.file_name), &p.bytes).unwrap();
        }
    }
}
