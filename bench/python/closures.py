# Higher-order functions: map / filter / reduce with lambdas and captured variables.
from functools import reduce


def make_adder(k):
    return lambda x: x + k


def main():
    xs = list(range(1000))
    total = 0
    for rnd in range(2000):
        add = make_adder(rnd)
        ys = list(map(add, xs))
        zs = list(filter(lambda y: y % 3 != 0, ys))
        ws = list(map(lambda z: z * 2 + rnd, zs))
        total = (total + reduce(lambda acc, w: (acc + w) % 1_000_003, ws, 0)) % 1_000_000_007
    print("closures", total)


main()
