'use strict'
// Renders a run as markdown: per cell the three clients and the ceiling side by side, every ratio ours/undici,
// ours/fetch and ours/ceiling, then the extras and the issue's targets (against undici), met or missed by how much.

const f = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a')
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN)
const x = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a')

/** One measure of a cell: ours / undici / fetch, then ours/undici and ours/fetch. */
function triple(c, read, digits) {
  const [o, u, b] = [read(c.ours), read(c.undici), read(c.fetch)]
  return `${f(o, digits)} / ${f(u, digits)} / ${f(b, digits)} | ${x(ratio(o, u))} | ${x(ratio(o, b))}`
}

function loadTable(cells) {
  const rows = [
    '| answer | conc. | measure | ours / undici / fetch | ours/undici | ours/fetch | ceiling (wrk) | ours/ceiling |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
  ]
  for (const c of cells) {
    const w = c.ceiling
    const at = `| ${c.endpoint} | ${c.concurrency} |`
    rows.push(`${at} calls/s | ${triple(c, (m) => m.callsPerSec, 0)} | ${w ? f(w.callsPerSec, 0) : 'n/a'} | ${w ? x(ratio(c.ours.callsPerSec, w.callsPerSec)) : 'n/a'} |`)
    rows.push(`${at} latency p50 ms | ${triple(c, (m) => m.p50Ms, 2)} | ${w ? f(w.p50Ms, 2) : 'n/a'} | |`)
    rows.push(`${at} latency p99 ms | ${triple(c, (m) => m.p99Ms, 2)} | ${w ? f(w.p99Ms, 2) : 'n/a'} | |`)
    rows.push(`${at} event-loop µs/call | ${triple(c, (m) => m.mainUsPerCall, 1)} | | |`)
    rows.push(`${at} process CPU µs/call | ${triple(c, (m) => m.procUsPerCall, 1)} | | |`)
    rows.push(`${at} peak RSS MB | ${triple(c, (m) => m.peakRssMb, 0)} | | |`)
  }
  return rows.join('\n')
}

function extrasTable(extras) {
  const rows = ['| measure | ours | undici | fetch |', '|---|---:|---:|---:|']
  const burst = extras.burst
  if (burst) rows.push(`| token requests, ${burst.size} concurrent calls on a cold cache | ${burst.ours} | ${burst.undici} | ${burst.fetch} |`)
  const soak = extras.soak
  if (soak) {
    const [first, last] = soak.checkpoints
    const at = (kind, n, seconds) => {
      const s = soak[kind]
      if (!s) return ''
      return `${f(s.rss[n])} (V8 heap in use ${f(s.heap[n])}, V8 young generation ${f(s.young[n])})${seconds ? `, ${f(s.seconds, 0)} s` : ''}`
    }
    rows.push(`| RSS MB after ${first.toLocaleString('en')} calls (small, conc. 128, after a full GC) | ${at('ours', first)} | ${at('undici', first)} | |`)
    rows.push(`| RSS MB after ${last.toLocaleString('en')} calls | ${at('ours', last, true)} | ${at('undici', last, true)} | |`)
  }
  if (extras.requireMs !== undefined) rows.push(`| \`require()\` ms (fresh process, median of 5) | ${f(extras.requireMs, 2)} | | |`)
  if (extras.nodeMb !== undefined) rows.push(`| release \`.node\` MB | ${f(extras.nodeMb, 2)} | | |`)
  return rows.join('\n')
}

/** callgrind's instructions per call (all threads of the client process), ours against undici. */
function instructionsTable(rows) {
  const out = ['| answer | ours instructions/call | undici instructions/call | ours/undici |', '|---|---:|---:|---:|']
  for (const endpoint of [...new Set(rows.map((r) => r.endpoint))]) {
    const of = (kind) => (rows.find((r) => r.endpoint === endpoint && r.kind === kind) || {}).perCall
    out.push(`| ${endpoint} | ${of('ours')?.toLocaleString('en') ?? 'n/a'} | ${of('undici')?.toLocaleString('en') ?? 'n/a'} | ${x(ratio(of('ours'), of('undici')))} |`)
  }
  return out.join('\n')
}

