"""make demo: insarfusion:study on the bundled sample scene, headless, then the study's results
against the scene's planted truth and the papers' figures.

Outputs go to --out: the study's study.gpkg, study.qgz, study.html, and the demo's report.html
(+ report.json). See docs/demo.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from demo.main import main  # noqa: E402  (tools/demo/)

if __name__ == "__main__":
    sys.exit(main())
