"""One big import while another user writes: import time, and the other writer's waits and errors.

Run: python -m bench.import_load [--notes 20000] [--database sqlite|URL]
Imports a JSON Lines file of `--notes` notes (about 2.4 MB at 20,000) for one user while a second
user adds a note in a loop, and prints the import's duration and rate and the second user's
write latency p50/p95/max and errors. Targets: 0 errors; the other writer's p95 ≤ 1 s (one import
batch, memory.portability.IMPORT_BATCH notes, is the longest it should wait).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from memory import api  # noqa: E402
from memory.portability import IMPORT_BATCH, import_files  # noqa: E402

TARGET_P95_S = 1.0


def make_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notes", type=int, default=20_000, help="notes in the imported file (at most 20,000)")
    p.add_argument("--database", default="sqlite", help="'sqlite' (a temporary file) or a database URL")
    return p


def main(args: argparse.Namespace) -> int:
    """Run the import and the concurrent writer; print the figures; 1 when a target is missed."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db" if args.database == "sqlite" else args.database
        mem = api.open_memory(url)
        ana, bob = mem.user("bench-importer"), mem.user("bench-writer")
        data = "\n".join(json.dumps({"content": f"Note {i}: walked to the market, bought tomatoes and basil, "
                                                f"then read on the balcony until the light went."})
                         for i in range(args.notes)).encode()
        waits, errors, done = [], [], threading.Event()

        def write_loop():
            while not done.is_set():
                started = time.perf_counter()
                try:
                    bob.add_note(f"bob {len(waits)}")
                    waits.append(time.perf_counter() - started)
                except Exception as exc:  # noqa: BLE001 - counting every failure is the point
                    errors.append(repr(exc)[:120])
                time.sleep(0.01)

        writer = threading.Thread(target=write_loop)
        writer.start()
        started = time.perf_counter()
        report = import_files(ana, [("big.jsonl", data, None)])
        took = time.perf_counter() - started
        done.set()
        writer.join()
    p95 = statistics.quantiles(waits, n=20)[-1] if len(waits) >= 20 else max(waits, default=0.0)
    print(f"import: {report.notes} notes ({len(data) / 1e6:.1f} MB) in {took:.1f} s = {report.notes / took:.0f} "
          f"notes/s, batches of {IMPORT_BATCH}; refused {len(report.refused)}")
    print(f"other writer: {len(waits)} writes, p50 {statistics.median(waits) * 1000 if waits else 0:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {max(waits, default=0) * 1000:.0f} ms, errors {len(errors)}")
    for line in errors[:5]:
        print(f"  error: {line}")
    ok = not errors and p95 <= TARGET_P95_S
    print(f"targets (0 errors, p95 <= {TARGET_P95_S:.0f} s): {'pass' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(make_parser().parse_args()))
