#!/usr/bin/env python3
"""Train the MRZ line recognizer used by crates/ocr (line_recognizer.rs).

Reproducible recipe (see models/MODELS.md, section "MRZ line recognizer"):

    python3 -m venv /root/.cache/tdverify-ocr-line-py
    /root/.cache/tdverify-ocr-line-py/bin/pip install -r models/scripts/ocr/requirements-lines.txt
    # strips cut by our own locate + rectify from fresh fixture captures (every
    # capture kind: the default mix is mostly flatbed, --captures camera|phone),
    # one folder per seed, and valid MRZs from tdverify-mrz's composer:
    cargo xtask fixtures --seed 7003 --count 60 --captures camera --out /tmp/lines/fx/7003-camera
    cargo run --release -p tdverify-ocr --example export_line_strips -- \
        --out /tmp/lines/strips/7003-camera --valid 0 /tmp/lines/fx/7003-camera
    # ... training seeds 7001-7015, held-out seeds 7020-7022 into /tmp/lines/holdout/
    cargo run --release -p tdverify-ocr --example export_line_strips -- --out /tmp/lines/valid --valid 20000
    cp /tmp/lines/valid/valid_mrz.txt /tmp/lines/strips/
    nice -n 10 /root/.cache/tdverify-ocr-line-py/bin/python models/scripts/ocr/train_mrz_lines.py \
        --strips /tmp/lines/strips --holdout /tmp/lines/holdout --fixture-share 0.4 \
        --work /tmp/lines/train --minutes 120 --out models/ocr/mrz_lines.onnx
    # interrupted? the same command with --resume goes on from the last checkpoint.

Data, all synthetic: whole MRZ lines rendered with the public-domain OCR-B
cuts of Debian's fonts-ocr-b through the same renderer and degradations as the
cell classifier (train_mrz_chars.py: guilloche, uneven light, glare, IR-like
contrast, wear, blur, noise, 7-40 px digit heights, JPEG 15-90), plus halftone,
moire, hologram patches, shadows, glare clipping strokes, motion blur, clutter
beyond the line ends, and the cut errors our locator makes (pitch drift along
the line, offsets, residual rotation and slant). Half the rendered lines are
valid MRZ lines from tdverify-mrz's composer, half random MRZ-alphabet lines
with the confusable characters oversampled, so the model learns no language.
A third of every batch (or more) are strips our own Rust locate + rectify cut
from generated fixture captures, so training sees exactly what the reader sees.

The strip geometry is a contract with crates/ocr/src/line_recognizer.rs:
  * STRIP_H rows spanning STRIP_H_HEIGHTS digit heights centred on the line
  * PX_PER_PITCH columns per character pitch; the strip runs from MARGIN_PITCHES
    pitches before the first cell centre... i.e. (N - 1 + 2 * MARGIN_PITCHES)
    pitches for a line of N characters, (N + 3) * PX_PER_PITCH columns
  * intensities: (value - black) / (white - black) clipped to 0..1.5, black and
    white the 2nd and 98th percentiles of the text band
  * output: per frame (4 columns) the probabilities of the 37 MRZ characters
    and, last, the CTC blank
"""

import argparse
import glob
import io
import json
import math
import os
import sys
import time

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_mrz_chars as chars  # noqa: E402  (the shared line renderer)

CHARSET = chars.CHARSET
BLANK = len(CHARSET)
STRIP_H = 32
PX_PER_PITCH = 12
MARGIN_PITCHES = 2.0
STRIP_H_HEIGHTS = 1.6
FRAME_STRIDE = 4
CONFUSABLE = "0ODQ1I8B5S2Z6G<KC"
LENGTHS = [30, 36, 44]


def strip_width(n):
    return int(round((n - 1 + 2 * MARGIN_PITCHES) * PX_PER_PITCH))


def random_alphabet_line(rng, n):
    """MRZ-alphabet line without language: uniform, confusables and '<' runs oversampled."""
    out = []
    while len(out) < n:
        r = rng.random()
        if r < 0.15:
            out.extend("<" * int(rng.integers(1, 10)))
        elif r < 0.45:
            out.append(CONFUSABLE[int(rng.integers(0, len(CONFUSABLE)))])
        else:
            out.append(CHARSET[int(rng.integers(1, len(CHARSET)))])
    return "".join(out[:n])


