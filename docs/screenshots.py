"""Screenshots with headless Chromium (Debian's `chromium`; `make browser` installs it as root).

    .venv/bin/python docs/screenshots.py report   # docs/assets/report.png: the HTML report of the bundled post
    .venv/bin/python docs/screenshots.py site     # site/_shots/*.png: home, tutorial, an API page (after make docs)

The report's picture is the one the README and the home page show; the site's shots are for
looking at the built pages in a real browser. Exit 2 when chromium is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"home": "index.html", "tutorial": "tutorial/index.html", "api_analysis": "api/analysis/index.html"}


def shoot(url: str, out: Path, size: str = "1280,1000") -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium is not installed (make browser installs it)", file=sys.stderr)
        raise SystemExit(2)
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={size}", f"--screenshot={out}", url],
                   check=True, capture_output=True, timeout=120)
    print("wrote", out)


def main(what: str) -> None:
    if what == "report":
        with tempfile.TemporaryDirectory() as tmp:
            html = Path(tmp) / "report.html"
            xhs = Path(sys.executable).parent / "xhs-nlp"
            subprocess.run([str(xhs), "analyze", str(ROOT / "corpora/xhs_will_2025_forum_post.txt"),
                            "--format", "html", "--out", str(html)], check=True)
            shoot(html.as_uri(), ROOT / "docs/assets/report.png")
    elif what == "site":
        for name, page in PAGES.items():
            path = ROOT / "site" / page
            if not path.exists():
                raise SystemExit(f"{path} is missing: build the site first (make docs)")
            shoot(path.as_uri(), ROOT / "site/_shots" / f"{name}.png", "1280,1600")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
