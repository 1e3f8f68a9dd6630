"""tf.compat.v1.train.ExponentialMovingAverage shadow variables."""
from _common import main, read_text, scenario, session, tf, v1, var_outputs


@scenario("ema",
          "ExponentialMovingAverage(0.99) over v: v assigned 10.0, one update -> shadow "
          "'v/ExponentialMovingAverage' = 0.99*0 + 0.01*10 in float32 (0.099999905). Saved "
          "(model.ckpt); shadow restored into v via a rename map and via variables_to_restore(). "
          "Variants: num_updates (num_updates.ckpt) and zero_debias=True over tensors "
          "(zero_debias.ckpt).")
def ema(sc):
    with sc.cwd():
        # --- basic ---------------------------------------------------------
        g = tf.Graph()
        with g.as_default():
            v = v1.Variable(0.0, name="v")
            e = v1.train.ExponentialMovingAverage(0.99)
            maintain = e.apply([v])
            shadow = e.average(v)
            sc.note("average_name", e.average_name(v))
            sc.note("shadow_variable_name", shadow.name)
            assign = v.assign(10.0)
            saver = v1.train.Saver()
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                before = var_outputs(sess, [v, shadow])
                sess.run(assign)
                sess.run(maintain)
                after = var_outputs(sess, [v, shadow])
                saver.save(sess, "model.ckpt")
        sc.add_run("initial", outputs=before, what="after initialisation")
        sc.add_run("after_one_update", outputs=after,
                   what="v.assign(10.0) then one ema.apply update (decay 0.99)")

        # --- restore the shadow into v via a rename map -----------------------
        g = tf.Graph()
        with g.as_default():
            v = v1.Variable(0.0, name="v")
            saver = v1.train.Saver({"v/ExponentialMovingAverage": v})
            with session(g) as sess:
                saver.restore(sess, "model.ckpt")
                sc.add_run("restore_shadow_rename_map", outputs=var_outputs(sess, [v]),
                           what="Saver({'v/ExponentialMovingAverage': v}).restore(model.ckpt)")

        # --- variables_to_restore --------------------------------------------
        g = tf.Graph()
        with g.as_default():
            v = v1.Variable(0.0, name="v")
            e = v1.train.ExponentialMovingAverage(0.99)
            vtr = e.variables_to_restore()
            sc.note("variables_to_restore", {k: vtr[k].name for k in sorted(vtr)})
            saver = v1.train.Saver(vtr)
            with session(g) as sess:
                saver.restore(sess, "model.ckpt")
                sc.add_run("restore_variables_to_restore", outputs=var_outputs(sess, [v]),
                           what="graph with only v: Saver(ema.variables_to_restore()).restore(model.ckpt)")

        g = tf.Graph()
        with g.as_default():
            v = v1.Variable(0.0, name="v")
            w = v1.Variable([1.0, 2.0], name="not_averaged", trainable=False)
            e = v1.train.ExponentialMovingAverage(0.99)
            vtr = e.variables_to_restore()
            sc.note("variables_to_restore with a non-trainable variable",
                    {k: vtr[k].name for k in sorted(vtr)})
            vtr_moving = e.variables_to_restore(moving_avg_variables=[v])
            sc.note("variables_to_restore(moving_avg_variables=[v])",
                    {k: vtr_moving[k].name for k in sorted(vtr_moving)})
            saver = v1.train.Saver(vtr)
            with session(g) as sess:
                try:
                    saver.restore(sess, "model.ckpt")
                    raise AssertionError("expected NotFoundError")
                except tf.errors.NotFoundError as ex:
                    sc.add_error("restore_variables_to_restore_missing_key", ex,
                                 "Saver(ema.variables_to_restore()) over v and non-trainable "
                                 "not_averaged (not in model.ckpt)")

        # --- num_updates -----------------------------------------------------
        g = tf.Graph()
        with g.as_default():
            v = v1.Variable(0.0, name="v")
            step = v1.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
            e = v1.train.ExponentialMovingAverage(0.99, num_updates=step)
            maintain = e.apply([v])
            shadow = e.average(v)
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                sess.run(v.assign(10.0))
                sess.run(maintain)
                out = var_outputs(sess, [v, shadow, step])
                v1.train.Saver().save(sess, "num_updates.ckpt", write_meta_graph=False,
                                      latest_filename="checkpoint_num_updates")
        sc.add_run("num_updates_after_one_update", outputs=out,
                   what="num_updates=global_step (0): decay = min(0.99, (1+0)/(10+0)) = 0.1")

        # --- zero_debias over tensors ------------------------------------------
        g = tf.Graph()
        with g.as_default():
            v = v1.Variable(0.0, name="v")
            t = tf.multiply(v, 1.0, name="v_times_1")
            c = tf.add(tf.constant(4.0), 0.0, name="plain_tensor")
            e = v1.train.ExponentialMovingAverage(0.99, zero_debias=True)
            maintain = e.apply([t, c])
            shadows = [e.average(t), e.average(c)]
            sc.note("zero_debias_variables", sorted(x.name for x in v1.global_variables()))
            with session(g) as sess:
                sess.run(v1.global_variables_initializer())
                sess.run(v.assign(10.0))
                sess.run(maintain)
                out = var_outputs(sess, v1.global_variables())
                out.update({s.name + " (average)": (tf.float32, sess.run(s)) for s in shadows})
                v1.train.Saver().save(sess, "zero_debias.ckpt", write_meta_graph=False,
                                      latest_filename="checkpoint_zero_debias")
        sc.add_run("zero_debias_after_one_update", outputs=out,
                   what="EMA(0.99, zero_debias=True).apply([v*1, 4.0+0]) after v.assign(10), one update")
        sc.note("checkpoint_file_text", read_text("checkpoint"))
    sc.add_checkpoint("model.ckpt")
    sc.add_checkpoint("num_updates.ckpt")
    sc.add_checkpoint("zero_debias.ckpt")


if __name__ == "__main__":
    main()
