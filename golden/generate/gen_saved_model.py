"""TF1 SavedModels: simple_save and SavedModelBuilder."""
import os

from google.protobuf import json_format

from _common import main, np, scenario, session, tf, v1, var_outputs  # noqa: F401

SM_INPUTS = np.array([[1.0, 0.0, -1.0, 2.0],
                      [0.5, 0.5, 0.5, 0.5],
                      [-2.0, 1.0, 0.0, 3.0]], dtype=np.float32)


def _sig_dict(sig):
    return json_format.MessageToDict(sig, preserving_proto_field_name=True)


def _load_and_run(sc, label, export_dir, tags, sig_key, feeds, what):
    """loader.load(tags) then run signature sig_key with feeds {input key: (dtype, value)}."""
    g = tf.Graph()
    with g.as_default():
        with session(g) as sess:
            mg = v1.saved_model.loader.load(sess, tags, export_dir)
            sig = mg.signature_def[sig_key]
            feed = {g.get_tensor_by_name(sig.inputs[k].name): v for k, (_, v) in feeds.items()}
            out_keys = sorted(sig.outputs)
            fetches = [g.get_tensor_by_name(sig.outputs[k].name) for k in out_keys]
            vals = sess.run(fetches, feed)
            sc.add_run(label,
                       inputs={sig.inputs[k].name: feeds[k] for k in sorted(feeds)},
                       outputs={sig.outputs[k].name: (t.dtype.base_dtype, v)
                                for k, t, v in zip(out_keys, fetches, vals)},
                       what=what, model=export_dir, tags=list(tags), signature=sig_key,
                       input_keys={k: sig.inputs[k].name for k in sorted(sig.inputs)},
                       output_keys={k: sig.outputs[k].name for k in out_keys})
            return mg


def _predict_signature(inputs, outputs):
    """A predict SignatureDef of {key: tensor} inputs and outputs."""
    info = v1.saved_model.utils.build_tensor_info
    return v1.saved_model.signature_def_utils.build_signature_def(
        inputs={k: info(t) for k, t in inputs.items()},
        outputs={k: info(t) for k, t in outputs.items()},
        method_name=v1.saved_model.signature_constants.PREDICT_METHOD_NAME)


def _saved_model_summary(path):
    from tensorflow.core.protobuf import saved_model_pb2
    sm = saved_model_pb2.SavedModel()
    with open(path, "rb") as f:
        sm.ParseFromString(f.read())
    out = {"saved_model_schema_version": sm.saved_model_schema_version, "meta_graphs": []}
    for mg in sm.meta_graphs:
        out["meta_graphs"].append({
            "tags": list(mg.meta_info_def.tags),
            "signature_def": {k: _sig_dict(mg.signature_def[k]) for k in sorted(mg.signature_def)},
            "collection_keys": sorted(mg.collection_def),
            "asset_file_def": [json_format.MessageToDict(a, preserving_proto_field_name=True)
                               for a in mg.asset_file_def],
            "saver_def": json_format.MessageToDict(mg.saver_def, preserving_proto_field_name=True),
            "num_nodes": len(mg.graph_def.node),
        })
    return out


@scenario("saved_model_simple_save",
          "tf.compat.v1.saved_model.simple_save of a softmax regression (W [4,3], b [3] fixed "
          "values; input 'myInput', output 'myOutput', tag 'serve', signature "
          "'serving_default') to saved_model/; outputs on fixed inputs after loading.")
