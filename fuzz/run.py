#!/usr/bin/env python3
"""Runs the libFuzzer targets one after the other (`make fuzz` calls this).

For each target: copy fuzz/corpus/<target> to a temporary directory, run
the target there for --seconds (-max_total_time), and print executions,
exec/s, coverage and crashes. A crash input is kept under
<scratch>/findings/<target>/ with the property that broke. Exit status 1
when any target crashed. The committed corpus is never modified, except
with --merge, which folds the new inputs back into it (-merge=1, so it
stays minimal).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The targets are the directories Sources/fuzz-* (as in Package.swift):
# adding a target is adding its directory and corpus/<target>/.
TARGETS = sorted(d for d in os.listdir(os.path.join(HERE, "Sources")) if d.startswith("fuzz-"))


def stat(log, name):
    m = re.search(r"stat::%s:\s+(\d+)" % name, log)
    return int(m.group(1)) if m else None


def run_target(binary, target, seconds, scratch, extra, merge, runs_limit=0):
    corpus = os.path.join(HERE, "corpus", target)
    work = tempfile.mkdtemp(prefix=target + "-")
    try:
        live = os.path.join(work, "corpus")
        if os.path.isdir(corpus):
            shutil.copytree(corpus, live)
        else:  # a new target without seeds yet
            os.mkdir(live)
        artifacts = os.path.join(work, "artifacts")
        os.mkdir(artifacts)
        limit = ["-runs=%d" % runs_limit] if runs_limit else []
        cmd = [binary, "-max_total_time=%d" % seconds] + limit + [ "-print_final_stats=1", "-timeout=10", "-rss_limit_mb=1024",
               "-artifact_prefix=" + artifacts + "/"] + extra + [live]
        start = time.monotonic()
        # Swift's own backtracer would catch the trap and exit before
        # libFuzzer writes the crash input.
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        proc = subprocess.run(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        wall = time.monotonic() - start
        log = proc.stdout
        with open(os.path.join(scratch, target + ".log"), "w") as f:
            f.write(log)
        done = re.search(r"Done (\d+) runs in (\d+) second", log)
        runs = int(done.group(1)) if done else stat(log, "number_of_executed_units") or 0
        rate = stat(log, "average_exec_per_sec") or (int(runs / wall) if wall > 0 else 0)
        cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", log)
        crashes = sorted(os.listdir(artifacts))
        kept = []
        if crashes:
            dest = os.path.join(scratch, "findings", target)
            os.makedirs(dest, exist_ok=True)
            why = [l for l in log.splitlines() if "violated" in l or "Fatal error" in l or "ERROR: libFuzzer" in l]
            for c in crashes:
                shutil.copy(os.path.join(artifacts, c), dest)
                kept.append(os.path.join(dest, c))
            with open(os.path.join(dest, crashes[0] + ".why"), "w") as f:
                f.write("\n".join(why) + "\n")
        elif merge:
            subprocess.run([binary, "-merge=1", corpus, live], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if proc.returncode != 0 and not crashes:
            kept.append("(exit status %d, no crash input: see %s.log)" % (proc.returncode, os.path.join(scratch, target)))
        return {
            "target": target, "runs": runs, "rate": rate, "seconds": round(wall),
            "cov": cov[-1][0] if cov else "?", "corpus": cov[-1][2] if cov else "?",
            "crashes": kept, "why": [l for l in log.splitlines() if "violated" in l or "Fatal error" in l or "deadly signal" in l][:1],
            "status": proc.returncode,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="directory holding the fuzz-* executables")
    ap.add_argument("--scratch", required=True, help="where logs and findings go")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--runs", type=int, default=0, help="stop each target after this many executions (-runs)")
    ap.add_argument("--targets", default=" ".join(TARGETS))
    ap.add_argument("--merge", action="store_true", help="fold new corpus entries back into fuzz/corpus")
    ap.add_argument("--libfuzzer", default="", help="extra libFuzzer flags, space-separated")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    a.scratch = os.path.abspath(a.scratch)
    os.makedirs(a.scratch, exist_ok=True)
    results = []
    for t in a.targets.split():
        if t not in TARGETS:
            sys.exit("unknown fuzz target %s (have: %s)" % (t, " ".join(TARGETS)))
        print("%s: %d s ..." % (t, a.seconds), flush=True)
        binary = os.path.join(a.bin, t)
        if not os.access(binary, os.X_OK):
            sys.exit("%s: not built (%s missing): run make fuzz-build" % (t, binary))
        r = run_target(binary, t, a.seconds, a.scratch, a.libfuzzer.split(), a.merge, a.runs)
        results.append(r)
        line = "%s: %d executions in %d s, %d exec/s, cov %s, corpus %s, %d new crash(es)" % (
            t, r["runs"], r["seconds"], r["rate"], r["cov"], r["corpus"], len(r["crashes"]))
        print(line, flush=True)
        for c in r["crashes"]:
            print("  crash: %s   (reproduce: %s %s)" % (c, os.path.join(a.bin, t), c))
        for w in r["why"]:
            print("  " + w.strip())
    print()
    print("| target | executions | exec/s | seconds | coverage | corpus | crashes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print("| %s | %d | %d | %d | %s | %s | %d |" % (
            r["target"], r["runs"], r["rate"], r["seconds"], r["cov"], r["corpus"], len(r["crashes"])))
    skip = os.environ.get("EC2NET_FUZZ_SKIP")
    if skip:
        print("(checks skipped: %s)" % skip)
    # A crash, or a target that stopped on its own for another reason
    # (an out-of-memory or timeout report, a missing corpus) fails the run.
    sys.exit(1 if any(r["crashes"] for r in results) else 0)


if __name__ == "__main__":
    main()
