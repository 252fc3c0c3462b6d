import sys, json, os, time
sys.path.insert(0, '/tmp/attack72')
from multiprocessing import Pool
import fam

DPIS = (150, 200, 250, 300)
SEEDS = (9, 23)

def job(arg):
    from h import read
    famname, params, layers, dpi, seed = arg
    on = read(dpi, layers, seed)
    off = read(dpi, layers, seed, off=True)
    return dict(fam=famname, p=params, dpi=dpi, seed=seed, on=on, off=off)

if __name__ == "__main__":
    which = sys.argv[1]
    out = sys.argv[2]
    gens = fam.NONVOTES if which == "non" else fam.VOTES
    if len(sys.argv) > 3:
        gens = [g for g in gens if g.__name__ in sys.argv[3].split(",")]
    args = [(f, p, L, dpi, seed) for g in gens for (f, p, L) in g() for dpi in DPIS for seed in SEEDS]
    print(len(args), flush=True)
    t = time.time()
    with Pool(2) as pool, open(out, "w") as fh:
        for i, r in enumerate(pool.imap_unordered(job, args, chunksize=4)):
            fh.write(json.dumps(r) + "\n"); fh.flush()
            if i % 200 == 0: print(i, time.time() - t, flush=True)
