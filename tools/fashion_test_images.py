#!/usr/bin/python3
"""fashion_test_images.py OUT_DIR [N] [--start S] — the first N (default 200) Fashion-MNIST
test images as 28x28 grayscale PNGs plus OUT_DIR/labels.csv, for `smug eval`.

Reads the IDX files of Debian's dataset-fashion-mnist package
(/usr/share/datasets/fashion-mnist/t10k-{images-idx3,labels-idx1}-ubyte.gz; another folder
with --idx DIR). Plain Debian /usr/bin/python3, standard library only (gzip, struct, zlib):
no numpy. Files are named NNNN_<class>.png (NNNN = index in the test set) and labels.csv has
the columns file,index,label,classname, as data/fashion/labels.csv. Example:

    tools/fashion_test_images.py /tmp/fashion200 200
    smug eval --model models/fashion_cnn.onnx --input /tmp/fashion200 --out /tmp/eval
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

CLASSES = ["t_shirt_top", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle_boot"]


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def png_gray(width, height, pixels):
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))

    def chunk(tag, body):
        return (struct.pack(">I", len(body)) + tag + body
                + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("n", nargs="?", type=int, default=200)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--idx", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    dims, images = read_idx(os.path.join(a.idx, "t10k-images-idx3-ubyte.gz"))
    _, labels = read_idx(os.path.join(a.idx, "t10k-labels-idx1-ubyte.gz"))
    count, h, w = dims
    end = min(count, a.start + a.n)
    os.makedirs(a.out, exist_ok=True)
    rows = ["file,index,label,classname"]
    for i in range(a.start, end):
        name = f"{i:04d}_{CLASSES[labels[i]]}.png"
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(png_gray(w, h, images[i * h * w:(i + 1) * h * w]))
        rows.append(f"{name},{i},{labels[i]},{CLASSES[labels[i]]}")
    with open(os.path.join(a.out, "labels.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"wrote {end - a.start} images and labels.csv to {a.out}")


if __name__ == "__main__":
    main()
