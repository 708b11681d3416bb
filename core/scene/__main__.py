"""python3 -m insar_fusion.core.scene OUTPUT_FOLDER [--size small|large] [--seed N]"""
import argparse
import sys
import time

from ..errors import InputError
from ..progress import Progress
from . import DEFAULT_SEED, SIZES, generate_scene


def main(argv=None) -> int:
    """Command-line entry point: write the scene and print a one-line summary."""
    p = argparse.ArgumentParser(prog="python3 -m insar_fusion.core.scene",
                                description="Write the InSAR Fusion sample scene into a folder.")
    p.add_argument("output_folder")
    p.add_argument("--size", choices=SIZES, default="small")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    last = [-1]

    def report(f):
        pct = int(100 * f)
        if not a.quiet and pct // 10 != last[0]:
            last[0] = pct // 10
            print(f"{pct:3d}%", file=sys.stderr)

    t0 = time.time()
    try:
        res = generate_scene(a.output_folder, a.size, a.seed, Progress(report))
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    pts = ", ".join(f"{k} {v} points" for k, v in res.n_points.items())
    print(f"{res.size} scene (seed {res.seed}) written to {res.folder} in {time.time() - t0:.1f} s: "
          f"{len(res.files)} files; {pts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
