#!/usr/bin/env node
'use strict'
// `npm run package`: builds what would be published and writes the tarballs to dist/, publishing nothing.
//   dist/wechat-openapi-<v>.tgz                 the main package: JS, types, CLI, loader, sources for --build-from-source
//   dist/wechat-openapi-<platform>-<v>.tgz      this machine's platform package (the release workflow builds the others)
// On linux x64 the binary is linked against glibc 2.17 (napi build --cross-compile: cargo-zigbuild + zig, from
// `pip install ziglang cargo-zigbuild`), and scripts/check-glibc.js refuses anything newer. Elsewhere it is a native build.
// The npm/<platform>/ directories are napi's (`napi create-npm-dirs`, `napi artifacts`); the main package gets its
// pinned optionalDependencies from `napi pre-publish` (publishing skipped), in a package.json restored afterwards.
//   node scripts/package.js [--no-build]     --no-build packs the binary already in target/package

const { spawnSync, execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { detect, localBinaryName, napiPlatform, PACKAGE } = require('../lib/platform.js')
const { maxGlibc, compare } = require('./check-glibc.js')

const root = path.join(__dirname, '..')
const dist = path.join(root, 'dist')
const out = path.join(root, 'target', 'package')
const napi = path.join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
const platform = detect()
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const TRIPLES = { 'linux-x64-gnu': 'x86_64-unknown-linux-gnu' }
const GLIBC_TARGET = '2.17'

function run(cmd, args, opts = {}) {
  console.error(`$ ${[cmd, ...args].join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts })
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}`)
  return r
}

/**
 * PATH with cargo-zigbuild and zig on it: those already there, or else both from PyPI (prebuilt wheels, seconds)
 * installed into target/tools with `pip install --target` (nothing touches the user's Python). zig is then a shim
 * running the `ziglang` package.
 */
function zigPath() {
  const has = (cmd, args, env) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: env || process.env })
    return !r.error && r.status === 0
  }
  const python = ['python3', 'python'].find((p) => has(p, ['--version']))
  const shimDir = path.join(root, 'target', 'tools-bin')
  const shim = (env) => {
    fs.mkdirSync(shimDir, { recursive: true })
    fs.writeFileSync(path.join(shimDir, 'zig'), `#!/bin/sh\n${env}exec ${python} -m ziglang "$@"\n`, { mode: 0o755 })
    return shimDir
  }
  const onPath = (...dirs) => [...dirs, process.env.PATH].join(path.delimiter)
  if (has('cargo-zigbuild', ['--version'])) {
    if (has('zig', ['version'])) return process.env.PATH
    if (python && has(python, ['-m', 'ziglang', 'version'])) return onPath(shim(''))
  }
  const tools = path.join(root, 'target', 'tools')
  const toolEnv = { ...process.env, PYTHONPATH: tools }
  const ready = () => fs.existsSync(path.join(tools, 'bin', 'cargo-zigbuild')) && has(python, ['-m', 'ziglang', 'version'], toolEnv)
  if (!python) throw new Error('the glibc 2.17 build needs cargo-zigbuild and zig: install them (`pip install ziglang cargo-zigbuild`), or Python 3 with pip so this script can')
  if (!ready()) {
    console.error('cargo-zigbuild and zig not found: installing them from PyPI into target/tools (pip install --target)')
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', tools, 'ziglang', 'cargo-zigbuild'])
    if (!ready()) throw new Error(`cargo-zigbuild or zig still missing in ${tools}`)
  }
  return onPath(path.join(tools, 'bin'), shim(`PYTHONPATH='${tools}' `))
}

function build() {
  fs.rmSync(out, { recursive: true, force: true })
  const common = ['--platform', '--release', '--no-js', '--dts', 'binding.d.ts', '--output-dir', out]
  if (platform.id === 'linux-x64-gnu') {
    const env = { ...process.env, PATH: zigPath() }
    // Its own target dir: zig's linker and C compiler would otherwise invalidate `npm run build`'s artifacts (and
    // the reverse), both being target/x86_64-unknown-linux-gnu/release.
    const targetDir = path.join(root, 'target', `glibc-${GLIBC_TARGET}`)
    run(process.execPath, [napi, 'build', ...common, '--target-dir', targetDir, '--cross-compile', '--target', `${TRIPLES[platform.id]}.${GLIBC_TARGET}`], { env })
  } else {
    run(process.execPath, [napi, 'build', ...common])
  }
}

