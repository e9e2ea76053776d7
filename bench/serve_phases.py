#!/usr/bin/env python3
"""Save -> live-reload event latency of `ohisama serve`, with the medians of
the rebuild phases it logs (OHISAMA_TIMINGS=1). One server, one file, N saves.

  python3 bench/serve_phases.py BIN ROOT FILE [N] [--port P] [--pause S] [--break]

BIN: an ohisama binary (release); ROOT: a site folder (a copy: FILE is edited
and restored); FILE: relative to ROOT. Each save appends a line (a YAML
comment, a CSS comment or a markdown paragraph); with --break each round
saves a broken version (an `error` event) and then a fixed one (`reload`).
--pause: seconds between saves (default 1.5; more than the background search
export on a large site, or it competes with the next rebuild).
Prints p50/p90/max per event and the p50/p90 of each phase. Say the load
average (`uptime`) with the figures: the machine is shared.
examples/serve_bench.rs is the benchmark against `hugo server`; this is
the quick per-phase view used while cutting phases (issue #20)."""
import argparse, os, re, signal, socket, statistics, subprocess, sys, tempfile, time

a = argparse.ArgumentParser()
a.add_argument("bin"); a.add_argument("root"); a.add_argument("file")
a.add_argument("n", nargs="?", type=int, default=10)
a.add_argument("--port", type=int, default=18790)
a.add_argument("--pause", type=float, default=1.5)
a.add_argument("--break", dest="broken", action="store_true")
o = a.parse_args()
log = tempfile.NamedTemporaryFile(prefix="serve-phases-", suffix=".log", delete=False)
env = dict(os.environ, OHISAMA_TIMINGS="1")
server = subprocess.Popen([o.bin, "serve", "--root", o.root, "--port", str(o.port)],
                          stdout=subprocess.DEVNULL, stderr=log, env=env)
path = os.path.join(o.root, o.file)
orig = open(path, "rb").read()
try:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", o.port)).close(); break
        except OSError:
            time.sleep(0.1)
    s = socket.create_connection(("127.0.0.1", o.port))
    s.sendall(b"GET /__ohisama/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % o.port)
    buf = b""
    def next_event():
        global buf
        while True:
            i = buf.find(b"\n\n")
            if i >= 0:
                block, buf = buf[:i], buf[i + 2:]
                for line in block.decode(errors="replace").split("\n"):
                    if line.startswith("event: "):
                        return line[7:]
                continue
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("the event stream closed")
            buf += chunk
    while next_event() != "hello":
        pass
    time.sleep(3)  # the first build's search export
    yaml, css = path.endswith(".yaml"), path.endswith(".css")
    def line(word, k):
        if yaml: return f"\n# {word} {k}\n".encode()
        if css: return f"\n/* {word} {k} */\n".encode()
        return f"\n{word} {k} {time.time()}\n".encode()
    lat, phases = {}, {}
    for k in range(o.n):
        time.sleep(o.pause)
        pos = os.path.getsize(log.name)
        if o.broken:
            bad = b"\n  bad: [\n" if yaml else b"\n[dead](/no-such-page-%d/)\n" % k
            steps = [orig + bad, orig + line("fix", k)]
        else:
            steps = [open(path, "rb").read() + line("edit", k)]
        for data in steps:
            t0 = time.monotonic()
            with open(path, "wb") as f:
                f.write(data)
            name = next_event()
            lat.setdefault(name, []).append((time.monotonic() - t0) * 1e3)
            time.sleep(0.3)
        with open(log.name, "rb") as f:
            f.seek(pos)
            text = f.read().decode(errors="replace")
        for m in re.finditer(r"timing (.+?)\s+([0-9.]+) ms", text):
            phases.setdefault(m.group(1).strip(), []).append(float(m.group(2)))
finally:
    open(path, "wb").write(orig)
    server.send_signal(signal.SIGTERM); server.wait()
    os.unlink(log.name)
def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
print(f"{o.file} on {o.root}, {o.n} saves, load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
for name, v in lat.items():
    print(f"  {name:7} p50 {statistics.median(v):6.0f} ms  p90 {pct(v, .9):6.0f}  max {max(v):6.0f}  (n={len(v)})")
for name, v in phases.items():
    print(f"    {name:20} p50 {statistics.median(v):6.1f}  p90 {pct(v, .9):6.1f}  (n={len(v)})")
