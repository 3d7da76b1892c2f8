"""Executes an analysis notebook on a published run, as papermill would: the cell tagged
`parameters` is replaced by RUN and OUT, then every cell runs in this folder (so the notebook
imports aerial_analysis).

    /usr/bin/python3 docs/notebooks/run_notebook.py coverage.ipynb RUN_FOLDER OUT_FOLDER EXECUTED.ipynb
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent


def main(notebook, run, out, executed):
    nb = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    parameters = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(parameters) != 1:
        raise SystemExit(f"{notebook} needs exactly one cell tagged 'parameters'")
    parameters[0].source = "\n".join(
        ["from pathlib import Path", f"RUN = Path({str(run)!r})", f"OUT = Path({str(out)!r})"]
    )
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    nbformat.write(nb, executed)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
