# JSON round trip: build nested data, encode, decode, walk the result.
import sys

# This file is named json.py: keep its own directory off the import path so that the
# standard library module is the one imported.
sys.path = [p for p in sys.path if p not in ("", sys.path[0])]
import json  # noqa: E402


def main():
    records = []
    for i in range(2000):
        records.append({
            "id": i,
            "name": f"user{i}",
            "active": i % 3 == 0,
            "tags": ["t" + str(i % 7), "g" + str(i % 11)],
            "score": i * 37 % 1000,
            "parent": None if i % 5 == 0 else i // 2,
        })
    doc = {"version": 1, "records": records}
    total = 0
    length = 0
    for rnd in range(30):
        text = json.dumps(doc, separators=(",", ":"))
        length += len(text)
        back = json.loads(text)
        for r in back["records"]:
            total += r["id"] + r["score"] + len(r["tags"][0]) + len(r["name"])
            if r["active"]:
                total += 1
            if r["parent"] is not None:
                total += r["parent"]
        total %= 1_000_000_007
    print("json", length, total)


main()
