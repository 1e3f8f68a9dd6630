"""local_python: the headers of the Python that will import //python:_tfckpt.so.

The interpreter is $TFCKPT_BINDINGS_PYTHON (the PEP 517 backend in python/ passes
sys.executable with --repo_env), else Debian's /usr/bin/python3 (whose
numpy and pytest tools/install_deps.sh installs for //python:pytest), else
`python3` on PATH. interpreter.txt records which, for //python:pytest. Its include
directory (sysconfig) is linked into the repository as include/; the
extension module only needs the headers (it links against no libpython).
"""

def _local_python_impl(ctx):
    python = ctx.os.environ.get("TFCKPT_BINDINGS_PYTHON", "")
    if not python:
        python = "/usr/bin/python3" if ctx.path("/usr/bin/python3").exists else "python3"
    if "/" not in python:
        found = ctx.which(python)
        if found == None:
            fail("local_python: no %s on PATH (set TFCKPT_BINDINGS_PYTHON)" % python)
        python = str(found)
    res = ctx.execute([python, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"])
    if res.return_code != 0:
        fail("local_python: %s could not report its include directory: %s" % (python, res.stderr))
    include = res.stdout.strip()
    if not ctx.path(include + "/Python.h").exists:
        fail("local_python: %s/Python.h is missing (Debian: apt-get install python3-dev; " % include +
             "tools/install_deps.sh installs it)")
    ctx.symlink(include, "include")
    ctx.file("BUILD", """package(default_visibility = ["//visibility:public"])
exports_files(["interpreter.txt"])
cc_library(
    name = "headers",
    hdrs = glob(["include/**/*.h"]),
    includes = ["include"],
)
""")
    ctx.file("interpreter.txt", python + "\n")

local_python = repository_rule(
    implementation = _local_python_impl,
    environ = ["TFCKPT_BINDINGS_PYTHON", "PATH"],
    local = True,
)
