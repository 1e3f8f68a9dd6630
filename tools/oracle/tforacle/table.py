"""Pure-Python reader for TensorFlow's (LevelDB-derived) immutable table.

Used for V2 ``.index`` files and V1 checkpoint data files.  Layout:

  file   := block* metaindex_block index_block footer
  block  := contents trailer ; trailer = type:u8 crc:u32le (5 bytes)
            type 0 = uncompressed, 1 = snappy; crc = masked crc32c over
            contents + type byte
  footer := metaindex_handle index_handle padding magic:u64le   (48 bytes)
            handle = varint64 offset, varint64 size (size excludes trailer);
            magic = 0xdb4775248b80fb57
  contents := entry* restarts:u32le* num_restarts:u32le
  entry  := shared:varint32 non_shared:varint32 value_len:varint32
            key_delta[non_shared] value[value_len]

Index block values are BlockHandles of data blocks.
"""
import struct

TABLE_MAGIC = 0xdb4775248b80fb57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
COMPRESSION_NAMES = {0: "none", 1: "snappy"}


class TableError(Exception):
    pass


def _varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise TableError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise TableError("varint too long")


# ---- crc32c (Castagnoli), table-driven; fine for index-sized inputs --------
_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    tbl = _CRC_TABLE
    for b in data:
        crc = tbl[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def mask_crc(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


# ---- snappy raw-format decompression ---------------------------------------
def snappy_decompress(buf):
    length, pos = _varint(buf, 0)
    out = bytearray()
    n = len(buf)
    while pos < n:
        tag = buf[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:  # literal
            ln = tag >> 2
            if ln >= 60:
                nb = ln - 59
                ln = int.from_bytes(buf[pos:pos + nb], "little")
                pos += nb
            ln += 1
            out += buf[pos:pos + ln]
            pos += ln
            continue
        if kind == 1:
            ln = ((tag >> 2) & 7) + 4
            off = ((tag >> 5) << 8) | buf[pos]
            pos += 1
        elif kind == 2:
            ln = (tag >> 2) + 1
            off = int.from_bytes(buf[pos:pos + 2], "little")
            pos += 2
        else:
            ln = (tag >> 2) + 1
            off = int.from_bytes(buf[pos:pos + 4], "little")
            pos += 4
        if off == 0 or off > len(out):
            raise TableError("bad snappy copy offset")
        start = len(out) - off
        for k in range(ln):
            out.append(out[start + k])
    if len(out) != length:
        raise TableError("snappy length mismatch")
    return bytes(out)


def parse_block_entries(contents):
    """[(key bytes, value bytes)] of an (uncompressed) block."""
    if len(contents) < 4:
        raise TableError("block too short")
    num_restarts = struct.unpack_from("<I", contents, len(contents) - 4)[0]
    limit = len(contents) - 4 - 4 * num_restarts
    if limit < 0:
        raise TableError("bad restart count")
    entries = []
    pos = 0
    key = b""
    while pos < limit:
        shared, pos = _varint(contents, pos)
        non_shared, pos = _varint(contents, pos)
        vlen, pos = _varint(contents, pos)
        key = key[:shared] + contents[pos:pos + non_shared]
        pos += non_shared
        entries.append((key, contents[pos:pos + vlen]))
        pos += vlen
    return entries


def _handle(buf, pos):
    off, pos = _varint(buf, pos)
    size, pos = _varint(buf, pos)
    return (off, size), pos


class Table:
    """A parsed table file."""

    def __init__(self, data):
        self.data = data
        if len(data) < FOOTER_SIZE:
            raise TableError("file shorter than the 48-byte footer")
        footer = data[-FOOTER_SIZE:]
        magic = struct.unpack_from("<Q", footer, 40)[0]
        if magic != TABLE_MAGIC:
            raise TableError("bad table magic 0x%016x" % magic)
        self.metaindex_handle, pos = _handle(footer, 0)
        self.index_handle, _ = _handle(footer, pos)
        self.blocks = []  # descriptions, in file order
        self.index_entries = self._read_block("index", self.index_handle)
        self.metaindex_entries = self._read_block("metaindex", self.metaindex_handle)
        self.entries = []
        for i, (_, value) in enumerate(self.index_entries):
            h, _ = _handle(value, 0)
            self.entries.extend(self._read_block("data", h, i))
        self.blocks.sort(key=lambda b: b["offset"])

    def _read_block(self, kind, handle, index=None):
        off, size = handle
        end = off + size
        if end + TRAILER_SIZE > len(self.data):
            raise TableError("%s block out of range" % kind)
        raw = self.data[off:end]
        btype = self.data[end]
        stored_crc = struct.unpack_from("<I", self.data, end + 1)[0]
        actual = mask_crc(crc32c(raw + bytes([btype])))
        if btype == 0:
            contents = raw
        elif btype == 1:
            contents = snappy_decompress(raw)
        else:
            raise TableError("unknown block type %d" % btype)
        desc = {
            "kind": kind, "offset": off, "size": size,
            "type_byte": btype, "compression": COMPRESSION_NAMES[btype],
            "uncompressed_size": len(contents),
            "crc32c_masked": "%08x" % stored_crc, "crc_ok": stored_crc == actual,
        }
        if index is not None:
            desc["data_block"] = index
        self.blocks.append(desc)
        return parse_block_entries(contents)

    def describe(self):
        types = sorted({b["compression"] for b in self.blocks})
        return {
            "file_size": len(self.data),
            "footer": {
                "metaindex_handle": list(self.metaindex_handle),
                "index_handle": list(self.index_handle),
                "magic": "%016x" % TABLE_MAGIC,
            },
            "blocks": self.blocks,
            "block_compressions": types,
            "any_snappy": any(b["type_byte"] == 1 for b in self.blocks),
            "num_entries": len(self.entries),
        }


def read_table(path):
    with open(path, "rb") as f:
        return Table(f.read())
