-- Sieve of Eratosthenes over a list of booleans, repeated. Index k of the sieve is flags[k + 1].
local function sieve(limit)
  local flags = {}
  for k = 1, limit + 1 do
    flags[k] = true
  end
  flags[1] = false
  flags[2] = false
  local i = 2
  while i * i <= limit do
    if flags[i + 1] then
      local j = i * i
      while j <= limit do
        flags[j + 1] = false
        j = j + i
      end
    end
    i = i + 1
  end
  local count, total = 0, 0
  for k = 0, limit do
    if flags[k + 1] then
      count = count + 1
      total = (total + k) % 1000000007
    end
  end
  return count, total
end

local function main()
  local count, total = 0, 0
  for _ = 1, 3 do
    local c, t = sieve(1000000)
    count = count + c
    total = (total + t) % 1000000007
  end
  print(string.format("sieve %d %d", count, total))
end

main()
