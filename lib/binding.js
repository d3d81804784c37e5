'use strict'
// Finds and loads the native addon (lib/ holds it, so nothing in lib/ reaches up to the package root for it). Hand-written (not napi's generated loader) so that a missing binary fails
// with one error that says what was detected, what is prebuilt, what really went wrong and how to get out.
//
// Looked for, in order:
//   1. ./wechat-openapi.<platform>.node  a local build: `npm run build` in a clone, the install script with
//                                        --build-from-source, or `prepare` when installed from git
//   2. wechat-openapi-<platform>         the prebuilt package npm installs through optionalDependencies
// <platform> is napi-rs's name: linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc, …

const { existsSync } = require('node:fs')
const path = require('node:path')
const { PACKAGE, MIN_GLIBC, detect, localBinaryName, olderThan, napiPlatform } = require('./platform.js')

/** The platforms with a prebuilt package (wechat-openapi-<platform>, an optional dependency): napi's targets. */
function prebuiltPlatforms() {
  return require('../package.json').napi.targets.map(napiPlatform)
}

function firstLine(e) {
  return String((e && e.message) || e).split('\n')[0]
}

function load() {
  const platform = detect()
  const tried = []
  const local = path.join(__dirname, '..', localBinaryName(platform.id))
  if (existsSync(local)) {
    try {
      return require(local)
    } catch (e) {
      tried.push(`${local}: ${firstLine(e)}`)
    }
  } else {
    tried.push(`${local}: not found (no local build)`)
  }
  const pkg = `${PACKAGE}-${platform.id}`
  try {
    return require(pkg)
  } catch (e) {
    const missing = e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(`'${pkg}'`)
    tried.push(`${pkg}: ${missing ? `not installed (${firstLine(e)})` : firstLine(e)}`)
  }
  throw loadError(platform, tried)
}

function loadError(platform, tried) {
  const prebuilt = prebuiltPlatforms()
  const hasPrebuilt = prebuilt.includes(platform.id)
  const glibcTooOld = platform.glibc && platform.id.endsWith('-gnu') && olderThan(platform.glibc, MIN_GLIBC)
  const libc = platform.os === 'linux' ? `${platform.libc}${platform.glibc ? ` ${platform.glibc}` : ''}` : 'n/a'
  const lines = [
    `wechat-openapi: no native binary could be loaded for ${platform.id}.`,
    `  Detected: os ${platform.os}, arch ${platform.arch}, libc ${libc}, Node.js ${process.version}.`,
    `  Prebuilt binaries exist for: ${prebuilt.join(', ') || '(none listed)'}${prebuilt.some((p) => p.endsWith('-gnu')) ? ` (Linux gnu builds need glibc >= ${MIN_GLIBC})` : ''}.`,
    '  Tried:',
    ...tried.map((t) => `    - ${t}`),
    '  Ways out:',
  ]
  if (glibcTooOld) {
    lines.push(`    1. This system's glibc ${platform.glibc} is older than ${MIN_GLIBC}, which the prebuilt binary needs: upgrade the system or use option 2.`)
  } else if (hasPrebuilt) {
    lines.push(
      `    1. Install the prebuilt binary: \`npm install ${PACKAGE}\` again without --omit=optional / --no-optional`,
      `       (or add \`${PACKAGE}-${platform.id}\` yourself when the lockfile was made on another platform).`,
    )
  } else {
    lines.push(`    1. There is no prebuilt binary for ${platform.id}; use a platform listed above, or option 2.`)
  }
  lines.push(
    '    2. Build it from source with Rust (cargo, https://rustup.rs): `npm install wechat-openapi --build-from-source`',
    '       or `WECHAT_OPENAPI_BUILD_FROM_SOURCE=1 npm install wechat-openapi` (a few minutes; in a clone: `npm run build`).',
  )
  const err = new Error(lines.join('\n'))
  err.code = 'ERR_WECHAT_OPENAPI_NO_BINARY'
  err.platform = platform
  return err
}

module.exports = load()
