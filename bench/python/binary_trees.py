# Binary trees: allocate and walk many small records.
class Node:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right


def make(depth):
    if depth == 0:
        return Node(None, None)
    return Node(make(depth - 1), make(depth - 1))


def check(node):
    if node.left is None:
        return 1
    return 1 + check(node.left) + check(node.right)


def main():
    max_depth = 13
    stretch = make(max_depth + 1)
    total = check(stretch)
    long_lived = make(max_depth)
    depth = 4
    while depth <= max_depth:
        iterations = 1 << (max_depth - depth + 4)
        for _ in range(iterations):
            total += check(make(depth))
        depth += 2
    total += check(long_lived)
    print("binary_trees", total)


main()
