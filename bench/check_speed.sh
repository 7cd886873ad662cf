#!/usr/bin/env bash
# Type-checker speed: generates a valid program of about LINES lines that exercises the checker
# (generics, traits, unions and narrowing, matches, effects, calls between cells, lambdas) and
# times `lumen check` on it (best of 3). Target: under 1 second for 50,000 lines.
#
#   bench/check_speed.sh [LINES]     (default 50,000)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-50000}
mkdir -p bench/out
python3 - "$lines" bench/out/check_large.lm <<'PY'
import sys

HEADER = '''\
effect Log
  cell write(msg: String) -> Null
end

trait Describe
  cell describe(self) -> String
  cell loud(self) -> String = upper(self.describe())
end

cell first_or[T](xs: list[T], d: T) -> T
  if length(xs) == 0
    return d
  end
  return xs[0]
end

cell largest[T: Ord](xs: list[T]) -> T?
  let mut best: T? = null
  for x in xs
    if best == null or x > best
      best = x
    end
  end
  return best
end

'''

TEMPLATE = '''\
record Item@N@
  name: String
  qty: Int = 1 where qty >= 0
  note: String? = null
end

enum Shape@N@
  Circle@N@(r: Float)
  Rect@N@(w: Float, h: Float)
  Empty@N@
end

impl Describe for Item@N@
  cell describe(self) -> String = "{self.name} x{self.qty}"
end

cell area@N@(s: Shape@N@) -> Float
  match s
    Circle@N@(r) -> return 3.14159 * r * r
    Rect@N@(w, h) if w > h -> return w * h
    Rect@N@(w, h) -> return h * w
    Empty@N@ -> return 0.0
  end
end

cell note_len@N@(item: Item@N@) -> Int
  if item.note == null
    return 0
  end
  return length(item.note)
end

cell total@N@(items: list[Item@N@], limit: Int = 10) -> Int / {Log}
  let mut sum = 0
  for item in items if item.qty > 0
    sum += item.qty * 2 + note_len@N@(item)
    if sum > limit
      perform Log.write("limit reached at {item.name}")
      break
    end
  end
  let doubled = [x * 2 for x in 0..10 if x % 2 == 0]
  let names = items |> map(fn(i) => i.loud())
  return sum + first_or(doubled, 0) + length(names)
end

cell classify@N@(x: Int | String | Null) -> String
  match x
    null -> return "nothing"
    n: Int -> return "int {n + 1}"
    s: String -> return "text " ++ s
  end
end

cell run@N@(n: Int) -> Int
  let items = [Item@N@(name: "a", qty: n), Item@N@(name: "b", note: "hi")]
  let t = handle
    total@N@(items)
  with
    Log.write(msg) => resume(null)
  end
  let best = largest([n, t, 3]) ?? 0
  let parsed = parse_int("{best}")
  let value = match parsed
    ok(v) -> v
    err(_) -> 0
  end
  print(classify@N@(value), area@N@(Rect@N@(w: 1.0, h: 2.0)))
  return value
end

'''

lines_wanted = int(sys.argv[1])
out = [HEADER]
count = HEADER.count("\n")
n = 0
while count < lines_wanted:
    block = TEMPLATE.replace("@N@", str(n))
    out.append(block)
    count += block.count("\n")
    n += 1
with open(sys.argv[2], "w") as f:
    f.write("".join(out))
PY
cargo build --release --quiet -p lumen_cli
python3 - <<'PY'
import subprocess, time
path = "bench/out/check_large.lm"
lines = sum(1 for _ in open(path))
best = None
for _ in range(3):
    start = time.perf_counter()
    subprocess.run(["target/release/lumen", "check", path], check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"lumen check: {lines} lines in {best:.3f} s (best of 3)")
PY