def saved_model_simple_save(sc):
    W = np.array([[0.5, -0.25, 0.0], [1.0, 0.75, -1.0], [-0.5, 0.25, 2.0], [0.125, -2.0, 1.5]],
                 dtype=np.float32)
    B = np.array([0.1, -0.2, 0.3], dtype=np.float32)
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None, 4], name="myInput")
            w = v1.Variable(W, name="W")
            b = v1.Variable(B, name="b")
            y = tf.nn.softmax(tf.matmul(x, w) + b, name="myOutput")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                sc.add_run("before_save", inputs={"myInput:0": (tf.float32, SM_INPUTS)},
                           outputs={"myOutput:0": (tf.float32, sess.run(y, {x: SM_INPUTS}))},
                           what="the graph before saving")
                v1.saved_model.simple_save(sess, "saved_model", inputs={"myInput": x},
                                           outputs={"myOutput": y})
        _load_and_run(sc, "load_serving_default", "saved_model", ["serve"], "serving_default",
                      {"myInput": (tf.float32, SM_INPUTS)},
                      "loader.load(['serve']) + run signature serving_default")
        sc.note("saved_model", _saved_model_summary("saved_model/saved_model.pb"))
        sc.note("contains_saved_model", v1.saved_model.contains_saved_model("saved_model"))
        g = tf.Graph()
        with g.as_default(), session(g) as sess:
            try:
                v1.saved_model.loader.load(sess, ["train"], "saved_model")
            except Exception as e:  # noqa: BLE001
                sc.add_error("load_missing_tag", e, "loader.load(sess, ['train'], 'saved_model')")
            try:
                v1.saved_model.loader.load(sess, ["serve"], "no_such_dir")
            except Exception as e:  # noqa: BLE001
                sc.add_error("load_missing_dir", e, "loader.load(sess, ['serve'], 'no_such_dir')")
    sc.add_checkpoint("saved_model/variables/variables")


@scenario("saved_model_builder",
          "SavedModelBuilder with two MetaGraphs: tags ['serve', 'custom_tag'] with signatures "
          "'predict' (x -> y = x@W + b, words -> ids via a vocabulary asset lookup table) and "
          "'serving_default', an asset (vocab.txt) and a main op (table init + counter reset); "
          "tags ['train'] with signature 'train_predict'. Outputs on fixed inputs for both.")
def saved_model_builder(sc):
    W = np.array([[1.0, 2.0], [-1.0, 0.5], [0.25, -0.25]], dtype=np.float32)
    B = np.array([10.0, -10.0], dtype=np.float32)
    X = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]], dtype=np.float32)
    WORDS = np.array([b"apple", b"cherry", b"durian", b"banana"], dtype=object)
    with sc.cwd():
        os.makedirs("asset_src", exist_ok=True)
        with open("asset_src/vocab.txt", "w", encoding="utf-8") as f:
            f.write("apple\nbanana\ncherry\n")
        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None, 3], name="x")
            words = v1.placeholder(tf.string, [None], name="words")
            w = v1.Variable(W, name="W")
            b = v1.Variable(B, name="b")
            counter = v1.Variable(5, dtype=tf.int64, name="counter", trainable=False)
            y = tf.add(tf.matmul(x, w), b, name="y")
            asset = tf.constant("asset_src/vocab.txt", name="vocab_filename")
            g.add_to_collection(v1.GraphKeys.ASSET_FILEPATHS, asset)
            table = v1.lookup.StaticHashTable(
                v1.lookup.TextFileInitializer(asset, tf.string, v1.lookup.TextFileIndex.WHOLE_LINE,
                                              tf.int64, v1.lookup.TextFileIndex.LINE_NUMBER),
                default_value=-1, name="vocab_table")
            ids = tf.identity(table.lookup(words), name="ids")
            count = tf.identity(counter, name="count")
            main_op = tf.group(v1.tables_initializer(), v1.assign(counter, 100), name="main_op")
            sig_predict = _predict_signature({"x": x, "words": words},
                                             {"y": y, "ids": ids, "count": count})
            sig_train = _predict_signature({"x": x}, {"y": y})
            builder = v1.saved_model.Builder("saved_model")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                builder.add_meta_graph_and_variables(
                    sess, ["serve", "custom_tag"],
                    signature_def_map={"predict": sig_predict, "serving_default": sig_predict},
                    assets_collection=g.get_collection(v1.GraphKeys.ASSET_FILEPATHS),
                    main_op=main_op, strip_default_attrs=True)
                builder.add_meta_graph(["train"], signature_def_map={"train_predict": sig_train},
                                       strip_default_attrs=True)
            written = builder.save()
        sc.note("builder_save_returned", os.path.relpath(written.decode() if isinstance(written, bytes) else written))
        feeds = {"x": (tf.float32, X), "words": (tf.string, WORDS)}
        _load_and_run(sc, "load_serve_custom_tag_predict", "saved_model", ["serve", "custom_tag"],
                      "predict", feeds,
                      "loader.load(['serve','custom_tag']) (runs main_op: table init, counter=100) "
                      "+ signature predict; ids: apple=0 banana=1 cherry=2 unknown=-1")
        _load_and_run(sc, "load_train", "saved_model", ["train"], "train_predict",
                      {"x": (tf.float32, X)}, "loader.load(['train']) + signature train_predict")
        sc.note("saved_model", _saved_model_summary("saved_model/saved_model.pb"))
        g = tf.Graph()
        with g.as_default(), session(g) as sess:
            try:
                v1.saved_model.loader.load(sess, ["serve"], "saved_model")
            except Exception as e:  # noqa: BLE001
                sc.add_error("load_subset_of_tags", e,
                             "loader.load(sess, ['serve'], ...) when the MetaGraph's tags are "
                             "['serve', 'custom_tag']")
    sc.add_checkpoint("saved_model/variables/variables")


