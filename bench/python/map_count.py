# Word counting in a map: LCG-generated words, built into text, split and counted.
def main():
    seed = 7
    words = []
    for _ in range(300_000):
        seed = (seed * 1103515245 + 12345) % 2147483648
        words.append("w" + str(seed % 5000))
    text = " ".join(words)
    counts = {}
    for rnd in range(3):
        for word in text.split(" "):
            if word in counts:
                counts[word] += 1
            else:
                counts[word] = 1
    distinct = 0
    weighted = 0
    best = 0
    for word, c in counts.items():
        distinct += 1
        weighted = (weighted + c * len(word)) % 1_000_000_007
        if c > best:
            best = c
    print("map_count", distinct, weighted, best, counts["w42"])


main()