/** The issue's targets (issue 19), each against undici; a miss says by how much. */
function targets(cells, extras) {
  const out = []
  const atLeast = (name, r, want) => out.push(`| ${name} ≥ ${want}× undici | ${x(r)} | ${r >= want ? 'met' : `**missed** by ${f((want - r) * 100, 0)} points`} |`)
  const atMost = (name, r, want) => out.push(`| ${name} ≤ ${want}× undici | ${x(r)} | ${r <= want ? 'met' : `**missed** by ${f((r - want) * 100, 0)} points`} |`)
  const busiest = (endpoint) => cells.filter((c) => c.endpoint === endpoint).sort((a, b) => b.concurrency - a.concurrency)[0]
  const single = (endpoint) => cells.find((c) => c.endpoint === endpoint && c.concurrency === 1)
  const vs = (c, read) => ratio(read(c.ours), read(c.undici))
  const small = busiest('small')
  if (small) {
    atLeast(`small calls/s at c=${small.concurrency}`, vs(small, (m) => m.callsPerSec), 1.5)
    atMost(`small whole-process CPU/call at c=${small.concurrency}`, vs(small, (m) => m.procUsPerCall), 0.8)
    atMost(`small event-loop time/call at c=${small.concurrency}`, vs(small, (m) => m.mainUsPerCall), 0.4)
  }
  const one = single('small')
  if (one) atLeast('small calls/s at c=1', vs(one, (m) => m.callsPerSec), 1.2)
  const large = busiest('large')
  if (large) {
    atLeast(`large calls/s at c=${large.concurrency}`, vs(large, (m) => m.callsPerSec), 1.5)
    atMost(`large event-loop time/call at c=${large.concurrency}`, vs(large, (m) => m.mainUsPerCall), 0.3)
  }
  if (extras.burst) out.push(`| 1 token request per cold burst | ${extras.burst.ours} | ${extras.burst.ours === 1 ? 'met' : '**missed**'} |`)
  if (extras.soak) {
    const [first, last] = extras.soak.checkpoints
    // How much of it is V8 sizing its young generation up under load (capped, kept after a GC), not memory per call.
    const growthOf = ({ rss, young }) => ({ growth: rss[last] - rss[first], sized: young[last] - young[first] })
    const { growth, sized } = growthOf(extras.soak.ours)
    const undici = extras.soak.undici && growthOf(extras.soak.undici)
    const beside = undici ? `; undici's client: ${f(undici.growth)} MB, young generation ${f(undici.sized)} MB of it` : ''
    const split = ` (V8 young generation ${f(sized)} MB of it, the rest ${f(growth - sized)} MB${beside})`
    out.push(`| RSS after ${last} calls within 10 MB of after ${first} | ${f(growth)} MB${split} | ${growth <= 10 ? 'met' : `**missed** by ${f(growth - 10)} MB`} |`)
  }
  if (extras.requireMs !== undefined) {
    const ms = extras.requireMs
    out.push(`| \`require()\` < 10 ms | ${f(ms, 2)} ms | ${ms < 10 ? 'met' : `**missed** by ${f(ms - 10, 2)} ms`} |`)
  }
  return ['| target | measured | verdict |', '|---|---:|---|', ...out].join('\n')
}

function render(run) {
  const m = run.machine
  return [
    `Run ${m.date} on ${m.nproc} × ${m.cpu}, ${m.memGb} GB, Node ${m.node}, ${m.rust}; load average before ${m.loadBefore}, after ${m.loadAfter}.`,
    `Each cell: ${run.settings.calls ? `${run.settings.calls} calls` : `${run.settings.seconds} s`} measured after ${run.settings.warmSeconds} s warm-up, ${run.settings.rounds} round(s) rotating ours, undici and fetch, best round kept; event-loop time is the main thread's own CPU (/proc schedstat), process CPU includes tokio's and libuv's threads; large answer = batchGetOrder of 100 orders with ${run.settings.htmlKb} KiB waybill HTML (${f(run.settings.largeKb, 0)} KiB of JSON).`,
    '',
    loadTable(run.cells),
    '',
    extrasTable(run.extras),
    '',
    ...(run.extras.instructions ? [`Instructions per call (\`valgrind --tool=callgrind\`, client process, all threads; difference of two runs of different length at concurrency 8; \`npm run bench:instructions\`):`, '', instructionsTable(run.extras.instructions), ''] : []),
    targets(run.cells, run.extras),
  ].join('\n')
}

module.exports = { render, ratio }
