"""``mx.recordio``: MXNet's RecordIO files from Python: MXRecordIO (sequential),
MXIndexedRecordIO (by key, with an .idx file), and the image record payload (pack / unpack,
pack_img / unpack_img). Files written here are read by MXNet, im2rec and ImageRecordIter, and
the other way round. A file being written appears when it is closed (atomically)."""
import numbers
import struct
from collections import namedtuple

import numpy as np

from ._core import recordio as _rio
from .base import MXNetError


def _as_bytes(buf):
    # MXNet's first Python 3 tests wrote str records.
    return buf.encode('utf-8') if isinstance(buf, str) else bytes(buf)


class MXRecordIO(object):
    """Reads (flag 'r') or writes (flag 'w') a RecordIO file sequentially."""

    def __init__(self, uri, flag):
        self.uri = str(uri)
        self.flag = flag
        self.handle = None
        self.is_open = False
        self.open()

    def open(self):
        """Opens the file (called by the constructor and reset)."""
        if self.flag == 'w':
            self.handle = _rio.Writer(self.uri)
            self.writable = True
        elif self.flag == 'r':
            self.handle = _rio.Reader(self.uri)
            self.writable = False
        else:
            raise ValueError("Invalid flag %s; expected 'r' or 'w'" % self.flag)
        self.is_open = True

    def __del__(self):
        self.close()

    def close(self):
        """Closes the file; a written file is published now."""
        if not getattr(self, "is_open", False):
            return
        if self.writable:
            self.handle.close()
        self.handle = None
        self.is_open = False

    def reset(self):
        """Back to the first record (a writer starts the file anew)."""
        self.close()
        self.open()

    def _check(self, writable):
        if not self.is_open:
            raise MXNetError("%s: the file is closed" % self.uri)
        if self.writable != writable:
            raise MXNetError("%s: opened with flag '%s'" % (self.uri, self.flag))

    def write(self, buf):
        """Appends one record (bytes)."""
        self._check(True)
        self.handle.write(_as_bytes(buf))

    def read(self):
        """The next record (bytes), or None at the end of the file."""
        self._check(False)
        return self.handle.read()

    def tell(self):
        """The offset of the next record (reading)."""
        self._check(False)
        return self.handle.tell()


class MXIndexedRecordIO(MXRecordIO):
    """RecordIO with an index file of "key<TAB>offset" lines: records are read by key."""

    def __init__(self, idx_path, uri, flag, key_type=int):
        self.idx_path = str(idx_path)
        self.idx = {}
        self.keys = []
        self.key_type = key_type
        super(MXIndexedRecordIO, self).__init__(uri, flag)

    def open(self):
        if self.flag == 'w':
            self.handle = _rio.Writer(self.uri, self.idx_path)
            self.writable = True
            self.idx, self.keys = {}, []
        elif self.flag == 'r':
            self.handle = _rio.Reader(self.uri)
            self.writable = False
            self.idx, self.keys = {}, []
            for key, offset in _rio.read_index(self.idx_path):
                key = self.key_type(key)
                self.idx[key] = offset
                self.keys.append(key)
        else:
            raise ValueError("Invalid flag %s; expected 'r' or 'w'" % self.flag)
        self.is_open = True

    def seek(self, idx):
        """Moves to the record of key ``idx``."""
        self._check(False)
        if idx not in self.idx:
            raise KeyError("%s: no record with key %r" % (self.idx_path, idx))
        self.handle.seek(self.idx[idx])

    def read_idx(self, idx):
        """The record of key ``idx``."""
        self.seek(idx)
        return self.read()

    def write_idx(self, idx, buf):
        """Appends a record under key ``idx`` (a non-negative integer)."""
        self._check(True)
        key = self.key_type(idx)
        if not isinstance(key, numbers.Integral) or key < 0:
            raise MXNetError("%s: keys are non-negative integers, got %r" % (self.idx_path, idx))
        self.idx[key] = self.handle.write_key(int(key), _as_bytes(buf))
        self.keys.append(key)


IRHeader = namedtuple('HEADER', ['flag', 'label', 'id', 'id2'])
"""An image record's header: flag (0: one label; n: n labels before the image), label, id,
id2."""
_IR_FORMAT = 'IfQQ'
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header, s):
    """An image record payload: the header (an IRHeader or 4-tuple; a label array sets flag to
    its size) then the bytes ``s``."""
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + s
    return struct.pack(_IR_FORMAT, *header) + s


def unpack(s):
    """(IRHeader, payload bytes) of a record; an array label when the flag says several."""
    if len(s) < _IR_SIZE:
        raise MXNetError("unpack: a record of %d bytes is shorter than its %d-byte header"
                         % (len(s), _IR_SIZE))
    header = IRHeader(*struct.unpack(_IR_FORMAT, s[:_IR_SIZE]))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        if len(s) < 4 * header.flag:
            raise MXNetError("unpack: the header promises %d labels, the record has %d bytes"
                             % (header.flag, len(s)))
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[header.flag * 4:]
    return header, s


def unpack_img(s, iscolor=-1):
    """(IRHeader, image as an (H, W[, C]) uint8 array, BGR as OpenCV) of an image record."""
    header, s = unpack(s)
    return header, _rio.decode_image(s, iscolor)


def pack_img(header, img, quality=95, img_fmt='.jpg'):
    """An image record of ``img`` ((H, W[, C]) uint8, BGR) encoded as ``img_fmt`` ('.jpg' with
    ``quality`` 0-100, '.png' with compression 0-9)."""
    return pack(header, _rio.encode_image(np.ascontiguousarray(img, dtype=np.uint8),
                                          img_fmt.lower(), int(quality)))


__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img",
           "unpack_img"]
