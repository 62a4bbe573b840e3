"""Execute one notebook with nbclient and, if every cell ran, export it to HTML.

Usage: execute_notebook.py IN.ipynb OUT.ipynb --cwd DIR [--html OUT.html --title TITLE] [--timeout SECONDS]

Prints one JSON line: {"status": {cell index: reply status}, "error": null or {"cell", "type", "message"}}.
It does not judge the outputs: the caller (run-notebooks.mjs) does, because tslab reports errors only as
stderr text. nbclient is used directly (not nbconvert --execute) so execution counts are filled in.
"""
import argparse
import json
import os
import sys

import nbformat
from nbclient import NotebookClient

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nbconvert", "templates")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--cwd", required=True)
    p.add_argument("--html")
    p.add_argument("--title")
    p.add_argument("--timeout", type=int, default=120)
    a = p.parse_args()

    nb = nbformat.read(a.input, as_version=4)
    status = {}
    current = {"cell": None}

    def on_start(cell, cell_index):
        current["cell"] = cell_index

    def on_executed(cell, cell_index, execute_reply):
        status[cell_index] = (execute_reply or {}).get("content", {}).get("status", "none")

    client = NotebookClient(
        nb,
        timeout=a.timeout,
        startup_timeout=60,
        resources={"metadata": {"path": a.cwd}},
        on_cell_start=on_start,
        on_cell_executed=on_executed,
    )
    error = None
    try:
        client.execute()
    except Exception as e:  # CellExecutionError, CellTimeoutError, DeadKernelError, kernel start failures
        # CellExecutionError's text is empty for tslab; the caller reads the cell's stderr instead.
        error = {"cell": current["cell"], "type": type(e).__name__, "message": str(e)[-2000:]}

    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    nbformat.write(nb, a.output)

    if a.html and error is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(template_name="lab-svg", extra_template_basedirs=[TEMPLATES])
        name = a.title or os.path.splitext(os.path.basename(a.input))[0]
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
        os.makedirs(os.path.dirname(os.path.abspath(a.html)), exist_ok=True)
        with open(a.html, "w", encoding="utf-8") as f:
            f.write(body)

    print(json.dumps({"status": status, "error": error}))


if __name__ == "__main__":
    sys.exit(main())
