// Sanaq observer's verifier. The same checks as `sanaq verify` (kiosk/protocol/signed.py,
// compact.py, model.py), in the browser, offline. CONFIG (built in by
// `sanaq protocol observer-page`) holds the headquarters public key, the election packages'
// protocol forms and the messages; jsQR and noble (bundled above) are the only libraries.
"use strict";

const CONFIG = JSON.parse(document.getElementById("sanaq-config").textContent);
const MAX_EXPANDED = 1 << 20;
const PART = /^SQP1:(\d{1,2}):(\d{1,2}):([0-9A-F]{8}):([0-9A-Z $%*+\-./:]+)$/;
const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const ROLES = ["chair", "secretary", "member"];
const ROLE_NAMES = {
  chair: ["Төраға", "Председатель"],
  secretary: ["Хатшы", "Секретарь"],
  member: ["Мүше", "Член комиссии"],
  device: ["Құрылғы", "Устройство"],
};
const VOTE_NAMES = {
  approve: ["электрондық қол қойды", "подписал электронно"],
  dissent: ["ерекше пікір", "особое мнение"],
  null: ["қол қойылмаған", "не подписал"],
};

class Refused extends Error {
  constructor(code, detail) {
    super(detail);
    this.code = code;
    this.detail = detail;
  }
}

// --- encodings ---------------------------------------------------------------------------

function b45decode(text) {
  const v = [];
  for (const ch of text) {
    const i = B45.indexOf(ch);
    if (i < 0) throw new Error("not base45");
    v.push(i);
  }
  const out = [];
  for (let i = 0; i < v.length; i += 3) {
    const c = v.slice(i, i + 3);
    if (c.length === 3) {
      const n = c[0] + c[1] * 45 + c[2] * 2025;
      if (n > 0xffff) throw new Error("base45 out of range");
      out.push(n >> 8, n & 0xff);
    } else if (c.length === 2) {
      const n = c[0] + c[1] * 45;
      if (n > 0xff) throw new Error("base45 out of range");
      out.push(n);
    } else throw new Error("base45 length");
  }
  return new Uint8Array(out);
}

function b64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// base64url without padding, refused unless canonical (no stray bits): keys.unb64.
function unb64(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  let s;
  try {
    s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  } catch (e) {
    throw new Error("not base64url");
  }
  const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (b64(bytes) !== text) throw new Error("base64url is not canonical");
  return bytes;
}

const utf8 = new TextEncoder();
const ascii = (s) => utf8.encode(s);

// RFC 8785 for the values a protocol holds (strings, integers, null, booleans, arrays,
// objects): ECMAScript's own serialisation with keys in UTF-16 code-unit order.
function canonical(v) {
  if (v === null || typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error("number out of range");
    return JSON.stringify(v);
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  if (typeof v === "object") {
    return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canonical(v[k])).join(",") + "}";
  }
  throw new Error("not JSON");
}
const canonicalBytes = (v) => utf8.encode(canonical(v));

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function sha256hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}
const keyId = async (raw) => (await sha256hex(raw)).slice(0, 16);

async function inflateRaw(blob) {
  const stream = new Blob([blob]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_EXPANDED) {
      reader.cancel();
      throw new Error("truncated or too large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// --- Ed25519: the browser's WebCrypto, else the bundled noble ----------------------------

let ENGINE = null;
async function engine() {
  if (ENGINE) return ENGINE;
  const forced = new URLSearchParams(location.hash.slice(1)).get("engine");
  if (forced !== "noble") {
    try {
      // RFC 8032 test vector 1: the browser must verify it to be trusted with the rest.
      const pub = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
      const sig = hex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
      );
      const key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, sig, new Uint8Array(0))) {
        ENGINE = {
          name: "WebCrypto",
          verify: async (pubRaw, sigRaw, msg) => {
            const k = await crypto.subtle.importKey("raw", pubRaw, { name: "Ed25519" }, false, ["verify"]);
            return crypto.subtle.verify({ name: "Ed25519" }, k, sigRaw, msg);
          },
        };
        return ENGINE;
      }
    } catch (e) {
      /* not supported: fall back */
    }
  }
  ENGINE = {
    name: "@noble/ed25519 " + CONFIG.noble_version,
    verify: async (pubRaw, sigRaw, msg) => {
      try {
        return await NOBLE.verifyAsync(sigRaw, msg, pubRaw, { zip215: false });
      } catch (e) {
        return false;
      }
    },
  };
  return ENGINE;
}

