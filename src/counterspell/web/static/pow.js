// The removal form's check against mass submissions: find a number whose SHA-256 with the
// server's challenge starts with data-bits zero bits (about a second in a browser), then send.
// No third party is involved and nothing about the visitor is collected.
(function () {
  "use strict";
  var form = document.getElementById("removal-form");
  if (!form || !window.crypto || !window.crypto.subtle) { return; }
  var bits = parseInt(form.getAttribute("data-bits"), 10) || 16;
  var status = document.getElementById("pow-status");
  var done = false;
  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      var b = bytes[i];
      while ((b & 0x80) === 0) { n += 1; b <<= 1; }
      return n;
    }
    return n;
  }
  async function solve(challenge) {
    var enc = new TextEncoder();
    for (var n = 0; ; n++) {
      var digest = await window.crypto.subtle.digest("SHA-256", enc.encode(challenge + ":" + n));
      if (zeroBits(new Uint8Array(digest)) >= bits) { return String(n); }
    }
  }
  form.addEventListener("submit", function (event) {
    if (done) { return; }
    event.preventDefault();
    if (status) { status.textContent = "Checking (a second or two)…"; }
    solve(form.elements.challenge.value).then(function (proof) {
      form.elements.proof.value = proof;
      done = true;
      if (status) { status.textContent = "Sending…"; }
      form.submit();
    });
  });
})();
