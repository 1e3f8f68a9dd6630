"""The model read operations of the testee protocol (protocol.h) answered by
TensorFlow's own Python readers, for conformance/tf_testee.py: the result
shapes match conformance/model_ops.cc (tfckpt's answers) and are documented
in conformance/README.md.
"""
import os


def _shape(tensor_shape):
    if tensor_shape.unknown_rank:
        return None
    return [d.size for d in tensor_shape.dim]


def _tensor_info(t, types_pb2):
    return {"name": t.name, "dtype": types_pb2.DataType.Name(t.dtype),
            "shape": _shape(t.tensor_shape)}


def _saver_def(sd, saver_pb2):
    return {"filename_tensor_name": sd.filename_tensor_name,
            "save_tensor_name": sd.save_tensor_name,
            "restore_op_name": sd.restore_op_name,
            "max_to_keep": sd.max_to_keep,
            "sharded": sd.sharded,
            "keep_checkpoint_every_n_hours": sd.keep_checkpoint_every_n_hours,
            "version": saver_pb2.SaverDef.CheckpointFormatVersion.Name(sd.version)}


def model_ops(tf, oc):
    """{op name: handler} for read_saved_model, read_meta_graph, read_graph,
    read_object_graph, load_model."""
    from google.protobuf import text_format
    from tensorflow.core.framework import graph_pb2, types_pb2, variable_pb2
    from tensorflow.core.protobuf import saver_pb2, trackable_object_graph_pb2
    from tensorflow.python.framework import meta_graph
    from tensorflow.python.saved_model import loader_impl

    def meta_graph_json(mg):
        sigs = {}
        for key, sig in mg.signature_def.items():
            sigs[key] = {"inputs": {k: _tensor_info(t, types_pb2) for k, t in sig.inputs.items()},
                         "outputs": {k: _tensor_info(t, types_pb2) for k, t in sig.outputs.items()},
                         "method_name": sig.method_name}
        out = {"tags": list(mg.meta_info_def.tags), "signature_def": sigs,
               "collection_keys": sorted(mg.collection_def.keys()),
               "num_nodes": len(mg.graph_def.node)}
        if mg.HasField("saver_def"):
            out["saver_def"] = _saver_def(mg.saver_def, saver_pb2)
        return out

    def read_saved_model(req):
        export_dir = req["dir"]
        if "tags" in req:
            # TF's loader, steps 1-2: RuntimeError when no tag set matches.
            loader = loader_impl.SavedModelLoader(export_dir)
            out = {"meta_graphs": [meta_graph_json(
                loader.get_meta_graph_def_from_tags(req["tags"]))]}
        else:
            sm = loader_impl.parse_saved_model(export_dir)
            out = {"saved_model_schema_version": sm.saved_model_schema_version,
                   "meta_graphs": [meta_graph_json(mg) for mg in sm.meta_graphs]}
        # variables/variables as TF's loader restores it (saved_model_utils.
        # get_variables_path, Saver.restore): a V2 bundle, or the V1
        # TensorSlice file a TF 1.x Saver(write_version=V1) writes; TF's
        # checkpoint reader opens either.
        prefix = os.path.join(export_dir, "variables", "variables")
        variables = []
        if os.path.exists(prefix + ".index") or os.path.isfile(prefix):
            reader = tf.compat.v1.train.NewCheckpointReader(prefix)
            dtypes = reader.get_variable_to_dtype_map()
            for name, shape in sorted(reader.get_variable_to_shape_map().items()):
                variables.append({"name": name, "dtype": oc.dtype_name(dtypes[name]),
                                  "shape": list(shape)})
        out["variables"] = variables
        return out

    def collection_json(c):
        kind = c.WhichOneof("kind")
        if kind == "node_list":
            return {"kind": kind, "value": list(c.node_list.value)}
        if kind == "bytes_list":
            return {"kind": kind, "value": [v.hex() for v in c.bytes_list.value]}
        if kind == "int64_list":
            return {"kind": kind, "value": list(c.int64_list.value)}
        if kind == "float_list":
            return {"kind": kind, "value": list(c.float_list.value)}
        if kind == "any_list":
            return {"kind": kind, "value": [v.type_url for v in c.any_list.value]}
        return {"kind": "none", "value": []}

    def read_meta_graph(req):
        mg = meta_graph.read_meta_graph_file(req["path"])
        out = meta_graph_json(mg)
        out["collections"] = {k: collection_json(c) for k, c in mg.collection_def.items()}
        variables = {}
        for key in ("variables", "trainable_variables", "local_variables", "model_variables"):
            c = mg.collection_def.get(key)
            if c is None or c.WhichOneof("kind") != "bytes_list":
                continue
            names = []
            for b in c.bytes_list.value:
                v = variable_pb2.VariableDef()
                v.ParseFromString(b)
                names.append(v.variable_name)
            variables[key] = names
        out["variables"] = variables
        return out

    def read_graph(req):
        with open(req["path"], "rb") as f:
            data = f.read()
        g = graph_pb2.GraphDef()
        try:
            g.ParseFromString(data)
        except Exception:  # noqa: BLE001 -- not binary: TF's text format
            g = graph_pb2.GraphDef()
            text_format.Merge(data.decode("utf-8"), g)
        nodes, consts = [], []
        for n in g.node:
            nodes.append({"name": n.name, "op": n.op})
            if n.op == "Const":
                value = tf.make_ndarray(n.attr["value"].tensor)
                rec = oc.record(n.name, oc.dtype_name(tf.as_dtype(n.attr["dtype"].type)), value)
                consts.append({"name": n.name, "dtype": rec["dtype"], "shape": rec["shape"],
                               "sha256": rec["raw_sha256"]})
        return {"nodes": nodes, "consts": consts}

    def read_object_graph(req):
        reader = tf.compat.v1.train.NewCheckpointReader(req["prefix"])
        g = trackable_object_graph_pb2.TrackableObjectGraph()
        g.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
        nodes = []
        for n in g.nodes:
            nodes.append({
                "children": [{"node_id": c.node_id, "local_name": c.local_name} for c in n.children],
                "attributes": [{"name": a.name, "full_name": a.full_name,
                                "checkpoint_key": a.checkpoint_key} for a in n.attributes]})
        return {"nodes": nodes}

    def load_model(req):
        """TF's TF1 loaders in a graph-mode Session: tf.compat.v1.saved_model.load,
        import_meta_graph + the saver_def's restore op, import_graph_def; then
        the variables' initializers, the saver_def's save tensor, the fetches."""
        path, kind = req["path"], req["kind"]
        graph = tf.Graph()
        with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
            mg = None
            fetch = list(req.get("fetch", []))
            if kind == "saved_model":
                tags = req.get("tags")
                if tags is None:
                    tags = list(loader_impl.parse_saved_model(path).meta_graphs[0].meta_info_def.tags)
                mg = tf.compat.v1.saved_model.load(sess, tags, path)
            elif kind == "meta_graph":
                mg = meta_graph.read_meta_graph_file(path)
                # Devices cleared: the session has one CPU (sharded goldens name several).
                tf.compat.v1.train.import_meta_graph(mg, clear_devices=True)
                if "checkpoint" in req:
                    sd = mg.saver_def
                    sess.run(sd.restore_op_name, {sd.filename_tensor_name: req["checkpoint"]})
            elif kind == "graph":
                g = graph_pb2.GraphDef()
                with open(path, "rb") as f:
                    data = f.read()
                try:
                    g.ParseFromString(data)
                except Exception:  # noqa: BLE001 -- not binary: TF's text format
                    g = graph_pb2.GraphDef()
                    text_format.Merge(data.decode("utf-8"), g)
                fetch = tf.graph_util.import_graph_def(g, name="", return_elements=fetch)
            else:
                raise ValueError("unknown model kind %r" % kind)
            if kind != "graph":
                fetch = [graph.get_tensor_by_name(n) for n in fetch]
            if req.get("initialize"):
                inits = []
                for b in mg.collection_def["variables"].bytes_list.value:
                    v = variable_pb2.VariableDef()
                    v.ParseFromString(b)
                    inits.append(v.initializer_name)
                sess.run(inits)
            if "save_to" in req:
                sd = mg.saver_def
                sess.run(sd.save_tensor_name, {sd.filename_tensor_name: req["save_to"]})
            if not fetch:
                return {}
            tensors = []
            for t, value in zip(fetch, sess.run(fetch)):
                rec = oc.record(t.name, oc.dtype_name(t.dtype), value)
                tensors.append({"name": t.name, "dtype": rec["dtype"], "shape": rec["shape"],
                                "sha256": rec["raw_sha256"]})
            return {"tensors": tensors}

    return {"read_saved_model": read_saved_model, "read_meta_graph": read_meta_graph,
            "read_graph": read_graph, "read_object_graph": read_object_graph,
            "load_model": load_model}
