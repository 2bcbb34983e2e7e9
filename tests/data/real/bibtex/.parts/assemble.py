# assemble JSON-string page files into a file: assemble.py OUT part1 part2 ...
import json, sys
out = sys.argv[1]
text = ""
for p in sys.argv[2:]:
    with open(p, encoding="utf-8") as f:
        s = f.read()
    s = s.strip("\n")
    text += json.loads(s)
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write(text)
print(out, "chars", len(text), "bytes", len(text.encode("utf-8")), "at-entries", sum(1 for l in text.splitlines() if l.lstrip().startswith("@")))
