#!/usr/bin/env node
'use strict'
// `npm run bench`: this addon vs. two baselines (undici.request over a keep-alive Pool, and fetch; both with a
// cached single-flight token and JS case conversion) vs. the ceiling (wrk on the emulator), on the same endpoints
// of an emulator in its own process. Prints one table and writes it into bench/RESULTS.md between the run
// markers (the notes around them are kept).
//   --seconds 5 --warm 1 --rounds 1 --concurrency 1,128 --long 1000000 --burst 1000 --html-kb 8
//   --endpoints small,large   --no-wrk   --no-soak   --no-instructions   --out FILE
//   --quick (the smoke run: a few hundred calls per client, no wrk, short soak)

const { execFile } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')
const { startEmulatorProcess, APP } = require('./emulator-process.js')
const { prepare } = require('./fixtures.js')
const { wrk } = require('./ceiling.js')
const { describe } = require('./machine.js')
const { render } = require('./table.js')
const { writeResults } = require('./results-file.js')
const instructions = require('./instructions.js')

function hasValgrind() {
  return (process.env.PATH || '').split(':').some((d) => fs.existsSync(path.join(d, 'valgrind')))
}

const OPTIONS = {
  seconds: { type: 'string', default: '5' },
  warm: { type: 'string', default: '1' },
  rounds: { type: 'string', default: '1' },
  concurrency: { type: 'string', default: '1,128' },
  long: { type: 'string', default: '1000000' },
  burst: { type: 'string', default: '1000' },
  'html-kb': { type: 'string', default: '8' },
  endpoints: { type: 'string', default: 'small,large' },
  'no-wrk': { type: 'boolean', default: false },
  'no-soak': { type: 'boolean', default: false },
  'no-instructions': { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  out: { type: 'string' },
}

function settingsFrom(argv) {
  const { values: v } = parseArgs({ args: argv, options: OPTIONS })
  const s = {
    seconds: Number(v.seconds),
    warmSeconds: Number(v.warm),
    rounds: Number(v.rounds),
    concurrency: v.concurrency.split(',').map(Number),
    long: Number(v.long),
    burst: Number(v.burst),
    htmlKb: Number(v['html-kb']),
    endpoints: v.endpoints.split(','),
    wrk: !v['no-wrk'],
    soak: !v['no-soak'],
    instructions: !v['no-instructions'],
    calls: undefined,
    out: v.out || path.join(__dirname, 'RESULTS.md'),
  }
  if (v.quick) Object.assign(s, { calls: 100, warmSeconds: 0, concurrency: [1, 16], long: 2000, burst: 100, wrk: false, rounds: 1, instructions: false })
  return s
}

function worker(spec) {
  const file = path.join(__dirname, 'worker.js')
  const flags = spec.mode === 'soak' ? ['--expose-gc'] : []
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [...flags, file, JSON.stringify(spec)], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`worker ${spec.mode} ${spec.kind || ''} failed: ${stderr || err.message}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop()))
    }),
  )
}

const KINDS = ['ours', 'undici', 'fetch']
// fetch is left out of the soak: a million calls at its rate would add minutes to every run.
const SOAKED = ['ours', 'undici']

/** Every client in turn, the order rotated each round so a burst of machine load hits all; best round kept. */
async function measureCell(s, base, endpoint, concurrency, fixture) {
  const best = {}
  for (let r = 0; r < s.rounds; r++) {
    const order = [...KINDS.slice(r % KINDS.length), ...KINDS.slice(0, r % KINDS.length)]
    for (const kind of order) {
      const got = await worker({ ...base, mode: 'load', kind, endpoint, params: fixture.params, concurrency, seconds: s.seconds, warmSeconds: s.warmSeconds, calls: s.calls })
      if (!best[kind] || got.callsPerSec > best[kind].callsPerSec) best[kind] = got
    }
  }
  return best
}

async function tokenBurst(s, base, emu) {
  const out = { size: s.burst }
  for (const kind of KINDS) {
    await emu.control('resetCounts')
    const got = await worker({ ...base, mode: 'burst', kind, endpoint: 'small', params: {}, size: s.burst })
    if (got.errors) throw new Error(`${kind}: ${got.errors} calls of the cold burst failed`)
    const counts = await emu.control('requestCounts')
    out[kind] = (counts['auth.getAccessToken'] || 0) + (counts['auth.getStableAccessToken'] || 0)
  }
  return out
}

async function requireMs(base) {
  const times = []
  for (let i = 0; i < 5; i++) times.push((await worker({ ...base, mode: 'require' })).requireMs)
  return times.sort((a, b) => a - b)[2]
}

function nodeFileMb() {
  const root = path.join(__dirname, '..')
  const file = fs.readdirSync(root).find((f) => f.endsWith('.node'))
  return file ? fs.statSync(path.join(root, file)).size / 2 ** 20 : undefined
}

async function main(argv = process.argv.slice(2)) {
  const s = settingsFrom(argv)
  const machine = describe()
  machine.loadBefore = machine.load()
  const emu = await startEmulatorProcess()
  try {
    const fixtures = await prepare(emu, APP, { htmlKb: s.htmlKb })
    s.largeKb = fixtures.largeBytes / 1024
    const base = { target: { url: emu.url, appid: APP.appid, secret: APP.secret } }
    const cells = []
    for (const endpoint of s.endpoints) {
      for (const concurrency of s.concurrency) {
        const cell = { endpoint, concurrency, ...(await measureCell(s, base, endpoint, concurrency, fixtures[endpoint])) }
        if (s.wrk) cell.ceiling = await wrk({ url: emu.url, token: fixtures.token, endpoint, wire: fixtures[endpoint].wire, concurrency, seconds: s.seconds })
        for (const kind of KINDS) if (cell[kind].errors) throw new Error(`${kind} ${endpoint}@${concurrency}: ${cell[kind].errors} failed calls`)
        cells.push(cell)
        const rate = (m) => (m ? Math.round(m.callsPerSec) : 'n/a')
        process.stderr.write(`${endpoint}@${concurrency}: ${KINDS.map((k) => `${k} ${rate(cell[k])}/s`).join(', ')}, wrk ${rate(cell.ceiling)}/s\n`)
      }
    }
    const extras = { burst: await tokenBurst(s, base, emu) }
    if (s.soak) {
      const checkpoints = [Math.min(10000, Math.floor(s.long / 2)), s.long]
      // undici's soak beside ours: how much of the growth any busy Node client shows (V8 sizing its heap up).
      extras.soak = { checkpoints }
      for (const kind of SOAKED) {
        const soak = await worker({ ...base, mode: 'soak', kind, endpoint: 'small', params: {}, concurrency: 128, checkpoints })
        if (soak.errors) throw new Error(`soak (${kind}): ${soak.errors} failed calls`)
        extras.soak[kind] = soak
      }
    }
    extras.requireMs = await requireMs(base)
    // callgrind (valgrind) when installed: the instruction counts that do not move with the machine's load.
    if (s.instructions && hasValgrind()) extras.instructions = await instructions.measure([])
    extras.nodeMb = nodeFileMb()
    machine.loadAfter = machine.load()
    const run = { machine, settings: s, cells, extras }
    const text = render(run)
    console.log(text)
    writeResults(s.out, text)
    return run
  } finally {
    await emu.close()
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e.stack || e.message)
    process.exit(1)
  })
}

module.exports = { main, KINDS }
