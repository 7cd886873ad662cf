-- Binary trees: allocate and walk many small records (tables with two fields).
local function make(depth)
  if depth == 0 then
    return { left = nil, right = nil }
  end
  return { left = make(depth - 1), right = make(depth - 1) }
end

local function check(node)
  if node.left == nil then
    return 1
  end
  return 1 + check(node.left) + check(node.right)
end

local function main()
  local max_depth = 13
  local stretch = make(max_depth + 1)
  local total = check(stretch)
  local long_lived = make(max_depth)
  local depth = 4
  while depth <= max_depth do
    local iterations = 1 << (max_depth - depth + 4)
    for _ = 1, iterations do
      total = total + check(make(depth))
    end
    depth = depth + 2
  end
  total = total + check(long_lived)
  print(string.format("binary_trees %d", total))
end

main()
