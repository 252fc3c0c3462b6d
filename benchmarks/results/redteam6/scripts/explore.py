"""Red-team exploration: draw marks on a clean generated sheet and read them."""
import sys, math
import cv2, numpy as np
from fieldkit.deck import DeckOptions, canvas_margins, generate_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading.reader import BallotReader

e = sample_election(); h = election_hash(e)
reader = BallotReader(e, h, keep_crops="never")
opt = DeckOptions.clean()
style = "MZ-SMD-02"
s = generate_sheet(e, h, style, 5, 6, opt, with_front=False)
scale = 200 / 25.4
layout = build_layout(e, h, style)
page_h, page_w = round(layout.height_mm * scale), round(layout.width_mm * scale)
mx, my = canvas_margins(page_h, page_w, opt, scale)
expected = [q.expected for q in s.truth.squares]
i = next(k for k, x in enumerate(expected) if x == "empty" and 3 < k < len(expected) - 3)
t = layout.targets[i]
cx, cy = mx + t.box.cx * scale, my + t.box.cy * scale
base = s.back.copy()
print("square", i, "expected", expected, "centre", cx, cy)

def P(u, v):
    return (round((cx + u * scale) * 16), round((cy + v * scale) * 16))

def draw(img, segs, k, width_mm, grain=None):
    layer = np.zeros(img.shape, np.uint8)
    for a, b in segs:
        cv2.line(layer, P(*a), P(*b), 255, max(1, round(width_mm * scale)), cv2.LINE_AA, 4)
    f = layer.astype(np.float32) / 255
    if grain is not None:
        f = f * np.random.default_rng(grain).uniform(0.35, 1.0, f.shape).astype(np.float32)
    return np.clip(img * (1 - k * f), 0, 255).astype(np.uint8)

def streak(img, u_mm, dark=0.65, w=2):
    img = img.copy(); col = round(cx + u_mm * scale)
    img[:, col:col + w] = (img[:, col:col + w] * dark).astype(np.uint8)
    return img

def read(img):
    r = reader.read(img)
    m = r.contests[0].marks[i]
    return m, r.status

def crop(img, name):
    c = img[round(cy - 14 * scale):round(cy + 14 * scale), round(cx - 30 * scale):round(cx + 30 * scale)]
    big = cv2.resize(c, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(f"/tmp/rt6/{name}.png", big)

cases = {}
print("base", read(base))
# 1. ruler line through the square, extending L mm past the window (4.2 mm) each side
for k in (0.16, 0.3, 0.5):
    for L in (2, 6, 12, 30):
        for ang in (0.0, 3.0):
            x0, x1 = -(4.2 + L), 4.2 + L
            dy = math.tan(math.radians(ang))
            img = draw(base, [((x0, 0.8 + x0 * dy), (x1, 0.8 + x1 * dy))], k, 0.4)
            m, st = read(img)
            print(f"ruler k={k} L={L} ang={ang}: {m.mark} {m.score:.4f} {m.reason} {st}")
            cases[f"ruler_k{k}_L{L}_a{ang}"] = img
# 1b ruler line from one side only: starts in the square, runs 30 mm to the right
for k in (0.16, 0.3):
    img = draw(base, [((-1.5, 0.5), (34.0, 0.5))], k, 0.4)
    m, st = read(img); print(f"ruler-from-inside k={k}: {m.mark} {m.score:.4f} {m.reason} {st}")
    cases[f"rulerhalf_k{k}"] = img
np.save("/tmp/rt6/dummy.npy", np.zeros(1))
for name in ("ruler_k0.16_L30_a0.0", "ruler_k0.3_L30_a3.0"):
    crop(cases[name], name)
