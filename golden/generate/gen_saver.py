"""TF1 tf.compat.v1.train.Saver scenarios: basic V2/V1 save+restore, rename
maps, partial restore, max_to_keep, sharded and partitioned variables, and an
index with many keys."""
import os

from _common import (ckpt, list_dir, main, np, read_text, resource_variables,
                     scenario, session, tf, v1, var_outputs)


def _basic(sc, write_version):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            v1.set_random_seed(42)
            a = v1.Variable(v1.random_normal([1, 2]), name="v1")
            b = v1.Variable(v1.random_normal([2, 3]), name="v2")
            saver = v1.train.Saver(write_version=write_version)
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                saved = var_outputs(sess, [a, b])
                path = saver.save(sess, "model.ckpt")
            sc.note("variable_op_types", {v.op.name: v.op.type for v in (a, b)})
        sc.note("save_returned_path", path)
        sc.add_run("save", outputs=saved,
                   what="values of v1 [1,2] and v2 [2,3] (graph seed 42, random_normal) when saved")

        # Restore into a fresh graph with zero-initialised variables.
        g = tf.Graph()
        with g.as_default():
            a = v1.Variable(tf.zeros([1, 2]), name="v1")
            b = v1.Variable(tf.zeros([2, 3]), name="v2")
            saver = v1.train.Saver()
            with session(g) as sess:
                saver.restore(sess, "model.ckpt")
                restored = var_outputs(sess, [a, b])
        sc.add_run("restore", outputs=restored,
                   what="fresh graph, tf.compat.v1.Variable(zeros) named v1/v2, Saver().restore('model.ckpt')")
        sc.note("checkpoint_file_text", read_text("checkpoint"))
        sc.note("latest_checkpoint", v1.train.latest_checkpoint("."))
    sc.add_checkpoint("model.ckpt")


@scenario("saver_v2_basic",
          "tf.compat.v1.train.Saver (V2 format) save of v1 [1,2] and v2 [2,3] float32 "
          "random_normal (graph seed 42) to model.ckpt (+ .meta, checkpoint); restore "
          "into a fresh graph.")
def saver_v2_basic(sc):
    _basic(sc, v1.train.SaverDef.V2)


@scenario("saver_v2_resource",
          "As saver_v2_basic but with resource variables (VarHandleOp/ReadVariableOp, "
          "TF2's graph-mode default) instead of reference variables (VariableV2).")
def saver_v2_resource(sc):
    with resource_variables(True):
        _basic(sc, v1.train.SaverDef.V2)


@scenario("saver_v1_basic",
          "As saver_v2_basic but Saver(write_version=SaverDef.V1): a single V1 "
          "(TensorSlice table) file model.ckpt.")
def saver_v1_basic(sc):
    _basic(sc, v1.train.SaverDef.V1)


@scenario("rename_map",
          "Saver({'v1': other_v1, 'v2': other_v2}) saves graph variables other_v1/other_v2 "
          "under checkpoint keys v1/v2; restored into differently named variables "
          "(w1/w2 via a rename map) and into variables named v1/v2 with a default Saver.")
