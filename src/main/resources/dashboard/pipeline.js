// The pipeline view: each stage's rate, lag and freshness over the last minutes, as the server's sampler read them
// from the pipeline's meters (/api/pipeline), and what was set aside, with the reasons (/api/set-aside).
'use strict';

(function () {
  const REFRESH_MS = 5000;
  const COLOURS = ['#2f80ed', '#27ae60', '#9b51e0', '#f2994a', '#eb5757', '#56ccf2'];
  const d = window.dashboard;
  const charts = new Map();

  function chartFor(view) {
    let chart = charts.get(view.id);
    if (chart) {
      return chart;
    }
    const box = d.el('div', { class: 'chart', id: 'chart-' + view.id }, d.el('h3', null, view.title));
    const empty = d.el('div', { class: 'empty' }, 'No readings yet');
    box.append(empty);
    document.getElementById('charts').append(box);
    const width = Math.max(240, box.clientWidth - 12);
    const plot = new uPlot({
      width,
      height: 170,
      legend: { show: true, live: false },
      scales: { x: { time: true } },
      axes: [{}, { label: view.unit, size: 60 }],
      series: [{}].concat(view.series.map((s, i) => ({
        label: s.label,
        stroke: COLOURS[i % COLOURS.length],
        width: 1.5,
        spanGaps: false,
        value: (u, v) => v == null ? '–' : d.number(v, 2) + ' ' + view.unit
      })))
    }, [[]].concat(view.series.map(() => [])), box);
    chart = { plot, empty };
    charts.set(view.id, chart);
    return chart;
  }

  async function refresh() {
    try {
      const view = await d.getJson('api/pipeline');
      document.getElementById('pipeline-window').textContent = 'last ' + Math.round(view.windowMs / 60000)
        + ' minutes, read every ' + (view.intervalMs / 1000) + ' s';
      for (const chartView of view.charts) {
        const chart = chartFor(chartView);
        const hasData = chartView.series.some(s => s.values.some(v => v != null));
        chart.empty.hidden = hasData;
        chart.plot.setData([view.times].concat(chartView.series.map(s => s.values)));
      }
      document.getElementById('pipeline-values').replaceChildren(...view.values.map(v =>
        d.el('span', null, v.label + ': ', d.el('strong', null, v.latest == null ? '–' : d.number(v.latest, 1) + ' ' + v.unit))));
      document.getElementById('pipeline-missing').textContent = !view.registryFound
        ? 'The pipeline\'s meter registry is not bound yet.'
        : view.missingMeters.length > 0 ? 'Not reported by this pipeline (yet): ' + view.missingMeters.join(', ') + '.' : '';
    } catch (e) {
      document.getElementById('pipeline-missing').textContent = 'Cannot read the pipeline\'s meters: ' + e.message;
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  async function refreshSetAside() {
    try {
      const now = await d.getJson('api/set-aside');
      count('dead-letter-count', now.deadLetters);
      rows('dead-letters', now.newestDeadLetters.map(l => [d.dateTime(l.at), l.table || '–',
        l.topic + ' / ' + l.partition + ' @ ' + l.offset, l.reason]));
      count('rejected-count', now.rejected);
      rows('rejections', now.rejected == null
        ? [['', 'The pipeline does not poll OpenSky: there is no rejected_state.']]
        : now.newestRejections.map(r => [d.dateTime(r.at), r.reason]));
    } catch (e) {
      rows('dead-letters', [['', '', '', 'Cannot read them: ' + e.message]]);
    } finally {
      setTimeout(refreshSetAside, REFRESH_MS * 2);
    }
  }

  function count(id, value) {
    const badge = document.getElementById(id);
    badge.textContent = value == null ? '–' : d.number(value);
    badge.classList.toggle('alert', value > 0);
  }

  function rows(tableId, values) {
    document.querySelector('#' + tableId + ' tbody').replaceChildren(...values.map(row =>
      d.el('tr', null, ...row.map(value => d.el('td', null, value)))));
  }

  refresh();
  refreshSetAside();
})();
