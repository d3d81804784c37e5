'use strict'
// Bun and Deno load Node-API addons too, and export libuv's names without Node's libuv behind them (a stub
// that aborts, an emulation that aborts in V8): calls there must stay on the calls thread and answer as under
// Node, never take the process down. Their binaries come from npm (`.ci/run` installs them into
// target/runtimes); elsewhere a missing one is skipped with a note, under CI it is a failure.

const test = require('ava')
const { execFile, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { emulator } = require('./helpers.js')

const CHILD = path.join(__dirname, 'helpers', 'other-runtime-child.cjs')
const INSTALLED = path.join(__dirname, '..', 'target', 'runtimes', 'node_modules')

const RUNTIMES = [
  { name: 'bun', installed: path.join(INSTALLED, '@oven', 'bun-linux-x64', 'bin', 'bun'), args: [CHILD] },
  { name: 'deno', installed: path.join(INSTALLED, '@deno', 'linux-x64-glibc', 'deno'), args: ['run', '--allow-all', CHILD] },
]

/** The runtime's binary: the one .ci/run installs, else one on PATH; null when there is none. */
function binary({ name, installed }) {
  if (fs.existsSync(installed)) return installed
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0 ? name : null
}

test.before(async (t) => {
  t.context.emu = await emulator()
})
test.after.always(async (t) => t.context.emu.close())

for (const runtime of RUNTIMES) {
  test(`under ${runtime.name}, calls answer and fail as under Node, and the process lives`, async (t) => {
    const bin = binary(runtime)
    if (!bin) {
      // .ci/run installs the linux x64 builds; elsewhere, as on a contributor's machine, a missing one is noted.
      if (process.env.CI && process.platform === 'linux' && process.arch === 'x64') {
        t.fail(`${runtime.name} is required in CI (.ci/run installs it into target/runtimes)`)
      } else {
        t.log(`${runtime.name} not installed: skipped (.ci/run installs it)`)
        t.pass()
      }
      return
    }
    const { code, stdout, stderr } = await new Promise((resolve) => {
      const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }
      execFile(bin, [...runtime.args, t.context.emu.url], { timeout: 60000, env }, (error, out, err) => {
        resolve({ code: error ? error.code ?? error.signal : 0, stdout: out, stderr: err })
      })
    })
    t.is(code, 0, stderr)
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
    t.truthy(line, stdout + stderr)
    t.deepEqual(JSON.parse(line.slice('RESULT '.length)), { ok: 20, failure: { openApiError: true, errCode: 40125, leaks: false } })
  })
}
