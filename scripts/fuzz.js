#!/usr/bin/env node
'use strict'
// Coverage-guided fuzzing (`npm run fuzz`; not part of `npm test`): every cargo-fuzz target in fuzz/ runs for a
// budget of executions (libFuzzer `-runs=N`), niced so other builds keep moving. It installs cargo-fuzz when it
// is absent, seeds each corpus with real inputs, sums the executions, fails on any crash (the input is left in
// fuzz/artifacts/<target>/) and writes the figures to bench/FUZZ.md.
//
//   node scripts/fuzz.js [--runs 2000000] [--only answer,case] [--set case=4000000] [--sanitizer none|address]
//                        [--max-len 4096] [--jobs 1] [--max-seconds 900] [--no-report]
// --jobs runs that many targets at once (still niced); --max-seconds caps each target's time (libFuzzer
// -max_total_time), so a slow target ends early rather than hold the rest up: its executions say what it did.
//
// A crash found here becomes a regular unit test next to the code it broke, with the input inlined.

const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')

const ROOT = path.join(__dirname, '..')
const FUZZ = path.join(ROOT, 'fuzz')
const TARGETS = ['answer', 'params', 'push_xml', 'decrypt', 'case']
const TOOLCHAIN = process.env.FUZZ_TOOLCHAIN || 'nightly'

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    only: { type: 'string' },
    set: { type: 'string', multiple: true },
    sanitizer: { type: 'string' },
    'max-len': { type: 'string' },
    'no-report': { type: 'boolean' },
    jobs: { type: 'string' },
    'max-seconds': { type: 'string' },
  },
})
const runsDefault = Number(values.runs ?? 2_000_000)
const budgets = Object.fromEntries(TARGETS.map((t) => [t, runsDefault]))
for (const pair of values.set ?? []) {
  const [name, n] = pair.split('=')
  if (!TARGETS.includes(name) || !(Number(n) > 0)) throw new Error(`--set ${pair}: want <target>=<runs>, targets ${TARGETS.join(', ')}`)
  budgets[name] = Number(n)
}
const chosen = values.only ? values.only.split(',') : TARGETS
for (const t of chosen) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}; targets: ${TARGETS.join(', ')}`)
const sanitizer = values.sanitizer ?? 'address'
const maxLen = Number(values['max-len'] ?? 4096)
const jobs = Math.max(1, Number(values.jobs ?? 1))
const maxSeconds = Number(values['max-seconds'] ?? 900)

function cargo(args, opts = {}) {
  return spawnSync('cargo', [`+${TOOLCHAIN}`, ...args], { cwd: ROOT, encoding: 'utf8', ...opts })
}

function ensureCargoFuzz() {
  if (cargo(['fuzz', '--version']).status === 0) return
  console.log('cargo-fuzz is absent: cargo install cargo-fuzz')
  const r = spawnSync('cargo', ['install', 'cargo-fuzz', '--locked'], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error('could not install cargo-fuzz')
}

// ---- seeds: real inputs each target starts from -------------------------------------------------------------

const TABLE = require(path.join(ROOT, 'api', 'endpoints.json'))
const rowByte = (name) => TABLE.findIndex((r) => r.name === name) + 1
const bytes = (...parts) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))))

/** An addOrder request, cut down to what reaches each kind of check (nested objects, arrays, a long integer). */
const ORDER = {
  orderId: 'o-1', openid: 'oUser1', deliveryId: 'SF', bizId: 'SF_CASH', addSource: 0,
  sender: { name: '张三', mobile: '13800000000' },
  cargo: { count: 1, weight: 1.2, detailList: [{ name: '书', count: 1 }] },
  shop: { goodsName: '书', goodsCount: 1 },
  tagid: 12345678901234567890n,
}
const json = (v) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `\u0000wxbig:${x}` : x))

/** WXBizMsgCrypt plaintext: 16 random bytes, 4-byte length, message, appid, PKCS#7 to 32. */
function plaintext(msg, appid = 'wxfuzzappid0000001') {
  const m = Buffer.from(msg)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(m.length)
  const body = Buffer.concat([Buffer.alloc(16, 7), len, m, Buffer.from(appid)])
  const pad = 32 - (body.length % 32)
  return Buffer.concat([body, Buffer.alloc(pad, pad)])
}

const TICKET = '<xml><AppId><![CDATA[wxcomponent0000001]]></AppId><CreateTime>1413192605</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[ticket@@@abc]]></ComponentVerifyTicket></xml>'
const AUTHORIZED = '<xml><AppId>wxcomponent0000001</AppId><CreateTime>1413192760</CreateTime><InfoType>authorized</InfoType><AuthorizerAppid>wxmerchant00001</AuthorizerAppid><AuthorizationCode>code&amp;1</AuthorizationCode><AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime><PreAuthCode>preauth</PreAuthCode></xml>'

function seeds() {
  const getAllAccount = '{"errcode":0,"errmsg":"ok","count":1,"list":[{"biz_id":"b","delivery_id":"SF","service_type":[{"service_type":1,"service_name":"标快"}],"create_time":1700000000}],"order_id":12345678901234567890}'
  return {
    answer: [
      bytes([rowByte('logistics.getAllAccount'), 0], getAllAccount),
      bytes([rowByte('logistics.addOrder'), 0x80], '{"errcode":0,"errmsg":"ok","order_id":"o","waybill_id":"SF1","waybill_data":[{"key":"k","value":"v"}]}'),
      bytes([0, 0x08], '{"errcode":"40001","errmsg":"invalid credential rid: 1-2-3","a":1,"a":2}'),
      bytes([rowByte('logistics.getOrder'), 0x05], '<html><body>502</body></html>'),
      bytes([0, 0x18], Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])),
      bytes([1, 0x01], '{"errcode":0,"big":-123456789012345678901234567890,"f":1.5e300,"s":"\\u0000wxbig:1","nested":[[{"x_y":{"_z":null}}]]}'),
    ],
    params: [
      ...TABLE.map((_, i) => bytes([i + 1], '{}')),
      bytes([rowByte('logistics.addOrder')], json(ORDER)),
      bytes([rowByte('logistics.addOrder') | 0x80], JSON.stringify({ order_id: 'o', delivery_id: 'SF' })),
      bytes([rowByte('logistics.getAllAccount')], ''),
      bytes([0], '{"any":[1,{"deepKey":"\\u0000wxbig:99999999999999999999"}]}'),
    ],
    push_xml: [TICKET, AUTHORIZED, '<?xml version="1.0"?><xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>'].map((s) => bytes(s)),
    decrypt: [
      bytes([0], 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=='),
      bytes([1], plaintext(TICKET)),
      bytes([1], plaintext('')),
      bytes([2], plaintext(AUTHORIZED)),
    ],
    case: [
      '{"orderId":1,"list":[{"biz_id":"x","service_type":[{"a_b":1,"URL":"u"}]}],"_a":1,"a__b":2,"a_":3,"a_1":4,"openAppId":"x","中_文":5}',
      'openAppId',
      'delivery_resultcode',
      '[{"aB":1,"a_b":2}]',
    ].map((s) => bytes(s)),
  }
}

function writeSeeds(target) {
  const dir = path.join(FUZZ, 'corpus', target)
  fs.mkdirSync(dir, { recursive: true })
  seeds()[target].forEach((b, i) => fs.writeFileSync(path.join(dir, `seed-${i}`), b))
  return dir
}

// ---- running -------------------------------------------------------------------------------------------------

function stat(text, name) {
  const m = text.match(new RegExp(`stat::${name}:\\s+(\\d+)`))
  return m ? Number(m[1]) : null
}

function runTarget(target, runs) {
  const corpus = writeSeeds(target)
  const args = [
    '-n', '10', 'cargo', `+${TOOLCHAIN}`, 'fuzz', 'run', '--fuzz-dir', FUZZ, '-s', sanitizer, target, corpus, '--',
    `-runs=${runs}`, `-max_total_time=${maxSeconds}`, `-max_len=${maxLen}`, '-print_final_stats=1', '-rss_limit_mb=4096', '-timeout=10',
  ]
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn('nice', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    const keep = (chunk) => {
      log += chunk
      if (log.length > 4_000_000) log = log.slice(-2_000_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('close', (code) => {
      const seconds = (Date.now() - started) / 1000
      const executions = stat(log, 'number_of_executed_units') ?? 0
      const artifacts = path.join(FUZZ, 'artifacts', target)
      const crashes = fs.existsSync(artifacts) ? fs.readdirSync(artifacts).filter((f) => /^(crash|leak|timeout|oom)-/.test(f)) : []
      resolve({
        target,
        runs,
        code,
        seconds,
        executions,
        perSecond: stat(log, 'average_exec_per_sec') ?? 0,
        newUnits: stat(log, 'new_units_added') ?? 0,
        peakRssMb: stat(log, 'peak_rss_mb') ?? 0,
        corpus: fs.readdirSync(corpus).length,
        crashes,
        failed: code !== 0 || crashes.length > 0,
        tail: log.split('\n').slice(-40).join('\n'),
      })
    })
  })
}

const REPORT = path.join(ROOT, 'bench', 'FUZZ.md')

/** Rows of targets this run left out, kept from the last report (so `--only x` updates x's row alone). */
function keptRows(ran) {
  if (!fs.existsSync(REPORT)) return []
  return fs.readFileSync(REPORT, 'utf8').split('\n')
    .map((line) => line.match(/^\| `(\w+)` \|.*\| ([\d,]+) \| (\d+) \| [\d,]+ \| \d+ \| \d+ \| \d+ \| (\d+) \|(?: (.*) \|)?$/))
    .filter((m) => m && TARGETS.includes(m[1]) && !ran.includes(m[1]))
    .map((m) => ({ line: m[0], target: m[1], executions: Number(m[2].replace(/,/g, '')), crashes: Number(m[4]) }))
}

function report(results, total, wall) {
  const kept = keptRows(results.map((r) => r.target))
  total += kept.reduce((n, k) => n + k.executions, 0)
  const crashes = results.reduce((n, r) => n + r.crashes.length + (r.code !== 0 && r.crashes.length === 0 ? 1 : 0), 0) +
    kept.reduce((n, k) => n + k.crashes, 0)
  const rustc = cargo(['--version']).stdout.trim()
  const fuzzVersion = cargo(['fuzz', '--version']).stdout.trim()
  const lines = [
    '# Fuzzing figures',
    '',
    'Written by `npm run fuzz` (scripts/fuzz.js): each cargo-fuzz target in `fuzz/` (libFuzzer, coverage-guided) ran for a',
    'budget of executions (`-runs=N`), seeded with real inputs, under `nice -n 10`. A crash fails the run and leaves its input in',
    '`fuzz/artifacts/<target>/`; each one found becomes a regular unit test.',
    '',
    `Run: ${new Date().toISOString()}, ${fuzzVersion}, ${rustc}, sanitizer ${sanitizer}, max_len ${maxLen}, ${jobs} target(s) at a time, ${require('node:os').cpus().length} cores shared with other builds (load average ${require('node:os').loadavg()[0].toFixed(1)} at the end). Time is wall-clock.`,
    '',
    '| target | what it reads | executions | time (s) | exec/s | corpus (files) | new units | peak RSS (MB) | crashes | run |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ]
  const today = new Date().toISOString().slice(0, 16).replace('T', ' ')
  const what = {
    answer: 'WeChat answers: `exchange::answer` + `transcode` (status, content type, row, body)',
    params: "callers' params: `exchange::prepare` (the production preparation, fromConfig included) over every table row and a raw path",
    push_xml: 'push XML: `crypto::parse_flat` (+ rebuild round trip), `PushEvent::parse`',
    decrypt: 'WXBizMsgCrypt `decrypt` / `decrypt_push` with a fixed key (raw plaintexts encrypted in the target)',
    case: 'case conversion: `snake_key`, `camel_key`, `convert_keys` both ways',
  }
  for (const r of results) {
    const crashed = r.crashes.length + (r.code !== 0 && r.crashes.length === 0 ? 1 : 0)
    lines.push(`| \`${r.target}\` | ${what[r.target]} | ${r.executions.toLocaleString('en')} | ${r.seconds.toFixed(0)} | ${r.perSecond.toLocaleString('en')} | ${r.corpus} | ${r.newUnits} | ${r.peakRssMb} | ${crashed} | ${today} |`)
  }
  for (const k of kept) lines.push(k.line.match(/\|$/) && !/ \d{4}-\d\d-\d\d /.test(k.line) ? `${k.line} earlier run |` : k.line)
  lines.push(`| **all** | | **${total.toLocaleString('en')}** | | | | | | **${crashes}** | |`, '')
  lines.push(`This run: ${results.map((r) => r.target).join(', ')} in ${wall.toFixed(0)} s wall-clock.` +
    (kept.length ? ` Kept from an earlier run: ${kept.map((k) => k.target).join(', ')}.` : ''), '')
  return { text: lines.join('\n'), crashes }
}

