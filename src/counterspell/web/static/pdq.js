// PDQ perceptual hashes computed in the browser, so that a picture never leaves the device.
//
// Written for Counterspell from the published algorithm (Meta's PDQ: "The TMK+PDQF Video-Hashing
// Algorithm and the PDQ Image Similarity Algorithm", the description the reference code cites:
// https://github.com/facebookexternal/ThreatExchange-PDQ/blob/main/pdqhash-2017-10-09.pdf, and the reference
// code facebook/ThreatExchange pdq/cpp/hashing/pdqhashing.cpp and downscaling.cpp, read
// 2026-12-02). The server hashes images with the `pdqhash` package (that C++ code in 32-bit
// floats) after Pillow's `thumbnail((512, 512))`, as the reference's Python hasher
// (pdq/python/pdqhashing/hasher/pdq_hasher.py) does; to agree bit for bit this file repeats both:
//   * every float operation of the C++ code is rounded to 32 bits (Math.fround), in its order;
//   * the reduction to 512 px is Pillow 13's: its thumbnail size rounding (PIL/Image.py), reduce()
//     (src/libImaging/Reduce.c) and bicubic resampling in its fixed point (src/libImaging/
//     Resample.c: 22 fractional bits, each pass clipped to 0..255, the pass order it chooses);
//     python-pillow/Pillow 13.0.0 source, read 2026-12-02.
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
    var v = ss >> PRECISION_BITS; // sums stay inside 32 bits (Pillow's "two extra bits")
    return v < 0 ? 0 : v > 255 ? 255 : v;
  }

  // One pass of Pillow's resampling (RGBA in and out, alpha ignored) along x (or y): rows
  // [first, first + n) of the input (or columns), each output value clip8(0.5 + sum of pixel *
  // coefficient) in 22-bit fixed point. The sums are the same integers as Pillow's whatever the
  // order they are added in, so the pass along y accumulates a row at a time (cache-friendly).
  function pass(src, w, h, co, alongX, first, n) {
    var half = 1 << (PRECISION_BITS - 1), ksize = co.ksize, kk = co.kk, bounds = co.bounds;
    var outLen = bounds.length >> 1;
    var ow = alongX ? outLen : n, oh = alongX ? n : outLen;
    var out = new Uint8Array(ow * oh * 4), i, x, y, o;
    if (alongX) {
      for (y = 0; y < n; y++) {
        var inRow = (y + first) * w * 4;
        o = y * ow * 4;
        for (x = 0; x < ow; x++, o += 4) {
          var xmin = bounds[x * 2], xmax = bounds[x * 2 + 1], ko = x * ksize;
          var s0 = half, s1 = half, s2 = half, p = inRow + xmin * 4;
          for (i = 0; i < xmax; i++, p += 4) {
            var k = kk[ko + i];
            s0 = (s0 + src[p] * k) | 0; s1 = (s1 + src[p + 1] * k) | 0; s2 = (s2 + src[p + 2] * k) | 0;
          }
          out[o] = clip8(s0); out[o + 1] = clip8(s1); out[o + 2] = clip8(s2); out[o + 3] = 255;
        }
      }
    } else {
      var acc = new Int32Array(ow * 4), rowLen = ow * 4;
      for (y = 0; y < oh; y++) {
        var ymin = bounds[y * 2], ymax = bounds[y * 2 + 1], kv = y * ksize;
        acc.fill(half);
        for (i = 0; i < ymax; i++) {
          var kq = kk[kv + i], q = ((ymin + i) * w + first) * 4;
          for (x = 0; x < rowLen; x++) { acc[x] = (acc[x] + src[q + x] * kq) | 0; }
        }
        o = y * rowLen;
        for (x = 0; x < rowLen; x += 4) {
          out[o + x] = clip8(acc[x]); out[o + x + 1] = clip8(acc[x + 1]);
          out[o + x + 2] = clip8(acc[x + 2]); out[o + x + 3] = 255;
        }
      }
    }
    return out;
  }

  function shift(co, by) {
    for (var i = 0; i < co.bounds.length; i += 2) { co.bounds[i] -= by; }
  }

  // Resize RGBA pixels (alpha ignored: the image is opaque by now) from w x h to outW x outH over box [x0, y0, x1, y1] of the
  // input, as Pillow's ImagingResampleInner: the pass along x over only the rows the pass along y
  // will read, then that pass (or y first, over only the columns x will read: verticalFirst()).
  function resize(src, w, h, outW, outH, box) {
    box = box || [0, 0, w, h];
    var needH = outW !== w || f(box[0]) !== 0 || f(box[2]) !== outW;
    var needV = outH !== h || f(box[1]) !== 0 || f(box[3]) !== outH;
    var hor = coefficients(w, box[0], box[2], outW), ver = coefficients(h, box[1], box[3], outH);
    var img = src, iw = w, first, n;
    if (needH && needV && verticalFirst(w, h, outW, outH)) {
      first = hor.bounds[0];
      n = hor.bounds[outW * 2 - 2] + hor.bounds[outW * 2 - 1] - first;
      img = pass(src, w, h, ver, false, first, n);
      shift(hor, first);
      return pass(img, n, outH, hor, true, 0, outH);
    }
    if (needH) {
      first = ver.bounds[0];
      n = ver.bounds[outH * 2 - 2] + ver.bounds[outH * 2 - 1] - first;
      img = pass(src, w, h, hor, true, first, n);
      shift(ver, first);
      iw = outW;
    }
    return needV ? pass(img, iw, 0, ver, false, 0, iw) : img;
  }

  // Pillow 13 (src/libImaging/Resample.c, ImagingResampleInner): "If height is being scaled down
  // more than twice the amount the width is, run the vertical pass first".
  function verticalFirst(w, h, outW, outH) {
    return h - outH > 0 && h - outH > (w - outW) * 2;
  }

  // Pillow's reduce() (src/libImaging/Reduce.c): the mean of each xf x yf block of the region
  // [x0, y0, x0 + bw, y0 + bh), partial blocks at the right and bottom edges, in its arithmetic:
  // ((sum + n / 2) * trunc(float(2^32) / float(256 n))) >> 24, in 32 bits.
  function reduce(src, w, xf, yf, region) {
    var x0 = region[0], y0 = region[1], bw = region[2], bh = region[3];
    var ow = Math.ceil(bw / xf), oh = Math.ceil(bh / yf), out = new Uint8Array(ow * oh * 4);
    var acc = new Uint32Array(ow * 3), full = Math.floor(bw / xf), lastW = bw - (ow - 1) * xf;
    for (var y = 0; y < oh; y++) {
      var ya = y0 + y * yf, yb = Math.min(ya + yf, y0 + bh);
      acc.fill(0);
      for (var yy = ya; yy < yb; yy++) {
        var p = (yy * w + x0) * 4, q = 0, x, k, r, g, b;
        for (x = 0; x < full; x++, q += 3) {
          r = 0; g = 0; b = 0;
          for (k = 0; k < xf; k++, p += 4) { r += src[p]; g += src[p + 1]; b += src[p + 2]; }
          acc[q] += r; acc[q + 1] += g; acc[q + 2] += b;
        }
        if (full < ow) { // the partial block at the right edge
          r = 0; g = 0; b = 0;
          for (k = 0; k < lastW; k++, p += 4) { r += src[p]; g += src[p + 1]; b += src[p + 2]; }
          acc[q] += r; acc[q + 1] += g; acc[q + 2] += b;
        }
      }
      var rows = yb - ya, nFull = xf * rows, mFull = multiplier(nFull), nLast = lastW * rows;
      var mLast = multiplier(nLast), o = y * ow * 4;
      for (var ox = 0, a = 0; ox < ow; ox++, o += 4, a += 3) {
        var n = ox === ow - 1 ? nLast : nFull, m = ox === ow - 1 ? mLast : mFull, amend = n >> 1;
        out[o] = ((acc[a] + amend) * m) / 16777216;
        out[o + 1] = ((acc[a + 1] + amend) * m) / 16777216;
        out[o + 2] = ((acc[a + 2] + amend) * m) / 16777216;
        out[o + 3] = 255;
      }
    }
    return { data: out, width: ow, height: oh };
  }

  // Reduce.c's division_UINT32(n, 8): (UINT32)(float(2^32) / (float)(256 n)). The products with
  // it stay under 2^32, so ">> 24" is a division (a Uint8Array store truncates).
  function multiplier(n) { return Math.trunc(f(4294967296 / f(256 * n))); }

  // The scale libjpeg decodes a JPEG at under Pillow's thumbnail((512, 512)) (draft mode, asked
  // for 1024 px: PIL/JpegImagePlugin.py draft): 1, 2, 4 or 8.
  function draftScale(width, height) {
    var scale = Math.min(Math.floor(width / 1024), Math.floor(height / 1024));
    return scale >= 8 ? 8 : scale >= 4 ? 4 : scale >= 2 ? 2 : 1;
  }

  // Pillow's thumbnail((512, 512)) of RGBA pixels {data, width, height}, or the image itself when
  // it already fits; after a draft decode (below) `box` is the region of the input to use and
  // `size` the size Pillow chose from the full image.
  function thumbnail(img, box, size) {
    size = size || thumbnailSize(img.width, img.height);
    if (!size) { return img; }
    box = box || [0, 0, img.width, img.height];
    var fx = Math.trunc((box[2] - box[0]) / size[0] / 2) || 1;
    var fy = Math.trunc((box[3] - box[1]) / size[1] / 2) || 1;
    if (fx > 1 || fy > 1) { // Image.resize(reducing_gap=2.0): reduce() over the safe box first
      var sx = 1.5 * (box[2] - box[0]) / size[0], sy = 1.5 * (box[3] - box[1]) / size[1];
      var safe = [Math.max(0, Math.trunc(box[0] - sx)), Math.max(0, Math.trunc(box[1] - sy)),
                  Math.min(img.width, Math.ceil(box[2] + sx)), Math.min(img.height, Math.ceil(box[3] + sy))];
      img = reduce(img.data, img.width, fx, fy, [safe[0], safe[1], safe[2] - safe[0], safe[3] - safe[1]]);
      box = [(box[0] - safe[0]) / fx, (box[1] - safe[1]) / fy, (box[2] - safe[0]) / fx, (box[3] - safe[1]) / fy];
    }
    return { data: resize(img.data, img.width, img.height, size[0], size[1], box),
             width: size[0], height: size[1] };
  }

  // The image Pillow would hash, before the EXIF orientation is applied to it: `img` as the browser
  // decoded it (oriented), `orientation` the file's EXIF orientation. A JPEG whose sides are both
  // 2048 px or more is decoded by Pillow at 1/2, 1/4 or 1/8 scale inside libjpeg (its IDCT); a
  // browser cannot do that, so the block mean stands in for it (taken before undoing the
  // orientation, which is then cheap), and such hashes can differ from the server's by a few bits.
  function storedThumbnail(img, orientation, jpeg) {
    var swap = orientation >= 5 && orientation <= 8;
    var sw = swap ? img.height : img.width, sh = swap ? img.width : img.height;
    var size = thumbnailSize(sw, sh), s = jpeg && size ? draftScale(sw, sh) : 1;
    if (s === 1) { return thumbnail(orient(img, orientation, true)); }
    var small = orient(reduce(img.data, img.width, s, s, [0, 0, img.width, img.height]), orientation, true);
    var t = thumbnail(small, [0, 0, sw / s, sh / s], size);
    t.approximate = true;
    return t;
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

  // Apply (forward) or undo (inverse) an EXIF orientation on RGBA pixels {data, width, height}.
  function orient(img, orientation, inverse) {
    if (orientation <= 1 || orientation > 8) { return img; }
    // EXIF 5..8 swap the axes; 6 and 8 are each other's inverse, the others their own.
    if (inverse && (orientation === 6 || orientation === 8)) { orientation = 14 - orientation; }
    var w = img.width, h = img.height;
    var d = new Uint32Array(img.data.buffer, img.data.byteOffset, w * h);
    var swap = orientation >= 5, ow = swap ? h : w, oh = swap ? w : h;
    var out = new Uint32Array(ow * oh), o = 0;
    // out[ny][nx] = in[y][x]: where output (0, 0) reads, and how far one step in nx and ny move
    var start, dx, dy;
    switch (orientation) {
      case 2: start = w - 1; dx = -1; dy = w; break;
      case 3: start = w * h - 1; dx = -1; dy = -w; break;
      case 4: start = (h - 1) * w; dx = 1; dy = -w; break;
      case 5: start = 0; dx = w; dy = 1; break;
      case 6: start = (h - 1) * w; dx = -w; dy = 1; break;
      case 7: start = w * h - 1; dx = -w; dy = -1; break;
      default: start = w - 1; dx = w; dy = -1; break; // 8
    }
    for (var ny = 0; ny < oh; ny++) {
      for (var nx = 0, idx = start + ny * dy; nx < ow; nx++, idx += dx) { out[o++] = d[idx]; }
    }
    return { data: new Uint8Array(out.buffer), width: ow, height: oh };
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
  function lumaOf(rgba, n) {
    var luma = new Float32Array(n), rgb = rgba;
    for (var i = 0, p = 0; i < n; i++, p += 4) {
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
  // transparency on white, PDQ. `orientation` is exifOrientation() of the file's bytes, `isJpeg`
  // whether they are a JPEG (isJpeg()).
  function pdqFromRGBA(rgba, width, height, orientation, isJpeg) {
    var n = width * height, alpha = false, px = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
    for (var i = 0; i < n; i++) { if ((px[i] >>> 24) !== 255) { alpha = true; break; } }
    var data = rgba;
    if (alpha) { // over white, as the server does (there after the reduction: may differ a bit)
      data = new Uint8Array(n * 4);
      for (var p = 0; p < n * 4; p += 4) {
        var a = rgba[p + 3];
        for (var c = 0; c < 3; c++) { data[p + c] = Math.round((rgba[p + c] * a) / 255 + 255 - a); }
        data[p + 3] = 255;
      }
    }
    var small = storedThumbnail({ data: data, width: width, height: height }, orientation, isJpeg);
    var img = orient(small, orientation, false);
    var result = pdqFromLuma(lumaOf(img.data, img.width * img.height), img.height, img.width);
    result.transparent = alpha;
    result.approximate = !!small.approximate || alpha;
    return result;
  }

  // Width and height of a JPEG as stored (its SOF segment), or null if `bytes` do not reach it.
  function jpegSize(b) {
    if (!isJpeg(b)) { return null; }
    var p = 2;
    while (p + 9 < b.length && b[p] === 0xff) {
      var marker = b[p + 1];
      if (marker === 0xff) { p++; continue; } // fill byte
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return [(b[p + 7] << 8) | b[p + 8], (b[p + 5] << 8) | b[p + 6]];
      }
      if (marker === 0xda || marker === 0xd9) { return null; }
      p += 2 + ((b[p + 2] << 8) | b[p + 3]);
    }
    return null;
  }

  // How to decode a JPEG that Pillow would decode at reduced scale (draft mode): ask the browser
  // for the picture at 1/scale, displayed size {width, height}; null when Pillow decodes it whole
  // (then pdqFromRGBA on the full decode agrees bit for bit) or the head holds no size.
  function draftPlan(head) {
    var size = jpegSize(head);
    if (!size || !thumbnailSize(size[0], size[1])) { return null; }
    var scale = draftScale(size[0], size[1]), orientation = exifOrientation(head);
    if (scale === 1) { return null; }
    var swap = orientation >= 5 && orientation <= 8;
    return { scale: scale, orientation: orientation, stored: size,
             width: Math.ceil((swap ? size[1] : size[0]) / scale), height: Math.ceil((swap ? size[0] : size[1]) / scale) };
  }

  // PDQ of a JPEG the browser decoded at 1/plan.scale (createImageBitmap's resize, 'low' quality:
  // a bilinear halving, which measured as close to libjpeg's scaled IDCT as a block mean, 0-2 bits
  // on 12 MP photos, 2026-12-02); flagged approximate.
  function pdqFromScaledJpeg(rgba, width, height, plan) {
    var sw = plan.stored[0], sh = plan.stored[1], s = plan.scale;
    var small = orient({ data: rgba, width: width, height: height }, plan.orientation, true);
    var t = orient(thumbnail(small, [0, 0, sw / s, sh / s], thumbnailSize(sw, sh)), plan.orientation, false);
    var result = pdqFromLuma(lumaOf(t.data, t.width * t.height), t.height, t.width);
    result.approximate = true;
    return result;
  }

  function isJpeg(bytes) { return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff; }

  function hamming(a, b) {
    var d = 0;
    for (var i = 0; i < a.length; i++) {
      var x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
      while (x) { d += x & 1; x >>= 1; }
    }
    return d;
  }

  var api = {
    thumbnailSize: thumbnailSize, resize: resize, exifOrientation: exifOrientation,
    orient: orient, thumbnail: thumbnail, storedThumbnail: storedThumbnail, jpegSize: jpegSize, draftPlan: draftPlan,
    pdqFromScaledJpeg: pdqFromScaledJpeg, reduce: reduce, isJpeg: isJpeg, lumaOf: lumaOf, pdqFromLuma: pdqFromLuma, pdqFromRGBA: pdqFromRGBA,
    hamming: hamming
  };
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.CounterspellPDQ = api; }
})(typeof self !== "undefined" ? self : this);
