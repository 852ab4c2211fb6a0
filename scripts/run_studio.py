"""Serve the studio as ``make run`` does: build what is missing or stale, and serve as soon as the app can.

    python scripts/run_studio.py [build options]        # e.g. --jobs 2, --data clients.csv, --quick

Starts ``scripts/build_artifacts.py --if-stale --early`` with the build options given and, as soon as there are
artifacts to serve, the web server as the Procfile says (gunicorn; HOST and PORT from the environment):

- when the artifacts are up to date, at once;
- otherwise when the build swaps in its early folder, with every artifact but the K-means grid's (a minute or
  two on the UCI file). The build goes on computing the grid meanwhile, then swaps in the complete folder, which
  the app picks up by itself; until then the Explorer and Methods pages say how far the grid has got.

A build that fails before anything could be served ends the command with the build's status. A build that fails
in the grid leaves the app serving what it has (the Explorer page says why). Ctrl-C or SIGTERM stops both.
"""

from __future__ import annotations

import logging
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from dashapp.artifacts import model_folder
from dashapp.core.settings import get_settings

logger = logging.getLogger("run_studio")

ROOT = Path(__file__).resolve().parent.parent
#: How often the build's progress is looked at, in seconds.
POLL_SECONDS = 0.25


def web_command() -> list[str]:
    """The Procfile's ``web`` command, with its program taken from this Python's environment (the virtualenv)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            command = shlex.split(line.removeprefix("web:"))
            program = Path(sys.executable).parent / command[0]
            return [str(program) if program.exists() else command[0], *command[1:]]
    raise SystemExit("the Procfile has no web: line")


def wait_for_artifacts(build: subprocess.Popen, model_dir: Path) -> int | None:
    """Wait until there is something to serve: None once the build has exited successfully or swapped in a new
    folder (an early one), else the build's failing exit status.

    A folder that was there before the build started is not served while the build runs: it may be from another
    source or other code, which is why the build is replacing it.
    """
    before = model_folder.file_identity(model_dir / model_folder.MANIFEST)
    while True:
        status = build.poll()
        if status is not None:
            return None if status == 0 else status
        if model_folder.file_identity(model_dir / model_folder.MANIFEST) not in (before, None):
            return None
        time.sleep(POLL_SECONDS)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C or a supervisor's SIGTERM stops the app and the build. Set explicitly: a process started in the
    # background by a non-interactive shell inherits SIGINT ignored, and Python then leaves it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    build_options = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    model_dir = Path(get_settings().model_dir)
    build = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "build_artifacts.py"), "--if-stale",
                              "--early", *build_options], cwd=ROOT)
    web = None
    try:
        failed = wait_for_artifacts(build, model_dir)
        if failed is not None:
            return failed
        if build.poll() is None:
            logger.info("serving the early artifacts; the build goes on with the K-means grid, and the app shows "
                        "it when it is complete")
        web = subprocess.Popen(web_command(), cwd=ROOT)
        build_reported = False
        while web.poll() is None:
            if not build_reported and build.poll() not in (None, 0):
                logger.error("the build failed in the K-means grid (status %s): the app goes on serving what it "
                             "has; run `make artifacts` to complete it", build.returncode)
                build_reported = True
            time.sleep(POLL_SECONDS)
        return web.returncode
    except KeyboardInterrupt:
        return 130
    finally:
        # gunicorn stops gracefully on SIGTERM; the build on SIGINT, which removes its staging folder.
        for process, stop in ((web, signal.SIGTERM), (build, signal.SIGINT)):
            if process is not None and process.poll() is None:
                process.send_signal(stop)
        for process in (web, build):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    sys.exit(main())