def _feed_error(sess, fetch, feed, value, v2_shapes):
    """The exception Session.run raises feeding `value`, TensorShape v2 or v1."""
    (v1.enable_v2_tensorshape if v2_shapes else v1.disable_v2_tensorshape)()
    try:
        sess.run(fetch, {feed: value})
    except Exception as e:  # noqa: BLE001
        return e
    finally:
        v1.disable_v2_tensorshape()  # the graph-mode scripts' setting (_common.main)
    raise AssertionError("TF accepted %s of shape %s" % (feed.name, value.shape))


@scenario("saved_model_identity_input",
          "SavedModelBuilder of y = sum(x * w, axis 1) (w [3] fixed) whose signature "
          "'serving_default' input x:0 is an Identity of a [None, 3] placeholder: not a "
          "Placeholder, so Session.run checks a feed against x:0's static shape (None, 3), which "
          "a reader without shape inference has only from the TensorInfo. Outputs on a fixed "
          "input; TF's errors (feed_*) for inputs of the wrong rank and the wrong size, each "
          "with the input fed.", versions="tf2")
def saved_model_identity_input(sc):
    # Only in the TF 2.21 corpus (versions="tf2"; --version 2.11 runs just
    # gen_tf2.py): TF 1.x's binary protos differ on every run, so a new
    # 1.15 scenario would rewrite every .pb/.meta of golden/tf-1.15.
    W = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]], dtype=np.float32)
    with sc.cwd():
        g = tf.Graph()
        with g.as_default():
            raw = v1.placeholder(tf.float32, [None, 3], name="raw")
            x = tf.identity(raw, name="x")
            w = v1.Variable(W, name="w")
            y = tf.reduce_sum(x * w, axis=1, name="y")
            sig = _predict_signature({"x": x}, {"y": y})
            builder = v1.saved_model.Builder("saved_model")
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                builder.add_meta_graph_and_variables(sess, ["serve"],
                                                     signature_def_map={"serving_default": sig},
                                                     strip_default_attrs=True)
            builder.save()
        _load_and_run(sc, "load_serving_default", "saved_model", ["serve"], "serving_default",
                      {"x": (tf.float32, X)}, "loader.load(['serve']) + run signature serving_default")
        wrong = {"feed_wrong_rank": [[[1.0, 2.0, 3.0]]], "feed_wrong_size": [[1.0, 2.0]],
                 "feed_scalar": 3.0}
        g = tf.Graph()
        with g.as_default(), session(g) as sess:
            mg = v1.saved_model.loader.load(sess, ["serve"], "saved_model")
            sig = mg.signature_def["serving_default"]
            x_t = g.get_tensor_by_name(sig.inputs["x"].name)
            y_t = g.get_tensor_by_name(sig.outputs["y"].name)
            for name, value in wrong.items():
                for v2_shapes in (True, False):
                    # TF 2.21's default (TensorShape v2, what saved_model_cli
                    # and tf.compat.v1.Session print): "(None, 3)"; under
                    # disable_v2_behavior (this script's mode): "(?, 3)".
                    err = _feed_error(sess, y_t, x_t, np.array(value, dtype=np.float32), v2_shapes)
                    if v2_shapes:
                        rec = sc.add_error(name, err, "signature serving_default fed x of shape %s"
                                           % (np.shape(value),))
                        rec["signature"] = "serving_default"
                        rec["inputs"] = {"x": value}
                    else:
                        sc.note(name + " under disable_v2_behavior", str(err))
    sc.add_checkpoint("saved_model/variables/variables")


if __name__ == "__main__":
    main()
