"""A copy of the sample site at the input limits of docs/DATA.md 「入力の上限」,
to measure a build's peak memory (docs/DATA.md quotes the result):

    python3 bench/limits_site.py /tmp/lim 284000 3 3 1
    /usr/bin/time -v target/debug/ohisama build --root /tmp/lim

Arguments: OUT, characters of window notes to add to the printed directory
(the sample prints about 15,000 of the 300,000 allowed), number of facility
files filled to the 4 MB file limit, number of 1 MB one-line pages, number of
municipalities (in different regions) the notes are split over.
"""
import sys, shutil, os
out = sys.argv[1]
printed, nfac, npages, split = map(int, sys.argv[2:6])
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_DATA = 4 * 1024 * 1024
shutil.rmtree(out, ignore_errors=True)
for d in ['content', 'data', 'themes']:
    shutil.copytree(f'{repo}/{d}', f'{out}/{d}', symlinks=True)
kana = 'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん'
def txt(n, seed):
    return ''.join(kana[(i * 7 + seed) % len(kana)] for i in range(n))
regions = open(f'{out}/data/regions.yaml').read()
# Contacts: `printed` characters of notes, split over `split` municipalities in different regions.
slugs = ['yokohama', 'atsugi', 'odawara', 'fujisawa', 'yokosuka', 'hiratsuka'][:split]
per = printed // split
for slug in slugs:
    lines = [f'municipality: {slug}', 'updated: 2025-04-01', 'windows:']
    left, w = per, 0
    while left > 0:
        n = min(2000, left)
        lines += [f'  - name: {txt(200, w)}', '    field: sodan', '    tel: 045-000-0000',
                  '    tel_kind: direct', f'    note: {txt(n, w + 1)}']
        left -= n + 200 + 12
        w += 1
    open(f'{out}/data/contacts/{slug}.yaml', 'w').write('\n'.join(lines) + '\n')
    print(slug, w, 'windows')
# Facilities files at the size limit: facilities with every text field long.
fslugs = sorted(f[:-5] for f in os.listdir(f'{out}/data/facilities'))[:nfac]
for slug in fslugs:
    lines, i = [], 0
    size = 0
    while True:
        entry = [f'- id: {slug}-big-{i}', f'  name: {txt(200, i)}', f'  kana: {txt(200, i+1)}',
                 '  type: home-nursing', f'  municipality: {slug}', f'  address: {txt(200, i+2)}',
                 '  tel: 045-000-0000', f'  url: https://example.jp/{"x" * 1900}',
                 '  care: [ventilator]', f'  ages: {txt(200, i+3)}', f'  note: {txt(2000, i+4)}']
        e = '\n'.join(entry) + '\n'
        if size + len(e.encode()) > MAX_DATA - 100 or i >= 5000:
            break
        lines.append(e); size += len(e.encode()); i += 1
    open(f'{out}/data/facilities/{slug}.yaml', 'w').write(''.join(lines))
    print(slug, i, 'facilities', size, 'bytes')
for p in range(npages):
    body = ''.join(txt(100, k) + '。' for k in range(3300))  # one line ~ 1 MB
    text = f'---\ntitle: 長いページ{p}\n---\n{body}\n'
    while len(text.encode()) > 1024 * 1024:
        body = body[:-200]; text = f'---\ntitle: 長いページ{p}\n---\n{body}\n'
    os.makedirs(f'{out}/content/big', exist_ok=True)
    open(f'{out}/content/big/page{p}.md', 'w').write(text)
    print('page', p, len(text.encode()), 'bytes')
