-- Method dispatch: three shape "classes" (metatables with __index) sharing method names.
local Circle = {}
Circle.__index = Circle
function Circle.new(r) return setmetatable({ r = r }, Circle) end
function Circle:area() return 3 * self.r * self.r end
function Circle:perimeter() return 6 * self.r end
function Circle:scaled(k) return Circle.new(self.r * k % 100 + 1) end

local Rect = {}
Rect.__index = Rect
function Rect.new(w, h) return setmetatable({ w = w, h = h }, Rect) end
function Rect:area() return self.w * self.h end
function Rect:perimeter() return 2 * (self.w + self.h) end
function Rect:scaled(k) return Rect.new(self.w * k % 100 + 1, self.h) end

local Tri = {}
Tri.__index = Tri
function Tri.new(a, b, c) return setmetatable({ a = a, b = b, c = c }, Tri) end
function Tri:area() return self.a * self.b // 2 end
function Tri:perimeter() return self.a + self.b + self.c end
function Tri:scaled(k) return Tri.new(self.a, self.b * k % 100 + 1, self.c) end

local function measure(shape)
  return shape:area() + shape:perimeter()
end

local function main()
  local circles, rects, tris = {}, {}, {}
  for i = 0, 99 do
    circles[i + 1] = Circle.new(i % 17 + 1)
    rects[i + 1] = Rect.new(i % 13 + 1, i % 7 + 2)
    tris[i + 1] = Tri.new(i % 11 + 3, i % 5 + 4, i % 3 + 5)
  end
  local total = 0
  for rnd = 0, 4999 do
    for i = 1, 100 do
      total = total + measure(circles[i]) + measure(rects[i]) + measure(tris[i])
    end
    local k = rnd % 7 + 2
    local j = rnd % 100 + 1
    circles[j] = circles[j]:scaled(k)
    rects[j] = rects[j]:scaled(k)
    tris[j] = tris[j]:scaled(k)
    total = total % 1000000007
  end
  print(string.format("method_dispatch %d", total))
end

main()
