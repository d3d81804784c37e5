#!/usr/bin/env node
'use strict'
// Builds the native addon from source with the user's own Rust toolchain. Needs only node and cargo (nothing
// from devDependencies, which an installed package does not have).
//   install (package.json "install"): only on request, i.e. `npm install wechat-openapi --build-from-source`
//            (npm sets npm_config_build_from_source) or WECHAT_OPENAPI_BUILD_FROM_SOURCE=1; otherwise the
//            prebuilt package from optionalDependencies is used and this does nothing.
//   prepare (package.json "prepare": `npm install` in a clone, `npm install git+https://…`): builds when no local
//            binary exists; not under `npm pack` / `npm publish`.
// The result is ./wechat-openapi.<platform>.node, which lib/binding.js loads before any prebuilt package.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { detect, localBinaryName } = require('../lib/platform.js')

const root = path.join(__dirname, '..')
const mode = process.argv[2] || 'install'

function requested(value) {
  return value !== undefined && value !== '' && !/^(0|false|no|off)$/i.test(value)
}

function cdylibName() {
  if (process.platform === 'win32') return 'wechat_openapi.dll'
  if (process.platform === 'darwin') return 'libwechat_openapi.dylib'
  return 'libwechat_openapi.so'
}

function build() {
  const platform = detect()
  const out = path.join(root, localBinaryName(platform.id))
  const ownTarget = !process.env.CARGO_TARGET_DIR
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target')
  const cargo = process.env.CARGO || 'cargo'
  const version = spawnSync(cargo, ['--version'], { encoding: 'utf8' })
  if (version.error || version.status !== 0) {
    console.error(
      `wechat-openapi: building from source needs Rust's cargo on PATH (https://rustup.rs); ${version.error ? version.error.message : version.stderr}`,
    )
    process.exit(1)
  }
  console.error(`wechat-openapi: building the native addon for ${platform.id} from source with ${version.stdout.trim()} (a few minutes)…`)
  const args = ['build', '--release', '--lib', '--locked', '-p', 'wechat-openapi', '--manifest-path', path.join(root, 'Cargo.toml')]
  const r = spawnSync(cargo, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CARGO_TARGET_DIR: targetDir } })
  if (r.error || r.status !== 0) {
    console.error(`wechat-openapi: \`${cargo} ${args.join(' ')}\` failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}`)
    process.exit(1)
  }
  fs.copyFileSync(path.join(targetDir, 'release', cdylibName()), out)
  console.error(`wechat-openapi: built ${path.relative(process.cwd(), out) || out}`)
  // An installed package keeps the 4 MB addon, not the build's gigabyte of intermediates.
  if (mode === 'install' && ownTarget && root.split(path.sep).includes('node_modules')) fs.rmSync(targetDir, { recursive: true, force: true })
}

if (mode === 'install') {
  if (requested(process.env.npm_config_build_from_source) || requested(process.env.WECHAT_OPENAPI_BUILD_FROM_SOURCE)) build()
} else if (mode === 'prepare') {
  // npm pack and npm publish run prepare too: they pack the prebuilt packages' way and need no local build.
  const packing = ['pack', 'publish'].includes(process.env.npm_command)
  if (packing || fs.existsSync(path.join(root, localBinaryName(detect().id)))) process.exit(0)
  // With devDependencies (a clone, a git install) this is `npm run build`, so `npm run demo` after `npm install`
  // finds the same cargo artifacts and rebuilds nothing; without them, cargo directly.
  const napi = path.join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
  if (fs.existsSync(napi) && process.env.npm_execpath) {
    const r = spawnSync(process.execPath, [process.env.npm_execpath, 'run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
    process.exit(r.status === null ? 1 : r.status)
  }
  build()
} else {
  console.error(`usage: node scripts/install.js [install|prepare]`)
  process.exit(2)
}
