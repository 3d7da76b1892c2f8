"""What the analysis notebooks share: finding a published run, and DuckDB from Python."""

import json
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd

NOTEBOOKS = Path(__file__).resolve().parent
REPO = NOTEBOOKS.parent.parent


def published_run(run=None):
    """The folder of a published run (published/<jobId>/<runId>/): `run`, or the newest job under
    the repository's .aerial/objects, where `pnpm start` and `pnpm aerial process` publish."""
    if run is not None:
        return Path(run)
    pointers = sorted(
        (REPO / ".aerial" / "objects" / "published").glob("*/current.json"),
        key=lambda p: p.stat().st_mtime,
    )
    if not pointers:
        raise FileNotFoundError(
            "no published job under .aerial/objects/published: run `pnpm start` "
            "(or `pnpm aerial process <photos>`) first, or set RUN to a published run's folder"
        )
    return pointers[-1].parent / json.loads(pointers[-1].read_text())["runId"]


def sql_path(path):
    """A file path as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def duckdb(sql):
    """The rows of one DuckDB query, as dicts (64-bit integers arrive as strings)."""
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError("node is not on PATH: the notebooks run DuckDB through Node.js")
    done = subprocess.run(
        [node, str(NOTEBOOKS / "duckdb-query.mjs"), sql], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"DuckDB: {done.stderr.strip()}")
    return json.loads(done.stdout)


def geodataframe(rows, wkt_column):
    """Query rows as a GeoDataFrame in WGS 84, its geometry from the WKT in `wkt_column`."""
    frame = gpd.GeoDataFrame(rows)
    geometry = gpd.GeoSeries.from_wkt(frame.pop(wkt_column), crs="OGC:CRS84")
    return gpd.GeoDataFrame(frame, geometry=geometry).to_crs("EPSG:4326")


def stac_items(run):
    """The STAC Items the run's Collection links to."""
    collection_path = Path(run) / "stac" / "collection.json"
    collection = json.loads(collection_path.read_text())
    return [
        json.loads((collection_path.parent / link["href"]).read_text())
        for link in collection["links"]
        if link["rel"] == "item"
    ]
