"""Contact sheet of every exercise figure: docs/figures-contact-sheet.png (and the HTML it is shot from).

Usage: .venv/bin/python bench/figures_sheet.py [--out docs/figures-contact-sheet.png]
Needs Debian's chromium for the screenshot (the page it shoots is a temporary HTML file).
"""

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from library.figures import exercise_svg, figure_name, figure_slugs  # noqa: E402

COLUMNS = 5
CELL_W = 300
CAPTION_H = 52  # three lines: a two-line name and the slug
ROW_H = 8 + 150 + 4 + CAPTION_H + 8 + 2 + 10  # padding, drawing, caption, padding, border, gap


def build_html() -> str:
    cells = []
    for slug in figure_slugs():
        label = figure_name(slug)
        svg = exercise_svg(slug, size=CELL_W - 20)
        cells.append(
            f'<figure><div class="art">{svg}</div><figcaption>{html.escape(label)}<br><small>{html.escape(slug)}</small>'
            "</figcaption></figure>"
        )
    style = (
        "body{margin:12px;font:13px/1.3 sans-serif;color:#1e293b;background:#fff}"
        f"main{{display:grid;grid-template-columns:repeat({COLUMNS},{CELL_W}px);gap:10px}}"
        "figure{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:8px}"
        ".art{height:150px;display:flex;align-items:center;justify-content:center}"
        ".art svg{max-width:100%;max-height:150px;height:auto}"
        # A fixed caption height keeps every row the same, so the screenshot's height can be worked out.
        f"figcaption{{margin-top:4px;height:{CAPTION_H}px;overflow:hidden}}small{{color:#64748b}}"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Exercise figures</title>'
        f"<style>{style}</style></head><body><main>{''.join(cells)}</main></body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "figures-contact-sheet.png"))
    args = parser.parse_args()
    out = Path(args.out)
    workdir = Path(tempfile.mkdtemp(prefix="figures-sheet-"))
    page = workdir / "sheet.html"
    page.write_text(build_html(), encoding="utf-8")
    rows = -(-len(figure_slugs()) // COLUMNS)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        sys.exit(f"wrote {page}; no chromium found to make the PNG")
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--screenshot={out}",
            f"--window-size={COLUMNS * (CELL_W + 10) + 24},{rows * ROW_H + 24}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    print(out)


if __name__ == "__main__":
    main()
