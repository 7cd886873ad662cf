# Quicksort (explicit stack held in a fixed list with a stack pointer, Lomuto partition) on
# LCG-generated integers.
def main():
    n = 200_000
    seed = 42
    xs = []
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        xs.append(seed % 1_000_000)
    stack = [0] * 128
    stack[0] = 0
    stack[1] = n - 1
    sp = 2
    while sp > 0:
        sp -= 2
        lo = stack[sp]
        hi = stack[sp + 1]
        while lo < hi:
            mid = (lo + hi) // 2
            pivot = xs[mid]
            xs[mid] = xs[hi]
            xs[hi] = pivot
            store = lo
            for k in range(lo, hi):
                v = xs[k]
                if v < pivot:
                    xs[k] = xs[store]
                    xs[store] = v
                    store += 1
            xs[hi] = xs[store]
            xs[store] = pivot
            # Push the larger side, keep looping on the smaller one (stack depth stays logarithmic).
            if store - lo < hi - store:
                stack[sp] = store + 1
                stack[sp + 1] = hi
                hi = store - 1
            else:
                stack[sp] = lo
                stack[sp + 1] = store - 1
                lo = store + 1
            sp += 2
    ordered = 1
    check = 0
    for i in range(n):
        if i > 0 and xs[i - 1] > xs[i]:
            ordered = 0
        check = (check + xs[i] * (i % 1000)) % 1_000_000_007
    print("sort", ordered, check)


main()