async function main() {
  ensureCargoFuzz()
  console.log(`building ${chosen.join(', ')} (sanitizer ${sanitizer})`)
  const build = spawnSync('nice', ['-n', '10', 'cargo', `+${TOOLCHAIN}`, 'fuzz', 'build', '--fuzz-dir', FUZZ, '-s', sanitizer], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('cargo fuzz build failed')
  const started = Date.now()
  const results = new Array(chosen.length)
  let next = 0
  const worker = async () => {
    while (next < chosen.length) {
      const i = next++
      const target = chosen[i]
      console.log(`fuzz ${target}: ${budgets[target].toLocaleString('en')} runs`)
      const r = await runTarget(target, budgets[target])
      results[i] = r
      console.log(`${target}: ${r.executions.toLocaleString('en')} executions in ${r.seconds.toFixed(0)} s (${r.perSecond}/s), corpus ${r.corpus}, ${r.failed ? 'FAILED' : 'no crash'}`)
      if (r.failed) console.log(r.tail)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, chosen.length) }, worker))
  const total = results.reduce((n, r) => n + r.executions, 0)
  const wall = (Date.now() - started) / 1000
  const { text, crashes } = report(results, total, wall)
  console.log(`this run: ${total.toLocaleString('en')} executions in ${wall.toFixed(0)} s; report: ${crashes} crashes`)
  if (!values['no-report']) {
    fs.writeFileSync(REPORT, text)
    console.log('wrote bench/FUZZ.md')
  }
  if (crashes > 0) process.exitCode = 1
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
