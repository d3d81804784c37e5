'use strict'
// Hardening, third round, class 10: an emulator whose handle nobody keeps (`startEmulator().then((e) => log(e.url))`)
// serves until close(), through garbage collections, as the README says; it used to stop at the first collection.

const test = require('ava')
const { execFile } = require('node:child_process')
const path = require('node:path')

const EMULATOR = path.join(__dirname, '..', '..', 'emulator.js')

// The handle is dropped at once; then collections run, and the emulator must still answer over HTTP.
const SCRIPT = `
const { startEmulator } = require(${JSON.stringify(EMULATOR)})
startEmulator().then((e) => { globalThis.url = e.url; if (process.argv[1] === 'unref') e.unref() })
setTimeout(async () => {
  for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 50)) }
  let status
  try {
    status = (await fetch(globalThis.url + '/cgi-bin/token?grant_type=client_credential&appid=x&secret=y')).status
  } catch (e) {
    status = 'refused: ' + (e.cause ? e.cause.code : e.message)
  }
  console.log(JSON.stringify({ status }))
  process.exit(0)
}, 300)
`

function run(mode) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', '-e', SCRIPT, mode], { timeout: 20000 }, (error, stdout, stderr) => resolve({ error, stdout, stderr }))
  })
}

for (const mode of ['held', 'unref']) {
  test(`an emulator nobody holds (${mode}) keeps serving through garbage collections until close()`, async (t) => {
    const { error, stdout, stderr } = await run(mode)
    t.falsy(error, stderr)
    t.deepEqual(JSON.parse(stdout.trim()), { status: 200 })
  })
}
