"""Case families: each yields (family, params dict, layers) with layers = [(paths_mm, width, k, grain)]."""
import math, itertools
import numpy as np

def seg(x0, y0, x1, y1): return [(x0, y0), (x1, y1)]
def dot(x, y): return [(x, y), (x + 0.01, y)]
def line(a, L, cx=0.0, cy=0.0):
    t = math.radians(a); dx, dy = math.cos(t)*L/2, math.sin(t)*L/2
    return [(cx-dx, cy-dy), (cx+dx, cy+dy)]

def speck():
    # light dash + speck touching/near middle vs end
    for L, w, k in [(4.0, 0.6, 0.3), (3.0, 0.5, 0.28), (3.5, 0.45, 0.33)]:
        for along in (0.0, 0.6, L/2 - 0.6, L/2 - 0.2, L/2 + 0.3):
            for gap in (-0.1, 0.1, 0.3, 0.5):   # paper between dash edge and speck edge
                for d in (0.5, 0.8):
                    y = w/2 + d/2 + gap
                    yield "speck", dict(L=L, w=w, k=k, along=along, gap=gap, d=d), [
                        ([seg(-L/2, 0, L/2, 0)], w, k, 0.4), ([dot(along, y)], d, k - 0.02, 0.0)]

def broken():
    # two short dashes at a slight angle: a broken dash
    for L1, L2 in [(2.0, 2.0), (2.5, 1.5), (1.8, 2.4)]:
        for ang in (8, 15, 22, 30, 38):
            for gap in (0.2, 0.4):
                for lat in (0.0, 0.3):
                    w, k = 0.5, 0.3
                    a = [(-L1 - gap/2, 0), (-gap/2, 0)]
                    t = math.radians(ang)
                    b = [(gap/2, lat), (gap/2 + L2*math.cos(t), lat - L2*math.sin(t))]
                    # recentre
                    yield "broken", dict(L1=L1, L2=L2, ang=ang, gap=gap, lat=lat), [([a, b], w, k, 0.4)]

def fibre():
    for L, w, k in [(3.5, 0.5, 0.28), (4.0, 0.6, 0.32)]:
        for ang in (35, 50, 70, 90, 120, 145):
            for hw, hk in [(0.1, 0.35), (0.15, 0.3), (0.2, 0.25), (0.12, 0.5)]:
                for off in (0.0, 1.0):
                    yield "fibre", dict(L=L, w=w, k=k, ang=ang, hw=hw, hk=hk, off=off), [
                        ([seg(-L/2, 0, L/2, 0)], w, k, 0.4),
                        ([line(ang, 9.0, off, 0.0)], hw, hk, 0.0)]

def smudge():
    for L, w, k in [(3.5, 0.5, 0.3), (4.0, 0.6, 0.3)]:
        for sw, sl, sk in [(1.0, 1.5, 0.12), (1.2, 2.0, 0.1), (1.5, 1.5, 0.15), (1.5, 2.5, 0.1), (1.0, 2.0, 0.18)]:
            for ang in (45, 90, 135):
                for off in (0.0, 1.0):
                    yield "smudge", dict(L=L, w=w, k=k, sw=sw, sl=sl, sk=sk, ang=ang, off=off), [
                        ([seg(-L/2, 0, L/2, 0)], w, k, 0.4),
                        ([line(ang, sl, off, 0.0)], sw, sk, 0.3)]

def erased():
    for L in (4.0, 5.0):
        for w in (0.4, 0.6):
            for k in (0.08, 0.12, 0.16, 0.2):
                for g in (0.7, 0.85):
                    yield "erasedX", dict(L=L, w=w, k=k, g=g), [([line(45, L), line(135, L)], w, k, g)]

def dotdash():
    for L in (1.5, 2.0, 2.5, 3.0):
        for dd, dk in [(0.5, 0.35), (0.7, 0.3), (0.6, 0.5)]:
            for where in ("end", "mid", "above"):
                w, k = 0.5, 0.3
                if where == "end": p = (L/2 + 0.6, 0.0)
                elif where == "mid": p = (0.0, 1.0)
                else: p = (L/2 + 0.3, -1.0)
                yield "dotdash", dict(L=L, dd=dd, dk=dk, where=where), [
                    ([seg(-L/2, 0, L/2, 0)], w, k, 0.4), ([dot(*p)], dd, dk, 0.0)]

def blobs():
    # two disconnected elongated dust blobs, placed like a checkmark's two arms (debris, not a stroke)
    for L1, L2 in [(0.5, 0.9), (0.7, 1.2), (0.4, 1.4)]:
        for gap in (0.5, 0.9):
            for w, k in [(0.5, 0.3), (0.7, 0.25), (0.4, 0.4)]:
                cx, cy = -0.3, 0.6
                t1, t2 = math.radians(45), math.radians(-60)
                a = [(cx - L1*math.cos(t1) - gap*0.5, cy - L1*math.sin(t1)), (cx - gap*0.5, cy)]
                b = [(cx + gap*0.5, cy), (cx + gap*0.5 + L2*math.cos(t2), cy + L2*math.sin(t2))]
                yield "blobs", dict(L1=L1, L2=L2, gap=gap, w=w, k=k), [([a, b], w, k, 0.5)]

