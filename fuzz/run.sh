#!/usr/bin/env bash
# Coverage-guided fuzzing of ohisama's parsers with cargo-fuzz (libFuzzer):
#   site_data   the YAML loader + validator (`check`) on a mutated data file or page
#   markdown    the markdown renderer (no unsafe href/src, unique heading ids)
#   csv_import  `import` of any bytes (a refused import writes nothing)
#   http_head   the preview server's request-head parser
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 450 s each)
#
# Not part of `cargo test`: it needs a nightly toolchain (rustup) and
# installs cargo-fuzz from crates.io when missing. The committed seeds are in
# fuzz/corpus/<target>; the grown corpus goes to target/fuzz-corpus/<target>
# (not committed), each target's libFuzzer log to target/fuzz-logs/; crashes go to fuzz/artifacts/<target>/ and make the script
# exit 1. A crash is fixed with a regression test in tests/, then its input
# is added to fuzz/corpus/<target>.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-450}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(site_data markdown csv_import http_head)

rustup toolchain list | grep -q '^nightly' || {
  echo "nightly toolchain missing: rustup toolchain install nightly --profile minimal" >&2
  exit 2
}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/../target/fuzz}
# Overflow checks and debug assertions on; no sanitizer (safe Rust: the
# address sanitizer would only slow the search down).
cargo +nightly fuzz build -O -a --sanitizer none

report=()
status=0
for t in "${targets[@]}"; do
  work=$CARGO_TARGET_DIR/../fuzz-corpus/$t
  mkdir -p "$work" "artifacts/$t"
  log=$CARGO_TARGET_DIR/../fuzz-logs/$t.log
  mkdir -p "$(dirname "$log")"
  max_len=65536
  [ "$t" = http_head ] && max_len=8192
  set +e
  cargo +nightly fuzz run -O -a --sanitizer none "$t" "$work" "corpus/$t" -- \
    -max_total_time="$secs" -max_len=$max_len -rss_limit_mb=3072 -timeout=20 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1
  rc=$?
  set -e
  # (|| true: a log without the line, e.g. a failed build, must not end the loop)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  crashes=$(find "artifacts/$t" -type f | wc -l)
  report+=("$t: ${execs:-?} executions in ${secs} s, ${cov:-cov ?}, corpus $(find "$work" -type f | wc -l) inputs, artifacts $crashes, exit $rc")
  if [ $rc -ne 0 ]; then
    status=1
    echo "--- $t failed; the end of its log:" >&2
    tail -40 "$log" >&2
  fi
  echo "${report[-1]}"
done
printf '%s\n' "${report[@]}"
exit $status
