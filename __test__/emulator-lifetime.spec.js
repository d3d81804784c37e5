'use strict'
// A running emulator holds the process like an http.Server: a script that only starts one keeps serving (CommonJS
// and ESM) until close(); unref() lets the process exit while it runs.

const test = require('ava')
const path = require('node:path')
const { spawn } = require('node:child_process')

const EMULATOR = path.join(__dirname, '..', 'emulator.js')

/** Runs `source`; resolves { exited, url, answer } after `ms` (killing it if still alive, after one HTTP request). */
function runFor(source, ms, { esm = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(esm ? ['--input-type=module'] : []), '-e', source], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    let exited = false
    child.stdout.on('data', (d) => (out += d))
    child.on('exit', () => (exited = true))
    setTimeout(async () => {
      const url = out.trim().split('\n')[0]
      let answer = null
      if (!exited && url) answer = (await fetch(`${url}/cgi-bin/token?grant_type=client_credential&appid=x&secret=y`)).status
      child.kill()
      resolve({ exited, url, answer })
    }, ms)
  })
}

test('a script that only starts the emulator keeps serving (CommonJS)', async (t) => {
  const r = await runFor(`require(${JSON.stringify(EMULATOR)}).startEmulator().then((e) => console.log(e.url))`, 1500)
  t.false(r.exited)
  t.is(r.answer, 200)
})

test('a script that only starts the emulator keeps serving (ESM)', async (t) => {
  const url = require('node:url').pathToFileURL(EMULATOR).href
  const r = await runFor(`import { startEmulator } from ${JSON.stringify(url)}; const e = await startEmulator(); console.log(e.url)`, 1500, { esm: true })
  t.false(r.exited)
  t.is(r.answer, 200)
})

test('unref() lets the process exit; close() does too', async (t) => {
  const unref = await runFor(`require(${JSON.stringify(EMULATOR)}).startEmulator().then((e) => { e.unref(); console.log(e.url) })`, 1500)
  t.true(unref.exited)
  const closed = await runFor(`require(${JSON.stringify(EMULATOR)}).startEmulator().then(async (e) => { console.log(e.url); await e.close() })`, 1500)
  t.true(closed.exited)
})
