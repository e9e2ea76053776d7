#!/usr/bin/env bash
# Packs the release build of one target: ohisama-<version>-<target>.zip (Windows)
# or .tar.gz, holding the program, the README, the licence and the data guide,
# and writes its SHA-256 line (`<hash>  <file>`, as `sha256sum -c` reads it).
# Used by .github/workflows/release.yml; runs on Linux, macOS and Windows (Git Bash).
set -euo pipefail
target=$1
version=${2:-dev}
name="ohisama-${version}-${target}"
exe=ohisama
case "$target" in *windows*) exe=ohisama.exe ;; esac

stage=$(mktemp -d)
mkdir "$stage/$name"
cp "target/$target/release/$exe" "$stage/$name/"
cp README.md LICENSE "$stage/$name/"
cp docs/DATA.md "$stage/$name/DATA.md"

case "$target" in
  *windows*)
    archive="$name.zip"
    (cd "$stage" && 7z a -tzip -bso0 "$OLDPWD/$archive" "$name")
    ;;
  *)
    archive="$name.tar.gz"
    tar -C "$stage" -czf "$archive" "$name"
    ;;
esac

if command -v sha256sum >/dev/null 2>&1; then
  sha256sum "$archive" > "$archive.sha256"
else
  shasum -a 256 "$archive" > "$archive.sha256"
fi
cat "$archive.sha256"
