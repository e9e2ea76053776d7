#!/usr/bin/env bash
# Issue #17 item 3, the readings spike: what readings of all kanji words
# (vibrato + IPADIC, feature `readings-spike`) cost on the 10k corpus and which
# hiragana queries they make work. Figures and decision: docs/search-readings-spike.md.
#
#   bash bench/readings_spike.sh BIN_PLAIN BIN_READINGS DICT [PAGES]
#
# BIN_PLAIN: a release `ohisama`; BIN_READINGS: the same revision built with
# `--features readings-spike`; DICT: the dictionary compiled by
# `readings_spike compile /usr/share/mecab/dic/ipadic DICT` (examples/, Debian
# `mecab-ipadic`). One corpus (PAGES pages, default
# 10000, 1,000 facilities) built three ways: plain, readings of titles,
# readings of titles and bodies. Prints build times, sizes and a table of
# queries (hits, first-query KB gzip, first result) for each.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
  echo "usage: bash bench/readings_spike.sh BIN_PLAIN BIN_READINGS DICT [PAGES]" >&2
  exit 2
fi
plain=$(realpath "$1")
readings=$(realpath "$2")
dict=$(realpath "$3")
pages=${4:-10000}
dir=$(mktemp -d "${AB_DIR:-/dev/shm}/ohisama-readings.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$plain" generate --pages "$pages" --facilities 1000 --out "$dir/site" --source . >/dev/null
for side in plain title body; do
  cp -a "$dir/site" "$dir/site-$side"
done

build() {
  local side=$1 bin=$2
  shift 2
  /usr/bin/time -f "$side: wall %e s, cpu %U+%S s, peak %M KiB" \
    env "$@" "$bin" build --root "$dir/site-$side" --out "$dir/out-$side" --no-pdf 2>&1 >/dev/null |
    grep -E "^(readings|$side):" || true
  # The build makes no tantivy index: `search` makes .cache/search (the examples read it).
  env "$@" "$bin" search --root "$dir/site-$side" 訪問看護 >/dev/null
}
build plain "$plain" OHISAMA_NONE=1
build title "$readings" OHISAMA_READINGS_DICT="$dict"
build body "$readings" OHISAMA_READINGS_DICT="$dict" OHISAMA_READINGS_BODY=1
for side in plain title body; do
  echo "$side: export $(du -sb "$dir/out-$side/search" | cut -f1) B in $(find "$dir/out-$side/search" -type f | wc -l) files, tantivy $(du -sb "$dir/site-$side/.cache/search" | cut -f1) B"
done
ls -l "$plain" "$readings" "$dict" | awk '{print $5, $9}'

queries=(
  訪問看護 "人工呼吸器 気管切開" 横浜市 短期入所 医療費助成
  じゅきゅうしゃしょう けいかんえいよう びょういん きゅうきゅうしゃ よぼうせっしゅ
  ほけんじょ やっきょく ていでん ひなんじょ がっこう しゅうがく てあて
  そうだん ほうもんしんりょう じゅうしょうしんしんしょうがいじ しょうにまんせい
)
# First-query bytes as a browser fetches them: the search page opened with
# ?q= in a fresh headless Chromium (empty profile), the files it asked the
# server for (search.js and search/*), each gzip -6 as a server would send it.
port=$((20000 + RANDOM % 20000))
first_query() {
  local side=$1 q=$2 profile log
  profile=$(mktemp -d "$dir/profile.XXXXXX")
  log="$dir/http-$side.log"
  : >"$log"
  timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$profile" \
    --virtual-time-budget=15000 --dump-dom \
    "http://127.0.0.1:$port/search/?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")" \
    >"$dir/dom.html" 2>/dev/null || true
  rm -rf "$profile"
  local bytes=0 path
  for path in $(sed -n 's/.*"GET \(\/[^ ?]*\) HTTP.*/\1/p' "$log" | sort -u); do
    case $path in
      /assets/js/search.js | /search/?*) bytes=$((bytes + $(gzip -6 -c "$dir/out-$side$path" | wc -c))) ;;
    esac
  done
  local total first
  total=$("$BIN_FOR_CLI" search "$q" --root "$dir/site-$side" --limit 1 | sed -n 's/^\([0-9]*\)件中.*/\1/p')
  first=$("$BIN_FOR_CLI" search "$q" --root "$dir/site-$side" --limit 1 | sed -n 's/^ 1\. [0-9.]*  //p')
  printf '%s\t%s\t%s' "${total:-0}" "$(python3 -c "print(f'{$bytes/1024:.1f}')")" "${first:-—}"
}
BIN_FOR_CLI=$plain
echo
echo "| query | plain: hits | plain KB | titles: hits | titles KB | bodies: hits | bodies KB | bodies: first result |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
declare -A rows firsts
for side in plain title body; do
  (cd "$dir/out-$side" && exec python3 -m http.server "$port" --bind 127.0.0.1 >>"$dir/http-$side.log" 2>&1) &
  server=$!
  sleep 1
  for q in "${queries[@]}"; do
    IFS=$'\t' read -r total kb first <<<"$(first_query "$side" "$q")"
    rows[$q]="${rows[$q]:-} | $total | $kb"
    firsts[$q]=$first
  done
  kill "$server"
  wait "$server" 2>/dev/null || true
done
for q in "${queries[@]}"; do
  echo "| $q${rows[$q]} | ${firsts[$q]} |"
done
