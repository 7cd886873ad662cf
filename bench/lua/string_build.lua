-- Strings: formatting (Lua's interpolation), concatenation, join, split, length.
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
  local total = 0
  local lengths = 0
  for rnd = 0, 39 do
    local parts = {}
    for i = 0, 9999 do
      parts[#parts + 1] = string.format("k%d=%d", i, i * rnd + 3)
    end
    local line = table.concat(parts, ",")
    lengths = lengths + #line
    for _, field in ipairs(split(line, ",")) do
      local kv = split(field, "=")
      total = (total + math.tointeger(tonumber(kv[2])) + #kv[1]) % 1000000007
    end
    local acc = ""
    for i = 0, 1999 do
      acc = acc .. tostring(i % 10) .. "-"
    end
    lengths = lengths + #acc
  end
  print(string.format("string_build %d %d", total, lengths))
end

main()
