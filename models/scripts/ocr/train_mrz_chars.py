#!/usr/bin/env python3
"""Train the MRZ character classifier used by crates/ocr (tdverify-ocr).

Reproducible recipe (see models/MODELS.md, section "MRZ character classifier"):

    python3 -m venv /root/.cache/tdverify-ocr-py
    /root/.cache/tdverify-ocr-py/bin/pip install -r models/scripts/ocr/requirements.txt
    /root/.cache/tdverify-ocr-py/bin/python models/scripts/ocr/train_mrz_chars.py \
        --out models/ocr/mrz_chars.onnx

Data: synthetic only. Random MRZ-like lines (A-Z, 0-9 and many '<' fillers) are
rendered with the public-domain OCR-B fonts from Debian's fonts-ocr-b (regular,
"sharp" and oblique cuts, plus thinner and bolder strokes), then degraded the way
document photos and scans are: guilloche backgrounds, uneven light, glare, IR-like
high contrast, print wear, blur, noise, low resolution and JPEG. Every character is
cut out with the same window the Rust reader uses (see PATCH_* below and
crates/ocr/src/classify.rs), with random misalignment, scale, rotation and shear so
that small segmentation errors do not matter.

The patch geometry is a contract with the Rust side:
  * pitch  = character advance (fixed pitch, OCR-B)
  * height = height of a digit (cap line of digits to baseline)
  * window = PATCH_W_PITCHES * pitch wide, PATCH_H_HEIGHTS * height high, centred
    on the character cell centre, resampled to PATCH_W x PATCH_H pixels
  * intensities: the line strip is stretched so its 2nd percentile is 0 and its
    98th percentile is 1 (ink dark, paper light)
"""

import argparse
import io
import math
import os
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

CHARSET = "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PATCH_W, PATCH_H = 24, 32
PATCH_W_PITCHES = 1.3
PATCH_H_HEIGHTS = 1.5
FONT_DIR = "/usr/share/fonts/opentype/ocr-b"
FONTS = [("OCRB.otf", 0.5), ("OCRBS.otf", 0.25), ("OCRBL.otf", 0.25)]


def random_line(rng, n):
    """A random MRZ-like line: letters, digits and runs of '<'."""
    out = []
    while len(out) < n:
        r = rng.random()
        if r < 0.12:
            out.extend("<" * int(rng.integers(1, 12)))
        elif r < 0.45:
            out.append(CHARSET[int(rng.integers(1, 11))])
        else:
            out.append(CHARSET[int(rng.integers(11, 37))])
    return "".join(out[:n])


def guilloche(draw, w, h, rng, base):
    """Thin interleaved sine curves like the security print under an MRZ."""
    for _ in range(int(rng.integers(3, 14))):
        amp = rng.uniform(0.1, 0.6) * h
        period = rng.uniform(0.05, 0.6) * w
        phase = rng.uniform(0, 2 * math.pi)
        y0 = rng.uniform(0, h)
        shade = int(np.clip(base - rng.uniform(15, 90), 0, 255))
        pts = [(x, y0 + amp * math.sin(2 * math.pi * x / period + phase)) for x in range(0, w, 3)]
        draw.line(pts, fill=shade, width=int(rng.integers(1, 3)))