function hex(s) {
  return Uint8Array.from(s.match(/../g), (h) => parseInt(h, 16));
}

// --- QR parts: compact.join -------------------------------------------------------------

async function joinParts(texts) {
  const groups = new Map();
  for (const text of texts) {
    const m = PART.exec(text);
    if (!m) continue;
    const index = +m[1], count = +m[2], ident = m[3];
    if (!(index >= 1 && index <= count)) continue;
    let piece;
    try {
      piece = b45decode(m[4]);
    } catch (e) {
      continue;
    }
    const key = ident + ":" + count;
    if (!groups.has(key)) groups.set(key, { ident, count, pieces: new Map() });
    groups.get(key).pieces.set(index, piece);
  }
  const blobs = [];
  const missing = [];
  for (const g of [...groups.values()].sort((a, b) => (a.ident + a.count < b.ident + b.count ? -1 : 1))) {
    if (g.pieces.size !== g.count) {
      const absent = [];
      for (let i = 1; i <= g.count; i++) if (!g.pieces.has(i)) absent.push(i);
      missing.push(`${g.ident}: ${g.pieces.size} of ${g.count} (missing ${absent.join(", ")})`);
      continue;
    }
    const parts = [];
    for (let i = 1; i <= g.count; i++) parts.push(g.pieces.get(i));
    const blob = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      blob.set(p, at);
      at += p.length;
    }
    if ((await sha256hex(blob)).slice(0, 8).toUpperCase() !== g.ident) {
      throw new Refused("protocol_malformed", `QR parts of ${g.ident} do not fit together`);
    }
    blobs.push(blob);
  }
  if (missing.length) throw new Refused("protocol_qr_unreadable", missing.join("; "));
  return blobs;
}

// compact.from_binary: the parts back into the signed document's fields.
async function fromBinary(blob) {
  try {
    let raw;
    try {
      raw = await inflateRaw(blob);
    } catch (e) {
      throw new Error(e.message && e.message.includes("too large") ? e.message : "not deflate data");
    }
    const inner = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
    if (!sameBytes(canonicalBytes(inner), raw)) throw new Error("not canonical");
    if (!inner || !Array.isArray(inner.e) || inner.e.length !== 3 || !Array.isArray(inner.s) || !("p" in inner)) {
      throw new Error("shape");
    }
    const [eh, ep, es] = inner.e;
    for (const s of inner.s) if (!Array.isArray(s) || s.length !== 2) throw new Error("shape");
    return {
      payload: b64(canonicalBytes(inner.p)),
      signatures: inner.s.map(([h, s]) => ({ protected: b64(canonicalBytes(h)), signature: s })),
      enrolment: { payload: b64(canonicalBytes(ep)), protected: b64(canonicalBytes(eh)), signature: es },
    };
  } catch (e) {
    if (e instanceof Refused) throw e;
    throw new Refused("protocol_malformed", "QR content: " + e.message);
  }
}

// --- signed.py ---------------------------------------------------------------------------

function field(obj, name, what, code) {
  try {
    return unb64(obj[name]);
  } catch (e) {
    throw new Refused(code || "protocol_malformed", `${what}.${name}: ${e.message}`);
  }
}

function canonicalJson(bytes, what, code) {
  let obj;
  try {
    obj = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new Refused(code || "protocol_malformed", `${what}: not JSON`);
  }
  if (!sameBytes(canonicalBytes(obj), bytes)) {
    throw new Refused(code || "protocol_malformed", `${what}: not in canonical form`);
  }
  return obj;
}

const isObj = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const sameKeys = (o, keys) => isObj(o) && Object.keys(o).sort().join("|") === [...keys].sort().join("|");

