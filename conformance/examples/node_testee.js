#!/usr/bin/env node
// A `tfckpt conform` testee in JavaScript: a small, self-contained reader of
// TensorFlow V2 checkpoints (the .index table + data files) and of the
// `checkpoint` state file, written from docs/spec/ as a third-party author
// would, plus the protocol glue (docs/CONFORMANCE.md §2 walks through it).
//
//   tfckpt conform --failure-list conformance/examples/node_testee.failures.txt \
//     -- node conformance/examples/node_testee.js
//
// Claims read-v2 and state. Deliberate limits, each an honest refusal:
// snappy-compressed blocks and partitioned variables are "unsupported".
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

// ---- protocol glue ---------------------------------------------------------
// The protocol owns stdin and stdout. Node cannot dup(2) them away, so keep
// the one writer of frames and send everything else to stderr: a library's
// console.log must not corrupt a frame. (Writes to a pipe are synchronous
// on Linux, so frames leave whole and in order.)
const writeFrame = process.stdout.write.bind(process.stdout);
console.log = console.error;
process.stdout.write = process.stderr.write.bind(process.stderr);

class CkptError extends Error {
  constructor(message, errorClass) { super(message); this.errorClass = errorClass; }
}
const fail = (cls, msg) => { throw new CkptError(msg, cls); };

function handle(req) {
  switch (req.op) {
    case 'hello':
      return { result: { name: 'node_testee', version: process.version, profiles: ['read-v2', 'state'] } };
    case 'read_checkpoint':
      if (req.format !== 'V2') return { skipped: 'V1 files are not read by this testee' };
      return { result: readCheckpoint(req.prefix) };
    case 'read_checkpoint_state':
      return { result: readState(req.dir) };
    default:
      return { skipped: `no ${req.op}` };
  }
}

function answer(req) {
  try {
    return handle(req);
  } catch (e) {
    const r = { error: String(e.message) };
    if (e.errorClass) r.error_class = e.errorClass;
    else if (e.code === 'ENOENT') r.error_class = 'not_found';
    return r;
  }
}

let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32LE(0)) {
    const n = pending.readUInt32LE(0);
    const req = JSON.parse(pending.subarray(4, 4 + n).toString('utf8'));
    pending = pending.subarray(4 + n);
    const body = Buffer.from(JSON.stringify(answer(req)), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length, 0);
    writeFrame(Buffer.concat([head, body]));
  }
});

