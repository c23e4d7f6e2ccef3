"""Refresh the web assets the server serves itself (htmx, Chart.js, Swagger UI, ReDoc) from the npm registry.

The pages never load anything from a CDN: the files below are taken from each package's published tarball
at the pinned version, checked against the tarball's registry integrity (sha512) and copied, with the
package's licence, under `llm4retail/api/web/static/vendor/<package>/`. `manifest.json` there records the
version, the tarball integrity and each file's sha256; `tests/web/test_assets.py` checks the files
against it. To move to a new version: change `PINS`, run `python scripts/vendor_web_assets.py`, commit.

Usage:
    python scripts/vendor_web_assets.py           # fetch with `npm pack`, verify, copy, write the manifest
    python scripts/vendor_web_assets.py --check   # only verify the vendored files against the manifest
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess  # nosec B404 - runs the machine's npm with fixed arguments
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "llm4retail" / "api" / "web" / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"

# package -> (version, files inside the tarball's `package/` folder to serve; the first LICENSE* is added)
PINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "htmx.org": ("2.0.8", ("dist/htmx.min.js", "LICENSE")),
    "chart.js": ("4.6.1", ("dist/chart.umd.min.js", "LICENSE.md")),
    "swagger-ui-dist": ("5.35.0", ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE")),
    "redoc": ("2.5.2", ("bundles/redoc.standalone.js", "LICENSE")),
}


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(package: str, version: str, files: tuple[str, ...], workdir: Path) -> dict[str, object]:
    """`npm pack` one package, check its integrity against the registry's, copy `files`; the manifest entry."""
    out = subprocess.run(  # nosec B603 B607 - fixed command, package names from PINS
        ["npm", "pack", f"{package}@{version}", "--json", "--pack-destination", str(workdir)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    info = json.loads(out.stdout)[0]
    tarball = workdir / info["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != info["integrity"]:
        raise SystemExit(f"{package}@{version}: tarball integrity {digest[:20]}… is not the registry's {info['integrity'][:20]}…")
    target = VENDOR / package
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        for name in files:
            member = archive.getmember(f"package/{name}")
            source = archive.extractfile(member)
            if source is None:
                raise SystemExit(f"{package}@{version}: {name} is not a file in the tarball")
            (target / Path(name).name).write_bytes(source.read())
    return {
        "version": version,
        "integrity": info["integrity"],
        "files": {Path(name).name: sha256(target / Path(name).name) for name in files},
    }


def check() -> list[str]:
    """Problems with the vendored files (missing, changed, not pinned); empty when they match the manifest."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    problems = []
    for package, (version, _files) in PINS.items():
        entry = manifest.get(package)
        if entry is None or entry["version"] != version:
            problems.append(f"{package}: manifest has {entry and entry['version']}, PINS say {version}: rerun the script")
            continue
        for name, digest in entry["files"].items():
            path = VENDOR / package / name
            if not path.is_file() or sha256(path) != digest:
                problems.append(f"{package}/{name}: missing or changed since it was vendored")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the vendored files against the manifest")
    args = parser.parse_args()
    if not args.check:
        manifest = {}
        with tempfile.TemporaryDirectory() as workdir:
            for package, (version, files) in PINS.items():
                manifest[package] = fetch(package, version, files, Path(workdir))
                print(f"vendored {package}@{version}: {', '.join(manifest[package]['files'])}")  # noqa: T201
        MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)  # noqa: T201
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
