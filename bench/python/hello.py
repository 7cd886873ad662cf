# Startup benchmark: the same program as examples/hello.lm.
class Planet:
    def __init__(self, name, moons):
        self.name = name
        self.moons = moons


def describe(p):
    if p.moons == 1:
        return f"{p.name} has 1 moon"
    return f"{p.name} has {p.moons} moons"


def main():
    print("Hello, Lumen!")
    planets = [Planet(name="Earth", moons=1), Planet(name="Mars", moons=2), Planet(name="Venus", moons=0)]
    total = 0
    for p in planets:
        print(describe(p))
        total += p.moons
    print(f"{len(planets)} planets, {total} moons in all")


main()
