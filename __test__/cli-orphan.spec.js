'use strict'
// The CLI emulator in CI (issue 33, point 3): `npx wechat-openapi emulator &` then `kill $!` kills npx, not the
// emulator, which used to go on holding its port (the next run failed with EADDRINUSE). It now stops when the
// process that started it exits, and it takes --host for other containers.

const test = require('ava')
const path = require('node:path')
const { spawn } = require('node:child_process')

const CLI = path.join(__dirname, '..', 'bin', 'wechat-openapi.js')

/** The first line `child` prints on stdout. */
function firstLine(child) {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(out.split('\n')[0].trim())
    })
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing: ${out}`)))
  })
}

async function answers(url) {
  try {
    return (await fetch(`${url}/cgi-bin/token?grant_type=client_credential&appid=x&secret=y`)).status
  } catch (e) {
    return (e.cause && e.cause.code) || e.message
  }
}

async function eventually(check, ms) {
  const until = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value || Date.now() > until) return value
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('killing the process that started the emulator (npx, through a shell) stops it and frees its port', async (t) => {
  if (process.platform !== 'linux') return t.pass('reads /proc')
  // What `npx wechat-openapi emulator &` makes: npx, then npm's shell, then the CLI. Killed hard: nothing forwarded.
  const npxLike = spawn(process.execPath, ['-e', `
    const c = require('node:child_process').spawn('sh', ['-c', ${JSON.stringify(`"${process.execPath}" "${CLI}" emulator`)}], { stdio: ['ignore', 'pipe', 'ignore'] })
    c.stdout.pipe(process.stdout)
    setInterval(() => {}, 1000)
  `], { stdio: ['ignore', 'pipe', 'ignore'] })
  const url = await firstLine(npxLike)
  t.is(await answers(url), 200)
  npxLike.kill('SIGKILL')
  const freed = await eventually(async () => (await answers(url)) === 'ECONNREFUSED', 5000)
  t.true(freed, `still answering at ${url} 5 s after its starter died`)
})

test('SIGTERM stops it and frees its port; --host listens where asked', async (t) => {
  const child = spawn(process.execPath, [CLI, 'emulator', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const url = await firstLine(child)
  t.regex(url, /^http:\/\/0\.0\.0\.0:\d+$/)
  const local = url.replace('0.0.0.0', '127.0.0.1')
  t.is(await answers(local), 200)
  child.kill('SIGTERM')
  t.true(await eventually(async () => (await answers(local)) === 'ECONNREFUSED', 5000))
  const bad = spawn(process.execPath, [CLI, 'emulator', '--host', 'a b'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  bad.stderr.on('data', (d) => (err += d))
  const code = await new Promise((resolve) => bad.on('exit', resolve))
  t.not(code, 0)
  t.regex(err, /--host must be an interface address/)
})
