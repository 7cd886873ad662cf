# Method dispatch: three shape classes with the same methods, called in a mixed sequence.
class Circle:
    __slots__ = ("r",)

    def __init__(self, r):
        self.r = r

    def area(self):
        return 3 * self.r * self.r

    def perimeter(self):
        return 6 * self.r

    def scaled(self, k):
        return Circle(self.r * k % 100 + 1)


class Rect:
    __slots__ = ("w", "h")

    def __init__(self, w, h):
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h

    def perimeter(self):
        return 2 * (self.w + self.h)

    def scaled(self, k):
        return Rect(self.w * k % 100 + 1, self.h)


class Tri:
    __slots__ = ("a", "b", "c")

    def __init__(self, a, b, c):
        self.a = a
        self.b = b
        self.c = c

    def area(self):
        return self.a * self.b // 2

    def perimeter(self):
        return self.a + self.b + self.c

    def scaled(self, k):
        return Tri(self.a, self.b * k % 100 + 1, self.c)


def measure(shape):
    return shape.area() + shape.perimeter()


def main():
    circles = [Circle(i % 17 + 1) for i in range(100)]
    rects = [Rect(i % 13 + 1, i % 7 + 2) for i in range(100)]
    tris = [Tri(i % 11 + 3, i % 5 + 4, i % 3 + 5) for i in range(100)]
    total = 0
    for rnd in range(5000):
        for i in range(100):
            total += measure(circles[i]) + measure(rects[i]) + measure(tris[i])
        k = rnd % 7 + 2
        circles[rnd % 100] = circles[rnd % 100].scaled(k)
        rects[rnd % 100] = rects[rnd % 100].scaled(k)
        tris[rnd % 100] = tris[rnd % 100].scaled(k)
        total %= 1_000_000_007
    print("method_dispatch", total)


main()
