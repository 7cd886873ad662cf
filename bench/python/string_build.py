# Strings: interpolation, concatenation, join, split, length.
def main():
    total = 0
    lengths = 0
    for rnd in range(40):
        parts = []
        for i in range(10_000):
            parts.append(f"k{i}={i * rnd + 3}")
        line = ",".join(parts)
        lengths += len(line)
        for field in line.split(","):
            kv = field.split("=")
            total = (total + int(kv[1]) + len(kv[0])) % 1_000_000_007
        acc = ""
        for i in range(2_000):
            acc = acc + str(i % 10) + "-"
        lengths += len(acc)
    print("string_build", total, lengths)


main()