// ---- bytes: varints, CRC32C ------------------------------------------------
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32c(buf, crc = 0) {
  crc = ~crc >>> 0;
  for (const b of buf) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
const mask = (crc) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

class Cursor {
  constructor(buf, what) { this.buf = buf; this.pos = 0; this.what = what; }
  done() { return this.pos >= this.buf.length; }
  varint() {  // as BigInt: 64-bit fields may hold hostile values
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) fail('corrupt', `${this.what}: varint runs past the end`);
      const b = this.buf[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return fail('corrupt', `${this.what}: varint longer than 10 bytes`);
  }
  varint32() {  // block entry fields: at most 5 bytes
    const start = this.pos;
    const v = this.varint();
    if (this.pos - start > 5 || v > 0xffffffffn) fail('corrupt', `${this.what}: varint32 of ${this.pos - start} bytes`);
    return Number(v);
  }
  bytes(n) {
    if (n < 0 || this.pos + n > this.buf.length) fail('corrupt', `${this.what}: field runs past the end`);
    return this.buf.subarray(this.pos, (this.pos += n));
  }
}
const small = (v, what) => (v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : fail('corrupt', `${what} is ${v}`));

// Protobuf wire format: calls fn(fieldNumber, value) with value a BigInt
// (varint), a Buffer (length-delimited) or a 4/8-byte Buffer (fixed).
function parseProto(buf, what, fn) {
  const c = new Cursor(buf, what);
  while (!c.done()) {
    const tag = small(c.varint(), `${what} tag`);
    const field = tag >>> 3, wire = tag & 7;
    if (wire === 0) fn(field, c.varint());
    else if (wire === 2) fn(field, c.bytes(small(c.varint(), `${what} length`)));
    else if (wire === 5) fn(field, c.bytes(4));
    else if (wire === 1) fn(field, c.bytes(8));
    else fail('corrupt', `${what}: wire type ${wire}`);
  }
}

// ---- the .index table (LevelDB SSTable) -------------------------------------
const MAGIC = Buffer.from('57fb808b247547db', 'hex');  // 0xdb4775248b80fb57 little-endian

function blockHandle(c) {
  return { offset: small(c.varint(), 'block offset'), size: small(c.varint(), 'block size') };
}

function readBlock(file, h, name) {
  if (h.offset + h.size + 5 > file.length) fail('corrupt', `${name}: block [${h.offset}, +${h.size}] outside the file`);
  const contents = file.subarray(h.offset, h.offset + h.size);
  const type = file[h.offset + h.size];
  const stored = file.readUInt32LE(h.offset + h.size + 1);
  if (mask(crc32c(Buffer.from([type]), crc32c(contents))) !== stored) fail('corrupt', `${name}: block checksum mismatch at ${h.offset}`);
  if (type === 1) fail('unsupported', `${name}: snappy-compressed block (not implemented here)`);
  if (type !== 0) fail('corrupt', `${name}: block type ${type}`);
  return contents;
}

// Every [key, value] of a block, in order.
function blockEntries(block, name) {
  if (block.length < 4) fail('corrupt', `${name}: block shorter than its restart count`);
  const restarts = block.readUInt32LE(block.length - 4);
  if (restarts === 0) fail('corrupt', `${name}: block with no restart point`);
  const end = block.length - 4 - 4 * restarts;
  if (end < 0) fail('corrupt', `${name}: ${restarts} restarts do not fit the block`);
  const c = new Cursor(block.subarray(0, end), name);
  const out = [];
  let key = Buffer.alloc(0);
  while (!c.done()) {
    const shared = c.varint32(), unshared = c.varint32(), valueLength = c.varint32();
    if (shared > key.length) fail('corrupt', `${name}: entry shares ${shared} bytes of a ${key.length}-byte key`);
    const next = Buffer.concat([key.subarray(0, shared), c.bytes(unshared)]);
    if (out.length > 0 && Buffer.compare(next, key) <= 0) fail('corrupt', `${name}: keys out of order`);
    key = next;
    out.push([key, c.bytes(valueLength)]);
  }
  return out;
}

function readIndex(indexPath) {
  const file = fs.readFileSync(indexPath);
  if (file.length < 48) fail('truncated', `${indexPath}: ${file.length} bytes, shorter than a table footer`);
  if (!file.subarray(file.length - 8).equals(MAGIC)) fail('corrupt', `${indexPath}: bad table magic`);
  const footer = new Cursor(file.subarray(file.length - 48, file.length - 8), `${indexPath} footer`);
  blockHandle(footer);  // the metaindex: unused
  const indexBlock = readBlock(file, blockHandle(footer), indexPath);
  const entries = [];
  for (const [, handle] of blockEntries(indexBlock, indexPath)) {
    const h = blockHandle(new Cursor(handle, `${indexPath} index entry`));
    for (const entry of blockEntries(readBlock(file, h, indexPath), indexPath)) {
      if (entries.length > 0 && Buffer.compare(entry[0], entries[entries.length - 1][0]) <= 0) {
        fail('corrupt', `${indexPath}: keys out of order across blocks`);
      }
      entries.push(entry);
    }
  }
  return entries;
}

// ---- BundleHeaderProto / BundleEntryProto -----------------------------------
const DTYPES = {  // enum value: [name, element bytes] (0 for strings)
  1: ['DT_FLOAT', 4], 2: ['DT_DOUBLE', 8], 3: ['DT_INT32', 4], 4: ['DT_UINT8', 1], 5: ['DT_INT16', 2],
  6: ['DT_INT8', 1], 7: ['DT_STRING', 0], 8: ['DT_COMPLEX64', 8], 9: ['DT_INT64', 8], 10: ['DT_BOOL', 1],
  11: ['DT_QINT8', 1], 12: ['DT_QUINT8', 1], 13: ['DT_QINT32', 4], 14: ['DT_BFLOAT16', 2],
  15: ['DT_QINT16', 2], 16: ['DT_QUINT16', 2], 17: ['DT_UINT16', 2], 18: ['DT_COMPLEX128', 16],
  19: ['DT_HALF', 2], 22: ['DT_UINT32', 4], 23: ['DT_UINT64', 8],
};

function parseHeader(value) {
  const h = { numShards: 0n, bigEndian: false, minConsumer: 0n };  // proto3 defaults
  parseProto(value, 'header', (f, v) => {
    if (f === 1) h.numShards = v;
    if (f === 2) h.bigEndian = v === 1n;
    if (f === 3) parseProto(v, 'header version', (g, x) => { if (g === 2) h.minConsumer = x; });
  });
  if (h.numShards < 1n || h.numShards > 99999n) fail('corrupt', `header: num_shards ${h.numShards}`);
  if (h.minConsumer > 1n) fail('unsupported', `header: needs a reader of version >= ${h.minConsumer}`);
  return h;
}

function parseEntry(value, key) {
  const e = { dtype: 0n, dims: [], shard: 0n, offset: 0n, size: 0n, crc: 0, sliced: false };
  parseProto(value, `entry ${key}`, (f, v) => {
    if (f === 1) e.dtype = v;
    else if (f === 2) parseProto(v, `shape of ${key}`, (g, d) => {
      if (g !== 2) return;
      let size = 0n;  // proto3: a zero size is not on the wire
      parseProto(d, `dim of ${key}`, (h, v) => { if (h === 1) size = BigInt.asIntN(64, v); });
      e.dims.push(size);
    });
    else if (f === 3) e.shard = BigInt.asIntN(64, v);
    else if (f === 4) e.offset = BigInt.asIntN(64, v);
    else if (f === 5) e.size = BigInt.asIntN(64, v);
    else if (f === 6) e.crc = v.readUInt32LE(0);
    else if (f === 7) e.sliced = true;
  });
  return e;
}

// ---- tensors ----------------------------------------------------------------
// Values are returned (optional in the protocol) up to this size, so that a
// wrong tensor is reported with its first differing element.
const DATA_LIMIT = 1 << 20;

function readTensor(key, e, header, prefix) {
  const dtype = DTYPES[Number(e.dtype)] || fail('unsupported', `${key}: dtype ${e.dtype}`);
  if (e.sliced) fail('unsupported', `${key}: partitioned variables are not implemented here`);
  let count = 1n;
  for (const d of e.dims) {
    if (d < 0n) fail('corrupt', `${key}: negative dimension ${d}`);
    count *= d;
  }
  if (e.shard < 0n || e.shard >= header.numShards) fail('corrupt', `${key}: shard ${e.shard} of ${header.numShards}`);
  if (e.offset < 0n || e.size < 0n) fail('corrupt', `${key}: offset ${e.offset}, size ${e.size}`);
  if (dtype[1] && count * BigInt(dtype[1]) !== e.size) fail('corrupt', `${key}: ${e.size} bytes for ${count} elements`);
  const pad = (n) => String(n).padStart(5, '0');
  const dataPath = `${prefix}.data-${pad(e.shard)}-of-${pad(header.numShards)}`;
  const fd = fs.openSync(dataPath, 'r');
  let bytes;
  try {
    if (e.offset + e.size > BigInt(fs.fstatSync(fd).size)) fail('truncated', `${dataPath}: ${key} ends past the end of the file`);
    bytes = Buffer.alloc(Number(e.size));
    fs.readSync(fd, bytes, 0, bytes.length, Number(e.offset));
  } finally {
    fs.closeSync(fd);
  }
  const wire = { name: key, dtype: dtype[0], shape: e.dims.map(Number) };
  const hash = crypto.createHash('sha256');
  if (dtype[1] === 0) {
    const strings = readStrings(bytes, count, key, header.bigEndian, e.crc);
    for (const s of strings) {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(s.length));
      hash.update(len).update(s);
    }
    if (bytes.length <= DATA_LIMIT) wire.strings_hex = strings.map((s) => s.toString('hex'));
  } else {
    if (mask(crc32c(bytes)) !== e.crc) fail('corrupt', `${key}: tensor checksum mismatch`);
    if (header.bigEndian) {  // elements (complex: each half) to little-endian
      const width = dtype[0].startsWith('DT_COMPLEX') ? dtype[1] / 2 : dtype[1];
      for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
    }
    hash.update(bytes);
    if (bytes.length <= DATA_LIMIT) wire.data_hex = bytes.toString('hex');
  }
  wire.sha256 = hash.digest('hex');
  return wire;
}

