"""tfckpt_conformance_test: run tfckpt's conformance suite from another
Bazel project against its own checkpoint implementation.

In the other project's WORKSPACE (tfckpt builds offline over Debian's
libraries; see examples/bazel_consumer/WORKSPACE for the repositories it
needs: rules_cc, rules_java, remote_coverage_tools shims and @system):

    local_repository(name = "tfckpt", path = "...")   # or http_archive

and in a BUILD file:

    load("@tfckpt//conformance:defs.bzl", "tfckpt_conformance_test")

    tfckpt_conformance_test(
        name = "my_reader_conformance",
        testee = ":my_testee",            # speaks docs/CONFORMANCE.md's protocol
        failure_list = "failures.txt",    # optional: cases it is known to fail
    )

`bazel test` then runs every case against the testee, with tfckpt's golden
corpus (TensorFlow's files and golden/bad/) as data, and passes when the
failing cases are exactly the failure list; each case is in the test's
JUnit XML. `testee_args` are passed to the testee; `filter` runs only cases
whose name contains it. `profiles` (e.g. ["read-v2", "state"]) are the
profiles the testee must be conformant for: the testee declares what it
claims in its hello answer, and the test fails when one of these is not
claimed or not conformant.
"""

def tfckpt_conformance_test(
        name,
        testee,
        failure_list = None,
        profiles = [],
        testee_args = [],
        filter = None,
        size = "medium",
        **kwargs):
    conform = Label("//conformance:tfckpt_conform")
    manifest = Label("//golden:MANIFEST.json")
    data = [
        testee,
        conform,
        manifest,
        Label("//golden:tf_goldens"),
        Label("//golden:tf_1_15"),
        Label("//golden:tf_2_11"),
        Label("//golden/bad:corpus"),
    ]
    if failure_list:
        data.append(failure_list)
    native.sh_test(
        name = name,
        srcs = [Label("//conformance:conformance_test.sh")],
        data = data,
        args = [
            "$(rootpath %s)" % conform,
            "$(rootpath %s)" % manifest,
            "$(rootpath %s)" % failure_list if failure_list else "-",
            filter or "-",
            ",".join(profiles) if profiles else "-",
            "--",
            "$(rootpath %s)" % testee,
        ] + testee_args,
        size = size,
        **kwargs
    )