def rename_map(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            o1 = v1.Variable([1.0, 2.0], name="other_v1")
            o2 = v1.Variable([[3.0, 4.0, 5.0]], name="other_v2")
            saver = v1.train.Saver({"v1": o1, "v2": o2})
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                saved = var_outputs(sess, [o1, o2])
                saver.save(sess, "model.ckpt")
        sc.add_run("save", outputs=saved, what="graph variables saved under keys v1, v2")

        g = tf.Graph()
        with g.as_default():
            w1 = v1.Variable(tf.zeros([2]), name="w1")
            w2 = v1.Variable(tf.zeros([1, 3]), name="w2")
            saver = v1.train.Saver({"v1": w1, "v2": w2})
            with session(g) as sess:
                saver.restore(sess, "model.ckpt")
                sc.add_run("restore_renamed", outputs=var_outputs(sess, [w1, w2]),
                           what="Saver({'v1': w1, 'v2': w2}).restore: key v1 -> w1, v2 -> w2")

        g = tf.Graph()
        with g.as_default():
            a = v1.Variable(tf.zeros([2]), name="v1")
            b = v1.Variable(tf.zeros([1, 3]), name="v2")
            saver = v1.train.Saver()
            with session(g) as sess:
                saver.restore(sess, "model.ckpt")
                sc.add_run("restore_default_names", outputs=var_outputs(sess, [a, b]),
                           what="variables named v1/v2, default Saver()")

        # Default saver over other_v1/other_v2 cannot find its keys.
        g = tf.Graph()
        with g.as_default():
            v1.Variable(tf.zeros([2]), name="other_v1")
            v1.Variable(tf.zeros([1, 3]), name="other_v2")
            saver = v1.train.Saver()
            with session(g) as sess:
                try:
                    saver.restore(sess, "model.ckpt")
                except Exception as e:  # noqa: BLE001
                    sc.add_error("restore_original_names", e,
                                 "default Saver() over other_v1/other_v2 restoring model.ckpt "
                                 "(keys v1, v2)")
    sc.add_checkpoint("model.ckpt")


@scenario("partial_restore",
          "Saver(var_list=[v1]) restores only v1 (v2 keeps its initial value); "
          "a checkpoint saved with var_list=[v1]; restoring v2 from it fails (error text recorded).")
def partial_restore(sc):
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            a = v1.Variable([1.5, 2.5], name="v1")
            b = v1.Variable([[7.0, 8.0]], name="v2")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                v1.train.Saver().save(sess, "full.ckpt", write_meta_graph=False,
                                      latest_filename="checkpoint_full")
                v1.train.Saver(var_list=[a]).save(sess, "partial.ckpt", write_meta_graph=False,
                                                  latest_filename="checkpoint_partial")
                sc.add_run("save", outputs=var_outputs(sess, [a, b]),
                           what="full.ckpt holds v1 and v2; partial.ckpt (var_list=[v1]) only v1")

        g = tf.Graph()
        with g.as_default():
            a = v1.Variable([0.0, 0.0], name="v1")
            b = v1.Variable([[-1.0, -1.0]], name="v2")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                v1.train.Saver(var_list=[a]).restore(sess, "full.ckpt")
                sc.add_run("restore_var_list_v1", outputs=var_outputs(sess, [a, b]),
                           what="init v1=[0,0], v2=[[-1,-1]]; Saver(var_list=[v1]).restore(full.ckpt)")
                v1.train.Saver(var_list={"v1": a}).restore(sess, "partial.ckpt")
                try:
                    v1.train.Saver().restore(sess, "partial.ckpt")
                except Exception as e:  # noqa: BLE001
                    sc.add_error("restore_missing_key", e,
                                 "Saver() over v1, v2 restoring partial.ckpt which lacks key v2")
                try:
                    v1.train.Saver().restore(sess, "does_not_exist.ckpt")
                except Exception as e:  # noqa: BLE001
                    sc.add_error("restore_missing_checkpoint", e,
                                 "Saver().restore of a prefix with no files")
        try:
            v1.train.NewCheckpointReader("partial.ckpt").get_tensor("v2")
        except Exception as e:  # noqa: BLE001
            sc.add_error("reader_get_missing_tensor", e,
                         "NewCheckpointReader('partial.ckpt').get_tensor('v2')")
        try:
            v1.train.NewCheckpointReader("does_not_exist.ckpt")
        except Exception as e:  # noqa: BLE001
            sc.add_error("reader_missing_checkpoint", e,
                         "NewCheckpointReader('does_not_exist.ckpt')")
        sc.note("checkpoint_full_text", read_text("checkpoint_full"))
        sc.note("checkpoint_partial_text", read_text("checkpoint_partial"))
    sc.add_checkpoint("full.ckpt")
    sc.add_checkpoint("partial.ckpt")


@scenario("max_to_keep",
          "Saver(max_to_keep=2) saving model.ckpt with global_step 1..5 (v = step*1.5): "
          "only the last two checkpoints (and metas) remain; checkpoint file text recorded after each save.")
def max_to_keep(sc):
    with sc.cwd():
        g = tf.Graph()
        history = []
        with g.as_default():
            v = v1.Variable(0.0, name="v")
            val = v1.placeholder(tf.float32, [], name="val")
            assign = v.assign(val)
            saver = v1.train.Saver(max_to_keep=2)
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                for step in range(1, 6):
                    sess.run(assign, {val: step * 1.5})
                    path = saver.save(sess, "model.ckpt", global_step=step)
                    history.append({
                        "step": step,
                        "returned_path": path,
                        "files": list_dir("."),
                        "checkpoint_file_text": read_text("checkpoint"),
                        "last_checkpoints": list(saver.last_checkpoints),
                    })
        sc.note("history", history)
        sc.note("final_files", list_dir("."))
        sc.note("checkpoint_file_text", read_text("checkpoint"))
        sc.note("latest_checkpoint", v1.train.latest_checkpoint("."))
        st = v1.train.get_checkpoint_state(".")
        sc.note("checkpoint_state", ckpt.parse_checkpoint_state(read_text("checkpoint")))
        sc.note("get_checkpoint_state_all_paths", list(st.all_model_checkpoint_paths))
    sc.add_checkpoint("model.ckpt-4")
    sc.add_checkpoint("model.ckpt-5")


@scenario("sharded",
          "Saver(sharded=True) over variables placed on /cpu:0, /cpu:1, /cpu:2 (session with "
          "device_count CPU=3): one data file per device, one merged index.")
def sharded(sc):
    with sc.cwd():
        g = tf.Graph()
        variables = []
        with g.as_default():
            for i in range(3):
                with tf.device("/cpu:%d" % i):
                    variables.append(v1.Variable(
                        np.arange(4 * (i + 1), dtype=np.float32).reshape(i + 1, 4) + 100 * i,
                        name="s%d" % i))
            with tf.device("/cpu:0"):
                variables.append(v1.Variable(np.int64(-7), name="step"))
            saver = v1.train.Saver(sharded=True)
            with session(g, cpus=3) as sess:
                sess.run(v1.global_variables_initializer())
                saved = var_outputs(sess, variables)
                path = saver.save(sess, "model.ckpt")
            devices = {v.op.name: v.device for v in variables}
        sc.add_run("save", outputs=saved, what="values saved")
        sc.note("save_returned_path", path)
        sc.note("variable_devices", devices)
        sc.note("saver_def_sharded", True)
        sc.note("checkpoint_file_text", read_text("checkpoint"))

        g = tf.Graph()
        with g.as_default():
            vs = [v1.Variable(tf.zeros_like(tf.constant(saved[v.name][1])), name=v.op.name)
                  for v in variables]
            saver = v1.train.Saver()
            with session(g) as sess:
                saver.restore(sess, "model.ckpt")
                sc.add_run("restore_unsharded", outputs=var_outputs(sess, vs),
                           what="fresh single-device graph, non-sharded Saver().restore")
    sc.add_checkpoint("model.ckpt")


@scenario("partitioned",
          "get_variable('pv', [10, 4], partitioner=fixed_size_partitioner(3)) saved as slices "
          "of key pv (and an unpartitioned 'w'); restored into the same partitioning, into "
          "fixed_size_partitioner(2), and into an unpartitioned [10,4] variable.")
def partitioned(sc):
    full = (np.arange(40, dtype=np.float32).reshape(10, 4) * 0.5 - 3.0)

    def init(shape, dtype=None, partition_info=None):
        off = partition_info.var_offset if partition_info is not None else [0, 0]
        return tf.constant(full[off[0]:off[0] + shape[0], off[1]:off[1] + shape[1]], dtype)

    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            pv = v1.get_variable("pv", shape=[10, 4], dtype=tf.float32,
                                 initializer=init,
                                 partitioner=v1.fixed_size_partitioner(3))
            w = v1.get_variable("w", initializer=tf.constant([1, 2, 3], dtype=tf.int32))
            parts = list(pv)
            saver = v1.train.Saver()
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                outs = var_outputs(sess, parts + [w])
                outs["pv (as_tensor)"] = (tf.float32, sess.run(pv.as_tensor()))
                saver.save(sess, "model.ckpt")
            sc.note("partition_variables", [
                {"name": p.name, "shape": p.shape.as_list(),
                 "save_slice_info": p._save_slice_info.spec if p._save_slice_info else None}
                for p in parts])
        sc.add_run("save", outputs=outs, what="partition values and the concatenated value")

        for label, partitioner in (("restore_same_partitioning", v1.fixed_size_partitioner(3)),
                                   ("restore_2_partitions", v1.fixed_size_partitioner(2)),
                                   ("restore_unpartitioned", None)):
            g = tf.Graph()
            with g.as_default():
                pv = v1.get_variable("pv", shape=[10, 4], dtype=tf.float32,
                                     initializer=v1.zeros_initializer(),
                                     partitioner=partitioner)
                w = v1.get_variable("w", shape=[3], dtype=tf.int32,
                                    initializer=v1.zeros_initializer())
                saver = v1.train.Saver()
                with session(g) as sess:
                    try:
                        saver.restore(sess, "model.ckpt")
                        pvt = pv.as_tensor() if partitioner else pv
                        outs = {"pv": (tf.float32, sess.run(pvt)), w.name: (tf.int32, sess.run(w))}
                        sc.add_run(label, outputs=outs,
                                   what="restore into partitioner=%s" % (
                                       "None" if partitioner is None else label))
                    except Exception as e:  # noqa: BLE001
                        sc.add_error(label, e, "restore with a different partitioning")
    sc.add_checkpoint("model.ckpt")


@scenario("index_many_keys",
          "tf.raw_ops.SaveV2 of 300 scalar float32 tensors with long, similar names: an index "
          "whose data block is large and compressible (shows whether TF snappy-compresses "
          "index blocks).")
def index_many_keys(sc):
    names = ["layer_%03d/some/very/long/repetitive/name/kernel" % i for i in range(300)]
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            op = tf.raw_ops.SaveV2(prefix="many", tensor_names=names,
                                   shape_and_slices=[""] * len(names),
                                   tensors=[tf.constant(float(i) * 0.25) for i in range(300)])
            with session(g) as sess:
                sess.run(op)
    sc.add_checkpoint("many")


if __name__ == "__main__":
    main()
