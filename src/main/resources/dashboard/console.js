// The read-only SQL console: the analytics views one click away, a query's rows as a table and as CSV. The server
// refuses what would not only read, cancels what runs too long and cuts long results (/api/console); this page only
// shows what it says.
'use strict';

(function () {
  // Vert.x takes request lines of up to 4096 bytes: the query travels in the URL of a GET.
  const MAX_URL = 4000;
  const d = window.dashboard;
  const sql = document.getElementById('sql');
  const message = document.getElementById('console-message');
  const csv = document.getElementById('csv');

  function say(kind, text) {
    message.className = kind;
    message.textContent = text;
  }

  function queryUrl(path) {
    return 'api/console/' + path + '?sql=' + encodeURIComponent(sql.value);
  }

  async function run() {
    const url = queryUrl('query');
    csv.href = queryUrl('csv');
    if (url.length > MAX_URL) {
      say('refused', 'The query is too long for the console (about 3 KB at most): shorten it, or run it with `flight-cdc query`.');
      return;
    }
    say('running', 'Running…');
    document.getElementById('run').disabled = true;
    try {
      const result = await d.getJson(url);
      show(result);
      say(result.truncated ? 'truncated' : 'ok', result.truncated
        ? 'Only the first ' + d.number(result.maxRows) + ' rows: the result has more. Narrow the query, or add a LIMIT.'
        : d.number(result.rows.length) + (result.rows.length === 1 ? ' row' : ' rows') + ' in ' + d.number(result.elapsedMs) + ' ms');
    } catch (e) {
      document.querySelector('#result thead').replaceChildren();
      document.querySelector('#result tbody').replaceChildren();
      say(e.kind, (e.kind === 'refused' ? 'Refused: ' : e.kind === 'failed' ? 'The warehouse could not run it: ' : '') + e.message);
    } finally {
      document.getElementById('run').disabled = false;
    }
  }

  function show(result) {
    document.querySelector('#result thead').replaceChildren(
      d.el('tr', null, ...result.columns.map(c => d.el('th', { title: c.type }, c.name))));
    document.querySelector('#result tbody').replaceChildren(...result.rows.map(row =>
      d.el('tr', null, ...row.map((value, i) => d.el('td', result.columns[i].numeric ? { class: 'number' } : null,
        value == null ? 'NULL' : value)))));
  }

  async function offer() {
    try {
      const limits = await d.getJson('api/console');
      document.getElementById('console-limits').textContent = 'read-only; cancelled after '
        + d.number(limits.timeoutMs / 1000, 1) + ' s; at most ' + d.number(limits.maxRows) + ' rows';
      if (limits.unavailable) {
        say('refused', limits.unavailable);
        document.getElementById('run').disabled = true;
        return;
      }
      document.getElementById('views').replaceChildren(...limits.views.map(view => {
        const button = d.el('button', { type: 'button', 'data-view': view.name, title: view.query }, view.name);
        button.addEventListener('click', () => {
          sql.value = view.query;
          run();
        });
        return button;
      }));
    } catch (e) {
      say('failed', 'Cannot reach the console: ' + e.message);
    }
  }

  document.getElementById('console-form').addEventListener('submit', event => {
    event.preventDefault();
    run();
  });
  sql.addEventListener('keydown', event => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  sql.addEventListener('input', () => {
    csv.href = queryUrl('csv');
  });
  csv.href = queryUrl('csv');
  offer();
})();
