'use strict'
// Which platform this is, in napi-rs's names (linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc):
// shared by the loader (binding.js) and the from-source install (scripts/install.js).

const PACKAGE = 'wechat-openapi'
/** Linux gnu binaries are linked against this glibc (checked by scripts/check-glibc.js). */
const MIN_GLIBC = '2.17'

/** The glibc version Node runs on ('2.36'), or null on musl and other systems. */
function glibcVersion() {
  if (process.platform !== 'linux') return null
  try {
    return process.report.getReport().header.glibcVersionRuntime || null
  } catch {
    return null
  }
}

/** { os, arch, libc, glibc, id }: id is the platform part of the binary's and the package's names. */
function detect() {
  const os = process.platform
  const arch = process.arch
  const glibc = glibcVersion()
  let libc = null
  let abi = ''
  if (os === 'linux') {
    libc = glibc ? 'glibc' : 'musl'
    abi = glibc ? '-gnu' : '-musl'
  } else if (os === 'win32') {
    abi = '-msvc'
  }
  return { os, arch, libc, glibc, id: `${os}-${arch}${abi}` }
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
