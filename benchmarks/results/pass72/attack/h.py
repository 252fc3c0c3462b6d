import math, time, sys
import numpy as np
from test_redteam8 import _polylines
from test_review9 import _blank
from fieldkit.hook_ab import switched_off
from kiosk.reading import touch71

SQ = 20

def draw(dpi, layers, seed):
    reader, img, centres, s = _blank(dpi)
    im = img.copy()
    for i, (paths, width, k, grain) in enumerate(layers):
        im = _polylines(im, centres[SQ], s, paths, width, k, grain=grain, seed=seed + 17 * i)
    return reader, im

def read(dpi, layers, seed, off=False):
    reader, im = draw(dpi, layers, seed)
    if off:
        with switched_off(touch71):
            c = reader.read(im).contests[0]
    else:
        c = reader.read(im).contests[0]
    m = c.marks[SQ]
    return c.outcome, m.mark, m.reason, round(m.score, 4)

def seg(x0, y0, x1, y1):
    return [(x0, y0), (x1, y1)]

def dot(x, y):
    return [(x, y), (x + 0.01, y)]
