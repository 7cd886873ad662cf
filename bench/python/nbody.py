# N-body simulation (5 bodies, symplectic Euler): float arithmetic on flat lists indexed by body.
import math

PI = 3.141592653589793
SOLAR_MASS = 4 * PI * PI
DAYS = 365.24


def energy(xs, ys, zs, vxs, vys, vzs, ms):
    n = len(xs)
    e = 0.0
    for i in range(n):
        e += 0.5 * ms[i] * (vxs[i] * vxs[i] + vys[i] * vys[i] + vzs[i] * vzs[i])
        for j in range(i + 1, n):
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            dz = zs[i] - zs[j]
            e -= ms[i] * ms[j] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def main():
    xs = [0.0, 4.84143144246472090e00, 8.34336671824457987e00, 1.28943695621391310e01, 1.53796971148509165e01]
    ys = [0.0, -1.16032004402742839e00, 4.12479856412430479e00, -1.51111514016986312e01, -2.59193146099879641e01]
    zs = [0.0, -1.03622044471123109e-01, -4.03523417114321381e-01, -2.23307578892655734e-01, 1.79258772950371181e-01]
    vxs = [0.0, 1.66007664274403694e-03, -2.76742510726862411e-03, 2.96460137564761618e-03, 2.68067772490389322e-03]
    vys = [0.0, 7.69901118419740425e-03, 4.99852801234917238e-03, 2.37847173959480950e-03, 1.62824170038242295e-03]
    vzs = [0.0, -6.90460016972063023e-05, 2.30417297573763929e-05, -2.96589568540237556e-05, -9.51592254519715870e-05]
    ms = [1.0, 9.54791938424326609e-04, 2.85885980666130812e-04, 4.36624404335156298e-05, 5.15138902046611451e-05]
    n = 5
    for i in range(n):
        vxs[i] = vxs[i] * DAYS
        vys[i] = vys[i] * DAYS
        vzs[i] = vzs[i] * DAYS
        ms[i] = ms[i] * SOLAR_MASS
    # Offset the sun's momentum so that the system's total momentum is zero.
    px = 0.0
    py = 0.0
    pz = 0.0
    for i in range(n):
        px += vxs[i] * ms[i]
        py += vys[i] * ms[i]
        pz += vzs[i] * ms[i]
    vxs[0] = -px / SOLAR_MASS
    vys[0] = -py / SOLAR_MASS
    vzs[0] = -pz / SOLAR_MASS

    e0 = energy(xs, ys, zs, vxs, vys, vzs, ms)
    dt = 0.01
    for _ in range(50_000):
        for i in range(n):
            for j in range(i + 1, n):
                dx = xs[i] - xs[j]
                dy = ys[i] - ys[j]
                dz = zs[i] - zs[j]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                mi = ms[i] * mag
                mj = ms[j] * mag
                vxs[i] -= dx * mj
                vys[i] -= dy * mj
                vzs[i] -= dz * mj
                vxs[j] += dx * mi
                vys[j] += dy * mi
                vzs[j] += dz * mi
        for i in range(n):
            xs[i] += dt * vxs[i]
            ys[i] += dt * vys[i]
            zs[i] += dt * vzs[i]
    e1 = energy(xs, ys, zs, vxs, vys, vzs, ms)
    print(f"nbody {e0:.9f} {e1:.9f}")


main()
