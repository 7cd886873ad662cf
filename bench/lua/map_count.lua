-- Word counting in a map: LCG-generated words, built into text, split and counted.
local function split(s, sep)
  local out = {}
  local start = 1
  while true do
    local at = string.find(s, sep, start, true)
    if not at then
      out[#out + 1] = string.sub(s, start)
      return out
    end
    out[#out + 1] = string.sub(s, start, at - 1)
    start = at + #sep
  end
end

local function main()
  local seed = 7
  local words = {}
  for k = 1, 300000 do
    seed = (seed * 1103515245 + 12345) % 2147483648
    words[k] = "w" .. tostring(seed % 5000)
  end
  local text = table.concat(words, " ")
  local counts = {}
  for _ = 1, 3 do
    for _, word in ipairs(split(text, " ")) do
      local c = counts[word]
      if c then
        counts[word] = c + 1
      else
        counts[word] = 1
      end
    end
  end
  -- Lua tables are unordered: the checksum does not depend on iteration order.
  local distinct, weighted, best = 0, 0, 0
  for word, c in pairs(counts) do
    distinct = distinct + 1
    weighted = (weighted + c * #word) % 1000000007
    if c > best then
      best = c
    end
  end
  print(string.format("map_count %d %d %d %d", distinct, weighted, best, counts["w42"]))
end

main()