// DT_STRING data: varint64 lengths, masked CRC32C of the lengths, bytes.
function readStrings(bytes, count, key, bigEndian, storedCrc) {
  const c = new Cursor(bytes, `${key} strings`);
  const lengths = [];
  let crc = 0;
  for (let i = 0n; i < count; i++) {
    const len = c.varint();
    if (len > BigInt(bytes.length)) fail('corrupt', `${key}: string ${i} claims ${len} bytes`);
    lengths.push(Number(len));
    const b = Buffer.alloc(len > 0xffffffffn ? 8 : 4);
    if (b.length === 8) bigEndian ? b.writeBigUInt64BE(len) : b.writeBigUInt64LE(len);
    else bigEndian ? b.writeUInt32BE(Number(len)) : b.writeUInt32LE(Number(len));
    crc = crc32c(b, crc);
  }
  const stored = c.bytes(4);
  const storedLengthCrc = bigEndian ? stored.readUInt32BE(0) : stored.readUInt32LE(0);
  if (storedLengthCrc !== mask(crc)) fail('corrupt', `${key}: string length checksum mismatch`);
  crc = crc32c(stored, crc);
  const strings = lengths.map((n) => c.bytes(n));
  if (!c.done()) fail('corrupt', `${key}: ${bytes.length - c.pos} bytes after the strings`);
  for (const s of strings) crc = crc32c(s, crc);
  if (mask(crc) !== storedCrc) fail('corrupt', `${key}: tensor checksum mismatch`);
  return strings;
}

