"""make bench: every benchmark in bench/, one after another, each a ratio against a peer.

Usage: python bench/run.py [--quick] [--only gwr,sampling]
Each bench_<topic>.py prints a markdown table and writes bench/results/<topic>.json; this script
collects their tables into bench/results/summary.md.
"""
import argparse
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="reduced sizes (minutes instead of an hour)")
    ap.add_argument("--only", default="", help="comma-separated topics, e.g. gwr,coherence")
    a = ap.parse_args(argv)
    scripts = sorted(glob.glob(os.path.join(HERE, "bench_*.py")))
    if a.only:
        wanted = {t.strip() for t in a.only.split(",")}
        scripts = [s for s in scripts if os.path.basename(s)[6:-3] in wanted]
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    sections, failed = [], []
    for script in scripts:
        topic = os.path.basename(script)[6:-3]
        print(f"== {topic} ==", flush=True)
        t0 = time.time()
        cmd = [sys.executable, script] + (["--quick"] if a.quick else [])
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.dirname(HERE))
        print(out.stdout, end="")
        if out.returncode != 0:
            failed.append(topic)
            print(out.stderr[-3000:], file=sys.stderr)
        sections.append(f"## {topic}\n\n`{' '.join(os.path.relpath(c) if c.endswith('.py') else c for c in cmd)}`"
                        f" ({time.time() - t0:.0f} s, exit {out.returncode})\n\n{out.stdout.strip()}\n")
    with open(os.path.join(HERE, "results", "summary.md"), "w") as f:
        f.write("# Benchmarks\n\n" + "\n".join(sections))
    print(f"Summary: {os.path.join(HERE, 'results', 'summary.md')}")
    if failed:
        print("Failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
