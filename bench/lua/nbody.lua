-- N-body simulation (5 bodies, symplectic Euler): float arithmetic on flat lists indexed by body.
-- Lists are 1-based here; body 1 is the sun.
local sqrt = math.sqrt
local PI = 3.141592653589793
local SOLAR_MASS = 4 * PI * PI
local DAYS = 365.24

local function energy(xs, ys, zs, vxs, vys, vzs, ms)
  local n = #xs
  local e = 0.0
  for i = 1, n do
    e = e + 0.5 * ms[i] * (vxs[i] * vxs[i] + vys[i] * vys[i] + vzs[i] * vzs[i])
    for j = i + 1, n do
      local dx = xs[i] - xs[j]
      local dy = ys[i] - ys[j]
      local dz = zs[i] - zs[j]
      e = e - ms[i] * ms[j] / sqrt(dx * dx + dy * dy + dz * dz)
    end
  end
  return e
end

local function main()
  local xs = {0.0, 4.84143144246472090e00, 8.34336671824457987e00, 1.28943695621391310e01, 1.53796971148509165e01}
  local ys = {0.0, -1.16032004402742839e00, 4.12479856412430479e00, -1.51111514016986312e01, -2.59193146099879641e01}
  local zs = {0.0, -1.03622044471123109e-01, -4.03523417114321381e-01, -2.23307578892655734e-01, 1.79258772950371181e-01}
  local vxs = {0.0, 1.66007664274403694e-03, -2.76742510726862411e-03, 2.96460137564761618e-03, 2.68067772490389322e-03}
  local vys = {0.0, 7.69901118419740425e-03, 4.99852801234917238e-03, 2.37847173959480950e-03, 1.62824170038242295e-03}
  local vzs = {0.0, -6.90460016972063023e-05, 2.30417297573763929e-05, -2.96589568540237556e-05, -9.51592254519715870e-05}
  local ms = {1.0, 9.54791938424326609e-04, 2.85885980666130812e-04, 4.36624404335156298e-05, 5.15138902046611451e-05}
  local n = 5
  for i = 1, n do
    vxs[i] = vxs[i] * DAYS
    vys[i] = vys[i] * DAYS
    vzs[i] = vzs[i] * DAYS
    ms[i] = ms[i] * SOLAR_MASS
  end
  -- Offset the sun's momentum so that the system's total momentum is zero.
  local px, py, pz = 0.0, 0.0, 0.0
  for i = 1, n do
    px = px + vxs[i] * ms[i]
    py = py + vys[i] * ms[i]
    pz = pz + vzs[i] * ms[i]
  end
  vxs[1] = -px / SOLAR_MASS
  vys[1] = -py / SOLAR_MASS
  vzs[1] = -pz / SOLAR_MASS

  local e0 = energy(xs, ys, zs, vxs, vys, vzs, ms)
  local dt = 0.01
  for _ = 1, 50000 do
    for i = 1, n do
      for j = i + 1, n do
        local dx = xs[i] - xs[j]
        local dy = ys[i] - ys[j]
        local dz = zs[i] - zs[j]
        local d2 = dx * dx + dy * dy + dz * dz
        local mag = dt / (d2 * sqrt(d2))
        local mi = ms[i] * mag
        local mj = ms[j] * mag
        vxs[i] = vxs[i] - dx * mj
        vys[i] = vys[i] - dy * mj
        vzs[i] = vzs[i] - dz * mj
        vxs[j] = vxs[j] + dx * mi
        vys[j] = vys[j] + dy * mi
        vzs[j] = vzs[j] + dz * mi
      end
    end
    for i = 1, n do
      xs[i] = xs[i] + dt * vxs[i]
      ys[i] = ys[i] + dt * vys[i]
      zs[i] = zs[i] + dt * vzs[i]
    end
  end
  local e1 = energy(xs, ys, zs, vxs, vys, vzs, ms)
  print(string.format("nbody %.9f %.9f", e0, e1))
end

main()
