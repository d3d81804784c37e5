'use strict'
// Runs the wechat-openapi command as a child process, the way scripts do.

const { execFile, spawn } = require('node:child_process')
const path = require('node:path')

const BIN = path.join(__dirname, '..', '..', 'bin', 'wechat-openapi.js')
// A clean environment: no WECHAT_* from the developer's shell leaks into a test.
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WECHAT_')))

/** { code, stdout, stderr }; `input` goes to stdin. */
function cli(args, { env = {}, input } = {}) {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...BASE_ENV, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr })
    })
    if (input !== undefined) child.stdin.end(input)
  })
}

/** `wechat-openapi emulator ...` in the background: its URL, what it wrote to stderr so far, and stop() → exit code. */
async function emulatorProcess(args = []) {
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], { env: BASE_ENV })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const url = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      if (out.includes('\n')) resolve(out.split('\n')[0])
    })
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}`)))
  })
  const stop = () => {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    return exited
  }
  return { url, stop, child, stderr: () => stderr }
}

module.exports = { cli, emulatorProcess, BIN }
