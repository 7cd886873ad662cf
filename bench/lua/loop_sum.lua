-- Tight integer loop: arithmetic, modulo, a branch.
local function main()
  local total = 0
  for i = 0, 5000000 - 1 do
    if i % 3 == 0 then
      total = (total + i * 7) % 1000000007
    else
      total = (total + i) % 1000000007
    end
  end
  print(string.format("loop_sum %d", total))
end

main()