/** npm pack in dir into dist/; returns { filename, size, entryCount }. */
function pack(dir) {
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', dist], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const info = JSON.parse(json.slice(json.indexOf('[')))[0]
  return { filename: info.filename, size: info.size, unpackedSize: info.unpackedSize, entryCount: info.entryCount }
}

function main() {
  if (!process.argv.includes('--no-build')) build()
  const binary = path.join(out, localBinaryName(platform.id))
  if (!fs.existsSync(binary)) throw new Error(`no ${binary}: build it first (drop --no-build)`)
  if (platform.id.endsWith('-gnu')) {
    const need = maxGlibc(binary)
    console.error(`${path.relative(root, binary)}: needs glibc ${need}`)
    if (platform.id === 'linux-x64-gnu' && need && compare(need, GLIBC_TARGET) > 0) {
      throw new Error(`${binary} needs glibc ${need}, above ${GLIBC_TARGET}`)
    }
  }

  // npm/<platform>/package.json and README.md for every target, then this machine's binary into its directory.
  run(process.execPath, [napi, 'create-npm-dirs'])
  const triple = Object.entries(TRIPLES).find(([id]) => id === platform.id)?.[1] || pkg.napi.targets.find((t) => t.includes(platform.os === 'win32' ? 'windows' : platform.os === 'darwin' ? 'darwin' : 'linux'))
  const hostConfig = path.join(out, 'napi-host.json')
  fs.writeFileSync(hostConfig, JSON.stringify({ binaryName: pkg.napi.binaryName, targets: [triple] }))
  // `napi artifacts` also copies the binary to the package root, over a dev build: keep the dev build aside meanwhile.
  const local = path.join(root, localBinaryName(platform.id))
  const aside = path.join(out, 'dev-build.node')
  const hadLocal = fs.existsSync(local)
  if (hadLocal) fs.renameSync(local, aside)
  const manifest = path.join(root, 'package.json')
  const original = fs.readFileSync(manifest)
  try {
    run(process.execPath, [napi, 'artifacts', '-c', hostConfig, '--output-dir', out, '--npm-dir', 'npm'])
    fs.rmSync(local, { force: true })
    // optionalDependencies (every target, pinned to this version) as napi pre-publish writes them; nothing is published.
    run(process.execPath, [napi, 'pre-publish', '-t', 'npm', '--skip-optional-publish', '-c', hostConfig])
    const written = JSON.parse(fs.readFileSync(manifest, 'utf8'))
    written.optionalDependencies = Object.fromEntries(
      pkg.napi.targets.map((t) => [`${PACKAGE}-${napiPlatform(t)}`, pkg.version]),
    )
    fs.writeFileSync(manifest, JSON.stringify(written, null, 2) + '\n')

    fs.mkdirSync(dist, { recursive: true })
    for (const f of fs.readdirSync(dist)) if (f.endsWith('.tgz')) fs.rmSync(path.join(dist, f))
    fs.copyFileSync(path.join(root, 'LICENSE'), path.join(root, 'npm', platform.id, 'LICENSE'))
    const results = [pack(root), pack(path.join(root, 'npm', platform.id))]
    for (const r of results) {
      console.log(`dist/${r.filename}: ${(r.size / 1024).toFixed(0)} KB packed, ${(r.unpackedSize / 1024).toFixed(0)} KB unpacked, ${r.entryCount} files`)
    }
  } finally {
    fs.writeFileSync(manifest, original)
    if (hadLocal) fs.renameSync(aside, local)
  }
}

if (require.main === module) {
  try {
    main()
  } catch (e) {
    console.error(`package: ${e.message}`)
    process.exitCode = 1
  }
}
