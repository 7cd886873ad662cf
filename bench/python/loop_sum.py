# Tight integer loop: arithmetic, modulo, a branch.
def main():
    total = 0
    for i in range(5_000_000):
        if i % 3 == 0:
            total = (total + i * 7) % 1_000_000_007
        else:
            total = (total + i) % 1_000_000_007
    print("loop_sum", total)


main()
