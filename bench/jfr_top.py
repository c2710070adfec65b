#!/usr/bin/python3
"""Top costs in a JFR recording: `python3 bench/jfr_top.py <file.jfr> [N]`.

Reads `jfr print --json --events jdk.ExecutionSample` (CPU samples of running Java threads) and
prints the N most frequent self frames, the N most frequent first project frames
(gov.hms.pipeline.*) anywhere on the stack ("inclusive"), and samples per thread-name prefix.
Also counts jdk.ThreadPark / jdk.JavaMonitorWait / jdk.FileForce events (where time is waited).
"""
import collections
import json
import re
import subprocess
import sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15


def events(kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kind, path], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame):
    m = frame["method"]
    return f'{m["type"]["name"].replace("/", ".")}.{m["name"]}'


samples = events("jdk.ExecutionSample")
self_frames, inclusive, threads = collections.Counter(), collections.Counter(), collections.Counter()
for e in samples:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    if frames:
        self_frames[frame_name(frames[0])] += 1
    seen = set()
    for f in frames:
        n = frame_name(f)
        if n.startswith(("gov.hms.pipeline", "org.apache.camel", "io.vertx", "io.quarkus", "org.apache.hc",
                         "com.networknt", "com.fasterxml")):
            key = re.sub(r"\$\$.*", "", n)
            if key not in seen:
                seen.add(key)
                inclusive[key] += 1
    thread = e["values"].get("sampledThread") or {}
    name = thread.get("javaName") or thread.get("osName") or "?"
    threads[re.sub(r"[-# ]*\d+.*$", "", name)] += 1

n = len(samples) or 1
print(f"{len(samples)} execution samples")
print("\n## self (top frame)")
for k, v in self_frames.most_common(top):
    print(f"{100 * v / n:5.1f}%  {k}")
print("\n## inclusive (project and framework frames on the stack)")
for k, v in inclusive.most_common(top * 2):
    print(f"{100 * v / n:5.1f}%  {k}")
print("\n## by thread")
for k, v in threads.most_common(top):
    print(f"{100 * v / n:5.1f}%  {k}")
for kind in ("jdk.FileForce", "jdk.JavaMonitorEnter", "jdk.ThreadPark", "jdk.FileWrite"):
    try:
        evs = events(kind)
    except subprocess.CalledProcessError:
        continue
    total = 0.0
    for e in evs:
        d = e["values"].get("duration", "PT0S")
        m = re.match(r"PT(?:([\d.]+)M)?([\d.]+)?S?", d)
        total += (float(m.group(1) or 0) * 60 + float(m.group(2) or 0)) if m else 0
    print(f"\n{kind}: {len(evs)} events (over the threshold), {total:.2f} s in total")
