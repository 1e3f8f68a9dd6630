"""The testee side of conformance/protocol.h for Python testees.

serve(info, ops) answers framed-JSON requests on stdin/stdout
(docs/CONFORMANCE.md) until end of input:
  - "hello" is answered with `info` ({"name", "version", "profiles"});
  - an op in `ops` is called with the request; its return value is the
    result, and any exception it raises is the answer "error" (type and
    message), because every refusal of the implementation is an answer;
    `error_classes` maps exception type names to the protocol's coarse
    error_class, only where the implementation's own type says which;
  - any other op is "skipped";
  - detach_stdin: fd 0 becomes /dev/null once the frames' stream is taken.
Only framing lives here; what an op does is the testee's glue.
"""
import json
import os
import struct
import sys


def serve(info, ops, skip_reasons=None, error_classes=None, detach_stdin=False):
    # The protocol owns the original stdout; anything printed to fd 1 by the
    # implementation goes to stderr instead of corrupting frames.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    inp = os.fdopen(os.dup(0), "rb")
    if detach_stdin:
        # And the original stdin: fd 0 becomes /dev/null, so nothing (a
        # debugger prompt, input()) can eat request frames. Not the default:
        # a testee that stops in pdb on a corrupt file then waits and times
        # out, which the matrix records as that library's behaviour.
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.stdin = open(os.devnull)
    skip_reasons = skip_reasons or {}
    while True:
        head = inp.read(4)
        if len(head) < 4:
            return 0
        (n,) = struct.unpack("<I", head)
        req = json.loads(inp.read(n).decode("utf-8"))
        op = req.get("op")
        if op == "hello":
            resp = {"result": info}
        elif op in ops:
            try:
                resp = {"result": ops[op](req)}
            except Exception as e:  # noqa: BLE001 -- every refusal is an answer
                resp = {"error": "%s: %s" % (type(e).__name__, " ".join(str(e).split())[:300])}
                if type(e).__name__ in (error_classes or {}):
                    resp["error_class"] = error_classes[type(e).__name__]
        else:
            resp = {"skipped": skip_reasons.get(op, "%s does not implement %r" % (info["name"], op))}
        body = json.dumps(resp).encode("utf-8")
        out.write(struct.pack("<I", len(body)) + body)
        out.flush()
