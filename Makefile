# One command builds the course (make book), one runs every test (make test).
# The first target you run creates .venv from requirements.txt; later ones reuse it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?=

.PHONY: help book test lab outputs data clean dashboard handouts certificates pdf bench
help:
	@echo "make book     build the HTML course into _build/html"
	@echo "make test     run every test (unit, notebooks, book build, browser)"
	@echo "make lab      open the notebooks in JupyterLab"
	@echo "make outputs  re-execute notebooks, store outputs, regenerate the answer key (NB=path for one)"
	@echo "make data     regenerate the synthetic data and its dictionary page"
	@echo "make dashboard  serve the data explorer as an app on 127.0.0.1 (PORT=8866)"
	@echo "make handouts   regenerate worksheets, agendas and the completion record"
	@echo "make certificates ROSTER=path.csv  one PDF certificate per participant"
	@echo "make pdf      print the built course to PDF: the whole course and a learner edition (_build/pdf/)"
	@echo "make bench    time widgets, notebooks, book and tests (writes benchmarks/results.md)"
	@echo "make clean    remove build output"

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: install it, then run make again."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html -W --keep-going
	$(BIN)/python -m calaim_course.bundle --out _build/html/_downloads
	@echo
	@echo "The course is built. Open this file in a web browser:"
	@echo "  $(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-sanitize-with tests/nbval-sanitize.cfg tests notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

outputs: $(STAMP)
	$(BIN)/python -m calaim_course.notebook_outputs $(NB)
	$(BIN)/python -m calaim_course.quiz answer-key
	$(BIN)/python -m calaim_course.sources

data: $(STAMP)
	$(BIN)/python -m calaim_course.synthetic --seed 2026 --scale 300 --out data/synthetic
	$(BIN)/python -m calaim_course.data_dictionary
	$(BIN)/python -m calaim_course.own_data

pdf: book
	$(BIN)/python -m calaim_course.pdf --html _build/html --out _build/pdf/calaim-course.pdf \
		--learner-out _build/pdf/calaim-course-learner.pdf
	@echo "The printable course: $(CURDIR)/_build/pdf/calaim-course.pdf"
	@echo "The learner edition (no facilitator pages, no answer key): $(CURDIR)/_build/pdf/calaim-course-learner.pdf"

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

dashboard: $(STAMP)
	$(BIN)/python -m calaim_course.dashboard $(if $(PORT),--port $(PORT),)

handouts: $(STAMP)
	$(BIN)/python -m calaim_course.workshop handouts --out book/handouts
	$(BIN)/python -m calaim_course.workshop agendas
	$(BIN)/python -m calaim_course.workshop completion-record

certificates: $(STAMP)
	@test -n "$(ROSTER)" || { echo "Usage: make certificates ROSTER=path.csv [OUT=folder]"; exit 2; }
	$(BIN)/python -m calaim_course.certificates --roster "$(ROSTER)" --out "$(or $(OUT),certificates)"

clean:
	rm -rf _build
