import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
mode = sys.argv[2]
tot = collections.Counter(); hit = collections.Counter(); offhit = collections.Counter()
for r in rows:
    key = r['fam']
    if r['fam'] == 'tick': key = f"tick gap={r['p']['gap']}"
    if r['fam'] == 'cross': key = f"cross {r['p']['kind']}"
    if r['fam'] == 'broken': key = f"broken ang={r['p']['ang']}"
    tot[key] += 1
    on, off = r['on'], r['off']
    if mode == 'non':
        if on[1] == 'marked': hit[key] += 1
        if off[1] == 'marked': offhit[key] += 1
    else:
        if on[1] != 'marked' and off[1] == 'marked': hit[key] += 1
        if on[1] == 'marked': offhit[key] += 1
for k in sorted(tot): print(f"{k:28s} n={tot[k]:4d} {'marked_on' if mode=='non' else 'touch71_review'}={hit[k]:4d} {'marked_off' if mode=='non' else 'marked_on'}={offhit[k]:4d}")
if len(sys.argv) > 3:
    for r in rows:
        on, off = r['on'], r['off']
        if (mode == 'non' and (on[1] == 'marked' or off[1]=='marked')) or (mode != 'non' and on[1] != 'marked' and off[1] == 'marked'):
            print(r['fam'], r['p'], r['dpi'], r['seed'], on, off[1])
