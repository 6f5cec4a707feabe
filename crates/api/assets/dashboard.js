// Sortable tables, as a progressive enhancement: without this script the tables are plain,
// readable tables in the server's order. With it, each heading of a column marked
// `data-sort-type` becomes a button; activating it sorts the rows (cells may carry the value
// to sort by in `data-sort`), sets `aria-sort` on the heading and announces the new order in
// the page's `#sort-status` live region. Empty values always sort last.
(function () {
  'use strict';

  function value(row, index, type) {
    var cell = row.cells[index];
    if (!cell) return null;
    var raw = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent;
    raw = (raw || '').trim();
    if (raw === '') return null;
    if (type === 'number') {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw;
  }

  function compare(a, b, type, lang) {
    if (type === 'number') return a - b;
    return String(a).localeCompare(String(b), lang, { sensitivity: 'base', numeric: true });
  }

  function sortTable(table, th, index, type) {
    var headers = table.tHead.rows[0].cells;
    var direction = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    // Only the sorted column carries aria-sort.
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', direction);
    var lang = document.documentElement.lang || 'vi';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, key: value(row, index, type), position: position };
    });
    rows.sort(function (a, b) {
      if (a.key === null && b.key === null) return a.position - b.position;
      if (a.key === null) return 1;
      if (b.key === null) return -1;
      var c = compare(a.key, b.key, type, lang);
      if (direction === 'descending') c = -c;
      return c !== 0 ? c : a.position - b.position;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    var status = document.getElementById('sort-status');
    if (status) {
      status.textContent = (table.getAttribute('data-sorted-by') || '') + ' ' + th.textContent.trim() + ', ' +
        (table.getAttribute('data-' + direction) || direction);
    }
  }

  function enhance(table) {
    var head = table.tHead;
    if (!head || !head.rows.length || !table.tBodies.length) return;
    var headers = head.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var type = th.getAttribute('data-sort-type');
      if (!type) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort-button';
      while (th.firstChild) button.appendChild(th.firstChild);
      var icon = document.createElement('span');
      icon.className = 'sort-icon';
      icon.setAttribute('aria-hidden', 'true');
      button.appendChild(icon);
      th.appendChild(button);
      button.addEventListener('click', function () { sortTable(table, th, index, type); });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('table[data-sortable]'), enhance);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
