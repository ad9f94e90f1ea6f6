"""Small, dependency-free (numpy only) I/O helpers shared by the fixture scripts.

* IDX reader for the Fashion-MNIST files shipped by Debian's dataset-fashion-mnist
* minimal 8-bit grayscale PNG writer / reader (zlib + struct)
* the repository paths and class names used by all fixture scripts

Not on the build or test path; only used by tools/*.py and bench/torch_ig.py.
"""

import gzip
import os
import struct
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASET_DIR = "/usr/share/datasets/fashion-mnist"

CLASS_NAMES = [
    "t_shirt_top", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle_boot",
]

N_SAMPLE_IMAGES = 20


def read_idx(path):
    """Read a (optionally gzipped) IDX file into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file" % path)
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError("%s: size mismatch" % path)
    return arr.reshape(dims)


def load_split(split):
    """split = 'train' or 't10k' -> (images uint8 [N,28,28], labels uint8 [N])."""
    images = read_idx(os.path.join(DATASET_DIR, "%s-images-idx3-ubyte.gz" % split))
    labels = read_idx(os.path.join(DATASET_DIR, "%s-labels-idx1-ubyte.gz" % split))
    assert images.shape[0] == labels.shape[0]
    return images, labels


def to_input(img_u8):
    """uint8 [28,28] -> float32 [1,1,28,28] in [0,1] (the preprocessing used everywhere)."""
    return (np.asarray(img_u8, dtype=np.uint8).astype(np.float32) / np.float32(255.0)).reshape(1, 1, 28, 28)


def sample_png_name(index, label):
    return "%04d_%s.png" % (index, CLASS_NAMES[int(label)])


def sample_png_relpath(index, label):
    return "data/fashion/" + sample_png_name(index, label)


def _png_chunk(tag, payload):
    return (struct.pack(">I", len(payload)) + tag + payload
            + struct.pack(">I", zlib.crc32(tag + payload) & 0xFFFFFFFF))


def write_png_gray8(path, img):
    """Write a uint8 [H,W] array as an 8-bit grayscale, non-interlaced PNG (filter 0 on every row)."""
    img = np.asarray(img, dtype=np.uint8)
    h, w = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))
    png = (b"\x89PNG\r\n\x1a\n"
           + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
           + _png_chunk(b"IDAT", zlib.compress(raw, 9))
           + _png_chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


def read_png_gray8(path):
    """Read an 8-bit grayscale non-interlaced PNG (all five row filters) -> uint8 [H,W]."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, w = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        tag = data[pos + 4:pos + 8]
        payload = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if tag == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", payload)
            if depth != 8 or ctype != 0 or interlace != 0:
                raise ValueError("%s: only 8-bit grayscale non-interlaced PNGs supported" % path)
        elif tag == b"IDAT":
            idat += payload
        elif tag == b"IEND":
            break
    raw = zlib.decompress(idat)
    out = np.zeros((h, w), dtype=np.uint8)
    prev = np.zeros(w, dtype=np.int32)
    stride = w + 1
    for r in range(h):
        ftype = raw[r * stride]
        line = np.frombuffer(raw, dtype=np.uint8, count=w, offset=r * stride + 1).astype(np.int32)
        cur = np.zeros(w, dtype=np.int32)
        for c in range(w):
            a = cur[c - 1] if c > 0 else 0
            b = prev[c]
            cc = prev[c - 1] if c > 0 else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = a
            elif ftype == 2:
                pred = b
            elif ftype == 3:
                pred = (a + b) // 2
            elif ftype == 4:
                p = a + b - cc
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else cc)
            else:
                raise ValueError("%s: bad PNG filter %d" % (path, ftype))
            cur[c] = (line[c] + pred) & 0xFF
        out[r] = cur
        prev = cur
    return out


def load_sample(index):
    """Return (relative png path, label, float32 [1,1,28,28]) for sample image `index` from data/fashion."""
    import csv
    with open(os.path.join(ROOT, "data", "fashion", "labels.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if int(row["index"]) == index:
                rel = "data/fashion/" + row["file"]
                img = read_png_gray8(os.path.join(ROOT, rel))
                return rel, int(row["label"]), to_input(img)
    raise KeyError("sample %d not in data/fashion/labels.csv" % index)
