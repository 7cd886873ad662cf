-- Higher-order functions: map / filter / reduce with closures (written here: Lua has none built in).
local function map(xs, f)
  local out = {}
  for i = 1, #xs do
    out[i] = f(xs[i])
  end
  return out
end

local function filter(xs, p)
  local out = {}
  local n = 0
  for i = 1, #xs do
    local x = xs[i]
    if p(x) then
      n = n + 1
      out[n] = x
    end
  end
  return out
end

local function reduce(xs, f, init)
  local acc = init
  for i = 1, #xs do
    acc = f(acc, xs[i])
  end
  return acc
end

local function make_adder(k)
  return function(x) return x + k end
end

local function main()
  local xs = {}
  for i = 0, 999 do
    xs[i + 1] = i
  end
  local total = 0
  for rnd = 0, 1999 do
    local add = make_adder(rnd)
    local ys = map(xs, add)
    local zs = filter(ys, function(y) return y % 3 ~= 0 end)
    local ws = map(zs, function(z) return z * 2 + rnd end)
    total = (total + reduce(ws, function(acc, w) return (acc + w) % 1000003 end, 0)) % 1000000007
  end
  print(string.format("closures %d", total))
end

main()
