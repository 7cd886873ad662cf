-- Quicksort (explicit stack held in a fixed list with a stack pointer, Lomuto partition) on
-- LCG-generated integers. Positions are 0-based like the other versions; element p is xs[p + 1].
local function main()
  local n = 200000
  local seed = 42
  local xs = {}
  for k = 1, n do
    seed = (seed * 1103515245 + 12345) % 2147483648
    xs[k] = seed % 1000000
  end
  local stack = {}
  for k = 1, 128 do
    stack[k] = 0
  end
  stack[1] = 0
  stack[2] = n - 1
  local sp = 2
  while sp > 0 do
    sp = sp - 2
    local lo = stack[sp + 1]
    local hi = stack[sp + 2]
    while lo < hi do
      local mid = (lo + hi) // 2
      local pivot = xs[mid + 1]
      xs[mid + 1] = xs[hi + 1]
      xs[hi + 1] = pivot
      local store = lo
      for k = lo, hi - 1 do
        local v = xs[k + 1]
        if v < pivot then
          xs[k + 1] = xs[store + 1]
          xs[store + 1] = v
          store = store + 1
        end
      end
      xs[hi + 1] = xs[store + 1]
      xs[store + 1] = pivot
      -- Push the larger side, keep looping on the smaller one (stack depth stays logarithmic).
      if store - lo < hi - store then
        stack[sp + 1] = store + 1
        stack[sp + 2] = hi
        hi = store - 1
      else
        stack[sp + 1] = lo
        stack[sp + 2] = store - 1
        lo = store + 1
      end
      sp = sp + 2
    end
  end
  local ordered = 1
  local check = 0
  for i = 0, n - 1 do
    if i > 0 and xs[i] > xs[i + 1] then
      ordered = 0
    end
    check = (check + xs[i + 1] * (i % 1000)) % 1000000007
  end
  print(string.format("sort %d %d", ordered, check))
end

main()
