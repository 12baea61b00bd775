// MD5 and SHA-256 of a file's bytes in the browser, fed a chunk at a time so that a large video
// never has to be held in memory whole. WebCrypto has SHA-256 but no MD5 and no streaming, and it
// is missing on plain-HTTP pages, so both are written here from their specifications:
// MD5 from RFC 1321 (https://www.rfc-editor.org/rfc/rfc1321, read 2026-12-02) and SHA-256 from
// FIPS 180-4 (https://doi.org/10.6028/NIST.FIPS.180-4, read 2026-12-02). Tests compare both with
// Python's hashlib on the same bytes.
(function (root) {
  "use strict";

  // A digest over 64-byte blocks with the length padding both algorithms share (bigEndian: SHA).
  function Blocks(compress, bigEndian) {
    this.compress = compress;
    this.bigEndian = bigEndian;
    this.buf = new Uint8Array(64);
    this.used = 0;
    this.bytes = 0;
    this.words = new Int32Array(16);
  }
  Blocks.prototype.block = function (b, off) {
    var w = this.words;
    for (var i = 0; i < 16; i++, off += 4) {
      w[i] = this.bigEndian
        ? (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]
        : b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24);
    }
    this.compress(w);
  };
  Blocks.prototype.update = function (data) {
    var i = 0, n = data.length;
    this.bytes += n;
    if (this.used) {
      while (i < n && this.used < 64) { this.buf[this.used++] = data[i++]; }
      if (this.used < 64) { return this; }
      this.block(this.buf, 0);
      this.used = 0;
    }
    for (; i + 64 <= n; i += 64) { this.block(data, i); }
    while (i < n) { this.buf[this.used++] = data[i++]; }
    return this;
  };
  Blocks.prototype.finish = function () {
    var bits = this.bytes * 8, pad = new Uint8Array(((this.used < 56 ? 56 : 120) - this.used) + 8);
    pad[0] = 0x80;
    var hi = Math.floor(bits / 4294967296), lo = bits >>> 0, end = pad.length - 8;
    for (var i = 0; i < 4; i++) {
      if (this.bigEndian) {
        pad[end + i] = (hi >>> (24 - 8 * i)) & 255;
        pad[end + 4 + i] = (lo >>> (24 - 8 * i)) & 255;
      } else {
        pad[end + i] = (lo >>> (8 * i)) & 255;
        pad[end + 4 + i] = (hi >>> (8 * i)) & 255;
      }
    }
    var bytes = this.bytes;
    this.update(pad);
    this.bytes = bytes;
  };

  function hex32(v, littleEndian) {
    var s = "";
    for (var i = 0; i < 4; i++) {
      var byte = littleEndian ? (v >>> (8 * i)) & 255 : (v >>> (24 - 8 * i)) & 255;
      s += (byte + 256).toString(16).slice(1);
    }
    return s;
  }

  // ---------------------------------------------------------------- MD5 (RFC 1321)
  var MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  var MD5_K = new Int32Array(64);
  for (var k = 0; k < 64; k++) { MD5_K[k] = Math.floor(Math.abs(Math.sin(k + 1)) * 4294967296) | 0; }

  function MD5() {
    var h = this.h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
    Blocks.call(this, function (w) {
      var a = h[0], b = h[1], c = h[2], d = h[3];
      for (var i = 0; i < 64; i++) {
        var fv, g, r = i >> 4;
        if (r === 0) { fv = (b & c) | (~b & d); g = i; }
        else if (r === 1) { fv = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
        else if (r === 2) { fv = b ^ c ^ d; g = (3 * i + 5) & 15; }
        else { fv = c ^ (b | ~d); g = (7 * i) & 15; }
        var t = d, s = MD5_S[(r << 2) | (i & 3)], x = (a + fv + MD5_K[i] + w[g]) | 0;
        d = c; c = b; b = (b + ((x << s) | (x >>> (32 - s)))) | 0; a = t;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    }, false);
  }
  MD5.prototype = Object.create(Blocks.prototype);
  MD5.prototype.hex = function () {
    this.finish();
    return hex32(this.h[0], true) + hex32(this.h[1], true) + hex32(this.h[2], true) + hex32(this.h[3], true);
  };

  // ---------------------------------------------------------------- SHA-256 (FIPS 180-4)
  var SHA_K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);

  function SHA256() {
    var h = this.h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    var m = new Int32Array(64);
    Blocks.call(this, function (w) {
      var i, t1, t2;
      for (i = 0; i < 16; i++) { m[i] = w[i]; }
      for (; i < 64; i++) {
        var x = m[i - 15], y = m[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        m[i] = (m[i - 16] + s0 + m[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        t1 = (hh + S1 + ((e & f) ^ (~e & g)) + SHA_K[i] + m[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }, true);
  }
  SHA256.prototype = Object.create(Blocks.prototype);
  SHA256.prototype.hex = function () {
    this.finish();
    var s = "";
    for (var i = 0; i < 8; i++) { s += hex32(this.h[i], false); }
    return s;
  };

  var api = { MD5: MD5, SHA256: SHA256 };
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.CounterspellDigests = api; }
})(typeof self !== "undefined" ? self : this);