async function verifyEnrolment(jws) {
  const bad = (d) => new Refused("protocol_enrolment_bad", d);
  if (!sameKeys(jws, ["payload", "protected", "signature"])) throw bad("not a flattened JWS");
  const protectedB = field(jws, "protected", "enrolment", "protocol_malformed");
  const payloadB = field(jws, "payload", "enrolment", "protocol_malformed");
  const sig = field(jws, "signature", "enrolment", "protocol_malformed");
  const header = canonicalJson(protectedB, "enrolment header");
  if (!isObj(header) || header.alg !== "Ed25519" || header.cty !== "sanaq.enrolment+json") throw bad("header");
  if (typeof header.kid !== "string" || header.kid !== CONFIG.hq.kid) {
    throw bad(`not signed by the headquarters key built into this page (kid ${JSON.stringify(header.kid)}, page ${CONFIG.hq.kid})`);
  }
  const eng = await engine();
  if (!(await eng.verify(unb64(CONFIG.hq.key), sig, ascii(`${jws.protected}.${jws.payload}`)))) {
    throw bad("headquarters signature does not verify");
  }
  const raw = canonicalJson(payloadB, "enrolment");
  // Enrolment.from_json
  let e;
  try {
    if (!isObj(raw) || raw.format !== "sanaq.enrolment/1") throw new Error("format");
    if (!sameKeys(raw, ["format", "election_hash", "station", "device", "members"])) throw new Error("unexpected fields");
    if (typeof raw.election_hash !== "string" || typeof raw.station !== "string") throw new Error("unexpected fields");
    if (!Array.isArray(raw.members)) throw new Error("members");
    const members = raw.members.map((m) => {
      if (!sameKeys(m, ["id", "role", "key"]) || typeof m.id !== "string" || typeof m.role !== "string") {
        throw new Error("unexpected fields");
      }
      return { id: m.id, role: m.role, key: unb64(m.key) };
    });
    e = { election_hash: raw.election_hash, station: raw.station, device: unb64(raw.device), members };
    for (const k of [e.device, ...members.map((m) => m.key)]) {
      if (k.length !== 32) throw new Error("An Ed25519 public key is 32 bytes long");
    }
  } catch (err) {
    throw bad("enrolment: " + err.message);
  }
  const ids = e.members.map((m) => m.id);
  const keys = [...e.members.map((m) => b64(m.key)), b64(e.device)];
  if (new Set(ids).size !== ids.length || new Set(keys).size !== keys.length) {
    throw bad("a member id or key appears twice");
  }
  if (e.members.some((m) => !ROLES.includes(m.role)) || ids.includes("device")) throw bad("unknown role or reserved id");
  for (const role of ["chair", "secretary"]) {
    if (e.members.filter((m) => m.role === role).length !== 1) throw bad(`the roster needs exactly one ${role}`);
  }
  return e;
}

const LIMIT = 10000000;
function int(x) {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > LIMIT) {
    throw new Error(`expected a whole number 0..${LIMIT}`);
  }
  return x;
}
function str(x) {
  if (typeof x !== "string") throw new Error("expected a string");
  return x;
}

// model.Protocol.from_json
function parseProtocol(raw) {
  try {
    if (!isObj(raw) || raw.format !== "sanaq.protocol/1") throw new Error("format");
    const keys = ["format", "election_hash", "station", "contest", "style", "version", "replaces", "lines",
      "ratios", "commission_decided", "chain_head", "software"];
    const rep = raw.replaces;
    const replaces = rep === null || rep === undefined ? rep : { version: int(rep.version), sha256: str(rep.sha256), reason: str(rep.reason) };
    if (!Array.isArray(raw.lines) || !Array.isArray(raw.ratios)) throw new Error("lines");
    const lines = raw.lines.map((l) => {
      if (!Array.isArray(l) || l.length !== 3) throw new Error("line");
      return [str(l[0]), str(l[1]), int(l[2])];
    });
    const ratios = raw.ratios.map((r) => {
      if (!Array.isArray(r) || r.length !== 4 || !Array.isArray(r[1]) || !Array.isArray(r[3])) throw new Error("ratio");
      if (!["=", ">=", "<="].includes(r[2])) throw new Error(`unknown ratio operator ${JSON.stringify(r[2])}`);
      return [str(r[0]), r[1].map(str), r[2], r[3].map(str)];
    });
    const p = {
      election_hash: str(raw.election_hash), station: str(raw.station), contest: str(raw.contest),
      style: str(raw.style), lines, ratios, commission_decided: int(raw.commission_decided),
      chain_head: str(raw.chain_head), software: str(raw.software), version: int(raw.version), replaces,
    };
    if (!sameKeys(raw, keys)) throw new Error("unknown or missing keys");
    const ids = lines.map((l) => l[1]);
    if (new Set(ids).size !== ids.length || new Set(ratios.map((r) => r[0])).size !== ratios.length) {
      throw new Error("a line or ratio id appears twice");
    }
    return p;
  } catch (e) {
    throw new Refused("protocol_malformed", "payload: " + e.message);
  }
}

