#!/usr/bin/env python3
"""Writes a large, valid Lumen program for front-end benchmarks.

usage: gen_large.py LINES OUT_FILE

The program repeats a varied template (records, enums, cells with loops, matches, strings with
interpolation, lambdas, comprehensions) with fresh names until it has at least LINES lines.
"""
import sys

TEMPLATE = '''\
record Item@N@
  name: String
  qty: Int = 1 where qty >= 0
  tags: list[String] = []
end

enum Shape@N@
  Circle@N@(Float)
  Rect@N@(w: Float, h: Float)
  Empty@N@
end

cell area@N@(s: Shape@N@) -> Float
  match s
    Circle@N@(r) -> return 3.14159 * r * r
    Rect@N@(w, h) -> return w * h
    Empty@N@ -> return 0.0
  end
end

cell total@N@(items: list[Item@N@], limit: Int = 10) -> Int
  let mut sum = 0
  for item in items if item.qty > 0
    sum += item.qty * 2
    if sum > limit
      break
    end
  end
  let doubled = [x * 2 for x in 0..10 if x % 2 == 0]
  let names = items |> map(fn(i) => upper(i.name))
  print("total {sum:>8} of {length(names)} items, first {doubled[0]}")
  return sum
end

cell describe@N@(x: Int) -> String
  let label = when
    x < 0 -> "negative"
    x == 0 -> "zero"
    _ -> "positive"
  end
  return "{x} is {label}" ++ (if x > 100 then "!" else ".")
end

'''


def main():
    lines_wanted = int(sys.argv[1])
    out_path = sys.argv[2]
    per_copy = TEMPLATE.count("\n")
    copies = max(1, -(-lines_wanted // per_copy))
    with open(out_path, "w") as out:
        for n in range(copies):
            out.write(TEMPLATE.replace("@N@", str(n)))
        out.write("cell main()\n  print(describe0(42))\nend\n")
    print(f"{out_path}: {copies * per_copy + 3} lines")


if __name__ == "__main__":
    main()
