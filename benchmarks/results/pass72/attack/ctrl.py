import sys, json; sys.path.insert(0,'/tmp/attack72')
import fam
from h import read
rows=[json.loads(l) for l in open('/tmp/attack72/non.jsonl')]
gens={g.__name__: g for g in fam.NONVOTES}
fmap={'speck':'speck','broken':'broken','fibre':'fibre','smudge':'smudge','erasedX':'erased','dotdash':'dotdash','blobs':'blobs','toner':'toner','tonerdash':'toner_line'}
cache={}
def layers_of(f,p):
    for ff,pp,L in gens[fmap[f]]():
        if pp==p: return L
out=open('/tmp/attack72/ctrl.jsonl','w')
for r in rows:
    if r['on'][1]!='marked' or r['fam'] in ('toner','erasedX','broken'): continue
    L=layers_of(r['fam'],r['p'])
    c=read(r['dpi'],[L[0]],r['seed'])
    r['ctrl']=c
    out.write(json.dumps(r)+'\n')