def cut_strip(img, centres, pitch, height, rng, perturb=True):
    """Samples the strip the Rust side cuts, with the locator's cut errors when `perturb`."""
    n = len(centres)
    x0, y0 = centres[0]
    x1, _ = centres[-1]
    p = (x1 - x0) / max(n - 1, 1)
    cy = y0
    hh = height
    if perturb:
        p *= rng.uniform(0.98, 1.02)
        x0 += rng.uniform(-0.35, 0.35) * pitch
        cy += rng.uniform(-0.12, 0.12) * height
        hh *= rng.uniform(0.88, 1.12)
    width = strip_width(n)
    u = (np.arange(width, dtype=np.float32) + 0.5) / PX_PER_PITCH - MARGIN_PITCHES  # in pitches from first centre
    v = ((np.arange(STRIP_H, dtype=np.float32) + 0.5) / STRIP_H - 0.5) * STRIP_H_HEIGHTS  # in heights
    X = x0 + u[None, :] * p
    Y = cy + v[:, None] * hh
    if perturb:
        # Pitch drift along the line, residual rotation and slant.
        drift = rng.uniform(-0.3, 0.3) * pitch
        X = X + drift * np.sin(math.pi * (u[None, :] + MARGIN_PITCHES) / (n + 3) * rng.uniform(0.5, 2.0))
        angle = math.radians(rng.uniform(-1.2, 1.2))
        Y = Y + (X - x0) * math.tan(angle)
        X = X + rng.uniform(-0.18, 0.18) * (Y - cy)
    return chars.bilinear(img, X - 0.5, Y - 0.5).astype(np.float32)


def extra_degradations(a, rng):
    """Degradations on the normalised strip (0 ink .. 1 paper)."""
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = rng.random()
    if r < 0.12:  # halftone / moire: periodic screen over everything
        f = rng.uniform(0.5, 1.5)
        ang = rng.uniform(0, math.pi)
        screen = 0.5 + 0.5 * np.sin(f * (xx * math.cos(ang) + yy * math.sin(ang)))
        a = a * (1 - rng.uniform(0.1, 0.35) * screen)
    elif r < 0.22:  # hologram patch: a bright, textured rectangle over part of the line
        x0 = rng.uniform(0, w)
        ww = rng.uniform(0.1, 0.4) * w
        mask = (xx > x0) & (xx < x0 + ww)
        tex = 0.5 + 0.5 * np.sin(xx * rng.uniform(0.2, 0.8) + yy * rng.uniform(0.2, 0.8))
        a = np.where(mask, a * rng.uniform(0.6, 0.9) + rng.uniform(0.1, 0.4) * tex, a)
    elif r < 0.32:  # glare clipping strokes
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        rad = rng.uniform(4, 20)
        g = np.exp(-((xx - cx) ** 2 / (2 * (3 * rad) ** 2) + (yy - cy) ** 2 / (2 * rad * rad)))
        a = np.minimum(a + rng.uniform(0.5, 1.2) * g, 1.0 + 0.5 * g)
    if rng.random() < 0.2:  # shadow edge
        x0 = rng.uniform(0, w)
        a = np.where(xx > x0, a * rng.uniform(0.5, 0.85), a)
    if rng.random() < 0.15:  # horizontal motion blur
        k = int(rng.integers(2, 5))
        kernel = np.ones(k, dtype=np.float32) / k
        a = np.apply_along_axis(lambda row: np.convolve(row, kernel, mode="same"), 1, a)
    if rng.random() < 0.25:  # clutter beyond the line ends: a card edge or a dark mark
        side = rng.random() < 0.5
        pos = rng.uniform(0.1, 0.9) * MARGIN_PITCHES * PX_PER_PITCH * 0.6
        x = pos if side else w - pos
        band = np.abs(xx - x) < rng.uniform(1, 3)
        a = np.where(band, rng.uniform(0.0, 0.4), a)
    # Contrast renormalised as in Rust (band percentiles).
    lo, hi = np.percentile(a, 2), np.percentile(a, 98)
    a = np.clip((a - lo) / max(hi - lo, 0.05), 0, 1.5)
    return a.astype(np.float32)


