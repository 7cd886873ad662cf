#!/usr/bin/env bash
# Front-end speed: generates a large program and times `lumen check` on it (best of 3).
# Prints lines per minute.
#
#   bench/parse_speed.sh [LINES]     (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
mkdir -p bench/out
python3 bench/gen_large.py "$lines" bench/out/large.lm
cargo build --release --quiet -p lumen_cli
python3 - <<'PY'
import subprocess, time
path = "bench/out/large.lm"
lines = sum(1 for _ in open(path))
best = None
for _ in range(3):
    start = time.perf_counter()
    subprocess.run(["target/release/lumen", "check", path], check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"lumen check: {lines} lines in {best:.3f} s (best of 3) = {lines / best * 60:,.0f} lines/minute")
PY
