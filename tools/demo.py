"""make demo: the whole InSAR Fusion analysis on the bundled sample scene, headless.

Every step runs a plugin algorithm through processing.run; outputs go to --out:
results.gpkg, insar_fusion_demo.qgz, report.html (+ report.json). See docs/demo.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from demo.main import main  # noqa: E402  (tools/demo/)

if __name__ == "__main__":
    sys.exit(main())
