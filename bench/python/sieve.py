# Sieve of Eratosthenes over a list of booleans, repeated.
def sieve(limit):
    flags = [True] * (limit + 1)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= limit:
        if flags[i]:
            j = i * i
            while j <= limit:
                flags[j] = False
                j += i
        i += 1
    count = 0
    total = 0
    for k in range(limit + 1):
        if flags[k]:
            count += 1
            total = (total + k) % 1_000_000_007
    return count, total


def main():
    count = 0
    total = 0
    for _ in range(3):
        c, t = sieve(1_000_000)
        count += c
        total = (total + t) % 1_000_000_007
    print("sieve", count, total)


main()
