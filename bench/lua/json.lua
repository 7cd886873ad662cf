-- JSON round trip: build nested data, encode, decode, walk the result.
-- Lua has no JSON library, so a small encoder and decoder are written here. Arrays carry the ARRAY
-- metatable (to tell them from objects) and JSON null is the NULL sentinel (nil cannot be stored).
local ARRAY = {}
local NULL = setmetatable({}, { __name = "null" })

local function array(t) return setmetatable(t, ARRAY) end

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }

local function escape_char(c)
  return escapes[c] or string.format("\\u%04x", string.byte(c))
end

local encode_into

local function encode_value(v, buf)
  local t = type(v)
  if v == NULL then
    buf[#buf + 1] = "null"
  elseif t == "boolean" then
    buf[#buf + 1] = v and "true" or "false"
  elseif t == "number" then
    if math.type(v) == "integer" then
      buf[#buf + 1] = string.format("%d", v)
    else
      buf[#buf + 1] = string.format("%.17g", v)
    end
  elseif t == "string" then
    buf[#buf + 1] = '"' .. string.gsub(v, '[%c"\\]', escape_char) .. '"'
  else
    encode_into(v, buf)
  end
end

encode_into = function(v, buf)
  if getmetatable(v) == ARRAY then
    buf[#buf + 1] = "["
    for i = 1, #v do
      if i > 1 then buf[#buf + 1] = "," end
      encode_value(v[i], buf)
    end
    buf[#buf + 1] = "]"
  else
    buf[#buf + 1] = "{"
    local first = true
    for k, x in pairs(v) do
      if not first then buf[#buf + 1] = "," end
      first = false
      encode_value(k, buf)
      buf[#buf + 1] = ":"
      encode_value(x, buf)
    end
    buf[#buf + 1] = "}"
  end
end

local function encode(v)
  local buf = {}
  encode_value(v, buf)
  return table.concat(buf)
end

local decode_value

local function skip_ws(s, i)
  return string.find(s, "[^ \t\r\n]", i) or #s + 1
end

local unescapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ['\\'] = '\\', ['/'] = '/' }

local function decode_string(s, i)
  -- s[i] is the opening quote.
  local parts = {}
  local pos = i + 1
  while true do
    local stop = string.find(s, '["\\]', pos)
    if not stop then error("unterminated string") end
    parts[#parts + 1] = string.sub(s, pos, stop - 1)
    if string.byte(s, stop) == 34 then
      return table.concat(parts), stop + 1
    end
    local e = string.sub(s, stop + 1, stop + 1)
    if e == "u" then
      parts[#parts + 1] = utf8.char(tonumber(string.sub(s, stop + 2, stop + 5), 16))
      pos = stop + 6
    else
      parts[#parts + 1] = unescapes[e] or error("bad escape")
      pos = stop + 2
    end
  end
end

decode_value = function(s, i)
  i = skip_ws(s, i)
  local c = string.byte(s, i)
  if c == 123 then -- {
    local obj = {}
    i = skip_ws(s, i + 1)
    if string.byte(s, i) == 125 then return obj, i + 1 end
    while true do
      local key
      key, i = decode_string(s, skip_ws(s, i))
      i = skip_ws(s, i)
      if string.byte(s, i) ~= 58 then error("expected ':'") end
      obj[key], i = decode_value(s, i + 1)
      i = skip_ws(s, i)
      c = string.byte(s, i)
      if c == 125 then return obj, i + 1 end
      if c ~= 44 then error("expected ',' or '}'") end
      i = i + 1
    end
  elseif c == 91 then -- [
    local arr = array({})
    i = skip_ws(s, i + 1)
    if string.byte(s, i) == 93 then return arr, i + 1 end
    while true do
      arr[#arr + 1], i = decode_value(s, i)
      i = skip_ws(s, i)
      c = string.byte(s, i)
      if c == 93 then return arr, i + 1 end
      if c ~= 44 then error("expected ',' or ']'") end
      i = i + 1
    end
  elseif c == 34 then
    return decode_string(s, i)
  elseif string.sub(s, i, i + 3) == "true" then
    return true, i + 4
  elseif string.sub(s, i, i + 4) == "false" then
    return false, i + 5
  elseif string.sub(s, i, i + 3) == "null" then
    return NULL, i + 4
  else
    local num = string.match(s, "^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if not num then error("unexpected character at " .. i) end
    return math.tointeger(tonumber(num)) or tonumber(num), i + #num
  end
end

local function decode(s)
  local v, i = decode_value(s, 1)
  if skip_ws(s, i) <= #s then error("trailing characters") end
  return v
end

local function main()
  local records = array({})
  for i = 0, 1999 do
    records[#records + 1] = {
      id = i,
      name = string.format("user%d", i),
      active = i % 3 == 0,
      tags = array({ "t" .. tostring(i % 7), "g" .. tostring(i % 11) }),
      score = i * 37 % 1000,
      parent = (i % 5 == 0) and NULL or i // 2,
    }
  end
  local doc = { version = 1, records = records }
  local total = 0
  local size = 0
  for _ = 1, 30 do
    local text = encode(doc)
    size = size + #text
    local back = decode(text)
    for _, r in ipairs(back.records) do
      total = total + r.id + r.score + #r.tags[1] + #r.name
      if r.active then
        total = total + 1
      end
      if r.parent ~= NULL then
        total = total + r.parent
      end
    end
    total = total % 1000000007
  end
  print(string.format("json %d %d", size, total))
end

main()
