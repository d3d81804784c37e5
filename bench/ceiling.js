'use strict'
// The ceiling: the emulator driven by wrk on the same endpoint, with a valid token in the URL.

const { execFile } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ENDPOINTS } = require('./fixtures.js')

function hasWrk() {
  return ['/usr/bin/wrk', '/usr/local/bin/wrk'].some((p) => fs.existsSync(p)) || (process.env.PATH || '').split(':').some((d) => fs.existsSync(path.join(d, 'wrk')))
}

/** { callsPerSec, p50Ms, p99Ms, errors } for `endpoint` at `concurrency`, or null without wrk. */
async function wrk({ url, token, endpoint, wire, concurrency, seconds }) {
  if (!hasWrk()) return null
  const target = `${url}${ENDPOINTS[endpoint].path}?access_token=${encodeURIComponent(token)}`
  const args = ['-t1', `-c${concurrency}`, `-d${Math.max(1, Math.round(seconds))}s`, '--latency', '--timeout', '10s']
  const env = { ...process.env }
  let bodyFile
  if (ENDPOINTS[endpoint].verb === 'POST') {
    bodyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wrk-')), 'body.json')
    fs.writeFileSync(bodyFile, wire)
    env.WRK_BODY_FILE = bodyFile
    args.push('-s', path.join(__dirname, 'post.lua'))
  }
  args.push(target)
  const out = await new Promise((resolve, reject) =>
    execFile('wrk', args, { env, maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  )
  if (bodyFile) fs.rmSync(path.dirname(bodyFile), { recursive: true, force: true })
  return parse(out)
}

function parse(out) {
  const rate = out.match(/Requests\/sec:\s+([\d.]+)/)
  const errors = out.match(/Non-2xx or 3xx responses:\s+(\d+)/)
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/)
  return {
    callsPerSec: rate ? Number(rate[1]) : NaN,
    p50Ms: latency(out, '50%'),
    p99Ms: latency(out, '99%'),
    errors: (errors ? Number(errors[1]) : 0) + (socket ? socket.slice(1).reduce((s, n) => s + Number(n), 0) : 0),
  }
}

function latency(out, label) {
  const m = out.match(new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`))
  if (!m) return NaN
  return Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3 }[m[2]]
}

module.exports = { wrk, hasWrk, parse }
