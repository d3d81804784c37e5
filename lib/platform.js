'use strict'
// Which platform this is, in napi-rs's names (linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc):
// shared by the loader (lib/binding.js) and the from-source install (scripts/install.js).

const PACKAGE = 'wechat-openapi'
/** Linux gnu binaries are linked against this glibc (checked by scripts/check-glibc.js). */
const MIN_GLIBC = '2.17'

/** The glibc version Node runs on ('2.36'), or null on musl and other systems. Slow (a whole diagnostic report,
 * tens of ms): only an error message and the installer read it. */
function glibcVersion() {
  if (process.platform !== 'linux') return null
  try {
    return process.report.getReport().header.glibcVersionRuntime || null
  } catch {
    return null
  }
}

/** Whether this Linux Node runs on glibc, read from the program interpreter its executable names in its first
 * page (ld-linux-… or ld-musl-…): one small read, not a report. Falls back to the report when that says neither. */
function onGlibc() {
  const fs = require('node:fs')
  let fd
  try {
    fd = fs.openSync(process.execPath, 'r')
    const head = Buffer.alloc(4096)
    const text = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0)).toString('latin1')
    if (text.includes('/ld-musl-')) return false
    if (text.includes('/ld-linux')) return true
  } catch {
    // unreadable executable: ask the report
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
  return glibcVersion() !== null
}

/** { os, arch, libc, glibc, id }: id is the platform part of the binary's and the package's names; glibc is
 * read when first asked for. */
function detect() {
  const os = process.platform
  const arch = process.arch
  let libc = null
  let abi = ''
  if (os === 'linux') {
    const gnu = onGlibc()
    libc = gnu ? 'glibc' : 'musl'
    abi = gnu ? '-gnu' : '-musl'
  } else if (os === 'win32') {
    abi = '-msvc'
  }
  const platform = { os, arch, libc, id: `${os}-${arch}${abi}` }
  let glibc
  Object.defineProperty(platform, 'glibc', {
    enumerable: true,
    get: () => (glibc === undefined ? (glibc = libc === 'glibc' ? glibcVersion() : null) : glibc),
  })
  return platform
}

/** The file a local build (npm run build, --build-from-source, prepare) is loaded from. */
function localBinaryName(id) {
  return `${PACKAGE}.${id}.node`
}

/** a < b for 'major.minor' versions. */
function olderThan(a, b) {
  const [x, y] = [a, b].map((v) => String(v).split('.').map(Number))
  return x[0] < y[0] || (x[0] === y[0] && (x[1] || 0) < (y[1] || 0))
}

/** napi-rs's platform name of a Rust target triple (x86_64-unknown-linux-gnu → linux-x64-gnu). */
function napiPlatform(triple) {
  const [cpu, , sys, abi] = triple.split('-')
  const arch = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }[cpu] || cpu
  if (triple.includes('apple-darwin')) return `darwin-${arch}`
  if (triple.includes('windows')) return `win32-${arch}-${abi}`
  return `${sys}-${arch}-${abi}`
}

module.exports = { PACKAGE, MIN_GLIBC, detect, localBinaryName, olderThan, napiPlatform }
