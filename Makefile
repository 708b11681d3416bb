# InSAR Fusion: every target installs what it needs on a fresh Debian 12 machine (as root).
SHELL := /bin/bash
PY := /usr/bin/python3
VENV ?= .venv
VPY := $(VENV)/bin/python
SCENE ?= small
OUT ?= demo_output
DIST ?= dist
QGIS_PROFILE ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default
PLUGIN_LINK := $(QGIS_PROFILE)/python/plugins/insar_fusion
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

APT_PACKAGES := qgis python3-qgis qgis-providers python3-gdal python3-scipy python3-statsmodels \
	python3-matplotlib python3-pyqt5 python3-pyqt5.qtsvg python3-pyqtgraph python3-h5py python3-venv python3-pip \
	xvfb xauth xdotool imagemagick git zip python3-dask python3-distributed

.PHONY: help deps venv test test-core test-qgis test-matrix pytest demo demo-docs realdata-docs install uninstall package bench qgis clean

help:
	@echo "make demo     the whole analysis on the sample scene, into $(OUT)/"
	@echo "make test     the test suite (headless)"
	@echo "make test-matrix  the suite on the other QGIS versions (3.22, 3.40, 3.44) in Debian roots"
	@echo "make install  link the plugin into the default QGIS profile and enable it"
	@echo "make package  dist/insar_fusion-$(VERSION).zip for 'Install from ZIP'"
	@echo "make bench    benchmarks against peers (mgwr, QGIS native algorithms, numpy)"
	@echo "make qgis     open QGIS with the plugin and the demo's study project"
	@echo "make demo-docs  the report's key figures and a QGIS screenshot into docs/"

# Debian packages, installed only when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Test tools in a venv that sees Debian's numpy/scipy/GDAL; pip may never replace those: the pins
# are Debian's own versions, read now (tools/system_pins.py), and checked again after the install.
$(VENV)/.installed: requirements-test.txt tools/system_pins.py | deps
	$(PY) -m venv --clear --system-site-packages $(VENV)
	$(PY) tools/system_pins.py > $(VENV)/constraints.txt
	$(VPY) -m pip install -q --disable-pip-version-check -c $(VENV)/constraints.txt -r requirements-test.txt
	$(VPY) tools/system_pins.py --check
	$(VPY) -c "import numpy, scipy, osgeo.gdal_array, qgis.core; print('venv: numpy', numpy.__version__, 'scipy', scipy.__version__, 'QGIS', qgis.core.Qgis.QGIS_VERSION)"
	touch $@

venv: $(VENV)/.installed

test: venv
	$(VENV)/bin/pytest test/core -p no:pytest_qgis -q
	$(VENV)/bin/pytest test/processing test/ui test/e2e -q

# The suite on the other QGIS versions, each in a cached Debian root (tools/matrix.sh):
# QGIS=3.44 for one, the default is every version of 3.22, 3.40 and 3.44 this machine lacks.
# MATRIX_TARGET=demo runs another target there.
MATRIX_TARGET ?= test
test-matrix:
	@for v in $(or $(QGIS),$(shell tools/matrix.sh --others)); do \
	  APT_PACKAGES="$(APT_PACKAGES)" tools/matrix.sh $$v $(MATRIX_TARGET) || exit 1; done

# Any pytest arguments in the test venv, e.g. make pytest ARGS="test/e2e -k qgis" (also in the matrix:
# make test-matrix QGIS=3.44 MATRIX_TARGET="pytest ARGS=test/ui").
pytest: venv
	$(VENV)/bin/pytest $(ARGS)

test-core: venv
	$(VENV)/bin/pytest test/core -p no:pytest_qgis -q

# Screenshots of real data (../shared/realdata) in the QGIS desktop under Xvfb, into docs/.
realdata-docs: deps
	$(PY) tools/realdata_docs.py --out $(OUT)/realdata --docs

demo: deps install
	$(PY) tools/demo.py --out $(OUT) --scene $(SCENE)

install: deps
	mkdir -p $(dir $(PLUGIN_LINK))
	ln -sfn $(CURDIR) $(PLUGIN_LINK)
	out=$$(/usr/bin/qgis_process.bin plugins enable insar_fusion 2>&1) || echo "$$out" | grep -q "already enabled"
	@echo "Installed: $(PLUGIN_LINK) -> $(CURDIR)"
	@echo "Try: /usr/bin/qgis_process.bin help insarfusion:lostovertical"

uninstall:
	-/usr/bin/qgis_process.bin plugins disable insar_fusion >/dev/null
	rm -f $(PLUGIN_LINK)

# git archive of the committed tree plus uncommitted edits; export-ignore drops tests and tools.
# Tracked and new (not ignored) files, minus export-ignore (tests, tools, build files).
package: deps
	$(PY) tools/package.py --dist $(DIST)

bench: venv
	$(VPY) bench/run.py $(if $(QUICK),--quick,)

qgis: deps install
	@test -f $(OUT)/study.qgz || $(MAKE) demo
	$(PY) tools/open_qgis.py --project $(OUT)/study.qgz

# The README's figures: the report's key charts and the project in QGIS under Xvfb, into docs/.
demo-docs: deps
	@test -f $(OUT)/report.json || $(MAKE) demo
	for f in rate_map overlap gwr_local_r2 gwr_coefficients ols_p1 site_p1 heatmaps lags coherence_models; do \
	  cp $(OUT)/figures/report_$$f.png docs/report_$$f.png; done
	$(PY) tools/open_qgis.py --xvfb --project $(OUT)/study.qgz --screenshot docs/demo_project.png

clean:
	rm -rf $(OUT) dist .qgis-settings bench/results
