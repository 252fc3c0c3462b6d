import sys, math, json
exec(open(__file__.rsplit("/", 1)[0] + "/explore.py").read().split("cases = {}")[0])
res = {}
for ring in (False, True):
    b0 = streak(base, -4.1) if ring else base
    for ang in (0, 20, 45, 70, 90, 110, 135, 160):
        for off in (-1.0, 0.8):
            for L in (1, 3, 5, 8, 12):
                for k in (0.12, 0.2, 0.3):
                    a = math.radians(ang); dx, dy = math.cos(a), math.sin(a)
                    nx, ny = -dy, dx
                    # chord half-length through window: extend to (window edge along the line) + L
                    reach = 4.2 / max(abs(dx), abs(dy)) + L
                    p0 = (off * nx - reach * dx, off * ny - reach * dy); p1 = (off * nx + reach * dx, off * ny + reach * dy)
                    img = draw(b0, [(p0, p1)], k, 0.4)
                    r = reader.read(img)
                    m = r.contests[0].marks[i] if r.contests else None
                    res[f"{int(ring)} {ang} {off} {L} {k}"] = (m.mark, round(m.score, 4), m.reason) if m else ("rejected",)
json.dump(res, open(sys.argv[1], "w"))
print("done", len(res))
