#!/usr/bin/env node
'use strict'
// Instructions per call, a figure that does not move with the machine's noise: callgrind counts every user-space
// instruction of the client process (all its threads), once after a short run and once after a long one; the
// difference divided by the difference in calls is one call's cost with start-up and warm-up subtracted. The
// emulator runs in its own process, outside the count. Ours and the undici baseline, small and large answers.
//   node bench/instructions.js [--short 200] [--long 700] [--large-short 10] [--large-long 40] [--kinds ours,undici] [--concurrency 8]

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { parseArgs } = require('node:util')
const { startEmulatorProcess, APP } = require('./emulator-process.js')
const { prepare } = require('./fixtures.js')

const OPTIONS = {
  short: { type: 'string', default: '200' },
  long: { type: 'string', default: '700' },
  'large-short': { type: 'string', default: '10' },
  'large-long': { type: 'string', default: '40' },
  kinds: { type: 'string', default: 'ours,undici' },
  endpoints: { type: 'string', default: 'small,large' },
  concurrency: { type: 'string', default: '8' },
}

/** Total instructions callgrind counted for one run of the probe. */
function countInstructions(kind, endpoint, calls, url, params, concurrency) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-ir-')), 'callgrind.out')
  execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, path.join(__dirname, 'ir-probe.js'), kind, endpoint, String(calls)], {
    env: { ...process.env, WECHAT_API_BASE: url, WECHAT_BENCH_PARAMS: JSON.stringify(params), WECHAT_BENCH_CONCURRENCY: concurrency },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  })
  const text = fs.readFileSync(out, 'utf8')
  fs.rmSync(path.dirname(out), { recursive: true, force: true })
  const line = text.split('\n').find((l) => l.startsWith('summary:') || l.startsWith('totals:'))
  return Number(line.split(/\s+/)[1])
}

/** [{ kind, endpoint, perCall }] for each client and endpoint asked for. */
async function measure(argv = process.argv.slice(2)) {
  const { values: v } = parseArgs({ args: argv, options: OPTIONS })
  const runs = { small: [Number(v.short), Number(v.long)], large: [Number(v['large-short']), Number(v['large-long'])] }
  // Under valgrind a JS client can spend more than the emulator's 10 s between two requests on one kept-alive
  // connection (a 1 MB answer through the interpreter); the emulator would close it under undici's next request.
  const emu = await startEmulatorProcess({ headerTimeoutMs: 600000 })
  try {
    const fixtures = await prepare(emu, APP)
    const rows = []
    for (const endpoint of v.endpoints.split(',')) {
      for (const kind of v.kinds.split(',')) {
        const [short, long] = runs[endpoint]
        const a = countInstructions(kind, endpoint, short, emu.url, fixtures[endpoint].params, v.concurrency)
        const b = countInstructions(kind, endpoint, long, emu.url, fixtures[endpoint].params, v.concurrency)
        const row = { kind, endpoint, perCall: Math.round((b - a) / (long - short)) }
        console.log(`${kind} ${endpoint}: ${row.perCall} instructions per call (concurrency ${v.concurrency}, calls ${short}→${long})`)
        rows.push(row)
      }
    }
    return rows
  } finally {
    await emu.close()
  }
}

if (require.main === module) {
  measure().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}

module.exports = { measure }
