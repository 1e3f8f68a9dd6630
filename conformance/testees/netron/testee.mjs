// Netron 9.3.3's TensorFlow checkpoint reader (tf.TensorBundle of tf.js) as a
// `tfckpt conform` testee (docs/CONFORMANCE.md), run under node:
//
//   node conformance/testees/netron/testee.mjs NETRON_DIR     (install.sh prints both)
//
// read_checkpoint opens the file as Netron does when a user opens it:
// tf.TensorBundle.open(stream of P.index, or of the V1 file P) with a context
// whose fetch() reads the data shards. Netron reports some problems to its
// host with context.error() and goes on showing the model; the glue answers
// those as the implementation's refusal, as the user sees an error. The wire
// tensor is what Netron parsed: the entry's dtype and shape, and the
// tensor's values (raw tensor_content bytes, or the decoded *_val arrays
// re-packed little-endian; string elements as the bytes Netron parsed,
// before its UTF-8 decoding for display). Everything else is skipped:
// Netron only reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const url = (name) => pathToFileURL(path.join(dir, name)).href;
const base = await import(url('base.js'));
const { __tfckpt_tf: tf } = await import(url('tf-tfckpt.js'));
tf.proto = await import(url('tf-proto.js'));
const DataType = tf.proto.tensorflow.DataType;
const dtypeName = new Map(Object.entries(DataType).map(([k, v]) => [v, k]));

const open = (file) => new base.BinaryStream(new Uint8Array(fs.readFileSync(file)));

// Little-endian bytes of one decoded element of a '|'-encoded tensor.
const WIDTH = { DT_FLOAT: 4, DT_DOUBLE: 8, DT_INT8: 1, DT_UINT8: 1, DT_INT16: 2, DT_UINT16: 2,
  DT_INT32: 4, DT_UINT32: 4, DT_INT64: 8, DT_UINT64: 8, DT_BOOL: 1, DT_COMPLEX64: 8,
  DT_COMPLEX128: 16, DT_QINT8: 1, DT_QUINT8: 1, DT_QINT16: 2, DT_QUINT16: 2, DT_QINT32: 4 };
function pack(dtype, v) {
  const b = new DataView(new ArrayBuffer(WIDTH[dtype]));
  switch (dtype) {
    case 'DT_FLOAT': b.setFloat32(0, v, true); break;
    case 'DT_DOUBLE': b.setFloat64(0, v, true); break;
    case 'DT_INT8': case 'DT_QINT8': b.setInt8(0, v); break;
    case 'DT_UINT8': case 'DT_QUINT8': b.setUint8(0, v); break;
    case 'DT_BOOL': b.setUint8(0, v ? 1 : 0); break;
    case 'DT_INT16': case 'DT_QINT16': b.setInt16(0, v, true); break;
    case 'DT_UINT16': case 'DT_QUINT16': b.setUint16(0, v, true); break;
    case 'DT_INT32': case 'DT_QINT32': b.setInt32(0, v, true); break;
    case 'DT_UINT32': b.setUint32(0, v, true); break;
    case 'DT_INT64': b.setBigInt64(0, BigInt(v), true); break;
    case 'DT_UINT64': b.setBigUint64(0, BigInt(v), true); break;
    case 'DT_COMPLEX64': b.setFloat32(0, v.real, true); b.setFloat32(4, v.imaginary, true); break;
    case 'DT_COMPLEX128': b.setFloat64(0, v.real, true); b.setFloat64(8, v.imaginary, true); break;
    default: throw new Error(`glue: no packing for ${dtype} values`);
  }
  return new Uint8Array(b.buffer);
}

function wireTensor(t) {
  const proto = t._tensor;
  const dtype = dtypeName.get(proto.dtype) || `DT_UNKNOWN_${proto.dtype}`;
  const shape = ((proto.tensor_shape && proto.tensor_shape.dim) || []).map((d) => Number(d.size));
  const h = crypto.createHash('sha256');
  if (t.encoding === '<') {
    h.update(t.values || new Uint8Array(0));
  } else if (dtype === 'DT_STRING') {
    for (const e of t._values || []) {
      const bytes = typeof e === 'string' ? Buffer.from(e, 'utf-8') : e;
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(bytes.length));
      h.update(len);
      h.update(bytes);
    }
  } else {
    for (const v of t.values || []) h.update(pack(dtype, v));
  }
  return { name: t.name, dtype, shape, sha256: h.digest('hex') };
}

async function readCheckpoint(req) {
  const prefix = req.prefix;
  const v2 = req.format ? req.format === 'V2' : fs.existsSync(`${prefix}.index`);
  const identifier = v2 ? `${prefix}.index` : prefix;
  const reported = [];
  const context = {
    fetch: async (name) => ({ stream: open(name) }),
    error: (error) => reported.push(error),
  };
  const bundle = await tf.TensorBundle.open(open(identifier), identifier, context);
  if (reported.length > 0) throw reported[0];
  return { tensors: bundle.tensors.map(wireTensor) };
}

const INFO = { name: 'netron', version: '9.3.3', profiles: ['read-v2', 'read-v1'] };

// --- framing (uint32 LE length + JSON) on fd 0 / fd 1 ---------------------
// console output of Netron would corrupt frames: send it to stderr.
console.log = console.error;
const out = (obj) => {
  const body = Buffer.from(JSON.stringify(obj), 'utf-8');
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  fs.writeSync(1, Buffer.concat([head, body]));
};
function readExactly(n) {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    let k;
    try { k = fs.readSync(0, buf, got, n - got, null); } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') return null;
      throw e;
    }
    if (k === 0) return null;
    got += k;
  }
  return buf;
}
for (;;) {
  const head = readExactly(4);
  if (head === null) break;
  const req = JSON.parse(readExactly(head.readUInt32LE(0)).toString('utf-8'));
  if (req.op === 'hello') {
    out({ result: INFO });
  } else if (req.op === 'read_checkpoint') {
    try {
      out({ result: await readCheckpoint(req) });
    } catch (e) {
      out({ error: `${e && e.name ? e.name : 'Error'}: ${String(e && e.message ? e.message : e).slice(0, 300)}` });
    }
  } else {
    out({ skipped: `Netron only reads checkpoints (no ${req.op})` });
  }
}
