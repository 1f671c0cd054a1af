// The report page's script (plain browser JavaScript, run after the inlined uPlot). It reads the
// JSON embedded in the page and draws every chart; each chart's box gets data-drawn="1" once drawn.
export const CLIENT_JS = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  var WIDTH = 560, HEIGHT = 260;

  function box(parent, title, note) {
    var div = document.createElement('div');
    div.className = 'chart';
    var h = document.createElement('h3');
    h.textContent = title;
    div.appendChild(h);
    if (note) {
      var p = document.createElement('p');
      p.className = 'note';
      p.textContent = note;
      div.appendChild(p);
    }
    parent.appendChild(div);
    return div;
  }

  function lines(parent, title, xLabel, yLabel, x, series, opts) {
    opts = opts || {};
    var div = box(parent, title, opts.note);
    var plot = new uPlot({
      width: WIDTH, height: HEIGHT,
      scales: { x: { time: false }, y: opts.yRange ? { range: opts.yRange } : {} },
      axes: [{ label: xLabel }, { label: yLabel, size: 70, values: function (u, vals) { return vals.map(function (v) { return v === null ? '' : String(+v.toPrecision(4)); }); } }],
      series: [{ label: xLabel }].concat(series.map(function (s, i) {
        return { label: s.label, stroke: COLORS[i % COLORS.length], width: 2, dash: s.dash, points: { show: true, size: 6 }, spanGaps: true };
      })),
    }, [x].concat(series.map(function (s) { return s.values; })), div);
    div.setAttribute('data-drawn', plot ? '1' : '0');
    return plot;
  }

  function raster(parent, title, r) {
    var T = r.spikes.length, K = r.neurons.length;
    var x = [];
    for (var t = 0; t < T; t++) x.push(t);
    var series = [], values = [];
    for (var k = 0; k < K; k++) {
      var col = [];
      for (var t2 = 0; t2 < T; t2++) col.push(r.spikes[t2][k] ? k : null);
      values.push(col);
      series.push({ label: 'neuron ' + r.neurons[k], stroke: '#222', width: 0, paths: function () { return null; }, points: { show: true, size: 5, fill: '#222', stroke: '#222' } });
    }
    var div = box(parent, title, 'rows: the ' + K + ' most active neurons of the layer; dot: a spike at step t');
    var plot = new uPlot({
      width: WIDTH, height: Math.max(140, Math.min(360, 40 + 6 * K)),
      legend: { show: false },
      scales: { x: { time: false, range: [-0.5, T - 0.5] }, y: { range: [-1, K] } },
      axes: [{ label: 'time step' }, { label: 'neuron (row)', size: 60 }],
      series: [{}].concat(series),
    }, [x].concat(values), div);
    div.setAttribute('data-drawn', plot ? '1' : '0');
  }

  function byEpoch(key) {
    return data.metrics.map(function (m) { var v = m[key]; return v === null || v === undefined ? null : v; });
  }
  function perLayer(key) {
    var layers = [];
    data.metrics.forEach(function (m) { Object.keys(m[key] || {}).forEach(function (l) { if (layers.indexOf(l) < 0) layers.push(l); }); });
    return layers.map(function (l) {
      return { label: l, values: data.metrics.map(function (m) { var v = (m[key] || {})[l]; return v === undefined ? null : v; }) };
    });
  }

  var charts = document.getElementById('charts');
  if (data.kind === 'comparison') {
    var runs = data.runs;
    var maxE = 0;
    runs.forEach(function (r) { maxE = Math.max(maxE, r.metrics.length); });
    var x = [];
    for (var e = 1; e <= maxE; e++) x.push(e);
    function overlay(key, scale) {
      return runs.map(function (r) {
        return { label: r.name, values: x.map(function (_, i) { var m = r.metrics[i]; return m && m[key] !== null && m[key] !== undefined ? m[key] * (scale || 1) : null; }) };
      });
    }
    lines(charts, 'Test accuracy per epoch', 'epoch', 'accuracy (%)', x, overlay('testAccuracy', 100));
    lines(charts, 'Training loss per epoch', 'epoch', 'loss', x, overlay('trainLoss'));
    lines(charts, 'Training accuracy per epoch', 'epoch', 'accuracy (%)', x, overlay('trainAccuracy', 100));
    var tauRuns = runs.map(function (r) {
      var layers = r.metrics.length ? Object.keys(r.metrics[r.metrics.length - 1].tau || {}) : [];
      var mean = x.map(function (_, i) {
        var m = r.metrics[i];
        if (!m || !m.tau) return null;
        var vals = layers.map(function (l) { return m.tau[l]; }).filter(function (v) { return typeof v === 'number'; });
        return vals.length ? vals.reduce(function (a, b) { return a + b; }, 0) / vals.length : null;
      });
      return { label: r.name, values: mean };
    });
    lines(charts, 'Mean membrane time constant tau over the layers', 'epoch', 'tau', x, tauRuns, { note: 'LIF keeps its tau fixed; PLIF learns it per layer' });
  } else {
    var epochs = data.metrics.map(function (m) { return m.epoch; });
    lines(charts, 'Loss per epoch', 'epoch', 'loss', epochs, [
      { label: 'train loss', values: byEpoch('trainLoss') },
      { label: 'test loss', values: byEpoch('testLoss'), dash: [6, 4] },
    ]);
    lines(charts, 'Accuracy per epoch', 'epoch', 'accuracy (%)', epochs, [
      { label: 'train accuracy', values: byEpoch('trainAccuracy').map(function (v) { return v === null ? null : 100 * v; }) },
      { label: 'test accuracy', values: byEpoch('testAccuracy').map(function (v) { return v === null ? null : 100 * v; }) },
    ]);
    lines(charts, 'Learned membrane time constant tau per layer', 'epoch', 'tau', epochs, perLayer('tau'));
    lines(charts, 'Firing rate per layer (test probe batch)', 'epoch', 'spikes / neuron / step', epochs, perLayer('firingRate'));
    var last = data.metrics[data.metrics.length - 1] || {};
    Object.keys(last.raster || {}).forEach(function (layer) {
      raster(charts, 'Spike raster, ' + layer + ' (test sample ' + last.raster[layer].sample + ', epoch ' + last.epoch + ')', last.raster[layer]);
    });
    Object.keys(last.membrane || {}).forEach(function (layer) {
      var tr = last.membrane[layer];
      var xs = tr.v.map(function (_, t) { return t; });
      lines(charts, 'Membrane potential, ' + layer + ' (test sample ' + tr.sample + ', epoch ' + last.epoch + ')', 'time step', 'v', xs,
        tr.neurons.map(function (n, k) { return { label: 'neuron ' + n, values: tr.v.map(function (row) { return row[k]; }) }; }),
        { note: 'v at the end of each step (after the reset of a neuron that fired)' });
    });
  }
  document.body.setAttribute('data-charts', String(document.querySelectorAll('.chart[data-drawn="1"]').length));
})();
`;
