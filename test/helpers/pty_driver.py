#!/usr/bin/env python3
"""Run a command in a real pseudo-terminal, answer its prompts, report what happened.

Reads one JSON object on stdin:
  {"argv": [...], "cwd": "...", "env": {...}, "timeout": 60,
   "steps": [{"expect": "Value for", "send": "secret\\r"}, ...]}
Each step waits until `expect` appears in the terminal output (after the previous step's
match), then types `send`; a step with "gate": PATH also creates PATH.reached and waits for PATH. stdin, stdout and stderr of the command are all the terminal, as
for a person at a shell; the transcript is everything the terminal showed.

Prints one JSON object: {"output": transcript, "exitCode": int, "steps": answered, "timedOut": bool}.
"""
import json
import os
import pty
import select
import signal
import sys
import time


def main() -> None:
    spec = json.load(sys.stdin)
    argv = spec["argv"]
    steps = spec.get("steps", [])
    deadline = time.monotonic() + float(spec.get("timeout", 60))

    pid, fd = pty.fork()
    if pid == 0:  # child: the terminal is already its stdin/stdout/stderr
        try:
            os.chdir(spec["cwd"])
            os.execve(argv[0], argv, spec["env"])
        finally:
            os._exit(127)

    transcript = b""
    position = 0  # where the next `expect` is searched from
    answered = 0
    timed_out = False
    while True:
        while answered < len(steps):
            expect = steps[answered]["expect"].encode("utf-8")
            found = transcript.find(expect, position)
            if found < 0:
                break
            # A gated step: say it was reached (GATE.reached), then answer only once GATE exists,
            # so a test can do something else while the command waits at this prompt.
            gate = steps[answered].get("gate")
            if gate:
                if not os.path.exists(gate + ".reached"):
                    open(gate + ".reached", "w").close()
                if not os.path.exists(gate):
                    break
            position = found + len(expect)
            os.write(fd, steps[answered]["send"].encode("utf-8"))
            answered += 1
        if time.monotonic() > deadline:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the command exited and closed the terminal
            data = b""
        if not data:
            break
        transcript += data

    _, status = os.waitpid(pid, 0)
    os.close(fd)
    json.dump(
        {
            "output": transcript.decode("utf-8", "replace"),
            "exitCode": os.waitstatus_to_exitcode(status),
            "steps": answered,
            "timedOut": timed_out,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
