"""Progress lines (src/cli/progress.h) appear only on a terminal.

  progress_test.py TFCKPT GOLDEN_DIR TMPDIR

Runs validate (V2 and V1), diff, convert, dump --all, dump of one tensor,
inspect, run and freeze on TF's small goldens with TFCKPT_PROGRESS_MIN_BYTES=0:
under a pseudo-terminal (stdout and stderr both the pty) each must draw the
progress line; with --json, or with stdout or stderr a pipe, none may.

Long work draws the line by default: a line is drawn when the command's work
exceeds the threshold (64 MiB unless TFCKPT_PROGRESS_MIN_BYTES says), so each
command whose work is reading is also run with the threshold one byte below
its work (drawn) and at it (not drawn): the work it measures is what it
reads (a single tensor's bytes, the index of `inspect`, the model and
checkpoint files of `run` and `freeze`), so a 64 MiB tensor or checkpoint
draws it. Exit 1 naming each failure."""
import glob
import os
import pty
import re
import subprocess
import sys

BAR = re.compile(rb"\r[^\r\n]* \[[#.]{30}\] +\d+% \(\d+/\d+ MiB\)")
DONE = b"[" + b"#" * 30 + b"] 100%"


def on_pty(argv, env):
    """Output of argv run with stdout and stderr on one pty."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the pty
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out


def piped(argv, env, stdout_pipe, stderr_pipe):
    """argv with stdout/stderr a pipe or a pty (the other one)."""
    master, slave = pty.openpty()
    p = subprocess.run(argv, env=env,
                       stdout=subprocess.PIPE if stdout_pipe else slave,
                       stderr=subprocess.PIPE if stderr_pipe else slave)
    os.close(slave)
    os.set_blocking(master, False)
    tty = b""
    try:
        while True:
            chunk = os.read(master, 65536)
            if not chunk:
                break
            tty += chunk
    except (BlockingIOError, OSError):
        pass
    os.close(master)
    return (p.stdout or b"") + (p.stderr or b"") + tty


def main():
    tfckpt, golden, tmp = sys.argv[1:4]
    env = dict(os.environ, TFCKPT_PROGRESS_MIN_BYTES="0")
    v2 = os.path.join(golden, "saver_v2_basic", "model.ckpt")
    v1 = os.path.join(golden, "saver_v1_basic", "model.ckpt")
    sm = os.path.join(golden, "saved_model_simple_save", "saved_model")
    fz = os.path.join(golden, "freeze_graph_tool")
    commands = {
        "validate V2": ([tfckpt, "validate", v2], True),
        "validate V1": ([tfckpt, "validate", v1], True),
        "diff": ([tfckpt, "diff", v2, v2], True),
        "convert": ([tfckpt, "convert", v2, os.path.join(tmp, "out")], False),
        "dump --all": ([tfckpt, "dump", v2, "--all"], True),
        "dump TENSOR": ([tfckpt, "dump", v2, "v2"], True),
        "inspect": ([tfckpt, "inspect", v2], True),
        "run": ([tfckpt, "run", sm, "--input", "myInput=[[1,0,-1,2]]"], True),
        "freeze": ([tfckpt, "freeze", fz + "/model.ckpt.meta", "--output_node", "out",
                    "-o", os.path.join(tmp, "frozen.pb")], False),
    }
    # (command, its work in bytes): what it reads.
    size = os.path.getsize
    sm_files = [sm + "/saved_model.pb"] + glob.glob(sm + "/variables/variables.*")
    fz_files = [fz + "/model.ckpt.meta"] + glob.glob(fz + "/model.ckpt.index") + glob.glob(
        fz + "/model.ckpt.data-*")
    work = {
        "dump TENSOR": 24,  # v2: float [2,3]
        "inspect": size(v2 + ".index"),
        "run": sum(size(f) for f in sm_files),
        "freeze": sum(size(f) for f in fz_files),
    }
    failures = []
    # Below the threshold (64 MiB by default) nothing is drawn, terminal or not.
    out = on_pty([tfckpt, "validate", v2], dict(os.environ))
    if BAR.search(out):
        failures.append("validate of 32 bytes without TFCKPT_PROGRESS_MIN_BYTES: progress "
                        "drawn: %r" % out)
    for what, (argv, has_json) in commands.items():
        out = on_pty(argv, env)
        if not BAR.search(out) or DONE not in out or b"\r\x1b[K" not in out:
            failures.append("%s on a terminal: no progress line reaching 100%% and cleared "
                            "in %r" % (what, out))
        if has_json:
            out = on_pty(argv + ["--json"], env)
            if BAR.search(out):
                failures.append("%s --json on a terminal: progress drawn: %r" % (what, out))
        for so, se in ((True, False), (False, True)):
            out = piped(argv, env, so, se)
            if BAR.search(out):
                failures.append("%s with %s a pipe: progress drawn: %r" % (
                    what, "stdout" if so else "stderr", out))
        print("ok" if not any(f.startswith(what + " ") for f in failures) else "FAIL", what)
    for what, n in work.items():
        argv = commands[what][0]
        below = on_pty(argv, dict(os.environ, TFCKPT_PROGRESS_MIN_BYTES=str(n - 1)))
        at = on_pty(argv, dict(os.environ, TFCKPT_PROGRESS_MIN_BYTES=str(n)))
        if not BAR.search(below) or DONE not in below:
            failures.append("%s: work of %d bytes, threshold %d: no line reaching 100%% in %r" % (
                what, n, n - 1, below))
        if BAR.search(at):
            failures.append("%s: work of %d bytes, threshold %d: line drawn: %r" % (
                what, n, n, at))
        print("ok" if not any(f.startswith(what + ": work") for f in failures) else "FAIL",
              what, "threshold at its work (%d bytes)" % n)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
