#!/usr/bin/env python3
"""Where a JFR recording's CPU samples fall: by package of the running frame (self), by the project's
own methods on the stack (inclusive), and the hottest frames. Usage: jfr-top.py recording.jfr [top]"""
import collections, re, subprocess, sys

recording = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "256", recording],
                      check=True, capture_output=True, text=True).stdout
FRAME = re.compile(r"^\s+([\w$.<>]+)\(.*\)\s+line:")
samples = []
for block in text.split("jdk.ExecutionSample")[1:]:
    frames = [m.group(1) for m in map(FRAME.match, block.splitlines()) if m]
    if frames:
        samples.append(frames)
total = len(samples)
if total == 0:
    sys.exit(f"{recording}: no execution samples")

def package(method, depth=3):
    parts = method.split(".")[:-2]  # drop class and method
    return ".".join(parts[:depth])

by_package = collections.Counter(package(s[0]) for s in samples)
by_frame = collections.Counter(s[0] for s in samples)
ours = collections.Counter()
for s in samples:
    for method in set(f for f in s if f.startswith("dev.calibra.")):
        ours[method] += 1

def table(title, counter):
    print(f"| {title} | samples | share |")
    print("|---|---:|---:|")
    for name, n in counter.most_common(top):
        print(f"| `{name}` | {n} | {100 * n / total:.1f}% |")
    print()

print(f"JFR CPU samples of the registry: {total}")
print()
table("running in package (self)", by_package)
table("project method on the stack (inclusive)", ours)
table("running frame (self)", by_frame)
