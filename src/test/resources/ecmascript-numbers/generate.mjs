// Generates the reference for EcmaScriptNumberVectorsTest: doubles from a seeded SplitMix64
// stream, each written by ECMAScript's own Number.prototype.toString (String(x)).
//
//   node generate.mjs            -> prints the SHA-256 of all lines and rewrites excerpt.txt
//
// Every line is "<16 hex digits of the IEEE 754 bits> <String(x)>\n". The Java test draws the same
// doubles from the same seed (EcmaScriptNumberVectorsTest.Draws mirrors draw() below), formats each
// with the service's formatter, and compares the SHA-256 of its lines with sha256.txt; excerpt.txt
// (the first EXCERPT lines) shows what differs when the hash does not match.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 0x8785n;          // RFC 8785
const COUNT = 100000;
const EXCERPT = 2000;
const MASK = (1n << 64n) - 1n;

let state = SEED;
function next() {              // SplitMix64 (Steele, Lea, Flood 2014), as java.util.SplittableRandom
  state = (state + 0x9e3779b97f4a7c15n) & MASK;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

const view = new DataView(new ArrayBuffer(8));
function fromBits(bits) { view.setBigUint64(0, bits); return view.getFloat64(0); }
function toBits(x) { view.setFloat64(0, x); return view.getBigUint64(0); }

// Four kinds, so the short decimals people write and the edges get their share, not only the
// 17-digit values uniform bit patterns give.
function draw() {
  for (;;) {                   // a decimal beyond the largest double is Infinity, which JSON cannot hold
    const x = drawAny();
    if (Number.isFinite(x)) return x;
  }
}

function drawAny() {
  const r = next();
  switch (Number(r % 4n)) {
    case 0: {                  // any finite bit pattern
      let bits = next();
      while (((bits >> 52n) & 0x7ffn) === 0x7ffn) bits = next();
      return fromBits(bits);
    }
    case 1: {                  // a decimal with 1 to 17 digits and exponent -340..320
      const digits = Number(next() % 17n) + 1;
      const mantissa = next() % (10n ** BigInt(digits));
      const exponent = Number(next() % 661n) - 340;
      const sign = (next() & 1n) ? '-' : '';
      return Number(`${sign}${mantissa}e${exponent}`);
    }
    case 2: {                  // an integer of up to 64 bits (2^53 and beyond)
      const shift = next() % 64n;
      return Number(next() >> shift);
    }
    default: {                 // subnormals and the largest exponents
      const exponents = [0n, 1n, 0x7fen, 0x7fdn];
      const exponent = exponents[Number(next() % 4n)];
      const sign = next() & 1n;
      return fromBits((sign << 63n) | (exponent << 52n) | (next() & ((1n << 52n) - 1n)));
    }
  }
}

const hash = createHash('sha256');
const excerpt = [];
for (let i = 0; i < COUNT; i++) {
  const x = draw();
  const line = `${toBits(x).toString(16).padStart(16, '0')} ${String(x)}\n`;
  hash.update(line);
  if (i < EXCERPT) excerpt.push(line);
}
const here = dirname(fileURLToPath(import.meta.url));
const digest = hash.digest('hex');
writeFileSync(join(here, 'excerpt.txt'), excerpt.join(''));
writeFileSync(join(here, 'sha256.txt'), `${digest}  seed=0x8785 count=${COUNT} node=${process.version}\n`);
console.log(digest);