function checkRatios(p) {
  const values = Object.fromEntries(p.lines.map((l) => [l[1], l[2]]));
  return p.ratios.map(([id, left, op, right]) => {
    const sum = (ids) =>
      ids.reduce((n, i) => {
        if (!(i in values)) throw new Refused("protocol_malformed", `ratio ${id} names unknown line '${i}'`);
        return n + values[i];
      }, 0);
    const a = sum(left), b = sum(right), d = a - b;
    return { id, left, op, right, left_sum: a, right_sum: b, difference: d, ok: op === "=" ? d === 0 : op === ">=" ? d >= 0 : d <= 0 };
  });
}

// signed.verify_document (require_final), then the form when this page carries the package.
async function verifyDocument(doc) {
  const enrolment = await verifyEnrolment(doc.enrolment);
  const payloadBytes = field(doc, "payload", "protocol");
  const p = parseProtocol(canonicalJson(payloadBytes, "protocol"));
  if (p.election_hash !== enrolment.election_hash || p.station !== enrolment.station) {
    throw new Refused("protocol_enrolment_mismatch", `station ${p.station}`);
  }
  if (!Array.isArray(doc.signatures) || !doc.signatures.length) throw new Refused("protocol_unsigned", "no signatures");
  const eng = await engine();
  const infos = [];
  const seen = new Set();
  for (const [n, s] of doc.signatures.entries()) {
    const header = canonicalJson(field(s, "protected", `signature ${n}`), `signature ${n} header`);
    const sig = field(s, "signature", `signature ${n}`);
    if (!isObj(header) || header.alg !== "Ed25519" || header.cty !== "sanaq.protocol+json") {
      throw new Refused("protocol_malformed", `signature ${n}: header`);
    }
    const allowed = ["alg", "cty", "kid", "sanaq.signer", "sanaq.vote", "sanaq.note"];
    if (Object.keys(header).some((k) => !allowed.includes(k))) {
      throw new Refused("protocol_malformed", `signature ${n}: unknown header fields`);
    }
    const signer = header["sanaq.signer"], vote = header["sanaq.vote"], note = header["sanaq.note"];
    if (!["approve", "dissent"].includes(vote) || (note !== undefined && note !== null && typeof note !== "string")) {
      throw new Refused("protocol_malformed", `signature ${n}: vote`);
    }
    let role, key;
    if (signer === "device") {
      role = "device";
      key = enrolment.device;
    } else {
      const m = typeof signer === "string" ? enrolment.members.find((x) => x.id === signer) : undefined;
      if (!m) throw new Refused("protocol_unknown_signer", `${JSON.stringify(signer)} is not on the roster`);
      role = m.role;
      key = m.key;
    }
    if (header.kid !== (await keyId(key))) throw new Refused("protocol_unknown_signer", `${signer}: key is not the enrolled one`);
    if (seen.has(signer)) throw new Refused("protocol_malformed", `${signer} signed twice`);
    seen.add(signer);
    if (!(await eng.verify(key, sig, ascii(`${s.protected}.${doc.payload}`)))) {
      throw new Refused("protocol_bad_signature", `${signer}`);
    }
    infos.push({ signer, role, vote, note: note ?? null });
  }
  const ratios = checkRatios(p);
  const bad = ratios.filter((r) => !r.ok);
  if (bad.length) {
    throw new Refused("protocol_ratio_failed",
      bad.map((r) => `${r.id}: ${r.left_sum} ${r.op} ${r.right_sum} (difference ${r.difference})`).join("; "));
  }
  const approved = new Set(infos.filter((i) => i.vote === "approve").map((i) => i.role));
  const missing = ["device", "chair", "secretary"].filter((r) => !approved.has(r));
  if (missing.length) throw new Refused("protocol_unsigned", `no approval by ${missing.join(", ")}`);
  const pkg = CONFIG.packages.find((k) => k.election_hash === p.election_hash);
  const form = pkg ? pkg.contests[p.contest] : undefined;
  if (pkg) {
    const fl = form ? form.lines.map((l) => [l.number, l.id]) : null;
    const fr = form ? form.ratios.map((r) => [r.id, r.left, r.op, r.right]) : null;
    if (!form || canonical(fl) !== canonical(p.lines.map((l) => [l[0], l[1]])) || canonical(fr) !== canonical(p.ratios)) {
      throw new Refused("protocol_form_mismatch", p.contest);
    }
  }
  return { protocol: p, digest: await sha256hex(payloadBytes), enrolment, signatures: infos, ratios, pkg, form, engine: eng.name };
}

