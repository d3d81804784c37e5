'use strict'
// Renders a run as one markdown table of ratios plus the targets, met or missed by how much.

const f = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a')
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN)
const x = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a')

function loadTable(cells) {
  const rows = [
    '| answer | conc. | ours calls/s | baseline calls/s | ceiling (wrk) calls/s | ours/baseline | ours/ceiling | p50 ms ours / base | p99 ms ours / base (ratio) | main-thread µs/call ours / base (ratio) | process µs/call ours / base | peak RSS MB ours / base |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const c of cells) {
    const { ours: o, baseline: b, ceiling: w } = c
    rows.push(
      `| ${c.endpoint} | ${c.concurrency} | ${f(o.callsPerSec, 0)} | ${f(b.callsPerSec, 0)} | ${w ? f(w.callsPerSec, 0) : 'n/a'} | ` +
        `${x(ratio(o.callsPerSec, b.callsPerSec))} | ${w ? x(ratio(o.callsPerSec, w.callsPerSec)) : 'n/a'} | ` +
        `${f(o.p50Ms, 2)} / ${f(b.p50Ms, 2)} | ${f(o.p99Ms, 2)} / ${f(b.p99Ms, 2)} (${x(ratio(o.p99Ms, b.p99Ms))}) | ` +
        `${f(o.mainUsPerCall)} / ${f(b.mainUsPerCall)} (${x(ratio(o.mainUsPerCall, b.mainUsPerCall))}) | ` +
        `${f(o.procUsPerCall)} / ${f(b.procUsPerCall)} | ${f(o.peakRssMb, 0)} / ${f(b.peakRssMb, 0)} |`,
    )
  }
  return rows.join('\n')
}

function extrasTable(extras) {
  const rows = ['| measure | ours | baseline |', '|---|---:|---:|']
  const burst = extras.burst
  if (burst) rows.push(`| token requests, ${burst.size} concurrent calls on a cold cache | ${burst.ours} | ${burst.baseline} |`)
  const soak = extras.soak
  if (soak) {
    const [first, last] = soak.checkpoints
    const heap = (at) => (soak.heap ? ` (V8 heap ${f(soak.heap[at])})` : '')
    rows.push(`| RSS MB after ${first.toLocaleString('en')} calls (small, conc. 256, after a full GC) | ${f(soak.rss[first])}${heap(first)} | |`)
    rows.push(`| RSS MB after ${last.toLocaleString('en')} calls | ${f(soak.rss[last])}${heap(last)}, ${f(soak.seconds, 0)} s | |`)
  }
  if (extras.requireMs !== undefined) rows.push(`| \`require()\` ms (fresh process, median of 5) | ${f(extras.requireMs, 2)} | |`)
  if (extras.nodeMb !== undefined) rows.push(`| release \`.node\` MB | ${f(extras.nodeMb, 2)} | |`)
  return rows.join('\n')
}

/** Each target with its measurement; a miss says by how much. */
function targets(cells, extras) {
  const out = []
  const check = (name, measured, ok, miss) => out.push(`| ${name} | ${measured} | ${ok ? 'met' : `**missed** ${miss}`} |`)
  for (const c of cells.filter((c) => c.concurrency === 256)) {
    const { ours: o, baseline: b, ceiling: w } = c
    const tput = ratio(o.callsPerSec, b.callsPerSec)
    check(`${c.endpoint}@256 calls/s ≥ 1.5× baseline`, x(tput), tput >= 1.5, `by ${f((1.5 - tput) * 100, 0)} points`)
    const cpu = ratio(o.mainUsPerCall, b.mainUsPerCall)
    check(`${c.endpoint}@256 main-thread CPU/call ≤ 0.5× baseline`, x(cpu), cpu <= 0.5, `by ${f((cpu - 0.5) * 100, 0)} points`)
    const p99 = ratio(o.p99Ms, b.p99Ms)
    check(`${c.endpoint}@256 p99 ≤ baseline`, x(p99), p99 <= 1, `by ${f((p99 - 1) * 100, 0)}%`)
    if (w) {
      const ceil = ratio(o.callsPerSec, w.callsPerSec)
      check(`${c.endpoint}@256 calls/s ≥ 0.5× ceiling`, x(ceil), ceil >= 0.5, `by ${f((0.5 - ceil) * 100, 0)} points`)
    }
  }
  if (extras.burst) check('1 token request per cold burst', String(extras.burst.ours), extras.burst.ours === 1, `(${extras.burst.ours})`)
  if (extras.soak) {
    const [first, last] = extras.soak.checkpoints
    const growth = extras.soak.rss[last] - extras.soak.rss[first]
    check(`RSS growth ${first}→${last} calls ≤ 20 MB`, `${f(growth)} MB`, growth <= 20, `by ${f(growth - 20)} MB`)
  }
  if (extras.requireMs !== undefined) {
    check('`require()` < 10 ms', `${f(extras.requireMs, 2)} ms`, extras.requireMs < 10, `by ${f(extras.requireMs - 10, 2)} ms`)
  }
  return ['| target | measured | verdict |', '|---|---:|---|', ...out].join('\n')
}

function render(run) {
  const m = run.machine
  return [
    `Run ${m.date} on ${m.nproc} × ${m.cpu}, ${m.memGb} GB, Node ${m.node}, ${m.rust}; load average before ${m.loadBefore}, after ${m.loadAfter}.`,
    `Each cell: ${run.settings.calls ? `${run.settings.calls} calls` : `${run.settings.seconds} s`} measured after ${run.settings.warmSeconds} s warm-up, ${run.settings.rounds} round(s) alternating ours and baseline, best round kept; main-thread CPU is the event-loop thread's own time (/proc schedstat), process CPU includes tokio's and libuv's threads; large answer = batchGetOrder of 100 orders with ${run.settings.htmlKb} KiB waybill HTML (${f(run.settings.largeKb, 0)} KiB of JSON).`,
    '',
    loadTable(run.cells),
    '',
    extrasTable(run.extras),
    '',
    targets(run.cells, run.extras),
  ].join('\n')
}

module.exports = { render, ratio }
