import sys, math, json, time; sys.path[:0] = ["tests", "."]
import numpy as np, cv2
from test_redteam8 import HAIRS, _arc, _polylines, _contest, blank
from test_redteam7 import _scan
from kiosk.reading import clump60

calls = []
orig = clump60.is_clump
def rec(dark, blobs, rest, scale):
    d_blob = float(cv2.distanceTransform(dark, cv2.DIST_L2, 5)[blobs.astype(bool)].max())
    d_rest = cv2.distanceTransform(rest, cv2.DIST_L2, 5)[rest.astype(bool)]
    p = float(np.percentile(d_rest, 95))
    r = orig(dark, blobs, rest, scale)
    calls.append((round(d_blob / max(p, 1e-6), 2), round(2*d_blob/scale, 3), round(2*p/scale, 3), r))
    return r
clump60.is_clump = rec

reader, IMG, CENTRES, S = blank.__wrapped__()
_cache = {}
def base(dpi):
    if dpi not in _cache:
        f = dpi / 200
        im = IMG if f == 1 else cv2.resize(IMG, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
        _cache[dpi] = (im, [(x * f, y * f) for x, y in CENTRES], S * f)
    return _cache[dpi]

def draw_clump(im, c, s, p, P):
    # P: shape ('disc'|'ellipse'|'two'), R mm, d, ang, g grey, ar (ellipse axis ratio), rot deg, sep (two specks)
    cx = c[0] + (p[0] + P['d'] * math.cos(P['ang'])) * s; cy = c[1] + (p[1] + P['d'] * math.sin(P['ang'])) * s
    g = float(P['g']); R = P['R']
    if P['shape'] == 'disc':
        cv2.circle(im, (int(cx * 16), int(cy * 16)), int(R * s * 16), g, -1, cv2.LINE_AA, 4)
    elif P['shape'] == 'ellipse':
        cv2.ellipse(im, (int(cx * 16), int(cy * 16)), (int(R * s * 16), int(R * P['ar'] * s * 16)), P['rot'], 0, 360, g, -1, cv2.LINE_AA, 4)
    elif P['shape'] == 'two':
        r2 = R * P['ar']; a = math.radians(P['rot']); sep = (R + r2) * P['sep']
        cv2.circle(im, (int(cx * 16), int(cy * 16)), int(R * s * 16), g, -1, cv2.LINE_AA, 4)
        x2 = cx + sep * s * math.cos(a); y2 = cy + sep * s * math.sin(a)
        cv2.circle(im, (int(x2 * 16), int(y2 * 16)), int(r2 * s * 16), g, -1, cv2.LINE_AA, 4)

def case(P):
    """P: hair idx, j, w, k, dpi, scan ('none'|'worst'|'jpegQ'), clump params."""
    sq, r, length, a, off, w0, k0 = HAIRS[P['hair']]
    w = P.get('w', w0); k = P.get('k', k0)
    im0, cen, s = base(P['dpi'])
    h = _arc(r, length, a, off)
    im = _polylines(im0, cen[sq], s, [h], w, k).astype(np.float32)
    draw_clump(im, cen[sq], s, h[P['j']], P)
    im = im.astype(np.uint8)
    sc = P.get('scan', 'none')
    if sc == 'worst':
        im = _scan(im)
    elif sc.startswith('jpeg'):
        ok, buf = cv2.imencode('.jpg', im, [cv2.IMWRITE_JPEG_QUALITY, int(sc[4:])]); im = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    calls.clear()
    c = _contest(reader, im)
    m = c.marks[sq]
    guard_blocked = any(not x[3] for x in calls)
    on = m.mark == 'marked'
    return dict(P=P, sq=sq, mark=m.mark, reason=m.reason, score=round(m.score, 3), outcome=c.outcome,
                on=on, off=on and not guard_blocked, calls=calls[:],
                pt=[round(h[P['j']][0], 2), round(h[P['j']][1], 2)])

def rand_clump(rng, Rlo=0.25, Rhi=0.8, glo=0, ghi=100):
    R = float(rng.uniform(Rlo, Rhi))
    return dict(shape='disc', R=round(R, 3), d=round(float(rng.uniform(0, R)), 3), ang=round(float(rng.uniform(0, 6.283)), 3),
                g=round(float(rng.uniform(glo, ghi)), 1))

if __name__ == '__main__':
    fams = sys.argv[1].split(','); n = int(sys.argv[2]); seed = int(sys.argv[3])
    rng = np.random.default_rng(seed)
    out = open(f'/tmp/review61/all_{seed}.jsonl', 'a')
    t0 = time.time()
    for i in range(n):
        fam = fams[i % len(fams)]
        P = rand_clump(rng); P.update(hair=i % 3, j=int(rng.integers(20, 40)), dpi=200, fam=fam, i=i, seed=seed)
        if fam == 'size':       # radius 0.25-0.8, grey 0-100, 200 dpi or worst
            P['scan'] = ['none', 'worst'][int(rng.integers(2))]
        elif fam == 'shape':
            P['shape'] = ['ellipse', 'two'][int(rng.integers(2))]
            P['ar'] = round(float(rng.uniform(0.35, 1.0)), 2); P['rot'] = round(float(rng.uniform(0, 180)), 1)
            P['sep'] = round(float(rng.uniform(0.7, 1.0)), 2)
            P['scan'] = ['none', 'worst'][int(rng.integers(2))]
        elif fam == 'hair':
            P['w'] = round(float(rng.uniform(0.08, 0.2)), 3); P['k'] = round(float(rng.uniform(0.5, 0.95)), 2)
            P['scan'] = ['none', 'worst'][int(rng.integers(2))]
        elif fam == 'dpi':
            P['dpi'] = [150, 250, 300][int(rng.integers(3))]
            P['scan'] = ['none', 'jpeg30', 'jpeg50', 'jpeg75'][int(rng.integers(4))]
        elif fam == 'edge':
            P['j'] = int(rng.choice(list(range(0, 20)) + list(range(40, 60))))
            P['scan'] = ['none', 'worst'][int(rng.integers(2))]
        res = case(P)
        out.write(json.dumps(res) + '\n'); out.flush()
        if res['on']:
            print(i, res['mark'], res['off'], res['calls'], P, flush=True)
    print('done', n, round(time.time() - t0, 1), 's', flush=True)