def render_line(rng, text):
    """Renders one degraded line; returns (float image 0..1, centres, pitch, height)."""
    font_name = FONTS[int(rng.choice(len(FONTS), p=[f[1] for f in FONTS]))][0]
    size = int(rng.integers(28, 72))
    font = ImageFont.truetype(os.path.join(FONT_DIR, font_name), size)
    pitch = font.getlength("A")
    # Digit ink spans 0.17..0.94 of the font size below the drawing origin (measured on OCRB.otf).
    digit_top, baseline = 0.17 * size, 0.94 * size
    height = baseline - digit_top
    n = len(text)
    margin_x = int(pitch * rng.uniform(1.0, 3.0))
    w = int(n * pitch + 2 * margin_x)
    line_gap = height * rng.uniform(1.6, 2.2)
    h = int(height * 4 + 2 * line_gap)
    paper = float(rng.uniform(120, 255))
    ink = float(rng.uniform(0, min(110, paper - 60)))
    ir_like = rng.random() < 0.2
    img = Image.new("L", (w, h), int(paper))
    draw = ImageDraw.Draw(img)
    if not ir_like and rng.random() < 0.7:
        guilloche(draw, w, h, rng, paper)
    origin_y = h / 2 - (digit_top + baseline) / 2
    stroke = 1 if (size > 40 and rng.random() < 0.2) else 0
    draw.text((margin_x, origin_y), text, font=font, fill=int(ink), stroke_width=stroke, stroke_fill=int(ink))
    # Neighbouring MRZ lines above and below.
    for dy in (-line_gap, line_gap):
        if rng.random() < 0.8:
            draw.text((margin_x, origin_y + dy), random_line(rng, n), font=font, fill=int(ink))
    if not stroke and size > 36:
        r = rng.random()
        if r < 0.2:
            img = img.filter(ImageFilter.MinFilter(3))  # bolder print
        elif r < 0.35:
            img = img.filter(ImageFilter.MaxFilter(3))  # thinner print
    a = np.asarray(img, dtype=np.float32)
    # Print wear: small light specks over the ink, dark specks on the paper.
    if rng.random() < 0.4:
        for _ in range(int(rng.integers(5, 60))):
            cx, cy, rr = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.5, 0.08 * size + 1)
            yy, xx = np.ogrid[:h, :w]
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 <= rr * rr
            a[mask] = paper if rng.random() < 0.75 else ink
    # Uneven light and glare.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.uniform(-0.5, 0.5, size=2)
    a = a * (1 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5))
    if rng.random() < 0.25:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        rad = rng.uniform(0.5, 3) * height
        a = a + rng.uniform(40, 200) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * rad * rad))
    if ir_like:
        a = (a - ink) * rng.uniform(1.0, 1.6) + ink
    a = np.clip(a, 0, 255)
    img = Image.fromarray(a.astype(np.uint8))
    # Low resolution: final digit height 7..40 px.
    target_height = rng.uniform(7, 40)
    scale = min(1.0, target_height / height)
    if scale < 1.0:
        img = img.resize((max(8, int(w * scale)), max(8, int(h * scale))), Image.BILINEAR)
    blur = rng.uniform(0, 1.4) if rng.random() < 0.7 else 0
    if blur > 0.2:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    a = np.asarray(img, dtype=np.float32)
    a = a + rng.normal(0, rng.uniform(0, 14), size=a.shape)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if rng.random() < 0.6:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=int(rng.integers(15, 90)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    s = img.size[0] / w
    centres = [((margin_x + (i + 0.5) * pitch) * s, h / 2 * s) for i in range(n)]
    a = np.asarray(img, dtype=np.float32)
    # Line-strip normalisation, as in Rust: percentiles over the text band.
    top = int(max(0, (h / 2 - height) * s))
    bottom = int(min(a.shape[0], (h / 2 + height) * s + 1))
    band = a[top:bottom, int(margin_x * s): int((w - margin_x) * s) + 1]
    lo, hi = np.percentile(band, 2), np.percentile(band, 98)
    a = np.clip((a - lo) / max(hi - lo, 1.0), 0, 1.5)
    return a, centres, pitch * s, height * s


def cut_patch(img, cx, cy, pitch, height, rng):
    """Samples the classifier window around a cell centre with random misalignment."""
    win_w = PATCH_W_PITCHES * pitch * rng.uniform(0.88, 1.12)
    win_h = PATCH_H_HEIGHTS * height * rng.uniform(0.88, 1.12)
    cx += rng.uniform(-0.2, 0.2) * pitch
    cy += rng.uniform(-0.1, 0.1) * height
    ang = math.radians(rng.uniform(-4, 4))
    shear = rng.uniform(-0.25, 0.25)
    # Output pixel (u, v) -> input (x, y).
    sx, sy = win_w / PATCH_W, win_h / PATCH_H
    ca, sa = math.cos(ang), math.sin(ang)
    a11, a12 = ca * sx, (-sa + shear * ca) * sy
    a21, a22 = sa * sx, (ca + shear * sa) * sy
    u0, v0 = PATCH_W / 2, PATCH_H / 2
    ys = np.arange(PATCH_H, dtype=np.float32) + 0.5 - v0
    xs = np.arange(PATCH_W, dtype=np.float32) + 0.5 - u0
    X = cx + a11 * xs[None, :] + a12 * ys[:, None]
    Y = cy + a21 * xs[None, :] + a22 * ys[:, None]
    return bilinear(img, X - 0.5, Y - 0.5)


def bilinear(img, X, Y):
    h, w = img.shape
    x0 = np.floor(X).astype(np.int64)
    y0 = np.floor(Y).astype(np.int64)
    fx, fy = X - x0, Y - y0

    def at(yy, xx):
        inside = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
        v = img[np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
        return np.where(inside, v, 1.0)

    return ((at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx) * (1 - fy)
            + (at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx) * fy)


def make_dataset(seed, lines):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for _ in range(lines):
        n = int(rng.choice([30, 36, 44]))
        text = random_line(rng, n)
        img, centres, pitch, height = render_line(rng, text)
        for ch, (cx, cy) in zip(text, centres):
            xs.append(cut_patch(img, cx, cy, pitch, height, rng))
            ys.append(CHARSET.index(ch))
    return np.stack(xs)[..., None].astype(np.float32), np.array(ys, dtype=np.int64)


def build_model(tf):
    layers = tf.keras.layers
    inp = layers.Input(shape=(PATCH_H, PATCH_W, 1), name="patches")
    x = inp
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(192, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    out = layers.Dense(len(CHARSET), activation="softmax", name="probabilities")(x)
    return tf.keras.Model(inp, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="ONNX file to write")
    parser.add_argument("--train-lines", type=int, default=4200)
    parser.add_argument("--val-lines", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import tf2onnx

    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    t0 = time.time()
    x_train, y_train = make_dataset(args.seed, args.train_lines)
    x_val, y_val = make_dataset(args.seed + 1, args.val_lines)
    print(f"data: {len(x_train)} train, {len(x_val)} validation patches in {time.time() - t0:.0f} s", flush=True)

    model = build_model(tf)
    steps = args.epochs * math.ceil(len(x_train) / 256)
    schedule = tf.keras.optimizers.schedules.CosineDecay(2e-3, steps)
    model.compile(optimizer=tf.keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=256, epochs=args.epochs,
              validation_data=(x_val, y_val), verbose=2)
    loss, acc = model.evaluate(x_val, y_val, verbose=0)
    print(f"validation accuracy {acc:.4f} (loss {loss:.4f}); {time.time() - t0:.0f} s total", flush=True)

    spec = (tf.TensorSpec((None, PATCH_H, PATCH_W, 1), tf.float32, name="patches"),)
    model_proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=13)
    meta = model_proto.metadata_props.add()
    meta.key, meta.value = "charset", CHARSET
    with open(args.out, "wb") as f:
        f.write(model_proto.SerializeToString())
    print(f"wrote {args.out}: input patches [N,{PATCH_H},{PATCH_W},1], output probabilities [N,{len(CHARSET)}]")


if __name__ == "__main__":
    main()
