#!/usr/bin/env bash
# Writes the committed seed corpus (fuzz/corpus/) from the fixture and sample
# sites. Run again when the data format changes; `run.sh` uses it as is.
set -euo pipefail
cd "$(dirname "$0")"
mini=../tests/fixtures/mini
rm -rf corpus && mkdir -p corpus/site_data corpus/markdown corpus/csv_import corpus/http_head

# site_data: first byte = index into FILES of fuzz_targets/site_data.rs.
files=(data/site.yaml data/regions.yaml data/municipalities.yaml data/fields.yaml
  data/care.yaml data/facility_types.yaml data/contacts/chigasaki.yaml
  data/contacts/yokohama.yaml data/facilities/yokohama.yaml content/index.md
  content/emergency/index.md)
for i in "${!files[@]}"; do
  { printf "\\x$(printf %02x "$i")"; cat "$mini/${files[$i]}"; } > "corpus/site_data/$i-$(basename "${files[$i]}")"
done
# A news page (index 11) from the sample site, and a few hostile shapes.
{ printf '\x0b'; cat ../content/news/$(ls ../content/news | grep -v _index | head -1); } > corpus/site_data/11-news.md
printf '\x06municipality: chigasaki\nupdated: 2025-04-01\nwindows:\n  - &a {name: x, field: sodan}\n  - *a\n' > corpus/site_data/6-alias.yaml
printf '\x06municipality: chigasaki\r updated: 2025-04-01\r' > corpus/site_data/6-cr.yaml
printf '\x00title: "unclosed\n' > corpus/site_data/0-quote.yaml

# markdown: every page of the sample site, without front matter handling.
for f in $(cd .. && find content -name '*.md' | sort); do
  cp "../$f" "corpus/markdown/$(echo "$f" | tr / _)"
done
printf '# y-3\n\n# y\n\n# y\n\n[a](//evil.example) ![b](javascript:alert(1))\n' > corpus/markdown/hostile.md

# csv_import: first byte even = contacts, odd = facilities.
{ printf '\x00'; cat ../examples/csv/contacts-chigasaki.csv; } > corpus/csv_import/contacts-chigasaki.csv
{ printf '\x01'; cat ../examples/csv/facilities-hakone-sjis.csv; } > corpus/csv_import/facilities-hakone-sjis.csv
for f in ../tests/fixtures/tools/*.csv; do
  { printf '\x00'; cat "$f"; } > "corpus/csv_import/$(basename "$f")"
done
# http_head: request heads a browser, a tool or an attacker sends.
printf 'GET / HTTP/1.1\r\nHost: localhost:1111\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n\r\n' > corpus/http_head/browser
printf 'GET /__ohisama/events HTTP/1.1\r\nHost: 127.0.0.1:1111\r\nAccept: text/event-stream\r\n\r\n' > corpus/http_head/events
printf 'HEAD /contacts/%%E8%%8C%%85/ HTTP/1.0\r\n\r\n' > corpus/http_head/http10
printf 'GET /../etc/passwd HTTP/1.1\r\nHost: evil.example\r\nHost: localhost\r\n\r\n' > corpus/http_head/hostile
printf 'POST / HTTP/1.1\r\nHost: [::1]:1111\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello' > corpus/http_head/body
printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' > corpus/http_head/h2
printf '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' > corpus/http_head/tls
echo "seed corpus: $(find corpus -type f | wc -l) files"
