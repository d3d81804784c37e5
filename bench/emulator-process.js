'use strict'
// The emulator in its own process (bin/wechat-emulator.js), so its CPU is not charged to the client measured.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const APP = { appid: 'wxbench00000000001', secret: 'bench-secret-000000000000000001' }

/** Starts the emulator (`more`: extra config fields); resolves to { url, control(action, args), close() }. */
function startEmulatorProcess(more = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-bench-'))
  const config = path.join(dir, 'emulator.json')
  fs.writeFileSync(config, JSON.stringify({ port: 0, apps: [APP], ...more }))
  const bin = path.join(__dirname, '..', 'bin', 'wechat-emulator.js')
  const child = spawn(process.execPath, [bin, '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.once('exit', (code) => reject(new Error(`the emulator exited early (${code})`)))
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = out.match(/http:\/\/\S+/)
      if (!match) return
      child.stdout.removeAllListeners('data')
      child.removeAllListeners('exit')
      const url = match[0]
      resolve({
        url,
        pid: child.pid,
        control: (action, args = {}) => control(url, action, args),
        close: () => stop(child, dir),
      })
    })
  })
}

async function control(url, action, args) {
  const res = await fetch(`${url}/__emulator/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) })
  const body = await res.json()
  if (!res.ok || !body.ok) throw new Error(`emulator ${action}: HTTP ${res.status} ${JSON.stringify(body)}`)
  return body.result
}

function stop(child, dir) {
  return new Promise((resolve) => {
    child.once('exit', () => {
      fs.rmSync(dir, { recursive: true, force: true })
      resolve()
    })
    child.kill('SIGTERM')
  })
}

module.exports = { startEmulatorProcess, APP }
