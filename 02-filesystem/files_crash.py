"""A crash, for real: kill a writer process with SIGKILL at random moments, then read the file.

Running it starts a child process that rewrites one file over and over (version 2, 3, 4, ...),
kills it with SIGKILL at a random moment, looks at what is on disk, and repeats. With the naive
`open(path, "w")` writer some kills leave a torn file; with the atomic writer every kill
leaves one whole version. SIGKILL cannot be caught: no `finally`, no `with` block runs, as
when the kernel's OOM killer picks the process. It is NOT a power cut: the kernel survives
and its page cache still holds every byte written, so this proves atomicity when a process
dies, not durability, and a writer without any fsync passes it too. Power loss is tested by
cutting the (virtual) machine's power or with dm-log-writes / dm-flakey devices.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from files_atomic import WRITERS, classify, version_content

LESSON_FOLDER = Path(__file__).resolve().parent
WRITER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); import files_crash; "
    "files_crash.rewrite_forever(sys.argv[2], sys.argv[3])"
)


def rewrite_forever(path: str, writer_name: str) -> None:
    """Rewrite `path` with version 2, 3, 4, ... until killed (runs in the child process)."""
    write = WRITERS[writer_name]
    print("ready", flush=True)  # the killer waits for this line, then picks its moment
    version = 1
    while True:
        version += 1
        write(Path(path), version_content(version))


def kill_writer_once(path: Path, writer_name: str, max_delay: float, rng: random.Random) -> str:
    """Start a writer, SIGKILL it after a random delay, and classify what it left on disk."""
    writer = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", WRITER_CODE, str(LESSON_FOLDER), str(path), writer_name],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None  # nosec B101  # narrows the type: stdout=PIPE
        if writer.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {writer_name} writer did not start")
        time.sleep(rng.uniform(0, max_delay))
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()  # a no-op after SIGKILL; stops the child if anything above failed
        writer.wait()
        if writer.stdout is not None:
            writer.stdout.close()
    return classify(path.read_bytes())


def kill_repeatedly(
    path: Path, writer_name: str, kills: int, max_delay: float = 0.03, seed: int | None = None
) -> list[str]:
    """Kill a fresh writer `kills` times; return what each kill left ("whole" or "torn: ...")."""
    rng = random.Random(seed)  # nosec B311  # seeded test data, not a secret
    path.write_bytes(version_content(1))  # the old version, whole, before any writer runs
    return [kill_writer_once(path, writer_name, max_delay, rng) for _ in range(kills)]


def main() -> None:
    kills = 12
    with tempfile.TemporaryDirectory(prefix="files_crash_") as folder:
        for number, writer_name in enumerate(("naive", "atomic"), start=1):
            target = Path(folder) / f"{writer_name}.txt"
            print(f"{number}. The {writer_name} writer, SIGKILLed {kills} times at random moments")
            outcomes = kill_repeatedly(target, writer_name, kills)
            counts = Counter("whole" if o == "whole" else "torn" for o in outcomes)
            print(f"   whole version: {counts['whole']}, torn file: {counts['torn']}")
            torn = [outcome for outcome in outcomes if outcome != "whole"]
            if torn:
                print(f"   for example: {torn[0]}")
        leftovers = sorted(p.name for p in Path(folder).glob(".atomic.txt.*"))
        print(f"3. The atomic writer's kills left {len(leftovers)} temporary file(s) behind,")
        print("   never the target: delete stale ones by age, as files_cleanup.py does.")
    print("Conclusion: a crash between truncate and the last write tears a file written in place;")
    print("a temporary file renamed with os.replace leaves the old version or the new, whole.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
