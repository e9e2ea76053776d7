#!/usr/bin/env bash
# The closing table of issue #17: 30 queries as families type them, against
# the sample site, before (no expansions: the index opened without its
# expansions.json, which is exactly the engine of format 2) and after.
# Usage: bash bench/family_queries.sh [BIN] > docs/search-family-queries.md
# BIN defaults to target/debug/ohisama (built by `cargo test --no-run`).
set -euo pipefail
BIN=$(realpath "${1:-target/debug/ohisama}")
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/family-queries.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
mkdir -p "$WORK/after" "$WORK/before/.cache"
cp -r "$REPO/content" "$REPO/data" "$REPO/themes" "$WORK/after/"
cp -r "$REPO/content" "$REPO/data" "$REPO/themes" "$WORK/before/"
# `ohisama search` makes .cache/search; the copy without expansions.json has the
# same stamp (same site), so it is reused as it is: no expansions.
"$BIN" search 訪問看護 --root "$WORK/after" >/dev/null
cp -r "$WORK/after/.cache/search" "$WORK/before/.cache/search"
rm "$WORK/before/.cache/search/expansions.json"

queries=(
  胃瘻 たん吸引 痰の吸引 いろう きゅういん たんきにゅうしょ 訪看 小慢 特児 医ケア
  ショートステイ 胃ろう 放デイ 重心 NPPV 気切 じんこうこきゅうき 在宅酸素 マーゲン 児発
  身障手帳 障がい児福祉手当 "茅ヶ崎 訪問看護" "茅が崎 訪問看護" "ちがさき 訪問看護"
  "人工呼吸器 ショートステイ" ホームヘルプ "子供 医療費" 障がい たんきにゅうじょ
  じゅきゅうしゃしょう けいかんえいよう
)

# count<TAB>first result ([kind] title (municipality)) of one query
one() {
  local out count first
  out=$("$BIN" search "$2" --root "$1" --limit 1)
  count=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\)件中.*/\1/p')
  first=$(printf '%s\n' "$out" | sed -n 's/^ 1\. [0-9.]*  //p')
  if [ -z "$count" ]; then
    count=0
    first=$(printf '%s\n' "$out" | sed -n 's/^もしかして: /もしかして: /p')
  fi
  printf '%s\t%s' "$count" "${first:-—}"
}

echo "| typed | before: hits | before: first result | after: hits | after: first result |"
echo "|---|---:|---|---:|---|"
for q in "${queries[@]}"; do
  IFS=$'\t' read -r bc bf <<<"$(one "$WORK/before" "$q")"
  IFS=$'\t' read -r ac af <<<"$(one "$WORK/after" "$q")"
  echo "| $q | $bc | $bf | $ac | $af |"
done