def toner():
    rng = np.random.default_rng(5)
    for n in (6, 12, 20, 35):
        for d, k in [(0.15, 0.6), (0.25, 0.45), (0.3, 0.35)]:
            for rep in range(4):
                pts = rng.uniform(-2.6, 2.6, size=(n, 2))
                yield "toner", dict(n=n, d=d, k=k, rep=rep), [([dot(x, y) for x, y in pts], d, k, 0.0)]

def toner_line():
    # toner dots along a line (a scanner/printer trail) + a dash
    rng = np.random.default_rng(7)
    for n in (5, 8):
        for d, k in [(0.25, 0.4), (0.35, 0.3)]:
            for ang in (40, 70, 110):
                for rep in range(2):
                    t = math.radians(ang)
                    ss = np.sort(rng.uniform(-2.5, 2.5, n))
                    pts = [(s*math.cos(t), s*math.sin(t)) for s in ss]
                    yield "tonerdash", dict(n=n, d=d, k=k, ang=ang, rep=rep), [
                        ([seg(-2, 0, 2, 0)], 0.5, 0.3, 0.4), ([dot(x, y) for x, y in pts], d, k, 0.0)]

NONVOTES = [speck, broken, fibre, smudge, erased, dotdash, blobs, toner, toner_line]

# ---- cost side: real votes
def tick_pts(short, long, corner):
    # short arm from up-left down to the corner (45 deg), long arm from the corner up-right (60 deg); y down
    cx, cy = corner
    s0 = (cx - short*math.cos(math.radians(45)), cy - short*math.sin(math.radians(45)))
    l1 = (cx + long*math.cos(math.radians(60)), cy - long*math.sin(math.radians(60)))
    return s0, (cx, cy), l1

def ticks():
    for short, long in [(1.5, 3.0), (2.0, 4.0), (2.5, 5.0), (1.8, 3.5)]:
        for w, k in [(0.3, 0.3), (0.4, 0.35), (0.5, 0.25), (0.4, 0.4)]:
            for gap in (0.0, 0.2, 0.3, 0.4, 0.5, "round"):
                g = 0.4
                s0, c, l1 = tick_pts(short, long, corner=(-0.4 - 0.25*short, -0.3 + 0.45*long))
                # tick: short arm goes up-left from corner; long arm up-right
                # place: corner below centre
                if gap == "round":
                    # rounded corner: a small arc of radius 0.5mm
                    ux, uy = (s0[0]-c[0])/short, (s0[1]-c[1])/short
                    vx, vy = (l1[0]-c[0])/long, (l1[1]-c[1])/long
                    r = 0.5
                    p0 = (c[0] + ux*r, c[1] + uy*r); p1 = (c[0] + vx*r, c[1] + vy*r)
                    # quadratic bezier through corner
                    bz = [((1-t)**2*p0[0] + 2*(1-t)*t*c[0] + t*t*p1[0], (1-t)**2*p0[1] + 2*(1-t)*t*c[1] + t*t*p1[1]) for t in np.linspace(0, 1, 8)]
                    paths = [[s0] + bz + [l1]]
                elif gap == 0.0:
                    paths = [[s0, c, l1]]
                else:
                    # short arm stops `gap` mm of paper before the long arm's stroke edge
                    ux, uy = (s0[0]-c[0])/short, (s0[1]-c[1])/short
                    # angle between arms
                    vx, vy = (l1[0]-c[0])/long, (l1[1]-c[1])/long
                    sin_t = abs(ux*vy - uy*vx)
                    back = (gap + w) / max(sin_t, 0.3)
                    paths = [[s0, (c[0] + ux*back, c[1] + uy*back)], [c, l1]]
                yield "tick", dict(short=short, long=long, w=w, k=k, gap=gap), [(paths, w, k, g)]

def crosses():
    for L in (3.0, 4.0, 5.0):
        for w, k in [(0.3, 0.3), (0.4, 0.35), (0.5, 0.25)]:
            for kind in ("broken-second", "short-of-first", "X"):
                for gap in (0.25, 0.45):
                    if kind == "X":
                        if gap != 0.25: continue
                        paths = [line(45, L), line(135, L)]
                    elif kind == "broken-second":
                        # second stroke lifted where it crosses the first: two halves
                        h = (w + 2*gap) / 2
                        t = math.radians(135); dx, dy = math.cos(t), math.sin(t)
                        paths = [line(45, L), [(-dx*L/2, -dy*L/2), (-dx*h, -dy*h)], [(dx*h, dy*h), (dx*L/2, dy*L/2)]]
                    else:
                        # second stroke ends short of the first (a "V"-like X whose arms do not meet)
                        h = (w + 2*gap) / 2
                        t = math.radians(135); dx, dy = math.cos(t), math.sin(t)
                        paths = [line(45, L), [(dx*h, dy*h), (dx*L/2, dy*L/2)]]
                    yield "cross", dict(L=L, w=w, k=k, kind=kind, gap=gap), [(paths, w, k, 0.4)]

VOTES = [ticks, crosses]
