import sys, json; sys.path.insert(0,'/tmp/attack72')
import cv2, numpy as np, fam
from h import draw
from test_review9 import _blank
gens={g.__name__: g for g in fam.NONVOTES+fam.VOTES}
specs=json.loads(sys.argv[1]); tiles=[]
for gname, p, dpi, seed in specs:
    L=[l for f,pp,l in gens[gname]() if pp==p][0]
    reader,img,centres,s=_blank(dpi); _,im=draw(dpi,L,seed)
    c=centres[20]; r=int(5*s)
    t=im[int(c[1])-r:int(c[1])+r, int(c[0])-r:int(c[0])+r]
    t=cv2.resize(t,(240,240),interpolation=cv2.INTER_NEAREST)
    cv2.putText(t,f"{gname[:6]} {dpi}",(3,15),cv2.FONT_HERSHEY_SIMPLEX,0.45,0,1); tiles.append(t)
while len(tiles)%5: tiles.append(np.full_like(tiles[0],255))
cv2.imwrite('/tmp/attack72/viz2.png', np.vstack([np.hstack(tiles[i:i+5]) for i in range(0,len(tiles),5)]))
