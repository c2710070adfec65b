// The operator's console: small progressive enhancements. Every page works without this file.
// No inline script anywhere (the Content-Security-Policy forbids it); text is set with textContent only.
(function () {
  'use strict';

  // Filter box on the policies page: hide rows as you type (the Filter button filters on the server).
  document.querySelectorAll('input[data-filter-rows]').forEach(function (input) {
    var table = document.getElementById(input.getAttribute('data-filter-rows'));
    if (!table) { return; }
    input.addEventListener('input', function () {
      var needle = input.value.trim().toLowerCase();
      table.querySelectorAll('tbody tr').forEach(function (row) {
        var text = (row.getAttribute('data-filter-text') || '').toLowerCase();
        row.hidden = needle !== '' && text.indexOf(needle) < 0;
      });
    });
  });

  // A form that asks first (Discard), and forms that say they are working and cannot be sent twice.
  document.querySelectorAll('form[data-confirm], form[data-busy]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      var question = form.getAttribute('data-confirm');
      if (question && !window.confirm(question)) {
        event.preventDefault();
        return;
      }
      var button = form.querySelector('button[type="submit"]');
      if (button && form.getAttribute('data-busy')) {
        button.disabled = true;
        button.textContent = form.getAttribute('data-busy');
      }
    });
  });

  // Deployments: poll the API's JSON listing and redraw the table while the page is visible.
  var table = document.querySelector('table[data-live-src]');
  if (table) {
    // Against the origin, never the page's URL: a page opened as http://user:password@host/... would
    // otherwise resolve to a URL with credentials, which fetch refuses.
    var source = new URL(table.getAttribute('data-live-src'), window.location.origin).href;
    var state = document.getElementById('live-state');
    var body = table.querySelector('tbody');
    var everyMs = 3000;

    var cell = function (row, text, href) {
      var td = document.createElement('td');
      if (href) {
        var a = document.createElement('a');
        a.href = href;
        a.textContent = text;
        td.appendChild(a);
      } else {
        td.textContent = text;
      }
      row.appendChild(td);
      return td;
    };
    var pill = function (parent, className, text) {
      var span = document.createElement('span');
      span.className = className;
      span.textContent = text;
      parent.appendChild(span);
      parent.appendChild(document.createTextNode(' '));
    };
    var draw = function (items) {
      var rows = document.createDocumentFragment();
      items.forEach(function (d) {
        var tr = document.createElement('tr');
        cell(tr, d.startedAt || '', '/console/deployments/' + encodeURIComponent(d.deploymentId));
        cell(tr, d.policyId || '—', d.policyId ? '/console/policies/' + encodeURIComponent(d.policyId) : null);
        cell(tr, d.version || (d.revision ? 'rev ' + d.revision : '—'));
        cell(tr, d.source || '');
        cell(tr, d.actor || '');
        pill(cell(tr, ''), 'status ' + d.status, d.status);
        var targets = cell(tr, '');
        (d.targets || []).forEach(function (t) { pill(targets, 'target ' + t.status, t.target + ': ' + t.status); });
        rows.appendChild(tr);
      });
      body.replaceChildren(rows);
      var empty = document.getElementById('deployments-empty');
      if (empty) { empty.hidden = items.length > 0; }
    };
    var poll = function () {
      if (document.hidden) { return; }
      fetch(source, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(function (page) {
          draw(page.items || []);
          if (state) { state.textContent = '(live, updated ' + new Date().toLocaleTimeString() + ')'; }
        })
        .catch(function (error) {
          if (state) { state.textContent = '(live updates paused: ' + error.message + '; reload the page)'; }
        });
    };
    window.setInterval(poll, everyMs);
    document.addEventListener('visibilitychange', poll);
  }
}());
