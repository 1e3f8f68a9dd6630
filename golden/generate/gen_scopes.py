"""variable_scope / name_scope naming rules and their error texts."""
from _common import main, resource_variables, scenario, session, tf, v1, var_outputs


def _err(sc, name, what, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        sc.add_error(name, e, what)
        return
    raise AssertionError("expected an error for %s" % name)


@scenario("variable_scopes",
          "tf.compat.v1.get_variable naming under variable_scope/name_scope (v:0, foo/v:0, "
          "foo/bar/v:0, v1:0), reuse=True / AUTO_REUSE, op names of an add under each kind of "
          "scope, uniquified scopes (foo_1), and TF's error texts for the four get_variable "
          "misuse cases; checkpoint + meta graph saved.")
def variable_scopes(sc):
    _variable_scopes(sc)


@scenario("variable_scopes_resource",
          "As variable_scopes but with resource variables (TF2's graph-mode default): same "
          "names, error texts without the 'Originally defined at' traceback of reference "
          "variables.")
def variable_scopes_resource(sc):
    with resource_variables(True):
        _variable_scopes(sc)


def _variable_scopes(sc):
    names = {}
    ops = {}
    same = {}
    g = tf.Graph()
    with g.as_default():
        const = v1.constant_initializer

        v = v1.get_variable("v", [1], initializer=const(1.0))
        names["get_variable('v')"] = v.name
        with v1.variable_scope("foo"):
            fv = v1.get_variable("v", [1], initializer=const(2.0))
            names["variable_scope('foo') / get_variable('v')"] = fv.name
            with v1.variable_scope("bar"):
                fbv = v1.get_variable("v", [1], initializer=const(3.0))
                names["variable_scope('foo') / variable_scope('bar') / get_variable('v')"] = fbv.name
        v1_ = v1.get_variable("v1", [1], initializer=const(4.0))
        names["get_variable('v1')"] = v1_.name

        # Reuse.
        with v1.variable_scope("foo", reuse=True):
            r = v1.get_variable("v", [1])
            names["variable_scope('foo', reuse=True) / get_variable('v')"] = r.name
            same["foo reuse=True returns the same variable object as foo/v"] = r is fv
            with v1.variable_scope("bar"):
                r2 = v1.get_variable("v")
                names["variable_scope('foo', reuse=True) / variable_scope('bar') / get_variable('v') (reuse inherited)"] = r2.name
                same["inner scope inherits reuse: same object as foo/bar/v"] = r2 is fbv
        with v1.variable_scope("foo"):
            with v1.variable_scope("bar", reuse=True):
                r3 = v1.get_variable("v", [1])
                names["variable_scope('foo') / variable_scope('bar', reuse=True) / get_variable('v')"] = r3.name
                same["nested reuse=True: same object as foo/bar/v"] = r3 is fbv
        with v1.variable_scope("foo") as foo_scope:
            pass
        with v1.variable_scope(foo_scope, reuse=True):
            r4 = v1.get_variable("v", [1])
            names["variable_scope(<foo scope object>, reuse=True) / get_variable('v')"] = r4.name
            same["scope object reuse: same object as foo/v"] = r4 is fv
        with v1.variable_scope("auto", reuse=v1.AUTO_REUSE):
            a1 = v1.get_variable("w", [2], initializer=const(5.0))
        with v1.variable_scope("auto", reuse=v1.AUTO_REUSE):
            a2 = v1.get_variable("w", [2], initializer=const(6.0))
        names["variable_scope('auto', reuse=AUTO_REUSE) / get_variable('w') (twice)"] = [a1.name, a2.name]
        same["AUTO_REUSE returns the same object the second time"] = a1 is a2

        # Op naming: name_scope vs variable_scope.
        one = tf.constant(1.0, name="one")
        ops["add at top level"] = tf.add(v, one).op.name
        with tf.name_scope("ns"):
            w_ns = v1.get_variable("w_ns", [1], initializer=const(7.0))
            x_ns = v1.Variable([8.0], name="x")
            names["name_scope('ns') / get_variable('w_ns') (name_scope ignored)"] = w_ns.name
            names["name_scope('ns') / tf.compat.v1.Variable(name='x')"] = x_ns.name
            ops["add under name_scope('ns')"] = tf.add(w_ns, one).op.name
        with v1.variable_scope("vs"):
            w_vs = v1.get_variable("w_vs", [1], initializer=const(9.0))
            x_vs = v1.Variable([10.0], name="x")
            names["variable_scope('vs') / get_variable('w_vs')"] = w_vs.name
            names["variable_scope('vs') / tf.compat.v1.Variable(name='x')"] = x_vs.name
            ops["add under variable_scope('vs')"] = tf.add(w_vs, one).op.name
            with tf.name_scope("inner_ns"):
                w_in = v1.get_variable("w_in", [1], initializer=const(11.0))
                names["variable_scope('vs') / name_scope('inner_ns') / get_variable('w_in')"] = w_in.name
                ops["add under variable_scope('vs') / name_scope('inner_ns')"] = tf.add(w_in, one).op.name

        # Re-entering scopes uniquifies the op name scope, not variable names.
        with v1.variable_scope("foo"):
            ops["add under variable_scope('foo') entered a 4th time"] = tf.add(v, one).op.name
            fv2 = v1.get_variable("v2", [1], initializer=const(12.0))
            names["variable_scope('foo') re-entered / get_variable('v2')"] = fv2.name
        with v1.variable_scope("foo", reuse=True):
            ops["add under variable_scope('foo', reuse=True) (5th entry)"] = tf.add(v, one).op.name
        with tf.name_scope("ns"):
            ops["add under name_scope('ns') entered a 2nd time"] = tf.add(v, one).op.name
        with tf.name_scope("ns"):
            ops["add under name_scope('ns') entered a 3rd time"] = tf.add(v, one).op.name
        with v1.variable_scope(None, default_name="dflt"):
            d1 = v1.get_variable("v", [1], initializer=const(13.0))
            ops["add under variable_scope(None, default_name='dflt') #1"] = tf.add(d1, one).op.name
        with v1.variable_scope(None, default_name="dflt"):
            d2 = v1.get_variable("v", [1], initializer=const(14.0))
            ops["add under variable_scope(None, default_name='dflt') #2"] = tf.add(d2, one).op.name
        names["variable_scope(None, default_name='dflt') twice / get_variable('v')"] = [d1.name, d2.name]
        t1 = v1.Variable(15.0, name="t")
        t2 = v1.Variable(16.0, name="t")
        names["tf.compat.v1.Variable(name='t') twice"] = [t1.name, t2.name]
        ops["tf.add twice at top level (second)"] = tf.add(one, one).op.name
        ops["tf.add with name='add' when 'add' exists"] = tf.add(one, one, name="add").op.name
        ops["tf.add with name='sum/' (absolute scope)"] = tf.add(one, one, name="sum/").op.name

        # Errors.
        _err(sc, "create_existing_without_reuse",
             "get_variable('v', [1]) again at top level (reuse=False)",
             lambda: v1.get_variable("v", [1]))

        def reuse_missing():
            with v1.variable_scope("foo", reuse=True):
                v1.get_variable("missing", [1])
        _err(sc, "reuse_missing", "variable_scope('foo', reuse=True) / get_variable('missing', [1])",
             reuse_missing)

        def shape_mismatch():
            with v1.variable_scope("foo", reuse=True):
                v1.get_variable("v", [2])
        _err(sc, "reuse_shape_mismatch",
             "variable_scope('foo', reuse=True) / get_variable('v', [2]) (foo/v has shape [1])",
             shape_mismatch)

        def dtype_mismatch():
            with v1.variable_scope("foo", reuse=True):
                v1.get_variable("v", [1], dtype=tf.int32)
        _err(sc, "reuse_dtype_mismatch",
             "variable_scope('foo', reuse=True) / get_variable('v', [1], dtype=int32) (foo/v is float32)",
             dtype_mismatch)

        def create_existing_in_scope():
            with v1.variable_scope("foo"):
                v1.get_variable("v", [1])
        _err(sc, "create_existing_in_scope", "variable_scope('foo') / get_variable('v', [1]) again",
             create_existing_in_scope)

        def no_shape():
            v1.get_variable("no_shape")
        _err(sc, "create_without_shape", "get_variable('no_shape') with neither shape nor initializer",
             no_shape)

        all_vars = v1.global_variables()
        saver = v1.train.Saver()
        with sc.cwd():
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                sc.add_run("variables", outputs=var_outputs(sess, all_vars),
                           what="every global variable after initialisation (values are fixed constants)")
                saver.save(sess, "model.ckpt")
        sc.note("variable_names", names)
        sc.note("op_names", ops)
        sc.note("same_object", same)
        sc.note("global_variables", [x.name for x in all_vars])
        sc.note("trainable_variables", [x.name for x in v1.trainable_variables()])
        sc.note("graph_op_names", sorted(op.name for op in g.get_operations()
                                         if not op.name.startswith("save")))
    sc.add_checkpoint("model.ckpt")


if __name__ == "__main__":
    main()
