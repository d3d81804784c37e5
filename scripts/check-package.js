#!/usr/bin/env node
'use strict'
// `prepack`: refuses to pack a main package that could not load or that carries what users do not need.
//   - every file is on the allow list (JS, types, CLI, loader, LICENSE, README, and what --build-from-source
//     compiles: Cargo.toml, Cargo.lock, build.rs, src/, crates/*/src/ with the console's page, api/); no tests, fixtures, benches, docs
//   - every entry point (main, exports, bin) and every relative require/import of a packed JS file is packed
//   - the native side: optionalDependencies name a prebuilt package for every napi target, pinned to this
//     version, and this machine's one (npm/<platform>/) holds a binary that loads here and answers a call
//   - no local build (wechat-openapi.<platform>.node) rides along: it would shadow the platform packages
// `npm run package` packs correctly; a bare `npm pack` in a clone stops here and says so.

const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { detect, localBinaryName, napiPlatform, PACKAGE } = require('../lib/platform.js')

const root = path.join(__dirname, '..')

const ALLOWED = [
  /^(package\.json|README\.md|LICENSE|index\.(js|mjs|d\.ts|d\.mts)|emulator\.(js|d\.ts))$/,
  /^lib\/[\w-]+\.js$/,
  /^bin\/[\w-]+\.js$/,
  /^bin\/cli\/[\w-]+\.js$/,
  /^scripts\/install\.js$/,
  /^api\/[\w-]+\.json$/,
  /^(Cargo\.toml|Cargo\.lock|build\.rs)$/,
  /^src\/[\w/-]+\.rs$/,
  /^crates\/[\w-]+\/Cargo\.toml$/,
  /^crates\/[\w-]+\/src\/[\w/-]+\.rs$/,
  // The emulator's console, embedded in the crate with include_str!.
  /^crates\/emulator\/src\/console\/[\w-]+\.(html|js|css)$/,
]

/** Test-only code and data, wherever it sits (cfg(test) modules and fixtures live under src/ too). */
const FORBIDDEN = /(^|\/)(__test__|tests?|fixtures?|benches|bench|examples|demo)(\/|$)|test|fuzz|conformance/

/** The files `npm pack` would put in the tarball (scripts off, so this does not recurse). */
function packedFiles() {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return JSON.parse(json.slice(json.indexOf('[')))[0].files.map((f) => f.path)
}

/** Relative specifiers required or imported by a JS file. */
function relativeImports(text) {
  const found = []
  const re = /(?:require\(\s*|import\s*\(\s*|from\s+|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g
  for (let m; (m = re.exec(text)); ) found.push(m[1])
  return found
}

function exportTargets(node, acc = []) {
  if (typeof node === 'string') acc.push(node)
  else if (node && typeof node === 'object') for (const v of Object.values(node)) exportTargets(v, acc)
  return acc
}

function check() {
  const problems = []
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const files = packedFiles()
  const packed = new Set(files)

  for (const f of files) if (FORBIDDEN.test(f) && f !== 'scripts/install.js') problems.push(`${f}: test-only code or data`)
  for (const f of files) if (!f.endsWith('.node') && !ALLOWED.some((re) => re.test(f))) problems.push(`${f}: not something users run or build from (tests, fixtures, benches and notes stay out)`)
  for (const f of ['package.json', 'README.md', 'LICENSE', 'lib/binding.js', 'scripts/install.js', 'Cargo.toml', 'Cargo.lock']) {
    if (!packed.has(f)) problems.push(`${f}: missing`)
  }
  for (const f of files) if (f.endsWith('.node')) problems.push(`${f}: a local build would shadow the platform packages; run \`npm run package\`, which packs without it`)

  const entries = [pkg.main, ...exportTargets(pkg.exports), ...Object.values(pkg.bin || {})].filter(Boolean).map((p) => path.posix.normalize(p))
  for (const e of entries) if (!packed.has(e)) problems.push(`${e}: an entry point (main/exports/bin) that is not packed`)
  for (const f of files.filter((f) => /\.(js|mjs|cjs)$/.test(f))) {
    for (const spec of relativeImports(fs.readFileSync(path.join(root, f), 'utf8'))) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec))
      if (!['', '.js', '.json'].some((ext) => packed.has(target + ext))) problems.push(`${f}: requires ${spec}, which is not packed`)
    }
  }

  // The native side.
  const opt = pkg.optionalDependencies || {}
  for (const triple of pkg.napi.targets) {
    const name = `${PACKAGE}-${napiPlatform(triple)}`
    if (opt[name] !== pkg.version) problems.push(`optionalDependencies.${name}: ${opt[name] || 'absent'}, want ${pkg.version} (the prebuilt binary of ${triple}; \`npm run package\` adds them)`)
  }
  const id = detect().id
  const dir = path.join(root, 'npm', id)
  const binary = path.join(dir, localBinaryName(id))
  const platformPkg = fs.existsSync(path.join(dir, 'package.json')) && JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  if (!platformPkg || platformPkg.version !== pkg.version) problems.push(`npm/${id}/package.json: ${platformPkg ? `version ${platformPkg.version}` : 'absent'}, want ${pkg.version}`)
  if (!fs.existsSync(binary)) {
    problems.push(`npm/${id}/${localBinaryName(id)}: absent, so this machine's prebuilt package would be empty`)
  } else {
    const probe = `const b = require(${JSON.stringify(binary)}); if (!b.endpoints().length) throw new Error('no endpoints')`
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' })
    if (r.status !== 0) problems.push(`npm/${id}/${localBinaryName(id)}: does not load here: ${(r.stderr || '').trim().split('\n')[0]}`)
  }
  return problems
}

if (require.main === module) {
  const problems = check()
  if (problems.length) {
    console.error(`prepack: this package would not install and load for its users:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    process.exitCode = 1
  } else {
    console.error('prepack: package contents and native binaries check out')
  }
}

module.exports = { check, relativeImports }
