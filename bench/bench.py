#!/usr/bin/python3
"""Benchmark driver for the Policy Deployment Pipeline (see docs/bench.md and BENCHMARKS.md).

Runs with Debian's /usr/bin/python3 (python3-qpid-proton for the queue scenario) and wrk.
Starts one JDK receiver (bench/Receiver.java: /target, /s1, /s2, /s3) and the service jar from a
temporary working directory (so the repo's config/application.properties is not read), with the
bench baseline route (routes/bench-baseline.camel.yaml) switched on. Writes raw results as JSON
to bench/results/<timestamp>.json and a Markdown summary to stdout.

Environment knobs: RUNS (3), DURATION seconds per wrk run (10), WARMUP seconds (60; and one unreported run of 500 for c and d), N_FILES (2000), N_MESSAGES (2000),
CONCURRENCY (1,16,64: for scenario a),
SCENARIOS (comma list of a,b,c,d,e,f; default a..e; f = fan-out to FANOUT_SIZES targets, 10,100,1000,
each answering after FANOUT_DELAY_MS, 0),
EXTRA_PROPS (key=value ...),
JVM_OPTS (for the service JVM), JFR=1 to record a JFR profile (jcmd JFR.start/stop)
over the first pipeline run of (a) at concurrency 16 into bench/results/scenario-a-c16.jfr, and over
the first run of (c) and (d) into scenario-c.jfr and scenario-d.jfr.
"""
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "target", "quarkus-app", "quarkus-run.jar")
RUNS = int(os.environ.get("RUNS", "3"))
DURATION = int(os.environ.get("DURATION", "10"))
# Seconds of unreported load before the first run: on 2 shared cores the JIT needs more than a
# minute (with 30 s, each of three runs was faster than the one before).
WARMUP = int(os.environ.get("WARMUP", "60"))
N_FILES = int(os.environ.get("N_FILES", "2000"))
N_MESSAGES = int(os.environ.get("N_MESSAGES", "2000"))
CONCURRENCY = [int(c) for c in os.environ.get("CONCURRENCY", "1,16,64").split(",")]
SCENARIOS = set(os.environ.get("SCENARIOS", "a,b,c,d,e").split(","))
CLK_TCK = os.sysconf("SC_CLK_TCK")
RESULTS = {"machine": {}, "scenarios": {}}


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ms(pid):
    """utime+stime of a process (all threads) in milliseconds, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / CLK_TCK


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def http(url, data=None, timeout=5):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def policy(policy_id, size):
    """An approved policy of about `size` bytes (the content field is padded)."""
    doc = {"id": policy_id, "title": "Benchmark policy", "content": "", "version": "1.0.0",
           "effectiveDate": "2024-10-01", "status": "approved", "jurisdiction": "US-HHS",
           "tags": ["bench"], "approval": {"approvedBy": "bench@example.gov",
                                           "approvedAt": "2024-09-12T14:30:00Z", "reviewId": "B-1"}}
    base = len(json.dumps(doc))
    words = "Policy text for benchmarking the deployment pipeline. "
    doc["content"] = (words * (size // len(words) + 1))[: max(1, size - base)]
    return json.dumps(doc).encode()


class Receiver:
    def __init__(self):
        self.port = free_port()
        # FANOUT_DELAY_MS: each fan-out target (/t/<n>) answers after that long, as a remote system would.
        self.proc = subprocess.Popen(["java", "-Xmx256m", "-Dsun.net.httpserver.nodelay=true",
                                      # 32 threads, as for every scenario; 128 when targets take their time
                                      "-Dreceiver.threads=" + ("128" if os.environ.get("FANOUT_DELAY_MS", "0") != "0" else "32"),
                                      os.path.join(ROOT, "bench", "Receiver.java"),
                                      str(self.port), os.environ.get("FANOUT_DELAY_MS", "0")], stdout=subprocess.PIPE)
        self.proc.stdout.readline()  # "receiver on <port>"
        self.url = f"http://127.0.0.1:{self.port}"

    def stats(self):
        _, body = http(self.url + "/stats")
        out = {}
        for line in body.decode().splitlines():
            path, count, last = line.split()
            out[path] = (int(count), int(last))
        return out

    def reset(self):
        http(self.url + "/reset", b"")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Service:
    """The service jar, started from a fresh temporary working directory."""

    def __init__(self, receiver, extra=None, jvm=None, name="svc"):
        self.dir = tempfile.mkdtemp(prefix=f"bench-{name}-")
        self.port = free_port()
        self.broker_port = free_port()
        self.inbox = os.path.join(self.dir, "inbox")
        os.makedirs(self.inbox)
        props = {
            "quarkus.http.port": self.port,
            "pipeline.security.enabled": "false",
            "pipeline.targets.registry.enabled": "false",
            "pipeline.subscribers.events.enabled": "false",
            "pipeline.targets.bench.url": receiver.url + "/target",
            "pipeline.targets.bench.format": "json",
            "pipeline.subscribers.s1.url": receiver.url + "/s1",
            "pipeline.subscribers.s2.url": receiver.url + "/s2",
            "pipeline.subscribers.s3.url": receiver.url + "/s3",
            "pipeline.audit.file": os.path.join(self.dir, "audit", "audit.jsonl"),
            "pipeline.inbox.dir": self.inbox,
            "pipeline.inbox.quiet-period": "1s",
            "pipeline.broker.url": f"tcp://127.0.0.1:{self.broker_port}",
            "pipeline.broker.data-dir": os.path.join(self.dir, "broker"),
            "pipeline.registry.dir": os.path.join(self.dir, "registry"),
            "pipeline.validation.schema": os.path.join(ROOT, "config", "policy.schema.json"),
            "bench.baseline.enabled": "true",
            "bench.baseline.target-url": receiver.url + "/target",
            "bench.baseline.subscriber1-url": receiver.url + "/s1",
            "bench.baseline.subscriber2-url": receiver.url + "/s2",
            "bench.baseline.subscriber3-url": receiver.url + "/s3",
            "quarkus.log.category.\"gov.hms.pipeline\".level": "WARN",
        }
        props.update(extra or {})
        props.update(kv.split("=", 1) for kv in os.environ.get("EXTRA_PROPS", "").split())
        self.cmd = (["java"] + (jvm or []) + os.environ.get("JVM_OPTS", "").split()
                    + [f"-D{k}={v}" for k, v in props.items()] + ["-jar", JAR])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, "service.log"), "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, LC_ALL="C.UTF-8"))
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"service exited, see {self.dir}/service.log")
            try:
                if http(self.url + "/q/health/ready", timeout=1)[0] == 200:
                    break
            except Exception:
                pass
            time.sleep(0.05)
        self.ready_s = time.monotonic() - t0
        log(f"service {name} ready in {self.ready_s:.2f}s (pid {self.proc.pid}, dir {self.dir})")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        if os.environ.get("KEEP") != "1":  # its audit log, packages and service.log; KEEP=1 keeps them
            shutil.rmtree(self.dir, ignore_errors=True)


def wrk(url, body_file, conns, duration, rss_of=None):
    threads = 1 if conns == 1 else 2
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "10s", "--latency",
           "-s", os.path.join(ROOT, "bench", "post.lua"), url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=dict(os.environ, BODY_FILE=body_file))
    peak_rss = 0.0
    while proc.poll() is None:
        if rss_of:
            peak_rss = max(peak_rss, rss_mb(rss_of))
        time.sleep(0.5)
    out = proc.stdout.read()

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": ms("50"),
            "p99_ms": ms("99"), "requests": requests, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "", "peak_rss_mb": peak_rss}


def measure(svc, receiver, path, body_file, conns):
    """One wrk run; CPU of the JVM and the receiver per completed request."""
    c0, r0 = cpu_ms(svc.pid), cpu_ms(receiver.proc.pid)
    res = wrk(svc.url + path, body_file, conns, DURATION, rss_of=svc.pid)
    c1, r1 = cpu_ms(svc.pid), cpu_ms(receiver.proc.pid)
    n = max(1, res["requests"])
    res.update(cpu_ms_per_req=(c1 - c0 + r1 - r0) / n, jvm_cpu_ms_per_req=(c1 - c0) / n,
               receiver_cpu_ms_per_req=(r1 - r0) / n, loadavg=loadavg())
    return res


def median_of(runs):
    keys = ["rps", "p50_ms", "p99_ms", "cpu_ms_per_req", "jvm_cpu_ms_per_req", "receiver_cpu_ms_per_req",
            "peak_rss_mb"]
    return {k: statistics.median(r[k] for r in runs) for k in keys if all(k in r for r in runs)}


@contextlib.contextmanager
def jfr_recording(svc, file_name, enabled):
    """JFR (settings=profile) over the block, into bench/results/<file_name>, when enabled."""
    if not enabled:
        yield
        return
    jfr = os.path.join(ROOT, "bench", "results", file_name)
    os.makedirs(os.path.dirname(jfr), exist_ok=True)
    subprocess.run(["jcmd", str(svc.pid), "JFR.start", "name=bench", "settings=profile"], check=True,
                   capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["jcmd", str(svc.pid), "JFR.stop", "name=bench", f"filename={jfr}"], check=True,
                       capture_output=True)
        log(f"JFR recording: {jfr}")


def http_pair(name, svc, receiver, body_file, conns):
    """RUNS interleaved runs of the pipeline (POST /api/policies) and the baseline (POST /bench/relay)."""
    pipe, base = [], []
    for i in range(RUNS):
        profile = os.environ.get("JFR") == "1" and name.startswith("a ") and conns == 16 and i == 0
        with jfr_recording(svc, "scenario-a-c16.jfr", profile):  # one pipeline run (BENCHMARKS.md, "Profile")
            pipe.append(measure(svc, receiver, "/api/policies", body_file, conns))
        base.append(measure(svc, receiver, "/bench/relay", body_file, conns))
        for r in (pipe[-1], base[-1]):
            if r["non2xx"] or r["socket_errors"]:
                log(f"WARNING {name} c={conns}: non-2xx {r['non2xx']}, socket errors {r['socket_errors']}")
        log(f"{name} c={conns} run {i + 1}: pipeline {pipe[-1]['rps']:.0f}/s p99 {pipe[-1]['p99_ms']:.1f}ms, "
            f"baseline {base[-1]['rps']:.0f}/s p99 {base[-1]['p99_ms']:.1f}ms, load {loadavg()}")
    pm, bm = median_of(pipe), median_of(base)
    RESULTS["scenarios"][f"{name} c={conns}"] = {
        "pipeline": pm, "baseline": bm, "ratio_rps": pm["rps"] / bm["rps"], "runs_pipeline": pipe,
        "runs_baseline": base}


def wait_delivered(receiver, n, timeout=300, failed_dir=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if failed_dir and os.path.isdir(failed_dir) and os.listdir(failed_dir):
            raise RuntimeError(f"inbox files failed: see {failed_dir}")
        st = receiver.stats()
        if all(st.get(p, (0, 0))[0] >= n for p in ("/target", "/s1", "/s2", "/s3")):
            return st
        time.sleep(0.1)
    raise RuntimeError(f"not all {n} delivered: {receiver.stats()}")


def scenario_inbox(svc, receiver, run, n_files=None):
    n_files = n_files or N_FILES
    tmp = os.path.join(svc.dir, f"stage-{run}")
    os.makedirs(tmp)
    names = []
    for i in range(n_files):
        name = f"bench-r{run}-{i:05d}"
        with open(os.path.join(svc.inbox, name + ".tmp"), "wb") as f:
            f.write(policy(f"inbox-r{run}-{i}", 1024))
        names.append(name)
    receiver.reset()
    c0, r0 = cpu_ms(svc.pid), cpu_ms(receiver.proc.pid)
    t0_wall = time.time()
    for name in names:
        os.rename(os.path.join(svc.inbox, name + ".tmp"), os.path.join(svc.inbox, name + ".json"))
    st = wait_delivered(receiver, n_files, failed_dir=os.path.join(svc.inbox, ".failed"))
    last = max(v[1] for v in st.values()) / 1000.0
    elapsed = last - t0_wall
    c1, r1 = cpu_ms(svc.pid), cpu_ms(receiver.proc.pid)
    return {"n": n_files, "seconds": elapsed, "per_s": n_files / elapsed,
            "cpu_ms_per_req": (c1 - c0 + r1 - r0) / n_files, "loadavg": loadavg()}


def scenario_queue(svc, receiver, run, n_messages=None):
    from proton import Message
    from proton.utils import BlockingConnection
    n_messages = n_messages or N_MESSAGES
    bodies = [policy(f"queue-r{run}-{i}", 1024).decode() for i in range(n_messages)]
    receiver.reset()
    c0, r0 = cpu_ms(svc.pid), cpu_ms(receiver.proc.pid)
    t0_wall = time.time()
    conn = BlockingConnection(f"amqp://127.0.0.1:{svc.broker_port}", allowed_mechs="ANONYMOUS")
    sender = conn.create_sender("policies.approved")
    for b in bodies:
        sender.send(Message(body=b, durable=True))  # waits for the broker's settlement
    conn.close()
    sent_s = time.time() - t0_wall
    st = wait_delivered(receiver, n_messages)
    last = max(v[1] for v in st.values()) / 1000.0
    elapsed = last - t0_wall
    c1, r1 = cpu_ms(svc.pid), cpu_ms(receiver.proc.pid)
    return {"n": n_messages, "seconds": elapsed, "send_seconds": sent_s, "per_s": n_messages / elapsed,
            "cpu_ms_per_req": (c1 - c0 + r1 - r0) / n_messages, "loadavg": loadavg()}


FANOUT_SIZES = [int(n) for n in os.environ.get("FANOUT_SIZES", "10,100,1000").split(",")]


def fanout_props(receiver):
    """max(FANOUT_SIZES) targets t0000.. on the receiver (/t/<n>); the first 10 in group g10, the first
    100 also in g100, and so on: a deployment selects a size with ?targets=group:g<size>."""
    props = {"pipeline.targets.bench.enabled": "false"}
    for i in range(max(FANOUT_SIZES)):
        name = f"t{i:04d}"
        props[f"pipeline.targets.{name}.url"] = f"{receiver.url}/t/{i:04d}"
        groups = [f"g{n}" for n in FANOUT_SIZES if i < n]
        props[f"pipeline.targets.{name}.groups"] = ",".join(groups)
    return props


def deploy_to_group(svc, policy_id, size):
    """One synchronous deployment to the group of `size` targets; seconds until the answer."""
    req = urllib.request.Request(f"{svc.url}/api/policies?targets=group:g{size}", data=policy(policy_id, 1024),
                                 method="POST", headers={"Content-Type": "application/json"})
    t0 = time.monotonic()
    with urllib.request.urlopen(req, timeout=600) as r:
        answer = json.loads(r.read())
    seconds = time.monotonic() - t0
    counts = answer.get("counts") or {}
    if answer.get("status") != "success" or counts.get("delivered") != size:
        raise RuntimeError(f"fan-out to {size} did not reach every target: {counts} {answer.get('error')}")
    return seconds


def scenario_fanout(receiver):
    """(f) Fan-out: one 1 KB policy to 10, 100 and 1,000 targets (one receiver process, one path each),
    each size RUNS times (a new policy each time), after an unreported warm-up."""
    svc = Service(receiver, extra=fanout_props(receiver), name="fanout")
    try:
        out = {"rss idle MB": rss_mb(svc.pid), "ready s": svc.ready_s}
        for i in range(5):  # the JIT, pools, H2 pages: not reported
            deploy_to_group(svc, f"fanout-warmup-{i}", max(FANOUT_SIZES))
        for size in FANOUT_SIZES:
            runs = []
            for i in range(RUNS):
                cpu0, rcpu0 = cpu_ms(svc.pid), cpu_ms(receiver.proc.pid)
                seconds = deploy_to_group(svc, f"fanout-{size}-{i}-{int(time.time())}", size)
                cpu = cpu_ms(svc.pid) - cpu0
                runs.append({"seconds": seconds, "targets_per_s": size / seconds, "service_cpu_ms": cpu,
                             "receiver_cpu_ms": cpu_ms(receiver.proc.pid) - rcpu0,
                             "service_cpu_ms_per_target": cpu / size, "rss MB": rss_mb(svc.pid),
                             "loadavg": loadavg()})
                log(f"f fan-out {size} run {i + 1}: {runs[-1]}")
            out[f"{size} targets"] = {
                "median_seconds": statistics.median(r["seconds"] for r in runs),
                "median_targets_per_s": statistics.median(r["targets_per_s"] for r in runs),
                "median_service_cpu_ms": statistics.median(r["service_cpu_ms"] for r in runs),
                "median_service_cpu_ms_per_target": statistics.median(r["service_cpu_ms_per_target"] for r in runs),
                "runs": runs}
        out["rss after MB"] = rss_mb(svc.pid)
        RESULTS["scenarios"]["f fan-out"] = out
    finally:
        svc.stop()


def main():
    if not os.path.exists(JAR):
        sys.exit(f"{JAR} missing: build with ./mvnw -B -q package -DskipTests")
    m = RESULTS["machine"]
    m["nproc"] = os.cpu_count()
    m["mem"] = subprocess.run(["free", "-m"], capture_output=True, text=True).stdout
    m["loadavg_start"] = loadavg()
    m["java"] = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.strip()
    if shutil.which("wrk"):  # scenario f alone needs no wrk
        m["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.strip().splitlines()[0]
    m["uname"] = os.uname().release
    work = tempfile.mkdtemp(prefix="bench-bodies-")
    b1k, b100k = os.path.join(work, "1k.json"), os.path.join(work, "100k.json")
    with open(b1k, "wb") as f:
        f.write(policy("bench-1k", 1024))
    with open(b100k, "wb") as f:
        f.write(policy("bench-100k", 100 * 1024))
    receiver = Receiver()
    starts = []
    try:
        if SCENARIOS & {"a", "e"}:
            svc = Service(receiver, name="json")
            starts.append(svc.ready_s)
            time.sleep(5)
            RESULTS["scenarios"]["e rss idle MB"] = rss_mb(svc.pid)
            # Warm-up (JIT, connection pools); not reported.
            wrk(svc.url + "/api/policies", b1k, 16, WARMUP)
            wrk(svc.url + "/bench/relay", b1k, 16, max(5, WARMUP // 2))
            if "a" in SCENARIOS:
                for c in CONCURRENCY:
                    http_pair("a 1KB json", svc, receiver, b1k, c)
            if "b" in SCENARIOS:
                http_pair("b 100KB json", svc, receiver, b100k, 16)
            RESULTS["scenarios"]["e rss after load MB"] = rss_mb(svc.pid)
            svc.stop()
        if "b" in SCENARIOS:
            svc = Service(receiver, extra={"pipeline.targets.bench.format": "zip"}, name="zip")
            starts.append(svc.ready_s)
            wrk(svc.url + "/api/policies", b1k, 16, WARMUP)
            wrk(svc.url + "/bench/relay", b1k, 16, max(5, WARMUP // 2))
            http_pair("b 1KB zip", svc, receiver, b1k, 16)
            http_pair("b 100KB zip", svc, receiver, b100k, 16)
            svc.stop()
        if SCENARIOS & {"c", "d"}:
            svc = Service(receiver, name="inbox-queue")
            starts.append(svc.ready_s)
            wrk(svc.url + "/api/policies", b1k, 16, WARMUP)  # warm-up
            for key, fn in (("c", scenario_inbox), ("d", scenario_queue)):
                if key not in SCENARIOS:
                    continue
                runs = []
                fn(svc, receiver, "warmup", 500)  # the JIT again: file and JMS paths, not reported
                for i in range(RUNS):
                    with jfr_recording(svc, f"scenario-{key}.jfr", os.environ.get("JFR") == "1" and i == 0):
                        runs.append(fn(svc, receiver, i))
                    log(f"{key} run {i + 1}: {runs[-1]}")
                RESULTS["scenarios"][f"{key} {'inbox' if key == 'c' else 'queue'}"] = {
                    "median_seconds": statistics.median(r["seconds"] for r in runs),
                    "median_per_s": statistics.median(r["per_s"] for r in runs),
                    "median_cpu_ms_per_req": statistics.median(r["cpu_ms_per_req"] for r in runs),
                    "runs": runs}
            svc.stop()
        if "f" in SCENARIOS:
            scenario_fanout(receiver)
        if "e" in SCENARIOS:
            while len(starts) < RUNS:
                svc = Service(receiver, name="start")
                starts.append(svc.ready_s)
                svc.stop()
            RESULTS["scenarios"]["e start to ready s"] = {"median": statistics.median(starts), "runs": starts}
    finally:
        receiver.stop()
    m["loadavg_end"] = loadavg()
    out_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + ".json")
    with open(out, "w") as f:
        json.dump(RESULTS, f, indent=2)
    log(f"results: {out}")
    print(json.dumps({k: ({kk: vv for kk, vv in v.items() if not kk.startswith("runs")}
                          if isinstance(v, dict) else v) for k, v in RESULTS["scenarios"].items()}, indent=2))


if __name__ == "__main__":
    main()
