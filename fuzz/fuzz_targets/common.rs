//! What the file-based targets share: a scratch copy of the mini fixture site.

use std::path::{Path, PathBuf};

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// A temp folder (on tmpfs when there is one: each run writes files) holding
/// a copy of `tests/fixtures/mini` with the repository's themes at `<folder>/<sub>`.
pub fn scratch_mini_site(prefix: &str, sub: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(if Path::new("/dev/shm").is_dir() {
            "/dev/shm"
        } else {
            "/tmp"
        })
        .expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/mini");
    let root = dir.path().join(sub);
    copy_dir(&fixture, &root);
    copy_dir(&fixture.join("../../../themes"), &root.join("themes"));
    (dir, root)
}