// --- reading QR codes from images -----------------------------------------------------------

function scanRegion(ctx, x0, y0, w, h, found) {
  // jsQR finds one code at a time: each code found is painted over and the region read again.
  // Returns the largest code's width found, in pixels.
  let span = 0;
  for (let k = 0; k < 12; k++) {
    const img = ctx.getImageData(x0, y0, w, h);
    const code = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
    if (!code) break;
    if (code.data) found.add(code.data);
    const l = code.location;
    const pts = [l.topLeftCorner, l.topRightCorner, l.bottomRightCorner, l.bottomLeftCorner];
    const cx = pts.reduce((n, q) => n + q.x, 0) / 4, cy = pts.reduce((n, q) => n + q.y, 0) / 4;
    span = Math.max(span, Math.hypot(pts[1].x - pts[0].x, pts[1].y - pts[0].y));
    ctx.fillStyle = "#fff";
    ctx.beginPath();
    pts.forEach((q, i) => {
      const x = x0 + cx + (q.x - cx) * 1.25, y = y0 + cy + (q.y - cy) * 1.25;
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.closePath();
    ctx.fill();
  }
  return span;
}

function scanCanvas(canvas, found) {
  // The whole picture, then overlapping windows: with several codes in view jsQR often pairs
  // finder patterns of different codes and reads none, so each window holds about one code.
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const W = canvas.width, H = canvas.height;
  const before = found.size;
  const done = () => found.size > before && complete(found);
  const span = scanRegion(ctx, 0, 0, W, H, found);
  if (done()) return true;
  // A code that fills most of the picture: a photo of that one code, nothing else to find.
  if (span > 0.55 * Math.min(W, H)) return true;
  for (const share of [0.6, 0.45, 0.36]) {
    const side = Math.round(Math.min(W, H) * share);
    const step = Math.max(1, Math.round(side / 4));
    for (let y = 0; y < H; y += step) {
      for (let x = 0; x < W; x += step) {
        scanRegion(ctx, Math.min(x, W - side), Math.min(y, H - side), Math.min(side, W), Math.min(side, H), found);
        if (done()) return true;
        if (x + side >= W) break;
      }
      if (y + side >= H) break;
    }
  }
  return false;
}

function complete(found) {
  const seen = new Map();
  for (const t of found) {
    const m = PART.exec(t);
    if (!m) continue;
    const k = m[3] + ":" + m[2];
    if (!seen.has(k)) seen.set(k, { count: +m[2], idx: new Set() });
    seen.get(k).idx.add(+m[1]);
  }
  return seen.size > 0 && [...seen.values()].every((g) => g.idx.size === g.count);
}

async function scanBitmap(bitmap, found) {
  // At up to 2000 px on the long side, then smaller: jsQR misses some codes at some scales.
  const long = Math.max(bitmap.width, bitmap.height);
  for (const size of [2000, 1300, 900]) {
    const scale = Math.min(1, size / long);
    const c = document.createElement("canvas");
    c.width = Math.round(bitmap.width * scale);
    c.height = Math.round(bitmap.height * scale);
    c.getContext("2d", { willReadFrequently: true }).drawImage(bitmap, 0, 0, c.width, c.height);
    if (scanCanvas(c, found)) break;
  }
}

// --- the page ----------------------------------------------------------------------------

const S = {
  texts: new Set(),
  files: [],
  unreadable: [],
};
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function msg(code) {
  return CONFIG.messages[code] || { kk: code, ru: code, en: code };
}

async function handleFiles(files) {
  setStatus("busy");
  for (const f of files) {
    try {
      const bitmap = await createImageBitmap(f);
      await scanBitmap(bitmap, S.texts);
      S.files.push(f.name);
    } catch (e) {
      S.files.push(f.name);
      S.unreadable.push(f.name);
    }
  }
  await evaluate();
}

async function evaluate() {
  const out = $("result");
  const parts = [...S.texts].filter((t) => PART.test(t));
  $("parts").textContent = `${S.files.length} · ${parts.length}`;
  const unreadable = S.unreadable.length
    ? `<p class="warn">Сурет ашылмады · Не удалось открыть изображение: ${esc(S.unreadable.join(", "))}</p>` : "";
  if (!parts.length) {
    document.body.dataset.verdict = "none";
    out.innerHTML = verdictBox("none", "protocol_qr_unreadable", "no protocol QR code found") + unreadable;
    setStatus("done");
    return;
  }
  const results = [];
  let blobs;
  try {
    blobs = await joinParts(parts);
  } catch (e) {
    results.push({ ok: false, code: e.code || "protocol_malformed", detail: e.message });
    blobs = [];
  }
  for (const blob of blobs) {
    try {
      const doc = await fromBinary(blob);
      results.push({ ok: true, v: await verifyDocument(doc) });
    } catch (e) {
      results.push({ ok: false, code: e.code || "protocol_malformed", detail: e.message });
    }
  }
  // Within what was scanned: a version that a scanned newer version replaces is not current.
  for (const r of results) {
    if (!r.ok) continue;
    const p = r.v.protocol;
    const newer = results.find((o) => o.ok && o.v.protocol.replaces && o.v.protocol.station === p.station &&
      o.v.protocol.contest === p.contest && o.v.protocol.replaces.sha256 === r.v.digest);
    if (newer) Object.assign(r, { ok: false, code: "protocol_superseded", detail: `v${p.version} replaced by v${newer.v.protocol.version}` });
  }
  const allOk = results.every((r) => r.ok);
  const waiting = results.length === 1 && !results[0].ok && results[0].code === "protocol_qr_unreadable";
  document.body.dataset.verdict = waiting ? "incomplete" : allOk ? "valid" : "invalid";
  out.innerHTML = results.map((r) => (r.ok ? showValid(r.v) : verdictBox(waiting ? "incomplete" : "invalid", r.code, r.detail, null))).join("") + unreadable;
  setStatus("done");
}

function verdictBox(kind, code, detail) {
  const m = msg(code);
  const head = {
    invalid: ["ЖАРАМСЫЗ", "НЕДЕЙСТВИТЕЛЕН", "INVALID"],
    incomplete: ["QR-кодтар толық емес", "Не все QR-коды", "Incomplete"],
    none: ["QR-код табылмады", "QR-код не найден", "No QR code"],
  }[kind];
  const hint = kind === "incomplete" || kind === "none"
    ? `<p class="hint">Қалған беттерді суретке түсіріп қосыңыз. · Сфотографируйте и добавьте остальные страницы.</p>` : "";
  return `<section class="verdict ${kind}" data-code="${esc(code)}">
    <h2><span>✗</span> ${head[0]} · ${head[1]} <small>${head[2]}</small></h2>
    <p class="why"><b>${esc(m.kk)}</b><br><b>${esc(m.ru)}</b><br><span class="en">${esc(m.en)}</span></p>
    <p class="detail"><code>${esc(code)}</code>: ${esc(detail)}</p>${hint}
  </section>`;
}

function percent(v, base) {
  if (!base) return "0.00";
  const h = Math.floor((2 * v * 10000 + base) / (2 * base));
  return `${Math.floor(h / 100)}.${String(h % 100).padStart(2, "0")}`;
}

function showValid(v) {
  const p = v.protocol, form = v.form;
  const titles = new Map((form ? form.lines : []).map((l) => [l.id, l]));
  const rtitles = new Map((form ? form.ratios : []).map((r) => [r.id, r]));
  const optionLines = form ? form.lines.filter((l) => l.option) : [];
  const base = optionLines.reduce((n, l) => n + p.lines.find((x) => x[1] === l.id)[2], 0);
  const rows = p.lines.map(([num, id, val]) => {
    const t = titles.get(id);
    const share = t && t.option ? `<td class="num">${percent(val, base)}%</td>` : `<td></td>`;
    return `<tr data-line="${esc(id)}"><td>${esc(num)}</td><td>${t ? esc(t.kk) : `<code>${esc(id)}</code>`}</td><td>${t ? esc(t.ru) : ""}</td><td class="num val">${val}</td>${share}</tr>`;
  }).join("");
  const ratios = v.ratios.map((r) => {
    const t = rtitles.get(r.id);
    const title = !t ? `<code>${esc(r.id)}</code>` : t.kk === t.ru ? esc(t.kk) : esc(t.kk) + "<br>" + esc(t.ru);
    return `<tr><td>✓</td><td>${title}</td><td class="num">${r.left_sum} ${esc(r.op)} ${r.right_sum}</td></tr>`;
  }).join("");
  const unsigned = v.enrolment.members.filter((m) => !v.signatures.some((s) => s.signer === m.id))
    .map((m) => ({ signer: m.id, role: m.role, vote: null, note: null }));
  const sigs = [...v.signatures, ...unsigned].map((s) => {
    const rn = ROLE_NAMES[s.role] || [s.role, s.role];
    const vn = VOTE_NAMES[s.vote];
    return `<tr><td>${esc(rn[0])} · ${esc(rn[1])}</td><td>${esc(s.signer)}</td><td>${esc(vn[0])} · ${esc(vn[1])}${s.note ? `<br><i>${esc(s.note)}</i>` : ""}</td></tr>`;
  }).join("");
  const contest = form ? `${esc(form.title.kk)} · ${esc(form.title.ru)}` : `<code>${esc(p.contest)}</code>`;
  const station = v.pkg && v.pkg.stations[p.station] ? `${esc(v.pkg.stations[p.station].kk)} · ${esc(v.pkg.stations[p.station].ru)}` : "";
  const formNote = form
    ? `<li>✓ Хаттама нысаны сайлау пакетіне сәйкес · Форма протокола соответствует пакету выборов</li>`
    : `<li class="warn">! Бұл бетте осы сайлаудың пакеті жоқ: жолдардың атаулары мен нысаны тексерілмеді · На этой странице нет пакета этих выборов: названия строк и форма не проверены</li>`;
  const replaces = p.replaces ? `<p class="warn">Бұл ${p.version}-нұсқа, ${p.replaces.version}-нұсқаның орнына · Это версия ${p.version} вместо версии ${p.replaces.version}: ${esc(p.replaces.reason)}</p>` : "";
  return `<section class="verdict valid" data-code="ok">
    <h2><span>✓</span> ЖАРАМДЫ · ДЕЙСТВИТЕЛЕН <small>VALID</small></h2>
    <p class="why">Барлық қолтаңба мен бақылау арақатынастары тексерілді. · Все подписи и контрольные соотношения проверены.</p>
    <dl>
      <dt>Учаске · Участок</dt><dd>${esc(p.station)} ${station}</dd>
      <dt>Сайлау · Выборы</dt><dd>${contest}</dd>
      <dt>Бюллетень түрі · Тип бюллетеня</dt><dd><code>${esc(p.style)}</code>, нұсқа · версия ${p.version}</dd>
      <dt>Комиссия шешкен бюллетеньдер · Решено комиссией</dt><dd>${p.commission_decided}</dd>
    </dl>${replaces}
    <table class="lines"><thead><tr><th>№</th><th>Қазақша</th><th>По-русски</th><th class="num">Саны · Число</th><th class="num">%</th></tr></thead><tbody>${rows}</tbody></table>
    <h3>Бақылау арақатынастары · Контрольные соотношения</h3>
    <table class="ratios"><tbody>${ratios}</tbody></table>
    <h3>Қолтаңбалар · Подписи</h3>
    <table class="sigs"><tbody>${sigs}</tbody></table>
    <h3>Тексерілді · Проверено</h3>
    <ul class="checks">
      <li>✓ Бас штабтың кілті · Ключ штаба: <code>${esc(CONFIG.hq.kid)}</code> (${esc(CONFIG.hq.label)})</li>
      <li>✓ Тіркеу (құрылғы кілті мен комиссия құрамы) · Регистрация (ключ устройства и состав комиссии)</li>
      <li>✓ ${v.signatures.length} қолтаңба · подписей (Ed25519, ${esc(v.engine)})</li>
      <li>✓ Құрылғы, төраға және хатшы мақұлдады · Одобрено устройством, председателем и секретарём</li>
      <li>✓ ${v.ratios.length} арақатынас · соотношений</li>
      ${formNote}
      <li class="warn">! Жаңа нұсқаның бар-жоғын бұл бет біле алмайды · Есть ли более новая версия, эта страница знать не может</li>
    </ul>
    <p class="small">SHA-256 <code>${esc(v.digest)}</code><br>chain <code>${esc(p.chain_head)}</code> · ${esc(p.software)}</p>
  </section>`;
}

function setStatus(s) {
  $("status").textContent = s === "busy" ? "Оқып жатыр… · Читаю…" : "";
  document.body.dataset.state = s;
}

// --- camera ----------------------------------------------------------------------------

let stream = null;
async function startCamera() {
  const video = $("video");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (e) {
    $("status").textContent = "Камера қолжетімсіз · Камера недоступна: " + e.message;
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const c = document.createElement("canvas");
  const tick = async () => {
    if (!stream) return;
    if (video.videoWidth) {
      c.width = video.videoWidth;
      c.height = video.videoHeight;
      c.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0);
      const n = S.texts.size;
      scanCanvas(c, S.texts);
      if (S.texts.size !== n) {
        if (!S.files.includes("camera")) S.files.push("camera");
        await evaluate();
        if (document.body.dataset.verdict === "valid" || document.body.dataset.verdict === "invalid") stopCamera();
      }
    }
    setTimeout(tick, 250);
  };
  tick();
}
function stopCamera() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
  $("video").hidden = true;
}

function init() {
  $("hqkid").textContent = CONFIG.hq.kid;
  $("hqlabel").textContent = CONFIG.hq.label;
  $("devkey").hidden = !CONFIG.hq.development;
  const missing = [];
  if (!window.crypto || !crypto.subtle) missing.push("WebCrypto (SHA-256)");
  if (typeof DecompressionStream === "undefined") missing.push("DecompressionStream (deflate-raw)");
  if (missing.length) {
    $("result").innerHTML = `<section class="verdict invalid" data-code="browser"><h2>Браузер тексере алмайды · Браузер не может проверить</h2><p>${esc(missing.join(", "))}</p></section>`;
    document.body.dataset.verdict = "unsupported";
    return;
  }
  $("file").addEventListener("change", (ev) => handleFiles([...ev.target.files]));
  $("camera").addEventListener("click", () => (stream ? stopCamera() : startCamera()));
  $("reset").addEventListener("click", () => {
    S.texts.clear();
    S.files = [];
    S.unreadable = [];
    $("file").value = "";
    $("result").innerHTML = "";
    $("parts").textContent = "0 · 0";
    document.body.dataset.verdict = "";
  });
  engine().then((e) => {
    $("engine").textContent = e.name;
    document.body.dataset.ready = "1";
  });
}
init();