def synthetic_strip(rng, text):
    img, centres, pitch, height = chars.render_line(rng, text)
    a = cut_strip(img, centres, pitch, height, rng)
    return extra_degradations(a, rng)


class FixtureStrips:
    """Strips exported by `examples/export_line_strips.rs`: PNG + text per line."""

    def __init__(self, folder):
        self.by_length = {n: [] for n in LENGTHS}
        self.folder = folder
        self.seen = set()
        self.refresh()

    def refresh(self):
        """Loads the strips not loaded yet (the export may still be writing more)."""
        if not self.folder:
            return
        for path in sorted(glob.glob(os.path.join(self.folder, "**", "*.png"), recursive=True)):
            if path in self.seen:
                continue
            txt = path[:-4] + ".txt"
            if not os.path.exists(txt):
                continue
            text = open(txt).read().strip()
            self.seen.add(path)
            n = len(text)
            if n not in self.by_length:
                continue
            a = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 170.0
            if a.shape != (STRIP_H, strip_width(n)):
                continue
            self.by_length[n].append((a, text))

    def count(self):
        return sum(len(v) for v in self.by_length.values())

    def sample(self, rng, n):
        pool = self.by_length.get(n) or []
        if not pool:
            return None
        a, text = pool[int(rng.integers(0, len(pool)))]
        a = a.copy()
        # Light augmentation: contrast, noise, blur, JPEG, a small shift.
        if rng.random() < 0.5:
            a = np.clip(a * rng.uniform(0.8, 1.1) + rng.uniform(-0.1, 0.1), 0, 1.5)
        if rng.random() < 0.3:
            img = Image.fromarray(np.clip(a * 170, 0, 255).astype(np.uint8))
            img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
            if rng.random() < 0.5:
                buf = io.BytesIO()
                img.save(buf, format="JPEG", quality=int(rng.integers(20, 90)))
                img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
            a = np.asarray(img, dtype=np.float32) / 170.0
        if rng.random() < 0.3:
            a = a + rng.normal(0, rng.uniform(0.01, 0.06), size=a.shape).astype(np.float32)
        shift = int(rng.integers(-3, 4))
        if shift:
            a = np.roll(a, shift, axis=1)
        return np.clip(a, 0, 1.5).astype(np.float32), text


def load_valid_lines(path):
    """Valid MRZs from tdverify-mrz's composer (one MRZ per line, lines joined by '|')."""
    by_length = {n: [] for n in LENGTHS}
    if path and os.path.exists(path):
        for row in open(path):
            for line in row.strip().split("|"):
                if len(line) in by_length:
                    by_length[len(line)].append(line)
    return by_length


class ReplayPool:
    """Recently rendered synthetic strips, reused a few times with cheap changes
    (rendering a line costs several training steps' worth of one core)."""

    def __init__(self, size):
        self.size = size
        self.by_length = {n: [] for n in LENGTHS}

    def add(self, sample):
        pool = self.by_length[len(sample[1])]
        pool.append(sample)
        if len(pool) > self.size:
            pool.pop(0)

    def sample(self, rng, n):
        pool = self.by_length[n]
        if len(pool) < 100:
            return None
        a, text = pool[int(rng.integers(0, len(pool)))]
        a = a + rng.normal(0, rng.uniform(0.0, 0.05), size=a.shape).astype(np.float32)
        a = np.roll(a, int(rng.integers(-3, 4)), axis=1)
        return np.clip(a * rng.uniform(0.9, 1.1), 0, 1.5).astype(np.float32), text


def make_batch(rng, batch, fixtures, valid_lines, fixture_share, replay=None, fresh=None):
    n = int(rng.choice(LENGTHS, p=[0.35, 0.15, 0.5]))
    xs, texts = [], []
    # A fixed share of every batch from our own strips (when there are strips of this length).
    from_fixtures = int(math.ceil(fixture_share * batch - 1e-9))
    rendered = 0
    for i in range(batch):
        sample = None
        if i < from_fixtures:
            sample = fixtures.sample(rng, n)
        if sample is None and replay is not None and fresh is not None and rendered >= fresh:
            sample = replay.sample(rng, n)
        if sample is None:
            pool = valid_lines.get(n) or []
            if pool and rng.random() < 0.5:
                text = pool[int(rng.integers(0, len(pool)))]
            else:
                text = random_alphabet_line(rng, n)
            sample = (synthetic_strip(rng, text), text)
            rendered += 1
            if replay is not None:
                replay.add(sample)
        xs.append(sample[0])
        texts.append(sample[1])
    return np.stack(xs)[:, None], texts