function readCheckpoint(prefix) {
  const entries = readIndex(`${prefix}.index`);
  if (entries.length === 0 || entries[0][0].length !== 0) fail('corrupt', `${prefix}.index: no header record`);
  const header = parseHeader(entries[0][1]);
  const tensors = [];
  for (const [rawKey, value] of entries.slice(1)) {
    if (rawKey[0] === 0) continue;  // the data of a partitioned variable's slices
    const key = rawKey.toString('utf8');
    try {
      tensors.push(readTensor(key, parseEntry(value, key), header, prefix));
    } catch (e) {  // one bad tensor: refuse it alone, read the rest
      if (!(e instanceof CkptError)) throw e;
      tensors.push({ name: key, error: e.message, error_class: e.errorClass });
    }
  }
  return { tensors };
}

// ---- the `checkpoint` state file (text-format CheckpointState) ----------------
function readState(dir) {
  const text = fs.readFileSync(path.join(dir, 'checkpoint'), 'utf8');
  const state = { model_checkpoint_path: '', all_model_checkpoint_paths: [] };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (/^\s*\w+_timestamps?\s*:\s*[0-9.eE+-]+\s*$/.test(line)) continue;
    const m = /^\s*(\w+)\s*:\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line);
    if (!m) fail('corrupt', `${dir}/checkpoint: cannot parse ${JSON.stringify(line)}`);
    const value = JSON.parse(`"${m[2]}"`);  // simple escapes only
    const joined = path.isAbsolute(value) ? value : path.join(dir, value);
    if (m[1] === 'model_checkpoint_path') state.model_checkpoint_path = joined;
    else if (m[1] === 'all_model_checkpoint_paths') state.all_model_checkpoint_paths.push(joined);
    else fail('corrupt', `${dir}/checkpoint: unknown field ${m[1]}`);
  }
  return state;
}
