#!/usr/bin/env bash
# Golden comparison of two revisions: do they build byte-identical sites?
#
#   bash bench/golden.sh BEFORE_REV [AFTER_REV]     # AFTER_REV defaults to HEAD
#
# Release builds of both revisions, each in a temporary `git worktree`, sharing
# one target dir (dependencies are compiled once). The BEFORE binary generates a
# nationwide site (--pages 2000 --facilities 50000 --municipalities 1741); each
# binary builds it (--no-pdf) and the sample site (PDFs on) into its own folder,
# and `diff -r` compares each pair. One line per pair; exit 1 on any difference,
# 2 on a usage or build error.
#
# The input (content/, data/) is the BEFORE revision's for both binaries; each
# binary gets its own revision's themes/ (templates are part of the code being
# compared). Every build starts from a fresh copy of its input, so no build
# reuses another's cache (.cache/). Outputs and diffs stay in $GOLDEN_WORK
# (default target/golden) for a look.
#
# Time: two release builds (~15 min each on 2 cores the first time, minutes
# after), then ~6 min for the builds of the sites.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: bash bench/golden.sh BEFORE_REV [AFTER_REV]" >&2
  exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi

resolve() {
  git rev-parse --verify --quiet "$1^{commit}" || {
    echo "golden: \`$1\` is not a commit of this repository" >&2
    exit 2
  }
}
before=$(resolve "$1")
after=$(resolve "${2:-HEAD}")

repo=$(pwd)
work=${GOLDEN_WORK:-$repo/target/golden}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target/golden-target}
trees=$(mktemp -d "${TMPDIR:-/tmp}/ohisama-golden.XXXXXX")

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for side in before after; do
    if [ -d "$trees/$side" ]; then
      git -C "$repo" worktree remove --force "$trees/$side" || true
    fi
  done
  rm -rf "$trees"
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work/bin"

# Release binary of one revision, copied out of the shared target dir (the
# next build overwrites target/release/ohisama).
build_binary() {
  local side=$1 rev=$2
  echo "golden: release build of $side ($rev)" >&2
  git -C "$repo" worktree add --quiet --detach "$trees/$side" "$rev"
  (cd "$trees/$side" && cargo build --release --locked --bin ohisama)
  cp "$CARGO_TARGET_DIR/release/ohisama" "$work/bin/ohisama-$side"
}
build_binary before "$before"
build_binary after "$after"

# A copy of an input site for one side: its content/ and data/ (and anything
# else) from $1, themes/ from that side's revision.
input_for() {
  local from=$1 side=$2 to=$3
  mkdir -p "$to"
  cp -a "$from/." "$to/"
  rm -rf "$to/themes" "$to/.cache"
  cp -a "$trees/$side/themes" "$to/themes"
}

echo "golden: generating the nationwide site with the BEFORE binary" >&2
"$work/bin/ohisama-before" generate --pages 2000 --facilities 50000 \
  --municipalities 1741 --seed 2025 --source "$trees/before" --out "$work/nationwide-input"

mkdir -p "$work/sample-input"
for sub in content data; do
  cp -a "$trees/before/$sub" "$work/sample-input/$sub"
done
for sub in content data; do
  if ! git -C "$repo" diff --quiet "$before" "$after" -- "$sub"; then
    echo "golden: note: $sub/ differs between the revisions; both build BEFORE's" >&2
  fi
done

# Builds one site with one side's binary into $work/<name>-<side>.
build_site() {
  local name=$1 side=$2
  shift 2
  local root="$work/$name-$side-root"
  input_for "$work/$name-input" "$side" "$root"
  echo "golden: $side builds $name" >&2
  "$work/bin/ohisama-$side" build --root "$root" --out "$work/$name-$side" "$@" >/dev/null
}

status=0
# Compares the two outputs of one site; one line of verdict.
compare() {
  local name=$1 what=$2
  local files
  files=$(find "$work/$name-before" -type f | wc -l)
  if diff -r -q "$work/$name-before" "$work/$name-after" >"$work/$name.diff"; then
    echo "IDENTICAL  $what: $files files"
  else
    echo "DIFFERENT  $what: $(wc -l <"$work/$name.diff") paths differ (see $work/$name.diff)"
    status=1
  fi
}

for side in before after; do
  build_site nationwide "$side" --no-pdf
  build_site sample "$side"
done

echo "golden: before $before, after $after"
compare nationwide "nationwide site (2000 pages, 50000 facilities, 1741 municipalities, --no-pdf)"
compare sample "sample site (PDFs on)"
exit "$status"
