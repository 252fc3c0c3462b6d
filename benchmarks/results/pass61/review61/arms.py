"""Arm count: components of the rest touching a ring around the blob (grown blob + 0.35 mm)."""
import sys, json; sys.path[:0] = ["/tmp/review61", "tests", "."]
import numpy as np, cv2
import att
from att import clump60, case
from test_redteam8 import _polylines, _contest
from test_clump61 import X, PLUS

arms_log = []
orig_boh = clump60.blob_on_hair
def arms(ink, inside, scale, blobs):
    g = max(1, round(clump60.AROUND_MM * scale))
    grown = cv2.dilate(blobs, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * g + 1, 2 * g + 1)))
    e = max(1, round(clump60.EDGE_MM * scale))
    clear = cv2.erode(inside.astype(np.uint8), np.ones((2 * e + 1, 2 * e + 1), np.uint8)) > 0
    region = clear & (grown == 0)
    rest = clump60._dark_in(ink, region)
    r2 = g + max(1, round(0.4 * scale))
    ring = cv2.dilate(blobs, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r2 + 1, 2 * r2 + 1))) > 0
    n, lab = cv2.connectedComponents((rest.astype(bool) & ring).astype(np.uint8), connectivity=8)
    sizes = [int((lab == i).sum()) for i in range(1, n)]
    return len([x for x in sizes if x >= 2])
def wrap(ink, inside, scale, blobs=None):
    if blobs is None:
        blobs = clump60.compact_blobs(clump60._dark_in(ink, inside), inside, scale)
    if blobs is not None:
        arms_log.append(arms(ink, inside, scale, blobs))
    return orig_boh(ink, inside, scale, blobs)
clump60.blob_on_hair = wrap

if __name__ == "__main__":
    holes = [json.loads(l) for l in open("/tmp/review61/all_7.jsonl")]
    holes = [h for h in holes if h["on"] and not h["off"]]
    for h in holes:
        arms_log.clear(); att.calls.clear(); r = case(h["P"])
        print("HOLE", h["P"]["fam"], h["P"]["i"], r["mark"], r["calls"], "arms", arms_log)
    # pen X / plus, fine ballpoint, at 200/250/300 dpi, widths 0.25-0.32
    reader = att.reader
    for dpi in (200, 250, 300):
        im0, cen, s = att.base(dpi)
        for sq, paths, nm in ((12, X, "x12"), (12, PLUS, "plus12"), (20, PLUS, "plus20"), (20, X, "x20")):
            for w in (0.25, 0.3):
                for k in (0.7,):
                    arms_log.clear(); att.calls.clear()
                    m = _contest(reader, _polylines(im0, cen[sq], s, paths, w, k)).marks[sq]
                    if att.calls:
                        print("PEN", dpi, nm, w, k, m.mark, m.reason, att.calls, "arms", arms_log, flush=True)
