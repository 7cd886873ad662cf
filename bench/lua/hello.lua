-- Startup benchmark: the same program as examples/hello.lm.
local function describe(p)
  if p.moons == 1 then
    return p.name .. " has 1 moon"
  end
  return string.format("%s has %d moons", p.name, p.moons)
end

local function main()
  print("Hello, Lumen!")
  local planets = { { name = "Earth", moons = 1 }, { name = "Mars", moons = 2 }, { name = "Venus", moons = 0 } }
  local total = 0
  for _, p in ipairs(planets) do
    print(describe(p))
    total = total + p.moons
  end
  print(string.format("%d planets, %d moons in all", #planets, total))
end

main()
