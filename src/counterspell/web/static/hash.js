// The hashing widget of /hash, of the removal-request form and of `counterspell hash-page`: the
// person picks pictures or videos, this page computes their fingerprints here (pdq.js,
// digests.js) and shows them; only those lines of text go anywhere, and only if the person sends
// the form or saves the file. The file input has no name, so a form never sends the file or its
// name; nothing here makes a network request.
(function () {
  "use strict";
  var widget = document.getElementById("hash-widget");
  if (!widget || !window.CounterspellPDQ || !window.CounterspellDigests) { return; }
  var PDQ = window.CounterspellPDQ, D = window.CounterspellDigests;
  var input = widget.querySelector("input[type=file]");
  var tbody = widget.querySelector("tbody");
  var status = widget.querySelector("[data-hash-status]");
  var save = widget.querySelector("[data-hash-save]");
  var target = widget.getAttribute("data-target") ? document.querySelector(widget.getAttribute("data-target")) : null;
  var MAX_PIXELS = 64000000; // as the server (counterspell.matching.hashing.MAX_PIXELS)
  var MIN_QUALITY = 50; // PDQ's documentation: discard hashes of quality 49 and under
  var ONE_SHOT = 256 * 1024 * 1024; // larger files are read and digested a piece at a time
  var CHUNK = 8 * 1024 * 1024;
  var HEAD_BYTES = 262144; // where a JPEG's EXIF orientation and size are (APP1 is at most 64 KB)
  var lines = [];
  var busy = Promise.resolve();

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function sizeText(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function looksLikeImage(file, head) {
    if (/^image\//.test(file.type)) { return true; }
    if (/^video\//.test(file.type)) { return false; }
    return PDQ.isJpeg(head) || (head[0] === 0x89 && head[1] === 0x50) || (head[0] === 0x47 && head[1] === 0x49) ||
      (head[0] === 0x52 && head[8] === 0x57); // PNG, GIF, RIFF/WEBP
  }

  async function digests(file) {
    if (file.size <= ONE_SHOT) {
      var bytes = new Uint8Array(await file.arrayBuffer());
      var md5 = new D.MD5().update(bytes).hex(), sha;
      if (window.crypto && window.crypto.subtle) { // native and fast where the page is a secure context
        sha = Array.from(new Uint8Array(await window.crypto.subtle.digest("SHA-256", bytes)),
          function (b) { return (b + 256).toString(16).slice(1); }).join("");
      } else {
        sha = new D.SHA256().update(bytes).hex();
      }
      return { md5: md5, sha256: sha };
    }
    var m = new D.MD5(), s = new D.SHA256();
    for (var off = 0; off < file.size; off += CHUNK) {
      var chunk = new Uint8Array(await file.slice(off, off + CHUNK).arrayBuffer());
      m.update(chunk);
      s.update(chunk);
    }
    return { md5: m.hex(), sha256: s.hex() };
  }

  // The browser decodes off the main thread: started before the digests, it runs beside them.
  // A large JPEG is asked for at the reduced size Pillow would decode it at (see draftPlan in
  // pdq.js): the browser then never hands over the full-size pixels.
  function decode(file, plan) {
    var opts = { imageOrientation: "from-image", colorSpaceConversion: "none", premultiplyAlpha: "none" };
    if (plan) { opts.resizeWidth = plan.width; opts.resizeHeight = plan.height; opts.resizeQuality = "low"; }
    return createImageBitmap(file, opts);
  }

  async function pdq(bitmapPromise, head, plan, timing) {
    var t0 = performance.now(), bitmap = await bitmapPromise, t1 = performance.now();
    timing.decode = Math.round(t1 - t0);
    try {
      if (bitmap.width * bitmap.height > MAX_PIXELS) {
        throw new Error(bitmap.width + "x" + bitmap.height + " pixels is over the " + MAX_PIXELS + " limit");
      }
      var canvas = document.createElement("canvas");
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(bitmap, 0, 0);
      var rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      canvas.width = canvas.height = 0; // let the pixels go
      var t2 = performance.now();
      timing.pixels = Math.round(t2 - t1);
      var px = new Uint8Array(rgba.buffer);
      var result = plan && bitmap.width === plan.width && bitmap.height === plan.height
        ? PDQ.pdqFromScaledJpeg(px, bitmap.width, bitmap.height, plan)
        : PDQ.pdqFromRGBA(px, bitmap.width, bitmap.height, PDQ.exifOrientation(head), PDQ.isJpeg(head));
      timing.pdq = Math.round(performance.now() - t2);
      return result;
    } finally {
      bitmap.close();
    }
  }

  async function hashOne(file) {
    var row = document.createElement("tr");
    row.className = "hash-row";
    cell(row, file.name, "hash-name"); // shown here only; never sent, never saved
    cell(row, sizeText(file.size));
    var kind = cell(row, "…"), pdqCell = cell(row, "", "hash"), quality = cell(row, "");
    var md5Cell = cell(row, "", "hash"), shaCell = cell(row, "", "hash"), note = cell(row, "", "muted");
    tbody.appendChild(row);
    var started = performance.now(), timing = {};
    var head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
    var plan = PDQ.draftPlan(head);
    var early = /^image\//.test(file.type) ? decode(file, plan) : null;
    if (early) { early.catch(function () {}); } // awaited below; an unreadable picture is reported there
    var d = await digests(file);
    timing.digests = Math.round(performance.now() - started);
    md5Cell.textContent = d.md5;
    shaCell.textContent = d.sha256;
    row.setAttribute("data-md5", d.md5);
    row.setAttribute("data-sha256", d.sha256);
    var out = ["md5 " + d.md5, "sha256 " + d.sha256];
    if (looksLikeImage(file, head)) {
      kind.textContent = "picture";
      try {
        var p = await pdq(early || decode(file, plan), head, plan, timing);
        pdqCell.textContent = p.hash;
        quality.textContent = String(p.quality);
        row.setAttribute("data-pdq", p.hash);
        row.setAttribute("data-quality", String(p.quality));
        if (p.quality >= MIN_QUALITY) {
          out.unshift("pdq " + p.hash);
        } else {
          note.textContent = "Too plain to compare by look (quality under " + MIN_QUALITY + "): only the exact-copy fingerprints are used.";
        }
        if (p.approximate) {
          row.setAttribute("data-approximate", "1");
          note.textContent += (note.textContent ? " " : "") + "Large photo: its look-alike fingerprint may differ slightly from the desktop tool's.";
        }
      } catch (err) {
        kind.textContent = "file";
        note.textContent = "This browser cannot read this picture (" + (err && err.message || err) + "); the exact-copy fingerprints are still here.";
      }
    } else {
      kind.textContent = /^video\//.test(file.type) ? "video" : "file";
      note.textContent = "Exact-copy fingerprints only (the video look-alike fingerprint needs the desktop tool, counterspell hash).";
    }
    row.setAttribute("data-ms", String(Math.round(performance.now() - started)));
    row.setAttribute("data-timing", JSON.stringify(timing));
    row.setAttribute("data-done", "1");
    return out;
  }

  function publish(newLines) {
    newLines.forEach(function (line) { if (lines.indexOf(line) < 0) { lines.push(line); } });
    if (target) {
      var have = target.value.split(/\r?\n/).map(function (l) { return l.trim(); });
      var add = newLines.filter(function (l) { return have.indexOf(l) < 0; });
      if (add.length) { target.value = (target.value.replace(/\s+$/, "") + "\n" + add.join("\n")).replace(/^\n/, ""); }
    }
    if (save) { save.disabled = lines.length === 0; }
  }

  function fileText() {
    return "# Fingerprints (hashes) computed on this device; the pictures themselves were not sent or saved.\n" +
      "# Format: one '<signal type> <hash>' per line, as python-threatexchange's hash command prints them.\n" +
      lines.join("\n") + "\n";
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    input.value = ""; // the picker keeps nothing
    if (!files.length) { return; }
    busy = busy.then(async function () {
      if (status) { status.textContent = "Computing on this device…"; }
      for (var i = 0; i < files.length; i++) {
        try { publish(await hashOne(files[i])); }
        catch (err) { if (status) { status.textContent = "Could not read " + files[i].name + ": " + err; } }
      }
      if (status) { status.textContent = "Done. Nothing was uploaded: only the lines of text below leave this page, and only if you send them."; }
      widget.setAttribute("data-idle", "1");
    });
    widget.removeAttribute("data-idle");
  });

  if (target && target.form) { // a request sent mid-computation would go without its hashes
    target.form.addEventListener("submit", function (event) {
      if (widget.hasAttribute("data-idle")) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      if (status) { status.textContent = "Still computing the fingerprints: send again in a moment."; }
    }, true);
  }

  if (save) {
    save.disabled = true;
    save.addEventListener("click", function () {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([fileText()], { type: "text/plain" }));
      a.download = "hashes.txt";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }
  widget.setAttribute("data-idle", "1");
  window.CounterspellHashLines = function () { return fileText(); };
})();
