// The report form (/app/communes/{code}/reports/{period}/edit), enhanced: the Biểu 06 sums and
// the received = resolved + pending identity are checked as the clerk types, and the form is
// kept in the browser's storage until the server has stored it — a dropped connection, a
// reload or a closed tab loses nothing. The server checks everything again; without this
// script the form works the same, checked on "Kiểm tra số liệu".
(function () {
  'use strict';

  var storage = null;
  try { storage = window.localStorage; } catch (e) { storage = null; }

  // A page the server rendered after storing the form: forget the browser's copy.
  var marker = document.getElementById('saved-marker');
  if (marker && storage) storage.removeItem(marker.getAttribute('data-forget'));

  var form = document.getElementById('report-form');
  if (!form) return;
  var key = form.getAttribute('data-storage-key');
  var etag = document.getElementById('etag');

  // Numbers as typed, in Vietnamese (1.234 / 99,4) or English (1,234 / 99.4) notation; the
  // same reading as the server's (cchc_domain::data_entry::read_number) for whole counts.
  function count(text) {
    var t = String(text || '').replace(/[\s\u00a0]/g, '');
    if (t === '') return null;
    if (!/^\d{1,3}([.,]\d{3})*$/.test(t) && !/^\d+$/.test(t)) return NaN;
    return parseInt(t.replace(/[.,]/g, ''), 10);
  }

  function input(name) { return form.elements[name] || null; }
  function valueOf(name) { var el = input(name); return el ? count(el.value) : null; }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== 'csrf' && el.name !== 'etag' && el.name !== 'action';
    });
  }

  function save() {
    if (!storage) return;
    var kept = {};
    fields().forEach(function (el) { kept[el.name] = el.value; });
    try {
      storage.setItem(key, JSON.stringify({ etag: etag ? etag.value : '', fields: kept, at: Date.now() }));
    } catch (e) { /* storage full or refused: the server still checks and stores */ }
  }

  function restore() {
    if (!storage) return;
    var raw = storage.getItem(key);
    if (!raw) return;
    var kept;
    try { kept = JSON.parse(raw); } catch (e) { storage.removeItem(key); return; }
    var differs = false;
    Object.keys(kept.fields || {}).forEach(function (name) {
      var el = input(name);
      if (el && el.value !== kept.fields[name]) { el.value = kept.fields[name]; differs = true; }
    });
    if (!differs) return;
    // What was typed was based on this version: sending it again must not overwrite a newer one.
    if (etag && typeof kept.etag === 'string') etag.value = kept.etag;
    var note = document.getElementById('restored');
    if (note) note.hidden = false;
  }

  function mark(el, off) {
    var box = el && el.closest('.entry-field');
    if (box) box.classList.toggle('live-off', off);
  }

  // Each block's sum of parts, the typed total against it, and the identity across blocks.
  function check() {
    var known = {};
    var partsOff = false;
    Array.prototype.forEach.call(form.querySelectorAll('.dossier-block'), function (block) {
      var total = block.getAttribute('data-total');
      var parts = block.getAttribute('data-parts').split(' ');
      var sum = 0;
      var complete = true;
      parts.forEach(function (p) {
        var v = valueOf(p);
        if (v === null || isNaN(v)) complete = false; else sum += v;
      });
      var out = block.querySelector('output');
      if (out) out.textContent = complete ? sum.toLocaleString('vi-VN') : '—';
      var typed = valueOf(total);
      var off = complete && typed !== null && !isNaN(typed) && typed !== sum;
      mark(input(total), off);
      partsOff = partsOff || off;
      known[total] = typed !== null && !isNaN(typed) ? typed : (complete ? sum : null);
    });
    var line = document.getElementById('identity-check');
    var names = (form.getAttribute('data-identity') || '').split(' ');
    if (!line || names.length !== 3) return;
    var received = known[names[0]];
    var resolved = known[names[1]];
    var pending = known[names[2]];
    if (received === null || resolved === null || pending === null || received === undefined) {
      line.hidden = !partsOff;
      line.textContent = partsOff ? line.getAttribute('data-part') : '';
      line.className = 'identity-check off';
      return;
    }
    line.hidden = false;
    var ok = received === resolved + pending && !partsOff;
    line.className = 'identity-check ' + (ok ? 'ok' : 'off');
    line.textContent = ok
      ? line.getAttribute('data-ok')
      : (partsOff ? line.getAttribute('data-part') + '. ' : '') +
        line.getAttribute('data-off') + ' ' + received + ' ≠ ' + resolved + ' + ' + pending;
  }

  if (form.hasAttribute('data-saved')) {
    if (storage) storage.removeItem(key);
  } else {
    restore();
  }
  check();
  form.addEventListener('input', function () { check(); save(); });
  form.addEventListener('change', function () { check(); save(); });
  form.addEventListener('submit', save);
  var discard = document.getElementById('discard-restored');
  if (discard) {
    discard.addEventListener('click', function () {
      if (storage) storage.removeItem(key);
      window.location.reload();
    });
  }
})();