def build_model(torch):
    nn = torch.nn

    class LineRecognizer(nn.Module):
        """CNN (height 32 -> 1, width / 4) + BiLSTM + per-frame classes."""

        def __init__(self):
            super().__init__()

            def block(i, o):
                return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]

            self.cnn = nn.Sequential(
                *block(1, 16), nn.MaxPool2d(2),  # 16 x W/2
                *block(16, 32), nn.MaxPool2d(2),  # 8 x W/4
                *block(32, 64), nn.MaxPool2d((2, 1)),  # 4
                *block(64, 96), nn.MaxPool2d((2, 1)),  # 2
                nn.Conv2d(96, 128, (2, 3), padding=(0, 1)), nn.ReLU(),  # 1
            )
            self.rnn = nn.LSTM(128, 80, batch_first=True, bidirectional=True)
            self.head = nn.Linear(160, len(CHARSET) + 1)

        def forward(self, x):
            f = self.cnn(x).squeeze(2).permute(0, 2, 1)  # B, T, C
            f, _ = self.rnn(f)
            return self.head(f)  # logits B, T, classes

    return LineRecognizer()


def greedy(logits):
    best = logits.argmax(-1)
    out = []
    for row in best.tolist():
        s, prev = [], BLANK
        for k in row:
            if k != prev and k != BLANK:
                s.append(CHARSET[k])
            prev = k
        out.append("".join(s))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strips", default="", help="folder of exported fixture strips (PNG + TXT)")
    ap.add_argument("--valid-lines", default="", help="composed valid MRZs (default STRIPS/valid_mrz.txt)")
    ap.add_argument("--work", required=True, help="checkpoints and validation data")
    ap.add_argument("--out", required=True, help="ONNX model to write")
    ap.add_argument("--minutes", type=float, default=50.0, help="training time budget")
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--fixture-share", type=float, default=0.36)
    ap.add_argument("--seed", type=int, default=26)
    ap.add_argument("--fresh", type=int, default=8, help="newly rendered strips per batch (the rest replayed)")
    ap.add_argument("--holdout", default="", help="strips of held-out fixture seeds, measured while training")
    ap.add_argument("--reload-every", type=int, default=200,
                    help="steps between looking for newly exported strips")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--export-only", action="store_true")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    ckpt_path = os.path.join(args.work, "checkpoint.pt")
    model = build_model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ctc = torch.nn.CTCLoss(blank=BLANK, zero_infinity=True)
    step, elapsed = 0, 0.0
    rng = np.random.default_rng(args.seed)
    if args.resume or args.export_only:
        state = torch.load(ckpt_path, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, elapsed = state["step"], state["elapsed"]
        rng.bit_generator.state = state["rng"]
        print(f"resumed at step {step}, {elapsed / 60:.1f} min", flush=True)
    params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {params}", flush=True)

    fixtures = FixtureStrips(args.strips)
    valid_lines = load_valid_lines(args.valid_lines or os.path.join(args.strips, "valid_mrz.txt"))
    print(f"fixture strips: {fixtures.count()}, valid composed lines: "
          f"{sum(len(v) for v in valid_lines.values())}", flush=True)
    # Fixed validation: synthetic only (fixture strips of held-out seeds are measured in Rust).
    vrng = np.random.default_rng(999)
    val = [make_batch(vrng, 16, FixtureStrips(""), valid_lines, 0.0) for _ in range(6)]

    # Strips of held-out fixture seeds (never trained on): greedy exact lines, every 300 steps.
    held = FixtureStrips(args.holdout)
    holdout = []

    def holdout_exact():
        held.refresh()  # the held-out seeds' export may finish while training
        holdout[:] = [item for n in LENGTHS for item in held.by_length[n]][:400]
        exact = 0
        model.eval()
        with torch.no_grad():
            for n in LENGTHS:
                group = [(a, t) for a, t in holdout if len(t) == n]
                for start in range(0, len(group), 32):
                    part = group[start:start + 32]
                    x = torch.from_numpy(np.stack([a for a, _ in part])[:, None])
                    exact += sum(g == t for g, (_, t) in zip(greedy(model(x)), part))
        return exact

    if args.holdout:
        print(f"held-out fixture strips exact (greedy): {holdout_exact()}/{len(holdout)}", flush=True)
    replay = ReplayPool(3000)
    budget = args.minutes * 60
    started = time.time() - elapsed
    losses = []
    while not args.export_only:
        elapsed = time.time() - started
        if elapsed >= budget:
            break
        frac = elapsed / budget
        lr = 1e-3 * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac))) if step > 200 else 1e-3 * (step + 1) / 200
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        x, texts = make_batch(rng, args.batch, fixtures, valid_lines, args.fixture_share, replay, args.fresh)
        logits = model(torch.from_numpy(x))
        logp = logits.log_softmax(-1).permute(1, 0, 2)
        targets = torch.tensor([CHARSET.index(c) for t in texts for c in t], dtype=torch.long)
        lengths = torch.tensor([len(t) for t in texts], dtype=torch.long)
        inputs = torch.full((len(texts),), logp.shape[0], dtype=torch.long)
        loss = ctc(logp, targets, inputs, lengths)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        losses.append(float(loss))
        step += 1
        if step % 100 == 0:
            model.eval()
            exact, total, cer_n, cer_d = 0, 0, 0, 0
            with torch.no_grad():
                for vx, vt in val:
                    for got, want in zip(greedy(model(torch.from_numpy(vx))), vt):
                        exact += got == want
                        total += 1
                        cer_n += sum(a != b for a, b in zip(got, want)) + abs(len(got) - len(want))
                        cer_d += len(want)
            print(f"step {step} {elapsed / 60:.1f} min lr {lr:.2e} loss {np.mean(losses[-100:]):.3f} "
                  f"val exact {exact}/{total} cer {cer_n / max(cer_d, 1):.4f}", flush=True)
        if step % args.reload_every == 0 and args.strips:
            before = fixtures.count()
            fixtures.refresh()
            if fixtures.count() != before:
                print(f"fixture strips: {fixtures.count()} (new {fixtures.count() - before})", flush=True)
        if step % 300 == 0 and args.holdout:
            print(f"step {step} held-out fixture strips exact (greedy): {holdout_exact()}/{len(holdout)}", flush=True)
        if step % 300 == 0:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                        "elapsed": time.time() - started, "rng": rng.bit_generator.state}, ckpt_path + ".tmp")
            os.replace(ckpt_path + ".tmp", ckpt_path)
    if not args.export_only:
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                    "elapsed": time.time() - started, "rng": rng.bit_generator.state}, ckpt_path)
        print(f"trained {step} steps in {(time.time() - started) / 60:.1f} min", flush=True)

    class WithSoftmax(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(x).softmax(-1)

    model.eval()
    wrapped = WithSoftmax(model)
    dummy = torch.zeros(1, 1, STRIP_H, strip_width(44))
    torch.onnx.export(wrapped, dummy, args.out, input_names=["strip"], output_names=["probabilities"],
                      dynamic_axes={"strip": {0: "lines", 3: "width"}, "probabilities": {0: "lines", 1: "frames"}},
                      opset_version=17, dynamo=False)
    import onnx

    m = onnx.load(args.out)
    meta = {"charset": CHARSET, "blank": str(BLANK), "strip_height": str(STRIP_H),
            "px_per_pitch": str(PX_PER_PITCH), "margin_pitches": str(MARGIN_PITCHES),
            "strip_height_heights": str(STRIP_H_HEIGHTS), "frame_stride": str(FRAME_STRIDE),
            "training": json.dumps({"steps": step, "minutes": round(elapsed / 60, 1), "seed": args.seed})}
    for k, v in meta.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save(m, args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)", flush=True)


if __name__ == "__main__":
    main()
