// PDQ perceptual hashes computed in the browser, so that a picture never leaves the device.
//
// Written for Counterspell from the published algorithm (Meta's PDQ: "The TMK+PDQF Video-Hashing
// Algorithm and the PDQ Image Similarity Algorithm", pdqhash-2017-10-09.pdf, and the reference
// code facebook/ThreatExchange pdq/cpp/hashing/pdqhashing.cpp and downscaling.cpp, read
// 2026-12-02). The server hashes images with the `pdqhash` package (that C++ code in 32-bit
// floats) after Pillow's `thumbnail((512, 512))`, as the reference's Python hasher
// (pdq/python/pdqhashing/hasher/pdq_hasher.py) does; to agree bit for bit this file repeats both:
//   * every float operation of the C++ code is rounded to 32 bits (Math.fround), in its order;
//   * the reduction to 512 px is Pillow's bicubic resampling in its fixed-point arithmetic
//     (python-pillow/Pillow src/libImaging/Resample.c: 22 fractional bits, horizontal pass first,
//     each pass clipped to 0..255) and Pillow's thumbnail size rounding (PIL/Image.py thumbnail).
// The EXIF orientation is applied after the reduction, as counterspell.matching.hashing does.
(function (root) {
  "use strict";
  var f = Math.fround;
  var PDQ_INPUT_SIDE = 512;
  var PRECISION_BITS = 22; // Pillow: 32 - 8 - 2
  var ONE = 1 << PRECISION_BITS;

  // ---------------------------------------------------------------- Pillow's thumbnail size
  function thumbnailSize(width, height, side) {
    side = side || PDQ_INPUT_SIDE;
    var x = side, y = side;
    if (x >= width && y >= height) { return null; }
    var aspect = width / height;
    function roundAspect(number, key) {
      var lo = Math.floor(number), hi = Math.ceil(number);
      return Math.max(key(hi) < key(lo) ? hi : lo, 1); // min() keeps the first on a tie
    }
    if (x / y >= aspect) {
      x = roundAspect(y * aspect, function (n) { return Math.abs(aspect - n / y); });
    } else {
      y = roundAspect(x / aspect, function (n) { return n === 0 ? 0 : Math.abs(aspect - x / n); });
    }
    return [x, y];
  }

  // ---------------------------------------------------------------- Pillow's bicubic resampling
  function bicubic(x) {
    var a = -0.5;
    if (x < 0) { x = -x; }
    if (x < 1) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
    if (x < 2) { return (((x - 5) * x + 8) * x - 4) * a; }
    return 0;
  }

  // Coefficients of one axis, as Pillow's precompute_coeffs + normalize_coeffs_8bpc.
  function coefficients(inSize, in0, in1, outSize) {
    var scale = (f(in1) - f(in0)) / outSize;
    var filterscale = scale < 1 ? 1 : scale;
    var support = 2 * filterscale;
    var ksize = Math.ceil(support) * 2 + 1;
    var kk = new Int32Array(outSize * ksize);
    var bounds = new Int32Array(outSize * 2);
    var w = new Float64Array(ksize);
    for (var xx = 0; xx < outSize; xx++) {
      var center = f(in0) + (xx + 0.5) * scale;
      var ss = 1 / filterscale;
      var xmin = Math.trunc(center - support + 0.5);
      if (xmin < 0) { xmin = 0; }
      var xmax = Math.trunc(center + support + 0.5);
      if (xmax > inSize) { xmax = inSize; }
      xmax -= xmin;
      var ww = 0;
      for (var x = 0; x < xmax; x++) {
        w[x] = bicubic((x + xmin - center + 0.5) * ss);
        ww += w[x];
      }
      for (x = 0; x < xmax; x++) {
        var k = ww !== 0 ? w[x] / ww : w[x];
        kk[xx * ksize + x] = Math.trunc(k < 0 ? -0.5 + k * ONE : 0.5 + k * ONE);
      }
      bounds[xx * 2] = xmin;
      bounds[xx * 2 + 1] = xmax;
    }
    return { ksize: ksize, kk: kk, bounds: bounds };
  }

  function clip8(ss) {
    var v = Math.floor(ss / ONE); // an arithmetic shift right by PRECISION_BITS
    return v < 0 ? 0 : v > 255 ? 255 : v;
  }

  // Resize RGB (3 bytes a pixel) from w x h to outW x outH over box [x0, y0, x1, y1] of the input.
  function resizeRGB(src, w, h, outW, outH, box) {
    box = box || [0, 0, w, h];
    var vert = coefficients(h, box[1], box[3], outH);
    var first = vert.bounds[0];
    var last = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];
    var needH = outW !== w || box[0] !== 0 || box[2] !== outW;
    var needV = outH !== h || box[1] !== 0 || box[3] !== outH;
    var img = src, iw = w, ih = h, i, x, y, c;
    var half = 1 << (PRECISION_BITS - 1);
    if (needH) {
      var hor = coefficients(w, box[0], box[2], outW);
      var rows = last - first;
      var tmp = new Uint8Array(outW * rows * 3);
      for (y = 0; y < rows; y++) {
        var inRow = (y + first) * w * 3;
        for (x = 0; x < outW; x++) {
          var xmin = hor.bounds[x * 2], xmax = hor.bounds[x * 2 + 1], ko = x * hor.ksize;
          var s0 = half, s1 = half, s2 = half;
          for (i = 0; i < xmax; i++) {
            var k = hor.kk[ko + i], p = inRow + (xmin + i) * 3;
            s0 += src[p] * k; s1 += src[p + 1] * k; s2 += src[p + 2] * k;
          }
          var o = (y * outW + x) * 3;
          tmp[o] = clip8(s0); tmp[o + 1] = clip8(s1); tmp[o + 2] = clip8(s2);
        }
      }
      for (i = 0; i < outH; i++) { vert.bounds[i * 2] -= first; }
      img = tmp; iw = outW; ih = rows;
    }
    if (!needV) { return img; }
    var out = new Uint8Array(iw * outH * 3);
    for (y = 0; y < outH; y++) {
      var ymin = vert.bounds[y * 2], ymax = vert.bounds[y * 2 + 1], kv = y * vert.ksize;
      for (x = 0; x < iw * 3; x += 3) {
        for (c = 0; c < 3; c++) {
          var s = half;
          for (i = 0; i < ymax; i++) { s += img[(ymin + i) * iw * 3 + x + c] * vert.kk[kv + i]; }
          out[y * iw * 3 + x + c] = clip8(s);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- orientation
  // The EXIF orientation of a JPEG (1..8), or 1. Browsers apply it when they decode.
  function exifOrientation(bytes) {
    var b = bytes;
    if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) { return 1; }
    var p = 2;
    while (p + 4 <= b.length && b[p] === 0xff) {
      var marker = b[p + 1], len = (b[p + 2] << 8) | b[p + 3];
      if (marker === 0xda || marker === 0xd9) { break; }
      if (marker === 0xe1 && len >= 16 && b[p + 4] === 0x45 && b[p + 5] === 0x78 &&
          b[p + 6] === 0x69 && b[p + 7] === 0x66 && b[p + 8] === 0 && b[p + 9] === 0) {
        return tiffOrientation(b, p + 10, Math.min(b.length, p + 2 + len));
      }
      p += 2 + len;
    }
    return 1;
  }

  function tiffOrientation(b, t, end) {
    if (t + 8 > end) { return 1; }
    var le = b[t] === 0x49;
    function u16(o) { return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1]; }
    function u32(o) { return le ? (u16(o) + u16(o + 2) * 65536) : (u16(o) * 65536 + u16(o + 2)); }
    var ifd = t + u32(t + 4);
    if (ifd + 2 > end) { return 1; }
    var n = u16(ifd);
    for (var i = 0; i < n; i++) {
      var e = ifd + 2 + i * 12;
      if (e + 12 > end) { return 1; }
      if (u16(e) === 0x0112) {
        var v = u16(e + 8);
        return v >= 1 && v <= 8 ? v : 1;
      }
    }
    return 1;
  }

  // Apply (forward) or undo (inverse) an EXIF orientation on RGB pixels: {data, width, height}.
  function orient(img, orientation, inverse) {
    if (orientation <= 1 || orientation > 8) { return img; }
    // EXIF 5..8 swap the axes; 6 and 8 are each other's inverse, the others their own.
    if (inverse && (orientation === 6 || orientation === 8)) { orientation = 14 - orientation; }
    var w = img.width, h = img.height, d = img.data;
    var swap = orientation >= 5;
    var ow = swap ? h : w, oh = swap ? w : h;
    var out = new Uint8Array(ow * oh * 3);
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        var nx, ny;
        switch (orientation) {
          case 2: nx = w - 1 - x; ny = y; break;
          case 3: nx = w - 1 - x; ny = h - 1 - y; break;
          case 4: nx = x; ny = h - 1 - y; break;
          case 5: nx = y; ny = x; break;
          case 6: nx = h - 1 - y; ny = x; break;
          case 7: nx = h - 1 - y; ny = w - 1 - x; break;
          default: nx = y; ny = w - 1 - x; break; // 8
        }
        var s = (y * w + x) * 3, o = (ny * ow + nx) * 3;
        out[o] = d[s]; out[o + 1] = d[s + 1]; out[o + 2] = d[s + 2];
      }
    }
    return { data: out, width: ow, height: oh };
  }

  // ---------------------------------------------------------------- PDQ (float32, as the C++)
  var LUMA_R = 0.299, LUMA_G = 0.587, LUMA_B = 0.114;
  var DCT = (function () {
    var m = new Float32Array(16 * 64), scale = f(Math.sqrt(2 / 64));
    for (var i = 0; i < 16; i++) {
      for (var j = 0; j < 64; j++) {
        m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
      }
    }
    return m;
  })();

  // As the pdqhash binding: the luma in 64-bit floats, then stored as 32-bit.
  function lumaOf(rgb, n) {
    var luma = new Float32Array(n);
    for (var i = 0, p = 0; i < n; i++, p += 3) {
      luma[i] = rgb[p] * LUMA_R + rgb[p + 1] * LUMA_G + rgb[p + 2] * LUMA_B;
    }
    return luma;
  }

  function box1D(inv, inOff, outv, outOff, length, stride, window) {
    var half = (window + 2) >> 1;
    var p1 = half - 1, p2 = window - half + 1, p3 = length - window, p4 = half - 1;
    var li = 0, ri = 0, oi = 0, sum = 0, n = 0, i;
    for (i = 0; i < p1; i++) { sum = f(sum + inv[inOff + ri]); n++; ri += stride; }
    for (i = 0; i < p2; i++) {
      sum = f(sum + inv[inOff + ri]); n++;
      outv[outOff + oi] = sum / n; ri += stride; oi += stride;
    }
    for (i = 0; i < p3; i++) {
      sum = f(sum + inv[inOff + ri]); sum = f(sum - inv[inOff + li]);
      outv[outOff + oi] = sum / n; li += stride; ri += stride; oi += stride;
    }
    for (i = 0; i < p4; i++) {
      sum = f(sum - inv[inOff + li]); n--;
      outv[outOff + oi] = sum / n; li += stride; oi += stride;
    }
  }

  function windowSize(dim) { return Math.trunc((dim + 127) / 128); }

  function torben(m) {
    var n = m.length, midn = (n + 1) >> 1, min = m[0], max = m[0], i, v;
    var less, greater, equal, guess, maxlt, mingt;
    for (i = 1; i < n; i++) { v = m[i]; if (v < min) { min = v; } if (v > max) { max = v; } }
    for (;;) {
      guess = f(f(min + max) / 2);
      less = 0; greater = 0; equal = 0; maxlt = min; mingt = max;
      for (i = 0; i < n; i++) {
        v = m[i];
        if (v < guess) { less++; if (v > maxlt) { maxlt = v; } }
        else if (v > guess) { greater++; if (v < mingt) { mingt = v; } }
        else { equal++; }
      }
      if (less <= midn && greater <= midn) { break; }
      if (less > greater) { max = maxlt; } else { min = mingt; }
    }
    if (less >= midn) { return maxlt; }
    if (less + equal >= midn) { return guess; }
    return mingt;
  }

  // PDQ of luma (Float32Array, rows x cols, row-major; overwritten): {hash, quality}.
  function pdqFromLuma(luma, rows, cols) {
    if (rows < 5 || cols < 5) { return { hash: "0".repeat(64), quality: 0 }; }
    var buf = new Float32Array(rows * cols), i, j, k;
    var wr = windowSize(cols), wc = windowSize(rows);
    for (var rep = 0; rep < 2; rep++) {
      for (i = 0; i < rows; i++) { box1D(luma, i * cols, buf, i * cols, cols, 1, wr); }
      for (j = 0; j < cols; j++) { box1D(buf, j, luma, j, rows, cols, wc); }
    }
    var a = new Float32Array(64 * 64);
    for (i = 0; i < 64; i++) {
      var ini = Math.trunc(((i + 0.5) * rows) / 64);
      for (j = 0; j < 64; j++) {
        a[i * 64 + j] = luma[ini * cols + Math.trunc(((j + 0.5) * cols) / 64)];
      }
    }
    var gradient = 0;
    for (i = 0; i < 63; i++) {
      for (j = 0; j < 64; j++) {
        gradient += Math.abs(Math.trunc(f(f(f(a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100) / 255)));
      }
    }
    for (i = 0; i < 64; i++) {
      for (j = 0; j < 63; j++) {
        gradient += Math.abs(Math.trunc(f(f(f(a[i * 64 + j] - a[i * 64 + j + 1]) * 100) / 255)));
      }
    }
    var quality = Math.min(100, Math.trunc(gradient / 90));
    var t = new Float32Array(16 * 64), b = new Float32Array(256), s;
    for (i = 0; i < 16; i++) {
      for (j = 0; j < 64; j++) {
        s = 0;
        for (k = 0; k < 64; k++) { s = f(s + f(DCT[i * 64 + k] * a[k * 64 + j])); }
        t[i * 64 + j] = s;
      }
    }
    for (i = 0; i < 16; i++) {
      for (j = 0; j < 16; j++) {
        s = 0;
        for (k = 0; k < 64; k++) { s = f(s + f(t[i * 64 + k] * DCT[j * 64 + k])); }
        b[i * 16 + j] = s;
      }
    }
    var median = torben(b), hex = "";
    // Bit i*16+j is set when b[i][j] > median; printed as 16 words, word 15 first.
    for (i = 15; i >= 0; i--) {
      var word = 0;
      for (j = 15; j >= 0; j--) { word = (word << 1) | (b[i * 16 + j] > median ? 1 : 0); }
      hex += (word + 0x10000).toString(16).slice(1);
    }
    return { hash: hex, quality: quality };
  }

  // ---------------------------------------------------------------- the whole pipeline
  // RGBA pixels as decoded by the browser (EXIF orientation already applied, as browsers do)
  // -> undo the orientation, reduce to 512 px as Pillow's thumbnail, redo it, flatten any
  // transparency on white, PDQ. `orientation` is exifOrientation() of the file's bytes.
  function pdqFromRGBA(rgba, width, height, orientation) {
    var n = width * height, rgb = new Uint8Array(n * 3), alpha = false;
    for (var i = 0, p = 0, q = 0; i < n; i++, p += 4, q += 3) {
      var a = rgba[p + 3];
      if (a === 255) {
        rgb[q] = rgba[p]; rgb[q + 1] = rgba[p + 1]; rgb[q + 2] = rgba[p + 2];
      } else { // over white, as the server does (there after the reduction: may differ a bit)
        alpha = true;
        for (var c = 0; c < 3; c++) { rgb[q + c] = Math.round((rgba[p + c] * a) / 255 + 255 - a); }
      }
    }
    var img = orient({ data: rgb, width: width, height: height }, orientation, true);
    var size = thumbnailSize(img.width, img.height);
    if (size) {
      img = { data: resizeRGB(img.data, img.width, img.height, size[0], size[1]),
              width: size[0], height: size[1] };
    }
    img = orient(img, orientation, false);
    var result = pdqFromLuma(lumaOf(img.data, img.width * img.height), img.height, img.width);
    result.transparent = alpha;
    return result;
  }

  function hamming(a, b) {
    var d = 0;
    for (var i = 0; i < a.length; i++) {
      var x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
      while (x) { d += x & 1; x >>= 1; }
    }
    return d;
  }

  var api = {
    thumbnailSize: thumbnailSize, resizeRGB: resizeRGB, exifOrientation: exifOrientation,
    orient: orient, lumaOf: lumaOf, pdqFromLuma: pdqFromLuma, pdqFromRGBA: pdqFromRGBA,
    hamming: hamming
  };
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.CounterspellPDQ = api; }
})(typeof self !== "undefined" ? self : this);
